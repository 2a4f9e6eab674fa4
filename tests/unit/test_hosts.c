/*
 * Unit tests for src/hosts.c: logins as GNU parallel's --sshlogin writes
 * them, host ranges as pdsh and Slurm expand them (the Slurm examples are
 * those of slurm.conf(5), scontrol(1) and sbatch(1)), --slf contents and
 * Slurm's SLURM_JOB_NODELIST and SLURM_JOB_CPUS_PER_NODE.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "hosts.h"
#include "xalloc.h"
#include "unit.h"

/*
 * Each login on a line: "NAME [u=USER] [h=HOST] [p=PORT] [s=SLOTS]
 * [g=HGRP]", HGRP its {hgrp} when it has groups.
 */
static char *
show(const struct hosts_list *list)
{
	struct buf b = BUF_INIT;
	const struct hosts_login *l;
	char num[32];
	size_t i;

	for (i = 0; i < list->n; i++) {
		l = &list->v[i];
		buf_addstr(&b, l->name);
		if (l->local)
			buf_addstr(&b, " local");
		if (l->user) {
			buf_addstr(&b, " u=");
			buf_addstr(&b, l->user);
		}
		if (l->host) {
			buf_addstr(&b, " h=");
			buf_addstr(&b, l->host);
		}
		if (l->port) {
			snprintf(num, sizeof num, " p=%d", l->port);
			buf_addstr(&b, num);
		}
		if (l->slots) {
			snprintf(num, sizeof num, " s=%d", l->slots);
			buf_addstr(&b, num);
		}
		/* hgrp is the name alone exactly when there are no groups */
		if (!l->hgrp) {
			buf_addstr(&b, " NO-HGRP");
		} else if (strcmp(l->hgrp, l->name) != 0) {
			if (!l->groups)
				buf_addstr(&b, " NO-GROUPS");
			buf_addstr(&b, " g=");
			buf_addstr(&b, l->hgrp);
		} else if (l->groups) {
			buf_addstr(&b, " GROUPS-NOT-SHOWN");
		}
		buf_addch(&b, '\n');
	}
	return buf_detach(&b, NULL);
}

/* Which parser a check runs: an -S value, an --slf file, Slurm's pair. */
enum kind { LIST, SLF, SLURM };

/* Parse text (for SLURM: "NODELIST|CPUS") into a fresh list. */
static int
parse(enum kind kind, const char *text, struct hosts_list *list, char **err)
{
	char *nodes, *bar;
	int rc;

	if (kind == LIST)
		return hosts_parse_list(text, list, err);
	if (kind == SLF)
		return hosts_parse_slf(text, strlen(text), "f", list, err);
	nodes = xstrdup(text);
	if ((bar = strchr(nodes, '|')))
		*bar = '\0';
	rc = hosts_from_slurm(nodes, bar ? bar + 1 : NULL, list, err);
	free(nodes);
	return rc;
}

static void
check_ok(enum kind kind, const char *text, const char *want, const char *file,
    int line)
{
	struct hosts_list list = HOSTS_LIST_INIT;
	char *err = NULL, *got;

	if (!unit_check(
		parse(kind, text, &list, &err) == 0, file, line, text)) {
		fprintf(stderr, "  error: %s\n", err);
		free(err);
		return;
	}
	got = show(&list);
	unit_check_str(got, want, file, line, text);
	free(got);
	hosts_list_release(&list);
}

static void
check_refused(enum kind kind, const char *text, const char *want,
    const char *file, int line)
{
	struct hosts_list list = HOSTS_LIST_INIT;
	char *err = NULL;

	if (!unit_check(
		parse(kind, text, &list, &err) == -1, file, line, text)) {
		hosts_list_release(&list);
		return;
	}
	unit_check(list.n == 0, file, line, "nothing left in the list");
	unit_check_str(err, want, file, line, text);
	free(err);
	hosts_list_release(&list);
}

