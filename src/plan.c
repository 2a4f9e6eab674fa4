#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "joblog.h"
#include "options.h"
#include "plan.h"
#include "template.h"
#include "util.h"
#include "xalloc.h"

/* read_item(): a deferred input cannot open before its task starts. */
#define INPUT_HELD PLAN_HELD

/* An item read ahead, with its seq. */
struct item {
	size_t seq;
	struct args args;
};

/* A task and what the plan knows of it. */
struct node {
	struct task task; /* first: a task is its node */
	size_t index; /* in task order */
	enum task_state state;
	struct node **needs;
	size_t nneeds;
	size_t running; /* handed out, not yet ended or given back */
	size_t pending; /* handed out or to run again, not yet ended */
	bool failed; /* a job failed for good, or the input did */
	bool input_over; /* every item read */
	bool opened; /* a deferred input (open_input) was opened */
	bool queued; /* on the plan's work list (update()) */
	size_t pos; /* in the order tasks are read (struct plan) */
	size_t nread; /* items read */
	struct item *items; /* read ahead, from items[next] on */
	size_t nitems, next, items_cap;
};

/* A job given back to run again. */
struct again {
	struct job *job;
	struct node *node;
	struct again *next;
};

enum resume { RESUME_NONE, RESUME_DONE, RESUME_OK };

struct plan {
	struct node **nodes;
	size_t nnodes;
	size_t seq; /* the last seq given */
	size_t counted; /* items read that will run (--resume: not done) */
	/*
	 * The order in which the tasks' items are read and get their seqs:
	 * task order, but the tasks whose input opens when they start
	 * (open_input) last, after what they need. order[reading] is the
	 * task read now; those before it are read whole.
	 */
	size_t *order;
	size_t reading;
	/* Who needs node i: needed_by[by_first[i]..by_first[i + 1] - 1]. */
	size_t *by_first, *needed_by;
	struct node **work; /* update()'s list of tasks to look at again */
	struct node **active; /* running tasks, in task order */
	size_t nactive;
	size_t nover; /* tasks done, failed or skipped */
	bool started;
	struct again *again; /* in the order they run again */
	enum resume resume;
	struct joblog_past past;
};

static void update(struct plan *, struct node *);

static struct node *
node_of(const struct task *t)
{
	return (struct node *)t;
}

struct plan *
plan_new(void)
{
	return xcalloc(1, sizeof(struct plan));
}

struct task *
plan_add_task(struct plan *p, const char *name)
{
	struct node *n = xcalloc(1, sizeof *n);

	if (p->started)
		BUG("a task added to a running plan");
	n->task.name = xstrdup(name);
	n->task.retries = 1;
	n->task.when = TASK_WHEN_SUCCESS;
	n->state = TASK_WAITING;
	n->index = p->nnodes;
	p->nodes = xreallocarray(p->nodes, p->nnodes + 1, sizeof *p->nodes);
	p->nodes[p->nnodes++] = n;
	return &n->task;
}

/* Whether n reaches need through its needs; seen marks the tasks tried. */
static bool
reaches(const struct node *n, const struct node *need, bool *seen)
{
	size_t i;

	for (i = 0; i < n->nneeds; i++) {
		const struct node *m = n->needs[i];

		if (m == need)
			return true;
		if (seen[m->index])
			continue;
		seen[m->index] = true;
		if (reaches(m, need, seen))
			return true;
	}
	return false;
}

bool
plan_needs(const struct plan *p, const struct task *t, const struct task *need)
{
	bool *seen = xcalloc(p->nnodes, sizeof *seen);
	bool found = reaches(node_of(t), node_of(need), seen);

	free(seen);
	return found;
}

void
plan_add_need(struct plan *p, struct task *t, struct task *need)
{
	struct node *n = node_of(t);
	size_t i;

	(void)p;
	/* A cycle is found once, before the first job (start()). */
	if (t == need)
		BUG("task '%s' needs itself", t->name);
	for (i = 0; i < n->nneeds; i++)
		if (&n->needs[i]->task == need)
			return;
	n->needs = xreallocarray(n->needs, n->nneeds + 1, sizeof *n->needs);
	n->needs[n->nneeds++] = node_of(need);
}

