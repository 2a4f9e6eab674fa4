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

struct options {
	char **env_words; /* argv[0] and $PARALLEL's words, owned */
	char **operands; /* $PARALLEL's operands, then argv's, owned */
	char **command; /* the command's words; ncommand may be 0 */
	size_t ncommand;
	struct group *groups;
	size_t ngroups;

	const char *jobs_spec; /* -j as given; NULL: one per CPU */
	const char *jobs_file; /* -j FILE: the spec is in FILE, re-read */
	bool keep_order;
	enum output_mode output;
	bool tag;
	const char *tagstring;
	bool verbose;
	bool dry_run;

	int delimiter; /* input record separator */
	const char *colsep;
	bool skip_empty;
	size_t max_args; /* -N; 0: one item per job */
	bool no_args; /* -N 0: one item per job, inserted nowhere */
	const char *replace; /* -I; NULL: "{}" */
	bool quote;
	const char *shell;
	bool link;

	double delay; /* seconds between starts */
	bool delay_auto; /* --delay Nauto: x1.3 after a failure, x0.9 after
			    a success */
	double timeout; /* seconds, or percent of the median */
	bool timeout_percent;
	struct termseq termseq;
	unsigned retries; /* runs in all; at least 1 */
	struct halt halt;

	const char *joblog; /* "+FILE" appends */
	bool resume;
	bool resume_failed;
	bool retry_failed;
	const char *results;
	bool json;
	int progress; /* enum progress_kind bits */
	long long memfree; /* bytes; 0: no check */
};

/*
 * Parse argv into opts. Usage errors are reported as one line and exit
 * with status 255; --help and --version exit 0.
 */
void options_parse(struct options *opts, int argc, char **argv);
void options_release(struct options *opts);

/*
 * The number of jobs that -j FILE asks for now, as util_jobs_from_spec()
 * gives it; -4 when FILE cannot be read.
 */
long options_jobs_from_file(const char *path);

/* Parse "1.5", "90s", "5m", "1h", "2d", "1h30m" into seconds; -1 on error. */
double options_parse_duration(const char *s, bool need_unit);

#endif
