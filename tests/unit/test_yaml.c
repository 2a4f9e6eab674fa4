/*
 * Unit tests for src/yaml.c, the strict YAML reader: the trees it builds
 * (kinds, values, the plain flag, the line and column of nodes), each
 * refusal with its exact message, place, quoted line and caret, and
 * hostile input: alias bombs, 100 000 brackets, a 100 MB file.
 */
#include <sys/mman.h>
#include <sys/wait.h>

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unit.h"
#include "yaml.h"

static char errbuf[1 << 16];
static size_t errlen;

static FILE *cap_tmp;
static int cap_saved;

/* From here to cap_stop(), stderr goes to errbuf. */
static void
cap_start(void)
{
	if (!(cap_tmp = tmpfile())) {
		perror("tmpfile");
		exit(1);
	}
	fflush(stderr);
	cap_saved = dup(2);
	dup2(fileno(cap_tmp), 2);
}

static void
cap_stop(void)
{
	fflush(stderr);
	dup2(cap_saved, 2);
	close(cap_saved);
	rewind(cap_tmp);
	errlen = fread(errbuf, 1, sizeof errbuf - 1, cap_tmp);
	errbuf[errlen] = '\0';
	fclose(cap_tmp);
}

/* Run ydoc_parse() or ydoc_load() with stderr kept in errbuf. */
static struct ydoc *
capture(const char *path, const char *text, size_t len)
{
	struct ydoc *doc;

	cap_start();
	doc = path ? ydoc_load(path) : ydoc_parse("w.yaml", text, len);
	cap_stop();
	return doc;
}

static int
has_prefix(const char *want)
{
	if (strncmp(errbuf, want, strlen(want)) == 0)
		return 1;
	fprintf(stderr, "  stderr: %s", errbuf);
	return 0;
}

static struct ydoc *
parse(const char *text)
{
	return capture(NULL, text, strlen(text));
}

/* Is text refused with exactly this on stderr? */
#define REFUSED(text, want)                                                    \
	do {                                                                   \
		struct ydoc *d_ = parse(text);                                 \
		CHECK(d_ == NULL);                                             \
		CHECK_STR(errbuf, want);                                       \
		ydoc_free(d_);                                                 \
	} while (0)

static int
at(const struct ynode *n, unsigned line, unsigned col)
{
	if (n && n->mark.line == line && n->mark.col == col)
		return 1;
	if (n)
		fprintf(stderr, "  mark %u:%u, want %u:%u\n", n->mark.line,
		    n->mark.col, line, col);
	return 0;
}

static int
scalar(const struct ynode *n, const char *value, int plain)
{
	return n && n->kind == YNODE_SCALAR && strcmp(n->value, value) == 0 &&
	    n->len == strlen(value) && n->plain == !!plain;
}

