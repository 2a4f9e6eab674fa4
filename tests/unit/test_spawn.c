/*
 * Unit tests for src/spawn.c, the local executor, through the executor
 * interface only (executor.h): a small loop here prepares a poll set,
 * polls and dispatches, as sched.c does, and records each job's events
 * so a test can check their order, the bytes of each stream, the exit
 * value or signal and why a job failed.
 *
 * The test is a child subreaper: what a job leaves behind (a background
 * grandchild) comes to it, to be killed and reaped by its process group.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "executor.h"
#include "spawn.h"
#include "xalloc.h"
#include "unit.h"

extern char **environ;

/* Poll descriptors a round may use; rounds before a test gives up. */
#define ROOM 256
#define MAX_ROUNDS 2000
#define ROUND_MS 50

/*
 * One job as the test sees it: the handle start() is given (cast to a
 * struct job *, which the executor never looks into).
 */
struct rec {
	const char *name;
	void *state; /* the executor's, from start() */
	/* Events in order, s(tarted) o(utput) x(exited) c(losed) f(ailed)
	 * l(ost); a run of outputs is one o. */
	char log[16];
	size_t nlog;
	struct buf out[3]; /* [1] stdout, [2] stderr */
	size_t noutput; /* output events */
	int exitval, sig;
	int err; /* failed: its exit value */
	char *what; /* and why */
	bool over;
	int late; /* events after it was over, or before started */
	size_t want; /* out_reached(): bytes of stdout to wait for */
	bool hold; /* output() says EXEC_OUTPUT_HELD, once */
	/* What its handlers do, as a scheduler's would: */
	struct executor *ex;
	bool abandon_at_exit; /* abandon() it once it exited */
	struct rec *next; /* start next (script next_script) once over */
	const char *next_script;
};

static char tmpdir[] = "/tmp/fanout-unit-XXXXXX";

static int start_sh(struct executor *, struct rec *, const char *);

static struct rec *
rec_of(struct job *job)
{
	return (struct rec *)(void *)job;
}

static struct job *
job_of(struct rec *r)
{
	return (struct job *)(void *)r;
}

static void
rec_init(struct rec *r, const char *name)
{
	memset(r, 0, sizeof *r);
	r->name = name;
	buf_init(&r->out[1]);
	buf_init(&r->out[2]);
	r->exitval = r->sig = -1;
}

static void
rec_release(struct rec *r)
{
	buf_release(&r->out[1]);
	buf_release(&r->out[2]);
	free(r->what);
}

/* Add event c to r's log, and say so when it breaks the order. */
static void
note(struct rec *r, char c)
{
	if (r->over || (r->nlog == 0 && c != 's' && c != 'f' && c != 'l')) {
		fprintf(stderr, "%s: event %c after %.*s\n", r->name, c,
		    (int)r->nlog, r->log);
		r->late++;
	}
	if (c == 'o' && r->nlog && r->log[r->nlog - 1] == 'o')
		return;
	if (r->nlog < sizeof r->log - 1)
		r->log[r->nlog++] = c;
}

static size_t
count(const struct rec *r, char c)
{
	size_t i, n = 0;

	for (i = 0; i < r->nlog; i++)
		n += r->log[i] == c;
	return n;
}

static void
on_started(void *arg, struct job *job)
{
	(void)arg;
	note(rec_of(job), 's');
}

static int
on_output(void *arg, struct job *job, int stream, const void *p, size_t n)
{
	struct rec *r = rec_of(job);

	(void)arg;
	note(r, 'o');
	if ((stream == 1 || stream == 2) && count(r, 'c') == 0) {
		buf_add(&r->out[stream], p, n);
		r->noutput++;
	} else
		r->late++;
	if (r->hold) {
		r->hold = false;
		return EXEC_OUTPUT_HELD;
	}
	return 0;
}

static long
on_splice(void *arg, struct job *job, int stream, int fd)
{
	(void)arg;
	(void)job;
	(void)stream;
	(void)fd;
	return EXEC_NO_SPLICE;
}

/* From a handler: start the job that comes after r, once r is over. */
static void
then_next(struct rec *r)
{
	if (r->over && r->next)
		CHECK_INT(start_sh(r->ex, r->next, r->next_script), 0);
}

static void
on_exited(void *arg, struct job *job, int exitval, int sig)
{
	struct rec *r = rec_of(job);

	(void)arg;
	note(r, 'x');
	r->exitval = exitval;
	r->sig = sig;
	r->over = count(r, 'c') > 0;
	if (r->abandon_at_exit && !r->over)
		r->ex->ops->abandon(r->ex, r->state);
	then_next(r);
}

