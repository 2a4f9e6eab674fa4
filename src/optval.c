/* The values of fanout's options, read into settings. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "optval.h"
#include "util.h"
#include "xalloc.h"

static void
vformat(struct optval_err *e, const char *fmt, va_list ap)
{
	unsigned char *p;

	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	/* A value's newline must not make the message two lines. */
	for (p = (unsigned char *)e->msg; *p; p++)
		if (*p < ' ' || *p == 0x7f)
			*p = '?';
}

/* A usage error in e: -1. */
static int __attribute__((format(printf, 2, 3)))
refuse(struct optval_err *e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vformat(e, fmt, ap);
	va_end(ap);
	e->errnum = 0;
	return -1;
}

void
optval_fail(const struct optval_err *e)
{
	if (e->errnum) {
		errno = e->errnum;
		fatal("%s", e->msg);
	}
	fatalx("%s (see 'fanout --help')", e->msg);
}

void
optval_error(const char *fmt, ...)
{
	struct optval_err e;
	va_list ap;

	va_start(ap, fmt);
	vformat(&e, fmt, ap);
	va_end(ap);
	e.errnum = 0;
	optval_fail(&e);
}

int
optval_count(const char *opt, const char *s, unsigned long min,
    unsigned long *v, struct optval_err *e)
{
	char *end;

	errno = 0;
	if (!isdigit((unsigned char)*s))
		return refuse(e, "%s: '%s' is not a whole number", opt, s);
	*v = strtoul(s, &end, 10);
	if (*end)
		return refuse(e, "%s: '%s' is not a whole number", opt, s);
	if (errno || *v > INT_MAX)
		return refuse(
		    e, "%s: '%s' is too large (at most %d)", opt, s, INT_MAX);
	if (*v < min)
		return refuse(e, "%s: '%s' must be at least %lu", opt, s, min);
	return 0;
}

/* GNU parallel reads the file again as jobs end. */
int
optval_jobs(struct options *o, const char *s, struct optval_err *e)
{
	long ncpu = util_ncpu(), n = util_jobs_from_spec(s, ncpu);
	struct stat st;

	o->jobs_spec = s;
	o->jobs_file = NULL;
	if (n == -1 && stat(s, &st) == 0 && S_ISREG(st.st_mode)) {
		o->jobs_spec = NULL;
		o->jobs_file = s;
		if ((n = options_jobs_from_file(s)) == -4) {
			int errnum = errno ? errno : EIO;

			refuse(e, "-j: cannot read '%s'", s);
			e->errnum = errnum;
			return -1;
		}
		if (n == -1)
			return refuse(e,
			    "-j: the file '%s' does not hold a number "
			    "of jobs (N, N%%, +N or -N)",
			    s);
	}
	switch (n) {
	case -1:
		return refuse(e,
		    "-j: '%s' is not a number of jobs "
		    "(N, N%%, +N or -N, or a file holding one)",
		    s);
	case -2:
		return refuse(
		    e, "-j: '%s' leaves no job to run on %ld CPUs", s, ncpu);
	case -3:
		return refuse(e,
		    "-j: '%s' is too many jobs (at most %d; 0 runs as "
		    "many as the system allows)",
		    s, UTIL_JOBS_MAX);
	}
	return 0;
}

/* The byte of -d's escape \C, or -1. */
static int
escape(const char *s)
{
	switch (s[0]) {
	case 'n':
		return s[1] ? -1 : '\n';
	case 't':
		return s[1] ? -1 : '\t';
	case 'r':
		return s[1] ? -1 : '\r';
	case '0':
		return s[1] ? -1 : '\0';
	case '\\':
		return s[1] ? -1 : '\\';
	case 'x':
		if (isxdigit((unsigned char)s[1]) &&
		    isxdigit((unsigned char)s[2]) && s[3] == '\0')
			return (int)strtol(s + 1, NULL, 16);
		return -1;
	default:
		return -1;
	}
}

int
optval_delimiter(const char *s, int *c, struct optval_err *e)
{
	if (s[0] == '\\' && s[1]) {
		if ((*c = escape(s + 1)) >= 0)
			return 0;
		return refuse(e,
		    "-d: '%s' is not one of the escapes \\n, \\t, "
		    "\\r, \\0, \\\\, \\xHH",
		    s);
	} else if (s[0] && s[1] == '\0') {
		*c = (unsigned char)s[0];
		return 0;
	}
	return refuse(e,
	    "-d: '%s' is %zu bytes: -d takes one byte (or \\n, \\t, "
	    "\\0, \\xHH)",
	    s, strlen(s));
}

