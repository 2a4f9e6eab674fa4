/*
 * libFuzzer target for src/input.c.
 *
 * Input: two flags bytes, a --colsep pattern (when the flags ask for
 * one) ending at the first NUL, then the bytes of a file given as a
 * :::: group through a memfd. The flags choose the delimiter, -r, -N,
 * --link, and a ::: list before or after the file, plain or linked;
 * the second's high bits -L (lines ending in a blank go on), and -E x
 * or --shuf, or both bits: items packed by length (-m, -s) and spread
 * over slots, where an item too long is an error.
 * input_next() is drained to the end, with input_fill() on INPUT_WAIT.
 *
 * Patterns util_regcomp() rejects are skipped (input_open() would exit, as
 * it should for a bad --colsep). When the file is the only group with no
 * --colsep, -r or -N, the records joined by the delimiter must give the
 * file back (abort otherwise), up to a record that holds a NUL byte that
 * is not the delimiter, where input_next() must stop with an error.
 */
#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "buf.h"
#include "input.h"
#include "options.h"
#include "util.h"

#define MAXPAT 8

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The same escapes input.c's colsep_pattern() turns into bytes. */
static char *
pattern(const char *s)
{
	char *p = malloc(strlen(s) + 1), *q = p;

	for (; *s; s++) {
		if (s[0] == '\\' && (s[1] == 't' || s[1] == 'n')) {
			*q++ = s[1] == 't' ? '\t' : '\n';
			s++;
		} else {
			*q++ = *s;
		}
	}
	*q = '\0';
	return p;
}

static bool
colsep_ok(const char *s)
{
	regex_t re;
	char *p = pattern(s), msg[128];
	int rc = util_regcomp(&re, p, REG_EXTENDED, msg, sizeof msg);

	free(p);
	if (rc == 0)
		regfree(&re);
	/* Back-references can take exponential time: not what we test. */
	return rc == 0 && !strchr(s, '\\');
}

/* value_len for packing: each value and a blank. */
static size_t
plain_len(const void *data, const char *v, size_t len, size_t i)
{
	(void)data, (void)v, (void)i;
	return len + 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int delims[] = { '\n', '\0', ',', '\t', '\r', 'a', 0xff,
	    ' ' };
	static char *list[] = { (char *)"x", (char *)"", (char *)"y,z",
	    (char *)" " };
	struct options o;
	struct group groups[2];
	struct input *in;
	struct args a = ARGS_INIT;
	struct buf joined = BUF_INIT;
	char path[64], colsep[MAXPAT + 1];
	const uint8_t *body, *bad;
	size_t bodylen, i, njobs = 0;
	uint8_t f0, f1;
	int fd, rc, guard = 0;
	bool simple, packed;

	if (size < 2)
		return 0;
	f0 = data[0];
	f1 = data[1];
	body = data + 2;
	bodylen = size - 2;

	memset(&o, 0, sizeof o);
	memset(groups, 0, sizeof groups);
	o.delimiter = delims[f0 & 7];
	o.skip_empty = f0 & 8;
	o.max_args = (f0 >> 4) & 3;
	o.link = f0 & 0x40;
	if (f0 & 0x80) {
		const uint8_t *nul = memchr(body, '\0', bodylen);
		size_t n;

		if (!nul)
			return 0;
		n = (size_t)(nul - body);
		if (n == 0 || n > MAXPAT)
			return 0;
		memcpy(colsep, body, n);
		colsep[n] = '\0';
		if (!colsep_ok(colsep))
			return 0;
		o.colsep = colsep;
		bodylen -= n + 1;
		body = nul + 1;
	}

	fd = memfd_create("fuzz_input", 0);
	if (fd < 0)
		return 0;
	if (bodylen && write(fd, body, bodylen) != (ssize_t)bodylen) {
		close(fd);
		return 0;
	}
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);

	/* f1: 0 the file alone; 1 list then file; 2 file then list. */
	switch (f1 % 3) {
	case 0:
		groups[0].path = path;
		o.ngroups = 1;
		break;
	case 1:
		groups[0].values = list;
		groups[0].nvalues = 1 + (f1 >> 2) % 4;
		groups[1].path = path;
		groups[1].linked = f1 & 0x40;
		o.ngroups = 2;
		break;
	default:
		groups[0].path = path;
		groups[1].values = list;
		groups[1].nvalues = (f1 >> 2) % 5;
		groups[1].linked = f1 & 0x40;
		o.ngroups = 2;
		break;
	}
	o.groups = groups;
	o.max_lines = f1 & 0x80;
	packed = (f1 & 0x30) == 0x30;
	o.eof_str = (f1 & 0x30) == 0x10 ? "x" : NULL;
	o.shuf = (f1 & 0x30) == 0x20;
	o.pack = packed ? PACK_M : PACK_NONE;
	/*
	 * A NUL byte that is not the delimiter is refused: in a file that is
	 * read whole (not the first unit alone) input_open() exits; in the
	 * streamed one input_next() stops there with INPUT_ERROR.
	 */
	bad = o.delimiter != '\0' ? memchr(body, '\0', bodylen) : NULL;
	if (bad && (groups[0].path != path ||
		       (o.ngroups > 1 && (o.link || groups[1].linked)))) {
		close(fd);
		return 0;
	}
	if (bad) {
		/* Only the records before the one holding it are given. */
		while (bad > body && bad[-1] != (uint8_t)o.delimiter)
			bad--;
		bodylen = (size_t)(bad - body);
	}
	simple = o.ngroups == 1 && !o.colsep && !o.skip_empty &&
	    o.max_args <= 1 && !o.max_lines && !(f1 & 0x30);

	in = input_open(&o);
	if (packed) {
		struct input_pack pack = {
		    8 + bodylen % 32, 2, plain_len, NULL, 1 + (f1 >> 2) % 4};

		input_set_pack(in, &pack);
	}
	while (guard++ < 1000000) {
		rc = input_next(in, &a);
		if (rc == INPUT_WAIT) {
			if (input_fill(in) < 0)
				break;
			continue;
		}
		if (rc == INPUT_ERROR && !bad && !packed)
			abort(); /* no reason for it (packed: one too long) */
		if (rc != INPUT_ITEM)
			break;
		if (a.n == 0 && o.max_args <= 1 && !o.colsep)
			abort();	/* an item always has a value */
		if (simple) {
			if (a.n != 1)
				abort();
			if (njobs)
				buf_addch(&joined, o.delimiter);
			buf_add(&joined, args_value(&a, 0), a.len[0]);
		}
		for (i = 0; i < a.n; i++)
			if (args_value(&a, i)[a.len[i]] != '\0')
				abort();
		njobs++;
	}
	if (guard >= 1000000)
		abort();	/* input_next never ended */
	if (simple && bad && rc != INPUT_ERROR)
		abort();	/* the NUL went by */
	if (simple) {
		/* The file, less one final delimiter. */
		size_t len = bodylen;

		if (len && body[len - 1] == (uint8_t)o.delimiter)
			len--;
		if (joined.len != len || (len &&
		    memcmp(joined.data, body, len) != 0)) {
			fprintf(stderr, "records do not join back to the "
			    "file (%zu jobs, %zu vs %zu bytes)\n", njobs,
			    joined.len, len);
			abort();
		}
	}
	input_free(in);
	close(fd);
	buf_release(&joined);
	args_release(&a);
	return 0;
}
