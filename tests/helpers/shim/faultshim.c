/*
 * faultshim.so: LD_PRELOAD into fanout to make a system call fail the way
 * a loaded machine makes it fail, which no ulimit does for root.
 *
 *   FAULT_FORK_EAGAIN=RULE   vfork(), fork(), posix_spawn() fail with
 *                            EAGAIN (RLIMIT_NPROC reached)
 *   FAULT_POLL_EINTR=RULE    poll() fails with EINTR before it waits
 *   FAULT_PIPE_FAIL=RULE     pipe2() fails with EMFILE (out of file
 *                            descriptors, whatever ulimit -n said), or
 *                            FAULT_PIPE_ERRNO=ENFILE (the system's table)
 *
 * RULE is "every:N" (each Nth call fails), "after:N" (every call after
 * the first N fails) or "window:A:B" (calls A to B fail, counting from
 * 1). Each failure adds a line to the file FAULT_LOG, if set, so that a
 * test can see the fault happened. The shim takes itself out of the
 * environment at load: the jobs fanout starts run without it.
 *
 * A vfork() that is let through is a fork(): a vfork child returning from
 * this wrapper would clobber the frame its parent returns through.
 * ThreadSanitizer makes the same change, and fanout copes with it.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct rule {
	char kind; /* 'e'very, 'a'fter, 'w'indow, 0: never */
	long a, b;
	atomic_long calls;
	const char *name;
};

static struct rule fork_rule = {.name = "fork"};
static struct rule poll_rule = {.name = "poll"};
static struct rule pipe_rule = {.name = "pipe2"};
static int pipe_errno = EMFILE;
static char log_path[4096];

static void
parse_rule(struct rule *r, const char *var)
{
	const char *v = getenv(var);

	if (!v)
		return;
	if (sscanf(v, "every:%ld", &r->a) == 1 && r->a > 0)
		r->kind = 'e';
	else if (sscanf(v, "after:%ld", &r->a) == 1 && r->a >= 0)
		r->kind = 'a';
	else if (sscanf(v, "window:%ld:%ld", &r->a, &r->b) == 2)
		r->kind = 'w';
	else {
		fprintf(stderr, "faultshim: bad %s '%s'\n", var, v);
		_exit(99);
	}
}

__attribute__((constructor)) static void
shim_init(void)
{
	const char *log = getenv("FAULT_LOG");

	parse_rule(&fork_rule, "FAULT_FORK_EAGAIN");
	parse_rule(&poll_rule, "FAULT_POLL_EINTR");
	parse_rule(&pipe_rule, "FAULT_PIPE_FAIL");
	if (getenv("FAULT_PIPE_ERRNO") &&
	    strcmp(getenv("FAULT_PIPE_ERRNO"), "ENFILE") == 0)
		pipe_errno = ENFILE;
	if (log)
		snprintf(log_path, sizeof log_path, "%s", log);
	unsetenv("LD_PRELOAD");
	unsetenv("FAULT_FORK_EAGAIN");
	unsetenv("FAULT_POLL_EINTR");
	unsetenv("FAULT_PIPE_FAIL");
	unsetenv("FAULT_PIPE_ERRNO");
	unsetenv("FAULT_LOG");
}

/* Whether this call fails; if so, note it in the log. Signal-safe. */
static int
fails(struct rule *r)
{
	long n = atomic_fetch_add(&r->calls, 1) + 1;
	int hit, fd, saved = errno;

	switch (r->kind) {
	case 'e':
		hit = n % r->a == 0;
		break;
	case 'a':
		hit = n > r->a;
		break;
	case 'w':
		hit = n >= r->a && n <= r->b;
		break;
	default:
		hit = 0;
	}
	if (hit && log_path[0] &&
	    (fd = open(log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
		 0666)) >= 0) {
		(void)!write(fd, r->name, strlen(r->name));
		(void)!write(fd, "\n", 1);
		close(fd);
	}
	errno = saved;
	return hit;
}

static void *
next(const char *sym)
{
	void *p = dlsym(RTLD_NEXT, sym);

	if (!p) {
		fprintf(stderr, "faultshim: no %s\n", sym);
		_exit(99);
	}
	return p;
}

pid_t
fork(void)
{
	static pid_t (*real)(void);

	if (fails(&fork_rule)) {
		errno = EAGAIN;
		return -1;
	}
	if (!real)
		real = (pid_t(*)(void))next("fork");
	return real();
}

pid_t
vfork(void)
{
	return fork();
}

int
posix_spawn(pid_t *pid, const char *path, const posix_spawn_file_actions_t *fa,
    const posix_spawnattr_t *at, char *const argv[], char *const envp[])
{
	static int (*real)(pid_t *, const char *,
	    const posix_spawn_file_actions_t *, const posix_spawnattr_t *,
	    char *const[], char *const[]);

	if (fails(&fork_rule))
		return EAGAIN;
	if (!real)
		real = (int (*)(pid_t *, const char *,
		    const posix_spawn_file_actions_t *,
		    const posix_spawnattr_t *, char *const[],
		    char *const[]))next("posix_spawn");
	return real(pid, path, fa, at, argv, envp);
}

int
poll(struct pollfd *fds, nfds_t n, int timeout)
{
	static int (*real)(struct pollfd *, nfds_t, int);

	if (fails(&poll_rule)) {
		errno = EINTR;
		return -1;
	}
	if (!real)
		real = (int (*)(struct pollfd *, nfds_t, int))next("poll");
	return real(fds, n, timeout);
}

int
pipe2(int fds[2], int flags)
{
	static int (*real)(int[2], int);

	if (fails(&pipe_rule)) {
		errno = pipe_errno;
		return -1;
	}
	if (!real)
		real = (int (*)(int[2], int))next("pipe2");
	return real(fds, flags);
}
