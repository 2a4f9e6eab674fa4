#!/usr/bin/env bats
# Workflow files (fanout -f): every key of SPEC section 9, scheduling by
# needs, command-line overrides, and each error with its FILE:LINE:COL.

bats_require_minimum_version 1.5.0
load helpers/common

# wf: the workflow file w.yaml from stdin.
wf() {
	cat > w.yaml
}

# run_wf ARG...: fanout -f w.yaml ARG..., stdout and stderr apart.
run_wf() {
	run --separate-stderr timeout -k 5 60 "$FANOUT" -f w.yaml "$@"
}

# expect_wf_error LINE COL MESSAGE: --check fails with 255 and prints
# "w.yaml:LINE:COL: MESSAGE", the line itself and a caret under COL.
expect_wf_error() {
	local line col=$2 want_caret
	run --separate-stderr timeout -k 5 30 "$FANOUT" -f w.yaml --check
	expect_status 255
	expect_output < /dev/null
	line=$(sed -n "$1p" w.yaml)
	want_caret="$(printf '%*s' $((col - 1)) '')^"
	if [ "${stderr_lines[0]}" != "w.yaml:$1:$col: $3" ] ||
	    [ "${stderr_lines[1]}" != "$line" ] ||
	    [ "${stderr_lines[2]}" != "$want_caret" ] ||
	    [ "${#stderr_lines[@]}" -ne 3 ]; then
		printf 'expected:\nw.yaml:%s:%s: %s\n%s\n%s\n--- got:\n%s\n' \
		    "$1" "$col" "$3" "$line" "$want_caret" "$stderr" >&2
		return 1
	fi
}

@test "workflow: each list, in order with keep-order" {
	wf <<-'EOF'
	version: 1
	keep-order: true
	tasks:
	  greet:
	    run: echo hello {}
	    each: [a, "b c", "it's"]
	EOF
	run_wf
	expect_status 0
	expect_output <<-'EOF'
	hello a
	hello b c
	hello it's
	EOF
}

@test "workflow: --check prints nothing and runs nothing" {
	wf <<-'EOF'
	version: 1
	tasks:
	  t:
	    run: touch ran
	EOF
	run_wf --check
	expect_status 0
	expect_output < /dev/null
	[ -z "$stderr" ]
	[ ! -e ran ]
}

@test "workflow: a task runs after what it needs" {
	wf <<-'EOF'
	version: 1
	jobs: 4
	tasks:
	  report:
	    needs: [make]
	    run: cat made
	  make:
	    run: sh -c 'sleep 0.2; echo made > made'
	EOF
	run_wf
	expect_status 0
	expect_output <<-'EOF'
	made
	EOF
}

@test "workflow: needs as one name, a diamond" {
	wf <<-'EOF'
	version: 1
	jobs: 4
	tasks:
	  a:
	    run: sh -c 'echo a >> log'
	  b:
	    needs: a
	    run: sh -c 'echo b >> log'
	  c:
	    needs: a
	    run: sh -c 'echo c >> log'
	  d:
	    needs: [b, c]
	    run: sh -c 'echo d >> log'
	EOF
	run_wf
	expect_status 0
	[ "$(head -n 1 log)" = a ]
	[ "$(tail -n 1 log)" = d ]
	[ "$(wc -l < log)" -eq 4 ]
}

@test "workflow: a failure skips what needs it, not the rest; status counts jobs" {
	wf <<-'EOF'
	version: 1
	tasks:
	  bad:
	    run: exit 3
	  after:
	    needs: bad
	    run: echo after
	  later:
	    needs: after
	    run: echo later
	  other:
	    run: echo other
	EOF
	run_wf
	expect_status 1
	expect_output <<-'EOF'
	other
	EOF
	[[ $stderr == *"fanout: task 'after' skipped: 'bad' failed"* ]]
	[[ $stderr == *"fanout: task 'later' skipped: 'after' was skipped"* ]]
}

@test "workflow: when: always runs after a failure" {
	wf <<-'EOF'
	version: 1
	tasks:
	  bad:
	    run: exit 1
	  cleanup:
	    needs: bad
	    when: always
	    run: echo cleaned
	EOF
	run_wf
	expect_status 1
	expect_output <<-'EOF'
	cleaned
	EOF
}

