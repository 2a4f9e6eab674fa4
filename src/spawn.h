/*
 * The local executor: runs a job's command (vfork and execve) in a process
 * group of its own, its stdout and stderr on pipes (or shared, for -u),
 * its stdin on /dev/null; signals that group; reaps with waitpid.
 */
#ifndef SPAWN_H
#define SPAWN_H

struct executor;

/* The executor for this machine (host ":"). */
struct executor *spawn_executor_new(void);

#endif
