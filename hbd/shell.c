/*
 * shell: the daemon around the decision core. It owns everything that
 * touches the world — the event loop's timers, the heartbeat media, the
 * agents and fence programs run as children, ping nodes, the state
 * directory, the control socket's events, the log — and nothing that
 * decides. Every input becomes a core_*() call; every action the core
 * queues is carried out here, in order.
 *
 * Results that arise while actions are carried out (an agent that could
 * not even be spawned) are not fed back at once: the core is never
 * re-entered from inside its own action list. They wait in a small queue
 * delivered right after, in the same loop turn.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "agent.h"
#include "control.h"
#include "core.h"
#include "event.h"
#include "fence.h"
#include "hb_compat.h"
#include "log.h"
#include "media.h"
#include "member.h"
#include "ping.h"
#include "rsc_exec.h"
#include "shell.h"
#include "state.h"
#include "supervise.h"
#include "util.h"

struct step_run {
	struct agent_run run;
	int		 group, rsc;
	enum core_act_kind act;
	int		 busy;
};

enum { PEND_AGENT, PEND_FENCE };

struct pending {
	int		 kind;
	int		 group, rsc;
	enum core_act_kind act;
};

static struct conf	*conf;
static struct core	*core;
static struct ev_timer	 timers[CORE_NTIMERS];
static struct step_run	 steps[HBD_MAX_GROUPS];
static struct agent_run	 frun;
static int		 fbusy;
static struct pending	 pend[HBD_MAX_GROUPS + 4];
static int		 npend;
static struct core_persist written;
static int		 written_valid;
static int		(*reload_hook)(char *, size_t);

static void	drain(void);

static void
logs(int prio, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vmsg(prio, fmt, ap);
	va_end(ap);
}

/* ---- carrying actions out ---- */

static void
persist(void)
{
	const struct core_persist	*p = core_persist_get(core);
	struct state_placement		 sp[HBD_MAX_GROUPS];
	int				 i;

	if (!written_valid || p->generation != written.generation)
		state_save_generation(p->generation);
	if (!written_valid || p->peer_generation != written.peer_generation)
		state_save_peer_generation(p->peer_generation);
	if (!written_valid || p->nplacements != written.nplacements ||
	    memcmp(p->p, written.p, sizeof(p->p[0]) *
	    (size_t)p->nplacements) != 0) {
		memset(sp, 0, sizeof(sp));
		for (i = 0; i < p->nplacements; i++) {
			hbd_strlcpy(sp[i].group, p->p[i].group,
			    sizeof(sp[i].group));
			sp[i].epoch = p->p[i].epoch;
			sp[i].reason = p->p[i].reason;
			if (p->p[i].proposer >= 0 &&
			    p->p[i].proposer < conf->nnodes)
				hbd_strlcpy(sp[i].proposer,
				    conf->nodes[p->p[i].proposer],
				    sizeof(sp[i].proposer));
			if (p->p[i].target >= 0 &&
			    p->p[i].target < conf->nnodes)
				hbd_strlcpy(sp[i].target,
				    conf->nodes[p->p[i].target],
				    sizeof(sp[i].target));
		}
		state_save_placements(sp, p->nplacements);
	}
	written = *p;
	written_valid = 1;
}

static void
on_step_done(struct agent_run *r, void *arg)
{
	struct step_run			*s = arg;
	struct core_agent_result	 res;
	char				 detail[128];

	s->busy = 0;
	rsc_exec_result(conf, s->group, s->rsc, s->act, r, &res, detail,
	    sizeof(detail));
	core_agent_done(core, &res, mono_ms());
	drain();
}

static void
run_step(const struct core_action *a)
{
	struct step_run	*s;

	if (a->group < 0 || a->group >= HBD_MAX_GROUPS)
		return;
	s = &steps[a->group];
	if (s->busy) {
		/* the core cancels before it runs another: cannot happen */
		agent_cancel(&s->run);
		s->busy = 0;
	}
	s->group = a->group;
	s->rsc = a->rsc;
	s->act = a->act;
	log_info("group %s: running %s %s", conf->groups[a->group].name,
	    conf->groups[a->group].rsc[a->rsc].spec,
	    rsc_exec_action_word(&conf->groups[a->group].rsc[a->rsc], a->act));
	if (rsc_exec_spawn(&s->run, conf, a->group, a->rsc, a->act,
	    a->timeout_ms, on_step_done, s) == -1) {
		/* cannot even run it: tell the core, once it has returned */
		if (npend < (int)nitems(pend))
			pend[npend++] = (struct pending){ PEND_AGENT, a->group,
			    a->rsc, a->act };
		return;
	}
	s->busy = 1;
}

