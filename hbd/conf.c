/*
 * conf: load orchestration, cross-checks and the model's helpers.
 * Parsers for each file live in conf_hacf.c, conf_haresources.c,
 * conf_authkeys.c and conf_libconfig.c; they fill a struct conf through a
 * struct cparse, and conf_finish() checks the whole before anyone uses it.
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/utsname.h>

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <ifaddrs.h>
#include <limits.h>
#include <math.h>
#include <pwd.h>
#include <stdarg.h>
#include <strings.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "conf.h"
#include "conf_int.h"
#include "util.h"

#ifndef HBD_AGENTDIR
#define HBD_AGENTDIR	"/usr/local/libexec/hbd/agents"
#endif
#ifndef HBD_OCF_ROOT
#define HBD_OCF_ROOT	"/usr/lib/ocf"
#endif

/* ---- diagnostics ---- */

static void
diag_add(struct conf_diag *d, const char *file, int line, int warning,
    const char *fmt, va_list ap)
{
	struct conf_msg	*m;
	char		 text[1024];

	vsnprintf(text, sizeof(text), fmt, ap);
	d->msgs = xreallocarray(d->msgs, (size_t)d->nmsgs + 1,
	    sizeof(*d->msgs));
	m = &d->msgs[d->nmsgs++];
	m->file = xstrdup(file ? file : "?");
	m->line = line;
	m->warning = warning;
	m->text = xstrdup(text);
	if (warning)
		d->nwarnings++;
	else
		d->nerrors++;
}

void
cp_err(struct cparse *cp, int line, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	diag_add(cp->d, cp->file, line, 0, fmt, ap);
	va_end(ap);
}

void
cp_warn(struct cparse *cp, int line, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	diag_add(cp->d, cp->file, line, 1, fmt, ap);
	va_end(ap);
}

void
cp_file_err(struct cparse *cp, const char *file, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	diag_add(cp->d, file, 0, 0, fmt, ap);
	va_end(ap);
}

static void
cp_at(struct cparse *cp, const char *file, int line, int warning,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void
cp_at(struct cparse *cp, const char *file, int line, int warning,
    const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	diag_add(cp->d, file, line, warning, fmt, ap);
	va_end(ap);
}

void
conf_diag_print(const struct conf_diag *d, FILE *fp)
{
	int	 i;

	for (i = 0; i < d->nmsgs; i++) {
		const struct conf_msg	*m = &d->msgs[i];

		if (m->line > 0)
			fprintf(fp, "%s:%d: %s%s\n", m->file, m->line,
			    m->warning ? "warning: " : "", m->text);
		else
			fprintf(fp, "%s: %s%s\n", m->file,
			    m->warning ? "warning: " : "", m->text);
	}
}

void
conf_diag_free(struct conf_diag *d)
{
	int	 i;

	for (i = 0; i < d->nmsgs; i++) {
		free(d->msgs[i].file);
		free(d->msgs[i].text);
	}
	free(d->msgs);
	memset(d, 0, sizeof(*d));
}

/* ---- value parsing ---- */

/*
 * heartbeat's time syntax: a bare number is seconds and may have a
 * fraction; "ms" and "us" suffixes select milliseconds and microseconds.
 * hbd also accepts "s". The result is milliseconds, rounded up.
 */
int
conf_parse_time(const char *s, uint32_t *ms)
{
	char		 num[32], *end;
	const char	*unit;
	double		 v, scale;
	size_t		 n;

	if (s == NULL)
		return -1;
	/* plain decimals only: strtod alone would take 1e3 and 0x10 */
	for (unit = s; isdigit((unsigned char)*unit) || *unit == '.'; unit++)
		;
	n = (size_t)(unit - s);
	if (n == 0 || n >= sizeof(num))
		return -1;
	memcpy(num, s, n);
	num[n] = '\0';
	errno = 0;
	v = strtod(num, &end);
	if (errno || *end || !isfinite(v) || v < 0)
		return -1;
	/* heartbeat's cl_get_msec: units in any case, rounded to nearest */
	if (*unit == '\0' || strcasecmp(unit, "s") == 0 ||
	    strcasecmp(unit, "sec") == 0)
		scale = 1000.0;
	else if (strcasecmp(unit, "ms") == 0 || strcasecmp(unit, "msec") == 0)
		scale = 1.0;
	else if (strcasecmp(unit, "us") == 0 || strcasecmp(unit, "usec") == 0)
		scale = 0.001;
	else
		return -1;
	v = floor(v * scale + 0.5);
	if (v > 86400000.0 * 7)
		return -1;
	*ms = (uint32_t)v;
	return 0;
}

/* heartbeat's booleans, case-insensitive */
int
conf_parse_bool(const char *s, int *v)
{
	static const char *const yes[] = { "true", "on", "yes", "y", "1" };
	static const char *const no[] = { "false", "off", "no", "n", "0" };
	size_t	 i;

	for (i = 0; i < nitems(yes); i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*v = 1;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*v = 0;
			return 0;
		}
	}
	return -1;
}

/* FNV-1a: stable identities for the wire (cluster, groups) */
uint32_t
conf_hash(const char *s)
{
	uint32_t	 h = 2166136261u;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 16777619u;
	}
	return h;
}

int
conf_tokenize(char *s, char **tok, int max, const char *seps)
{
	int	 n = 0;
	char	*p = s;

	for (;;) {
		while (*p && strchr(seps, *p))
			p++;
		if (*p == '\0' || *p == '#')
			break;
		if (n == max)
			return -1;
		tok[n++] = p;
		while (*p && !strchr(seps, *p))
			p++;
		if (*p == '\0')
			break;
		*p++ = '\0';
	}
	return n;
}

