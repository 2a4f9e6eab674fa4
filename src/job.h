/*
 * A job and its lifecycle: queued, handed to an executor (starting),
 * running, then exited (its command ended) and closed (all its output
 * came) in either order, and done when both are. Done, it is recorded,
 * run again (--retries) or counted toward --halt. Also here: a job's
 * termination sequence, its --timeout and the other timers that stop
 * it, and its output paused by a full disk.
 */
#ifndef JOB_H
#define JOB_H

#include <poll.h>
#include <stdbool.h>
#include <stdint.h>

#include "executor.h"

struct run;
struct job;

/* The executor events of the jobs of run r: give them to its executor. */
void job_events(struct run *r, struct exec_events *ev);

/*
 * The next job to run, one to run again first, or NULL with the plan's
 * answer in *rc (PLAN_WAIT, PLAN_END, PLAN_HELD, PLAN_ERROR).
 */
struct job *job_next(struct run *, int *rc);
/* Start j in a free slot: 0, or -1 when the system is out of resources
 * or every host is busy or down (EAGAIN), or every host is gone (ENXIO);
 * j is given back to the plan. */
int job_start(struct run *, struct job *j);
/*
 * --round-robin: give the running jobs that took all their input the
 * next blocks (or the end of their input). INPUT_WAIT when the input
 * must be read first (poll plan_input_fd()), else 0.
 */
int job_feed_hungry(struct run *);
/* A job given back that will not run now (a halt, a signal): gone. */
void job_drop(struct run *, struct job *j);

/* Begin j's termination sequence. */
void job_stop(struct run *, struct job *j);
/* --halt now, a signal: stop every running job; their output is moot. */
void job_stop_all(struct run *);
/* A second SIGINT: kill every running job now. */
void job_kill_all(struct run *);

/* When j's next timer is due (INT64_MAX: none), and act on those due. */
int64_t job_deadline(const struct run *, const struct job *j);
void job_timers(struct run *, struct job *j);
/* fanout was stopped (^Z) ns nanoseconds: not part of j's timers. */
void job_paused_for(struct job *j, int64_t ns);
/* Output stopped by a full disk: try to store it again. */
void job_resume_output(struct run *, struct job *j);
bool job_output_paused(const struct job *j);
/*
 * What its paused output waits on (a compressor's pipe to have room), as
 * POLLOUT entries in pfd, 2 at most: how many.
 */
size_t job_output_polls(const struct job *j, struct pollfd *pfd);
/* SIGUSR1: a line on stderr with j's command, if its command runs. */
void job_list(const struct job *j);

#endif
