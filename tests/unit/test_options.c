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
	char err[512];

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
	test_values();
	test_workflow();
	test_env();
	test_groups();
	test_override_task();
	test_usage_errors();
	return unit_done();
}
