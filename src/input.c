#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "input.h"
#include "options.h"
#include "pipe.h"
#include "util.h"
#include "xalloc.h"

#define READ_CHUNK 65536

void
args_init(struct args *a)
{
	memset(a, 0, sizeof *a);
}

void
args_release(struct args *a)
{
	buf_release(&a->data);
	free(a->off);
	free(a->len);
	pipe_block_free(a->block);
	args_init(a);
}

void
args_reset(struct args *a)
{
	buf_reset(&a->data);
	a->n = 0;
	pipe_block_free(a->block);
	a->block = NULL;
}

void
args_add(struct args *a, const char *p, size_t len)
{
	args_open(a);
	buf_add(&a->data, p, len);
	args_close(a);
}

static void
args_grow(struct args *a)
{
	if (a->n == a->cap) {
		a->cap = a->cap ? a->cap * 2 : 4;
		a->off = xreallocarray(a->off, a->cap, sizeof *a->off);
		a->len = xreallocarray(a->len, a->cap, sizeof *a->len);
	}
}

void
args_open(struct args *a)
{
	a->open = a->data.len;
}

void
args_close(struct args *a)
{
	args_grow(a);
	a->off[a->n] = a->open;
	a->len[a->n++] = a->data.len - a->open;
	buf_addch(&a->data, '\0');
}

void
args_copy(struct args *dst, const struct args *src)
{
	size_t i;

	args_reset(dst);
	for (i = 0; i < src->n; i++)
		args_add(dst, args_value(src, i), src->len[i]);
}

/* Records of a file descriptor, split at a delimiter, read on demand. */
struct reader {
	int fd;
	bool owned;
	int delim;
	bool join; /* -L: a record ending in a blank goes on */
	bool eof;
	struct buf buf;
	size_t pos; /* start of the next record */
	size_t scan; /* no delimiter before this offset */
	size_t nrec; /* records handed out */
	char *name;
};

static void
reader_open(struct reader *r, const char *path, int delim)
{
	memset(r, 0, sizeof *r);
	r->delim = delim;
	r->fd = util_open_input(path, &r->name, &r->owned);
}

static void
reader_close(struct reader *r)
{
	if (r->owned && r->fd >= 0)
		close(r->fd);
	r->fd = -1;
	buf_release(&r->buf);
	free(r->name);
	r->name = NULL;
}

/*
 * A NUL byte cannot go into an argument: the record would be cut short
 * there. Refuse it, and the rest of the input, which was most likely
 * meant for -0 too. Returns INPUT_ERROR after saying so.
 */
static int
reader_refuse_nul(struct reader *r)
{
	error("%s: item %zu holds a NUL byte; reading stops there "
	      "(for NUL-separated input use -0)",
	    r->name, r->nrec);
	r->eof = true;
	r->pos = r->scan = r->buf.len;
	return INPUT_ERROR;
}

/*
 * -L: the delimiters inside a record were after a blank, where the line
 * goes on: take them out, so that "a b \nc" is "a b c" (GNU parallel).
 */
static void
reader_unjoin(const struct reader *r, char *rec, size_t *len)
{
	size_t i, n = 0;

	for (i = 0; i < *len; i++)
		if (rec[i] != (char)r->delim)
			rec[n++] = rec[i];
	*len = n;
}

/* The record from r->pos to end, which a delimiter follows (or not). */
static int
reader_take(struct reader *r, size_t end, const char **rec, size_t *len)
{
	char *p = r->buf.data + r->pos;

	*len = end - r->pos;
	if (r->join)
		reader_unjoin(r, p, len);
	*rec = p;
	return 1;
}

