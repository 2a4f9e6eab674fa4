/*
 * Logins and host lists: -S values, --slf files and Slurm's node lists
 * read into struct hosts_list. The rules are in hosts.h.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "hosts.h"
#include "xalloc.h"

#define STR(x) STR_(x)
#define STR_(x) #x

/* LO-HI of a bracket group; LO's width is kept. */
struct range {
	unsigned long long lo, hi;
	int width;
};

/* A bracket group of a host pattern: the pattern's [start, end). */
struct group {
	size_t start, end;
	struct range *r;
	size_t nr;
};

/* One login as written, split up; the pointers are into login. */
struct spec {
	const char *login;
	int slots;
	const char *user;
	size_t userlen;
	const char *host; /* the pattern; an IPv6 address without [] */
	size_t hostlen;
	bool v6; /* written in brackets */
	const char *port;
	size_t portlen;
	int portnum;
	bool local;
	const char *groups; /* @groups/: the names, '+'-separated */
	size_t groupslen;
	struct group *g;
	size_t ng;
	size_t count; /* hosts it expands to */
};

/* s as 'text', unprintable bytes as \xHH, appended to b. */
static void
add_quoted(struct buf *b, const char *s, size_t len)
{
	char hex[8];
	size_t i;

	buf_addch(b, '\'');
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c >= 0x7f) {
			snprintf(hex, sizeof hex, "\\x%02x", c);
			buf_addstr(b, hex);
		} else
			buf_addch(b, c);
	}
	buf_addch(b, '\'');
}

/*
 * *err = "'LOGIN': PRE'SUBJ'POST" (no 'SUBJ' when subj is NULL); -1.
 */
static int
refuse(char **err, const char *login, const char *pre, const char *subj,
    size_t subjlen, const char *post)
{
	struct buf b = BUF_INIT;

	add_quoted(&b, login, strlen(login));
	buf_addstr(&b, ": ");
	buf_addstr(&b, pre);
	if (subj)
		add_quoted(&b, subj, subjlen);
	buf_addstr(&b, post);
	*err = buf_detach(&b, NULL);
	return -1;
}

static int
refuse_many(char **err, const char *login)
{
	return refuse(
	    err, login, "more than " STR(HOSTS_MAX) " hosts", NULL, 0, "");
}

static int
refuse_long(char **err, const char *login)
{
	return refuse(err, login,
	    "host longer than " STR(HOSTS_NAME_MAX) " bytes", NULL, 0, "");
}

/* *err = PREFIX + *err. */
static void
prefix_error(char **err, const char *prefix)
{
	char *msg = xasprintf("%s%s", prefix, *err);

	free(*err);
	*err = msg;
}

/* Up to 18 decimal digits, nothing else: 0 and *v, or -1. */
static int
parse_digits(const char *s, size_t len, unsigned long long *v)
{
	size_t i;

	if (len == 0 || len > 18)
		return -1;
	*v = 0;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		*v = *v * 10 + (unsigned long long)(s[i] - '0');
	}
	return 0;
}

static bool
is_host_char(char c)
{
	return isascii((unsigned char)c) &&
	    (isalnum((unsigned char)c) || c == '.' || c == '_' || c == '-');
}

/* An IPv6 address as inet_pton() reads it, then maybe a zone: %eth0. */
static bool
is_ipv6(const char *s, size_t len)
{
	struct in6_addr a;
	char addr[INET6_ADDRSTRLEN];
	const char *zone = memchr(s, '%', len);
	size_t n = zone ? (size_t)(zone - s) : len, i;

	if (n >= sizeof addr || (zone && zone + 1 == s + len))
		return false;
	memcpy(addr, s, n);
	addr[n] = '\0';
	for (i = n + 1; i < len; i++)
		if (!is_host_char(s[i]))
			return false;
	return inet_pton(AF_INET6, addr, &a) == 1;
}

