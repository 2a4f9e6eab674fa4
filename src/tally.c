#include <math.h>
#include <signal.h>

#include "tally.h"
#include "xalloc.h"

/* The exit status for n failed jobs: at most 101. */
static int
failed_status(size_t n)
{
	return n > 100 ? 101 : (int)n;
}

bool
tally_job(struct tally *t, const struct halt *h, bool failed, int code)
{
	size_t count;
	bool counts;

	t->ndone++;
	if (failed)
		t->nfailed++;
	else
		t->nsucceeded++;
	if (h->when == HALT_NEVER || t->halted)
		return false;
	switch (h->what) {
	case HALT_FAIL:
		counts = failed;
		count = t->nfailed;
		break;
	case HALT_SUCCESS:
		counts = !failed;
		count = t->nsucceeded;
		break;
	default:
		counts = true;
		count = t->ndone;
		break;
	}
	if (!counts)
		return false;
	if (h->percent) {
		if (t->ntotal == 0 ||
		    (double)count * 100.0 < h->value * (double)t->ntotal)
			return false;
	} else if ((double)count < h->value) {
		return false;
	}
	t->halted = true;
	/*
	 * fail: the job's status (SPEC 6). success and done follow GNU
	 * parallel: 0, and the job's status for done=1, else the count of
	 * failed jobs.
	 */
	if (h->what == HALT_FAIL ||
	    (h->what == HALT_DONE && !h->percent && h->value == 1))
		t->halt_status = code;
	else if (h->what == HALT_SUCCESS)
		t->halt_status = 0;
	else
		t->halt_status = failed_status(t->nfailed);
	return true;
}

void
tally_runtime(struct tally *t, int64_t ns)
{
	double us = (double)ns / 1000.0;
	long b = us <= 1 ? 0 : lround(log(us) / log(1.01));
	size_t seen = 0, i;

	if (b >= TALLY_BUCKETS)
		b = TALLY_BUCKETS - 1;
	t->runtimes[b]++;
	t->nruntimes++;
	for (i = 0; i < TALLY_BUCKETS; i++) {
		seen += t->runtimes[i];
		if (seen * 2 >= t->nruntimes)
			break;
	}
	t->median = (int64_t)(pow(1.01, (double)i) * 1000.0);
}

int
tally_status(const struct tally *t, const struct tally_end *e)
{
	if (e->signal && !e->broken)
		return 128 + e->signal;
	if (e->broken)
		return 128 + SIGPIPE;
	if (e->error)
		return FANOUT_STATUS_ERROR;
	if (t->halted)
		return t->halt_status;
	return failed_status(t->nfailed);
}
