/*
 * Unit tests for src/options.c: which settings the user set (on the
 * command line or in $PARALLEL) as options_is_set() reports them, the
 * run-wide and per-task settings a few command lines give, the command
 * line's per-task settings laid over a workflow task's, and usage errors
 * (in a child, as they exit 255).
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "options.h"
#include "unit.h"

#define MAXARGV 64

static char *argv_buf[MAXARGV + 1];

/*
 * options_parse() of "fanout" and the NULL-terminated words, with
 * $PARALLEL set to env (NULL: unset). The words must outlive o.
 */
static void
parse(struct options *o, const char *env, ...)
{
	va_list ap;
	const char *w;
	int argc = 0;

	if (env)
		setenv("PARALLEL", env, 1);
	else
		unsetenv("PARALLEL");
	argv_buf[argc++] = (char *)"fanout";
	va_start(ap, env);
	while ((w = va_arg(ap, const char *)) != NULL) {
		if (argc == MAXARGV) {
			fprintf(stderr, "parse: more than %d words\n", MAXARGV);
			exit(2);
		}
		argv_buf[argc++] = (char *)w;
	}
	va_end(ap);
	argv_buf[argc] = NULL;
	options_parse(o, argc, argv_buf);
}

/* The settings options_is_set() reports, as "JOBS TIMEOUT ..." by id. */
static const char *
set_list(const struct options *o)
{
	static const char *names[OPT_COUNT] = {
	    [OPT_JOBS] = "JOBS",
	    [OPT_KEEP_ORDER] = "KEEP_ORDER",
	    [OPT_OUTPUT] = "OUTPUT",
	    [OPT_TAG] = "TAG",
	    [OPT_TAGSTRING] = "TAGSTRING",
	    [OPT_VERBOSE] = "VERBOSE",
	    [OPT_DRY_RUN] = "DRY_RUN",
	    [OPT_DELIMITER] = "DELIMITER",
	    [OPT_COLSEP] = "COLSEP",
	    [OPT_SKIP_EMPTY] = "SKIP_EMPTY",
	    [OPT_MAX_ARGS] = "MAX_ARGS",
	    [OPT_REPLACE] = "REPLACE",
	    [OPT_QUOTE] = "QUOTE",
	    [OPT_SHELL] = "SHELL",
	    [OPT_LINK] = "LINK",
	    [OPT_DELAY] = "DELAY",
	    [OPT_TIMEOUT] = "TIMEOUT",
	    [OPT_TERMSEQ] = "TERMSEQ",
	    [OPT_RETRIES] = "RETRIES",
	    [OPT_HALT] = "HALT",
	    [OPT_JOBLOG] = "JOBLOG",
	    [OPT_RESUME] = "RESUME",
	    [OPT_RESUME_FAILED] = "RESUME_FAILED",
	    [OPT_RETRY_FAILED] = "RETRY_FAILED",
	    [OPT_RESULTS] = "RESULTS",
	    [OPT_JSON] = "JSON",
	    [OPT_PROGRESS] = "PROGRESS",
	    [OPT_MEMFREE] = "MEMFREE",
	    [OPT_WORKFLOW] = "WORKFLOW",
	    [OPT_CHECK] = "CHECK",
	    [OPT_PACK] = "PACK",
	    [OPT_EOF] = "EOF",
	    [OPT_MAX_CHARS] = "MAX_CHARS",
	    [OPT_TRIM] = "TRIM",
	    [OPT_SRUN] = "SRUN",
	    [OPT_SRUN_CPUS] = "SRUN_CPUS",
	    [OPT_PIPE] = "PIPE",
	    [OPT_HEADER] = "HEADER",
	};
	static char text[512];
	int id;

	text[0] = '\0';
	for (id = OPT_NONE + 1; id < OPT_COUNT; id++) {
		if (!names[id]) {
			fprintf(stderr, "setting %d has no name here\n", id);
			exit(2);
		}
		if (!options_is_set(o, (enum option_id)id))
			continue;
		if (text[0])
			strcat(text, " ");
		strcat(text, names[id]);
	}
	return text;
}

