#include <errno.h>
#include <glob.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "hosts.h"
#include "input.h"
#include "matrix.h"
#include "options.h"
#include "optval.h"
#include "plan.h"
#include "template.h"
#include "wfcheck.h"
#include "wfgraph.h"
#include "workflow.h"
#include "xalloc.h"
#include "yaml.h"

/* More combinations than this in one matrix is a mistake. */
#define MATRIX_MAX 1000000

/*
 * An option's parser refused a value: say where, or exit as the command
 * line would for a system error. -1.
 */
static int
refused(const struct workflow *wf, const struct ynode *v,
    const struct optval_err *e)
{
	if (e->errnum)
		optval_fail(e);
	return ydoc_error(wf->doc, v->mark, "%s", e->msg);
}

/* executor: local or srun (--srun), unless the command line gave --srun. */
static int
apply_executor(struct workflow *wf, const struct ynode *v)
{
	const char *s;

	if (wfcheck_string(wf, v, "executor", &s) < 0)
		return -1;
	if (strcmp(s, "local") != 0 && strcmp(s, "srun") != 0)
		return ydoc_error(wf->doc, v->mark,
		    "'executor' takes local or srun, not '%s'", s);
	if (!options_is_set(wf->o, OPT_SRUN) && strcmp(s, "srun") == 0)
		wf->o->srun = "";
	return 0;
}

