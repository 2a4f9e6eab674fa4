#!/usr/bin/env bats
# --pipe and --pipe-part (SPEC §12): input cut into blocks of whole
# records, each block one job's stdin, side by side with GNU parallel
# 20221122 (`same`, tests/helpers/same.bash: same stdout, same status),
# and what only fanout can be asked (memory, files left behind, errors).

bats_require_minimum_version 1.5.0
load helpers/common
load helpers/same

# ./in: the stdin `same` gives both tools.
lines() {
	seq 1 "$1" >in
}

# --- blocks of standard input -------------------------------------------

@test "--pipe: each block is the whole lines that fit in --block bytes" {
	lines 1000
	same -k --pipe --block 50 wc -c
	[ "${#lines[@]}" -gt 50 ] || [ "$(printf '%s\n' "$output" | wc -l)" -gt 50 ]
	same -k --pipe --block 1k wc -c
	same -k --pipe --block 1K wc -c
	# Lean: GNU parallel starts a perl per block, and 600 blocks took it
	# past same's 60 s on a loaded machine.
	lines 100
	same -k --pipe --block 7 wc -c
	[ "$(printf '%s\n' "$output" | wc -l)" -gt 40 ]
	same -k --block-size 100 --spreadstdin 'cat; echo end'
}

@test "--pipe: the default block is 1M, and every byte arrives once" {
	lines 600000 # 3.9 MB: four blocks
	same -k --pipe wc -lc
	[ "$(printf '%s\n' "$output" | wc -l)" -eq 4 ]
	run bash -c "\"$FANOUT\" -k --pipe cat <in | cmp - in"
	expect_status 0
}

@test "--pipe -N: N records a job, whatever the block size" {
	lines 100
	same -k --pipe -N 7 wc -l
	same -k --pipe -N 7 --block 100 'tr "\n" " "; echo'
	printf '\n\na\nb\n' >in
	same -k --pipe -N 1 wc -c
}

@test "--pipe -L N: blocks of whole groups of N lines, the last group alone" {
	lines 30
	same -k --pipe -L 2 'cat; echo :'
	[ "$(printf '%s\n' "$output" | grep -c :)" -eq 1 ]
	same -k --pipe -L 3 --block 10 'cat; echo :'
	same -k --pipe --max-lines 4 --block 12 'cat; echo :'
	same -k --pipe -L 0 --block 10 'cat; echo :'
	# -N N -L L: N * L records a block.
	same -k --pipe -L 2 -N 3 'cat; echo :'
	lines 31
	same -k --pipe -L 2 'cat; echo :'
	[ "$(printf '%s\n' "$output" | grep -c :)" -eq 2 ]
	printf 'a b\nc\nd\ne' >in
	same -k --pipe -L 3 'cat; echo :'
	same -k --pipe -L 2 --recend b 'cat; echo :'
}

@test "--pipe -r: lines of white space only are dropped; none left, no job" {
	printf 'a\n\n  \nb\n \t\n \r\n\f\nx \n  y\n' >in
	same -k --pipe -r 'cat; echo :'
	[[ "$output" != *"  "$'\n'* ]]
	same -k --pipe -r -N 1 'cat; echo :'
	same -k --no-run-if-empty --pipe -L 2 'cat; echo :'
	{ seq 3; yes '' | head -n 3000; seq 3; } >in
	same -k --pipe -r --block 100 'cat; echo :'
	printf 'h\n\n\na\n\n' >in
	same -k --pipe -r --header 2 'cat; echo :'
	printf '\n \n\t\n' >in
	SAME_EMPTY=1 same --pipe -r echo ran
	[ -z "$output" ]
	run -0 fanout --pipe echo ran <in
	[ "$output" = ran ]
}

@test "--rrs: record ends and starts are taken out of each block" {
	lines 12
	same -k --pipe --rrs -N 5 'cat; echo :'
	same -k --pipe --remove-rec-sep --block 10 'cat; echo :'
	printf 'h\nSaE\nSbE\nScE\n' >in
	same -k --pipe --rrs --header : --recstart S -N 1 'cat; echo :'
	same -k --pipe --rrs --recstart S --recend 'E\n' -N 2 'cat; echo :'
	same -k --pipe --rrs --recstart S --recend 'E\n' --regexp -N 2 \
		'cat; echo :'
	same -k --pipe --removerecsep --regexp --recend '[a-c]E' -N 1 \
		'cat; echo :'
	printf 'aEE\nbE\ncE' >in
	same -k --pipe --rrs --recend E -N 1 'cat; echo :'
}

