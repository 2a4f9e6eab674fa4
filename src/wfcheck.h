/*
 * The workflow loader's state, shared by workflow.c (settings, items,
 * the plan), wfcheck.c (each key's kind and value) and wfgraph.c (task
 * names, needs, cycles, the tasks to run). Not for other modules.
 */
#ifndef WFCHECK_H
#define WFCHECK_H

#include <stdbool.h>
#include <stddef.h>

#include "yaml.h"

struct options;
struct task;

/* A task of the file, by its index in file order. */
struct wtask {
	const char *name;
	const struct ynode *key; /* its name, for its place */
	const struct ynode *node; /* its map */
	size_t *needs; /* indices */
	const struct ynode **need_at; /* each need's place */
	size_t nneeds;
	bool selected; /* named, or needed by one that is */
	struct task *task; /* in the plan, when selected */
};

struct workflow {
	struct ydoc *doc;
	struct options *o;
	const struct ynode *defaults;
	const struct ynode *env; /* the file's env, or NULL */
	struct wtask *tasks;
	size_t ntasks;
	size_t *by_name; /* hash of the names: index + 1, 0 empty */
	size_t nbuckets;
	bool stdin_taken; /* a task reads standard input */
};

extern const char *const wfcheck_top_keys[];

/* The value of a key, from the task's own map or from defaults. */
const struct ynode *wfcheck_get(
    const struct workflow *, const struct ynode *t, const char *key);
/* The closest of names to s, if close enough to be a typo; else NULL. */
const char *wfcheck_closest(const char *s, const char *const *names, size_t n);
/* Every key of map m is one of known (what names the map in errors). */
int wfcheck_keys(const struct workflow *, const struct ynode *m,
    const char *const *known, const char *what);
const char *wfcheck_kind_name(enum ynode_kind);
/* v is of kind (key names it in the error): 0, or -1 after one. */
int wfcheck_want(const struct workflow *, const struct ynode *v,
    enum ynode_kind kind, const char *key);
int wfcheck_bool(
    const struct workflow *, const struct ynode *v, const char *key, bool *out);
/* A whole number from min up (a plain scalar of digits). */
int wfcheck_count(const struct workflow *, const struct ynode *v,
    const char *key, unsigned long min, unsigned long *out);
int wfcheck_string(const struct workflow *, const struct ynode *v,
    const char *key, const char **out);
/* An env map: names as the shell has them, values as strings. */
int wfcheck_env(const struct workflow *, const struct ynode *v);
struct hosts_list;
int wfcheck_hosts(
    const struct workflow *, const struct ynode *v, struct hosts_list *list);
/* Every key of a task (or of defaults) has a value of the right kind. */
int wfcheck_task(struct workflow *, const struct ynode *t, bool is_defaults);

#endif