char *
conf_getline(struct cparse *cp, FILE *fp, char **buf, size_t *cap,
    int *lineno)
{
	ssize_t	 n;

	while ((n = getline(buf, cap, fp)) != -1) {
		(*lineno)++;
		if ((size_t)n != strlen(*buf)) {
			cp_err(cp, *lineno, "a NUL byte in the line");
			continue;
		}
		if (n >= CONF_LINE_MAX) {
			cp_err(cp, *lineno, "line longer than %d characters",
			    CONF_LINE_MAX - 1);
			continue;
		}
		while (n > 0 && ((*buf)[n - 1] == '\n' || (*buf)[n - 1] == '\r'))
			(*buf)[--n] = '\0';
		return *buf;
	}
	return NULL;
}

/* ---- names ---- */

const char *
auth_method_name(enum auth_method m)
{
	switch (m) {
	case AUTH_CRC:
		return "crc";
	case AUTH_MD5:
		return "md5";
	case AUTH_SHA1:
		return "sha1";
	case AUTH_SHA256:
		return "sha256";
	case AUTH_SHA512:
		return "sha512";
	}
	return "?";
}

const char *
medium_type_name(enum medium_type t)
{
	switch (t) {
	case MEDIUM_BCAST:
		return "bcast";
	case MEDIUM_MCAST:
		return "mcast";
	case MEDIUM_UCAST:
		return "ucast";
	case MEDIUM_SERIAL:
		return "serial";
	case MEDIUM_DISK:
		return "disk";
	}
	return "?";
}

const char *
auto_failback_name(enum auto_failback f)
{
	switch (f) {
	case FAILBACK_OFF:
		return "off";
	case FAILBACK_ON:
		return "on";
	case FAILBACK_LEGACY:
		return "legacy";
	}
	return "?";
}

int
conf_node_index(const struct conf *c, const char *name)
{
	int	 i;

	for (i = 0; i < c->nnodes; i++)
		if (strcasecmp(c->nodes[i], name) == 0)
			return i;
	return -1;
}

int
conf_group_index(const struct conf *c, const char *name)
{
	int	 i;

	for (i = 0; i < c->ngroups; i++)
		if (strcmp(c->groups[i].name, name) == 0)
			return i;
	return -1;
}

int
conf_peer_index(const struct conf *c)
{
	if (c->nnodes < 2)
		return -1;
	return c->local_index == 0 ? 1 : 0;
}

const char *
conf_peer_name(const struct conf *c)
{
	int	 i = conf_peer_index(c);

	return i < 0 ? NULL : c->nodes[i];
}

/* ---- cross-checks ---- */

static int
local_addresses(const struct conf_opts *o, struct in_addr *out, int max)
{
	struct ifaddrs	*ifa, *i;
	int		 n = 0;

	if (o->local_addrs) {
		for (n = 0; n < o->nlocal_addrs && n < max; n++)
			out[n] = o->local_addrs[n];
		return n;
	}
	if (getifaddrs(&ifa) == -1)
		return 0;
	for (i = ifa; i && n < max; i = i->ifa_next)
		if (i->ifa_addr && i->ifa_addr->sa_family == AF_INET)
			out[n++] =
			    ((struct sockaddr_in *)i->ifa_addr)->sin_addr;
	freeifaddrs(ifa);
	return n;
}

/* One file serves both nodes: drop ucast lines aimed at ourselves. */
static void
drop_local_ucast(struct cparse *cp)
{
	struct conf	*c = cp->c;
	struct in_addr	 addrs[128];
	int		 naddrs, i, j, k;

	naddrs = local_addresses(cp->o, addrs, (int)nitems(addrs));
	for (i = 0, k = 0; i < c->nmedia; i++) {
		int	 local = 0;

		if (c->media[i].type == MEDIUM_UCAST)
			for (j = 0; j < naddrs; j++)
				if (addrs[j].s_addr ==
				    c->media[i].addr.s_addr)
					local = 1;
		if (!local)
			c->media[k++] = c->media[i];
	}
	c->nmedia = k;
}

/*
 * A UDP medium that repeats an earlier one (bcast eth0 and the old "udp
 * eth0", a tutorial's favourite): heartbeat ran both, to no gain; hbd keeps
 * the first and says so.
 */
static void
drop_repeated_media(struct cparse *cp, const char *hacf)
{
	struct conf	*c = cp->c;
	int		 i, j, k, dup;

	for (i = 0, k = 0; i < c->nmedia; i++) {
		struct conf_medium	*a = &c->media[i];

		for (dup = 0, j = 0; j < k && !dup; j++) {
			struct conf_medium	*b = &c->media[j];

			if (a->type == b->type && (a->type == MEDIUM_BCAST ||
			    a->type == MEDIUM_UCAST ||
			    a->type == MEDIUM_MCAST) &&
			    strcmp(a->ifname, b->ifname) == 0 &&
			    a->port == b->port &&
			    a->addr.s_addr == b->addr.s_addr) {
				cp_at(cp, hacf, a->line, 1, "%s %s on port %u "
				    "repeats line %d: ignored",
				    medium_type_name(a->type), a->ifname,
				    a->port, b->line);
				dup = 1;
			}
		}
		if (!dup)
			c->media[k++] = *a;
	}
	c->nmedia = k;
}

static void
name_links(struct conf *c)
{
	int	 i, j, dup;

	for (i = 0; i < c->nmedia; i++) {
		struct conf_medium	*m = &c->media[i];

		if (m->type == MEDIUM_SERIAL || m->type == MEDIUM_DISK)
			hbd_strlcpy(m->name, m->device, sizeof(m->name));
		else
			hbd_strlcpy(m->name, m->ifname, sizeof(m->name));
		for (dup = 0, j = 0; j < i; j++)
			if (strcmp(c->media[j].name, m->name) == 0)
				dup = 1;
		if (dup) {
			size_t	 l = strlen(m->name);

			snprintf(m->name + l, sizeof(m->name) - l, "/%s",
			    medium_type_name(m->type));
		}
	}
}

static int
executable(const char *path)
{
	struct stat	 st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
	    access(path, X_OK) == 0;
}

