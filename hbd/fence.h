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

/*
 * The command line of a fence (fence_argv.c). stonith < 0: the `fence`
 * program, else stonith_host line number `stonith`. Fills argv (max
 * slots, NULL-terminated) and params (the joined stonith -p string, plen
 * bytes). Returns argc, or -1 when it does not fit: nothing is cut.
 * FENCE_ARGV_MAX and FENCE_PARAMS_MAX are what fence_run passes, and
 * the configuration loader refuses a line that does not fit them.
 */
#define FENCE_ARGV_MAX		48
#define FENCE_PARAMS_MAX	1024
#define FENCE_STONITH_PATH	"/usr/sbin/stonith"
int	fence_argv(const struct conf *, int stonith, const char *node,
	    char **argv, int max, char *params, size_t plen);

#endif
