/*
 * Jobs as Slurm job steps. This executor wraps the local one (spawn.c):
 * each job is an srun process here, whose events pass through, with two
 * changes:
 *
 * - fanout places each step itself (srun -w NODE), on the live node of
 *   the allocation with the most CPUs free as its own steps use them. So
 *   the node is known as the step starts (the joblog's Host column,
 *   FANOUT_HOST), without a word in the job's output, and a node that
 *   failed is given no more steps.
 * - srun's own error lines are read off the job's stderr: those that say
 *   the node failed (not the job) make the job lost, to run again on
 *   another node. Its exit is held until its output closed, when that is
 *   known.
 *
 * srun waits out "step creation temporarily disabled" itself; --quiet
 * keeps that notice out of the job's stderr.
 *
 * NEEDSWORK: with -u the job's stderr is fanout's, unread: a step lost to
 * a failed node is then taken for the job's own end (srun exits 0). And
 * a task's srun: -c N is not counted against its node's CPUs. A command
 * too long for one argument (a script here) fails: srun's argv is too long.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "executor.h"
#include "hosts.h"
#include "options.h"
#include "spawn.h"
#include "srun.h"
#include "util.h"
#include "xalloc.h"

/*
 * The longest stderr line held until it is whole: a longer one goes on
 * at once (srun's own lines are far shorter).
 */
#define SCAN_MAX 4096
#define SRUN_ERROR "srun: error: "
/* Where --exclusive is in srun's words. */
#define EXCLUSIVE_WORD 2

/* srun's error lines that mean the node, not the job, failed. */
static const char *const node_failures[] = {
    "Node failure on ",
    "Communication connection failure",
    "Requested node configuration is not available",
};

struct srun_node {
	char *name;
	char *host_var; /* FANOUT_HOST=name */
	long cap; /* steps of --srun-cpus CPUs it holds */
	long running; /* ours on it now */
	bool dead;
};

/* A job as this executor knows it: the inner executor's handle. */
struct sstep {
	struct job *job;
	void *inner; /* the local executor's state for it */
	size_t node;
	/* A stderr line so far, held while it may be srun's. */
	struct buf line;
	bool passing; /* the rest of this stderr line is the job's */
	bool lost;
	bool exited;
	bool closed;
	bool closed_sent;
	int exitval, sig;
};

struct srunner {
	struct executor ex; /* first: a srunner is an executor */
	struct executor *inner;
	struct exec_events iev; /* the inner executor's events, to us */
	struct srun_node *nodes;
	size_t nnodes;
	/*
	 * A node failed: from then on steps share CPUs (--overlap). Slurm
	 * (22.05) takes the node out of the allocation and from then on
	 * never frees the CPUs of a step that ends (its log says "unable to
	 * update job's core use information due to job resizing"), so new
	 * --exclusive steps would wait for ever. fanout's own count of
	 * steps per node still keeps each node to its CPUs.
	 */
	bool overlap;
	char **argv; /* the srun words, then the job's */
	char *args; /* --srun's ARGS, split in place into argv */
	struct buf task_args; /* a task's srun ARGS, split likewise */
	size_t nprefix, argv_cap;
	char **envp;
	size_t envp_cap;
	char cpus[24];
};

static const struct executor_ops srun_ops;

/* The live node with the most room; fatal when none is left. */
static size_t
pick_node(struct srunner *s)
{
	size_t i, best = s->nnodes;

	for (i = 0; i < s->nnodes; i++) {
		const struct srun_node *n = &s->nodes[i];

		if (n->dead || n->cap == 0)
			continue;
		if (best == s->nnodes ||
		    n->cap - n->running >
			s->nodes[best].cap - s->nodes[best].running)
			best = i;
	}
	if (best == s->nnodes)
		fatalx("--srun: no node of the allocation is left to run on");
	return best;
}

/*
 * Split text at blanks, in place, into words: how many. words has room
 * for one more than half of text's length.
 */
static size_t
split_blanks(char *text, char **words)
{
	size_t n = 0, len;

	for (;;) {
		text += strspn(text, " \t\n");
		if (!*text)
			return n;
		len = strcspn(text, " \t\n");
		words[n++] = text;
		if (!text[len])
			return n;
		text[len] = '\0';
		text += len + 1;
	}
}

/* Room for n words more after the first used of s->argv. */
static void
argv_room(struct srunner *s, size_t used, size_t n)
{
	if (used + n > s->argv_cap) {
		s->argv_cap = used + n;
		s->argv = xreallocarray(s->argv, s->argv_cap, sizeof *s->argv);
	}
}

/*
 * argv: srun's words, the task's (a workflow's srun: ARGS), -w NODE --,
 * then the command's.
 */
