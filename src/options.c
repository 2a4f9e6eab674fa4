/*
 * The command line (and $PARALLEL) into run-wide settings and the one
 * task's settings, remembering which the user set; --help.
 */
#include <ctype.h>
#include <getopt.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "options.h"
#include "optval.h"
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
    set_workflow, set_block, set_recstart, set_recend, set_header, show_help,
    show_version;

#define FLAG(field) offsetof(struct options, field)
#define NOPTIONS (sizeof long_options / sizeof *long_options)
/* getopt_long's value for long_options[i] without a letter: LONG_ONLY + i */
#define LONG_ONLY 256

static const char short_options[] = "+:j:kuva:0d:rN:I:qf:hV";

/*
 * Every option, one a line: tests/70-docs.bats reads this table too.
 * getopt_table() makes getopt_long's table of it.
 */
/* clang-format off */
static const struct optdef long_options[] = {
	{ "jobs", required_argument, 'j', OPT_JOBS, set_jobs, 0 },
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
	    set_max_args, 0 },
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
	{ "header", required_argument, 0, OPT_HEADER, set_header, 0 },
	{ "file", required_argument, 'f', OPT_WORKFLOW, set_workflow, 0 },
	{ "check", no_argument, 0, OPT_CHECK, set_flag, FLAG(check) },
	{ "help", no_argument, 'h', OPT_NONE, show_help, 0 },
	{ "version", no_argument, 'V', OPT_NONE, show_version, 0 },
	{ "will-cite", no_argument, 0, OPT_NONE, set_nothing, 0 },
	{ "no-notice", no_argument, 0, OPT_NONE, set_nothing, 0 },
	{ "bibtex", no_argument, 0, OPT_NONE, set_nothing, 0 },
	{ NULL, 0, 0, OPT_NONE, NULL, 0 }
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
    "  -N, --max-replace-args N  N items per job, as {1}..{N}\n"
    "\n"
    "Command:\n"
    "  {} {.} {/} {//} {/.} {#} {%} {N} {N.} {N/} {N//} {N/.}  replacement "
    "strings\n"
    "  -I, --replace STR      use STR instead of {}\n"
    "  -q, --quote            quote the command's own words too\n"
    "      --shell PATH       shell for commands that need one (default "
    "/bin/sh)\n"
    "\n"
    "Scheduling:\n"
    "  -j, --jobs N|FILE      N at once; N%, +N, -N of the CPUs; 0 = no "
    "limit;\n"
    "                         FILE holds N, read again as jobs end\n"
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
    "      --bar, --progress, --eta  progress on stderr\n"
    "      --memfree SIZE     start no job while less memory is available\n"
    "\n";

/* The rest of --help: a string literal longer than 4095 is not C11. */
static const char usage_more[] =
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
    "      --header REGEX     with --pipe: the header, given to every job\n"
    "                         (: is one line, N is N lines)\n"
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

static void
set_jobs(struct parse_state *ps, const struct optdef *d, char *arg)
{
	(void)d;
	optval_jobs(ps->o, arg);
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
	(void)d;
	ps->o->delimiter = optval_delimiter(arg);
}

static void
set_colsep(struct parse_state *ps, const struct optdef *d, char *arg)
{
	(void)d;
	if (!*arg)
		optval_error("--colsep: the separator is empty");
	ps->o->colsep = arg;
}

static void
set_max_args(struct parse_state *ps, const struct optdef *d, char *arg)
{
	(void)d;
	ps->o->max_args = optval_count("-N", arg, 0);
	ps->o->no_args = ps->o->max_args == 0;
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
	(void)d;
	optval_delay(ps->o, arg);
}

static void
set_timeout(struct parse_state *ps, const struct optdef *d, char *arg)
{
	(void)d;
	optval_timeout(&ps->o->task, arg);
}

static void
set_termseq(struct parse_state *ps, const struct optdef *d, char *arg)
{
	(void)d;
	optval_termseq(&ps->o->termseq, arg);
}

/* --retries 0 means the same as 1: one run. */
static void
set_retries(struct parse_state *ps, const struct optdef *d, char *arg)
{
	unsigned n = (unsigned)optval_count("--retries", arg, 0);

	(void)d;
	ps->o->task.retries = n ? n : 1;
}