enum task_state
plan_task_state(const struct plan *p, const struct task *t)
{
	(void)p;
	return node_of(t)->state;
}

/* The one task of the command line, with the settings every task has. */
static struct task *
task_from_options(struct plan *p, const struct options *o, const char *name)
{
	struct task *t = plan_add_task(p, name);

	t->timeout = o->task.timeout;
	t->timeout_percent = o->task.timeout_percent;
	t->retries = o->task.retries;
	return t;
}

static size_t
value_len(const void *data, const char *v, size_t len, size_t i)
{
	return template_value_len(data, v, len, i);
}

/* The job slots -m and -X spread a short input over. */
static size_t
spread_slots(const struct options *o)
{
	long n = o->jobs_file
	    ? options_jobs_from_file(o->jobs_file)
	    : util_jobs_from_spec(
		  o->jobs_spec ? o->jobs_spec : "100%", util_ncpu());

	if (n == 0)
		return SIZE_MAX; /* -j 0: one item each */
	return n > 0 ? (size_t)n : 1;
}

/*
 * Several items per job by length: -m, -X, --xargs and -s, and with
 * fanout's default limit -n and -L too (GNU parallel).
 */
static void
pack_input(struct task *t, const struct options *o)
{
	struct input_pack pack = {0};
	bool by_count =
	    o->max_args > 1 && (!o->max_args_context || o->max_lines);

	if (!o->max_chars && o->pack == PACK_NONE && !by_count)
		return;
	if (!t->command || o->no_args)
		return;
	pack.max_chars = o->max_chars ? o->max_chars : util_command_usable();
	pack.fixed = template_fixed_len(t->command);
	pack.value_len = value_len;
	pack.data = t->command;
	if (o->pack == PACK_M || o->pack == PACK_X)
		pack.spread = spread_slots(o);
	input_set_pack(t->input, &pack);
}

struct plan *
plan_from_options(const struct options *o)
{
	struct plan *p = plan_new();
	struct template_opts to = {
	    .replace = o->replace, .quote = o->quote, .plus = o->plus};
	struct task *t = task_from_options(p, o, "command line");

	/* GNU parallel's context replace: -X, -N, and -L but with -m. */
	to.context = o->pack == PACK_X ||
	    (o->max_args_context && o->pack != PACK_M && o->pack != PACK_XARGS);
	/* --header: {name} is a column, as in a workflow's matrix. */
	t->input = input_open(o);
	to.names = input_names(t->input, &to.nnames);
	if (o->task.ncommand)
		t->command =
		    template_new(o->task.command, o->task.ncommand, &to);
	else
		t->command = template_new_raw();
	if (o->task.tagstring)
		t->tagstring = template_new_text(o->task.tagstring, &to);
	pack_input(t, o);
	return p;
}

struct plan *
plan_from_joblog(const struct options *o)
{
	struct joblog_past past;
	struct plan *p = plan_new();
	struct options lines = {0};
	struct group g = {0};
	struct task *t = task_from_options(p, o, "retry-failed");
	size_t i;

	joblog_read(o->joblog, &past);
	g.values = xcalloc(past.nfailed + 1, sizeof *g.values);
	g.nvalues = past.nfailed;
	t->seqs = xcalloc(past.nfailed + 1, sizeof *t->seqs);
	t->nseqs = past.nfailed;
	for (i = 0; i < past.nfailed; i++) {
		g.values[i] = past.failed_cmd[i];
		t->seqs[i] = past.failed_seq[i];
	}
	lines.groups = &g;
	lines.ngroups = 1;
	lines.delimiter = '\n';
	t->command = template_new_raw();
	t->input = input_open(&lines);
	free(g.values);
	joblog_past_release(&past);
	return p;
}

void
plan_resume(struct plan *p, const char *joblog, bool failed_too)
{
	if (p->started)
		BUG("plan_resume() after the first job");
	joblog_past_release(&p->past);
	joblog_read(joblog, &p->past);
	p->resume = failed_too ? RESUME_OK : RESUME_DONE;
}

