#include <stdio.h>
#include <string.h>

#include "json.h"
#include "record.h"

void
utf8_check_feed(struct utf8_check *u, const char *data, size_t n)
{
	const unsigned char *p = (const unsigned char *)data;
	size_t i;

	for (i = 0; i < n && !u->bad; i++) {
		unsigned char c = p[i];

		if (u->need) {
			if (c < u->lo || c > u->hi) {
				u->bad = true;
				break;
			}
			u->need--;
			u->lo = 0x80;
			u->hi = 0xBF;
			continue;
		}
		if (c < 0x80)
			continue;
		u->lo = 0x80;
		u->hi = 0xBF;
		if (c >= 0xC2 && c <= 0xDF)
			u->need = 1;
		else if (c == 0xE0)
			u->need = 2, u->lo = 0xA0;
		else if (c == 0xED)
			u->need = 2, u->hi = 0x9F; /* no surrogates */
		else if (c >= 0xE1 && c <= 0xEF)
			u->need = 2;
		else if (c == 0xF0)
			u->need = 3, u->lo = 0x90;
		else if (c >= 0xF1 && c <= 0xF3)
			u->need = 3;
		else if (c == 0xF4)
			u->need = 3, u->hi = 0x8F;
		else
			u->bad = true;
	}
}

bool
utf8_check_valid(const struct utf8_check *u)
{
	return !u->bad && u->need == 0;
}

/* Length of the valid UTF-8 sequence at p, or 0. */
static size_t
utf8_seq(const char *p, size_t n)
{
	struct utf8_check u = {0};
	size_t i;

	for (i = 0; i < n && i < 4; i++) {
		utf8_check_feed(&u, p + i, 1);
		if (u.bad)
			return 0;
		if (u.need == 0)
			return i + 1;
	}
	return 0;
}

void
json_add_escaped(struct buf *b, const char *p, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, start = 0, len;
	unsigned char c;

	buf_grow(b, n + 2);
	for (i = 0; i < n;) {
		c = (unsigned char)p[i];
		if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0x80 && (len = utf8_seq(p + i, n - i)) > 0) {
			i += len;
			continue;
		}
		buf_add(b, p + start, i - start);
		switch (c) {
		case '"':
			buf_add(b, "\\\"", 2);
			break;
		case '\\':
			buf_add(b, "\\\\", 2);
			break;
		case '\n':
			buf_add(b, "\\n", 2);
			break;
		case '\t':
			buf_add(b, "\\t", 2);
			break;
		case '\r':
			buf_add(b, "\\r", 2);
			break;
		default:
			buf_add(b, "\\u00", 4);
			buf_addch(b, hex[c >> 4]);
			buf_addch(b, hex[c & 15]);
		}
		start = ++i;
	}
	buf_add(b, p + start, n - start);
}

void
json_add_string(struct buf *b, const char *p, size_t n)
{
	buf_addch(b, '"');
	json_add_escaped(b, p, n);
	buf_addch(b, '"');
}

static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void
base64_group(struct buf *out, const unsigned char *g, size_t n)
{
	char q[4];

	q[0] = b64[g[0] >> 2];
	q[1] = b64[((g[0] & 3) << 4) | (n > 1 ? g[1] >> 4 : 0)];
	q[2] = n > 1 ? b64[((g[1] & 15) << 2) | (n > 2 ? g[2] >> 6 : 0)] : '=';
	q[3] = n > 2 ? b64[g[2] & 63] : '=';
	buf_add(out, q, 4);
}

void
base64_feed(struct base64 *e, struct buf *out, const char *data, size_t n)
{
	const unsigned char *p = (const unsigned char *)data;

	buf_grow(out, (n / 3 + 2) * 4);
	/* Complete a group left over from the last chunk first. */
	while (n > 0 && e->ncarry > 0 && e->ncarry < 3) {
		e->carry[e->ncarry++] = *p++;
		n--;
	}
	if (e->ncarry == 3) {
		base64_group(out, e->carry, 3);
		e->ncarry = 0;
	}
	for (; n >= 3; p += 3, n -= 3)
		base64_group(out, p, 3);
	for (; n > 0; n--)
		e->carry[e->ncarry++] = *p++;
}

void
base64_finish(struct base64 *e, struct buf *out)
{
	if (e->ncarry)
		base64_group(out, e->carry, e->ncarry);
	e->ncarry = 0;
}

static bool
utf8_valid(const char *p, size_t n)
{
	struct utf8_check u = {0};

	utf8_check_feed(&u, p, n);
	return utf8_check_valid(&u);
}

/* Append p as a quoted string: as text, or base64 when base64 is set. */
static void
add_value(struct buf *b, const char *p, size_t n, bool base64)
{
	struct base64 e = {{0}, 0};

	if (!base64) {
		json_add_string(b, p, n);
		return;
	}
	buf_addch(b, '"');
	base64_feed(&e, b, p, n);
	base64_finish(&e, b);
	buf_addch(b, '"');
}

void
json_record_head(struct buf *b, const struct job_record *r)
{
	char num[128];
	size_t i;
	bool base64 = false;

	snprintf(num, sizeof num, "{\"seq\":%zu,", r->seq);
	buf_addstr(b, num);
	if (r->task) {
		buf_addstr(b, "\"task\":");
		json_add_string(b, r->task, strlen(r->task));
		buf_addch(b, ',');
	}
	buf_addstr(b, "\"host\":");
	json_add_string(b, r->host, strlen(r->host));
	/* Values that are not UTF-8 are given whole, in base64, as output. */
	for (i = 0; i < r->args.n; i++)
		if (!utf8_valid(args_value(&r->args, i), r->args.len[i]))
			base64 = true;
	buf_addstr(b, base64 ? ",\"args_base64\":[" : ",\"args\":[");
	for (i = 0; i < r->args.n; i++) {
		if (i)
			buf_addch(b, ',');
		add_value(b, args_value(&r->args, i), r->args.len[i], base64);
	}
	base64 = !utf8_valid(r->cmd, strlen(r->cmd));
	buf_addstr(b, base64 ? "],\"cmd_base64\":" : "],\"cmd\":");
	add_value(b, r->cmd, strlen(r->cmd), base64);
	snprintf(num, sizeof num,
	    ",\"start\":%.3f,\"runtime\":%.3f,"
	    "\"exitval\":%d,\"signal\":%d",
	    r->start, r->runtime, r->exitval, r->signal);
	buf_addstr(b, num);
}
