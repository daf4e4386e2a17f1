/*
 * cache: hbd-snmp's copy of hbd's state, built from the control socket's
 * status object and kept current by its events between two status polls.
 * Owns the decoded model and the subagent's view of the daemon link
 * (reachable or not, and when that last changed). No I/O, no net-snmp:
 * the MIB modules read it, hbdlink feeds it.
 *
 * Enumerations are stored as the MIB's numbers, 0 meaning "hbd sent a
 * value the MIB has no number for" (the object is then left out rather
 * than answered with a made-up value).
 */
#ifndef HBD_SNMP_CACHE_H
#define HBD_SNMP_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "json.h"

#define CACHE_NEVER	(-1)	/* age_ms: nothing received yet */

/* HBD-MIB enumerations */
enum { NODE_NORMAL = 1, NODE_PING = 2 };
enum { NST_INIT = 1, NST_UP = 2, NST_ACTIVE = 3, NST_DEAD = 4 };
enum { LNK_UP = 1, LNK_DEAD = 2 };
enum { MED_BCAST = 1, MED_MCAST = 2, MED_UCAST = 3, MED_SERIAL = 4 };
enum { GST_STOPPED = 1, GST_STARTING = 2, GST_STARTED = 3,
	GST_STOPPING = 4, GST_FAILED = 5 };
enum { AFB_ON = 1, AFB_OFF = 2, AFB_LEGACY = 3 };
enum { AUTH_M_CRC = 1, AUTH_M_MD5 = 2, AUTH_M_SHA1 = 3, AUTH_M_SHA256 = 4,
    AUTH_M_SHA512 = 5 };
enum { DAEMON_REACHABLE = 1, DAEMON_UNREACHABLE = 2 };

struct c_link {
	uint32_t	 index;
	char		*name;
	int		 type;
	int		 status;
	int64_t		 age_ms;	/* last heartbeat; CACHE_NEVER */
	int64_t		 changed_mono;	/* 0: never changed */
};

struct c_node {
	uint32_t	 index;
	char		*name;
	int		 type;
	int		 status;
	int		 local;
	int64_t		 age_ms;	/* last heartbeat; CACHE_NEVER */
	int64_t		 changed_mono;
	uint32_t	 generation;
	uint64_t	 late;
	uint64_t	 dead;
	struct c_link	*links;
	size_t		 nlinks;
};

struct c_rsc {
	uint32_t	 index;
	char		*name;
	int		 state;
	int64_t		 changed_mono;
	uint64_t	 failures;
	/* the last agent action (hbdResourceLast*): 0 none yet */
	int		 last_action;	/* start(1) stop(2) monitor(3) */
	int64_t		 last_duration;	/* ms */
	int		 last_result;	/* ok(1) .. notRun(5), 0 unknown */
	int		 last_rc;
};

struct c_group {
	uint32_t	 index;
	char		*name;
	char		*preferred;
	char		*owner;		/* "" = none */
	char		*target;	/* "" = none */
	int		 state;
	int64_t		 changed_mono;
	uint64_t	 takeovers;
	struct c_rsc	*rsc;
	size_t		 nrsc;
};

struct c_counters {
	uint64_t	 takeovers, late_heartbeats, auth_failures, replays;
	uint64_t	 malformed, unknown_node, wrong_cluster, fences;
	uint64_t	 fence_failures, resource_failures;
};

struct cache {
	char			*version;
	char			*node;
	uint32_t		 generation;
	int64_t			 start_mono;	/* hbd started (mono ms) */
	uint32_t		 keepalive_ms, warntime_ms, deadtime_ms;
	uint32_t		 initdead_ms;
	int			 auto_failback;
	int			 auth_method;
	int			 snmp_write;
	struct c_counters	 cnt;
	struct c_node		*nodes;
	size_t			 nnodes;
	struct c_group		*groups;
	size_t			 ngroups;
};

/* The subagent's link to hbd (hbdDaemon group), kept across reconnects. */
struct daemon_view {
	int		 status;		/* DAEMON_* */
	int64_t		 status_changed;	/* mono ms, 0 never */
	int64_t		 connected;		/* this connection began */
	int64_t		 config_changed;
	int64_t		 discontinuity;
};

/* NULL while hbd is unreachable: every object but two is then absent */
const struct cache	*cache_get(void);
/* bumped whenever the cache is replaced: pointers into it die */
unsigned		 cache_generation(void);
const struct daemon_view *cache_daemon(void);

int	 cache_load(const struct jval *status, int64_t now, char *err,
	    size_t errlen);
void	 cache_apply_event(const struct jval *ev);
void	 cache_set_reachable(int64_t now, int64_t since);
void	 cache_set_unreachable(int64_t now);
void	 cache_free(void);

const struct c_node	*cache_node(uint32_t index);
const struct c_node	*cache_node_by_name(const char *);
const struct c_group	*cache_group(uint32_t index);
uint64_t		 cache_group_failures(const struct c_group *);
/* what hbdGroupAdminOwner reads: the target while moving, else owner */
const char		*cache_admin_owner(const struct c_group *);

/* string -> MIB number; 0 when the MIB has none */
int	 cache_node_status(const char *);
int	 cache_group_state(const char *);
int	 cache_move_reason(const char *);

#endif
