#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "input.h"
#include "plusop.h"
#include "template.h"
#include "xalloc.h"

enum seg_kind {
	SEG_LIT, /* text of the command */
	SEG_BLANK, /* blanks between words (direct commands only) */
	SEG_ARG, /* {} {.} {1} ... */
	SEG_SEQ, /* {#} */
	SEG_SLOT, /* {%} */
	SEG_TOTAL, /* --plus: {##}, the number of jobs */
	SEG_HOST, /* --plus: {host}, the host the job runs on */
	SEG_LOGIN, /* --plus: {sshlogin} */
	SEG_HGRP, /* --plus: {hgrp}, the host groups of its host */
	SEG_AGRP, /* --plus: {agrp}, the host groups of its argument */
	SEG_RAW /* the arguments as shell text (lines as commands) */
};

enum form {
	FORM_WHOLE,
	FORM_NOEXT, /* {.} */
	FORM_BASE, /* {/} */
	FORM_DIR, /* {//} */
	FORM_BASE_NOEXT, /* {/.} */
	/* --plus */
	FORM_PLUS_DIR, /* {+/}: the directory, "" for none */
	FORM_EXT, /* {+.}: the extension */
	FORM_EXT2, /* {+..}: the last two extensions */
	FORM_EXT3, /* {+...} */
	FORM_NOEXT2, /* {..}: without the last two extensions */
	FORM_NOEXT3, /* {...} */
	FORM_BASE_NOEXT2, /* {/..} */
	FORM_BASE_NOEXT3, /* {/...} */
	FORM_CHOOSE_K, /* {choose_k}: {}, its job run only when sorted */
	FORM_UNIQ /* {uniq}: {}, its job run only when all differ */
};

struct seg {
	enum seg_kind kind;
	enum form form;
	long argn; /* 0: every argument; -1: the last one */
	bool code; /* in the command's first word: shell text, not data */
	bool ctx; /* -X: the first of a word repeated per value */
	/* {0#}, {0%}: padded with zeros to the total's or -j's width */
	bool pad;
	const struct plusop *op; /* --plus: {:-text} {#re} ..., or NULL */
	size_t ctx_end; /* ctx: the index after the word's last segment */
	const char *text; /* SEG_LIT, SEG_BLANK */
	size_t len;
};

struct template
{
	struct seg *segs;
	size_t n, cap;
	bool shell;
	bool quote_words; /* -q: shell text is the quoted argv words */
	size_t total; /* {##}, {0#}: template_set_total() */
	size_t jobs; /* {0%}: template_set_jobs() */
	unsigned filter; /* TEMPLATE_CHOOSE_K, TEMPLATE_UNIQ */
	struct plusop **ops; /* the segments' */
	size_t nops;
	char *error; /* the first bad replacement string */
	char *text; /* the joined words segments point into */
};

static struct seg *
add_seg(struct template *t, enum seg_kind kind)
{
	struct seg *s;

	if (t->n == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 8;
		t->segs = xreallocarray(t->segs, t->cap, sizeof *s);
	}
	s = &t->segs[t->n++];
	memset(s, 0, sizeof *s);
	s->kind = kind;
	return s;
}

static void
add_lit(struct template *t, const char *p, size_t len)
{
	struct seg *s;

	if (len == 0)
		return;
	s = add_seg(t, SEG_LIT);
	s->text = p;
	s->len = len;
}

static bool
is_name_char(char c, bool first)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	    (!first && ((c >= '0' && c <= '9') || c == '-'));
}

/*
 * The name at q (letters, digits, '_' and '-', not starting with a digit
 * or '-'), if it is one of o->names: its length and, in *argn, the
 * argument it stands for. Else the longest of the names with other bytes
 * (--header 0's file names) that q starts with; else 0.
 */
static size_t
match_name(const char *q, const struct template_opts *o, long *argn)
{
	size_t i, len, best = 0;

	for (len = 0; is_name_char(q[len], len == 0); len++)
		;
	for (i = 0; i < o->nnames && len; i++)
		if (strncmp(o->names[i], q, len) == 0 &&
		    o->names[i][len] == '\0') {
			*argn = (long)i + 1;
			return len;
		}
	for (i = 0; i < o->nnames; i++) {
		len = strlen(o->names[i]);
		if (len > best &&
		    o->names[i][strspn(o->names[i],
			"abcdefghijklmnopqrstuvwxyz"
			"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")] &&
		    strncmp(o->names[i], q, len) == 0) {
			best = len;
			*argn = (long)i + 1;
		}
	}
	return best;
}

