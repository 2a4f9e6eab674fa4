# Side-by-side comparison with GNU parallel, for the Bats files that
# compare (tests/90-gnu-compat.bats, tests/92-gnu-options.bats,
# tests/93-pipe.bats): load it after helpers/common.

# same ARGS...: compare fanout and GNU parallel on the same command line.
# SAME_EMPTY=1 allows empty stdout (otherwise a failure: agreement on
# nothing proves little); status 255 (usage error) always fails.
# SAME_SORT=1 sorts both stdouts first (for runs without -k where jobs may
# finish in any order). After it returns, run.fanout/ and run.parallel/ hold
# each tool's working directory (for same_file).
same() {
	command -v parallel >/dev/null || skip "GNU parallel is not installed"
	local top=$BATS_TEST_TMPDIR stdin=/dev/null tool d
	[ -f "$top/in" ] && stdin=$top/in
	for tool in fanout parallel; do
		d=$top/run.$tool
		rm -rf "$d" "$top/out.$tool" "$top/err.$tool"
		mkdir -p "$d"
		# The fixtures: everything the test wrote, but tmp/ and our results.
		find "$top" -mindepth 1 -maxdepth 1 ! -name tmp ! -name 'run.*' \
			! -name 'out.*' ! -name 'err.*' -exec cp -R {} "$d"/ \;
	done
	local fst=0 pst=0
	(cd "$top/run.fanout" && exec env -u FANOUT_SHELL -u PARALLEL \
		${SAME_PARALLEL:+"PARALLEL=$SAME_PARALLEL"} timeout -k 5 60 "$FANOUT" "$@") \
		<"$stdin" >"$top/out.fanout" 2>"$top/err.fanout" || fst=$?
	local key=
	[ -n "${FANOUT_GNU_CACHE-}" ] && key=$(gnu_key "$stdin" "$@")
	if [ -n "$key" ] && [ -f "$FANOUT_GNU_CACHE/$key.st" ]; then
		gnu_restore "$key"
		pst=$(cat "$FANOUT_GNU_CACHE/$key.st")
	else
		(cd "$top/run.parallel" && exec env -u PARALLEL PARALLEL_SHELL="${GNU_SHELL:-/bin/sh}" \
			${SAME_PARALLEL:+"PARALLEL=$SAME_PARALLEL"} timeout -k 5 60 parallel --will-cite "$@") \
			<"$stdin" >"$top/out.parallel" 2>"$top/err.parallel" || pst=$?
		[ -z "$key" ] || gnu_store "$key" "$pst"
	fi
	if [ -n "${SAME_SORT-}" ]; then
		for tool in fanout parallel; do
			LC_ALL=C sort "$top/out.$tool" >"$top/out.$tool.s" &&
				mv "$top/out.$tool.s" "$top/out.$tool"
		done
	fi
	if [ "$fst" -ne "$pst" ] || ! cmp -s "$top/out.fanout" "$top/out.parallel"; then
		{
			printf 'command line:'
			printf ' %q' "$@"
			printf '\n'
			for tool in fanout parallel; do
				st=$fst
				[ "$tool" = parallel ] && st=$pst
				printf -- '--- %s: status %s; stdout (cat -A):\n' "$tool" "$st"
				cat -A "$top/out.$tool"
				printf -- '--- %s stderr:\n' "$tool"
				cat "$top/err.$tool"
			done
			printf -- '---\n'
		} >&2
		return 1
	fi
	# Guard against vacuous agreement: both rejecting the command line, or
	# both printing nothing where the test means output (SAME_EMPTY=1 when
	# no output is the point).
	if [ "$fst" -eq 255 ] || [ "$fst" -eq 124 ]; then
		printf 'both exited %s (usage error or hang):\n' "$fst" >&2
		cat "$top/err.fanout" "$top/err.parallel" >&2
		return 1
	fi
	if [ -z "${SAME_EMPTY-}" ] && [ ! -s "$top/out.fanout" ]; then
		printf 'both printed nothing; stderr:\n' >&2
		cat "$top/err.fanout" "$top/err.parallel" >&2
		return 1
	fi
	# Keep the common result around for extra checks.
	status=$fst
	output=$(cat "$top/out.fanout")
}

