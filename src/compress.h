/*
 * --compress: the programs that compress spool files and read them back,
 * run as shell commands with a descriptor as their stdin and another as
 * their stdout, as GNU parallel runs them.
 */
#ifndef COMPRESS_H
#define COMPRESS_H

#include <signal.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * A compressor or decompressor that takes or gives nothing for this long
 * is stopped and the output it had is lost (README: --compress).
 */
#define COMPRESS_STALL_NS (30 * 1000000000LL)

/*
 * The commands to use (malloc'd, the caller frees them): zip and unzip
 * as given, else for a zip of "PRG ARGS" an unzip of "PRG ARGS -dc", else
 * "P -c -1" and "P -dc" for the first P of GNU parallel's list found in
 * PATH. Both NULL when there is nothing to compress with.
 */
void compress_choose(
    const char *zip, const char *unzip, char **zipc, char **unzipc);
/*
 * Run /bin/sh -c cmd with in as its stdin and out as its stdout, in a
 * process group of its own (a ^C for fanout does not cut a spool file
 * short), every signal at its default, no other descriptor of fanout's.
 * Its pid, or -1 with errno.
 */
pid_t compress_start(const char *cmd, int in, int out);

#define COMPRESS_STOP 1
#define COMPRESS_STALLED 2
/*
 * fd is not ready for events: wait a short while (0.1 s) for it. 0 to
 * try again, COMPRESS_STOP when *stop is set (fanout is stopping), or
 * COMPRESS_STALLED when COMPRESS_STALL_NS passed since since.
 */
int compress_pause(
    int fd, short events, int64_t since, volatile sig_atomic_t *stop);
/* Stop what compress_start() started: SIGTERM, a second, then SIGKILL. */
void compress_kill(pid_t pid);
/*
 * Wait for what compress_start() started: 0 when it exited 0, else -1
 * after saying that cmd failed and that a job's output is lost (nothing
 * said when cmd is NULL). It is stopped (compress_kill()) when *stop is
 * set, silently, or when it ran COMPRESS_STALL_NS without the file out
 * (-1: none to watch) growing, said.
 */
int compress_wait(
    pid_t pid, const char *cmd, volatile sig_atomic_t *stop, int out);

#endif
