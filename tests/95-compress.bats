#!/usr/bin/env bats
# --compress: the spool files that hold output waiting its turn are written
# through a compress program and read back through a decompress program.
# Output is the same as without it; a program that fails loses a job's
# output, and that is an error (status 255), never silent.
bats_require_minimum_version 1.5.0
load helpers/common
load helpers/same

# A program that logs each call ("NAME ARGS" to $ZLOG) and runs gzip with
# the same arguments: calls are counted, and the spool files are gzip's.
local_setup() {
	mkdir -p zbin
	export ZLOG=$PWD/zlog
	cat >zbin/zgzip <<-'EOF'
	#!/bin/sh
	echo "zgzip $*" >>"$ZLOG"
	exec gzip "$@"
	EOF
	chmod +x zbin/zgzip
	PATH=$PWD/zbin:$PATH
}

local_teardown() {
	[ -n "${SMALL:-}" ] && mountpoint -q "$SMALL" 2>/dev/null &&
		umount "$SMALL"
	return 0
}

# Jobs whose output is over the 256 KiB a stream keeps in memory, so that
# what waits goes to spool files: CHAR {} in lines, the size varying.
JOB='spew $(( {} % 5 * 200000 + 300000 )) $(printf "\\x$(( {} % 26 + 61 ))")'

@test "--compress: the same output as without, with -k and without, 24 jobs" {
	seq 24 >in
	"$FANOUT" -k -j4 "$JOB" <in >plain
	"$FANOUT" -k -j4 --compress-program 'zgzip -c -1' "$JOB" <in >zipped
	cmp plain zipped
	# Without -k jobs come in any order, each whole.
	"$FANOUT" -j4 "$JOB" <in | sort >plain
	"$FANOUT" -j4 --compress-program 'zgzip -c -1' "$JOB" <in | sort >zipped
	cmp plain zipped
	# Every job but the first few spooled, through gzip and back.
	[ "$(grep -cx 'zgzip -c -1' zlog)" -ge 16 ]
	[ "$(grep -cx 'zgzip -c -1 -dc' zlog)" -eq "$(grep -cx 'zgzip -c -1' zlog)" ]
}

@test "--compress: megabytes of binary bytes come back byte for byte" {
	head -c 3000000 /dev/urandom >rnd
	for i in 1 2 3 4; do cat rnd; spew 2000000 x bin; done >want
	run -0 bash -c '"$0" -k -j4 --compress "cat rnd; spew 2000000 x bin; : {}" \
		::: 1 2 3 4 | cmp - want' "$FANOUT"
}

@test "--compress: held jobs' spool files go through the compressor, once each" {
	# Job 1 prints as it goes (-k, the oldest) and waits until 2, 3 and 4
	# have printed 1 MB each: those wait in compressed spool files.
	run -0 "$FANOUT" -k -j4 --compress-program 'zgzip -c -1' \
		'if [ {} = 1 ]; then waitfile done2 done3 done4; fi
		 spew 1000000 {}; touch done{}' ::: 1 2 3 4
	[ "${#output}" -eq 3999999 ] # less the last newline
	for i in 1 2 3 4; do
		[ "$(printf '%s\n' "$output" | grep -c "^$i ")" -eq 10000 ]
	done
	run -0 sort zlog
	expect_output <<-'EOF'
	zgzip -c -1
	zgzip -c -1
	zgzip -c -1
	zgzip -c -1 -dc
	zgzip -c -1 -dc
	zgzip -c -1 -dc
	EOF
}

@test "--compress: a held job that ended keeps no compressor running" {
	cat >zbin/zlogged <<-'EOF'
	#!/bin/sh
	echo start >>"$ZLOG"
	gzip "$@"
	echo end >>"$ZLOG"
	EOF
	chmod +x zbin/zlogged
	# Job 1 waits for the 20th, then counts the compressors still
	# running: at most 2 for each of the 3 other jobs that may run.
	run -0 "$FANOUT" -k -j4 --compress-program 'zlogged -c -1' \
		'if [ {} = 1 ]; then waitfile done20
		 echo $(( $(grep -c start "$ZLOG") - $(grep -c end "$ZLOG") ))
		 else spew 300000 {}; touch done{}; fi' ::: $(seq 20)
	[ "${lines[0]}" -le 6 ]
	[ "$(grep -c start zlog)" -ge 19 ]
	[ "${#lines[@]}" -eq $((1 + 19 * 3000)) ]
}

