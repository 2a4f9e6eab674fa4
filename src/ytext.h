/*
 * The text of a YAML file as errors show it (ytext.c): for yaml.c only.
 */
#ifndef YTEXT_H
#define YTEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "yaml.h"

/* The offset of the line after the one at off (or len). */
size_t ytext_next_line(const char *t, size_t len, size_t off);
/* Whether byte c starts a character (is not a UTF-8 continuation). */
bool ytext_starts_char(unsigned char c);
/* The place of byte off of the document's text. */
struct ymark ytext_mark_of_offset(const struct ydoc *, size_t off);
/* Print "fanout: NAME: too large (...)", size -1 when unknown. */
void ytext_too_large(const char *name, long long size);
/*
 * Check the whole text before libyaml reads it (valid UTF-8, characters
 * YAML allows): 0, or -1 after reporting the first fault.
 */
int ytext_check_encoding(const struct ydoc *);

#endif
