/*
 * Unit tests for src/pipe.c: where blocks end (pipe_cut(), as GNU
 * parallel 20221122 cuts them: the expected blocks below are what
 * `parallel --pipe` gave), --pipe-part's split after a place, and the
 * reader of a file cut into blocks with a header; -L groups of lines,
 * --rrs and -r.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "executor.h"
#include "input.h"
#include "options.h"
#include "pipe.h"
#include "xalloc.h"
#include "unit.h"

/*
 * Cut all of s as the reader does (a block grows by 1.3 + 1 when no
 * record fits), the blocks' lengths in out, comma-separated.
 */
static void
cut_all(const struct pipe_split *sp, const char *s, size_t len, size_t limit,
    size_t nrec, char *out, size_t outlen)
{
	size_t off = 0, have, cut, n = 0;
	bool first = true;

	out[0] = '\0';
	while (off < len) {
		have = len - off < limit ? len - off : limit;
		cut = pipe_cut(sp, s + off, have, limit, nrec,
		    off + have == len && have < limit, first);
		if (cut == 0) {
			if (off + have == len) /* all of it, and full */
				cut = pipe_cut(sp, s + off, have, limit, nrec,
				    true, first);
			else {
				limit = limit * 13 / 10 + 2;
				continue;
			}
		}
		n += (size_t)snprintf(
		    out + n, outlen - n, "%s%zu", off ? "," : "", cut);
		off += cut;
		first = false;
	}
}

static char *
seq(int from, int to, size_t *len)
{
	struct buf b = BUF_INIT;
	char line[32];
	int i;

	for (i = from; i <= to; i++) {
		snprintf(line, sizeof line, "%d\n", i);
		buf_addstr(&b, line);
	}
	return buf_detach(&b, len);
}

static void
test_blocks(void)
{
	struct pipe_split *nl = pipe_split_new(NULL, NULL, false);
	char got[512];
	size_t len;
	char *s = seq(1, 100, &len);

	/* seq 100 | parallel -k --pipe --block 50 wc -c */
	cut_all(nl, s, len, 50, 0, got, sizeof got);
	CHECK_STR(got, "48,48,48,48,48,48,4");
	/* ... --block 10 */
	cut_all(nl, s, len, 10, 0, got, sizeof got);
	CHECK_STR(got,
	    "10,8,9,9,9,9,9,9,9,9,9,9,9,9,9,9,9,9,9,9,9,9,9,9,9,9,"
	    "9,9,9,9,9,9,4");
	/* -N 7: seven lines whatever the block size */
	cut_all(nl, s, len, 5, 7, got, sizeof got);
	CHECK_STR(got, "14,19,21,21,21,21,21,21,21,21,21,21,21,21,7");
	/* A block of bytes not yet full waits for more; at eof, all. */
	CHECK_INT(pipe_cut(nl, "a\nb\nc", 5, 10, 0, false, true), 0);
	CHECK_INT(pipe_cut(nl, "a\nb\nc", 5, 10, 0, true, true), 5);
	/* No record end within the block: 0, it must grow. */
	CHECK_INT(pipe_cut(nl, "abcdefgh\n", 9, 5, 0, false, true), 0);
	/* -N counts from the second byte: a leading empty record joins. */
	CHECK_INT(pipe_cut(nl, "\n\na\nb\n", 6, 100, 1, false, true), 2);
	CHECK_INT(pipe_cut(nl, "a\nb\n", 4, 100, 3, false, true), 0);
	CHECK_INT(pipe_cut(nl, "a\nb\n", 4, 100, 3, true, true), 4);
	free(s);
	pipe_split_free(nl);
}

static void
test_separators(void)
{
	struct pipe_split *sp;
	char got[256];

	/* --recstart alone: a block ends before a record start, not at 0. */
	sp = pipe_split_new("1", NULL, false);
	CHECK_INT(pipe_cut(sp, "1a\n1b\n2c\n1d", 11, 11, 0, false, true), 9);
	CHECK_INT(pipe_cut(sp, "1aaaaaaaa", 9, 9, 0, false, true), 0);
	pipe_split_free(sp);
	/* Both: the end, then the start. */
	sp = pipe_split_new("1", "\\n", false);
	CHECK_INT(pipe_cut(sp, "x\n1\n1y\n2", 8, 8, 0, false, true), 4);
	pipe_split_free(sp);
	/* --recend '': any byte ends a record. */
	sp = pipe_split_new(NULL, "", false);
	CHECK_INT(pipe_cut(sp, "abcdefgh", 8, 5, 0, false, true), 5);
	CHECK_INT(pipe_cut(sp, "abcdefgh", 8, 100, 3, false, true), 3);
	pipe_split_free(sp);
	/* Escapes: \0 is a NUL byte, a longer end is matched whole. */
	sp = pipe_split_new(NULL, "\\0", false);
	CHECK_INT(pipe_cut(sp, "ab\0cd\0e", 7, 7, 0, false, true), 6);
	pipe_split_free(sp);
	sp = pipe_split_new(NULL, "END\\n", false);
	cut_all(sp, "aEND\nbbEND\nEN\ncEND\n", 19, 12, 0, got, sizeof got);
	CHECK_STR(got, "11,8");
	pipe_split_free(sp);
}

