/*
 * Unit tests of the scheduler (sched.c, job.c) over an executor of their
 * own, as a remote executor will be: a worker thread "runs" each job and
 * queues its events (its output in small chunks) under a mutex, wakes the
 * poll loop through an eventfd, and the executor delivers the events on
 * the main thread. No process runs: the executor reads the job's words.
 *
 *	emit WORD	started; "WORD:1 " "WORD:2 " "WORD:3\n" on stdout and
 *			"WORD:e\n" on stderr, a chunk a round; exit 0,
 *			and closed, or (every other start) closed first
 *	emit lose...	its first run is lost ("WORD:lost " first): its
 *			host goes away; it runs again on the other one
 *	emit flaky...	lost first, then exits 1, then as emit
 *	emit hang	started, "hang:1 ", then nothing till a signal
 *	emit held	"held:1\n", exit 0; its output stays open, whatever
 *			the signal, till abandon()
 *	OTHER ...	accepted, then, a moment later, failed (127, not found)
 *
 * SIGTERM or SIGKILL ends a job by that signal; abandon() delivers
 * closed at the next dispatch.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "executor.h"
#include "input.h"
#include "options.h"
#include "plan.h"
#include "sched.h"
#include "template.h"
#include "xalloc.h"
#include "unit.h"

#define MAXARGV 64
#define MAXCMDS 64 /* commands the executor counts starts of */
#define MAXSEQ 64
#define ROUND_NS (200 * 1000) /* between the worker's rounds */

/* What the worker does for a job in one round. */
enum act {
	ACT_WAIT, /* nothing: a moment passes */
	ACT_STARTED,
	ACT_OUT, /* the job's word and text, on stream */
	ACT_EXITED,
	ACT_CLOSED,
	ACT_FAILED,
	ACT_LOST,
	ACT_HANG, /* nothing, till a signal ends it */
	ACT_HOLD, /* nothing, deaf to signals, till abandon() */
	ACT_END, /* the worker is done with the job: free it */
};

struct step {
	enum act act;
	int stream;
	const char *text;
};

static const struct step emit_steps[] = {{ACT_STARTED, 0, NULL},
    {ACT_OUT, 1, ":1 "}, {ACT_OUT, 2, ":e\n"}, {ACT_OUT, 1, ":2 "},
    {ACT_OUT, 1, ":3\n"}, {ACT_EXITED, 0, NULL}, {ACT_CLOSED, 0, NULL},
    {ACT_END, 0, NULL}};
/* The same, closed before exited. */
static const struct step emit_closed_first[] = {{ACT_STARTED, 0, NULL},
    {ACT_OUT, 1, ":1 "}, {ACT_OUT, 2, ":e\n"}, {ACT_OUT, 1, ":2 "},
    {ACT_OUT, 1, ":3\n"}, {ACT_CLOSED, 0, NULL}, {ACT_EXITED, 0, NULL},
    {ACT_END, 0, NULL}};
static const struct step lost_steps[] = {{ACT_STARTED, 0, NULL},
    {ACT_OUT, 1, ":lost "}, {ACT_WAIT, 0, NULL}, {ACT_OUT, 2, ":lost\n"},
    {ACT_LOST, 0, NULL}, {ACT_END, 0, NULL}};
static const struct step hang_steps[] = {
    {ACT_STARTED, 0, NULL}, {ACT_OUT, 1, ":1 "}, {ACT_HANG, 0, NULL}};
/* It exits; what it left behind holds its output open. */
static const struct step held_steps[] = {{ACT_STARTED, 0, NULL},
    {ACT_OUT, 1, ":1\n"}, {ACT_EXITED, 0, NULL}, {ACT_HOLD, 0, NULL},
    {ACT_CLOSED, 0, NULL}, {ACT_END, 0, NULL}};
static const struct step failed_steps[] = {{ACT_WAIT, 0, NULL},
    {ACT_WAIT, 0, NULL}, {ACT_FAILED, 0, NULL}, {ACT_END, 0, NULL}};

/* A job as the test executor knows it. */
struct tjob {
	struct job *job;
	char *what; /* its command word */
	char *word; /* its first argument */
	const struct step *steps;
	int exitval;
	/* The worker's alone once queued. */
	struct tjob *next;
	size_t step;
	bool w_started, w_exited, w_closed;
	/* Under the mutex. */
	int kill_sig;
	bool paused;
	bool let_go; /* abandon() came */
	/* The main thread's alone. */
	struct tjob *lnext, *lprev; /* every job not yet freed */
	bool exited, closed, over;
	bool abandoned; /* closed is due */
};

