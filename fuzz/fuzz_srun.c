/*
 * libFuzzer target for srun_classify() of src/srun.c.
 *
 * Input: a node name up to the first NUL (none: "n1"), then the bytes of
 * one stderr line of a step on that node. Besides crashes and reads past
 * the line, it checks, aborting when one fails: the job keeps at most
 * the whole line, all of it for SRUN_JOB; otherwise what it does not
 * keep begins "srun: error: ", followed by "NODE: task 0: " for
 * SRUN_STATUS, and holds no later "srun: error: ".
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "srun.h"

#define PREFIX "srun: error: "

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *nul = memchr(data, '\0', size);
	char node[64] = "n1";
	size_t nlen = 2, plen = strlen(PREFIX), keep, len;
	const char *line = (const char *)data;
	char *copy;
	enum srun_kind k;

	if (nul && (size_t)(nul - line) < sizeof node) {
		nlen = (size_t)(nul - line);
		memcpy(node, line, nlen);
		node[nlen] = '\0';
		line = nul + 1;
	}
	len = size - (size_t)(line - (const char *)data);
	/* An exact copy, so that a read past len is caught. */
	copy = malloc(len ? len : 1);
	memcpy(copy, line, len);
	k = srun_classify(copy, len, node, &keep);
	if (keep > len || (k == SRUN_JOB && keep != len))
		abort();
	if (k != SRUN_JOB) {
		if (len - keep < plen || memcmp(copy + keep, PREFIX, plen))
			abort();
		if (memmem(copy + keep + 1, len - keep - 1, PREFIX, plen))
			abort();
	}
	if (k == SRUN_STATUS &&
	    (len - keep < plen + nlen + 10 ||
		memcmp(copy + keep + plen, node, nlen) ||
		memcmp(copy + keep + plen + nlen, ": task 0: ", 10)))
		abort();
	free(copy);
	return 0;
}
