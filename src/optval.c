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

void (*optval_report)(const char *msg);

void
optval_error(const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (optval_report) {
		optval_report(msg);
		exit(FANOUT_STATUS_ERROR);
	}
	fatalx("%s (see 'fanout --help')", msg);
}

unsigned long
optval_count(const char *opt, const char *s, unsigned long min)
{
	char *end;
	unsigned long v;

	errno = 0;
	if (!isdigit((unsigned char)*s))
		optval_error("%s: '%s' is not a whole number", opt, s);
	v = strtoul(s, &end, 10);
	if (*end)
		optval_error("%s: '%s' is not a whole number", opt, s);
	if (errno || v > INT_MAX)
		optval_error(
		    "%s: '%s' is too large (at most %d)", opt, s, INT_MAX);
	if (v < min)
		optval_error("%s: '%s' must be at least %lu", opt, s, min);
	return v;
}

/* GNU parallel reads the file again as jobs end. */
void
optval_jobs(struct options *o, const char *s)
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
			optval_error("-j: the file '%s' does not hold a number "
				     "of jobs (N, N%%, +N or -N)",
			    s);
	}
	switch (n) {
	case -1:
		optval_error("-j: '%s' is not a number of jobs "
			     "(N, N%%, +N or -N, or a file holding one)",
		    s);
	case -2:
		optval_error(
		    "-j: '%s' leaves no job to run on %ld CPUs", s, ncpu);
	case -3:
		optval_error("-j: '%s' is too many jobs (at most %d; 0 runs as "
			     "many as the system allows)",
		    s, UTIL_JOBS_MAX);
	}
}

int
optval_delimiter(const char *s)
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
		optval_error("-d: '%s' is not one of the escapes \\n, \\t, "
			     "\\r, \\0, \\\\, \\xHH",
		    s);
	} else if (s[0] && s[1] == '\0') {
		return (unsigned char)s[0];
	}
	optval_error("-d: '%s' is %zu bytes: -d takes one byte (or \\n, \\t, "
		     "\\0, \\xHH)",
	    s, strlen(s));
}

void
optval_halt(struct halt *h, const char *s)
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
	optval_error(
	    "--halt: '%s' is not never or now|soon,fail|success|done=N "
	    "(N a count or a percentage)",
	    s);
}

void
optval_termseq(struct termseq *t, const char *s)
{
	char *copy = xstrdup(s), *tok, *save = NULL;
	bool want_sig = true;
	int sig;

	t->n = 0;
	for (tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (want_sig) {
			if (t->n == TERMSEQ_MAX)
				optval_error("--termseq: more than %d signals",
				    TERMSEQ_MAX);
			if ((sig = util_signal_number(tok)) <= 0)
				optval_error(
				    "--termseq: '%s' is not a signal", tok);
			t->sig[t->n] = sig;
			t->ms[t->n++] = 0;
		} else {
			char *end;
			long ms;

			errno = 0;
			ms = strtol(tok, &end, 10);
			if (*end || end == tok || ms < 0)
				optval_error("--termseq: '%s' is not a number "
					     "of milliseconds",
				    tok);
			if (errno || ms > TERMSEQ_MS_MAX)
				optval_error("--termseq: '%s' is too long (at "
					     "most %d ms, a day)",
				    tok, TERMSEQ_MS_MAX);
			t->ms[t->n - 1] = (int)ms;
		}
		want_sig = !want_sig;
	}
	free(copy);
	if (t->n == 0)
		optval_error("--termseq: '%s' names no signal", s);
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

void
optval_delay(struct options *o, const char *arg)
{
	size_t len = strlen(arg);
	char *copy = xstrdup(arg);

	o->delay_auto = len > 4 && strcmp(arg + len - 4, "auto") == 0;
	if (o->delay_auto)
		copy[len - 4] = '\0';
	if ((o->delay = options_parse_duration(copy, false)) < 0)
		optval_error("--delay: '%s' is not a duration (seconds, or "
			     "1.5s, 5m, 1h; 'auto' after it adapts it)",
		    arg);
	free(copy);
}

void
optval_timeout(struct task_settings *t, const char *arg)
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
		optval_error(
		    "--timeout: '%s' is not a duration or a percentage", arg);
	t->timeout = d;
}

long long
optval_memfree(const char *arg)
{
	long long v = util_parse_size(arg);

	if (v == -2)
		optval_error(
		    "--memfree: '%s' is more memory than a machine has", arg);
	if (v < 0)
		optval_error(
		    "--memfree: '%s' is not a size (like 1G, 500M)", arg);
	return v;
}

double
optval_load(const char *arg)
{
	long n = util_jobs_from_spec(arg, util_ncpu());
	char *end;
	double v;

	if (n >= 0)
		return n == 0 ? 0.01 : (double)n;
	v = util_strtod_plain(arg, &end);
	if (v < 0 || *end)
		optval_error("--load: '%s' is not a load (N, N%%, +N, -N or a "
			     "decimal)",
		    arg);
	return v == 0 ? 0.01 : v;
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

long long
optval_block_size(const char *arg)
{
	bool neg = arg[0] == '-';
	long long v = gnu_size(arg + neg);

	if (v == -2 || v > (1LL << 40))
		optval_error("--block: '%s' is more than 1T", arg);
	if (v <= 0)
		optval_error("--block: '%s' is not a size (like 1M, 64k, "
			     "or -N for --pipe-part)",
		    arg);
	return neg ? -v : v;
}
