/*
 * A plan: the tasks to run, each a command template, a source of items,
 * and its limits. The command line makes a plan of one task; a workflow
 * file makes one of many. Nothing downstream knows which made it.
 */
#ifndef PLAN_H
#define PLAN_H

#include <stdbool.h>
#include <stddef.h>

#include "input.h"

struct options;
struct template;

struct task {
	char *name;
	struct template *command; /* NULL: items are whole commands */
	struct template *tagstring; /* NULL: --tag uses the arguments */
	struct input *input;
	double timeout; /* 0: none */
	bool timeout_percent;
	unsigned retries; /* runs in all, at least 1 */
	size_t *seqs; /* --retry-failed: each job's seq */
	size_t nseqs;
};

struct plan {
	struct task *tasks;
	size_t ntasks;
	size_t next_task; /* the task items come from */
};

struct plan *plan_from_options(const struct options *);
/* --retry-failed: the failed commands of the --joblog, with their seqs. */
struct plan *plan_from_joblog(const struct options *);
void plan_free(struct plan *);

/*
 * The next job: its task and arguments. Returns INPUT_ITEM, INPUT_END,
 * INPUT_WAIT (poll plan_input_fd(), then plan_fill()) or INPUT_ERROR.
 */
int plan_next(struct plan *, struct task **, struct args *);
int plan_input_fd(const struct plan *);
int plan_fill(struct plan *);

#endif
