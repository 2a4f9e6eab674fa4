#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "executor.h"
#include "proc.h"
#include "spawn.h"
#include "util.h"
#include "xalloc.h"

#define READ_CHUNK (128 * 1024)
/* Rounds of reading what a command left in its pipes as it is reaped. */
#define DRAIN_ROUNDS 64

/* What a poll descriptor of a job is. */
enum { PFD_OUT = 1, PFD_ERR = 2, PFD_IN, PFD_PID };

/* A job as this executor knows it. */
struct sproc {
	struct job *job;
	struct proc p; /* p.out, p.err, p.in: -1 once closed */
	int pidfd; /* readable when the command ended; -1 once reaped */
	size_t idx; /* in the table */
	const char *input; /* for its stdin, from input_off on */
	size_t input_len, input_off;
	const struct exec_range *ranges; /* then these, from range_done on */
	size_t nranges, range; /* the one being given */
	int64_t range_done;
	const char *fifo; /* the input goes there, once the job opens it */
	bool fifo_wait; /* it has not yet */
	bool more; /* more input may follow (--round-robin) */
	bool hungry; /* all given: it waits for more() */
	int exitval; /* it could not start: its exit value */
	char *why; /* and why; NULL: it started */
	bool announced; /* started (or failed) was delivered */
	bool exited; /* exited was delivered */
	bool closed; /* closed was delivered */
	bool paused; /* a full disk: its pipes are not read */
	bool abandoned; /* closed is due */
	bool dead; /* over: freed after this dispatch */
	unsigned long long out_bytes; /* read from its stdout so far */
	bool wide; /* its stdout pipe was widened (widen_out()) */
	struct sproc *next_dead;
};

struct spawner {
	struct executor ex; /* first: a spawner is an executor */
	struct proc_starter *ps;
	struct sproc **table; /* running jobs; NULL: a free entry */
	volatile pid_t *groups; /* their process groups, for signal_all */
	size_t cap, used;
	/*
	 * Events due without a descriptor, which need a wake-up now: a
	 * failed start, closed after abandon() (one each).
	 */
	size_t due;
	/*
	 * Jobs started, not yet announced: started goes at the head of the
	 * next dispatch, whenever that comes (their descriptors are polled
	 * already). No extra round of poll() for each job.
	 */
	size_t fresh;
	/* What each descriptor prepare() gave is, for dispatch(). */
	struct sproc **owner;
	unsigned char *kind;
	size_t owner_cap;
	struct sproc *dead;
	struct sproc *spare; /* freed ones, for the next jobs: no malloc each */
	char *chunk;
	size_t fifo_waiting; /* jobs whose FIFO is not open yet */
	size_t wide; /* jobs whose stdout pipe is widened */
	/*
	 * No pidfd_open() here (a kernel before 5.3, a seccomp filter,
	 * valgrind): each of its own children is asked with waitpid() at
	 * every wake-up, which comes at least every NO_PIDFD_MS.
	 */
	bool no_pidfd;
};

#define NO_PIDFD_MS 5
/* A stdout pipe widened to WIDE_SIZE after WIDE_AFTER bytes, for at most
 * WIDE_MAX jobs at once (16M of the default 64M allowance). */
#define WIDE_AFTER (4 * 1024 * 1024)
#define WIDE_SIZE (1024 * 1024)
#define WIDE_MAX 16
/* How often a job's FIFO (--fifo) is tried until the job opens it. */
#define FIFO_WAIT_MS 5

static const struct executor_ops spawn_ops;

struct executor *
spawn_executor_new(const sigset_t *ignored)
{
	struct spawner *s = xcalloc(1, sizeof *s);

	s->ps = proc_starter_new(ignored);
	s->chunk = xmalloc(READ_CHUNK);
	s->ex.ops = &spawn_ops;
	s->ex.host = ":";
	/*
	 * Two pipes and a pidfd; a job given input (--pipe) holds a fourth,
	 * which slots_init() counts.
	 */
	s->ex.fds_per_job = 3;
	s->ex.polls_per_job = 4;
	return &s->ex;
}

