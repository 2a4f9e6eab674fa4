/*
 * The values of fanout's options: each parser reads an option's text into
 * a setting and returns 0, or returns -1 with why it refused the value;
 * the caller reports that (optval_fail() exits with 255).
 */
#ifndef OPTVAL_H
#define OPTVAL_H

#include "options.h"

/*
 * Why a value was refused: one line, without "fanout: " (a control
 * character of the value shows as '?'). errnum: a system error's, or 0
 * for a usage error.
 */
struct optval_err {
	char msg[512];
	int errnum;
};

/*
 * "fanout: MSG (see 'fanout --help')" for a usage error, "fanout: MSG:
 * strerror" for a system error; exit 255.
 */
void optval_fail(const struct optval_err *e) __attribute__((noreturn));
/* A usage error: "fanout: MSG (see 'fanout --help')", exit 255. */
void optval_error(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));

/* A whole number from min to INT_MAX; opt names the option in errors. */
int optval_count(const char *opt, const char *s, unsigned long min,
    unsigned long *v, struct optval_err *e);
/* -j N, N%, +N, -N, or a file that holds one of these. */
int optval_jobs(struct options *o, const char *s, struct optval_err *e);
/* -d C: one byte, or \n, \t, \r, \0, \\, \xHH. */
int optval_delimiter(const char *s, int *c, struct optval_err *e);
int optval_halt(struct halt *h, const char *s, struct optval_err *e);
int optval_termseq(struct termseq *t, const char *s, struct optval_err *e);
/* TERM,200,TERM,100,TERM,50,KILL,25 */
void optval_termseq_default(struct termseq *t);
/* --delay SECS, or SECSauto: longer after a failure, shorter after a success */
int optval_delay(struct options *o, const char *arg, struct optval_err *e);
/* --timeout SECS or N% (of the median runtime). */
int optval_timeout(
    struct task_settings *t, const char *arg, struct optval_err *e);
/* --load N, N%, +N, -N (as -j, of the CPUs) or a decimal; 0 is 0.01. */
int optval_load(const char *arg, double *v, struct optval_err *e);
/* --memfree SIZE in bytes. */
int optval_memfree(const char *arg, long long *v, struct optval_err *e);
/*
 * --block SIZE in bytes, GNU parallel's prefixes (1k = 1000, 1K = 1024);
 * -N (--pipe-part: N blocks a slot) as a negative number.
 */
int optval_block_size(const char *arg, long long *v, struct optval_err *e);
/* --nice N: from -20 to 19. */
int optval_nice(const char *arg, int *n, struct optval_err *e);
/* --ssh-timeout SECS: a duration above 0, at most a day. */
int optval_ssh_timeout(const char *arg, double *t, struct optval_err *e);
/* --block-timeout SECS: a duration above 0, at most a year. */
int optval_block_timeout(const char *arg, double *t, struct optval_err *e);

#endif
