/*
 * soak: the job, the plan and the checker of `make soak` (tests/soak/run).
 *
 *   soak opts SEED        the fanout options of the run SEED, one a line
 *   soak items SEED N     its N input items, one a line
 *   soak job DIR ITEM     behave as ITEM says (DIR keeps the run counts)
 *   soak check SEED N DIR STATUS
 *                         check DIR/out, DIR/err, DIR/jl, DIR/state and
 *                         fanout's exit STATUS against what the items of
 *                         run SEED must give; exit 1 with a report if not
 *
 * An item is "ID_KIND_S_A_B": ID its line number (fanout's Seq), S the seed
 * of what it prints, A and B the parameters of its KIND:
 *   f  fast: a few lines on stdout and stderr, exit 0; A bit 0 (1): the
 *      last stdout line has no newline, bit 1 (2): the same for stderr
 *   s  slow: half its lines, a sleep of A ms, the other half, exit 0
 *   n  noisy: A bytes of lines (a few long ones, some over 256 KB) on
 *      stdout and stderr, written in pieces of any size, exit 0
 *   x  failing: exit A              g  signalled: dies by signal A
 *   t  sleeps past --timeout        r  fails its first A runs (B: how; 0
 *      exit, 1 signal, 2 timeout), then succeeds
 * Kinds x, g, t and r count their runs in DIR/ID (a run that sleeps until
 * killed notes its pid in DIR/ID.pid); what a run prints depends on which
 * run it is, so the checker sees that only the last run's output is
 * printed. Everything is computed from the item: the checker
 * knows what each job printed and how it ended.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#define SOAK_MAXERR 25

struct text {
	char *s;
	size_t len, cap;
};

struct item {
	unsigned id;
	char kind;
	uint64_t seed;
	long a, b;
};

/* A run's options, all from its seed. */
struct opts {
	int jobs, keep, lb, retries, runs;
	int timeout_ds; /* tenths of a second; 0: no --timeout */
	int few; /* about 70 failures in 10000: the exit status counts them */
};

enum end { END_EXIT, END_SIGNAL, END_TIMEOUT };

/* How a job's last run ended, and what it printed. */
struct expect {
	struct item it;
	int runs, timeouts; /* runs in all; runs that timed out */
	enum end end;
	int code; /* exit status or signal */
	struct text out, err;
	size_t done[2]; /* bytes of out, err seen so far */
	size_t receive; /* bytes of the last run's stdout */
	int warned; /* timeout warnings seen */
	int logged;
};

static int nerr;

static void
die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("soak: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(2);
}

/* Report a fault; return -1, so that a check can stop at it. */
static int
fail(const char *fmt, ...)
{
	va_list ap;

	if (++nerr > SOAK_MAXERR)
		return -1;
	va_start(ap, fmt);
	fputs("FAIL: ", stdout);
	vprintf(fmt, ap);
	putchar('\n');
	va_end(ap);
	return -1;
}

static uint64_t
mix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static long
pick(uint64_t *s, long lo, long hi)
{
	return lo + (long)(mix(s) % (uint64_t)(hi - lo + 1));
}

static void
text_add(struct text *t, const char *p, size_t n)
{
	if (t->len + n + 1 > t->cap) {
		t->cap = (t->len + n + 1) * 2;
		if ((t->s = realloc(t->s, t->cap)) == NULL)
			die("out of memory");
	}
	memcpy(t->s + t->len, p, n);
	t->len += n;
	t->s[t->len] = '\0';
}

