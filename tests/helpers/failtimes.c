/*
 * failtimes COUNTER N: add one to the number in file COUNTER (created at 0),
 * print "run K" on stdout and "err K" on stderr, then fail (exit 1) while
 * K <= N and succeed from run N+1 on.
 */
#include <stdio.h>
#include <stdlib.h>

int
main(int argc, char **argv)
{
	long k = 0, n;
	FILE *f;

	if (argc != 3) {
		fprintf(stderr, "usage: failtimes COUNTER N\n");
		return 2;
	}
	n = atol(argv[2]);
	if ((f = fopen(argv[1], "r")) != NULL) {
		if (fscanf(f, "%ld", &k) != 1)
			k = 0;
		fclose(f);
	}
	k++;
	if ((f = fopen(argv[1], "w")) == NULL)
		return 3;
	fprintf(f, "%ld\n", k);
	if (fclose(f) != 0)
		return 3;
	printf("run %ld\n", k);
	fprintf(stderr, "err %ld\n", k);
	return k <= n ? 1 : 0;
}
