/*
 * The joblog: GNU parallel's tab-separated format, one whole line per
 * finished job, written and flushed as it finishes; and reading one back
 * for --resume, --resume-failed and --retry-failed.
 */
#ifndef JOBLOG_H
#define JOBLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct job_record;
struct joblog;

/*
 * What an earlier run's joblog says. Its size follows the number of
 * lines, never the Seq values in them.
 */
struct joblog_past {
	size_t *done; /* seqs that have a line, ascending, each once */
	size_t ndone;
	size_t *ok; /* seqs that have a line with success, the same */
	size_t nok;
	/* --retry-failed: seqs that never succeeded, ascending, and the
	 * command of each one's last line */
	size_t *failed_seq;
	char **failed_cmd;
	size_t nfailed;
};

/*
 * Open FILE for writing, "+FILE" or append true to add to it. The header
 * is written when the file is new or empty. A last line that does not
 * end in a newline (cut short) is dropped first, with a warning, so that
 * the next line is not glued to it. Errors are fatal.
 */
struct joblog *joblog_open(const char *spec, bool append);
/*
 * Write one line for a finished job, whole or not at all (a short write
 * is cut off again). Returns 0, or -1 when it could not be written; the
 * first such error is reported.
 */
int joblog_write(struct joblog *, const struct job_record *);
void joblog_close(struct joblog *);
/*
 * "-" sends the lines to standard output, as GNU parallel does: the
 * caller prints joblog_header() first and each job's joblog_line() after
 * the job's own output, and joblog_write() is not used.
 */
bool joblog_to_stdout(const struct joblog *);
const char *joblog_header(size_t *len);
/* A finished job's line, valid until the next call. */
const char *joblog_line(
    struct joblog *, const struct job_record *, size_t *len);

/*
 * Read FILE ("+FILE" too); a missing file is an empty past. A line that
 * is not a joblog line is fatal ("FILE:LINE: ..."), but for a last line
 * without its newline: a record cut short, ignored with a warning.
 */
void joblog_read(const char *spec, struct joblog_past *);
/*
 * The same from fp, named name in messages: 0, or -1 after saying why
 * (*past is then empty).
 */
int joblog_parse(FILE *fp, const char *name, struct joblog_past *);
void joblog_past_release(struct joblog_past *);
bool joblog_past_done(const struct joblog_past *, size_t seq);
bool joblog_past_ok(const struct joblog_past *, size_t seq);

#endif
