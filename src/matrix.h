/*
 * A task's matrix, expanded as GitHub Actions expands one: every
 * combination of the variables' values (the first variable varies
 * slowest), less those an `exclude` entry matches (a partial match is
 * enough), then each `include` entry added to every combination whose
 * original values it does not contradict (it may set variables an
 * earlier include added, never the matrix's own), or, when it fits
 * none, appended as a combination of its own.
 */
#ifndef MATRIX_H
#define MATRIX_H

#include <stddef.h>

struct matrix_var {
	const char *name;
	const char *const *values;
	size_t nvalues;
};

/* Some variables and a value for each: an exclude or include entry. */
struct matrix_entry {
	const char *const *names;
	const char *const *values;
	size_t n;
};

struct matrix {
	const struct matrix_var *vars;
	size_t nvars;
	const struct matrix_entry *exclude;
	size_t nexclude;
	const struct matrix_entry *include;
	size_t ninclude;
};

/*
 * The combinations: nrows rows of nnames cells, cell[r * nnames + c] the
 * value of names[c] in row r, NULL when the row has none (an include
 * entry set a variable the others lack). names are the matrix's
 * variables in order, then the names include entries add, in order of
 * appearance. The strings are the matrix's, not copies.
 */
struct matrix_rows {
	const char **names;
	size_t nnames;
	const char **cell;
	size_t nrows;
};

/*
 * Expand m into *rows. -1 when it would have more than max rows (nothing
 * is left allocated), else 0. The product of the variables' sizes is
 * held to max before exclude removes any (so that nothing is allocated
 * for a product that overflows, or that only excludes would bring under
 * max). Variable names are distinct; an exclude entry naming no variable
 * excludes nothing; a matrix without variables is its include entries.
 */
int matrix_expand(const struct matrix *m, size_t max, struct matrix_rows *rows);
void matrix_rows_release(struct matrix_rows *);

#endif
