#!/usr/bin/env bats
# bats file_tags=slow
# --srun: jobs as steps of a Slurm allocation, on a real cluster of this
# machine that the file starts itself (helpers/slurm.bash: munged,
# slurmctld, slurmd n1 n2 n3, torn down by pid). fanout runs inside an
# allocation made by salloc; squeue -s shows what steps are left.

bats_require_minimum_version 1.5.0
load helpers/common
load helpers/slurm

setup_file() {
	build_helpers
	slurm_start
}

teardown_file() {
	slurm_stop
}

# in_alloc CMD...: CMD in an allocation of all three nodes, two CPUs each
# (--no-kill: a failed node leaves the allocation with the others).
in_alloc() {
	timeout -k 5 120 salloc -Q -N3 -n6 --no-kill env FANOUT="$FANOUT" "$@"
}

@test "--srun outside an allocation: one line and exit 255, no job runs" {
	run env -u SLURM_JOB_ID "$FANOUT" --srun touch {} ::: ran
	expect_status 255
	expect_output <<-'EOF'
	fanout: --srun: not inside a Slurm allocation (SLURM_JOB_ID is not set): run fanout under salloc or sbatch
	EOF
	[ ! -e ran ]
}

@test "--srun-cpus without --srun is refused" {
	run "$FANOUT" --srun-cpus 2 true ::: 1
	expect_status 255
	[[ "$output" == "fanout: --srun-cpus needs --srun"* ]]
}

@test "steps spread over the three nodes; the joblog's Host is the node each ran on" {
	slurm_require
	# Six at once on six CPUs: each node gets two.
	run in_alloc "$FANOUT" --srun --joblog jl \
	    'echo {} $SLURMD_NODENAME $FANOUT_HOST; sleep 0.5' ::: 1 2 3 4 5 6
	expect_status 0
	# Where each step says it ran, by sequence number, is where the joblog
	# says, and FANOUT_HOST agrees.
	while read -r seq node host; do
		[ "$node" = "$host" ]
		awk -F'\t' -v s="$seq" -v n="$node" \
		    'NR > 1 && $1 == s { found = ($2 == n) } END { exit !found }' jl
	done <<<"$output"
	run bash -c "tail -n +2 jl | cut -f2 | sort | uniq -c | awk '{ print \$1, \$2 }'"
	expect_output <<-'EOF'
	2 n1
	2 n2
	2 n3
	EOF
	[ -z "$(slurm_steps)" ]
}

# same_as_local ARGS...: fanout ARGS --srun prints what fanout ARGS prints
# here, and exits the same.
# Each runs in a folder of its own, for files the jobs write.
same_as_local() {
	local want want_status=0
	mkdir -p here there
	want=$(cd here && "$FANOUT" "$@" 2>&1) || want_status=$?
	cd there
	run in_alloc "$FANOUT" --srun "$@"
	cd ..
	expect_status "$want_status"
	expect_output <<<"$want"
}

@test "--srun: output order and exit status as locally (-k, stderr, failures)" {
	slurm_require
	same_as_local -k 'echo out {}; echo err {} >&2; exit {}' ::: 0 3 0 1 2
}

@test "--srun: {%}, FANOUT_SEQ, --tag and -N as locally" {
	slurm_require
	same_as_local -k -j 3 --tag -N 2 \
	    'echo "{1}+{2} slot {%} seq $FANOUT_SEQ $PARALLEL_SEQ"' ::: a b c d e
}

@test "--srun: --retries runs a failing step again, --halt stops as locally" {
	slurm_require
	same_as_local -k --retries 3 failtimes count.{} 2 ::: x
	same_as_local -k -j 1 --halt now,fail=1 'echo {}; exit {}' ::: 0 2 0
}

@test "--srun: the joblog and --resume as locally" {
	slurm_require
	run in_alloc "$FANOUT" --srun --joblog jl 'exit {}' ::: 0 1 0
	expect_status 1
	run in_alloc "$FANOUT" --srun --joblog jl --resume-failed 'echo again {}; exit 0' ::: 0 1 0
	expect_status 0
	expect_output <<-'EOF'
	again 1
	EOF
	[ "$(tail -n +2 jl | wc -l)" -eq 4 ]
}

# stop.sh [ARG...]: fanout --srun ARG... with three steps that run till
# stopped, sent $SIG (if set) once the three run; it writes fanout's exit
# status and the allocation's steps before, and after (within 10 s).
stop_script() {
	cat >stop.sh <<-'EOF'
	steps() { squeue -h -s -j "$SLURM_JOB_ID" -o %i | grep -v extern; }
	sigdflt "$FANOUT" --srun "$@" 'echo $$ > pid.{}; sleep 300' ::: 1 2 3 \
	    >out 2>err &
	p=$!
	waitfile pid.1 pid.2 pid.3
	steps | wc -l >before
	[ -n "$SIG" ] && kill -"$SIG" "$p"
	wait "$p"
	echo "$?" >status
	# A cancelled step may stay listed while slurmctld completes it (a
	# second or so on a loaded machine); a step left running stays.
	for i in $(seq 100); do [ -z "$(steps)" ] && break; sleep 0.1; done
	steps >after
	EOF
}