/* The ranges inside the brackets of g: "1-3,7". */
static int
parse_group(struct spec *sp, struct group *g, size_t *count, char **err)
{
	const char *s = sp->host + g->start + 1, *end = sp->host + g->end - 1;
	const char *comma, *dash;
	struct range *r;
	size_t n = 0;

	*count = 0;
	for (;;) {
		if (!(comma = memchr(s, ',', (size_t)(end - s))))
			comma = end;
		if (comma == s)
			return refuse(err, sp->login, "empty range in ",
			    sp->host + g->start, g->end - g->start, "");
		g->r = xreallocarray(g->r, n + 1, sizeof *g->r);
		r = &g->r[n++];
		g->nr = n;
		if (!(dash = memchr(s, '-', (size_t)(comma - s))))
			dash = comma;
		if (parse_digits(s, (size_t)(dash - s), &r->lo) < 0 ||
		    parse_digits(dash == comma ? s : dash + 1,
			(size_t)(comma - (dash == comma ? s : dash + 1)),
			&r->hi) < 0)
			return refuse(err, sp->login, "bad range ", s,
			    (size_t)(comma - s), " (numbers only)");
		if (r->lo > r->hi)
			return refuse(err, sp->login, "reversed range ", s,
			    (size_t)(comma - s), "");
		r->width = (int)(dash - s);
		if (r->hi - r->lo >= HOSTS_MAX ||
		    (*count += r->hi - r->lo + 1) > HOSTS_MAX)
			return refuse_many(err, sp->login);
		if (comma == end)
			return 0;
		s = comma + 1;
	}
}

/* The host pattern's characters and bracket groups; sp->count. */
static int
scan_pattern(struct spec *sp, char **err)
{
	const char *h = sp->host;
	size_t i, j, n = sp->hostlen, count;
	struct group *g;

	if (n == 0)
		return refuse(err, sp->login, "empty host", NULL, 0, "");
	if (h[0] == '-')
		return refuse(err, sp->login, "a host cannot start with '-'",
		    NULL, 0, "");
	sp->count = 1;
	for (i = 0; i < n; i++) {
		if (h[i] == ']')
			return refuse(
			    err, sp->login, "unbalanced ']'", NULL, 0, "");
		if (h[i] != '[') {
			if (!is_host_char(h[i]))
				return refuse(err, sp->login, "unexpected ",
				    &h[i], 1, " in the host");
			continue;
		}
		for (j = i + 1; j < n && h[j] != ']'; j++)
			if (h[j] == '[')
				return refuse(
				    err, sp->login, "nested '['", NULL, 0, "");
		if (j == n)
			return refuse(
			    err, sp->login, "unbalanced '['", NULL, 0, "");
		sp->g = xreallocarray(sp->g, sp->ng + 1, sizeof *sp->g);
		g = &sp->g[sp->ng++];
		*g = (struct group){i, j + 1, NULL, 0};
		if (parse_group(sp, g, &count, err) < 0)
			return -1;
		if ((sp->count *= count) > HOSTS_MAX)
			return refuse_many(err, sp->login);
		i = j;
	}
	if (sp->ng == 0 && strspn(h, ".") >= n)
		return refuse(err, sp->login, "not a host name", NULL, 0, "");
	return 0;
}

static int
check_user(struct spec *sp, char **err)
{
	const char *u = sp->user;
	size_t i;

	if (sp->userlen == 0)
		return refuse(err, sp->login, "empty user name", NULL, 0, "");
	if (memchr(u, ':', sp->userlen))
		return refuse(err, sp->login,
		    "passwords are not supported in a login (use ssh-agent or "
		    "a key)",
		    NULL, 0, "");
	if (u[0] == '-')
		return refuse(err, sp->login,
		    "a user name cannot start with '-'", NULL, 0, "");
	if (sp->userlen > HOSTS_NAME_MAX)
		return refuse(err, sp->login,
		    "user name longer than " STR(HOSTS_NAME_MAX) " bytes", NULL,
		    0, "");
	for (i = 0; i < sp->userlen; i++)
		if (!is_host_char(u[i]) && u[i] != '$')
			return refuse(err, sp->login, "unexpected ", &u[i], 1,
			    " in the user name");
	return 0;
}