/* A positional {n} beyond this is beyond it still: no job has n values. */
#define ARGN_MAX 100000000L /* argn * 10 + 9 stays within a 32-bit long */

/*
 * {#} {%} and --plus's {##} {0#} {0%} {slot} {host} {sshlogin} {hgrp}
 * {agrp} at p.
 */
static size_t
match_word(const char *p, const struct template_opts *o, struct seg *s)
{
	static const struct {
		const char *word;
		enum seg_kind kind;
		bool pad, plus;
	} words[] = {
	    {"{#}", SEG_SEQ, false, false},
	    {"{%}", SEG_SLOT, false, false},
	    {"{slot}", SEG_SLOT, false, true},
	    {"{##}", SEG_TOTAL, false, true},
	    {"{0#}", SEG_SEQ, true, true},
	    {"{0%}", SEG_SLOT, true, true},
	    {"{host}", SEG_HOST, false, true},
	    {"{sshlogin}", SEG_LOGIN, false, true},
	    {"{hgrp}", SEG_HGRP, false, true},
	    {"{agrp}", SEG_AGRP, false, true},
	};
	size_t i, n;

	for (i = 0; i < sizeof words / sizeof words[0]; i++) {
		n = strlen(words[i].word);
		if ((o->plus || !words[i].plus) &&
		    strncmp(p, words[i].word, n) == 0) {
			s->kind = words[i].kind;
			s->pad = words[i].pad;
			return n;
		}
	}
	return 0;
}

/* --plus's {:-text} {#re} ... at q (p: its "{"): its length, or 0. */
static size_t
match_op(struct template *t, const char *p, const char *q, struct seg *s)
{
	struct plusop *op;
	char *err;
	size_t n = plusop_parse(q, &op, &err);

	if (n == 0)
		return 0;
	if (err && !t->error)
		t->error = xasprintf("%.*s: %s", (int)(q - p) + (int)n, p, err);
	free(err);
	if (op) {
		t->ops = xreallocarray(t->ops, t->nops + 1, sizeof *t->ops);
		t->ops[t->nops++] = op;
	}
	s->op = op;
	return (size_t)(q - p) + n;
}

/* Length of the replacement string at p, or 0; fills *s. */
static size_t
match_repl(struct template *t, const char *p, const struct template_opts *o,
    struct seg *s)
{
	static const struct {
		const char *suffix;
		enum form form;
		bool plus; /* only with --plus */
	} forms[] = {
	    {"}", FORM_WHOLE, false},
	    {".}", FORM_NOEXT, false},
	    {"/}", FORM_BASE, false},
	    {"//}", FORM_DIR, false},
	    {"/.}", FORM_BASE_NOEXT, false},
	    {"+/}", FORM_PLUS_DIR, true},
	    {"+.}", FORM_EXT, true},
	    {"+..}", FORM_EXT2, true},
	    {"+...}", FORM_EXT3, true},
	    {"..}", FORM_NOEXT2, true},
	    {"...}", FORM_NOEXT3, true},
	    {"/..}", FORM_BASE_NOEXT2, true},
	    {"/...}", FORM_BASE_NOEXT3, true},
	    {"choose_k}", FORM_CHOOSE_K, true},
	    {"uniq}", FORM_UNIQ, true},
	};
	const char *q, *replace = o->replace;
	size_t i, n;
	long argn = 0;
	bool neg = false;

	memset(s, 0, sizeof *s);
	s->kind = SEG_ARG;
	if (replace && strncmp(p, replace, strlen(replace)) == 0)
		return strlen(replace);
	if (*p != '{')
		return 0;
	if ((n = match_word(p, o, s)) != 0)
		return n;
	q = p + 1;
	if ((n = match_name(q, o, &argn)) != 0) {
		q += n; /* {name} is {n}, with -I as well */
		replace = NULL;
	} else if (*q == '-' && q[1] >= '1' && q[1] <= '9') {
		neg = true; /* {-n}: the n-th argument from the end */
		q++;
	}
	/* Past any argument there can be, a number stays there: {n} empty. */
	for (; n == 0 && *q >= '0' && *q <= '9'; q++)
		if (argn < ARGN_MAX)
			argn = argn * 10 + (*q - '0');
	if (q > p + 1 && (argn == 0 || replace))
		return 0; /* with -I, {n} is text as well */
	if (neg)
		argn = -argn;
	s->argn = argn;
	if (o->plus && (n = match_op(t, p, q, s)) != 0)
		return n;
	for (i = 0; i < sizeof forms / sizeof forms[0]; i++) {
		n = strlen(forms[i].suffix);
		if (strncmp(q, forms[i].suffix, n) != 0 ||
		    (forms[i].plus && !o->plus))
			continue;
		/* With -I, "{}" itself is no longer special. */
		if (replace && q == p + 1 && forms[i].form == FORM_WHOLE)
			return 0;
		s->form = forms[i].form;
		if (s->form == FORM_CHOOSE_K)
			t->filter |= TEMPLATE_CHOOSE_K;
		if (s->form == FORM_UNIQ)
			t->filter |= TEMPLATE_UNIQ;
		return (size_t)(q - p) + n;
	}
	return 0;
}

