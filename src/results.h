/*
 * --results DIR: DIR/<seq>/{cmd,stdout,stderr,exitval} for each job. The
 * stdout and stderr files are opened when the job starts and filled as
 * its output arrives (whatever the output mode); cmd and exitval are
 * written when it ends.
 */
#ifndef RESULTS_H
#define RESULTS_H

#include <stdbool.h>

struct job_record;

/*
 * Before the first job: refuse a results file name GNU parallel would
 * fill with one table (.json, .csv, .tsv), and unless dry_run, create
 * DIR (with its parents) and check that it can be written. Returns 0,
 * or -1 after saying why.
 */
int results_prepare(const char *dir, bool dry_run);

/* Create DIR/<seq>/ and open its stdout and stderr files into fds[0..1].
 * Returns 0, or -1 after reporting why (fds are then -1). */
int results_open(const char *dir, size_t seq, int fds[2]);
/* Write cmd and exitval; errors are reported and return -1. */
int results_finish(const char *dir, const struct job_record *);

#endif
