/*
 * rsc: resource groups and the handoff between the two nodes.
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

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "agent.h"
#include "cluster.h"
#include "control.h"
#include "event.h"
#include "fence.h"
#include "log.h"
#include "ping.h"
#include "rsc.h"
#include "state.h"
#include "util.h"

#define STOP_RETRIES		2
#define STOP_RETRY_DELAY_MS	1000
#define MAX_STEPS		(2 * HBD_MAX_RSC)

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

enum action {
	ACT_START,
	ACT_STOP,
	ACT_STATUS,	/* probe / monitor */
};

struct step {
	int		 rsc;
	enum action	 act;
};

struct rstate {
	int		 state;		/* enum grp_state */
	int64_t		 changed;	/* mono ms */
	uint64_t	 failures;
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
	/* placement under which we started it (for partition heal) */
	uint32_t	 held_epoch;
	uint8_t		 held_proposer;

	/* the peer's latest report */
	struct hb_group	 peer;
	int		 peer_valid;
	int		 peer_dirty_at_death;

	/* work in progress */
	enum plan_kind	 plan;
	struct step	 steps[MAX_STEPS];
	int		 nsteps, cur, retries;
	int		 failed_rsc;
	int		 probe_running[HBD_MAX_RSC];
	struct agent_run run;
	struct ev_timer	 timer;		/* monitor interval, stop retry */
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

static const struct conf	*conf;
static const struct member	*mem;
static struct grp		 groups[HBD_MAX_GROUPS];
static int			 ngroups;
static int			 me, peer;
static int			 shutting_down;
static void			(*shutdown_done)(void);
static int			 failback_pending;
static int			 started;
static struct rsc_counters	 counters;
static uint8_t			 peer_ping_up, peer_ping_total;
static int			 peer_ping_valid;
static struct ev_timer		 settle_timer;

static void	evaluate(struct grp *);
static int	both_running(const struct grp *);
static int	needs_heal(const struct grp *);
static void	heal(struct grp *);
static void	next_step(struct grp *);
static void	check_shutdown(void);

/* ---- helpers ---- */

static const char *
node_name(int i)
{
	if (i < 0 || i >= conf->nnodes)
		return NULL;
	return conf->nodes[i];
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
peer_status(void)
{
	if (peer < 0)
		return NODE_DEAD;
	return mem->nodes[peer].status;
}

static int
peer_alive(void)
{
	return peer >= 0 && member_alive(mem, peer);
}

static int
peer_active(void)
{
	return peer_alive() && mem->nodes[peer].status == NODE_ACTIVE &&
	    mem->nodes[peer].peer_status != HB_ST_INIT;
}

static int
peer_left(void)
{
	return peer >= 0 && mem->nodes[peer].left;
}

static void
set_state(struct grp *g, int s)
{
	if (g->state != s) {
		g->state = s;
		g->changed = mono_ms();
	}
	if (s != GS_STARTED && s != GS_STARTING)
		g->reassert = 0;
}

static void
set_rstate(struct grp *g, int r, int s)
{
	if (g->rs[r].state != s) {
		g->rs[r].state = s;
		g->rs[r].changed = mono_ms();
	}
}

static void
emit_group(const char *type, struct grp *g, const char *extra_key,
    const char *extra)
{
	struct jw	*w = ctl_event_begin(type);

	jw_str(w, "group", g->cg->name);
	jw_str(w, "node", conf->local);
	jw_str(w, "state", grp_state_name(g->state));
	jw_str(w, "reason", move_reason_name(g->reason));
	jw_int(w, "index", g->index + 1);
	if (extra_key)
		jw_str(w, extra_key, extra);
	ctl_event_end();
}

static void
save_placements(void)
{
	struct state_placement	 p[HBD_MAX_GROUPS];
	int			 i;

	memset(p, 0, sizeof(p));
	for (i = 0; i < ngroups; i++) {
		hbd_strlcpy(p[i].group, groups[i].cg->name,
		    sizeof(p[i].group));
		p[i].epoch = groups[i].epoch;
		if (node_name(groups[i].proposer))
			hbd_strlcpy(p[i].proposer,
			    node_name(groups[i].proposer),
			    sizeof(p[i].proposer));
		if (node_name(groups[i].target))
			hbd_strlcpy(p[i].target, node_name(groups[i].target),
			    sizeof(p[i].target));
	}
	state_save_placements(p, ngroups);
}

static void
announce_placement(struct grp *g)
{
	struct jw	*w = ctl_event_begin("placement");

	jw_str(w, "group", g->cg->name);
	jw_str(w, "target", node_name(g->target));
	jw_int(w, "epoch", g->epoch);
	jw_str(w, "proposer", node_name(g->proposer));
	jw_str(w, "reason", move_reason_name(g->reason));
	ctl_event_end();
}

/* Move the agreed placement: ours is newer than anything seen. */
static void
propose(struct grp *g, int target, int reason)
{
	uint32_t	 e = g->epoch;

	if (g->peer_valid && g->peer.epoch > e)
		e = g->peer.epoch;
	g->epoch = e + 1;
	g->proposer = (uint8_t)me;
	g->target = (uint8_t)target;
	g->reason = (uint8_t)reason;
	g->logged_wait = 0;
	log_info("group %s: placement %u -> %s (%s)", g->cg->name, g->epoch,
	    node_name(target) ? node_name(target) : "nobody",
	    move_reason_name(reason));
	announce_placement(g);
	save_placements();
	cluster_send_now();
}

static void
log_wait(struct grp *g, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
log_wait(struct grp *g, const char *fmt, ...)
{
	char	 msg[256];
	va_list	 ap;

	if (g->logged_wait)
		return;
	g->logged_wait = 1;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_notice("group %s: %s", g->cg->name, msg);
}

/* ---- running agents ---- */

static const char *
action_word(const struct conf_rsc *r, enum action a)
{
	switch (a) {
	case ACT_START:
		return "start";
	case ACT_STOP:
		return "stop";
	case ACT_STATUS:
		return r->kind == RSC_HBD || r->kind == RSC_OCF ? "monitor" :
		    "status";
	}
	return "status";
}

static uint32_t
action_timeout(enum action a)
{
	switch (a) {
	case ACT_START:
		return conf->start_timeout_ms;
	case ACT_STOP:
		return conf->stop_timeout_ms;
	default:
		return conf->monitor_timeout_ms;
	}
}

static void
add_env(char **env, int *n, int max, const char *k, const char *v)
{
	size_t	 len;

	if (*n >= max - 1 || v == NULL)
		return;
	len = strlen(k) + strlen(v) + 2;
	env[*n] = xcalloc(1, len);
	snprintf(env[*n], len, "%s=%s", k, v);
	(*n)++;
}

static void
instance_name(const struct conf_rsc *r, char *out, size_t len)
{
	size_t	 i;

	hbd_strlcpy(out, r->spec, len);
	for (i = 0; out[i]; i++)
		if (!((out[i] >= 'a' && out[i] <= 'z') ||
		    (out[i] >= 'A' && out[i] <= 'Z') ||
		    (out[i] >= '0' && out[i] <= '9') || out[i] == '-' ||
		    out[i] == '.'))
			out[i] = '_';
}

static int
spawn_action(struct grp *g, int ri, enum action a, agent_done_cb cb)
{
	const struct conf_rsc	*r = &g->cg->rsc[ri];
	char			*argv[HBD_MAX_RSC_ARGS + 3];
	char			*env[HBD_MAX_ENV + HBD_MAX_RSC_ARGS + 24];
	char			 inst[128], label[200], dbg[16], tmo[16];
	int			 argc = 0, envc = 0, i, rc;
	const int		 maxenv = (int)nitems(env);

	if (r->path == NULL)
		return -1;
	argv[argc++] = r->path;
	if (r->kind == RSC_HEARTBEAT || r->kind == RSC_HBD)
		for (i = 0; i < r->nargs; i++)
			argv[argc++] = r->args[i];
	argv[argc++] = (char *)action_word(r, a);
	argv[argc] = NULL;

	instance_name(r, inst, sizeof(inst));
	snprintf(dbg, sizeof(dbg), "%d", conf->debug);
	add_env(env, &envc, maxenv, "PATH",
	    "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
	add_env(env, &envc, maxenv, "OCF_ROOT", HBD_OCF_ROOT);
	add_env(env, &envc, maxenv, "OCF_RA_VERSION_MAJOR", "1");
	add_env(env, &envc, maxenv, "OCF_RA_VERSION_MINOR", "0");
	add_env(env, &envc, maxenv, "OCF_RESOURCE_INSTANCE", inst);
	add_env(env, &envc, maxenv, "OCF_RESOURCE_TYPE", r->type);
	if (r->provider)
		add_env(env, &envc, maxenv, "OCF_RESOURCE_PROVIDER",
		    r->provider);
	add_env(env, &envc, maxenv, "HA_CURHOST", conf->local);
	add_env(env, &envc, maxenv, "HBD_NODE", conf->local);
	add_env(env, &envc, maxenv, "HBD_GROUP", g->cg->name);
	add_env(env, &envc, maxenv, "HA_D", conf->confdir);
	add_env(env, &envc, maxenv, "HA_DEBUG", dbg);
	add_env(env, &envc, maxenv, "HA_RSCTMP", "/run/resource-agents");
	snprintf(tmo, sizeof(tmo), "%u", action_timeout(a));
	add_env(env, &envc, maxenv, "OCF_RESKEY_CRM_meta_timeout", tmo);
	add_env(env, &envc, maxenv, "HA_LOGFACILITY",
	    log_facility_name(conf->logfacility));
	add_env(env, &envc, maxenv, "HA_debug", dbg);
	if (r->kind == RSC_OCF)
		for (i = 0; i < r->nargs; i++) {
			char	 key[128];
			char	*eq = strchr(r->args[i], '=');
			size_t	 kl = (size_t)(eq - r->args[i]);

			if (kl >= sizeof(key) - 12)
				continue;
			snprintf(key, sizeof(key), "OCF_RESKEY_%.*s", (int)kl,
			    r->args[i]);
			add_env(env, &envc, maxenv, key, eq + 1);
		}
	for (i = 0; i < conf->nenv && envc < maxenv - 1; i++)
		env[envc++] = xstrdup(conf->env[i]);
	env[envc] = NULL;

	snprintf(label, sizeof(label), "%s %s", r->spec, action_word(r, a));
	log_info("group %s: running %s %s", g->cg->name, r->spec,
	    action_word(r, a));
	rc = agent_spawn(&g->run, argv, env, NULL, action_timeout(a), label,
	    cb, g);
	for (i = 0; i < envc; i++)
		free(env[i]);
	return rc;
}

/* Judge a status/monitor result: 1 running, 0 stopped, -1 failed. */
static int
judge_status(const struct conf_rsc *r, const struct agent_run *run)
{
	int	 code = agent_exit_code(run);

	switch (r->kind) {
	case RSC_HBD:
	case RSC_OCF:
		if (code == 0)
			return 1;
		if (code == 7)
			return 0;
		return -1;
	case RSC_LSB:
		if (code == 0)
			return 1;
		if (code >= 1 && code <= 3)
			return 0;
		return -1;
	case RSC_HEARTBEAT: {
		/* heartbeat's ResourceManager looked at the words only */
		const char	*o = run->out.data ? run->out.data : "";
		const char	*p;

		if (code == -1)
			return -1;
		for (p = o; (p = strcasestr(p, "not")) != NULL; p += 3) {
			const char	*q = p + 3;

			while (*q == ' ')
				q++;
			if (strncasecmp(q, "running", 7) == 0)
				return 0;
		}
		if (strcasestr(o, "running") || strstr(o, "OK"))
			return 1;
		return 0;
	}
	}
	return -1;
}

static void
resource_failed(struct grp *g, int ri, enum action a, const char *detail)
{
	const struct conf_rsc	*r = &g->cg->rsc[ri];
	struct jw		*w;

	counters.resource_failures++;
	g->rs[ri].failures++;
	log_warnx("group %s: resource %s %s failed: %s", g->cg->name, r->spec,
	    a == ACT_START ? "start" : a == ACT_STOP ? "stop" : "monitor",
	    detail);
	w = ctl_event_begin("resource_failed");
	jw_str(w, "group", g->cg->name);
	jw_str(w, "resource", r->spec);
	jw_int(w, "index", g->index + 1);
	jw_int(w, "resource_index", ri + 1);
	jw_str(w, "node", conf->local);
	jw_str(w, "action", a == ACT_START ? "start" : a == ACT_STOP ? "stop" :
	    "monitor");
	jw_int(w, "exit_code", agent_exit_code(&g->run));
	jw_str(w, "detail", detail);
	jw_str(w, "state", grp_state_name(g->rs[ri].state));
	ctl_event_end();
}

/* ---- plans ---- */

static void
plan_reset(struct grp *g, enum plan_kind k)
{
	g->plan = k;
	g->nsteps = 0;
	g->cur = 0;
	g->retries = 0;
}

static void
plan_add(struct grp *g, int rsc, enum action a)
{
	if (g->nsteps < MAX_STEPS) {
		g->steps[g->nsteps].rsc = rsc;
		g->steps[g->nsteps].act = a;
		g->nsteps++;
	}
}

static void
on_step_done(struct agent_run *run, void *arg)
{
	struct grp	*g = arg;

	next_step(g);
}

static void
run_step(struct grp *g)
{
	struct step	*s = &g->steps[g->cur];

	if (s->act == ACT_START)
		set_rstate(g, s->rsc, GS_STARTING);
	else if (s->act == ACT_STOP)
		set_rstate(g, s->rsc, GS_STOPPING);
	if (spawn_action(g, s->rsc, s->act, on_step_done) == -1) {
		/* cannot even run it: as if it failed at once */
		g->run.status = 127 << 8;
		g->run.timed_out = 0;
		ev_timer_add(&g->timer, 0);
	}
}

static void
monitor_schedule(struct grp *g)
{
	if (conf->monitor_interval_ms > 0 && g->state == GS_STARTED)
		ev_timer_add(&g->timer, conf->monitor_interval_ms);
}

static void
finish_start(struct grp *g)
{
	struct jw	*w;

	g->plan = PLAN_NONE;
	set_state(g, GS_STARTED);
	log_info("group %s: started on %s", g->cg->name, conf->local);
	emit_group("group_started", g, NULL, NULL);
	if (g->reason != MR_STARTUP) {
		counters.takeovers++;
		g->takeovers++;
		w = ctl_event_begin("takeover");
		jw_str(w, "group", g->cg->name);
		jw_int(w, "index", g->index + 1);
		jw_str(w, "node", conf->local);
		jw_str(w, "state", "started");
		jw_str(w, "reason", move_reason_name(g->reason));
		ctl_event_end();
	}
	monitor_schedule(g);
	cluster_send_now();
}

static void
finish_stop(struct grp *g, int undo)
{
	struct jw	*w;
	int		 was_started = !undo;

	g->plan = PLAN_NONE;
	if (undo) {
		set_state(g, GS_FAILED);
		g->failures++;
		log_warnx("group %s: %s; resources stopped", g->cg->name,
		    g->gave_up ? "it kept failing here" : "start failed here");
		emit_group("group_failed", g, "detail", g->gave_up ?
		    "kept failing" : "start failed");
		g->gave_up = 0;
		/* let the peer have it, unless it failed there too */
		if (!shutting_down && peer_active() && g->target == me &&
		    !(g->peer_valid && g->peer.state == GS_FAILED))
			propose(g, peer, MR_RESOURCE_FAILURE);
	} else {
		set_state(g, GS_STOPPED);
		log_info("group %s: stopped on %s", g->cg->name, conf->local);
		emit_group("group_stopped", g, NULL, NULL);
	}
	if (was_started && g->target != me) {
		counters.releases++;
		w = ctl_event_begin("release");
		jw_str(w, "group", g->cg->name);
		jw_int(w, "index", g->index + 1);
		jw_str(w, "node", conf->local);
		jw_str(w, "to", node_name(g->target));
		jw_str(w, "state", "stopped");
		jw_str(w, "reason", move_reason_name(g->reason));
		ctl_event_end();
	}
	cluster_send_now();
}

static void
stop_failed(struct grp *g, int ri)
{
	g->plan = PLAN_NONE;
	g->dirty = 1;
	set_state(g, GS_FAILED);
	g->failures++;
	set_rstate(g, ri, GS_FAILED);
	log_warnx("CRIT: group %s: cannot stop %s; the group is unmanaged and "
	    "will not be started elsewhere unless this node is fenced",
	    g->cg->name, g->cg->rsc[ri].spec);
	emit_group("group_failed", g, "detail", "stop failed");
	cluster_send_now();
}

static void
probe_done(struct grp *g)
{
	int	 i, running = 0, stopped = 0, failed = 0;

	for (i = 0; i < g->cg->nrsc; i++) {
		if (g->rs[i].state == GS_STARTED)
			running++;
		else if (g->rs[i].state == GS_STOPPED)
			stopped++;
		else
			failed++;
	}
	g->probed = 1;
	g->plan = PLAN_NONE;
	if (running == g->cg->nrsc) {
		log_notice("group %s: already running here: adopted",
		    g->cg->name);
		if (g->target == me) {
			g->held_epoch = g->epoch;
			g->held_proposer = g->proposer;
		} else {
			/* running without the placement: the newest holder */
			g->held_epoch = UINT32_MAX;
			g->held_proposer = (uint8_t)me;
		}
		set_state(g, GS_STARTED);
		emit_group("group_adopted", g, NULL, NULL);
		monitor_schedule(g);
		if (both_running(g) && needs_heal(g))
			heal(g);
	} else if (running == 0 && failed == 0) {
		set_state(g, GS_STOPPED);
	} else {
		log_notice("group %s: partly running (%d of %d, %d in error): "
		    "stopping what runs", g->cg->name, running, g->cg->nrsc,
		    failed);
		plan_reset(g, PLAN_STOP);
		set_state(g, GS_STOPPING);
		for (i = g->cg->nrsc - 1; i >= 0; i--)
			plan_add(g, i, ACT_STOP);
		run_step(g);
		return;
	}
	cluster_send_now();
}

static void
begin_start(struct grp *g)
{
	int	 i;

	plan_reset(g, PLAN_START);
	set_state(g, GS_STARTING);
	g->held_epoch = g->epoch;
	g->held_proposer = g->proposer;
	g->logged_wait = 0;
	for (i = 0; i < g->cg->nrsc; i++)
		plan_add(g, i, ACT_START);
	log_info("group %s: starting on %s (%s)", g->cg->name, conf->local,
	    move_reason_name(g->reason));
	emit_group("group_starting", g, NULL, NULL);
	cluster_send_now();
	run_step(g);
}

/* A monitor in flight (or due) gives way to a real plan. */
static void
cancel_monitor(struct grp *g)
{
	if (g->plan == PLAN_MONITOR) {
		agent_cancel(&g->run);
		g->plan = PLAN_NONE;
	}
	ev_timer_del(&g->timer);
}

static void
begin_stop(struct grp *g)
{
	int	 i;

	cancel_monitor(g);
	plan_reset(g, PLAN_STOP);
	set_state(g, GS_STOPPING);
	for (i = g->cg->nrsc - 1; i >= 0; i--)
		plan_add(g, i, ACT_STOP);
	log_info("group %s: stopping on %s (%s)", g->cg->name, conf->local,
	    move_reason_name(g->reason));
	emit_group("group_stopping", g, NULL, NULL);
	cluster_send_now();
	run_step(g);
}

/*
 * A partition healed and this node kept the group the peer also ran. The
 * peer's copy announced the VIP last (its takeover sent the gratuitous
 * ARPs), so clients and switches still send to the peer's MAC, which no
 * longer has the address: until their ARP entries expire (half a minute
 * and more) the service is unreachable although it runs here. Once the
 * peer has stopped its copy, start every resource again: starts are
 * idempotent, and the IP agents announce the address again when it is
 * already there (keepalived does the same on a lower-priority advert).
 */
static void
begin_reassert(struct grp *g)
{
	int	 i;

	cancel_monitor(g);
	g->reassert = 0;
	plan_reset(g, PLAN_REASSERT);
	for (i = 0; i < g->cg->nrsc; i++)
		plan_add(g, i, ACT_START);
	log_notice("group %s: %s has stopped its copy: announcing the group "
	    "here again", g->cg->name, node_name(peer));
	emit_group("group_reasserted", g, NULL, NULL);
	run_step(g);
}

static void
begin_monitor(struct grp *g)
{
	int	 i;

	plan_reset(g, PLAN_MONITOR);
	for (i = 0; i < g->cg->nrsc; i++)
		plan_add(g, i, ACT_STATUS);
	run_step(g);
}

static int
restart_allowed(struct grp *g)
{
	int64_t	 now = mono_ms();
	int	 i, k = 0;

	for (i = 0; i < g->nrestarts; i++)
		if (now - g->restarts[i] < (int64_t)conf->restart_window_ms)
			g->restarts[k++] = g->restarts[i];
	g->nrestarts = k;
	if (k >= conf->max_restarts || k >= (int)nitems(g->restarts))
		return 0;
	g->restarts[g->nrestarts++] = now;
	return 1;
}

static void
monitor_failed(struct grp *g, int ri)
{
	int	 i;

	set_rstate(g, ri, GS_FAILED);
	if (restart_allowed(g)) {
		counters.restarts++;
		log_warnx("group %s: restarting from %s (restart %d of %d in "
		    "the window)", g->cg->name, g->cg->rsc[ri].spec,
		    g->nrestarts, conf->max_restarts);
		plan_reset(g, PLAN_RESTART);
		g->restart_from = ri;
		for (i = g->cg->nrsc - 1; i >= ri; i--)
			plan_add(g, i, ACT_STOP);
		for (i = ri; i < g->cg->nrsc; i++)
			plan_add(g, i, ACT_START);
		emit_group("group_restarting", g, "resource",
		    g->cg->rsc[ri].spec);
		run_step(g);
		return;
	}
	log_warnx("group %s: %s keeps failing (%d restarts within %u s): "
	    "moving the group", g->cg->name, g->cg->rsc[ri].spec,
	    conf->max_restarts, conf->restart_window_ms / 1000);
	g->plan = PLAN_NONE;
	g->gave_up = 1;
	/* stop everything, report failed, offer it to the peer */
	plan_reset(g, PLAN_UNDO);
	set_state(g, GS_STOPPING);
	for (i = g->cg->nrsc - 1; i >= 0; i--)
		plan_add(g, i, ACT_STOP);
	emit_group("group_stopping", g, NULL, NULL);
	run_step(g);
}

/* One agent finished (or could not run): move the plan along. */
static void
next_step(struct grp *g)
{
	struct step	*s = &g->steps[g->cur];
	char		 detail[96];
	int		 ok, code = agent_exit_code(&g->run);

	agent_describe(&g->run, detail, sizeof(detail));
	switch (s->act) {
	case ACT_START:
		ok = code == 0;
		set_rstate(g, s->rsc, ok ? GS_STARTED : GS_FAILED);
		if (!ok) {
			int	 i;

			resource_failed(g, s->rsc, ACT_START, detail);
			g->failed_rsc = s->rsc;
			/* undo: stop what was started, this one included */
			plan_reset(g, PLAN_UNDO);
			set_state(g, GS_STOPPING);
			for (i = s->rsc; i >= 0; i--)
				plan_add(g, i, ACT_STOP);
			run_step(g);
			return;
		}
		break;
	case ACT_STOP:
		if (code != 0) {
			if (g->retries < STOP_RETRIES) {
				g->retries++;
				log_warnx("group %s: stop of %s failed (%s); "
				    "retry %d of %d", g->cg->name,
				    g->cg->rsc[s->rsc].spec, detail,
				    g->retries, STOP_RETRIES);
				ev_timer_add(&g->timer, STOP_RETRY_DELAY_MS);
				return;
			}
			resource_failed(g, s->rsc, ACT_STOP, detail);
			stop_failed(g, s->rsc);
			evaluate(g);
			check_shutdown();
			return;
		}
		g->retries = 0;
		set_rstate(g, s->rsc, GS_STOPPED);
		break;
	case ACT_STATUS: {
		int	 st = judge_status(&g->cg->rsc[s->rsc], &g->run);

		if (g->plan == PLAN_PROBE) {
			set_rstate(g, s->rsc, st == 1 ? GS_STARTED :
			    st == 0 ? GS_STOPPED : GS_FAILED);
			break;
		}
		if (st != 1) {
			set_rstate(g, s->rsc, GS_FAILED);
			resource_failed(g, s->rsc, ACT_STATUS,
			    st == 0 ? "not running" : detail);
			monitor_failed(g, s->rsc);
			return;
		}
		break;
	}
	}
	if (++g->cur < g->nsteps) {
		run_step(g);
		return;
	}
	switch (g->plan) {
	case PLAN_PROBE:
		probe_done(g);
		break;
	case PLAN_START:
		finish_start(g);
		break;
	case PLAN_STOP:
		finish_stop(g, 0);
		break;
	case PLAN_UNDO:
		finish_stop(g, 1);
		break;
	case PLAN_MONITOR:
		g->plan = PLAN_NONE;
		monitor_schedule(g);
		break;
	case PLAN_RESTART:
		g->plan = PLAN_NONE;
		log_info("group %s: restarted", g->cg->name);
		emit_group("group_restarted", g, NULL, NULL);
		monitor_schedule(g);
		break;
	case PLAN_REASSERT:
		g->plan = PLAN_NONE;
		monitor_schedule(g);
		break;
	case PLAN_NONE:
		break;
	}
	evaluate(g);
	check_shutdown();
}

static void
on_group_timer(struct ev_timer *t, void *arg)
{
	struct grp	*g = arg;

	if (g->plan == PLAN_NONE) {
		if (g->state == GS_STARTED && !shutting_down)
			begin_monitor(g);
		return;
	}
	if (agent_running(&g->run))
		return;
	/* a stop retry, or a step that could not be spawned */
	if (g->steps[g->cur].act == ACT_STOP && agent_exit_code(&g->run) != 0 &&
	    g->retries > 0 && g->run.status != (127 << 8)) {
		run_step(g);
		return;
	}
	next_step(g);
}

/* ---- the decision ---- */

/* Some ping node answers: this node is not the one cut off. */
static int
pings_ok(void)
{
	return conf->npings == 0 || ping_up_count() > 0;
}

/*
 * ... and has for a deadtime. A node whose uplink just came back may not
 * have heard its peer yet: until a deadtime passes, a silent peer proves
 * nothing, and taking over would run the group twice.
 */
static int
pings_settled(void)
{
	int64_t	 since = ping_ok_since();

	if (conf->npings == 0)
		return 1;
	if (since == 0)
		return 0;
	if (mono_ms() - since >= (int64_t)conf->deadtime_ms)
		return 1;
	if (!ev_timer_pending(&settle_timer))
		ev_timer_at(&settle_timer, since + conf->deadtime_ms + 1);
	return 0;
}

/* Partition heal: both run it. Who keeps it? Both sides agree. */
static int
heal_winner(const struct grp *g)
{
	int	 c;

	if (conf->auto_failback != FAILBACK_OFF)
		return g->cg->preferred;
	c = pair_cmp(g->held_epoch, g->held_proposer, g->peer.held_epoch,
	    g->peer.held_proposer);
	if (c < 0)
		return me;
	if (c > 0)
		return peer;
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

static int
running(int state)
{
	return state == GS_STARTED || state == GS_STARTING ||
	    state == GS_STOPPING;
}

/*
 * Both sides of a partition may fence; exactly one must win. The side
 * running the groups that need fencing fences at once, so a partition
 * costs no outage; the other side (normally the non-preferred one) waits
 * fence_delay first. When nobody was running them, the preferred side
 * goes first.
 */
static uint32_t
my_fence_delay(void)
{
	int	 i, holder = 0, challenger = 0, preferred = 0;

	for (i = 0; i < ngroups; i++) {
		const struct grp	*g = &groups[i];

		if (!needs_fence(g) && !g->peer_dirty_at_death)
			continue;
		if (running(g->state))
			holder = 1;
		else if (g->peer_valid && running(g->peer.state))
			challenger = 1;
		else if (g->cg->preferred == me)
			preferred = 1;
	}
	if (holder || (!challenger && preferred))
		return 0;
	return conf->fence_delay_ms;
}

/* The peer died without saying goodbye: fence it if shared data is at stake */
static void
fence_peer(void)
{
	int	 i, needed = 0;

	if (!fence_configured() || peer_left() || peer < 0)
		return;
	for (i = 0; i < ngroups; i++)
		if (needs_fence(&groups[i]) || groups[i].peer_dirty_at_death)
			needed = 1;
	if (needed)
		fence_request(peer, my_fence_delay());
}

static int
fencing_satisfied(struct grp *g)
{
	if (peer_left())
		return 1;
	if (!needs_fence(g) && !g->peer_dirty_at_death)
		return 1;
	if (!fence_configured()) {
		if (g->peer_dirty_at_death) {
			log_wait(g, "CRIT: the peer's stop of this group "
			    "failed before it died, and no fencing is "
			    "configured: not taking it over");
			return 0;
		}
		log_wait(g, "taking over shared resources without fencing "
		    "(configure fence or stonith_host to make this safe)");
		return 1;
	}
	if (fence_done())
		return 1;
	fence_peer();
	log_wait(g, "waiting for the peer to be fenced before taking over");
	return 0;
}

static void
evaluate(struct grp *g)
{
	int	 pst = peer_status();

	if (!started || !g->probed)
		return;
	if (g->plan != PLAN_NONE && g->plan != PLAN_MONITOR)
		return;
	if (g->state == GS_FAILED && g->dirty)
		return;			/* unmanaged until fixed */

	if (shutting_down) {
		if (g->state == GS_STARTED)
			begin_stop(g);
		return;
	}

	/*
	 * Isolated: the peer is silent and no ping node answers either. The
	 * peer may well be alive and serving on the other side of a broken
	 * network; a node that sees nothing must not hold shared groups.
	 */
	if (peer >= 0 && pst == NODE_DEAD && !peer_left() && !pings_ok()) {
		if (g->state == GS_STARTED || g->state == GS_STARTING) {
			log_warnx("group %s: isolated (the peer is silent and "
			    "no ping node answers): releasing it",
			    g->cg->name);
			begin_stop(g);
		}
	}

	/* the peer is gone and the group was (or should be) there: ours */
	if (peer >= 0 && pst == NODE_DEAD && g->target != me) {
		if (!pings_settled()) {
			log_wait(g, "peer is silent but no ping node has "
			    "answered here for a deadtime: this node may be "
			    "the one cut off; not taking over yet");
			return;
		}
		propose(g, me, MR_NODE_DEAD);
	}

	if (g->target != me) {
		/*
		 * Adopted at start-up under a placement nobody agreed to (a
		 * fresh one, or one loaded from a lost or stale state dir):
		 * the peer's placement decides, so hear it before stopping.
		 */
		if (g->state == GS_STARTED && g->reason == MR_STARTUP &&
		    peer >= 0 && (pst == NODE_INIT || !g->peer_valid)) {
			log_wait(g, "running here, placed elsewhere by a "
			    "placement not agreed yet: waiting to hear %s",
			    node_name(peer));
			return;
		}
		if (g->state == GS_STARTED || g->state == GS_STARTING)
			begin_stop(g);
		return;
	}

	/* the placement is ours */
	switch (g->state) {
	case GS_STARTED:
		if (g->reassert && g->peer_valid && !running(g->peer.state) &&
		    pst != NODE_DEAD)
			begin_reassert(g);
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
		log_wait(g, "waiting to hear the peer (initdead %u ms)",
		    conf->initdead_ms);
		return;
	}
	if (pst == NODE_DEAD) {
		if (!pings_settled()) {
			log_wait(g, "no ping node has answered here for a "
			    "deadtime: not starting while the peer is silent");
			return;
		}
		if (!fencing_satisfied(g))
			return;
		goto start;
	}
	if (!peer_acked(g)) {
		if (g->peer_valid && g->peer.state == GS_FAILED &&
		    (g->peer.flags & GF_DIRTY)) {
			if (fence_configured()) {
				/* the only way to make it safe: power it off */
				log_wait(g, "the peer failed to stop it: "
				    "fencing the peer before starting here");
				fence_request(peer, 0);
			} else
				log_wait(g, "the peer failed to stop it: not "
				    "starting here (no fencing configured)");
		}
		return;			/* wait for the peer's handshake */
	}
start:
	begin_start(g);
}

void
rsc_evaluate_all(void)
{
	int	 i;

	/*
	 * Fail back once the preferred node is back, unless it sees fewer
	 * ping nodes than we do (ipfail would only move the group again):
	 * then wait until it does.
	 */
	if (failback_pending && peer_active() && (conf->npings == 0 ||
	    (peer_ping_valid && peer_ping_up >= ping_up_count()))) {
		failback_pending = 0;
		if (conf->auto_failback != FAILBACK_OFF)
			for (i = 0; i < ngroups; i++) {
				struct grp	*g = &groups[i];

				if (g->cg->preferred == peer &&
				    g->target == me && !shutting_down &&
				    !(g->peer_valid &&
				    g->peer.state == GS_FAILED)) {
					log_info("group %s: %s is back; "
					    "failing back", g->cg->name,
					    node_name(peer));
					propose(g, peer, MR_FAILBACK);
				}
			}
	}
	/* ipfail: the peer sees more ping nodes than we do */
	if (conf->npings > 0 && peer_active() && peer_ping_valid &&
	    peer_ping_up > ping_up_count() && !shutting_down)
		for (i = 0; i < ngroups; i++) {
			struct grp	*g = &groups[i];

			if (g->target == me && g->state == GS_STARTED &&
			    g->plan == PLAN_NONE &&
			    !(g->peer_valid && g->peer.state == GS_FAILED)) {
				log_warnx("group %s: %s reaches %u ping nodes, "
				    "this node %d: moving it there",
				    g->cg->name, node_name(peer), peer_ping_up,
				    ping_up_count());
				propose(g, peer, MR_OTHER);
			}
		}
	for (i = 0; i < ngroups; i++)
		evaluate(&groups[i]);
}

/* ---- inputs ---- */

/*
 * Both nodes run the group and disagree on its placement: a partition
 * has healed. Both compute the same winner and move the placement to it;
 * the loser's evaluate() then stops its copy.
 */
/*
 * The peer claims a group for itself that runs here and not there: it
 * took us for dead (MR_NODE_DEAD), or it is announcing a claim it saved
 * before it was fenced or restarted (load_placements() gives every saved
 * placement MR_STARTUP, the reason is not saved).
 */
static int
stale_claim(const struct grp *g, const struct hb_group *pg)
{
	return (pg->reason == MR_NODE_DEAD || pg->reason == MR_STARTUP) &&
	    pg->target == peer && pg->proposer == peer && running(g->state) &&
	    !running(pg->state);
}

static int
both_running(const struct grp *g)
{
	return (g->state == GS_STARTED || g->state == GS_STARTING) &&
	    g->peer_valid && (g->peer.state == GS_STARTED ||
	    g->peer.state == GS_STARTING);
}

/* Already agreed on the winner? Then the loser is stopping: no new move. */
static int
needs_heal(const struct grp *g)
{
	int	 w = heal_winner(g);

	if (g->target == w && g->peer.target == w)
		return 0;
	/* we proposed it already; the peer has not adopted it yet */
	if (g->target == w && pair_cmp(g->epoch, g->proposer, g->peer.epoch,
	    g->peer.proposer) > 0)
		return 0;
	return 1;
}

static void
heal(struct grp *g)
{
	int	 w = heal_winner(g);

	if (g->peer.epoch > g->epoch)
		g->epoch = g->peer.epoch;
	log_warnx("group %s: running on both nodes (a partition healed): "
	    "%s keeps it", g->cg->name, node_name(w));
	propose(g, w, MR_PEER_REQUEST);
}

void
rsc_peer_update(const struct hb_msg *m)
{
	int	 i, j, changed = 0;

	peer_ping_up = m->ping_up;
	peer_ping_total = m->ping_total;
	peer_ping_valid = 1;
	for (i = 0; i < ngroups; i++) {
		struct grp		*g = &groups[i];
		const struct hb_group	*pg = NULL;

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
		if (pg->target != HB_NO_NODE && pg->target >= conf->nnodes)
			continue;	/* nonsense: ignore the placement */
		/* both run it: whoever keeps it announces it again */
		if (running(pg->state) && (g->state == GS_STARTED ||
		    g->state == GS_STARTING))
			g->reassert = 1;
		if (both_running(g) && needs_heal(g)) {
			heal(g);
			changed = 1;
		} else if (pair_cmp(pg->epoch, pg->proposer, g->epoch,
		    g->proposer) > 0 && stale_claim(g, pg)) {
			/*
			 * The peer claimed the group because it thought we
			 * were dead (a partition, or a placement it saved
			 * before it was fenced), but we are alive and run it.
			 * Moving it now would only cost an outage: keep it.
			 */
			log_warnx("group %s: %s claimed it believing this node "
			    "dead, but it runs here: keeping it", g->cg->name,
			    node_name(peer));
			g->epoch = pg->epoch;
			g->reassert = 1;
			propose(g, me, MR_PEER_REQUEST);
			changed = 1;
		} else if (pair_cmp(pg->epoch, pg->proposer, g->epoch,
		    g->proposer) > 0) {
			g->epoch = pg->epoch;
			g->proposer = pg->proposer;
			g->target = pg->target;
			g->reason = pg->reason;
			g->logged_wait = 0;
			/* an operator sent it here again: retry a failed start */
			if (g->target == me && g->reason == MR_ADMIN &&
			    g->state == GS_FAILED && !g->dirty)
				set_state(g, GS_STOPPED);
			log_info("group %s: placement %u -> %s (%s, from %s)",
			    g->cg->name, g->epoch, node_name(g->target) ?
			    node_name(g->target) : "nobody",
			    move_reason_name(g->reason), node_name(peer));
			announce_placement(g);
			save_placements();
			changed = 1;
		}
	}
	if (changed)
		cluster_send_now();
	rsc_evaluate_all();
}

/* The peer restarted (new generation): forget what it said before. */
void
rsc_peer_restarted(void)
{
	int	 i;

	for (i = 0; i < ngroups; i++)
		groups[i].peer_valid = 0;
	peer_ping_valid = 0;
	failback_pending = 1;
}

/*
 * The peer is gone: this node is the only place left for a group whose
 * start failed here earlier (cleanly: everything was stopped). Try it once
 * more; a second failure leaves it FAILED, as there is nobody to hand it to.
 */
static void
retry_failed_start(struct grp *g)
{
	if (g->state == GS_FAILED && !g->dirty && g->plan == PLAN_NONE) {
		log_notice("group %s: the peer is gone; retrying the start "
		    "that failed here", g->cg->name);
		set_state(g, GS_STOPPED);
	}
}

void
rsc_member_event(const struct member_ev *e)
{
	int	 i;

	if (e->node != peer)
		return;
	switch (e->type) {
	case ME_NODE_UP:
		fence_reset();
		for (i = 0; i < ngroups; i++) {
			groups[i].peer_valid = 0;
			groups[i].peer_dirty_at_death = 0;
		}
		peer_ping_valid = 0;
		/*
		 * Fail back when the peer joins: it was dead, or it is still
		 * probing (booting). Not when this daemon has just restarted
		 * and finds the peer active as before: what runs here was
		 * adopted as it was, and a daemon restart must not move it.
		 */
		if (mem->nodes[peer].dead_count > 0 ||
		    mem->nodes[peer].peer_status == HB_ST_INIT)
			failback_pending = 1;
		break;
	case ME_NODE_RESTARTED:
		rsc_peer_restarted();
		break;
	case ME_NODE_LEFT:
		for (i = 0; i < ngroups; i++) {
			groups[i].peer_valid = 0;
			retry_failed_start(&groups[i]);
		}
		break;
	case ME_NODE_DEAD:
		for (i = 0; i < ngroups; i++) {
			groups[i].logged_wait = 0;
			retry_failed_start(&groups[i]);
		}
		fence_peer();
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
rsc_fence_result(int ok)
{
	int	 i;

	for (i = 0; i < ngroups; i++)
		groups[i].logged_wait = 0;
	rsc_evaluate_all();
}

/* ---- outputs ---- */

void
rsc_fill_msg(struct hb_msg *m)
{
	int	 i;

	m->ngroups = (uint8_t)ngroups;
	m->ping_up = (uint8_t)ping_up_count();
	m->ping_total = (uint8_t)ping_total();
	for (i = 0; i < ngroups; i++) {
		const struct grp	*g = &groups[i];
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
rsc_local_status(void)
{
	int	 i;

	if (shutting_down)
		return HB_ST_LEAVING;
	for (i = 0; i < ngroups; i++)
		if (!groups[i].probed)
			return HB_ST_INIT;
	return HB_ST_ACTIVE;
}

int
rsc_all_clean(void)
{
	int	 i;

	for (i = 0; i < ngroups; i++) {
		const struct grp	*g = &groups[i];

		if (g->plan != PLAN_NONE || g->dirty ||
		    (g->state != GS_STOPPED && g->state != GS_FAILED))
			return 0;
	}
	return 1;
}

/* ---- lifecycle ---- */

static void
load_placements(void)
{
	struct state_placement	 p[HBD_MAX_GROUPS];
	int			 n, i, j;

	n = state_load_placements(p, HBD_MAX_GROUPS);
	for (i = 0; i < ngroups; i++)
		for (j = 0; j < n; j++) {
			int	 t, pr;

			if (strcmp(p[j].group, groups[i].cg->name) != 0)
				continue;
			t = conf_node_index(conf, p[j].target);
			pr = conf_node_index(conf, p[j].proposer);
			if (t < 0 || pr < 0 || p[j].epoch == 0)
				continue;
			groups[i].epoch = p[j].epoch;
			groups[i].proposer = (uint8_t)pr;
			groups[i].target = (uint8_t)t;
			groups[i].reason = MR_STARTUP;
		}
}

static void
bind_groups(const struct conf *c)
{
	int	 i;

	for (i = 0; i < ngroups; i++)
		groups[i].cg = &c->groups[i];
}

static void
on_settle(struct ev_timer *t, void *arg)
{
	rsc_evaluate_all();
}

void
rsc_init(const struct conf *c, const struct member *m)
{
	int	 i, j;

	conf = c;
	mem = m;
	me = c->local_index;
	peer = conf_peer_index(c);
	ngroups = c->ngroups;
	memset(groups, 0, sizeof(groups));
	for (i = 0; i < ngroups; i++) {
		struct grp	*g = &groups[i];

		g->index = i;
		g->state = GS_UNKNOWN;
		g->changed = mono_ms();
		g->proposer = HB_NO_NODE;
		g->target = (uint8_t)c->groups[i].preferred;
		g->reason = MR_STARTUP;
		g->held_proposer = HB_NO_NODE;
		agent_init(&g->run);
		ev_timer_init(&g->timer, "group", on_group_timer, g);
		for (j = 0; j < HBD_MAX_RSC; j++) {
			g->rs[j].state = GS_UNKNOWN;
			g->rs[j].changed = g->changed;
		}
	}
	bind_groups(c);
	load_placements();
	ev_timer_init(&settle_timer, "ping settle", on_settle, NULL);
}

/* A reload may change timing and agents' settings, not the groups. */
int
rsc_reconf_ok(const struct conf *o, const struct conf *n, char *why,
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
rsc_reconf(const struct conf *c)
{
	conf = c;
	bind_groups(c);
}

void
rsc_start(void)
{
	int	 i, j;

	started = 1;
	for (i = 0; i < ngroups; i++) {
		struct grp	*g = &groups[i];

		plan_reset(g, PLAN_PROBE);
		for (j = 0; j < g->cg->nrsc; j++)
			plan_add(g, j, ACT_STATUS);
		run_step(g);
	}
}

static void
check_shutdown(void)
{
	int	 i;

	if (!shutting_down || shutdown_done == NULL)
		return;
	for (i = 0; i < ngroups; i++)
		if (groups[i].plan != PLAN_NONE ||
		    groups[i].state == GS_STARTED ||
		    groups[i].state == GS_STARTING ||
		    groups[i].state == GS_STOPPING)
			return;
	shutdown_done();
}

void
rsc_shutdown(void (*done)(void))
{
	int	 i;

	shutting_down = 1;
	shutdown_done = done;
	for (i = 0; i < ngroups; i++) {
		struct grp	*g = &groups[i];

		ev_timer_del(&g->timer);
		if (g->plan == PLAN_MONITOR) {
			agent_cancel(&g->run);
			g->plan = PLAN_NONE;
		}
		if (g->target == me && peer_active())
			propose(g, peer, MR_SHUTDOWN);
	}
	for (i = 0; i < ngroups; i++)
		evaluate(&groups[i]);
	check_shutdown();
}

int
rsc_shutting_down(void)
{
	return shutting_down;
}

void
rsc_cancel_all(void)
{
	int	 i;

	for (i = 0; i < ngroups; i++) {
		agent_cancel(&groups[i].run);
		ev_timer_del(&groups[i].timer);
	}
}

/* ---- admin ---- */

static int
group_in_set(const struct grp *g, const char *which)
{
	if (which == NULL || strcmp(which, "all") == 0)
		return 1;
	if (strcmp(which, "local") == 0)
		return g->cg->preferred == me;
	if (strcmp(which, "foreign") == 0 || strcmp(which, "failback") == 0)
		return g->cg->preferred != me;
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
move_to(struct grp *g, int target, char *err, size_t len)
{
	if (g->state == GS_FAILED && g->dirty && target != me) {
		snprintf(err, len, "group %s failed to stop here; fix it and "
		    "restart hbd (or fence this node)", g->cg->name);
		return -1;
	}
	if (target == peer) {
		if (!peer_active()) {
			snprintf(err, len, "%s is not active: moving group %s "
			    "there would leave it stopped",
			    node_name(peer) ? node_name(peer) : "the peer",
			    g->cg->name);
			return -1;
		}
		if (g->peer_valid && g->peer.state == GS_FAILED &&
		    (g->peer.flags & GF_DIRTY)) {
			snprintf(err, len, "group %s failed to stop on %s; "
			    "fix it there first", g->cg->name, node_name(peer));
			return -1;
		}
	} else if (g->state == GS_FAILED && !g->dirty) {
		set_state(g, GS_STOPPED);	/* an operator retries it */
	}
	if (g->target == target && g->epoch > 0)
		return 0;
	propose(g, target, MR_ADMIN);
	return 1;
}

int
rsc_admin(const char *cmd, const struct jval *req, struct jw *reply,
    char *err, size_t len)
{
	const char	*which = json_get_str(req, "which");
	const char	*gname = json_get_str(req, "group");
	const char	*nname = json_get_str(req, "node");
	int		 i, target, moved = 0, r;

	if (shutting_down) {
		snprintf(err, len, "hbd is shutting down");
		return -1;
	}
	if (strcmp(cmd, "move") == 0) {
		if (gname == NULL || nname == NULL) {
			snprintf(err, len, "move needs a group and a node");
			return -1;
		}
		if ((i = conf_group_index(conf, gname)) < 0) {
			snprintf(err, len, "no group named %s", gname);
			return -1;
		}
		if ((target = conf_node_index(conf, nname)) < 0) {
			snprintf(err, len, "no node named %s (nodes: %s%s%s)",
			    nname, conf->nodes[0], conf->nnodes > 1 ? ", " :
			    "", conf->nnodes > 1 ? conf->nodes[1] : "");
			return -1;
		}
		if ((r = move_to(&groups[i], target, err, len)) < 0)
			return -1;
		jw_arr_begin(reply, "groups");
		jw_str(reply, NULL, gname);
		jw_arr_end(reply);
		jw_str(reply, "target", nname);
		rsc_evaluate_all();
		return 0;
	}
	if (!valid_which(which)) {
		snprintf(err, len, "expected all, local or foreign, got %s",
		    which);
		return -1;
	}
	if (strcmp(cmd, "standby") == 0) {
		if (peer < 0 || !peer_active()) {
			snprintf(err, len, "%s is not active: standby would "
			    "leave the groups stopped", peer >= 0 ?
			    node_name(peer) : "there is no peer and it");
			return -1;
		}
		target = peer;
	} else
		target = me;
	jw_arr_begin(reply, "groups");
	for (i = 0; i < ngroups; i++) {
		struct grp	*g = &groups[i];
		char		 e2[256];

		if (!group_in_set(g, which))
			continue;
		if (target == peer && g->target != me &&
		    g->state != GS_STARTED)
			continue;
		r = move_to(g, target, e2, sizeof(e2));
		if (r < 0) {
			jw_arr_end(reply);
			snprintf(err, len, "%s", e2);
			return -1;
		}
		if (r == 0 && g->target == target && running(g->state) ==
		    (target == me) && g->state != GS_STOPPING)
			continue;	/* already there */
		jw_str(reply, NULL, g->cg->name);
		moved++;
	}
	jw_arr_end(reply);
	jw_str(reply, "target", node_name(target));
	jw_int(reply, "moving", moved);
	rsc_evaluate_all();
	return 0;
}

/* ---- status ---- */

static void
group_view(const struct grp *g, int *owner, int *state)
{
	int	 ps = g->peer_valid && peer_alive() ? g->peer.state :
		    GS_UNKNOWN;

	if (g->state == GS_STARTED || g->state == GS_STARTING ||
	    g->state == GS_STOPPING) {
		*owner = me;
		*state = g->state;
	} else if (ps == GS_STARTED || ps == GS_STARTING ||
	    ps == GS_STOPPING) {
		*owner = peer;
		*state = ps;
	} else if (g->state == GS_FAILED || ps == GS_FAILED) {
		*owner = g->state == GS_FAILED && g->dirty ? me :
		    ps == GS_FAILED && (g->peer.flags & GF_DIRTY) ? peer : -1;
		*state = GS_FAILED;
	} else {
		*owner = -1;
		*state = GS_STOPPED;
	}
}

void
rsc_status(struct jw *w)
{
	int	 i, j, owner, state;
	int64_t	 now = mono_ms();

	jw_arr_begin(w, "groups");
	for (i = 0; i < ngroups; i++) {
		const struct grp	*g = &groups[i];

		group_view(g, &owner, &state);
		jw_obj_begin(w, NULL);
		jw_int(w, "index", i + 1);
		jw_str(w, "name", g->cg->name);
		jw_str(w, "preferred", node_name(g->cg->preferred));
		jw_str(w, "owner", owner >= 0 ? node_name(owner) : NULL);
		jw_str(w, "state", grp_state_name(state));
		jw_str(w, "target", node_name(g->target));
		jw_int(w, "epoch", g->epoch);
		jw_str(w, "reason", move_reason_name(g->reason));
		jw_str(w, "local_state", grp_state_name(g->state));
		jw_str(w, "peer_state", g->peer_valid && peer_alive() ?
		    grp_state_name(g->peer.state) : "unknown");
		jw_bool(w, "dirty", g->dirty);
		jw_int(w, "changed_ms_ago", now - g->changed);
		jw_int(w, "changed_mono_ms", g->changed);
		jw_int(w, "takeovers", (int64_t)g->takeovers);
		jw_int(w, "failures", (int64_t)g->failures);
		jw_arr_begin(w, "resources");
		for (j = 0; j < g->cg->nrsc; j++) {
			jw_obj_begin(w, NULL);
			jw_int(w, "index", j + 1);
			jw_str(w, "name", g->cg->rsc[j].spec);
			jw_str(w, "agent", g->cg->rsc[j].path);
			jw_str(w, "state", grp_state_name(g->rs[j].state));
			jw_int(w, "changed_mono_ms", g->rs[j].changed);
			jw_int(w, "failures", (int64_t)g->rs[j].failures);
			jw_obj_end(w);
		}
		jw_arr_end(w);
		jw_obj_end(w);
	}
	jw_arr_end(w);
}

void
rsc_get_counters(struct rsc_counters *c)
{
	*c = counters;
}

/* heartbeat's cl_status rscstatus: all, local, foreign, none, transition */
const char *
rsc_held_summary(void)
{
	int	 i, local = 0, foreign = 0, trans = 0;

	for (i = 0; i < ngroups; i++) {
		const struct grp	*g = &groups[i];

		if (g->state == GS_STARTING || g->state == GS_STOPPING)
			trans = 1;
		else if (g->state == GS_STARTED) {
			if (g->cg->preferred == me)
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
