#!/usr/bin/env bats
# Job records: --joblog (and +FILE), --resume, --resume-failed,
# --retry-failed, joblogs shared with GNU parallel, --results, --json,
# --bar/--progress/--eta, --memfree, and how the joblog goes with -k,
# --retries, --halt and SIGINT.  Every expectation was checked against GNU
# parallel 20221122 where it has the option; where SPEC differs, a comment
# says so.  Jobs are ordered by waiting on files (waitfile, waitline), never
# by sleeping; timeouts are hang guards only.

bats_require_minimum_version 1.5.0
load helpers/common

HEADER=$'Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tCommand'

# has_lines FILE N: FILE exists and has exactly N lines.
has_lines() {
	[ -f "$1" ] && [ "$(wc -l < "$1")" -eq "$2" ]
}

# has_more_lines FILE N: FILE has more than N lines.
has_more_lines() {
	[ -f "$1" ] && [ "$(wc -l < "$1")" -gt "$2" ]
}

# check_joblog FILE: the first line is the header, every other line has
# nine tab-separated fields and the file ends in a newline (no cut line).
check_joblog() {
	local first bad
	[ -s "$1" ]
	IFS= read -r first < "$1"
	if [ "$first" != "$HEADER" ]; then
		printf 'bad joblog header: %q\n' "$first" >&2
		return 1
	fi
	bad=$(awk -F '\t' 'NR > 1 && NF != 9 { print NR ": " $0 }' "$1")
	if [ -n "$bad" ]; then
		printf 'joblog lines without 9 fields:\n%s\n' "$bad" >&2
		return 1
	fi
	[ -z "$(tail -c 1 "$1")" ]
}

# joblog_cols FILE COLS: the data lines' columns COLS (cut -f), by Seq.
joblog_cols() {
	tail -n +2 "$1" | cut -f "$2" | sort -n
}

# seqs FILE: the Seq of each data line of joblog FILE, in file order, on
# one line.
seqs() {
	tail -n +2 "$1" | cut -f 1 | paste -sd ' '
}

# need_gnu: skip the test when GNU parallel is not installed.
need_gnu() {
	command -v parallel > /dev/null || skip "GNU parallel is not installed"
}

# gnu ARG...: GNU parallel with the same shell as fanout and no user
# settings.
gnu() {
	mkdir -p "$BATS_TEST_TMPDIR/home/.parallel"
	touch "$BATS_TEST_TMPDIR/home/.parallel/will-cite"
	env -u PARALLEL PARALLEL_SHELL=/bin/sh HOME="$BATS_TEST_TMPDIR/home" \
	    timeout -k 5 60 parallel "$@"
}

# ---------------------------------------------------------------- joblog

@test "--joblog: GNU's header, then one line of nine fields per job" {
	local before after
	before=$(date +%s)
	run --separate-stderr timeout -k 5 60 "$FANOUT" -j 2 --joblog j.log \
	    'spew {1} && exit {2}' ::: 0 150 3000000 :::+ 0 3 0
	after=$(date +%s)
	expect_status 1
	check_joblog j.log
	# Seq, Host, Send, Receive (bytes of stdout), Exitval, Signal, Command.
	run joblog_cols j.log 1,2,5-9
	expect_output <<-EOF
	1	:	0	0	0	0	spew 0 && exit 0
	2	:	0	150	3	0	spew 150 && exit 3
	3	:	0	3000000	0	0	spew 3000000 && exit 0
	EOF
	# Starttime: seconds since the epoch with milliseconds, during the
	# run; JobRuntime: seconds with milliseconds (GNU pads it to 10).
	local seq host start rt rest
	while IFS=$'\t' read -r seq host start rt rest; do
		[[ $start =~ ^[0-9]+\.[0-9]{3}$ ]]
		[ "${start%.*}" -ge "$before" ] && [ "${start%.*}" -le "$after" ]
		[[ $rt =~ ^\ *[0-9]+\.[0-9]{3}$ ]]
	done < <(tail -n +2 j.log)
}

@test "--joblog: Receive counts the bytes of stdout also when it is /dev/null" {
	# Not under `run`, which would give fanout a pipe as stdout.
	"$FANOUT" -k --joblog j.log 'head -c {} /dev/zero' ::: 1000 70000 \
	    > /dev/null
	run joblog_cols j.log 1,6
	expect_output <<-EOF
	1	1000
	2	70000
	EOF
}

@test "--joblog: a job killed by a signal has Exitval 0 and the signal's number" {
	# killself runs directly (no shell that would turn the signal into
	# exit 128+N).  GNU: "0 9" and "0 15" too.
	run --separate-stderr timeout -k 5 60 "$FANOUT" --joblog j.log \
	    killself ::: KILL TERM
	expect_status 2
	check_joblog j.log
	run joblog_cols j.log 1,6-9
	expect_output <<-EOF
	1	6	0	9	killself KILL
	2	6	0	15	killself TERM
	EOF
}

