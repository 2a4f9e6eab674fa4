#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proc.h"
#include "util.h"
#include "xalloc.h"

#define STDIN_PIPE_SIZE (1024 * 1024)

struct proc_starter {
	int devnull;
	int tty; /* --tty: /dev/tty; -1: none; TTY_UNTRIED: not opened yet */
	/* The last command looked up in PATH, and where it was found. */
	char *name;
	char *path;
	sigset_t ignored; /* signals a job starts with ignored */
};

#define TTY_UNTRIED (-2)

struct proc_starter *
proc_starter_new(const sigset_t *ignored)
{
	struct proc_starter *s = xcalloc(1, sizeof *s);

	s->tty = TTY_UNTRIED;
	s->devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (s->devnull < 0)
		fatal("cannot open '/dev/null'");
	s->ignored = *ignored;
	return s;
}

/*
 * --tty: the terminal's foreground goes back to fanout's process group
 * (from a job's), with SIGTTOU blocked: fanout may be in the background
 * of the terminal now.
 */
static void
give_back_tty(int tty)
{
	sigset_t ttou, old;

	sigemptyset(&ttou);
	sigaddset(&ttou, SIGTTOU);
	pthread_sigmask(SIG_BLOCK, &ttou, &old);
	(void)tcsetpgrp(tty, getpgrp());
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

/* --tty: the terminal, opened once; -1 when fanout has none. */
static int
tty_of(struct proc_starter *s)
{
	if (s->tty == TTY_UNTRIED)
		s->tty = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
	return s->tty;
}

void
proc_starter_free(struct proc_starter *s)
{
	if (!s)
		return;
	close(s->devnull);
	if (s->tty >= 0) {
		give_back_tty(s->tty);
		close(s->tty);
	}
	free(s->name);
	free(s->path);
	free(s);
}

static int start(struct proc_starter *, const struct exec_cmd *, char *const *,
    int, int, struct proc *);

/* Drop the remembered lookup. */
static void
forget(struct proc_starter *s)
{
	free(s->name);
	free(s->path);
	s->name = s->path = NULL;
}

/*
 * Where PATH finds an executable file called name, or NULL with errno
 * ENOENT (none there) or EACCES (one there, not executable), as execvp
 * would say. A job runs the same few commands thousands of times: the
 * last one found is remembered (start() looks again when it is gone),
 * which saves an execve per PATH entry before the right one.
 */
static const char *
resolve(struct proc_starter *s, const char *name)
{
	if (strchr(name, '/'))
		return name;
	if (s->path && strcmp(s->name, name) == 0)
		return s->path;
	forget(s);
	s->name = xstrdup(name);
	s->path = util_path_search(name);
	return s->path;
}

/*
 * The descriptor a job's shell reads a script from: one of 3..9 that
 * fanout was not given open (the job gets those as they are), so that
 * the script's first line can close it for everything the job runs
 * (sh redirects one digit only); else -1.
 */
static int
script_fd_number(void)
{
	int fd, flags;

	for (fd = 3; fd <= 9; fd++) {
		flags = fcntl(fd, F_GETFD);
		if (flags < 0 || (flags & FD_CLOEXEC))
			return fd;
	}
	return -1;
}

/*
 * Run a command too long for one argument: the shell reads it as a
 * script from a memfd, read-only (the job cannot rewrite what its shell
 * is reading), as /dev/fd/N.
 */
static int
start_script(struct proc_starter *s, const struct exec_cmd *cmd, struct proc *p)
{
	char *argv[] = {(char *)cmd->shell, NULL, NULL};
	char *path, prefix[16] = "";
	int fd, ro, num, rc, saved;

	fd = memfd_create("fanout-command", MFD_CLOEXEC);
	if (fd < 0)
		return -1;
	num = script_fd_number();
	if (num >= 0)
		snprintf(prefix, sizeof prefix, "exec %d<&-\n", num);
	if (util_write_all(fd, prefix, strlen(prefix), NULL) < 0 ||
	    util_write_all(fd, cmd->script, cmd->script_len, NULL) < 0) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	path = xasprintf("/proc/self/fd/%d", fd);
	ro = open(path, O_RDONLY | O_CLOEXEC);
	free(path);
	if (ro >= 0)
		close(fd);
	else if (lseek(fd, 0, SEEK_SET) == 0)
		ro = fd; /* no /proc: the read-write one, from its start */
	else {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	if (num < 0)
		num = ro;
	path = xasprintf("/dev/fd/%d", num);
	argv[1] = path;
	rc = start(s, cmd, argv, ro, num, p);
	saved = errno;
	free(path);
	close(ro);
	errno = saved;
	return rc;
}

/*
 * What the child of vfork() does before it is the job: everything it
 * needs was prepared by the parent, whose memory it shares and which is
 * suspended until the execve (or _exit).
 */
struct child_args {
	const char *path;
	char *const *argv;
	char *const *envp;
	int fds[3]; /* what becomes 0, 1, 2; -1: leave */
	int script; /* a script's descriptor, to become script_as; or -1 */
	int script_as;
	sigset_t mask; /* the job's signal mask */
	const sigset_t *ignored; /* what the job starts with ignored */
	const char *cwd; /* NULL: stay */
	int err; /* the child's errno when it could not exec, else 0 */
	bool in_cwd; /* err came from changing to cwd */
	int report; /* FORK_REPORTS: where the child writes err; or -1 */
	int tty; /* --tty: the terminal the job takes the foreground of; -1 */
};

/*
 * ThreadSanitizer turns vfork() into fork(): what the child writes in
 * its memory the parent never sees. Its err and in_cwd come back through
 * a close-on-exec pipe then (nothing read: execve worked). Not in other
 * builds: a pipe per job is not free.
 */
#if defined(__SANITIZE_THREAD__)
#define FORK_REPORTS 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define FORK_REPORTS 1
#endif
#endif

/*
 * Signals fanout ignores, or set to default from ignored: execve would
 * keep fanout's choice. (Those fanout catches, execve puts back to
 * default; they stay blocked until then.)
 */
static const int reset_signals[] = {SIGPIPE, SIGCHLD};

/* Make fd descriptor number to, without close-on-exec. */
static int
move_fd(int fd, int to)
{
	/* dup2 onto itself would keep close-on-exec set. */
	return fd == to ? fcntl(fd, F_SETFD, 0) : dup2(fd, to);
}

/* Give sig the action a job starts with: ignored as at fanout's start, or
 * the default. */
static int
job_action(const struct child_args *a, int sig)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	/*
	 * Not SIGCHLD: ignored, it would have the kernel reap a job's own
	 * children, and its wait() calls fail (a shell loses their status).
	 */
	sa.sa_handler =
	    sig != SIGCHLD && sigismember(a->ignored, sig) ? SIG_IGN : SIG_DFL;
	return sigaction(sig, &sa, NULL);
}

static _Noreturn void
child(struct child_args *a)
{
	struct sigaction ign;
	sigset_t pending;
	size_t i;
	int sig;

	/*
	 * Out of fanout's process group first: a ^Z (or any signal) sent to
	 * the group from now on does not reach this child, which fanout
	 * waits for. One that came before is pending (all are blocked),
	 * and was fanout's (which got it too): thrown away by ignoring it
	 * for a moment. A stop signal would stop the child in a group no
	 * SIGCONT is sent to, and fanout, in vfork(), with it; another
	 * would end the job, or run fanout's handler in fanout's memory.
	 */
	if (setpgid(0, 0) < 0 || sigpending(&pending) < 0)
		goto fail;
	/*
	 * --tty: the job's group is the terminal's foreground, so that it
	 * can read it (SIGTTOU is blocked here, as every signal is). Not
	 * an error when fanout is in no session of that terminal.
	 */
	if (a->tty >= 0)
		(void)tcsetpgrp(a->tty, getpid());
	memset(&ign, 0, sizeof ign);
	ign.sa_handler = SIG_IGN;
	for (sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP &&
		    sigismember(&pending, sig) &&
		    (sigaction(sig, &ign, NULL) < 0 || job_action(a, sig) < 0))
			goto fail;
	for (i = 0; i < sizeof reset_signals / sizeof *reset_signals; i++)
		if (job_action(a, reset_signals[i]) < 0)
			goto fail;
	for (i = 0; i < sizeof a->fds / sizeof *a->fds; i++)
		if (a->fds[i] >= 0 && move_fd(a->fds[i], (int)i) < 0)
			goto fail;
	/* Last: the script may take the number of a descriptor above. */
	if (a->script >= 0 && move_fd(a->script, a->script_as) < 0)
		goto fail;
	if (a->cwd && chdir(a->cwd) < 0) {
		a->in_cwd = true;
		goto fail;
	}
	if ((errno = pthread_sigmask(SIG_SETMASK, &a->mask, NULL)) != 0)
		goto fail;
	execve(a->path, a->argv, a->envp);
fail:
	a->err = errno;
	if (a->report >= 0) {
		int msg[2] = {a->err, a->in_cwd};

		(void)!write(a->report, msg, sizeof msg);
	}
	_exit(127);
}

/*
 * vfork() rather than posix_spawn(): glibc's child also puts every one
 * of the 64 signals back to its default, two system calls each, while
 * the parent waits; this child resets the six fanout touches. On 3000
 * trivial jobs that is a quarter of the time a spawn takes.
 */
static __attribute__((noinline)) pid_t
vfork_exec(struct child_args *a)
{
	pid_t pid = vfork();

	if (pid == 0)
		child(a);
	return pid;
}

/* Close one end of a pipe, if it is open. */
static void
close_end(int pipe[2], int end)
{
	if (pipe[end] >= 0) {
		close(pipe[end]);
		pipe[end] = -1;
	}
}

/* Start the child for a: its pid, or -1 with errno. */
static pid_t
spawn_child(struct child_args *a)
{
	pid_t pid;
	int saved;

	/*
	 * No handler may run in the child while it shares fanout's memory:
	 * the caller has every signal blocked (proc_start()), and the child
	 * keeps them so until it has put them back to default.
	 */
#ifdef FORK_REPORTS
	int rep[2], msg[2];

	if (pipe2(rep, O_CLOEXEC) < 0)
		rep[0] = rep[1] = -1;
	a->report = rep[1];
	pid = vfork_exec(a);
	saved = errno;
	if (rep[1] >= 0) {
		close(rep[1]);
		if (pid > 0 && read(rep[0], msg, sizeof msg) == sizeof msg) {
			a->err = msg[0];
			a->in_cwd = msg[1];
		}
		close(rep[0]);
	}
	a->report = -1;
#else
	pid = vfork_exec(a);
	saved = errno;
#endif
	errno = saved;
	return pid;
}

/*
 * --pipe-part, a range that goes to the end of its file with nothing
 * before it: the job reads the file itself, opened afresh (an offset of
 * its own) at the range's start, and nothing passes through a pipe. A
 * descriptor the caller closes, or -1.
 */
static int
direct_range(const struct exec_cmd *cmd)
{
	const struct exec_range *r = cmd->input_ranges;
	struct stat st;
	char path[32];
	int fd;

	if (cmd->input_nranges != 1 || cmd->input_len || cmd->input_fifo ||
	    fstat(r->fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    r->off + r->len != st.st_size)
		return -1;
	snprintf(path, sizeof path, "/proc/self/fd/%d", r->fd);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	if (lseek(fd, (off_t)r->off, SEEK_SET) == (off_t)r->off)
		return fd;
	close(fd);
	return -1;
}

/* Whether the job's input goes to a pipe on its stdin. */
static bool
stdin_pipe(const struct exec_cmd *cmd)
{
	return (cmd->input || cmd->input_nranges) && !cmd->input_fifo;
}

/*
 * The pipe to a job's stdin, its write end non-blocking. For an input of
 * megabytes (--pipe) as large as a user may make one without privilege
 * (1M by default), for fewer wake-ups at both ends; not for small ones,
 * which would only use up the user's allowance of pipe memory.
 */
static int
make_stdin(const struct exec_cmd *cmd, int in[2])
{
	uint64_t size = cmd->input_len;
	size_t i;

	if (pipe2(in, O_CLOEXEC) < 0)
		return -1;
	for (i = 0; i < cmd->input_nranges; i++)
		size += (uint64_t)cmd->input_ranges[i].len;
	if (size >= STDIN_PIPE_SIZE / 4)
		(void)fcntl(in[1], F_SETPIPE_SZ, STDIN_PIPE_SIZE);
	return fcntl(in[1], F_SETFL, O_NONBLOCK);
}

/*
 * What the job's stdin is: the file of a direct range (*direct, which
 * the caller closes), the read end of a new pipe in, or /dev/null; -1
 * with errno.
 */
static int
job_stdin(
    struct proc_starter *s, const struct exec_cmd *cmd, int in[2], int *direct)
{
	if ((*direct = direct_range(cmd)) >= 0)
		return *direct;
	if (!stdin_pipe(cmd))
		return s->devnull;
	return make_stdin(cmd, in) < 0 ? -1 : in[0];
}

static int
start(struct proc_starter *s, const struct exec_cmd *cmd, char *const *argv,
    int script, int script_as, struct proc *p)
{
	struct child_args a = {.argv = argv,
	    .envp = cmd->envp,
	    .cwd = cmd->cwd,
	    .report = -1,
	    .tty = cmd->tty ? tty_of(s) : -1};
	int out[2] = {-1, -1}, err[2] = {-1, -1}, in[2] = {-1, -1};
	bool pipes = cmd->pipes;
	int saved, direct = -1;
	pid_t pid;

	p->pid = -1;
	p->out = p->err = p->in = -1;
	p->in_cwd = false;
	a.path = resolve(s, argv[0]);
	if (!a.path)
		return errno; /* the job runs no command */
	if (pipes &&
	    ((!cmd->out_null && pipe2(out, O_CLOEXEC) < 0) ||
		pipe2(err, O_CLOEXEC) < 0))
		goto fail;
	if ((a.fds[STDIN_FILENO] = job_stdin(s, cmd, in, &direct)) < 0)
		goto fail;
	/* --tty: a job that reads nothing else reads the terminal. */
	if (a.fds[STDIN_FILENO] == s->devnull && a.tty >= 0)
		a.fds[STDIN_FILENO] = a.tty;
	a.fds[STDOUT_FILENO] = pipes && cmd->out_null ? s->devnull : out[1];
	a.fds[STDERR_FILENO] = err[1];
	a.script = script;
	a.script_as = script_as;
	a.ignored = &s->ignored;
	sigemptyset(&a.mask);
	pid = spawn_child(&a);
	if (pid > 0 && a.path == s->path && !a.in_cwd &&
	    (a.err == ENOENT || a.err == EACCES || a.err == ENOTDIR)) {
		/* What PATH gave last time is gone: look again, once. */
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
		forget(s);
		a.path = resolve(s, argv[0]);
		a.err = a.path ? 0 : errno;
		pid = a.path ? spawn_child(&a) : 0;
	}
	if (pid > 0 && a.err == ENOEXEC && !a.in_cwd) {
		/* A script without "#!": the shell runs it, as execvp does. */
		size_t n = 0;
		char **shv;

		while (argv[n])
			n++;
		shv = xcalloc(n + 2, sizeof *shv);
		shv[0] = (char *)"sh";
		shv[1] = (char *)a.path;
		memcpy(shv + 2, argv + 1, n * sizeof *shv); /* with the NULL */
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
		a.path = "/bin/sh";
		a.argv = shv;
		a.err = 0;
		pid = spawn_child(&a);
		free(shv);
	}
	saved = errno;
	close_end(out, 1);
	close_end(err, 1);
	close_end(in, 0);
	if (direct >= 0)
		close(direct);
	direct = -1;
	if (pid < 0) {
		errno = saved;
		goto fail;
	}
	if (a.err) {
		/* The child could not exec: the job runs no command. */
		while (pid > 0 && waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
		close_end(out, 0);
		close_end(err, 0);
		close_end(in, 1);
		p->in_cwd = a.in_cwd;
		return a.err;
	}
	p->pid = pid;
	p->out = out[0];
	p->err = err[0];
	p->in = in[1];
	return 0;
fail:
	saved = errno;
	if (direct >= 0)
		close(direct);
	for (int i = 0; i < 2; i++) {
		close_end(out, i);
		close_end(err, i);
		close_end(in, i);
	}
	errno = saved;
	return -1;
}

int
proc_start(struct proc_starter *s, const struct exec_cmd *cmd, struct proc *p)
{
	if (cmd->argv)
		return start(s, cmd, cmd->argv, -1, -1, p);
	return start_script(s, cmd, p);
}