static char **
step_argv(struct srunner *s, const struct exec_cmd *cmd, size_t node)
{
	char *shell[] = {
	    (char *)cmd->shell, (char *)"-c", (char *)cmd->script, NULL};
	char *const *words = cmd->argv ? cmd->argv : shell;
	size_t n = 0, i = s->nprefix;

	if (cmd->exec_args) {
		buf_reset(&s->task_args);
		buf_addstr(&s->task_args, cmd->exec_args);
		argv_room(s, i, s->task_args.len / 2 + 1);
		i += split_blanks(s->task_args.data, s->argv + i);
	}
	while (words[n])
		n++;
	argv_room(s, i, 3 + n + 1);
	s->argv[EXCLUSIVE_WORD] =
	    (char *)(s->overlap ? "--overlap" : "--exclusive");
	s->argv[i++] = (char *)"-w";
	s->argv[i++] = s->nodes[node].name;
	s->argv[i++] = (char *)"--";
	memcpy(s->argv + i, words, (n + 1) * sizeof *words);
	return s->argv;
}

/* The job's environment with FANOUT_HOST naming its node. */
static char **
step_envp(struct srunner *s, char *const *envp, size_t node)
{
	size_t n = 0, i;

	while (envp[n])
		n++;
	if (n + 1 > s->envp_cap) {
		s->envp_cap = n + 1;
		s->envp = xreallocarray(s->envp, s->envp_cap, sizeof *s->envp);
	}
	for (i = 0; i <= n; i++)
		s->envp[i] =
		    envp[i] && strncmp(envp[i], "FANOUT_HOST=", 12) == 0
		    ? s->nodes[node].host_var
		    : envp[i];
	return s->envp;
}

static int
srun_start(struct executor *ex, struct job *job, const struct exec_cmd *cmd,
    void **state)
{
	struct srunner *s = (struct srunner *)ex;
	struct exec_cmd c = *cmd;
	struct sstep *st = xcalloc(1, sizeof *st);

	st->job = job;
	st->node = pick_node(s);
	c.argv = step_argv(s, cmd, st->node);
	c.envp = step_envp(s, cmd->envp, st->node);
	if (s->inner->ops->start(s->inner, (struct job *)st, &c, &st->inner) <
	    0) {
		free(st);
		return -1;
	}
	s->nodes[st->node].running++;
	*state = st;
	return 0;
}

/*
 * srun ends its step on SIGTERM. SIGKILL would leave the step running
 * without it, and one SIGINT only prints the step's state.
 */
static int
srun_signal(struct executor *ex, void *state, int sig)
{
	struct srunner *s = (struct srunner *)ex;
	struct sstep *st = state;

	if (sig == SIGKILL || sig == SIGINT)
		sig = SIGTERM;
	return s->inner->ops->signal(s->inner, st->inner, sig);
}

static void
srun_pause(struct executor *ex, void *state, bool paused)
{
	struct srunner *s = (struct srunner *)ex;

	s->inner->ops->pause(s->inner, ((struct sstep *)state)->inner, paused);
}

static void
srun_abandon(struct executor *ex, void *state)
{
	struct srunner *s = (struct srunner *)ex;

	s->inner->ops->abandon(s->inner, ((struct sstep *)state)->inner);
}

static size_t
srun_prepare(struct executor *ex, struct pollfd *pfd, size_t room, int *timeout)
{
	struct srunner *s = (struct srunner *)ex;

	return s->inner->ops->prepare(s->inner, pfd, room, timeout);
}

static void
srun_dispatch(struct executor *ex, const struct pollfd *pfd, size_t n)
{
	struct srunner *s = (struct srunner *)ex;

	s->inner->ops->dispatch(s->inner, pfd, n);
}

static const char *
srun_host(struct executor *ex, void *state)
{
	struct srunner *s = (struct srunner *)ex;

	return s->nodes[((struct sstep *)state)->node].name;
}

static void
srun_free(struct executor *ex)
{
	struct srunner *s = (struct srunner *)ex;
	size_t i;

	s->inner->ops->free(s->inner);
	for (i = 0; i < s->nnodes; i++) {
		free(s->nodes[i].name);
		free(s->nodes[i].host_var);
	}
	free(s->nodes);
	free(s->args);
	buf_release(&s->task_args);
	free(s->argv);
	free(s->envp);
	free(s);
}

/*
 * A whole stderr line: how many of its bytes are the job's. srun's own
 * line comes last (after the job's last line if that had no newline) and
 * begins "srun: error: ". One that says the node failed makes the job
 * lost; "NODE: task 0: Exited with exit code N" (or Killed) says what
 * the exit status says, and would not be there if the job ran here.
 */
