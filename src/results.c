#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "record.h"
#include "results.h"
#include "util.h"
#include "xalloc.h"

static int
make_dir(const char *path)
{
	if (mkdir(path, 0777) == 0 || errno == EEXIST)
		return 0;
	return error("cannot create '%s': %s", path, strerror(errno));
}

/* Create path and the folders above it, as mkdir -p. */
static int
make_dirs(const char *path)
{
	char *p = xstrdup(path), *slash;
	int rc;

	for (slash = p; (slash = strchr(slash + 1, '/')) != NULL;) {
		*slash = '\0';
		rc = mkdir(p, 0777);
		*slash = '/';
		if (rc < 0 && errno != EEXIST)
			break;
	}
	free(p);
	return make_dir(path);
}

static bool
ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && strcasecmp(s + n - k, suffix) == 0;
}

int
results_prepare(const char *dir, bool dry_run)
{
	static const char *const tables[][2] = {
	    {".json", "JSON"}, {".csv", "CSV"}, {".tsv", "TSV"}};
	struct stat st;
	size_t i;

	for (i = 0; i < sizeof tables / sizeof tables[0]; i++)
		if (ends_with(dir, tables[i][0]))
			return error("--results '%s': results in one %s file "
				     "are not supported (use --json)",
			    dir, tables[i][1]);
	if (dry_run)
		return 0;
	if (make_dirs(dir) < 0)
		return -1;
	if (stat(dir, &st) == 0 && !S_ISDIR(st.st_mode))
		return error("--results '%s' is not a folder", dir);
	if (access(dir, W_OK | X_OK) < 0)
		return error("--results '%s' cannot be written: %s", dir,
		    strerror(errno));
	return 0;
}

static int
open_file(const char *dir, const char *name)
{
	char *path = xasprintf("%s/%s", dir, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);

	if (fd < 0)
		error("cannot create '%s': %s", path, strerror(errno));
	free(path);
	return fd;
}

static int
write_file(const char *dir, const char *name, const char *text)
{
	int fd = open_file(dir, name), rc;

	if (fd < 0)
		return -1;
	rc = util_write_all(fd, text, strlen(text), NULL);
	if (close(fd) < 0 || rc < 0)
		return error(
		    "cannot write '%s/%s': %s", dir, name, strerror(errno));
	return 0;
}

int
results_open(const char *dir, size_t seq, int fds[2])
{
	char *sub = xasprintf("%s/%zu", dir, seq);
	int rc = -1;

	fds[0] = fds[1] = -1;
	if (make_dir(dir) == 0 && make_dir(sub) == 0 &&
	    (fds[0] = open_file(sub, "stdout")) >= 0 &&
	    (fds[1] = open_file(sub, "stderr")) >= 0)
		rc = 0;
	if (rc < 0 && fds[0] >= 0) {
		close(fds[0]);
		fds[0] = -1;
	}
	free(sub);
	return rc;
}

int
results_finish(const char *dir, const struct job_record *r)
{
	char *sub = xasprintf("%s/%zu", dir, r->seq);
	char *cmd = xasprintf("%s\n", r->cmd);
	char num[32];
	int rc;

	/* As a shell reports it: 128+N for a job killed by signal N. */
	snprintf(
	    num, sizeof num, "%d\n", r->signal ? 128 + r->signal : r->exitval);
	rc = make_dir(dir) == 0 && make_dir(sub) == 0 &&
		write_file(sub, "cmd", cmd) == 0 &&
		write_file(sub, "exitval", num) == 0
	    ? 0
	    : -1;
	free(sub);
	free(cmd);
	return rc;
}
