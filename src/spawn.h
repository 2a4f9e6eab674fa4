/*
 * The local executor: runs a job's command (vfork and execve) in a process
 * group of its own, its stdout and stderr on pipes (or shared, for -u),
 * its stdin on /dev/null; signals that group; reaps with waitpid.
 */
#ifndef SPAWN_H
#define SPAWN_H

#include <signal.h>

struct executor;

/* The executor for this machine (host ":"); its jobs start with the
 * signals in ignored ignored, every other at its default. */
struct executor *spawn_executor_new(const sigset_t *ignored);

#endif
