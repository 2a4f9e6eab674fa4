/*
 * Unit tests for src/input.c (sources, products, links, columns, -N,
 * delimiters), options_parse_duration() and util_jobs_from_spec(). The
 * options come from options_parse() on a crafted argv, as fanout's own
 * command line would give them; expected sequences follow GNU parallel.
 */
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "input.h"
#include "options.h"
#include "util.h"
#include "xalloc.h"
#include "unit.h"

#define MAXARGV 64

static char tmpdir[] = "/tmp/fanout-unit-XXXXXX";
static char *made[128];
static size_t nmade;

/* Write a file in the test directory; returns its path. */
static const char *
file_with(const char *name, const char *data, size_t len)
{
	char *path = xasprintf("%s/%s", tmpdir, name);
	FILE *f = fopen(path, "wb");

	if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
		perror(path);
		exit(2);
	}
	if (nmade < sizeof made / sizeof made[0])
		made[nmade++] = path;
	return path;
}

#define FILE_STR(name, s) file_with((name), (s), sizeof(s) - 1)

/*
 * Parse "fanout" + the NULL-terminated words. argv must outlive the
 * options (groups point into it), so it is returned for the caller to
 * free with opts_done().
 */
static char **
opts_parse(struct options *o, va_list ap)
{
	char **argv = xcalloc(MAXARGV + 1, sizeof *argv);
	const char *w;
	int argc = 0;

	argv[argc++] = (char *)"fanout";
	while ((w = va_arg(ap, const char *)) != NULL && argc < MAXARGV)
		argv[argc++] = (char *)w;
	optind = 0;	/* glibc: start over */
	options_parse(o, argc, argv);
	return argv;
}

/* Append "[v]" for each value of a, as one "(...)" job. */
static void
show_job(struct buf *b, const struct args *a)
{
	size_t i;

	buf_addch(b, '(');
	for (i = 0; i < a->n; i++) {
		buf_addch(b, '[');
		buf_add(b, args_value(a, i), a->len[i]);
		buf_addch(b, ']');
	}
	buf_addch(b, ')');
}

/* The length of the last drain() result, which may hold NUL bytes. */
static size_t drained_len;

/* Every job's arguments from input, as "([a][b])([c])". */
static char *
drain(struct input *in)
{
	struct args a = ARGS_INIT;
	struct buf b = BUF_INIT;
	int rc, guard = 0;

	buf_addstr(&b, "");
	while (guard++ < 100000) {
		rc = input_next(in, &a);
		if (rc == INPUT_WAIT) {
			if (input_fill(in) < 0) {
				buf_addstr(&b, "<fill error>");
				break;
			}
			continue;
		}
		if (rc == INPUT_ITEM) {
			show_job(&b, &a);
			continue;
		}
		if (rc != INPUT_END)
			buf_addstr(&b, "<error>");
		break;
	}
	if (guard >= 100000)
		buf_addstr(&b, "<no end>");
	args_release(&a);
	return buf_detach(&b, &drained_len);
}

/* The jobs for a command line (options, command, groups). */
static char *
jobs(const char *first, ...)
{
	struct options o;
	struct input *in;
	char **argv, *out;
	va_list ap;

	(void)first;
	va_start(ap, first);
	argv = opts_parse(&o, ap);
	va_end(ap);
	in = input_open(&o);
	out = drain(in);
	input_free(in);
	options_release(&o);
	free(argv);
	return out;
}

/* The first argument is a dummy so that varargs work with no word. */
#define JOBS(...) jobs("", __VA_ARGS__, (const char *)NULL)

#define CHECK_JOBS(want, ...) do { \
	char *got_ = JOBS(__VA_ARGS__); \
	unit_check_str(got_, (want), __FILE__, __LINE__, \
	    "jobs(" #__VA_ARGS__ ")"); \
	free(got_); \
} while (0)

