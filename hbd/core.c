/*
 * core: one node's packets, membership and life, without I/O.
 *
 * Receive path: decode -> cluster id -> node name -> signature -> the
 * peer's generation (older than one seen: a replay; not yet verified:
 * acknowledged, not used) -> replay window (per link) -> membership ->
 * resource groups. Every rejection is counted by reason and logged
 * rate-limited; none of them touches a node's state. Send path: one
 * packet per keepalive, and one more whenever our state changes (at most
 * one per CORE_MIN_SEND_GAP_MS), so handoffs take a round trip, not a
 * keepalive.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "auth.h"
#include "core_int.h"
#include "hb_msg.h"

enum { RL_MALFORMED, RL_CLUSTER, RL_UNKNOWN, RL_AUTH, RL_REPLAY, RL_STALE,
    RL_UNVERIFIED };
#define RL_INTERVAL_MS	10000

/* ---- the action queue ---- */

static void
begin(struct core *c, int64_t now)
{
	c->nact = 0;
	buf_reset(&c->arena);
	if (now > c->now)
		c->now = now;
}

void
core_push(struct core *c, const struct core_action *a)
{
	if (c->nact >= CORE_MAX_ACTIONS) {
		/* cannot happen: every entry point queues a bounded number */
		c->act[CORE_MAX_ACTIONS - 1].type = CA_LOG;
		return;
	}
	c->act[c->nact++] = *a;
}

static size_t
arena_add(struct core *c, const void *p, size_t n)
{
	size_t	 off = c->arena.len;

	buf_add(&c->arena, p, n);
	buf_addc(&c->arena, '\0');
	return off;
}

const struct core_action *
core_actions(struct core *c, int *n)
{
	int	 i;

	for (i = 0; i < c->nact; i++) {
		struct core_action	*a = &c->act[i];

		if (a->type == CA_SEND)
			a->bytes = (const uint8_t *)c->arena.data + a->off_;
		else if (a->type == CA_EVENT || a->type == CA_LOG ||
		    a->type == CA_HBV1)
			a->text = c->arena.data + a->off_;
	}
	*n = c->nact;
	return c->act;
}

void
core_log(struct core *c, int prio, const char *fmt, ...)
{
	struct core_action	 a;
	char			 msg[512];
	va_list			 ap;
	int			 n;

	if (c->quiet && prio > LOG_NOTICE)
		return;
	va_start(ap, fmt);
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	memset(&a, 0, sizeof(a));
	a.type = CA_LOG;
	a.prio = prio;
	a.off_ = arena_add(c, msg, strlen(msg));
	core_push(c, &a);
}

struct jw *
core_ev_begin(struct core *c, const char *type)
{
	buf_reset(&c->evbuf);
	jw_init(&c->evw, &c->evbuf);
	jw_obj_begin(&c->evw, NULL);
	jw_str(&c->evw, "type", type);
	return &c->evw;
}

void
core_ev_end(struct core *c)
{
	struct core_action	 a;

	jw_obj_end(&c->evw);
	if (c->quiet)
		return;
	memset(&a, 0, sizeof(a));
	a.type = CA_EVENT;
	a.off_ = arena_add(c, c->evbuf.data, c->evbuf.len);
	core_push(c, &a);
}

void
core_timer_at(struct core *c, int timer, int64_t due)
{
	struct core_action	 a;

	memset(&a, 0, sizeof(a));
	a.type = CA_TIMER;
	a.timer = timer;
	a.due = due;
	core_push(c, &a);
}

const char *
core_node_name(const struct core *c, int i)
{
	if (i < 0 || i >= c->conf->nnodes)
		return NULL;
	return c->conf->nodes[i];
}

/* ---- persistence ---- */

void
core_save(struct core *c)
{
	struct core_action	 a;
	int			 i;

	c->persist.nplacements = c->ngroups;
	for (i = 0; i < c->ngroups; i++) {
		struct core_placement	*p = &c->persist.p[i];
		const struct grp	*g = &c->groups[i];

		hbd_strlcpy(p->group, g->cg->name, sizeof(p->group));
		p->epoch = g->epoch;
		p->proposer = core_node_name(c, g->proposer) ? g->proposer : -1;
		p->target = core_node_name(c, g->target) ? g->target : -1;
		p->reason = g->reason == MR_STARTUP ? g->loaded_reason :
		    g->reason;
	}
#if HBD_MUTANT != MUT_NO_GENERATION
	c->persist.generation = c->generation;
#endif
	c->persist.peer_generation = c->persisted_peer_gen;
	memset(&a, 0, sizeof(a));
	a.type = CA_PERSIST;
	/* one write per entry point is enough: the latest state wins */
	for (i = 0; i < c->nact; i++)
		if (c->act[i].type == CA_PERSIST)
			return;
	core_push(c, &a);
}

const struct core_persist *
core_persist_get(const struct core *c)
{
	return &c->persist;
}