# same_file NAME [FILTER...]: after `same`, the file NAME in both working
# directories must be identical once piped through FILTER (default cat).
same_file() {
	local name=$1 top=$BATS_TEST_TMPDIR
	shift
	[ $# -gt 0 ] || set -- cat
	"$@" <"$top/run.fanout/$name" >"$top/file.fanout"
	"$@" <"$top/run.parallel/$name" >"$top/file.parallel"
	if ! cmp -s "$top/file.fanout" "$top/file.parallel"; then
		printf -- '--- fanout %s:\n' "$name" >&2
		cat -A "$top/file.fanout" >&2
		printf -- '--- parallel %s:\n' "$name" >&2
		cat -A "$top/file.parallel" >&2
		return 1
	fi
}

# GNU parallel's answer to a command line does not depend on the fanout
# build under test, and CI runs every comparison three times (release,
# ASan, TSan). With FANOUT_GNU_CACHE=DIR, `same` keeps GNU's stdout,
# stderr, status and working directory there, keyed by everything GNU
# reads: the test, the call's place in it, the arguments, stdin, the
# fixture files and the environment (with this test's directory written
# as a placeholder). A result that names the test's directory, or a run
# that timed out, is not kept: it could not be replayed faithfully.
gnu_key() {
	local stdin=$1 top=$BATS_TEST_TMPDIR
	shift
	_gnu_calls=$((${_gnu_calls:-0} + 1))
	[ "${_gnu_test-}" = "$BATS_TEST_NUMBER" ] || { _gnu_test=$BATS_TEST_NUMBER; _gnu_calls=1; }
	{
		printf '%s\0' "${BATS_TEST_FILENAME##*/}" "$BATS_TEST_DESCRIPTION" \
			"$_gnu_calls" "${SAME_PARALLEL-}" "${GNU_SHELL-}" "$@"
		sha256sum <"$stdin"
		(cd "$top/run.parallel" && tar --sort=name --mtime=@0 --owner=0 \
			--group=0 --numeric-owner -cf - .) | sha256sum
		env -0 | grep -zv -E '^(BATS_[A-Z_]*|FANOUT|FANOUT_SANITIZE|_|SHLVL|OLDPWD|PWD|OUTPUT|status|output|lines)=' |
			sort -z | sed -z "s|$top|@TOP@|g"
	} | sha256sum | cut -c1-40
}

gnu_store() {
	local key=$1 st=$2 top=$BATS_TEST_TMPDIR c=$FANOUT_GNU_CACHE
	[ "$st" -ne 124 ] && [ "$st" -ne 137 ] || return 0
	if grep -qrF "$top" "$top/out.parallel" "$top/err.parallel" \
		"$top/run.parallel" 2>/dev/null; then
		return 0
	fi
	mkdir -p "$c" &&
		cp "$top/out.parallel" "$c/$key.out.$$" &&
		cp "$top/err.parallel" "$c/$key.err.$$" &&
		(cd "$top/run.parallel" && tar -cf - .) >"$c/$key.tar.$$" &&
		mv "$c/$key.out.$$" "$c/$key.out" &&
		mv "$c/$key.err.$$" "$c/$key.err" &&
		mv "$c/$key.tar.$$" "$c/$key.tar" &&
		echo "$st" >"$c/$key.st"
}

gnu_restore() {
	local key=$1 top=$BATS_TEST_TMPDIR c=$FANOUT_GNU_CACHE
	cp "$c/$key.out" "$top/out.parallel"
	cp "$c/$key.err" "$top/err.parallel"
	rm -rf "$top/run.parallel"
	mkdir "$top/run.parallel"
	(cd "$top/run.parallel" && tar -xf -) <"$c/$key.tar"
}
