#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "executor.h"
#include "spawn.h"
#include "util.h"
#include "xalloc.h"

struct spawner {
	struct executor ex; /* first: a spawner is an executor */
	posix_spawnattr_t attr;
	int devnull;
	/* The last command looked up in PATH, and where it was found. */
	char *name;
	char *path;
};

static const struct executor_ops spawn_ops;

struct executor *
spawn_executor_new(void)
{
	struct spawner *s = xcalloc(1, sizeof *s);
	sigset_t none, deflt;

	s->devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (s->devnull < 0)
		fatal("cannot open '/dev/null'");
	sigemptyset(&none);
	/* Whatever fanout catches or ignores, a job starts with defaults. */
	sigemptyset(&deflt);
	sigaddset(&deflt, SIGINT);
	sigaddset(&deflt, SIGTERM);
	sigaddset(&deflt, SIGHUP);
	sigaddset(&deflt, SIGCHLD);
	sigaddset(&deflt, SIGPIPE);
	sigaddset(&deflt, SIGQUIT);
	if (posix_spawnattr_init(&s->attr) ||
	    posix_spawnattr_setflags(&s->attr,
		POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
		    POSIX_SPAWN_SETSIGDEF) ||
	    posix_spawnattr_setpgroup(&s->attr, 0) ||
	    posix_spawnattr_setsigmask(&s->attr, &none) ||
	    posix_spawnattr_setsigdefault(&s->attr, &deflt))
		fatalx("cannot set up process spawning");
	s->ex.ops = &spawn_ops;
	s->ex.host = ":";
	return &s->ex;
}

static void
spawn_free(struct executor *ex)
{
	struct spawner *s = (struct spawner *)ex;

	posix_spawnattr_destroy(&s->attr);
	close(s->devnull);
	free(s->name);
	free(s->path);
	free(s);
}

struct spawn_proc {
	pid_t pid; /* also the process group */
	int out;
	int err;
};

static int start(struct spawner *, char *const *, char *const *, bool, int,
    struct spawn_proc *);

/*
 * Where PATH finds an executable file called name, or NULL. A job runs
 * the same few commands thousands of times: looking each one up once
 * saves posix_spawnp an execve per PATH entry before the right one.
 */
static const char *
resolve(struct spawner *s, const char *name)
{
	const char *path = getenv("PATH"), *p, *end;
	struct stat st;
	char *cand;

	if (strchr(name, '/'))
		return name;
	if (s->name && strcmp(s->name, name) == 0)
		return s->path;
	free(s->name);
	free(s->path);
	s->name = xstrdup(name);
	s->path = NULL;
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (p = path;; p = end + 1) {
		end = strchrnul(p, ':');
		cand = end == p ? xasprintf("./%s", name)
				: xasprintf("%.*s/%s", (int)(end - p), p, name);
		if (access(cand, X_OK) == 0 && stat(cand, &st) == 0 &&
		    S_ISREG(st.st_mode)) {
			s->path = cand;
			break;
		}
		free(cand);
		if (!*end)
			break;
	}
	return s->path;
}

/* Run a command too long for one argument: the shell reads it from a
 * memfd as SPAWN_SCRIPT_PATH. */
static int
start_script(
    struct spawner *s, const struct exec_cmd *cmd, struct spawn_proc *p)
{
	char *argv[] = {(char *)cmd->shell, (char *)SPAWN_SCRIPT_PATH, NULL};
	int fd, rc, saved;

	fd = memfd_create("fanout-command", MFD_CLOEXEC);
	if (fd < 0)
		return -1;
	if (util_write_all(fd, cmd->script, cmd->script_len, NULL) < 0 ||
	    lseek(fd, 0, SEEK_SET) < 0) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	rc = start(s, argv, cmd->envp, cmd->pipes, fd, p);
	saved = errno;
	close(fd);
	errno = saved;
	return rc;
}

static int
spawn_job(struct executor *ex, const struct exec_cmd *cmd, struct exec_job *job)
{
	struct spawner *s = (struct spawner *)ex;
	struct spawn_proc p;
	int rc;

	if (cmd->argv)
		rc = start(s, cmd->argv, cmd->envp, cmd->pipes, -1, &p);
	else
		rc = start_script(s, cmd, &p);
	job->id = p.pid;
	job->out = p.out;
	job->err = p.err;
	return rc;
}

static int
spawn_signal(struct executor *ex, const struct exec_job *job, int sig)
{
	(void)ex;
	if (job->id <= 0)
		return -1;
	return kill(-job->id, sig);
}

static int
spawn_reap(struct executor *ex, pid_t *id, int *status)
{
	pid_t pid;

	(void)ex;
	do
		pid = waitpid(-1, status, WNOHANG);
	while (pid < 0 && errno == EINTR);
	if (pid <= 0)
		return 0;
	*id = pid;
	return 1;
}

static const struct executor_ops spawn_ops = {
    .start = spawn_job,
    .signal = spawn_signal,
    .reap = spawn_reap,
    .free = spawn_free,
};

static int
start(struct spawner *s, char *const *argv, char *const *envp, bool pipes,
    int script, struct spawn_proc *p)
{
	posix_spawn_file_actions_t fa;
	int out[2] = {-1, -1}, err[2] = {-1, -1};
	const char *path;
	int rc, saved;

	p->pid = -1;
	p->out = p->err = -1;
	if (pipes && (pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0))
		goto fail;
	if ((rc = posix_spawn_file_actions_init(&fa)) != 0) {
		errno = rc;
		goto fail;
	}
	posix_spawn_file_actions_adddup2(&fa, s->devnull, STDIN_FILENO);
	if (pipes) {
		posix_spawn_file_actions_adddup2(&fa, out[1], STDOUT_FILENO);
		posix_spawn_file_actions_adddup2(&fa, err[1], STDERR_FILENO);
	}
	if (script >= 0)
		posix_spawn_file_actions_adddup2(&fa, script, SPAWN_SCRIPT_FD);
	path = resolve(s, argv[0]);
	if (path)
		rc = posix_spawn(&p->pid, path, &fa, &s->attr, argv, envp);
	else /* not found: let posix_spawnp say why */
		rc = posix_spawnp(&p->pid, argv[0], &fa, &s->attr, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	if (pipes) {
		close(out[1]);
		close(err[1]);
		out[1] = err[1] = -1;
	}
	if (rc == EAGAIN || rc == ENOMEM || rc == EMFILE || rc == ENFILE) {
		errno = rc;
		goto fail;
	}
	if (rc != 0) {
		/* The child could not exec: the job runs no command. */
		if (pipes) {
			close(out[0]);
			close(err[0]);
		}
		p->pid = -1;
		return rc;
	}
	p->out = out[0];
	p->err = err[0];
	return 0;
fail:
	saved = errno;
	for (int i = 0; i < 2; i++) {
		if (out[i] >= 0)
			close(out[i]);
		if (err[i] >= 0)
			close(err[i]);
	}
	errno = saved;
	return -1;
}
