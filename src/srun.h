/*
 * The Slurm executor (--srun): each job runs as a step of the allocation
 * fanout runs in, `srun --exclusive -N1 -n1 -c CPUS ARGS -w NODE --
 * COMMAND`, started on this machine by the local executor.
 */
#ifndef SRUN_H
#define SRUN_H

#include <signal.h>
#include <stddef.h>

struct executor;
struct options;

/*
 * The executor for the allocation of $SLURM_JOB_ID, its nodes from
 * $SLURM_JOB_NODELIST and $SLURM_JOB_CPUS_PER_NODE; -j counts
 * $SLURM_NTASKS, else the steps of o->srun_cpus CPUs the nodes hold.
 * Outside an allocation, or with nothing to run on: a message and exit
 * 255. Its srun processes start with the signals in ignored ignored.
 */
struct executor *srun_executor_new(
    const struct options *o, const sigset_t *ignored);

/* What the end of a line of a step's stderr is. */
enum srun_kind {
	SRUN_JOB, /* the job's own, all of it */
	SRUN_STATUS, /* srun's "srun: error: NODE: task 0: ..." exit line */
	SRUN_NODE_FAILED, /* srun's line saying that the node failed */
};

/*
 * Read a whole line (len bytes, its newline or not) of the stderr of a
 * step on node. srun's own line begins "srun: error: " and comes last in
 * it (after the job's last line when that had no newline). *keep: how
 * many of its first bytes are the job's (len for SRUN_JOB).
 */
enum srun_kind srun_classify(
    const char *line, size_t len, const char *node, size_t *keep);

#endif