/* ---- sending ---- */

static uint32_t
compute_config_hash(const struct conf *cf)
{
	struct buf	 b;
	uint32_t	 h;
	int		 i, j;

	buf_init(&b);
	for (i = 0; i < cf->nnodes; i++)
		buf_printf(&b, "node %s\n", cf->nodes[i]);
	for (i = 0; i < cf->ngroups; i++) {
		buf_printf(&b, "group %s %s", cf->nodes[cf->groups[i].preferred],
		    cf->groups[i].name);
		for (j = 0; j < cf->groups[i].nrsc; j++)
			buf_printf(&b, " %s", cf->groups[i].rsc[j].spec);
		buf_addc(&b, '\n');
	}
	h = conf_hash(buf_cstr(&b));
	buf_free(&b);
	return h;
}

int
core_local_status(const struct core *c)
{
	int	 i;

	if (c->shutting_down)
		return HB_ST_LEAVING;
	for (i = 0; i < c->ngroups; i++)
		if (!c->groups[i].probed)
			return HB_ST_INIT;
	return HB_ST_ACTIVE;
}

static void
send_packet(struct core *c, int status, int flags, int pill)
{
	struct hb_msg		 m;
	struct core_action	 a;
	uint8_t			 pkt[HB_MAX_PACKET], digest[AUTH_MAX_DIGEST];
	size_t			 slen;
	int			 dlen, len;

	memset(&m, 0, sizeof(m));
	m.type = HB_HEARTBEAT;
	m.cluster_id = c->conf->cluster_id;
	if (c->seq == UINT64_MAX) {
		/* never reuse a sequence number: start a new generation */
		c->generation++;
		c->seq = 0;
		core_save(c);
	}
	m.generation = c->generation;
	m.seq = ++c->seq;
	hbd_strlcpy(m.node, c->conf->local, sizeof(m.node));
	m.status = (uint8_t)status;
	m.flags = (uint8_t)flags;
	m.keepalive_ms = c->conf->keepalive_ms;
	m.deadtime_ms = c->conf->deadtime_ms;
	m.config_hash = c->config_hash;
	/* the newest authentic packet we have from the peer, verified or not */
	if (c->seen_gen) {
		m.ack_generation = c->seen_gen;
		m.ack_seq = c->seen_seq;
	}
	place_fill_msg(c, &m);
	if (hb_msg_encode(&m, (uint8_t)c->conf->auth_use, pkt, sizeof(pkt),
	    &slen) == -1) {
		core_log(c, LOG_WARNING, "cannot encode a heartbeat (too many "
		    "groups?)");
		return;
	}
	if ((dlen = auth_sign(c->conf, c->conf->auth_use, pkt, slen,
	    digest)) < 0) {
		core_log(c, LOG_WARNING, "cannot sign a heartbeat with key %d",
		    c->conf->auth_use);
		return;
	}
	if ((len = hb_msg_finish(pkt, sizeof(pkt), slen, digest,
	    (size_t)dlen)) < 0)
		return;
	c->sent[m.seq % CORE_SENT_RING].seq = m.seq;
	c->sent[m.seq % CORE_SENT_RING].at = c->now;
	memset(&a, 0, sizeof(a));
	a.type = CA_SEND;
	a.pill = pill;
	a.len = (size_t)len;
	a.off_ = arena_add(c, pkt, (size_t)len);
	core_push(c, &a);
	c->cnt.packets_out++;
	c->last_send = c->now;
	c->send_pending = 0;
}

static void
send_heartbeat(struct core *c)
{
	send_packet(c, core_local_status(c), 0, 0);
}

/* Our state changed: tell the peer now, not at the next keepalive. */
void
core_send_now(struct core *c)
{
	if (c->leaving)
		return;
	c->send_pending = 1;
}

/* At the end of every entry point: a triggered send, now or a bit later. */
static void
flush(struct core *c)
{
	int64_t	 gap;

	hbv1_tick(c);
	if (!c->send_pending || c->leaving)
		return;
	gap = c->now - c->last_send;
	if (gap >= CORE_MIN_SEND_GAP_MS) {
		send_heartbeat(c);
		/* the keepalive counts from the last packet */
		core_timer_at(c, CT_HEARTBEAT, c->now + c->conf->keepalive_ms);
	} else
		core_timer_at(c, CT_SEND, c->last_send + CORE_MIN_SEND_GAP_MS);
}

/* ---- membership events ---- */

static const char *
link_name(const struct core *c, int i)
{
	return i >= 0 && i < c->conf->nmedia ? c->conf->media[i].name : "?";
}

