/*
 * Host threads: each owns the sessions of its hosts and the channels of
 * their jobs, all non-blocking under one ssh_event. It takes requests
 * from the main thread (start, signal, abandon, free) and gives back
 * events; it never touches a job's state or output.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "options.h"
#include "sshint.h"
#include "util.h"
#include "xalloc.h"

#define IDLE_POLL_MS 1000
/*
 * A job sent SIGKILL that has not ended this long after (no exit status
 * came): the connection no longer answers (the host stopped, or its network
 * went without a word). The job ends here as killed; the connection is dropped,
 * as a lost one is (its other jobs still running run again elsewhere).
 */
#define KILL_GRACE_NS (2 * 1000000000LL)
#define REFUSE_GRACE_NS (2 * 1000000000LL)
/* Between two tries of a refused channel, in that grace. */
#define REFUSE_PAUSE_NS (50 * 1000000LL)

void
worker_request(struct worker *w, struct req *r)
{
	r->next = NULL;
	pthread_mutex_lock(&w->mu);
	*w->reqs_tail = r;
	w->reqs_tail = &r->next;
	pthread_mutex_unlock(&w->mu);
	(void)!write(w->wake[1], "", 1);
}

void
pool_event(struct pool *p, enum ev_type type, struct shost *h, struct sjob *sj,
    int a, int b, const void *data, size_t n)
{
	struct ev *e = xmalloc(sizeof *e + n);
	uint64_t one = 1;

	e->next = NULL;
	e->type = type;
	e->h = h;
	e->sj = sj;
	e->a = a;
	e->b = b;
	e->n = n;
	if (n)
		memcpy(e->data, data, n);
	pthread_mutex_lock(&p->mu);
	*p->evs_tail = e;
	p->evs_tail = &e->next;
	pthread_mutex_unlock(&p->mu);
	(void)!write(p->evfd, &one, sizeof one);
}

static int
on_data(ssh_session s, ssh_channel ch, void *data, uint32_t len, int is_stderr,
    void *arg)
{
	struct sjob *sj = arg;

	(void)s, (void)ch;
	if (!sj->abandoned && len)
		pool_event(sj->h->pool, EV_DATA, sj->h, sj, is_stderr ? 2 : 1,
		    0, data, len);
	return (int)len;
}

static void
on_exit_status(ssh_session s, ssh_channel ch, int status, void *arg)
{
	struct sjob *sj = arg;

	(void)s, (void)ch;
	if (sj->exited)
		return;
	sj->exited = true;
	pool_event(sj->h->pool, EV_EXITED, sj->h, sj, status, 0, NULL, 0);
}

/* "TERM" -> 15; 0 for a name not known here. */
static int
signal_number(const char *name)
{
	const char *abbrev;
	int i;

	for (i = 1; i < NSIG; i++)
		if ((abbrev = sigabbrev_np(i)) && strcmp(abbrev, name) == 0)
			return i;
	return 0;
}

static void
on_exit_signal(ssh_session s, ssh_channel ch, const char *sig, int core,
    const char *msg, const char *lang, void *arg)
{
	struct sjob *sj = arg;
	int n = signal_number(sig);

	(void)s, (void)ch, (void)core, (void)msg, (void)lang;
	if (sj->exited)
		return;
	sj->exited = true;
	pool_event(
	    sj->h->pool, EV_EXITED, sj->h, sj, n ? 0 : 255, n ? n : 0, NULL, 0);
}

static void
on_close(ssh_session s, ssh_channel ch, void *arg)
{
	struct sjob *sj = arg;

	(void)s, (void)ch;
	sj->closed = true;
}

static void
unlink_active(struct worker *w, struct sjob *sj)
{
	struct sjob **pp;

	for (pp = &w->active; *pp; pp = &(*pp)->next)
		if (*pp == sj) {
			*pp = sj->next;
			break;
		}
	sj->next = NULL;
}

/*
 * The job is over here: its channel goes, and the main thread gets its
 * last event. sj is not touched again till the main thread frees it.
 */
