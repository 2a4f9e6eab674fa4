# Loaded by every Bats file: `load helpers/common`.
# FANOUT is the binary under test; HELPERS holds the misbehaving programs.
TOP=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
FANOUT=${FANOUT:-$TOP/fanout}
HELPERS=$TOP/tests/helpers/bin
export PATH="$HELPERS:$PATH"

# Build the helper programs, for a plain `bats FILE` run (make test
# builds them too). Call it from setup_file.
build_helpers() {
	local c helpers=()
	for c in "$TOP"/tests/helpers/*.c; do
		c=${c##*/}
		helpers+=("tests/helpers/bin/${c%.c}")
	done
	make -s -C "$TOP" "${helpers[@]}" >&2
}

setup_file() {
	build_helpers
}

setup() {
	# Each test gets its own TMPDIR, so spool files are easy to count.
	export TMPDIR="$BATS_TEST_TMPDIR/tmp"
	mkdir -p "$TMPDIR"
	cd "$BATS_TEST_TMPDIR" || return 1
	# When the test began, in clock ticks since boot (field 22 of a
	# process's stat is its start in these units): see kill_ours.
	read -r -a TEST_STAT </proc/self/stat
	TEST_T0=${TEST_STAT[21]}
	if declare -F local_setup >/dev/null; then local_setup; fi
}

# kill_ours PID...: SIGKILL each PID that is still a process this test
# started, that is, one that began after the test did. A pid whose process
# ended has gone back to the system and may be anybody's now (100000 jobs
# go through every pid there is): it is left alone.
kill_ours() {
	local pid st
	for pid in "$@"; do
		st=$(cat "/proc/$pid/stat" 2>/dev/null) || continue
		read -r -a st <<<"${st##*) }"
		# st[0] is field 3 of stat: field 22, the start, is st[19].
		[ "${st[19]}" -ge "$TEST_T0" ] && kill -9 "$pid" 2>/dev/null
	done
	return 0
}

# Whatever a failed test left behind: the background fanout, every pid in
# a *.pid file; and a "go" file, for jobs still waiting on one.
teardown() {
	local f
	[ -n "${FPID:-}" ] && kill_ours "$FPID"
	for f in "$BATS_TEST_TMPDIR"/*.pid; do
		[ -f "$f" ] && kill_ours $(cat "$f")
	done
	touch "$BATS_TEST_TMPDIR/go"
	if declare -F local_teardown >/dev/null; then local_teardown; fi
	return 0
}

fanout() {
	"$FANOUT" "$@"
}

# Fail with both texts shown when $output is not exactly the expected text
# (read from stdin, e.g. a heredoc).
expect_output() {
	local want
	want=$(cat)
	if [ "$output" != "$want" ]; then
		printf 'expected:\n%s\n--- got:\n%s\n---\n' "$want" "$output" >&2
		return 1
	fi
}

# rss_below FILE KB: the peak RSS that time(1) wrote to FILE is under KB.
# Not checked in a sanitizer build, whose shadow memory and quarantine
# are no measure of fanout's own use.
rss_below() {
	[ -n "${FANOUT_SANITIZE:-}" ] && return 0
	[ "$(tail -n 1 "$1")" -lt "$2" ]
}

# expect_status N: fail showing the output when $status is not N.
expect_status() {
	if [ "$status" -ne "$1" ]; then
		printf 'expected status %s, got %s; output:\n%s\n' "$1" "$status" "$output" >&2
		return 1
	fi
}

# wait_for CMD...: poll CMD until it succeeds, for at most 30 s.
wait_for() {
	local i
	for ((i = 0; i < 3000; i++)); do
		"$@" && return 0
		sleep 0.01
	done
	echo "gave up waiting for: $*" >&2
	return 1
}

# start_fanout ARG...: run fanout in the background with default signal
# dispositions (bash starts background jobs with SIGINT ignored), stdout
# in "out", stderr in "err", stdin from the file $IN (bash would give a
# background command /dev/null).  FPID is its pid.
start_fanout() {
	sigdflt "$FANOUT" "$@" < "${IN:-/dev/null}" > out 2> err 3>&- &
	FPID=$!
	echo "$FPID" > fanout.pid
}

# wait_fanout: wait (at most 30 s) for the background fanout to end and set
# status to its exit status.
wait_fanout() {
	waitgone fanout.pid
	status=0
	wait "$FPID" || status=$?
	# Reaped: its pid is no longer ours to kill in teardown.
	FPID=
	rm -f fanout.pid
	output=$(cat out err)
}

# small_tmpfs: a 1 MB tmpfs at $SMALL, a disk that fills up, or skip the
# test (mounting takes root, as CI has). umount_small takes it away.
small_tmpfs() {
	SMALL="$BATS_TEST_TMPDIR/small"
	mkdir -p "$SMALL"
	if ! mount -t tmpfs -o size=1m tmpfs "$SMALL" 2>/dev/null; then
		skip "cannot mount a tmpfs here (needs root)"
	fi
}

umount_small() {
	[ -n "${SMALL:-}" ] && mountpoint -q "$SMALL" 2>/dev/null && umount "$SMALL"
	return 0
}
