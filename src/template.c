#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "input.h"
#include "template.h"
#include "xalloc.h"

enum seg_kind {
	SEG_LIT, /* text of the command */
	SEG_BLANK, /* blanks between words (direct commands only) */
	SEG_ARG, /* {} {.} {1} ... */
	SEG_SEQ, /* {#} */
	SEG_SLOT, /* {%} */
	SEG_RAW /* the arguments as shell text (lines as commands) */
};

enum form {
	FORM_WHOLE,
	FORM_NOEXT, /* {.} */
	FORM_BASE, /* {/} */
	FORM_DIR, /* {//} */
	FORM_BASE_NOEXT /* {/.} */
};

struct seg {
	enum seg_kind kind;
	enum form form;
	long argn; /* 0: every argument; -1: the last one */
	bool code; /* in the command's first word: shell text, not data */
	const char *text; /* SEG_LIT, SEG_BLANK */
	size_t len;
};

struct template
{
	struct seg *segs;
	size_t n, cap;
	bool shell;
	bool quote_words; /* -q: shell text is the quoted argv words */
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
 * argument it stands for. Else 0.
 */
static size_t
match_name(const char *q, const struct template_opts *o, long *argn)
{
	size_t i, len;

	for (len = 0; is_name_char(q[len], len == 0); len++)
		;
	if (len == 0)
		return 0;
	for (i = 0; i < o->nnames; i++)
		if (strncmp(o->names[i], q, len) == 0 &&
		    o->names[i][len] == '\0') {
			*argn = (long)i + 1;
			return len;
		}
	return 0;
}

/* Length of the replacement string at p, or 0; fills *s. */
static size_t
match_repl(const char *p, const struct template_opts *o, struct seg *s)
{
	static const struct {
		const char *suffix;
		enum form form;
	} forms[] = {
	    {"}", FORM_WHOLE},
	    {".}", FORM_NOEXT},
	    {"/}", FORM_BASE},
	    {"//}", FORM_DIR},
	    {"/.}", FORM_BASE_NOEXT},
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
	if (strncmp(p, "{#}", 3) == 0) {
		s->kind = SEG_SEQ;
		return 3;
	}
	if (strncmp(p, "{%}", 3) == 0) {
		s->kind = SEG_SLOT;
		return 3;
	}
	q = p + 1;
	if ((n = match_name(q, o, &argn)) != 0) {
		q += n; /* {name} is {n}, with -I as well */
		replace = NULL;
	} else if (*q == '-' && q[1] >= '1' && q[1] <= '9') {
		neg = true; /* {-n}: the n-th argument from the end */
		q++;
	}
	while (n == 0 && *q >= '0' && *q <= '9' && argn < 100000)
		argn = argn * 10 + (*q++ - '0');
	if (q > p + 1 && (argn == 0 || replace))
		return 0; /* with -I, {n} is text as well */
	if (neg)
		argn = -argn;
	for (i = 0; i < sizeof forms / sizeof forms[0]; i++) {
		n = strlen(forms[i].suffix);
		if (strncmp(q, forms[i].suffix, n) != 0)
			continue;
		/* With -I, "{}" itself is no longer special. */
		if (replace && q == p + 1 && forms[i].form == FORM_WHOLE)
			return 0;
		s->form = forms[i].form;
		s->argn = argn;
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
		if ((n = match_repl(p, o, &s)) == 0) {
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
		if (!t->shell)
			split_words(t);
	}
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
	if (!t)
		return;
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

/* The part of value v that a form selects, as a slice of v (or static). */
static const char *
apply_form(enum form form, const char *v, size_t len, size_t *outlen)
{
	const char *slash, *dot, *end;
	size_t i;

	switch (form) {
	case FORM_WHOLE:
		break;
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

/*
 * The arguments a {...} stands for, as a count and the first index: all of
 * them for {}, one for {n} or {-n}, none when that one is missing (then it
 * renders as nothing, not as '').
 */
static size_t
seg_args(const struct seg *s, const struct args *a, size_t *first)
{
	long i;

	*first = 0;
	if (s->argn == 0)
		return a->n;
	i = s->argn > 0 ? s->argn - 1 : (long)a->n + s->argn;
	if (i < 0 || (size_t)i >= a->n)
		return 0;
	*first = (size_t)i;
	return 1;
}

/* RENDER_SHELL_CODE: a value that is shell text (in the first word). */
enum render_mode { RENDER_SHELL, RENDER_SHELL_CODE, RENDER_TEXT };

static void
add_number(struct buf *out, size_t n)
{
	char num[32];
	int len = snprintf(num, sizeof num, "%zu", n);

	buf_add(out, num, (size_t)len);
}

static void
add_value(struct buf *out, enum render_mode mode, const char *v, size_t len)
{
	if (mode == RENDER_SHELL_CODE)
		buf_add(out, v, len);
	else if (mode == RENDER_SHELL)
		shell_quote(out, v, len);
	else
		buf_add(out, v, len);
}

static void
render(const struct template *t, const struct args *a, size_t seq, size_t slot,
    struct buf *out, enum render_mode mode)
{
	const char *v;
	size_t i, j, len, n, first;

	for (i = 0; i < t->n; i++) {
		const struct seg *s = &t->segs[i];

		switch (s->kind) {
		case SEG_LIT:
			buf_add(out, s->text, s->len);
			break;
		case SEG_BLANK:
			buf_add(out, s->text, s->len);
			break;
		case SEG_ARG:
			n = seg_args(s, a, &first);
			for (j = first; j < first + n; j++) {
				if (j > first)
					buf_addch(out, ' ');
				v = apply_form(
				    s->form, args_value(a, j), a->len[j], &len);
				add_value(out,
				    s->code && mode == RENDER_SHELL
					? RENDER_SHELL_CODE
					: mode,
				    v, len);
			}
			break;
		case SEG_SEQ:
			add_number(out, seq);
			break;
		case SEG_SLOT:
			add_number(out, slot);
			break;
		case SEG_RAW:
			for (j = 0; j < a->n; j++) {
				if (j)
					buf_addch(out, ' ');
				buf_add(out, args_value(a, j), a->len[j]);
			}
			break;
		}
	}
}

void
template_render_shell(const struct template *t, const struct args *a,
    size_t seq, size_t slot, struct buf *out)
{
	struct args words = ARGS_INIT;
	size_t i;

	if (!t->quote_words) {
		render(t, a, seq, slot, out, RENDER_SHELL);
		return;
	}
	/* -q: each argument quoted whole, as GNU parallel shows it. */
	template_render_argv(t, a, seq, slot, &words);
	for (i = 0; i < words.n; i++) {
		if (i)
			buf_addch(out, ' ');
		shell_quote(out, args_value(&words, i), words.len[i]);
	}
	args_release(&words);
}

void
template_render_text(const struct template *t, const struct args *a, size_t seq,
    size_t slot, struct buf *out)
{
	render(t, a, seq, slot, out, RENDER_TEXT);
}

/* Start the word being built, unless it is started already. */
static void
word_open(struct args *out, bool *open)
{
	if (!*open)
		args_open(out);
	*open = true;
}

static void
word_end(struct args *out, bool *open)
{
	if (*open)
		args_close(out);
	*open = false;
}

void
template_render_argv(const struct template *t, const struct args *a, size_t seq,
    size_t slot, struct args *out)
{
	struct buf *d = &out->data;
	const char *v;
	size_t i, j, len, n, first;
	bool open = false;

	if (t->shell)
		BUG("template_render_argv on a shell command");
	args_reset(out);
	for (i = 0; i < t->n; i++) {
		const struct seg *s = &t->segs[i];

		switch (s->kind) {
		case SEG_LIT:
			word_open(out, &open);
			buf_add(d, s->text, s->len);
			break;
		case SEG_BLANK:
			word_end(out, &open);
			break;
		case SEG_ARG:
			n = seg_args(s, a, &first);
			for (j = first; j < first + n; j++) {
				if (j > first)
					word_end(out, &open);
				v = apply_form(
				    s->form, args_value(a, j), a->len[j], &len);
				word_open(out, &open);
				buf_add(d, v, len);
			}
			break;
		case SEG_SEQ:
			word_open(out, &open);
			add_number(d, seq);
			break;
		case SEG_SLOT:
			word_open(out, &open);
			add_number(d, slot);
			break;
		case SEG_RAW:
			BUG("raw segment in a direct command");
		}
	}
	word_end(out, &open);
}