static void
on_closed(void *arg, struct job *job)
{
	struct rec *r = rec_of(job);

	(void)arg;
	note(r, 'c');
	r->over = count(r, 'x') > 0;
	then_next(r);
}

static void
on_failed(void *arg, struct job *job, int exitval, const char *why)
{
	struct rec *r = rec_of(job);

	(void)arg;
	note(r, 'f');
	r->err = exitval;
	r->what = xstrdup(why);
	r->over = true;
}

static void
on_lost(void *arg, struct job *job, const char *why)
{
	struct rec *r = rec_of(job);

	(void)arg;
	(void)why;
	note(r, 'l');
	r->over = true;
}

static const struct exec_events events = {
    .started = on_started,
    .output = on_output,
    .splice = on_splice,
    .exited = on_exited,
    .closed = on_closed,
    .failed = on_failed,
    .lost = on_lost,
};

/* An executor whose jobs start with sig ignored (0: none). */
static struct executor *
executor_ignoring(int sig)
{
	struct executor *ex;
	sigset_t ignored;

	sigemptyset(&ignored);
	if (sig)
		sigaddset(&ignored, sig);
	ex = spawn_executor_new(&ignored);
	ex->ev = &events;
	return ex;
}

static struct executor *
executor_new(void)
{
	return executor_ignoring(0);
}

/* Start cmd for r. */
static int
start_cmd(struct executor *ex, struct rec *r, const struct exec_cmd *cmd)
{
	return ex->ops->start(ex, job_of(r), cmd, &r->state);
}

/* Start argv for r, its stdin input[0..len) (input NULL: /dev/null). */
static int
start(struct executor *ex, struct rec *r, const char *const *argv,
    const char *input, size_t len)
{
	struct exec_cmd cmd = {
	    .argv = (char *const *)argv,
	    .envp = environ,
	    .input = input,
	    .input_len = len,
	    .pipes = true,
	};

	return start_cmd(ex, r, &cmd);
}

/* Start the shell command script for r. */
static int
start_sh(struct executor *ex, struct rec *r, const char *script)
{
	const char *argv[] = {"/bin/sh", "-c", script, NULL};

	return start(ex, r, argv, NULL, 0);
}

/* One round of the loop: prepare, poll (timeout ms at most), dispatch. */
static void
round_once(struct executor *ex, int timeout)
{
	struct pollfd pfd[ROOM];
	size_t n;

	n = ex->ops->prepare(ex, pfd, ROOM, &timeout);
	if (poll(pfd, (nfds_t)n, timeout) < 0 && errno != EINTR) {
		perror("poll");
		exit(2);
	}
	ex->ops->dispatch(ex, pfd, n);
}

static bool
is_over(const struct rec *r)
{
	return r->over;
}

static bool
has_started(const struct rec *r)
{
	return r->nlog > 0;
}

static bool
has_exited(const struct rec *r)
{
	return count(r, 'x') > 0;
}

static bool
out_reached(const struct rec *r)
{
	return r->out[1].len >= r->want;
}

/* Run rounds until done(r): false, and a failed check, if it never is. */
static bool
run_until(struct executor *ex, struct rec *r, bool (*done)(const struct rec *))
{
	int i;

	for (i = 0; i < MAX_ROUNDS && !done(r); i++)
		round_once(ex, ROUND_MS);
	if (done(r))
		return true;
	fprintf(stderr, "%s: gave up after %d rounds, events %.*s\n", r->name,
	    MAX_ROUNDS, (int)r->nlog, r->log);
	CHECK(!"the job got where it should");
	return false;
}

/* The job's life as executor.h has it: started, then exited and closed
 * once each (either order), no output after closed, nothing after. */
static void
check_life(const struct rec *r)
{
	const char *c = memchr(r->log, 'c', r->nlog);

	CHECK(r->nlog > 0 && r->log[0] == 's');
	CHECK_INT(count(r, 's'), 1);
	CHECK_INT(count(r, 'x'), 1);
	CHECK_INT(count(r, 'c'), 1);
	CHECK_INT(count(r, 'f') + count(r, 'l'), 0);
	CHECK(c && !memchr(c, 'o', r->nlog - (size_t)(c - r->log)));
	CHECK_INT(r->late, 0);
	CHECK(r->over);
}

/* Stdout, stderr, an exit value, and the order of events. */
static void
test_streams_and_exit(void)
{
	struct executor *ex = executor_new();
	struct rec r;

	rec_init(&r, "streams");
	CHECK_INT(
	    start_sh(ex, &r, "printf 'a\\nb'; printf err >&2; exit 3"), 0);
	if (run_until(ex, &r, is_over)) {
		check_life(&r);
		CHECK_STR(r.out[1].data, "a\nb");
		CHECK_STR(r.out[2].data, "err");
		CHECK_INT(r.exitval, 3);
		CHECK_INT(r.sig, 0);
	}
	ex->ops->free(ex);
	rec_release(&r);
}