static void
test_tree(void)
{
	struct ydoc *d = parse("version: 1\n"
			       "# a comment\n"
			       "tasks:\n"
			       "  build:\n"
			       "    run: make {x}\n"
			       "    needs: [fetch, \"gen\"]\n"
			       "    matrix:\n"
			       "      - {x: 1, y: 'two'}\n"
			       "      -   - a\n"
			       "          - b\n"
			       "  fetch:\n"
			       "  gen: {}\n");
	struct ynode *r, *tasks, *build, *needs, *m, *e;

	CHECK(errbuf[0] == '\0');
	if (!CHECK(d && d->root))
		return;
	r = d->root;
	CHECK(r->kind == YNODE_MAP && r->n == 2 && at(r, 1, 1));
	CHECK(scalar(r->keys[0], "version", 1) && at(r->keys[0], 1, 1));
	CHECK(scalar(ynode_get(r, "version"), "1", 1));
	CHECK(at(ynode_get(r, "version"), 1, 10));
	CHECK(ynode_get(r, "missing") == NULL);
	CHECK(ynode_get(ynode_get(r, "version"), "x") == NULL);

	tasks = ynode_get(r, "tasks");
	CHECK(tasks && tasks->kind == YNODE_MAP && tasks->n == 3);
	CHECK(at(tasks, 4, 3) && at(r->keys[1], 3, 1));
	CHECK(scalar(tasks->keys[0], "build", 1));
	CHECK(scalar(tasks->keys[1], "fetch", 1));
	CHECK(scalar(tasks->keys[2], "gen", 1));
	/* An empty value: a plain empty scalar right after the colon. */
	e = ynode_get(tasks, "fetch");
	CHECK(scalar(e, "", 1) && at(e, 11, 9));
	e = ynode_get(tasks, "gen");
	CHECK(e && e->kind == YNODE_MAP && e->n == 0 && at(e, 12, 8));

	build = ynode_get(tasks, "build");
	CHECK(scalar(ynode_get(build, "run"), "make {x}", 1));
	CHECK(at(ynode_get(build, "run"), 5, 10));
	needs = ynode_get(build, "needs");
	CHECK(needs && needs->kind == YNODE_SEQ && needs->n == 2);
	CHECK(at(needs, 6, 12));
	CHECK(
	    scalar(needs->items[0], "fetch", 1) && at(needs->items[0], 6, 13));
	CHECK(scalar(needs->items[1], "gen", 0) && at(needs->items[1], 6, 20));

	m = ynode_get(build, "matrix");
	CHECK(m && m->kind == YNODE_SEQ && m->n == 2 && at(m, 8, 7));
	e = m->items[0];
	CHECK(e->kind == YNODE_MAP && e->n == 2 && at(e, 8, 9));
	CHECK(scalar(ynode_get(e, "x"), "1", 1));
	CHECK(scalar(ynode_get(e, "y"), "two", 0));
	CHECK(at(ynode_get(e, "y"), 8, 19));
	e = m->items[1];
	CHECK(e->kind == YNODE_SEQ && e->n == 2 && at(e, 9, 11));
	CHECK(scalar(e->items[1], "b", 1) && at(e->items[1], 10, 13));
	ydoc_free(d);
}

static void
test_scalars(void)
{
	struct ydoc *d = parse("lit: |\n"
			       "  line 1\n"
			       "  \tindented by a tab: content\n"
			       "fold: >-\n"
			       "  a\n"
			       "  b\n"
			       "dq: \"x\\ty\\u00e9\"\n"
			       "sq: 'it''s'\n"
			       "multi: \"one\n"
			       "\ttwo\"\n"
			       "plain: a b  c\n"
			       "nul: \"a\\0b\"\n"
			       "true: yes\n"
			       "\"quoted key\": ~\n");
	struct ynode *r, *n;

	CHECK_STR(errbuf, "");
	if (!CHECK(d && (r = d->root)))
		return;
	CHECK(scalar(
	    ynode_get(r, "lit"), "line 1\n\tindented by a tab: content\n", 0));
	CHECK(at(ynode_get(r, "lit"), 1, 6));
	CHECK(scalar(ynode_get(r, "fold"), "a b", 0));
	CHECK(scalar(ynode_get(r, "dq"), "x\ty\xc3\xa9", 0));
	CHECK(scalar(ynode_get(r, "sq"), "it's", 0));
	CHECK(scalar(ynode_get(r, "multi"), "one two", 0));
	CHECK(scalar(ynode_get(r, "plain"), "a b  c", 1));
	n = ynode_get(r, "nul");
	CHECK(n && n->len == 3 && memcmp(n->value, "a\0b", 4) == 0);
	/* The reader does not interpret: the schema layer does. */
	CHECK(scalar(ynode_get(r, "true"), "yes", 1));
	CHECK(scalar(r->keys[r->n - 1], "quoted key", 0));
	CHECK(scalar(ynode_get(r, "quoted key"), "~", 1));
	ydoc_free(d);

	d = parse("[a, 'b', {c: d}, [], \"\"]");
	if (CHECK(d && d->root && d->root->kind == YNODE_SEQ)) {
		r = d->root;
		CHECK(r->n == 5 && at(r, 1, 1));
		CHECK(scalar(r->items[1], "b", 0) && at(r->items[1], 1, 5));
		CHECK(r->items[2]->kind == YNODE_MAP && at(r->items[2], 1, 10));
		CHECK(scalar(ynode_get(r->items[2], "c"), "d", 1));
		CHECK(r->items[3]->kind == YNODE_SEQ && r->items[3]->n == 0);
		CHECK(scalar(r->items[4], "", 0));
	}
	ydoc_free(d);

	/* A scalar document is a tree of one node. */
	d = parse("--- hello\n...\n");
	CHECK(d && scalar(d->root, "hello", 1) && at(d->root, 1, 5));
	ydoc_free(d);
}

