#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "options.h"
#include "slots.h"
#include "util.h"
#include "xalloc.h"

/* Descriptors a job holds besides its executor's: two spool files. */
#define FDS_SPOOL 2
#define FDS_RESERVED 16
#define JOBS_UNLIMITED_MAX 4096

/*
 * -j FILE: read the number of jobs again when FILE changed (GNU parallel
 * does so as a job ends). Fewer than are running: start none till fewer
 * run. A file that no longer holds a number keeps the number before.
 */
void
slots_reread(struct slots *s)
{
	struct stat st;
	long n;

	if (!s->jobs_file || stat(s->jobs_file, &st) < 0 ||
	    (st.st_mtim.tv_sec == s->jobs_mtime.tv_sec &&
		st.st_mtim.tv_nsec == s->jobs_mtime.tv_nsec))
		return;
	s->jobs_mtime = st.st_mtim;
	if ((n = options_jobs_from_file(s->jobs_file)) < 0) {
		warnx("-j: '%s' holds no number of jobs now; still running %zu "
		      "at once",
		    s->jobs_file, s->limit);
		return;
	}
	s->limit = n == 0 || (size_t)n > s->n ? s->n : (size_t)n;
}

/* The descriptors fanout may have open, raised to the hard limit. */
static size_t
fd_budget(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (rl.rlim_cur > 65536)
			rl.rlim_cur = 65536;
		setrlimit(RLIMIT_NOFILE, &rl);
		getrlimit(RLIMIT_NOFILE, &rl);
	}
	return rl.rlim_cur == RLIM_INFINITY ? 65536 : (size_t)rl.rlim_cur;
}

void
slots_init(struct slots *s, const struct options *o, unsigned fds_per_job,
    size_t total, long ncpu)
{
	/* -j FILE: slots for as many as -j 0, the file sets the limit. */
	long want = o->jobs_file
	    ? 0
	    : util_jobs_from_spec(o->jobs_spec ? o->jobs_spec : "100%",
		  ncpu ? ncpu : util_ncpu());

	/* Hosts: -j applied to each, their sum is the run's. */
	if (total)
		want = total > LONG_MAX ? LONG_MAX : (long)total;
	size_t budget = fd_budget(), fit, per_job;

	/* -j -N against an allocation smaller than this machine. */
	if (want < 0)
		want = 1;

	/*
	 * --results: two files written as output comes, one more at the end;
	 * --pipe: the job's stdin (or FIFO); --compress: a pipe to each
	 * spool file's compressor.
	 */
	per_job = fds_per_job + FDS_SPOOL + (o->results ? 3 : 0) +
	    (o->pipe || o->pipe_part ? 1 : 0) +
	    (o->compress || o->compress_program ? 2 : 0);
	fit = budget > FDS_RESERVED ? (budget - FDS_RESERVED) / per_job : 0;
	if (fit == 0)
		fatalx("too few file descriptors to run a job (ulimit -n is "
		       "%zu)",
		    budget);
	if (want == 0) {
		want =
		    (long)(fit < JOBS_UNLIMITED_MAX ? fit : JOBS_UNLIMITED_MAX);
	} else if ((size_t)want > fit) {
		warnx("only enough file descriptors for %zu jobs at once "
		      "(ulimit -n is %zu)",
		    fit, budget);
		want = (long)fit;
	}
	s->n = s->limit = (size_t)want;
	s->max_held = fit;
	s->nrunning = 0;
	s->job = xcalloc(s->n, sizeof *s->job);
	s->jobs_file = o->jobs_file;
	s->jobs_mtime.tv_sec = s->jobs_mtime.tv_nsec = 0;
	slots_reread(s);
}

void
slots_free(struct slots *s)
{
	free(s->job);
	s->job = NULL;
}

size_t
slots_take(struct slots *s, struct job *j)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (!s->job[i]) {
			s->job[i] = j;
			s->nrunning++;
			return i + 1;
		}
	BUG("no free slot");
}

void
slots_give(struct slots *s, size_t slot)
{
	s->job[slot - 1] = NULL;
	s->nrunning--;
}
