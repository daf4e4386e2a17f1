/*
 * core_hbv1: heartbeat 3.0.6's resource negotiation, for a node whose
 * peer still runs heartbeat (issue 20, `compat heartbeat` in ha.cf).
 *
 * heartbeat in haresources mode with nice_failback (auto_failback on or
 * off) does not agree on placements as hbd does: each node says what it
 * holds (t=resource rsc_hold=none|local|foreign|all isstable=0|1), a node
 * asks what the other holds with t=starting, and a group changes hands
 * only through the three-phase standby handshake:
 *
 *	giver:    t=ask_resources rsc_hold=SET info=me
 *	taker:    t=ask_resources rsc_hold=SET info=other
 *	giver:    stops SET, then t=ask_resources rsc_hold=SET info=done
 *	taker:    starts SET, then t=ask_resources rsc_hold=SET info=done
 *
 * where SET (local, foreign, all) is named from the giver's point of view
 * (its local groups are those at home on it). t=hb_takeover rsc_hold=SET
 * asks the other node to run that handshake as the giver. A node that
 * stops sends t=shutdone once everything is released; a node that dies
 * says nothing and the survivor takes all after deadtime.
 *
 * This file maps that onto the core. What the peer says it holds becomes
 * the peer's report of each group (hbv1_view), so the ordinary placement
 * rules decide: a group the peer may run is never started here. A group
 * counts as stopped there only when a stable report leaves it out, when
 * the peer said "done" for it in a handshake, or after t=shutdone; an
 * unstable report can only add groups. Every move the core wants while
 * such a peer is alive (hbctl standby/takeover/move, auto_failback, a
 * heartbeat hb_takeover) becomes that handshake (hbv1_intercept, then
 * hbv1_tick), and the placement changes only when the peer agrees: to
 * the peer once it said "other" (then the group is stopped here, and
 * "done" is said only when every group of the set stopped cleanly), here
 * once it said "done".
 *
 * Pure like the rest of the core: messages go out as CA_HBV1 actions
 * (their own fields; the shell adds src, seq, hg, auth).
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "core_int.h"

#define HBV1_REPLY_MS		10000	/* heartbeat's standby answer timeout */
#define HBV1_RETRY_MS		5000	/* after an unanswered request */
#define HBV1_STARTING_MS	2000	/* t=starting again until answered */
#define HBV1_STARTING_TRIES	15

#define BIT(i)	((uint64_t)1 << (i))

static const char *
hold_word(int h)
{
	switch (h) {
	case HV_LOCAL:
		return "local";
	case HV_FOREIGN:
		return "foreign";
	case HV_ALL:
		return "all";
	default:
		return "none";
	}
}

static const char *
pn(const struct core *c)
{
	const char	*s = core_node_name(c, c->peer);

	return s ? s : "the peer";
}

/* The groups a rsc_hold names, seen from node `who` (its "local" groups
 * are those at home on it). */
static uint64_t
groups_of(const struct core *c, int hold, int who)
{
	uint64_t	 m = 0;
	int		 i;

	for (i = 0; i < c->ngroups; i++) {
		int	 home = c->groups[i].cg->preferred == who;

		if ((home && (hold & HV_LOCAL)) ||
		    (!home && (hold & HV_FOREIGN)))
			m |= BIT(i);
	}
	return m;
}

/* The smallest rsc_hold, from `who`'s point of view, naming every group
 * of m (heartbeat hands groups over by home node, not one by one). */
static int
set_covering(const struct core *c, uint64_t m, int who)
{
	if ((m & ~groups_of(c, HV_LOCAL, who)) == 0)
		return HV_LOCAL;
	if ((m & ~groups_of(c, HV_FOREIGN, who)) == 0)
		return HV_FOREIGN;
	return HV_ALL;
}

static void
send_v1(struct core *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
send_v1(struct core *c, const char *fmt, ...)
{
	struct core_action	 a;
	char			 text[256];
	va_list			 ap;
	int			 n;

	if (c->leaving)
		return;
	va_start(ap, fmt);
	n = vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(text))
		return;
	memset(&a, 0, sizeof(a));
	a.type = CA_HBV1;
	a.off_ = c->arena.len;
	buf_add(&c->arena, text, (size_t)n);
	buf_addc(&c->arena, '\0');
	core_push(c, &a);
}

