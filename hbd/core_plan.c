/*
 * core_plan: the steps that start, stop, probe, monitor and restart one
 * group — started left to right, stopped right to left, one agent at a
 * time. A step is an action (CA_RUN); its result comes back through
 * core_agent_done(). Where the group should run is core_place's business:
 * a plan only carries a decision out and reports how it went.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "core_int.h"

void	core_shutdown_check(struct core *);

static const char *
act_name(enum core_act_kind a)
{
	return a == CORE_START ? "start" : a == CORE_STOP ? "stop" : "monitor";
}

void
plan_set_state(struct core *c, struct grp *g, int s)
{
	if (g->state != s) {
		g->state = s;
		g->changed = c->now;
	}
	if (s != GS_STARTED && s != GS_STARTING)
		g->reassert = 0;
}

static void
set_rstate(struct core *c, struct grp *g, int r, int s)
{
	if (g->rs[r].state != s) {
		g->rs[r].state = s;
		g->rs[r].changed = c->now;
	}
}

void
plan_emit_group(struct core *c, struct grp *g, const char *type,
    const char *extra_key, const char *extra)
{
	struct jw	*w = core_ev_begin(c, type);

	jw_str(w, "group", g->cg->name);
	jw_str(w, "node", c->conf->local);
	jw_str(w, "state", grp_state_name(g->state));
	jw_str(w, "reason", move_reason_name(g->reason));
	jw_int(w, "index", g->index + 1);
	if (extra_key)
		jw_str(w, extra_key, extra);
	core_ev_end(c);
}

static void
resource_failed(struct core *c, struct grp *g, int ri, enum core_act_kind a,
    const struct core_agent_result *r, const char *detail)
{
	const struct conf_rsc	*cr = &g->cg->rsc[ri];
	struct jw		*w;

	c->cnt.resource_failures++;
	g->rs[ri].failures++;
	core_log(c, LOG_WARNING, "group %s: resource %s %s failed: %s",
	    g->cg->name, cr->spec, act_name(a), detail);
	w = core_ev_begin(c, "resource_failed");
	jw_str(w, "group", g->cg->name);
	jw_str(w, "resource", cr->spec);
	jw_int(w, "index", g->index + 1);
	jw_int(w, "resource_index", ri + 1);
	jw_str(w, "node", c->conf->local);
	jw_str(w, "action", act_name(a));
	jw_int(w, "exit_code", r ? r->exit_code : -1);
	if (r)
		jw_int(w, "duration_ms", r->duration_ms);
	jw_str(w, "detail", detail);
	jw_str(w, "state", grp_state_name(g->rs[ri].state));
	core_ev_end(c);
}

/* ---- plans ---- */

static void
plan_reset(struct grp *g, enum plan_kind k)
{
	g->plan = k;
	g->nsteps = 0;
	g->cur = 0;
	g->retries = 0;
	g->retry_pending = 0;
}

static void
plan_add(struct grp *g, int rsc, enum core_act_kind a)
{
	if (g->nsteps < CORE_MAX_STEPS) {
		g->steps[g->nsteps].rsc = rsc;
		g->steps[g->nsteps].act = a;
		g->nsteps++;
	}
}

static uint32_t
step_timeout(const struct core *c, enum core_act_kind a)
{
	switch (a) {
	case CORE_START:
		return c->conf->start_timeout_ms;
	case CORE_STOP:
		return c->conf->stop_timeout_ms;
	default:
		return c->conf->monitor_timeout_ms;
	}
}

static void
run_step(struct core *c, struct grp *g)
{
	struct step		*s = &g->steps[g->cur];
	struct core_action	 a;

	if (s->act == CORE_START)
		set_rstate(c, g, s->rsc, GS_STARTING);
	else if (s->act == CORE_STOP)
		set_rstate(c, g, s->rsc, GS_STOPPING);
	memset(&a, 0, sizeof(a));
	a.type = CA_RUN;
	a.group = g->index;
	a.rsc = s->rsc;
	a.act = s->act;
	a.timeout_ms = step_timeout(c, s->act);
	g->running = 1;
	core_push(c, &a);
}

