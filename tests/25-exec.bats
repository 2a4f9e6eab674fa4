#!/usr/bin/env bats
# How jobs are started (SPEC §3, §6): direct exec and shell exec, the job's
# environment and stdin, start failures, usage errors. Expected outputs were
# checked against GNU parallel 20221122 unless a comment says otherwise.

bats_require_minimum_version 1.5.0
load helpers/common

# exitvals FILE: the Exitval column of a joblog, one per line, by Seq.
exitvals() {
	awk -F'\t' 'NR > 1 { print $1, $7 }' "$1" | sort -n | cut -d' ' -f2
}

# One value of each awkward kind: two blanks, a quote, a dollar, a glob,
# a backslash, a tab, a non-UTF-8 byte, the empty string.
awkward_values() {
	printf '%s\0' 'a  b' "it's" '$x' '*' 'a\b' "$(printf 't\tb')" \
	    "$(printf '\377')" ''
}

@test "direct exec and shell exec give the same result" {
	touch x
	awkward_values >in
	# `printf %s=` has no shell syntax: it runs directly.
	run fanout -0 -k printf %s= <in
	expect_status 0
	direct=$output
	run fanout -0 -k 'printf %s= {} | cat' <in
	expect_status 0
	[ "$output" = "$direct" ]
	printf '%s' 'a  b=' "it's=" '$x=' '*=' 'a\b=' "$(printf 't\tb=')" \
	    "$(printf '\377=')" '=' | expect_output
}

@test "direct exec keeps a value with blanks as one argument" {
	run fanout -k printf %s= {} ::: 'a  b' ' c '
	expect_status 0
	printf '%s' 'a  b=' ' c =' | expect_output
}

@test "each job has FANOUT_SEQ, FANOUT_SLOT, PARALLEL_SEQ, PARALLEL_JOBSLOT" {
	run fanout -j1 -k 'echo "$FANOUT_SEQ/$FANOUT_SLOT/$PARALLEL_SEQ/$PARALLEL_JOBSLOT" {}' ::: a b c
	expect_status 0
	expect_output <<-'EOF'
	1/1/1/1 a
	2/1/2/1 b
	3/1/3/1 c
	EOF
}

@test "FANOUT_SEQ and PARALLEL_SEQ with appended items" {
	run fanout -k 'echo $FANOUT_SEQ $PARALLEL_SEQ' ::: a b
	expect_status 0
	expect_output <<-'EOF'
	1 1 a
	2 2 b
	EOF
}

@test "each job has FANOUT_HOST" {
	run fanout 'echo "${FANOUT_HOST+set}"' ::: a
	expect_status 0
	expect_output <<-'EOF'
	set a
	EOF
}

@test "the job environment is set for direct exec too" {
	# `env -u NAME` runs directly and prints the environment.
	run fanout -j1 -k env -u {} ::: FANOUT_UNUSED_1 FANOUT_UNUSED_2
	expect_status 0
	printf '%s\n' "${lines[@]}" | grep -E '^(FANOUT_(SEQ|SLOT|HOST)|PARALLEL_(SEQ|JOBSLOT))=' |
	    sed 's/^FANOUT_HOST=.*/FANOUT_HOST/' | sort >got
	run cat got
	expect_output <<-'EOF'
	FANOUT_HOST
	FANOUT_HOST
	FANOUT_SEQ=1
	FANOUT_SEQ=2
	FANOUT_SLOT=1
	FANOUT_SLOT=1
	PARALLEL_JOBSLOT=1
	PARALLEL_JOBSLOT=1
	PARALLEL_SEQ=1
	PARALLEL_SEQ=2
	EOF
}

@test "command not found: the job fails with 127, fanout exits 1, stderr says so" {
	run --separate-stderr fanout --joblog jl nosuchcmd_fanout_test ::: a
	expect_status 1
	[ -z "$output" ]
	[[ $stderr == *nosuchcmd_fanout_test* ]]
	run exitvals jl
	expect_output <<-'EOF'
	127
	EOF
}

@test "command not found in a shell template is 127 too" {
	run --separate-stderr fanout --joblog jl 'nosuchcmd_fanout_test {} >/dev/null' ::: a
	expect_status 1
	[ -n "$stderr" ]
	run exitvals jl
	expect_output <<-'EOF'
	127
	EOF
}

@test "two jobs not found: exit status 2" {
	run --separate-stderr fanout nosuchcmd_fanout_test ::: a b
	expect_status 2
}

@test "not executable: the job fails with 126" {
	printf '#!/bin/sh\necho hi\n' >notexec
	chmod 644 notexec
	mkdir adir
	run --separate-stderr fanout -k --joblog jl ./notexec ::: a
	expect_status 1
	[ -z "$output" ]
	[ -n "$stderr" ]
	run --separate-stderr fanout -k --joblog jl2 ./adir ::: a
	expect_status 1
	run exitvals jl
	expect_output <<-'EOF'
	126
	EOF
	run exitvals jl2
	expect_output <<-'EOF'
	126
	EOF
}

