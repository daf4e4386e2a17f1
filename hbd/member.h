/*
 * member: who is alive. Fed "a packet from node N arrived on link L at t"
 * and "it is now t", it keeps each node's and link's status against
 * keepalive, warntime, deadtime and initdead, and returns what changed as
 * events. It runs nothing, sends nothing and knows nothing of resources,
 * so it can be driven by fake timestamps in unit tests.
 */
#ifndef HBD_MEMBER_H
#define HBD_MEMBER_H

#include <stdint.h>

#include "auth.h"
#include "conf.h"
#include "hb_msg.h"

enum node_status {
	NODE_INIT,		/* not heard since we started */
	NODE_UP,		/* heard, still starting */
	NODE_ACTIVE,		/* heard, in service */
	NODE_DEAD
};

enum link_status {
	LINK_DEAD,
	LINK_UP
};

struct member_link {
	enum link_status status;
	int64_t		 last_rx;	/* mono ms, 0 = never */
	int64_t		 changed;	/* mono ms of last status change */
	struct replay_win win;
};

#define MEMBER_SEEN	64

struct member_seen {			/* when a sequence number came first */
	uint32_t	 gen;
	uint64_t	 seq;
	int64_t		 at;
};

struct member_node {
	enum node_status status;
	int64_t		 last_rx;
	int64_t		 changed;
	int		 heard;		/* ever, since we started */
	int		 left;		/* said goodbye (clean shutdown) */
	uint32_t	 generation;
	uint64_t	 content_seq;	/* newest packet whose content we used */
	uint8_t		 peer_status;	/* its own view, enum hb_status */
	uint64_t	 late_count;
	uint64_t	 dead_count;
	struct member_link links[HBD_MAX_MEDIA];
	struct member_seen seen[MEMBER_SEEN];
};

enum member_ev_type {
	ME_NODE_UP,		/* heard after init or dead */
	ME_NODE_ACTIVE,		/* finished starting */
	ME_NODE_DEAD,		/* deadtime (or initdead) passed */
	ME_NODE_LEFT,		/* shut down cleanly */
	ME_NODE_RESTARTED,	/* a new generation while we thought it alive */
	ME_LATE,		/* a heartbeat arrived after warntime */
	ME_LINK_UP,
	ME_LINK_DEAD
};

struct member_ev {
	enum member_ev_type type;
	int		 node;
	int		 link;
	int64_t		 interval;	/* ME_LATE, ME_NODE_DEAD: ms */
};

#define MEMBER_MAX_EV	(2 * HBD_MAX_MEDIA + 8)

struct member {
	const struct conf *c;
	int64_t		 start;
	struct member_node nodes[HBD_MAX_NODES];
};

void	member_init(struct member *, const struct conf *, int64_t now);
void	member_reconf(struct member *, const struct conf *);

/*
 * A packet passed authentication on `link`. Checks the replay window of
 * that link; returns -1 (with *verdict) for a replay, otherwise 1 when
 * its content is news (newer than anything used before) and 0 for a copy
 * already seen on another link. Events are appended to ev.
 */
int	member_rx(struct member *, int node, int link, const struct hb_msg *,
	    int64_t now, struct member_ev *ev, int *nev,
	    enum replay_verdict *verdict);
/* Deadlines: returns the number of events written. */
int	member_tick(struct member *, int64_t now, struct member_ev *ev);
/* The next time member_tick could change anything (mono ms), or -1. */
int64_t	member_next_deadline(const struct member *, int64_t now);

const char *node_status_name(enum node_status);
const char *link_status_name(enum link_status);
const char *member_ev_name(enum member_ev_type);
int	member_alive(const struct member *, int node);

#endif