/* Defaults are not "set", even those that have a value. */
static void
test_defaults(void)
{
	struct options o;

	parse(&o, NULL, "echo", NULL);
	CHECK_STR(set_list(&o), "");
	CHECK_INT(o.task.retries, 1);
	CHECK(o.task.timeout == 0);
	CHECK(!o.task.timeout_percent);
	CHECK(o.task.tagstring == NULL);
	CHECK_INT(o.task.ncommand, 1);
	CHECK_STR(o.task.command[0], "echo");
	CHECK_INT(o.output, OUTPUT_GROUP);
	CHECK_INT(o.delimiter, '\n');
	CHECK_INT(o.termseq.n, 4);
	CHECK(o.srun == NULL);
	CHECK_INT(o.srun_cpus, 1);
	options_release(&o);

	/* Options that do nothing set nothing. */
	parse(&o, NULL, "--will-cite", "--no-notice", "--bibtex", NULL);
	CHECK_STR(set_list(&o), "");
	CHECK_INT(o.task.ncommand, 0);
	options_release(&o);
}

/* A value the user typed is set even when it equals the default. */
static void
test_set_to_default(void)
{
	struct options o;

	parse(&o, NULL, "--group", "--retries", "1", "-d", "\\n", "true", NULL);
	CHECK_STR(set_list(&o), "OUTPUT DELIMITER RETRIES");
	CHECK_INT(o.output, OUTPUT_GROUP);
	CHECK_INT(o.task.retries, 1);
	CHECK_INT(o.delimiter, '\n');
	options_release(&o);

	/* --retries 0 means 1, and it is still the user's. */
	parse(&o, NULL, "--retries", "0", "true", NULL);
	CHECK_STR(set_list(&o), "RETRIES");
	CHECK_INT(o.task.retries, 1);
	options_release(&o);
}

/* --srun alone, with ARGS, and --srun-cpus. */
static void
test_srun(void)
{
	struct options o;

	parse(&o, NULL, "--srun", "true", NULL);
	CHECK_STR(set_list(&o), "SRUN");
	CHECK_STR(o.srun, "");
	CHECK_STR(o.task.command[0], "true");
	options_release(&o);

	parse(&o, NULL, "--srun=--gres=gpu:1 --mem=1G", "--srun-cpus", "4",
	    "true", NULL);
	CHECK_STR(set_list(&o), "SRUN SRUN_CPUS");
	CHECK_STR(o.srun, "--gres=gpu:1 --mem=1G");
	CHECK_INT(o.srun_cpus, 4);
	options_release(&o);
}

/* Long and short spellings, and options that share a setting. */
static void
test_spellings(void)
{
	struct options o;

	parse(&o, NULL, "-j", "3", "-k", "--lb", "-0", "-r", "-N2", "-q", "-v",
	    "echo", NULL);
	CHECK_STR(set_list(&o),
	    "JOBS KEEP_ORDER OUTPUT VERBOSE DELIMITER SKIP_EMPTY MAX_ARGS "
	    "QUOTE");
	CHECK_STR(o.jobs_spec, "3");
	CHECK(o.keep_order);
	CHECK_INT(o.output, OUTPUT_LINE);
	CHECK_INT(o.delimiter, '\0');
	CHECK(o.skip_empty);
	CHECK_INT(o.max_args, 2);
	CHECK(!o.no_args);
	CHECK(o.quote);
	CHECK(o.verbose);
	options_release(&o);

	parse(&o, NULL, "--jobs=3", "--keep-order", "--line-buffer", "--null",
	    "--no-run-if-empty", "--max-replace-args", "2", "--quote",
	    "--verbose", "echo", NULL);
	CHECK_STR(set_list(&o),
	    "JOBS KEEP_ORDER OUTPUT VERBOSE DELIMITER SKIP_EMPTY MAX_ARGS "
	    "QUOTE");
	options_release(&o);

	/* The last of --group, --lb, -u wins; --bar, --progress add up. */
	parse(&o, NULL, "--lb", "-u", "--bar", "--eta", NULL);
	CHECK_STR(set_list(&o), "OUTPUT PROGRESS");
	CHECK_INT(o.output, OUTPUT_UNGROUP);
	CHECK_INT(o.progress, 1 | 4);
	options_release(&o);
}

