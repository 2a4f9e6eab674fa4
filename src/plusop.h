/*
 * --plus: GNU parallel's replacement strings modelled on bash's parameter
 * expansion, {:-text} {:N} {:N:M} {#re} {##re} {%re} {%%re} {/re/text}
 * {//re/text} {/#re/text} {/%re/text} {^re} {^^re} {,re} {,,re}. GNU
 * reads re as a Perl regular expression; fanout as a POSIX extended one.
 */
#ifndef PLUSOP_H
#define PLUSOP_H

#include <stddef.h>

#include "buf.h"

struct plusop;

/*
 * The operation at p, the text after "{" and any argument number: the
 * length of the text it takes, its closing '}' included, or 0 when there
 * is none there. With a length, *op is the operation, or NULL and *err a
 * malloc'd message when its regular expression is bad.
 */
size_t plusop_parse(const char *p, struct plusop **op, char **err);

/*
 * The operation on value v (len bytes): a slice of v, or of tmp (reset
 * first) when the result is new text.
 */
const char *plusop_apply(const struct plusop *, const char *v, size_t len,
    struct buf *tmp, size_t *outlen);

void plusop_free(struct plusop *);

#endif