/* Where host[:port] (s) splits: an IPv6 address, or at a ':' outside []. */
static int
split_host_port(struct spec *sp, const char *s, char **err)
{
	const char *p = strchr(s, ']');
	size_t colons = 0, i;
	bool in = false;

	if (*s == '[' && p && memchr(s, ':', (size_t)(p - s))) {
		sp->v6 = true;
		sp->host = s + 1;
		sp->hostlen = (size_t)(p - s - 1);
		if (!is_ipv6(sp->host, sp->hostlen))
			return refuse(err, sp->login, "bad IPv6 address ",
			    sp->host, sp->hostlen, "");
		if (p[1] != '\0' && p[1] != ':')
			return refuse(err, sp->login, "unexpected ", p + 1, 1,
			    " after ']'");
		sp->port = p[1] ? p + 2 : NULL;
		return 0;
	}
	sp->host = s;
	for (i = 0; s[i]; i++)
		colons += s[i] == ':';
	if (colons >= 2 && !strchr(s, '[')) {
		if (!is_ipv6(s, i))
			return refuse(err, sp->login,
			    "more than one ':' (an IPv6 address with a port is "
			    "written [ADDR]:PORT)",
			    NULL, 0, "");
		sp->hostlen = i;
		return 0;
	}
	for (i = 0; s[i] && (in || s[i] != ':'); i++)
		if (s[i] == '[' || s[i] == ']')
			in = s[i] == '[';
	sp->hostlen = i;
	sp->port = s[i] ? s + i + 1 : NULL;
	return scan_pattern(sp, err);
}

static bool
is_group_char(char c)
{
	return c > ' ' && c < 0x7f && !strchr("/,+[]", c);
}

/* @g1+g2/ at the start of s: sp->groups, and *rest after its '/'. */
static int
split_groups(struct spec *sp, const char *s, const char **rest, char **err)
{
	const char *slash = strchr(s, '/'), *g, *end;
	size_t i;

	if (!slash)
		return refuse(err, sp->login,
		    "a host group needs a login after it, @GROUP/host (-S "
		    "@GROUP alone, to choose a group's logins, is not "
		    "supported)",
		    NULL, 0, "");
	sp->groups = s + 1;
	sp->groupslen = (size_t)(slash - s - 1);
	*rest = slash + 1;
	for (g = sp->groups;; g = end + 1) {
		if (!(end = memchr(g, '+', (size_t)(slash - g))))
			end = slash;
		if (end == g)
			return refuse(err, sp->login, "empty host group in ", s,
			    (size_t)(slash - s + 1), "");
		if ((size_t)(end - g) > HOSTS_NAME_MAX)
			return refuse(err, sp->login,
			    "host group longer than " STR(
				HOSTS_NAME_MAX) " bytes",
			    NULL, 0, "");
		for (i = 0; g + i < end; i++)
			if (!is_group_char(g[i]))
				return refuse(err, sp->login, "unexpected ",
				    g + i, 1, " in a host group");
		if (end == slash)
			return 0;
	}
}

