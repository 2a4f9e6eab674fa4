/*
 * --compress: the programs that compress spool files and read them back,
 * run as shell commands with a descriptor as their stdin and another as
 * their stdout, as GNU parallel runs them.
 */
#ifndef COMPRESS_H
#define COMPRESS_H

#include <sys/types.h>

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
 * short), every signal at its default. Its pid, or -1 with errno.
 */
pid_t compress_start(const char *cmd, int in, int out);
/*
 * Wait for what compress_start() started: 0 when it exited 0, else -1
 * after saying that cmd failed and that a job's output is lost (nothing
 * said when cmd is NULL).
 */
int compress_wait(pid_t pid, const char *cmd);

#endif
