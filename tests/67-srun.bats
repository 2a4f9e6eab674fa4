#!/usr/bin/env bats
# --srun against a stand-in srun (no cluster, no root): the words fanout
# gives srun, its node placement, srun's own stderr lines kept out of the
# job's, and a node failure as srun reports it. 68-slurm.bats runs the same
# against a real cluster.

bats_require_minimum_version 1.5.0
load helpers/common

# A stand-in srun: it logs its words, runs the command after -- with
# SLURMD_NODENAME set to the -w node, and says what the real one says:
# "srun: error: NODE: task 0: Exited with exit code N" for a failure;
# for a node listed in file "failing", "srun: error: Node failure on
# NODE" without running the command, exit 0 (as srun exits).
local_setup() {
	mkdir -p bin
	cat >bin/srun <<-'EOF'
	#!/bin/sh
	echo "$*" >>"$SRUN_LOG"
	while [ "$1" != -- ]; do
		[ "$1" = -w ] && node=$2
		shift
	done
	shift
	if grep -qx "$node" "$SRUN_FAILING" 2>/dev/null; then
		echo "srun: error: Node failure on $node" >&2
		exit 0
	fi
	SLURMD_NODENAME=$node "$@"
	rc=$?
	[ "$rc" -ne 0 ] && echo "srun: error: $node: task 0: Exited with exit code $rc" >&2
	exit "$rc"
	EOF
	chmod +x bin/srun
	export PATH="$BATS_TEST_TMPDIR/bin:$PATH"
	export SRUN_LOG=$BATS_TEST_TMPDIR/srun.log
	export SRUN_FAILING=$BATS_TEST_TMPDIR/failing
	export SLURM_JOB_ID=7 SLURM_JOB_NODELIST='n[1-2]'
	export SLURM_JOB_CPUS_PER_NODE='2(x2)'
	unset SLURM_NTASKS
}

@test "--srun gives srun its words, the node, then the command; one step per job" {
	run "$FANOUT" --srun='--gres=gpu:1  --mem=1G' --srun-cpus 2 -j 1 \
	    echo {} ::: a 'b c'
	expect_status 0
	expect_output <<-'EOF'
	a
	b c
	EOF
	run cat srun.log
	expect_output <<-'EOF'
	--quiet --exclusive -N1 -n1 -c 2 --gres=gpu:1 --mem=1G -w n1 -- echo a
	--quiet --exclusive -N1 -n1 -c 2 --gres=gpu:1 --mem=1G -w n1 -- echo b c
	EOF
}

@test "--srun places each step on the node with most CPUs free; joblog Host and FANOUT_HOST name it" {
	# Four at once (each waits for the others) on two nodes of two CPUs:
	# two each.
	run "$FANOUT" --srun -j 4 --joblog jl \
	    'touch s.{}; waitfile s.1 s.2 s.3 s.4; echo {} $SLURMD_NODENAME $FANOUT_HOST' \
	    ::: 1 2 3 4
	expect_status 0
	run sort <<<"$output"
	expect_output <<-'EOF'
	1 n1 n1
	2 n2 n2
	3 n1 n1
	4 n2 n2
	EOF
	run bash -c "tail -n +2 jl | cut -f1,2 | sort -n"
	expect_output <<-'EOF'
	1	n1
	2	n2
	3	n1
	4	n2
	EOF
}

@test "--srun: srun's own exit lines are not the job's stderr; the job's last line without a newline is" {
	run --separate-stderr "$FANOUT" --srun -k \
	    'echo out {}; printf "err {}" >&2; exit {}' ::: 0 3
	expect_status 1
	[ "$output" = "$(printf 'out 0\nout 3')" ]
	[ "$stderr" = "err 0err 3" ]
	# Lines the job wrote in one go, then srun's.
	run --separate-stderr "$FANOUT" --srun \
	    'printf "e1\nsrun: e2\ne3\n" >&2; exit 4' ::: 1
	expect_status 1
	[ "$stderr" = "$(printf 'e1\nsrun: e2\ne3')" ]
	# Where srun's line came after the job's last, unended one.
	run --separate-stderr "$FANOUT" --srun -k \
	    'printf "srun: error: half" >&2; exit 2' ::: 1
	expect_status 1
	[ "$stderr" = "srun: error: half" ]
}

@test "--srun: a node failure loses the job; it runs again on another node, not as a retry" {
	echo n2 >failing
	run --separate-stderr "$FANOUT" --srun -j 2 --joblog jl \
	    'echo {} on $SLURMD_NODENAME' ::: 1 2 3
	expect_status 0
	run sort <<<"$output"
	expect_output <<-'EOF'
	1 on n1
	2 on n1
	3 on n1
	EOF
	[ "$stderr" = "fanout: warning: lost a job on n2 (the node failed); it runs again" ]
	run bash -c "tail -n +2 jl | cut -f1,2 | sort -n"
	expect_output <<-'EOF'
	1	n1
	2	n1
	3	n1
	EOF
	# n2 got one step, and none after it failed.
	[ "$(grep -c -- '-w n2 ' srun.log)" -eq 1 ]
	# After a node failure steps share CPUs (Slurm keeps the CPUs of
	# the shrunk allocation's ended steps): the job run again did.
	[ "$(grep -c -- '^--quiet --overlap ' srun.log)" -ge 1 ]
}

@test "--srun: when every node failed, one line and exit 255" {
	printf 'n1\nn2\n' >failing
	run --separate-stderr "$FANOUT" --srun -j 1 echo {} ::: 1 2
	expect_status 255
	[[ "$stderr" == *"fanout: --srun: no node of the allocation is left to run on" ]]
}

@test "--srun: -j counts SLURM_NTASKS, else the CPUs of the allocation" {
	# Each job waits for the others to start: all must run at once.
	run env SLURM_NTASKS=3 "$FANOUT" --srun -j 100% \
	    'touch s.{}; waitfile s.1 s.2 s.3; echo {%}' ::: 1 2 3
	expect_status 0
	run sort <<<"$output"
	expect_output <<-'EOF'
	1
	2
	3
	EOF
	# SLURM_NTASKS=2: two at a time, slots 1 and 2 only.
	run env SLURM_NTASKS=2 "$FANOUT" --srun 'echo {%}' ::: 1 2 3 4 5
	expect_status 0
	[ "$(sort -u <<<"$output" | tr '\n' ' ')" = "1 2 " ]
	# Without it, the four CPUs of the two nodes.
	run "$FANOUT" --srun 'touch t.{}; waitfile t.1 t.2 t.3 t.4; echo {%}' ::: 1 2 3 4
	expect_status 0
	[ "$(sort <<<"$output" | tr '\n' ' ')" = "1 2 3 4 " ]
}

@test "--srun-cpus more than any node has: one line and exit 255" {
	run "$FANOUT" --srun --srun-cpus 3 true ::: 1
	expect_status 255
	expect_output <<-'EOF'
	fanout: --srun-cpus 3: no node of the allocation has that many CPUs
	EOF
}