/* Split sp->login into its parts and check each. */
static int
split_login(struct spec *sp, char **err)
{
	const char *s = sp->login, *p;
	unsigned long long v;

	for (p = s; *p; p++)
		if (isspace((unsigned char)*p))
			return refuse(err, sp->login,
			    "a login is [@GROUPS/][N/][user@]host[:port], "
			    "without blanks",
			    NULL, 0, "");
	if (*s == '@' && split_groups(sp, s, &s, err) < 0)
		return -1;
	if ((p = strchr(s, '/'))) {
		if (parse_digits(s, (size_t)(p - s), &v) < 0 || v < 1 ||
		    v > HOSTS_SLOTS_MAX)
			return refuse(err, sp->login, "bad slot count ", s,
			    (size_t)(p - s),
			    " (1 to " STR(HOSTS_SLOTS_MAX) ")");
		sp->slots = (int)v;
		s = p + 1;
	}
	if (strcmp(s, ":") == 0) {
		sp->local = true;
		sp->count = 1;
		return 0;
	}
	if ((p = strchr(s, '@'))) {
		sp->user = s;
		sp->userlen = (size_t)(p - s);
		if (check_user(sp, err) < 0)
			return -1;
		s = p + 1;
	}
	if (split_host_port(sp, s, err) < 0)
		return -1;
	if (sp->ng == 0 && sp->hostlen > HOSTS_NAME_MAX)
		return refuse_long(err, sp->login);
	if (!sp->port)
		return 0;
	sp->portlen = strlen(sp->port);
	if (parse_digits(sp->port, sp->portlen, &v) < 0 || v < 1 || v > 65535)
		return refuse(err, sp->login, "bad port ", sp->port,
		    sp->portlen, " (1 to 65535)");
	sp->portnum = (int)v;
	return 0;
}

/* Whether v (NULL-terminated or NULL) holds name. */
static bool
has_name(char *const *v, const char *name, size_t len)
{
	for (; v && *v; v++)
		if (strlen(*v) == len && memcmp(*v, name, len) == 0)
			return true;
	return false;
}

/* The '+'-separated names of text (len bytes) added to l's groups. */
static void
add_groups(struct hosts_login *l, const char *text, size_t len)
{
	const char *g = text, *end = text + len, *plus;
	size_t n = 0;

	while (l->groups && l->groups[n])
		n++;
	for (; g < end; g = plus + 1) {
		if (!(plus = memchr(g, '+', (size_t)(end - g))))
			plus = end;
		if (plus > g && !has_name(l->groups, g, (size_t)(plus - g))) {
			l->groups =
			    xreallocarray(l->groups, n + 2, sizeof *l->groups);
			l->groups[n++] = xstrndup(g, (size_t)(plus - g));
			l->groups[n] = NULL;
		}
	}
}

/* l->hgrp: its name, then its groups other than its name, '+'-joined. */
static void
set_hgrp(struct hosts_login *l)
{
	struct buf b = BUF_INIT;
	char **g;

	buf_addstr(&b, l->name);
	for (g = l->groups; g && *g; g++) {
		if (strcmp(*g, l->name) == 0)
			continue;
		buf_addch(&b, '+');
		buf_addstr(&b, *g);
	}
	free(l->hgrp);
	l->hgrp = buf_detach(&b, NULL);
}

/* Append a login for one host of sp (NULL: the local machine). */
static void
add_login(struct hosts_list *list, const struct spec *sp, const char *host,
    size_t hostlen)
{
	struct hosts_login *l;
	struct buf name = BUF_INIT;

	if (list->n == list->alloc) {
		list->alloc = list->alloc ? list->alloc * 2 : 16;
		list->v = xreallocarray(list->v, list->alloc, sizeof *list->v);
	}
	l = &list->v[list->n++];
	*l = (struct hosts_login){
	    NULL, NULL, NULL, sp->portnum, sp->slots, sp->local, NULL, NULL};
	if (sp->groups)
		add_groups(l, sp->groups, sp->groupslen);
	if (sp->local) {
		l->name = xstrdup(":");
		set_hgrp(l);
		return;
	}
	if (sp->user) {
		l->user = xstrndup(sp->user, sp->userlen);
		buf_addstr(&name, l->user);
		buf_addch(&name, '@');
	}
	l->host = xstrndup(host, hostlen);
	buf_addstr(&name, sp->v6 ? "[" : "");
	buf_addstr(&name, l->host);
	buf_addstr(&name, sp->v6 ? "]" : "");
	if (sp->port) {
		buf_addch(&name, ':');
		buf_add(&name, sp->port, sp->portlen);
	}
	l->name = buf_detach(&name, NULL);
	set_hgrp(l);
}

