#!/usr/bin/env bats
# Remote hosts over SSH (SPEC §8) against real OpenSSH servers that
# setup_file starts on 127.0.0.1 (tests/helpers/sshd.bash): hosts h1..h4,
# each an sshd with a user of its own, so that sshd_kill is a host dying.
# Slow: four sshd and their users are made once for the file (a few
# seconds) and every test logs in; the file takes a minute or two. Root
# only (throw-away users); skipped otherwise.
#
# Remote jobs and the test meet in $S, a directory every host's user may
# write: jobs leave files there (which host they ran on, their pids) and
# wait for files the test makes. Remote pids are pids of this machine, so
# waitgone works on them. Timeouts are hang guards only.

bats_require_minimum_version 1.5.0
load helpers/common
load helpers/sshd

HOSTS=4

setup_file() {
	sshd_setup_file "$HOSTS"
}

teardown_file() {
	sshd_stop
}

local_setup() {
	[ -z "$SSH_MISSING" ] || skip "SSH: $SSH_MISSING"
	# A host a test killed comes back for the next one.
	sshd_revive
	S=$SSH_SHARE/$BATS_TEST_NUMBER
	mkdir -m 1777 "$S" "$S/on" "$S/run"
}

# Whatever a failed test left on the hosts: every process of their users
# (sshd's connections included, which the killed fanout held).
local_teardown() {
	[ -z "$SSH_MISSING" ] || return 0
	sshd_scrub
}

# idle N: host N's user has no process.
idle() {
	[ -z "$(sshd_procs "$1")" ]
}

# no_procs N...: no process of host N's user is left (once fanout's
# connections have closed), within 30 s.
no_procs() {
	local n
	for n in "$@"; do
		wait_for idle "$n" || {
			ps -o pid,user,args -p "$(sshd_procs "$n" | paste -sd,)" >&2
			return 1
		}
	done
}

# hosts_of JOBLOG: the Host column's values, sorted, unique, on one line.
hosts_of() {
	tail -n +2 "$1" | cut -f 2 | sort -u | paste -sd ' '
}

# on_host N: the items whose job ran on host N (see on_cmd), on one line.
on_host() {
	local u f
	u=$(sshd_user "$1")
	for f in "$S"/on/*."$u"; do
		[ -e "$f" ] && { f=${f##*/}; echo "${f%%.*}"; }
	done | paste -sd ' '
}

# count_on DIR N: DIR holds at least N files.
count_on() {
	[ "$(find "$1" -type f | wc -l)" -ge "$2" ]
}

# A job that says where it runs (a file ITEM.USER in $S/on), then waits
# for $S/go and prints "job ITEM".
on_cmd() {
	echo "touch $S/on/{}.\$(id -un); waitfile $S/go; echo job {}"
}

# --- the harness itself (these need no fanout) -----------------------------

@test "harness: OpenSSH's ssh logs into each host as its own user, and only that" {
	local n
	[ "$HOME" = "$SSH_HOME" ]
	[ -z "${SSH_AUTH_SOCK:-}" ]
	for ((n = 1; n <= HOSTS; n++)); do
		run ssh -F "$SSH_CFG" "h$n" 'id -un; pwd'
		expect_status 0
		expect_output <<-EOF
		$(sshd_user "$n")
		$(sshd_home "$n")
		EOF
	done
	# h2 lets in its own user only.
	run ssh -F "$SSH_CFG" -l "$(sshd_user 1)" h2 true
	expect_status 255
	# Nothing listens on hnone.
	run ssh -F "$SSH_CFG" hnone true
	expect_status 255
}

@test "harness: sshd_kill ends the host's sshd and its user's processes; sshd_revive brings it back" {
	ssh -F "$SSH_CFG" h3 "echo \$\$ > $S/sh.pid; exec sleep 1000" \
	    < /dev/null > /dev/null 2>&1 3>&- &
	echo $! > ssh.pid
	waitfile "$S/sh.pid"
	sshd_kill 3
	waitgone "$S/sh.pid" ssh.pid
	[ -z "$(sshd_procs 3)" ]
	run ssh -F "$SSH_CFG" h3 true
	expect_status 255
	sshd_revive
	run ssh -F "$SSH_CFG" h3 'id -un'
	expect_status 0
	expect_output <<<"$(sshd_user 3)"
}

