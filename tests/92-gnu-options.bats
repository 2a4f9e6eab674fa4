#!/usr/bin/env bats
# GNU parallel's options that scripts use (issue 13), each compared side by
# side with GNU parallel 20221122 (`same`, tests/helpers/same.bash): the
# same stdout and exit status. Where fanout differs on purpose (README,
# "Deliberate differences from GNU parallel") the test asserts fanout's
# documented behaviour instead and names the README entry.

bats_require_minimum_version 1.5.0
load helpers/common
load helpers/same

# --- xargs's options: -P, -n, -m, -X, --xargs, -L, -E, -s ------------------

@test "-P and --max-procs are -j" {
	same -k -P 2 echo ::: a b c
	same -k --max-procs=1 echo ::: a b c
	run --separate-stderr "$FANOUT" -P x echo a
	expect_status 255
	[[ $stderr == "fanout: -j: 'x' is not a number of jobs"* ]]
}

@test "-n N: at most N arguments per job, {} is all of them" {
	same -k -n2 echo ::: a b c d e
	same -k -n2 echo x{}y ::: a b c d e
	same -k --max-args 2 echo {1}-{2} ::: a b c d e
	same -k -n3 echo ::: a b ::: 1 2
	printf 'a\nb\nc\n' >in
	same -k -n2 echo
}

@test "-n 0 and -N 0: one job per item, the item inserted nowhere" {
	same -k -n0 echo x ::: a b
	same -k -N0 echo x ::: a b
}

@test "-X: context replace, as many arguments as fit" {
	same -k -j1 -X echo pre{}post ::: a b c
	same -k -j1 -X echo x{.}y {} {/} ::: d/a.c d/b.c
	same -k -j1 -X echo {} {} ::: a b c
	# Every value of several groups is an argument of its own.
	same -k -j1 -X echo x{}y ::: a b ::: c d
	# Under a shell too.
	same -k -j1 -X 'echo x{}y | tr x X' ::: a b c
}

@test "-m and --xargs: the arguments go where {} is, as one list" {
	same -k -j1 -m echo pre{}post ::: a b c
	same -k -j1 -m echo x{}y ::: a b ::: c d
	same -k -j1 --xargs echo pre{}post ::: a b c
	printf '%s\n' 1 2 3 4 5 >in
	same -k -j1 --xargs echo
}

@test "-m and -X spread a short input over the job slots; --xargs does not" {
	same -k -j2 -X echo pre{}post ::: a b c
	same -k -j3 -X echo ::: a b c d e f g
	same -k -j2 -m echo ::: a b c d e
	same -k -j3 --xargs echo ::: a b c d e f g
	# With -n the count is spread too: 2 lines over 2 slots.
	same -k -j2 -n3 -X echo ::: a b c
}

@test "-s N: each command is shorter than N bytes" {
	seq 1 300 >in
	same -k -j1 -s 100 -X echo
	same -k -j1 -s 100 -m echo x{}y
	same -k -j1 --max-chars=30 -X echo x{}y
	same -k -j1 -n5 -s 16 echo
	# Quoted values count as quoted.
	same -k -j1 -s 20 -X echo ::: "a b" "c'd" e f g h i
}

@test "-s: one item too long alone is an error, after the jobs before it" {
	run --separate-stderr "$FANOUT" -k -s 12 echo ::: ab abcdefghijkl cd
	expect_status 255
	expect_output <<-'EOF'
	ab
	EOF
	[ "$stderr" = "fanout: command line too long (17 >= 12) at input: 'abcdefghijkl'" ]
	run --separate-stderr parallel --will-cite -k -s 12 echo ::: ab abcdefghijkl cd
	expect_status 255
	run --separate-stderr "$FANOUT" -s 0 echo a
	expect_status 255
	[ "$stderr" = "fanout: -s: '0' must be at least 1 (see 'fanout --help')" ]
}

@test "-X and -m fill the default command length, as GNU parallel's" {
	seq 1 30000 >in
	# Both pack thousands per command; the counts differ with the limits
	# each finds on the machine (--show-limits), never the arguments.
	"$FANOUT" -j1 -X echo <in >out
	[ "$(wc -l <out)" -lt 10 ]
	tr ' ' '\n' <out | cmp - in
	parallel --will-cite -j1 -X echo <in >out
	[ "$(wc -l <out)" -lt 10 ]
}

@test "-L N: N lines per job; a line ending in a blank goes on" {
	printf 'a b \nc d\ne f\ng\n' >in
	same -k -L1 echo x{}y
	same -k -L2 echo
	# --max-lines is -L without the context replace.
	same -k --max-lines 2 echo x{}y
	same -k --max-lines=1 echo
	same -k -j1 -L2 -X echo x{}y
}

@test "-E STR: the input ends at an item STR" {
	printf 'a\nSTOP\nb\n' >in
	same -k -E STOP echo
	same -k -E STOP echo ::: a STOP b
	same -k -E STOP echo :::: in ::: 1 2
	# An empty STR ends nothing.
	SAME_EMPTY=1 same -k -E '' echo ::: a '' b
}

@test "--show-limits prints the limits, then runs the jobs" {
	run -0 "$FANOUT" --show-limits -s 1000 echo ::: job
	[[ ${lines[0]} =~ ^Maximal\ size\ of\ command:\ [0-9]+$ ]]
	[ "${lines[1]}" = "Maximal usable size of command: 1000" ]
	[ "${lines[-1]}" = job ]
	run -0 parallel --will-cite --show-limits -s 1000 echo ::: job
	[ "${lines[1]}" = "Maximal usable size of command: 1000" ]
	[ "${lines[-1]}" = job ]
}

# --- {= perl expression =} ----------------------------------------------

@test "{= perl =} is refused before any job, not run as text (README: {= perl expression =})" {
	local msg="fanout: {= perl expression =} cannot run: fanout has no Perl (--plus strings such as {..} {/..} {+.} cover common uses; see README) (see 'fanout --help')"
	run --separate-stderr "$FANOUT" echo '{= s/a/b/ =}' ::: a
	expect_status 255
	expect_output </dev/null
	[ "$stderr" = "$msg" ]
	# Split over several words, in --tagstring, with -I.
	run --separate-stderr "$FANOUT" echo '{=' 's/a/b/' '=}' ::: a
	expect_status 255
	[ "$stderr" = "$msg" ]
	run --separate-stderr "$FANOUT" --tag --tagstring '{=1 $_=1 =}' echo ::: a
	expect_status 255
	run --separate-stderr "$FANOUT" -I @ touch '{= $_ =}' ::: a
	expect_status 255
	[ ! -e '{=' ] && [ ! -e '=}' ] && [ ! -e a ]
	# GNU parallel runs it.
	run --separate-stderr parallel --will-cite echo '{= s/a/b/ =}' ::: a
	expect_status 0
	expect_output <<<b
}

@test "{= perl =} in a workflow's run is refused at its place" {
	printf 'version: 1\ntasks:\n  a:\n    run: echo {= uc =}\n' >w.yaml
	run --separate-stderr "$FANOUT" -f w.yaml
	expect_status 255
	expect_output </dev/null
	[[ ${stderr} == "w.yaml:4:10: {= perl expression =} cannot run"* ]]
}

@test "braces with = that are no {= ... =} stay text" {
	same -k echo '{=}' 'a=b' '{=a' ::: 1
}