/* Into b: the host of sp with group k at range ri[k], value val[k]. */
static int
build_host(const struct spec *sp, const size_t *ri,
    const unsigned long long *val, struct buf *b, char **err)
{
	char num[32];
	size_t k, from = 0;

	buf_reset(b);
	for (k = 0; k < sp->ng; k++) {
		buf_add(b, sp->host + from, sp->g[k].start - from);
		snprintf(
		    num, sizeof num, "%0*llu", sp->g[k].r[ri[k]].width, val[k]);
		buf_addstr(b, num);
		from = sp->g[k].end;
	}
	buf_add(b, sp->host + from, sp->hostlen - from);
	if (b->len > HOSTS_NAME_MAX)
		return refuse_long(err, sp->login);
	return 0;
}

/* Every host of sp appended, the last group varying fastest. */
static int
expand(const struct spec *sp, struct hosts_list *list, char **err)
{
	size_t *ri = xcalloc(sp->ng + 1, sizeof *ri);
	unsigned long long *val = xcalloc(sp->ng + 1, sizeof *val);
	struct buf b = BUF_INIT;
	size_t k, left;
	int rc = 0;

	for (k = 0; k < sp->ng; k++)
		val[k] = sp->g[k].r[0].lo;
	for (left = sp->count; left > 0 && rc == 0; left--) {
		if ((rc = build_host(sp, ri, val, &b, err)) < 0)
			break;
		add_login(list, sp, b.data, b.len);
		for (k = sp->ng; k-- > 0;) {
			if (++val[k] <= sp->g[k].r[ri[k]].hi)
				break;
			if (++ri[k] == sp->g[k].nr)
				ri[k] = 0;
			val[k] = sp->g[k].r[ri[k]].lo;
			if (ri[k] != 0)
				break;
		}
	}
	buf_release(&b);
	free(ri);
	free(val);
	return rc;
}

/* One login, trimmed, of len bytes at s: its hosts appended. */
static int
parse_login(const char *s, size_t len, struct hosts_list *list, char **err)
{
	struct spec sp = {0};
	char *login = xstrndup(s, len);
	size_t k;
	int rc;

	sp.login = login;
	if ((rc = split_login(&sp, err)) == 0) {
		if (sp.count > HOSTS_MAX - list->n)
			rc = refuse_many(err, login);
		else if (sp.local || sp.ng == 0)
			add_login(list, &sp, sp.host, sp.hostlen);
		else
			rc = expand(&sp, list, err);
	}
	for (k = 0; k < sp.ng; k++)
		free(sp.g[k].r);
	free(sp.g);
	free(login);
	return rc;
}

static bool
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' ||
	    c == '\f';
}

/* The logins of text: commas outside brackets separate them. */
static int
parse_text(const char *text, size_t len, struct hosts_list *list, char **err)
{
	size_t i = 0, start, end;
	bool in = false;

	for (;;) {
		start = i;
		for (; i < len && (in || text[i] != ','); i++)
			if (text[i] == '[' || text[i] == ']')
				in = text[i] == '[';
		end = i;
		while (start < end && is_blank(text[start]))
			start++;
		while (end > start && is_blank(text[end - 1]))
			end--;
		if (start == end) {
			struct buf b = BUF_INIT;

			buf_addstr(&b, "empty login in ");
			add_quoted(&b, text, len);
			*err = buf_detach(&b, NULL);
			return -1;
		}
		if (parse_login(text + start, end - start, list, err) < 0)
			return -1;
		if (i++ == len)
			return 0;
	}
}

static void
login_release(struct hosts_login *l)
{
	char **g;

	free(l->name);
	free(l->user);
	free(l->host);
	for (g = l->groups; g && *g; g++)
		free(*g);
	free(l->groups);
	free(l->hgrp);
}