@test "--joblog: a timed-out job has Exitval -1 and Signal 15, as GNU" {
	# "waitfile ." ends at once; "waitfile never" runs into the timeout.
	run --separate-stderr timeout -k 5 60 "$FANOUT" --joblog j.log \
	    --timeout 0.5 waitfile ::: never .
	expect_status 1
	check_joblog j.log
	run joblog_cols j.log 1,7-9
	expect_output <<-EOF
	1	-1	15	waitfile never
	2	0	0	waitfile .
	EOF
}

@test "--joblog +FILE appends to the joblog; the header stays once" {
	run "$FANOUT" -j 1 --joblog j.log echo ::: a b
	expect_status 0
	run "$FANOUT" -j 1 --joblog +j.log echo ::: c
	expect_status 0
	run "$FANOUT" -j 1 --joblog +j.log echo ::: d e
	expect_status 0
	check_joblog j.log
	run grep -c '^Seq' j.log
	expect_output <<<1
	run seqs j.log
	expect_output <<<'1 2 1 1 2'
	run cut -f 9 j.log
	expect_output <<-EOF
	Command
	echo a
	echo b
	echo c
	echo d
	echo e
	EOF
	# Without +, the file starts over.
	run "$FANOUT" --joblog j.log echo ::: f
	expect_status 0
	check_joblog j.log
	run cut -f 9 j.log
	expect_output <<-EOF
	Command
	echo f
	EOF
}

@test "--joblog +FILE on a new file: the header at most once, then the jobs" {
	# GNU writes no header at all when it appends to a new file; SPEC is
	# silent, so a header or none is fine, but never two.
	run "$FANOUT" --joblog +new.log echo ::: a
	expect_status 0
	run "$FANOUT" --joblog +new.log echo ::: b
	expect_status 0
	run grep -vc '^Seq' new.log
	expect_output <<<2
	run grep -c '^Seq' new.log
	[ "$output" -le 1 ]
	if [ "$output" -eq 1 ]; then
		check_joblog new.log
	fi
	run bash -c "grep -v '^Seq' new.log | cut -f 9"
	expect_output <<-EOF
	echo a
	echo b
	EOF
}

@test "--joblog lines are whole after kill -9 of fanout mid-run" {
	# Many quick jobs with long command lines; fanout dies while it is
	# writing lines as fast as it can.  Three rounds.
	local round pad
	pad=$(printf '%0500d' 0)
	seq 200000 > nums
	for round in 1 2 3; do
		rm -f j.log
		IN=nums start_fanout -j 4 --joblog j.log echo "$pad"
		wait_for has_more_lines j.log 300
		kill -9 "$FPID"
		wait_fanout
		expect_status 137
		check_joblog j.log
		run bash -c "tail -n +2 j.log | cut -f 1 | sort | uniq -d"
		expect_output < /dev/null
	done
}

# ---------------------------------------------------------------- resume

# JOB: 20 jobs, each appends its number to "ran" when it starts and to
# "done" when it ends.  Jobs 11 and up wait for the file "go" in between.
JOB='echo {} >> ran; [ {} -le 10 ] || waitfile go; echo {} >> done'

# interrupted_run: run JOB -j 2 and send SIGINT while jobs 1-10 have
# finished and 11 and 12 are waiting for "go".
interrupted_run() {
	start_fanout -j 2 --joblog j.log "$JOB" ::: $(seq 20)
	wait_for has_lines ran 12
	wait_for has_lines j.log 11
	kill -INT "$FPID"
	wait_fanout
	expect_status 130
}

@test "SIGINT: the joblog holds whole lines of the finished jobs only" {
	interrupted_run
	check_joblog j.log
	run joblog_cols j.log 1
	expect_output < <(seq 10)
	run sort -n done
	expect_output < <(seq 10)
}

@test "--resume after a SIGINT: every job runs to completion once overall" {
	interrupted_run
	touch go
	run --separate-stderr timeout -k 5 60 "$FANOUT" -j 2 --joblog j.log \
	    --resume "$JOB" ::: $(seq 20)
	expect_status 0
	# Every job completed exactly once ...
	run sort -n done
	expect_output < <(seq 20)
	# ... no finished job started again; 11 and 12, cut short by the
	# SIGINT and so not in the joblog, started twice (GNU: the same).
	run sort -n ran
	expect_output < <({ seq 20; echo 11; echo 12; } | sort -n)
	check_joblog j.log
	run joblog_cols j.log 1
	expect_output < <(seq 20)
}

@test "--resume without the joblog file runs every job" {
	run "$FANOUT" -k --joblog j.log --resume echo ::: a b
	expect_status 0
	expect_output <<-EOF
	a
	b
	EOF
	check_joblog j.log
}

@test "--resume, --resume-failed and --retry-failed need --joblog" {
	# GNU: the same for the first two; --retry-failed without a joblog
	# runs the command line as if it were not given (a wart).
	local opt
	for opt in --resume --resume-failed --retry-failed; do
		run --separate-stderr "$FANOUT" "$opt" 'touch ran' ::: x
		expect_status 255
		[ -z "$output" ]
		[ "${#stderr_lines[@]}" -eq 1 ]
		[[ $stderr == "fanout: "* ]]
		[ ! -e ran ]
	done
}

