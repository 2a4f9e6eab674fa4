/* --results DIR: DIR/<seq>/{cmd,stdout,stderr,exitval} for each job. */
#ifndef RESULTS_H
#define RESULTS_H

struct job_record;
struct output;
struct collector;

/* Write one job's files; errors are reported and return -1. */
int results_write(const char *dir, const struct job_record *,
    struct collector *, struct output *);

#endif
