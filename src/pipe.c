#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <dirent.h>
#include <unistd.h>

#include "collect.h"
#include "executor.h"
#include "input.h"
#include "options.h"
#include "pipe.h"
#include "util.h"
#include "xalloc.h"

#define NONE SIZE_MAX
#define DEFAULT_BLOCK (1024 * 1024)
#define PART_BLOCKS_A_SLOT 10 /* --pipe-part without --block */
#define SCAN_CHUNK (128 * 1024)
/* Reads of one fill at most, while the descriptor has more at once. */
#define FILL_READS 64

struct pipe_split {
	bool regexp;
	/* Fixed strings: a record ends with end and the next starts with
	 * start; both is the two, where a block may end after end. */
	char *both;
	size_t both_len, end_len;
	/* --regexp: "(END)(START)", START being group start_group. */
	regex_t re;
	size_t start_group;
	regex_t start_re; /* START alone, when given */
	bool has_start;
	regex_t end_re; /* "(END)$" for --rrs, not line by line */
	regmatch_t *m; /* room for every group */
	size_t lines; /* -L: a record is this many lines */
};

/* \n, \t, \r, \0, \\, \' and \" as GNU parallel reads --recend. */
static size_t
unescape(const char *s, char *out)
{
	static const char from[] = "nrt0\\'\"", to[] = "\n\r\t\0\\'\"";
	const char *e;
	size_t n = 0;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] && (e = strchr(from, s[1]))) {
			out[n++] = to[e - from];
			s++;
		} else {
			out[n++] = *s;
		}
	}
	return n;
}

/*
 * A Perl regular expression as POSIX reads it, for the usual cases: \n,
 * \t and \r as the bytes, \d and \D as [0-9] and [^0-9].
 */
static void
perl_regex(const char *s, struct buf *out)
{
	for (; *s; s++) {
		if (s[0] != '\\' || !s[1]) {
			buf_addch(out, *s);
			continue;
		}
		switch (*++s) {
		case 'n':
			buf_addch(out, '\n');
			break;
		case 't':
			buf_addch(out, '\t');
			break;
		case 'r':
			buf_addch(out, '\r');
			break;
		case 'd':
			buf_addstr(out, "[0-9]");
			break;
		case 'D':
			buf_addstr(out, "[^0-9]");
			break;
		default:
			buf_addch(out, '\\');
			buf_addch(out, *s);
		}
	}
}

/* Compile pattern (Perl-style escapes) into re; -1 after saying why. */
static int
compile(regex_t *re, const char *what, const char *pattern, int flags)
{
	struct buf b = BUF_INIT;
	char msg[256];
	int rc;

	perl_regex(pattern, &b);
	rc = util_regcomp(
	    re, b.data ? b.data : "", REG_EXTENDED | flags, msg, sizeof msg);
	buf_release(&b);
	if (rc == 0)
		return 0;
	return error("%s: '%s': %s", what, pattern, msg);
}

static int
split_regex(struct pipe_split *s, const char *recstart, const char *recend)
{
	regex_t end;
	char *pat;
	int rc;

	/* GNU parallel: --regexp --recend '' is any one byte. */
	if (!recstart && !*recend)
		recend = "(.|\n)";
	if (compile(&end, "--recend", recend, REG_NEWLINE) < 0)
		return -1;
	s->start_group = end.re_nsub + 2;
	regfree(&end);
	if (recstart &&
	    compile(&s->start_re, "--recstart", recstart, REG_NEWLINE) < 0)
		return -1;
	s->has_start = recstart != NULL;
	pat = xasprintf("(%s)(%s)", recend, recstart ? recstart : "");
	rc = compile(&s->re, "--recend/--recstart", pat, REG_NEWLINE);
	free(pat);
	if (rc < 0)
		return -1;
	/* A record end of no bytes would be everywhere ('x*', '$'). */
	if (regexec(&s->re, "", 0, NULL, 0) == 0) {
		regfree(&s->re);
		if (s->has_start)
			regfree(&s->start_re);
		if (recstart && !*recend)
			return error("--recstart: '%s' matches the empty "
				     "string: a record start must hold a byte",
			    recstart);
		return error("--recend: '%s'%s%s%s matches the empty string: "
			     "a record end must hold a byte",
		    recend, recstart ? " with --recstart '" : "",
		    recstart ? recstart : "", recstart ? "'" : "");
	}
	pat = xasprintf("(%s)$", recend);
	rc = compile(&s->end_re, "--recend", pat, 0);
	free(pat);
	if (rc < 0) {
		regfree(&s->re);
		if (s->has_start)
			regfree(&s->start_re);
		return -1;
	}
	s->m = xcalloc(s->re.re_nsub + 1, sizeof *s->m);
	s->regexp = true;
	return 0;
}

