/*
 * libFuzzer target for src/hosts.c.
 *
 * Input: any bytes, read three ways onto a list that already holds two
 * logins: as an -S value (up to the first NUL), as an --slf file (all of
 * it), and as Slurm's pair (SLURM_JOB_NODELIST up to the first NUL,
 * SLURM_JOB_CPUS_PER_NODE after it up to the next). Besides crashes and
 * leaks it checks, aborting when one fails: a failure leaves the list as
 * it was and gives one line; a success gives at most HOSTS_MAX logins,
 * each name once, and every login well formed (see check_login()).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hosts.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool
is_host_byte(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-' ||
	    c == ':' || c == '%';
}

static void
check_login(const struct hosts_login *l)
{
	size_t i, len;

	if (!l->name || !*l->name || l->port < 0 || l->port > 65535 ||
	    l->slots < 0 || l->slots > HOSTS_SLOTS_MAX)
		abort();
	if (l->local) {
		if (strcmp(l->name, ":") || l->host || l->user || l->port)
			abort();
		return;
	}
	if (!l->host || !*l->host || l->host[0] == '-' ||
	    !strstr(l->name, l->host) ||
	    (len = strlen(l->host)) > HOSTS_NAME_MAX)
		abort();
	for (i = 0; i < len; i++)
		if (!is_host_byte(l->host[i]))
			abort();
	if (l->user &&
	    (!*l->user || strlen(l->user) > HOSTS_NAME_MAX ||
		strncmp(l->name, l->user, strlen(l->user))))
		abort();
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The list after a call that returned rc with err. */
static void
check_list(const struct hosts_list *list, int rc, char *err)
{
	const char **names;
	size_t i;

	if (rc < 0) {
		if (!err || !*err || strchr(err, '\n') || list->n != 2 ||
		    strcmp(list->v[0].name, "a") ||
		    strcmp(list->v[1].name, "u@b:22") || list->v[1].slots != 2)
			abort();
		free(err);
		return;
	}
	if (rc != 0 || err || list->n < 2 || list->n > HOSTS_MAX)
		abort();
	names = malloc(list->n * sizeof *names);
	if (!names)
		abort();
	for (i = 0; i < list->n; i++) {
		check_login(&list->v[i]);
		names[i] = list->v[i].name;
	}
	qsort(names, list->n, sizeof *names, name_cmp);
	for (i = 1; i < list->n; i++)
		if (!strcmp(names[i - 1], names[i]))
			abort();
	free(names);
}

static void
start(struct hosts_list *list)
{
	char *err = NULL;

	*list = (struct hosts_list)HOSTS_LIST_INIT;
	if (hosts_parse_list("a,2/u@b:22", list, &err) < 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hosts_list list;
	char *text = malloc(size + 1), *cpus, *err = NULL;
	int rc;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';

	start(&list);
	rc = hosts_parse_list(text, &list, &err);
	check_list(&list, rc, err);
	hosts_list_release(&list);

	start(&list);
	err = NULL;
	rc = hosts_parse_slf(text, size, "fuzz", &list, &err);
	check_list(&list, rc, err);
	hosts_list_release(&list);

	start(&list);
	err = NULL;
	cpus = strlen(text) < size ? text + strlen(text) + 1 : NULL;
	rc = hosts_from_slurm(text, cpus, &list, &err);
	check_list(&list, rc, err);
	if (rc == 0)
		for (size_t i = 2; i < list.n; i++)
			if (list.v[i].slots < 1)
				abort();
	hosts_list_release(&list);
	free(text);
	return 0;
}