static int
untrusted_one(const char *path, const char *what, char *why, size_t len)
{
	struct stat	 st;

	if (stat(path, &st) == -1)
		return 0;		/* missing: judged by whoever needs it */
	if (st.st_uid != 0 && st.st_uid != geteuid()) {
		snprintf(why, len, "%s%s belongs to uid %u, not to root", what,
		    path, (unsigned)st.st_uid);
		return 1;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		snprintf(why, len, "%s%s is writable by %s (mode %04o)", what,
		    path, (st.st_mode & S_IWOTH) ? ((st.st_mode & S_IWGRP) ?
		    "group and others" : "others") : "its group",
		    (unsigned)(st.st_mode & 07777));
		return 1;
	}
	return 0;
}

/*
 * hbd runs agents as root: an agent (or the directory it sits in, or
 * the one its symlink points into) that anyone but root can change is a
 * way to root. Returns 1 and says why (naming the culprit) when so.
 */
int
conf_untrusted(const char *path, int isdir, char *why, size_t len)
{
	char	 dir[PATH_MAX], real[PATH_MAX], *slash;

	if (untrusted_one(path, "", why, len))
		return 1;
	if (isdir)
		return 0;
	hbd_strlcpy(dir, path, sizeof(dir));
	if ((slash = strrchr(dir, '/')) != NULL) {
		*(slash == dir ? slash + 1 : slash) = '\0';
		if (untrusted_one(dir, "its directory ", why, len))
			return 1;
	}
	if (realpath(path, real) == NULL || strcmp(real, path) == 0)
		return 0;
	if (untrusted_one(real, "its target ", why, len))
		return 1;
	if ((slash = strrchr(real, '/')) != NULL) {
		*(slash == real ? slash + 1 : slash) = '\0';
		if (untrusted_one(real, "its target's directory ", why, len))
			return 1;
	}
	return 0;
}

static void
resolve_agent(struct cparse *cp, struct conf_rsc *r, int line,
    const char *hrfile)
{
	struct conf	*c = cp->c;
	char		 path[PATH_MAX];
	const char	*agentdir;
	int		 i;

	agentdir = cp->o->agentdir ? cp->o->agentdir : HBD_AGENTDIR;
	if (r->kind == RSC_OCF) {
		snprintf(path, sizeof(path), "%s/resource.d/%s/%s",
		    HBD_OCF_ROOT, r->provider, r->type);
		if (executable(path))
			r->path = xstrdup(path);
		goto done;
	}
	for (i = 0; i < c->nresource_dirs && !r->path; i++) {
		snprintf(path, sizeof(path), "%s/%s", c->resource_dirs[i],
		    r->type);
		if (executable(path)) {
			r->path = xstrdup(path);
			r->kind = RSC_HEARTBEAT;
		}
	}
	if (!r->path && c->confdir) {
		snprintf(path, sizeof(path), "%s/resource.d/%s", c->confdir,
		    r->type);
		if (executable(path)) {
			r->path = xstrdup(path);
			r->kind = RSC_HEARTBEAT;
		}
	}
	if (!r->path) {
		snprintf(path, sizeof(path), "%s/%s", agentdir, r->type);
		if (executable(path)) {
			r->path = xstrdup(path);
			r->kind = RSC_HBD;
		}
	}
	if (!r->path) {
		snprintf(path, sizeof(path), "/etc/init.d/%s", r->type);
		if (executable(path)) {
			r->path = xstrdup(path);
			r->kind = RSC_LSB;
		}
	}
done:
	if (r->path) {
		char	 why[PATH_MAX * 2 + 64];

		if (conf_untrusted(r->path, 0, why, sizeof(why)))
			cp_at(cp, hrfile, line, 0, "resource %s: agent %s: %s: "
			    "not running it (chown root, chmod go-w)", r->spec,
			    r->path, why);
		return;
	}
	if (r->kind == RSC_OCF)
		cp_at(cp, hrfile, line, !cp->o->for_start,
		    "resource %s: OCF agent %s not found", r->spec, path);
	else
		cp_at(cp, hrfile, line, !cp->o->for_start,
		    "resource %s: no agent named %s in %s%s/resource.d, %s "
		    "or /etc/init.d", r->spec, r->type,
		    c->nresource_dirs ? "resource_path, " : "",
		    c->confdir ? c->confdir : "/etc/ha.d", agentdir);
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(a, b);
}

static void
check_nodes(struct cparse *cp, const char *hacf)
{
	struct conf	*c = cp->c;
	char		 before[HBD_MAX_NODES][HBD_MAX_NAME];
	int		 i;

	/* groups named their preferred node by its place in file order */
	memcpy(before, c->nodes, sizeof(before));
	qsort(c->nodes, (size_t)c->nnodes, sizeof(c->nodes[0]), cmp_names);
	for (i = 0; i < c->ngroups; i++)
		if (c->groups[i].preferred >= 0)
			c->groups[i].preferred = conf_node_index(c,
			    before[c->groups[i].preferred]);
	for (i = 1; i < c->nnodes; i++)
		if (strcmp(c->nodes[i], c->nodes[i - 1]) == 0)
			cp_at(cp, hacf, 0, 0, "node %s is listed twice",
			    c->nodes[i]);
	if (c->nnodes == 0) {
		if (cp->hacf_unreadable)
			return;
		cp_at(cp, hacf, 0, 0, "no node lines: list both cluster "
		    "nodes (node NAME, matching uname -n)");
		return;
	}
	c->local_index = conf_node_index(c, c->local);
	if (c->local_index < 0)
		cp_at(cp, hacf, 0, 0, "this node (%s) is not listed in a node "
		    "line; node names must match uname -n (or use -N)",
		    c->local);
	if (c->nnodes == 1)
		cp_at(cp, hacf, 0, 1, "only one node is listed: there is no "
		    "peer to fail over to");
}

