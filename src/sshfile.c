/*
 * Files over SFTP (--transfer, --return, --cleanup, --basefile), on the
 * connector threads: SFTP is blocking, so each host has a session of its
 * own for it, used by one connector at a time (fmu), never the worker's.
 *
 * A job with files to send goes to a connector first (CONN_SEND), then
 * to its worker; a job with files to fetch or remove goes back to a
 * connector when it ended (CONN_FETCH), which then closes it.
 *
 * Remote paths: an absolute path is the same there; a relative one is
 * relative to --workdir, else to the login's home (as GNU parallel).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "options.h"
#include "sshint.h"
#include "xalloc.h"

#define CHUNK 65536

static char *
remote_path(const struct pool *p, const char *local)
{
	if (local[0] == '/' || !p->o->workdir)
		return xstrdup(local);
	return xasprintf("%s/%s", p->o->workdir, local);
}

/* The host's SFTP session, made on first use: NULL with why. */
static sftp_session
host_sftp(struct pool *p, struct shost *h, char *why, size_t len)
{
	bool permanent;

	if (h->sftp)
		return h->sftp;
	if (!h->fs && !(h->fs = handshake(p, h, why, len, &permanent)))
		return NULL;
	if (!(h->sftp = sftp_new(h->fs)) || sftp_init(h->sftp) != SSH_OK) {
		snprintf(why, len, "SFTP: %s", ssh_get_error(h->fs));
		if (h->sftp)
			sftp_free(h->sftp);
		h->sftp = NULL;
		ssh_disconnect(h->fs);
		ssh_free(h->fs);
		h->fs = NULL;
		return NULL;
	}
	return h->sftp;
}