/* A job killed by a signal: by itself, and through signal(). */
static void
test_signalled(void)
{
	struct executor *ex = executor_new();
	const char *sleep_argv[] = {"sleep", "1000", NULL};
	struct rec self, term;

	rec_init(&self, "kill self");
	CHECK_INT(start_sh(ex, &self, "kill -TERM $$; echo survived"), 0);
	if (run_until(ex, &self, is_over)) {
		check_life(&self);
		CHECK_INT(self.sig, SIGTERM);
		CHECK_INT(self.exitval, 0);
		CHECK_STR(self.out[1].data, NULL);
	}
	rec_init(&term, "signal()");
	CHECK_INT(start(ex, &term, sleep_argv, NULL, 0), 0);
	if (run_until(ex, &term, has_started)) {
		CHECK_INT(ex->ops->signal(ex, term.state, SIGTERM), 0);
		if (run_until(ex, &term, is_over)) {
			check_life(&term);
			CHECK_INT(term.sig, SIGTERM);
			CHECK_INT(term.exitval, 0);
		}
	}
	ex->ops->free(ex);
	rec_release(&self);
	rec_release(&term);
}

/* Reap what of process group pgid came to the test; none is left. */
static void
reap_group(pid_t pgid)
{
	int i;

	for (i = 0; i < 1000 && waitpid(-pgid, NULL, 0) > 0; i++)
		;
	CHECK(kill(-pgid, 0) < 0 && errno == ESRCH);
}

/* Kill process group pgid and reap what of it came to the test. */
static void
kill_group(pid_t pgid)
{
	CHECK_INT(kill(-pgid, SIGKILL), 0);
	reap_group(pgid);
}

/* signal() reaches every process of the job, not its command alone. */
static void
test_signal_group(void)
{
	struct executor *ex = executor_new();
	struct rec r;
	pid_t pgid;

	rec_init(&r, "signal() to the group");
	/* The background sleep, in the group once $$ is out, holds the
	 * pipes: closed needs it dead. */
	CHECK_INT(start_sh(ex, &r, "sleep 1000 & echo $$; wait"), 0);
	r.want = 2;
	if (!run_until(ex, &r, out_reached))
		goto out;
	pgid = (pid_t)atol(r.out[1].data);
	CHECK(pgid > 0);
	CHECK_INT(ex->ops->signal(ex, r.state, SIGTERM), 0);
	if (run_until(ex, &r, is_over)) {
		check_life(&r);
		CHECK_INT(r.sig, SIGTERM);
	} else if (pgid > 0)
		kill(-pgid, SIGKILL);
	if (pgid > 0)
		reap_group(pgid);
out:
	ex->ops->free(ex);
	rec_release(&r);
}

/* Write a file of mode mode holding text at tmpdir/name: its path. */
static char *
make_file(const char *name, const char *text, mode_t mode)
{
	char *path = xasprintf("%s/%s", tmpdir, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	CHECK(
	    fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text));
	close(fd);
	return path;
}

/*
 * Check that r failed, err (an errno) for what, as a shell says it: 127
 * "what: command not found" or 126 "what: strerror"; nothing else came.
 */
static void
check_failed(const struct rec *r, int err, const char *what)
{
	char *why = err == ENOENT ? xasprintf("%s: command not found", what)
				  : xasprintf("%s: %s", what, strerror(err));

	CHECK_INT(r->nlog, 1);
	CHECK(r->log[0] == 'f');
	CHECK_INT(r->err, err == ENOENT ? 127 : 126);
	CHECK_STR(r->what, why);
	free(why);
	CHECK_INT(r->noutput, 0);
	CHECK_INT(r->late, 0);
}

/* A command that cannot run is accepted, then failed (with why). */
static void
test_cannot_run(void)
{
	struct executor *ex = executor_new();
	const char *none[] = {"fanout-no-such-command", "x", NULL};
	char *path = make_file("not-executable", "echo hi\n", 0644);
	const char *noexec[] = {path, NULL};
	struct rec gone, denied, fine;
	int i;

	rec_init(&gone, "not found");
	rec_init(&denied, "not executable");
	rec_init(&fine, "runs");
	CHECK_INT(start(ex, &gone, none, NULL, 0), 0);
	CHECK_INT(start(ex, &denied, noexec, NULL, 0), 0);
	CHECK_INT(start_sh(ex, &fine, "echo ok"), 0);
	/* Nothing before the next dispatch. */
	CHECK_INT(gone.nlog + denied.nlog, 0);
	round_once(ex, 0);
	CHECK(gone.over && denied.over);
	if (run_until(ex, &fine, is_over)) {
		check_life(&fine);
		CHECK_STR(fine.out[1].data, "ok\n");
	}
	for (i = 0; i < 3; i++)
		round_once(ex, 0);
	check_failed(&gone, ENOENT, "fanout-no-such-command");
	check_failed(&denied, EACCES, path);
	ex->ops->free(ex);
	unlink(path);
	free(path);
	rec_release(&gone);
	rec_release(&denied);
	rec_release(&fine);
}

