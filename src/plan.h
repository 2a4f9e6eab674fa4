/*
 * A plan: the tasks to run, as a graph. Each task is a command template,
 * a source of items and its limits, and may need other tasks. The command
 * line makes a plan of one task; a workflow file makes one of many with
 * plan_new(), plan_add_task() and plan_add_need(). Nothing downstream
 * knows which made it.
 *
 * The scheduler asks plan_next() for a job whenever a slot is free and
 * tells the plan how each one ended (plan_job_ended(), plan_job_again()).
 * The plan hands out ready jobs only: jobs of a task whose needs are met
 * and that has fewer than its cap running. When several tasks are ready,
 * the first in task order (the order of plan_add_task()) goes first; a
 * later task gets the slots it leaves free (its cap reached, or its items
 * all handed out). A job to run again comes before any new one.
 *
 * Seqs ({#}, the joblog's Seq) go in task order, then item order: the
 * first task's items are 1..n1, the second's n1+1..n1+n2, and so on,
 * whichever task runs first. To know n1, every task but the last is read
 * whole before the first job is handed out (a workflow's lists and files
 * are finite). The last task, and so the command line's only task, is
 * read on demand: memory does not grow with the length of its input.
 * Tasks whose input opens when they start (open_input) come after all
 * the others in that order, each after what it needs; until one opens,
 * those after it wait. Seqs count the items, not the jobs that run, so
 * --resume skips the same jobs every time the same plan runs.
 */
#ifndef PLAN_H
#define PLAN_H

#include <stdbool.h>
#include <stddef.h>

#include "input.h"

struct job; /* the scheduler's; the plan only keeps it to run again */
struct options;
struct template;

enum task_state {
	TASK_WAITING, /* for the tasks it needs */
	TASK_RUNNING, /* its needs are met: its jobs are handed out */
	TASK_DONE, /* every job succeeded (or it had none) */
	TASK_FAILED, /* a job failed for good, or its input did */
	TASK_SKIPPED, /* a task it needs failed or was skipped */
};

enum task_when {
	TASK_WHEN_SUCCESS, /* after every job of every need succeeded */
	TASK_WHEN_ALWAYS, /* after every need is over, however it ended */
};

/*
 * A task's settings, filled in by whoever builds the plan. What its
 * pointers name belongs to the plan from plan_add_task() on and is freed
 * by plan_free(). A job runs in its task's cwd, with its env over
 * fanout's environment (the command line sets neither).
 */
struct task {
	char *name;
	struct template *command; /* NULL: items are whole commands */
	struct template *tagstring; /* NULL: --tag uses the arguments */
	struct input *input; /* NULL: one job with no arguments */
	/*
	 * Or, with input NULL, an input opened when the task starts (its
	 * needs met): a glob of files an earlier task makes. It reports why
	 * it returns NULL (an input error). Such tasks' items get their
	 * seqs after every other task's. open_data is freed with free().
	 */
	struct input *(*open_input)(const struct task *);
	void *open_data;
	char *cwd; /* where its jobs run; NULL: fanout's directory */
	/* The hosts its jobs may run on, by login name, NULL-terminated;
	 * NULL: the run's own (-S, a workflow's top-level hosts). */
	char **hosts;
	char *srun; /* more srun words for its jobs (srun: ARGS); or NULL */
	char **env; /* "NAME=value" more for its jobs, NULL-terminated */
	double timeout; /* 0: none */
	bool timeout_percent;
	unsigned retries; /* runs in all, at least 1 */
	size_t cap; /* at most this many of its jobs at once; 0: no cap */
	enum task_when when;
	size_t *seqs; /* --retry-failed: each item's seq, given */
	size_t nseqs;
};

struct plan;

struct plan *plan_new(void);
/* A new task, last in task order: retries 1, no cap, when success. */
struct task *plan_add_task(struct plan *, const char *name);
/*
 * Task t needs task need. The caller makes sure that no need closes a
 * cycle (a workflow file reports one with its position; plan_needs()
 * tells): one found before the first job is a BUG.
 */
void plan_add_need(struct plan *, struct task *t, struct task *need);
/* Whether t needs need, directly or through other tasks. */
bool plan_needs(
    const struct plan *, const struct task *t, const struct task *need);
enum task_state plan_task_state(const struct plan *, const struct task *);

struct plan *plan_from_options(const struct options *);
/* --retry-failed: the failed commands of the --joblog, with their seqs. */
struct plan *plan_from_joblog(const struct options *);
/*
 * --resume: hand out no job whose seq has a line in JOBLOG; with
 * failed_too (--resume-failed), only those whose line says it succeeded.
 * Call before the first plan_next().
 */
void plan_resume(struct plan *, const char *joblog, bool failed_too);
/* Frees the plan's tasks, not the jobs given back (see plan_drain()). */
void plan_free(struct plan *);

#define PLAN_JOB INPUT_ITEM /* a new job */
#define PLAN_AGAIN 2 /* a job given back with plan_job_again() */
#define PLAN_END INPUT_END /* every task is over */
#define PLAN_WAIT INPUT_WAIT /* poll plan_input_fd(), then plan_fill() */
#define PLAN_ERROR INPUT_ERROR /* an input failed (reported): ask again */
#define PLAN_HELD -3 /* nothing is ready until a running job ends */

/* What plan_next() hands out. */
struct plan_job {
	struct task *task; /* PLAN_JOB: its task */
	size_t seq; /* PLAN_JOB: its seq, from 1 */
	struct job *again; /* PLAN_AGAIN: the job, as it was given back */
};

/*
 * The next ready job. With PLAN_JOB its arguments are in *args (reset
 * first). A job handed out counts against its task's cap until the plan
 * is told it ended or is given it back.
 */
int plan_next(struct plan *, struct plan_job *, struct args *args);
/*
 * --round-robin: task t's next item, for a job of it that runs already:
 * no seq, no job. INPUT_ITEM (in *args, reset first), INPUT_WAIT,
 * INPUT_END or INPUT_ERROR (its input is over then).
 */
int plan_more(struct plan *, struct task *t, struct args *args);
/* A job of task t ended for good: it succeeded, or failed. */
void plan_job_ended(struct plan *, struct task *t, bool failed);
/*
 * A job of task t will run again (--retries, or it could not start):
 * plan_next() hands it back before any new job.
 */
void plan_job_again(struct plan *, struct task *t, struct job *);
/*
 * The jobs given back that will not run now (a halt, a signal), one at
 * a time for the caller to free; NULL when none is left.
 */
struct job *plan_drain(struct plan *);

/*
 * Read every task's items now, for a known total (--bar, N% halts).
 * PLAN_END when all are read, with *total the jobs of the plan, those
 * handed out already too; PLAN_WAIT and PLAN_ERROR as from plan_next(),
 * *total so far. A task whose input opens when it starts (open_input)
 * counts from then on: call again to see the total grow.
 */
int plan_read_all(struct plan *, size_t *total);
/* Whether a task's command or tag shows the number of jobs ({##}). */
bool plan_needs_total(const struct plan *);
/* Tell the tasks' templates the number of jobs plan_read_all() gave. */
void plan_set_total(struct plan *, size_t total);

/* The input being read, for PLAN_WAIT; -1: none. */
int plan_input_fd(const struct plan *);
/* Read once from it. 0, or -1 after reporting why. */
int plan_fill(struct plan *);
/* When to ask for the next job though no input came; INT64_MAX: never. */
int64_t plan_input_deadline(const struct plan *);

#endif
