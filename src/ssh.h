/*
 * Jobs on remote hosts over SSH (SPEC section 8), spoken by libssh: one
 * authenticated session per host (more when its slots need more
 * channels), one channel per job, each job under a small remote wrapper
 * that kills the job's process group when told to or when the channel
 * goes away.
 *
 * The executor it makes is the scheduler's one executor: its places are
 * the hosts (and this machine for ":"), each a struct executor of its
 * own. Host threads own the sessions; the main thread only queues
 * requests to them and takes their events from one queue.
 */
#ifndef SSH_H
#define SSH_H

struct executor;
struct options;

/*
 * Whether the options name remote hosts (-S, --slf, --slurm).
 */
int ssh_wanted(const struct options *);

/*
 * Read the host lists, connect to every host (at most --ssh-fanout
 * handshakes at once) and learn their slots: the executor, or NULL after
 * a message when no host can be used. spawn_ex runs the jobs of ":".
 */
/*
 * --onall, --nonall: the hosts' names as the last input group (a job's
 * host is pinned by its place in the product): the values, to free
 * with ssh_host_group_free(). Exits 255 after a message on bad lists.
 */
char **ssh_host_group(struct options *);
void ssh_host_group_free(char **);

struct executor *ssh_executor_new(
    const struct options *, struct executor *spawn_ex);

#endif
