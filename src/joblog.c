#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "joblog.h"
#include "record.h"
#include "util.h"
#include "xalloc.h"

static const char header[] = "Seq\tHost\tStarttime\tJobRuntime\tSend\t"
			     "Receive\tExitval\tSignal\tCommand\n";

struct joblog {
	int fd;
	char *path;
	struct buf line;
	bool failed;
};

static const char *
joblog_path(const char *spec, bool *append)
{
	if (spec[0] == '+') {
		*append = true;
		return spec + 1;
	}
	return spec;
}

/* Where the last line of fd's file starts: after its last newline. */
static off_t
last_line_start(int fd, off_t size)
{
	char chunk[4096];
	off_t at = size;
	ssize_t n;
	char *nl;

	while (at > 0) {
		n = at < (off_t)sizeof chunk ? (ssize_t)at
					     : (ssize_t)sizeof chunk;
		at -= n;
		if (pread(fd, chunk, (size_t)n, at) != n)
			return -1;
		if ((nl = memrchr(chunk, '\n', (size_t)n)))
			return at + (nl - chunk) + 1;
	}
	return 0;
}

/*
 * A record cut short (a full disk, a crash, another tool) has no newline:
 * drop it, as joblog_read() ignores it, rather than glue the next record
 * on. fd is the joblog open for writing. Returns the size of the file
 * after, 0 for a pipe or a device.
 */
static off_t
drop_torn_line(int fd, const char *path)
{
	struct stat st;
	off_t keep = 0;
	char last;
	int rfd;

	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size == 0)
		return 0;
	/* A file fanout may write but not read: it cannot tell. */
	if ((rfd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return st.st_size;
	if (pread(rfd, &last, 1, st.st_size - 1) != 1 ||
	    (last != '\n' && (keep = last_line_start(rfd, st.st_size)) < 0))
		fatal("cannot read joblog '%s'", path);
	close(rfd);
	if (last == '\n')
		return st.st_size;
	if (ftruncate(fd, keep) < 0)
		fatal("cannot cut the last line off joblog '%s'", path);
	warnx("'%s': its last line was cut short (no newline): dropped", path);
	return keep;
}

const char *
joblog_header(size_t *len)
{
	*len = sizeof header - 1;
	return header;
}

bool
joblog_to_stdout(const struct joblog *j)
{
	return j && j->fd < 0;
}

struct joblog *
joblog_open(const char *spec, bool append)
{
	struct joblog *j = xcalloc(1, sizeof *j);
	const char *path = joblog_path(spec, &append);

	j->fd = -1;
	if (strcmp(spec, "-") == 0)
		return j; /* "+-" is a file, as in GNU parallel */
	j->path = xstrdup(path);
	j->fd = open(path,
	    O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_TRUNC),
	    0666);
	if (j->fd < 0)
		fatal("cannot open joblog '%s'", path);
	/* A new or empty file gets the header; so does a pipe. */
	if (drop_torn_line(j->fd, path) == 0 &&
	    util_write_all(j->fd, header, sizeof header - 1, NULL) < 0)
		fatal("cannot write joblog '%s'", path);
	return j;
}

const char *
joblog_line(struct joblog *j, const struct job_record *r, size_t *len)
{
	char num[160];
	size_t i;

	buf_reset(&j->line);
	snprintf(num, sizeof num, "%zu\t%s\t%.3f\t%10.3f\t%llu\t%llu\t%d\t%d\t",
	    r->seq, r->host, r->start, r->runtime, (unsigned long long)r->send,
	    (unsigned long long)r->receive, r->exitval, r->signal);
	buf_addstr(&j->line, num);
	/*
	 * One job, one line: a newline in the command is written as a NUL
	 * byte, which no command can hold (GNU parallel's escape).
	 */
	for (i = 0; r->cmd[i]; i++)
		buf_addch(&j->line, r->cmd[i] == '\n' ? '\0' : r->cmd[i]);
	buf_addch(&j->line, '\n');
	*len = j->line.len;
	return j->line.data;
}