@test "a script without #! runs with /bin/sh, as execvp (xargs) does" {
	printf 'echo "script $*"\n' >noshebang
	chmod +x noshebang
	run --separate-stderr fanout -k ./noshebang {} x ::: a b
	expect_status 0
	expect_output <<-'EOF'
	script a x
	script b x
	EOF
	[ -z "$stderr" ]
	# the same through PATH
	mkdir bin && mv noshebang bin/
	PATH=$PWD/bin:$PATH run fanout noshebang ::: c
	expect_status 0
	expect_output <<-'EOF'
	script c
	EOF
}

@test "a job starts with no signal blocked, signals ignored at start still ignored, SIGCHLD at default" {
	# fanout's parent ignores them all; bit n-1 of a /proc mask is
	# signal n: HUP 1, INT 2, QUIT 3, USR1 10, PIPE 13, TERM 15, CHLD 17.
	# What was ignored stays ignored for the jobs (SPEC 7: nohup), but
	# SIGCHLD, which would make a job's wait() for its children fail.
	run bash -c "trap '' HUP INT QUIT PIPE TERM CHLD USR1
		exec \"\$1\" -q -N0 grep -E '^Sig(Blk|Ign):' /proc/self/status ::: 1" \
	    sh "$FANOUT"
	expect_status 0
	[ "${lines[0]}" = "SigBlk:	0000000000000000" ]
	[[ ${lines[1]} =~ ^SigIgn:.([0-9a-f]{16})$ ]]
	ign=$((16#${BASH_REMATCH[1]} & 0x15207))
	[ "$ign" -eq $((0x5207)) ]
}

@test "a job's stdin is not fanout's input stream" {
	printf 'a\nb\n' >in
	run fanout -k 'cat; echo {}' <in
	expect_status 0
	expect_output <<-'EOF'
	a
	b
	EOF
}

@test "a job's stdin is empty even when fanout does not read stdin" {
	echo zzz >in
	echo f >f
	run fanout -k 'cat; echo {}' ::: a b <in
	expect_status 0
	expect_output <<-'EOF'
	a
	b
	EOF
	# and for a directly executed job
	run fanout -k cat - {} ::: f <in
	expect_status 0
	expect_output <<-'EOF'
	f
	EOF
}

@test "a template starting with an assignment works" {
	run fanout 'X=1; echo $X {}' ::: a
	expect_status 0
	expect_output <<-'EOF'
	1 a
	EOF
	# No shell syntax here, but the first word is an assignment.
	run fanout 'X={} printenv X' ::: a
	expect_status 0
	expect_output <<-'EOF'
	a
	EOF
}

@test "a first word that is a shell builtin works" {
	run fanout cd ::: /
	expect_status 0
	run --separate-stderr fanout cd ::: /nonexistent_fanout_dir
	expect_status 1
	# `exit` exists only as a builtin: its status must be the job's.
	run fanout --joblog jl exit ::: 3
	expect_status 1
	run exitvals jl
	expect_output <<-'EOF'
	3
	EOF
}

@test "no command: ::: values that are commands run as commands" {
	run fanout -k ::: 'echo a' 'echo b | tr b B'
	expect_status 0
	expect_output <<-'EOF'
	a
	B
	EOF
}

# usage_error ARGS...: one line "fanout: ..." on stderr, nothing on stdout,
# exit 255.
usage_error() {
	run --separate-stderr fanout "$@"
	expect_status 255
	[ -z "$output" ]
	if [ "${#stderr_lines[@]}" -ne 1 ] || [[ ${stderr_lines[0]} != "fanout: "* ]]; then
		printf 'want one "fanout: " line, got:\n%s\n' "$stderr" >&2
		return 1
	fi
}

@test "unknown option is a usage error" {
	usage_error --no-such-option echo ::: a
	usage_error -Y echo ::: a
}

@test "bad -j is a usage error" {
	usage_error -j x echo ::: a
	usage_error -j '' echo ::: a
}

@test "bad --halt is a usage error" {
	usage_error --halt bogus echo ::: a
	usage_error --halt now,fail=x echo ::: a
}

@test "a usage error runs no job" {
	run --separate-stderr fanout --no-such-option touch ran ::: a
	expect_status 255
	[ ! -e ran ]
}

# A command longer than one exec argument (Linux: 128 KiB) goes to the
# shell as a script it reads from a descriptor of its own.
long_item() {
	head -c 200000 /dev/zero | tr '\0' x > longarg
	echo >> longarg
}

@test "a too-long command: descriptors fanout was given still reach the job" {
	long_item
	run fanout -a longarg 'echo long >&3; echo ${#1}; : {}' 3>f3
	expect_status 0
	run cat f3
	expect_output <<-'EOF'
	long
	EOF
}

@test "a too-long command: its script is not open in the job's processes" {
	long_item
	run fanout -a longarg 'ls -l /proc/self/fd/ | grep -c fanout-command; : {}'
	expect_output <<-'EOF'
	0
	EOF
	# nor can the job overwrite what its shell reads (fanout is given
	# no descriptor above 2, so the script takes 3)
	run fanout -a longarg 'for fd in 3 4 5 6 7 8 9; do
		echo echo overwritten 2>/dev/null >&$fd; done; echo done; : {}' \
	    3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&-
	expect_status 0
	expect_output <<-'EOF'
	done
	EOF
}

@test "PATH is looked up again when the command found last time is gone" {
	mkdir b1 b2
	# tool says where it is, then moves itself to the other directory.
	cat > b1/tool <<-'EOF'
	#!/bin/sh
	d=${0%/*}
	echo "tool in ${d##*/}"
	case $d in
	*/b1) mv "$0" "$d/../b2/tool" ;;
	*) mv "$0" "$d/../b1/tool" ;;
	esac
	EOF
	chmod +x b1/tool
	PATH=$PWD/b1:$PWD/b2:$PATH run "$FANOUT" -j1 tool ::: 1 2 3
	expect_status 0
	expect_output <<-'EOF'
	tool in b1
	tool in b2
	tool in b1
	EOF
}