# --- running jobs ------------------------------------------------------------

@test "three hosts: each runs a job; the joblog's Host is the login without N/" {
	run --separate-stderr timeout -k 5 120 "$FANOUT" --ssh-config "$SSH_CFG" \
	    -S 1/h1,1/h2,1/h3 --joblog jl conc "$S/run" 3 300 ::: 1 2 3
	expect_status 0
	# Three at once with one slot a host: one on each.
	expect_output <<-EOF
	3
	3
	3
	EOF
	run hosts_of jl
	expect_output <<<"h1 h2 h3"
}

# The same jobs locally and over three hosts: stdout, exit status and the
# joblog (but for Host, times) byte for byte.
same_as_local() {
	local items=('a b' "it's" 'x"y' '$HOME' 'back\slash' $'new\nline' '*'
	    'a\tb' '~' ';echo no' '`id`' '' "  lead" 'é')
	run --separate-stderr "$FANOUT" -k --joblog jl.local "$@" ::: "${items[@]}"
	local lst=$status lout=$output
	run --separate-stderr timeout -k 5 120 "$FANOUT" --ssh-config "$SSH_CFG" \
	    -S 2/h1,2/h2,2/h3 -k --joblog jl.remote "$@" ::: "${items[@]}"
	expect_status "$lst"
	expect_output <<<"$lout"
	[ "$(joblog_cols jl.remote 1,5-9)" = "$(joblog_cols jl.local 1,5-9)" ]
}

@test "quoting and exit statuses over SSH are those of the same run locally" {
	same_as_local 'printf "<%s>\n" {} {#}; exit $(({#} % 3))'
	# Some of them failed: the statuses were compared, not only zeros.
	[ "$status" -gt 0 ]
}

@test "a command without shell syntax prints remotely what it prints locally" {
	# Locally echo is /usr/bin/echo, run directly: 'a\tb' stays a\tb.
	# A remote dash's own echo would print a tab.
	same_as_local echo {}
	grep -qxF 'a\tb' <<<"$output"
}

@test "-k: output in input order when remote jobs end in reverse order" {
	# Job i waits for job i+1 to end: they end 6, 5, ... 1.
	run --separate-stderr timeout -k 5 120 "$FANOUT" --ssh-config "$SSH_CFG" \
	    -S 2/h1,2/h2,2/h3 -k \
	    "[ {1} = 6 ] || waitfile $S/{2}; echo {1}; touch $S/{1}" \
	    ::: 1 2 3 4 5 6 :::+ 2 3 4 5 6 7
	expect_status 0
	expect_output < <(seq 6)
}

@test "remote stderr stays apart from stdout" {
	run --separate-stderr timeout -k 5 120 "$FANOUT" --ssh-config "$SSH_CFG" \
	    -S 1/h1,1/h2 -k 'echo out {}; echo err {} >&2' ::: 1 2
	expect_status 0
	expect_output <<-'EOF'
	out 1
	out 2
	EOF
	[ "$stderr" = $'err 1\nerr 2' ]
}

@test "a remote job killed by a signal is reported as locally" {
	run --separate-stderr "$FANOUT" -k --joblog jl.local killself ::: TERM KILL
	expect_status 2
	run --separate-stderr timeout -k 5 120 "$FANOUT" --ssh-config "$SSH_CFG" \
	    -S 1/h1 -k --joblog jl.remote killself ::: TERM KILL
	expect_status 2
	expect_output <<-'EOF'
	dying
	dying
	EOF
	# Exitval 0, Signal 15 and 9, as locally.
	[ "$(joblog_cols jl.remote 1,6-9)" = "$(joblog_cols jl.local 1,6-9)" ]
}