@test "--compress picks GNU parallel's first program found, 'PRG -c -1' and 'PRG -dc'" {
	command -v zstd >/dev/null || skip "zstd is not installed"
	# A pzstd of our own, first in GNU parallel's list.
	cat >zbin/pzstd <<-'EOF'
	#!/bin/sh
	echo "pzstd $*" >>"$ZLOG"
	exec zstd -q "$@"
	EOF
	chmod +x zbin/pzstd
	run -0 "$FANOUT" --compress 'spew 400000 a; : {}' ::: 1
	[ "$(printf '%s\n' "$output" | wc -l)" -eq 4000 ]
	run -0 sort -u zlog
	expect_output <<-'EOF'
	pzstd -c -1
	pzstd -dc
	EOF
	# None in PATH: the spool files stay plain (GNU parallel uses cat).
	PATH=$HELPERS "$FANOUT" -k -j2 --compress 'spew 400000 {}' ::: a b >plain
	{ spew 400000 a; spew 400000 b; } | cmp - plain
	# GNU parallel calls the same.
	rm zlog
	same --compress 'spew 400000 a; : {}' ::: 1
	run -0 sort -u zlog
	expect_output <<-'EOF'
	pzstd -c -1
	pzstd -dc
	EOF
}

@test "a compressor that fails: the job's output is lost, said, status 255" {
	run --separate-stderr "$FANOUT" --compress-program \
		'sh -c "cat >/dev/null; exit 3"' 'spew 1000000 a; : {}' ::: 1
	expect_status 255
	[ "$stderr" = "fanout: 'sh -c \"cat >/dev/null; exit 3\"' failed with status 3: a job's output is lost" ]
	# A compressor that stops reading.
	run --separate-stderr "$FANOUT" --compress-program 'head -c 1000' \
		'spew 1000000 a; : {}' ::: 1
	expect_status 255
	[ "$stderr" = "fanout: 'head -c 1000' did not read all of a job's output: it is lost" ]
	# GNU parallel fails too (status 1).
	run parallel --will-cite --compress-program 'sh -c "cat >/dev/null; exit 3"' \
		'spew 1000000 a; : {}' ::: 1
	[ "$status" -ne 0 ]
}

@test "a decompressor that fails or gives back too little: said, status 255" {
	run --separate-stderr "$FANOUT" --compress-program 'gzip -1' \
		--decompress-program 'sh -c "gzip -dc; exit 4"' 'spew 1000000 a; : {}' ::: 1
	expect_status 255
	[ "$stderr" = "fanout: 'sh -c \"gzip -dc; exit 4\"' failed with status 4: a job's output is lost" ]
	run --separate-stderr "$FANOUT" --compress-program cat \
		--decompress-program 'head -c 1000' 'spew 1000000 a; : {}' ::: 1
	expect_status 255
	[[ $stderr == "fanout: 'head -c 1000' gave back 1000 bytes of "*": a job's output is lost" ]]
	# The job itself succeeded: its status is in the joblog as it was.
	run --separate-stderr "$FANOUT" --joblog jl --compress-program cat \
		--decompress-program false 'spew 1000000 a; : {}' ::: 1
	expect_status 255
	[ "$(awk -F'\t' 'NR == 2 { print $7 }' jl)" = 0 ]
}

@test "--compress-program and --decompress-program that are not there: one line, status 255" {
	run --separate-stderr "$FANOUT" --compress-program 'nosuch -9' echo a
	expect_status 255
	[ "$output" = "" ]
	[ "$stderr" = "fanout: --compress-program: 'nosuch' is not found in PATH (see 'fanout --help')" ]
	run --separate-stderr "$FANOUT" --decompress-program ./nosuch echo a
	expect_status 255
	[ "$stderr" = "fanout: --decompress-program: './nosuch' cannot be run: No such file or directory (see 'fanout --help')" ]
}

