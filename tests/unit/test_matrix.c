/*
 * Unit tests for src/matrix.c: a matrix expanded as GitHub Actions
 * expands jobs.<job_id>.strategy.matrix. The include and exclude cases
 * are the worked examples of GitHub's "Running variations of jobs in a
 * workflow" page, with the results it lists.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "matrix.h"
#include "xalloc.h"
#include "unit.h"

#define L(...) ((const char *const[]){__VA_ARGS__})
#define COUNT(...) (sizeof L(__VA_ARGS__) / sizeof(const char *))
#define VAR(name, ...)                                                         \
	{                                                                      \
		name, L(__VA_ARGS__), COUNT(__VA_ARGS__)                       \
	}
/* An entry from its names and its values, as two lists. */
#define ENTRY(names, values)                                                   \
	{                                                                      \
		names, values, sizeof names / sizeof(const char *)             \
	}
#define LEN(a) (sizeof(a) / sizeof((a)[0]))

/* The rows as "name=value ..." lines, cells without a value left out. */
static char *
show(const struct matrix_rows *rows)
{
	struct buf b = BUF_INIT;
	const char *v;
	size_t r, c;
	bool first;

	for (r = 0; r < rows->nrows; r++) {
		first = true;
		for (c = 0; c < rows->nnames; c++) {
			if (!(v = rows->cell[r * rows->nnames + c]))
				continue;
			if (!first)
				buf_addch(&b, ' ');
			first = false;
			buf_addstr(&b, rows->names[c]);
			buf_addch(&b, '=');
			buf_addstr(&b, v);
		}
		buf_addch(&b, '\n');
	}
	return buf_detach(&b, NULL);
}

/* Expand m (at most max rows) and compare the rows with want. */
static void
check_rows(const struct matrix *m, size_t max, const char *want,
    const char *file, int line)
{
	struct matrix_rows rows;
	char *got;

	if (!unit_check(matrix_expand(m, max, &rows) == 0, file, line,
		"matrix_expand() == 0"))
		return;
	got = show(&rows);
	unit_check_str(got, want, file, line, "rows");
	free(got);
	matrix_rows_release(&rows);
}
#define CHECK_ROWS(m, max, want)                                               \
	check_rows((m), (max), (want), __FILE__, __LINE__)

/* The example of "Using a matrix strategy": the first varies slowest. */
static void
test_product(void)
{
	const struct matrix_var vars[] = {
	    VAR("version", "10", "12", "14"),
	    VAR("os", "ubuntu-latest", "windows-latest"),
	};
	const struct matrix_var one[] = {VAR("version", "10", "12", "14")};
	struct matrix m = {vars, LEN(vars), NULL, 0, NULL, 0};
	struct matrix single = {one, LEN(one), NULL, 0, NULL, 0};
	struct matrix_rows rows;

	CHECK_ROWS(&m, 256,
	    "version=10 os=ubuntu-latest\n"
	    "version=10 os=windows-latest\n"
	    "version=12 os=ubuntu-latest\n"
	    "version=12 os=windows-latest\n"
	    "version=14 os=ubuntu-latest\n"
	    "version=14 os=windows-latest\n");
	CHECK_ROWS(&single, 256, "version=10\nversion=12\nversion=14\n");

	/* The names are the variables in order; the cells the matrix's. */
	CHECK(matrix_expand(&m, 6, &rows) == 0);
	CHECK_INT(rows.nnames, 2);
	CHECK_STR(rows.names[0], "version");
	CHECK_STR(rows.names[1], "os");
	CHECK_INT(rows.nrows, 6);
	CHECK(rows.cell[5 * 2 + 1] == vars[1].values[1]);
	matrix_rows_release(&rows);
	CHECK(rows.cell == NULL && rows.names == NULL && rows.nrows == 0);
}