struct pipe_split *
pipe_split_new(const char *recstart, const char *recend, bool regexp)
{
	struct pipe_split *s = xcalloc(1, sizeof *s);
	size_t n;

	/* GNU parallel: only --recstart given: records end anywhere. */
	if (!recend)
		recend = recstart ? "" : "\n";
	if (regexp) {
		if (split_regex(s, recstart, recend) == 0)
			return s;
		free(s);
		return NULL;
	}
	s->both =
	    xmalloc(strlen(recend) + (recstart ? strlen(recstart) : 0) + 1);
	s->end_len = unescape(recend, s->both);
	n = recstart ? unescape(recstart, s->both + s->end_len) : 0;
	s->both_len = s->end_len + n;
	return s;
}

void
pipe_split_free(struct pipe_split *s)
{
	if (!s)
		return;
	if (s->regexp) {
		regfree(&s->re);
		regfree(&s->end_re);
	}
	if (s->has_start)
		regfree(&s->start_re);
	free(s->m);
	free(s->both);
	free(s);
}

void
pipe_split_lines(struct pipe_split *s, size_t lines)
{
	s->lines = lines;
}

/*
 * The first place at from or later where a record end meets a record
 * start, or NONE; in *at the place between the two.
 */
static size_t
find(const struct pipe_split *s, const char *p, size_t len, size_t from,
    size_t *at)
{
	const char *q;

	if (from > len)
		return NONE;
	if (s->regexp) {
		/*
		 * regoff_t is an int: a block beyond 2G is searched in part.
		 * An empty match ('x*' where there is no x) is no record end,
		 * or every byte would be a record: look on from the next byte.
		 * The match is the longest at its place, so none longer starts
		 * there.
		 */
		do {
			if (from > len || from >= INT_MAX)
				return NONE;
			s->m[0].rm_so = (regoff_t)from;
			s->m[0].rm_eo =
			    (regoff_t)(len < INT_MAX ? len : INT_MAX);
			if (regexec(&s->re, p, s->re.re_nsub + 1, s->m,
				REG_STARTEND))
				return NONE;
			from = (size_t)s->m[0].rm_so + 1;
		} while (s->m[0].rm_eo == s->m[0].rm_so);
		*at = (size_t)s->m[s->start_group].rm_so;
		return (size_t)s->m[0].rm_so;
	}
	q = s->both_len ? memmem(p + from, len - from, s->both, s->both_len)
			: p + from;
	if (!q)
		return NONE;
	*at = (size_t)(q - p) + s->end_len;
	return (size_t)(q - p);
}

/* The last place in p[0..len) between a record end and a start; 0: none. */
static size_t
last_split(const struct pipe_split *s, const char *p, size_t len)
{
	size_t i, n, at = 0, best = 0;
	const char *q;

	if (s->regexp) {
		for (i = 0; (i = find(s, p, len, i, &at)) != NONE; i++)
			if (at > best)
				best = at;
		return best;
	}
	if (s->both_len == 0)
		return len;
	if (len < s->both_len)
		return 0;
	/* The places the string could start, from the end. */
	for (n = len - s->both_len + 1; n > 0; n = (size_t)(q - p)) {
		if (!(q = memrchr(p, s->both[0], n)))
			return 0;
		if (memcmp(q, s->both, s->both_len) == 0)
			return (size_t)(q - p) + s->end_len;
	}
	return 0;
}

/* Where the nth record ends, as GNU parallel counts; 0: fewer records. */
static size_t
nth_split(const struct pipe_split *s, const char *p, size_t len, size_t n)
{
	size_t i = 0, at = 0;

	while (n--)
		if ((i = find(s, p, len, i + 1, &at)) == NONE)
			return 0;
	return at;
}

/* Whether p[0..len) starts with a --regexp record start. */
static bool
starts_record(const struct pipe_split *s, const char *p, size_t len)
{
	regmatch_t m = {0, (regoff_t)(len < INT_MAX ? len : INT_MAX)};

	return regexec(&s->start_re, p, 1, &m, REG_STARTEND) == 0 &&
	    m.rm_so == 0;
}

