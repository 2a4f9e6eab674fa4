/*
 * The main thread's side of remote hosts: the hosts' states, the jobs'
 * remote command lines, the executor ops and the events from the host
 * threads (sshwork.c) and the connectors (sshconn.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "options.h"
#include "ssh.h"
#include "sshint.h"
#include "input.h"
#include "template.h"
#include "util.h"
#include "xalloc.h"

/* Hosts a host thread serves at most is nhosts / MAX_WORKERS. */
#define MAX_WORKERS 8
/* Channels per session: one fewer than sshd's MaxSessions default. */
#define PER_SESSION 9
/* A host that fails this many times in a row is given up. */
#define MAX_FAILURES 5
#define BACKOFF_MAX_S 30
#define SLF_MAX (16 << 20)
#define SLF_RECHECK_NS 1000000000LL
/* Jobs at once the hosts an --slf file adds while running may take. */
#define SLF_MORE_SLOTS 256

/*
 * The remote wrapper, run by sh: the job (sh -c "$1") in a session of its
 * own (setsid), with /dev/null for stdin. A reader of the channel's input
 * sends each signal number fanout writes, one a line, to the job's
 * process group, and kills the group when that input ends: when fanout
 * closes the channel (the job is over, or abandoned, as a local job's
 * group is), or fanout or the connection dies. The reader outlives the
 * wrapper, holding none of the job's output. The job's exit status is
 * the wrapper's; a job killed by signal N (1 to 15, those that end a
 * process: never STOP) kills the wrapper by N, so that sshd reports it.
 */
static const char wrapper[] =
    "exec 5<&0 4>&1 6>&2 </dev/null\n"
    "{ setsid -w sh -c 'echo $$ >&3; exec 3>&- 2>&6 6>&-; exec sh -c \"$1\"' "
    "sh \"$1\" 3>&1 1>&4 4>&- 5<&-; echo \"$?\"; } 2>/dev/null | "
    "{ exec 4>&- 6>&- 2>/dev/null; read -r p; "
    "{ while read -r s <&5; do kill -\"$s\" -\"$p\"; done; "
    "kill -KILL -\"$p\"; } >/dev/null & read -r s; "
    "[ \"$s\" -gt 128 ] && [ \"$s\" -le 143 ] && kill -\"$((s - 128))\" $$; "
    "exit \"$s\"; }";

int
ssh_wanted(const struct options *o)
{
	return o->sshlogins.n || o->slf || o->slurm_hosts || o->task_hosts.n;
}

/* Whether the job's environment entry e goes to the remote job. */
static bool
passed(const struct options *o, const char *e)
{
	size_t i, len = strcspn(e, "=");

	if (!e[len])
		return false;
	if (strncmp(e, "FANOUT_", 7) == 0 || strncmp(e, "PARALLEL_", 9) == 0)
		return true;
	for (i = 0; i < o->env_names.n; i++)
		if (strlen(o->env_names.v[i]) == len &&
		    memcmp(o->env_names.v[i], e, len) == 0)
			return true;
	return false;
}

/* Whether name is a variable name a POSIX shell takes. */
static bool
shell_name(const char *e, size_t len)
{
	size_t i;

	if (len == 0 || (e[0] >= '0' && e[0] <= '9'))
		return false;
	for (i = 0; i < len; i++)
		if (!(e[i] == '_' || (e[i] >= 'a' && e[i] <= 'z') ||
			(e[i] >= 'A' && e[i] <= 'Z') ||
			(e[i] >= '0' && e[i] <= '9')))
			return false;
	return true;
}

/* export NAME='value', for "NAME=value" e whose name sh takes. */
static void export(struct buf *b, const char *e)
{
	size_t len = strcspn(e, "=");

	if (!e[len] || !shell_name(e, len))
		return;
	buf_addstr(b, "export ");
	buf_add(b, e, len + 1);
	shell_quote(b, e + len + 1, strlen(e + len + 1));
	buf_addch(b, '\n');
}