@test "an exported bash function runs under bash, with or without --shell" {
	# GNU parallel runs it under the bash it was started from; fanout
	# under bash for any command whose first word is such a function.
	doit() { echo "doit $1 ${BASH_VERSION:+bash}"; }
	export -f doit
	run fanout doit ::: a
	expect_status 0
	expect_output <<-'EOF'
	doit a bash
	EOF
	run fanout --shell /bin/bash -k doit ::: b c
	expect_status 0
	expect_output <<-'EOF'
	doit b bash
	doit c bash
	EOF
	# A shell that is not bash: bash from PATH runs the function.
	FANOUT_SHELL=/bin/sh run fanout 'doit {} | cat' ::: d
	expect_status 0
	expect_output <<-'EOF'
	doit d bash
	EOF
	run fanout --shell /bin/sh {} ::: 'doit e'
	expect_status 0
	expect_output <<-'EOF'
	doit e bash
	EOF
	# Other commands keep their shell: /bin/sh is not bash here.
	FANOUT_SHELL=/bin/sh run fanout 'echo ${BASH_VERSION:-nobash} {} | cat' ::: f
	expect_output <<-'EOF'
	nobash f
	EOF
}

@test "an exported bash function in a command too long for one argument" {
	doit() { echo "${#1} ${BASH_VERSION:+bash}"; }
	export -f doit
	head -c 200000 /dev/zero | tr '\0' a >longarg
	echo >>longarg
	run fanout -a longarg doit
	expect_status 0
	expect_output <<-'EOF'
	200000 bash
	EOF
}

@test "a shell that cannot run: one error and 255 before any job" {
	# GNU parallel: "Shell '/nonexistent' not found", exit 255.
	FANOUT_SHELL=/nonexistent run --separate-stderr fanout 'touch ran{} | cat' ::: 1 2 3
	expect_status 255
	[ "$stderr" = "fanout: FANOUT_SHELL '/nonexistent': No such file or directory" ]
	run --separate-stderr fanout --shell /nonexistent touch ran{} ::: 1 2 3
	expect_status 255
	[ "$stderr" = "fanout: --shell '/nonexistent': No such file or directory" ]
	run --separate-stderr fanout --shell no-such-shell-fanout touch ran{} ::: 1
	expect_status 255
	[ "$stderr" = "fanout: --shell 'no-such-shell-fanout': not found in PATH" ]
	[ ! -e ran1 ] && [ ! -e ran2 ] && [ ! -e ran3 ]
	# A shell named without a slash is found in PATH.
	run fanout --shell sh 'echo {} | cat' ::: ok
	expect_status 0
	expect_output <<-'EOF'
	ok
	EOF
}

@test "--memfree that holds every job back says so once on stderr" {
	# GNU parallel waits without a word; fanout says why it waits.
	start_fanout --memfree 100T touch ran{} ::: 1
	wait_for grep -q 'memory' err
	kill -TERM "$FPID"
	wait_fanout
	[ ! -e ran1 ]
	[ "$(grep -c . err)" -eq 1 ]
	grep -Eq '^fanout: warning: jobs wait for free memory: [0-9.]+[KMGTPE]? available, --memfree asks 100\.0T$' err
}