/* The file's run-wide settings, where the command line set none. */
static int
apply_settings(struct workflow *wf, const struct ynode *root)
{
	struct options *o = wf->o;
	const struct ynode *v;
	struct optval_err e;
	bool b;

	if ((v = ynode_get(root, "jobs"))) {
		if (wfcheck_want(wf, v, YNODE_SCALAR, "jobs") < 0)
			return -1;
		if (!options_is_set(o, OPT_JOBS) &&
		    optval_jobs(o, v->value, &e) < 0)
			return refused(wf, v, &e);
	}
	if ((v = ynode_get(root, "keep-order"))) {
		if (wfcheck_bool(wf, v, "keep-order", &b) < 0)
			return -1;
		if (!options_is_set(o, OPT_KEEP_ORDER))
			o->keep_order = b;
	}
	if ((v = ynode_get(root, "tag"))) {
		if (wfcheck_bool(wf, v, "tag", &b) < 0)
			return -1;
		if (!options_is_set(o, OPT_TAG))
			o->tag = b;
	}
	if ((v = ynode_get(root, "output"))) {
		enum output_mode m;

		if (wfcheck_want(wf, v, YNODE_SCALAR, "output") < 0)
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
		if (wfcheck_want(wf, v, YNODE_SCALAR, "halt") < 0)
			return -1;
		if (!options_is_set(o, OPT_HALT) &&
		    optval_halt(&o->halt, v->value, &e) < 0)
			return refused(wf, v, &e);
	}
	if ((v = ynode_get(root, "joblog"))) {
		const char *s;

		if (wfcheck_string(wf, v, "joblog", &s) < 0)
			return -1;
		if (!options_is_set(o, OPT_JOBLOG))
			o->joblog = s;
	}
	if ((v = ynode_get(root, "executor")) && apply_executor(wf, v) < 0)
		return -1;
	if ((v = ynode_get(root, "shell"))) {
		const char *s;

		if (wfcheck_string(wf, v, "shell", &s) < 0)
			return -1;
		if (!options_is_set(o, OPT_SHELL))
			o->shell = s;
	}
	return 0;
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

/* The items of groups g[0..n-1] (as ::: lists or :::: files give them). */
static struct input *
groups_input(struct group *g, size_t n)
{
	struct options io = {0};

	io.groups = g;
	io.ngroups = n;
	io.delimiter = '\n';
	return input_open(&io);
}

/* each: {files: GLOB}: the matches, sorted, as the task's cwd has them. */
static struct input *
glob_input(const char *cwd, const char *pattern)
{
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
	in = groups_input(&g, 1);
	free(g.values);
	globfree(&gl);
	free(full);
	return in;
}

static struct input *
list_input(const struct ynode *v)
{
	struct group g = {0};
	struct input *in;
	size_t i;

	g.values = xcalloc(v->n + 1, sizeof *g.values);
	for (i = 0; i < v->n; i++)
		g.values[i] = v->items[i]->value;
	g.nvalues = v->n;
	in = groups_input(&g, 1);
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
		in = groups_input(&g, 1);
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
	t->input = groups_input(&g, 1);
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
	in = groups_input(g, rows->nnames);
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

static void task_hosts(
    struct workflow *, struct task *t, const struct ynode *v);
static void local_tasks(struct workflow *);

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
	if ((v = wfcheck_get(wf, w->node, "cwd")))
		t->cwd = xstrdup(v->value);
	if ((v = wfcheck_get(wf, w->node, "hosts")))
		task_hosts(wf, t, v);
	if ((v = wfcheck_get(wf, w->node, "srun"))) {
		if (!wf->o->srun)
			return ydoc_error(wf->doc, v->mark,
			    "'srun' needs 'executor: srun' (or --srun)");
		t->srun = xstrdup(v->value);
	}
	if ((v = wfcheck_get(wf, w->node, "each")) && each_input(wf, t, v) < 0)
		return -1;
	if ((v = wfcheck_get(wf, w->node, "matrix")) &&
	    matrix_input(wf, t, v, &to) < 0)
		return -1;
	run = wfcheck_get(wf, w->node, "run")->value;
	t->command = template_new(&run, 1, &to);
	free((void *)to.names);
	if ((v = wfcheck_get(wf, w->node, "when")))
		t->when = strcmp(v->value, "always") == 0 ? TASK_WHEN_ALWAYS
							  : TASK_WHEN_SUCCESS;
	add_env(&t->env, &nenv, wf->env);
	add_env(&t->env, &nenv, wfcheck_get(wf, w->node, "env"));
	t->env = xreallocarray(t->env, nenv + 2, sizeof *t->env);
	t->env[nenv++] = xasprintf("FANOUT_TASK=%s", w->name);
	t->env[nenv] = NULL;
	if ((v = wfcheck_get(wf, w->node, "timeout")))
		ts.timeout = options_parse_duration(v->value, true);
	if ((v = wfcheck_get(wf, w->node, "retries"))) {
		wfcheck_count(wf, v, "retries", 0, &n);
		ts.retries = n < 1 ? 1 : (unsigned)n;
	}
	if ((v = wfcheck_get(wf, w->node, "jobs"))) {
		wfcheck_count(wf, v, "jobs", 1, &n);
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
	local_tasks(wf);
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
		    v->kind == YNODE_SCALAR ? v->value
					    : wfcheck_kind_name(v->kind));
	return 0;
}

/* Add the strings of hosts: (one, or a list) to l. */
static void
add_host_strings(struct strlist *l, const struct ynode *v)
{
	size_t i, n = v->kind == YNODE_SEQ ? v->n : 1;

	l->v = xreallocarray(l->v, l->n + n, sizeof *l->v);
	for (i = 0; i < n; i++)
		l->v[l->n++] =
		    v->kind == YNODE_SEQ ? v->items[i]->value : v->value;
}

/* The run's hosts, unless the command line names some (it wins). */
static int
top_hosts(struct workflow *wf, const struct ynode *v)
{
	struct options *o = wf->o;

	if (wfcheck_hosts(wf, v, NULL) < 0)
		return -1;
	if (!o->sshlogins.n && !o->slf && !o->slurm_hosts)
		add_host_strings(&o->sshlogins, v);
	return 0;
}

/*
 * A task's own hosts (or defaults'): its jobs run there only. The pool
 * connects to them as to the run's hosts (options' task_hosts).
 */
static void
task_hosts(struct workflow *wf, struct task *t, const struct ynode *v)
{
	struct hosts_list l = HOSTS_LIST_INIT;
	size_t i;

	wfcheck_hosts(wf, v, &l);
	t->hosts = xcalloc(l.n + 1, sizeof *t->hosts);
	for (i = 0; i < l.n; i++)
		t->hosts[i] = xstrdup(l.v[i].name);
	hosts_list_release(&l);
	add_host_strings(&wf->o->task_hosts, v);
}

/*
 * Tasks of a workflow where some tasks name hosts and the run has none:
 * the others run on this machine (":"), a place of the pool too.
 */
static void
local_tasks(struct workflow *wf)
{
	static const char local[] = ":";
	struct options *o = wf->o;
	size_t i;

	if (!o->task_hosts.n || o->sshlogins.n || o->slf || o->slurm_hosts)
		return;
	for (i = 0; i < wf->ntasks; i++) {
		struct task *t = wf->tasks[i].task;

		if (!wf->tasks[i].selected || t->hosts)
			continue;
		t->hosts = xcalloc(2, sizeof *t->hosts);
		t->hosts[0] = xstrdup(local);
	}
	o->task_hosts.v = xreallocarray(
	    o->task_hosts.v, o->task_hosts.n + 1, sizeof *o->task_hosts.v);
	o->task_hosts.v[o->task_hosts.n++] = local;
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
	    wfcheck_keys(wf, root, wfcheck_top_keys, "top-level") < 0)
		return -1;
	if ((v = ynode_get(root, "hosts")) && top_hosts(wf, v) < 0)
		return -1;
	if ((v = ynode_get(root, "env")) && wfcheck_env(wf, v) < 0)
		return -1;
	wf->env = v;
	if ((v = ynode_get(root, "defaults"))) {
		if (wfcheck_want(wf, v, YNODE_MAP, "defaults") < 0 ||
		    wfcheck_task(wf, v, true) < 0)
			return -1;
		wf->defaults = v;
	}
	if (apply_settings(wf, root) < 0)
		return -1;
	if (!(v = ynode_get(root, "tasks")))
		return ydoc_error(wf->doc, root->mark, "missing 'tasks'");
	return wfgraph_gather(wf, v);
}

/* The plan of the document wf->doc, or NULL after an error. */
static struct workflow *
load_doc(struct workflow *wf, struct options *o, struct plan **plan)
{
	*plan = NULL;
	wf->o = o;
	if (!wf->doc || load_top(wf, wf->doc->root) < 0 ||
	    wfgraph_select(wf) < 0)
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