# The producer holds back its last line until a job has been given the
# first two: only --block-timeout lets a block go before the input ends.
@test "--block-timeout: a block whose input stalls goes with what came" {
	command -v parallel >/dev/null || skip "GNU parallel is not installed"
	for tool in "$FANOUT" "parallel --will-cite"; do
		rm -f seen
		{
			printf 'a\nb\nc'
			wait_for grep -q b seen
			printf 'd\ne\n'
		} | $tool --pipe --bt 1 -k '{ echo J; cat; } | tee -a seen' >out
		printf '%s\n' "$tool" >>all
		cat out >>all
	done
	run cat all
	expect_output <<-EOF
		$FANOUT
		J
		a
		b
		J
		cd
		e
		parallel --will-cite
		J
		a
		b
		J
		cd
		e
	EOF
}

@test "--block-timeout: fractions of a second, and only whole records go" {
	rm -f out
	{
		printf 'a\nb\nc'
		wait_for grep -q b out
		printf 'd\n'
	} | fanout --pipe --blocktimeout 0.05 -k 'echo J; cat' >out
	run cat out
	expect_output <<-EOF
		J
		a
		b
		J
		cd
	EOF
}

@test "--recend, --recstart and both: a block ends only where records meet" {
	lines 200
	same -k --pipe --recend 0 --block 30 'cat; echo :'
	same -k --pipe --recstart 1 --block 60 'cat; echo :'
	same -k --pipe --recstart 1 --recend '\n' --block 60 'cat; echo :'
	same -k --pipe --recstart 2 -N 3 'cat; echo :'
	printf 'a\0b\0cc\0ddd\0' >in
	same -k --pipe --recend '\0' --block 5 'od -c'
}

@test "--recend '': blocks of exactly --block bytes, or -N bytes" {
	lines 100
	same -k --pipe --recend '' --block 30 'cat; echo :'
	same -k --pipe --recend '' -N 7 'cat; echo :'
}

@test "--regexp: --recend and --recstart are regular expressions" {
	lines 100
	same -k --pipe --regexp --recend '[05]\n' --block 40 'cat; echo :'
	same -k --pipe --regexp --recstart '^[05]' --block 200 'cat; echo :'
	same -k --pipe --regexp --recstart '^[0-9]0' --recend '\n' -N 2 \
		'cat; echo :'
	# Before the first record start: a block of its own (-N).
	same -k --pipe --regexp --recstart '^[05]' -N 2 'cat; echo :'
}

@test "--regexp: a record end or start that matches the empty string is refused" {
	# It would end a record at every place: GNU parallel cuts such input
	# after every byte or not at all, as Perl's split() falls (README).
	printf 'abc\ndef\nxx\nghi\n' >in
	for re in 'x*' '(x)*' 'x?x?' '$' '^' '\n*'; do
		run --separate-stderr fanout -k --pipe --regexp --recend "$re" cat <in
		expect_status 255
		[ "$stderr" = "fanout: --recend: '$re' matches the empty string: a record end must hold a byte" ]
		[ -z "$output" ]
	done
	run --separate-stderr fanout --pipe --regexp --recstart 'x*' cat <in
	expect_status 255
	[ "$stderr" = "fanout: --recstart: 'x*' matches the empty string: a record start must hold a byte" ]
	run --separate-stderr fanout --pipe-part -a in --regexp --recend 'x?' cat
	expect_status 255
	[[ $stderr == "fanout: --recend: 'x?' matches the empty string"* ]]
	# Once the end holds a byte, a start that may be empty is fine.
	same -k --pipe --regexp --recend '\n' --recstart 'x*' -N 1 'cat; echo "|"'
	same -k --pipe --regexp --recend 'x+' -N 1 'cat; echo "|"'
}

@test "a record longer than the block makes blocks grow, as GNU parallel's" {
	{ seq 1 20; printf '%0300d\n' 7; seq 30 90; } >in
	same -k --pipe --block 40 wc -c
	[ -n "$(cat err.fanout)" ] # it says so
	same -k --pipe --recstart 1 --block 30 'cat; echo :'
}

@test "--header: the header goes before every block" {
	lines 100
	same -k --pipe --header 1 --block 40 'cat; echo :'
	same -k --pipe --header 3 -N 10 'cat; echo :'
	same -k --pipe --header : -N 20 wc -l
	same -k --pipe --header '1\n2\n' --block 50 'cat; echo :'
	same -k --pipe --header '[0-9]*\n' -N 33 'head -n 2'
}

@test "no input: no job" {
	: >in
	SAME_EMPTY=1 same --pipe echo ran
	[ -z "$output" ]
}

