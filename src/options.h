/* The command line, parsed into struct options. */
#ifndef OPTIONS_H
#define OPTIONS_H

#include <stdbool.h>
#include <stddef.h>

enum output_mode {
	OUTPUT_GROUP, /* each job's output whole, when it ends */
	OUTPUT_LINE, /* whole lines as they come (--line-buffer) */
	OUTPUT_UNGROUP /* straight through (-u) */
};

/* An input source: a ::: list, or a :::: / -a file. */
struct group {
	char **values; /* ::: values; NULL for a file */
	size_t nvalues;
	const char *path; /* :::: / -a file, "-" for stdin */
	bool linked; /* :::+ / ::::+: pairs with the group before, if any */
};

/* --trim: white space taken off each value */
enum trim { TRIM_NONE, TRIM_LEFT, TRIM_RIGHT, TRIM_BOTH };

/* -m, -X, --xargs: as many values per command as fit */
enum pack_mode {
	PACK_NONE,
	PACK_M, /* spread over the job slots when the input ends */
	PACK_X, /* as PACK_M, with context replace */
	PACK_XARGS /* no spreading */
};

enum halt_when { HALT_NEVER, HALT_SOON, HALT_NOW };
enum halt_what { HALT_FAIL, HALT_SUCCESS, HALT_DONE };

struct halt {
	enum halt_when when;
	enum halt_what what;
	double value; /* count, or percentage with percent */
	bool percent;
};

#define TERMSEQ_MAX 16
#define TERMSEQ_MS_MAX 86400000
struct termseq {
	int sig[TERMSEQ_MAX];
	int ms[TERMSEQ_MAX]; /* wait after sending sig[i] */
	size_t n;
};

/*
 * The settings a workflow task can set too (SPEC section 9): the command
 * line's one task has them, and a workflow file gives each of its tasks
 * its own. The graph (needs, when) and what only a file sets (cwd, env, a
 * per-task cap) live in the plan's struct task.
 */
struct task_settings {
	char **command; /* the command's words; ncommand may be 0 */
	size_t ncommand;
	const char *tagstring;
	double timeout; /* seconds, or percent of the median; 0: none */
	bool timeout_percent;
	unsigned retries; /* runs in all; at least 1 */
};

#define TASK_SETTINGS_INIT                                                     \
	{                                                                      \
		.retries = 1                                                   \
	}

/*
 * The settings options can set, for options_is_set(). One may stand for
 * several options: OPT_OUTPUT for --group, --lb and -u, OPT_DELIMITER for
 * -0 and -d, OPT_PROGRESS for --bar, --progress and --eta.
 */
enum option_id {
	OPT_NONE, /* an option that sets nothing to remember: -a, --help */
	OPT_JOBS,
	OPT_KEEP_ORDER,
	OPT_OUTPUT,
	OPT_TAG,
	OPT_TAGSTRING,
	OPT_VERBOSE,
	OPT_DRY_RUN,
	OPT_DELIMITER,
	OPT_COLSEP,
	OPT_SKIP_EMPTY,
	OPT_MAX_ARGS,
	OPT_REPLACE,
	OPT_QUOTE,
	OPT_SHELL,
	OPT_LINK,
	OPT_DELAY,
	OPT_TIMEOUT,
	OPT_TERMSEQ,
	OPT_RETRIES,
	OPT_HALT,
	OPT_JOBLOG,
	OPT_RESUME,
	OPT_RESUME_FAILED,
	OPT_RETRY_FAILED,
	OPT_RESULTS,
	OPT_JSON,
	OPT_PROGRESS,
	OPT_MEMFREE,
	OPT_WORKFLOW,
	OPT_CHECK,
	OPT_PACK,
	OPT_EOF,
	OPT_MAX_CHARS,
	OPT_TRIM,
	OPT_SRUN,
	OPT_SRUN_CPUS,
	OPT_PIPE, /* --pipe, --pipe-part, --block, --recend... */
	OPT_HEADER,
	OPT_COUNT
};

/* Run-wide settings, the one task's settings, and what the user gave. */
struct options {
	char **env_words; /* argv[0] and $PARALLEL's words, owned */
	char **operands; /* $PARALLEL's operands, then argv's, owned */
	struct group *groups;
	size_t ngroups;
	struct task_settings task;
	unsigned long long given; /* bit 1 << id: the user set it */

	const char *jobs_spec; /* -j as given; NULL: one per CPU */
	const char *jobs_file; /* -j FILE: the spec is in FILE, re-read */
	bool keep_order;
	enum output_mode output;
	bool tag;
	bool verbose;
	bool dry_run;

