/*
 * traps: one notification per hbd event that HBD-MIB names, built from
 * the event itself (the cache only adds what an event lacks, such as a
 * node's type), with the row instance on every column varbind so that a
 * manager can tie it to hbdNodeTable, hbdLinkTable, hbdGroupTable or
 * hbdResourceTable. Sent through send_v2trap() only while the AgentX
 * session is up (a notification sent without one is silently lost);
 * otherwise held, oldest dropped first beyond TRAP_QUEUE_MAX, and sent in
 * order when the session returns.
 */
#include "config.h"

#include <string.h>

#include "agentx.h"
#include "cache.h"
#include "log.h"
#include "mib.h"
#include "traps.h"
#include "util.h"

/* HBD-MIB notification numbers (hbdNotifications = hbdMIB.0) */
enum {
	N_NODE_DEAD = 1, N_NODE_UP, N_LATE_HEARTBEAT, N_TAKEOVER, N_RELEASE,
	N_RESOURCE_FAILED, N_LINK_DOWN, N_LINK_UP, N_AUTH_FAILURE,
	N_DAEMON_UNREACHABLE, N_DAEMON_REACHABLE, N_NODE_FENCED,
	N_FENCE_FAILED
};

static const char *const notif_names[] = {
	"?", "hbdNodeDead", "hbdNodeUp", "hbdLateHeartbeat", "hbdTakeover",
	"hbdRelease", "hbdResourceFailed", "hbdLinkDown", "hbdLinkUp",
	"hbdAuthFailure", "hbdDaemonUnreachable", "hbdDaemonReachable",
	"hbdNodeFenced", "hbdFenceFailed"
};

static const oid	 snmptrap_oid[] = { 1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0 };
static const oid	 mib_oid[] = { HBD_MIB_OID };

struct held {
	netsnmp_variable_list	*vars;
	int			 notif;
	int64_t			 at;
};

static struct held	 queue[TRAP_QUEUE_MAX];
static size_t		 qhead, qlen;
static uint64_t		 dropped, dropped_total;
static struct log_rl	 rl_drop;

/* at most one hbdLateHeartbeat per node per deadtime */
#define LATE_SLOTS	16
static struct {
	uint32_t	 node;
	int64_t		 last;
} late[LATE_SLOTS];

/* ---- building ---- */

struct tb {
	netsnmp_variable_list	*vars;
	int			 notif;
};

static void
tb_start(struct tb *t, int notif)
{
	oid	 trap[HBD_MIB_LEN + 2];

	memcpy(trap, mib_oid, sizeof(mib_oid));
	trap[HBD_MIB_LEN] = 0;
	trap[HBD_MIB_LEN + 1] = (oid)notif;
	t->vars = NULL;
	t->notif = notif;
	snmp_varlist_add_variable(&t->vars, snmptrap_oid,
	    nitems(snmptrap_oid), ASN_OBJECT_ID, (u_char *)trap,
	    sizeof(trap));
}

/* hbdObjects.<a>.<b>.<c>[.i[.j]]: an object below hbdMIB.1 */
static void
tb_add(struct tb *t, const oid *obj, size_t objlen, const uint32_t *idx,
    size_t idxlen, u_char type, const void *val, size_t vlen)
{
	oid	 name[MIB_OID_MAX];
	size_t	 n = 0, i;

	memcpy(name, mib_oid, sizeof(mib_oid));
	n = HBD_MIB_LEN;
	name[n++] = 1;
	for (i = 0; i < objlen; i++)
		name[n++] = obj[i];
	for (i = 0; i < idxlen; i++)
		name[n++] = idx[i];
	snmp_varlist_add_variable(&t->vars, name, n, type, val, vlen);
}

static void
tb_int(struct tb *t, const oid *obj, size_t objlen, const uint32_t *idx,
    size_t idxlen, u_char type, long v)
{
	tb_add(t, obj, objlen, idx, idxlen, type, &v, sizeof(v));
}

static void
tb_str(struct tb *t, const oid *obj, size_t objlen, const uint32_t *idx,
    size_t idxlen, const char *s, size_t maxlen)
{
	size_t	 n;

	s = s ? s : "";
	n = strlen(s);
	tb_add(t, obj, objlen, idx, idxlen, ASN_OCTET_STR, s,
	    n > maxlen ? maxlen : n);
}

