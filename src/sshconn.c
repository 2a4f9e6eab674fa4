/*
 * Handshakes: connector threads connect, check the host key and
 * authenticate, one session each at a time, so that at most
 * --ssh-fanout handshakes run at once (sshd's MaxStartups drops more).
 * The session then goes to its host's worker.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"
#include "sshint.h"
#include "xalloc.h"

static void
enqueue(struct pool *p, struct conn_req *c)
{
	pthread_mutex_lock(&p->mu);
	*p->conns_tail = c;
	p->conns_tail = &c->next;
	pthread_cond_signal(&p->conn_cv);
	pthread_mutex_unlock(&p->mu);
}

/* Queue a handshake for h (main thread, or its worker). */
void
pool_connect(struct pool *p, struct shost *h, bool first)
{
	struct conn_req *c = xcalloc(1, sizeof *c);

	c->kind = CONN_SESSION;
	c->h = h;
	c->first = first;
	enqueue(p, c);
}

/* Files to send or fetch for a job, or a host's to remove. */
void
pool_conn_request(
    struct pool *p, enum conn_kind kind, struct shost *h, struct sjob *sj)
{
	struct conn_req *c = xcalloc(1, sizeof *c);

	c->kind = kind;
	c->h = h;
	c->sj = sj;
	enqueue(p, c);
}

/* "[host]:port" or "host", as known_hosts names a host. */
void
conn_known_name(const char *host, int port, char *dst, size_t len)
{
	if (port && port != 22)
		snprintf(dst, len, "[%s]:%d", host, port);
	else
		snprintf(dst, len, "%s", host);
}

/*
 * The line of file that holds a key for name, 0 when none is found (a
 * hashed entry cannot be matched here).
 */
unsigned
conn_known_line(const char *file, const char *name)
{
	FILE *fp = fopen(file, "re");
	char line[8192], *f, *save;
	unsigned n = 0, found = 0;
	size_t len = strlen(name);

	if (!fp)
		return 0;
	while (!found && fgets(line, sizeof line, fp)) {
		n++;
		f = line + strspn(line, " \t");
		if (*f == '@')
			f = strpbrk(f, " \t") ? strpbrk(f, " \t") + 1 : f;
		f[strcspn(f, " \t\n")] = '\0';
		for (f = strtok_r(f, ",", &save); f;
		     f = strtok_r(NULL, ",", &save))
			if (strlen(f) == len && memcmp(f, name, len) == 0)
				found = n;
	}
	fclose(fp);
	return found;
}

/* Check the host's key: 0, or -1 with why (permanent). */
static int
check_host_key(
    struct pool *p, struct shost *h, ssh_session s, char *why, size_t len)
{
	char *file = NULL, *host = NULL, name[HOSTS_NAME_MAX + 16];
	unsigned port = 0, line;
	enum ssh_known_hosts_e k = ssh_session_is_known_server(s);
	int rc = -1;

	ssh_options_get(s, SSH_OPTIONS_KNOWNHOSTS, &file);
	ssh_options_get_port(s, &port);
	/* The host as the config file resolved it (HostName). */
	if (ssh_options_get(s, SSH_OPTIONS_HOST, &host) < 0)
		host = NULL;
	conn_known_name(
	    host ? host : h->login->host, (int)port, name, sizeof name);
	ssh_string_free_char(host);
	switch (k) {
	case SSH_KNOWN_HOSTS_OK:
		rc = 0;
		break;
	case SSH_KNOWN_HOSTS_CHANGED:
	case SSH_KNOWN_HOSTS_OTHER:
		line = file ? conn_known_line(file, name) : 0;
		if (line)
			snprintf(why, len,
			    "its host key is not the one %s:%u has for %s: "
			    "refused (remove that line if the host's key "
			    "really changed)",
			    file, line, name);
		else
			snprintf(why, len,
			    "its host key is not the one %s has for %s: "
			    "refused",
			    file ? file : "known_hosts", name);
		break;
	case SSH_KNOWN_HOSTS_UNKNOWN:
	case SSH_KNOWN_HOSTS_NOT_FOUND:
		if (p->o->ssh_accept_new) {
			if (ssh_session_update_known_hosts(s) == SSH_OK) {
				rc = 0;
				break;
			}
			snprintf(why, len,
			    "cannot record its host key in %s: %s",
			    file ? file : "known_hosts", ssh_get_error(s));
			break;
		}
		snprintf(why, len,
		    "its host key is not known (%s has no %s): refused; "
		    "--ssh-accept-new records it",
		    file ? file : "known_hosts", name);
		break;
	default:
		snprintf(why, len, "cannot check its host key: %s",
		    ssh_get_error(s));
		break;
	}
	ssh_string_free_char(file);
	return rc;
}

/* The host's CPU count, asked once; 0 when it cannot be learnt. */
static int
ask_cpus(ssh_session s)
{
	ssh_channel ch = ssh_channel_new(s);
	char buf[32];
	int n = 0, got = 0, rc;

	if (!ch)
		return 0;
	if (ssh_channel_open_session(ch) == SSH_OK &&
	    ssh_channel_request_exec(ch,
		"nproc 2>/dev/null || getconf _NPROCESSORS_ONLN") == SSH_OK) {
		while (got < (int)sizeof buf - 1 &&
		    (rc = ssh_channel_read_timeout(
			 ch, buf + got, sizeof buf - 1 - got, 0, 10000)) > 0)
			got += rc;
		buf[got] = '\0';
		n = atoi(buf);
	}
	/* Closing a channel that never opened makes sshd drop the session. */
	if (ssh_channel_is_open(ch))
		ssh_channel_close(ch);
	ssh_channel_free(ch);
	return n > 0 ? n : 0;
}

