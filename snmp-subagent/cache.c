/*
 * cache: decodes hbd's status object into plain structs and applies
 * events to them. A status reply replaces the whole cache (it is the
 * authority: ages, counters and anything an event does not carry); events
 * only patch what they name, so that a GET between two polls already
 * sees a node dead or a group moved. Must not do I/O or call net-snmp.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cache.h"
#include "util.h"

static struct cache	*cur;
static unsigned		 gen;
static struct daemon_view dv = { DAEMON_UNREACHABLE, 0, 0, 0, 0 };
static int64_t		 seen_start;

struct name_map {
	const char	*name;
	int		 val;
};

static const struct name_map node_status_map[] = {
	{ "init", NST_INIT }, { "up", NST_UP }, { "active", NST_ACTIVE },
	{ "dead", NST_DEAD }, { NULL, 0 }
};
static const struct name_map link_status_map[] = {
	{ "up", LNK_UP }, { "dead", LNK_DEAD }, { NULL, 0 }
};
static const struct name_map medium_map[] = {
	{ "bcast", MED_BCAST }, { "mcast", MED_MCAST }, { "ucast", MED_UCAST },
	{ "serial", MED_SERIAL }, { NULL, 0 }
};
static const struct name_map group_state_map[] = {
	{ "stopped", GST_STOPPED }, { "starting", GST_STARTING },
	{ "started", GST_STARTED }, { "stopping", GST_STOPPING },
	{ "failed", GST_FAILED }, { NULL, 0 }
};
static const struct name_map action_map[] = {
	{ "start", 1 }, { "stop", 2 }, { "monitor", 3 }, { NULL, 0 }
};
static const struct name_map result_map[] = {
	{ "ok", 1 }, { "failed", 2 }, { "running", 3 }, { "not running", 4 },
	{ "not run", 5 }, { NULL, 0 }
};
static const struct name_map failback_map[] = {
	{ "on", AFB_ON }, { "off", AFB_OFF }, { "legacy", AFB_LEGACY },
	{ NULL, 0 }
};
/* sha512 has no number in HBD-MIB's hbdAuthMethod: left out */
static const struct name_map auth_map[] = {
	{ "crc", AUTH_M_CRC }, { "md5", AUTH_M_MD5 }, { "sha1", AUTH_M_SHA1 },
	{ "sha256", AUTH_M_SHA256 }, { "sha512", AUTH_M_SHA512 }, { NULL, 0 }
};
/* HbdMoveCause; anything unknown is other(1) */
static const struct name_map reason_map[] = {
	{ "other", 1 }, { "startup", 2 }, { "node_dead", 3 },
	{ "peer_request", 4 }, { "failback", 5 }, { "admin", 6 },
	{ "resource_failure", 7 }, { "shutdown", 8 }, { NULL, 0 }
};

static int
map(const struct name_map *m, const char *s)
{
	if (s == NULL)
		return 0;
	for (; m->name; m++)
		if (strcmp(m->name, s) == 0)
			return m->val;
	return 0;
}

int
cache_node_status(const char *s)
{
	return map(node_status_map, s);
}

int
cache_group_state(const char *s)
{
	return map(group_state_map, s);
}

int
cache_move_reason(const char *s)
{
	int	 r = map(reason_map, s);

	return r ? r : 1;
}

static char *
dup_str(const struct jval *o, const char *key)
{
	const char	*s = json_get_str(o, key);

	return xstrdup(s ? s : "");
}

