/*
 * member: membership from timestamps.
 *
 * Timing: a link is dead when nothing authentic arrived on it for
 * deadtime; a node is dead when all its links are. Until a node has been
 * heard once since we started, initdead applies instead of deadtime (both
 * nodes booting together need longer). A late heartbeat is reported when
 * a packet arrives more than warntime after the previous one from that
 * node (heartbeat's rule: the interval is known only on arrival).
 */
#include "config.h"

#include <string.h>

#include "member.h"

void
member_init(struct member *m, const struct conf *c, int64_t now)
{
	int	 i, j;

	memset(m, 0, sizeof(*m));
	m->c = c;
	m->start = now;
	for (i = 0; i < HBD_MAX_NODES; i++) {
		m->nodes[i].status = NODE_INIT;
		m->nodes[i].changed = now;
		for (j = 0; j < HBD_MAX_MEDIA; j++)
			m->nodes[i].links[j].changed = now;
	}
	if (c->local_index >= 0) {
		m->nodes[c->local_index].status = NODE_ACTIVE;
		m->nodes[c->local_index].heard = 1;
	}
}

/* The nodes stay (a reload may not change them); media may differ. */
void
member_reconf(struct member *m, const struct conf *c)
{
	m->c = c;
}

int
member_alive(const struct member *m, int node)
{
	return m->nodes[node].status == NODE_UP ||
	    m->nodes[node].status == NODE_ACTIVE;
}

static void
push(struct member_ev *ev, int *nev, enum member_ev_type t, int node,
    int link, int64_t interval)
{
	if (*nev >= MEMBER_MAX_EV)
		return;
	ev[*nev].type = t;
	ev[*nev].node = node;
	ev[*nev].link = link;
	ev[*nev].interval = interval;
	(*nev)++;
}

static void
set_status(struct member_node *n, enum node_status s, int64_t now)
{
	if (n->status != s) {
		n->status = s;
		n->changed = now;
	}
}

int
member_rx(struct member *m, int node, int link, const struct hb_msg *msg,
    int64_t now, struct member_ev *ev, int *nev,
    enum replay_verdict *verdict)
{
	struct member_node	*n = &m->nodes[node];
	struct member_link	*l = &n->links[link];
	enum replay_verdict	 v;
	int			 news, was_alive = member_alive(m, node);
	int64_t			 interval;

	v = replay_check(&l->win, msg->generation, msg->seq);
	*verdict = v;
	if (v == REPLAY_DUP || v == REPLAY_OLD)
		return -1;
	/* a generation older than one already used is a replay too */
	if (n->heard && msg->generation < n->generation) {
		*verdict = REPLAY_OLD;
		return -1;
	}
	replay_accept(&l->win, msg->generation, msg->seq);

	/* the goodbye's extra copies change nothing, links included */
	if (msg->status == HB_ST_LEFT && n->left &&
	    msg->generation == n->generation)
		return 0;
	if (msg->status == HB_ST_LEFT)
		goto content;

	/*
	 * The link works; how recent is the proof? A packet never seen
	 * before is as recent as now. A copy of one that another link
	 * brought first is only as recent as that first sighting: a
	 * recording replayed onto a link that missed those sequence numbers
	 * cannot keep a dead peer alive past a deadtime after its death.
	 */
	{
		int64_t	 t;
		int	 fresh_news = msg->generation > n->generation ||
			    !n->heard || msg->seq > n->content_seq;
		struct member_seen *fs = &n->seen[msg->seq % MEMBER_SEEN];

		if (fresh_news) {
			fs->gen = msg->generation;
			fs->seq = msg->seq;
			fs->at = now;
			t = now;
		} else if (fs->gen == msg->generation && fs->seq == msg->seq)
			t = fs->at;
		else
			t = 0;		/* too old to say */
		if (t > 0 && now - t <= (int64_t)m->c->deadtime_ms) {
			if (l->status != LINK_UP) {
				l->status = LINK_UP;
				l->changed = now;
				push(ev, nev, ME_LINK_UP, node, link, 0);
			}
			if (t > l->last_rx)
				l->last_rx = t;
		}
	}

content:
	if (msg->generation > n->generation || !n->heard) {
		if (n->heard && was_alive && msg->generation > n->generation)
			push(ev, nev, ME_NODE_RESTARTED, node, link, 0);
		n->generation = msg->generation;
		n->content_seq = 0;
	}
	news = msg->seq > n->content_seq;
	if (!news)
		return 0;	/* the same packet, already seen on another link */
	n->content_seq = msg->seq;
	interval = n->last_rx ? now - n->last_rx : 0;
	n->last_rx = now;
	n->heard = 1;
	n->peer_status = msg->status;

