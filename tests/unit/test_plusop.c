/*
 * Unit tests for src/plusop.c's {#re} and {%re}: the shortest prefix or
 * suffix re matches, cut (and {%%re}, the longest suffix, which asks
 * first whether there is any). plusop.c looks for it by halves; here it is
 * found as it used to be, one length at a time, and the two must agree
 * on every value and pattern, the awkward ones included.
 */
#include <locale.h>
#include <regex.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "plusop.h"
#include "xalloc.h"
#include "unit.h"

/*
 * The old cut_shortest(): each length from 0 up, re matched against that
 * prefix (suffix) taken alone, as "^(re)$". The length left in *out, the
 * start of what is left returned; NULL when "^(re)$" does not compile.
 */
static const char *
cut_each(bool prefix, const char *re, const char *v, size_t len, size_t *out)
{
	char *pat = xasprintf("^(%s)$", re);
	regmatch_t m;
	regex_t rx;
	size_t i;
	int rc;

	rc = regcomp(&rx, pat, REG_EXTENDED);
	free(pat);
	if (rc != 0)
		return NULL;
	*out = len;
	for (i = 0; i <= len; i++) {
		m.rm_so = 0;
		m.rm_eo = (regoff_t)i;
		if (regexec(&rx, prefix ? v : v + len - i, 1, &m, REG_STARTEND))
			continue;
		*out = len - i;
		break;
	}
	regfree(&rx);
	return prefix && *out != len ? v + (len - *out) : v;
}

/*
 * {%%re} as it was before it asked first whether any suffix matches:
 * "(re)$" looked for in all of v, from its leftmost start.
 */
static const char *
cut_longest(const char *re, const char *v, size_t len, size_t *out)
{
	char *pat = xasprintf("(%s)$", re);
	regmatch_t m = {0, (regoff_t)len};
	regex_t rx;
	int rc;

	rc = regcomp(&rx, pat, REG_EXTENDED);
	free(pat);
	if (rc != 0)
		return NULL;
	*out = len;
	if (regexec(&rx, v, 1, &m, REG_STARTEND) == 0 && (size_t)m.rm_eo == len)
		*out = (size_t)m.rm_so;
	regfree(&rx);
	return v;
}

static int mismatches;

/* {#re} (prefix), {%re} or {%%re} (longest) on v: as cut_each() has it. */
static void
check_one(bool prefix, bool longest, const char *re, const char *v, size_t len)
{
	char *text = xasprintf("%s%s}",
		 prefix	       ? "#"
		     : longest ? "%%"
			       : "%",
		 re),
	     *err;
	struct buf tmp = BUF_INIT;
	struct plusop *op;
	const char *got, *want;
	size_t glen, wlen, n;

	n = plusop_parse(text, &op, &err);
	free(text);
	free(err);
	if (!n || !op)
		return; /* not an operation, or a bad pattern */
	want = longest ? cut_longest(re, v, len, &wlen)
		       : cut_each(prefix, re, v, len, &wlen);
	if (want) {
		got = plusop_apply(op, v, len, &tmp, &glen);
		if (!CHECK(got == want && glen == wlen) && ++mismatches < 20) {
			fprintf(stderr, "  {%s%s} on ",
			    prefix	  ? "#"
				: longest ? "%%"
					  : "%",
			    re);
			unit_show(v, len);
			fprintf(stderr, ": got %zu bytes from %td, want %zu\n",
			    glen, got - v, wlen);
		}
	}
	plusop_free(op);
	buf_release(&tmp);
}

/* {#re} (prefix) or {%re} on v, and {%%re} with {%re}. */
static void
check_cut(bool prefix, const char *re, const char *v, size_t len)
{
	check_one(prefix, false, re, v, len);
	if (!prefix)
		check_one(false, true, re, v, len);
}

