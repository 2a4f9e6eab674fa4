/*
 * The strict YAML reader: libyaml's events, one at a time, into a tree
 * of struct ynode. Whatever is refused is refused at the event that
 * shows it, so that a hostile file costs no more than its first
 * offending node: an anchor stops an alias bomb before any alias, the
 * 65th opening bracket stops a deep nest before libyaml goes deeper.
 *
 * libyaml counts lines and columns from 0, columns in characters, and
 * takes \r\n, \r, \n, U+0085, U+2028 and U+2029 for line breaks; the
 * helpers below count the same way, so that a caret lands where libyaml
 * meant.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <yaml.h> /* libyaml's; ours below is "yaml.h" */

#include "xalloc.h"
#include "yaml.h"
#include "ytext.h"

/* A map this large gets a hash index of its keys for the duplicate check. */
#define YHASH_MIN 8
/* The tree's memory comes in chunks this large, freed all at once. */
#define YCHUNK_SIZE (64 * 1024)

struct ychunk {
	struct ychunk *older;
	max_align_t mem[];
};

struct yarena {
	struct ychunk *chunks; /* the newest first */
	char *next; /* its free room */
	size_t left;
};

/*
 * An open collection, while its events arrive. Its children wait on
 * the loader's stack of kids from base on (a map's as key, value, key,
 * ...); when it closes they move into the arena, in arrays of their
 * exact size.
 */
struct yframe {
	struct ynode *node;
	size_t base;
	bool want_value; /* a map whose last key waits for its value */
	size_t *hash; /* a map's key index + 1 by key hash, or NULL */
	size_t hash_cap; /* a power of 2 */
};

struct yloader {
	struct ydoc *doc;
	yaml_parser_t parser;
	struct yframe stack[YAML_DEPTH_MAX];
	int depth;
	struct ynode **kids;
	size_t nkids;
	size_t kids_cap;
	int ndocs;
	/* Lines below this (from 0) had their indentation checked. */
	size_t checked;
	/* A cursor in the text: line cur_line starts at byte cur_off. */
	size_t cur_line;
	size_t cur_off;
};

static struct ymark
mark_of(yaml_mark_t m)
{
	struct ymark y = {(unsigned)m.line + 1, (unsigned)m.column + 1};

	return y;
}

/*
 * Refuse a tab in the leading whitespace of lines checked..last (from
 * 0): libyaml lets some through (in flow context, after a plain
 * scalar's indentation) and calls others "found character that cannot
 * start any token".
 */
static int
check_tabs(struct yloader *l, size_t last)
{
	const struct ydoc *doc = l->doc;
	size_t i;

	for (; l->checked <= last; l->checked++) {
		while (l->cur_line < l->checked && l->cur_off < doc->len) {
			l->cur_off =
			    ytext_next_line(doc->text, doc->len, l->cur_off);
			l->cur_line++;
		}
		if (l->cur_line < l->checked)
			return 0; /* past the end */
		for (i = l->cur_off; i < doc->len &&
		     (doc->text[i] == ' ' || doc->text[i] == '\t');
		     i++) {
			if (doc->text[i] == '\t') {
				struct ymark m = {(unsigned)l->checked + 1,
				    (unsigned)(i - l->cur_off) + 1};

				return ydoc_error(doc, m,
				    "tab in indentation (indent with spaces)");
			}
		}
	}
	return 0;
}

