/*
 * agentx: net-snmp set up as an AgentX subagent inside hbd-snmp's own
 * poll() loop: no config files, no persistent state, no SIGALRM, the
 * library's log routed to lib/log.c, and the AgentX session watched so
 * that notifications are only sent while snmpd is there.
 */
#ifndef HBD_SNMP_AGENTX_H
#define HBD_SNMP_AGENTX_H

#include <poll.h>

#define AGENTX_DEFAULT_SOCKET	"unix:/var/agentx/master"
#define AGENTX_PING_SECONDS	1	/* reconnect/ping period (whole s) */
#define AGENTX_TIMEOUT_SECONDS	1	/* wait for snmpd's answer ... */
#define AGENTX_RETRIES		1	/* ... and ask once more */

void	 agentx_init(const char *socket, int debug_level);
int	 agentx_up(void);
/* add net-snmp's fds to pfd (at most max); lower *timeout_ms if needed */
int	 agentx_prepare(struct pollfd *pfd, int max, int *timeout_ms);
void	 agentx_dispatch(const struct pollfd *pfd, int n);
void	 agentx_shutdown(void);

#endif
