/*
 * lab-sampler: records, every PERIOD_MS, which lab node holds the virtual IP
 * and which has the shared disk mounted, so a test can check the safety
 * invariant "never both" afterwards (tests/lib/lab.sh, lab_sampler_stop).
 *
 *	lab-sampler [-i PERIOD_MS] LAB_DIR NETNS1 NETNS2 VIP OUTFILE
 *
 * One line per sample:  T_ms ha1_vip=0|1 ha2_vip=0|1 ha1_mnt=0|1 ha2_mnt=0|1
 * T_ms counts from the start (CLOCK_MONOTONIC); the header line gives the
 * wall-clock start.  On SIGTERM/SIGINT a "# summary" line reports the period
 * actually achieved, so nobody has to trust the nominal one.
 *
 * vip:  NETNSn (a name under /run/netns) has VIP on any interface; checked
 *       with setns() + getifaddrs(), the netns file opened anew each time so
 *       the sampler never keeps a deleted namespace alive.
 * mnt:  the node's mount table (/proc/ANCHOR/mounts, ANCHOR from
 *       LAB_DIR/haN.pid, trusted only if its UTS ns matches LAB_DIR/haN.uts)
 *       has /srv/ha, OR the node's own loop device (LAB_DIR/haN.loop) carries
 *       a live ext4/xfs/btrfs superblock in any mount namespace.  The second
 *       half catches a mount that outlived the anchor.
 * The lab's files are re-read on every sample: power-off and power-on
 * replace the anchor.  This program only reads; it changes nothing.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <limits.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int64_t
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Reads a one-line file into buf without the newline; -1 if absent. */
static int
read_line(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

static int
has_vip(const char *netns, int self_fd, struct in_addr vip)
{
	struct ifaddrs *ifa, *p;
	char path[PATH_MAX];
	int fd, found = 0;

	snprintf(path, sizeof(path), "/run/netns/%s", netns);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return 0;
	if (setns(fd, CLONE_NEWNET) == -1) {
		close(fd);
		return 0;
	}
	close(fd);
	if (getifaddrs(&ifa) == 0) {
		for (p = ifa; p != NULL && !found; p = p->ifa_next) {
			/*
			 * An address on an interface that is down cannot
			 * answer: a powered-off node (links down, netns
			 * kept, LAB.md §9) does not hold the VIP. A cable cut
			 * at the switch leaves the interface up: that counts.
			 */
			if (p->ifa_addr == NULL ||
			    p->ifa_addr->sa_family != AF_INET ||
			    !(p->ifa_flags & IFF_UP))
				continue;
			if (((struct sockaddr_in *)p->ifa_addr)->sin_addr.s_addr
			    == vip.s_addr)
				found = 1;
		}
		freeifaddrs(ifa);
	}
	if (setns(self_fd, CLONE_NEWNET) == -1) {
		perror("lab-sampler: setns back");
		exit(1);
	}
	return found;
}

static int
anchor_has_mount(const char *dir, int node)
{
	char path[PATH_MAX], pid[32], uts[64], link[64], line[4096];
	char *mnt, *end;
	ssize_t n;
	FILE *f;
	int found = 0;

	snprintf(path, sizeof(path), "%s/ha%d.pid", dir, node);
	if (read_line(path, pid, sizeof(pid)) == -1)
		return 0;
	snprintf(path, sizeof(path), "%s/ha%d.uts", dir, node);
	if (read_line(path, uts, sizeof(uts)) == -1)
		return 0;
	/* A stale pid file may name somebody else's process now. */
	snprintf(path, sizeof(path), "/proc/%s/ns/uts", pid);
	if ((n = readlink(path, link, sizeof(link) - 1)) <= 0)
		return 0;
	link[n] = '\0';
	if (strcmp(link, uts) != 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/%s/mounts", pid);
	if ((f = fopen(path, "re")) == NULL)
		return 0;
	while (!found && fgets(line, sizeof(line), f) != NULL) {
		if ((mnt = strchr(line, ' ')) == NULL)
			continue;
		mnt++;
		if ((end = strchr(mnt, ' ')) == NULL)
			continue;
		*end = '\0';
		found = strcmp(mnt, "/srv/ha") == 0;
	}
	fclose(f);
	return found;
}

static int
loop_is_live(const char *dir, int node)
{
	static const char *fstypes[] = { "ext4", "xfs", "btrfs" };
	char path[PATH_MAX], dev[128];
	const char *base;
	struct stat st;
	size_t i;

	snprintf(path, sizeof(path), "%s/ha%d.loop", dir, node);
	if (read_line(path, dev, sizeof(dev)) == -1)
		return 0;
	base = strrchr(dev, '/') != NULL ? strrchr(dev, '/') + 1 : dev;
	for (i = 0; i < sizeof(fstypes) / sizeof(fstypes[0]); i++) {
		snprintf(path, sizeof(path), "/sys/fs/%s/%s", fstypes[i],
		    base);
		if (stat(path, &st) == 0)
			return 1;
	}
	return 0;
}

static void
usage(void)
{
	fprintf(stderr, "usage: lab-sampler [-i PERIOD_MS] LAB_DIR NETNS1 "
	    "NETNS2 VIP OUTFILE\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	struct sigaction sa;
	struct timespec next, wall;
	struct in_addr vip;
	int64_t start, t, prev = -1, gap, max_gap = 0, cost, max_cost = 0;
	long period_ms = 50;
	unsigned long samples = 0, late = 0;
	int self_fd, c, v[2], m[2], i;
	FILE *out;

	while ((c = getopt(argc, argv, "i:")) != -1) {
		if (c != 'i')
			usage();
		period_ms = strtol(optarg, NULL, 10);
		if (period_ms < 1 || period_ms > 10000)
			usage();
	}
	argc -= optind;
	argv += optind;
	if (argc != 5 || inet_pton(AF_INET, argv[3], &vip) != 1)
		usage();
	if ((out = fopen(argv[4], "we")) == NULL) {
		perror(argv[4]);
		return 1;
	}
	setvbuf(out, NULL, _IOLBF, 0);
	if ((self_fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC)) == -1) {
		perror("lab-sampler: /proc/self/ns/net");
		return 1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	clock_gettime(CLOCK_REALTIME, &wall);
	fprintf(out, "# lab-sampler period_ms=%ld start_epoch_ms=%lld "
	    "netns=%s,%s vip=%s\n", period_ms,
	    (long long)wall.tv_sec * 1000 + wall.tv_nsec / 1000000,
	    argv[1], argv[2], argv[3]);
	start = mono_ns();
	clock_gettime(CLOCK_MONOTONIC, &next);
	while (!stop) {
		t = mono_ns();
		for (i = 0; i < 2; i++) {
			v[i] = has_vip(argv[1 + i], self_fd, vip);
			m[i] = anchor_has_mount(argv[0], i + 1) ||
			    loop_is_live(argv[0], i + 1);
		}
		fprintf(out, "%lld ha1_vip=%d ha2_vip=%d ha1_mnt=%d "
		    "ha2_mnt=%d\n", (long long)((t - start) / 1000000),
		    v[0], v[1], m[0], m[1]);
		cost = mono_ns() - t;
		if (cost > max_cost)
			max_cost = cost;
		if (prev >= 0) {
			gap = t - prev;
			if (gap > max_gap)
				max_gap = gap;
			if (gap > period_ms * 1500000)
				late++;
		}
		prev = t;
		samples++;

		next.tv_nsec += period_ms * 1000000;
		while (next.tv_nsec >= 1000000000) {
			next.tv_nsec -= 1000000000;
			next.tv_sec++;
		}
		/* Fell behind by more than a period: restart the schedule. */
		if ((int64_t)next.tv_sec * 1000000000 + next.tv_nsec <
		    mono_ns() - period_ms * 1000000)
			clock_gettime(CLOCK_MONOTONIC, &next);
		while (!stop && clock_nanosleep(CLOCK_MONOTONIC,
		    TIMER_ABSTIME, &next, NULL) == EINTR)
			;
	}
	t = prev - start;
	fprintf(out, "# summary samples=%lu span_ms=%lld mean_period_ms=%.2f "
	    "max_gap_ms=%.2f max_sample_cost_ms=%.3f late=%lu\n", samples,
	    (long long)(t / 1000000),
	    samples > 1 ? (double)t / 1e6 / (double)(samples - 1) : 0.0,
	    (double)max_gap / 1e6, (double)max_cost / 1e6, late);
	fclose(out);
	return 0;
}