/* 1 and the record, 0 at the end, INPUT_WAIT when more must be read. */
static int
reader_split(struct reader *r, const char **rec, size_t *len)
{
	char *d;
	size_t end;

	while (r->scan < r->buf.len) {
		d = memchr(
		    r->buf.data + r->scan, r->delim, r->buf.len - r->scan);
		if (!d) {
			r->scan = r->buf.len;
			break;
		}
		end = (size_t)(d - r->buf.data);
		r->scan = end + 1;
		if (r->join && end > r->pos && (d[-1] == ' ' || d[-1] == '\t'))
			continue;
		reader_take(r, end, rec, len);
		r->pos = end + 1;
		return 1;
	}
	if (!r->eof)
		return INPUT_WAIT;
	if (r->pos < r->buf.len) {
		reader_take(r, r->buf.len, rec, len);
		r->pos = r->scan = r->buf.len;
		return 1;
	}
	return 0;
}

/* As reader_split(), or INPUT_ERROR for a record holding a NUL byte. */
static int
reader_next(struct reader *r, const char **rec, size_t *len)
{
	int rc = reader_split(r, rec, len);

	if (rc != 1)
		return rc;
	r->nrec++;
	if (r->delim != '\0' && memchr(*rec, '\0', *len))
		return reader_refuse_nul(r);
	return 1;
}

static int
reader_fill(struct reader *r)
{
	ssize_t n;

	if (r->eof)
		return 0;
	if (r->pos > 0) {
		buf_consume(&r->buf, r->pos);
		r->scan -= r->pos;
		r->pos = 0;
	}
	buf_grow(&r->buf, READ_CHUNK);
	do
		n = read(r->fd, r->buf.data + r->buf.len,
		    r->buf.cap - r->buf.len - 1);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		error("cannot read %s: %s", r->name, strerror(errno));
		r->eof = true;
		return -1;
	}
	if (n == 0)
		r->eof = true;
	r->buf.len += (size_t)n;
	r->buf.data[r->buf.len] = '\0';
	return 0;
}

/* A group held in memory. */
struct vlist {
	char **v;
	size_t *len;
	size_t n;
};

static void
vlist_add(struct vlist *l, const char *p, size_t len)
{
	if ((l->n & (l->n - 1)) == 0) {
		size_t cap = l->n ? l->n * 2 : 1;

		l->v = xreallocarray(l->v, cap, sizeof *l->v);
		l->len = xreallocarray(l->len, cap, sizeof *l->len);
	}
	l->v[l->n] = xmalloc(len + 1);
	memcpy(l->v[l->n], p, len);
	l->v[l->n][len] = '\0';
	l->len[l->n++] = len;
}

/*
 * One factor of the product: one group, or groups linked together: then
 * element i takes element i of each. With --link the shorter groups wrap
 * around; groups linked with :::+ stop at the shortest (as GNU parallel).
 * The first unit may instead be streamed from a reader.
 */
struct unit {
	struct vlist *lists;
	size_t nlists;
	size_t count;
	bool wrap;
	struct reader *stream;
};

struct input {
	int delim;
	bool skip_empty;
	bool join; /* -L */
	enum trim trim; /* --trim, or TRIM_BOTH with --colsep */
	const char *eof_str; /* -E */
	size_t max_items; /* per job: -N, -n, -L; SIZE_MAX with -m, -X */
	bool no_args;
	bool use_colsep;
	regex_t colsep;

	struct unit *units;
	size_t nunits;
	size_t *idx;
	bool have_first; /* a value of the first unit is current */
	struct args first; /* that value, when streamed */
	bool done;
	bool failed;

	/* Several items per job: those read and not handed out yet. */
	struct args acc;
	size_t *ends; /* acc.n after each of acc's items */
	size_t nacc, ends_cap;
	size_t acc_len; /* with -s: the command's length with them all */
	bool ended; /* the items to come are all in acc */
	bool spread; /* -m, -X: spread over the slots already */
	struct input_pack pack;

	bool shuf; /* --shuf: every item read, then handed out shuffled */
	struct args *shuffled;
	size_t nshuffled, shuffled_cap, shuffled_next;
	bool shuffled_ready;

	bool header; /* --header: each group's first item names its columns */
	char **names; /* those names, in argument order */
	size_t nnames;
	struct pipe_reader *pipe; /* --pipe: blocks, not items */
};