#define OK(text, want) check_ok(LIST, (text), (want), __FILE__, __LINE__)
#define NO(text, want) check_refused(LIST, (text), (want), __FILE__, __LINE__)
#define SLF_OK(text, want) check_ok(SLF, (text), (want), __FILE__, __LINE__)
#define SLF_NO(text, want)                                                     \
	check_refused(SLF, (text), (want), __FILE__, __LINE__)
#define SLURM_OK(text, want) check_ok(SLURM, (text), (want), __FILE__, __LINE__)
#define SLURM_NO(text, want)                                                   \
	check_refused(SLURM, (text), (want), __FILE__, __LINE__)

static void
test_login(void)
{
	OK("host", "host h=host\n");
	OK("alice@host", "alice@host u=alice h=host\n");
	OK("host:2222", "host:2222 h=host p=2222\n");
	OK("8/alice@host.example.com:22",
	    "alice@host.example.com:22 u=alice h=host.example.com p=22 s=8\n");
	OK("host:65535", "host:65535 h=host p=65535\n");
	OK("host:022", "host:022 h=host p=22\n");
	OK("u$_.-1@Node_1.x-y", "u$_.-1@Node_1.x-y u=u$_.-1 h=Node_1.x-y\n");
	OK("  host\t", "host h=host\n");
	OK(":", ": local\n");
	OK("16/:", ": local s=16\n");
	OK("1000000/h", "h h=h s=1000000\n");
	OK("10.0.0.1:2222", "10.0.0.1:2222 h=10.0.0.1 p=2222\n");
}

static void
test_ipv6(void)
{
	OK("[::1]", "[::1] h=::1\n");
	OK("[::1]:2222", "[::1]:2222 h=::1 p=2222\n");
	OK("2/root@[fe80::1%eth0]:22",
	    "root@[fe80::1%eth0]:22 u=root h=fe80::1%eth0 p=22 s=2\n");
	OK("::1", "::1 h=::1\n");
	OK("2001:db8::1", "2001:db8::1 h=2001:db8::1\n");
	OK("[::ffff:10.0.0.1]:22",
	    "[::ffff:10.0.0.1]:22 h=::ffff:10.0.0.1 p=22\n");
	NO("::1p2222",
	    "'::1p2222': more than one ':' (an IPv6 address with a "
	    "port is written [ADDR]:PORT)");
	NO("a:b:c",
	    "'a:b:c': more than one ':' (an IPv6 address with a port "
	    "is written [ADDR]:PORT)");
	NO("[::g]", "'[::g]': bad IPv6 address '::g'");
	NO("[a:b]", "'[a:b]': bad IPv6 address 'a:b'");
	NO("[1:2:3:4:5:6:7:8:9]",
	    "'[1:2:3:4:5:6:7:8:9]': bad IPv6 address '1:2:3:4:5:6:7:8:9'");
	NO("[::1%]", "'[::1%]': bad IPv6 address '::1%'");
	NO("[::1]x", "'[::1]x': unexpected 'x' after ']'");
	NO("[::1]:", "'[::1]:': bad port '' (1 to 65535)");
	NO("[::1]:0", "'[::1]:0': bad port '0' (1 to 65535)");
	NO("[::1", "'[::1': unbalanced '['");
}