	int delimiter; /* input record separator */
	const char *colsep;
	bool skip_empty;
	size_t max_args; /* -N, -n, -L; 0: one item per job */
	bool no_args; /* -N 0: one item per job, inserted nowhere */
	bool max_args_context; /* -N, -L: {} words repeated per value */
	bool max_lines; /* -L: a line ending in a blank goes on */
	enum pack_mode pack;
	size_t max_chars; /* -s; 0: fanout's default where it packs */
	bool show_limits;
	const char *eof_str; /* -E: input ends at this item; NULL: none */
	const char *arg_sep; /* ":::" or --arg-sep */
	const char *arg_file_sep; /* "::::" or --arg-file-sep */
	enum trim trim; /* --trim; with --colsep TRIM_BOTH unless set */
	unsigned shell_quote; /* --shell-quote: print quoted this many times */
	const char *header; /* --header: a regex, ':' or a number of lines */
	bool colsep_from_header; /* --header made colsep a tab */
	int nice; /* --nice, with nice_set */
	bool nice_set;
	const char *replace; /* -I; NULL: "{}" */
	bool quote;
	bool plus; /* --plus: more replacement strings */
	bool shuf; /* --shuf: the items in random order */
	const char *shell;
	bool link;

	double delay; /* seconds between starts */
	bool delay_auto; /* --delay Nauto: x1.3 after a failure, x0.9 after
			    a success */
	struct termseq termseq;
	struct halt halt;

	const char *joblog; /* "+FILE" appends */
	bool resume;
	bool resume_failed;
	bool retry_failed;
	const char *results;
	bool json;
	bool files; /* --files: output kept in files, their names printed */
	/* --compress: spool files through these shell commands (compress.h) */
	bool compress;
	const char *compress_program, *decompress_program; /* NULL: not given */
	bool tty; /* --tty: jobs get the terminal as stdin and foreground */
	int progress; /* enum progress_kind bits */
	long long memfree; /* bytes; 0: no check */
	double load; /* --load: running processes; 0: no check */

	/* --pipe, --pipe-part: input cut into blocks, one a job (pipe.h) */
	bool pipe;
	bool pipe_part; /* blocks of the -a file, read by the jobs */
	long long block_size; /* bytes; below 0: --pipe-part, blocks a slot */
	bool block_given;
	const char *recstart; /* NULL: not given */
	const char *recend; /* NULL: not given ("\n", or "" with recstart) */
	bool regexp; /* they are regular expressions */
	bool cat; /* the block in a file named by {} */
	bool fifo; /* the block through a FIFO named by {} */
	bool round_robin; /* blocks go to the jobs running, one a slot */
	size_t pipe_nrec; /* -N or -n: records a block; 0: by size */
	size_t pipe_lines; /* -L, --max-lines: lines a record; 0: --recend */
	const char *max_args_name; /* the last of -N, -n, -L, --max-lines */
	bool remove_rec_sep; /* --rrs: record ends and starts removed */
	double block_timeout; /* seconds; 0: none */

	const char *workflow; /* -f FILE; NULL: the command line's task */
	bool check; /* --check: load the workflow, run nothing */
	char **tasks; /* with -f: the tasks named, NULL-terminated */
	size_t ntasks;
	/* Remote hosts (SPEC section 8). */
	struct strlist {
		const char **v;
		size_t n;
	} sshlogins, /* -S: each a comma list */
	    env_names, /* --env */
	    returns, /* --return: templates */
	    basefiles, /* --basefile */
	    task_hosts; /* a workflow's tasks' own hosts: none else uses them */
	const char *slf; /* --slf FILE */
	bool slurm_hosts; /* --slurm */
	const char *ssh_config; /* --ssh-config; NULL: ~/.ssh/config */
	bool ssh_accept_new;
	double ssh_timeout; /* seconds to connect */
	unsigned ssh_fanout; /* handshakes at once */
	bool filter_hosts;
	/* --hostgroups: an argument's @g1+g2 says the hosts it may run on */
	bool hostgroups;
	const char *workdir;
	bool transfer;
	bool cleanup;
	bool nonall;
	bool onall;
	const char *srun; /* --srun's ARGS ("" for none); NULL: run here */
	unsigned srun_cpus; /* --srun-cpus: CPUs per job step */
};

/*
 * Parse argv into opts. Usage errors are reported as one line and exit
 * with status 255; --help and --version exit 0.
 */
void options_parse(struct options *opts, int argc, char **argv);
void options_release(struct options *opts);
/*
 * Usage errors no single option shows (exit 255). options_parse() runs
 * it, but with -f only once the workflow's settings are in.
 */
void options_check(const struct options *opts);

/*
 * Whether the user gave the setting id, on the command line or in
 * $PARALLEL, rather than leaving it at its default.
 */
bool options_is_set(const struct options *opts, enum option_id id);

/*
 * Overwrite in t the per-task settings the user gave (not the command),
 * so that command-line options override a workflow file's (SPEC section 9).
 */
void options_override_task(const struct options *opts, struct task_settings *t);

/*
 * The number of jobs that -j FILE asks for now, as util_jobs_from_spec()
 * gives it; -4 when FILE cannot be read.
 */
long options_jobs_from_file(const char *path);

/* Parse "1.5", "90s", "5m", "1h", "2d", "1h30m" into seconds; -1 on error. */
double options_parse_duration(const char *s, bool need_unit);

#endif
