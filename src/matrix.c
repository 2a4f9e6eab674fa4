#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "matrix.h"
#include "xalloc.h"

/*
 * The columns by name, so that an include entry's keys are found in
 * constant time however many names the entries bring: open addressing
 * over the index + 1 of each name in rows->names (0: empty).
 */
struct names {
	const char **name;
	size_t n;
	size_t *slot;
	size_t mask;
};

static size_t
name_hash(const char *s)
{
	size_t h = 2166136261u;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

static void
names_init(struct names *t, size_t most)
{
	size_t size = 16;

	while (size < 2 * most)
		size *= 2;
	t->name = xcalloc(most ? most : 1, sizeof *t->name);
	t->n = 0;
	t->slot = xcalloc(size, sizeof *t->slot);
	t->mask = size - 1;
}

/* The column of name, added (when add) if it is new; else SIZE_MAX. */
static size_t
names_find(struct names *t, const char *name, bool add)
{
	size_t i, h = name_hash(name) & t->mask;

	for (; (i = t->slot[h]) != 0; h = (h + 1) & t->mask)
		if (strcmp(t->name[i - 1], name) == 0)
			return i - 1;
	if (!add)
		return SIZE_MAX;
	t->name[t->n] = name;
	t->slot[h] = ++t->n;
	return t->n - 1;
}

/* The number of combinations of the variables, or SIZE_MAX past max. */
static size_t
product_size(const struct matrix *m, size_t max)
{
	size_t i, n = m->nvars ? 1 : 0;

	for (i = 0; i < m->nvars; i++) {
		if (m->vars[i].nvalues == 0)
			return 0;
		if (n > max / m->vars[i].nvalues)
			return SIZE_MAX;
		n *= m->vars[i].nvalues;
	}
	return n > max ? SIZE_MAX : n;
}

/* The columns of an entry's names (SIZE_MAX: not a column) in col. */
static void
entry_columns(
    struct names *t, const struct matrix_entry *e, bool add, size_t *col)
{
	size_t k;

	for (k = 0; k < e->n; k++)
		col[k] = names_find(t, e->names[k], add);
}

/* Does every name:value of the entry hold in the row? */
static bool
entry_matches(
    const struct matrix_entry *e, const size_t *col, const char *const *row)
{
	size_t k;

	for (k = 0; k < e->n; k++)
		if (col[k] == SIZE_MAX || !row[col[k]] ||
		    strcmp(row[col[k]], e->values[k]) != 0)
			return false;
	return true;
}

/*
 * Every combination that no exclude entry matches, in order (the first
 * variable slowest), into rows->cell from row 0; their number.
 */
static size_t
add_product(const struct matrix *m, struct names *t, size_t total,
    struct matrix_rows *rows)
{
	size_t *pos = xcalloc(m->nvars + 1, sizeof *pos);
	size_t **col = xcalloc(m->nexclude + 1, sizeof *col);
	size_t i, r, x, n = 0;
	const char **row;

	for (x = 0; x < m->nexclude; x++) {
		col[x] = xcalloc(m->exclude[x].n + 1, sizeof **col);
		entry_columns(t, &m->exclude[x], false, col[x]);
	}
	for (r = 0; r < total; r++) {
		row = rows->cell + n * rows->nnames;
		for (i = 0; i < m->nvars; i++)
			row[i] = m->vars[i].values[pos[i]];
		for (x = 0; x < m->nexclude; x++)
			if (entry_matches(&m->exclude[x], col[x], row))
				break;
		if (x == m->nexclude)
			n++;
		/* Next combination: the last variable varies fastest. */
		for (i = m->nvars; i-- > 0;) {
			if (++pos[i] < m->vars[i].nvalues)
				break;
			pos[i] = 0;
		}
	}
	/* A rejected last combination is left in row n: clear it. */
	if (n < total)
		memset(rows->cell + n * rows->nnames, 0,
		    rows->nnames * sizeof *rows->cell);
	for (x = 0; x < m->nexclude; x++)
		free(col[x]);
	free(col);
	free(pos);
	return n;
}

/*
 * One include entry: set its values in each of the first norig rows
 * whose matrix values (the first nvars columns) it does not contradict,
 * else in a new row at rows->nrows. Values an earlier include set may be
 * replaced.
 */
static void
add_include(const struct matrix_entry *e, const size_t *col, size_t nvars,
    size_t norig, struct matrix_rows *rows)
{
	const char **row;
	size_t k, r;
	bool fit = false;

	for (r = 0; r < norig; r++) {
		row = rows->cell + r * rows->nnames;
		for (k = 0; k < e->n; k++)
			if (col[k] < nvars && strcmp(row[col[k]], e->values[k]))
				break;
		if (k < e->n)
			continue;
		for (k = 0; k < e->n; k++)
			row[col[k]] = e->values[k];
		fit = true;
	}
	if (fit)
		return;
	row = rows->cell + rows->nrows++ * rows->nnames;
	for (k = 0; k < e->n; k++)
		row[col[k]] = e->values[k];
}

/* The matrix's variables, then the names include entries add. */
static void
collect_names(const struct matrix *m, struct names *t)
{
	size_t i, k, most = m->nvars;

	for (i = 0; i < m->ninclude; i++)
		most += m->include[i].n;
	names_init(t, most);
	/* Column i is variable i: the loader rejects duplicate keys. */
	for (i = 0; i < m->nvars; i++)
		if (names_find(t, m->vars[i].name, true) != i)
			BUG("matrix variable '%s' twice", m->vars[i].name);
	for (i = 0; i < m->ninclude; i++)
		for (k = 0; k < m->include[i].n; k++)
			names_find(t, m->include[i].names[k], true);
}

int
matrix_expand(const struct matrix *m, size_t max, struct matrix_rows *rows)
{
	struct names t;
	size_t i, ncell, total = product_size(m, max);
	size_t norig, *col, widest = 0;

	memset(rows, 0, sizeof *rows);
	if (total == SIZE_MAX || m->ninclude > SIZE_MAX - total)
		return -1;
	collect_names(m, &t);
	rows->names = t.name;
	rows->nnames = t.n;
	if (t.n && total + m->ninclude > SIZE_MAX / sizeof *rows->cell / t.n) {
		free(t.slot);
		matrix_rows_release(rows);
		return -1;
	}
	/* Room for every combination and a row of each include entry. */
	ncell = (total + m->ninclude) * t.n;
	rows->cell = xcalloc(ncell ? ncell : 1, sizeof *rows->cell);
	norig = rows->nrows = add_product(m, &t, total, rows);
	for (i = 0; i < m->ninclude; i++)
		if (m->include[i].n > widest)
			widest = m->include[i].n;
	col = xcalloc(widest + 1, sizeof *col);
	for (i = 0; i < m->ninclude; i++) {
		entry_columns(&t, &m->include[i], false, col);
		add_include(&m->include[i], col, m->nvars, norig, rows);
	}
	free(col);
	free(t.slot);
	if (rows->nrows > max) {
		matrix_rows_release(rows);
		return -1;
	}
	return 0;
}

void
matrix_rows_release(struct matrix_rows *rows)
{
	free(rows->names);
	free(rows->cell);
	memset(rows, 0, sizeof *rows);
}
