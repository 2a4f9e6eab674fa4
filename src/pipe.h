/*
 * --pipe and --pipe-part: input cut into blocks of whole records, each
 * block the standard input of one job (or, with --cat and --fifo, a file
 * named by {}).
 *
 * A record ends with --recend and the next starts with --recstart (fixed
 * strings with \n-style escapes, or, with --regexp, POSIX extended regular
 * expressions): a block may end only where the two meet. As in GNU
 * parallel, a --pipe block is the records that fit whole in --block
 * bytes (a record longer than that makes blocks grow, by 1.3 times plus
 * one, for the rest of the input), or -N records; a --pipe-part block
 * goes on to the first record end at or after --block bytes, and its
 * bytes go from the file to the job without passing through fanout. A
 * --header is given to every job before its block.
 *
 * As GNU parallel: with -L N (and no -N) a record is N lines, whatever
 * --recend says, and at the end of the input what follows the last whole
 * record is a block of its own; -r drops the lines of white space only
 * before the input is cut; --rrs removes record ends and starts from
 * each block; --block-timeout hands the whole records read so far to a
 * job when a block took longer than that to fill.
 */
#ifndef PIPE_H
#define PIPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct exec_cmd;
struct options;

/* Where records end and start. */
struct pipe_split;

/*
 * The split of recstart and recend as GNU parallel reads them (either may
 * be NULL: not given). NULL after saying why (a bad regular expression).
 */
struct pipe_split *pipe_split_new(
    const char *recstart, const char *recend, bool regexp);
void pipe_split_free(struct pipe_split *);
/* -L N: a record is N lines (pipe_cut() without nrec). */
void pipe_split_lines(struct pipe_split *, size_t lines);

/*
 * --rrs: from p[0..len), remove every record end meeting a record start,
 * a record start at the beginning and a record end at the end (or before
 * a final newline), as GNU parallel does. The new length.
 */
size_t pipe_remove_seps(const struct pipe_split *, char *p, size_t len);

/*
 * -r: remove from p[*from..len) each whole line ('\n' ended) of white
 * space only, moving the rest down. *from becomes where the line not yet
 * ended starts (a line starts at p). The new length.
 */
size_t pipe_drop_blank(char *p, size_t len, size_t *from);

/*
 * Where the first block of p[0..len) ends: the records that fit whole in
 * limit bytes, or, with nrec, the first nrec records; at eof (no more
 * bytes will come) everything. 0: more bytes are needed first, or, when
 * len >= limit, no record ends within limit (the block must grow). first:
 * p is the start of the input (with nrec and --regexp, what comes before
 * the first record start is a block of its own, as in GNU parallel).
 */
size_t pipe_cut(const struct pipe_split *, const char *p, size_t len,
    size_t limit, size_t nrec, bool eof, bool first);

/*
 * --pipe-part: the first place after a record end found at from or later
 * in p[0..len); SIZE_MAX: none there.
 */
size_t pipe_split_after(
    const struct pipe_split *, const char *p, size_t len, size_t from);

/* The input of one job. */
struct pipe_block;

/* Its size, header included (the joblog's Send). */
uint64_t pipe_block_bytes(const struct pipe_block *);
/* Put its input in cmd. */
void pipe_block_cmd(const struct pipe_block *, struct exec_cmd *cmd);
/* --round-robin: its records, without the header, for a job's stdin. */
void pipe_block_more(const struct pipe_block *, const void **p, size_t *n);
/* Free it, and remove its --cat file or --fifo FIFO; NULL is ignored. */
void pipe_block_free(struct pipe_block *);

/* Blocks of standard input (or the -a file), or of the --pipe-part file. */
struct pipe_reader;

/* Errors (a file that cannot be read, a bad --recend) are fatal. */
struct pipe_reader *pipe_reader_new(const struct options *);
/* Free it; its blocks must be freed first. */
void pipe_reader_free(struct pipe_reader *);

/*
 * The next block in *out (with --cat or --fifo, *name is its file's
 * name, else NULL): INPUT_ITEM, INPUT_END, INPUT_WAIT (poll
 * pipe_reader_fd(), then pipe_reader_fill()) or INPUT_ERROR (said why;
 * the input is over).
 */
int pipe_reader_next(
    struct pipe_reader *, struct pipe_block **out, const char **name);
int pipe_reader_fd(const struct pipe_reader *);
/*
 * --block-timeout: when (util_now()) pipe_reader_next() should be called
 * again though no input came; INT64_MAX: no such time.
 */
int64_t pipe_reader_deadline(const struct pipe_reader *);
/* Read what the descriptor has now. 0, or -1 after saying why. */
int pipe_reader_fill(struct pipe_reader *);

#endif