/* Split text into literals and replacement strings. */
static void
parse_text(struct template *t, const char *text, const struct template_opts *o)
{
	const char *p = text, *lit = text;
	struct seg s;
	size_t n;

	while (*p) {
		if ((n = match_repl(t, p, o, &s)) == 0) {
			p++;
			continue;
		}
		add_lit(t, lit, (size_t)(p - lit));
		*add_seg(t, s.kind) = s;
		p += n;
		lit = p;
	}
	add_lit(t, lit, (size_t)(p - lit));
}

static bool
has_repl(const struct template *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (t->segs[i].kind != SEG_LIT && t->segs[i].kind != SEG_BLANK)
			return true;
	return false;
}

static bool
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Words that only a shell understands as the first word of a command. */
static bool
is_shell_word(const char *p, size_t len)
{
	static const char *const words[] = {
	    "!",
	    "{",
	    "}",
	    "case",
	    "do",
	    "done",
	    "elif",
	    "else",
	    "esac",
	    "fi",
	    "for",
	    "if",
	    "in",
	    "then",
	    "until",
	    "while",
	    ".",
	    ":",
	    "alias",
	    "bg",
	    "break",
	    "cd",
	    "command",
	    "continue",
	    "eval",
	    "exec",
	    "exit",
	    "export",
	    "fc",
	    "fg",
	    "getopts",
	    "hash",
	    "jobs",
	    "local",
	    "read",
	    "readonly",
	    "return",
	    "set",
	    "shift",
	    "source",
	    "times",
	    "trap",
	    "type",
	    "ulimit",
	    "umask",
	    "unalias",
	    "unset",
	    "wait",
	};
	size_t i;

	for (i = 0; i < sizeof words / sizeof words[0]; i++)
		if (strlen(words[i]) == len && memcmp(words[i], p, len) == 0)
			return true;
	return memchr(p, '=', len) != NULL;
}

/*
 * Does the command, leaving the replacement strings aside, hold anything
 * a shell would read differently from "split at blanks"? Also true when
 * the first word is a shell keyword, builtin or assignment, or holds a
 * value (the shell then finds the command, builtin or not).
 */
static bool
needs_shell(const struct template *t)
{
	static const char special[] = ";&|<>()$`\\\"'*?[]#~!\n\r";
	const struct seg *s;
	size_t i, j, start;

	for (i = 0; i < t->n; i++) {
		s = &t->segs[i];
		if (s->kind == SEG_LIT)
			for (j = 0; j < s->len; j++)
				if (strchr(special, s->text[j]))
					return true;
	}
	if (t->n == 0 || t->segs[0].kind != SEG_LIT)
		return true;
	s = &t->segs[0];
	for (start = 0; start < s->len && is_blank(s->text[start]); start++)
		;
	for (j = start; j < s->len && !is_blank(s->text[j]); j++)
		;
	if (j == s->len && t->n > 1 && t->segs[1].kind != SEG_BLANK)
		return true; /* the first word runs into a value */
	return j == start || is_shell_word(s->text + start, j - start);
}

/*
 * As GNU parallel does: a value in the command's first word (the text up
 * to the first blank or '=') is part of the command, so it goes to the
 * shell as it is (`fanout {} ::: 'echo a; echo b'`). Values after the
 * first word stay quoted data.
 */
static void
mark_first_word_code(struct template *t)
{
	struct seg *s;
	size_t i;

	for (i = 0; i < t->n; i++) {
		s = &t->segs[i];
		if (s->kind == SEG_LIT || s->kind == SEG_BLANK) {
			if (strcspn(s->text, " \t\n=") < s->len)
				return;
		} else if (s->kind == SEG_ARG) {
			s->code = true;
		}
	}
}