/* An event the worker queued for the main thread. */
struct tev {
	struct tev *next;
	struct tjob *tj;
	enum act act;
	int stream, val, sig;
	size_t len;
	char data[];
};

/* A command the executor was asked to start, and where each run went. */
struct seen {
	char *cmd;
	unsigned starts;
	int host[4];
};

struct tex {
	struct executor ex; /* first: a tex is an executor */
	pthread_t main, worker;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int efd;
	/* Under the mutex. */
	struct tjob *todo, **todo_tail;
	struct tev *head, **tail;
	bool quit;
	size_t posted; /* events the worker queued */
	/* The main thread's alone. */
	struct tjob *live;
	size_t ndue; /* jobs abandoned, closed not yet delivered */
	bool host_up[2];
	unsigned next_host;
	size_t delivered, off_main, unfinished;
	size_t nlost, nfailed, nsignals, nabandoned, shell_cmds;
	struct seen seen[MAXCMDS];
	size_t nseen;
};

static char tmpdir[] = "/tmp/fanout-sched-XXXXXX";
static char *argv_buf[MAXARGV + 1];

static void
nap(void)
{
	struct timespec ts = {0, ROUND_NS};

	nanosleep(&ts, NULL);
}

/*
 * Queue the event of step s for the main thread and wake it; the worker
 * calls it. After ACT_END, tj is the main thread's to free.
 */
static void
post(struct tex *t, struct tjob *tj, const struct step *s, int val, int sig)
{
	size_t wlen = s->act == ACT_OUT ? strlen(tj->word) : 0;
	const char *text = s->act == ACT_OUT ? s->text : "";
	size_t len = wlen + strlen(text);
	struct tev *e = xmalloc(sizeof *e + len + 1);
	uint64_t one = 1;

	e->next = NULL;
	e->tj = tj;
	e->act = s->act;
	e->stream = s->stream;
	e->val = val;
	e->sig = sig;
	e->len = len;
	memcpy(e->data, tj->word, wlen);
	memcpy(e->data + wlen, text, len - wlen + 1);
	pthread_mutex_lock(&t->mu);
	*t->tail = e;
	t->tail = &e->next;
	t->posted++;
	pthread_mutex_unlock(&t->mu);
	if (write(t->efd, &one, sizeof one) < 0)
		abort();
}

/* A signal ended the job: what it has not said yet, then its end. */
static void
worker_killed(struct tex *t, struct tjob *tj, int sig)
{
	static const struct step started = {ACT_STARTED, 0, NULL},
				 exited = {ACT_EXITED, 0, NULL},
				 closed = {ACT_CLOSED, 0, NULL},
				 end = {ACT_END, 0, NULL};

	if (!tj->w_started)
		post(t, tj, &started, 0, 0);
	if (!tj->w_exited)
		post(t, tj, &exited, 0, sig);
	if (!tj->w_closed)
		post(t, tj, &closed, 0, 0);
	post(t, tj, &end, 0, 0);
}

/* One round of a job; true when the worker is done with it. */
static bool
worker_step(struct tex *t, struct tjob *tj)
{
	const struct step *s = &tj->steps[tj->step];
	bool paused, let_go;
	int sig, val = 0;

	pthread_mutex_lock(&t->mu);
	sig = tj->kill_sig;
	paused = tj->paused;
	let_go = tj->let_go;
	pthread_mutex_unlock(&t->mu);
	if (s->act == ACT_HOLD) {
		tj->step += let_go;
		return false;
	}
	if (sig) {
		worker_killed(t, tj, sig);
		return true;
	}
	if ((paused && s->act == ACT_OUT) || s->act == ACT_HANG)
		return false;
	tj->step++;
	tj->w_started |= s->act == ACT_STARTED;
	tj->w_exited |= s->act == ACT_EXITED;
	tj->w_closed |= s->act == ACT_CLOSED;
	if (s->act == ACT_EXITED)
		val = tj->exitval;
	else if (s->act == ACT_FAILED)
		val = 127;
	/* s is one of the tables: still there when tj is not. */
	if (s->act != ACT_WAIT)
		post(t, tj, s, val, 0);
	return s->act == ACT_END;
}