static void
free_dead(struct spawner *s)
{
	struct sproc *sp;

	while ((sp = s->dead)) {
		s->dead = sp->next_dead;
		free(sp->why);
		sp->next_dead = s->spare;
		s->spare = sp;
	}
}

/* A zeroed sproc, a spare one if there is one. */
static struct sproc *
sproc_new(struct spawner *s)
{
	struct sproc *sp = s->spare;

	if (!sp)
		return xcalloc(1, sizeof *sp);
	s->spare = sp->next_dead;
	memset(sp, 0, sizeof *sp);
	return sp;
}

static void
close_fd(int *fd)
{
	if (*fd >= 0) {
		close(*fd);
		*fd = -1;
	}
}

/* The job's FIFO will not be opened now. */
static void
fifo_done(struct spawner *s, struct sproc *sp)
{
	if (sp->fifo_wait) {
		sp->fifo_wait = false;
		s->fifo_waiting--;
	}
}

/* The job is over: forget it (its memory goes after this dispatch). */
static void
release(struct spawner *s, struct sproc *sp)
{
	fifo_done(s, sp);
	s->wide -= sp->wide;
	close_fd(&sp->p.out);
	close_fd(&sp->p.err);
	close_fd(&sp->p.in);
	close_fd(&sp->pidfd);
	s->table[sp->idx] = NULL;
	s->groups[sp->idx] = 0;
	s->used--;
	if (!sp->announced)
		*(sp->why ? &s->due : &s->fresh) -= 1;
	s->due -= sp->abandoned;
	sp->dead = true;
	sp->next_dead = s->dead;
	s->dead = sp;
}

static void
spawn_free(struct executor *ex)
{
	struct spawner *s = (struct spawner *)ex;
	size_t i;

	for (i = 0; i < s->cap; i++)
		if (s->table[i])
			release(s, s->table[i]);
	free_dead(s);
	while (s->spare) {
		struct sproc *sp = s->spare;

		s->spare = sp->next_dead;
		free(sp);
	}
	proc_starter_free(s->ps);
	free(s->table);
	free((void *)s->groups);
	free(s->owner);
	free(s->kind);
	free(s->chunk);
	free(s);
}

/* A free table entry; called with every signal blocked (signal_all). */
static size_t
table_slot(struct spawner *s)
{
	size_t i, cap;

	if (s->used == s->cap) {
		cap = s->cap ? 2 * s->cap : 16;
		s->table = xreallocarray(s->table, cap, sizeof *s->table);
		s->groups =
		    xreallocarray((void *)s->groups, cap, sizeof *s->groups);
		for (i = s->cap; i < cap; i++) {
			s->table[i] = NULL;
			s->groups[i] = 0;
		}
		s->cap = cap;
	}
	for (i = 0; i < s->cap; i++)
		if (!s->table[i])
			return i;
	BUG("no free entry in a table with room");
}

