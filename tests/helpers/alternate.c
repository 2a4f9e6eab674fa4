/*
 * alternate TAG BYTES: write BYTES bytes to stdout and BYTES bytes to
 * stderr, in turns, in chunks of irregular size, without newlines, with
 * unbuffered write(2) calls, so that a collector that mixes jobs or merges
 * the two streams produces blocks that are not one token repeated.
 *
 * stdout carries "<TAG>" repeated, stderr "{TAG}" repeated.  BYTES should be
 * a multiple of the token length (strlen(TAG) + 2).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void
put(int fd, const char *tok, size_t toklen, size_t *pos, size_t n)
{
	char buf[8192];
	size_t i;

	for (i = 0; i < n; i++)
		buf[i] = tok[(*pos + i) % toklen];
	for (i = 0; i < n;) {
		ssize_t w = write(fd, buf + i, n - i);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			exit(3);
		}
		i += (size_t)w;
	}
	*pos += n;
}

int
main(int argc, char **argv)
{
	char out[256], err[256];
	size_t total, opos = 0, epos = 0, olen, elen;
	unsigned step = 0;

	if (argc != 3 || strlen(argv[1]) > 200) {
		fprintf(stderr, "usage: alternate TAG BYTES\n");
		return 2;
	}
	snprintf(out, sizeof out, "<%s>", argv[1]);
	snprintf(err, sizeof err, "{%s}", argv[1]);
	olen = strlen(out);
	elen = strlen(err);
	total = strtoull(argv[2], NULL, 10);
	while (opos < total || epos < total) {
		/* Chunk sizes 1..8191, a deterministic but irregular walk. */
		size_t n = (step * 2654435761u >> 7) % 8191 + 1;
		step++;
		if (opos < total)
			put(1, out, olen, &opos, n < total - opos ? n : total - opos);
		n = (step * 40503u >> 3) % 8191 + 1;
		if (epos < total)
			put(2, err, elen, &epos, n < total - epos ? n : total - epos);
	}
	return 0;
}