/* -E: an item equal to the end-of-file string ends its source. */
static bool
is_eof_item(const struct input *in, const char *p, size_t len)
{
	return in->eof_str && strlen(in->eof_str) == len &&
	    memcmp(in->eof_str, p, len) == 0;
}

static void
load_group(struct input *in, struct vlist *l, const struct group *g)
{
	struct reader r;
	const char *rec;
	size_t len, i;
	int rc;

	if (!g->path) {
		for (i = 0; i < g->nvalues; i++)
			if (is_eof_item(in, g->values[i], strlen(g->values[i])))
				break;
			else if (!in->skip_empty ||
			    !util_blank(g->values[i], strlen(g->values[i])))
				vlist_add(
				    l, g->values[i], strlen(g->values[i]));
		return;
	}
	reader_open(&r, g->path, in->delim);
	r.join = in->join;
	for (;;) {
		rc = reader_next(&r, &rec, &len);
		if (rc == INPUT_ERROR)
			exit(FANOUT_STATUS_ERROR);
		if (rc == INPUT_WAIT) {
			if (reader_fill(&r) < 0)
				exit(FANOUT_STATUS_ERROR);
			continue;
		}
		if (rc == 0 || is_eof_item(in, rec, len))
			break;
		if (!in->skip_empty || !util_blank(rec, len))
			vlist_add(l, rec, len);
	}
	reader_close(&r);
}

static char *
colsep_pattern(const char *s)
{
	char *p = xmalloc(strlen(s) + 1), *q = p;

	/* Perl-style escapes that POSIX regular expressions lack. */
	for (; *s; s++) {
		if (s[0] == '\\' && s[1] == 't') {
			*q++ = '\t';
			s++;
		} else if (s[0] == '\\' && s[1] == 'n') {
			*q++ = '\n';
			s++;
		} else {
			*q++ = *s;
		}
	}
	*q = '\0';
	return p;
}

/* The settings of o that shape the items. */
static void
input_settings(struct input *in, const struct options *o)
{
	char msg[256], *pat;
	int rc;

	in->delim = o->delimiter;
	in->skip_empty = o->skip_empty;
	in->join = o->max_lines;
	/* --colsep trims both ends unless --trim says otherwise (GNU). */
	in->trim = options_is_set(o, OPT_TRIM)	  ? o->trim
	    : o->colsep && !o->colsep_from_header ? TRIM_BOTH
						  : TRIM_NONE;
	in->eof_str = o->eof_str;
	in->max_items = o->max_args ? o->max_args
	    : o->pack != PACK_NONE  ? SIZE_MAX
				    : 1;
	in->no_args = o->no_args;
	/* --header 0: no header line, the files' names name them */
	in->header = o->header != NULL && strcmp(o->header, "0") != 0;
	in->shuf = o->shuf;
	if (!o->colsep)
		return;
	pat = colsep_pattern(o->colsep);
	rc = util_regcomp(&in->colsep, pat, REG_EXTENDED, msg, sizeof msg);
	free(pat);
	if (rc) {
		fatalx("--colsep: '%s': %s", o->colsep, msg);
	}
	in->use_colsep = true;
}

static void add_value(
    struct input *in, struct args *out, const char *p, size_t len);

/* --header: a group's first item, split into columns, names them. */
static void
add_names(struct input *in, const char *p, size_t len)
{
	struct args cols = ARGS_INIT;
	size_t i;

	if (len > 0 && p[len - 1] == '\r')
		len--;
	add_value(in, &cols, p, len);
	in->names = xreallocarray(
	    in->names, in->nnames + cols.n + 1, sizeof *in->names);
	for (i = 0; i < cols.n; i++)
		in->names[in->nnames++] =
		    xstrndup(args_value(&cols, i), cols.len[i]);
	in->names[in->nnames] = NULL;
	args_release(&cols);
}