static void
check_timing(struct cparse *cp, const char *hacf)
{
	struct conf	*c = cp->c;
	int		 dl = cp->seen_deadtime, il = cp->seen_initdead;

	if (!cp->seen_warntime)
		c->warntime_ms = c->deadtime_ms / 2;
	if (!cp->seen_initdead) {
		if (c->deadtime_ms > 10000)
			c->initdead_ms = c->deadtime_ms;
		else if (c->deadtime_ms < 6000)
			c->initdead_ms = 12000;
		else
			c->initdead_ms = 2 * c->deadtime_ms;
	}
	if (!cp->seen_deadping)
		c->deadping_ms = c->deadtime_ms;
	if (c->keepalive_ms == 0)
		cp_at(cp, hacf, cp->seen_keepalive, 0,
		    "keepalive must be greater than 0");
	if (c->deadtime_ms <= 2 * c->keepalive_ms)
		cp_at(cp, hacf, dl ? dl : cp->seen_keepalive, 0,
		    "deadtime (%ums) is too small compared to keepalive "
		    "(%ums): it must be more than twice keepalive",
		    c->deadtime_ms, c->keepalive_ms);
	if (c->initdead_ms < c->deadtime_ms)
		cp_at(cp, hacf, il ? il : dl, 0, "initdead (%ums) is smaller "
		    "than deadtime (%ums)", c->initdead_ms, c->deadtime_ms);
	else if (cp->seen_initdead && c->initdead_ms < 10000)
		cp_at(cp, hacf, il, 1, "initdead (%ums) may be too small: it "
		    "should be >= deadtime and >= 10 seconds when both nodes "
		    "boot together", c->initdead_ms);
	if (c->deadping_ms <= 2 * c->keepalive_ms && c->npings > 0)
		cp_at(cp, hacf, cp->seen_deadping ? cp->seen_deadping : dl, 0,
		    "deadping (%ums) is too small compared to keepalive "
		    "(%ums)", c->deadping_ms, c->keepalive_ms);
	if (c->warntime_ms >= c->deadtime_ms)
		cp_at(cp, hacf, cp->seen_warntime, 1, "warntime (%ums) is not "
		    "less than deadtime (%ums): a late heartbeat will never "
		    "be reported before the node is declared dead",
		    c->warntime_ms, c->deadtime_ms);
	else if (c->warntime_ms <= c->keepalive_ms)
		cp_at(cp, hacf, cp->seen_warntime, 1, "warntime (%ums) is not "
		    "more than keepalive (%ums): every heartbeat would be late",
		    c->warntime_ms, c->keepalive_ms);
}

static void
check_media(struct cparse *cp, const char *hacf)
{
	struct conf	*c = cp->c;
	int		 i, j;

	if (cp->udpport_line && !cp->media_since_udpport)
		cp_at(cp, hacf, cp->udpport_line, 1, "udpport has no effect: "
		    "it applies to the bcast and ucast lines after it (mcast "
		    "lines name their own port)");
	if (cp->baud_line && !cp->media_since_baud)
		cp_at(cp, hacf, cp->baud_line, 1, "baud has no effect: it "
		    "applies to the serial lines after it");
	drop_local_ucast(cp);
	drop_repeated_media(cp, hacf);
	name_links(c);
	if (c->nmedia == 0 && c->nnodes > 1 && !cp->media_errors)
		cp_at(cp, hacf, 0, 0, "no heartbeat media: configure at least "
		    "one bcast, mcast, ucast or serial line (two are better)");
	for (i = 0; i < c->nmedia; i++)
		for (j = 0; j < i; j++) {
			struct conf_medium *a = &c->media[i], *b = &c->media[j];

			if (a->type == MEDIUM_SERIAL && b->type == MEDIUM_SERIAL &&
			    strcmp(a->device, b->device) == 0)
				cp_at(cp, hacf, a->line, 0, "serial %s is "
				    "already configured on line %d",
				    a->device, b->line);
			if (a->type == MEDIUM_DISK && b->type == MEDIUM_DISK)
				cp_at(cp, hacf, a->line, 0, "only one disk "
				    "medium may be configured (see line %d)",
				    b->line);
			if (a->type == MEDIUM_SERIAL ||
			    b->type == MEDIUM_SERIAL ||
			    a->type == MEDIUM_DISK || b->type == MEDIUM_DISK ||
			    strcmp(a->ifname, b->ifname) != 0 ||
			    a->port != b->port)
				continue;
			if (a->type == b->type &&
			    a->addr.s_addr == b->addr.s_addr)
				cp_at(cp, hacf, a->line, 0, "%s %s on port %u "
				    "repeats line %d", medium_type_name(a->type),
				    a->ifname, a->port, b->line);
			else if (a->type != b->type)
				cp_at(cp, hacf, a->line, 1, "%s and %s (line %d) "
				    "share %s port %u: use one UDP medium per "
				    "interface and port", medium_type_name(a->type),
				    medium_type_name(b->type), b->line, a->ifname,
				    a->port);
		}
}

static void
check_groups(struct cparse *cp)
{
	struct conf	*c = cp->c;
	const char	*hr = c->haresources_path ? c->haresources_path :
			    c->conf_path;
	int		 i, j, k;

	for (i = 0; i < c->ngroups; i++) {
		struct conf_group	*g = &c->groups[i];

		for (j = 0; j < i; j++) {
			if (strcmp(c->groups[j].name, g->name) == 0)
				cp_at(cp, hr, g->line, 0, "group %s is already "
				    "defined on line %d (a group is named by "
				    "its first resource)", g->name,
				    c->groups[j].line);
			else if (c->groups[j].id == g->id)
				cp_at(cp, hr, g->line, 0, "group %s collides "
				    "with group %s on line %d: rename one",
				    g->name, c->groups[j].name,
				    c->groups[j].line);
			for (k = 0; k < g->nrsc; k++) {
				int	 m;

				for (m = 0; m < c->groups[j].nrsc; m++)
					if (strcmp(g->rsc[k].spec,
					    c->groups[j].rsc[m].spec) == 0)
						cp_at(cp, hr, g->line, 0,
						    "resource %s also belongs "
						    "to the group on line %d",
						    g->rsc[k].spec,
						    c->groups[j].line);
			}
		}
		for (k = 0; k < g->nrsc; k++)
			resolve_agent(cp, &g->rsc[k], g->line, hr);
	}
	/* honoured by the root daemon: as trusted as the agents in it */
	if (cp->o->agentdir) {
		char	 why[PATH_MAX * 2 + 64];

		if (conf_untrusted(cp->o->agentdir, 1, why, sizeof(why)))
			cp_at(cp, "HBD_AGENT_DIR", 0, 0, "%s: not running "
			    "agents from it (chown root, chmod go-w)", why);
	}
}