static void
on_fence_done(struct agent_run *r, void *arg)
{
	char	 detail[128];

	fbusy = 0;
	agent_describe(r, detail, sizeof(detail));
	core_fence_done(core, agent_exit_code(r) == 0, agent_exit_code(r),
	    detail, mono_ms());
	drain();
}

static void
on_timer(struct ev_timer *t, void *arg)
{
	core_timer(core, (int)(intptr_t)arg, mono_ms());
	drain();
}

static void
carry_out(const struct core_action *a)
{
	switch (a->type) {
	case CA_SEND:
		media_send_all(a->bytes, a->len);
		if (a->pill)
			media_send_pill(a->bytes, a->len);
		break;
	case CA_RUN:
		run_step(a);
		break;
	case CA_CANCEL:
		if (a->group >= 0 && a->group < HBD_MAX_GROUPS &&
		    steps[a->group].busy) {
			agent_cancel(&steps[a->group].run);
			steps[a->group].busy = 0;
		}
		break;
	case CA_FENCE:
		if (fbusy) {
			agent_cancel(&frun);
			fbusy = 0;
		}
		if (fence_spawn(&frun, conf, a->node, on_fence_done, NULL) ==
		    -1) {
			if (npend < (int)nitems(pend))
				pend[npend++] = (struct pending){ PEND_FENCE,
				    -1, -1, CORE_STATUS };
		} else
			fbusy = 1;
		break;
	case CA_PERSIST:
		persist();
		break;
	case CA_TIMER:
		if (a->timer < 0 || a->timer >= CORE_NTIMERS)
			break;
		if (a->due < 0)
			ev_timer_del(&timers[a->timer]);
		else
			ev_timer_at(&timers[a->timer], a->due);
		break;
	case CA_EVENT:
		ctl_event_raw(a->text);
		break;
	case CA_LOG:
		logs(a->prio, "%s", a->text);
		break;
	case CA_EXIT:
		ev_break();
		break;
	case CA_HBV1:
		hb_compat_send(conf, a->text);
		break;
	}
}

static void
deliver_pending(void)
{
	struct core_agent_result	 res;
	struct pending			 p;
	char				 detail[64];

	while (npend > 0) {
		p = pend[0];
		memmove(pend, pend + 1, sizeof(pend[0]) * (size_t)--npend);
		if (p.kind == PEND_AGENT) {
			rsc_exec_result(conf, p.group, p.rsc, p.act, NULL,
			    &res, detail, sizeof(detail));
			core_agent_done(core, &res, mono_ms());
		} else
			core_fence_done(core, 0, 127, "could not be run",
			    mono_ms());
		drain();
	}
}

/* Carry out what the core queued in its last call. */
static void
drain(void)
{
	const struct core_action	*a;
	int				 i, n;

	a = core_actions(core, &n);
	for (i = 0; i < n; i++)
		carry_out(&a[i]);
	deliver_pending();
}

/* ---- inputs ---- */

static void
on_packet(int medium, const uint8_t *pkt, size_t len, const char *from,
    void *arg)
{
	struct hb_msg	 m;
	struct hbv1_msg	 v;
	int		 hc;

	/*
	 * Not hbd's own packet: perhaps heartbeat 3.0.6's (issue 20). A
	 * peer that is heard, in any protocol, is alive.
	 */
	if (pkt != NULL && (len < 2 || pkt[0] != 'h' || pkt[1] != 'b')) {
		memset(&m, 0, sizeof(m));
		hc = hb_compat_rx(conf, pkt, len, &m, &v);
		if (hc == 1) {
			core_rx_foreign(core, medium, &m, &v, mono_ms());
			drain();
			return;
		}
		if (hc == 0)
			return;		/* heartbeat's: not malformed */
		if (hc == -2) {		/* heartbeat's, not authentic */
			core_count_auth_failure(core, from, m.node[0] ?
			    m.node : "?", mono_ms());
			drain();
			return;
		}
	}
	core_rx(core, medium, pkt, len, from, mono_ms());
	drain();
}