# joblog_stdout TOOL ARG...: TOOL -k --joblog - ARG... with the times
# (columns 3 and 4 of the joblog lines) cut out.
joblog_stdout() {
	local tool=$1
	shift
	"$tool" -k --joblog - "$@" | cut -f 1,2,5-
}

@test "--joblog -: the joblog goes to stdout, each line after its job's output (GNU)" {
	run --separate-stderr joblog_stdout "$FANOUT" --results res \
	    'echo out{}; exit {}' ::: 0 3
	expect_status 0
	expect_output <<-EOF
	Seq	Host	Send	Receive	Exitval	Signal	Command
	out0
	1	:	0	5	0	0	echo out0; exit 0
	out3
	2	:	0	5	3	0	echo out3; exit 3
	EOF
	[ ! -e ./- ]
	# --results keeps the job's own output only.
	[ "$(cat res/2/stdout)" = out3 ]
	need_gnu
	local ours=$output
	run --separate-stderr joblog_stdout gnu 'echo out{}; exit {}' ::: 0 3
	expect_output <<<"$ours"
}

# ---------------------------------------------------------------- damaged joblogs

# jline SEQ EXIT CMD: a joblog line as fanout and GNU parallel write it.
jline() {
	printf '%s\t:\t1795855078.797\t     0.006\t0\t2\t%s\t0\t%s\n' "$1" "$2" "$3"
}

# torn_joblog: a joblog whose last line, job 2's, was cut short.
torn_joblog() {
	echo "$HEADER"
	jline 1 0 'echo a'
	printf '2\t:\t1795855078.797\t     0.0'
}

@test "--resume: huge Seq values cost no memory (GNU parallel: a bitmap as large)" {
	{
		echo "$HEADER"
		jline 100000000000 0 'echo x'
		jline 18446744073709551615 0 'echo y'
		jline 2 0 'echo b'
	} > j.log
	# 256 MB of address space: a bitmap up to those Seqs would not fit.
	# (Not in a sanitizer build, whose shadow memory needs terabytes.)
	local limit='ulimit -v 262144;'
	[ -n "${FANOUT_SANITIZE:-}" ] && limit=
	run --separate-stderr bash -c "$limit"' exec "$@"' _ \
	    "$FANOUT" -k --joblog j.log --resume echo ::: a b c
	expect_status 0
	expect_output <<-EOF
	a
	c
	EOF
	[ -z "$stderr" ]
}

@test "--resume, --retry-failed: a line that is not a joblog line is an error naming it" {
	local bad opt
	for bad in "$(jline -1 0 'echo x')" "$(jline 0 0 'echo x')" \
	    "$(jline 99999999999999999999999 0 'echo x')" \
	    "$(printf '3\t:\tsoon\t1\t0\t0\t0\t0\techo x')" \
	    "$(printf '3\t:\t1.0\t1\t0\t0\t0')" 'not a joblog' ''; do
		{
			echo "$HEADER"
			jline 1 0 'echo a'
			printf '%s\n' "$bad"
			jline 2 1 'echo b'
		} > j.log
		for opt in --resume --resume-failed --retry-failed; do
			run --separate-stderr "$FANOUT" --joblog j.log $opt \
			    'touch ran' ::: x
			expect_status 255
			[ "$stderr" = "fanout: j.log:3: not a joblog line (Seq, Host, Starttime, JobRuntime, Send, Receive, Exitval, Signal, Command)" ]
			[ ! -e ran ]
		done
	done
}

@test "--resume: a last line cut short is ignored with a warning and its job runs" {
	torn_joblog > j.log
	run --separate-stderr "$FANOUT" -k --joblog j.log --resume echo ::: a b c
	expect_status 0
	expect_output <<-EOF
	b
	c
	EOF
	[ "${stderr_lines[0]}" = "fanout: warning: j.log:3: the last line is cut short (no newline): ignored" ]
	# The cut line was dropped before the new lines were added.
	check_joblog j.log
	run joblog_cols j.log 1,9
	expect_output <<-EOF
	1	echo a
	2	echo b
	3	echo c
	EOF
}

@test "--joblog +FILE: a file not ending in a newline gets no line glued on" {
	torn_joblog > j.log
	run --separate-stderr "$FANOUT" --joblog +j.log echo ::: x
	expect_status 0
	[ "$stderr" = "fanout: warning: 'j.log': its last line was cut short (no newline): dropped" ]
	check_joblog j.log
	run joblog_cols j.log 1,9
	expect_output <<-EOF
	1	echo a
	1	echo x
	EOF
	# A file of only a cut header: it is dropped, the header written anew.
	printf 'Seq\tHost' > j2.log
	run --separate-stderr "$FANOUT" --joblog +j2.log echo ::: x
	expect_status 0
	check_joblog j2.log
	[ "$(wc -l < j2.log)" -eq 2 ]
}

