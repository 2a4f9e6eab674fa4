#!/usr/bin/env bats
# Input sources and splitting (SPEC §2). Expected outputs were checked
# against GNU parallel 20221122 unless a comment says otherwise.

bats_require_minimum_version 1.5.0
load helpers/common

# A job template that shows an item's exact bytes: direct exec, one argument.
# (`echo x{}x` has no shell syntax, so `echo` here is /usr/bin/echo, which
# does not interpret backslashes.)

@test "stdin: one job per line, newline removed" {
	printf 'a\nb\nc\n' >in
	run fanout -k echo x{}x <in
	expect_status 0
	expect_output <<-'EOF'
	xax
	xbx
	xcx
	EOF
}

@test "stdin: with no command each line is a whole command" {
	printf 'echo a\necho b; echo c\necho d | tr d D\n' >in
	run fanout -k <in
	expect_status 0
	expect_output <<-'EOF'
	a
	b
	c
	D
	EOF
}

@test "::: gives one job per value" {
	run fanout -k echo x{}x ::: a b c
	expect_status 0
	expect_output <<-'EOF'
	xax
	xbx
	xcx
	EOF
}

@test "::: groups combine in GNU order, last group fastest" {
	run fanout -k echo ::: a b ::: 1 2 ::: x y
	expect_status 0
	expect_output <<-'EOF'
	a 1 x
	a 1 y
	a 2 x
	a 2 y
	b 1 x
	b 1 y
	b 2 x
	b 2 y
	EOF
}

@test ":::: FILE gives one job per line of FILE" {
	printf 'x\ny z\n' >f
	run fanout -k echo x{}x :::: f
	expect_status 0
	expect_output <<-'EOF'
	xxx
	xy zx
	EOF
}

@test ":::: with two files combines them like two groups" {
	printf 'a\nb\n' >f1
	printf '1\n2\n' >f2
	run fanout -k echo :::: f1 f2
	expect_status 0
	expect_output <<-'EOF'
	a 1
	a 2
	b 1
	b 2
	EOF
}

@test "-a FILE reads items from FILE" {
	printf 'x\ny\n' >f
	run fanout -k -a f echo x{}x
	expect_status 0
	expect_output <<-'EOF'
	xxx
	xyx
	EOF
}

@test "-a - reads items from stdin" {
	printf 'x\ny\n' >in
	run fanout -k -a - echo x{}x <in
	expect_status 0
	expect_output <<-'EOF'
	xxx
	xyx
	EOF
}

@test ":::: - reads stdin as a group" {
	printf 'x\ny\n' >in
	run fanout -k echo :::: - ::: 1 2 <in
	expect_status 0
	expect_output <<-'EOF'
	x 1
	x 2
	y 1
	y 2
	EOF
}

@test ":::+ links a group to the previous one pairwise" {
	run fanout -k echo ::: a b c :::+ 1 2 3
	expect_status 0
	expect_output <<-'EOF'
	a 1
	b 2
	c 3
	EOF
}

@test ":::+ with a shorter group stops at the shorter one" {
	# GNU documents that :::+ does not wrap (unlike --link); SPEC's
	# "a shorter group wraps around" is read as being about --link.
	run fanout -k echo ::: a b c :::+ 1 2
	expect_status 0
	expect_output <<-'EOF'
	a 1
	b 2
	EOF
}

@test ":::+ links only to the group before; other groups still combine" {
	run fanout -k echo ::: a b ::: x y :::+ 1 2
	expect_status 0
	expect_output <<-'EOF'
	a x 1
	a y 2
	b x 1
	b y 2
	EOF
}

@test "::::+ links a file group pairwise" {
	printf 'a\nb\n' >f1
	printf '1\n2\n' >f2
	run fanout -k echo :::: f1 ::::+ f2
	expect_status 0
	expect_output <<-'EOF'
	a 1
	b 2
	EOF
}

@test "--link links all groups and a shorter group wraps around" {
	run fanout -k --link echo ::: a b c d ::: 1 2 ::: x y z
	expect_status 0
	expect_output <<-'EOF'
	a 1 x
	b 2 y
	c 1 z
	d 2 x
	EOF
}

@test "-0 splits on NUL and keeps newlines in items" {
	printf 'a b\0c\nd\0' >in
	run fanout -0 -k echo x{}x <in
	expect_status 0
	expect_output <<-'EOF'
	xa bx
	xc
	dx
	EOF
}

@test "--null is -0" {
	printf 'a\0b\0' >in
	run fanout --null -k echo x{}x <in
	expect_status 0
	expect_output <<-'EOF'
	xax
	xbx
	EOF
}

