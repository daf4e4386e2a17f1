/*
 * core_int: the inside of one node's decision core, shared by core.c
 * (packets, membership, the node's life), core_place.c (where each group
 * belongs), core_plan.c (the steps that start and stop a group) and
 * core_fence.c (fencing the peer). Nothing outside the core includes it
 * but the shell's status rendering, which only reads.
 */
#ifndef HBD_CORE_INT_H
#define HBD_CORE_INT_H

#include <stdarg.h>
#include <stdint.h>

#include "core.h"
#include "member.h"
#include "util.h"

/*
 * Deliberate protocol bugs for `make sim-mutants`: the simulator must
 * catch every one of them. 0 in every build that ships.
 */
#ifndef HBD_MUTANT
#define HBD_MUTANT	0
#endif
#define MUT_SKIP_FENCE_WAIT	1
#define MUT_STALE_EPOCH		2
#define MUT_UNFRESH_LEFT	3
#define MUT_NO_GENERATION	4
#define MUT_RELOAD_PING		5
#define MUT_ONE_LINK_DEAD	6

#define CORE_MAX_ACTIONS	256
#define CORE_MAX_STEPS		(2 * HBD_MAX_RSC)
#define CORE_SENT_RING		1024
#define CORE_MIN_SEND_GAP_MS	5
#define CORE_STOP_RETRIES	2
#define CORE_STOP_RETRY_MS	1000
#define CORE_FENCE_RETRY_MIN_MS	2000
#define CORE_FENCE_RETRY_MAX_MS	60000

enum plan_kind {
	PLAN_NONE,
	PLAN_PROBE,
	PLAN_START,
	PLAN_STOP,
	PLAN_UNDO,	/* stopping after a failed start */
	PLAN_MONITOR,
	PLAN_RESTART,	/* stop tail, start tail: a monitor failure */
	PLAN_REASSERT	/* start again what runs: announce it after a heal */
};

struct step {
	int		 rsc;
	enum core_act_kind act;
};

struct rstate {
	int		 state;		/* enum grp_state */
	int64_t		 changed;
	uint64_t	 failures;
	/* the last start or stop that finished, for the operator (a
	 * monitor only until the first of those: monitors, every
	 * monitor_interval, would hide what a failover cost) */
	int		 last_act;	/* enum core_act_kind, -1 none */
	int		 last_result;	/* enum core_result */
	int		 last_exit;
	int64_t		 last_duration;
	int64_t		 last_at;	/* mono ms it finished */
	/* the last monitor (status) that finished */
	int		 mon_done;
	int		 mon_result;
	int		 mon_exit;
	int64_t		 mon_duration;
	int64_t		 mon_at;
};

struct grp {
	const struct conf_group *cg;
	int		 index;
	int		 state;		/* local: enum grp_state */
	int		 dirty;
	int64_t		 changed;

	/* agreed placement */
	uint32_t	 epoch;
	uint8_t		 proposer;
	uint8_t		 target;
	uint8_t		 reason;
	uint8_t		 loaded_reason;	/* why, as the state dir said (0: ?) */
	/* placement under which we started it (for partition heal) */
	uint32_t	 held_epoch;
	uint8_t		 held_proposer;

	/* the peer's latest report */
	struct hb_group	 peer;
	int		 peer_valid;
	int		 peer_dirty_at_death;
	int		 left_targeted_peer;	/* its goodbye left it the group */

	/* work in progress */
	enum plan_kind	 plan;
	struct step	 steps[CORE_MAX_STEPS];
	int		 nsteps, cur, retries;
	int		 running;	/* a step's agent is out */
	int		 retry_pending;	/* a stop retry is due on the timer */
	int		 monitor_due;	/* the group timer means "monitor" */
	int		 probed;
	int		 restart_from;
	int		 gave_up;	/* monitoring gave up on it */
	int		 reassert;	/* kept after a heal: announce again */

	struct rstate	 rs[HBD_MAX_RSC];
	int64_t		 restarts[64];
	int		 nrestarts;
	uint64_t	 takeovers, failures;
	int		 logged_wait;
};