@test "workflow: TASK on the command line runs it and what it needs only" {
	wf <<-'EOF'
	version: 1
	keep-order: true
	tasks:
	  a:
	    run: echo a
	  b:
	    needs: a
	    run: echo b
	  c:
	    run: echo c
	EOF
	run_wf b
	expect_status 0
	expect_output <<-'EOF'
	a
	b
	EOF
	run_wf nosuch
	expect_status 255
	[ "$stderr" = "fanout: w.yaml: no task 'nosuch'" ]
}

@test "workflow: matrix with exclude and include; {name} quoted as a value" {
	wf <<-'EOF'
	version: 1
	tasks:
	  build:
	    run: echo {os}/{cc} {extra}
	    matrix:
	      os: [linux, bsd]
	      cc: [gcc, clang]
	      exclude:
	        - {os: bsd, cc: gcc}
	      include:
	        - {cc: clang, extra: "x y;z"}
	        - {os: mac, cc: cc}
	EOF
	run_wf
	expect_status 0
	# An unset variable is empty: "linux/gcc " ends in the blank.
	[[ $output == *"linux/gcc "$'\n'* || $output == *"linux/gcc " ]]
	run sort <<<"$(sed 's/ $//' <<<"$output")"
	expect_output <<-'EOF'
	bsd/clang x y;z
	linux/clang x y;z
	linux/gcc
	mac/cc
	EOF
}

@test "workflow: a run without replacement strings gets nothing appended" {
	wf <<-'EOF'
	version: 1
	tasks:
	  t:
	    run: echo fixed
	    each: [a, b]
	  m:
	    run: echo matrix
	    matrix: {x: [1]}
	EOF
	run_wf
	expect_status 0
	run sort <<<"$output"
	expect_output <<-'EOF'
	fixed
	fixed
	matrix
	EOF
}

@test "workflow: cwd, env over the file's env, FANOUT_TASK" {
	mkdir sub
	wf <<-'EOF'
	version: 1
	env: {A: file, B: file}
	tasks:
	  t:
	    cwd: sub
	    env: {B: task}
	    run: sh -c 'echo "$(basename "$PWD") $A $B $FANOUT_TASK"'
	EOF
	run_wf
	expect_status 0
	expect_output <<-'EOF'
	sub file task t
	EOF
}

@test "workflow: a cwd that does not exist fails the job, with why" {
	wf <<-'EOF'
	version: 1
	tasks:
	  t:
	    cwd: nowhere
	    run: echo never
	EOF
	run_wf
	expect_status 1
	expect_output < /dev/null
	[[ $stderr == *"cannot change to directory 'nowhere': No such file or directory"* ]]
}

@test "workflow: each files glob and file lines, relative to cwd" {
	mkdir -p d/logs
	touch d/logs/1.log d/logs/2.log d/logs/x.txt
	printf 'one\ntwo\n' > d/list
	wf <<-'EOF'
	version: 1
	keep-order: true
	tasks:
	  g:
	    cwd: d
	    run: test -f {}
	    each: {files: "logs/*.log"}
	  show:
	    cwd: d
	    run: echo {}
	    each: {files: "logs/*.log"}
	  lines:
	    cwd: d
	    run: echo line {}
	    each: {file: list}
	EOF
	run_wf
	expect_status 0
	expect_output <<-'EOF'
	logs/1.log
	logs/2.log
	line one
	line two
	EOF
}

@test "workflow: each stdin" {
	wf <<-'EOF'
	version: 1
	keep-order: true
	tasks:
	  t:
	    run: echo got {}
	    each: {stdin: true}
	EOF
	run --separate-stderr "$FANOUT" -f w.yaml < <(printf 'x\ny\n')
	expect_status 0
	expect_output <<-'EOF'
	got x
	got y
	EOF
}

@test "workflow: timeout stops a job; retries run it again" {
	wf <<-'EOF'
	version: 1
	tasks:
	  slow:
	    timeout: 0.2s
	    run: sleep 30
	  flaky:
	    retries: 3
	    run: failtimes counter 2
	EOF
	run_wf
	expect_status 1
	[ "$(cat counter)" = 3 ]
	[[ $stderr == *"this job timed out: sleep 30"* ]]
}

