#!/usr/bin/env bats
# Remote faults (issue 15): hosts that misbehave, against real OpenSSH
# servers started by setup_file (tests/helpers/sshd.bash: h1, h2) and a
# mute one (tests/helpers/mute: takes connections, never says a word).
# Each fault ends with every job run (on a host that works) or with a
# clear message and exit status; nothing is lost or printed twice. Root
# only (throw-away users); skipped otherwise. Timeouts are hang guards.

bats_require_minimum_version 1.5.0
load helpers/common
load helpers/sshd

HOSTS=2

setup_file() {
	sshd_setup_file "$HOSTS" || return 1
	[ -n "$SSH_MISSING" ] && return 0
	mute "$SSHT/mute.port" < /dev/null > /dev/null 2>&1 3>&- &
	echo $! > "$SSHT/mute.pid"
	waitfile "$SSHT/mute.port"
	# hmute: as h1, but on the mute port.
	printf 'Host hmute\n\tHostName 127.0.0.1\n\tPort %s\n\tUser %s\n\tIdentityFile %s\n\tUserKnownHostsFile %s\n' \
	    "$(cat "$SSHT/mute.port")" "$(sshd_user 1)" "$SSH_KEY" \
	    "$SSH_KNOWN" >> "$SSH_CFG"
}

teardown_file() {
	[ -n "$SSH_MISSING" ] && return 0
	kill "$(cat "$SSHT/mute.pid")"
	sshd_stop
}

local_setup() {
	[ -z "$SSH_MISSING" ] || skip "SSH: $SSH_MISSING"
	# h2 as usual again, after a test that changed it (sshd_set).
	if [ -e "$SSHT/h2/extra" ]; then sshd_set 2; fi
	sshd_revive
	S=$SSH_SHARE/$BATS_TEST_NUMBER
	mkdir -m 1777 "$S"
}

# Whatever a test left on the hosts (stopped processes included).
local_teardown() {
	[ -z "$SSH_MISSING" ] || return 0
	sshd_scrub
}

# --- a host that takes the connection and says nothing ----------------------

@test "a mute host and a good one: every job runs on the good one, once" {
	run --separate-stderr timeout -k 5 60 "$FANOUT" --ssh-config "$SSH_CFG" \
	    --ssh-timeout 0.5 -S 1/hmute,1/h1 -k --joblog jl 'echo {}' ::: 1 2 3 4
	expect_status 0
	expect_output < <(seq 4)
	run joblog_cols jl 1,2,7
	expect_output < <(printf '%s\th1\t0\n' 1 2 3 4)
	# The host and why, said on stderr.
	grep -q '^fanout: .*host hmute: .*[Tt]imeout' <<<"$stderr"
}

@test "a mute host alone: a clear message, exit 255, no job run" {
	# --filter-hosts gives up at the first timeout; without it the host
	# is tried 5 times (1+2+4+8 s apart, as a port where nothing listens
	# in 65-ssh.bats): each try ends at --ssh-timeout.
	run --separate-stderr timeout -k 5 60 "$FANOUT" --ssh-config "$SSH_CFG" \
	    --ssh-timeout 0.5 --filter-hosts -S hmute "touch $S/ran" ::: 1
	expect_status 255
	[ ! -e "$S/ran" ]
	grep -q '^fanout: .*host hmute: .*[Tt]imeout' <<<"$stderr"
	grep -q '^fanout: no host can run jobs' <<<"$stderr"
	start_fanout --ssh-config "$SSH_CFG" --ssh-timeout 0.5 -S hmute \
	    "touch $S/ran" ::: 1
	wait_for grep -q 'host hmute: .*[Tt]imeout.*trying it again in 1s' err
	kill -INT "$FPID"
	wait_fanout
	expect_status 130
	[ ! -e "$S/ran" ]
}

# The pid of host N's sshd that serves the user's connection (the one
# that runs as the user, "sshd: USER@notty").
conn_sshd() {
	ps -u "$(sshd_user "$1")" -o pid=,comm= | awk '$2 == "sshd" { print $1 }'
}

@test "a host that stalls after the handshake: --timeout ends its job; the next runs" {
	# Without --timeout such a job waits for ever, as with ssh(1) without
	# ServerAliveInterval: fanout sends no keepalive. The first job
	# sleeps; h2 stops answering; the second runs on a new connection.
	start_fanout --ssh-config "$SSH_CFG" -S 1/h2 --timeout 1 --joblog jl \
	    "[ -e $S/a ] && exec echo {}; touch $S/{}; exec sleep 60" ::: a b
	waitfile "$S/a"
	local pid
	pid=$(conn_sshd 2)
	kill -STOP "$pid"
	wait_fanout
	expect_status 1
	[ "$(cat out)" = b ]
	grep -q 'timed out' err
	grep -q 'host h2: .*SIGKILL' err
	grep -q 'host h2: connection lost: it does not answer' err
	# a timed out (-1), killed by SIGKILL (the TERM never reached it).
	run joblog_cols jl 1,7,8
	expect_output <<<$'1\t-1\t9\n2\t0\t0'
}

# job_sshd PID: the sshd above process PID, the one of its connection.
job_sshd() {
	local p=$1
	while [ "$(cat "/proc/$p/comm")" != sshd ]; do
		p=$(cut -d ' ' -f 4 "/proc/$p/stat")
	done
	echo "$p"
}

