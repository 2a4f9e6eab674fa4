/*
 * The workflow's tasks as a graph: names (by hash), needs resolved, no
 * cycle, the tasks named on the command line and what they need.
 */
#ifndef WFGRAPH_H
#define WFGRAPH_H

#include "wfcheck.h"

/* The file's tasks: names, maps, every key checked, needs resolved. */
int wfgraph_gather(struct workflow *, const struct ynode *tasks);
/* The tasks named on the command line and what they need; else all. */
int wfgraph_select(struct workflow *);

#endif