static int
pidfd_of(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

/* Why a job could not start, and its exit value, as a shell has them. */
static void
fail_why(struct sproc *sp, const struct exec_cmd *cmd, int err)
{
	const char *what = cmd->argv ? cmd->argv[0] : cmd->shell;

	if (sp->p.in_cwd) {
		sp->exitval = 1;
		sp->why = xasprintf("cannot change to directory '%s': %s",
		    cmd->cwd, strerror(err));
	} else if (err == ENOENT) {
		sp->exitval = 127;
		sp->why = xasprintf("%s: command not found", what);
	} else {
		sp->exitval = 126;
		sp->why = xasprintf("%s: %s", what, strerror(err));
	}
}

static int
spawn_start(struct executor *ex, struct job *job, const struct exec_cmd *cmd,
    void **state)
{
	struct spawner *s = (struct spawner *)ex;
	struct sproc *sp = sproc_new(s);
	sigset_t all, old;
	int rc, saved;

	sp->job = job;
	sp->pidfd = -1;
	/*
	 * Every signal blocked, as proc_start() needs for its vfork child,
	 * and till the job's group is in the table: a ^Z from now on must
	 * find it (signal_all()).
	 */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = proc_start(s->ps, cmd, &sp->p);
	if (rc == 0 && !s->no_pidfd && (sp->pidfd = pidfd_of(sp->p.pid)) < 0 &&
	    errno != EMFILE && errno != ENFILE && errno != ENOMEM)
		s->no_pidfd = true;
	if (rc == 0 && !s->no_pidfd && sp->pidfd < 0) {
		/* Out of descriptors: the job goes back to the queue. */
		saved = errno;
		kill(-sp->p.pid, SIGKILL);
		while (waitpid(sp->p.pid, NULL, 0) < 0 && errno == EINTR)
			;
		close_fd(&sp->p.out);
		close_fd(&sp->p.err);
		close_fd(&sp->p.in);
		errno = saved;
		rc = -1;
	}
	if (rc < 0) {
		saved = errno;
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		free(sp);
		errno = saved;
		return -1;
	}
	sp->idx = table_slot(s);
	s->table[sp->idx] = sp;
	s->groups[sp->idx] = rc == 0 ? sp->p.pid : 0;
	s->used++;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc > 0) {
		/* The command cannot run: failed, at the next dispatch. */
		fail_why(sp, cmd, rc);
		sp->p.pid = -1;
	} else if (cmd->input || cmd->input_nranges) {
		sp->input = cmd->input;
		sp->input_len = cmd->input ? cmd->input_len : 0;
		sp->ranges = cmd->input_ranges;
		sp->nranges = cmd->input_nranges;
		sp->fifo = cmd->input_fifo;
		sp->fifo_wait = sp->fifo != NULL;
		sp->more = cmd->input_more;
		s->fifo_waiting += sp->fifo_wait;
	}
	*(sp->why ? &s->due : &s->fresh) += 1;
	*state = sp;
	return 0;
}

static int
spawn_signal(struct executor *ex, void *state, int sig)
{
	struct sproc *sp = state;

	(void)ex;
	if (sp->p.pid <= 0)
		return -1;
	/* Its group outlives a reaped command while a process is in it. */
	return kill(-sp->p.pid, sig);
}

static void
spawn_signal_all(struct executor *ex, int sig)
{
	struct spawner *s = (struct spawner *)ex;
	size_t i;

	for (i = 0; i < s->cap; i++)
		if (s->groups[i] > 0)
			kill(-s->groups[i], sig);
}

static void
spawn_pause(struct executor *ex, void *state, bool paused)
{
	(void)ex;
	((struct sproc *)state)->paused = paused;
}

static void
spawn_abandon(struct executor *ex, void *state)
{
	struct spawner *s = (struct spawner *)ex;
	struct sproc *sp = state;

	if (sp->closed || sp->abandoned)
		return;
	close_fd(&sp->p.out);
	close_fd(&sp->p.err);
	sp->abandoned = true;
	s->due++;
}

static size_t
add_poll(struct spawner *s, struct pollfd *pfd, size_t n, struct sproc *sp,
    int fd, int kind)
{
	pfd[n].fd = fd;
	pfd[n].events = kind == PFD_IN ? POLLOUT : POLLIN;
	pfd[n].revents = 0;
	s->owner[n] = sp;
	s->kind[n] = (unsigned char)kind;
	return n + 1;
}

static size_t
spawn_prepare(
    struct executor *ex, struct pollfd *pfd, size_t room, int *timeout)
{
	struct spawner *s = (struct spawner *)ex;
	size_t i, n = 0;