static uint32_t
get_u32(const struct jval *o, const char *key)
{
	int64_t	 v = json_get_int(o, key, 0);

	if (v < 0)
		return 0;
	return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

static uint64_t
get_u64(const struct jval *o, const char *key)
{
	int64_t	 v = json_get_int(o, key, 0);

	return v < 0 ? 0 : (uint64_t)v;
}

/*
 * Ages are served as hbd measured them at the last status refresh (at most
 * HL_POLL_MS old). Adding the time since would be an upper bound that a
 * healthy peer exceeds between two polls (a 200 ms keepalive would read up
 * to 1.2 s): a threshold set at deadtime would fire falsely.
 */
static int64_t
heard_age(const struct jval *o, int local)
{
	const struct jval	*v = json_get(o, "last_heartbeat_ms");

	if (local)
		return 0;
	if (v == NULL || v->type != J_NUM || v->inum < 0)
		return CACHE_NEVER;
	return v->inum;
}

static void
free_cache(struct cache *c)
{
	size_t	 i, j;

	if (c == NULL)
		return;
	for (i = 0; i < c->nnodes; i++) {
		for (j = 0; j < c->nodes[i].nlinks; j++)
			free(c->nodes[i].links[j].name);
		free(c->nodes[i].links);
		free(c->nodes[i].name);
	}
	for (i = 0; i < c->ngroups; i++) {
		struct c_group	*g = &c->groups[i];

		for (j = 0; j < g->nrsc; j++)
			free(g->rsc[j].name);
		free(g->rsc);
		free(g->name);
		free(g->preferred);
		free(g->owner);
		free(g->target);
	}
	free(c->nodes);
	free(c->groups);
	free(c->version);
	free(c->node);
	free(c);
}

static void
load_node(struct c_node *n, const struct jval *o)
{
	const struct jval	*l;
	size_t			 k = 0;

	n->index = get_u32(o, "index");
	n->name = dup_str(o, "name");
	n->type = strcmp(json_get_str(o, "type") ? json_get_str(o, "type") :
	    "", "ping") == 0 ? NODE_PING : NODE_NORMAL;
	n->status = map(node_status_map, json_get_str(o, "status"));
	n->local = json_get_bool(o, "local", 0);
	n->age_ms = heard_age(o, n->local);
	n->changed_mono = json_get_int(o, "changed_mono_ms", 0);
	n->generation = get_u32(o, "generation");
	n->late = get_u64(o, "late_heartbeats");
	n->dead = get_u64(o, "dead_count");
	l = json_get(o, "links");
	n->nlinks = json_count(l);
	n->links = xcalloc(n->nlinks, sizeof(*n->links));
	for (l = l ? l->child : NULL; l && k < n->nlinks; l = l->next, k++) {
		struct c_link	*c = &n->links[k];

		c->index = get_u32(l, "index");
		c->name = dup_str(l, "name");
		c->type = map(medium_map, json_get_str(l, "type"));
		c->status = map(link_status_map, json_get_str(l, "status"));
		c->age_ms = heard_age(l, n->local);
		c->changed_mono = json_get_int(l, "changed_mono_ms", 0);
	}
}

static void
load_group(struct c_group *g, const struct jval *o)
{
	const struct jval	*r;
	size_t			 k = 0;

	g->index = get_u32(o, "index");
	g->name = dup_str(o, "name");
	g->preferred = dup_str(o, "preferred");
	g->owner = dup_str(o, "owner");
	g->target = dup_str(o, "target");
	/* hbdGroupState is this node's state of the group ("stopped" where
	 * the peer runs it); hbd's "state" is the cluster view */
	g->state = map(group_state_map, json_get_str(o, "local_state") ?
	    json_get_str(o, "local_state") : json_get_str(o, "state"));
	g->changed_mono = json_get_int(o, "changed_mono_ms", 0);
	g->takeovers = get_u64(o, "takeovers");
	r = json_get(o, "resources");
	g->nrsc = json_count(r);
	g->rsc = xcalloc(g->nrsc, sizeof(*g->rsc));
	for (r = r ? r->child : NULL; r && k < g->nrsc; r = r->next, k++) {
		g->rsc[k].index = get_u32(r, "index");
		g->rsc[k].name = dup_str(r, "name");
		g->rsc[k].state = map(group_state_map,
		    json_get_str(r, "state"));
		g->rsc[k].changed_mono = json_get_int(r, "changed_mono_ms", 0);
		g->rsc[k].failures = get_u64(r, "failures");
		g->rsc[k].last_action = map(action_map,
		    json_get_str(r, "last_action"));
		g->rsc[k].last_duration = json_get_int(r, "last_duration_ms",
		    0);
		g->rsc[k].last_result = map(result_map,
		    json_get_str(r, "last_result"));
		g->rsc[k].last_rc = (int)json_get_int(r, "last_rc", 0);
	}
}

int
cache_load(const struct jval *st, int64_t now, char *err, size_t errlen)
{
	const struct jval	*cfg, *cn, *a, *o;
	struct cache		*c;
	int64_t			 snap, uptime;
	size_t			 k;

	if (st == NULL || st->type != J_OBJ || json_get_str(st, "node") ==
	    NULL || (cfg = json_get(st, "config")) == NULL) {
		snprintf(err, errlen, "status reply lacks node or config");
		return -1;
	}
	snap = json_get_int(st, "mono_ms", now);
	uptime = json_get_int(st, "uptime_ms", 0);
	/* hbd's monotonic clock: anything else is not hbd talking */
	if (snap < 0 || uptime < 0 || uptime > snap) {
		snprintf(err, errlen, "status reply has impossible mono_ms "
		    "and uptime_ms");
		return -1;
	}
	c = xcalloc(1, sizeof(*c));
	c->version = dup_str(st, "version");
	c->node = dup_str(st, "node");
	c->generation = get_u32(st, "generation");
	c->start_mono = snap - uptime;
	c->keepalive_ms = get_u32(cfg, "keepalive_ms");
	c->warntime_ms = get_u32(cfg, "warntime_ms");
	c->deadtime_ms = get_u32(cfg, "deadtime_ms");
	c->initdead_ms = get_u32(cfg, "initdead_ms");
	c->auto_failback = map(failback_map, json_get_str(cfg,
	    "auto_failback"));
	c->auth_method = map(auth_map, json_get_str(cfg, "auth_method"));
	c->snmp_write = json_get_bool(cfg, "snmp_write", 0);

	cn = json_get(st, "counters");
	c->cnt.takeovers = get_u64(cn, "takeovers");
	c->cnt.late_heartbeats = get_u64(cn, "late_heartbeats");
	c->cnt.auth_failures = get_u64(cn, "auth_failures");
	c->cnt.replays = get_u64(cn, "replays");
	c->cnt.malformed = get_u64(cn, "malformed");
	c->cnt.unknown_node = get_u64(cn, "unknown_node");
	c->cnt.wrong_cluster = get_u64(cn, "wrong_cluster");
	c->cnt.fences = get_u64(cn, "fences");
	c->cnt.fence_failures = get_u64(cn, "fence_failures");
	c->cnt.resource_failures = get_u64(cn, "resource_failures");

	a = json_get(st, "nodes");
	c->nnodes = json_count(a);
	c->nodes = xcalloc(c->nnodes, sizeof(*c->nodes));
	for (k = 0, o = a ? a->child : NULL; o && k < c->nnodes; o = o->next)
		load_node(&c->nodes[k++], o);
	a = json_get(st, "groups");
	c->ngroups = json_count(a);
	c->groups = xcalloc(c->ngroups, sizeof(*c->groups));
	for (k = 0, o = a ? a->child : NULL; o && k < c->ngroups; o = o->next)
		load_group(&c->groups[k++], o);

	if (c->start_mono != seen_start) {
		/* another hbd than last time: it has just loaded its config */
		seen_start = c->start_mono;
		dv.config_changed = c->start_mono;
	}
	/* the MIB index points into the old cache: it must be rebuilt */
	gen++;
	free_cache(cur);
	cur = c;
	return 0;
}

void
cache_free(void)
{
	free_cache(cur);
	cur = NULL;
	gen++;
}

const struct cache *
cache_get(void)
{
	return cur;
}

unsigned
cache_generation(void)
{
	return gen;
}

const struct daemon_view *
cache_daemon(void)
{
	return &dv;
}

/*
 * since: hbd's clock when it built the snapshot, so that a change right
 * after it (an event already on its way) counts as seen since connecting
 */
void
cache_set_reachable(int64_t now, int64_t since)
{
	if (dv.status != DAEMON_REACHABLE)
		dv.status_changed = now;
	dv.status = DAEMON_REACHABLE;
	dv.connected = since;
	/* counters may have restarted from zero, or moved unseen */
	dv.discontinuity = now;
}

void
cache_set_unreachable(int64_t now)
{
	if (dv.status != DAEMON_UNREACHABLE)
		dv.status_changed = now;
	dv.status = DAEMON_UNREACHABLE;
	cache_free();
}

/* ---- lookups ---- */

static struct c_node *
node_mut(uint32_t index)
{
	size_t	 i;

	for (i = 0; cur && i < cur->nnodes; i++)
		if (cur->nodes[i].index == index)
			return &cur->nodes[i];
	return NULL;
}

static struct c_link *
link_mut(uint32_t node, uint32_t link)
{
	struct c_node	*n = node_mut(node);
	size_t		 i;

	for (i = 0; n && i < n->nlinks; i++)
		if (n->links[i].index == link)
			return &n->links[i];
	return NULL;
}

static struct c_group *
group_mut(uint32_t index)
{
	size_t	 i;

	for (i = 0; cur && i < cur->ngroups; i++)
		if (cur->groups[i].index == index)
			return &cur->groups[i];
	return NULL;
}

static struct c_rsc *
rsc_mut(uint32_t group, uint32_t rsc)
{
	struct c_group	*g = group_mut(group);
	size_t		 i;

	for (i = 0; g && i < g->nrsc; i++)
		if (g->rsc[i].index == rsc)
			return &g->rsc[i];
	return NULL;
}

const struct c_node *
cache_node(uint32_t index)
{
	return node_mut(index);
}

const struct c_node *
cache_node_by_name(const char *name)
{
	size_t	 i;

	/* hbd compares node names without regard to case */
	for (i = 0; cur && i < cur->nnodes; i++)
		if (strcasecmp(cur->nodes[i].name, name) == 0)
			return &cur->nodes[i];
	return NULL;
}

const struct c_group *
cache_group(uint32_t index)
{
	return group_mut(index);
}

uint64_t
cache_group_failures(const struct c_group *g)
{
	uint64_t	 n = 0;
	size_t		 i;

	for (i = 0; i < g->nrsc; i++)
		n += g->rsc[i].failures;
	return n;
}

const char *
cache_admin_owner(const struct c_group *g)
{
	return g->target[0] ? g->target : g->owner;
}

/* ---- events ---- */

static void
set_str(char **p, const char *s)
{
	free(*p);
	*p = xstrdup(s ? s : "");
}

static void
ev_node(const struct jval *ev, const char *type, int64_t mono)
{
	struct c_node	*n = node_mut(get_u32(ev, "index"));
	int		 st = map(node_status_map, json_get_str(ev, "status"));

	if (n == NULL)
		return;
	if (strcmp(type, "late_heartbeat") == 0) {
		n->late++;
		cur->cnt.late_heartbeats++;
		return;
	}
	if (strcmp(type, "node_dead") == 0) {
		n->dead++;
		if (st == 0)
			st = NST_DEAD;
	}
	if (st && st != n->status) {
		n->status = st;
		n->changed_mono = mono;
	}
}

static void
ev_link(const struct jval *ev, int64_t mono)
{
	struct c_link	*l = link_mut(get_u32(ev, "index"),
			    get_u32(ev, "link_index"));
	int		 st = map(link_status_map, json_get_str(ev,
			    "link_status"));

	if (l && st && st != l->status) {
		l->status = st;
		l->changed_mono = mono;
	}
}

static void
ev_group(const struct jval *ev, const char *type, int64_t mono)
{
	struct c_group	*g = group_mut(get_u32(ev, "index"));
	int		 st = map(group_state_map, json_get_str(ev, "state"));

	if (g == NULL)
		return;
	if (strcmp(type, "takeover") == 0) {
		g->takeovers++;
		cur->cnt.takeovers++;
	}
	if (strcmp(type, "release") == 0) {
		set_str(&g->owner, json_get_str(ev, "to"));
		return;		/* the state is the peer's now: next poll */
	}
	if (st == GST_STARTING || st == GST_STARTED || st == GST_STOPPING)
		set_str(&g->owner, json_get_str(ev, "node"));
	if (st && st != g->state) {
		g->state = st;
		g->changed_mono = mono;
	}
}

static void
ev_resource(const struct jval *ev, int64_t mono)
{
	struct c_rsc	*r = rsc_mut(get_u32(ev, "index"),
			    get_u32(ev, "resource_index"));
	int		 st = map(group_state_map, json_get_str(ev, "state"));

	cur->cnt.resource_failures++;
	if (r == NULL)
		return;
	r->failures++;
	if (st == 0)
		st = GST_FAILED;
	if (st != r->state) {
		r->state = st;
		r->changed_mono = mono;
	}
}

void
cache_apply_event(const struct jval *ev)
{
	const char	*type = json_get_str(ev, "type");
	int64_t		 mono = json_get_int(ev, "mono_ms", mono_ms());
	const char	*res;

	if (type == NULL)
		return;
	if (strcmp(type, "config_reloaded") == 0) {
		res = json_get_str(ev, "result");
		if (res && strcmp(res, "ok") == 0)
			dv.config_changed = mono;
		return;
	}
	if (cur == NULL)
		return;
	if (strncmp(type, "node_", 5) == 0 &&
	    strcmp(type, "node_fenced") != 0)
		ev_node(ev, type, mono);
	else if (strcmp(type, "late_heartbeat") == 0)
		ev_node(ev, type, mono);
	else if (strcmp(type, "link_up") == 0 || strcmp(type, "link_dead") == 0)
		ev_link(ev, mono);
	else if (strncmp(type, "group_", 6) == 0 ||
	    strcmp(type, "takeover") == 0 || strcmp(type, "release") == 0)
		ev_group(ev, type, mono);
	else if (strcmp(type, "resource_failed") == 0)
		ev_resource(ev, mono);
	else if (strcmp(type, "auth_failure") == 0) {
		uint64_t	 n = get_u64(ev, "count");

		if (n > cur->cnt.auth_failures)
			cur->cnt.auth_failures = n;
	} else if (strcmp(type, "fence_started") == 0)
		cur->cnt.fences++;
	else if (strcmp(type, "fence_failed") == 0)
		cur->cnt.fence_failures++;
}