static void
test_product(void)
{
	const char *f1 = FILE_STR("f1", "a\nb\n");
	const char *f2 = FILE_STR("f2", "1\n2\n3\n");

	CHECK_JOBS("([a])([b])([c])", "echo", ":::", "a", "b", "c");
	/* The last group varies fastest (GNU Q20). */
	CHECK_JOBS("([a][1])([a][2])([a][3])([b][1])([b][2])([b][3])",
	    "echo", ":::", "a", "b", ":::", "1", "2", "3");
	CHECK_JOBS("([a][b][a])([a][b][b])([a][c][a])([a][c][b])",
	    "echo", ":::", "a", ":::", "b", "c", "::::", f1);
	/* -a files: a product, and they come before the ::: groups. */
	CHECK_JOBS("([a][1])([a][2])([a][3])([b][1])([b][2])([b][3])",
	    "-a", f1, "-a", f2, "echo");
	CHECK_JOBS("([a][x])([a][y])([b][x])([b][y])",
	    "-a", f1, "echo", ":::", "x", "y");
	CHECK_JOBS("([a][1])([a][2])([a][3])([b][1])([b][2])([b][3])",
	    "echo", "::::", f1, f2);
	/* A streamed first file with a later file group. */
	CHECK_JOBS("([1][a])([1][b])([2][a])([2][b])([3][a])([3][b])",
	    "echo", "::::", f2, "::::", f1);
	/* An empty value is a value. */
	CHECK_JOBS("([])([a])", "echo", ":::", "", "a");
	/* Three list groups. */
	CHECK_JOBS("([a][c][e])([a][d][e])([b][c][e])([b][d][e])",
	    "echo", ":::", "a", "b", ":::", "c", "d", ":::", "e");
}

static void
test_empty(void)
{
	const char *empty = FILE_STR("empty", "");

	CHECK_JOBS("", "echo", ":::");
	CHECK_JOBS("", "echo", "::::", empty);
	CHECK_JOBS("", "-a", "/dev/null", "echo");
	/* One empty line is one job with an empty argument (GNU Q7). */
	CHECK_JOBS("([])", "echo", "::::", FILE_STR("nl", "\n"));
	/*
	 * Every combination of a group with an empty one is no combination
	 * at all. GNU parallel runs "echo a ''" for "::: a :::" instead; a
	 * deliberate difference (README), as a job with a made-up empty
	 * argument is never what an empty list meant.
	 */
	CHECK_JOBS("", "echo", ":::", "a", ":::");
	CHECK_JOBS("", "echo", "::::", empty, ":::", "a");
	CHECK_JOBS("", "echo", ":::", "a", "::::", empty);
}

static void
test_link(void)
{
	const char *f12 = FILE_STR("f12", "1\n2\n");
	const char *f1 = FILE_STR("f1", "a\nb\n");
	const char *f2 = FILE_STR("f2", "1\n2\n3\n");

	/* :::+ truncates to the shortest (GNU Q6). */
	CHECK_JOBS("([a][1])([b][2])",
	    "echo", ":::", "a", "b", "c", ":::+", "1", "2");
	CHECK_JOBS("([a][1][p])([b][2][q])", "echo", ":::", "a", "b", "c",
	    ":::+", "1", "2", ":::+", "p", "q", "r", "s");
	CHECK_JOBS("([a][1][x])([a][1][y])([b][2][x])([b][2][y])",
	    "echo", ":::", "a", "b", ":::+", "1", "2", ":::", "x", "y");
	CHECK_JOBS("([a][x][1])([a][y][2])([b][x][1])([b][y][2])",
	    "echo", ":::", "a", "b", ":::", "x", "y", ":::+", "1", "2", "3");
	CHECK_JOBS("([a][1])([b][2])",
	    "echo", ":::", "a", "b", "c", "::::+", f12);
	/* A linked file as the first group with a linked list. */
	CHECK_JOBS("([1][x])([2][y])", "echo", "::::", f12, ":::+",
	    "x", "y", "z");

	/* --link: shorter groups wrap around. */
	CHECK_JOBS("([a][1])([b][2])([c][1])",
	    "--link", "echo", ":::", "a", "b", "c", ":::", "1", "2");
	CHECK_JOBS("([a][1])([b][2])([a][3])([b][4])([a][5])",
	    "--link", "echo", ":::", "a", "b", ":::", "1", "2", "3", "4",
	    "5");
	CHECK_JOBS("([a][1])([b][2])([a][3])",
	    "--link", "-a", f1, "-a", f2, "echo");
	/* --link of one group is that group. */
	CHECK_JOBS("([a])([b])", "--link", "echo", ":::", "a", "b");
}