static void
finish(struct worker *w, struct sjob *sj, enum ev_type last, int a,
    const char *why)
{
	struct pool *p = w->pool;

	if (sj->ch) {
		unlink_active(w, sj);
		ssh_remove_channel_callbacks(sj->ch, &sj->cb);
		ssh_channel_free(sj->ch);
		sj->ch = NULL;
		sj->sess->nchan--;
	}
	sj->phase = SJ_DONE;
	/* --return, --cleanup: a connector closes it once that is done. */
	if (last == EV_CLOSED && !sj->abandoned &&
	    (sj->fetch || (p->o->cleanup && sj->send))) {
		pool_conn_request(p, CONN_FETCH, sj->h, sj);
		return;
	}
	pool_event(p, last, sj->h, sj, a, 0, why, why ? strlen(why) + 1 : 0);
}

/* Its last event: closed, after exited if that has not come (a job
 * abandoned, a channel closed with no status): 255 then. */
static void
close_job(struct worker *w, struct sjob *sj)
{
	if (!sj->exited) {
		sj->exited = true;
		pool_event(w->pool, EV_EXITED, sj->h, sj, 255, 0, NULL, 0);
	}
	finish(w, sj, EV_CLOSED, 0, NULL);
}

/* Take a queued job off its host's queue. */
static bool
unqueue(struct sjob *sj)
{
	struct shost *h = sj->h;
	struct sjob **pp;

	for (pp = &h->queue; *pp; pp = &(*pp)->next)
		if (*pp == sj) {
			if (!(*pp = sj->next))
				h->queue_tail = pp;
			sj->next = NULL;
			return true;
		}
	return false;
}

static void
enqueue(struct sjob *sj, bool front)
{
	struct shost *h = sj->h;

	if (front) {
		if (!(sj->next = h->queue))
			h->queue_tail = &sj->next;
		h->queue = sj;
		return;
	}
	sj->next = NULL;
	*h->queue_tail = sj;
	h->queue_tail = &sj->next;
}

/* A job told to stop before its command ran: it ends by that signal. */
static void
stop_early(struct worker *w, struct sjob *sj, int sig)
{
	if (sj->phase == SJ_QUEUED)
		unqueue(sj);
	pool_event(w->pool, EV_EXITED, sj->h, sj, 0, sig, NULL, 0);
	sj->exited = true;
	finish(w, sj, EV_CLOSED, 0, NULL);
}

static void
do_signal(struct worker *w, struct sjob *sj, int sig)
{
	int len;

	switch (sj->phase) {
	case SJ_FILES:
		sj->stop_sig = sig;
		break;
	case SJ_QUEUED:
	case SJ_OPENING:
	case SJ_EXEC:
		stop_early(w, sj, sig);
		break;
	case SJ_RUNNING:
		/* The wrapper reads signal numbers, a line each. */
		len = snprintf(
		    sj->ctl + sj->nctl, sizeof sj->ctl - sj->nctl, "%d\n", sig);
		if (len > 0 && (size_t)len < sizeof sj->ctl - sj->nctl)
			sj->nctl += (size_t)len;
		sj->sent_sig = sig;
		if (sig == SIGKILL && !sj->kill_by)
			sj->kill_by = util_now() + KILL_GRACE_NS;
		break;
	case SJ_DONE:
		break;
	}
}

static void
add_session(struct worker *w, struct req *r)
{
	struct shost *h = r->h;
	struct sess *s;

	if (h->nwanted)
		h->nwanted--;
	if (!r->session) {
		/* A handshake failed: the host is down if it has no other. */
		h->no_more = h->nsess > 0;
		if (h->nsess == 0) {
			pool_event(w->pool, EV_HOST_DOWN, h, NULL, r->permanent,
			    0, r->why, strlen(r->why) + 1);
			while (h->queue) {
				struct sjob *sj = h->queue;

				unqueue(sj);
				finish(w, sj, EV_LOST, 0, r->why);
			}
		}
		free(r->why);
		return;
	}
	h->no_more = false;
	s = xcalloc(1, sizeof *s);
	s->h = h;
	s->s = r->session;
	s->next = w->sessions;
	w->sessions = s;
	ssh_event_add_session(w->event, s->s);
	if (h->nsess++ == 0)
		pool_event(w->pool, EV_HOST_UP, h, NULL, r->sig, 0, NULL, 0);
}