/* Scheduling, records and per-task settings. */
static void
test_values(void)
{
	struct options o;

	parse(&o, NULL, "--timeout", "1m30s", "--retries", "3", "--tagstring",
	    "<{}>", "--delay", "2auto", "--termseq", "INT,10", "--halt",
	    "soon,fail=20%", "--joblog", "+j.log", "--resume-failed", "--json",
	    "--memfree", "1K", "--shell", "/bin/bash", "-I", "@", "--colsep",
	    ",", "--link", "--dry-run", "--tag", "--results", "r", "echo", "@",
	    ":::", "a", NULL);
	CHECK_STR(set_list(&o),
	    "TAG TAGSTRING DRY_RUN COLSEP REPLACE SHELL LINK DELAY TIMEOUT "
	    "TERMSEQ RETRIES HALT JOBLOG RESUME_FAILED RESULTS JSON "
	    "MEMFREE");
	CHECK(o.task.timeout == 90);
	CHECK(!o.task.timeout_percent);
	CHECK_INT(o.task.retries, 3);
	CHECK_STR(o.task.tagstring, "<{}>");
	CHECK(o.delay == 2 && o.delay_auto);
	CHECK_INT(o.termseq.n, 1);
	CHECK_INT(o.termseq.ms[0], 10);
	CHECK_INT(o.halt.when, HALT_SOON);
	CHECK_INT(o.halt.what, HALT_FAIL);
	CHECK(o.halt.percent && o.halt.value == 20);
	CHECK_STR(o.joblog, "+j.log");
	CHECK(o.resume_failed && !o.resume && !o.retry_failed);
	CHECK(o.json);
	CHECK_INT(o.memfree, 1024);
	CHECK_STR(o.shell, "/bin/bash");
	CHECK_STR(o.replace, "@");
	CHECK_STR(o.colsep, ",");
	CHECK(o.link && o.dry_run && o.tag);
	CHECK_STR(o.results, "r");
	CHECK_INT(o.task.ncommand, 2);
	CHECK_INT(o.ngroups, 1);
	options_release(&o);

	parse(&o, NULL, "--timeout", "250%", "true", NULL);
	CHECK_STR(set_list(&o), "TIMEOUT");
	CHECK(o.task.timeout == 250 && o.task.timeout_percent);
	options_release(&o);
}

/* xargs's options: -P, -n, -L, -m, -X, --xargs, -s, -E, --show-limits. */
static void
test_xargs_options(void)
{
	struct options o;

	parse(&o, NULL, "-P", "4", "-n", "3", "-X", "-s", "100", "-E", "END",
	    "echo", NULL);
	CHECK_STR(set_list(&o), "JOBS MAX_ARGS PACK EOF MAX_CHARS");
	CHECK_STR(o.jobs_spec, "4");
	CHECK_INT(o.max_args, 3);
	CHECK(!o.max_args_context && !o.max_lines);
	CHECK_INT(o.pack, PACK_X);
	CHECK_INT(o.max_chars, 100);
	CHECK_STR(o.eof_str, "END");
	options_release(&o);

	/* --max-lines: lines that go on; the last of -m, --xargs. */
	parse(&o, NULL, "--max-procs=2", "--max-lines", "2", "-m", "--xargs",
	    "--max-chars=50", "-E", "", "echo", NULL);
	CHECK_STR(set_list(&o), "JOBS MAX_ARGS PACK EOF MAX_CHARS");
	CHECK_INT(o.max_args, 2);
	CHECK(!o.max_args_context && o.max_lines);
	CHECK_INT(o.pack, PACK_XARGS);
	CHECK(o.eof_str == NULL); /* -E '': no end-of-file string */
	options_release(&o);

	parse(&o, NULL, "-L3", "echo", NULL);
	CHECK(o.max_args == 3 && o.max_args_context && o.max_lines);
	options_release(&o);

	/* -N after -n: context replace; -n 0 is -N 0. */
	parse(&o, NULL, "-n", "2", "-N", "3", "echo", NULL);
	CHECK(o.max_args == 3 && o.max_args_context && !o.no_args);
	options_release(&o);
	parse(&o, NULL, "-n0", "echo", NULL);
	CHECK(o.max_args == 0 && o.no_args && !o.max_args_context);
	options_release(&o);
}

