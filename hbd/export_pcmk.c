/*
 * export_pcmk: hbd's configuration as Pacemaker/Corosync configuration.
 *
 * First a model is built from struct conf: one primitive per haresources
 * resource (hbd's agents as ocf:hbd:TYPE with their heartbeat positional
 * arguments turned into named parameters), groups in haresources order,
 * a location preference per group, stickiness from auto_failback, the
 * ping nodes as an ocf:pacemaker:ping clone, fencing as stonith devices,
 * and a list of notes for everything that does not map. Then the model is
 * rendered as a CIB, pcs commands, crm configure commands or a
 * corosync.conf skeleton, so the four always say the same thing.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "export_pcmk.h"
#include "json.h"
#include "util.h"

#define XP_MAX_PARAMS	(HBD_MAX_RSC_ARGS + 8)
#define XP_MAX_NOTES	512
#define XP_MAX_FENCE	(HBD_MAX_NODES * 2 + 1)
#define XP_ID		128

struct xp_param {
	char		 name[64];
	char		*value;
};

struct xp_prim {
	char		 id[XP_ID];
	char		 cls[16];	/* ocf, lsb, stonith */
	char		 provider[64];
	char		 type[128];
	struct xp_param	 p[XP_MAX_PARAMS];
	int		 np;
	const char	*spec;		/* as written in haresources */
	char		*skip;		/* not exported: the comment in its place */
	char		 avoid[HBD_MAX_NAME];	/* stonith: never on this node */
};

struct xp_group {
	char			 id[XP_ID];
	const struct conf_group	*g;
	struct xp_prim		*prim;
	int			 nprim;
	int			 nexported;
};

struct xp {
	const struct conf	*c;
	struct xp_group		*groups;
	int			 ngroups;
	struct xp_prim		 ping;
	int			 have_ping;
	struct xp_prim		 fence[XP_MAX_FENCE];
	int			 nfence;
	int			 nstonith;	/* fence devices exported */
	char			*notes[XP_MAX_NOTES];
	int			 nnotes;
	int			 unmapped;
	const char		*stickiness;
	char			 ids[HBD_MAX_GROUPS * (HBD_MAX_RSC + 1) + 8][XP_ID];
	int			 nids;
};

/* ------------------------------------------------------------ helpers */

static char *
xvprintf(const char *fmt, va_list ap)
{
	char	 tmp[2048];

	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	return xstrdup(tmp);
}

static void note(struct xp *, int, const char *, ...)
    __attribute__((format(printf, 3, 4)));

/* A note for every output's header; unmapped counts what was lost. */
static void
note(struct xp *x, int unmapped, const char *fmt, ...)
{
	va_list	 ap;

	if (unmapped)
		x->unmapped++;
	if (x->nnotes == XP_MAX_NOTES)
		return;
	va_start(ap, fmt);
	x->notes[x->nnotes++] = xvprintf(fmt, ap);
	va_end(ap);
}

static char *skipf(const char *, ...) __attribute__((format(printf, 1, 2)));

static char *
skipf(const char *fmt, ...)
{
	va_list	 ap;
	char	*s;

	va_start(ap, fmt);
	s = xvprintf(fmt, ap);
	va_end(ap);
	return s;
}

/* "10s" when whole seconds, else "500ms" */
static const char *
dur(uint32_t ms, char *out, size_t len)
{
	if (ms % 1000 == 0)
		snprintf(out, len, "%us", ms / 1000);
	else
		snprintf(out, len, "%ums", ms);
	return out;
}

/*
 * An XML ID (NCName) from anything: [A-Za-z_][A-Za-z0-9_.-]*; at most max
 * characters are taken from s (0: no limit)
 */
static void
make_idn(char *out, size_t len, const char *prefix, const char *s, size_t max)
{
	size_t	 n = 0, i;

	if (len == 0)
		return;
	for (i = 0; prefix[i] && n + 1 < len; i++)
		out[n++] = prefix[i];
	if (max == 0)
		max = len;
	for (; *s && n + 1 < len && max > 0; s++, max--) {
		char	 ch = *s;

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || ch == '.' || ch == '-' ||
		    ch == '_'))
			ch = '_';
		if (ch == '_' && n > 0 && out[n - 1] == '_')
			continue;
		out[n++] = ch;
	}
	while (n > 1 && out[n - 1] == '_')
		n--;
	out[n] = '\0';
	if (n == 0 || !((out[0] >= 'a' && out[0] <= 'z') ||
	    (out[0] >= 'A' && out[0] <= 'Z') || out[0] == '_')) {
		char	 tmp[XP_ID];

		snprintf(tmp, sizeof(tmp), "r_%s", out);
		hbd_strlcpy(out, tmp, len);
	}
}

/* Make id unique among the resource ids handed out so far. */
static void
make_id(char *out, size_t len, const char *prefix, const char *s)
{
	make_idn(out, len, prefix, s, 0);
}

static void
unique_id(struct xp *x, char *id, size_t len)
{
	char	 base[XP_ID], try[XP_ID + 16];
	int	 i, k = 1, clash;

	hbd_strlcpy(base, id, sizeof(base));
	hbd_strlcpy(try, id, sizeof(try));
	do {
		clash = 0;
		for (i = 0; i < x->nids; i++)
			if (strcmp(x->ids[i], try) == 0)
				clash = 1;
		if (clash)
			snprintf(try, sizeof(try), "%s-%d", base, ++k);
	} while (clash);
	hbd_strlcpy(id, try, len);
	if (x->nids < (int)nitems(x->ids))
		hbd_strlcpy(x->ids[x->nids++], id, XP_ID);
}

static void
param(struct xp_prim *p, const char *name, const char *value)
{
	int	 i;

	if (value == NULL || value[0] == '\0')
		return;
	for (i = 0; i < p->np; i++)
		if (strcmp(p->p[i].name, name) == 0) {
			free(p->p[i].value);
			p->p[i].value = xstrdup(value);
			return;
		}
	if (p->np == XP_MAX_PARAMS)
		return;
	hbd_strlcpy(p->p[p->np].name, name, sizeof(p->p[p->np].name));
	p->p[p->np++].value = xstrdup(value);
}

static void
prim_free(struct xp_prim *p)
{
	int	 i;

	for (i = 0; i < p->np; i++)
		free(p->p[i].value);
	free(p->skip);
	memset(p, 0, sizeof(*p));
}

static void
prim_set(struct xp_prim *p, const char *cls, const char *prov,
    const char *type)
{
	hbd_strlcpy(p->cls, cls, sizeof(p->cls));
	hbd_strlcpy(p->provider, prov ? prov : "", sizeof(p->provider));
	hbd_strlcpy(p->type, type, sizeof(p->type));
}

/* ------------------------------------------------------------- model */

/* hbd's own agents (agents/, installed as OCF provider "hbd") */
static const char *const hbd_agents[] = {
	"IPaddr", "IPaddr2", "Filesystem", "httpd", "apache", "nfsserver",
	"Dummy"
};

static int
is_hbd_agent(const char *type)
{
	size_t	 i;

	for (i = 0; i < nitems(hbd_agents); i++)
		if (strcmp(hbd_agents[i], type) == 0)
			return 1;
	return 0;
}

