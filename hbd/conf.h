/*
 * conf: the configuration model. ha.cf + haresources + authkeys, or one
 * libconfig hbd.conf, become one immutable struct conf. This module is the
 * only code that reads configuration files; a reload builds a new struct
 * and the caller swaps it in only when it is valid.
 */
#ifndef HBD_CONF_H
#define HBD_CONF_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#define HBD_MAX_NODES		2
#define HBD_MAX_NAME		64
#define HBD_MAX_MEDIA		16
#define HBD_MAX_GROUPS		32
#define HBD_MAX_RSC		16
#define HBD_MAX_RSC_ARGS	16
#define HBD_MAX_PING		16
#define HBD_MAX_PING_ADDRS	8
#define HBD_MAX_KEYS		16	/* indexes 0-15, as heartbeat */
#define HBD_MAX_KEY_INDEX	15
#define HBD_MAX_RESPAWN		16
#define HBD_MAX_FENCE_ARGS	32
#define HBD_MAX_STONITH_PARAMS	16	/* fence.h: FENCE_ARGV_MAX holds them */
#define HBD_MAX_APIGROUPS	8
#define HBD_MAX_ENV		32
#define HBD_DEFAULT_UDPPORT	694
#define HBD_DEFAULT_BAUD	19200

enum medium_type {
	MEDIUM_BCAST,
	MEDIUM_MCAST,
	MEDIUM_UCAST,
	MEDIUM_SERIAL,
	MEDIUM_DISK	/* SBD-style slots on a shared block device */
};

struct conf_medium {
	enum medium_type type;
	char		 name[128];	/* link name shown to operators */
	char		 ifname[IF_NAMESIZE];
	struct in_addr	 addr;		/* ucast peer, mcast group */
	uint16_t	 port;
	uint8_t		 ttl;		/* mcast */
	uint8_t		 loop;		/* mcast */
	char		 device[128];	/* serial, disk */
	uint32_t	 baud;
	int		 line;
};

enum auto_failback {
	FAILBACK_OFF,
	FAILBACK_ON,
	FAILBACK_LEGACY
};

enum auth_method {
	AUTH_CRC,
	AUTH_MD5,
	AUTH_SHA1,
	AUTH_SHA256,
	AUTH_SHA512
};

struct conf_key {
	int		 index;		/* 1..15 */
	enum auth_method method;
	unsigned char	 secret[256];
	size_t		 secretlen;
	int		 line;
};

enum rsc_kind {
	RSC_HEARTBEAT,	/* resource.d / resource_path: args then action */
	RSC_HBD,	/* hbd's own agents: heartbeat args, OCF exit codes */
	RSC_LSB,	/* /etc/init.d script */
	RSC_OCF		/* ocf:PROVIDER:TYPE, key=value arguments */
};

struct conf_rsc {
	char		*spec;		/* as written in haresources */
	char		*type;		/* agent name (IPaddr for a bare IP) */
	char		*provider;	/* ocf provider */
	char		*args[HBD_MAX_RSC_ARGS];
	int		 nargs;
	char		*path;		/* resolved agent, NULL if missing */
	enum rsc_kind	 kind;
	int		 needs_fence;	/* fence a dead peer before starting:
					 * every resource of every group when
					 * fencing is configured (heartbeat),
					 * else a Filesystem; none in a
					 * nofence_group */
};

struct conf_group {
	char		*name;		/* first resource as written */
	uint32_t	 id;		/* wire identity: hash of name */
	int		 preferred;	/* node index */
	int		 nofence;	/* nofence_group: never wait for a fence */
	struct conf_rsc	 rsc[HBD_MAX_RSC];
	int		 nrsc;
	int		 line;
};

struct conf_ping {
	char		 name[HBD_MAX_NAME];
	struct in_addr	 addr[HBD_MAX_PING_ADDRS];
	int		 naddr;
	int		 is_group;
	int		 line;
};

struct conf_respawn {
	char		*user;
	char		**argv;
	int		 argc;
	int		 builtin;	/* 1: ipfail, satisfied by hbd itself */
	int		 line;
	/* the user, resolved when the file is read: no NSS on the loop */
	uid_t		 uid;
	gid_t		 gid;
	char		*home;
	gid_t		*groups;	/* supplementary, from getgrouplist */
	int		 ngroups;
};

struct conf_stonith {
	char		*from;		/* node name or "*" */
	char		*type;
	char		**params;
	int		 nparams;
	int		 line;
};

/* a heartbeat parameter as cl_status hbparameter prints it */
struct conf_param {
	char		*name;
	char		*value;
};

struct conf {
	/* where it came from, for messages */
	char		*hacf_path, *haresources_path, *authkeys_path;
	char		*conf_path;	/* hbd.conf, when used */
	char		*confdir;

