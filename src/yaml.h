/*
 * A strict YAML reader for workflow files, on libyaml's event API (never
 * its document API, which expands aliases). It builds a small tree in
 * which every node knows its line and column, and refuses what a
 * workflow file has no use for and what could hurt: anchors, aliases,
 * `<<` merge keys, tags, keys that are not plain scalars, duplicate keys,
 * tabs in indentation, nesting deeper than YAML_DEPTH_MAX, more than one
 * document, invalid UTF-8, files larger than YAML_SIZE_MAX.
 *
 * Errors read `FILE:LINE:COL: message`, then the line itself and a caret
 * under the column, on stderr (a file that cannot be read or is too
 * large: one line, `fanout: FILE: ...`). Columns count characters.
 */
/* Not YAML_H: libyaml's <yaml.h> takes that guard. */
#ifndef FANOUT_YAML_H
#define FANOUT_YAML_H

#include <stdbool.h>
#include <stddef.h>

#define YAML_DEPTH_MAX 64
#define YAML_SIZE_MAX (16 * 1024 * 1024)

/* A place in the file, both from 1. */
struct ymark {
	unsigned line;
	unsigned col;
};

enum ynode_kind { YNODE_SCALAR, YNODE_SEQ, YNODE_MAP };

/* A node and all it holds belong to its struct ydoc. */
struct ynode {
	enum ynode_kind kind;
	bool plain; /* not quoted, not a block scalar: `true`, `3` mean so */
	struct ymark mark; /* where the node starts */
	/* YNODE_SCALAR: its value, NUL-terminated (len without it). */
	char *value;
	size_t len;
	/*
	 * YNODE_SEQ: n items. YNODE_MAP: n pairs, keys[i] (a plain or quoted
	 * scalar, no two the same) and values[i], in file order.
	 */
	size_t n;
	struct ynode **items;
	struct ynode **keys;
	struct ynode **values;
};

struct ydoc {
	char *name; /* as errors name the file */
	char *text; /* the whole file less a BOM, for the lines errors quote */
	size_t len;
	/* NULL for an empty file, only comments, or "---" alone */
	struct ynode *root;
	struct yarena *mem; /* yaml.c's: where the nodes live */
};

/*
 * Read a file ("-": standard input, called "<stdin>" in errors). NULL
 * after an error was reported (the caller exits with 255).
 */
struct ydoc *ydoc_load(const char *path);
/* The same from memory; name is what errors call it. */
struct ydoc *ydoc_parse(const char *name, const char *text, size_t len);
void ydoc_free(struct ydoc *);

/*
 * Report an error at mark: `NAME:LINE:COL: message`, the line and a caret.
 * Returns -1, for `return ydoc_error(...)`.
 */
int ydoc_error(const struct ydoc *, struct ymark, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The value of key in map node m (a YNODE_MAP), or NULL. */
struct ynode *ynode_get(const struct ynode *m, const char *key);

#endif