static void
items_release(struct node *n)
{
	size_t i;

	for (i = n->next; i < n->nitems; i++)
		args_release(&n->items[i].args);
	free(n->items);
	n->items = NULL;
	n->nitems = n->next = n->items_cap = 0;
}

static void
node_free(struct node *n)
{
	char **e;

	free(n->task.name);
	template_free(n->task.command);
	template_free(n->task.tagstring);
	input_free(n->task.input);
	free(n->task.cwd);
	for (e = n->task.hosts; e && *e; e++)
		free(*e);
	free(n->task.hosts);
	free(n->task.srun);
	free(n->task.open_data);
	for (e = n->task.env; e && *e; e++)
		free(*e);
	free(n->task.env);
	free(n->task.seqs);
	free(n->needs);
	items_release(n);
	free(n);
}

void
plan_free(struct plan *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; i < p->nnodes; i++)
		node_free(p->nodes[i]);
	free(p->nodes);
	free(p->order);
	free(p->by_first);
	free(p->needed_by);
	free(p->work);
	free(p->active);
	while (p->again)
		plan_drain(p);
	joblog_past_release(&p->past);
	free(p);
}

/* Whether an earlier run did the job of this seq (--resume). */
static bool
resumed(const struct plan *p, size_t seq)
{
	switch (p->resume) {
	case RESUME_DONE:
		return joblog_past_done(&p->past, seq);
	case RESUME_OK:
		return joblog_past_ok(&p->past, seq);
	default:
		return false;
	}
}

/*
 * Read a task's next item from its input and give it its seq. Items an
 * earlier run did are passed over. INPUT_ITEM, INPUT_END, INPUT_WAIT or
 * INPUT_ERROR (the input is then over).
 */
static int
read_item(struct plan *p, struct node *n, struct args *out, size_t *seq)
{
	struct task *t = &n->task;
	int rc;

	if (t->open_input && !n->opened) {
		if (n->state == TASK_WAITING)
			return INPUT_HELD;
		n->opened = true;
		if (n->state != TASK_RUNNING) {
			n->input_over = true; /* skipped: nothing to read */
			return INPUT_END;
		}
		if (!(t->input = t->open_input(t))) {
			n->input_over = n->failed = true;
			return INPUT_ERROR;
		}
	}
	for (;;) {
		if (n->input_over)
			return INPUT_END;
		if (t->input) {
			rc = input_next(t->input, out);
		} else {
			/* No input: one job with no arguments. */
			args_reset(out);
			rc = n->nread ? INPUT_END : INPUT_ITEM;
		}
		if (rc == INPUT_END || rc == INPUT_ERROR) {
			n->input_over = true;
			n->failed |= rc == INPUT_ERROR;
		}
		if (rc != INPUT_ITEM)
			return rc;
		*seq = n->nread < t->nseqs ? t->seqs[n->nread] : ++p->seq;
		n->nread++;
		if (!resumed(p, *seq)) {
			p->counted++;
			return INPUT_ITEM;
		}
	}
}

/* Read the rest of a task's items ahead. As read_item(), never ITEM. */
static int
read_ahead(struct plan *p, struct node *n)
{
	struct item *it;
	int rc;

	for (;;) {
		if (n->nitems == n->items_cap) {
			n->items_cap = n->items_cap ? 2 * n->items_cap : 16;
			n->items = xreallocarray(
			    n->items, n->items_cap, sizeof *n->items);
		}
		it = &n->items[n->nitems];
		args_init(&it->args);
		rc = read_item(p, n, &it->args, &it->seq);
		if (rc != INPUT_ITEM) {
			args_release(&it->args);
			return rc;
		}
		n->nitems++;
	}
}

/* Read the tasks before task `upto` whole, in task order. */
static int
read_tasks(struct plan *p, size_t upto)
{
	int rc;

	while (p->reading < upto) {
		struct node *n = p->nodes[p->order[p->reading]];

		rc = read_ahead(p, n);
		if (rc == INPUT_WAIT || rc == INPUT_HELD)
			return rc;
		p->reading++;
		/* Skipped while read (a need's input failed): only counted. */
		if (n->state == TASK_SKIPPED)
			items_release(n);
		update(p, n); /* it may have no job, or have failed */
		if (rc == INPUT_ERROR)
			return rc;
	}
	return INPUT_END;
}

