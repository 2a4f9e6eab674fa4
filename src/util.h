/* Small helpers shared by several modules. */
#ifndef UTIL_H
#define UTIL_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Monotonic clock in nanoseconds. */
int64_t util_now(void);
/* Wall clock in seconds, with fractions. */
double util_wallclock(void);

/*
 * Number of jobs for a -j spec ("N", "N%", "+N", "-N", "0") given the
 * CPU count: at least 1, 0 for "as many as possible", -1 when malformed,
 * -2 when it leaves no job (-j -5 on 2 CPUs), -3 when it asks for more
 * than UTIL_JOBS_MAX.
 */
#define UTIL_JOBS_MAX 1000000
long util_jobs_from_spec(const char *spec, long ncpu);
long util_ncpu(void);

/* "TERM", "SIGTERM" or "15" to 15; -1 when unknown. */
int util_signal_number(const char *name);

/*
 * Write all of buf to fd, retrying short writes and EINTR unless
 * *stop becomes true. Returns 0, or -1 with errno set.
 */
int util_write_all(
    int fd, const void *buf, size_t len, volatile const int *stop);

/*
 * A plain decimal number ("12", "1.5", ".5": no sign, hex, exponent, inf)
 * at the start of s, *end after it; -1 when s does not start with one.
 * Too many digits for a double give HUGE_VAL.
 */
double util_strtod_plain(const char *s, char **end);
/*
 * Where $PATH (else /bin:/usr/bin, as execvp) finds an executable file
 * called name: a malloc'd path, or NULL with errno ENOENT (none there) or
 * EACCES (one there, not executable).
 */
char *util_path_search(const char *name);
/*
 * "1G", "500M", "64k", "1000" to bytes; -1 when malformed, -2 when
 * beyond 9e18.
 */
long long util_parse_size(const char *);
/* MemAvailable of /proc/meminfo in bytes, or -1. */
long long util_mem_available(void);

/*
 * The processes running or runnable now (the 4th field of /proc/loadavg,
 * less the one reading it), as GNU parallel's --load counts; -1 when
 * unknown.
 */
long util_running_procs(void);

/* Whether fd is open on /dev/null, where what is written goes nowhere. */
bool util_is_devnull(int fd);

/*
 * The longest command exec takes here: one argument of /bin/sh -c holds
 * at most 128 KiB, and all of them with the environment at most ARG_MAX.
 */
size_t util_command_max(void);
/*
 * The default of -s: half of that, less 3000 bytes for wrapping (remote
 * hosts), as GNU parallel reckons it.
 */
size_t util_command_usable(void);
/*
 * Open an input file for reading, "-" being standard input: its
 * descriptor, with *name how messages name it ("standard input", or the
 * path quoted; malloc'd) and *owned whether the caller closes it. A file
 * that cannot be opened is fatal.
 */
int util_open_input(const char *path, char **name, bool *owned);

/* Set or clear O_NONBLOCK. */
int util_set_nonblock(int fd, bool on);

/*
 * The whole of file path, NUL-terminated, its length in *lenp: NULL with
 * errno when it cannot be read or holds more than max bytes (EFBIG).
 */
char *util_read_file(const char *path, size_t max, size_t *lenp);

/* Whether p[0..len) is white space only (blanks, \t\n\v\f\r), as Perl's \s. */
bool util_blank(const char *p, size_t len);

/*
 * regcomp() of an extended regular expression, but first refused when its
 * repetitions would expand past what glibc compiles in bounded time and
 * memory ("y.++++..." doubles per "+": 20 of them took 1 GB and 4 s),
 * or when a ')' closes no '(' (the pattern would change inside "(...)").
 * 0, or a regcomp() error code with msg (size n) saying why.
 */
int util_regcomp(regex_t *re, const char *pat, int cflags, char *msg, size_t n);

/*
 * What an extended regular expression asks of the text around a match,
 * outside bracket expressions: '^' or \` (REGEX_AT_START), '$' or \'
 * (REGEX_AT_END), \b \B \< \> (REGEX_WORD). Without any, in a
 * single-byte locale, a pattern matches a piece of text alone as it
 * matches that piece inside longer text.
 */
#define REGEX_AT_START 0x1u
#define REGEX_AT_END 0x2u
#define REGEX_WORD 0x4u
unsigned util_regex_asserts(const char *pat);

#endif
