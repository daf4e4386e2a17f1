/*
 * agentx: net-snmp's agent library in a foreign event loop, as keepalived
 * runs it.
 *
 * Order matters: the default-store switches before init_agent(); the MIB
 * registered between init_agent() and init_snmp() (init_snmp opens the
 * AgentX session and registers what is there); the ping interval set
 * after init_agent(), which resets it. The ping is also net-snmp's
 * reconnect timer: after snmpd goes away the library retries every
 * AGENTX_PING_SECONDS, and re-registers our subtree when it gets in, so
 * the objects answer again within about a second of snmpd's return.
 * Alarms run from our loop (run_alarms), never from SIGALRM, so no
 * net-snmp code runs inside a signal handler.
 *
 * Session state comes from the SNMPD_CALLBACK_INDEX_START/STOP callbacks
 * that the subagent code raises when the session opens and when it is
 * lost (disconnect or a ping without answer).
 */
#include "config.h"

#include <string.h>
#include <sys/select.h>
#include <syslog.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>
#include <net-snmp/agent/agent_callbacks.h>

#include "agentx.h"
#include "log.h"
#include "mib.h"
#include "util.h"

static const char	*xsocket;
static int		 session_up;
static int		 ever_up;
static char		 logline[1024];
static size_t		 loglen;

static void
lmsg(int prio, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vmsg(prio, fmt, ap);
	va_end(ap);
}

/*
 * net-snmp logs a line in pieces at times (and several lines at once at
 * others): pass on whole lines only. Its errors stay errors; its info
 * lines are ours too.
 */
static int
on_log(int major, int minor, void *serverarg, void *clientarg)
{
	const struct snmp_log_message	*m = serverarg;
	const char			*p;
	int				 prio;

	if (m == NULL || m->msg == NULL)
		return 0;
	prio = m->priority;
	if (prio < LOG_EMERG || prio > LOG_DEBUG)
		prio = LOG_INFO;
	if (prio < LOG_CRIT)
		prio = LOG_CRIT;
	for (p = m->msg; *p; p++) {
		if (*p != '\n' && loglen < sizeof(logline) - 1) {
			logline[loglen++] = *p;
			continue;
		}
		if (*p != '\n')
			continue;	/* overlong: the tail is cut */
		logline[loglen] = '\0';
		if (loglen > 0)
			lmsg(prio, "net-snmp: %s", logline);
		loglen = 0;
	}
	return 0;
}

static int
on_session_start(int major, int minor, void *serverarg, void *clientarg)
{
	session_up = 1;
	if (ever_up)
		log_info("AgentX session to snmpd at %s is back", xsocket);
	else
		log_info("AgentX session to snmpd at %s is up", xsocket);
	ever_up = 1;
	return 0;
}

static int
on_session_stop(int major, int minor, void *serverarg, void *clientarg)
{
	if (session_up)
		log_warnx("lost the AgentX session to snmpd at %s; "
		    "reconnecting every %d s", xsocket, AGENTX_PING_SECONDS);
	session_up = 0;
	return 0;
}

/*
 * Every AgentX exchange of the library (open, register, ping) waits for
 * snmpd's answer inside our loop. With net-snmp's default of 5 retries of
 * 1 s a hung snmpd (stopped, swapping) held hbd-snmp for 6 s per ping and
 * as long again for the close and reopen that follow, with hbd's events
 * unread meanwhile. One retry bounds each wait to 2 s. The library resets
 * the retry count when it initialises (inside init_snmp), so this is set
 * from the callback that runs after that and before the session opens.
 */
static int
set_timeouts(int major, int minor, void *serverarg, void *clientarg)
{
	netsnmp_ds_set_int(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_RETRIES,
	    AGENTX_RETRIES);
	netsnmp_ds_set_int(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_TIMEOUT,
	    AGENTX_TIMEOUT_SECONDS);
	return 0;
}

int
agentx_up(void)
{
	return session_up;
}