/* Report libyaml's error, or the tab that caused it. */
static int
syntax_error(struct yloader *l)
{
	yaml_parser_t *p = &l->parser;
	size_t last = p->problem_mark.line;

	switch (p->error) {
	case YAML_MEMORY_ERROR:
		fatalx("out of memory");
	case YAML_READER_ERROR: /* ytext_check_encoding() should have said */
		return ydoc_error(l->doc,
		    ytext_mark_of_offset(l->doc, p->problem_offset), "%s",
		    p->problem);
	default:
		break;
	}
	/* Inside a quoted or block scalar, a tab is no indentation. */
	if (p->context &&
	    (strstr(p->context, "quoted scalar") ||
		strstr(p->context, "block scalar")) &&
	    p->context_mark.line < last)
		last = p->context_mark.line;
	if (check_tabs(l, last) < 0)
		return -1;
	if (p->context)
		return ydoc_error(l->doc, mark_of(p->problem_mark),
		    "syntax error: %s (%s on line %zu)", p->problem, p->context,
		    p->context_mark.line + 1);
	return ydoc_error(l->doc, mark_of(p->problem_mark), "syntax error: %s",
	    p->problem ? p->problem : "unknown");
}

/* size bytes from the arena, aligned to align (a power of 2). */
static void *
arena_alloc(struct yarena *a, size_t size, size_t align)
{
	size_t pad = (size_t)(-(uintptr_t)a->next & (align - 1));
	struct ychunk *c;
	char *p;

	if (size + pad > a->left) {
		if (size > YCHUNK_SIZE / 4) {
			/* A chunk of its own, behind the one in use. */
			c = xmalloc(sizeof *c + size);
			c->older = a->chunks ? a->chunks->older : NULL;
			if (a->chunks)
				a->chunks->older = c;
			else
				a->chunks = c;
			return c->mem;
		}
		c = xmalloc(sizeof *c + YCHUNK_SIZE);
		c->older = a->chunks;
		a->chunks = c;
		a->next = (char *)c->mem;
		a->left = YCHUNK_SIZE;
		pad = 0;
	}
	p = a->next + pad;
	a->next = p + size;
	a->left -= size + pad;
	return p;
}

static struct ynode *
node_new(struct ydoc *doc, enum ynode_kind kind, yaml_mark_t m)
{
	struct ynode *n =
	    arena_alloc(doc->mem, sizeof *n, _Alignof(struct ynode));

	memset(n, 0, sizeof *n);
	n->kind = kind;
	n->mark = mark_of(m);
	return n;
}

void
ydoc_free(struct ydoc *doc)
{
	struct ychunk *c, *older;

	if (!doc)
		return;
	if (doc->mem) {
		for (c = doc->mem->chunks; c; c = older) {
			older = c->older;
			free(c);
		}
		free(doc->mem);
	}
	free(doc->name);
	free(doc->text);
	free(doc);
}

struct ynode *
ynode_get(const struct ynode *m, const char *key)
{
	size_t i, len = strlen(key);

	if (!m || m->kind != YNODE_MAP)
		return NULL;
	for (i = 0; i < m->n; i++)
		if (m->keys[i]->len == len &&
		    memcmp(m->keys[i]->value, key, len) == 0)
			return m->values[i];
	return NULL;
}

/* A key for a message: at most 40 characters, control bytes escaped. */
static void
show_key(const struct ynode *k, char *buf, size_t size)
{
	size_t i, o = 0, chars = 0;

	for (i = 0; i < k->len && o + 8 < size; i++) {
		unsigned char c = (unsigned char)k->value[i];

		if (ytext_starts_char(c) && chars++ == 40) {
			o += (size_t)snprintf(buf + o, size - o, "...");
			break;
		}
		if (c < 0x20 || c == 0x7f)
			o += (size_t)snprintf(buf + o, size - o, "\\x%02x", c);
		else
			buf[o++] = (char)c;
	}
	buf[o] = '\0';
}

static uint64_t
key_hash(const struct ynode *k)
{
	uint64_t h = 14695981039346656037u;
	size_t i;

	for (i = 0; i < k->len; i++)
		h = (h ^ (unsigned char)k->value[i]) * 1099511628211u;
	return h;
}

static bool
same_key(const struct ynode *a, const struct ynode *b)
{
	return a->len == b->len && memcmp(a->value, b->value, a->len) == 0;
}

/* Key i of the map open in f. */
static struct ynode *
frame_key(const struct yloader *l, const struct yframe *f, size_t i)
{
	return l->kids[f->base + 2 * i];
}

