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

#endif