/* -L: the end of the last whole group of lines in p[0..len); 0: none. */
static size_t
last_lines(const char *p, size_t len, size_t lines)
{
	const char *q = p, *e = p + len;
	size_t n = 0, drop;

	while ((q = memchr(q, '\n', (size_t)(e - q)))) {
		n++;
		q++;
	}
	drop = n % lines;
	if (n == drop)
		return 0;
	/* Back over the lines of the group not whole: n > drop of them. */
	for (len = (size_t)(e - p);; len = (size_t)(q - p)) {
		q = memrchr(p, '\n', len);
		if (drop-- == 0)
			return (size_t)(q - p) + 1;
	}
}

size_t
pipe_cut(const struct pipe_split *s, const char *p, size_t len, size_t limit,
    size_t nrec, bool eof, bool first)
{
	size_t at;

	/* GNU parallel: -L without -N cuts after whole groups of lines,
	 * and at the end what follows the last group is a block. */
	if (s->lines && !nrec) {
		if (!eof && len < limit)
			return 0;
		at = last_lines(p, len < limit ? len : limit, s->lines);
		return at ? at : eof ? len : 0;
	}

	/* GNU parallel: -N --regexp input before the first record start
	 * is a block of its own. */
	if (nrec && first && s->has_start && !starts_record(s, p, len) &&
	    (at = nth_split(s, p, len, 1)))
		return at;
	if (nrec) {
		at = nth_split(s, p, len, nrec);
		return at ? at : eof ? len : 0;
	}
	if (eof)
		return len;
	if (len < limit)
		return 0;
	return last_split(s, p, limit);
}

size_t
pipe_split_after(
    const struct pipe_split *s, const char *p, size_t len, size_t from)
{
	size_t at;

	return find(s, p, len, from, &at) == NONE ? NONE : at;
}

/* p[0..len) without p[from..to): the new length. */
static size_t
cut_out(char *p, size_t len, size_t from, size_t to)
{
	memmove(p + from, p + to, len - to);
	return len - (to - from);
}

/* Remove each place where a record end meets a start: the new length. */
static size_t
remove_splits(const struct pipe_split *s, char *p, size_t len)
{
	size_t i = 0, at, to;

	if (!s->regexp && s->both_len == 0)
		return len;
	while ((i = find(s, p, len, i, &at)) != NONE) {
		to = s->regexp ? (size_t)s->m[0].rm_eo : i + s->both_len;
		len = cut_out(p, len, i, to);
		if (s->regexp)
			p[len] = '\0'; /* regexec() may read to a NUL */
	}
	return len;
}

/* The length of a record start or end at the start or end of p. */
static size_t
start_at(const struct pipe_split *s, const char *p, size_t len)
{
	regmatch_t m = {0, (regoff_t)(len < INT_MAX ? len : INT_MAX)};
	size_t n = s->both_len - s->end_len;

	if (s->regexp)
		return s->has_start &&
			regexec(&s->start_re, p, 1, &m, REG_STARTEND) == 0 &&
			m.rm_so == 0
		    ? (size_t)m.rm_eo
		    : 0;
	return n && len >= n && memcmp(p, s->both + s->end_len, n) == 0 ? n : 0;
}

static size_t
end_at(const struct pipe_split *s, const char *p, size_t len)
{
	regmatch_t m = {0, (regoff_t)(len < INT_MAX ? len : INT_MAX)};
	size_t n = s->end_len;

	if (s->regexp)
		return regexec(&s->end_re, p, 1, &m, REG_STARTEND) == 0
		    ? len - (size_t)m.rm_so
		    : 0;
	return n && len >= n && memcmp(p + len - n, s->both, n) == 0 ? n : 0;
}

size_t
pipe_remove_seps(const struct pipe_split *s, char *p, size_t len)
{
	size_t n;

	len = remove_splits(s, p, len);
	len = cut_out(p, len, 0, start_at(s, p, len));
	if ((n = end_at(s, p, len)))
		return len - n;
	/* Perl's $ is also before a final newline. */
	if (len && p[len - 1] == '\n' && (n = end_at(s, p, len - 1)))
		return cut_out(p, len, len - 1 - n, len - 1);
	return len;
}

size_t
pipe_drop_blank(char *p, size_t len, size_t *from)
{
	size_t i = *from, out = *from, n;
	const char *nl;

	while (i < len && (nl = memchr(p + i, '\n', len - i))) {
		n = (size_t)(nl - p) + 1 - i;
		if (!util_blank(p + i, n)) {
			if (out != i)
				memmove(p + out, p + i, n);
			out += n;
		}
		i += n;
	}
	*from = out;
	if (out != i)
		memmove(p + out, p + i, len - i);
	return out + len - i;
}