static void
test_max_args(void)
{
	CHECK_JOBS("([a][b])([c])", "-N", "2", "echo", ":::", "a", "b", "c");
	CHECK_JOBS("([a][b])([c][d])", "-N", "2", "echo", ":::", "a", "b",
	    "c", "d");
	CHECK_JOBS("([a][b][c])([d])", "-N3", "echo", ":::", "a", "b", "c",
	    "d");
	CHECK_JOBS("([a])", "-N", "5", "echo", ":::", "a");
	CHECK_JOBS("", "-N", "2", "echo", ":::");
	CHECK_JOBS("([a])([b])", "-N", "1", "echo", ":::", "a", "b");
	/* Each item of a product is all of its groups' values. */
	CHECK_JOBS("([a][1][a][2])([b][1][b][2])",
	    "-N", "2", "echo", ":::", "a", "b", ":::", "1", "2");
	/* From a file: -N 2 over 3 lines. */
	CHECK_JOBS("([1][2])([3])", "-N", "2", "echo", "::::",
	    FILE_STR("f2", "1\n2\n3\n"));
}

/* -E ends each source at its item; -L joins a line ending in a blank. */
static void
test_eof_and_lines(void)
{
	CHECK_JOBS("([a])", "-E", "END", "echo", ":::", "a", "END", "b");
	CHECK_JOBS("([a][1])", "-E", "END", "echo",
	    "::::", FILE_STR("e1", "a\nEND\nb\n"), ":::", "1", "END", "2");
	CHECK_JOBS(
	    "([a][END][b])", "-E", "", "-n3", "echo", ":::", "a", "END", "b");
	CHECK_JOBS("([a b c d][e f])([g\th ])", "-L", "2", "echo",
	    "::::", FILE_STR("l1", "a b \nc d\ne f\ng\t\nh \n"));
	/* Without -L a trailing blank is kept and ends nothing. */
	CHECK_JOBS("([a ])([c])", "echo", "::::", FILE_STR("l2", "a \nc\n"));
}

/* value_len for the packing tests: each value and a blank. */
static size_t
plain_len(const void *data, const char *v, size_t len, size_t i)
{
	(void)data, (void)v, (void)i;
	return len + 1;
}

/* The jobs of -m (spread over slots) with commands shorter than max. */
static char *
packed(size_t max, size_t spread, const char *opt, const char *file)
{
	struct input_pack pack = {max, 4, plain_len, NULL, spread};
	struct options o;
	struct input *in;
	char *argv[] = {(char *)"fanout", (char *)opt, (char *)"echo",
	    (char *)"::::", (char *)file, NULL};
	char *out;

	optind = 0;
	options_parse(&o, 5, argv);
	in = input_open(&o);
	input_set_pack(in, &pack);
	out = drain(in);
	input_free(in);
	options_release(&o);
	return out;
}

