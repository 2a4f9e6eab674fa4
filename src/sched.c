#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "collect.h"
#include "command.h"
#include "executor.h"
#include "job.h"
#include "joblog.h"
#include "options.h"
#include "plan.h"
#include "progress.h"
#include "results.h"
#include "run.h"
#include "sched.h"
#include "sig.h"
#include "spawn.h"
#include "srun.h"
#include "ssh.h"
#include "util.h"
#include "xalloc.h"

#define BLOCKED_RETRY_NS (100 * 1000000LL)
#define BLOCKED_GIVE_UP_NS (60 * 1000000000LL)
#define MEMFREE_RECHECK_NS (250 * 1000000LL)
#define PROGRESS_NS (100 * 1000000LL)

/* The loop's own state; what it shares with the jobs is in run. */
struct sched {
	struct run r;
	struct pollfd *pfd;
	size_t npfd;
	bool input_done;
	bool input_error;
	bool want_input;
	bool spawn_blocked; /* the system is out of processes for now */
	int64_t blocked_since; /* no job running, none could start: since */
	bool mem_wait; /* --memfree or --load holds starts back */
	bool warned_mem; /* said so */
	bool warned_load;
	bool read_all; /* the plan was read whole for a total */
};

/* n bytes as --memfree reads them: 512, 1.5K, 3.2G. */
static void
format_size(char *dst, size_t len, long long n)
{
	static const char units[] = "KMGTPE";
	double v = (double)n;
	int u = -1;

	while (v >= 1024 && u < 5) {
		v /= 1024;
		u++;
	}
	if (n < 0)
		snprintf(dst, len, "unknown");
	else if (u < 0)
		snprintf(dst, len, "%lld", n);
	else
		snprintf(dst, len, "%.1f%c", v, units[u]);
}

/*
 * --memfree holds starts back. When that leaves nothing running, say so
 * once: otherwise fanout would wait without a word.
 */
static bool
memory_short(struct sched *s)
{
	long long avail = util_mem_available();
	char have[32], want[32];

	if (avail >= s->r.o->memfree)
		return false;
	if (!s->warned_mem && s->r.slots.nrunning == 0) {
		run_aside(&s->r, "\n", 1);
		format_size(have, sizeof have, avail);
		format_size(want, sizeof want, s->r.o->memfree);
		warnx("jobs wait for free memory: %s available, --memfree "
		      "asks %s",
		    have, want);
		s->warned_mem = true;
	}
	return true;
}

/* The next job from the plan, or NULL (and why in the sched's flags). */
static struct job *
next_job(struct sched *s)
{
	struct job *j;
	int rc;

	while (!(j = job_next(&s->r, &rc)) && rc == PLAN_ERROR)
		s->input_error = true;
	if (j)
		return j;
	if (rc == PLAN_WAIT)
		s->want_input = true;
	else if (rc == PLAN_END)
		s->input_done = true;
	else if (s->r.slots.nrunning == 0)
		BUG("the plan holds every job back");
	return NULL;
}

/* --load: too many processes are running to start another job. */
static bool
load_high(struct sched *s)
{
	long running = util_running_procs();

	if (running < 0 || (double)running < s->r.o->load)
		return false;
	if (!s->warned_load && s->r.slots.nrunning == 0) {
		run_aside(&s->r, "\n", 1);
		warnx("jobs wait for the load to fall: %ld processes running, "
		      "--load asks fewer than %g",
		    running, s->r.o->load);
		s->warned_load = true;
	}
	return true;
}

/* No host is left: the jobs not run stay unrun (--resume runs them). */
static void
no_host_left(struct sched *s)
{
	struct run *r = &s->r;

	if (r->no_host)
		return;
	warnx("no host is left to run jobs on: starting no more");
	r->no_host = r->stopping = true;
}

/*
 * No job runs and none can start. Out of processes (EAGAIN: the user's
 * limit, or the system's) or of the system's open files (ENFILE) is for
 * now: try again, as GNU parallel does, for a minute. Whether to go on
 * waiting, errno kept.
 */
static bool
wait_for_room(struct sched *s)
{
	int err = errno;

	if (err != EAGAIN && err != ENFILE)
		return false;
	if (!s->blocked_since) {
		s->blocked_since = s->r.now;
		run_aside(&s->r, "\n", 1);
		warnx("cannot start a job: %s; trying again for a minute",
		    strerror(err));
	}
	errno = err;
	return s->r.now - s->blocked_since < BLOCKED_GIVE_UP_NS;
}

