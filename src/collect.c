#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/sendfile.h>
#include <unistd.h>

#include "buf.h"
#include "collect.h"
#include "json.h"
#include "record.h"
#include "util.h"
#include "xalloc.h"

/* Bytes of one stream kept in memory before spooling to a file. */
#define STREAM_MEM_MAX (256 * 1024)
/* Bytes of all streams kept in memory before spooling to files. */
#define TOTAL_MEM_MAX (16 * 1024 * 1024)
#define COPY_CHUNK 65536
#define SPLICE_CHUNK (1024 * 1024)

/*
 * One stream of one job. Its pending bytes are mem[mpos..], then the
 * spool file's [foff, flen), then stash (what a full disk refused).
 */
struct stream {
	struct buf mem;
	size_t mpos;
	int fd;
	off_t foff, flen;
	struct buf stash;
	bool mid_line; /* the last byte written was not a newline */
};

struct output {
	struct stream s[2];
	char *tag;
	size_t taglen;
	bool finished; /* the job has ended */
	bool owned_by_job; /* the job still refers to it */
	bool live; /* printing as it comes */
	unsigned long long bytes[2];
	int tee[2]; /* --results files, or -1 */
	struct job_record *rec; /* --json */
	char *trailer; /* output_set_trailer() */
	size_t trailerlen;
	struct output *next; /* in the print queue */
};

struct collector {
	struct collect_opts o;
	size_t mem_total;
	struct output *head, **tail; /* print queue */
	struct output *live;
	size_t held;
	bool broken;
	bool failed; /* writing to stdout or stderr failed: no more output */
	bool tee_failed; /* writing a --results file failed */
	bool no_splice[2]; /* splice() to stdout/stderr is refused */
	bool tty[2]; /* stdout/stderr is a terminal and on_tty is set */
	int out_fd[2];
};

struct collector *
collector_new(const struct collect_opts *o)
{
	struct collector *c = xcalloc(1, sizeof *c);

	c->o = *o;
	c->tail = &c->head;
	c->out_fd[0] = STDOUT_FILENO;
	c->out_fd[1] = STDERR_FILENO;
	for (int i = 0; i < 2; i++)
		c->tty[i] = o->on_tty && isatty(c->out_fd[i]);
	return c;
}

/* Output is about to reach a terminal: tell on_tty first. */
static void
before_tty(struct collector *c, int stream, const void *p, size_t n)
{
	if (c->tty[stream])
		c->o.on_tty(c->o.on_tty_arg, p, n);
}

static void
stream_release(struct collector *c, struct stream *st)
{
	c->mem_total -= st->mem.len - st->mpos;
	buf_release(&st->mem);
	st->mpos = 0;
	if (st->fd >= 0)
		close(st->fd);
	st->fd = -1;
	st->foff = st->flen = 0;
	buf_release(&st->stash);
}

static void
output_free(struct collector *c, struct output *o)
{
	stream_release(c, &o->s[0]);
	stream_release(c, &o->s[1]);
	if (o->rec) {
		record_release(o->rec);
		free(o->rec);
	}
	for (int i = 0; i < 2; i++)
		if (o->tee[i] >= 0)
			close(o->tee[i]);
	free(o->tag);
	free(o->trailer);
	free(o);
}

void
collector_free(struct collector *c)
{
	struct output *o, *next;

	if (!c)
		return;
	for (o = c->head; o; o = next) {
		next = o->next;
		if (!o->owned_by_job)
			output_free(c, o);
	}
	if (c->live && !c->live->owned_by_job)
		output_free(c, c->live);
	free(c);
}

bool
collector_broken(const struct collector *c)
{
	return c->broken;
}

bool
collector_failed(const struct collector *c)
{
	return c->failed || c->tee_failed;
}

size_t
collector_held(const struct collector *c)
{
	return c->held;
}

/* Write to fanout's own stdout (stream 0) or stderr (stream 1). */
static int
emit(struct collector *c, int stream, const void *p, size_t n)
{
	if (c->broken || c->failed || n == 0)
		return c->broken || c->failed ? -1 : 0;
	before_tty(c, stream, p, n);
	if (util_write_all(c->out_fd[stream], p, n, c->o.stop) == 0)
		return 0;
	if (errno == EPIPE) {
		c->broken = true;
	} else if (errno != EINTR) {
		error("cannot write to %s: %s",
		    stream ? "standard error" : "standard output",
		    strerror(errno));
		c->failed = true;
	}
	return -1;
}

