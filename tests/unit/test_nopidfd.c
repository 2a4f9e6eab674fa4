/*
 * fanout where pidfd_open() does not exist (kernels before 5.3, seccomp
 * filters, valgrind): a seccomp filter makes it fail with ENOSYS, as
 * those do, and the scheduler runs jobs on the local executor all the
 * same: output, exit values, a timeout, -k order.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "buf.h"
#include "options.h"
#include "plan.h"
#include "sched.h"
#include "xalloc.h"
#include "unit.h"

static char tmpdir[] = "/tmp/fanout-unit-XXXXXX";

/* pidfd_open() fails with ENOSYS from now on; 0, or -1 when it cannot. */
static int
deny_pidfd_open(void)
{
	struct sock_filter f[] = {
	    BPF_STMT(
		BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_pidfd_open, 0, 1),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (ENOSYS & 0xffff)),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {sizeof f / sizeof *f, f};

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -1;
	return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog);
}

/* Run fanout's argv on the local executor; its stdout in *out. */
static int
run(char **argv, int argc, char **out)
{
	struct options o;
	struct plan *p;
	char *path = xasprintf("%s/out", tmpdir);
	int saved, fd, status;

	options_parse(&o, argc, argv);
	p = plan_from_options(&o);
	fflush(stdout);
	saved = dup(1);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	dup2(fd, 1);
	close(fd);
	status = sched_run(p, &o);
	dup2(saved, 1);
	close(saved);
	*out = unit_slurp(path);
	unlink(path);
	free(path);
	plan_free(p);
	options_release(&o);
	return status;
}

int
main(void)
{
	char *argv1[] = {(char *)"fanout", (char *)"-k", (char *)"-j",
	    (char *)"3", (char *)"sleep 0.0{}; echo {}; exit {}",
	    (char *)":::", (char *)"3", (char *)"0", (char *)"2", (char *)"1",
	    NULL};
	char *argv2[] = {(char *)"fanout", (char *)"--timeout", (char *)"0.2",
	    (char *)"sleep", (char *)":::", (char *)"30", NULL};
	char *argv3[] = {(char *)"fanout", (char *)"-u", (char *)"true",
	    (char *)":::", (char *)"a", (char *)"b", NULL};
	char *out;

	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	unsetenv("PARALLEL");
	CHECK(deny_pidfd_open() == 0);
	errno = 0;
	CHECK(syscall(SYS_pidfd_open, getpid(), 0) < 0 && errno == ENOSYS);
	/* Exit values and -k order with jobs ending out of order. */
	CHECK_INT(run(argv1, 10, &out), 3);
	CHECK_STR(out, "3\n0\n2\n1\n");
	free(out);
	/* A timeout still stops a job and its end is seen. */
	CHECK_INT(run(argv2, 6, &out), 1);
	free(out);
	/* -u: no pipes at all, only the ends of the processes. */
	CHECK_INT(run(argv3, 6, &out), 0);
	free(out);
	rmdir(tmpdir);
	return unit_done();
}
