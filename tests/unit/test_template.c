/*
 * Unit tests for src/template.c: shell quoting, the replacement strings,
 * the choice between a shell and a direct exec, and rendering. Expected
 * values follow GNU parallel 20221122 where fanout means to match it.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "input.h"
#include "template.h"
#include "xalloc.h"
#include "unit.h"

#define MAXWORDS 32

/* A template from first (none when NULL) and the words after it in ap. */
static struct template *
tpl_words(const struct template_opts *o, const char *first, va_list ap)
{
	char *words[MAXWORDS];
	const char *w;
	size_t n = 0;

	if (first)
		words[n++] = (char *)first;
	while (first && (w = va_arg(ap, const char *)) != NULL && n < MAXWORDS)
		words[n++] = (char *)w;
	return template_new(words, n, o);
}

/* A template from NULL-terminated words, with -I replace and -q quote. */
static struct template *
tpl_v(const char *replace, bool quote, va_list ap)
{
	struct template_opts o = {.replace = replace, .quote = quote};

	return tpl_words(&o, va_arg(ap, const char *), ap);
}

/* A template with options o from NULL-terminated words. */
static struct template *
tpl_with(const struct template_opts *o, const char *first, ...)
{
	struct template *t;
	va_list ap;

	va_start(ap, first);
	t = tpl_words(o, first, ap);
	va_end(ap);
	return t;
}

static const struct template_opts plain_opts = {.replace = NULL};
static const struct template_opts ctx_opts = {.context = true};
static const struct template_opts plus_opts = {.plus = true};
static const struct template_opts ctx_plus_opts = {
    .context = true, .plus = true};

#define tpl(...) tpl_with(&plain_opts, __VA_ARGS__)
/* A context-replace (-X) template. */
#define tpl_ctx(...) tpl_with(&ctx_opts, __VA_ARGS__)
/* A template with --plus. */
#define tpl_plus(...) tpl_with(&plus_opts, __VA_ARGS__)

static struct template *
tpl_opt(const char *replace, bool quote, ...)
{
	struct template *t;
	va_list ap;

	va_start(ap, quote);
	t = tpl_v(replace, quote, ap);
	va_end(ap);
	return t;
}

/* Fill a with NULL-terminated values. */
static void
set_args(struct args *a, ...)
{
	const char *v;
	va_list ap;

	args_reset(a);
	va_start(ap, a);
	while ((v = va_arg(ap, const char *)) != NULL)
		args_add(a, v, strlen(v));
	va_end(ap);
}

/* The shell text, as a string the caller frees. */
static char *
shell(const struct template *t, const struct args *a, size_t seq,
    size_t slot)
{
	struct buf b = BUF_INIT;

	struct template_job job = {seq, slot, NULL, NULL, NULL};

	template_render_shell(t, a, &job, &b);
	if (!b.data)
		return xstrdup("");
	return buf_detach(&b, NULL);
}

static char *
text(const struct template *t, const struct args *a, size_t seq,
    size_t slot)
{
	struct buf b = BUF_INIT;

	struct template_job job = {seq, slot, NULL, NULL, NULL};

	template_render_text(t, a, &job, &b);
	if (!b.data)
		return xstrdup("");
	return buf_detach(&b, NULL);
}

/* The argument vector as "[w1][w2]...", for a readable comparison. */
static char *
argv_str(const struct template *t, const struct args *a, size_t seq,
    size_t slot)
{
	struct args out = ARGS_INIT;
	struct buf b = BUF_INIT;
	size_t i;

	struct template_job job = {seq, slot, NULL, NULL, NULL};

	template_render_argv(t, a, &job, &out);
	buf_addstr(&b, "");
	for (i = 0; i < out.n; i++) {
		buf_addch(&b, '[');
		buf_add(&b, args_value(&out, i), out.len[i]);
		buf_addch(&b, ']');
	}
	args_release(&out);
	return buf_detach(&b, NULL);
}

#define CHECK_STR_FREE(expr, want) do { \
	char *got_ = (expr); \
	unit_check_str(got_, (want), __FILE__, __LINE__, #expr); \
	free(got_); \
} while (0)

/* shell_quote(s) as a string. */
static char *
quoted_mem(const char *s, size_t len)
{
	struct buf b = BUF_INIT;

	shell_quote(&b, s, len);
	if (!b.data)
		return xstrdup("");
	return buf_detach(&b, NULL);
}

static char *
quoted(const char *s)
{
	return quoted_mem(s, strlen(s));
}

