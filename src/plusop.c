#include <ctype.h>
#include <regex.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "plusop.h"
#include "util.h"
#include "xalloc.h"

enum op_kind {
	OP_DEFAULT, /* {:-text}: text when the value is "" or "0" */
	OP_FROM, /* {:N}: from byte N on */
	OP_SUBSTR, /* {:N:M}: M bytes from byte N */
	OP_CUT_PREFIX, /* {#re}: the shortest prefix re matches removed */
	OP_CUT_PREFIX_LONG, /* {##re}: the longest */
	OP_CUT_SUFFIX, /* {%re}: the shortest suffix */
	OP_CUT_SUFFIX_LONG, /* {%%re}: the longest */
	OP_SUB, /* {/re/text}: the first match replaced */
	OP_SUB_ALL, /* {//re/text}: every match */
	OP_SUB_PREFIX, /* {/#re/text}: a match at the start */
	OP_SUB_SUFFIX, /* {/%re/text}: a match at the end */
	OP_UPPER, /* {^re}: a match at the start in capitals */
	OP_UPPER_ALL, /* {^^re}: every match */
	OP_LOWER, /* {,re} */
	OP_LOWER_ALL /* {,,re} */
};

struct plusop {
	enum op_kind kind;
	regex_t re; /* anchored as the kind needs */
	bool has_re;
	regex_t probe; /* {#re}, {%re}, {%%re}: see compile_probe() */
	bool has_probe;
	char *text; /* OP_DEFAULT, OP_SUB*: the text put in */
	size_t n, m; /* OP_FROM, OP_SUBSTR */
};

/*
 * The forms, GNU parallel's longest first as it tries them: the text
 * after "{" starts with prefix, then the regular expression (or text),
 * then (for the substitutions) '/' and the text put in, then '}'.
 */
static const struct form {
	const char *prefix;
	enum op_kind kind;
	/* '^': anchored at the start, '$': at the end, '(': in parentheses */
	const char *anchor;
	bool slash; /* "/text" follows */
} forms[] = {
    {"/", OP_SUB, "", true},
    {"/#", OP_SUB_PREFIX, "^(", true},
    {"/%", OP_SUB_SUFFIX, "($", true},
    {"//", OP_SUB_ALL, "", true},
    {"##", OP_CUT_PREFIX_LONG, "^(", false},
    {"#", OP_CUT_PREFIX, "^($", false},
    {":-", OP_DEFAULT, NULL, false},
    {"%%", OP_CUT_SUFFIX_LONG, "($", false},
    {"^^", OP_UPPER_ALL, "", false},
    {",,", OP_LOWER_ALL, "", false},
    {"%", OP_CUT_SUFFIX, "^($", false},
    {"^", OP_UPPER, "^(", false},
    {",", OP_LOWER, "^(", false},
};

/* Digits at p as a number (at most SIZE_MAX): their count, 0 for none. */
static size_t
digits(const char *p, size_t *n)
{
	size_t i;

	*n = 0;
	for (i = 0; p[i] >= '0' && p[i] <= '9'; i++)
		*n = *n > (SIZE_MAX - 9) / 10 ? SIZE_MAX
					      : *n * 10 + (size_t)(p[i] - '0');
	return i;
}

/* {:N} and {:N:M}, at p (after "{"): the length, or 0. */
static size_t
parse_substr(const char *p, struct plusop *op)
{
	size_t i, k;

	if (p[0] != ':' || !(i = digits(p + 1, &op->n)))
		return 0;
	i++;
	op->kind = OP_FROM;
	if (p[i] == ':' && (k = digits(p + i + 1, &op->m)) != 0) {
		op->kind = OP_SUBSTR;
		i += 1 + k;
	}
	return p[i] == '}' ? i + 1 : 0;
}

/*
 * The form f at p: the length of its regular expression (from p +
 * strlen(prefix)) in *relen, of the text after '/' in *textlen; the
 * whole length, or 0 when it does not fit.
 */
