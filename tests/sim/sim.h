/*
 * sim: a deterministic simulator for the decision core (FoundationDB's
 * simulation testing, TigerBeetle's VOPR). Two real cores, the real
 * codec, auth, membership and configuration parser; virtual time, a
 * seeded PRNG, a hostile network, crashing machines, failing agents and
 * fences, and an attacker who replays anything ever sent. Invariants are
 * checked after every step; a failure prints its seed and a shrunken
 * fault list that replays it.
 *
 * Nothing here decides anything for a node: every decision is the core's.
 */
#ifndef HBD_SIM_H
#define HBD_SIM_H

#include <stdint.h>
#include <stdio.h>

#include "conf.h"
#include "core.h"

#define SIM_NODES	2
#define SIM_LINKS	4	/* physical links: net0 net1 serial disk */
#define SIM_VARIANTS	5	/* configurations of one family */
#define SIM_PING_ADDRS	3	/* ping nodes in the simulated world */
#define SIM_MAX_FAULTS	64

enum { L_NET0, L_NET1, L_SERIAL, L_DISK };

/* ---- PRNG: xoshiro256**, seeded by splitmix64 ---- */
struct rng {
	uint64_t	 s[4];
};
void		 rng_seed(struct rng *, uint64_t);
uint64_t	 rng_next(struct rng *);
/* uniform in [0, n) */
uint32_t	 rng_below(struct rng *, uint32_t n);
/* uniform in [lo, hi] */
int64_t		 rng_range(struct rng *, int64_t lo, int64_t hi);
/* 1 with probability permille/1000 */
int		 rng_chance(struct rng *, uint32_t permille);

/* ---- configurations (sim_conf.c) ---- */
enum {
	FAM_FENCE	= 0x01,
	FAM_FAILBACK	= 0x02,
	FAM_FS		= 0x04,	/* groups with a Filesystem resource */
	FAM_PING	= 0x08,
	FAM_DISK	= 0x10,
	FAM_SERIAL	= 0x20,
	FAM_NBITS	= 6
};
#define SIM_NFAMILIES	(1 << FAM_NBITS)

struct sim_family {
	int		 bits;
	const char	*auth;		/* method name, for the trace */
	struct conf	*conf[SIM_VARIANTS][SIM_NODES];
	/* physical link of each configured medium, and back */
	int		 link_of[SIM_VARIANTS][SIM_NODES][HBD_MAX_MEDIA];
	int		 medium_of[SIM_VARIANTS][SIM_NODES][SIM_LINKS];
	/* world ping address index of each conf ping's addresses */
	int		 ping_addr[SIM_VARIANTS][HBD_MAX_PING][HBD_MAX_PING_ADDRS];
	int		 ngroups;
	int		 needs_fence[HBD_MAX_GROUPS];
	int		 is_fs[HBD_MAX_GROUPS][HBD_MAX_RSC];
	uint32_t	 max_deadtime, min_deadtime, max_keepalive;
	uint32_t	 min_deadping, max_initdead;
	uint32_t	 max_timeout;	/* agent start/stop */
};

int		 sim_conf_init(void);	/* writes and loads every family */
void		 sim_conf_cleanup(void);
const struct sim_family *sim_family(int);
const char	*sim_variant_name(int);

/* ---- faults ---- */
enum fault_kind {
	F_LINK_LOSS,		/* link a, direction b, loss c permille */
	F_LINK_CUT,		/* links mask a, direction b: a partition */
	F_LINK_DELAY,		/* link a, direction b, jitter x ms */
	F_LINK_DUP,		/* link a, direction b, dup c permille */
	F_DAEMON_CRASH,		/* kill -9; restart after x ms, state mode a */
	F_POWER_OFF,		/* the machine off; boots after x ms */
	F_SHUTDOWN,		/* SIGTERM; restart after x ms */
	F_RELOAD,		/* SIGHUP with variant a */
	F_ADMIN,		/* hbctl/snmpset request a */
	F_AGENT,		/* agents misbehave: mode a, permille c */
	F_RSC_DIE,		/* group a's resource b dies on its own */
	F_FENCE_MODE,		/* fences from node: a 0 fail, 1 slow */
	F_PING,			/* node's uplink to ping address a lost */
	F_REPLAY,		/* the attacker replays c packets to node */
	F_DISK_STALL,		/* node's disk servant hangs */
	F_GARBAGE,		/* a bad frame / a flipped bit on link a */
	F_CLOCK,		/* node's wall clock steps back x seconds */
	F_NKINDS
};

enum persist_mode {
	PM_KEPT,
	PM_LOST,
	PM_STALE
};

enum agent_mode {
	AM_FAIL_START,
	AM_FAIL_STOP,
	AM_FAIL_STATUS,
	AM_HANG,
	AM_NOSPAWN,
	AM_NMODES
};

struct fault {
	int64_t		 t;
	int64_t		 dur;		/* ms: how long the fault lasts */
	uint8_t		 kind;
	uint8_t		 node;
	uint8_t		 a, b;
	uint16_t	 c;
	int32_t		 x;
};

struct scenario {
	uint64_t	 seed;
	int		 family;
	int		 calm;		/* only faults that must not move */
	int		 variant[SIM_NODES];
	int64_t		 start_at[SIM_NODES];
	int64_t		 fault_end;	/* then everything heals */
	int		 nfaults;
	struct fault	 f[SIM_MAX_FAULTS];
	uint64_t	 keep;		/* bit i: fault i is used (shrinking) */
};

void		 scenario_make(struct scenario *, uint64_t seed);
const char	*fault_kind_name(int);
void		 fault_describe(const struct fault *, char *, size_t);

/* ---- a run (sim.c) ---- */
struct sim_result {
	int		 failed;
	char		 what[512];	/* the violated invariant */
	int64_t		 at;		/* virtual ms */
	int64_t		 vtime;		/* virtual ms simulated */
	uint64_t	 steps, packets, replays, fences, restarts;
	int		 left_failed;	/* groups left FAILED for an operator */
};

struct sim_opts {
	int		 trace;		/* print the timeline */
	int		 quiet_core;	/* ask the core not to format logs */
};

int		 sim_admin_count(void);
const char	*sim_admin_desc(int);
void		 sim_trace_ring_print(FILE *);
void		 sim_run(const struct scenario *, const struct sim_opts *,
		    struct sim_result *);
void		 sim_global_init(void);
extern int	 sim_spin_ok;
extern int	 sim_equal_pings;

#endif