static const uint32_t	 zero[] = { 0 };

#define OBJ(...)	(const oid[]){ __VA_ARGS__ }, \
			nitems(((const oid[]){ __VA_ARGS__ }))

/* ---- sending and holding ---- */

static void
send_now(netsnmp_variable_list *vars, int notif)
{
	send_v2trap(vars);
	snmp_free_varbind(vars);
	log_debug("sent %s", notif_names[notif]);
}

static void
hold(netsnmp_variable_list *vars, int notif)
{
	unsigned	 supp;

	if (qlen == 0)
		log_info("snmpd is not connected: holding notifications (at "
		    "most %d) until it is", TRAP_QUEUE_MAX);
	if (qlen == TRAP_QUEUE_MAX) {
		/* keep the newest: they describe the state that holds now */
		snmp_free_varbind(queue[qhead].vars);
		qhead = (qhead + 1) % TRAP_QUEUE_MAX;
		qlen--;
		dropped++;
		dropped_total++;
		if (log_rl_check(&rl_drop, mono_ms(), 10000, &supp))
			log_warnx("notification queue full (%d): dropping the "
			    "oldest (%llu dropped so far)", TRAP_QUEUE_MAX,
			    (unsigned long long)dropped_total);
	}
	queue[(qhead + qlen) % TRAP_QUEUE_MAX].vars = vars;
	queue[(qhead + qlen) % TRAP_QUEUE_MAX].notif = notif;
	queue[(qhead + qlen) % TRAP_QUEUE_MAX].at = mono_ms();
	qlen++;
}

static void
tb_send(struct tb *t)
{
	if (agentx_up() && qlen == 0)
		send_now(t->vars, t->notif);
	else
		hold(t->vars, t->notif);
	t->vars = NULL;
}

void
traps_flush(void)
{
	size_t	 n = 0;
	int64_t	 oldest;

	if (qlen == 0 || !agentx_up())
		return;
	oldest = queue[qhead].at;
	while (qlen > 0 && agentx_up()) {
		send_now(queue[qhead].vars, queue[qhead].notif);
		queue[qhead].vars = NULL;
		qhead = (qhead + 1) % TRAP_QUEUE_MAX;
		qlen--;
		n++;
	}
	log_info("sent %zu notification%s held while snmpd was away (oldest "
	    "%.1f s old, %llu dropped)", n, n == 1 ? "" : "s",
	    (double)(mono_ms() - oldest) / 1000, (unsigned long long)dropped);
	dropped = 0;
}

void
traps_shutdown(void)
{
	while (qlen > 0) {
		snmp_free_varbind(queue[qhead].vars);
		queue[qhead].vars = NULL;
		qhead = (qhead + 1) % TRAP_QUEUE_MAX;
		qlen--;
	}
}

/* ---- from events ---- */

static uint32_t
u32(const struct jval *ev, const char *key)
{
	int64_t	 v = json_get_int(ev, key, 0);

	return v < 0 || v > UINT32_MAX ? 0 : (uint32_t)v;
}

static long
exit_code(const struct jval *ev)
{
	int64_t	 v = json_get_int(ev, "exit_code", -1);

	return v < -1 ? -1 : v > 255 ? 255 : (long)v;
}

static void
node_varbinds(struct tb *t, const struct jval *ev, uint32_t n)
{
	tb_str(t, OBJ(4, 1, 2), &n, 1, json_get_str(ev, "node"), 64);
}

static void
node_state_trap(const struct jval *ev, int notif)
{
	struct tb		 t;
	uint32_t		 n = u32(ev, "index");
	const struct c_node	*cn = cache_node(n);
	int			 st = cache_node_status(json_get_str(ev,
				    "status"));

	if (n == 0)
		return;
	if (st == 0)
		st = notif == N_NODE_DEAD ? NST_DEAD : NST_UP;
	tb_start(&t, notif);
	node_varbinds(&t, ev, n);
	tb_int(&t, OBJ(4, 1, 3), &n, 1, ASN_INTEGER, cn ? cn->type :
	    NODE_NORMAL);
	tb_int(&t, OBJ(4, 1, 4), &n, 1, ASN_INTEGER, st);
	tb_send(&t);
}

