/*
 * core_place: where each resource group runs, and the handoff between
 * the two nodes.
 *
 * Safety rule (the invariant above all): a node starts a group only when
 *  - the agreed placement targets it, and
 *  - the peer reports the group STOPPED (or FAILED and clean) under that
 *    same placement, or the peer is dead and, where the group needs it,
 *    fenced (or it left cleanly, which means everything was stopped).
 * A node that sees a newer placement targeting the peer stops its copy,
 * and only then reports STOPPED under the new placement. Two starts
 * under one placement are impossible because a placement has one target;
 * a start under an older placement is impossible because the peer only
 * acknowledges the placement it has adopted.
 *
 * After a partition heals with the group running on both sides, exactly
 * one keeps it: the preferred node with auto_failback on, otherwise the
 * one that started it under the older placement (held it longest). Both
 * compute the same winner from the same data and move the placement to
 * it; the loser stops its copy without restarting either daemon.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "core_int.h"

static int	both_running(const struct core *, const struct grp *);
static int	needs_heal(const struct core *, const struct grp *);
static void	heal(struct core *, struct grp *);

/* ---- helpers ---- */

static const char *
nn(const struct core *c, int i)
{
	const char	*s = core_node_name(c, i);

	return s ? s : "nobody";
}

static int
pair_cmp(uint32_t e1, uint8_t p1, uint32_t e2, uint8_t p2)
{
	if (e1 != e2)
		return e1 < e2 ? -1 : 1;
	if (p1 == p2)
		return 0;
	/* HB_NO_NODE only appears at epoch 0 and sorts lowest */
	if (p1 == HB_NO_NODE)
		return -1;
	if (p2 == HB_NO_NODE)
		return 1;
	return p1 < p2 ? -1 : 1;
}

static int
needs_fence(const struct grp *g)
{
	int	 i;

	for (i = 0; i < g->cg->nrsc; i++)
		if (g->cg->rsc[i].needs_fence)
			return 1;
	return 0;
}

static int
peer_status(const struct core *c)
{
	if (c->peer < 0)
		return NODE_DEAD;
	return c->mem.nodes[c->peer].status;
}

int
grp_running(int state)
{
	return state == GS_STARTED || state == GS_STARTING ||
	    state == GS_STOPPING;
}

static void
announce_placement(struct core *c, struct grp *g)
{
	struct jw	*w = core_ev_begin(c, "placement");

	jw_str(w, "group", g->cg->name);
	jw_str(w, "target", core_node_name(c, g->target));
	jw_int(w, "epoch", g->epoch);
	jw_str(w, "proposer", core_node_name(c, g->proposer));
	jw_str(w, "reason", move_reason_name(g->reason));
	/* which node saw it (hbctl timeline merges both nodes' events) */
	jw_str(w, "reporter", c->conf->local);
	core_ev_end(c);
}

/* Move the agreed placement: ours is newer than anything seen. */
void
place_propose(struct core *c, struct grp *g, int target, int reason)
{
	uint32_t	 e = g->epoch;

	/* a heartbeat peer moves groups only through its handshake */
	if (hbv1_intercept(c, g, target, reason))
		return;
	if (g->peer_valid && g->peer.epoch > e)
		e = g->peer.epoch;
	g->epoch = e + 1;
	g->proposer = (uint8_t)c->me;
	g->target = (uint8_t)target;
	g->reason = (uint8_t)reason;
	g->logged_wait = 0;
	core_log(c, LOG_INFO, "group %s: placement %u -> %s (%s)", g->cg->name,
	    g->epoch, nn(c, target), move_reason_name(reason));
	announce_placement(c, g);
	core_save(c);
	core_send_now(c);
}