/* Turn blank runs inside literals into SEG_BLANK word breaks. */
static void
split_words(struct template *t)
{
	struct template out = {0};
	size_t i, j, k;

	for (i = 0; i < t->n; i++) {
		struct seg *s = &t->segs[i];

		if (s->kind != SEG_LIT) {
			*add_seg(&out, s->kind) = *s;
			continue;
		}
		for (j = 0; j < s->len;) {
			k = j;
			if (is_blank(s->text[j])) {
				while (k < s->len && is_blank(s->text[k]))
					k++;
				struct seg *b = add_seg(&out, SEG_BLANK);

				b->text = s->text + j;
				b->len = k - j;
			} else {
				while (k < s->len && !is_blank(s->text[k]))
					k++;
				add_lit(&out, s->text + j, k - j);
			}
			j = k;
		}
	}
	free(t->segs);
	t->segs = out.segs;
	t->n = out.n;
	t->cap = out.cap;
}

/*
 * Context replace (-X): mark each word that holds a form of {} (every
 * value) so that rendering repeats it once per value.
 */
static void
mark_context(struct template *t)
{
	size_t start, end;
	bool all;

	for (start = 0; start < t->n; start = end + 1) {
		all = false;
		for (end = start; end < t->n && t->segs[end].kind != SEG_BLANK;
		     end++)
			if (t->segs[end].kind == SEG_ARG &&
			    t->segs[end].argn == 0)
				all = true;
		if (all) {
			t->segs[start].ctx = true;
			t->segs[start].ctx_end = end;
		}
	}
}

static void
append_items(struct template *t)
{
	struct seg *s = add_seg(t, SEG_BLANK);

	s->text = " ";
	s->len = 1;
	add_seg(t, SEG_ARG);
}

struct template *
template_new(char *const *words, size_t nwords, const struct template_opts *o)
{
	struct template *t = xcalloc(1, sizeof *t);
	struct buf text = BUF_INIT;
	size_t i, *starts = xcalloc(nwords + 1, sizeof *starts);

	for (i = 0; i < nwords; i++) {
		if (i)
			buf_addch(&text, ' ');
		starts[i] = text.len;
		buf_addstr(&text, words[i]);
	}
	t->text = buf_detach(&text, NULL);
	if (o->quote) {
		/* Each word is one argument, its text data like a value. */
		for (i = 0; i < nwords; i++) {
			if (i) {
				struct seg *b = add_seg(t, SEG_BLANK);

				b->text = " ";
				b->len = 1;
			}
			char *w = t->text + starts[i];
			size_t len = strlen(words[i]);
			char save = w[len];

			w[len] = '\0';
			if (len == 0)
				add_seg(t, SEG_LIT)->text =
				    w; /* '' is a word */
			else
				parse_text(t, w, o);
			w[len] = save;
		}
		if (!has_repl(t) && !o->no_append)
			append_items(t);
		t->shell = false;
		t->quote_words = true;
	} else {
		parse_text(t, t->text, o);
		if (!has_repl(t) && !o->no_append)
			append_items(t);
		mark_first_word_code(t);
		t->shell = needs_shell(t);
		/* Blank segments render as they were: the shell text stays. */
		if (!t->shell || o->context)
			split_words(t);
	}
	if (o->context)
		mark_context(t);
	free(starts);
	return t;
}

struct template *
template_new_raw(void)
{
	struct template *t = xcalloc(1, sizeof *t);

	add_seg(t, SEG_RAW);
	t->shell = true;
	return t;
}

struct template *
template_new_text(const char *text, const struct template_opts *o)
{
	struct template *t = xcalloc(1, sizeof *t);

	t->text = xstrdup(text);
	parse_text(t, t->text, o);
	return t;
}

void
template_free(struct template *t)
{
	size_t i;

	if (!t)
		return;
	for (i = 0; i < t->nops; i++)
		plusop_free(t->ops[i]);
	free(t->ops);
	free(t->error);
	free(t->segs);
	free(t->text);
	free(t);
}

bool
template_needs_shell(const struct template *t)
{
	return t->shell;
}