/* The job as shell text for the remote sh: variables, directory, command. */
static void
job_script(const struct options *o, const struct exec_cmd *cmd, struct buf *b)
{
	char *const *e;
	size_t i;

	for (e = cmd->envp; e && *e; e++)
		if (passed(o, *e))
			export(b, *e);
	/* A workflow task's env: (FANOUT_TASK among them, passed already). */
	for (e = cmd->task_env; e && *e; e++)
		if (!passed(o, *e))
			export(b, *e);
	if (o->workdir) {
		buf_addstr(b, "mkdir -p ");
		shell_quote(b, o->workdir, strlen(o->workdir));
		buf_addstr(b, " && cd ");
		shell_quote(b, o->workdir, strlen(o->workdir));
		buf_addstr(b, " || exit 1\n");
	}
	if (cmd->cwd) {
		buf_addstr(b, "cd ");
		shell_quote(b, cmd->cwd, strlen(cmd->cwd));
		buf_addstr(b, " || exit 1\n");
	}
	if (!cmd->argv) {
		buf_add(b, cmd->script, cmd->script_len);
	} else if (cmd->argv[0] == cmd->shell && cmd->argv[1] &&
	    strcmp(cmd->argv[1], "-c") == 0 && cmd->argv[2] && !cmd->argv[3]) {
		buf_addstr(b, cmd->argv[2]);
	} else {
		/*
		 * Run directly, as locally: exec, so that the program runs,
		 * not a builtin of the remote shell (dash's echo reads \t).
		 */
		buf_addstr(b, "exec");
		for (i = 0; cmd->argv[i]; i++) {
			buf_addch(b, ' ');
			shell_quote(b, cmd->argv[i], strlen(cmd->argv[i]));
		}
	}
}

/* "exec sh -c WRAPPER fanout ": the same for every job, quoted once. */
static void
wrapper_prefix(struct buf *b)
{
	buf_addstr(b, "exec sh -c ");
	shell_quote(b, wrapper, sizeof wrapper - 1);
	buf_addstr(b, " fanout ");
}

/* exec sh -c WRAPPER fanout SCRIPT: what the remote login shell runs. */
static char *
remote_command(const struct pool *p, const struct exec_cmd *cmd)
{
	struct buf script = BUF_INIT, b = BUF_INIT;

	job_script(p->o, cmd, &script);
	buf_add(&b, p->prefix.data, p->prefix.len);
	/* An empty script still needs its word. */
	if (script.len)
		shell_quote(&b, script.data, script.len);
	else
		buf_addstr(&b, "''");
	buf_release(&script);
	return buf_detach(&b, NULL);
}

/*
 * --transfer: the job's arguments are files to send; --return: files
 * to fetch. Whether it has files to send first (or base files).
 */
static bool
job_files(struct shost *h, const struct exec_cmd *cmd, struct sjob *sj)
{
	struct pool *p = h->pool;
	struct template_job job = {cmd->seq, cmd->slot, h->ex.host,
	    p->o->hostgroups ? h->ex.hgrp : NULL, cmd->agrp};
	const struct args *a = cmd->args;
	struct buf b = BUF_INIT;
	size_t i;

	if (p->o->transfer && a && a->n) {
		sj->send = xcalloc(a->n + 1, sizeof *sj->send);
		for (i = 0; i < a->n; i++)
			sj->send[i] = xstrndup(args_value(a, i), a->len[i]);
	}
	if (p->nreturns && a) {
		sj->fetch = xcalloc(p->nreturns + 1, sizeof *sj->fetch);
		for (i = 0; i < p->nreturns; i++) {
			buf_reset(&b);
			template_render_text(p->returns[i], a, &job, &b);
			sj->fetch[i] = xstrndup(b.data ? b.data : "", b.len);
		}
		buf_release(&b);
	}
	return sj->send || p->o->basefiles.n;
}

static int
host_start(struct executor *ex, struct job *j, const struct exec_cmd *cmd,
    void **state)
{
	struct shost *h = (struct shost *)ex;
	struct sjob *sj = xcalloc(1, sizeof *sj);
	struct req *r = xcalloc(1, sizeof *r);

	sj->job = j;
	sj->h = h;
	sj->cmd = remote_command(h->pool, cmd);
	*state = sj;
	if (job_files(h, cmd, sj)) {
		/* A connector sends them, then hands the job to the worker. */
		free(r);
		sj->phase = SJ_FILES;
		pool_conn_request(h->pool, CONN_SEND, h, sj);
		return 0;
	}
	r->type = REQ_START;
	r->sj = sj;
	worker_request(h->w, r);
	return 0;
}

