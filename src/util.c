#include <ctype.h>
#include <stdio.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util.h"
#include "xalloc.h"

int64_t
util_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

double
util_wallclock(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

long
util_ncpu(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 0 ? n : 1;
}

long
util_jobs_from_spec(const char *spec, long ncpu)
{
	const char *p = spec;
	char *end;
	long v, n;
	int sign = 0;

	if (*p == '+' || *p == '-')
		sign = *p++ == '+' ? 1 : -1;
	if (!isdigit((unsigned char)*p))
		return -1;
	errno = 0;
	v = strtol(p, &end, 10);
	if (*end && !(*end == '%' && end[1] == '\0' && !sign))
		return -1;
	if (errno || v > UTIL_JOBS_MAX)
		return sign < 0 ? -2 : -3;
	if (*end == '%') {
		n = (ncpu * v + 99) / 100;
	} else if (sign) {
		n = ncpu + sign * v;
	} else if (v == 0) {
		return 0;
	} else {
		n = v;
	}
	return n < 1 ? -2 : n > UTIL_JOBS_MAX ? -3 : n;
}

static const struct {
	const char *name;
	int sig;
} signals[] = {
    {"HUP", SIGHUP},
    {"INT", SIGINT},
    {"QUIT", SIGQUIT},
    {"ILL", SIGILL},
    {"TRAP", SIGTRAP},
    {"ABRT", SIGABRT},
    {"BUS", SIGBUS},
    {"FPE", SIGFPE},
    {"KILL", SIGKILL},
    {"USR1", SIGUSR1},
    {"SEGV", SIGSEGV},
    {"USR2", SIGUSR2},
    {"PIPE", SIGPIPE},
    {"ALRM", SIGALRM},
    {"TERM", SIGTERM},
    {"CHLD", SIGCHLD},
    {"CONT", SIGCONT},
    {"STOP", SIGSTOP},
    {"TSTP", SIGTSTP},
    {"TTIN", SIGTTIN},
    {"TTOU", SIGTTOU},
    {"URG", SIGURG},
    {"XCPU", SIGXCPU},
    {"XFSZ", SIGXFSZ},
    {"VTALRM", SIGVTALRM},
    {"PROF", SIGPROF},
    {"WINCH", SIGWINCH},
    {"SYS", SIGSYS},
};

int
util_signal_number(const char *name)
{
	size_t i;
	char *end;
	long v;

	if (isdigit((unsigned char)*name)) {
		v = strtol(name, &end, 10);
		return (*end || v <= 0 || v >= NSIG) ? -1 : (int)v;
	}
	if (strncasecmp(name, "SIG", 3) == 0)
		name += 3;
	for (i = 0; i < sizeof signals / sizeof signals[0]; i++)
		if (strcasecmp(name, signals[i].name) == 0)
			return signals[i].sig;
	return -1;
}

int
util_write_all(int fd, const void *buf, size_t len, volatile const int *stop)
{
	const char *p = buf;
	ssize_t n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR && !(stop && *stop))
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int
util_set_nonblock(int fd, bool on)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0)
		return -1;
	fl = on ? (fl | O_NONBLOCK) : (fl & ~O_NONBLOCK);
	return fcntl(fd, F_SETFL, fl);
}

double
util_strtod_plain(const char *s, char **end)
{
	size_t n = strspn(s, "0123456789.");
	double v;

	*end = (char *)s;
	if (!isdigit((unsigned char)s[*s == '.']))
		return -1;
	/* Past DBL_MAX, strtod() gives HUGE_VAL: "huge" stays huge. */
	v = strtod(s, end);
	return *end == s + n ? v : -1;
}

long long
util_parse_size(const char *s)
{
	char *end;
	double v;
	double mul = 1;

	if ((v = util_strtod_plain(s, &end)) < 0)
		return -1;
	switch (*end) {
	case '\0':
		break;
	case 'k':
	case 'K':
		mul = 1024.0;
		break;
	case 'm':
	case 'M':
		mul = 1024.0 * 1024;
		break;
	case 'g':
	case 'G':
		mul = 1024.0 * 1024 * 1024;
		break;
	case 't':
	case 'T':
		mul = 1024.0 * 1024 * 1024 * 1024;
		break;
	default:
		return -1;
	}
	if (*end && end[1] != '\0' && strcmp(end + 1, "B") != 0 &&
	    strcmp(end + 1, "b") != 0)
		return -1;
	if (v * mul > 9e18)
		return -2;
	return (long long)(v * mul);
}

bool
util_is_devnull(int fd)
{
	struct stat st, null;

	return fstat(fd, &st) == 0 && S_ISCHR(st.st_mode) &&
	    stat("/dev/null", &null) == 0 && S_ISCHR(null.st_mode) &&
	    st.st_rdev == null.st_rdev;
}