/*
 * --header 0: the n-th :::: or -a file (given as PATH) names argument n,
 * {PATH}, as GNU parallel's; ::: groups have none.
 */
static void
file_names(struct input *in, const struct options *o)
{
	size_t i;

	in->names = xcalloc(o->ngroups + 1, sizeof *in->names);
	for (i = 0; i < o->ngroups; i++)
		in->names[i] =
		    xstrdup(o->groups[i].path ? o->groups[i].path : "");
	in->nnames = o->ngroups;
}

/* --header: take the first item of a group held in memory. */
static void
list_header(struct input *in, struct vlist *l)
{
	if (l->n == 0)
		return;
	add_names(in, l->v[0], l->len[0]);
	free(l->v[0]);
	memmove(l->v, l->v + 1, (l->n - 1) * sizeof *l->v);
	memmove(l->len, l->len + 1, (l->n - 1) * sizeof *l->len);
	l->n--;
}

/* --header: read the first record of a streamed group now. */
static void
stream_header(struct input *in, struct reader *r)
{
	const char *rec;
	size_t len;
	int rc;

	while ((rc = reader_next(r, &rec, &len)) != 0) {
		if (rc == 1) {
			add_names(in, rec, len);
			return;
		}
		if (rc == INPUT_ERROR || reader_fill(r) < 0)
			exit(FANOUT_STATUS_ERROR);
	}
}

const char *const *
input_names(const struct input *in, size_t *n)
{
	*n = in->nnames;
	return (const char *const *)in->names;
}

struct input *
input_open(const struct options *o)
{
	struct input *in = xcalloc(1, sizeof *in);
	struct group stdin_group = {NULL, 0, "-", false};
	const struct group *groups = o->groups;
	size_t ngroups = o->ngroups, i, j;
	struct unit *u;

	if (o->pipe || o->pipe_part) {
		in->pipe = pipe_reader_new(o);
		return in;
	}
	input_settings(in, o);
	if (ngroups == 0) {
		groups = &stdin_group;
		ngroups = 1;
	}

	in->units = xcalloc(ngroups, sizeof *in->units);
	for (i = 0; i < ngroups; i++) {
		if (i == 0 || !(o->link || groups[i].linked))
			in->nunits++;
		u = &in->units[in->nunits - 1];
		u->wrap = o->link;
		u->lists =
		    xreallocarray(u->lists, u->nlists + 1, sizeof *u->lists);
		memset(&u->lists[u->nlists++], 0, sizeof *u->lists);
	}

	/* The first unit is streamed when it is one file. */
	u = &in->units[0];
	if (u->nlists == 1 && groups[0].path) {
		u->stream = xcalloc(1, sizeof *u->stream);
		reader_open(u->stream, groups[0].path, in->delim);
		u->stream->join = in->join;
		if (in->header)
			stream_header(in, u->stream);
	}
	for (i = 0, j = 0; i < in->nunits; i++) {
		u = &in->units[i];
		for (size_t k = 0; k < u->nlists; k++, j++) {
			if (!u->stream)
				load_group(in, &u->lists[k], &groups[j]);
			if (!u->stream && in->header)
				list_header(in, &u->lists[k]);
			if (k == 0 ||
			    (u->wrap ? u->lists[k].n > u->count
				     : u->lists[k].n < u->count))
				u->count = u->lists[k].n;
		}
		/* A linked unit with an empty member has no elements. */
		for (size_t k = 0; k < u->nlists && !u->stream; k++)
			if (u->lists[k].n == 0)
				u->count = 0;
		if (!u->stream && u->count == 0)
			in->done = true;
	}
	if (o->header && strcmp(o->header, "0") == 0)
		file_names(in, o);
	in->idx = xcalloc(in->nunits, sizeof *in->idx);
	return in;
}