static void
test_shell_quote(void)
{
	static const char bare[] = "-_.+/0123456789"
	    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
	static const char special[] = "!\"#$%&'()*,:;<=>?@[\\]^`{|}~ \t\n\r";
	char in[4], want[32];
	size_t i;

	/* GNU parallel --dry-run, section Q1. */
	CHECK_STR_FREE(quoted("a b"), "'a b'");
	CHECK_STR_FREE(quoted("it's"), "'it'\"'\"'s'");
	CHECK_STR_FREE(quoted(""), "''");
	CHECK_STR_FREE(quoted("$(x)"), "'$(x)'");
	CHECK_STR_FREE(quoted("a*"), "'a*'");
	CHECK_STR_FREE(quoted("-x"), "-x");
	CHECK_STR_FREE(quoted("a=b"), "'a=b'");
	CHECK_STR_FREE(quoted("~"), "'~'");
	CHECK_STR_FREE(quoted("\xc3\xa9"), "'\xc3\xa9'");
	CHECK_STR_FREE(quoted("l1\nl2"), "'l1\nl2'");
	CHECK_STR_FREE(quoted("t1\tt2"), "'t1\tt2'");
	CHECK_STR_FREE(quoted("a\rb"), "'a\rb'");
	CHECK_STR_FREE(quoted("\x01"), "'\x01'");
	CHECK_STR_FREE(quoted("\xff"), "'\xff'");

	/* Left bare. */
	CHECK_STR_FREE(quoted("-"), "-");
	CHECK_STR_FREE(quoted("--"), "--");
	CHECK_STR_FREE(quoted("+"), "+");
	CHECK_STR_FREE(quoted("0"), "0");
	CHECK_STR_FREE(quoted("a-"), "a-");
	CHECK_STR_FREE(quoted("/a/b/c.tar.gz"), "/a/b/c.tar.gz");
	CHECK_STR_FREE(quoted("A_z+9.-/"), "A_z+9.-/");
	CHECK_STR_FREE(quoted(bare), bare);

	/* Quoted. */
	CHECK_STR_FREE(quoted("=a"), "'=a'");
	CHECK_STR_FREE(quoted("a="), "'a='");
	CHECK_STR_FREE(quoted("@"), "'@'");
	CHECK_STR_FREE(quoted("%"), "'%'");
	CHECK_STR_FREE(quoted(":"), "':'");
	CHECK_STR_FREE(quoted(","), "','");
	CHECK_STR_FREE(quoted("$HOME"), "'$HOME'");
	CHECK_STR_FREE(quoted("a\\b"), "'a\\b'");
	CHECK_STR_FREE(quoted("\"x\""), "'\"x\"'");

	/* The '' at either end is dropped, never in the middle. */
	CHECK_STR_FREE(quoted("'a"), "\"'\"'a'");
	CHECK_STR_FREE(quoted("a'"), "'a'\"'\"");
	CHECK_STR_FREE(quoted("'"), "\"'\"");
	CHECK_STR_FREE(quoted("a'b'c"), "'a'\"'\"'b'\"'\"'c'");
	CHECK_STR_FREE(quoted("' '"), "\"'\"' '\"'\"");
	/* GNU keeps the '' between two quotes: "'"''"'" (Q1). */
	CHECK_STR_FREE(quoted("''"), "\"'\"''\"'\"");
	CHECK_STR_FREE(quoted("a''b"), "'a'\"'\"''\"'\"'b'");

	/* Every character of GNU's per-character table, as "aXb". */
	for (i = 0; special[i]; i++) {
		snprintf(in, sizeof in, "a%cb", special[i]);
		if (special[i] == '\'')
			snprintf(want, sizeof want, "'a'\"'\"'b'");
		else
			snprintf(want, sizeof want, "'a%cb'", special[i]);
		CHECK_STR_FREE(quoted(in), want);
	}
	for (i = 0; bare[i]; i++) {
		snprintf(in, sizeof in, "a%cb", bare[i]);
		CHECK_STR_FREE(quoted(in), in);
	}
	/* Every byte outside the safe set gets quoted. */
	for (i = 1; i < 256; i++) {
		char *q;

		in[0] = (char)i;
		in[1] = '\0';
		q = quoted(in);
		if (strchr(bare, (int)i))
			CHECK(strcmp(q, in) == 0);
		else
			CHECK(q[0] == '\'' || q[0] == '"');
		free(q);
	}

	/* A NUL byte is not safe: it is quoted, and all bytes are kept. */
	{
		char *q = quoted_mem("a\0b", 3);

		CHECK_MEM(q, (size_t)5, "'a\0b'", (size_t)5);
		free(q);
	}

	/* shell_quote appends. */
	{
		struct buf b = BUF_INIT;

		buf_addstr(&b, "x=");
		shell_quote(&b, "a b", 3);
		shell_quote(&b, "c", 1);
		CHECK_STR(b.data, "x='a b'c");
		buf_release(&b);
	}
}

static const struct {
	const char *v, *noext, *base, *dir, *base_noext;
} forms[] = {
	/* GNU parallel 20221122, section Q2. */
	{ "/a/b/c.tar.gz", "/a/b/c.tar", "c.tar.gz", "/a/b", "c.tar" },
	{ "c", "c", "c", ".", "c" },
	{ ".bashrc", "", ".bashrc", ".", "" },
	{ "a.b/c", "a.b/c", "c", "a.b", "c" },
	{ "/", "/", "", "/", "" },
	{ "dir/", "dir/", "", ".", "" },
	{ "a/.b", "a/", ".b", "a", "" },
	{ "./x.y", "./x", "x.y", ".", "x" },
	{ "", "", "", ".", "" },
	{ "a..b", "a.", "a..b", ".", "a." },
	{ "a.", "a", "a.", ".", "a" },
	{ ".", "", ".", ".", "" },
	{ "..", ".", "..", ".", "." },
	{ "a/b/", "a/b/", "", "a", "" },
	{ "//", "//", "", "/", "" },
	{ "a//b.c", "a//b", "b.c", "a", "b" },
};

static void
test_forms(void)
{
	struct template *t, *tn;
	struct args a = ARGS_INIT;
	char want[256];
	size_t i;

	t = tpl("echo", "{}", "{.}", "{/}", "{//}", "{/.}", NULL);
	tn = tpl("echo", "{1}", "{1.}", "{1/}", "{1//}", "{1/.}", NULL);
	CHECK(!template_needs_shell(t));
	CHECK(!template_needs_shell(tn));
	for (i = 0; i < sizeof forms / sizeof forms[0]; i++) {
		set_args(&a, forms[i].v, NULL);
		snprintf(want, sizeof want, "[echo][%s][%s][%s][%s][%s]",
		    forms[i].v, forms[i].noext, forms[i].base, forms[i].dir,
		    forms[i].base_noext);
		CHECK_STR_FREE(argv_str(t, &a, 1, 1), want);
		CHECK_STR_FREE(argv_str(tn, &a, 1, 1), want);
		snprintf(want, sizeof want, "echo %s %s %s %s %s",
		    forms[i].v, forms[i].noext, forms[i].base, forms[i].dir,
		    forms[i].base_noext);
		CHECK_STR_FREE(text(t, &a, 1, 1), want);
	}
	template_free(t);
	template_free(tn);

	/* --dry-run: each replacement quoted as a whole, '' when empty. */
	t = tpl("echo", "{.}", "{/}", "{//}", "{/.}", NULL);
	set_args(&a, "", NULL);
	CHECK_STR_FREE(shell(t, &a, 1, 1), "echo '' '' . ''");
	set_args(&a, "/a/b/c.tar.gz", NULL);
	CHECK_STR_FREE(shell(t, &a, 1, 1), "echo /a/b/c.tar c.tar.gz /a/b c.tar");
	set_args(&a, "/", NULL);
	CHECK_STR_FREE(shell(t, &a, 1, 1), "echo / '' / ''");
	set_args(&a, "a b/c d.e", NULL);
	CHECK_STR_FREE(shell(t, &a, 1, 1), "echo 'a b/c d' 'c d.e' 'a b' 'c d'");
	template_free(t);

	/* The forms of the second argument. */
	t = tpl("echo", "{2.}", "{2/}", "{2//}", "{2/.}", "{1}", NULL);
	set_args(&a, "x", "/p/q.r", NULL);
	CHECK_STR_FREE(shell(t, &a, 1, 1), "echo /p/q q.r /p q x");
	template_free(t);

	/* Several arguments: the form applies to each. */
	t = tpl("echo", "{.}", NULL);
	set_args(&a, "a.x", "b.y", NULL);
	CHECK_STR_FREE(argv_str(t, &a, 1, 1), "[echo][a][b]");
	CHECK_STR_FREE(shell(t, &a, 1, 1), "echo a b");
	template_free(t);
	args_release(&a);
}