static void
test_regexp(void)
{
	struct pipe_split *sp;
	char got[256];
	size_t len;
	char *s = seq(1, 100, &len);

	/* parallel -k --pipe --regexp --recend '[05]\n' --block 40 */
	sp = pipe_split_new(NULL, "[05]\\n", true);
	CHECK(sp != NULL);
	cut_all(sp, s, len, 40, 0, got, sizeof got);
	CHECK_STR(got, "36,30,30,30,30,30,30,30,30,16");
	pipe_split_free(sp);
	/* --recstart '^[05]' -N 2: what comes first is a block of its own. */
	sp = pipe_split_new("^[05]", NULL, true);
	cut_all(sp, s, len, 1000, 2, got, sizeof got);
	CHECK_STR(got, "8,133,6,6,6,6,127");
	pipe_split_free(sp);
	/* A bad expression is refused (said on stderr). */
	CHECK(pipe_split_new(NULL, "(", true) == NULL);
	free(s);
}

static void
test_split_after(void)
{
	struct pipe_split *sp = pipe_split_new(NULL, NULL, false);

	CHECK_INT(pipe_split_after(sp, "aaa\nbbb\nccc", 11, 5), 8);
	CHECK_INT(pipe_split_after(sp, "aaa\nbbb\nccc", 11, 3), 4);
	CHECK(pipe_split_after(sp, "aaa\nbbb\nccc", 11, 8) == SIZE_MAX);
	pipe_split_free(sp);
}

/* Read the whole file through a reader made by these options. */
static void
read_blocks(char **argv, int argc, struct buf *out)
{
	struct options o;
	struct pipe_reader *r;
	struct pipe_block *b;
	struct exec_cmd cmd;
	const char *name;
	int rc;

	options_parse(&o, argc, argv);
	r = pipe_reader_new(&o);
	for (;;) {
		rc = pipe_reader_next(r, &b, &name);
		if (rc == INPUT_WAIT) {
			CHECK_INT(pipe_reader_fill(r), 0);
			continue;
		}
		if (rc != INPUT_ITEM)
			break;
		memset(&cmd, 0, sizeof cmd);
		pipe_block_cmd(b, &cmd);
		buf_add(out, cmd.input, cmd.input_len);
		buf_addch(out, '|');
		pipe_block_free(b);
	}
	CHECK_INT(rc, INPUT_END);
	pipe_reader_free(r);
	options_release(&o);
}

static void
test_reader(void)
{
	char path[] = "/tmp/fanout-unit-pipe-XXXXXX";
	const char text[] = "h\n1\n22\n333\n4444\n55555\n";
	int fd = mkstemp(path);
	struct buf got = BUF_INIT;
	char *argv[] = {(char *)"fanout", (char *)"--pipe", (char *)"-a", path,
	    (char *)"--header", (char *)"1", (char *)"--block", (char *)"8",
	    (char *)"cat", NULL};
	char *nargv[] = {(char *)"fanout", (char *)"--pipe", (char *)"-a", path,
	    (char *)"-N", (char *)"2", (char *)"cat", NULL};

	CHECK(fd >= 0 &&
	    write(fd, text, sizeof text - 1) == (ssize_t)sizeof text - 1);
	close(fd);
	read_blocks(argv, 9, &got);
	CHECK_STR(got.data, "h\n1\n22\n|h\n333\n|h\n4444\n|h\n55555\n|");
	buf_reset(&got);
	read_blocks(nargv, 7, &got);
	CHECK_STR(got.data, "h\n1\n|22\n333\n|4444\n55555\n|");
	buf_release(&got);
	unlink(path);
}