@test "a stalled host: a job already sent SIGKILL ends killed, it does not run again" {
	# a and b time out on one stalled connection, 0.5 s apart: a is given
	# up 2 s after its SIGKILL and the connection dropped while b's
	# SIGKILL is under way. b ends killed too, once; it is not lost.
	# The STOP must land before b times out: 2.5 s after pid.b (with
	# --timeout 1, a starved test shell once stopped sshd too late, both
	# jobs had ended by their SIGTERM and no connection stalled).
	start_fanout --ssh-config "$SSH_CFG" -S 2/h2 --delay 0.5 --timeout 3 \
	    --joblog jl "echo run >> $S/runs.{}; echo \$\$ > $S/pid.{}; exec sleep 60" ::: a b
	waitfile "$S/pid.b"
	kill -STOP "$(job_sshd "$(cat "$S/pid.b")")"
	wait_fanout
	expect_status 2
	[ "$(cat "$S/runs.a")" = run ] && [ "$(cat "$S/runs.b")" = run ]
	! grep -q 'lost a job' err
	grep -q 'host h2: connection lost: it does not answer' err
	# Each timed out (-1), killed by the last signal it was sent: SIGKILL,
	# or SIGTERM when the connection went first (a starved fanout, as in
	# the test below, where it is certain).
	run joblog_cols jl 1,7,8
	[[ $output =~ ^1$'\t'-1$'\t'(9|15)$'\n'2$'\t'-1$'\t'(9|15)$ ]]
}

@test "a lost connection: a job being stopped (sent only SIGTERM) ends so, it does not run again" {
	# a times out; its TERM is trapped, so it runs on (its KILL is 30 s
	# away) till its connection goes: it ends killed by SIGTERM, once.
	start_fanout --ssh-config "$SSH_CFG" -S 1/h2 --timeout 1 \
	    --termseq TERM,30000,KILL,25 --joblog jl \
	    "echo run >> $S/runs.{}; echo \$\$ > $S/pid.{}; trap 'echo term > $S/term.{}' TERM; while :; do sleep 1; done" ::: a
	waitfile "$S/term.a"
	kill -9 "$(job_sshd "$(cat "$S/pid.a")")"
	wait_fanout
	expect_status 1
	[ "$(cat "$S/runs.a")" = run ]
	! grep -q 'lost a job' err
	grep -q 'timed out' err
	# a timed out (-1), killed by SIGTERM as far as fanout knows.
	run joblog_cols jl 1,7,8
	expect_output <<<$'1\t-1\t15'
}

# --- an sshd that drops channels -----------------------------------------------

@test "an sshd that refuses channels (MaxSessions 1): every job runs once, none fails" {
	# sshd refuses a second channel on one connection, and the next one
	# for a moment after the first closed: fanout opens fewer at once, or
	# another connection, and tries a refused one again.
	sshd_set 2 'MaxSessions 1'
	run --separate-stderr timeout -k 5 60 "$FANOUT" --ssh-config "$SSH_CFG" \
	    -S 3/h2 -k --joblog jl 'echo {}' ::: $(seq 12)
	expect_status 0
	expect_output < <(seq 12)
	[ -z "$stderr" ]
	run joblog_cols jl 1,7,8
	expect_output < <(printf '%s\t0\t0\n' $(seq 12))
}

@test "an sshd that refuses every channel (MaxSessions 0): the jobs fail, saying why" {
	sshd_set 2 'MaxSessions 0'
	run --separate-stderr timeout -k 5 60 "$FANOUT" --ssh-config "$SSH_CFG" \
	    -S 2/h2 --joblog jl "touch $S/{}" ::: a b
	expect_status 2
	[ ! -e "$S/a" ] && [ ! -e "$S/b" ]
	[ "$(grep -c '^fanout: host h2 refuses every channel' <<<"$stderr")" -eq 2 ]
	run joblog_cols jl 1,7
	expect_output <<<$'1\t255\n2\t255'
	# Tried again for 2 s, a pause between tries (50 ms): not thousands
	# of opens (sshd logs each one it refuses).
	[ "$(grep -c 'no more sessions' "$SSHT/h2/sshd.log")" -le 200 ]
}

# drop3 COUNTER: a ForceCommand that runs the command asked for, but on
# every third session (COUNTER counts them) kills the sshd of its
# connection instead: the connection drops with every channel on it.
drop3() {
	cat > "$SSHT/drop3" <<-'EOF'
	#!/bin/sh
	n=$(flock "$1.lock" sh -c \
	    'n=$(($(cat "$1" 2>/dev/null || echo 0) + 1)); echo $n > "$1"; echo $n' \
	    sh "$1")
	if [ $((n % 3)) -eq 0 ]; then
		p=$PPID
		while [ "$(cat /proc/$p/comm)" != sshd ]; do
			p=$(cut -d ' ' -f 4 /proc/$p/stat)
		done
		kill -9 "$p"
		exit 1
	fi
	exec sh -c "$SSH_ORIGINAL_COMMAND"
	EOF
	chmod 755 "$SSHT/drop3"
	sshd_set 2 "ForceCommand $SSHT/drop3 $1"
}

@test "an sshd that drops its connection on every third session: jobs run again, once" {
	drop3 "$S/count"
	# Two sessions counted already: h2 drops its first job's connection.
	echo 2 > "$S/count"
	chmod 666 "$S/count"
	run --separate-stderr timeout -k 5 60 "$FANOUT" --ssh-config "$SSH_CFG" \
	    -S 1/h2,1/h1 -k --joblog jl 'echo {}' ::: $(seq 9)
	expect_status 0
	expect_output < <(seq 9)
	# h2 dropped a job (and took more when it came back, maybe).
	[ "$(cat "$S/count")" -ge 3 ]
	grep -q '^fanout: .*lost a job on h2' <<<"$stderr"
	# Each job once in the joblog, and each succeeded.
	run joblog_cols jl 1,7,8
	expect_output < <(printf '%s\t0\t0\n' $(seq 9))
}
