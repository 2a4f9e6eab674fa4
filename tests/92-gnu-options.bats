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

# --- more of GNU parallel's options -----------------------------------------

@test "--arg-sep and --arg-file-sep: other words for ::: and ::::" {
	printf '1\n2\n' >f
	same -k --arg-sep ,, echo ,, a b ,, x y
	same -k --arg-sep ,, echo ,, a b ,,+ x y
	same -k --arg-file-sep @@ echo @@ f ::: x
	same -k --arg-file-sep @@ echo ::: a @@+ f
	# ::: is then an argument of the command, and stdin the input.
	printf 'in\n' >in
	same -k --arg-sep ,, echo ::: a
	run --separate-stderr "$FANOUT" --arg-sep '' echo a
	expect_status 255
	[ "$stderr" = "fanout: --arg-sep: the separator is empty (see 'fanout --help')" ]
}

@test "--trim: white space off values; --colsep trims both ends by default" {
	same -k --trim lr echo x{}x ::: ' a ' '	b	'
	same -k --trim l echo x{}x ::: ' a '
	same -k --trim r echo x{}x ::: ' a '
	same -k --trim rl echo x{}x ::: ' a '
	same -k --trim n echo x{}x ::: ' a '
	same -k --colsep , echo x{2}x ::: 'a, b ,c'
	same -k --trim n --colsep , echo x{2}x ::: 'a, b ,c'
	run --separate-stderr "$FANOUT" --trim x echo a
	expect_status 255
	[ "$stderr" = "fanout: --trim: 'x' is not n, l, r, lr or rl (see 'fanout --help')" ]
}

@test "--shell-quote: each command quoted as one word, nothing run" {
	same -k --shell-quote ::: 'a b' "c'd" x
	same -k --shell-quote echo {} x ::: 'a b'
	same -k --shell-quote echo '$HOME' ::: 'a b'
	same -k --shell-quote --shell-quote ::: 'a b'
	same -k --shell-quote --tag echo ::: a
	same -k --shell-quote touch ::: made
	[ ! -e run.fanout/made ]
}

@test "--header: the first item of each source names its columns" {
	printf 'n,v\n1,2\n3,4\n' >h.csv
	printf 'a\tb\n1\t2\n 5 \t6\n' >h.tsv
	same -k --header : echo {a}-{b} ::: a 1 2 ::: b x y
	same -k --header : echo {a}-{b} ::: a 1 2 :::+ b x y
	same -k --header : --colsep , echo {v}={n} :::: h.csv
	same -k --header : --colsep , -a h.csv echo {v/} {n.}
	same -k --header : echo {1} :::: h.csv
	# Without --colsep the columns are split at tabs, and not trimmed.
	same -k --header : echo {b} x{a}x :::: h.tsv
	same -k --header : --colsep , echo {v} {n} {3} :::: h.csv ::: X 1
	cp h.csv in
	same -k --header : --colsep , echo {v}={n}
	# One line whatever the pattern, outside --pipe.
	same -k --header 2 echo ::: a b c d
}

@test "--tmpdir: TMPDIR for the spool files and the jobs" {
	mkdir spool
	same -k -N0 --tmpdir spool 'echo "$TMPDIR"' ::: 1
	expect_output <<<spool
	# fanout spools output there: a job bigger than memory holds.
	run -0 "$FANOUT" -N0 --tmpdir spool 'head -c 20000000 /dev/zero | wc -c' ::: 1
	expect_output <<<20000000
	run --separate-stderr "$FANOUT" --tmpdir nowhere echo a
	expect_status 255
	[ "$stderr" = "fanout: --tmpdir: 'nowhere' is not a directory (see 'fanout --help')" ]
}

@test "--nice N: the jobs run at niceness N (README: --nice)" {
	same -k -N0 --nice 7 'cut -d" " -f19 /proc/self/stat' ::: 1
	expect_output <<<7
	run --separate-stderr "$FANOUT" --nice 20 true
	expect_status 255
	[ "$stderr" = "fanout: --nice: '20' is not a niceness (-20 to 19) (see 'fanout --help')" ]
}

