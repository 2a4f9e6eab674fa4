#!/usr/bin/env bats
# Exit status: 0, the number of failed jobs, 101, killed jobs, 126/127,
# and fanout's own errors (one "fanout: " line, status 255).

bats_require_minimum_version 1.5.0
load helpers/common

# expect_error ARG...: fanout ARG... fails with status 255, prints nothing
# on stdout and exactly one line "fanout: ..." on stderr.
expect_error() {
	run --separate-stderr timeout -k 5 30 "$FANOUT" "$@"
	expect_status 255
	expect_output < /dev/null
	if [ "${#stderr_lines[@]}" -ne 1 ] || [[ $stderr != "fanout: "* ]]; then
		printf 'expected one "fanout: " line on stderr, got:\n%s\n' "$stderr" >&2
		return 1
	fi
}

@test "every job succeeds: status 0" {
	run --separate-stderr "$FANOUT" exitwith {} ::: 0 0 0
	expect_status 0
}

@test "no job at all: status 0" {
	run --separate-stderr "$FANOUT" exitwith {} < /dev/null
	expect_status 0
	expect_output < /dev/null
}

@test "status is the number of failed jobs" {
	run --separate-stderr "$FANOUT" exitwith {} ::: 0 1 2 0 3 255
	expect_status 4
}

@test "one failure: status 1, whatever the job's own status" {
	run --separate-stderr "$FANOUT" exitwith {} ::: 0 42
	expect_status 1
}

@test "100 failed jobs: status 100" {
	run --separate-stderr timeout -k 5 300 "$FANOUT" -j 8 exitwith {} ::: $(yes 1 | head -n 100)
	expect_status 100
}

@test "101 failed jobs: status 101" {
	run --separate-stderr timeout -k 5 300 "$FANOUT" -j 8 exitwith {} ::: $(yes 1 | head -n 101)
	expect_status 101
}

@test "150 failed jobs: status capped at 101" {
	run --separate-stderr timeout -k 5 300 "$FANOUT" -j 8 exitwith {} ::: $(yes 1 | head -n 150)
	expect_status 101
}

@test "a job killed by a signal counts as failed" {
	run --separate-stderr "$FANOUT" -k killself {} ::: TERM KILL USR1
	expect_status 3
	expect_output <<-'EOF'
	dying
	dying
	dying
	EOF
}

@test "killed and exited jobs add up" {
	printf '%s\n' 'killself TERM' 'exitwith 3' 'exitwith 0' > cmds
	run --separate-stderr "$FANOUT" < cmds
	expect_status 2
}

@test "a command that is not found fails with 127 (direct exec)" {
	run --separate-stderr "$FANOUT" no-such-command-fanout-test {} ::: 1
	expect_status 1
	run -127 --separate-stderr "$FANOUT" --halt now,fail=1 no-such-command-fanout-test {} ::: 1
	expect_status 127
	[ -n "$stderr" ]
}

@test "a command that is not found fails with 127 (through the shell)" {
	run -127 --separate-stderr "$FANOUT" --halt now,fail=1 'no-such-command-fanout-test {} && true' ::: 1
	expect_status 127
}

@test "a command that is not executable fails with 126" {
	# Under valgrind vfork() is fork(): the child's errno (EACCES) is
	# written where fanout never reads it, and 127 is all it knows.
	[ "${FANOUT_SANITIZE:-}" != valgrind ] || skip "vfork() is fork() under valgrind"
	printf '#!/bin/sh\necho ran\n' > notexec
	chmod 644 notexec
	run --separate-stderr "$FANOUT" --halt now,fail=1 ./notexec {} ::: 1
	expect_status 126
	expect_output < /dev/null
}

@test "a job that cannot start does not stop the others" {
	printf '%s\n' 'echo a' no-such-command-fanout-test 'echo b' > cmds
	run --separate-stderr "$FANOUT" -k < cmds
	expect_status 1
	expect_output <<-'EOF'
	a
	b
	EOF
}

@test "error: unknown option" {
	expect_error --no-such-option-at-all echo ::: a
}

@test "error: -j with a bad value" {
	expect_error -j abc echo ::: a
}

@test "error: --halt with a bad value" {
	expect_error --halt sometimes,fail=1 echo ::: a
}

@test "error: --timeout with a bad value" {
	expect_error --timeout soon echo ::: a
}

@test "error: --termseq with a bad signal" {
	expect_error --termseq NOSUCHSIG,100 echo ::: a
}

@test "error: -a with a missing file" {
	expect_error -a does-not-exist echo
}

@test "error: :::: with a missing file" {
	expect_error echo :::: does-not-exist
}

@test "error: an option missing its argument" {
	expect_error -j
	expect_error --timeout
}

@test "started with stdout or stdin closed, fanout runs every job" {
	# Closed descriptors must not be taken by fanout's own pipes.
	run --separate-stderr bash -c '"$0" -k "echo {}; echo e{} >&2" ::: a b >&-' "$FANOUT"
	expect_status 0
	[ "$stderr" = "$(printf 'ea\neb')" ]
	run --separate-stderr bash -c '"$0" -k echo ::: a b <&-' "$FANOUT"
	expect_status 0
	expect_output <<-'EOF'
	a
	b
	EOF
}