static void
check_needs_shell(const char *cmd, bool want, const char *file, int line)
{
	struct template *t = tpl(cmd, NULL);
	char msg[256];

	snprintf(msg, sizeof msg, "template_needs_shell(\"%s\") == %s", cmd,
	    want ? "true" : "false");
	unit_check(template_needs_shell(t) == want, file, line, msg);
	template_free(t);
}

#define NEEDS_SHELL(cmd, want) check_needs_shell(cmd, want, __FILE__, __LINE__)

static void
test_needs_shell(void)
{
	struct template *t;

	NEEDS_SHELL("echo {}", false);
	NEEDS_SHELL("echo {} | cat", true);
	NEEDS_SHELL("X=1 cmd", true);
	NEEDS_SHELL("cd {}", true);
	NEEDS_SHELL("{} x", true);
	NEEDS_SHELL("{}", true);
	NEEDS_SHELL("echo a>b", true);
	NEEDS_SHELL("awk {print}", false);
	NEEDS_SHELL("echo", false);
	NEEDS_SHELL("echo a=b", false);
	NEEDS_SHELL("echo {}; ls", true);
	NEEDS_SHELL("echo $HOME", true);
	NEEDS_SHELL("echo a*", true);
	NEEDS_SHELL("echo ~", true);
	NEEDS_SHELL("echo \"x\"", true);
	NEEDS_SHELL("echo 'x'", true);
	NEEDS_SHELL("echo `x`", true);
	NEEDS_SHELL("echo a\\ b", true);
	NEEDS_SHELL("echo a && b", true);
	NEEDS_SHELL("(echo)", true);
	NEEDS_SHELL("echo a\nb", true);
	NEEDS_SHELL("echo # x", true);
	NEEDS_SHELL("for i in 1; do echo; done", true);
	NEEDS_SHELL("exit 1", true);
	NEEDS_SHELL("x{} y", true);
	NEEDS_SHELL("echo {#} {%} {1} {.}", false);
	NEEDS_SHELL("  echo   {}  ", false);
	NEEDS_SHELL("", true);

	/* -q: the words are data, nothing for a shell to read. */
	t = tpl_opt(NULL, true, "echo", "a b", "$x", "{}", NULL);
	CHECK(!template_needs_shell(t));
	template_free(t);

	/* Lines as commands always go to the shell. */
	t = template_new_raw();
	CHECK(template_needs_shell(t));
	template_free(t);
}

