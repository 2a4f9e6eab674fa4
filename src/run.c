#include <stdlib.h>
#include <unistd.h>

#include "collect.h"
#include "command.h"
#include "executor.h"
#include "job.h"
#include "joblog.h"
#include "options.h"
#include "plan.h"
#include "progress.h"
#include "run.h"
#include "sig.h"
#include "util.h"
#include "xalloc.h"

int64_t
run_ns(double seconds)
{
	double ns = seconds * 1e9;

	return ns < (double)(INT64_MAX / 4) ? (int64_t)ns : INT64_MAX / 4;
}

void
run_aside(void *arg, const char *p, size_t n)
{
	struct run *r = arg;

	if (r->progress)
		progress_clear(r->progress, p, n);
}

/* fatal() runs this: stop the jobs, so none outlives fanout. */
static struct run *fatal_run;

static void
on_fatal(void)
{
	if (fatal_run)
		job_kill_all(fatal_run);
}

/* The collector and its sinks, as the options ask. */
static struct collector *
collector_for(struct run *r)
{
	const struct options *o = r->o;
	struct collect_opts co = {
	    .mode = o->output,
	    .keep_order = o->keep_order,
	    .live = o->keep_order && o->task.retries <= 1 && !o->json &&
		!r->ex->may_lose,
	    .json = o->json,
	    .results = o->results,
	    .files = o->files,
	    .compress = o->compress || o->compress_program,
	    .zip = o->compress_program,
	    .unzip = o->decompress_program,
	    .stop = &sig_stop,
	    .on_tty = o->progress ? run_aside : NULL,
	    .on_tty_arg = r,
	    .joblog = joblog_to_stdout(r->joblog) ? r->joblog : NULL,
	};

	if (co.mode == OUTPUT_LINE && co.keep_order)
		co.mode = OUTPUT_GROUP;
	return collector_new(&co);
}

void
run_open(struct run *r, struct plan *plan, const struct options *o,
    struct executor *ex)
{
	size_t len;

	r->o = o;
	r->plan = plan;
	r->delay_factor = 1;
	r->now = util_now();
	r->ex = ex;
	job_events(r, &r->ev);
	ex->ev = &r->ev;
	sig_watch(ex);
	slots_init(&r->slots, o, ex->fds_per_job, ex->slots_total, ex->ncpu);
	plan_set_jobs(plan, r->slots.n);
	r->cmd = command_new(o);
	/*
	 * Output bound for /dev/null is not worth capturing: the jobs write
	 * there themselves (as GNU tar skips reading files it would archive
	 * to /dev/null). Their stderr pipe still tells when a job is over.
	 * The joblog's Receive column counts it, so it is captured then.
	 */
	r->out_null = !o->results && !o->joblog && !o->files &&
	    util_is_devnull(STDOUT_FILENO);
	/* The joblog is read before it is opened: opening drops a torn line. */
	if (o->resume || o->resume_failed)
		plan_resume(plan, o->joblog, !o->resume);
	if (o->joblog && !o->dry_run)
		r->joblog = joblog_open(o->joblog,
		    o->resume || o->resume_failed || o->retry_failed);
	r->coll = collector_for(r);
	fatal_run = r;
	fatal_hook = on_fatal;
	if (joblog_to_stdout(r->joblog)) {
		const char *h = joblog_header(&len);

		collector_print(r->coll, h, len);
	}
	if (o->progress) {
		r->progress = progress_new(o->progress, r->slots.limit);
		progress_places(r->progress, ex);
	}
}

int
run_close(struct run *r, bool input_error)
{
	struct tally_end end = {0};
	struct job *j;

	if (r->progress)
		progress_finish(r->progress, util_now());
	if (r->dry.len)
		collector_print(r->coll, r->dry.data, r->dry.len);
	collector_flush_all(r->coll);
	end.signal = r->stop_signal;
	end.broken = collector_broken(r->coll);
	end.error = collector_failed(r->coll) || input_error ||
	    r->joblog_failed || r->no_host;
	fatal_hook = NULL;
	fatal_run = NULL;
	/* Jobs to retry that a halt or a signal kept from running. */
	while ((j = plan_drain(r->plan)))
		job_drop(r, j);
	sig_watch(NULL);
	collector_free(r->coll);
	joblog_close(r->joblog);
	progress_free(r->progress);
	slots_free(&r->slots);
	command_free(r->cmd);
	buf_release(&r->dry);
	free(r->all_groups);
	return tally_status(&r->tally, &end);
}
