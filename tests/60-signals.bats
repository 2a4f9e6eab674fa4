#!/usr/bin/env bats
# Signals and cleanup: SIGINT/SIGTERM stop every job's process group,
# a vanished reader of stdout, kill -9 of fanout, zombies and orphans, file
# descriptor limits.  Synchronisation is by files the jobs create, polled
# in bounded loops; timeouts are hang guards only.

bats_require_minimum_version 1.5.0
load helpers/common

# stop_test SIG STATUS: three jobs leaving grandchildren, one finished job,
# one job that must never start; send SIG, check STATUS and that every
# process of every job is gone.
stop_test() {
	cat > cmds <<-'EOF'
	echo first done
	grandchild a.pid stay
	grandchild b.pid stay
	grandchild c.pid stay
	touch never
	EOF
	IN=cmds start_fanout -j 3
	waitfile a.pid b.pid c.pid
	wait_for grep -qx 'first done' out
	kill -"$1" "$FPID"
	wait_fanout
	expect_status "$2"
	waitgone a.pid b.pid c.pid
	[ ! -e never ]
	grep -qx 'first done' out
	run ls -A "$TMPDIR"
	expect_output < /dev/null
}

@test "SIGINT stops every job's process group, grandchildren too, and exits 130" {
	stop_test INT 130
}

@test "SIGTERM stops every job's process group and exits 143" {
	stop_test TERM 143
}

# SIGHUP used to stop the jobs as SIGTERM does (exit 129); it now does
# what GNU parallel does (SPEC 7): start nothing more, let the running
# jobs finish, exit with their status.
@test "SIGHUP: no new job starts; the running ones finish and set the status" {
	cat > cmds <<-'EOF'
	echo $$ > a.tmp && mv a.tmp a.pid && waitfile go && echo a
	echo $$ > b.tmp && mv b.tmp b.pid && waitfile go && exit 3
	touch never
	EOF
	IN=cmds start_fanout -j 2
	waitfile a.pid b.pid
	kill -HUP "$FPID"
	wait_for grep -q 'SIGHUP: starting no more jobs; waiting for 2 to finish' err
	touch go
	wait_fanout
	expect_status 1
	[ ! -e never ]
	grep -qx a out
}

@test "nohup: SIGHUP stays ignored, for fanout and its jobs" {
	cat > cmds <<-'EOF'
	kill -HUP $$ && echo one && touch started && waitfile go
	echo two
	EOF
	nohup "$FANOUT" -j 1 < cmds > out 2> err 3>&- &
	FPID=$!
	echo "$FPID" > fanout.pid
	waitfile started
	kill -HUP "$FPID"
	touch go
	wait_fanout
	expect_status 0
	expect_output <<-'EOF'
	one
	two
	EOF
}

@test "SIGUSR1 lists the running jobs on stderr, as GNU parallel" {
	start_fanout -j 2 'touch {}.ready && waitfile go && echo {}' ::: a b
	waitfile a.ready b.ready
	kill -USR1 "$FPID"
	wait_for grep -qx 'fanout: touch b.ready && waitfile go && echo b' err
	touch go
	wait_fanout
	expect_status 0
	grep -qx 'fanout: touch a.ready && waitfile go && echo a' err
	[ "$(grep -c . err)" -eq 2 ]
}

@test "SIGPROF, whose default ends a process, stops the jobs as SIGTERM does" {
	stop_test PROF 155
}

@test "SIGALRM and SIGUSR2 do not end fanout or its jobs" {
	start_fanout -j 2 'touch {}.ready && waitfile go && echo {}' ::: a b
	waitfile a.ready b.ready
	kill -ALRM "$FPID"
	kill -USR2 "$FPID"
	touch go
	wait_fanout
	expect_status 0
	run sort <<<"$output"
	expect_output <<-'EOF'
	a
	b
	EOF
}

@test "-k: SIGTERM while the printing job runs keeps what it printed, no more" {
	# Job 1 ends; job 2 prints as it goes; job 3 is held behind it.
	start_fanout -k -j 3 'echo {}; [ {} = 1 ] || waitfile go' ::: 1 2 3
	wait_for grep -qx 2 out
	kill -TERM "$FPID"
	wait_fanout
	expect_status 143
	expect_output <<-'EOF'
	1
	2
	EOF
}