int
conf_nofence_add(struct cparse *cp, const char *group)
{
	if (cp->nnofence == HBD_MAX_GROUPS) {
		cp_err(cp, cp->line, "nofence_group: too many groups");
		return -1;
	}
	cp->nofence[cp->nnofence] = xstrdup(group);
	cp->nofence_file[cp->nnofence] = cp->file;
	cp->nofence_line[cp->nnofence++] = cp->line;
	return 0;
}

/*
 * Which groups wait for the dead peer to be fenced before they start
 * (rsc.c asks conf_rsc.needs_fence). heartbeat's rule: with stonith_host or
 * fence configured, every group of the dead peer, whatever its resources;
 * without, hbd still marks a Filesystem (a takeover of it is logged as
 * unfenced). nofence_group takes a group out, Filesystem or not.
 */
static void
check_fence_scope(struct cparse *cp)
{
	struct conf	*c = cp->c;
	int		 fencing = c->fence_argc > 0 || c->nstonith > 0;
	int		 i, j, k, fs;

	for (i = 0; i < cp->nnofence; i++) {
		if ((k = conf_group_index(c, cp->nofence[i])) < 0) {
			cp_at(cp, cp->nofence_file[i], cp->nofence_line[i], 0,
			    "nofence_group: no group named \"%s\" (a group "
			    "is named by its first resource, as written in "
			    "haresources)", cp->nofence[i]);
			continue;
		}
		c->groups[k].nofence = 1;
		if (!fencing)
			cp_at(cp, cp->nofence_file[i], cp->nofence_line[i], 1,
			    "nofence_group %s: no fence or stonith_host is "
			    "configured, so nothing is fenced anyway",
			    cp->nofence[i]);
	}
	for (i = 0; i < c->ngroups; i++) {
		struct conf_group	*g = &c->groups[i];

		for (fs = 0, j = 0; j < g->nrsc; j++)
			if (strcmp(g->rsc[j].type, "Filesystem") == 0)
				fs = 1;
		for (j = 0; j < g->nrsc; j++)
			g->rsc[j].needs_fence = g->nofence ? 0 :
			    fencing || strcmp(g->rsc[j].type, "Filesystem") == 0;
		if (g->nofence && fs && fencing)
			for (k = 0; k < cp->nnofence; k++)
				if (strcmp(cp->nofence[k], g->name) == 0)
					cp_at(cp, cp->nofence_file[k],
					    cp->nofence_line[k], 1,
					    "nofence_group %s: the group has a "
					    "Filesystem; taking it over unfenced "
					    "risks mounting it on both nodes",
					    g->name);
	}
}

static void
check_auth(struct cparse *cp)
{
	struct conf	*c = cp->c;
	const char	*ak = c->authkeys_path ? c->authkeys_path :
			    c->conf_path;
	int		 i, found = 0;

	if (ak == NULL || cp->authkeys_unreadable)
		return;
	if (c->nkeys == 0 && c->authkeys_path == NULL)
		return;
	if (c->auth_use < 0) {
		if (cp->auth_errors)
			return;
		cp_at(cp, ak, 0, 0, "missing \"auth N\" line naming the key "
		    "to sign with");
		return;
	}
	for (i = 0; i < c->nkeys; i++) {
		const struct conf_key *k = &c->keys[i];

		if (k->index == c->auth_use) {
			found = 1;
			if (c->compat_heartbeat &&
			    c->keys[i].method != AUTH_CRC &&
			    c->keys[i].method != AUTH_MD5 &&
			    c->keys[i].method != AUTH_SHA1)
				cp_at(cp, ak, cp->auth_line, 0, "auth %d: "
				    "compat heartbeat needs a key heartbeat "
				    "knows (crc, md5 or sha1), not %s",
				    c->auth_use,
				    auth_method_name(c->keys[i].method));
			if (k->method == AUTH_CRC)
				cp_at(cp, ak, cp->auth_line, 1, "auth %d uses "
				    "crc, which authenticates nothing: anyone "
				    "on the network can forge heartbeats; use "
				    "sha256 with a long random secret",
				    c->auth_use);
		} else if (k->method == AUTH_CRC)
			/* auth_verify never accepts it: say so */
			cp_at(cp, ak, k->line, 1, "key %d uses crc and is not "
			    "the signing key (auth %d): heartbeats under it "
			    "are refused, as anyone could forge them; remove "
			    "this line", k->index, c->auth_use);
		else
			cp_at(cp, ak, k->line, 1, "key %d is accepted on "
			    "receipt beside the signing key %d (a key "
			    "rotation); remove it once both nodes sign with "
			    "key %d", k->index, c->auth_use, c->auth_use);
	}
	if (!found && !cp->key_errors)
		cp_at(cp, ak, cp->auth_line, 0, "auth %d: no key with index %d "
		    "in this file", c->auth_use, c->auth_use);
}

/*
 * snmp_user to a uid now, with the rest of the file: the control socket
 * compares SO_PEERCRED's uid and must not ask NSS on the event loop. A
 * missing default user is normal (hbd-snmp not installed); a named one
 * that does not exist is worth a warning. Root is never the SNMP role.
 */