static void
cancel_run(struct core *c, struct grp *g)
{
	struct core_action	 a;

	if (!g->running)
		return;
	memset(&a, 0, sizeof(a));
	a.type = CA_CANCEL;
	a.group = g->index;
	core_push(c, &a);
	g->running = 0;
}

static void
group_timer(struct core *c, struct grp *g, int64_t due)
{
	core_timer_at(c, CT_GROUP0 + g->index, due);
}

static void
monitor_schedule(struct core *c, struct grp *g)
{
	if (c->conf->monitor_interval_ms > 0 && g->state == GS_STARTED)
		group_timer(c, g, c->now + c->conf->monitor_interval_ms);
}

static void
finish_start(struct core *c, struct grp *g)
{
	struct jw	*w;

	g->plan = PLAN_NONE;
	plan_set_state(c, g, GS_STARTED);
	core_log(c, LOG_INFO, "group %s: started on %s", g->cg->name,
	    c->conf->local);
	plan_emit_group(c, g, "group_started", NULL, NULL);
	if (g->reason != MR_STARTUP) {
		c->cnt.takeovers++;
		g->takeovers++;
		w = core_ev_begin(c, "takeover");
		jw_str(w, "group", g->cg->name);
		jw_int(w, "index", g->index + 1);
		jw_str(w, "node", c->conf->local);
		jw_str(w, "state", "started");
		jw_str(w, "reason", move_reason_name(g->reason));
		core_ev_end(c);
	}
	monitor_schedule(c, g);
	core_send_now(c);
}

static void
finish_stop(struct core *c, struct grp *g, int undo)
{
	struct jw	*w;
	int		 was_started = !undo;

	g->plan = PLAN_NONE;
	if (undo) {
		plan_set_state(c, g, GS_FAILED);
		g->failures++;
		core_log(c, LOG_WARNING, "group %s: %s; resources stopped",
		    g->cg->name, g->gave_up ? "it kept failing here" :
		    "start failed here");
		plan_emit_group(c, g, "group_failed", "detail", g->gave_up ?
		    "kept failing" : "start failed");
		g->gave_up = 0;
		/* let the peer have it, unless it failed there too */
		if (!c->shutting_down && core_peer_active(c) &&
		    g->target == c->me &&
		    !(g->peer_valid && g->peer.state == GS_FAILED))
			place_propose(c, g, c->peer, MR_RESOURCE_FAILURE);
	} else {
		plan_set_state(c, g, GS_STOPPED);
		core_log(c, LOG_INFO, "group %s: stopped on %s", g->cg->name,
		    c->conf->local);
		plan_emit_group(c, g, "group_stopped", NULL, NULL);
	}
	if (was_started && g->target != c->me) {
		c->cnt.releases++;
		w = core_ev_begin(c, "release");
		jw_str(w, "group", g->cg->name);
		jw_int(w, "index", g->index + 1);
		jw_str(w, "node", c->conf->local);
		jw_str(w, "to", core_node_name(c, g->target));
		jw_str(w, "state", "stopped");
		jw_str(w, "reason", move_reason_name(g->reason));
		core_ev_end(c);
	}
	core_send_now(c);
}

static void
stop_failed(struct core *c, struct grp *g, int ri)
{
	g->plan = PLAN_NONE;
	g->dirty = 1;
	plan_set_state(c, g, GS_FAILED);
	g->failures++;
	set_rstate(c, g, ri, GS_FAILED);
	core_log(c, LOG_CRIT, "CRIT: group %s: cannot stop %s; the group is "
	    "unmanaged and will not be started elsewhere unless this node is "
	    "fenced", g->cg->name, g->cg->rsc[ri].spec);
	plan_emit_group(c, g, "group_failed", "detail", "stop failed");
	core_send_now(c);
}

