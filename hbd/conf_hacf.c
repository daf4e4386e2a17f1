/*
 * conf_hacf: ha.cf, heartbeat's main file, with heartbeat's meaning.
 * A directive table maps each word to a handler; heartbeat directives hbd
 * has no use for are accepted with a warning or refused by name, and
 * unknown words are errors. hbd.conf reuses these handlers, so both files
 * build the same model.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <netdb.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "conf_int.h"
#include "fence.h"
#include "log.h"
#include "util.h"

#ifndef HBD_SNMP_PATH
#define HBD_SNMP_PATH	"/usr/local/sbin/hbd-snmp"
#endif

enum dkind {
	D_ONCE,		/* handler gets the whole line */
	D_EACH,		/* heartbeat applies it to each value in turn */
	D_WARN,		/* harmless legacy knob: accepted, warned */
	D_REFUSE	/* a heartbeat feature hbd does not provide */
};

struct directive {
	const char	*name;
	enum dkind	 kind;
	int		 minargs, maxargs;	/* values, not counting name */
	int		(*fn)(struct cparse *, int, char **);
	const char	*note;
};

#define LINE	(cp->line)

static int
parse_u32(const char *s, long min, long max, long *out)
{
	char	*end;
	long	 v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static int
set_time(struct cparse *cp, const char *name, const char *v, uint32_t *dst,
    int *seen)
{
	if (conf_parse_time(v, dst) == -1) {
		cp_err(cp, LINE, "%s: expected a time like 10, 1.5 or 500ms, "
		    "got \"%s\"", name, v);
		return -1;
	}
	if (*seen)
		cp_warn(cp, LINE, "%s overrides the value given on line %d",
		    name, *seen);
	*seen = LINE;
	return 0;
}

static int
d_keepalive(struct cparse *cp, int argc, char **argv)
{
	return set_time(cp, argv[0], argv[1], &cp->c->keepalive_ms,
	    &cp->seen_keepalive);
}

static int
d_deadtime(struct cparse *cp, int argc, char **argv)
{
	return set_time(cp, argv[0], argv[1], &cp->c->deadtime_ms,
	    &cp->seen_deadtime);
}

static int
d_warntime(struct cparse *cp, int argc, char **argv)
{
	if (set_time(cp, argv[0], argv[1], &cp->c->warntime_ms,
	    &cp->seen_warntime) == -1)
		return -1;
	if (cp->c->warntime_ms == 0) {
		cp_err(cp, LINE, "warntime [%s] is invalid: it must be "
		    "greater than 0", argv[1]);
		return -1;
	}
	return 0;
}

static int
d_initdead(struct cparse *cp, int argc, char **argv)
{
	return set_time(cp, argv[0], argv[1], &cp->c->initdead_ms,
	    &cp->seen_initdead);
}

static int
d_deadping(struct cparse *cp, int argc, char **argv)
{
	return set_time(cp, argv[0], argv[1], &cp->c->deadping_ms,
	    &cp->seen_deadping);
}

static int
d_node(struct cparse *cp, int argc, char **argv)
{
	struct conf	*c = cp->c;
	char		*p;
	int		 i;

	if (strlen(argv[1]) >= HBD_MAX_NAME) {
		cp_err(cp, LINE, "node %s: name longer than %d characters",
		    argv[1], HBD_MAX_NAME - 1);
		return -1;
	}
	if (!node_name_ok(argv[1])) {
		char	 vis[4 * HBD_MAX_NAME];

		str_vis(vis, sizeof(vis), argv[1]);
		cp_err(cp, LINE, "node \"%s\": a node name has only letters, "
		    "digits, '.', '_' and '-'", vis);
		return -1;
	}
	for (i = 0; i < c->nnodes; i++)
		if (strcasecmp(c->nodes[i], argv[1]) == 0) {
			cp_err(cp, LINE, "node %s is listed twice", argv[1]);
			return -1;
		}
	if (c->nnodes == HBD_MAX_NODES) {
		cp_err(cp, LINE, "node %s: hbd runs two-node clusters and "
		    "two nodes are already listed (%s, %s); for more nodes "
		    "use Pacemaker/Corosync", argv[1], c->nodes[0],
		    c->nodes[1]);
		return -1;
	}
	hbd_strlcpy(c->nodes[c->nnodes], argv[1], HBD_MAX_NAME);
	for (p = c->nodes[c->nnodes]; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	memcpy(c->file_order[c->nfile_order++], c->nodes[c->nnodes],
	    HBD_MAX_NAME);
	c->nnodes++;
	return 0;
}

/* nofence_group NAME...: hbd's way out of heartbeat's fencing scope */
static int
d_nofence_group(struct cparse *cp, int argc, char **argv)
{
	return conf_nofence_add(cp, argv[1]);
}

static int
d_cluster(struct cparse *cp, int argc, char **argv)
{
	if (strlen(argv[1]) >= HBD_MAX_NAME) {
		cp_err(cp, LINE, "cluster: name longer than %d characters",
		    HBD_MAX_NAME - 1);
		return -1;
	}
	hbd_strlcpy(cp->c->cluster, argv[1], sizeof(cp->c->cluster));
	return 0;
}

static int
d_udpport(struct cparse *cp, int argc, char **argv)
{
	long	 v;

	if (parse_u32(argv[1], 1, 65535, &v) == -1) {
		cp_err(cp, LINE, "udpport: expected a port number 1-65535, "
		    "got \"%s\"", argv[1]);
		return -1;
	}
	cp->udpport = (uint16_t)v;
	cp->c->udpport = (uint16_t)v;
	cp->udpport_line = LINE;
	cp->media_since_udpport = 0;
	return 0;
}

static int
d_baud(struct cparse *cp, int argc, char **argv)
{
	static const long ok[] = { 9600, 19200, 38400, 57600, 115200,
	    230400, 460800 };
	long	 v;
	size_t	 i;

	if (parse_u32(argv[1], 1, 460800, &v) == 0)
		for (i = 0; i < nitems(ok); i++)
			if (ok[i] == v) {
				cp->baud = (uint32_t)v;
				cp->c->baud = (uint32_t)v;
				cp->baud_line = LINE;
				cp->media_since_baud = 0;
				return 0;
			}
	cp_err(cp, LINE, "baud: expected one of 9600, 19200, 38400, 57600, "
	    "115200, 230400, 460800, got \"%s\"", argv[1]);
	return -1;
}

static struct conf_medium *
new_medium(struct cparse *cp, enum medium_type t)
{
	struct conf_medium	*m;

	if (cp->c->nmedia == HBD_MAX_MEDIA) {
		cp_err(cp, LINE, "too many heartbeat media (at most %d)",
		    HBD_MAX_MEDIA);
		return NULL;
	}
	m = &cp->c->media[cp->c->nmedia++];
	memset(m, 0, sizeof(*m));
	m->type = t;
	m->line = LINE;
	m->port = cp->udpport;
	m->baud = cp->baud;
	if (t == MEDIUM_SERIAL)
		cp->media_since_baud = 1;
	else if (t != MEDIUM_MCAST && t != MEDIUM_DISK)
		cp->media_since_udpport = 1;
	return m;
}

static int
check_ifname(struct cparse *cp, const char *what, const char *ifn)
{
	if (strlen(ifn) >= IF_NAMESIZE || strchr(ifn, '/')) {
		cp_err(cp, LINE, "%s: \"%s\" is not an interface name", what,
		    ifn);
		return -1;
	}
	return 0;
}

static int
d_bcast(struct cparse *cp, int argc, char **argv)
{
	struct conf_medium	*m;

	if (check_ifname(cp, argv[0], argv[1]) == -1)
		return -1;
	if ((m = new_medium(cp, MEDIUM_BCAST)) == NULL)
		return -1;
	hbd_strlcpy(m->ifname, argv[1], sizeof(m->ifname));
	return 0;
}

static int
d_udp(struct cparse *cp, int argc, char **argv)
{
	cp_warn(cp, LINE, "directive 'udp' replaced by 'bcast'");
	return d_bcast(cp, argc, argv);
}

static int
parse_ipv4(struct cparse *cp, const char *what, const char *s,
    struct in_addr *a)
{
	if (inet_pton(AF_INET, s, a) != 1) {
		cp_err(cp, LINE, "%s: \"%s\" is not an IPv4 address", what, s);
		return -1;
	}
	return 0;
}

/*
 * An address or, as heartbeat allowed for ucast, ping and ping_group, a
 * host name, resolved now (heartbeat resolved it when it opened the
 * medium). Only the loader calls this: at start-up, from hbd -n, and from
 * a reload (which runs on the event loop: a name that needs DNS blocks the
 * loop there until the resolver answers; see ha.cf(5)). Something made
 * only of digits and dots is an address and is never looked up.
 */
static int
resolve_ipv4(struct cparse *cp, const char *what, const char *s,
    struct in_addr *a)
{
	struct addrinfo	 hints, *res = NULL;
	int		 rc;

	if (inet_pton(AF_INET, s, a) == 1)
		return 0;
	if (s[strspn(s, "0123456789.")] == '\0' || cp->o->no_resolve)
		return parse_ipv4(cp, what, s, a);
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_INET;
	hints.ai_socktype = SOCK_DGRAM;
	if ((rc = getaddrinfo(s, NULL, &hints, &res)) != 0 || res == NULL) {
		/* "not found" and "no answer" ask for the same fix */
		if (rc == EAI_NONAME || rc == EAI_AGAIN || rc == EAI_FAIL ||
		    rc == 0)
			cp_err(cp, LINE, "%s: cannot resolve \"%s\" to an IPv4 "
			    "address; write the address, or add the name to "
			    "/etc/hosts", what, s);
		else
			cp_err(cp, LINE, "%s: cannot resolve \"%s\" to an IPv4 "
			    "address (%s); write the address, or add the name "
			    "to /etc/hosts", what, s, gai_strerror(rc));
		return -1;
	}
	*a = ((struct sockaddr_in *)(void *)res->ai_addr)->sin_addr;
	freeaddrinfo(res);
	return 0;
}

/* ucast dev address [ignored...]: heartbeat 3.0.6 read one address */
static int
d_ucast(struct cparse *cp, int argc, char **argv)
{
	struct conf_medium	*m;
	struct in_addr		 a;

	if (check_ifname(cp, "ucast", argv[1]) == -1 ||
	    resolve_ipv4(cp, "ucast", argv[2], &a) == -1)
		return -1;
	if (argc > 3)
		cp_warn(cp, LINE, "ucast: \"%s\"%s ignored: a ucast line takes "
		    "one address (as in heartbeat); write one line per address",
		    argv[3], argc > 4 ? " and what follows" : "");
	if ((m = new_medium(cp, MEDIUM_UCAST)) == NULL)
		return -1;
	hbd_strlcpy(m->ifname, argv[1], sizeof(m->ifname));
	m->addr = a;
	return 0;
}

/* mcast dev group port ttl loop */
static int
d_mcast(struct cparse *cp, int argc, char **argv)
{
	struct conf_medium	*m;
	struct in_addr		 a;
	long			 port, ttl, loop;
	int			 bad = 0;

	if (check_ifname(cp, "mcast", argv[1]) == -1 ||
	    parse_ipv4(cp, "mcast", argv[2], &a) == -1)
		return -1;
	if (!IN_MULTICAST(ntohl(a.s_addr))) {
		cp_err(cp, LINE, "mcast: %s is not a multicast group "
		    "(224.0.0.0/4)", argv[2]);
		bad = 1;
	}
	if (parse_u32(argv[3], 1, 65535, &port) == -1) {
		cp_err(cp, LINE, "mcast: port \"%s\" is not 1-65535", argv[3]);
		bad = 1;
	}
	if (parse_u32(argv[4], 0, 255, &ttl) == -1) {
		cp_err(cp, LINE, "mcast: ttl \"%s\" is not 0-255", argv[4]);
		bad = 1;
	}
	if (parse_u32(argv[5], 0, 1, &loop) == -1) {
		cp_err(cp, LINE, "mcast: loop \"%s\" must be 0 or 1", argv[5]);
		bad = 1;
	}
	if (bad || (m = new_medium(cp, MEDIUM_MCAST)) == NULL)
		return -1;
	hbd_strlcpy(m->ifname, argv[1], sizeof(m->ifname));
	m->addr = a;
	m->port = (uint16_t)port;
	m->ttl = (uint8_t)ttl;
	m->loop = (uint8_t)loop;
	return 0;
}

static int
d_serial(struct cparse *cp, int argc, char **argv)
{
	struct conf_medium	*m;
	struct stat		 st;

	if (argv[1][0] != '/' || strlen(argv[1]) >= sizeof(m->device)) {
		cp_err(cp, LINE, "serial: \"%s\" is not a device path like "
		    "/dev/ttyS0", argv[1]);
		return -1;
	}
	/* heartbeat refused both; a missing port may be a USB adapter */
	if (stat(argv[1], &st) == -1)
		cp_warn(cp, LINE, "serial: %s: %s (the link stays down until "
		    "it exists)", argv[1], strerror(errno));
	else if (!S_ISCHR(st.st_mode)) {
		cp_err(cp, LINE, "serial: %s is not a character device",
		    argv[1]);
		return -1;
	}
	if ((m = new_medium(cp, MEDIUM_SERIAL)) == NULL)
		return -1;
	hbd_strlcpy(m->device, argv[1], sizeof(m->device));
	return 0;
}

/* hbd's disk medium: a small shared block device, one slot per node */
static int
d_disk(struct cparse *cp, int argc, char **argv)
{
	struct conf_medium	*m;

	if (argv[1][0] != '/' || strlen(argv[1]) >= sizeof(m->device)) {
		cp_err(cp, LINE, "disk: \"%s\" is not a device path", argv[1]);
		return -1;
	}
	if ((m = new_medium(cp, MEDIUM_DISK)) == NULL)
		return -1;
	hbd_strlcpy(m->device, argv[1], sizeof(m->device));
	return 0;
}

static int
add_ping(struct cparse *cp, const char *name, int is_group, int n,
    char **addrs)
{
	struct conf_ping	*p;
	int			 i;

	if (cp->c->npings == HBD_MAX_PING) {
		cp_err(cp, LINE, "too many ping nodes (at most %d)",
		    HBD_MAX_PING);
		return -1;
	}
	if (n > HBD_MAX_PING_ADDRS) {
		cp_err(cp, LINE, "ping_group %s: at most %d addresses", name,
		    HBD_MAX_PING_ADDRS);
		return -1;
	}
	if (strlen(name) >= HBD_MAX_NAME) {
		cp_err(cp, LINE, "ping: name too long");
		return -1;
	}
	for (i = 0; i < cp->c->npings; i++)
		if (strcmp(cp->c->pings[i].name, name) == 0) {
			cp_err(cp, LINE, "ping node %s is already defined on "
			    "line %d", name, cp->c->pings[i].line);
			return -1;
		}
	p = &cp->c->pings[cp->c->npings];
	memset(p, 0, sizeof(*p));
	for (i = 0; i < n; i++)
		if (resolve_ipv4(cp, is_group ? "ping_group" : "ping", addrs[i],
		    &p->addr[i]) == -1)
			return -1;
	hbd_strlcpy(p->name, name, sizeof(p->name));
	p->naddr = n;
	p->is_group = is_group;
	p->line = LINE;
	memcpy(cp->c->file_order[cp->c->nfile_order++], p->name,
	    HBD_MAX_NAME);
	cp->c->npings++;
	return 0;
}

static int
d_ping(struct cparse *cp, int argc, char **argv)
{
	return add_ping(cp, argv[1], 0, 1, &argv[1]);
}

static int
d_ping_group(struct cparse *cp, int argc, char **argv)
{
	return add_ping(cp, argv[1], 1, argc - 2, &argv[2]);
}

static int
d_auto_failback(struct cparse *cp, int argc, char **argv)
{
	int	 b;

	if (cp->seen_failback)
		cp_warn(cp, LINE, "auto_failback overrides line %d",
		    cp->seen_failback);
	cp->seen_failback = LINE;
	if (strcasecmp(argv[1], "legacy") == 0) {
		cp->c->auto_failback = FAILBACK_LEGACY;
		cp_warn(cp, LINE, "deprecated 'legacy' auto_failback option "
		    "selected; hbd treats it as 'on' (please convert to "
		    "'auto_failback on')");
		return 0;
	}
	if (conf_parse_bool(argv[1], &b) == -1) {
		cp_err(cp, LINE, "auto_failback: expected on, off or legacy, "
		    "got \"%s\"", argv[1]);
		return -1;
	}
	cp->c->auto_failback = b ? FAILBACK_ON : FAILBACK_OFF;
	return 0;
}

static int
d_nice_failback(struct cparse *cp, int argc, char **argv)
{
	int	 b;

	if (conf_parse_bool(argv[1], &b) == -1) {
		cp_err(cp, LINE, "nice_failback: expected on or off, got "
		    "\"%s\"", argv[1]);
		return -1;
	}
	cp_warn(cp, LINE, "nice_failback is obsolete: read as auto_failback "
	    "%s", b ? "off" : "legacy");
	cp->c->auto_failback = b ? FAILBACK_OFF : FAILBACK_LEGACY;
	cp->seen_failback = LINE;
	return 0;
}

static int
set_bool(struct cparse *cp, const char *name, const char *v, int *dst)
{
	if (conf_parse_bool(v, dst) == -1) {
		cp_err(cp, LINE, "%s: expected on or off (yes/no, true/false), "
		    "got \"%s\"", name, v);
		return -1;
	}
	return 0;
}

static int
d_realtime(struct cparse *cp, int argc, char **argv)
{
	return set_bool(cp, argv[0], argv[1], &cp->c->realtime);
}

/* compat heartbeat|none: also speak heartbeat 3.0.6's status (issue 20) */
static int
d_compat(struct cparse *cp, int argc, char **argv)
{
	if (strcmp(argv[1], "heartbeat") == 0)
		cp->c->compat_heartbeat = 1;
	else if (strcmp(argv[1], "none") == 0)
		cp->c->compat_heartbeat = 0;
	else {
		cp_err(cp, LINE, "compat: expected heartbeat or none, got "
		    "\"%s\"", argv[1]);
		return -1;
	}
	cp->c->compat_line = LINE;
	return 0;
}

static int
d_coredumps(struct cparse *cp, int argc, char **argv)
{
	return set_bool(cp, argv[0], argv[1], &cp->c->coredumps);
}

static int
d_snmp_write(struct cparse *cp, int argc, char **argv)
{
	return set_bool(cp, argv[0], argv[1], &cp->c->snmp_write);
}

static int
d_snmp_user(struct cparse *cp, int argc, char **argv)
{
	if (!node_name_ok(argv[1]) ||
	    strlen(argv[1]) >= sizeof(cp->c->snmp_user)) {
		cp_err(cp, LINE, "snmp_user: expected a user name or a uid, "
		    "got \"%s\"", argv[1]);
		return -1;
	}
	hbd_strlcpy(cp->c->snmp_user, argv[1], sizeof(cp->c->snmp_user));
	cp->snmp_user_line = LINE;
	return 0;
}

static int
d_rtprio(struct cparse *cp, int argc, char **argv)
{
	long	 v;

	if (parse_u32(argv[1], 1, 99, &v) == -1) {
		cp_err(cp, LINE, "rtprio: expected a SCHED_RR priority 1-99, "
		    "got \"%s\"", argv[1]);
		return -1;
	}
	cp->c->rtprio = (int)v;
	return 0;
}

static int
d_debug(struct cparse *cp, int argc, char **argv)
{
	long	 v;

	if (parse_u32(argv[1], 0, 255, &v) == -1) {
		cp_err(cp, LINE, "debug: expected a level 0-255, got \"%s\"",
		    argv[1]);
		return -1;
	}
	cp->c->debug = (int)v;
	return 0;
}

static int
set_path(struct cparse *cp, const char *name, const char *v, char **dst)
{
	if (v[0] != '/') {
		cp_err(cp, LINE, "%s: \"%s\" must be an absolute path", name, v);
		return -1;
	}
	free(*dst);
	*dst = xstrdup(v);
	return 0;
}

static int
d_logfile(struct cparse *cp, int argc, char **argv)
{
	return set_path(cp, argv[0], argv[1], &cp->c->logfile);
}

static int
d_debugfile(struct cparse *cp, int argc, char **argv)
{
	return set_path(cp, argv[0], argv[1], &cp->c->debugfile);
}

static int
d_watchdog(struct cparse *cp, int argc, char **argv)
{
	return set_path(cp, argv[0], argv[1], &cp->c->watchdog);
}

static int
d_logfacility(struct cparse *cp, int argc, char **argv)
{
	int	 f;

	if (strcasecmp(argv[1], "none") == 0) {
		cp->c->logfacility = -1;
		return 0;
	}
	if ((f = log_facility_from_name(argv[1])) == -1) {
		cp_err(cp, LINE, "logfacility: unknown syslog facility \"%s\" "
		    "(daemon, local0 ... local7, none, ...)", argv[1]);
		return -1;
	}
	cp->c->logfacility = f;
	return 0;
}

static int
d_use_logd(struct cparse *cp, int argc, char **argv)
{
	int	 b;

	if (set_bool(cp, argv[0], argv[1], &b) == -1)
		return -1;
	if (b)
		cp_warn(cp, LINE, "use_logd: hbd has no logd; it logs to "
		    "syslog (logfacility) and logfile/debugfile itself");
	return 0;
}

static int
d_crm(struct cparse *cp, int argc, char **argv)
{
	int	 b;

	if (cp->seen_crm) {
		cp_err(cp, LINE, "%s: only one of crm and pacemaker may be "
		    "given (see line %d)", argv[0], cp->seen_crm);
		return -1;
	}
	cp->seen_crm = LINE;
	if (conf_parse_bool(argv[1], &b) == 0 && b == 0)
		return 0;
	cp_err(cp, LINE, "%s %s: hbd manages haresources groups; for CRM "
	    "clusters use Pacemaker", argv[0], argv[1]);
	return -1;
}

static int
d_autojoin(struct cparse *cp, int argc, char **argv)
{
	if (strcasecmp(argv[1], "none") == 0)
		return 0;
	cp_err(cp, LINE, "autojoin %s: hbd clusters have exactly the nodes "
	    "listed in node lines; use autojoin none", argv[1]);
	return -1;
}

/*
 * Everything spawning needs to know about the user, looked up now: a
 * respawn happens on the event loop, where NSS (LDAP, sssd) must not be
 * waited on, and a user deleted later still runs as it did.
 */
static int
resolve_user(struct conf_respawn *r, const struct passwd *pw)
{
	int	 n = 16;

	r->uid = pw->pw_uid;
	r->gid = pw->pw_gid;
	r->home = xstrdup(pw->pw_dir);
	for (;;) {
		r->groups = xcalloc((size_t)n, sizeof(gid_t));
		r->ngroups = n;
		if (getgrouplist(pw->pw_name, pw->pw_gid, r->groups,
		    &r->ngroups) != -1)
			return 0;
		free(r->groups);
		r->groups = NULL;
		if (r->ngroups <= n || r->ngroups > 65536) {
			r->ngroups = 0;
			return -1;
		}
		n = r->ngroups;
	}
}

static int
d_respawn(struct cparse *cp, int argc, char **argv)
{
	struct passwd		*pw = NULL;
	struct conf_respawn	*r;
	const char		*base;
	int			 i, builtin = 0;

	if (cp->c->nrespawn == HBD_MAX_RESPAWN) {
		cp_err(cp, LINE, "too many respawn lines (at most %d)",
		    HBD_MAX_RESPAWN);
		return -1;
	}
	if (argv[2][0] != '/') {
		cp_err(cp, LINE, "respawn: program \"%s\" must be an absolute "
		    "path", argv[2]);
		return -1;
	}
	base = strrchr(argv[2], '/') + 1;
	if (strcmp(base, "ipfail") == 0)
		builtin = 1;
	else if (strcmp(base, "hbagent") != 0 && access(argv[2], X_OK) == -1)
		cp_warn(cp, LINE, "respawn: %s: %s (heartbeat refused to start; "
		    "hbd will retry it with a backoff)", argv[2],
		    strerror(errno));
	else if ((pw = getpwnam(argv[1])) == NULL) {
		cp_err(cp, LINE, "respawn: no such user \"%s\"", argv[1]);
		return -1;
	}
	r = &cp->c->respawn[cp->c->nrespawn++];
	r->user = xstrdup(argv[1]);
	if (pw != NULL && resolve_user(r, pw) == -1) {
		cp_err(cp, LINE, "respawn: cannot list the groups of user "
		    "\"%s\"", argv[1]);
		return -1;
	}
	r->argc = argc - 2;
	r->argv = xcalloc((size_t)r->argc + 1, sizeof(char *));
	for (i = 0; i < r->argc; i++)
		r->argv[i] = xstrdup(argv[i + 2]);
	r->builtin = builtin;
	r->line = LINE;
	if (strcmp(base, "hbagent") == 0) {
		free(r->argv[0]);
		r->argv[0] = xstrdup(HBD_SNMP_PATH);
		cp_warn(cp, LINE, "respawn %s: heartbeat's hbagent is replaced "
		    "by %s (HBD-MIB); running that instead", argv[2],
		    HBD_SNMP_PATH);
	}
	return 0;
}

static int
d_apiauth(struct cparse *cp, int argc, char **argv)
{
	struct conf	*c = cp->c;
	char		*tok[16];
	int		 i, j, n;

	for (i = 2; i < argc; i++) {
		if (strncmp(argv[i], "uid=", 4) == 0)
			continue;
		if (strncmp(argv[i], "gid=", 4) != 0) {
			cp_err(cp, LINE, "apiauth %s: expected uid=USER,... or "
			    "gid=GROUP,..., got \"%s\"", argv[1], argv[i]);
			return -1;
		}
		n = conf_tokenize(argv[i] + 4, tok, (int)nitems(tok), ",");
		for (j = 0; j < n; j++) {
			if (getgrnam(tok[j]) == NULL)
				cp_warn(cp, LINE, "apiauth %s: group %s does "
				    "not exist here", argv[1], tok[j]);
			if (c->napigroups < HBD_MAX_APIGROUPS &&
			    strlen(tok[j]) < HBD_MAX_NAME)
				hbd_strlcpy(c->apigroups[c->napigroups++],
				    tok[j], HBD_MAX_NAME);
		}
	}
	return 0;
}

static int
d_stonith_host(struct cparse *cp, int argc, char **argv)
{
	struct conf_stonith	*s;
	char			*fargv[FENCE_ARGV_MAX];
	char			 params[FENCE_PARAMS_MAX];
	size_t			 plen = 0;
	int			 i;

	if (cp->c->nstonith == (int)nitems(cp->c->stonith)) {
		cp_err(cp, LINE, "too many stonith_host lines");
		return -1;
	}
	/* fence_run's command line must hold it: refuse now, not when fencing */
	if (argc - 3 > HBD_MAX_STONITH_PARAMS) {
		cp_err(cp, LINE, "stonith_host: too many parameters (%d, at "
		    "most %d)", argc - 3, HBD_MAX_STONITH_PARAMS);
		return -1;
	}
	for (i = 3; i < argc; i++)
		if (strncmp(argv[i], "-F", 2) != 0)
			plen += (plen > 0) + strlen(argv[i]);
	if (plen >= FENCE_PARAMS_MAX) {
		cp_err(cp, LINE, "stonith_host: the parameters are %zu bytes "
		    "long (at most %d)", plen, FENCE_PARAMS_MAX - 1);
		return -1;
	}
	if (cp->c->fence_argc)
		cp_warn(cp, LINE, "fence is used; the stonith_host lines are "
		    "not");
	s = &cp->c->stonith[cp->c->nstonith++];
	s->from = xstrdup(argv[1]);
	s->type = xstrdup(argv[2]);
	s->nparams = argc - 3;
	s->params = xcalloc((size_t)s->nparams + 1, sizeof(char *));
	for (i = 0; i < s->nparams; i++)
		s->params[i] = xstrdup(argv[i + 3]);
	s->line = LINE;
	if (fence_argv(cp->c, cp->c->nstonith - 1, "node", fargv,
	    (int)nitems(fargv), params, sizeof(params)) == -1) {
		cp_err(cp, LINE, "stonith_host: the stonith command line does "
		    "not fit (at most %d words)", FENCE_ARGV_MAX - 1);
		return -1;
	}
	return 0;
}

/* heartbeat's "stonith TYPE CONFIGFILE": a stonith_host for every node */
static int
d_stonith(struct cparse *cp, int argc, char **argv)
{
	char	*v[4] = { argv[0], "*", argv[1], NULL };
	char	 cfg[PATH_MAX + 16];

	snprintf(cfg, sizeof(cfg), "-F%s", argv[2]);
	v[3] = cfg;
	return d_stonith_host(cp, 4, v);
}

static int
d_fence(struct cparse *cp, int argc, char **argv)
{
	struct conf	*c = cp->c;
	int		 i;

	if (c->fence_argc) {
		cp_err(cp, LINE, "fence: only one fence program may be given");
		return -1;
	}
	if (c->nstonith)
		cp_warn(cp, LINE, "fence is used; the stonith_host lines are "
		    "not");
	if (argv[1][0] != '/') {
		cp_err(cp, LINE, "fence: program \"%s\" must be an absolute "
		    "path", argv[1]);
		return -1;
	}
	if (argc - 1 > HBD_MAX_FENCE_ARGS) {
		cp_err(cp, LINE, "fence: too many arguments");
		return -1;
	}
	for (i = 1; i < argc; i++)
		c->fence_argv[c->fence_argc++] = xstrdup(argv[i]);
	return 0;
}

static int
d_fence_timeout(struct cparse *cp, int argc, char **argv)
{
	int	 seen = 0;

	if (set_time(cp, argv[0], argv[1], &cp->c->fence_timeout_ms,
	    &seen) == -1)
		return -1;
	if (cp->c->fence_timeout_ms == 0) {
		cp_err(cp, LINE, "fence_timeout must be greater than 0");
		return -1;
	}
	return 0;
}

static int
d_fence_delay(struct cparse *cp, int argc, char **argv)
{
	int	 seen = 0;

	return set_time(cp, argv[0], argv[1], &cp->c->fence_delay_ms, &seen);
}

static int
d_monitor_interval(struct cparse *cp, int argc, char **argv)
{
	int	 seen = 0;

	return set_time(cp, argv[0], argv[1], &cp->c->monitor_interval_ms,
	    &seen);
}

static int
d_timeout(struct cparse *cp, int argc, char **argv)
{
	uint32_t	*dst;
	int		 seen = 0;

	if (strcmp(argv[0], "start_timeout") == 0)
		dst = &cp->c->start_timeout_ms;
	else if (strcmp(argv[0], "stop_timeout") == 0)
		dst = &cp->c->stop_timeout_ms;
	else
		dst = &cp->c->monitor_timeout_ms;
	if (set_time(cp, argv[0], argv[1], dst, &seen) == -1)
		return -1;
	if (*dst == 0) {
		cp_err(cp, LINE, "%s must be greater than 0", argv[0]);
		return -1;
	}
	return 0;
}

static int
d_restart_window(struct cparse *cp, int argc, char **argv)
{
	int	 seen = 0;

	if (set_time(cp, argv[0], argv[1], &cp->c->restart_window_ms,
	    &seen) == -1)
		return -1;
	if (cp->c->restart_window_ms == 0) {
		cp_err(cp, LINE, "restart_window must be greater than 0 (use "
		    "max_restarts 0 to move a group at its first failure)");
		return -1;
	}
	return 0;
}

static int
d_max_restarts(struct cparse *cp, int argc, char **argv)
{
	long	 v;

	if (parse_u32(argv[1], 0, 1000, &v) == -1) {
		cp_err(cp, LINE, "max_restarts: expected a number 0-1000, got "
		    "\"%s\"", argv[1]);
		return -1;
	}
	cp->c->max_restarts = (int)v;
	return 0;
}

static int
d_resource_path(struct cparse *cp, int argc, char **argv)
{
	struct conf	*c = cp->c;
	char		*tok[16];
	char		 why[PATH_MAX + 64];
	int		 i, n;

	n = conf_tokenize(argv[1], tok, (int)nitems(tok), ":");
	for (i = 0; i < n; i++) {
		if (tok[i][0] != '/') {
			cp_err(cp, LINE, "resource_path: \"%s\" must be an "
			    "absolute directory", tok[i]);
			return -1;
		}
		if (c->nresource_dirs == (int)nitems(c->resource_dirs)) {
			cp_err(cp, LINE, "resource_path: too many directories");
			return -1;
		}
		if (conf_untrusted(tok[i], 1, why, sizeof(why))) {
			cp_err(cp, LINE, "resource_path: %s: hbd runs its "
			    "agents as root (chown root, chmod go-w)", why);
			return -1;
		}
		c->resource_dirs[c->nresource_dirs++] = xstrdup(tok[i]);
	}
	return 0;
}

static int
d_env(struct cparse *cp, int argc, char **argv)
{
	struct conf	*c = cp->c;
	char		*eq = strchr(argv[1], '=');
	char		 buf[1024];
	const char	*p;

	if (eq == NULL || eq == argv[1]) {
		cp_err(cp, LINE, "env: expected NAME=value, got \"%s\"",
		    argv[1]);
		return -1;
	}
	for (p = argv[1]; p < eq; p++)
		if (!isalnum((unsigned char)*p) && *p != '_') {
			cp_err(cp, LINE, "env: \"%.*s\" is not a variable name",
			    (int)(eq - argv[1]), argv[1]);
			return -1;
		}
	if (c->nenv == HBD_MAX_ENV) {
		cp_err(cp, LINE, "env: too many variables");
		return -1;
	}
	/* heartbeat exports env NAME=value as HA_NAME */
	snprintf(buf, sizeof(buf), "HA_%s", argv[1]);
	c->env[c->nenv++] = xstrdup(buf);
	return 0;
}

static int
d_hbgenmethod(struct cparse *cp, int argc, char **argv)
{
	if (strcmp(argv[1], "file") && strcmp(argv[1], "time")) {
		cp_err(cp, LINE, "hbgenmethod: expected file or time, got "
		    "\"%s\"", argv[1]);
		return -1;
	}
	cp_warn(cp, LINE, "hbgenmethod: hbd keeps its generation in the state "
	    "directory and never lets it go backwards; ignored");
	return 0;
}

static int
d_uuidfrom(struct cparse *cp, int argc, char **argv)
{
	if (strcmp(argv[1], "nodename") == 0)
		return 0;
	if (strcmp(argv[1], "file") == 0) {
		cp_warn(cp, LINE, "uuidfrom file: hbd identifies nodes by "
		    "name only");
		return 0;
	}
	cp_err(cp, LINE, "uuidfrom: expected file or nodename, got \"%s\"",
	    argv[1]);
	return -1;
}

static const struct directive directives[] = {
	{ "apiauth", D_ONCE, 1, 16, d_apiauth, NULL },
	{ "auto_failback", D_ONCE, 1, 1, d_auto_failback, NULL },
	{ "autojoin", D_ONCE, 1, 1, d_autojoin, NULL },
	{ "baud", D_ONCE, 1, 1, d_baud, NULL },
	{ "bcast", D_EACH, 1, 16, d_bcast, NULL },
	{ "cluster", D_ONCE, 1, 1, d_cluster, NULL },
	{ "compat", D_ONCE, 1, 1, d_compat, NULL },
	{ "coredumps", D_ONCE, 1, 1, d_coredumps, NULL },
	{ "crm", D_ONCE, 1, 1, d_crm, NULL },
	{ "deadping", D_ONCE, 1, 1, d_deadping, NULL },
	{ "disk", D_ONCE, 1, 1, d_disk, NULL },
	{ "deadtime", D_ONCE, 1, 1, d_deadtime, NULL },
	{ "debug", D_ONCE, 1, 1, d_debug, NULL },
	{ "debugfile", D_ONCE, 1, 1, d_debugfile, NULL },
	{ "env", D_ONCE, 1, 1, d_env, NULL },
	{ "fence", D_ONCE, 1, HBD_MAX_FENCE_ARGS, d_fence, NULL },
	{ "fence_delay", D_ONCE, 1, 1, d_fence_delay, NULL },
	{ "fence_timeout", D_ONCE, 1, 1, d_fence_timeout, NULL },
	{ "hbgenmethod", D_ONCE, 1, 1, d_hbgenmethod, NULL },
	{ "initdead", D_ONCE, 1, 1, d_initdead, NULL },
	{ "keepalive", D_ONCE, 1, 1, d_keepalive, NULL },
	{ "logfacility", D_ONCE, 1, 1, d_logfacility, NULL },
	{ "logfile", D_ONCE, 1, 1, d_logfile, NULL },
	{ "max_restarts", D_ONCE, 1, 1, d_max_restarts, NULL },
	{ "mcast", D_ONCE, 5, 5, d_mcast, NULL },
	{ "monitor_interval", D_ONCE, 1, 1, d_monitor_interval, NULL },
	{ "monitor_timeout", D_ONCE, 1, 1, d_timeout, NULL },
	{ "nice_failback", D_ONCE, 1, 1, d_nice_failback, NULL },
	{ "node", D_EACH, 1, HBD_MAX_NODES + 8, d_node, NULL },
	{ "nofence_group", D_EACH, 1, HBD_MAX_GROUPS, d_nofence_group, NULL },
	{ "pacemaker", D_ONCE, 1, 1, d_crm, NULL },
	{ "ping", D_EACH, 1, HBD_MAX_PING, d_ping, NULL },
	{ "ping_group", D_ONCE, 2, HBD_MAX_PING_ADDRS + 1, d_ping_group,
	    NULL },
	{ "realtime", D_ONCE, 1, 1, d_realtime, NULL },
	{ "resource_path", D_ONCE, 1, 1, d_resource_path, NULL },
	{ "respawn", D_ONCE, 2, 64, d_respawn, NULL },
	{ "restart_window", D_ONCE, 1, 1, d_restart_window, NULL },
	{ "rtprio", D_ONCE, 1, 1, d_rtprio, NULL },
	{ "serial", D_EACH, 1, 16, d_serial, NULL },
	{ "snmp_user", D_ONCE, 1, 1, d_snmp_user, NULL },
	{ "snmp_write", D_ONCE, 1, 1, d_snmp_write, NULL },
	{ "start_timeout", D_ONCE, 1, 1, d_timeout, NULL },
	{ "stonith", D_ONCE, 2, 2, d_stonith, NULL },
	{ "stonith_host", D_ONCE, 2, 32, d_stonith_host, NULL },
	{ "stop_timeout", D_ONCE, 1, 1, d_timeout, NULL },
	{ "ucast", D_ONCE, 2, 64, d_ucast, NULL },
	{ "udp", D_EACH, 1, 16, d_udp, NULL },
	{ "udpport", D_ONCE, 1, 1, d_udpport, NULL },
	{ "use_logd", D_ONCE, 1, 1, d_use_logd, NULL },
	{ "uuidfrom", D_ONCE, 1, 1, d_uuidfrom, NULL },
	{ "warntime", D_ONCE, 1, 1, d_warntime, NULL },
	{ "watchdog", D_ONCE, 1, 1, d_watchdog, NULL },

	/* heartbeat tuning knobs that mean nothing to hbd */
	{ "compression", D_WARN, 0, 8, NULL, "message compression" },
	{ "compression_threshold", D_WARN, 0, 8, NULL, "message compression" },
	{ "conn_logd_time", D_WARN, 0, 8, NULL, "logd" },
	{ "coreroot", D_WARN, 0, 8, NULL, "core file placement" },
	{ "crm_daemon_dir", D_WARN, 0, 8, NULL, "the CRM" },
	{ "crmd_spawns_pengine", D_WARN, 0, 8, NULL, "the CRM" },
	{ "enable_config_writes", D_WARN, 0, 8, NULL, "the CRM" },
	{ "hopfudge", D_WARN, 0, 8, NULL, "ring hop counting" },
	{ "log_badpack", D_WARN, 0, 8, NULL,
	    "bad-packet logging (hbd always counts and rate-limits them)" },
	{ "max_rexmit_delay", D_WARN, 0, 8, NULL, "retransmission" },
	{ "memreserve", D_WARN, 0, 8, NULL, "memory reservation" },
	{ "msgfmt", D_WARN, 0, 8, NULL, "heartbeat's message format" },
	{ "normalpoll", D_WARN, 0, 8, NULL, "poll tuning" },
	{ "record_config_changes", D_WARN, 0, 8, NULL, "the CRM" },
	{ "record_pengine_inputs", D_WARN, 0, 8, NULL, "the CRM" },
	{ "syslogmsgfmt", D_WARN, 0, 8, NULL, "syslog message format" },
	{ "traditional_compression", D_WARN, 0, 8, NULL,
	    "message compression" },
	{ "use_apphbd", D_WARN, 0, 8, NULL, "apphbd" },

	/* heartbeat features hbd does not provide */
	{ "failfast", D_REFUSE, 0, 64, NULL,
	    "failfast is not supported; use respawn" },
	{ "hbaping", D_REFUSE, 0, 64, NULL,
	    "Fibre Channel HBA pinging is not supported; use ping" },
	{ "mcast6", D_REFUSE, 0, 64, NULL,
	    "IPv6 heartbeat media are not supported; use mcast, ucast, "
	    "bcast or serial" },
	{ "openais", D_REFUSE, 0, 64, NULL,
	    "the openais medium is not supported; use Corosync with "
	    "Pacemaker" },
	{ "ping6", D_REFUSE, 0, 64, NULL,
	    "IPv6 ping nodes are not supported; use ping with IPv4" },
	{ "quorum_server", D_REFUSE, 0, 64, NULL,
	    "quorum servers are not supported; use fence and ping nodes" },
	{ "rds", D_REFUSE, 0, 64, NULL, "the RDS medium is not supported" },
	{ "ucast6", D_REFUSE, 0, 64, NULL,
	    "IPv6 heartbeat media are not supported; use ucast with IPv4" },
};

static const struct directive *
find_directive(const char *name)
{
	size_t	 i;

	for (i = 0; i < nitems(directives); i++)
		if (strcmp(directives[i].name, name) == 0)
			return &directives[i];
	return NULL;
}

/* argv[0] is the directive; the rest are its values */
/* the ha.cf words heartbeat recorded for its get_parameter API call */
static const char *const recorded[] = {
	"cluster", "hopfudge", "keepalive", "deadtime", "deadping",
	"initdead", "warntime", "watchdog", "baud", "udpport", "logfacility",
	"logfile", "debugfile", "auto_failback", "rtprio", "hbgenmethod",
	"realtime", "debug", "normalpoll", "msgfmt", "use_logd",
	"conn_logd_time", "log_badpack", "syslogmsgfmt", "coredumps",
	"coreroot", "crm_daemon_dir", "crmd_spawns_pengine", "pacemaker",
	"autojoin", "uuidfrom", "compression", "compression_threshold",
	"traditional_compression", "max_rexmit_delay",
	"record_config_changes", "record_pengine_inputs",
	"enable_config_writes", "memreserve", "quorum_server",
};

static void
record_param(struct cparse *cp, int argc, char **argv)
{
	size_t	 i;

	for (i = 0; i < nitems(recorded); i++)
		if (strcmp(recorded[i], argv[0]) == 0) {
			conf_param_set(cp->c, argv[0], argv[argc - 1]);
			return;
		}
}

int
hacf_directive(struct cparse *cp, int argc, char **argv)
{
	const struct directive	*d;
	int			 i, nval = argc - 1, rc = 0;
	char			*one[2];

	if ((d = find_directive(argv[0])) == NULL) {
		cp_err(cp, LINE, "unknown directive \"%s\"", argv[0]);
		return -1;
	}
	switch (d->kind) {
	case D_WARN:
		cp_warn(cp, LINE, "%s: hbd does not use %s; ignored", d->name,
		    d->note);
		if (argc > 1)
			record_param(cp, argc, argv);
		return 0;
	case D_REFUSE:
		cp_err(cp, LINE, "%s: %s", d->name, d->note);
		return -1;
	default:
		break;
	}
	if (nval < d->minargs) {
		cp_err(cp, LINE, "%s: missing value%s", d->name,
		    d->minargs > 1 ? "s" : "");
		if (d->fn == d_bcast || d->fn == d_ucast || d->fn == d_mcast ||
		    d->fn == d_serial)
			cp->media_errors++;
		return -1;
	}
	if (nval > d->maxargs) {
		if (d->maxargs == 1)
			cp_err(cp, LINE, "%s takes one value, got %d (\"%s\" "
			    "is extra)", d->name, nval, argv[2]);
		else
			cp_err(cp, LINE, "%s takes at most %d values, got %d",
			    d->name, d->maxargs, nval);
		return -1;
	}
	if (d->kind == D_ONCE)
		rc = d->fn(cp, argc, argv);
	else {
		one[0] = argv[0];
		for (i = 1; i < argc; i++) {
			one[1] = argv[i];
			if (d->fn(cp, 2, one) == -1)
				rc = -1;
		}
	}
	if (rc == -1 && (d->fn == d_bcast || d->fn == d_ucast ||
	    d->fn == d_mcast || d->fn == d_serial || d->fn == d_udp ||
	    d->fn == d_disk))
		cp->media_errors++;
	if (rc == 0)
		record_param(cp, argc, argv);
	return rc;
}

/* Whole-line directives keep commas (apiauth uid=a,b); others split. */
static int
split_commas(const char *name)
{
	const struct directive	*d = find_directive(name);

	return d && d->kind == D_EACH;
}

int
hacf_read(struct cparse *cp, const char *path)
{
	FILE	*fp;
	char	*line = NULL, *tok[CONF_MAX_TOKENS], *hash;
	size_t	 cap = 0;
	int	 n;

	cp->file = path;
	cp->line = 0;
	if ((fp = fopen(path, "r")) == NULL) {
		cp_file_err(cp, path, "cannot open: %s", strerror(errno));
		cp->hacf_unreadable = 1;
		return -1;
	}
	while (conf_getline(cp, fp, &line, &cap, &cp->line) != NULL) {
		/* heartbeat: '#' starts a comment anywhere on the line */
		if ((hash = strchr(line, '#')) != NULL)
			*hash = '\0';
		n = conf_tokenize(line, tok, CONF_MAX_TOKENS, " \t\r\n");
		if (n == 0)
			continue;
		if (n < 0) {
			cp_err(cp, cp->line, "too many words on one line");
			continue;
		}
		if (n > 1 && split_commas(tok[0])) {
			char	*all[CONF_MAX_TOKENS];
			int	 i, m = 1, k;

			all[0] = tok[0];
			for (i = 1; i < n && m > 0; i++) {
				k = conf_tokenize(tok[i], all + m,
				    CONF_MAX_TOKENS - m, ",");
				m = k < 0 ? -1 : m + k;
			}
			if (m < 0) {
				cp_err(cp, cp->line, "too many values");
				continue;
			}
			hacf_directive(cp, m, all);
		} else
			hacf_directive(cp, n, tok);
	}
	free(line);
	fclose(fp);
	return 0;
}