/* The worker: a round of every job it has, then a nap, till told to quit. */
static void *
worker(void *arg)
{
	struct tex *t = arg;
	struct tjob *active = NULL, **tail = &active, *tj, *next, **pp;
	sigset_t all;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, NULL);
	pthread_mutex_lock(&t->mu);
	for (;;) {
		while ((tj = t->todo)) {
			t->todo = tj->next;
			tj->next = NULL;
			*tail = tj;
			tail = &tj->next;
		}
		t->todo_tail = &t->todo;
		if (!active && t->quit)
			break;
		if (!active) {
			pthread_cond_wait(&t->cv, &t->mu);
			continue;
		}
		pthread_mutex_unlock(&t->mu);
		for (pp = &active; (tj = *pp);) {
			/* Done, tj may be freed at once: its next first. */
			next = tj->next;
			if (worker_step(t, tj))
				*pp = next;
			else
				pp = &tj->next;
		}
		tail = pp;
		nap();
		pthread_mutex_lock(&t->mu);
	}
	pthread_mutex_unlock(&t->mu);
	return NULL;
}

static struct seen *
seen_of(struct tex *t, char *const *argv)
{
	struct buf cmd = BUF_INIT;
	size_t i;

	for (i = 0; argv[i]; i++) {
		if (i)
			buf_addch(&cmd, ' ');
		buf_addstr(&cmd, argv[i]);
	}
	for (i = 0; i < t->nseen; i++)
		if (strcmp(t->seen[i].cmd, cmd.data) == 0) {
			buf_release(&cmd);
			return &t->seen[i];
		}
	if (t->nseen == MAXCMDS)
		abort();
	t->seen[t->nseen].cmd = buf_detach(&cmd, NULL);
	return &t->seen[t->nseen++];
}

/* The executor's record of cmd; NULL: never asked to start it. */
static const struct seen *
find_seen(const struct tex *t, const char *cmd)
{
	size_t i;

	for (i = 0; i < t->nseen; i++)
		if (strcmp(t->seen[i].cmd, cmd) == 0)
			return &t->seen[i];
	return NULL;
}

/* The number of times the executor was asked to start cmd. */
static unsigned
starts_of(const struct tex *t, const char *cmd)
{
	const struct seen *s = find_seen(t, cmd);

	return s ? s->starts : 0;
}

/* The two hosts take turns while both are up. */
static int
host_for(struct tex *t)
{
	int h = (int)(t->next_host++ % 2);

	return t->host_up[h] ? h : 1 - h;
}

/* What run number runs of a job with these words does. */
static void
tjob_plan(struct tex *t, struct tjob *tj, unsigned runs, int host)
{
	bool lose = strncmp(tj->word, "lose", 4) == 0,
	     flaky = strncmp(tj->word, "flaky", 5) == 0;

	tj->steps = t->next_host % 2 ? emit_closed_first : emit_steps;
	if (strcmp(tj->what, "emit") != 0) {
		tj->steps = failed_steps;
	} else if ((lose || flaky) && runs == 1) {
		/* Its host goes away: the jobs after it run on the other. */
		tj->steps = lost_steps;
		t->host_up[host] = false;
	} else if (strcmp(tj->word, "hang") == 0) {
		tj->steps = hang_steps;
	} else if (strcmp(tj->word, "held") == 0) {
		tj->steps = held_steps;
	} else if (flaky && runs == 2) {
		tj->exitval = 1;
	}
}

static int
tex_start(struct executor *ex, struct job *job, const struct exec_cmd *cmd,
    void **state)
{
	struct tex *t = (struct tex *)ex;
	struct tjob *tj = xcalloc(1, sizeof *tj);
	static char *const none[] = {(char *)"(shell)", NULL};
	char *const *argv = cmd->argv && cmd->argv[0] ? cmd->argv : none;
	struct seen *s = seen_of(t, argv);
	int host = host_for(t);

	/* A command for the shell: this executor has none. */
	if (!cmd->argv || !argv[1] || (cmd->shell && argv[0] == cmd->shell))
		t->shell_cmds++;
	if (s->starts < 4)
		s->host[s->starts] = host;
	s->starts++;
	tj->job = job;
	tj->what = xstrdup(argv[0]);
	tj->word = xstrdup(argv[1] ? argv[1] : "");
	tjob_plan(t, tj, s->starts, host);
	tj->lnext = t->live;
	if (t->live)
		t->live->lprev = tj;
	t->live = tj;
	pthread_mutex_lock(&t->mu);
	*t->todo_tail = tj;
	t->todo_tail = &tj->next;
	pthread_cond_signal(&t->cv);
	pthread_mutex_unlock(&t->mu);
	*state = tj;
	return 0;
}