@test "--joblog on a disk that fills: exit 255, whole lines only, --resume runs the rest once" {
	local small=$BATS_TEST_TMPDIR/small pad i
	mkdir -p "$small"
	mount -t tmpfs -o size=64k tmpfs "$small" 2>/dev/null ||
	    skip "cannot mount a tmpfs here (needs root)"
	# The joblog's first page holds the header and four 950-byte lines;
	# then the rest of the disk is taken.
	echo "$HEADER" > "$small/j.log"
	head -c 1M /dev/zero > "$small/fill" 2>/dev/null || true
	pad=$(printf '%0900d' 0)
	for i in $(seq 10); do echo "$i-$pad"; done > items
	run --separate-stderr "$FANOUT" -j 1 --joblog "+$small/j.log" \
	    "echo {} | cut -d- -f1 >> ran" :::: items
	status_full=$status
	stderr_full=$stderr
	cp "$small/j.log" j.log
	rm "$small/fill"
	run --separate-stderr "$FANOUT" -j 1 --joblog "$small/j.log" --resume \
	    "echo {} | cut -d- -f1 >> ran" :::: items
	status_resume=$status
	cp "$small/j.log" j2.log
	umount "$small"
	[ "$status_full" -eq 255 ]
	[[ $stderr_full == *"fanout: cannot write joblog '$small/j.log': No space left on device"* ]]
	check_joblog j.log
	run joblog_cols j.log 1
	expect_output < <(seq 4)
	[ "$status_resume" -eq 0 ]
	check_joblog j2.log
	run joblog_cols j2.log 1
	expect_output < <(seq 10)
	# Jobs 1-5 ran in the first run (5 not logged), 5-10 in the second.
	run cat ran
	expect_output < <(seq 5; seq 5 10)
}

# FJOB: appends its item to "ran"; fails while the file fail<item> exists.
FJOB='echo {} >> ran; [ ! -e fail{} ]'

@test "--resume-failed re-runs the failed jobs, skips the succeeded, runs the new" {
	touch fail3 fail5
	run "$FANOUT" --joblog j.log "$FJOB" ::: 1 2 3 4 5 6
	expect_status 2
	rm fail3
	: > ran
	run "$FANOUT" --joblog j.log --resume-failed "$FJOB" ::: 1 2 3 4 5 6 7
	expect_status 1
	run sort -n ran
	expect_output <<-EOF
	3
	5
	7
	EOF
	# The joblog has the new runs added (GNU: the same).
	check_joblog j.log
	run bash -c "sed -n 2,7p j.log | cut -f 1,7 | sort -n"
	expect_output <<-EOF
	1	0
	2	0
	3	1
	4	0
	5	1
	6	0
	EOF
	run bash -c "tail -n +8 j.log | cut -f 1,7 | sort -n"
	expect_output <<-EOF
	3	0
	5	1
	7	0
	EOF
}

@test "--retry-failed runs the joblog's last failed commands and reads no input" {
	touch fail2 fail3
	run "$FANOUT" --joblog j.log 'echo {} >> ran; [ ! -e fail{#} ]' \
	    ::: a 'b c' "it's \$HOME"
	expect_status 2
	rm fail3
	: > ran
	# Commands on stdin would be run if fanout read its input.
	run bash -c 'echo "touch from-stdin" | "$0" --joblog j.log --retry-failed' "$FANOUT"
	expect_status 1
	[ ! -e from-stdin ]
	run sort ran
	expect_output <<-'EOF'
	b c
	it's $HOME
	EOF
	# Now only job 2 has failed last; the command line is ignored (GNU).
	: > ran
	run "$FANOUT" --joblog j.log --retry-failed touch from-cmdline ::: x
	expect_status 1
	[ ! -e from-cmdline ]
	[ ! -e x ]
	run cat ran
	expect_output <<<'b c'
}

# NLJOB: a command with a newline in it; it fails while fail{} exists.
NLJOB=$'echo {} >> ran\ntest ! -e fail{}'

# retry_newline FIRST SECOND: FIRST logs NLJOB failing, SECOND retries it
# from the joblog: the command must come back exact, newline and all (a
# space instead would make `echo` print the rest and succeed).
retry_newline() {
	touch fail1
	run --separate-stderr "$1" --joblog j.log "$NLJOB" ::: 1
	expect_status 1
	rm fail1
	: > ran
	run --separate-stderr "$2" --joblog j.log --retry-failed
	expect_status 0
	run cat ran
	expect_output <<<'1'
}

@test "--retry-failed reruns a command holding a newline exactly" {
	retry_newline "$FANOUT" "$FANOUT"
	# GNU parallel's escape: the newline is a NUL byte in the joblog.
	run bash -c "tail -n +2 j.log | head -n 1 | cut -f 9 | tr '\\0' @"
	expect_output <<<'echo 1 >> ran@test ! -e fail1'
}

@test "a command holding a newline: GNU parallel retries fanout's joblog, and the reverse" {
	need_gnu
	retry_newline "$FANOUT" gnu
	rm j.log
	retry_newline gnu "$FANOUT"
}

# ---------------------------------------------------------------- interop

# HJOB: job 4 fails while the file fail4 exists.
HJOB='echo {} >> ran; [ ! -e fail{} ]'

