/*
 * conc DIR N [HOLDMS [SEQ [ANY...]]]: measure how many jobs run at once.
 * Create a marker file in DIR, wait until DIR holds at least N markers
 * (give up after 30 s), then keep counting for HOLDMS milliseconds (default
 * 300), print the largest count seen, remove the marker and exit.  When at
 * most N jobs ever run at once and N of them do, the first N jobs all print
 * N.  With SEQ (the job's sequence number, {#}) above N the job does not
 * wait for the others: at the tail of a run fewer than N may be left.
 * Further arguments are ignored, so that fanout may append the item.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int
count(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		return 0;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

int
main(int argc, char **argv)
{
	struct timespec ts = {0, 5 * 1000 * 1000};
	char path[4096];
	int want, max = 0, i, hold;
	FILE *f;

	if (argc < 3) {
		fprintf(stderr, "usage: conc DIR N [HOLDMS [SEQ [ANY...]]]\n");
		return 2;
	}
	want = atoi(argv[2]);
	hold = argc > 3 ? atoi(argv[3]) : 300;
	if (argc > 4 && atoi(argv[4]) > want)
		want = 0;
	mkdir(argv[1], 0777);
	snprintf(path, sizeof path, "%s/%ld", argv[1], (long)getpid());
	if ((f = fopen(path, "w")) == NULL || fclose(f) != 0)
		return 3;
	for (i = 0; i < 6000; i++) {
		int c = count(argv[1]);
		if (c > max)
			max = c;
		if (c >= want)
			break;
		nanosleep(&ts, NULL);
	}
	for (i = 0; i < hold / 5; i++) {
		int c = count(argv[1]);
		if (c > max)
			max = c;
		nanosleep(&ts, NULL);
	}
	unlink(path);
	printf("%d\n", max);
	return 0;
}
