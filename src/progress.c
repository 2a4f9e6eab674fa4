#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "buf.h"
#include "executor.h"
#include "progress.h"
#include "util.h"
#include "xalloc.h"

#define REDRAW_NS (100 * 1000000LL)
#define BAR_WIDTH 30
#define BAR_MIN 6 /* narrower than this, the bar is left out */

struct progress {
	int kinds;
	bool tty;
	size_t slots;
	size_t total;
	size_t running, done, failed;
	int64_t started;
	int64_t drawn;
	bool visible;
	bool mid_line; /* output left a partial line: do not draw over it */
	bool finished;
	const struct executor *ex; /* its places' counts, or NULL */
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
progress_places(struct progress *p, const struct executor *ex)
{
	p->ex = ex && ex->places ? ex : NULL;
}

/* host running/done, for each place: "; h1 2/10, h2 0/9". */
static void
format_places(const struct progress *p, struct buf *b)
{
	const struct executor *pl;
	char t[48];
	size_t i;

	for (i = 0; i < p->ex->nplaces; i++) {
		pl = p->ex->places[i];
		buf_addstr(b, i ? ", " : "; ");
		buf_addstr(b, pl->host);
		snprintf(t, sizeof t, " %zu/%zu%s", pl->busy, pl->done,
		    pl->gone	   ? " gone"
			: pl->down ? " down"
				   : "");
		buf_addstr(b, t);
	}
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

/* The line to show, without decoration, with a bar of bar columns. */
static void
format(struct progress *p, int64_t now, size_t bar, struct buf *b)
{
	double elapsed = (now - p->started) / 1e9;
	double eta = -1;
	char t[160];

	if (p->total && p->done)
		eta = elapsed / (double)p->done * (double)(p->total - p->done);
	if (p->kinds & PROGRESS_BAR) {
		size_t pct = p->total ? p->done * 100 / p->total : 0;
		size_t fill = p->total ? p->done * bar / p->total : 0;

		snprintf(t, sizeof t, "%3zu%% ", pct);
		buf_addstr(b, t);
		if (bar) {
			buf_addch(b, '[');
			for (size_t i = 0; i < bar; i++)
				buf_addch(b, i < fill ? '#' : ' ');
			buf_addstr(b, "] ");
		}
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
		if (p->ex)
			format_places(p, b);
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

/* Columns of the terminal, asked at each draw: it may have been resized. */
static size_t
term_width(void)
{
	struct winsize ws;

	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	return 80;
}

/*
 * Draw the line within the terminal's width, short of the last column
 * (writing there wraps on some terminals): a narrower bar first, then
 * none, then the text cut.
 */
static void
draw(struct progress *p, int64_t now)
{
	struct buf b = BUF_INIT;
	size_t room = term_width(), over;

	buf_addch(&b, '\r'); /* so room counts it in place of the last column */
	format(p, now, BAR_WIDTH, &b);
	if (b.len > room && (p->kinds & PROGRESS_BAR)) {
		over = b.len - room;
		buf_reset(&b);
		buf_addch(&b, '\r');
		format(p, now,
		    BAR_WIDTH >= BAR_MIN + over ? BAR_WIDTH - over : 0, &b);
	}
	if (b.len > room)
		b.len = room;
	buf_addstr(&b, "\033[K");
	util_write_all(STDERR_FILENO, b.data, b.len, NULL);
	buf_release(&b);
	p->drawn = now;
	p->visible = true;
}

void
progress_clear(struct progress *p, const char *next, size_t n)
{
	if (!p->tty || p->finished)
		return;
	if (p->visible)
		util_write_all(STDERR_FILENO, "\r\033[K", 4, NULL);
	p->visible = false;
	if (next && n)
		p->mid_line = next[n - 1] != '\n';
	else if (!next)
		p->mid_line = false; /* not known: as if the line ended */
}

void
progress_update(
    struct progress *p, int64_t now, size_t running, size_t done, size_t failed)
{
	p->running = running;
	p->done = done;
	p->failed = failed;
	/* Drawn again at once after output cleared it. */
	if (p->tty && !p->mid_line &&
	    (!p->visible || now - p->drawn >= REDRAW_NS))
		draw(p, now);
}

void
progress_finish(struct progress *p, int64_t now)
{
	struct buf b = BUF_INIT;
	char t[64];

	if (p->tty) {
		if (p->mid_line)
			util_write_all(STDERR_FILENO, "\n", 1, NULL);
		draw(p, now);
		util_write_all(STDERR_FILENO, "\n", 1, NULL);
		p->finished = true;
		return;
	}
	/* Not a terminal: no drawing, one line for the log. */
	buf_addstr(&b, "fanout: ");
	p->kinds &= ~PROGRESS_BAR;
	format(p, now, 0, &b);
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
