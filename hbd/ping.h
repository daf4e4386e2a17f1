/*
 * ping: heartbeat's ping nodes and ping groups, with ipfail's purpose
 * built in: ICMP echo to each configured address every keepalive over a
 * raw socket, a ping node up while it answers within deadping, a ping
 * group up while any member does. The count of reachable ping nodes is
 * advertised in heartbeats so the resource manager can compare sides.
 */
#ifndef HBD_PING_H
#define HBD_PING_H

#include <stdint.h>

#include "conf.h"
#include "json.h"

int	ping_start(const struct conf *, void (*changed)(void));
void	ping_stop(void);
int	ping_reconf(const struct conf *, void (*changed)(void));
int	ping_up_count(void);
int	ping_unknown_count(void);	/* not known yet */
int64_t	ping_ok_since(void);	/* mono ms since some ping node answers; 0 */
int	ping_total(void);
void	ping_status(struct jw *, int first_index); /* "ping" node entries */
int	ping_node_status(const char *name);	/* 1 up, 0 dead, -1 unknown */

#endif