	if (room > s->owner_cap) {
		s->owner_cap = room;
		s->owner = xreallocarray(s->owner, room, sizeof *s->owner);
		s->kind = xreallocarray(s->kind, room, sizeof *s->kind);
	}
	if (s->due)
		*timeout = 0;
	else if (s->no_pidfd && s->used &&
	    (*timeout < 0 || *timeout > NO_PIDFD_MS))
		*timeout = NO_PIDFD_MS;
	if (s->fifo_waiting && (*timeout < 0 || *timeout > FIFO_WAIT_MS))
		*timeout = FIFO_WAIT_MS;
	for (i = 0; i < s->cap; i++) {
		struct sproc *sp = s->table[i];

		if (!sp || sp->why || n + 4 > room)
			continue;
		/* The pipes first: reaping may end the job. */
		if (!sp->paused && sp->p.out >= 0)
			n = add_poll(s, pfd, n, sp, sp->p.out, PFD_OUT);
		if (!sp->paused && sp->p.err >= 0)
			n = add_poll(s, pfd, n, sp, sp->p.err, PFD_ERR);
		if (sp->p.in >= 0 && !sp->hungry)
			n = add_poll(s, pfd, n, sp, sp->p.in, PFD_IN);
		if (sp->pidfd >= 0)
			n = add_poll(s, pfd, n, sp, sp->pidfd, PFD_PID);
	}
	return n;
}

/* Deliver closed once both pipes are done; false when the job is over. */
static bool
maybe_closed(struct spawner *s, struct sproc *sp)
{
	const struct exec_events *ev = s->ex.ev;
	struct job *job = sp->job;

	if (sp->closed || sp->p.out >= 0 || sp->p.err >= 0)
		return true;
	sp->closed = true;
	if (sp->abandoned) {
		sp->abandoned = false;
		s->due--;
	}
	if (!sp->exited) {
		ev->closed(ev->arg, job);
		return true;
	}
	release(s, sp);
	ev->closed(ev->arg, job);
	return false;
}

/*
 * A job that writes megabytes gets a stdout pipe of 1M instead of 64K:
 * a sixteenth of the wake-ups for it and for fanout. Only those: every
 * pipe of 1M counts against the user's allowance of pipe memory, past
 * which new pipes get one page.
 */
static void
widen_out(struct spawner *s, struct sproc *sp, size_t n)
{
	unsigned long long before = sp->out_bytes;

	sp->out_bytes += n;
	if (before < WIDE_AFTER && sp->out_bytes >= WIDE_AFTER &&
	    s->wide < WIDE_MAX &&
	    fcntl(sp->p.out, F_SETPIPE_SZ, WIDE_SIZE) > 0) {
		sp->wide = true;
		s->wide++;
	}
}

/* Read from one pipe once. False when that ended the job. */
static bool
read_pipe(struct spawner *s, struct sproc *sp, int stream)
{
	const struct exec_events *ev = s->ex.ev;
	int *fd = stream == 1 ? &sp->p.out : &sp->p.err;
	long n;

	n = ev->splice(ev->arg, sp->job, stream, *fd);
	if (n > 0 && stream == 1)
		widen_out(s, sp, (size_t)n);
	if (n == EXEC_OUTPUT_HELD) {
		sp->paused = true;
		return true;
	}
	if (n > 0 || (n < 0 && n != EXEC_NO_SPLICE))
		return true; /* an error: the collector knows; try again */
	if (n != 0) {
		n = read(*fd, s->chunk, READ_CHUNK);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			return true;
	}
	if (n <= 0) {
		close_fd(fd);
		return maybe_closed(s, sp);
	}
	if (stream == 1)
		widen_out(s, sp, (size_t)n);
	if (ev->output(ev->arg, sp->job, stream, s->chunk, (size_t)n) ==
	    EXEC_OUTPUT_HELD)
		sp->paused = true;
	return true;
}

/*
 * Read what an ended command left in its pipes, without waiting: most
 * often both are at end of file already. False when the job is over.
 */
