/*
 * traps: HBD-MIB notifications from hbd's events, with instance OIDs, and
 * a bounded queue that holds them while snmpd's AgentX session is down.
 */
#ifndef HBD_SNMP_TRAPS_H
#define HBD_SNMP_TRAPS_H

#include "json.h"

#define TRAP_QUEUE_MAX	256

void	 traps_event(const struct jval *ev);
void	 traps_daemon(int status);	/* DAEMON_REACHABLE / _UNREACHABLE */
/* send what was held, once the AgentX session is up again */
void	 traps_flush(void);
void	 traps_shutdown(void);

#endif
