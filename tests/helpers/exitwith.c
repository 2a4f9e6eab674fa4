/* exitwith N: exit with status N, printing nothing. */
#include <stdio.h>
#include <stdlib.h>

int
main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: exitwith N\n");
		return 2;
	}
	return atoi(argv[1]);
}
