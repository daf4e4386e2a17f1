/*
 * core: the decisions of one node — membership, placement and handoff of
 * the resource groups, fencing — as code that does no I/O and reads no
 * clock. Events go in (a packet arrived, a timer fired, an agent or a
 * fence finished, an operator asked, the configuration changed, ping
 * nodes came or went); actions come out (send these bytes, run this step,
 * fence that node, persist this, arm that timer, publish this event).
 *
 * The daemon (shell.c) is a thin shell around it: epoll, sockets,
 * fork/exec and files. The simulator (tests/sim) links the same core for
 * two nodes with virtual time and a hostile network. Nothing here may
 * touch the outside world: tests/unit/core-purity.test checks the objects'
 * undefined symbols.
 *
 * Every entry point takes `now` (monotonic ms, chosen by the caller) and
 * appends actions to the node's queue; the caller drains the queue with
 * core_actions() after each call and carries them out in order.
 */
#ifndef HBD_CORE_H
#define HBD_CORE_H

#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "hb_msg.h"
#include "json.h"

struct core;

/* ---- what the state directory holds ---- */

struct core_placement {
	char		 group[HBD_MAX_NAME * 2];
	uint32_t	 epoch;
	int		 proposer;	/* node index, -1 none */
	int		 target;	/* node index, -1 none */
	int		 reason;	/* enum move_reason, 0 unknown */
};

struct core_persist {
	uint32_t	 generation;	/* this node's, already incremented */
	uint32_t	 peer_generation; /* newest verified peer generation */
	int		 nplacements;
	struct core_placement p[HBD_MAX_GROUPS];
};

/* ---- results the shell reports ---- */

enum core_act_kind {			/* what a group step asks for */
	CORE_START,
	CORE_STOP,
	CORE_STATUS			/* probe or monitor */
};

enum core_result {
	CR_OK,				/* start/stop succeeded */
	CR_FAILED,			/* start/stop failed, status: error */
	CR_RUNNING,			/* status: running */
	CR_STOPPED,			/* status: not running */
	CR_NOSPAWN			/* could not be run at all */
};

struct core_agent_result {
	int		 group;
	int		 rsc;
	enum core_act_kind act;
	enum core_result result;
	int		 exit_code;	/* -1: timed out or killed */
	int		 timed_out;
	int64_t		 duration_ms;
	const char	*detail;	/* "exit 1", "timed out after ...", ... */
};

/* ---- actions ---- */

enum core_action_type {
	CA_SEND,		/* bytes to every medium (pill: also the disk mailbox) */
	CA_RUN,			/* run one step of a group's agent */
	CA_CANCEL,		/* kill the group's running agent, if any */
	CA_FENCE,		/* power `node` off */
	CA_PERSIST,		/* write core_persist_get() to the state dir */
	CA_TIMER,		/* arm timer `timer` at `due` (-1: disarm) */
	CA_EVENT,		/* publish `text`: a JSON object with "type" */
	CA_LOG,			/* log `text` at `prio` (syslog priority) */
	CA_EXIT,		/* shutdown finished: leave the event loop */
	CA_HBV1			/* send a heartbeat 3.0.6 message: `text` holds
				 * its own fields, one NAME=VALUE per line (the
				 * shell adds src, seq, hg, auth...) */
};

/* timers: fixed ids, then one per group */
enum {
	CT_HEARTBEAT,
	CT_SEND,		/* a triggered send held back by the minimum gap */
	CT_MEMBER,		/* the next membership deadline */
	CT_SETTLE,		/* ping nodes answered for a deadtime */
	CT_FENCE,		/* fence delay or retry */
	CT_GROUP0		/* + group index: monitor interval, stop retry */
};
/* a heartbeat peer: a handshake's deadline, a "starting" to repeat */
#define CT_HBV1		(CT_GROUP0 + HBD_MAX_GROUPS)
#define CORE_NTIMERS	(CT_HBV1 + 1)

struct core_action {
	enum core_action_type type;
	int		 pill;		/* CA_SEND */
	size_t		 len;		/* CA_SEND */
	const uint8_t	*bytes;		/* CA_SEND: valid until the next drain */
	int		 group, rsc;	/* CA_RUN, CA_CANCEL */
	enum core_act_kind act;		/* CA_RUN */
	uint32_t	 timeout_ms;	/* CA_RUN, CA_FENCE */
	int		 node;		/* CA_FENCE */
	int		 timer;		/* CA_TIMER */
	int64_t		 due;		/* CA_TIMER */
	int		 prio;		/* CA_LOG */
	const char	*text;		/* CA_EVENT, CA_LOG: valid until drain */
	size_t		 off_;		/* internal: offset in the arena */
};

/* ---- life ---- */

/*
 * A node starts from its configuration and what its state directory held
 * (NULL: nothing usable). Its generation is one more than the persisted
 * one, and at least wall_sec (the wall clock in seconds: the fallback
 * when the state is lost); the first action persists it. The
 * configuration stays owned by the caller and must outlive its use
 * (until core_reload() replaces it, or core_free()).
 */
struct core	*core_new(const struct conf *, const struct core_persist *,
		    uint32_t wall_sec, int64_t now);
/* Only notices and worse as CA_LOG, and no CA_EVENT (the simulator's
 * fast mode); off by default. */
void		 core_set_quiet(struct core *, int);
void		 core_free(struct core *);
void		 core_start(struct core *, int64_t now);	/* probes */

