#!/usr/bin/env bats
# No room for spool files ($TMPDIR cannot hold one: here, it does not
# exist). Output past the in-memory bound cannot be stored: jobs wait,
# print as they go when that is safe, and no output is lost, mixed,
# reordered or printed twice.
bats_require_minimum_version 1.5.0
load helpers/common

@test "no spool space, --lb: every byte of two jobs comes out, no hang" {
	run --separate-stderr timeout -k 5 60 bash -c 'TMPDIR=$PWD/nospool "$0" --lb -j2 \
	    ": {}; head -c 400000 /dev/zero; sleep 2" ::: 1 2 | wc -c' "$FANOUT"
	expect_status 0
	expect_output <<-'EOF'
	800000
	EOF
}

@test "no spool space: a job that ends while it waits loses nothing" {
	run timeout -k 5 60 bash -c 'TMPDIR=$PWD/nospool "$0" --joblog jl \
	    ": {}; head -c 380000 /dev/zero" ::: 1 | wc -c' "$FANOUT"
	expect_status 0
	expect_output <<-'EOF'
	380000
	EOF
	[ "$(awk -F'\t' 'NR == 2 { print $6 }' jl)" = 380000 ]
}

@test "no spool space, --json: jobs wait, say so, and go on when there is room" {
	TMPDIR=$PWD/spool start_fanout --json \
	    ': {}; head -c 400000 /dev/zero | tr "\0" x; echo end' ::: 1
	wait_for grep -q 'jobs wait' err
	mkdir spool
	wait_fanout
	expect_status 0
	run jq -r '.stdout | length' out
	expect_output <<-'EOF'
	400004
	EOF
}

@test "no spool space, -k with --retries: order is kept" {
	run timeout -k 5 60 bash -c 'TMPDIR=$PWD/nospool "$0" -k -j2 --retries 2 \
	    "if [ {} = A ]; then sleep 3; echo A; else
	     head -c 400000 /dev/zero | tr \"\\0\" {}; sleep 1.5; echo; fi" \
	    ::: A B > out' "$FANOUT"
	expect_status 0
	[ "$(head -n 1 out)" = A ]
	[ "$(wc -c < out)" -eq 400003 ]
	[ "$(tr -d B < out)" = A ]
}

@test "no spool space, --retries: a run that printed as it went is not retried" {
	# It cannot wait for space; once printed, its output cannot be taken
	# back, so it is the job's only run: one run's output, never two.
	run --separate-stderr timeout -k 5 60 bash -c 'TMPDIR=$PWD/nospool "$0" \
	    --retries 2 --joblog jl \
	    ": {}; head -c 400000 /dev/zero | tr \"\\0\" x; sleep 1.5; echo
	     if [ -e flag ]; then echo second; else touch flag; echo first; false; fi" \
	    ::: 1 > out' "$FANOUT"
	expect_status 1
	[ "$(wc -c < out)" -eq 400007 ]
	[ "$(tail -n 1 out)" = first ]
	[ "$(wc -l < jl)" -eq 2 ]
}