/* why: what libssh refused, and its reason when it gives one. -1. */
static int
refused(ssh_session s, char *why, size_t len, const char *what)
{
	const char *msg = ssh_get_error(s);

	snprintf(
	    why, len, "libssh refuses %s%s%s", what, *msg ? ": " : "", msg);
	return -1;
}

/* Options from the login, the config file and fanout's settings. */
int
conn_options(
    struct pool *p, struct shost *h, ssh_session s, char *why, size_t len)
{
	const struct hosts_login *l = h->login;
	/* Seconds and microseconds, which libssh adds: 0.5 is 0.5 s. */
	long timeout = (long)p->o->ssh_timeout;
	long usec = (long)((p->o->ssh_timeout - (double)timeout) * 1e6);
	int yes = 1, no = 0;

	/* Both 0 would be libssh's default (10 s): 1 ms at least. */
	if (timeout == 0 && usec < 1000)
		usec = 1000;
	ssh_options_set(s, SSH_OPTIONS_PROCESS_CONFIG, &no);
	if (p->ssh_dir)
		ssh_options_set(s, SSH_OPTIONS_SSH_DIR, p->ssh_dir);
	/* libssh 0.10.6 refuses some names (a_b, a.-b) and says nothing. */
	if (ssh_options_set(s, SSH_OPTIONS_HOST, l->host) < 0)
		return refused(s, why, len, "it as a host name");
	/* The file first, then what the login says over it. */
	if (p->config && ssh_options_parse_config(s, p->config) < 0)
		return refused(s, why, len, "the ssh config file");
	if (l->user && ssh_options_set(s, SSH_OPTIONS_USER, l->user) < 0)
		return refused(s, why, len, "the user name");
	if (l->port && ssh_options_set(s, SSH_OPTIONS_PORT, &l->port) < 0)
		return refused(s, why, len, "the port");
	ssh_options_set(s, SSH_OPTIONS_TIMEOUT, &timeout);
	ssh_options_set(s, SSH_OPTIONS_TIMEOUT_USEC, &usec);
	ssh_options_set(s, SSH_OPTIONS_NODELAY, &yes);
	return 0;
}

/*
 * A session to h, connected and authenticated: NULL with why, and
 * *permanent when trying again cannot help (the host key, the keys).
 */
ssh_session
handshake(
    struct pool *p, struct shost *h, char *why, size_t len, bool *permanent)
{
	ssh_session s = ssh_new();
	int rc;

	*permanent = false;
	if (!s) {
		snprintf(why, len, "out of memory");
		return NULL;
	}
	if (conn_options(p, h, s, why, len) < 0) {
		*permanent = true;
		goto fail;
	}
	if (ssh_connect(s) != SSH_OK) {
		snprintf(why, len, "cannot connect: %s", ssh_get_error(s));
		goto fail;
	}
	if (check_host_key(p, h, s, why, len) < 0) {
		*permanent = true;
		goto fail;
	}
	rc = ssh_userauth_publickey_auto(s, NULL, NULL);
	if (rc != SSH_AUTH_SUCCESS) {
		snprintf(why, len,
		    "authentication failed (ssh-agent and identity files "
		    "tried; fanout never asks for a password)%s%s",
		    rc == SSH_AUTH_ERROR ? ": " : "",
		    rc == SSH_AUTH_ERROR ? ssh_get_error(s) : "");
		*permanent = rc != SSH_AUTH_ERROR;
		goto fail;
	}
	return s;
fail:
	ssh_disconnect(s);
	ssh_free(s);
	return NULL;
}

static void
connect_one(struct pool *p, struct conn_req *c)
{
	struct shost *h = c->h;
	struct req *r;
	char why[1024];
	bool permanent;
	ssh_session s = handshake(p, h, why, sizeof why, &permanent);
	int cpus = 0;

	r = xcalloc(1, sizeof *r);
	r->type = REQ_SESSION;
	r->h = h;
	if (!s) {
		/* The worker knows whether the host has other sessions. */
		r->why = xstrdup(why);
		r->permanent = permanent;
		worker_request(h->w, r);
		return;
	}
	if (c->first && !h->login->slots)
		cpus = ask_cpus(s);
	ssh_set_blocking(s, 0);
	r->session = s;
	/* The worker says the host is up once it has the session. */
	r->sig = cpus;
	worker_request(h->w, r);
}

void *
connector_main(void *arg)
{
	struct pool *p = arg;
	struct conn_req *c;
	for (;;) {
		pthread_mutex_lock(&p->mu);
		while (!p->conns && !p->quit)
			pthread_cond_wait(&p->conn_cv, &p->mu);
		if (p->quit) {
			pthread_mutex_unlock(&p->mu);
			return NULL;
		}
		c = p->conns;
		if (!(p->conns = c->next))
			p->conns_tail = &p->conns;
		pthread_mutex_unlock(&p->mu);
		switch (c->kind) {
		case CONN_SESSION:
			connect_one(p, c);
			break;
		case CONN_SEND:
			files_send(p, c->sj);
			break;
		case CONN_FETCH:
			files_fetch(p, c->sj);
			break;
		case CONN_END:
			files_end(p, c->h);
			break;
		}
		free(c);
	}
}
