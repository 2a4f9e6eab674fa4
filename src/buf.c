#include <string.h>
#include <stdlib.h>

#include "buf.h"
#include "xalloc.h"

void
buf_init(struct buf *b)
{
	b->data = NULL;
	b->len = b->cap = 0;
}

void
buf_release(struct buf *b)
{
	free(b->data);
	buf_init(b);
}

void
buf_grow(struct buf *b, size_t extra)
{
	size_t want;

	if (extra >= (size_t)-1 - b->len - 1)
		fatalx("out of memory");
	want = b->len + extra + 1;
	if (want <= b->cap)
		return;
	if (want < b->cap + b->cap / 2)
		want = b->cap + b->cap / 2;
	if (want < 64)
		want = 64;
	b->data = xrealloc(b->data, want);
	b->cap = want;
}

void
buf_add(struct buf *b, const void *p, size_t n)
{
	buf_grow(b, n);
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void
buf_addstr(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void
buf_addch(struct buf *b, int c)
{
	char ch = (char)c;

	buf_add(b, &ch, 1);
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

void
buf_consume(struct buf *b, size_t n)
{
	if (n >= b->len) {
		buf_reset(b);
		return;
	}
	memmove(b->data, b->data + n, b->len - n);
	b->len -= n;
	b->data[b->len] = '\0';
}

char *
buf_detach(struct buf *b, size_t *len)
{
	char *p;

	if (b->data == NULL)
		buf_add(b, "", 0);
	p = b->data;
	if (len)
		*len = b->len;
	buf_init(b);
	return p;
}
