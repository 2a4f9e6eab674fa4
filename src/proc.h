/*
 * A local process for a job: vfork and execve in a process group of its
 * own, with its stdout and stderr on pipes (or fanout's own, for -u), its
 * stdin on a pipe or /dev/null, its signals as fanout found them. The
 * local executor (spawn.c) runs jobs with it.
 */
#ifndef PROC_H
#define PROC_H

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

#include "executor.h"

/* A started process; -1 for a descriptor it was not given. */
struct proc {
	pid_t pid; /* also its process group */
	int out, err; /* read ends of its stdout and stderr */
	int in; /* write end of its stdin, non-blocking */
	bool in_cwd; /* it could not start: its directory is at fault */
};

struct proc_starter;

/* Its processes start with the signals in ignored ignored, every other
 * at its default. */
struct proc_starter *proc_starter_new(const sigset_t *ignored);
void proc_starter_free(struct proc_starter *);
/*
 * Start cmd, with every signal blocked (no handler may run in a child
 * that shares fanout's memory). 0 with *p filled; a positive errno value when
 * the command itself cannot run (nothing runs); -1 with errno when the system
 * is out of resources for now.
 */
int proc_start(struct proc_starter *, const struct exec_cmd *, struct proc *p);

#endif
