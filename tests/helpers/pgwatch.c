/*
 * pgwatch FILE [SECS]: write "PID PGID\n" to FILE (atomically), then sleep
 * SECS seconds (default 1000).
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	char tmp[4096];
	FILE *f;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: pgwatch FILE [SECS]\n");
		return 2;
	}
	snprintf(tmp, sizeof tmp, "%s.tmp", argv[1]);
	if ((f = fopen(tmp, "w")) == NULL)
		return 3;
	fprintf(f, "%ld %ld\n", (long)getpid(), (long)getpgrp());
	if (fclose(f) != 0 || rename(tmp, argv[1]) != 0)
		return 3;
	sleep(argc > 2 ? (unsigned)atoi(argv[2]) : 1000);
	return 0;
}
