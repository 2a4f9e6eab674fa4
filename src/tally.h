/*
 * Tallies of a run: jobs done, failed and succeeded, --halt, the median
 * runtime for --timeout N%, and fanout's exit status (SPEC section 6).
 */
#ifndef TALLY_H
#define TALLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "options.h"

/* Runtimes of finished jobs, on a log scale, for --timeout N%. */
#define TALLY_BUCKETS 2600

struct tally {
	size_t ndone, nfailed, nsucceeded;
	size_t ntotal; /* known total of jobs, for N% halts; 0: unknown */
	bool halted;
	int halt_status;
	int64_t median; /* of the runtimes of jobs that succeeded; 0: none */
	size_t nruntimes;
	unsigned runtimes[TALLY_BUCKETS];
};

/*
 * A job ended for good with exit code code (128+N for signal N): count
 * it. True when that makes --halt h stop the run (t->halted is set).
 */
bool tally_job(struct tally *, const struct halt *h, bool failed, int code);
/* A job that succeeded ran ns nanoseconds. */
void tally_runtime(struct tally *, int64_t ns);

/* How a run ended, besides its tally. */
struct tally_end {
	int signal; /* a signal stopped it: 128+N */
	bool broken; /* the reader of stdout went away: 128+SIGPIPE */
	bool error; /* fanout's own error (input, output, joblog): 255 */
};

int tally_status(const struct tally *, const struct tally_end *);

#endif