/* Put key i (of f's map) in f's hash index. */
static void
hash_put(const struct yloader *l, struct yframe *f, size_t i)
{
	size_t mask = f->hash_cap - 1;
	size_t h = (size_t)key_hash(frame_key(l, f, i)) & mask;

	while (f->hash[h])
		h = (h + 1) & mask;
	f->hash[h] = i + 1;
}

/* Keep the hash index at most half full; from YHASH_MIN keys on. */
static void
hash_grow(const struct yloader *l, struct yframe *f)
{
	size_t i, n = f->node->n;

	if (n < YHASH_MIN || (f->hash && 2 * (n + 1) <= f->hash_cap))
		return;
	free(f->hash);
	f->hash_cap = f->hash_cap ? 2 * f->hash_cap : 4 * YHASH_MIN;
	f->hash = xcalloc(f->hash_cap, sizeof *f->hash);
	for (i = 0; i < n; i++)
		hash_put(l, f, i);
}

/* The earlier key of f's map equal to k, or NULL. */
static const struct ynode *
find_key(const struct yloader *l, const struct yframe *f, const struct ynode *k)
{
	size_t i, h, mask;

	if (!f->hash) {
		for (i = 0; i < f->node->n; i++)
			if (same_key(frame_key(l, f, i), k))
				return frame_key(l, f, i);
		return NULL;
	}
	mask = f->hash_cap - 1;
	for (h = (size_t)key_hash(k) & mask; f->hash[h]; h = (h + 1) & mask)
		if (same_key(frame_key(l, f, f->hash[h] - 1), k))
			return frame_key(l, f, f->hash[h] - 1);
	return NULL;
}

/* Refuse what may not be key k of the map open in f. */
static int
check_key(
    const struct yloader *l, const struct yframe *f, const struct ynode *k)
{
	const struct ynode *first;
	char shown[256];

	if (k->kind != YNODE_SCALAR)
		return ydoc_error(l->doc, k->mark, "a %s cannot be a key",
		    k->kind == YNODE_MAP ? "mapping" : "sequence");
	if (k->plain && strcmp(k->value, "<<") == 0)
		return ydoc_error(
		    l->doc, k->mark, "merge keys are not allowed (<<)");
	if ((first = find_key(l, f, k)) != NULL) {
		show_key(k, shown, sizeof shown);
		return ydoc_error(l->doc, k->mark,
		    "duplicate key '%s' (first on line %u)", shown,
		    first->mark.line);
	}
	return 0;
}

/* Hang node n where it belongs: the root, a sequence item, a key, a value. */
static int
attach(struct yloader *l, struct ynode *n)
{
	struct yframe *f;

	if (l->depth == 0) {
		l->doc->root = n;
		return 0;
	}
	f = &l->stack[l->depth - 1];
	if (f->node->kind == YNODE_MAP && !f->want_value &&
	    check_key(l, f, n) < 0)
		return -1;
	if (l->nkids == l->kids_cap) {
		l->kids_cap = l->kids_cap ? 2 * l->kids_cap : 64;
		l->kids = xreallocarray(l->kids, l->kids_cap, sizeof *l->kids);
	}
	l->kids[l->nkids++] = n;
	if (f->node->kind == YNODE_SEQ) {
		f->node->n++;
	} else if (f->want_value) {
		f->want_value = false;
	} else {
		f->node->n++;
		f->want_value = true;
		if (f->hash)
			hash_put(l, f, f->node->n - 1);
		hash_grow(l, f);
	}
	return 0;
}

/* Refuse an anchor or a tag on a node. */
static int
check_props(struct yloader *l, const yaml_event_t *e, const yaml_char_t *anchor,
    const yaml_char_t *tag)
{
	struct ymark m = mark_of(e->start_mark);
	const char *t = (const char *)tag;
	const char *std = "tag:yaml.org,2002:";

	if (anchor)
		return ydoc_error(l->doc, m, "anchors are not allowed (&%s)",
		    (const char *)anchor);
	if (!t)
		return 0;
	if (strncmp(t, std, strlen(std)) == 0)
		return ydoc_error(
		    l->doc, m, "tags are not allowed (!!%s)", t + strlen(std));
	return ydoc_error(l->doc, m, "tags are not allowed (%s)", t);
}

