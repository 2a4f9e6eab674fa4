/*
 * Unit tests for src/plan.c: the plan as a graph. A small scheduler here
 * takes every job the plan hands out (as many slots as it likes), and
 * ends them when a test says, as sched.c would: so each test sees which
 * jobs are ready when, their seqs, and the tasks' states.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "input.h"
#include "options.h"
#include "plan.h"
#include "xalloc.h"
#include "unit.h"

#define MAXRUN 64

/* The scheduler's job, which the plan keeps but never looks into. */
struct job {
	struct task *task;
	size_t seq;
};

/* The jobs handed out and not yet ended, and a log of each step. */
struct sim {
	struct plan *plan;
	struct job *run[MAXRUN];
	size_t nrun;
	struct buf log;
	struct args args;
};

static char tmpdir[] = "/tmp/fanout-unit-XXXXXX";

/* An input of the values, as ::: gives them. */
static struct input *
list_input(const char *values)
{
	struct options o = {0};
	struct group g = {0};
	char *copy = xstrdup(values), *v, *save = NULL;
	char *vals[32];
	struct input *in;

	for (v = strtok_r(copy, " ", &save); v && g.nvalues < 32;
	     v = strtok_r(NULL, " ", &save))
		vals[g.nvalues++] = v;
	g.values = vals;
	o.groups = &g;
	o.ngroups = 1;
	o.delimiter = '\n';
	in = input_open(&o);
	free(copy);
	return in;
}

/* A task named name over the values (NULL: no input, one job). */
static struct task *
add(struct plan *p, const char *name, const char *values)
{
	struct task *t = plan_add_task(p, name);

	if (values)
		t->input = list_input(values);
	return t;
}

static void
sim_init(struct sim *s, struct plan *p)
{
	memset(s, 0, sizeof *s);
	s->plan = p;
	buf_init(&s->log);
	args_init(&s->args);
}

static void
sim_release(struct sim *s)
{
	struct job *j;

	while (s->nrun)
		free(s->run[--s->nrun]);
	while ((j = plan_drain(s->plan)))
		free(j);
	plan_free(s->plan);
	buf_release(&s->log);
	args_release(&s->args);
}

/*
 * Take every job the plan hands out now. The log gets "name#seq=value"
 * for each, then "|" and why it stopped: held, end, wait.
 */
static int
sim_take(struct sim *s)
{
	struct plan_job pj;
	struct job *j;
	char *w;
	int rc;

	buf_reset(&s->log);
	while ((rc = plan_next(s->plan, &pj, &s->args)) == PLAN_JOB ||
	    rc == PLAN_AGAIN) {
		if (rc == PLAN_JOB) {
			j = xcalloc(1, sizeof *j);
			j->task = pj.task;
			j->seq = pj.seq;
		} else {
			j = pj.again;
		}
		if (s->nrun == MAXRUN)
			abort();
		s->run[s->nrun++] = j;
		w = xasprintf("%s%s#%zu%s%s ", rc == PLAN_AGAIN ? "again:" : "",
		    j->task->name, j->seq, s->args.n ? "=" : "",
		    s->args.n ? args_value(&s->args, 0) : "");
		buf_addstr(&s->log, w);
		free(w);
		args_reset(&s->args);
	}
	buf_addstr(&s->log,
	    rc == PLAN_HELD	  ? "|held"
		: rc == PLAN_END  ? "|end"
		: rc == PLAN_WAIT ? "|wait"
				  : "|error");
	return rc;
}

/* The running job of task name with the lowest seq, taken out. */
static struct job *
sim_find(struct sim *s, const char *name)
{
	size_t i, best = s->nrun;
	struct job *j;

	for (i = 0; i < s->nrun; i++)
		if (strcmp(s->run[i]->task->name, name) == 0 &&
		    (best == s->nrun || s->run[i]->seq < s->run[best]->seq))
			best = i;
	if (best == s->nrun)
		return NULL;
	j = s->run[best];
	s->run[best] = s->run[--s->nrun];
	return j;
}

/* End the first running job of task name; false if there is none. */
static bool
sim_end(struct sim *s, const char *name, bool failed)
{
	struct job *j = sim_find(s, name);

	if (!j)
		return false;
	plan_job_ended(s->plan, j->task, failed);
	free(j);
	return true;
}

/* End every running job, all succeeding. */
static void
sim_end_all(struct sim *s)
{
	while (s->nrun) {
		struct job *j = s->run[--s->nrun];

		plan_job_ended(s->plan, j->task, false);
		free(j);
	}
}

#define CHECK_LOG(s, want) CHECK_STR((s)->log.data, (want))

