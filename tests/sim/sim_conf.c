/*
 * sim_conf: the configurations the simulated pair runs, written once as
 * real ha.cf, haresources and authkeys files into a temporary directory
 * and loaded through conf_load(), as hbd would. A family is one cluster
 * (fencing on or off, auto_failback on or off, groups with or without a
 * Filesystem, ping nodes, a disk medium, a serial line); its variants are
 * the edits an operator reloads: media in another order, another ping
 * list, other timings. Dummy executables stand in for the agents.
 */
#include <sys/stat.h>

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim.h"

static char			 topdir[256];
static struct sim_family	 fams[SIM_NFAMILIES];
static int			 loaded[SIM_NFAMILIES];
int				 sim_equal_pings;

static const char *variant_names[SIM_VARIANTS] = {
	"base", "media-reversed", "pings-changed", "timings-changed",
	"all-changed"
};

static const char *world_ping[SIM_PING_ADDRS] = {
	"10.88.0.1", "10.88.0.2", "10.88.0.3"
};

const char *
sim_variant_name(int v)
{
	return v >= 0 && v < SIM_VARIANTS ? variant_names[v] : "?";
}

static void
put(const char *dir, const char *name, int mode, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
put(const char *dir, const char *name, int mode, const char *fmt, ...)
{
	char	 p[512];
	FILE	*f;
	va_list	 ap;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	if ((f = fopen(p, "w")) == NULL) {
		perror(p);
		exit(2);
	}
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fclose(f);
	chmod(p, (mode_t)mode);
}

int
sim_conf_init(void)
{
	const char	*tmp = getenv("TMPDIR");
	char		 agents[300];
	const char	*names[] = { "IPaddr", "Filesystem", "Dummy", "fence" };
	size_t		 i;

	snprintf(topdir, sizeof(topdir), "%s/hbd-sim-XXXXXX",
	    tmp && *tmp ? tmp : "/tmp");
	if (mkdtemp(topdir) == NULL) {
		perror("mkdtemp");
		return -1;
	}
	snprintf(agents, sizeof(agents), "%s/agents", topdir);
	if (mkdir(agents, 0755) == -1) {
		perror(agents);
		return -1;
	}
	/* never run: the simulator plays every agent itself */
	for (i = 0; i < nitems(names); i++)
		put(agents, names[i], 0755, "#!/bin/sh\nexit 0\n");
	return 0;
}

void
sim_conf_cleanup(void)
{
	char	 cmd[300];

	if (topdir[0] == '\0' || strstr(topdir, "hbd-sim-") == NULL)
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", topdir);
	if (system(cmd) != 0)
		fprintf(stderr, "sim: could not remove %s\n", topdir);
}

static const char *
auth_of(int bits)
{
	static const char *m[] = { "sha256", "sha1", "md5", "crc" };

	return m[(bits >> 1) % 4];
}

static void
write_variant(int bits, int v, const char *dir)
{
	char		 media[512], pings[256], timing[256], fence[512];
	const char	*lines[SIM_LINKS];
	int		 n = 0, i, reversed = v == 1 || v == 4;
	int		 pchanged = v == 2 || v == 4, tchanged = v == 3 || v == 4;

	lines[n++] = "bcast eth0\n";
	lines[n++] = "bcast eth1\n";
	if (bits & FAM_SERIAL)
		lines[n++] = "serial /dev/ttyS0\n";
	if (bits & FAM_DISK)
		lines[n++] = "disk /dev/sdz\n";
	media[0] = '\0';
	for (i = 0; i < n; i++)
		strcat(media, lines[reversed ? n - 1 - i : i]);

	/*
	 * Another ping list: the same number of ping nodes (another node,
	 * or a ping_group), except "all-changed", which adds one
	 * (--equal-pings: not that either).
	 */
	pings[0] = '\0';
	if (bits & FAM_PING) {
		if (!pchanged)
			snprintf(pings, sizeof(pings), "ping %s\n",
			    world_ping[0]);
		else if (v == 4 && !sim_equal_pings)
			snprintf(pings, sizeof(pings), "ping %s %s\n",
			    world_ping[0], world_ping[2]);
		else if (bits & FAM_SERIAL)
			snprintf(pings, sizeof(pings), "ping_group gw %s %s\n",
			    world_ping[0], world_ping[1]);
		else
			snprintf(pings, sizeof(pings), "ping %s\n",
			    world_ping[2]);
	}
	if (!tchanged)
		snprintf(timing, sizeof(timing), "keepalive 1\nwarntime 3\n"
		    "deadtime 6\ninitdead 12\ndeadping 6\n");
	else
		snprintf(timing, sizeof(timing), "keepalive 700ms\n"
		    "warntime 2500ms\ndeadtime 5\ninitdead 12\ndeadping 5\n");
	fence[0] = '\0';
	if (bits & FAM_FENCE)
		snprintf(fence, sizeof(fence), "fence %s/agents/fence\n"
		    "fence_timeout 8\nfence_delay 2\n", topdir);

	put(dir, "ha.cf", 0644,
	    "# hbd simulator: family 0x%02x, variant %s\n"
	    "node alpha\nnode bravo\n"
	    "%s%s%s"
	    "auto_failback %s\n"
	    "logfacility none\n"
	    "resource_path %s/agents\n"
	    "start_timeout 8\nstop_timeout 8\nmonitor_timeout 4\n"
	    "monitor_interval 5\n"
	    "%s",
	    bits, variant_names[v], timing, media, pings,
	    bits & FAM_FAILBACK ? "on" : "off", topdir, fence);
	if (bits & FAM_FS)
		put(dir, "haresources", 0644,
		    "alpha IPaddr::10.88.0.100/24 Dummy::g0\n"
		    "bravo IPaddr::10.88.0.101/24 "
		    "Filesystem::/dev/sdb1::/srv/data::ext4 Dummy::g1\n"
		    "alpha Filesystem::/dev/sdc1::/srv/x::ext4\n");
	else
		put(dir, "haresources", 0644,
		    "alpha IPaddr::10.88.0.100/24 Dummy::g0\n"
		    "bravo IPaddr::10.88.0.101/24 Dummy::g1\n");
	if (strcmp(auth_of(bits), "crc") == 0)
		put(dir, "authkeys", 0600, "auth 1\n1 crc\n");
	else
		put(dir, "authkeys", 0600, "auth 1\n1 %s simulated-secret-%d\n",
		    auth_of(bits), bits);
}

static int
link_of_medium(const struct conf_medium *m)
{
	switch (m->type) {
	case MEDIUM_SERIAL:
		return L_SERIAL;
	case MEDIUM_DISK:
		return L_DISK;
	default:
		return strcmp(m->ifname, "eth0") == 0 ? L_NET0 : L_NET1;
	}
}

static int
world_ping_index(struct in_addr a)
{
	char	 s[INET_ADDRSTRLEN];
	int	 i;

	inet_ntop(AF_INET, &a, s, sizeof(s));
	for (i = 0; i < SIM_PING_ADDRS; i++)
		if (strcmp(s, world_ping[i]) == 0)
			return i;
	return 0;
}

static void
load_family(int bits)
{
	struct sim_family	*f = &fams[bits];
	static const char	*node[SIM_NODES] = { "alpha", "bravo" };
	char			 dir[400];
	int			 v, n, i, j;

	memset(f, 0, sizeof(*f));
	f->bits = bits;
	f->auth = auth_of(bits);
	f->min_deadtime = UINT32_MAX;
	f->min_deadping = UINT32_MAX;
	for (v = 0; v < SIM_VARIANTS; v++) {
		snprintf(dir, sizeof(dir), "%s/f%02x-%d", topdir, bits, v);
		if (mkdir(dir, 0755) == -1) {
			perror(dir);
			exit(2);
		}
		write_variant(bits, v, dir);
		for (n = 0; n < SIM_NODES; n++) {
			struct conf_opts	 o;
			struct conf_diag	 d;
			struct conf		*c;

			memset(&o, 0, sizeof(o));
			o.confdir = dir;
			o.local = node[n];
			o.agentdir = "/nonexistent";
			o.for_start = 1;
			if ((c = conf_load(&o, &d)) == NULL ||
			    d.nerrors > 0) {
				fprintf(stderr, "sim: %s does not load:\n",
				    dir);
				conf_diag_print(&d, stderr);
				exit(2);
			}
			conf_diag_free(&d);
			f->conf[v][n] = c;
			for (i = 0; i < SIM_LINKS; i++)
				f->medium_of[v][n][i] = -1;
			for (i = 0; i < c->nmedia; i++) {
				f->link_of[v][n][i] =
				    link_of_medium(&c->media[i]);
				f->medium_of[v][n][f->link_of[v][n][i]] = i;
			}
			for (i = 0; i < c->npings; i++)
				for (j = 0; j < c->pings[i].naddr; j++)
					f->ping_addr[v][i][j] =
					    world_ping_index(
					    c->pings[i].addr[j]);
			if (c->deadtime_ms > f->max_deadtime)
				f->max_deadtime = c->deadtime_ms;
			if (c->deadtime_ms < f->min_deadtime)
				f->min_deadtime = c->deadtime_ms;
			if (c->keepalive_ms > f->max_keepalive)
				f->max_keepalive = c->keepalive_ms;
			if (c->deadping_ms < f->min_deadping)
				f->min_deadping = c->deadping_ms;
			if (c->initdead_ms > f->max_initdead)
				f->max_initdead = c->initdead_ms;
			if (c->start_timeout_ms > f->max_timeout)
				f->max_timeout = c->start_timeout_ms;
			if (c->stop_timeout_ms > f->max_timeout)
				f->max_timeout = c->stop_timeout_ms;
		}
	}
	f->ngroups = f->conf[0][0]->ngroups;
	for (i = 0; i < f->ngroups; i++) {
		const struct conf_group	*g = &f->conf[0][0]->groups[i];

		for (j = 0; j < g->nrsc; j++) {
			f->is_fs[i][j] = strcmp(g->rsc[j].type,
			    "Filesystem") == 0;
			if (g->rsc[j].needs_fence)
				f->needs_fence[i] = 1;
		}
	}
}

const struct sim_family *
sim_family(int bits)
{
	bits &= SIM_NFAMILIES - 1;
	if (!loaded[bits]) {
		load_family(bits);
		loaded[bits] = 1;
	}
	return &fams[bits];
}
