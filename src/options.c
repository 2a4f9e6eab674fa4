#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"
#include "options.h"
#include "util.h"
#include "xalloc.h"

#ifndef FANOUT_VERSION
#define FANOUT_VERSION "0.1.0"
#endif

enum {
	OPT_GROUP = 256,
	OPT_LINE_BUFFER,
	OPT_TAG,
	OPT_TAGSTRING,
	OPT_DRY_RUN,
	OPT_COLSEP,
	OPT_SHELL,
	OPT_LINK,
	OPT_DELAY,
	OPT_TIMEOUT,
	OPT_TERMSEQ,
	OPT_RETRIES,
	OPT_HALT,
	OPT_JOBLOG,
	OPT_RESUME,
	OPT_RESUME_FAILED,
	OPT_RETRY_FAILED,
	OPT_RESULTS,
	OPT_JSON,
	OPT_BAR,
	OPT_PROGRESS,
	OPT_ETA,
	OPT_MEMFREE,
	OPT_IGNORED,
};

static const char short_options[] = "+:j:kuva:0d:rN:I:qhV";

/* One option a line: tests/70-docs.bats reads this table too. */
/* clang-format off */
static const struct option long_options[] = {
	{ "jobs", required_argument, NULL, 'j' },
	{ "keep-order", no_argument, NULL, 'k' },
	{ "group", no_argument, NULL, OPT_GROUP },
	{ "line-buffer", no_argument, NULL, OPT_LINE_BUFFER },
	{ "lb", no_argument, NULL, OPT_LINE_BUFFER },
	{ "ungroup", no_argument, NULL, 'u' },
	{ "tag", no_argument, NULL, OPT_TAG },
	{ "tagstring", required_argument, NULL, OPT_TAGSTRING },
	{ "verbose", no_argument, NULL, 'v' },
	{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
	{ "arg-file", required_argument, NULL, 'a' },
	{ "null", no_argument, NULL, '0' },
	{ "delimiter", required_argument, NULL, 'd' },
	{ "colsep", required_argument, NULL, OPT_COLSEP },
	{ "no-run-if-empty", no_argument, NULL, 'r' },
	{ "max-replace-args", required_argument, NULL, 'N' },
	{ "replace", required_argument, NULL, 'I' },
	{ "quote", no_argument, NULL, 'q' },
	{ "shell", required_argument, NULL, OPT_SHELL },
	{ "link", no_argument, NULL, OPT_LINK },
	{ "delay", required_argument, NULL, OPT_DELAY },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "termseq", required_argument, NULL, OPT_TERMSEQ },
	{ "retries", required_argument, NULL, OPT_RETRIES },
	{ "halt", required_argument, NULL, OPT_HALT },
	{ "joblog", required_argument, NULL, OPT_JOBLOG },
	{ "resume", no_argument, NULL, OPT_RESUME },
	{ "resume-failed", no_argument, NULL, OPT_RESUME_FAILED },
	{ "retry-failed", no_argument, NULL, OPT_RETRY_FAILED },
	{ "results", required_argument, NULL, OPT_RESULTS },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "bar", no_argument, NULL, OPT_BAR },
	{ "progress", no_argument, NULL, OPT_PROGRESS },
	{ "eta", no_argument, NULL, OPT_ETA },
	{ "memfree", required_argument, NULL, OPT_MEMFREE },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ "will-cite", no_argument, NULL, OPT_IGNORED },
	{ "no-notice", no_argument, NULL, OPT_IGNORED },
	{ "bibtex", no_argument, NULL, OPT_IGNORED },
	{ NULL, 0, NULL, 0 }
};
/* clang-format on */

static const char usage_text[] =
    "usage: fanout [OPTIONS] COMMAND [ARG...] [::: VALUE...]... [:::: "
    "FILE...]...\n"
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