static size_t
srun_line(struct srunner *s, struct sstep *st)
{
	const struct buf *l = &st->line;
	const char *node = s->nodes[st->node].name, *p, *at = NULL;
	size_t i, plen = strlen(SRUN_ERROR), rest, nlen = strlen(node);

	for (p = l->data;
	     (p = memmem(p, l->len - (size_t)(p - l->data), SRUN_ERROR, plen));
	     p++)
		at = p;
	if (!at)
		return l->len;
	rest = l->len - (size_t)(at - l->data);
	for (i = 0; i < sizeof node_failures / sizeof *node_failures; i++)
		if (memmem(
			at, rest, node_failures[i], strlen(node_failures[i]))) {
			st->lost = true;
			s->nodes[st->node].dead = true;
			s->overlap = true;
			return (size_t)(at - l->data);
		}
	if (rest > plen + nlen + 10 && memcmp(at + plen, node, nlen) == 0 &&
	    memcmp(at + plen + nlen, ": task 0: ", 10) == 0)
		return (size_t)(at - l->data);
	return l->len;
}

/* Pass bytes of the job's stderr on: 0, or EXEC_OUTPUT_HELD. */
static int
pass_err(struct srunner *s, struct sstep *st, const void *p, size_t n)
{
	const struct exec_events *ev = s->ex.ev;

	if (st->lost || n == 0)
		return 0; /* it runs again: this run's output is moot */
	return ev->output(ev->arg, st->job, 2, p, n) == EXEC_OUTPUT_HELD
	    ? EXEC_OUTPUT_HELD
	    : 0;
}

/* Pass on the first n bytes of the line held as perhaps srun's. */
static int
pass_line(struct srunner *s, struct sstep *st, size_t n)
{
	int rc = pass_err(s, st, st->line.data, n);

	buf_reset(&st->line);
	return rc;
}

/*
 * n bytes of the job's stderr: pass them on but srun's own lines. A line
 * is held until it is whole (srun's may end it), unless it grows longer
 * than srun's ever are.
 */
static int
filter_err(struct srunner *s, struct sstep *st, const char *p, size_t n)
{
	const char *last = memrchr(p, '\n', n);
	size_t whole = last ? (size_t)(last - p) + 1 : 0;
	int rc = 0;

	/* Whole lines with none of srun's among them: on in one piece. */
	if (!st->passing && st->line.len == 0 && whole &&
	    !memmem(p, whole, SRUN_ERROR, strlen(SRUN_ERROR))) {
		rc = pass_err(s, st, p, whole);
		p += whole;
		n -= whole;
	}
	while (n > 0) {
		const char *nl = memchr(p, '\n', n);
		size_t len = nl ? (size_t)(nl - p) + 1 : n;

		if (st->passing) {
			rc |= pass_err(s, st, p, len);
		} else {
			buf_add(&st->line, p, len);
			if (nl) {
				rc |= pass_line(s, st, srun_line(s, st));
			} else if (st->line.len > SCAN_MAX) {
				rc |= pass_line(s, st, st->line.len);
				st->passing = true;
			}
		}
		if (nl)
			st->passing = false;
		p += len;
		n -= len;
	}
	return rc ? EXEC_OUTPUT_HELD : 0;
}

/* The step is over: deliver its last events, and forget it. */
static void
step_over(struct srunner *s, struct sstep *st)
{
	const struct exec_events *ev = s->ex.ev;
	struct job *job = st->job;

	s->nodes[st->node].running--;
	if (st->lost) {
		ev->lost(ev->arg, job, "the node failed");
	} else {
		ev->exited(ev->arg, job, st->exitval, st->sig);
		if (!st->closed_sent)
			ev->closed(ev->arg, job);
	}
	buf_release(&st->line);
	free(st);
}

static void
on_started(void *arg, struct job *h)
{
	struct srunner *s = arg;

	s->ex.ev->started(s->ex.ev->arg, ((struct sstep *)h)->job);
}

static int
on_output(void *arg, struct job *h, int stream, const void *p, size_t n)
{
	struct srunner *s = arg;
	struct sstep *st = (struct sstep *)h;

	if (stream == 2)
		return filter_err(s, st, p, n);
	if (st->lost)
		return 0; /* it runs again: this run's output is moot */
	return s->ex.ev->output(s->ex.ev->arg, st->job, stream, p, n);
}

static long
on_splice(void *arg, struct job *h, int stream, int fd)
{
	struct srunner *s = arg;
	struct sstep *st = (struct sstep *)h;

	/* stderr is read, for srun's lines. */
	if (stream == 2 || st->lost)
		return EXEC_NO_SPLICE;
	return s->ex.ev->splice(s->ex.ev->arg, st->job, stream, fd);
}

static void
on_exited(void *arg, struct job *h, int exitval, int sig)
{
	struct sstep *st = (struct sstep *)h;

	st->exitval = exitval;
	st->sig = sig;
	st->exited = true;
	if (st->closed)
		step_over(arg, st);
}

