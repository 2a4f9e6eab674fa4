#!/usr/bin/env bats
# A full spool disk: output is never lost or mixed. Needs a small tmpfs,
# so these tests run as root (as CI does) and are skipped elsewhere.
bats_require_minimum_version 1.5.0
load helpers/common

local_setup() {
	small_tmpfs
}

local_teardown() {
	umount_small
}

# Each job prints 2 MB of one letter: more than the 1 MB disk holds.
check_blocks() {
	local file=$1 i first rest
	[ "$(wc -c <"$file")" -eq 8000000 ]
	for i in 0 1 2 3; do
		first=$(dd if="$file" bs=1 skip=$((i * 2000000)) count=1 2>/dev/null)
		rest=$(dd if="$file" bs=2000000 skip=$i count=1 2>/dev/null |
			tr -d "$first" | wc -c)
		[ "$rest" -eq 0 ]
	done
	# Every letter is there once.
	for x in a b c d; do
		[ "$(tr -cd "$x" <"$file" | wc -c)" -eq 2000000 ]
	done
}

@test "a full spool disk loses no output and mixes none (group)" {
	TMPDIR=$SMALL timeout 120 "$FANOUT" -j4 \
		'head -c 2000000 /dev/zero | tr "\0" {}' ::: a b c d >out
	check_blocks out
}

@test "a full spool disk loses no output and keeps order (-k)" {
	TMPDIR=$SMALL timeout 120 "$FANOUT" -k -j4 \
		'sleep 0.{#}; head -c 2000000 /dev/zero | tr "\0" {}' ::: d c b a >out
	check_blocks out
	[ "$(head -c 1 out)" = d ]
	[ "$(tail -c 1 out)" = a ]
}

@test "a full --results disk: the error is reported, stdout still gets every job" {
	run --separate-stderr timeout 120 "$FANOUT" -j1 --results "$SMALL/res" \
		'head -c 600000 /dev/zero | tr "\0" {}' ::: a b c
	[ "$status" -ne 0 ]
	[[ $stderr == *"--results"* ]]
	for x in a b c; do
		[ "$(printf %s "$output" | tr -cd "$x" | wc -c)" -eq 600000 ]
	done
}