static bool
drain(struct spawner *s, struct sproc *sp)
{
	struct pollfd p[2];
	int k, n, round;

	for (round = 0; round < DRAIN_ROUNDS && !sp->paused; round++) {
		n = 0;
		if (sp->p.out >= 0) {
			p[n].fd = sp->p.out;
			p[n++].events = POLLIN;
		}
		if (sp->p.err >= 0) {
			p[n].fd = sp->p.err;
			p[n++].events = POLLIN;
		}
		if (n == 0 || poll(p, (nfds_t)n, 0) <= 0)
			return true;
		for (k = 0; k < n; k++)
			if (p[k].revents &&
			    !read_pipe(s, sp, p[k].fd == sp->p.out ? 1 : 2))
				return false;
	}
	return true;
}

/* The command may have ended: reap it (it alone) and say so. */
static void
reap(struct spawner *s, struct sproc *sp)
{
	const struct exec_events *ev = s->ex.ev;
	struct job *job = sp->job;
	int st, exitval, sig;
	pid_t pid;

	do
		pid = waitpid(sp->p.pid, &st, WNOHANG);
	while (pid < 0 && errno == EINTR);
	if (pid == 0)
		return;
	if (pid < 0)
		BUG("a job's process is not fanout's child");
	close_fd(&sp->pidfd);
	close_fd(&sp->p.in); /* what it did not read is moot */
	fifo_done(s, sp);
	exitval = WIFEXITED(st) ? WEXITSTATUS(st) : 0;
	sig = WIFSIGNALED(st) ? WTERMSIG(st) : 0;
	drain(s, sp); /* not over: it has not exited yet */
	sp->exited = true;
	if (sp->closed)
		release(s, sp);
	ev->exited(ev->arg, job, exitval, sig);
}

/* No pidfds: ask each running child of ours whether it ended. */
static void
reap_all(struct spawner *s)
{
	size_t i;

	for (i = 0; i < s->cap; i++) {
		struct sproc *sp = s->table[i];

		if (sp && sp->announced && !sp->exited && sp->p.pid > 0 &&
		    !sp->dead)
			reap(s, sp);
	}
}

/*
 * Move the next bytes of the job's file range (--pipe-part) to its stdin:
 * splice() where it can (the bytes never come to fanout), else through
 * fanout's memory. As write() does: bytes moved, or -1 with errno.
 */
static ssize_t
feed_range(struct spawner *s, struct sproc *sp)
{
	const struct exec_range *r = &sp->ranges[sp->range];
	int64_t left = r->len - sp->range_done;
	loff_t off = r->off + sp->range_done;
	size_t want = left < READ_CHUNK * 8 ? (size_t)left : READ_CHUNK * 8;
	ssize_t n;

	n = splice(r->fd, &off, sp->p.in, NULL, want,
	    SPLICE_F_NONBLOCK | SPLICE_F_MOVE);
	if (n < 0 && errno == EINVAL) {
		if (want > READ_CHUNK)
			want = READ_CHUNK;
		n = pread(r->fd, s->chunk, want, off);
		if (n > 0)
			n = write(sp->p.in, s->chunk, (size_t)n);
	}
	if (n > 0 && (sp->range_done += n) == r->len) {
		sp->range++;
		sp->range_done = 0;
	}
	return n;
}

/* Whether all of the job's input was given. */
static bool
fed(const struct sproc *sp)
{
	return sp->input_off == sp->input_len && sp->range == sp->nranges;
}