static void
publish(struct core *c, const struct member_ev *e)
{
	const char		*node = c->conf->nodes[e->node];
	const struct member_node *n = &c->mem.nodes[e->node];
	struct jw		*w;

	switch (e->type) {
	case ME_LATE:
		c->cnt.late_heartbeats++;
		core_log(c, LOG_WARNING, "Late heartbeat: Node %s: interval "
		    "%lld ms", node, (long long)e->interval);
		break;
	case ME_NODE_DEAD:
		core_log(c, LOG_WARNING, "node %s: is dead", node);
		break;
	case ME_NODE_LEFT:
		core_log(c, LOG_INFO, "node %s: left the cluster (clean "
		    "shutdown)", node);
		break;
	case ME_NODE_UP:
	case ME_NODE_ACTIVE:
		core_log(c, LOG_INFO, "Status update for node %s: status %s",
		    node, node_status_name(n->status));
		break;
	case ME_NODE_RESTARTED:
		core_log(c, LOG_NOTICE, "node %s: restarted (generation %u)",
		    node, n->generation);
		break;
	case ME_LINK_UP:
		core_log(c, LOG_INFO, "Link %s:%s up.", node,
		    link_name(c, e->link));
		break;
	case ME_LINK_DEAD:
		core_log(c, LOG_WARNING, "Link %s:%s dead.", node,
		    link_name(c, e->link));
		break;
	}
	w = core_ev_begin(c, e->type == ME_NODE_LEFT ? "node_dead" :
	    member_ev_name(e->type));
	jw_str(w, "node", node);
	jw_int(w, "index", e->node + 1);
	jw_str(w, "status", node_status_name(n->status));
	switch (e->type) {
	case ME_LATE:
		jw_int(w, "interval_ms", e->interval);
		jw_int(w, "warntime_ms", c->conf->warntime_ms);
		jw_int(w, "deadtime_ms", c->conf->deadtime_ms);
		jw_str(w, "link", link_name(c, e->link));
		break;
	case ME_NODE_DEAD:
		jw_str(w, "reason", "timeout");
		jw_int(w, "silent_ms", e->interval);
		break;
	case ME_NODE_LEFT:
		jw_str(w, "reason", "shutdown");
		break;
	case ME_LINK_UP:
	case ME_LINK_DEAD:
		jw_str(w, "link", link_name(c, e->link));
		jw_int(w, "link_index", e->link + 1);
		jw_str(w, "link_status", e->type == ME_LINK_UP ? "up" :
		    "dead");
		break;
	default:
		break;
	}
	core_ev_end(c);
}

static void
arm_deadline(struct core *c)
{
	core_timer_at(c, CT_MEMBER, member_next_deadline(&c->mem, c->now));
}

/* Membership changed: tell the operator and the placement. The caller
 * evaluates once everything the input brought is known. */
static void
handle_events(struct core *c, struct member_ev *ev, int n)
{
	int	 i;

	for (i = 0; i < n; i++)
		publish(c, &ev[i]);
	for (i = 0; i < n; i++)
		place_member_event(c, &ev[i]);
}

/* ---- receiving ---- */

