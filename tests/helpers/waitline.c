/*
 * waitline FILE PATTERN...: wait until FILE holds, for every PATTERN, a whole
 * line (ended by a newline) containing it; give up after 30 s and exit 1
 * then.  In PATTERN "\t" stands for a TAB and a leading "^" anchors it at
 * the start of the line.  A bounded poll, for a job waiting until fanout
 * has written another job's record (a joblog line) to FILE.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* PATTERN with "\t" turned into a TAB and a leading "^" removed. */
static char *
unescape(const char *pattern, int *anchored)
{
	char *s = malloc(strlen(pattern) + 1), *d = s;

	*anchored = *pattern == '^';
	if (*anchored)
		pattern++;
	while (*pattern) {
		if (pattern[0] == '\\' && pattern[1] == 't') {
			*d++ = '\t';
			pattern += 2;
		} else {
			*d++ = *pattern++;
		}
	}
	*d = '\0';
	return s;
}

/* Does FILE hold a whole line matching PATTERN? */
static int
has_line(const char *file, const char *pattern)
{
	FILE *f = fopen(file, "r");
	char *line = NULL, *want;
	size_t cap = 0;
	ssize_t n;
	int anchored, found = 0;

	if (!f)
		return 0;
	want = unescape(pattern, &anchored);
	while (!found && (n = getline(&line, &cap, f)) > 0) {
		if (line[n - 1] != '\n')
			break;
		line[n - 1] = '\0';
		if (anchored ? strncmp(line, want, strlen(want)) == 0
			     : strstr(line, want) != NULL)
			found = 1;
	}
	free(want);
	free(line);
	fclose(f);
	return found;
}

int
main(int argc, char **argv)
{
	struct timespec ts = {0, 10 * 1000 * 1000};
	int i, k = 2;

	if (argc < 3) {
		fprintf(stderr, "usage: waitline FILE PATTERN...\n");
		return 2;
	}
	for (i = 0; i < 3000; i++) {
		for (k = 2; k < argc; k++)
			if (!has_line(argv[1], argv[k]))
				break;
		if (k == argc)
			return 0;
		nanosleep(&ts, NULL);
	}
	fprintf(stderr, "waitline: gave up waiting for '%s' in '%s'\n",
	    argv[k], argv[1]);
	return 1;
}
