#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "command.h"
#include "options.h"
#include "plan.h"
#include "template.h"
#include "util.h"
#include "xalloc.h"

/* Longer commands go to the shell as a script (one argument of Linux
 * holds 128 KiB; all of them with the environment, about 2 MiB). */
#define COMMAND_ARG_MAX (100 * 1024)
#define JOB_VARS 5
/* --hostgroups: PARALLEL_HOSTGROUPS and PARALLEL_ARGHOSTGROUPS after them. */
#define GROUP_VARS 2

extern char **environ;

struct command {
	const char *shell; /* for commands that need one */
	char *bash; /* for exported bash functions; NULL: none */
	struct buf text; /* a command's shell text */
	struct args argv; /* a direct command's words */
	char **argvp;
	size_t argvp_cap;
	char **envp;
	size_t nbase; /* of envp: fanout's environment, less the job vars */
	char **tenvp; /* envp with a task's env, for tasks that have one */
	size_t tenvp_cap;
	char *const *tenv; /* the task env tenvp was made for */
	char vars[JOB_VARS][48]; /* the job's own variables, in envp */
	struct buf host; /* FANOUT_HOST=, there instead of vars[2] */
	bool groups; /* --hostgroups: GROUP_VARS more */
	struct buf gvars[GROUP_VARS];
	size_t tjob; /* of tenvp: where the job's own variables start */
};

/* The shell for commands that need one: --shell, $FANOUT_SHELL, /bin/sh. */
static const char *
shell_of(const struct options *o)
{
	const char *sh = o->shell ? o->shell : getenv("FANOUT_SHELL");

	return sh && *sh ? sh : "/bin/sh";
}