@test "-k: SIGTERM stops the first job as it prints; the held one prints nothing" {
	start_fanout -k -j 2 'echo {}; waitfile go' ::: 1 2
	wait_for grep -qx 1 out
	kill -TERM "$FPID"
	wait_fanout
	expect_status 143
	expect_output <<-'EOF'
	1
	EOF
}

@test "SIGINT: the termination sequence reaches a job that traps TERM" {
	start_fanout --termseq TERM,300,KILL,25 catchsig {} TERM ::: c.log
	waitfile c.log.pid
	kill -INT "$FPID"
	wait_fanout
	expect_status 130
	waitgone c.log.pid
	grep -qx TERM c.log
}

@test "^Z and fg over and over while jobs start: fanout never hangs" {
	# fanout leads its own process group, as in a shell with job control.
	seq 20000 > in
	setsid sigdflt "$FANOUT" --joblog jl -j2 true < in > out 2> err &
	pid=$!
	over() {
		local st
		st=$(ps -o stat= -p "$pid")
		[ -z "$st" ] || [[ $st == Z* ]]
	}
	# setsid has made the group (else the storm would miss it).
	grouped() { [ "$(ps -o pgid= -p "$pid" | tr -d ' ')" = "$pid" ] || over; }
	wait_for grouped
	for ((i = 0; i < 400; i++)); do
		over && break
		kill -TSTP -- "-$pid" 2>/dev/null || break
		sleep 0.005
		kill -CONT -- "-$pid" 2>/dev/null || break
		sleep 0.01
	done
	kill -CONT -- "-$pid" 2>/dev/null || true
	# A hang is no progress: the joblog stops growing while fanout lives.
	# (However slow the machine, a run that goes on is not a failure.)
	local n=-1 m
	while ! over; do
		m=$(wc -l < jl)
		if [ "$m" -eq "$n" ]; then
			# Ten seconds without a job ending: stuck.
			echo "no job ended in 10 s; fanout's state: $(ps -o stat= -p "$pid")" >&2
			pkill -CONT -P "$pid" || true
			kill -9 "$pid"
			false
		fi
		n=$m
		for ((i = 0; i < 100; i++)); do
			over && break
			sleep 0.1
		done
	done
	# Every job ran, once, and succeeded.
	status=0
	wait "$pid" || status=$?
	[ "$(cut -f 1 jl | sed 1d | sort -un | wc -l)" -eq 20000 ]
	[ "$(sed 1d jl | wc -l)" -eq 20000 ]
	if [ "$status" -ne 0 ]; then
		awk -F '\t' 'NR > 1 && ($7 != 0 || $8 != 0)' jl >&2
		false
	fi
}

# In a tmux pane, as a user at a terminal: an interactive shell (job
# control) whose pid is in shell.pid; tmux.pid holds the server's.
tmux_start() {
	TMUX_SOCK="$BATS_TEST_TMPDIR/tmux.sock"
	tmux -S "$TMUX_SOCK" -f /dev/null new-session -d -x 150 -y 30 \
	    -c "$BATS_TEST_TMPDIR" 'bash --norc --noprofile -i'
	tmux -S "$TMUX_SOCK" display-message -p '#{pid}' > tmux.pid
	tmux -S "$TMUX_SOCK" display-message -p '#{pane_pid}' > shell.pid
}

tmux_type() {
	tmux -S "$TMUX_SOCK" send-keys "$@"
}

local_teardown() {
	[ -n "${TMUX_SOCK:-}" ] && tmux -S "$TMUX_SOCK" kill-server 2>/dev/null
	return 0
}

# proc_state STATE PIDFILE...: each process named is in STATE (T: stopped).
proc_state() {
	local f pid state want=$1
	shift
	for f in "$@"; do
		read -r pid < "$f"
		# pid (comm) state ...: none of these commands has a blank.
		read -r _ _ state _ < "/proc/$pid/stat" || return 1
		[ "$state" = "$want" ] || return 1
	done
}

