#include <errno.h>
#include <glob.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "input.h"
#include "matrix.h"
#include "options.h"
#include "optval.h"
#include "plan.h"
#include "template.h"
#include "workflow.h"
#include "xalloc.h"
#include "yaml.h"

/* More combinations than this in one matrix is a mistake. */
#define MATRIX_MAX 1000000

static const char *const top_keys[] = {"version", "jobs", "hosts", "keep-order",
    "output", "tag", "halt", "joblog", "shell", "env", "defaults", "tasks",
    NULL};
static const char *const task_keys[] = {"run", "each", "matrix", "needs",
    "when", "cwd", "env", "timeout", "retries", "jobs", "hosts", NULL};
static const char *const each_keys[] = {"files", "file", "stdin", NULL};

/* A task of the file, by its index in file order. */
struct wtask {
	const char *name;
	const struct ynode *key; /* its name, for its place */
	const struct ynode *node; /* its map */
	size_t *needs; /* indices */
	const struct ynode **need_at; /* each need's place */
	size_t nneeds;
	bool selected; /* named, or needed by one that is */
	struct task *task; /* in the plan, when selected */
};

struct workflow {
	struct ydoc *doc;
	struct options *o;
	const struct ynode *defaults;
	const struct ynode *env; /* the file's env, or NULL */
	struct wtask *tasks;
	size_t ntasks;
	size_t *by_name; /* hash of the names: index + 1, 0 empty */
	size_t nbuckets;
	bool stdin_taken; /* a task reads standard input */
};

/* The place optval_report() names: the value being parsed. */
static const struct workflow *report_wf;
static struct ymark report_at;
static jmp_buf report_back;

/* An option's parser refused a value: say where, and go back to it. */
static void
report_value(const char *msg)
{
	ydoc_error(report_wf->doc, report_at, "%s", msg);
	longjmp(report_back, 1);
}

/* The value of a key, from the task's own map or from defaults. */
static const struct ynode *
task_get(const struct workflow *wf, const struct ynode *t, const char *key)
{
	const struct ynode *v = ynode_get(t, key);

	if (!v && wf->defaults)
		v = ynode_get(wf->defaults, key);
	return v;
}

/* Edits turning a into b (Levenshtein), for "did you mean". */
static size_t
distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j, prev, cur, diag;
	size_t row[64];

	if (lb >= sizeof row / sizeof *row)
		return (size_t)-1;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		diag = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			prev = row[j];
			cur = diag + (a[i - 1] != b[j - 1]);
			if (row[j] + 1 < cur)
				cur = row[j] + 1;
			if (row[j - 1] + 1 < cur)
				cur = row[j - 1] + 1;
			row[j] = cur;
			diag = prev;
		}
	}
	return row[lb];
}

/* The closest of names to s, if close enough to be a typo; else NULL. */
static const char *
closest(const char *s, const char *const *names, size_t n)
{
	const char *best = NULL;
	size_t i, d, bestd = (size_t)-1;

	for (i = 0; i < n; i++) {
		d = distance(s, names[i]);
		if (d < bestd) {
			bestd = d;
			best = names[i];
		}
	}
	return bestd <= (strlen(s) > 4 ? 2 : 1) ? best : NULL;
}

static size_t
count(const char *const *names)
{
	size_t n = 0;

	while (names[n])
		n++;
	return n;
}

/* Every key of map m is one of known (what names the map in errors). */
static int
check_keys(const struct workflow *wf, const struct ynode *m,
    const char *const *known, const char *what)
{
	const char *near;
	size_t i, k;

	for (i = 0; i < m->n; i++) {
		for (k = 0; known[k]; k++)
			if (strcmp(m->keys[i]->value, known[k]) == 0)
				break;
		if (known[k])
			continue;
		near = closest(m->keys[i]->value, known, count(known));
		if (near)
			return ydoc_error(wf->doc, m->keys[i]->mark,
			    "unknown %s key '%s' (did you mean '%s'?)", what,
			    m->keys[i]->value, near);
		return ydoc_error(wf->doc, m->keys[i]->mark,
		    "unknown %s key '%s'", what, m->keys[i]->value);
	}
	return 0;
}

static const char *
kind_name(enum ynode_kind k)
{
	return k == YNODE_MAP ? "a map" : k == YNODE_SEQ ? "a list" : "a value";
}