static void
probe_done(struct core *c, struct grp *g)
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
		core_log(c, LOG_NOTICE, "group %s: already running here: "
		    "adopted", g->cg->name);
		if (g->target == c->me) {
			g->held_epoch = g->epoch;
			g->held_proposer = g->proposer;
		} else {
			/* running without the placement: the newest holder */
			g->held_epoch = UINT32_MAX;
			g->held_proposer = (uint8_t)c->me;
		}
		plan_set_state(c, g, GS_STARTED);
		plan_emit_group(c, g, "group_adopted", NULL, NULL);
		monitor_schedule(c, g);
		place_adopted(c, g);
	} else if (running == 0 && failed == 0) {
		plan_set_state(c, g, GS_STOPPED);
	} else {
		core_log(c, LOG_NOTICE, "group %s: partly running (%d of %d, "
		    "%d in error): stopping what runs", g->cg->name, running,
		    g->cg->nrsc, failed);
		plan_reset(g, PLAN_STOP);
		plan_set_state(c, g, GS_STOPPING);
		for (i = g->cg->nrsc - 1; i >= 0; i--)
			plan_add(g, i, CORE_STOP);
		run_step(c, g);
		return;
	}
	core_send_now(c);
}

void
plan_start_probe(struct core *c, struct grp *g)
{
	int	 j;

	plan_reset(g, PLAN_PROBE);
	for (j = 0; j < g->cg->nrsc; j++)
		plan_add(g, j, CORE_STATUS);
	if (g->nsteps == 0) {
		probe_done(c, g);
		return;
	}
	run_step(c, g);
}

void
plan_begin_start(struct core *c, struct grp *g)
{
	int	 i;

	plan_reset(g, PLAN_START);
	plan_set_state(c, g, GS_STARTING);
	g->held_epoch = g->epoch;
	g->held_proposer = g->proposer;
	g->logged_wait = 0;
	for (i = 0; i < g->cg->nrsc; i++)
		plan_add(g, i, CORE_START);
	core_log(c, LOG_INFO, "group %s: starting on %s (%s)", g->cg->name,
	    c->conf->local, move_reason_name(g->reason));
	plan_emit_group(c, g, "group_starting", NULL, NULL);
	core_send_now(c);
	run_step(c, g);
}

/* A monitor in flight (or due) gives way to a real plan. */
void
plan_cancel_monitor(struct core *c, struct grp *g)
{
	if (g->plan == PLAN_MONITOR) {
		cancel_run(c, g);
		g->plan = PLAN_NONE;
	}
	/* the group timer may be a stop retry: that one must still run */
	if (!g->retry_pending)
		group_timer(c, g, -1);
}