/* Start cmd, which cannot run: check it failed, err for what. */
static void
check_cannot(
    struct executor *ex, const struct exec_cmd *cmd, int err, const char *what)
{
	struct rec r;
	int i;

	rec_init(&r, what);
	CHECK_INT(start_cmd(ex, &r, cmd), 0);
	for (i = 0; i < 3; i++)
		round_once(ex, 0);
	check_failed(&r, err, what);
	rec_release(&r);
}

/*
 * Found in PATH but not executable; a command PATH gave last time and
 * that is gone since; a script whose shell is missing.
 */
static void
test_cannot_run_path(void)
{
	struct executor *ex = executor_new();
	const char *denied[] = {"fanout-unit-denied", NULL};
	const char *gone[] = {"fanout-unit-gone", NULL};
	const char *script = "echo hi";
	char *old = xstrdup(getenv("PATH") ? getenv("PATH") : "/bin:/usr/bin");
	char *path = xasprintf("%s:%s", tmpdir, old);
	char *f1 = make_file("fanout-unit-denied", "echo hi\n", 0644);
	char *f2 =
	    make_file("fanout-unit-gone", "#!/bin/sh\necho here\n", 0755);
	struct exec_cmd cmd = {.envp = environ, .pipes = true};
	struct rec r;

	setenv("PATH", path, 1);
	cmd.argv = (char *const *)denied;
	check_cannot(ex, &cmd, EACCES, "fanout-unit-denied");
	rec_init(&r, "there");
	CHECK_INT(start(ex, &r, gone, NULL, 0), 0);
	if (run_until(ex, &r, is_over)) {
		check_life(&r);
		CHECK_STR(r.out[1].data, "here\n");
	}
	rec_release(&r);
	unlink(f2);
	cmd.argv = (char *const *)gone;
	check_cannot(ex, &cmd, ENOENT, "fanout-unit-gone");
	setenv("PATH", old, 1);
	cmd.argv = NULL;
	cmd.shell = "/nonexistent/fanout-unit-sh";
	cmd.script = script;
	cmd.script_len = strlen(script);
	check_cannot(ex, &cmd, ENOENT, cmd.shell);
	ex->ops->free(ex);
	unlink(f1);
	free(f1);
	free(f2);
	free(path);
	free(old);
}

/* A job given input[0..len) on stdin: cat gives the same bytes back. */
static void
check_cat(struct executor *ex, const char *input, size_t len)
{
	const char *cat[] = {"cat", NULL};
	struct rec r;

	rec_init(&r, "cat");
	CHECK_INT(start(ex, &r, cat, input, len), 0);
	if (run_until(ex, &r, is_over)) {
		check_life(&r);
		/* An empty buffer's data is NULL, as is no input. */
		CHECK_MEM(r.out[1].len ? r.out[1].data : "", r.out[1].len,
		    len ? input : "", len);
		CHECK_INT(r.out[2].len, 0);
		CHECK_INT(r.exitval, 0);
		CHECK_INT(r.sig, 0);
	}
	rec_release(&r);
}

/* A job's stdin: the input given, then end of file; or /dev/null. */
/* A job runs in cmd.cwd; one that does not exist fails the job (1). */
static void
test_cwd(void)
{
	struct executor *ex = executor_new();
	const char *pwd[] = {"/bin/sh", "-c", "pwd", NULL};
	struct exec_cmd cmd = {
	    .argv = (char *const *)pwd, .envp = environ, .pipes = true};
	char *want = xasprintf("%s\n", tmpdir);
	char *missing = xasprintf("%s/no-such-dir", tmpdir);
	char *why = xasprintf(
	    "cannot change to directory '%s': %s", missing, strerror(ENOENT));
	struct rec r, bad;
	int i;

	rec_init(&r, "in cwd");
	cmd.cwd = tmpdir;
	CHECK_INT(start_cmd(ex, &r, &cmd), 0);
	if (run_until(ex, &r, is_over)) {
		check_life(&r);
		CHECK_STR(r.out[1].data, want);
	}
	rec_init(&bad, "no cwd");
	cmd.cwd = missing;
	CHECK_INT(start_cmd(ex, &bad, &cmd), 0);
	for (i = 0; i < 3; i++)
		round_once(ex, 0);
	CHECK_INT(bad.nlog, 1);
	CHECK_INT(bad.err, 1);
	CHECK_STR(bad.what, why);
	rec_release(&r);
	rec_release(&bad);
	ex->ops->free(ex);
	free(want);
	free(missing);
	free(why);
}

