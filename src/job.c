#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "collect.h"
#include "command.h"
#include "job.h"
#include "hosts.h"
#include "joblog.h"
#include "options.h"
#include "pipe.h"
#include "plan.h"
#include "progress.h"
#include "record.h"
#include "run.h"
#include "template.h"
#include "util.h"
#include "xalloc.h"

#define PAUSE_RETRY_NS (100 * 1000000LL)
#define PAUSE_LIVE_NS (1000 * 1000000LL)
/*
 * How long what a job's command left behind may keep its pipes open
 * after the command ended before it is stopped: a background child
 * that redirects its output elsewhere holds them until it has done so.
 */
#define HOLD_GRACE_NS (1000 * 1000000LL)

enum job_state {
	JOB_QUEUED, /* waiting for a slot, or to run again */
	JOB_STARTING, /* its executor accepted it */
	JOB_RUNNING,
	JOB_EXITED, /* its command ended; its output has not all come */
	JOB_CLOSED, /* its output all came; its command runs */
	JOB_DONE,
};

struct job {
	enum job_state state;
	size_t seq;
	struct task *task;
	struct args args;
	size_t slot; /* from 1; 0 while queued */
	unsigned runs;
	struct executor *ex; /* where it runs */
	void *xs; /* the executor's state for it; NULL once it is over */
	const char *host; /* where it ran, if its executor said: a node */
	int exitval;
	int sig;
	int64_t start;
	double start_wall;
	int64_t term_at; /* next termseq step; 0: not stopping */
	int64_t hold_until; /* its pipes still held after it ended; 0: not */
	int64_t paused_ns; /* how long ^Z stopped it: not part of --timeout */
	size_t term_step;
	bool timed_out;
	bool cut_short; /* stopped by --halt now or a signal */
	bool paused; /* a full disk: not reading for now */
	bool zip_busy; /* paused by a compressor's full pipe, not a disk */
	bool in_memory; /* a full disk no job could free: held in memory */
	bool abandoned; /* its output is no longer waited for */
	bool no_retry; /* printed as it ran (a full disk): not run again */
	bool hungry; /* --round-robin: it took its input, give it more */
	uint64_t sent; /* bytes given to its stdin (the joblog's Send) */
	int64_t paused_since;
	struct output *out;
	/* --hostgroups: its first value's @g1+g2, the groups of the hosts it
	 * may run on; NULL: any host. */
	char *groups;
};

static void
job_free(struct job *j)
{
	args_release(&j->args);
	free(j->groups);
	free(j);
}

/*
 * --hostgroups: each value loses its @g1+g2; the first value's are the
 * job's groups (GNU parallel's). --onall's last value is a login. -1
 * after a message when the first value's @ has only '+' after it (GNU
 * parallel waits for ever with a job that may run nowhere).
 */
static int
job_take_groups(struct job *j, size_t n)
{
	struct args *a = &j->args;
	char *v;
	size_t i, cut, end;

	for (i = 0; i < n; i++) {
		v = a->data.data + a->off[i];
		if ((cut = hosts_arg_groups(v, a->len[i])) == a->len[i])
			continue;
		if (i == 0 && strspn(v + cut + 1, "+") == a->len[i] - cut - 1)
			return error("'%s': no host group after its '@' "
				     "(--hostgroups)",
			    v);
		if (i == 0) {
			/* GNU parallel's split() drops empty names at the
			 * end: "g1++" is "g1". */
			end = a->len[i];
			while (v[end - 1] == '+')
				end--;
			j->groups = xstrndup(v + cut + 1, end - cut - 1);
		}
		v[cut] = '\0';
		a->len[i] = cut;
	}
	return 0;
}

void
job_drop(struct run *r, struct job *j)
{
	if (j->out)
		output_cancel(r->coll, j->out);
	job_free(j);
}

struct job *
job_next(struct run *r, int *rc)
{
	struct job *j = xcalloc(1, sizeof *j);
	struct plan_job pj;

	*rc = plan_next(r->plan, &pj, &j->args);
	if (*rc == PLAN_JOB) {
		j->task = pj.task;
		j->seq = pj.seq;
		/* --onall: the last argument only says the host (job_place). */
		if (r->o->onall && j->args.n > 1)
			j->args.n--;
		if (r->o->hostgroups && j->task->command && !j->args.block) {
			if (job_take_groups(j, j->args.n) < 0) {
				/* An input error: its seq is used up. */
				plan_job_ended(r->plan, j->task, true);
				job_free(j);
				*rc = PLAN_ERROR;
				return NULL;
			}
			/* --onall, --nonall: the host is the job's already. */
			if (r->o->onall || r->o->nonall) {
				free(j->groups);
				j->groups = NULL;
			}
		}
		return j;
	}
	job_free(j);
	return *rc == PLAN_AGAIN ? pj.again : NULL;
}

