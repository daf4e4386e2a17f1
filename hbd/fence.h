/*
 * fence: power off (or reboot) a peer before taking over shared data.
 * Runs hbd's `fence PROGRAM ARGS` (appending ACTION NODE, and writing
 * Pacemaker-style action=/port=/nodename= lines on stdin) or heartbeat's
 * stonith_host lines through cluster-glue's `stonith` command. A failed
 * or timed-out fence is retried with a backoff and reported; success is
 * remembered until the peer is heard again.
 */
#ifndef HBD_FENCE_H
#define HBD_FENCE_H

#include "conf.h"

enum fence_state {
	FENCE_IDLE,
	FENCE_DELAY,	/* the non-preferred side waits first */
	FENCE_RUNNING,
	FENCE_DONE,
	FENCE_FAILED	/* will retry */
};

void	fence_init(const struct conf *, void (*result)(int ok));
void	fence_reconf(const struct conf *);
int	fence_configured(void);
void	fence_request(int node, uint32_t delay_ms);
enum fence_state fence_state(void);
int	fence_done(void);
void	fence_reset(void);		/* the peer is back */
void	fence_cancel(void);
uint64_t fence_count(void);
uint64_t fence_failures(void);
const char *fence_state_name(enum fence_state);

#endif