static void
host_request(struct executor *ex, void *state, enum req_type type, int sig)
{
	struct shost *h = (struct shost *)ex;
	struct req *r = xcalloc(1, sizeof *r);

	r->type = type;
	r->sj = state;
	r->sig = sig;
	worker_request(h->w, r);
}

static int
host_signal(struct executor *ex, void *state, int sig)
{
	host_request(ex, state, REQ_SIGNAL, sig);
	return 0;
}

/* A full disk: the output is kept in memory meanwhile (NEEDSWORK). */
static void
host_pause(struct executor *ex, void *state, bool paused)
{
	(void)ex, (void)state, (void)paused;
}

static void
host_abandon(struct executor *ex, void *state)
{
	host_request(ex, state, REQ_ABANDON, 0);
}

static const struct executor_ops host_ops = {
    .start = host_start,
    .signal = host_signal,
    .pause = host_pause,
    .abandon = host_abandon,
};

static void
backoff(struct pool *p, struct shost *h, int64_t now, const char *why)
{
	int64_t s = 1LL << (h->failures < 6 ? h->failures - 1 : 5);

	if (s > BACKOFF_MAX_S)
		s = BACKOFF_MAX_S;
	h->state = HOST_DOWN;
	h->ex.down = true;
	h->retry_at = now + s * 1000000000LL;
	if (!p->next_retry || h->retry_at < p->next_retry)
		p->next_retry = h->retry_at;
	warnx("host %s: %s; trying it again in %llds", h->ex.host, why,
	    (long long)s);
}

static void
host_down(struct pool *p, struct shost *h, bool permanent, const char *why)
{
	if (h->left)
		return; /* out of the --slf file: not tried again */
	h->failures++;
	if (permanent || h->failures >= MAX_FAILURES) {
		h->state = HOST_GONE;
		h->ex.gone = h->ex.down = true;
		warnx("host %s: %s; giving up on it", h->ex.host, why);
		return;
	}
	backoff(p, h, util_now(), why);
}

/* The host's slots: N/, or -j of its CPUs (this machine's when unknown). */
static size_t
host_slots(const struct pool *p, const struct shost *h, int cpus)
{
	const struct options *o = p->o;
	long n;

	if (h->login->slots)
		return (size_t)h->login->slots;
	n = util_jobs_from_spec(
	    o->jobs_spec && !o->jobs_file ? o->jobs_spec : "100%",
	    cpus > 0 ? cpus : util_ncpu());
	return n > 0 ? (size_t)n : 1;
}

static void
host_up(struct pool *p, struct shost *h, int cpus)
{
	if (h->state == HOST_DOWN ||
	    (h->state == HOST_CONNECTING && h->started))
		warnx("host %s is back", h->ex.host);
	h->state = HOST_UP;
	h->ex.down = false;
	h->failures = 0;
	if (!h->started) {
		h->ex.slots = host_slots(p, h, cpus);
		h->started = true;
	}
}

/* One event from a host thread. */
static void
deliver(struct pool *p, struct ev *e)
{
	const struct exec_events *ev = p->ex.ev;
	struct job *j = e->sj ? e->sj->job : NULL;
	bool last = false;

	switch (e->type) {
	case EV_STARTED:
		ev->started(ev->arg, j);
		break;
	case EV_DATA:
		/* A full disk: kept all the same (see host_pause). */
		ev->output(ev->arg, j, e->a, e->data, e->n);
		break;
	case EV_EXITED:
		ev->exited(ev->arg, j, e->a, e->b);
		break;
	case EV_CLOSED:
		ev->closed(ev->arg, j);
		last = true;
		break;
	case EV_FAILED:
		ev->failed(ev->arg, j, e->a, e->data);
		last = true;
		break;
	case EV_LOST:
		ev->lost(ev->arg, j, e->data);
		last = true;
		break;
	case EV_HOST_UP:
		host_up(p, e->h, e->a);
		break;
	case EV_HOST_DOWN:
		host_down(p, e->h, e->a, e->data);
		break;
	case EV_WARN:
		warnx("host %s: %s", e->h->ex.host, e->data);
		break;
	}
	if (last)
		host_request(&e->sj->h->ex, e->sj, REQ_FREE, 0);
}