@test "^Z in a terminal stops every job with fanout; fg goes on" {
	tmux_start
	# One job of the shell, a subshell running fanout: the status is
	# written when fanout ends, not when ^Z stops it.
	tmux_type "($(printf %q "$FANOUT") -j 2 'echo \$\$ > {}.tmp && mv {}.tmp {}.pid && exec waitfile go' ::: a b > out 2> err; echo \$? > status)" Enter
	waitfile a.pid b.pid
	pgrep -P "$(pgrep -P "$(cat shell.pid)")" > fanout.pid
	tmux_type C-z
	wait_for proc_state T a.pid b.pid fanout.pid
	tmux_type fg Enter
	wait_for proc_state S a.pid b.pid
	touch go
	waitfile status
	[ "$(cat status)" = 0 ]
	[ ! -s out ] && [ ! -s err ]
}

@test "SIGTTIN and SIGTTOU stop every job with fanout, as ^Z does" {
	tmux_start
	# fanout in the background of a shell with job control: the
	# terminal would send these when it read or wrote there.
	tmux_type "($(printf %q "$FANOUT") -j 2 'echo \$\$ > {}.tmp && mv {}.tmp {}.pid && exec waitfile go' ::: a b > out 2> err; echo \$? > status) &" Enter
	waitfile a.pid b.pid
	pgrep -P "$(pgrep -P "$(cat shell.pid)")" > fanout.pid
	for sig in TTIN TTOU; do
		kill -"$sig" "$(cat fanout.pid)"
		wait_for proc_state T a.pid b.pid fanout.pid
		kill -CONT "$(cat fanout.pid)"
		wait_for proc_state S a.pid b.pid
	done
	touch go
	waitfile status
	[ "$(cat status)" = 0 ]
	[ ! -s out ] && [ ! -s err ]
}

@test "a second SIGINT kills at once" {
	# The sequence would wait 1000 s before KILL; the second SIGINT
	# must not.
	start_fanout --termseq TERM,1000000,KILL,25 catchsig {} TERM INT ::: c.log
	waitfile c.log.pid
	kill -INT "$FPID"
	wait_for grep -qx TERM c.log
	kill -INT "$FPID"
	wait_fanout
	expect_status 130
	waitgone c.log.pid
}

@test "each job runs in a process group of its own" {
	start_fanout -j 2 pgwatch {} 60 ::: a.pg b.pg
	waitfile a.pg b.pg
	local apid apg bpid bpg fpg
	read -r apid apg < a.pg
	read -r bpid bpg < b.pg
	fpg=$(ps -o pgid= -p "$FPID")
	fpg=$((fpg))
	kill -TERM "$FPID"
	wait_fanout
	expect_status 143
	[ "$apg" -ne "$fpg" ]
	[ "$bpg" -ne "$fpg" ]
	[ "$apg" -ne "$bpg" ]
	echo "$apid $bpid" > pg.pid
	waitgone pg.pid
}

@test "fanout | head -1 returns promptly without an error message" {
	run --separate-stderr timeout -k 5 60 bash -c 'seq 1000000 | "$0" echo | head -n 1' "$FANOUT"
	[ "$status" -ne 124 ]
	expect_status 0
	[[ $output =~ ^[0-9]+$ ]]
	[ -z "$stderr" ]
}

@test "--lb yes | head -1: fanout stops its endless jobs and exits, silently" {
	# ulimit -f: should fanout spool instead of passing lines on, the
	# disk does not fill up.
	run --separate-stderr timeout -k 5 60 bash -c \
	    'ulimit -f 2000000 && "$0" -j 2 --lb "echo \$\$ > y{}.tmp && mv y{}.tmp y{}.pid && exec yes {}" ::: 1 2 | head -n 1' "$FANOUT"
	[ "$status" -ne 124 ]
	expect_status 0
	[[ $output =~ ^[12]$ ]]
	[ -z "$stderr" ]
	# Job 2 may have been stopped before it wrote its pid: wait for
	# those that ran.
	waitgone y*.pid
	run ls -A "$TMPDIR"
	expect_output < /dev/null
}

