#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "buf.h"
#include "collect.h"
#include "compress.h"
#include "files.h"
#include "record.h"
#include "results.h"
#include "sink.h"
#include "util.h"
#include "xalloc.h"

/* Bytes of one stream kept in memory before spooling to a file. */
#define STREAM_MEM_MAX (256 * 1024)
/* Bytes of all streams kept in memory before spooling to files. */
#define TOTAL_MEM_MAX (16 * 1024 * 1024)
#define COPY_CHUNK 65536
#define SPLICE_CHUNK (1024 * 1024)
/*
 * Room kept free on the spool disk for each running compressor: what one
 * may hold and write yet (pzstd works in blocks of megabytes), so that
 * none meets a full disk; with less, jobs wait, as without --compress.
 */
#define ZIP_ROOM (8 * 1024 * 1024)
/* ... and at most this much for all of them. */
#define ZIP_ROOM_MAX (256 * 1024 * 1024)
/*
 * Bytes a stream keeps while its compressor's pipe is full, beyond which
 * fanout waits for the compressor: a remote job cannot be paused.
 */
#define ZIP_STASH_MAX (1024 * 1024)
/* A longer gap between two tries to give a compressor bytes (fanout
 * stopped by ^Z) does not count towards COMPRESS_STALL_NS. */
#define ZIP_GAP_NS (1000 * 1000000LL)
/* How long a decompressor that cannot start is tried again. */
#define UNZIP_RETRY_NS (60 * 1000000000LL)

/*
 * One stream of one job. Its pending bytes are mem[mpos..], then the
 * spool file's [foff, flen), then stash (what a full disk refused).
 * With --compress the spool file is filled by a compressor (zpid) whose
 * stdin is zin, and [foff, flen) counts the bytes given to it; while its
 * pipe is full the stash holds what comes next (zbusy).
 */
struct stream {
	struct buf mem;
	size_t mpos;
	int fd;
	off_t foff, flen;
	struct buf stash;
	pid_t zpid; /* the compressor, until it ended; else 0 */
	int zin;
	int64_t zsince; /* when the compressor last took bytes */
	int64_t ztried; /* when its pipe was last found full */
	/* Why the stash holds bytes (when it does): no room in the
	 * compressor's pipe, else on the disk. */
	bool zbusy;
	bool lost; /* the compressor failed: what it had is gone */
	bool zlost; /* one did, in this run (it counts unless discarded) */
};

struct output {
	struct stream s[2];
	struct sink_job *job[2]; /* what the sinks (out, tee) keep of it */
	bool finished; /* the job has ended */
	bool owned_by_job; /* the job still refers to it */
	bool live; /* printing as it comes */
	unsigned long long bytes[2];
	struct job_record *rec; /* for the sinks, at the job's end */
	struct output *next; /* in the print queue */
};

struct collector {
	struct collect_opts o;
	size_t mem_total;
	struct output *head, **tail; /* print queue */
	struct output *live;
	size_t held;
	/* Where output goes in its turn, and (--results) where it goes as
	 * it arrives, or NULL. */
	struct sink *out, *tee;
	char *zip, *unzip; /* --compress: the commands, or NULL */
	size_t nzip; /* compressors running */
	bool lost; /* a job's output was lost (a compressor failed) */
};

struct collector *
collector_new(const struct collect_opts *o)
{
	struct collector *c = xcalloc(1, sizeof *c);
	struct sink_stdio_opts so = {
	    o->stop, o->on_tty, o->on_tty_arg, o->joblog};

	c->o = *o;
	c->tail = &c->head;
	if (o->compress)
		compress_choose(o->zip, o->unzip, &c->zip, &c->unzip);
	c->out = o->json ? sink_json_new(&so) : sink_raw_new(&so);
	if (o->files)
		c->out = files_sink_new(c->out);
	if (o->results)
		c->tee = results_sink_new(o->results);
	return c;
}

/* The compressor has all it gets: 0 when it stored all of it. */
static int
zip_end(struct collector *c, struct stream *st)
{
	if (!st->zpid)
		return st->lost ? -1 : 0;
	close(st->zin);
	st->zin = -1;
	if (compress_wait(st->zpid, c->zip, c->o.stop, st->fd) < 0)
		st->lost = st->zlost = true;
	st->zpid = 0;
	c->nzip--;
	return st->lost ? -1 : 0;
}

