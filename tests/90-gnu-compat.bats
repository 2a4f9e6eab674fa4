#!/usr/bin/env bats
# Side-by-side comparison with GNU parallel 20221122 (SPEC §2-§6): every
# example command line gives the same stdout and exit status under both.
#
# `same ARGS...` runs `fanout ARGS...` and `parallel ARGS...`, each in a
# fresh copy of the test directory (so counter files, joblogs and the like
# do not leak from one run to the other), with the same stdin (./in when it
# exists, else /dev/null), and fails showing both when stdout or status
# differ. GNU parallel gets PARALLEL_SHELL=/bin/sh so both use dash.
# $PARALLEL is unset for both, or SAME_PARALLEL's value for both.
# stderr is shown on failure but never compared (the wording differs).
#
# Where fanout differs on purpose (README, "Deliberate differences from GNU
# parallel") the test asserts fanout's documented behaviour instead and
# names the README entry.

bats_require_minimum_version 1.5.0
load helpers/common
load helpers/same

# --- helpers --------------------------------------------------------------

load helpers/same

# A joblog with the Starttime and JobRuntime columns masked.
mask_joblog() {
	awk -F'\t' 'BEGIN { OFS = "\t" } NR > 1 { $3 = "T"; $4 = "R" } { print }'
}

# The counter script for --retries: run N of item {} prints "run N {}" and
# succeeds from run $1 on.
retry_cmd() {
	printf '%s' 'n=$(cat c.{} 2>/dev/null || echo 0); n=$((n+1)); echo $n >c.{}; echo run $n {}; [ $n -ge '"$1"' ]'
}

# --- §2 Input ------------------------------------------------------------

@test "stdin: one job per line" {
	printf 'a\nb c\n  d\n' >in
	same -k echo x{}x
	# A last line without a newline is an item too.
	printf 'a\nb' >in
	same -k echo x{}x
}

@test "stdin: with no command each line is a whole command" {
	printf 'echo a\necho b; echo c\necho d | tr d D\nexit 3\n' >in
	same -k
}

@test "::: values" {
	same -k echo ::: a b c
	same -k echo x{}x ::: a 'b c' ''
}

@test "several ::: groups: every combination, last group fastest" {
	same -k echo {1}-{2} ::: a b ::: 1 2 3
	same -k echo {1}{2}{3} ::: a b ::: 1 2 ::: x y
	same -k echo ::: a b ::: 1 2
}

@test ":::: FILE" {
	printf 'f1\nf2 x\n' >list
	same -k echo x{}x :::: list
	printf 'g1\ng2\n' >list2
	same -k echo {1}-{2} :::: list list2
	same -k echo {1}-{2} :::: list :::: list2
	same -k echo {1}-{2} ::: a b :::: list
}

@test "-a FILE" {
	printf 'f1\nf2 x\n' >list
	printf 'g1\ng2\n' >list2
	same -k -a list echo x{}x
	same -k -a list -a list2 echo {1}-{2}
	same -k --arg-file list echo x{}x
}

@test "- is standard input for :::: and -a" {
	printf 's1\ns2\n' >in
	same -k echo x{}x :::: -
	same -k -a - echo x{}x
	same -k echo {1}-{2} ::: a b :::: -
}

@test "\$PARALLEL holds default options, split as GNU parallel splits it" {
	SAME_PARALLEL='-k --tag' same echo ::: a b
	SAME_PARALLEL="-k --tagstring 'x y\\ z'" same echo ::: a
	SAME_PARALLEL='-k --tagstring x\ y\\z' same echo ::: a
	SAME_PARALLEL="-k --tagstring 'a\\'b'" same echo ::: a
	SAME_PARALLEL='-k --tagstring "a\\b\$c\"d"' same echo ::: a
	SAME_PARALLEL='-k --tagstring A' same --tagstring B echo ::: a
	SAME_PARALLEL='-k echo pre' same echo ::: a
	SAME_PARALLEL='-kv' same echo ::: a
}

@test "-j FILE reads the number of jobs from FILE" {
	echo 2 >jf
	same -k -j jf echo ::: a b c
	printf '100%%\n' >jf
	same -k -j jf echo ::: a b c
}

@test "--delay Nauto is accepted" {
	same -k --delay 0.01auto 'echo {}; exit {}' ::: 0 1 0
	same -k --delay 0.01sauto echo ::: a b
}

@test "--will-cite and --no-notice are accepted" {
	same -k --will-cite --no-notice echo ::: a b
}

