#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
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
compress_wait(pid_t pid, const char *cmd)
{
	int st;

	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return cmd ? error("cannot wait for '%s': %s", cmd,
					 strerror(errno))
				   : -1;
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
