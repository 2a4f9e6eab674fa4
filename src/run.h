/*
 * The state of one run that the loop (sched.c) and the jobs' lifecycle
 * (job.c) share. Nothing else sees it.
 */
#ifndef RUN_H
#define RUN_H

#include <stdbool.h>
#include <stdint.h>

#include "buf.h"
#include "executor.h"
#include "slots.h"
#include "tally.h"

struct collector;
struct command;
struct executor;
struct joblog;
struct options;
struct plan;
struct progress;

struct run {
	const struct options *o;
	struct plan *plan;
	struct collector *coll;
	struct executor *ex; /* where jobs run */
	struct exec_events ev; /* its events go to the jobs (job.c) */
	struct command *cmd;
	struct joblog *joblog;
	struct progress *progress; /* NULL: none */
	struct slots slots;
	struct tally tally;
	int64_t now;
	int64_t next_start; /* --delay */
	double delay_factor; /* --delay Nauto: the delay's scale now */
	size_t next_place; /* the place (host) to try first */
	size_t pinned_places; /* --onall, --nonall: the hosts jobs pin to */
	struct buf dry; /* --dry-run output, written in blocks */
	bool stopping; /* a signal, a broken stdout: start nothing more */
	bool hup; /* SIGHUP: start nothing more, let the running jobs end */
	bool killed_all; /* a second SIGINT */
	bool out_null; /* fanout's stdout is /dev/null: jobs write there */
	bool joblog_failed; /* a line could not be written: 255 */
	bool warned_full; /* said that jobs wait for spool space */
	bool warned_memory; /* said that a job's output is held in memory */
	bool no_host; /* every host is gone: 255 */
	/* --hostgroups: every host's groups ({agrp} of a job without its
	 * own), made for this many places */
	char *all_groups;
	size_t all_groups_places;
	int stop_signal;
	size_t next_fed; /* --round-robin: the slot to look at first */
};

/*
 * Everything a run needs before its first job: slots, the collector and
 * its sinks, the joblog (read for --resume first), the progress line.
 */
void run_open(
    struct run *, struct plan *, const struct options *, struct executor *ex);
/* Print what is left and free everything: the exit status. */
int run_close(struct run *, bool input_error);

/* Nanoseconds as an int64_t, capped at about 73 years: never a wrap. */
int64_t run_ns(double seconds);
/* Job output or a notice is about to reach the terminal: the progress
 * line steps aside (for the collector's on_tty too: arg is the run). */
void run_aside(void *run, const char *p, size_t n);

#endif
