/*
 * fence: running the program that powers the peer off. hbd's `fence
 * PROGRAM ARGS` gets ACTION NODE appended and Pacemaker-style
 * action=/port=/nodename= lines on stdin; heartbeat's stonith_host lines
 * run through cluster-glue's `stonith` command. When to fence, the delay
 * and the retries are the core's decisions (core_fence.c).
 */
#ifndef HBD_FENCE_H
#define HBD_FENCE_H

#include "agent.h"
#include "conf.h"

/* Start powering `node` off: 0, or -1 when it could not be started. */
int	fence_spawn(struct agent_run *, const struct conf *, int node,
	    agent_done_cb, void *);

/*
 * The command line of a fence (fence_argv.c). stonith < 0: the `fence`
 * program, else stonith_host line number `stonith`. Fills argv (max
 * slots, NULL-terminated) and params (the joined stonith -p string, plen
 * bytes). Returns argc, or -1 when it does not fit: nothing is cut.
 * FENCE_ARGV_MAX and FENCE_PARAMS_MAX are what fence_spawn passes, and
 * the configuration loader refuses a line that does not fit them.
 */
#define FENCE_ARGV_MAX		48
#define FENCE_PARAMS_MAX	1024
#define FENCE_STONITH_PATH	"/usr/sbin/stonith"
int	fence_argv(const struct conf *, int stonith, const char *node,
	    char **argv, int max, char *params, size_t plen);

#endif