/* "Excluding matrix configurations": a partial match is enough. */
static void
test_exclude(void)
{
	const struct matrix_var vars[] = {
	    VAR("os", "macos-latest", "windows-latest"),
	    VAR("version", "12", "14", "16"),
	    VAR("environment", "staging", "production"),
	};
	const struct matrix_entry exclude[] = {
	    ENTRY(L("os", "version", "environment"),
		L("macos-latest", "12", "production")),
	    ENTRY(L("os", "version"), L("windows-latest", "16")),
	};
	const struct matrix_entry unknown[] = {
	    ENTRY(L("arch"), L("arm64")),
	    ENTRY(L("os", "arch"), L("macos-latest", "arm64")),
	};
	const struct matrix_entry all[] = {
	    ENTRY(L("environment"), L("staging")),
	    ENTRY(L("environment"), L("production"))};
	struct matrix m = {vars, LEN(vars), exclude, LEN(exclude), NULL, 0};

	/* GitHub: "the following workflow will run nine jobs". */
	CHECK_ROWS(&m, 256,
	    "os=macos-latest version=12 environment=staging\n"
	    "os=macos-latest version=14 environment=staging\n"
	    "os=macos-latest version=14 environment=production\n"
	    "os=macos-latest version=16 environment=staging\n"
	    "os=macos-latest version=16 environment=production\n"
	    "os=windows-latest version=12 environment=staging\n"
	    "os=windows-latest version=12 environment=production\n"
	    "os=windows-latest version=14 environment=staging\n"
	    "os=windows-latest version=14 environment=production\n");

	/* A name the matrix lacks matches no combination. */
	m.exclude = unknown;
	m.nexclude = LEN(unknown);
	m.nvars = 1;
	CHECK_ROWS(&m, 256, "os=macos-latest\nos=windows-latest\n");

	/* Excluding everything leaves no rows (and is no error). */
	m.nvars = 3;
	m.exclude = all;
	m.nexclude = LEN(all);
	CHECK_ROWS(&m, 256, "");
}

/* "Expanding or adding matrix configurations", verbatim. */
static void
test_include_fruit(void)
{
	const struct matrix_var vars[] = {
	    VAR("fruit", "apple", "pear"),
	    VAR("animal", "cat", "dog"),
	};
	const struct matrix_entry include[] = {
	    ENTRY(L("color"), L("green")),
	    ENTRY(L("color", "animal"), L("pink", "cat")),
	    ENTRY(L("fruit", "shape"), L("apple", "circle")),
	    ENTRY(L("fruit"), L("banana")),
	    ENTRY(L("fruit", "animal"), L("banana", "cat")),
	};
	struct matrix m = {vars, LEN(vars), NULL, 0, include, LEN(include)};
	struct matrix_rows rows;

	/*
	 * GitHub: pink replaces the green an earlier entry added; {fruit:
	 * banana, animal: cat} is not added to {fruit: banana}, which was
	 * not one of the original combinations.
	 */
	CHECK_ROWS(&m, 256,
	    "fruit=apple animal=cat color=pink shape=circle\n"
	    "fruit=apple animal=dog color=green shape=circle\n"
	    "fruit=pear animal=cat color=pink\n"
	    "fruit=pear animal=dog color=green\n"
	    "fruit=banana\n"
	    "fruit=banana animal=cat\n");

	/* Names: the variables, then the added ones in order; NULL cells. */
	CHECK(matrix_expand(&m, 256, &rows) == 0);
	CHECK_INT(rows.nnames, 4);
	CHECK_STR(rows.names[2], "color");
	CHECK_STR(rows.names[3], "shape");
	CHECK(rows.cell[2 * 4 + 3] == NULL); /* pear has no shape */
	CHECK(rows.cell[4 * 4 + 1] == NULL); /* banana has no animal */
	CHECK(rows.cell[4 * 4 + 2] == NULL);
	CHECK(rows.cell[5 * 4 + 3] == NULL);
	matrix_rows_release(&rows);
}

