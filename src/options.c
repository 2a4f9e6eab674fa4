/*
 * The command line (and $PARALLEL) into run-wide settings and the one
 * task's settings, remembering which the user set; --help.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "options.h"
#include "optval.h"
#include "template.h"
#include "util.h"
#include "xalloc.h"

#ifndef FANOUT_VERSION
#define FANOUT_VERSION "0.1.0"
#endif

_Static_assert(OPT_COUNT <= 64, "struct options' given has 64 bits");

/* What the options of both $PARALLEL and the command line add up to. */
struct parse_state {
	struct options *o;
	const char **argfiles; /* -a */
	size_t nargfiles;
};

struct optdef;
/* Apply option d, with its value arg (NULL when it takes none). */
typedef void optdef_set_cb(struct parse_state *, const struct optdef *, char *);

/* One option: its names, its value, the setting it sets and how. */
struct optdef {
	const char *name;
	int has_arg;
	int letter; /* its short option; 0: none */
	enum option_id id; /* recorded as set by the user */
	optdef_set_cb *set;
	size_t arg; /* set_flag: a bool's offset; set_output: the mode;
		       set_progress: a bit */
};

static optdef_set_cb set_flag, set_output, set_progress, set_jobs,
    set_tagstring, set_arg_file, set_null, set_delimiter, set_colsep,
    set_max_args, set_replace, set_shell, set_delay, set_timeout, set_termseq,
    set_retries, set_halt, set_joblog, set_results, set_memfree, set_nothing,
    set_workflow, set_strlist, set_slf, set_ssh_config, set_ssh_timeout,
    set_ssh_fanout, set_workdir, set_srun, set_srun_cpus, show_help,
    show_version, set_pack, set_eof, set_max_chars, set_sep, set_trim,
    set_tmpdir, set_nice, set_count, set_header, set_load, set_compressor,
    set_block, set_recstart, set_recend, set_block_timeout;

#define FLAG(field) offsetof(struct options, field)
/* set_max_args: which option */
enum { ARGS_N, ARGS_n, ARGS_L, ARGS_l };
#define NOPTIONS (sizeof long_options / sizeof *long_options)
/* getopt_long's value for long_options[i] without a letter: LONG_ONLY + i */
#define LONG_ONLY 256

static const char short_options[] = "+:j:P:kuva:0d:rN:n:L:mXE:s:I:qf:S:hV";

/*
 * Every option, one a line: tests/70-docs.bats reads this table too.
 * getopt_table() makes getopt_long's table of it.
 */