static struct ev *
take_events(struct pool *p)
{
	struct ev *e;
	uint64_t n;

	(void)!read(p->evfd, &n, sizeof n);
	pthread_mutex_lock(&p->mu);
	e = p->evs;
	p->evs = NULL;
	p->evs_tail = &p->evs;
	pthread_mutex_unlock(&p->mu);
	return e;
}

static void
deliver_all(struct pool *p)
{
	struct ev *e, *next;

	for (e = take_events(p); e; e = next) {
		next = e->next;
		deliver(p, e);
		free(e);
	}
}

/* Hosts whose time to be tried again came. */
static void
retry_hosts(struct pool *p)
{
	int64_t now = util_now();
	size_t i;

	if (!p->next_retry || now < p->next_retry)
		return;
	p->next_retry = 0;
	for (i = 0; i < p->nhosts; i++) {
		struct shost *h = p->hosts[i];

		if (h->state != HOST_DOWN)
			continue;
		if (h->retry_at <= now) {
			h->state = HOST_CONNECTING;
			pool_connect(p, h, !h->started);
		} else if (!p->next_retry || h->retry_at < p->next_retry) {
			p->next_retry = h->retry_at;
		}
	}
}

static struct shost *host_new(struct pool *, const struct hosts_login *);
static int read_slf(const char *path, struct hosts_list *l, char **err);

static struct shost *
find_host(const struct pool *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->nhosts; i++)
		if (strcmp(p->hosts[i]->ex.host, name) == 0)
			return p->hosts[i];
	return NULL;
}

/* A host the --slf file names now: it joins the run. */
static void
host_join(struct pool *p, const struct hosts_login *l)
{
	struct shost *h = find_host(p, l->name);
	struct req *r;

	if (h) {
		if (h->left) {
			/* Back in the file: as a new host, tried afresh. */
			warnx("host %s is back in %s", h->ex.host, p->o->slf);
			h->left = h->ex.gone = false;
			h->failures = 0;
			h->state = HOST_CONNECTING;
			pool_connect(p, h, !h->started);
		}
		return;
	}
	h = host_new(p, l);
	h->w = &p->workers[p->nhosts % p->nworkers];
	p->hosts = xreallocarray(p->hosts, p->nhosts + 1, sizeof *p->hosts);
	p->hosts[p->nhosts++] = h;
	p->ex.places = xreallocarray(
	    p->ex.places, p->ex.nplaces + 1, sizeof *p->ex.places);
	p->ex.places[p->ex.nplaces++] = &h->ex;
	r = xcalloc(1, sizeof *r);
	r->type = REQ_ADD_HOST;
	r->h = h;
	worker_request(h->w, r);
	warnx("host %s joins from %s", h->ex.host, p->o->slf);
	pool_connect(p, h, true);
}

/* Whether list names a login called name. */
static bool
listed(const struct hosts_list *l, const char *name)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i].name, name) == 0)
			return true;
	return false;
}

/*
 * --slf FILE changed: hosts it names now join, hosts it no longer names
 * take no new job (their running ones finish), as GNU parallel does. At
 * most once a second.
 */
static void
slf_reread(struct pool *p, int64_t now)
{
	struct hosts_list *l;
	struct stat st;
	char *err = NULL;
	size_t i;

	if (!p->o->slf || now < p->slf_next)
		return;
	p->slf_next = now + SLF_RECHECK_NS;
	if (stat(p->o->slf, &st) < 0 ||
	    (st.st_mtim.tv_sec == p->slf_mtime.tv_sec &&
		st.st_mtim.tv_nsec == p->slf_mtime.tv_nsec))
		return;
	p->slf_mtime = st.st_mtim;
	l = xcalloc(1, sizeof *l);
	if (read_slf(p->o->slf, l, &err) < 0) {
		if (err)
			warnx("%s; the hosts stay as they were", err);
		free(err);
		free(l);
		return;
	}
	for (i = 0; i < l->n; i++)
		if (!l->v[i].local)
			host_join(p, &l->v[i]);
	for (i = 0; i < p->nhosts; i++) {
		struct shost *h = p->hosts[i];

		if (!h->fixed && !h->left && !listed(l, h->ex.host)) {
			h->left = h->ex.gone = true;
			h->state = HOST_GONE;
			warnx("host %s is no longer in %s: it takes no new job",
			    h->ex.host, p->o->slf);
		}
	}
	/* The hosts point into it: kept till the pool goes. */
	p->lists = xreallocarray(p->lists, p->nlists + 1, sizeof *p->lists);
	p->lists[p->nlists++] = l;
}

