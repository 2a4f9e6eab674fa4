/*
 * A minimal unit-test harness for the pure modules: CHECK() and
 * CHECK_STR() count passes and failures and say where a check failed;
 * unit_done() prints the "N passed, N failed" line tests/run reads and
 * returns the exit status for main().
 */
#ifndef UNIT_H
#define UNIT_H

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int unit_passed, unit_failed;

/* Print s with unprintable bytes escaped, so failures show \r, \t, NUL. */
static inline void
unit_show(const char *s, size_t len)
{
	size_t i;

	if (!s) {
		fputs("(null)", stderr);
		return;
	}
	fputc('"', stderr);
	for (i = 0; i < len && i < 200; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\n')
			fputs("\\n", stderr);
		else if (c == '\t')
			fputs("\\t", stderr);
		else if (c == '\r')
			fputs("\\r", stderr);
		else if (c == '"' || c == '\\')
			fprintf(stderr, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(stderr, "\\x%02x", c);
		else
			fputc(c, stderr);
	}
	if (len > 200)
		fprintf(stderr, "...(%zu bytes)", len);
	fputc('"', stderr);
}

static inline int
unit_check(int ok, const char *file, int line, const char *expr)
{
	if (ok) {
		unit_passed++;
		return 1;
	}
	unit_failed++;
	fprintf(stderr, "FAIL %s:%d: %s\n", file, line, expr);
	return 0;
}

static inline int
unit_check_mem(const char *got, size_t glen, const char *want, size_t wlen,
    const char *file, int line, const char *expr)
{
	int ok = got && want ? glen == wlen && memcmp(got, want, glen) == 0
			     : got == want;

	if (ok) {
		unit_passed++;
		return 1;
	}
	unit_failed++;
	fprintf(stderr, "FAIL %s:%d: %s\n  got:  ", file, line, expr);
	unit_show(got, glen);
	fputs("\n  want: ", stderr);
	unit_show(want, wlen);
	fputc('\n', stderr);
	return 0;
}

static inline int
unit_check_str(const char *got, const char *want, const char *file, int line,
    const char *expr)
{
	return unit_check_mem(got, got ? strlen(got) : 0, want,
	    want ? strlen(want) : 0, file, line, expr);
}

static inline int
unit_check_long(
    long got, long want, const char *file, int line, const char *expr)
{
	if (got == want) {
		unit_passed++;
		return 1;
	}
	unit_failed++;
	fprintf(stderr, "FAIL %s:%d: %s\n  got:  %ld\n  want: %ld\n", file,
	    line, expr, got, want);
	return 0;
}

#define CHECK(cond) unit_check(!!(cond), __FILE__, __LINE__, #cond)
#define CHECK_STR(got, want)                                                   \
	unit_check_str((got), (want), __FILE__, __LINE__, #got " == " #want)
/* Byte strings that may hold NUL. */
#define CHECK_MEM(got, glen, want, wlen)                                       \
	unit_check_mem((got), (glen), (want), (wlen), __FILE__, __LINE__,      \
	    #got " == " #want)
#define CHECK_INT(got, want)                                                   \
	unit_check_long(                                                       \
	    (long)(got), (long)(want), __FILE__, __LINE__, #got " == " #want)

/* Print the summary tests/run reads; the exit status for main(). */
static inline int
unit_done(void)
{
	fflush(stderr);
	printf("%d passed, %d failed\n", unit_passed, unit_failed);
	fflush(stdout);
	return unit_failed ? 1 : 0;
}

/* The whole file at path, NUL-terminated ("" when it cannot be read);
 * the caller frees it. */
static inline char *
unit_slurp(const char *path)
{
	size_t len = 0, cap = 4096;
	char *text = malloc(cap);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (!text)
		abort();
	while (fd >= 0 && (n = read(fd, text + len, cap - len - 1)) > 0) {
		len += (size_t)n;
		if (cap - len < 2 && !(text = realloc(text, cap *= 2)))
			abort();
	}
	if (fd >= 0)
		close(fd);
	text[len] = '\0';
	return text;
}

#endif
