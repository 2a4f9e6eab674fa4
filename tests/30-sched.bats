#!/usr/bin/env bats
# Scheduling: -j forms, --delay, --timeout, --termseq, --retries, --halt,
# --dry-run.  Concurrency is observed with the conc helper (every job waits
# until N jobs run, then reports the most it saw), never with timings.

bats_require_minimum_version 1.5.0
load helpers/common

ncpu() {
	getconf _NPROCESSORS_ONLN
}

# expect_conc N JOBS -- FANOUT-ARGS: run JOBS conc jobs with the given
# options and check that N of them, and never more, ran at once.  The first
# N jobs all wait for each other, so they all see N; a later job may see
# fewer (its fellows may have ended), never more.
expect_conc() {
	local n=$1 jobs=$2
	shift 3
	run --separate-stderr timeout -k 5 120 "$FANOUT" "$@" conc running "$n" 300 {#} \
	    ::: $(seq "$jobs")
	expect_status 0
	[ "${#lines[@]}" -eq "$jobs" ]
	run sort -n <<<"$output"
	run tail -n 1 <<<"$output"
	expect_output <<<"$n"
}

@test "-j 3 runs exactly 3 jobs at once" {
	expect_conc 3 7 -- -j 3
}

@test "-j 1 runs one job at a time" {
	expect_conc 1 3 -- -j 1
}

@test "without -j, as many jobs at once as online CPUs" {
	local n
	n=$(ncpu)
	expect_conc "$n" $((2 * n)) --
}

@test "-j 200% runs twice as many jobs as CPUs" {
	local n
	n=$(ncpu)
	expect_conc $((2 * n)) $((4 * n)) -- -j 200%
}

@test "-j 100% runs as many jobs as CPUs" {
	local n
	n=$(ncpu)
	expect_conc "$n" $((2 * n)) -- -j 100%
}

@test "-j +2 runs CPUs plus 2 jobs at once" {
	local n
	n=$(ncpu)
	expect_conc $((n + 2)) $((2 * n + 4)) -- -j +2
}

@test "-j -1 runs CPUs minus 1 jobs at once, at least 1" {
	local n
	n=$(ncpu)
	n=$((n - 1))
	[ "$n" -ge 1 ] || n=1
	expect_conc "$n" $((2 * n)) -- -j -1
}

@test "-j 0 runs every job at once" {
	expect_conc 40 40 -- -j 0
}

@test "{%} slot numbers stay within -j" {
	run --separate-stderr "$FANOUT" -j 3 'conc running 3 100 {#} >/dev/null; echo {%}' ::: $(seq 9)
	expect_status 0
	run sort -u <<<"$output"
	expect_output <<-'EOF'
	1
	2
	3
	EOF
}

@test "--delay still runs every job" {
	run --separate-stderr "$FANOUT" -k --delay 0.2 echo ::: 1 2 3 4
	expect_status 0
	expect_output <<-'EOF'
	1
	2
	3
	4
	EOF
}

@test "--timeout 1 ends a long job and its grandchildren; the job fails" {
	run --separate-stderr timeout -k 5 120 "$FANOUT" --timeout 1 grandchild {} stay ::: g.pid
	expect_status 1
	# g.pid holds the grandchild's pid and the job's own.
	waitgone g.pid
}

@test "--timeout fails only the jobs that time out" {
	run --separate-stderr timeout -k 5 120 "$FANOUT" -k --timeout 2 \
	    'sleep {}; echo {}' ::: 0 1000 0.1
	expect_status 1
	expect_output <<-'EOF'
	0
	0.1
	EOF
}

@test "--timeout N% ends a job running far longer than the median" {
	run --separate-stderr timeout -k 5 120 "$FANOUT" -j 1 -k --timeout 1000% \
	    'sleep {}; echo {}' ::: 0.2 0.2 0.2 0.2 0.2 1000
	expect_status 1
	expect_output <<-'EOF'
	0.2
	0.2
	0.2
	0.2
	0.2
	EOF
}

@test "--termseq: the signals are sent in order to a job that survives them" {
	run --separate-stderr timeout -k 5 60 "$FANOUT" --timeout 1 \
	    --termseq INT,300,USR1,300,KILL,25 catchsig {} INT USR1 TERM ::: c.log
	expect_status 1
	waitgone c.log.pid
	run cat c.log
	expect_output <<-'EOF'
	INT
	USR1
	EOF
}

@test "--termseq: a job trapping TERM is KILLed at the end of the sequence" {
	run --separate-stderr timeout -k 5 60 "$FANOUT" --timeout 1 \
	    --termseq TERM,300,KILL,25 catchsig {} TERM ::: c.log
	expect_status 1
	waitgone c.log.pid
	run cat c.log
	expect_output <<-'EOF'
	TERM
	EOF
}

@test "default termination sequence is TERM,200,TERM,100,TERM,50,KILL,25" {
	run --separate-stderr timeout -k 5 60 "$FANOUT" --timeout 1 \
	    catchsig {} TERM ::: c.log
	expect_status 1
	waitgone c.log.pid
	# Three TERMs, then KILL; the third TERM may still be pending when
	# KILL comes 50 ms later, so two logged TERMs are as good.
	run cat c.log
	if [ "$output" != "$(printf 'TERM\nTERM')" ]; then
		expect_output <<-'EOF'
		TERM
		TERM
		TERM
		EOF
	fi
}

@test "--retries 3: a job failing twice runs 3 times; only the last run's output is printed" {
	run --separate-stderr timeout -k 5 60 "$FANOUT" --retries 3 failtimes {} 2 ::: count
	expect_status 0
	expect_output <<-'EOF'
	run 3
	EOF
	[ "$stderr" = "err 3" ]
	[ "$(cat count)" = 3 ]
}

@test "--retries 2: a job that always fails runs twice and fails" {
	run --separate-stderr timeout -k 5 60 "$FANOUT" --retries 2 failtimes {} 100 ::: count
	expect_status 1
	expect_output <<-'EOF'
	run 2
	EOF
	[ "$stderr" = "err 2" ]
	[ "$(cat count)" = 2 ]
}

@test "--retries 0 means one run, as --retries 1" {
	run --separate-stderr timeout -k 5 60 "$FANOUT" --retries 0 failtimes {} 100 ::: count
	expect_status 1
	expect_output <<-'EOF'
	run 1
	EOF
	[ "$(cat count)" = 1 ]
}

@test "--halt now,fail=1: exit status is the failing job's, running jobs are killed" {
	printf '%s\n' 'grandchild a.pid stay' 'grandchild b.pid stay' \
	    'waitfile a.pid b.pid && exit 3' 'touch never' > cmds
	run --separate-stderr timeout -k 5 60 "$FANOUT" -j 3 --halt now,fail=1 < cmds
	expect_status 3
	waitgone a.pid b.pid
	[ ! -e never ]
}

@test "--halt soon,fail=1: running jobs finish, no new job starts" {
	# Job 2 finishes only after fanout has reaped the failed job 1.
	cat > cmds <<-'EOF'
	echo $$ > a.tmp && mv a.tmp a.pid && waitfile b.started && exit 4
	touch b.started && waitgone -r a.pid && echo second finished
	touch third.ran
	touch fourth.ran
	EOF
	run --separate-stderr timeout -k 5 60 "$FANOUT" -j 2 --halt soon,fail=1 < cmds
	expect_status 4
	expect_output <<-'EOF'
	second finished
	EOF
	[ ! -e third.ran ]
	[ ! -e fourth.ran ]
}

@test "--halt now,success=1: exit 0 and running jobs are killed" {
	printf '%s\n' 'grandchild a.pid stay' 'grandchild b.pid stay' \
	    'waitfile a.pid b.pid && exit 0' 'touch never' > cmds
	run --separate-stderr timeout -k 5 60 "$FANOUT" -j 3 --halt now,success=1 < cmds
	expect_status 0
	waitgone a.pid b.pid
	[ ! -e never ]
}

@test "--halt soon,success=1 with failures before it" {
	run --separate-stderr timeout -k 5 60 "$FANOUT" -j 1 --halt soon,success=1 \
	    'echo {}; exit {}' ::: 5 6 0 7
	expect_status 0
	expect_output <<-'EOF'
	5
	6
	0
	EOF
}

@test "--halt now,done=2 stops after two jobs" {
	run --separate-stderr timeout -k 5 60 "$FANOUT" -j 1 --halt now,done=2 \
	    echo ::: 1 2 3 4
	expect_output <<-'EOF'
	1
	2
	EOF
}

@test "--halt now,fail=2: the second failure halts" {
	# GNU parallel exits with the number of failures (2), SPEC with the
	# triggering job's status: the job exits 2 so that both agree.
	run --separate-stderr timeout -k 5 60 "$FANOUT" -j 1 --halt now,fail=2 \
	    'echo {}; exit {}' ::: 0 5 0 2 0 7
	expect_status 2
	expect_output <<-'EOF'
	0
	5
	0
	2
	EOF
}

@test "--halt soon,fail=20%: halts once 20% of the jobs failed" {
	# 10 jobs: the second failure is 20%.  GNU parallel exits with the
	# percentage, SPEC with the triggering job's status: that job exits
	# 20 so that both agree.
	run --separate-stderr timeout -k 5 60 "$FANOUT" -j 1 --halt soon,fail=20% \
	    'echo {}; exit {}' ::: 0 1 20 3 0 0 0 0 0 0
	expect_status 20
	expect_output <<-'EOF'
	0
	1
	20
	EOF
}

@test "--halt never runs every job" {
	run --separate-stderr timeout -k 5 60 "$FANOUT" -j 1 -k --halt never \
	    'echo {}; exit {}' ::: 1 0 2
	expect_status 2
	expect_output <<-'EOF'
	1
	0
	2
	EOF
}

@test "--dry-run prints the commands and runs nothing" {
	run --separate-stderr "$FANOUT" -k --dry-run touch {} ::: a b
	expect_status 0
	expect_output <<-'EOF'
	touch a
	touch b
	EOF
	[ ! -e a ]
	[ ! -e b ]
}

@test "--halt soon with --retries: a job failing after the halt is not run again" {
	# Job 1 fails twice and halts; job 2, running meanwhile, fails
	# once and is not retried. (Under the sanitizers this also checks
	# that its held output is freed: a leak would change the status.)
	run --separate-stderr fanout -j2 --joblog jl --halt soon,fail=1 \
	    --retries 2 'sleep 0.{}; exit 1' ::: 1 5
	expect_status 1
	[ "$(awk 'NR > 1' jl | wc -l)" -eq 2 ]
}