static void
free_paths(char **v)
{
	char **p;

	for (p = v; p && *p; p++)
		free(*p);
	free(v);
}

static void
handle(struct worker *w, struct req *r)
{
	struct sjob *sj = r->sj;

	switch (r->type) {
	case REQ_START:
		if (sj->phase == SJ_FILES && (sj->stop_sig || sj->abandoned)) {
			/* Stopped while its files were on their way. */
			sj->phase = SJ_QUEUED;
			if (sj->stop_sig)
				stop_early(w, sj, sj->stop_sig);
			else
				close_job(w, sj);
			break;
		}
		sj->phase = SJ_QUEUED;
		if (sj->h->nsess == 0 && sj->h->nwanted == 0)
			finish(w, sj, EV_LOST, 0, "not connected");
		else
			enqueue(sj, false);
		break;
	case REQ_SIGNAL:
		do_signal(w, sj, r->sig);
		break;
	case REQ_ABANDON:
		if (sj->phase == SJ_FILES) {
			sj->abandoned = true;
			break;
		}
		if (sj->phase != SJ_DONE) {
			if (sj->phase == SJ_QUEUED)
				unqueue(sj);
			sj->abandoned = true;
			close_job(w, sj);
		}
		break;
	case REQ_FREE:
		free_paths(sj->send);
		free_paths(sj->fetch);
		free(sj->cmd);
		free(sj);
		break;
	case REQ_SESSION:
		add_session(w, r);
		break;
	case REQ_ADD_HOST:
		w->hosts =
		    xreallocarray(w->hosts, w->nhosts + 1, sizeof *w->hosts);
		w->hosts[w->nhosts++] = r->h;
		break;
	}
}

/* Requests from the main thread; false once the worker is to quit. */
static bool
take_requests(struct worker *w)
{
	struct req *r, *next;
	bool quit;

	pthread_mutex_lock(&w->mu);
	r = w->reqs;
	w->reqs = NULL;
	w->reqs_tail = &w->reqs;
	quit = w->quit;
	pthread_mutex_unlock(&w->mu);
	for (; r; r = next) {
		next = r->next;
		handle(w, r);
		free(r);
	}
	return !quit;
}

static int
on_wake(socket_t fd, int revents, void *arg)
{
	char buf[256];

	(void)revents, (void)arg;
	while (read(fd, buf, sizeof buf) > 0)
		;
	return 0;
}

/* A session of h with room for another channel, or NULL. */
static struct sess *
free_session(struct worker *w, struct shost *h)
{
	struct sess *s;

	for (s = w->sessions; s; s = s->next)
		if (s->h == h && s->nchan < h->per_sess && !s->stalled)
			return s;
	return NULL;
}

static void
open_channels(struct worker *w, struct shost *h)
{
	struct sjob *sj;
	struct sess *s;

	if (h->queue && h->open_at) {
		if (util_now() < h->open_at)
			return;
		h->open_at = 0;
	}
	while ((sj = h->queue)) {
		if (!(s = free_session(w, h))) {
			/*
			 * More jobs than channels: another session, unless
			 * one failed (they wait for the channels there are).
			 */
			if (h->nsess && !h->nwanted && !h->no_more) {
				h->nwanted++;
				pool_connect(w->pool, h, false);
			}
			return;
		}
		unqueue(sj);
		if (!(sj->ch = ssh_channel_new(s->s))) {
			finish(w, sj, EV_LOST, 0, "cannot make a channel");
			continue;
		}
		sj->sess = s;
		s->nchan++;
		ssh_callbacks_init(&sj->cb);
		sj->cb.userdata = sj;
		sj->cb.channel_data_function = on_data;
		sj->cb.channel_exit_status_function = on_exit_status;
		sj->cb.channel_exit_signal_function = on_exit_signal;
		sj->cb.channel_close_function = on_close;
		ssh_set_channel_callbacks(sj->ch, &sj->cb);
		sj->phase = SJ_OPENING;
		sj->next = w->active;
		w->active = sj;
	}
}

