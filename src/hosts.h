/*
 * Logins and host lists (SPEC §8): what -S/--sshlogin, --slf and --slurm
 * name, read into one list of logins. Pure: no network, no ssh.
 *
 * A login is [@GROUPS/][N/][user@]host[:port], or [@GROUPS/][N/]: for the
 * local machine.
 * - @GROUPS/ puts the login in host groups (GNU parallel's --hostgroups):
 *   names separated by '+', each of printable ASCII but blanks and
 *   / , + [ ], at most HOSTS_NAME_MAX bytes; @g1+g2/host. An empty name,
 *   @/host and @g1 (GNU parallel's -S @GROUP, choosing a group's logins
 *   from an --slf file) are refused.
 * - N/ sets the host's slots (1 to HOSTS_SLOTS_MAX).
 * - user: letters, digits, '.', '_', '-', '$'; not starting with '-'. A
 *   password (GNU parallel's user:password@) is refused.
 * - host: letters, digits, '.', '_', '-'; not starting with '-', not
 *   only dots, at most HOSTS_NAME_MAX bytes once expanded. An IPv6
 *   address is written in brackets, [::1] or [::1]:2222 (as ssh and URLs
 *   write it), or bare without a port (::1); a zone (%eth0) is allowed.
 *   GNU parallel's ::1p2222, ::1#2222 and ::1.2222 are refused.
 * - port: decimal, 1 to 65535.
 * - Host ranges, as pdsh and Slurm: node[01-16], n[1-3,7]. Inside the
 *   brackets, commas separate numbers and LO-HI ranges; the width of LO
 *   is kept (node[01-10] is node01..node10, n[1-010] is n1..n10). Several
 *   bracket groups give the product, the first varying slowest
 *   (rack[1-2]-n[1-2]: rack1-n1, rack1-n2, rack2-n1, rack2-n2). N/, user@
 *   and :port apply to every host. Refused: unbalanced or nested
 *   brackets, an empty range, a reversed one (5-1), anything but digits.
 * In a list, commas outside brackets separate logins; blanks around a
 * login are dropped, blanks inside one are refused (GNU parallel's
 * "ssh -p 2222 host" form has no place here: fanout speaks SSH itself).
 *
 * A list holds each login once, by name, in the order first written: a
 * later duplicate is dropped, but its N/, when it has one, replaces the
 * slots (GNU parallel re-sets the CPU count of a login seen again), and
 * its groups join the first one's.
 *
 * Errors are one line, with no "fanout: " prefix, and quote what they
 * refuse with unprintable bytes as \xHH; the caller frees them. A failed
 * call leaves the list as it was.
 */
#ifndef HOSTS_H
#define HOSTS_H

#include <stdbool.h>
#include <stddef.h>

/* At most this many logins in a list, counted as expanded and written. */
#define HOSTS_MAX 100000
/* The longest host name and user name, in bytes (DNS allows 253). */
#define HOSTS_NAME_MAX 255
/* The largest N/ and Slurm CPU count (util.h's UTIL_JOBS_MAX). */
#define HOSTS_SLOTS_MAX 1000000

struct hosts_login {
	/*
	 * The login as written, without its N/ count and with its ranges
	 * expanded: what the joblog's Host column shows, ":" for the local
	 * machine. Unique in a list.
	 */
	char *name;
	char *user; /* NULL when not given */
	char *host; /* an IPv6 address without brackets; NULL when local */
	int port; /* 0 when not given */
	int slots; /* N/, or Slurm's CPU count; 0 when not given */
	bool local; /* ":" */
	/* Its host groups as written (@g1+g2/), each once, NULL-terminated;
	 * NULL when none. */
	char **groups;
	/*
	 * What --plus's {hgrp} shows: its name, then its groups, joined by
	 * '+' (":+g1"); every login is in the group of its own name.
	 */
	char *hgrp;
};

/* Owns its logins and every string in them. */
struct hosts_list {
	struct hosts_login *v;
	size_t n;
	size_t alloc;
};

#define HOSTS_LIST_INIT                                                        \
	{                                                                      \
		NULL, 0, 0                                                     \
	}

/*
 * Add the logins of an -S value (comma-separated, with ranges) to list.
 * 0, or -1 with *err a malloc'd message such as
 * "'h:0': bad port '0' (1 to 65535)".
 */
int hosts_parse_list(const char *text, struct hosts_list *list, char **err);

/*
 * Add the logins of an --slf file's contents (len bytes, may hold NUL) to
 * list: one login per line, or a comma list with ranges; blanks around
 * it dropped; empty lines and lines whose first non-blank is '#' skipped
 * (only whole lines, as GNU parallel: a later '#' is refused). Errors
 * begin "ORIGIN:LINE: ".
 */
int hosts_parse_slf(const char *text, size_t len, const char *origin,
    struct hosts_list *list, char **err);

/*
 * Add the nodes of a Slurm allocation to list: nodelist is
 * $SLURM_JOB_NODELIST (plain host names with ranges), cpus_per_node
 * $SLURM_JOB_CPUS_PER_NODE (72(x2),36: 72 slots for the first two nodes,
 * 36 for the third). Either may be NULL (unset), which is an error, as is
 * a different number of nodes in the two.
 */
int hosts_from_slurm(const char *nodelist, const char *cpus_per_node,
    struct hosts_list *list, char **err);

/*
 * --hostgroups: where the groups of an argument begin, as GNU parallel
 * reads them: after its first '@' when something follows it ("x@g1+g2":
 * 1, the '@'); len when it has none ("x", "x@").
 */
size_t hosts_arg_groups(const char *value, size_t len);

/*
 * Whether a login (its name and groups, NULL-terminated or NULL) is in one
 * of groups, '+'-separated names as an argument's @g1+g2 gives them
 * (empty names are in no group).
 */
bool hosts_in_groups(
    const char *name, char *const *login_groups, const char *groups);

/* Free the logins; the list is empty and may be used again. */
void hosts_list_release(struct hosts_list *);

#endif
