#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "collect.h"
#include "executor.h"
#include "joblog.h"
#include "options.h"
#include "plan.h"
#include "progress.h"
#include "record.h"
#include "results.h"
#include "sched.h"
#include "spawn.h"
#include "template.h"
#include "util.h"
#include "xalloc.h"

#define READ_CHUNK (128 * 1024)
#define PAUSE_RETRY_NS (100 * 1000000LL)
#define PAUSE_LIVE_NS (1000 * 1000000LL)
/* Descriptors a job may hold: two pipes, two spool files. */
#define FDS_PER_JOB 4
#define FDS_RESERVED 16
#define JOBS_UNLIMITED_MAX 4096
#define MEMFREE_RECHECK_NS (250 * 1000000LL)
/*
 * How long what a job's command left behind may keep its pipes open
 * after the command ended before it is stopped: a background child
 * that redirects its output elsewhere holds them until it has done so.
 */
#define HOLD_GRACE_NS (1000 * 1000000LL)
/* Longer commands go to the shell as a script (one argument of Linux
 * holds 128 KiB; all of them with the environment, about 2 MiB). */
#define COMMAND_ARG_MAX (100 * 1024)

extern char **environ;

struct job {
	size_t seq;
	struct task *task;
	struct args args;
	size_t slot; /* from 1; 0 while queued */
	unsigned runs;
	struct executor *ex; /* where it runs */
	pid_t pid; /* its id there; -1: nothing runs */
	int fd[2]; /* stdout, stderr; -1 when closed */
	bool reaped;
	int status; /* wait status */
	int exitval;
	int sig;
	int64_t start;
	double start_wall;
	int64_t term_at; /* next termseq step; 0: not stopping */
	int64_t hold_until; /* its pipes still held after it ended; 0: not */
	int64_t paused_ns; /* how long ^Z stopped it: not part of --timeout */
	size_t term_step;
	bool timed_out;
	bool cut_short; /* stopped by --halt now or a signal */
	bool paused; /* a full disk: not reading for now */
	bool no_retry; /* printed as it ran (a full disk): not run again */
	int64_t paused_since;
	struct output *out;
};

/*
 * Nanoseconds as an int64_t, a huge --delay or --timeout capped at about
 * 73 years: "very long", never a wrap, and room to add the clock to it.
 */
static int64_t
ns_capped(double ns)
{
	return ns < (double)(INT64_MAX / 4) ? (int64_t)ns : INT64_MAX / 4;
}

/* Runtimes of finished jobs, on a log scale, for --timeout N%. */
#define HIST_BUCKETS 2600
struct runtimes {
	unsigned count[HIST_BUCKETS];
	size_t n;
};

struct sched {
	const struct options *o;
	struct plan *plan;
	struct collector *coll;
	struct executor *local;

	size_t njobs; /* slots */
	size_t limit; /* jobs at once: njobs, or -j FILE's number */
	struct timespec jobs_mtime; /* of -j FILE, when last read */
	double delay_factor; /* --delay Nauto: the delay's scale now */
	struct job **slots;
	size_t nrunning;
	size_t max_held; /* running and unprinted, for descriptors */

	bool input_done;
	bool input_error;
	bool want_input;
	int64_t next_start; /* --delay */
	int64_t now;

	size_t nfailed, nsucceeded, ndone;
	size_t ntotal; /* known total of jobs, for N% halts */
	bool halting;
	bool halted;
	int halt_status;
	bool stopping; /* a signal: start nothing more */
	bool hup; /* SIGHUP: start nothing more, let the running jobs end */
	int stop_signal;
	bool killed_all;
	bool spawn_blocked;

	struct runtimes runtimes;
	int64_t median; /* of runtimes, for --timeout N%; 0: none */
	const char *shell; /* for commands that need one */
	char *bash; /* for exported bash functions; NULL: none */
	const char *job_shell; /* the shell of the job being started */
	struct buf cmd; /* scratch: a command's shell text */
	struct args argv; /* scratch: a direct command's words */
	char **argvp;
	size_t argvp_cap;
	char **envp;
	size_t env_fixed; /* envp entries shared by every job */
	char env_vars[5][48];
	struct buf dry; /* --dry-run output, written in blocks */
	char *chunk; /* READ_CHUNK bytes to read pipes into */

	struct joblog *joblog;
	struct progress *progress;
	bool mem_wait; /* --memfree holds starts back */
	bool warned_full; /* said that jobs wait for spool space */
	bool warned_mem; /* said that --memfree holds jobs back */
	bool out_null; /* fanout's stdout is /dev/null: jobs write there */
	bool joblog_failed; /* a line could not be written: 255 */
};

/*
 * Signal plumbing: the only global state. SIGINT, SIGTERM and SIGHUP have
 * a handler that writes to a self-pipe (and interrupts a blocked write);
 * SIGCHLD is blocked and read from a signalfd, which costs a job no
 * handler frame, write or sigreturn. SIGTSTP does its work in its
 * handler (on_tstp()), from the process group of each slot's job.
 */
static int sig_fds[2] = {-1, -1};
static int chld_fd = -1;
static volatile sig_atomic_t sig_stop;
static volatile sig_atomic_t sig_ints;
static volatile sig_atomic_t sig_hup;
static volatile sig_atomic_t sig_usr1;
static sigset_t sig_ignored; /* ignored when fanout started: left so */
static volatile pid_t *sig_groups; /* per slot; 0: none */
static size_t sig_ngroups;
static volatile sig_atomic_t sig_resumed; /* after a ^Z */
static volatile int64_t sig_paused_ns; /* how long, not yet counted */

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

/* Send sig to the process group of every job. */
static void
signal_groups(int sig)
{
	size_t i;

	for (i = 0; i < sig_ngroups; i++)
		if (sig_groups[i] > 0)
			kill(-sig_groups[i], sig);
}

/*
 * ^Z: stop every job's process group (each is a group of its own, which
 * the terminal does not reach), then fanout itself; when fanout goes on
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

	signal_groups(sig);
	memset(&dfl, 0, sizeof dfl);
	dfl.sa_handler = SIG_DFL;
	sigaction(sig, &dfl, &mine);
	t0 = util_now();
	kill(getpid(), sig);
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL); /* stopped here */
	sigaction(sig, &mine, NULL);
	sig_paused_ns += util_now() - t0;
	sig_resumed = 1;
	signal_groups(SIGCONT);
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
		sigaddset(&sig_ignored, sig);
		return;
	}
	sigaction(sig, sa, NULL);
}

