/*
 * fence: one fence operation at a time, against the peer. The side that
 * is not preferred for the groups at stake waits fence_delay first, so in
 * a partition where both try, the preferred side wins the race.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent.h"
#include "control.h"
#include "event.h"
#include "fence.h"
#include "log.h"
#include "util.h"

#define RETRY_MIN_MS	2000
#define RETRY_MAX_MS	60000

static const struct conf	*conf;
static enum fence_state		 state = FENCE_IDLE;
static int			 target = -1;
static struct agent_run		 run;
static struct ev_timer		 timer;
static void			(*result_cb)(int);
static uint64_t			 nfenced, nfailed;
static uint32_t			 backoff = RETRY_MIN_MS;
static int			 use_stonith = -1;	/* index */
static unsigned			 reset_gen, run_gen;

static void	fence_run(void);

const char *
fence_state_name(enum fence_state s)
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
pick_stonith(void)
{
	int	 i;

	for (i = 0; i < conf->nstonith; i++)
		if (strcmp(conf->stonith[i].from, "*") == 0 ||
		    strcasecmp(conf->stonith[i].from, conf->local) == 0)
			return i;
	return -1;
}

int
fence_configured(void)
{
	return conf && (conf->fence_argc > 0 || use_stonith >= 0);
}

enum fence_state
fence_state(void)
{
	return state;
}

int
fence_done(void)
{
	return state == FENCE_DONE;
}

uint64_t
fence_count(void)
{
	return nfenced;
}

uint64_t
fence_failures(void)
{
	return nfailed;
}

static void
on_timer(struct ev_timer *t, void *arg)
{
	if (state == FENCE_DELAY || state == FENCE_FAILED)
		fence_run();
}

void
fence_init(const struct conf *c, void (*cb)(int))
{
	conf = c;
	result_cb = cb;
	agent_init(&run);
	ev_timer_init(&timer, "fence", on_timer, NULL);
	use_stonith = pick_stonith();
}

void
fence_reconf(const struct conf *c)
{
	conf = c;
	use_stonith = pick_stonith();
}

static void
emit(const char *type, const char *detail)
{
	struct jw	*w = ctl_event_begin(type);

	jw_str(w, "node", conf->nodes[target]);
	jw_str(w, "action", "off");
	jw_int(w, "index", target + 1);
	jw_int(w, "exit_code", run.pid ? -1 : agent_exit_code(&run));
	if (detail)
		jw_str(w, "detail", detail);
	ctl_event_end();
}

static void
on_done(struct agent_run *r, void *arg)
{
	char	 detail[96];

	agent_describe(r, detail, sizeof(detail));
	if (run_gen != reset_gen) {
		/* the peer was heard while we fenced it: this result is old */
		state = FENCE_IDLE;
		if (agent_exit_code(r) == 0)
			nfenced++;
		result_cb(agent_exit_code(r) == 0);
		return;
	}
	if (agent_exit_code(r) == 0) {
		state = FENCE_DONE;
		nfenced++;
		backoff = RETRY_MIN_MS;
		log_notice("fence: %s is off", conf->nodes[target]);
		emit("node_fenced", NULL);
		result_cb(1);
		return;
	}
	state = FENCE_FAILED;
	nfailed++;
	log_warnx("CRIT: fence of %s failed (%s); retrying in %u s; its "
	    "groups are NOT taken over until it succeeds",
	    conf->nodes[target], detail, backoff / 1000);
	emit("fence_failed", detail);
	ev_timer_add(&timer, backoff);
	backoff = backoff * 2 > RETRY_MAX_MS ? RETRY_MAX_MS : backoff * 2;
	result_cb(0);
}

static void
fence_run(void)
{
	char		*argv[FENCE_ARGV_MAX];
	char		*env[] = { "PATH=/usr/local/sbin:/usr/local/bin:"
			    "/usr/sbin:/usr/bin:/sbin:/bin", NULL };
	char		 in[512], label[128], params[FENCE_PARAMS_MAX];
	const char	*node = conf->nodes[target];
	int		 built;

	if (conf->fence_argc <= 0 && use_stonith < 0)
		return;
	built = fence_argv(conf, conf->fence_argc > 0 ? -1 : use_stonith,
	    node, argv, (int)nitems(argv), params, sizeof(params));
	if (built == -1)
		log_warnx("CRIT: fence: the command line to fence %s does not "
		    "fit (the configuration check should have refused it)",
		    node);
	else if (conf->fence_argc <= 0 && access(argv[0], X_OK) == -1)
		log_warnx("fence: stonith_host needs cluster-glue's "
		    "stonith command (%s), which is not installed", argv[0]);
	snprintf(in, sizeof(in), "action=off\nport=%s\nnodename=%s\n", node,
	    node);
	snprintf(label, sizeof(label), "fence %s", node);
	state = FENCE_RUNNING;
	run_gen = reset_gen;
	log_notice("fence: powering off %s", node);
	emit("fence_started", NULL);
	if (built == -1 || agent_spawn(&run, argv, env, in,
	    conf->fence_timeout_ms, label, on_done, NULL) == -1) {
		run.status = 127 << 8;
		on_done(&run, NULL);
	}
}

void
fence_request(int node, uint32_t delay_ms)
{
	if (!fence_configured())
		return;
	if (state == FENCE_RUNNING || state == FENCE_DELAY ||
	    state == FENCE_DONE || (state == FENCE_FAILED &&
	    ev_timer_pending(&timer)))
		return;
	target = node;
	if (delay_ms > 0) {
		state = FENCE_DELAY;
		log_notice("fence: waiting %u ms before fencing %s (this node "
		    "is not the preferred one)", delay_ms, conf->nodes[node]);
		ev_timer_add(&timer, delay_ms);
		return;
	}
	fence_run();
}

/* The peer is heard again: a pending fence is moot, a done one is old. */
void
fence_reset(void)
{
	reset_gen++;
	if (state == FENCE_DELAY || state == FENCE_FAILED) {
		log_notice("fence: %s is back; fencing cancelled",
		    target >= 0 ? conf->nodes[target] : "peer");
		ev_timer_del(&timer);
	}
	if (state != FENCE_RUNNING)
		state = FENCE_IDLE;
	backoff = RETRY_MIN_MS;
}

void
fence_cancel(void)
{
	agent_cancel(&run);
	ev_timer_del(&timer);
	state = FENCE_IDLE;
}