# interop FIRST SECOND: FIRST writes a joblog of jobs 1-4 (job 4 failed,
# --halt stopped the run); SECOND honours it with --resume (runs 5-8) and
# with --resume-failed (runs 4-8).  The same command line on both sides.
interop() {
	local first=$1 second=$2
	touch fail4
	run --separate-stderr "$first" --joblog j.log -j 1 --halt now,fail=1 \
	    "$HJOB" ::: $(seq 8)
	expect_status 1
	rm fail4
	check_joblog j.log
	run joblog_cols j.log 1,7
	expect_output <<-EOF
	1	0
	2	0
	3	0
	4	1
	EOF
	cp j.log j2.log
	: > ran
	run --separate-stderr "$second" --joblog j.log -j 1 --resume \
	    "$HJOB" ::: $(seq 8)
	expect_status 0
	run cat ran
	expect_output < <(seq 5 8)
	run joblog_cols j.log 1
	expect_output < <(seq 8)
	: > ran
	run --separate-stderr "$second" --joblog j2.log -j 1 --resume-failed \
	    "$HJOB" ::: $(seq 8)
	expect_status 0
	run cat ran
	expect_output < <(seq 4 8)
}

@test "a joblog written by fanout is honoured by GNU parallel --resume" {
	need_gnu
	interop "$FANOUT" gnu
}

@test "a joblog written by GNU parallel is honoured by fanout --resume" {
	need_gnu
	interop gnu "$FANOUT"
}

# ---------------------------------------------------------------- results

@test "--results DIR: DIR/<seq>/ holds cmd, stdout, stderr and exitval" {
	# SPEC's layout; GNU's is DIR/1/<arg>/{seq,stdout,stderr}.
	run --separate-stderr "$FANOUT" --results res \
	    'printf "out %s\n" {1}; printf "err %s" {1} >&2; exit {2}' \
	    ::: x 'y z' :::+ 0 3
	expect_status 1
	# The output is still printed.
	run sort <<<"$output"
	expect_output <<-EOF
	out x
	out y z
	EOF
	run find res -type f
	run sort <<<"$output"
	expect_output <<-EOF
	res/1/cmd
	res/1/exitval
	res/1/stderr
	res/1/stdout
	res/2/cmd
	res/2/exitval
	res/2/stderr
	res/2/stdout
	EOF
	run cat res/1/cmd
	expect_output <<-'EOF'
	printf "out %s\n" x; printf "err %s" x >&2; exit 0
	EOF
	run cat res/2/cmd
	expect_output <<-'EOF'
	printf "out %s\n" 'y z'; printf "err %s" 'y z' >&2; exit 3
	EOF
	printf 'out x\n' | cmp - res/1/stdout
	printf 'err x' | cmp - res/1/stderr
	printf '0\n' | cmp - res/1/exitval
	printf 'out y z\n' | cmp - res/2/stdout
	printf 'err y z' | cmp - res/2/stderr
	printf '3\n' | cmp - res/2/exitval
}

@test "--results with -k: the output of a job that streamed live is stored too" {
	# Job 2 is running when job 1 ends, so it becomes the oldest
	# unfinished job, whose output -k may pass on live.
	run --separate-stderr timeout -k 5 60 "$FANOUT" -k -j 2 --results res \
	    --joblog j.log \
	    'echo {} start; echo e{} >&2; if [ {} = 2 ]; then waitline j.log "^1\t" || exit 9; fi; echo {} end' \
	    ::: 1 2
	expect_status 0
	expect_output <<-EOF
	1 start
	1 end
	2 start
	2 end
	EOF
	# The joblog counts job 2's bytes (14 each).
	run joblog_cols j.log 1,6
	expect_output <<-EOF
	1	14
	2	14
	EOF
	printf '1 start\n1 end\n' | cmp - res/1/stdout
	printf 'e1\n' | cmp - res/1/stderr
	printf '2 start\n2 end\n' | cmp - res/2/stdout
	printf 'e2\n' | cmp - res/2/stderr
}

@test "--results: binary and large output is stored byte for byte" {
	"$FANOUT" --results res 'spew {1} x {2}' ::: 3000000 5000 :::+ lines bin \
	    > /dev/null
	spew 3000000 x lines | cmp - res/1/stdout
	spew 5000 x bin | cmp - res/2/stdout
	[ ! -s res/1/stderr ]
	printf '0\n' | cmp - res/2/exitval
}

# ---------------------------------------------------------------- json

# json_check FILE: every line of FILE is one JSON object that jq parses,
# and FILE is valid UTF-8 (JSON text must be; jq would let bad bytes by).
json_check() {
	local n
	n=$(wc -l < "$1")
	[ "$n" -gt 0 ]
	if command -v iconv > /dev/null; then
		iconv -f UTF-8 -t UTF-8 "$1" > /dev/null
	fi
	run jq -c 'if type == "object" then "ok" else error("not an object") end' "$1"
	expect_status 0
	[ "${#lines[@]}" -eq "$n" ]
}

