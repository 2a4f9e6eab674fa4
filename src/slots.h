/*
 * Slots: how many jobs run at once (-j, re-read from -j FILE as jobs
 * end), within what the descriptor limit allows, and which job has each
 * slot ({%}, FANOUT_SLOT).
 */
#ifndef SLOTS_H
#define SLOTS_H

#include <stddef.h>
#include <time.h>

struct job;
struct options;

struct slots {
	size_t n; /* slots: the most jobs that may ever run at once */
	size_t limit; /* jobs at once now: n, or -j FILE's number */
	size_t max_held; /* jobs running or unprinted, for descriptors */
	size_t nrunning;
	struct job **job; /* each slot's job, NULL when free */
	const char *jobs_file;
	struct timespec jobs_mtime; /* of -j FILE, when last read */
};

/*
 * Each job holds fds_per_job descriptors while it runs. total: the jobs
 * at once the executor's hosts take, instead of -j; 0: -j, of ncpu CPUs
 * (0: this machine's).
 */
void slots_init(struct slots *, const struct options *, unsigned fds_per_job,
    size_t total, long ncpu);
void slots_free(struct slots *);
/* -j FILE: read it again if it changed. */
void slots_reread(struct slots *);
/* Give j a free slot: its number, from 1. */
size_t slots_take(struct slots *, struct job *j);
void slots_give(struct slots *, size_t slot);

#endif