/* IPaddr's ip[/cidr[/nic[/broadcast]]] */
static void
map_ipaddr(struct xp_prim *p, const char *arg)
{
	char	 b[256], *f[4] = { NULL, NULL, NULL, NULL };
	int	 n = 0, i;

	hbd_strlcpy(b, arg, sizeof(b));
	f[n++] = b;
	for (i = 0; b[i] && n < 4; i++)
		if (b[i] == '/') {
			b[i] = '\0';
			f[n++] = &b[i + 1];
		}
	param(p, "ip", f[0]);
	param(p, "cidr_netmask", f[1]);
	param(p, "nic", f[2]);
	param(p, "broadcast", f[3]);
}

/* heartbeat positional arguments of hbd's agents -> OCF names */
static void
map_hbd_agent(struct xp *x, struct xp_prim *p, const struct conf_rsc *r)
{
	static const char *const fs[] = { "device", "directory", "fstype",
	    "options" };
	static const char *const nfs[] = { "configfile", "pidfile",
	    "logfile" };
	static const char *const web[] = { "configfile" };
	static const char *const dummy[] = { "name" };
	const char	*const *names = NULL;
	int		 nnames = 0, i, first = 0;

	prim_set(p, "ocf", PCMK_HBD_PROVIDER, r->type);
	if (strcmp(r->type, "IPaddr") == 0 || strcmp(r->type, "IPaddr2") == 0) {
		if (r->nargs > 0)
			map_ipaddr(p, r->args[0]);
		first = 1;
	} else if (strcmp(r->type, "Filesystem") == 0) {
		names = fs;
		nnames = 4;
	} else if (strcmp(r->type, "httpd") == 0 ||
	    strcmp(r->type, "apache") == 0) {
		names = web;
		nnames = 1;
	} else if (strcmp(r->type, "Dummy") == 0) {
		names = dummy;
		nnames = 1;
	} else if (strcmp(r->type, "nfsserver") == 0) {
		if (r->nargs > 0 && (strcmp(r->args[0], "ganesha") == 0 ||
		    strcmp(r->args[0], "kernel") == 0)) {
			param(p, "server", r->args[0]);
			first = 1;
		}
		names = nfs;
		nnames = 3;
	}
	for (i = first; i < r->nargs; i++) {
		if (i - first < nnames)
			param(p, names[i - first], r->args[i]);
		else
			note(x, 1, "%s: argument %d (\"%s\") has no parameter "
			    "name in %s's meta-data; not exported", r->spec,
			    i + 1, r->args[i], r->type);
	}
}

/* heartbeat resource.d scripts that resource-agents has as OCF agents */
static int
map_heartbeat_known(struct xp_prim *p, const struct conf_rsc *r)
{
	if (strcmp(r->type, "MailTo") == 0 && r->nargs >= 1 && r->nargs <= 2) {
		prim_set(p, "ocf", "heartbeat", "MailTo");
		param(p, "email", r->args[0]);
		if (r->nargs > 1)
			param(p, "subject", r->args[1]);
		return 1;
	}
	if (strcmp(r->type, "IPsrcaddr") == 0 && r->nargs == 1) {
		prim_set(p, "ocf", "heartbeat", "IPsrcaddr");
		param(p, "ipaddress", r->args[0]);
		return 1;
	}
	if (strcmp(r->type, "Delay") == 0 && r->nargs >= 1 && r->nargs <= 2) {
		prim_set(p, "ocf", "heartbeat", "Delay");
		param(p, "startdelay", r->args[0]);
		if (r->nargs > 1)
			param(p, "stopdelay", r->args[1]);
		return 1;
	}
	return 0;
}

static void
map_rsc(struct xp *x, struct xp_group *xg, struct xp_prim *p,
    const struct conf_rsc *r)
{
	char	 id[2 * XP_ID + 256];
	int	 i;

	p->spec = r->spec;
	snprintf(id, sizeof(id), "%s-%s", xg->id, r->type);
	make_id(p->id, sizeof(p->id), "", id);
	unique_id(x, p->id, sizeof(p->id));
	if (r->kind == RSC_OCF) {
		prim_set(p, "ocf", r->provider, r->type);
		for (i = 0; i < r->nargs; i++) {
			char	*eq = strchr(r->args[i], '=');
			char	 k[64];
			size_t	 kl = (size_t)(eq - r->args[i]);

			if (kl >= sizeof(k))
				kl = sizeof(k) - 1;
			memcpy(k, r->args[i], kl);
			k[kl] = '\0';
			param(p, k, eq + 1);
		}
		return;
	}
	if (r->kind == RSC_LSB) {
		prim_set(p, "lsb", NULL, r->type);
		if (r->nargs > 0)
			note(x, 1, "%s: /etc/init.d/%s takes no arguments as an "
			    "lsb: resource; its %d argument(s) are not "
			    "exported", r->spec, r->type, r->nargs);
		return;
	}
	if (is_hbd_agent(r->type)) {
		map_hbd_agent(x, p, r);
		if (r->kind == RSC_HEARTBEAT && r->path)
			note(x, 0, "%s: resolved to %s by hbd; exported as "
			    "hbd's agent ocf:%s:%s", r->spec, r->path,
			    PCMK_HBD_PROVIDER, r->type);
		return;
	}
	if (map_heartbeat_known(p, r)) {
		note(x, 0, "%s: heartbeat resource.d script exported as "
		    "resource-agents' ocf:heartbeat:%s (check its parameters)",
		    r->spec, p->type);
		return;
	}
	if (r->nargs == 0) {
		prim_set(p, "lsb", NULL, r->type);
		note(x, 0, "%s: a heartbeat resource.d script without "
		    "arguments, exported as lsb:%s: install it as "
		    "/etc/init.d/%s on every node (it must answer "
		    "start, stop and status)", r->spec, r->type, r->type);
		return;
	}
	if (strcmp(r->type, "drbddisk") == 0)
		p->skip = skipf("%s: heartbeat's drbddisk has no one-to-one "
		    "Pacemaker form: use a promotable clone of ocf:linbit:drbd "
		    "(drbd_resource=%s) with this group colocated with and "
		    "ordered after its promoted instance", r->spec, r->args[0]);
	else
		p->skip = skipf("%s: heartbeat resource.d script %s takes "
		    "arguments; Pacemaker has no class for that: write an OCF "
		    "agent (or an LSB script) for it and add it to this group "
		    "at this position", r->spec, r->type);
	note(x, 1, "NOT EXPORTED: %s", p->skip);
}

static void
build_groups(struct xp *x)
{
	const struct conf	*c = x->c;
	int			 gi, ri;

	x->groups = xcalloc((size_t)c->ngroups + 1, sizeof(*x->groups));
	x->ngroups = c->ngroups;
	for (gi = 0; gi < c->ngroups; gi++) {
		struct xp_group		*xg = &x->groups[gi];
		const struct conf_group	*g = &c->groups[gi];

		xg->g = g;
		make_idn(xg->id, sizeof(xg->id), "hbd-", g->name, 32);
		unique_id(x, xg->id, sizeof(xg->id));
		xg->prim = xcalloc((size_t)g->nrsc + 1, sizeof(*xg->prim));
		xg->nprim = g->nrsc;
		for (ri = 0; ri < g->nrsc; ri++) {
			map_rsc(x, xg, &xg->prim[ri], &g->rsc[ri]);
			if (xg->prim[ri].skip == NULL)
				xg->nexported++;
		}
		if (xg->nexported == 0)
			note(x, 1, "NOT EXPORTED: group %s (haresources line %d):"
			    " none of its resources maps, so neither the group "
			    "nor its constraints are exported", g->name,
			    g->line);
	}
}

