/*
 * killself SIG: print "dying" on stdout, then die by signal SIG (a name
 * such as TERM or KILL, or a number), with the default action restored.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	int sig = 0, i;
	sigset_t set;

	if (argc != 2) {
		fprintf(stderr, "usage: killself SIG\n");
		return 2;
	}
	const char *name = argv[1];
	if (strncmp(name, "SIG", 3) == 0)
		name += 3;
	for (i = 1; i < NSIG; i++) {
		const char *abbrev = sigabbrev_np(i);
		if (abbrev != NULL && strcmp(abbrev, name) == 0)
			sig = i;
	}
	if (sig == 0)
		sig = atoi(name);
	if (sig <= 0) {
		fprintf(stderr, "killself: bad signal '%s'\n", argv[1]);
		return 2;
	}
	printf("dying\n");
	fflush(stdout);
	signal(sig, SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	raise(sig);
	/* SIGSTOP and the like do not end us: make that visible. */
	return 99;
}