/* ---- events in ---- */

/* A datagram (or serial frame, or disk slot) from medium `medium`; pkt
 * NULL: a frame that could not be read (bad serial framing). */
void	core_rx(struct core *, int medium, const uint8_t *pkt, size_t len,
	    const char *from, int64_t now);
/*
 * A peer that runs heartbeat 3.0.6 (issue 20). Its messages are decoded
 * and authenticated by the shell (hb_compat.c); m is the message as a
 * heartbeat for membership (node, generation hg, sequence seq, status),
 * v what it says about resources (HV_NONE for a plain t=status).
 *
 * A peer that is heard is alive and its groups are never taken while it
 * is heard. With `compat heartbeat` the core also takes part in
 * heartbeat's resource negotiation (haresources mode, nice_failback):
 * it answers and sends t=starting, t=resource, t=ask_resources (the
 * standby handshake), t=hb_takeover and, on a clean stop, t=shutdone,
 * as CA_HBV1 actions. See docs/heartbeat-protocol.md section 6.
 */
enum hbv1_type {
	HV_NONE,		/* t=status: membership only */
	HV_STARTING,		/* t=starting: tell me what you hold */
	HV_RESOURCE,		/* t=resource: what I hold */
	HV_ASK,			/* t=ask_resources: the standby handshake */
	HV_TAKEOVER,		/* t=hb_takeover: please go standby */
	HV_SHUTDONE		/* t=shutdone: released everything, exiting */
};
/* rsc_hold, from the sender's point of view: its own (home) groups,
 * those at home on the other node, both, none */
#define HV_LOCAL	1
#define HV_FOREIGN	2
#define HV_ALL		3
struct hbv1_msg {
	enum hbv1_type	 type;
	int		 hold;		/* rsc_hold: 0..HV_ALL, -1 absent */
	int		 full;		/* rtype=full: hold replaces, not adds */
	int		 stable;	/* isstable: 1, 0, -1 absent */
	char		 info[32];	/* info=: me, other, done, standby... */
};
void	core_rx_foreign(struct core *, int medium, const struct hb_msg *m,
	    const struct hbv1_msg *v, int64_t now);
void	core_timer(struct core *, int timer, int64_t now);
void	core_agent_done(struct core *, const struct core_agent_result *,
	    int64_t now);
void	core_fence_done(struct core *, int ok, int exit_code,
	    const char *detail, int64_t now);
/* up: how many ping nodes answer; -1 while some has neither answered nor
 * had its deadping pass (a fresh start, a ping node a reload added) */
void	core_ping(struct core *, int up, int total, int64_t now);
/* A packet the shell authenticated itself and rejected (heartbeat's
 * format with a bad digest): counted, and published as an auth_failure
 * event (hbd-snmp's hbdAuthFailure trap), one a second at most. */
void	core_count_auth_failure(struct core *, const char *from,
	    const char *node, int64_t now);

/* standby, takeover, move, poison: 0 done (reply filled), -1 refused */
int	core_admin(struct core *, const char *cmd, const struct jval *req,
	    struct jw *reply, char *err, size_t errlen, int64_t now);
/* A new configuration that conf_load() accepted: 0 adopted (the old one
 * may be freed once this returns), -1 refused with the reason. */
int	core_reload(struct core *, const struct conf *, char *err,
	    size_t errlen, int64_t now);
/* SIGTERM: release the groups, tell the peer, then CA_EXIT. A second
 * request stops waiting for the agents. */
void	core_shutdown(struct core *, int64_t now);

/* ---- actions out ---- */

/* The actions queued since the last call; valid until the next call
 * into the core. */
const struct core_action *core_actions(struct core *, int *n);
const struct core_persist *core_persist_get(const struct core *);

/* ---- what the status shows ---- */

const struct conf *core_conf(const struct core *);
const struct member *core_member(const struct core *);
uint32_t core_generation(const struct core *);
int	core_local_status(const struct core *);	/* enum hb_status */
int	core_shutting_down(const struct core *);
int	core_ping_up(const struct core *);
int	core_ping_total(const struct core *);
/* "status", "counters", "groups" and "fence" parts of hbctl status; the
 * shell passes the wall clock too (real_now, ms since the epoch) so that
 * each resource's last action carries the time it ran (the core reads no
 * clock) */
void	core_status_groups(const struct core *, struct jw *, int64_t now,
	    int64_t real_now);
void	core_status_counters(const struct core *, struct jw *);
const char *core_fence_state_name(const struct core *);
int	core_fence_configured(const struct core *);
const char *core_held_summary(const struct core *);
/* A heartbeat 3.0.6 peer negotiated with (compat heartbeat): 1 and what
 * it last said it holds (its point of view: none, local, foreign, all),
 * whether it said it was stable, and the standby handshake in progress
 * (none, asked, releasing, released, agreed, taking); 0 otherwise. */
int	core_heartbeat_peer(const struct core *, const char **holds,
	    int *stable, const char **handshake);

/* For the simulator's invariants: the group's local state and placement. */
struct core_group_view {
	int		 state;		/* enum grp_state */
	int		 dirty;
	uint32_t	 epoch;
	int		 proposer, target;
	int		 plan_busy;	/* a step is in flight */
};
int	core_group_view(const struct core *, int group,
	    struct core_group_view *);
int	core_peer_alive(const struct core *);
int	core_peer_left(const struct core *);
int	core_fence_done_flag(const struct core *);

#endif