/* Empty documents are no error: the schema says what is missing. */
static void
test_empty(void)
{
	static const char *const empty[] = {"", "\n", "# just a comment\n",
	    "---\n", "--- # c\n...\n", "\xef\xbb\xbf"};
	struct ydoc *d;
	size_t i;

	for (i = 0; i < sizeof empty / sizeof *empty; i++) {
		d = parse(empty[i]);
		CHECK(d && d->root == NULL);
		CHECK_STR(errbuf, "");
		ydoc_free(d);
	}
	/* Empty collections are no empty documents. */
	d = parse("[]");
	CHECK(d && d->root && d->root->kind == YNODE_SEQ && d->root->n == 0);
	CHECK_STR(errbuf, ""); /* nor a sanitizer's report */
	ydoc_free(d);
	d = parse("{}\n");
	CHECK(d && d->root && d->root->kind == YNODE_MAP && d->root->n == 0);
	CHECK(d && ynode_get(d->root, "x") == NULL);
	ydoc_free(d);
	/* "~" and '' are values, not emptiness. */
	d = parse("''");
	CHECK(d && scalar(d->root, "", 0));
	ydoc_free(d);
}

static void
test_marks(void)
{
	struct ydoc *d;

	/* Columns count characters; a BOM is not one; \r\n is one break. */
	d = parse("\xef\xbb\xbf"
		  "\xc3\xa9t\xc3\xa9: [\xe2\x82\xac, x]\r\n"
		  "b: 1\r"
		  "c: 2\n");
	if (CHECK(d && d->root)) {
		struct ynode *v = ynode_get(d->root, "\xc3\xa9t\xc3\xa9");

		CHECK(v && at(v, 1, 6) && at(v->items[1], 1, 10));
		CHECK(at(ynode_get(d->root, "b"), 2, 4));
		CHECK(at(ynode_get(d->root, "c"), 3, 4));
	}
	ydoc_free(d);
	REFUSED("\xef\xbb\xbf"
		"\xc3\xa9: 1\n"
		"\xc3\xa9: 2\n",
	    "w.yaml:2:1: duplicate key '\xc3\xa9' (first on line 1)\n"
	    "\xc3\xa9: 2\n"
	    "^\n");
	/* U+2028 breaks a line for libyaml, so for the marks too. */
	REFUSED("a: 1\xe2\x80\xa8"
		"a: 2\n",
	    "w.yaml:2:1: duplicate key 'a' (first on line 1)\n"
	    "a: 2\n"
	    "^\n");
}

/* What ydoc_error() prints for "msg" at line:col of d. */
static const char *
error_at(const struct ydoc *d, unsigned line, unsigned col)
{
	struct ymark m = {line, col};

	cap_start();
	ydoc_error(d, m, "msg");
	cap_stop();
	return errbuf;
}

/* ydoc_error() as the schema layer calls it, at a node's mark. */
static void
test_error(void)
{
	struct ydoc *d = parse("jobs: 1\ntasks:\n  a: {run: 3}\n");
	struct ynode *run;
	int rc;

	if (!CHECK(d && d->root))
		return;
	run = ynode_get(ynode_get(ynode_get(d->root, "tasks"), "a"), "run");
	cap_start();
	rc =
	    ydoc_error(d, run->mark, "'run' wants a %s, not %s", "string", "3");
	cap_stop();
	CHECK(rc == -1);
	CHECK_STR(errbuf,
	    "w.yaml:3:12: 'run' wants a string, not 3\n"
	    "  a: {run: 3}\n"
	    "           ^\n");
	/* Beyond the end of a line, or of the file: the caret still shows. */
	CHECK_STR(
	    error_at(d, 1, 10), "w.yaml:1:10: msg\njobs: 1\n         ^\n");
	CHECK_STR(error_at(d, 4, 1), "w.yaml:4:1: msg\n\n^\n");
	CHECK_STR(error_at(d, 9, 2), "w.yaml:9:2: msg\n\n ^\n");
	ydoc_free(d);
}

