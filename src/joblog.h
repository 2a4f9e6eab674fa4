/*
 * The joblog: GNU parallel's tab-separated format, one whole line per
 * finished job, written and flushed as it finishes; and reading one back
 * for --resume, --resume-failed and --retry-failed.
 */
#ifndef JOBLOG_H
#define JOBLOG_H

#include <stdbool.h>
#include <stddef.h>

struct job_record;
struct joblog;

/* What an earlier run's joblog says. */
struct joblog_past {
	unsigned char *done; /* bitmap by seq: a line exists */
	size_t done_bits;
	unsigned char *ok; /* bitmap by seq: a line with success */
	size_t ok_bits;
	/* --retry-failed: seqs that never succeeded, ascending, and the
	 * command of each one's last line */
	size_t *failed_seq;
	char **failed_cmd;
	size_t nfailed;
	size_t max_seq;
};

/*
 * Open FILE for writing, "+FILE" or append true to add to it. The header
 * is written when the file is new or empty. Errors are fatal.
 */
struct joblog *joblog_open(const char *spec, bool append);
/* Write one line for a finished job, whole, and flush it. */
void joblog_write(struct joblog *, const struct job_record *);
void joblog_close(struct joblog *);

/* Read FILE ("+FILE" too); a missing file is an empty past. */
void joblog_read(const char *spec, struct joblog_past *);
void joblog_past_release(struct joblog_past *);
bool joblog_past_done(const struct joblog_past *, size_t seq);
bool joblog_past_ok(const struct joblog_past *, size_t seq);

#endif