/* A task's next item, read ahead or from its input. */
static int
next_item(struct plan *p, struct node *n, struct args *out, size_t *seq)
{
	struct item *it;

	if (n->next == n->nitems)
		return read_item(p, n, out, seq);
	it = &n->items[n->next++];
	*seq = it->seq;
	args_release(out);
	*out = it->args;
	if (n->next == n->nitems)
		items_release(n);
	return INPUT_ITEM;
}

static bool
node_over(const struct node *n)
{
	return n->state == TASK_DONE || n->state == TASK_FAILED ||
	    n->state == TASK_SKIPPED;
}

/* What a waiting task becomes now: still waiting, running or skipped. */
static enum task_state
node_ready(const struct node *n)
{
	bool met = true;
	size_t i;

	for (i = 0; i < n->nneeds; i++) {
		if (!node_over(n->needs[i]))
			return TASK_WAITING;
		if (n->needs[i]->state != TASK_DONE)
			met = false;
	}
	return met || n->task.when == TASK_WHEN_ALWAYS ? TASK_RUNNING
						       : TASK_SKIPPED;
}

/* "fanout: task 'b' skipped: 'a' failed", naming the first need that did
 * not succeed. */
static void
say_skipped(const struct node *n)
{
	size_t i;

	for (i = 0; i < n->nneeds; i++)
		if (n->needs[i]->state != TASK_DONE) {
			(void)error("task '%s' skipped: '%s' %s", n->task.name,
			    n->needs[i]->task.name,
			    n->needs[i]->state == TASK_SKIPPED ? "was skipped"
							       : "failed");
			return;
		}
}

/*
 * Move tasks on: a running task whose jobs all ended is done or failed;
 * a waiting one whose needs are over runs or is skipped. One change may
 * allow another, in any task order: go round until nothing changes.
 */
static void
push_work(struct plan *p, size_t *top, struct node *n)
{
	if (!n->queued) {
		n->queued = true;
		p->work[(*top)++] = n;
	}
}

/* A task that now runs joins the running ones, in task order. */
static void
activate(struct plan *p, struct node *n)
{
	size_t lo = 0, hi = p->nactive, mid;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (p->active[mid]->index < n->index)
			lo = mid + 1;
		else
			hi = mid;
	}
	memmove(p->active + lo + 1, p->active + lo,
	    (p->nactive - lo) * sizeof *p->active);
	p->active[lo] = n;
	p->nactive++;
}

/*
 * Move tasks on from task `from` (NULL: every task): a running task whose
 * jobs all ended is done or failed; a waiting one whose needs are over
 * runs or is skipped; one that is over may move those that need it on.
 * A work list, not rounds over every task: a run of a chain of 100 000
 * tasks is not quadratic.
 */
static void
update(struct plan *p, struct node *from)
{
	size_t top = 0, i, k;

	if (from)
		push_work(p, &top, from);
	else
		for (i = p->nnodes; i-- > 0;)
			push_work(p, &top, p->nodes[i]);
	while (top) {
		struct node *n = p->work[--top];
		enum task_state was = n->state;

		n->queued = false;
		if (n->state == TASK_WAITING)
			n->state = node_ready(n);
		if (n->state == TASK_RUNNING && n->input_over &&
		    n->next == n->nitems && n->pending == 0)
			n->state = n->failed ? TASK_FAILED : TASK_DONE;
		if (n->state == was)
			continue;
		if (was == TASK_WAITING && n->state != TASK_SKIPPED)
			activate(p, n);
		if (n->state == TASK_SKIPPED) {
			items_release(n);
			say_skipped(n);
		}
		if (!node_over(n))
			continue;
		p->nover++;
		for (k = p->by_first[n->index]; k < p->by_first[n->index + 1];
		     k++)
			push_work(p, &top, p->nodes[p->needed_by[k]]);
	}
}