static void
test_refusals(void)
{
	REFUSED("a: 1\nb:\n  c: 2\n  c: 3\n",
	    "w.yaml:4:3: duplicate key 'c' (first on line 3)\n"
	    "  c: 3\n"
	    "  ^\n");
	/* Quoting does not make another key. */
	REFUSED("{a: 1, \"a\": 2}",
	    "w.yaml:1:8: duplicate key 'a' (first on line 1)\n"
	    "{a: 1, \"a\": 2}\n"
	    "       ^\n");
	REFUSED("\"a\\nb\": 1\n\"a\\nb\": 2\n",
	    "w.yaml:2:1: duplicate key 'a\\x0ab' (first on line 1)\n"
	    "\"a\\nb\": 2\n"
	    "^\n");
	REFUSED("x: &anchor 1\n",
	    "w.yaml:1:4: anchors are not allowed (&anchor)\n"
	    "x: &anchor 1\n"
	    "   ^\n");
	REFUSED("- &a [1]\n",
	    "w.yaml:1:3: anchors are not allowed (&a)\n"
	    "- &a [1]\n"
	    "  ^\n");
	REFUSED("x: *other\n",
	    "w.yaml:1:4: aliases are not allowed (*other)\n"
	    "x: *other\n"
	    "   ^\n");
	REFUSED("t:\n  <<: {a: 1}\n",
	    "w.yaml:2:3: merge keys are not allowed (<<)\n"
	    "  <<: {a: 1}\n"
	    "  ^\n");
	REFUSED("x: !!str 1\n",
	    "w.yaml:1:4: tags are not allowed (!!str)\n"
	    "x: !!str 1\n"
	    "   ^\n");
	REFUSED("x: !local {}\n",
	    "w.yaml:1:4: tags are not allowed (!local)\n"
	    "x: !local {}\n"
	    "   ^\n");
	REFUSED("x: ! [a]\n",
	    "w.yaml:1:4: tags are not allowed (!)\n"
	    "x: ! [a]\n"
	    "   ^\n");
	REFUSED("x: 1\n[a, b]: 2\n",
	    "w.yaml:2:1: a sequence cannot be a key\n"
	    "[a, b]: 2\n"
	    "^\n");
	REFUSED("? {a: 1}\n: 2\n",
	    "w.yaml:1:3: a mapping cannot be a key\n"
	    "? {a: 1}\n"
	    "  ^\n");
	REFUSED("a: 1\n---\nb: 2\n",
	    "w.yaml:2:1: more than one document\n"
	    "---\n"
	    "^\n");
	REFUSED("--- a\n--- b\n",
	    "w.yaml:2:1: more than one document\n"
	    "--- b\n"
	    "^\n");
	REFUSED("a: 1\n...\n---\n",
	    "w.yaml:3:1: more than one document\n"
	    "---\n"
	    "^\n");
}

static void
test_tabs(void)
{
	REFUSED("a:\n\tb: 1\n",
	    "w.yaml:2:1: tab in indentation (indent with spaces)\n"
	    "\tb: 1\n"
	    "^\n");
	REFUSED("a:\n  b: 1\n  \tc: 2\n",
	    "w.yaml:3:3: tab in indentation (indent with spaces)\n"
	    "  \tc: 2\n"
	    "  ^\n");
	/* Where libyaml lets a tab through: flow context, plain scalars. */
	REFUSED("a: [1,\n\t2]\n",
	    "w.yaml:2:1: tab in indentation (indent with spaces)\n"
	    "\t2]\n"
	    "^\n");
	REFUSED("a: one\n  \ttwo\n",
	    "w.yaml:2:3: tab in indentation (indent with spaces)\n"
	    "  \ttwo\n"
	    "  ^\n");
	REFUSED("a: 1\n\t# comment\n",
	    "w.yaml:2:1: tab in indentation (indent with spaces)\n"
	    "\t# comment\n"
	    "^\n");
	/* Tabs elsewhere are fine; the caret keeps the line's tabs. */
	struct ydoc *d = parse("a:\t1\nb: \"x\n\ty\"\nc: |\n  z\n  \tw\n");

	CHECK(d && scalar(ynode_get(d->root, "b"), "x y", 0));
	CHECK(d && scalar(ynode_get(d->root, "c"), "z\n\tw\n", 0));
	ydoc_free(d);
	REFUSED("a:\t1\na:\t2\n",
	    "w.yaml:2:1: duplicate key 'a' (first on line 1)\n"
	    "a:\t2\n"
	    "^\n");
	REFUSED("x:\t[a,\tb,\tc: d: e]\n",
	    "w.yaml:1:15: syntax error: did not find expected ',' or ']' "
	    "(while parsing a flow sequence on line 1)\n"
	    "x:\t[a,\tb,\tc: d: e]\n"
	    "  \t   \t  \t    ^\n");
	/* A tab inside an unterminated quoted string is not the fault. */
	REFUSED("a: \"x\n\ty\n",
	    "w.yaml:3:1: syntax error: found unexpected end of stream "
	    "(while scanning a quoted scalar on line 1)\n"
	    "\n"
	    "^\n");
}