@test ":::+ links a group to the one before" {
	same -k echo {1}-{2} ::: a b c :::+ 1 2 3
	same -k echo {1}-{2}-{3} ::: a b ::: x y :::+ 1 2
	# A shorter linked group.
	same -k echo {1}-{2} ::: a b c :::+ 1 2
}

@test "::::+ links a file group to the one before" {
	printf 'a\nb\nc\n' >l1
	printf '1\n2\n3\n' >l2
	same -k echo {1}-{2} :::: l1 ::::+ l2
	same -k echo {1}-{2} ::: x y z ::::+ l2
	# Every file after ::::+ links; ::::+ or :::+ first links to nothing.
	printf '4\n5\n' >l3
	same -k echo {1}-{2}-{3} ::: x y z ::::+ l2 l3
	same -k echo {1}-{2}-{3} ::::+ l2 l3 ::: p q
	same -k echo {1}-{2}-{3} ::: x y ::::+ l2 :::: l3
	same -k echo {1}-{2} :::+ p q ::: x y
}

@test "--link links all groups, a shorter one wraps around" {
	same -k --link echo {1}-{2} ::: a b c d ::: 1 2
	same -k --link echo {1}-{2}-{3} ::: a b c ::: 1 2 3 4 5 ::: x
	same -k --link echo ::: a b ::: 1 2
}

@test "-0 / --null" {
	printf 'a\0b c\0d\ne\0' >in
	same -k -0 echo x{}x
	printf 'a\0last' >in
	same -k --null echo x{}x
}

@test "-d with a character and the \\n \\t \\0 escapes" {
	printf 'a,b c,d\n' >in
	same -k -d , echo x{}x
	printf 'a\tb c\td' >in
	same -k -d '\t' echo x{}x
	printf 'a\nb\n' >in
	same -k -d '\n' echo x{}x
	printf 'a\0b\0' >in
	same -k -d '\0' echo x{}x
	printf 'a,b' >in
	same -k --delimiter , echo x{}x
}

