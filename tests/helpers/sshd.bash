# Real OpenSSH servers on 127.0.0.1, for tests/65-ssh.bats and bench/ssh.
# Load it after common.bash (Bats) or source it (a script).
#
# Host hN is one sshd (/usr/sbin/sshd -D -e -f CONFIG) on 127.0.0.1 on a
# free port, with a throw-away ed25519 host key and a throw-away user of its
# own (home under $SSHT, password field "*", shell /bin/sh) that is the only
# login it accepts: killing that sshd and every process of its user is the
# host dying (sshd_kill). The client side is one key, a known_hosts file
# that lists every host's key as "[127.0.0.1]:PORT", and an ssh config with
# Host aliases h1..hK (and hnone, a port where nothing listens), so that a
# test says `--ssh-config "$SSH_CFG" -S h1,h2,h3`, and OpenSSH says
# `ssh -F "$SSH_CFG" h1 true`. HOME becomes a directory of the run, so that
# root's own ~/.ssh is never read or written; SSH_AUTH_SOCK is unset.
#
# sshd_start K	start h1..hK (root only: see sshd_missing) and export
#		SSHT (the directory of it all), SSH_CFG, SSH_KNOWN, SSH_KEY,
#		SSH_HOME (= HOME), SSH_SHARE (a directory every host's user
#		may write), SSH_NHOSTS. A watchdog calls sshd_stop if the
#		calling process ends without doing so (a killed Bats).
# sshd_setup_file K: for a Bats file's setup_file: export SSH_MISSING
#		(sshd_missing: the file's tests skip with it), else build
#		the helpers and sshd_start K.
# sshd_stop	kill every process of it by pid, remove the users and
#		$SSHT; says on stderr and fails if anything is left.
# sshd_kill N	host N dies: its sshd, its connections and every process
#		of its user are killed (SIGKILL), by pid.
# sshd_up N	(re)start host N's sshd on its port (after sshd_kill).
# sshd_revive	restart every host that sshd_kill killed.
# sshd_set N [LINE...]: host N's sshd again, with these sshd_config lines
#		over the usual ones (none: back to the usual).
# sshd_user N, sshd_port N, sshd_home N: the host's user, port, home.
# sshd_procs N	the pids of host N's user's processes, one a line.
# sshd_scrub	SIGKILL every process of every host's user (what a failed
#		test left; sshd's connections that a killed fanout held).
# joblog_cols FILE COLS: a joblog's data lines' columns COLS, by Seq.
# sshd_known_line N [PUBKEY]: the known_hosts line of host N (with the key
#		of PUBKEY instead of its own: a changed key).
# sshd_config OUT KNOWN: write an ssh config like $SSH_CFG that names
#		KNOWN as its known_hosts file.
#
# Remote jobs find the test helpers first in PATH (sshd sets it).
# SSHD_STAMP=1 (before sshd_start): LogLevel VERBOSE, and each line of
# $SSHT/hN/sshd.log begins with the time it came ($EPOCHREALTIME): when
# connections came and when they were let in (bench/ssh counts handshakes).

SSHD=/usr/sbin/sshd

# sshd_missing: why these servers cannot be made here, or nothing. (Bats
# 1.8 cannot skip from setup_file: a file keeps the reason and its tests
# skip with it.)
sshd_missing() {
	if [ "$(id -u)" -ne 0 ]; then
		echo "needs root (throw-away users, sshd privilege separation)"
	elif [ ! -x "$SSHD" ] || ! command -v ssh-keygen > /dev/null ||
	    ! command -v ssh > /dev/null; then
		echo "needs OpenSSH ($SSHD, ssh, ssh-keygen: make deps)"
	fi
}

sshd_setup_file() {
	SSH_MISSING=$(sshd_missing)
	export SSH_MISSING
	[ -n "$SSH_MISSING" ] && return 0
	build_helpers
	sshd_start "$1"
}

sshd_user() { cat "$SSHT/h$1/user"; }
sshd_port() { cat "$SSHT/h$1/port"; }
sshd_home() { echo "$SSHT/h$1/home"; }

