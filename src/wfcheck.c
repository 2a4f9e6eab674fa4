#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"
#include "hosts.h"
#include "template.h"
#include "wfcheck.h"
#include "xalloc.h"

const char *const wfcheck_top_keys[] = {"version", "jobs", "hosts",
    "keep-order", "output", "tag", "halt", "joblog", "shell", "env", "defaults",
    "tasks", "executor", NULL};
static const char *const task_keys[] = {"run", "each", "matrix", "needs",
    "when", "cwd", "env", "timeout", "retries", "jobs", "hosts", "srun", NULL};
static const char *const each_keys[] = {"files", "file", "stdin", NULL};

/* The value of a key, from the task's own map or from defaults. */
const struct ynode *
wfcheck_get(const struct workflow *wf, const struct ynode *t, const char *key)
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

/* The wfcheck_closest of names to s, if close enough to be a typo; else NULL.
 */
const char *
wfcheck_closest(const char *s, const char *const *names, size_t n)
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
int
wfcheck_keys(const struct workflow *wf, const struct ynode *m,
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
		near = wfcheck_closest(m->keys[i]->value, known, count(known));
		if (near)
			return ydoc_error(wf->doc, m->keys[i]->mark,
			    "unknown %s key '%s' (did you mean '%s'?)", what,
			    m->keys[i]->value, near);
		return ydoc_error(wf->doc, m->keys[i]->mark,
		    "unknown %s key '%s'", what, m->keys[i]->value);
	}
	return 0;
}

const char *
wfcheck_kind_name(enum ynode_kind k)
{
	return k == YNODE_MAP ? "a map" : k == YNODE_SEQ ? "a list" : "a value";
}

int
wfcheck_want(const struct workflow *wf, const struct ynode *v,
    enum ynode_kind kind, const char *key)
{
	if (v->kind == kind)
		return 0;
	return ydoc_error(wf->doc, v->mark, "'%s' takes %s, not %s", key,
	    wfcheck_kind_name(kind), wfcheck_kind_name(v->kind));
}

