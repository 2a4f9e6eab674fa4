#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "compress.h"
#include "util.h"
#include "xalloc.h"

extern char **environ;

/*
 * GNU parallel's order (fastest first, as it measured them on many
 * cores), less lrz (a wrapper its users write themselves).
 */
static const char *const programs[] = {"pzstd", "lbzip2", "pbzip2", "zstd",
    "pixz", "lz4", "pigz", "lzop", "plzip", "lzip", "gzip", "pxz", "bzip2",
    "lzma", "xz", "clzip"};

void
compress_choose(const char *zip, const char *unzip, char **zipc, char **unzipc)
{
	char *path;
	size_t i;

	*zipc = *unzipc = NULL;
	if (zip) {
		*zipc = xstrdup(zip);
		*unzipc = unzip ? xstrdup(unzip) : xasprintf("%s -dc", zip);
		return;
	}
	for (i = 0; i < sizeof programs / sizeof *programs; i++) {
		if (!(path = util_path_search(programs[i])))
			continue;
		free(path);
		*zipc = xasprintf("%s -c -1", programs[i]);
		*unzipc =
		    unzip ? xstrdup(unzip) : xasprintf("%s -dc", programs[i]);
		return;
	}
}

pid_t
compress_start(const char *cmd, int in, int out)
{
	char *argv[] = {(char *)"sh", (char *)"-c", (char *)cmd, NULL};
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t all, none;
	pid_t pid = -1;
	int err;

	sigfillset(&all);
	sigemptyset(&none);
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&attr);
	posix_spawn_file_actions_adddup2(&fa, in, STDIN_FILENO);
	posix_spawn_file_actions_adddup2(&fa, out, STDOUT_FILENO);
	/* Nothing of fanout's but its stdin and stdout (and stderr). */
	posix_spawn_file_actions_addclosefrom_np(&fa, STDERR_FILENO + 1);
	posix_spawnattr_setflags(&attr,
	    POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK |
		POSIX_SPAWN_SETPGROUP);
	posix_spawnattr_setsigdefault(&attr, &all);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setpgroup(&attr, 0);
	err = posix_spawn(&pid, "/bin/sh", &fa, &attr, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	if (err) {
		errno = err;
		return -1;
	}
	return pid;
}

int
compress_pause(int fd, short events, int64_t since, volatile sig_atomic_t *stop)
{
	struct pollfd pfd = {fd, events, 0};

	if (*stop)
		return COMPRESS_STOP;
	if (util_now() - since > COMPRESS_STALL_NS)
		return COMPRESS_STALLED;
	if (poll(&pfd, 1, 100) < 0 && errno != EINTR)
		return COMPRESS_STALLED; /* cannot wait: as if it never moves */
	return *stop ? COMPRESS_STOP : 0;
}

/* Wait for pid for at most ms milliseconds: whether it ended. */
static bool
reap(pid_t pid, int *st, int ms)
{
	int step = 1, waited = 0;
	pid_t r;

	for (;;) {
		if ((r = waitpid(pid, st, WNOHANG)) == pid)
			return true;
		if (r < 0 && errno != EINTR)
			return true; /* not ours to wait for any more */
		if (waited >= ms)
			return false;
		poll(NULL, 0, step);
		waited += step;
		step = step < 50 ? step * 2 : 50;
	}
}

void
compress_kill(pid_t pid)
{
	int st;

	kill(-pid, SIGTERM);
	if (reap(pid, &st, 1000))
		return;
	kill(-pid, SIGKILL);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
}

/* Whether the file fd grew since *size was taken (updating it). */
static bool
grew(int fd, off_t *size)
{
	struct stat sb;

	if (fd < 0 || fstat(fd, &sb) < 0 || sb.st_size == *size)
		return false;
	*size = sb.st_size;
	return true;
}

int
compress_wait(pid_t pid, const char *cmd, volatile sig_atomic_t *stop, int out)
{
	int64_t since = util_now();
	off_t size = -1;
	int st;

	while (!reap(pid, &st, 100)) {
		if (grew(out, &size))
			since = util_now();
		if (!*stop && util_now() - since <= COMPRESS_STALL_NS)
			continue;
		compress_kill(pid);
		if (*stop || !cmd)
			return -1;
		return error("'%s' did nothing for %d s: it is stopped and a "
			     "job's output is lost",
		    cmd, (int)(COMPRESS_STALL_NS / 1000000000));
	}
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	if (!cmd)
		return -1;
	if (WIFSIGNALED(st))
		return error("'%s' was killed by signal %d: a job's output is "
			     "lost",
		    cmd, WTERMSIG(st));
	return error("'%s' failed with status %d: a job's output is lost", cmd,
	    WEXITSTATUS(st));
}