/* What the core is told: -1 while some ping node is not known yet. */
static int
ping_up_now(void)
{
	return ping_unknown_count() > 0 ? -1 : ping_up_count();
}

static void
on_ping_change(void)
{
	core_ping(core, ping_up_now(), ping_total(), mono_ms());
	drain();
}

/* ---- life ---- */

static void
load_state(struct core_persist *p)
{
	struct state_placement	 sp[HBD_MAX_GROUPS];
	int			 n, i;

	memset(p, 0, sizeof(*p));
	p->generation = state_load_generation();
	p->peer_generation = state_load_peer_generation();
	n = state_load_placements(sp, HBD_MAX_GROUPS);
	for (i = 0; i < n; i++) {
		hbd_strlcpy(p->p[i].group, sp[i].group, sizeof(p->p[i].group));
		p->p[i].epoch = sp[i].epoch;
		p->p[i].proposer = conf_node_index(conf, sp[i].proposer);
		p->p[i].target = conf_node_index(conf, sp[i].target);
		p->p[i].reason = sp[i].reason;
	}
	p->nplacements = n;
	written = *p;
	written_valid = 1;
}

int
shell_start(struct conf *c, const struct shell_opts *o)
{
	struct core_persist	 p;
	int			 i;

	conf = c;
	if (state_open(o->state_dir) == -1)
		log_warnx("continuing without a usable state directory: the "
		    "generation comes from the clock and placements are not "
		    "remembered");
	load_state(&p);
	for (i = 0; i < CORE_NTIMERS; i++)
		ev_timer_init(&timers[i], i == CT_HEARTBEAT ? "heartbeat" :
		    i == CT_SEND ? "heartbeat (triggered)" : i == CT_MEMBER ?
		    "membership" : i == CT_SETTLE ? "ping settle" :
		    i == CT_FENCE ? "fence" : "group", on_timer,
		    (void *)(intptr_t)i);
	for (i = 0; i < HBD_MAX_GROUPS; i++)
		agent_init(&steps[i].run);
	agent_init(&frun);
	core = core_new(c, &p, (uint32_t)time(NULL), mono_ms());
	drain();		/* the new generation is on disk first */
	ev_set_late_threshold((int)(c->keepalive_ms / 2 > 50 ?
	    c->keepalive_ms / 2 : 50));
	media_open_all(c, on_packet, NULL);
	ping_start(c, on_ping_change);
	if (c->npings > 0) {
		core_ping(core, ping_up_now(), ping_total(), mono_ms());
		drain();
	}
	core_start(core, mono_ms());
	drain();
	return 0;
}

static int
same_media(const struct conf *a, const struct conf *b)
{
	int	 i;

	if (a->nmedia != b->nmedia)
		return 0;
	for (i = 0; i < a->nmedia; i++) {
		const struct conf_medium	*x = &a->media[i], *y = &b->media[i];

		/* line numbers and the like do not count */
		if (x->type != y->type || strcmp(x->name, y->name) ||
		    strcmp(x->ifname, y->ifname) ||
		    x->addr.s_addr != y->addr.s_addr || x->port != y->port ||
		    x->ttl != y->ttl || x->loop != y->loop ||
		    strcmp(x->device, y->device) || x->baud != y->baud)
			return 0;
	}
	return 1;
}

/* Swap in a new configuration that passed conf_load. */
int
shell_reload(struct conf *n, char *err, size_t len)
{
	struct conf	*old = conf;
	int		 media_changed = !same_media(old, n);

	if (core_reload(core, n, err, len, mono_ms()) == -1) {
		drain();
		return -1;
	}
	conf = n;
	drain();
	ctl_reconf(n);
	ev_set_late_threshold((int)(n->keepalive_ms / 2 > 50 ?
	    n->keepalive_ms / 2 : 50));
	if (media_changed) {
		log_info("heartbeat media changed: reopening them");
		media_open_all(n, on_packet, NULL);
	}
	ping_reconf(n, on_ping_change);
	conf_free(old);
	return 0;
}

void
shell_shutdown(void)
{
	core_shutdown(core, mono_ms());
	drain();
}

const struct conf *
shell_conf(void)
{
	return conf;
}

/* ---- status ---- */

