# A Slurm cluster of this machine alone, for tests that run job steps:
# munged, one slurmctld and three slurmd (nodes n1, n2, n3, all on
# 127.0.0.1, ports of their own), with config, state, spool and logs in a
# temporary folder and SLURM_CONF pointing there (nothing at the system
# path). No systemd: each daemon runs in the foreground, started here, and
# slurm_stop kills each by its pid whatever happened.
#
# Usage, in a Bats file:
#	load helpers/slurm
#	setup_file() { build_helpers; slurm_start; }
#	teardown_file() { slurm_stop; }
# and slurm_require at the head of each test (it skips, with the reason,
# where the cluster could not be had: not root, no slurm-wlm or munge).

SLURM_NODES=(n1 n2 n3)
# CPUs each node offers.
SLURM_CPUS=2

# Why there is no cluster, or empty.
slurm_missing() {
	local b
	if [ "$(id -u)" -ne 0 ]; then
		echo "Slurm tests need root (slurmd runs steps as their user)"
		return
	fi
	for b in munged slurmctld slurmd srun salloc squeue sinfo scontrol setpriv; do
		if ! command -v "$b" >/dev/null; then
			echo "Slurm tests need $b (make deps installs slurm-wlm and munge)"
			return
		fi
	done
}

# A port base with this one and the four above it free on 127.0.0.1.
slurm_ports() {
	local base p used
	used=$(ss -Htan 2>/dev/null | awk '{ print $4 }')
	for ((try = 0; try < 50; try++)); do
		base=$((20000 + RANDOM % 20000))
		for ((p = base; p < base + 5; p++)); do
			grep -q ":$p\$" <<<"$used" && continue 2
		done
		echo "$base"
		return
	done
	echo 27000
}

# Write the config for a cluster in $SLURM_DIR with ports from $1.
slurm_config() {
	local port=$1 host
	host=$(hostname)
	cat >"$SLURM_DIR/slurm.conf" <<EOF
ClusterName=fanouttest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$SLURM_DIR/munge/socket
CredType=cred/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
MailProg=/bin/true
ReturnToService=2
SlurmdTimeout=3
MessageTimeout=3
KillWait=2
StateSaveLocation=$SLURM_DIR/state
SlurmdSpoolDir=$SLURM_DIR/spool/%n
SlurmctldPidFile=$SLURM_DIR/slurmctld.pid
SlurmdPidFile=$SLURM_DIR/slurmd.%n.pid
SlurmctldLogFile=$SLURM_DIR/log/slurmctld.log
SlurmdLogFile=$SLURM_DIR/log/slurmd.%n.log
NodeName=n[1-3] NodeHostname=$host NodeAddr=127.0.0.1 Port=[$((port + 2))-$((port + 4))] CPUs=$SLURM_CPUS State=UNKNOWN
PartitionName=p Nodes=n[1-3] Default=YES MaxTime=INFINITE State=UP
EOF
}

# Whether every node is idle.
slurm_idle() {
	local states
	states=$(sinfo -h -N -o '%N %T' 2>/dev/null) || return 1
	[ "$(grep -c ' idle$' <<<"$states")" -eq "${#SLURM_NODES[@]}" ]
}

# slurm_start_node NODE: its slurmd, in the foreground, pid in the folder.
slurm_start_node() {
	slurmd -D -f "$SLURM_CONF" -N "$1" </dev/null \
	    >>"$SLURM_DIR/log/slurmd.$1.out" 2>&1 3>&- &
	echo "$!" >"$SLURM_DIR/pids/slurmd.$1"
	# Killed mid-test (a node failure): no "Killed" notice from bash.
	disown "$!"
}