enum fence_st {
	FENCE_IDLE,
	FENCE_DELAY,	/* the side that holds nothing waits first */
	FENCE_RUNNING,
	FENCE_DONE,
	FENCE_FAILED	/* will retry */
};

/* the standby handshake with a heartbeat peer (heartbeat's going_standby) */
enum hbv1_sb {
	SB_NOT,		/* none */
	SB_ME,		/* we asked to hand groups over; waiting for "other" */
	SB_GIVING,	/* "other" came: stopping them, then "done" */
	SB_DONE,	/* we said "done": waiting for the peer's "done" */
	SB_OTHER,	/* the peer asked; we said "other"; waiting for its "done" */
	SB_TAKING	/* its "done" came: starting them, then our "done" */
};

/* A peer that runs heartbeat 3.0.6: what we know of its resources. */
struct hbv1 {
	uint32_t	 gen;		/* the peer generation this is about */
	/* heartbeat sends its messages slightly out of order (seq 26 before
	 * 25, seen in captures): each counts once, whatever its order */
	uint64_t	 seen_top;
	uint64_t	 seen_bits[2];	/* seen_top - 0..127 */
	int		 seen_rsc;	/* a t=resource from that generation */
	int		 hold;		/* its rsc_hold, its point of view */
	int		 stable;	/* its isstable */
	uint64_t	 rsc_seq;	/* the seq of the report they come from */
	uint64_t	 may_run;	/* groups it may run (bit per group) */
	int		 starting_sent;
	int		 starting_tries;
	int64_t		 starting_due;	/* when to say it again */
	int		 sent_hold, sent_stable;	/* -1: nothing sent yet */
	int		 reply_due;	/* a t=resource owed to the peer */
	enum hbv1_sb	 sb;
	uint64_t	 sb_groups;	/* the groups of the handshake */
	char		 sb_set[16];	/* its rsc_hold, as sent/received */
	uint64_t	 sb_floor;	/* handshake messages up to this seq
					 * are older than the handshake's
					 * last step: stale */
	int64_t		 sb_deadline;
	int		 sb_progress;	/* the peer began releasing */
	int		 sb_logged;
	uint64_t	 want_away;	/* the core moved these to the peer */
	uint64_t	 want_here;	/* ... and these here, from the peer */
	uint8_t		 want_reason[HBD_MAX_GROUPS];
	int64_t		 retry_at;	/* no new request before */
	int		 applying;	/* place_propose from the handshake */
	int		 timer_armed;
};

struct core_counters {
	uint64_t	 packets_in, packets_out, own;
	uint64_t	 auth_failures, replays, malformed, unknown_node;
	uint64_t	 wrong_cluster, late_heartbeats, stale, unverified;
	uint64_t	 takeovers, releases, resource_failures, restarts;
	uint64_t	 fences, fence_failures;
};

struct core {
	const struct conf *conf;
	int64_t		 now;
	int		 me, peer;		/* node indexes; peer -1: none */

	/* ---- membership and the wire ---- */
	struct member	 mem;
	uint32_t	 generation;
	uint64_t	 seq;
	int64_t		 start_ms;
	int64_t		 last_send;
	int		 send_pending;
	int		 leaving;
	uint32_t	 config_hash;
	int		 warned_config_hash;
	int64_t		 last_auth_event;
	int64_t		 rl_bad[8];	/* rate limits of drop logs */
	unsigned	 rl_supp[8];
	struct {
		uint64_t seq;
		int64_t	 at;
	}		 sent[CORE_SENT_RING];
	/*
	 * A peer generation counts (alive, content, goodbye, pill) only once
	 * one of its packets acknowledged a packet of ours of this
	 * generation sent within a deadtime: a recording of an earlier life
	 * cannot do that. Until then its packets are acknowledged, not used.
	 */
	uint32_t	 verified_gen;		/* 0: none yet */
	uint32_t	 persisted_peer_gen;	/* older ones are replays */
	uint32_t	 seen_gen;		/* authenticated, maybe unverified */
	int64_t		 native_at;	/* the peer's last hbd packet used */
	uint64_t	 seen_seq;
	struct replay_win seen_win;