static size_t
fit_form(const struct form *f, const char *p, size_t *relen, size_t *textlen)
{
	size_t plen = strlen(f->prefix), i;
	const char *re = p + plen, *end;

	*textlen = 0;
	if (strncmp(p, f->prefix, plen) != 0 || !*re || *re == '}')
		return 0;
	/* {/re/text}: re holds no '#', '%' or '/'; {#re}: starts not '#' */
	if (f->kind == OP_SUB && strchr("#%/", *re))
		return 0;
	if ((f->kind == OP_CUT_PREFIX || f->kind == OP_CUT_PREFIX_LONG) &&
	    *re == '#')
		return 0;
	for (i = 1; re[i] && re[i] != '}' && !(f->slash && re[i] == '/'); i++)
		if (f->kind == OP_SUB && strchr("#%", re[i]))
			return 0;
	if (!re[i] || (f->slash && re[i] != '/'))
		return 0;
	*relen = i;
	if (!f->slash)
		return plen + i + 1;
	if (!(end = strchr(re + i + 1, '}')))
		return 0;
	*textlen = (size_t)(end - (re + i + 1));
	return (size_t)(end - p) + 1;
}

/*
 * {#re} and {%re}: a second pattern that, on v's first (last) i bytes,
 * says whether re matches any prefix (suffix) of them. That grows with
 * i, so shortest() can look for the shortest by halves. None when re
 * asks about the text around it: a '$' in {#re} matches at the end of a
 * prefix taken alone, not at the same place inside v. The ".*" is no
 * group, so that re's \1 is the same group as in "^(re)$".
 */
static void
compile_probe(struct plusop *op, const char *bare)
{
	unsigned asserts = util_regex_asserts(bare);
	char msg[160], *pat;

	if (op->kind == OP_CUT_PREFIX &&
	    !(asserts & (REGEX_AT_END | REGEX_WORD)))
		pat = xasprintf("^(%s)", bare);
	else if ((op->kind == OP_CUT_SUFFIX ||
		     op->kind == OP_CUT_SUFFIX_LONG) &&
	    !(asserts & (REGEX_AT_START | REGEX_WORD)))
		pat = xasprintf("^.*(%s)$", bare);
	else
		return;
	/* REG_NOSUB: regexec() stops at the first match it finds. */
	op->has_probe = util_regcomp(&op->probe, pat, REG_EXTENDED | REG_NOSUB,
			    msg, sizeof msg) == 0;
	free(pat);
}

/* Compile re (len bytes) anchored as f says: 0, or -1 with *err. */
static int
compile(struct plusop *op, const struct form *f, const char *re, size_t len,
    char **err)
{
	struct buf pat = BUF_INIT;
	char *bare = xstrndup(re, len), msg[160];
	int rc;

	/* Alone first: "a)(b" must not pass once inside "^(...)". */
	rc = util_regcomp(&op->re, bare, REG_EXTENDED, msg, sizeof msg);
	if (rc == 0) {
		regfree(&op->re);
		/* "^(" or "(" before it, ")" and maybe "$" after */
		if (f->anchor[0] == '^')
			buf_addch(&pat, '^');
		if (f->anchor[0])
			buf_addch(&pat, '(');
		buf_addstr(&pat, bare);
		if (f->anchor[0])
			buf_addch(&pat, ')');
		if (strchr(f->anchor, '$'))
			buf_addch(&pat, '$');
		rc = util_regcomp(
		    &op->re, pat.data, REG_EXTENDED, msg, sizeof msg);
		buf_release(&pat);
	}
	if (rc != 0) {
		*err = xasprintf("bad regular expression '%s': %s", bare, msg);
		free(bare);
		return -1;
	}
	op->has_re = true;
	compile_probe(op, bare);
	free(bare);
	return 0;
}