/* ---- what this node says ---- */

/* What this node holds, its point of view. Groups it is handing over
 * count as given from the moment it agreed (heartbeat does the same). */
static int
my_hold(const struct core *c)
{
	const struct hbv1	*h = &c->hbv1;
	int			 i, hold = 0;

	for (i = 0; i < c->ngroups; i++) {
		const struct grp	*g = &c->groups[i];

		if (!grp_running(g->state))
			continue;
		if ((h->sb == SB_GIVING || h->sb == SB_DONE) &&
		    (h->sb_groups & BIT(i)))
			continue;
		hold |= g->cg->preferred == c->me ? HV_LOCAL : HV_FOREIGN;
	}
	/*
	 * A heartbeat node holds its local set once started even when no
	 * group is at home on it (its audit logs "No one owns foreign
	 * resources!" otherwise): so does this node, unless the peer
	 * claims that set.
	 */
	if (groups_of(c, HV_LOCAL, c->me) == 0 && !(h->hold & HV_FOREIGN))
		hold |= HV_LOCAL;
	return hold;
}

static int
ready(const struct core *c)
{
	int	 i;

	if (!c->started)
		return 0;
	for (i = 0; i < c->ngroups; i++)
		if (!c->groups[i].probed)
			return 0;
	return 1;
}

/* Nothing in flight here: heartbeat's isstable. */
static int
my_stable(const struct core *c)
{
	int	 i;

	if (!ready(c) || c->shutting_down || c->hbv1.sb != SB_NOT)
		return 0;
	for (i = 0; i < c->ngroups; i++)
		if (c->groups[i].plan != PLAN_NONE &&
		    c->groups[i].plan != PLAN_MONITOR)
			return 0;
	return 1;
}

static void
send_resource(struct core *c, const char *info)
{
	struct hbv1	*h = &c->hbv1;
	int		 hold = my_hold(c), st = my_stable(c);

	if (info != NULL)
		send_v1(c, "t=resource\nrsc_hold=%s\nrtype=full\nisstable=%d\n"
		    "info=%s\n", hold_word(hold), st, info);
	else
		send_v1(c, "t=resource\nrsc_hold=%s\nrtype=full\nisstable=%d\n",
		    hold_word(hold), st);
	h->sent_hold = hold;
	h->sent_stable = st;
}

static void
send_ask(struct core *c, const char *set, const char *info)
{
	send_v1(c, "t=ask_resources\nrsc_hold=%s\ninfo=%s\n", set, info);
}

/* ---- state ---- */

static void
reset(struct hbv1 *h, uint32_t gen)
{
	memset(h, 0, sizeof(*h));
	h->gen = gen;
	h->sent_hold = h->sent_stable = -1;
}

int
hbv1_on(const struct core *c)
{
	return c->conf->compat_heartbeat && c->peer >= 0 &&
	    c->hbv1.gen != 0 && core_peer_alive(c) &&
	    c->mem.nodes[c->peer].generation == c->hbv1.gen;
}

static void
arm(struct core *c)
{
	struct hbv1	*h = &c->hbv1;
	int64_t		 due = -1;

#define SOONER(t) do { if ((t) > 0 && (due < 0 || (t) < due)) due = (t); \
	} while (0)
	if (h->sb == SB_ME || (h->sb == SB_OTHER && !h->sb_progress))
		SOONER(h->sb_deadline);
	if ((h->want_away || h->want_here) && h->retry_at > c->now)
		SOONER(h->retry_at);
	if (h->starting_sent && !h->seen_rsc &&
	    h->starting_tries < HBV1_STARTING_TRIES)
		SOONER(h->starting_due);
#undef SOONER
	if (due < 0 && !h->timer_armed)
		return;
	h->timer_armed = due >= 0;
	core_timer_at(c, CT_HBV1, due);
}

