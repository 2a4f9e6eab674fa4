/*
 * The collector owns every job's output until it may be printed, and
 * decides when that is: when the job ends (group), in input order with
 * the oldest job streaming live (-k), or a whole line at a time (--lb).
 * Output is held in memory up to a bound, then in unlinked temporary
 * files in $TMPDIR. When output may go out, the collector hands it to
 * its sinks (sink.h), which format and write it; a full disk pauses the
 * job (output_append() fails) until output_resume() works.
 */
#ifndef COLLECT_H
#define COLLECT_H

#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "options.h"
#include "sink.h"

struct collector;
struct output;

/*
 * The sinks are chosen here, once: raw streams or --json records to
 * print, and --results files filled as output arrives.
 */
struct collect_opts {
	enum output_mode mode;
	bool keep_order;
	bool live; /* -k: the oldest job may stream */
	bool json; /* one JSON object per job, not raw output */
	const char *results; /* --results DIR, or NULL */
	bool files; /* --files: stdout to kept files, their names printed */
	bool compress; /* spool files compressed by zip, read by unzip */
	const char *zip, *unzip; /* as given, or NULL (compress.h) */
	volatile sig_atomic_t *stop; /* abandon blocked writes when set */
	sink_tty_cb *on_tty; /* may be NULL */
	void *on_tty_arg;
	struct joblog *joblog; /* --joblog -: lines follow jobs, or NULL */
};

struct collector *collector_new(const struct collect_opts *);
void collector_free(struct collector *);

/*
 * A new job's output, in the order jobs are created. tag (may be NULL)
 * prefixes each line. The job and the collector share it until
 * output_finish(), after which the collector alone owns it.
 */
struct output *output_new(
    struct collector *, size_t seq, const char *tag, size_t taglen);

/*
 * Take n bytes the job wrote to stream 1 (stdout) or 2 (stderr).
 * Returns 0, or -1 when they could not be stored (a full disk), or
 * OUTPUT_ZIP_BUSY when a compressor's pipe (--compress) is full: they are
 * kept, and the caller stops reading the job until output_resume() works
 * (for a compressor, when a descriptor of output_zip_polls() is ready).
 */
#define OUTPUT_ZIP_BUSY 1
int output_append(
    struct collector *, struct output *, int stream, const void *p, size_t n);
/*
 * Move what pipe fd holds for stream 1 or 2 without copying it through
 * fanout, where that is possible: into stdout or stderr for a job that
 * prints as it goes, into the spool file for one that spools. Returns
 * the bytes moved, 0 at end of file, -1 with errno on error, or
 * OUTPUT_NO_SPLICE when the caller must read() and output_append().
 */
#define OUTPUT_NO_SPLICE SINK_NO_SPLICE
long output_splice(struct collector *, struct output *, int stream, int fd);
/*
 * Try again to store what a full disk or a busy compressor refused: 0
 * when all is stored, else as output_append().
 */
int output_resume(struct collector *, struct output *);
/*
 * The compressors' pipes the output waits for room in, as POLLOUT
 * entries in pfd (2 at most): how many.
 */
size_t output_zip_polls(const struct output *, struct pollfd *pfd);
/* Forget what a failed run printed, before it runs again. */
void output_discard(struct collector *, struct output *);
/* Bytes the job wrote to stream 1 or 2 so far. */
unsigned long long output_bytes(const struct output *, int stream);
/*
 * Give the output its job's record (taken over), before output_finish():
 * the sinks make of it the job's --json object, its line of --joblog -
 * (after its output, left out of its byte count and of --results) and
 * its --results cmd and exitval.
 */
struct job_record;
void output_set_record(struct output *, struct job_record *);

/* The job has ended: print its output when its turn comes. */
void output_finish(struct collector *, struct output *);
/* The job never ran (dry run, resume): drop it from the order. */
void output_cancel(struct collector *, struct output *);
/*
 * Let a job print as it goes, now, ahead of the jobs queued behind it
 * (when the disk is full and nothing else can make progress). False when
 * it may not: another job prints live, --json, or -k and it is not the
 * oldest.
 */
bool output_make_live(struct collector *, struct output *);
/* Whether some of the output is in a spool file: disk space it gives back
 * once printed. */
bool output_spooled(const struct output *);

/* Where output waiting its turn goes: $TMPDIR, or /tmp. */
const char *collector_spool_dir(void);

/* Write whatever may be written now. */
void collector_flush(struct collector *);
/* Write every held output, in order, ignoring whose turn it is. */
void collector_flush_all(struct collector *);
/* Write text straight to stdout (-v in ungrouped mode, --dry-run). */
void collector_print(struct collector *, const void *p, size_t n);

/* The reader of stdout went away. */
bool collector_broken(const struct collector *);
/* Writing stdout or stderr failed otherwise (already reported). */
bool collector_failed(const struct collector *);
/* Outputs held but not yet printed. */
size_t collector_held(const struct collector *);
/* Whether a compressor runs (--compress): jobs may wait on one. */
bool collector_zipping(const struct collector *);

#endif
