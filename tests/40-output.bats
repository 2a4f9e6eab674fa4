#!/usr/bin/env bats
# Output: grouping, order, line buffering, ungrouped, tags, -v, spooling of
# large output to unlinked files in $TMPDIR, binary bytes.

bats_require_minimum_version 1.5.0
load helpers/common

# md5 of each argument's spew output, sorted.
spew_sums() {
	local c
	for c in "$@"; do
		spew "$SPEW_BYTES" "$c" | md5sum
	done | sort
}

# A terminal for --bar: a tmux server of this test's own (its socket in
# the test's folder), never the user's. tmux_start COLS CMD runs CMD in a
# pane COLS wide; screen shows the pane without its trailing blank lines.
tmux_start() {
	command -v tmux >/dev/null || skip "tmux is not installed"
	TMUX_SOCK=$BATS_TEST_TMPDIR/tmux.sock
	tmux -S "$TMUX_SOCK" -f /dev/null new-session -d -x "$1" -y 20 \
	    "cd '$BATS_TEST_TMPDIR' && $2; touch finished; sleep 600"
}

screen() {
	tmux -S "$TMUX_SOCK" capture-pane -p | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}'
}

local_teardown() {
	[ -n "${TMUX_SOCK:-}" ] && tmux -S "$TMUX_SOCK" kill-server 2>/dev/null
	return 0
}

@test "30 jobs writing megabytes to stdout and stderr in turns never mix" {
	# Each job writes 2 MB of "<NN>" to stdout and of "{NN}" to stderr.
	status=0
	timeout -k 5 300 "$FANOUT" -j 30 alternate {} 2000000 ::: $(seq -w 1 30) \
	    > stdout 2> stderr || status=$?
	expect_status 0
	run blockcheck 2000000 4 < stdout
	expect_status 0
	run sort <<<"$output"
	expect_output < <(for i in $(seq -w 1 30); do echo "<$i>"; done)
	run blockcheck 2000000 4 < stderr
	expect_status 0
	run sort <<<"$output"
	expect_output < <(for i in $(seq -w 1 30); do echo "{$i}"; done)
}

@test "-k keeps input order when later jobs finish first" {
	# Job 1 ends only once fanout has reaped job 3.
	cat > cmds <<-'EOF'
	waitgone -r three.pid && echo one
	echo two
	echo $$ > t.tmp && mv t.tmp three.pid && echo three
	EOF
	run --separate-stderr timeout -k 5 60 "$FANOUT" -k -j 3 < cmds
	expect_status 0
	expect_output <<-'EOF'
	one
	two
	three
	EOF
}

@test "without -k, output comes in completion order" {
	cat > cmds <<-'EOF'
	waitgone -r three.pid && echo one
	echo $$ > t.tmp && mv t.tmp three.pid && echo three
	EOF
	run --separate-stderr timeout -k 5 60 "$FANOUT" -j 2 < cmds
	expect_status 0
	expect_output <<-'EOF'
	three
	one
	EOF
}