static void
node_status(struct jw *w, int i, int64_t now)
{
	const struct member		*mem = core_member(core);
	const struct member_node	*n = &mem->nodes[i];
	const char			*holds, *hs;
	int				 j, local = i == conf->local_index;
	int				 stable;

	jw_obj_begin(w, NULL);
	jw_int(w, "index", i + 1);
	jw_str(w, "name", conf->nodes[i]);
	jw_str(w, "type", "normal");
	jw_bool(w, "local", local);
	if (local)
		jw_str(w, "status", core_local_status(core) == HB_ST_INIT ?
		    "init" : "active");
	else
		jw_str(w, "status", node_status_name(n->status));
	if (local)
		jw_int(w, "last_heartbeat_ms", 0);
	else if (n->last_rx)
		jw_int(w, "last_heartbeat_ms", now - n->last_rx);
	else
		jw_null(w, "last_heartbeat_ms");
	jw_int(w, "last_heartbeat_mono_ms", local ? now : n->last_rx);
	jw_int(w, "generation", local ? core_generation(core) : n->generation);
	jw_int(w, "changed_mono_ms", n->changed);
	jw_int(w, "changed_ms_ago", now - n->changed);
	jw_int(w, "late_heartbeats", (int64_t)n->late_count);
	jw_int(w, "dead_count", (int64_t)n->dead_count);
	if (!local && n->heard)
		jw_str(w, "peer_status", hb_status_name(n->peer_status));
	if (!local && core_heartbeat_peer(core, &holds, &stable, &hs)) {
		/* it runs heartbeat 3.0.6 (compat heartbeat) */
		jw_obj_begin(w, "heartbeat");
		jw_str(w, "holds", holds);
		jw_bool(w, "stable", stable);
		jw_str(w, "handshake", hs);
		jw_obj_end(w);
	}
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
shell_status(struct jw *w)
{
	struct ctl_stats	 cs;
	int64_t			 now = mono_ms();
	int			 i, method = AUTH_CRC;
	const struct member	*mem = core_member(core);

	for (i = 0; i < conf->nkeys; i++)
		if (conf->keys[i].index == conf->auth_use)
			method = conf->keys[i].method;
	jw_str(w, "version", PACKAGE_VERSION);
	jw_str(w, "node", conf->local);
	jw_str(w, "cluster", conf->cluster);
	jw_str(w, "status", core_shutting_down(core) ? "leaving" :
	    core_local_status(core) == HB_ST_INIT ? "init" : "active");
	jw_int(w, "generation", core_generation(core));
	jw_int(w, "uptime_ms", now - mem->start);
	jw_int(w, "mono_ms", now);
	jw_int(w, "time_ms", real_ms());
	jw_str(w, "resources_held", core_held_summary(core));

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
	jw_bool(w, "fencing", core_fence_configured(core));
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

	core_status_groups(core, w, now, real_ms());

	ctl_get_stats(&cs);
	jw_obj_begin(w, "counters");
	core_status_counters(core, w);
	jw_int(w, "control_refused", (int64_t)cs.refused);
	jw_int(w, "control_bad_frames", (int64_t)cs.bad_frames);
	jw_int(w, "control_slow_dropped", (int64_t)cs.slow_dropped);
	jw_int(w, "loop_late", (int64_t)ev_late_count());
	jw_int(w, "events", (int64_t)ctl_event_seq());
	jw_obj_end(w);

	jw_obj_begin(w, "fence");
	jw_bool(w, "configured", core_fence_configured(core));
	jw_str(w, "state", core_fence_state_name(core));
	jw_obj_end(w);
	supervise_status(w);
}

void
shell_set_reload_hook(int (*fn)(char *, size_t))
{
	reload_hook = fn;
}

int
shell_command(const char *cmd, const struct jval *req, struct jw *reply,
    char *err, size_t len)
{
	int	 r;

	if (strcmp(cmd, "hello") == 0) {
		jw_str(reply, "version", PACKAGE_VERSION);
		jw_str(reply, "node", conf->local);
		return 0;
	}
	if (strcmp(cmd, "reload") == 0) {
		if (reload_hook == NULL || reload_hook(err, len) == -1)
			return -1;
		jw_str(reply, "result", "configuration reloaded");
		return 0;
	}
	r = core_admin(core, cmd, req, reply, err, len, mono_ms());
	drain();
	return r;
}
