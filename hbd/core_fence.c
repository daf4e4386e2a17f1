/*
 * core_fence: one fence operation at a time, against the peer. The side
 * that holds nothing at stake waits fence_delay first, so in a partition
 * where both try, the holder wins the race. A failed fence is retried
 * with a doubling backoff; success is remembered until the peer is heard
 * again. Running the fence program is the shell's job (CA_FENCE).
 */
#include "config.h"

#include <string.h>
#include <strings.h>
#include <syslog.h>

#include "core_int.h"

const char *
fence_st_name(enum fence_st s)
{
	switch (s) {
	case FENCE_IDLE:
		return "idle";
	case FENCE_DELAY:
		return "delaying";
	case FENCE_RUNNING:
		return "running";
	case FENCE_DONE:
		return "done";
	case FENCE_FAILED:
		return "failed";
	}
	return "?";
}

static int
pick_stonith(const struct conf *cf)
{
	int	 i;

	for (i = 0; i < cf->nstonith; i++)
		if (strcmp(cf->stonith[i].from, "*") == 0 ||
		    strcasecmp(cf->stonith[i].from, cf->local) == 0)
			return i;
	return -1;
}

int
fence_is_configured(const struct core *c)
{
	return c->conf->fence_argc > 0 || pick_stonith(c->conf) >= 0;
}

int
fence_is_done(const struct core *c)
{
	return c->fence == FENCE_DONE;
}

static void
emit(struct core *c, const char *type, int exit_code, const char *detail)
{
	struct jw	*w = core_ev_begin(c, type);

	jw_str(w, "node", core_node_name(c, c->fence_target));
	jw_str(w, "action", "off");
	jw_int(w, "index", c->fence_target + 1);
	jw_int(w, "exit_code", exit_code);
	if (detail)
		jw_str(w, "detail", detail);
	core_ev_end(c);
}

static void
arm(struct core *c, int64_t due)
{
	c->fence_timer_armed = due >= 0;
	core_timer_at(c, CT_FENCE, due);
}

static void
run(struct core *c)
{
	struct core_action	 a;

	c->fence = FENCE_RUNNING;
	c->fence_run_gen = c->fence_reset_gen;
	core_log(c, LOG_NOTICE, "fence: powering off %s",
	    core_node_name(c, c->fence_target));
	emit(c, "fence_started", -1, NULL);
	memset(&a, 0, sizeof(a));
	a.type = CA_FENCE;
	a.node = c->fence_target;
	a.timeout_ms = c->conf->fence_timeout_ms;
	core_push(c, &a);
}

void
fence_req(struct core *c, int node, uint32_t delay_ms)
{
	if (!fence_is_configured(c))
		return;
	if (c->fence == FENCE_RUNNING || c->fence == FENCE_DELAY ||
	    c->fence == FENCE_DONE || (c->fence == FENCE_FAILED &&
	    c->fence_timer_armed))
		return;
	c->fence_target = node;
	if (delay_ms > 0) {
		c->fence = FENCE_DELAY;
		core_log(c, LOG_NOTICE, "fence: waiting %u ms before fencing "
		    "%s (this node holds nothing at stake)", delay_ms,
		    core_node_name(c, node));
		arm(c, c->now + delay_ms);
		return;
	}
	run(c);
}

void
fence_on_timer(struct core *c)
{
	if (c->fence == FENCE_DELAY || c->fence == FENCE_FAILED)
		run(c);
}

void
fence_on_done(struct core *c, int ok, int exit_code, const char *detail)
{
	if (c->fence != FENCE_RUNNING)
		return;		/* cancelled */
	if (c->fence_run_gen != c->fence_reset_gen) {
		/* the peer was heard while we fenced it: this result is old */
		c->fence = FENCE_IDLE;
		if (ok)
			c->cnt.fences++;
		place_fence_result(c, ok);
		return;
	}
	if (ok) {
		c->fence = FENCE_DONE;
		/* what the peer was when it went off: a newer generation
		 * means it has booted since */
		c->fenced_gen = c->seen_gen > c->persisted_peer_gen ?
		    c->seen_gen : c->persisted_peer_gen;
		c->cnt.fences++;
		c->fence_backoff = CORE_FENCE_RETRY_MIN_MS;
		core_log(c, LOG_NOTICE, "fence: %s is off",
		    core_node_name(c, c->fence_target));
		emit(c, "node_fenced", exit_code, NULL);
		place_fence_result(c, 1);
		return;
	}
	c->fence = FENCE_FAILED;
	c->cnt.fence_failures++;
	core_log(c, LOG_CRIT, "CRIT: fence of %s failed (%s); retrying in %u s; "
	    "its groups are NOT taken over until it succeeds",
	    core_node_name(c, c->fence_target), detail ? detail : "?",
	    c->fence_backoff / 1000);
	emit(c, "fence_failed", exit_code, detail);
	arm(c, c->now + c->fence_backoff);
	c->fence_backoff = c->fence_backoff * 2 > CORE_FENCE_RETRY_MAX_MS ?
	    CORE_FENCE_RETRY_MAX_MS : c->fence_backoff * 2;
	place_fence_result(c, 0);
}

/* The peer is heard again: a pending fence is moot, a done one is old. */
void
fence_peer_back(struct core *c)
{
	c->fence_reset_gen++;
	if (c->fence == FENCE_DELAY || c->fence == FENCE_FAILED) {
		core_log(c, LOG_NOTICE, "fence: %s is back; fencing cancelled",
		    c->fence_target >= 0 ? core_node_name(c, c->fence_target) :
		    "peer");
		arm(c, -1);
	}
	if (c->fence != FENCE_RUNNING)
		c->fence = FENCE_IDLE;
	c->fence_backoff = CORE_FENCE_RETRY_MIN_MS;
}