@test "--compress --files: the kept files hold the output as it is (README: --compress)" {
	run -0 "$FANOUT" -k --compress-program 'zgzip -c -1' --files \
		spew 500000 ::: a b
	[ "${#lines[@]}" -eq 2 ]
	spew 500000 a | cmp - "${lines[0]}"
	spew 500000 b | cmp - "${lines[1]}"
	rm -f "${lines[@]}"
}

# A 1 MB tmpfs as $TMPDIR (root only, as in tests/45-diskfull.bats).
# small_disk [SIZE]: a tmpfs of SIZE (1m) at $SMALL, or skip the test.
small_disk() {
	SMALL=$BATS_TEST_TMPDIR/small
	mkdir -p "$SMALL"
	mount -t tmpfs -o size="${1:-1m}" tmpfs "$SMALL" 2>/dev/null ||
		skip "cannot mount a tmpfs here (needs root)"
}

@test "a full spool disk with --compress: output that compresses fits" {
	small_disk 40m
	# 4 x 20 MB of one digit, 3 of them held: 60 MB that gzip makes a
	# few KB, on a 40 MB disk of which 8 MB a compressor is kept free.
	# Job 1 ends only after the others: without compressing, they would
	# wait for room for ever.
	timeout 120 env TMPDIR="$SMALL" "$FANOUT" -k -j4 \
		--compress-program 'gzip -1' \
		'if [ {} = 1 ]; then waitfile done2 done3 done4; fi
		 spew 20000000 {} raw; touch done{}' ::: 1 2 3 4 >out
	for i in 1 2 3 4; do spew 20000000 $i raw; done | cmp - out
}

@test "a full spool disk with --compress: jobs wait, no output is lost (README: --compress)" {
	# Before: the compressor failed on the full disk, and the job's
	# output was lost (status 255).
	small_disk
	head -c 3000000 /dev/urandom >rnd
	timeout 120 env TMPDIR="$SMALL" "$FANOUT" -j1 \
		--compress-program 'gzip -1' 'cat rnd; : {}' ::: 1 >out 2>err
	cmp out rnd
	[ ! -s err ]
	for i in 1 2 3 4; do head -c 2000000 /dev/urandom >r$i; done
	timeout 120 env TMPDIR="$SMALL" "$FANOUT" -k -j4 \
		--compress-program 'gzip -1' 'sleep 0.{#}; cat r{}' ::: 4 3 2 1 >out
	cat r4 r3 r2 r1 | cmp - out
	timeout 120 env TMPDIR="$SMALL" "$FANOUT" -j4 \
		--compress-program 'gzip -1' 'cat r{}' ::: 4 3 2 1 >out
	# Each job's 2 MB whole, in the order they ended.
	[ "$(wc -c <out)" -eq 8000000 ]
	split -b 2000000 out part.
	[ "$(md5sum part.* | cut -d' ' -f1 | sort)" = \
		"$(md5sum r1 r2 r3 r4 | cut -d' ' -f1 | sort)" ]
}

@test "SIGINT while the compressor takes nothing: fanout stops it and ends (README: --compress)" {
	# Before the fix fanout waited in a blocking write for ever.
	start_fanout --compress-program 'echo $$ >z.pid; exec sleep 1000' \
		'spew 3000000 a; : {}' ::: 1
	waitfile z.pid
	kill -INT "$FPID"
	wait_fanout
	expect_status 130
	waitgone -r z.pid
}