/* Move a group's placement as the handshake agreed. */
static void
apply(struct core *c, struct grp *g, int target, int reason)
{
	if (g->target == target && g->epoch > 0)
		return;
	c->hbv1.applying = 1;
	place_propose(c, g, target, reason);
	c->hbv1.applying = 0;
}

/* ---- the peer's messages ---- */

static void
ask(struct core *c, const struct hbv1_msg *v, uint64_t seq)
{
	struct hbv1	*h = &c->hbv1;
	int		 set = v->hold < 0 ? HV_ALL : v->hold, i;

	/*
	 * A handshake message older than the handshake's last step is
	 * stale: heartbeat answering a retransmission request for a message
	 * lost in an earlier handshake (found by 74-heartbeat-handoff under
	 * 30 % loss: an old "done" started the group while heartbeat still
	 * ran it). So is an answer for another set than the one agreed.
	 */
	if (seq <= h->sb_floor || (h->sb != SB_NOT &&
	    strcmp(v->info, "me") != 0 &&
	    strcmp(hold_word(set), h->sb_set) != 0)) {
		core_log(c, LOG_NOTICE, "heartbeat on %s: a stale standby "
		    "message \"%s\" [%s] (seq %llu): ignored", pn(c), v->info,
		    hold_word(set), (unsigned long long)seq);
		return;
	}
	if (strcmp(v->info, "me") == 0) {
		/* the peer wants to hand SET (its point of view) over */
		if (h->sb != SB_NOT || !my_stable(c)) {
			core_log(c, LOG_WARNING, "heartbeat on %s wants to go "
			    "standby [%s]: ignored, resources here are in "
			    "flux (as heartbeat does; it will time out)",
			    pn(c), hold_word(set));
			return;
		}
		h->sb = SB_OTHER;
		h->sb_floor = seq;
		h->sb_progress = 0;
		h->sb_deadline = c->now + HBV1_REPLY_MS;
		h->sb_groups = groups_of(c, set, c->peer);
		snprintf(h->sb_set, sizeof(h->sb_set), "%s", hold_word(set));
		h->stable = 0;
		core_log(c, LOG_INFO, "heartbeat on %s goes standby [%s]: "
		    "taking its groups when it has released them", pn(c),
		    h->sb_set);
		send_ask(c, h->sb_set, "other");
	} else if (strcmp(v->info, "other") == 0) {
		if (h->sb != SB_ME) {
			core_log(c, LOG_NOTICE, "heartbeat on %s: an "
			    "unexpected standby answer \"other\": ignored",
			    pn(c));
			return;
		}
		h->sb = SB_GIVING;
		h->sb_floor = seq;
		h->sb_logged = 0;
		core_log(c, LOG_INFO, "heartbeat on %s takes the %s groups: "
		    "releasing them here", pn(c), h->sb_set);
		for (i = 0; i < c->ngroups; i++)
			if (h->sb_groups & BIT(i))
				apply(c, &c->groups[i], c->peer,
				    h->want_reason[i] ? h->want_reason[i] :
				    MR_ADMIN);
		send_resource(c, "standby");
	} else if (strcmp(v->info, "done") == 0) {
		if (h->sb == SB_OTHER) {
			/* it released them: ours to start */
			h->may_run &= ~h->sb_groups;
			h->sb = SB_TAKING;
			h->sb_floor = seq;
			core_log(c, LOG_INFO, "heartbeat on %s released the "
			    "%s groups: starting them here", pn(c), h->sb_set);
			for (i = 0; i < c->ngroups; i++)
				if (h->sb_groups & BIT(i))
					apply(c, &c->groups[i], c->me,
					    c->groups[i].cg->preferred ==
					    c->me ? MR_FAILBACK : MR_ADMIN);
		} else if (h->sb == SB_DONE) {
			core_log(c, LOG_INFO, "heartbeat on %s has started the "
			    "%s groups", pn(c), h->sb_set);
			h->sb_floor = seq;
			h->sb = SB_NOT;
			h->sb_groups = 0;
			h->reply_due = 1;
		} else
			core_log(c, LOG_NOTICE, "heartbeat on %s: an "
			    "unexpected standby message \"done\": ignored",
			    pn(c));
	}
}

