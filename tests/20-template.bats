#!/usr/bin/env bats
# Command templates (SPEC §3). Expected outputs were checked against GNU
# parallel 20221122 unless a comment says otherwise.

bats_require_minimum_version 1.5.0
load helpers/common

@test "replacement strings on /a/b/c.tar.gz" {
	run fanout echo {} {.} {/} {//} {/.} ::: /a/b/c.tar.gz
	expect_status 0
	expect_output <<-'EOF'
	/a/b/c.tar.gz /a/b/c.tar c.tar.gz /a/b c.tar
	EOF
}

@test "replacement strings on plain edge values" {
	run fanout -k echo {}:{.}:{/}:{//}:{/.} ::: c.tar.gz c /c a.b/c 'x y/z w.t'
	expect_status 0
	expect_output <<-'EOF'
	c.tar.gz:c.tar:c.tar.gz:.:c.tar
	c:c:c:.:c
	/c:/c:c:/:c
	a.b/c:a.b/c:c:a.b:c
	x y/z w.t:x y/z w:z w.t:x y:z w
	EOF
}

@test "replacement strings on dotfiles, .. and the empty item (GNU's rules)" {
	# GNU's documented rules: {.} removes from the last '.' after the last
	# '/'; {//} is dirname(1), so the dirname of '' is '.'.
	run fanout -k echo {}:{.}:{/}:{//}:{/.} ::: .hidden .. ''
	expect_status 0
	expect_output <<-'EOF'
	.hidden::.hidden:.:
	..:.:..:.:.
	:::.:
	EOF
}

@test "replacement strings in a shell template" {
	run fanout 'echo {} {.} {/} {//} {/.} | cat' ::: '/a b/c.tar.gz'
	expect_status 0
	expect_output <<-'EOF'
	/a b/c.tar.gz /a b/c.tar c.tar.gz /a b c.tar
	EOF
}

@test "{n} forms pick group n" {
	run fanout -k echo {1}:{1.}:{1/}:{1//}:{1/.} {2}:{2.}:{2/}:{2//}:{2/.} \
	    ::: /a/b/c.tar.gz ::: x/y.z
	expect_status 0
	expect_output <<-'EOF'
	/a/b/c.tar.gz:/a/b/c.tar:c.tar.gz:/a/b:c.tar x/y.z:x/y:y.z:x:y
	EOF
}

@test "{2} {1} reorder two groups" {
	run fanout -k echo {2} {1} ::: a b ::: x y
	expect_status 0
	expect_output <<-'EOF'
	x a
	y a
	x b
	y b
	EOF
}

@test "a replacement string used twice and inside a word" {
	run fanout -k echo pre{}post {} ::: 'a b' c
	expect_status 0
	expect_output <<-'EOF'
	prea bpost a b
	precpost c
	EOF
}

@test "{#} is the job sequence number from 1" {
	run fanout -k echo {#}-{} ::: a b c
	expect_status 0
	expect_output <<-'EOF'
	1-a
	2-b
	3-c
	EOF
	printf 'x\ny\n' >in
	run fanout -k echo {#} <in
	expect_status 0
	expect_output <<-'EOF'
	1
	2
	EOF
}

@test "{%} is always 1 with -j1" {
	run fanout -j1 -k echo {%} ::: a b c d
	expect_status 0
	expect_output <<-'EOF'
	1
	1
	1
	1
	EOF
}

@test "{%} stays within 1..N with -jN" {
	run fanout -j2 echo {%} ::: a b c d e f
	expect_status 0
	[ "${#lines[@]}" -eq 6 ]
	for l in "${lines[@]}"; do
		[ "$l" = 1 ] || [ "$l" = 2 ]
	done
}

@test "-I STR replaces STR instead of {}" {
	run fanout -k -I XX echo XX-{} ::: a b
	expect_status 0
	expect_output <<-'EOF'
	a-{}
	b-{}
	EOF
}

@test "no replacement string: items are appended, space separated" {
	run fanout -k echo pre ::: 'a  b' c
	expect_status 0
	expect_output <<-'EOF'
	pre a  b
	pre c
	EOF
	run fanout -k echo pre ::: a b ::: 1
	expect_status 0
	expect_output <<-'EOF'
	pre a 1
	pre b 1
	EOF
}

@test "no replacement string in a shell template: appended items are quoted" {
	run fanout -k 'echo $((1+1))' ::: '$HOME' 'a;b'
	expect_status 0
	expect_output <<-'EOF'
	2 $HOME
	2 a;b
	EOF
}

# check_inert LINE: LINE, given as an input line and as a ::: value, comes
# out as data through a direct template and a shell template, and nothing
# it names as code runs.
check_inert() {
	local line=$1
	printf '%s\n' "$line" >in
	run fanout echo <in
	expect_status 0
	printf '%s\n' "$line" | expect_output
	run fanout echo ::: "$line"
	expect_status 0
	printf '%s\n' "$line" | expect_output
	run fanout 'printf "%s\n" {} | cat' <in
	expect_status 0
	printf '%s\n' "$line" | expect_output
	run fanout 'printf "%s\n" {} | cat' ::: "$line"
	expect_status 0
	printf '%s\n' "$line" | expect_output
	[ ! -e pwned ]
}

@test "quoting: \$(...) is data" {
	check_inert '$(touch pwned)'
}

@test "quoting: backquotes are data" {
	check_inert '`touch pwned`'
}

@test "quoting: ; is data" {
	check_inert 'a; touch pwned'
}

@test "quoting: | is data" {
	check_inert 'a | touch pwned'
}

@test "quoting: && and & are data" {
	check_inert 'a && touch pwned'
	check_inert 'touch pwned &'
}

@test "quoting: > redirection is data" {
	check_inert 'a > pwned'
	check_inert '>pwned'
}

@test "quoting: single and double quotes are data" {
	check_inert "it's"
	check_inert "'"
	check_inert 'say "hi"'
	check_inert '"'
	check_inert "'\$(touch pwned)'"
	check_inert '"$(touch pwned)"'
}

@test "quoting: * and ? globs do not match files" {
	touch x
	check_inert '*'
	check_inert '?'
	check_inert '[x]'
}

@test "quoting: \$VAR, ~, # and backslashes are data" {
	check_inert '$HOME'
	check_inert '~'
	check_inert '#c'
	check_inert 'a\b\\'
}

@test "quoting: a value with a newline is data in a shell template" {
	# Given with -0: GNU splits a ::: value at its newlines.
	printf 'a\ntouch pwned\0' >in
	run fanout -0 'printf "<%s>" {}; echo' <in
	expect_status 0
	expect_output <<-'EOF'
	<a
	touch pwned>
	EOF
	[ ! -e pwned ]
}

@test "-q quotes the command's own words" {
	run fanout -q printf '%s|\n' ::: 'a b'
	expect_status 0
	expect_output <<-'EOF'
	a b|
	EOF
	run fanout -q echo 'a;b' '$HOME' ::: v
	expect_status 0
	expect_output <<-'EOF'
	a;b $HOME v
	EOF
}

@test "--quote is -q" {
	run fanout --quote echo '$HOME' '*' ::: v
	expect_status 0
	expect_output <<-'EOF'
	$HOME * v
	EOF
}

@test "other braces are left alone: awk '{print \$1}'" {
	# SPEC says the command's words are joined with spaces as in GNU
	# parallel, so `fanout awk '{print $1}' ::: f` becomes the shell text
	# `awk {print $1} f` and fails in both tools (a deliberate, documented
	# choice: scripts written for GNU parallel keep their meaning). What
	# must hold is that {print $1} is not taken for a replacement string:
	# with -q, or with the awk program quoted inside one word, it works.
	printf 'hello world\nfoo bar\n' >f
	run fanout -q awk '{print $1}' ::: f
	expect_status 0
	expect_output <<-'EOF'
	hello
	foo
	EOF
	run fanout "awk '{print \$1}'" ::: f
	expect_status 0
	expect_output <<-'EOF'
	hello
	foo
	EOF
	run fanout --dry-run awk '{print $1}' ::: f
	expect_output <<-'EOF'
	awk {print $1} f
	EOF
}

@test "other braces are left alone: {a,b} and {x} are literal" {
	# GNU prints "a b" here because it runs bash, which brace-expands;
	# SPEC leaves braces alone and /bin/sh has no brace expansion.
	run fanout echo '{a,b}' '{x}' '{ }' '{1x}' '{}' ::: v
	expect_status 0
	expect_output <<-'EOF'
	{a,b} {x} { } {1x} v
	EOF
}

make_logsh() {
	cat >logsh <<-EOF
	#!/bin/sh
	echo used >>"$PWD/shell.log"
	exec /bin/sh "\$@"
	EOF
	chmod +x logsh
}

@test "--shell PATH runs a shell template with PATH" {
	make_logsh
	run fanout --shell "$PWD/logsh" 'echo {} | tr a A' ::: a
	expect_status 0
	expect_output <<-'EOF'
	A
	EOF
	run cat shell.log
	expect_output <<-'EOF'
	used
	EOF
}

@test "\$FANOUT_SHELL runs a shell template" {
	make_logsh
	FANOUT_SHELL=$PWD/logsh run fanout -k 'echo {} | tr a A' ::: a ba
	expect_status 0
	expect_output <<-'EOF'
	A
	bA
	EOF
	run cat shell.log
	expect_output <<-'EOF'
	used
	used
	EOF
}

@test "lines read as whole commands always go to the shell" {
	make_logsh
	printf 'echo a\n' >in
	run fanout --shell "$PWD/logsh" <in
	expect_status 0
	expect_output <<-'EOF'
	a
	EOF
	run cat shell.log
	expect_output <<-'EOF'
	used
	EOF
}

@test "a template without shell syntax runs without a shell" {
	make_logsh
	run fanout --shell "$PWD/logsh" echo x{}x ::: 'a;b'
	expect_status 0
	expect_output <<-'EOF'
	xa;bx
	EOF
	[ ! -e shell.log ]
	FANOUT_SHELL=$PWD/logsh run fanout echo ::: a
	expect_status 0
	[ ! -e shell.log ]
}

@test "--dry-run prints commands with GNU's quoting" {
	run fanout --dry-run -k echo {} ::: abc a.b/c-d_e+f 'a b' "it's" '$x' '*' ''
	expect_status 0
	expect_output <<-'EOF'
	echo abc
	echo a.b/c-d_e+f
	echo 'a b'
	echo 'it'"'"'s'
	echo '$x'
	echo '*'
	echo ''
	EOF
}

@test "--dry-run of a shell template and of appended items" {
	run fanout --dry-run 'echo {} | cat' ::: 'a b'
	expect_status 0
	expect_output <<-'EOF'
	echo 'a b' | cat
	EOF
	run fanout --dry-run -k echo pre ::: 'a b' c
	expect_status 0
	expect_output <<-'EOF'
	echo pre 'a b'
	echo pre c
	EOF
}

@test "--dry-run -q shows the quoted command words" {
	run fanout --dry-run -q printf '%s|\n' ::: 'a b'
	expect_status 0
	expect_output <<-'EOF'
	printf '%s|\n' 'a b'
	EOF
}

@test "--dry-run runs nothing" {
	run fanout --dry-run -k touch {} ::: f1 f2
	expect_status 0
	expect_output <<-'EOF'
	touch f1
	touch f2
	EOF
	[ ! -e f1 ]
	[ ! -e f2 ]
	printf 'touch f3\n' >in
	run fanout --dry-run <in
	expect_status 0
	expect_output <<-'EOF'
	touch f3
	EOF
	[ ! -e f3 ]
}

@test "a value in the command's first word is command text (GNU parallel)" {
	# parallel(1): "Replacement strings are normally quoted ... The
	# exception is if the command starts with a replacement string".
	run fanout {} ::: 'echo a; echo b'
	expect_status 0
	expect_output <<-'EOF'
	a
	b
	EOF
	run fanout '{} x' ::: 'echo hi'
	expect_status 0
	expect_output <<-'EOF'
	hi x
	EOF
	run fanout '{.} x' ::: 'echo hi.c'
	expect_status 0
	expect_output <<-'EOF'
	hi x
	EOF
	run fanout -I XX 'XX x' ::: 'echo hi'
	expect_status 0
	expect_output <<-'EOF'
	hi x
	EOF
	run fanout -k {} < <(printf 'echo c; echo d\necho e\n')
	expect_status 0
	expect_output <<-'EOF'
	c
	d
	e
	EOF
}

@test "values after the first word stay quoted data (deliberate difference)" {
	# GNU parallel 20221122 leaves {2} unquoted too (it runs `c`); fanout
	# quotes every value outside the first word (README).
	run fanout -N2 '{1} {2}' ::: 'echo hi' 'a; echo c'
	expect_status 0
	expect_output <<-'EOF'
	hi a; echo c
	EOF
	run fanout --dry-run '{.} {}' ::: 'echo a;b.c'
	expect_output <<-'EOF'
	echo a;b 'echo a;b.c'
	EOF
	# An assignment is not the command: V={} stays quoted, as in GNU.
	run fanout 'V={} printenv V' ::: 'a; b'
	expect_status 0
	expect_output <<-'EOF'
	a; b
	EOF
}

@test "-q: a value in the first word is one argument, not command text" {
	# GNU parallel -q runs 'echo hi' as a command name too.
	run --separate-stderr fanout -q {} x ::: 'echo hi'
	expect_status 1
	[ -z "$output" ]
	[[ "$stderr" == *"echo hi: command not found"* ]]
}