@test "-d , splits on commas" {
	printf 'a,b c,d' >in
	run fanout -d , -k echo x{}x <in
	expect_status 0
	expect_output <<-'EOF'
	xax
	xb cx
	xdx
	EOF
}

@test "-d '\\t' is a tab, and a newline is then data" {
	printf 'a\tb\tc\n' >in
	run fanout -d '\t' -k echo x{}x <in
	expect_status 0
	expect_output <<-'EOF'
	xax
	xbx
	xc
	x
	EOF
}

@test "-d '\\0' is NUL and -d '\\n' is newline" {
	printf 'a\0b c\0' >in
	run fanout -d '\0' -k echo x{}x <in
	expect_status 0
	expect_output <<-'EOF'
	xax
	xb cx
	EOF
	printf 'a\nb\n' >in
	run fanout -d '\n' -k echo x{}x <in
	expect_status 0
	expect_output <<-'EOF'
	xax
	xbx
	EOF
}

@test "a NUL byte without -0: the item is refused, never run cut short" {
	# GNU parallel runs it with the NUL turned into the text \0, and xargs
	# cuts the item at the NUL, each with a warning. fanout runs neither:
	# the item and all after it are refused, with one line naming -0.
	mkdir old
	printf 'old\0\n' >in
	run --separate-stderr fanout rm -rf {}.bak <in
	expect_status 255
	[ -d old ]
	[ "$stderr" = "fanout: standard input: item 1 holds a NUL byte; reading stops there (for NUL-separated input use -0)" ]
	# The items before it ran; none after it.
	printf 'a\nb\0c\nd\n' >in
	run --separate-stderr fanout -k echo <in
	expect_status 255
	expect_output <<<'a'
	[ "$stderr" = "fanout: standard input: item 2 holds a NUL byte; reading stops there (for NUL-separated input use -0)" ]
	# find -print0 without -0: one item, refused.
	printf './x\0./y\0' >in
	run --separate-stderr fanout echo <in
	expect_status 255
	[ -z "$output" ]
}

@test "a NUL byte in a :::: or -a file without -0 is refused too" {
	printf 'x\ny\0z\n' >f
	run --separate-stderr fanout echo ::: 1 :::: f
	expect_status 255
	[ -z "$output" ]
	[ "$stderr" = "fanout: 'f': item 2 holds a NUL byte; reading stops there (for NUL-separated input use -0)" ]
	run --separate-stderr fanout -d y -a f echo
	expect_status 255
	expect_output <<<'x'
	[ "$stderr" = "fanout: 'f': item 2 holds a NUL byte; reading stops there (for NUL-separated input use -0)" ]
}

@test "--colsep REGEX splits items into {1} {2} {3}" {
	printf 'a::b:c\nd:e:f\n' >in
	run fanout -k --colsep ':+' echo {3} {2} {1} <in
	expect_status 0
	expect_output <<-'EOF'
	c b a
	f e d
	EOF
}

@test "--colsep with a bracket expression regex" {
	printf 'a,b;c\n' >in
	run fanout -k --colsep '[,;]' echo {2}-{1}-{3} <in
	expect_status 0
	expect_output <<-'EOF'
	b-a-c
	EOF
}

@test "empty items are jobs without -r" {
	printf 'a\n\nb\n\n' >in
	run fanout -k echo x{}x <in
	expect_status 0
	expect_output <<-'EOF'
	xax
	xx
	xbx
	xx
	EOF
}

@test "-r skips empty items" {
	# GNU's -r also skips whitespace-only lines; SPEC says "empty items",
	# so only truly empty ones are checked here.
	printf 'a\n\nb\n\n' >in
	run fanout -r -k echo x{}x <in
	expect_status 0
	expect_output <<-'EOF'
	xax
	xbx
	EOF
}

@test "--no-run-if-empty with only empty lines runs nothing" {
	printf '\n\n' >in
	run fanout --no-run-if-empty touch ran <in
	expect_status 0
	[ -z "$output" ]
	[ ! -e ran ]
}

@test "-N 2 gives two items per job as {1} {2}, odd count leaves {2} empty" {
	run fanout -k -N 2 echo {1}+{2} ::: a b c d e
	expect_status 0
	expect_output <<-'EOF'
	a+b
	c+d
	e+
	EOF
}