static void
on_closed(void *arg, struct job *h)
{
	struct srunner *s = arg;
	struct sstep *st = (struct sstep *)h;

	/* A last line without a newline. */
	if (st->line.len)
		pass_line(s, st, srun_line(s, st));
	st->closed = true;
	if (st->exited) {
		step_over(s, st);
	} else if (!st->lost) {
		st->closed_sent = true;
		s->ex.ev->closed(s->ex.ev->arg, st->job);
	}
}

static void
on_failed(void *arg, struct job *h, int exitval, const char *why)
{
	struct srunner *s = arg;
	struct sstep *st = (struct sstep *)h;
	struct job *job = st->job;

	s->nodes[st->node].running--;
	buf_release(&st->line);
	free(st);
	s->ex.ev->failed(s->ex.ev->arg, job, exitval, why);
}

static void
on_lost(void *arg, struct job *h, const char *why)
{
	(void)arg, (void)h, (void)why;
	BUG("the local executor lost a job");
}

/* The allocation's nodes, each with room for cap steps. */
static void
read_nodes(struct srunner *s, unsigned cpus)
{
	struct hosts_list list = HOSTS_LIST_INIT;
	char *err;
	size_t i;

	if (hosts_from_slurm(getenv("SLURM_JOB_NODELIST"),
		getenv("SLURM_JOB_CPUS_PER_NODE"), &list, &err) < 0)
		fatalx("--srun: %s", err);
	s->nodes = xcalloc(list.n, sizeof *s->nodes);
	s->nnodes = list.n;
	for (i = 0; i < list.n; i++) {
		struct srun_node *n = &s->nodes[i];

		n->name = xstrdup(list.v[i].name);
		n->host_var = xasprintf("FANOUT_HOST=%s", n->name);
		n->cap = list.v[i].slots / (long)cpus;
		s->ex.ncpu += n->cap;
	}
	hosts_list_release(&list);
	if (s->ex.ncpu == 0)
		fatalx(
		    "--srun-cpus %u: no node of the allocation has that many "
		    "CPUs",
		    cpus);
}

/* srun's own words: the fixed ones, then --srun's ARGS, split at blanks. */
static void
prefix_words(struct srunner *s, const struct options *o)
{
	const char *fixed[] = {"srun", "--quiet",
	    "--exclusive" /* EXCLUSIVE_WORD */, "-N1", "-n1", "-c", s->cpus};
	size_t i;

	snprintf(s->cpus, sizeof s->cpus, "%u", o->srun_cpus);
	s->args = xstrdup(o->srun);
	argv_room(s, 0, sizeof fixed / sizeof *fixed + strlen(s->args) / 2 + 1);
	for (i = 0; i < sizeof fixed / sizeof *fixed; i++)
		s->argv[s->nprefix++] = (char *)fixed[i];
	s->nprefix += split_blanks(s->args, s->argv + s->nprefix);
}

struct executor *
srun_executor_new(const struct options *o, const sigset_t *ignored)
{
	struct srunner *s;
	const char *ntasks = getenv("SLURM_NTASKS");
	char *path, *end;
	long n;

	if (!getenv("SLURM_JOB_ID"))
		fatalx("--srun: not inside a Slurm allocation (SLURM_JOB_ID is "
		       "not set): run fanout under salloc or sbatch");
	if (!(path = util_path_search("srun")))
		fatalx("--srun: no srun in PATH");
	free(path);
	s = xcalloc(1, sizeof *s);
	read_nodes(s, o->srun_cpus);
	prefix_words(s, o);
	if (ntasks && (n = strtol(ntasks, &end, 10)) > 0 && !*end &&
	    n <= UTIL_JOBS_MAX)
		s->ex.ncpu = n;
	s->inner = spawn_executor_new(ignored);
	s->iev = (struct exec_events){
	    .arg = s,
	    .started = on_started,
	    .output = on_output,
	    .splice = on_splice,
	    .exited = on_exited,
	    .closed = on_closed,
	    .failed = on_failed,
	    .lost = on_lost,
	};
	s->inner->ev = &s->iev;
	s->ex.ops = &srun_ops;
	s->ex.host = "srun";
	s->ex.may_lose = true;
	s->ex.fds_per_job = s->inner->fds_per_job;
	s->ex.polls_per_job = s->inner->polls_per_job;
	s->ex.polls_more = s->inner->polls_more;
	return &s->ex;
}

static const struct executor_ops srun_ops = {
    .start = srun_start,
    .signal = srun_signal,
    .pause = srun_pause,
    .abandon = srun_abandon,
    .prepare = srun_prepare,
    .dispatch = srun_dispatch,
    .free = srun_free,
    .host = srun_host,
};