void
shell_quote(struct buf *out, const char *s, size_t len)
{
	static const char safe[] = "abcdefghijklmnopqrstuvwxyz"
				   "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.+/";
	size_t i, start;

	if (len == 0) {
		buf_add(out, "''", 2);
		return;
	}
	for (i = 0; i < len; i++)
		if (!s[i] || !strchr(safe, s[i]))
			break;
	if (i == len) {
		buf_add(out, s, len);
		return;
	}
	/*
	 * GNU parallel's form, so that --dry-run prints the same text:
	 * 'text' with each ' written as '"'"', then a '' at either end
	 * dropped.
	 */
	start = out->len;
	buf_grow(out, len + 2);
	buf_addch(out, '\'');
	for (i = 0; i < len; i++) {
		if (s[i] == '\'')
			buf_add(out, "'\"'\"'", 5);
		else
			buf_addch(out, s[i]);
	}
	buf_addch(out, '\'');
	if (out->len - start >= 2 && memcmp(out->data + start, "''", 2) == 0) {
		memmove(out->data + start, out->data + start + 2,
		    out->len - start - 2);
		out->len -= 2;
	}
	if (out->len - start >= 2 &&
	    memcmp(out->data + out->len - 2, "''", 2) == 0)
		out->len -= 2;
	out->data[out->len] = '\0';
}

/*
 * Where the last k extensions of v start (the '.' of the first of
 * them), each a '.' and any bytes but '.' and '/'; -1 when v has fewer
 * (GNU parallel's --plus: \.[^/.]* k times at the end).
 */
static long
ext_start(const char *v, size_t len, int k)
{
	size_t end = len, i;

	while (k-- > 0) {
		for (i = end; i > 0 && v[i - 1] != '.' && v[i - 1] != '/'; i--)
			;
		if (i == 0 || v[i - 1] != '.')
			return -1;
		end = i - 1;
	}
	return (long)end;
}

/* {..}, {...}: v without its last k extensions, if it has k. */
static size_t
without_exts(const char *v, size_t len, int k)
{
	long at = ext_start(v, len, k);

	return at < 0 ? len : (size_t)at;
}

/* The --plus forms of v, as a slice of v. */
static const char *
apply_plus(enum form form, const char *v, size_t len, size_t *outlen)
{
	const char *slash = memrchr(v, '/', len), *dot;
	long at;
	int k;

	switch (form) {
	case FORM_PLUS_DIR:
		*outlen = slash ? (size_t)(slash - v) : 0;
		return v;
	case FORM_EXT:
		/* All after the last '.', a '/' or not (GNU). */
		at = (dot = memrchr(v, '.', len)) ? dot - v : -1;
		*outlen = at < 0 ? 0 : len - (size_t)at - 1;
		return at < 0 ? v : v + at + 1;
	case FORM_EXT2:
	case FORM_EXT3:
		k = form == FORM_EXT2 ? 2 : 3;
		at = ext_start(v, len, k);
		*outlen = at < 0 ? 0 : len - (size_t)at - 1;
		return at < 0 ? v : v + at + 1;
	case FORM_BASE_NOEXT2:
	case FORM_BASE_NOEXT3:
		if (slash) {
			len -= (size_t)(slash + 1 - v);
			v = slash + 1;
		}
		/* FALLTHROUGH */
	default:
		k = form == FORM_NOEXT2 || form == FORM_BASE_NOEXT2 ? 2 : 3;
		*outlen = without_exts(v, len, k);
		return v;
	}
}

/* The part of value v that a form selects, as a slice of v (or static). */
static const char *
form_of(enum form form, const char *v, size_t len, size_t *outlen)
{
	const char *slash, *dot, *end;
	size_t i;

	switch (form) {
	case FORM_WHOLE:
	case FORM_CHOOSE_K:
	case FORM_UNIQ:
		break;
	default:
		return apply_plus(form, v, len, outlen);
	case FORM_BASE:
	case FORM_BASE_NOEXT:
		slash = memrchr(v, '/', len);
		if (slash) {
			len -= (size_t)(slash + 1 - v);
			v = slash + 1;
		}
		if (form == FORM_BASE)
			break;
		/* FALLTHROUGH */
	case FORM_NOEXT:
		dot = memrchr(v, '.', len);
		if (dot && !memchr(dot, '/', len - (size_t)(dot - v)))
			len = (size_t)(dot - v);
		break;
	case FORM_DIR:
		/* As dirname(1): drop trailing slashes, then the last name. */
		end = v + len;
		while (end > v + 1 && end[-1] == '/')
			end--;
		slash = memrchr(v, '/', (size_t)(end - v));
		if (!slash) {
			*outlen = 1;
			return ".";
		}
		for (i = (size_t)(slash - v); i > 0 && v[i - 1] == '/'; i--)
			;
		if (i == 0) {
			*outlen = 1;
			return "/";
		}
		len = i;
		break;
	}
	*outlen = len;
	return v;
}

