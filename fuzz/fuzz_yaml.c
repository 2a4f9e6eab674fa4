/*
 * libFuzzer target for src/yaml.c, the strict YAML reader.
 *
 * Input: the bytes of a workflow file, read with ydoc_parse(). Besides
 * crashes, leaks and hangs it checks, aborting when one fails: a tree
 * has marks from 1:1 on, within the file's lines; scalars are
 * NUL-terminated at len; map keys are scalars, no two the same; no more
 * than YAML_DEPTH_MAX collections are nested. A success prints nothing;
 * a refusal prints exactly one error: `fuzz:LINE:COL: message`, the
 * line and a caret line, three lines in all.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "yaml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned max_line;

static void
check_node(const struct ynode *n, int depth)
{
	size_t i, j;

	if (!n || n->mark.line < 1 || n->mark.col < 1 ||
	    n->mark.line > max_line)
		abort();
	switch (n->kind) {
	case YNODE_SCALAR:
		if (!n->value || n->value[n->len] != '\0' || n->n != 0)
			abort();
		return;
	case YNODE_SEQ:
		if (depth > YAML_DEPTH_MAX || n->value)
			abort();
		for (i = 0; i < n->n; i++)
			check_node(n->items[i], depth + 1);
		return;
	case YNODE_MAP:
		if (depth > YAML_DEPTH_MAX || n->value)
			abort();
		for (i = 0; i < n->n; i++) {
			if (n->keys[i]->kind != YNODE_SCALAR)
				abort();
			check_node(n->keys[i], depth + 1);
			check_node(n->values[i], depth + 1);
			for (j = 0; j < i; j++)
				if (n->keys[j]->len == n->keys[i]->len &&
				    memcmp(n->keys[j]->value, n->keys[i]->value,
					n->keys[i]->len) == 0)
					abort();
		}
		return;
	}
	abort();
}

/*
 * Count the lines as generously as libyaml can: every \n, \r, U+2028...,
 * and one more, as libyaml ends the last line for the end of the stream.
 */
static unsigned
count_lines(const uint8_t *data, size_t size)
{
	unsigned lines = 2;
	size_t i;

	for (i = 0; i < size; i++)
		if (data[i] == '\n' || data[i] == '\r' || data[i] == 0x85 ||
		    data[i] == 0xa8 || data[i] == 0xa9)
			lines++;
	return lines;
}

/* The error text: one error, three lines (or one, when unlocated). */
static void
check_error(const char *err, size_t len)
{
	size_t i, lines = 0;

	if (len == 0 || err[len - 1] != '\n')
		abort();
	for (i = 0; i < len; i++)
		lines += err[i] == '\n';
	if (strncmp(err, "fuzz:", 5) == 0) {
		if (lines != 3 || len < 2 || err[len - 2] != '^')
			abort();
	} else if (strncmp(err, "fanout: fuzz: ", 14) != 0 || lines != 1) {
		abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FILE *saved = stderr, *mem;
	struct ydoc *doc;
	char *err = NULL;
	size_t errlen = 0;

	/* Catch what it prints: ASan still writes to fd 2 itself. */
	mem = open_memstream(&err, &errlen);
	if (!mem)
		abort();
	stderr = mem;
	doc = ydoc_parse("fuzz", (const char *)data, size);
	stderr = saved;
	fclose(mem);

	max_line = count_lines(data, size);
	if (doc) {
		if (errlen != 0)
			abort();
		if (doc->root)
			check_node(doc->root, doc->root->kind != YNODE_SCALAR);
		ydoc_free(doc);
	} else {
		check_error(err, errlen);
	}
	free(err);
	return 0;
}
