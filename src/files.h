/*
 * --files: a sink that keeps each job's standard output in a file of its
 * own in $TMPDIR (parXXXXXX.par, as GNU parallel names them) and prints
 * the file's name in the job's turn; stderr goes to inner as it would.
 */
#ifndef FILES_H
#define FILES_H

struct sink;

/* Takes inner (the raw sink) over: files_sink's free frees it. */
struct sink *files_sink_new(struct sink *inner);

#endif
