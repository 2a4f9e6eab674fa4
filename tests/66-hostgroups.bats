#!/usr/bin/env bats
# Host groups (GNU parallel's --hostgroups): -S @g1+g2/login puts a login
# in groups, --hgrp runs a job whose argument ends in @g1+g2 only on a host
# in one of them, --plus {hgrp} {agrp} and PARALLEL_HOSTGROUPS,
# PARALLEL_ARGHOSTGROUPS. Remote placement against real OpenSSH servers on
# 127.0.0.1 (tests/helpers/sshd.bash, hosts h1..h3; root only, those tests
# skip otherwise); the local ones (-S @g1/:) side by side with GNU parallel
# 20221122 (`same`, tests/helpers/same.bash).

bats_require_minimum_version 1.5.0
load helpers/common
load helpers/same
load helpers/sshd

HOSTS=3

setup_file() {
	sshd_setup_file "$HOSTS"
}

teardown_file() {
	sshd_stop
}

local_setup() {
	[ -z "$SSH_MISSING" ] || return 0
	sshd_revive
	S=$SSH_SHARE/$BATS_TEST_NUMBER
	mkdir -m 1777 "$S"
}

local_teardown() {
	[ -z "$SSH_MISSING" ] || return 0
	sshd_scrub
}

need_ssh() {
	[ -z "$SSH_MISSING" ] || skip "SSH: $SSH_MISSING"
}

# remote ARGS...: fanout with the test hosts' ssh config, a hang guard.
remote() {
	run --separate-stderr timeout -k 5 120 "$FANOUT" --ssh-config "$SSH_CFG" "$@"
}

# --- remote placement --------------------------------------------------------

