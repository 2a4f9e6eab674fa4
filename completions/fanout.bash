# bash completion for fanout(1)                           -*- shell-script -*-
# Needs bash-completion (https://github.com/scop/bash-completion).

# Readline replaces only the part of the word after the last character
# of COMP_WORDBREAKS (= and : by default): drop what comes before it.
_fanout_ltrim()
{
	local word=$1 i
	for ((i = ${#word} - 1; i >= 0; i--)); do
		if [[ $COMP_WORDBREAKS == *"${word:i:1}"* ]]; then
			COMPREPLY=("${COMPREPLY[@]#"${word:0:i+1}"}")
			return
		fi
	done
}

# Whether option word $1 needs the next word as its value.
_fanout_takes_value()
{
	case $1 in
	--jobs | --max-procs | --tagstring | --arg-file | --delimiter | \
	--colsep | --max-replace-args | --max-args | --max-lines | \
	--max-chars | --arg-sep | --arg-file-sep | --trim | --header | \
	--tmpdir | --nice | --load | --compress-program | \
	--decompress-program | --replace | --shell | --delay | --timeout | \
	--termseq | --retries | --halt | --joblog | --results | --memfree | \
	--file | --sshlogin | --slf | --sshloginfile | --ssh-config | \
	--ssh-timeout | --ssh-fanout | --env | --workdir | --wd | --return | \
	--basefile | --bf | --srun-cpus | --block | --block-size | --blocksize | \
	--recstart | --recend | --block-timeout | --blocktimeout | --bt)
		return 0
		;;
	--*) return 1 ;;
	esac
	# A cluster of short options: the first of j, P, a, d, N, n, L, E, s,
	# I, f, S takes the rest of the word, or the next word when it ends
	# the cluster.
	local k
	for ((k = 1; k < ${#1}; k++)); do
		case ${1:k:1} in
		[jPadNnLEsIfS]) ((k == ${#1} - 1)); return ;;
		esac
	done
	return 1
}

# The workflow file that option word $1 gives (-f FILE, -fFILE, -kf FILE,
# --file FILE, --file=FILE; $2 is the next word), if it is -f.
_fanout_workflow_of()
{
	local k
	case $1 in
	--file=*) _fanout_wf=${1#--file=} ;;
	--file) _fanout_wf=$2 ;;
	--* | -) return 1 ;;
	-*)
		for ((k = 1; k < ${#1}; k++)); do
			case ${1:k:1} in
			f) break ;;
			[jPadNnLEsIS]) return 1 ;;
			esac
		done
		((k < ${#1})) || return 1
		_fanout_wf=${1:k+1}
		[[ $_fanout_wf ]] || _fanout_wf=$2
		;;
	*) return 1 ;;
	esac
	[[ $_fanout_wf == "~/"* ]] && _fanout_wf=$HOME/${_fanout_wf#"~/"}
	return 0
}

# The file of --ssh-config among the words before the current one, if any.
_fanout_ssh_config()
{
	local i
	for ((i = 1; i < cword; i++)); do
		case ${words[i]} in
		--ssh-config=*) echo "${words[i]#--ssh-config=}" ;;
		--ssh-config) echo "${words[i + 1]}" ;;
		esac
	done
}

# Complete the last login of an -S list ($1: the word so far): host
# names from the SSH configuration and known_hosts, after its @groups/,
# N/ and user@, and ':' (this machine).
_fanout_sshlogins()
{
	local head=${1%"${1##*,}"} last=${1##*,} config
	if [[ $last =~ ^(@[^/]*/)?([0-9]+/)? ]]; then
		head+=${BASH_REMATCH[0]}
		last=${last#"${BASH_REMATCH[0]}"}
	fi
	config=$(_fanout_ssh_config)
	COMPREPLY=()
	_known_hosts_real -a ${config:+-F "$config"} -p "$head" -- "$last"
	[[ $last == "" || $last == : ]] && COMPREPLY+=("$head:")
	_fanout_ltrim "$1"
}

# The task names of workflow file $1: the keys indented under the
# top-level "tasks:" key, in block style. A good guess, not a YAML
# parser: a flow-style "tasks: {a: ..., b: ...}" gives nothing.
_fanout_tasks()
{
	[[ -r $1 ]] || return
	awk '
		/^tasks:[ \t]*(#.*)?\r?$/ { in_tasks = 1; ind = -1; next }
		in_tasks && /^[^ \t#\r]/ { in_tasks = 0 }
		in_tasks && /^[ ]+["\047]?[A-Za-z0-9_.-]+["\047]?[ ]*:/ {
			match($0, /^[ ]+/)
			if (ind < 0)
				ind = RLENGTH
			if (RLENGTH != ind)
				next
			name = substr($0, RLENGTH + 1)
			sub(/[ ]*:.*/, "", name)
			gsub(/["\047]/, "", name)
			print name
		}' "$1" 2>/dev/null
}

_fanout()
{
	local cur prev words cword
	_init_completion -n := || return

	local opts='-j --jobs -P --max-procs -k --keep-order --group
		--line-buffer --lb
		-u --ungroup --tag --tagstring -v --verbose --dry-run
		-a --arg-file -0 --null -d --delimiter --colsep
		-r --no-run-if-empty -N --max-replace-args -n --max-args
		-L --max-lines -m -X --xargs -s --max-chars --show-limits -E
		--arg-sep --arg-file-sep --trim --header --shell-quote --plus
		--tmpdir --nice --load --shuf --files --tty --compress
		--compress-program --decompress-program -I --replace
		-q --quote --shell --link --delay --timeout --termseq
		--retries --halt --memfree --joblog --resume --resume-failed
		--retry-failed --results --json --bar --progress --eta
		--pipe --spreadstdin --pipe-part --pipepart --block --block-size
		--blocksize --recstart --recend --regexp --cat --fifo
		--round-robin --round --remove-rec-sep --removerecsep --rrs
		--block-timeout --blocktimeout --bt
		-f --file --check -S --sshlogin --slf --sshloginfile --slurm
		--ssh-config --ssh-accept-new --ssh-timeout --ssh-fanout
		--filter-hosts --hgrp --hostgroups --env --workdir --wd --nonall
		--onall --transfer
		--return --cleanup --basefile --bf --srun --srun-cpus
		-h --help -V --version --will-cite --no-notice --bibtex'
	local signals='HUP INT QUIT ILL TRAP ABRT BUS FPE KILL USR1 SEGV USR2
		PIPE ALRM TERM CHLD CONT STOP TSTP TTIN TTOU URG XCPU XFSZ
		VTALRM PROF WINCH SYS'

	# Find where the command starts, and the last ::: or :::: before
	# the word being completed; with -f FILE, the words after the
	# options are task names instead.
	local i w cmd_at=0 sep= dashdash= _fanout_wf= task_at=0
	for ((i = 1; i < cword; i++)); do
		w=${words[i]}
		if ((cmd_at || task_at)); then
			case $w in
			::: | :::+ | :::: | ::::+) sep=$w ;;
			esac
		elif [[ $dashdash || $w != -?* ]]; then
			if [[ $_fanout_wf ]]; then
				task_at=$i
			else
				cmd_at=$i
			fi
		elif [[ $w == -- ]]; then
			dashdash=1
		else
			_fanout_workflow_of "$w" "${words[i + 1]}"
			_fanout_takes_value "$w" && ((i++))
		fi
	done
	if [[ $_fanout_wf ]] && ((task_at)); then
		COMPREPLY=($(compgen -W "$(_fanout_tasks "$_fanout_wf")" -- "$cur"))
		return
	fi
	if ((cmd_at)) && [[ $sep ]]; then
		# Values after ::: are often file names; after :::: they are.
		_filedir
		return
	fi
	if ((cmd_at)) && ((cword > cmd_at)); then
		if [[ $cur == :* ]]; then
			COMPREPLY=($(compgen -W '::: :::: :::+ ::::+' -- "$cur"))
			_fanout_ltrim "$cur"
			return
		fi
		# Complete the command's arguments as that command would;
		# _command_offset counts in COMP_WORDS, split at : and =.
		local j=0 k acc
		for ((k = 0; k < cmd_at; k++)); do
			acc=
			while ((j < ${#COMP_WORDS[@]})) && [[ $acc != "${words[k]}" ]]; do
				acc+=${COMP_WORDS[j++]}
			done
		done
		_command_offset "$j"
		return
	fi

	# An option's value, given as --opt=value or as the next word.
	local opt=$prev
	if [[ $cur == --*=* ]]; then
		opt=${cur%%=*}
		cur=${cur#*=}
	fi
	case $opt in
	-a | --arg-file | --joblog | --slf | --sshloginfile | --ssh-config | \
	--return | --basefile | --bf)
		_filedir
		return
		;;
	-S | --sshlogin)
		_fanout_sshlogins "$cur"
		return
		;;
	--env)
		COMPREPLY=($(compgen -e -- "$cur"))
		return
		;;
	-f | --file)
		_filedir '@(yaml|yml)'
		return
		;;
	--results | --tmpdir)
		_filedir -d
		return
		;;
	--trim)
		COMPREPLY=($(compgen -W 'n l r lr rl' -- "$cur"))
		return
		;;
	--shell)
		COMPREPLY=($(compgen -c -- "$cur"))
		[[ -r /etc/shells ]] &&
			COMPREPLY+=($(compgen -W "$(grep '^/' /etc/shells)" -- "$cur"))
		return
		;;
	--halt)
		COMPREPLY=($(compgen -W 'never now,fail=1 soon,fail=1
			now,success=1 soon,success=1 now,done=1 soon,done=1' \
			-- "$cur"))
		_fanout_ltrim "$cur"
		return
		;;
	--termseq)
		local head=
		[[ $cur == *,* ]] && head=${cur%,*},
		COMPREPLY=($(compgen -P "$head" -W "$signals" -- "${cur##*,}"))
		[[ -z $head ]] && COMPREPLY+=($(compgen -W \
			'TERM,200,TERM,100,TERM,50,KILL,25' -- "$cur"))
		_fanout_ltrim "$cur"
		return
		;;
	-j | --jobs | -P | --max-procs)
		# A number, or a file that holds one.
		COMPREPLY=($(compgen -W "0 100% 50% +0 -1 $(nproc 2>/dev/null)" \
			-- "$cur") $(compgen -f -- "$cur"))
		return
		;;
	-d | --delimiter | -I | --replace | --tagstring | --colsep | -N | --max-replace-args | \
	--delay | --timeout | --retries | --memfree | --ssh-timeout | \
	--ssh-fanout | --workdir | --wd | --srun-cpus | --block | --block-size | \
	--blocksize | --recstart | --recend | --block-timeout | --blocktimeout | --bt)
		return
		;;
	esac

	if [[ $cur == -* && ! $dashdash ]]; then
		COMPREPLY=($(compgen -W "$opts" -- "$cur"))
		return
	fi
	if [[ $_fanout_wf ]]; then
		COMPREPLY=($(compgen -W "$(_fanout_tasks "$_fanout_wf")" -- "$cur"))
		return
	fi
	if [[ $cur == :* ]]; then
		COMPREPLY=($(compgen -W '::: :::: :::+ ::::+' -- "$cur"))
		_fanout_ltrim "$cur"
		return
	fi
	# The first word that is not an option is the command.
	COMPREPLY=($(compgen -c -- "$cur"))
} &&
	complete -F _fanout fanout

# ex: filetype=sh