static void
test_render(void)
{
	struct template *t;
	struct args a = ARGS_INIT;

	/* Values are data: quoted for the shell, verbatim in argv. */
	t = tpl("echo", "{}", NULL);
	set_args(&a, "$(rm -rf ~)", NULL);
	CHECK_STR_FREE(shell(t, &a, 1, 1), "echo '$(rm -rf ~)'");
	CHECK_STR_FREE(argv_str(t, &a, 1, 1), "[echo][$(rm -rf ~)]");
	set_args(&a, "", NULL);
	CHECK_STR_FREE(shell(t, &a, 1, 1), "echo ''");
	CHECK_STR_FREE(argv_str(t, &a, 1, 1), "[echo][]");
	set_args(&a, "a b", NULL);
	CHECK_STR_FREE(argv_str(t, &a, 1, 1), "[echo][a b]");
	template_free(t);

	/* A single-word command string is split at blanks like words. */
	t = tpl("echo  {}\tx", NULL);
	set_args(&a, "v", NULL);
	CHECK(!template_needs_shell(t));
	CHECK_STR_FREE(argv_str(t, &a, 1, 1), "[echo][v][x]");
	template_free(t);

	/* A shell command keeps its text, values quoted inside it. */
	t = tpl("echo {} | cat", NULL);
	set_args(&a, "it's", NULL);
	CHECK_STR_FREE(shell(t, &a, 1, 1), "echo 'it'\"'\"'s' | cat");
	template_free(t);

	/* Braces that are no replacement string are left alone. */
	t = tpl("awk", "{print $1}", NULL);
	set_args(&a, "f", NULL);
	CHECK_STR_FREE(shell(t, &a, 1, 1), "awk {print $1} f");
	template_free(t);
	t = tpl("echo", "{0}", "{x}", "{1x}", "{", "}", "{}}", NULL);
	set_args(&a, "v", NULL);
	CHECK_STR_FREE(shell(t, &a, 1, 1), "echo {0} {x} {1x} { } v}");
	template_free(t);

	/* Glued to text: the value joins the word. */
	t = tpl("echo", "x{}y", "{.}.bak", NULL);
	set_args(&a, "f.c", NULL);
	CHECK_STR_FREE(argv_str(t, &a, 1, 1), "[echo][xf.cy][f.bak]");
	CHECK_STR_FREE(shell(t, &a, 1, 1), "echo xf.cy f.bak");
	set_args(&a, "a b", NULL);
	CHECK_STR_FREE(shell(t, &a, 1, 1), "echo x'a b'y 'a b'.bak");
	template_free(t);

	/* No replacement string: the items are appended, each quoted. */
	t = tpl("echo", NULL);
	set_args(&a, "a", "b c", "", NULL);
	CHECK_STR_FREE(shell(t, &a, 1, 1), "echo a 'b c' ''");
	CHECK_STR_FREE(argv_str(t, &a, 1, 1), "[echo][a][b c][]");
	template_free(t);
	t = tpl("echo", "x", NULL);
	set_args(&a, "1", NULL);
	CHECK_STR_FREE(argv_str(t, &a, 1, 1), "[echo][x][1]");
	template_free(t);
	/* Even to a shell snippet (GNU: 'exit 2' ::: a runs "exit 2 a"). */
	t = tpl("exit 2", NULL);
	set_args(&a, "a", NULL);
	CHECK_STR_FREE(shell(t, &a, 1, 1), "exit 2 a");
	template_free(t);

	/* {#} and {%}; they count as replacement strings: nothing appended. */
	t = tpl("echo", "{#}", "{%}", "s{#}-{%}", NULL);
	set_args(&a, "a", NULL);
	CHECK_STR_FREE(shell(t, &a, 7, 3), "echo 7 3 s7-3");
	CHECK_STR_FREE(argv_str(t, &a, 12345, 2), "[echo][12345][2][s12345-2]");
	template_free(t);

	/* {n} beyond the arguments renders as nothing (not ''). */
	t = tpl("echo", "{3}x", NULL);
	set_args(&a, "a", "c", NULL);
	CHECK_STR_FREE(shell(t, &a, 1, 1), "echo x");
	CHECK_STR_FREE(argv_str(t, &a, 1, 1), "[echo][x]");
	template_free(t);
	t = tpl("echo", "{2}", NULL);
	set_args(&a, "c", NULL);
	CHECK_STR_FREE(shell(t, &a, 1, 1), "echo ");
	CHECK_STR_FREE(argv_str(t, &a, 1, 1), "[echo]");
	template_free(t);
	t = tpl("echo", "[{1}]", "[{2}]", NULL);
	set_args(&a, "c", NULL);
	CHECK_STR_FREE(text(t, &a, 1, 1), "echo [c] []");
	template_free(t);
	t = tpl("echo", "{100}", NULL);
	set_args(&a, "c", NULL);
	CHECK_STR_FREE(argv_str(t, &a, 1, 1), "[echo]");
	template_free(t);

	/* Several arguments in {}: words in argv, quoted values in shell. */
	t = tpl("echo", "{}", NULL);
	set_args(&a, "a b", "c", NULL);
	CHECK_STR_FREE(argv_str(t, &a, 1, 1), "[echo][a b][c]");
	CHECK_STR_FREE(shell(t, &a, 1, 1), "echo 'a b' c");
	template_free(t);
	t = tpl("echo", "{}", "{}", NULL);
	set_args(&a, "a", "c", NULL);
	CHECK_STR_FREE(shell(t, &a, 1, 1), "echo a c a c");
	CHECK_STR_FREE(argv_str(t, &a, 1, 1), "[echo][a][c][a][c]");
	template_free(t);
	/* Glued: x{}y over groups a b / c is "xa cy" (GNU, Q3). */
	t = tpl("echo", "x{}y", NULL);
	set_args(&a, "a", "c", NULL);
	CHECK_STR_FREE(shell(t, &a, 1, 1), "echo xa cy");
	CHECK_STR_FREE(argv_str(t, &a, 1, 1), "[echo][xa][cy]");
	set_args(&a, "a b", "c", NULL);
	CHECK_STR_FREE(shell(t, &a, 1, 1), "echo x'a b' cy");
	CHECK_STR_FREE(argv_str(t, &a, 1, 1), "[echo][xa b][cy]");
	template_free(t);
	/* No arguments at all (-N0-like): {} is nothing. */
	t = tpl("echo", "x{}y", NULL);
	args_reset(&a);
	CHECK_STR_FREE(shell(t, &a, 1, 1), "echo xy");
	CHECK_STR_FREE(argv_str(t, &a, 1, 1), "[echo][xy]");
	template_free(t);

	/* Values with NUL bytes and newlines survive argv verbatim. */
	t = tpl("printf", "%s", "{}", NULL);
	args_reset(&a);
	args_add(&a, "l1\nl2", 5);
	CHECK_STR_FREE(argv_str(t, &a, 1, 1), "[printf][%s][l1\nl2]");
	template_free(t);

	args_release(&a);
}

