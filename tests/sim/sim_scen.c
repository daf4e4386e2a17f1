/*
 * sim_scen: the PRNG and the scenarios. A scenario is a family of
 * configurations, start times and a list of timed faults, all drawn from
 * one seed; the run's own randomness (delays, losses, agent durations)
 * comes from a second stream of the same seed. A fault list with faults
 * masked out still runs, which is how failures are shrunk.
 *
 * "Calm" scenarios hold only faults the configuration says must not move
 * a group (reloads, quick daemon restarts, duplicates, delays, short
 * losses, dead single links, short ping gaps, replays, garbage); the
 * others ("chaos") hold everything.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

/* ---- PRNG ---- */

static uint64_t
splitmix64(uint64_t *x)
{
	uint64_t	 z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void
rng_seed(struct rng *r, uint64_t seed)
{
	int	 i;

	for (i = 0; i < 4; i++)
		r->s[i] = splitmix64(&seed);
}

static inline uint64_t
rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t
rng_next(struct rng *r)
{
	uint64_t	*s = r->s;
	uint64_t	 result = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

uint32_t
rng_below(struct rng *r, uint32_t n)
{
	return n ? (uint32_t)(((rng_next(r) >> 32) * n) >> 32) : 0;
}

int64_t
rng_range(struct rng *r, int64_t lo, int64_t hi)
{
	if (hi <= lo)
		return lo;
	return lo + (int64_t)(rng_next(r) % (uint64_t)(hi - lo + 1));
}

int
rng_chance(struct rng *r, uint32_t permille)
{
	return rng_below(r, 1000) < permille;
}

/* ---- faults ---- */

static const char *kind_names[F_NKINDS] = {
	"link-loss", "link-cut", "link-delay", "link-dup", "daemon-crash",
	"power-off", "shutdown", "reload", "admin", "agents", "rsc-dies",
	"fence-mode", "ping-lost", "replay", "disk-stall", "garbage", "clock"
};

const char *
fault_kind_name(int k)
{
	return k >= 0 && k < F_NKINDS ? kind_names[k] : "?";
}

static const char *link_names[SIM_LINKS] = { "net0", "net1", "serial",
    "disk" };
static const char *node_names[SIM_NODES] = { "alpha", "bravo" };
static const char *pm_names[] = { "kept", "lost", "stale" };
static const char *am_names[AM_NMODES] = { "fail-start", "fail-stop",
    "fail-status", "hang", "nospawn" };

void
fault_describe(const struct fault *f, char *out, size_t len)
{
	const char	*dir = f->b ? "both ways" : "one way";
	const char	*n = node_names[f->node % SIM_NODES];
	char		 links[64];
	int		 i;

	switch (f->kind) {
	case F_LINK_LOSS:
		snprintf(out, len, "%s from %s %s: %u/1000 lost for %lld ms",
		    link_names[f->a % SIM_LINKS], n, dir, f->c,
		    (long long)f->dur);
		break;
	case F_LINK_CUT:
		links[0] = '\0';
		for (i = 0; i < SIM_LINKS; i++)
			if (f->a & (1 << i)) {
				strcat(links, " ");
				strcat(links, link_names[i]);
			}
		snprintf(out, len, "cut%s from %s %s for %lld ms", links, n,
		    dir, (long long)f->dur);
		break;
	case F_LINK_DELAY:
		snprintf(out, len, "%s from %s %s: up to %d ms late "
		    "(reordered) for %lld ms", link_names[f->a % SIM_LINKS],
		    n, dir, f->x, (long long)f->dur);
		break;
	case F_LINK_DUP:
		snprintf(out, len, "%s from %s %s: %u/1000 duplicated for "
		    "%lld ms", link_names[f->a % SIM_LINKS], n, dir, f->c,
		    (long long)f->dur);
		break;
	case F_DAEMON_CRASH:
		snprintf(out, len, "kill -9 hbd on %s; restart after %d ms, "
		    "state %s", n, f->x, pm_names[f->a % 3]);
		break;
	case F_POWER_OFF:
		snprintf(out, len, "power %s off; boot after %d ms", n, f->x);
		break;
	case F_SHUTDOWN:
		snprintf(out, len, "SIGTERM hbd on %s%s; restart after %d ms",
		    n, f->b ? " (twice)" : "", f->x);
		break;
	case F_RELOAD:
		snprintf(out, len, "SIGHUP %s with config %s", n,
		    sim_variant_name(f->a));
		break;
	case F_ADMIN:
		snprintf(out, len, "on %s: %s", n, sim_admin_desc(f->a));
		break;
	case F_AGENT:
		snprintf(out, len, "agents on %s: %s %u/1000 for %lld ms", n,
		    am_names[f->a % AM_NMODES], f->c, (long long)f->dur);
		break;
	case F_RSC_DIE:
		snprintf(out, len, "group %d resource %d dies on %s", f->a,
		    f->b, n);
		break;
	case F_FENCE_MODE:
		snprintf(out, len, "fencing from %s %s for %lld ms", n,
		    f->a ? "slow (times out)" : "fails", (long long)f->dur);
		break;
	case F_PING:
		if (f->a >= SIM_PING_ADDRS)
			snprintf(out, len, "%s loses its uplink to every ping "
			    "node for %lld ms", n, (long long)f->dur);
		else
			snprintf(out, len, "%s cannot reach ping node %d for "
			    "%lld ms", n, f->a, (long long)f->dur);
		break;
	case F_REPLAY:
		snprintf(out, len, "attacker replays %u recorded packets to "
		    "%s over %lld ms", f->c, n, (long long)f->dur);
		break;
	case F_DISK_STALL:
		snprintf(out, len, "disk I/O of %s hangs for %lld ms", n,
		    (long long)f->dur);
		break;
	case F_GARBAGE:
		snprintf(out, len, "a corrupted frame to %s on %s", n,
		    link_names[f->a % SIM_LINKS]);
		break;
	case F_CLOCK:
		snprintf(out, len, "the wall clock of %s steps back %d s", n,
		    f->x);
		break;
	default:
		snprintf(out, len, "?");
	}
}

/* ---- making a scenario ---- */

static int
pick_link(struct rng *r, int bits, int calm_long)
{
	int	 l[SIM_LINKS], n = 0;

	if (!calm_long)
		l[n++] = L_NET0;
	l[n++] = L_NET1;
	if (bits & FAM_SERIAL)
		l[n++] = L_SERIAL;
	if (bits & FAM_DISK)
		l[n++] = L_DISK;
	return l[rng_below(r, (uint32_t)n)];
}

static int
pick_kind(struct rng *r, const int *w)
{
	int	 i, total = 0, x;

	for (i = 0; i < F_NKINDS; i++)
		total += w[i];
	x = (int)rng_below(r, (uint32_t)total);
	for (i = 0; i < F_NKINDS; i++) {
		if (x < w[i])
			return i;
		x -= w[i];
	}
	return F_REPLAY;
}

static const int chaos_w[F_NKINDS] = {
	[F_LINK_LOSS] = 10, [F_LINK_CUT] = 12, [F_LINK_DELAY] = 6,
	[F_LINK_DUP] = 5, [F_DAEMON_CRASH] = 9, [F_POWER_OFF] = 5,
	[F_SHUTDOWN] = 6, [F_RELOAD] = 8, [F_ADMIN] = 8, [F_AGENT] = 8,
	[F_RSC_DIE] = 4, [F_FENCE_MODE] = 5, [F_PING] = 6, [F_REPLAY] = 14,
	[F_DISK_STALL] = 3, [F_GARBAGE] = 3, [F_CLOCK] = 3
};

static const int calm_w[F_NKINDS] = {
	[F_LINK_LOSS] = 8, [F_LINK_CUT] = 8, [F_LINK_DELAY] = 5,
	[F_LINK_DUP] = 6, [F_DAEMON_CRASH] = 8, [F_RELOAD] = 14,
	[F_PING] = 6, [F_REPLAY] = 12, [F_DISK_STALL] = 2, [F_GARBAGE] = 3,
	[F_CLOCK] = 3
};

static int
fault_cmp(const void *a, const void *b)
{
	const struct fault	*x = a, *y = b;

	return x->t < y->t ? -1 : x->t > y->t;
}

static void
make_fault(struct rng *r, const struct scenario *sc,
    const struct sim_family *fam, struct fault *f)
{
	int	 calm = sc->calm, bits = fam->bits;

	memset(f, 0, sizeof(*f));
	f->kind = (uint8_t)pick_kind(r, calm ? calm_w : chaos_w);
	f->node = (uint8_t)rng_below(r, SIM_NODES);
	f->t = rng_range(r, calm ? 25000 : 3000, sc->fault_end - 500);
	f->b = (uint8_t)rng_below(r, 2);
	switch (f->kind) {
	case F_LINK_LOSS:
		f->a = (uint8_t)pick_link(r, bits, 0);
		f->c = (uint16_t)rng_range(r, 100, 1000);
		f->dur = calm ? rng_range(r, 100, 1200) :
		    rng_range(r, 500, 30000);
		break;
	case F_LINK_CUT:
		if (calm)
			f->a = (uint8_t)(1 << pick_link(r, bits, 1));
		else if (rng_chance(r, 500))
			f->a = 0x0f;	/* every link: a partition */
		else
			f->a = (uint8_t)rng_range(r, 1, 15);
		f->dur = calm ? rng_range(r, 1000, 60000) :
		    rng_range(r, 1000, 45000);
		break;
	case F_LINK_DELAY:
		f->a = (uint8_t)pick_link(r, bits, 0);
		f->x = (int32_t)(calm ? rng_range(r, 5, 200) :
		    rng_range(r, 10, 3000));
		f->dur = rng_range(r, 1000, 30000);
		break;
	case F_LINK_DUP:
		f->a = (uint8_t)pick_link(r, bits, 0);
		f->c = (uint16_t)rng_range(r, 100, 900);
		f->dur = rng_range(r, 1000, 30000);
		break;
	case F_DAEMON_CRASH:
		f->x = (int32_t)(calm ? rng_range(r, 100, 1500) :
		    rng_range(r, 1500, 30000));
		f->a = (uint8_t)(rng_chance(r, 600) ? PM_KEPT :
		    rng_chance(r, 500) ? PM_LOST : PM_STALE);
		break;
	case F_POWER_OFF:
		f->x = (int32_t)rng_range(r, 5000, 40000);
		break;
	case F_SHUTDOWN:
		f->x = (int32_t)rng_range(r, 2000, 30000);
		f->b = rng_chance(r, 250);
		break;
	case F_RELOAD:
		f->a = (uint8_t)rng_below(r, SIM_VARIANTS);
		break;
	case F_ADMIN:
		f->a = (uint8_t)rng_below(r, (uint32_t)sim_admin_count());
		break;
	case F_AGENT:
		f->a = (uint8_t)rng_below(r, AM_NMODES);
		f->c = (uint16_t)rng_range(r, 200, 1000);
		f->dur = rng_range(r, 1000, 40000);
		break;
	case F_RSC_DIE:
		f->a = (uint8_t)rng_below(r, (uint32_t)fam->ngroups);
		f->b = (uint8_t)rng_below(r,
		    (uint32_t)fam->conf[0][0]->groups[f->a].nrsc);
		break;
	case F_FENCE_MODE:
		f->a = (uint8_t)rng_below(r, 2);
		f->dur = rng_range(r, 5000, 60000);
		break;
	case F_PING:
		f->a = (uint8_t)rng_below(r, SIM_PING_ADDRS + 1);
		f->dur = calm ? rng_range(r, 200, (int64_t)fam->min_deadping -
		    fam->max_keepalive - 1000) : rng_range(r, 1000, 60000);
		break;
	case F_REPLAY:
		f->c = (uint16_t)rng_range(r, 1, 40);
		f->dur = rng_range(r, 0, 20000);
		break;
	case F_DISK_STALL:
		f->dur = rng_range(r, 1000, 40000);
		break;
	case F_GARBAGE:
		f->a = (uint8_t)pick_link(r, bits, 0);
		break;
	case F_CLOCK:
		f->x = (int32_t)rng_range(r, 1, 3600);
		break;
	}
}

void
scenario_make(struct scenario *sc, uint64_t seed)
{
	struct rng			 r;
	const struct sim_family		*fam;
	int				 i;

	memset(sc, 0, sizeof(*sc));
	rng_seed(&r, seed ^ 0x51d0c0de5eedULL);
	sc->seed = seed;
	sc->family = (int)rng_below(&r, SIM_NFAMILIES);
	fam = sim_family(sc->family);
	sc->calm = rng_chance(&r, 300);
	for (i = 0; i < SIM_NODES; i++)
		sc->variant[i] = rng_chance(&r, 300) ?
		    (int)rng_below(&r, SIM_VARIANTS) : 0;
	sc->start_at[0] = 0;
	sc->start_at[1] = rng_range(&r, 0, 3000);
	if (!sc->calm && rng_chance(&r, 150))
		sc->start_at[rng_below(&r, 2)] += rng_range(&r, 5000, 40000);
	sc->fault_end = rng_range(&r, 60000, 120000);
	sc->nfaults = (int)(sc->calm ? rng_range(&r, 3, 12) :
	    rng_range(&r, 4, 24));
	for (i = 0; i < sc->nfaults; i++)
		make_fault(&r, sc, fam, &sc->f[i]);
	qsort(sc->f, (size_t)sc->nfaults, sizeof(sc->f[0]), fault_cmp);
	/*
	 * A calm scenario's ping gaps are each shorter than deadping; two
	 * that overlap on one node make one longer gap, which legitimately
	 * moves a group (ipfail). Keep them apart: a gap starts after the
	 * node's previous one ended and its ping nodes answered again.
	 */
	if (sc->calm) {
		int64_t	 end[SIM_NODES] = { 0 };

		for (i = 0; i < sc->nfaults; i++) {
			struct fault	*f = &sc->f[i];

			if (f->kind != F_PING || f->node >= SIM_NODES)
				continue;
			if (f->t < end[f->node])
				f->t = end[f->node];
			end[f->node] = f->t + f->dur +
			    2 * (int64_t)fam->max_keepalive + 1000;
		}
		qsort(sc->f, (size_t)sc->nfaults, sizeof(sc->f[0]),
		    fault_cmp);
	}
	sc->keep = sc->nfaults >= 64 ? ~0ULL : (1ULL << sc->nfaults) - 1;
}