/* Give the job's stdin (or FIFO) what it can take now. */
static void
feed(struct spawner *s, struct sproc *sp)
{
	ssize_t n = 0;

	while (!fed(sp)) {
		if (sp->input_off < sp->input_len) {
			n = write(sp->p.in, sp->input + sp->input_off,
			    sp->input_len - sp->input_off);
			if (n > 0)
				sp->input_off += (size_t)n;
		} else {
			n = feed_range(s, sp);
		}
		if (n <= 0)
			break;
	}
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n >= 0 && fed(sp) && sp->more) {
		/* --round-robin: more may come (more()). */
		sp->hungry = true;
		s->ex.ev->hungry(s->ex.ev->arg, sp->job);
		return;
	}
	/* All given, the job reads no more (EPIPE), or the file ended. */
	close_fd(&sp->p.in);
}

static void
spawn_more(struct executor *ex, void *state, const void *p, size_t n)
{
	struct sproc *sp = state;

	(void)ex;
	sp->hungry = false;
	if (!p) {
		close_fd(&sp->p.in);
		return;
	}
	sp->input = p;
	sp->input_len = n;
	sp->input_off = 0;
	sp->nranges = sp->range = 0;
}

/* --fifo: the FIFOs their jobs opened since, to write the input. */
static void
open_fifos(struct spawner *s)
{
	size_t i;
	int fd;

	for (i = 0; i < s->cap && s->fifo_waiting; i++) {
		struct sproc *sp = s->table[i];

		if (!sp || !sp->fifo_wait || !sp->announced || sp->dead)
			continue;
		fd = open(sp->fifo, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
		if (fd < 0 && (errno == ENXIO || errno == EINTR))
			continue; /* no reader yet */
		fifo_done(s, sp);
		sp->p.in = fd;
		if (fd >= 0)
			feed(s, sp);
	}
}

/* Events due without a descriptor: started, failed, closed. */
static void
announce(struct spawner *s)
{
	const struct exec_events *ev = s->ex.ev;
	size_t i;

	for (i = 0; i < s->cap && (s->due || s->fresh); i++) {
		struct sproc *sp = s->table[i];
		struct job *job;

		if (!sp)
			continue;
		job = sp->job;
		if (!sp->announced && sp->why) {
			release(s, sp);
			ev->failed(ev->arg, job, sp->exitval, sp->why);
			continue;
		}
		if (!sp->announced) {
			sp->announced = true;
			s->fresh--;
			ev->started(ev->arg, job);
			if (sp->dead)
				continue;
			if (sp->p.in >= 0)
				feed(s, sp);
		}
		/* -u: no pipes, nothing to read: closed at once. */
		if (sp->p.out < 0 && sp->p.err < 0 && !sp->closed)
			maybe_closed(s, sp);
	}
}

static void
spawn_dispatch(struct executor *ex, const struct pollfd *pfd, size_t n)
{
	struct spawner *s = (struct spawner *)ex;
	size_t i;

	/* First: started comes before anything else of a job. */
	if (s->due || s->fresh)
		announce(s);
	for (i = 0; i < n; i++) {
		struct sproc *sp = s->owner[i];

		if (!pfd[i].revents || sp->dead)
			continue;
		switch (s->kind[i]) {
		case PFD_OUT:
		case PFD_ERR:
			if (pfd[i].fd ==
				(s->kind[i] == PFD_OUT ? sp->p.out
						       : sp->p.err) &&
			    !sp->paused)
				read_pipe(s, sp, s->kind[i]);
			break;
		case PFD_IN:
			if (pfd[i].fd == sp->p.in)
				feed(s, sp);
			break;
		default:
			if (pfd[i].fd == sp->pidfd)
				reap(s, sp);
		}
	}
	if (s->no_pidfd)
		reap_all(s);
	if (s->fifo_waiting)
		open_fifos(s);
	if (s->due)
		announce(s);
	free_dead(s);
}

static const struct executor_ops spawn_ops = {
    .start = spawn_start,
    .signal = spawn_signal,
    .pause = spawn_pause,
    .abandon = spawn_abandon,
    .signal_all = spawn_signal_all,
    .prepare = spawn_prepare,
    .dispatch = spawn_dispatch,
    .free = spawn_free,
    .more = spawn_more,
};