static void
test_replace_I(void)
{
	struct template *t;
	struct args a = ARGS_INIT;

	/* GNU Q14: -I replaces only {}; {} and {1} become literal text. */
	t = tpl_opt("XX", false, "echo", "XX", "{.}", "{/}", "{#}", "{%}",
	    NULL);
	set_args(&a, "a.b/c.d", NULL);
	CHECK_STR_FREE(shell(t, &a, 1, 1), "echo a.b/c.d a.b/c c.d 1 1");
	template_free(t);
	t = tpl_opt("XX", false, "echo", "{}", NULL);
	set_args(&a, "a", NULL);
	CHECK_STR_FREE(shell(t, &a, 1, 1), "echo {} a");
	CHECK_STR_FREE(argv_str(t, &a, 1, 1), "[echo][{}][a]");
	template_free(t);
	t = tpl_opt("XX", false, "echo", "XX", "{1}", NULL);
	set_args(&a, "a", NULL);
	CHECK_STR_FREE(shell(t, &a, 1, 1), "echo a {1}");
	template_free(t);

	/* {x.} is not derived from -I {x}; {.} still works. */
	t = tpl_opt("{x}", false, "echo", "{x}", "{}", "{x.}", "{.}", NULL);
	set_args(&a, "a.b", NULL);
	CHECK_STR_FREE(shell(t, &a, 1, 1), "echo a.b {} {x.} a");
	template_free(t);

	t = tpl_opt("XX", false, "echo", "XX.x", NULL);
	set_args(&a, "a.b", NULL);
	CHECK_STR_FREE(shell(t, &a, 1, 1), "echo a.b.x");
	CHECK_STR_FREE(argv_str(t, &a, 1, 1), "[echo][a.b.x]");
	template_free(t);

	/* Absent: appended. */
	t = tpl_opt("XX", false, "echo", NULL);
	set_args(&a, "a.b", NULL);
	CHECK_STR_FREE(shell(t, &a, 1, 1), "echo a.b");
	template_free(t);

	/* Several arguments. */
	t = tpl_opt("XX", false, "echo", "XX", NULL);
	set_args(&a, "a", "b", NULL);
	CHECK_STR_FREE(shell(t, &a, 1, 1), "echo a b");
	template_free(t);

	/* A one-character replace string. */
	t = tpl_opt(",", false, "echo", ",", NULL);
	set_args(&a, "a", NULL);
	CHECK_STR_FREE(shell(t, &a, 1, 1), "echo a");
	template_free(t);

	/* Values are quoted as with {}. */
	t = tpl_opt("XX", false, "echo", "XX", NULL);
	set_args(&a, "a b", NULL);
	CHECK_STR_FREE(shell(t, &a, 1, 1), "echo 'a b'");
	CHECK_STR_FREE(argv_str(t, &a, 1, 1), "[echo][a b]");
	template_free(t);

	args_release(&a);
}

static void
test_quote_q(void)
{
	struct template *t;
	struct args a = ARGS_INIT;

	/* GNU Q21. */
	t = tpl_opt(NULL, true, "printf", "%s\\n", NULL);
	set_args(&a, "a b", NULL);
	CHECK_STR_FREE(shell(t, &a, 1, 1), "printf '%s\\n' 'a b'");
	CHECK_STR_FREE(argv_str(t, &a, 1, 1), "[printf][%s\\n][a b]");
	template_free(t);

	t = tpl_opt(NULL, true, "sh", "-c", "echo $0", "{}", NULL);
	set_args(&a, "x", NULL);
	CHECK_STR_FREE(shell(t, &a, 1, 1), "sh -c 'echo $0' x");
	CHECK_STR_FREE(argv_str(t, &a, 1, 1), "[sh][-c][echo $0][x]");
	template_free(t);

	/* A value inside a word: substituted raw, the word quoted once. */
	t = tpl_opt(NULL, true, "echo", "a b", "{}", "x{}y", NULL);
	set_args(&a, "c d", NULL);
	CHECK_STR_FREE(argv_str(t, &a, 1, 1), "[echo][a b][c d][xc dy]");
	CHECK_STR_FREE(shell(t, &a, 1, 1), "echo 'a b' 'c d' 'xc dy'");
	template_free(t);

	/* An empty word stays an (empty) argument. */
	t = tpl_opt(NULL, true, "echo", "it's", "", NULL);
	set_args(&a, "a", NULL);
	CHECK_STR_FREE(argv_str(t, &a, 1, 1), "[echo][it's][][a]");
	CHECK_STR_FREE(shell(t, &a, 1, 1), "echo 'it'\"'\"'s' '' a");
	template_free(t);

	/* Without -q the words are joined and read by the shell. */
	t = tpl("printf", "%s\\n", NULL);
	set_args(&a, "a b", NULL);
	CHECK(template_needs_shell(t));
	CHECK_STR_FREE(shell(t, &a, 1, 1), "printf %s\\n 'a b'");
	template_free(t);

	/* {#} with -q. */
	t = tpl_opt(NULL, true, "echo", "{#}", NULL);
	set_args(&a, "a", NULL);
	CHECK_STR_FREE(argv_str(t, &a, 4, 1), "[echo][4]");
	template_free(t);

	args_release(&a);
}

static void
test_raw_and_text(void)
{
	struct template_opts o = {.replace = NULL};
	struct template *t;
	struct args a = ARGS_INIT;

	/* Lines as commands are inserted raw (GNU Q24). */
	t = template_new_raw();
	set_args(&a, "echo b;echo c", NULL);
	CHECK_STR_FREE(shell(t, &a, 1, 1), "echo b;echo c");
	set_args(&a, "a", "b", NULL);
	CHECK_STR_FREE(shell(t, &a, 1, 1), "a b");
	template_free(t);

	/* --tagstring: values verbatim. */
	t = template_new_text("{1}-x", &o);
	set_args(&a, "a b", "c", NULL);
	CHECK_STR_FREE(text(t, &a, 1, 1), "a b-x");
	template_free(t);
	t = template_new_text("{#}:{%}:{}", &o);
	set_args(&a, "a", "c", NULL);
	CHECK_STR_FREE(text(t, &a, 5, 2), "5:2:a c");
	template_free(t);

	args_release(&a);
}

static void
test_first_word_code(void)
{
	struct template *t;
	struct args a = ARGS_INIT;

	/* A value in the first word is command text (GNU parallel). */
	t = tpl("{}", "x", NULL);
	set_args(&a, "echo a; echo b", NULL);
	CHECK(template_needs_shell(t));
	CHECK_STR_FREE(shell(t, &a, 1, 1), "echo a; echo b x");
	template_free(t);
	t = tpl("{.}", "{}", NULL);
	set_args(&a, "echo a;b.c", NULL);
	CHECK_STR_FREE(shell(t, &a, 1, 1), "echo a;b 'echo a;b.c'");
	template_free(t);
	t = tpl("my_{1}", "{2}", NULL);
	set_args(&a, "f a", "b;c", NULL);
	CHECK_STR_FREE(shell(t, &a, 1, 1), "my_f a 'b;c'");
	template_free(t);
	/* Not the first word: after a blank or an '=' (GNU's rule). */
	t = tpl("V={}", "env", NULL);
	set_args(&a, "a b", NULL);
	CHECK_STR_FREE(shell(t, &a, 1, 1), "V='a b' env");
	template_free(t);
	t = tpl(" {}", NULL);
	CHECK_STR_FREE(shell(t, &a, 1, 1), " 'a b'");
	template_free(t);
	/* -q: the first word's value is data too, one argument. */
	t = tpl_opt(NULL, true, "{}", "x", NULL);
	set_args(&a, "echo hi", NULL);
	CHECK_STR_FREE(argv_str(t, &a, 1, 1), "[echo hi][x]");
	template_free(t);

	args_release(&a);
}

