/* What is known of a finished job, for the joblog, --results and --json. */
#ifndef RECORD_H
#define RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "input.h"

struct job_record {
	size_t seq;
	const char *task; /* a workflow task's name, else NULL; not owned */
	const char *host; /* ":" for the local machine */
	struct args args;
	char *cmd; /* as --dry-run prints it */
	double start; /* wall clock, seconds */
	double runtime; /* seconds */
	int exitval; /* -1 when fanout killed it (timeout) */
	int signal;
	uint64_t send; /* bytes sent to its stdin */
	uint64_t receive; /* bytes of its stdout */
};

/* Free what the record holds (keeps the struct). */
void record_release(struct job_record *);
/* Release a record made with xcalloc() and free it; NULL is ignored. */
void record_free(struct job_record *);

#endif
