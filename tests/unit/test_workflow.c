/*
 * Unit tests for src/workflow.c's graph checks: the cycle finder (every
 * cycle reported whole, at the need that closes it; long chains and wide
 * graphs without one accepted, without recursion) and the selection of
 * tasks named on the command line.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "options.h"
#include "plan.h"
#include "workflow.h"
#include "xalloc.h"
#include "unit.h"

static char tmpdir[] = "/tmp/fanout-unit-XXXXXX";

/* Load text as a workflow (--check, tasks named): its first error line,
 * "" when it loaded. */
static char *
load(const char *text, char **tasks, size_t ntasks, size_t *nplan)
{
	char *argv[] = {(char *)"fanout", (char *)"-f", (char *)"w.yaml",
	    (char *)"--check", NULL};
	char *epath = xasprintf("%s/err", tmpdir), *nl;
	struct options o;
	struct workflow *wf;
	struct plan *plan;
	char *got;
	int saved, fd;

	options_parse(&o, 4, argv);
	o.tasks = tasks;
	o.ntasks = ntasks;
	fflush(stderr);
	saved = dup(2);
	fd = open(epath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	dup2(fd, 2);
	close(fd);
	wf = workflow_parse(&o, "w.yaml", text, strlen(text), &plan);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	CHECK(!wf == !plan);
	if (plan) {
		struct args a = ARGS_INIT;
		struct plan_job pj;

		*nplan = 0;
		while (plan_next(plan, &pj, &a) == PLAN_JOB) {
			(*nplan)++;
			plan_job_ended(plan, pj.task, false);
		}
		args_release(&a);
		plan_free(plan);
	}
	workflow_free(wf);
	options_release(&o);
	got = unit_slurp(epath);
	unlink(epath);
	free(epath);
	if ((nl = strchr(got, '\n')))
		*nl = '\0';
	return got;
}

static void
expect_error(const char *text, const char *want)
{
	size_t n = 0;
	char *got = load(text, NULL, 0, &n);

	CHECK_STR(got, want);
	free(got);
}

static void
test_cycles(void)
{
	expect_error("version: 1\n"
		     "tasks:\n"
		     "  a: {run: x, needs: a}\n",
	    "w.yaml:3:22: task 'a' needs itself");
	expect_error("version: 1\n"
		     "tasks:\n"
		     "  a: {run: x, needs: [b]}\n"
		     "  b: {run: x, needs: [a]}\n",
	    "w.yaml:4:23: a cycle of needs: a -> b -> a");
	/* Reached from a task outside it: only the cycle is shown. */
	expect_error("version: 1\n"
		     "tasks:\n"
		     "  top: {run: x, needs: [a]}\n"
		     "  a: {run: x, needs: [b]}\n"
		     "  b: {run: x, needs: [c]}\n"
		     "  c: {run: x, needs: [d, b]}\n"
		     "  d: {run: x}\n",
	    "w.yaml:6:26: a cycle of needs: b -> c -> b");
	/* A diamond is no cycle. */
	expect_error("version: 1\n"
		     "tasks:\n"
		     "  a: {run: x}\n"
		     "  b: {run: x, needs: a}\n"
		     "  c: {run: x, needs: a}\n"
		     "  d: {run: x, needs: [b, c, a]}\n",
	    "");
}

/* A chain of n tasks, each needing the one before; with a cycle back
 * from the last to the first when cyclic. */
static char *
chain(size_t n, bool cyclic)
{
	struct buf b = BUF_INIT;
	char line[128];
	size_t i;

	buf_addstr(&b, "version: 1\ntasks:\n");
	for (i = 1; i <= n; i++) {
		if (i == 1)
			snprintf(line, sizeof line, "  t1: {run: x%s}\n",
			    cyclic ? ", needs: t" : "");
		else
			snprintf(line, sizeof line,
			    "  t%zu: {run: x, needs: t%zu}\n", i, i - 1);
		buf_addstr(&b, line);
		if (i == 1 && cyclic) {
			/* t1 needs the last: patch its name in. */
			b.len -= 2;
			snprintf(line, sizeof line, "%zu}\n", n);
			buf_addstr(&b, line);
		}
	}
	return buf_detach(&b, NULL);
}

static void
test_long_chains(void)
{
	char *text = chain(100000, false);
	size_t n = 0;
	char *got = load(text, NULL, 0, &n);

	/* No recursion: 100 000 deep is fine; every task runs once. */
	CHECK_STR(got, "");
	CHECK_INT(n, 100000);
	free(got);
	free(text);
	text = chain(5, true);
	got = load(text, NULL, 0, &n);
	CHECK_STR(got,
	    "w.yaml:4:23: a cycle of needs: t1 -> t5 -> t4 -> t3 -> t2 -> t1");
	free(got);
	free(text);
}

static void
test_selection(void)
{
	const char *text = "version: 1\n"
			   "tasks:\n"
			   "  a: {run: x}\n"
			   "  b: {run: x, needs: a}\n"
			   "  c: {run: x, needs: b}\n"
			   "  d: {run: x}\n"
			   "  e: {run: x, needs: [d, a]}\n";
	char *c[] = {(char *)"c"}, *e[] = {(char *)"e"},
	     *none[] = {(char *)"z"};
	size_t n = 0;
	char *got;

	got = load(text, c, 1, &n);
	CHECK_STR(got, "");
	CHECK_INT(n, 3); /* c, b, a */
	free(got);
	got = load(text, e, 1, &n);
	CHECK_INT(n, 3); /* e, d, a */
	free(got);
	got = load(text, none, 1, &n);
	CHECK_STR(got, "fanout: w.yaml: no task 'z'");
	free(got);
}

int
main(void)
{
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	unsetenv("PARALLEL");
	test_cycles();
	test_long_chains();
	test_selection();
	rmdir(tmpdir);
	return unit_done();
}
