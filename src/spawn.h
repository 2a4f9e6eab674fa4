/*
 * The local executor: starts a job's process in a process group of its
 * own, with its stdout and stderr on pipes (or shared, for -u) and its
 * stdin on /dev/null, and signals that group.
 */
#ifndef SPAWN_H
#define SPAWN_H

#include <stdbool.h>
#include <sys/types.h>

struct spawner;

struct spawn_proc {
	pid_t pid;	/* also the process group */
	int out;	/* read ends, close-on-exec; -1 when shared */
	int err;
};

struct spawner *spawner_new(void);
void spawner_free(struct spawner *);

/*
 * Start argv (argv[0] looked up in PATH) with envp. Returns 0 with *p
 * filled; a positive errno value when the command itself cannot be run
 * (ENOENT, EACCES, ...: the job fails with 127 or 126); or -1 with errno
 * set when the system is out of something (processes, descriptors), in
 * which case nothing was started and the caller may try again later.
 */
int spawn_start(struct spawner *, char *const *argv, char *const *envp,
    bool pipes, struct spawn_proc *p);

/* The descriptor a job reads its script from with spawn_start_script. */
#define SPAWN_SCRIPT_FD 3
#define SPAWN_SCRIPT_PATH "/dev/fd/3"

/*
 * As spawn_start, for a shell command too long for one argument (Linux
 * takes 128 KiB at most): the shell reads it from SPAWN_SCRIPT_PATH.
 */
int spawn_start_script(struct spawner *, const char *shell, const char *text,
    size_t len, char *const *envp, bool pipes, struct spawn_proc *p);

/* Send sig to the job's whole process group. */
int spawn_signal(pid_t pgid, int sig);

#endif
