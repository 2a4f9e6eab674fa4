/*
 * sigdflt CMD [ARG...]: restore every signal to its default action, unblock
 * them all and exec CMD.  Bash starts background commands with SIGINT and
 * SIGQUIT ignored; this undoes that so a test can send SIGINT.
 */
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	sigset_t set;
	int i;

	if (argc < 2) {
		fprintf(stderr, "usage: sigdflt CMD [ARG...]\n");
		return 2;
	}
	for (i = 1; i < NSIG; i++)
		signal(i, SIG_DFL);
	sigemptyset(&set);
	sigprocmask(SIG_SETMASK, &set, NULL);
	execvp(argv[1], argv + 1);
	perror(argv[1]);
	return 127;
}