static void
set_halt(struct parse_state *ps, const struct optdef *d, char *arg)
{
	(void)d;
	optval_halt(&ps->o->halt, arg);
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
	(void)d;
	ps->o->memfree = optval_memfree(arg);
}

static void
set_block(struct parse_state *ps, const struct optdef *d, char *arg)
{
	(void)d;
	ps->o->block_size = optval_block_size(arg);
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

static void
set_header(struct parse_state *ps, const struct optdef *d, char *arg)
{
	(void)d;
	if (!*arg)
		optval_error("--header: the pattern is empty");
	ps->o->header = arg;
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
	print_and_exit("--help", "%s%s", usage_text, usage_more);
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
	size_t i;

	for (i = 0; i < NOPTIONS; i++) {
		d = &long_options[i];
		if (d->letter && !strchr(short_options, d->letter))
			BUG("-%c is not in short_options", d->letter);
		lo[i].name = d->name;
		lo[i].has_arg = d->has_arg;
		lo[i].flag = NULL;
		lo[i].val = d->letter ? d->letter : LONG_ONLY + (int)i;
	}
}

/* The entry of long_options that getopt_long's value c stands for. */
static const struct optdef *
find_option(int c)
{
	const struct optdef *d;

	if (c >= LONG_ONLY && c < LONG_ONLY + (int)NOPTIONS - 1)
		return &long_options[c - LONG_ONLY];
	for (d = long_options; d->name; d++)
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

static int
separator_kind(const char *w)
{
	if (strcmp(w, ":::") == 0)
		return 1;
	if (strcmp(w, ":::+") == 0)
		return 2;
	if (strcmp(w, "::::") == 0)
		return 3;
	if (strcmp(w, "::::+") == 0)
		return 4;
	return 0;
}

/* Split the words after the options into the command and the groups. */
static void
parse_operands(struct options *o, int argc, char **argv)
{
	int i = 0, kind;

	if (o->workflow) {
		/* -f FILE TASK...: the words are the tasks to run. */
		for (i = 0; i < argc; i++)
			if (separator_kind(argv[i]))
				optval_error("-f takes task names, not '%s': "
					     "a workflow's tasks say what they "
					     "run over",
				    argv[i]);
		o->tasks = argv;
		o->ntasks = (size_t)argc;
		return;
	}
	while (i < argc && !separator_kind(argv[i]))
		i++;
	o->task.command = argv;
	o->task.ncommand = (size_t)i;
	while (i < argc) {
		kind = separator_kind(argv[i++]);
		if (kind == 1 || kind == 2) {
			struct group *g = add_group(o);

			g->linked = kind == 2;
			g->values = &argv[i];
			while (i < argc && !separator_kind(argv[i]))
				i++;
			g->nvalues = (size_t)(&argv[i] - g->values);
		} else {
			if (i >= argc || separator_kind(argv[i]))
				optval_error("'%s' needs a file name",
				    kind == 3 ? "::::" : "::::+");
			/*
			 * As in GNU parallel, every file after ::::+ links
			 * to the group before it: ::::+ f1 f2 pairs f1 and f2
			 * with each other and with the group before.
			 */
			while (i < argc && !separator_kind(argv[i])) {
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
	optval_termseq_default(&o->termseq);
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
		/* NEEDSWORK: --header for ::: and :::: input (its other
		 * meaning in GNU parallel) is refused for now. */
		if (o->recstart || o->recend || o->regexp || o->block_given ||
		    o->header)
			optval_error("--%s needs --pipe or --pipe-part",
			    o->block_given    ? "block"
				: o->regexp   ? "regexp"
				: o->recend   ? "recend"
				: o->recstart ? "recstart"
					      : "header");
		return;
	}
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
		optval_error("--pipe-part cannot be combined with -N: "
			     "it does not count records");
	if (o->workflow)
		optval_error("-f cannot be combined with --pipe");
}

void
options_check(const struct options *o)
{
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
	if (o->results && o->output == OUTPUT_UNGROUP)
		optval_error("--results cannot be combined with -u: "
			     "fanout does not see the output");
	if (o->check && !o->workflow)
		optval_error("--check needs -f FILE");
	if (o->workflow && (o->ngroups || o->retry_failed))
		optval_error("-f cannot be combined with %s",
		    o->retry_failed ? "--retry-failed" : "-a");
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
	/* A workflow file may give what the checks look for: after it. */
	if (!o->workflow || o->ngroups || o->retry_failed)
		options_check(o);
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
}