static int
want(const struct workflow *wf, const struct ynode *v, enum ynode_kind kind,
    const char *key)
{
	if (v->kind == kind)
		return 0;
	return ydoc_error(wf->doc, v->mark, "'%s' takes %s, not %s", key,
	    kind_name(kind), kind_name(v->kind));
}

static int
get_bool(const struct workflow *wf, const struct ynode *v, const char *key,
    bool *out)
{
	if (want(wf, v, YNODE_SCALAR, key) < 0)
		return -1;
	if (v->plain && strcmp(v->value, "true") == 0)
		*out = true;
	else if (v->plain && strcmp(v->value, "false") == 0)
		*out = false;
	else
		return ydoc_error(wf->doc, v->mark,
		    "'%s' takes true or false, not '%s'", key, v->value);
	return 0;
}

/* A whole number from min up (a plain scalar of digits). */
static int
get_count(const struct workflow *wf, const struct ynode *v, const char *key,
    unsigned long min, unsigned long *out)
{
	char *end;

	if (want(wf, v, YNODE_SCALAR, key) < 0)
		return -1;
	errno = 0;
	*out = strtoul(v->value, &end, 10);
	if (!v->plain || v->len == 0 || *end || v->value[0] == '-' ||
	    v->value[0] == '+' || errno || *out < min || *out > 1000000)
		return ydoc_error(wf->doc, v->mark,
		    "'%s' takes a whole number from %lu to 1000000, not '%s'",
		    key, min, v->value);
	return 0;
}

static int
get_string(const struct workflow *wf, const struct ynode *v, const char *key,
    const char **out)
{
	if (want(wf, v, YNODE_SCALAR, key) < 0)
		return -1;
	if (v->len != strlen(v->value))
		return ydoc_error(
		    wf->doc, v->mark, "'%s' holds a NUL byte", key);
	*out = v->value;
	return 0;
}

/*
 * Run an option's parser on a value, its errors placed at v: -1 after
 * one (the parser does not return then: report_value() jumps back).
 */
static int
parse_value(const struct workflow *wf, const struct ynode *v,
    void (*parse)(struct options *, const char *))
{
	report_wf = wf;
	report_at = v->mark;
	if (setjmp(report_back)) {
		optval_report = NULL;
		return -1;
	}
	optval_report = report_value;
	parse(wf->o, v->value);
	optval_report = NULL;
	return 0;
}

static void
parse_jobs(struct options *o, const char *s)
{
	optval_jobs(o, s);
}

static void
parse_halt(struct options *o, const char *s)
{
	optval_halt(&o->halt, s);
}

/* The file's run-wide settings, where the command line set none. */
static int
apply_settings(struct workflow *wf, const struct ynode *root)
{
	struct options *o = wf->o;
	const struct ynode *v;
	bool b;

	if ((v = ynode_get(root, "jobs"))) {
		if (want(wf, v, YNODE_SCALAR, "jobs") < 0 ||
		    (!options_is_set(o, OPT_JOBS) &&
			parse_value(wf, v, parse_jobs) < 0))
			return -1;
	}
	if ((v = ynode_get(root, "keep-order"))) {
		if (get_bool(wf, v, "keep-order", &b) < 0)
			return -1;
		if (!options_is_set(o, OPT_KEEP_ORDER))
			o->keep_order = b;
	}
	if ((v = ynode_get(root, "tag"))) {
		if (get_bool(wf, v, "tag", &b) < 0)
			return -1;
		if (!options_is_set(o, OPT_TAG))
			o->tag = b;
	}
	if ((v = ynode_get(root, "output"))) {
		enum output_mode m;

		if (want(wf, v, YNODE_SCALAR, "output") < 0)
			return -1;
		if (strcmp(v->value, "group") == 0)
			m = OUTPUT_GROUP;
		else if (strcmp(v->value, "line") == 0)
			m = OUTPUT_LINE;
		else if (strcmp(v->value, "ungroup") == 0)
			m = OUTPUT_UNGROUP;
		else
			return ydoc_error(wf->doc, v->mark,
			    "'output' takes group, line or ungroup, not '%s'",
			    v->value);
		if (!options_is_set(o, OPT_OUTPUT))
			o->output = m;
	}
	if ((v = ynode_get(root, "halt"))) {
		if (want(wf, v, YNODE_SCALAR, "halt") < 0 ||
		    (!options_is_set(o, OPT_HALT) &&
			parse_value(wf, v, parse_halt) < 0))
			return -1;
	}
	if ((v = ynode_get(root, "joblog"))) {
		const char *s;

		if (get_string(wf, v, "joblog", &s) < 0)
			return -1;
		if (!options_is_set(o, OPT_JOBLOG))
			o->joblog = s;
	}
	if ((v = ynode_get(root, "shell"))) {
		const char *s;

		if (get_string(wf, v, "shell", &s) < 0)
			return -1;
		if (!options_is_set(o, OPT_SHELL))
			o->shell = s;
	}
	return 0;
}