@test "workflow: defaults give every task a key it lacks" {
	wf <<-'EOF'
	version: 1
	defaults: {retries: 2, env: {X: dflt}}
	tasks:
	  a:
	    run: failtimes ca 1
	  b:
	    retries: 1
	    run: failtimes cb 1
	  c:
	    run: sh -c 'echo $X'
	EOF
	run_wf
	expect_status 1
	[ "$(cat ca)" = 2 ]
	[ "$(cat cb)" = 1 ]
	[[ $output == *dflt* ]]
}

@test "workflow: a task's jobs cap; the file's jobs" {
	mkdir m1 m2
	wf <<-'EOF'
	version: 1
	jobs: 3
	tasks:
	  capped:
	    jobs: 1
	    run: conc m1 1 100 1
	    each: [1, 2, 3]
	  free:
	    run: conc m2 3 100 1
	    each: [1, 2, 3]
	EOF
	run_wf
	expect_status 0
	# conc prints the most jobs it saw at once in its directory.
	run sort -u <<<"$output"
	expect_output <<-'EOF'
	1
	3
	EOF
}

@test "workflow: command-line options override the file's settings" {
	wf <<-'EOF'
	version: 1
	jobs: 4
	keep-order: false
	tasks:
	  t:
	    timeout: 1h
	    run: sleep {} && echo {}
	    each: ["0.3", "0.2", "0.1"]
	EOF
	run_wf -j 1
	expect_status 0
	expect_output <<-'EOF'
	0.3
	0.2
	0.1
	EOF
	run_wf -j 3 -k
	expect_status 0
	expect_output <<-'EOF'
	0.3
	0.2
	0.1
	EOF
	run_wf --timeout 0.05
	expect_status 3
}

@test "workflow: output, tag, shell and halt" {
	wf <<-'EOF'
	version: 1
	output: line
	tag: true
	shell: /bin/bash
	halt: now,fail=1
	tasks:
	  t:
	    run: 'echo $BASH_VERSION | cut -c1 && exit {}'
	    each: ["0"]
	  u:
	    needs: t
	    run: exit {}
	    each: ["5"]
	EOF
	run_wf
	expect_status 5
	[[ $output == "0	"[0-9] ]]
}

@test "workflow: --dry-run prints each task's commands after what it needs" {
	wf <<-'EOF'
	version: 1
	jobs: 4
	tasks:
	  last:
	    needs: [first]
	    run: echo last {}
	    each: [x]
	  first:
	    run: echo first {}
	    each: [a, b]
	EOF
	run_wf --dry-run
	expect_status 0
	expect_output <<-'EOF'
	echo first a
	echo first b
	echo last x
	EOF
}

@test "workflow: joblog with --resume reruns only the unfinished jobs" {
	wf <<-'EOF'
	version: 1
	joblog: jl
	tasks:
	  a:
	    run: sh -c 'echo {} >> ran'
	    each: [1, 2]
	  b:
	    needs: a
	    run: sh -c 'test -e ok && echo b{} >> ran'
	    each: [3, 4]
	EOF
	run_wf
	expect_status 2
	[ "$(sort ran | paste -sd ' ')" = "1 2" ]
	: > ran
	touch ok
	run_wf --resume-failed
	expect_status 0
	[ "$(sort ran | paste -sd ' ')" = "b3 b4" ]
	[ "$(cut -f 1 jl | sed 1d | sort -n | uniq | paste -sd ' ')" = "1 2 3 4" ]
}

@test "workflow: -f with ::: or --check without -f is a usage error" {
	wf <<-'EOF'
	version: 1
	tasks:
	  t:
	    run: true
	EOF
	run --separate-stderr "$FANOUT" -f w.yaml ::: a
	expect_status 255
	[[ $stderr == "fanout: -f takes task names"* ]]
	run --separate-stderr "$FANOUT" --check echo
	expect_status 255
	[[ $stderr == "fanout: --check needs -f FILE"* ]]
}

