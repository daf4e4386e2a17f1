/*
 * mib_daemon: HBD-MIB's scalars: hbdDaemon (the link to hbd), hbdConfig
 * (the configuration in effect) and hbdCounters. While hbd is unreachable
 * only hbdDaemonStatus and hbdDaemonStatusChanged exist. Reads the cache
 * only.
 */
#include "config.h"

#include "cache.h"
#include "mib.h"

/* col = subtree * 100 + scalar number */
#define COL(sub, n)	((sub) * 100 + (n))

static void
scalar_value(const void *row, int col, struct mib_val *v)
{
	const struct cache		*c = row;
	const struct daemon_view	*d = cache_daemon();

	switch (col) {
	case COL(1, 1):
		mv_int(v, d->status);
		break;
	case COL(1, 2):
		mv_timestamp(v, d->status_changed, TS_SINCE_AGENT);
		break;
	case COL(1, 3):
		mv_string(v, c->version, 64);
		break;
	case COL(1, 4):
		mv_timestamp(v, d->config_changed, TS_SINCE_AGENT);
		break;
	case COL(1, 5):
		mv_timestamp(v, d->discontinuity, TS_SINCE_AGENT);
		break;
	case COL(2, 1):
		mv_string(v, c->node, 64);
		break;
	case COL(2, 2):
		mv_unsigned(v, c->keepalive_ms);
		break;
	case COL(2, 3):
		mv_unsigned(v, c->warntime_ms);
		break;
	case COL(2, 4):
		mv_unsigned(v, c->deadtime_ms);
		break;
	case COL(2, 5):
		mv_unsigned(v, c->initdead_ms);
		break;
	case COL(2, 6):
		mv_int(v, c->auto_failback);
		break;
	case COL(2, 7):
		mv_int(v, c->auth_method);
		break;
	case COL(2, 8):
		mv_int(v, c->snmp_write ? 1 : 2);	/* TruthValue */
		break;
	case COL(3, 1):
		mv_counter(v, c->cnt.takeovers);
		break;
	case COL(3, 2):
		mv_counter(v, c->cnt.late_heartbeats);
		break;
	case COL(3, 3):
		mv_counter(v, c->cnt.auth_failures);
		break;
	case COL(3, 4):
		mv_counter(v, c->cnt.replays);
		break;
	case COL(3, 5):
		mv_counter(v, c->cnt.malformed);
		break;
	case COL(3, 6):
		mv_counter(v, c->cnt.unknown_node);
		break;
	case COL(3, 7):
		mv_counter(v, c->cnt.wrong_cluster);
		break;
	case COL(3, 8):
		mv_counter(v, c->cnt.fences);
		break;
	case COL(3, 9):
		mv_counter(v, c->cnt.fence_failures);
		break;
	case COL(3, 10):
		mv_counter(v, c->cnt.resource_failures);
		break;
	}
}

static void
scalar(const struct cache *c, oid sub, oid n)
{
	static const oid	 zero[] = { 0 };
	oid			 s[2];

	s[0] = sub;
	s[1] = n;
	mib_add(s, 2, zero, 1, scalar_value, c, COL((int)sub, (int)n));
}

void
mib_daemon_collect(const struct cache *c)
{
	oid	 n;

	scalar(c, 1, 1);
	scalar(c, 1, 2);
	if (c == NULL)
		return;
	for (n = 3; n <= 5; n++)
		scalar(c, 1, n);
	for (n = 1; n <= 8; n++) {
		/* an auth method or failback mode the MIB cannot name */
		if ((n == 6 && c->auto_failback == 0) ||
		    (n == 7 && c->auth_method == 0))
			continue;
		scalar(c, 2, n);
	}
	for (n = 1; n <= 10; n++)
		scalar(c, 3, n);
}
