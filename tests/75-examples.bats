#!/usr/bin/env bats
# The workflows of examples/*.yaml: each one is valid (--check), has a
# section in examples/README.md, and does what its comments say when it
# runs for real, in a copy made in the test's own directory.

bats_require_minimum_version 1.5.0
load helpers/common

# use_example NAME: copy examples/NAME into the test's directory.
use_example() {
	cp "$TOP/examples/$1" . || return 1
}

# wf ARG...: fanout ARG..., given at most 60 s (a workflow that never ends
# fails the test instead of hanging it).
wf() {
	timeout -k 5 60 "$FANOUT" "$@"
}

@test "there are workflow examples" {
	local n
	n=$(find "$TOP/examples" -maxdepth 1 -name '*.yaml' | wc -l)
	[ "$n" -ge 3 ]
}

@test "every workflow example passes --check and prints nothing" {
	local f
	for f in "$TOP"/examples/*.yaml; do
		cp "$f" .
		run wf -f "${f##*/}" --check
		if [ "$status" -ne 0 ] || [ -n "$output" ]; then
			printf '%s: status %s, output:\n%s\n' "${f##*/}" \
			    "$status" "$output" >&2
			return 1
		fi
	done
}

@test "every workflow example has a section in examples/README.md" {
	local f
	for f in "$TOP"/examples/*.yaml; do
		grep -qx "## ${f##*/}" "$TOP/examples/README.md" ||
		    { echo "no section for ${f##*/}" >&2; return 1; }
	done
}

@test "build-matrix.yaml: --dry-run shows the matrix, exclude and include applied" {
	use_example build-matrix.yaml
	run -0 wf -f build-matrix.yaml --dry-run
	# Nothing ran.
	[ ! -e out ]
	run -0 grep '^cc ' <<<"$output"
	expect_output <<'EOF'
cc -O0 -DMODE=debug -DOPT=0 -o out/hello-debug-O0 out/hello.c
cc -O0 -DMODE=release -DOPT=0 -o out/hello-release-O0 out/hello.c
cc -O2 -DMODE=release -DOPT=2 -o out/hello-release-O2 out/hello.c
cc -Os -DMODE=small -DOPT=s -o out/hello-small-Os out/hello.c
EOF
}

@test "build-matrix.yaml builds every combination and runs each build" {
	command -v cc >/dev/null || skip "no C compiler"
	use_example build-matrix.yaml
	run --separate-stderr wf -f build-matrix.yaml
	expect_status 0
	expect_output <<'EOF'
hello: debug build, -O0
hello: release build, -O0
hello: release build, -O2
hello: small build, -Os
EOF
	[ -z "$stderr" ]
	# The excluded combination was not built.
	[ ! -e out/hello-debug-O2 ]
}

@test "build-matrix.yaml: a task named on the command line runs with what it needs only" {
	command -v cc >/dev/null || skip "no C compiler"
	use_example build-matrix.yaml
	run --separate-stderr wf -f build-matrix.yaml build
	expect_status 0
	# smoke did not run: it prints, build does not.
	expect_output </dev/null
	[ -x out/hello-small-Os ]
}

# make_logs: three logs, with 3 ERROR and 3 WARN lines in all.
make_logs() {
	mkdir logs
	printf 'ERROR disk full\nWARN slow\nWARN slower\ninfo ok\n' >logs/web.log
	printf 'ERROR a\nERROR b\n' >logs/db.log
	printf 'WARN cold cache\n' >logs/cache.log
	# Not a log: the glob passes it over.
	echo 'ERROR not counted' >logs/notes.txt
}

@test "log-summary.yaml counts each log, then adds them up" {
	use_example log-summary.yaml
	make_logs
	run --separate-stderr wf -f log-summary.yaml
	expect_status 0
	expect_output <<'EOF'
logs/cache.log 0 1
logs/db.log 2 0
logs/web.log 1 2
total: 3 errors, 3 warnings in 3 logs
EOF
	[ -z "$stderr" ]
	[ "$(cat counts/web.txt)" = "logs/web.log 1 2" ]
}

@test "log-summary.yaml with a joblog: --resume runs nothing the second time" {
	use_example log-summary.yaml
	make_logs
	run -0 wf -f log-summary.yaml --joblog jobs.tsv
	# A header and prepare, three counts, report.
	[ "$(wc -l <jobs.tsv)" -eq 6 ]
	run -0 cut -f1 jobs.tsv
	[ "$(sed 1d <<<"$output" | sort -n | tr '\n' ' ')" = "1 2 3 4 5 " ]
	rm -r counts
	run --separate-stderr wf -f log-summary.yaml --joblog jobs.tsv --resume
	expect_status 0
	expect_output </dev/null
	[ ! -e counts ]
	[ "$(wc -l <jobs.tsv)" -eq 6 ]
}

@test "pipeline.yaml: a failed step skips what needs it, the clean-up runs anyway" {
	use_example pipeline.yaml
	run --separate-stderr wf -f pipeline.yaml
	# One job failed: the transform of "bad".
	expect_status 1
	# keep-order: the jobs' output in sequence order, report's missing.
	expect_output <<'EOF'
1: sum 1
2: sum 3
3: sum 6
4: sum 10
cleaned up (cleanup)
EOF
	grep -Fxq "in-bad.txt: not a number: oops" <<<"$stderr"
	grep -Fxq "fanout: task 'report' skipped: 'transform' failed" <<<"$stderr"
	[ "$(grep -c skipped <<<"$stderr")" -eq 1 ]
	# report never ran; index, which does not need transform, did; the
	# clean-up removed the work directory.
	[ ! -e report.txt ]
	grep -qx in-bad.txt index.txt
	[ ! -e work ]
}

@test "pipeline.yaml: its joblog has every job that ran, none of the skipped task" {
	use_example pipeline.yaml
	run -1 wf -f pipeline.yaml --joblog jobs.tsv
	# generate, five transforms, index, cleanup: 8 jobs; report's seq (8)
	# is counted but never run.
	run -0 cut -f1 jobs.tsv
	[ "$(sed 1d <<<"$output" | sort -n | tr '\n' ' ')" = "1 2 3 4 5 6 7 9 " ]
	# The one failure is the transform of "bad", seq 6.
	run -0 awk -F '\t' 'NR > 1 && $7 != 0 { print $1 }' jobs.tsv
	expect_output <<<6
}
