/*
 * --results DIR: DIR/<seq>/{cmd,stdout,stderr,exitval} for each job. The
 * stdout and stderr files are opened when the job starts and filled as
 * its output arrives (whatever the output mode); cmd and exitval are
 * written when it ends.
 */
#ifndef RESULTS_H
#define RESULTS_H

#include <stdbool.h>

struct sink;

/*
 * Before the first job: refuse a results file name GNU parallel would
 * fill with one table (.json, .csv, .tsv), and unless dry_run, create
 * DIR (with its parents) and check that it can be written. Returns 0,
 * or -1 after saying why.
 */
int results_prepare(const char *dir, bool dry_run);

/*
 * The sink that files each job's output as it arrives (see sink.h): it
 * opens the stdout and stderr files when the job's output begins, and
 * writes cmd and exitval when it ends. A file that cannot be created or
 * written is reported and marks the sink failed.
 */
struct sink *results_sink_new(const char *dir);

#endif