/* --arg-sep, --arg-file-sep, --trim, --shell-quote, --header, --nice. */
static void
test_gnu_options(void)
{
	struct options o;

	parse(&o, NULL, "--arg-sep", ",,", "--arg-file-sep", "@@", "--trim",
	    "rl", "--shell-quote", "--shell-quote", "--header", ":", "echo",
	    ",,", "a", ",,+", "b", "@@", "f", ":::", NULL);
	CHECK_STR(set_list(&o), "TRIM HEADER");
	/* ::: is no separator now: a second file after @@. */
	CHECK_INT(o.ngroups, 4);
	CHECK(o.groups[1].linked && o.groups[2].path);
	CHECK_STR(o.groups[2].path, "f");
	CHECK_STR(o.groups[3].path, ":::");
	CHECK_INT(o.trim, TRIM_BOTH);
	CHECK_INT(o.shell_quote, 2);
	CHECK(o.dry_run); /* --shell-quote prints, runs nothing */
	CHECK_STR(o.header, ":");
	CHECK_STR(o.colsep, "\t"); /* --header's default */
	CHECK(o.colsep_from_header);
	options_release(&o);

	parse(&o, NULL, "--trim", "n", "--nice", "-3", "--load", "1.5", "true",
	    NULL);
	CHECK_INT(o.trim, TRIM_NONE);
	CHECK(o.load == 1.5);
	CHECK(o.nice_set && o.nice == -3);
	options_release(&o);
	parse(&o, NULL, "--load", "0", "true", NULL);
	CHECK(o.load == 0.01); /* as GNU parallel */
	options_release(&o);
}

/* -f FILE TASK...: the operands are task names; --check with it. */
static void
test_workflow(void)
{
	struct options o;

	parse(&o, NULL, "-f", "w.yaml", "--check", "-j", "2", "build", "test",
	    NULL);
	CHECK_STR(set_list(&o), "JOBS WORKFLOW CHECK");
	CHECK_STR(o.workflow, "w.yaml");
	CHECK(o.check);
	CHECK_INT(o.ntasks, 2);
	CHECK_STR(o.tasks[0], "build");
	CHECK_STR(o.tasks[1], "test");
	CHECK_INT(o.task.ncommand, 0);
	CHECK_INT(o.ngroups, 0);
	options_release(&o);

	/* --resume may take its joblog from the file: checked after it. */
	parse(&o, NULL, "--file", "w.yaml", "--resume", NULL);
	CHECK(o.resume && !o.joblog);
	CHECK_INT(o.ntasks, 0);
	options_release(&o);
}

/* $PARALLEL's options count as the user's; its operands come first. */
static void
test_env(void)
{
	struct options o;

	parse(&o, "--tag -j 2 'echo x'", "--retries", "4", NULL);
	CHECK_STR(set_list(&o), "JOBS TAG RETRIES");
	CHECK_STR(o.jobs_spec, "2");
	CHECK_INT(o.task.retries, 4);
	CHECK_INT(o.task.ncommand, 1);
	CHECK_STR(o.task.command[0], "echo x");
	options_release(&o);

	/* The command line's value wins over $PARALLEL's. */
	parse(&o, "--timeout 5", "--timeout", "7", "true", NULL);
	CHECK_STR(set_list(&o), "TIMEOUT");
	CHECK(o.task.timeout == 7);
	options_release(&o);
	unsetenv("PARALLEL");
}

/* -a files come before the ::: groups, as GNU parallel reads them. */
static void
test_groups(void)
{
	struct options o;

	parse(
	    &o, NULL, "-a", "f1", "echo", ":::", "x", "y", "::::+", "f2", NULL);
	CHECK_STR(set_list(&o), "");
	CHECK_INT(o.ngroups, 3);
	CHECK_STR(o.groups[0].path, "f1");
	CHECK_INT(o.groups[1].nvalues, 2);
	CHECK_STR(o.groups[1].values[1], "y");
	CHECK_STR(o.groups[2].path, "f2");
	CHECK(o.groups[2].linked);
	options_release(&o);
}