	/* ---- groups ---- */
	struct grp	 groups[HBD_MAX_GROUPS];
	int		 ngroups;
	int		 started;
	int		 shutting_down;
	int		 exit_sent;
	int		 failback_pending;
	int		 peer_was_gone;	/* left or died since last heard */
	uint8_t		 peer_ping_up, peer_ping_total;
	int		 peer_ping_valid;

	/* ---- ping nodes, as the shell reports them ---- */
	int		 ping_up, ping_total;
	int64_t		 ping_ok_since;		/* 0: none answers */
	int		 settle_armed;

	/* ---- fencing ---- */
	enum fence_st	 fence;
	int		 fence_target;
	uint32_t	 fence_backoff;
	int		 fence_timer_armed;
	unsigned	 fence_reset_gen, fence_run_gen;
	uint32_t	 fenced_gen;	/* the peer's newest generation then */

	/* ---- a heartbeat 3.0.6 peer (compat heartbeat) ---- */
	struct hbv1	 hbv1;

	struct core_counters cnt;
	struct core_persist persist;

	/* ---- the action queue ---- */
	struct core_action act[CORE_MAX_ACTIONS];
	int		 nact;
	struct buf	 arena;		/* texts and bytes of queued actions */
	struct buf	 evbuf;
	struct jw	 evw;
	int		 quiet;		/* no CA_LOG below LOG_NOTICE */
};

/* core.c */
void	core_log(struct core *, int prio, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
struct jw *core_ev_begin(struct core *, const char *type);
void	core_ev_end(struct core *);
void	core_timer_at(struct core *, int timer, int64_t due);
void	core_send_now(struct core *);
void	core_save(struct core *);
const char *core_node_name(const struct core *, int);
void	core_push(struct core *, const struct core_action *);
int	core_peer_active(const struct core *);

/* core_place.c */
void	place_init(struct core *);
void	place_evaluate_all(struct core *);
void	place_evaluate(struct core *, struct grp *);
void	place_peer_update(struct core *, const struct hb_msg *);
void	place_peer_restarted(struct core *);
void	place_member_event(struct core *, const struct member_ev *);
void	place_fence_result(struct core *, int ok);
void	place_fill_msg(struct core *, struct hb_msg *);
int	place_admin(struct core *, const char *cmd, const struct jval *,
	    struct jw *, char *err, size_t len);
void	place_shutdown(struct core *);
int	place_all_clean(const struct core *);
int	place_reconf_ok(const struct conf *, const struct conf *, char *,
	    size_t);
void	place_propose(struct core *, struct grp *, int target, int reason);
void	place_adopted(struct core *, struct grp *);
int	grp_running(int state);

/* core_plan.c */
void	plan_start_probe(struct core *, struct grp *);
void	plan_begin_start(struct core *, struct grp *);
void	plan_begin_stop(struct core *, struct grp *);
void	plan_begin_reassert(struct core *, struct grp *);
void	plan_cancel_monitor(struct core *, struct grp *);
void	plan_step_done(struct core *, struct grp *,
	    const struct core_agent_result *);
void	plan_group_timer(struct core *, struct grp *);
void	plan_cancel_all(struct core *);
void	plan_set_state(struct core *, struct grp *, int);
void	plan_emit_group(struct core *, struct grp *, const char *type,
	    const char *key, const char *val);

/* core_hbv1.c: heartbeat 3.0.6's resource negotiation */
int	hbv1_on(const struct core *);
void	hbv1_rx(struct core *, const struct hbv1_msg *, uint32_t gen,
	    uint64_t seq);
void	hbv1_view(struct core *);
int	hbv1_intercept(struct core *, struct grp *, int target, int reason);
void	hbv1_tick(struct core *);
void	hbv1_timer(struct core *);
void	hbv1_shutdown_begin(struct core *);
void	hbv1_shutdone(struct core *);
void	hbv1_peer_gone(struct core *);
const char *hbv1_sb_name(int);

/* core_fence.c */
int	fence_is_configured(const struct core *);
void	fence_req(struct core *, int node, uint32_t delay_ms);
void	fence_on_timer(struct core *);
void	fence_on_done(struct core *, int ok, int exit_code,
	    const char *detail);
void	fence_peer_back(struct core *);
int	fence_is_done(const struct core *);
const char *fence_st_name(enum fence_st);

#endif