static void
build_ping(struct xp *x)
{
	const struct conf	*c = x->c;
	struct buf		 b;
	char			 a[INET_ADDRSTRLEN], t[32];
	int			 i, j, groups = 0;

	if (c->npings == 0)
		return;
	buf_init(&b);
	for (i = 0; i < c->npings; i++) {
		groups += c->pings[i].is_group;
		for (j = 0; j < c->pings[i].naddr; j++) {
			inet_ntop(AF_INET, &c->pings[i].addr[j], a, sizeof(a));
			if (b.len)
				buf_addc(&b, ' ');
			buf_adds(&b, a);
		}
	}
	x->have_ping = 1;
	hbd_strlcpy(x->ping.id, "hbd-ping", sizeof(x->ping.id));
	unique_id(x, x->ping.id, sizeof(x->ping.id));
	prim_set(&x->ping, "ocf", "pacemaker", "ping");
	param(&x->ping, "host_list", buf_cstr(&b));
	param(&x->ping, "multiplier", "1000");
	param(&x->ping, "dampen", dur(c->deadping_ms, t, sizeof(t)));
	buf_free(&b);
	note(x, 0, "ping nodes: an ocf:pacemaker:ping clone sets the node "
	    "attribute pingd (1000 per reachable address); every group is "
	    "banned from a node where pingd is undefined or 0, the rule hbd "
	    "applies when a node loses all its ping nodes");
	if (groups)
		note(x, 0, "ping_group: hbd counts a group as one reachable "
		    "node when any member answers; the ping agent counts every "
		    "address (the ban rule, pingd = 0, is the same)");
}

/* "--ip=1.2.3.4" -> ip=1.2.3.4, "--lanplus" -> lanplus=1 */
static void
map_fence_args(struct xp *x, struct xp_prim *p, int from)
{
	const struct conf	*c = x->c;
	int			 i;

	for (i = from; i < c->fence_argc; i++) {
		const char	*a = c->fence_argv[i], *eq;
		char		 k[64];
		size_t		 kl, j;

		if (strncmp(a, "--", 2) != 0 || a[2] == '\0') {
			note(x, 1, "fence: argument \"%s\" is not a --name=value"
			    " option and has no stonith parameter name; not "
			    "exported", a);
			continue;
		}
		a += 2;
		eq = strchr(a, '=');
		kl = eq ? (size_t)(eq - a) : strlen(a);
		if (kl >= sizeof(k))
			kl = sizeof(k) - 1;
		memcpy(k, a, kl);
		k[kl] = '\0';
		for (j = 0; j < kl; j++)
			if (k[j] == '-')
				k[j] = '_';
		if (eq)
			param(p, k, eq + 1);
		else if (i + 1 < c->fence_argc &&
		    strncmp(c->fence_argv[i + 1], "-", 1) != 0)
			param(p, k, c->fence_argv[++i]);
		else
			param(p, k, "1");
	}
}

static void
host_list(const struct conf *c, char *out, size_t len)
{
	int	 i;

	out[0] = '\0';
	for (i = 0; i < c->nnodes; i++) {
		if (i)
			strncat(out, " ", len - strlen(out) - 1);
		strncat(out, c->nodes[i], len - strlen(out) - 1);
	}
}

static void
build_fence_program(struct xp *x)
{
	const struct conf	*c = x->c;
	struct xp_prim		*p = &x->fence[x->nfence++];
	const char		*base = strrchr(c->fence_argv[0], '/');
	char			 hosts[2 * HBD_MAX_NAME + 2];
	struct buf		 b;
	int			 i, spaces = 0;

	base = base ? base + 1 : c->fence_argv[0];
	host_list(c, hosts, sizeof(hosts));
	if (strncmp(base, "fence_", 6) == 0 && strcmp(base, "fence_hbd")) {
		make_id(p->id, sizeof(p->id), "hbd-fence-", base + 6);
		unique_id(x, p->id, sizeof(p->id));
		prim_set(p, "stonith", NULL, base);
		map_fence_args(x, p, 1);
		param(p, "pcmk_host_list", hosts);
		note(x, 0, "fence %s: exported as stonith:%s; its --options "
		    "became parameters (check them against `%s -o "
		    "metadata`)", c->fence_argv[0], base, base);
		x->nstonith++;
		return;
	}
	/* any other program: hbd's fence_hbd runs it as hbd would */
	buf_init(&b);
	for (i = 0; i < c->fence_argc; i++) {
		if (strpbrk(c->fence_argv[i], " \t'\"\\"))
			spaces = 1;
		if (i)
			buf_addc(&b, ' ');
		buf_adds(&b, c->fence_argv[i]);
	}
	hbd_strlcpy(p->id, "hbd-fence", sizeof(p->id));
	unique_id(x, p->id, sizeof(p->id));
	prim_set(p, "stonith", NULL, "fence_hbd");
	param(p, "program", buf_cstr(&b));
	param(p, "pcmk_host_list", hosts);
	buf_free(&b);
	note(x, 0, "fence %s: exported as stonith:fence_hbd, which runs "
	    "\"PROGRAM off NODE\" as hbd does; install hbd (it puts "
	    "fence_hbd in /usr/sbin) on every cluster node", c->fence_argv[0]);
	if (spaces)
		note(x, 1, "fence: an argument holds a space or quote; "
		    "fence_hbd splits its program parameter at blanks, so check "
		    "the exported program parameter");
	x->nstonith++;
}

static void
build_stonith_host(struct xp *x, const struct conf_stonith *s)
{
	struct xp_prim	*p;
	int		 i, has_file = 0;

	if (x->nfence == XP_MAX_FENCE)
		return;
	p = &x->fence[x->nfence++];
	for (i = 0; i < s->nparams; i++)
		if (strncmp(s->params[i], "-F", 2) == 0)
			has_file = 1;
	if (strcmp(s->type, "external/ipmi") == 0 && s->nparams >= 4 &&
	    !has_file) {
		/* hostname ipaddr userid passwd [interface] */
		make_id(p->id, sizeof(p->id), "hbd-fence-ipmi-",
		    s->params[0]);
		unique_id(x, p->id, sizeof(p->id));
		prim_set(p, "stonith", NULL, "fence_ipmilan");
		param(p, "ip", s->params[1]);
		param(p, "username", s->params[2]);
		param(p, "password", s->params[3]);
		if (s->nparams > 4 && strcmp(s->params[4], "lanplus") == 0)
			param(p, "lanplus", "1");
		param(p, "pcmk_host_list", s->params[0]);
		hbd_strlcpy(p->avoid, s->params[0], sizeof(p->avoid));
		note(x, 0, "stonith_host %s external/ipmi %s: exported as "
		    "stonith:fence_ipmilan, kept off the node it fences",
		    s->from, s->params[0]);
		if (strcmp(s->from, "*") != 0)
			note(x, 0, "stonith_host %s: Pacemaker lets any node "
			    "use a device; \"from %s\" is not exported",
			    s->from, s->from);
		x->nstonith++;
		return;
	}
	{
		struct buf	 b;

		buf_init(&b);
		for (i = 0; i < s->nparams; i++)
			buf_printf(&b, " %s", s->params[i]);
		p->skip = skipf("stonith_host %s %s%s (line %d): the "
		    "cluster-glue plugin %s has no fence_* mapping here%s; "
		    "configure the matching fence agent (fence_* -o metadata) "
		    "by hand", s->from, s->type, b.data ? b.data : "",
		    s->line, s->type, has_file ? " (its parameters are in a "
		    "-F file)" : "");
		buf_free(&b);
	}
	note(x, 1, "NOT EXPORTED: %s", p->skip);
}