static size_t
pool_prepare(struct executor *ex, struct pollfd *pfd, size_t room, int *timeout)
{
	struct pool *p = (struct pool *)ex;
	size_t n = 0;
	int64_t ms;

	if (room == 0)
		return 0;
	pfd[n].fd = p->evfd;
	pfd[n++].events = POLLIN;
	if (p->local) {
		p->local->ev = ex->ev;
		n += p->local->ops->prepare(
		    p->local, pfd + n, room - n, timeout);
	}
	if (p->o->slf && (*timeout < 0 || *timeout > SLF_RECHECK_NS / 1000000))
		*timeout = SLF_RECHECK_NS / 1000000;
	if (p->next_retry) {
		ms = (p->next_retry - util_now()) / 1000000 + 1;
		if (ms < 0)
			ms = 0;
		if (*timeout < 0 || ms < *timeout)
			*timeout = (int)(ms > 60000 ? 60000 : ms);
	}
	return n;
}

static void
pool_dispatch(struct executor *ex, const struct pollfd *pfd, size_t n)
{
	struct pool *p = (struct pool *)ex;

	if (n == 0)
		return;
	if (pfd[0].revents)
		deliver_all(p);
	if (p->local)
		p->local->ops->dispatch(p->local, pfd + 1, n - 1);
	retry_hosts(p);
	slf_reread(p, util_now());
}

static void
pool_signal_all(struct executor *ex, int sig)
{
	struct pool *p = (struct pool *)ex;

	/* Remote jobs are not stopped with fanout (^Z): only local ones. */
	if (p->local && p->local->ops->signal_all)
		p->local->ops->signal_all(p->local, sig);
}

/* --cleanup: the base files go from every host that got them. */
static void
cleanup_base_files(struct pool *p)
{
	size_t i;
	bool based;

	if (!p->o->cleanup || !p->o->basefiles.n)
		return;
	for (i = 0; i < p->nhosts; i++) {
		pthread_mutex_lock(&p->hosts[i]->fmu);
		based = p->hosts[i]->based;
		pthread_mutex_unlock(&p->hosts[i]->fmu);
		if (!based)
			continue;
		pthread_mutex_lock(&p->mu);
		p->ends++;
		pthread_mutex_unlock(&p->mu);
		pool_conn_request(p, CONN_END, p->hosts[i], NULL);
	}
	pthread_mutex_lock(&p->mu);
	while (p->ends)
		pthread_cond_wait(&p->conn_cv, &p->mu);
	pthread_mutex_unlock(&p->mu);
}

static void
pool_free(struct executor *ex)
{
	struct pool *p = (struct pool *)ex;
	struct ev *e, *next;
	struct conn_req *c;
	size_t i;

	cleanup_base_files(p);
	pthread_mutex_lock(&p->mu);
	p->quit = true;
	pthread_cond_broadcast(&p->conn_cv);
	pthread_mutex_unlock(&p->mu);
	for (i = 0; i < p->nconnectors; i++)
		pthread_join(p->connectors[i], NULL);
	for (i = 0; i < p->nworkers; i++) {
		struct worker *w = &p->workers[i];

		pthread_mutex_lock(&w->mu);
		w->quit = true;
		pthread_mutex_unlock(&w->mu);
		(void)!write(w->wake[1], "", 1);
		pthread_join(w->tid, NULL);
		ssh_event_free(w->event);
		close(w->wake[0]);
		close(w->wake[1]);
		free(w->hosts);
	}
	for (e = p->evs; e; e = next) {
		next = e->next;
		free(e);
	}
	while ((c = p->conns)) {
		p->conns = c->next;
		free(c);
	}
	for (i = 0; i < p->nhosts; i++) {
		files_close(p->hosts[i]);
		pthread_mutex_destroy(&p->hosts[i]->fmu);
		free(p->hosts[i]);
	}
	for (i = 0; i < p->nreturns; i++)
		template_free(p->returns[i]);
	free(p->returns);
	if (p->local)
		p->local->ops->free(p->local);
	free(p->hosts);
	free(p->ex.places);
	free(p->workers);
	free(p->connectors);
	free(p->config);
	free(p->ssh_dir);
	buf_release(&p->prefix);
	close(p->evfd);
	hosts_list_release(&p->logins);
	for (i = 0; i < p->nlists; i++) {
		hosts_list_release(p->lists[i]);
		free(p->lists[i]);
	}
	free(p->lists);
	free(p);
	ssh_finalize();
}

