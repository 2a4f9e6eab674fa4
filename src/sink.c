/*
 * The sinks that print: raw streams to fanout's stdout and stderr, and
 * --json records. Both write through one stdio writer, which knows
 * terminals, a reader gone away (EPIPE) and a stop request.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "joblog.h"
#include "json.h"
#include "sink.h"

#define STDOUT_PIPE_SIZE (1024 * 1024)
#include "util.h"
#include "xalloc.h"

#define JSON_CHUNK 65536
#define SPLICE_CHUNK (1024 * 1024)

struct stdio_sink {
	struct sink sink;
	struct sink_stdio_opts o;
	int out_fd[2];
	bool tty[2]; /* stdout/stderr is a terminal and on_tty is set */
	bool no_splice[2]; /* splice() to stdout/stderr is refused */
};

/* A tagged job's lines (an untagged job has no state: NULL). */
struct raw_job {
	char *tag;
	size_t taglen;
	bool mid_line[2]; /* the last byte written was not a newline */
};

static struct stdio_sink *
stdio_of(struct sink *sk)
{
	return (struct stdio_sink *)sk;
}

static struct raw_job *
raw_job_of(struct sink_job *j)
{
	return (struct raw_job *)j;
}

/* Output is about to reach a terminal: tell on_tty first. */
static void
before_tty(struct stdio_sink *s, int i, const void *p, size_t n)
{
	if (s->tty[i])
		s->o.on_tty(s->o.on_tty_arg, p, n);
}

/* Say why stdout (i 0) or stderr (i 1) cannot be written, once. */
static int
write_failed(struct stdio_sink *s, int i, int err)
{
	if (err == EPIPE) {
		s->sink.broken = true;
	} else if (err != EINTR) {
		error("cannot write to %s: %s",
		    i ? "standard error" : "standard output", strerror(err));
		s->sink.failed = true;
	}
	return -1;
}

/* Write to fanout's own stdout (i 0) or stderr (i 1). */
static int
stdio_write(struct stdio_sink *s, int i, const void *p, size_t n)
{
	if (s->sink.broken || s->sink.failed)
		return -1;
	if (n == 0)
		return 0;
	before_tty(s, i, p, n);
	if (util_write_all(s->out_fd[i], p, n, s->o.stop) == 0)
		return 0;
	return write_failed(s, i, errno);
}

/* Print the job's line of --joblog -, after its output. */
static void
stdio_trailer(struct stdio_sink *s, const struct job_record *rec)
{
	const char *line;
	size_t len;

	if (!s->o.joblog || !rec)
		return;
	line = joblog_line(s->o.joblog, rec, &len);
	stdio_write(s, 0, line, len);
}

static void
stdio_print(struct sink *sk, const char *p, size_t n)
{
	stdio_write(stdio_of(sk), 0, p, n);
}

static void
stdio_free(struct sink *sk)
{
	free(sk);
}

static struct sink *
stdio_new(
    const struct sink_ops *ops, unsigned flags, const struct sink_stdio_opts *o)
{
	struct stdio_sink *s = xcalloc(1, sizeof *s);

	s->sink.ops = ops;
	s->sink.flags = flags;
	s->o = *o;
	s->out_fd[0] = STDOUT_FILENO;
	s->out_fd[1] = STDERR_FILENO;
	for (int i = 0; i < 2; i++)
		s->tty[i] = o->on_tty && isatty(s->out_fd[i]);
	return &s->sink;
}

void
sink_free(struct sink *sk)
{
	if (sk)
		sk->ops->free(sk);
}

static struct sink_job *
raw_job_begin(struct sink *sk, size_t seq, const char *tag, size_t taglen)
{
	struct raw_job *j;

	(void)sk;
	(void)seq;
	if (!tag)
		return NULL;
	j = xcalloc(1, sizeof *j);
	j->tag = xmalloc(taglen + 1);
	memcpy(j->tag, tag, taglen);
	j->tag[taglen] = '\0';
	j->taglen = taglen;
	return (struct sink_job *)j;
}