static void
drop(struct core *c, int kind, uint64_t *counter, const char *from,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void
drop(struct core *c, int kind, uint64_t *counter, const char *from,
    const char *fmt, ...)
{
	char		 msg[256];
	va_list		 ap;

	(*counter)++;
	if (c->rl_bad[kind] && c->now - c->rl_bad[kind] < RL_INTERVAL_MS) {
		c->rl_supp[kind]++;
		return;
	}
	c->rl_bad[kind] = c->now;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (c->rl_supp[kind])
		core_log(c, LOG_WARNING, "dropped a packet from %s: %s (and %u "
		    "more of this kind since the last message)", from, msg,
		    c->rl_supp[kind]);
	else
		core_log(c, LOG_WARNING, "dropped a packet from %s: %s", from,
		    msg);
	c->rl_supp[kind] = 0;
}

static void
auth_event(struct core *c, const char *from, const char *node,
    const char *reason)
{
	struct jw	*w;

	/* one notification a second at most: a flood must not become one */
	if (c->last_auth_event && c->now - c->last_auth_event < 1000)
		return;
	c->last_auth_event = c->now;
	w = core_ev_begin(c, "auth_failure");
	jw_str(w, "source", from);
	jw_str(w, "node", node);
	jw_str(w, "reason", reason);
	jw_int(w, "count", (int64_t)c->cnt.auth_failures);
	core_ev_end(c);
}

void
core_count_auth_failure(struct core *c, const char *from, const char *node,
    int64_t now)
{
	begin(c, now);
	c->cnt.auth_failures++;
	/* the same event (and hbdAuthFailure trap) as for hbd's packets */
	auth_event(c, from, node, "badSignature");
	flush(c);
}

/*
 * A packet is fresh when it acknowledges one of ours sent within the last
 * deadtime. Packets held up in a queue (a serial line stopped and
 * restarted, a congested switch) arrive authentic but describe the past;
 * a recording replayed by someone else acknowledges a generation of ours
 * that is over. Only fresh packets verify a generation, move groups,
 * say goodbye or carry a poison pill.
 */
static int
fresh(const struct core *c, const struct hb_msg *m)
{
	const int64_t	 at = c->sent[m->ack_seq % CORE_SENT_RING].at;

	if (m->ack_generation != c->generation || m->ack_seq == 0 ||
	    c->sent[m->ack_seq % CORE_SENT_RING].seq != m->ack_seq)
		return 0;
	return c->now - at <= (int64_t)c->conf->deadtime_ms;
}

static void	poisoned(struct core *, const char *, const char *);

/*
 * The peer's generation: a packet of a generation older than the newest
 * authentic one is a replay; one that is not verified yet is noted (so
 * our next packets acknowledge it) but not used. Returns 1 to go on.
 */
static int
check_generation(struct core *c, const struct hb_msg *m, int fr,
    const char *from)
{
	enum replay_verdict	 v;

	if (m->generation < c->persisted_peer_gen ||
	    m->generation < c->seen_gen) {
		drop(c, RL_REPLAY, &c->cnt.replays, from, "replayed (an older "
		    "generation %u of %s)", m->generation, m->node);
		return 0;
	}
	v = replay_check(&c->seen_win, m->generation, m->seq);
	if (v != REPLAY_DUP && v != REPLAY_OLD && c->fence == FENCE_DONE &&
	    m->generation > c->fenced_gen) {
		/*
		 * The peer we fenced speaks in a generation newer than any we
		 * knew when the fence succeeded: it booted again. Verified or
		 * not, the fence no longer proves it off.
		 */
		core_log(c, LOG_NOTICE, "fence: %s runs again since it was "
		    "fenced (generation %u); the fence no longer counts",
		    m->node, m->generation);
		fence_peer_back(c);
	}
	if (v != REPLAY_DUP && v != REPLAY_OLD) {
		if (m->generation > c->seen_gen) {
			c->seen_gen = m->generation;
			c->seen_seq = 0;
			/* make the peer acknowledge us soon: it verifies it */
			if (m->generation != c->verified_gen)
				core_send_now(c);
		}
		if (m->seq > c->seen_seq)
			c->seen_seq = m->seq;
		replay_accept(&c->seen_win, m->generation, m->seq);
	}
	if (m->generation == c->verified_gen)
		return 1;
#if HBD_MUTANT == MUT_UNFRESH_LEFT
	if (m->status == HB_ST_LEFT || (m->flags & HBF_POISON))
		return 1;
#endif
	if (!fr) {
		drop(c, RL_UNVERIFIED, &c->cnt.unverified, from, "generation "
		    "%u of %s is not verified yet (it has not acknowledged a "
		    "recent packet of ours)", m->generation, m->node);
		return 0;
	}
	c->verified_gen = m->generation;
	if (c->persisted_peer_gen != m->generation) {
		/*
		 * Another generation than the one we knew: the peer started
		 * since we last heard it, even if it is active by now. That is
		 * a join (a failback under auto_failback on); the same
		 * generation as before our own restart is not, and with no
		 * generation known (our state was lost) we cannot tell.
		 */
		if (c->persisted_peer_gen != 0)
			c->peer_was_gone = 1;
		c->persisted_peer_gen = m->generation;
		core_save(c);
	}
	core_log(c, LOG_INFO, "node %s: generation %u verified", m->node,
	    m->generation);
	return 1;
}

void
core_rx(struct core *c, int medium, const uint8_t *pkt, size_t len,
    const char *from, int64_t now)
{
	struct hb_msg		 m;
	struct member_ev	 ev[MEMBER_MAX_EV];
	enum replay_verdict	 v;
	const char		*why;
	int			 node, n = 0, news, fr;

	begin(c, now);
	c->cnt.packets_in++;
	if (c->leaving)
		return;
	if (pkt == NULL) {
		drop(c, RL_MALFORMED, &c->cnt.malformed, from,
		    "bad serial framing");
		goto out;
	}
	if (hb_msg_decode(pkt, len, &m, &why) == -1) {
		drop(c, RL_MALFORMED, &c->cnt.malformed, from, "malformed "
		    "(%s)", why);
		goto out;
	}
	if (m.cluster_id != c->conf->cluster_id) {
		drop(c, RL_CLUSTER, &c->cnt.wrong_cluster, from, "another "
		    "cluster (node %s; check the cluster name)", m.node);
		goto out;
	}
	node = conf_node_index(c->conf, m.node);
	if (node == c->me) {
		c->cnt.own++;		/* our own broadcast, looped back */
		goto out;
	}
	if (node < 0) {
		drop(c, RL_UNKNOWN, &c->cnt.unknown_node, from, "node %s is "
		    "not in this cluster", m.node);
		goto out;
	}
	if (medium < 0 || medium >= c->conf->nmedia || medium >= HBD_MAX_MEDIA)
		goto out;
	if (auth_verify(c->conf, m.key_index, pkt, m.signed_len, m.digest,
	    m.digest_len) == -1) {
		drop(c, RL_AUTH, &c->cnt.auth_failures, from, "bad signature "
		    "(claims node %s, key %u)", m.node, m.key_index);
		auth_event(c, from, m.node, "badSignature");
		goto out;
	}
	fr = fresh(c, &m);
	if (!check_generation(c, &m, fr, from))
		goto out;
	/*
	 * Only a packet that answers one of ours counts, for liveness as for
	 * content. Packets queued before the peer died (a serial line stopped
	 * and restarted, a switch buffer) would revive a node that is off,
	 * reset its fencing and have it fenced again as it boots; a recording
	 * replayed onto a link that missed those sequence numbers would keep
	 * a dead peer alive. Either way the packet is remembered (our next
	 * packets acknowledge it, so a live peer answers within a round trip).
	 * A peer that cannot hear us is, to us, dead.
	 */
#if HBD_MUTANT == MUT_UNFRESH_LEFT
	if (!fr && m.status != HB_ST_LEFT && !(m.flags & HBF_POISON)) {
#else
	if (!fr) {
#endif
		drop(c, RL_STALE, &c->cnt.stale, from, "packet %llu of %s "
		    "answers none of our recent packets (it acknowledges %u/%llu)"
		    ": sent before a delay, or a recording",
		    (unsigned long long)m.seq, m.node, m.ack_generation,
		    (unsigned long long)m.ack_seq);
		goto out;
	}
	news = member_rx(&c->mem, node, medium, &m, c->now, ev, &n, &v);
	if (news < 0) {
		drop(c, RL_REPLAY, &c->cnt.replays, from, "replayed (%s "
		    "sequence %llu, generation %u)", replay_verdict_name(v),
		    (unsigned long long)m.seq, m.generation);
		goto out;
	}
	if (node == c->peer)
		c->native_at = c->now;
	handle_events(c, ev, n);
	/*
	 * A pill read from the disk mailbox may be older than heartbeats
	 * already read from the peer's slot: it passed the replay window
	 * (never seen before), so it counts even when its content is not
	 * news; but only when it is fresh, so a recording cannot stop us.
	 */
	if (m.flags & HBF_POISON) {
		poisoned(c, m.node, from);
		goto out;
	}
	if (news) {
		if (m.config_hash != c->config_hash &&
		    !c->warned_config_hash) {
			c->warned_config_hash = 1;
			core_log(c, LOG_WARNING, "node %s has different nodes "
			    "or haresources than this node: groups it lacks "
			    "count as stopped there; make the files identical",
			    m.node);
		} else if (m.config_hash == c->config_hash)
			c->warned_config_hash = 0;
		/*
		 * The groups' states of the packet that brought the peer back
		 * come before any decision on its return: a failback proposed
		 * without them could reuse the peer's placement epoch.
		 */
		if (m.status != HB_ST_LEFT && fr) {
			place_peer_update(c, &m);	/* evaluates */
			n = 0;
		}
	}
	if (n > 0)
		place_evaluate_all(c);
out:
	arm_deadline(c);
	flush(c);
}

void
core_rx_foreign(struct core *c, int medium, const struct hb_msg *m,
    const struct hbv1_msg *hv, int64_t now)
{
	struct member_ev	 ev[MEMBER_MAX_EV];
	enum replay_verdict	 v;
	int			 node, n = 0, r;

	begin(c, now);
	c->cnt.packets_in++;
	if (c->leaving || medium < 0 || medium >= c->conf->nmedia)
		return;
	node = conf_node_index(c->conf, m->node);
	if (node < 0 || node == c->me)
		goto out;
	/*
	 * A peer that speaks hbd's protocol is heard in it: heartbeat-format
	 * messages it still sends (compat heartbeat, for a deadtime after its
	 * heartbeat peer went; their generation and sequence numbers are
	 * another count) say nothing more and would confuse membership.
	 */
	if (c->native_at > 0 &&
	    c->now - c->native_at <= (int64_t)c->conf->deadtime_ms)
		goto out;
	r = member_rx(&c->mem, node, medium, m, c->now, ev, &n, &v);
	if (r < 0) {
		c->cnt.replays++;
		goto out;
	}
	handle_events(c, ev, n);
	/* what it says about resources, once (not its copy on another
	 * medium, hbv1_rx), and only from the generation membership counts */
	if (hv != NULL && node == c->peer &&
	    m->generation == c->mem.nodes[node].generation)
		hbv1_rx(c, hv, m->generation, m->seq);
	hbv1_view(c);
	if (n > 0 || (hv != NULL && hv->type != HV_NONE))
		place_evaluate_all(c);
out:
	arm_deadline(c);
	flush(c);
}

/* ---- poison pills ---- */

/*
 * The peer told us to fence ourselves (SBD's poison pill), over the disk
 * mailbox or any medium, signed like every heartbeat: release everything
 * and stop, as a clean shutdown does.
 */
static void	shutdown_now(struct core *);

static void
poisoned(struct core *c, const char *sender, const char *from)
{
	struct jw	*w;

	if (c->shutting_down)
		return;
	core_log(c, LOG_CRIT, "CRIT: poison pill from %s (via %s): releasing "
	    "every group and stopping", sender, from);
	w = core_ev_begin(c, "poison_pill");
	jw_str(w, "node", sender);
	jw_str(w, "source", from);
	core_ev_end(c);
	shutdown_now(c);
}

static int
send_pill(struct core *c, const char *node, char *err, size_t len)
{
	int	 i = node ? conf_node_index(c->conf, node) : -1;

	if (i < 0 || i == c->me) {
		snprintf(err, len, "poison: %s is not the peer", node ? node :
		    "(no node)");
		return -1;
	}
	core_log(c, LOG_WARNING, "sending a poison pill to %s",
	    c->conf->nodes[i]);
	send_packet(c, core_local_status(c), HBF_POISON, 1);
	return 0;
}

/* ---- timers ---- */

void
core_timer(struct core *c, int t, int64_t now)
{
	struct member_ev	 ev[MEMBER_MAX_EV];
	int			 n;

	begin(c, now);
	switch (t) {
	case CT_HEARTBEAT:
		if (c->leaving)
			break;
		send_heartbeat(c);
		core_timer_at(c, CT_HEARTBEAT, c->now + c->conf->keepalive_ms);
		break;
	case CT_SEND:
		if (c->send_pending && !c->leaving) {
			send_heartbeat(c);
			core_timer_at(c, CT_HEARTBEAT, c->now +
			    c->conf->keepalive_ms);
		}
		break;
	case CT_MEMBER:
		n = member_tick(&c->mem, c->now, ev);
		handle_events(c, ev, n);
		if (n > 0)
			place_evaluate_all(c);
		arm_deadline(c);
		break;
	case CT_SETTLE:
		c->settle_armed = 0;
		place_evaluate_all(c);
		break;
	case CT_FENCE:
		c->fence_timer_armed = 0;
		fence_on_timer(c);
		break;
	case CT_HBV1:
		hbv1_timer(c);
		break;
	default:
		if (t >= CT_GROUP0 && t < CT_GROUP0 + c->ngroups)
			plan_group_timer(c, &c->groups[t - CT_GROUP0]);
		break;
	}
	flush(c);
}

/* ---- results ---- */

void
core_agent_done(struct core *c, const struct core_agent_result *r,
    int64_t now)
{
	struct grp	*g;

	begin(c, now);
	if (r->group < 0 || r->group >= c->ngroups)
		return;
	g = &c->groups[r->group];
	if (!g->running)
		return;		/* cancelled: its result is moot */
	g->running = 0;
	plan_step_done(c, g, r);
	flush(c);
}

void
core_fence_done(struct core *c, int ok, int exit_code, const char *detail,
    int64_t now)
{
	begin(c, now);
	fence_on_done(c, ok, exit_code, detail);
	flush(c);
}

void
core_ping(struct core *c, int up, int total, int64_t now)
{
	struct jw	*w;

	begin(c, now);
	if (up < 0)
		up = -1;	/* not known yet: some ping node has not answered
				 * and its deadping has not passed */
	if (up > 0 && c->ping_up <= 0)
		c->ping_ok_since = c->now;
	else if (up == 0)
		c->ping_ok_since = 0;
	c->ping_up = up;
	c->ping_total = total;
	w = core_ev_begin(c, "ping_change");
	jw_int(w, "reachable", up);
	jw_int(w, "total", total);
	core_ev_end(c);
	core_send_now(c);
	place_evaluate_all(c);
	flush(c);
}

/* ---- life ---- */

struct core *
core_new(const struct conf *cf, const struct core_persist *p,
    uint32_t wall_sec, int64_t now)
{
	struct core	*c = xcalloc(1, sizeof(*c));
	uint32_t	 gen = 0;

	buf_init(&c->arena);
	buf_init(&c->evbuf);
	c->conf = cf;
	c->now = now;
	c->start_ms = now;
	c->me = cf->local_index;
	c->peer = conf_peer_index(cf);
	c->config_hash = compute_config_hash(cf);
	if (p) {
		c->persist = *p;
		gen = p->generation;
		c->persisted_peer_gen = p->peer_generation;
	}
	c->generation = gen + 1;
	if (c->generation < wall_sec)
		c->generation = wall_sec;
	member_init(&c->mem, cf, now);
	c->fence = FENCE_IDLE;
	c->fence_target = -1;
	c->fence_backoff = CORE_FENCE_RETRY_MIN_MS;
	place_init(c);
	core_save(c);		/* the new generation, before any packet */
	return c;
}

void
core_set_quiet(struct core *c, int q)
{
	c->quiet = q;
}

void
core_free(struct core *c)
{
	if (c == NULL)
		return;
	buf_free(&c->arena);
	buf_free(&c->evbuf);
	free(c);
}

void
core_start(struct core *c, int64_t now)
{
	int	 i;

	begin(c, now);
	core_log(c, LOG_INFO, "starting as %s, generation %u, cluster %s",
	    c->conf->local, c->generation, c->conf->cluster);
	c->started = 1;
	for (i = 0; i < c->ngroups; i++)
		plan_start_probe(c, &c->groups[i]);
	send_heartbeat(c);
	core_timer_at(c, CT_HEARTBEAT, c->now + c->conf->keepalive_ms);
	arm_deadline(c);
	flush(c);
}

static int
same_medium(const struct conf_medium *a, const struct conf_medium *b)
{
	return a->type == b->type && strcmp(a->name, b->name) == 0 &&
	    strcmp(a->ifname, b->ifname) == 0 &&
	    a->addr.s_addr == b->addr.s_addr && a->port == b->port &&
	    strcmp(a->device, b->device) == 0;
}

/*
 * Media may be added, removed or reordered by a reload: a link keeps its
 * state when its medium is still there (wherever it now is in the list),
 * a new one starts dead. The peer's own liveness does not depend on the
 * list: it dies a deadtime after its last packet.
 */
static void
remap_links(struct core *c, const struct conf *o, const struct conf *n)
{
	struct member_link	 old[HBD_MAX_MEDIA];
	int			 i, j, k;

	for (i = 0; i < HBD_MAX_NODES; i++) {
		memcpy(old, c->mem.nodes[i].links, sizeof(old));
		for (j = 0; j < n->nmedia; j++) {
			struct member_link	*l = &c->mem.nodes[i].links[j];

			memset(l, 0, sizeof(*l));
			l->changed = c->now;
			for (k = 0; k < o->nmedia; k++)
				if (same_medium(&o->media[k], &n->media[j])) {
					*l = old[k];
					break;
				}
		}
		for (; j < HBD_MAX_MEDIA; j++)
			memset(&c->mem.nodes[i].links[j], 0,
			    sizeof(c->mem.nodes[i].links[j]));
	}
}

int
core_reload(struct core *c, const struct conf *n, char *err, size_t len,
    int64_t now)
{
	const struct conf	*o = c->conf;
	int			 i;

	begin(c, now);
	if (n->nnodes != o->nnodes || strcmp(n->local, o->local) != 0) {
		snprintf(err, len, "the node list or this node's name changed; "
		    "restart hbd for that");
		return -1;
	}
	for (i = 0; i < n->nnodes; i++)
		if (strcmp(n->nodes[i], o->nodes[i]) != 0) {
			snprintf(err, len, "the node list changed; restart hbd "
			    "for that");
			return -1;
		}
	if (place_reconf_ok(o, n, err, len) == -1)
		return -1;
	remap_links(c, o, n);
	c->conf = n;
	member_reconf(&c->mem, n);
	for (i = 0; i < c->ngroups; i++)
		c->groups[i].cg = &n->groups[i];
	c->config_hash = compute_config_hash(n);
#if HBD_MUTANT == MUT_RELOAD_PING
	c->ping_up = 0;
	c->ping_ok_since = 0;
#endif
	arm_deadline(c);
	core_send_now(c);
	place_evaluate_all(c);
	flush(c);
	return 0;
}

static void
shutdown_done(struct core *c)
{
	struct core_action	 a;
	int			 i;

	if (c->exit_sent)
		return;
	c->exit_sent = 1;
	if (place_all_clean(c)) {
		/* several copies: one lost packet must not cost a deadtime */
		for (i = 0; i < 3; i++)
			send_packet(c, HB_ST_LEFT, 0, 0);
		hbv1_shutdone(c);
		core_log(c, LOG_INFO, "all groups stopped; told the peer; "
		    "exiting");
	} else {
		send_packet(c, HB_ST_LEAVING, 0, 0);
		core_log(c, LOG_WARNING, "exiting with a group that failed to "
		    "stop: the peer will not take it over unless it fences "
		    "this node");
	}
	c->leaving = 1;
	core_timer_at(c, CT_HEARTBEAT, -1);
	core_timer_at(c, CT_SEND, -1);
	memset(&a, 0, sizeof(a));
	a.type = CA_EXIT;
	core_push(c, &a);
}

/* Called by core_plan when the last group has stopped. */
void	core_shutdown_check(struct core *);

void
core_shutdown_check(struct core *c)
{
	int	 i;

	if (!c->shutting_down || c->exit_sent)
		return;
	for (i = 0; i < c->ngroups; i++) {
		const struct grp	*g = &c->groups[i];

		if (g->plan != PLAN_NONE || g->state == GS_STARTED ||
		    g->state == GS_STARTING || g->state == GS_STOPPING)
			return;
	}
	shutdown_done(c);
}

static void
shutdown_now(struct core *c)
{
	struct core_action	 a;

	if (c->exit_sent)
		return;
	if (c->shutting_down) {
		core_log(c, LOG_WARNING, "second stop request: exiting now "
		    "without stopping the groups cleanly");
		plan_cancel_all(c);
		c->exit_sent = 1;
		send_packet(c, HB_ST_LEAVING, 0, 0);
		c->leaving = 1;
		core_timer_at(c, CT_HEARTBEAT, -1);
		memset(&a, 0, sizeof(a));
		a.type = CA_EXIT;
		core_push(c, &a);
		return;
	}
	core_log(c, LOG_INFO, "shutting down: releasing the groups");
	hbv1_shutdown_begin(c);
	place_shutdown(c);
	core_send_now(c);
	core_shutdown_check(c);
}

void
core_shutdown(struct core *c, int64_t now)
{
	begin(c, now);
	shutdown_now(c);
	flush(c);
}

/* ---- admin ---- */

int
core_admin(struct core *c, const char *cmd, const struct jval *req,
    struct jw *reply, char *err, size_t len, int64_t now)
{
	int	 r;

	begin(c, now);
	if (strcmp(cmd, "poison") == 0) {
		if (send_pill(c, json_get_str(req, "node"), err, len) == -1)
			return -1;
		jw_str(reply, "result", "poison pill sent");
		return 0;
	}
	if (strcmp(cmd, "standby") != 0 && strcmp(cmd, "takeover") != 0 &&
	    strcmp(cmd, "move") != 0) {
		snprintf(err, len, "unknown command %s (status, standby, "
		    "takeover, move, reload, subscribe)", cmd);
		return -1;
	}
	r = place_admin(c, cmd, req, reply, err, len);
	flush(c);
	return r;
}

/* ---- reading ---- */

const struct conf *
core_conf(const struct core *c)
{
	return c->conf;
}

const struct member *
core_member(const struct core *c)
{
	return &c->mem;
}

uint32_t
core_generation(const struct core *c)
{
	return c->generation;
}

int
core_shutting_down(const struct core *c)
{
	return c->shutting_down;
}

int
core_ping_up(const struct core *c)
{
	return c->ping_up;
}

int
core_ping_total(const struct core *c)
{
	return c->ping_total;
}

int
core_peer_alive(const struct core *c)
{
	return c->peer >= 0 && member_alive(&c->mem, c->peer);
}

int
core_peer_left(const struct core *c)
{
	return c->peer >= 0 && c->mem.nodes[c->peer].left;
}

int
core_peer_active(const struct core *c)
{
	/* in service: not starting, not on its way out (a group sent to a
	 * node that is leaving would be left with nobody) */
	return core_peer_alive(c) &&
	    c->mem.nodes[c->peer].status == NODE_ACTIVE &&
	    c->mem.nodes[c->peer].peer_status == HB_ST_ACTIVE;
}

int
core_group_view(const struct core *c, int i, struct core_group_view *v)
{
	const struct grp	*g;

	if (i < 0 || i >= c->ngroups)
		return -1;
	g = &c->groups[i];
	v->state = g->state;
	v->dirty = g->dirty;
	v->epoch = g->epoch;
	v->proposer = g->proposer == HB_NO_NODE ? -1 : g->proposer;
	v->target = g->target == HB_NO_NODE ? -1 : g->target;
	v->plan_busy = g->running || g->plan != PLAN_NONE;
	return 0;
}

int
core_fence_done_flag(const struct core *c)
{
	return c->fence == FENCE_DONE;
}

int
core_fence_configured(const struct core *c)
{
	return fence_is_configured(c);
}

const char *
core_fence_state_name(const struct core *c)
{
	return fence_st_name(c->fence);
}

void
core_status_counters(const struct core *c, struct jw *w)
{
	const struct core_counters	*k = &c->cnt;

	jw_int(w, "takeovers", (int64_t)k->takeovers);
	jw_int(w, "releases", (int64_t)k->releases);
	jw_int(w, "late_heartbeats", (int64_t)k->late_heartbeats);
	jw_int(w, "auth_failures", (int64_t)k->auth_failures);
	jw_int(w, "replays", (int64_t)k->replays);
	jw_int(w, "malformed", (int64_t)k->malformed);
	jw_int(w, "unknown_node", (int64_t)k->unknown_node);
	jw_int(w, "wrong_cluster", (int64_t)k->wrong_cluster);
	jw_int(w, "stale", (int64_t)k->stale);
	jw_int(w, "unverified", (int64_t)k->unverified);
	jw_int(w, "packets_in", (int64_t)k->packets_in);
	jw_int(w, "packets_out", (int64_t)k->packets_out);
	jw_int(w, "resource_failures", (int64_t)k->resource_failures);
	jw_int(w, "restarts", (int64_t)k->restarts);
	jw_int(w, "fences", (int64_t)k->fences);
	jw_int(w, "fence_failures", (int64_t)k->fence_failures);
}
