/*
 * A workflow file (SPEC section 9) into a plan: the tasks, each with its
 * command, its items (a list, a glob, a file's lines, stdin, or a
 * matrix), its needs and its limits, and the run-wide settings the
 * command line did not set. Every error names its place in the file.
 */
#ifndef WORKFLOW_H
#define WORKFLOW_H

#include <stddef.h>

struct options;
struct plan;
struct workflow;

/*
 * Load o->workflow and build the plan of o->tasks (all when none is
 * named) and what they need; the file's settings fill o where the user
 * set nothing. NULL after an error was reported (exit 255). The plan
 * and the settings point into the workflow: free it after them.
 */
struct workflow *workflow_load(struct options *o, struct plan **plan);
/* The same from memory (tests, fuzzing); name is what errors call it. */
struct workflow *workflow_parse(struct options *o, const char *name,
    const char *text, size_t len, struct plan **plan);
void workflow_free(struct workflow *);

#endif
