/*
 * floor - the least a parallel job runner can do: posix_spawn a command
 * once per job, at most P at a time, and reap it with waitpid. bench/run
 * times it next to fanout as the lower bound of any runner.
 *
 *	floor [-p] [-P procs] -n count -- command [arg...]
 *	floor [-p] [-P procs] -- command [arg...] < items
 *
 * With -n the command runs count times as given. Without it, one job per
 * line of standard input: an argument that is exactly "{}" is replaced by
 * the line, or the line is appended as the last argument when there is
 * no "{}". No shell, no quoting, no output handling: jobs write straight
 * to floor's stdout, unless -p, which gives every job a stdout pipe and
 * relays what comes out of it, as it comes and unordered, to stdout (the
 * least a runner that collects output must do). Jobs' stdin is /dev/null.
 * Exit status: 0 if every job exited 0, 1 if any did not, 2 on error.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

struct child {
	pid_t pid; /* 0 when the slot is free */
	int fd; /* read end of its stdout pipe (-p), else -1 */
};

static struct child *children;
static struct pollfd *pfds;
static int nprocs = 1;
static int nrunning;
static int relay;
static int failed;
static char buf[65536];

static void
die(const char *what)
{
	fprintf(stderr, "floor: %s: %s\n", what, strerror(errno));
	exit(2);
}

static void
usage(void)
{
	fprintf(stderr,
	    "usage: floor [-p] [-P procs] [-n count] -- "
	    "command [arg...]\n");
	exit(2);
}

static long
number(const char *s, long min)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || n < min || n > INT_MAX)
		usage();
	return n;
}

/* Start argv in a free slot; its stdout goes to a new pipe with -p. */
static void
spawn(char **argv)
{
	posix_spawn_file_actions_t fa;
	int fds[2] = {-1, -1};
	pid_t pid;
	int i, err;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	if (relay) {
		/* O_CLOEXEC keeps the other jobs from holding this pipe. */
		if (pipe2(fds, O_CLOEXEC) == -1)
			die("pipe2");
		posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
	}
	err = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (relay)
		close(fds[1]);
	if (err != 0) {
		errno = err;
		die(argv[0]);
	}
	for (i = 0; children[i].pid != 0; i++)
		;
	children[i].pid = pid;
	children[i].fd = fds[0];
	nrunning++;
}

static void
reaped(struct child *c, int status)
{
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		failed = 1;
	c->pid = 0;
	c->fd = -1;
	nrunning--;
}

static void
write_all(const char *p, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(1, p, len);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			die("write");
		}
		p += n;
		len -= n;
	}
}

/* Wait until at least one job has ended and reap it. */
static void
wait_one(void)
{
	int i, n, status;
	ssize_t len;
	pid_t pid;

	if (!relay) {
		while ((pid = waitpid(-1, &status, 0)) == -1)
			if (errno != EINTR)
				die("waitpid");
		for (i = 0; i < nprocs; i++)
			if (children[i].pid == pid)
				reaped(&children[i], status);
		return;
	}
	for (;;) {
		for (i = 0; i < nprocs; i++) {
			pfds[i].fd = children[i].pid != 0 ? children[i].fd : -1;
			pfds[i].events = POLLIN;
		}
		n = poll(pfds, nprocs, -1);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			die("poll");
		}
		for (i = 0; i < nprocs; i++) {
			if (pfds[i].fd == -1 || pfds[i].revents == 0)
				continue;
			len = read(pfds[i].fd, buf, sizeof(buf));
			if (len > 0) {
				write_all(buf, len);
				continue;
			}
			if (len == -1 && errno == EINTR)
				continue;
			if (len == -1)
				die("read");
			/* End of output: the job has exited or is about to. */
			close(children[i].fd);
			while (waitpid(children[i].pid, &status, 0) == -1)
				if (errno != EINTR)
					die("waitpid");
			reaped(&children[i], status);
			return;
		}
	}
}

int
main(int argc, char **argv)
{
	char **cmd, **jobv, *line = NULL;
	size_t cap = 0;
	ssize_t len;
	long count = -1, started = 0;
	int ch, i, cmdc, slot = -1;

	while ((ch = getopt(argc, argv, "+pP:n:")) != -1) {
		switch (ch) {
		case 'p':
			relay = 1;
			break;
		case 'P':
			nprocs = number(optarg, 1);
			break;
		case 'n':
			count = number(optarg, 0);
			break;
		default:
			usage();
		}
	}
	cmd = argv + optind;
	cmdc = argc - optind;
	if (cmdc == 0)
		usage();

	children = calloc(nprocs, sizeof(*children));
	pfds = calloc(nprocs, sizeof(*pfds));
	jobv = calloc(cmdc + 2, sizeof(*jobv));
	if (children == NULL || pfds == NULL || jobv == NULL)
		die("calloc");
	for (i = 0; i < cmdc; i++) {
		jobv[i] = cmd[i];
		if (slot == -1 && strcmp(cmd[i], "{}") == 0)
			slot = i;
	}
	if (slot == -1 && count == -1)
		slot = cmdc;

	for (;;) {
		while (nrunning < nprocs) {
			if (count >= 0) {
				if (started == count)
					break;
			} else {
				len = getline(&line, &cap, stdin);
				if (len == -1)
					break;
				if (len > 0 && line[len - 1] == '\n')
					line[len - 1] = '\0';
				jobv[slot] = line;
			}
			spawn(jobv);
			started++;
		}
		if (nrunning == 0)
			break;
		wait_one();
	}
	if (ferror(stdin))
		die("stdin");
	return failed;
}
