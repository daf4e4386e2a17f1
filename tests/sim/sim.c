/*
 * sim: one scenario, step by step. Virtual time in ms, a binary heap of
 * events, two nodes whose decisions are made by the real core, and a
 * world the simulator keeps honest: which machine really has which
 * resource active, which daemon is really running, which packet was
 * really sent. The invariants compare the cores' views with that world
 * after every step.
 *
 * The hot path allocates nothing: packets go to a preallocated arena
 * (the attacker's recording is that arena), events to a preallocated
 * heap; only core_new() allocates, once per daemon start.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "json.h"
#include "sim.h"
#include "util.h"

#define MAX_PKTS	(1 << 16)
#define ARENA_BYTES	(16u << 20)
#define MAX_EVENTS	(1 << 16)
#define WALL_BASE	1800000000u	/* the virtual wall clock, seconds */
#define FENCE_RETRY_MAX	60000	/* core_int.h: the longest fence backoff */
#define NET_MAX_DELAY	3500	/* the largest delay a fault adds + base */
#define HIST		4	/* older copies of the state directory */

/* ---- events ---- */

enum ev_kind {
	E_START,	/* a: persist mode */
	E_POWER_ON,
	E_TIMER,	/* a: timer id, b: timer generation */
	E_DELIVER,	/* a: link, b: packet */
	E_DISK_POLL,
	E_PING_TICK,
	E_AGENT,	/* a: group << 8 | rsc, b: run id */
	E_FENCE,	/* b: fence id */
	E_FAULT,	/* a: fault index */
	E_FAULT_END,	/* a: fault index */
	E_REPLAY,	/* a: fault index */
	E_SIGTERM2,
	E_HEAL,
	E_CHECK
};

struct ev {
	int64_t		 t;
	uint64_t	 order;		/* class << 32 | sequence */
	uint8_t		 kind, node;
	uint32_t	 inc;		/* the daemon (or boot) it belongs to */
	int32_t		 a, b;
};

/* ---- packets: every one ever sent, the attacker's recording ---- */

struct pkt {
	uint32_t	 off;
	uint16_t	 len;
	uint8_t		 src, pill;
	uint8_t		 special;	/* a goodbye or a poison pill */
	int64_t		 sent;
	uint32_t	 deliv_inc[SIM_NODES];	/* incarnation it reached */
};

/* ---- the network, per link and direction (index: sender) ---- */

struct linkdir {
	int		 cut;		/* count of active cuts */
	int		 loss;		/* permille, summed */
	int		 dup;
	int		 jitter;	/* ms */
	int64_t		 last;		/* serial: keep frames in order */
};

/* ---- a node: the machine, its daemon, its disk, its world ---- */

struct run {
	uint32_t	 id;		/* 0: none */
	enum core_act_kind act;
	enum core_result result;
	int		 exit_code, timed_out;
	int64_t		 began, dur;
	uint32_t	 boot;
};

struct node {
	int		 idx;
	struct core	*core;		/* NULL: no daemon running */
	int		 machine_on;
	uint32_t	 inc;		/* daemon incarnation */
	uint32_t	 boot;		/* machine boot count */
	int		 variant;
	const struct conf *conf;
	int64_t		 started_at, down_since;
	int64_t		 withheld_at;	/* a never-delivered packet of its went in late */
	int64_t		 clock_back;	/* s: the wall clock is this far behind */
	uint32_t	 timer_gen[CORE_NTIMERS];
	int		 restart_pending;

	/* the state directory */
	int		 has_disk;
	struct core_persist disk;
	struct core_persist hist[HIST];
	int		 nhist;

	/* the world */
	uint8_t		 active[HBD_MAX_GROUPS][HBD_MAX_RSC];
	struct run	 runs[HBD_MAX_GROUPS][HBD_MAX_RSC];
	uint32_t	 fence_id;	/* the running fence program, 0 none */
	int		 fence_target;
	int		 fence_powers_off;

	/* ping: the uplink and the shell's view */
	int		 ping_cut[SIM_PING_ADDRS];
	int64_t		 ping_last_ok[SIM_PING_ADDRS];
	int		 ping_rep_up, ping_rep_total;

	/* the disk medium */
	int		 disk_stall;
	int64_t		 disk_stall_end;	/* when the last stall ended */
	uint32_t	 seen_slot, seen_mail;

	/* faults in force */
	int		 agent_mode[AM_NMODES];	/* permille, summed */
	int		 fence_fail, fence_slow;
};

struct sim {
	const struct scenario	*sc;
	const struct sim_family	*fam;
	const struct sim_opts	*o;
	struct sim_result	*res;
	struct rng		 r;
	struct rng		 ra;		/* the attacker's choices */
	int64_t			 now;
	uint64_t		 evseq;
	int			 healed, done;
	struct node		 n[SIM_NODES];
	struct linkdir		 net[SIM_LINKS][SIM_NODES];
	/* the disk medium: each node's slot, each node's mailbox */
	int32_t			 slot[SIM_NODES], mail[SIM_NODES];
	uint32_t		 slot_ver[SIM_NODES], mail_ver[SIM_NODES];
	/* checks */
	int			 fence_strict;	/* dual activity is a failure */
	int			 failback_strict;
	int			 settled;	/* calm: the initial placement */
	int			 owner[HBD_MAX_GROUPS];
	int64_t			 conv_since;
	uint32_t		 uid;
};

static struct ev	*heap;
static int		 nheap;
static struct pkt	*pkts;
static int		 npkts;
#define MAX_SPECIAL	1024
static int32_t		 special[MAX_SPECIAL];	/* goodbyes and pills */
static int		 nspecial;
static uint8_t		*arena;
static uint32_t		 arena_used;
static struct jval	*admin_req[32];
static const char	*admin_cmd[32];
static char		 admin_text[32][160];
static int		 nadmin;
static struct buf	 reply_buf;
static int		 firing_timer = -1, firing_node = -1;
int			 sim_spin_ok;

static const char *node_name[SIM_NODES] = { "alpha", "bravo" };
static const char *link_from[SIM_LINKS][SIM_NODES] = {
	{ "10.88.0.11:694", "10.88.0.12:694" },
	{ "10.88.1.11:694", "10.88.1.12:694" },
	{ "/dev/ttyS0", "/dev/ttyS0" },
	{ "/dev/sdz", "/dev/sdz" }
};

/* ---- the trace ---- */

#define RING_LINES	200
static char	 ring[RING_LINES][240];
static int	 ring_next, ring_count;

