/*
 * A plan of several tasks built in C, as the workflow file will build
 * one, run by the scheduler on the local executor with real processes:
 * each task's jobs run in its cwd with its env, after the tasks they
 * need; a failure skips what needs it and nothing else; a directory that
 * cannot be entered fails the job, not the run.
 */
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "options.h"
#include "plan.h"
#include "sched.h"
#include "template.h"
#include "xalloc.h"
#include "unit.h"

static char tmpdir[] = "/tmp/fanout-unit-XXXXXX";

/* A task running shell text (no input: one job), needing need. */
static struct task *
add(struct plan *p, const char *name, const char *text, struct task *need)
{
	struct template_opts to = {.replace = NULL};
	char *words[] = {(char *)text};
	struct task *t = plan_add_task(p, name);

	t->command = template_new(words, 1, &to);
	if (need)
		plan_add_need(p, t, need);
	return t;
}

/* Run plan p with options argv; its stdout and stderr in *out, *err. */
static int
run(struct plan *p, char **argv, int argc, char **out, char **err)
{
	struct options o;
	char *opath = xasprintf("%s/out", tmpdir);
	char *epath = xasprintf("%s/err", tmpdir);
	int saved[2], fd, i, status;

	options_parse(&o, argc, argv);
	fflush(stdout);
	fflush(stderr);
	for (i = 0; i < 2; i++) {
		saved[i] = dup(i + 1);
		fd =
		    open(i ? epath : opath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		dup2(fd, i + 1);
		close(fd);
	}
	status = sched_run(p, &o);
	for (i = 0; i < 2; i++) {
		dup2(saved[i], i + 1);
		close(saved[i]);
	}
	*out = unit_slurp(opath);
	*err = unit_slurp(epath);
	unlink(opath);
	unlink(epath);
	free(opath);
	free(epath);
	options_release(&o);
	return status;
}

static void
test_graph(void)
{
	struct plan *p = plan_new();
	struct task *a, *b, *c, *f;
	char *argv[] = {(char *)"fanout", (char *)"-k", (char *)"-j",
	    (char *)"2", (char *)"true", NULL};
	char *out, *err, *want;
	char *dir = xasprintf("%s/work", tmpdir);
	int status;

	mkdir(dir, 0700);
	setenv("GREETING", "outer", 1);
	setenv("FANOUT_UNIT_KEPT", "kept", 1);
	a = add(p, "a", "pwd; echo \"$GREETING $FANOUT_UNIT_KEPT\"", NULL);
	a->cwd = xstrdup(dir);
	a->env = xcalloc(2, sizeof *a->env);
	a->env[0] = xstrdup("GREETING=hello");
	b = add(p, "b", "echo \"b after a: $GREETING\"", a);
	c = add(p, "c", "exit 3", NULL);
	add(p, "d", "echo d ran", c);
	add(p, "e", "echo e needs b", b);
	f = add(p, "f", "echo f ran", NULL);
	f->cwd = xasprintf("%s/no-such-dir", tmpdir);

	status = run(p, argv, 5, &out, &err);
	/* c and f failed; d was skipped; -k: seq order. */
	CHECK_INT(status, 2);
	want = xasprintf("%s\nhello kept\nb after a: outer\ne needs b\n", dir);
	CHECK_STR(out, want);
	CHECK(strstr(err, "cannot change to directory") != NULL);
	CHECK(strstr(err, "no-such-dir") != NULL);
	CHECK(strstr(out, "d ran") == NULL);
	CHECK(strstr(out, "f ran") == NULL);
	CHECK_INT(plan_task_state(p, a), TASK_DONE);
	CHECK_INT(plan_task_state(p, c), TASK_FAILED);
	CHECK_INT(plan_task_state(p, f), TASK_FAILED);
	free(want);
	free(out);
	free(err);
	rmdir(dir);
	free(dir);
	plan_free(p);
}

int
main(void)
{
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	test_graph();
	rmdir(tmpdir);
	return unit_done();
}