/* What segment s makes of value v: a slice of v, of tmp, or static. */
static const char *
apply_form(const struct seg *s, const char *v, size_t len, struct buf *tmp,
    size_t *outlen)
{
	if (s->op)
		return plusop_apply(s->op, v, len, tmp, outlen);
	return form_of(s->form, v, len, outlen);
}

/*
 * The arguments a {...} stands for, as a count and the first index: all of
 * them for {} (or only the one given, in a copy of a context word), one
 * for {n} or {-n}, none when that one is missing (then it renders as
 * nothing, not as '').
 */
#define ALL_VALUES ((size_t)-1)

static size_t
seg_args(const struct seg *s, const struct args *a, size_t only, size_t *first)
{
	long i;

	*first = 0;
	if (s->argn == 0 && only != ALL_VALUES) {
		/* A copy of a context word: its one value. */
		*first = only;
		return only < a->n ? 1 : 0;
	}
	if (s->argn == 0)
		return a->n;
	i = s->argn > 0 ? s->argn - 1 : (long)a->n + s->argn;
	if (i < 0 || (size_t)i >= a->n)
		return 0;
	*first = (size_t)i;
	return 1;
}

/* RENDER_ARGV: words of an argument vector. */
enum render_mode { RENDER_SHELL, RENDER_TEXT, RENDER_ARGV };

/* What a rendering writes to, and with what. */
struct render {
	const struct template *t;
	const struct args *a;
	size_t seq, slot;
	const char *host; /* {host}, {sshlogin}: the login it runs on */
	const char *hgrp, *agrp; /* {hgrp}, {agrp}; NULL: empty */
	enum render_mode mode;
	struct buf *out; /* RENDER_ARGV: words->data */
	struct args *words; /* RENDER_ARGV: the words made */
	bool open; /* RENDER_ARGV: a word is being built */
	struct buf tmp; /* what a --plus operation made of a value */
};

static void
add_number(struct buf *out, size_t n)
{
	char num[32];
	int len = snprintf(num, sizeof num, "%zu", n);

	buf_add(out, num, (size_t)len);
}

/* {#}, {0#}, {%} or {##}. */
static void
add_counter(struct render *r, const struct seg *s)
{
	char num[32];
	int width;

	if (s->pad) {
		/* {0#}: as wide as the total; {0%}: as -j */
		width = snprintf(num, sizeof num, "%zu",
		    s->kind == SEG_SLOT ? r->t->jobs : r->t->total);
		width = snprintf(num, sizeof num, "%0*zu", width,
		    s->kind == SEG_SLOT ? r->slot : r->seq);
		buf_add(r->out, num, (size_t)width);
	} else if (s->kind == SEG_SLOT) {
		add_number(r->out, r->slot);
	} else if (s->kind == SEG_TOTAL) {
		add_number(r->out, r->t->total);
	} else {
		add_number(r->out, r->seq);
	}
}

/*
 * {host}: the host of a login "[user@]host[:port]" ("[v6]:port" or a
 * bare IPv6 address), as GNU parallel's; ":" (this machine) for ":".
 */
static const char *
login_host(const char *login, size_t *len)
{
	const char *at = strrchr(login, '@'), *h = at ? at + 1 : login;
	const char *colon = strchr(h, ':');

	*len = strlen(h);
	if (strcmp(login, ":") == 0)
		return login;
	if (*h == '[' && strchr(h, ']')) {
		*len = (size_t)(strchr(h, ']') - h - 1);
		return h + 1;
	}
	if (colon && !strchr(colon + 1, ':'))
		*len = (size_t)(colon - h);
	return h;
}

static void add_value(
    struct render *r, const struct seg *s, const char *v, size_t len);

/* {host} or {sshlogin}: ":" for a job on this machine. */
static void
add_host(struct render *r, const struct seg *s)
{
	const char *login = r->host ? r->host : ":", *v = login;
	size_t len = strlen(login);

	if (s->kind == SEG_HOST)
		v = login_host(login, &len);
	add_value(r, s, v, len);
}

/* Start the word being built, unless it is started already. */
static void
word_open(struct render *r)
{
	if (r->mode == RENDER_ARGV && !r->open)
		args_open(r->words);
	r->open = true;
}