int
joblog_write(struct joblog *j, const struct job_record *r)
{
	size_t len;
	off_t end;
	int err;

	if (!j)
		return 0;
	joblog_line(j, r, &len);
	/*
	 * O_APPEND and one write: the line is whole even after kill -9. What
	 * a full disk let through of it is cut off again (-1 for a pipe).
	 */
	end = lseek(j->fd, 0, SEEK_END);
	if (util_write_all(j->fd, j->line.data, len, NULL) == 0)
		return 0;
	err = errno;
	if (end >= 0 && ftruncate(j->fd, end) < 0 && !j->failed)
		error("cannot cut a short line off joblog '%s': %s", j->path,
		    strerror(errno));
	if (!j->failed)
		error("cannot write joblog '%s': %s", j->path, strerror(err));
	j->failed = true;
	return -1;
}
void
joblog_close(struct joblog *j)
{
	if (!j)
		return;
	if (j->fd >= 0)
		close(j->fd);
	buf_release(&j->line);
	free(j->path);
	free(j);
}

/* Give back the newlines joblog_write() wrote as NUL bytes. */
static void
unescape_newlines(char *line, size_t len)
{
	char *p = line;

	while ((p = memchr(p, '\0', len - (size_t)(p - line))))
		*p++ = '\n';
}

/* A failure line: its seq, where it was, its command. */
struct failure {
	size_t seq;
	size_t line;
	char *cmd;
};

/* What joblog_read() gathers, line by line. */
struct reader {
	const char *path;
	size_t lineno;
	struct joblog_past *past;
	size_t cap_done, cap_ok, cap_fail, nfail;
	struct failure *fail;
};

/* Room for one more element in array a of n, of capacity *cap. */
static void *
grow(void *a, size_t n, size_t *cap, size_t size)
{
	if (n < *cap)
		return a;
	*cap = *cap ? 2 * *cap : 16;
	return xreallocarray(a, *cap, size);
}

static int
by_value(const void *a, const void *b)
{
	const size_t *x = a, *y = b;

	return *x < *y ? -1 : *x > *y;
}

/* Sort a and drop repeats; returns how many are left. */
static size_t
sort_unique(size_t *a, size_t n)
{
	size_t i, m = 0;

	if (n == 0)
		return 0; /* a may be NULL */
	qsort(a, n, sizeof *a, by_value);
	for (i = 0; i < n; i++)
		if (m == 0 || a[m - 1] != a[i])
			a[m++] = a[i];
	return m;
}

static bool
has_value(const size_t *a, size_t n, size_t v)
{
	return n && bsearch(&v, a, n, sizeof *a, by_value) != NULL;
}

/* A Seq: digits only, at least 1, not above SIZE_MAX. */
static bool
parse_seq(const char *s, size_t *seq)
{
	unsigned long long v;
	char *end;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (*end || errno == ERANGE || v == 0 || v > SIZE_MAX)
		return false;
	*seq = (size_t)v;
	return true;
}

/* A number column, as GNU parallel reads one: [-0-9.]+, spaces before. */
static bool
is_number(const char *s)
{
	s += strspn(s, " ");
	return *s && s[strspn(s, "-0123456789.")] == '\0' &&
	    strpbrk(s, "0123456789") != NULL;
}

/* Split a joblog line into its nine fields; false when it is not one. */
static bool
split_line(char *line, char **f, size_t *seq)
{
	size_t n = 0;

	f[n++] = line;
	while (n < 9 && (line = strchr(line, '\t'))) {
		*line++ = '\0';
		f[n++] = line;
	}
	if (n < 9 || !parse_seq(f[0], seq) || !*f[1])
		return false;
	for (n = 2; n < 8; n++)
		if (!is_number(f[n]))
			return false;
	return true;
}