static void
test_lines(void)
{
	struct pipe_split *nl = pipe_split_new(NULL, NULL, false);
	char got[512];
	size_t len;
	char *s = seq(1, 30, &len);

	pipe_split_lines(nl, 3);
	/* seq 30 | parallel -k --pipe -L 3 --block 10 wc -c */
	cut_all(nl, s, len, 10, 0, got, sizeof got);
	CHECK_STR(got, "6,6,6,9,9,9,9,9,9,9");
	/* -L 4 --block 20, the last line without its newline */
	pipe_split_lines(nl, 4);
	cut_all(nl, s, len - 1, 20, 0, got, sizeof got);
	CHECK_STR(got, "16,11,12,12,12,12,5");
	/* seq 5 | parallel -k --pipe -L 2 wc -c: the last line alone */
	pipe_split_lines(nl, 2);
	cut_all(nl, s, 10, 1024, 0, got, sizeof got);
	CHECK_STR(got, "8,2");
	/* A group longer than the block: none fits, the block must grow. */
	pipe_split_lines(nl, 4);
	CHECK(pipe_cut(nl, s, 10, 5, 0, false, true) == 0);
	/* With -N, records, not lines. */
	CHECK(pipe_cut(nl, s, 10, 5, 1, false, true) == 2);
	free(s);
	pipe_split_free(nl);
}

/* pipe_remove_seps() on a copy of s: the result as a string. */
static const char *
rrs(const struct pipe_split *sp, const char *s)
{
	static char out[256];
	size_t len = strlen(s);

	memcpy(out, s, len + 1);
	out[pipe_remove_seps(sp, out, len)] = '\0';
	return out;
}

static void
test_remove_seps(void)
{
	struct pipe_split *nl = pipe_split_new(NULL, NULL, false);
	struct pipe_split *se = pipe_split_new("S", "E\\n", false);
	struct pipe_split *re = pipe_split_new("S", "E\\n", true);
	struct pipe_split *e = pipe_split_new(NULL, "E", false);
	struct pipe_split *none = pipe_split_new(NULL, "", false);

	/* Expected values: parallel --pipe --rrs with the same options. */
	CHECK_STR(rrs(nl, "1\n2\n3\n"), "123");
	CHECK_STR(rrs(se, "SaE\nSbE\n"), "ab");
	CHECK_STR(rrs(se, "xSaE\nSbE\ny"), "xSabE\ny");
	CHECK_STR(rrs(re, "SaE\nSbE\n"), "ab");
	CHECK_STR(rrs(re, "xSaE\nSbE\ny"), "xSabE\ny");
	/* Perl's $ is before a final newline too. */
	CHECK_STR(rrs(e, "aEEbE\n"), "ab\n");
	CHECK_STR(rrs(e, "aE"), "a");
	CHECK_STR(rrs(none, "abc"), "abc");
	CHECK_STR(rrs(nl, ""), "");
	pipe_split_free(nl);
	pipe_split_free(se);
	pipe_split_free(re);
	pipe_split_free(e);
	pipe_split_free(none);
}

/* pipe_drop_blank() of s given in pieces cut at the places in at. */
static const char *
unblank(const char *s, const size_t *at, size_t nat)
{
	static char out[256];
	size_t len = 0, from = 0, i, n;

	for (i = 0; i <= nat; i++) {
		n = (i < nat ? at[i] : strlen(s)) - (i ? at[i - 1] : 0);
		memcpy(out + len, s + (i ? at[i - 1] : 0), n);
		len = pipe_drop_blank(out, len + n, &from);
	}
	out[len] = '\0';
	return out;
}

static void
test_drop_blank(void)
{
	static const char in[] = "a\n\n  \nb\n \t\n \r\n\f\vx \n  y\n \n";
	static const size_t at[] = {1, 3, 4, 9, 10, 21};
	size_t i;

	/* printf ... | parallel --pipe -r cat */
	CHECK_STR(unblank(in, NULL, 0), "a\nb\n\f\vx \n  y\n");
	/* Read in pieces, a blank line split between two. */
	for (i = 0; i <= 6; i++)
		CHECK_STR(unblank(in, at, i), "a\nb\n\f\vx \n  y\n");
	/* A line not ended yet stays, and is judged when it ends. */
	CHECK_STR(unblank("a\n  ", NULL, 0), "a\n  ");
	CHECK_STR(unblank("\n\n", NULL, 0), "");
	CHECK_STR(unblank("x\0\n\n", NULL, 0), "x");
}

int
main(void)
{
	test_lines();
	test_remove_seps();
	test_drop_blank();
	test_blocks();
	test_separators();
	test_regexp();
	test_split_after();
	test_reader();
	return unit_done();
}