/* clang-format off */
static const struct optdef long_options[] = {
	{ "jobs", required_argument, 'j', OPT_JOBS, set_jobs, 0 },
	{ "max-procs", required_argument, 'P', OPT_JOBS, set_jobs, 0 },
	{ "keep-order", no_argument, 'k', OPT_KEEP_ORDER,
	    set_flag, FLAG(keep_order) },
	{ "group", no_argument, 0, OPT_OUTPUT, set_output, OUTPUT_GROUP },
	{ "line-buffer", no_argument, 0, OPT_OUTPUT, set_output, OUTPUT_LINE },
	{ "lb", no_argument, 0, OPT_OUTPUT, set_output, OUTPUT_LINE },
	{ "ungroup", no_argument, 'u', OPT_OUTPUT, set_output, OUTPUT_UNGROUP },
	{ "tag", no_argument, 0, OPT_TAG, set_flag, FLAG(tag) },
	{ "tagstring", required_argument, 0, OPT_TAGSTRING, set_tagstring, 0 },
	{ "verbose", no_argument, 'v', OPT_VERBOSE, set_flag, FLAG(verbose) },
	{ "dry-run", no_argument, 0, OPT_DRY_RUN, set_flag, FLAG(dry_run) },
	{ "arg-file", required_argument, 'a', OPT_NONE, set_arg_file, 0 },
	{ "null", no_argument, '0', OPT_DELIMITER, set_null, 0 },
	{ "delimiter", required_argument, 'd', OPT_DELIMITER,
	    set_delimiter, 0 },
	{ "colsep", required_argument, 0, OPT_COLSEP, set_colsep, 0 },
	{ "no-run-if-empty", no_argument, 'r', OPT_SKIP_EMPTY,
	    set_flag, FLAG(skip_empty) },
	{ "max-replace-args", required_argument, 'N', OPT_MAX_ARGS,
	    set_max_args, ARGS_N },
	{ "max-args", required_argument, 'n', OPT_MAX_ARGS,
	    set_max_args, ARGS_n },
	{ "max-lines", required_argument, 0, OPT_MAX_ARGS,
	    set_max_args, ARGS_l },
	{ NULL, required_argument, 'L', OPT_MAX_ARGS, set_max_args, ARGS_L },
	{ NULL, no_argument, 'm', OPT_PACK, set_pack, PACK_M },
	{ NULL, no_argument, 'X', OPT_PACK, set_pack, PACK_X },
	{ "xargs", no_argument, 0, OPT_PACK, set_pack, PACK_XARGS },
	{ "max-chars", required_argument, 's', OPT_MAX_CHARS,
	    set_max_chars, 0 },
	{ "show-limits", no_argument, 0, OPT_NONE,
	    set_flag, FLAG(show_limits) },
	{ NULL, required_argument, 'E', OPT_EOF, set_eof, 0 },
	{ "arg-sep", required_argument, 0, OPT_NONE, set_sep, FLAG(arg_sep) },
	{ "arg-file-sep", required_argument, 0, OPT_NONE,
	    set_sep, FLAG(arg_file_sep) },
	{ "trim", required_argument, 0, OPT_TRIM, set_trim, 0 },
	{ "shell-quote", no_argument, 0, OPT_NONE,
	    set_count, FLAG(shell_quote) },
	{ "tmpdir", required_argument, 0, OPT_NONE, set_tmpdir, 0 },
	{ "nice", required_argument, 0, OPT_NONE, set_nice, 0 },
	{ "plus", no_argument, 0, OPT_NONE, set_flag, FLAG(plus) },
	{ "load", required_argument, 0, OPT_NONE, set_load, 0 },
	{ "shuf", no_argument, 0, OPT_NONE, set_flag, FLAG(shuf) },
	{ "files", no_argument, 0, OPT_NONE, set_flag, FLAG(files) },
	{ "tty", no_argument, 0, OPT_NONE, set_flag, FLAG(tty) },
	{ "compress", no_argument, 0, OPT_NONE, set_flag, FLAG(compress) },
	{ "compress-program", required_argument, 0, OPT_NONE,
	    set_compressor, FLAG(compress_program) },
	{ "decompress-program", required_argument, 0, OPT_NONE,
	    set_compressor, FLAG(decompress_program) },
	{ "replace", required_argument, 'I', OPT_REPLACE, set_replace, 0 },
	{ "quote", no_argument, 'q', OPT_QUOTE, set_flag, FLAG(quote) },
	{ "shell", required_argument, 0, OPT_SHELL, set_shell, 0 },
	{ "link", no_argument, 0, OPT_LINK, set_flag, FLAG(link) },
	{ "delay", required_argument, 0, OPT_DELAY, set_delay, 0 },
	{ "timeout", required_argument, 0, OPT_TIMEOUT, set_timeout, 0 },
	{ "termseq", required_argument, 0, OPT_TERMSEQ, set_termseq, 0 },
	{ "retries", required_argument, 0, OPT_RETRIES, set_retries, 0 },
	{ "halt", required_argument, 0, OPT_HALT, set_halt, 0 },
	{ "joblog", required_argument, 0, OPT_JOBLOG, set_joblog, 0 },
	{ "resume", no_argument, 0, OPT_RESUME, set_flag, FLAG(resume) },
	{ "resume-failed", no_argument, 0, OPT_RESUME_FAILED,
	    set_flag, FLAG(resume_failed) },
	{ "retry-failed", no_argument, 0, OPT_RETRY_FAILED,
	    set_flag, FLAG(retry_failed) },
	{ "results", required_argument, 0, OPT_RESULTS, set_results, 0 },
	{ "json", no_argument, 0, OPT_JSON, set_flag, FLAG(json) },
	{ "bar", no_argument, 0, OPT_PROGRESS, set_progress, 1 },
	{ "progress", no_argument, 0, OPT_PROGRESS, set_progress, 2 },
	{ "eta", no_argument, 0, OPT_PROGRESS, set_progress, 4 },
	{ "memfree", required_argument, 0, OPT_MEMFREE, set_memfree, 0 },
	{ "pipe", no_argument, 0, OPT_PIPE, set_flag, FLAG(pipe) },
	{ "spreadstdin", no_argument, 0, OPT_PIPE, set_flag, FLAG(pipe) },
	{ "pipe-part", no_argument, 0, OPT_PIPE, set_flag, FLAG(pipe_part) },
	{ "pipepart", no_argument, 0, OPT_PIPE, set_flag, FLAG(pipe_part) },
	{ "block", required_argument, 0, OPT_PIPE, set_block, 0 },
	{ "block-size", required_argument, 0, OPT_PIPE, set_block, 0 },
	{ "blocksize", required_argument, 0, OPT_PIPE, set_block, 0 },
	{ "recstart", required_argument, 0, OPT_PIPE, set_recstart, 0 },
	{ "recend", required_argument, 0, OPT_PIPE, set_recend, 0 },
	{ "regexp", no_argument, 0, OPT_PIPE, set_flag, FLAG(regexp) },
	{ "cat", no_argument, 0, OPT_PIPE, set_flag, FLAG(cat) },
	{ "fifo", no_argument, 0, OPT_PIPE, set_flag, FLAG(fifo) },
	{ "round-robin", no_argument, 0, OPT_PIPE, set_flag,
	    FLAG(round_robin) },
	{ "round", no_argument, 0, OPT_PIPE, set_flag, FLAG(round_robin) },
	{ "remove-rec-sep", no_argument, 0, OPT_PIPE, set_flag,
	    FLAG(remove_rec_sep) },
	{ "removerecsep", no_argument, 0, OPT_PIPE, set_flag,
	    FLAG(remove_rec_sep) },
	{ "rrs", no_argument, 0, OPT_PIPE, set_flag, FLAG(remove_rec_sep) },
	{ "block-timeout", required_argument, 0, OPT_PIPE,
	    set_block_timeout, 0 },
	{ "blocktimeout", required_argument, 0, OPT_PIPE,
	    set_block_timeout, 0 },
	{ "bt", required_argument, 0, OPT_PIPE, set_block_timeout, 0 },
	{ "header", required_argument, 0, OPT_HEADER, set_header, 0 },
	{ "file", required_argument, 'f', OPT_WORKFLOW, set_workflow, 0 },
	{ "check", no_argument, 0, OPT_CHECK, set_flag, FLAG(check) },
	{ "sshlogin", required_argument, 'S', OPT_NONE,
	    set_strlist, FLAG(sshlogins) },
	{ "slf", required_argument, 0, OPT_NONE, set_slf, 0 },
	{ "sshloginfile", required_argument, 0, OPT_NONE, set_slf, 0 },
	{ "slurm", no_argument, 0, OPT_NONE, set_flag, FLAG(slurm_hosts) },
	{ "ssh-config", required_argument, 0, OPT_NONE, set_ssh_config, 0 },
	{ "ssh-accept-new", no_argument, 0, OPT_NONE,
	    set_flag, FLAG(ssh_accept_new) },
	{ "ssh-timeout", required_argument, 0, OPT_NONE, set_ssh_timeout, 0 },
	{ "ssh-fanout", required_argument, 0, OPT_NONE, set_ssh_fanout, 0 },
	{ "filter-hosts", no_argument, 0, OPT_NONE,
	    set_flag, FLAG(filter_hosts) },
	{ "hostgroups", no_argument, 0, OPT_NONE, set_flag, FLAG(hostgroups) },
	{ "hgrp", no_argument, 0, OPT_NONE, set_flag, FLAG(hostgroups) },
	{ "env", required_argument, 0, OPT_NONE,
	    set_strlist, FLAG(env_names) },
	{ "workdir", required_argument, 0, OPT_NONE, set_workdir, 0 },
	{ "wd", required_argument, 0, OPT_NONE, set_workdir, 0 },
	{ "transfer", no_argument, 0, OPT_NONE, set_flag, FLAG(transfer) },
	{ "return", required_argument, 0, OPT_NONE,
	    set_strlist, FLAG(returns) },
	{ "cleanup", no_argument, 0, OPT_NONE, set_flag, FLAG(cleanup) },
	{ "basefile", required_argument, 0, OPT_NONE,
	    set_strlist, FLAG(basefiles) },
	{ "bf", required_argument, 0, OPT_NONE,
	    set_strlist, FLAG(basefiles) },
	{ "nonall", no_argument, 0, OPT_NONE, set_flag, FLAG(nonall) },
	{ "onall", no_argument, 0, OPT_NONE, set_flag, FLAG(onall) },
	{ "srun", optional_argument, 0, OPT_SRUN, set_srun, 0 },
	{ "srun-cpus", required_argument, 0, OPT_SRUN_CPUS, set_srun_cpus, 0 },
	{ "help", no_argument, 'h', OPT_NONE, show_help, 0 },
	{ "version", no_argument, 'V', OPT_NONE, show_version, 0 },
	{ "will-cite", no_argument, 0, OPT_NONE, set_nothing, 0 },
	{ "no-notice", no_argument, 0, OPT_NONE, set_nothing, 0 },
	{ "bibtex", no_argument, 0, OPT_NONE, set_nothing, 0 },
	{ NULL, 0, 0, OPT_NONE, NULL, 0 } /* set is NULL: the end */
};
/* clang-format on */