/* a -> b, a -> c, b + c -> d: each level waits for the one before. */
static void
test_diamond(void)
{
	struct plan *p = plan_new();
	struct task *a = add(p, "a", "a1 a2");
	struct task *b = add(p, "b", "b1 b2");
	struct task *c = add(p, "c", "c1");
	struct task *d = add(p, "d", NULL);
	struct sim s;

	plan_add_need(p, b, a);
	plan_add_need(p, c, a);
	plan_add_need(p, d, b);
	plan_add_need(p, d, c);
	CHECK(plan_needs(p, d, a));
	CHECK(!plan_needs(p, a, d));
	CHECK(!plan_needs(p, b, c));
	sim_init(&s, p);

	sim_take(&s);
	CHECK_LOG(&s, "a#1=a1 a#2=a2 |held");
	CHECK_INT(plan_task_state(p, b), TASK_WAITING);
	CHECK(sim_end(&s, "a", false));
	sim_take(&s);
	CHECK_LOG(&s, "|held"); /* b and c wait for all of a */
	CHECK(sim_end(&s, "a", false));
	CHECK_INT(plan_task_state(p, a), TASK_DONE);
	sim_take(&s);
	CHECK_LOG(&s, "b#3=b1 b#4=b2 c#5=c1 |held");
	CHECK(sim_end(&s, "c", false));
	CHECK(sim_end(&s, "b", false));
	sim_take(&s);
	CHECK_LOG(&s, "|held"); /* d waits for the last b */
	CHECK(sim_end(&s, "b", false));
	sim_take(&s);
	CHECK_LOG(&s, "d#6 |held"); /* no input: one job */
	sim_end_all(&s);
	sim_take(&s);
	CHECK_LOG(&s, "|end");
	CHECK_INT(plan_task_state(p, d), TASK_DONE);
	sim_release(&s);
}

/*
 * a fails: b needs a and is skipped, and so is c, which needs b; d
 * needs b too but runs "always"; e needs nothing and runs anyway.
 */
static void
test_failure_skips(void)
{
	struct plan *p = plan_new();
	struct task *a = add(p, "a", "a1 a2");
	struct task *b = add(p, "b", "b1");
	struct task *c = add(p, "c", "c1");
	struct task *d = add(p, "d", "d1");
	struct task *e = add(p, "e", "e1");
	struct sim s;

	plan_add_need(p, b, a);
	plan_add_need(p, c, b);
	plan_add_need(p, d, b);
	d->when = TASK_WHEN_ALWAYS;
	e->cap = 1;
	sim_init(&s, p);

	sim_take(&s);
	CHECK_LOG(&s, "a#1=a1 a#2=a2 e#6=e1 |held");
	CHECK(sim_end(&s, "a", true));
	CHECK_INT(plan_task_state(p, a), TASK_RUNNING);
	CHECK(sim_end(&s, "a", false));
	CHECK_INT(plan_task_state(p, a), TASK_FAILED);
	CHECK_INT(plan_task_state(p, b), TASK_SKIPPED);
	CHECK_INT(plan_task_state(p, c), TASK_SKIPPED);
	CHECK_INT(plan_task_state(p, d), TASK_RUNNING);
	CHECK_INT(plan_task_state(p, e), TASK_RUNNING);
	sim_take(&s);
	CHECK_LOG(&s, "d#5=d1 |held");
	sim_end_all(&s);
	sim_take(&s);
	CHECK_LOG(&s, "|end");
	CHECK_INT(plan_task_state(p, d), TASK_DONE);
	CHECK_INT(plan_task_state(p, e), TASK_DONE);
	sim_release(&s);
}

/* A job that failed but runs again comes back before new ones. */
static void
test_retry_queue(void)
{
	struct plan *p = plan_new();
	struct task *a = add(p, "a", "1 2 3 4");
	struct task *b = add(p, "b", "5");
	struct sim s;
	struct job *j;

	a->cap = 2;
	plan_add_need(p, b, a);
	sim_init(&s, p);
	sim_take(&s);
	CHECK_LOG(&s, "a#1=1 a#2=2 |held");
	/* Job 1 fails and will run again; so does job 2, later. */
	j = sim_find(&s, "a");
	plan_job_again(p, a, j);
	sim_take(&s);
	CHECK_LOG(&s, "again:a#1 |held");
	j = sim_find(&s, "a");
	plan_job_again(p, a, j);
	j = sim_find(&s, "a");
	plan_job_again(p, a, j);
	/* The last one given back runs first; the cap holds for retries. */
	sim_take(&s);
	CHECK_LOG(&s, "again:a#2 again:a#1 |held");
	CHECK(sim_end(&s, "a", false));
	sim_take(&s);
	CHECK_LOG(&s, "a#3=3 |held");
	CHECK(sim_end(&s, "a", false));
	CHECK(sim_end(&s, "a", false));
	sim_take(&s);
	CHECK_LOG(&s, "a#4=4 |held");
	CHECK_INT(plan_task_state(p, b), TASK_WAITING);
	/* Given back, then never run (a halt): drained, and a not done. */
	j = sim_find(&s, "a");
	plan_job_again(p, a, j);
	CHECK(plan_drain(p) == j);
	CHECK(plan_drain(p) == NULL);
	free(j);
	CHECK_INT(plan_task_state(p, a), TASK_RUNNING);
	sim_release(&s);
}