@test "bytes of any value pass intact" {
	head -c 3000000 /dev/urandom >in
	run bash -c "\"$FANOUT\" -k --pipe --recend '' --block 100k cat <in | cmp - in"
	expect_status 0
	run bash -c "\"$FANOUT\" -k -j3 --pipe --block 64k cat <in | cmp - in"
	expect_status 0
}

@test "a job that reads little of its block succeeds, the others go on" {
	# README, "Deliberate differences": GNU parallel reports each such
	# job killed by SIGPIPE (its feeder's), and exits 6 here.
	lines 100000
	run fanout -k --pipe --block 100k 'head -n 1' <in
	expect_status 0
	expect_output <<'EOF'
1
18518
35184
51850
68516
85182
EOF
}

@test "memory stays about jobs x block size, not the input's size" {
	seq 1 20000000 >in # 158 MB
	/usr/bin/time -f %M -o rss "$FANOUT" -j2 --pipe --block 1M wc -l <in >counts
	[ "$(awk '{ s += $1 } END { print s }' counts)" -eq 20000000 ]
	echo "max RSS: $(cat rss) KB" >&2
	rss_below rss 40000
}

# --- --cat and --fifo ------------------------------------------------------

@test "--cat: the block in a file named by {}, removed after the job" {
	lines 100
	same -k --pipe --cat --block 50 'wc -c < {}'
	same -k --cat --block 50 'cat {} | wc -l'
	# With no {} the name is appended, as GNU parallel does.
	run fanout -k --cat --block 100 'wc -c' <in
	expect_status 0
	[ "$(printf '%s\n' "$output" | awk '{ s += $1 } END { print s }')" -eq 292 ]
	[ -z "$(ls "$TMPDIR")" ]
}

@test "--fifo: the block through a FIFO named by {}" {
	lines 100
	same -k --pipe --fifo --block 50 'wc -c < {}'
	same -k --fifo -N 9 'cat {}; echo :'
	[ -z "$(ls "$TMPDIR")" ]
}

@test "--fifo: a job that never opens its FIFO ends all the same" {
	lines 10
	run timeout 30 "$FANOUT" -k --fifo -N 5 'echo {} | sed "s,.*/,,"' <in
	expect_status 0
	[ "$(printf '%s\n' "$output" | wc -l)" -eq 2 ]
	[ -z "$(ls "$TMPDIR")" ]
}

# --- --pipe-part -----------------------------------------------------------

@test "--pipe-part: blocks of the -a file end at the first record end after --block bytes" {
	seq 1 1000 >file
	same -k --pipe-part -a file --block 50 wc -c
	same -k --pipe-part -a file --block 1k 'head -n 1'
	same -k --pipepart -a file --recend 0 --block 100 'tail -n 1'
	same -k --pipe-part -a file --recstart 5 --block 100 'head -n 1'
	# README, "Deliberate differences": with --regexp too, the first
	# record end after --block bytes (GNU parallel takes the last one in
	# the 128 KiB it reads there).
	run fanout -k --pipe-part --regexp --recend '9\n' -a file \
		--block 1000 'tail -n 1'
	expect_status 0
	expect_output <<'EOF'
279
539
799
1000
EOF
}

@test "--pipe-part --block -N: N blocks a slot; the default is 10" {
	seq 1 10000 >file
	same -k -j2 --pipe-part -a file --block -1 wc -l
	[ "$(printf '%s\n' "$output" | wc -l)" -eq 2 ]
	same -k -j2 --pipe-part -a file --block -3 wc -l
	same -k -j3 --pipe-part -a file wc -l
	[ "$(printf '%s\n' "$output" | wc -l)" -eq 30 ]
}

@test "--pipe-part: the header goes before every block" {
	seq 1 1000 >file
	same -k --pipe-part -a file --header 2 --block 300 'head -n 3'
	same -k -j2 --pipe-part -a file --header : --block -1 'head -n 2; wc -l'
}

@test "--pipe-part with --cat and --fifo" {
	seq 1 1000 >file
	same -k --pipe-part -a file --block 1000 --cat 'wc -c <{}'
	same -k --pipe-part -a file --header 1 --block 1000 --fifo 'head -n 2 {}'
	[ -z "$(ls "$TMPDIR")" ]
}

@test "--pipe-part: every byte of a large file arrives once" {
	head -c 5000000 /dev/urandom | od -An -tx1 >file
	run bash -c "\"$FANOUT\" -k -j3 --pipe-part -a file --block 100k cat | cmp - file"
	expect_status 0
	run bash -c "\"$FANOUT\" -k -j2 --pipe-part -a file --block -1 cat | cmp - file"
	expect_status 0
}