static void
build_fencing(struct xp *x)
{
	const struct conf	*c = x->c;
	int			 i;

	if (c->fence_argc > 0) {
		build_fence_program(x);
		if (c->nstonith)
			note(x, 0, "stonith_host lines are ignored: hbd uses "
			    "the fence program when both are given, and so "
			    "does the export");
	} else
		for (i = 0; i < c->nstonith; i++)
			build_stonith_host(x, &c->stonith[i]);
	if (x->nstonith == 0) {
		int	 shared = 0, gi, ri;

		for (gi = 0; gi < c->ngroups; gi++)
			for (ri = 0; ri < c->groups[gi].nrsc; ri++)
				shared |= c->groups[gi].rsc[ri].needs_fence;
		note(x, 0, "no fencing device: stonith-enabled=false%s",
		    shared ? ". A group holds shared data (Filesystem): "
		    "Pacemaker, like hbd, cannot keep a partition from "
		    "mounting it twice without fencing; add a stonith device "
		    "before production" : "");
	}
	if (x->nstonith && c->fence_delay_ms)
		note(x, 0, "fence_delay: priority-fencing-delay with "
		    "priority=1 on every group, so in a split the node holding "
		    "the groups is fenced last, as hbd's preferred side wins");
}

static void
build_notes(struct xp *x)
{
	const struct conf	*c = x->c;
	char			 t1[32], t2[32];
	int			 i, serial = 0, disk = 0;

	if (c->nnodes == 2)
		note(x, 0, "two nodes: corosync needs quorum { two_node: 1 } "
		    "(in the corosync.conf skeleton); add a third node and "
		    "remove two_node for real quorum");
	switch (c->auto_failback) {
	case FAILBACK_ON:
		x->stickiness = "0";
		note(x, 0, "auto_failback on: resource-stickiness=0, so a "
		    "group returns to its preferred node (location score 100)");
		break;
	case FAILBACK_LEGACY:
		x->stickiness = "0";
		note(x, 0, "auto_failback legacy: hbd treats it as on; "
		    "resource-stickiness=0");
		break;
	case FAILBACK_OFF:
		x->stickiness = "INFINITY";
		note(x, 0, "auto_failback off: resource-stickiness=INFINITY, "
		    "so a group stays where it runs until that node fails");
		break;
	}
	note(x, 0, "deadtime %s -> corosync totem token (keepalive %s has "
	    "no separate setting: knet sends its own heartbeats)",
	    dur(c->deadtime_ms, t1, sizeof(t1)),
	    dur(c->keepalive_ms, t2, sizeof(t2)));
	note(x, 0, "max_restarts %d in restart_window %us -> "
	    "migration-threshold=%d, failure-timeout=%us", c->max_restarts,
	    c->restart_window_ms / 1000, c->max_restarts + 1,
	    c->restart_window_ms / 1000);
	for (i = 0; i < c->nmedia; i++) {
		serial |= c->media[i].type == MEDIUM_SERIAL;
		disk |= c->media[i].type == MEDIUM_DISK;
	}
	if (serial)
		note(x, 1, "serial heartbeat links have no corosync "
		    "equivalent (knet links are IP only); not exported");
	if (disk)
		note(x, 1, "the disk heartbeat (SBD-style slots) is not "
		    "exported: use sbd with its own device and watchdog");
	if (c->watchdog)
		note(x, 1, "watchdog %s is not exported (sbd or corosync's "
		    "watchdog_device do that job)", c->watchdog);
	for (i = 0; i < c->nrespawn; i++)
		if (!c->respawn[i].builtin)
			note(x, 1, "respawn %s %s is not exported (run it as a "
			    "systemd unit, or as an ocf:heartbeat:anything "
			    "clone)", c->respawn[i].user, c->respawn[i].argv[0]);
		else
			note(x, 0, "respawn %s: ipfail's job is the ping rule",
			    c->respawn[i].argv[0]);
	if (c->nenv)
		note(x, 1, "env: the %d agent environment variable(s) are not "
		    "exported (Pacemaker passes only OCF_RESKEY_ parameters)",
		    c->nenv);
	if (c->nresource_dirs)
		note(x, 0, "resource_path is not exported: Pacemaker finds "
		    "agents under its OCF root and /etc/init.d only");
	if (c->initdead_ms)
		note(x, 0, "initdead has no Pacemaker setting "
		    "(dc-deadtime is the nearest)");
	note(x, 0, "authkeys: corosync uses its own key "
	    "(corosync-keygen writes /etc/corosync/authkey; copy it to every "
	    "node)");
}

static void
xp_build(struct xp *x, const struct conf *c)
{
	memset(x, 0, sizeof(*x));
	x->c = c;
	x->stickiness = "0";
	build_notes(x);
	build_groups(x);
	build_ping(x);
	build_fencing(x);
}

static void
xp_free(struct xp *x)
{
	int	 i, j;

	for (i = 0; i < x->ngroups; i++) {
		for (j = 0; j < x->groups[i].nprim; j++)
			prim_free(&x->groups[i].prim[j]);
		free(x->groups[i].prim);
	}
	free(x->groups);
	prim_free(&x->ping);
	for (i = 0; i < x->nfence; i++)
		prim_free(&x->fence[i]);
	for (i = 0; i < x->nnotes; i++)
		free(x->notes[i]);
}

/* ------------------------------------------------------------ quoting */

static void
xml_attr(struct buf *b, const char *s)
{
	for (; *s; s++)
		switch (*s) {
		case '&': buf_adds(b, "&amp;"); break;
		case '<': buf_adds(b, "&lt;"); break;
		case '>': buf_adds(b, "&gt;"); break;
		case '"': buf_adds(b, "&quot;"); break;
		case '\'': buf_adds(b, "&apos;"); break;
		case '\n': buf_adds(b, "&#10;"); break;
		default:
			if ((unsigned char)*s < 0x20 && *s != '\t')
				buf_addc(b, '?');
			else
				buf_addc(b, *s);
		}
}

/* a comment's text may not hold "--" nor end in "-" */
static void
xml_comment(struct buf *b, const char *indent, const char *s)
{
	buf_printf(b, "%s<!-- ", indent);
	for (; *s; s++) {
		if (*s == '-' && (s[1] == '-' || s[1] == '\0'))
			buf_adds(b, "- ");
		else if ((unsigned char)*s < 0x20)
			buf_addc(b, ' ');
		else
			buf_addc(b, *s);
	}
	buf_adds(b, " -->\n");
}

static int
sh_plain(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s; s++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "0123456789_./:=@%+,-", *s))
			return 0;
	return 1;
}

/* one shell word (pcs) */
static void
sh_word(struct buf *b, const char *s)
{
	if (sh_plain(s)) {
		buf_adds(b, s);
		return;
	}
	buf_addc(b, '\'');
	for (; *s; s++)
		if (*s == '\'')
			buf_adds(b, "'\\''");
		else
			buf_addc(b, *s);
	buf_addc(b, '\'');
}

/* name=value as one shell word */
static void
sh_kv(struct buf *b, const char *k, const char *v)
{
	char	*kv;
	size_t	 n = strlen(k) + strlen(v) + 2;

	kv = xcalloc(1, n);
	snprintf(kv, n, "%s=%s", k, v);
	sh_word(b, kv);
	free(kv);
}

