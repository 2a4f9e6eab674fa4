/*
 * JSON pieces for --json: string escaping, a UTF-8 check and a base64
 * encoder, each able to take its input in chunks.
 */
#ifndef JSON_H
#define JSON_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

struct job_record;

/* Append p as a JSON string body (no quotes). Bytes that are not valid
 * UTF-8 are written as \u00XX, so the result is always valid JSON. */
void json_add_escaped(struct buf *, const char *p, size_t n);
/* Append "p" with quotes. */
void json_add_string(struct buf *, const char *p, size_t n);

struct utf8_check {
	int need; /* continuation bytes still expected */
	unsigned char lo, hi; /* range of the next continuation byte */
	bool bad;
};

void utf8_check_feed(struct utf8_check *, const char *p, size_t n);
bool utf8_check_valid(const struct utf8_check *);

struct base64 {
	unsigned char carry[3];
	size_t ncarry;
};

void base64_feed(struct base64 *, struct buf *out, const char *p, size_t n);
void base64_finish(struct base64 *, struct buf *out);

/* {"seq":..,"task":..,"host":..,"args":[..],"cmd":..,"start":..,
 * "runtime":..,"exitval":..,"signal":..  -- the caller adds the output
 * fields. "task" only for a workflow's jobs (r->task not NULL). */
void json_record_head(struct buf *, const struct job_record *);

#endif
