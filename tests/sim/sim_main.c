/*
 * sim_main: the command line. One seed as a readable timeline, a range
 * of seeds, or random seeds until a time box runs out; a failure is
 * shrunk (delta debugging over its fault list) and printed with the
 * command that replays it.
 */
#include <errno.h>
#include <inttypes.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sim.h"
#include "util.h"

static const char *usage_text =
"usage: sim [--seed N [--keep HEX] [--trace]] [--seeds A-B]\n"
"           [--time-box SECONDS] [--long HOURS] [--min-scenarios N]\n"
"           [--base N] [--stride N] [--calm|--chaos] [--until-fail]\n"
"           [--no-shrink] [--quiet]\n"
"  --seed N         run one scenario (with --trace: print its timeline)\n"
"  --keep HEX       only the faults whose bit is set (a shrunken trace)\n"
"  --seeds A-B      run seeds A to B\n"
"  --time-box S     run seeds base, base+stride, ... for S seconds\n"
"  --min-scenarios N  with --time-box: keep going until N scenarios ran\n"
"  --long H         a time box of H hours\n"
"  --base N         the first seed of a time box (default: from the clock)\n"
"  --stride N       seed step, so that processes share a range\n"
"  --until-fail     stop at the first failure (a mutant hunt)\n"
"  --max-failures N with --time-box: stop after N failures (20); the\n"
"                   first 3 are shrunk and printed in full\n";

static int	 opt_quiet, opt_no_shrink;
static uint64_t	 opt_max_fail = 20;
#define REPORTED_FAILURES	3	/* shrunk and printed in full */