int
command_check(const struct options *o)
{
	const char *what = o->shell ? "--shell" : "FANOUT_SHELL";
	const char *sh = shell_of(o);
	struct stat st;
	char *found;

	if (!strchr(sh, '/')) {
		if (!(found = util_path_search(sh)))
			return error("%s '%s': not found in PATH", what, sh);
		free(found);
		return 0;
	}
	if (stat(sh, &st) < 0 || access(sh, X_OK) < 0)
		return error("%s '%s': %s", what, sh, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return error("%s '%s': not a program", what, sh);
	return 0;
}

/*
 * The bash that runs exported bash functions (BASH_FUNC_name%% in the
 * environment): the shell when it is a bash, else the first bash in PATH.
 * NULL when there are no such functions or no bash; owned by the caller.
 */
static char *
bash_for_functions(const char *shell)
{
	const char *base;
	size_t i;

	for (i = 0; environ[i]; i++)
		if (strncmp(environ[i], "BASH_FUNC_", 10) == 0)
			break;
	if (!environ[i])
		return NULL;
	base = strrchr(shell, '/');
	if (strcmp(base ? base + 1 : shell, "bash") == 0)
		return xstrdup(shell);
	return util_path_search("bash");
}

/* Is the first word of shell text an exported bash function? */
static bool
runs_bash_function(const char *text)
{
	char *var;
	size_t start = strspn(text, " \t\n"), len;
	bool found;

	len = strcspn(text + start, " \t\n;&|<>()");
	if (len == 0)
		return false;
	var = xasprintf("BASH_FUNC_%.*s%%%%", (int)len, text + start);
	found = getenv(var) != NULL;
	free(var);
	return found;
}

static const char *const job_vars[JOB_VARS] = {"FANOUT_SEQ=", "FANOUT_SLOT=",
    "FANOUT_HOST=", "PARALLEL_SEQ=", "PARALLEL_JOBSLOT="};

static const char *const group_vars[GROUP_VARS] = {
    "PARALLEL_HOSTGROUPS=", "PARALLEL_ARGHOSTGROUPS="};

static bool
is_job_var(const char *e)
{
	size_t i;

	for (i = 0; i < JOB_VARS; i++)
		if (strncmp(e, job_vars[i], strlen(job_vars[i])) == 0)
			return true;
	for (i = 0; i < GROUP_VARS; i++)
		if (strncmp(e, group_vars[i], strlen(group_vars[i])) == 0)
			return true;
	return false;
}

struct command *
command_new(const struct options *o)
{
	struct command *c = xcalloc(1, sizeof *c);
	size_t n = 0, i;

	c->shell = shell_of(o);
	c->bash = bash_for_functions(c->shell);
	for (i = 0; environ[i]; i++)
		;
	c->groups = o->hostgroups;
	c->envp = xcalloc(i + JOB_VARS + GROUP_VARS + 1, sizeof *c->envp);
	for (i = 0; environ[i]; i++)
		if (!is_job_var(environ[i]))
			c->envp[n++] = environ[i];
	c->nbase = n;
	for (i = 0; i < JOB_VARS; i++)
		c->envp[n + i] = c->vars[i];
	c->envp[n + JOB_VARS] = NULL;
	return c;
}

void
command_free(struct command *c)
{
	size_t i;

	if (!c)
		return;
	free(c->bash);
	buf_release(&c->text);
	args_release(&c->argv);
	free(c->argvp);
	free(c->envp);
	free(c->tenvp);
	for (i = 0; i < GROUP_VARS; i++)
		buf_release(&c->gvars[i]);
	buf_release(&c->host);
	free(c);
}

/* dst = name (with its '=') and v in decimal; dst holds 48 bytes. */
static void
env_number(char *dst, const char *name, size_t v)
{
	char digits[24], *p = digits + sizeof digits;
	size_t len = strlen(name);

	*--p = '\0';
	do
		*--p = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	memcpy(dst, name, len);
	memcpy(dst + len, p, (size_t)(digits + sizeof digits - p));
}

static void
env_set(struct command *c, const struct template_job *job)
{
	const char *g[GROUP_VARS] = {job->hgrp, job->agrp};
	size_t i;

	/* By hand: snprintf was a third of fanout's own work per job. */
	env_number(c->vars[0], job_vars[0], job->seq);
	env_number(c->vars[1], job_vars[1], job->slot);
	/* A login of any length, whole. */
	buf_reset(&c->host);
	buf_addstr(&c->host, job_vars[2]);
	buf_addstr(&c->host, job->host ? job->host : ":");
	c->envp[c->nbase + 2] = c->host.data;
	env_number(c->vars[3], job_vars[3], job->seq);
	env_number(c->vars[4], job_vars[4], job->slot);
	if (!c->groups)
		return;
	for (i = 0; i < GROUP_VARS; i++) {
		buf_reset(&c->gvars[i]);
		buf_addstr(&c->gvars[i], group_vars[i]);
		buf_addstr(&c->gvars[i], g[i] ? g[i] : "");
		/* NEEDSWORK: longer than exec takes (thousands of hosts'
		 * groups): left out, and the ones after it. */
		c->envp[c->nbase + JOB_VARS + i] =
		    c->gvars[i].len > COMMAND_ARG_MAX ? NULL : c->gvars[i].data;
		if (!c->envp[c->nbase + JOB_VARS + i])
			break;
	}
}

/*
 * The job's own variables (env_set()'s, in envp after fanout's) in tenvp
 * too, after the task's: the same pointers, NULL where envp has one.
 */
static void
task_env_job(struct command *c)
{
	memcpy(c->tenvp + c->tjob, c->envp + c->nbase,
	    (JOB_VARS + GROUP_VARS) * sizeof *c->tenvp);
}

/*
 * argv for a direct command, else shell text; NULL when the command is
 * too long for exec: then c->text holds it, to run as a script.
 */
static char **
build_argv(struct command *c, const struct task *t, const struct args *a,
    const struct template_job *job, const char **shell)
{
	const struct template *tp = t->command;
	size_t i, n;
	bool use_shell = template_needs_shell(tp);

	*shell = c->shell;
	if (!use_shell) {
		template_render_argv(tp, a, job, &c->argv);
		n = c->argv.n;
		if (c->argv.data.len > COMMAND_ARG_MAX ||
		    (c->bash && n &&
			runs_bash_function(args_value(&c->argv, 0))))
			use_shell = true;
	}
	if (use_shell) {
		buf_reset(&c->text);
		template_render_shell(tp, a, job, &c->text);
		if (c->bash && runs_bash_function(c->text.data))
			*shell = c->bash;
		if (c->text.len > COMMAND_ARG_MAX)
			return NULL;
		n = 3;
	}
	if (n + 1 > c->argvp_cap) {
		c->argvp_cap = n + 1;
		c->argvp =
		    xreallocarray(c->argvp, c->argvp_cap, sizeof *c->argvp);
	}
	if (use_shell) {
		c->argvp[0] = (char *)*shell;
		c->argvp[1] = (char *)"-c";
		c->argvp[2] = c->text.data;
	} else {
		for (i = 0; i < n; i++)
			c->argvp[i] = (char *)args_value(&c->argv, i);
	}
	c->argvp[n] = NULL;
	return c->argvp;
}

/* Whether "NAME=value" e sets a variable that env (NULL-ended) sets. */
static bool
env_overridden(const char *e, char *const *env)
{
	size_t len = strcspn(e, "=");

	for (; *env; env++)
		if (strncmp(*env, e, len) == 0 && (*env)[len] == '=')
			return true;
	return false;
}

/*
 * The environment of a job of a task with env of its own: fanout's, with
 * the task's variables over it, then the job's own (FANOUT_SEQ...).
 */
static char **
task_envp(struct command *c, char *const *env)
{
	size_t n = 0, i, ntask = 0;

	/* The same task as the job before: the same array (the job's own
	 * variables are set per job, task_env_job()). */
	if (env == c->tenv)
		return c->tenvp;
	c->tenv = env;
	while (env[ntask])
		ntask++;
	if (c->nbase + ntask + JOB_VARS + GROUP_VARS + 1 > c->tenvp_cap) {
		c->tenvp_cap = c->nbase + ntask + JOB_VARS + GROUP_VARS + 1;
		c->tenvp =
		    xreallocarray(c->tenvp, c->tenvp_cap, sizeof *c->tenvp);
	}
	for (i = 0; i < c->nbase; i++)
		if (!env_overridden(c->envp[i], env))
			c->tenvp[n++] = c->envp[i];
	for (i = 0; i < ntask; i++)
		if (!is_job_var(env[i]))
			c->tenvp[n++] = env[i];
	/* Then the job's own: task_env_job(). */
	c->tjob = n;
	c->tenvp[n + JOB_VARS + GROUP_VARS] = NULL;
	return c->tenvp;
}

void
command_build(struct command *c, const struct task *t, const struct args *a,
    const struct template_job *job, struct exec_cmd *cmd)
{
	const char *shell;

	cmd->argv = build_argv(c, t, a, job, &shell);
	cmd->shell = shell;
	cmd->script = c->text.data;
	cmd->script_len = c->text.len;
	env_set(c, job);
	cmd->envp = c->envp;
	if (t->env) {
		cmd->envp = task_envp(c, t->env);
		task_env_job(c);
	}
	cmd->cwd = t->cwd;
	cmd->task_env = t->env;
	cmd->args = a;
	cmd->seq = job->seq;
	cmd->slot = job->slot;
	cmd->agrp = job->agrp;
	cmd->exec_args = t->srun;
}

void
command_text(const struct task *t, const struct args *a,
    const struct template_job *job, struct buf *out)
{
	template_render_shell(t->command, a, job, out);
}

void
command_tag(const struct task *t, const struct args *a,
    const struct template_job *job, struct buf *tag)
{
	size_t i;

	buf_reset(tag);
	if (t->tagstring) {
		template_render_text(t->tagstring, a, job, tag);
	} else {
		for (i = 0; i < a->n; i++) {
			if (i)
				buf_addch(tag, ' ');
			buf_add(tag, args_value(a, i), a->len[i]);
		}
	}
	buf_addch(tag, '\t');
}
