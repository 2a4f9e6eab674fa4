/*
 * waitgone [-r] PIDFILE...: wait until each PIDFILE exists and every pid
 * listed in it (blank separated) is gone: no such process, or a zombie (an
 * orphan may be adopted by an init that never reaps).  With -r a zombie
 * counts as alive: wait until the pid is reaped, i.e. until fanout has
 * collected its own child.  Give up after 30 s; exit 1 then, naming the
 * pid still alive.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int reaped;

static int
alive(long pid)
{
	char path[64], buf[512], *p;
	FILE *f;
	size_t n;

	if (kill((pid_t)pid, 0) != 0 && errno == ESRCH)
		return 0;
	snprintf(path, sizeof path, "/proc/%ld/stat", pid);
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* "pid (comm) S ...": the state follows the last ')'. */
	if (!reaped && (p = strrchr(buf, ')')) != NULL && p[1] == ' ' &&
	    p[2] == 'Z')
		return 0;
	return 1;
}

/* 1 when every pid in FILE is gone, 0 when one lives, -1 when no FILE. */
static int
allgone(const char *file, long *live)
{
	FILE *f = fopen(file, "r");
	long pid;
	int r = 1;

	if (f == NULL)
		return -1;
	while (fscanf(f, "%ld", &pid) == 1) {
		if (alive(pid)) {
			*live = pid;
			r = 0;
			break;
		}
	}
	fclose(f);
	return r;
}

int
main(int argc, char **argv)
{
	struct timespec ts = {0, 10 * 1000 * 1000};
	long live = 0;
	int i, k, r = -1, first = 1;

	if (argc > 1 && strcmp(argv[1], "-r") == 0) {
		reaped = 1;
		first = 2;
	}
	for (i = 0; i < 3000; i++) {
		for (k = first; k < argc; k++)
			if ((r = allgone(argv[k], &live)) != 1)
				break;
		if (k == argc)
			return 0;
		nanosleep(&ts, NULL);
	}
	if (r < 0)
		fprintf(stderr, "waitgone: no file '%s'\n", argv[k]);
	else
		fprintf(stderr, "waitgone: pid %ld from '%s' still alive\n",
		    live, argv[k]);
	return 1;
}