/* "Example: Expanding configurations" and "Adding configurations". */
static void
test_include_examples(void)
{
	const struct matrix_var node[] = {
	    VAR("os", "windows-latest", "ubuntu-latest"),
	    VAR("node", "14", "16"),
	};
	const struct matrix_entry npm[] = {
	    ENTRY(L("os", "node", "npm"), L("windows-latest", "16", "6")),
	};
	const struct matrix_var three[] = {
	    VAR("os", "macos-latest", "windows-latest", "ubuntu-latest"),
	    VAR("version", "12", "14", "16"),
	};
	const struct matrix_entry v17[] = {
	    ENTRY(L("os", "version"), L("windows-latest", "17")),
	};
	const struct matrix_entry sites[] = {
	    ENTRY(L("site", "datacenter"), L("production", "site-a")),
	    ENTRY(L("site", "datacenter"), L("staging", "site-b")),
	};
	struct matrix m = {node, LEN(node), NULL, 0, npm, LEN(npm)};

	CHECK_ROWS(&m, 256,
	    "os=windows-latest node=14\n"
	    "os=windows-latest node=16 npm=6\n"
	    "os=ubuntu-latest node=14\n"
	    "os=ubuntu-latest node=16\n");

	/* Ten jobs: the nine combinations and {windows-latest, 17}. */
	m = (struct matrix){three, LEN(three), NULL, 0, v17, LEN(v17)};
	CHECK_ROWS(&m, 256,
	    "os=macos-latest version=12\n"
	    "os=macos-latest version=14\n"
	    "os=macos-latest version=16\n"
	    "os=windows-latest version=12\n"
	    "os=windows-latest version=14\n"
	    "os=windows-latest version=16\n"
	    "os=ubuntu-latest version=12\n"
	    "os=ubuntu-latest version=14\n"
	    "os=ubuntu-latest version=16\n"
	    "os=windows-latest version=17\n");

	/* A matrix of only include: its entries, in order. */
	m = (struct matrix){NULL, 0, NULL, 0, sites, LEN(sites)};
	CHECK_ROWS(&m, 256,
	    "site=production datacenter=site-a\n"
	    "site=staging datacenter=site-b\n");
}

/* include runs after exclude, so it can add back what was excluded. */
static void
test_include_after_exclude(void)
{
	const struct matrix_var vars[] = {
	    VAR("a", "1", "2"),
	    VAR("b", "x", "y"),
	};
	const struct matrix_entry exclude[] = {ENTRY(L("a", "b"), L("2", "y"))};
	const struct matrix_entry include[] = {
	    ENTRY(L("a", "b"), L("2", "y")),
	    ENTRY(L("b", "c"), L("y", "new")),
	    ENTRY(L("c"), L("over")),
	};
	struct matrix m = {vars, LEN(vars), exclude, LEN(exclude), include, 1};

	CHECK_ROWS(&m, 256, "a=1 b=x\na=1 b=y\na=2 b=x\na=2 b=y\n");

	/*
	 * {b: y, c: new} fits only the original a=1 b=y; the row the first
	 * entry added is no original combination. {c: over} then replaces
	 * the value an include set, in every original row.
	 */
	m.ninclude = 3;
	CHECK_ROWS(&m, 256,
	    "a=1 b=x c=over\n"
	    "a=1 b=y c=over\n"
	    "a=2 b=x c=over\n"
	    "a=2 b=y\n");
}

/* No variables, or a variable without values. */
static void
test_empty(void)
{
	const struct matrix_var none[] = {VAR("a", "1"), {"b", NULL, 0}};
	const struct matrix_entry include[] = {ENTRY(L("a"), L("9"))};
	struct matrix m = {NULL, 0, NULL, 0, NULL, 0};
	struct matrix_rows rows;

	CHECK(matrix_expand(&m, 256, &rows) == 0);
	CHECK_INT(rows.nrows, 0);
	CHECK_INT(rows.nnames, 0);
	matrix_rows_release(&rows);
	CHECK(matrix_expand(&m, 0, &rows) == 0);
	matrix_rows_release(&rows);

	m = (struct matrix){none, LEN(none), NULL, 0, NULL, 0};
	CHECK_ROWS(&m, 256, "");
	/* No combination to add to: the entry is a row of its own. */
	m.include = include;
	m.ninclude = LEN(include);
	CHECK_ROWS(&m, 256, "a=9\n");
}

