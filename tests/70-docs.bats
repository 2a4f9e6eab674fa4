#!/usr/bin/env bats
# The documentation keeps up with the code: every option of src/options.c is
# in the man page, the completions and --help; the man page renders without
# warnings; each completion works in its own shell; the examples run; and
# make install/uninstall leave nothing behind.

bats_require_minimum_version 1.5.0
load helpers/common

# The long options of src/options.c's long_options table, one per line.
long_options() {
	sed -n '/long_options\[\] = {/,/^};/p' "$TOP/src/options.c" |
	    sed -n 's/^[[:space:]]*{ *"\([^"]*\)".*/\1/p'
}

# The short options of src/options.c's short_options string, one per line.
short_options() {
	sed -n 's/.*short_options\[\] = "\([^"]*\)".*/\1/p' "$TOP/src/options.c" |
	    tr -d '+:' | fold -w1
}

@test "the option lists are found in src/options.c" {
	[ "$(long_options | wc -l)" -ge 20 ]
	long_options | grep -qx jobs
	long_options | grep -qx halt
	short_options | grep -qx j
	short_options | grep -qx 0
}

# check_all LIST-FUNCTION FILE-DESCRIPTION PATTERN: fail naming every option
# for which grep -E PATTERN (with @ standing for the option) finds nothing
# in the file given as $file.
check_all() {
	local opt pat missing=
	while read -r opt; do
		pat=${3//@/$opt}
		grep -qE -- "$pat" "$file" || missing="$missing $opt"
	done < <("$1")
	if [ -n "$missing" ]; then
		echo "missing from $2:$missing" >&2
		return 1
	fi
}

@test "the man page has every option" {
	file=$TOP/man/fanout.1
	check_all long_options "the man page" 'Fl -@( |$)'
	check_all short_options "the man page" 'Fl @( |$)'
}

@test "fanout --help has every option" {
	run fanout --help
	expect_status 0
	file=$BATS_TEST_TMPDIR/help
	printf '%s\n' "$output" >"$file"
	check_all long_options "--help" '--@([^[:alnum:]-]|$)'
	check_all short_options "--help" '(^|[^[:alnum:]-])-@([^[:alnum:]-]|$)'
}

@test "the bash completion has every option" {
	file=$TOP/completions/fanout.bash
	check_all long_options "fanout.bash" '--@([^[:alnum:]-]|$)'
	check_all short_options "fanout.bash" '(^|[^[:alnum:]-])-@([^[:alnum:]-]|$)'
}

@test "the zsh completion has every option" {
	file=$TOP/completions/_fanout
	check_all long_options "_fanout" '--@([^[:alnum:]-]|$)'
	check_all short_options "_fanout" '(^|[^[:alnum:]-])-@([^[:alnum:]-]|$)'
}

@test "the fish completion has every option" {
	file=$TOP/completions/fanout.fish
	check_all long_options "fanout.fish" '-l @( |$)'
	check_all short_options "fanout.fish" '-s @( |$)'
}

@test "groff renders the man page without a warning" {
	command -v groff >/dev/null || skip "groff is not installed"
	run -0 groff -mandoc -ww -z "$TOP/man/fanout.1"
	[ -z "$output" ]
}

@test "mandoc -T lint finds no error or warning in the man page" {
	command -v mandoc >/dev/null || skip "mandoc is not installed"
	# Only the lines about the file: mandoc may also complain about the
	# system's own manual database.
	run mandoc -T lint -W warning "$TOP/man/fanout.1"
	if printf '%s\n' "$output" | grep 'fanout\.1:'; then
		return 1
	fi
}

@test "man renders the man page" {
	command -v man >/dev/null || skip "man is not installed"
	run -0 env MANWIDTH=80 man -l "$TOP/man/fanout.1"
	[[ $output == *"EXIT STATUS"* ]]
	[[ $output == *"REPLACEMENT STRINGS"* ]]
}

# bash_complete WORD...: the candidates bash offers for the words, the last
# being the one completed, as bash-completion would split them.
bash_complete() {
	local script='
		source /usr/share/bash-completion/bash_completion
		source "$1"; shift
		complete -p fanout >/dev/null || exit 1
		COMP_WORDS=("$@")
		COMP_CWORD=$(($# - 1))
		COMP_LINE="$*"
		COMP_POINT=${#COMP_LINE}
		_fanout
		printf "%s\n" "${COMPREPLY[@]}"'
	bash -c "$script" bash "$TOP/completions/fanout.bash" "$@"
}

@test "the bash completion completes options, values, commands and files" {
	[ -r /usr/share/bash-completion/bash_completion ] ||
	    skip "bash-completion is not installed"
	run -0 bash -c 'source /usr/share/bash-completion/bash_completion
		source "$1"; complete -p fanout' bash "$TOP/completions/fanout.bash"
	[[ $output == "complete -F _fanout fanout" ]]

	run -0 bash_complete fanout --ha
	grep -qx -- --halt <<<"$output"
	run -0 bash_complete fanout --halt ''
	grep -qx now,fail=1 <<<"$output"
	grep -qx soon,success=1 <<<"$output"
	grep -qx never <<<"$output"
	run -0 bash_complete fanout --termseq TERM,200,K
	grep -qx TERM,200,KILL <<<"$output"

	mkdir dir && touch list.txt
	run -0 bash_complete fanout -a li
	grep -qx list.txt <<<"$output"
	run -0 bash_complete fanout --joblog li
	grep -qx list.txt <<<"$output"
	run -0 bash_complete fanout --results d
	grep -qx dir <<<"$output"
	run -0 bash_complete fanout echo ::: a :::: li
	grep -qx list.txt <<<"$output"
	run -0 bash_complete fanout -j 4 -k ech
	grep -qx echo <<<"$output"
}

# zsh_complete LINE: the candidates zsh offers at the end of LINE, one per
# line, captured from a real interactive zsh on a pty.
zsh_complete() {
	cat >"$BATS_TEST_TMPDIR/capture.zsh" <<'EOF'
zmodload zsh/zpty
zpty z zsh -f -i
zpty -w z "PS1= PROMPT= RPROMPT=; fpath=($1 \$fpath); autoload -U compinit; compinit -u -D"
zpty -w z 'compadd() { builtin compadd -O __c "$@"; print -rl -- "<<${^__c[@]}>>"; builtin compadd "$@"; }'
zpty -w z 'compprefuncs=( _cap_start ); comppostfuncs=( _cap_end )'
zpty -w z '_cap_start() { print -r -- "<<""BEGIN>>"; }; _cap_end() { print -r -- "<<""END>>"; exit; }'
zpty -w z 'bindkey "^I" complete-word'
zpty -n -w z "$2"$'\t'
out=
while zpty -r z line; do
	out+=$line
	[[ $line == *'<<END>>'* ]] && break
done
zpty -d z
print -r -- "${out#*<<BEGIN>>}" | grep -ao '<<[^<>]*>>' | sed 's/^<<//; s/>>$//' |
    grep -vx END | sort -u
EOF
	timeout 60 zsh -f "$BATS_TEST_TMPDIR/capture.zsh" "$TOP/completions" "$1"
}

@test "the zsh completion loads and completes options, values and files" {
	command -v zsh >/dev/null || skip "zsh is not installed"
	run -0 zsh -n "$TOP/completions/_fanout"
	run -0 zsh -f -c 'fpath=($1 $fpath); autoload -U compinit; compinit -u -D
		autoload -Uz _fanout; [[ $_comps[fanout] == _fanout ]]' \
	    zsh "$TOP/completions"

	run -0 zsh_complete 'fanout --ha'
	grep -qx -- --halt <<<"$output"
	run -0 zsh_complete 'fanout --halt '
	grep -qx now,fail=1 <<<"$output"
	run -0 zsh_complete 'fanout --termseq TERM,200,K'
	grep -qx KILL <<<"$output"
	touch list.txt
	run -0 zsh_complete 'fanout -a li'
	grep -qx list.txt <<<"$output"
	run -0 zsh_complete 'fanout echo ::: a :::: li'
	grep -qx list.txt <<<"$output"
}

# fish_complete LINE: the candidates fish offers at the end of LINE.
fish_complete() {
	fish -c 'source $argv[1]; complete -C $argv[2]' \
	    "$TOP/completions/fanout.fish" "$1" | cut -f1
}

@test "the fish completion loads and completes options, values and files" {
	command -v fish >/dev/null || skip "fish is not installed"
	run -0 fish -n "$TOP/completions/fanout.fish"
	run -0 fish_complete 'fanout --ha'
	grep -qx -- --halt <<<"$output"
	run -0 fish_complete 'fanout --halt '
	grep -qx now,fail=1 <<<"$output"
	run -0 fish_complete 'fanout --termseq TERM,200,K'
	grep -qx TERM,200,KILL <<<"$output"
	touch list.txt
	run -0 fish_complete 'fanout -a li'
	grep -qx list.txt <<<"$output"
	run -0 fish_complete 'fanout echo ::: a :::: li'
	grep -qx list.txt <<<"$output"
	run -0 fish_complete 'fanout -k ech'
	grep -qx echo <<<"$output"
}

@test "every example runs successfully" {
	local f failed=
	for f in "$TOP"/examples/*.sh; do
		if ! FANOUT=$FANOUT sh "$f" >"$BATS_TEST_TMPDIR/out" 2>&1; then
			echo "--- $f failed:" >&2
			cat "$BATS_TEST_TMPDIR/out" >&2
			failed=1
		fi
	done
	[ -z "$failed" ]
}

@test "every example has a section in examples/README.md" {
	local f
	for f in "$TOP"/examples/*.sh; do
		grep -qx "## ${f##*/}" "$TOP/examples/README.md" ||
		    { echo "no section for ${f##*/}" >&2; return 1; }
	done
}

# -o fanout: install what is there, never rebuild ./fanout (it may be
# a sanitizer build under test).
@test "make install puts the binary, the man page and the completions in place" {
	local d=$BATS_TEST_TMPDIR/dest
	run -0 make -s -C "$TOP" -o fanout install DESTDIR="$d" PREFIX=/usr
	[ -x "$d/usr/bin/fanout" ]
	[ -f "$d/usr/share/man/man1/fanout.1" ]
	[ -f "$d/usr/share/man/man5/fanout-workflow.5" ]
	[ -n "$(find "$d" -type f -path '*bash-completion/completions/fanout')" ]
	[ -f "$d/usr/share/zsh/site-functions/_fanout" ]
	[ -f "$d/usr/share/fish/vendor_completions.d/fanout.fish" ]
}

@test "make uninstall removes every file make install put in place" {
	local d=$BATS_TEST_TMPDIR/dest
	run -0 make -s -C "$TOP" -o fanout install DESTDIR="$d" PREFIX=/usr
	run -0 make -s -C "$TOP" -o fanout uninstall DESTDIR="$d" PREFIX=/usr
	run find "$d" -type f
	expect_output </dev/null
}

# A workflow file for the completion tests: three tasks, one quoted; the
# keys of a task's own maps and of a later top-level map are not tasks.
make_workflow() {
	cat >w.yaml <<'YAML'
version: 1
env: {A: b}
tasks:   # the tasks
  build:
    run: make
    env:
      CC: cc
  "test-all":
    needs: build
    run: make check
  # a comment
  report.html: {run: echo}
defaults:
  timeout: 1h
YAML
	touch notes.txt other.yml
}

@test "the bash completion completes -f with YAML files, then the file's tasks" {
	[ -r /usr/share/bash-completion/bash_completion ] ||
	    skip "bash-completion is not installed"
	make_workflow
	run -0 bash_complete fanout -f ''
	grep -qx w.yaml <<<"$output"
	grep -qx other.yml <<<"$output"
	! grep -qx notes.txt <<<"$output"
	run -0 bash_complete fanout --file=o
	expect_output <<<other.yml
	run -0 bash_complete fanout -k -f w.yaml -j 2 ''
	expect_output <<'EOF2'
build
test-all
report.html
EOF2
	run -0 bash_complete fanout --file=w.yaml build t
	expect_output <<<test-all
	run -0 bash_complete fanout -f w.yaml --ch
	expect_output <<<--check
	# Not a workflow's -f: grep's own.
	run -0 bash_complete fanout grep -f no
	expect_output <<<notes.txt
}

@test "the zsh completion completes -f with YAML files, then the file's tasks" {
	command -v zsh >/dev/null || skip "zsh is not installed"
	make_workflow
	run -0 zsh_complete 'fanout -f '
	grep -qx w.yaml <<<"$output"
	! grep -qx notes.txt <<<"$output"
	run -0 zsh_complete 'fanout -k -f w.yaml -j 2 '
	expect_output <<'EOF2'
build
report.html
test-all
EOF2
	run -0 zsh_complete 'fanout --file=w.yaml build t'
	expect_output <<<test-all
	run -0 zsh_complete 'fanout --ch'
	expect_output <<<--check
}

@test "the fish completion completes -f with YAML files, then the file's tasks" {
	command -v fish >/dev/null || skip "fish is not installed"
	make_workflow
	run -0 fish_complete 'fanout -f '
	grep -qx w.yaml <<<"$output"
	! grep -qx notes.txt <<<"$output"
	run -0 fish_complete 'fanout -k -f w.yaml -j 2 '
	[ "$(sort <<<"$output")" = "$(printf '%s\n' build report.html test-all)" ]
	run -0 fish_complete 'fanout --file=w.yaml build t'
	expect_output <<<test-all
	run -0 fish_complete 'fanout --ch'
	expect_output <<<--check
}

@test "groff and mandoc render fanout-workflow(5) without a warning" {
	command -v groff >/dev/null || skip "groff is not installed"
	run -0 groff -mandoc -ww -z "$TOP/man/fanout-workflow.5"
	[ -z "$output" ]
	command -v mandoc >/dev/null || skip "mandoc is not installed"
	run mandoc -T lint -W warning "$TOP/man/fanout-workflow.5"
	if printf '%s\n' "$output" | grep 'fanout-workflow\.5:'; then
		return 1
	fi
}

# A home with an SSH configuration naming hosts (web1, web2, db; the
# pattern is not a host), another configuration for --ssh-config (alt1),
# and a file for --slf.
make_ssh_home() {
	export HOME=$BATS_TEST_TMPDIR/userhome
	mkdir -p "$HOME/.ssh"
	printf 'Host web1 web2\n  HostName 127.0.0.1\nHost db\nHost *.pattern\n' \
	    >"$HOME/.ssh/config"
	printf 'Host alt1\n' >alt.conf
	touch hosts.txt
}

# bash_line LINE: bash_complete with the words of LINE (a final blank
# starts an empty word).
bash_line() {
	local -a w
	read -ra w <<<"$1"
	[[ $1 == *' ' ]] && w+=('')
	bash_complete "${w[@]}"
}

# check_ssh_completion COMPLETE SHOWN: the checks of -S, --slf and
# --ssh-config with COMPLETE LINE giving the candidates; SHOWN is what
# a candidate after the list head "web1,4/alice@" starts with (the whole
# word, or nothing where the shell shows only the part completed).
check_ssh_completion() {
	local complete=$1 shown=$2
	make_ssh_home
	run -0 "$complete" 'fanout -S we'
	expect_output <<'EOF2'
web1
web2
EOF2
	run -0 "$complete" 'fanout -S web1,4/alice@d'
	expect_output <<<"${shown}db"
	run -0 "$complete" 'fanout --sshlogin '
	grep -qx : <<<"$output"
	grep -qx web2 <<<"$output"
	! grep -q pattern <<<"$output"
	run -0 "$complete" 'fanout --ssh-config alt.conf -S a'
	expect_output <<<alt1
	run -0 "$complete" 'fanout --slf ho'
	expect_output <<<hosts.txt
	run -0 "$complete" 'fanout --ssh-config al'
	expect_output <<<alt.conf
	# The values of --slf and --wd are not the command.
	run -0 "$complete" 'fanout --slf hosts.txt -S web1 --env HOM'
	expect_output <<<HOME
	run -0 "$complete" 'fanout --slf hosts.txt --wd /tmp -k ech'
	grep -qx echo <<<"$output"
}

@test "the bash completion completes -S with hosts, --slf and --ssh-config with files" {
	[ -r /usr/share/bash-completion/bash_completion ] ||
	    skip "bash-completion is not installed"
	check_ssh_completion bash_line web1,4/alice@
}

@test "the zsh completion completes -S with hosts, --slf and --ssh-config with files" {
	command -v zsh >/dev/null || skip "zsh is not installed"
	check_ssh_completion zsh_complete ''
}

@test "the fish completion completes -S with hosts, --slf and --ssh-config with files" {
	command -v fish >/dev/null || skip "fish is not installed"
	check_ssh_completion fish_complete web1,4/alice@
}