@test "SIGINT to fanout --srun ends every step: none left in squeue -s" {
	slurm_require
	stop_script
	run in_alloc env SIG=INT bash stop.sh
	[ "$(cat status)" -eq 130 ]
	[ "$(cat before)" -eq 3 ]
	[ ! -s after ]
	waitgone pid.1 pid.2 pid.3
	[ -z "$(slurm_steps)" ]
}

@test "--timeout ends the step of the job that timed out" {
	slurm_require
	stop_script
	run in_alloc env SIG= bash stop.sh --timeout 2 --joblog jl
	[ "$(cat status)" -eq 3 ]
	[ "$(cat before)" -eq 3 ]
	[ ! -s after ]
	waitgone pid.1 pid.2 pid.3
	run bash -c "tail -n +2 jl | cut -f7"
	expect_output <<-'EOF'
	-1
	-1
	-1
	EOF
}

@test "a node that fails mid-run loses no job and doubles none: its jobs run again elsewhere" {
	slurm_require
	cat >fail.sh <<-'EOF'
	. "$HELPERS_DIR/slurm.bash"
	"$FANOUT" --srun -j 6 --joblog jl \
	    'echo {} >>started.$SLURMD_NODENAME; echo $$ >pid.{}.$SLURMD_NODENAME; waitfile go; echo done {}' \
	    ::: 1 2 3 4 5 6 7 8 9 >out 2>err &
	p=$!
	# fanout places 2 and 5 on n2 (the node with most CPUs free, in turn).
	waitfile pid.2.n2 pid.5.n2
	slurm_kill_node n2 "$(cat pid.2.n2)"
	touch go
	wait "$p"
	echo "$?" >status
	EOF
	run in_alloc env HELPERS_DIR="$TOP/tests/helpers" bash fail.sh
	# n2 back for what follows, whatever happened.
	slurm_start_node n2
	slurm_wait_idle
	[ "$(cat status)" -eq 0 ]
	run sort out
	expect_output <<-'EOF'
	done 1
	done 2
	done 3
	done 4
	done 5
	done 6
	done 7
	done 8
	done 9
	EOF
	# Each job once in the joblog, none on n2; two were lost there.
	run bash -c "tail -n +2 jl | cut -f1 | sort -n | tr '\n' ' '"
	[ "$output" = "1 2 3 4 5 6 7 8 9 " ]
	! tail -n +2 jl | cut -f2 | grep -qx n2
	[ "$(grep -c 'lost a job on n2 (the node failed); it runs again' err)" -eq 2 ]
	[ "$(wc -l <started.n2)" -eq 2 ]
	[ -z "$(slurm_steps)" ]
}

@test "a workflow with executor: srun runs its jobs as steps; a task's srun: ARGS go to its steps" {
	slurm_require
	cat >wf.yaml <<-'EOF'
	version: 1
	executor: srun
	tasks:
	  small:
	    run: echo small {} $SLURM_CPUS_PER_TASK $FANOUT_HOST
	    each: [1, 2]
	  big:
	    run: echo big $BIG
	    srun: --export=ALL,BIG=yes
	    needs: small
	EOF
	run in_alloc "$FANOUT" -k -f wf.yaml
	expect_status 0
	[[ "${lines[0]}" == "small 1 1 n"[123] ]]
	[[ "${lines[1]}" == "small 2 1 n"[123] ]]
	[ "${lines[2]}" = "big yes" ]
	[ "${#lines[@]}" -eq 3 ]
	[ -z "$(slurm_steps)" ]
}

@test "a workflow's srun: without executor: srun is refused where it stands" {
	printf 'version: 1\ntasks:\n  t:\n    run: "true"\n    srun: -c2\n' >wf.yaml
	run "$FANOUT" -f wf.yaml
	expect_status 255
	[ "${lines[0]}" = "wf.yaml:5:11: 'srun' needs 'executor: srun' (or --srun)" ]
	printf 'version: 1\nexecutor: slurm\ntasks:\n  t:\n    run: "true"\n' >wf.yaml
	run "$FANOUT" -f wf.yaml
	expect_status 255
	[ "${lines[0]}" = "wf.yaml:2:11: 'executor' takes local or srun, not 'slurm'" ]
}

@test "more jobs at once than CPUs: srun waits for a step to end, no failure and no notice" {
	slurm_require
	# 12 slots on 6 CPUs: half of the steps wait for CPUs in srun
	# ("step creation temporarily disabled"), which is waited out.
	run in_alloc "$FANOUT" --srun -j 12 'sleep 0.3; echo {}' ::: $(seq 12)
	expect_status 0
	run sort -n <<<"$output"
	expect_output < <(seq 12)
}

@test "--srun-cpus 2: each step has two CPUs; the steps spread over the nodes" {
	slurm_require
	run in_alloc "$FANOUT" --srun --srun-cpus 2 --joblog jl \
	    'echo {} $SLURM_CPUS_PER_TASK' ::: 1 2 3 4 5 6
	expect_status 0
	[ "$(cut -d ' ' -f 2 <<<"$output" | sort -u)" = 2 ]
	[ "${#lines[@]}" -eq 6 ]
	run bash -c "tail -n +2 jl | cut -f2 | sort -u | tr '\n' ' '"
	[ "$output" = "n1 n2 n3 " ]
}