static void
tr(struct sim *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
tr(struct sim *s, const char *fmt, ...)
{
	char	 line[2048];
	int	 n;
	va_list	 ap;

	if (!s->o->trace)
		return;
	n = snprintf(line, sizeof(line), "%9.3f  ", (double)s->now / 1000);
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	va_end(ap);
	if (s->o->trace == 1) {
		puts(line);
		return;
	}
	hbd_strlcpy(ring[ring_next], line, sizeof(ring[0]));
	ring_next = (ring_next + 1) % RING_LINES;
	if (ring_count < RING_LINES)
		ring_count++;
}

void
sim_trace_ring_print(FILE *fp)
{
	int	 i, start = (ring_next - ring_count + RING_LINES) % RING_LINES;

	for (i = 0; i < ring_count; i++)
		fprintf(fp, "%s\n", ring[(start + i) % RING_LINES]);
	ring_count = ring_next = 0;
}

static void
fail(struct sim *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
fail(struct sim *s, const char *fmt, ...)
{
	va_list	 ap;

	if (s->res->failed)
		return;
	s->res->failed = 1;
	s->res->at = s->now;
	va_start(ap, fmt);
	vsnprintf(s->res->what, sizeof(s->res->what), fmt, ap);
	va_end(ap);
	tr(s, "VIOLATION: %s", s->res->what);
	s->done = 1;
}

/* ---- the event heap ---- */

static int
ev_less(const struct ev *a, const struct ev *b)
{
	return a->t < b->t || (a->t == b->t && a->order < b->order);
}

static void
push(struct sim *s, int64_t t, int cls, int kind, int node, uint32_t inc,
    int32_t a, int32_t b)
{
	struct ev	 e;
	int		 i;

	if (nheap == MAX_EVENTS) {
		fail(s, "simulator: more than %d pending events", MAX_EVENTS);
		return;
	}
	e.t = t < s->now ? s->now : t;
	e.order = ((uint64_t)cls << 32) | (s->evseq++ & 0xffffffffu);
	e.kind = (uint8_t)kind;
	e.node = (uint8_t)node;
	e.inc = inc;
	e.a = a;
	e.b = b;
	for (i = nheap++; i > 0 && ev_less(&e, &heap[(i - 1) / 2]);
	    i = (i - 1) / 2)
		heap[i] = heap[(i - 1) / 2];
	heap[i] = e;
}

static struct ev
pop(void)
{
	struct ev	 top = heap[0], last = heap[--nheap];
	int		 i = 0, c;

	for (;;) {
		c = 2 * i + 1;
		if (c >= nheap)
			break;
		if (c + 1 < nheap && ev_less(&heap[c + 1], &heap[c]))
			c++;
		if (!ev_less(&heap[c], &last))
			break;
		heap[i] = heap[c];
		i = c;
	}
	heap[i] = last;
	return top;
}

/* ---- admin requests, as hbctl and snmpset send them ---- */

static void
admin_add(const char *cmd, const char *json)
{
	char	 err[128];

	admin_cmd[nadmin] = cmd;
	hbd_strlcpy(admin_text[nadmin], json, sizeof(admin_text[0]));
	admin_req[nadmin] = json_parse(json, strlen(json), err, sizeof(err));
	if (admin_req[nadmin] == NULL) {
		fprintf(stderr, "sim: bad admin request %s: %s\n", json, err);
		exit(2);
	}
	nadmin++;
}

int
sim_admin_count(void)
{
	return nadmin;
}

const char *
sim_admin_desc(int i)
{
	return i >= 0 && i < nadmin ? admin_text[i] : "?";
}

void
sim_global_init(void)
{
	static const char *which[] = { "all", "local", "foreign", "failback" };
	static const char *groups[] = { "IPaddr::10.88.0.100/24",
	    "IPaddr::10.88.0.101/24", "Filesystem::/dev/sdc1::/srv/x::ext4" };
	char		 j[160];
	size_t		 i, k;

	heap = xreallocarray(NULL, MAX_EVENTS, sizeof(*heap));
	pkts = xreallocarray(NULL, MAX_PKTS, sizeof(*pkts));
	arena = xcalloc(1, ARENA_BYTES);
	buf_init(&reply_buf);
	for (i = 0; i < nitems(which); i++) {
		snprintf(j, sizeof(j), "{\"cmd\":\"standby\",\"which\":\"%s\"}",
		    which[i]);
		admin_add("standby", j);
		snprintf(j, sizeof(j), "{\"cmd\":\"takeover\",\"which\":"
		    "\"%s\"}", which[i]);
		admin_add("takeover", j);
	}
	for (i = 0; i < nitems(groups); i++)
		for (k = 0; k < SIM_NODES; k++) {
			/* hbctl move GROUP NODE; hbd-snmp sends the same */
			snprintf(j, sizeof(j), "{\"cmd\":\"move\",\"group\":"
			    "\"%s\",\"node\":\"%s\"}", groups[i], node_name[k]);
			admin_add("move", j);
		}
	for (k = 0; k < SIM_NODES; k++) {
		snprintf(j, sizeof(j), "{\"cmd\":\"poison\",\"node\":\"%s\"}",
		    node_name[k]);
		admin_add("poison", j);
	}
}

/* ---- helpers ---- */

/*
 * Started or starting; or stopping (or failed to stop) with something of
 * it really active. A node that stops what a probe could not judge
 * ("error") while the peer runs the group is cleaning up, not running it.
 */
static int
grp_running_state(int st, int dirty, int active)
{
	return st == GS_STARTING || st == GS_STARTED ||
	    ((st == GS_STOPPING || (st == GS_FAILED && dirty)) && active);
}

static int
world_any(const struct node *n, int g)
{
	int	 r;

	for (r = 0; r < HBD_MAX_RSC; r++)
		if (n->active[g][r])
			return 1;
	return 0;
}

static int
world_all(const struct sim *s, const struct node *n, int g)
{
	int	 r, nrsc = s->fam->conf[0][0]->groups[g].nrsc;

	for (r = 0; r < nrsc; r++)
		if (!n->active[g][r])
			return 0;
	return 1;
}

static uint32_t
wall_s(const struct sim *s)
{
	return WALL_BASE + (uint32_t)(s->now / 1000);
}

/*
 * A node's wall clock, which may have stepped back. With the state
 * directory lost or stale too, hbd cannot know its last generation
 * (state.c says so: the peer rejects it until the peer restarts): the
 * simulator does not combine the two.
 */
static uint32_t
node_wall(const struct sim *s, const struct node *n, int kept)
{
	if (!kept)
		return wall_s(s);
	return wall_s(s) - (uint32_t)n->clock_back;
}

static void drain(struct sim *, struct node *);

/* ---- the daemon's life ---- */

static void
daemon_gone(struct sim *s, struct node *n, const char *why)
{
	if (n->core == NULL)
		return;
	core_free(n->core);
	n->core = NULL;
	n->inc++;
	n->down_since = s->now;
	tr(s, "%s: hbd %s", node_name[n->idx], why);
}

static void
ping_report(struct sim *s, struct node *n)
{
	const struct conf	*c = n->conf;
	int			 i, j, up = 0, v = n->variant, unknown = 0;

	if (n->core == NULL)
		return;
	for (i = 0; i < c->npings; i++) {
		int	 ans = 0;

		for (j = 0; j < c->pings[i].naddr; j++) {
			int	 a = s->fam->ping_addr[v][i][j];
			int64_t	 ok = n->ping_last_ok[a];

			if (ok && ok >= n->started_at &&
			    s->now - ok <= (int64_t)c->deadping_ms) {
				ans = 1;
				break;
			}
		}
		up += ans;
		/* ping.c: unknown until it answers or deadping passes */
		if (!ans && s->now - n->started_at < (int64_t)c->deadping_ms)
			unknown = 1;
	}
	if (unknown)
		up = -1;
	if (up == n->ping_rep_up && c->npings == n->ping_rep_total)
		return;
	n->ping_rep_up = up;
	n->ping_rep_total = c->npings;
	tr(s, "%s: ping nodes reachable %d of %d", node_name[n->idx], up,
	    c->npings);
	core_ping(n->core, up, c->npings, s->now);
	drain(s, n);
}

static void
daemon_start(struct sim *s, struct node *n, int mode)
{
	const struct core_persist	*p = NULL;

	n->restart_pending = 0;
	if (n->core || !n->machine_on || s->done)
		return;
	switch (mode) {
	case PM_KEPT:
		p = n->has_disk ? &n->disk : NULL;
		break;
	case PM_LOST:
		n->has_disk = 0;
		n->nhist = 0;
		break;
	case PM_STALE:
		if (n->nhist > 0)
			p = &n->hist[rng_below(&s->r, (uint32_t)n->nhist)];
		break;
	}
	n->inc++;
	n->started_at = s->now;
	memset(n->timer_gen, 0, sizeof(n->timer_gen));
	n->ping_rep_up = n->ping_rep_total = -1;
	/* the servant reports the peer's slot once; old pills are cleared */
	n->seen_slot = 0;
	s->mail[n->idx] = -1;
	n->seen_mail = s->mail_ver[n->idx];
	tr(s, "%s: hbd starts, wall clock %u, state %s", node_name[n->idx],
	    node_wall(s, n, mode == PM_KEPT && p), mode == PM_KEPT ? (p ? "kept" : "none") : mode == PM_LOST ?
	    "lost" : p ? "stale" : "none");
	n->core = core_new(n->conf, p, node_wall(s, n, mode == PM_KEPT && p),
	    s->now);
	if (n->core == NULL) {
		fail(s, "core_new failed on %s", node_name[n->idx]);
		return;
	}
	core_set_quiet(n->core, s->o->quiet_core);
	s->res->restarts++;
	drain(s, n);
	if (n->core == NULL)
		return;
	core_start(n->core, s->now);
	drain(s, n);
	if (n->core == NULL)
		return;
	if (n->conf->npings > 0) {
		core_ping(n->core, -1, n->conf->npings, s->now);
		n->ping_rep_up = -1;
		n->ping_rep_total = n->conf->npings;
		drain(s, n);
		push(s, s->now, 0, E_PING_TICK, n->idx, n->inc, 0, 0);
	}
	if (s->fam->medium_of[n->variant][n->idx][L_DISK] >= 0)
		push(s, s->now, 0, E_DISK_POLL, n->idx, n->inc, 0, 0);
}

static void
schedule_restart(struct sim *s, struct node *n, int64_t after, int mode)
{
	if (n->restart_pending)
		return;
	n->restart_pending = 1;
	push(s, s->now + after, 0, E_START, n->idx, 0, mode, 0);
}

static void
power_off(struct sim *s, struct node *n, const char *why)
{
	if (!n->machine_on)
		return;
	daemon_gone(s, n, why);
	if (n->down_since < s->now)
		n->down_since = s->now;
	n->machine_on = 0;
	n->boot++;
	memset(n->active, 0, sizeof(n->active));
	memset(n->runs, 0, sizeof(n->runs));
	n->fence_id = 0;
	tr(s, "%s: machine powered off (%s)", node_name[n->idx], why);
	push(s, s->now + (s->healed ? rng_range(&s->r, 5000, 15000) :
	    rng_range(&s->r, 10000, 40000)), 0, E_POWER_ON, n->idx, 0, 0, 0);
}

/* ---- carrying out a core's actions ---- */

static int32_t
record(struct sim *s, const struct core_action *a, int src)
{
	struct pkt	*p;

	if (npkts == MAX_PKTS || arena_used + a->len > ARENA_BYTES) {
		fail(s, "packet storm: more than %d packets in one scenario",
		    npkts);
		return -1;
	}
	p = &pkts[npkts];
	p->off = arena_used;
	p->len = (uint16_t)a->len;
	p->src = (uint8_t)src;
	p->pill = (uint8_t)a->pill;
	p->sent = s->now;
	p->deliv_inc[0] = p->deliv_inc[1] = 0;
	/* hb_msg.h: status and flags follow the name at offset 21 */
	p->special = 0;
	if (a->len > 23 && 21 + (size_t)a->bytes[20] + 1 < a->len) {
		size_t	 o = 21 + (size_t)a->bytes[20];

		p->special = a->bytes[o] == HB_ST_LEFT ||
		    (a->bytes[o + 1] & HBF_POISON);
	}
	if (p->special && nspecial < MAX_SPECIAL)
		special[nspecial++] = npkts;
	memcpy(arena + arena_used, a->bytes, a->len);
	arena_used += (uint32_t)a->len;
	s->res->packets++;
	return npkts++;
}

static void
net_send(struct sim *s, int src, int link, int32_t pi)
{
	struct linkdir	*ld = &s->net[link][src];
	int64_t		 d;
	int		 copies = 1, i, jitter = ld->jitter;

	if (ld->cut || (ld->loss && rng_chance(&s->r, (uint32_t)ld->loss)))
		return;
	if (ld->dup && rng_chance(&s->r, (uint32_t)ld->dup))
		copies = 2;
	/* overlapping delay faults: never later than the belief bound allows */
	if (jitter > NET_MAX_DELAY - 500)
		jitter = NET_MAX_DELAY - 500;
	for (i = 0; i < copies; i++) {
		if (link == L_SERIAL) {
			d = s->now + rng_range(&s->r, 5, 15) +
			    (jitter ? rng_range(&s->r, 0, jitter) : 0);
			if (d <= ld->last)
				d = ld->last + 1;	/* a line keeps order */
			ld->last = d;
		} else
			d = s->now + rng_range(&s->r, 0, 2) +
			    (jitter ? rng_range(&s->r, 0, jitter) : 0);
		push(s, d, 0, E_DELIVER, 1 - src, 0, link, pi);
	}
}

static void
do_send(struct sim *s, struct node *n, const struct core_action *a)
{
	const struct sim_family	*f = s->fam;
	int			 i, link, peer = 1 - n->idx;
	int32_t			 pi = record(s, a, n->idx);

	if (pi < 0)
		return;
	for (i = 0; i < n->conf->nmedia; i++) {
		link = f->link_of[n->variant][n->idx][i];
		if (link != L_DISK) {
			net_send(s, n->idx, link, pi);
			continue;
		}
		/* a cut or lossy disk path: this write does not land */
		if (n->disk_stall || s->net[L_DISK][n->idx].cut ||
		    (s->net[L_DISK][n->idx].loss && rng_chance(&s->r,
		    (uint32_t)s->net[L_DISK][n->idx].loss)))
			continue;
		s->slot[n->idx] = pi;
		s->slot_ver[n->idx]++;
		if (a->pill) {
			s->mail[peer] = pi;
			s->mail_ver[peer]++;
		}
	}
}

static void
do_run(struct sim *s, struct node *n, const struct core_action *a)
{
	struct run	*r;
	int		 g = a->group, ri = a->rsc, peer = 1 - n->idx;
	int64_t		 dur;

	if (g < 0 || g >= s->fam->ngroups || ri < 0 ||
	    ri >= s->fam->conf[0][0]->groups[g].nrsc) {
		fail(s, "%s: CA_RUN for group %d resource %d, which does not "
		    "exist", node_name[n->idx], g, ri);
		return;
	}
	r = &n->runs[g][ri];
	/* taking the group: the peer must not have any of it */
	if (a->act == CORE_START && s->fence_strict &&
	    s->fam->needs_fence[g] && s->n[peer].machine_on &&
	    world_any(&s->n[peer], g))
		fail(s, "%s starts group %d (needs fencing) while %s still "
		    "has it active (%s)", node_name[n->idx], g,
		    node_name[peer], s->n[peer].core ? "its hbd runs" :
		    "its hbd is down, the machine is on");
	if (s->settled && s->sc->calm) {
		if (a->act == CORE_STOP && s->owner[g] == n->idx)
			fail(s, "stability: %s stops group %d with no cause "
			    "(a calm scenario)", node_name[n->idx], g);
		if (a->act == CORE_START && s->owner[g] != n->idx)
			fail(s, "stability: %s starts group %d, which runs on "
			    "%s, with no cause (a calm scenario)",
			    node_name[n->idx], g, node_name[peer]);
	}
	memset(r, 0, sizeof(*r));
	r->id = ++s->uid;
	r->act = a->act;
	r->boot = n->boot;
	r->began = s->now;
	r->exit_code = 0;
	if (n->agent_mode[AM_NOSPAWN] &&
	    rng_chance(&s->r, (uint32_t)n->agent_mode[AM_NOSPAWN])) {
		r->result = CR_NOSPAWN;
		r->exit_code = -1;
		dur = 0;
	} else if (n->agent_mode[AM_HANG] &&
	    rng_chance(&s->r, (uint32_t)n->agent_mode[AM_HANG])) {
		r->result = CR_FAILED;
		r->timed_out = 1;
		r->exit_code = -1;
		dur = a->timeout_ms;
	} else {
		int	 m = a->act == CORE_START ? AM_FAIL_START :
		    a->act == CORE_STOP ? AM_FAIL_STOP : AM_FAIL_STATUS;

		dur = a->act == CORE_STATUS ? rng_range(&s->r, 5, 300) :
		    rng_range(&s->r, 20, 2500);
		if (n->agent_mode[m] &&
		    rng_chance(&s->r, (uint32_t)n->agent_mode[m])) {
			r->result = CR_FAILED;
			r->exit_code = 1;
		} else
			r->result = CR_OK;	/* status: judged at the end */
	}
	r->dur = dur;
	push(s, s->now + dur, 0, E_AGENT, n->idx, n->inc, g << 8 | ri,
	    (int32_t)r->id);
}

static void
do_cancel(struct sim *s, struct node *n, int g)
{
	int	 ri;

	if (g < 0 || g >= HBD_MAX_GROUPS)
		return;
	for (ri = 0; ri < HBD_MAX_RSC; ri++) {
		struct run	*r = &n->runs[g][ri];

		if (r->id == 0)
			continue;
		/* a start killed halfway may have done part of its work */
		if (r->act == CORE_START && rng_chance(&s->r, 250))
			n->active[g][ri] = 1;
		r->id = 0;
	}
}

static void
do_fence(struct sim *s, struct node *n, const struct core_action *a)
{
	int64_t	 dur;
	int	 ok = 1;

	if (a->node != 1 - n->idx) {
		fail(s, "%s asks to fence node %d, not its peer",
		    node_name[n->idx], a->node);
		return;
	}
	n->fence_id = ++s->uid;
	n->fence_target = a->node;
	n->fence_powers_off = 1;
	if (n->fence_slow) {
		dur = a->timeout_ms;
		ok = 0;
		n->fence_powers_off = rng_chance(&s->r, 500);
	} else if (n->fence_fail) {
		dur = rng_range(&s->r, 200, 3000);
		ok = 0;
		n->fence_powers_off = 0;
	} else
		dur = rng_range(&s->r, 300, 3000);
	s->res->fences++;
	push(s, s->now + dur, 0, E_FENCE, n->idx, n->boot, ok,
	    (int32_t)n->fence_id);
}

static void
do_persist(struct node *n)
{
	if (n->has_disk) {
		memmove(&n->hist[1], &n->hist[0], sizeof(n->hist[0]) *
		    (HIST - 1));
		n->hist[0] = n->disk;
		if (n->nhist < HIST)
			n->nhist++;
	}
	n->disk = *core_persist_get(n->core);
	n->has_disk = 1;
}

static void
drain(struct sim *s, struct node *n)
{
	const struct core_action	*a;
	int				 i, na, exited = 0;

	if (n->core == NULL)
		return;
	a = core_actions(n->core, &na);
	for (i = 0; i < na; i++, a++) {
		switch (a->type) {
		case CA_SEND:
			do_send(s, n, a);
			break;
		case CA_RUN:
			tr(s, "%s: run group %d rsc %d %s", node_name[n->idx],
			    a->group, a->rsc, a->act == CORE_START ? "start" :
			    a->act == CORE_STOP ? "stop" : "status");
			do_run(s, n, a);
			break;
		case CA_CANCEL:
			tr(s, "%s: cancel group %d", node_name[n->idx],
			    a->group);
			do_cancel(s, n, a->group);
			break;
		case CA_FENCE:
			tr(s, "%s: fence %s", node_name[n->idx],
			    node_name[a->node & 1]);
			do_fence(s, n, a);
			break;
		case CA_PERSIST:
			do_persist(n);
			break;
		case CA_TIMER:
			if (a->timer < 0 || a->timer >= CORE_NTIMERS)
				break;
			n->timer_gen[a->timer]++;
			/*
			 * --spin-ok: a timer re-armed in the past by its own
			 * handler waits a ms, as a busy real loop would
			 */
			if (a->due >= 0 && a->due <= s->now && sim_spin_ok &&
			    a->timer == firing_timer && n->idx == firing_node)
				push(s, s->now + 1, 0, E_TIMER, n->idx, n->inc,
				    a->timer, (int32_t)n->timer_gen[a->timer]);
			else if (a->due >= 0)
				push(s, a->due, 0, E_TIMER, n->idx, n->inc,
				    a->timer, (int32_t)n->timer_gen[a->timer]);
			break;
		case CA_EVENT:
			tr(s, "%s: event %s", node_name[n->idx], a->text);
			break;
		case CA_LOG:
			tr(s, "%s: %s", node_name[n->idx], a->text);
			break;
		case CA_EXIT:
			exited = 1;
			break;
		case CA_HBV1:		/* no heartbeat peer in the simulator */
			break;
		}
	}
	if (exited) {
		daemon_gone(s, n, "exits");
		if (!s->done)
			schedule_restart(s, n, s->healed ? 1000 :
			    rng_range(&s->r, 2000, 20000), PM_KEPT);
	}
}

/* ---- invariants ---- */

struct digest {
	int	 v[HBD_MAX_GROUPS * 6 + 8];
	int	 n;
};

static void
digest_of(const struct sim *s, const struct node *n, struct digest *d)
{
	struct core_group_view	 gv;
	int			 g;

	d->n = 0;
	for (g = 0; g < s->fam->ngroups; g++) {
		memset(&gv, 0, sizeof(gv));
		core_group_view(n->core, g, &gv);
		d->v[d->n++] = gv.state;
		d->v[d->n++] = gv.dirty;
		d->v[d->n++] = (int)gv.epoch;
		d->v[d->n++] = gv.proposer;
		d->v[d->n++] = gv.target;
		d->v[d->n++] = gv.plan_busy;
	}
	d->v[d->n++] = core_peer_alive(n->core);
	d->v[d->n++] = core_peer_left(n->core);
	d->v[d->n++] = core_fence_done_flag(n->core);
	d->v[d->n++] = core_local_status(n->core);
	d->v[d->n++] = core_shutting_down(n->core);
}

static const char *
digest_field(const struct sim *s, int i)
{
	static const char *gf[] = { "state", "dirty", "epoch", "proposer",
	    "target", "plan_busy" };
	static const char *nf[] = { "peer_alive", "peer_left", "fence_done",
	    "local_status", "shutting_down" };
	static char	 b[64];
	int		 ng = s->fam->ngroups * 6;

	if (i < ng) {
		snprintf(b, sizeof(b), "group %d %s", i / 6, gf[i % 6]);
		return b;
	}
	return nf[(i - ng) % 5];
}

static void
check_safety(struct sim *s)
{
	struct core_group_view	 v[SIM_NODES];
	int			 g, i, both, r;

	if (!s->fence_strict)
		return;
	for (g = 0; g < s->fam->ngroups; g++) {
		if (!s->fam->needs_fence[g])
			continue;
		both = 1;
		for (i = 0; i < SIM_NODES; i++) {
			if (s->n[i].core == NULL) {
				both = 0;
				continue;
			}
			memset(&v[i], 0, sizeof(v[i]));
			core_group_view(s->n[i].core, g, &v[i]);
			if (!grp_running_state(v[i].state, v[i].dirty,
			    world_any(&s->n[i], g)))
				both = 0;
		}
		if (both) {
			fail(s, "safety: group %d (needs fencing) is %s on "
			    "alpha and %s on bravo", g,
			    grp_state_name(v[0].state),
			    grp_state_name(v[1].state));
			return;
		}
		if (world_any(&s->n[0], g) && world_any(&s->n[1], g)) {
			for (r = 0; r < HBD_MAX_RSC; r++)
				if (s->fam->is_fs[g][r] &&
				    s->n[0].active[g][r] &&
				    s->n[1].active[g][r])
					break;
			fail(s, "safety: group %d (needs fencing) is active "
			    "on both machines%s", g, r < HBD_MAX_RSC ?
			    ": a Filesystem is mounted twice" : "");
			return;
		}
	}
}

/* A node must not believe in a peer whose daemon died long ago. */
static void
check_peer_belief(struct sim *s)
{
	int		 i;
	int64_t		 bound = (int64_t)s->fam->max_deadtime +
	    NET_MAX_DELAY + 1500;

	for (i = 0; i < SIM_NODES; i++) {
		struct node	*n = &s->n[i], *p = &s->n[1 - i];

		if (n->core == NULL || p->core != NULL)
			continue;
		/*
		 * An attacker on the path who withheld a packet and hands it
		 * in late makes it arrive within its freshness (a deadtime
		 * after the exchange it answers): that is indistinguishable
		 * from a slow network, and buys one more deadtime at most.
		 */
		/*
		 * The observer's disk I/O hung: the peer's slot, read when it
		 * resumes, holds what the peer wrote before it died, fresh
		 * and never seen: a late delivery, as a slow network's.
		 */
		if ((n->disk_stall || n->disk_stall_end > p->down_since) &&
		    (n->disk_stall || n->disk_stall_end + bound >= s->now))
			continue;
		if (p->withheld_at > p->down_since &&
		    p->down_since + bound + (int64_t)s->fam->max_deadtime >=
		    s->now)
			continue;
		if (p->down_since + bound < s->now &&
		    n->started_at + bound < s->now &&
		    core_peer_alive(n->core)) {
			fail(s, "%s believes %s alive %lld ms after its hbd "
			    "stopped (deadtime %u ms)", node_name[i],
			    node_name[1 - i], (long long)(s->now -
			    p->down_since), n->conf->deadtime_ms);
			return;
		}
	}
}

/* Every group on exactly one node (FAILED ones are left to an operator). */
static int
converged(struct sim *s, char *why, size_t len, int *nfailed)
{
	struct core_group_view	 v[SIM_NODES];
	int			 g, i, on, where;

	*nfailed = 0;
	for (i = 0; i < SIM_NODES; i++)
		if (s->n[i].core == NULL) {
			snprintf(why, len, "hbd on %s is not running",
			    node_name[i]);
			return 0;
		}
	for (g = 0; g < s->fam->ngroups; g++) {
		on = 0;
		where = -1;
		for (i = 0; i < SIM_NODES; i++) {
			memset(&v[i], 0, sizeof(v[i]));
			core_group_view(s->n[i].core, g, &v[i]);
		}
		if (v[0].state == GS_FAILED || v[1].state == GS_FAILED) {
			(*nfailed)++;
			continue;
		}
		for (i = 0; i < SIM_NODES; i++)
			if (v[i].state == GS_STARTED &&
			    world_all(s, &s->n[i], g)) {
				on++;
				where = i;
			}
		if (on != 1) {
			snprintf(why, len, "group %d runs on %d nodes (alpha "
			    "%s%s, bravo %s%s)", g, on,
			    grp_state_name(v[0].state),
			    world_any(&s->n[0], g) ? " active" : "",
			    grp_state_name(v[1].state),
			    world_any(&s->n[1], g) ? " active" : "");
			return 0;
		}
		if (world_any(&s->n[1 - where], g) ||
		    v[1 - where].state != GS_STOPPED) {
			snprintf(why, len, "group %d runs on %s but %s has "
			    "it %s%s", g, node_name[where],
			    node_name[1 - where],
			    grp_state_name(v[1 - where].state),
			    world_any(&s->n[1 - where], g) ? " (active)" : "");
			return 0;
		}
		if (s->failback_strict &&
		    where != s->fam->conf[0][0]->groups[g].preferred) {
			snprintf(why, len, "group %d runs on %s, not on its "
			    "preferred node (auto_failback on)", g,
			    node_name[where]);
			return 0;
		}
	}
	return 1;
}

static void
check_calm(struct sim *s)
{
	char	 why[256];
	int	 g, nf;

	if (!s->sc->calm)
		return;
	if (!s->settled) {
		if (!converged(s, why, sizeof(why), &nf) || nf)
			return;
		for (g = 0; g < s->fam->ngroups; g++)
			s->owner[g] = s->n[0].active[g][0] ? 0 : 1;
		s->settled = 1;
		tr(s, "settled: the initial placement holds from now on");
		return;
	}
	for (g = 0; g < s->fam->ngroups; g++) {
		int	 o = s->owner[g];

		if (!world_all(s, &s->n[o], g) ||
		    world_any(&s->n[1 - o], g)) {
			fail(s, "stability: group %d left %s with no cause "
			    "(a calm scenario)", g, node_name[o]);
			return;
		}
	}
}

static void
check_all(struct sim *s)
{
	if (s->done)
		return;
	check_safety(s);
	check_peer_belief(s);
	check_calm(s);
}

/* ---- faults ---- */

static void
link_apply(struct sim *s, const struct fault *f, int sign)
{
	int	 l, d, lo = f->a, hi = f->a;

	if (f->kind == F_LINK_CUT) {
		lo = 0;
		hi = SIM_LINKS - 1;
	}
	for (l = lo; l <= hi; l++) {
		if (f->kind == F_LINK_CUT && !(f->a & (1 << l)))
			continue;
		for (d = 0; d < SIM_NODES; d++) {
			struct linkdir	*ld = &s->net[l % SIM_LINKS][d];

			if (d != f->node && !f->b)
				continue;
			switch (f->kind) {
			case F_LINK_LOSS:
				ld->loss += sign * f->c;
				break;
			case F_LINK_CUT:
				ld->cut += sign;
				break;
			case F_LINK_DELAY:
				ld->jitter += sign * f->x;
				break;
			case F_LINK_DUP:
				ld->dup += sign * f->c;
				break;
			}
		}
	}
}

static void
do_admin(struct sim *s, struct node *n, int i)
{
	struct jw	 w;
	char		 err[256];
	int		 rc;

	if (n->core == NULL || i < 0 || i >= nadmin)
		return;
	buf_reset(&reply_buf);
	jw_init(&w, &reply_buf);
	jw_obj_begin(&w, NULL);
	err[0] = '\0';
	rc = core_admin(n->core, admin_cmd[i], admin_req[i], &w, err,
	    sizeof(err), s->now);
	jw_obj_end(&w);
	tr(s, "%s: admin %s: %s", node_name[n->idx], admin_text[i],
	    rc == 0 ? buf_cstr(&reply_buf) : err);
	drain(s, n);
}

static void
fault_begin(struct sim *s, int fi)
{
	const struct fault	*f = &s->sc->f[fi];
	struct node		*n = &s->n[f->node];
	char			 d[256];
	int			 a;

	if (s->o->trace) {
		fault_describe(f, d, sizeof(d));
		tr(s, "FAULT %d: %s", fi, d);
	}
	switch (f->kind) {
	case F_LINK_LOSS:
	case F_LINK_CUT:
	case F_LINK_DELAY:
	case F_LINK_DUP:
		link_apply(s, f, 1);
		break;
	case F_DAEMON_CRASH:
		if (n->core == NULL)
			break;
		daemon_gone(s, n, "killed (-9)");
		schedule_restart(s, n, f->x, f->a);
		break;
	case F_POWER_OFF:
		power_off(s, n, "power failure");
		break;
	case F_SHUTDOWN:
		if (n->core == NULL)
			break;
		core_shutdown(n->core, s->now);
		drain(s, n);
		if (f->b && n->core)
			push(s, s->now + rng_range(&s->r, 500, 5000), 0,
			    E_SIGTERM2, n->idx, n->inc, 0, 0);
		break;
	case F_RELOAD:
		if (n->core == NULL)
			break;
		{
			const struct conf	*c = s->fam->conf[f->a][n->idx];
			char			 err[256];

			if (core_reload(n->core, c, err, sizeof(err),
			    s->now) == 0) {
				n->conf = c;
				n->variant = f->a;
				tr(s, "%s: reloaded (%s)", node_name[n->idx],
				    sim_variant_name(f->a));
				drain(s, n);
				ping_report(s, n);
			} else {
				tr(s, "%s: reload refused: %s",
				    node_name[n->idx], err);
				drain(s, n);
			}
		}
		break;
	case F_ADMIN:
		do_admin(s, n, f->a);
		break;
	case F_AGENT:
		n->agent_mode[f->a % AM_NMODES] += f->c;
		break;
	case F_RSC_DIE:
		if (n->machine_on)
			n->active[f->a % HBD_MAX_GROUPS][f->b % HBD_MAX_RSC] =
			    0;
		break;
	case F_FENCE_MODE:
		if (f->a)
			n->fence_slow++;
		else
			n->fence_fail++;
		break;
	case F_PING:
		for (a = 0; a < SIM_PING_ADDRS; a++)
			if (f->a == a || f->a >= SIM_PING_ADDRS)
				n->ping_cut[a]++;
		break;
	case F_REPLAY:
		for (a = 0; a < f->c; a++)
			push(s, s->now + rng_range(&s->r, 0, f->dur), 1,
			    E_REPLAY, f->node, 0, fi, 0);
		break;
	case F_DISK_STALL:
		n->disk_stall++;
		break;
	case F_GARBAGE:
		push(s, s->now, 1, E_REPLAY, f->node, 0, fi, 1);
		break;
	case F_CLOCK:
		n->clock_back += f->x;
		break;
	}
	if (f->dur > 0 && f->kind != F_REPLAY)
		push(s, s->now + f->dur, 0, E_FAULT_END, 0, 0, fi, 0);
}

static void
fault_end(struct sim *s, int fi)
{
	const struct fault	*f = &s->sc->f[fi];
	struct node		*n = &s->n[f->node];
	int			 a;

	if (s->healed)
		return;		/* everything was reset at the heal */
	switch (f->kind) {
	case F_LINK_LOSS:
	case F_LINK_CUT:
	case F_LINK_DELAY:
	case F_LINK_DUP:
		link_apply(s, f, -1);
		break;
	case F_AGENT:
		n->agent_mode[f->a % AM_NMODES] -= f->c;
		break;
	case F_FENCE_MODE:
		if (f->a)
			n->fence_slow--;
		else
			n->fence_fail--;
		break;
	case F_PING:
		for (a = 0; a < SIM_PING_ADDRS; a++)
			if (f->a == a || f->a >= SIM_PING_ADDRS)
				n->ping_cut[a]--;
		break;
	case F_DISK_STALL:
		n->disk_stall--;
		n->disk_stall_end = s->now;
		break;
	}
}

static void
heal(struct sim *s)
{
	int	 i;

	s->healed = 1;
	memset(s->net, 0, sizeof(s->net));
	for (i = 0; i < SIM_NODES; i++) {
		struct node	*n = &s->n[i];

		memset(n->agent_mode, 0, sizeof(n->agent_mode));
		memset(n->ping_cut, 0, sizeof(n->ping_cut));
		n->fence_fail = n->fence_slow = 0;
		if (n->disk_stall)
			n->disk_stall_end = s->now;
		n->disk_stall = 0;
		if (n->machine_on && n->core == NULL) {
			n->restart_pending = 0;
			schedule_restart(s, n, rng_range(&s->r, 0, 3000),
			    PM_KEPT);
		}
	}
	tr(s, "HEAL: faults stop, links heal, down daemons restart");
	push(s, s->now + 1000, 1, E_CHECK, 0, 0, 0, 0);
}

/* ---- deliveries ---- */

static void
deliver(struct sim *s, struct node *n, int link, int32_t pi)
{
	const struct pkt	*p = &pkts[pi];
	int			 m;

	if (n->core == NULL)
		return;
	m = s->fam->medium_of[n->variant][n->idx][link];
	if (m < 0)
		return;			/* not listening on that link */
	pkts[pi].deliv_inc[n->idx] = n->inc;
	core_rx(n->core, m, arena + p->off, p->len, link_from[link][p->src],
	    s->now);
	drain(s, n);
}

/*
 * The attacker: any recorded packet, any link, at any time. A packet the
 * node has already had, or one sent before this daemon started, must
 * change nothing it decides on.
 */
static void
replay(struct sim *s, struct node *n, int fi, int garbage)
{
	const struct fault		*f = &s->sc->f[fi];
	const struct core_action	*a;
	struct digest			 before, after;
	struct pkt			*p;
	uint8_t				 buf[HB_MAX_PACKET];
	int32_t				 pi;
	int				 link, m, inert, i, na;

	if (n->core == NULL || npkts == 0 || s->healed)
		return;
	if (garbage) {
		link = f->a % SIM_LINKS;
		pi = -1;
		for (i = npkts - 1; i >= 0 && i >= npkts - 50; i--)
			if (pkts[i].src != n->idx) {
				pi = i;
				break;
			}
	} else {
		/* mostly a goodbye or a pill, when there is one */
		link = (int)rng_below(&s->ra, SIM_LINKS);
		if (nspecial > 0 && rng_chance(&s->ra, 700))
			pi = special[rng_below(&s->ra, (uint32_t)nspecial)];
		else
			pi = (int32_t)rng_below(&s->ra, (uint32_t)npkts);
	}
	m = s->fam->medium_of[n->variant][n->idx][link];
	if (m < 0 || (pi < 0 && link != L_SERIAL))
		return;
	s->res->replays++;
	digest_of(s, n, &before);
	if (garbage) {
		inert = 1;
		if (link == L_SERIAL && (pi < 0 || rng_chance(&s->r, 500))) {
			tr(s, "%s: a garbled serial frame", node_name[n->idx]);
			core_rx(n->core, m, NULL, 0, link_from[link][0],
			    s->now);
		} else {
			p = &pkts[pi];
			memcpy(buf, arena + p->off, p->len);
			i = (int)rng_below(&s->r, (uint32_t)p->len * 8);
			buf[i / 8] ^= (uint8_t)(1 << (i % 8));
			tr(s, "%s: packet %d with bit %d flipped on %s",
			    node_name[n->idx], pi, i, link_from[link][0]);
			core_rx(n->core, m, buf, p->len,
			    link_from[link][p->src], s->now);
		}
	} else {
		p = &pkts[pi];
		inert = p->src == n->idx || p->sent < n->started_at ||
		    p->deliv_inc[n->idx] == n->inc;
		tr(s, "%s: REPLAY of packet %d (from %s at %.3f%s) on %s",
		    node_name[n->idx], pi, node_name[p->src],
		    (double)p->sent / 1000, inert ? ", must change nothing" :
		    ", never delivered", link_from[link][p->src]);
		if (!inert) {
			p->deliv_inc[n->idx] = n->inc;
			if (p->src != n->idx)
				s->n[p->src].withheld_at = s->now;
		}
		core_rx(n->core, m, arena + p->off, p->len,
		    link_from[link][p->src], s->now);
	}
	if (inert) {
		a = core_actions(n->core, &na);
		for (i = 0; i < na; i++)
			if (a[i].type == CA_RUN || a[i].type == CA_FENCE ||
			    a[i].type == CA_EXIT || a[i].type == CA_PERSIST ||
			    a[i].type == CA_CANCEL) {
				fail(s, "replay: an old or corrupted packet "
				    "made %s act (action type %d)",
				    node_name[n->idx], a[i].type);
				break;
			}
		digest_of(s, n, &after);
		for (i = 0; i < before.n && !s->done; i++)
			/*
			 * A packet of a generation newer than any the node knew
			 * when its fence succeeded voids that fence (the peer
			 * may have booted since): a replay can only make the
			 * node fence again before it takes over, never less
			 * careful. That one change is allowed.
			 */
			if (before.v[i] != after.v[i] &&
			    !(strcmp(digest_field(s, i), "fence_done") == 0 &&
			    before.v[i] == 1 && after.v[i] == 0))
				fail(s, "replay: an old or corrupted packet "
				    "changed %s's %s from %d to %d",
				    node_name[n->idx], digest_field(s, i),
				    before.v[i], after.v[i]);
	}
	drain(s, n);
}

static void
disk_poll(struct sim *s, struct node *n)
{
	int	 m = s->fam->medium_of[n->variant][n->idx][L_DISK];
	int	 peer = 1 - n->idx;

	if (m < 0 || n->core == NULL)
		return;
	if (!n->disk_stall) {
		if (s->slot_ver[peer] != n->seen_slot) {
			n->seen_slot = s->slot_ver[peer];
			deliver(s, n, L_DISK, s->slot[peer]);
		}
		if (n->core && s->mail_ver[n->idx] != n->seen_mail &&
		    s->mail[n->idx] >= 0) {
			n->seen_mail = s->mail_ver[n->idx];
			deliver(s, n, L_DISK, s->mail[n->idx]);
		}
	}
	if (n->core)
		push(s, s->now + n->conf->keepalive_ms, 0, E_DISK_POLL, n->idx,
		    n->inc, 0, 0);
}

static void
ping_tick(struct sim *s, struct node *n)
{
	int	 a;

	if (n->core == NULL)
		return;
	for (a = 0; a < SIM_PING_ADDRS; a++)
		if (!n->ping_cut[a])
			n->ping_last_ok[a] = s->now;
	ping_report(s, n);
	if (n->core && n->conf->npings > 0)
		push(s, s->now + n->conf->keepalive_ms, 0, E_PING_TICK,
		    n->idx, n->inc, 0, 0);
}

static void
agent_done(struct sim *s, struct node *n, const struct ev *e)
{
	int			 g = e->a >> 8, ri = e->a & 0xff;
	struct run		*r = &n->runs[g][ri];
	struct core_agent_result ar;
	char			 detail[64];

	if (r->id != (uint32_t)e->b || r->boot != n->boot || !n->machine_on)
		return;			/* cancelled, or the machine died */
	r->id = 0;
	/* the world changes whether or not the daemon still listens */
	switch (r->act) {
	case CORE_START:
		if (r->result == CR_OK)
			n->active[g][ri] = 1;
		else if (r->result == CR_FAILED)
			n->active[g][ri] = (uint8_t)rng_chance(&s->r, 500);
		break;
	case CORE_STOP:
		if (r->result == CR_OK)
			n->active[g][ri] = 0;
		else if (r->timed_out && rng_chance(&s->r, 300))
			n->active[g][ri] = 0;
		break;
	case CORE_STATUS:
		if (r->result == CR_OK)
			r->result = n->active[g][ri] ? CR_RUNNING :
			    CR_STOPPED;
		if (r->result == CR_STOPPED)
			r->exit_code = 7;
		break;
	}
	if (e->inc != n->inc || n->core == NULL)
		return;
	memset(&ar, 0, sizeof(ar));
	ar.group = g;
	ar.rsc = ri;
	ar.act = r->act;
	ar.result = r->result;
	ar.exit_code = r->exit_code;
	ar.timed_out = r->timed_out;
	ar.duration_ms = r->dur;
	if (r->timed_out)
		snprintf(detail, sizeof(detail), "timed out after %lld ms",
		    (long long)r->dur);
	else if (r->result == CR_NOSPAWN)
		snprintf(detail, sizeof(detail), "could not be run");
	else
		snprintf(detail, sizeof(detail), "exit %d", r->exit_code);
	ar.detail = detail;
	tr(s, "%s: group %d rsc %d %s: %s", node_name[n->idx], g, ri,
	    r->act == CORE_START ? "start" : r->act == CORE_STOP ? "stop" :
	    "status", r->result == CR_RUNNING ? "running" :
	    r->result == CR_STOPPED ? "stopped" : detail);
	core_agent_done(n->core, &ar, s->now);
	drain(s, n);
}

static void
fence_done(struct sim *s, struct node *n, const struct ev *e)
{
	struct node	*t;
	int		 ok = e->a;

	if (n->fence_id != (uint32_t)e->b || e->inc != n->boot)
		return;
	n->fence_id = 0;
	t = &s->n[n->fence_target];
	if (n->fence_powers_off)
		power_off(s, t, "fenced");
	if (ok && t->machine_on)
		ok = 0;			/* cannot happen: it was powered off */
	tr(s, "%s: fence of %s %s", node_name[n->idx], node_name[t->idx],
	    ok ? "succeeded" : "failed");
	if (n->core == NULL)
		return;
	core_fence_done(n->core, ok, ok ? 0 : n->fence_slow ? -1 : 1,
	    ok ? "exit 0" : n->fence_slow ? "timed out" : "exit 1", s->now);
	drain(s, n);
}

static void
check_tick(struct sim *s)
{
	char		 why[256];
	int		 nf;
	int64_t		 stable = 2 * (int64_t)s->fam->max_deadtime;
	int64_t		 bound = 4 * (int64_t)s->fam->max_deadtime +
	    s->fam->max_initdead + 6 * (int64_t)s->fam->max_timeout +
	    FENCE_RETRY_MAX + 60000;

	if (stable < 10000)
		stable = 10000;
	if (converged(s, why, sizeof(why), &nf)) {
		if (s->conv_since == 0)
			s->conv_since = s->now;
		if (s->now - s->conv_since >= stable) {
			s->res->left_failed = nf;
			s->done = 1;
			return;
		}
	} else
		s->conv_since = 0;
	if (s->now > s->sc->fault_end + bound) {
		fail(s, "liveness: %lld s after the faults stopped: %s",
		    (long long)(s->now - s->sc->fault_end) / 1000, why);
		return;
	}
	push(s, s->now + 1000, 1, E_CHECK, 0, 0, 0, 0);
}

/* ---- the run ---- */

static void
step(struct sim *s, const struct ev *e)
{
	struct node	*n = &s->n[e->node % SIM_NODES];

	switch (e->kind) {
	case E_START:
		daemon_start(s, n, e->a);
		break;
	case E_POWER_ON:
		if (n->machine_on)
			break;
		n->machine_on = 1;
		tr(s, "%s: machine boots", node_name[n->idx]);
		n->restart_pending = 0;
		daemon_start(s, n, PM_KEPT);
		break;
	case E_TIMER:
		if (e->inc != n->inc || n->core == NULL ||
		    n->timer_gen[e->a] != (uint32_t)e->b)
			break;
		core_timer(n->core, e->a, s->now);
		firing_timer = e->a;
		firing_node = n->idx;
		drain(s, n);
		firing_timer = firing_node = -1;
		break;
	case E_DELIVER:
		deliver(s, n, e->a, e->b);
		break;
	case E_DISK_POLL:
		if (e->inc == n->inc)
			disk_poll(s, n);
		break;
	case E_PING_TICK:
		if (e->inc == n->inc)
			ping_tick(s, n);
		break;
	case E_AGENT:
		agent_done(s, n, e);
		break;
	case E_FENCE:
		fence_done(s, n, e);
		break;
	case E_FAULT:
		if (!s->healed)
			fault_begin(s, e->a);
		break;
	case E_FAULT_END:
		fault_end(s, e->a);
		break;
	case E_REPLAY:
		replay(s, n, e->a, e->b);
		break;
	case E_SIGTERM2:
		if (e->inc == n->inc && n->core) {
			tr(s, "%s: second SIGTERM", node_name[n->idx]);
			core_shutdown(n->core, s->now);
			drain(s, n);
		}
		break;
	case E_HEAL:
		heal(s);
		break;
	case E_CHECK:
		check_tick(s);
		break;
	}
}

static int
scenario_uses(const struct scenario *sc, int kind)
{
	int	 i;

	for (i = 0; i < sc->nfaults; i++)
		if ((sc->keep >> i & 1) && sc->f[i].kind == kind)
			return 1;
	return 0;
}

void
sim_run(const struct scenario *sc, const struct sim_opts *o,
    struct sim_result *res)
{
	static struct sim	 s;
	struct ev		 e;
	int			 i, same_ms = 0;

	memset(&s, 0, sizeof(s));
	memset(res, 0, sizeof(*res));
	s.sc = sc;
	s.o = o;
	s.res = res;
	s.fam = sim_family(sc->family);
	rng_seed(&s.r, sc->seed);
	rng_seed(&s.ra, sc->seed ^ 0xa77ac4e5ULL);
	nheap = npkts = nspecial = 0;
	arena_used = 0;
	for (i = 0; i < SIM_NODES; i++) {
		s.slot[i] = s.mail[i] = -1;
		s.n[i].idx = i;
		s.n[i].machine_on = 1;
		s.n[i].variant = sc->variant[i];
		s.n[i].conf = s.fam->conf[sc->variant[i]][i];
		s.n[i].down_since = 0;
		s.owner[i] = -1;
	}
	/* without fencing a partition runs shared groups twice, by design */
	s.fence_strict = (s.fam->bits & FAM_FENCE) || sc->calm;
	s.failback_strict = (s.fam->bits & FAM_FAILBACK) &&
	    !scenario_uses(sc, F_ADMIN) && !scenario_uses(sc, F_PING) &&
	    !scenario_uses(sc, F_AGENT) && !scenario_uses(sc, F_RSC_DIE);
	if (o->trace) {
		tr(&s, "seed %llu: family 0x%02x (fence %s, auto_failback %s, "
		    "%s, %s, %s, %s, auth %s), %s, alpha %s, bravo %s",
		    (unsigned long long)sc->seed, s.fam->bits,
		    s.fam->bits & FAM_FENCE ? "on" : "off",
		    s.fam->bits & FAM_FAILBACK ? "on" : "off",
		    s.fam->bits & FAM_FS ? "Filesystem" : "no Filesystem",
		    s.fam->bits & FAM_PING ? "ping" : "no ping",
		    s.fam->bits & FAM_DISK ? "disk" : "no disk",
		    s.fam->bits & FAM_SERIAL ? "serial" : "no serial",
		    s.fam->auth, sc->calm ? "calm" : "chaos",
		    sim_variant_name(sc->variant[0]),
		    sim_variant_name(sc->variant[1]));
	}
	for (i = 0; i < SIM_NODES; i++)
		push(&s, sc->start_at[i], 0, E_START, i, 0, PM_LOST, 0);
	for (i = 0; i < sc->nfaults; i++)
		if (sc->keep >> i & 1)
			push(&s, sc->f[i].t, 0, E_FAULT, 0, 0, i, 0);
	push(&s, sc->fault_end, 0, E_HEAL, 0, 0, 0, 0);
	while (nheap > 0 && !s.done) {
		e = pop();
		if (e.t == s.now) {
			if (++same_ms > 200000) {
				fail(&s, "livelock: more than 200000 steps at "
				    "one virtual ms (last: event %d on %s, "
				    "a=%d)", e.kind, node_name[e.node % 2],
				    e.a);
				break;
			}
		} else
			same_ms = 0;
		s.now = e.t;
		step(&s, &e);
		res->steps++;
		check_all(&s);
	}
	res->vtime = s.now;
	for (i = 0; i < SIM_NODES; i++)
		if (s.n[i].core) {
			core_free(s.n[i].core);
			s.n[i].core = NULL;
		}
}
