#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "collect.h"
#include "record.h"
#include "results.h"
#include "util.h"
#include "xalloc.h"

static int
write_cb(void *ctx, const char *p, size_t n)
{
	return util_write_all(*(int *)ctx, p, n, NULL);
}

/* Write a file in dir from text, or from a stream of the job's output. */
static int
write_file(const char *dir, const char *name, const char *text,
    struct collector *c, struct output *o, int stream)
{
	char *path = xasprintf("%s/%s", dir, name);
	int fd, rc;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (fd < 0) {
		rc = error("cannot create '%s': %s", path, strerror(errno));
		free(path);
		return rc;
	}
	if (text)
		rc = util_write_all(fd, text, strlen(text), NULL);
	else
		rc = output_read(c, o, stream, write_cb, &fd);
	if (close(fd) < 0 || rc < 0)
		rc = error("cannot write '%s': %s", path, strerror(errno));
	free(path);
	return rc;
}

static int
make_dir(const char *path)
{
	if (mkdir(path, 0777) == 0 || errno == EEXIST)
		return 0;
	return error("cannot create '%s': %s", path, strerror(errno));
}

int
results_write(const char *dir, const struct job_record *r,
    struct collector *c, struct output *o)
{
	char *sub = xasprintf("%s/%zu", dir, r->seq);
	char *cmd = xasprintf("%s\n", r->cmd);
	char num[32];
	int rc = -1;

	/* As a shell reports it: 128+N for a job killed by signal N. */
	snprintf(num, sizeof num, "%d\n",
	    r->signal ? 128 + r->signal : r->exitval);
	if (make_dir(dir) == 0 && make_dir(sub) == 0 &&
	    write_file(sub, "cmd", cmd, c, o, 0) == 0 &&
	    write_file(sub, "stdout", NULL, c, o, 1) == 0 &&
	    write_file(sub, "stderr", NULL, c, o, 2) == 0 &&
	    write_file(sub, "exitval", num, c, o, 0) == 0)
		rc = 0;
	free(sub);
	free(cmd);
	return rc;
}