/* Per-task caps: never more of a task at once; others take the rest. */
static void
test_caps(void)
{
	struct plan *p = plan_new();
	struct task *x = add(p, "x", "1 2 3 4 5");
	struct task *y = add(p, "y", "6 7");
	struct sim s;
	size_t i, nx, most = 0;

	x->cap = 2;
	y->cap = 1;
	sim_init(&s, p);
	sim_take(&s);
	CHECK_LOG(&s, "x#1=1 x#2=2 y#6=6 |held");
	CHECK(sim_end(&s, "y", false));
	sim_take(&s);
	CHECK_LOG(&s, "y#7=7 |held");
	/* End x's jobs one by one: at most two run at any time. */
	while (sim_end(&s, "x", false)) {
		sim_take(&s);
		for (i = nx = 0; i < s.nrun; i++)
			nx += s.run[i]->task == x;
		most = nx > most ? nx : most;
	}
	CHECK_INT(most, 2);
	CHECK_INT(plan_task_state(p, x), TASK_DONE);
	sim_end_all(&s);
	sim_take(&s);
	CHECK_LOG(&s, "|end");
	sim_release(&s);
}

/*
 * Seqs go in task order, then item order, whichever task runs first:
 * here "late" is first in task order but needs "early".
 */
static void
test_seqs(void)
{
	struct plan *p = plan_new();
	struct task *late = add(p, "late", "l1 l2");
	struct task *early = add(p, "early", "e1 e2 e3");
	struct sim s;

	plan_add_need(p, late, early);
	sim_init(&s, p);
	sim_take(&s);
	CHECK_LOG(&s, "early#3=e1 early#4=e2 early#5=e3 |held");
	sim_end_all(&s);
	sim_take(&s);
	CHECK_LOG(&s, "late#1=l1 late#2=l2 |held");
	sim_end_all(&s);
	sim_take(&s);
	CHECK_LOG(&s, "|end");
	sim_release(&s);
}

/* The plan of test_resume(), built the same way each time. */
static struct plan *
resume_plan(void)
{
	struct plan *p = plan_new();
	struct task *a = add(p, "a", "a1 a2 a3");
	struct task *b = add(p, "b", "b1 b2");
	struct task *c = add(p, "c", "c1 c2");

	plan_add_need(p, c, a);
	plan_add_need(p, c, b);
	return p;
}

/* Every job of the plan, all succeeding, in the log. */
static void
run_all(struct plan *p, struct buf *out)
{
	struct sim s;

	sim_init(&s, p);
	while (sim_take(&s) != PLAN_END) {
		buf_add(out, s.log.data, s.log.len - strlen("|held"));
		sim_end_all(&s);
	}
	sim_release(&s);
}

/* --resume over several tasks skips the same seqs every run. */
static void
test_resume(void)
{
	char *log = xasprintf("%s/joblog", tmpdir);
	FILE *f = fopen(log, "w");
	struct buf first = BUF_INIT, again = BUF_INIT;
	struct plan *p;

	if (!f)
		abort();
	fputs("Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\t"
	      "Signal\tCommand\n",
	    f);
	/* 2 (in a) and 4 (in b) succeeded; 6 (in c) failed. */
	fputs("2\t:\t1.0\t0.1\t0\t0\t0\t0\techo a2\n", f);
	fputs("4\t:\t1.0\t0.1\t0\t0\t0\t0\techo b1\n", f);
	fputs("6\t:\t1.0\t0.1\t0\t0\t1\t0\techo c1\n", f);
	fclose(f);

	p = resume_plan();
	plan_resume(p, log, false);
	run_all(p, &first);
	CHECK_STR(first.data, "a#1=a1 a#3=a3 b#5=b2 c#7=c2 ");
	p = resume_plan();
	plan_resume(p, log, false);
	run_all(p, &again);
	CHECK_STR(again.data, first.data);

	/* --resume-failed: the failed job 6 runs again. */
	buf_reset(&first);
	p = resume_plan();
	plan_resume(p, log, true);
	run_all(p, &first);
	CHECK_STR(first.data, "a#1=a1 a#3=a3 b#5=b2 c#6=c1 c#7=c2 ");

	unlink(log);
	free(log);
	buf_release(&first);
	buf_release(&again);
}