/* Write job output, putting the tag in front of every line. */
static int
emit_tagged(
    struct collector *c, struct output *o, int stream, const char *p, size_t n)
{
	struct stream *st = &o->s[stream];
	const char *nl;
	size_t len;

	if (n == 0)
		return 0;
	if (!o->tag) {
		st->mid_line = p[n - 1] != '\n';
		return emit(c, stream, p, n);
	}
	while (n > 0) {
		if (!st->mid_line && emit(c, stream, o->tag, o->taglen) < 0)
			return -1;
		nl = memchr(p, '\n', n);
		len = nl ? (size_t)(nl - p) + 1 : n;
		if (emit(c, stream, p, len) < 0)
			return -1;
		st->mid_line = nl == NULL;
		p += len;
		n -= len;
	}
	return 0;
}

/* Pass the spool file's bytes from off to its end to cb, in pieces. */
static int
spool_read(struct collector *c, struct stream *st, off_t off,
    int (*cb)(void *, const char *, size_t), void *ctx)
{
	char chunk[COPY_CHUNK];
	ssize_t n;
	int rc;

	while (off < st->flen) {
		size_t want = COPY_CHUNK;

		if ((off_t)want > st->flen - off)
			want = (size_t)(st->flen - off);
		n = pread(st->fd, chunk, want, off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			error("cannot read a spool file: %s",
			    n < 0 ? strerror(errno) : "it is shorter");
			c->failed = true;
			return -1;
		}
		if ((rc = cb(ctx, chunk, (size_t)n)))
			return rc;
		off += n;
	}
	return 0;
}

struct tagged_ctx {
	struct collector *c;
	struct output *o;
	int stream;
};

static int
tagged_cb(void *ctx, const char *p, size_t n)
{
	struct tagged_ctx *tc = ctx;

	return emit_tagged(tc->c, tc->o, tc->stream, p, n);
}

/* Copy the spool file's pending bytes out. */
static int
emit_file(struct collector *c, struct output *o, int stream)
{
	struct stream *st = &o->s[stream];
	struct tagged_ctx tc;
	ssize_t n;
	char last;

	if (!o->tag && st->flen > st->foff) {
		/* The kernel copies; only the last byte matters for tags. */
		if (c->tty[stream] &&
		    pread(st->fd, &last, 1, st->flen - 1) == 1)
			before_tty(c, stream, &last, 1); /* what ends it */
		while (st->foff < st->flen && !c->broken && !c->failed) {
			n = sendfile(c->out_fd[stream], st->fd, &st->foff,
			    (size_t)(st->flen - st->foff));
			if (n > 0)
				continue;
			if (n < 0 && errno == EINTR && !*c->o.stop)
				continue;
			if (n < 0 && (errno == EINVAL || errno == ENOSYS))
				break; /* not possible here: copy by hand */
			if (n < 0 && errno == EINTR)
				return -1; /* stopping: not an error */
			if (n < 0 && errno == EPIPE)
				c->broken = true;
			else {
				error("cannot write to %s: %s",
				    stream ? "standard error"
					   : "standard output",
				    strerror(n < 0 ? errno : EIO));
				c->failed = true;
			}
			return -1;
		}
	}
	tc.c = c;
	tc.o = o;
	tc.stream = stream;
	if (spool_read(c, st, st->foff, tagged_cb, &tc) < 0)
		return -1;
	st->foff = st->flen;
	return 0;
}

/*
 * Pass what stream 1 or 2 holds, without consuming it, to cb in pieces;
 * stops at and returns cb's first non-zero return.
 */
static int
output_read(struct collector *c, struct output *o, int stream,
    int (*cb)(void *, const char *, size_t), void *ctx)
{
	struct stream *st = &o->s[stream - 1];
	int rc;

	if (st->mem.len > st->mpos &&
	    (rc = cb(ctx, st->mem.data + st->mpos, st->mem.len - st->mpos)))
		return rc;
	if (st->fd >= 0 && (rc = spool_read(c, st, st->foff, cb, ctx)))
		return rc;
	if (st->stash.len && (rc = cb(ctx, st->stash.data, st->stash.len)))
		return rc;
	return 0;
}

unsigned long long
output_bytes(const struct output *o, int stream)
{
	return o->bytes[stream - 1];
}