enum pipe_mode { PIPE_STDIN, PIPE_CAT, PIPE_FIFO };

struct pipe_block {
	char *data; /* header, then records; NULL when in a file */
	char *alloc; /* what data is in, with own_data */
	size_t len;
	size_t head; /* of which the header */
	bool own_data; /* not the reader's header */
	char *path; /* --cat, --fifo */
	/* --pipe-part: the header's bytes of the file, then the block's */
	struct exec_range ranges[2];
	size_t nranges;
	uint64_t bytes;
};

struct pipe_reader {
	int fd;
	bool owned;
	char *name;
	enum pipe_mode mode;
	struct pipe_split *split;
	size_t limit; /* bytes a block */
	size_t nrec; /* -N */
	/* What was read: the header's copy in buf[0..base), the records
	 * not yet in a block from base + off on, len bytes. */
	char *buf;
	size_t cap, base, off, len;
	size_t cap_hint; /* the size the last buffer grew to */
	char *head;
	size_t head_len;
	bool head_done;
	size_t head_lines; /* --header N (:, 1) */
	regex_t head_re; /* or a regular expression */
	bool head_regex;
	bool eof;
	bool failed;
	bool warned;
	size_t nblocks; /* cut so far */
	bool drop_blank; /* -r */
	size_t judged; /* -r: the records before it have no blank line */
	bool rrs; /* --rrs */
	int64_t bt_ns; /* --block-timeout; 0: none */
	int64_t bt_since; /* when the records not in a block began */
	bool bt_due; /* the time is up: whole records make a block */
	char *dir; /* --cat, --fifo: where their files go */
	size_t nfiles;
	int sweep_fd; /* held open: the sweeper empties dir when it closes */
	/* --pipe-part: block i is pos[i]..pos[i+1] of the file. */
	bool part;
	int64_t *pos;
	size_t npos, next;
};

uint64_t
pipe_block_bytes(const struct pipe_block *b)
{
	return b->bytes;
}

void
pipe_block_cmd(const struct pipe_block *b, struct exec_cmd *cmd)
{
	if (b->path && !b->data && !b->nranges)
		return; /* --cat: it reads its file */
	/* Never NULL: a job given an empty block reads its end at once. */
	cmd->input = b->data ? b->data : "";
	cmd->input_len = b->data ? b->len : 0;
	cmd->input_ranges = b->ranges;
	cmd->input_nranges = b->nranges;
	cmd->input_fifo = b->path;
}

void
pipe_block_more(const struct pipe_block *b, const void **p, size_t *n)
{
	*p = b->data ? b->data + b->head : "";
	*n = b->data ? b->len - b->head : 0;
}

void
pipe_block_free(struct pipe_block *b)
{
	if (!b)
		return;
	if (b->path)
		unlink(b->path);
	free(b->path);
	if (b->own_data)
		free(b->alloc);
	free(b);
}

/* How many jobs run at once, as -j says, for --pipe-part's blocks. */
static long
slots_of(const struct options *o)
{
	long ncpu = util_ncpu(), n;

	if (o->jobs_file)
		n = options_jobs_from_file(o->jobs_file);
	else
		n = o->jobs_spec ? util_jobs_from_spec(o->jobs_spec, ncpu)
				 : ncpu;
	return n > 0 ? n : ncpu;
}

/*
 * The header at the start of p[0..len): its length, 0 for none, NONE when
 * more bytes must come to tell (all came, or a block's worth: full).
 */
static size_t
header_len(const struct pipe_reader *r, const char *p, size_t len, bool full)
{
	regmatch_t m;
	const char *q = p;
	size_t i;

	if (len == 0)
		return full ? 0 : NONE;
	if (r->head_lines) {
		for (i = 0; i < r->head_lines; i++, q++)
			if (!(q = memchr(q, '\n', len - (size_t)(q - p))))
				return full ? 0 : NONE;
		return (size_t)(q - p);
	}
	m.rm_so = 0;
	m.rm_eo = (regoff_t)(len < INT_MAX ? len : INT_MAX);
	if (regexec(&r->head_re, p, 1, &m, REG_STARTEND) == 0 && m.rm_so == 0)
		return (size_t)m.rm_eo;
	return full ? 0 : NONE;
}