size_t
plusop_parse(const char *p, struct plusop **opp, char **err)
{
	struct plusop *op = xcalloc(1, sizeof *op);
	const struct form *f = NULL;
	size_t i, n = 0, relen = 0, textlen = 0;

	*opp = NULL;
	*err = NULL;
	for (i = 0; i < sizeof forms / sizeof forms[0] && !n; i++)
		if ((n = fit_form(&forms[i], p, &relen, &textlen)) != 0)
			f = &forms[i];
	if (!n && (n = parse_substr(p, op)) != 0) {
		*opp = op;
		return n;
	}
	if (!n) {
		free(op);
		return 0;
	}
	op->kind = f->kind;
	p += strlen(f->prefix);
	if (f->kind == OP_DEFAULT) {
		op->text = xstrndup(p, relen);
	} else if (compile(op, f, p, relen, err) < 0) {
		free(op);
		return n;
	} else if (f->slash) {
		op->text = xstrndup(p + relen + 1, textlen);
	}
	*opp = op;
	return n;
}

void
plusop_free(struct plusop *op)
{
	if (!op)
		return;
	if (op->has_re)
		regfree(&op->re);
	if (op->has_probe)
		regfree(&op->probe);
	free(op->text);
	free(op);
}

/*
 * Whether re matches v[from..to) (v + from is its start, v + to its
 * end); the match in *m, from v.
 */
static bool
match(const struct plusop *op, const char *v, size_t from, size_t to,
    regmatch_t *m)
{
	int flags = REG_STARTEND | (from ? REG_NOTBOL : 0);

	m->rm_so = (regoff_t)from;
	m->rm_eo = (regoff_t)to;
	return regexec(&op->re, v, 1, m, flags) == 0;
}

/* Whether the anchored re matches all of v[from..to). */
static bool
match_whole(const struct plusop *op, const char *v, size_t from, size_t to)
{
	regmatch_t m;

	/* From v + from: its '^' matches there. */
	return match(op, v + from, 0, to - from, &m);
}

/* Whether re matches all of v's first ({#re}) or last ({%re}) i bytes. */
static bool
match_end(const struct plusop *op, const char *v, size_t len, size_t i)
{
	if (op->kind == OP_CUT_PREFIX)
		return match_whole(op, v, 0, i);
	return match_whole(op, v, len - i, len);
}

/* Whether re matches some prefix (suffix) of v's first (last) i bytes. */
static bool
probe(const struct plusop *op, const char *v, size_t len, size_t i)
{
	regmatch_t m = {0, (regoff_t)i};

	if (op->kind == OP_CUT_SUFFIX)
		v += len - i;
	return regexec(&op->probe, v, 1, &m, REG_STARTEND) == 0;
}

/* The shortest prefix (suffix) length re matches, one length at a time. */
static size_t
shortest_each(const struct plusop *op, const char *v, size_t len)
{
	size_t i;

	for (i = 0; i <= len; i++)
		if (match_end(op, v, len, i))
			return i;
	return SIZE_MAX;
}

/*
 * The shortest prefix (suffix) length re matches, or SIZE_MAX. Each
 * match_end() costs up to i steps, so trying every length is quadratic
 * when the shortest is long or there is none ({%a*b} on "aaa...").
 * probe() grows with i: double i until it says yes, then halve the
 * range, O(len log len). Not with a NUL in v (the probe's '.' matches
 * none) nor in a multibyte locale (a match alone may start or end inside
 * one of v's characters): there, each length is tried.
 */
static size_t
shortest(const struct plusop *op, const char *v, size_t len)
{
	size_t lo = 0, hi = 0, mid;

	if (!op->has_probe || MB_CUR_MAX > 1 || memchr(v, '\0', len))
		return shortest_each(op, v, len);
	while (!probe(op, v, len, hi)) {
		if (hi == len)
			return SIZE_MAX;
		lo = hi + 1;
		hi = hi == 0 ? 1 : hi > len / 2 ? len : hi * 2;
	}
	/* Shorter than lo: no match; hi: one. */
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (probe(op, v, len, mid))
			hi = mid;
		else
			lo = mid + 1;
	}
	/* Cannot fail, unless glibc disagrees with itself. */
	return match_end(op, v, len, hi) ? hi : shortest_each(op, v, len);
}

