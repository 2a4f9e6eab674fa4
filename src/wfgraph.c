#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "options.h"
#include "wfgraph.h"
#include "xalloc.h"

static size_t
name_hash(const char *s)
{
	size_t h = 14695981039346656037ULL & SIZE_MAX;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

/* The index of the task of that name, by hash: a file of 100 000 tasks
 * is not read in quadratic time. -1: none. */
static int
find_task(const struct workflow *wf, const char *name)
{
	size_t b = name_hash(name) & (wf->nbuckets - 1), i;

	while ((i = wf->by_name[b]) != 0) {
		if (strcmp(wf->tasks[i - 1].name, name) == 0)
			return (int)(i - 1);
		b = (b + 1) & (wf->nbuckets - 1);
	}
	return -1;
}

static void
index_names(struct workflow *wf)
{
	size_t i, b;

	for (wf->nbuckets = 16; wf->nbuckets < 2 * wf->ntasks;)
		wf->nbuckets *= 2;
	wf->by_name = xcalloc(wf->nbuckets, sizeof *wf->by_name);
	for (i = 0; i < wf->ntasks; i++) {
		b = name_hash(wf->tasks[i].name) & (wf->nbuckets - 1);
		while (wf->by_name[b])
			b = (b + 1) & (wf->nbuckets - 1);
		wf->by_name[b] = i + 1;
	}
}

static const char **
task_names(const struct workflow *wf)
{
	const char **names = xcalloc(wf->ntasks + 1, sizeof *names);
	size_t i;

	for (i = 0; i < wf->ntasks; i++)
		names[i] = wf->tasks[i].name;
	return names;
}

/* "no task 'x'", with the wfcheck_closest name when there is one. */
static int
no_such_task(const struct workflow *wf, struct ymark at, const char *name)
{
	const char **names = task_names(wf);
	const char *near = wfcheck_closest(name, names, wf->ntasks);
	int rc;

	if (near)
		rc = ydoc_error(wf->doc, at,
		    "'needs' names no task '%s' (did you mean '%s'?)", name,
		    near);
	else
		rc =
		    ydoc_error(wf->doc, at, "'needs' names no task '%s'", name);
	free(names);
	return rc;
}

/* Task i's needs, as indices. */
static int
resolve_needs(struct workflow *wf, struct wtask *t)
{
	const struct ynode *v = wfcheck_get(wf, t->node, "needs");
	const struct ynode *const *items;
	size_t i, n;
	int k;

	if (!v)
		return 0;
	items = v->kind == YNODE_SCALAR ? (const struct ynode *const *)&v
					: (const struct ynode *const *)v->items;
	n = v->kind == YNODE_SCALAR ? 1 : v->n;
	t->needs = xcalloc(n ? n : 1, sizeof *t->needs);
	t->need_at = xcalloc(n ? n : 1, sizeof *t->need_at);
	for (i = 0; i < n; i++) {
		if ((k = find_task(wf, items[i]->value)) < 0)
			return no_such_task(
			    wf, items[i]->mark, items[i]->value);
		/* defaults: {needs: setup} is for the tasks but setup. */
		if (&wf->tasks[k] == t && !ynode_get(t->node, "needs"))
			continue;
		if (&wf->tasks[k] == t)
			return ydoc_error(wf->doc, items[i]->mark,
			    "task '%s' needs itself", t->name);
		t->needs[t->nneeds] = (size_t)k;
		t->need_at[t->nneeds++] = items[i];
	}
	return 0;
}

/* "a -> b -> a": the tasks of path from position from, then the first. */
static void
cycle_text(const struct workflow *wf, const size_t *path, size_t from,
    size_t top, struct buf *msg)
{
	size_t k;

	for (k = from; k <= top; k++) {
		buf_addstr(msg, wf->tasks[path[k]].name);
		buf_addstr(msg, " -> ");
	}
	buf_addstr(msg, wf->tasks[path[from]].name);
}

/*
 * A cycle of needs, reported as a -> b -> a at the need that closes it.
 * Depth first, with a stack of its own: a chain of 100 000 tasks does
 * not run out of the C stack.
 */
static int
check_cycles(const struct workflow *wf)
{
	size_t n = wf->ntasks, i, top, t, j;
	unsigned char *state = xcalloc(n + 1, 1); /* 1: on the path, 2: done */
	size_t *path = xcalloc(n + 1, sizeof *path);
	size_t *pos = xcalloc(n + 1, sizeof *pos); /* on the path */
	size_t *edge = xcalloc(n + 1, sizeof *edge); /* next need to try */
	struct buf msg = BUF_INIT;
	int rc = 0;

	for (i = 0; i < n && rc == 0; i++) {
		if (state[i])
			continue;
		top = 0;
		path[0] = i;
		state[i] = 1;
		for (;;) {
			t = path[top];
			if (edge[t] == wf->tasks[t].nneeds) {
				state[t] = 2;
				if (top-- == 0)
					break;
				continue;
			}
			j = wf->tasks[t].needs[edge[t]++];
			if (state[j] == 0) {
				state[j] = 1;
				pos[j] = ++top;
				path[top] = j;
			} else if (state[j] == 1) {
				cycle_text(wf, path, pos[j], top, &msg);
				rc = ydoc_error(wf->doc,
				    wf->tasks[t].need_at[edge[t] - 1]->mark,
				    "a cycle of needs: %s", msg.data);
				break;
			}
		}
	}
	buf_release(&msg);
	free(state);
	free(path);
	free(pos);
	free(edge);
	return rc;
}

/* Select task i and what it needs, with a stack of its own. */
static void
select_task(struct workflow *wf, size_t i)
{
	size_t *stack = xcalloc(wf->ntasks + 1, sizeof *stack), n = 0, k;

	if (!wf->tasks[i].selected) {
		wf->tasks[i].selected = true;
		stack[n++] = i;
	}
	while (n) {
		const struct wtask *t = &wf->tasks[stack[--n]];

		for (k = 0; k < t->nneeds; k++)
			if (!wf->tasks[t->needs[k]].selected) {
				wf->tasks[t->needs[k]].selected = true;
				stack[n++] = t->needs[k];
			}
	}
	free(stack);
}

/* The tasks named on the command line and what they need; else all. */
int
wfgraph_select(struct workflow *wf)
{
	size_t i;
	int k;

	if (wf->o->ntasks == 0) {
		for (i = 0; i < wf->ntasks; i++)
			wf->tasks[i].selected = true;
		return 0;
	}
	for (i = 0; i < wf->o->ntasks; i++) {
		if ((k = find_task(wf, wf->o->tasks[i])) < 0)
			return error(
			    "%s: no task '%s'", wf->doc->name, wf->o->tasks[i]);
		select_task(wf, (size_t)k);
	}
	return 0;
}

/* The file's tasks: names, maps, every key checked, needs resolved. */
int
wfgraph_gather(struct workflow *wf, const struct ynode *tasks)
{
	size_t i;

	if (wfcheck_want(wf, tasks, YNODE_MAP, "tasks") < 0)
		return -1;
	if (tasks->n == 0)
		return ydoc_error(wf->doc, tasks->mark, "'tasks' is empty");
	wf->ntasks = tasks->n;
	wf->tasks = xcalloc(tasks->n, sizeof *wf->tasks);
	for (i = 0; i < tasks->n; i++) {
		struct wtask *t = &wf->tasks[i];
		const char *name = tasks->keys[i]->value;

		t->name = name;
		t->key = tasks->keys[i];
		t->node = tasks->values[i];
		if (!*name ||
		    strspn(name,
			"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijk"
			"lmnopqrstuvwxyz0123456789_.-") != strlen(name))
			return ydoc_error(wf->doc, t->key->mark,
			    "'%s' is not a task name (letters, digits, _ . -)",
			    name);
		if (wfcheck_want(wf, t->node, YNODE_MAP, name) < 0 ||
		    wfcheck_task(wf, t->node, false) < 0)
			return -1;
		if (!wfcheck_get(wf, t->node, "run"))
			return ydoc_error(wf->doc, t->key->mark,
			    "task '%s' has no 'run'", name);
	}
	index_names(wf);
	for (i = 0; i < wf->ntasks; i++)
		if (resolve_needs(wf, &wf->tasks[i]) < 0)
			return -1;
	return check_cycles(wf);
}