void
input_free(struct input *in)
{
	size_t i, k, m;

	if (!in)
		return;
	for (i = 0; i < in->nunits; i++) {
		struct unit *u = &in->units[i];

		for (k = 0; k < u->nlists; k++) {
			for (m = 0; m < u->lists[k].n; m++)
				free(u->lists[k].v[m]);
			free(u->lists[k].v);
			free(u->lists[k].len);
		}
		free(u->lists);
		if (u->stream) {
			reader_close(u->stream);
			free(u->stream);
		}
	}
	free(in->units);
	free(in->idx);
	args_release(&in->first);
	args_release(&in->acc);
	free(in->ends);
	for (i = 0; i < in->nnames; i++)
		free(in->names[i]);
	free(in->names);
	for (i = in->shuffled_next; i < in->nshuffled; i++)
		args_release(&in->shuffled[i]);
	free(in->shuffled);
	if (in->use_colsep)
		regfree(&in->colsep);
	pipe_reader_free(in->pipe);
	free(in);
}

int
input_fd(const struct input *in)
{
	if (in->pipe)
		return pipe_reader_fd(in->pipe);
	return in->units && in->units[0].stream ? in->units[0].stream->fd : -1;
}

int64_t
input_deadline(const struct input *in)
{
	return in->pipe ? pipe_reader_deadline(in->pipe) : INT64_MAX;
}

int
input_fill(struct input *in)
{
	if (in->pipe)
		return pipe_reader_fill(in->pipe);
	if (reader_fill(in->units[0].stream) < 0) {
		in->failed = true;
		return -1;
	}
	return 0;
}

/* Add a value to out, less the white space --trim takes off. */
static void
add_trimmed(const struct input *in, struct args *out, const char *p, size_t len)
{
	static const char space[] = " \t\n\r\f\v";

	if (in->trim == TRIM_LEFT || in->trim == TRIM_BOTH)
		while (len > 0 && *p && strchr(space, *p))
			p++, len--;
	if (in->trim == TRIM_RIGHT || in->trim == TRIM_BOTH)
		while (len > 0 && p[len - 1] && strchr(space, p[len - 1]))
			len--;
	args_add(out, p, len);
}

/* Add a value to out, split into columns with --colsep. */
static void
add_value(struct input *in, struct args *out, const char *p, size_t len)
{
	regmatch_t m;
	size_t start = 0;

	if (!in->use_colsep) {
		add_trimmed(in, out, p, len);
		return;
	}
	/* regexec needs a C string: values hold no NUL with --colsep. */
	while (start <= len) {
		m.rm_so = 0;
		m.rm_eo = (regoff_t)(len - start);
		if (regexec(&in->colsep, p + start, 1, &m, REG_STARTEND) != 0 ||
		    m.rm_eo == m.rm_so) {
			add_trimmed(in, out, p + start, len - start);
			return;
		}
		add_trimmed(in, out, p + start, (size_t)m.rm_so);
		start += (size_t)m.rm_eo;
	}
}

static void
add_unit(struct input *in, struct args *out, size_t u)
{
	struct unit *un = &in->units[u];
	size_t k, i = in->idx[u];

	for (k = 0; k < un->nlists; k++) {
		struct vlist *l = &un->lists[k];

		add_value(in, out, l->v[i % l->n], l->len[i % l->n]);
	}
}

/* One combination of the groups, appended to out. */
static int
raw_item(struct input *in, struct args *out)
{
	struct unit *u0 = &in->units[0];
	const char *rec;
	size_t len, u;
	int rc;

	if (in->done)
		return in->failed ? INPUT_ERROR : INPUT_END;
	if (!in->have_first) {
		if (u0->stream) {
			do {
				rc = reader_next(u0->stream, &rec, &len);
				if (rc == 1 && is_eof_item(in, rec, len))
					rc = 0;
				if (rc <= 0) {
					if (rc == 0)
						in->done = true;
					if (rc == 0 && in->failed)
						return INPUT_ERROR;
					return rc;
				}
			} while (in->skip_empty && util_blank(rec, len));
			args_reset(&in->first);
			add_value(in, &in->first, rec, len);
		} else if (in->idx[0] >= u0->count) {
			in->done = true;
			return INPUT_END;
		}
		in->have_first = true;
		for (u = 1; u < in->nunits; u++)
			in->idx[u] = 0;
	}

	if (u0->stream)
		for (size_t i = 0; i < in->first.n; i++)
			args_add(
			    out, args_value(&in->first, i), in->first.len[i]);
	else
		add_unit(in, out, 0);
	for (u = 1; u < in->nunits; u++)
		add_unit(in, out, u);

	/* Advance: the last unit varies fastest. */
	for (u = in->nunits - 1; u > 0; u--) {
		if (++in->idx[u] < in->units[u].count)
			return INPUT_ITEM;
		in->idx[u] = 0;
	}
	in->have_first = false;
	in->idx[0]++;
	return INPUT_ITEM;
}

