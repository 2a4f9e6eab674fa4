#!/usr/bin/env bats
# --plus's replacement strings modelled on bash's parameter expansion,
# {0%}, {choose_k}, {uniq}, {host}, {sshlogin}, and --header 0, side by
# side with GNU parallel 20221122 (`same`, tests/helpers/same.bash).
# GNU reads the regular expressions as Perl's, fanout as POSIX extended
# ones (README, "Deliberate differences"): the patterns here mean the same
# in both. Remote {host}/{sshlogin} are in tests/65-ssh.bats.

bats_require_minimum_version 1.5.0
load helpers/common
load helpers/same

@test "--plus {:-text}: the text when the value is empty (or 0, as GNU's Perl has it)" {
	same -k --plus echo x{:-def}y ::: '' 0 00 a
	expect_output <<-EOF
	xdefy
	xdefy
	x00y
	xay
	EOF
	# Text up to the first '}', blanks too; {:-} is text.
	same -k --plus echo '{:-a b}' '{:-a}}' '{:-}' ::: ''
}

@test "--plus {:N} and {:N:M}: from byte N, M bytes from byte N" {
	same -k --plus echo {:2} {:2:3} {:9} {:9:1} {:0:1} ::: abcdef ab ''
	[ "$(head -n 1 <<<"$output")" = "cdef cde   a" ]
	# Not numbers: text.
	same -k --plus echo {:N} {:1:} {:-1} ::: abc
}