static int
tex_signal(struct executor *ex, void *state, int sig)
{
	struct tex *t = (struct tex *)ex;
	struct tjob *tj = state;

	t->nsignals++;
	if (sig != SIGTERM && sig != SIGKILL)
		return 0;
	pthread_mutex_lock(&t->mu);
	tj->kill_sig = sig;
	pthread_mutex_unlock(&t->mu);
	return 0;
}

static void
tex_pause(struct executor *ex, void *state, bool paused)
{
	struct tex *t = (struct tex *)ex;

	pthread_mutex_lock(&t->mu);
	((struct tjob *)state)->paused = paused;
	pthread_mutex_unlock(&t->mu);
}

static void
tex_abandon(struct executor *ex, void *state)
{
	struct tex *t = (struct tex *)ex;
	struct tjob *tj = state;

	if (tj->closed || tj->abandoned)
		return;
	tj->abandoned = true;
	t->ndue++;
	t->nabandoned++;
	pthread_mutex_lock(&t->mu);
	tj->let_go = true;
	pthread_mutex_unlock(&t->mu);
}

static size_t
tex_prepare(struct executor *ex, struct pollfd *pfd, size_t room, int *timeout)
{
	struct tex *t = (struct tex *)ex;

	if (t->ndue)
		*timeout = 0;
	if (room == 0)
		return 0;
	pfd[0].fd = t->efd;
	pfd[0].events = POLLIN;
	pfd[0].revents = 0;
	return 1;
}

static void
send_closed(struct tex *t, struct tjob *tj)
{
	const struct exec_events *ev = t->ex.ev;

	if (tj->abandoned) {
		tj->abandoned = false;
		t->ndue--;
	}
	if (tj->closed || tj->over)
		return;
	tj->closed = true;
	tj->over = tj->exited;
	t->delivered++;
	ev->closed(ev->arg, tj->job);
}

static void
tjob_free(struct tex *t, struct tjob *tj)
{
	if (tj->lprev)
		tj->lprev->lnext = tj->lnext;
	else
		t->live = tj->lnext;
	if (tj->lnext)
		tj->lnext->lprev = tj->lprev;
	free(tj->what);
	free(tj->word);
	free(tj);
}

/* The worker is done with the job: it is over, and its state goes. */
static void
tjob_end(struct tex *t, struct tjob *tj)
{
	if (tj->abandoned)
		send_closed(t, tj);
	if (!tj->over)
		t->unfinished++;
	tjob_free(t, tj);
}

/* Deliver one event the worker queued; on the main thread. */
static void
deliver(struct tex *t, const struct tev *e)
{
	const struct exec_events *ev = t->ex.ev;
	struct tjob *tj = e->tj;

	if (!pthread_equal(pthread_self(), t->main))
		t->off_main++;
	if (e->act == ACT_END) {
		tjob_end(t, tj);
		return;
	}
	if (tj->over)
		return; /* after abandon() closed it */
	if (e->act == ACT_CLOSED) {
		send_closed(t, tj); /* nothing, if abandon() closed it */
		return;
	}
	t->delivered++;
	tj->exited |= e->act == ACT_EXITED;
	tj->over = e->act == ACT_FAILED || e->act == ACT_LOST ||
	    (tj->exited && tj->closed);
	switch (e->act) {
	case ACT_STARTED:
		ev->started(ev->arg, tj->job);
		break;
	case ACT_OUT:
		ev->output(ev->arg, tj->job, e->stream, e->data, e->len);
		break;
	case ACT_EXITED:
		ev->exited(ev->arg, tj->job, e->val, e->sig);
		break;
	case ACT_FAILED: {
		char why[256];

		t->nfailed++;
		snprintf(why, sizeof why, "%s: command not found", tj->what);
		ev->failed(ev->arg, tj->job, e->val, why);
		break;
	}
	case ACT_LOST:
		t->nlost++;
		ev->lost(ev->arg, tj->job, "its host went away");
		break;
	default:
		abort();
	}
}

static struct tev *
take_events(struct tex *t)
{
	struct tev *e;

	pthread_mutex_lock(&t->mu);
	e = t->head;
	t->head = NULL;
	t->tail = &t->head;
	pthread_mutex_unlock(&t->mu);
	return e;
}

static void
tex_dispatch(struct executor *ex, const struct pollfd *pfd, size_t n)
{
	struct tex *t = (struct tex *)ex;
	struct tjob *tj, *next;
	struct tev *e, *enext;
	uint64_t v;

	(void)pfd;
	(void)n;
	for (tj = t->live; tj && t->ndue; tj = next) {
		next = tj->lnext;
		if (tj->abandoned)
			send_closed(t, tj);
	}
	/* First the eventfd: what comes after this wakes the next poll. */
	if (read(t->efd, &v, sizeof v) < 0 && errno != EAGAIN)
		abort();
	for (e = take_events(t); e; e = enext) {
		enext = e->next;
		deliver(t, e);
		free(e);
	}
}