/* crmsh: name=value, double-quoted when needed */
static void
crm_kv(struct buf *b, const char *k, const char *v)
{
	buf_printf(b, "%s=", k);
	if (sh_plain(v)) {
		buf_adds(b, v);
		return;
	}
	buf_addc(b, '"');
	for (; *v; v++) {
		if (*v == '"' || *v == '\\')
			buf_addc(b, '\\');
		buf_addc(b, *v);
	}
	buf_addc(b, '"');
}

/*
 * A "#" comment line. crmsh keeps these as XML comments, which may not
 * hold "--" nor end in "-", so neither do they.
 */
static void
line_comment(struct buf *b, const char *prefix, const char *s)
{
	buf_adds(b, prefix);
	for (; *s; s++) {
		if (*s == '-' && (s[1] == '-' || s[1] == '\0'))
			buf_adds(b, "- ");
		else
			buf_addc(b, *s == '\n' ? ' ' : *s);
	}
	buf_addc(b, '\n');
}

static void
header(struct buf *b, const struct xp *x, const char *what, int xml)
{
	const struct conf	*c = x->c;
	char			 line[2200];
	int			 i;

	snprintf(line, sizeof(line), "%s exported by hbd %s from %s%s%s",
	    what, PACKAGE_VERSION, c->conf_path ? c->conf_path :
	    (c->hacf_path ? c->hacf_path : "?"),
	    c->conf_path ? "" : " and ", c->conf_path ? "" :
	    (c->haresources_path ? c->haresources_path : "?"));
	if (xml)
		xml_comment(b, "", line);
	else
		line_comment(b, "# ", line);
	snprintf(line, sizeof(line), "%d thing(s) did not map (NOT EXPORTED "
	    "below); notes:", x->unmapped);
	if (xml)
		xml_comment(b, "", line);
	else
		line_comment(b, "# ", line);
	for (i = 0; i < x->nnotes; i++) {
		snprintf(line, sizeof(line), "- %s", x->notes[i]);
		if (xml)
			xml_comment(b, "", line);
		else
			line_comment(b, "#  - ", x->notes[i]);
	}
}

/* the hbd op set: monitor, start, stop with hbd's timeouts */
struct xp_op {
	const char	*name;
	char		 interval[32];
	char		 timeout[32];
};

static int
prim_ops(const struct xp *x, const struct xp_prim *p, struct xp_op *ops)
{
	const struct conf	*c = x->c;
	int			 n = 0;

	if (strcmp(p->cls, "stonith") == 0) {
		ops[n].name = "monitor";
		dur(60000, ops[n].interval, sizeof(ops[n].interval));
		dur(c->fence_timeout_ms, ops[n].timeout, sizeof(ops[n].timeout));
		return ++n;
	}
	if (c->monitor_interval_ms > 0) {
		ops[n].name = "monitor";
		dur(c->monitor_interval_ms, ops[n].interval,
		    sizeof(ops[n].interval));
		dur(c->monitor_timeout_ms, ops[n].timeout,
		    sizeof(ops[n].timeout));
		n++;
	}
	ops[n].name = "start";
	strcpy(ops[n].interval, "0s");
	dur(c->start_timeout_ms, ops[n].timeout, sizeof(ops[n].timeout));
	n++;
	ops[n].name = "stop";
	strcpy(ops[n].interval, "0s");
	dur(c->stop_timeout_ms, ops[n].timeout, sizeof(ops[n].timeout));
	n++;
	return n;
}

/* ---------------------------------------------------------------- CIB */

static void
cib_nvpair(struct buf *b, const char *ind, const char *set, const char *n,
    const char *v)
{
	char	 id[2 * XP_ID];

	snprintf(id, sizeof(id), "%s-%s", set, n);
	make_id(id, sizeof(id), "", id);
	buf_printf(b, "%s<nvpair id=\"", ind);
	xml_attr(b, id);
	buf_adds(b, "\" name=\"");
	xml_attr(b, n);
	buf_adds(b, "\" value=\"");
	xml_attr(b, v);
	buf_adds(b, "\"/>\n");
}

static void
cib_prim(struct buf *b, const struct xp *x, const struct xp_prim *p,
    const char *ind, int priority)
{
	struct xp_op	 ops[3];
	char		 set[2 * XP_ID], in2[32], in3[32];
	int		 i, n;

	snprintf(in2, sizeof(in2), "%s  ", ind);
	snprintf(in3, sizeof(in3), "%s    ", ind);
	if (p->skip) {
		xml_comment(b, ind, "NOT EXPORTED");
		xml_comment(b, ind, p->skip);
		return;
	}
	buf_printf(b, "%s<primitive id=\"", ind);
	xml_attr(b, p->id);
	buf_printf(b, "\" class=\"%s\"", p->cls);
	if (p->provider[0]) {
		buf_adds(b, " provider=\"");
		xml_attr(b, p->provider);
		buf_addc(b, '"');
	}
	buf_adds(b, " type=\"");
	xml_attr(b, p->type);
	buf_addc(b, '"');
	if (p->spec) {
		buf_adds(b, " description=\"haresources: ");
		xml_attr(b, p->spec);
		buf_addc(b, '"');
	}
	buf_adds(b, ">\n");
	if (p->np) {
		snprintf(set, sizeof(set), "%s-instance_attributes", p->id);
		buf_printf(b, "%s<instance_attributes id=\"", in2);
		xml_attr(b, set);
		buf_adds(b, "\">\n");
		for (i = 0; i < p->np; i++)
			cib_nvpair(b, in3, set, p->p[i].name, p->p[i].value);
		buf_printf(b, "%s</instance_attributes>\n", in2);
	}
	if (priority) {
		snprintf(set, sizeof(set), "%s-meta_attributes", p->id);
		buf_printf(b, "%s<meta_attributes id=\"", in2);
		xml_attr(b, set);
		buf_adds(b, "\">\n");
		cib_nvpair(b, in3, set, "priority", "1");
		buf_printf(b, "%s</meta_attributes>\n", in2);
	}
	n = prim_ops(x, p, ops);
	buf_printf(b, "%s<operations>\n", in2);
	for (i = 0; i < n; i++) {
		char	 id[2 * XP_ID];

		snprintf(id, sizeof(id), "%s-%s-interval-%s", p->id,
		    ops[i].name, ops[i].interval);
		buf_printf(b, "%s<op id=\"", in3);
		xml_attr(b, id);
		buf_printf(b, "\" name=\"%s\" interval=\"%s\" timeout=\"%s\"/>\n",
		    ops[i].name, ops[i].interval, ops[i].timeout);
	}
	buf_printf(b, "%s</operations>\n", in2);
	buf_printf(b, "%s</primitive>\n", ind);
}

static int
use_priority(const struct xp *x)
{
	return x->nstonith && x->c->fence_delay_ms > 0;
}

