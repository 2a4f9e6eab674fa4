#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "record.h"
#include "results.h"
#include "sink.h"
#include "util.h"
#include "xalloc.h"

static int
make_dir(const char *path)
{
	if (mkdir(path, 0777) == 0 || errno == EEXIST)
		return 0;
	return error("cannot create '%s': %s", path, strerror(errno));
}

/* Create path and the folders above it, as mkdir -p. */
static int
make_dirs(const char *path)
{
	char *p = xstrdup(path), *slash;
	int rc;

	for (slash = p; (slash = strchr(slash + 1, '/')) != NULL;) {
		*slash = '\0';
		rc = mkdir(p, 0777);
		*slash = '/';
		if (rc < 0 && errno != EEXIST)
			break;
	}
	free(p);
	return make_dir(path);
}

static bool
ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && strcasecmp(s + n - k, suffix) == 0;
}

int
results_prepare(const char *dir, bool dry_run)
{
	static const char *const tables[][2] = {
	    {".json", "JSON"}, {".csv", "CSV"}, {".tsv", "TSV"}};
	struct stat st;
	size_t i;

	for (i = 0; i < sizeof tables / sizeof tables[0]; i++)
		if (ends_with(dir, tables[i][0]))
			return error("--results '%s': results in one %s file "
				     "are not supported (use --json)",
			    dir, tables[i][1]);
	if (dry_run)
		return 0;
	if (make_dirs(dir) < 0)
		return -1;
	if (stat(dir, &st) == 0 && !S_ISDIR(st.st_mode))
		return error("--results '%s' is not a folder", dir);
	if (access(dir, W_OK | X_OK) < 0)
		return error("--results '%s' cannot be written: %s", dir,
		    strerror(errno));
	return 0;
}

static int
open_file(const char *dir, const char *name)
{
	char *path = xasprintf("%s/%s", dir, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);

	if (fd < 0)
		error("cannot create '%s': %s", path, strerror(errno));
	free(path);
	return fd;
}

static int
write_file(const char *dir, const char *name, const char *text)
{
	int fd = open_file(dir, name), rc;

	if (fd < 0)
		return -1;
	rc = util_write_all(fd, text, strlen(text), NULL);
	if (close(fd) < 0 || rc < 0)
		return error(
		    "cannot write '%s/%s': %s", dir, name, strerror(errno));
	return 0;
}

/* Create DIR/<seq>/ and open its stdout and stderr files into fds[0..1].
 * Returns 0, or -1 after reporting why (fds are then -1). */
static int
results_open(const char *dir, size_t seq, int fds[2])
{
	char *sub = xasprintf("%s/%zu", dir, seq);
	int rc = -1;

	fds[0] = fds[1] = -1;
	if (make_dir(dir) == 0 && make_dir(sub) == 0 &&
	    (fds[0] = open_file(sub, "stdout")) >= 0 &&
	    (fds[1] = open_file(sub, "stderr")) >= 0)
		rc = 0;
	if (rc < 0 && fds[0] >= 0) {
		close(fds[0]);
		fds[0] = -1;
	}
	free(sub);
	return rc;
}

/* Write cmd and exitval; errors are reported and return -1. */
static int
results_finish(const char *dir, const struct job_record *r)
{
	char *sub = xasprintf("%s/%zu", dir, r->seq);
	char *cmd = xasprintf("%s\n", r->cmd);
	char num[32];
	int rc;

	/* As a shell reports it: 128+N for a job killed by signal N. */
	snprintf(
	    num, sizeof num, "%d\n", r->signal ? 128 + r->signal : r->exitval);
	rc = make_dir(dir) == 0 && make_dir(sub) == 0 &&
		write_file(sub, "cmd", cmd) == 0 &&
		write_file(sub, "exitval", num) == 0
	    ? 0
	    : -1;
	free(sub);
	free(cmd);
	return rc;
}

struct results_sink {
	struct sink sink;
	char *dir;
};

/* One job's stdout and stderr files, or -1. */
struct results_job {
	int fd[2];
};

static struct results_job *
job_of(struct sink_job *j)
{
	return (struct results_job *)j;
}

static const char *
dir_of(struct sink *sk)
{
	return ((struct results_sink *)sk)->dir;
}

static struct sink_job *
results_job_begin(struct sink *sk, size_t seq, const char *tag, size_t taglen)
{
	struct results_job *j = xmalloc(sizeof *j);

	(void)tag;
	(void)taglen;
	if (results_open(dir_of(sk), seq, j->fd) < 0)
		sk->failed = true;
	return (struct sink_job *)j;
}

static int
results_write(
    struct sink *sk, struct sink_job *sj, int stream, const char *p, size_t n)
{
	int *fd = &job_of(sj)->fd[stream - 1];

	if (*fd < 0 || util_write_all(*fd, p, n, NULL) == 0)
		return 0;
	error("cannot write a --results file: %s", strerror(errno));
	close(*fd);
	*fd = -1;
	sk->failed = true; /* the output still goes out */
	return -1;
}

/* A file that failed takes no more bytes: they need not pass by. */
static bool
results_zero_copy(struct sink *sk, struct sink_job *sj, int stream)
{
	(void)sk;
	return job_of(sj)->fd[stream - 1] < 0;
}

static void
results_job_end(struct sink *sk, struct sink_job *sj,
    const struct job_record *rec, sink_read_cb *read, void *src)
{
	(void)sj;
	(void)read;
	(void)src;
	/* A file that cannot be written is fanout's own error (255). */
	if (rec && results_finish(dir_of(sk), rec) < 0)
		sk->failed = true;
}

static void
results_job_discard(struct sink *sk, struct sink_job *sj)
{
	int *fd = job_of(sj)->fd;

	(void)sk;
	for (int i = 0; i < 2; i++)
		if (fd[i] >= 0 &&
		    (ftruncate(fd[i], 0) < 0 ||
			lseek(fd[i], 0, SEEK_SET) < 0)) {
			close(fd[i]);
			fd[i] = -1;
		}
}

static void
results_job_free(struct sink *sk, struct sink_job *sj)
{
	struct results_job *j = job_of(sj);

	(void)sk;
	for (int i = 0; i < 2; i++)
		if (j->fd[i] >= 0)
			close(j->fd[i]);
	free(j);
}

static void
results_free(struct sink *sk)
{
	struct results_sink *s = (struct results_sink *)sk;

	free(s->dir);
	free(s);
}

static const struct sink_ops results_ops = {
    .job_begin = results_job_begin,
    .write = results_write,
    .zero_copy = results_zero_copy,
    .job_end = results_job_end,
    .job_discard = results_job_discard,
    .job_free = results_job_free,
    .free = results_free,
};

struct sink *
results_sink_new(const char *dir)
{
	struct results_sink *s = xcalloc(1, sizeof *s);

	s->sink.ops = &results_ops;
	s->dir = xstrdup(dir);
	return &s->sink;
}