static void
header_setup(struct pipe_reader *r, const char *spec)
{
	char *end;
	unsigned long n;

	r->head_done = !spec;
	if (!spec)
		return;
	if (strcmp(spec, ":") == 0) {
		r->head_lines = 1;
		return;
	}
	n = strtoul(spec, &end, 10);
	if (*spec >= '0' && *spec <= '9' && !*end) {
		r->head_lines = n;
		r->head_done = n == 0;
		return;
	}
	if (compile(&r->head_re, "--header", spec, REG_NEWLINE) < 0)
		exit(FANOUT_STATUS_ERROR);
	r->head_regex = true;
}

/* The sweeper's work: remove dir's files and dir itself. */
static void
sweep(const char *dir)
{
	struct dirent *e;
	DIR *d;
	int dfd;

	if (!(d = opendir(dir)))
		return;
	dfd = dirfd(d);
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			unlinkat(dfd, e->d_name, 0);
	closedir(d);
	rmdir(dir);
}

/*
 * A process of its own (its own session, so ^C does not reach it; not
 * fanout's child, so nothing waits for it) that waits until fanout's end
 * of a pipe closes, however fanout ends, kill -9 included, and then
 * removes what is left of dir. Returns fanout's end, or -1.
 */
static int
start_sweeper(const char *dir)
{
	int p[2], st;
	pid_t pid;
	char c;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	if ((pid = fork()) == 0) {
		if (fork() != 0)
			_exit(0);
		setsid();
		dup2(p[0], 0);
		closefrom(1);
		while (read(0, &c, 1) < 0 && errno == EINTR)
			;
		sweep(dir);
		_exit(0);
	}
	close(p[0]);
	if (pid < 0) {
		close(p[1]);
		return -1;
	}
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return p[1];
}

static int
make_dir(struct pipe_reader *r)
{
	char *dir = xasprintf("%s/fanout-pipe.XXXXXX", collector_spool_dir());

	if (!mkdtemp(dir)) {
		error("cannot make a directory in '%s': %s",
		    collector_spool_dir(), strerror(errno));
		free(dir);
		return -1;
	}
	r->dir = dir;
	/* Without a sweeper, only a fanout killed with SIGKILL leaves files. */
	r->sweep_fd = start_sweeper(dir);
	return 0;
}

/* Copy the --pipe-part ranges of b to fd. */
static int
copy_ranges(const struct pipe_block *b, int fd)
{
	loff_t off;
	int64_t left;
	ssize_t n;
	size_t i;

	for (i = 0; i < b->nranges; i++) {
		off = b->ranges[i].off;
		for (left = b->ranges[i].len; left > 0; left -= n) {
			n = copy_file_range(
			    b->ranges[i].fd, &off, fd, NULL, (size_t)left, 0);
			if (n < 0 && errno == EINTR)
				n = 0;
			else if (n <= 0)
				return -1;
		}
	}
	return 0;
}

/* --cat: the block into a file of its own; --fifo: a FIFO for it. */
static int
block_file(struct pipe_reader *r, struct pipe_block *b)
{
	int fd, saved;

	if (!r->dir && make_dir(r) < 0)
		return -1;
	b->path = xasprintf("%s/%zu", r->dir, ++r->nfiles);
	if (r->mode == PIPE_FIFO) {
		if (mkfifo(b->path, 0600) == 0)
			return 0;
		return error(
		    "cannot make FIFO '%s': %s", b->path, strerror(errno));
	}
	fd = open(b->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 || util_write_all(fd, b->data, b->len, NULL) < 0 ||
	    copy_ranges(b, fd) < 0 || close(fd) < 0) {
		saved = errno;
		if (fd >= 0)
			close(fd);
		return error("cannot write '%s': %s", b->path, strerror(saved));
	}
	if (b->own_data)
		free(b->alloc);
	b->data = NULL;
	b->own_data = false;
	b->nranges = 0;
	return 0;
}

/* Where the records not yet in a block start. */
static char *
unread(const struct pipe_reader *r)
{
	return r->buf + r->base + r->off;
}

/*
 * A block of the records before cut. A small one is copied out (-N 1
 * over a full buffer must not copy the rest for each record); a large one
 * takes the buffer, and the rest begins a new one.
 */