/* An env map: names as the shell has them, values as strings. */
static int
check_env(const struct workflow *wf, const struct ynode *v)
{
	const char *s, *name;
	size_t i;

	if (want(wf, v, YNODE_MAP, "env") < 0)
		return -1;
	for (i = 0; i < v->n; i++) {
		name = v->keys[i]->value;
		if (!*name ||
		    strspn(name,
			"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijk"
			"lmnopqrstuvwxyz0123456789_") != strlen(name) ||
		    (*name >= '0' && *name <= '9'))
			return ydoc_error(wf->doc, v->keys[i]->mark,
			    "'%s' is not a variable name", name);
		if (get_string(wf, v->values[i], name, &s) < 0)
			return -1;
	}
	return 0;
}

/* A list of plain values (each:, a matrix variable). */
static int
check_values(const struct workflow *wf, const struct ynode *v, const char *key)
{
	const char *s;
	size_t i;

	if (want(wf, v, YNODE_SEQ, key) < 0)
		return -1;
	for (i = 0; i < v->n; i++)
		if (get_string(wf, v->items[i], key, &s) < 0)
			return -1;
	return 0;
}

static int
check_each(struct workflow *wf, const struct ynode *v)
{
	const char *s;
	bool b;

	if (v->kind == YNODE_SEQ)
		return check_values(wf, v, "each");
	if (v->kind != YNODE_MAP)
		return ydoc_error(wf->doc, v->mark,
		    "'each' takes a list, or one of {files: GLOB}, "
		    "{file: PATH}, {stdin: true}");
	if (check_keys(wf, v, each_keys, "each") < 0)
		return -1;
	if (v->n != 1)
		return ydoc_error(wf->doc, v->mark,
		    "'each' takes one of files, file and stdin");
	if (strcmp(v->keys[0]->value, "stdin") != 0)
		return get_string(wf, v->values[0], v->keys[0]->value, &s);
	if (get_bool(wf, v->values[0], "stdin", &b) < 0)
		return -1;
	if (!b)
		return ydoc_error(wf->doc, v->values[0]->mark,
		    "'stdin: false' reads nothing: leave 'each' out");
	return 0;
}

/* A matrix: variables with lists of values, include and exclude. */
static int
check_matrix(const struct workflow *wf, const struct ynode *v)
{
	size_t i, k;
	const char *key;

	if (want(wf, v, YNODE_MAP, "matrix") < 0)
		return -1;
	if (v->n == 0)
		return ydoc_error(wf->doc, v->mark, "'matrix' is empty");
	for (i = 0; i < v->n; i++) {
		key = v->keys[i]->value;
		if (strcmp(key, "include") && strcmp(key, "exclude")) {
			if (check_values(wf, v->values[i], key) < 0)
				return -1;
			continue;
		}
		if (want(wf, v->values[i], YNODE_SEQ, key) < 0)
			return -1;
		for (k = 0; k < v->values[i]->n; k++) {
			const struct ynode *e = v->values[i]->items[k];
			size_t m;
			const char *s;

			if (want(wf, e, YNODE_MAP, key) < 0)
				return -1;
			for (m = 0; m < e->n; m++)
				if (get_string(wf, e->values[m],
					e->keys[m]->value, &s) < 0)
					return -1;
		}
	}
	return 0;
}