/*
 * Whether a session that refused its only channel refuses them all
 * (MaxSessions 0): it has done so for REFUSE_GRACE_NS. Before that it
 * may only be late to free the slot of a channel just closed (sshd
 * refuses the next open for a moment): the open is tried again.
 */
static bool
refuses_all(struct sess *s)
{
	int64_t now = util_now();

	if (!s->refused_since)
		s->refused_since = now;
	return now - s->refused_since >= REFUSE_GRACE_NS;
}

/* Open refused (sshd's MaxSessions): fewer per session, try again. */
static void
open_refused(struct worker *w, struct sjob *sj)
{
	struct sess *s = sj->sess;
	struct shost *h = sj->h;

	unlink_active(w, sj);
	ssh_remove_channel_callbacks(sj->ch, &sj->cb);
	ssh_channel_free(sj->ch);
	sj->ch = NULL;
	s->nchan--;
	if (s->nchan == 0 && refuses_all(s)) {
		char why[HOSTS_NAME_MAX + 64];

		snprintf(why, sizeof why,
		    "host %s refuses every channel (sshd's MaxSessions?)",
		    h->ex.host);
		finish(w, sj, EV_FAILED, 255, why);
		return;
	}
	/* Its only channel refused: a pause before the next try. */
	if (s->nchan == 0)
		h->open_at = util_now() + REFUSE_PAUSE_NS;
	if (s->nchan && s->nchan < h->per_sess)
		h->per_sess = s->nchan;
	sj->phase = SJ_QUEUED;
	enqueue(sj, true);
}

/*
 * A job whose end will not be heard of: it ends by its exit status if
 * that came, else as killed by the last signal fanout sent it (fanout
 * signals a job only to stop it: it must not run again).
 */
static void
end_killed(struct worker *w, struct sjob *sj)
{
	if (!sj->exited) {
		sj->exited = true;
		pool_event(w->pool, EV_EXITED, sj->h, sj, 0,
		    sj->sent_sig ? sj->sent_sig : SIGKILL, NULL, 0);
	}
	finish(w, sj, EV_CLOSED, 0, NULL);
}

/*
 * Killed, and not a word since: the connection stalled. (A job whose
 * exit came but whose channel stays open, held by a process that left
 * its group, is the main thread's to abandon: the host answers.)
 */
static void
give_up(struct worker *w, struct sjob *sj)
{
	static const char why[] = "a job did not end within 2 s of SIGKILL: "
				  "given up as killed";

	pool_event(w->pool, EV_WARN, sj->h, NULL, 0, 0, why, sizeof why);
	sj->sess->stalled = true;
	end_killed(w, sj);
}

static void
step(struct worker *w, struct sjob *sj)
{
	int rc;

	if (sj->phase == SJ_OPENING) {
		rc = ssh_channel_open_session(sj->ch);
		if (rc == SSH_AGAIN)
			return;
		if (rc != SSH_OK) {
			if (ssh_is_connected(sj->sess->s))
				open_refused(w, sj);
			return;
		}
		sj->sess->refused_since = 0;
		sj->phase = SJ_EXEC;
	}
	if (sj->phase == SJ_EXEC) {
		rc = ssh_channel_request_exec(sj->ch, sj->cmd);
		if (rc == SSH_AGAIN)
			return;
		if (rc != SSH_OK) {
			if (ssh_is_connected(sj->sess->s))
				finish(w, sj, EV_FAILED, 255,
				    "the host would not run the command");
			return;
		}
		sj->phase = SJ_RUNNING;
		pool_event(w->pool, EV_STARTED, sj->h, sj, 0, 0, NULL, 0);
	}
	if (sj->nctl) {
		rc = ssh_channel_write(sj->ch, sj->ctl, (uint32_t)sj->nctl);
		if (rc > 0) {
			memmove(sj->ctl, sj->ctl + rc, sj->nctl - (size_t)rc);
			sj->nctl -= (size_t)rc;
		}
	}
	if (sj->closed)
		close_job(w, sj);
	else if (sj->kill_by && !sj->exited && util_now() >= sj->kill_by)
		give_up(w, sj);
}

