/*
 * hbdlink: hbd-snmp's connection to hbd's control socket. One long-lived
 * non-blocking subscription feeds the cache (snapshot, events, a status
 * poll every second and after each burst of events); a separate
 * short-lived connection carries a move request for a SET, also driven
 * from the main loop. Never blocks.
 */
#ifndef HBD_SNMP_HBDLINK_H
#define HBD_SNMP_HBDLINK_H

#include <stddef.h>
#include <stdint.h>

#include "json.h"

#define HL_RECONNECT_MS		500	/* retry while hbd is away */
#define HL_POLL_MS		1000	/* status refresh (ages, counters) */
#define HL_REPLY_TIMEOUT_MS	3000	/* no reply: hbd hangs, drop it */

struct hl_handlers {
	void	(*up)(void);			/* snapshot loaded */
	void	(*down)(const char *why);	/* hbd lost (or absent) */
	void	(*event)(const struct jval *);	/* after the cache saw it */
};

void	 hl_start(const char *path, const struct hl_handlers *);
void	 hl_stop(void);
/* poll(2) set-up: fd (-1 if none) and events, and ms until a timer */
int	 hl_fd(short *events);
int	 hl_timeout(int64_t now);
void	 hl_run(int64_t now, short revents);

/*
 * Ask hbd to move a group, on a connection of its own, without waiting:
 * done(arg, r, err) is called later from hl_move_run() with r = 0
 * accepted, 1 refused (err says why), -1 no answer within timeout_ms (or
 * the connection failed). One move at a time (net-snmp runs one SET at a
 * time): returns -1 with err set when it cannot start, 0 when started.
 */
typedef void (*hl_move_cb)(void *arg, int r, const char *err);
int	 hl_move_start(const char *group, const char *node, int timeout_ms,
	    hl_move_cb done, void *arg, char *err, size_t errlen);
/* poll(2) set-up for the move in progress: fd (-1 if none), events */
int	 hl_move_fd(short *events);
int	 hl_move_timeout(int64_t now);	/* ms until it times out; -1 none */
void	 hl_move_run(int64_t now, short revents);

#endif