	char		 cluster[HBD_MAX_NAME];
	uint32_t	 cluster_id;
	char		 local[HBD_MAX_NAME];
	int		 local_index;

	char		 nodes[HBD_MAX_NODES][HBD_MAX_NAME];	/* sorted */
	int		 nnodes;

	uint32_t	 keepalive_ms, deadtime_ms, warntime_ms;
	uint32_t	 initdead_ms, deadping_ms;
	uint16_t	 udpport;
	uint32_t	 baud;

	struct conf_medium media[HBD_MAX_MEDIA];
	int		 nmedia;

	enum auto_failback auto_failback;

	struct conf_ping pings[HBD_MAX_PING];
	int		 npings;

	struct conf_group groups[HBD_MAX_GROUPS];
	int		 ngroups;

	struct conf_key	 keys[HBD_MAX_KEYS];
	int		 nkeys;
	int		 auth_use;	/* index of the signing key */

	struct conf_respawn respawn[HBD_MAX_RESPAWN];
	int		 nrespawn;

	char		 apigroups[HBD_MAX_APIGROUPS][HBD_MAX_NAME];
	int		 napigroups;

	char		*logfile, *debugfile;
	int		 logfacility;	/* -1: no syslog */
	int		 debug;

	char		*watchdog;
	int		 realtime;
	int		 compat_heartbeat;	/* also send heartbeat 3.0.6 statuses */
	int		 compat_line;
	int		 rtprio;
	int		 coredumps;

	char		*fence_argv[HBD_MAX_FENCE_ARGS];
	int		 fence_argc;
	struct conf_stonith stonith[HBD_MAX_NODES * 2];
	int		 nstonith;
	uint32_t	 fence_timeout_ms, fence_delay_ms;

	char		*resource_dirs[16];
	int		 nresource_dirs;
	char		*env[HBD_MAX_ENV];	/* NAME=VALUE for agents */
	int		 nenv;

	int		 snmp_write;
	/* the user hbd-snmp runs as (a name or a uid): may read and move */
	char		 snmp_user[HBD_MAX_NAME];
	uid_t		 snmp_uid;	/* resolved when read; -1: nobody */
	uint32_t	 monitor_interval_ms;
	uint32_t	 start_timeout_ms, stop_timeout_ms, monitor_timeout_ms;
	int		 max_restarts;
	uint32_t	 restart_window_ms;
	/* heartbeat's parameters (ha.cf words as written, heartbeat's
	 * defaults otherwise), for cl_status hbparameter */
	struct conf_param *params;
	int		 nparams;
	/* cluster and ping nodes in the order ha.cf named them (heartbeat's
	 * node walk gave them in reverse of it) */
	char		 file_order[HBD_MAX_NODES + HBD_MAX_PING][HBD_MAX_NAME];
	int		 nfile_order;
};

/* Problems found while loading: every one, then the verdict. */
struct conf_msg {
	char		*file;
	int		 line;		/* 0: the whole file */
	int		 warning;
	char		*text;
};

struct conf_diag {
	struct conf_msg	*msgs;
	int		 nmsgs;
	int		 nerrors;
	int		 nwarnings;
};

/* Where to look; everything has a default. */
struct conf_opts {
	const char	*confdir;	/* -c */
	const char	*conffile;	/* -f */
	const char	*local;		/* -N; NULL = uname -n */
	const char	*agentdir;	/* hbd's own agents */
	int		 for_start;	/* missing agents are errors */
	int		 skip_perm_check;
	int		 no_resolve;	/* fuzzers: host names are errors */
	/* for unit tests: pretend these are the local addresses */
	const struct in_addr *local_addrs;
	int		 nlocal_addrs;
};

struct conf	*conf_load(const struct conf_opts *, struct conf_diag *);
void		 conf_free(struct conf *);
void		 conf_diag_print(const struct conf_diag *, FILE *);
void		 conf_diag_free(struct conf_diag *);
void		 conf_dump(const struct conf *, FILE *);

int		 conf_node_index(const struct conf *, const char *);
int		 conf_group_index(const struct conf *, const char *);
const char	*conf_peer_name(const struct conf *);
int		 conf_peer_index(const struct conf *);
const char	*auth_method_name(enum auth_method);
void		 conf_param_set(struct conf *, const char *, const char *);
const char	*conf_param(const struct conf *, const char *);
const char	*medium_type_name(enum medium_type);
const char	*auto_failback_name(enum auto_failback);
uint32_t	 conf_hash(const char *);

/* parsing helpers, shared with the unit tests */
int		 conf_parse_time(const char *, uint32_t *ms);
int		 conf_parse_bool(const char *, int *);

#endif