static const char usage_text[] =
    "usage: fanout [OPTIONS] COMMAND [ARG...] [::: VALUE...]... [:::: "
    "FILE...]...\n"
    "       fanout [OPTIONS] -f WORKFLOW.yaml [TASK...]\n"
    "       PRODUCER | fanout [OPTIONS] [COMMAND [ARG...]]\n"
    "Run COMMAND once per input item, many at a time; collect each job's "
    "output.\n"
    "\n"
    "Input:\n"
    "  ::: V...               values; several groups give every combination\n"
    "  :::: FILE             one item per line of FILE (- is stdin)\n"
    "  -a, --arg-file FILE    the same\n"
    "  :::+ / ::::+, --link   pair a group with the one before / all groups\n"
    "  -0, --null             items end with NUL\n"
    "  -d, --delimiter C      items end with byte C (\\n, \\t, \\0 escapes)\n"
    "      --colsep REGEX     split items into columns {1} {2} ...\n"
    "  -r, --no-run-if-empty  skip empty items\n"
    "  -N, --max-replace-args N  N items per job, as {1}..{N}; a word with {}\n"
    "                         is repeated per item\n"
    "  -n, --max-args N       at most N items per job, {} is all of them\n"
    "  -L N                   N lines per job (a line ending in a blank goes "
    "on);\n"
    "                         a word with {} is repeated per line\n"
    "      --max-lines N      the same, {} is all the lines\n"
    "  -m, --xargs            as many items per job as fit (-m spreads them\n"
    "                         over the job slots when the input is short)\n"
    "  -X                     as -m, a word with {} repeated per item\n"
    "  -s, --max-chars N      with -m, -X, --xargs, -n, -L: commands shorter "
    "than N\n"
    "      --show-limits      print the command length limits, then run\n"
    "  -E STR                 the input ends at an item STR\n"
    "      --arg-sep SEP      SEP instead of :::\n"
    "      --arg-file-sep SEP SEP instead of ::::\n"
    "      --trim n|l|r|lr|rl take white space off the left/right of values\n"
    "                         (lr is the default with --colsep)\n"
    "      --header :         each source's first line names its columns: "
    "{name}\n"
    "                         (0: no line, file names name them: {a.txt})\n"
    "      --shuf             read every item, then run them in random order\n"
    "\n"
    "Command:\n"
    "  {} {.} {/} {//} {/.} {#} {%} {N} {N.} {N/} {N//} {N/.}  replacement "
    "strings\n"
    "      --plus             also {+/} {+.} {+..} {+...} {..} {...} {/..} "
    "{/...}\n"
    "                         {slot} {##} (number of jobs) {0#} {0%} {host}\n"
    "                         {sshlogin} {hgrp} {agrp} {choose_k} {uniq}\n"
    "                         {:-text} {:N:M}\n"
    "                         {#re} {%re} {/re/text} {^re} {,re} ... (man)\n"
    "  -I, --replace STR      use STR instead of {}\n"
    "  -q, --quote            quote the command's own words too\n"
    "      --shell PATH       shell for commands that need one (default "
    "/bin/sh)\n"
    "      --shell-quote      print each command quoted as one word, run "
    "nothing\n"
    "\n";

/* In two parts: C11 compilers need take no string over 4095 bytes. */
static const char usage_text2[] =
    "Scheduling:\n"
    "  -j, --jobs N|FILE      N at once; N%, +N, -N of the CPUs; 0 = no "
    "limit;\n"
    "                         FILE holds N, read again as jobs end\n"
    "  -P, --max-procs N|FILE the same\n"
    "      --delay SECS[auto] wait between job starts (auto: x1.3 after a\n"
    "                         failure, x0.9 after a success)\n"
    "      --timeout SECS|N%  stop jobs that run longer\n"
    "      --termseq SEQ      signals and waits to stop a job\n"
    "                         (default TERM,200,TERM,100,TERM,50,KILL,25)\n"
    "      --retries N        run a failing job up to N times\n"
    "      --halt WHEN,WHAT=N never | now|soon,fail|success|done=N[%]\n"
    "      --dry-run          print the commands, run nothing\n"
    "\n"
    "Output:\n"
    "      --group            each job's output whole when it ends (default)\n"
    "  -k, --keep-order       in input order\n"
    "      --lb, --line-buffer  whole lines as they come\n"
    "  -u, --ungroup          straight through, may mix\n"
    "      --tty              jobs read the terminal (-j1 -u unless given)\n"
    "      --tag              prefix lines with the job's arguments\n"
    "      --tagstring STR    prefix lines with STR (replacement strings "
    "allowed)\n"
    "  -v, --verbose          print each command before its output\n"
    "\n"
    "Job records:\n"
    "      --joblog [+]FILE   a line per finished job (+ appends, - stdout)\n"
    "      --resume           skip jobs the joblog has\n"
    "      --resume-failed    ...and run its failed ones again\n"
    "      --retry-failed     run the joblog's failed commands, read no input\n"
    "      --results DIR      DIR/<seq>/{cmd,stdout,stderr,exitval}\n"
    "      --json             one JSON object per job instead of raw output\n"
    "      --files            keep each job's output in a file in $TMPDIR, "
    "print\n"
    "                         its name instead\n"
    "      --bar, --progress, --eta  progress on stderr\n"
    "      --memfree SIZE     start no job while less memory is available\n"
    "      --nice N           run at niceness N (fanout and its jobs)\n"
    "      --load N           start no job while N processes are running "
    "(N% of CPUs)\n"
    "      --tmpdir DIR       $TMPDIR: spool files and the jobs' temporary "
    "files\n"
    "      --compress         spool files (output waiting its turn) "
    "compressed,\n"
    "                         by the first of pzstd, zstd, lz4, gzip... in "
    "PATH\n"
    "      --compress-program PRG, --decompress-program PRG\n"
    "                         compress with PRG (and decompress with "
    "'PRG -dc')\n"
    "\n";

/* A third part, for the same reason. */
static const char usage_more[] =
    "Remote hosts (SSH):\n"
    "  -S, --sshlogin LIST    [@G1+G2/][N/][user@]host[:port],... (: = this\n"
    "                         machine; node[01-16] ranges); N/: jobs at "
    "once\n"
    "                         there; @G1+G2/: in host groups G1 and G2\n"
    "      --slf, --sshloginfile FILE  logins from FILE, one a line "
    "(re-read)\n"
    "      --slurm            hosts of the Slurm allocation\n"
    "      --ssh-config FILE  instead of ~/.ssh/config\n"
    "      --ssh-accept-new   record unknown host keys (changed: refused)\n"
    "      --ssh-timeout SECS to connect (default 10)\n"
    "      --ssh-fanout N     handshakes at once (default 32)\n"
    "      --filter-hosts     drop hosts that cannot be reached at the start\n"
    "      --hgrp, --hostgroups  an argument VALUE@G1+G2 runs only on hosts "
    "in\n"
    "                         group G1 or G2 (and loses its @G1+G2)\n"
    "      --env VAR          pass VAR to remote jobs\n"
    "      --workdir, --wd DIR  run remote jobs in DIR\n"
    "      --transfer         send the job's arguments (files) first\n"
    "      --return FILE      fetch FILE (a template) after the job\n"
    "      --cleanup          then remove both on the host\n"
    "      --basefile, --bf FILE  send FILE to each host once\n"
    "      --nonall, --onall  the command once on every host / every job "
    "on\n"
    "                         every host\n"
    "\n"
    "Slurm:\n"
    "      --srun[=ARGS]      run each job as a step of the allocation:\n"
    "                         srun --exclusive -N1 -n1 -c CPUS ARGS -- CMD\n"
    "      --srun-cpus N      CPUs per job step (default 1)\n"
    "\n";

