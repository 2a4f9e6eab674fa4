/*
 * libFuzzer target for src/pipe.c's record splitter.
 *
 * Input: a flags byte (the --recend of a fixed set, a --recstart or none,
 * --regexp, -N 0-3), a block size byte, then the bytes to cut. They are
 * cut into blocks as the reader does (a block grows by 1.3 + 1 when no
 * record fits in it), and the target aborts when the blocks do not give
 * back every byte once, when a block is empty, or, for fixed strings,
 * when a block other than the last is over the block size (without -N)
 * or does not end where a record end meets a record start. The same
 * check holds for pipe_split_after() at every place.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pipe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const ends[] = {"\\n", "", "\\0", "ab", "a\\nb"};
static const char *const end_bytes[] = {"\n", "", "\0", "ab", "a\nb"};
static const size_t end_lens[] = {1, 0, 1, 2, 3};
static const char *const starts[] = {NULL, "1", "xy", NULL};
static const char *const regex_ends[] = {"\\n", "[05]\\n", "a+", "(x|\\n)"};
static const char *const regex_starts[] = {NULL, "^1", "[ab]", NULL};

/* Whether a block may end at cut: a record end before, a start after. */
static bool
at_split(const char *p, size_t len, size_t cut, int e, int st)
{
	const char *start = starts[st];
	size_t el = end_lens[e], sl = start ? strlen(start) : 0;

	if (cut < el || cut + sl > len)
		return false;
	return memcmp(p + cut - el, end_bytes[e], el) == 0 &&
	    (!start || memcmp(p + cut, start, sl) == 0);
}

static void
check_cuts(const struct pipe_split *sp, const char *p, size_t len, size_t limit,
    size_t nrec, bool fixed, int e, int st)
{
	size_t off = 0, have, cut, start_limit = limit;
	bool first = true, last;

	while (off < len) {
		have = len - off < limit ? len - off : limit;
		last = off + have == len;
		cut = pipe_cut(sp, p + off, have, limit, nrec,
		    last && have < limit, first);
		if (cut == 0 && last)
			cut = pipe_cut(
			    sp, p + off, have, limit, nrec, true, first);
		if (cut == 0) {
			limit = limit * 13 / 10 + 2;
			continue;
		}
		if (cut > have)
			abort();
		if (fixed && off + cut < len) {
			if (!at_split(p + off, len - off, cut, e, st))
				abort();
			if (!nrec && cut > limit)
				abort();
		}
		off += cut;
		first = false;
		limit = limit > start_limit ? limit : start_limit;
	}
	if (off != len)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pipe_split *sp;
	char *p;
	size_t len, limit, nrec, i, at;
	int flags, e, st;
	bool regexp;

	if (size < 2)
		return 0;
	flags = data[0];
	limit = 1 + data[1] % 64;
	/* NUL-terminated: regexec() under AddressSanitizer reads to one. */
	len = size - 2;
	p = malloc(len + 1);
	memcpy(p, data + 2, len);
	p[len] = '\0';
	e = flags % 5;
	st = (flags / 5) % 4;
	regexp = (flags / 20) % 2;
	nrec = (size_t)(flags / 40) % 4;
	sp = regexp ? pipe_split_new(regex_starts[st], regex_ends[e % 4], true)
		    : pipe_split_new(starts[st], ends[e], false);
	if (!sp)
		abort(); /* every pattern here is valid */
	check_cuts(sp, p, len, limit, nrec, !regexp, e, st);
	for (i = 0; i <= len && !regexp; i++) {
		at = pipe_split_after(sp, p, len, i);
		if (at != SIZE_MAX &&
		    (at < i || at > len || !at_split(p, len, at, e, st)))
			abort();
	}
	pipe_split_free(sp);
	free(p);
	return 0;
}
