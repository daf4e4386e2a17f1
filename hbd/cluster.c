/*
 * cluster: heartbeats in and out, and the wiring between membership,
 * resource groups, fencing, ping nodes and the control socket.
 *
 * Receive path: decode -> cluster id -> node name -> signature -> replay
 * window (per link) -> membership -> resource groups. Every rejection is
 * counted by reason and logged rate-limited; none of them touches a
 * node's state. Send path: one packet per keepalive on every medium, and
 * an immediate extra one whenever our state changes (coalesced within an
 * event-loop turn), so handoffs take a round trip, not a keepalive.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "cluster.h"
#include "control.h"
#include "event.h"
#include "fence.h"
#include "hb_compat.h"
#include "hb_msg.h"
#include "log.h"
#include "media.h"
#include "member.h"
#include "ping.h"
#include "rsc.h"
#include "state.h"
#include "supervise.h"
#include "util.h"

#define MIN_SEND_GAP_MS	5

struct counters {
	uint64_t	 packets_in, packets_out, own;
	uint64_t	 auth_failures, replays, malformed, unknown_node;
	uint64_t	 wrong_cluster, late_heartbeats;
};

static struct conf	*conf;
static struct member	 mem;
static uint32_t		 generation;
static uint64_t		 seq;
static int64_t		 start_ms;
static struct counters	 cnt;
static struct ev_timer	 hb_timer, now_timer, deadline_timer;
static int64_t		 last_send;
static int		 leaving;
static uint32_t		 config_hash;
static int		 warned_config_hash;
static struct log_rl	 rl_bad[6];
static int64_t		 last_auth_event;

/*
 * When each recent packet left, by sequence number: a peer's packet says
 * which of ours it had heard, which tells how old its view of us is.
 */
#define SENT_RING	1024
static struct {
	uint64_t	 seq;
	int64_t		 at;
} sent[SENT_RING];

enum { RL_MALFORMED, RL_CLUSTER, RL_UNKNOWN, RL_AUTH, RL_REPLAY, RL_HASH };

const struct conf *
cluster_conf(void)
{
	return conf;
}

static uint32_t
compute_config_hash(const struct conf *c)
{
	struct buf	 b;
	uint32_t	 h;
	int		 i, j;

	buf_init(&b);
	for (i = 0; i < c->nnodes; i++)
		buf_printf(&b, "node %s\n", c->nodes[i]);
	for (i = 0; i < c->ngroups; i++) {
		buf_printf(&b, "group %s %s", c->nodes[c->groups[i].preferred],
		    c->groups[i].name);
		for (j = 0; j < c->groups[i].nrsc; j++)
			buf_printf(&b, " %s", c->groups[i].rsc[j].spec);
		buf_addc(&b, '\n');
	}
	h = conf_hash(buf_cstr(&b));
	buf_free(&b);
	return h;
}

/* ---- sending ---- */