static void
test_input(void)
{
	struct executor *ex = executor_new();
	size_t i, big = 1024 * 1024;
	char *pattern = xmalloc(big);
	struct rec deaf;

	for (i = 0; i < big; i++)
		pattern[i] = (char)('a' + i % 23 + (i / 4099) % 3);
	check_cat(ex, "hello\nworld\n", 12);
	check_cat(ex, pattern, big);
	check_cat(ex, NULL, 0);
	check_cat(ex, "", 0);
	/* A job that reads none of a big input: no SIGPIPE, no hang. */
	rec_init(&deaf, "deaf");
	{
		const char *argv[] = {"/bin/sh", "-c", "echo done", NULL};

		CHECK_INT(start(ex, &deaf, argv, pattern, big), 0);
	}
	if (run_until(ex, &deaf, is_over)) {
		check_life(&deaf);
		CHECK_STR(deaf.out[1].data, "done\n");
		CHECK_INT(deaf.exitval, 0);
	}
	rec_release(&deaf);
	ex->ops->free(ex);
	free(pattern);
}

/* The executor reaps its own children only, never one of the test's. */
static void
test_foreign_child(void)
{
	struct executor *ex = executor_new();
	siginfo_t info;
	struct rec r;
	pid_t pid, got;
	int st = 0;

	pid = fork();
	if (pid == 0)
		_exit(42);
	CHECK(pid > 0);
	/* It has ended (a zombie a waitpid(-1) would take), not reaped. */
	memset(&info, 0, sizeof info);
	CHECK_INT(waitid(P_PID, (id_t)pid, &info, WEXITED | WNOWAIT), 0);
	rec_init(&r, "beside a foreign child");
	CHECK_INT(start_sh(ex, &r, "sleep 0.1; echo x"), 0);
	if (run_until(ex, &r, is_over)) {
		check_life(&r);
		CHECK_STR(r.out[1].data, "x\n");
	}
	ex->ops->free(ex);
	got = waitpid(pid, &st, 0);
	if (got < 0)
		perror("waitpid of the test's own child");
	CHECK_INT(got, pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 42);
	rec_release(&r);
}

#define CHAIN 12

/*
 * Handlers that call the executor, as a scheduler's do: each job over
 * starts the next; a job abandoned as it exits.
 */
static void
test_from_handlers(void)
{
	struct executor *ex = executor_new();
	char scripts[CHAIN][32], want[16];
	struct rec c[CHAIN], a;
	pid_t pgid;
	int i;

	for (i = 0; i < CHAIN; i++) {
		rec_init(&c[i], "chain");
		c[i].ex = ex;
		snprintf(scripts[i], sizeof scripts[i], "echo %d", i);
		if (i > 0) {
			c[i - 1].next = &c[i];
			c[i - 1].next_script = scripts[i];
		}
	}
	CHECK_INT(start_sh(ex, &c[0], scripts[0]), 0);
	for (i = 0; i < CHAIN && run_until(ex, &c[i], is_over); i++) {
		check_life(&c[i]);
		snprintf(want, sizeof want, "%d\n", i);
		CHECK_STR(c[i].out[1].data, want);
	}
	rec_init(&a, "abandoned at exit");
	a.ex = ex;
	a.abandon_at_exit = true;
	CHECK_INT(start_sh(ex, &a, "echo $$; (sleep 1000 &)"), 0);
	if (run_until(ex, &a, is_over)) {
		check_life(&a);
		pgid = (pid_t)atol(a.out[1].data ? a.out[1].data : "0");
		CHECK(pgid > 0);
		if (pgid > 0)
			kill_group(pgid);
	}
	ex->ops->free(ex);
	for (i = 0; i < CHAIN; i++)
		rec_release(&c[i]);
	rec_release(&a);
}

/* abandon(): closed comes though what the job left holds its pipes. */
static void
test_abandon(void)
{
	struct executor *ex = executor_new();
	struct rec r;
	pid_t pgid;
	int i;

	rec_init(&r, "abandoned");
	CHECK_INT(start_sh(ex, &r, "echo $$; (sleep 1000 &); echo x"), 0);
	if (!run_until(ex, &r, has_exited)) {
		ex->ops->free(ex);
		rec_release(&r);
		return;
	}
	pgid = (pid_t)atol(r.out[1].data ? r.out[1].data : "0");
	CHECK(pgid > 0);
	CHECK_INT(r.exitval, 0);
	/* The background sleep holds the pipes: no closed. */
	for (i = 0; i < 5; i++)
		round_once(ex, ROUND_MS);
	CHECK_INT(count(&r, 'c'), 0);
	CHECK(!r.over);
	CHECK(r.out[1].len > 2 &&
	    strcmp(r.out[1].data + r.out[1].len - 2, "x\n") == 0);
	ex->ops->abandon(ex, r.state);
	CHECK_INT(count(&r, 'c'), 0); /* at the next dispatch, not now */
	round_once(ex, ROUND_MS);
	check_life(&r);
	if (pgid > 0)
		kill_group(pgid);
	ex->ops->free(ex);
	rec_release(&r);
}