static const struct executor_ops pool_ops = {
    .prepare = pool_prepare,
    .dispatch = pool_dispatch,
    .signal_all = pool_signal_all,
    .free = pool_free,
};

/*
 * The logins of --slf FILE added to l: 0, or -1 with *err (a file that
 * cannot be read: *err NULL, errno set).
 */
static int
read_slf(const char *path, struct hosts_list *l, char **err)
{
	size_t len;
	char *text = util_read_file(path, SLF_MAX, &len);
	int rc;

	*err = NULL;
	if (!text)
		return -1;
	rc = hosts_parse_slf(text, len, path, l, err);
	free(text);
	return rc;
}

/* -S, --slf and --slurm into one list: 0, or -1 after a message. */
static int
read_logins(const struct options *o, struct hosts_list *l, size_t *nfixed,
    size_t *ndefault)
{
	char *err = NULL;
	size_t i;
	int rc = 0;

	for (i = 0; i < o->sshlogins.n && rc == 0; i++)
		rc = hosts_parse_list(o->sshlogins.v[i], l, &err);
	if (rc == 0 && o->slurm_hosts)
		rc = hosts_from_slurm(getenv("SLURM_JOB_NODELIST"),
		    getenv("SLURM_JOB_CPUS_PER_NODE"), l, &err);
	/* The logins after these are the --slf file's, read again later. */
	if (nfixed)
		*nfixed = l->n;
	if (rc == 0 && o->slf && (rc = read_slf(o->slf, l, &err)) < 0 && !err) {
		error("--slf: cannot read '%s': %s", o->slf, strerror(errno));
		return -1;
	}
	/* A workflow's tasks' own hosts: for them only. */
	if (ndefault)
		*ndefault = l->n;
	for (i = 0; i < o->task_hosts.n && rc == 0; i++)
		rc = hosts_parse_list(o->task_hosts.v[i], l, &err);
	if (rc < 0) {
		error("%s", err);
		free(err);
		return -1;
	}
	if (l->n == 0) {
		error("no host to run jobs on: the host lists are empty");
		return -1;
	}
	return 0;
}

char **
ssh_host_group(struct options *o)
{
	struct hosts_list l = HOSTS_LIST_INIT;
	struct group *g;
	char **v;
	size_t i;

	if (o->nonall && o->ngroups)
		fatalx("--nonall runs the command once on each host: it takes "
		       "no arguments");
	if (read_logins(o, &l, NULL, NULL) < 0)
		exit(FANOUT_STATUS_ERROR);
	v = xcalloc(l.n + 1, sizeof *v);
	for (i = 0; i < l.n; i++)
		v[i] = xstrdup(l.v[i].name);
	hosts_list_release(&l);
	o->groups = xreallocarray(o->groups, o->ngroups + 1, sizeof *g);
	g = &o->groups[o->ngroups++];
	memset(g, 0, sizeof *g);
	g->values = v;
	g->nvalues = i;
	if (o->nonall) {
		o->no_args = true;
		o->max_args = 0;
	}
	return v;
}

/* --return FILE: templates, as the command's ({} and the rest). */
static void
compile_returns(struct pool *p)
{
	const struct options *o = p->o;
	struct template_opts to = {.replace = o->replace, .plus = o->plus};
	size_t i;

	if (!o->returns.n)
		return;
	p->returns = xcalloc(o->returns.n, sizeof *p->returns);
	for (i = 0; i < o->returns.n; i++)
		p->returns[i] = template_new_text(o->returns.v[i], &to);
	p->nreturns = o->returns.n;
}

