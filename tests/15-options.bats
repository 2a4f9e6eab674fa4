#!/usr/bin/env bats
# Option values as a demanding user gives them: GNU parallel's no-op
# options, huge numbers, odd delimiters, options from $PARALLEL, -j FILE,
# --delay auto, and --help or --version into a full disk.

bats_require_minimum_version 1.5.0
load helpers/common

@test "--will-cite, --no-notice and --bibtex are accepted and do nothing" {
	run --separate-stderr fanout --will-cite --no-notice --bibtex -k echo ::: a b
	expect_status 0
	expect_output <<-'END'
	a
	b
	END
	[ -z "$stderr" ]
}
