/*
 * libFuzzer target for what fanout itself does with a login and the ssh
 * config file (src/sshconn.c); libssh reads the file.
 *
 * Input: a login up to the first NUL (read by hosts_parse_list(); "h"
 * when it is not one remote login), then the bytes of a config file,
 * which also serve as a known_hosts file. Files that could make libssh
 * run a command or read another file (exec, Include, Proxy...) are
 * skipped. Besides crashes and leaks it checks, aborting when one fails:
 * conn_options() succeeds or says why in one line; after it the session has a
 * host, and the login's user and port win over the file's; conn_known_line()
 * finds the known_hosts name only on a line that holds it, and always
 * finds a key line for the name added at the end of the file.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hosts.h"
#include "options.h"
#include "sshint.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[] = "/tmp/fuzz_sshconfig.XXXXXX";
static char config[64], known[64];

/* Abort, naming the property that failed. */
#define check(ok) check_at(ok, #ok, __LINE__)

static void
check_at(bool ok, const char *what, int line)
{
	if (!ok) {
		fprintf(stderr, "fuzz_sshconfig.c:%d: %s\n", line, what);
		abort();
	}
}

static void
write_file(const char *path, const void *a, size_t alen, const char *b)
{
	FILE *fp = fopen(path, "we");

	check(fp && fwrite(a, 1, alen, fp) == alen && fputs(b, fp) >= 0 &&
	    fclose(fp) == 0);
}

/* The file's line n (from 1), as fgets() reads it, in buf. */
static void
nth_line(const char *path, unsigned n, char *buf, size_t len)
{
	FILE *fp = fopen(path, "re");

	check(fp != NULL);
	while (n-- > 0)
		check(fgets(buf, (int)len, fp) != NULL);
	fclose(fp);
}

/*
 * What could make libssh run a command or read another file, anywhere
 * in the file (its lines go on past a NUL byte).
 */
static bool
unsafe(const char *text, size_t len)
{
	static const char *const words[] = {
	    "exec", "include", "proxy", "command"};
	char *low = malloc(len + 1);
	bool found = false;
	size_t i;

	check(low != NULL);
	for (i = 0; i < len; i++)
		low[i] = text[i] ? (char)tolower((unsigned char)text[i]) : ' ';
	low[len] = '\0';
	for (i = 0; i < sizeof words / sizeof words[0]; i++)
		found = found || strstr(low, words[i]) != NULL;
	free(low);
	return found;
}

/* The session's options after conn_options() for l. */
static void
check_options(struct pool *p, const struct hosts_login *l)
{
	struct shost h = {.login = l};
	ssh_session s = ssh_new();
	char *host = NULL, *user = NULL, why[512] = "";
	unsigned port = 0;

	check(s != NULL);
	if (conn_options(p, &h, s, why, sizeof why) < 0) {
		check(*why != '\0' && !strchr(why, '\n'));
		ssh_free(s);
		return;
	}
	check(ssh_options_get(s, SSH_OPTIONS_HOST, &host) == 0 && *host);
	if (l->user)
		check(ssh_options_get(s, SSH_OPTIONS_USER, &user) == 0 &&
		    strcmp(user, l->user) == 0);
	check(ssh_options_get_port(s, &port) == 0 && port > 0);
	if (l->port)
		check(port == (unsigned)l->port);
	ssh_string_free_char(host);
	ssh_string_free_char(user);
	ssh_free(s);
}

/* conn_known_line() over the file, then with a line for name added. */
static void
check_known(const char *text, size_t len, const char *name)
{
	char line[8192];
	unsigned n;

	write_file(known, text, len, "");
	if ((n = conn_known_line(known, name)) > 0) {
		nth_line(known, n, line, sizeof line);
		check(strstr(line, name) != NULL);
	}
	if (!strchr(name, ' ') && !strchr(name, ',') && *name) {
		char *tail = malloc(strlen(name) + 32);

		check(tail != NULL);
		snprintf(tail, strlen(name) + 32, "\n%s ssh-ed25519 AAAAC3Nz\n",
		    name);
		write_file(known, text, len, tail);
		free(tail);
		check(conn_known_line(known, name) > 0);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct options o;
	static struct pool p;
	struct hosts_list list = HOSTS_LIST_INIT;
	struct hosts_login fallback = {.name = "h", .host = "h"};
	const struct hosts_login *l = &fallback;
	char *text, *err = NULL, name[HOSTS_NAME_MAX + 16];
	size_t llen = strnlen((const char *)data, size), clen;

	if (!p.o) {
		check(mkdtemp(dir) != NULL && sshlib_load() == 0);
		snprintf(config, sizeof config, "%s/config", dir);
		snprintf(known, sizeof known, "%s/known_hosts", dir);
		o.ssh_timeout = 5;
		p.o = &o;
		p.ssh_dir = dir;
		p.config = config;
	}
	if (!(text = malloc(size + 1)))
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	clen = llen < size ? size - llen - 1 : 0;
	if (unsafe(text + size - clen, clen)) {
		free(text);
		return 0;
	}
	if (hosts_parse_list(text, &list, &err) == 0 && list.n == 1 &&
	    !list.v[0].local)
		l = &list.v[0];
	free(err);
	write_file(config, text + size - clen, clen, "");
	check_options(&p, l);
	conn_known_name(l->host, l->port, name, sizeof name);
	check_known(text + size - clen, clen, name);
	hosts_list_release(&list);
	free(text);
	return 0;
}