@test "a compressor that is behind holds up no other job: their output goes out meanwhile" {
	# Job 1's compressor takes nothing until job 2's output is printed.
	# Before the fix fanout waited in a write to it, printing nothing,
	# until it gave the compressor up 30 s later and lost job 1's output.
	run -0 --separate-stderr timeout 60 bash -c '
		"$0" -j2 --compress-program "touch zstarted; waitfile seen; exec gzip -1" \
			"if [ {} = 1 ]; then spew 3000000 a; else waitfile zstarted; sleep 0.5; echo two; fi" ::: 1 2 |
		while IFS= read -r line; do
			printf "%s\n" "$line"
			if [ "$line" = two ]; then touch seen; fi
		done' "$FANOUT"
	[ "$stderr" = "" ]
	[ "${lines[0]}" = two ]
	[ "${#lines[@]}" -eq 30001 ]
	[ "$(printf '%s\n' "${lines[@]:1}")" = "$(spew 3000000 a)" ]
}

@test "a slow compressor: every byte comes back, in order, with -k" {
	# It takes a few KB at a time, so the job waits on it again and again.
	cat >zbin/zslow <<-'EOF'
	#!/bin/sh
	t=$(mktemp)
	while head -c 4096 >"$t" && [ -s "$t" ]; do cat "$t"; done | gzip -1
	rm -f "$t"
	EOF
	chmod +x zbin/zslow
	run -0 --separate-stderr "$FANOUT" -k -j3 --compress-program 'zslow' \
		--decompress-program 'gzip -dc' \
		'if [ {} = 1 ]; then waitfile done2 done3; fi
		 spew 600000 {} raw; touch done{}' ::: 1 2 3
	[ "$stderr" = "" ]
	[ "$output" = "$(for i in 1 2 3; do spew 600000 $i raw; done)" ]
}

@test "SIGTERM while the decompressor gives nothing: fanout stops it and ends" {
	start_fanout --compress-program 'gzip -1' \
		--decompress-program 'echo $$ >z.pid; exec sleep 1000' \
		'spew 1000000 a; : {}' ::: 1
	waitfile z.pid
	kill -TERM "$FPID"
	wait_fanout
	expect_status 143
	waitgone -r z.pid
}

@test "--compress --retries: a compressor that failed in a run thrown away does not count" {
	# The first compressor fails; the first run fails and runs again.
	cat >zbin/zfirst <<-'EOF'
	#!/bin/sh
	if mkdir zfailed 2>/dev/null; then cat >/dev/null; exit 3; fi
	exec gzip "$@"
	EOF
	chmod +x zbin/zfirst
	run --separate-stderr "$FANOUT" --retries 2 --compress-program 'zfirst -1' \
		'spew 1000000 a; test -e ran || { touch ran; exit 1; }; : {}' ::: 1
	expect_status 0
	[ "$stderr" = "" ]
	[ "${#lines[@]}" -eq 10000 ]
	[ -d zfailed ]
}

@test "the compressor gets no descriptor of fanout's but its stdin, stdout and stderr" {
	# fanout is given descriptor 7; ls's 3 is the directory it reads.
	run -0 "$FANOUT" --compress-program 'ls /proc/self/fd >fds; exec gzip -1' \
		'spew 1000000 a; : {}' ::: 1 7>/dev/null
	[ "${#lines[@]}" -eq 10000 ]
	[ "$(echo $(sort -n fds))" = "0 1 2 3" ]
}

@test "out of processes when the decompressor starts: waited out, nothing lost" {
	# Before the fix: 262144 bytes (what memory held), status 255.
	make -s -C "$TOP" tests/helpers/bin/faultshim.so >&2
	local asan=
	[[ ${FANOUT_SANITIZE:-} == *address* ]] &&
		asan="ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
	# Starts 3 to 5 fail: the job is 1, the compressor 2, the
	# decompressor 3, tried again until the 6th.
	run -0 env $asan LD_PRELOAD="$TOP/tests/helpers/bin/faultshim.so" \
		FAULT_LOG="$PWD/faults" FAULT_FORK_EAGAIN=window:3:5 \
		"$FANOUT" --compress-program 'gzip -1' 'spew 1000000 a; : {}' ::: 1
	[ "${#lines[@]}" -eq 10000 ]
	[ "$(wc -l <faults)" -eq 3 ]
}