static void __attribute__((noreturn)) usage_error(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

static void
usage_error(const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	fatalx("%s (see 'fanout --help')", msg);
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

static unsigned long
parse_count(const char *opt, const char *s, unsigned long min)
{
	char *end;
	unsigned long v;

	errno = 0;
	if (!isdigit((unsigned char)*s))
		usage_error("%s: '%s' is not a whole number", opt, s);
	v = strtoul(s, &end, 10);
	if (*end)
		usage_error("%s: '%s' is not a whole number", opt, s);
	if (errno || v > INT_MAX)
		usage_error(
		    "%s: '%s' is too large (at most %d)", opt, s, INT_MAX);
	if (v < min)
		usage_error("%s: '%s' must be at least %lu", opt, s, min);
	return v;
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

/* -j N, N%, +N, -N, or a file that holds one of these (GNU parallel). */
static void
check_jobs(struct options *o, const char *s)
{
	long ncpu = util_ncpu(), n = util_jobs_from_spec(s, ncpu);
	struct stat st;

	o->jobs_spec = s;
	o->jobs_file = NULL;
	if (n == -1 && stat(s, &st) == 0 && S_ISREG(st.st_mode)) {
		o->jobs_spec = NULL;
		o->jobs_file = s;
		if ((n = options_jobs_from_file(s)) == -4)
			fatal("-j: cannot read '%s'", s);
		if (n == -1)
			usage_error("-j: the file '%s' does not hold a number "
				    "of jobs (N, N%%, +N or -N)",
			    s);
	}
	switch (n) {
	case -1:
		usage_error("-j: '%s' is not a number of jobs "
			    "(N, N%%, +N or -N, or a file holding one)",
		    s);
	case -2:
		usage_error(
		    "-j: '%s' leaves no job to run on %ld CPUs", s, ncpu);
	case -3:
		usage_error("-j: '%s' is too many jobs (at most %d; 0 runs as "
			    "many as the system allows)",
		    s, UTIL_JOBS_MAX);
	}
}

static int
parse_delimiter(const char *s)
{
	int c;

	if (s[0] == '\\' && s[1]) {
		switch (s[1]) {
		case 'n':
			c = '\n';
			break;
		case 't':
			c = '\t';
			break;
		case 'r':
			c = '\r';
			break;
		case '0':
			c = '\0';
			break;
		case '\\':
			c = '\\';
			break;
		case 'x':
			if (isxdigit((unsigned char)s[2]) &&
			    isxdigit((unsigned char)s[3]) && s[4] == '\0')
				return (int)strtol(s + 2, NULL, 16);
			c = -1;
			break;
		default:
			c = -1;
			break;
		}
		if (c >= 0 && s[2] == '\0')
			return c;
		usage_error("-d: '%s' is not one of the escapes \\n, \\t, "
			    "\\r, \\0, \\\\, \\xHH",
		    s);
	} else if (s[0] && s[1] == '\0') {
		return (unsigned char)s[0];
	}
	usage_error("-d: '%s' is %zu bytes: -d takes one byte (or \\n, \\t, "
		    "\\0, \\xHH)",
	    s, strlen(s));
}

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

static void
parse_halt(struct halt *h, const char *s)
{
	const char *p;
	char *end;
	double v;

	memset(h, 0, sizeof *h);
	if (strcmp(s, "never") == 0 || strcmp(s, "0") == 0) {
		h->when = HALT_NEVER;
		return;
	}
	/* GNU parallel's old numeric forms. */
	if (strcmp(s, "1") == 0 || strcmp(s, "2") == 0 ||
	    strcmp(s, "-1") == 0 || strcmp(s, "-2") == 0) {
		h->when = (s[strlen(s) - 1] == '1') ? HALT_SOON : HALT_NOW;
		h->what = s[0] == '-' ? HALT_SUCCESS : HALT_FAIL;
		h->value = 1;
		return;
	}
	if (strncmp(s, "now,", 4) == 0) {
		h->when = HALT_NOW;
		p = s + 4;
	} else if (strncmp(s, "soon,", 5) == 0) {
		h->when = HALT_SOON;
		p = s + 5;
	} else {
		goto bad;
	}
	if (strncmp(p, "fail=", 5) == 0) {
		h->what = HALT_FAIL;
		p += 5;
	} else if (strncmp(p, "success=", 8) == 0) {
		h->what = HALT_SUCCESS;
		p += 8;
	} else if (strncmp(p, "done=", 5) == 0) {
		h->what = HALT_DONE;
		p += 5;
	} else {
		goto bad;
	}
	if ((v = util_strtod_plain(p, &end)) < 0)
		goto bad;
	if (*end == '%') {
		h->percent = true;
		end++;
		if (v <= 0 || v > 100)
			goto bad;
	} else if (v < 1 || v != floor(v)) {
		goto bad;
	}
	if (*end)
		goto bad;
	h->value = v;
	return;
bad:
	usage_error("--halt: '%s' is not never or now|soon,fail|success|done=N "
		    "(N a count or a percentage)",
	    s);
}

static void
parse_termseq(struct termseq *t, const char *s)
{
	char *copy = xstrdup(s), *tok, *save = NULL;
	bool want_sig = true;
	int sig;

	t->n = 0;
	for (tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (want_sig) {
			if (t->n == TERMSEQ_MAX)
				usage_error("--termseq: more than %d signals",
				    TERMSEQ_MAX);
			if ((sig = util_signal_number(tok)) <= 0)
				usage_error(
				    "--termseq: '%s' is not a signal", tok);
			t->sig[t->n] = sig;
			t->ms[t->n++] = 0;
		} else {
			char *end;
			long ms;

			errno = 0;
			ms = strtol(tok, &end, 10);
			if (*end || end == tok || ms < 0)
				usage_error("--termseq: '%s' is not a number "
					    "of milliseconds",
				    tok);
			if (errno || ms > TERMSEQ_MS_MAX)
				usage_error("--termseq: '%s' is too long (at "
					    "most %d ms, a day)",
				    tok, TERMSEQ_MS_MAX);
			t->ms[t->n - 1] = (int)ms;
		}
		want_sig = !want_sig;
	}
	free(copy);
	if (t->n == 0)
		usage_error("--termseq: '%s' names no signal", s);
}

static void
set_default_termseq(struct termseq *t)
{
	static const int sig[] = {SIGTERM, SIGTERM, SIGTERM, SIGKILL};
	static const int ms[] = {200, 100, 50, 25};

	for (t->n = 0; t->n < 4; t->n++) {
		t->sig[t->n] = sig[t->n];
		t->ms[t->n] = ms[t->n];
	}
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

	while (i < argc && !separator_kind(argv[i]))
		i++;
	o->command = argv;
	o->ncommand = (size_t)i;
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
				usage_error("'%s' needs a file name",
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

/* --delay SECS, or SECSauto: longer after a failure, shorter after a success */
static void
parse_delay(struct options *o, const char *arg)
{
	size_t len = strlen(arg);
	char *copy = xstrdup(arg);

	o->delay_auto = len > 4 && strcmp(arg + len - 4, "auto") == 0;
	if (o->delay_auto)
		copy[len - 4] = '\0';
	if ((o->delay = options_parse_duration(copy, false)) < 0)
		usage_error("--delay: '%s' is not a duration (seconds, or "
			    "1.5s, 5m, 1h; 'auto' after it adapts it)",
		    arg);
	free(copy);
}

/* --timeout SECS or N% (of the median runtime). */
static void
parse_timeout(struct options *o, const char *arg)
{
	size_t len = strlen(arg);
	char *end;
	double d;

	o->timeout_percent = len > 1 && arg[len - 1] == '%';
	if (o->timeout_percent) {
		d = util_strtod_plain(arg, &end);
		if (end != arg + len - 1 || !(d > 0))
			d = -1;
	} else if ((d = options_parse_duration(arg, false)) == 0) {
		d = -1;
	}
	if (d < 0)
		usage_error(
		    "--timeout: '%s' is not a duration or a percentage", arg);
	o->timeout = d;
}

/* What the options of both $PARALLEL and the command line add up to. */
struct parse_state {
	const char **argfiles; /* -a */
	size_t nargfiles;
};

/* Apply an option of scheduling, records or help, c, with its value arg. */
static void
set_run_option(struct options *o, int c, const char *arg)
{
	switch (c) {
	case OPT_DELAY:
		parse_delay(o, arg);
		break;
	case OPT_TIMEOUT:
		parse_timeout(o, arg);
		break;
	case OPT_TERMSEQ:
		parse_termseq(&o->termseq, arg);
		break;
	case OPT_RETRIES:
		o->retries = (unsigned)parse_count("--retries", arg, 0);
		if (o->retries == 0)
			o->retries = 1;
		break;
	case OPT_HALT:
		parse_halt(&o->halt, arg);
		break;
	case OPT_JOBLOG:
		if (!*arg || strcmp(arg, "+") == 0)
			usage_error("--joblog needs a file name");
		o->joblog = arg;
		break;
	case OPT_RESUME:
		o->resume = true;
		break;
	case OPT_RESUME_FAILED:
		o->resume_failed = true;
		break;
	case OPT_RETRY_FAILED:
		o->retry_failed = true;
		break;
	case OPT_RESULTS:
		if (!*arg)
			usage_error("--results needs a directory");
		o->results = arg;
		break;
	case OPT_JSON:
		o->json = true;
		break;
	case OPT_BAR:
		o->progress |= 1;
		break;
	case OPT_PROGRESS:
		o->progress |= 2;
		break;
	case OPT_ETA:
		o->progress |= 4;
		break;
	case OPT_MEMFREE:
		if ((o->memfree = util_parse_size(arg)) == -2)
			usage_error("--memfree: '%s' is more memory "
				    "than a machine has",
			    arg);
		if (o->memfree < 0)
			usage_error("--memfree: '%s' is not a size "
				    "(like 1G, 500M)",
			    arg);
		break;
	case OPT_IGNORED:
		break;
	case 'h':
		print_and_exit("--help", "%s", usage_text);
	case 'V':
		print_and_exit("--version", "fanout %s\n", FANOUT_VERSION);
	default:
		BUG("option %d has no case", c);
	}
}

/* Apply option c, with its value arg. */
static void
set_option(struct options *o, struct parse_state *ps, int c, char *arg)
{
	switch (c) {
	case 'j':
		check_jobs(o, arg);
		break;
	case 'k':
		o->keep_order = true;
		break;
	case OPT_GROUP:
		o->output = OUTPUT_GROUP;
		break;
	case OPT_LINE_BUFFER:
		o->output = OUTPUT_LINE;
		break;
	case 'u':
		o->output = OUTPUT_UNGROUP;
		break;
	case OPT_TAG:
		o->tag = true;
		break;
	case OPT_TAGSTRING:
		o->tagstring = arg;
		break;
	case 'v':
		o->verbose = true;
		break;
	case OPT_DRY_RUN:
		o->dry_run = true;
		break;
	case 'a':
		ps->argfiles = xreallocarray(
		    ps->argfiles, ps->nargfiles + 1, sizeof *ps->argfiles);
		ps->argfiles[ps->nargfiles++] = arg;
		break;
	case '0':
		o->delimiter = '\0';
		break;
	case 'd':
		o->delimiter = parse_delimiter(arg);
		break;
	case OPT_COLSEP:
		if (!*arg)
			usage_error("--colsep: the separator is empty");
		o->colsep = arg;
		break;
	case 'r':
		o->skip_empty = true;
		break;
	case 'N':
		o->max_args = parse_count("-N", arg, 0);
		o->no_args = o->max_args == 0;
		break;
	case 'I':
		if (!*arg)
			usage_error("-I: the replacement string is "
				    "empty");
		o->replace = arg;
		break;
	case 'q':
		o->quote = true;
		break;
	case OPT_SHELL:
		o->shell = arg;
		break;
	case OPT_LINK:
		o->link = true;
		break;
	default:
		set_run_option(o, c, arg);
	}
}

/*
 * Apply the options at the start of argv (argv[0] is not one); return the
 * index of the first operand. from names where argv came from.
 */
static int
parse_args(struct options *o, struct parse_state *ps, int argc, char **argv,
    const char *from)
{
	int c;

	optind = 0; /* glibc: start afresh, on a new argv */
	opterr = 0;
	while ((c = getopt_long(
		    argc, argv, short_options, long_options, NULL)) != -1) {
		if (c == ':')
			usage_error("%soption '%s' needs a value", from,
			    argv[optind - 1]);
		if (c == '?' && optopt && optopt < 256)
			usage_error("%sunknown option '-%c'", from, optopt);
		if (c == '?')
			usage_error(
			    "%sunknown option '%s'", from, argv[optind - 1]);
		set_option(o, ps, c, optarg);
	}
	return optind;
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

void
options_parse(struct options *o, int argc, char **argv)
{
	struct parse_state ps = {NULL, 0};
	const char *env = getenv("PARALLEL");
	char **words;
	size_t nwords = 1, nops = 0, i;
	struct group *old;
	size_t nold;
	int first;

	memset(o, 0, sizeof *o);
	o->delimiter = '\n';
	o->retries = 1;
	set_default_termseq(&o->termseq);

	/*
	 * $PARALLEL's options come before the command line's, its other
	 * words before the command line's command (GNU parallel).
	 */
	words = xcalloc(2, sizeof *words);
	words[0] = xstrdup(argv[0]);
	if (env)
		split_env_words(env, &words, &nwords);
	o->env_words = words;
	first = parse_args(o, &ps, (int)nwords, words, "$PARALLEL: ");
	o->operands = xcalloc(
	    nwords - (size_t)first + (size_t)argc + 1, sizeof *o->operands);
	for (i = (size_t)first; i < nwords; i++)
		o->operands[nops++] = words[i];
	first = parse_args(o, &ps, argc, argv, "");
	for (i = (size_t)first; i < (size_t)argc; i++)
		o->operands[nops++] = argv[i];
	parse_operands(o, (int)nops, o->operands);

	/* -a files come first, as GNU parallel reads them. */
	if (ps.nargfiles) {
		old = o->groups;
		nold = o->ngroups;
		o->groups = NULL;
		o->ngroups = 0;
		for (i = 0; i < ps.nargfiles; i++)
			add_group(o)->path = ps.argfiles[i];
		for (i = 0; i < nold; i++)
			*add_group(o) = old[i];
		free(old);
		free(ps.argfiles);
	}
	if (o->quote && o->ncommand == 0)
		usage_error("-q needs a command");
	if ((o->resume || o->resume_failed || o->retry_failed) && !o->joblog)
		usage_error("--%s needs --joblog",
		    o->resume		   ? "resume"
			: o->resume_failed ? "resume-failed"
					   : "retry-failed");
	if (o->json && o->output != OUTPUT_GROUP)
		usage_error("--json cannot be combined with --lb or -u");
	if (o->results && o->output == OUTPUT_UNGROUP)
		usage_error("--results cannot be combined with -u: "
			    "fanout does not see the output");
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