int
wfcheck_bool(const struct workflow *wf, const struct ynode *v, const char *key,
    bool *out)
{
	if (wfcheck_want(wf, v, YNODE_SCALAR, key) < 0)
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
int
wfcheck_count(const struct workflow *wf, const struct ynode *v, const char *key,
    unsigned long min, unsigned long *out)
{
	char *end;

	if (wfcheck_want(wf, v, YNODE_SCALAR, key) < 0)
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

int
wfcheck_string(const struct workflow *wf, const struct ynode *v,
    const char *key, const char **out)
{
	if (wfcheck_want(wf, v, YNODE_SCALAR, key) < 0)
		return -1;
	if (v->len != strlen(v->value))
		return ydoc_error(
		    wf->doc, v->mark, "'%s' holds a NUL byte", key);
	*out = v->value;
	return 0;
}

/* An env map: names as the shell has them, values as strings. */
int
wfcheck_env(const struct workflow *wf, const struct ynode *v)
{
	const char *s, *name;
	size_t i;

	if (wfcheck_want(wf, v, YNODE_MAP, "env") < 0)
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
		if (wfcheck_string(wf, v->values[i], name, &s) < 0)
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

	if (wfcheck_want(wf, v, YNODE_SEQ, key) < 0)
		return -1;
	for (i = 0; i < v->n; i++)
		if (wfcheck_string(wf, v->items[i], key, &s) < 0)
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
	if (wfcheck_keys(wf, v, each_keys, "each") < 0)
		return -1;
	if (v->n != 1)
		return ydoc_error(wf->doc, v->mark,
		    "'each' takes one of files, file and stdin");
	if (strcmp(v->keys[0]->value, "stdin") != 0)
		return wfcheck_string(wf, v->values[0], v->keys[0]->value, &s);
	if (wfcheck_bool(wf, v->values[0], "stdin", &b) < 0)
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

	if (wfcheck_want(wf, v, YNODE_MAP, "matrix") < 0)
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
		if (wfcheck_want(wf, v->values[i], YNODE_SEQ, key) < 0)
			return -1;
		for (k = 0; k < v->values[i]->n; k++) {
			const struct ynode *e = v->values[i]->items[k];
			size_t m;
			const char *s;

			if (wfcheck_want(wf, e, YNODE_MAP, key) < 0)
				return -1;
			for (m = 0; m < e->n; m++)
				if (wfcheck_string(wf, e->values[m],
					e->keys[m]->value, &s) < 0)
					return -1;
		}
	}
	return 0;
}

/*
 * hosts: a login list as -S takes ("gpu[1-4],cpu1") or a list of them.
 * Each is read into list (NULL: only checked): 0, or -1 after an error
 * at its place.
 */
int
wfcheck_hosts(
    const struct workflow *wf, const struct ynode *v, struct hosts_list *list)
{
	struct hosts_list tmp = HOSTS_LIST_INIT, *l = list ? list : &tmp;
	const struct ynode *one;
	char *err;
	size_t i, n = v->kind == YNODE_SEQ ? v->n : 1;
	int rc = 0;

	if (v->kind != YNODE_SCALAR && v->kind != YNODE_SEQ)
		return ydoc_error(wf->doc, v->mark,
		    "'hosts' takes logins ([N/][user@]host[:port], commas "
		    "between) or a list of them, not %s",
		    wfcheck_kind_name(v->kind));
	for (i = 0; i < n && rc == 0; i++) {
		one = v->kind == YNODE_SEQ ? v->items[i] : v;
		if (one->kind != YNODE_SCALAR) {
			rc = ydoc_error(wf->doc, one->mark,
			    "'hosts' takes logins, not %s",
			    wfcheck_kind_name(one->kind));
		} else if (hosts_parse_list(one->value, l, &err) < 0) {
			rc = ydoc_error(wf->doc, one->mark, "'hosts': %s", err);
			free(err);
		}
	}
	hosts_list_release(&tmp);
	return rc;
}

/* Every key of a task (or of defaults) has a value of the right kind. */
int
wfcheck_task(struct workflow *wf, const struct ynode *t, bool is_defaults)
{
	const struct ynode *v;
	const char *s;
	unsigned long n;
	double d;

	if (wfcheck_keys(wf, t, task_keys, is_defaults ? "defaults" : "task") <
	    0)
		return -1;
	if ((v = ynode_get(t, "hosts")) && wfcheck_hosts(wf, v, NULL) < 0)
		return -1;
	if ((v = ynode_get(t, "run")) && wfcheck_string(wf, v, "run", &s) < 0)
		return -1;
	if (v && template_has_perl(s))
		return ydoc_error(
		    wf->doc, v->mark, "%s", TEMPLATE_PERL_REFUSED);
	if ((v = ynode_get(t, "each")) && check_each(wf, v) < 0)
		return -1;
	if ((v = ynode_get(t, "matrix")) && check_matrix(wf, v) < 0)
		return -1;
	if (ynode_get(t, "each") && v)
		return ydoc_error(wf->doc, v->mark,
		    "a task takes 'each' or 'matrix', not both");
	if ((v = ynode_get(t, "when"))) {
		if (wfcheck_string(wf, v, "when", &s) < 0)
			return -1;
		if (strcmp(s, "success") && strcmp(s, "always"))
			return ydoc_error(wf->doc, v->mark,
			    "'when' takes success or always, not '%s'", s);
	}
	if ((v = ynode_get(t, "cwd")) && wfcheck_string(wf, v, "cwd", &s) < 0)
		return -1;
	if ((v = ynode_get(t, "srun")) && wfcheck_string(wf, v, "srun", &s) < 0)
		return -1;
	if ((v = ynode_get(t, "env")) && wfcheck_env(wf, v) < 0)
		return -1;
	if ((v = ynode_get(t, "timeout"))) {
		if (wfcheck_string(wf, v, "timeout", &s) < 0)
			return -1;
		if ((d = options_parse_duration(s, true)) <= 0)
			return ydoc_error(wf->doc, v->mark,
			    "'timeout' takes a duration with a unit (90s, 5m, "
			    "1h, 1.5s), not '%s'",
			    s);
	}
	if ((v = ynode_get(t, "retries")) &&
	    wfcheck_count(wf, v, "retries", 0, &n) < 0)
		return -1;
	if ((v = ynode_get(t, "jobs")) &&
	    wfcheck_count(wf, v, "jobs", 1, &n) < 0)
		return -1;
	if ((v = ynode_get(t, "needs")) && v->kind != YNODE_SCALAR &&
	    check_values(wf, v, "needs") < 0)
		return -1;
	return 0;
}