static void
render_cib(struct buf *b, const struct xp *x)
{
	const struct conf	*c = x->c;
	char			 t[32], id[2 * XP_ID];
	int			 i, j;

	buf_adds(b, "<?xml version=\"1.0\"?>\n");
	header(b, x, "Pacemaker CIB", 1);
	xml_comment(b, "", "check with crm_verify -x THIS-FILE; load with "
	    "cibadmin -R -x THIS-FILE (see hbd's docs/pacemaker.md)");
	buf_adds(b, "<cib validate-with=\"pacemaker-3.0\" epoch=\"1\" "
	    "num_updates=\"0\" admin_epoch=\"0\">\n");
	buf_adds(b, "  <configuration>\n    <crm_config>\n");
	buf_adds(b, "      <cluster_property_set id=\"cib-bootstrap-options\">"
	    "\n");
	cib_nvpair(b, "        ", "cib-bootstrap-options", "stonith-enabled",
	    x->nstonith ? "true" : "false");
	if (x->nstonith) {
		cib_nvpair(b, "        ", "cib-bootstrap-options",
		    "stonith-timeout", dur(c->fence_timeout_ms + 10000, t,
		    sizeof(t)));
		if (c->fence_delay_ms)
			cib_nvpair(b, "        ", "cib-bootstrap-options",
			    "priority-fencing-delay", dur(c->fence_delay_ms, t,
			    sizeof(t)));
	}
	buf_adds(b, "      </cluster_property_set>\n    </crm_config>\n");
	buf_adds(b, "    <nodes>\n");
	for (i = 0; i < c->nnodes; i++) {
		buf_printf(b, "      <node id=\"%d\" uname=\"", i + 1);
		xml_attr(b, c->nodes[i]);
		buf_adds(b, "\"/>\n");
	}
	buf_adds(b, "    </nodes>\n    <resources>\n");
	for (i = 0; i < x->ngroups; i++) {
		const struct xp_group	*g = &x->groups[i];

		if (g->nexported == 0) {
			snprintf(id, sizeof(id), "NOT EXPORTED: group %s",
			    g->g->name);
			xml_comment(b, "      ", id);
			for (j = 0; j < g->nprim; j++)
				cib_prim(b, x, &g->prim[j], "      ", 0);
			continue;
		}
		buf_adds(b, "      <group id=\"");
		xml_attr(b, g->id);
		buf_adds(b, "\" description=\"hbd group ");
		xml_attr(b, g->g->name);
		buf_adds(b, "\">\n");
		for (j = 0; j < g->nprim; j++)
			cib_prim(b, x, &g->prim[j], "        ",
			    use_priority(x));
		buf_adds(b, "      </group>\n");
	}
	if (x->have_ping) {
		buf_adds(b, "      <clone id=\"");
		xml_attr(b, x->ping.id);
		buf_adds(b, "-clone\">\n");
		cib_prim(b, x, &x->ping, "        ", 0);
		buf_adds(b, "      </clone>\n");
	}
	for (i = 0; i < x->nfence; i++)
		cib_prim(b, x, &x->fence[i], "      ", 0);
	buf_adds(b, "    </resources>\n    <constraints>\n");
	for (i = 0; i < x->ngroups; i++) {
		const struct xp_group	*g = &x->groups[i];
		const char		*pref = c->nodes[g->g->preferred];

		if (g->nexported == 0)
			continue;
		snprintf(id, sizeof(id), "%s-prefers-%s", g->id, pref);
		make_id(id, sizeof(id), "", id);
		buf_adds(b, "      <rsc_location id=\"");
		xml_attr(b, id);
		buf_adds(b, "\" rsc=\"");
		xml_attr(b, g->id);
		buf_adds(b, "\" node=\"");
		xml_attr(b, pref);
		buf_adds(b, "\" score=\"100\"/>\n");
		if (!x->have_ping)
			continue;
		snprintf(id, sizeof(id), "%s-needs-ping", g->id);
		buf_adds(b, "      <rsc_location id=\"");
		xml_attr(b, id);
		buf_adds(b, "\" rsc=\"");
		xml_attr(b, g->id);
		buf_adds(b, "\">\n        <rule id=\"");
		xml_attr(b, id);
		buf_adds(b, "-rule\" score=\"-INFINITY\" boolean-op=\"or\">\n"
		    "          <expression id=\"");
		xml_attr(b, id);
		buf_adds(b, "-undefined\" attribute=\"pingd\" "
		    "operation=\"not_defined\"/>\n          <expression id=\"");
		xml_attr(b, id);
		buf_adds(b, "-zero\" attribute=\"pingd\" operation=\"lte\" "
		    "value=\"0\" type=\"number\"/>\n        </rule>\n"
		    "      </rsc_location>\n");
	}
	for (i = 0; i < x->nfence; i++) {
		const struct xp_prim	*p = &x->fence[i];

		if (p->skip || !p->avoid[0])
			continue;
		snprintf(id, sizeof(id), "%s-not-on-%s", p->id, p->avoid);
		make_id(id, sizeof(id), "", id);
		buf_adds(b, "      <rsc_location id=\"");
		xml_attr(b, id);
		buf_adds(b, "\" rsc=\"");
		xml_attr(b, p->id);
		buf_adds(b, "\" node=\"");
		xml_attr(b, p->avoid);
		buf_adds(b, "\" score=\"-INFINITY\"/>\n");
	}
	buf_adds(b, "    </constraints>\n    <rsc_defaults>\n"
	    "      <meta_attributes id=\"rsc-options\">\n");
	cib_nvpair(b, "        ", "rsc-options", "resource-stickiness",
	    x->stickiness);
	snprintf(t, sizeof(t), "%d", c->max_restarts + 1);
	cib_nvpair(b, "        ", "rsc-options", "migration-threshold", t);
	cib_nvpair(b, "        ", "rsc-options", "failure-timeout",
	    dur(c->restart_window_ms, t, sizeof(t)));
	buf_adds(b, "      </meta_attributes>\n    </rsc_defaults>\n"
	    "  </configuration>\n  <status/>\n</cib>\n");
}

/* ---------------------------------------------------------------- pcs */