/* --halt's now|soon,fail|success|done=N[%], into h: -1 if it is not. */
static int
halt_spec(struct halt *h, const char *s)
{
	const char *p;
	char *end;
	double v;

	if (strncmp(s, "now,", 4) == 0) {
		h->when = HALT_NOW;
		p = s + 4;
	} else if (strncmp(s, "soon,", 5) == 0) {
		h->when = HALT_SOON;
		p = s + 5;
	} else {
		return -1;
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
		return -1;
	}
	if ((v = util_strtod_plain(p, &end)) < 0)
		return -1;
	if (*end == '%') {
		h->percent = true;
		end++;
		if (v <= 0 || v > 100)
			return -1;
	} else if (v < 1 || v != floor(v)) {
		return -1;
	}
	if (*end)
		return -1;
	h->value = v;
	return 0;
}

int
optval_halt(struct halt *h, const char *s, struct optval_err *e)
{
	memset(h, 0, sizeof *h);
	if (strcmp(s, "never") == 0 || strcmp(s, "0") == 0) {
		h->when = HALT_NEVER;
		return 0;
	}
	/* GNU parallel's old numeric forms. */
	if (strcmp(s, "1") == 0 || strcmp(s, "2") == 0 ||
	    strcmp(s, "-1") == 0 || strcmp(s, "-2") == 0) {
		h->when = (s[strlen(s) - 1] == '1') ? HALT_SOON : HALT_NOW;
		h->what = s[0] == '-' ? HALT_SUCCESS : HALT_FAIL;
		h->value = 1;
		return 0;
	}
	if (halt_spec(h, s) == 0)
		return 0;
	return refuse(e,
	    "--halt: '%s' is not never or now|soon,fail|success|done=N "
	    "(N a count or a percentage)",
	    s);
}

/* One of --termseq's words, tok, the signal's when want_sig. */
static int
termseq_word(
    struct termseq *t, const char *tok, bool want_sig, struct optval_err *e)
{
	char *end;
	long ms;
	int sig;

	if (want_sig) {
		if (t->n == TERMSEQ_MAX)
			return refuse(
			    e, "--termseq: more than %d signals", TERMSEQ_MAX);
		if ((sig = util_signal_number(tok)) <= 0)
			return refuse(
			    e, "--termseq: '%s' is not a signal", tok);
		t->sig[t->n] = sig;
		t->ms[t->n++] = 0;
		return 0;
	}
	errno = 0;
	ms = strtol(tok, &end, 10);
	if (*end || end == tok || ms < 0)
		return refuse(
		    e, "--termseq: '%s' is not a number of milliseconds", tok);
	if (errno || ms > TERMSEQ_MS_MAX)
		return refuse(e,
		    "--termseq: '%s' is too long (at most %d ms, a day)", tok,
		    TERMSEQ_MS_MAX);
	t->ms[t->n - 1] = (int)ms;
	return 0;
}

int
optval_termseq(struct termseq *t, const char *s, struct optval_err *e)
{
	char *copy = xstrdup(s), *tok, *save = NULL;
	bool want_sig = true;
	int rc = 0;

	t->n = 0;
	for (tok = strtok_r(copy, ",", &save); tok && rc == 0;
	     tok = strtok_r(NULL, ",", &save)) {
		rc = termseq_word(t, tok, want_sig, e);
		want_sig = !want_sig;
	}
	free(copy);
	if (rc == 0 && t->n == 0)
		return refuse(e, "--termseq: '%s' names no signal", s);
	return rc;
}

void
optval_termseq_default(struct termseq *t)
{
	static const int sig[] = {SIGTERM, SIGTERM, SIGTERM, SIGKILL};
	static const int ms[] = {200, 100, 50, 25};

	for (t->n = 0; t->n < 4; t->n++) {
		t->sig[t->n] = sig[t->n];
		t->ms[t->n] = ms[t->n];
	}
}

int
optval_delay(struct options *o, const char *arg, struct optval_err *e)
{
	size_t len = strlen(arg);
	char *copy = xstrdup(arg);

	o->delay_auto = len > 4 && strcmp(arg + len - 4, "auto") == 0;
	if (o->delay_auto)
		copy[len - 4] = '\0';
	o->delay = options_parse_duration(copy, false);
	free(copy);
	if (o->delay < 0)
		return refuse(e,
		    "--delay: '%s' is not a duration (seconds, or "
		    "1.5s, 5m, 1h; 'auto' after it adapts it)",
		    arg);
	return 0;
}

