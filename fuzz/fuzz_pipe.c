/*
 * libFuzzer target for src/pipe.c's record splitter.
 *
 * Input: a flags byte (the --recend of a fixed set, a --recstart or none,
 * --regexp, -N 0-3; 160 and up: -r and --rrs too), a byte of the block
 * size (bits 0-5) and -L 0-3 (bits 6-7), then the bytes to cut. They are
 * cut into blocks as the reader does (a block grows by 1.3 + 1 when no
 * record fits in it), and the target aborts when the blocks do not give
 * back every byte once, when a block is empty, or, for fixed strings,
 * when a block other than the last is over the block size (without -N)
 * or does not end where a record end meets a record start (with -L and
 * no -N: after a whole number of groups of lines). The same check holds
 * for pipe_split_after() at every place. -r: pipe_drop_blank() given the
 * bytes in blocks must give what it gives them at once, which must be
 * the lines not of white space only; --rrs: pipe_remove_seps() must stay
 * within the bytes (AddressSanitizer) and not grow them.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pipe.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const ends[] = {"\\n", "", "\\0", "ab", "a\\nb"};
static const char *const end_bytes[] = {"\n", "", "\0", "ab", "a\nb"};
static const size_t end_lens[] = {1, 0, 1, 2, 3};
static const char *const starts[] = {NULL, "1", "xy", NULL};
static const char *const regex_ends[] = {"\\n", "[05]\\n", "a+", "(x|\\n)"};
static const char *const regex_starts[] = {NULL, "^1", "[ab]", NULL};

/* Whether a block may end at cut: a record end before, a start after. */
/* Whether a block of -L lines may end at cut. */
static bool
at_lines(const char *p, size_t cut, size_t lines)
{
	size_t i, n = 0;

	for (i = 0; i < cut; i++)
		n += p[i] == '\n';
	return cut && p[cut - 1] == '\n' && n % lines == 0;
}

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
    size_t nrec, size_t lines, bool fixed, int e, int st)
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
		if (lines && !nrec && off + cut < len) {
			if (!at_lines(p + off, cut, lines) || cut > limit)
				abort();
		} else if (fixed && off + cut < len) {
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

/* -r: in blocks of limit bytes as at once, and only blank lines gone. */
static void
check_blank(const char *p, size_t len, size_t limit)
{
	char *a = malloc(len + 1), *b = malloc(len + 1);
	size_t alen, blen = 0, from = 0, i, n, want = 0;
	const char *nl;

	memcpy(a, p, len);
	alen = pipe_drop_blank(a, len, &from);
	for (from = 0, i = 0; i < len; i += n) {
		n = len - i < limit ? len - i : limit;
		memcpy(b + blen, p + i, n);
		blen = pipe_drop_blank(b, blen + n, &from);
	}
	if (alen != blen || memcmp(a, b, alen) != 0)
		abort();
	for (i = 0; i < len; i += n) {
		nl = memchr(p + i, '\n', len - i);
		n = nl ? (size_t)(nl - p) + 1 - i : len - i;
		if (nl && util_blank(p + i, n))
			continue;
		if (want + n > alen || memcmp(a + want, p + i, n) != 0)
			abort();
		want += n;
	}
	if (want != alen)
		abort();
	free(a);
	free(b);
}

static void
check_rrs(const struct pipe_split *sp, const char *p, size_t len)
{
	char *a = malloc(len + 1);

	memcpy(a, p, len + 1);
	if (pipe_remove_seps(sp, a, len) > len)
		abort();
	free(a);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pipe_split *sp;
	char *p;
	size_t len, limit, nrec, lines, i, at;
	int flags, e, st;
	bool regexp;

	if (size < 2)
		return 0;
	flags = data[0];
	limit = 1 + data[1] % 64;
	lines = (size_t)data[1] / 64;
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
	if (flags >= 160) {
		check_blank(p, len, limit);
		check_rrs(sp, p, len);
	}
	pipe_split_lines(sp, lines);
	check_cuts(sp, p, len, limit, nrec, lines, !regexp, e, st);
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