void
plan_begin_stop(struct core *c, struct grp *g)
{
	int	 i;

	plan_cancel_monitor(c, g);
	plan_reset(g, PLAN_STOP);
	plan_set_state(c, g, GS_STOPPING);
	for (i = g->cg->nrsc - 1; i >= 0; i--)
		plan_add(g, i, CORE_STOP);
	core_log(c, LOG_INFO, "group %s: stopping on %s (%s)", g->cg->name,
	    c->conf->local, move_reason_name(g->reason));
	plan_emit_group(c, g, "group_stopping", NULL, NULL);
	core_send_now(c);
	run_step(c, g);
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
void
plan_begin_reassert(struct core *c, struct grp *g)
{
	int	 i;

	plan_cancel_monitor(c, g);
	g->reassert = 0;
	plan_reset(g, PLAN_REASSERT);
	for (i = 0; i < g->cg->nrsc; i++)
		plan_add(g, i, CORE_START);
	core_log(c, LOG_NOTICE, "group %s: %s has stopped its copy: "
	    "announcing the group here again", g->cg->name,
	    core_node_name(c, c->peer));
	plan_emit_group(c, g, "group_reasserted", NULL, NULL);
	run_step(c, g);
}

static void
begin_monitor(struct core *c, struct grp *g)
{
	int	 i;

	plan_reset(g, PLAN_MONITOR);
	for (i = 0; i < g->cg->nrsc; i++)
		plan_add(g, i, CORE_STATUS);
	run_step(c, g);
}

static int
restart_allowed(struct core *c, struct grp *g)
{
	int	 i, k = 0;

	for (i = 0; i < g->nrestarts; i++)
		if (c->now - g->restarts[i] <
		    (int64_t)c->conf->restart_window_ms)
			g->restarts[k++] = g->restarts[i];
	g->nrestarts = k;
	if (k >= c->conf->max_restarts || k >= (int)nitems(g->restarts))
		return 0;
	g->restarts[g->nrestarts++] = c->now;
	return 1;
}

static void
monitor_failed(struct core *c, struct grp *g, int ri)
{
	int	 i;

	set_rstate(c, g, ri, GS_FAILED);
	if (restart_allowed(c, g)) {
		c->cnt.restarts++;
		core_log(c, LOG_WARNING, "group %s: restarting from %s "
		    "(restart %d of %d in the window)", g->cg->name,
		    g->cg->rsc[ri].spec, g->nrestarts, c->conf->max_restarts);
		plan_reset(g, PLAN_RESTART);
		g->restart_from = ri;
		for (i = g->cg->nrsc - 1; i >= ri; i--)
			plan_add(g, i, CORE_STOP);
		for (i = ri; i < g->cg->nrsc; i++)
			plan_add(g, i, CORE_START);
		plan_emit_group(c, g, "group_restarting", "resource",
		    g->cg->rsc[ri].spec);
		run_step(c, g);
		return;
	}
	core_log(c, LOG_WARNING, "group %s: %s keeps failing (%d restarts "
	    "within %u s): moving the group", g->cg->name, g->cg->rsc[ri].spec,
	    c->conf->max_restarts, c->conf->restart_window_ms / 1000);
	g->gave_up = 1;
	/* stop everything, report failed, offer it to the peer */
	plan_reset(g, PLAN_UNDO);
	plan_set_state(c, g, GS_STOPPING);
	for (i = g->cg->nrsc - 1; i >= 0; i--)
		plan_add(g, i, CORE_STOP);
	plan_emit_group(c, g, "group_stopping", NULL, NULL);
	run_step(c, g);
}

/* The last action of each resource, for the operator; a start or a stop
 * is also an event ("resource_action", with duration_ms) so that a move's
 * timeline can be told from the events. Monitors are not: one per resource
 * every monitor_interval would drown the rest (a failed one is a
 * resource_failed event). */
static void
record(struct core *c, struct grp *g, const struct core_agent_result *r)
{
	struct rstate	*rs = &g->rs[r->rsc];
	struct jw	*w;

	if (r->act == CORE_STATUS) {
		rs->mon_done = 1;
		rs->mon_result = r->result;
		rs->mon_exit = r->exit_code;
		rs->mon_duration = r->duration_ms;
		rs->mon_at = c->now;
		if (rs->last_act >= 0 && rs->last_act != CORE_STATUS)
			return;
	}
	rs->last_act = r->act;
	rs->last_result = r->result;
	rs->last_exit = r->exit_code;
	rs->last_duration = r->duration_ms;
	rs->last_at = c->now;
	if (r->act != CORE_START && r->act != CORE_STOP)
		return;
	w = core_ev_begin(c, "resource_action");
	jw_str(w, "group", g->cg->name);
	jw_int(w, "index", g->index + 1);
	jw_str(w, "resource", g->cg->rsc[r->rsc].spec);
	jw_int(w, "resource_index", r->rsc + 1);
	jw_str(w, "node", c->conf->local);
	jw_str(w, "action", act_name(r->act));
	jw_str(w, "result", r->result == CR_OK ? "ok" : "failed");
	jw_int(w, "exit_code", r->exit_code);
	jw_int(w, "duration_ms", r->duration_ms);
	core_ev_end(c);
}

/* One agent finished (or could not run): move the plan along. */
void
plan_step_done(struct core *c, struct grp *g,
    const struct core_agent_result *r)
{
	struct step	*s = &g->steps[g->cur];
	const char	*detail = r->detail ? r->detail : "";
	int		 i;

	if (g->plan == PLAN_NONE || r->rsc != s->rsc || r->act != s->act)
		return;		/* not the step we wait for */
	record(c, g, r);
	switch (s->act) {
	case CORE_START:
		set_rstate(c, g, s->rsc, r->result == CR_OK ? GS_STARTED :
		    GS_FAILED);
		if (r->result != CR_OK) {
			/*
			 * undo: stop what was started, this one included. A
			 * reassert or a restart started resources that were
			 * already running after this one: stop them all, or
			 * the group would be "failed, clean" with some of it
			 * still running, and the peer would start it too.
			 */
			int	 from = g->plan == PLAN_START ? s->rsc :
				    g->cg->nrsc - 1;

			resource_failed(c, g, s->rsc, CORE_START, r, detail);
			plan_reset(g, PLAN_UNDO);
			plan_set_state(c, g, GS_STOPPING);
			for (i = from; i >= 0; i--)
				plan_add(g, i, CORE_STOP);
			run_step(c, g);
			return;
		}
		break;
	case CORE_STOP:
		if (r->result != CR_OK) {
			/* failed, timed out, or could not even be run: run
			 * the agent again after a pause, then give up */
			if (g->retries < CORE_STOP_RETRIES) {
				g->retries++;
				core_log(c, LOG_WARNING, "group %s: stop of %s "
				    "failed (%s); retry %d of %d", g->cg->name,
				    g->cg->rsc[s->rsc].spec, detail,
				    g->retries, CORE_STOP_RETRIES);
				g->retry_pending = 1;
				group_timer(c, g, c->now + CORE_STOP_RETRY_MS);
				return;
			}
			resource_failed(c, g, s->rsc, CORE_STOP, r, detail);
			stop_failed(c, g, s->rsc);
			place_evaluate(c, g);
			core_shutdown_check(c);
			return;
		}
		g->retries = 0;
		set_rstate(c, g, s->rsc, GS_STOPPED);
		break;
	case CORE_STATUS: {
		int	 st = r->result == CR_RUNNING ? 1 :
			    r->result == CR_STOPPED ? 0 : -1;

		if (g->plan == PLAN_PROBE) {
			set_rstate(c, g, s->rsc, st == 1 ? GS_STARTED :
			    st == 0 ? GS_STOPPED : GS_FAILED);
			break;
		}
		if (st != 1) {
			set_rstate(c, g, s->rsc, GS_FAILED);
			resource_failed(c, g, s->rsc, CORE_STATUS, r,
			    st == 0 ? "not running" : detail);
			monitor_failed(c, g, s->rsc);
			return;
		}
		break;
	}
	}
	if (++g->cur < g->nsteps) {
		run_step(c, g);
		return;
	}
	switch (g->plan) {
	case PLAN_PROBE:
		probe_done(c, g);
		break;
	case PLAN_START:
		finish_start(c, g);
		break;
	case PLAN_STOP:
		finish_stop(c, g, 0);
		break;
	case PLAN_UNDO:
		finish_stop(c, g, 1);
		break;
	case PLAN_MONITOR:
		g->plan = PLAN_NONE;
		monitor_schedule(c, g);
		break;
	case PLAN_RESTART:
		g->plan = PLAN_NONE;
		core_log(c, LOG_INFO, "group %s: restarted", g->cg->name);
		plan_emit_group(c, g, "group_restarted", NULL, NULL);
		monitor_schedule(c, g);
		break;
	case PLAN_REASSERT:
		g->plan = PLAN_NONE;
		monitor_schedule(c, g);
		break;
	case PLAN_NONE:
		break;
	}
	place_evaluate_all(c);
	core_shutdown_check(c);
}

void
plan_group_timer(struct core *c, struct grp *g)
{
	if (g->retry_pending) {
		/* a stop retry: run the agent again */
		g->retry_pending = 0;
		if (g->plan != PLAN_NONE && !g->running)
			run_step(c, g);
		return;
	}
	if (g->plan == PLAN_NONE && g->state == GS_STARTED &&
	    !c->shutting_down && !g->running)
		begin_monitor(c, g);
}

void
plan_cancel_all(struct core *c)
{
	int	 i;

	for (i = 0; i < c->ngroups; i++) {
		cancel_run(c, &c->groups[i]);
		group_timer(c, &c->groups[i], -1);
	}
}