/* Write "go\n" to the fifo fd. */
static void
release_fifo(int fd)
{
	CHECK_INT(write(fd, "go\n", 3), 3);
}

/*
 * pause(true), or output() saying EXEC_OUTPUT_HELD (held): the job's
 * output is not read till pause(false), while its command goes on.
 */
static void
test_pause(bool held)
{
	struct executor *ex = executor_new();
	char *fifo = xasprintf("%s/fifo", tmpdir);
	char *mark = xasprintf("%s/mark", tmpdir);
	char *script = xasprintf("printf first; read x < %s; printf second; "
				 ": > %s; read y < %s; printf third",
	    fifo, mark, fifo);
	struct rec r;
	size_t before;
	int fd, i;

	CHECK_INT(mkfifo(fifo, 0600), 0);
	/* Held read-write: the job's opens do not wait for a writer. */
	fd = open(fifo, O_RDWR | O_CLOEXEC);
	CHECK(fd >= 0);
	rec_init(&r, held ? "held" : "paused");
	r.hold = held;
	CHECK_INT(start_sh(ex, &r, script), 0);
	r.want = 5;
	if (!run_until(ex, &r, out_reached))
		goto out;
	CHECK_STR(r.out[1].data, "first");
	if (!held)
		ex->ops->pause(ex, r.state, true);
	before = r.noutput;
	release_fifo(fd);
	/* "second" is in the pipe once the mark is there. */
	for (i = 0; i < MAX_ROUNDS && access(mark, F_OK) < 0; i++)
		round_once(ex, ROUND_MS / 5);
	CHECK_INT(access(mark, F_OK), 0);
	for (i = 0; i < 5; i++)
		round_once(ex, ROUND_MS);
	CHECK_INT(r.noutput, before);
	CHECK_STR(r.out[1].data, "first");
	CHECK(!has_exited(&r));
	ex->ops->pause(ex, r.state, false);
	r.want = 11;
	if (run_until(ex, &r, out_reached)) {
		CHECK_STR(r.out[1].data, "firstsecond");
		CHECK(!has_exited(&r));
	}
	release_fifo(fd);
	if (run_until(ex, &r, is_over)) {
		check_life(&r);
		CHECK_STR(r.out[1].data, "firstsecondthird");
		CHECK_INT(r.exitval, 0);
	}
out:
	ex->ops->free(ex);
	close(fd);
	unlink(fifo);
	unlink(mark);
	free(fifo);
	free(mark);
	free(script);
	rec_release(&r);
}

/* A job paused from its start may end; its output waits, then comes. */
static void
test_pause_to_exit(void)
{
	struct executor *ex = executor_new();
	struct rec r;

	rec_init(&r, "paused to the end");
	CHECK_INT(start_sh(ex, &r, "printf abc; printf def >&2; exit 5"), 0);
	ex->ops->pause(ex, r.state, true);
	if (run_until(ex, &r, has_exited)) {
		CHECK_INT(r.noutput, 0);
		CHECK_INT(r.exitval, 5);
		CHECK(!r.over);
		ex->ops->pause(ex, r.state, false);
		if (run_until(ex, &r, is_over)) {
			check_life(&r);
			CHECK_STR(r.out[1].data, "abc");
			CHECK_STR(r.out[2].data, "def");
		}
	}
	ex->ops->free(ex);
	rec_release(&r);
}

/* abandon() while the command runs: closed now, exited when it ends. */
static void
test_abandon_running(void)
{
	struct executor *ex = executor_new();
	const char *argv[] = {"sleep", "1000", NULL};
	struct rec r;

	rec_init(&r, "abandoned running");
	CHECK_INT(start(ex, &r, argv, NULL, 0), 0);
	if (run_until(ex, &r, has_started)) {
		ex->ops->abandon(ex, r.state);
		round_once(ex, ROUND_MS);
		CHECK_INT(count(&r, 'c'), 1);
		CHECK(!has_exited(&r));
		CHECK_INT(ex->ops->signal(ex, r.state, SIGKILL), 0);
		if (run_until(ex, &r, is_over)) {
			check_life(&r);
			CHECK_INT(r.sig, SIGKILL);
		}
	}
	ex->ops->free(ex);
	rec_release(&r);
}

