#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "executor.h"
#include "sig.h"
#include "util.h"
#include "xalloc.h"

volatile sig_atomic_t sig_stop;
volatile sig_atomic_t sig_hup;
static volatile sig_atomic_t sig_ints;
static volatile sig_atomic_t sig_usr1;
static volatile int64_t sig_paused_ns; /* after a ^Z, not yet taken */
static int sig_fds[2] = {-1, -1};
static sigset_t ignored; /* ignored when fanout started: left so */
static struct executor *volatile watched;

static void
wake_loop(int sig)
{
	unsigned char b = (unsigned char)sig;

	if (write(sig_fds[1], &b, 1) < 0) {
		/* The pipe is full: the loop is awake already. */
	}
}

static void
on_signal(int sig)
{
	int saved = errno;

	switch (sig) {
	case SIGHUP:
		sig_hup = 1;
		break;
	case SIGUSR1:
		sig_usr1 = 1;
		break;
	case SIGUSR2:
	case SIGALRM:
	case SIGXFSZ:
		/* Caught, not ignored: a job still gets them at default. */
		break;
	default:
		if (!sig_stop)
			sig_stop = sig;
		if (sig == SIGINT)
			sig_ints++;
	}
	wake_loop(sig);
	errno = saved;
}

static void
signal_jobs(int sig)
{
	struct executor *ex = watched;

	if (ex && ex->ops->signal_all)
		ex->ops->signal_all(ex, sig);
}

/*
 * ^Z (and SIGTTIN, SIGTTOU): stop every job (each runs in a process
 * group of its own, which the terminal does not reach), then fanout
 * itself, by the same signal; when fanout goes on
 * (fg, bg), so do they. In the handler, not the loop: the loop may be
 * blocked writing to a reader that ^Z stopped too. In a process group
 * the kernel calls orphaned, fanout is not stopped (as the default
 * action would not be) and the jobs go on at once.
 */
static void
on_tstp(int sig)
{
	int saved = errno;
	struct sigaction dfl, mine;
	sigset_t set;
	int64_t t0;

	signal_jobs(sig);
	memset(&dfl, 0, sizeof dfl);
	dfl.sa_handler = SIG_DFL;
	sigaction(sig, &dfl, &mine);
	t0 = util_now();
	kill(getpid(), sig);
	sigemptyset(&set);
	sigaddset(&set, sig);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL); /* stopped here */
	sigaction(sig, &mine, NULL);
	sig_paused_ns += util_now() - t0;
	signal_jobs(SIGCONT);
	wake_loop(sig);
	errno = saved;
}

/*
 * Signals whose default would end fanout and leave its jobs running: all
 * are caught. SIGHUP and SIGUSR1 have work of their own (on_signal());
 * SIGUSR2, SIGALRM and SIGXFSZ are let pass; the others stop the run as
 * SIGTERM does. (SIGPIPE is ignored: a write error says as much.)
 */
static const int caught[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2,
    SIGALRM, SIGXFSZ, SIGXCPU, SIGVTALRM, SIGPROF, SIGIO, SIGPWR, SIGSTKFLT};

/*
 * Give sig the action sa, unless it was ignored when fanout started
 * (nohup): that one stays ignored, for fanout and its jobs.
 */
static void
catch_signal(int sig, const struct sigaction *sa)
{
	struct sigaction old;

	if (sigaction(sig, NULL, &old) == 0 && old.sa_handler == SIG_IGN) {
		sigaddset(&ignored, sig);
		return;
	}
	sigaction(sig, sa, NULL);
}

/* Every signal fanout handles, with action sa, and its own for ^Z. */
static void
set_actions(struct sigaction *sa)
{
	size_t i;
	int sig;

	for (i = 0; i < sizeof caught / sizeof *caught; i++)
		catch_signal(caught[i], sa);
	for (sig = SIGRTMIN; sig <= SIGRTMAX; sig++)
		catch_signal(sig, sa);
	/* The terminal's stop signals, ^Z and a background read or write. */
	sa->sa_handler = on_tstp;
	catch_signal(SIGTSTP, sa);
	catch_signal(SIGTTIN, sa);
	catch_signal(SIGTTOU, sa);
}

void
sig_init(void)
{
	struct sigaction sa;

	sig_stop = sig_hup = sig_ints = sig_usr1 = 0;
	sig_paused_ns = 0;
	/*
	 * Once a process (a unit test runs several plans): a second time
	 * would take fanout's own SIGPIPE for one it was started with.
	 */
	if (sig_fds[0] >= 0)
		return;
	if (pipe2(sig_fds, O_CLOEXEC | O_NONBLOCK) < 0)
		fatal("cannot create a pipe");
	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sigemptyset(&ignored);
	/* No SA_RESTART: a write blocked on a stuck reader gives up. */
	sa.sa_handler = on_signal;
	set_actions(&sa);
	sa.sa_handler = SIG_IGN;
	catch_signal(SIGPIPE, &sa);
	/*
	 * Started with SIGCHLD ignored, fanout would see no job end: the
	 * kernel would reap them itself. Its jobs get it at its default
	 * whatever fanout started with (proc.c).
	 */
	sa.sa_handler = SIG_DFL;
	catch_signal(SIGCHLD, &sa); /* to know whether it was ignored */
	sigaction(SIGCHLD, &sa, NULL);
}

int
sig_fd(void)
{
	return sig_fds[0];
}

const sigset_t *
sig_ignored(void)
{
	return &ignored;
}

void
sig_watch(struct executor *ex)
{
	watched = ex;
}

void
sig_take(struct sig_events *e)
{
	unsigned char b[64];
	sigset_t tstp, old;

	while (read(sig_fds[0], b, sizeof b) > 0)
		;
	sigemptyset(&tstp);
	sigaddset(&tstp, SIGTSTP);
	sigaddset(&tstp, SIGTTIN);
	sigaddset(&tstp, SIGTTOU);
	pthread_sigmask(SIG_BLOCK, &tstp, &old);
	e->paused_ns = sig_paused_ns;
	sig_paused_ns = 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	e->stop = sig_stop;
	e->ints = sig_ints;
	e->hup = sig_hup;
	e->usr1 = sig_usr1;
	sig_usr1 = 0;
}
