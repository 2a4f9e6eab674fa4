/*
 * --bar, --progress, --eta: drawn on stderr when it is a terminal, at
 * most ten times a second; otherwise a one-line summary at the end.
 * Never touches stdout.
 */
#ifndef PROGRESS_H
#define PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum progress_kind { PROGRESS_BAR = 1, PROGRESS_COUNTS = 2, PROGRESS_ETA = 4 };

struct progress;

struct progress *progress_new(int kinds, size_t slots);
/* The total is known (input read ahead); 0 while unknown. */
void progress_set_total(struct progress *, size_t total);
void progress_update(
    struct progress *, int64_t now, size_t running, size_t done, size_t failed);
/* Final state: erase the line or print the summary. */
void progress_finish(struct progress *, int64_t now);
void progress_free(struct progress *);

#endif
