/*
 * The scheduler: one poll() loop that pulls jobs from the plan when a
 * slot is free, runs them, feeds their output to the collector, applies
 * timeouts, retries and --halt, and stops everything on a signal.
 */
#ifndef SCHED_H
#define SCHED_H

struct options;
struct plan;

struct executor;

/* Run the plan; returns fanout's exit status (SPEC section 6). */
int sched_run(struct plan *, const struct options *);
/*
 * Run the plan on executor ex (a test's own): sched_run() without the
 * checks of the shell and --results that come before the first job.
 */
int sched_run_on(struct plan *, const struct options *, struct executor *ex);

#endif