static void
test_login_refused(void)
{
	NO("", "empty login in ''");
	NO("a,,b", "empty login in 'a,,b'");
	NO("a, ,b", "empty login in 'a, ,b'");
	NO("a,", "empty login in 'a,'");
	NO(",a", "empty login in ',a'");
	NO("user@", "'user@': empty host");
	NO("2/", "'2/': empty host");
	NO("u@:22", "'u@:22': empty host");
	NO(":22", "':22': empty host");
	NO("u@:", "'u@:': empty host");
	NO("host:", "'host:': bad port '' (1 to 65535)");
	NO("host:0", "'host:0': bad port '0' (1 to 65535)");
	NO("host:65536", "'host:65536': bad port '65536' (1 to 65535)");
	NO("host:22x", "'host:22x': bad port '22x' (1 to 65535)");
	NO("host:-1", "'host:-1': bad port '-1' (1 to 65535)");
	NO("host:+22", "'host:+22': bad port '+22' (1 to 65535)");
	NO("host:99999999999999999999",
	    "'host:99999999999999999999': bad port '99999999999999999999' "
	    "(1 to 65535)");
	NO("h:1:2",
	    "'h:1:2': more than one ':' (an IPv6 address with a port "
	    "is written [ADDR]:PORT)");
	NO("0/host", "'0/host': bad slot count '0' (1 to 1000000)");
	NO("x/host", "'x/host': bad slot count 'x' (1 to 1000000)");
	NO("/host", "'/host': bad slot count '' (1 to 1000000)");
	NO("-1/host", "'-1/host': bad slot count '-1' (1 to 1000000)");
	NO("1000001/host",
	    "'1000001/host': bad slot count '1000001' (1 to 1000000)");
	NO("2/3/host", "'2/3/host': unexpected '/' in the host");
	NO("ssh -p 2222 host",
	    "'ssh -p 2222 host': a login is "
	    "[@GROUPS/][N/][user@]host[:port], without blanks");
	NO("u:pw@host",
	    "'u:pw@host': passwords are not supported in a login "
	    "(use ssh-agent or a key)");
	/* GNU parallel's -S @GROUP */
	NO("@host",
	    "'@host': a host group needs a login after it, @GROUP/host (-S "
	    "@GROUP alone, to choose a group's logins, is not supported)");
	NO("-oProxyCommand=x@h",
	    "'-oProxyCommand=x@h': a user name cannot "
	    "start with '-'");
	NO("-oProxyCommand=x",
	    "'-oProxyCommand=x': a host cannot start with "
	    "'-'");
	NO("u!@h", "'u!@h': unexpected '!' in the user name");
	NO("a@b@c", "'a@b@c': unexpected '@' in the host");
	NO("h#2222", "'h#2222': unexpected '#' in the host");
	NO("h\x01", "'h\\x01': unexpected '\\x01' in the host");
	NO("h\xc3\xa9", "'h\\xc3\\xa9': unexpected '\\xc3' in the host");
	NO("..", "'..': not a host name");
	NO("-", "'-': a host cannot start with '-'");
}

static void
test_long_names(void)
{
	char text[600], want[1400];

	memset(text, 'a', 255);
	text[255] = '\0';
	snprintf(want, sizeof want, "%s h=%s\n", text, text);
	OK(text, want);
	strcpy(text + 255, "b");
	snprintf(want, sizeof want, "'%s': host longer than 255 bytes", text);
	NO(text, want);
	/* a range that makes it too long */
	strcpy(text + 254, "[8-10]");
	snprintf(want, sizeof want, "'%s': host longer than 255 bytes", text);
	NO(text, want);
	memset(text, 'u', 256);
	strcpy(text + 256, "@h");
	snprintf(
	    want, sizeof want, "'%s': user name longer than 255 bytes", text);
	NO(text, want);
}