long long
util_mem_available(void)
{
	FILE *fp = fopen("/proc/meminfo", "re");
	char line[256];
	long long kb = -1;

	if (!fp)
		return -1;
	while (fgets(line, sizeof line, fp))
		if (sscanf(line, "MemAvailable: %lld kB", &kb) == 1)
			break;
	fclose(fp);
	return kb < 0 ? -1 : kb * 1024;
}

char *
util_path_search(const char *name)
{
	const char *path = getenv("PATH"), *p, *end;
	struct stat st;
	char *cand;
	int err = ENOENT;

	for (p = path ? path : "/bin:/usr/bin";; p = end + 1) {
		end = strchrnul(p, ':');
		cand = end == p ? xasprintf("./%s", name)
				: xasprintf("%.*s/%s", (int)(end - p), p, name);
		if (stat(cand, &st) == 0) {
			if (S_ISREG(st.st_mode) && access(cand, X_OK) == 0)
				return cand;
			err = EACCES;
		}
		free(cand);
		if (!*end)
			break;
	}
	errno = err;
	return NULL;
}

/* Linux's MAX_ARG_STRLEN, less the NUL: the most one argument holds. */
#define ONE_ARG_MAX (128 * 1024 - 1)

size_t
util_command_max(void)
{
	extern char **environ;
	long arg_max = sysconf(_SC_ARG_MAX);
	size_t env = 4096, i, room;

	for (i = 0; environ[i]; i++)
		env += strlen(environ[i]) + 1 + sizeof(char *);
	if (arg_max <= 0 || (size_t)arg_max <= env)
		return ONE_ARG_MAX;
	room = (size_t)arg_max - env;
	return room < ONE_ARG_MAX ? room : ONE_ARG_MAX;
}

size_t
util_command_usable(void)
{
	size_t max = util_command_max();

	return max > 3000 + 2 ? (max - 3000) / 2 : 1;
}

long
util_running_procs(void)
{
	FILE *fp = fopen("/proc/loadavg", "re");
	long running = -1;

	if (!fp)
		return -1;
	if (fscanf(fp, "%*s %*s %*s %ld/", &running) != 1)
		running = -1;
	fclose(fp);
	return running > 0 ? running - 1 : running;
}

char *
util_read_file(const char *path, size_t max, size_t *lenp)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t len = 0, cap = 4096;
	char *buf;
	ssize_t r;

	if (fd < 0)
		return NULL;
	buf = xmalloc(cap + 1);
	for (;;) {
		if (len == cap) {
			if (cap > max) {
				errno = EFBIG;
				break;
			}
			cap *= 2;
			buf = xrealloc(buf, cap + 1);
		}
		r = read(fd, buf + len, cap - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += (size_t)r;
	}
	if (r < 0 || len > max) {
		if (len > max)
			errno = EFBIG;
		close(fd);
		free(buf);
		return NULL;
	}
	close(fd);
	buf[len] = '\0';
	*lenp = len;
	return buf;
}

int
util_open_input(const char *path, char **name, bool *owned)
{
	int fd;

	*owned = strcmp(path, "-") != 0;
	if (!*owned) {
		*name = xstrdup("standard input");
		return STDIN_FILENO;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		fatal("cannot open '%s'", path);
	*name = xasprintf("'%s'", path);
	return fd;
}

bool
util_blank(const char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!strchr(" \t\r\n\v\f", p[i]) || !p[i])
			return false;
	return true;
}

/* The expanded size of a pattern above which util_regcomp() refuses it. */
#define REGEX_EXPANDED_MAX 50000
#define REGEX_DEPTH_MAX 64
#define REGEX_STACKED_MAX 3

/* Past a bracket expression starting at p ('['): where it ends (']'). */
static const char *
bracket_end(const char *p)
{
	char c;

	p++;
	if (*p == '^')
		p++;
	if (*p == ']')
		p++;
	for (; *p && *p != ']'; p++) {
		if (*p != '[' || (p[1] != ':' && p[1] != '.' && p[1] != '='))
			continue;
		c = p[1];
		for (p += 2; *p && !(*p == c && p[1] == ']'); p++)
			;
		if (!*p)
			return NULL;
		p++;
	}
	return *p ? p : NULL;
}

/* A {n}, {n,} or {n,m} at p: its copies (n, m or n + 1), past it at *end. */
static double
interval(const char *p, const char **end)
{
	char *e;
	double n, m;

	if (!isdigit((unsigned char)p[1]))
		return -1;
	n = strtod(p + 1, &e);
	m = n + 1;
	if (*e == ',') {
		if (isdigit((unsigned char)e[1]))
			m = strtod(e + 1, &e);
		else
			e++;
	} else
		m = n;
	if (*e != '}')
		return -1;
	*end = e;
	return n > m ? n : m > 1 ? m : 1;
}

/* Whether the repetition at p follows another ("a**", "a+?", "a{2}*"). */
static bool
stacked(const char *start, const char *p)
{
	return p > start &&
	    (p[-1] == '*' || p[-1] == '+' || p[-1] == '?' || p[-1] == '}');
}