/* 1 the first time this sequence number of the generation is seen */
static int
first_sighting(struct hbv1 *h, uint64_t seq)
{
	uint64_t	 d;

	if (seq > h->seen_top) {
		d = seq - h->seen_top;
		if (d >= 128)
			h->seen_bits[0] = h->seen_bits[1] = 0;
		else if (d >= 64) {
			h->seen_bits[1] = h->seen_bits[0] << (d - 64);
			h->seen_bits[0] = 0;
		} else if (d > 0) {
			h->seen_bits[1] = (h->seen_bits[1] << d) |
			    (h->seen_bits[0] >> (64 - d));
			h->seen_bits[0] <<= d;
		}
		h->seen_top = seq;
		h->seen_bits[0] |= 1;
		return 1;
	}
	d = h->seen_top - seq;
	if (d >= 128)
		return 0;		/* too old to tell: not used */
	if (h->seen_bits[d / 64] & ((uint64_t)1 << (d % 64)))
		return 0;
	h->seen_bits[d / 64] |= (uint64_t)1 << (d % 64);
	return 1;
}

void
hbv1_rx(struct core *c, const struct hbv1_msg *v, uint32_t gen,
    uint64_t seq)
{
	struct hbv1	*h = &c->hbv1;
	uint64_t	 m;
	int		 hold, was;

	if (!c->conf->compat_heartbeat || c->peer < 0)
		return;
	if (gen != h->gen)
		reset(h, gen);
	if (!first_sighting(h, seq))
		return;
	if (v->type != HV_NONE)
		core_log(c, LOG_DEBUG, "heartbeat on %s: %s rsc_hold=%s%s%s "
		    "info=%s (handshake: %s)", pn(c), v->type == HV_STARTING ?
		    "starting" : v->type == HV_RESOURCE ? "resource" :
		    v->type == HV_ASK ? "ask_resources" : v->type ==
		    HV_TAKEOVER ? "hb_takeover" : "shutdone",
		    v->hold < 0 ? "-" : hold_word(v->hold),
		    v->stable < 0 ? "" : " isstable=", v->stable < 0 ? "" :
		    v->stable ? "1" : "0", v->info, hbv1_sb_name(h->sb));
	switch (v->type) {
	case HV_NONE:
		break;
	case HV_STARTING:
		/* it asks what we hold (it answers with its own) */
		h->stable = 0;
		h->reply_due = 1;
		break;
	case HV_RESOURCE:
		/*
		 * Reports supersede each other: one older than a report
		 * already used (retransmitted at our request, or reordered)
		 * says nothing; an old "isstable=0 info=standby" would leave
		 * the peer in flux for good.
		 */
		if (v->hold < 0 || seq < h->rsc_seq)
			break;
		h->rsc_seq = seq;
		/* heartbeat's rule: a full update replaces, a partial one
		 * adds (or clears, with none) */
		hold = v->full ? v->hold : v->hold == 0 ? 0 : v->hold | h->hold;
		was = h->seen_rsc && h->stable;
		h->hold = hold;
		if (v->stable >= 0)
			h->stable = v->stable;
		m = groups_of(c, hold, c->peer);
		/* it began releasing what it asked us to take */
		if (h->sb == SB_OTHER && v->stable == 0 && seq > h->sb_floor)
			h->sb_progress = 1;
		/* only a stable report says a group stopped there */
		h->may_run = h->stable ? m : h->may_run | m;
		h->seen_rsc = 1;
		if (h->stable && !was)
			h->reply_due = 1;	/* as heartbeat answers */
		/* its "done" was lost, but it reports the set taken */
		if (h->sb == SB_DONE && h->stable &&
		    (m & h->sb_groups) == h->sb_groups) {
			core_log(c, LOG_INFO, "heartbeat on %s holds the %s "
			    "groups", pn(c), h->sb_set);
			h->sb_floor = seq;	/* its lost "done" is stale */
			h->sb = SB_NOT;
			h->sb_groups = 0;
			h->reply_due = 1;
		}
		break;
	case HV_ASK:
		ask(c, v, seq);
		break;
	case HV_TAKEOVER:
		/* the peer ran hb_takeover SET (its point of view): run the
		 * standby handshake as the giver */
		m = groups_of(c, v->hold < 0 ? HV_ALL : v->hold, c->peer);
		core_log(c, LOG_INFO, "heartbeat on %s asks for the %s groups "
		    "(hb_takeover): handing them over", pn(c),
		    hold_word(v->hold < 0 ? HV_ALL : v->hold));
		for (hold = 0; hold < c->ngroups; hold++)
			if (m & BIT(hold))
				h->want_reason[hold] = MR_ADMIN;
		h->want_away |= m;
		h->want_here &= ~m;
		h->retry_at = 0;
		break;
	case HV_SHUTDONE:
		reset(h, gen);
		h->seen_rsc = 1;
		h->stable = 1;
		break;
	}
}