static void
test_ranges(void)
{
	OK("node[01-03]",
	    "node01 h=node01\nnode02 h=node02\nnode03 h=node03\n");
	OK("n[1-3,7]", "n1 h=n1\nn2 h=n2\nn3 h=n3\nn7 h=n7\n");
	OK("n[9-11]", "n9 h=n9\nn10 h=n10\nn11 h=n11\n");
	/* LO's width, as pdsh and Slurm: n[1-010] is not padded */
	OK("n[08-10]", "n08 h=n08\nn09 h=n09\nn10 h=n10\n");
	OK("n[1-010]",
	    "n1 h=n1\nn2 h=n2\nn3 h=n3\nn4 h=n4\nn5 h=n5\nn6 h=n6\n"
	    "n7 h=n7\nn8 h=n8\nn9 h=n9\nn10 h=n10\n");
	OK("n[099-100]", "n099 h=n099\nn100 h=n100\n");
	OK("n[007]", "n007 h=n007\n");
	OK("[1-2].example", "1.example h=1.example\n2.example h=2.example\n");
	OK("n[1-2]x", "n1x h=n1x\nn2x h=n2x\n");
	OK("rack[1-2]-n[1-4]",
	    "rack1-n1 h=rack1-n1\nrack1-n2 h=rack1-n2\nrack1-n3 h=rack1-n3\n"
	    "rack1-n4 h=rack1-n4\nrack2-n1 h=rack2-n1\nrack2-n2 h=rack2-n2\n"
	    "rack2-n3 h=rack2-n3\nrack2-n4 h=rack2-n4\n");
	OK("r[1,3]-[1-2]-c[0]",
	    "r1-1-c0 h=r1-1-c0\nr1-2-c0 h=r1-2-c0\n"
	    "r3-1-c0 h=r3-1-c0\nr3-2-c0 h=r3-2-c0\n");
	OK("4/bob@n[1-2]:2200",
	    "bob@n1:2200 u=bob h=n1 p=2200 s=4\n"
	    "bob@n2:2200 u=bob h=n2 p=2200 s=4\n");
	/* the example of the issue: 1 + 4 + 1 logins */
	OK("a,n[1-3,7],2/b:22",
	    "a h=a\nn1 h=n1\nn2 h=n2\nn3 h=n3\nn7 h=n7\nb:22 h=b p=22 s=2\n");
	OK(" a , b ,:", "a h=a\nb h=b\n: local\n");
	OK("n[5-5]", "n5 h=n5\n");
}

static void
test_ranges_refused(void)
{
	NO("n[1-3", "'n[1-3': unbalanced '['");
	NO("n[1-3,7", "'n[1-3,7': unbalanced '['");
	NO("n1-3]", "'n1-3]': unbalanced ']'");
	NO("n]1[", "'n]1[': unbalanced ']'");
	NO("n[[1]]", "'n[[1]]': nested '['");
	NO("n[1[2]]", "'n[1[2]]': nested '['");
	NO("n[5-1]", "'n[5-1]': reversed range '5-1'");
	NO("n[]", "'n[]': empty range in '[]'");
	NO("n[1,,2]", "'n[1,,2]': empty range in '[1,,2]'");
	NO("n[1,]", "'n[1,]': empty range in '[1,]'");
	NO("n[,1]", "'n[,1]': empty range in '[,1]'");
	NO("n[1-]", "'n[1-]': bad range '1-' (numbers only)");
	NO("n[-3]", "'n[-3]': bad range '-3' (numbers only)");
	NO("n[1--3]", "'n[1--3]': bad range '1--3' (numbers only)");
	NO("n[1-2-3]", "'n[1-2-3]': bad range '1-2-3' (numbers only)");
	NO("n[a-c]", "'n[a-c]': bad range 'a-c' (numbers only)");
	NO("n[ 1]",
	    "'n[ 1]': a login is [@GROUPS/][N/][user@]host[:port], without "
	    "blanks");
	NO("n[1:2]", "'n[1:2]': bad range '1:2' (numbers only)");
	NO("n[1234567890123456789]",
	    "'n[1234567890123456789]': bad range "
	    "'1234567890123456789' (numbers only)");
	NO("u[1-2]@h", "'u[1-2]@h': unexpected '[' in the user name");
	NO("[1-2]:[3]", "'[1-2]:[3]': bad port '[3]' (1 to 65535)");
}

