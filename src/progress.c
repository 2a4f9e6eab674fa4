#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "progress.h"
#include "util.h"
#include "xalloc.h"

#define REDRAW_NS (100 * 1000000LL)
#define BAR_WIDTH 30

struct progress {
	int kinds;
	bool tty;
	size_t slots;
	size_t total;
	size_t running, done, failed;
	int64_t started;
	int64_t drawn;
	bool visible;
};

struct progress *
progress_new(int kinds, size_t slots)
{
	struct progress *p = xcalloc(1, sizeof *p);

	p->kinds = kinds;
	p->slots = slots;
	p->tty = isatty(STDERR_FILENO);
	p->started = util_now();
	return p;
}

void
progress_set_total(struct progress *p, size_t total)
{
	p->total = total;
}

static void
format_eta(struct buf *b, double secs)
{
	char t[64];

	if (secs < 0)
		snprintf(t, sizeof t, "?");
	else if (secs < 60)
		snprintf(t, sizeof t, "%.0fs", secs);
	else if (secs < 3600)
		snprintf(
		    t, sizeof t, "%dm%02ds", (int)secs / 60, (int)secs % 60);
	else
		snprintf(t, sizeof t, "%dh%02dm", (int)secs / 3600,
		    ((int)secs % 3600) / 60);
	buf_addstr(b, t);
}

/* The line to show, without decoration. */
static void
format(struct progress *p, int64_t now, struct buf *b)
{
	double elapsed = (now - p->started) / 1e9;
	double eta = -1;
	char t[160];

	if (p->total && p->done)
		eta = elapsed / (double)p->done * (double)(p->total - p->done);
	if (p->kinds & PROGRESS_BAR) {
		size_t pct = p->total ? p->done * 100 / p->total : 0;
		size_t fill = p->total ? p->done * BAR_WIDTH / p->total : 0;

		snprintf(t, sizeof t, "%3zu%% ", pct);
		buf_addstr(b, t);
		buf_addch(b, '[');
		for (size_t i = 0; i < BAR_WIDTH; i++)
			buf_addch(b, i < fill ? '#' : ' ');
		buf_addstr(b, "] ");
	}
	if (p->total)
		snprintf(t, sizeof t, "%zu/%zu done", p->done, p->total);
	else
		snprintf(t, sizeof t, "%zu done", p->done);
	buf_addstr(b, t);
	if (p->kinds & PROGRESS_COUNTS) {
		snprintf(t, sizeof t, ", %zu running on %zu slots, %zu failed",
		    p->running, p->slots, p->failed);
		buf_addstr(b, t);
	}
	if (p->kinds & PROGRESS_ETA) {
		buf_addstr(b, ", ETA ");
		format_eta(b, eta);
		if (p->done) {
			snprintf(t, sizeof t, ", %.3fs per job",
			    elapsed / (double)p->done);
			buf_addstr(b, t);
		}
	}
}

static void
draw(struct progress *p, int64_t now)
{
	struct buf b = BUF_INIT;

	buf_addch(&b, '\r');
	format(p, now, &b);
	buf_addstr(&b, "\033[K");
	util_write_all(STDERR_FILENO, b.data, b.len, NULL);
	buf_release(&b);
	p->drawn = now;
	p->visible = true;
}

void
progress_update(
    struct progress *p, int64_t now, size_t running, size_t done, size_t failed)
{
	p->running = running;
	p->done = done;
	p->failed = failed;
	if (p->tty && now - p->drawn >= REDRAW_NS)
		draw(p, now);
}

void
progress_finish(struct progress *p, int64_t now)
{
	struct buf b = BUF_INIT;
	char t[64];

	if (p->tty) {
		draw(p, now);
		util_write_all(STDERR_FILENO, "\n", 1, NULL);
		return;
	}
	/* Not a terminal: no drawing, one line for the log. */
	buf_addstr(&b, "fanout: ");
	p->kinds &= ~PROGRESS_BAR;
	format(p, now, &b);
	snprintf(t, sizeof t, " in %.1fs\n", (now - p->started) / 1e9);
	buf_addstr(&b, t);
	util_write_all(STDERR_FILENO, b.data, b.len, NULL);
	buf_release(&b);
}

void
progress_free(struct progress *p)
{
	free(p);
}