static void
send_packet(int status, int flags, int pill)
{
	struct hb_msg	 m;
	uint8_t		 pkt[HB_MAX_PACKET], digest[AUTH_MAX_DIGEST];
	size_t		 slen;
	int		 dlen, len;

	memset(&m, 0, sizeof(m));
	m.type = HB_HEARTBEAT;
	m.cluster_id = conf->cluster_id;
	if (seq == UINT64_MAX) {
		/* never reuse a sequence number: start a new generation */
		generation = state_next_generation();
		seq = 0;
	}
	m.generation = generation;
	m.seq = ++seq;
	hbd_strlcpy(m.node, conf->local, sizeof(m.node));
	m.status = (uint8_t)status;
	m.flags = (uint8_t)flags;
	m.keepalive_ms = conf->keepalive_ms;
	m.deadtime_ms = conf->deadtime_ms;
	m.config_hash = config_hash;
	if (conf_peer_index(conf) >= 0 && mem.nodes[conf_peer_index(conf)].heard) {
		m.ack_generation = mem.nodes[conf_peer_index(conf)].generation;
		m.ack_seq = mem.nodes[conf_peer_index(conf)].content_seq;
	}
	rsc_fill_msg(&m);
	if (hb_msg_encode(&m, (uint8_t)conf->auth_use, pkt, sizeof(pkt),
	    &slen) == -1) {
		log_warnx("cannot encode a heartbeat (too many groups?)");
		return;
	}
	if ((dlen = auth_sign(conf, conf->auth_use, pkt, slen, digest)) < 0) {
		log_warnx("cannot sign a heartbeat with key %d", conf->auth_use);
		return;
	}
	if ((len = hb_msg_finish(pkt, sizeof(pkt), slen, digest,
	    (size_t)dlen)) < 0)
		return;
	sent[m.seq % SENT_RING].seq = m.seq;
	sent[m.seq % SENT_RING].at = mono_ms();
	media_send_all(pkt, (size_t)len);
	if (pill)
		media_send_pill(pkt, (size_t)len);
	cnt.packets_out++;
	last_send = mono_ms();
}

static void
send_heartbeat(int status)
{
	send_packet(status, 0, 0);
}

static void
on_hb_timer(struct ev_timer *t, void *arg)
{
	send_heartbeat(rsc_local_status());
	ev_timer_add(&hb_timer, conf->keepalive_ms);
}

static void
on_now_timer(struct ev_timer *t, void *arg)
{
	on_hb_timer(NULL, NULL);
}

/* Our state changed: tell the peer now, not at the next keepalive. */
void
cluster_send_now(void)
{
	int64_t	 gap = mono_ms() - last_send;

	if (leaving || ev_timer_pending(&now_timer))
		return;
	ev_timer_add(&now_timer, gap >= MIN_SEND_GAP_MS ? 0 :
	    MIN_SEND_GAP_MS - gap);
}

/* ---- membership events ---- */

static const char *
link_name(int i)
{
	return i >= 0 && i < conf->nmedia ? conf->media[i].name : "?";
}

static void
publish(const struct member_ev *e)
{
	const char	*node = conf->nodes[e->node];
	struct jw	*w;

	switch (e->type) {
	case ME_LATE:
		cnt.late_heartbeats++;
		log_warnx("Late heartbeat: Node %s: interval %lld ms", node,
		    (long long)e->interval);
		break;
	case ME_NODE_DEAD:
		log_warnx("node %s: is dead", node);
		break;
	case ME_NODE_LEFT:
		log_info("node %s: left the cluster (clean shutdown)", node);
		break;
	case ME_NODE_UP:
	case ME_NODE_ACTIVE:
		log_info("Status update for node %s: status %s", node,
		    node_status_name(mem.nodes[e->node].status));
		break;
	case ME_NODE_RESTARTED:
		log_notice("node %s: restarted (generation %u)", node,
		    mem.nodes[e->node].generation);
		break;
	case ME_LINK_UP:
		log_info("Link %s:%s up.", node, link_name(e->link));
		break;
	case ME_LINK_DEAD:
		log_warnx("Link %s:%s dead.", node, link_name(e->link));
		break;
	}
	w = ctl_event_begin(e->type == ME_NODE_LEFT ? "node_dead" :
	    member_ev_name(e->type));
	jw_str(w, "node", node);
	jw_int(w, "index", e->node + 1);
	jw_str(w, "status", node_status_name(mem.nodes[e->node].status));
	switch (e->type) {
	case ME_LATE:
		jw_int(w, "interval_ms", e->interval);
		jw_int(w, "warntime_ms", conf->warntime_ms);
		jw_int(w, "deadtime_ms", conf->deadtime_ms);
		jw_str(w, "link", link_name(e->link));
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
		jw_str(w, "link", link_name(e->link));
		jw_int(w, "link_index", e->link + 1);
		jw_str(w, "link_status", e->type == ME_LINK_UP ? "up" :
		    "dead");
		break;
	default:
		break;
	}
	ctl_event_end();
}