static void
log_wait(struct core *c, struct grp *g, int prio, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
log_wait(struct core *c, struct grp *g, int prio, const char *fmt, ...)
{
	char	 msg[256];
	va_list	 ap;

	if (g->logged_wait)
		return;
	g->logged_wait = 1;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	core_log(c, prio, "group %s: %s", g->cg->name, msg);
}

/* ---- the decision ---- */

/* Some ping node answers (or it is too early to say): this node is not
 * the one cut off. */
static int
pings_ok(const struct core *c)
{
	return c->conf->npings == 0 || c->ping_up != 0;
}

/*
 * The two sides' ping counts can be compared: both are known, and both
 * nodes count the same list (an operator editing one node's ha.cf at a
 * time must not move groups).
 */
static int
pings_comparable(const struct core *c)
{
	return c->ping_up >= 0 && c->peer_ping_valid &&
	    c->peer_ping_up != 0xff && c->peer_ping_total == c->ping_total;
}

/*
 * ... and has for a deadtime. A node whose uplink just came back may not
 * have heard its peer yet: until a deadtime passes, a silent peer proves
 * nothing, and taking over would run the group twice.
 */
static int
pings_settled(struct core *c)
{
	int64_t	 since = c->ping_ok_since;

	if (c->conf->npings == 0)
		return 1;
	if (since == 0)
		return 0;
	if (c->now - since >= (int64_t)c->conf->deadtime_ms)
		return 1;
	if (!c->settle_armed) {
		c->settle_armed = 1;
		core_timer_at(c, CT_SETTLE, since + c->conf->deadtime_ms + 1);
	}
	return 0;
}

/* Partition heal: both run it. Who keeps it? Both sides agree. */
static int
heal_winner(const struct core *c, const struct grp *g)
{
	int	 r;

	if (c->conf->auto_failback != FAILBACK_OFF)
		return g->cg->preferred;
	r = pair_cmp(g->held_epoch, g->held_proposer, g->peer.held_epoch,
	    g->peer.held_proposer);
	if (r < 0)
		return c->me;
	if (r > 0)
		return c->peer;
	return g->cg->preferred;
}

static int
peer_acked(const struct grp *g)
{
	if (!g->peer_valid)
		return 0;
	if (g->peer.epoch != g->epoch || g->peer.proposer != g->proposer)
		return 0;
	if (g->peer.state == GS_STOPPED)
		return 1;
	return g->peer.state == GS_FAILED && !(g->peer.flags & GF_DIRTY);
}

/*
 * Both sides of a partition may fence; exactly one must win. The side
 * running the groups that need fencing fences at once, so a partition
 * costs no outage; the other side (normally the non-preferred one) waits
 * fence_delay first. When nobody was running them, the preferred side
 * goes first.
 */
static uint32_t
my_fence_delay(const struct core *c)
{
	int	 i, holder = 0, challenger = 0, preferred = 0;

	for (i = 0; i < c->ngroups; i++) {
		const struct grp	*g = &c->groups[i];

		if (!needs_fence(g) && !g->peer_dirty_at_death)
			continue;
		if (grp_running(g->state))
			holder = 1;
		else if (g->peer_valid && grp_running(g->peer.state))
			challenger = 1;
		else if (g->cg->preferred == c->me)
			preferred = 1;
	}
	if (holder || (!challenger && preferred))
		return 0;
	return c->conf->fence_delay_ms;
}

/*
 * The peer said goodbye with everything stopped: as good as fenced for a
 * group whose placement did not name it then. One that did is its to
 * start when it comes back, perhaps without our hearing it (a one-way
 * cut): taking that one over needs a fence like any other.
 */
static int
left_covers(const struct core *c, const struct grp *g)
{
	return core_peer_left(c) && !g->left_targeted_peer;
}

/* The peer died without saying goodbye: fence it if shared data is at stake */
static void
fence_peer(struct core *c)
{
	int	 i, needed = 0;

	if (!fence_is_configured(c) || c->peer < 0)
		return;
	for (i = 0; i < c->ngroups; i++)
		if (!left_covers(c, &c->groups[i]) &&
		    (needs_fence(&c->groups[i]) ||
		    c->groups[i].peer_dirty_at_death))
			needed = 1;
	if (needed)
		fence_req(c, c->peer, my_fence_delay(c));
}

static int
fencing_satisfied(struct core *c, struct grp *g)
{
	if (left_covers(c, g))
		return 1;
	if (!needs_fence(g) && !g->peer_dirty_at_death)
		return 1;
	if (!fence_is_configured(c)) {
		if (g->peer_dirty_at_death) {
			log_wait(c, g, LOG_CRIT, "CRIT: the peer's stop of "
			    "this group failed before it died, and no fencing "
			    "is configured: not taking it over");
			return 0;
		}
		log_wait(c, g, LOG_WARNING, "taking over shared resources "
		    "without fencing (configure fence or stonith_host to make "
		    "this safe)");
		return 1;
	}
#if HBD_MUTANT == MUT_SKIP_FENCE_WAIT
	fence_peer(c);
	return 1;
#endif
	if (fence_is_done(c))
		return 1;
	fence_peer(c);
	log_wait(c, g, LOG_NOTICE, "waiting for the peer to be fenced before "
	    "taking over");
	return 0;
}

void
place_evaluate(struct core *c, struct grp *g)
{
	int	 pst = peer_status(c), me = c->me, peer = c->peer;

	if (!c->started || !g->probed)
		return;
	if (g->plan != PLAN_NONE && g->plan != PLAN_MONITOR)
		return;
	if (g->state == GS_FAILED && g->dirty)
		return;			/* unmanaged until fixed */

	if (c->shutting_down) {
		if (g->state == GS_STARTED)
			plan_begin_stop(c, g);
		return;
	}

	/*
	 * Isolated: the peer is silent and no ping node answers either. The
	 * peer may well be alive and serving on the other side of a broken
	 * network; a node that sees nothing must not hold shared groups.
	 */
	if (peer >= 0 && pst == NODE_DEAD && !core_peer_left(c) &&
	    !pings_ok(c)) {
		if (g->state == GS_STARTED || g->state == GS_STARTING) {
			core_log(c, LOG_WARNING, "group %s: isolated (the peer "
			    "is silent and no ping node answers): releasing "
			    "it", g->cg->name);
			plan_begin_stop(c, g);
			return;
		}
	}

	/* the peer is gone and the group was (or should be) there: ours */
	if (peer >= 0 && pst == NODE_DEAD && g->target != me) {
		if (!pings_settled(c)) {
			log_wait(c, g, LOG_NOTICE, "peer is silent but no ping "
			    "node has answered here for a deadtime: this node "
			    "may be the one cut off; not taking over yet");
			return;
		}
		place_propose(c, g, me, MR_NODE_DEAD);
	}

	if (g->target != me) {
		/*
		 * Adopted at start-up under a placement nobody agreed to (a
		 * fresh one, or one loaded from a lost or stale state dir):
		 * the peer's placement decides, so hear it before stopping.
		 */
		if (g->state == GS_STARTED && g->reason == MR_STARTUP &&
		    peer >= 0 && (pst == NODE_INIT || !g->peer_valid)) {
			log_wait(c, g, LOG_NOTICE, "running here, placed "
			    "elsewhere by a placement not agreed yet: waiting "
			    "to hear %s", nn(c, peer));
			return;
		}
		if (g->state == GS_STARTED || g->state == GS_STARTING)
			plan_begin_stop(c, g);
		return;
	}

	/* the placement is ours */
	switch (g->state) {
	case GS_STARTED:
		if (g->reassert && g->peer_valid &&
		    !grp_running(g->peer.state) && pst != NODE_DEAD)
			plan_begin_reassert(c, g);
		return;
	case GS_STOPPED:
		break;
	case GS_FAILED:
		return;			/* start failed here: needs a move */
	default:
		return;
	}

	if (peer < 0)
		goto start;
	if (pst == NODE_INIT) {
		log_wait(c, g, LOG_NOTICE, "waiting to hear the peer "
		    "(initdead %u ms)", c->conf->initdead_ms);
		return;
	}
	if (pst == NODE_DEAD) {
		if (!pings_settled(c)) {
			log_wait(c, g, LOG_NOTICE, "no ping node has answered "
			    "here for a deadtime: not starting while the peer "
			    "is silent");
			return;
		}
		if (!fencing_satisfied(c, g))
			return;
		goto start;
	}
	if (!peer_acked(g)) {
		if (g->peer_valid && g->peer.state == GS_FAILED &&
		    (g->peer.flags & GF_DIRTY)) {
			if (fence_is_configured(c)) {
				/* the only way to make it safe: power it off */
				log_wait(c, g, LOG_WARNING, "the peer failed "
				    "to stop it: fencing the peer before "
				    "starting here");
				fence_req(c, peer, 0);
			} else
				log_wait(c, g, LOG_WARNING, "the peer failed "
				    "to stop it: not starting here (no fencing "
				    "configured)");
		}
		return;			/* wait for the peer's handshake */
	}
start:
	plan_begin_start(c, g);
}

/*
 * Fail back only to a node that sees as many ping nodes as this one
 * (ipfail would only move the group again), once both counts are known;
 * counts of two different lists say nothing, and do not hold it up.
 */
static int
failback_pings_ok(const struct core *c)
{
	if (c->conf->npings == 0)
		return 1;
	if (c->ping_up < 0 || !c->peer_ping_valid || c->peer_ping_up == 0xff)
		return 0;
	return c->peer_ping_total != c->ping_total ||
	    c->peer_ping_up >= c->ping_up;
}

void
place_evaluate_all(struct core *c)
{
	int	 i, me = c->me, peer = c->peer;

	/*
	 * Fail back once the preferred node is back, unless it sees fewer
	 * ping nodes than we do (ipfail would only move the group again):
	 * then wait until it does.
	 */
	if (c->failback_pending && core_peer_active(c) &&
	    failback_pings_ok(c)) {
		c->failback_pending = 0;
		if (c->conf->auto_failback != FAILBACK_OFF)
			for (i = 0; i < c->ngroups; i++) {
				struct grp	*g = &c->groups[i];

				if (g->cg->preferred == peer &&
				    g->target == me && !c->shutting_down &&
				    !(g->peer_valid &&
				    g->peer.state == GS_FAILED)) {
					core_log(c, LOG_INFO, "group %s: %s is "
					    "back; failing back", g->cg->name,
					    nn(c, peer));
					place_propose(c, g, peer, MR_FAILBACK);
				}
			}
	}
	/*
	 * And in steady state: a group this node holds away from its
	 * preferred node goes back once that node is active, even when its
	 * return was not seen as such (this daemon restarted in between, or
	 * verified the peer's new generation only once it was active). Not a
	 * group an operator moved, nor one that failed there, nor one ipfail
	 * moved: those stay until told otherwise (the reason survives a
	 * restart in the state directory).
	 */
	if (c->conf->auto_failback != FAILBACK_OFF && core_peer_active(c) &&
	    !c->shutting_down && failback_pings_ok(c))
		for (i = 0; i < c->ngroups; i++) {
			struct grp	*g = &c->groups[i];
			int		 why = g->reason == MR_STARTUP ?
				    g->loaded_reason : g->reason;

			if (g->cg->preferred != peer || g->target != me ||
			    g->state != GS_STARTED || g->plan != PLAN_NONE ||
			    (g->peer_valid && g->peer.state == GS_FAILED) ||
			    why == MR_ADMIN || why == MR_RESOURCE_FAILURE ||
			    why == MR_OTHER)
				continue;
			core_log(c, LOG_INFO, "group %s: %s is active again; "
			    "failing back", g->cg->name, nn(c, peer));
			place_propose(c, g, peer, MR_FAILBACK);
		}
	/* ipfail: the peer sees more ping nodes than we do */
	if (c->conf->npings > 0 && core_peer_active(c) && pings_comparable(c) &&
	    c->peer_ping_up > c->ping_up && !c->shutting_down)
		for (i = 0; i < c->ngroups; i++) {
			struct grp	*g = &c->groups[i];

			if (g->target == me && g->state == GS_STARTED &&
			    g->plan == PLAN_NONE &&
			    !(g->peer_valid && g->peer.state == GS_FAILED)) {
				core_log(c, LOG_WARNING, "group %s: %s reaches "
				    "%u ping nodes, this node %d: moving it "
				    "there", g->cg->name, nn(c, peer),
				    c->peer_ping_up, c->ping_up);
				place_propose(c, g, peer, MR_OTHER);
			}
		}
	for (i = 0; i < c->ngroups; i++)
		place_evaluate(c, &c->groups[i]);
}

/* ---- inputs ---- */

/*
 * The peer claims a group for itself that runs here and not there: it
 * took us for dead (MR_NODE_DEAD), or it is announcing a claim it saved
 * before it was fenced or restarted (a loaded placement has MR_STARTUP,
 * the reason is not saved).
 */
static int
stale_claim(const struct core *c, const struct grp *g,
    const struct hb_group *pg)
{
	return (pg->reason == MR_NODE_DEAD || pg->reason == MR_STARTUP) &&
	    pg->target == c->peer && pg->proposer == c->peer &&
	    grp_running(g->state) && !grp_running(pg->state);
}

static int
both_running(const struct core *c, const struct grp *g)
{
	(void)c;
	return (g->state == GS_STARTED || g->state == GS_STARTING) &&
	    g->peer_valid && (g->peer.state == GS_STARTED ||
	    g->peer.state == GS_STARTING);
}

/* Already agreed on the winner? Then the loser is stopping: no new move. */
static int
needs_heal(const struct core *c, const struct grp *g)
{
	int	 w = heal_winner(c, g);

	if (g->target == w && g->peer.target == w)
		return 0;
	/* we proposed it already; the peer has not adopted it yet */
	if (g->target == w && pair_cmp(g->epoch, g->proposer, g->peer.epoch,
	    g->peer.proposer) > 0)
		return 0;
	return 1;
}

/*
 * Both nodes run the group and disagree on its placement: a partition
 * has healed. Both compute the same winner and move the placement to it;
 * the loser's evaluation then stops its copy.
 */
static void
heal(struct core *c, struct grp *g)
{
	int	 w = heal_winner(c, g);

	if (g->peer.epoch > g->epoch)
		g->epoch = g->peer.epoch;
	core_log(c, LOG_WARNING, "group %s: running on both nodes (a partition "
	    "healed): %s keeps it", g->cg->name, nn(c, w));
	place_propose(c, g, w, MR_PEER_REQUEST);
}

void
place_adopted(struct core *c, struct grp *g)
{
	if (both_running(c, g) && needs_heal(c, g))
		heal(c, g);
}

void
place_peer_update(struct core *c, const struct hb_msg *m)
{
	int	 i, j, changed = 0;

	c->peer_ping_up = m->ping_up;
	c->peer_ping_total = m->ping_total;
	c->peer_ping_valid = 1;
	for (i = 0; i < c->ngroups; i++) {
		struct grp		*g = &c->groups[i];
		const struct hb_group	*pg = NULL;
		int			 newer;

		for (j = 0; j < m->ngroups; j++)
			if (m->groups[j].id == g->cg->id)
				pg = &m->groups[j];
		if (pg == NULL) {
			/* the peer does not have this group: it cannot run it */
			memset(&g->peer, 0, sizeof(g->peer));
			g->peer.state = GS_STOPPED;
			g->peer.epoch = g->epoch;
			g->peer.proposer = g->proposer;
			g->peer_valid = 1;
			continue;
		}
		if (!g->peer_valid || memcmp(&g->peer, pg, sizeof(*pg)))
			changed = 1;
		g->peer = *pg;
		g->peer_valid = 1;
		g->peer_dirty_at_death = (pg->flags & GF_DIRTY) != 0;
		if (pg->target != HB_NO_NODE && pg->target >= c->conf->nnodes)
			continue;	/* nonsense: ignore the placement */
		/* both run it: whoever keeps it announces it again */
		if (grp_running(pg->state) && (g->state == GS_STARTED ||
		    g->state == GS_STARTING))
			g->reassert = 1;
		newer = pair_cmp(pg->epoch, pg->proposer, g->epoch,
		    g->proposer) > 0;
#if HBD_MUTANT == MUT_STALE_EPOCH
		/* the bug: a placement as old as ours (or older) wins too */
		newer = pg->epoch + 1 >= g->epoch &&
		    (pg->epoch != g->epoch || pg->proposer != g->proposer);
#endif
		if (both_running(c, g) && needs_heal(c, g)) {
			heal(c, g);
			changed = 1;
		} else if (pg->epoch == g->epoch && pg->proposer == g->proposer &&
		    pg->target != g->target && g->proposer == c->me) {
			/*
			 * One placement, two targets: this node lost its state
			 * and numbered a new proposal like an old one the peer
			 * still has. It is ours: say it again, newer.
			 */
			core_log(c, LOG_WARNING, "group %s: %s holds an older "
			    "proposal of ours with the same number: proposing "
			    "again", g->cg->name, nn(c, c->peer));
			place_propose(c, g, g->target, g->reason);
			changed = 1;
		} else if (newer && stale_claim(c, g, pg)) {
			/*
			 * The peer claimed the group because it thought we
			 * were dead (a partition, or a placement it saved
			 * before it was fenced), but we are alive and run it.
			 * Moving it now would only cost an outage: keep it.
			 */
			core_log(c, LOG_WARNING, "group %s: %s claimed it "
			    "believing this node dead, but it runs here: "
			    "keeping it", g->cg->name, nn(c, c->peer));
			g->epoch = pg->epoch;
			g->reassert = 1;
			place_propose(c, g, c->me, MR_PEER_REQUEST);
			changed = 1;
		} else if (newer) {
			g->epoch = pg->epoch;
			g->proposer = pg->proposer;
			g->target = pg->target;
			g->reason = pg->reason;
			g->logged_wait = 0;
			/* an operator sent it here again: retry a failed start */
			if (g->target == c->me && g->reason == MR_ADMIN &&
			    g->state == GS_FAILED && !g->dirty)
				plan_set_state(c, g, GS_STOPPED);
			core_log(c, LOG_INFO, "group %s: placement %u -> %s "
			    "(%s, from %s)", g->cg->name, g->epoch,
			    nn(c, g->target), move_reason_name(g->reason),
			    nn(c, c->peer));
			announce_placement(c, g);
			core_save(c);
			changed = 1;
		}
	}
	if (changed)
		core_send_now(c);
	place_evaluate_all(c);
}

/* The peer restarted (new generation): forget what it said before. */
void
place_peer_restarted(struct core *c)
{
	int	 i;

	for (i = 0; i < c->ngroups; i++)
		c->groups[i].peer_valid = 0;
	c->peer_ping_valid = 0;
	c->failback_pending = 1;
}

/*
 * The peer is gone: this node is the only place left for a group whose
 * start failed here earlier (cleanly: everything was stopped). Try it once
 * more; a second failure leaves it FAILED, as there is nobody to hand it to.
 */
static void
retry_failed_start(struct core *c, struct grp *g)
{
	if (g->state == GS_FAILED && !g->dirty && g->plan == PLAN_NONE) {
		core_log(c, LOG_NOTICE, "group %s: the peer is gone; retrying "
		    "the start that failed here", g->cg->name);
		plan_set_state(c, g, GS_STOPPED);
	}
}

void
place_member_event(struct core *c, const struct member_ev *e)
{
	int	 i;

	if (e->node != c->peer)
		return;
	switch (e->type) {
	case ME_NODE_UP:
		fence_peer_back(c);
		for (i = 0; i < c->ngroups; i++) {
			c->groups[i].peer_valid = 0;
			c->groups[i].peer_dirty_at_death = 0;
		}
		c->peer_ping_valid = 0;
		/*
		 * Fail back when the peer joins: it was dead, or it is still
		 * probing (booting). Not when this daemon has just restarted
		 * and finds the peer active as before: what runs here was
		 * adopted as it was, and a daemon restart must not move it.
		 */
		if (c->mem.nodes[c->peer].dead_count > 0 ||
		    c->mem.nodes[c->peer].peer_status == HB_ST_INIT ||
		    c->peer_was_gone)
			c->failback_pending = 1;
		c->peer_was_gone = 0;
		break;
	case ME_NODE_RESTARTED:
		hbv1_peer_gone(c);
		place_peer_restarted(c);
		break;
	case ME_NODE_LEFT:
		hbv1_peer_gone(c);
		/* it comes back later, perhaps already active when we verify
		 * its new generation: that is still a return */
		c->peer_was_gone = 1;
		for (i = 0; i < c->ngroups; i++)
			c->groups[i].left_targeted_peer =
			    c->groups[i].target == c->peer;
		for (i = 0; i < c->ngroups; i++) {
			c->groups[i].peer_valid = 0;
			retry_failed_start(c, &c->groups[i]);
		}
		break;
	case ME_NODE_DEAD:
		hbv1_peer_gone(c);
		c->peer_was_gone = 1;
		for (i = 0; i < c->ngroups; i++) {
			c->groups[i].logged_wait = 0;
			retry_failed_start(c, &c->groups[i]);
		}
		fence_peer(c);
		break;
	default:
		break;
	}
	/*
	 * No evaluation here: a packet can bring several events (a link up,
	 * then the node up) and decisions must wait until all of them have
	 * updated what we know. The caller evaluates once afterwards.
	 */
}

void
place_fence_result(struct core *c, int ok)
{
	int	 i;

	(void)ok;
	for (i = 0; i < c->ngroups; i++)
		c->groups[i].logged_wait = 0;
	place_evaluate_all(c);
}

/* ---- outputs ---- */

void
place_fill_msg(struct core *c, struct hb_msg *m)
{
	int	 i;

	m->ngroups = (uint8_t)c->ngroups;
	m->ping_up = c->ping_up < 0 ? 0xff : (uint8_t)c->ping_up;
	m->ping_total = (uint8_t)c->ping_total;
	for (i = 0; i < c->ngroups; i++) {
		const struct grp	*g = &c->groups[i];
		struct hb_group		*h = &m->groups[i];

		memset(h, 0, sizeof(*h));
		h->id = g->cg->id;
		h->epoch = g->epoch;
		h->proposer = g->proposer;
		h->target = g->target;
		h->reason = g->reason;
		h->state = (uint8_t)(g->probed || g->plan == PLAN_STOP ||
		    g->plan == PLAN_UNDO ? g->state : GS_UNKNOWN);
		h->flags = g->dirty ? GF_DIRTY : 0;
		h->held_epoch = g->held_epoch;
		h->held_proposer = g->held_proposer;
	}
}

int
place_all_clean(const struct core *c)
{
	int	 i;

	for (i = 0; i < c->ngroups; i++) {
		const struct grp	*g = &c->groups[i];

		if (g->plan != PLAN_NONE || g->dirty ||
		    (g->state != GS_STOPPED && g->state != GS_FAILED))
			return 0;
	}
	return 1;
}

/* ---- life ---- */

void
place_init(struct core *c)
{
	const struct conf	*cf = c->conf;
	int			 i, j;

	c->ngroups = cf->ngroups;
	for (i = 0; i < c->ngroups; i++) {
		struct grp	*g = &c->groups[i];

		g->cg = &cf->groups[i];
		g->index = i;
		g->state = GS_UNKNOWN;
		g->changed = c->now;
		g->proposer = HB_NO_NODE;
		g->target = (uint8_t)cf->groups[i].preferred;
		g->reason = MR_STARTUP;
		g->held_proposer = HB_NO_NODE;
		for (j = 0; j < HBD_MAX_RSC; j++) {
			g->rs[j].state = GS_UNKNOWN;
			g->rs[j].changed = c->now;
			g->rs[j].last_act = -1;
			g->rs[j].mon_done = 0;
		}
		/* the placement the state directory remembers */
		for (j = 0; j < c->persist.nplacements; j++) {
			const struct core_placement *p = &c->persist.p[j];

			if (strcmp(p->group, g->cg->name) != 0)
				continue;
			if (p->target < 0 || p->target >= cf->nnodes ||
			    p->proposer < 0 || p->proposer >= cf->nnodes ||
			    p->epoch == 0)
				continue;
			g->epoch = p->epoch;
			g->proposer = (uint8_t)p->proposer;
			g->target = (uint8_t)p->target;
			g->reason = MR_STARTUP;
			if (p->reason >= MR_OTHER && p->reason <= MR_SHUTDOWN)
				g->loaded_reason = (uint8_t)p->reason;
		}
	}
}

/* A reload may change timing and agents' settings, not the groups. */
int
place_reconf_ok(const struct conf *o, const struct conf *n, char *why,
    size_t len)
{
	int	 i, j;

	if (o->ngroups != n->ngroups)
		goto changed;
	for (i = 0; i < o->ngroups; i++) {
		if (strcmp(o->groups[i].name, n->groups[i].name) ||
		    o->groups[i].nrsc != n->groups[i].nrsc ||
		    o->groups[i].preferred != n->groups[i].preferred)
			goto changed;
		for (j = 0; j < o->groups[i].nrsc; j++)
			if (strcmp(o->groups[i].rsc[j].spec,
			    n->groups[i].rsc[j].spec))
				goto changed;
	}
	return 0;
changed:
	snprintf(why, len, "the resource groups changed; groups cannot be "
	    "changed while hbd runs (stop the groups, then restart hbd)");
	return -1;
}

void
place_shutdown(struct core *c)
{
	int	 i;

	c->shutting_down = 1;
	for (i = 0; i < c->ngroups; i++) {
		struct grp	*g = &c->groups[i];

		plan_cancel_monitor(c, g);
		if (g->target == c->me && core_peer_active(c))
			place_propose(c, g, c->peer, MR_SHUTDOWN);
	}
	for (i = 0; i < c->ngroups; i++)
		place_evaluate(c, &c->groups[i]);
}

/* ---- admin ---- */

static int
group_in_set(const struct core *c, const struct grp *g, const char *which)
{
	if (which == NULL || strcmp(which, "all") == 0)
		return 1;
	if (strcmp(which, "local") == 0)
		return g->cg->preferred == c->me;
	if (strcmp(which, "foreign") == 0 || strcmp(which, "failback") == 0)
		return g->cg->preferred != c->me;
	return 0;
}

static int
valid_which(const char *which)
{
	return which == NULL || strcmp(which, "all") == 0 ||
	    strcmp(which, "local") == 0 || strcmp(which, "foreign") == 0 ||
	    strcmp(which, "failback") == 0;
}

static int
move_to(struct core *c, struct grp *g, int target, char *err, size_t len)
{
	if (g->state == GS_FAILED && g->dirty && target != c->me) {
		snprintf(err, len, "group %s failed to stop here; fix it and "
		    "restart hbd (or fence this node)", g->cg->name);
		return -1;
	}
	if (target == c->peer) {
		if (!core_peer_active(c)) {
			snprintf(err, len, "%s is not active: moving group %s "
			    "there would leave it stopped",
			    core_node_name(c, c->peer) ?
			    core_node_name(c, c->peer) : "the peer",
			    g->cg->name);
			return -1;
		}
		if (g->peer_valid && g->peer.state == GS_FAILED &&
		    (g->peer.flags & GF_DIRTY)) {
			snprintf(err, len, "group %s failed to stop on %s; "
			    "fix it there first", g->cg->name,
			    nn(c, c->peer));
			return -1;
		}
	} else if (g->state == GS_FAILED && !g->dirty) {
		plan_set_state(c, g, GS_STOPPED);	/* an operator retries */
	}
	if (g->target == target && g->epoch > 0)
		return 0;
	place_propose(c, g, target, MR_ADMIN);
	return 1;
}

int
place_admin(struct core *c, const char *cmd, const struct jval *req,
    struct jw *reply, char *err, size_t len)
{
	const char	*which = json_get_str(req, "which");
	const char	*gname = json_get_str(req, "group");
	const char	*nname = json_get_str(req, "node");
	int		 i, target, moved = 0, r;

	if (c->shutting_down) {
		snprintf(err, len, "hbd is shutting down");
		return -1;
	}
	if (strcmp(cmd, "move") == 0) {
		if (gname == NULL || nname == NULL) {
			snprintf(err, len, "move needs a group and a node");
			return -1;
		}
		if ((i = conf_group_index(c->conf, gname)) < 0) {
			snprintf(err, len, "no group named %s", gname);
			return -1;
		}
		if ((target = conf_node_index(c->conf, nname)) < 0) {
			snprintf(err, len, "no node named %s (nodes: %s%s%s)",
			    nname, c->conf->nodes[0], c->conf->nnodes > 1 ?
			    ", " : "", c->conf->nnodes > 1 ?
			    c->conf->nodes[1] : "");
			return -1;
		}
		if ((r = move_to(c, &c->groups[i], target, err, len)) < 0)
			return -1;
		jw_arr_begin(reply, "groups");
		jw_str(reply, NULL, gname);
		jw_arr_end(reply);
		jw_str(reply, "target", nname);
		place_evaluate_all(c);
		return 0;
	}
	if (!valid_which(which)) {
		snprintf(err, len, "expected all, local or foreign, got %s",
		    which);
		return -1;
	}
	if (strcmp(cmd, "standby") == 0) {
		if (c->peer < 0 || !core_peer_active(c)) {
			snprintf(err, len, "%s is not active: standby would "
			    "leave the groups stopped", c->peer >= 0 ?
			    nn(c, c->peer) : "there is no peer and it");
			return -1;
		}
		target = c->peer;
	} else
		target = c->me;
	jw_arr_begin(reply, "groups");
	for (i = 0; i < c->ngroups; i++) {
		struct grp	*g = &c->groups[i];
		char		 e2[256];

		if (!group_in_set(c, g, which))
			continue;
		if (target == c->peer && g->target != c->me &&
		    g->state != GS_STARTED)
			continue;
		r = move_to(c, g, target, e2, sizeof(e2));
		if (r < 0) {
			jw_arr_end(reply);
			snprintf(err, len, "%s", e2);
			return -1;
		}
		if (r == 0 && g->target == target &&
		    grp_running(g->state) == (target == c->me) &&
		    g->state != GS_STOPPING)
			continue;	/* already there */
		jw_str(reply, NULL, g->cg->name);
		moved++;
	}
	jw_arr_end(reply);
	jw_str(reply, "target", core_node_name(c, target));
	jw_int(reply, "moving", moved);
	place_evaluate_all(c);
	return 0;
}

/* ---- status ---- */

static void
group_view(const struct core *c, const struct grp *g, int *owner,
    int *state)
{
	int	 ps = g->peer_valid && core_peer_alive(c) ? g->peer.state :
		    GS_UNKNOWN;

	if (g->state == GS_STARTED || g->state == GS_STARTING ||
	    g->state == GS_STOPPING) {
		*owner = c->me;
		*state = g->state;
	} else if (ps == GS_STARTED || ps == GS_STARTING ||
	    ps == GS_STOPPING) {
		*owner = c->peer;
		*state = ps;
	} else if (g->state == GS_FAILED || ps == GS_FAILED) {
		*owner = g->state == GS_FAILED && g->dirty ? c->me :
		    ps == GS_FAILED && (g->peer.flags & GF_DIRTY) ? c->peer :
		    -1;
		*state = GS_FAILED;
	} else {
		*owner = -1;
		*state = GS_STOPPED;
	}
}

static const char *
act_word(int a)
{
	return a == CORE_START ? "start" : a == CORE_STOP ? "stop" :
	    a == CORE_STATUS ? "monitor" : NULL;
}

static const char *
result_word(int r)
{
	switch (r) {
	case CR_OK:
		return "ok";
	case CR_RUNNING:
		return "running";
	case CR_STOPPED:
		return "not running";
	case CR_NOSPAWN:
		return "not run";
	default:
		return "failed";
	}
}

void
core_status_groups(const struct core *c, struct jw *w, int64_t now,
    int64_t real_now)
{
	int	 i, j, owner, state;

	jw_arr_begin(w, "groups");
	for (i = 0; i < c->ngroups; i++) {
		const struct grp	*g = &c->groups[i];

		group_view(c, g, &owner, &state);
		jw_obj_begin(w, NULL);
		jw_int(w, "index", i + 1);
		jw_str(w, "name", g->cg->name);
		jw_str(w, "preferred", core_node_name(c, g->cg->preferred));
		jw_str(w, "owner", owner >= 0 ? core_node_name(c, owner) :
		    NULL);
		jw_str(w, "state", grp_state_name(state));
		jw_str(w, "target", core_node_name(c, g->target));
		jw_int(w, "epoch", g->epoch);
		jw_str(w, "reason", move_reason_name(g->reason));
		jw_str(w, "local_state", grp_state_name(g->state));
		jw_str(w, "peer_state", g->peer_valid && core_peer_alive(c) ?
		    grp_state_name(g->peer.state) : "unknown");
		jw_bool(w, "dirty", g->dirty);
		jw_int(w, "changed_ms_ago", now - g->changed);
		jw_int(w, "changed_mono_ms", g->changed);
		jw_int(w, "takeovers", (int64_t)g->takeovers);
		jw_int(w, "failures", (int64_t)g->failures);
		jw_arr_begin(w, "resources");
		for (j = 0; j < g->cg->nrsc; j++) {
			const struct rstate	*rs = &g->rs[j];

			jw_obj_begin(w, NULL);
			jw_int(w, "index", j + 1);
			jw_str(w, "name", g->cg->rsc[j].spec);
			jw_str(w, "agent", g->cg->rsc[j].path);
			jw_str(w, "state", grp_state_name(rs->state));
			jw_int(w, "changed_mono_ms", rs->changed);
			jw_int(w, "failures", (int64_t)rs->failures);
			if (rs->last_act >= 0) {
				/* last_time: when it ran (its start), wall
				 * clock ms; last_rc: its exit code (-1 when
				 * timed out or killed) */
				jw_str(w, "last_action", act_word(rs->last_act));
				jw_int(w, "last_duration_ms", rs->last_duration);
				jw_int(w, "last_rc", rs->last_exit);
				jw_int(w, "last_exit_code", rs->last_exit);
				jw_str(w, "last_result",
				    result_word(rs->last_result));
				jw_int(w, "last_time", real_now - (now -
				    rs->last_at) - rs->last_duration);
				jw_int(w, "last_action_mono_ms", rs->last_at);
			}
			if (rs->mon_done) {
				jw_int(w, "monitor_duration_ms",
				    rs->mon_duration);
				jw_int(w, "monitor_rc", rs->mon_exit);
				jw_str(w, "monitor_result",
				    result_word(rs->mon_result));
				jw_int(w, "monitor_time", real_now - (now -
				    rs->mon_at) - rs->mon_duration);
			}
			jw_obj_end(w);
		}
		jw_arr_end(w);
		jw_obj_end(w);
	}
	jw_arr_end(w);
}

/* heartbeat's cl_status rscstatus: all, local, foreign, none, transition */
const char *
core_held_summary(const struct core *c)
{
	int	 i, local = 0, foreign = 0, trans = 0;

	for (i = 0; i < c->ngroups; i++) {
		const struct grp	*g = &c->groups[i];

		if (g->state == GS_STARTING || g->state == GS_STOPPING)
			trans = 1;
		else if (g->state == GS_STARTED) {
			if (g->cg->preferred == c->me)
				local++;
			else
				foreign++;
		}
	}
	if (trans)
		return "transition";
	if (local && foreign)
		return "all";
	if (local)
		return "local";
	if (foreign)
		return "foreign";
	return "none";
}