/* mkdir -p of path's directory, with mkdir() here or sftp_mkdir() there. */
static void
make_dirs(const char *path, sftp_session sftp)
{
	char *d = xstrdup(path), *s;

	for (s = strchr(d + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		if (sftp)
			sftp_mkdir(sftp, d, 0755);
		else
			mkdir(d, 0755);
		*s = '/';
	}
	free(d);
}

static int
send_file(
    struct pool *p, sftp_session sftp, const char *local, char *why, size_t len)
{
	char *remote = remote_path(p, local), buf[CHUNK];
	int fd = open(local, O_RDONLY | O_CLOEXEC), rc = -1;
	sftp_file f = NULL;
	struct stat st;
	ssize_t n;

	if (fd < 0 || fstat(fd, &st) < 0) {
		snprintf(
		    why, len, "cannot read %s: %s", local, strerror(errno));
		goto out;
	}
	make_dirs(remote, sftp);
	f = sftp_open(
	    sftp, remote, O_WRONLY | O_CREAT | O_TRUNC, st.st_mode & 0777);
	if (!f)
		goto fail;
	while ((n = read(fd, buf, sizeof buf)) > 0)
		if (sftp_write(f, buf, (size_t)n) != n)
			goto fail;
	if (n < 0) {
		snprintf(
		    why, len, "cannot read %s: %s", local, strerror(errno));
		goto out;
	}
	rc = 0;
	goto out;
fail:
	snprintf(why, len, "cannot write %s there (SFTP error %d)", remote,
	    sftp_get_error(sftp));
out:
	if (f)
		sftp_close(f);
	if (fd >= 0)
		close(fd);
	free(remote);
	return rc;
}

static int
fetch_file(
    struct pool *p, sftp_session sftp, const char *local, char *why, size_t len)
{
	char *remote = remote_path(p, local), buf[CHUNK];
	sftp_file f = sftp_open(sftp, remote, O_RDONLY, 0);
	int fd = -1, rc = -1;
	ssize_t n;

	if (!f) {
		snprintf(why, len, "cannot read %s there (SFTP error %d)",
		    remote, sftp_get_error(sftp));
		goto out;
	}
	make_dirs(local, NULL);
	if ((fd = open(local, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) <
	    0) {
		snprintf(
		    why, len, "cannot write %s: %s", local, strerror(errno));
		goto out;
	}
	while ((n = sftp_read(f, buf, sizeof buf)) > 0)
		if (write(fd, buf, (size_t)n) != n) {
			snprintf(why, len, "cannot write %s: %s", local,
			    strerror(errno));
			goto out;
		}
	if (n < 0) {
		snprintf(why, len, "cannot read %s there (SFTP error %d)",
		    remote, sftp_get_error(sftp));
		goto out;
	}
	rc = 0;
out:
	if (f)
		sftp_close(f);
	if (fd >= 0 && close(fd) < 0 && rc == 0) {
		snprintf(
		    why, len, "cannot write %s: %s", local, strerror(errno));
		rc = -1;
	}
	free(remote);
	return rc;
}

static void
remove_files(
    struct pool *p, sftp_session sftp, const char *const *files, size_t n)
{
	char *remote;
	size_t i;

	for (i = 0; files && i < n && files[i]; i++) {
		remote = remote_path(p, files[i]);
		sftp_unlink(sftp, remote);
		free(remote);
	}
}

/* The base files (once per host) and the job's, then the job runs. */
void
files_send(struct pool *p, struct sjob *sj)
{
	struct shost *h = sj->h;
	const struct options *o = p->o;
	sftp_session sftp;
	char why[1024];
	struct req *r;
	size_t i;
	int rc = -1;

	pthread_mutex_lock(&h->fmu);
	if (!(sftp = host_sftp(p, h, why, sizeof why)))
		goto out;
	for (i = 0; !h->based && i < o->basefiles.n; i++)
		if (send_file(p, sftp, o->basefiles.v[i], why, sizeof why) < 0)
			goto out;
	h->based = true;
	for (i = 0; sj->send && sj->send[i]; i++)
		if (send_file(p, sftp, sj->send[i], why, sizeof why) < 0)
			goto out;
	rc = 0;
out:
	/* The session may be what failed: a new one next time. */
	if (rc < 0)
		files_close(h);
	pthread_mutex_unlock(&h->fmu);
	if (rc < 0) {
		pool_event(p, EV_FAILED, h, sj, 255, 0, why, strlen(why) + 1);
		return;
	}
	r = xcalloc(1, sizeof *r);
	r->type = REQ_START;
	r->sj = sj;
	worker_request(h->w, r);
}

/* The job ended: its --return files come back, --cleanup removes. */
void
files_fetch(struct pool *p, struct sjob *sj)
{
	struct shost *h = sj->h;
	sftp_session sftp;
	char why[1024], *msg;
	bool failed = false;
	size_t i;

	pthread_mutex_lock(&h->fmu);
	if (!(sftp = host_sftp(p, h, why, sizeof why))) {
		pthread_mutex_unlock(&h->fmu);
		msg = xasprintf("fanout: --return: %s\n", why);
		pool_event(p, EV_DATA, h, sj, 2, 0, msg, strlen(msg));
		free(msg);
		pool_event(p, EV_CLOSED, h, sj, 0, 0, NULL, 0);
		return;
	}
	for (i = 0; sj->fetch && sj->fetch[i]; i++)
		if (fetch_file(p, sftp, sj->fetch[i], why, sizeof why) < 0) {
			msg = xasprintf("fanout: --return: %s\n", why);
			pool_event(p, EV_DATA, h, sj, 2, 0, msg, strlen(msg));
			free(msg);
			failed = true;
		}
	if (p->o->cleanup) {
		remove_files(p, sftp, (const char *const *)sj->send, SIZE_MAX);
		remove_files(p, sftp, (const char *const *)sj->fetch, SIZE_MAX);
	}
	if (failed)
		files_close(h);
	pthread_mutex_unlock(&h->fmu);
	pool_event(p, EV_CLOSED, h, sj, 0, 0, NULL, 0);
}

/* --cleanup at the end: the base files go. */
void
files_end(struct pool *p, struct shost *h)
{
	char why[1024];
	sftp_session sftp;

	pthread_mutex_lock(&h->fmu);
	if (h->based && (sftp = host_sftp(p, h, why, sizeof why)))
		remove_files(p, sftp, p->o->basefiles.v, p->o->basefiles.n);
	pthread_mutex_unlock(&h->fmu);
	pthread_mutex_lock(&p->mu);
	p->ends--;
	pthread_cond_broadcast(&p->conn_cv);
	pthread_mutex_unlock(&p->mu);
}

void
files_close(struct shost *h)
{
	if (h->sftp)
		sftp_free(h->sftp);
	if (h->fs) {
		ssh_disconnect(h->fs);
		ssh_free(h->fs);
	}
	h->sftp = NULL;
	h->fs = NULL;
}
