/*
 * spew BYTES [CHAR [MODE]]: print exactly BYTES bytes, fast.
 *   lines (default): 100-byte numbered lines "C 000000001 CCC...C\n"
 *   line: one giant line of CHAR ending in a single newline
 *   raw:  BYTES times CHAR, no newline at all
 *   bin:  bytes 0..255 over and over (NULs included), CHAR ignored
 * BYTES may be "inf" to write until the reader goes away.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LINE 100

int
main(int argc, char **argv)
{
	static char buf[1 << 16];
	unsigned long long total, done = 0, lineno = 0;
	const char *mode = argc > 3 ? argv[3] : "lines";
	char c = argc > 2 && argv[2][0] ? argv[2][0] : 'x';
	int inf;

	if (argc < 2 || argc > 4) {
		fprintf(stderr, "usage: spew BYTES [CHAR [lines|line|raw|bin]]\n");
		return 2;
	}
	inf = strcmp(argv[1], "inf") == 0;
	total = inf ? ~0ULL : strtoull(argv[1], NULL, 10);
	while (done < total) {
		size_t n = 0, i;
		if (strcmp(mode, "lines") == 0) {
			/* Whole lines into the buffer; the last one may be cut. */
			while (n + LINE <= sizeof buf) {
				char *p = buf + n;
				snprintf(p, LINE, "%c %09llu ", c, ++lineno);
				memset(p + 12, c, LINE - 13);
				p[LINE - 1] = '\n';
				n += LINE;
			}
		} else if (strcmp(mode, "bin") == 0) {
			for (i = 0; i < sizeof buf; i++)
				buf[i] = (char)((done + i) & 0xff);
			n = sizeof buf;
		} else if (strcmp(mode, "raw") == 0 || strcmp(mode, "line") == 0) {
			memset(buf, c, sizeof buf);
			n = sizeof buf;
		} else {
			fprintf(stderr, "spew: bad mode '%s'\n", mode);
			return 2;
		}
		if (n > total - done)
			n = total - done;
		if (strcmp(mode, "line") == 0 && done + n == total)
			buf[n - 1] = '\n';
		for (i = 0; i < n;) {
			ssize_t w = write(1, buf + i, n - i);
			if (w < 0) {
				if (errno == EINTR)
					continue;
				return 3;
			}
			i += (size_t)w;
		}
		done += n;
	}
	return 0;
}
