/*
 * --bar, --progress, --eta: drawn on stderr when it is a terminal, at
 * most ten times a second and within its width; otherwise a one-line
 * summary at the end.
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
/* --progress: each of ex's places (hosts) shows its jobs running and
 * done (ex is read at each draw: hosts may join). */
struct executor;
void progress_places(struct progress *, const struct executor *ex);
/* The total is known (input read ahead); 0 while unknown. */
void progress_set_total(struct progress *, size_t total);
void progress_update(
    struct progress *, int64_t now, size_t running, size_t done, size_t failed);
/*
 * n bytes (p, or NULL when not at hand) are about to go to the terminal:
 * erase the line. It is drawn again at the next update, once the output
 * ends a line (a partial line is never drawn over).
 */
void progress_clear(struct progress *, const char *p, size_t n);
/* Final state: draw the line for the last time, or print the summary. */
void progress_finish(struct progress *, int64_t now);
void progress_free(struct progress *);

#endif