/* A fourth part, for the same reason. */
static const char usage_pipe[] =
    "Blocks of input (--pipe):\n"
    "      --pipe, --spreadstdin  stdin cut into blocks of whole records,\n"
    "                         each block one job's stdin\n"
    "      --pipe-part, --pipepart  blocks of the -a FILE, read by the jobs\n"
    "      --block, --block-size, --blocksize SIZE  bytes a block (default\n"
    "                         1M; k=1000, K=1024); --pipe-part: -N is N\n"
    "                         blocks a slot (default -10)\n"
    "      --recend STR       a record ends with STR (default \\n)\n"
    "      --recstart STR     a record starts with STR\n"
    "      --regexp           --recend and --recstart are regexps\n"
    "  -N N                   with --pipe: N records a job\n"
    "  -L, --max-lines N      with --pipe: a record is N lines\n"
    "  -r                     with --pipe: lines of blanks only are dropped\n"
    "      --remove-rec-sep, --removerecsep, --rrs  record ends and starts\n"
    "                         taken out of each block\n"
    "      --block-timeout, --blocktimeout, --bt DURATION  a block that\n"
    "                         waited that long for input goes as it is\n"
    "      --header REGEX     with --pipe: the header, given to every job\n"
    "                         (: is one line, N is N lines, 0 none)\n"
    "      --cat              the block in a file, {} its name\n"
    "      --fifo             the block through a FIFO, {} its name\n"
    "      --round-robin, --round  one job a slot, each given blocks as it\n"
    "                         takes them (no -k order)\n"
    "\n"
    "Workflows:\n"
    "  -f, --file FILE [TASK...]  run the tasks of a YAML workflow (only the\n"
    "                         TASKs named and what they need); see\n"
    "                         fanout-workflow(5)\n"
    "      --check            with -f: check FILE, run nothing\n"
    "\n"
    "  -h, --help             this text\n"
    "  -V, --version          fanout's version\n"
    "      --will-cite, --no-notice, --bibtex  accepted for GNU parallel's "
    "scripts;\n"
    "                         they do nothing\n"
    "\n"
    "Default options may be given in $PARALLEL, as for GNU parallel.\n"
    "Exit status: 0 all jobs succeeded, 1-100 that many failed, 101 more,\n"
    "128+N ended by signal N, 255 other errors. See fanout(1).\n";