static void
resolve_snmp_user(struct cparse *cp, const char *hacf)
{
	struct conf	*c = cp->c;
	struct passwd	*pw;
	char		*end;
	unsigned long	 u;

	c->snmp_uid = (uid_t)-1;
	u = strtoul(c->snmp_user, &end, 10);
	if (c->snmp_user[0] != '\0' && *end == '\0')
		c->snmp_uid = (uid_t)u;
	else if ((pw = getpwnam(c->snmp_user)) != NULL)
		c->snmp_uid = pw->pw_uid;
	else if (cp->snmp_user_line)
		cp_at(cp, hacf, cp->snmp_user_line, 1, "snmp_user: no user "
		    "%s on this node: hbd-snmp's requests will be refused",
		    c->snmp_user);
	if (c->snmp_uid == 0) {
		if (cp->snmp_user_line)
			cp_at(cp, hacf, cp->snmp_user_line, 1, "snmp_user: "
			    "root is never limited to hbd-snmp's rights; run "
			    "hbd-snmp as its own user");
		c->snmp_uid = (uid_t)-1;
	}
}

static void
check_misc(struct cparse *cp, const char *hacf)
{
	struct conf	*c = cp->c;
	int		 i;

	resolve_snmp_user(cp, hacf);

	for (i = 0; i < c->ngroups; i++)
		if (c->groups[i].preferred < 0)
			cp_at(cp, c->haresources_path ? c->haresources_path :
			    c->conf_path, c->groups[i].line, 0,
			    "group %s: its preferred node is not a node "
			    "of this cluster", c->groups[i].name);
	if (c->fence_argc > 0 && c->fence_argv[0][0] != '/')
		cp_at(cp, hacf, 0, 0, "fence: %s must be an absolute path",
		    c->fence_argv[0]);
}

/* ---- load ---- */

static void
conf_defaults(struct conf *c)
{
	hbd_strlcpy(c->cluster, "linux-ha", sizeof(c->cluster));
	c->keepalive_ms = 1000;
	hbd_strlcpy(c->snmp_user, "hbd-snmp", sizeof(c->snmp_user));
	c->snmp_uid = (uid_t)-1;
	c->deadtime_ms = 30000;
	c->udpport = HBD_DEFAULT_UDPPORT;
	c->baud = HBD_DEFAULT_BAUD;
	c->auto_failback = FAILBACK_LEGACY;
	c->auth_use = -1;
	c->logfacility = -2;		/* unset */
	c->realtime = 1;
	c->local_index = -1;
	c->fence_timeout_ms = 60000;
	c->fence_delay_ms = 5000;
	c->monitor_interval_ms = 10000;
	c->start_timeout_ms = 60000;
	c->stop_timeout_ms = 60000;
	c->monitor_timeout_ms = 20000;
	c->max_restarts = 3;
	c->restart_window_ms = 600000;
}

/* ---- heartbeat's parameters, as its API's get_parameter gave them ---- */

const char *
conf_param(const struct conf *c, const char *name)
{
	int	 i;

	for (i = 0; i < c->nparams; i++)
		if (strcmp(c->params[i].name, name) == 0)
			return c->params[i].value;
	return NULL;
}

void
conf_param_set(struct conf *c, const char *name, const char *value)
{
	int	 i;

	for (i = 0; i < c->nparams; i++)
		if (strcmp(c->params[i].name, name) == 0) {
			free(c->params[i].value);
			c->params[i].value = xstrdup(value);
			return;
		}
	c->params = xreallocarray(c->params, (size_t)c->nparams + 1,
	    sizeof(*c->params));
	c->params[c->nparams].name = xstrdup(name);
	c->params[c->nparams].value = xstrdup(value);
	c->nparams++;
}

/*
 * What heartbeat 3.0.6 answered for a parameter nobody set: its fixed
 * defaults, then the values it computed (warntime, initdead, deadping,
 * udpport), here from hbd's own numbers. Times set in hbd.conf (no ha.cf
 * words) are given in milliseconds, as heartbeat wrote computed ones.
 */
static void
params_finish(struct conf *c)
{
	static const char *const fixed[][2] = {
		{ "hopfudge", "1" }, { "baud", "19200" },
		{ "hbgenmethod", "file" }, { "msgfmt", "classic" },
		{ "conn_logd_time", "60" }, { "log_badpack", "true" },
		{ "syslogmsgfmt", "true" }, { "coredumps", "true" },
		{ "pacemaker", "false" }, { "autojoin", "none" },
		{ "uuidfrom", "file" }, { "compression", "zlib" },
		{ "compression_threshold", "2" },
		{ "traditional_compression", "no" },
		{ "max_rexmit_delay", "250" }, { "record_config_changes", "on" },
		{ "record_pengine_inputs", "on" },
		{ "enable_config_writes", "on" }, { "memreserve", "6500" },
		{ "debug", "0" },
	};
	const struct {
		const char	*name;
		uint32_t	 ms;
	} times[] = {
		{ "keepalive", c->keepalive_ms }, { "deadtime", c->deadtime_ms },
		{ "warntime", c->warntime_ms }, { "initdead", c->initdead_ms },
		{ "deadping", c->deadping_ms },
	};
	char	 v[32];
	size_t	 i;

	if (conf_param(c, "cluster") == NULL)
		conf_param_set(c, "cluster", c->cluster);
	for (i = 0; i < nitems(times); i++)
		if (conf_param(c, times[i].name) == NULL) {
			snprintf(v, sizeof(v), "%ums", times[i].ms);
			conf_param_set(c, times[i].name, v);
		}
	if (conf_param(c, "udpport") == NULL) {
		snprintf(v, sizeof(v), "%u", (unsigned)c->udpport);
		conf_param_set(c, "udpport", v);
	}
	if (conf_param(c, "auto_failback") == NULL)
		conf_param_set(c, "auto_failback",
		    auto_failback_name(c->auto_failback));
	if (conf_param(c, "realtime") == NULL)
		conf_param_set(c, "realtime", c->realtime ? "true" : "false");
	for (i = 0; i < nitems(fixed); i++)
		if (conf_param(c, fixed[i][0]) == NULL)
			conf_param_set(c, fixed[i][0], fixed[i][1]);
	/* heartbeat: syslog and no files meant the files were /dev/null */
	if (conf_param(c, "logfacility") != NULL &&
	    strcmp(conf_param(c, "logfacility"), "none") != 0) {
		if (conf_param(c, "logfile") == NULL)
			conf_param_set(c, "logfile", "/dev/null");
		if (conf_param(c, "debugfile") == NULL)
			conf_param_set(c, "debugfile", "/dev/null");
	}
}

