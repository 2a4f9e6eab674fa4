# fish completion for fanout(1)

# Print the words of the command line after fanout's options: the command,
# its arguments and the ::: groups, or with -f the task names. Nothing
# while still in the options. Sets __fanout_wf to the file of -f, if any.
function __fanout_after_options
    set -g __fanout_wf
    set -l words (commandline -opc)
    set -e words[1]
    while set -q words[1]
        switch $words[1]
            case --
                set -e words[1]
                break
            case -f --file
                set -g __fanout_wf $words[2]
                set -e words[1..2]
            case '--file=*'
                set -g __fanout_wf (string replace -- --file= '' $words[1])
                set -e words[1]
            case '-f?*'
                set -g __fanout_wf (string sub -s 3 -- $words[1])
                set -e words[1]
            case -j --jobs -P --max-procs --tagstring -a --arg-file -d \
                --delimiter --colsep -N --max-replace-args -n --max-args \
                -L --max-lines -s --max-chars -E --arg-sep --arg-file-sep \
                --trim --header --tmpdir --nice --load --compress-program \
                --decompress-program -I --replace --shell \
                --delay --timeout --termseq --retries --halt --joblog \
                --results --memfree -S --sshlogin --slf --sshloginfile \
                --ssh-config --ssh-timeout --ssh-fanout --env --workdir --wd \
                --return --basefile --bf \
                --srun-cpus \
                --block --block-size --blocksize --recstart --recend \
                --block-timeout --blocktimeout --bt
                set -e words[1..2]
            case '-*'
                set -e words[1]
            case '*'
                break
        end
    end
    set -q words[1]; and printf '%s\n' $words
end

function __fanout_in_options
    test (count (__fanout_after_options)) -eq 0
end

# The workflow file given with -f, if any.
function __fanout_workflow
    __fanout_after_options >/dev/null
    test -n "$__fanout_wf"; and echo $__fanout_wf
end

# Before the command, with no -f: where the command goes.
function __fanout_before_command
    __fanout_in_options; and not __fanout_workflow >/dev/null
end

# YAML files, and directories to find them in.
function __fanout_yaml_files
    set -l cur (string replace -r -- '^--file=' '' (commandline -ct))
    string match -r -- '.*(?:\.ya?ml|/)(?:\t.*)?$' (__fish_complete_path $cur)
end

# The task names of the workflow file given with -f: the keys indented
# under the top-level "tasks:" key, in block style. A good guess, not a
# YAML parser: a flow-style "tasks: {a: ..., b: ...}" gives nothing.
function __fanout_tasks
    set -l file (__fanout_workflow); or return
    set file (string replace -r '^~/' "$HOME/" -- $file)
    test -r "$file"; or return
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
        }' $file 2>/dev/null
end

# The file of --ssh-config on the command line, if any.
function __fanout_ssh_config
    set -l words (commandline -opc)
    for i in (seq (count $words))
        switch $words[$i]
            case '--ssh-config=*'
                string replace -- --ssh-config= '' $words[$i]
            case --ssh-config
                set -q words[(math $i + 1)]; and echo $words[(math $i + 1)]
        end
    end
end

# Complete the last login of an -S list: after its N/ and user@, the host
# names fish knows (~/.ssh/config, known_hosts, /etc/hosts), those of
# --ssh-config's file, and ':' (this machine).
function __fanout_sshlogins
    set -l cur (string replace -r -- '^--sshlogin=' '' (commandline -ct))
    set -l head (string match -r -- '^(?:.*,)?(?:@[^,/]*/)?(?:[0-9]+/)?(?:[^,@/]*@)?' $cur)
    set -l config (__fanout_ssh_config)[-1]
    set config (string replace -r '^~/' "$HOME/" -- $config)
    begin
        __fish_print_hostnames
        test -n "$config"; and test -r "$config"
        and awk 'tolower($1) == "host" {
            for (i = 2; i <= NF; i++) if ($i !~ /[*?!]/) print $i }' $config
    end | sort -u | string replace -r -- '^' "$head"
    string match -q -- '*@' "$head"; or echo "$head:"
end