/* Every key of a task (or of defaults) has a value of the right kind. */
static int
check_task(struct workflow *wf, const struct ynode *t, bool is_defaults)
{
	const struct ynode *v;
	const char *s;
	unsigned long n;
	double d;

	if (check_keys(wf, t, task_keys, is_defaults ? "defaults" : "task") < 0)
		return -1;
	if ((v = ynode_get(t, "hosts")))
		return ydoc_error(wf->doc, v->mark,
		    "'hosts': remote hosts are not supported yet");
	if ((v = ynode_get(t, "run")) && get_string(wf, v, "run", &s) < 0)
		return -1;
	if ((v = ynode_get(t, "each")) && check_each(wf, v) < 0)
		return -1;
	if ((v = ynode_get(t, "matrix")) && check_matrix(wf, v) < 0)
		return -1;
	if (ynode_get(t, "each") && v)
		return ydoc_error(wf->doc, v->mark,
		    "a task takes 'each' or 'matrix', not both");
	if ((v = ynode_get(t, "when"))) {
		if (get_string(wf, v, "when", &s) < 0)
			return -1;
		if (strcmp(s, "success") && strcmp(s, "always"))
			return ydoc_error(wf->doc, v->mark,
			    "'when' takes success or always, not '%s'", s);
	}
	if ((v = ynode_get(t, "cwd")) && get_string(wf, v, "cwd", &s) < 0)
		return -1;
	if ((v = ynode_get(t, "env")) && check_env(wf, v) < 0)
		return -1;
	if ((v = ynode_get(t, "timeout"))) {
		if (get_string(wf, v, "timeout", &s) < 0)
			return -1;
		if ((d = options_parse_duration(s, true)) <= 0)
			return ydoc_error(wf->doc, v->mark,
			    "'timeout' takes a duration with a unit (90s, 5m, "
			    "1h, 1.5s), not '%s'",
			    s);
	}
	if ((v = ynode_get(t, "retries")) &&
	    get_count(wf, v, "retries", 0, &n) < 0)
		return -1;
	if ((v = ynode_get(t, "jobs")) && get_count(wf, v, "jobs", 1, &n) < 0)
		return -1;
	if ((v = ynode_get(t, "needs")) && v->kind != YNODE_SCALAR &&
	    check_values(wf, v, "needs") < 0)
		return -1;
	return 0;
}

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

/* "no task 'x'", with the closest name when there is one. */
static int
no_such_task(const struct workflow *wf, struct ymark at, const char *name)
{
	const char **names = task_names(wf);
	const char *near = closest(name, names, wf->ntasks);
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
	const struct ynode *v = task_get(wf, t->node, "needs");
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
static int
select_tasks(struct workflow *wf)
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
static int
gather_tasks(struct workflow *wf, const struct ynode *tasks)
{
	size_t i;

	if (want(wf, tasks, YNODE_MAP, "tasks") < 0)
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
		if (want(wf, t->node, YNODE_MAP, name) < 0 ||
		    check_task(wf, t->node, false) < 0)
			return -1;
		if (!task_get(wf, t->node, "run"))
			return ydoc_error(wf->doc, t->key->mark,
			    "task '%s' has no 'run'", name);
	}
	index_names(wf);
	for (i = 0; i < wf->ntasks; i++)
		if (resolve_needs(wf, &wf->tasks[i]) < 0)
			return -1;
	return check_cycles(wf);
}

/* "NAME=value" for every pair of env map m, onto *env (n so far). */
static void
add_env(char ***env, size_t *n, const struct ynode *m)
{
	size_t i;

	for (i = 0; m && i < m->n; i++) {
		*env = xreallocarray(*env, *n + 2, sizeof **env);
		(*env)[(*n)++] =
		    xasprintf("%s=%s", m->keys[i]->value, m->values[i]->value);
		(*env)[*n] = NULL;
	}
}

/* A path of each: relative to the task's cwd, as its commands see it. */
static char *
in_cwd(const char *cwd, const char *path)
{
	if (!cwd || path[0] == '/')
		return xstrdup(path);
	return xasprintf("%s/%s", cwd, path);
}

/* each: {files: GLOB}: the matches, sorted, as the task's cwd has them. */
static struct input *
glob_input(const char *cwd, const char *pattern)
{
	struct options io = {0};
	struct group g = {0};
	char *full = in_cwd(cwd, pattern);
	size_t skip = cwd && pattern[0] != '/' ? strlen(cwd) + 1 : 0, i;
	glob_t gl;
	struct input *in;

	memset(&gl, 0, sizeof gl);
	if (glob(full, 0, NULL, &gl) == 0) {
		g.values = xcalloc(gl.gl_pathc + 1, sizeof *g.values);
		for (i = 0; i < gl.gl_pathc; i++)
			g.values[i] = gl.gl_pathv[i] + skip;
		g.nvalues = gl.gl_pathc;
	}
	io.groups = &g;
	io.ngroups = 1;
	io.delimiter = '\n';
	in = input_open(&io);
	free(g.values);
	globfree(&gl);
	free(full);
	return in;
}

