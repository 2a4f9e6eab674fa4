/*
 * catchsig LOG SIG...: catch each named signal (TERM, INT, USR1, ...) and
 * append its name to LOG, one line per delivery, then go on sleeping.
 * Writes "PID\n" to LOG.pid (atomically) once the handlers are in place,
 * then sleeps up to 1000 s; only an uncatchable signal ends it early.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int logfd = -1;

static void
on_signal(int sig)
{
	const char *name = sigabbrev_np(sig);
	char line[32];
	size_t n = strlen(name);

	memcpy(line, name, n);
	line[n++] = '\n';
	if (write(logfd, line, n) < 0)
		_exit(3);
}

int
main(int argc, char **argv)
{
	char tmp[4096], fin[4096];
	struct sigaction sa;
	int i, k;
	FILE *f;

	if (argc < 3) {
		fprintf(stderr, "usage: catchsig LOG SIG...\n");
		return 2;
	}
	logfd = open(argv[1], O_WRONLY | O_CREAT | O_APPEND, 0666);
	if (logfd < 0)
		return 3;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (k = 2; k < argc; k++) {
		const char *name = argv[k];
		int sig = 0;
		if (strncmp(name, "SIG", 3) == 0)
			name += 3;
		for (i = 1; i < NSIG; i++) {
			const char *a = sigabbrev_np(i);
			if (a != NULL && strcmp(a, name) == 0)
				sig = i;
		}
		if (sig == 0 || sigaction(sig, &sa, NULL) != 0) {
			fprintf(stderr, "catchsig: bad signal '%s'\n", argv[k]);
			return 2;
		}
	}
	snprintf(tmp, sizeof tmp, "%s.pid.tmp", argv[1]);
	snprintf(fin, sizeof fin, "%s.pid", argv[1]);
	if ((f = fopen(tmp, "w")) == NULL)
		return 3;
	fprintf(f, "%ld\n", (long)getpid());
	if (fclose(f) != 0 || rename(tmp, fin) != 0)
		return 3;
	for (i = 0; i < 1000; i++)
		sleep(1);
	return 0;
}
