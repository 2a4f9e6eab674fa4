/*
 * The text of a YAML file as errors show it: lines (with libyaml's line
 * breaks: \r\n, \r, \n, U+0085, U+2028, U+2029), columns in
 * characters, the encoding checked, and ydoc_error()'s line and caret.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"
#include "yaml.h"
#include "ytext.h"

/* A quoted line wider than this (in characters) is cut around the caret. */
#define YLINE_WIDTH 160

/* The length of the line break at t[i], 0 when there is none. */
static size_t
break_len(const char *t, size_t len, size_t i)
{
	const unsigned char *s = (const unsigned char *)t + i;
	size_t left = len - i;

	if (left == 0)
		return 0;
	if (s[0] == '\r')
		return left > 1 && s[1] == '\n' ? 2 : 1;
	if (s[0] == '\n')
		return 1;
	if (left > 1 && s[0] == 0xc2 && s[1] == 0x85)
		return 2;
	if (left > 2 && s[0] == 0xe2 && s[1] == 0x80 &&
	    (s[2] == 0xa8 || s[2] == 0xa9))
		return 3;
	return 0;
}

/* The end of the line that starts at off (where its break starts). */
static size_t
line_end(const char *t, size_t len, size_t off)
{
	while (off < len && !break_len(t, len, off))
		off++;
	return off;
}

/* Where the line after the one at off starts (len when there is none). */
size_t
ytext_next_line(const char *t, size_t len, size_t off)
{
	off = line_end(t, len, off);
	return off + break_len(t, len, off);
}

/* Whether byte c starts a character (is not a UTF-8 continuation). */
bool
ytext_starts_char(unsigned char c)
{
	return (c & 0xc0) != 0x80;
}

/* The place of byte off. */
struct ymark
ytext_mark_of_offset(const struct ydoc *doc, size_t off)
{
	struct ymark m = {1, 1};
	size_t i = 0, b;

	while (i < off && i < doc->len) {
		if ((b = break_len(doc->text, doc->len, i)) != 0) {
			m.line++;
			m.col = 1;
			i += b;
			continue;
		}
		if (ytext_starts_char((unsigned char)doc->text[i]))
			m.col++;
		i++;
	}
	return m;
}

/* Print line [off, end) from character from on, at most YLINE_WIDTH. */
static void
print_line(
    const char *t, size_t off, size_t end, size_t from, size_t col, FILE *fp)
{
	size_t i, ch = 0, shown = 0, caret_at = 0;
	bool cut = false;

	if (from > 0)
		fputs("...", fp);
	for (i = off; i < end; i++) {
		if (ytext_starts_char((unsigned char)t[i])) {
			if (ch >= from && shown == YLINE_WIDTH) {
				cut = true;
				break;
			}
			if (ch++ >= from)
				shown++;
		}
		if (ch > from)
			fputc(t[i], fp);
	}
	if (cut)
		fputs("...", fp);
	fputc('\n', fp);

	/* The caret line: tabs where the line has tabs, so it lines up. */
	if (from > 0)
		fputs("   ", fp);
	for (i = off, ch = 0; i < end && ch + 1 < col; i++) {
		if (!ytext_starts_char((unsigned char)t[i]))
			continue;
		if (ch++ >= from)
			fputc(t[i] == '\t' ? '\t' : ' ', fp);
		caret_at = ch;
	}
	for (caret_at = caret_at > from ? caret_at : from; caret_at + 1 < col;
	     caret_at++)
		fputc(' ', fp); /* beyond the end of the line */
	fputs("^\n", fp);
}

int
ydoc_error(const struct ydoc *doc, struct ymark m, const char *fmt, ...)
{
	size_t off = 0, end, line, from = 0;
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s:%u:%u: %s\n", doc->name, m.line, m.col, msg);

	for (line = 1; line < m.line && off < doc->len; line++)
		off = ytext_next_line(doc->text, doc->len, off);
	if (line < m.line)
		off = doc->len; /* past the last line: an empty one */
	end = line_end(doc->text, doc->len, off);
	if (m.col > YLINE_WIDTH - YLINE_WIDTH / 4)
		from = m.col - 1 - YLINE_WIDTH / 2;
	print_line(doc->text, off, end, from, m.col, stderr);
	return -1;
}

/* Print "fanout: NAME: too large (...)", size -1 when unknown. */
void
ytext_too_large(const char *name, long long size)
{
	if (size < 0)
		error(
		    "%s: too large (more than %d bytes)", name, YAML_SIZE_MAX);
	else
		error("%s: too large (%lld bytes; at most %d)", name, size,
		    YAML_SIZE_MAX);
}

/*
 * The length of the UTF-8 character at s (left bytes there) that YAML
 * allows, with its code point in *cp; 0 when it is not valid UTF-8.
 */
static size_t
utf8_char(const unsigned char *s, size_t left, uint32_t *cp)
{
	size_t n, i;
	uint32_t c, min;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xe0) == 0xc0)
		n = 2, c = s[0] & 0x1f, min = 0x80;
	else if ((s[0] & 0xf0) == 0xe0)
		n = 3, c = s[0] & 0x0f, min = 0x800;
	else if ((s[0] & 0xf8) == 0xf0)
		n = 4, c = s[0] & 0x07, min = 0x10000;
	else
		return 0;
	if (left < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

/* Whether YAML (and libyaml's reader) allows character c in a file. */
static bool
printable(uint32_t c)
{
	return c == '\t' || c == '\n' || c == '\r' ||
	    (c >= 0x20 && c <= 0x7e) || c == 0x85 ||
	    (c >= 0xa0 && c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd) ||
	    c >= 0x10000;
}

/*
 * Check the whole text before libyaml reads it: its reader decodes
 * ahead, so its own complaint would depend on its buffer size.
 */
int
ytext_check_encoding(const struct ydoc *doc)
{
	const unsigned char *s = (const unsigned char *)doc->text;
	size_t i = 0, n;
	uint32_t c;

	while (i < doc->len) {
		n = utf8_char(s + i, doc->len - i, &c);
		if (n == 0)
			return ydoc_error(doc, ytext_mark_of_offset(doc, i),
			    "invalid UTF-8 (byte 0x%02x)", s[i]);
		if (!printable(c))
			return ydoc_error(doc, ytext_mark_of_offset(doc, i),
			    "control character U+%04X is not allowed",
			    (unsigned)c);
		i += n;
	}
	return 0;
}