static void
start_jobs(struct sched *s)
{
	struct run *r = &s->r;
	const struct options *o = r->o;
	struct job *j;

	s->want_input = false;
	while (!r->stopping && !r->tally.halted && !r->hup &&
	    r->slots.nrunning < r->slots.limit && !s->spawn_blocked) {
		if (!o->dry_run && o->keep_order &&
		    r->slots.nrunning + collector_held(r->coll) >=
			r->slots.max_held)
			break;
		if (o->delay > 0 && r->now < r->next_start)
			break;
		if (!o->dry_run &&
		    ((o->memfree && memory_short(s)) ||
			(o->load > 0 && load_high(s)))) {
			s->mem_wait = true;
			break;
		}
		s->mem_wait = false;
		if (!(j = next_job(s)))
			break;
		if (job_start(r, j) < 0) {
			if (r->ex->places) {
				/*
				 * Every host busy or down: one may come back.
				 * Till then the run is not over, even when
				 * the input is.
				 */
				if (errno == ENXIO)
					no_host_left(s);
				else
					s->spawn_blocked = true;
				break;
			}
			if (r->slots.nrunning == 0 && !wait_for_room(s))
				fatal("cannot start a job");
			s->spawn_blocked = true;
			break;
		}
		s->blocked_since = 0;
		if (o->delay > 0)
			r->now = util_now();
	}
}

/* With a percentage halt, GNU parallel knows the total: read it all. */
static void
read_all_input(struct sched *s)
{
	struct pollfd pfd;
	int rc;

	while (
	    (rc = plan_read_all(s->r.plan, &s->r.tally.ntotal)) != PLAN_END) {
		if (rc == PLAN_ERROR) {
			s->input_error = true;
			continue;
		}
		pfd.fd = plan_input_fd(s->r.plan);
		pfd.events = POLLIN;
		if (poll(&pfd, 1, -1) < 0 && errno != EINTR)
			fatal("poll");
		if (sig_stop)
			break;
		plan_fill(s->r.plan);
	}
}

static void
handle_signals(struct sched *s)
{
	struct run *r = &s->r;
	struct sig_events e;
	size_t i;

	sig_take(&e);
	if (e.hup && !r->hup)
		warnx(
		    "SIGHUP: starting no more jobs; waiting for %zu to finish "
		    "(SIGTERM stops them now)",
		    r->slots.nrunning);
	for (i = 0; i < r->slots.n; i++) {
		struct job *j = r->slots.job[i];

		if (j && e.paused_ns)
			job_paused_for(j, e.paused_ns);
		/* SIGUSR1: each running job's command, as GNU parallel. */
		if (j && (e.usr1 || (e.hup && !r->hup)))
			job_list(j);
	}
	if (e.hup)
		r->hup = true;
	if (e.stop && !r->stopping) {
		r->stopping = true;
		r->stop_signal = e.stop;
		job_stop_all(r);
	}
	if (e.ints >= 2 && !r->killed_all)
		job_kill_all(r);
}

/* Milliseconds poll() may wait for: the first timer due, -1 for none. */
static int
poll_timeout(struct sched *s)
{
	struct run *r = &s->r;
	int64_t next = INT64_MAX, t;
	size_t i;

	if (r->o->delay > 0 && !r->stopping && !r->tally.halted &&
	    r->slots.nrunning < r->slots.limit && !s->input_done &&
	    r->now < r->next_start)
		next = r->next_start;
	for (i = 0; i < r->slots.n; i++)
		if (r->slots.job[i] &&
		    (t = job_deadline(r, r->slots.job[i])) < next)
			next = t;
	/* --block-timeout: a block may be due though no input comes. */
	if (s->want_input && (t = plan_input_deadline(r->plan)) < next)
		next = t;
	if (s->spawn_blocked && r->now + BLOCKED_RETRY_NS < next)
		next = r->now + BLOCKED_RETRY_NS;
	if (s->mem_wait && r->now + MEMFREE_RECHECK_NS < next)
		next = r->now + MEMFREE_RECHECK_NS;
	if (r->progress && r->now + PROGRESS_NS < next)
		next = r->now + PROGRESS_NS;
	if (next == INT64_MAX)
		return -1;
	if (next <= r->now)
		return 0;
	/* poll() takes an int of milliseconds: wake up early, never wrap. */
	if ((next - r->now) / 1000000 >= INT_MAX)
		return INT_MAX;
	return (int)((next - r->now + 999999) / 1000000);
}

/*
 * --bar, --progress: the jobs of a task whose items are read when it
 * starts (a workflow's each: files) join the total then.
 */
static void
refresh_total(struct sched *s)
{
	struct run *r = &s->r;
	size_t total;

	if (plan_read_all(r->plan, &total) == PLAN_ERROR)
		s->input_error = true;
	if (total != r->tally.ntotal) {
		r->tally.ntotal = total;
		progress_set_total(r->progress, total);
	}
}