/* Forget the spool file (and its compressor). */
static void
spool_close(struct collector *c, struct stream *st)
{
	if (st->zpid)
		zip_end(c, st);
	if (st->fd >= 0)
		close(st->fd);
	st->fd = -1;
	st->foff = st->flen = 0;
	st->lost = false;
}

static void
stream_release(struct collector *c, struct stream *st)
{
	c->mem_total -= st->mem.len - st->mpos;
	buf_release(&st->mem);
	st->mpos = 0;
	spool_close(c, st);
	buf_release(&st->stash);
}

static void
output_free(struct collector *c, struct output *o)
{
	if (o->s[0].zlost || o->s[1].zlost)
		c->lost = true;
	stream_release(c, &o->s[0]);
	stream_release(c, &o->s[1]);
	record_free(o->rec);
	c->out->ops->job_free(c->out, o->job[0]);
	if (c->tee)
		c->tee->ops->job_free(c->tee, o->job[1]);
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
	sink_free(c->out);
	sink_free(c->tee);
	free(c->zip);
	free(c->unzip);
	free(c);
}

bool
collector_broken(const struct collector *c)
{
	return c->out->broken;
}

bool
collector_failed(const struct collector *c)
{
	return c->out->failed || (c->tee && c->tee->failed) || c->lost;
}

bool
collector_zipping(const struct collector *c)
{
	return c->nzip > 0;
}

size_t
collector_held(const struct collector *c)
{
	return c->held;
}

/* Hand bytes of stream 0 (stdout) or 1 (stderr) to the printing sink. */
static int
emit(struct collector *c, struct output *o, int stream, const char *p, size_t n)
{
	return c->out->ops->write(c->out, o->job[0], stream + 1, p, n);
}

/* A job's output cannot be read back: say why (unless fmt is NULL). */
static int __attribute__((format(printf, 2, 3)))
unzip_failed(struct collector *c, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	c->lost = true;
	if (!fmt)
		return -1;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return error("%s", msg);
}

/*
 * Start the decompressor. Out of processes, as when starting a job
 * (sched.c), is waited out: tried again every 0.1 s for a minute.
 */
static pid_t
unzip_start(struct collector *c, int in, int out)
{
	int64_t since = util_now();
	pid_t pid;

	while ((pid = compress_start(c->unzip, in, out)) < 0 &&
	    (errno == EAGAIN || errno == ENFILE) && !*c->o.stop &&
	    util_now() - since < UNZIP_RETRY_NS)
		poll(NULL, 0, 100);
	return pid;
}

/*
 * Pass what the decompressor makes of the spool file to cb, in pieces
 * (all of it: a compressed file is read from its start).
 */
static int
unzip_read(struct collector *c, struct stream *st, sink_bytes_cb *cb, void *ctx)
{
	char chunk[COPY_CHUNK];
	int p[2], rc = 0;
	int64_t since;
	off_t got = 0;
	ssize_t n;
	pid_t pid;

	if (zip_end(c, st) < 0)
		return -1;
	if (lseek(st->fd, 0, SEEK_SET) < 0 || pipe2(p, O_CLOEXEC) < 0 ||
	    util_set_nonblock(p[0], true) < 0)
		return unzip_failed(
		    c, "cannot read a spool file: %s", strerror(errno));
	pid = unzip_start(c, st->fd, p[1]);
	close(p[1]);
	if (pid < 0) {
		close(p[0]);
		return *c->o.stop ? -1
				  : unzip_failed(c, "cannot run '%s': %s",
					c->unzip, strerror(errno));
	}
	since = util_now();
	while (rc == 0 && (n = read(p[0], chunk, sizeof chunk)) != 0) {
		if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
			rc = compress_pause(p[0], POLLIN, since, c->o.stop);
			if (rc == COMPRESS_STALLED)
				unzip_failed(c,
				    "'%s' gave nothing for %d s: it is "
				    "stopped and a job's output is lost",
				    c->unzip,
				    (int)(COMPRESS_STALL_NS / 1000000000));
			rc = rc ? -1 : 0;
		} else if (n < 0) {
			rc = unzip_failed(c, "cannot read from '%s': %s",
			    c->unzip, strerror(errno));
		} else {
			rc = cb(ctx, chunk, (size_t)n);
			got += n;
			since = util_now();
		}
	}
	close(p[0]); /* a reader gone: it may end by SIGPIPE */
	if (rc) {
		compress_wait(pid, NULL, c->o.stop, -1);
		return rc;
	}
	if (compress_wait(pid, c->unzip, c->o.stop, -1) < 0)
		return *c->o.stop ? -1 : unzip_failed(c, NULL);
	if (got != st->flen)
		return unzip_failed(c,
		    "'%s' gave back %lld bytes of %lld: a job's output is lost",
		    c->unzip, (long long)got, (long long)st->flen);
	return 0;
}

