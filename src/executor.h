/*
 * An executor runs jobs somewhere: on this machine (spawn.c) or, later,
 * on a remote host. The scheduler only talks to this interface, so it
 * does not care where a job ran. Each started job gives the scheduler two
 * descriptors to read its stdout and stderr from (or none, for -u), and
 * its end is reported through reap() with a wait(2)-style status.
 */
#ifndef EXECUTOR_H
#define EXECUTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* What to run: argv, or, for a command too long for exec, a script. */
struct exec_cmd {
	char *const *argv; /* NULL: run script with shell */
	const char *shell;
	const char *script;
	size_t script_len;
	char *const *envp;
	bool pipes; /* false: the job shares fanout's stdout/err */
	bool out_null; /* its stdout goes to /dev/null: no one would see it */
};

/* A started job, as the executor knows it. */
struct exec_job {
	pid_t id; /* a process (group) id locally */
	int out; /* read ends; -1 when there is none */
	int err;
};

struct executor;

struct executor_ops {
	/*
	 * 0 and *job filled; a positive errno value when the command
	 * itself cannot run (the job fails with 127 or 126); -1 with errno
	 * when the executor is out of resources for now (try again later).
	 */
	int (*start)(
	    struct executor *, const struct exec_cmd *, struct exec_job *job);
	/* Send sig to every process of the job. */
	int (*signal)(struct executor *, const struct exec_job *, int sig);
	/* A job that ended: 1 with its id and status, 0 when none has. */
	int (*reap)(struct executor *, pid_t *id, int *status);
	void (*free)(struct executor *);
};

struct executor {
	const struct executor_ops *ops;
	const char *host; /* as the joblog names it: ":" locally */
};

#endif