@test "items with blanks, quotes, backslashes, tabs pass through intact (direct exec)" {
	printf '%s\n' 'a  b' "it's" 'say "hi"' 'a\b\\c' "$(printf 't\tb')" ' lead' >in
	run fanout -k -j1 echo x{}x <in
	expect_status 0
	printf '%s\n' 'xa  bx' "xit'sx" 'xsay "hi"x' 'xa\b\\cx' "$(printf 'xt\tbx')" 'x leadx' |
	    expect_output
}

@test "items with blanks, quotes, backslashes, tabs pass through intact (shell)" {
	printf '%s\n' 'a  b' "it's" 'say "hi"' 'a\b\\c' "$(printf 't\tb')" ' lead' >in
	run fanout -k 'printf "x%sx\n" {}' <in
	expect_status 0
	printf '%s\n' 'xa  bx' "xit'sx" 'xsay "hi"x' 'xa\b\\cx' "$(printf 'xt\tbx')" 'x leadx' |
	    expect_output
}

@test "non-UTF-8 bytes pass through intact" {
	printf 'a\377b\n\300\n' >in
	run fanout -k echo x{}x <in
	expect_status 0
	printf 'xa\377bx\nx\300x' | expect_output
	run fanout -k 'printf "x%sx\n" {} | cat' <in
	expect_status 0
	printf 'xa\377bx\nx\300x' | expect_output
	run fanout -k echo x{}x ::: "$(printf '\377')"
	expect_status 0
	printf 'x\377x' | expect_output
}

@test "a 1 MB item goes through {.} whole (--dry-run)" {
	# No single argument of 1 MB can be exec'd on Linux (MAX_ARG_STRLEN is
	# 128 KiB), so the full megabyte is checked through --dry-run; GNU
	# refuses lines over ~64 KB here, SPEC says items may be any length.
	head -c 1000000 /dev/zero | tr '\0' a >big
	printf '.gz\n' >>big
	fanout --dry-run echo {.} :::: big >out
	run wc -c <out
	[ "$output" -eq 1000006 ]   # "echo " + 1000000 + newline
	run head -c 5 out
	[ "$output" = "echo " ]
	run tail -c 4 out
	[ "$output" = "aaa" ]
}

@test "a 100 KB item reaches a job whole through {.}" {
	head -c 100000 /dev/zero | tr '\0' a >big
	printf '.gz\n' >>big
	run fanout printf %s {.} :::: big
	expect_status 0
	[ "${#output}" -eq 100000 ]
	[ -z "${output//a/}" ]
	run fanout 'printf %s {.} | wc -c' :::: big
	expect_status 0
	[ "$output" -eq 100000 ]
}

@test "a missing final newline still ends the last item" {
	printf 'a\nb' >in
	run fanout -k echo x{}x <in
	expect_status 0
	expect_output <<-'EOF'
	xax
	xbx
	EOF
}

@test "CRLF: the carriage return is kept as data" {
	printf 'a\r\nb\r\n' >in
	run fanout -k echo x{}x <in
	expect_status 0
	printf 'xa\rx\nxb\rx' | expect_output
}

# Writes "a", then waits until the job for "a" has run before writing "b".
# If fanout read all its input before starting a job, the job for "a"
# would only run after the producer gave up waiting (a liveness bound of
# 30 s, not a speed assertion), and it would then see the file gave_up.
stream_producer() {
	local i=0
	echo a
	while [ ! -e started_a ] && [ "$i" -lt 300 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ -e started_a ] || touch gave_up
	echo b
}

@test "input is streamed: the first job starts before the input ends" {
	run fanout -k 'touch started_{}; if test -e gave_up; then echo late {}; else echo ok {}; fi' \
	    < <(stream_producer)
	expect_status 0
	expect_output <<-'EOF'
	ok a
	ok b
	EOF
	[ ! -e gave_up ]
}

@test "empty input runs no job and exits 0" {
	run fanout touch ran </dev/null
	expect_status 0
	[ -z "$output" ]
	[ ! -e ran ]
}

@test "an empty ::: list runs no job and exits 0" {
	run fanout touch ran :::
	expect_status 0
	[ ! -e ran ]
}

@test "a missing :::: file is one 'fanout: ' line on stderr and exit 255" {
	run --separate-stderr fanout echo :::: nosuchfile
	expect_status 255
	[ -z "$output" ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ ${stderr_lines[0]} == "fanout: "* ]]
}

@test "a missing -a file is one 'fanout: ' line on stderr and exit 255" {
	run --separate-stderr fanout -a nosuchfile echo
	expect_status 255
	[ -z "$output" ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ ${stderr_lines[0]} == "fanout: "* ]]
}