/* Pass the spool file's bytes from off to its end to cb, in pieces. */
static int
spool_read(struct collector *c, struct stream *st, off_t off, sink_bytes_cb *cb,
    void *ctx)
{
	char chunk[COPY_CHUNK];
	ssize_t n;
	int rc;

	if (c->zip)
		return unzip_read(c, st, cb, ctx);
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
			c->out->failed = true; /* no more output */
			return -1;
		}
		if ((rc = cb(ctx, chunk, (size_t)n)))
			return rc;
		off += n;
	}
	return 0;
}

struct emit_ctx {
	struct collector *c;
	struct output *o;
	int stream;
};

static int
emit_cb(void *ctx, const char *p, size_t n)
{
	struct emit_ctx *ec = ctx;

	return emit(ec->c, ec->o, ec->stream, p, n);
}

/* Copy the spool file's pending bytes out: by the kernel if it may. */
static int
emit_file(struct collector *c, struct output *o, int stream)
{
	struct stream *st = &o->s[stream];
	struct emit_ctx ec = {c, o, stream};
	int rc;

	if (st->flen > st->foff && !c->zip &&
	    c->out->ops->zero_copy(c->out, o->job[0], stream + 1)) {
		rc = c->out->ops->send_file(
		    c->out, o->job[0], stream + 1, st->fd, &st->foff, st->flen);
		if (rc != SINK_NO_SPLICE)
			return rc;
	}
	if (spool_read(c, st, st->foff, emit_cb, &ec) < 0)
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
    sink_bytes_cb *cb, void *ctx)
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
output_set_record(struct output *o, struct job_record *rec)
{
	record_free(o->rec);
	o->rec = rec;
}

/* A job's held output, as a SINK_WHOLE sink reads it. */
struct held {
	struct collector *c;
	struct output *o;
};

static int
held_read(void *src, int stream, sink_bytes_cb *cb, void *arg)
{
	struct held *h = src;

	return output_read(h->c, h->o, stream, cb, arg);
}

/* The job has ended and its bytes went out: tell the sink. */
static void
sink_end(struct collector *c, struct sink *sk, struct output *o, int k)
{
	struct held h = {c, o};

	sk->ops->job_end(sk, o->job[k], o->rec, held_read, &h);
}

/* Write out every pending byte of a stream and forget them. */
static int
stream_drain(struct collector *c, struct output *o, int stream)
{
	struct stream *st = &o->s[stream];
	int rc = 0;

	if (st->mem.len > st->mpos)
		rc = emit(c, o, stream, st->mem.data + st->mpos,
		    st->mem.len - st->mpos);
	c->mem_total -= st->mem.len - st->mpos;
	if (st->mem.cap > COPY_CHUNK)
		buf_release(&st->mem);
	else
		buf_reset(&st->mem);
	st->mpos = 0;
	if (rc == 0 && st->fd >= 0)
		rc = emit_file(c, o, stream);
	spool_close(c, st);
	if (rc == 0 && st->stash.len)
		rc = emit(c, o, stream, st->stash.data, st->stash.len);
	buf_release(&st->stash);
	return rc;
}

/* Hand the sink what may go out of the output now; all of it once the
 * job has ended (a SINK_WHOLE sink reads it only then). */