static void
tex_free(struct executor *ex)
{
	struct tex *t = (struct tex *)ex;
	struct tev *e, *next;
	size_t i;

	pthread_mutex_lock(&t->mu);
	t->quit = true;
	pthread_cond_signal(&t->cv);
	pthread_mutex_unlock(&t->mu);
	pthread_join(t->worker, NULL);
	for (e = take_events(t); e; e = next) {
		next = e->next;
		free(e);
	}
	while (t->live)
		tjob_free(t, t->live);
	for (i = 0; i < t->nseen; i++)
		free(t->seen[i].cmd);
	close(t->efd);
	pthread_cond_destroy(&t->cv);
	pthread_mutex_destroy(&t->mu);
	free(t);
}

static const struct executor_ops tex_ops = {
    .start = tex_start,
    .signal = tex_signal,
    .pause = tex_pause,
    .abandon = tex_abandon,
    .signal_all = NULL,
    .prepare = tex_prepare,
    .dispatch = tex_dispatch,
    .free = tex_free,
};

static struct tex *
tex_new(void)
{
	struct tex *t = xcalloc(1, sizeof *t);
	sigset_t all, old;

	t->ex.ops = &tex_ops;
	t->ex.host = "testhost";
	t->ex.may_lose = true; /* its hosts go away */
	t->ex.fds_per_job = 1;
	t->ex.polls_per_job = 0;
	t->ex.polls_more = 1;
	t->main = pthread_self();
	t->host_up[0] = t->host_up[1] = true;
	t->todo_tail = &t->todo;
	t->tail = &t->head;
	if ((t->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) < 0)
		abort();
	pthread_mutex_init(&t->mu, NULL);
	pthread_cond_init(&t->cv, NULL);
	/* No signal reaches the worker, from its first instruction on. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	if (pthread_create(&t->worker, NULL, worker, t) != 0)
		abort();
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return t;
}

/* options_parse() of "fanout" and the NULL-terminated words. */
static void
parse(struct options *o, ...)
{
	va_list ap;
	const char *w;
	int argc = 0;

	argv_buf[argc++] = (char *)"fanout";
	va_start(ap, o);
	while ((w = va_arg(ap, const char *)) != NULL) {
		if (argc == MAXARGV)
			abort();
		argv_buf[argc++] = (char *)w;
	}
	va_end(ap);
	argv_buf[argc] = NULL;
	options_parse(o, argc, argv_buf);
}

static char *
tmp_path(const char *name)
{
	return xasprintf("%s/%s", tmpdir, name);
}

/* What a run printed, and what it left behind. */
struct result {
	int status;
	char *out, *err;
};

static void
result_release(struct result *res)
{
	free(res->out);
	free(res->err);
}

/* Make fd a new file at path; the old fd, to put back. */
static int
redirect(int fd, const char *path)
{
	int saved = dup(fd),
	    to = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (saved < 0 || to < 0 || dup2(to, fd) < 0)
		abort();
	close(to);
	return saved;
}

static void
restore(int fd, int saved)
{
	if (dup2(saved, fd) < 0)
		abort();
	close(saved);
}

/* sched_run_on() with its stdout and stderr captured; frees plan and ex. */
static void
run(struct plan *p, const struct options *o, struct tex *t, struct result *res)
{
	char *out = tmp_path("out"), *err = tmp_path("err");
	int saved1, saved2;

	fflush(stdout);
	fflush(stderr);
	saved1 = redirect(STDOUT_FILENO, out);
	saved2 = redirect(STDERR_FILENO, err);
	res->status = sched_run_on(p, o, &t->ex);
	fflush(stdout);
	fflush(stderr);
	restore(STDOUT_FILENO, saved1);
	restore(STDERR_FILENO, saved2);
	res->out = unit_slurp(out);
	res->err = unit_slurp(err);
	unlink(out);
	unlink(err);
	free(out);
	free(err);
	plan_free(p);
}

/* What every test checks of the executor once the run is over. */
static void
check_executor(struct tex *t)
{
	size_t posted;

	pthread_mutex_lock(&t->mu);
	posted = t->posted;
	pthread_mutex_unlock(&t->mu);
	CHECK(posted > 0);
	CHECK(!pthread_equal(t->worker, t->main));
	CHECK_INT(t->off_main, 0);
	CHECK_INT(t->unfinished, 0);
	CHECK_INT(t->shell_cmds, 0);
	CHECK(t->ex.ev != NULL);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The lines of s, sorted, each with its newline. */
static char *
sorted_lines(const char *s)
{
	char *copy = xstrdup(s), *save = NULL, *line;
	char *lines[256];
	struct buf b = BUF_INIT;
	size_t n = 0, i;

	for (line = strtok_r(copy, "\n", &save); line && n < 256;
	     line = strtok_r(NULL, "\n", &save))
		lines[n++] = line;
	qsort(lines, n, sizeof *lines, cmp_str);
	buf_addstr(&b, "");
	for (i = 0; i < n; i++) {
		buf_addstr(&b, lines[i]);
		buf_addch(&b, '\n');
	}
	free(copy);
	return buf_detach(&b, NULL);
}

static void
check_sorted(const char *got, const char *want)
{
	char *s = sorted_lines(got);

	CHECK_STR(s, want);
	free(s);
}

/* A joblog read back: its lines by seq. */
struct joblog_seen {
	size_t nlines;
	bool header;
	unsigned count[MAXSEQ + 1];
	int exitval[MAXSEQ + 1];
	int sig[MAXSEQ + 1];
	char cmd[MAXSEQ + 1][64];
};

static void
read_joblog(const char *path, struct joblog_seen *js)
{
	char *text = unit_slurp(path), *save = NULL, *line, *tab;
	size_t seq;
	int exitval, sig;

	memset(js, 0, sizeof *js);
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "Seq\t", 4) == 0) {
			js->header = true;
			continue;
		}
		js->nlines++;
		if (sscanf(line, "%zu\t%*s\t%*f\t%*f\t%*u\t%*u\t%d\t%d", &seq,
			&exitval, &sig) != 3 ||
		    seq > MAXSEQ)
			continue;
		js->count[seq]++;
		js->exitval[seq] = exitval;
		js->sig[seq] = sig;
		if ((tab = strrchr(line, '\t')))
			snprintf(
			    js->cmd[seq], sizeof js->cmd[seq], "%s", tab + 1);
	}
	free(text);
}