static int
late_allowed(uint32_t n, int64_t at, int64_t deadtime)
{
	size_t	 i, slot = 0;

	for (i = 0; i < LATE_SLOTS; i++) {
		if (late[i].node == n) {
			if (at - late[i].last < deadtime)
				return 0;
			late[i].last = at;
			return 1;
		}
		if (late[i].last < late[slot].last)
			slot = i;	/* the least recently used */
	}
	late[slot].node = n;
	late[slot].last = at;
	return 1;
}

static void
late_trap(const struct jval *ev)
{
	struct tb		 t;
	uint32_t		 n = u32(ev, "index");
	const struct cache	*c = cache_get();
	int64_t			 dt = json_get_int(ev, "deadtime_ms",
				    c ? c->deadtime_ms : 0);

	if (n == 0 || !late_allowed(n, json_get_int(ev, "mono_ms",
	    mono_ms()), dt))
		return;
	tb_start(&t, N_LATE_HEARTBEAT);
	node_varbinds(&t, ev, n);
	tb_int(&t, OBJ(8, 1), zero, 1, ASN_UNSIGNED,
	    (long)json_get_int(ev, "interval_ms", 0));
	tb_int(&t, OBJ(2, 4), zero, 1, ASN_UNSIGNED, (long)dt);
	tb_send(&t);
}

static void
move_trap(const struct jval *ev, int notif)
{
	struct tb	 t;
	uint32_t	 g = u32(ev, "index");
	int		 st = cache_group_state(json_get_str(ev, "state"));

	if (g == 0)
		return;
	if (st == 0)
		st = notif == N_TAKEOVER ? GST_STARTED : GST_STOPPED;
	tb_start(&t, notif);
	tb_str(&t, OBJ(6, 1, 2), &g, 1, json_get_str(ev, "group"), 255);
	tb_str(&t, OBJ(6, 1, 4), &g, 1, json_get_str(ev, notif ==
	    N_TAKEOVER ? "node" : "to"), 64);
	tb_int(&t, OBJ(6, 1, 5), &g, 1, ASN_INTEGER, st);
	tb_int(&t, OBJ(8, 2), zero, 1, ASN_INTEGER,
	    cache_move_reason(json_get_str(ev, "reason")));
	tb_send(&t);
}

static void
resource_trap(const struct jval *ev)
{
	struct tb	 t;
	uint32_t	 gr[2];
	const char	*a = json_get_str(ev, "action");
	int		 st = cache_group_state(json_get_str(ev, "state"));
	long		 action = 3;

	gr[0] = u32(ev, "index");
	gr[1] = u32(ev, "resource_index");
	if (gr[0] == 0 || gr[1] == 0)
		return;
	if (a && strcmp(a, "start") == 0)
		action = 1;
	else if (a && strcmp(a, "stop") == 0)
		action = 2;
	tb_start(&t, N_RESOURCE_FAILED);
	tb_str(&t, OBJ(6, 1, 2), gr, 1, json_get_str(ev, "group"), 255);
	tb_str(&t, OBJ(7, 1, 2), gr, 2, json_get_str(ev, "resource"), 255);
	tb_int(&t, OBJ(7, 1, 3), gr, 2, ASN_INTEGER, st ? st : GST_FAILED);
	tb_int(&t, OBJ(8, 3), zero, 1, ASN_INTEGER, action);
	tb_int(&t, OBJ(8, 4), zero, 1, ASN_INTEGER, exit_code(ev));
	tb_send(&t);
}

static void
link_trap(const struct jval *ev, int notif)
{
	struct tb	 t;
	uint32_t	 nl[2];
	const char	*s = json_get_str(ev, "link_status");
	long		 st = notif == N_LINK_UP ? LNK_UP : LNK_DEAD;

	nl[0] = u32(ev, "index");
	nl[1] = u32(ev, "link_index");
	if (nl[0] == 0 || nl[1] == 0)
		return;
	if (s && strcmp(s, "up") == 0)
		st = LNK_UP;
	else if (s && strcmp(s, "dead") == 0)
		st = LNK_DEAD;
	tb_start(&t, notif);
	node_varbinds(&t, ev, nl[0]);
	tb_str(&t, OBJ(5, 1, 2), nl, 2, json_get_str(ev, "link"), 64);
	tb_int(&t, OBJ(5, 1, 4), nl, 2, ASN_INTEGER, st);
	tb_send(&t);
}