void
agentx_init(const char *socket, int debug_level)
{
	xsocket = socket;

	/* the library's own output goes through lib/log.c from the start */
	snmp_disable_log();
	snmp_enable_calllog();
	snmp_register_callback(SNMP_CALLBACK_LIBRARY, SNMP_CALLBACK_LOGGING,
	    on_log, NULL);
	if (debug_level >= 3) {
		debug_register_tokens("agentx");
		snmp_set_do_debugging(1);
	}

	netsnmp_ds_set_boolean(NETSNMP_DS_APPLICATION_ID,
	    NETSNMP_DS_AGENT_ROLE, 1);
	netsnmp_ds_set_string(NETSNMP_DS_APPLICATION_ID,
	    NETSNMP_DS_AGENT_X_SOCKET, socket);
	/* we say once that snmpd is away, not at every retry */
	netsnmp_ds_set_boolean(NETSNMP_DS_APPLICATION_ID,
	    NETSNMP_DS_AGENT_NO_CONNECTION_WARNINGS, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID,
	    NETSNMP_DS_LIB_DONT_READ_CONFIGS, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID,
	    NETSNMP_DS_LIB_DISABLE_PERSISTENT_LOAD, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID,
	    NETSNMP_DS_LIB_DISABLE_PERSISTENT_SAVE, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID,
	    NETSNMP_DS_LIB_ALARM_DONT_USE_SIG, 1);
	/* numeric OIDs only: no MIB files to read or to complain about */
	setenv("MIBS", "", 1);

	if (init_agent("hbd-snmp") != 0)
		fatalx("net-snmp: init_agent failed");
	netsnmp_ds_set_int(NETSNMP_DS_APPLICATION_ID,
	    NETSNMP_DS_AGENT_AGENTX_PING_INTERVAL, AGENTX_PING_SECONDS);
	snmp_register_callback(SNMP_CALLBACK_APPLICATION,
	    SNMPD_CALLBACK_INDEX_START, on_session_start, NULL);
	snmp_register_callback(SNMP_CALLBACK_APPLICATION,
	    SNMPD_CALLBACK_INDEX_STOP, on_session_stop, NULL);
	snmp_register_callback(SNMP_CALLBACK_LIBRARY,
	    SNMP_CALLBACK_POST_PREMIB_READ_CONFIG, set_timeouts, NULL);
	mib_init();
	init_snmp("hbd-snmp");
	if (!session_up)
		log_warnx("no AgentX master at %s (is snmpd running with "
		    "'master agentx'?); retrying every %d s", socket,
		    AGENTX_PING_SECONDS);
}

int
agentx_prepare(struct pollfd *pfd, int max, int *timeout_ms)
{
	fd_set		 fds;
	struct timeval	 tv;
	int		 numfds = 0, block = 1, fd, n = 0;
	int64_t		 ms;

	FD_ZERO(&fds);
	memset(&tv, 0, sizeof(tv));
	snmp_select_info(&numfds, &fds, &tv, &block);
	for (fd = 0; fd < numfds && n < max; fd++)
		if (FD_ISSET(fd, &fds)) {
			pfd[n].fd = fd;
			pfd[n].events = POLLIN;
			pfd[n].revents = 0;
			n++;
		}
	if (!block) {
		ms = (int64_t)tv.tv_sec * 1000 + (tv.tv_usec + 999) / 1000;
		if (ms < *timeout_ms)
			*timeout_ms = (int)ms;
	}
	return n;
}

void
agentx_dispatch(const struct pollfd *pfd, int n)
{
	fd_set	 fds;
	int	 i, any = 0;

	FD_ZERO(&fds);
	for (i = 0; i < n; i++)
		if (pfd[i].revents & (POLLIN | POLLHUP | POLLERR)) {
			FD_SET(pfd[i].fd, &fds);
			any = 1;
		}
	if (any)
		snmp_read(&fds);
	snmp_timeout();		/* idempotent: only acts on what expired */
	run_alarms();
	netsnmp_check_outstanding_agent_requests();
}

void
agentx_shutdown(void)
{
	snmp_shutdown("hbd-snmp");
	shutdown_agent();
	mib_shutdown();
}