static int
on_scalar(struct yloader *l, const yaml_event_t *e)
{
	struct ynode *n;

	if (check_props(l, e, e->data.scalar.anchor, e->data.scalar.tag) < 0)
		return -1;
	n = node_new(l->doc, YNODE_SCALAR, e->start_mark);
	n->len = e->data.scalar.length;
	n->value = arena_alloc(l->doc->mem, n->len + 1, 1);
	memcpy(n->value, e->data.scalar.value, n->len);
	n->value[n->len] = '\0';
	n->plain = e->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
	/* A plain scalar's lines are checked; a quoted or block one's not. */
	if (!n->plain) {
		size_t after = e->end_mark.line + (e->end_mark.column != 0);

		if (after > l->checked)
			l->checked = after;
	}
	/* "---" alone: as empty as an empty file. */
	if (l->depth == 0 && n->plain && n->len == 0)
		return 0;
	return attach(l, n);
}

static int
on_open(struct yloader *l, const yaml_event_t *e, enum ynode_kind kind)
{
	struct ynode *n;
	struct yframe *f;
	int rc;

	if (kind == YNODE_MAP)
		rc = check_props(l, e, e->data.mapping_start.anchor,
		    e->data.mapping_start.tag);
	else
		rc = check_props(l, e, e->data.sequence_start.anchor,
		    e->data.sequence_start.tag);
	if (rc < 0)
		return -1;
	if (l->depth == YAML_DEPTH_MAX)
		return ydoc_error(l->doc, mark_of(e->start_mark),
		    "nesting deeper than %d levels", YAML_DEPTH_MAX);
	n = node_new(l->doc, kind, e->start_mark);
	if (attach(l, n) < 0)
		return -1;
	f = &l->stack[l->depth++];
	memset(f, 0, sizeof *f);
	f->node = n;
	f->base = l->nkids;
	return 0;
}

/* An arena copy of n kids, every step-th from kids[from]. */
static struct ynode **
kids_copy(struct yloader *l, size_t from, size_t n, size_t step)
{
	struct ynode **a;
	size_t i;

	if (n == 0)
		return NULL;
	a = arena_alloc(l->doc->mem, n * sizeof *a, _Alignof(struct ynode *));
	for (i = 0; i < n; i++)
		a[i] = l->kids[from + i * step];
	return a;
}

/* The collection open on top is complete: its children move into it. */
static void
on_close(struct yloader *l)
{
	struct yframe *f = &l->stack[--l->depth];
	struct ynode *n = f->node;

	if (n->kind == YNODE_SEQ) {
		n->items = kids_copy(l, f->base, n->n, 1);
	} else {
		n->keys = kids_copy(l, f->base, n->n, 2);
		n->values = kids_copy(l, f->base + 1, n->n, 2);
	}
	l->nkids = f->base;
	free(f->hash);
	f->hash = NULL;
}

/* One event; 1 at the end of the stream. */
static int
on_event(struct yloader *l, const yaml_event_t *e)
{
	if (e->type != YAML_STREAM_START_EVENT &&
	    check_tabs(l, e->start_mark.line) < 0)
		return -1;
	switch (e->type) {
	case YAML_DOCUMENT_START_EVENT:
		if (++l->ndocs > 1)
			return ydoc_error(l->doc, mark_of(e->start_mark),
			    "more than one document");
		return 0;
	case YAML_ALIAS_EVENT:
		return ydoc_error(l->doc, mark_of(e->start_mark),
		    "aliases are not allowed (*%s)",
		    (const char *)e->data.alias.anchor);
	case YAML_SCALAR_EVENT:
		return on_scalar(l, e);
	case YAML_SEQUENCE_START_EVENT:
		return on_open(l, e, YNODE_SEQ);
	case YAML_MAPPING_START_EVENT:
		return on_open(l, e, YNODE_MAP);
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		on_close(l);
		return 0;
	case YAML_STREAM_END_EVENT:
		/* The lines after the last node: comments, blanks. */
		return check_tabs(l, SIZE_MAX - 1) < 0 ? -1 : 1;
	default:
		return 0;
	}
}