# Errors of the file's content, each at its line and column.

@test "workflow error: missing version" {
	wf <<-'EOF'
	tasks:
	  t:
	    run: true
	EOF
	expect_wf_error 1 1 "missing 'version: 1' (the format of this file)"
}

@test "workflow error: another version" {
	wf <<-'EOF'
	version: 2
	tasks: {t: {run: true}}
	EOF
	expect_wf_error 1 10 "'version' is 2: this fanout reads version 1"
}

@test "workflow error: unknown top-level key, with did you mean" {
	wf <<-'EOF'
	version: 1
	keep_order: true
	tasks: {t: {run: true}}
	EOF
	expect_wf_error 2 1 "unknown top-level key 'keep_order' (did you mean 'keep-order'?)"
}

@test "workflow error: unknown task key, with and without a near one" {
	wf <<-'EOF'
	version: 1
	tasks:
	  t:
	    run: true
	    need: [x]
	EOF
	expect_wf_error 5 5 "unknown task key 'need' (did you mean 'needs'?)"
	wf <<-'EOF'
	version: 1
	tasks:
	  t:
	    run: true
	    frobnicate: 1
	EOF
	expect_wf_error 5 5 "unknown task key 'frobnicate'"
}

@test "workflow error: wrong types" {
	wf <<-'EOF'
	version: 1
	jobs: [1]
	tasks: {t: {run: true}}
	EOF
	expect_wf_error 2 7 "'jobs' takes a value, not a list"
	wf <<-'EOF'
	version: 1
	tasks:
	  t:
	    run: {a: b}
	EOF
	expect_wf_error 4 10 "'run' takes a value, not a map"
	wf <<-'EOF'
	version: 1
	tasks:
	  t:
	    run: true
	    retries: many
	EOF
	expect_wf_error 5 14 "'retries' takes a whole number from 0 to 1000000, not 'many'"
	wf <<-'EOF'
	version: 1
	tasks:
	  t:
	    run: true
	    jobs: 0
	EOF
	expect_wf_error 5 11 "'jobs' takes a whole number from 1 to 1000000, not '0'"
}

@test "workflow error: booleans are true or false only" {
	wf <<-'EOF'
	version: 1
	keep-order: yes
	tasks: {t: {run: true}}
	EOF
	expect_wf_error 2 13 "'keep-order' takes true or false, not 'yes'"
	wf <<-'EOF'
	version: 1
	tag: "true"
	tasks: {t: {run: true}}
	EOF
	expect_wf_error 2 6 "'tag' takes true or false, not 'true'"
}

@test "workflow error: a duration needs a unit" {
	wf <<-'EOF'
	version: 1
	tasks:
	  t:
	    run: true
	    timeout: 90
	EOF
	expect_wf_error 5 14 "'timeout' takes a duration with a unit (90s, 5m, 1h, 1.5s), not '90'"
}

@test "workflow error: needs naming no task, with did you mean" {
	wf <<-'EOF'
	version: 1
	tasks:
	  build:
	    run: true
	  test:
	    needs: [biuld]
	    run: true
	EOF
	expect_wf_error 6 13 "'needs' names no task 'biuld' (did you mean 'build'?)"
}

@test "workflow error: a cycle, shown whole" {
	wf <<-'EOF'
	version: 1
	tasks:
	  a:
	    needs: [c]
	    run: true
	  b:
	    needs: [a]
	    run: true
	  c:
	    needs: [b]
	    run: true
	EOF
	expect_wf_error 7 13 "a cycle of needs: a -> c -> b -> a"
}

@test "workflow: defaults' needs are for every task but the one named" {
	wf <<-'EOF'
	version: 1
	defaults: {needs: setup}
	tasks:
	  setup:
	    run: sh -c 'echo setup > s'
	  use:
	    run: cat s
	EOF
	run_wf
	expect_status 0
	expect_output <<-'EOF'
	setup
	EOF
}

@test "workflow error: version is the number 1" {
	wf <<-'EOF'
	version: "1"
	tasks: {t: {run: true}}
	EOF
	expect_wf_error 1 10 "'version' takes the number 1, not the string \"1\""
}