/* ex's {hgrp}: its name and groups; ":" for this machine. */
static const char *
place_groups(const struct executor *ex)
{
	return ex->hgrp ? ex->hgrp : ex->host ? ex->host : ":";
}

/* A group name in a '+'-joined list, and where it came. */
struct group_name {
	const char *p;
	size_t len, i;
};

static int
group_name_cmp(const void *a, const void *b)
{
	const struct group_name *x = a, *y = b;
	int c = memcmp(x->p, y->p, x->len < y->len ? x->len : y->len);

	if (c)
		return c;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

/*
 * {agrp} of a job without groups of its own (it runs anywhere): every
 * group of every host, each once, in the order the hosts come (GNU
 * parallel's, in the order of a Perl hash).
 */
static const char *
all_groups(struct run *r)
{
	struct executor *ex = r->ex;
	size_t n = ex->places ? ex->nplaces : 1, i, ntok = 0, len = 0;
	struct group_name *tok = NULL, *sorted;
	size_t cap = 0;
	const char *t, *plus;
	bool *dup;

	if (r->all_groups && r->all_groups_places == n)
		return r->all_groups;
	for (i = 0; i < n; i++)
		for (t = place_groups(ex->places ? ex->places[i] : ex);;
		     t = plus + 1) {
			plus = strchrnul(t, '+');
			if (ntok == cap) {
				cap = cap ? cap * 2 : 16;
				tok = xreallocarray(tok, cap, sizeof *tok);
			}
			tok[ntok] =
			    (struct group_name){t, (size_t)(plus - t), ntok};
			len += tok[ntok++].len + 1;
			if (!*plus)
				break;
		}
	/* Each name once: sorted, the later of equal names is dropped. */
	sorted = xreallocarray(NULL, ntok, sizeof *sorted);
	memcpy(sorted, tok, ntok * sizeof *sorted);
	qsort(sorted, ntok, sizeof *sorted, group_name_cmp);
	dup = xcalloc(ntok, sizeof *dup);
	for (i = 1; i < ntok; i++)
		dup[sorted[i].i] = sorted[i].len == sorted[i - 1].len &&
		    !memcmp(sorted[i].p, sorted[i - 1].p, sorted[i].len);
	free(r->all_groups);
	r->all_groups = xmalloc(len + 1);
	len = 0;
	for (i = 0; i < ntok; i++) {
		if (dup[i])
			continue;
		if (len)
			r->all_groups[len++] = '+';
		memcpy(r->all_groups + len, tok[i].p, tok[i].len);
		len += tok[i].len;
	}
	r->all_groups[len] = '\0';
	r->all_groups_places = n;
	free(tok);
	free(sorted);
	free(dup);
	return r->all_groups;
}

/* The job's seq, slot, login and groups, for its command and tag. */
static struct template_job
job_of(struct run *r, const struct job *j)
{
	struct template_job tj = {
	    j->seq, j->slot, j->ex ? j->ex->host : NULL, NULL, NULL};

	if (r && r->o->hostgroups && j->ex) {
		tj.hgrp = place_groups(j->ex);
		tj.agrp = j->groups ? j->groups : all_groups(r);
	}
	return tj;
}

static void
job_text(struct run *r, const struct job *j, struct buf *out)
{
	struct template_job tj = job_of(r, j);

	command_text(j->task, &j->args, &tj, out);
}

/* A one-line notice on stderr naming a job's command. */
static void
job_notice(struct run *r, const struct job *j, const char *what)
{
	struct buf text = BUF_INIT;

	run_aside(r, "\n", 1);
	job_text(r, j, &text);
	warnx("%s: %s", what, text.data);
	buf_release(&text);
}

static bool
tagged(const struct run *r)
{
	return r->o->tag || r->o->task.tagstring;
}

/* --shell-quote: the command quoted as one shell word, n times over. */
static void
shell_quoted(struct run *r, const struct job *j, unsigned n, struct buf *out)
{
	struct buf text = BUF_INIT, quoted = BUF_INIT;

	job_text(r, j, &text);
	while (n-- > 0) {
		buf_reset(&quoted);
		shell_quote(&quoted, text.data ? text.data : "", text.len);
		buf_reset(&text);
		buf_add(&text, quoted.data, quoted.len);
	}
	buf_add(out, text.data, text.len);
	buf_release(&text);
	buf_release(&quoted);
}

/* --dry-run: print the command, in blocks; the job is done. */
static void
dry_run(struct run *r, struct job *j)
{
	struct buf tag = BUF_INIT;
	struct template_job tj = job_of(r, j);

	if (tagged(r)) {
		command_tag(j->task, &j->args, &tj, &tag);
		buf_add(&r->dry, tag.data, tag.len);
		buf_release(&tag);
	}
	if (r->o->shell_quote)
		shell_quoted(r, j, r->o->shell_quote, &r->dry);
	else
		job_text(r, j, &r->dry);
	buf_addch(&r->dry, '\n');
	if (r->dry.len >= 65536) {
		collector_print(r->coll, r->dry.data, r->dry.len);
		buf_reset(&r->dry);
	}
	slots_give(&r->slots, j->slot);
	r->tally.ndone++;
	plan_job_ended(r->plan, j->task, false);
	job_free(j);
}

/* -v: the command before the job's output. */
static void
verbose(struct run *r, struct job *j)
{
	struct buf text = BUF_INIT;

	job_text(r, j, &text);
	buf_addch(&text, '\n');
	if (r->o->output == OUTPUT_UNGROUP)
		collector_print(r->coll, text.data, text.len);
	else
		output_append(r->coll, j->out, 1, text.data, text.len);
	buf_release(&text);
}

/* --tag: the job's arguments; --onall, --nonall: its host. */
static void
job_tag(struct run *r, struct job *j, struct buf *tag)
{
	struct template_job tj;

	if ((r->o->onall || r->o->nonall) && !j->task->tagstring) {
		buf_reset(tag);
		buf_addstr(tag, j->ex->host);
		buf_addch(tag, '\t');
		return;
	}
	tj = job_of(r, j);
	command_tag(j->task, &j->args, &tj, tag);
}

/* --hostgroups: whether job j may run at place p by its groups. */
static bool
place_in_groups(const struct job *j, const struct executor *p)
{
	return !j->groups ||
	    hosts_in_groups(p->host ? p->host : ":", p->groups, j->groups);
}

/*
 * Whether no place (gone or not) is in any of the job's groups: then it
 * cannot run (GNU parallel would take its groups for hosts to add).
 */
static bool
job_nowhere(const struct run *r, const struct job *j)
{
	const struct executor *ex = r->ex;
	size_t i;

	if (!j->groups)
		return false;
	if (!ex->places)
		return !place_in_groups(j, ex);
	for (i = 0; i < ex->nplaces; i++)
		if (place_in_groups(j, ex->places[i]))
			return false;
	return true;
}

/*
 * Whether a job j of task t may run at place p: a workflow's hosts:, and
 * --hostgroups.
 */
static bool
place_allowed(
    const struct job *j, const struct task *t, const struct executor *p)
{
	char *const *h;

	if (!place_in_groups(j, p))
		return false;
	if (!t->hosts)
		return !p->named_only;
	for (h = t->hosts; *h; h++)
		if (strcmp(*h, p->host) == 0)
			return true;
	return false;
}

/*
 * Where the next job runs: the executor itself, or of its places (hosts)
 * the one with room that is least busy for its size; NULL: none has room
 * now.
 */
static struct executor *
job_place(struct run *r, const struct job *j, bool *all_gone)
{
	struct executor *ex = r->ex, *best = NULL, *gone = NULL, *p;
	size_t i, n = ex->nplaces;
	bool alive = false, any = false;

	*all_gone = false;
	if (!ex->places)
		return ex;
	if (r->o->onall || r->o->nonall) {
		/*
		 * The hosts are the last input group: the job's is pinned, by
		 * the hosts there were when the run began (an --slf file may
		 * add more).
		 */
		if (!r->pinned_places)
			r->pinned_places = n;
		p = ex->places[(j->seq - 1) % r->pinned_places];
		if (p->gone)
			return p;
		return p->down || (p->slots && p->busy >= p->slots) ? NULL : p;
	}
	for (i = 0; i < n; i++) {
		p = ex->places[(r->next_place + i) % n];
		any |= !p->gone;
		if (!place_allowed(j, j->task, p))
			continue;
		if (p->gone && !gone)
			gone = p;
		alive |= !p->gone;
		if (p->down || p->gone || (p->slots && p->busy >= p->slots))
			continue;
		/* busy/slots below best's, in integers */
		if (!best ||
		    p->busy * (best->slots ? best->slots : 1) <
			best->busy * (p->slots ? p->slots : 1))
			best = p;
	}
	r->next_place = (r->next_place + 1) % n;
	*all_gone = !any;
	/*
	 * Every host it may run on is gone, but not every host (a workflow
	 * task's own): it fails there, as a pinned job does. Every host
	 * gone: the scheduler starts no more (no_host_left()).
	 */
	return best ? best : alive || !any ? NULL : gone;
}

static void job_started(struct run *r, struct job *j);
static void job_started_failed(struct run *r, struct job *j, const char *why);

int
job_start(struct run *r, struct job *j)
{
	struct exec_cmd cmd = {
	    .pipes = r->o->output != OUTPUT_UNGROUP,
	    .out_null = r->out_null,
	    .tty = r->o->tty,
	};
	struct template_job tj;
	bool all_gone, nowhere;

	j->slot = slots_take(&r->slots, j);
	j->runs++;
	if (r->o->dry_run) {
		dry_run(r, j);
		return 0;
	}
	/* No host in its groups: it fails, with the run's executor. */
	if ((nowhere = job_nowhere(r, j)))
		j->ex = r->ex;
	else if (!(j->ex = job_place(r, j, &all_gone))) {
		/* Every host busy or down (EAGAIN): it waits in the queue.
		 * Every host gone for good: ENXIO. */
		slots_give(&r->slots, j->slot);
		j->runs--;
		j->slot = 0;
		plan_job_again(r->plan, j->task, j);
		errno = all_gone ? ENXIO : EAGAIN;
		return -1;
	}
	j->host = NULL;
	if (j->ex->dropped) {
		/* --filter-hosts left out its host: as if it were not asked. */
		slots_give(&r->slots, j->slot);
		plan_job_ended(r->plan, j->task, true);
		job_drop(r, j);
		return 0;
	}
	if (!j->out) {
		struct buf tag = BUF_INIT;

		if (tagged(r))
			job_tag(r, j, &tag);
		j->out = output_new(r->coll, j->seq, tag.data, tag.len);
		buf_release(&tag);
	}
	/* --json: the "cmd" field has it; the output is the job's alone. */
	if (r->o->verbose && !r->o->json)
		verbose(r, j);
	if (nowhere) {
		char *why = xasprintf("no host is in the job's host groups "
				      "'%s' (-S @GROUP/host puts one there)",
		    j->groups);

		job_started_failed(r, j, why);
		free(why);
		return 0;
	}
	if (j->ex->gone) {
		/* Every host it may run on is gone (--onall, --nonall, a task,
		 * its host groups). */
		job_started_failed(r, j, "its host is gone");
		return 0;
	}
	tj = job_of(r, j);
	command_build(r->cmd, j->task, &j->args, &tj, &cmd);
	j->sent = 0;
	j->hungry = false;
	if (j->args.block) {
		pipe_block_cmd(j->args.block, &cmd);
		cmd.input_more = r->o->round_robin;
		j->sent = pipe_block_bytes(j->args.block);
	}
	if (j->ex->ops->start(j->ex, j, &cmd, &j->xs) < 0) {
		/* Nothing started: it will be tried again from scratch. */
		output_discard(r->coll, j->out);
		slots_give(&r->slots, j->slot);
		j->runs--;
		j->slot = 0;
		plan_job_again(r->plan, j->task, j);
		return -1;
	}
	job_started(r, j);
	return 0;
}

/* The job is accepted where it runs: from now, its events come. */
static void
job_started(struct run *r, struct job *j)
{
	j->ex->busy++;
	j->state = JOB_STARTING;
	j->start = r->now;
	j->start_wall = util_wallclock();
	j->term_at = j->hold_until = j->paused_ns = 0;
	j->term_step = 0;
	j->timed_out = j->cut_short = j->abandoned = j->in_memory = false;
	/* -k: the oldest job prints as it goes, from its start. */
	collector_flush(r->coll);
	r->next_start = r->now + run_ns(r->o->delay * r->delay_factor);
}

static void
job_started_failed(struct run *r, struct job *j, const char *why)
{
	job_started(r, j);
	r->ev.failed(r, j, FANOUT_STATUS_ERROR, why);
}

static const char *
job_host(const struct job *j)
{
	return j->host ? j->host : j->ex->host;
}

static void
job_signal(struct job *j, int sig)
{
	if (j->xs)
		j->ex->ops->signal(j->ex, j->xs, sig);
}

void
job_stop(struct run *r, struct job *j)
{
	if (j->term_at)
		return;
	j->term_step = 0;
	job_signal(j, r->o->termseq.sig[0]);
	j->term_at = r->now + r->o->termseq.ms[0] * 1000000LL;
	if (j->term_at == 0)
		j->term_at = 1;
}

void
job_stop_all(struct run *r)
{
	size_t i;

	for (i = 0; i < r->slots.n; i++)
		if (r->slots.job[i]) {
			r->slots.job[i]->cut_short = true;
			job_stop(r, r->slots.job[i]);
		}
}

void
job_kill_all(struct run *r)
{
	size_t i;

	for (i = 0; i < r->slots.n; i++)
		if (r->slots.job[i])
			job_signal(r->slots.job[i], SIGKILL);
	r->killed_all = true;
}

/* Stop waiting for j's output: closed comes next. */
static void
job_abandon(struct job *j)
{
	if (j->abandoned || !j->xs)
		return;
	j->abandoned = true;
	j->paused = false;
	j->ex->ops->abandon(j->ex, j->xs);
}

static void
job_term_step(struct run *r, struct job *j)
{
	const struct termseq *t = &r->o->termseq;

	if (++j->term_step >= t->n) {
		if (j->state == JOB_EXITED) {
			/*
			 * The sequence is over and the pipes are still held,
			 * by a process that left the job's group: stop
			 * waiting for it.
			 */
			job_abandon(j);
			j->term_at = 0;
			return;
		}
		/* The sequence is over; keep the group dead. */
		j->term_step = t->n - 1;
	}
	job_signal(j, t->sig[j->term_step]);
	j->term_at = r->now + t->ms[j->term_step] * 1000000LL + 1;
	if (j->term_step == t->n - 1 && t->ms[j->term_step] == 0)
		j->term_at = r->now + 25000000LL;
}

/* Whether j, over, failed: a non-zero exit, a signal, a timeout. */
static bool
job_failed(const struct job *j)
{
	return j->exitval != 0 || j->sig != 0 || j->timed_out;
}

/* Whether a job that fails now is run again (--retries). */
static bool
may_run_again(const struct run *r, const struct job *j)
{
	return j->runs < j->task->retries && !j->no_retry && !r->stopping &&
	    !r->tally.halted && !r->hup;
}

/* Write the joblog line and --results of a finished job. */
static void
job_record(struct run *r, struct job *j, int64_t runtime)
{
	struct job_record *rec;
	struct buf cmd = BUF_INIT;

	if (!r->joblog && !r->o->results && !r->o->json)
		return;
	rec = xcalloc(1, sizeof *rec);
	rec->seq = j->seq;
	rec->host = job_host(j);
	/* --json: a workflow's jobs say which task they are of. */
	rec->task = r->o->workflow ? j->task->name : NULL;
	args_copy(&rec->args, &j->args);
	job_text(r, j, &cmd);
	rec->cmd = buf_detach(&cmd, NULL);
	rec->start = j->start_wall;
	rec->runtime = (double)runtime / 1e9;
	/* GNU parallel's joblog: -1 for a job fanout killed. */
	rec->exitval = j->timed_out ? -1 : j->exitval;
	rec->signal = j->sig;
	rec->receive = output_bytes(j->out, 1);
	rec->send = j->sent;
	if (!joblog_to_stdout(r->joblog) && joblog_write(r->joblog, rec) < 0 &&
	    !r->joblog_failed) {
		/* Jobs started now would go unlogged, to be run again. */
		r->joblog_failed = r->tally.halted = true;
		if (r->slots.nrunning)
			warnx(
			    "starting no more jobs; waiting for %zu to finish",
			    r->slots.nrunning);
	}
	/* --joblog -, --results and --json take it from there. */
	output_set_record(j->out, rec);
}

/* --halt was reached by j: say so, and stop what it says. */
static void
halting(struct run *r, const struct job *j)
{
	enum halt_what what = r->o->halt.what;

	job_notice(r, j,
	    what == HALT_FAIL	       ? "halting after this job failed"
		: what == HALT_SUCCESS ? "halting after this job succeeded"
				       : "halting after this job finished");
	if (r->o->halt.when == HALT_NOW)
		job_stop_all(r);
	else if (r->slots.nrunning)
		warnx("starting no more jobs; waiting for %zu to finish",
		    r->slots.nrunning);
}

/* j exited and all its output came: record it, or run it again. */
static void
job_complete(struct run *r, struct job *j)
{
	bool failed = job_failed(j);
	int64_t runtime = r->now - j->start;

	/* GNU parallel's --delay Nauto: 30% longer, or 10% shorter. */
	if (r->o->delay_auto)
		r->delay_factor =
		    fmin(r->delay_factor * (failed ? 1.3 : 0.9), 1e30);
	slots_reread(&r->slots);
	slots_give(&r->slots, j->slot);
	j->ex->busy--;
	j->ex->done++;
	if (j->cut_short) {
		/*
		 * Stopped by fanout (--halt now, a signal): as GNU parallel,
		 * its partial output is dropped and it is not counted.
		 */
		output_cancel(r->coll, j->out);
		plan_job_ended(r->plan, j->task, true);
		job_free(j);
		return;
	}
	if (!failed && j->task->timeout_percent)
		tally_runtime(&r->tally, runtime);
	if (failed && may_run_again(r, j)) {
		/* Only the last run's output is printed. */
		output_discard(r->coll, j->out);
		j->state = JOB_QUEUED;
		j->slot = 0;
		j->paused = false;
		plan_job_again(r->plan, j->task, j);
		return;
	}
	job_record(r, j, runtime);
	output_finish(r->coll, j->out);
	j->out = NULL;
	plan_job_ended(r->plan, j->task, failed);
	if (tally_job(&r->tally, &r->o->halt, failed,
		j->sig ? 128 + j->sig : j->exitval))
		halting(r, j);
	job_free(j);
}

/*
 * The one completion rule: a job is done when its command exited and its
 * output closed, whichever comes second.
 */
static void
job_event(struct run *r, struct job *j, enum job_state ev)
{
	if (j->state == JOB_STARTING)
		j->state = JOB_RUNNING;
	if (ev == JOB_RUNNING)
		return;
	if (j->state == JOB_RUNNING) {
		j->state = ev;
		return;
	}
	if (j->state == ev || j->state == JOB_DONE || j->state == JOB_QUEUED)
		BUG("a job event out of order");
	j->state = JOB_DONE;
	j->xs = NULL; /* its executor forgot it */
	job_complete(r, j);
}

static void
on_started(void *arg, struct job *j)
{
	if (j->ex->ops->host)
		j->host = j->ex->ops->host(j->ex, j->xs);
	job_event(arg, j, JOB_RUNNING);
}

static int
on_output(void *arg, struct job *j, int stream, const void *p, size_t n)
{
	struct run *r = arg;
	int rc;

	job_event(r, j, JOB_RUNNING);
	/* In memory: what the disk refused is held all the same. */
	rc = output_append(r->coll, j->out, stream, p, n);
	if (rc == 0 || j->in_memory)
		return 0;
	j->paused = true;
	j->zip_busy = rc == OUTPUT_ZIP_BUSY;
	j->paused_since = r->now;
	return EXEC_OUTPUT_HELD;
}

static long
on_splice(void *arg, struct job *j, int stream, int fd)
{
	struct run *r = arg;
	long n = output_splice(r->coll, j->out, stream, fd);

	return n == OUTPUT_NO_SPLICE ? EXEC_NO_SPLICE : n;
}

/*
 * Its command ended. What it left running in its process group and still
 * holding its pipes when HOLD_GRACE_NS has passed is stopped
 * (job_timers()), so that no job outlives its command and none outlives
 * fanout. Not at once: a background child that sends its output
 * elsewhere (`cmd >/dev/null &`) holds the pipes from its fork until its
 * redirection, which may come after the command ended.
 */
static void
on_exited(void *arg, struct job *j, int exitval, int sig)
{
	struct run *r = arg;

	j->exitval = exitval;
	j->sig = sig;
	if (j->state != JOB_CLOSED && !j->paused && !j->hold_until)
		j->hold_until = r->now + HOLD_GRACE_NS;
	job_event(r, j, JOB_EXITED);
}

static void
on_closed(void *arg, struct job *j)
{
	job_event(arg, j, JOB_CLOSED);
}

/* It could not start: say why as its stderr; it fails. */
static void
on_failed(void *arg, struct job *j, int exitval, const char *why)
{
	struct run *r = arg;
	char *msg = xasprintf("fanout: %s\n", why);

	if (r->o->output == OUTPUT_UNGROUP)
		(void)!write(STDERR_FILENO, msg, strlen(msg));
	else
		output_append(r->coll, j->out, 2, msg, strlen(msg));
	free(msg);
	j->exitval = exitval;
	j->sig = 0;
	j->state = JOB_DONE;
	j->xs = NULL;
	job_complete(r, j);
}

/* Where it ran is gone: it runs again, and that is not a retry. */
static void
on_lost(void *arg, struct job *j, const char *why)
{
	struct run *r = arg;

	warnx("lost a job on %s (%s); it runs again", job_host(j), why);
	output_discard(r->coll, j->out);
	slots_give(&r->slots, j->slot);
	j->ex->busy--;
	j->state = JOB_QUEUED;
	j->xs = NULL;
	j->slot = 0;
	j->runs--;
	j->paused = false;
	plan_job_again(r->plan, j->task, j);
}

static void
on_hungry(void *arg, struct job *j)
{
	(void)arg;
	j->hungry = true;
}

int
job_feed_hungry(struct run *r)
{
	struct args more = ARGS_INIT;
	const void *p;
	struct job *j;
	size_t i, k, n;
	int rc = INPUT_ITEM;

	/* From the slot after the one fed last: each job gets its turn. */
	for (k = 0; k < r->slots.n && rc != INPUT_WAIT; k++) {
		i = (r->next_fed + k) % r->slots.n;
		if (!(j = r->slots.job[i]) || !j->hungry || !j->xs)
			continue;
		r->next_fed = i + 1;
		rc = plan_more(r->plan, j->task, &more);
		if (rc == INPUT_WAIT)
			break;
		j->hungry = false;
		if (rc != INPUT_ITEM) {
			j->ex->ops->more(j->ex, j->xs, NULL, 0);
			continue;
		}
		/* Its last block was all written: this one takes its place. */
		pipe_block_free(j->args.block);
		j->args.block = more.block;
		more.block = NULL;
		pipe_block_more(j->args.block, &p, &n);
		j->sent += n;
		j->ex->ops->more(j->ex, j->xs, p, n);
	}
	args_release(&more);
	return rc == INPUT_WAIT ? INPUT_WAIT : 0;
}

void
job_events(struct run *r, struct exec_events *ev)
{
	ev->arg = r;
	ev->started = on_started;
	ev->output = on_output;
	ev->splice = on_splice;
	ev->exited = on_exited;
	ev->closed = on_closed;
	ev->failed = on_failed;
	ev->lost = on_lost;
	ev->hungry = on_hungry;
}

/* The job's --timeout in nanoseconds, 0 for none (yet, for N%). */
static int64_t
job_timeout(const struct run *r, const struct job *j)
{
	const struct task *t = j->task;

	if (!t->timeout_percent)
		return run_ns(t->timeout);
	return r->tally.median > 0
	    ? run_ns((double)r->tally.median * t->timeout / 100.0 / 1e9)
	    : 0;
}

static bool
command_runs(const struct job *j)
{
	return j->state == JOB_STARTING || j->state == JOB_RUNNING ||
	    j->state == JOB_CLOSED;
}

int64_t
job_deadline(const struct run *r, const struct job *j)
{
	int64_t next = INT64_MAX, limit;

	if (j->term_at)
		next = j->term_at;
	if (j->hold_until && !j->term_at && j->hold_until < next)
		next = j->hold_until;
	if (j->paused && r->now + PAUSE_RETRY_NS < next)
		next = r->now + PAUSE_RETRY_NS;
	if (!j->term_at && command_runs(j) && (limit = job_timeout(r, j)) &&
	    j->start + j->paused_ns + limit < next)
		next = j->start + j->paused_ns + limit;
	return next;
}

void
job_timers(struct run *r, struct job *j)
{
	int64_t limit;

	if (j->term_at) {
		if (r->now >= j->term_at)
			job_term_step(r, j);
		return;
	}
	if (j->hold_until && r->now >= j->hold_until && !j->paused &&
	    !j->abandoned) {
		/* Still held after the grace: see on_exited(). */
		job_stop(r, j);
		return;
	}
	if (command_runs(j) && (limit = job_timeout(r, j)) &&
	    r->now >= j->start + j->paused_ns + limit) {
		j->timed_out = true;
		job_notice(r, j, "this job timed out");
		job_stop(r, j);
	}
}

void
job_paused_for(struct job *j, int64_t ns)
{
	j->paused_ns += ns;
	if (j->term_at)
		j->term_at += ns;
	if (j->hold_until)
		j->hold_until += ns;
}

/*
 * Whether a job's output will be printed: FATE_DROPPED when it is being
 * stopped or failed with retries left, FATE_STANDS when it is its last
 * run or succeeded, else FATE_UNKNOWN (it runs, and may be retried: if
 * it prints before it ends, it is not retried, so that the output of
 * one run only is printed).
 */
enum { FATE_UNKNOWN, FATE_STANDS, FATE_DROPPED };

static int
output_fate(const struct run *r, const struct job *j)
{
	if (r->stopping || j->cut_short ||
	    (r->tally.halted && r->o->halt.when == HALT_NOW))
		return FATE_DROPPED;
	if (!may_run_again(r, j))
		return FATE_STANDS;
	if (j->state != JOB_EXITED)
		return FATE_UNKNOWN;
	return job_failed(j) ? FATE_DROPPED : FATE_STANDS;
}

static void
output_goes_on(struct run *r, struct job *j)
{
	j->paused = j->zip_busy = false;
	j->ex->ops->pause(j->ex, j->xs, false);
	/* Its command ended while it waited. */
	if (j->state == JOB_EXITED && !j->hold_until)
		j->hold_until = r->now + HOLD_GRACE_NS;
}

/*
 * Whether the running jobs are stuck: each waits for space on a disk
 * their own spool files fill, which none gives back before it ends. (A
 * disk that is full of other files, or a spool folder not there, may be
 * seen to by the user: they wait.)
 */
static bool
stuck(const struct run *r)
{
	bool spooled = false;
	size_t i;

	for (i = 0; i < r->slots.n; i++) {
		const struct job *k = r->slots.job[i];

		if (!k)
			continue;
		if (!k->paused || k->zip_busy)
			return false;
		spooled |= output_spooled(k->out);
	}
	return spooled;
}

/*
 * A full disk, and no job can go on to free it (--json takes jobs
 * whole): one job's output is held in memory, so that it ends, prints
 * and gives its disk space back to the others.
 */
static void
hold_in_memory(struct run *r, struct job *j)
{
	if (!r->warned_memory) {
		run_aside(r, "\n", 1);
		warnx("no space for output in %s: a job's output is held in "
		      "memory",
		    collector_spool_dir());
		r->warned_memory = true;
	}
	j->in_memory = true;
	output_goes_on(r, j);
}

void
job_resume_output(struct run *r, struct job *j)
{
	int fate, rc;

	if (!j->paused)
		return;
	if ((rc = output_resume(r->coll, j->out)) == 0) {
		output_goes_on(r, j);
		return;
	}
	/* A compressor behind: it takes what it can (or is given up on). */
	if ((j->zip_busy = rc == OUTPUT_ZIP_BUSY)) {
		j->paused_since = r->now;
		return;
	}
	if (r->now - j->paused_since <= PAUSE_LIVE_NS)
		return;
	/*
	 * Nothing frees the disk. Output that will be thrown away need not
	 * wait; output sure to stand may print as it goes; the rest waits
	 * for space.
	 */
	fate = output_fate(r, j);
	if (fate == FATE_DROPPED) {
		job_abandon(j);
		if (j->state != JOB_EXITED)
			job_stop(r, j);
	} else if (output_make_live(r->coll, j->out) &&
	    output_resume(r->coll, j->out) == 0) {
		output_goes_on(r, j);
		/* What it printed cannot be taken back. */
		if (fate == FATE_UNKNOWN)
			j->no_retry = true;
	} else if (stuck(r)) {
		hold_in_memory(r, j);
	} else if (!r->warned_full) {
		run_aside(r, "\n", 1);
		warnx("no space for output in %s: jobs wait",
		    collector_spool_dir());
		r->warned_full = true;
	}
}

bool
job_output_paused(const struct job *j)
{
	return j->paused;
}

size_t
job_output_polls(const struct job *j, struct pollfd *pfd)
{
	return j->paused && j->zip_busy ? output_zip_polls(j->out, pfd) : 0;
}

void
job_list(const struct job *j)
{
	struct buf text = BUF_INIT;

	if (!command_runs(j))
		return;
	buf_add(&text, "fanout: ", 8);
	job_text(NULL, j, &text); /* no groups: job_list() has no run */
	buf_addch(&text, '\n');
	(void)!write(STDERR_FILENO, text.data, text.len);
	buf_release(&text);
}
