/*
 * libFuzzer target for src/template.c.
 *
 * Input: one flags byte, then tokens separated by NUL bytes. Tokens up to
 * a token that is exactly "\x01" are the command's words; the tokens
 * after it are the job's arguments (when there is no "\x01", a fixed set
 * of awkward arguments is used). The flags pick -q, an -I string, a
 * workflow's named variables with no_append (bit 3), the job number and
 * slot, and (bit 6) a remote login for {host} and {sshlogin}. An input of odd length turns on context replace (-X), one whose
 * length has bit 1 set --plus; the lengths -s packs by are computed too.
 *
 * Besides "never crash", three properties are checked (abort on failure):
 * - shell_quote() output, read back as a POSIX shell word, is the input;
 * - for a command that needs no shell, the shell text split and unquoted
 *   as a shell would gives the same words as the argument vector (SPEC
 *   §3: "both paths give the same result for the same command");
 * - with --plus, a word that is {#re} or {%re} cuts from each argument
 *   what trying each length of prefix or suffix cuts (plusop.c searches
 *   by halves).
 */
#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "input.h"
#include "plusop.h"
#include "template.h"

#define MAXTOK 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Split shell text into words as sh would for a simple command made only
 * of blanks, '...', "..." and plain bytes. Returns false on text that is
 * not of that form (an unterminated quote, or a backslash in "..." that
 * escapes anything but what shell_quote writes).
 */
static bool
shell_words(const char *s, size_t len, struct args *out)
{
	struct buf w = BUF_INIT;
	bool open = false, ok = true;
	size_t i = 0;

	args_reset(out);
	while (i < len && ok) {
		char c = s[i];

		if (c == ' ' || c == '\t') {
			if (open)
				args_add(out, w.data ? w.data : "", w.len);
			buf_reset(&w);
			open = false;
			i++;
		} else if (c == '\'') {
			const char *end = memchr(s + i + 1, '\'', len - i - 1);

			if (!end) {
				ok = false;
				break;
			}
			buf_add(&w, s + i + 1, (size_t)(end - (s + i + 1)));
			open = true;
			i = (size_t)(end - s) + 1;
		} else if (c == '"') {
			for (i++; i < len && s[i] != '"'; i++) {
				if (strchr("\\$`", s[i])) {
					ok = false;
					break;
				}
				buf_addch(&w, s[i]);
			}
			if (i >= len)
				ok = false;
			open = true;
			i++;
		} else {
			buf_addch(&w, c);
			open = true;
			i++;
		}
	}
	if (ok && open)
		args_add(out, w.data ? w.data : "", w.len);
	buf_release(&w);
	return ok;
}

static bool
args_equal(const struct args *a, const struct args *b)
{
	size_t i;

	if (a->n != b->n)
		return false;
	for (i = 0; i < a->n; i++)
		if (a->len[i] != b->len[i] ||
		    memcmp(args_value(a, i), args_value(b, i), a->len[i]) != 0)
			return false;
	return true;
}

static void
dump_args(const char *what, const struct args *a)
{
	size_t i, j;

	fprintf(stderr, "%s (%zu):", what, a->n);
	for (i = 0; i < a->n; i++) {
		fputs(" [", stderr);
		for (j = 0; j < a->len[i]; j++) {
			unsigned char c = (unsigned char)args_value(a, i)[j];

			if (c >= 0x20 && c < 0x7f)
				fputc(c, stderr);
			else
				fprintf(stderr, "\\x%02x", c);
		}
		fputc(']', stderr);
	}
	fputc('\n', stderr);
}

static void
check_quote(const char *s, size_t len)
{
	struct buf q = BUF_INIT;
	struct args w = ARGS_INIT;

	shell_quote(&q, s, len);
	if (!shell_words(q.data, q.len, &w) || w.n != 1 ||
	    w.len[0] != len || memcmp(args_value(&w, 0), s, len) != 0) {
		fprintf(stderr, "shell_quote does not read back: %.*s\n",
		    (int)q.len, q.data);
		abort();
	}
	buf_release(&q);
	args_release(&w);
}

/*
 * The length of v's shortest prefix (suffix) that "^(re)$" matches alone,
 * one length at a time; SIZE_MAX for none.
 */
static size_t
shortest_each(const regex_t *rx, bool prefix, const char *v, size_t len)
{
	regmatch_t m;
	size_t i;

	for (i = 0; i <= len; i++) {
		m.rm_so = 0;
		m.rm_eo = (regoff_t)i;
		if (!regexec(rx, prefix ? v : v + len - i, 1, &m, REG_STARTEND))
			return i;
	}
	return SIZE_MAX;
}

/* A word that is {#re} or {%re}: plusop_apply() cuts what trying each
 * length does. */
