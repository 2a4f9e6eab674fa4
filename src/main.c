/* fanout: run jobs in parallel and collect their output whole. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xalloc.h"
#include "options.h"
#include "plan.h"
#include "sched.h"
#include "ssh.h"
#include "workflow.h"

/*
 * A closed stdin, stdout or stderr (cron, daemons) would hand its number
 * to the next descriptor fanout opens, a pipe or a spool file: fill the
 * gaps with /dev/null first.
 */
static void
reserve_std_fds(void)
{
	int fd;

	for (fd = 0; fd < 3; fd++)
		if (fcntl(fd, F_GETFD) < 0 && errno == EBADF &&
		    open("/dev/null", fd ? O_WRONLY : O_RDONLY) != fd)
			_exit(FANOUT_STATUS_ERROR);
}

int
main(int argc, char **argv)
{
	struct options opts;
	struct workflow *wf = NULL;
	struct plan *plan;
	char **hostv = NULL;
	int status;

	reserve_std_fds();
	options_parse(&opts, argc, argv);
	if (opts.workflow && !(wf = workflow_load(&opts, &plan)))
		exit(FANOUT_STATUS_ERROR);
	/* --onall, --nonall: the hosts are an input group of their own. */
	if (!wf && (opts.onall || opts.nonall))
		hostv = ssh_host_group(&opts);
	if (!wf)
		plan = opts.retry_failed ? plan_from_joblog(&opts)
					 : plan_from_options(&opts);
	/* --check: the file loaded, nothing runs. */
	status = opts.check ? 0 : sched_run(plan, &opts);
	plan_free(plan);
	workflow_free(wf);
	options_release(&opts);
	ssh_host_group_free(hostv);
	fflush(stdout);
	if (status == 128 + SIGPIPE ||
	    (status > 128 && status < 128 + 32 && status != 128 + SIGKILL)) {
		/* Die by the signal that ended us, as a shell expects. */
		signal(status - 128, SIG_DFL);
		raise(status - 128);
	}
	return status;
}
