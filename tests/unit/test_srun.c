/*
 * Unit tests for srun_classify() of src/srun.c: which lines of a job
 * step's stderr are srun's own, as Slurm 22.05's srun writes them (the
 * lines below were seen on the test cluster of tests/helpers/slurm.bash).
 */
#include <string.h>

#include "srun.h"
#include "unit.h"

/* The kind of line on node, and how many of its bytes are the job's. */
static int
kind(const char *line, const char *node, size_t *keep)
{
	return (int)srun_classify(line, strlen(line), node, keep);
}

static void
test_job_lines(void)
{
	size_t keep;

	CHECK_INT(kind("hello\n", "n1", &keep), SRUN_JOB);
	CHECK_INT(keep, 6);
	CHECK_INT(kind("", "n1", &keep), SRUN_JOB);
	CHECK_INT(keep, 0);
	/* srun's words, but not an error line of its own. */
	CHECK_INT(kind("srun: Job 5 step creation temporarily disabled, "
		       "retrying (Requested nodes are busy)\n",
		      "n1", &keep),
	    SRUN_JOB);
	/* Another node's exit line is not this step's. */
	CHECK_INT(kind("srun: error: n2: task 0: Exited with exit code 1\n",
		      "n1", &keep),
	    SRUN_JOB);
	/* A node whose name begins like this one's. */
	CHECK_INT(kind("srun: error: n10: task 0: Exited with exit code 1\n",
		      "n1", &keep),
	    SRUN_JOB);
	CHECK_INT(kind("srun: error: n1: task 0:", "n1", &keep), SRUN_JOB);
	CHECK_INT(keep, 24);
}

static void
test_status_lines(void)
{
	size_t keep;

	CHECK_INT(kind("srun: error: n1: task 0: Exited with exit code 3\n",
		      "n1", &keep),
	    SRUN_STATUS);
	CHECK_INT(keep, 0);
	CHECK_INT(kind("srun: error: n3: task 0: Killed\n", "n3", &keep),
	    SRUN_STATUS);
	CHECK_INT(keep, 0);
	/* After the job's last line, which had no newline. */
	CHECK_INT(kind("err 3srun: error: n1: task 0: Exited with exit code "
		       "3\n",
		      "n1", &keep),
	    SRUN_STATUS);
	CHECK_INT(keep, 5);
	/* The job printed srun's prefix itself: the last one counts. */
	CHECK_INT(kind("srun: error: xsrun: error: node7: task 0: Terminated\n",
		      "node7", &keep),
	    SRUN_STATUS);
	CHECK_INT(keep, 14);
}

static void
test_node_failures(void)
{
	size_t keep;

	CHECK_INT(kind("srun: error: Node failure on n2\n", "n2", &keep),
	    SRUN_NODE_FAILED);
	CHECK_INT(keep, 0);
	CHECK_INT(kind("srun: error: Task launch for StepId=2.1 failed on "
		       "node n2: Communication connection failure\n",
		      "n2", &keep),
	    SRUN_NODE_FAILED);
	CHECK_INT(kind("srun: error: Unable to create step for job 10: "
		       "Requested node configuration is not available\n",
		      "n2", &keep),
	    SRUN_NODE_FAILED);
	CHECK_INT(kind("partialsrun: error: Node failure on n2", "n2", &keep),
	    SRUN_NODE_FAILED);
	CHECK_INT(keep, 7);
	/* The words without srun's prefix are the job's. */
	CHECK_INT(kind("Node failure on n2\n", "n2", &keep), SRUN_JOB);
}

/* Bytes past len are never read, and a NUL is a byte like another. */
static void
test_lengths(void)
{
	const char line[] = "srun: error: n1: task 0: Killed\0tail";
	size_t keep;

	CHECK_INT(srun_classify(line, 20, "n1", &keep), SRUN_JOB);
	CHECK_INT(keep, 20);
	CHECK_INT(
	    srun_classify(line, sizeof line - 1, "n1", &keep), SRUN_STATUS);
	CHECK_INT(keep, 0);
}

int
main(void)
{
	test_job_lines();
	test_status_lines();
	test_node_failures();
	test_lengths();
	return unit_done();
}
