/*
 * What ssh.c (the main thread's side), sshwork.c (host threads) and
 * sshconn.c (handshakes) share. Nothing else includes it.
 *
 * Threads: the main thread owns struct pool's host states and every
 * job handle; a host thread (struct worker) owns its hosts' sessions and
 * channels; a connector thread owns a session only while it connects
 * it, then hands it to the host's worker. They talk through queues under
 * pool.mu (events to the main thread, with a wake-up eventfd; handshakes
 * to connectors, with conn_cv) and worker.mu (requests to a worker, with
 * its wake-up pipe).
 */
#ifndef SSHINT_H
#define SSHINT_H

#include <libssh/callbacks.h>
#include <libssh/libssh.h>
#include <libssh/sftp.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "buf.h"
#include "executor.h"
#include "hosts.h"

/*
 * libssh is loaded when a run has hosts (sshlib_load()), not linked: its
 * libraries (libcrypto, GSS-API) cost every run of fanout 20 ms or more
 * to load. Its functions are called through sshlib, by their own names.
 */
#define SSHLIB_FUNCS(X)                                                        \
	X(ssh_channel_close)                                                   \
	X(ssh_channel_free)                                                    \
	X(ssh_channel_is_open)                                                 \
	X(ssh_channel_new)                                                     \
	X(ssh_channel_open_session)                                            \
	X(ssh_channel_read_timeout)                                            \
	X(ssh_channel_request_exec)                                            \
	X(ssh_channel_write)                                                   \
	X(ssh_connect)                                                         \
	X(ssh_disconnect)                                                      \
	X(ssh_event_add_fd)                                                    \
	X(ssh_event_add_session)                                               \
	X(ssh_event_dopoll)                                                    \
	X(ssh_event_free)                                                      \
	X(ssh_event_new)                                                       \
	X(ssh_event_remove_fd)                                                 \
	X(ssh_event_remove_session)                                            \
	X(ssh_finalize)                                                        \
	X(ssh_free)                                                            \
	X(ssh_get_error)                                                       \
	X(ssh_get_status)                                                      \
	X(ssh_init)                                                            \
	X(ssh_is_connected)                                                    \
	X(ssh_new)                                                             \
	X(ssh_options_get)                                                     \
	X(ssh_options_get_port)                                                \
	X(ssh_options_parse_config)                                            \
	X(ssh_options_set)                                                     \
	X(ssh_remove_channel_callbacks)                                        \
	X(ssh_session_is_known_server)                                         \
	X(ssh_session_update_known_hosts)                                      \
	X(ssh_set_blocking)                                                    \
	X(ssh_set_channel_callbacks)                                           \
	X(ssh_string_free_char)                                                \
	X(ssh_userauth_publickey_auto)                                         \
	X(sftp_new)                                                            \
	X(sftp_free)                                                           \
	X(sftp_init)                                                           \
	X(sftp_get_error)                                                      \
	X(sftp_close)                                                          \
	X(sftp_open)                                                           \
	X(sftp_read)                                                           \
	X(sftp_write)                                                          \
	X(sftp_unlink)                                                         \
	X(sftp_mkdir)

struct sshlib {
#define SSHLIB_POINTER(f) __typeof__(f) *f;
	SSHLIB_FUNCS(SSHLIB_POINTER)
#undef SSHLIB_POINTER
};

extern struct sshlib sshlib;

/* Load libssh: 0, or -1 after a message. */
int sshlib_load(void);