@test "a remote job that exits 147 or 3 ends with that status (the wrapper never stops itself)" {
	run --separate-stderr timeout -k 5 60 "$FANOUT" --ssh-config "$SSH_CFG" \
	    -S h1 --joblog jl 'exit {}' ::: 147 3
	expect_status 2
	# Exitval as written: 147 is not SIGSTOP's 128 + 19.
	[ "$(joblog_cols jl 1,7-8)" = "$(printf '1\t147\t0\n2\t3\t0')" ]
}

@test "what a remote job leaves running in the background ends with it" {
	run --separate-stderr timeout -k 5 60 "$FANOUT" --ssh-config "$SSH_CFG" \
	    -S h1 'sleep 300 >/dev/null 2>&1 & echo started {}' ::: 1
	expect_status 0
	[ "$output" = "started 1" ]
	no_procs 1
}

@test "--env VAR and FANOUT_* reach remote jobs; other variables do not" {
	FOO='a b $x "q" '\''s'\' BAR=bar run --separate-stderr timeout -k 5 120 \
	    "$FANOUT" --ssh-config "$SSH_CFG" -S 1/h1 -k --env FOO \
	    'printf "%s|%s|%s|%s|%s|%s\n" "$FOO" "${BAR-unset}" "$FANOUT_SEQ" "$FANOUT_SLOT" "$PARALLEL_SEQ" {}' \
	    ::: x y
	expect_status 0
	expect_output <<-'EOF'
	a b $x "q" 's'|unset|1|1|1|x
	a b $x "q" 's'|unset|2|1|2|y
	EOF
}

@test "--workdir: remote jobs run in that directory" {
	mkdir -m 1777 "$S/wd"
	run --separate-stderr timeout -k 5 120 "$FANOUT" --ssh-config "$SSH_CFG" \
	    -S 1/h1,1/h2 --workdir "$S/wd" 'pwd; : {}' ::: 1 2
	expect_status 0
	expect_output <<-EOF
	$S/wd
	$S/wd
	EOF
}