/* --shuf: keep an item read, for shuffle_items(). */
static void
keep_item(struct input *in, struct args *item)
{
	if (in->nshuffled == in->shuffled_cap) {
		in->shuffled_cap = in->shuffled_cap ? 2 * in->shuffled_cap : 64;
		in->shuffled = xreallocarray(
		    in->shuffled, in->shuffled_cap, sizeof *in->shuffled);
	}
	in->shuffled[in->nshuffled++] = *item;
	args_init(item);
}

/* Fisher-Yates, from the kernel's random bytes. */
static void
shuffle_items(struct input *in)
{
	struct args tmp;
	size_t i, j;

	for (i = in->nshuffled; i > 1; i--) {
		j = arc4random_uniform((uint32_t)i);
		tmp = in->shuffled[i - 1];
		in->shuffled[i - 1] = in->shuffled[j];
		in->shuffled[j] = tmp;
	}
	in->shuffled_ready = true;
}

/*
 * The next item, appended to out: as raw_item(), or with --shuf from
 * every item read first and shuffled (GNU parallel shuffles the items,
 * then groups them with -N).
 */
static int
next_item(struct input *in, struct args *out)
{
	struct args item = ARGS_INIT, *it;
	size_t i;
	int rc;

	if (!in->shuf)
		return raw_item(in, out);
	while (!in->shuffled_ready) {
		rc = raw_item(in, &item);
		if (rc == INPUT_ITEM)
			keep_item(in, &item);
		else if (rc == INPUT_END)
			shuffle_items(in);
		else
			return rc;
	}
	args_release(&item);
	if (in->shuffled_next == in->nshuffled)
		return in->failed ? INPUT_ERROR : INPUT_END;
	it = &in->shuffled[in->shuffled_next++];
	for (i = 0; i < it->n; i++)
		args_add(out, args_value(it, i), it->len[i]);
	args_release(it);
	return INPUT_ITEM;
}

void
input_set_pack(struct input *in, const struct input_pack *pack)
{
	in->pack = *pack;
}

/* The command's length with acc's first n items (-s). */
static size_t
acc_length(const struct input *in, size_t n)
{
	const struct args *a = &in->acc;
	size_t i, total = in->pack.fixed, end = n ? in->ends[n - 1] : 0;

	for (i = 0; i < end; i++)
		total += in->pack.value_len(
		    in->pack.data, args_value(a, i), a->len[i], i);
	return total;
}

/* Read one more item into acc: INPUT_ITEM, or as next_item(). */
static int
acc_read(struct input *in)
{
	size_t first = in->acc.n, i;
	int rc = next_item(in, &in->acc);

	if (rc == INPUT_END)
		in->ended = true;
	if (rc != INPUT_ITEM)
		return rc;
	if (in->nacc == in->ends_cap) {
		in->ends_cap = in->ends_cap ? 2 * in->ends_cap : 16;
		in->ends =
		    xreallocarray(in->ends, in->ends_cap, sizeof *in->ends);
	}
	in->ends[in->nacc++] = in->acc.n;
	if (in->pack.max_chars)
		for (i = first; i < in->acc.n; i++)
			in->acc_len += in->pack.value_len(in->pack.data,
			    args_value(&in->acc, i), in->acc.len[i], i);
	return INPUT_ITEM;
}