/* The peer died, left or restarted: no handshake survives that. */
void
hbv1_peer_gone(struct core *c)
{
	struct hbv1	*h = &c->hbv1;

	if (h->sb != SB_NOT)
		core_log(c, LOG_WARNING, "heartbeat on %s is gone during a "
		    "standby handshake: abandoned", pn(c));
	h->sb = SB_NOT;
	h->sb_groups = 0;
	h->want_away = h->want_here = 0;
	h->applying = 0;
}

/*
 * What the peer says it holds, as its report of each group, so that the
 * core's placement rules decide. A group it holds stably and this node
 * does not run is placed there (its placement, as hbd peers adopt each
 * other's). Run on both: keep it there, stop it here.
 */
void
hbv1_view(struct core *c)
{
	struct hbv1	*h = &c->hbv1;
	int		 i;

	if (!hbv1_on(c) || !h->seen_rsc)
		return;
	/*
	 * heartbeat reports no ping counts: two different lists for the
	 * placement rules, which then neither hold a failback up nor move a
	 * group for ipfail (heartbeat's ipfail is its own client).
	 */
	c->peer_ping_valid = 1;
	c->peer_ping_up = 0;
	c->peer_ping_total = 0xff;
	for (i = 0; i < c->ngroups; i++) {
		struct grp	*g = &c->groups[i];
		int		 runs = (h->may_run & BIT(i)) != 0;

		if (runs && (g->state == GS_STARTED ||
		    g->state == GS_STARTING) && g->target != c->peer) {
			core_log(c, LOG_CRIT, "CRIT: group %s: heartbeat on %s "
			    "holds it too (a partition healed?): it keeps it, "
			    "stopping it here", g->cg->name, pn(c));
			apply(c, g, c->peer, MR_PEER_REQUEST);
		} else if (runs && h->stable && g->target != c->peer &&
		    !grp_running(g->state) && g->plan == PLAN_NONE &&
		    !(h->want_here & BIT(i)) &&
		    !(h->sb != SB_NOT && (h->sb_groups & BIT(i)))) {
			core_log(c, LOG_INFO, "group %s: heartbeat on %s "
			    "holds it", g->cg->name, pn(c));
			apply(c, g, c->peer, MR_PEER_REQUEST);
		}
		memset(&g->peer, 0, sizeof(g->peer));
		g->peer.id = g->cg->id;
		g->peer.state = !runs ? GS_STOPPED : h->stable ? GS_STARTED :
		    GS_STARTING;
		g->peer.epoch = g->epoch;
		g->peer.proposer = g->proposer;
		g->peer.target = runs ? (uint8_t)c->peer : g->target;
		g->peer.reason = g->reason;
		g->peer.held_proposer = HB_NO_NODE;
		g->peer_valid = 1;
		g->peer_dirty_at_death = 0;
	}
}

/*
 * place_propose asks: while a heartbeat peer is alive, a move between
 * the nodes is the standby handshake. 1: queued here, the placement
 * stays until the peer agrees.
 */
