/*
 * mib: the sorted instance index and the one handler that serves it.
 *
 * Owns the registration of hbdObjects with net-snmp, the order of
 * instances (GETNEXT/GETBULK walk it; bulk requests reach us as GETNEXT
 * through net-snmp's bulk_to_next helper) and the conversion of hbd's
 * monotonic timestamps into TimeStamps. Must not talk to hbd: writes are
 * passed to mib_groups, which owns the single writable object.
 *
 * TimeStamps: netsnmp_get_agent_uptime() in a subagent is the subagent's
 * own clock, re-synchronised to the master's sysUpTime from the sysUpTime
 * field of every AgentX Response (open, register, and each ping), so it
 * tracks snmpd's sysUpTime to within a ping interval. hbd reports change
 * times as CLOCK_MONOTONIC ms on this host; a TimeStamp is computed when
 * read, as uptime now minus the age of the change, so it stays right
 * across a restart of snmpd (sysUpTime starts again at 0 and older
 * changes read 0, as RFC 2579 asks).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "log.h"
#include "mib.h"
#include "util.h"

struct mib_entry {
	oid		 name[MIB_OID_MAX];
	size_t		 len;
	mib_get_fn	 get;
	const void	*row;
	int		 col;
};

static oid objects_oid[] = { HBD_MIB_OID, 1 };
#define ROOT_LEN	(HBD_MIB_LEN + 1)

static struct mib_entry	*entries;
static size_t		 nentries, centries;
static unsigned		 built_gen = (unsigned)-1;
static int		 building;
static netsnmp_handler_registration *reg;

/* readable objects below hbdObjects: a GET of a missing instance of one
 * of these is noSuchInstance, of anything else noSuchObject */
static const struct {
	oid	 sub[3];
	size_t	 len;
	oid	 first, last;	/* column or scalar numbers */
} known[] = {
	{ { 1 }, 1, 1, 5 },		/* hbdDaemon */
	{ { 2 }, 1, 1, 8 },		/* hbdConfig */
	{ { 3 }, 1, 1, 10 },		/* hbdCounters */
	{ { 4, 1 }, 2, 2, 9 },		/* hbdNodeEntry */
	{ { 5, 1 }, 2, 2, 6 },		/* hbdLinkEntry */
	{ { 6, 1 }, 2, 2, 9 },		/* hbdGroupEntry */
	{ { 7, 1 }, 2, 2, 8 },		/* hbdResourceEntry */
};

void
mib_add(const oid *sub, size_t sublen, const oid *idx, size_t idxlen,
    mib_get_fn get, const void *row, int col)
{
	struct mib_entry	*e;

	if (!building || ROOT_LEN + sublen + idxlen > MIB_OID_MAX)
		return;
	if (nentries == centries) {
		centries = centries ? centries * 2 : 128;
		entries = xreallocarray(entries, centries, sizeof(*entries));
	}
	e = &entries[nentries++];
	memcpy(e->name, objects_oid, sizeof(objects_oid));
	memcpy(e->name + ROOT_LEN, sub, sublen * sizeof(oid));
	memcpy(e->name + ROOT_LEN + sublen, idx, idxlen * sizeof(oid));
	e->len = ROOT_LEN + sublen + idxlen;
	e->get = get;
	e->row = row;
	e->col = col;
}

static int
entry_cmp(const void *a, const void *b)
{
	const struct mib_entry	*x = a, *y = b;

	return snmp_oid_compare(x->name, x->len, y->name, y->len);
}

/* Row pointers point into the cache: rebuild whenever it was replaced. */
static void
rebuild(void)
{
	const struct cache	*c = cache_get();

	if (built_gen == cache_generation() && c != NULL)
		return;
	nentries = 0;
	building = 1;
	mib_daemon_collect(c);
	if (c != NULL) {
		mib_nodes_collect(c);
		mib_groups_collect(c);
	}
	building = 0;
	qsort(entries, nentries, sizeof(*entries), entry_cmp);
	built_gen = cache_generation();
}