/* Blanks between words: a word break in an argument vector. */
static void
add_break(struct render *r, const char *blank, size_t len)
{
	if (r->mode != RENDER_ARGV)
		buf_add(r->out, blank, len);
	else if (r->open)
		args_close(r->words);
	r->open = false;
}

static void
add_value(struct render *r, const struct seg *s, const char *v, size_t len)
{
	word_open(r);
	if (r->mode == RENDER_SHELL && !s->code)
		shell_quote(r->out, v, len);
	else
		buf_add(r->out, v, len);
}

static void render_range(struct render *r, size_t from, size_t to, size_t only);

/* A context word (-X) from segment i: once per value, blank-separated. */
static void
render_context(struct render *r, size_t i)
{
	size_t j;

	for (j = 0; j == 0 || j < r->a->n; j++) {
		if (j)
			add_break(r, " ", 1);
		render_range(r, i, r->t->segs[i].ctx_end, j);
	}
}

/* Segments from..to-1; only: the one value {} stands for, or ALL_VALUES. */
static void
render_range(struct render *r, size_t from, size_t to, size_t only)
{
	const struct args *a = r->a;
	const char *v;
	size_t i, j, len, n, first;

	for (i = from; i < to; i++) {
		const struct seg *s = &r->t->segs[i];

		if (s->ctx && only == ALL_VALUES) {
			render_context(r, i);
			i = s->ctx_end - 1;
			continue;
		}
		switch (s->kind) {
		case SEG_LIT:
			word_open(r);
			buf_add(r->out, s->text, s->len);
			break;
		case SEG_BLANK:
			add_break(r, s->text, s->len);
			break;
		case SEG_ARG:
			n = seg_args(s, a, only, &first);
			for (j = first; j < first + n; j++) {
				if (j > first)
					add_break(r, " ", 1);
				v = apply_form(s, args_value(a, j), a->len[j],
				    &r->tmp, &len);
				add_value(r, s, v, len);
			}
			break;
		case SEG_SEQ:
		case SEG_SLOT:
		case SEG_TOTAL:
			word_open(r);
			add_counter(r, s);
			break;
		case SEG_HOST:
		case SEG_LOGIN:
			add_host(r, s);
			break;
		case SEG_HGRP:
		case SEG_AGRP:
			v = s->kind == SEG_HGRP ? r->hgrp : r->agrp;
			add_value(r, s, v ? v : "", v ? strlen(v) : 0);
			break;
		case SEG_RAW:
			if (r->mode == RENDER_ARGV)
				BUG("raw segment in a direct command");
			for (j = 0; j < a->n; j++) {
				if (j)
					buf_addch(r->out, ' ');
				buf_add(r->out, args_value(a, j), a->len[j]);
			}
			break;
		}
	}
}

static void
render(const struct template *t, const struct args *a,
    const struct template_job *job, struct buf *out, enum render_mode mode)
{
	struct render r = {t, a, job->seq, job->slot, job->host, job->hgrp,
	    job->agrp, mode, out, NULL, false, BUF_INIT};

	render_range(&r, 0, t->n, ALL_VALUES);
	buf_release(&r.tmp);
}

void
template_render_shell(const struct template *t, const struct args *a,
    const struct template_job *job, struct buf *out)
{
	struct args words = ARGS_INIT;
	size_t i;

	if (!t->quote_words) {
		render(t, a, job, out, RENDER_SHELL);
		return;
	}
	/* -q: each argument quoted whole, as GNU parallel shows it. */
	template_render_argv(t, a, job, &words);
	for (i = 0; i < words.n; i++) {
		if (i)
			buf_addch(out, ' ');
		shell_quote(out, args_value(&words, i), words.len[i]);
	}
	args_release(&words);
}

void
template_render_text(const struct template *t, const struct args *a,
    const struct template_job *job, struct buf *out)
{
	render(t, a, job, out, RENDER_TEXT);
}

void
template_render_argv(const struct template *t, const struct args *a,
    const struct template_job *job, struct args *out)
{
	struct render r = {t, a, job->seq, job->slot, job->host, job->hgrp,
	    job->agrp, RENDER_ARGV, &out->data, out, false, BUF_INIT};

	if (t->shell)
		BUG("template_render_argv on a shell command");
	args_reset(out);
	render_range(&r, 0, t->n, ALL_VALUES);
	add_break(&r, "", 0);
	buf_release(&r.tmp);
}