#ifndef SSHLIB_NO_NAMES
#define sftp_new (sshlib.sftp_new)
#define sftp_free (sshlib.sftp_free)
#define sftp_init (sshlib.sftp_init)
#define sftp_get_error (sshlib.sftp_get_error)
#define sftp_close (sshlib.sftp_close)
#define sftp_open (sshlib.sftp_open)
#define sftp_read (sshlib.sftp_read)
#define sftp_write (sshlib.sftp_write)
#define sftp_unlink (sshlib.sftp_unlink)
#define sftp_mkdir (sshlib.sftp_mkdir)
#define ssh_channel_close (sshlib.ssh_channel_close)
#define ssh_channel_free (sshlib.ssh_channel_free)
#define ssh_channel_is_open (sshlib.ssh_channel_is_open)
#define ssh_channel_new (sshlib.ssh_channel_new)
#define ssh_channel_open_session (sshlib.ssh_channel_open_session)
#define ssh_channel_read_timeout (sshlib.ssh_channel_read_timeout)
#define ssh_channel_request_exec (sshlib.ssh_channel_request_exec)
#define ssh_channel_write (sshlib.ssh_channel_write)
#define ssh_connect (sshlib.ssh_connect)
#define ssh_disconnect (sshlib.ssh_disconnect)
#define ssh_event_add_fd (sshlib.ssh_event_add_fd)
#define ssh_event_add_session (sshlib.ssh_event_add_session)
#define ssh_event_dopoll (sshlib.ssh_event_dopoll)
#define ssh_event_free (sshlib.ssh_event_free)
#define ssh_event_new (sshlib.ssh_event_new)
#define ssh_event_remove_fd (sshlib.ssh_event_remove_fd)
#define ssh_event_remove_session (sshlib.ssh_event_remove_session)
#define ssh_finalize (sshlib.ssh_finalize)
#define ssh_free (sshlib.ssh_free)
#define ssh_get_error (sshlib.ssh_get_error)
#define ssh_get_status (sshlib.ssh_get_status)
#define ssh_init (sshlib.ssh_init)
#define ssh_is_connected (sshlib.ssh_is_connected)
#define ssh_new (sshlib.ssh_new)
#define ssh_options_get (sshlib.ssh_options_get)
#define ssh_options_get_port (sshlib.ssh_options_get_port)
#define ssh_options_parse_config (sshlib.ssh_options_parse_config)
#define ssh_options_set (sshlib.ssh_options_set)
#define ssh_remove_channel_callbacks (sshlib.ssh_remove_channel_callbacks)
#define ssh_session_is_known_server (sshlib.ssh_session_is_known_server)
#define ssh_session_update_known_hosts (sshlib.ssh_session_update_known_hosts)
#define ssh_set_blocking (sshlib.ssh_set_blocking)
#define ssh_set_channel_callbacks (sshlib.ssh_set_channel_callbacks)
#define ssh_string_free_char (sshlib.ssh_string_free_char)
#define ssh_userauth_publickey_auto (sshlib.ssh_userauth_publickey_auto)
#endif

struct options;
struct pool;
struct sess;
struct worker;

/* Events for the main thread. */
enum ev_type {
	EV_STARTED,
	EV_DATA,
	EV_EXITED,
	EV_CLOSED,
	EV_FAILED,
	EV_LOST,
	EV_HOST_UP, /* a: the host's CPUs, when asked */
	EV_HOST_DOWN, /* a: 1 when trying again cannot help */
	EV_WARN, /* data: a message about the host */
};

struct ev {
	struct ev *next;
	enum ev_type type;
	struct sjob *sj;
	struct shost *h;
	int a, b;
	size_t n;
	char data[]; /* output, or a message */
};

/* Requests for a worker. */
enum req_type {
	REQ_START,
	REQ_SIGNAL,
	REQ_ABANDON,
	REQ_FREE,
	REQ_SESSION,
	REQ_ADD_HOST
};

struct req {
	struct req *next;
	enum req_type type;
	struct sjob *sj;
	struct shost *h;
	ssh_session session; /* REQ_SESSION; NULL: the handshake failed */
	int sig; /* REQ_SIGNAL; REQ_SESSION: the host's CPUs, 0: not asked */
	char *why; /* REQ_SESSION without a session */
	bool permanent; /* ...and trying again cannot help */
};

enum host_state { HOST_CONNECTING, HOST_UP, HOST_DOWN, HOST_GONE };

struct shost {
	struct executor ex; /* first: a place of the pool */
	struct pool *pool;
	struct worker *w;
	const struct hosts_login *login;
	/* The main thread's. */
	enum host_state state;
	unsigned failures;
	int64_t retry_at;
	bool started; /* was up once */
	bool fixed; /* from -S or --slurm, not the --slf file */
	/* Files (sshfile.c), under fmu: the host's own SFTP session. */
	pthread_mutex_t fmu;
	ssh_session fs;
	sftp_session sftp;
	bool based; /* --basefile sent */
	bool left; /* the --slf file no longer names it */
	/* The worker's. */
	struct sjob *queue, **queue_tail; /* waiting for a channel */
	unsigned per_sess; /* channels a session takes */
	unsigned nsess; /* sessions up */
	unsigned nwanted; /* sessions asked of the connectors */
	bool no_more; /* another session failed: make do with these */
	int64_t open_at; /* a channel was refused: no open before then */
	bool reported; /* connect_all() heard of it */
};