/* Hand-picked: empty values and matches, anchors, brackets, high bytes. */
static void
test_edges(void)
{
	static const char *const res[] = {"a", "a*", "a*b", "a.*b", ".", ".*",
	    "()", "x?", "a|b", "a|ab|abc", "(a|b)*c", "[ab]+", "[^a]", "[^.]*",
	    "[]a]", "[^]a]*", "[[:digit:]]+", "\\.txt", "\\.[^.]*", "/.*",
	    ".*/", "^a", "a$", "^", "$", "^$", "a|^b", "b|a$", "\\ba", "a\\b",
	    "\\<a", "a\\>", "\\Ba", "(a)\\1", "(a*)\\1b", "\\`a", "a\\'",
	    "\\w+", "\\s", "\xc3\xa9", "\xc3", ".\xa9", "[\x80-\xff]+", "a\\$",
	    "[$^]", "x{", "(|a)+", "\n", "a\nb"};
	static const char *const vs[] = {"", "a", "b", "ab", "ba", "aab",
	    "abab", "xaxb", "a.txt", "a.b.txt", "/x/y.txt", "x/", "aa bb",
	    "a a", "\xc3\xa9", "a\xc3\xa9", "\xc3\xa9\xc3\xa9", "\x80\xff",
	    "a\nb", "\n", "12a3", "$^", "a$"};
	char *v;
	size_t i, j, len;

	for (i = 0; i < sizeof res / sizeof res[0]; i++)
		for (j = 0; j < sizeof vs / sizeof vs[0]; j++) {
			check_cut(true, res[i], vs[j], strlen(vs[j]));
			check_cut(false, res[i], vs[j], strlen(vs[j]));
			/* Text around: a shorter match must not hide. */
			v = xasprintf("a b.%s.b a", vs[j]);
			len = strlen(v);
			check_cut(true, res[i], v, len);
			check_cut(false, res[i], v, len);
			free(v);
		}
	/* Anchors and \b at the end of a prefix alone, not inside v. */
	check_cut(true, "ab.$", "abcd", 4);
	check_cut(true, "ab.\\b", "abcd", 4);
	check_cut(false, "^.ba", "xxxyba", 6);
	check_cut(false, "\\<.ba", "xxxyba", 6);
	/* In a multibyte locale, a match may start or end inside a
	 * character of v: alone, those bytes are characters of their own. */
	check_cut(false, "\xa9xy", "\xc3\xa9xy", 4);
	check_cut(true, "xy\xc3", "xy\xc3\xa9", 4);
	/* A NUL in the value: '.' does not match it. */
	check_cut(false, ".*b", "a\0b", 3);
	check_cut(false, "a.*", "a\0b", 3);
	check_cut(true, "a.*b", "a\0b", 3);
	check_cut(true, "[^b]*", "a\0b", 3);
	check_cut(false, "abc", "x\0\0abc", 6);
}

static uint64_t rng = 0x9e3779b97f4a7c15u;

static unsigned
rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

/* Random patterns from pieces, on random values from a small alphabet. */
static void
test_random(int rounds)
{
	static const char *const pieces[] = {"a", "b", "x", ".", "a*", "b+",
	    "x?", ".*", "[ab]", "[^a]", "[^ab]*", "(a|b)", "(ab)*", "(a|xb)+",
	    "|", "()", "\\.", "\\1", "^", "$", "\\b", "\\<", "\\>", "\\B",
	    "[[:alpha:]]", "\xc3", "\xa9", "[\x80-\xff]", "(a|)", "(.a)*",
	    "\\w", "\n", "[.]", "^a", "^.", "a$", ".$", "\\<a", "a\\>", "\\bb"};
	static const char alpha[] = "aabbx.\n \xc3\xa9\xff\0";
	char re[64], v[301];
	size_t len, k, n, np = sizeof pieces / sizeof pieces[0];
	int r;

	for (r = 0; r < rounds; r++) {
		re[0] = '\0';
		n = 1 + rnd(4);
		for (k = 0; k < n; k++)
			strcat(re, pieces[rnd((unsigned)np)]);
		/* Mostly short values, where matches are many; a few long. */
		len = rnd(8) ? rnd(12) : rnd(sizeof v - 1);
		for (k = 0; k < len; k++)
			v[k] = alpha[rnd(sizeof alpha - 1)];
		v[len] = '\0'; /* ASan's regexec() reads to a NUL */
		check_cut(r & 1, re, v, len);
	}
}

/* Long values, where the search by halves goes deep. */
static void
test_long(void)
{
	static const char *const res[] = {
	    "a*b", "a.*b", "x*", "a+", ".", "[^x]*", "b|xa", "(ax)+"};
	char v[3001] = "";
	size_t i, j, len = sizeof v - 1;

	memset(v, 'a', len);
	for (i = 0; i < sizeof res / sizeof res[0]; i++) {
		check_cut(true, res[i], v, len);
		check_cut(false, res[i], v, len);
	}
	memset(v, 'x', len);
	v[0] = 'a';
	v[len - 1] = 'b';
	v[1000] = 'b';
	v[2000] = 'a';
	for (i = 0; i < sizeof res / sizeof res[0]; i++)
		for (j = 1; j <= len; j += 499) {
			check_cut(true, res[i], v, j);
			check_cut(false, res[i], v + len - j, j);
		}
}

int
main(void)
{
	test_edges();
	test_long();
	test_random(20000);
	/* fanout sets no locale; in a multibyte one the results hold too. */
	if (setlocale(LC_ALL, "C.UTF-8")) {
		test_edges();
		test_random(2000);
		setlocale(LC_ALL, "C");
	}
	return unit_done();
}