# Start the cluster and wait until its nodes are idle; on failure the
# reason is in $SLURM_DIR/skip and slurm_require skips.
slurm_start() {
	local why n i
	export SLURM_DIR
	SLURM_DIR=$(mktemp -d /tmp/fanout-slurm.XXXXXX)
	export SLURM_CONF=$SLURM_DIR/slurm.conf
	why=$(slurm_missing)
	if [ -n "$why" ]; then
		echo "$why" >"$SLURM_DIR/skip"
		return 0
	fi
	# munged checks that others may reach its socket, not its key.
	chmod 711 "$SLURM_DIR"
	mkdir -m 711 "$SLURM_DIR/munge"
	mkdir -p "$SLURM_DIR/state" "$SLURM_DIR/log" "$SLURM_DIR/pids"
	for n in "${SLURM_NODES[@]}"; do
		mkdir -p "$SLURM_DIR/spool/$n"
	done
	head -c 1024 /dev/urandom >"$SLURM_DIR/munge/key"
	chmod 600 "$SLURM_DIR/munge/key"
	chown -R munge: "$SLURM_DIR/munge"
	slurm_config "$(slurm_ports)"
	setpriv --reuid=munge --regid=munge --init-groups munged -F \
	    --socket="$SLURM_DIR/munge/socket" \
	    --key-file="$SLURM_DIR/munge/key" \
	    --pid-file="$SLURM_DIR/munge/pid" \
	    --seed-file="$SLURM_DIR/munge/seed" \
	    --log-file="$SLURM_DIR/munge/log" </dev/null >/dev/null 2>&1 3>&- &
	echo "$!" >"$SLURM_DIR/pids/munged"
	for ((i = 0; i < 500; i++)); do
		[ -S "$SLURM_DIR/munge/socket" ] && break
		sleep 0.01
	done
	slurmctld -D -i -f "$SLURM_CONF" </dev/null \
	    >"$SLURM_DIR/log/slurmctld.out" 2>&1 3>&- &
	echo "$!" >"$SLURM_DIR/pids/slurmctld"
	for n in "${SLURM_NODES[@]}"; do
		slurm_start_node "$n"
	done
	for ((i = 0; i < 600; i++)); do
		slurm_idle && return 0
		sleep 0.05
	done
	echo "the test cluster did not come up: see $SLURM_DIR/log" >"$SLURM_DIR/skip"
	sinfo >&2
	return 1
}

# Skip the test when there is no cluster.
slurm_require() {
	if [ -f "$SLURM_DIR/skip" ]; then
		skip "$(cat "$SLURM_DIR/skip")"
	fi
}

# The job steps running now, one "JOBID.STEP NODE" a line.
slurm_steps() {
	squeue -h -s -o '%i %N' | grep -v '\.extern ' || true
}

# slurm_wait_idle: every node idle again (a restarted slurmd back).
slurm_wait_idle() {
	local i
	for ((i = 0; i < 1200; i++)); do
		slurm_idle && return 0
		sleep 0.05
	done
	sinfo -N >&2
	return 1
}

# slurm_kill_node NODE PID: a node failure: its slurmd, PID (a task of a
# step on NODE) and the slurmstepd above it killed, then Slurm told the
# node is down (as it finds out itself after SlurmdTimeout).
slurm_kill_node() {
	local stepd
	stepd=$(ps -o ppid= -p "$2" | tr -d ' ')
	kill -9 "$(cat "$SLURM_DIR/pids/slurmd.$1")" ${stepd:+"$stepd"} "$2"
	wait "$(cat "$SLURM_DIR/pids/slurmd.$1")" 2>/dev/null
	scontrol update nodename="$1" state=down reason=test
}

# The steps whose slurmstepd still listens on its socket in a node's spool.
slurm_live_steps() {
	ss -Hxl 2>/dev/null | grep -o "$SLURM_DIR/spool/[^ ]*" || true
}

# Cancel every job, kill every daemon by its pid, and check that no step
# is left (a running step's slurmstepd listens in its node's spool).
slurm_stop() {
	local f pid i left
	[ -n "${SLURM_DIR:-}" ] && [ -d "$SLURM_DIR" ] || return 0
	if [ ! -f "$SLURM_DIR/skip" ] || [ -f "$SLURM_DIR/pids/slurmctld" ]; then
		scancel --full -u root 2>/dev/null
		for ((i = 0; i < 200; i++)); do
			left=$(slurm_live_steps)
			[ -z "$left" ] && break
			sleep 0.05
		done
	fi
	for f in "$SLURM_DIR"/pids/slurmd.* "$SLURM_DIR"/pids/slurmctld \
	    "$SLURM_DIR"/pids/munged; do
		[ -f "$f" ] || continue
		pid=$(cat "$f")
		kill -TERM "$pid" 2>/dev/null
	done
	for f in "$SLURM_DIR"/pids/*; do
		[ -f "$f" ] || continue
		pid=$(cat "$f")
		for ((i = 0; i < 200; i++)); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.05
		done
		kill -9 "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	rm -rf "$SLURM_DIR"
	if [ -n "${left:-}" ]; then
		echo "steps left running at teardown: $left" >&2
		return 1
	fi
	return 0
}
