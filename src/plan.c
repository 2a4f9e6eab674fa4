#include <stdlib.h>

#include "joblog.h"
#include "options.h"
#include "plan.h"
#include "template.h"
#include "xalloc.h"

struct plan *
plan_from_options(const struct options *o)
{
	struct plan *p = xcalloc(1, sizeof *p);
	struct template_opts to = {o->replace, o->quote};
	struct task *t;

	p->tasks = xcalloc(1, sizeof *p->tasks);
	p->ntasks = 1;
	t = &p->tasks[0];
	t->name = xstrdup("command line");
	if (o->task.ncommand)
		t->command =
		    template_new(o->task.command, o->task.ncommand, &to);
	else
		t->command = template_new_raw();
	if (o->task.tagstring)
		t->tagstring = template_new_text(o->task.tagstring, &to);
	t->input = input_open(o);
	t->timeout = o->task.timeout;
	t->timeout_percent = o->task.timeout_percent;
	t->retries = o->task.retries;
	return p;
}

struct plan *
plan_from_joblog(const struct options *o)
{
	struct joblog_past past;
	struct plan *p = xcalloc(1, sizeof *p);
	struct options lines = {0};
	struct group g = {0};
	struct task *t;
	size_t i;

	joblog_read(o->joblog, &past);
	g.values = xcalloc(past.nfailed + 1, sizeof *g.values);
	g.nvalues = past.nfailed;
	p->tasks = xcalloc(1, sizeof *p->tasks);
	p->ntasks = 1;
	t = &p->tasks[0];
	t->seqs = xcalloc(past.nfailed + 1, sizeof *t->seqs);
	t->nseqs = past.nfailed;
	for (i = 0; i < past.nfailed; i++) {
		g.values[i] = past.failed_cmd[i];
		t->seqs[i] = past.failed_seq[i];
	}
	lines.groups = &g;
	lines.ngroups = 1;
	lines.delimiter = '\n';
	t->name = xstrdup("retry-failed");
	t->command = template_new_raw();
	t->input = input_open(&lines);
	t->timeout = o->task.timeout;
	t->timeout_percent = o->task.timeout_percent;
	t->retries = o->task.retries;
	free(g.values);
	joblog_past_release(&past);
	return p;
}

void
plan_free(struct plan *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; i < p->ntasks; i++) {
		free(p->tasks[i].name);
		template_free(p->tasks[i].command);
		template_free(p->tasks[i].tagstring);
		input_free(p->tasks[i].input);
		free(p->tasks[i].seqs);
	}
	free(p->tasks);
	free(p);
}

int
plan_next(struct plan *p, struct task **task, struct args *out)
{
	int rc;

	while (p->next_task < p->ntasks) {
		*task = &p->tasks[p->next_task];
		rc = input_next((*task)->input, out);
		if (rc != INPUT_END)
			return rc;
		p->next_task++;
	}
	return INPUT_END;
}

int
plan_input_fd(const struct plan *p)
{
	if (p->next_task >= p->ntasks)
		return -1;
	return input_fd(p->tasks[p->next_task].input);
}

int
plan_fill(struct plan *p)
{
	return input_fill(p->tasks[p->next_task].input);
}