@test "workflow error: a task that needs itself" {
	wf <<-'EOF'
	version: 1
	tasks:
	  a:
	    needs: a
	    run: true
	EOF
	expect_wf_error 4 12 "task 'a' needs itself"
}

@test "workflow error: a task without run, each with matrix, bad when and output" {
	wf <<-'EOF'
	version: 1
	tasks:
	  t:
	    each: [a]
	EOF
	expect_wf_error 3 3 "task 't' has no 'run'"
	wf <<-'EOF'
	version: 1
	tasks:
	  t:
	    run: echo {}
	    each: [a]
	    matrix: {x: [1]}
	EOF
	expect_wf_error 6 13 "a task takes 'each' or 'matrix', not both"
	wf <<-'EOF'
	version: 1
	tasks:
	  t:
	    run: true
	    when: sometimes
	EOF
	expect_wf_error 5 11 "'when' takes success or always, not 'sometimes'"
	wf <<-'EOF'
	version: 1
	output: lines
	tasks: {t: {run: true}}
	EOF
	expect_wf_error 2 9 "'output' takes group, line or ungroup, not 'lines'"
}

@test "workflow error: a bad halt is placed at its value" {
	wf <<-'EOF'
	version: 1
	halt: sometimes
	tasks: {t: {run: true}}
	EOF
	run --separate-stderr "$FANOUT" -f w.yaml --check
	expect_status 255
	[[ ${stderr_lines[0]} == "w.yaml:2:7: --halt: 'sometimes' is not never"* ]]
	[ "${stderr_lines[2]}" = "      ^" ]
}

@test "workflow: hosts \":\" is this machine; a task's own hosts are its only ones" {
	wf <<-'EOF'
	version: 1
	hosts: ":"
	tasks:
	  a: {run: 'echo a {} $FANOUT_HOST', each: [1, 2]}
	  b: {run: 'echo b $FANOUT_HOST', hosts: [":"], needs: a}
	EOF
	run_wf -k
	expect_status 0
	[ "$output" = "$(printf 'a 1 :\na 2 :\nb :')" ]
}

@test "workflow error: a bad login in hosts; one task may read stdin" {
	wf <<-'EOF'
	version: 1
	hosts: [":", "h:0"]
	tasks: {t: {run: true}}
	EOF
	expect_wf_error 2 14 "'hosts': 'h:0': bad port '0' (1 to 65535)"
	wf <<-'EOF'
	version: 1
	tasks: {t: {run: true, hosts: {a: b}}}
	EOF
	expect_wf_error 2 31 "'hosts' takes logins ([N/][user@]host[:port], commas between) or a list of them, not a map"
	wf <<-'EOF'
	version: 1
	tasks:
	  a:
	    run: echo {}
	    each: {stdin: true}
	  b:
	    run: echo {}
	    each: {stdin: true}
	EOF
	expect_wf_error 8 11 "only one task may read standard input"
}

@test "workflow error: a file that cannot be read" {
	run --separate-stderr "$FANOUT" -f nosuch.yaml
	expect_status 255
	[ "$stderr" = "fanout: nosuch.yaml: No such file or directory" ]
}

@test "workflow: each files and file are read when the task starts" {
	wf <<-'EOF2'
	version: 1
	keep-order: true
	tasks:
	  scan:
	    needs: [build]
	    run: echo scanned {}
	    each: {files: "logs/*.log"}
	  build:
	    run: sh -c 'mkdir -p logs && touch logs/{}.log && echo {} >> made'
	    each: [a, b]
	  lines:
	    needs: build
	    run: echo line {}
	    each: {file: made}
	EOF2
	run_wf --joblog jl
	expect_status 0
	run sort <<<"$output"
	expect_output <<-'EOF2'
	line a
	line b
	scanned logs/a.log
	scanned logs/b.log
	EOF2
	# Their seqs come after the other tasks': the same on every run.
	[ "$(cut -f 1 jl | sed 1d | sort -n | paste -sd ' ')" = "1 2 3 4 5 6" ]
	[ "$(awk -F '\t' '$1 <= 2 { print $9 }' jl | grep -c touch)" -eq 2 ]
}

