/*
 * The values of fanout's options: each parser reads an option's text into
 * a setting, or reports a usage error as one line and exits with 255.
 */
#ifndef OPTVAL_H
#define OPTVAL_H

#include "options.h"

/*
 * Where a value's error goes instead, then exit 255: a workflow file
 * names the place of the value. NULL: the command line's.
 */
extern void (*optval_report)(const char *msg);

/* A usage error: "fanout: MSG (see 'fanout --help')", exit 255. */
void optval_error(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));

/* A whole number from min to INT_MAX; opt names the option in errors. */
unsigned long optval_count(const char *opt, const char *s, unsigned long min);

/* -j N, N%, +N, -N, or a file that holds one of these. */
void optval_jobs(struct options *o, const char *s);
/* -d C: one byte, or \n, \t, \r, \0, \\, \xHH. */
int optval_delimiter(const char *s);
void optval_halt(struct halt *h, const char *s);
void optval_termseq(struct termseq *t, const char *s);
/* TERM,200,TERM,100,TERM,50,KILL,25 */
void optval_termseq_default(struct termseq *t);
/* --delay SECS, or SECSauto: longer after a failure, shorter after a success */
void optval_delay(struct options *o, const char *arg);
/* --timeout SECS or N% (of the median runtime). */
void optval_timeout(struct task_settings *t, const char *arg);
/* --load N, N%, +N, -N (as -j, of the CPUs) or a decimal; 0 is 0.01. */
double optval_load(const char *arg);
/* --memfree SIZE in bytes. */
long long optval_memfree(const char *arg);
/*
 * --block SIZE in bytes, GNU parallel's prefixes (1k = 1000, 1K = 1024);
 * -N (--pipe-part: N blocks a slot) as a negative number.
 */
long long optval_block_size(const char *arg);

#endif