int
optval_timeout(struct task_settings *t, const char *arg, struct optval_err *e)
{
	size_t len = strlen(arg);
	char *end;
	double d;

	t->timeout_percent = len > 1 && arg[len - 1] == '%';
	if (t->timeout_percent) {
		d = util_strtod_plain(arg, &end);
		if (end != arg + len - 1 || !(d > 0))
			d = -1;
	} else if ((d = options_parse_duration(arg, false)) == 0) {
		d = -1;
	}
	if (d < 0)
		return refuse(e,
		    "--timeout: '%s' is not a duration or a percentage", arg);
	t->timeout = d;
	return 0;
}

int
optval_memfree(const char *arg, long long *v, struct optval_err *e)
{
	*v = util_parse_size(arg);
	if (*v == -2)
		return refuse(e,
		    "--memfree: '%s' is more memory than a machine has", arg);
	if (*v < 0)
		return refuse(
		    e, "--memfree: '%s' is not a size (like 1G, 500M)", arg);
	return 0;
}

int
optval_load(const char *arg, double *v, struct optval_err *e)
{
	long n = util_jobs_from_spec(arg, util_ncpu());
	char *end;

	if (n >= 0) {
		*v = n == 0 ? 0.01 : (double)n;
		return 0;
	}
	*v = util_strtod_plain(arg, &end);
	if (*v < 0 || *end)
		return refuse(e,
		    "--load: '%s' is not a load (N, N%%, +N, -N or a "
		    "decimal)",
		    arg);
	if (*v == 0)
		*v = 0.01;
	return 0;
}

/*
 * A size with GNU parallel's unit prefixes: K M G T P are powers of 1024,
 * k m g t p of 1000, Ki (any case, an i after the letter) of 1024. -1:
 * not a size; -2: too big.
 */
static long long
gnu_size(const char *s)
{
	static const char units[] = "kmgtp";
	const char *u;
	char *end;
	double v, mul = 1;
	int i;

	if ((v = util_strtod_plain(s, &end)) < 0)
		return -1;
	if (*end) {
		if (!(u = strchr(units, tolower((unsigned char)*end))))
			return -1;
		for (i = 0; i <= u - units; i++)
			mul *= isupper((unsigned char)*end) ||
				(end[1] == 'i' || end[1] == 'I')
			    ? 1024
			    : 1000;
		end += 1 + (end[1] == 'i' || end[1] == 'I');
		if (*end)
			return -1;
	}
	if (v * mul > 9e18)
		return -2;
	return (long long)(v * mul);
}

int
optval_block_size(const char *arg, long long *v, struct optval_err *e)
{
	bool neg = arg[0] == '-';

	*v = gnu_size(arg + neg);
	if (*v == -2 || *v > (1LL << 40))
		return refuse(e, "--block: '%s' is more than 1T", arg);
	if (*v <= 0)
		return refuse(e,
		    "--block: '%s' is not a size (like 1M, 64k, "
		    "or -N for --pipe-part)",
		    arg);
	if (neg)
		*v = -*v;
	return 0;
}

int
optval_nice(const char *arg, int *n, struct optval_err *e)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (!*arg || *end || errno || v < -20 || v > 19)
		return refuse(
		    e, "--nice: '%s' is not a niceness (-20 to 19)", arg);
	*n = (int)v;
	return 0;
}

/* A duration above 0 and at most max seconds, in *t. */
static bool
duration_upto(const char *arg, double max, double *t)
{
	*t = options_parse_duration(arg, false);
	return *t > 0 && *t <= max;
}

int
optval_ssh_timeout(const char *arg, double *t, struct optval_err *e)
{
	if (!duration_upto(arg, 86400, t))
		return refuse(e,
		    "--ssh-timeout: '%s' is not a number of seconds "
		    "from 0 to 86400",
		    arg);
	return 0;
}

int
optval_block_timeout(const char *arg, double *t, struct optval_err *e)
{
	if (!duration_upto(arg, 86400 * 365, t))
		return refuse(e,
		    "--block-timeout: '%s' is not a duration above 0 "
		    "(seconds, or 1m30s...)",
		    arg);
	return 0;
}
