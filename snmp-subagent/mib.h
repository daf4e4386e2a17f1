/*
 * mib: HBD-MIB's objects as one net-snmp handler over hbdObjects.
 *
 * Every instance that exists right now is an entry in one array sorted
 * by OID, rebuilt from the cache when its rows change; GET is a binary
 * search, GETNEXT the first entry after the request. Values that depend
 * on the time (ages, TimeStamps) are computed when asked, from the cache
 * only: no handler ever waits on hbd. The MIB group modules (mib_daemon,
 * mib_nodes, mib_groups) add their entries and getters.
 */
#ifndef HBD_SNMP_MIB_H
#define HBD_SNMP_MIB_H

#include <stddef.h>
#include <stdint.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>

#include "cache.h"

/*
 * hbdMIB: the numeric prefix, held here once (mibs/README). It names
 * net-snmp's experimental arc until the project has its own number.
 */
#define HBD_MIB_OID		1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 1
#define HBD_MIB_LEN		10
#define MIB_OID_MAX		24

/* a value, as the getter found it */
struct mib_val {
	u_char		 type;	/* ASN_INTEGER, ASN_UNSIGNED, ASN_COUNTER, ... */
	long		 num;
	const char	*str;
	size_t		 len;
};

typedef void	(*mib_get_fn)(const void *row, int col, struct mib_val *);

/*
 * Add one instance: hbdObjects.sub.idx, read through get(row, col).
 * Only during a rebuild (from the *_collect functions).
 */
void	 mib_add(const oid *sub, size_t sublen, const oid *idx,
	    size_t idxlen, mib_get_fn, const void *row, int col);

void	 mib_init(void);
void	 mib_shutdown(void);

/* value helpers for getters */
void	 mv_int(struct mib_val *, long);
void	 mv_unsigned(struct mib_val *, int64_t);	/* clamps to 2^32-1 */
void	 mv_counter(struct mib_val *, uint64_t);	/* wraps as Counter32 */
void	 mv_string(struct mib_val *, const char *, size_t maxlen);
void	 mv_timestamp(struct mib_val *, int64_t changed_mono, int rule);
/* TimeStamp rules: which changes are too old to report (then 0) */
#define TS_SINCE_AGENT		0	/* only before snmpd's sysUpTime 0 */
#define TS_SINCE_CONNECT	1	/* also before hbd-snmp reached hbd */

/* group modules */
void	 mib_daemon_collect(const struct cache *);
void	 mib_nodes_collect(const struct cache *);
void	 mib_groups_collect(const struct cache *);
int	 mib_groups_set(netsnmp_mib_handler *, netsnmp_handler_registration *,
	    netsnmp_agent_request_info *, netsnmp_request_info *,
	    const oid *idx, size_t idxlen);

#endif