/* Write job output, putting the tag in front of every line. */
static int
raw_write(
    struct sink *sk, struct sink_job *sj, int stream, const char *p, size_t n)
{
	struct stdio_sink *s = stdio_of(sk);
	struct raw_job *j = raw_job_of(sj);
	int i = stream - 1;
	const char *nl;
	size_t len;

	if (n == 0)
		return 0;
	if (!j)
		return stdio_write(s, i, p, n);
	while (n > 0) {
		if (!j->mid_line[i] && stdio_write(s, i, j->tag, j->taglen) < 0)
			return -1;
		nl = memchr(p, '\n', n);
		len = nl ? (size_t)(nl - p) + 1 : n;
		if (stdio_write(s, i, p, len) < 0)
			return -1;
		j->mid_line[i] = nl == NULL;
		p += len;
		n -= len;
	}
	return 0;
}

/* Untagged bytes go out as they are. */
static bool
raw_zero_copy(struct sink *sk, struct sink_job *sj, int stream)
{
	(void)sk;
	(void)stream;
	return !sj;
}

static long
raw_splice(struct sink *sk, struct sink_job *sj, int stream, int fd)
{
	struct stdio_sink *s = stdio_of(sk);
	int i = stream - 1;
	ssize_t n;

	(void)sj;
	/* A terminal: the bytes pass through before_tty(). */
	if (s->no_splice[i] || s->tty[i])
		return SINK_NO_SPLICE;
	n = splice(fd, NULL, s->out_fd[i], NULL, SPLICE_CHUNK, SPLICE_F_MOVE);
	if (n < 0 && errno == EPIPE) {
		sk->broken = true;
		return -1;
	}
	if (n < 0 && errno != EINTR && errno != EAGAIN) {
		/* Not a file or pipe that splice takes (O_APPEND, a tty):
		 * copy by hand from now on. */
		s->no_splice[i] = true;
		return SINK_NO_SPLICE;
	}
	return n;
}

static int
raw_send_file(struct sink *sk, struct sink_job *sj, int stream, int fd,
    off_t *off, off_t end)
{
	struct stdio_sink *s = stdio_of(sk);
	int i = stream - 1;
	ssize_t n;
	char last;

	(void)sj;
	/* The kernel copies; only the last byte matters for tags. */
	if (s->tty[i] && pread(fd, &last, 1, end - 1) == 1)
		before_tty(s, i, &last, 1); /* what ends it */
	while (*off < end && !sk->broken && !sk->failed) {
		n = sendfile(s->out_fd[i], fd, off, (size_t)(end - *off));
		if (n > 0)
			continue;
		if (n < 0 && errno == EINTR && !*s->o.stop)
			continue;
		if (n < 0 && (errno == EINVAL || errno == ENOSYS))
			return SINK_NO_SPLICE; /* not possible here */
		if (n < 0 && errno == EINTR)
			return -1; /* stopping: not an error */
		return write_failed(s, i, n < 0 ? errno : EIO);
	}
	return *off < end ? -1 : 0;
}

static void
raw_job_end(struct sink *sk, struct sink_job *sj, const struct job_record *rec,
    sink_read_cb *read, void *src)
{
	(void)sj;
	(void)read;
	(void)src;
	stdio_trailer(stdio_of(sk), rec);
}

static void
raw_job_discard(struct sink *sk, struct sink_job *sj)
{
	(void)sk;
	(void)sj;
}

static void
raw_job_free(struct sink *sk, struct sink_job *sj)
{
	struct raw_job *j = raw_job_of(sj);

	(void)sk;
	if (!j)
		return;
	free(j->tag);
	free(j);
}

static const struct sink_ops raw_ops = {
    .job_begin = raw_job_begin,
    .write = raw_write,
    .zero_copy = raw_zero_copy,
    .splice = raw_splice,
    .send_file = raw_send_file,
    .job_end = raw_job_end,
    .job_discard = raw_job_discard,
    .job_free = raw_job_free,
    .print = stdio_print,
    .free = stdio_free,
};