static void
output_drain(struct collector *c, struct output *o)
{
	if (!(c->out->flags & SINK_WHOLE)) {
		stream_drain(c, o, 0);
		stream_drain(c, o, 1);
	}
	if (!o->finished)
		return;
	sink_end(c, c->out, o, 0);
	stream_release(c, &o->s[0]);
	stream_release(c, &o->s[1]);
}

struct output *
output_new(struct collector *c, size_t seq, const char *tag, size_t taglen)
{
	struct output *o = xcalloc(1, sizeof *o);

	o->s[0].fd = o->s[1].fd = -1;
	o->s[0].zin = o->s[1].zin = -1;
	o->owned_by_job = true;
	o->job[0] = c->out->ops->job_begin(c->out, seq, tag, taglen);
	if (c->tee)
		o->job[1] = c->tee->ops->job_begin(c->tee, seq, tag, taglen);
	/* -u: what comes goes out at once (a local job writes there
	 * itself; a remote one's output comes here). */
	o->live = c->o.mode == OUTPUT_UNGROUP;
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

/* Open the stream's spool file, and start its compressor if any. */
static int
spool_start(struct collector *c, struct stream *st)
{
	int p[2];

	if ((st->fd = spool_open()) < 0)
		return -1;
	if (!c->zip)
		return 0;
	if (pipe2(p, O_CLOEXEC) < 0)
		goto fail;
	/* Ours non-blocking: a compressor that stops reading cannot block
	 * fanout for ever (zip_write()). */
	st->zpid = util_set_nonblock(p[1], true) < 0
	    ? -1
	    : compress_start(c->zip, p[0], st->fd);
	close(p[0]);
	if (st->zpid > 0) {
		st->zin = p[1];
		st->zsince = util_now();
		c->nzip++;
		return 0;
	}
	st->zpid = 0;
	close(p[1]);
fail:
	/* Out of processes or descriptors, for now: try again later. */
	close(st->fd);
	st->fd = -1;
	return -1;
}

/* The compressor failed, or took nothing for too long: what it had is
 * lost (said). */
static void
zip_fail(struct collector *c, struct stream *st, bool stalled)
{
	if (stalled) {
		compress_kill(st->zpid);
		close(st->zin);
		st->zin = -1;
		st->zpid = 0;
		c->nzip--;
		error("'%s' took nothing for %d s: it is stopped and a job's "
		      "output is lost",
		    c->zip, (int)(COMPRESS_STALL_NS / 1000000000));
	} else if (zip_end(c, st) == 0) {
		error("'%s' did not read all of a job's output: it is lost",
		    c->zip);
	}
	st->lost = st->zlost = true;
}

/*
 * Whether the spool disk has room for n more bytes (a pipe's worth at
 * most: what goes in at once) and ZIP_ROOM for each running compressor.
 */
static bool
zip_room(const struct collector *c, const struct stream *st, size_t n)
{
	unsigned long long keep = (unsigned long long)ZIP_ROOM * c->nzip;
	struct statvfs sv;

	/* Cannot tell (some FUSE and network file systems): the
	 * compressor will. */
	if (fstatvfs(st->fd, &sv) < 0 || sv.f_blocks == 0)
		return true;
	if (keep > ZIP_ROOM_MAX)
		keep = ZIP_ROOM_MAX;
	if (n > ZIP_STASH_MAX)
		n = ZIP_STASH_MAX;
	return (unsigned long long)sv.f_bavail * sv.f_frsize >= n + keep;
}

/*
 * Give the compressor as much of p as its pipe takes now (all of it,
 * waiting for room, when wait): how much it took. One that took nothing
 * for COMPRESS_STALL_NS, or failed, loses what it had (said), and what
 * it was to get counts as taken.
 */
static size_t
zip_give(
    struct collector *c, struct stream *st, const char *p, size_t n, bool wait)
{
	size_t done = 0;
	int64_t now;
	ssize_t w;

	while (done < n && !st->lost) {
		w = write(st->zin, p + done, n - done);
		now = util_now();
		if (w > 0) {
			done += (size_t)w;
			st->flen += w;
			st->zsince = now;
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN && *c->o.stop) {
			st->lost = true; /* stopping: nothing more is printed */
			break;
		}
		if (w < 0 && errno == EAGAIN) {
			if (now - st->ztried > ZIP_GAP_NS)
				st->zsince = now;
			st->ztried = now;
			if (now - st->zsince <= COMPRESS_STALL_NS && !wait)
				return done;
			if (now - st->zsince <= COMPRESS_STALL_NS) {
				compress_pause(
				    st->zin, POLLOUT, st->zsince, c->o.stop);
				continue;
			}
		}
		zip_fail(c, st, w < 0 && errno == EAGAIN);
	}
	st->flen += (off_t)(n - done); /* lost: counted, never read back */
	return n;
}

/*
 * Give bytes to the compressor, as many as its pipe takes now: 0, or
 * OUTPUT_ZIP_BUSY with the rest in the stash, to be given by
 * output_resume() once the pipe has room (fanout does not wait for a
 * compressor); -1 with all in the stash when the disk is full.
 */
static int
zip_write(struct collector *c, struct stream *st, const char *p, size_t n)
{
	size_t done;

	if (!st->lost && !zip_room(c, st, n)) {
		buf_add(&st->stash, p, n);
		st->zbusy = false;
		return -1; /* a full disk */
	}
	if ((done = zip_give(c, st, p, n, false)) == n)
		return 0;
	buf_add(&st->stash, p + done, n - done);
	st->zbusy = true;
	return OUTPUT_ZIP_BUSY;
}

/* Give the stash to the compressor, as zip_write() (all of it, waiting
 * for room, when wait). */
static int
zip_flush(struct collector *c, struct stream *st, bool wait)
{
	if (!st->lost && !zip_room(c, st, st->stash.len)) {
		st->zbusy = false;
		return -1;
	}
	buf_consume(
	    &st->stash, zip_give(c, st, st->stash.data, st->stash.len, wait));
	st->zbusy = st->stash.len > 0;
	return st->zbusy ? OUTPUT_ZIP_BUSY : 0;
}

/* Store bytes behind what the stream already holds. */
static int
stream_store(struct collector *c, struct stream *st, const char *p, size_t n)
{
	ssize_t w;

	if (st->stash.len) {
		buf_add(&st->stash, p, n);
		/* A job not paused (remote): wait for the compressor
		 * rather than hold more. */
		if (st->zbusy && st->stash.len > ZIP_STASH_MAX)
			return zip_flush(c, st, true);
		return st->zbusy ? OUTPUT_ZIP_BUSY : -1;
	}
	if (st->foff == st->flen &&
	    st->mem.len - st->mpos + n <= STREAM_MEM_MAX &&
	    c->mem_total + n <= TOTAL_MEM_MAX) {
		buf_add(&st->mem, p, n);
		c->mem_total += n;
		return 0;
	}
	if (st->fd < 0 && spool_start(c, st) < 0)
		goto full;
	if (c->zip)
		return zip_write(c, st, p, n);
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
	st->zbusy = false;
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
	/* A --results file that cannot be written: the output still goes
	 * out (the sink has said why). */
	if (c->tee)
		c->tee->ops->write(c->tee, o->job[1], stream, p, n);
	if (o->live) {
		/* Write errors are the collector's to report, not the job's. */
		stream_drain(c, o, stream - 1);
		emit(c, o, stream - 1, p, n);
		return 0;
	}
	if (c->o.mode == OUTPUT_LINE && (nl = memrchr(p, '\n', n))) {
		/* Out go the held partial line and the whole lines here. */
		len = (size_t)(nl - p) + 1;
		stream_drain(c, o, stream - 1);
		emit(c, o, stream - 1, p, len);
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

	if (c->o.mode != OUTPUT_GROUP || st->stash.len || c->out->broken ||
	    c->out->failed ||
	    !c->out->ops->zero_copy(c->out, o->job[0], stream) ||
	    (c->tee && !c->tee->ops->zero_copy(c->tee, o->job[1], stream)))
		return OUTPUT_NO_SPLICE;
	if (o->live) {
		/* Straight to the sink, when nothing is pending before. */
		if (st->mem.len > st->mpos || st->fd >= 0)
			return OUTPUT_NO_SPLICE;
		n = c->out->ops->splice(c->out, o->job[0], stream, fd);
		if (n > 0)
			o->bytes[i] += (size_t)n;
		return n;
	}
	/* Only once the stream spools: small outputs stay in memory. */
	if (st->foff == st->flen && st->mem.len - st->mpos < STREAM_MEM_MAX &&
	    c->mem_total < TOTAL_MEM_MAX)
		return OUTPUT_NO_SPLICE;
	if (st->fd < 0 && spool_start(c, st) < 0)
		return OUTPUT_NO_SPLICE;
	if (c->zip && (st->lost || !zip_room(c, st, SPLICE_CHUNK)))
		return OUTPUT_NO_SPLICE;
	if (c->zip)
		n = splice(fd, NULL, st->zin, NULL, SPLICE_CHUNK,
		    SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
	else
		n = splice(
		    fd, NULL, st->fd, &st->flen, SPLICE_CHUNK, SPLICE_F_MOVE);
	/* A full disk, a compressor gone too: read() and output_append()
	 * say so. */
	if (n < 0)
		return OUTPUT_NO_SPLICE;
	if (c->zip) {
		st->flen += n;
		st->zsince = util_now();
	}
	o->bytes[i] += (size_t)n;
	return n;
}

int
output_resume(struct collector *c, struct output *o)
{
	struct buf stash;
	int i, got, rc = 0;

	for (i = 0; i < 2; i++) {
		struct stream *st = &o->s[i];

		if (!st->stash.len)
			continue;
		if (st->zbusy && !o->live) {
			/* Given from where it is: no copy of what waits. */
			if ((got = zip_flush(c, st, false)) < 0)
				rc = -1;
			else if (got && rc == 0)
				rc = got;
			continue;
		}
		stash = st->stash;
		buf_init(&st->stash);
		if (o->live) {
			stream_drain(c, o, i);
			emit(c, o, i, stash.data, stash.len);
		} else if ((got = stream_store(c, st, stash.data, stash.len)) <
		    0) {
			rc = -1;
		} else if (got && rc == 0) {
			rc = got;
		}
		buf_release(&stash);
	}
	return rc;
}

size_t
output_zip_polls(const struct output *o, struct pollfd *pfd)
{
	size_t i, n = 0;

	for (i = 0; i < 2; i++) {
		if (!o->s[i].stash.len || !o->s[i].zbusy || o->s[i].zin < 0)
			continue;
		pfd[n].fd = o->s[i].zin;
		pfd[n].events = POLLOUT;
		pfd[n++].revents = 0;
	}
	return n;
}

void
output_discard(struct collector *c, struct output *o)
{
	int i;

	for (i = 0; i < 2; i++) {
		struct stream *st = &o->s[i];

		/* Thrown away: its compressor's fate does not matter. */
		if (st->zpid) {
			close(st->zin);
			st->zin = -1;
			compress_kill(st->zpid);
			st->zpid = 0;
			c->nzip--;
		}
		st->zlost = false;
		stream_release(c, st);
		o->bytes[i] = 0;
	}
	c->out->ops->job_discard(c->out, o->job[0]);
	if (c->tee)
		c->tee->ops->job_discard(c->tee, o->job[1]);
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
	/* No compressor outlives its job: a held output holds none. */
	zip_end(c, &o->s[0]);
	zip_end(c, &o->s[1]);
	if (c->tee)
		sink_end(c, c->tee, o, 1);
	if (c->o.mode == OUTPUT_UNGROUP) {
		sink_end(c, c->out, o, 0);
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
output_spooled(const struct output *o)
{
	return o->s[0].fd >= 0 || o->s[1].fd >= 0;
}

bool
output_make_live(struct collector *c, struct output *o)
{
	if (o->live)
		return true;
	/* A sink that takes jobs whole (--json) cannot take them as they
	 * come; -k: the oldest job only. */
	if (c->live || (c->out->flags & SINK_WHOLE))
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
	c->out->ops->print(c->out, p, n);
}