/* A workflow's run text: one word, with named variables. */
static struct template *
tpl_names(const char *run, const char *const *names, size_t nnames,
    bool no_append)
{
	struct template_opts o = {.names = names, .nnames = nnames,
	    .no_append = no_append};
	char *words[] = {(char *)run};

	return template_new(words, 1, &o);
}

/* The shell text of a run text with names, for the arguments in a. */
static char *
named_shell(const char *run, const char *const *names, size_t nnames,
    bool no_append, const struct args *a)
{
	struct template *t = tpl_names(run, names, nnames, no_append);
	char *sh = shell(t, a, 1, 1);

	template_free(t);
	return sh;
}

static void
test_names(void)
{
	const char *const cc[] = {"dir", "cc"};
	const char *const prefix[] = {"a", "ab", "a-b", "_x9"};
	const char *const reverse[] = {"ab", "a"};
	struct template_opts io = {.replace = "XX", .names = prefix,
	    .nnames = 4};
	char *io_words[] = {(char *)"echo", (char *)"XX", (char *)"{ab}"};
	struct template *t;
	struct args a = ARGS_INIT;

	/* {name} is {1}, {2}: quoted alike, in the shell text and argv. */
	t = tpl_names("make -C {dir} CC={cc}", cc, 2, false);
	set_args(&a, "lib a", "it's \"x\"", NULL);
	CHECK(!template_needs_shell(t));
	CHECK_STR_FREE(shell(t, &a, 1, 1),
	    "make -C 'lib a' CC='it'\"'\"'s \"x\"'");
	CHECK_STR_FREE(argv_str(t, &a, 1, 1),
	    "[make][-C][lib a][CC=it's \"x\"]");
	template_free(t);
	CHECK_STR_FREE(named_shell("make -C {1} CC={2}", cc, 2, false, &a),
	    "make -C 'lib a' CC='it'\"'\"'s \"x\"'");

	/* A name that is a prefix of another: each its own, any order. */
	set_args(&a, "1", "2", "3", "4", NULL);
	CHECK_STR_FREE(named_shell("echo {ab} {a} {a-b} {_x9}", prefix, 4,
			   false, &a),
	    "echo 2 1 3 4");
	CHECK_STR_FREE(named_shell("echo {a}{ab}", reverse, 2, false, &a),
	    "echo 21");

	/* A {word} not among the names is text; so are non-names. */
	CHECK_STR_FREE(named_shell("echo {abc} {A} {a b} {9a} {a}", prefix, 4,
			   false, &a),
	    "echo {abc} {A} {a b} {9a} 1");
	CHECK_STR_FREE(named_shell("echo {nope}", prefix, 4, false, &a),
	    "echo {nope} 1 2 3 4");
	set_args(&a, "v", NULL);
	CHECK_STR_FREE(named_shell("echo {a}", NULL, 0, false, &a),
	    "echo {a} v");

	/* Forms, {n} and {-n} as before, a missing value as {2} is. */
	set_args(&a, "src/m a.c", NULL);
	CHECK_STR_FREE(named_shell("cc {dir/} {dir.} {dir//} {-1} {cc}", cc,
			   2, false, &a),
	    "cc 'm a.c' 'src/m a' src 'src/m a.c' ");

	/* In the first word, a value is command text, as {1}'s is. */
	set_args(&a, "echo a; echo b", NULL);
	CHECK_STR_FREE(named_shell("{dir} x", cc, 2, false, &a),
	    "echo a; echo b x");

	/* With -I the names still stand for their values. */
	t = template_new(io_words, 3, &io);
	set_args(&a, "1", "2", NULL);
	CHECK_STR_FREE(shell(t, &a, 1, 1), "echo 1 2 2");
	template_free(t);

	/* no_append: `run: make` runs make as written. */
	t = tpl_names("make", cc, 2, true);
	set_args(&a, "x", "y", NULL);
	CHECK_STR_FREE(shell(t, &a, 1, 1), "make");
	CHECK_STR_FREE(argv_str(t, &a, 1, 1), "[make]");
	template_free(t);
	CHECK_STR_FREE(named_shell("make {nope}", cc, 2, true, &a),
	    "make {nope}");
	CHECK_STR_FREE(named_shell("make", cc, 2, false, &a), "make x y");
	t = tpl_opt(NULL, true, "make", NULL);
	CHECK_STR_FREE(argv_str(t, &a, 1, 1), "[make][x][y]");
	template_free(t);

	args_release(&a);
}

/* -X: a word holding {} is repeated per value, as GNU parallel does. */
static void
test_context(void)
{
	struct args a = ARGS_INIT;
	struct template *t;

	set_args(&a, "a.c", "b c", NULL);
	t = tpl_ctx("echo", "pre{}post", "{.}", "x", NULL);
	CHECK(!template_needs_shell(t));
	CHECK_STR_FREE(
	    argv_str(t, &a, 1, 1), "[echo][prea.cpost][preb cpost][a][b c][x]");
	CHECK_STR_FREE(
	    shell(t, &a, 1, 1), "echo prea.cpost pre'b c'post a 'b c' x");
	template_free(t);

	/* Under a shell too; {1} is not repeated, {#} is. */
	t = tpl_ctx("echo", "{1}-{}-{#}", ">", "out", NULL);
	CHECK(template_needs_shell(t));
	CHECK_STR_FREE(shell(t, &a, 7, 1), "echo a.c-a.c-7 a.c-'b c'-7 > out");
	template_free(t);

	/* No values: the word once, empty; no replacement string: appended. */
	args_reset(&a);
	t = tpl_ctx("echo", "x{}y", NULL);
	CHECK_STR_FREE(argv_str(t, &a, 1, 1), "[echo][xy]");
	template_free(t);
	set_args(&a, "1", "2", "3", NULL);
	t = tpl_ctx("echo", NULL);
	CHECK_STR_FREE(argv_str(t, &a, 1, 1), "[echo][1][2][3]");
	template_free(t);
	args_release(&a);
}