static long
auth_reason(const char *r)
{
	if (r == NULL)
		return 1;
	if (strcmp(r, "unknownKey") == 0 || strcmp(r, "unknown_key") == 0)
		return 2;
	if (strcmp(r, "wrongMethod") == 0 || strcmp(r, "wrong_method") == 0)
		return 3;
	if (strcmp(r, "replay") == 0)
		return 4;
	return 1;	/* badSignature */
}

static void
auth_trap(const struct jval *ev)
{
	struct tb	 t;
	int64_t		 count = json_get_int(ev, "count", 0);
	const char	*node = json_get_str(ev, "node");
	char		 clean[65];

	/*
	 * The node a bad packet claims to be: hbd passes only names made of
	 * [A-Za-z0-9._-], and this says so again, since trap handlers (the
	 * SNMPTT rule) put varbinds on shell command lines.
	 */
	name_clean(clean, sizeof(clean), node ? node : "");
	tb_start(&t, N_AUTH_FAILURE);
	tb_str(&t, OBJ(8, 5), zero, 1, json_get_str(ev, "source"), 255);
	tb_str(&t, OBJ(8, 6), zero, 1, clean, 64);
	tb_int(&t, OBJ(8, 7), zero, 1, ASN_INTEGER,
	    auth_reason(json_get_str(ev, "reason")));
	tb_int(&t, OBJ(3, 3), zero, 1, ASN_COUNTER,
	    (long)((uint64_t)(count < 0 ? 0 : count) & 0xffffffffULL));
	tb_send(&t);
}

static void
fence_trap(const struct jval *ev, int notif)
{
	struct tb	 t;
	uint32_t	 n = u32(ev, "index");
	const char	*a = json_get_str(ev, "action");

	if (n == 0)
		return;
	tb_start(&t, notif);
	node_varbinds(&t, ev, n);
	tb_int(&t, OBJ(8, 8), zero, 1, ASN_INTEGER, a && strcmp(a,
	    "reboot") == 0 ? 2 : 1);
	tb_int(&t, OBJ(8, 9), zero, 1, ASN_INTEGER, exit_code(ev));
	tb_send(&t);
}

void
traps_event(const struct jval *ev)
{
	const char	*type = json_get_str(ev, "type");

	if (type == NULL)
		return;
	if (strcmp(type, "node_dead") == 0)
		node_state_trap(ev, N_NODE_DEAD);
	else if (strcmp(type, "node_up") == 0)
		node_state_trap(ev, N_NODE_UP);
	else if (strcmp(type, "late_heartbeat") == 0)
		late_trap(ev);
	else if (strcmp(type, "takeover") == 0)
		move_trap(ev, N_TAKEOVER);
	else if (strcmp(type, "release") == 0)
		move_trap(ev, N_RELEASE);
	else if (strcmp(type, "resource_failed") == 0)
		resource_trap(ev);
	else if (strcmp(type, "link_dead") == 0)
		link_trap(ev, N_LINK_DOWN);
	else if (strcmp(type, "link_up") == 0)
		link_trap(ev, N_LINK_UP);
	else if (strcmp(type, "auth_failure") == 0)
		auth_trap(ev);
	else if (strcmp(type, "node_fenced") == 0)
		fence_trap(ev, N_NODE_FENCED);
	else if (strcmp(type, "fence_failed") == 0)
		fence_trap(ev, N_FENCE_FAILED);
}

void
traps_daemon(int status)
{
	struct tb	 t;

	tb_start(&t, status == DAEMON_REACHABLE ? N_DAEMON_REACHABLE :
	    N_DAEMON_UNREACHABLE);
	tb_int(&t, OBJ(1, 1), zero, 1, ASN_INTEGER, status);
	tb_send(&t);
}
