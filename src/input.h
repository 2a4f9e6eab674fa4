/*
 * Item sources: stdin lines, ::: lists, :::: and -a files, NUL or other
 * delimiters, every combination of several groups, linked groups, columns
 * and -N. Reading is demand-driven: input_next() hands out one job's
 * arguments at a time, and only the first group is ever streamed, so
 * memory does not grow with the length of the input.
 */
#ifndef INPUT_H
#define INPUT_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

struct options;
struct pipe_block;

/* One job's arguments. Each value is NUL-terminated and has a length. */
struct args {
	struct buf data;
	size_t *off;
	size_t *len;
	size_t n;
	size_t cap;
	size_t open; /* start of the value being built */
	struct pipe_block *block; /* --pipe: the job's input; owned */
};

#define ARGS_INIT                                                              \
	{                                                                      \
		BUF_INIT, NULL, NULL, 0, 0, 0, NULL                            \
	}

void args_init(struct args *);
/* Release and reset free a.block too; args_copy() does not copy it. */
void args_release(struct args *);
void args_reset(struct args *);
void args_add(struct args *, const char *, size_t);
void args_copy(struct args *dst, const struct args *src);
/* Build a value in place: args_open(), buf_add() to a->data, args_close(). */
void args_open(struct args *);
void args_close(struct args *);

static inline const char *
args_value(const struct args *a, size_t i)
{
	return a->data.data + a->off[i];
}

struct input;

/*
 * Open every source the options name. Groups after the first are read
 * whole now. Errors (a missing file, a bad --colsep) are fatal.
 */
struct input *input_open(const struct options *);
void input_free(struct input *);
/*
 * --header: the column names the first item of each group gave, in
 * argument order ({name} is {i + 1} for names[i]); n is 0 without it.
 */
const char *const *input_names(const struct input *, size_t *n);

#define INPUT_ITEM 1
#define INPUT_END 0
#define INPUT_WAIT -1 /* poll input_fd() for reading, then input_fill() */
#define INPUT_ERROR -2 /* already reported */

/*
 * Items by length (-m, -X, --xargs, -s): a job takes items while its
 * command stays shorter than max_chars, the command being fixed bytes
 * plus value_len() of each value (i: its index among the job's values).
 * One item that does not fit alone is an input error. With spread > 1
 * (-m, -X), when the input ends within a job's items they are spread
 * evenly over that many jobs, for the job slots (GNU parallel).
 */
struct input_pack {
	size_t max_chars;
	size_t fixed;
	size_t (*value_len)(
	    const void *data, const char *v, size_t len, size_t i);
	const void *data;
	size_t spread;
};

/* Pack several items into a job; before the first input_next(). */
void input_set_pack(struct input *, const struct input_pack *);

/* Put the next job's arguments in *out (reset first). */
int input_next(struct input *, struct args *out);
int input_fd(const struct input *);
/* Read once from the streamed source. 0, or -1 after reporting why. */
int input_fill(struct input *);
/* --pipe --block-timeout: when to call input_next() though no input
 * came (util_now()); INT64_MAX: never. */
int64_t input_deadline(const struct input *);

#endif
