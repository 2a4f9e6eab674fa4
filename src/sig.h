/*
 * Signal plumbing: the only global state of a run. SIGINT, SIGTERM,
 * SIGHUP, SIGUSR1 and the other signals whose default would end fanout
 * have a handler that notes them and wakes the loop through a self-pipe;
 * ^Z stops every job with fanout from its handler. The loop takes what
 * came with sig_take(). Only the main thread may have them unblocked.
 */
#ifndef SIG_H
#define SIG_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

struct executor;

/* Install the handlers; the signals ignored at start stay ignored. */
void sig_init(void);
/* Readable when a signal came. */
int sig_fd(void);
/* The signals fanout was started with ignored (nohup): its jobs too. */
const sigset_t *sig_ignored(void);
/* Executors whose jobs ^Z stops and fg lets go on; NULL: none. */
void sig_watch(struct executor *);

/* Set by the first signal that stops the run: that signal. */
extern volatile sig_atomic_t sig_stop;
/* SIGHUP came: start no more jobs. */
extern volatile sig_atomic_t sig_hup;

/* What came since the last call. */
struct sig_events {
	int stop; /* the signal that stops the run, or 0 */
	int ints; /* SIGINTs so far */
	bool hup;
	bool usr1; /* list the running jobs */
	int64_t paused_ns; /* fanout was stopped (^Z) this long */
};

void sig_take(struct sig_events *);

#endif