void
output_set_tee(struct output *o, const int fds[2])
{
	o->tee[0] = fds[0];
	o->tee[1] = fds[1];
}

void
output_set_record(struct output *o, struct job_record *rec)
{
	o->rec = rec;
}

static int
check_cb(void *ctx, const char *p, size_t n)
{
	utf8_check_feed(ctx, p, n);
	return 0;
}

struct json_sink {
	struct collector *c;
	struct buf *b;
	struct base64 b64;
	bool base64;
};

static int
json_cb(void *ctx, const char *p, size_t n)
{
	struct json_sink *js = ctx;

	if (js->base64)
		base64_feed(&js->b64, js->b, p, n);
	else
		json_add_escaped(js->b, p, n);
	if (js->b->len >= COPY_CHUNK) {
		if (emit(js->c, 0, js->b->data, js->b->len) < 0)
			return -1;
		buf_reset(js->b);
	}
	return 0;
}

/* Print what output_set_trailer() gave, once. */
static void
emit_trailer(struct collector *c, struct output *o)
{
	if (!o->trailer)
		return;
	emit(c, 0, o->trailer, o->trailerlen);
	free(o->trailer);
	o->trailer = NULL;
}

void
output_set_trailer(struct output *o, const char *p, size_t n)
{
	free(o->trailer);
	o->trailer = xmalloc(n);
	memcpy(o->trailer, p, n);
	o->trailerlen = n;
}

/* The job as one line of JSON; its output is read twice, not held. */
static void
emit_json(struct collector *c, struct output *o)
{
	static const char *const names[2][2] = {
	    {"stdout", "stdout_base64"}, {"stderr", "stderr_base64"}};
	struct buf b = BUF_INIT;
	struct json_sink js = {c, &b, {{0}, 0}, false};
	int i;

	if (!o->rec)
		BUG("--json output without a record");
	json_record_head(&b, o->rec);
	for (i = 0; i < 2; i++) {
		struct utf8_check u = {0};

		output_read(c, o, i + 1, check_cb, &u);
		js.base64 = !utf8_check_valid(&u);
		buf_addstr(&b, ",\"");
		buf_addstr(&b, names[i][js.base64]);
		buf_addstr(&b, "\":\"");
		if (output_read(c, o, i + 1, json_cb, &js) < 0)
			break;
		if (js.base64)
			base64_finish(&js.b64, &b);
		buf_addch(&b, '"');
	}
	buf_addstr(&b, "}\n");
	emit(c, 0, b.data, b.len);
	buf_release(&b);
	stream_release(c, &o->s[0]);
	stream_release(c, &o->s[1]);
}

/* Write out every pending byte of a stream and forget them. */
static int
stream_drain(struct collector *c, struct output *o, int stream)
{
	struct stream *st = &o->s[stream];
	int rc = 0;

	if (st->mem.len > st->mpos)
		rc = emit_tagged(c, o, stream, st->mem.data + st->mpos,
		    st->mem.len - st->mpos);
	c->mem_total -= st->mem.len - st->mpos;
	if (st->mem.cap > COPY_CHUNK)
		buf_release(&st->mem);
	else
		buf_reset(&st->mem);
	st->mpos = 0;
	if (rc == 0 && st->fd >= 0)
		rc = emit_file(c, o, stream);
	if (st->fd >= 0) {
		close(st->fd);
		st->fd = -1;
		st->foff = st->flen = 0;
	}
	if (rc == 0 && st->stash.len)
		rc = emit_tagged(c, o, stream, st->stash.data, st->stash.len);
	buf_release(&st->stash);
	return rc;
}

static void
output_drain(struct collector *c, struct output *o)
{
	if (c->o.json) {
		if (o->finished)
			emit_json(c, o);
	} else {
		stream_drain(c, o, 0);
		stream_drain(c, o, 1);
	}
	if (o->finished)
		emit_trailer(c, o);
}

struct output *
output_new(struct collector *c, const char *tag, size_t taglen)
{
	struct output *o = xcalloc(1, sizeof *o);

	o->s[0].fd = o->s[1].fd = -1;
	o->tee[0] = o->tee[1] = -1;
	o->owned_by_job = true;
	if (tag) {
		o->tag = xmalloc(taglen + 1);
		memcpy(o->tag, tag, taglen);
		o->tag[taglen] = '\0';
		o->taglen = taglen;
	}
	if (c->o.keep_order && c->o.mode == OUTPUT_GROUP) {
		*c->tail = o;
		c->tail = &o->next;
		c->held++;
	}
	return o;
}