static void
signals_init(void)
{
	struct sigaction sa;
	sigset_t chld;
	size_t i;
	int sig;

	if (pipe2(sig_fds, O_CLOEXEC | O_NONBLOCK) < 0)
		fatal("cannot create a pipe");
	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_signal;
	/* Jobs start with an empty signal mask (spawn.c). */
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, NULL);
	chld_fd = signalfd(-1, &chld, SFD_NONBLOCK | SFD_CLOEXEC);
	if (chld_fd < 0)
		fatal("cannot create a signalfd");
	/* No SA_RESTART: a write blocked on a stuck reader gives up. */
	sa.sa_flags = 0;
	sigemptyset(&sig_ignored);
	for (i = 0; i < sizeof caught / sizeof *caught; i++)
		catch_signal(caught[i], &sa);
	for (sig = SIGRTMIN; sig <= SIGRTMAX; sig++)
		catch_signal(sig, &sa);
	sa.sa_handler = on_tstp;
	catch_signal(SIGTSTP, &sa);
	sa.sa_handler = SIG_IGN;
	catch_signal(SIGPIPE, &sa);
	/*
	 * Started with SIGCHLD ignored, fanout would see no job end: the
	 * kernel would reap them itself and send nothing. Its jobs get it
	 * at its default whatever fanout started with (spawn.c).
	 */
	sa.sa_handler = SIG_DFL;
	catch_signal(SIGCHLD, &sa); /* to know whether it was ignored */
	sigaction(SIGCHLD, &sa, NULL);
}

static void
runtimes_add(struct runtimes *r, int64_t ns)
{
	double us = ns / 1000.0;
	long b = us <= 1 ? 0 : lround(log(us) / log(1.01));

	if (b >= HIST_BUCKETS)
		b = HIST_BUCKETS - 1;
	r->count[b]++;
	r->n++;
}

/* The median runtime in nanoseconds, or 0 before a job succeeded. */
static int64_t
runtimes_median(const struct runtimes *r)
{
	size_t seen = 0, b;

	if (r->n < 1)
		return 0;
	for (b = 0; b < HIST_BUCKETS; b++) {
		seen += r->count[b];
		if (seen * 2 >= r->n)
			break;
	}
	return (int64_t)(pow(1.01, (double)b) * 1000.0);
}

/*
 * -j FILE: read the number of jobs again when FILE changed (GNU parallel
 * does so as a job ends). Fewer than are running: start none till fewer
 * run. A file that no longer holds a number keeps the number before.
 */
static void
jobs_file_reread(struct sched *s)
{
	struct stat st;
	long n;

	if (!s->o->jobs_file || stat(s->o->jobs_file, &st) < 0 ||
	    (st.st_mtim.tv_sec == s->jobs_mtime.tv_sec &&
		st.st_mtim.tv_nsec == s->jobs_mtime.tv_nsec))
		return;
	s->jobs_mtime = st.st_mtim;
	if ((n = options_jobs_from_file(s->o->jobs_file)) < 0) {
		warnx("-j: '%s' holds no number of jobs now; still running %zu "
		      "at once",
		    s->o->jobs_file, s->limit);
		return;
	}
	s->limit = n == 0 || (size_t)n > s->njobs ? s->njobs : (size_t)n;
}

/* How many jobs at once, and how many descriptors allow. */
static void
choose_slots(struct sched *s)
{
	struct rlimit rl;
	/* -j FILE: slots for as many as -j 0, the file sets the limit. */
	long want = s->o->jobs_file
	    ? 0
	    : util_jobs_from_spec(
		  s->o->jobs_spec ? s->o->jobs_spec : "100%", util_ncpu());
	size_t budget, fit, per_job;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (rl.rlim_cur > 65536)
			rl.rlim_cur = 65536;
		setrlimit(RLIMIT_NOFILE, &rl);
		getrlimit(RLIMIT_NOFILE, &rl);
	}
	budget = rl.rlim_cur == RLIM_INFINITY ? 65536 : (size_t)rl.rlim_cur;
	/* --results: two files written as output comes, one more at the end. */
	per_job = FDS_PER_JOB + (s->o->results ? 3 : 0);
	fit = budget > FDS_RESERVED ? (budget - FDS_RESERVED) / per_job : 0;
	if (fit == 0)
		fatalx("too few file descriptors to run a job (ulimit -n is "
		       "%zu)",
		    budget);
	if (want == 0) {
		want =
		    (long)(fit < JOBS_UNLIMITED_MAX ? fit : JOBS_UNLIMITED_MAX);
	} else if ((size_t)want > fit) {
		warnx("only enough file descriptors for %zu jobs at once "
		      "(ulimit -n is %zu)",
		    fit, budget);
		want = (long)fit;
	}
	s->njobs = s->limit = (size_t)want;
	s->max_held = fit;
	s->slots = xcalloc(s->njobs, sizeof *s->slots);
	jobs_file_reread(s);
}

static bool
is_job_var(const char *e)
{
	static const char *const names[] = {"FANOUT_SEQ=", "FANOUT_SLOT=",
	    "FANOUT_HOST=", "PARALLEL_SEQ=", "PARALLEL_JOBSLOT="};
	size_t i;

	for (i = 0; i < 5; i++)
		if (strncmp(e, names[i], strlen(names[i])) == 0)
			return true;
	return false;
}

static void
env_init(struct sched *s)
{
	size_t n = 0, i;

	for (i = 0; environ[i]; i++)
		;
	s->envp = xcalloc(i + 6, sizeof *s->envp);
	for (i = 0; environ[i]; i++)
		if (!is_job_var(environ[i]))
			s->envp[n++] = environ[i];
	s->env_fixed = n;
	for (i = 0; i < 5; i++)
		s->envp[n + i] = s->env_vars[i];
	s->envp[n + 5] = NULL;
}

/* dst = name (with its '=') and v in decimal; dst holds 48 bytes. */
static void
env_number(char *dst, const char *name, size_t v)
{
	char digits[24], *p = digits + sizeof digits;
	size_t len = strlen(name);

	*--p = '\0';
	do
		*--p = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	memcpy(dst, name, len);
	memcpy(dst + len, p, (size_t)(digits + sizeof digits - p));
}