#define CHECK_PACKED(want, max, spread, opt, file)                             \
	do {                                                                   \
		char *got_ = packed((max), (spread), (opt), (file));           \
		unit_check_str(got_, (want), __FILE__, __LINE__,               \
		    "packed(" #max ", " #spread ", " #opt ")");                \
		free(got_);                                                    \
	} while (0)

/* Items by length (-m, -X, --xargs, -s) and spread over the slots. */
static void
test_pack(void)
{
	const char *f = FILE_STR("p1", "a\nbb\nc\ndd\ne\n");

	/* 4 + 2 + 3 + 2 = 11 < 12; with dd 14: no more. */
	CHECK_PACKED("([a][bb][c])([dd][e])", 12, 0, "--xargs", f);
	/* The input ends within the first job: spread over 2 slots. */
	CHECK_PACKED("([a][bb][c])([dd][e])", 1000, 2, "-m", f);
	CHECK_PACKED("([a])([bb])([c])([dd])([e])", 1000, 5, "-m", f);
	/* -n 2 with a length limit: the count or the length, what is less. */
	CHECK_PACKED("([a][bb])([c][dd])([e])", 10, 0, "-n2", f);
	CHECK_PACKED("([a])([bb])([c])([dd])([e])", 9, 0, "-n2", f);
	/* An item too long alone stops the input with an error. */
	CHECK_PACKED("([a])<error>", 7, 0, "--xargs", f);
}

static void
test_colsep(void)
{
	CHECK_JOBS("([a][b][c])", "--colsep", "[,;]", "echo", "::::",
	    FILE_STR("c1", "a,b;c\n"));
	CHECK_JOBS("([a][b c])", "--colsep", "\\t", "echo", "::::",
	    FILE_STR("c2", "a\tb c\n"));
	CHECK_JOBS("([a][b c])", "--colsep", "\t", "echo", "::::",
	    FILE_STR("c2", "a\tb c\n"));
	/* Trailing empty fields are kept (GNU Q8). */
	CHECK_JOBS("([a][][b][])", "--colsep", ",", "echo", "::::",
	    FILE_STR("c3", "a,,b,\n"));
	CHECK_JOBS("([a][b])", "--colsep", ", *", "echo", "::::",
	    FILE_STR("c4", "a, b\n"));
	CHECK_JOBS("([][a][b][])", "--colsep", " +", "echo", "::::",
	    FILE_STR("c5", " a  b \n"));
	CHECK_JOBS("([][][][])", "--colsep", ".", "echo", "::::",
	    FILE_STR("c6", "a.b\n"));
	CHECK_JOBS("([a][b])([c])", "--colsep", ",", "echo", "::::",
	    FILE_STR("c7", "a,b\nc\n"));
	/* An item without a separator is one column; empty is one too. */
	CHECK_JOBS("([abc])([])", "--colsep", ",", "echo", ":::", "abc", "");
	/* Columns of all groups are numbered on (GNU Q8). */
	CHECK_JOBS("([a][b][c][d])", "--colsep", ",", "echo", ":::", "a,b",
	    ":::", "c,d");
	/* A separator that can match nothing does not split forever. */
	CHECK_JOBS("([abc])", "--colsep", "x*", "echo", ":::", "abc");
	/* Alternation and anchors are regular expressions. */
	CHECK_JOBS("([a][b][c])", "--colsep", "::|--", "echo", ":::",
	    "a::b--c");
	/* -N with columns. */
	CHECK_JOBS("([a][b][c][d])", "-N", "2", "--colsep", ",", "echo",
	    ":::", "a,b", "c,d");
}

static void
test_skip_empty(void)
{
	CHECK_JOBS("([a])([b])", "-r", "echo", "::::",
	    FILE_STR("r1", "a\n\n \n\t\nb\n"));
	CHECK_JOBS("([a])([])([b])", "echo", "::::",
	    FILE_STR("r2", "a\n\nb\n"));
	CHECK_JOBS("([a])", "-r", "echo", ":::", "", " ", "a");
	CHECK_JOBS("", "-r", "echo", "::::", FILE_STR("r3", "\n\n"));
	CHECK_JOBS("", "-r", "echo", "::::", FILE_STR("r4", " \r\n\t\v\f\n"));
	/* Not trimmed: blanks around a value stay. */
	CHECK_JOBS("([a  ])([  b])", "-r", "echo", "::::",
	    FILE_STR("r5", "a  \n  b\n"));
	/* Later groups too. */
	CHECK_JOBS("([x][b])", "-r", "echo", ":::", "x", ":::", "", "b");
	CHECK_JOBS("([1][a])([1][b])", "-r", "echo", ":::", "1", "::::",
	    FILE_STR("r6", "a\n\n\nb\n"));
	/* -r with -N: blanks are not counted. */
	CHECK_JOBS("([a][b])([c])", "-r", "-N", "2", "echo", ":::", "a", "",
	    "b", " ", "c");
}

static void
test_delimiters(void)
{
	static const char nul1[] = "a\0b\0";
	static const char nul2[] = "a\0b";
	static const char nul3[] = "l1\nl2\0x\0";

	CHECK_JOBS("([a])([b])", "-0", "echo", "::::",
	    file_with("z1", nul1, sizeof nul1 - 1));
	CHECK_JOBS("([a])([b])", "-0", "echo", "::::",
	    file_with("z2", nul2, sizeof nul2 - 1));
	CHECK_JOBS("([l1\nl2])([x])", "-0", "echo", "::::",
	    file_with("z3", nul3, sizeof nul3 - 1));
	CHECK_JOBS("([a])([b])", "-d", "\\0", "echo", "::::",
	    file_with("z2", nul2, sizeof nul2 - 1));
	CHECK_JOBS("([a])([b])", "--null", "echo", "::::",
	    file_with("z1", nul1, sizeof nul1 - 1));

	CHECK_JOBS("([a])([b])", "-d", ",", "echo", "::::",
	    FILE_STR("d1", "a,b,"));
	CHECK_JOBS("([a])([b])", "-d", ",", "echo", "::::",
	    FILE_STR("d2", "a,b"));
	CHECK_JOBS("([a])([])([b])([\n])", "-d", ",", "echo", "::::",
	    FILE_STR("d3", "a,,b,\n"));
	CHECK_JOBS("([a b])([c])([d])", "-d", "\\t", "echo", "::::",
	    FILE_STR("d4", "a b\tc\td"));
	CHECK_JOBS("([a\nb])", "-d", ",", "echo", "::::",
	    FILE_STR("d5", "a\nb"));
	/* -d applies to every file group. */
	CHECK_JOBS("([a][1])([a][2])", "-d", ",", "echo", ":::", "a",
	    "::::", FILE_STR("d6", "1,2,"));

	/* A missing final newline. */
	CHECK_JOBS("([a])([b])", "echo", "::::", FILE_STR("n1", "a\nb"));
	CHECK_JOBS("([a])", "echo", "::::", FILE_STR("n2", "a"));
	/* CRLF is kept (GNU Q7). */
	CHECK_JOBS("([a\r])([b])", "echo", "::::", FILE_STR("n3",
	    "a\r\nb\n"));
	CHECK_JOBS("([x][a\r])([x][b])", "echo", ":::", "x", "::::",
	    FILE_STR("n4", "a\r\nb\n"));

	/*
	 * A NUL byte inside a line would cut the argument short: an error,
	 * and nothing more is read. With -0 it is the delimiter.
	 */
	{
		static const char data[] = "c\na\0b\nd\n";

		CHECK_JOBS("([c])<error>", "echo", "::::",
		    file_with("n5", data, sizeof data - 1));
		CHECK_JOBS("([c\na])([b\nd\n])", "-0", "echo", "::::",
		    file_with("n6", data, sizeof data - 1));
	}
}

/* One record longer than any read, as the first and as a later group. */
static void
test_big_record(void)
{
	size_t big = 1 << 20;
	char *data = xmalloc(big + 4);
	struct options o;
	struct input *in;
	struct args a = ARGS_INIT;
	const char *path;
	char **argv;
	int rc, n = 0, waits = 0;

	memset(data, 'x', big);
	data[big / 2] = 'm';
	memcpy(data + big, "\ny\n", 3);
	path = file_with("big", data, big + 3);

	argv = xcalloc(5, sizeof *argv);
	argv[0] = (char *)"fanout";
	argv[1] = (char *)"echo";
	argv[2] = (char *)"::::";
	argv[3] = (char *)path;
	optind = 0;
	options_parse(&o, 4, argv);
	in = input_open(&o);
	CHECK(input_fd(in) >= 0);
	for (;;) {
		rc = input_next(in, &a);
		if (rc == INPUT_WAIT) {
			waits++;
			if (input_fill(in) < 0)
				break;
			continue;
		}
		if (rc != INPUT_ITEM)
			break;
		n++;
		if (n == 1) {
			CHECK_INT(a.n, 1);
			CHECK_INT(a.len[0], big);
			CHECK(memcmp(args_value(&a, 0), data, big) == 0);
			CHECK_INT(args_value(&a, 0)[big], 0);
		} else if (n == 2) {
			CHECK_STR(args_value(&a, 0), "y");
		}
	}
	CHECK_INT(rc, INPUT_END);
	CHECK_INT(n, 2);
	CHECK(waits > 1);	/* it was read in pieces, on demand */
	input_free(in);
	options_release(&o);
	free(argv);

	/* As a later group, read whole at open. */
	{
		char *got = JOBS("echo", ":::", "p", "::::", path);
		struct buf want = BUF_INIT;

		buf_addstr(&want, "([p][");
		buf_add(&want, data, big);
		buf_addstr(&want, "])([p][y])");
		CHECK_MEM(got, drained_len, want.data, want.len);
		buf_release(&want);
		free(got);
	}
	args_release(&a);
	free(data);
}

/* The first group is streamed: items come before the input ends. */
static void
test_streaming(void)
{
	struct options o;
	struct input *in;
	struct args a = ARGS_INIT;
	int p[2], saved, rc;
	char *argv[] = { (char *)"fanout", (char *)"echo", NULL };

	if (pipe(p) < 0 || (saved = dup(STDIN_FILENO)) < 0) {
		perror("pipe");
		exit(2);
	}
	dup2(p[0], STDIN_FILENO);
	close(p[0]);

	optind = 0;
	options_parse(&o, 2, argv);
	in = input_open(&o);
	CHECK_INT(input_fd(in), STDIN_FILENO);
	CHECK_INT(input_next(in, &a), INPUT_WAIT);

	CHECK_INT(write(p[1], "a\nb", 3), 3);
	CHECK_INT(input_fill(in), 0);
	CHECK_INT(input_next(in, &a), INPUT_ITEM);
	CHECK(a.n == 1 && strcmp(args_value(&a, 0), "a") == 0);
	/* "b" has no newline yet and the pipe is open: wait. */
	CHECK_INT(input_next(in, &a), INPUT_WAIT);

	CHECK_INT(write(p[1], "\n", 1), 1);
	CHECK_INT(input_fill(in), 0);
	CHECK_INT(input_next(in, &a), INPUT_ITEM);
	CHECK(a.n == 1 && strcmp(args_value(&a, 0), "b") == 0);

	CHECK_INT(write(p[1], "c", 1), 1);
	close(p[1]);
	rc = input_next(in, &a);
	while (rc == INPUT_WAIT) {
		CHECK_INT(input_fill(in), 0);
		rc = input_next(in, &a);
	}
	CHECK_INT(rc, INPUT_ITEM);
	CHECK(a.n == 1 && strcmp(args_value(&a, 0), "c") == 0);
	rc = input_next(in, &a);
	while (rc == INPUT_WAIT) {
		CHECK_INT(input_fill(in), 0);
		rc = input_next(in, &a);
	}
	CHECK_INT(rc, INPUT_END);
	/* And it stays ended. */
	CHECK_INT(input_next(in, &a), INPUT_END);

	input_free(in);
	options_release(&o);
	dup2(saved, STDIN_FILENO);
	close(saved);
	args_release(&a);

	/* ::: lists have nothing to poll. */
	{
		char *argv2[] = { (char *)"fanout", (char *)"echo",
		    (char *)":::", (char *)"a", NULL };

		optind = 0;
		options_parse(&o, 4, argv2);
		in = input_open(&o);
		CHECK_INT(input_fd(in), -1);
		input_free(in);
		options_release(&o);
	}
}

/* The args helpers. */
static void
test_args(void)
{
	struct args a = ARGS_INIT, b = ARGS_INIT;
	size_t i;
	char v[16];

	for (i = 0; i < 100; i++) {
		snprintf(v, sizeof v, "v%zu", i);
		args_add(&a, v, strlen(v));
	}
	args_add(&a, "x\0y", 3);
	CHECK_INT(a.n, 101);
	CHECK_STR(args_value(&a, 42), "v42");
	CHECK_MEM(args_value(&a, 100), a.len[100], "x\0y", (size_t)3);
	args_copy(&b, &a);
	CHECK_INT(b.n, 101);
	CHECK_STR(args_value(&b, 99), "v99");
	CHECK_MEM(args_value(&b, 100), b.len[100], "x\0y", (size_t)3);
	args_reset(&a);
	CHECK_INT(a.n, 0);
	args_add(&a, "", 0);
	CHECK_STR(args_value(&a, 0), "");
	args_release(&a);
	args_release(&b);
	CHECK_INT(b.n, 0);
}

#define DURATION(s, unit, want) \
	CHECK_INT((long)(options_parse_duration((s), (unit)) * 1000), \
	    (long)((want) * 1000))

static void
test_duration(void)
{
	DURATION("90s", false, 90);
	DURATION("5m", false, 300);
	DURATION("1h", false, 3600);
	DURATION("1.5s", false, 1.5);
	DURATION("2d", false, 172800);
	DURATION("1.5", false, 1.5);
	DURATION("0", false, 0);
	DURATION("0.5m", false, 30);
	DURATION("90s", true, 90);
	/* GNU sums several parts: 1d3.5h16.6m4s (Q10). */
	DURATION("1h30m", false, 5400);
	DURATION("1d3.5h16.6m4s", false, 86400 + 12600 + 996 + 4);

	DURATION("", false, -1);
	DURATION("abc", false, -1);
	DURATION("s", false, -1);
	DURATION("5x", false, -1);
	DURATION("5ss", false, -1);
	DURATION("-1", false, -1);
	DURATION("-1s", false, -1);
	DURATION(" 5", false, -1);
	DURATION("5 ", false, -1);
	DURATION("nan", false, -1);
	DURATION("inf", false, -1);
	DURATION("1e3", false, -1);
	DURATION("0x10", false, -1);
	DURATION("1.2.3", false, -1);
	DURATION(".5", false, 0.5);
	DURATION("1.5", true, -1);
}

static void
test_jobs_spec(void)
{
	CHECK_INT(util_jobs_from_spec("4", 2), 4);
	CHECK_INT(util_jobs_from_spec("1", 2), 1);
	CHECK_INT(util_jobs_from_spec("50%", 2), 1);
	CHECK_INT(util_jobs_from_spec("100%", 2), 2);
	CHECK_INT(util_jobs_from_spec("200%", 2), 4);
	CHECK_INT(util_jobs_from_spec("10%", 2), 1);
	CHECK_INT(util_jobs_from_spec("+1", 2), 3);
	CHECK_INT(util_jobs_from_spec("-1", 2), 1);
	CHECK_INT(util_jobs_from_spec("0", 2), 0);
	CHECK_INT(util_jobs_from_spec("x", 2), -1);
	CHECK_INT(util_jobs_from_spec("", 2), -1);
	CHECK_INT(util_jobs_from_spec("1.5", 2), -1);
	CHECK_INT(util_jobs_from_spec("0.5", 2), -1);
	CHECK_INT(util_jobs_from_spec("4x", 2), -1);
	CHECK_INT(util_jobs_from_spec("+", 2), -1);
	CHECK_INT(util_jobs_from_spec("%", 2), -1);
	CHECK_INT(util_jobs_from_spec("99999999999999999999", 2), -3);
	CHECK_INT(util_jobs_from_spec("10000000", 2), -3);
	CHECK_INT(util_jobs_from_spec("-10000000", 2), -2);
	CHECK_INT(util_jobs_from_spec("0x10", 2), -1);
	CHECK_INT(util_jobs_from_spec("-5", 2), -2);
	CHECK_INT(util_jobs_from_spec("-2", 2), -2);
	CHECK_INT(util_jobs_from_spec("0%", 2), -2);
}

static void
test_signal_number(void)
{
	CHECK_INT(util_signal_number("TERM"), 15);
	CHECK_INT(util_signal_number("SIGTERM"), 15);
	CHECK_INT(util_signal_number("term"), 15);
	CHECK_INT(util_signal_number("15"), 15);
	CHECK_INT(util_signal_number("KILL"), 9);
	CHECK_INT(util_signal_number("SIGINT"), 2);
	CHECK_INT(util_signal_number("HUP"), 1);
	CHECK_INT(util_signal_number("bogus"), -1);
	CHECK_INT(util_signal_number(""), -1);
	CHECK_INT(util_signal_number("0"), -1);
	CHECK_INT(util_signal_number("15x"), -1);
	CHECK_INT(util_signal_number("999"), -1);
	CHECK_INT(util_signal_number("SIG"), -1);
}

int
main(void)
{
	size_t i;

	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 2;
	}
	test_args();
	test_product();
	test_empty();
	test_link();
	test_max_args();
	test_eof_and_lines();
	test_pack();
	test_colsep();
	test_skip_empty();
	test_delimiters();
	test_big_record();
	test_streaming();
	test_duration();
	test_jobs_spec();
	test_signal_number();

	for (i = 0; i < nmade; i++) {
		unlink(made[i]);
		free(made[i]);
	}
	rmdir(tmpdir);
	return unit_done();
}