static void
arm_deadline(void)
{
	int64_t	 t = member_next_deadline(&mem, mono_ms());

	if (t < 0)
		ev_timer_del(&deadline_timer);
	else
		ev_timer_at(&deadline_timer, t);
}

static void
handle_events(struct member_ev *ev, int n)
{
	int	 i;

	for (i = 0; i < n; i++)
		publish(&ev[i]);
	for (i = 0; i < n; i++)
		rsc_member_event(&ev[i]);
	if (n > 0)
		rsc_evaluate_all();
}

static void
on_deadline(struct ev_timer *t, void *arg)
{
	struct member_ev	 ev[MEMBER_MAX_EV];
	int			 n;

	n = member_tick(&mem, mono_ms(), ev);
	handle_events(ev, n);
	arm_deadline();
}

static void	poisoned(const char *, const char *);

/*
 * A packet is fresh when it acknowledges one of ours sent within the last
 * deadtime. Packets held up in a queue (a serial line stopped and
 * restarted, a congested switch) arrive authentic but describe the past:
 * acting on their group states could start a group the peer has since
 * taken. They still prove the peer alive; a fresh one follows within a
 * round trip.
 */
static int
fresh(const struct hb_msg *m)
{
	const int64_t	 at = sent[m->ack_seq % SENT_RING].at;

	if (m->ack_generation != generation || m->ack_seq == 0 ||
	    sent[m->ack_seq % SENT_RING].seq != m->ack_seq)
		return 0;
	return mono_ms() - at <= (int64_t)conf->deadtime_ms;
}

/* ---- receiving ---- */