static const char *const emitted[] = {"1:1 1:2 1:3\n", "2:1 2:2 2:3\n",
    "3:1 3:2 3:3\n", "4:1 4:2 4:3\n", "5:1 5:2 5:3\n", "6:1 6:2 6:3\n",
    "7:1 7:2 7:3\n", "8:1 8:2 8:3\n"};

/*
 * Output in chunks from another thread: eight jobs, four at once, each
 * job's chunks come out whole, its stdout and its stderr, and with -k
 * in input order.
 */
static void
test_chunks(bool keep_order)
{
	struct options o;
	struct tex *t = tex_new();
	struct result res;
	struct buf want = BUF_INIT;
	size_t i;

	if (keep_order)
		parse(&o, "-k", "-j", "4", "emit", "{}", ":::", "1", "2", "3",
		    "4", "5", "6", "7", "8", NULL);
	else
		parse(&o, "-j", "4", "emit", "{}", ":::", "1", "2", "3", "4",
		    "5", "6", "7", "8", NULL);
	run(plan_from_options(&o), &o, t, &res);
	CHECK_INT(res.status, 0);
	for (i = 0; i < 8; i++)
		buf_addstr(&want, emitted[i]);
	if (keep_order)
		CHECK_STR(res.out, want.data);
	else
		check_sorted(res.out, want.data);
	check_sorted(res.err, "1:e\n2:e\n3:e\n4:e\n5:e\n6:e\n7:e\n8:e\n");
	/* started, four chunks, exited and closed each */
	CHECK_INT(t->delivered, 8 * 7);
	CHECK_INT(t->nseen, 8);
	CHECK_INT(starts_of(t, "emit 5"), 1);
	check_executor(t);
	buf_release(&want);
	result_release(&res);
	t->ex.ops->free(&t->ex);
	options_release(&o);
}

/*
 * A start that fails a moment after it was accepted: a second task's
 * command is not found. That job fails with 127 and says so as its
 * stderr; the others run; the exit status counts the one failure.
 */