/* index of the first entry >= name (or > name when !inclusive) */
static size_t
lower_bound(const oid *name, size_t len, int inclusive)
{
	size_t	 lo = 0, hi = nentries, mid;
	int	 c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = snmp_oid_compare(entries[mid].name, entries[mid].len, name,
		    len);
		if (c < 0 || (c == 0 && !inclusive))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int
is_known(const oid *name, size_t len)
{
	size_t	 i;
	oid	 col;

	if (len <= ROOT_LEN || netsnmp_oid_is_subtree(objects_oid, ROOT_LEN,
	    (oid *)name, len) != 0)
		return 0;
	name += ROOT_LEN;
	len -= ROOT_LEN;
	for (i = 0; i < nitems(known); i++) {
		if (len <= known[i].len || memcmp(name, known[i].sub,
		    known[i].len * sizeof(oid)) != 0)
			continue;
		col = name[known[i].len];
		return col >= known[i].first && col <= known[i].last;
	}
	return 0;
}

static void
set_value(netsnmp_variable_list *vb, const struct mib_entry *e)
{
	struct mib_val	 v;

	memset(&v, 0, sizeof(v));
	e->get(e->row, e->col, &v);
	if (v.type == ASN_OCTET_STR)
		snmp_set_var_typed_value(vb, ASN_OCTET_STR,
		    (const u_char *)(v.str ? v.str : ""), v.len);
	else
		snmp_set_var_typed_integer(vb, v.type, v.num);
}

static void
do_get(netsnmp_request_info *r)
{
	netsnmp_variable_list	*vb = r->requestvb;
	size_t			 i = lower_bound(vb->name, vb->name_length, 1);

	if (i < nentries && snmp_oid_compare(entries[i].name, entries[i].len,
	    vb->name, vb->name_length) == 0)
		set_value(vb, &entries[i]);
	else
		snmp_set_var_typed_value(vb, is_known(vb->name,
		    vb->name_length) ? SNMP_NOSUCHINSTANCE : SNMP_NOSUCHOBJECT,
		    NULL, 0);
}

static void
do_getnext(netsnmp_request_info *r)
{
	netsnmp_variable_list	*vb = r->requestvb;
	size_t			 i;

	i = lower_bound(vb->name, vb->name_length, r->inclusive);
	if (i >= nentries)
		return;		/* past our last instance: the agent moves on */
	snmp_set_var_objid(vb, entries[i].name, entries[i].len);
	set_value(vb, &entries[i]);
}

static int
is_admin_owner(const oid *name, size_t len)
{
	static const oid	 col[] = { 6, 1, 6 };

	return len > ROOT_LEN + nitems(col) && netsnmp_oid_is_subtree(
	    objects_oid, ROOT_LEN, (oid *)name, len) == 0 && memcmp(name +
	    ROOT_LEN, col, sizeof(col)) == 0;
}

static void
do_set(netsnmp_mib_handler *h, netsnmp_handler_registration *rg,
    netsnmp_agent_request_info *ri, netsnmp_request_info *r)
{
	netsnmp_variable_list	*vb = r->requestvb;
	size_t			 pre = ROOT_LEN + 3;
	int			 err;

	if (!is_admin_owner(vb->name, vb->name_length)) {
		if (ri->mode == MODE_SET_RESERVE1)
			netsnmp_request_set_error(r, SNMP_ERR_NOTWRITABLE);
		return;
	}
	err = mib_groups_set(h, rg, ri, r, vb->name + pre,
	    vb->name_length - pre);
	if (err != SNMP_ERR_NOERROR)
		netsnmp_request_set_error(r, err);
}

static int
handler(netsnmp_mib_handler *h, netsnmp_handler_registration *rg,
    netsnmp_agent_request_info *ri, netsnmp_request_info *reqs)
{
	netsnmp_request_info	*r;

	rebuild();
	for (r = reqs; r; r = r->next) {
		if (r->processed)
			continue;
		switch (ri->mode) {
		case MODE_GET:
			do_get(r);
			break;
		case MODE_GETNEXT:
			do_getnext(r);
			break;
		case MODE_SET_RESERVE1:
		case MODE_SET_RESERVE2:
		case MODE_SET_ACTION:
		case MODE_SET_COMMIT:
		case MODE_SET_FREE:
		case MODE_SET_UNDO:
			do_set(h, rg, ri, r);
			break;
		default:
			netsnmp_request_set_error(r, SNMP_ERR_GENERR);
			break;
		}
	}
	return SNMP_ERR_NOERROR;
}

void
mib_init(void)
{
	reg = netsnmp_create_handler_registration("hbdObjects", handler,
	    objects_oid, ROOT_LEN, HANDLER_CAN_RWRITE);
	if (reg == NULL || netsnmp_register_handler(reg) != MIB_REGISTERED_OK)
		fatalx("cannot register HBD-MIB's hbdObjects with net-snmp");
}

void
mib_shutdown(void)
{
	free(entries);
	entries = NULL;
	nentries = centries = 0;
	built_gen = (unsigned)-1;
}

/* ---- values ---- */

void
mv_int(struct mib_val *v, long n)
{
	v->type = ASN_INTEGER;
	v->num = n;
}

void
mv_unsigned(struct mib_val *v, int64_t n)
{
	v->type = ASN_UNSIGNED;
	v->num = n < 0 ? 0 : n > 4294967295LL ? 4294967295L : (long)n;
}

void
mv_counter(struct mib_val *v, uint64_t n)
{
	v->type = ASN_COUNTER;
	v->num = (long)(n & 0xffffffffULL);
}

void
mv_string(struct mib_val *v, const char *s, size_t maxlen)
{
	size_t	 n = s ? strlen(s) : 0;

	v->type = ASN_OCTET_STR;
	v->str = s ? s : "";
	v->len = n > maxlen ? maxlen : n;
}

void
mv_timestamp(struct mib_val *v, int64_t changed, int rule)
{
	u_long	 up = netsnmp_get_agent_uptime();
	int64_t	 ago;

	v->type = ASN_TIMETICKS;
	v->num = 0;
	if (changed <= 0)
		return;
	if (rule == TS_SINCE_CONNECT && changed < cache_daemon()->connected)
		return;
	ago = (mono_ms() - changed) / 10;
	if (ago < 0)
		ago = 0;
	if ((uint64_t)ago < up)
		v->num = (long)(up - (u_long)ago);
}