# json_bytes FILE SEQ STREAM OUT: write the bytes of STREAM (stdout or
# stderr) of job SEQ, from STREAM or STREAM_base64, to OUT; print which
# form it was ("text" or "base64").  Exactly one of them must be there.
json_bytes() {
	local file=$1 seq=$2 s=$3 out=$4
	jq -c --argjson n "$seq" 'select(.seq == $n)' "$file" > rec
	[ "$(wc -l < rec)" -eq 1 ]
	if jq -e --arg s "$s" 'has($s) and (has($s + "_base64") | not) and (.[$s] | type == "string")' rec > /dev/null; then
		jq -j --arg s "$s" '.[$s]' rec > "$out"
		echo text
	elif jq -e --arg s "$s" 'has($s + "_base64") and (has($s) | not)' rec > /dev/null; then
		jq -r --arg s "$s" '.[$s + "_base64"]' rec | base64 -d > "$out"
		echo base64
	else
		echo "job $seq: neither $s nor ${s}_base64, or both" >&2
		return 1
	fi
}

@test "--json: one object per job with seq, host, args, cmd, start, runtime, exitval, signal" {
	local before after
	before=$(date +%s)
	run --separate-stderr timeout -k 5 60 "$FANOUT" --json \
	    'printf "o %s\n" {1}; printf "e %s" {2} >&2; exit {2}' ::: a 'b c' :::+ 0 3
	after=$(date +%s)
	expect_status 1
	echo "$output" > out
	json_check out
	run jq -c '[.seq, .host, .args, .cmd, .exitval, .signal, .stdout, .stderr]' out
	run sort <<<"$output"
	expect_output <<-'EOF'
	[1,":",["a","0"],"printf \"o %s\\n\" a; printf \"e %s\" 0 >&2; exit 0",0,0,"o a\n","e 0"]
	[2,":",["b c","3"],"printf \"o %s\\n\" 'b c'; printf \"e %s\" 3 >&2; exit 3",3,0,"o b c\n","e 3"]
	EOF
	# start: seconds since the epoch, during the run; runtime: seconds.
	run jq -r --argjson b "$before" --argjson a "$after" \
	    '(.start | type == "number" and floor >= $b and floor <= $a) and
	     (.runtime | type == "number" and . >= 0)' out
	expect_output <<-EOF
	true
	true
	EOF
}

@test "--json: killed and timed-out jobs have exitval and signal as the joblog" {
	run --separate-stderr timeout -k 5 60 "$FANOUT" -k --json --joblog j.log \
	    --timeout 1 'case {} in T) exec waitfile never;; *) exec killself {};; esac' \
	    ::: KILL TERM T
	expect_status 3
	echo "$output" > out
	json_check out
	run jq -c '[.seq, .exitval, .signal]' out
	expect_output <<-EOF
	[1,0,9]
	[2,0,15]
	[3,-1,15]
	EOF
	run joblog_cols j.log 1,7,8
	expect_output <<-EOF
	1	0	9
	2	0	15
	3	-1	15
	EOF
}