/* Tasks with no jobs left (all resumed, or empty) are done at once. */
static void
test_empty_tasks(void)
{
	struct plan *p = plan_new();
	struct task *a = add(p, "a", "");
	struct task *b = add(p, "b", "b1");
	struct sim s;

	plan_add_need(p, b, a);
	sim_init(&s, p);
	sim_take(&s);
	CHECK_LOG(&s, "b#1=b1 |held");
	CHECK_INT(plan_task_state(p, a), TASK_DONE);
	sim_end_all(&s);
	sim_take(&s);
	CHECK_LOG(&s, "|end");
	sim_release(&s);
}

/*
 * The command line's one task is read as jobs are wanted, never ahead:
 * from a pipe, the first job comes before the writer is done.
 */
static void
test_streams(void)
{
	struct options o = {0};
	struct group g = {NULL, 0, NULL, false};
	struct plan *p = plan_new();
	struct task *t = plan_add_task(p, "stdin");
	char path[64];
	int fds[2];
	struct sim s;

	if (pipe(fds) < 0)
		abort();
	snprintf(path, sizeof path, "/dev/fd/%d", fds[0]);
	g.path = path;
	o.groups = &g;
	o.ngroups = 1;
	o.delimiter = '\n';
	t->input = input_open(&o);
	close(fds[0]);
	sim_init(&s, p);
	CHECK_INT(sim_take(&s), PLAN_WAIT);
	CHECK(plan_input_fd(p) >= 0);
	if (write(fds[1], "one\ntw", 6) != 6)
		abort();
	CHECK_INT(plan_fill(p), 0);
	sim_take(&s);
	CHECK_LOG(&s, "stdin#1=one |wait");
	if (write(fds[1], "o\n", 2) != 2)
		abort();
	close(fds[1]);
	CHECK_INT(plan_fill(p), 0);
	CHECK_INT(plan_fill(p), 0);
	sim_take(&s);
	CHECK_LOG(&s, "stdin#2=two |held");
	sim_end_all(&s);
	sim_take(&s);
	CHECK_LOG(&s, "|end");
	sim_release(&s);
}

/*
 * An input that fails (a directory to read lines from) fails its task:
 * its dependents are skipped, but for "when: always" ones.
 */
static void
test_input_fails(void)
{
	struct options o = {0};
	struct group g = {NULL, 0, tmpdir, false};
	struct plan *p = plan_new();
	struct task *a = plan_add_task(p, "a");
	struct task *b = add(p, "b", "b1");
	struct task *c = add(p, "c", "c1");
	struct sim s;

	o.groups = &g;
	o.ngroups = 1;
	o.delimiter = '\n';
	a->input = input_open(&o);
	plan_add_need(p, b, a);
	plan_add_need(p, c, a);
	c->when = TASK_WHEN_ALWAYS;
	sim_init(&s, p);
	CHECK_INT(sim_take(&s), PLAN_WAIT);
	fputs("(an error message is expected here)\n", stderr);
	CHECK_INT(plan_fill(p), -1);
	CHECK_INT(sim_take(&s), PLAN_ERROR);
	CHECK_INT(plan_task_state(p, a), TASK_FAILED);
	CHECK_INT(plan_task_state(p, b), TASK_SKIPPED);
	sim_take(&s);
	CHECK_LOG(&s, "c#2=c1 |held");
	sim_end_all(&s);
	sim_take(&s);
	CHECK_LOG(&s, "|end");
	sim_release(&s);

	/* The same as the only task, read as jobs are wanted. */
	p = plan_new();
	a = plan_add_task(p, "a");
	a->input = input_open(&o);
	sim_init(&s, p);
	CHECK_INT(sim_take(&s), PLAN_WAIT);
	fputs("(and here)\n", stderr);
	CHECK_INT(plan_fill(p), -1);
	CHECK_INT(sim_take(&s), PLAN_ERROR);
	CHECK_INT(plan_task_state(p, a), TASK_FAILED);
	CHECK_INT(sim_take(&s), PLAN_END);
	sim_release(&s);
}

/* plan_read_all() counts the jobs to run, and they come in order. */
static void
test_read_all(void)
{
	struct plan *p = plan_new();
	struct task *a = add(p, "a", "a1 a2");
	struct task *b = add(p, "b", "b1");
	struct buf out = BUF_INIT;
	size_t total = 0;

	plan_add_need(p, a, b);
	CHECK_INT(plan_read_all(p, &total), PLAN_END);
	CHECK_INT(total, 3);
	run_all(p, &out);
	CHECK_STR(out.data, "b#3=b1 a#1=a1 a#2=a2 ");
	buf_release(&out);
}

int
main(void)
{
	if (!mkdtemp(tmpdir)) {
		perror(tmpdir);
		return 2;
	}
	test_diamond();
	test_failure_skips();
	test_retry_queue();
	test_caps();
	test_seqs();
	test_resume();
	test_empty_tasks();
	test_streams();
	test_input_fails();
	test_read_all();
	rmdir(tmpdir);
	return unit_done();
}
