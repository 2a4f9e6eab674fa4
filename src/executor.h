/*
 * An executor runs jobs somewhere: on this machine (spawn.c) or, later,
 * on remote hosts. The scheduler only talks to this interface, so it does
 * not care where a job ran.
 *
 * Each job is known by the handle the scheduler gives start() (a struct
 * job, opaque here), never by a pid. The executor keeps its own state for
 * the job (start() returns it) and the scheduler passes that back when it
 * asks something of the job.
 *
 * The executor adds its descriptors to the scheduler's poll set
 * (prepare()), and when they are ready (dispatch()) it delivers events
 * for its jobs through struct exec_events, on the main thread only:
 *
 *	started	   an accepted job runs
 *	output	   bytes the job wrote to its stdout or stderr: a chunk, or,
 *		   for a local pipe, a descriptor the collector may splice
 *		   from (splice())
 *	exited	   its command ended: an exit value, or a signal
 *	closed	   all of its output was delivered
 *	failed	   it could not start: an exit value (127 for a command not
 *		   found, 126 for one that cannot run) and why; it
 *		   delivers nothing more
 *	lost	   the place it ran is gone: it goes back to the queue and
 *		   runs again elsewhere; that is not a retry
 *
 * A job is over when it has exited and closed (in either order), failed
 * or been lost; then the executor forgets it and frees its state. The
 * events of one job come in that order: started first, nothing after the
 * last one. A handler may free the job's handle once it is over, never
 * earlier.
 *
 * Host threads of a remote executor never call these: they queue events
 * under a mutex and wake the poll loop with a descriptor of the executor.
 */
#ifndef EXECUTOR_H
#define EXECUTOR_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct args;
struct job; /* the scheduler's handle */

/* Bytes of a file: len of them from off. */
struct exec_range {
	int fd;
	int64_t off;
	int64_t len;
};

/* What to run: argv, or, for a command too long for exec, a script. */
struct exec_cmd {
	char *const *argv; /* NULL: run script with shell */
	const char *shell;
	const char *script;
	size_t script_len;
	char *const *envp;
	const char *cwd; /* where it runs; NULL: fanout's directory */
	/* Its task's own variables, "NAME=value", in envp too: what a
	 * remote job must be given. NULL: none. */
	char *const *task_env;
	/* Words more for the executor, blank-separated: a task's srun ARGS. */
	const char *exec_args;
	/*
	 * Bytes for the job's standard input, then end of file; NULL: it
	 * reads /dev/null. The caller keeps them until the job is over.
	 */
	const void *input;
	size_t input_len;
	/* What it runs over, for an executor that copies the job's files
	 * (--transfer, --return): its arguments, seq and slot, and its
	 * arguments' host groups ({agrp}, --hostgroups; else NULL). */
	const struct args *args;
	size_t seq, slot;
	const char *agrp;
	/*
	 * Then these bytes of files (--pipe-part), moved by splice(): they
	 * never pass through fanout's memory.
	 */
	const struct exec_range *input_ranges;
	size_t input_nranges;
	/*
	 * The input goes into this FIFO, which the job opens (its stdin is
	 * /dev/null); never opened, it is not given. NULL: to its stdin.
	 */
	const char *input_fifo;
	/*
	 * More input may follow (--round-robin): once all of it is given,
	 * the job's stdin stays open and exec_events.hungry() says so; the
	 * scheduler answers with executor_ops.more().
	 */
	bool input_more;
	bool pipes; /* false: the job shares fanout's stdout/err */
	bool out_null; /* its stdout goes to /dev/null: no one would see it */
	/*
	 * --tty: its stdin is the terminal (unless input is given), and it
	 * is the terminal's foreground while it runs.
	 */
	bool tty;
};

/* Return of exec_events.output() and .splice(): keep it, a full disk. */
#define EXEC_OUTPUT_HELD (-2)
/* Return of exec_events.splice(): read() the chunk and call output(). */
#define EXEC_NO_SPLICE (-3)

struct exec_events {
	void *arg; /* first argument of each */
	void (*started)(void *, struct job *);
	/*
	 * Bytes of stream 1 (stdout) or 2 (stderr). 0, or EXEC_OUTPUT_HELD
	 * when they could not be stored now (a full disk): they were kept
	 * all the same, and the executor stops reading the job until the
	 * scheduler resumes it (pause(false)).
	 */
	int (*output)(
	    void *, struct job *, int stream, const void *p, size_t n);
	/*
	 * Descriptor fd holds bytes of stream 1 or 2: move what it can. The
	 * bytes moved, 0 at end of file, -1 with errno, EXEC_NO_SPLICE, or
	 * EXEC_OUTPUT_HELD as for output().
	 */
	long (*splice)(void *, struct job *, int stream, int fd);
	void (*exited)(void *, struct job *, int exitval, int sig);
	void (*closed)(void *, struct job *);
	/* why: a line for its stderr ("cmd: command not found"). */
	void (*failed)(void *, struct job *, int exitval, const char *why);
	void (*lost)(void *, struct job *, const char *why);
	/* All the input given (input_more) went to the job: more() next. */
	void (*hungry)(void *, struct job *);
};