/* Drop the logins from n on. */
static void
truncate_list(struct hosts_list *list, size_t n)
{
	while (list->n > n)
		login_release(&list->v[--list->n]);
}

struct dup {
	const char *name;
	size_t i;
};

static int
dup_cmp(const void *a, const void *b)
{
	const struct dup *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (c)
		return c;
	return x->i < y->i ? -1 : x->i > y->i;
}

/*
 * Each name once, where first written; a later N/ replaces the slots, a
 * later one's groups join the first one's.
 */
static void
drop_duplicates(struct hosts_list *list)
{
	struct dup *d;
	bool *dead;
	size_t i, j, k;

	if (list->n < 2)
		return;
	d = xreallocarray(NULL, list->n, sizeof *d);
	dead = xcalloc(list->n, sizeof *dead);
	for (i = 0; i < list->n; i++)
		d[i] = (struct dup){list->v[i].name, i};
	qsort(d, list->n, sizeof *d, dup_cmp);
	for (i = 0; i < list->n; i = j) {
		for (j = i + 1; j < list->n && !strcmp(d[j].name, d[i].name);
		     j++) {
			struct hosts_login *first = &list->v[d[i].i];
			char **g;

			if (list->v[d[j].i].slots)
				first->slots = list->v[d[j].i].slots;
			for (g = list->v[d[j].i].groups; g && *g; g++)
				add_groups(first, *g, strlen(*g));
			if (list->v[d[j].i].groups)
				set_hgrp(first);
			dead[d[j].i] = true;
		}
	}
	for (i = k = 0; i < list->n; i++) {
		if (dead[i])
			login_release(&list->v[i]);
		else
			list->v[k++] = list->v[i];
	}
	list->n = k;
	free(dead);
	free(d);
}

/* The end of every public parser: all of it added, or none. */
static int
finish(struct hosts_list *list, size_t old, int rc)
{
	if (rc < 0)
		truncate_list(list, old);
	else
		drop_duplicates(list);
	return rc;
}

int
hosts_parse_list(const char *text, struct hosts_list *list, char **err)
{
	size_t old = list->n;

	*err = NULL;
	return finish(list, old, parse_text(text, strlen(text), list, err));
}

/* The lines of an --slf file; errors say ORIGIN:LINE. */
static int
parse_lines(const char *text, size_t len, const char *origin,
    struct hosts_list *list, char **err)
{
	const char *p = text, *end = text + len, *nl;
	size_t line = 0;
	char *prefix;
	int rc = 0;

	for (; p < end && rc == 0; p = nl + 1) {
		line++;
		if (!(nl = memchr(p, '\n', (size_t)(end - p))))
			nl = end;
		while (p < nl && is_blank(*p))
			p++;
		if (p == nl || *p == '#')
			continue;
		if (memchr(p, '\0', (size_t)(nl - p))) {
			*err = xstrdup("a NUL byte in the line");
			rc = -1;
		} else
			rc = parse_text(p, (size_t)(nl - p), list, err);
		if (rc < 0) {
			prefix = xasprintf("%s:%zu: ", origin, line);
			prefix_error(err, prefix);
			free(prefix);
		}
	}
	return rc;
}

int
hosts_parse_slf(const char *text, size_t len, const char *origin,
    struct hosts_list *list, char **err)
{
	size_t old = list->n;

	*err = NULL;
	return finish(list, old, parse_lines(text, len, origin, list, err));
}

/*
 * $SLURM_JOB_CPUS_PER_NODE's counts given to the logins from first on;
 * *nodes the number of nodes it counts; -1 when malformed.
 */