/* {#} and {%} in a command's length: as long as a number can be. */
#define NUMBER_LEN 20

/* The length of v once shell-quoted: at most, as shell_quote() writes it. */
static size_t
quoted_len(const char *v, size_t len)
{
	struct buf b = BUF_INIT;
	size_t n;

	shell_quote(&b, v, len);
	n = b.len;
	buf_release(&b);
	return n;
}

/* The length of a form of v, quoted. */
static size_t
form_len(const struct seg *s, const char *v, size_t len)
{
	struct buf tmp = BUF_INIT;
	size_t flen, n;

	v = apply_form(s, v, len, &tmp, &flen);
	n = quoted_len(v, flen);
	buf_release(&tmp);
	return n;
}

/* {host} and {sshlogin} in a command's length: as long as a login can be. */
#define LOGIN_LEN 255

/* The length of a segment that is not a value's: 0 for those. */
static size_t
seg_len(const struct seg *s)
{
	switch (s->kind) {
	case SEG_LIT:
	case SEG_BLANK:
		return s->len;
	case SEG_SEQ:
	case SEG_SLOT:
	case SEG_TOTAL:
		return NUMBER_LEN;
	case SEG_HOST:
	case SEG_LOGIN:
	case SEG_HGRP:
	case SEG_AGRP:
		return LOGIN_LEN;
	default:
		return 0;
	}
}

size_t
template_fixed_len(const struct template *t)
{
	size_t i, total = 0;

	for (i = 0; i < t->n; i++) {
		const struct seg *s = &t->segs[i];

		if (s->ctx)
			i = s->ctx_end - 1; /* only there with a value */
		else
			total += seg_len(s);
	}
	return total;
}

/* A context word's copy for value v (its positional values left out). */
static size_t
context_len(const struct template *t, size_t from, const char *v, size_t len)
{
	size_t i, total = 0;

	for (i = from; i < t->segs[from].ctx_end; i++) {
		const struct seg *s = &t->segs[i];

		if (s->kind == SEG_ARG && s->argn == 0)
			total += form_len(s, v, len);
		else
			total += seg_len(s);
	}
	return total;
}

size_t
template_value_len(
    const struct template *t, const char *v, size_t len, size_t i)
{
	size_t k, total = 0, sep = i > 0;

	for (k = 0; k < t->n; k++) {
		const struct seg *s = &t->segs[k];

		if (s->ctx) {
			total += sep + context_len(t, k, v, len);
			k = s->ctx_end - 1;
		} else if (s->kind == SEG_ARG && s->argn == 0) {
			total += sep + form_len(s, v, len);
		} else if (s->kind == SEG_ARG && s->argn == (long)i + 1) {
			total += form_len(s, v, len);
		} else if (s->kind == SEG_RAW) {
			total += sep + len;
		}
	}
	return total;
}

bool
template_has_perl(const char *text)
{
	const char *open = strstr(text, "{=");

	return open && strstr(open + 2, "=}");
}

bool
template_needs_total(const struct template *t)
{
	size_t i;

	for (i = 0; t && i < t->n; i++)
		if (t->segs[i].kind == SEG_TOTAL || t->segs[i].pad)
			return true;
	return false;
}

void
template_set_total(struct template *t, size_t total)
{
	if (t)
		t->total = total;
}

void
template_set_jobs(struct template *t, size_t jobs)
{
	if (t)
		t->jobs = jobs;
}

const char *
template_error(const struct template *t)
{
	return t->error;
}

/* Whether v[i] and v[k] compare as Perl's cmp: <0, 0, >0. */
static int
compare(const struct args *a, size_t i, size_t k)
{
	size_t n = a->len[i] < a->len[k] ? a->len[i] : a->len[k];
	int c = memcmp(args_value(a, i), args_value(a, k), n);

	if (c)
		return c;
	return a->len[i] < a->len[k] ? -1 : a->len[i] > a->len[k];
}

bool
template_skips(const struct template *t, const struct args *a)
{
	size_t i, k;

	if (!t || !t->filter)
		return false;
	for (i = 1; i < a->n; i++) {
		if ((t->filter & TEMPLATE_CHOOSE_K) &&
		    compare(a, i - 1, i) >= 0)
			return true;
		for (k = 0; (t->filter & TEMPLATE_UNIQ) && k < i; k++)
			if (compare(a, k, i) == 0)
				return true;
	}
	return false;
}