@test "-S 2/h1 runs at most 2 jobs at once there, and 2 do run" {
	# The 2/ is the host's slots, whatever -j says.
	run --separate-stderr timeout -k 5 120 "$FANOUT" --ssh-config "$SSH_CFG" \
	    -j 8 -S 2/h1 conc "$S/run" 2 300 {#} ::: 1 2 3 4 5
	expect_status 0
	[ "${#lines[@]}" -eq 5 ]
	run sort -n <<<"$output"
	run tail -n 1 <<<"$output"
	expect_output <<<2
}

# --- hosts failing -------------------------------------------------------------

@test "a host dies mid-run: its job runs elsewhere, every output once, exit 0" {
	start_fanout --ssh-config "$SSH_CFG" -S 1/h1,1/h2,1/h3 --joblog jl \
	    "$(on_cmd)" ::: 1 2 3 4 5 6 7 8 9
	wait_for count_on "$S/on" 3
	# One job a host: h2 has one.
	[ -n "$(on_host 2)" ]
	sshd_kill 2
	touch "$S/go"
	wait_fanout
	expect_status 0
	run sort out
	expect_output < <(printf 'job %s\n' 1 2 3 4 5 6 7 8 9 | sort)
	# Said on stderr, naming the host; nothing else there.
	grep -q h2 err
	run grep -v h2 err
	expect_output < /dev/null
	# Each job once, with the host it finished on.
	run joblog_cols jl 1
	expect_output < <(seq 9)
	run hosts_of jl
	expect_output <<<"h1 h3"
}

@test "every host gone: the remaining jobs fail, exit 255, a clear message" {
	start_fanout --ssh-config "$SSH_CFG" -S 1/h1,1/h2 "$(on_cmd)" ::: 1 2 3 4
	wait_for count_on "$S/on" 2
	sshd_kill 1
	sshd_kill 2
	touch "$S/go"
	wait_fanout
	expect_status 255
	[ ! -s out ]
	grep -q '^fanout: .*host' err
}

@test "a port where nothing listens: a clear error naming the host, exit 255" {
	run --separate-stderr timeout -k 5 120 "$FANOUT" --ssh-config "$SSH_CFG" \
	    -S hnone "touch $S/ran" ::: 1
	expect_status 255
	[ ! -e "$S/ran" ]
	grep -q '^fanout: .*hnone' <<<"$stderr"
}

@test "a host name libssh refuses silently (h_1) gets a reason, not an empty one" {
	run --separate-stderr timeout -k 5 120 "$FANOUT" --ssh-config "$SSH_CFG" \
	    -S h_1 "touch $S/ran" ::: 1
	expect_status 255
	[ ! -e "$S/ran" ]
	grep -q '^fanout: warning: host h_1: libssh refuses it as a host name' \
	    <<<"$stderr"
	! grep -q ': ;' <<<"$stderr"
}

@test "a workflow task whose own hosts are all gone fails; the others run" {
	cat >w.yaml <<-'EOF'
	version: 1
	tasks:
	  far: {run: 'echo far', hosts: [hnone]}
	  near: {run: 'echo near'}
	EOF
	run --separate-stderr timeout -k 5 120 "$FANOUT" --ssh-config "$SSH_CFG" \
	    -f w.yaml
	expect_status 1
	[ "$output" = near ]
	grep -q 'host hnone: .*giving up on it' <<<"$stderr"
	grep -q 'its host is gone' <<<"$stderr"
}

@test "--plus {host} and {sshlogin}: the host and the login a remote job runs on" {
	local u p
	u=$(sshd_user 2)
	p=$(sshd_port 2)
	# In the command (rendered once the job has its host) and the tag.
	run --separate-stderr timeout -k 5 120 "$FANOUT" --ssh-config "$SSH_CFG" \
	    --plus --onall --tagstring '{host}' -S h1,"$u@h2:$p" \
	    'echo {host} {sshlogin} $(id -un)' ::: a
	expect_status 0
	run sort <<<"$output"
	expect_output <<-EOF
	h1	h1 h1 $(sshd_user 1)
	h2	h2 $u@h2:$p $u
	EOF
}

@test "--filter-hosts drops the hosts that cannot be reached" {
	sshd_kill 3
	run --separate-stderr timeout -k 5 120 "$FANOUT" --ssh-config "$SSH_CFG" \
	    --filter-hosts --nonall --tag -S h1,h2,h3,hnone id -un
	expect_status 0
	run sort <<<"$output"
	expect_output <<-EOF
	h1	$(sshd_user 1)
	h2	$(sshd_user 2)
	EOF
}

@test "--slf FILE is read again while running: a host added joins" {
	echo 1/h1 > slf
	# GNU parallel looks every second for an mtime more than a second
	# newer than the one it read: the file is made older first.
	touch -d '-10 seconds' slf
	start_fanout --ssh-config "$SSH_CFG" --slf slf --joblog jl "$(on_cmd)" ::: 1 2
	wait_for count_on "$S/on" 1
	echo 1/h4 >> slf
	# Job 1 holds h1's one slot until go: job 2 can only run on h4.
	wait_for count_on "$S/on" 2
	touch "$S/go"
	wait_fanout
	expect_status 0
	run sort out
	expect_output <<-'EOF'
	job 1
	job 2
	EOF
	run on_host 4
	expect_output <<<2
	run hosts_of jl
	expect_output <<<"h1 h4"
}

# --- host keys -------------------------------------------------------------------

@test "an unknown host is refused; --ssh-accept-new records it (OpenSSH agrees)" {
	: > known
	sshd_config cfg "$PWD/known"
	run --separate-stderr timeout -k 5 120 "$FANOUT" --ssh-config cfg \
	    -S h1 "touch $S/ran" ::: 1
	expect_status 255
	grep -q '^fanout: ' <<<"$stderr"
	[ ! -e "$S/ran" ]
	[ ! -s known ]
	run --separate-stderr timeout -k 5 120 "$FANOUT" --ssh-config cfg \
	    --ssh-accept-new -S h1 "touch $S/ran" ::: 1
	expect_status 0
	[ -e "$S/ran" ]
	ssh-keygen -F "[127.0.0.1]:$(sshd_port 1)" -f known > /dev/null
	# Recorded as OpenSSH reads it: its ssh now trusts h1.
	run ssh -F cfg h1 true
	expect_status 0
	# Root's own known_hosts was never the one.
	[ ! -e "$HOME/.ssh/known_hosts" ]
}

@test "a changed host key is refused even with --ssh-accept-new, naming FILE:LINE" {
	ssh-keygen -q -t ed25519 -N '' -f other
	{
		sshd_known_line 2
		sshd_known_line 1 other.pub
	} > known
	cp known known.before
	sshd_config cfg "$PWD/known"
	run --separate-stderr timeout -k 5 120 "$FANOUT" --ssh-config cfg \
	    --ssh-accept-new -S h1 "touch $S/ran" ::: 1
	expect_status 255
	[ ! -e "$S/ran" ]
	grep -qF "$PWD/known:2" <<<"$stderr"
	cmp known known.before
}

@test "without --ssh-config: ~/.ssh/config, ~/.ssh/known_hosts, ~/.ssh/id_ed25519" {
	local home=$BATS_TEST_TMPDIR/home
	mkdir -p "$home/.ssh"
	cp "$SSH_KEY" "$home/.ssh/id_ed25519"
	sshd_known_line 1 > "$home/.ssh/known_hosts"
	printf 'Host h1\n\tHostName 127.0.0.1\n\tPort %s\n\tUser %s\n' \
	    "$(sshd_port 1)" "$(sshd_user 1)" > "$home/.ssh/config"
	HOME=$home run --separate-stderr timeout -k 5 120 "$FANOUT" -S h1 \
	    'id -un; : {}' ::: 1 < /dev/null
	expect_status 0
	expect_output <<<"$(sshd_user 1)"
}

# --- stopping remote jobs ------------------------------------------------------

@test "--timeout leaves no remote process of the job, a grandchild included" {
	run --separate-stderr timeout -k 5 120 "$FANOUT" --ssh-config "$SSH_CFG" \
	    -S 1/h1 --timeout 1 grandchild "$S/{}.pid" stay ::: g
	expect_status 1
	waitgone "$S/g.pid"
	no_procs 1
}

@test "SIGINT leaves no remote process of any job, grandchildren included" {
	start_fanout --ssh-config "$SSH_CFG" -S 1/h1,1/h2 \
	    "grandchild $S/{}.pid stay" ::: a b
	waitfile "$S/a.pid" "$S/b.pid"
	kill -INT "$FPID"
	wait_fanout
	expect_status 130
	waitgone "$S/a.pid" "$S/b.pid"
	no_procs 1 2
}

# --- --nonall, --onall, files ----------------------------------------------------

@test "--nonall --tag: the command once on every host, lines tagged with the host" {
	run --separate-stderr timeout -k 5 120 "$FANOUT" --ssh-config "$SSH_CFG" \
	    --nonall --tag -S h1,h2,h3 id -un
	expect_status 0
	run sort <<<"$output"
	expect_output <<-EOF
	h1	$(sshd_user 1)
	h2	$(sshd_user 2)
	h3	$(sshd_user 3)
	EOF
}

@test "--onall --tag: every job on every host" {
	run --separate-stderr timeout -k 5 120 "$FANOUT" --ssh-config "$SSH_CFG" \
	    --onall --tag -S h1,h2 'echo {} $(id -un)' ::: a b
	expect_status 0
	run sort <<<"$output"
	expect_output <<-EOF
	h1	a $(sshd_user 1)
	h1	b $(sshd_user 1)
	h2	a $(sshd_user 2)
	h2	b $(sshd_user 2)
	EOF
}

@test "--transfer and --return move the files; --cleanup removes them remotely" {
	local home
	home=$(sshd_home 1)
	mkdir in
	echo abc > in/t1
	echo def > in/t2
	run --separate-stderr timeout -k 5 120 "$FANOUT" --ssh-config "$SSH_CFG" \
	    -S 1/h1 --transfer --return {}.up 'tr a-z A-Z < {} > {}.up' ::: in/t1
	expect_status 0
	[ "$(cat in/t1.up)" = ABC ]
	# Without --cleanup both stay in the remote home.
	[ "$(cat "$home/in/t1")" = abc ]
	[ "$(cat "$home/in/t1.up")" = ABC ]
	run --separate-stderr timeout -k 5 120 "$FANOUT" --ssh-config "$SSH_CFG" \
	    -S 1/h1 --transfer --return {}.up --cleanup 'tr a-z A-Z < {} > {}.up' ::: in/t2
	expect_status 0
	[ "$(cat in/t2.up)" = DEF ]
	[ ! -e "$home/in/t2" ]
	[ ! -e "$home/in/t2.up" ]
}

# base_each OUTPUT: "base ITEM USER" lines, items 1 and 2, one on h1 and
# one on h2.
base_each() {
	[ "$(cut -d ' ' -f 1,2 <<<"$1" | sort)" = $'base 1\nbase 2' ] &&
	    [ "$(cut -d ' ' -f 3 <<<"$1" | sort)" = \
	    "$(printf '%s\n' "$(sshd_user 1)" "$(sshd_user 2)" | sort)" ]
}

@test "--basefile reaches every host before its jobs; --cleanup removes it" {
	printf 'echo "base $1 $(id -un)"\n' > base.sh
	# Two jobs at once with a slot on each host: one job each.
	run --separate-stderr timeout -k 5 120 "$FANOUT" --ssh-config "$SSH_CFG" \
	    -S 1/h1,1/h2 --basefile base.sh \
	    "conc $S/run 2 100 > /dev/null; sh base.sh {}" ::: 1 2
	expect_status 0
	base_each "$output"
	cmp base.sh "$(sshd_home 1)/base.sh"
	cmp base.sh "$(sshd_home 2)/base.sh"
	run --separate-stderr timeout -k 5 120 "$FANOUT" --ssh-config "$SSH_CFG" \
	    -S 1/h1,1/h2 --basefile base.sh --cleanup \
	    "conc $S/run 2 100 > /dev/null; sh base.sh {}" ::: 1 2
	expect_status 0
	base_each "$output"
	[ ! -e "$(sshd_home 1)/base.sh" ]
	[ ! -e "$(sshd_home 2)/base.sh" ]
}

@test "--compress with remote jobs and a compressor behind: fanout keeps 1 MiB of it, output whole" {
	# A remote job cannot be paused: while its compressor is behind,
	# the collector keeps about 1 MiB of its output, then waits for the
	# compressor. Meanwhile the SSH queue holds what the host sends
	# (README: remote output is not flow-controlled): about 37 MB at the
	# peak here, as before --compress stopped blocking fanout. With the
	# collector keeping all of it: 127 MB.
	printf '#!/bin/sh\nsleep 3\nexec gzip -1\n' >slowz
	chmod +x slowz
	/usr/bin/time -f %M -o rss "$FANOUT" --ssh-config "$SSH_CFG" -S 2/h1 -k \
		--compress-program ./slowz --decompress-program 'gzip -dc' \
		'if [ {} = 1 ]; then sleep 5; fi; head -c 30000000 /dev/zero | tr "\0" {}' \
		::: 1 2 >out
	{ head -c 30000000 /dev/zero | tr '\0' 1
	  head -c 30000000 /dev/zero | tr '\0' 2; } | cmp - out
	echo "peak RSS $(cat rss) KB" >&2
	rss_below rss 64000
}

@test "FANOUT_HOST and {host} hold a long login whole" {
	# Before: FANOUT_HOST was cut at 35 bytes (a 48-byte buffer).
	local alias
	alias=h1-$(printf 'x%.0s' {1..60})
	{ echo "Host $alias"
	  sed -n '/^Host h1$/,/^Host /{/^Host /!p}' "$SSH_CFG"
	  cat "$SSH_CFG"; } >cfg
	run -0 --separate-stderr timeout -k 5 120 "$FANOUT" --ssh-config cfg \
	    --plus -S "1/$alias" 'echo "$FANOUT_HOST" {host}' ::: a
	expect_output <<<"$alias $alias"
}