/* A workflow task's settings, with the command line's laid over them. */
static void
test_override_task(void)
{
	struct options o;
	struct task_settings file = TASK_SETTINGS_INIT;

	CHECK_INT(file.retries, 1);
	file.timeout = 60;
	file.retries = 2;
	file.tagstring = "[{}]";

	/* Nothing given: the file's settings stand. */
	parse(&o, NULL, "-j", "4", "-k", NULL);
	options_override_task(&o, &file);
	CHECK(file.timeout == 60 && !file.timeout_percent);
	CHECK_INT(file.retries, 2);
	CHECK_STR(file.tagstring, "[{}]");
	options_release(&o);

	/* --retries given, even as the default: it wins; the rest stands. */
	parse(&o, NULL, "--retries", "1", NULL);
	options_override_task(&o, &file);
	CHECK(file.timeout == 60);
	CHECK_INT(file.retries, 1);
	CHECK_STR(file.tagstring, "[{}]");
	options_release(&o);

	/* --timeout N% replaces both the number and its kind. */
	parse(&o, "--tagstring {#}", "--timeout", "150%", NULL);
	options_override_task(&o, &file);
	CHECK(file.timeout == 150 && file.timeout_percent);
	CHECK_STR(file.tagstring, "{#}");
	options_release(&o);
	unsetenv("PARALLEL");
}

/* The exit status and first stderr line of options_parse() in a child. */
static int
parse_in_child(char *err, size_t errsize, const char *const *words)
{
	int fds[2], status, argc = 0;
	ssize_t n;
	pid_t pid;
	struct options o;

	if (pipe(fds) < 0 || (pid = fork()) < 0) {
		perror("pipe/fork");
		exit(2);
	}
	if (pid == 0) {
		close(fds[0]);
		dup2(fds[1], 2);
		unsetenv("PARALLEL");
		argv_buf[argc++] = (char *)"fanout";
		while (*words && argc < MAXARGV)
			argv_buf[argc++] = (char *)*words++;
		argv_buf[argc] = NULL;
		options_parse(&o, argc, argv_buf);
		_exit(0);
	}
	close(fds[1]);
	n = read(fds[0], err, errsize - 1);
	err[n > 0 ? n : 0] = '\0';
	err[strcspn(err, "\n")] = '\0';
	close(fds[0]);
	if (waitpid(pid, &status, 0) < 0) {
		perror("waitpid");
		exit(2);
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void
test_usage_errors(void)
{
	static const char *const retries[] = {"--retries", "x", "true", NULL};
	static const char *const unknown[] = {"--no-such", NULL};
	static const char *const novalue[] = {"true", "--timeout", NULL};
	static const char *const json_lb[] = {"--json", "--lb", "true", NULL};
	static const char *const chars0[] = {"-s", "0", "true", NULL};
	static const char *const args_x[] = {"-n", "x", "true", NULL};
	static const char *const trim_x[] = {"--trim", "lrl", "true", NULL};
	static const char *const nice_x[] = {"--nice", "20", "true", NULL};
	char err[512];

	CHECK_INT(parse_in_child(err, sizeof err, chars0), 255);
	CHECK_STR(err, "fanout: -s: '0' must be at least 1 (see 'fanout --help')");
	CHECK_INT(parse_in_child(err, sizeof err, trim_x), 255);
	CHECK_STR(err,
	    "fanout: --trim: 'lrl' is not n, l, r, lr or rl "
	    "(see 'fanout --help')");
	CHECK_INT(parse_in_child(err, sizeof err, nice_x), 255);
	CHECK_STR(err,
	    "fanout: --nice: '20' is not a niceness (-20 to 19) "
	    "(see 'fanout --help')");
	CHECK_INT(parse_in_child(err, sizeof err, args_x), 255);
	CHECK_STR(err,
	    "fanout: -n: 'x' is not a whole number (see 'fanout --help')");

	CHECK_INT(parse_in_child(err, sizeof err, retries), 255);
	CHECK_STR(err,
	    "fanout: --retries: 'x' is not a whole number "
	    "(see 'fanout --help')");
	CHECK_INT(parse_in_child(err, sizeof err, unknown), 255);
	CHECK_STR(
	    err, "fanout: unknown option '--no-such' (see 'fanout --help')");
	/* After the command, words are the command's. */
	CHECK_INT(parse_in_child(err, sizeof err, novalue), 0);
	CHECK_STR(err, "");
	CHECK_INT(parse_in_child(err, sizeof err, json_lb), 255);
	CHECK_STR(err,
	    "fanout: --json cannot be combined with --lb or -u "
	    "(see 'fanout --help')");
}

int
main(void)
{
	test_defaults();
	test_set_to_default();
	test_spellings();
	test_srun();
	test_values();
	test_xargs_options();
	test_gnu_options();
	test_workflow();
	test_env();
	test_groups();
	test_override_task();
	test_usage_errors();
	return unit_done();
}