/* "2500ms": pcs validates cluster properties in whole time units only */
static int
is_ms(const char *s)
{
	size_t	 n = strlen(s), i;

	if (n < 3 || strcmp(s + n - 2, "ms") != 0)
		return 0;
	for (i = 0; i + 2 < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

static void
pcs_property(struct buf *b, const char *name, const char *value)
{
	if (is_ms(value))
		buf_printf(b, "# pcs checks properties in whole seconds; "
		    "--force keeps %s, which Pacemaker takes\n"
		    "pcs -f \"$CIB\" property set --force %s=%s\n", value,
		    name, value);
	else
		buf_printf(b, "pcs -f \"$CIB\" property set %s=%s\n", name,
		    value);
}

static void
pcs_prim(struct buf *b, const struct xp *x, const struct xp_prim *p,
    const char *group, int clone)
{
	struct xp_op	 ops[3];
	int		 i, n;

	if (p->skip) {
		line_comment(b, "# NOT EXPORTED: ", p->skip);
		return;
	}
	if (p->spec)
		line_comment(b, "# haresources: ", p->spec);
	if (strcmp(p->cls, "stonith") == 0) {
		buf_adds(b, "pcs -f \"$CIB\" stonith create ");
		sh_word(b, p->id);
		buf_printf(b, " %s", p->type);
	} else {
		buf_adds(b, "pcs -f \"$CIB\" resource create ");
		sh_word(b, p->id);
		buf_printf(b, " %s:", p->cls);
		if (p->provider[0])
			buf_printf(b, "%s:", p->provider);
		buf_adds(b, p->type);
	}
	for (i = 0; i < p->np; i++) {
		buf_adds(b, " \\\n    ");
		sh_kv(b, p->p[i].name, p->p[i].value);
	}
	n = prim_ops(x, p, ops);
	buf_adds(b, " \\\n    op");
	for (i = 0; i < n; i++)
		buf_printf(b, " %s interval=%s timeout=%s", ops[i].name,
		    ops[i].interval, ops[i].timeout);
	if (group && use_priority(x))
		buf_adds(b, " \\\n    meta priority=1");
	if (group) {
		buf_adds(b, " \\\n    --group ");
		sh_word(b, group);
	}
	if (clone)
		buf_adds(b, " \\\n    clone");
	/* hbd's ops only, not the agent's advertised defaults as well */
	if (strcmp(p->cls, "stonith") != 0)
		buf_adds(b, " \\\n    --no-default-ops");
	buf_addc(b, '\n');
}

static void
render_pcs(struct buf *b, const struct xp *x)
{
	const struct conf	*c = x->c;
	char			 t[32];
	int			 i, j;

	buf_adds(b, "#!/bin/sh\n");
	header(b, x, "pcs commands", 0);
	buf_adds(b, "# They edit a copy of the CIB and push it in one step.\n"
	    "set -e\nCIB=${CIB:-hbd-export.xml}\n"
	    "pcs cluster cib \"$CIB\"\n");
	pcs_property(b, "stonith-enabled", x->nstonith ? "true" : "false");
	if (x->nstonith) {
		pcs_property(b, "stonith-timeout",
		    dur(c->fence_timeout_ms + 10000, t, sizeof(t)));
		if (c->fence_delay_ms)
			pcs_property(b, "priority-fencing-delay",
			    dur(c->fence_delay_ms, t, sizeof(t)));
	}
	buf_printf(b, "pcs -f \"$CIB\" resource defaults update "
	    "resource-stickiness=%s migration-threshold=%d ",
	    x->stickiness, c->max_restarts + 1);
	buf_printf(b, "failure-timeout=%s\n", dur(c->restart_window_ms, t,
	    sizeof(t)));
	for (i = 0; i < x->ngroups; i++) {
		const struct xp_group	*g = &x->groups[i];

		buf_printf(b, "\n# group %s (haresources line %d), in order\n",
		    g->g->name, g->g->line);
		if (g->nexported == 0)
			line_comment(b, "# NOT EXPORTED: group ", g->g->name);
		for (j = 0; j < g->nprim; j++)
			pcs_prim(b, x, &g->prim[j],
			    g->nexported ? g->id : NULL, 0);
		if (g->nexported == 0)
			continue;
		buf_adds(b, "pcs -f \"$CIB\" constraint location ");
		sh_word(b, g->id);
		buf_adds(b, " prefers ");
		sh_kv(b, c->nodes[g->g->preferred], "100");
		buf_addc(b, '\n');
	}
	if (x->have_ping) {
		buf_adds(b, "\n# ping nodes\n");
		pcs_prim(b, x, &x->ping, NULL, 1);
		for (i = 0; i < x->ngroups; i++) {
			if (x->groups[i].nexported == 0)
				continue;
			buf_adds(b, "pcs -f \"$CIB\" constraint location ");
			sh_word(b, x->groups[i].id);
			buf_adds(b, " rule score=-INFINITY not_defined pingd "
			    "or pingd lte 0\n");
		}
	}
	if (x->nfence)
		buf_adds(b, "\n# fencing\n");
	for (i = 0; i < x->nfence; i++) {
		pcs_prim(b, x, &x->fence[i], NULL, 0);
		if (!x->fence[i].skip && x->fence[i].avoid[0]) {
			buf_adds(b, "pcs -f \"$CIB\" constraint location ");
			sh_word(b, x->fence[i].id);
			buf_adds(b, " avoids ");
			sh_word(b, x->fence[i].avoid);
			buf_addc(b, '\n');
		}
	}
	buf_adds(b, "\npcs cluster cib-push \"$CIB\" --config\n");
}

/* ---------------------------------------------------------------- crm */

static void
crm_prim(struct buf *b, const struct xp *x, const struct xp_prim *p,
    int priority)
{
	struct xp_op	 ops[3];
	int		 i, n;

	if (p->skip) {
		line_comment(b, "# NOT EXPORTED: ", p->skip);
		return;
	}
	if (p->spec)
		line_comment(b, "# haresources: ", p->spec);
	buf_printf(b, "primitive %s %s:", p->id, p->cls);
	if (p->provider[0])
		buf_printf(b, "%s:", p->provider);
	buf_adds(b, p->type);
	if (p->np) {
		buf_adds(b, " \\\n\tparams");
		for (i = 0; i < p->np; i++) {
			buf_addc(b, ' ');
			crm_kv(b, p->p[i].name, p->p[i].value);
		}
	}
	n = prim_ops(x, p, ops);
	for (i = 0; i < n; i++)
		buf_printf(b, " \\\n\top %s interval=%s timeout=%s",
		    ops[i].name, ops[i].interval, ops[i].timeout);
	if (priority)
		buf_adds(b, " \\\n\tmeta priority=1");
	buf_addc(b, '\n');
}

static void
render_crm(struct buf *b, const struct xp *x)
{
	const struct conf	*c = x->c;
	char			 t[32];
	int			 i, j;

	header(b, x, "crm configure commands", 0);
	buf_adds(b, "# Load with: crm configure load update THIS-FILE\n");
	buf_printf(b, "property stonith-enabled=%s",
	    x->nstonith ? "true" : "false");
	if (x->nstonith) {
		buf_printf(b, " stonith-timeout=%s",
		    dur(c->fence_timeout_ms + 10000, t, sizeof(t)));
		if (c->fence_delay_ms)
			buf_printf(b, " priority-fencing-delay=%s",
			    dur(c->fence_delay_ms, t, sizeof(t)));
	}
	buf_printf(b, "\nrsc_defaults resource-stickiness=%s "
	    "migration-threshold=%d ", x->stickiness, c->max_restarts + 1);
	buf_printf(b, "failure-timeout=%s\n", dur(c->restart_window_ms, t,
	    sizeof(t)));
	for (i = 0; i < x->ngroups; i++) {
		const struct xp_group	*g = &x->groups[i];

		buf_printf(b, "\n# group %s (haresources line %d), in order\n",
		    g->g->name, g->g->line);
		for (j = 0; j < g->nprim; j++)
			crm_prim(b, x, &g->prim[j], use_priority(x));
		if (g->nexported == 0) {
			line_comment(b, "# NOT EXPORTED: group ", g->g->name);
			continue;
		}
		buf_printf(b, "group %s", g->id);
		for (j = 0; j < g->nprim; j++)
			if (!g->prim[j].skip)
				buf_printf(b, " %s", g->prim[j].id);
		buf_printf(b, "\nlocation %s-prefers-%s %s 100: %s\n", g->id,
		    c->nodes[g->g->preferred], g->id,
		    c->nodes[g->g->preferred]);
	}
	if (x->have_ping) {
		buf_adds(b, "\n# ping nodes\n");
		crm_prim(b, x, &x->ping, 0);
		buf_printf(b, "clone %s-clone %s\n", x->ping.id, x->ping.id);
		for (i = 0; i < x->ngroups; i++)
			if (x->groups[i].nexported)
				buf_printf(b, "location %s-needs-ping %s rule "
				    "-inf: not_defined pingd or pingd lte 0\n",
				    x->groups[i].id, x->groups[i].id);
	}
	if (x->nfence)
		buf_adds(b, "\n# fencing\n");
	for (i = 0; i < x->nfence; i++) {
		crm_prim(b, x, &x->fence[i], 0);
		if (!x->fence[i].skip && x->fence[i].avoid[0])
			buf_printf(b, "location %s-not-on-%s %s -inf: %s\n",
			    x->fence[i].id, x->fence[i].avoid, x->fence[i].id,
			    x->fence[i].avoid);
	}
}

/* ----------------------------------------------------------- corosync */

static void
render_corosync(struct buf *b, const struct xp *x)
{
	const struct conf	*c = x->c;
	char			 a[INET_ADDRSTRLEN];
	int			 i, j, link = 0, nlinks = 0;
	int			 links[HBD_MAX_MEDIA];

	header(b, x, "corosync.conf skeleton", 0);
	buf_adds(b, "# Replace every ADDRESS-OF-... with that node's address "
	    "on that link.\n");
	buf_printf(b, "totem {\n\tversion: 2\n\tcluster_name: %s\n"
	    "\ttransport: knet\n\t# hbd deadtime\n\ttoken: %u\n"
	    "\tcrypto_cipher: aes256\n\tcrypto_hash: sha256\n",
	    c->cluster[0] ? c->cluster : "hbd", c->deadtime_ms);
	/* one knet link per IP medium (interface), in ha.cf order */
	for (i = 0; i < c->nmedia; i++) {
		const struct conf_medium	*m = &c->media[i];

		links[i] = -1;
		if (m->type == MEDIUM_SERIAL || m->type == MEDIUM_DISK)
			continue;
		for (j = 0; j < i; j++)
			if (links[j] >= 0 && strcmp(c->media[j].ifname,
			    m->ifname) == 0)
				links[i] = links[j];
		if (links[i] >= 0)
			continue;
		if (link == 8) {
			buf_printf(b, "\t# %s %s: knet has at most 8 links; "
			    "not exported\n", medium_type_name(m->type),
			    m->ifname);
			continue;
		}
		links[i] = link++;
		nlinks = link;
		buf_printf(b, "\t# link %d: hbd %s on %s\n", links[i],
		    medium_type_name(m->type), m->ifname);
	}
	buf_adds(b, "}\n\nnodelist {\n");
	for (j = 0; j < c->nnodes; j++) {
		buf_printf(b, "\tnode {\n\t\tname: %s\n\t\tnodeid: %d\n",
		    c->nodes[j], j + 1);
		if (nlinks == 0)
			buf_printf(b, "\t\t# hbd has no IP medium: give "
			    "corosync a network\n\t\tring0_addr: "
			    "ADDRESS-OF-%s\n", c->nodes[j]);
		for (link = 0; link < 8; link++) {
			struct buf	 seen;
			const char	*ifn = NULL;

			buf_init(&seen);
			for (i = 0; i < c->nmedia; i++) {
				if (links[i] != link)
					continue;
				ifn = c->media[i].ifname;
				if (c->media[i].type == MEDIUM_UCAST) {
					inet_ntop(AF_INET, &c->media[i].addr, a,
					    sizeof(a));
					buf_printf(&seen, " %s", a);
				}
			}
			/* corosync takes no comment after a value */
			if (ifn && seen.len)
				buf_printf(b, "\t\t# hbd ucast on %s lists%s\n",
				    ifn, seen.data);
			if (ifn)
				buf_printf(b, "\t\tring%d_addr: ADDRESS-OF-%s-"
				    "ON-%s\n", link, c->nodes[j], ifn);
			buf_free(&seen);
		}
		buf_adds(b, "\t}\n");
	}
	buf_printf(b, "\t# a third node: node { name: ...; nodeid: %d; "
	    "ring0_addr: ... }\n}\n\n", c->nnodes + 1);
	buf_adds(b, "quorum {\n\tprovider: corosync_votequorum\n");
	if (c->nnodes == 2)
		buf_adds(b, "\t# two nodes; remove when a third joins\n"
		    "\ttwo_node: 1\n");
	buf_adds(b, "}\n\nlogging {\n\tto_syslog: yes\n\tto_logfile: no\n"
	    "\ttimestamp: on\n}\n");
}

/* -------------------------------------------------------------- entry */

int
export_pcmk_format(const char *s)
{
	if (s == NULL || strcmp(s, "all") == 0)
		return PCMK_ALL;
	if (strcmp(s, "cib") == 0 || strcmp(s, "xml") == 0)
		return PCMK_CIB;
	if (strcmp(s, "pcs") == 0)
		return PCMK_PCS;
	if (strcmp(s, "crm") == 0 || strcmp(s, "crmsh") == 0)
		return PCMK_CRM;
	if (strcmp(s, "corosync") == 0)
		return PCMK_COROSYNC;
	return -1;
}

int
export_pcmk_target(const char *s)
{
	if (s == NULL || strcmp(s, "pacemaker") == 0)
		return PCMK_CIB;
	if (strcmp(s, "pcs") == 0)
		return PCMK_PCS;
	if (strcmp(s, "crmsh") == 0 || strcmp(s, "crm") == 0)
		return PCMK_CRM;
	if (strcmp(s, "corosync") == 0)
		return PCMK_COROSYNC;
	return -1;
}

int
export_pcmk(const struct conf *c, unsigned formats, struct buf *out)
{
	static const struct {
		unsigned	 bit;
		const char	*name;
		void		(*render)(struct buf *, const struct xp *);
	} r[] = {
		{ PCMK_CIB, "cib.xml", render_cib },
		{ PCMK_PCS, "pcs.sh", render_pcs },
		{ PCMK_CRM, "crm.txt", render_crm },
		{ PCMK_COROSYNC, "corosync.conf", render_corosync },
	};
	struct xp	*x = xcalloc(1, sizeof(*x));
	int		 several, unmapped;
	size_t		 i;

	xp_build(x, c);
	several = formats & (formats - 1);
	for (i = 0; i < nitems(r); i++) {
		if (!(formats & r[i].bit))
			continue;
		if (several)
			buf_printf(out, "%s### hbd export: %s\n",
			    out->len ? "\n" : "", r[i].name);
		r[i].render(out, x);
	}
	unmapped = x->unmapped;
	xp_free(x);
	free(x);
	return unmapped;
}

int
export_pcmk_command(const struct conf *c, const struct jval *req,
    struct jw *reply, char *err, size_t len)
{
	const char	*what = json_get_str(req, "what");
	const char	*fmt = json_get_str(req, "format");
	struct buf	 b;
	int		 f, n;

	if (c == NULL) {
		snprintf(err, len, "no configuration loaded");
		return -1;
	}
	if ((f = export_pcmk_target(what)) == -1) {
		snprintf(err, len, "export: unknown target \"%s\" (pacemaker, "
		    "pcs, crmsh, corosync)", what);
		return -1;
	}
	if (fmt && (f = export_pcmk_format(fmt)) == -1) {
		snprintf(err, len, "export: unknown format \"%s\" (cib, pcs, "
		    "crm, corosync, all)", fmt);
		return -1;
	}
	buf_init(&b);
	n = export_pcmk(c, (unsigned)f, &b);
	if (b.len > 200 * 1024) {
		snprintf(err, len, "export: %zu bytes is more than the control "
		    "socket carries; use hbd -n --export pacemaker", b.len);
		buf_free(&b);
		return -1;
	}
	jw_str(reply, "format", fmt ? fmt : f == PCMK_CIB ? "cib" :
	    f == PCMK_PCS ? "pcs" : f == PCMK_CRM ? "crm" : "corosync");
	jw_int(reply, "unmapped", n);
	jw_str(reply, "text", buf_cstr(&b));
	buf_free(&b);
	return 0;
}