# --- as for other jobs -----------------------------------------------------

@test "the joblog's Send column is the bytes a job was given" {
	lines 1000
	same -k --pipe --block 500 --joblog log wc -l
	same_file log sh -c 'sort -n | cut -f 1,5,7'
	seq 1 1000 >file
	# README, "Deliberate differences": GNU parallel's --pipe-part
	# joblog says 0 (its jobs read the file themselves).
	run fanout -k --pipe-part -a file --header 1 --block 1500 \
		--joblog log true
	expect_status 0
	# In Seq order: the jobs may end in any order.
	run sh -c 'sort -n log | cut -f 1,5'
	expect_output <<'EOF'
Seq	Send
1	1504
2	1506
3	887
EOF
}

@test "--retries: a failed job gets the same block again" {
	lines 30
	# The first run of each block fails; the second prints it.
	cat >flaky <<'EOF'
#!/bin/sh
cat >block.$$
first=$(head -n 1 block.$$)
if [ ! -e seen.$first ]; then touch seen.$first; exit 1; fi
cat block.$$
EOF
	chmod +x flaky
	same -k --pipe -N 7 --retries 2 ./flaky
	[ "$(printf '%s\n' "$output" | wc -l)" -eq 30 ]
}

@test "--halt and -k work as for other jobs" {
	lines 100
	same -k -j1 --pipe -N 10 --halt now,fail=1 'grep -q 35 && exit 4; echo ok'
	same -k -j1 --pipe -N 10 --halt now,success=2 'grep 9'
}

@test "--tag, --lb and --results with blocks" {
	lines 100
	same -k --pipe -N 30 --tagstring 'b{#}' wc -l
	SAME_SORT=1 same --lb --pipe -N 30 wc -l
	run fanout -k --pipe -N 60 --results res wc -l <in
	expect_status 0
	[ "$(cat res/1/stdout)" = 60 ] && [ "$(cat res/2/stdout)" = 40 ]
}

# --- errors ----------------------------------------------------------------

@test "usage errors of --pipe are one line and status 255" {
	: >in
	for args in "--pipe --cat --fifo true" "--pipe-part true" \
		"--pipe echo ::: a" "--pipe --block 1x true" \
		"--pipe --block -1 true" "--recend x true" \
		"--pipe --regexp --recend ( true" \
		"--pipe-part -a in -N 2 true" "--pipe --pipe-part -a in true" \
		"--round-robin --cat true" "--pipe --bt 0 true" \
		"--pipe --block-timeout x true" "--pipe --bt -1s true" \
		"--bt 1 true" "--rrs true" "--pipe-part -a in --rrs true" \
		"--pipe-part -a in -L 2 true" "--pipe-part -a in --max-lines 2 true" \
		"--pipe -L x true"; do
		run -255 fanout $args <in
		[ "${#lines[@]}" -eq 1 ]
		[[ "$output" == "fanout: "* ]]
	done
}

@test "--pipe-part on a pipe is refused: it cannot seek" {
	run -255 bash -c "seq 3 | \"$FANOUT\" --pipe-part -a /dev/stdin cat"
	[[ "$output" == *"not a file fanout can seek in"* ]]
}

# --- --round-robin -----------------------------------------------------------

@test "--round-robin: a job a slot at most, each given blocks as it takes them" {
	lines 3
	same -j4 --pipe --round-robin wc -l
	[ "$output" = 3 ]
	lines 200000
	run fanout -j3 --round-robin --block 10k --joblog log wc -l <in
	expect_status 0
	[ "$(printf '%s\n' "$output" | wc -l)" -eq 3 ]
	[ "$(printf '%s\n' "$output" | awk '{ s += $1 } END { print s }')" -eq 200000 ]
	# Send adds up to the input: every block went to one job.
	[ "$(awk -F'\t' 'NR > 1 { s += $5 } END { print s }' log)" -eq "$(wc -c <in)" ]
}

@test "--round-robin: records arrive whole, the header once a job" {
	lines 100000
	run bash -c "\"$FANOUT\" -j3 --round --block 4k cat <in | sort -n | cmp - in"
	expect_status 0
	{ echo head; seq 1 50000; } >in
	run fanout -j2 --round-robin --header 1 --block 1k 'grep -c head' <in
	expect_status 0
	expect_output <<'EOF'
1
1
EOF
}

@test "--round-robin refuses --retries, --cat and --fifo" {
	: >in
	for args in "--retries 2" --cat --fifo; do
		run -255 fanout --round-robin $args true <in
		[ "${#lines[@]}" -eq 1 ]
	done
}
