/*
 * Command templates: replacement strings, shell quoting, and the choice
 * between running a command directly and running it under a shell.
 */
#ifndef TEMPLATE_H
#define TEMPLATE_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

struct args;

struct template_opts {
	const char *replace; /* -I string, or NULL for "{}" */
	bool quote; /* -q: the command's words are data too */
	/*
	 * Workflows: {names[i]} (and its forms, {names[i]/} ...) is argument
	 * i + 1, as {1}, {2} are. A {word} not among them is text.
	 */
	const char *const *names;
	size_t nnames;
	bool no_append; /* without a replacement string, append nothing */
	/*
	 * -X, -N, -L: a word holding {} (or {.}, {/} ...) is repeated once
	 * per value, each copy with that value (GNU's context replace).
	 */
	bool context;
	/*
	 * --plus: {+/} {+.} {+..} {+...} {..} {...} {/..} {/...} {slot},
	 * {host} {sshlogin} {hgrp} {agrp} {choose_k} {uniq}, the operations
	 * of plusop.h
	 * ({:-text} ...), {##} and {0#}, which need template_set_total(),
	 * and {0%}, which needs template_set_jobs()
	 */
	bool plus;
};

struct template;

/*
 * A template from the command's words, joined by spaces as GNU parallel
 * does. With no replacement string in it, the items are appended (unless
 * no_append).
 */
struct template *template_new(
    char *const *words, size_t nwords, const struct template_opts *);
/* A template for input lines that are whole commands. */
struct template *template_new_raw(void);
/* A template for --tagstring: only rendered to text, never run. */
struct template *template_new_text(
    const char *text, const struct template_opts *);
void template_free(struct template *);

/* True when the command needs /bin/sh -c. */
bool template_needs_shell(const struct template *);

/* What a job's rendering needs besides its arguments. */
struct template_job {
	size_t seq; /* {#} */
	size_t slot; /* {%} */
	const char *host; /* {host}, {sshlogin}: its login; NULL: ":" */
	/* --hostgroups: {hgrp}, its host's groups, and {agrp}, its
	 * argument's; NULL: empty (no --hostgroups) */
	const char *hgrp;
	const char *agrp;
};

/* The command as shell text, values shell-quoted: appended to out. */
void template_render_shell(const struct template *, const struct args *,
    const struct template_job *, struct buf *out);
/* The command as text with values verbatim (for --tagstring). */
void template_render_text(const struct template *, const struct args *,
    const struct template_job *, struct buf *out);
/*
 * The command as an argument vector, for templates that need no shell:
 * each word an argument, values verbatim. out is reset first.
 */
void template_render_argv(const struct template *, const struct args *,
    const struct template_job *, struct args *out);

/*
 * For packing several values into one command (-m, -X, -s): the length
 * of the command's shell text is template_fixed_len() plus, for each
 * value i (from 0), template_value_len() of it. {#} and {%} count as 20.
 */
size_t template_fixed_len(const struct template *);
size_t template_value_len(
    const struct template *, const char *v, size_t len, size_t i);

/* Whether t (may be NULL) has {##} or {0#}: the number of jobs. */
bool template_needs_total(const struct template *t);
/* The number of jobs {##} and {0#} show (t may be NULL). */
void template_set_total(struct template *t, size_t total);

/* {0%}: the jobs at once, -j (t may be NULL). */
void template_set_jobs(struct template *t, size_t jobs);

/*
 * A bad replacement string (a --plus regular expression that does not
 * compile), as "STRING: why", or NULL. A template with one must not run.
 */
const char *template_error(const struct template *t);

/* --plus's {choose_k} and {uniq}: jobs that do not run. */
#define TEMPLATE_CHOOSE_K 1u /* unless its values are in increasing order */
#define TEMPLATE_UNIQ 2u /* unless its values all differ */
/* Whether the job with arguments a is left out (t may be NULL). */
bool template_skips(const struct template *t, const struct args *a);

/*
 * Whether text holds a {= perl expression =} (GNU parallel's): fanout has
 * no Perl to run it, and refuses it with TEMPLATE_PERL_REFUSED.
 */
bool template_has_perl(const char *text);
#define TEMPLATE_PERL_REFUSED                                                  \
	"{= perl expression =} cannot run: fanout has no Perl (--plus "        \
	"strings such as {..} {/..} {+.} cover common uses; see README)"

/* Append s, quoted for a POSIX shell when it needs it. */
void shell_quote(struct buf *out, const char *s, size_t len);

#endif
