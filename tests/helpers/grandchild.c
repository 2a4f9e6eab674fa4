/*
 * grandchild PIDFILE [stay]: fork a child that keeps stdout and stderr open
 * and sleeps for 1000 s; write "CHILDPID PARENTPID\n" to PIDFILE (atomically,
 * through a rename) and print "parent done" on stdout.  Then the parent
 * exits 0, leaving the child behind holding the pipes; with "stay" the
 * parent sleeps for 1000 s too.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	char tmp[4096];
	FILE *f;
	pid_t pid;

	if (argc < 2 || argc > 3 || (argc == 3 && strcmp(argv[2], "stay"))) {
		fprintf(stderr, "usage: grandchild PIDFILE [stay]\n");
		return 2;
	}
	pid = fork();
	if (pid < 0)
		return 3;
	if (pid == 0) {
		sleep(1000);
		_exit(0);
	}
	snprintf(tmp, sizeof tmp, "%s.tmp", argv[1]);
	if ((f = fopen(tmp, "w")) == NULL)
		return 3;
	fprintf(f, "%ld %ld\n", (long)pid, (long)getpid());
	if (fclose(f) != 0 || rename(tmp, argv[1]) != 0)
		return 3;
	printf("parent done\n");
	fflush(stdout);
	if (argc == 3)
		sleep(1000);
	return 0;
}