static void
test_caps(void)
{
	struct hosts_list list = HOSTS_LIST_INIT;
	char *err = NULL;

	CHECK(hosts_parse_list("n[1-100000]", &list, &err) == 0);
	CHECK_INT(list.n, HOSTS_MAX);
	CHECK_STR(list.v[0].name, "n1");
	CHECK_STR(list.v[99999].name, "n100000");
	/* one more is too many, and leaves the list as it was */
	CHECK(hosts_parse_list("m", &list, &err) == -1);
	CHECK_STR(err, "'m': more than 100000 hosts");
	CHECK_INT(list.n, HOSTS_MAX);
	free(err);
	/* but a duplicate counts as written */
	CHECK(hosts_parse_list("n1", &list, &err) == -1);
	free(err);
	hosts_list_release(&list);
	CHECK_INT(list.n, 0);

	NO("n[0-100000]", "'n[0-100000]': more than 100000 hosts");
	NO("n[1-99999999999]", "'n[1-99999999999]': more than 100000 hosts");
	NO("n[1-60000,1-60000]",
	    "'n[1-60000,1-60000]': more than 100000 hosts");
	/* a product over the cap is refused before anything is made */
	NO("a[1-1000]b[1-1000]",
	    "'a[1-1000]b[1-1000]': more than 100000 "
	    "hosts");
	NO("a[1-10]b[1-10]c[1-10]d[1-10]e[1-10]f[1-10]",
	    "'a[1-10]b[1-10]c[1-10]d[1-10]e[1-10]f[1-10]': more than 100000 "
	    "hosts");
	NO("n[1-60000],m[1-60000]", "'m[1-60000]': more than 100000 hosts");
}

static void
test_duplicates_and_appending(void)
{
	struct hosts_list list = HOSTS_LIST_INIT;
	char *err = NULL, *got;

	/* as GNU parallel: once each, a later N/ re-sets the slots */
	OK("a,b,a", "a h=a\nb h=b\n");
	OK("2/a,b,4/a", "a h=a s=4\nb h=b\n");
	OK("2/a,a", "a h=a s=2\n");
	OK(":,3/:", ": local s=3\n");
	OK("n[1-3],n[2-4]", "n1 h=n1\nn2 h=n2\nn3 h=n3\nn4 h=n4\n");
	OK("a,a:22,u@a", "a h=a\na:22 h=a p=22\nu@a u=u h=a\n");

	/* -S twice and --slf: one list, the first failure changes nothing */
	CHECK(hosts_parse_list("a,2/b", &list, &err) == 0);
	CHECK(hosts_parse_slf("b\nc\n", 4, "f", &list, &err) == 0);
	CHECK(hosts_parse_list("d,e:0", &list, &err) == -1);
	CHECK_STR(err, "'e:0': bad port '0' (1 to 65535)");
	free(err);
	CHECK(hosts_parse_slf("x\ny[\n", 5, "f", &list, &err) == -1);
	CHECK_STR(err, "f:2: 'y[': unbalanced '['");
	free(err);
	got = show(&list);
	CHECK_STR(got, "a h=a\nb h=b s=2\nc h=c\n");
	free(got);
	hosts_list_release(&list);
	/* released lists are reusable */
	CHECK(hosts_parse_list("z", &list, &err) == 0);
	CHECK_INT(list.n, 1);
	hosts_list_release(&list);
}

static void
test_slf(void)
{
	SLF_OK("server.example.com\n"
	       "username@server2.example.com\n"
	       "8/my-8-cpu-server.example.com\n"
	       "2/my_other_username@my-dualcore.example.net\n"
	       "# This server has SSH running on port 2222\n"
	       "16/:\n",
	    "server.example.com h=server.example.com\n"
	    "username@server2.example.com u=username h=server2.example.com\n"
	    "my-8-cpu-server.example.com h=my-8-cpu-server.example.com s=8\n"
	    "my_other_username@my-dualcore.example.net u=my_other_username "
	    "h=my-dualcore.example.net s=2\n"
	    ": local s=16\n");
	SLF_OK("", "");
	SLF_OK("\n\n  \n# only comments\n\t# indented\n", "");
	SLF_OK("  a  \r\n\tb:22\t\n", "a h=a\nb:22 h=b p=22\n");
	SLF_OK("a,n[1-2]\n2/u@m[8-9]:2",
	    "a h=a\nn1 h=n1\nn2 h=n2\n"
	    "u@m8:2 u=u h=m8 p=2 s=2\n"
	    "u@m9:2 u=u h=m9 p=2 s=2\n");
	SLF_OK("a\nb", "a h=a\nb h=b\n");
	/* GNU parallel reads whole-line comments only */
	SLF_NO("a # the first\n",
	    "f:1: 'a # the first': a login is "
	    "[@GROUPS/][N/][user@]host[:port], without blanks");
	SLF_NO("a#x\n", "f:1: 'a#x': unexpected '#' in the host");
	SLF_NO("a\n\n# c\nb:0\n", "f:4: 'b:0': bad port '0' (1 to 65535)");
	SLF_NO("ssh -p 2222 server.example.net\n",
	    "f:1: 'ssh -p 2222 server.example.net': a login is "
	    "[@GROUPS/][N/][user@]host[:port], without blanks");
	SLF_NO("a,,b\n", "f:1: empty login in 'a,,b'");
}

