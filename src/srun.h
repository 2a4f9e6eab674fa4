/*
 * The Slurm executor (--srun): each job runs as a step of the allocation
 * fanout runs in, `srun --exclusive -N1 -n1 -c CPUS ARGS -w NODE --
 * COMMAND`, started on this machine by the local executor.
 */
#ifndef SRUN_H
#define SRUN_H

#include <signal.h>

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

#endif
