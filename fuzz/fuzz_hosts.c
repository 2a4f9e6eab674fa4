/*
 * libFuzzer target for src/hosts.c.
 *
 * Input: any bytes, read three ways onto a list that already holds two
 * logins: as an -S value (up to the first NUL), as an --slf file (all of
 * it), and as Slurm's pair (SLURM_JOB_NODELIST up to the first NUL,
 * SLURM_JOB_CPUS_PER_NODE after it up to the next). Besides crashes and
 * leaks it checks, aborting when one fails: a failure leaves the list as
 * it was and gives one line; a success gives at most HOSTS_MAX logins,
 * each name once, and every login well formed (see check_login()), its
 * host groups (@g1+g2/) too. The bytes are also an argument's @g1+g2
 * (hosts_arg_groups()) and a group list each login is in
 * (hosts_in_groups()).
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

/* Its groups well formed, each once, and hgrp its name and them. */
static void
check_groups(const struct hosts_login *l)
{
	size_t i, k, len, at;
	char *const *g;

	if (!l->hgrp || strncmp(l->hgrp, l->name, strlen(l->name)))
		abort();
	at = strlen(l->name);
	if (!hosts_in_groups(l->name, l->groups, l->name))
		abort();
	for (i = 0; l->groups && l->groups[i]; i++) {
		g = &l->groups[i];
		len = strlen(*g);
		if (len == 0 || len > HOSTS_NAME_MAX)
			abort();
		for (k = 0; k < len; k++)
			if ((*g)[k] <= ' ' || (*g)[k] >= 0x7f ||
			    strchr("/,+[]", (*g)[k]))
				abort();
		for (k = 0; k < i; k++)
			if (!strcmp(l->groups[k], *g))
				abort();
		if (!hosts_in_groups(l->name, l->groups, *g))
			abort();
		if (!strcmp(*g, l->name))
			continue;
		if (l->hgrp[at] != '+' || strncmp(l->hgrp + at + 1, *g, len))
			abort();
		at += 1 + len;
	}
	if (l->hgrp[at] != '\0')
		abort();
}

static void
check_login(const struct hosts_login *l)
{
	size_t i, len;

	check_groups(l);

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

	/* As an argument's value@g1+g2, and as the groups asked for. */
	{
		size_t cut = hosts_arg_groups(text, size);

		if (cut > size ||
		    (cut < size && (text[cut] != '@' || cut + 1 >= size ||
					memchr(text, '@', cut))))
			abort();
		start(&list);
		for (size_t i = 0; i < list.n; i++)
			(void)hosts_in_groups(
			    list.v[i].name, list.v[i].groups, text);
		hosts_list_release(&list);
	}

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