const char *
collector_spool_dir(void)
{
	const char *dir = getenv("TMPDIR");

	return dir && *dir ? dir : "/tmp";
}

static int
spool_open(void)
{
	const char *dir = collector_spool_dir();
	char *path;
	int fd;

	/* A file with no name: nothing to clean up, even after kill -9. */
	fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd >= 0 ||
	    (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL))
		return fd;
	path = xasprintf("%s/fanout.XXXXXX", dir);
	fd = mkostemp(path, O_CLOEXEC);
	if (fd >= 0)
		unlink(path);
	free(path);
	return fd;
}

/* Store bytes behind what the stream already holds. */
static int
stream_store(struct collector *c, struct stream *st, const char *p, size_t n)
{
	ssize_t w;

	if (st->stash.len) {
		buf_add(&st->stash, p, n);
		return -1;
	}
	if (st->foff == st->flen &&
	    st->mem.len - st->mpos + n <= STREAM_MEM_MAX &&
	    c->mem_total + n <= TOTAL_MEM_MAX) {
		buf_add(&st->mem, p, n);
		c->mem_total += n;
		return 0;
	}
	if (st->fd < 0 && (st->fd = spool_open()) < 0)
		goto full;
	while (n > 0) {
		w = pwrite(st->fd, p, n, st->flen);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			goto full;
		st->flen += w;
		p += w;
		n -= (size_t)w;
	}
	return 0;
full:
	buf_add(&st->stash, p, n);
	return -1;
}

int
output_append(struct collector *c, struct output *o, int stream,
    const void *data, size_t n)
{
	struct stream *st = &o->s[stream - 1];
	const char *p = data, *nl;
	size_t len;

	o->bytes[stream - 1] += n;
	if (o->tee[stream - 1] >= 0 &&
	    util_write_all(o->tee[stream - 1], p, n, NULL) < 0) {
		error("cannot write a --results file: %s", strerror(errno));
		close(o->tee[stream - 1]);
		o->tee[stream - 1] = -1;
		c->tee_failed = true; /* the output still goes out */
	}
	if (o->live) {
		/* Write errors are the collector's to report, not the job's. */
		stream_drain(c, o, stream - 1);
		emit_tagged(c, o, stream - 1, p, n);
		return 0;
	}
	if (c->o.mode == OUTPUT_LINE && (nl = memrchr(p, '\n', n))) {
		/* Out go the held partial line and the whole lines here. */
		len = (size_t)(nl - p) + 1;
		stream_drain(c, o, stream - 1);
		emit_tagged(c, o, stream - 1, p, len);
		p += len;
		n -= len;
		if (n == 0)
			return 0;
	}
	return stream_store(c, st, p, n);
}

long
output_splice(struct collector *c, struct output *o, int stream, int fd)
{
	struct stream *st = &o->s[stream - 1];
	int i = stream - 1;
	ssize_t n;

	if (o->tag || c->o.json || c->o.mode != OUTPUT_GROUP || st->stash.len ||
	    c->broken || c->failed || o->tee[i] >= 0)
		return OUTPUT_NO_SPLICE;
	if (o->live) {
		/* A terminal: the bytes pass through before_tty(). */
		if (c->no_splice[i] || c->tty[i] || st->mem.len > st->mpos ||
		    st->fd >= 0)
			return OUTPUT_NO_SPLICE;
		n = splice(
		    fd, NULL, c->out_fd[i], NULL, SPLICE_CHUNK, SPLICE_F_MOVE);
		if (n < 0 && errno == EPIPE) {
			c->broken = true;
			return -1;
		}
		if (n < 0 && errno != EINTR && errno != EAGAIN) {
			/* Not a file or pipe that splice takes (O_APPEND,
			 * a tty): copy by hand from now on. */
			c->no_splice[i] = true;
			return OUTPUT_NO_SPLICE;
		}
		if (n > 0)
			o->bytes[i] += (size_t)n;
		return n;
	}
	/* Only once the stream spools: small outputs stay in memory. */
	if (st->foff == st->flen && st->mem.len - st->mpos < STREAM_MEM_MAX &&
	    c->mem_total < TOTAL_MEM_MAX)
		return OUTPUT_NO_SPLICE;
	if (st->fd < 0 && (st->fd = spool_open()) < 0)
		return OUTPUT_NO_SPLICE;
	n = splice(fd, NULL, st->fd, &st->flen, SPLICE_CHUNK, SPLICE_F_MOVE);
	if (n < 0) /* a full disk too: read() and the stash handle it */
		return OUTPUT_NO_SPLICE;
	o->bytes[i] += (size_t)n;
	return n;
}