@test "--plus: {+/} {+.} {+..} {+...} {..} {...} {/..} {/...} {slot} {##} {0#}" {
	local s
	for s in '{+/}' '{+.}' '{+..}' '{+...}' '{..}' '{...}' '{/..}' '{/...}' \
	    '{1..}' '{-1/...}' '{2+.}'; do
		same -k -j1 --plus echo "x${s}x" ::: /a/b.c/d.tar.gz.x d.e e \
		    /x.y/ a..b .bashrc a.b/c 'a...' ../x.y.z
	done
	same -k -j1 --plus echo {slot} {%} ::: a b
	# {##} is the number of jobs, {0#} the seq padded to its width.
	same -k --plus echo {##} {0#} {#} ::: a b c d e f g h i j k
	seq 1 5 >in
	same -k --plus echo {##}-{0#} :::: in ::: x y
	same -k --plus -N2 echo {##} ::: a b c
	same -k --plus --tagstring '{0#}/{##}' echo ::: a b
	# Without --plus they are text.
	same -k echo '{..}' '{+/}' '{slot}' ::: a.b.c
}

@test "--load N: jobs start while fewer than N processes run" {
	same -k --load 1000 echo ::: a b
	same -k --load 100000% echo ::: a b
	run --separate-stderr "$FANOUT" --load x echo a
	expect_status 255
	[ "$stderr" = "fanout: --load: 'x' is not a load (N, N%, +N, -N or a decimal) (see 'fanout --help')" ]
}

@test "--load N: no job starts while N processes or more are running" {
	local i pids=()
	# Busy loops are always runnable: at least 3 processes run.
	for i in 1 2 3; do
		sh -c 'while :; do :; done' &
		pids+=($!)
	done
	echo "${pids[*]}" >spin.pid
	run --separate-stderr timeout 3 "$FANOUT" --load 2.5 echo ran ::: a
	kill_ours "${pids[@]}"
	expect_status 124
	expect_output </dev/null
	[[ $stderr == "fanout: warning: jobs wait for the load to fall: "* ]]
}

@test "--shuf: every item, once, in a random order; {#} counts in that order" {
	SAME_SORT=1 same --shuf echo ::: a b c ::: 1 2
	seq 1 100 >in
	# -N groups the shuffled items, as GNU parallel does.
	run -0 "$FANOUT" --shuf -N3 echo <in
	[ "${#lines[@]}" -eq 34 ]
	[ "$(printf '%s\n' $output | sort -n)" = "$(cat in)" ]
	run -0 "$FANOUT" -k --shuf echo <in
	# 100! orders: the input's own one is no chance.
	[ "$output" != "$(cat in)" ]
	[ "$(printf '%s\n' "$output" | sort -n)" = "$(cat in)" ]
	run -0 "$FANOUT" -k --shuf echo {#} ::: a b c d
	expect_output <<-'EOF2'
	1
	2
	3
	4
	EOF2
}

# --files LINE...: each output line (a file name, after a tag if any) is a
# kept file in ./ft; the lines with each name replaced by its content.
files_contents() {
	local line name tag
	while IFS= read -r line; do
		name=${line##*$'\t'}
		tag=${line%"$name"}
		[[ $name == ft/par*.par && -f $name ]] || return 1
		printf '%s[%s]\n' "$tag" "$(cat "$name")"
	done
}

@test "--files: each job's output kept in a file in TMPDIR, its name printed (README: --files)" {
	local tool
	for tool in "$FANOUT" "parallel --will-cite"; do
		rm -rf ft && mkdir ft
		run -0 --separate-stderr $tool --files --tmpdir ft -k echo ::: a 'b c'
		printf '%s\n' "$output" | files_contents >"contents"
		run cat contents
		expect_output <<-'EOF2'
		[a]
		[b c]
		EOF2
		run -0 --separate-stderr $tool --files --tmpdir ft --tag -k \
		    'echo out; echo err >&2; true' ::: x
		# README (--files): fanout keeps stderr; GNU parallel drops it.
		if [ "$tool" = "$FANOUT" ]; then
			[ "$stderr" = "x	err" ]
		else
			[ -z "$stderr" ]
		fi
		printf '%s\n' "$output" | files_contents >contents
		run cat contents
		expect_output <<<"x	[out]"
		# An empty output is a file too.
		run -0 --separate-stderr $tool --files --tmpdir ft true ::: y
		[[ $output == ft/par*.par ]] && [ ! -s "$output" ]
	done
	run --separate-stderr "$FANOUT" --files -u echo a
	expect_status 255
	[ "$stderr" = "fanout: --files cannot be combined with -u (see 'fanout --help')" ]
}

# on_pty TOOL ARGS...: TOOL ARGS run on a new terminal (script(1)) that is
# given "hello" to read; what the terminal showed, without CRs.
on_pty() {
	local cmd
	printf -v cmd ' %q' "$@"
	printf 'hello\n' | timeout -k 5 20 script -qec "$cmd" /dev/null | tr -d '\r'
}

@test "--tty: the job reads the terminal, in its foreground, one at a time" {
	command -v script >/dev/null || skip "script(1) is not installed"
	local job='read x; echo got $x; tty; echo {}'
	run -0 on_pty "$FANOUT" --tty "$job" ::: a
	expect_output <<-'EOF2'
	hello
	got hello
	/dev/tty
	a
	EOF2
	[ "$output" = "$(on_pty parallel --will-cite --tty "$job" ::: a)" ]
	# Without it the job's stdin is not the terminal.
	run -0 on_pty "$FANOUT" -N0 'tty; true' ::: a
	expect_output <<-'EOF2'
	hello
	not a tty
	EOF2
	# With no terminal (a session of its own), jobs read /dev/null.
	run -0 setsid -w "$FANOUT" --tty -N0 'cat; echo end' ::: a b
	expect_output <<-'EOF2'
	end
	end
	EOF2
}

@test "--compress and its programs are accepted, output unchanged (README: --compress)" {
	same -k --compress echo ::: a b
	same -k --compress-program 'gzip -1' --decompress-program zcat echo ::: a b
	run --separate-stderr "$FANOUT" --compress-program nosuch echo a
	expect_status 255
	[ "$stderr" = "fanout: --compress-program: 'nosuch' is not found in PATH (see 'fanout --help')" ]
}