	if (msg->status == HB_ST_LEFT) {
		if (n->status != NODE_DEAD || !n->left) {
			n->left = 1;
			for (link = 0; link < HBD_MAX_MEDIA; link++)
				n->links[link].status = LINK_DEAD;
			set_status(n, NODE_DEAD, now);
			push(ev, nev, ME_NODE_LEFT, node, -1, 0);
		}
		return 1;
	}
	n->left = 0;
	if (was_alive && interval > (int64_t)m->c->warntime_ms) {
		n->late_count++;
		push(ev, nev, ME_LATE, node, link, interval);
	}
	if (!was_alive) {
		set_status(n, msg->status == HB_ST_INIT ? NODE_UP :
		    NODE_ACTIVE, now);
		push(ev, nev, ME_NODE_UP, node, link, 0);
	} else if (n->status == NODE_UP && msg->status != HB_ST_INIT) {
		set_status(n, NODE_ACTIVE, now);
		push(ev, nev, ME_NODE_ACTIVE, node, link, 0);
	}
	return 1;
}

int
member_tick(struct member *m, int64_t now, struct member_ev *ev)
{
	const struct conf	*c = m->c;
	int			 nev = 0, i, j, any, dead;

	for (i = 0; i < c->nnodes; i++) {
		struct member_node	*n = &m->nodes[i];

		if (i == c->local_index)
			continue;
		any = 0;
		for (j = 0; j < c->nmedia; j++) {
			struct member_link	*l = &n->links[j];

			if (l->status != LINK_UP)
				continue;
			if (now - l->last_rx > (int64_t)c->deadtime_ms) {
				l->status = LINK_DEAD;
				l->changed = now;
				push(ev, &nev, ME_LINK_DEAD, i, j,
				    now - l->last_rx);
			} else
				any = 1;
		}
		/*
		 * Dead when every link is, and nothing came for a deadtime: a
		 * reload that replaced every medium has no live link yet, but
		 * the node is as alive as its last packet says.
		 */
		dead = !any && now - n->last_rx > (int64_t)c->deadtime_ms;
#if defined(HBD_MUTANT) && HBD_MUTANT == 6	/* sim-mutants: one dead link */
		for (j = 0; j < c->nmedia; j++)
			if (n->links[j].status != LINK_UP &&
			    n->links[j].last_rx != 0)
				dead = 1;
#endif
		if (member_alive(m, i) && dead) {
			n->dead_count++;
			set_status(n, NODE_DEAD, now);
			push(ev, &nev, ME_NODE_DEAD, i, -1, now - n->last_rx);
		} else if (n->status == NODE_INIT &&
		    now - m->start > (int64_t)c->initdead_ms) {
			n->dead_count++;
			set_status(n, NODE_DEAD, now);
			push(ev, &nev, ME_NODE_DEAD, i, -1, now - m->start);
		}
	}
	return nev;
}

int64_t
member_next_deadline(const struct member *m, int64_t now)
{
	const struct conf	*c = m->c;
	int64_t			 next = -1, t;
	int			 i, j, any;

	for (i = 0; i < c->nnodes; i++) {
		const struct member_node	*n = &m->nodes[i];

		if (i == c->local_index)
			continue;
		if (n->status == NODE_INIT) {
			t = m->start + c->initdead_ms + 1;
			if (next < 0 || t < next)
				next = t;
		}
		any = 0;
		for (j = 0; j < c->nmedia; j++) {
			if (n->links[j].status != LINK_UP)
				continue;
			any = 1;
			t = n->links[j].last_rx + c->deadtime_ms + 1;
			if (next < 0 || t < next)
				next = t;
		}
		/*
		 * Alive with no live link (a reload replaced the media): dead
		 * a deadtime after its last packet. With a live link, the last
		 * link's deadline comes first: a node deadline here would be
		 * in the past while a link lives, and fire again at once.
		 */
		if (!any && member_alive(m, i) && n->last_rx) {
			t = n->last_rx + c->deadtime_ms + 1;
			if (next < 0 || t < next)
				next = t;
		}
	}
	(void)now;
	return next;
}

const char *
node_status_name(enum node_status s)
{
	switch (s) {
	case NODE_INIT:
		return "init";
	case NODE_UP:
		return "up";
	case NODE_ACTIVE:
		return "active";
	case NODE_DEAD:
		return "dead";
	}
	return "?";
}

const char *
link_status_name(enum link_status s)
{
	return s == LINK_UP ? "up" : "dead";
}

const char *
member_ev_name(enum member_ev_type t)
{
	switch (t) {
	case ME_NODE_UP:
		return "node_up";
	case ME_NODE_ACTIVE:
		return "node_active";
	case ME_NODE_DEAD:
		return "node_dead";
	case ME_NODE_LEFT:
		return "node_left";
	case ME_NODE_RESTARTED:
		return "node_restarted";
	case ME_LATE:
		return "late_heartbeat";
	case ME_LINK_UP:
		return "link_up";
	case ME_LINK_DEAD:
		return "link_dead";
	}
	return "?";
}