static struct pipe_block *
take_block(struct pipe_reader *r, size_t cut)
{
	struct pipe_block *b = xcalloc(1, sizeof *b);
	size_t rest = r->len - cut, want;
	char *next;

	b->own_data = true;
	b->head = r->head_len;
	b->len = b->bytes = r->head_len + cut;
	r->judged = r->judged > cut ? r->judged - cut : 0;
	if (cut < rest) {
		b->alloc = b->data = xmalloc(b->len + 1);
		if (r->head_len)
			memcpy(b->data, r->head, r->head_len);
		memcpy(b->data + r->head_len, unread(r), cut);
		r->off += cut;
		r->len = rest;
		return b;
	}
	/* The header's copy goes right before the records. */
	memmove(r->buf + r->off, r->buf, r->base);
	b->alloc = r->buf;
	b->data = r->buf + r->off;
	/* The next buffer as big as this one grew: no growing again. */
	if (r->cap - r->base > r->cap_hint)
		r->cap_hint = r->cap - r->base;
	want = r->cap_hint < r->limit ? r->cap_hint : r->limit;
	r->cap = r->head_len + (rest > want ? rest : want);
	next = xmalloc(r->cap + 1);
	if (r->head_len)
		memcpy(next, r->head, r->head_len);
	memcpy(next + r->head_len, unread(r) + cut, rest);
	next[r->head_len + rest] = '\0';
	r->buf = next;
	r->base = r->head_len;
	r->off = 0;
	r->len = rest;
	return b;
}

/* A record longer than a block: blocks grow, as in GNU parallel. */
static void
grow(struct pipe_reader *r)
{
	size_t old = r->limit;

	r->limit = (size_t)ceil((double)r->limit * 1.3 + 1);
	if (!r->warned && !r->nrec)
		warnx("a record is longer than the block size (%zu bytes): "
		      "blocks grow to hold it",
		    old);
	r->warned = true;
}

/* The header, before the first block: -1 when more bytes must come. */
static int
take_header(struct pipe_reader *r)
{
	size_t len;

	if (!r->buf && !r->eof)
		return -1;
	len = header_len(r, r->buf, r->len, r->eof || r->len >= r->limit);
	if (len == NONE)
		return -1;
	r->head = xmalloc(len + 1);
	memcpy(r->head, r->buf, len);
	r->head_len = r->base = len;
	r->len -= len;
	r->head_done = true;
	return 0;
}

/* --block-timeout: whether the records read so far must make a block. */
static bool
timed_out(struct pipe_reader *r)
{
	if (!r->bt_ns || r->len == 0 || r->eof)
		return false;
	if (!r->bt_due && util_now() - r->bt_since >= r->bt_ns)
		r->bt_due = true;
	return r->bt_due;
}

/* The block of the records before cut, --rrs done. */
static struct pipe_block *
cut_block(struct pipe_reader *r, size_t cut)
{
	struct pipe_block *b = take_block(r, cut);

	r->nblocks++;
	if (r->bt_ns) {
		r->bt_due = false;
		r->bt_since = util_now();
	}
	if (r->rrs) {
		b->data[b->len] = '\0'; /* for regexec() */
		b->len = b->bytes = b->head +
		    pipe_remove_seps(
			r->split, b->data + b->head, b->len - b->head);
	}
	return b;
}

static int
stdin_next(struct pipe_reader *r, struct pipe_block **out)
{
	bool first = r->nblocks == 0, full;
	size_t cut;

	if (!r->head_done && take_header(r) < 0)
		return INPUT_WAIT;
	/* -r: as in GNU parallel, a block's worth read makes a block of the
	 * whole records left of it. */
	full = r->len >= r->limit;
	if (r->drop_blank && r->buf) {
		r->len = pipe_drop_blank(unread(r), r->len, &r->judged);
		unread(r)[r->len] = '\0';
	}
	if (r->len == 0 && r->eof)
		return r->failed ? INPUT_ERROR : INPUT_END;
	cut = pipe_cut(
	    r->split, unread(r), r->len, r->limit, r->nrec, r->eof, first);
	/* Time is up: the whole records there are, as if a block's worth. */
	if (cut == 0 && r->len < r->limit && (full || timed_out(r)))
		cut = pipe_cut(
		    r->split, unread(r), r->len, r->len, r->nrec, false, first);
	if (cut == 0) {
		if (r->len >= r->limit)
			grow(r);
		return INPUT_WAIT;
	}
	*out = cut_block(r, cut);
	return INPUT_ITEM;
}