static void
test_slf_nul(void)
{
	struct hosts_list list = HOSTS_LIST_INIT;
	char *err = NULL;

	CHECK(hosts_parse_slf("a\nb\0c\n", 6, "hosts", &list, &err) == -1);
	CHECK_STR(err, "hosts:2: a NUL byte in the line");
	CHECK_INT(list.n, 0);
	free(err);
	/* a NUL on a comment line is a comment */
	CHECK(hosts_parse_slf("#\0\na", 4, "hosts", &list, &err) == 0);
	CHECK_INT(list.n, 1);
	hosts_list_release(&list);
}

static void
test_slurm(void)
{
	/* sbatch(1): '72(x2),36', the first two nodes 72 CPUs, the third 36 */
	SLURM_OK("node[01-03]|72(x2),36",
	    "node01 h=node01 s=72\nnode02 h=node02 s=72\nnode03 h=node03 "
	    "s=36\n");
	SLURM_OK("tux[1-3]|2(x3)",
	    "tux1 h=tux1 s=2\ntux2 h=tux2 s=2\n"
	    "tux3 h=tux3 s=2\n");
	SLURM_OK("n[000-003]|1,4(x2),8",
	    "n000 h=n000 s=1\nn001 h=n001 s=4\n"
	    "n002 h=n002 s=4\nn003 h=n003 s=8\n");
	SLURM_OK("node[01-03,07],gpu[1-2]|36(x4),8(x2)",
	    "node01 h=node01 s=36\nnode02 h=node02 s=36\nnode03 h=node03 "
	    "s=36\nnode07 h=node07 s=36\ngpu1 h=gpu1 s=8\ngpu2 h=gpu2 s=8\n");
	SLURM_OK("lx[15,18,32-33]|1(x4)",
	    "lx15 h=lx15 s=1\nlx18 h=lx18 s=1\n"
	    "lx32 h=lx32 s=1\nlx33 h=lx33 s=1\n");
	SLURM_OK("rack[0-1]_blade[0-1]|4(x4)",
	    "rack0_blade0 h=rack0_blade0 s=4\nrack0_blade1 h=rack0_blade1 "
	    "s=4\nrack1_blade0 h=rack1_blade0 s=4\nrack1_blade1 "
	    "h=rack1_blade1 s=4\n");
	SLURM_OK("snowflake0|10", "snowflake0 h=snowflake0 s=10\n");
}

/* slurm.conf(5)'s "linux[0-64,128]" and "linux[0000-1023]". */
static void
test_slurm_large(void)
{
	struct hosts_list list = HOSTS_LIST_INIT;
	char *err = NULL;

	CHECK(
	    hosts_from_slurm("linux[0-64,128]", "1(x65),2", &list, &err) == 0);
	CHECK_INT(list.n, 66);
	CHECK_STR(list.v[64].name, "linux64");
	CHECK_STR(list.v[65].name, "linux128");
	CHECK_INT(list.v[65].slots, 2);
	hosts_list_release(&list);
	CHECK(hosts_from_slurm("linux[0000-1023]", "64(x1024)", &list, &err) ==
	    0);
	CHECK_INT(list.n, 1024);
	CHECK_STR(list.v[0].name, "linux0000");
	CHECK_STR(list.v[1023].name, "linux1023");
	CHECK_INT(list.v[1023].slots, 64);
	hosts_list_release(&list);
}