static bool
under_cap(const struct node *n)
{
	return !n->task.cap || n->running < n->task.cap;
}

/* The first job given back whose task is under its cap, or NULL. */
static struct job *
take_again(struct plan *p)
{
	struct again **a, *found;
	struct job *j;

	for (a = &p->again; *a; a = &(*a)->next) {
		if (!under_cap((*a)->node))
			continue;
		found = *a;
		*a = found->next;
		j = found->job;
		found->node->running++;
		free(found);
		return j;
	}
	return NULL;
}

/*
 * The order the tasks are read in (struct plan): task order, then the
 * tasks with a deferred input in an order where each comes after what it
 * needs, even through other tasks (Kahn's, the ready ones in task
 * order). A cycle is a BUG here: the caller made sure there is none.
 * Linear in tasks and needs, without recursion.
 */
static void
make_order(struct plan *p)
{
	size_t n = p->nnodes, i, k, e = 0, head = 0, tail = 0, no = 0;
	/* Who needs node i: by[first[i]] .. by[first[i + 1] - 1]. */
	size_t *first = xcalloc(n + 2, sizeof *first);
	size_t *waiting = xcalloc(n + 1, sizeof *waiting);
	size_t *queue = xcalloc(n + 1, sizeof *queue);
	size_t *by, *fill;

	for (i = 0; i < n; i++)
		for (k = 0; k < p->nodes[i]->nneeds; k++, e++)
			first[p->nodes[i]->needs[k]->index + 1]++;
	for (i = 0; i < n; i++)
		first[i + 1] += first[i];
	by = xcalloc(e + 1, sizeof *by);
	fill = xcalloc(n + 1, sizeof *fill);
	for (i = 0; i < n; i++)
		for (k = 0; k < p->nodes[i]->nneeds; k++) {
			size_t m = p->nodes[i]->needs[k]->index;

			by[first[m] + fill[m]++] = i;
		}
	for (i = 0; i < n; i++)
		if ((waiting[i] = p->nodes[i]->nneeds) == 0)
			queue[tail++] = i;
	while (head < tail) {
		size_t m = queue[head++];

		for (k = first[m]; k < first[m + 1]; k++)
			if (--waiting[by[k]] == 0)
				queue[tail++] = by[k];
	}
	if (tail != n)
		BUG("the needs of the plan's tasks make a cycle");
	p->order = xcalloc(n + 1, sizeof *p->order);
	for (i = 0; i < n; i++)
		if (!p->nodes[i]->task.open_input)
			p->order[no++] = i;
	for (i = 0; i < n; i++)
		if (p->nodes[queue[i]]->task.open_input)
			p->order[no++] = queue[i];
	for (i = 0; i < n; i++)
		p->nodes[p->order[i]]->pos = i;
	p->by_first = first;
	p->needed_by = by;
	p->work = xcalloc(n + 1, sizeof *p->work);
	p->active = xcalloc(n + 1, sizeof *p->active);
	free(waiting);
	free(queue);
	free(fill);
}

/* Before the first job: the tasks that need nothing run. */
static void
start(struct plan *p)
{
	if (!p->started) {
		p->started = true;
		make_order(p);
		update(p, NULL);
	}
}

/*
 * Whether n's items may be handed out: the tasks read before it are read
 * whole (their seqs come first), and it is read whole or read now, last.
 */
static bool
seqs_known(const struct plan *p, const struct node *n)
{
	return n->pos < p->reading ||
	    (n->pos == p->reading && n->pos == p->nnodes - 1);
}