struct executor;

struct executor_ops {
	/*
	 * Accept a job: 0, with *state the executor's own for it, or -1
	 * with errno when the executor is out of resources for now (try
	 * again later). What cmd points to may be reused on return, except
	 * its input.
	 */
	int (*start)(struct executor *, struct job *, const struct exec_cmd *,
	    void **state);
	/* Send sig to every process of the job. */
	int (*signal)(struct executor *, void *state, int sig);
	/*
	 * Stop (true) or go on (false) reading the job's output: a full
	 * disk. Its command goes on running.
	 */
	void (*pause)(struct executor *, void *state, bool paused);
	/*
	 * Stop waiting for the job's output: closed comes next, with what
	 * was not read left unread (what the job left behind still holds
	 * its pipes).
	 */
	void (*abandon)(struct executor *, void *state);
	/*
	 * Send sig to every job, from a signal handler (^Z): only
	 * async-signal-safe calls. NULL: not possible.
	 */
	void (*signal_all)(struct executor *, int sig);
	/*
	 * Add its descriptors to the poll set: how many, at most room. A
	 * timeout (ms) it needs sooner than *timeout lowers *timeout.
	 */
	size_t (*prepare)(
	    struct executor *, struct pollfd *, size_t room, int *timeout);
	/* The n descriptors prepare() added, as poll() left them. */
	void (*dispatch)(struct executor *, const struct pollfd *, size_t n);
	void (*free)(struct executor *);
	/*
	 * Where the job runs, as the joblog names it, asked as it starts
	 * (a Slurm step learns its node only then). The string lives as
	 * long as the executor. NULL here, or a NULL return: its host.
	 */
	const char *(*host)(struct executor *, void *state);
	/*
	 * The next n bytes for a hungry job's stdin, kept by the caller
	 * until hungry comes again or the job is over; p NULL: no more, its
	 * stdin ends. NULL here: no input_more.
	 */
	void (*more)(struct executor *, void *state, const void *p, size_t n);
};

struct executor {
	const struct executor_ops *ops;
	const struct exec_events *ev; /* set by the scheduler */
	const char *host; /* as the joblog names it: ":" locally */
	/*
	 * A place's host groups (-S @g1+g2/login), NULL-terminated, and
	 * what {hgrp} shows (its name, then its groups, '+'-joined); both
	 * NULL: in no group but its name's. They live as long as it.
	 */
	char *const *groups;
	const char *hgrp;
	/*
	 * Whether it may lose jobs (a host gone): then no job prints as it
	 * runs (-k), since a lost one runs again from the start.
	 */
	bool may_lose;
	/*
	 * The CPUs -j's N% and 100% count: 0 for this machine's (a Slurm
	 * allocation has its own).
	 */
	long ncpu;
	/* Descriptors each job holds open in fanout, at most. */
	unsigned fds_per_job;
	/* Poll descriptors each running job may add, at most, and more. */
	unsigned polls_per_job;
	unsigned polls_more;
	/*
	 * Where it runs jobs, when that is more than one place (hosts):
	 * the scheduler starts each job on one of them, an executor of its
	 * own whose ops are called for that job; NULL: on this one. Only
	 * this one is polled, freed and told to signal_all().
	 */
	struct executor **places;
	size_t nplaces;
	/* A place: the jobs it runs at once (0: no limit of its own), runs
	 * now and ran (the scheduler counts them). */
	size_t slots;
	size_t busy;
	size_t done; /* jobs it ran to their end (--progress) */
	/* A place that takes no job for now (down: a host being tried
	 * again), or ever again (gone). */
	bool down;
	bool gone;
	/* A place only the tasks that name it use (a workflow task's
	 * hosts: the GPU nodes). */
	bool named_only;
	/* Dropped by --filter-hosts at the start: the jobs pinned to it
	 * (--onall, --nonall) are not run. */
	bool dropped;
	/* The jobs the run may have at once, if the executor knows better
	 * than -j (the sum of its hosts' slots); 0: -j. */
	size_t slots_total;
};

#endif
