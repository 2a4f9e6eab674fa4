/*
 * Command building: a job's command from its task's template and its
 * arguments, run directly (argv) when it needs no shell, else by the
 * shell (--shell, $FANOUT_SHELL, /bin/sh), or by bash for an exported
 * bash function; as a script when it is too long for exec. Its
 * environment: fanout's, with FANOUT_SEQ, FANOUT_SLOT, FANOUT_HOST and
 * GNU parallel's PARALLEL_SEQ and PARALLEL_JOBSLOT.
 */
#ifndef COMMAND_H
#define COMMAND_H

#include <stddef.h>

#include "buf.h"
#include "executor.h"
#include "input.h"

struct template_job;

struct options;
struct task;

/* A shell that cannot run is one error before any job: -1 after it. */
int command_check(const struct options *);

struct command *command_new(const struct options *);
void command_free(struct command *);

/*
 * The command of a job of task t, with its arguments, seq, slot, host and
 * host groups (job): in *cmd, valid till the next call. With --hostgroups
 * its environment has PARALLEL_HOSTGROUPS and PARALLEL_ARGHOSTGROUPS too.
 */
void command_build(struct command *, const struct task *t, const struct args *,
    const struct template_job *job, struct exec_cmd *cmd);
/* The command as a user would type it (-v, --dry-run, the joblog). */
void command_text(const struct task *, const struct args *,
    const struct template_job *, struct buf *out);
/* The tag in front of each line (--tagstring, or the arguments), reset
 * first. */
void command_tag(const struct task *, const struct args *,
    const struct template_job *, struct buf *tag);

#endif