static void
test_slurm_refused(void)
{
	SLURM_NO("n[1-4]|72(x2),36",
	    "SLURM_JOB_CPUS_PER_NODE '72(x2),36' "
	    "counts 3 nodes, SLURM_JOB_NODELIST has "
	    "4");
	SLURM_NO("n[1-2]|72(x2),36",
	    "SLURM_JOB_CPUS_PER_NODE '72(x2),36' "
	    "counts 3 nodes, SLURM_JOB_NODELIST has "
	    "2");
	SLURM_NO("n1|",
	    "SLURM_JOB_CPUS_PER_NODE '': not of the form "
	    "72(x2),36");
	SLURM_NO("n1|0",
	    "SLURM_JOB_CPUS_PER_NODE '0': not of the form "
	    "72(x2),36");
	SLURM_NO("n1|2(x0)",
	    "SLURM_JOB_CPUS_PER_NODE '2(x0)': not of the "
	    "form 72(x2),36");
	SLURM_NO("n1|2(x1",
	    "SLURM_JOB_CPUS_PER_NODE '2(x1': not of the form "
	    "72(x2),36");
	SLURM_NO("n1|2,",
	    "SLURM_JOB_CPUS_PER_NODE '2,': not of the form "
	    "72(x2),36");
	SLURM_NO("n1| 2",
	    "SLURM_JOB_CPUS_PER_NODE ' 2': not of the form "
	    "72(x2),36");
	SLURM_NO("n1|1(x100000),1(x100000)",
	    "SLURM_JOB_CPUS_PER_NODE '1(x100000),1(x100000)' counts more than "
	    "100000 nodes, SLURM_JOB_NODELIST has 1");
	SLURM_NO("n1|1(x100001)",
	    "SLURM_JOB_CPUS_PER_NODE '1(x100001)': not "
	    "of the form 72(x2),36");
	SLURM_NO("n1|1000001",
	    "SLURM_JOB_CPUS_PER_NODE '1000001': not of the "
	    "form 72(x2),36");
	SLURM_NO("n[1-2|1", "SLURM_JOB_NODELIST: 'n[1-2': unbalanced '['");
	SLURM_NO("|1", "SLURM_JOB_NODELIST: empty login in ''");
	SLURM_NO("u@n1|1", "SLURM_JOB_NODELIST 'u@n1': node names only");
	SLURM_NO("2/n1|1", "SLURM_JOB_NODELIST '2/n1': node names only");
	SLURM_NO(":|1", "SLURM_JOB_NODELIST ':': node names only");
	SLURM_NO("n1",
	    "SLURM_JOB_CPUS_PER_NODE is not set (not in a Slurm "
	    "allocation?)");
}

static void
test_slurm_unset(void)
{
	struct hosts_list list = HOSTS_LIST_INIT;
	char *err = NULL;

	CHECK(hosts_from_slurm(NULL, "1", &list, &err) == -1);
	CHECK_STR(err,
	    "SLURM_JOB_NODELIST is not set (not in a Slurm "
	    "allocation?)");
	free(err);
	CHECK(hosts_from_slurm(NULL, NULL, &list, &err) == -1);
	CHECK_STR(err,
	    "SLURM_JOB_NODELIST is not set (not in a Slurm "
	    "allocation?)");
	free(err);
	CHECK_INT(list.n, 0);
	hosts_list_release(&list);
}