/* ~/.ssh and the config file, from $HOME (or the password file). */
static void
find_files(struct pool *p)
{
	const char *home = getenv("HOME");
	char *path;

	if (home && *home) {
		p->ssh_dir = xasprintf("%s/.ssh", home);
		path = xasprintf("%s/config", p->ssh_dir);
		if (!p->o->ssh_config && access(path, R_OK) == 0)
			p->config = path;
		else
			free(path);
	}
	if (p->o->ssh_config)
		p->config = xstrdup(p->o->ssh_config);
}

static struct shost *
host_new(struct pool *p, const struct hosts_login *l)
{
	struct shost *h = xcalloc(1, sizeof *h);

	h->ex.ops = &host_ops;
	h->ex.host = l->name;
	h->ex.groups = l->groups;
	h->ex.hgrp = l->hgrp;
	h->ex.down = true;
	h->pool = p;
	h->login = l;
	h->state = HOST_CONNECTING;
	h->queue_tail = &h->queue;
	h->per_sess = PER_SESSION;
	pthread_mutex_init(&h->fmu, NULL);
	return h;
}

static void
start_threads(struct pool *p)
{
	sigset_t all, old;
	size_t i, n;

	/* One at least: an --slf file may add hosts to a run of ":" only. */
	p->nworkers = p->nhosts < MAX_WORKERS ? p->nhosts : MAX_WORKERS;
	if (p->nworkers == 0)
		p->nworkers = 1;
	p->workers = xcalloc(p->nworkers, sizeof *p->workers);
	for (i = 0; i < p->nworkers; i++) {
		struct worker *w = &p->workers[i];

		w->pool = p;
		pthread_mutex_init(&w->mu, NULL);
		w->reqs_tail = &w->reqs;
		if (pipe2(w->wake, O_CLOEXEC | O_NONBLOCK) < 0)
			fatal("pipe");
		if (!(w->event = ssh_event_new()))
			fatalx("cannot make an ssh event");
	}
	for (i = 0; i < p->nhosts; i++) {
		struct worker *w = &p->workers[i % p->nworkers];

		p->hosts[i]->w = w;
		w->hosts =
		    xreallocarray(w->hosts, w->nhosts + 1, sizeof *w->hosts);
		w->hosts[w->nhosts++] = p->hosts[i];
	}
	/* The threads take no signal: they start with every one blocked. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	for (i = 0; i < p->nworkers; i++)
		if (pthread_create(&p->workers[i].tid, NULL, worker_main,
			&p->workers[i]) != 0)
			fatalx("cannot start a host thread");
	/* As many as handshakes may run at once; with --slf, for the hosts
	 * it may add too. One at least. */
	n = p->nhosts < p->o->ssh_fanout && !p->o->slf ? p->nhosts
						       : p->o->ssh_fanout;
	if (n == 0)
		n = 1;
	p->connectors = xcalloc(n ? n : 1, sizeof *p->connectors);
	for (i = 0; i < n; i++) {
		if (pthread_create(
			&p->connectors[i], NULL, connector_main, p) != 0)
			fatalx("cannot start a connecting thread");
		p->nconnectors++;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

/* Connect to every host and wait for each to be up or down. */
static void
connect_all(struct pool *p)
{
	size_t i, waiting = p->nhosts;
	struct ev *e, *next, *keep = NULL, **keep_tail = &keep;
	struct pollfd pfd = {.fd = p->evfd, .events = POLLIN};

	for (i = 0; i < p->nhosts; i++)
		pool_connect(p, p->hosts[i], true);
	while (waiting) {
		if (poll(&pfd, 1, -1) < 0 && errno != EINTR)
			fatal("poll");
		for (e = take_events(p); e; e = next) {
			next = e->next;
			if (e->type == EV_HOST_UP || e->type == EV_HOST_DOWN) {
				/* A host up and down at once is one host. */
				if (!e->h->reported && waiting)
					waiting--;
				e->h->reported = true;
				if (e->type == EV_HOST_UP) {
					host_up(p, e->h, e->a);
				} else if (p->o->filter_hosts) {
					e->h->ex.dropped = true;
					host_down(p, e->h, true, e->data);
				} else
					host_down(p, e->h, e->a, e->data);
				free(e);
				continue;
			}
			*keep_tail = e;
			keep_tail = &e->next;
			e->next = NULL;
		}
	}
	/* Nothing else comes before the first job: give back what did. */
	pthread_mutex_lock(&p->mu);
	if (keep) {
		*keep_tail = p->evs;
		if (!p->evs)
			p->evs_tail = keep_tail;
		p->evs = keep;
	}
	pthread_mutex_unlock(&p->mu);
}

struct executor *
ssh_executor_new(const struct options *o, struct executor *spawn_ex)
{
	struct pool *p;
	size_t i, nplaces = 0, total = 0, ndefault;
	bool usable = false;
	struct stat st;

	if (sshlib_load() < 0) {
		spawn_ex->ops->free(spawn_ex);
		return NULL;
	}
	p = xcalloc(1, sizeof *p);

	p->o = o;
	p->ex.ops = &pool_ops;
	p->ex.host = ":";
	p->ex.may_lose = true;
	p->evs_tail = &p->evs;
	p->conns_tail = &p->conns;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->conn_cv, NULL);
	if ((p->evfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) < 0)
		fatal("eventfd");
	if (read_logins(o, &p->logins, &p->nfixed, &ndefault) < 0) {
		spawn_ex->ops->free(spawn_ex);
		close(p->evfd);
		hosts_list_release(&p->logins);
		free(p);
		return NULL;
	}
	ssh_init();
	find_files(p);
	compile_returns(p);
	wrapper_prefix(&p->prefix);
	p->hosts = xcalloc(p->logins.n, sizeof *p->hosts);
	p->ex.places = xcalloc(p->logins.n, sizeof *p->ex.places);
	for (i = 0; i < p->logins.n; i++) {
		const struct hosts_login *l = &p->logins.v[i];

		if (l->local) {
			spawn_ex->named_only = i >= ndefault;
			if (!p->local) {
				p->local = spawn_ex;
				spawn_ex->host = ":";
				spawn_ex->groups = l->groups;
				spawn_ex->hgrp = l->hgrp;
				spawn_ex->slots = l->slots
				    ? (size_t)l->slots
				    : (size_t)util_jobs_from_spec(
					  o->jobs_spec ? o->jobs_spec : "100%",
					  util_ncpu());
				p->ex.places[nplaces++] = spawn_ex;
			}
			continue;
		}
		p->hosts[p->nhosts] = host_new(p, l);
		p->hosts[p->nhosts]->fixed = i < p->nfixed || i >= ndefault;
		p->hosts[p->nhosts]->ex.named_only = i >= ndefault;
		p->ex.places[nplaces++] = &p->hosts[p->nhosts++]->ex;
	}
	p->ex.nplaces = nplaces;
	if (!p->local)
		spawn_ex->ops->free(spawn_ex);
	else {
		p->ex.fds_per_job = spawn_ex->fds_per_job;
		p->ex.polls_per_job = spawn_ex->polls_per_job;
		p->ex.polls_more = spawn_ex->polls_more;
	}
	p->ex.polls_more += 1;
	start_threads(p);
	connect_all(p);
	for (i = 0; i < nplaces; i++) {
		struct executor *pl = p->ex.places[i];

		if (!pl->slots && pl != p->local)
			pl->slots = host_slots(p, (struct shost *)pl, 0);
		if (!pl->gone)
			usable = true;
		total += pl->slots;
	}
	/* Room for the jobs of hosts the --slf file may add. */
	p->ex.slots_total = (total ? total : 1) + (o->slf ? SLF_MORE_SLOTS : 0);
	if (o->slf && stat(o->slf, &st) == 0)
		p->slf_mtime = st.st_mtim;
	p->slf_next = util_now() + SLF_RECHECK_NS;
	if (!usable) {
		error("no host can run jobs");
		pool_free(&p->ex);
		return NULL;
	}
	return &p->ex;
}

void
ssh_host_group_free(char **v)
{
	char **p;

	for (p = v; p && *p; p++)
		free(*p);
	free(v);
}