# _sshd_listening: the TCP ports something listens on, one a line.
_sshd_listening() {
	local f addr st
	for f in /proc/net/tcp /proc/net/tcp6; do
		[ -r "$f" ] || continue
		while read -r _ addr _ st _; do
			[ "$st" = 0A ] && echo $((16#${addr##*:}))
		done < "$f"
	done
}

# _sshd_free_port: a port in 20000-59999 that nothing listens on (nor is
# taken by a host of ours already).
_sshd_free_port() {
	local p busy
	busy=$(_sshd_listening; cat "$SSHT"/h*/port 2>/dev/null)
	while :; do
		p=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
		grep -qx "$p" <<<"$busy" || break
	done
	echo "$p"
}

# _sshd_gone PID...: every PID has ended (or is a zombie), within 10 s.
_sshd_gone() {
	local i pid st left
	for ((i = 0; i < 1000; i++)); do
		left=
		for pid in "$@"; do
			st=$(cut -d ' ' -f 3 "/proc/$pid/stat" 2>/dev/null) || continue
			[ "$st" = Z ] || left="$left $pid"
		done
		[ -z "$left" ] && return 0
		sleep 0.01
	done
	echo "sshd.bash: still running:$left" >&2
	return 1
}

# _sshd_tree PID: PID and its descendants, one a line.
_sshd_tree() {
	ps -e -o pid=,ppid= | awk -v root="$1" '
		{ parent[$1] = $2 }
		END {
			keep[root] = 1; print root
			do {
				more = 0
				for (p in parent)
					if (!(p in keep) && (parent[p] in keep)) {
						keep[p] = 1; print p; more = 1
					}
			} while (more)
		}'
}

# (Zombies are not counted: here init may take its time to reap them.)
sshd_procs() {
	ps -u "$(sshd_user "$1")" -o pid=,stat= 2>/dev/null | awk '$2 !~ /^Z/ { print $1 }'
}

sshd_scrub() {
	local n pids
	for ((n = 1; n <= SSH_NHOSTS; n++)); do
		mapfile -t pids < <(sshd_procs "$n")
		[ ${#pids[@]} -eq 0 ] || kill -9 "${pids[@]}" 2>/dev/null
	done
	return 0
}

joblog_cols() {
	tail -n +2 "$1" | cut -f "$2" | sort -n
}

# _sshd_retry CMD...: run CMD, again while another useradd/userdel holds
# the lock on /etc/passwd (other test runs may add users at the same time)
# or, for userdel, while a zombie of the user waits for init.
_sshd_retry() {
	local i
	for ((i = 0; i < 100; i++)); do
		"$@" 2> "$SSHT/retry.err" && return 0
		grep -qi 'lock\|currently used' "$SSHT/retry.err" || break
		sleep 0.1
	done
	cat "$SSHT/retry.err" >&2
	return 1
}

# _sshd_write_server N PORT: host N's sshd_config.
_sshd_write_server() {
	local d=$SSHT/h$1
	# sshd takes a keyword's first value: the lines of sshd_set first.
	cat "$d/extra" > "$d/sshd_config" 2>/dev/null || : > "$d/sshd_config"
	cat >> "$d/sshd_config" <<-EOF
	ListenAddress 127.0.0.1
	Port $2
	HostKey $d/hostkey
	PidFile $d/sshd.pid
	AuthorizedKeysFile $d/home/.ssh/authorized_keys
	AllowUsers $(cat "$d/user")
	PermitRootLogin no
	StrictModes no
	UsePAM no
	PubkeyAuthentication yes
	PasswordAuthentication no
	KbdInteractiveAuthentication no
	X11Forwarding no
	PrintMotd no
	Subsystem sftp internal-sftp
	MaxSessions 64
	MaxStartups 64:30:128
	SetEnv PATH=$HELPERS:/usr/local/bin:/usr/bin:/bin
	LogLevel $([ -n "${SSHD_STAMP:-}" ] && echo VERBOSE || echo INFO)
	EOF
}

# sshd_up N: start host N's sshd and wait until it listens. A port taken
# meanwhile by somebody else: another port, once the host has no known
# line yet (at start); afterwards the port is the host's and this fails.
sshd_up() {
	local d=$SSHT/h$1 try port pid i
	for ((try = 0; try < 10; try++)); do
		port=$(cat "$d/port" 2>/dev/null) || {
			port=$(_sshd_free_port)
			echo "$port" > "$d/port"
		}
		_sshd_write_server "$1" "$port"
		"$SSHD" -t -f "$d/sshd_config" || return 1
		if [ -n "${SSHD_STAMP:-}" ]; then
			"$SSHD" -D -e -f "$d/sshd_config" < /dev/null 3>&- \
			    > >(_sshd_stamp > "$d/sshd.log") 2>&1 &
		else
			"$SSHD" -D -e -f "$d/sshd_config" < /dev/null > "$d/sshd.log" 2>&1 3>&- &
		fi
		pid=$!
		disown "$pid"
		echo "$pid" > "$d/pid"
		for ((i = 0; i < 1000; i++)); do
			if grep -q "Server listening on 127.0.0.1 port $port" "$d/sshd.log" 2>/dev/null; then
				rm -f "$d/dead"
				return 0
			fi
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.01
		done
		kill -9 "$pid" 2>/dev/null
		[ -e "$d/started" ] && break
		rm -f "$d/port"
	done
	echo "sshd.bash: h$1 did not start:" >&2
	cat "$d/sshd.log" >&2
	return 1
}

# _sshd_stamp: stdin to stdout, each line after the time it came. (It
# ends when the last of sshd and its children closes stderr.)
_sshd_stamp() {
	local l
	while IFS= read -r l; do
		printf '%s %s\n' "$EPOCHREALTIME" "$l"
	done
}

# _sshd_add_host N: host N's user, home, keys; then its sshd.
_sshd_add_host() {
	local d=$SSHT/h$1 user
	mkdir -p "$d/home/.ssh"
	user=fo${SSHT##*.}h$1
	echo "$user" > "$d/user"
	_sshd_retry useradd -M -d "$d/home" -s /bin/sh -p '*' -c "fanout test host h$1" "$user" || return 1
	cp "$SSH_KEY.pub" "$d/home/.ssh/authorized_keys"
	chown -R "$user:" "$d/home"
	chmod 755 "$d/home"
	ssh-keygen -q -t ed25519 -N '' -C "h$1" -f "$d/hostkey" || return 1
	sshd_up "$1" || return 1
	touch "$d/started"
	sshd_known_line "$1" >> "$SSH_KNOWN"
}

sshd_known_line() {
	local pub=${2:-$SSHT/h$1/hostkey.pub} type key
	read -r type key _ < "$pub"
	echo "[127.0.0.1]:$(sshd_port "$1") $type $key"
}

sshd_config() {
	local i d
	{
		for ((i = 1; i <= SSH_NHOSTS; i++)); do
			echo "Host h$i"
			echo "	HostName 127.0.0.1"
			echo "	Port $(sshd_port "$i")"
			echo "	User $(sshd_user "$i")"
			echo "	IdentityFile $SSH_KEY"
			echo "	UserKnownHostsFile $2"
			echo "	StrictHostKeyChecking yes"
		done
		echo "Host hnone"
		echo "	HostName 127.0.0.1"
		echo "	Port $(cat "$SSHT/none.port")"
		echo "	User $(sshd_user 1)"
		echo "	IdentityFile $SSH_KEY"
		echo "	UserKnownHostsFile $2"
		echo "	StrictHostKeyChecking yes"
		# OpenSSH's own client only (libssh ignores these): no agent,
		# no prompt, no /etc/ssh/ssh_known_hosts.
		echo "Host *"
		echo "	IdentitiesOnly yes"
		echo "	BatchMode yes"
		echo "	GlobalKnownHostsFile /dev/null"
	} > "$1"
}

sshd_start() {
	local k=$1 i why
	why=$(sshd_missing)
	[ -z "$why" ] || { echo "sshd.bash: $why" >&2; return 1; }
	# /tmp, not BATS_FILE_TMPDIR: the hosts' users must reach their
	# homes and SSH_SHARE, under directories of mode 700 there.
	# Its name ends in six hex digits, part of the user names.
	for ((i = 0; i < 100; i++)); do
		SSHT=/tmp/fanout-ssh.$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')
		mkdir -m 755 "$SSHT" 2>/dev/null && break
	done
	[ -d "$SSHT" ] || return 1
	export SSHT SSH_NHOSTS=$k
	export SSH_HOME=$SSHT/client SSH_SHARE=$SSHT/share
	export SSH_KEY=$SSH_HOME/key SSH_KNOWN=$SSH_HOME/known_hosts
	export SSH_CFG=$SSH_HOME/config
	export HOME=$SSH_HOME
	unset SSH_AUTH_SOCK
	mkdir -p "$SSH_HOME/.ssh" "$SSH_SHARE"
	chmod 1777 "$SSH_SHARE"
	_sshd_watchdog "$BASHPID"
	# As root, sshd wants its privilege separation directory.
	mkdir -p /run/sshd
	ssh-keygen -q -t ed25519 -N '' -C fanout-test -f "$SSH_KEY" || { sshd_stop; return 1; }
	: > "$SSH_KNOWN"
	for ((i = 1; i <= k; i++)); do
		_sshd_add_host "$i" || { sshd_stop; return 1; }
	done
	_sshd_free_port > "$SSHT/none.port"
	sshd_config "$SSH_CFG" "$SSH_KNOWN"
}

# _sshd_watchdog PID: clean up when PID ends before sshd_stop is called.
# In a session of its own: a signal to the test run's process group (^C,
# timeout(1)) does not reach it.
_sshd_watchdog() {
	# shellcheck disable=SC2016 # expanded by that bash
	setsid -f bash -c '
		. "$0"
		echo "$BASHPID" > "$SSHT/watchdog.pid"
		while kill -0 "$1" 2>/dev/null; do sleep 1; done
		sshd_stop' "${BASH_SOURCE[0]}" "$1" < /dev/null > /dev/null 2>&1 3>&-
}

sshd_kill() {
	local d=$SSHT/h$1 pid pids
	pid=$(cat "$d/pid")
	touch "$d/dead"
	# Stopped first, so that it forks no connection after the list.
	kill -STOP "$pid" 2>/dev/null
	mapfile -t pids < <(_sshd_tree "$pid")
	kill -9 "${pids[@]}" 2>/dev/null
	_sshd_kill_user "$1"
	_sshd_gone "${pids[@]}"
}

# _sshd_kill_user N: SIGKILL host N's user's processes until none is left
# (one may fork while the others die).
_sshd_kill_user() {
	local i pids
	for ((i = 0; i < 100; i++)); do
		mapfile -t pids < <(sshd_procs "$1")
		[ ${#pids[@]} -eq 0 ] && return 0
		kill -9 "${pids[@]}" 2>/dev/null
		_sshd_gone "${pids[@]}" 2>/dev/null
	done
	echo "sshd.bash: h$1's user keeps processes: ${pids[*]}" >&2
	return 1
}

sshd_set() {
	local n=$1
	shift
	[ -e "$SSHT/h$n/dead" ] || sshd_kill "$n" || return 1
	if [ $# -gt 0 ]; then
		printf '%s\n' "$@" > "$SSHT/h$n/extra"
	else
		rm -f "$SSHT/h$n/extra"
	fi
	sshd_up "$n"
}

sshd_revive() {
	local d
	for d in "$SSHT"/h*; do
		[ -e "$d/dead" ] && { sshd_up "${d##*/h}" || return 1; }
	done
	return 0
}

sshd_stop() {
	local d n user rc=0 wd wpids
	[ -n "${SSHT:-}" ] && [ -d "$SSHT" ] || return 0
	for d in "$SSHT"/h*; do
		[ -f "$d/user" ] || continue
		n=${d##*/h}
		user=$(cat "$d/user")
		if [ -f "$d/pid" ] && [ ! -e "$d/dead" ]; then
			sshd_kill "$n" || rc=1
		fi
		if getent passwd "$user" > /dev/null; then
			_sshd_kill_user "$n" || rc=1
			_sshd_retry userdel "$user" || rc=1
		fi
		rm -f "/var/mail/$user"
	done
	wd=$(cat "$SSHT/watchdog.pid" 2>/dev/null)
	rm -rf "$SSHT"
	# The watchdog and its sleep, unless this is the watchdog.
	if [ -n "$wd" ] && [ "$wd" != "$BASHPID" ]; then
		mapfile -t wpids < <(_sshd_tree "$wd")
		kill "${wpids[@]}" 2>/dev/null
	fi
	return $rc
}