static int
load(struct ydoc *doc)
{
	struct yloader l;
	yaml_event_t e;
	int rc = 0;

	if (ytext_check_encoding(doc) < 0)
		return -1;
	memset(&l, 0, sizeof l);
	l.doc = doc;
	if (!yaml_parser_initialize(&l.parser))
		fatalx("out of memory");
	yaml_parser_set_input_string(
	    &l.parser, (const unsigned char *)doc->text, doc->len);
	while (rc == 0) {
		if (!yaml_parser_parse(&l.parser, &e)) {
			rc = syntax_error(&l);
			break;
		}
		rc = on_event(&l, &e);
		yaml_event_delete(&e);
	}
	while (l.depth > 0)
		free(l.stack[--l.depth].hash);
	free(l.kids);
	yaml_parser_delete(&l.parser);
	return rc < 0 ? -1 : 0;
}

/* Parse text (len bytes, taken over); NULL after an error. */
static struct ydoc *
parse_owned(const char *name, char *text, size_t len)
{
	struct ydoc *doc = xcalloc(1, sizeof *doc);

	/* libyaml skips a BOM and counts columns after it: so do we. */
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0) {
		memmove(text, text + 3, len - 3);
		len -= 3;
	}
	text[len] = '\0';
	doc->name = xstrdup(name);
	doc->mem = xcalloc(1, sizeof *doc->mem);
	doc->text = text;
	doc->len = len;
	if (load(doc) < 0) {
		ydoc_free(doc);
		return NULL;
	}
	return doc;
}

struct ydoc *
ydoc_parse(const char *name, const char *text, size_t len)
{
	char *copy;

	if (len > YAML_SIZE_MAX) {
		ytext_too_large(name, (long long)len);
		return NULL;
	}
	copy = xmalloc(len + 1);
	memcpy(copy, text, len);
	return parse_owned(name, copy, len);
}

/* Read fd to its end, at most YAML_SIZE_MAX bytes; NULL after an error. */
static char *
read_capped(int fd, const char *name, size_t *lenp)
{
	struct stat st;
	size_t len = 0, cap = 65536;
	char *buf;
	ssize_t r;

	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
		if (st.st_size > YAML_SIZE_MAX) {
			ytext_too_large(name, (long long)st.st_size);
			return NULL;
		}
		cap = (size_t)st.st_size + 1;
	}
	buf = xmalloc(cap + 1);
	for (;;) {
		if (len == cap) {
			if (cap > YAML_SIZE_MAX)
				break;
			cap = cap * 2 > YAML_SIZE_MAX ? YAML_SIZE_MAX + 1
						      : cap * 2;
			buf = xrealloc(buf, cap + 1);
		}
		r = read(fd, buf + len, cap - len);
		if (r == 0)
			break;
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			error("%s: %s", name, strerror(errno));
			free(buf);
			return NULL;
		}
		len += (size_t)r;
	}
	if (len > YAML_SIZE_MAX) {
		ytext_too_large(name, -1);
		free(buf);
		return NULL;
	}
	*lenp = len;
	return buf;
}

struct ydoc *
ydoc_load(const char *path)
{
	bool is_stdin = strcmp(path, "-") == 0;
	const char *name = is_stdin ? "<stdin>" : path;
	size_t len;
	char *text;
	int fd;

	fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		error("%s: %s", name, strerror(errno));
		return NULL;
	}
	text = read_capped(fd, name, &len);
	if (!is_stdin)
		close(fd);
	return text ? parse_owned(name, text, len) : NULL;
}