static double
cpu_s(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double
now_s(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
print_faults(const struct scenario *sc, FILE *fp)
{
	char	 d[256];
	int	 i;

	for (i = 0; i < sc->nfaults; i++) {
		if (!(sc->keep >> i & 1))
			continue;
		fault_describe(&sc->f[i], d, sizeof(d));
		fprintf(fp, "  fault %2d at %8.3f s: %s\n", i,
		    (double)sc->f[i].t / 1000, d);
	}
	fprintf(fp, "  everything heals at %.3f s\n",
	    (double)sc->fault_end / 1000);
}

/* the invariant's name: what comes before the first colon */
static int
same_kind(const char *a, const char *b)
{
	size_t	 la = strcspn(a, ":"), lb = strcspn(b, ":");

	return la == lb && strncmp(a, b, la) == 0;
}

static int
fails_like(struct scenario *sc, const char *what, int *runs)
{
	struct sim_opts		 o = { 0, 1 };
	struct sim_result	 r;

	(*runs)++;
	sim_run(sc, &o, &r);
	return r.failed && same_kind(r.what, what);
}

/* ddmin over the kept faults */
static void
shrink(struct scenario *sc, const char *what)
{
	int	 idx[SIM_MAX_FAULTS], n, chunks = 2, i, j, k, runs = 0;
	uint64_t trial;

	for (;;) {
		n = 0;
		for (i = 0; i < sc->nfaults; i++)
			if (sc->keep >> i & 1)
				idx[n++] = i;
		if (n == 0 || runs > 2000)
			break;
		if (chunks > n)
			chunks = n;
		for (j = 0; j < chunks; j++) {
			int	 lo = n * j / chunks, hi = n * (j + 1) / chunks;

			trial = sc->keep;
			for (k = lo; k < hi; k++)
				trial &= ~(1ULL << idx[k]);
			{
				uint64_t	 save = sc->keep;

				sc->keep = trial;
				if (fails_like(sc, what, &runs))
					break;
				sc->keep = save;
			}
		}
		if (j < chunks) {
			if (chunks > 2)
				chunks--;
			continue;
		}
		if (chunks >= n)
			break;
		chunks = chunks * 2 > n ? n : chunks * 2;
	}
	fprintf(stderr, "shrunk in %d runs\n", runs);
}

static void
report_failure(struct scenario *sc, const struct sim_result *r)
{
	struct sim_opts		 o = { 2, 0 };
	struct sim_result	 r2;
	const char		*prog = getenv("SIM_PROG") ?
	    getenv("SIM_PROG") : "tests/sim/sim";

	fprintf(stderr, "\nFAILED: seed %" PRIu64 " at %.3f s: %s\n",
	    sc->seed, (double)r->at / 1000, r->what);
	fprintf(stderr, "faults (%d):\n", sc->nfaults);
	print_faults(sc, stderr);
	shrink(sc, r->what);
	sim_run(sc, &o, &r2);
	fprintf(stderr, "shrunken to:\n");
	print_faults(sc, stderr);
	fprintf(stderr, "its last steps:\n");
	sim_trace_ring_print(stderr);
	fprintf(stderr, "replay: %s --seed %" PRIu64 " --keep %" PRIx64
	    " --trace\n", prog, sc->seed, sc->keep);
}

struct totals {
	uint64_t	 n, failed, calm, vtime, steps, packets, replays;
	uint64_t	 fences, restarts, left_failed;
	uint64_t	 first_fail_seed, first_fail_n;
	int		 any_fail;
};

static int
run_one(uint64_t seed, int have_keep, uint64_t keep, int trace, int filter,
    struct totals *t)
{
	struct scenario		 sc;
	struct sim_opts		 o = { trace, !trace };
	struct sim_result	 r;

	scenario_make(&sc, seed);
	if (filter == 1 && !sc.calm)
		return 0;
	if (filter == 2 && sc.calm)
		return 0;
	if (have_keep)
		sc.keep = keep & sc.keep;
	sim_run(&sc, &o, &r);
	t->n++;
	t->calm += sc.calm;
	t->vtime += (uint64_t)r.vtime;
	t->steps += r.steps;
	t->packets += r.packets;
	t->replays += r.replays;
	t->fences += r.fences;
	t->restarts += r.restarts;
	t->left_failed += (uint64_t)r.left_failed;
	if (r.failed) {
		t->failed++;
		if (!t->any_fail) {
			t->any_fail = 1;
			t->first_fail_seed = seed;
			t->first_fail_n = t->n;
		}
		if (trace)
			printf("FAILED: %s\n", r.what);
		else if (opt_no_shrink || t->failed > REPORTED_FAILURES)
			fprintf(stderr, "FAILED: seed %" PRIu64 ": %s\n", seed,
			    r.what);
		else
			report_failure(&sc, &r);
		return 1;
	}
	if (trace)
		printf("passed: %.1f s of virtual time, %" PRIu64 " steps, "
		    "%" PRIu64 " packets, %" PRIu64 " replays, %d groups left "
		    "FAILED for an operator\n", (double)r.vtime / 1000,
		    r.steps, r.packets, r.replays, r.left_failed);
	return 0;
}

int
main(int argc, char **argv)
{
	struct totals	 t;
	uint64_t	 seed = 0, keep = 0, a = 0, b = 0, base = 0, stride = 1;
	uint64_t	 min_n = 0, s;
	double		 box = 0, t0, el, c0, cpu;
	int		 i, have_seed = 0, have_keep = 0, have_range = 0, trace = 0;
	int		 until_fail = 0, filter = 0, have_base = 0, rc = 0;

	for (i = 1; i < argc; i++) {
		const char	*v = i + 1 < argc ? argv[i + 1] : NULL;

#define NEED()	do { if (v == NULL) goto usage; i++; } while (0)
		if (strcmp(argv[i], "--seed") == 0) {
			NEED();
			seed = strtoull(v, NULL, 0);
			have_seed = 1;
		} else if (strcmp(argv[i], "--keep") == 0) {
			NEED();
			keep = strtoull(v, NULL, 16);
			have_keep = 1;
		} else if (strcmp(argv[i], "--trace") == 0)
			trace = 1;
		else if (strcmp(argv[i], "--seeds") == 0) {
			NEED();
			if (sscanf(v, "%" SCNu64 "-%" SCNu64, &a, &b) != 2 ||
			    b < a)
				goto usage;
			have_range = 1;
		} else if (strcmp(argv[i], "--time-box") == 0) {
			NEED();
			box = strtod(v, NULL);
		} else if (strcmp(argv[i], "--long") == 0) {
			NEED();
			box = strtod(v, NULL) * 3600;
		} else if (strcmp(argv[i], "--min-scenarios") == 0) {
			NEED();
			min_n = strtoull(v, NULL, 0);
		} else if (strcmp(argv[i], "--max-failures") == 0) {
			NEED();
			opt_max_fail = strtoull(v, NULL, 0);
		} else if (strcmp(argv[i], "--base") == 0) {
			NEED();
			base = strtoull(v, NULL, 0);
			have_base = 1;
		} else if (strcmp(argv[i], "--stride") == 0) {
			NEED();
			stride = strtoull(v, NULL, 0);
			if (stride == 0)
				stride = 1;
		} else if (strcmp(argv[i], "--until-fail") == 0)
			until_fail = 1;
		else if (strcmp(argv[i], "--calm") == 0)
			filter = 1;
		else if (strcmp(argv[i], "--chaos") == 0)
			filter = 2;
		else if (strcmp(argv[i], "--equal-pings") == 0)
			sim_equal_pings = 1;
		else if (strcmp(argv[i], "--spin-ok") == 0)
			sim_spin_ok = 1;
		else if (strcmp(argv[i], "--no-shrink") == 0)
			opt_no_shrink = 1;
		else if (strcmp(argv[i], "--quiet") == 0)
			opt_quiet = 1;
		else
			goto usage;
	}
	if (!have_seed && !have_range && box <= 0)
		goto usage;
	/* a core is ~100 KB: keep freed ones in the heap, no mmap churn */
	mallopt(M_MMAP_THRESHOLD, 64 << 20);
	mallopt(M_TRIM_THRESHOLD, 256 << 20);
	if (sim_conf_init() == -1)
		return 2;
	sim_global_init();
	memset(&t, 0, sizeof(t));
	t0 = now_s();
	c0 = cpu_s();
	if (have_seed)
		rc = run_one(seed, have_keep, keep, trace, 0, &t);
	else if (have_range) {
		for (s = a; s <= b; s++) {
			rc |= run_one(s, 0, 0, 0, filter, &t);
			if (rc && until_fail)
				break;
		}
	} else {
		if (!have_base)
			base = (uint64_t)time(NULL) * 1000003ULL;
		for (s = base;; s += stride) {
			rc |= run_one(s, 0, 0, 0, filter, &t);
			if (rc && (until_fail || t.failed >= opt_max_fail))
				break;
			if ((t.n & 63) == 0 && now_s() - t0 >= box &&
			    t.n >= min_n)
				break;
		}
	}
	el = now_s() - t0;
	cpu = cpu_s() - c0;
	if (!have_seed || !opt_quiet)
		printf("sim: %" PRIu64 " scenarios (%" PRIu64 " calm), %"
		    PRIu64 " failed, %.1f virtual hours, %.1f s, %.0f "
		    "scenarios/s (%.0f per CPU second); %" PRIu64 " packets, %"
		    PRIu64 " replays, %"
		    PRIu64 " fences, %" PRIu64 " daemon starts, %" PRIu64
		    " groups left FAILED for an operator\n", t.n, t.calm,
		    t.failed, (double)t.vtime / 3.6e6, el,
		    el > 0 ? (double)t.n / el : 0.0,
		    cpu > 0 ? (double)t.n / cpu : 0.0, t.packets, t.replays,
		    t.fences, t.restarts, t.left_failed);
	printf("sim-figures: scenarios=%" PRIu64 " failed=%" PRIu64 " wall=%.2f "
	    "cpu=%.2f vhours=%.2f\n", t.n, t.failed, el, cpu,
	    (double)t.vtime / 3.6e6);
	if (t.any_fail)
		printf("sim: first failure: seed %" PRIu64 " after %" PRIu64
		    " scenarios, %.1f s\n", t.first_fail_seed,
		    t.first_fail_n, el);
	sim_conf_cleanup();
	return rc ? 1 : 0;
usage:
	fputs(usage_text, stderr);
	return 2;
}