@test "workflow: an each file missing when its task starts fails it (255)" {
	wf <<-'EOF2'
	version: 1
	tasks:
	  list:
	    run: echo line {}
	    each: {file: nothing.txt}
	  after:
	    needs: list
	    run: echo after
	  other:
	    run: echo other
	EOF2
	run_wf --check
	expect_status 0
	run_wf
	expect_status 255
	expect_output <<-'EOF2'
	other
	EOF2
	[[ $stderr == *"fanout: task 'list': each file 'nothing.txt': No such file or directory"* ]]
	[[ $stderr == *"fanout: task 'after' skipped: 'list' failed"* ]]
}

# What the YAML reader refuses, each at its place.

@test "workflow error: duplicate keys name both lines" {
	printf 'version: 1\ntasks:\n  a: {run: x}\n  a: {run: y}\n' > w.yaml
	expect_wf_error 4 3 "duplicate key 'a' (first on line 3)"
}

@test "workflow error: anchors, aliases and merge keys" {
	printf 'version: 1\ndefaults: &d {retries: 2}\ntasks: {t: {run: x}}\n' > w.yaml
	expect_wf_error 2 11 "anchors are not allowed (&d)"
	printf 'version: 1\ntasks:\n  t:\n    run: *x\n' > w.yaml
	expect_wf_error 4 10 "aliases are not allowed (*x)"
	printf 'version: 1\ntasks:\n  t: {<<: x, run: y}\n' > w.yaml
	expect_wf_error 3 7 "merge keys are not allowed (<<)"
}

@test "workflow error: a tab in indentation" {
	printf 'version: 1\ntasks:\n\t t: {run: x}\n' > w.yaml
	expect_wf_error 3 1 "tab in indentation (indent with spaces)"
}

@test "workflow error: nesting deeper than 64, refused at once" {
	{
		printf 'version: 1\ntasks: {t: {run: x}}\nx: '
		head -c 100000 /dev/zero | tr '\0' '['
		echo
	} > w.yaml
	run --separate-stderr timeout 10 "$FANOUT" -f w.yaml --check
	expect_status 255
	[ "${stderr_lines[0]}" = "w.yaml:3:67: nesting deeper than 64 levels" ]
}

@test "workflow error: more than one document; invalid UTF-8; too large" {
	printf 'version: 1\ntasks: {t: {run: x}}\n---\nversion: 1\n' > w.yaml
	expect_wf_error 3 1 "more than one document"
	printf 'version: 1\n# caf\377\ntasks: {t: {run: x}}\n' > w.yaml
	expect_wf_error 2 6 "invalid UTF-8 (byte 0xff)"
	truncate -s 100M w.yaml
	run --separate-stderr timeout 10 "$FANOUT" -f w.yaml --check
	expect_status 255
	[ "$stderr" = "fanout: w.yaml: too large (104857600 bytes; at most 16777216)" ]
}

@test "workflow error: an alias bomb is refused at its first anchor" {
	cat > w.yaml <<-'EOF'
	version: 1
	a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x"]
	b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
	c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
	d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
	tasks: {t: {run: x}}
	EOF
	expect_wf_error 2 4 "anchors are not allowed (&a)"
}

@test "workflow: --json records name their task" {
	wf <<-'EOF'
	version: 1
	tasks:
	  hello:
	    run: echo hi
	EOF
	run_wf --json
	expect_status 0
	[ "$(jq -r .task <<<"$output")" = hello ]
	run --separate-stderr "$FANOUT" --json echo ::: x
	[ "$(jq -r 'has("task")' <<<"$output")" = false ]
}

@test "workflow: --bar counts the jobs of every task, those read when they start too" {
	wf <<-'EOF2'
	version: 1
	tasks:
	  build:
	    run: sh -c 'mkdir -p logs && touch logs/{}.log'
	    each: [a, b, c]
	  scan:
	    needs: build
	    run: "true"
	    each: {files: "logs/*.log"}
	  once:
	    run: "true"
	EOF2
	run_wf --bar
	expect_status 0
	[[ $(tr '\r' '\n' <<<"$stderr" | tail -n 1) == "fanout: 7/7 done in "* ]]
}
