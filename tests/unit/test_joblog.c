/*
 * Unit tests for src/joblog.c's reader: which lines are joblog lines,
 * what --resume, --resume-failed and --retry-failed learn from them, and
 * that memory follows the number of lines, not the Seq values.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "joblog.h"
#include "unit.h"

#define HEADER                                                                 \
	"Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\t"   \
	"Command\n"

/* joblog_parse() of the bytes text[0..len). */
static int
parse_mem(const char *text, size_t len, struct joblog_past *p)
{
	FILE *fp = fmemopen((void *)text, len, "r");
	int rc;

	if (!fp) {
		perror("fmemopen");
		exit(1);
	}
	rc = joblog_parse(fp, "j.log", p);
	fclose(fp);
	return rc;
}

static int
parse(const char *text, struct joblog_past *p)
{
	return parse_mem(text, strlen(text), p);
}

/* Is text (one line after the header) a joblog line? */
static int
line_ok(const char *line)
{
	struct joblog_past p;
	char text[512];
	int rc;

	snprintf(text, sizeof text, HEADER "%s\n", line);
	rc = parse(text, &p);
	joblog_past_release(&p);
	return rc == 0;
}

static void
test_lines(void)
{
	CHECK(line_ok("1\t:\t1795855078.797\t     0.006\t0\t2\t0\t0\techo a"));
	/* GNU parallel's own: a host login, a killed job, a timeout. */
	CHECK(line_ok("7\t4/me@node1\t1.5\t2.250\t10\t20\t0\t9\tx"));
	CHECK(line_ok("8\t:\t1.5\t2.250\t0\t0\t-1\t15\tsleep 9"));
	/* The command may be empty and may hold tabs. */
	CHECK(line_ok("2\t:\t1\t1\t0\t0\t0\t0\t"));
	CHECK(line_ok("2\t:\t1\t1\t0\t0\t0\t0\tprintf '\t'\t;"));
	CHECK(line_ok("18446744073709551615\t:\t1\t1\t0\t0\t0\t0\tx"));

	CHECK(!line_ok("-1\t:\t1\t1\t0\t0\t0\t0\tx"));
	CHECK(!line_ok("0\t:\t1\t1\t0\t0\t0\t0\tx"));
	CHECK(!line_ok("+1\t:\t1\t1\t0\t0\t0\t0\tx"));
	CHECK(!line_ok("1x\t:\t1\t1\t0\t0\t0\t0\tx"));
	CHECK(!line_ok("18446744073709551616\t:\t1\t1\t0\t0\t0\t0\tx"));
	CHECK(!line_ok("1\t\t1\t1\t0\t0\t0\t0\tx"));
	CHECK(!line_ok("1\t:\tsoon\t1\t0\t0\t0\t0\tx"));
	CHECK(!line_ok("1\t:\t1\t1\t0\t0\t\t0\tx"));
	CHECK(!line_ok("1\t:\t1\t1\t0\t0\t0\t0"));
	CHECK(!line_ok(""));
	CHECK(!line_ok("garbage"));
}

static void
test_past(void)
{
	struct joblog_past p;
	static const char text[] =
	    HEADER "3\t:\t1\t1\t0\t0\t1\t0\tthree\n"
		   "100000000000\t:\t1\t1\t0\t0\t0\t0\tbig\n"
		   "5\t:\t1\t1\t0\t0\t0\t15\tfive\n"
		   "3\t:\t1\t1\t0\t0\t2\t0\tthree again\n"
		   "5\t:\t1\t1\t0\t0\t0\t0\tfive\n"
		   "9\t:\t1\t1\t0\t0\t1\t0\tnine\0line two\n";

	CHECK_INT(parse_mem(text, sizeof text - 1, &p), 0);
	CHECK_INT(p.ndone, 4);
	CHECK(joblog_past_done(&p, 3) && joblog_past_done(&p, 5) &&
	    joblog_past_done(&p, 9) && joblog_past_done(&p, 100000000000));
	CHECK(!joblog_past_done(&p, 1) && !joblog_past_done(&p, 4) &&
	    !joblog_past_done(&p, SIZE_MAX));
	CHECK(joblog_past_ok(&p, 5) && !joblog_past_ok(&p, 3));
	/* Never succeeded, by seq, the last line's command. */
	CHECK_INT(p.nfailed, 2);
	if (p.nfailed == 2) {
		CHECK_INT(p.failed_seq[0], 3);
		CHECK_STR(p.failed_cmd[0], "three again");
		CHECK_INT(p.failed_seq[1], 9);
		CHECK_STR(p.failed_cmd[1], "nine\nline two");
	}
	joblog_past_release(&p);
}

static void
test_ends(void)
{
	struct joblog_past p;

	/* A last line without a newline is cut short: ignored. */
	CHECK_INT(
	    parse(HEADER "1\t:\t1\t1\t0\t0\t0\t0\tx\n2\t:\t1\t1\t0\t0\t0\t0\ty",
		&p),
	    0);
	CHECK(joblog_past_done(&p, 1) && !joblog_past_done(&p, 2));
	joblog_past_release(&p);
	/* ... but a bad line before it is not. */
	CHECK_INT(parse(HEADER "x\n2\t:\t1", &p), -1);
	CHECK_INT(p.ndone + p.nfailed, 0);
	/* Empty, or the header alone. */
	CHECK_INT(parse("", &p), 0);
	CHECK_INT(p.ndone, 0);
	joblog_past_release(&p);
	CHECK_INT(parse(HEADER, &p), 0);
	CHECK_INT(p.ndone, 0);
	joblog_past_release(&p);
	CHECK_INT(parse("Seq\tHo", &p), 0);
	CHECK_INT(p.ndone, 0);
	joblog_past_release(&p);
}

int
main(void)
{
	test_lines();
	test_past();
	test_ends();
	return unit_done();
}
