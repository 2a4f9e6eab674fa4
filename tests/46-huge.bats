#!/usr/bin/env bats
# Output far larger than memory: bytes all arrive, memory stays bounded.
# These move several GB each through fanout (about 10-30 s apiece).
bats_require_minimum_version 1.5.0
load helpers/common

@test "a single line over 4 GiB passes intact, in bounded memory" {
	local n=$((4 * 1024 * 1024 * 1024 + 4096))
	# The job prints n bytes of x and no newline: one line, spooled whole
	# before it is printed. cmp compares it with the same bytes made here.
	cmp <(/usr/bin/time -f %M -o rss "$FANOUT" \
		"head -c $n /dev/zero | tr '\\0' x; : {}" ::: 1) \
	    <(head -c "$n" /dev/zero | tr '\0' x)
	# time(1) runs in the process substitution: wait for its report.
	for _ in $(seq 300); do [ -s rss ] && break; sleep 0.1; done
	rss_below rss 65536
}

@test "-k over six jobs of 400 MB delivers every byte with peak RSS under 64 MB" {
	# Job i prints 400 MB of letter i: blockcheck prints the letter of
	# each 400 MB block, and fails on a block that is not one letter.
	/usr/bin/time -f %M -o rss "$FANOUT" -k -j 6 \
		"head -c 400000000 /dev/zero | tr '\\0' {}" ::: a b c d e f |
		blockcheck 400000000 1 >blocks
	run cat blocks
	expect_output <<-'EOF'
	a
	b
	c
	d
	e
	f
	EOF
	rss_below rss 65536
}

@test "a 100 MB input line works with {.}" {
	# Too long for one exec argument (Linux: 128 KiB): the command goes
	# to the shell as a script, where printf, a builtin, takes it whole.
	{ head -c 100000000 /dev/zero | tr '\0' a; echo .txt; } >in
	run --separate-stderr "$FANOUT" 'printf %s {.} | wc -c' <in
	expect_status 0
	expect_output <<-'EOF'
	100000000
	EOF
	# The same through a command with no shell syntax.
	run --separate-stderr "$FANOUT" echo {.} <in
	expect_status 0
	[ "${#output}" -eq 100000000 ]
}