static void
env_set(struct sched *s, const struct job *j)
{
	/* By hand: snprintf was a third of fanout's own work per job. */
	env_number(s->env_vars[0], "FANOUT_SEQ=", j->seq);
	env_number(s->env_vars[1], "FANOUT_SLOT=", j->slot);
	snprintf(s->env_vars[2], sizeof s->env_vars[2], "FANOUT_HOST=%s",
	    j->ex->host);
	env_number(s->env_vars[3], "PARALLEL_SEQ=", j->seq);
	env_number(s->env_vars[4], "PARALLEL_JOBSLOT=", j->slot);
}

static void
job_free(struct job *j)
{
	args_release(&j->args);
	free(j);
}

/* The tag in front of each line: --tagstring, or the arguments. */
static void
make_tag(const struct job *j, struct buf *tag)
{
	size_t i;

	buf_reset(tag);
	if (j->task->tagstring) {
		template_render_text(
		    j->task->tagstring, &j->args, j->seq, j->slot, tag);
	} else {
		for (i = 0; i < j->args.n; i++) {
			if (i)
				buf_addch(tag, ' ');
			buf_add(tag, args_value(&j->args, i), j->args.len[i]);
		}
	}
	buf_addch(tag, '\t');
}

/*
 * The next job to run, a retry first, or NULL (and why in the sched's
 * flags).
 */
static struct job *
job_next(struct sched *s)
{
	struct job *j = xcalloc(1, sizeof *j);
	struct plan_job pj;
	int rc;

	while ((rc = plan_next(s->plan, &pj, &j->args)) == PLAN_ERROR)
		s->input_error = true;
	if (rc == PLAN_JOB) {
		j->task = pj.task;
		j->seq = pj.seq;
		j->pid = -1;
		j->fd[0] = j->fd[1] = -1;
		return j;
	}
	job_free(j);
	if (rc == PLAN_AGAIN)
		return pj.again;
	if (rc == PLAN_WAIT)
		s->want_input = true;
	else if (rc == PLAN_END)
		s->input_done = true;
	else if (s->nrunning == 0)
		BUG("the plan holds every job back");
	return NULL;
}

static size_t
free_slot(struct sched *s)
{
	size_t i;

	for (i = 0; i < s->njobs; i++)
		if (!s->slots[i])
			return i;
	BUG("no free slot");
}

/* The shell for commands that need one: --shell, $FANOUT_SHELL, /bin/sh. */
static const char *
shell_of(const struct options *o)
{
	const char *sh = o->shell ? o->shell : getenv("FANOUT_SHELL");

	return sh && *sh ? sh : "/bin/sh";
}