static void
test_syntax(void)
{
	REFUSED("a: b: c\n",
	    "w.yaml:1:5: syntax error: mapping values are not allowed in this "
	    "context\n"
	    "a: b: c\n"
	    "    ^\n");
	REFUSED("a:\n  b: 1\n c: 2\n",
	    "w.yaml:3:2: syntax error: did not find expected key (while "
	    "parsing a block mapping on line 1)\n"
	    " c: 2\n"
	    " ^\n");
	REFUSED("a: [1, 2\nb: 3\n",
	    "w.yaml:2:2: syntax error: did not find expected ',' or ']' "
	    "(while parsing a flow sequence on line 1)\n"
	    "b: 3\n"
	    " ^\n");
	/* Only the first error is told. */
	REFUSED("a: &x 1\nb: *x\nb: !!str 2\n",
	    "w.yaml:1:4: anchors are not allowed (&x)\n"
	    "a: &x 1\n"
	    "   ^\n");
}

static void
test_encoding(void)
{
	REFUSED("a: \"caf\xc3\xa9 \xff\"\n",
	    "w.yaml:1:10: invalid UTF-8 (byte 0xff)\n"
	    "a: \"caf\xc3\xa9 \xff\"\n"
	    "         ^\n");
	/* Truncated, overlong, a surrogate. */
	REFUSED("a: 1\nb: \xc3",
	    "w.yaml:2:4: invalid UTF-8 (byte 0xc3)\n"
	    "b: \xc3\n"
	    "   ^\n");
	REFUSED("a: \xc0\xaf\n",
	    "w.yaml:1:4: invalid UTF-8 (byte 0xc0)\n"
	    "a: \xc0\xaf\n"
	    "   ^\n");
	REFUSED("a: \xed\xa0\x80\n",
	    "w.yaml:1:4: invalid UTF-8 (byte 0xed)\n"
	    "a: \xed\xa0\x80\n"
	    "   ^\n");
	/* UTF-16 is not read (libyaml would guess it from a BOM). */
	REFUSED("\xff\xfe"
		"a\0:\0",
	    "w.yaml:1:1: invalid UTF-8 (byte 0xff)\n"
	    "\xff\xfe"
	    "a\n"
	    "^\n");
	REFUSED("a: x\x01y\n",
	    "w.yaml:1:5: control character U+0001 is not allowed\n"
	    "a: x\x01y\n"
	    "    ^\n");
	{
		static const char want[] =
		    "w.yaml:2:4: control character U+0000 is not allowed\n"
		    "b: \0\n"
		    "   ^\n";
		struct ydoc *d = capture(NULL, "a: 1\nb: \0\n", 9);

		CHECK(d == NULL);
		CHECK_MEM(errbuf, errlen, want, sizeof want - 1);
	}
}