static int
part_next(struct pipe_reader *r, struct pipe_block **out)
{
	struct pipe_block *b;

	if (r->next + 1 >= r->npos)
		return INPUT_END;
	b = xcalloc(1, sizeof *b);
	/* The header from the file too: splice() all (a write() first
	 * makes the splices after it many times slower). */
	if (r->head_len)
		b->ranges[b->nranges++] =
		    (struct exec_range){r->fd, 0, (int64_t)r->head_len};
	b->ranges[b->nranges++] = (struct exec_range){
	    r->fd, r->pos[r->next], r->pos[r->next + 1] - r->pos[r->next]};
	b->bytes = r->head_len + (uint64_t)b->ranges[b->nranges - 1].len;
	r->next++;
	*out = b;
	return INPUT_ITEM;
}

int
pipe_reader_next(
    struct pipe_reader *r, struct pipe_block **out, const char **name)
{
	int rc = r->part ? part_next(r, out) : stdin_next(r, out);

	*name = NULL;
	if (rc != INPUT_ITEM || r->mode == PIPE_STDIN)
		return rc;
	if (block_file(r, *out) < 0) {
		pipe_block_free(*out);
		*out = NULL;
		r->failed = r->eof = true;
		r->len = 0;
		r->next = r->npos;
		return INPUT_ERROR;
	}
	*name = (*out)->path;
	return rc;
}

int
pipe_reader_fd(const struct pipe_reader *r)
{
	return r->part ? -1 : r->fd;
}

int64_t
pipe_reader_deadline(const struct pipe_reader *r)
{
	if (!r->bt_ns || r->part || r->eof || r->bt_due || r->len == 0)
		return INT64_MAX;
	return r->bt_since + r->bt_ns;
}

/* Room in buf for what a block may still take. */
static size_t
room(struct pipe_reader *r)
{
	size_t want = r->base + r->limit, cap;

	if (r->base + r->off + r->len < r->cap)
		return r->cap - r->base - r->off - r->len;
	if (r->off) {
		/* Small blocks went out of the front: move the rest there. */
		memmove(r->buf + r->base, unread(r), r->len);
		r->off = 0;
		if (r->base + r->len < r->cap)
			return r->cap - r->base - r->len;
	}
	cap = r->cap ? r->cap * 2 : r->base + DEFAULT_BLOCK;
	if (cap > want)
		cap = want;
	if (cap < r->base + r->len + 1)
		cap = r->base + r->len + 1;
	r->buf = xrealloc(r->buf, cap + 1);
	r->cap = cap;
	return cap - r->base - r->len;
}

int
pipe_reader_fill(struct pipe_reader *r)
{
	struct pollfd pfd = {.fd = r->fd, .events = POLLIN};
	size_t want;
	ssize_t n;
	int round;

	/* --block-timeout: a block's time starts with its first byte. */
	if (r->bt_ns && r->len == 0)
		r->bt_since = util_now();
	for (round = 0; round < FILL_READS && !r->eof; round++) {
		if (r->len >= r->limit)
			return 0;
		want = room(r);
		if (want > r->limit - r->len)
			want = r->limit - r->len;
		n = read(r->fd, unread(r) + r->len, want);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return 0;
		if (n < 0) {
			r->eof = r->failed = true;
			return error(
			    "cannot read %s: %s", r->name, strerror(errno));
		}
		r->eof = n == 0;
		r->len += (size_t)n;
		/* regexec() under AddressSanitizer reads to a NUL. */
		unread(r)[r->len] = '\0';
		if (poll(&pfd, 1, 0) <= 0)
			break;
	}
	return 0;
}

/* Read bytes of the --pipe-part file from off to p until full or eof. */
static size_t
read_at(const struct pipe_reader *r, char *p, size_t n, int64_t off)
{
	ssize_t got;
	size_t done = 0;

	while (done < n) {
		got =
		    pread(r->fd, p + done, n - done, (off_t)off + (off_t)done);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			fatal("cannot read %s", r->name);
		if (got == 0)
			break;
		done += (size_t)got;
	}
	return done;
}

static void
add_pos(struct pipe_reader *r, int64_t pos)
{
	if ((r->npos & (r->npos - 1)) == 0)
		r->pos = xreallocarray(
		    r->pos, r->npos ? 2 * r->npos : 1, sizeof *r->pos);
	r->pos[r->npos++] = pos;
}

/* The first split at pos or later in the file, or -1: none. */
static int64_t
split_from(const struct pipe_reader *r, int64_t pos, int64_t size)
{
	struct buf b = BUF_INIT;
	size_t at = NONE, n;

	while (at == NONE && pos + (int64_t)b.len < size) {
		buf_grow(&b, SCAN_CHUNK);
		n = read_at(
		    r, b.data + b.len, SCAN_CHUNK, pos + (int64_t)b.len);
		if (n == 0)
			break;
		b.len += n;
		b.data[b.len] = '\0';
		at = pipe_split_after(r->split, b.data, b.len, 0);
	}
	buf_release(&b);
	return at == NONE ? -1 : pos + (int64_t)at;
}