static int
slurm_cpus(const char *s, struct hosts_list *list, size_t first, size_t *nodes)
{
	unsigned long long cpus, times;
	size_t len, k;

	*nodes = 0;
	for (;;) {
		len = strspn(s, "0123456789");
		if (parse_digits(s, len, &cpus) < 0 || cpus < 1 ||
		    cpus > HOSTS_SLOTS_MAX)
			return -1;
		s += len;
		times = 1;
		if (strncmp(s, "(x", 2) == 0) {
			len = strspn(s + 2, "0123456789");
			if (parse_digits(s + 2, len, &times) < 0 || times < 1 ||
			    times > HOSTS_MAX || s[2 + len] != ')')
				return -1;
			s += len + 3;
		}
		for (k = 0; k < times && first + *nodes < list->n; k++)
			list->v[first + (*nodes)++].slots = (int)cpus;
		*nodes += times - k;
		if (*nodes > HOSTS_MAX)
			*nodes = HOSTS_MAX + 1; /* "more than HOSTS_MAX" */
		if (*s == '\0')
			return 0;
		if (*s++ != ',')
			return -1;
	}
}

/* A message about an environment variable and its quoted value. */
static int
refuse_env(char **err, const char *var, const char *value, const char *post)
{
	struct buf b = BUF_INIT;

	buf_addstr(&b, var);
	buf_addch(&b, ' ');
	add_quoted(&b, value, strlen(value));
	buf_addstr(&b, post);
	*err = buf_detach(&b, NULL);
	return -1;
}

static int
parse_slurm(
    const char *nodelist, const char *cpus, struct hosts_list *list, char **err)
{
	size_t old = list->n, i, nodes;
	char *msg;

	if (!nodelist || !cpus) {
		*err = xasprintf("%s is not set (not in a Slurm allocation?)",
		    nodelist ? "SLURM_JOB_CPUS_PER_NODE"
			     : "SLURM_JOB_NODELIST");
		return -1;
	}
	if (parse_text(nodelist, strlen(nodelist), list, err) < 0) {
		prefix_error(err, "SLURM_JOB_NODELIST: ");
		return -1;
	}
	for (i = old; i < list->n; i++)
		if (list->v[i].local || list->v[i].user || list->v[i].port ||
		    list->v[i].groups || list->v[i].slots)
			return refuse_env(err, "SLURM_JOB_NODELIST", nodelist,
			    ": node names only");
	if (slurm_cpus(cpus, list, old, &nodes) < 0)
		return refuse_env(err, "SLURM_JOB_CPUS_PER_NODE", cpus,
		    ": not of the form 72(x2),36");
	if (nodes != list->n - old) {
		msg =
		    xasprintf(" counts %s%zu nodes, SLURM_JOB_NODELIST has %zu",
			nodes > HOSTS_MAX ? "more than " : "",
			nodes > HOSTS_MAX ? (size_t)HOSTS_MAX : nodes,
			list->n - old);
		refuse_env(err, "SLURM_JOB_CPUS_PER_NODE", cpus, msg);
		free(msg);
		return -1;
	}
	return 0;
}

int
hosts_from_slurm(const char *nodelist, const char *cpus_per_node,
    struct hosts_list *list, char **err)
{
	size_t old = list->n;

	*err = NULL;
	return finish(
	    list, old, parse_slurm(nodelist, cpus_per_node, list, err));
}

size_t
hosts_arg_groups(const char *value, size_t len)
{
	const char *at = memchr(value, '@', len);

	return at && at + 1 < value + len ? (size_t)(at - value) : len;
}

bool
hosts_in_groups(const char *name, char *const *login_groups, const char *groups)
{
	const char *g = groups, *plus;
	size_t len;

	for (; *g; g = *plus ? plus + 1 : plus) {
		plus = strchrnul(g, '+');
		len = (size_t)(plus - g);
		if (len &&
		    ((strlen(name) == len && !memcmp(name, g, len)) ||
			has_name(login_groups, g, len)))
			return true;
	}
	return false;
}

void
hosts_list_release(struct hosts_list *list)
{
	truncate_list(list, 0);
	free(list->v);
	list->v = NULL;
	list->alloc = 0;
}