/* Timers due, and output a full disk held back. */
static void
after_poll(struct sched *s)
{
	struct run *r = &s->r;
	size_t i;

	for (i = 0; i < r->slots.n; i++) {
		struct job *j = r->slots.job[i];

		if (!j)
			continue;
		job_timers(r, j);
		job_resume_output(r, j);
	}
	if (r->progress && s->read_all)
		refresh_total(s);
	if (r->progress)
		progress_update(r->progress, r->now, r->slots.nrunning,
		    r->tally.ndone, r->tally.nfailed);
}

/* Whether the run is over. */
static bool
over(const struct sched *s)
{
	const struct run *r = &s->r;

	return r->slots.nrunning == 0 && !s->spawn_blocked &&
	    (r->stopping || r->tally.halted || r->hup || s->input_done);
}

static void
run_loop(struct sched *s)
{
	struct run *r = &s->r;
	struct executor *ex = r->ex;
	size_t i, n, nex;
	int timeout, input_slot;
	bool zipping;

	for (;;) {
		r->now = util_now();
		if (sig_stop || (sig_hup && !r->hup))
			handle_signals(s);
		s->spawn_blocked = false;
		start_jobs(s);
		if (r->o->round_robin && job_feed_hungry(r) == INPUT_WAIT)
			s->want_input = true;
		if (collector_broken(r->coll) && !r->stopping) {
			r->stopping = true;
			job_stop_all(r);
		}
		if (over(s))
			break;
		n = 0;
		s->pfd[n].fd = sig_fd();
		s->pfd[n++].events = POLLIN;
		input_slot = -1;
		if (s->want_input && !r->stopping) {
			input_slot = (int)n;
			s->pfd[n].fd = plan_input_fd(r->plan);
			s->pfd[n++].events = POLLIN;
		}
		/* --compress: jobs waiting for room in a compressor's pipe. */
		zipping = collector_zipping(r->coll);
		for (i = 0; zipping && i < r->slots.n; i++)
			if (r->slots.job[i])
				n += job_output_polls(
				    r->slots.job[i], s->pfd + n);
		timeout = poll_timeout(s);
		nex = ex->ops->prepare(ex, s->pfd + n, s->npfd - n, &timeout);
		if (poll(s->pfd, n + nex, timeout) < 0) {
			if (errno != EINTR)
				fatal("poll");
			continue;
		}
		r->now = util_now();
		if (input_slot >= 0 && s->pfd[input_slot].revents &&
		    plan_fill(r->plan) < 0)
			s->input_error = true;
		ex->ops->dispatch(ex, s->pfd + n, nex);
		if (s->pfd[0].revents)
			handle_signals(s);
		after_poll(s);
	}
}

int
sched_run_on(struct plan *plan, const struct options *o, struct executor *ex)
{
	struct sched s;

	memset(&s, 0, sizeof s);
	sig_init();
	run_open(&s.r, plan, o, ex);
	/* A job: its executor's, and 2 compressors' (--compress). */
	s.npfd = 2 + s.r.slots.n * (ex->polls_per_job + 2) + ex->polls_more;
	s.pfd = xcalloc(s.npfd, sizeof *s.pfd);
	/* A percentage, a bar, an ETA or {##} needs the total: read it all.
	 * Not --pipe's blocks: memory would hold all of its input. */
	if (((o->halt.when != HALT_NEVER && o->halt.percent) ||
		(o->progress & (PROGRESS_BAR | PROGRESS_ETA)) ||
		plan_needs_total(plan)) &&
	    !o->pipe && !o->pipe_part) {
		read_all_input(&s);
		s.read_all = true;
		if (s.r.progress)
			progress_set_total(s.r.progress, s.r.tally.ntotal);
		plan_set_total(plan, s.r.tally.ntotal);
	}
	run_loop(&s);
	free(s.pfd);
	return run_close(&s.r, s.input_error);
}

int
sched_run(struct plan *plan, const struct options *o)
{
	struct executor *ex;
	int status;

	if (command_check(o) < 0 ||
	    (o->results && results_prepare(o->results, o->dry_run) < 0))
		return FANOUT_STATUS_ERROR;
	sig_init();
	ex = o->srun && !o->dry_run ? srun_executor_new(o, sig_ignored())
				    : spawn_executor_new(sig_ignored());
	/* --dry-run connects nowhere. */
	if (ssh_wanted(o) && !o->dry_run && !(ex = ssh_executor_new(o, ex)))
		return FANOUT_STATUS_ERROR;
	status = sched_run_on(plan, o, ex);
	ex->ops->free(ex);
	return status;
}
