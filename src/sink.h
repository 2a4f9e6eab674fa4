/*
 * Sinks format and write job output; they know nothing of order. The
 * collector (collect.c) decides when a job's bytes may go out and hands
 * them to its sinks, chosen once per run: one that prints (raw streams,
 * or --json records) and, with --results, one that files each job's
 * output as it arrives.
 *
 * A sink is told, for each job: that its output begins (in the order
 * jobs are created), its bytes (stream 1 is stdout, 2 is stderr), that
 * it ended (with its record, when one was made), and that it is freed.
 * What a sink keeps for one job is its struct sink_job, opaque to the
 * collector and possibly NULL.
 */
#ifndef SINK_H
#define SINK_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct job_record;
struct joblog;
struct sink_job;

/* Answer of the zero-copy ops: the caller must copy with write(). */
#define SINK_NO_SPLICE (-2)

/* Pieces of a job's output: 0 to go on, anything else stops the reading. */
typedef int sink_bytes_cb(void *arg, const char *p, size_t n);
/*
 * Pass what the collector holds of a job's stream 1 or 2, in pieces, to
 * cb; returns cb's first non-zero return, or -1 when it cannot be read.
 */
typedef int sink_read_cb(
    void *src, int stream, sink_bytes_cb *cb, void *cb_arg);

struct sink;

struct sink_ops {
	/* The output of job seq begins; tag (may be NULL) starts its lines. */
	struct sink_job *(*job_begin)(
	    struct sink *, size_t seq, const char *tag, size_t taglen);
	/* n bytes of the job's stream: 0, or -1 when they did not go out. */
	int (*write)(struct sink *, struct sink_job *, int stream,
	    const char *p, size_t n);
	/*
	 * True when the stream's bytes need not pass through fanout for
	 * this sink: it takes them as they are (no tag to add), so that
	 * the collector may move them with splice() and the two ops below;
	 * or it takes no more of them (a --results file that failed).
	 */
	bool (*zero_copy)(struct sink *, struct sink_job *, int stream);
	/*
	 * Move what pipe fd holds straight into the sink (when zero_copy):
	 * the bytes moved, 0 at end of file, -1 with errno, or
	 * SINK_NO_SPLICE when the caller must read() and write.
	 */
	long (*splice)(struct sink *, struct sink_job *, int stream, int fd);
	/*
	 * Write bytes [*off, end) of file fd (when zero_copy), advancing
	 * *off: 0 when all went out, -1 when they cannot, SINK_NO_SPLICE
	 * when the caller must read and write what is left.
	 */
	int (*send_file)(struct sink *, struct sink_job *, int stream, int fd,
	    off_t *off, off_t end);
	/*
	 * The job ended and all its bytes were given (a sink with
	 * SINK_WHOLE is given none: it reads them through read). rec may
	 * be NULL when no record was made.
	 */
	void (*job_end)(struct sink *, struct sink_job *,
	    const struct job_record *rec, sink_read_cb *read, void *src);
	/* Forget what the job wrote: it runs again. */
	void (*job_discard)(struct sink *, struct sink_job *);
	void (*job_free)(struct sink *, struct sink_job *);
	/* Text of fanout's own for standard output (--dry-run, -v, ...). */
	void (*print)(struct sink *, const char *p, size_t n);
	void (*free)(struct sink *);
};

/* A job's output is given whole at its end, never as it comes. */
#define SINK_WHOLE 0x1

/* Every sink starts with this. */
struct sink {
	const struct sink_ops *ops;
	unsigned flags;
	bool broken; /* the reader of standard output went away */
	bool failed; /* writing failed, and that was reported */
};

/*
 * Called before n bytes (p, or NULL when not at hand) go out to stdout or
 * stderr where that is a terminal, so that a progress line can step aside.
 */
typedef void sink_tty_cb(void *arg, const char *p, size_t n);

struct sink_stdio_opts {
	volatile sig_atomic_t *stop; /* abandon blocked writes when set */
	sink_tty_cb *on_tty; /* may be NULL */
	void *on_tty_arg;
	/* --joblog -: each job's line follows its output (may be NULL) */
	struct joblog *joblog;
};

/* Raw streams to fanout's stdout and stderr, lines tagged. */
struct sink *sink_raw_new(const struct sink_stdio_opts *);
/* One JSON object per job on stdout (SINK_WHOLE). */
struct sink *sink_json_new(const struct sink_stdio_opts *);
void sink_free(struct sink *);

#endif