/* How many of acc's items the next job takes; 0 when the first is too long. */
static size_t
acc_fit(struct input *in)
{
	size_t n = in->nacc < in->max_items ? in->nacc : in->max_items, per;

	if (in->pack.max_chars)
		while (n > 0 && acc_length(in, n) >= in->pack.max_chars)
			n--;
	if (in->ended && !in->spread && in->pack.spread > 1) {
		/* The input ended: share what is left among the slots. */
		in->spread = true;
		per = in->nacc / in->pack.spread +
		    (in->nacc % in->pack.spread != 0);
		if (in->nacc > 1 && per < n)
			n = in->max_items = per;
	}
	return n;
}

/* Hand acc's first n items to out and keep the rest. */
static void
acc_take(struct input *in, size_t n, struct args *out)
{
	struct args *a = &in->acc;
	size_t nv = in->ends[n - 1], shift, i;

	for (i = 0; i < nv; i++)
		args_add(out, args_value(a, i), a->len[i]);
	shift = nv < a->n ? a->off[nv] : a->data.len;
	buf_consume(&a->data, shift);
	for (i = nv; i < a->n; i++) {
		a->off[i - nv] = a->off[i] - shift;
		a->len[i - nv] = a->len[i];
	}
	a->n -= nv;
	for (i = n; i < in->nacc; i++)
		in->ends[i - n] = in->ends[i] - nv;
	in->nacc -= n;
	if (in->pack.max_chars)
		in->acc_len = acc_length(in, in->nacc);
}

/* Too long for -s even alone: the input stops there. */
static int
acc_too_long(struct input *in)
{
	size_t len = acc_length(in, 1);

	error("command line too long (%zu >= %zu) at input: '%.50s%s'", len,
	    in->pack.max_chars, args_value(&in->acc, 0),
	    in->acc.len[0] > 50 ? "..." : "");
	in->done = in->failed = in->ended = true;
	in->nacc = 0;
	args_reset(&in->acc);
	return INPUT_ERROR;
}

/* The next job of several items: -N, -n, -L, -m, -X, --xargs, -s. */
static int
next_job(struct input *in, struct args *out)
{
	size_t n;
	int rc;

	while (!in->ended && in->nacc < in->max_items &&
	    (!in->pack.max_chars || in->nacc == 0 ||
		in->acc_len < in->pack.max_chars)) {
		rc = acc_read(in);
		if (rc == INPUT_WAIT || rc == INPUT_ERROR)
			return rc;
	}
	/* -m, -X: whether the input ends here decides the spreading. */
	if (in->pack.spread > 1 && !in->spread && !in->ended &&
	    in->nacc == in->max_items) {
		rc = acc_read(in);
		if (rc == INPUT_WAIT || rc == INPUT_ERROR)
			return rc;
	}
	if (in->nacc == 0)
		return in->failed ? INPUT_ERROR : INPUT_END;
	if ((n = acc_fit(in)) == 0)
		return acc_too_long(in);
	acc_take(in, n, out);
	return INPUT_ITEM;
}

/* --pipe: a block; with --cat and --fifo its file's name is {}. */
static int
pipe_next(struct input *in, struct args *out)
{
	const char *name;
	int rc = pipe_reader_next(in->pipe, &out->block, &name);

	if (rc == INPUT_ITEM && name)
		args_add(out, name, strlen(name));
	return rc;
}

int
input_next(struct input *in, struct args *out)
{
	int rc;

	args_reset(out);
	if (in->pipe)
		return pipe_next(in, out);
	if (in->no_args) {
		/* -N 0: each item makes a job, but its values go nowhere. */
		rc = next_item(in, out);
		args_reset(out);
		return rc;
	}
	if (in->max_items <= 1 && !in->pack.max_chars)
		return next_item(in, out);
	return next_job(in, out);
}