/* --pipe-part: the header, read from the file's start as far as needed. */
static void
part_header(struct pipe_reader *r, int64_t size)
{
	struct buf b = BUF_INIT;
	size_t n, len = NONE;
	bool all = false;

	while (len == NONE) {
		buf_grow(&b, b.len ? b.len : SCAN_CHUNK);
		n = read_at(
		    r, b.data + b.len, b.cap - b.len - 1, (int64_t)b.len);
		b.len += n;
		all = n == 0 || (int64_t)b.len >= size || b.len >= r->limit;
		len = header_len(r, b.data, b.len, all);
	}
	r->head_len = len;
	r->head = buf_detach(&b, NULL);
	r->head_done = true;
}

/*
 * --pipe-part: the header, then where each block begins, as GNU parallel
 * finds them: from the header on, each block ends at the first record end
 * at least a block's size after its start.
 */
static void
part_setup(struct pipe_reader *r, const struct options *o)
{
	struct stat st;
	int64_t size, block, pos, at;

	if (fstat(r->fd, &st) < 0 || !(S_ISREG(st.st_mode)))
		fatalx("--pipe-part: %s is not a file fanout can seek in "
		       "(for a pipe use --pipe)",
		    r->name);
	size = st.st_size;
	block = o->block_size > 0 ? o->block_size : 0;
	if (block == 0) {
		long long per =
		    o->block_size < 0 ? -o->block_size : PART_BLOCKS_A_SLOT;

		block = 1 + size / slots_of(o) / per;
	}
	r->limit = (size_t)block;
	if (!r->head_done)
		part_header(r, size);
	pos = (int64_t)r->head_len;
	add_pos(r, pos);
	for (pos += block; pos < size; pos += block) {
		at = split_from(r, pos, size);
		if (at < 0)
			break;
		add_pos(r, pos = at);
	}
	if (r->pos[r->npos - 1] != size)
		add_pos(r, size);
}

/*
 * When the input is a pipe, make it as large as a user may (1M by
 * default): the producer then writes a block ahead while jobs run, and
 * each read takes up to 1M instead of 64K.
 */
static void
widen_pipe(int fd)
{
	struct stat st;

	if (fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode))
		(void)fcntl(fd, F_SETPIPE_SZ, DEFAULT_BLOCK);
}

struct pipe_reader *
pipe_reader_new(const struct options *o)
{
	struct pipe_reader *r = xcalloc(1, sizeof *r);
	const char *path = o->ngroups ? o->groups[0].path : "-";

	r->split = pipe_split_new(o->recstart, o->recend, o->regexp);
	if (!r->split)
		exit(FANOUT_STATUS_ERROR);
	r->mode = o->cat ? PIPE_CAT : o->fifo ? PIPE_FIFO : PIPE_STDIN;
	/* GNU parallel: -N N -L L is N * L records; -L alone, lines. */
	r->nrec = o->pipe_nrec * (o->pipe_lines ? o->pipe_lines : 1);
	if (o->pipe_lines && !r->nrec)
		pipe_split_lines(r->split, o->pipe_lines);
	r->drop_blank = o->skip_empty;
	r->rrs = o->remove_rec_sep;
	r->bt_ns = (int64_t)(o->block_timeout * 1e9);
	r->limit = o->block_size > 0 ? (size_t)o->block_size : DEFAULT_BLOCK;
	r->cap_hint = r->limit < DEFAULT_BLOCK ? r->limit : DEFAULT_BLOCK;
	header_setup(r, o->header);
	r->fd = util_open_input(path, &r->name, &r->owned);
	r->part = o->pipe_part;
	if (r->part)
		part_setup(r, o);
	else
		widen_pipe(r->fd);
	return r;
}

void
pipe_reader_free(struct pipe_reader *r)
{
	if (!r)
		return;
	if (r->owned)
		close(r->fd);
	if (r->head_regex)
		regfree(&r->head_re);
	free(r->head);
	free(r->buf);
	free(r->pos);
	free(r->name);
	pipe_split_free(r->split);
	if (r->dir)
		rmdir(r->dir);
	if (r->dir && r->sweep_fd >= 0)
		close(r->sweep_fd);
	free(r->dir);
	free(r);
}
