/*
 * libFuzzer target for src/joblog.c's reader.
 *
 * Input: the bytes of a joblog file, read with joblog_parse(). Besides
 * crashes and leaks it checks, aborting when one fails: the parse either
 * fails with an empty past or gives sorted, unique Seq arrays; every
 * successful seq is a done seq; every --retry-failed seq is done, never
 * successful, ascending, with a command. Memory must follow the number
 * of lines, not the Seq values (libFuzzer's -rss_limit_mb catches that).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "joblog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_sorted(const size_t *a, size_t n)
{
	size_t i;

	for (i = 1; i < n; i++)
		if (a[i - 1] >= a[i])
			abort();
	for (i = 0; i < n; i++)
		if (a[i] == 0)
			abort(); /* Seq counts from 1 */
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct joblog_past p;
	FILE *fp;
	size_t i;
	int rc;

	if (size == 0)
		return 0; /* fmemopen() refuses a size of 0 */
	fp = fmemopen((void *)data, size, "r");
	if (!fp)
		return 0;
	rc = joblog_parse(fp, "fuzz", &p);
	fclose(fp);
	if (rc < 0) {
		if (p.ndone || p.nok || p.nfailed || p.done || p.ok)
			abort();
		return 0;
	}
	check_sorted(p.done, p.ndone);
	check_sorted(p.ok, p.nok);
	check_sorted(p.failed_seq, p.nfailed);
	for (i = 0; i < p.nok; i++)
		if (!joblog_past_done(&p, p.ok[i]))
			abort();
	for (i = 0; i < p.nfailed; i++)
		if (!joblog_past_done(&p, p.failed_seq[i]) ||
		    joblog_past_ok(&p, p.failed_seq[i]) || !p.failed_cmd[i])
			abort();
	joblog_past_release(&p);
	return 0;
}