static void
test_failed_start(void)
{
	struct options o, broken;
	struct template_opts to = {.replace = NULL};
	struct tex *t = tex_new();
	struct joblog_seen js;
	struct result res;
	struct plan *p;
	struct task *task;
	char *log = tmp_path("failed.log");

	parse(&o, "-k", "-j", "4", "--joblog", log, "emit", "{}", ":::", "1",
	    "2", "3", NULL);
	p = plan_from_options(&o);
	parse(&broken, "nosuch", "{}", ":::", "x", NULL);
	task = plan_add_task(p, "broken");
	task->command =
	    template_new(broken.task.command, broken.task.ncommand, &to);
	task->input = input_open(&broken);
	run(p, &o, t, &res);
	CHECK_INT(res.status, 1);
	CHECK_STR(res.out, "1:1 1:2 1:3\n2:1 2:2 2:3\n3:1 3:2 3:3\n");
	CHECK_STR(
	    res.err, "1:e\n2:e\n3:e\nfanout: nosuch: command not found\n");
	CHECK_INT(t->nfailed, 1);
	CHECK_INT(starts_of(t, "nosuch x"), 1);
	read_joblog(log, &js);
	CHECK(js.header);
	CHECK_INT(js.nlines, 4);
	CHECK_INT(js.count[4], 1);
	CHECK_INT(js.exitval[4], 127);
	CHECK_STR(js.cmd[4], "nosuch x");
	CHECK(js.count[1] == 1 && js.count[2] == 1 && js.count[3] == 1);
	CHECK(js.exitval[1] == 0 && js.exitval[2] == 0 && js.exitval[3] == 0);
	check_executor(t);
	result_release(&res);
	t->ex.ops->free(&t->ex);
	options_release(&broken);
	options_release(&o);
	unlink(log);
	free(log);
}

/* The joblog of a run where job seq of n, command cmd, ran once for good. */
static void
check_logged_once(const char *log, size_t n, size_t seq, const char *cmd)
{
	struct joblog_seen js;
	size_t i, ones = 0;

	read_joblog(log, &js);
	CHECK(js.header);
	CHECK_INT(js.nlines, n);
	for (i = 1; i <= n; i++)
		ones += js.count[i] == 1 && js.exitval[i] == 0;
	CHECK_INT(ones, n);
	CHECK_INT(js.count[seq], 1);
	CHECK_INT(js.exitval[seq], 0);
	CHECK_INT(js.sig[seq], 0);
	CHECK_STR(js.cmd[seq], cmd);
}

/*
 * A lost job reruns elsewhere: its first run's host goes away after it
 * printed a little; it runs again on the other host. With no --retries
 * (one run), all succeed: the joblog has it once, its output shows once,
 * from its second run only. With -k too: an executor that may lose jobs
 * has none print as it runs (which would print a lost run's output).
 */
static void
test_lost(bool keep_order)
{
	struct options o;
	struct tex *t = tex_new();
	struct result res;
	char *log = tmp_path("lost.log");
	const struct seen *lost;
	const char *s;

	if (keep_order)
		parse(&o, "-k", "-j", "3", "--joblog", log, "emit", "{}",
		    ":::", "lose", "2", "3", "4", NULL);
	else
		parse(&o, "-j", "3", "--joblog", log, "emit", "{}", ":::", "1",
		    "lose", "3", "4", NULL);
	run(plan_from_options(&o), &o, t, &res);
	CHECK_INT(res.status, 0);
	if (keep_order) {
		CHECK_STR(res.out,
		    "lose:1 lose:2 lose:3\n2:1 2:2 2:3\n3:1 3:2 3:3\n"
		    "4:1 4:2 4:3\n");
	} else {
		check_sorted(res.out,
		    "1:1 1:2 1:3\n3:1 3:2 3:3\n4:1 4:2 4:3\n"
		    "lose:1 lose:2 lose:3\n");
	}
	CHECK(!strstr(res.out, "lose:lost"));
	CHECK(!strstr(res.err, "lose:lost"));
	s = strstr(res.err, "lose:e\n");
	CHECK(s && !strstr(s + 1, "lose:e\n"));
	CHECK(strstr(res.err,
		  "lost a job on testhost (its host went away); "
		  "it runs again\n") != NULL);
	CHECK_INT(t->nlost, 1);
	CHECK_INT(starts_of(t, "emit lose"), 2);
	/* elsewhere: on the other host */
	lost = find_seen(t, "emit lose");
	CHECK(lost && lost->host[0] != lost->host[1]);
	check_logged_once(log, 4, keep_order ? 1 : 2, "emit lose");
	check_executor(t);
	result_release(&res);
	t->ex.ops->free(&t->ex);
	options_release(&o);
	unlink(log);
	free(log);
}

/*
 * A lost run spends no retry: with --retries 2, a job lost, then failing,
 * then succeeding runs three times and succeeds. Had the lost run counted,
 * the failure would have been its last run.
 */