/* {#re} and {%re}: the shortest prefix or suffix re matches, cut. */
static const char *
cut_shortest(const struct plusop *op, const char *v, size_t len, size_t *out)
{
	size_t i = shortest(op, v, len);

	if (i == SIZE_MAX) {
		*out = len;
		return v;
	}
	*out = len - i;
	return op->kind == OP_CUT_PREFIX ? v + i : v;
}

/* Append v's bytes, in capitals or small letters as op says. */
static void
add_cased(const struct plusop *op, struct buf *tmp, const char *v, size_t len)
{
	bool upper = op->kind == OP_UPPER || op->kind == OP_UPPER_ALL;
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)v[i];

		/* ASCII letters only, as Perl's uc() and lc() on bytes. */
		if (c < 0x80)
			c = (unsigned char)(upper ? toupper(c) : tolower(c));
		buf_addch(tmp, c);
	}
}

/* The substitutions and case changes: into tmp. */
static void
replace(const struct plusop *op, const char *v, size_t len, struct buf *tmp)
{
	bool all = op->kind == OP_SUB_ALL || op->kind == OP_UPPER_ALL ||
	    op->kind == OP_LOWER_ALL;
	bool sub = op->text != NULL;
	size_t pos = 0, so, eo;
	regmatch_t m;

	while (pos <= len && match(op, v, pos, len, &m)) {
		so = (size_t)m.rm_so;
		eo = (size_t)m.rm_eo;
		buf_add(tmp, v + pos, so - pos);
		if (sub)
			buf_addstr(tmp, op->text);
		else
			add_cased(op, tmp, v + so, eo - so);
		pos = eo;
		if (!all)
			break;
		if (so == eo) {
			/* An empty match: the next byte stays, as in Perl. */
			if (pos < len)
				buf_addch(tmp, v[pos]);
			pos++;
		}
	}
	if (pos < len)
		buf_add(tmp, v + pos, len - pos);
}

const char *
plusop_apply(const struct plusop *op, const char *v, size_t len,
    struct buf *tmp, size_t *out)
{
	regmatch_t m;

	buf_reset(tmp);
	*out = len;
	switch (op->kind) {
	case OP_DEFAULT:
		/* GNU's Perl: "0" is false as well. */
		if (len == 0 || (len == 1 && *v == '0')) {
			*out = strlen(op->text);
			return op->text;
		}
		return v;
	case OP_FROM:
	case OP_SUBSTR:
		if (op->n >= len) {
			*out = 0;
			return v;
		}
		*out = len - op->n;
		if (op->kind == OP_SUBSTR && op->m < *out)
			*out = op->m;
		return v + op->n;
	case OP_CUT_PREFIX:
	case OP_CUT_SUFFIX:
		return cut_shortest(op, v, len, out);
	case OP_CUT_PREFIX_LONG:
	case OP_CUT_SUFFIX_LONG:
		/*
		 * {%%re}: glibc looks for "(re)$" from every start, each
		 * look running to the end: first ask in one pass whether
		 * any suffix matches ({%%a*b} on "aaa..." took 0.8 s).
		 */
		if (op->has_probe && MB_CUR_MAX == 1 && !memchr(v, '\0', len) &&
		    !probe(op, v, len, len))
			return v;
		/* Anchored: a match elsewhere would be a bug; cut nothing. */
		if (!match(op, v, 0, len, &m) ||
		    (op->kind == OP_CUT_PREFIX_LONG ? m.rm_so != 0
						    : (size_t)m.rm_eo != len))
			return v;
		*out = len - (size_t)(m.rm_eo - m.rm_so);
		return op->kind == OP_CUT_PREFIX_LONG ? v + m.rm_eo : v;
	default:
		replace(op, v, len, tmp);
		*out = tmp->len;
		return tmp->data ? tmp->data : "";
	}
}