int
hbv1_intercept(struct core *c, struct grp *g, int target, int reason)
{
	struct hbv1	*h = &c->hbv1;
	uint64_t	 b = BIT(g->index);

	if (!hbv1_on(c) || h->applying || c->shutting_down)
		return 0;
	if (target == c->peer) {
		if (h->sb != SB_NOT && (h->sb_groups & b))
			return 1;	/* already on its way */
		h->want_away |= b;
		h->want_here &= ~b;
		h->want_reason[g->index] = (uint8_t)reason;
		return 1;
	}
	if (target == c->me && g->target != c->me &&
	    ((h->may_run & b) || g->cg->preferred == c->peer)) {
		h->want_here |= b;
		h->want_away &= ~b;
		return 1;
	}
	return 0;
}

static void
start_standby(struct core *c)
{
	struct hbv1	*h = &c->hbv1;
	int		 set = set_covering(c, h->want_away, c->me), i;
	uint64_t	 m = groups_of(c, set, c->me);

	for (i = 0; i < c->ngroups; i++)
		if ((m & BIT(i)) && !(h->want_away & BIT(i))) {
			h->want_reason[i] = h->want_reason[__builtin_ctzll(
			    h->want_away)];
			core_log(c, LOG_NOTICE, "group %s goes too: heartbeat "
			    "hands groups over by home node (%s)",
			    c->groups[i].cg->name, hold_word(set));
		}
	h->sb = SB_ME;
	h->sb_floor = h->seen_top;	/* its answer comes after this */
	h->sb_groups = m;
	snprintf(h->sb_set, sizeof(h->sb_set), "%s", hold_word(set));
	h->sb_deadline = c->now + HBV1_REPLY_MS;
	h->want_away = 0;
	core_log(c, LOG_INFO, "asking heartbeat on %s to take the %s groups "
	    "(standby)", pn(c), h->sb_set);
	send_ask(c, h->sb_set, "me");
}

static void
request_takeover(struct core *c)
{
	struct hbv1	*h = &c->hbv1;
	int		 set = set_covering(c, h->want_here, c->me);

	core_log(c, LOG_INFO, "asking heartbeat on %s to hand the %s groups "
	    "over (hb_takeover)", pn(c), hold_word(set));
	send_v1(c, "t=hb_takeover\nrsc_hold=%s\n", hold_word(set));
	h->want_here = 0;
	/* its answer is a standby handshake; one request at a time */
	h->retry_at = c->now + HBV1_REPLY_MS;
}

/* At the end of every entry point: what to say to a heartbeat peer. */
void
hbv1_tick(struct core *c)
{
	struct hbv1	*h = &c->hbv1;
	int		 i, pending = 0, dirty = 0;

	if (!hbv1_on(c) || c->leaving)
		return;
	if (!ready(c)) {
		arm(c);
		return;
	}
	if (!h->starting_sent) {
		/* like a heartbeat node coming up: what do you hold? */
		h->starting_sent = 1;
		h->starting_tries = 1;
		h->starting_due = c->now + HBV1_STARTING_MS;
		send_v1(c, "t=starting\n");
	}
	if (h->reply_due) {
		h->reply_due = 0;
		send_resource(c, NULL);
	}
	switch (h->sb) {
	case SB_GIVING:
		for (i = 0; i < c->ngroups; i++) {
			const struct grp	*g = &c->groups[i];

			if (!(h->sb_groups & BIT(i)))
				continue;
			if (g->state == GS_FAILED && g->dirty)
				dirty = 1;
			else if (grp_running(g->state) ||
			    g->plan != PLAN_NONE)
				pending = 1;
		}
		if (dirty && !h->sb_logged) {
			h->sb_logged = 1;
			core_log(c, LOG_CRIT, "CRIT: a group of the %s set "
			    "failed to stop: not telling heartbeat on %s it "
			    "may start them", h->sb_set, pn(c));
		}
		if (!dirty && !pending) {
			h->sb = SB_DONE;
			core_log(c, LOG_INFO, "the %s groups are released: "
			    "telling heartbeat on %s", h->sb_set, pn(c));
			send_ask(c, h->sb_set, "done");
		}
		break;
	case SB_TAKING:
		for (i = 0; i < c->ngroups; i++)
			if ((h->sb_groups & BIT(i)) &&
			    c->groups[i].plan != PLAN_NONE &&
			    c->groups[i].plan != PLAN_MONITOR)
				pending = 1;
		if (!pending) {
			send_ask(c, h->sb_set, "done");
			h->sb = SB_NOT;
			h->sb_groups = 0;
			send_resource(c, NULL);
		}
		break;
	default:
		break;
	}
	if (h->sb == SB_NOT && c->now >= h->retry_at && h->seen_rsc &&
	    h->stable && my_stable(c)) {
		if (h->want_away)
			start_standby(c);
		else if (h->want_here)
			request_takeover(c);
	}
	if (h->seen_rsc && (my_hold(c) != h->sent_hold ||
	    my_stable(c) != h->sent_stable))
		send_resource(c, NULL);
	arm(c);
}

