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

@test "every file after ::::+ links to the group before it" {
	seq 2 >f1
	seq 3 4 >f2
	run fanout -k echo ::: a b ::::+ f1 f2
	expect_status 0
	expect_output <<-'END'
	a 1 3
	b 2 4
	END
}

@test "::::+ or :::+ as the first source links to nothing before it" {
	seq 2 >f1
	seq 3 4 >f2
	run fanout -k echo ::::+ f1 f2 ::: x y
	expect_status 0
	expect_output <<-'END'
	1 3 x
	1 3 y
	2 4 x
	2 4 y
	END
	run fanout -k echo :::+ a b ::: 1
	expect_status 0
	expect_output <<-'END'
	a 1
	b 1
	END
}