/*
 * fanout's stdout, when a pipe, as large as a user may make one (1M by
 * default, not 64K): a sixteenth of the wake-ups for fanout and for the
 * reader when jobs print megabytes.
 */
static void
widen_stdout(void)
{
	struct stat st;

	if (fstat(STDOUT_FILENO, &st) == 0 && S_ISFIFO(st.st_mode) &&
	    fcntl(STDOUT_FILENO, F_GETPIPE_SZ) < STDOUT_PIPE_SIZE)
		(void)fcntl(STDOUT_FILENO, F_SETPIPE_SZ, STDOUT_PIPE_SIZE);
}

struct sink *
sink_raw_new(const struct sink_stdio_opts *o)
{
	widen_stdout();
	return stdio_new(&raw_ops, 0, o);
}

static int
json_check_cb(void *arg, const char *p, size_t n)
{
	utf8_check_feed(arg, p, n);
	return 0;
}

struct json_out {
	struct stdio_sink *s;
	struct buf *b;
	struct base64 b64;
	bool base64;
};

static int
json_out_cb(void *arg, const char *p, size_t n)
{
	struct json_out *js = arg;

	if (js->base64)
		base64_feed(&js->b64, js->b, p, n);
	else
		json_add_escaped(js->b, p, n);
	if (js->b->len >= JSON_CHUNK) {
		if (stdio_write(js->s, 0, js->b->data, js->b->len) < 0)
			return -1;
		buf_reset(js->b);
	}
	return 0;
}

/* The job as one line of JSON; its output is read twice, not held. */
static void
json_job_end(struct sink *sk, struct sink_job *sj, const struct job_record *rec,
    sink_read_cb *read, void *src)
{
	static const char *const names[2][2] = {
	    {"stdout", "stdout_base64"}, {"stderr", "stderr_base64"}};
	struct stdio_sink *s = stdio_of(sk);
	struct buf b = BUF_INIT;
	struct json_out js = {s, &b, {{0}, 0}, false};
	int i;

	(void)sj;
	if (!rec)
		BUG("--json output without a record");
	json_record_head(&b, rec);
	for (i = 0; i < 2; i++) {
		struct utf8_check u = {0};

		read(src, i + 1, json_check_cb, &u);
		js.base64 = !utf8_check_valid(&u);
		buf_addstr(&b, ",\"");
		buf_addstr(&b, names[i][js.base64]);
		buf_addstr(&b, "\":\"");
		if (read(src, i + 1, json_out_cb, &js) < 0)
			break;
		if (js.base64)
			base64_finish(&js.b64, &b);
		buf_addch(&b, '"');
	}
	buf_addstr(&b, "}\n");
	stdio_write(s, 0, b.data, b.len);
	buf_release(&b);
	stdio_trailer(s, rec);
}

static bool
json_zero_copy(struct sink *sk, struct sink_job *sj, int stream)
{
	(void)sk;
	(void)sj;
	(void)stream;
	return false;
}

static struct sink_job *
json_job_begin(struct sink *sk, size_t seq, const char *tag, size_t taglen)
{
	(void)sk;
	(void)seq;
	(void)tag;
	(void)taglen;
	return NULL;
}

/* A SINK_WHOLE sink is given no bytes one by one. */
static int
json_write(
    struct sink *sk, struct sink_job *sj, int stream, const char *p, size_t n)
{
	(void)sk;
	(void)sj;
	(void)stream;
	(void)p;
	(void)n;
	BUG("--json output written as raw bytes");
	return -1;
}

static const struct sink_ops json_ops = {
    .job_begin = json_job_begin,
    .write = json_write,
    .zero_copy = json_zero_copy,
    .job_end = json_job_end,
    .job_discard = raw_job_discard,
    .job_free = raw_job_free,
    .print = stdio_print,
    .free = stdio_free,
};

struct sink *
sink_json_new(const struct sink_stdio_opts *o)
{
	return stdio_new(&json_ops, SINK_WHOLE, o);
}