@test "--colsep REGEX: columns {1} {2}" {
	printf 'a,b:c\nd,e\n' >in
	same -k --colsep '[,:]' echo {3}-{1}-{2}
	same -k --colsep , echo {2} {1}
	same -k --colsep , echo x{1}x
	# No replacement string: the columns are appended as separate words.
	same -k --colsep , echo
	printf 'p/q.r\tx\n' >in
	same -k --colsep '\t' echo {1.} {1/} {1//} {1/.} {2}
}

@test "--colsep with -a and with :::" {
	printf 'a,b\nc,d\n' >f
	same -k --colsep , -a f echo {2}{1}
	same -k --colsep , echo {2}{1} ::: 'x,y'
}

@test "-r skips empty items" {
	printf 'a\n\nb\n \n\t\nc\n' >in
	same -k -r echo x{}x
	same -k --no-run-if-empty echo x{}x
	# Without -r an empty line is a job.
	printf 'a\n\nb\n' >in
	same -k echo x{}x
}

@test "-N: N items per job" {
	same -k -N2 echo {1}+{2} ::: a b c d
	same -k -N2 echo {1}+{2} ::: a b c d e
	same -k -N3 echo ::: a b c d e
	same -k -N2 echo {} ::: a b c d
	printf 'a\nb\nc\n' >in
	same -k -N2 echo {2}-{1}
}

@test "items hold any bytes but the delimiter" {
	printf 'x\001y\n\303\251\n  sp  \n' >in
	same -k "printf '[%s]\\n'"
}

# --- §3 Command templates -------------------------------------------------

@test "replacement strings on /a/b/c.tar.gz" {
	same -k echo {} {.} {/} {//} {/.} ::: /a/b/c.tar.gz
	same -k "printf '%s|\\n'" {} {.} {/} {//} {/.} ::: /a/b/c.tar.gz
}

@test "replacement strings on edge values" {
	same -k "printf '[%s]'" {} {.} {/} {//} {/.} "; echo" ::: \
		c c. .bashrc / a/ ./x '' a.b/c a/b.c/d /x.y/ 'sp ace.d/f i.le' \
		../up.tgz a//b.c .
}

@test "replacement strings per group: {n} {n.} {n/} {n//} {n/.}" {
	same -k echo {1} {2} {1.} {2/} {1//} {2/.} {2//} {1/.} ::: /x/y.z ::: a/b.c
}

@test "{#} is the job sequence number" {
	same -k echo {#} {} ::: a b c
	same -k echo {#} ::: a b ::: 1 2
	printf 'a\nb\n' >in
	same -k echo {#}-{}
}

@test "{%} with -j1 is always 1" {
	same -k -j1 echo {%} {} ::: a b c
}

@test "-I STR replaces the item" {
	same -k -I @@ echo @@ x@@y ::: a 'b c'
	same -k -I @@ echo @@ {} ::: a
	same -k -I , echo , ::: a
}

@test "a template without replacement string gets the items appended" {
	same -k echo pre ::: a 'b c'
	same -k echo ::: a b ::: 1 2
	same -k 'echo pre;echo post' ::: a
	printf 'a\nb c\n' >in
	same -k echo pre
}

@test "an input line is data, never code" {
	mkdir home home/.parallel
	touch home/.parallel/will-cite
	echo '$(rm -rf ~)' >in
	HOME=$PWD/home same echo
	expect_output <<-'EOF'
	$(rm -rf ~)
	EOF
	printf '%s\n' '$(touch pwned1)' '`touch pwned2`' 'a;touch pwned3' \
		'a|touch pwned4' "'; touch pwned5; '" '$HOME' '*' '~' >in
	same -k echo
	same -k 'echo {} | cat'
	same -k echo x{}x
	[ -z "$(find . -name 'pwned*')" ]
}

@test "braces that are not replacement strings are left alone" {
	# README: fanout awk '{print $1}' ::: f is skipped here (the $1 goes to
	# the shell in both; see the "surprise" note).
	same -k echo '{a,b}' '{foo}' x{}y '{{}}' '{}{}' '{1x}' '{' '}' ::: f
	same -k 'echo {a,b} {foo}' ::: f
	same -k echo '{}}' '{{}' ::: f
}

@test "GNU positional {-1}; {0} is text (README)" {
	same -k echo '{-1}' '{-2}' ::: a ::: b
	# Beyond the arguments: empty, however long the number. (GNU parallel
	# gives b for {-3} and for {18446744073709551617}: Perl's arithmetic.)
	same -k echo 'A{3}B' 'E{2147483648}F' 'G{-99999999999}H' ::: a ::: b
	run --separate-stderr "$FANOUT" -k echo 'C{-3}D' \
		'I{18446744073709551617}J' ::: a ::: b
	expect_status 0
	[ "$output" = "CD IJ" ]
	# README, "Deliberate differences": {0} is not a replacement string.
	run --separate-stderr "$FANOUT" -k echo '{-1}' '{0}' ::: a ::: b
	expect_status 0
	expect_output <<-'EOF'
	b {0}
	EOF
}

@test "-q quotes the command's own words" {
	same -k -q printf '%s|\n' 'a b' ::: 'x y'
	same -k -q echo 'a;b' '$HOME' '*' ::: v
	same -k --quote sh -c 'echo "[$0]"' ::: 'a b'
}

@test "the command is its words joined by spaces" {
	same -k printf '%s\n' 'a b' ::: x
	same -k printf '%s\n' ::: x
	same -k echo '  spaced  ' ::: x
	same -k 'echo a;' 'echo b' ::: x
	same -k 'echo {} | tr a-z A-Z' ::: abc
}

@test "echo with backslashes and -e: as GNU parallel under bash (README)" {
	# fanout runs `echo ...` (no shell syntax) directly: /usr/bin/echo,
	# which, like bash's echo, leaves backslashes alone. GNU parallel
	# runs it under $SHELL; under dash the builtin echo would expand them
	# (README, "The shell is /bin/sh").
	GNU_SHELL=/bin/bash same -k echo x{}x ::: 'a\tb' 'c\nd'
	GNU_SHELL=/bin/bash same -k echo ::: -n -e
}

@test "--dry-run quoting of awkward values" {
	same -k --dry-run echo ::: 'a b' "it's" '$x' '' 'a\b' '*' '~' '"q"' \
		'a;b' '`x`' '-n' "tab	x" 'é' '!' '#' 'x=y' '{}' '%' "a'b'c" \
		'  lead' 'trail  ' 'a|b' 'a&b' '<>' '()' '[x]' '?' '^' \
		"$(printf 'bs\\')" 'plain' 'a,b' '@' 'a=b c'
	same -k --dry-run echo x{}y ::: 'a b' "it's" ''
	same -k --dry-run 'echo {} | cat' ::: 'a b' "it's"
	same -k --dry-run echo {1} {2} ::: 'a b' ::: "c'd"
	same -k --dry-run -q printf '%s\n' ::: 'a b'
	printf 'echo a\necho "b c" | tr b B\n' >in
	same -k --dry-run
	[ ! -e run.fanout/x ] && [ ! -e run.parallel/x ]
}

@test "--dry-run with --tag" {
	same -k --dry-run --tag echo ::: a 'b c'
}

@test "a ::: value is one argument, whatever -d says (README)" {
	# README, "Deliberate differences": GNU parallel splits ::: values
	# at the delimiter.
	run --separate-stderr "$FANOUT" -k -d , echo x{}x ::: 'a,b' c
	expect_status 0
	expect_output <<-'EOF'
	xa,bx
	xcx
	EOF
}

@test "--dry-run runs nothing" {
	same -k --dry-run touch {} ::: made
	[ ! -e run.fanout/made ] && [ ! -e run.parallel/made ]
}

# --- §4 Scheduling ---------------------------------------------------------

@test "-j forms give the same output" {
	same -k -j1 echo ::: a b c
	same -k -j 2 echo ::: a b c
	same -k --jobs 3 echo ::: a b c
	same -k -j0 echo ::: a b c
	same -k -j 50% echo ::: a b c
	same -k -j 200% echo ::: a b c
	same -k -j +1 echo ::: a b c
	same -k -j -1 echo ::: a b c
}

@test "-j1 runs one job at a time: {%} is 1 and the order is input order" {
	same -j1 echo {%} {} ::: a b c
	same -j1 'sleep 0.{}; echo {}' ::: 3 1 2
	same --jobs 1 echo {%} ::: a b
}

@test "--delay between job starts" {
	same -k --delay 0.1 echo ::: a b c
	same -j1 --delay 0.1 echo {%} {} ::: a b
}

@test "--timeout: a sleeping job is stopped, its output kept, status 1" {
	same -k --timeout 1 'echo start {}; sleep 100; echo end' ::: x
	same -k --timeout 2 'echo {}; sleep {}; echo done {}' ::: 0 100 0
}

@test "--retries: a job failing then succeeding; only the last run's output" {
	same -k --retries 3 "$(retry_cmd 2)" ::: x
	same -k --retries 3 "$(retry_cmd 3)" ::: x y
	same -k --retries 2 "$(retry_cmd 1)" ::: x
}

@test "--retries: a job failing every time; status 1" {
	same -k --retries 3 "$(retry_cmd 9)" ::: x
	same -k --retries 2 'echo try {}; exit 3' ::: x y
	same -k --retries 1 'echo try {}; exit 3' ::: x
}

@test "--retries 0 means one run (README: --retries 0)" {
	# README, "Deliberate differences": --retries 0 means one run (GNU
	# parallel: retry forever).
	run --separate-stderr timeout -k 5 60 "$FANOUT" -k --retries 0 "$(retry_cmd 2)" ::: x
	expect_status 1
	expect_output <<-'EOF'
	run 1 x
	EOF
}

@test "--halt never: all jobs run" {
	same -k -j1 --halt never 'echo {}; exit {}' ::: 0 3 0
}

@test "--halt now,fail=1 and soon,fail=1: the failing job's status" {
	same -k -j1 --halt now,fail=1 'echo {}; exit {}' ::: 0 0 4 0 0
	same -k -j1 --halt soon,fail=1 'echo {}; exit {}' ::: 0 0 4 0 0
	same -k -j1 --halt now,fail=1 'echo {}; exit {}' ::: 0 0
	same -k -j1 --halt 2 'echo {}; exit {}' ::: 0 7 0
	same -k -j1 --halt 1 'echo {}; exit {}' ::: 0 7 0
}

@test "--halt now,fail=1: a job killed by a signal gives 128+N" {
	same -k -j1 --halt now,fail=1 'echo {}; kill -9 $$' ::: a b
}

@test "--halt now,fail=1 kills the running jobs" {
	printf '%s\n' 'echo early; sleep 100; echo late' 'sleep 1; exit 5' >in
	SAME_EMPTY=1 same -j2 --halt now,fail=1
}

@test "--halt soon,fail=1 waits for the running jobs" {
	printf '%s\n' 'sleep 2; echo late' 'exit 5' 'echo never' >in
	same -j2 --halt soon,fail=1
}

@test "--halt fail=N with N > 1: the triggering job's status (README)" {
	# SPEC 6 and README: the triggering job's status (GNU parallel: the
	# number of failed jobs for N > 1).
	run --separate-stderr timeout -k 5 60 "$FANOUT" -k -j1 \
	    --halt now,fail=2 'echo {}; exit {}' ::: 0 3 0 5 0
	expect_status 5
	expect_output <<-'EOF'
	0
	3
	0
	5
	EOF
}

@test "--halt now,success=1 and soon,success=1: status 0" {
	same -k -j1 --halt now,success=1 'echo {}; exit {}' ::: 4 0 2
	same -k -j1 --halt soon,success=1 'echo {}; exit {}' ::: 4 0 2
	same -k -j1 --halt now,success=2 'echo {}; exit {}' ::: 4 0 3 0 2
	same -k -j1 --halt soon,success=50% 'echo {}; exit {}' ::: 1 0 0 2
}

@test "--halt now,done=1: the finishing job's status" {
	same -k -j1 --halt now,done=1 'echo {}; exit {}' ::: 5 0 2
	same -k -j1 --halt soon,done=1 'echo {}; exit {}' ::: 0 5 2
}

@test "--halt now,done=N with N > 1: status" {
	# GNU parallel: the number of failed jobs. A comparison; see the report.
	same -k -j1 --halt now,done=2 'echo {}; exit {}' ::: 0 3 2
}

@test "--halt fail=N% exits with the triggering job's status (README)" {
	# README, "Deliberate differences": --halt ...,fail=N% exits with the
	# triggering job's status (GNU parallel: the percentage).
	run --separate-stderr timeout -k 5 60 "$FANOUT" -k -j1 --halt now,fail=50% 'echo {}; exit {}' ::: 0 3 0 2
	expect_status 2
	expect_output <<-'EOF'
	0
	3
	0
	2
	EOF
	run --separate-stderr timeout -k 5 60 "$FANOUT" -k -j1 --halt soon,fail=25% 'echo {}; exit {}' ::: 0 6 0 0
	expect_status 6
	expect_output <<-'EOF'
	0
	6
	EOF
}

# --- §5 Output -------------------------------------------------------------

@test "-k: output in input order" {
	same -k 'sleep 0.{}; echo {}' ::: 3 1 2
	same --keep-order -j3 'echo {}a; sleep 0.{}; echo {}b' ::: 3 1 2
}

@test "--group: each job's output whole" {
	same --group -j1 'echo {}a; echo {}b' ::: 1 2 3
	SAME_SORT=1 same --group -j3 'echo {}a; sleep 0.{}; echo {}b' ::: 3 1 2
}

@test "--line-buffer / --lb: the same lines" {
	SAME_SORT=1 same --lb -j3 'echo {}a; sleep 0.{}; echo {}b' ::: 3 1 2
	SAME_SORT=1 same --line-buffer -j2 seq {} ::: 3 5
	same -k --lb echo ::: a b
}

@test "-u / --ungroup: the same lines" {
	SAME_SORT=1 same -u -j3 'echo {}a; sleep 0.{}; echo {}b' ::: 3 1 2
	SAME_SORT=1 same --ungroup -j2 seq {} ::: 3 5
}

@test "--tag" {
	same -k --tag echo ::: a 'b c'
	same -k --tag echo ::: a b ::: 1 2
	same -k --tag 'printf "1\n2\n"; echo {}' ::: x
	same -k --tag printf %s ::: x
	SAME_EMPTY=1 same -k --tag true ::: x
}

@test "--tagstring" {
	same -k --tagstring '{}:' echo ::: a 'b c'
	same -k --tagstring '[{#}]' echo ::: a b
	same -k --tagstring '{.}-{/}' echo ::: /p/q.r
	same -k --tagstring '{2}={1}' echo ::: a ::: 1 2
}

@test "-v prints each command before its output" {
	same -k -v echo ::: a 'b c' "it's"
	same -k -v 'echo {} | tr a A' ::: a
	same -k -v echo {1} {2} ::: a ::: 'b c'
}

@test "--joblog format (Starttime and JobRuntime masked)" {
	SAME_EMPTY=1 same -k -j1 --joblog jl 'exit {}' ::: 0 3
	same_file jl mask_joblog
	same -k -j1 --joblog jl echo ::: 'a b' "it's"
	same_file jl mask_joblog
	same -k -j1 --joblog jl 'echo {}; kill -9 $$' ::: a
	same_file jl mask_joblog
}

@test "--joblog to a pipe has the header too" {
	command -v parallel >/dev/null || skip "GNU parallel is not installed"
	local f p
	f=$(timeout -k 5 60 "$FANOUT" -j1 --joblog /dev/stdout 'exit {}' ::: 0 3 |
		mask_joblog)
	p=$(PARALLEL_SHELL=/bin/sh timeout -k 5 60 parallel -j1 --joblog /dev/stdout 'exit {}' ::: 0 3 |
		mask_joblog)
	if [ "$f" != "$p" ]; then
		printf -- '--- fanout:\n%s\n--- parallel:\n%s\n' "$f" "$p" >&2
		return 1
	fi
}

@test "--joblog of a timed-out job" {
	SAME_EMPTY=1 same -k -j1 --timeout 1 --joblog jl 'sleep {}' ::: 100
	same_file jl mask_joblog
}

@test "--joblog +FILE appends" {
	same -k -j1 --joblog jl echo ::: a
	cp run.fanout/jl jl
	same -k -j1 --joblog +jl echo ::: b
	same_file jl mask_joblog
}

# --- §6 Exit status --------------------------------------------------------

@test "status 0 when every job succeeds" {
	SAME_EMPTY=1 same 'exit {}' ::: 0 0 0
	SAME_EMPTY=1 same true
}

@test "status: the number of failed jobs" {
	SAME_EMPTY=1 same 'exit {}' ::: 0 1 2 0 3 255
	same -k 'echo {}; exit {}' ::: 0 42
}

@test "status: 100 failures, then capped at 101" {
	seq 100 >in
	SAME_EMPTY=1 same -j8 false
	seq 101 >in
	SAME_EMPTY=1 same -j8 false
	seq 150 >in
	SAME_EMPTY=1 same -j8 false
}

@test "a killed job counts as failed" {
	same -k 'echo {}; kill -9 $$' ::: a
	same -k 'echo {}; kill -TERM $$' ::: a b
}

@test "command not found and not executable: a failed job" {
	SAME_EMPTY=1 same nonexistent-command-xyz ::: a b
	same -k 'nonexistent-command-xyz; echo $?' ::: a
	printf 'echo hi\n' >notexec
	SAME_EMPTY=1 same ./notexec ::: a
	SAME_EMPTY=1 same -k -j1 --halt now,fail=1 nonexistent-command-xyz ::: a b
}

# --- Deliberate differences (README) -------------------------------------

@test "the shell is /bin/sh, not \$SHELL (README: the shell is /bin/sh)" {
	# README, "Deliberate differences": the shell is /bin/sh; dash does no
	# brace expansion, bash would.
	SHELL=/bin/bash run --separate-stderr "$FANOUT" -k 'echo {a,b}; echo {}' ::: x
	expect_status 0
	expect_output <<-'EOF'
	{a,b}
	x
	EOF
	run --separate-stderr "$FANOUT" -k --shell /bin/bash 'echo {a,b}; echo {}' ::: x
	expect_status 0
	expect_output <<-'EOF'
	a b
	x
	EOF
}

@test "an empty ::: group yields no jobs (README: empty ::: group)" {
	# README, "Deliberate differences": an empty ::: group yields no jobs
	# (GNU parallel: one job with an empty argument).
	run --separate-stderr "$FANOUT" -k echo x{}x :::
	expect_status 0
	expect_output </dev/null
	run --separate-stderr "$FANOUT" -k echo {1}{2} ::: a b :::
	expect_status 0
	expect_output </dev/null
}

@test "-N repeats a word glued to {} per argument, as -X" {
	same -k -N2 echo x{}y ::: a b c d e
}

@test "-d takes one byte (README: -d takes one byte)" {
	# README, "Deliberate differences": -d takes one byte (or \n, \t,
	# \0, \xHH); GNU parallel allows several, so a multibyte character.
	printf 'a,b,c' >in
	run --separate-stderr "$FANOUT" -k -d '\x2c' echo x{}x <in
	expect_status 0
	expect_output <<-'EOF'
	xax
	xbx
	xcx
	EOF
	printf 'a::b' >in
	run --separate-stderr "$FANOUT" -k -d '::' echo x{}x <in
	expect_status 255
	expect_output </dev/null
	printf 'a\xc3\xa9b' >in
	run --separate-stderr "$FANOUT" -k -d é echo x{}x <in
	expect_status 255
	[[ $stderr == *"takes one byte"* ]]
}

@test "a ::: value with a newline stays one argument (README)" {
	# README, "Deliberate differences": a ::: value containing a newline
	# stays one argument (GNU parallel splits it).
	run --separate-stderr "$FANOUT" -k "printf '[%s]\\n'" ::: "$(printf 'a\nb')" c
	expect_status 0
	expect_output <<-'EOF'
	[a
	b]
	[c]
	EOF
}