/* A session that went away: its jobs are lost, maybe the host is down. */
static void
drop_session(struct worker *w, struct sess *s)
{
	struct shost *h = s->h;
	struct sjob *sj, *next;
	char why[512];

	snprintf(why, sizeof why, "connection lost: %s",
	    s->stalled		       ? "it does not answer"
		: *ssh_get_error(s->s) ? ssh_get_error(s->s)
				       : "closed");
	/* The host is down before its jobs are lost: none goes back to it. */
	if (--h->nsess == 0)
		pool_event(
		    w->pool, EV_HOST_DOWN, h, NULL, 0, 0, why, strlen(why) + 1);
	/*
	 * Only a job still running, not being stopped, is lost (it runs
	 * again): one whose exit came ends so; one fanout signalled (its
	 * --timeout, --halt now, a stop) ends killed by that signal.
	 */
	for (sj = w->active; sj; sj = next) {
		next = sj->next;
		if (sj->sess != s)
			continue;
		if (sj->closed)
			close_job(w, sj);
		else if (sj->exited || sj->sent_sig)
			end_killed(w, sj);
		else
			finish(w, sj, EV_LOST, 0, why);
	}
	ssh_event_remove_session(w->event, s->s);
	ssh_disconnect(s->s);
	ssh_free(s->s);
	while (h->nsess == 0 && (sj = h->queue)) {
		unqueue(sj);
		finish(w, sj, EV_LOST, 0, why);
	}
	free(s);
}

static void
check_sessions(struct worker *w)
{
	struct sess **pp = &w->sessions, *s;

	while ((s = *pp)) {
		if (!s->stalled && ssh_is_connected(s->s) &&
		    !(ssh_get_status(s->s) & (SSH_CLOSED | SSH_CLOSED_ERROR))) {
			pp = &s->next;
			continue;
		}
		*pp = s->next;
		drop_session(w, s);
	}
}

/* How long to wait for the sessions: less when an open is to be tried. */
static int
poll_ms(struct worker *w)
{
	int64_t now = util_now(), left;
	int ms = w->active ? 100 : IDLE_POLL_MS;
	size_t i;

	for (i = 0; i < w->nhosts; i++) {
		if (!w->hosts[i]->queue || !w->hosts[i]->open_at)
			continue;
		left = (w->hosts[i]->open_at - now) / 1000000 + 1;
		if (left < ms)
			ms = left < 0 ? 0 : (int)left;
	}
	return ms;
}

static void
pump(struct worker *w)
{
	struct sjob *sj, *next;
	size_t i;

	for (i = 0; i < w->nhosts; i++)
		open_channels(w, w->hosts[i]);
	for (sj = w->active; sj; sj = next) {
		next = sj->next;
		step(w, sj);
	}
}

void *
worker_main(void *arg)
{
	struct worker *w = arg;
	struct sess *s;
	ssh_event_add_fd(w->event, w->wake[0], POLLIN, on_wake, w);
	while (take_requests(w)) {
		pump(w);
		ssh_event_dopoll(w->event, poll_ms(w));
		check_sessions(w);
		pump(w);
	}
	ssh_event_remove_fd(w->event, w->wake[0]);
	while ((s = w->sessions)) {
		w->sessions = s->next;
		ssh_event_remove_session(w->event, s->s);
		ssh_disconnect(s->s);
		ssh_free(s->s);
		free(s);
	}
	return NULL;
}