static struct input *
list_input(const struct ynode *v)
{
	struct options io = {0};
	struct group g = {0};
	struct input *in;
	size_t i;

	g.values = xcalloc(v->n + 1, sizeof *g.values);
	for (i = 0; i < v->n; i++)
		g.values[i] = v->items[i]->value;
	g.nvalues = v->n;
	io.groups = &g;
	io.ngroups = 1;
	io.delimiter = '\n';
	in = input_open(&io);
	free(g.values);
	return in;
}

/* each: {files: GLOB}, expanded when the task starts. */
static struct input *
open_files(const struct task *t)
{
	return glob_input(t->cwd, t->open_data);
}

/* each: {file: PATH}, read when the task starts. */
static struct input *
open_file(const struct task *t)
{
	struct options io = {0};
	struct group g = {0};
	char *path = in_cwd(t->cwd, t->open_data);
	struct input *in = NULL;
	struct stat st;

	if (stat(path, &st) < 0 || access(path, R_OK) < 0)
		(void)error("task '%s': each file '%s': %s", t->name, path,
		    strerror(errno));
	else if (S_ISDIR(st.st_mode))
		(void)error("task '%s': each file '%s': %s", t->name, path,
		    strerror(EISDIR));
	else {
		g.path = path;
		io.groups = &g;
		io.ngroups = 1;
		io.delimiter = '\n';
		in = input_open(&io);
	}
	free(path);
	return in;
}

/*
 * each: its items. A list, or standard input, now; files and the lines
 * of a file when the task starts: an earlier task may make them.
 */
static int
each_input(struct workflow *wf, struct task *t, const struct ynode *v)
{
	struct options io = {0};
	struct group g = {0};
	const char *key;

	if (v->kind == YNODE_SEQ) {
		t->input = list_input(v);
		return 0;
	}
	key = v->keys[0]->value;
	if (strcmp(key, "stdin") != 0) {
		t->open_input =
		    strcmp(key, "files") == 0 ? open_files : open_file;
		t->open_data = xstrdup(v->values[0]->value);
		return 0;
	}
	if (wf->stdin_taken)
		return ydoc_error(
		    wf->doc, v->mark, "only one task may read standard input");
	wf->stdin_taken = true;
	g.path = "-";
	io.groups = &g;
	io.ngroups = 1;
	io.delimiter = '\n';
	t->input = input_open(&io);
	return 0;
}

/* An entry of include or exclude, as the matrix module takes it. */
static void
matrix_entry_of(const struct ynode *e, struct matrix_entry *out)
{
	const char **names = xcalloc(e->n + 1, sizeof *names);
	const char **values = xcalloc(e->n + 1, sizeof *values);
	size_t i;

	for (i = 0; i < e->n; i++) {
		names[i] = e->keys[i]->value;
		values[i] = e->values[i]->value;
	}
	out->names = names;
	out->values = values;
	out->n = e->n;
}

static void
matrix_entries(const struct ynode *list, struct matrix_entry **out, size_t *n)
{
	size_t i;

	*n = list ? list->n : 0;
	*out = xcalloc(*n + 1, sizeof **out);
	for (i = 0; i < *n; i++)
		matrix_entry_of(list->items[i], &(*out)[i]);
}

static void
matrix_entries_free(struct matrix_entry *e, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free((void *)e[i].names);
		free((void *)e[i].values);
	}
	free(e);
}

/*
 * The matrix's combinations as the task's items: one linked group per
 * variable, so that {name} is argument number index+1 of each job.
 */
static struct input *
rows_input(const struct matrix_rows *rows)
{
	struct options io = {0};
	struct group *g = xcalloc(rows->nnames + 1, sizeof *g);
	struct input *in;
	size_t c, r;

	for (c = 0; c < rows->nnames; c++) {
		g[c].values = xcalloc(rows->nrows + 1, sizeof *g[c].values);
		for (r = 0; r < rows->nrows; r++) {
			const char *v = rows->cell[r * rows->nnames + c];

			g[c].values[r] = (char *)(v ? v : "");
		}
		g[c].nvalues = rows->nrows;
		g[c].linked = c > 0;
	}
	io.groups = g;
	io.ngroups = rows->nnames;
	io.delimiter = '\n';
	in = input_open(&io);
	for (c = 0; c < rows->nnames; c++)
		free(g[c].values);
	free(g);
	return in;
}