static void
text_printf(struct text *t, const char *fmt, ...)
{
	char line[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	text_add(t, line, (size_t)n);
}

/* One line "ID oRUN.N payload\n" of len payload bytes. */
static void
text_line(struct text *t, const struct item *it, char fd, int run, int n,
    long len, uint64_t *s)
{
	char chunk[64];
	long i, k;

	text_printf(t, "%u %c%d.%d ", it->id, fd, run, n);
	for (i = 0; i < len; i += k) {
		k = len - i < 64 ? len - i : 64;
		for (long c = 0; c < k; c++)
			chunk[c] = (char)('a' + mix(s) % 26);
		text_add(t, chunk, (size_t)k);
	}
	text_add(t, "\n", 1);
}

/* A line longer than fanout keeps in memory (256 KB a stream). */
static long
long_line(uint64_t *s)
{
	return pick(s, 200000, 600000);
}

/* What run RUN of the item prints on stdout (out) and stderr (err). */
static void
item_text(const struct item *it, int run, struct text *out, struct text *err)
{
	uint64_t s = it->seed ^ ((uint64_t)run * 0x2545f4914f6cdd1dULL);
	long nout, nerrl, i;

	out->len = err->len = 0;
	text_add(out, "", 0);
	text_add(err, "", 0);
	if (it->kind == 'n') {
		for (i = 0; out->len + err->len < (size_t)it->a; i++) {
			struct text *t = pick(&s, 0, 2) ? out : err;
			long len = pick(&s, 0, 99) ? pick(&s, 0, 200)
			    : pick(&s, 0, 9)	   ? pick(&s, 1000, 60000)
						   : long_line(&s);
			text_line(
			    t, it, t == out ? 'o' : 'e', run, (int)i, len, &s);
		}
		return;
	}
	nout = pick(&s, 0, 9) ? pick(&s, 1, 4) : 0;
	nerrl = pick(&s, 0, 2) ? 0 : pick(&s, 1, 3);
	for (i = 0; i < nout; i++)
		text_line(out, it, 'o', run, (int)i, pick(&s, 0, 100), &s);
	for (i = 0; i < nerrl; i++)
		text_line(err, it, 'e', run, (int)i, pick(&s, 0, 100), &s);
	if (it->kind == 'f' && (it->a & 1) && out->len)
		out->s[--out->len] = '\0';
	if (it->kind == 'f' && (it->a & 2) && err->len)
		err->s[--err->len] = '\0';
}

static int
item_parse(const char *str, struct item *it)
{
	unsigned long long seed;
	char kind;

	if (sscanf(str, "%u_%c_%llu_%ld_%ld", &it->id, &kind, &seed, &it->a,
		&it->b) != 5 ||
	    strchr("fsnxgtr", kind) == NULL)
		return -1;
	it->kind = kind;
	it->seed = seed;
	return 0;
}

/* ------------------------------------------------------------ the plan */

static void
opts_make(unsigned long seed, struct opts *o)
{
	/* -j 1 is rare: it runs its jobs one by one. */
	static const int js[] = {1, 2, 2, 3, 4, 4, 6, 8, 8, 16, 32, 64};
	uint64_t s = seed * 0x9e3779b97f4a7c15ULL + 1;

	memset(o, 0, sizeof *o);
	o->jobs = js[pick(&s, 0, 11)];
	o->keep = (int)pick(&s, 0, 1);
	o->lb = (int)pick(&s, 0, 1);
	o->timeout_ds = pick(&s, 0, 4) < 3 ? (int)pick(&s, 20, 30) : 0;
	o->retries = pick(&s, 0, 1) ? (int)pick(&s, 0, 4) : -1;
	o->runs = o->retries > 1 ? o->retries : 1;
	o->few = (int)pick(&s, 0, 1);
}

static void
opts_print(const struct opts *o)
{
	/* A slow build (ThreadSanitizer) is given longer: SOAK_SLOW times. */
	const char *slow = getenv("SOAK_SLOW");
	int t = o->timeout_ds * (slow && atoi(slow) > 1 ? atoi(slow) : 1);

	printf("-j\n%d\n", o->jobs);
	if (o->keep)
		printf("-k\n");
	if (o->lb)
		printf("--lb\n");
	if (t)
		printf("--timeout\n%d.%d\n", t / 10, t % 10);
	if (o->retries >= 0)
		printf("--retries\n%d\n", o->retries);
}

/* Item ID of run SEED: a few noisy, slow and timing-out jobs, many fast. */
static void
item_make(unsigned long seed, const struct opts *o, unsigned id, unsigned n,
    struct item *it)
{
	uint64_t s = (seed << 32) ^ id ^ 0x5851f42d4c957f2dULL;
	long r = pick(&s, 0, 9999), fails = o->few ? 35 : 400;

	mix(&s);
	it->id = id;
	it->seed = mix(&s) >> 1;
	it->a = it->b = 0;
	/* Three noisy jobs, one timing out, wherever the seed puts them. */
	if (id % (n / 3 + 1) == (seed + 7) % (n / 3 + 1)) {
		it->kind = 'n';
		it->a = pick(&s, 100000, 1000000);
	} else if (o->timeout_ds && id == (seed + n / 2) % n + 1) {
		it->kind = 't';
	} else if (r < 40) {
		it->kind = 's';
		it->a = pick(&s, 10, 150);
	} else if (r < 40 + fails) {
		it->kind = 'x';
		it->a = pick(&s, 1, 255);
	} else if (r < 40 + fails * 8 / 5) {
		static const int sigs[] = {SIGHUP, SIGINT, SIGKILL, SIGUSR1,
		    SIGUSR2, SIGPIPE, SIGALRM, SIGTERM};
		it->kind = 'g';
		it->a = sigs[pick(&s, 0, 7)];
	} else if (r < 40 + fails * 2) {
		it->kind = 'r';
		it->a = pick(&s, 1, 3);
		/* Timeouts cost seconds: rare, and only one run each. */
		it->b = pick(&s, 0, 1);
		if (o->timeout_ds && pick(&s, 0, 49) == 0) {
			it->b = 2;
			it->a = 1;
		}
	} else {
		it->kind = 'f';
		it->a = pick(&s, 0, 49) == 0 ? pick(&s, 1, 3) : 0;
	}
}

static void
item_print(const struct item *it)
{
	printf("%u_%c_%llu_%ld_%ld\n", it->id, it->kind,
	    (unsigned long long)it->seed, it->a, it->b);
}

/* ------------------------------------------------------------- the job */

static void
write_all(int fd, const char *p, size_t n)
{
	ssize_t k;

	while (n > 0) {
		if ((k = write(fd, p, n)) < 0) {
			if (errno == EINTR)
				continue;
			exit(3);
		}
		p += k;
		n -= (size_t)k;
	}
}

/* Write out and err up to the byte counts upto[], in random pieces. */
static void
emit(struct text *t, size_t *done, const size_t *upto, uint64_t *s, long big)
{
	for (;;) {
		int fd = (int)pick(s, 0, 1);
		size_t n;

		if (done[fd] == upto[fd])
			fd = !fd;
		if (done[fd] == upto[fd])
			return;
		n = (size_t)pick(s, 1, big);
		if (n > upto[fd] - done[fd])
			n = upto[fd] - done[fd];
		write_all(fd + 1, t[fd].s + done[fd], n);
		done[fd] += n;
	}
}

static void
nap(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static void
die_by(int sig)
{
	sigset_t set;

	signal(sig, SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	raise(sig);
	_exit(99);
}

/* Count this run in DIR/ID; return its number, 1 for the first. */
static int
count_run(const char *dir, unsigned id)
{
	char path[4096], num[32];
	int fd, run = 0;
	ssize_t n;

	snprintf(path, sizeof path, "%s/%u", dir, id);
	if ((fd = open(path, O_RDWR | O_CREAT, 0644)) < 0)
		exit(3);
	if ((n = read(fd, num, sizeof num - 1)) > 0) {
		num[n] = '\0';
		run = atoi(num);
	}
	n = snprintf(num, sizeof num, "%d\n", ++run);
	if (pwrite(fd, num, (size_t)n, 0) != n || close(fd) != 0)
		exit(3);
	return run;
}

/* A job that sleeps until killed leaves its pid in DIR/ID.pid. */
static void
note_pid(const char *dir, unsigned id)
{
	char path[4096], num[32];
	int fd, n;

	snprintf(path, sizeof path, "%s/%u.pid", dir, id);
	n = snprintf(num, sizeof num, "%d\n", (int)getpid());
	if ((fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0644)) < 0 ||
	    write(fd, num, (size_t)n) != n || close(fd) != 0)
		exit(3);
}

static int
job(const char *dir, const char *arg)
{
	struct text t[2] = {{0}, {0}};
	struct rlimit no = {0, 0};
	size_t done[2] = {0, 0}, upto[2];
	struct item it;
	uint64_t s;
	int run = 1;

	if (item_parse(arg, &it) != 0)
		die("bad item '%s'", arg);
	setrlimit(RLIMIT_CORE, &no);
	if (strchr("xgtr", it.kind))
		run = count_run(dir, it.id);
	if (it.kind == 't' || (it.kind == 'r' && it.b == 2 && run <= it.a))
		note_pid(dir, it.id);
	item_text(&it, run, &t[0], &t[1]);
	s = it.seed ^ 0xabcdefULL;
	upto[0] = t[0].len;
	upto[1] = t[1].len;
	if (it.kind == 's') {
		upto[0] /= 2;
		upto[1] /= 2;
		emit(t, done, upto, &s, 64);
		nap(it.a);
		upto[0] = t[0].len;
		upto[1] = t[1].len;
	}
	emit(t, done, upto, &s, it.kind == 'n' ? 65536 : 64);
	switch (it.kind) {
	case 'x':
		return (int)it.a;
	case 'g':
		die_by((int)it.a);
		break;
	case 't':
		nap(600000);
		return 98;
	case 'r':
		if (run > it.a)
			return 0;
		if (it.b == 1)
			die_by(SIGTERM);
		if (it.b == 2)
			nap(600000);
		return 7;
	}
	return 0;
}

/* --------------------------------------------------------- the checker */

/*
 * What the job prints: its last run's output; with --lb and no -k, that
 * of every run, each printed as it came. The joblog's Receive counts the
 * last run's stdout.
 */
static void
expect_text(struct expect *e, const struct opts *o)
{
	struct text out = {0}, err = {0};

	text_add(&e->out, "", 0);
	text_add(&e->err, "", 0);
	for (int run = o->lb && !o->keep ? 1 : e->runs; run <= e->runs; run++) {
		item_text(&e->it, run, &out, &err);
		text_add(&e->out, out.s, out.len);
		text_add(&e->err, err.s, err.len);
		e->receive = out.len;
	}
	free(out.s);
	free(err.s);
}

/* How the item's last run ends, how often it runs, what it prints. */
static void
expect_make(struct expect *e, const struct opts *o)
{
	const struct item *it = &e->it;
	int r = o->runs;

	e->runs = 1;
	e->end = END_EXIT;
	e->code = 0;
	switch (it->kind) {
	case 'x':
		e->runs = r;
		e->code = (int)it->a;
		break;
	case 'g':
		e->runs = r;
		e->end = END_SIGNAL;
		e->code = (int)it->a;
		break;
	case 't':
		e->runs = e->timeouts = r;
		e->end = END_TIMEOUT;
		break;
	case 'r':
		if (it->b == 2)
			e->timeouts = it->a < r ? (int)it->a : r;
		if (it->a < r) {
			e->runs = (int)it->a + 1;
			break;
		}
		e->runs = r;
		e->end = it->b == 0 ? END_EXIT
		    : it->b == 1    ? END_SIGNAL
				    : END_TIMEOUT;
		e->code = it->b == 0 ? 7 : SIGTERM;
		break;
	}
	if (e->end == END_TIMEOUT)
		e->code = SIGTERM;
	expect_text(e, o);
}

static int
expect_failed(const struct expect *e)
{
	return e->end != END_EXIT || e->code != 0;
}

/* At most 60 bytes of p, escaped, for a report. */
static const char *
excerpt(const char *p, size_t n)
{
	static char buf[2][300];
	static int which;
	char *b = buf[which ^= 1], *q = b;

	for (size_t i = 0; i < n && i < 60; i++) {
		unsigned char c = (unsigned char)p[i];
		if (c == '\n')
			q += sprintf(q, "\\n");
		else if (isprint(c))
			*q++ = (char)c;
		else
			q += sprintf(q, "\\x%02x", c);
	}
	if (n > 60)
		q += sprintf(q, "...");
	*q = '\0';
	return b;
}

static struct text
slurp(const char *dir, const char *name)
{
	struct text t = {0};
	char path[4096], buf[65536];
	size_t n;
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	if ((f = fopen(path, "r")) == NULL)
		die("cannot open '%s': %s", path, strerror(errno));
	text_add(&t, "", 0);
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		text_add(&t, buf, n);
	fclose(f);
	return t;
}

/* A line of fanout's own on stderr: only timeout warnings are expected. */
static void
check_message(struct expect *e, unsigned n, const char *p, size_t len)
{
	static const char warn[] = "fanout: warning: this job timed out: ";
	const char *sp = p + len;
	struct item it;

	while (sp > p && sp[-1] != ' ')
		sp--;
	if (len > sizeof warn - 1 && memcmp(p, warn, sizeof warn - 1) == 0 &&
	    item_parse(sp, &it) == 0 && it.id >= 1 && it.id <= n)
		e[it.id - 1].warned++;
	else
		fail("stderr: unexpected message: %s", excerpt(p, len));
}

/* Job output is whole lines (--lb) or whole blocks, each exactly once. */
static int
check_stream(struct expect *e, unsigned n, int fd, const struct text *got,
    const struct opts *o)
{
	const char *name = fd ? "stderr" : "stdout";
	int grouped = !o->lb || o->keep;
	unsigned open = 0, last = 0, id;
	size_t pos = 0, len = got->len;

	while (pos < len) {
		const char *p = got->s + pos, *nl;
		struct text *t;
		size_t d, clen, i;
		char *end;

		if (fd && len - pos >= 8 && memcmp(p, "fanout: ", 8) == 0) {
			nl = memchr(p, '\n', len - pos);
			clen = nl ? (size_t)(nl - p) : len - pos;
			check_message(e, n, p, clen);
			pos += clen + (nl != NULL);
			continue;
		}
		id = isdigit((unsigned char)*p) ? (unsigned)strtoul(p, &end, 10)
						: 0;
		if (id < 1 || id > n || *end != ' ')
			return fail("%s: byte %zu: not a job's line: %s", name,
			    pos, excerpt(p, len - pos));
		t = fd ? &e[id - 1].err : &e[id - 1].out;
		d = e[id - 1].done[fd];
		if (d == t->len)
			return fail("%s: byte %zu: job %u printed again: %s",
			    name, pos, id, excerpt(p, len - pos));
		if (grouped && open && open != id)
			return fail("%s: byte %zu: job %u's output cut by job "
				    "%u's: %s",
			    name, pos, open, id, excerpt(p, len - pos));
		if (o->keep && d == 0 && id < last)
			return fail("%s: byte %zu: -k: job %u after job %u",
			    name, pos, id, last);
		if (d == 0)
			last = id;
		nl = memchr(t->s + d, '\n', t->len - d);
		clen = nl ? (size_t)(nl - (t->s + d)) + 1 : t->len - d;
		for (i = 0; i < clen && pos + i < len; i++)
			if (p[i] != t->s[d + i])
				break;
		if (i < clen) {
			size_t from = i > 30 ? i - 30 : 0;
			return fail("%s: byte %zu: job %u's line at its byte "
				    "%zu differs at column %zu; from column "
				    "%zu:\n  expected: %s\n  got:      %s",
			    name, pos, id, d, i, from,
			    excerpt(t->s + d + from, clen - from),
			    excerpt(p + from, len - pos - from));
		}
		pos += clen;
		e[id - 1].done[fd] += clen;
		open = e[id - 1].done[fd] < t->len ? id : 0;
	}
	for (id = 1; id <= n; id++) {
		struct text *t = fd ? &e[id - 1].err : &e[id - 1].out;
		if (e[id - 1].done[fd] != t->len)
			fail("%s: job %u printed %zu of its %zu bytes", name,
			    id, e[id - 1].done[fd], t->len);
	}
	return 0;
}

/* One joblog line: its job's, once, with the last run's end. */
static int
check_jobline(struct expect *e, unsigned n, char *line)
{
	char *f[9], *p = line, item[128];
	long want_ev, want_sig;
	struct expect *x;
	unsigned seq;
	int i;

	for (i = 0; i < 9 && p; i++) {
		f[i] = p;
		if ((p = strchr(p, '\t')) != NULL && i < 8)
			*p++ = '\0';
	}
	if (i < 9 || (seq = (unsigned)atol(f[0])) < 1 || seq > n)
		return fail(
		    "joblog: bad line: %s", excerpt(line, strlen(line)));
	x = &e[seq - 1];
	if (x->logged++)
		return fail("joblog: job %u logged again", seq);
	want_ev = x->end == END_EXIT ? x->code : x->end == END_TIMEOUT ? -1 : 0;
	want_sig = x->end == END_EXIT ? 0 : x->code;
	snprintf(item, sizeof item, " %u_%c_%llu_%ld_%ld", x->it.id, x->it.kind,
	    (unsigned long long)x->it.seed, x->it.a, x->it.b);
	if (strcmp(f[1], ":") != 0 || strcmp(f[4], "0") != 0)
		fail("joblog: job %u: Host '%s', Send '%s'", seq, f[1], f[4]);
	if (strtoull(f[5], NULL, 10) != x->receive)
		fail("joblog: job %u: Receive %s, its last run's stdout has "
		     "%zu bytes",
		    seq, f[5], x->receive);
	if (atol(f[6]) != want_ev || atol(f[7]) != want_sig)
		fail("joblog: job %u (%c, %d runs): Exitval %s Signal %s, "
		     "expected %ld %ld",
		    seq, x->it.kind, x->runs, f[6], f[7], want_ev, want_sig);
	if (strlen(f[8]) < strlen(item) ||
	    strcmp(f[8] + strlen(f[8]) - strlen(item), item) != 0)
		fail("joblog: job %u: Command '%s' is not of%s", seq, f[8],
		    item);
	return 0;
}

static int
check_joblog(struct expect *e, unsigned n, struct text *jl)
{
	static const char head[] = "Seq\tHost\tStarttime\tJobRuntime\tSend\t"
				   "Receive\tExitval\tSignal\tCommand\n";
	char *p = jl->s, *nl;

	if (strncmp(p, head, sizeof head - 1) != 0)
		return fail("joblog: bad header: %s", excerpt(p, jl->len));
	for (p += sizeof head - 1; *p; p = nl + 1) {
		if ((nl = strchr(p, '\n')) == NULL)
			return fail(
			    "joblog: last line cut: %s", excerpt(p, strlen(p)));
		*nl = '\0';
		check_jobline(e, n, p);
	}
	for (unsigned id = 1; id <= n; id++)
		if (!e[id - 1].logged)
			fail("joblog: job %u missing", id);
	return 0;
}

/*
 * Whether a job that slept until killed outlived fanout: its pids in
 * DIR/state/ID.pid that are still its (their command line is the job's)
 * are reported, and killed.
 */
static void
check_gone(const struct expect *x, const char *dir)
{
	char path[4096], want[4096], cmd[4096];
	int pid, fd, wlen;
	ssize_t n;
	FILE *f;

	snprintf(path, sizeof path, "%s/state/%u.pid", dir, x->it.id);
	if ((f = fopen(path, "r")) == NULL)
		return;
	wlen = snprintf(want, sizeof want, "job%c%s/state%c%u_%c_%llu_%ld_%ld",
		   0, dir, 0, x->it.id, x->it.kind,
		   (unsigned long long)x->it.seed, x->it.a, x->it.b) +
	    1;
	while (fscanf(f, "%d", &pid) == 1) {
		snprintf(path, sizeof path, "/proc/%d/cmdline", pid);
		if ((fd = open(path, O_RDONLY)) < 0)
			continue;
		n = read(fd, cmd, sizeof cmd);
		close(fd);
		if (n < wlen || memcmp(cmd + n - wlen, want, (size_t)wlen) != 0)
			continue;
		fail("job %u: its run, pid %d, outlived fanout", x->it.id, pid);
		kill(pid, SIGKILL);
	}
	fclose(f);
}

/* Runs counted in DIR/state, timeout warnings seen; the exit status. */
static void
check_runs(struct expect *e, unsigned n, const char *dir, int status)
{
	unsigned failed = 0, id;
	char path[4096];

	for (id = 1; id <= n; id++) {
		struct expect *x = &e[id - 1];
		int runs = 0;
		FILE *f;

		failed += (unsigned)expect_failed(x);
		if (x->warned != x->timeouts)
			fail("job %u: %d timeout warnings, expected %d", id,
			    x->warned, x->timeouts);
		if (!strchr("xgtr", x->it.kind))
			continue;
		check_gone(x, dir);
		snprintf(path, sizeof path, "%s/state/%u", dir, id);
		if ((f = fopen(path, "r")) != NULL) {
			if (fscanf(f, "%d", &runs) != 1)
				runs = -1;
			fclose(f);
		}
		if (runs != x->runs)
			fail("job %u (%c): ran %d times, expected %d", id,
			    x->it.kind, runs, x->runs);
	}
	if (status != (failed > 100 ? 101 : (int)failed))
		fail("exit status %d, but %u jobs failed", status, failed);
	printf("%u of %u jobs failed; ", failed, n);
}

static int
check(unsigned long seed, unsigned n, const char *dir, int status)
{
	struct expect *e = calloc(n, sizeof *e);
	struct text out = slurp(dir, "out"), err = slurp(dir, "err");
	struct text jl = slurp(dir, "jl");
	struct opts o;

	if (e == NULL)
		die("out of memory");
	opts_make(seed, &o);
	for (unsigned id = 1; id <= n; id++) {
		item_make(seed, &o, id, n, &e[id - 1].it);
		expect_make(&e[id - 1], &o);
	}
	check_stream(e, n, 0, &out, &o);
	/* A stream cut short leaves warnings uncounted. */
	if (check_stream(e, n, 1, &err, &o) != 0)
		for (unsigned id = 1; id <= n; id++)
			e[id - 1].warned = e[id - 1].timeouts;
	check_joblog(e, n, &jl);
	check_runs(e, n, dir, status);
	if (nerr > SOAK_MAXERR)
		printf("FAIL: ... and %d more\n", nerr - SOAK_MAXERR);
	printf("%s\n", nerr ? "FAILED" : "ok");
	return nerr ? 1 : 0;
}

int
main(int argc, char **argv)
{
	struct opts o;
	struct item it;

	if (argc == 4 && strcmp(argv[1], "job") == 0)
		return job(argv[2], argv[3]);
	if (argc == 3 && strcmp(argv[1], "opts") == 0) {
		opts_make(strtoul(argv[2], NULL, 10), &o);
		opts_print(&o);
		return 0;
	}
	if (argc == 4 && strcmp(argv[1], "items") == 0) {
		unsigned long seed = strtoul(argv[2], NULL, 10);
		unsigned n = (unsigned)strtoul(argv[3], NULL, 10);
		opts_make(seed, &o);
		for (unsigned id = 1; id <= n; id++) {
			item_make(seed, &o, id, n, &it);
			item_print(&it);
		}
		return 0;
	}
	if (argc == 6 && strcmp(argv[1], "check") == 0)
		return check(strtoul(argv[2], NULL, 10),
		    (unsigned)strtoul(argv[3], NULL, 10), argv[4],
		    atoi(argv[5]));
	fprintf(stderr,
	    "usage: soak opts SEED | items SEED N | job DIR ITEM | "
	    "check SEED N DIR STATUS\n");
	return 2;
}
