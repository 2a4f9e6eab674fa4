#include <stdlib.h>

#include "record.h"

void
record_release(struct job_record *r)
{
	args_release(&r->args);
	free(r->cmd);
	r->cmd = NULL;
}

void
record_free(struct job_record *r)
{
	if (!r)
		return;
	record_release(r);
	free(r);
}
