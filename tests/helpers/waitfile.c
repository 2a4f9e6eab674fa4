/*
 * waitfile FILE...: wait until every FILE exists; give up after 30 s and
 * exit 1 then.  A bounded poll, for synchronising jobs with each other and
 * with the test.
 */
#include <stdio.h>
#include <time.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	struct timespec ts = {0, 10 * 1000 * 1000};
	int i, k;

	for (i = 0; i < 3000; i++) {
		for (k = 1; k < argc; k++)
			if (access(argv[k], F_OK) != 0)
				break;
		if (k == argc)
			return 0;
		nanosleep(&ts, NULL);
	}
	fprintf(stderr, "waitfile: gave up waiting for '%s'\n", argv[k]);
	return 1;
}