/* A long line is cut around the column, the caret still under it. */
static void
test_long_line(void)
{
	char text[1200], want[1200];
	int n;

	n = snprintf(text, sizeof text, "a: [");
	while (n < 1000)
		n += snprintf(text + n, sizeof text - (size_t)n, "x, ");
	n += snprintf(text + n, sizeof text - (size_t)n, "y: z: w]\n");
	/* The second ':' after y is at column 1005: 80 characters before. */
	snprintf(want, sizeof want,
	    "w.yaml:1:1005: syntax error: did not find expected ',' or ']' "
	    "(while parsing a flow sequence on line 1)\n"
	    "...%s"
	    "%*s^\n",
	    text + 1004 - 80, 83, "");
	REFUSED(text, want);

	/* Multi-byte characters count one each, cut or not. */
	n = snprintf(text, sizeof text, "k: \"");
	while (n < 4 + 200 * 2)
		n += snprintf(text + n, sizeof text - (size_t)n, "\xc3\xa9");
	snprintf(text + n, sizeof text - (size_t)n, "\" b\n");
	snprintf(want, sizeof want,
	    "w.yaml:1:207: syntax error: did not find expected key (while "
	    "parsing a block mapping on line 1)\n"
	    "...%s"
	    "%*s^\n",
	    text + 4 + 2 * (206 - 80 - 4), 83, "");
	REFUSED(text, want);
}

static void
test_depth(void)
{
	static char text[200001];
	struct ydoc *d;
	int i;

	for (i = 0; i < 64; i++) {
		text[i] = '[';
		text[64 + i] = ']';
	}
	text[128] = '\0';
	d = parse(text);
	CHECK(d && d->root && errbuf[0] == '\0');
	ydoc_free(d);

	/* The 65th opening refuses, 100 000 of them as well as 65. */
	memset(text, '[', 100000);
	memset(text + 100000, ']', 100000);
	text[200000] = '\0';
	d = parse(text);
	CHECK(d == NULL);
	CHECK(has_prefix("w.yaml:1:65: nesting deeper than 64 levels\n[[["));
	CHECK(strstr(errbuf, "...") != NULL && strstr(errbuf, "]") == NULL);

	/* Block style: 65 mappings, each indented one more. */
	{
		char *p = text;

		for (i = 0; i < 65; i++)
			p += sprintf(p, "%*sk:\n", i, "");
		REFUSED(text,
		    "w.yaml:65:65: nesting deeper than 64 levels\n"
		    "                                                         "
		    "       k:\n"
		    "                                                         "
		    "       ^\n");
	}
}

static void
test_hostile(void)
{
	static const char bomb[] = "a: &a [\"lol\",\"lol\",\"lol\",\"lol\"]\n"
				   "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
				   "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
				   "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
				   "e: [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n";
	size_t big = 100u << 20;
	char *mem;
	struct ydoc *d;
	unsigned seed = 1;
	char *rnd;
	int i, j;

	REFUSED(bomb,
	    "w.yaml:1:4: anchors are not allowed (&a)\n"
	    "a: &a [\"lol\",\"lol\",\"lol\",\"lol\"]\n"
	    "   ^\n");

	/* 100 MB: refused by its length, before a byte is read. */
	mem = mmap(NULL, big, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (CHECK(mem != MAP_FAILED)) {
		d = capture(NULL, mem, big);
		CHECK(d == NULL);
		CHECK_STR(errbuf,
		    "fanout: w.yaml: too large (104857600 bytes; at most "
		    "16777216)\n");
		munmap(mem, big);
	}
	d = capture(NULL, "", (size_t)YAML_SIZE_MAX + 1);
	CHECK(d == NULL && strstr(errbuf, "(16777217 bytes; at most") != NULL);

	/* Random bytes: refused with one error, never a crash. */
	rnd = malloc(1 << 16);
	for (i = 0; i < 50; i++) {
		for (j = 0; j < 1 << 16; j++)
			rnd[j] = (char)(rand_r(&seed) >> 7);
		d = capture(NULL, rnd, 1 << 16);
		CHECK(d == NULL && strncmp(errbuf, "w.yaml:", 7) == 0);
		CHECK(memchr(errbuf, '^', errlen) != NULL);
	}
	free(rnd);
}

/* Many keys: the duplicate check is hashed, and still exact. */
static void
test_many_keys(void)
{
	size_t cap = 20000 * 16, n = 0;
	char *text = malloc(cap);
	struct ydoc *d;
	int i;

	for (i = 0; i < 20000; i++)
		n += (size_t)snprintf(text + n, cap - n, "k%d: %d\n", i, i);
	d = capture(NULL, text, n);
	CHECK(d && d->root && d->root->n == 20000);
	CHECK(d && scalar(ynode_get(d->root, "k19999"), "19999", 1));
	ydoc_free(d);
	n += (size_t)snprintf(text + n, cap - n, "k12345: again\n");
	d = capture(NULL, text, n);
	CHECK(d == NULL);
	CHECK(has_prefix(
	    "w.yaml:20001:1: duplicate key 'k12345' (first on line 12346)\n"
	    "k12345: again\n^\n"));
	free(text);
}

static void
write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	if (!fp || fputs(text, fp) < 0 || fclose(fp) != 0) {
		perror(path);
		exit(1);
	}
}