@test "kill -9 of fanout mid-run leaves TMPDIR empty" {
	start_fanout -j 2 'spew 30000000 {}; touch written{}; waitfile go' ::: a b
	waitfile writtena writtenb
	kill -9 "$FPID"
	wait_fanout
	expect_status 137
	touch go
	run ls -A "$TMPDIR"
	expect_output < /dev/null
}

@test "a grandchild left holding the pipe does not outlive fanout" {
	run --separate-stderr timeout -k 5 60 "$FANOUT" grandchild {} ::: g.pid
	[ "$status" -ne 124 ]
	expect_status 0
	expect_output <<-'EOF'
	parent done
	EOF
	waitgone g.pid
}

@test "a background process that holds none of the job's output is left running" {
	# The background shell sends its output to /dev/null before it
	# writes its pid; fanout sees the job's command end before or after
	# that redirection: 20 runs, to catch either order.
	local round # not i: run sets that
	for ((round = 0; round < 20; round++)); do
		rm -f bg.pid
		run --separate-stderr timeout -k 5 60 bash -c '"$0" '\''sh -c "echo \$\$ > bg.tmp && mv bg.tmp bg.pid && exec sleep 60" > /dev/null 2>&1 & : {}'\'' ::: x | cat' "$FANOUT" 3>&-
		expect_status 0
		# A process killed before it wrote its pid never writes it.
		waitfile bg.pid
		kill -0 "$(cat bg.pid)"
		kill "$(cat bg.pid)"
	done
}

@test "finished jobs are reaped while others run: no zombies" {
	{
		for i in $(seq 10); do echo true; done
		echo 'echo $$ > l.tmp && mv l.tmp last.pid && waitfile go'
	} > cmds
	IN=cmds start_fanout -j 2
	waitfile last.pid
	no_zombie_children() {
		! ps -o stat= --ppid "$FPID" | grep -q '^Z'
	}
	wait_for no_zombie_children
	touch go
	wait_fanout
	expect_status 0
}

@test "-j 100 under ulimit -n 64 completes or refuses clearly" {
	run --separate-stderr timeout -k 5 120 bash -c \
	    'ulimit -n 64 && "$0" -j 100 echo ::: $(seq 200)' "$FANOUT"
	[ "$status" -ne 124 ]
	if [ "$status" -eq 0 ]; then
		run sort -n <<<"$output"
		expect_output < <(seq 200)
	else
		# A refusal: status 255, one "fanout: " line, nothing run.
		expect_status 255
		expect_output < /dev/null
		[ "${#stderr_lines[@]}" -eq 1 ]
		[[ $stderr == "fanout: "* ]]
	fi
}

@test "-j 0 --results under ulimit -n 64: every job's files are written" {
	# Jobs with output on both streams hold two --results files each.
	run --separate-stderr timeout -k 5 120 bash -c \
	    'ulimit -n 64 && "$0" -j 0 --results r \
	     "head -c 300000 /dev/zero; head -c 300000 /dev/zero >&2; sleep 0.5; : {}" \
	     ::: $(seq 24) > /dev/null' "$FANOUT"
	expect_status 0
	[ "$(cat r/*/stdout | wc -c)" -eq $((24 * 300000)) ]
	[ "$(cat r/*/stderr | wc -c)" -eq $((24 * 300000)) ]
}

@test "-j 100 under ulimit -n 64 with output from every job" {
	run --separate-stderr timeout -k 5 120 bash -c \
	    'ulimit -n 64 && "$0" -j 100 "sleep 0.2; echo {}" ::: $(seq 100)' "$FANOUT"
	[ "$status" -ne 124 ]
	if [ "$status" -eq 0 ]; then
		run sort -n <<<"$output"
		expect_output < <(seq 100)
	else
		expect_status 255
		expect_output < /dev/null
		[ "${#stderr_lines[@]}" -eq 1 ]
		[[ $stderr == "fanout: "* ]]
	fi
}