/* The length -s reckons for t with the values of a. */
static size_t
packed_len(const struct template *t, const struct args *a)
{
	size_t len = template_fixed_len(t), i;

	for (i = 0; i < a->n; i++)
		len += template_value_len(t, args_value(a, i), a->len[i], i);
	return len;
}

/* The length of a command of several values, for -s. */
static void
test_value_len(void)
{
	struct template_job one = {1, 1, NULL, NULL, NULL};
	struct args a = ARGS_INIT;
	struct template *t;
	struct buf b = BUF_INIT;

	set_args(&a, "a", "it's", "ccc", NULL);
	/* Exact when there is no {#} or {%}: the shell text's length. */
	t = tpl_ctx("echo", "x{}y", "{1}", NULL);
	template_render_shell(t, &a, &one, &b);
	CHECK_INT(packed_len(t, &a), b.len);
	template_free(t);

	buf_reset(&b);
	t = tpl("echo", "-{}-", "{2}", NULL); /* -m: {} is all of them */
	template_render_shell(t, &a, &one, &b);
	CHECK_INT(packed_len(t, &a), b.len);
	template_free(t);
	buf_release(&b);
	args_release(&a);
}

/* --plus: {} = {+/}/{/} = {.}.{+.} = {..}.{+..} = {...}.{+...} (GNU). */
static void
test_plus(void)
{
	struct args a = ARGS_INIT;
	struct template *t;

	t = tpl_plus("echo", "{+/}", "{+.}", "{+..}", "{+...}", "{..}", "{...}",
	    "{/..}", "{/...}", "{slot}", "{2/..}", NULL);
	set_args(&a, "/a/b.c/d.tar.gz", NULL);
	CHECK_STR_FREE(argv_str(t, &a, 1, 3),
	    "[echo][/a/b.c][gz][tar.gz][][/a/b.c/d][/a/b.c/d.tar.gz][d]"
	    "[d.tar.gz][3]");
	set_args(&a, "a", "x/y.z.w", NULL);
	CHECK_STR_FREE(shell(t, &a, 1, 3),
	    "echo '' x '' w '' z.w '' '' a x/y a x/y.z.w a y a y.z.w 3 y");
	/* Too few extensions: {..} leaves the value, {+..} is empty. */
	set_args(&a, "e.x", NULL);
	CHECK_STR_FREE(argv_str(t, &a, 1, 1), "[echo][][x][][][e.x][e.x][e.x][e.x][1]");
	/* {+.} takes all after the last '.', a '/' in it or not. */
	set_args(&a, "a.b/c", NULL);
	CHECK_STR_FREE(argv_str(t, &a, 1, 1),
	    "[echo][a.b][b/c][][][a.b/c][a.b/c][c][c][1]");
	template_free(t);

	/* {##} and {0#}: the total, and the seq padded to its width. */
	t = tpl_plus("echo", "{##}", "{0#}-{#}", NULL);
	CHECK(template_needs_total(t));
	template_set_total(t, 120);
	CHECK_STR_FREE(argv_str(t, &a, 7, 1), "[echo][120][007-7]");
	template_free(t);

	/* Without --plus they are text. */
	t = tpl("echo", "{..}", "{+/}", "{slot}", "{##}", NULL);
	CHECK(!template_needs_total(t));
	set_args(&a, "a.b.c", NULL);
	CHECK_STR_FREE(
	    shell(t, &a, 1, 1), "echo {..} {+/} {slot} {##} a.b.c");
	template_free(t);
	args_release(&a);
}

/* --plus's bash-like strings, with POSIX extended regular expressions. */
static void
test_plus_ops(void)
{
	struct args a = ARGS_INIT;
	struct template *t;

	t = tpl_plus("echo", "{:-d}", "{:2}", "{:1:2}", "{#a*b}", "{##a*b}",
	    "{%b*c}", "{%%b*c}", NULL);
	set_args(&a, "aabbcc", NULL);
	CHECK_STR_FREE(argv_str(t, &a, 1, 1),
	    "[echo][aabbcc][bbcc][ab][bcc][bcc][aabbc][aabbc]");
	/* "" and "0" get the default (GNU's Perl); positions past the end
	 * give "". */
	set_args(&a, "0", NULL);
	CHECK_STR_FREE(argv_str(t, &a, 1, 1), "[echo][d][][][0][0][0][0]");
	set_args(&a, "", NULL);
	CHECK_STR_FREE(shell(t, &a, 1, 1), "echo d '' '' '' '' '' ''");
	CHECK(template_error(t) == NULL);
	template_free(t);

	t = tpl_plus("echo", "{/a/X}", "{//a/X}", "{/#a/X}", "{/%a/X}",
	    "{//x*/-}", "{^b}", "{^^[ab]}", "{,A}", "{,,[AN]}", NULL);
	set_args(&a, "banana", NULL);
	CHECK_STR_FREE(argv_str(t, &a, 1, 1),
	    "[echo][bXnana][bXnXnX][banana][bananX][-b-a-n-a-n-a-][Banana]"
	    "[BAnAnA][banana][banana]");
	set_args(&a, "ANNA", NULL);
	CHECK_STR_FREE(argv_str(t, &a, 1, 1),
	    "[echo][ANNA][ANNA][ANNA][ANNA][-A-N-N-A-][ANNA][ANNA][aNNA]"
	    "[anna]");
	template_free(t);

	/* Positional; each value of {} alone; the text may hold '/'. */
	t = tpl_plus("echo", "{2:-none}", "{-1^^o}", "{//o/0/1}", NULL);
	set_args(&a, "foo", "", NULL);
	CHECK_STR_FREE(shell(t, &a, 1, 1), "echo none '' f0/10/1 ''");
	template_free(t);

	/* Not operations: text, as in GNU parallel. */
	t = tpl_plus("echo", "{:-}", "{###}", "{/#/x}", "{/a.}", "{:x}", NULL);
	set_args(&a, "v", NULL);
	CHECK_STR_FREE(shell(t, &a, 1, 1), "echo {:-} {###} {/#/x} {/a.} {:x} v");
	template_free(t);
	/* Without --plus, all text. */
	t = tpl("echo", "{:-x}", "{/a/b}", "{^a}", "{host}", "{0%}", NULL);
	CHECK_STR_FREE(argv_str(t, &a, 1, 1),
	    "[echo][{:-x}][{/a/b}][{^a}][{host}][{0%}][v]");
	template_free(t);
	args_release(&a);
}