static void
local_name(const struct conf_opts *o, char *out, size_t len)
{
	struct utsname	 u;
	char		*p;

	if (o->local)
		hbd_strlcpy(out, o->local, len);
	else if (uname(&u) == 0)
		hbd_strlcpy(out, u.nodename, len);
	else
		hbd_strlcpy(out, "localhost", len);
	for (p = out; *p; p++)
		*p = (char)tolower((unsigned char)*p);
}

static char *
join_path(const char *dir, const char *file)
{
	char	*p;
	size_t	 n = strlen(dir) + strlen(file) + 2;

	p = xcalloc(1, n);
	snprintf(p, n, "%s/%s", dir, file);
	return p;
}

struct conf *
conf_load(const struct conf_opts *o, struct conf_diag *d)
{
	struct cparse	 cp;
	struct conf	*c;
	const char	*main_file;
	int		 i;

	memset(d, 0, sizeof(*d));
	memset(&cp, 0, sizeof(cp));
	c = xcalloc(1, sizeof(*c));
	conf_defaults(c);
	local_name(o, c->local, sizeof(c->local));
	cp.c = c;
	cp.d = d;
	cp.o = o;
	cp.udpport = HBD_DEFAULT_UDPPORT;
	cp.baud = HBD_DEFAULT_BAUD;

	if (o->conffile) {
		c->conf_path = xstrdup(o->conffile);
		main_file = c->conf_path;
		libconfig_read(&cp, o->conffile);
		if (cp.authkeys_path) {
			c->authkeys_path = cp.authkeys_path;
			cp.authkeys_path = NULL;
			authkeys_read(&cp, c->authkeys_path,
			    !o->skip_perm_check);
		} else if (c->nkeys == 0 && d->nerrors == 0)
			cp_file_err(&cp, o->conffile, "no authentication: set "
			    "authkeys = \"FILE\" or an auth { } block");
	} else {
		const char	*dir = o->confdir ? o->confdir : "/etc/ha.d";

		c->confdir = xstrdup(dir);
		c->hacf_path = join_path(dir, "ha.cf");
		c->haresources_path = join_path(dir, "haresources");
		c->authkeys_path = join_path(dir, "authkeys");
		main_file = c->hacf_path;
		hacf_read(&cp, c->hacf_path);
		haresources_read(&cp, c->haresources_path);
		authkeys_read(&cp, c->authkeys_path, !o->skip_perm_check);
	}
	if (c->confdir == NULL)
		c->confdir = xstrdup("/etc/ha.d");

	cp.file = main_file;
	if (cp.hacf_unreadable)
		goto out;
	check_nodes(&cp, main_file);
	check_timing(&cp, main_file);
	check_media(&cp, main_file);
	check_groups(&cp);
	check_fence_scope(&cp);
	check_auth(&cp);
	check_misc(&cp, main_file);
	if (!cp.seen_failback)
		cp_at(&cp, main_file, 0, 1, "auto_failback is not set: "
		    "heartbeat's default \"legacy\" behaves as \"on\" in hbd; "
		    "say auto_failback on or off");
	if (c->compat_heartbeat && c->auto_failback == FAILBACK_LEGACY)
		cp_at(&cp, main_file, c->compat_line, 1, "compat heartbeat: "
		    "with auto_failback legacy (heartbeat's default when the "
		    "line is missing) heartbeat does not negotiate resources, "
		    "so groups move between the two daemons only by a clean "
		    "stop or a failure; set auto_failback on or off on both "
		    "nodes");
out:
	/* heartbeat fell back to logd; hbd falls back to syslog */
	if (c->logfacility == -2)
		c->logfacility = c->logfile || c->debugfile ? -1 : LOG_DAEMON;
	c->cluster_id = conf_hash(c->cluster);
	params_finish(c);
	for (i = 0; i < HBD_MAX_GROUPS; i++)
		free(cp.haresources_lines[i]);
	free(cp.authkeys_path);
	for (i = 0; i < cp.nnofence; i++)
		free(cp.nofence[i]);
	if (d->nerrors) {
		conf_free(c);
		return NULL;
	}
	return c;
}

static void
free_argv(char **argv, int argc)
{
	int	 i;

	for (i = 0; i < argc; i++)
		free(argv[i]);
}

void
conf_free(struct conf *c)
{
	int	 i, j;

	if (c == NULL)
		return;
	free(c->hacf_path);
	free(c->haresources_path);
	free(c->authkeys_path);
	free(c->conf_path);
	free(c->confdir);
	for (i = 0; i < c->nparams; i++) {
		free(c->params[i].name);
		free(c->params[i].value);
	}
	free(c->params);
	for (i = 0; i < c->ngroups; i++) {
		struct conf_group	*g = &c->groups[i];

		free(g->name);
		for (j = 0; j < g->nrsc; j++) {
			free(g->rsc[j].spec);
			free(g->rsc[j].type);
			free(g->rsc[j].provider);
			free(g->rsc[j].path);
			free_argv(g->rsc[j].args, g->rsc[j].nargs);
		}
	}
	for (i = 0; i < c->nrespawn; i++) {
		free(c->respawn[i].user);
		free(c->respawn[i].home);
		free(c->respawn[i].groups);
		free_argv(c->respawn[i].argv, c->respawn[i].argc);
		free(c->respawn[i].argv);
	}
	for (i = 0; i < c->nstonith; i++) {
		free(c->stonith[i].from);
		free(c->stonith[i].type);
		free_argv(c->stonith[i].params, c->stonith[i].nparams);
		free(c->stonith[i].params);
	}
	free_argv(c->fence_argv, c->fence_argc);
	free_argv(c->resource_dirs, c->nresource_dirs);
	free_argv(c->env, c->nenv);
	free(c->logfile);
	free(c->debugfile);
	free(c->watchdog);
	/* keys are secrets: do not leave them in freed memory */
	explicit_bzero(c->keys, sizeof(c->keys));
	free(c);
}