# allowed GROUPS HOST: whether HOST (h1, h2, h3) may run a job of GROUPS
# ('+'-separated) with -S @a/h1,@a+b/h2,@c/h3.
allowed() {
	local g
	declare -A in=([h1]="a h1" [h2]="a b h2" [h3]="c h3")
	for g in ${1//+/ }; do
		[[ " ${in[$2]} " == *" $g "* ]] && return 0
	done
	return 1
}

@test "--hgrp: each job runs only on a host in one of its argument's groups" {
	need_ssh
	local items=() i line item host grp seen
	# Many jobs of each kind: a placement that ignored the groups would
	# put some of them elsewhere.
	for i in $(seq 12); do
		items+=("a$i@a" "b$i@b" "c$i@c" "ac$i@a+c" "n$i@h1" "z$i@zz+b" "any$i")
	done
	remote --hgrp -S @a/2/h1,@a+b/2/h2,@c/2/h3 --joblog jl \
	    'echo {} $FANOUT_HOST $(id -un)' ::: "${items[@]}"
	expect_status 0
	[ "$(wc -l <<<"$output")" -eq 84 ]
	seen=" "
	while read -r item host user; do
		# The value lost its @groups; which groups it had, by its name.
		case $item in
		a[0-9]*) grp=a ;;
		b*) grp=b ;;
		c*) grp=c ;;
		ac*) grp=a+c ;;
		n*) grp=h1 ;;
		z*) grp=zz+b ;;
		any*) grp=h1+h2+h3 ;;
		*) echo "unexpected item '$item'" >&2; return 1 ;;
		esac
		allowed "$grp" "$host" || {
			echo "$item (groups $grp) ran on $host" >&2
			return 1
		}
		# The job did run there: the host's own user ran it.
		[ "$user" = "$(sshd_user "${host#h}")" ]
		seen="$seen$host "
	done <<<"$output"
	# The jobs that may run anywhere did not all go to one host.
	[[ $seen == *" h1 "* && $seen == *" h2 "* && $seen == *" h3 "* ]]
	# The joblog's Command has the values without their groups.
	! cut -f 9 jl | grep -q @
}

@test "--plus {hgrp} {agrp} and PARALLEL_HOSTGROUPS, PARALLEL_ARGHOSTGROUPS on a remote host" {
	need_ssh
	remote -k --plus --hgrp -S @g1+g2/h1 \
	    'echo {hgrp} {agrp} $PARALLEL_HOSTGROUPS $PARALLEL_ARGHOSTGROUPS' \
	    ::: x@g2 y
	expect_status 0
	expect_output <<-'EOF'
	h1+g1+g2 g2 h1+g1+g2 g2
	h1+g1+g2 h1+g1+g2 h1+g1+g2 h1+g1+g2
	EOF
	# Without --hgrp: empty, and the variables are not set; the value
	# keeps its @.
	remote -k --plus -S @g1/h1 \
	    'echo [{hgrp}][{agrp}][${PARALLEL_HOSTGROUPS-unset}] {}' ::: x@g1
	expect_status 0
	expect_output <<<"[][][unset] x@g1"
}

@test "--hgrp: this machine (@l/:) and remote hosts in one run" {
	need_ssh
	remote -k --hgrp -S @l/:,@r/h1 'echo {} $FANOUT_HOST' ::: 1@l 2@r 3@l+r 4@: 5@h1
	expect_status 0
	[ "$(sed -n 1p <<<"$output")" = "1 :" ]
	[ "$(sed -n 2p <<<"$output")" = "2 h1" ]
	[[ $(sed -n 3p <<<"$output") == "3 "[:h]* ]]
	[ "$(sed -n 4p <<<"$output")" = "4 :" ]
	[ "$(sed -n 5p <<<"$output")" = "5 h1" ]
}

@test "--hgrp: a job whose groups name no host fails with one line; the others run" {
	need_ssh
	remote -k --hgrp -S @a/h1 'echo {}' ::: 1@zz 2@a 3@y+x 4
	expect_status 2
	expect_output <<-'EOF'
	2
	4
	EOF
	[ "$stderr" = "fanout: no host is in the job's host groups 'zz' (-S @GROUP/host puts one there)
fanout: no host is in the job's host groups 'y+x' (-S @GROUP/host puts one there)" ]
}

@test "--hgrp: a job whose only host is gone fails as a pinned job does; the others run" {
	need_ssh
	# Nothing listens on hnone: it is given up on.
	remote -k --hgrp -S @far/hnone,@near/h1 'echo {}' ::: 1@far 2@near 3
	expect_status 1
	expect_output <<-'EOF'
	2
	3
	EOF
	grep -q 'host hnone: .*giving up on it' <<<"$stderr"
	grep -q '^fanout: its host is gone$' <<<"$stderr"
}

@test "--hgrp: groups in an --slf file; a login listed twice is in both groups" {
	need_ssh
	printf '%s\n' '# groups' '@a/h1' '@b/h2, @c/h1' >hosts
	remote -k --hgrp --slf hosts 'echo {} $FANOUT_HOST' ::: 1@a 2@b 3@c
	expect_status 0
	expect_output <<-'EOF'
	1 h1
	2 h2
	3 h1
	EOF
}

# --- this machine, side by side with GNU parallel -----------------------------

@test "-S @g1/: is honoured without --hgrp, and @g1 is then no more than text" {
	same -k -S @g1/: echo ::: a b@g1
	expect_output <<-'EOF'
	a
	b@g1
	EOF
	same -k -S @g1+g2/2/: echo ::: a
	same -k -S @g1/:,@g2/: echo ::: a
}

@test "--plus {hgrp} {agrp}: empty without --hgrp" {
	same -k --plus echo '{hgrp}-{agrp}' ::: a
	expect_output <<<"-"
	same -k --plus -S @g1/: echo '{hgrp}-{agrp}' ::: a
	expect_output <<<"-"
	# Without --plus they are text.
	same -k echo '{hgrp}-{agrp}' ::: a
	expect_output <<<"{hgrp}-{agrp} a"
}

@test "--hgrp --plus: {hgrp} is the host's name and groups, {agrp} the argument's" {
	same -k --plus --hgrp echo '{hgrp}-{agrp}' ::: a a@:
	expect_output <<-'EOF'
	:-:
	:-:
	EOF
	# Empty names: GNU's Perl split() drops those at the end only.
	same -k --plus --hgrp -S @g1/: echo '{agrp}' {} ::: a@g1 b@: c@g1+g2 \
	    'd@x@y+g1' 'f@+g1++' 'g@g1++:'
	expect_output <<-'EOF'
	g1 a
	: b
	g1+g2 c
	x@y+g1 d
	+g1 f
	g1++: g
	EOF
	# Nothing after the '@': the value keeps it and runs anywhere.
	same -k --hgrp -S @g1/: echo ::: e@ f
	# GNU's order of the names is a Perl hash's: compared sorted.
	same -k --plus --hgrp -S @g1+g2/: \
	    'echo {hgrp} {agrp} | tr "+ " "\n\n" | sort | paste -sd " " -' ::: a
	expect_output <<<": : g1 g1 g2 g2"
}

@test "--hgrp: PARALLEL_HOSTGROUPS and PARALLEL_ARGHOSTGROUPS, unset without it" {
	same -k --hgrp -S @g1/: 'echo $PARALLEL_ARGHOSTGROUPS {}' ::: a@g1 b@:
	expect_output <<-'EOF'
	g1 a
	: b
	EOF
	same -k --hgrp 'echo $PARALLEL_HOSTGROUPS' ::: a
	expect_output <<<": a"
	same -k 'echo ${PARALLEL_HOSTGROUPS-unset} ${PARALLEL_ARGHOSTGROUPS-unset}' ::: a
	expect_output <<<"unset unset a"
}

@test "--hgrp: the first value's groups are the job's; every value loses its own" {
	same -k --plus --hgrp -S @g1/: echo {agrp} {1} {2} ::: a@g1 b@: ::: c@g1 d
	expect_output <<-'EOF'
	g1 a c
	g1 a d
	: b c
	: b d
	EOF
	same -k --plus --hgrp -N2 -S @g1/: echo {agrp} {1} {2} ::: a@g1 b@: c@: d
	expect_output <<-'EOF'
	g1 a b
	: c d
	EOF
	same -k --hgrp --tag echo ::: a@: b
	expect_output < <(printf 'a\ta\nb\tb\n')
	same -k --hgrp --dry-run echo ::: a@: b
}

# --- refused ------------------------------------------------------------------

@test "bad host groups in a login: one line, exit 255" {
	local login want
	while IFS='|' read -r login want; do
		run --separate-stderr "$FANOUT" -S "$login" echo ::: a
		expect_status 255
		[ "$stderr" = "fanout: '$login': $want" ] || {
			echo "-S $login: $stderr" >&2
			return 1
		}
	done <<-'EOF'
	@/:|empty host group in '@/'
	@g1+/:|empty host group in '@g1+/'
	@g1++g2/h|empty host group in '@g1++g2/'
	@g[1]/h|unexpected '[' in a host group
	@g1|a host group needs a login after it, @GROUP/host (-S @GROUP alone, to choose a group's logins, is not supported)
	@g1/|empty host
	EOF
	printf '@a/:\n@/h\n' >hosts
	run --separate-stderr "$FANOUT" --slf hosts echo ::: a
	expect_status 255
	[ "$stderr" = "fanout: hosts:2: '@/h': empty host group in '@/'" ]
}

@test "--hgrp: a value whose @ has only '+' after it is refused, one line; the run goes on, exit 255" {
	# GNU parallel waits for ever with such a job.
	run --separate-stderr timeout -k 5 60 "$FANOUT" -k --hgrp echo ::: a@+ b c@++
	expect_status 255
	[ "$output" = b ]
	[ "$stderr" = "fanout: 'a@+': no host group after its '@' (--hostgroups)
fanout: 'c@++': no host group after its '@' (--hostgroups)" ]
	# A later value's groups say nothing: it only loses them.
	same -k --hgrp echo ::: a ::: b@+ c
	expect_output <<-'EOF'
	a b
	a c
	EOF
}

@test "--hgrp locally: a job whose groups name no host fails with one line" {
	# GNU parallel takes the group for a host to add, and ssh to 'g2'
	# fails: one job failed there too.
	run --separate-stderr "$FANOUT" -k --hgrp -S @g1/: echo ::: a@g2 b@g1 c
	expect_status 1
	expect_output <<-'EOF'
	b
	c
	EOF
	[ "$stderr" = "fanout: no host is in the job's host groups 'g2' (-S @GROUP/host puts one there)" ]
	run --separate-stderr "$FANOUT" --hgrp echo ::: a@g2
	expect_status 1
	run "$FANOUT" --hgrp --srun echo ::: a
	expect_status 255
}

@test "--return names with {agrp} and {hgrp}: the files the job wrote" {
	need_ssh
	# Before: --return took no --plus strings, and its {agrp} was empty.
	remote --plus --hgrp -S @g1/h1 --return 'out.{}.{agrp}' \
	    --return 'h.{}.{hgrp}' \
	    'echo {} > out.{}.{agrp}; echo {hgrp} > h.{}.{hgrp}' ::: a@g1 b@g1
	expect_status 0
	[ "$(cat out.a.g1)" = a ] && [ "$(cat out.b.g1)" = b ]
	[ "$(cat h.a.h1+g1)" = h1+g1 ]
}