#define MANY 40

/*
 * More jobs at once than the executor's first table holds: each event
 * goes to its own job.
 */
static void
test_many(void)
{
	struct executor *ex = executor_new();
	struct rec r[MANY];
	char script[64], want[16];
	int i;

	for (i = 0; i < MANY; i++) {
		rec_init(&r[i], "many");
		snprintf(script, sizeof script,
		    "echo out%d; echo err%d >&2; exit %d", i, i, 10 + i);
		CHECK_INT(start_sh(ex, &r[i], script), 0);
	}
	for (i = 0; i < MANY; i++) {
		if (!run_until(ex, &r[i], is_over))
			continue;
		check_life(&r[i]);
		snprintf(want, sizeof want, "out%d\n", i);
		CHECK_STR(r[i].out[1].data, want);
		snprintf(want, sizeof want, "err%d\n", i);
		CHECK_STR(r[i].out[2].data, want);
		CHECK_INT(r[i].exitval, 10 + i);
	}
	ex->ops->free(ex);
	for (i = 0; i < MANY; i++)
		rec_release(&r[i]);
}

/* Run cmd to its end in r: false (a failed check) if it never ends. */
static bool
run_cmd(struct executor *ex, struct rec *r, const struct exec_cmd *cmd)
{
	CHECK_INT(start_cmd(ex, r, cmd), 0);
	if (!run_until(ex, r, is_over))
		return false;
	check_life(r);
	return true;
}

/* No pipes (-u), stdout to /dev/null, and a script for the shell. */
static void
test_cmd_kinds(void)
{
	struct executor *ex = executor_new();
	const char *quiet[] = {"/bin/sh", "-c", "exit 6", NULL};
	const char *both[] = {"/bin/sh", "-c", "echo out; echo err >&2", NULL};
	const char *script = "echo $# args; exit 4";
	struct exec_cmd cmd = {.envp = environ};
	struct rec r[3];

	rec_init(&r[0], "no pipes");
	cmd.argv = (char *const *)quiet;
	if (run_cmd(ex, &r[0], &cmd))
		CHECK_INT(r[0].exitval, 6);
	rec_init(&r[1], "stdout to /dev/null");
	cmd.argv = (char *const *)both;
	cmd.pipes = cmd.out_null = true;
	if (run_cmd(ex, &r[1], &cmd)) {
		CHECK_INT(r[1].out[1].len, 0);
		CHECK_STR(r[1].out[2].data, "err\n");
	}
	rec_init(&r[2], "script");
	cmd.argv = NULL;
	cmd.out_null = false;
	cmd.shell = "/bin/sh";
	cmd.script = script;
	cmd.script_len = strlen(script);
	if (run_cmd(ex, &r[2], &cmd)) {
		CHECK_STR(r[2].out[1].data, "0 args\n");
		CHECK_INT(r[2].exitval, 4);
	}
	ex->ops->free(ex);
	rec_release(&r[0]);
	rec_release(&r[1]);
	rec_release(&r[2]);
}

/* An executable file without "#!": the shell runs it, as execvp does. */
static void
test_no_shebang(void)
{
	struct executor *ex = executor_new();
	char *path = make_file("no-shebang", "echo ran \"$1\"\n", 0755);
	const char *argv[] = {path, "arg", NULL};
	struct rec r;

	rec_init(&r, "no shebang");
	CHECK_INT(start(ex, &r, argv, NULL, 0), 0);
	if (run_until(ex, &r, is_over)) {
		check_life(&r);
		CHECK_STR(r.out[1].data, "ran arg\n");
	}
	ex->ops->free(ex);
	unlink(path);
	free(path);
	rec_release(&r);
}

/*
 * A job's signals: at their default though the test ignores SIGPIPE (as
 * fanout does), ignored where the executor was told so (nohup).
 */
static void
test_job_signals(void)
{
	const char *script = "yes | head -c 2";
	struct executor *ex;
	struct rec r;
	int ign;

	for (ign = 0; ign < 2; ign++) {
		ex = executor_ignoring(ign ? SIGPIPE : 0);
		rec_init(&r, ign ? "SIGPIPE ignored" : "SIGPIPE at default");
		CHECK_INT(start_sh(ex, &r, script), 0);
		if (run_until(ex, &r, is_over)) {
			check_life(&r);
			CHECK_STR(r.out[1].data, "y\n");
			/* yes(1) dies of SIGPIPE, or says EPIPE. */
			CHECK(!r.out[2].data == !ign);
			CHECK(!ign ||
			    (r.out[2].data &&
				strstr(r.out[2].data, "roken pipe")));
		}
		ex->ops->free(ex);
		rec_release(&r);
	}
}