/* A new job of the first ready task, in task order. */
static int
next_new(struct plan *p, struct plan_job *pj, struct args *args)
{
	size_t i;
	int rc;

	for (i = 0; i < p->nactive; i++) {
		struct node *n = p->active[i];

		if (n->state != TASK_RUNNING) {
			/* Over: it leaves the running ones. */
			memmove(p->active + i, p->active + i + 1,
			    (--p->nactive - i) * sizeof *p->active);
			i--;
			continue;
		}
		if (!under_cap(n) || (n->input_over && n->next == n->nitems) ||
		    !seqs_known(p, n))
			continue;
		rc = next_item(p, n, args, &pj->seq);
		if (rc == INPUT_HELD)
			continue;
		if (rc == INPUT_ITEM) {
			pj->task = &n->task;
			n->running++;
			n->pending++;
			return PLAN_JOB;
		}
		if (rc == INPUT_WAIT)
			return rc;
		/* Its input just ended: it may be over, and others may run. */
		update(p, n);
		if (rc == INPUT_ERROR)
			return rc;
		i = (size_t)-1;
	}
	return p->nover < p->nnodes ? PLAN_HELD : PLAN_END;
}

int
plan_next(struct plan *p, struct plan_job *pj, struct args *args)
{
	int rc;

	pj->task = NULL;
	pj->seq = 0;
	if ((pj->again = take_again(p)))
		return PLAN_AGAIN;
	start(p);
	/* The items of every task but the last, for the seqs. */
	if (p->nnodes > 1 && (rc = read_tasks(p, p->nnodes - 1)) != INPUT_END &&
	    rc != INPUT_HELD)
		return rc;
	return next_new(p, pj, args);
}

int
plan_more(struct plan *p, struct task *t, struct args *args)
{
	struct node *n = node_of(t);
	int rc;

	(void)p;
	if (n->input_over || !t->input)
		return INPUT_END;
	/* Its jobs still run: plan_job_ended() sees it over, not here. */
	rc = input_next(t->input, args);
	if (rc == INPUT_END || rc == INPUT_ERROR) {
		n->input_over = true;
		n->failed |= rc == INPUT_ERROR;
	}
	return rc;
}

void
plan_job_ended(struct plan *p, struct task *t, bool failed)
{
	struct node *n = node_of(t);

	if (!n->running || !n->pending)
		BUG("task '%s': a job ended that was not handed out", t->name);
	n->running--;
	n->pending--;
	n->failed |= failed;
	if (n->pending == 0 && n->input_over && n->next == n->nitems)
		update(p, n); /* its last job: it is over */
}

void
plan_job_again(struct plan *p, struct task *t, struct job *j)
{
	struct node *n = node_of(t);
	struct again *a = xmalloc(sizeof *a);

	if (!n->running)
		BUG("task '%s': a job given back that was not handed out",
		    t->name);
	n->running--;
	a->job = j;
	a->node = n;
	a->next = p->again;
	p->again = a;
}

struct job *
plan_drain(struct plan *p)
{
	struct again *a = p->again;
	struct job *j;

	if (!a)
		return NULL;
	p->again = a->next;
	j = a->job;
	free(a);
	return j;
}

int
plan_read_all(struct plan *p, size_t *total)
{
	int rc;

	start(p);
	/* A deferred input counts once its task starts and it is read. */
	if ((rc = read_tasks(p, p->nnodes)) == INPUT_HELD)
		rc = INPUT_END;
	*total = p->counted;
	return rc;
}

/* The input read now, or NULL. */
static struct input *
read_now(const struct plan *p)
{
	if (!p->order || p->reading >= p->nnodes)
		return NULL;
	return p->nodes[p->order[p->reading]]->task.input;
}

int
plan_input_fd(const struct plan *p)
{
	return read_now(p) ? input_fd(read_now(p)) : -1;
}

int64_t
plan_input_deadline(const struct plan *p)
{
	return read_now(p) ? input_deadline(read_now(p)) : INT64_MAX;
}

int
plan_fill(struct plan *p)
{
	return read_now(p) ? input_fill(read_now(p)) : 0;
}

bool
plan_needs_total(const struct plan *p)
{
	size_t i;

	for (i = 0; i < p->nnodes; i++)
		if (template_needs_total(p->nodes[i]->task.command) ||
		    template_needs_total(p->nodes[i]->task.tagstring))
			return true;
	return false;
}

void
plan_set_total(struct plan *p, size_t total)
{
	size_t i;

	for (i = 0; i < p->nnodes; i++) {
		template_set_total(p->nodes[i]->task.command, total);
		template_set_total(p->nodes[i]->task.tagstring, total);
	}
}