void
hbv1_timer(struct core *c)
{
	struct hbv1	*h = &c->hbv1;

	h->timer_armed = 0;
	if (!hbv1_on(c))
		return;
	if (h->sb == SB_ME && c->now >= h->sb_deadline) {
		core_log(c, LOG_WARNING, "heartbeat on %s did not answer the "
		    "standby request [%s] in %d s (it ignores one while its "
		    "resources are in flux): asking again later", pn(c),
		    h->sb_set, HBV1_REPLY_MS / 1000);
		h->sb = SB_NOT;
		h->sb_groups = 0;
		h->retry_at = c->now + HBV1_RETRY_MS;
	}
	/*
	 * heartbeat ignores its own request when it takes this node for in
	 * flux (our stable report was still on its way): it never releases,
	 * and answers our "other" with "Ignored standby message". It says
	 * "resource ... isstable=0 info=standby" as soon as it does begin.
	 */
	if (h->sb == SB_OTHER && !h->sb_progress && c->now >= h->sb_deadline) {
		core_log(c, LOG_WARNING, "heartbeat on %s did not begin "
		    "releasing the %s groups it offered in %d s: abandoned",
		    pn(c), h->sb_set, HBV1_REPLY_MS / 1000);
		h->sb = SB_NOT;
		h->sb_groups = 0;
		h->reply_due = 1;
	}
	if (h->starting_sent && !h->seen_rsc &&
	    h->starting_tries < HBV1_STARTING_TRIES &&
	    c->now >= h->starting_due) {
		h->starting_tries++;
		h->starting_due = c->now + HBV1_STARTING_MS;
		send_v1(c, "t=starting\n");
	}
	place_evaluate_all(c);		/* wants may come back */
}

/* A clean stop begins: heartbeat says so before releasing. */
void
hbv1_shutdown_begin(struct core *c)
{
	struct hbv1	*h = &c->hbv1;

	if (!hbv1_on(c))
		return;
	hbv1_peer_gone(c);
	send_v1(c, "t=resource\nrsc_hold=none\nrtype=full\nisstable=0\n"
	    "info=shutdown\n");
	h->sent_hold = 0;
	h->sent_stable = 0;
}

/* Everything stopped cleanly: heartbeat's goodbye, so the peer takes
 * the groups over at once instead of after deadtime. */
void
hbv1_shutdone(struct core *c)
{
	if (!hbv1_on(c))
		return;
	send_v1(c, "t=shutdone\nst=dead\n");
}

/* for the simulator and status: the handshake's state, as a word */
const char *
hbv1_sb_name(int sb)
{
	static const char *const names[] = { "none", "asked", "releasing",
	    "released", "agreed", "taking" };

	return sb >= 0 && sb < (int)(sizeof(names) / sizeof(names[0])) ?
	    names[sb] : "?";
}

int
core_heartbeat_peer(const struct core *c, const char **holds, int *stable,
    const char **handshake)
{
	if (!hbv1_on(c))
		return 0;
	*holds = c->hbv1.seen_rsc ? hold_word(c->hbv1.hold) : "unknown";
	*stable = c->hbv1.seen_rsc && c->hbv1.stable;
	*handshake = hbv1_sb_name(c->hbv1.sb);
	return 1;
}