/* Take one line (newline removed); -1 when it is not a joblog line. */
static int
read_line(struct reader *rd, char *line)
{
	struct joblog_past *p = rd->past;
	char *f[9];
	size_t seq;

	if (strncmp(line, header, sizeof header - 2) == 0 &&
	    line[sizeof header - 2] == '\0')
		return 0;
	if (!split_line(line, f, &seq))
		return error("%s:%zu: not a joblog line (Seq, Host, Starttime, "
			     "JobRuntime, Send, Receive, Exitval, Signal, "
			     "Command)",
		    rd->path, rd->lineno);
	p->done = grow(p->done, p->ndone, &rd->cap_done, sizeof *p->done);
	p->done[p->ndone++] = seq;
	if (strcmp(f[6], "0") == 0 && strcmp(f[7], "0") == 0) {
		p->ok = grow(p->ok, p->nok, &rd->cap_ok, sizeof *p->ok);
		p->ok[p->nok++] = seq;
		return 0;
	}
	/* A failure: its command, sorted out at the end. */
	rd->fail = grow(rd->fail, rd->nfail, &rd->cap_fail, sizeof *rd->fail);
	rd->fail[rd->nfail].seq = seq;
	rd->fail[rd->nfail].line = rd->lineno;
	rd->fail[rd->nfail++].cmd = xstrdup(f[8]);
	return 0;
}

static int
by_seq_then_line(const void *a, const void *b)
{
	const struct failure *x = a, *y = b;

	if (x->seq != y->seq)
		return x->seq < y->seq ? -1 : 1;
	return x->line < y->line ? -1 : x->line > y->line;
}

/*
 * Of the failure lines, keep the last one of each seq that never
 * succeeded, sorted by seq.
 */
static void
keep_failures(struct joblog_past *p, struct failure *f, size_t nf)
{
	size_t i, n = 0;

	p->failed_seq = xcalloc(nf + 1, sizeof *p->failed_seq);
	p->failed_cmd = xcalloc(nf + 1, sizeof *p->failed_cmd);
	if (nf)
		qsort(f, nf, sizeof *f, by_seq_then_line);
	for (i = 0; i < nf; i++) {
		if ((i + 1 < nf && f[i + 1].seq == f[i].seq) ||
		    joblog_past_ok(p, f[i].seq)) {
			free(f[i].cmd); /* a later line follows, or it passed */
			continue;
		}
		p->failed_seq[n] = f[i].seq;
		p->failed_cmd[n++] = f[i].cmd;
	}
	p->nfailed = n;
}

int
joblog_parse(FILE *fp, const char *name, struct joblog_past *p)
{
	struct reader rd = {.path = name, .past = p};
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int rc = 0;

	memset(p, 0, sizeof *p);
	while (rc == 0 && (len = getline(&line, &cap, fp)) >= 0) {
		rd.lineno++;
		if (line[len - 1] != '\n') {
			/* Only the last line can lack it: cut short. */
			warnx(
			    "%s:%zu: the last line is cut short (no newline): "
			    "ignored",
			    name, rd.lineno);
			break;
		}
		line[--len] = '\0';
		unescape_newlines(line, (size_t)len);
		rc = read_line(&rd, line);
	}
	if (rc == 0 && ferror(fp))
		rc =
		    error("cannot read joblog '%s': %s", name, strerror(errno));
	free(line);
	p->ndone = sort_unique(p->done, p->ndone);
	p->nok = sort_unique(p->ok, p->nok);
	keep_failures(p, rd.fail, rd.nfail);
	free(rd.fail);
	if (rc < 0)
		joblog_past_release(p);
	return rc;
}

void
joblog_read(const char *spec, struct joblog_past *p)
{
	bool append = false;
	const char *path = joblog_path(spec, &append);
	FILE *fp;
	int rc;

	memset(p, 0, sizeof *p);
	if (!(fp = fopen(path, "re"))) {
		if (errno == ENOENT)
			return;
		fatal("cannot open joblog '%s'", path);
	}
	rc = joblog_parse(fp, path, p);
	fclose(fp);
	if (rc < 0)
		exit(FANOUT_STATUS_ERROR);
}

void
joblog_past_release(struct joblog_past *p)
{
	size_t i;

	for (i = 0; i < p->nfailed; i++)
		free(p->failed_cmd[i]);
	free(p->failed_cmd);
	free(p->failed_seq);
	free(p->done);
	free(p->ok);
	memset(p, 0, sizeof *p);
}

bool
joblog_past_done(const struct joblog_past *p, size_t seq)
{
	return has_value(p->done, p->ndone, seq);
}

bool
joblog_past_ok(const struct joblog_past *p, size_t seq)
{
	return has_value(p->ok, p->nok, seq);
}
