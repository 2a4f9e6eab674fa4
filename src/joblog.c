#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

void
record_release(struct job_record *r)
{
	args_release(&r->args);
	free(r->cmd);
	r->cmd = NULL;
}

static const char *
joblog_path(const char *spec, bool *append)
{
	if (spec[0] == '+') {
		*append = true;
		return spec + 1;
	}
	return spec;
}

struct joblog *
joblog_open(const char *spec, bool append)
{
	struct joblog *j = xcalloc(1, sizeof *j);
	const char *path = joblog_path(spec, &append);
	off_t size;

	j->path = xstrdup(path);
	j->fd = open(path,
	    O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_TRUNC),
	    0666);
	if (j->fd < 0)
		fatal("cannot open joblog '%s'", path);
	/* A new or empty file gets the header; so does a pipe. */
	size = lseek(j->fd, 0, SEEK_END);
	if (size <= 0 &&
	    util_write_all(j->fd, header, sizeof header - 1, NULL) < 0)
		fatal("cannot write joblog '%s'", path);
	return j;
}

void
joblog_write(struct joblog *j, const struct job_record *r)
{
	char num[160];
	size_t i;

	if (!j || j->failed)
		return;
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
	/* O_APPEND and one write: the line is whole even after kill -9. */
	if (util_write_all(j->fd, j->line.data, j->line.len, NULL) < 0) {
		error("cannot write joblog '%s': %s", j->path, strerror(errno));
		j->failed = true;
	}
}

void
joblog_close(struct joblog *j)
{
	if (!j)
		return;
	close(j->fd);
	buf_release(&j->line);
	free(j->path);
	free(j);
}

static void
bit_set(unsigned char **map, size_t *nbits, size_t bit)
{
	size_t need = bit / 8 + 1, have = (*nbits + 7) / 8;

	if (need > have) {
		size_t n = need * 2;

		*map = xrealloc(*map, n);
		memset(*map + have, 0, n - have);
		*nbits = n * 8;
	}
	(*map)[bit / 8] |= (unsigned char)(1u << (bit % 8));
}

static bool
bit_get(const unsigned char *map, size_t nbits, size_t bit)
{
	return bit < nbits && (map[bit / 8] & (1u << (bit % 8)));
}

/* Give back the newlines joblog_write() wrote as NUL bytes. */
static void
unescape_newlines(char *line, size_t len)
{
	char *p = line;

	while ((p = memchr(p, '\0', len - (size_t)(p - line))))
		*p++ = '\n';
}

/* Split a joblog line into its nine fields; false when it is not one. */
static bool
split_line(char *line, char **f)
{
	size_t n = 0;

	f[n++] = line;
	while (n < 9 && (line = strchr(line, '\t'))) {
		*line++ = '\0';
		f[n++] = line;
	}
	return n == 9;
}

struct failure {
	size_t seq;
	size_t line;
	char *cmd;
};

static int
by_seq_then_line(const void *a, const void *b)
{
	const struct failure *x = a, *y = b;

	if (x->seq != y->seq)
		return x->seq < y->seq ? -1 : 1;
	return x->line < y->line ? -1 : x->line > y->line;
}

/*
 * Of the failure lines, in file order, keep the last one of each seq that
 * never succeeded, sorted by seq.
 */
static void
keep_failures(struct joblog_past *p)
{
	struct failure *f = xcalloc(p->nfailed + 1, sizeof *f);
	size_t i, n = 0;

	for (i = 0; i < p->nfailed; i++) {
		f[i].seq = p->failed_seq[i];
		f[i].line = i;
		f[i].cmd = p->failed_cmd[i];
	}
	qsort(f, p->nfailed, sizeof *f, by_seq_then_line);
	for (i = 0; i < p->nfailed; i++) {
		if ((i + 1 < p->nfailed && f[i + 1].seq == f[i].seq) ||
		    joblog_past_ok(p, f[i].seq)) {
			free(f[i].cmd); /* a later line follows, or it passed */
			continue;
		}
		p->failed_seq[n] = f[i].seq;
		p->failed_cmd[n++] = f[i].cmd;
	}
	p->nfailed = n;
	free(f);
}

void
joblog_read(const char *spec, struct joblog_past *p)
{
	bool append = false;
	const char *path = joblog_path(spec, &append);
	FILE *fp;
	char *line = NULL, *f[9], *end;
	size_t cap = 0, cap_failed = 0, seq;
	ssize_t len;

	memset(p, 0, sizeof *p);
	if (!(fp = fopen(path, "re"))) {
		if (errno == ENOENT)
			return;
		fatal("cannot open joblog '%s'", path);
	}
	while ((len = getline(&line, &cap, fp)) >= 0) {
		if (len && line[len - 1] == '\n')
			line[--len] = '\0';
		unescape_newlines(line, (size_t)len);
		if (!split_line(line, f))
			continue; /* the header, or a torn line */
		seq = strtoul(f[0], &end, 10);
		if (*end || end == f[0] || seq == 0)
			continue;
		bit_set(&p->done, &p->done_bits, seq);
		if (seq > p->max_seq)
			p->max_seq = seq;
		if (strcmp(f[6], "0") == 0 && strcmp(f[7], "0") == 0) {
			bit_set(&p->ok, &p->ok_bits, seq);
			continue;
		}
		/* A failure: its command, sorted out at the end. */
		if (p->nfailed == cap_failed) {
			cap_failed = cap_failed ? 2 * cap_failed : 16;
			p->failed_seq = xreallocarray(
			    p->failed_seq, cap_failed, sizeof *p->failed_seq);
			p->failed_cmd = xreallocarray(
			    p->failed_cmd, cap_failed, sizeof *p->failed_cmd);
		}
		p->failed_seq[p->nfailed] = seq;
		p->failed_cmd[p->nfailed++] = xstrdup(f[8]);
	}
	free(line);
	fclose(fp);
	keep_failures(p);
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
	return bit_get(p->done, p->done_bits, seq);
}

bool
joblog_past_ok(const struct joblog_past *p, size_t seq)
{
	return bit_get(p->ok, p->ok_bits, seq);
}