/* max: the product is held to it before anything is allocated. */
static void
test_max(void)
{
	const struct matrix_var vars[] = {
	    VAR("a", "1", "2", "3"),
	    VAR("b", "1", "2", "3"),
	};
	const struct matrix_entry exclude[] = {ENTRY(L("a"), L("1"))};
	const struct matrix_entry include[] = {ENTRY(L("a"), L("4"))};
	struct matrix m = {vars, LEN(vars), NULL, 0, NULL, 0};
	struct matrix_rows rows;

	CHECK(matrix_expand(&m, 9, &rows) == 0);
	CHECK_INT(rows.nrows, 9);
	matrix_rows_release(&rows);
	CHECK(matrix_expand(&m, 8, &rows) == -1);
	CHECK(rows.cell == NULL && rows.names == NULL && rows.nrows == 0);

	/* A new row from include counts. */
	m.include = include;
	m.ninclude = LEN(include);
	CHECK(matrix_expand(&m, 10, &rows) == 0);
	CHECK_INT(rows.nrows, 10);
	matrix_rows_release(&rows);
	CHECK(matrix_expand(&m, 9, &rows) == -1);
	CHECK(rows.cell == NULL && rows.names == NULL && rows.nrows == 0);

	/* The product is what max holds, before exclude. */
	m.exclude = exclude;
	m.nexclude = LEN(exclude);
	CHECK(matrix_expand(&m, 8, &rows) == -1);
	CHECK(matrix_expand(&m, 9, &rows) == 0);
	CHECK_INT(rows.nrows, 7);
	matrix_rows_release(&rows);
}

/* A product past SIZE_MAX is refused, not wrapped round. */
static void
test_overflow(void)
{
	enum { N = 65536 };
	const char **values = xcalloc(N, sizeof *values);
	struct matrix_var vars[5];
	struct matrix m = {vars, 0, NULL, 0, NULL, 0};
	struct matrix_rows rows;
	size_t i;

	for (i = 0; i < N; i++)
		values[i] = "v";
	for (i = 0; i < LEN(vars); i++) {
		vars[i].name = (const char *[]){"a", "b", "c", "d", "e"}[i];
		vars[i].values = values;
		vars[i].nvalues = N;
	}
	/* 2^64 and 2^80 combinations: both past any size_t. */
	m.nvars = 4;
	CHECK(matrix_expand(&m, SIZE_MAX, &rows) == -1);
	CHECK(rows.cell == NULL && rows.names == NULL);
	m.nvars = 5;
	CHECK(matrix_expand(&m, SIZE_MAX, &rows) == -1);
	/* 2^48 fits a size_t but not memory: max refuses it first. */
	m.nvars = 3;
	CHECK(matrix_expand(&m, 1000000, &rows) == -1);
	free(values);
}

/*
 * 100 000 combinations and a few includes, 100 000 entries of include
 * alone: counted, so that the sizes a workflow may have are exercised
 * (make bench times them).
 */
static void
test_large(void)
{
	enum { N = 1000 };
	const char **values = xcalloc(N, sizeof *values);
	char(*text)[8] = xcalloc(N, sizeof *text);
	struct matrix_var vars[2];
	const struct matrix_entry include[] = {
	    ENTRY(L("x"), L("1")),
	    ENTRY(L("a", "y"), L("7", "2")),
	    ENTRY(L("a", "b"), L("none", "new")),
	};
	struct matrix_entry *many = xcalloc(100000, sizeof *many);
	const char *const names[] = {"k"};
	struct matrix m = {vars, 2, NULL, 0, include, LEN(include)};
	struct matrix_rows rows;
	size_t i;

	for (i = 0; i < N; i++) {
		snprintf(text[i], sizeof text[i], "%zu", i);
		values[i] = text[i];
	}
	vars[0] = (struct matrix_var){"a", values, 100};
	vars[1] = (struct matrix_var){"b", values, N};
	CHECK(matrix_expand(&m, 200000, &rows) == 0);
	CHECK_INT(rows.nrows, 100001);
	CHECK_INT(rows.nnames, 4);
	CHECK_STR(rows.cell[(7 * N + 5) * 4 + 3], "2");
	CHECK(rows.cell[(8 * N + 5) * 4 + 3] == NULL);
	CHECK_STR(rows.cell[100000 * 4 + 1], "new");
	matrix_rows_release(&rows);

	for (i = 0; i < 100000; i++)
		many[i] = (struct matrix_entry){names, &values[i % N], 1};
	m = (struct matrix){NULL, 0, NULL, 0, many, 100000};
	CHECK(matrix_expand(&m, 100000, &rows) == 0);
	CHECK_INT(rows.nrows, 100000);
	CHECK_STR(rows.cell[99999], "999");
	matrix_rows_release(&rows);
	free(many);
	free(text);
	free(values);
}

int
main(void)
{
	test_product();
	test_exclude();
	test_include_fruit();
	test_include_examples();
	test_include_after_exclude();
	test_empty();
	test_max();
	test_overflow();
	test_large();
	return unit_done();
}