# The last ::: or :::: (or their + forms) among the command's words.
function __fanout_last_sep
    set -l sep
    for w in (__fanout_after_options)
        switch $w
            case ':::' ':::+' '::::' '::::+'
                set sep $w
        end
    end
    test -n "$sep"; and echo $sep
end

function __fanout_in_command
    set -l words (__fanout_after_options)
    set -q words[1]; and not __fanout_last_sep >/dev/null
    and test -z "$__fanout_wf"
end

function __fanout_complete_command_args
    __fish_complete_subcommand --commandline (__fanout_after_options) (commandline -ct)
end

function __fanout_termseq
    set -l cur (commandline -ct)
    set -l head (string replace -r '[^,]*$' '' -- $cur)
    for s in HUP INT QUIT ILL TRAP ABRT BUS FPE KILL USR1 SEGV USR2 PIPE ALRM \
        TERM CHLD CONT STOP TSTP TTIN TTOU URG XCPU XFSZ VTALRM PROF WINCH SYS
        echo $head$s
    end
    test -z "$head"; and echo TERM,200,TERM,100,TERM,50,KILL,25
end

complete -c fanout -e
# Options, only before the command.
set -l o -n __fanout_in_options
complete -c fanout $o -s j -l jobs -r -F -a '0 100% 50% +0 -1' -d 'Jobs at once (N, N%, +N, -N; 0 = no limit; or a file holding N)'
complete -c fanout $o -s k -l keep-order -d 'Print output in input order'
complete -c fanout $o -l group -d "Print each job's output whole (default)"
complete -c fanout $o -l line-buffer -d 'Print whole lines as they come'
complete -c fanout $o -l lb -d 'Print whole lines as they come'
complete -c fanout $o -s u -l ungroup -d 'Let jobs write straight through'
complete -c fanout $o -l tag -d "Prefix output lines with the job's arguments"
complete -c fanout $o -l tagstring -x -d 'Prefix output lines with a template'
complete -c fanout $o -s v -l verbose -d 'Print each command before its output'
complete -c fanout $o -l dry-run -d 'Print the commands, run nothing'
complete -c fanout $o -s a -l arg-file -r -F -d 'Read items from a file'
complete -c fanout $o -s 0 -l null -d 'Items end with NUL'
complete -c fanout $o -s d -l delimiter -x -d 'Items end with a character'
complete -c fanout $o -l colsep -x -d 'Split items into columns at a regex'
complete -c fanout $o -s r -l no-run-if-empty -d 'Skip empty items'
complete -c fanout $o -s P -l max-procs -r -F -a '0 100% 50% +0 -1' -d 'Jobs at once, as -j'
complete -c fanout $o -s N -l max-replace-args -x -d 'Items per job, a word with {} repeated per item'
complete -c fanout $o -s n -l max-args -x -d 'At most N items per job, {} is all of them'
complete -c fanout $o -s L -x -d 'N lines per job, a word with {} repeated per line'
complete -c fanout $o -l max-lines -x -d 'N lines per job, {} is all of them'
complete -c fanout $o -s m -d 'As many items per job as fit, spread over the slots'
complete -c fanout $o -s X -d 'As -m, a word with {} repeated per item'
complete -c fanout $o -l xargs -d 'As many items per job as fit'
complete -c fanout $o -s s -l max-chars -x -d 'Commands shorter than N bytes'
complete -c fanout $o -l show-limits -d 'Print the command length limits, then run'
complete -c fanout $o -s E -x -d 'The input ends at this item'
complete -c fanout $o -l arg-sep -x -d 'Separator instead of :::'
complete -c fanout $o -l arg-file-sep -x -d 'Separator instead of ::::'
complete -c fanout $o -l trim -x -a 'n l r lr rl' -d 'Take white space off values'
complete -c fanout $o -l header -x -a ':' -d 'First line names the columns'
complete -c fanout $o -l shell-quote -d 'Print each command quoted, run nothing'
complete -c fanout $o -l plus -d 'More replacement strings: {..} {/..} {+.} ...'
complete -c fanout $o -l tmpdir -x -a '(__fish_complete_directories)' -d 'Directory for temporary files'
complete -c fanout $o -l nice -x -d 'Run at this niceness'
complete -c fanout $o -l compress -d 'Compress the spool files'
complete -c fanout $o -l compress-program -x -a '(__fish_complete_command)' -d 'Compress the spool files with'
complete -c fanout $o -l decompress-program -x -a '(__fish_complete_command)' -d 'Decompress the spool files with'
complete -c fanout $o -l tty -d 'Jobs read the terminal, one at a time'
complete -c fanout $o -l files -d "Keep each job's output in a file, print its name"
complete -c fanout $o -l shuf -d 'Run the items in a random order'
complete -c fanout $o -l load -x -a '100% 80%' -d 'Start no job while N processes run'
complete -c fanout $o -s I -l replace -x -d 'Replacement string instead of {}'
complete -c fanout $o -s q -l quote -d "Quote the command's own words too"
complete -c fanout $o -l shell -x -a '(__fish_complete_command)' -d 'Shell for commands that need one'
complete -c fanout $o -l link -d 'Link all input groups pairwise'
complete -c fanout $o -l delay -x -d 'Wait between job starts (Nauto adapts it)'
complete -c fanout $o -l timeout -x -d 'Stop jobs that run longer (secs or N%)'
complete -c fanout $o -l termseq -x -a '(__fanout_termseq)' -d 'Signals and waits to stop a job'
complete -c fanout $o -l retries -x -d 'Run a failing job up to N times'
complete -c fanout $o -l halt -x -d 'Stop early' -a "
never\t'Never halt (default)'
now,fail=1\t'Kill running jobs at the first failure'
soon,fail=1\t'Start no new job after the first failure'
now,success=1\t'Kill running jobs at the first success'
soon,success=1\t'Start no new job after the first success'
now,done=1\t'Kill running jobs when one is done'
soon,done=1\t'Start no new job when one is done'"
complete -c fanout $o -l memfree -x -d 'Start no job while free memory is below SIZE'
complete -c fanout $o -l pipe -d "Cut stdin into blocks, one a job's stdin"
complete -c fanout $o -l spreadstdin -d "Cut stdin into blocks, one a job's stdin"
complete -c fanout $o -l pipe-part -d 'Cut the -a file into blocks the jobs read'
complete -c fanout $o -l pipepart -d 'Cut the -a file into blocks the jobs read'
complete -c fanout $o -l block -x -d 'Bytes a block (1M, 64k; -N: N blocks a slot)'
complete -c fanout $o -l block-size -x -d 'Bytes a block (1M, 64k; -N: N blocks a slot)'
complete -c fanout $o -l blocksize -x -d 'Bytes a block (1M, 64k; -N: N blocks a slot)'
complete -c fanout $o -l recstart -x -d 'A record starts with this'
complete -c fanout $o -l recend -x -d 'A record ends with this (default \\n)'
complete -c fanout $o -l regexp -d '--recstart and --recend are regular expressions'
complete -c fanout $o -l header -x -d 'Header given to every block (: one line, N lines)'
complete -c fanout $o -l cat -d 'The block in a file named by {}'
complete -c fanout $o -l fifo -d 'The block through a FIFO named by {}'
complete -c fanout $o -l round-robin -d 'Give blocks to the running jobs, one a slot'
complete -c fanout $o -l round -d 'Give blocks to the running jobs, one a slot'
complete -c fanout $o -l remove-rec-sep -d 'Remove record ends and starts from each block'
complete -c fanout $o -l removerecsep -d 'Remove record ends and starts from each block'
complete -c fanout $o -l rrs -d 'Remove record ends and starts from each block'
complete -c fanout $o -l block-timeout -x -d 'A block waiting longer for input goes as it is'
complete -c fanout $o -l blocktimeout -x -d 'A block waiting longer for input goes as it is'
complete -c fanout $o -l bt -x -d 'A block waiting longer for input goes as it is'
complete -c fanout $o -l joblog -r -F -d 'Record each finished job'
complete -c fanout $o -l resume -d 'Skip jobs already in the job log'
complete -c fanout $o -l resume-failed -d 'Skip succeeded jobs in the job log, rerun failed'
complete -c fanout $o -l retry-failed -d 'Rerun the failed commands of the job log'
complete -c fanout $o -l results -x -a '(__fish_complete_directories)' -d "Keep each job's output in a directory"
complete -c fanout $o -l json -d 'Print one JSON object per finished job'
complete -c fanout $o -s f -l file -x -a '(__fanout_yaml_files)' -d 'Run the tasks of a YAML workflow'
complete -c fanout $o -l check -d 'With -f: check the workflow file, run nothing'
complete -c fanout $o -s S -l sshlogin -x -a '(__fanout_sshlogins)' -d 'Run jobs on hosts ([@G1+G2/][N/][user@]host[:port],...)'
complete -c fanout $o -l slf -r -F -d 'Read logins from a file'
complete -c fanout $o -l sshloginfile -r -F -d 'Read logins from a file'
complete -c fanout $o -l slurm -d 'Run jobs on the nodes of the Slurm allocation'
complete -c fanout $o -l ssh-config -r -F -d 'SSH configuration file instead of ~/.ssh/config'
complete -c fanout $o -l ssh-accept-new -d 'Accept and record unknown host keys'
complete -c fanout $o -l ssh-timeout -x -d 'Seconds to connect to a host (default 10)'
complete -c fanout $o -l ssh-fanout -x -d 'Handshakes at once (default 32)'
complete -c fanout $o -l filter-hosts -d 'Give up on hosts that cannot be reached at the start'
complete -c fanout $o -l hgrp -d 'An argument VALUE@G1+G2 runs only on hosts in group G1 or G2'
complete -c fanout $o -l hostgroups -d 'An argument VALUE@G1+G2 runs only on hosts in group G1 or G2'
complete -c fanout $o -l env -x -a '(set --names --export)' -d 'Pass a variable to remote jobs'
complete -c fanout $o -l workdir -x -d 'Run remote jobs in a directory (made when missing)'
complete -c fanout $o -l wd -x -d 'Run remote jobs in a directory (made when missing)'
complete -c fanout $o -l nonall -d 'Run the command once on every host'
complete -c fanout $o -l onall -d 'Run every job on every host'
complete -c fanout $o -l transfer -d "Send the job's arguments (files) to the host first"
complete -c fanout $o -l return -r -F -d 'Fetch a file (a template) after the job'
complete -c fanout $o -l cleanup -d 'Remove the files sent and fetched on the host'
complete -c fanout $o -l basefile -r -F -d 'Send a file to each host once'
complete -c fanout $o -l bf -r -F -d 'Send a file to each host once'
complete -c fanout $o -l srun -d 'Run each job as a step of the Slurm allocation'
complete -c fanout $o -l srun-cpus -x -d 'CPUs per Slurm job step'
complete -c fanout $o -l bar -d 'Show a progress bar'
complete -c fanout $o -l progress -d 'Show progress'
complete -c fanout $o -l eta -d 'Show the estimated time left'
complete -c fanout $o -s h -l help -d 'Print a summary of the options'
complete -c fanout $o -s V -l version -d 'Print the version'
complete -c fanout $o -l will-cite -d 'Accepted for GNU parallel, does nothing'
complete -c fanout $o -l no-notice -d 'Accepted for GNU parallel, does nothing'
complete -c fanout $o -l bibtex -d 'Accepted for GNU parallel, does nothing'

# The first word after the options is the command; with -f, the words
# after the options are task names.
complete -c fanout -n __fanout_before_command -x -a '(__fish_complete_command)'
complete -c fanout -n __fanout_workflow -x -a '(__fanout_tasks)' -d Task
# Its arguments complete as that command's would, until ::: or ::::.
complete -c fanout -n __fanout_in_command -x -a '(__fanout_complete_command_args)'
complete -c fanout -n __fanout_in_command -x -a '::: :::: :::+ ::::+' -d 'Input group'
# Values after ::: are often file names; after :::: they are.
complete -c fanout -n __fanout_last_sep -F
complete -c fanout -n __fanout_last_sep -x -a '::: :::: :::+ ::::+' -d 'Input group'