enum sjob_phase {
	SJ_QUEUED,
	SJ_OPENING,
	SJ_EXEC,
	SJ_RUNNING,
	SJ_DONE,
	SJ_FILES, /* its files are being sent: the worker has not got it */
};

struct sjob {
	struct job *job;
	struct shost *h;
	char *cmd; /* the remote command line */
	char **send; /* --transfer: local paths, NULL-ended; NULL: none */
	char **fetch; /* --return: the same */
	int stop_sig; /* told to stop while its files were sent */
	/* The worker's. */
	enum sjob_phase phase;
	struct sjob *next; /* in the host's queue, or the worker's list */
	struct sess *sess;
	ssh_channel ch;
	struct ssh_channel_callbacks_struct cb;
	char ctl[128]; /* for the wrapper: signal numbers, a line each */
	size_t nctl;
	int64_t kill_by; /* sent SIGKILL: closed by then, or given up */
	int sent_sig; /* the last signal fanout sent it while it ran */
	bool exited, closed, abandoned;
};

struct sess {
	struct sess *next;
	struct shost *h;
	ssh_session s;
	unsigned nchan;
	bool stalled; /* a job's channel outlived its SIGKILL: dropped */
	int64_t refused_since; /* refusing its only channel since then */
};

struct worker {
	struct pool *pool;
	pthread_t tid;
	pthread_mutex_t mu;
	struct req *reqs, **reqs_tail;
	bool quit;
	int wake[2];
	/* The worker's own. */
	ssh_event event;
	struct sess *sessions;
	struct sjob *active; /* jobs with a channel */
	struct shost **hosts;
	size_t nhosts;
};

enum conn_kind {
	CONN_SESSION, /* a session for the worker */
	CONN_SEND, /* the job's files (and the base files), then run it */
	CONN_FETCH, /* the job ran: fetch its files, clean up, close it */
	CONN_END, /* --cleanup: remove the base files */
};

struct conn_req {
	struct conn_req *next;
	enum conn_kind kind;
	struct shost *h;
	struct sjob *sj;
	bool first; /* the host's first session: ask its CPUs */
};

struct pool {
	struct executor ex; /* first: the scheduler's executor */
	const struct options *o;
	struct hosts_list logins;
	struct shost **hosts;
	size_t nhosts;
	struct executor *local; /* ":" */
	struct worker *workers;
	size_t nworkers;
	pthread_mutex_t mu;
	struct ev *evs, **evs_tail;
	int evfd;
	pthread_cond_t conn_cv;
	struct conn_req *conns, **conns_tail;
	pthread_t *connectors;
	size_t nconnectors;
	bool quit;
	char *config; /* the ssh config file read, NULL: none */
	char *ssh_dir; /* ~/.ssh */
	struct buf prefix; /* "exec sh -c WRAPPER fanout ", quoted */
	int64_t next_retry;
	size_t nfixed; /* logins from -S and --slurm, before --slf's */
	struct hosts_list **lists; /* --slf read again: hosts point in */
	size_t nlists;
	struct timespec slf_mtime;
	int64_t slf_next;
	struct template **returns; /* --return */
	size_t nreturns;
	size_t ends; /* CONN_END not done yet, under mu (conn_cv) */
};

/* sshwork.c */
void *worker_main(void *);
void worker_request(struct worker *, struct req *);
/* An event for the main thread, with n bytes of data. */
void pool_event(struct pool *, enum ev_type, struct shost *, struct sjob *,
    int a, int b, const void *data, size_t n);

/* sshconn.c */
void *connector_main(void *);
void pool_connect(struct pool *, struct shost *, bool first);
/*
 * Set s's options: h's host, the config file (p->config), h's user and
 * port over it. -1 with why when libssh refuses one.
 */
int conn_options(
    struct pool *p, struct shost *h, ssh_session s, char *why, size_t len);
/* "[host]:port" or "host", as known_hosts names a host. */
void conn_known_name(const char *host, int port, char *dst, size_t len);
/* The line of file with a key for name, 0 when none (or it is hashed). */
unsigned conn_known_line(const char *file, const char *name);
void pool_conn_request(
    struct pool *, enum conn_kind, struct shost *, struct sjob *);
ssh_session handshake(
    struct pool *, struct shost *, char *why, size_t len, bool *permanent);

/* sshfile.c, on connector threads */
void files_send(struct pool *, struct sjob *);
void files_fetch(struct pool *, struct sjob *);
void files_end(struct pool *, struct shost *);
/* The host's SFTP session closed: it is going away (main thread). */
void files_close(struct shost *);

#endif
