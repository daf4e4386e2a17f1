/*
 * supervise: the helpers heartbeat started with the cluster (`respawn`)
 * and the hardware watchdog (`watchdog`). Respawned programs run as their
 * user with a clean environment, are restarted when they exit (except on
 * heartbeat's "do not respawn" code 100) with a backoff, and are stopped
 * with hbd. The watchdog is fed from the event loop, so a hung hbd stops
 * feeding it and the machine resets.
 */
#ifndef HBD_SUPERVISE_H
#define HBD_SUPERVISE_H

#include "conf.h"
#include "json.h"

#define RESPAWN_NO_RESTART	100
#define RESPAWN_BURST		6	/* quick deaths in a row: give up */
#define RESPAWN_QUICK_MS	10000	/* a run shorter than this is quick */
#define RESPAWN_MAX_DELAY_MS	30000
#define RESPAWN_STOP_GRACE_MS	5000

void	supervise_start(const struct conf *);
void	supervise_reconf(const struct conf *);
void	supervise_stop(void);
void	supervise_status(struct jw *);
void	supervise_set_socket(const char *);

#endif
