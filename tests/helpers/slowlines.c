/*
 * slowlines TAG N: print N lines "TAG line K end\n", each one in three
 * separate write(2) calls with a 1 ms pause between them, so that a
 * collector passing output on as it arrives sees half lines.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void
put(const char *s)
{
	struct timespec ts = {0, 1000 * 1000};

	if (write(1, s, strlen(s)) < 0)
		exit(3);
	nanosleep(&ts, NULL);
}

int
main(int argc, char **argv)
{
	char buf[256];
	int i, n;

	if (argc != 3 || strlen(argv[1]) > 100) {
		fprintf(stderr, "usage: slowlines TAG N\n");
		return 2;
	}
	n = atoi(argv[2]);
	for (i = 1; i <= n; i++) {
		put(argv[1]);
		snprintf(buf, sizeof buf, " line %d", i);
		put(buf);
		put(" end\n");
	}
	return 0;
}