static void
drop(int kind, uint64_t *counter, const char *from, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
drop(int kind, uint64_t *counter, const char *from, const char *fmt, ...)
{
	char		 msg[256];
	va_list		 ap;
	unsigned	 supp;

	(*counter)++;
	if (!log_rl_check(&rl_bad[kind], mono_ms(), 10000, &supp))
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (supp)
		log_warnx("dropped a packet from %s: %s (and %u more of this "
		    "kind since the last message)", from, msg, supp);
	else
		log_warnx("dropped a packet from %s: %s", from, msg);
}

static void
auth_event(const char *from, const char *node, const char *reason)
{
	struct jw	*w;
	int64_t		 now = mono_ms();

	/* one notification a second at most: a flood must not become one */
	if (now - last_auth_event < 1000)
		return;
	last_auth_event = now;
	w = ctl_event_begin("auth_failure");
	jw_str(w, "source", from);
	jw_str(w, "node", node);
	jw_str(w, "reason", reason);
	jw_int(w, "count", (int64_t)cnt.auth_failures);
	ctl_event_end();
}

void
cluster_count_auth_failure(void)
{
	cnt.auth_failures++;
}

static void
on_packet(int medium, const uint8_t *pkt, size_t len, const char *from,
    void *arg)
{
	struct hb_msg		 m;
	struct member_ev	 ev[MEMBER_MAX_EV];
	enum replay_verdict	 v;
	const char		*why;
	int			 node, n = 0, news;

	cnt.packets_in++;
	if (pkt == NULL) {
		drop(RL_MALFORMED, &cnt.malformed, from, "bad serial framing");
		return;
	}
	if (hb_msg_decode(pkt, len, &m, &why) == -1) {
		/* issue 20: a heartbeat 3.0.6 peer heard is alive (membership
		 * only: its groups are never taken while it is heard) */
		int hc = hb_compat_rx(conf, pkt, len, &m);

		if (hc == 1 && (node = conf_node_index(conf, m.node)) >= 0) {
			if (member_rx(&mem, node, medium, &m, mono_ms(), ev, &n,
			    &v) >= 0)
				handle_events(ev, n);
			arm_deadline();
		}
		if (hc >= 0)
			return;		/* heartbeat's: not malformed */
		drop(RL_MALFORMED, &cnt.malformed, from, "malformed (%s)", why);
		return;
	}
	if (m.cluster_id != conf->cluster_id) {
		drop(RL_CLUSTER, &cnt.wrong_cluster, from, "another cluster "
		    "(node %s; check the cluster name)", m.node);
		return;
	}
	node = conf_node_index(conf, m.node);
	if (node == conf->local_index) {
		cnt.own++;		/* our own broadcast, looped back */
		return;
	}
	if (node < 0) {
		drop(RL_UNKNOWN, &cnt.unknown_node, from, "node %s is not in "
		    "this cluster", m.node);
		return;
	}
	if (auth_verify(conf, m.key_index, pkt, m.signed_len, m.digest,
	    m.digest_len) == -1) {
		drop(RL_AUTH, &cnt.auth_failures, from, "bad signature (claims "
		    "node %s, key %u)", m.node, m.key_index);
		auth_event(from, m.node, "badSignature");
		return;
	}
	news = member_rx(&mem, node, medium, &m, mono_ms(), ev, &n, &v);
	if (news < 0) {
		drop(RL_REPLAY, &cnt.replays, from, "replayed (%s sequence "
		    "%llu, generation %u)", replay_verdict_name(v),
		    (unsigned long long)m.seq, m.generation);
		return;
	}
	handle_events(ev, n);
	/*
	 * A pill read from the disk mailbox may be older than heartbeats
	 * already read from the peer's slot: it passed the replay window
	 * (never seen before), so it counts even when its content is not.
	 */
	if (m.flags & HBF_POISON) {
		poisoned(m.node, from);
		return;
	}
	if (news) {
		if (m.config_hash != config_hash && !warned_config_hash) {
			warned_config_hash = 1;
			log_warnx("node %s has different nodes or haresources "
			    "than this node: groups it lacks count as stopped "
			    "there; make the files identical", m.node);
		} else if (m.config_hash == config_hash)
			warned_config_hash = 0;
		if (m.status != HB_ST_LEFT && fresh(&m))
			rsc_peer_update(&m);
		else if (m.status != HB_ST_LEFT)
			log_debug("packet %llu from %s via %s acknowledges "
			    "%u/%llu: stale, its group states are not used",
			    (unsigned long long)m.seq, m.node, from,
			    m.ack_generation, (unsigned long long)m.ack_seq);
	}
	arm_deadline();
}

/* ---- poison pills ---- */

/*
 * The peer told us to fence ourselves (SBD's poison pill), over the disk
 * mailbox or any medium, signed like every heartbeat: release everything
 * and stop, as a clean shutdown does.
 */
static void
poisoned(const char *sender, const char *from)
{
	struct jw	*w;

	if (rsc_shutting_down())
		return;
	log_warnx("CRIT: poison pill from %s (via %s): releasing every group "
	    "and stopping", sender, from);
	w = ctl_event_begin("poison_pill");
	jw_str(w, "node", sender);
	jw_str(w, "source", from);
	ctl_event_end();
	cluster_shutdown();
}

static int
send_pill(const char *node, char *err, size_t len)
{
	int	 i = node ? conf_node_index(conf, node) : -1;

	if (i < 0 || i == conf->local_index) {
		snprintf(err, len, "poison: %s is not the peer", node ? node :
		    "(no node)");
		return -1;
	}
	log_warnx("sending a poison pill to %s", conf->nodes[i]);
	send_packet(rsc_local_status(), HBF_POISON, 1);
	return 0;
}

/* ---- fencing and ping results ---- */

static void
on_fence_result(int ok)
{
	rsc_fence_result(ok);
}

static void
on_ping_change(void)
{
	struct jw	*w = ctl_event_begin("ping_change");

	jw_int(w, "reachable", ping_up_count());
	jw_int(w, "total", ping_total());
	ctl_event_end();
	cluster_send_now();
	rsc_evaluate_all();
}

/* ---- lifecycle ---- */

int
cluster_start(struct conf *c, const struct cluster_opts *o)
{
	conf = c;
	start_ms = mono_ms();
	config_hash = compute_config_hash(c);
	if (state_open(o->state_dir) == -1)
		log_warnx("continuing without a usable state directory: the "
		    "generation comes from the clock and placements are not "
		    "remembered");
	generation = state_next_generation();
	log_info("starting as %s, generation %u, cluster %s", c->local,
	    generation, c->cluster);
	member_init(&mem, c, mono_ms());
	fence_init(c, on_fence_result);
	rsc_init(c, &mem);
	ev_timer_init(&hb_timer, "heartbeat", on_hb_timer, NULL);
	ev_timer_init(&now_timer, "heartbeat (triggered)", on_now_timer, NULL);
	ev_timer_init(&deadline_timer, "membership", on_deadline, NULL);
	ev_set_late_threshold((int)(c->keepalive_ms / 2 > 50 ?
	    c->keepalive_ms / 2 : 50));
	media_open_all(c, on_packet, NULL);
	ping_start(c, on_ping_change);
	rsc_start();
	ev_timer_add(&hb_timer, 0);
	arm_deadline();
	return 0;
}

/* Swap in a new configuration that passed conf_load and these checks. */
int
cluster_reload(struct conf *n, char *err, size_t len)
{
	struct conf	*old = conf;
	int		 i, media_changed;

	if (n->nnodes != old->nnodes || strcmp(n->local, old->local) != 0) {
		snprintf(err, len, "the node list or this node's name changed; "
		    "restart hbd for that");
		return -1;
	}
	for (i = 0; i < n->nnodes; i++)
		if (strcmp(n->nodes[i], old->nodes[i]) != 0) {
			snprintf(err, len, "the node list changed; restart hbd "
			    "for that");
			return -1;
		}
	if (rsc_reconf_ok(old, n, err, len) == -1)
		return -1;
	media_changed = n->nmedia != old->nmedia ||
	    memcmp(n->media, old->media, sizeof(n->media[0]) *
	    (size_t)n->nmedia) != 0;
	conf = n;
	member_reconf(&mem, n);
	rsc_reconf(n);
	fence_reconf(n);
	ctl_reconf(n);
	config_hash = compute_config_hash(n);
	ev_set_late_threshold((int)(n->keepalive_ms / 2 > 50 ?
	    n->keepalive_ms / 2 : 50));
	if (media_changed) {
		log_info("heartbeat media changed: reopening them");
		media_open_all(n, on_packet, NULL);
		for (i = 0; i < HBD_MAX_NODES; i++)
			memset(mem.nodes[i].links, 0,
			    sizeof(mem.nodes[i].links));
	}
	ping_start(n, on_ping_change);
	conf_free(old);
	arm_deadline();
	cluster_send_now();
	return 0;
}

static void
on_shutdown_done(void)
{
	int	 i;

	leaving = 1;
	ev_timer_del(&hb_timer);
	ev_timer_del(&now_timer);
	if (rsc_all_clean()) {
		/* several copies: one lost packet must not cost a deadtime */
		for (i = 0; i < 3; i++)
			send_heartbeat(HB_ST_LEFT);
		log_info("all groups stopped; told the peer; exiting");
	} else {
		send_heartbeat(HB_ST_LEAVING);
		log_warnx("exiting with a group that failed to stop: the peer "
		    "will not take it over unless it fences this node");
	}
	ev_break();
}

void
cluster_shutdown(void)
{
	if (rsc_shutting_down()) {
		log_warnx("second stop request: exiting now without stopping "
		    "the groups cleanly");
		rsc_cancel_all();
		leaving = 1;
		send_heartbeat(HB_ST_LEAVING);
		ev_break();
		return;
	}
	log_info("shutting down: releasing the groups");
	rsc_shutdown(on_shutdown_done);
	cluster_send_now();
}

/* ---- status ---- */

static void
node_status(struct jw *w, int i, int64_t now)
{
	const struct member_node	*n = &mem.nodes[i];
	int				 j, local = i == conf->local_index;

	jw_obj_begin(w, NULL);
	jw_int(w, "index", i + 1);
	jw_str(w, "name", conf->nodes[i]);
	jw_str(w, "type", "normal");
	jw_bool(w, "local", local);
	if (local)
		jw_str(w, "status", rsc_local_status() == HB_ST_INIT ? "init" :
		    "active");
	else
		jw_str(w, "status", node_status_name(n->status));
	if (local)
		jw_int(w, "last_heartbeat_ms", 0);
	else if (n->last_rx)
		jw_int(w, "last_heartbeat_ms", now - n->last_rx);
	else
		jw_null(w, "last_heartbeat_ms");
	jw_int(w, "last_heartbeat_mono_ms", local ? now : n->last_rx);
	jw_int(w, "generation", local ? generation : n->generation);
	jw_int(w, "changed_mono_ms", local ? start_ms : n->changed);
	jw_int(w, "changed_ms_ago", now - (local ? start_ms : n->changed));
	jw_int(w, "late_heartbeats", (int64_t)n->late_count);
	jw_int(w, "dead_count", (int64_t)n->dead_count);
	if (!local && n->heard)
		jw_str(w, "peer_status", hb_status_name(n->peer_status));
	jw_arr_begin(w, "links");
	for (j = 0; j < conf->nmedia; j++) {
		const struct member_link	*l = &n->links[j];
		struct medium			*md = media_get(j);

		jw_obj_begin(w, NULL);
		jw_int(w, "index", j + 1);
		jw_str(w, "name", conf->media[j].name);
		jw_str(w, "type", medium_type_name(conf->media[j].type));
		if (local) {
			jw_str(w, "status", md && md->ok ? "up" : "dead");
			jw_int(w, "packets_out", md ? (int64_t)md->tx : 0);
			jw_int(w, "packets_in", md ? (int64_t)md->rx : 0);
			jw_int(w, "send_errors", md ?
			    (int64_t)md->tx_errors : 0);
		} else {
			jw_str(w, "status", link_status_name(l->status));
			if (l->last_rx)
				jw_int(w, "last_heartbeat_ms",
				    now - l->last_rx);
			else
				jw_null(w, "last_heartbeat_ms");
			jw_int(w, "last_heartbeat_mono_ms", l->last_rx);
		}
		jw_int(w, "changed_mono_ms", l->changed);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_obj_end(w);
}

void
cluster_status(struct jw *w)
{
	struct rsc_counters	 rc;
	struct ctl_stats	 cs;
	int64_t			 now = mono_ms();
	int			 i, method = AUTH_CRC;

	for (i = 0; i < conf->nkeys; i++)
		if (conf->keys[i].index == conf->auth_use)
			method = conf->keys[i].method;
	jw_str(w, "version", PACKAGE_VERSION);
	jw_str(w, "node", conf->local);
	jw_str(w, "cluster", conf->cluster);
	jw_str(w, "status", rsc_shutting_down() ? "leaving" :
	    rsc_local_status() == HB_ST_INIT ? "init" : "active");
	jw_int(w, "generation", generation);
	jw_int(w, "uptime_ms", now - start_ms);
	jw_int(w, "mono_ms", now);
	jw_int(w, "time_ms", real_ms());
	jw_str(w, "resources_held", rsc_held_summary());

	jw_obj_begin(w, "config");
	jw_int(w, "keepalive_ms", conf->keepalive_ms);
	jw_int(w, "warntime_ms", conf->warntime_ms);
	jw_int(w, "deadtime_ms", conf->deadtime_ms);
	jw_int(w, "initdead_ms", conf->initdead_ms);
	jw_int(w, "deadping_ms", conf->deadping_ms);
	jw_str(w, "auto_failback", auto_failback_name(conf->auto_failback));
	jw_str(w, "auth_method", auth_method_name(method));
	jw_bool(w, "snmp_write", conf->snmp_write);
	jw_int(w, "udpport", conf->udpport);
	jw_bool(w, "fencing", fence_configured());
	jw_str(w, "config_file", conf->conf_path ? conf->conf_path :
	    conf->hacf_path);
	jw_obj_end(w);

	jw_arr_begin(w, "nodes");
	node_status(w, conf->local_index, now);
	for (i = 0; i < conf->nnodes; i++)
		if (i != conf->local_index)
			node_status(w, i, now);
	ping_status(w, conf->nnodes + 1);
	jw_arr_end(w);

	rsc_status(w);

	rsc_get_counters(&rc);
	ctl_get_stats(&cs);
	jw_obj_begin(w, "counters");
	jw_int(w, "takeovers", (int64_t)rc.takeovers);
	jw_int(w, "releases", (int64_t)rc.releases);
	jw_int(w, "late_heartbeats", (int64_t)cnt.late_heartbeats);
	jw_int(w, "auth_failures", (int64_t)cnt.auth_failures);
	jw_int(w, "replays", (int64_t)cnt.replays);
	jw_int(w, "malformed", (int64_t)cnt.malformed);
	jw_int(w, "unknown_node", (int64_t)cnt.unknown_node);
	jw_int(w, "wrong_cluster", (int64_t)cnt.wrong_cluster);
	jw_int(w, "packets_in", (int64_t)cnt.packets_in);
	jw_int(w, "packets_out", (int64_t)cnt.packets_out);
	jw_int(w, "resource_failures", (int64_t)rc.resource_failures);
	jw_int(w, "restarts", (int64_t)rc.restarts);
	jw_int(w, "fences", (int64_t)fence_count());
	jw_int(w, "fence_failures", (int64_t)fence_failures());
	jw_int(w, "control_refused", (int64_t)cs.refused);
	jw_int(w, "control_bad_frames", (int64_t)cs.bad_frames);
	jw_int(w, "control_slow_dropped", (int64_t)cs.slow_dropped);
	jw_int(w, "loop_late", (int64_t)ev_late_count());
	jw_int(w, "events", (int64_t)ctl_event_seq());
	jw_obj_end(w);

	jw_obj_begin(w, "fence");
	jw_bool(w, "configured", fence_configured());
	jw_str(w, "state", fence_state_name(fence_state()));
	jw_obj_end(w);
	supervise_status(w);
}

static int	(*reload_hook)(char *, size_t);

void
cluster_set_reload_hook(int (*fn)(char *, size_t))
{
	reload_hook = fn;
}

int
cluster_command(const char *cmd, const struct jval *req, struct jw *reply,
    char *err, size_t len)
{
	if (strcmp(cmd, "hello") == 0) {
		jw_str(reply, "version", PACKAGE_VERSION);
		jw_str(reply, "node", conf->local);
		return 0;
	}
	if (strcmp(cmd, "standby") == 0 || strcmp(cmd, "takeover") == 0 ||
	    strcmp(cmd, "move") == 0)
		return rsc_admin(cmd, req, reply, err, len);
	if (strcmp(cmd, "poison") == 0) {
		if (send_pill(json_get_str(req, "node"), err, len) == -1)
			return -1;
		jw_str(reply, "result", "poison pill sent");
		return 0;
	}
	if (strcmp(cmd, "reload") == 0) {
		if (reload_hook == NULL || reload_hook(err, len) == -1)
			return -1;
		jw_str(reply, "result", "configuration reloaded");
		return 0;
	}
	snprintf(err, len, "unknown command %s (status, standby, takeover, "
	    "move, reload, subscribe)", cmd);
	return -1;
}