/* -S @g1+g2/login (GNU parallel's --hostgroups). */
static void
test_groups(void)
{
	OK("@g1/:", ": local g=:+g1\n");
	OK("@g1+g2/4/u@h:22", "u@h:22 u=u h=h p=22 s=4 g=u@h:22+g1+g2\n");
	OK("@g1/n[1-2],@g2/:",
	    "n1 h=n1 g=n1+g1\nn2 h=n2 g=n2+g1\n: local g=:+g2\n");
	/* each name once; its own name is not repeated */
	OK("@g1+g1+h+:/h", "h h=h g=h+g1+:\n");
	OK("@a@b:c.-_=%/h", "h h=h g=h+a@b:c.-_=%\n");
	/* a duplicate's groups join the first one's */
	OK("@g1/h,h,@g2+g1/2/h", "h h=h s=2 g=h+g1+g2\n");
	OK("h,@g2/h", "h h=h g=h+g2\n");
	SLF_OK("@g1/a\n@g2/b, @g3/:\n",
	    "a h=a g=a+g1\nb h=b g=b+g2\n: local g=:+g3\n");
	NO("@g1", "'@g1': a host group needs a login after it, @GROUP/host "
		  "(-S @GROUP alone, to choose a group's logins, is not "
		  "supported)");
	NO("@/h", "'@/h': empty host group in '@/'");
	NO("@g1+/h", "'@g1+/h': empty host group in '@g1+/'");
	NO("@+g1/h", "'@+g1/h': empty host group in '@+g1/'");
	NO("@g1++g2/h", "'@g1++g2/h': empty host group in '@g1++g2/'");
	NO("@g1/", "'@g1/': empty host");
	NO("@g1//h", "'@g1//h': bad slot count '' (1 to 1000000)");
	NO("@g1/@g2/h", "'@g1/@g2/h': bad slot count '@g2' (1 to 1000000)");
	NO("@g[1-2]/h", "'@g[1-2]/h': unexpected '[' in a host group");
	NO("@g\x01/h", "'@g\\x01/h': unexpected '\\x01' in a host group");
	NO("@g 1/h",
	    "'@g 1/h': a login is [@GROUPS/][N/][user@]host[:port], "
	    "without blanks");
	SLF_NO("a\n@/b\n", "f:2: '@/b': empty host group in '@/'");
	SLURM_NO("@g/n1|1", "SLURM_JOB_NODELIST '@g/n1': node names only");
}

/* hosts_arg_groups() and hosts_in_groups(): an argument's @g1+g2. */
static void
test_arg_groups(void)
{
	char a[] = "g1", b[] = "g2";
	char *g1[] = {a, b, NULL};

	CHECK_INT(hosts_arg_groups("x@g1", 4), 1);
	CHECK_INT(hosts_arg_groups("x@g1+g2", 7), 1);
	CHECK_INT(hosts_arg_groups("x", 1), 1);
	CHECK_INT(hosts_arg_groups("x@", 2), 2); /* nothing after: kept */
	CHECK_INT(hosts_arg_groups("@", 1), 1);
	CHECK_INT(hosts_arg_groups("@g", 2), 0);
	CHECK_INT(hosts_arg_groups("a@b@c", 5), 1); /* the first '@' */
	CHECK_INT(hosts_arg_groups("", 0), 0);
	/* len, not a NUL, ends the value */
	CHECK_INT(hosts_arg_groups("x@g1", 2), 2);
	CHECK(hosts_in_groups("h", g1, "g1"));
	CHECK(hosts_in_groups("h", g1, "g3+g2"));
	CHECK(hosts_in_groups("h", g1, "h"));
	CHECK(hosts_in_groups("h", NULL, "x+h"));
	CHECK(hosts_in_groups(":", NULL, ":"));
	CHECK(hosts_in_groups("h", g1, "+g1+"));
	CHECK(!hosts_in_groups("h", g1, "g3"));
	CHECK(!hosts_in_groups("h", g1, "g"));
	CHECK(!hosts_in_groups("h", g1, "g1x"));
	CHECK(!hosts_in_groups("h", NULL, "g1"));
	CHECK(!hosts_in_groups("h", g1, "+"));
	CHECK(!hosts_in_groups("h", g1, ""));
}

int
main(void)
{
	test_groups();
	test_arg_groups();
	test_login();
	test_ipv6();
	test_login_refused();
	test_long_names();
	test_ranges();
	test_ranges_refused();
	test_caps();
	test_duplicates_and_appending();
	test_slf();
	test_slf_nul();
	test_slurm();
	test_slurm_large();
	test_slurm_refused();
	test_slurm_unset();
	return unit_done();
}
