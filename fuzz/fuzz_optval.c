/*
 * libFuzzer target for src/optval.c: the values of options.
 *
 * Input: a byte that picks the parser (its value mod NPARSERS; its bits
 * 4-7 are a count's minimum), then the value, up to the first
 * NUL. Besides crashes, leaks and hangs it checks, aborting when one
 * fails: a parser prints nothing itself; a success gives a value in its
 * range; a refusal returns (it does not exit) with a message that
 * optval_fail() prints as exactly one line "fanout: ...".
 */
#include <limits.h>
#include <math.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"
#include "optval.h"
#include "util.h"
#include "xalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NPARSERS 14

static jmp_buf back;

/* optval_fail() exits after the hook: go back to the target instead. */
static void
jump_back(void)
{
	longjmp(back, 1);
}

static void
check(bool ok)
{
	if (!ok)
		abort();
}

/* A refusal: one line, "fanout: " and the message, printed, no exit. */
static void
check_refusal(const struct optval_err *e)
{
	FILE *saved = stderr, *mem;
	char *out = NULL;
	size_t len = 0, i;

	check(e->msg[0] != '\0' && strlen(e->msg) < sizeof e->msg);
	for (i = 0; e->msg[i]; i++)
		check((unsigned char)e->msg[i] >= ' ' && e->msg[i] != 0x7f);
	if (!(mem = open_memstream(&out, &len)))
		abort();
	stderr = mem;
	if (setjmp(back) == 0) {
		fatal_hook = jump_back;
		optval_fail(e);
	}
	stderr = saved;
	fatal_hook = NULL;
	fclose(mem);
	check(len > 9 && strncmp(out, "fanout: ", 8) == 0 &&
	    strchr(out, '\n') == out + len - 1 &&
	    strstr(out, e->msg) == out + 8);
	free(out);
}

static bool
duration_ok(double d)
{
	return !isnan(d) && (d == -1 || d >= 0);
}

/* Run parser pick on s: 0 and the value checked, or -1 and e. */
static int
parse(unsigned pick, unsigned min, const char *s, struct optval_err *e)
{
	struct options o = {0};
	unsigned long ul;
	long long ll;
	double d;
	long n;
	int i;

	switch (pick) {
	case 0:
		if (optval_count("-N", s, min, &ul, e) < 0)
			return -1;
		check(ul <= INT_MAX && ul >= min && *s >= '0' && *s <= '9');
		return 0;
	case 1:
		if (optval_jobs(&o, s, e) < 0)
			return -1;
		check((o.jobs_spec == s) != (o.jobs_file == s));
		if (o.jobs_spec) {
			n = util_jobs_from_spec(s, util_ncpu());
			check(n >= 0 && n <= UTIL_JOBS_MAX);
		}
		return 0;
	case 2:
		if (optval_delimiter(s, &i, e) < 0)
			return -1;
		check(i >= 0 && i <= 255 && (s[1] || i == (unsigned char)*s));
		return 0;
	case 3:
		if (optval_halt(&o.halt, s, e) < 0)
			return -1;
		if (o.halt.when == HALT_NEVER)
			return 0;
		check(o.halt.when == HALT_NOW || o.halt.when == HALT_SOON);
		check(o.halt.percent ? o.halt.value > 0 && o.halt.value <= 100
				     : o.halt.value >= 1 &&
			    o.halt.value == floor(o.halt.value));
		return 0;
	case 4:
		if (optval_termseq(&o.termseq, s, e) < 0)
			return -1;
		check(o.termseq.n >= 1 && o.termseq.n <= TERMSEQ_MAX);
		for (i = 0; i < o.termseq.n; i++)
			check(o.termseq.sig[i] > 0 && o.termseq.sig[i] < NSIG &&
			    o.termseq.ms[i] >= 0 &&
			    o.termseq.ms[i] <= TERMSEQ_MS_MAX);
		return 0;
	case 5:
		if (optval_delay(&o, s, e) < 0)
			return -1;
		check(!isnan(o.delay) && o.delay >= 0);
		return 0;
	case 6:
		if (optval_timeout(&o.task, s, e) < 0)
			return -1;
		check(!isnan(o.task.timeout) && o.task.timeout > 0);
		return 0;
	case 7:
		if (optval_load(s, &d, e) < 0)
			return -1;
		check(!isnan(d) && d > 0);
		return 0;
	case 8:
		if (optval_memfree(s, &ll, e) < 0)
			return -1;
		check(ll >= 0);
		return 0;
	case 9:
		if (optval_block_size(s, &ll, e) < 0)
			return -1;
		check(ll != 0 && ll <= (1LL << 40) && ll >= -(1LL << 40) &&
		    (ll < 0) == (*s == '-'));
		return 0;
	case 10:
		if (optval_nice(s, &i, e) < 0)
			return -1;
		check(i >= -20 && i <= 19);
		return 0;
	case 11:
		if (optval_ssh_timeout(s, &d, e) < 0)
			return -1;
		check(d > 0 && d <= 86400);
		return 0;
	case 12:
		if (optval_block_timeout(s, &d, e) < 0)
			return -1;
		check(d > 0 && d <= 86400 * 365);
		return 0;
	default:
		/* A workflow's timeout: a duration with units. */
		check(duration_ok(options_parse_duration(s, true)) &&
		    duration_ok(options_parse_duration(s, false)));
		return 0;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FILE *saved = stderr, *mem;
	struct optval_err e;
	char *s, *out = NULL;
	size_t len = 0;
	unsigned pick;
	int rc;

	if (size < 1)
		return 0;
	pick = data[0] % NPARSERS;
	s = strndup((const char *)data + 1, size - 1);
	if (!s)
		abort();
	if (!(mem = open_memstream(&out, &len)))
		abort();
	stderr = mem;
	/* A count's minimum: the high bits of the first byte. */
	rc = parse(pick, data[0] >> 4, s, &e);
	stderr = saved;
	fclose(mem);
	check(len == 0);
	free(out);
	if (rc < 0)
		check_refusal(&e);
	free(s);
	return 0;
}