static void
test_lost_no_retry_spent(void)
{
	struct options o;
	struct tex *t = tex_new();
	struct result res;
	char *log = tmp_path("retry.log");

	parse(&o, "--retries", "2", "-j", "2", "--joblog", log, "emit", "{}",
	    ":::", "1", "flaky", "3", NULL);
	run(plan_from_options(&o), &o, t, &res);
	CHECK_INT(res.status, 0);
	check_sorted(res.out,
	    "1:1 1:2 1:3\n3:1 3:2 3:3\nflaky:1 flaky:2 "
	    "flaky:3\n");
	CHECK_INT(t->nlost, 1);
	CHECK_INT(starts_of(t, "emit flaky"), 3);
	CHECK_INT(starts_of(t, "emit 1"), 1);
	check_logged_once(log, 3, 2, "emit flaky");
	check_executor(t);
	result_release(&res);
	t->ex.ops->free(&t->ex);
	options_release(&o);
	unlink(log);
	free(log);
}

/*
 * signal() reaches the worker: a job that never ends times out, and the
 * SIGTERM the scheduler sends it ends it by that signal.
 */
static void
test_timeout(void)
{
	struct options o;
	struct tex *t = tex_new();
	struct joblog_seen js;
	struct result res;
	char *log = tmp_path("timeout.log");

	parse(&o, "--timeout", "0.05", "-j", "2", "--joblog", log, "emit", "{}",
	    ":::", "1", "hang", NULL);
	run(plan_from_options(&o), &o, t, &res);
	CHECK_INT(res.status, 1);
	CHECK(strstr(res.out, "1:1 1:2 1:3\n") != NULL);
	CHECK(strstr(res.err, "this job timed out: emit hang\n") != NULL);
	CHECK(t->nsignals >= 1);
	read_joblog(log, &js);
	CHECK_INT(js.nlines, 2);
	CHECK_INT(js.count[2], 1);
	CHECK_INT(js.exitval[2], -1);
	CHECK_INT(js.sig[2], SIGTERM);
	check_executor(t);
	result_release(&res);
	t->ex.ops->free(&t->ex);
	options_release(&o);
	unlink(log);
	free(log);
}

/*
 * abandon(): a job exited, but its output stays open and no signal
 * closes it; at the end of the termination sequence the scheduler stops
 * waiting, the executor delivers closed, and the job succeeded.
 */
static void
test_abandon(void)
{
	struct options o;
	struct tex *t = tex_new();
	struct joblog_seen js;
	struct result res;
	char *log = tmp_path("held.log");

	parse(&o, "--termseq", "TERM,10,KILL,10", "-j", "2", "--joblog", log,
	    "emit", "{}", ":::", "held", "2", NULL);
	run(plan_from_options(&o), &o, t, &res);
	CHECK_INT(res.status, 0);
	check_sorted(res.out, "2:1 2:2 2:3\nheld:1\n");
	CHECK_INT(t->nabandoned, 1);
	CHECK(t->nsignals >= 2);
	read_joblog(log, &js);
	CHECK_INT(js.nlines, 2);
	CHECK(js.count[1] == 1 && js.exitval[1] == 0 && js.sig[1] == 0);
	check_executor(t);
	result_release(&res);
	t->ex.ops->free(&t->ex);
	options_release(&o);
	unlink(log);
	free(log);
}

/*
 * -u: an executor that cannot share fanout's stdout and stderr with a
 * job (a remote one) delivers its output in chunks all the same; they
 * go out as they come.
 */
static void
test_ungrouped_chunks(void)
{
	struct options o;
	struct tex *t = tex_new();
	struct result res;

	parse(&o, "-u", "emit", "{}", ":::", "1", NULL);
	run(plan_from_options(&o), &o, t, &res);
	CHECK_INT(res.status, 0);
	CHECK_STR(res.out, "1:1 1:2 1:3\n");
	CHECK_STR(res.err, "1:e\n");
	check_executor(t);
	result_release(&res);
	t->ex.ops->free(&t->ex);
	options_release(&o);
}

int
main(void)
{
	if (!mkdtemp(tmpdir)) {
		perror(tmpdir);
		return 2;
	}
	unsetenv("PARALLEL");
	test_chunks(false);
	test_chunks(true);
	test_failed_start();
	test_lost(false);
	test_lost(true);
	test_lost_no_retry_spent();
	test_timeout();
	test_abandon();
	test_ungrouped_chunks();
	rmdir(tmpdir);
	return unit_done();
}
