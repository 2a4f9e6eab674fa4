/* A growable byte buffer (git's strbuf, reduced). Always NUL-terminated. */
#ifndef BUF_H
#define BUF_H

#include <stddef.h>

struct buf {
	char *data;
	size_t len;
	size_t cap;
};

#define BUF_INIT                                                               \
	{                                                                      \
		NULL, 0, 0                                                     \
	}

void buf_init(struct buf *);
void buf_release(struct buf *);
void buf_grow(struct buf *, size_t extra);
void buf_add(struct buf *, const void *, size_t);
void buf_addstr(struct buf *, const char *);
void buf_addch(struct buf *, int);
void buf_reset(struct buf *);
/* Drop the first n bytes. */
void buf_consume(struct buf *, size_t n);
/* Hand the data to the caller (who frees it) and leave the buffer empty. */
char *buf_detach(struct buf *, size_t *len);

#endif
