/*
 * blockcheck BLOCKSIZE TOKENLEN < FILE: check that FILE is a sequence of
 * BLOCKSIZE-byte blocks, each one TOKENLEN-byte token repeated (as written
 * by alternate or spew).  Print each block's token on a line of its own.
 * On a mixed block or a short tail, print "bad block N at byte M" and exit 1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
main(int argc, char **argv)
{
	unsigned long long bs, tl, off = 0, nblock = 0;
	char *tok, *blk;
	size_t n;

	if (argc != 3) {
		fprintf(stderr, "usage: blockcheck BLOCKSIZE TOKENLEN\n");
		return 2;
	}
	bs = strtoull(argv[1], NULL, 10);
	tl = strtoull(argv[2], NULL, 10);
	if (tl == 0 || bs % tl != 0) {
		fprintf(stderr, "blockcheck: BLOCKSIZE must be a multiple of TOKENLEN\n");
		return 2;
	}
	blk = malloc(bs);
	tok = malloc(tl + 1);
	if (blk == NULL || tok == NULL)
		return 3;
	while ((n = fread(blk, 1, bs, stdin)) > 0) {
		unsigned long long i;
		nblock++;
		if (n != bs) {
			printf("bad block %llu at byte %llu: short (%zu bytes)\n",
			    nblock, off, n);
			return 1;
		}
		for (i = tl; i < bs; i++) {
			if (blk[i] != blk[i % tl]) {
				printf("bad block %llu at byte %llu\n", nblock,
				    off + i);
				return 1;
			}
		}
		memcpy(tok, blk, tl);
		tok[tl] = '\0';
		for (i = 0; i < tl; i++)
			if (tok[i] == '\n')
				tok[i] = '$';
		printf("%s\n", tok);
		off += bs;
	}
	return 0;
}