int
output_resume(struct collector *c, struct output *o)
{
	struct buf stash;
	int i, rc = 0;

	for (i = 0; i < 2; i++) {
		struct stream *st = &o->s[i];

		if (!st->stash.len)
			continue;
		stash = st->stash;
		buf_init(&st->stash);
		if (o->live) {
			stream_drain(c, o, i);
			emit_tagged(c, o, i, stash.data, stash.len);
		} else if (stream_store(c, st, stash.data, stash.len) < 0) {
			rc = -1;
		}
		buf_release(&stash);
	}
	return rc;
}

void
output_discard(struct collector *c, struct output *o)
{
	int i;

	for (i = 0; i < 2; i++) {
		stream_release(c, &o->s[i]);
		o->bytes[i] = 0;
		if (o->tee[i] >= 0 &&
		    (ftruncate(o->tee[i], 0) < 0 ||
			lseek(o->tee[i], 0, SEEK_SET) < 0)) {
			close(o->tee[i]);
			o->tee[i] = -1;
		}
	}
}

static void
queue_remove(struct collector *c, struct output *o)
{
	struct output **pp;

	for (pp = &c->head; *pp; pp = &(*pp)->next) {
		if (*pp != o)
			continue;
		*pp = o->next;
		if (c->tail == &o->next)
			c->tail = pp;
		o->next = NULL;
		c->held--;
		return;
	}
}

void
output_finish(struct collector *c, struct output *o)
{
	o->finished = true;
	o->owned_by_job = false;
	if (c->o.mode == OUTPUT_UNGROUP) {
		emit_trailer(c, o);
		output_free(c, o);
		return;
	}
	if (c->o.mode == OUTPUT_LINE) {
		/* A last line without a newline still goes out whole. */
		output_drain(c, o);
		if (o->live) /* a full disk made it so */
			c->live = NULL;
		output_free(c, o);
		return;
	}
	if (o->live) {
		output_drain(c, o);
		c->live = NULL;
		output_free(c, o);
		collector_flush(c);
		return;
	}
	if (!c->o.keep_order) {
		*c->tail = o;
		c->tail = &o->next;
		c->held++;
	}
	collector_flush(c);
}

/* Print the finished outputs whose turn it is; then, with go_live, let
 * the oldest running job print as it goes (-k). */
static void
flush(struct collector *c, bool go_live)
{
	struct output *o;

	while (!c->live && (o = c->head)) {
		if (!o->finished) {
			if (go_live && c->o.live)
				output_make_live(c, o);
			return;
		}
		queue_remove(c, o);
		output_drain(c, o);
		output_free(c, o);
	}
}

void
output_cancel(struct collector *c, struct output *o)
{
	if (o->live)
		c->live = NULL; /* what it printed stays printed */
	else if (c->o.keep_order && c->o.mode == OUTPUT_GROUP)
		queue_remove(c, o);
	output_free(c, o);
	/* The jobs behind it are being stopped too: none goes live. */
	flush(c, false);
}

bool
output_make_live(struct collector *c, struct output *o)
{
	if (o->live)
		return true;
	/* Raw bytes would break --json records; -k: the oldest job only. */
	if (c->live || c->o.json)
		return false;
	if (c->o.keep_order && c->o.mode == OUTPUT_GROUP) {
		if (o != c->head)
			return false;
		queue_remove(c, o);
	}
	o->live = true;
	c->live = o;
	output_drain(c, o);
	return true;
}

void
collector_flush(struct collector *c)
{
	flush(c, true);
}

void
collector_flush_all(struct collector *c)
{
	struct output *o, *next;

	if (c->live)
		output_drain(c, c->live);
	for (o = c->head; o; o = next) {
		next = o->next;
		output_drain(c, o);
		if (o->finished) {
			queue_remove(c, o);
			output_free(c, o);
		}
	}
}

void
collector_print(struct collector *c, const void *p, size_t n)
{
	emit(c, 0, p, n);
}