static void
test_load(void)
{
	char dir[] = "/tmp/test_yaml.XXXXXX", path[64], want[256];
	struct ydoc *d;
	int fd;

	if (!CHECK(mkdtemp(dir)))
		return;
	snprintf(path, sizeof path, "%s/w.yaml", dir);
	write_file(path, "version: 1\nversion: 2\n");
	d = capture(path, NULL, 0);
	CHECK(d == NULL);
	snprintf(want, sizeof want,
	    "%s:2:1: duplicate key 'version' (first on line 1)\n"
	    "version: 2\n^\n",
	    path);
	CHECK_STR(errbuf, want);

	write_file(path, "version: 1\n");
	d = capture(path, NULL, 0);
	CHECK(d && scalar(ynode_get(d->root, "version"), "1", 1));
	CHECK(d && strcmp(d->name, path) == 0);
	ydoc_free(d);

	/* A sparse 100 MB file: refused by its size. */
	fd = open(path, O_WRONLY | O_TRUNC);
	CHECK(fd >= 0 && ftruncate(fd, 100 << 20) == 0);
	close(fd);
	d = capture(path, NULL, 0);
	CHECK(d == NULL);
	snprintf(want, sizeof want,
	    "fanout: %s: too large (104857600 bytes; at most 16777216)\n",
	    path);
	CHECK_STR(errbuf, want);
	unlink(path);

	d = capture(path, NULL, 0);
	CHECK(d == NULL);
	snprintf(
	    want, sizeof want, "fanout: %s: No such file or directory\n", path);
	CHECK_STR(errbuf, want);
	d = capture(dir, NULL, 0);
	CHECK(d == NULL);
	snprintf(want, sizeof want, "fanout: %s: Is a directory\n", dir);
	CHECK_STR(errbuf, want);
	rmdir(dir);
}

/* ydoc_load("-") with fd as standard input. */
static struct ydoc *
load_stdin(int fd)
{
	struct ydoc *d;
	int saved = dup(0);

	dup2(fd, 0);
	close(fd);
	d = capture("-", NULL, 0);
	dup2(saved, 0);
	close(saved);
	return d;
}

static void
test_stdin(void)
{
	struct ydoc *d;
	int p[2];
	pid_t pid;

	/* A pipe with no end: refused by the read cap. */
	if (!CHECK(pipe(p) == 0))
		return;
	pid = fork();
	if (pid == 0) {
		static char block[65536];

		close(p[0]);
		memset(block, '#', sizeof block);
		while (write(p[1], block, sizeof block) > 0)
			;
		_exit(0);
	}
	close(p[1]);
	d = load_stdin(p[0]);
	CHECK(d == NULL);
	CHECK_STR(
	    errbuf, "fanout: <stdin>: too large (more than 16777216 bytes)\n");
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);

	/* A short one; errors call it <stdin>. */
	if (!CHECK(pipe(p) == 0))
		return;
	CHECK(write(p[1], "a: 1\nb: [\n", 10) == 10);
	close(p[1]);
	d = load_stdin(p[0]);
	CHECK(d == NULL);
	CHECK(has_prefix("<stdin>:3:1: syntax error: "));

	if (!CHECK(pipe(p) == 0))
		return;
	CHECK(write(p[1], "- x\n", 4) == 4);
	close(p[1]);
	d = load_stdin(p[0]);
	CHECK(d && d->root && scalar(d->root->items[0], "x", 1));
	CHECK(d && strcmp(d->name, "<stdin>") == 0);
	ydoc_free(d);
}

int
main(void)
{
	test_tree();
	test_scalars();
	test_empty();
	test_marks();
	test_error();
	test_refusals();
	test_tabs();
	test_syntax();
	test_encoding();
	test_long_line();
	test_depth();
	test_hostile();
	test_many_keys();
	test_load();
	test_stdin();
	return unit_done();
}