/* A bad regular expression: the template says so, with the string. */
static void
test_plus_errors(void)
{
	struct template *t;

	t = tpl_plus("echo", "{/a/b}", "{%%[}", "{/(/x}", NULL);
	CHECK_STR(template_error(t), "{%%[}: bad regular expression '[': "
				     "Invalid regular expression");
	template_free(t);
	t = template_new_text("x{^^*}y", &plus_opts);
	CHECK(template_error(t) != NULL);
	template_free(t);
	t = tpl("echo", "{%%[}", NULL);
	CHECK(template_error(t) == NULL);
	template_free(t);
}

/* {0%} {host} {sshlogin}, and the jobs {choose_k} and {uniq} leave out. */
static void
test_plus_job(void)
{
	struct template_job job = {4, 3, "me@node7:2222", NULL, NULL};
	struct args a = ARGS_INIT;
	struct buf b = BUF_INIT;
	struct template *t;

	t = tpl_plus("echo", "{0%}", "{host}", "{sshlogin}", NULL);
	template_set_jobs(t, 120);
	template_render_text(t, &a, &job, &b);
	CHECK_STR(b.data, "echo 003 node7 me@node7:2222");
	buf_reset(&b);
	job.host = "[::1]:22";
	template_render_text(t, &a, &job, &b);
	CHECK_STR(b.data, "echo 003 ::1 [::1]:22");
	buf_reset(&b);
	job.host = NULL; /* this machine */
	template_render_shell(t, &a, &job, &b);
	CHECK_STR(b.data, "echo 003 ':' ':'");
	CHECK(!template_skips(t, &a));
	template_free(t);

	/* {hgrp} {agrp}: empty without --hostgroups (NULL), text without
	 * --plus, quoted as values are */
	t = tpl_plus("echo", "{hgrp}-{agrp}", "{hgrp}", NULL);
	buf_reset(&b);
	template_render_text(t, &a, &job, &b);
	CHECK_STR(b.data, "echo - ");
	job.hgrp = ":+g1";
	job.agrp = "g1+a b";
	buf_reset(&b);
	template_render_shell(t, &a, &job, &b);
	CHECK_STR(b.data, "echo ':+g1'-'g1+a b' ':+g1'");
	{
		struct args out = ARGS_INIT;

		template_render_argv(t, &a, &job, &out);
		CHECK_INT(out.n, 3);
		CHECK_STR(args_value(&out, 1), ":+g1-g1+a b");
		CHECK_STR(args_value(&out, 2), ":+g1");
		args_release(&out);
	}
	template_free(t);
	t = tpl("echo", "{hgrp}{agrp}", "{}", NULL);
	set_args(&a, "x", NULL);
	buf_reset(&b);
	template_render_text(t, &a, &job, &b);
	CHECK_STR(b.data, "echo {hgrp}{agrp} x");
	args_reset(&a);
	template_free(t);
	job.hgrp = job.agrp = NULL;

	t = tpl_plus("echo", "{choose_k}", NULL);
	set_args(&a, "a", "b", "c", NULL);
	CHECK(!template_skips(t, &a));
	set_args(&a, "a", "c", "b", NULL);
	CHECK(template_skips(t, &a));
	set_args(&a, "a", "a", NULL);
	CHECK(template_skips(t, &a));
	set_args(&a, "10", "9", NULL); /* as strings */
	CHECK(!template_skips(t, &a));
	template_free(t);
	t = tpl_plus("echo", "{2uniq}", NULL);
	set_args(&a, "b", "a", "c", NULL);
	CHECK(!template_skips(t, &a));
	CHECK_STR_FREE(argv_str(t, &a, 1, 1), "[echo][a]");
	set_args(&a, "b", "a", "b", NULL);
	CHECK(template_skips(t, &a));
	template_free(t);
	buf_release(&b);
	args_release(&a);
}

/* -X packing: a --plus operation's length is that of its result. */
static void
test_plus_len(void)
{
	struct template_job one = {1, 1, NULL, NULL, NULL};
	struct args a = ARGS_INIT;
	struct buf b = BUF_INIT;
	struct template *t;

	set_args(&a, "a b", "it's", "", NULL);
	t = tpl_with(&ctx_plus_opts, "echo", "x{//[ a]/()}y", "{:-z}", "{1^^.}",
	    NULL);
	template_render_shell(t, &a, &one, &b);
	CHECK_INT(packed_len(t, &a), b.len);
	template_free(t);
	buf_release(&b);
	args_release(&a);
}

int
main(void)
{
	test_plus_ops();
	test_plus_errors();
	test_plus_job();
	test_plus_len();
	test_plus();
	test_context();
	test_value_len();
	test_first_word_code();
	test_shell_quote();
	test_forms();
	test_needs_shell();
	test_render();
	test_replace_I();
	test_quote_q();
	test_raw_and_text();
	test_names();
	return unit_done();
}
