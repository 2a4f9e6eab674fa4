/*
 * --files: each job's standard output goes to a file of its own in
 * $TMPDIR, kept, and the file's name is what is printed in the job's
 * turn (tagged as a line of output would be). Standard error and
 * fanout's own text go to the inner sink unchanged.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "files.h"
#include "sink.h"
#include "util.h"
#include "xalloc.h"

struct files_sink {
	struct sink sink; /* first: a files_sink is a sink */
	struct sink *inner; /* prints the names, and stderr */
	char *dir;
};

struct files_job {
	struct sink_job *inner;
	int fd; /* -1 once it failed */
	char *path;
};

static struct files_sink *
sink_of(struct sink *sk)
{
	return (struct files_sink *)sk;
}

static struct files_job *
job_of(struct sink_job *sj)
{
	return (struct files_job *)sj;
}

/* The inner sink's state is the sink's: the collector reads it. */
static void
sync_state(struct files_sink *s)
{
	s->sink.broken = s->inner->broken;
	s->sink.failed |= s->inner->failed;
}

static struct sink_job *
files_job_begin(struct sink *sk, size_t seq, const char *tag, size_t taglen)
{
	struct files_sink *s = sink_of(sk);
	struct files_job *j = xcalloc(1, sizeof *j);

	j->inner = s->inner->ops->job_begin(s->inner, seq, tag, taglen);
	j->path = xasprintf("%s/parXXXXXX.par", s->dir);
	j->fd = mkstemps(j->path, 4);
	if (j->fd < 0) {
		error("--files: cannot create a file in '%s': %s", s->dir,
		    strerror(errno));
		sk->failed = true;
	}
	sync_state(s);
	return (struct sink_job *)j;
}

static int
files_write(
    struct sink *sk, struct sink_job *sj, int stream, const char *p, size_t n)
{
	struct files_sink *s = sink_of(sk);
	struct files_job *j = job_of(sj);
	int rc;

	if (stream == 2) {
		rc = s->inner->ops->write(s->inner, j->inner, stream, p, n);
		sync_state(s);
		return rc;
	}
	if (j->fd < 0 || util_write_all(j->fd, p, n, NULL) == 0)
		return 0;
	error("--files: cannot write '%s': %s", j->path, strerror(errno));
	close(j->fd);
	j->fd = -1;
	sk->failed = true;
	return -1;
}

static bool
files_zero_copy(struct sink *sk, struct sink_job *sj, int stream)
{
	(void)sk, (void)sj, (void)stream;
	return false;
}

/* The job is over: its file's name, as its one line of output. */
static void
files_job_end(struct sink *sk, struct sink_job *sj,
    const struct job_record *rec, sink_read_cb *read, void *src)
{
	struct files_sink *s = sink_of(sk);
	struct files_job *j = job_of(sj);
	char *line;

	if (j->fd >= 0) {
		line = xasprintf("%s\n", j->path);
		s->inner->ops->write(s->inner, j->inner, 1, line, strlen(line));
		free(line);
	}
	s->inner->ops->job_end(s->inner, j->inner, rec, read, src);
	sync_state(s);
}

static void
files_job_discard(struct sink *sk, struct sink_job *sj)
{
	struct files_sink *s = sink_of(sk);
	struct files_job *j = job_of(sj);

	if (j->fd >= 0 &&
	    (ftruncate(j->fd, 0) < 0 || lseek(j->fd, 0, SEEK_SET) < 0)) {
		close(j->fd);
		j->fd = -1;
	}
	s->inner->ops->job_discard(s->inner, j->inner);
}

static void
files_job_free(struct sink *sk, struct sink_job *sj)
{
	struct files_sink *s = sink_of(sk);
	struct files_job *j = job_of(sj);

	if (j->fd >= 0)
		close(j->fd);
	s->inner->ops->job_free(s->inner, j->inner);
	free(j->path);
	free(j);
}

static void
files_print(struct sink *sk, const char *p, size_t n)
{
	struct files_sink *s = sink_of(sk);

	s->inner->ops->print(s->inner, p, n);
	sync_state(s);
}

static void
files_free(struct sink *sk)
{
	struct files_sink *s = sink_of(sk);

	sink_free(s->inner);
	free(s->dir);
	free(s);
}

static const struct sink_ops files_ops = {
    .job_begin = files_job_begin,
    .write = files_write,
    .zero_copy = files_zero_copy,
    .job_end = files_job_end,
    .job_discard = files_job_discard,
    .job_free = files_job_free,
    .print = files_print,
    .free = files_free,
};

struct sink *
files_sink_new(struct sink *inner)
{
	struct files_sink *s = xcalloc(1, sizeof *s);
	const char *tmp = getenv("TMPDIR");

	s->sink.ops = &files_ops;
	s->inner = inner;
	s->dir = xstrdup(tmp && *tmp ? tmp : "/tmp");
	return &s->sink;
}