/*
 * Out of descriptors for now: start() says -1 with EMFILE, delivers
 * nothing and keeps none; with room again, the job runs.
 */
static void
test_out_of_fds(void)
{
	struct executor *ex = executor_new();
	const char *argv[] = {"/bin/sh", "-c", "echo ok", NULL};
	struct rlimit old, low;
	struct rec r;
	int extra, lowest, rc;

	CHECK_INT(getrlimit(RLIMIT_NOFILE, &old), 0);
	/* The lowest descriptor free, the next one open() would give. */
	lowest = open("/dev/null", O_RDONLY | O_CLOEXEC);
	CHECK(lowest >= 0);
	close(lowest);
	/* Its pipes take six: each one short of that. */
	for (extra = 0; extra < 6; extra++) {
		rec_init(&r, "out of descriptors");
		low = old;
		low.rlim_cur = (rlim_t)(lowest + extra);
		CHECK_INT(setrlimit(RLIMIT_NOFILE, &low), 0);
		errno = 0;
		rc = start(ex, &r, argv, "input", 5);
		CHECK_INT(setrlimit(RLIMIT_NOFILE, &old), 0);
		CHECK_INT(rc, -1);
		CHECK_INT(errno, EMFILE);
		round_once(ex, 0);
		CHECK_INT(r.nlog, 0);
		rec_release(&r);
	}
	rec_init(&r, "room again");
	CHECK_INT(start(ex, &r, argv, NULL, 0), 0);
	if (run_until(ex, &r, is_over)) {
		check_life(&r);
		CHECK_STR(r.out[1].data, "ok\n");
	}
	ex->ops->free(ex);
	rec_release(&r);
}

/* The state letter of process pid in /proc (R, S, T...), or 0. */
static char
proc_state(pid_t pid)
{
	char path[64], line[512], *p;
	FILE *fp;

	snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
	fp = fopen(path, "r");
	if (!fp)
		return 0;
	p = fgets(line, sizeof line, fp);
	fclose(fp);
	if (!p || !(p = strrchr(line, ')')))
		return 0;
	return p[1] == ' ' ? p[2] : 0;
}

/* Wait until pid is stopped (T) or not, as stopped says. */
static bool
wait_state(pid_t pid, bool stopped)
{
	struct timespec ts = {0, 10 * 1000 * 1000};
	int i;

	for (i = 0; i < 1000; i++) {
		if ((proc_state(pid) == 'T') == stopped)
			return true;
		nanosleep(&ts, NULL);
	}
	return false;
}

/* signal_all(): ^Z stops every job and fg goes on. */
static void
test_signal_all(void)
{
	struct executor *ex = executor_new();
	struct rec r;
	pid_t pid;

	rec_init(&r, "stopped");
	CHECK_INT(start_sh(ex, &r, "echo $$; exec sleep 1000"), 0);
	r.want = 2;
	if (!run_until(ex, &r, out_reached))
		goto out;
	pid = (pid_t)atol(r.out[1].data);
	CHECK(pid > 0);
	ex->ops->signal_all(ex, SIGSTOP);
	CHECK(wait_state(pid, true));
	ex->ops->signal_all(ex, SIGCONT);
	CHECK(wait_state(pid, false));
	CHECK_INT(ex->ops->signal(ex, r.state, SIGKILL), 0);
	if (run_until(ex, &r, is_over)) {
		check_life(&r);
		CHECK_INT(r.sig, SIGKILL);
	}
out:
	ex->ops->free(ex);
	rec_release(&r);
}

/* Descriptors the test has open. */
static int
open_fds(void)
{
	int fd, n = 0;

	for (fd = 0; fd < 1024; fd++)
		n += fcntl(fd, F_GETFD) >= 0;
	return n;
}

int
main(void)
{
	int fds;

	/* As fanout does: a job that reads no more is EPIPE, not a death. */
	signal(SIGPIPE, SIG_IGN);
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0 || !mkdtemp(tmpdir)) {
		perror(tmpdir);
		return 2;
	}
	fds = open_fds();
	test_streams_and_exit();
	test_signalled();
	test_signal_group();
	test_cannot_run();
	test_cannot_run_path();
	test_cwd();
	test_input();
	test_foreign_child();
	test_abandon();
	test_from_handlers();
	test_pause(false);
	test_pause(true);
	test_pause_to_exit();
	test_abandon_running();
	test_many();
	test_cmd_kinds();
	test_no_shebang();
	test_signal_all();
	test_job_signals();
	test_out_of_fds();
	/* Every executor closed all it opened. */
	CHECK_INT(open_fds(), fds);
	rmdir(tmpdir);
	return unit_done();
}