@test "--json: any bytes a job prints come back exact, as text when UTF-8 and base64 otherwise" {
	local i n form want
	# name, form expected, bytes (printf format)
	local cases=(
		text 'plain ASCII line\n'
		text 'NULs\0in\0the\0middle\0'
		text 'quotes " and \x27 and backslashes \\ \\\\ \\n \\u0000'
		text 'newlines\n\nCR\r tab\t controls \x01\x02\x1b[0m\x1f DEL \x7f'
		text 'caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xef\xbf\xbf \xf4\x8f\xbf\xbf'
		text ''
		base64 '\xff\xfe'
		base64 'surrogate \xed\xa0\x80'
		base64 'overlong \xc0\xaf \xe0\x80\xaf'
		base64 'above U+10FFFF \xf4\x90\x80\x80'
		base64 'cut short at the end \xe2\x82'
		base64 'lone continuation \x80 byte'
		base64 'valid \xc3\xa9 then \xfe'
	)
	n=0
	for ((i = 0; i < ${#cases[@]}; i += 2)); do
		n=$((n + 1))
		printf "${cases[i + 1]}" > "in$n"
		echo "${cases[i]}" > "form$n"
	done
	# Binary garbage (made surely invalid UTF-8 by a leading 0xff).
	n=$((n + 1))
	{ printf '\xff'; head -c 5000 /dev/urandom; } > "in$n"
	echo base64 > "form$n"
	status=0
	timeout -k 5 60 "$FANOUT" --json 'cat in{}; cat in{} >&2' ::: $(seq "$n") \
	    > out 2> err || status=$?
	expect_status 0
	[ ! -s err ]
	json_check out
	for ((i = 1; i <= n; i++)); do
		want=$(cat "form$i")
		form=$(json_bytes out "$i" stdout got)
		if [ "$form" != "$want" ] || ! cmp got "in$i"; then
			echo "job $i stdout: $form, wanted $want" >&2
			od -c got | head >&2
			return 1
		fi
		form=$(json_bytes out "$i" stderr got)
		if [ "$form" != "$want" ] || ! cmp got "in$i"; then
			echo "job $i stderr: $form, wanted $want" >&2
			return 1
		fi
	done
}

@test "--json: args and cmd that are not UTF-8 come back exact, in args_base64 and cmd_base64" {
	# \xff and \xc3\xbf (UTF-8 for ÿ) must not both come out as "ÿ".
	run --separate-stderr "$FANOUT" -k --json echo ::: $'\xff' $'\xc3\xbf'
	expect_status 0
	echo "$output" > out
	json_check out
	run jq -c '[has("args"), has("args_base64"), has("cmd"), has("cmd_base64")]' out
	expect_output <<-EOF
	[false,true,false,true]
	[true,false,true,false]
	EOF
	jq -r 'select(.seq == 1) | .args_base64[0]' out | base64 -d > got
	printf '\xff' | cmp - got
	jq -r 'select(.seq == 1) | .cmd_base64' out | base64 -d > got
	printf "echo '\xff'" | cmp - got
	run jq -j 'select(.seq == 2) | .args[0], " ", .cmd' out
	expect_output <<<$'\xc3\xbf echo \'\xc3\xbf\''
}

@test "--json -v: the command is in \"cmd\" only, not printed into \"stdout\"" {
	run --separate-stderr "$FANOUT" -v --json echo ::: a
	expect_status 0
	run jq -c '[.cmd, .stdout]' <<<"$output"
	expect_output <<<'["echo a","a\n"]'
}

# ORDER: job 1 ends only after fanout has logged job 2 as finished, so the
# jobs finish in the order 2, 1.
ORDER='if [ {} = 1 ]; then waitline j.log "^2\t" || exit 9; fi; echo job {}'

@test "--json without -k: objects in completion order" {
	run --separate-stderr timeout -k 5 60 "$FANOUT" -j 2 --json --joblog j.log \
	    "$ORDER" ::: 1 2
	expect_status 0
	run jq -c '[.seq, .stdout]' <<<"$output"
	expect_output <<-'EOF'
	[2,"job 2\n"]
	[1,"job 1\n"]
	EOF
}

@test "--json -k: objects in input order" {
	run --separate-stderr timeout -k 5 60 "$FANOUT" -j 2 -k --json --joblog j.log \
	    "$ORDER" ::: 1 2
	expect_status 0
	run jq -c '[.seq, .stdout]' <<<"$output"
	expect_output <<-'EOF'
	[1,"job 1\n"]
	[2,"job 2\n"]
	EOF
}

@test "--json: 5 MB of output per job, text and binary, passes whole" {
	timeout -k 5 120 "$FANOUT" -j 2 --json 'spew 5000000 {1} {2}; spew 5000000 {1} {2} >&2' \
	    ::: x y :::+ lines bin > out
	json_check out
	spew 5000000 x lines > want1
	spew 5000000 y bin > want2
	run json_bytes out 1 stdout got
	expect_output <<<text
	cmp got want1
	run json_bytes out 1 stderr got
	expect_output <<<text
	cmp got want1
	run json_bytes out 2 stdout got
	expect_output <<<base64
	cmp got want2
	run json_bytes out 2 stderr got
	expect_output <<<base64
	cmp got want2
}

@test "--json with --retries: one object per job, the last run's" {
	# failtimes c N prints "run K" and "err K" and fails the first N runs.
	run --separate-stderr timeout -k 5 60 "$FANOUT" -k --json --retries 3 \
	    'failtimes c{} {}' ::: 0 2 5
	expect_status 1
	echo "$output" > out
	json_check out
	run jq -c '[.seq, .exitval, .stdout, .stderr]' out
	expect_output <<-'EOF'
	[1,0,"run 1\n","err 1\n"]
	[2,0,"run 3\n","err 3\n"]
	[3,1,"run 3\n","err 3\n"]
	EOF
}

# ---------------------------------------------------------------- progress

# PJOB: some output of various sizes, one failing job.
PJOB='spew {} x; [ {} -ne 77 ]'
PARGS=(0 100 77 5000 123456 13)

# progress_plain OPT: with stderr not a terminal, stdout and the status
# are those of a run without OPT, and stderr is one plain summary line.
# GNU draws the progress on stderr even when it is no terminal; SPEC says
# a plain text summary then.
progress_plain() {
	local opt=$1 line
	status=0
	"$FANOUT" -k "$PJOB" ::: "${PARGS[@]}" > plain.out 2> plain.err || status=$?
	expect_status 1
	[ ! -s plain.err ]
	status=0
	"$FANOUT" -k "$opt" "$PJOB" ::: "${PARGS[@]}" > opt.out 2> opt.err || status=$?
	expect_status 1
	cmp plain.out opt.out
	[ "$(wc -l < opt.err)" -eq 1 ]
	line=$(cat opt.err)
	[[ $line == "fanout: "* ]]
	[[ $line == *done* ]]
	# The number of jobs, 6, is in it: "6/6 done", "6 done".
	[[ $line =~ (^|\ )6[\ /] ]]
	[[ $line != *$'\r'* ]]
	[[ $line != *$'\e'* ]]
}

@test "--bar with stderr not a terminal: same stdout, a one-line summary" {
	progress_plain --bar
}

@test "--progress with stderr not a terminal: same stdout, a one-line summary" {
	progress_plain --progress
}

@test "--eta with stderr not a terminal: same stdout, a one-line summary" {
	progress_plain --eta
}

# progress_tty OPT: in a pseudo-terminal the progress is drawn there
# (redrawn over itself with a carriage return), and stdout, sent to a file,
# is still that of a run without OPT.
progress_tty() {
	local opt=$1 term
	command -v script > /dev/null || skip "script (util-linux) is not installed"
	"$FANOUT" -k "$PJOB" ::: "${PARGS[@]}" > plain.out 2> /dev/null || :
	cat > run.sh <<-EOF
	#!/bin/sh
	exec "$FANOUT" -k $opt '$PJOB' ::: ${PARGS[*]} > opt.out
	EOF
	run timeout -k 5 60 script -qec 'sh run.sh' /dev/null < /dev/null
	expect_status 1
	cmp plain.out opt.out
	term=$output
	[[ $term == *done* ]]
	[[ $term == *$'\r'[!$'\n']* ]]
	# None of the jobs' output went to the terminal.
	[[ $term != *xxxxxxxxxx* ]]
}

@test "--bar in a terminal: drawn there, stdout unchanged" {
	progress_tty --bar
}

@test "--progress in a terminal: drawn there, stdout unchanged" {
	progress_tty --progress
}

@test "--eta in a terminal: drawn there, stdout unchanged" {
	progress_tty --eta
}

# ---------------------------------------------------------------- memfree

@test "--memfree with a small size runs every job" {
	local size
	for size in 1k 1K 1M 1.5k 1000; do
		rm -f m*
		run timeout -k 5 60 "$FANOUT" --memfree "$size" 'touch m{}' ::: 1 2 3
		expect_status 0
		[ -e m1 ] && [ -e m2 ] && [ -e m3 ]
	done
}

@test "--memfree above the total memory starts no job and keeps waiting" {
	local size
	size=$(awk '/^MemTotal:/ { print $2 * 4 }' /proc/meminfo)k
	# Hang guard: fanout waits for memory that never comes (GNU too).
	run timeout -k 5 3 "$FANOUT" --memfree "$size" 'touch m{}' ::: 1 2 3
	expect_status 124
	run ls
	[[ $output != *m1* && $output != *m2* && $output != *m3* ]]
}

@test "--memfree with a bad size is a usage error" {
	# GNU takes any of these silently (and then waits or not); SPEC: 255.
	local size
	for size in abc -1 1Q '' 1.5.5 10x; do
		run --separate-stderr timeout -k 5 10 "$FANOUT" --memfree "$size" \
		    'touch m{}' ::: 1
		expect_status 255
		[ -z "$output" ]
		[ "${#stderr_lines[@]}" -eq 1 ]
		[[ $stderr == "fanout: "* ]]
		[ ! -e m1 ]
	done
}

# ---------------------------------------------------------------- interplay

@test "--joblog with -k: lines are written as jobs finish, not in input order" {
	# Job 1 waits until the joblog has job 2's line.  GNU writes the
	# joblog line when it prints the job's output, so with -k in input
	# order (job 1 would wait in vain); SPEC: written as it finishes.
	run --separate-stderr timeout -k 5 60 "$FANOUT" -j 2 -k --joblog j.log \
	    "$ORDER" ::: 1 2
	expect_status 0
	expect_output <<-EOF
	job 1
	job 2
	EOF
	check_joblog j.log
	run seqs j.log
	expect_output <<<'2 1'
}

@test "--joblog with --retries: one line per job, for its last run" {
	# As GNU: Exitval and Receive (bytes of the output printed) of the
	# last run, "run K\n" being 6 bytes.
	run --separate-stderr timeout -k 5 60 "$FANOUT" -k --retries 3 --joblog j.log \
	    'failtimes c{} {}' ::: 0 1 2 5
	expect_status 1
	expect_output <<-EOF
	run 1
	run 2
	run 3
	run 3
	EOF
	check_joblog j.log
	run joblog_cols j.log 1,6,7,9
	expect_output <<-EOF
	1	6	0	failtimes c0 0
	2	6	0	failtimes c1 1
	3	6	0	failtimes c2 2
	4	6	1	failtimes c5 5
	EOF
}

@test "--joblog with --halt now,fail=1: the jobs it kills are not in it" {
	# Jobs 2 and 3 are running when job 1 fails; GNU logs only job 1 too.
	run --separate-stderr timeout -k 5 60 "$FANOUT" -j 3 --halt now,fail=1 \
	    --joblog j.log \
	    'if [ {} = 1 ]; then waitfile s2 s3; exit 1; fi; touch s{}; waitfile go' \
	    ::: 1 2 3 4
	expect_status 1
	check_joblog j.log
	run joblog_cols j.log 1,7
	expect_output <<-EOF
	1	1
	EOF
	[ ! -e s4 ]
}