/* matrix: the task's items, and the names {name} stands for. */
static int
matrix_input(struct workflow *wf, struct task *t, const struct ynode *v,
    struct template_opts *to)
{
	struct matrix m = {0};
	struct matrix_var *vars = xcalloc(v->n + 1, sizeof *vars);
	struct matrix_entry *inc, *exc;
	struct matrix_rows rows;
	size_t i, k;
	int rc = 0;

	for (i = 0; i < v->n; i++) {
		const struct ynode *val = v->values[i];
		const char **values;

		if (!strcmp(v->keys[i]->value, "include") ||
		    !strcmp(v->keys[i]->value, "exclude"))
			continue;
		values = xcalloc(val->n + 1, sizeof *values);
		for (k = 0; k < val->n; k++)
			values[k] = val->items[k]->value;
		vars[m.nvars].name = v->keys[i]->value;
		vars[m.nvars].values = values;
		vars[m.nvars++].nvalues = val->n;
	}
	matrix_entries(ynode_get(v, "include"), &inc, &m.ninclude);
	matrix_entries(ynode_get(v, "exclude"), &exc, &m.nexclude);
	m.vars = vars;
	m.include = inc;
	m.exclude = exc;
	if (matrix_expand(&m, MATRIX_MAX, &rows) < 0) {
		rc = ydoc_error(wf->doc, v->mark,
		    "'matrix' makes more than %d combinations", MATRIX_MAX);
	} else {
		t->input = rows_input(&rows);
		to->names = xcalloc(rows.nnames + 1, sizeof *to->names);
		memcpy((void *)to->names, rows.names,
		    rows.nnames * sizeof *rows.names);
		to->nnames = rows.nnames;
		matrix_rows_release(&rows);
	}
	for (i = 0; i < m.nvars; i++)
		free((void *)vars[i].values);
	free(vars);
	matrix_entries_free(inc, m.ninclude);
	matrix_entries_free(exc, m.nexclude);
	return rc;
}

/* The settings of task t of the plan from its map (and defaults). */
static int
build_task(struct workflow *wf, struct wtask *w, struct task *t)
{
	struct task_settings ts = TASK_SETTINGS_INIT;
	struct template_opts to = {0};
	const struct ynode *v;
	unsigned long n;
	size_t nenv = 0;
	char *run;

	to.no_append = true;
	if ((v = task_get(wf, w->node, "cwd")))
		t->cwd = xstrdup(v->value);
	if ((v = task_get(wf, w->node, "each")) && each_input(wf, t, v) < 0)
		return -1;
	if ((v = task_get(wf, w->node, "matrix")) &&
	    matrix_input(wf, t, v, &to) < 0)
		return -1;
	run = task_get(wf, w->node, "run")->value;
	t->command = template_new(&run, 1, &to);
	free((void *)to.names);
	if ((v = task_get(wf, w->node, "when")))
		t->when = strcmp(v->value, "always") == 0 ? TASK_WHEN_ALWAYS
							  : TASK_WHEN_SUCCESS;
	add_env(&t->env, &nenv, wf->env);
	add_env(&t->env, &nenv, task_get(wf, w->node, "env"));
	t->env = xreallocarray(t->env, nenv + 2, sizeof *t->env);
	t->env[nenv++] = xasprintf("FANOUT_TASK=%s", w->name);
	t->env[nenv] = NULL;
	if ((v = task_get(wf, w->node, "timeout")))
		ts.timeout = options_parse_duration(v->value, true);
	if ((v = task_get(wf, w->node, "retries"))) {
		get_count(wf, v, "retries", 0, &n);
		ts.retries = n < 1 ? 1 : (unsigned)n;
	}
	if ((v = task_get(wf, w->node, "jobs"))) {
		get_count(wf, v, "jobs", 1, &n);
		t->cap = n;
	}
	options_override_task(wf->o, &ts);
	t->timeout = ts.timeout;
	t->timeout_percent = ts.timeout_percent;
	t->retries = ts.retries;
	if (ts.tagstring) {
		struct template_opts tt = {0};

		t->tagstring = template_new_text(ts.tagstring, &tt);
	}
	return 0;
}

