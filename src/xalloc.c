#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

void (*fatal_hook)(void);

static void
vreport(const char *prefix, const char *fmt, va_list ap, int errnum)
{
	char msg[1024];

	vsnprintf(msg, sizeof msg, fmt, ap);
	if (errnum)
		fprintf(stderr, "fanout: %s%s: %s\n", prefix, msg,
		    strerror(errnum));
	else
		fprintf(stderr, "fanout: %s%s\n", prefix, msg);
}

/* The thread main() runs on: the only one that may end the run. */
static pthread_t main_thread;

static void __attribute__((constructor)) note_main_thread(void)
{
	main_thread = pthread_self();
}

static void __attribute__((noreturn)) die(void)
{
	void (*hook)(void) = fatal_hook;

	/*
	 * Other threads (a remote host's) report errors as events: stopping
	 * jobs and exiting from one would race the main loop.
	 */
	if (!pthread_equal(pthread_self(), main_thread))
		BUG("fatal() called off the main thread");

	fatal_hook = NULL;
	if (hook)
		hook();
	exit(FANOUT_STATUS_ERROR);
}

void
fatal(const char *fmt, ...)
{
	int errnum = errno;
	va_list ap;

	va_start(ap, fmt);
	vreport("", fmt, ap, errnum);
	va_end(ap);
	die();
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("", fmt, ap, 0);
	va_end(ap);
	die();
}

int
error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("", fmt, ap, 0);
	va_end(ap);
	return -1;
}

void
warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("warning: ", fmt, ap, 0);
	va_end(ap);
}

void
bug_at(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "fanout: BUG: %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

static void *
check(void *p)
{
	if (p == NULL)
		fatalx("out of memory");
	return p;
}

void *
xmalloc(size_t n)
{
	return check(malloc(n ? n : 1));
}

void *
xcalloc(size_t n, size_t size)
{
	return check(calloc(n ? n : 1, size ? size : 1));
}

void *
xrealloc(void *p, size_t n)
{
	return check(realloc(p, n ? n : 1));
}

void *
xreallocarray(void *p, size_t n, size_t size)
{
	if (size && n > (size_t)-1 / size)
		fatalx("out of memory");
	return xrealloc(p, n * size);
}

char *
xstrdup(const char *s)
{
	return check(strdup(s));
}

char *
xstrndup(const char *s, size_t n)
{
	return check(strndup(s, n));
}

char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (r < 0)
		fatalx("out of memory");
	return s;
}