/*
 * How many nodes an extended regular expression becomes once glibc has
 * copied each repeated item (x+ is x x*, x{n,m} is m copies of x; a
 * repetition stacked on another counts as a +): a bound, not an exact count.
 * Past REGEX_EXPANDED_MAX it stops counting.
 */
static double
regex_expanded(const char *p)
{
	double sum[REGEX_DEPTH_MAX] = {0}, last[REGEX_DEPTH_MAX] = {0}, k;
	const char *q, *start = p;
	int d = 0;

	for (; *p && sum[d] <= REGEX_EXPANDED_MAX; p++) {
		k = 1;
		switch (*p) {
		case '\\':
			p += p[1] != '\0';
			break;
		case '[':
			if (!(q = bracket_end(p)))
				return 0; /* regcomp() says what is wrong */
			p = q;
			break;
		case '(':
			if (++d == REGEX_DEPTH_MAX)
				return REGEX_EXPANDED_MAX + 1;
			sum[d] = last[d] = 0;
			continue;
		case ')':
			if (d == 0)
				break;
			k = sum[d--];
			break;
		case '|':
			last[d] = 0;
			continue;
		case '*':
		case '?':
			/* Stacked on another: glibc's closures grow with each.
			 */
			if (!stacked(start, p))
				continue;
			/* FALLTHROUGH */
		case '+':
			sum[d] += last[d];
			last[d] *= 2;
			continue;
		case '{':
			if ((k = interval(p, &q)) < 0) {
				k = 1;
				break;
			}
			p = q;
			sum[d] += last[d] * (k - 1);
			last[d] *= k;
			continue;
		}
		last[d] = k;
		sum[d] += k;
	}
	while (d > 0 && sum[d] <= REGEX_EXPANDED_MAX)
		d--;
	return sum[d];
}

/*
 * One walk over an extended regular expression, outside bracket
 * expressions and escapes:
 * - the longest run of repetition operators in a row ("a+++" is 3):
 *   glibc's closures over stacked ones on an empty group ("()++++++")
 *   took longer than a minute;
 * - whether a ')' closes no '(': glibc takes it for a ')' byte, so the
 *   pattern put in "(...)" would be another one ("a)|b" there is
 *   "(a)|b)", unanchored). Perl, whose patterns GNU parallel takes,
 *   refuses it as well.
 */
static int
regex_scan(const char *p, bool *stray)
{
	const char *q, *start = p;
	int run = 0, most = 0;
	size_t depth = 0;

	*stray = false;
	for (; *p; p++) {
		if (*p == '*' || *p == '+' || *p == '?' ||
		    (*p == '{' && interval(p, &q) >= 0 && (p = q))) {
			if (p > start && ++run > most)
				most = run;
			continue;
		}
		run = 0;
		if (*p == '\\' && p[1])
			p++;
		else if (*p == '[' && (q = bracket_end(p)))
			p = q;
		else if (*p == '(')
			depth++;
		else if (*p == ')' && depth-- == 0)
			*stray = true;
	}
	return most;
}

unsigned
util_regex_asserts(const char *p)
{
	const char *q;
	unsigned what = 0;

	for (; *p; p++) {
		if (*p == '^')
			what |= REGEX_AT_START;
		else if (*p == '$')
			what |= REGEX_AT_END;
		else if (*p == '[' && (q = bracket_end(p)))
			p = q;
		else if (*p == '[')
			return REGEX_AT_START | REGEX_AT_END |
			    REGEX_WORD; /* not one regcomp() takes */
		else if (*p != '\\' || !*++p)
			continue;
		else if (*p == '`')
			what |= REGEX_AT_START;
		else if (*p == '\'')
			what |= REGEX_AT_END;
		else if (strchr("bB<>", *p))
			what |= REGEX_WORD;
	}
	return what;
}

int
util_regcomp(regex_t *re, const char *pat, int cflags, char *msg, size_t n)
{
	bool stray;
	int rc;

	if (regex_scan(pat, &stray) > REGEX_STACKED_MAX) {
		snprintf(msg, n, "more than %d repetition operators in a row",
		    REGEX_STACKED_MAX);
		return REG_BADRPT;
	}

	if (regex_expanded(pat) > REGEX_EXPANDED_MAX) {
		snprintf(msg, n,
		    "too many repetitions once expanded (at most %d nodes)",
		    REGEX_EXPANDED_MAX);
		return REG_ESIZE;
	}
	rc = regcomp(re, pat, cflags);
	if (rc) {
		regerror(rc, re, msg, n);
		return rc;
	}
	if ((cflags & REG_EXTENDED) && stray) {
		regfree(re);
		snprintf(
		    msg, n, "a ')' that closes no '(' (write \\) for one)");
		return REG_EPAREN;
	}
	return 0;
}
