#!/usr/bin/env bats
# Option values as a demanding user gives them: GNU parallel's no-op
# options, huge numbers, odd delimiters, options from $PARALLEL, -j FILE,
# --delay auto, and --help or --version into a full disk.

bats_require_minimum_version 1.5.0
load helpers/common

@test "--will-cite, --no-notice and --bibtex are accepted and do nothing" {
	run --separate-stderr fanout --will-cite --no-notice --bibtex -k echo ::: a b
	expect_status 0
	expect_output <<-'END'
	a
	b
	END
	[ -z "$stderr" ]
}

@test "every file after ::::+ links to the group before it" {
	seq 2 >f1
	seq 3 4 >f2
	run fanout -k echo ::: a b ::::+ f1 f2
	expect_status 0
	expect_output <<-'END'
	a 1 3
	b 2 4
	END
}

@test "::::+ or :::+ as the first source links to nothing before it" {
	seq 2 >f1
	seq 3 4 >f2
	run fanout -k echo ::::+ f1 f2 ::: x y
	expect_status 0
	expect_output <<-'END'
	1 3 x
	1 3 y
	2 4 x
	2 4 y
	END
	run fanout -k echo :::+ a b ::: 1
	expect_status 0
	expect_output <<-'END'
	a 1
	b 1
	END
}

# Point 7 of issue 9: a huge duration is "very long", never a wrap.
@test "a huge --timeout is very long, not already over" {
	run --separate-stderr fanout --timeout 9999999999 'sleep 0.2; echo ok' ::: 1
	expect_status 0
	expect_output <<<"ok 1"
	run --separate-stderr fanout --timeout "1$(printf '0%.0s' {1..400})" \
	    'sleep 0.2; echo ok' ::: 1
	expect_status 0
	expect_output <<<"ok 1"
}

@test "a huge --timeout N% does not kill the jobs after the first" {
	run --separate-stderr fanout -j1 -k --timeout 100000000000000% \
	    'sleep 0.1; echo {}' ::: 1 2 3
	expect_status 0
	expect_output <<-'END'
	1
	2
	3
	END
	[ -z "$stderr" ]
}

@test "a huge --delay holds the next job back" {
	"$FANOUT" -j2 --delay 10000000000 'echo {} >>started; waitfile go' \
	    ::: 1 2 3>&- &
	FPID=$!
	wait_for grep -qx 1 started
	# Without the delay the second job starts at once, with the first.
	sleep 0.5
	run cat started
	expect_output <<<1
	kill -TERM "$FPID"
	wait "$FPID" || true
	FPID=
}

@test "numbers too large for an option are refused as too large" {
	local a
	for a in '-j 10000000' '-j 99999999999999999999' '--retries 99999999999' \
	    '-N 99999999999' '--termseq TERM,99999999999' '--memfree 100000000T'; do
		run --separate-stderr fanout $a true ::: 1
		expect_status 255
		[[ $stderr == fanout:*' too '* || $stderr == fanout:*'more memory'* ]] ||
		    { echo "$a: $stderr" >&2; return 1; }
		[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ]
	done
}

@test "option numbers are plain decimals: no hex, exponent or inf" {
	local a
	for a in '--memfree 0x10' '--memfree 1e3' '--halt now,fail=0x10' \
	    '--halt now,fail=1e2' '--timeout 1e3%' '--timeout 0x10%' \
	    '--delay 1e3' '--delay inf' '-j 0x10'; do
		run --separate-stderr fanout $a true ::: 1
		expect_status 255
		[[ $stderr == fanout:* ]] || { echo "$a: $stderr" >&2; return 1; }
	done
}

# Point 15 of issue 9.
@test "-j with too many jobs says so, not that it is no number" {
	run --separate-stderr fanout -j 10000000 true ::: 1
	expect_status 255
	[[ $stderr == "fanout: -j: '10000000' is too many jobs"* ]]
}