static void __attribute__((noreturn)) print_and_exit(const char *what,
    const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* --help, --version: exit 0, or 255 when stdout cannot take the text. */
static void
print_and_exit(const char *what, const char *fmt, ...)
{
	va_list ap;
	int failed;

	va_start(ap, fmt);
	failed = vprintf(fmt, ap) < 0;
	va_end(ap);
	if (fflush(stdout) != 0 || failed || ferror(stdout))
		fatal("cannot write %s", what);
	exit(0);
}

double
options_parse_duration(const char *s, bool need_unit)
{
	double total = 0, v, mul;
	char *end;

	if (!*s)
		return -1;
	/*
	 * A number, or a sum of numbers with units: 1d3.5h16.6m4s. One too
	 * big for a double is HUGE_VAL: "very long", as the scheduler caps it.
	 */
	while (*s) {
		if ((v = util_strtod_plain(s, &end)) < 0)
			return -1;
		switch (*end) {
		case '\0':
			if (need_unit || total > 0)
				return -1;
			return v;
		case 's':
			mul = 1;
			break;
		case 'm':
			mul = 60;
			break;
		case 'h':
			mul = 3600;
			break;
		case 'd':
			mul = 86400;
			break;
		default:
			return -1;
		}
		total += v * mul;
		s = end + 1;
	}
	return total;
}

long
options_jobs_from_file(const char *path)
{
	char text[64];
	FILE *fp = fopen(path, "re");
	size_t n;

	if (!fp)
		return -4;
	n = fread(text, 1, sizeof text - 1, fp);
	fclose(fp);
	/* The file's final newline (and blanks) end the number. */
	while (n > 0 && isspace((unsigned char)text[n - 1]))
		n--;
	text[n] = '\0';
	return util_jobs_from_spec(text, util_ncpu());
}

static void
set_flag(struct parse_state *ps, const struct optdef *d, char *arg)
{
	(void)arg;
	*(bool *)((char *)ps->o + d->arg) = true;
}

static void
set_workflow(struct parse_state *ps, const struct optdef *d, char *arg)
{
	(void)d;
	ps->o->workflow = arg;
}

static void
set_output(struct parse_state *ps, const struct optdef *d, char *arg)
{
	(void)arg;
	ps->o->output = (enum output_mode)d->arg;
}

/* --bar, --progress, --eta: bits of enum progress_kind */
static void
set_progress(struct parse_state *ps, const struct optdef *d, char *arg)
{
	(void)arg;
	ps->o->progress |= (int)d->arg;
}

/* The value's parser refused it: say why, exit 255. */
static void
must(int rc, const struct optval_err *e)
{
	if (rc < 0)
		optval_fail(e);
}

/* A whole number from min to INT_MAX, or exit 255. */
static unsigned long
count(const char *opt, const char *arg, unsigned long min)
{
	struct optval_err e;
	unsigned long v;

	must(optval_count(opt, arg, min, &v, &e), &e);
	return v;
}

static void
set_jobs(struct parse_state *ps, const struct optdef *d, char *arg)
{
	struct optval_err e;

	(void)d;
	must(optval_jobs(ps->o, arg, &e), &e);
}

static void
set_srun(struct parse_state *ps, const struct optdef *d, char *arg)
{
	(void)d;
	ps->o->srun = arg ? arg : "";
}

static void
set_srun_cpus(struct parse_state *ps, const struct optdef *d, char *arg)
{
	(void)d;
	ps->o->srun_cpus = (unsigned)count("--srun-cpus", arg, 1);
}

static void
set_tagstring(struct parse_state *ps, const struct optdef *d, char *arg)
{
	(void)d;
	ps->o->task.tagstring = arg;
}

static void
set_arg_file(struct parse_state *ps, const struct optdef *d, char *arg)
{
	(void)d;
	ps->argfiles = xreallocarray(
	    ps->argfiles, ps->nargfiles + 1, sizeof *ps->argfiles);
	ps->argfiles[ps->nargfiles++] = arg;
}

static void
set_null(struct parse_state *ps, const struct optdef *d, char *arg)
{
	(void)d, (void)arg;
	ps->o->delimiter = '\0';
}

static void
set_delimiter(struct parse_state *ps, const struct optdef *d, char *arg)
{
	struct optval_err e;

	(void)d;
	must(optval_delimiter(arg, &ps->o->delimiter, &e), &e);
}

static void
set_colsep(struct parse_state *ps, const struct optdef *d, char *arg)
{
	(void)d;
	if (!*arg)
		optval_error("--colsep: the separator is empty");
	ps->o->colsep = arg;
}

/*
 * -N (context replace), -n (none), -L (lines, context replace),
 * --max-lines (lines, none), as GNU parallel.
 */
static void
set_max_args(struct parse_state *ps, const struct optdef *d, char *arg)
{
	static const char *const names[] = {"-N", "-n", "-L", "--max-lines"};

	ps->o->max_args = count(names[d->arg], arg, 0);
	ps->o->no_args = ps->o->max_args == 0;
	ps->o->max_args_context = d->arg == ARGS_N || d->arg == ARGS_L;
	ps->o->max_lines = d->arg == ARGS_L || d->arg == ARGS_l;
	ps->o->max_args_name = names[d->arg];
	/* --pipe: -L 0 is -L 1, as in GNU parallel. */
	if (ps->o->max_lines)
		ps->o->pipe_lines = ps->o->max_args ? ps->o->max_args : 1;
	else
		ps->o->pipe_nrec = ps->o->max_args;
}

static void
set_pack(struct parse_state *ps, const struct optdef *d, char *arg)
{
	(void)arg;
	ps->o->pack = (enum pack_mode)d->arg;
}

static void
set_max_chars(struct parse_state *ps, const struct optdef *d, char *arg)
{
	(void)d;
	ps->o->max_chars = count("-s", arg, 1);
}

/* --arg-sep, --arg-file-sep: another word for ::: or :::: */
static void
set_sep(struct parse_state *ps, const struct optdef *d, char *arg)
{
	if (!*arg)
		optval_error("--%s: the separator is empty", d->name);
	*(const char **)((char *)ps->o + d->arg) = arg;
}

/* --trim n|l|r|lr|rl */
static void
set_trim(struct parse_state *ps, const struct optdef *d, char *arg)
{
	static const char *const names[] = {"n", "l", "r", "lr", "rl"};
	static const int trims[] = {
	    TRIM_NONE, TRIM_LEFT, TRIM_RIGHT, TRIM_BOTH, TRIM_BOTH};
	size_t i;

	(void)d;
	for (i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(arg, names[i]) == 0) {
			ps->o->trim = trims[i];
			return;
		}
	optval_error("--trim: '%s' is not n, l, r, lr or rl", arg);
}

/* --shell-quote: once more each time */
static void
set_count(struct parse_state *ps, const struct optdef *d, char *arg)
{
	(void)arg;
	++*(unsigned *)((char *)ps->o + d->arg);
}

/* --tmpdir DIR: $TMPDIR, for fanout's spool files and the jobs (GNU). */
static void
set_tmpdir(struct parse_state *ps, const struct optdef *d, char *arg)
{
	struct stat st;

	(void)ps, (void)d;
	if (stat(arg, &st) < 0 || !S_ISDIR(st.st_mode))
		optval_error("--tmpdir: '%s' is not a directory", arg);
	if (setenv("TMPDIR", arg, 1) < 0)
		fatal("--tmpdir");
}

/*
 * --header REGEX: outside --pipe GNU parallel takes one line of each
 * input source whatever REGEX says, but for 0: no line, and the files'
 * names name their arguments ({PATH}). With --pipe, N is N lines.
 */
static void
set_header(struct parse_state *ps, const struct optdef *d, char *arg)
{
	(void)d;
	if (!*arg)
		optval_error("--header: the header pattern is empty");
	ps->o->header = arg;
}

static void
set_load(struct parse_state *ps, const struct optdef *d, char *arg)
{
	struct optval_err e;

	(void)d;
	must(optval_load(arg, &ps->o->load, &e), &e);
}

/* --nice N: the jobs' niceness, from -20 to 19 */
static void
set_nice(struct parse_state *ps, const struct optdef *d, char *arg)
{
	struct optval_err e;

	(void)d;
	must(optval_nice(arg, &ps->o->nice, &e), &e);
	ps->o->nice_set = true;
}

/* -E STR: the input ends at an item STR; -E '' ends nothing (GNU). */
static void
set_eof(struct parse_state *ps, const struct optdef *d, char *arg)
{
	(void)d;
	ps->o->eof_str = *arg ? arg : NULL;
}

static void
set_replace(struct parse_state *ps, const struct optdef *d, char *arg)
{
	(void)d;
	if (!*arg)
		optval_error("-I: the replacement string is empty");
	ps->o->replace = arg;
}

static void
set_shell(struct parse_state *ps, const struct optdef *d, char *arg)
{
	(void)d;
	ps->o->shell = arg;
}

static void
set_delay(struct parse_state *ps, const struct optdef *d, char *arg)
{
	struct optval_err e;

	(void)d;
	must(optval_delay(ps->o, arg, &e), &e);
}

static void
set_timeout(struct parse_state *ps, const struct optdef *d, char *arg)
{
	struct optval_err e;

	(void)d;
	must(optval_timeout(&ps->o->task, arg, &e), &e);
}

static void
set_termseq(struct parse_state *ps, const struct optdef *d, char *arg)
{
	struct optval_err e;

	(void)d;
	must(optval_termseq(&ps->o->termseq, arg, &e), &e);
}

/* --retries 0 means the same as 1: one run. */
static void
set_retries(struct parse_state *ps, const struct optdef *d, char *arg)
{
	unsigned n = (unsigned)count("--retries", arg, 0);

	(void)d;
	ps->o->task.retries = n ? n : 1;
}

static void
set_halt(struct parse_state *ps, const struct optdef *d, char *arg)
{
	struct optval_err e;

	(void)d;
	must(optval_halt(&ps->o->halt, arg, &e), &e);
}

static void
set_joblog(struct parse_state *ps, const struct optdef *d, char *arg)
{
	(void)d;
	if (!*arg || strcmp(arg, "+") == 0)
		optval_error("--joblog needs a file name");
	ps->o->joblog = arg;
}

static void
set_results(struct parse_state *ps, const struct optdef *d, char *arg)
{
	(void)d;
	if (!*arg)
		optval_error("--results needs a directory");
	ps->o->results = arg;
}

static void
set_memfree(struct parse_state *ps, const struct optdef *d, char *arg)
{
	struct optval_err e;

	(void)d;
	must(optval_memfree(arg, &ps->o->memfree, &e), &e);
}

/*
 * --compress-program PRG, --decompress-program PRG: shell commands (with
 * their arguments) whose first word must be in PATH, or a path to a
 * program that can run.
 */
static void
set_compressor(struct parse_state *ps, const struct optdef *d, char *arg)
{
	size_t len = strcspn(arg, " \t");
	char *name = xstrndup(arg, len), *path;

	*(const char **)((char *)ps->o + d->arg) = arg;
	if (strchr(name, '/')) {
		if (access(name, X_OK) < 0)
			optval_error("--%s: '%s' cannot be run: %s", d->name,
			    name, strerror(errno));
	} else if (!len || !(path = util_path_search(name))) {
		optval_error("--%s: '%s' is not found in PATH", d->name, name);
	} else {
		free(path);
	}
	free(name);
}

/* -S, --env, --return, --basefile: each adds to a list */
static void
set_strlist(struct parse_state *ps, const struct optdef *d, char *arg)
{
	struct strlist *l = (struct strlist *)((char *)ps->o + d->arg);

	if (!*arg)
		optval_error("--%s: the value is empty", d->name);
	l->v = xreallocarray(l->v, l->n + 1, sizeof *l->v);
	l->v[l->n++] = arg;
}

static void
set_slf(struct parse_state *ps, const struct optdef *d, char *arg)
{
	(void)d;
	if (!*arg)
		optval_error("--slf needs a file name");
	ps->o->slf = arg;
}

static void
set_ssh_config(struct parse_state *ps, const struct optdef *d, char *arg)
{
	(void)d;
	if (!*arg)
		optval_error("--ssh-config needs a file name");
	ps->o->ssh_config = arg;
}

static void
set_block_timeout(struct parse_state *ps, const struct optdef *d, char *arg)
{
	struct optval_err e;

	(void)d;
	must(optval_block_timeout(arg, &ps->o->block_timeout, &e), &e);
}

static void
set_ssh_timeout(struct parse_state *ps, const struct optdef *d, char *arg)
{
	struct optval_err e;

	(void)d;
	must(optval_ssh_timeout(arg, &ps->o->ssh_timeout, &e), &e);
}

static void
set_ssh_fanout(struct parse_state *ps, const struct optdef *d, char *arg)
{
	(void)d;
	ps->o->ssh_fanout = (unsigned)count("--ssh-fanout", arg, 1);
	if (ps->o->ssh_fanout > 1024)
		optval_error("--ssh-fanout: at most 1024 handshakes at once");
}

static void
set_workdir(struct parse_state *ps, const struct optdef *d, char *arg)
{
	(void)d;
	if (!*arg)
		optval_error("--workdir needs a directory");
	ps->o->workdir = arg;
}

static void
set_block(struct parse_state *ps, const struct optdef *d, char *arg)
{
	struct optval_err e;

	(void)d;
	must(optval_block_size(arg, &ps->o->block_size, &e), &e);
	ps->o->block_given = true;
}

static void
set_recstart(struct parse_state *ps, const struct optdef *d, char *arg)
{
	(void)d;
	ps->o->recstart = arg;
}

static void
set_recend(struct parse_state *ps, const struct optdef *d, char *arg)
{
	(void)d;
	ps->o->recend = arg;
}

/* --will-cite, --no-notice, --bibtex: accepted for GNU parallel's scripts */
static void
set_nothing(struct parse_state *ps, const struct optdef *d, char *arg)
{
	(void)ps, (void)d, (void)arg;
}

static void
show_help(struct parse_state *ps, const struct optdef *d, char *arg)
{
	(void)ps, (void)d, (void)arg;
	print_and_exit("--help", "%s%s%s%s", usage_text, usage_text2,
	    usage_more, usage_pipe);
}

static void
show_version(struct parse_state *ps, const struct optdef *d, char *arg)
{
	(void)ps, (void)d, (void)arg;
	print_and_exit("--version", "fanout %s\n", FANOUT_VERSION);
}

/*
 * getopt_long's table for long_options: each entry's value is its letter,
 * or LONG_ONLY + its index.
 */
static void
getopt_table(struct option *lo)
{
	const struct optdef *d;
	size_t i, n = 0;

	for (i = 0; i < NOPTIONS; i++) {
		d = &long_options[i];
		if (d->letter && !strchr(short_options, d->letter))
			BUG("-%c is not in short_options", d->letter);
		if (!d->name && d->set)
			continue; /* a short option only: -m, -X, -E */
		lo[n].name = d->name;
		lo[n].has_arg = d->has_arg;
		lo[n].flag = NULL;
		lo[n++].val = d->letter ? d->letter : LONG_ONLY + (int)i;
	}
}

/* The entry of long_options that getopt_long's value c stands for. */
static const struct optdef *
find_option(int c)
{
	const struct optdef *d;

	if (c >= LONG_ONLY && c < LONG_ONLY + (int)NOPTIONS - 1)
		return &long_options[c - LONG_ONLY];
	for (d = long_options; d->set; d++)
		if (d->letter == c)
			return d;
	BUG("option %d is not in long_options", c);
}

/*
 * Apply the options at the start of argv (argv[0] is not one); return the
 * index of the first operand. from names where argv came from.
 */
static int
parse_args(struct parse_state *ps, int argc, char **argv, const char *from)
{
	struct option lo[NOPTIONS];
	const struct optdef *d;
	int c;

	getopt_table(lo);
	optind = 0; /* glibc: start afresh, on a new argv */
	opterr = 0;
	while ((c = getopt_long(argc, argv, short_options, lo, NULL)) != -1) {
		if (c == ':')
			optval_error("%soption '%s' needs a value", from,
			    argv[optind - 1]);
		if (c == '?' && optopt && optopt < LONG_ONLY)
			optval_error("%sunknown option '-%c'", from, optopt);
		if (c == '?')
			optval_error(
			    "%sunknown option '%s'", from, argv[optind - 1]);
		d = find_option(c);
		d->set(ps, d, optarg);
		if (d->id != OPT_NONE)
			ps->o->given |= 1ULL << d->id;
	}
	return optind;
}

static struct group *
add_group(struct options *o)
{
	struct group *g;

	o->groups = xreallocarray(o->groups, o->ngroups + 1, sizeof *g);
	g = &o->groups[o->ngroups++];
	memset(g, 0, sizeof *g);
	return g;
}

/* Whether w is sep, or sep with a '+' after it (linked). */
static int
is_sep(const char *w, const char *sep)
{
	size_t n = strlen(sep);

	if (strncmp(w, sep, n) != 0)
		return 0;
	return strcmp(w + n, "") == 0 ? 1 : strcmp(w + n, "+") == 0 ? 2 : 0;
}

/*
 * 1 for ::: (--arg-sep), 2 for :::+, 3 for :::: (--arg-file-sep), 4 for
 * ::::+; 0 for any other word.
 */
static int
separator_kind(const struct options *o, const char *w)
{
	int k = is_sep(w, o->arg_sep);

	if (k)
		return k;
	k = is_sep(w, o->arg_file_sep);
	return k ? k + 2 : 0;
}

/* Split the words after the options into the command and the groups. */
static void
parse_operands(struct options *o, int argc, char **argv)
{
	int i = 0, kind;

	if (o->workflow) {
		/* -f FILE TASK...: the words are the tasks to run. */
		for (i = 0; i < argc; i++)
			if (separator_kind(o, argv[i]))
				optval_error("-f takes task names, not '%s': "
					     "a workflow's tasks say what they "
					     "run over",
				    argv[i]);
		o->tasks = argv;
		o->ntasks = (size_t)argc;
		return;
	}
	while (i < argc && !separator_kind(o, argv[i]))
		i++;
	o->task.command = argv;
	o->task.ncommand = (size_t)i;
	while (i < argc) {
		kind = separator_kind(o, argv[i++]);
		if (kind == 1 || kind == 2) {
			struct group *g = add_group(o);

			g->linked = kind == 2;
			g->values = &argv[i];
			while (i < argc && !separator_kind(o, argv[i]))
				i++;
			g->nvalues = (size_t)(&argv[i] - g->values);
		} else {
			if (i >= argc || separator_kind(o, argv[i]))
				optval_error(
				    "'%s' needs a file name", argv[i - 1]);
			/*
			 * As in GNU parallel, every file after ::::+ links
			 * to the group before it: ::::+ f1 f2 pairs f1 and f2
			 * with each other and with the group before.
			 */
			while (i < argc && !separator_kind(o, argv[i])) {
				struct group *g = add_group(o);

				g->path = argv[i++];
				g->linked = kind == 4;
			}
		}
	}
}

/*
 * Split $PARALLEL into words as GNU parallel does (Perl's shellwords):
 * blanks separate words; '...' keeps all literally, but a \' in it does
 * not end it; a backslash escapes any byte outside quotes and inside
 * "...". The words are appended to *w, a NULL-terminated array of n.
 */
static void
split_env_words(const char *s, char ***w, size_t *n)
{
	struct buf word = BUF_INIT;
	char quote;
	bool in_word;

	while (*s) {
		s += strspn(s, " \t\n");
		if (!*s)
			break;
		quote = 0;
		in_word = true;
		buf_reset(&word);
		for (; *s && in_word; s++) {
			if (!quote && strchr(" \t\n", *s)) {
				in_word = false;
			} else if (!quote && (*s == '\'' || *s == '"')) {
				quote = *s;
			} else if (quote && *s == quote) {
				quote = 0;
			} else if (*s == '\\' && s[1] && quote == '\'') {
				/* Kept, but \' does not close the quote. */
				buf_add(&word, s++, 2);
			} else if (*s == '\\' && s[1]) {
				buf_add(&word, ++s, 1);
			} else {
				buf_add(&word, s, 1);
			}
		}
		if (quote)
			fatalx("$PARALLEL: a %c quote is not closed", quote);
		*w = xreallocarray(*w, *n + 2, sizeof **w);
		(*w)[(*n)++] = xstrndup(word.data ? word.data : "", word.len);
		(*w)[*n] = NULL;
	}
	buf_release(&word);
}

static void
options_init(struct options *o)
{
	memset(o, 0, sizeof *o);
	o->task = (struct task_settings)TASK_SETTINGS_INIT;
	o->delimiter = '\n';
	o->arg_sep = ":::";
	o->arg_file_sep = "::::";
	o->srun_cpus = 1;
	optval_termseq_default(&o->termseq);
	o->ssh_timeout = 10;
	o->ssh_fanout = 32;
}

/*
 * Apply $PARALLEL's options, then argv's, and gather the operands:
 * $PARALLEL's other words come before the command line's (GNU parallel).
 * Returns the number of operands.
 */
static size_t
parse_env_and_argv(struct parse_state *ps, int argc, char **argv)
{
	struct options *o = ps->o;
	const char *env = getenv("PARALLEL");
	char **words;
	size_t nwords = 1, nops = 0, i;
	int first;

	words = xcalloc(2, sizeof *words);
	words[0] = xstrdup(argv[0]);
	if (env)
		split_env_words(env, &words, &nwords);
	o->env_words = words;
	first = parse_args(ps, (int)nwords, words, "$PARALLEL: ");
	o->operands = xcalloc(
	    nwords - (size_t)first + (size_t)argc + 1, sizeof *o->operands);
	for (i = (size_t)first; i < nwords; i++)
		o->operands[nops++] = words[i];
	first = parse_args(ps, argc, argv, "");
	for (i = (size_t)first; i < (size_t)argc; i++)
		o->operands[nops++] = argv[i];
	return nops;
}

/* -a files come first, as GNU parallel reads them. */
static void
prepend_arg_files(struct parse_state *ps)
{
	struct options *o = ps->o;
	struct group *old = o->groups;
	size_t nold = o->ngroups, i;

	if (!ps->nargfiles)
		return;
	o->groups = NULL;
	o->ngroups = 0;
	for (i = 0; i < ps->nargfiles; i++)
		add_group(o)->path = ps->argfiles[i];
	for (i = 0; i < nold; i++)
		*add_group(o) = old[i];
	free(old);
	free(ps->argfiles);
}

/* {= perl =} in the command or --tagstring: refused, not run as text. */
static void
check_perl(const struct options *o)
{
	struct buf text = BUF_INIT;
	size_t i;

	for (i = 0; i < o->task.ncommand; i++) {
		buf_addstr(&text, o->task.command[i]);
		buf_addch(&text, ' ');
	}
	if ((text.data && template_has_perl(text.data)) ||
	    (o->task.tagstring && template_has_perl(o->task.tagstring)))
		optval_error("%s", TEMPLATE_PERL_REFUSED);
	buf_release(&text);
}

/* The options of remote hosts (SPEC section 8) that go together. */
static void
check_remote(const struct options *o)
{
	bool hosts =
	    o->sshlogins.n || o->slf || o->slurm_hosts || o->task_hosts.n;

	if (o->onall && o->nonall)
		optval_error("--onall and --nonall cannot be combined");
	if (o->srun && hosts)
		optval_error("--srun runs jobs as Slurm steps, -S, --slf and "
			     "--slurm over SSH: choose one");
	if (o->srun && o->hostgroups)
		optval_error("--hostgroups chooses among the hosts of -S and "
			     "--slf: not with --srun");
	/* Remote jobs' stdin is /dev/null: a block would be lost. */
	if ((o->pipe || o->pipe_part) && hosts)
		optval_error("--%s with remote hosts is not supported yet",
		    o->pipe ? "pipe" : "pipe-part");
	if ((o->onall || o->nonall) && !hosts)
		optval_error("--%s needs hosts: -S, --slf or --slurm",
		    o->onall ? "onall" : "nonall");
	if ((o->onall || o->nonall) && (o->workflow || o->retry_failed))
		optval_error("--%s cannot be combined with %s",
		    o->onall ? "onall" : "nonall",
		    o->workflow ? "-f" : "--retry-failed");
	if ((o->transfer || o->returns.n || o->cleanup || o->basefiles.n) &&
	    !hosts)
		optval_error("--%s copies files to and from hosts: it needs "
			     "-S, --slf or --slurm",
		    o->transfer	       ? "transfer"
			: o->returns.n ? "return"
			: o->cleanup   ? "cleanup"
				       : "basefile");
}

/* Usage errors of --pipe and --pipe-part. */
static void
check_pipe(const struct options *o)
{
	size_t i;

	if (o->pipe && o->pipe_part)
		optval_error("--pipe cannot be combined with --pipe-part");
	if (o->cat && o->fifo)
		optval_error("--cat cannot be combined with --fifo");
	if (o->round_robin && (o->cat || o->fifo))
		optval_error("--round-robin cannot be combined with --%s",
		    o->cat ? "cat" : "fifo");
	if (o->round_robin && options_is_set(o, OPT_RETRIES))
		optval_error("--round-robin cannot be combined with --retries: "
			     "a job's blocks are not kept");
	if (o->block_size < 0 && !o->pipe_part)
		optval_error("--block %lld: a negative size needs --pipe-part",
		    o->block_size);
	if (!o->pipe && !o->pipe_part) {
		if (o->recstart || o->recend || o->regexp || o->block_given ||
		    o->remove_rec_sep || o->block_timeout > 0)
			optval_error("--%s needs --pipe or --pipe-part",
			    o->block_given	    ? "block"
				: o->regexp	    ? "regexp"
				: o->recend	    ? "recend"
				: o->recstart	    ? "recstart"
				: o->remove_rec_sep ? "remove-rec-sep"
						    : "block-timeout");
		return;
	}
	if (o->pipe_part && o->remove_rec_sep)
		optval_error("--remove-rec-sep cannot be combined with "
			     "--pipe-part: the jobs read the file, fanout "
			     "does not see the records");
	for (i = 0; i < o->ngroups; i++)
		if (!o->groups[i].path)
			optval_error("--pipe%s reads %s, not ::: values",
			    o->pipe ? "" : "-part",
			    o->pipe ? "standard input" : "the -a file");
	if (o->ngroups > 1)
		optval_error("--pipe%s reads one file", o->pipe ? "" : "-part");
	if (o->pipe_part && o->ngroups == 0)
		optval_error(
		    "--pipe-part needs -a FILE, a file it can seek in");
	if (o->pipe_part && options_is_set(o, OPT_MAX_ARGS))
		optval_error("--pipe-part cannot be combined with %s: "
			     "it does not count records",
		    o->max_args_name);
	if (o->workflow)
		optval_error("-f cannot be combined with --pipe");
}

void
options_check(const struct options *o)
{
	check_perl(o);
	check_pipe(o);
	if (o->quote && o->task.ncommand == 0 && !o->workflow)
		optval_error("-q needs a command");
	if ((o->resume || o->resume_failed || o->retry_failed) && !o->joblog)
		optval_error("--%s needs --joblog",
		    o->resume		   ? "resume"
			: o->resume_failed ? "resume-failed"
					   : "retry-failed");
	if (o->json && o->output != OUTPUT_GROUP)
		optval_error("--json cannot be combined with --lb or -u");
	if (o->files && (o->json || o->output == OUTPUT_UNGROUP))
		optval_error("--files cannot be combined with %s",
		    o->json ? "--json" : "-u");
	if (o->results && o->output == OUTPUT_UNGROUP)
		optval_error("--results cannot be combined with -u: "
			     "fanout does not see the output");
	if (o->check && !o->workflow)
		optval_error("--check needs -f FILE");
	if (options_is_set(o, OPT_SRUN_CPUS) && !o->srun && !o->workflow)
		optval_error("--srun-cpus needs --srun");
	if (o->workflow && (o->ngroups || o->retry_failed))
		optval_error("-f cannot be combined with %s",
		    o->retry_failed ? "--retry-failed" : "-a");
	check_remote(o);
}

/* --show-limits: GNU parallel's text; the run goes on after it. */
static void
show_limits(const struct options *o)
{
	printf("Maximal size of command: %zu\n"
	       "Maximal usable size of command: %zu\n\n"
	       "Execution will continue now, and it will try to read its "
	       "input\nand run commands; if this is not what you wanted to "
	       "happen, please\npress CTRL-D or CTRL-C\n",
	    util_command_max(),
	    o->max_chars ? o->max_chars : util_command_usable());
	if (fflush(stdout) != 0 || ferror(stdout))
		fatal("cannot write --show-limits");
}

/* What options imply for others the user left alone (GNU parallel). */
static void
imply(struct options *o)
{
	/* --header splits its names, and so the items, at tabs (GNU). */
	if (o->header && !o->colsep && !o->pipe && !o->pipe_part) {
		o->colsep = "\t";
		o->colsep_from_header = true;
	}
	/* --tty: one job at a time, straight to the terminal, unless set. */
	if (o->tty && !options_is_set(o, OPT_JOBS) && !o->jobs_spec)
		o->jobs_spec = "1";
	if (o->tty && !options_is_set(o, OPT_OUTPUT))
		o->output = OUTPUT_UNGROUP;
	/* --shell-quote prints the commands, as --dry-run does (GNU). */
	if (o->shell_quote)
		o->dry_run = true;
}

void
options_parse(struct options *o, int argc, char **argv)
{
	struct parse_state ps = {o, NULL, 0};
	size_t nops;

	options_init(o);
	nops = parse_env_and_argv(&ps, argc, argv);
	parse_operands(o, (int)nops, o->operands);
	prepend_arg_files(&ps);
	/* As in GNU parallel, --cat, --fifo and --round-robin imply --pipe;
	 * --pipe-part --round-robin is a block a slot. */
	if ((o->cat || o->fifo || o->round_robin) && !o->pipe_part)
		o->pipe = true;
	if (o->round_robin && o->pipe_part)
		o->block_size = -1;
	imply(o);
	/* A workflow file may give what the checks look for: after it. */
	if (!o->workflow || o->ngroups || o->retry_failed)
		options_check(o);
	if (o->show_limits)
		show_limits(o);
	/*
	 * --nice: jobs inherit fanout's niceness. Without privilege only a
	 * higher one can be had: a lower one is no error (GNU parallel).
	 */
	if (o->nice_set)
		(void)setpriority(PRIO_PROCESS, 0, o->nice);
}

bool
options_is_set(const struct options *o, enum option_id id)
{
	if (id <= OPT_NONE || id >= OPT_COUNT)
		BUG("no setting %d", (int)id);
	return (o->given >> id) & 1;
}

void
options_override_task(const struct options *o, struct task_settings *t)
{
	if (options_is_set(o, OPT_TAGSTRING))
		t->tagstring = o->task.tagstring;
	if (options_is_set(o, OPT_TIMEOUT)) {
		t->timeout = o->task.timeout;
		t->timeout_percent = o->task.timeout_percent;
	}
	if (options_is_set(o, OPT_RETRIES))
		t->retries = o->task.retries;
}

void
options_release(struct options *o)
{
	char **w;

	for (w = o->env_words; w && *w; w++)
		free(*w);
	free(o->env_words);
	free(o->operands);
	o->env_words = o->operands = NULL;
	free(o->groups);
	o->groups = NULL;
	o->ngroups = 0;
	free(o->sshlogins.v);
	free(o->env_names.v);
	free(o->returns.v);
	free(o->basefiles.v);
	free(o->task_hosts.v);
	memset(&o->sshlogins, 0, sizeof o->sshlogins);
	memset(&o->env_names, 0, sizeof o->env_names);
	memset(&o->returns, 0, sizeof o->returns);
	memset(&o->basefiles, 0, sizeof o->basefiles);
	memset(&o->task_hosts, 0, sizeof o->task_hosts);
}