static void
check_cut(const char *word, const struct args *args)
{
	size_t wl = strlen(word), i, len, glen, cut;
	bool prefix = word[0] && word[1] == '#';
	struct buf tmp = BUF_INIT, pat = BUF_INIT;
	struct plusop *op;
	const char *v, *got;
	char *err;
	regex_t rx;

	if (wl < 4 || word[0] != '{' || (word[1] != '#' && word[1] != '%') ||
	    word[2] == word[1])
		return; /* not one, or {##re} or {%%re} */
	if (plusop_parse(word + 1, &op, &err) != wl - 1 || !op) {
		plusop_free(op);
		free(err);
		return;
	}
	buf_addstr(&pat, "^(");
	buf_add(&pat, word + 2, wl - 3);
	buf_addstr(&pat, ")$");
	if (regcomp(&rx, pat.data, REG_EXTENDED) != 0) {
		plusop_free(op);
		buf_release(&pat);
		return;
	}
	for (i = 0; i < args->n; i++) {
		v = args_value(args, i);
		len = args->len[i];
		cut = shortest_each(&rx, prefix, v, len);
		if (cut == SIZE_MAX)
			cut = 0;
		got = plusop_apply(op, v, len, &tmp, &glen);
		if (glen != len - cut || got != (prefix ? v + cut : v)) {
			fprintf(stderr, "%s on %.*s: %zu bytes cut, not %zu\n",
			    word, (int)len, v, len - glen, cut);
			abort();
		}
	}
	regfree(&rx);
	plusop_free(op);
	buf_release(&tmp);
	buf_release(&pat);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const fixed[] = {
		"a b", "", "/a/b/c.tar.gz", "it's", "x\ny", "$(echo)", "-",
		"''", ".", "//",
	};
	static const char *const replaces[] = { NULL, "XX", "{x}", "," };
	static const char *const names[] = { "a", "ab", "x-y", "_1" };
	char *words[MAXTOK];
	const char *p, *end, *nul;
	struct template_opts o;
	struct template_job job = {0};
	struct template *t;
	struct args args = ARGS_INIT, argv = ARGS_INIT, split = ARGS_INIT;
	struct buf sh = BUF_INIT, txt = BUF_INIT;
	size_t nwords = 0, i, seq, slot;
	bool in_args = false;
	uint8_t flags;

	if (size < 1)
		return 0;
	flags = data[0];
	memset(&o, 0, sizeof o);
	o.quote = flags & 1;
	o.replace = replaces[(flags >> 1) & 3];
	seq = (flags & 0x10) ? (size_t)-1 : 1 + (flags >> 5);
	slot = (flags >> 5) + 1;
	o.context = size & 1;
	o.plus = size & 2;
	if (flags & 8) {
		/* A workflow's template: {a} ... are arguments 1 to 4. */
		o.names = names;
		o.nnames = sizeof names / sizeof names[0];
		o.no_append = true;
	}

	p = (const char *)data + 1;
	end = (const char *)data + size;
	while (p <= end) {
		nul = memchr(p, '\0', (size_t)(end - p));
		if (!nul)
			nul = end;
		if (!in_args && nul - p == 1 && *p == '\x01') {
			in_args = true;
		} else if (in_args) {
			args_add(&args, p, (size_t)(nul - p));
		} else if (nwords < MAXTOK) {
			words[nwords++] = strndup(p, (size_t)(nul - p));
		}
		p = nul + 1;
	}
	if (!in_args)
		for (i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
			if (flags & (1u << (i % 8)) || i == 0)
				args_add(&args, fixed[i], strlen(fixed[i]));

	for (i = 0; i < args.n; i++)
		check_quote(args_value(&args, i), args.len[i]);
	for (i = 0; i < nwords; i++)
		check_quote(words[i], strlen(words[i]));
	for (i = 0; o.plus && i < nwords; i++)
		check_cut(words[i], &args);

	t = template_new(words, nwords, &o);
	seq = template_fixed_len(t); /* exercised; the value is not checked */
	for (i = 0; i < args.n; i++)
		seq += template_value_len(t, args_value(&args, i), args.len[i], i);
	seq = (flags & 0x10) ? (size_t)-1 : 1 + (flags >> 5);
	job.seq = seq;
	job.slot = slot;
	job.host = (flags & 0x40) ? "u@h:2" : NULL;
	/* --hostgroups' {hgrp} {agrp}: with a remote login, some groups. */
	job.hgrp = (flags & 0x40) ? "u@h:2+g1" : NULL;
	job.agrp = (flags & 0x40) ? "g1+g 2" : NULL;
	template_render_shell(t, &args, &job, &sh);
	template_render_text(t, &args, &job, &txt);
	(void)template_skips(t, &args);
	(void)template_error(t);
	if (!template_needs_shell(t)) {
		template_render_argv(t, &args, &job, &argv);
		if (!shell_words(sh.data ? sh.data : "", sh.len, &split) ||
		    !args_equal(&split, &argv)) {
			fprintf(stderr, "shell text: %.*s\n", (int)sh.len,
			    sh.data ? sh.data : "");
			dump_args("argv", &argv);
			dump_args("shell words", &split);
			abort();
		}
	}
	template_free(t);

	/* The same words as a --tagstring. */
	if (nwords > 0) {
		buf_reset(&txt);
		t = template_new_text(words[0], &o);
		template_render_text(t, &args, &job, &txt);
		template_free(t);
	}

	for (i = 0; i < nwords; i++)
		free(words[i]);
	buf_release(&sh);
	buf_release(&txt);
	args_release(&args);
	args_release(&argv);
	args_release(&split);
	return 0;
}