static int
build_plan(struct workflow *wf, struct plan *p)
{
	size_t i, k;

	for (i = 0; i < wf->ntasks; i++)
		if (wf->tasks[i].selected)
			wf->tasks[i].task = plan_add_task(p, wf->tasks[i].name);
	for (i = 0; i < wf->ntasks; i++) {
		struct wtask *w = &wf->tasks[i];

		if (!w->selected)
			continue;
		if (build_task(wf, w, w->task) < 0)
			return -1;
		for (k = 0; k < w->nneeds; k++)
			plan_add_need(p, w->task, wf->tasks[w->needs[k]].task);
	}
	return 0;
}

/* version: 1, first of all: a file of another version is not read on. */
static int
check_version(const struct workflow *wf, const struct ynode *root)
{
	const struct ynode *v = ynode_get(root, "version");
	struct ymark top = {1, 1};

	if (!v)
		return ydoc_error(wf->doc, root->n ? root->keys[0]->mark : top,
		    "missing 'version: 1' (the format of this file)");
	if (v->kind == YNODE_SCALAR && !v->plain && !strcmp(v->value, "1"))
		return ydoc_error(wf->doc, v->mark,
		    "'version' takes the number 1, not the string \"1\"");
	if (v->kind != YNODE_SCALAR || !v->plain || strcmp(v->value, "1"))
		return ydoc_error(wf->doc, v->mark,
		    "'version' is %s: this fanout reads version 1",
		    v->kind == YNODE_SCALAR ? v->value : kind_name(v->kind));
	return 0;
}

/* Everything but the tasks: keys, kinds, settings. */
static int
load_top(struct workflow *wf, const struct ynode *root)
{
	const struct ynode *v;

	if (!root || root->kind != YNODE_MAP) {
		struct ymark top = {1, 1};

		return ydoc_error(wf->doc, root ? root->mark : top,
		    "a workflow is a map with 'version: 1' and 'tasks'");
	}
	if (check_version(wf, root) < 0 ||
	    check_keys(wf, root, top_keys, "top-level") < 0)
		return -1;
	if ((v = ynode_get(root, "hosts")))
		return ydoc_error(wf->doc, v->mark,
		    "'hosts': remote hosts are not supported yet");
	if ((v = ynode_get(root, "env")) && check_env(wf, v) < 0)
		return -1;
	wf->env = v;
	if ((v = ynode_get(root, "defaults"))) {
		if (want(wf, v, YNODE_MAP, "defaults") < 0 ||
		    check_task(wf, v, true) < 0)
			return -1;
		wf->defaults = v;
	}
	if (apply_settings(wf, root) < 0)
		return -1;
	if (!(v = ynode_get(root, "tasks")))
		return ydoc_error(wf->doc, root->mark, "missing 'tasks'");
	return gather_tasks(wf, v);
}

/* The plan of the document wf->doc, or NULL after an error. */
static struct workflow *
load_doc(struct workflow *wf, struct options *o, struct plan **plan)
{
	*plan = NULL;
	wf->o = o;
	if (!wf->doc || load_top(wf, wf->doc->root) < 0 || select_tasks(wf) < 0)
		goto fail;
	options_check(o);
	*plan = plan_new();
	if (build_plan(wf, *plan) < 0)
		goto fail;
	return wf;
fail:
	if (*plan)
		plan_free(*plan);
	*plan = NULL;
	workflow_free(wf);
	return NULL;
}

struct workflow *
workflow_load(struct options *o, struct plan **plan)
{
	struct workflow *wf = xcalloc(1, sizeof *wf);

	wf->doc = ydoc_load(o->workflow);
	return load_doc(wf, o, plan);
}

struct workflow *
workflow_parse(struct options *o, const char *name, const char *text,
    size_t len, struct plan **plan)
{
	struct workflow *wf = xcalloc(1, sizeof *wf);

	wf->doc = ydoc_parse(name, text, len);
	return load_doc(wf, o, plan);
}

void
workflow_free(struct workflow *wf)
{
	size_t i;

	if (!wf)
		return;
	for (i = 0; i < wf->ntasks; i++) {
		free(wf->tasks[i].needs);
		free(wf->tasks[i].need_at);
	}
	free(wf->tasks);
	free(wf->by_name);
	ydoc_free(wf->doc);
	free(wf);
}