@test "--plus {#re} {##re} {%re} {%%re}: the shortest or longest prefix or suffix re matches, removed" {
	same -k --plus echo {#z.*z.} {##z.*z.} {%.z.*z} {%%.z.*z} ::: z.z.z.foo foo.z.z.z
	expect_output <<-EOF
	z.foo foo z.z.z.foo z.z.z.foo
	foo.z.z.z foo.z.z.z foo.z foo
	EOF
	same -k --plus echo {#[0-9]+} {##[a-c]*} {%[.][a-z]+} {%%x} ::: 12ab.tar abc.gz
	# {###} is text; {%%} removes a final '%' ({%re} with re '%').
	same -k --plus echo {###} {%%} ::: 'a%'
}

@test "--plus {/re/text} {//re/text} {/#re/text} {/%re/text}: the first, every, a leading, a trailing match replaced" {
	same -k --plus echo {/a/X} {//a/X} {/#a/X} {/%a/X} {//an/} ::: banana abca
	expect_output <<-EOF
	bXnana bXnXnX banana bananX ba
	Xbca XbcX Xbca abcX abca
	EOF
	# The text may hold '/'; {/a.} and {/#/x} are text.
	same -k --plus echo {//a/b/c} {/a.} {/#/x} {/[0-9]+/N} ::: a/a1 x22
}

@test "--plus {^re} {^^re} {,re} {,,re}: a leading or every match in capitals or small letters" {
	same -k --plus echo {^a} {^^a} {^^[a-c]} '{,A}' '{,,A}' '{,,[A-C]}' ::: abcab ABCAB
	expect_output <<-EOF
	Abcab AbcAb ABCAB abcab abcab abcab
	ABCAB ABCAB ABCAB aBCAB aBCaB abcab
	EOF
	same -k --plus echo {^.} {^^.*} ::: é-a
}

@test "--plus: the positional forms, {2:-x} {-1:2} {1#a} {2%%b} {1^^a}" {
	same -k --plus echo {2:-d} {-1:2} {1#a} {2%%b} {1^^a} ::: aab ::: '' bb
	expect_output <<-EOF
	d  ab  AAb
	bb  ab b AAb
	EOF
	# Each value of {} transformed alone, in a direct command and in sh.
	same -k --plus echo {/a/X} ::: ab ::: ca
	same -k --plus 'echo {/a/X} | tr b B' ::: ab ::: ca
	same -k --plus -X echo x{//a/X} ::: ab ca
}

@test "without --plus the bash-like strings and {0%} {host} {uniq} are text" {
	same -k echo {:-x} {:2} {#a} {%a} {/a/b} {^a} {host} {sshlogin} {uniq} {choose_k} ::: abc
	expect_output <<<'{:-x} {:2} {#a} {%a} {/a/b} {^a} {host} {sshlogin} {uniq} {choose_k} abc'
}

@test "--plus {0%}: the slot, padded with zeros to -j's width" {
	# One job: which slot a second job gets depends on timing.
	same -k --plus -j 12 echo {0%}-{%} ::: a
	expect_output <<<01-1
	same -k --plus -j 100 echo {0%} ::: a
	expect_output <<<001
	same -k --plus -j 3 echo {0%} ::: a
	expect_output <<<1
}

# same_stdout ARGS...: fanout's stdout is GNU parallel's, and fanout
# exits 0 where GNU exits with the number of jobs left out (README,
# "Deliberate differences": they are not failures).
same_stdout() {
	local gnu
	gnu=$(parallel --will-cite "$@" 2>&1) || true
	run --separate-stderr "$FANOUT" "$@"
	expect_status 0
	expect_output <<<"$gnu"
}

@test "--plus {choose_k} and {uniq}: jobs left out unless in increasing order, or all different; their seqs used up" {
	same_stdout -k --plus echo {#} {##} {choose_k} ::: A B C ::: A B C
	expect_output <<-EOF
	2 9 A B
	3 9 A C
	6 9 B C
	EOF
	same_stdout -k --plus echo {#} {uniq} ::: A B C ::: A B C ::: A B
	expect_output <<-EOF
	6 A C B
	11 B C A
	14 C A B
	15 C B A
	EOF
	same_stdout -k --plus echo {1uniq} ::: A B ::: A B
	expect_output <<-EOF
	A
	B
	EOF
	# Compared as strings: 10 comes before 9.
	same_stdout -k --plus echo {choose_k} ::: 1 10 9 ::: 1 10 9
	expect_output <<-EOF
	1 10
	1 9
	10 9
	EOF
	# Every job left out: nothing runs, nothing in the joblog.
	run -0 "$FANOUT" --plus --joblog jl echo {uniq} ::: a ::: a
	expect_output <<<''
	[ "$(wc -l <jl)" -eq 1 ]
}

@test "--plus {host} and {sshlogin} of a local job are ':'" {
	same -k --plus echo {host} {sshlogin} ::: a
	expect_output <<<': :'
	same -k --plus -S : echo {host}-{sshlogin} ::: a
	# --tagstring as well.
	run -0 "$FANOUT" --plus --tagstring '{host}' echo {} ::: a
	expect_output <<<$':\ta'
}

@test "--plus: a bad regular expression is refused before any job, status 255" {
	local s
	for s in '{/a(/b}' '{%%[}' '{^^*}' '{,,\}'; do
		run --separate-stderr "$FANOUT" --plus 'echo ran >>ran; echo' "$s" ::: x
		expect_status 255
		[ "${#lines[@]}" -eq 0 ]
		[ "${stderr%%:*}" = fanout ]
		[[ $stderr == *"$s"*"bad regular expression"* ]]
		[ "$(wc -l <<<"$stderr")" -eq 1 ]
		[ ! -e ran ]
	done
	# In --tagstring too.
	run --separate-stderr "$FANOUT" --plus --tagstring '{/(/x}' echo ::: x
	expect_status 255
	[ "$stderr" = "fanout: {/(/x}: bad regular expression '(': Unmatched ( or \\(" ]
}

@test "--header 0: no header line; a :::: or -a file's path names its column" {
	printf 'f\nx\n' >hf
	printf 'h1\th2\nx\ty\n' >hf2
	same -k --header 0 echo {} ::: a b
	expect_output <<-EOF
	a
	b
	EOF
	same -k --header 0 echo {hf} {hf/} :::: hf
	same -k --header 0 -a hf -a hf2 echo {hf2}={hf}
	same -k --header 0 --colsep '\t' echo {hf2} {3} {hf.} :::: hf :::: hf2
	expect_output <<-EOF
	h1 h2 f
	x y f
	h1 h2 x
	x y x
	EOF
}

@test "--pipe --header N: N lines repeated in every block; 0: none" {
	seq 5 >in
	same -k --pipe --header 0 -N2 'cat; echo'
	same -k --pipe --header 2 -N1 'cat; echo'
	expect_output <<-EOF
	1
	2
	3
	
	1
	2
	4
	
	1
	2
	5
	
	EOF
}

@test "a ')' that closes no '(' is refused, as GNU parallel's Perl refuses it" {
	# Anchored in "^(...)", "a)|b" would be "^(a)|b)": matched anywhere,
	# {##re} cut past the value's end (fuzz_template, ASan).
	for s in '{##)|b}' '{##a)b}' '{%%b)}' '{#[x])}' '{/a)/c}' '{^a)}'; do
		run --separate-stderr "$FANOUT" --plus echo "$s" ::: 'xa)b'
		expect_status 255
		[[ $stderr == "fanout: $s: bad regular expression "*"a ')' that closes no '('"* ]]
		[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ]
		[ -z "$output" ]
	done
	run --separate-stderr "$FANOUT" --colsep 'a)' echo {1} ::: xa
	expect_status 255
	[[ $stderr == "fanout: --colsep: 'a)': a ')' that closes no '('"* ]]
	# A pattern that is wrong besides is told what regcomp() says.
	run --separate-stderr "$FANOUT" --colsep '[)' echo {1} ::: xa
	expect_status 255
	[[ $stderr == "fanout: --colsep: '[)': Unmatched ["* ]]
	for o in --recend --recstart; do
		run --separate-stderr "$FANOUT" --pipe --regexp $o 'a)' cat <<<x
		expect_status 255
		[[ $stderr == "fanout: $o: 'a)': a ')' that closes no '('"* ]]
	done
	# Escaped or in brackets, a ')' is a byte; in a group, a group.
	same --plus -k echo '{##a\)}' '{##[)]b}' '{%%(b)}' '{/(a\))/X}' ::: 'a)b' ')bc'
}

@test "a regular expression whose repetitions would explode is refused, not compiled for ever" {
	# glibc copies x once per '+' stacked on it (2^30 here): it took GBs
	# and minutes. --colsep and --recend share the guard.
	many=$(printf '+%.0s' $(seq 30))
	run --separate-stderr timeout -k 5 60 "$FANOUT" --plus echo "{#y.$many}" ::: ayb
	expect_status 255
	[[ $stderr == "fanout: "*"more than 3 repetition operators in a row"* ]]
	# Stacked '*' grow glibc's closures (60 took minutes under ASan).
	stars=$(printf '*%.0s' $(seq 60))
	run --separate-stderr timeout -k 5 60 "$FANOUT" --plus echo "{#a${stars}b}" ::: ab
	expect_status 255
	[[ $stderr == "fanout: "*"more than 3 repetition operators in a row"* ]]
	# An unmatched ')' becomes a group once {#re} anchors it: "^()++++++)"
	# did not compile in a minute (fuzz_template).
	run --separate-stderr timeout -k 5 60 "$FANOUT" --plus echo "{#)++++++}" ::: ab
	expect_status 255
	[[ $stderr == "fanout: "*"more than 3 repetition operators in a row"* ]]
	run --separate-stderr timeout -k 5 60 "$FANOUT" --colsep '((x{100}){100}){100}' echo {1} ::: axb
	expect_status 255
	[[ $stderr == "fanout: --colsep: "*"too many repetitions once expanded"* ]]
	run --separate-stderr timeout -k 5 60 "$FANOUT" --pipe --regexp --recend "((x{100}){100}){100}" cat <<<x
	expect_status 255
	[[ $stderr == "fanout: --recend: "*"too many repetitions once expanded"* ]]
	# Repetitions that stay small still work.
	run --separate-stderr "$FANOUT" --plus echo '{#a++}' ::: aab
	expect_status 0
	expect_output <<<"ab"
	run --separate-stderr "$FANOUT" --colsep 'x{2}' echo '{2}' ::: aaxxb
	expect_status 0
	expect_output <<<"b"
}