/* A shell that cannot run is one error before any job, not one per job. */
static int
shell_check(const struct options *o, const char *sh)
{
	const char *what = o->shell ? "--shell" : "FANOUT_SHELL";
	struct stat st;
	char *found;

	if (!strchr(sh, '/')) {
		if (!(found = util_path_search(sh)))
			return error("%s '%s': not found in PATH", what, sh);
		free(found);
		return 0;
	}
	if (stat(sh, &st) < 0 || access(sh, X_OK) < 0)
		return error("%s '%s': %s", what, sh, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return error("%s '%s': not a program", what, sh);
	return 0;
}

/*
 * The bash that runs exported bash functions (BASH_FUNC_name%% in the
 * environment): the shell when it is a bash, else the first bash in PATH.
 * NULL when there are no such functions or no bash; owned by the caller.
 */
static char *
bash_for_functions(const char *shell)
{
	const char *base;
	size_t i;

	for (i = 0; environ[i]; i++)
		if (strncmp(environ[i], "BASH_FUNC_", 10) == 0)
			break;
	if (!environ[i])
		return NULL;
	base = strrchr(shell, '/');
	if (strcmp(base ? base + 1 : shell, "bash") == 0)
		return xstrdup(shell);
	return util_path_search("bash");
}

/* Is the first word of shell text an exported bash function? */
static bool
runs_bash_function(const char *text)
{
	char *var;
	size_t start = strspn(text, " \t\n"), len;
	bool found;

	len = strcspn(text + start, " \t\n;&|<>()");
	if (len == 0)
		return false;
	var = xasprintf("BASH_FUNC_%.*s%%%%", (int)len, text + start);
	found = getenv(var) != NULL;
	free(var);
	return found;
}

/*
 * Build the command of a job: argv for direct commands, else shell text.
 * NULL when the command is too long for exec: then s->cmd holds it as
 * shell text, to run as a script (with s->job_shell).
 */
static char **
job_argv(struct sched *s, struct job *j)
{
	const struct template *t = j->task->command;
	size_t i, n;
	bool shell = template_needs_shell(t);

	s->job_shell = s->shell;
	if (!shell) {
		template_render_argv(t, &j->args, j->seq, j->slot, &s->argv);
		n = s->argv.n;
		if (s->argv.data.len > COMMAND_ARG_MAX ||
		    (s->bash && n &&
			runs_bash_function(args_value(&s->argv, 0))))
			shell = true;
	}
	if (shell) {
		buf_reset(&s->cmd);
		template_render_shell(t, &j->args, j->seq, j->slot, &s->cmd);
		if (s->bash && runs_bash_function(s->cmd.data))
			s->job_shell = s->bash;
		if (s->cmd.len > COMMAND_ARG_MAX)
			return NULL;
		n = 3;
	}
	if (n + 1 > s->argvp_cap) {
		s->argvp_cap = n + 1;
		s->argvp =
		    xreallocarray(s->argvp, s->argvp_cap, sizeof *s->argvp);
	}
	if (shell) {
		s->argvp[0] = (char *)s->job_shell;
		s->argvp[1] = (char *)"-c";
		s->argvp[2] = s->cmd.data;
	} else {
		for (i = 0; i < n; i++)
			s->argvp[i] = (char *)args_value(&s->argv, i);
	}
	s->argvp[n] = NULL;
	return s->argvp;
}

/* The command as a user would type it, for -v and --dry-run. */
static void
job_command_text(const struct job *j, struct buf *out)
{
	template_render_shell(j->task->command, &j->args, j->seq, j->slot, out);
}

static void job_complete(struct sched *, struct job *);
static bool maybe_complete(struct sched *, struct job *);
static bool job_drain(struct sched *, struct job *);

/* Start a job in a free slot. -1: the system is out of resources. */
static int
job_start(struct sched *s, struct job *j)
{
	struct exec_job ej;
	struct buf text = BUF_INIT;
	char **argv;
	int rc;

	j->slot = free_slot(s) + 1;
	j->runs++;
	if (s->o->dry_run) {
		if (s->o->tag || s->o->task.tagstring) {
			make_tag(j, &text);
			buf_add(&s->dry, text.data, text.len);
			buf_release(&text);
		}
		job_command_text(j, &s->dry);
		buf_addch(&s->dry, '\n');
		if (s->dry.len >= 65536) {
			collector_print(s->coll, s->dry.data, s->dry.len);
			buf_reset(&s->dry);
		}
		s->ndone++;
		plan_job_ended(s->plan, j->task, false);
		job_free(j);
		return 0;
	}
	if (!j->out) {
		if (s->o->tag || s->o->task.tagstring)
			make_tag(j, &text);
		j->out = output_new(s->coll, j->seq, text.data, text.len);
	}
	argv = job_argv(s, j);
	/* --json: the "cmd" field has it; the output is the job's alone. */
	if (s->o->verbose && !s->o->json) {
		buf_reset(&text);
		job_command_text(j, &text);
		buf_addch(&text, '\n');
		if (s->o->output == OUTPUT_UNGROUP)
			collector_print(s->coll, text.data, text.len);
		else
			output_append(s->coll, j->out, 1, text.data, text.len);
	}
	buf_release(&text);
	j->ex = s->local;
	env_set(s, j);
	{
		sigset_t tstp, old;
		struct exec_cmd cmd = {
		    .argv = argv,
		    .shell = s->job_shell,
		    .script = s->cmd.data,
		    .script_len = s->cmd.len,
		    .envp = s->envp,
		    .pipes = s->o->output != OUTPUT_UNGROUP,
		    .out_null = s->out_null,
		};

		/* A ^Z from now on must find the new job's group. */
		sigemptyset(&tstp);
		sigaddset(&tstp, SIGTSTP);
		sigprocmask(SIG_BLOCK, &tstp, &old);
		rc = j->ex->ops->start(j->ex, &cmd, &ej);
		sig_groups[j->slot - 1] = rc == 0 ? ej.id : 0;
		sigprocmask(SIG_SETMASK, &old, NULL);
	}
	if (rc < 0) {
		/* Nothing started: it will be tried again from scratch. */
		output_discard(s->coll, j->out);
		j->runs--;
		j->slot = 0;
		return -1;
	}
	j->start = s->now;
	j->start_wall = util_wallclock();
	j->term_at = 0;
	j->hold_until = 0;
	j->paused_ns = 0;
	j->term_step = 0;
	j->timed_out = false;
	j->cut_short = false;
	j->reaped = false;
	s->slots[j->slot - 1] = j;
	s->nrunning++;
	/* -k: the oldest job prints as it goes, from its start. */
	collector_flush(s->coll);
	s->next_start = s->now + ns_capped(s->o->delay * s->delay_factor * 1e9);
	if (rc > 0) {
		/* The command could not be run: say why as its stderr. */
		char *msg =
		    xasprintf("fanout: %s: %s\n", argv ? argv[0] : s->job_shell,
			rc == ENOENT ? "command not found" : strerror(rc));

		if (s->o->output == OUTPUT_UNGROUP)
			(void)!write(STDERR_FILENO, msg, strlen(msg));
		else
			output_append(s->coll, j->out, 2, msg, strlen(msg));
		free(msg);
		j->reaped = true;
		j->status = (rc == ENOENT ? 127 : 126) << 8;
		j->pid = -1;
		j->fd[0] = j->fd[1] = -1;
		job_complete(s, j);
		return 0;
	}
	j->pid = ej.id;
	j->fd[0] = ej.out;
	j->fd[1] = ej.err;
	return 0;
}

static void
job_signal(struct job *j, int sig)
{
	struct exec_job ej = {j->pid, j->fd[0], j->fd[1]};

	if (j->pid > 0)
		j->ex->ops->signal(j->ex, &ej, sig);
}

/* Begin the termination sequence of a running job. */
static void
job_stop(struct sched *s, struct job *j)
{
	if (j->term_at)
		return;
	j->term_step = 0;
	job_signal(j, s->o->termseq.sig[0]);
	j->term_at = s->now + s->o->termseq.ms[0] * 1000000LL;
	if (j->term_at == 0)
		j->term_at = 1;
}

/* Stop reading a job's pipes. */
static void
job_close_pipes(struct job *j)
{
	for (int k = 0; k < 2; k++)
		if (j->fd[k] >= 0) {
			close(j->fd[k]);
			j->fd[k] = -1;
		}
}

/* Whether a reaped job failed: a non-zero exit, a signal, a timeout. */
static bool
job_failed(const struct job *j)
{
	return !WIFEXITED(j->status) || WEXITSTATUS(j->status) != 0 ||
	    j->timed_out;
}

/* Whether a job that fails now is run again (--retries). */
static bool
may_run_again(const struct sched *s, const struct job *j)
{
	return j->runs < j->task->retries && !j->no_retry && !s->stopping &&
	    !s->halted && !s->hup;
}

static void
job_term_step(struct sched *s, struct job *j)
{
	const struct termseq *t = &s->o->termseq;

	if (++j->term_step >= t->n) {
		if (j->reaped) {
			/*
			 * The sequence is over and the pipes are still held,
			 * by a process that left the job's group: stop
			 * waiting for it.
			 */
			job_close_pipes(j);
			maybe_complete(s, j);
			return;
		}
		/* The sequence is over; keep the group dead. */
		j->term_step = t->n - 1;
	}
	job_signal(j, t->sig[j->term_step]);
	j->term_at = s->now + t->ms[j->term_step] * 1000000LL + 1;
	if (j->term_step == t->n - 1 && t->ms[j->term_step] == 0)
		j->term_at = s->now + 25000000LL;
}

/* --halt now, a signal: stop every running job; their output is moot. */
static void
stop_all(struct sched *s)
{
	size_t i;

	for (i = 0; i < s->njobs; i++)
		if (s->slots[i]) {
			s->slots[i]->cut_short = true;
			job_stop(s, s->slots[i]);
		}
}

static void
kill_all(struct sched *s)
{
	size_t i;

	for (i = 0; i < s->njobs; i++)
		if (s->slots[i])
			job_signal(s->slots[i], SIGKILL);
	s->killed_all = true;
}

/*
 * Job output or a notice of fanout's own is about to reach the terminal:
 * the progress line steps aside (notices end their line).
 */
static void
progress_aside(void *arg, const char *p, size_t n)
{
	struct sched *s = arg;

	if (s->progress)
		progress_clear(s->progress, p, n);
}

/* A one-line notice on stderr naming a job's command. */
static void
job_notice(const struct job *j, const char *what)
{
	struct buf text = BUF_INIT;

	job_command_text(j, &text);
	warnx("%s: %s", what, text.data);
	buf_release(&text);
}

static int
job_exit_code(const struct job *j)
{
	return j->sig ? 128 + j->sig : j->exitval;
}

static void
check_halt(struct sched *s, struct job *j, bool failed)
{
	const struct halt *h = &s->o->halt;
	size_t count;
	bool counts;

	if (h->when == HALT_NEVER || s->halted)
		return;
	switch (h->what) {
	case HALT_FAIL:
		counts = failed;
		count = s->nfailed;
		break;
	case HALT_SUCCESS:
		counts = !failed;
		count = s->nsucceeded;
		break;
	default:
		counts = true;
		count = s->ndone;
		break;
	}
	if (!counts)
		return;
	if (h->percent) {
		if (s->ntotal == 0 ||
		    (double)count * 100.0 < h->value * (double)s->ntotal)
			return;
	} else if ((double)count < h->value) {
		return;
	}
	s->halted = true;
	/*
	 * fail: the job's status (SPEC 6). success and done follow GNU
	 * parallel: 0, and the job's status for done=1, else the count of
	 * failed jobs.
	 */
	if (h->what == HALT_FAIL ||
	    (h->what == HALT_DONE && !h->percent && h->value == 1))
		s->halt_status = job_exit_code(j);
	else if (h->what == HALT_SUCCESS)
		s->halt_status = 0;
	else
		s->halt_status = s->nfailed > 100 ? 101 : (int)s->nfailed;
	progress_aside(s, "\n", 1);
	job_notice(j,
	    h->what == HALT_FAIL	  ? "halting after this job failed"
		: h->what == HALT_SUCCESS ? "halting after this job succeeded"
					  : "halting after this job finished");
	if (h->when == HALT_NOW)
		stop_all(s);
	else if (s->nrunning)
		warnx("starting no more jobs; waiting for %zu to finish",
		    s->nrunning);
}

/* Write the joblog line and --results of a finished job. */
static void
job_record(struct sched *s, struct job *j, int64_t runtime)
{
	struct job_record *r;
	struct buf cmd = BUF_INIT;

	if (!s->joblog && !s->o->results && !s->o->json)
		return;
	r = xcalloc(1, sizeof *r);
	r->seq = j->seq;
	r->host = j->ex->host;
	args_copy(&r->args, &j->args);
	job_command_text(j, &cmd);
	r->cmd = buf_detach(&cmd, NULL);
	r->start = j->start_wall;
	r->runtime = runtime / 1e9;
	/* GNU parallel's joblog: -1 for a job fanout killed. */
	r->exitval = j->timed_out ? -1 : j->exitval;
	r->signal = j->sig;
	r->receive = output_bytes(j->out, 1);
	if (!joblog_to_stdout(s->joblog) && joblog_write(s->joblog, r) < 0 &&
	    !s->joblog_failed) {
		/* Jobs started now would go unlogged, to be run again. */
		s->joblog_failed = s->halted = true;
		if (s->nrunning)
			warnx(
			    "starting no more jobs; waiting for %zu to finish",
			    s->nrunning);
	}
	/* --joblog -, --results and --json take it from there. */
	output_set_record(j->out, r);
}

/* The job's process was reaped and its pipes are closed. */
static void
job_complete(struct sched *s, struct job *j)
{
	bool failed;
	int64_t runtime = s->now - j->start;

	if (WIFSIGNALED(j->status)) {
		j->sig = WTERMSIG(j->status);
		j->exitval = 0;
	} else {
		j->sig = 0;
		j->exitval = WEXITSTATUS(j->status);
	}
	failed = job_failed(j);
	/* GNU parallel's --delay Nauto: 30% longer, or 10% shorter. */
	if (s->o->delay_auto)
		s->delay_factor =
		    fmin(s->delay_factor * (failed ? 1.3 : 0.9), 1e30);
	jobs_file_reread(s);
	s->slots[j->slot - 1] = NULL;
	sig_groups[j->slot - 1] = 0;
	s->nrunning--;
	j->pid = -1;
	if (j->cut_short) {
		/*
		 * Stopped by fanout (--halt now, a signal): as GNU parallel,
		 * its partial output is dropped and it is not counted.
		 */
		output_cancel(s->coll, j->out);
		plan_job_ended(s->plan, j->task, true);
		job_free(j);
		return;
	}
	if (!failed && j->task->timeout_percent) {
		runtimes_add(&s->runtimes, runtime);
		s->median = runtimes_median(&s->runtimes);
	}

	if (failed && may_run_again(s, j)) {
		/* Only the last run's output is printed. */
		output_discard(s->coll, j->out);
		j->slot = 0;
		j->paused = false;
		plan_job_again(s->plan, j->task, j);
		return;
	}
	s->ndone++;
	if (failed)
		s->nfailed++;
	else
		s->nsucceeded++;
	job_record(s, j, runtime);
	output_finish(s->coll, j->out);
	j->out = NULL;
	plan_job_ended(s->plan, j->task, failed);
	check_halt(s, j, failed);
	job_free(j);
}

/* Complete the job if it is over; true when it was (j is then freed). */
static bool
maybe_complete(struct sched *s, struct job *j)
{
	if (!j->reaped || j->fd[0] >= 0 || j->fd[1] >= 0)
		return false;
	job_complete(s, j);
	return true;
}

/*
 * NEEDSWORK: with a second executor (remote hosts), ids are only unique
 * per executor: match the executor too.
 */
static struct job *
job_by_pid(struct sched *s, pid_t pid)
{
	size_t i;

	for (i = 0; i < s->njobs; i++)
		if (s->slots[i] && s->slots[i]->pid == pid)
			return s->slots[i];
	return NULL;
}

/*
 * A job's command has ended: read what is left in its pipes. Whatever
 * it left running in its process group and still holding them when
 * HOLD_GRACE_NS has passed is stopped (check_timers()), so that no job
 * outlives its command and none outlives fanout; until then, the end of
 * both pipes completes the job. Not at once: a background child that
 * sends its output elsewhere (`cmd >/dev/null &`) holds the pipes from
 * its fork until its redirection, which may come after the command
 * ended. (A job waiting for disk space has not been read to the end:
 * resume_paused() calls this again when it goes on.)
 */
static void
command_ended(struct sched *s, struct job *j)
{
	if (job_drain(s, j))
		return;
	if (!j->paused && !j->hold_until && (j->fd[0] >= 0 || j->fd[1] >= 0))
		j->hold_until = s->now + HOLD_GRACE_NS;
}

static void
reap(struct sched *s)
{
	struct job *j;
	pid_t pid;
	int st;

	while (s->local->ops->reap(s->local, &pid, &st) > 0) {
		if (!(j = job_by_pid(s, pid)))
			continue;
		j->reaped = true;
		j->status = st;
		command_ended(s, j);
	}
}

/* Read from one pipe of a job once; true when that completed the job. */
static bool
job_read(struct sched *s, struct job *j, int stream)
{
	ssize_t n;
	int *fd = &j->fd[stream - 1];

	n = output_splice(s->coll, j->out, stream, *fd);
	if (n > 0 || (n < 0 && n != OUTPUT_NO_SPLICE && errno != EINTR))
		return false;
	if (n != 0) {
		n = read(*fd, s->chunk, READ_CHUNK);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			return false;
	}
	if (n <= 0) {
		close(*fd);
		*fd = -1;
		return maybe_complete(s, j);
	}
	if (output_append(s->coll, j->out, stream, s->chunk, (size_t)n) < 0) {
		j->paused = true;
		j->paused_since = s->now;
	}
	return false;
}

/*
 * Read what a finished command left in its pipes, without waiting: most
 * often both are at end of file already, and the job completes now.
 * True when it did (j is then freed).
 */
static bool
job_drain(struct sched *s, struct job *j)
{
	struct pollfd p[2];
	int k, n, round;

	for (round = 0; round < 64 && !j->paused; round++) {
		for (n = 0, k = 0; k < 2; k++)
			if (j->fd[k] >= 0) {
				p[n].fd = j->fd[k];
				p[n++].events = POLLIN;
			}
		if (n == 0)
			return maybe_complete(s, j);
		if (poll(p, (nfds_t)n, 0) <= 0)
			return false;
		for (k = 0; k < n; k++)
			if (p[k].revents &&
			    job_read(s, j, p[k].fd == j->fd[0] ? 1 : 2))
				return true;
	}
	return false;
}

/*
 * Whether a job's output will be printed: FATE_DROPPED when it is being
 * stopped or failed with retries left, FATE_STANDS when it is its last
 * run or succeeded, else FATE_UNKNOWN (it runs, and may be retried: if
 * it prints before it ends, it is not retried, so that the output of
 * one run only is printed).
 */
enum { FATE_UNKNOWN, FATE_STANDS, FATE_DROPPED };

static int
output_fate(const struct sched *s, const struct job *j)
{
	if (s->stopping || j->cut_short ||
	    (s->halted && s->o->halt.when == HALT_NOW))
		return FATE_DROPPED;
	if (!may_run_again(s, j))
		return FATE_STANDS;
	if (!j->reaped)
		return FATE_UNKNOWN;
	return job_failed(j) ? FATE_DROPPED : FATE_STANDS;
}

/* Jobs stopped by a full disk: try to store their output again. */
static void
resume_paused(struct sched *s)
{
	size_t i;

	for (i = 0; i < s->njobs; i++) {
		struct job *j = s->slots[i];

		if (!j || !j->paused)
			continue;
		if (output_resume(s->coll, j->out) == 0) {
			j->paused = false;
		} else if (s->now - j->paused_since > PAUSE_LIVE_NS) {
			/*
			 * Nothing frees the disk. Output that will be thrown
			 * away need not wait; output sure to stand may print
			 * as it goes; the rest waits for space.
			 */
			int fate = output_fate(s, j);

			if (fate == FATE_DROPPED) {
				job_close_pipes(j);
				j->paused = false;
				if (!j->reaped)
					job_stop(s, j);
				else if (maybe_complete(s, j))
					continue;
			} else if (output_make_live(s->coll, j->out) &&
			    output_resume(s->coll, j->out) == 0) {
				j->paused = false;
				/* What it printed cannot be taken back. */
				if (fate == FATE_UNKNOWN)
					j->no_retry = true;
			} else if (!s->warned_full) {
				progress_aside(s, "\n", 1);
				warnx("no space for output in %s: jobs wait",
				    collector_spool_dir());
				s->warned_full = true;
			}
		}
		/* Its command ended while it waited. */
		if (!j->paused && j->reaped)
			command_ended(s, j);
	}
}

/* n bytes as --memfree reads them: 512, 1.5K, 3.2G. */
static void
format_size(char *dst, size_t len, long long n)
{
	static const char units[] = "KMGTPE";
	double v = (double)n;
	int u = -1;

	while (v >= 1024 && u < 5) {
		v /= 1024;
		u++;
	}
	if (n < 0)
		snprintf(dst, len, "unknown");
	else if (u < 0)
		snprintf(dst, len, "%lld", n);
	else
		snprintf(dst, len, "%.1f%c", v, units[u]);
}

/*
 * --memfree holds starts back. When that leaves nothing running, say so
 * once: otherwise fanout would wait without a word.
 */
static bool
memory_short(struct sched *s)
{
	long long avail = util_mem_available();
	char have[32], want[32];

	if (avail >= s->o->memfree)
		return false;
	if (!s->warned_mem && s->nrunning == 0) {
		progress_aside(s, "\n", 1);
		format_size(have, sizeof have, avail);
		format_size(want, sizeof want, s->o->memfree);
		warnx("jobs wait for free memory: %s available, --memfree "
		      "asks %s",
		    have, want);
		s->warned_mem = true;
	}
	return true;
}

static void
start_jobs(struct sched *s)
{
	struct job *j;

	s->want_input = false;
	while (!s->stopping && !s->halted && !s->hup &&
	    s->nrunning < s->limit && !s->spawn_blocked) {
		if (!s->o->dry_run && s->o->keep_order &&
		    s->nrunning + collector_held(s->coll) >= s->max_held)
			break;
		if (s->o->delay > 0 && s->now < s->next_start)
			break;
		if (s->o->memfree && !s->o->dry_run && memory_short(s)) {
			s->mem_wait = true;
			break;
		}
		s->mem_wait = false;
		if (!(j = job_next(s)))
			break;
		if (job_start(s, j) < 0) {
			if (s->nrunning == 0)
				fatal("cannot start a job");
			plan_job_again(s->plan, j->task, j);
			s->spawn_blocked = true;
			break;
		}
		if (s->o->delay > 0)
			s->now = util_now();
	}
}

/* With a percentage halt, GNU parallel knows the total: read it all. */
static void
read_all_input(struct sched *s)
{
	struct pollfd pfd;
	int rc;

	while ((rc = plan_read_all(s->plan, &s->ntotal)) != PLAN_END) {
		if (rc == PLAN_ERROR) {
			s->input_error = true;
			continue;
		}
		pfd.fd = plan_input_fd(s->plan);
		pfd.events = POLLIN;
		if (poll(&pfd, 1, -1) < 0 && errno != EINTR)
			fatal("poll");
		if (sig_stop)
			break;
		plan_fill(s->plan);
	}
}

/*
 * fanout went on after a ^Z: the time its jobs were stopped does not
 * count towards their --timeout, the termination sequence or the grace
 * of held pipes.
 */
static void
after_pause(struct sched *s)
{
	sigset_t tstp, old;
	int64_t d;
	size_t i;

	sigemptyset(&tstp);
	sigaddset(&tstp, SIGTSTP);
	sigprocmask(SIG_BLOCK, &tstp, &old);
	d = sig_paused_ns;
	sig_paused_ns = 0;
	sig_resumed = 0;
	sigprocmask(SIG_SETMASK, &old, NULL);
	for (i = 0; i < s->njobs; i++) {
		struct job *j = s->slots[i];

		if (!j)
			continue;
		j->paused_ns += d;
		if (j->term_at)
			j->term_at += d;
		if (j->hold_until)
			j->hold_until += d;
	}
}

/* SIGUSR1: each running job's command on stderr, as GNU parallel. */
static void
list_running(const struct sched *s)
{
	struct buf text = BUF_INIT;
	size_t i;

	for (i = 0; i < s->njobs; i++) {
		const struct job *j = s->slots[i];

		if (!j || j->reaped)
			continue;
		buf_reset(&text);
		buf_add(&text, "fanout: ", 8);
		job_command_text(j, &text);
		buf_addch(&text, '\n');
		(void)!write(STDERR_FILENO, text.data, text.len);
	}
	buf_release(&text);
}

static void
handle_signals(struct sched *s)
{
	struct signalfd_siginfo si[8];
	unsigned char b[64];

	while (read(sig_fds[0], b, sizeof b) > 0)
		;
	while (read(chld_fd, si, sizeof si) > 0)
		;
	if (sig_resumed)
		after_pause(s);
	reap(s);
	if (sig_usr1) {
		sig_usr1 = 0;
		list_running(s);
	}
	if (sig_hup && !s->hup) {
		s->hup = true;
		warnx(
		    "SIGHUP: starting no more jobs; waiting for %zu to finish "
		    "(SIGTERM stops them now)",
		    s->nrunning);
		list_running(s);
	}
	if (sig_stop && !s->stopping) {
		s->stopping = true;
		s->stop_signal = sig_stop;
		stop_all(s);
	}
	if (sig_ints >= 2 && !s->killed_all)
		kill_all(s);
}

/* The job's --timeout in nanoseconds, 0 for none (yet, for N%). */
static int64_t
job_timeout(const struct sched *s, const struct job *j)
{
	const struct task *t = j->task;

	if (!t->timeout_percent)
		return ns_capped(t->timeout * 1e9);
	return s->median > 0 ? ns_capped(s->median * t->timeout / 100.0) : 0;
}

static int
poll_timeout(struct sched *s)
{
	int64_t next = INT64_MAX, limit;
	size_t i;

	if (s->o->delay > 0 && !s->stopping && !s->halted &&
	    s->nrunning < s->limit && !s->input_done && s->now < s->next_start)
		next = s->next_start;
	for (i = 0; i < s->njobs; i++) {
		struct job *j = s->slots[i];

		if (!j)
			continue;
		if (j->term_at && j->term_at < next)
			next = j->term_at;
		if (j->hold_until && !j->term_at && j->hold_until < next)
			next = j->hold_until;
		if (j->paused && s->now + PAUSE_RETRY_NS < next)
			next = s->now + PAUSE_RETRY_NS;
		if (j->term_at || j->reaped)
			continue;
		if ((limit = job_timeout(s, j)) &&
		    j->start + j->paused_ns + limit < next)
			next = j->start + j->paused_ns + limit;
	}
	if (s->spawn_blocked && s->now + PAUSE_RETRY_NS < next)
		next = s->now + PAUSE_RETRY_NS;
	if (s->mem_wait && s->now + MEMFREE_RECHECK_NS < next)
		next = s->now + MEMFREE_RECHECK_NS;
	if (s->progress && s->now + 100000000LL < next)
		next = s->now + 100000000LL;
	if (next == INT64_MAX)
		return -1;
	if (next <= s->now)
		return 0;
	/* poll() takes an int of milliseconds: wake up early, never wrap. */
	if ((next - s->now) / 1000000 >= INT_MAX)
		return INT_MAX;
	return (int)((next - s->now + 999999) / 1000000);
}

/* Timeouts and the steps of termination sequences that are due. */
static void
check_timers(struct sched *s)
{
	int64_t limit;
	size_t i;

	for (i = 0; i < s->njobs; i++) {
		struct job *j = s->slots[i];

		if (!j)
			continue;
		if (j->term_at) {
			if (s->now >= j->term_at)
				job_term_step(s, j);
			continue;
		}
		if (j->hold_until && s->now >= j->hold_until && !j->paused) {
			/* Still held after the grace: see command_ended(). */
			job_stop(s, j);
			continue;
		}
		if (j->reaped)
			continue;
		if ((limit = job_timeout(s, j)) &&
		    s->now >= j->start + j->paused_ns + limit) {
			j->timed_out = true;
			job_notice(j, "this job timed out");
			job_stop(s, j);
		}
	}
}

static void
run_loop(struct sched *s)
{
	/* The two signal descriptors, the input, two pipes per job. */
	struct pollfd *pfd = xcalloc(2 * s->njobs + 3, sizeof *pfd);
	struct job **owner = xcalloc(2 * s->njobs + 3, sizeof *owner);
	size_t n, i;
	int timeout, input_slot;

	for (;;) {
		s->now = util_now();
		if (sig_stop || (sig_hup && !s->hup) || s->spawn_blocked)
			handle_signals(s);
		s->spawn_blocked = false;
		start_jobs(s);
		if (collector_broken(s->coll) && !s->stopping) {
			s->stopping = true;
			stop_all(s);
		}
		if (s->nrunning == 0 && !s->spawn_blocked &&
		    (s->stopping || s->halted || s->hup || s->input_done))
			break;

		n = 0;
		pfd[n].fd = sig_fds[0];
		pfd[n++].events = POLLIN;
		pfd[n].fd = chld_fd;
		pfd[n++].events = POLLIN;
		input_slot = -1;
		if (s->want_input && !s->stopping) {
			input_slot = (int)n;
			pfd[n].fd = plan_input_fd(s->plan);
			pfd[n++].events = POLLIN;
		}
		for (i = 0; i < s->njobs; i++) {
			struct job *j = s->slots[i];

			if (!j || j->paused)
				continue;
			for (int k = 0; k < 2; k++) {
				if (j->fd[k] < 0)
					continue;
				owner[n] = j;
				pfd[n].fd = j->fd[k];
				pfd[n++].events = POLLIN;
			}
		}
		timeout = poll_timeout(s);
		if (poll(pfd, n, timeout) < 0) {
			if (errno != EINTR)
				fatal("poll");
			continue;
		}
		s->now = util_now();
		if (input_slot >= 0 && pfd[input_slot].revents) {
			if (plan_fill(s->plan) < 0)
				s->input_error = true;
		}
		for (i = 2; i < n; i++) {
			struct job *j = owner[i];
			int stream;

			if (!pfd[i].revents || (int)i == input_slot)
				continue;
			stream = pfd[i].fd == j->fd[0] ? 1 : 2;
			if (j->fd[stream - 1] == pfd[i].fd)
				job_read(s, j, stream);
		}
		/* After the pipes: reaping may complete and free jobs. */
		if (pfd[0].revents || pfd[1].revents)
			handle_signals(s);
		check_timers(s);
		resume_paused(s);
		if (s->progress)
			progress_update(s->progress, s->now, s->nrunning,
			    s->ndone, s->nfailed);
	}
	free(pfd);
	free(owner);
}

/* fatal() runs this: stop the jobs, so none outlives fanout. */
static struct sched *fatal_sched;

static void
on_fatal(void)
{
	if (fatal_sched)
		kill_all(fatal_sched);
}

int
sched_run(struct plan *plan, const struct options *o)
{
	struct sched s;
	struct job *j;
	int status;
	size_t len;

	memset(&s, 0, sizeof s);
	if (shell_check(o, shell_of(o)) < 0 ||
	    (o->results && results_prepare(o->results, o->dry_run) < 0))
		return FANOUT_STATUS_ERROR;
	s.o = o;
	s.plan = plan;
	s.delay_factor = 1;
	s.now = util_now();
	signals_init();
	choose_slots(&s);
	sig_groups = xcalloc(s.njobs, sizeof *sig_groups);
	sig_ngroups = s.njobs;
	env_init(&s);
	s.local = spawn_executor_new(&sig_ignored);
	s.shell = shell_of(o);
	s.bash = bash_for_functions(s.shell);
	/*
	 * Output bound for /dev/null is not worth capturing: the jobs write
	 * there themselves (as GNU tar skips reading files it would archive
	 * to /dev/null). Their stderr pipe still tells when a job is over.
	 * The joblog's Receive column counts it, so it is captured then.
	 */
	s.out_null =
	    !o->results && !o->joblog && util_is_devnull(STDOUT_FILENO);
	s.chunk = xmalloc(READ_CHUNK);
	/* The joblog is read before it is opened: opening drops a torn line. */
	if (o->resume || o->resume_failed)
		plan_resume(plan, o->joblog, !o->resume);
	if (o->joblog && !o->dry_run)
		s.joblog = joblog_open(o->joblog,
		    o->resume || o->resume_failed || o->retry_failed);
	{
		struct collect_opts co = {
		    .mode = o->output,
		    .keep_order = o->keep_order,
		    .live = o->keep_order && o->task.retries <= 1 && !o->json,
		    .json = o->json,
		    .results = o->results,
		    .stop = &sig_stop,
		    .on_tty = o->progress ? progress_aside : NULL,
		    .on_tty_arg = &s,
		    .joblog = joblog_to_stdout(s.joblog) ? s.joblog : NULL,
		};
		if (co.mode == OUTPUT_LINE && co.keep_order)
			co.mode = OUTPUT_GROUP;
		s.coll = collector_new(&co);
	}
	fatal_sched = &s;
	fatal_hook = on_fatal;

	if (joblog_to_stdout(s.joblog)) {
		const char *h = joblog_header(&len);

		collector_print(s.coll, h, len);
	}
	if (o->progress)
		s.progress = progress_new(o->progress, s.limit);
	/* A percentage, a bar or an ETA needs the total: read it all. */
	if ((o->halt.when != HALT_NEVER && o->halt.percent) ||
	    (o->progress & (PROGRESS_BAR | PROGRESS_ETA))) {
		read_all_input(&s);
		if (s.progress)
			progress_set_total(s.progress, s.ntotal);
	}
	run_loop(&s);
	if (s.progress)
		progress_finish(s.progress, util_now());

	if (s.dry.len)
		collector_print(s.coll, s.dry.data, s.dry.len);
	collector_flush_all(s.coll);

	if (s.stop_signal && !collector_broken(s.coll))
		status = 128 + s.stop_signal;
	else if (collector_broken(s.coll))
		status = 128 + SIGPIPE;
	else if (collector_failed(s.coll) || s.input_error || s.joblog_failed)
		status = FANOUT_STATUS_ERROR;
	else if (s.halted)
		status = s.halt_status;
	else
		status = s.nfailed > 100 ? 101 : (int)s.nfailed;

	fatal_hook = NULL;
	fatal_sched = NULL;
	while ((j = plan_drain(plan))) {
		/* Jobs to retry that a halt or a signal kept from running. */
		if (j->out)
			output_cancel(s.coll, j->out);
		job_free(j);
	}
	collector_free(s.coll);
	s.local->ops->free(s.local);
	joblog_close(s.joblog);
	progress_free(s.progress);
	free(s.slots);
	sig_ngroups = 0;
	free((void *)sig_groups);
	sig_groups = NULL;
	free(s.envp);
	free(s.argvp);
	free(s.bash);
	buf_release(&s.cmd);
	buf_release(&s.dry);
	free(s.chunk);
	args_release(&s.argv);
	return status;
}
