/*
 * libFuzzer target for the workflow loader: src/workflow.c over
 * src/yaml.c, as `fanout -f FILE --check` runs it.
 *
 * Input: the bytes of a workflow file. The loader must give a plan or
 * report one error and give none, never crash, leak, hang or exit: an
 * option value the file gets wrong (jobs:, halt:) comes back as an
 * error too. Globs are not expanded under --check, so the file system
 * is not walked.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "options.h"
#include "plan.h"
#include "workflow.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	unsetenv("PARALLEL");
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *args[] = {(char *)"fanout", (char *)"-f", (char *)"fuzz.yaml",
	    (char *)"--check", NULL};
	struct options o;
	struct workflow *wf;
	struct plan *plan;

	options_parse(&o, 4, args);
	wf = workflow_parse(&o, "fuzz", (const char *)data, size, &plan);
	if (!wf != !plan)
		abort();
	if (plan)
		plan_free(plan);
	workflow_free(wf);
	options_release(&o);
	return 0;
}