@test "a job's stdout comes out whole, its stderr on stderr" {
	run --separate-stderr "$FANOUT" -k 'echo out {}; echo err {} >&2; echo out2 {}' ::: a b
	expect_status 0
	expect_output <<-'EOF'
	out a
	out2 a
	out b
	out2 b
	EOF
	[ "$stderr" = "err a
err b" ]
}

@test "--lb never cuts a line" {
	# Each line is written in three pieces, so halves are in flight.
	run --separate-stderr timeout -k 5 120 "$FANOUT" --lb -j 2 slowlines {} 300 ::: aaa bbb
	expect_status 0
	[ "${#lines[@]}" -eq 600 ]
	run grep -c -v -E '^(aaa|bbb) line [0-9]+ end$' <<<"$output"
	[ "$output" = 0 ]
}

@test "--lb keeps each job's lines in their order" {
	run --separate-stderr timeout -k 5 120 "$FANOUT" --lb -j 2 slowlines {} 100 ::: aaa bbb
	expect_status 0
	printf '%s\n' "$output" > got
	run grep '^aaa' got
	expect_output < <(slowlines aaa 100)
	run grep '^bbb' got
	expect_output < <(slowlines bbb 100)
}

@test "--lb passes lines on before the job ends" {
	start_fanout --lb 'echo started {}; waitfile go; echo finished {}' ::: 1
	wait_for grep -qx 'started 1' out
	touch go
	status=0
	wait "$FPID" || status=$?
	expect_status 0
	run cat out
	expect_output <<-'EOF'
	started 1
	finished 1
	EOF
}

@test "--lb: a giant line of each job stays whole" {
	status=0
	timeout -k 5 300 "$FANOUT" --lb -j 2 spew 30000000 {} line ::: a b > got || status=$?
	expect_status 0
	[ "$(wc -c < got)" -eq 60000000 ]
	run bash -c 'tr -s ab < got | sort'
	expect_output <<-'EOF'
	a
	b
	EOF
}

@test "-u: jobs write straight through, before they end" {
	start_fanout -u 'echo started {}; echo e{} >&2; waitfile go; echo finished {}' ::: 1
	wait_for grep -qx 'started 1' out
	wait_for grep -qx 'e1' err
	touch go
	status=0
	wait "$FPID" || status=$?
	expect_status 0
	run cat out
	expect_output <<-'EOF'
	started 1
	finished 1
	EOF
	run cat err
	expect_output <<-'EOF'
	e1
	EOF
}

@test "-u runs every job" {
	run --separate-stderr "$FANOUT" -u -j 3 echo ::: a b c d
	expect_status 0
	run sort <<<"$output"
	expect_output <<-'EOF'
	a
	b
	c
	d
	EOF
}

@test "--tag prefixes stdout and stderr lines with the arguments and a TAB" {
	run --separate-stderr "$FANOUT" -k --tag 'echo out {}; echo err {} >&2' ::: a b
	expect_status 0
	expect_output < <(printf 'a\tout a\nb\tout b\n')
	[ "$stderr" = "$(printf 'a\terr a\nb\terr b')" ]
}

@test "--tagstring '{}-x' prefixes with its own template" {
	run --separate-stderr "$FANOUT" -k --tagstring '{}-x' echo ::: a b
	expect_status 0
	expect_output < <(printf 'a-x\ta\nb-x\tb\n')
}

@test "--tag on output without a final newline" {
	run --separate-stderr "$FANOUT" -k --tag printf '%s' ::: a
	expect_status 0
	expect_output < <(printf 'a\ta')
}

@test "-v prints each command before its output" {
	run --separate-stderr "$FANOUT" -k -v echo ::: a b
	expect_status 0
	expect_output <<-'EOF'
	echo a
	a
	echo b
	b
	EOF
}

@test "a job closing stdout early: the rest of its stderr still arrives" {
	run --separate-stderr timeout -k 5 60 "$FANOUT" closeout ::: 1
	expect_status 0
	expect_output <<-'EOF'
	before close
	EOF
	[ "$stderr" = "$(for i in $(seq 10); do echo "stderr $i"; done)" ]
}

@test "4 jobs x 50 MB arrive byte for byte, each whole" {
	SPEW_BYTES=50000000
	status=0
	timeout -k 5 300 "$FANOUT" -j 4 spew "$SPEW_BYTES" {} ::: a b c d > got || status=$?
	expect_status 0
	[ "$(wc -c < got)" -eq 200000000 ]
	split -b "$SPEW_BYTES" got part.
	run bash -c 'md5sum < part.aa; md5sum < part.ab; md5sum < part.ac; md5sum < part.ad'
	run sort <<<"$output"
	expect_output < <(spew_sums a b c d)
}

@test "-k: 4 jobs x 50 MB arrive byte for byte in order" {
	run timeout -k 5 300 bash -c '"$0" -k -j 4 spew 50000000 {} ::: a b c d | md5sum' "$FANOUT"
	expect_status 0
	expect_output < <(for c in a b c d; do spew 50000000 "$c"; done | md5sum)
}

@test "memory stays bounded while 200 MB of output is held" {
	# Four jobs of 50 MB each run at once; all of it is held until
	# each job ends.  Max RSS in KB stays well under the output size.
	/usr/bin/time -f %M -o rss timeout -k 5 300 "$FANOUT" -j 4 spew 50000000 {} ::: a b c d > got
	[ "$(wc -c < got)" -eq 200000000 ]
	echo "max RSS: $(cat rss) KB" >&2
	rss_below rss 100000
}

@test "a single 120 MB line without newline arrives intact" {
	run timeout -k 5 300 bash -c '"$0" spew {} x raw ::: 120000000 | md5sum' "$FANOUT"
	expect_status 0
	expect_output < <(spew 120000000 x raw | md5sum)
}

@test "large output is spooled to unlinked files in TMPDIR" {
	start_fanout 'spew 50000000 x; touch written{}; waitfile go' ::: 1
	wait_for test -e written1
	# The job is still running and its output held: nothing in TMPDIR
	# has a name, but fanout holds a deleted file there.
	run ls -A "$TMPDIR"
	expect_output < /dev/null
	local fd held=0
	for fd in /proc/"$FPID"/fd/*; do
		case $(readlink "$fd") in
		"$TMPDIR"/*" (deleted)") held=1 ;;
		esac
	done
	touch go
	status=0
	wait "$FPID" || status=$?
	expect_status 0
	[ "$held" -eq 1 ]
	run md5sum < out
	expect_output < <(spew 50000000 x | md5sum)
	run ls -A "$TMPDIR"
	expect_output < /dev/null
}

@test "no file is left in TMPDIR after a run with large output" {
	run timeout -k 5 300 bash -c '"$0" -j 3 spew 20000000 {} ::: a b c | md5sum' "$FANOUT"
	expect_status 0
	run ls -A "$TMPDIR"
	expect_output < /dev/null
}

@test "binary bytes and NULs pass through" {
	run timeout -k 5 60 bash -c '"$0" spew {} - bin ::: 1000000 | md5sum' "$FANOUT"
	expect_status 0
	expect_output < <(spew 1000000 - bin | md5sum)
}

@test "binary bytes and NULs pass through with -k and --lb" {
	run timeout -k 5 60 bash -c '"$0" -k spew {} - bin ::: 300000 1000 | md5sum' "$FANOUT"
	expect_status 0
	expect_output < <( (spew 300000 - bin; spew 1000 - bin) | md5sum)
	run timeout -k 5 60 bash -c '"$0" --lb spew {} - bin ::: 300000 | md5sum' "$FANOUT"
	expect_status 0
	expect_output < <(spew 300000 - bin | md5sum)
}

# -------------------------------------------------- stdout on /dev/null
# Output bound for /dev/null is not captured: the jobs write there.

@test "stdout on /dev/null: jobs write to /dev/null themselves, not a pipe" {
	run bash -c '"$0" -k "readlink /proc/self/fd/5 5>&1 >fd1.{}" ::: a b > /dev/null' "$FANOUT"
	expect_status 0
	run cat fd1.a fd1.b
	expect_output <<-'EOF'
	/dev/null
	/dev/null
	EOF
	# anywhere else, the output is captured through a pipe
	run bash -c '"$0" -k "readlink /proc/self/fd/5 5>&1 >fd1.{}" ::: c > out' "$FANOUT"
	expect_status 0
	[[ $(cat fd1.c) == pipe:* ]]
}

@test "stdout on /dev/null: stderr is still collected whole and in order" {
	run bash -c '"$0" -k "echo out {}; echo err {} >&2; sleep 0.{}" ::: 3 1 2 2>&1 >/dev/null' "$FANOUT"
	expect_status 0
	expect_output <<-'EOF'
	err 3
	err 1
	err 2
	EOF
}

@test "stdout on /dev/null: a grandchild holding stderr is still stopped" {
	run --separate-stderr timeout -k 5 60 bash -c '"$0" grandchild {} ::: g.pid > /dev/null' "$FANOUT"
	[ "$status" -ne 124 ]
	expect_status 0
	waitgone g.pid
}

@test "stdout on /dev/null: --results still stores each job's stdout" {
	run bash -c '"$0" --results res echo {} ::: a b > /dev/null' "$FANOUT"
	expect_status 0
	run cat res/1/stdout res/2/stdout
	expect_output <<-'EOF'
	a
	b
	EOF
}

@test "-k: the first job prints as it goes, before it ends" {
	start_fanout -k -j 2 'echo {}; waitfile go; echo {} again' ::: 1 2
	wait_for grep -qx 1 out
	run cat out
	expect_output <<-'EOF'
	1
	EOF
	touch go
	wait_fanout
	expect_status 0
	expect_output <<-'EOF'
	1
	1 again
	2
	2 again
	EOF
}

@test "--results into a folder that cannot be made: one error, 255, no job run" {
	# GNU parallel stops at its first mkdir too.
	touch afile
	run --separate-stderr fanout --results afile/sub touch ran{} ::: 1 2 3
	expect_status 255
	[ "$stderr" = "fanout: cannot create 'afile/sub': Not a directory" ]
	run --separate-stderr fanout --results afile touch ran{} ::: 1 2 3
	expect_status 255
	[ "$stderr" = "fanout: --results 'afile' is not a folder" ]
	[ ! -e ran1 ] && [ ! -e ran2 ] && [ ! -e ran3 ]
}

@test "--results: a cmd or exitval file that cannot be written is an error (255)" {
	# The job's own files are written; its cmd cannot be (a folder is
	# in the way): fanout says so and the run fails, as for stdout.
	mkdir -p r/1/cmd
	run --separate-stderr fanout --results r echo {} ::: a
	expect_status 255
	[ "$output" = a ]
	[ "$stderr" = "fanout: cannot create 'r/1/cmd': Is a directory" ]
	[ "$(cat r/1/stdout)" = a ]
}

@test "--results creates the folders above the results folder" {
	run fanout --results a/b/c echo {} ::: x
	expect_status 0
	[ "$(cat a/b/c/1/stdout)" = x ]
}

@test "--results NAME.json, .csv, .tsv is refused, pointing at --json" {
	# GNU parallel 20221122 writes one JSON/CSV/TSV table for such a
	# name; fanout refuses rather than make a folder of that name.
	for name in out.json out.CSV out.tsv; do
		run --separate-stderr fanout --results "$name" touch ran ::: 1
		expect_status 255
		[[ "$stderr" == "fanout: --results '$name': results in one "*" file are not supported (use --json)" ]]
		[ ! -e "$name" ] && [ ! -e ran ]
	done
}

@test "--bar in a terminal: output goes above the bar, which fits the width" {
	# Each job waits until the bar is on the screen, so that before the
	# fix its output would land on the bar's line.
	tmux_start 30 "$FANOUT --bar -j1 -k 'waitfile go{}; echo line{}; echo err{} >&2' ::: 1 2 3"
	wait_for eval 'screen | grep -q "0/3 done"'
	touch go1
	wait_for eval 'screen | grep -q "1/3 done"'
	touch go2 go3
	wait_for test -e finished
	run screen
	expect_output <<-'EOF'
	line1
	err1
	line2
	err2
	line3
	err3
	100% [#############] 3/3 done
	EOF
}

@test "--progress --eta in a narrow terminal: the line is cut, never wrapped" {
	tmux_start 15 "$FANOUT --bar --progress --eta -j1 'waitfile go{}; echo l{}' ::: 1 2"
	wait_for eval 'screen | grep -q "^  0% 0/2 done,"'
	touch go1 go2
	wait_for test -e finished
	run screen
	expect_output <<-'EOF'
	l1
	l2
	100% 2/2 done,
	EOF
}

@test "--bar in a terminal never draws over a line a job left unfinished" {
	tmux_start 30 "$FANOUT --bar -j1 -k 'waitfile go{}; printf x{}' ::: 1 2"
	wait_for eval 'screen | grep -q "0/2 done"'
	touch go1
	wait_for eval 'screen | grep -q "^x1"'
	touch go2
	wait_for test -e finished
	run screen
	expect_output <<-'EOF'
	x1x2
	100% [#############] 2/2 done
	EOF
}

@test "--bar in a terminal: fanout's own notices go above the bar too" {
	tmux_start 80 "$FANOUT --bar --halt now,fail=1 'waitfile go; exit 3' ::: 1"
	wait_for eval 'screen | grep -q "0/1 done"'
	touch go
	wait_for test -e finished
	run screen
	expect_output <<-'EOF'
	fanout: warning: halting after this job failed: waitfile go; exit 3 1
	100% [##############################] 1/1 done
	EOF
}