@test "-d with a multibyte character says that -d takes one byte" {
	run --separate-stderr fanout -d é echo ::: a
	expect_status 255
	[[ $stderr == "fanout: -d: 'é' is 2 bytes: -d takes one byte"* ]]
	run --separate-stderr fanout -d '\q' echo ::: a
	expect_status 255
	[[ $stderr == "fanout: -d: '\\q' is not one of the escapes"* ]]
}

@test "--help and --version into a full disk fail with 255" {
	[ -w /dev/full ] || skip "no /dev/full"
	local opt
	for opt in --help -h --version -V; do
		run --separate-stderr fanout "$opt"
		expect_status 0
		run --separate-stderr sh -c '"$1" "$2" >/dev/full' sh "$FANOUT" "$opt"
		expect_status 255
		[[ $stderr == "fanout: cannot write "*"No space left on device" ]]
	done
}

# Point 18 of issue 9: GNU parallel features scripts rely on.
@test "-j FILE takes the number of jobs from FILE and reads it again as jobs end" {
	mkdir d
	echo 1 >jf
	# The first job alone, then FILE says 3: the other three run together
	# (conc waits until three run at once; with one at a time it gives up).
	run --separate-stderr fanout -k -j jf \
	    'if [ {} = 1 ]; then echo 3 >jf; echo one; else conc d 3 300 1; fi' \
	    ::: 1 2 3 4
	expect_status 0
	expect_output <<-'END'
	one
	3
	3
	3
	END
}

@test "-j FILE that holds no number of jobs is refused" {
	echo lots >jf
	run --separate-stderr fanout -j jf echo ::: a
	expect_status 255
	[[ $stderr == "fanout: -j: the file 'jf' does not hold a number of jobs"* ]]
	run --separate-stderr fanout -j nosuchfile echo ::: a
	expect_status 255
	[[ $stderr == "fanout: -j: 'nosuchfile' is not a number of jobs"* ]]
}

@test "\$PARALLEL gives default options, split as a shell would" {
	PARALLEL="-k --tagstring 'x y'" run --separate-stderr fanout echo ::: a b
	expect_status 0
	expect_output <<-'END'
	x y	a
	x y	b
	END
	# The command line's options come after, and win.
	PARALLEL='-k --tagstring A\ B' run --separate-stderr fanout --tagstring C echo ::: a
	expect_status 0
	expect_output <<<"C	a"
	# Words after the options come before the command line's command.
	PARALLEL='-k echo pre' run --separate-stderr fanout echo ::: a
	expect_status 0
	expect_output <<<"pre echo a"
}

@test "a bad \$PARALLEL is one error naming \$PARALLEL" {
	PARALLEL='-k --bogus' run --separate-stderr fanout echo ::: a
	expect_status 255
	[[ $stderr == "fanout: \$PARALLEL: unknown option '--bogus'"* ]]
	PARALLEL="-k --tagstring 'x" run --separate-stderr fanout echo ::: a
	expect_status 255
	[[ $stderr == "fanout: \$PARALLEL: a ' quote is not closed"* ]]
}

@test "--delay Nauto is a delay that adapts; auto alone is refused" {
	run --separate-stderr fanout -k --delay 0.01auto 'exit {}' ::: 0 1 0
	expect_status 1
	run --separate-stderr fanout -k --delay 1msauto echo ::: a
	expect_status 255
	run --separate-stderr fanout -k --delay 0.01sauto echo ::: a b
	expect_status 0
	expect_output <<-'END'
	a
	b
	END
	run --separate-stderr fanout --delay auto echo ::: a
	expect_status 255
	[[ $stderr == "fanout: --delay: 'auto' is not a duration"* ]]
}

@test "options of remote hosts that cannot go together are refused, one line each" {
	for args in "--pipe -S h wc" "--round-robin --slf hosts wc" \
		"--srun -S h true" "--onall --nonall -S h true" \
		"--nonall true" "--transfer echo" "--nonall -S h echo ::: a"; do
		run --separate-stderr fanout $args </dev/null
		expect_status 255
		[ "${#stderr_lines[@]}" -eq 1 ]
		[[ $stderr == "fanout: "* ]]
		[ -z "$output" ]
	done
}