/*
 * A canonical rendering of the model: two configurations that mean the
 * same thing print the same text (tests compare ha.cf with hbd.conf).
 * Secrets are printed as a digest-free length only.
 */
void
conf_dump(const struct conf *c, FILE *fp)
{
	char	 a[INET_ADDRSTRLEN];
	int	 i, j;

	fprintf(fp, "cluster %s\n", c->cluster);
	fprintf(fp, "local %s\n", c->local);
	for (i = 0; i < c->nnodes; i++)
		fprintf(fp, "node %s\n", c->nodes[i]);
	fprintf(fp, "keepalive %ums\ndeadtime %ums\nwarntime %ums\n"
	    "initdead %ums\ndeadping %ums\n", c->keepalive_ms,
	    c->deadtime_ms, c->warntime_ms, c->initdead_ms, c->deadping_ms);
	fprintf(fp, "auto_failback %s\n", auto_failback_name(c->auto_failback));
	for (i = 0; i < c->nmedia; i++) {
		const struct conf_medium	*m = &c->media[i];

		inet_ntop(AF_INET, &m->addr, a, sizeof(a));
		switch (m->type) {
		case MEDIUM_BCAST:
			fprintf(fp, "medium bcast %s port %u\n", m->ifname,
			    m->port);
			break;
		case MEDIUM_UCAST:
			fprintf(fp, "medium ucast %s %s port %u\n", m->ifname,
			    a, m->port);
			break;
		case MEDIUM_MCAST:
			fprintf(fp, "medium mcast %s %s port %u ttl %u "
			    "loop %u\n", m->ifname, a, m->port, m->ttl,
			    m->loop);
			break;
		case MEDIUM_SERIAL:
			fprintf(fp, "medium serial %s baud %u\n", m->device,
			    m->baud);
			break;
		case MEDIUM_DISK:
			fprintf(fp, "medium disk %s\n", m->device);
			break;
		}
	}
	for (i = 0; i < c->npings; i++) {
		fprintf(fp, "ping%s %s", c->pings[i].is_group ? "_group" : "",
		    c->pings[i].name);
		for (j = 0; j < c->pings[i].naddr; j++) {
			inet_ntop(AF_INET, &c->pings[i].addr[j], a, sizeof(a));
			fprintf(fp, " %s", a);
		}
		fprintf(fp, "\n");
	}
	for (i = 0; i < c->ngroups; i++) {
		const struct conf_group	*g = &c->groups[i];

		fprintf(fp, "group %s preferred %s%s\n", g->name,
		    g->preferred >= 0 ? c->nodes[g->preferred] : "?",
		    g->nofence ? " nofence" : "");
		for (j = 0; j < g->nrsc; j++) {
			int	 k;

			fprintf(fp, "  resource %s type %s", g->rsc[j].spec,
			    g->rsc[j].type);
			for (k = 0; k < g->rsc[j].nargs; k++)
				fprintf(fp, " [%s]", g->rsc[j].args[k]);
			fprintf(fp, "%s\n", g->rsc[j].needs_fence ?
			    " needs_fence" : "");
		}
	}
	for (i = 0; i < c->nkeys; i++)
		fprintf(fp, "key %d %s secret-length %zu%s\n", c->keys[i].index,
		    auth_method_name(c->keys[i].method), c->keys[i].secretlen,
		    c->keys[i].index == c->auth_use ? " (signing)" : "");
	for (i = 0; i < c->nrespawn; i++) {
		fprintf(fp, "respawn %s", c->respawn[i].user);
		for (j = 0; j < c->respawn[i].argc; j++)
			fprintf(fp, " %s", c->respawn[i].argv[j]);
		fprintf(fp, "%s\n", c->respawn[i].builtin ? " (built in)" : "");
	}
	for (i = 0; i < c->napigroups; i++)
		fprintf(fp, "apigroup %s\n", c->apigroups[i]);
	if (c->fence_argc) {
		fprintf(fp, "fence");
		for (i = 0; i < c->fence_argc; i++)
			fprintf(fp, " %s", c->fence_argv[i]);
		fprintf(fp, "\n");
	}
	for (i = 0; i < c->nstonith; i++) {
		fprintf(fp, "stonith_host %s %s", c->stonith[i].from,
		    c->stonith[i].type);
		for (j = 0; j < c->stonith[i].nparams; j++)
			fprintf(fp, " %s", c->stonith[i].params[j]);
		fprintf(fp, "\n");
	}
	fprintf(fp, "fence_timeout %ums\nfence_delay %ums\n",
	    c->fence_timeout_ms, c->fence_delay_ms);
	for (i = 0; i < c->nresource_dirs; i++)
		fprintf(fp, "resource_path %s\n", c->resource_dirs[i]);
	for (i = 0; i < c->nenv; i++)
		fprintf(fp, "env %s\n", c->env[i]);
	fprintf(fp, "logfile %s\ndebugfile %s\nlogfacility %d\ndebug %d\n",
	    c->logfile ? c->logfile : "-", c->debugfile ? c->debugfile : "-",
	    c->logfacility, c->debug);
	fprintf(fp, "watchdog %s\nrealtime %d\nrtprio %d\ncoredumps %d\n",
	    c->watchdog ? c->watchdog : "-", c->realtime, c->rtprio,
	    c->coredumps);
	fprintf(fp, "snmp_write %d\nsnmp_user %s\nmonitor_interval %ums\n"
	    "start_timeout %ums\nstop_timeout %ums\nmonitor_timeout %ums\n"
	    "max_restarts %d\nrestart_window %ums\n", c->snmp_write,
	    c->snmp_user,
	    c->monitor_interval_ms, c->start_timeout_ms, c->stop_timeout_ms,
	    c->monitor_timeout_ms, c->max_restarts, c->restart_window_ms);
}
