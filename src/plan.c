#include <stdlib.h>

#include "options.h"
#include "plan.h"
#include "template.h"
#include "xalloc.h"

struct plan *
plan_from_options(const struct options *o)
{
	struct plan *p = xcalloc(1, sizeof *p);
	struct template_opts to = { o->replace, o->quote };
	struct task *t;

	p->tasks = xcalloc(1, sizeof *p->tasks);
	p->ntasks = 1;
	t = &p->tasks[0];
	t->name = xstrdup("command line");
	if (o->ncommand)
		t->command = template_new(o->command, o->ncommand, &to);
	else
		t->command = template_new_raw();
	if (o->tagstring)
		t->tagstring = template_new_text(o->tagstring, &to);
	t->input = input_open(o);
	t->timeout = o->timeout;
	t->timeout_percent = o->timeout_percent;
	t->retries = o->retries;
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
