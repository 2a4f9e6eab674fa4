/* Allocation that cannot fail, and the error reporting every module uses. */
#ifndef XALLOC_H
#define XALLOC_H

#include <stddef.h>

#define FANOUT_STATUS_ERROR 255

void *xmalloc(size_t);
void *xcalloc(size_t, size_t);
void *xrealloc(void *, size_t);
void *xreallocarray(void *, size_t, size_t);
char *xstrdup(const char *);
char *xstrndup(const char *, size_t);
char *xasprintf(const char *, ...) __attribute__((format(printf, 1, 2)));

/*
 * Print "fanout: MSG: strerror(errno)" and exit 255. Only the main thread
 * may (another is a BUG): so may the x*() allocators, which call it.
 */
void fatal(const char *, ...) __attribute__((format(printf, 1, 2), noreturn));
/* Print "fanout: MSG" and exit 255. */
void fatalx(const char *, ...) __attribute__((format(printf, 1, 2), noreturn));
/* Print "fanout: MSG" and return -1, for "return error(...)". */
int error(const char *, ...) __attribute__((format(printf, 1, 2)));
/* Print "fanout: warning: MSG". */
void warnx(const char *, ...) __attribute__((format(printf, 1, 2)));

/*
 * Called by fatal() before exiting, so that running jobs are stopped and
 * spool files closed; set by the scheduler once it owns jobs.
 */
extern void (*fatal_hook)(void);

#define BUG(...) bug_at(__FILE__, __LINE__, __VA_ARGS__)
void bug_at(const char *, int, const char *, ...)
    __attribute__((format(printf, 3, 4), noreturn));

#endif
