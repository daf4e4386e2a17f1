/*
 * conf_libconfig: hbd.conf, the same model in one libconfig file. Each
 * setting is turned into the words of the equivalent ha.cf, haresources
 * or authkeys line and handed to the same handlers, so the two syntaxes
 * cannot drift apart. Errors carry the setting's line.
 */
#include "config.h"

#include <sys/stat.h>

#include <libconfig.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "conf_int.h"
#include "util.h"

#define MAXW	64

struct words {
	char	*v[MAXW];
	int	 n;
	int	 overflow;
	char	 store[MAXW][512];
};

static void
w_init(struct words *w, const char *first)
{
	w->n = 0;
	w->overflow = 0;
	if (first) {
		hbd_strlcpy(w->store[0], first, sizeof(w->store[0]));
		w->v[w->n++] = w->store[0];
	}
}

/* Too many words or too long a word: said once, by the caller's check */
static void
w_add(struct words *w, const char *s)
{
	if (w->n == MAXW || strlen(s) >= sizeof(w->store[0])) {
		w->overflow = 1;
		return;
	}
	hbd_strlcpy(w->store[w->n], s, sizeof(w->store[w->n]));
	w->v[w->n] = w->store[w->n];
	w->n++;
}

static int
run_directive(struct cparse *cp, struct words *w)
{
	if (w->overflow) {
		cp_err(cp, cp->line, "%s: too many values, or a value longer "
		    "than %zu characters", w->n ? w->v[0] : "setting",
		    sizeof(w->store[0]) - 1);
		return -1;
	}
	return hacf_directive(cp, w->n, w->v);
}

static int
line_of(const config_setting_t *s)
{
	return (int)config_setting_source_line(s);
}

/* A scalar as the word ha.cf would have: strings as-is, numbers printed */
static int
scalar_word(struct cparse *cp, const config_setting_t *s, char *out,
    size_t len)
{
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_STRING:
		if (hbd_strlcpy(out, config_setting_get_string(s), len) >= len) {
			cp_err(cp, line_of(s), "%s: value longer than %zu "
			    "characters", config_setting_name(s) ?
			    config_setting_name(s) : "value", len - 1);
			return -1;
		}
		return 0;
	case CONFIG_TYPE_INT:
		snprintf(out, len, "%d", config_setting_get_int(s));
		return 0;
	case CONFIG_TYPE_INT64:
		snprintf(out, len, "%lld",
		    (long long)config_setting_get_int64(s));
		return 0;
	case CONFIG_TYPE_FLOAT:
		snprintf(out, len, "%g", config_setting_get_float(s));
		return 0;
	case CONFIG_TYPE_BOOL:
		hbd_strlcpy(out, config_setting_get_bool(s) ? "on" : "off",
		    len);
		return 0;
	}
	cp_err(cp, line_of(s), "%s: expected a single value",
	    config_setting_name(s) ? config_setting_name(s) : "value");
	return -1;
}

static int
is_list(const config_setting_t *s)
{
	return config_setting_is_array(s) || config_setting_is_list(s);
}

static const char *const scalars[] = {
	"cluster", "keepalive", "deadtime", "warntime", "initdead",
	"deadping", "udpport", "baud", "auto_failback", "logfile",
	"debugfile", "logfacility", "debug", "realtime", "rtprio",
	"coredumps", "watchdog", "snmp_write", "snmp_user",
	"monitor_interval",
	"start_timeout", "stop_timeout", "monitor_timeout", "max_restarts",
	"restart_window", "fence_timeout", "fence_delay", "use_logd",
	"autojoin", "crm", "pacemaker", "uuidfrom", "compat",
};

static void
do_scalar(struct cparse *cp, const char *name, const config_setting_t *s)
{
	struct words	 w;
	char		 v[512];

	if (scalar_word(cp, s, v, sizeof(v)) == -1)
		return;
	w_init(&w, name);
	w_add(&w, v);
	cp->line = line_of(s);
	run_directive(cp, &w);
}

/* node = ["a", "b"] or "a"; same for ping, env, resource_path */
static void
do_each(struct cparse *cp, const char *directive, const config_setting_t *s)
{
	struct words	 w;
	char		 v[512];
	int		 i, n;

	if (!is_list(s)) {
		do_scalar(cp, directive, s);
		return;
	}
	n = config_setting_length(s);
	for (i = 0; i < n; i++) {
		config_setting_t	*e = config_setting_get_elem(s, i);

		if (scalar_word(cp, e, v, sizeof(v)) == -1)
			continue;
		w_init(&w, directive);
		w_add(&w, v);
		cp->line = line_of(e);
		run_directive(cp, &w);
	}
}

static const char *
get_str(struct cparse *cp, const config_setting_t *g, const char *key,
    int required, char *buf, size_t len)
{
	config_setting_t	*s = config_setting_get_member(g, key);

	if (s == NULL) {
		if (required)
			cp_err(cp, line_of(g), "missing \"%s\"", key);
		return NULL;
	}
	if (scalar_word(cp, s, buf, len) == -1)
		return NULL;
	return buf;
}

static int
check_members(struct cparse *cp, const config_setting_t *g,
    const char *what, const char *const *allowed)
{
	int	 i, j, n = config_setting_length(g), bad = 0;

	if (!config_setting_is_group(g)) {
		cp_err(cp, line_of(g), "%s: expected a group { ... }", what);
		return -1;
	}
	for (i = 0; i < n; i++) {
		const char	*name =
		    config_setting_name(config_setting_get_elem(g, i));
		int		 ok = 0;

		for (j = 0; allowed[j]; j++)
			if (strcmp(name, allowed[j]) == 0)
				ok = 1;
		if (!ok) {
			cp_err(cp, line_of(config_setting_get_elem(g, i)),
			    "%s: unknown setting \"%s\"", what, name);
			bad = 1;
		}
	}
	return bad ? -1 : 0;
}

static void
do_medium(struct cparse *cp, const config_setting_t *g)
{
	static const char *const allowed[] = { "type", "interface", "peer",
	    "group", "port", "ttl", "loop", "device", "baud", NULL };
	char		 type[32], ifn[64], a[64], port[16], ttl[16], loop[16];
	char		 dev[256], baud[16], saved_port[16];
	struct words	 w;
	uint16_t	 oldport = cp->udpport;
	uint32_t	 oldbaud = cp->baud;

	cp->media_errors++;	/* taken back below when the medium is added */
	if (check_members(cp, g, "media", allowed) == -1)
		return;
	cp->line = line_of(g);
	if (get_str(cp, g, "type", 1, type, sizeof(type)) == NULL)
		return;
	if ((strcmp(type, "serial") == 0 || strcmp(type, "disk") == 0) &&
	    config_setting_get_member(g, "port")) {
		cp_err(cp, cp->line, "media: a %s medium has no port", type);
		return;
	}
	if (get_str(cp, g, "port", 0, port, sizeof(port))) {
		snprintf(saved_port, sizeof(saved_port), "%u", oldport);
		w_init(&w, "udpport");
		w_add(&w, port);
		if (run_directive(cp, &w) == -1)
			return;
	}
	if (get_str(cp, g, "baud", 0, baud, sizeof(baud))) {
		w_init(&w, "baud");
		w_add(&w, baud);
		if (run_directive(cp, &w) == -1)
			return;
	}
	w_init(&w, type);
	if (strcmp(type, "serial") == 0 || strcmp(type, "disk") == 0) {
		if (get_str(cp, g, "device", 1, dev, sizeof(dev)) == NULL)
			goto out;
		w_add(&w, dev);
	} else if (strcmp(type, "bcast") == 0 || strcmp(type, "ucast") == 0 ||
	    strcmp(type, "mcast") == 0) {
		if (get_str(cp, g, "interface", 1, ifn, sizeof(ifn)) == NULL)
			goto out;
		w_add(&w, ifn);
		if (strcmp(type, "ucast") == 0) {
			if (get_str(cp, g, "peer", 1, a, sizeof(a)) == NULL)
				goto out;
			w_add(&w, a);
		} else if (strcmp(type, "mcast") == 0) {
			if (get_str(cp, g, "group", 1, a, sizeof(a)) == NULL)
				goto out;
			snprintf(port, sizeof(port), "%u", cp->udpport);
			hbd_strlcpy(ttl, "1", sizeof(ttl));
			hbd_strlcpy(loop, "0", sizeof(loop));
			get_str(cp, g, "ttl", 0, ttl, sizeof(ttl));
			get_str(cp, g, "loop", 0, loop, sizeof(loop));
			if (strcmp(loop, "off") == 0)
				hbd_strlcpy(loop, "0", sizeof(loop));
			else if (strcmp(loop, "on") == 0)
				hbd_strlcpy(loop, "1", sizeof(loop));
			w_add(&w, a);
			w_add(&w, port);
			w_add(&w, ttl);
			w_add(&w, loop);
		}
	} else {
		cp_err(cp, cp->line, "media: type \"%s\" is not bcast, mcast, "
		    "ucast, serial or disk", type);
		goto out;
	}
	if (run_directive(cp, &w) == 0)
		cp->media_errors--;
out:
	/* per-medium port and baud do not leak into the next medium */
	cp->udpport = oldport;
	cp->baud = oldbaud;
	cp->c->udpport = oldport;
	cp->c->baud = oldbaud;
}

static void
do_list(struct cparse *cp, const config_setting_t *s, const char *what,
    void (*fn)(struct cparse *, const config_setting_t *))
{
	int	 i, n;

	if (!config_setting_is_list(s)) {
		cp_err(cp, line_of(s), "%s: expected a list ( { ... }, ... )",
		    what);
		return;
	}
	n = config_setting_length(s);
	for (i = 0; i < n; i++)
		fn(cp, config_setting_get_elem(s, i));
}

static void
add_array(struct cparse *cp, struct words *w, const config_setting_t *g,
    const char *key, int required)
{
	config_setting_t	*s = config_setting_get_member(g, key);
	char			 v[512];
	int			 i;

	if (s == NULL) {
		if (required)
			cp_err(cp, line_of(g), "missing \"%s\"", key);
		return;
	}
	if (!is_list(s)) {
		if (scalar_word(cp, s, v, sizeof(v)) == 0)
			w_add(w, v);
		return;
	}
	for (i = 0; i < config_setting_length(s); i++)
		if (scalar_word(cp, config_setting_get_elem(s, i), v,
		    sizeof(v)) == 0)
			w_add(w, v);
}

static void
do_ping_group(struct cparse *cp, const config_setting_t *g)
{
	static const char *const allowed[] = { "name", "hosts", NULL };
	struct words	 w;
	char		 name[HBD_MAX_NAME];

	if (check_members(cp, g, "ping_group", allowed) == -1)
		return;
	cp->line = line_of(g);
	if (get_str(cp, g, "name", 1, name, sizeof(name)) == NULL)
		return;
	w_init(&w, "ping_group");
	w_add(&w, name);
	add_array(cp, &w, g, "hosts", 1);
	run_directive(cp, &w);
}

/* respawn: { user = "root"; command = ["/usr/sbin/hbd-snmp", "-x", ..]; } */
static void
do_respawn(struct cparse *cp, const config_setting_t *g)
{
	static const char *const allowed[] = { "user", "command", NULL };
	struct words	 w;
	char		 user[64];

	if (check_members(cp, g, "respawn", allowed) == -1)
		return;
	cp->line = line_of(g);
	if (get_str(cp, g, "user", 1, user, sizeof(user)) == NULL)
		return;
	w_init(&w, "respawn");
	w_add(&w, user);
	add_array(cp, &w, g, "command", 1);
	if (w.n > 2)
		run_directive(cp, &w);
}

static void
do_apiauth(struct cparse *cp, const config_setting_t *g)
{
	static const char *const allowed[] = { "client", "uid", "gid", NULL };
	struct words	 w;
	char		 v[256], kv[300];

	if (check_members(cp, g, "apiauth", allowed) == -1)
		return;
	cp->line = line_of(g);
	if (get_str(cp, g, "client", 1, v, sizeof(v)) == NULL)
		return;
	w_init(&w, "apiauth");
	w_add(&w, v);
	if (get_str(cp, g, "uid", 0, v, sizeof(v))) {
		snprintf(kv, sizeof(kv), "uid=%s", v);
		w_add(&w, kv);
	}
	if (get_str(cp, g, "gid", 0, v, sizeof(v))) {
		snprintf(kv, sizeof(kv), "gid=%s", v);
		w_add(&w, kv);
	}
	run_directive(cp, &w);
}

static void
do_stonith_host(struct cparse *cp, const config_setting_t *g)
{
	static const char *const allowed[] = { "from", "type", "params", NULL };
	struct words	 w;
	char		 v[256];

	if (check_members(cp, g, "stonith_host", allowed) == -1)
		return;
	cp->line = line_of(g);
	w_init(&w, "stonith_host");
	if (get_str(cp, g, "from", 1, v, sizeof(v)) == NULL)
		return;
	w_add(&w, v);
	if (get_str(cp, g, "type", 1, v, sizeof(v)) == NULL)
		return;
	w_add(&w, v);
	add_array(cp, &w, g, "params", 0);
	run_directive(cp, &w);
}

/* groups: { node = "ha1"; resources = [ "10.0.0.1", "httpd" ]; } */
static void
do_group(struct cparse *cp, const config_setting_t *g)
{
	static const char *const allowed[] = { "node", "resources", "fence",
	    NULL };
	config_setting_t	*f;
	struct buf	 line;
	struct words	 w;
	char		 node[HBD_MAX_NAME];
	int		 i;

	if (check_members(cp, g, "groups", allowed) == -1)
		return;
	cp->line = line_of(g);
	if (get_str(cp, g, "node", 1, node, sizeof(node)) == NULL)
		return;
	w_init(&w, NULL);
	add_array(cp, &w, g, "resources", 1);
	if (w.overflow) {
		cp_err(cp, cp->line, "groups: too many resources, or one longer "
		    "than %zu characters", sizeof(w.store[0]) - 1);
		return;
	}
	if (w.n == 0)
		return;
	buf_init(&line);
	buf_adds(&line, node);
	for (i = 0; i < w.n; i++) {
		if (strpbrk(w.v[i], " \t")) {
			cp_err(cp, cp->line, "resource \"%s\" contains white "
			    "space", w.v[i]);
			buf_free(&line);
			return;
		}
		buf_addc(&line, ' ');
		buf_adds(&line, w.v[i]);
	}
	haresources_line(cp, line.data);
	buf_free(&line);
	/* fence = false: the group's way out, as ha.cf's nofence_group */
	if ((f = config_setting_get_member(g, "fence")) != NULL) {
		cp->line = line_of(f);
		if (config_setting_type(f) != CONFIG_TYPE_BOOL)
			cp_err(cp, cp->line, "groups: fence must be true or "
			    "false");
		else if (!config_setting_get_bool(f))
			conf_nofence_add(cp, w.v[0]);
	}
}

static void
do_key(struct cparse *cp, const config_setting_t *g)
{
	static const char *const allowed[] = { "index", "method", "secret",
	    NULL };
	struct words	 w;
	char		 v[300];

	if (check_members(cp, g, "auth.keys", allowed) == -1)
		return;
	cp->line = line_of(g);
	w_init(&w, NULL);
	if (get_str(cp, g, "index", 1, v, sizeof(v)) == NULL)
		return;
	w_add(&w, v);
	if (get_str(cp, g, "method", 1, v, sizeof(v)) == NULL)
		return;
	w_add(&w, v);
	if (get_str(cp, g, "secret", 0, v, sizeof(v)))
		w_add(&w, v);
	if (w.overflow) {
		cp_err(cp, cp->line, "auth.keys: a value is too long");
		cp->key_errors++;
	} else if (authkeys_line(cp, w.n, w.v) == -1)
		cp->key_errors++;
	explicit_bzero(&w, sizeof(w));
	explicit_bzero(v, sizeof(v));
}

static void
do_auth(struct cparse *cp, const config_setting_t *g)
{
	static const char *const allowed[] = { "use", "keys", NULL };
	config_setting_t	*keys;
	char			 v[32];

	if (check_members(cp, g, "auth", allowed) == -1)
		return;
	cp->line = line_of(g);
	if ((keys = config_setting_get_member(g, "keys")) != NULL)
		do_list(cp, keys, "auth.keys", do_key);
	else
		cp_err(cp, line_of(g), "auth: missing \"keys\"");
	if (get_str(cp, g, "use", 1, v, sizeof(v))) {
		cp->line = line_of(config_setting_get_member(g, "use"));
		authkeys_use(cp, v);
	}
}

static void
do_fence(struct cparse *cp, const config_setting_t *s)
{
	struct words	 w;

	w_init(&w, "fence");
	add_array(cp, &w, config_setting_parent(s),
	    config_setting_name(s), 1);
	cp->line = line_of(s);
	run_directive(cp, &w);
}

static const char *const structured[] = {
	"node", "nodes", "media", "ping", "ping_group", "respawn", "apiauth",
	"stonith_host", "fence", "env", "resource_path", "groups", "auth",
	"authkeys",
};

/*
 * libconfig 1.5 opens whatever an @include line names and its scanner
 * exit()s when reading fails (a directory, EIO): a reload would kill hbd.
 * hbd reads one file, so refuse the directive before libconfig sees it.
 */
static int
refuse_include(struct cparse *cp, const char *path)
{
	FILE	*fp;
	char	 line[CONF_LINE_MAX];
	int	 n = 0, bad = 0;

	if ((fp = fopen(path, "r")) == NULL)
		return 0;		/* config_read_file() says why */
	while (fgets(line, sizeof(line), fp)) {
		n++;
		if (strncmp(line + strspn(line, " \t"), "@include", 8) == 0) {
			cp_err(cp, n, "@include is not supported: keep the "
			    "whole configuration in one file");
			bad = 1;
		}
	}
	fclose(fp);
	return bad ? -1 : 0;
}

int
libconfig_read(struct cparse *cp, const char *path)
{
	config_t		 cfg;
	config_setting_t	*root, *s;
	size_t			 i, j;
	int			 n, k;

	cp->file = path;
	if (refuse_include(cp, path) == -1) {
		cp->hacf_unreadable = 1;	/* nothing to cross-check */
		return -1;
	}
	config_init(&cfg);
	if (config_read_file(&cfg, path) != CONFIG_TRUE) {
		if (config_error_type(&cfg) == CONFIG_ERR_FILE_IO)
			cp_file_err(cp, path, "cannot read file");
		else
			cp_err(cp, config_error_line(&cfg), "%s",
			    config_error_text(&cfg));
		config_destroy(&cfg);
		cp->hacf_unreadable = 1;	/* nothing to cross-check */
		return -1;
	}
	root = config_root_setting(&cfg);

	/* unknown top-level settings are errors, as in ha.cf */
	n = config_setting_length(root);
	for (k = 0; k < n; k++) {
		const char	*name;
		int		 known = 0;

		s = config_setting_get_elem(root, k);
		name = config_setting_name(s);
		for (i = 0; i < nitems(scalars) && !known; i++)
			known = strcmp(scalars[i], name) == 0;
		for (j = 0; j < nitems(structured) && !known; j++)
			known = strcmp(structured[j], name) == 0;
		if (!known)
			cp_err(cp, line_of(s), "unknown setting \"%s\"", name);
	}

	/* the order matters as in ha.cf: nodes before groups, etc. */
	for (i = 0; i < nitems(scalars); i++)
		if ((s = config_lookup(&cfg, scalars[i])) != NULL)
			do_scalar(cp, scalars[i], s);
	if ((s = config_lookup(&cfg, "node")) != NULL)
		do_each(cp, "node", s);
	if ((s = config_lookup(&cfg, "nodes")) != NULL)
		do_each(cp, "node", s);
	if ((s = config_lookup(&cfg, "media")) != NULL)
		do_list(cp, s, "media", do_medium);
	if ((s = config_lookup(&cfg, "ping")) != NULL)
		do_each(cp, "ping", s);
	if ((s = config_lookup(&cfg, "ping_group")) != NULL)
		do_list(cp, s, "ping_group", do_ping_group);
	if ((s = config_lookup(&cfg, "respawn")) != NULL)
		do_list(cp, s, "respawn", do_respawn);
	if ((s = config_lookup(&cfg, "apiauth")) != NULL)
		do_list(cp, s, "apiauth", do_apiauth);
	if ((s = config_lookup(&cfg, "stonith_host")) != NULL)
		do_list(cp, s, "stonith_host", do_stonith_host);
	if ((s = config_lookup(&cfg, "fence")) != NULL)
		do_fence(cp, s);
	if ((s = config_lookup(&cfg, "env")) != NULL)
		do_each(cp, "env", s);
	if ((s = config_lookup(&cfg, "resource_path")) != NULL)
		do_each(cp, "resource_path", s);
	if ((s = config_lookup(&cfg, "groups")) != NULL)
		do_list(cp, s, "groups", do_group);
	if ((s = config_lookup(&cfg, "auth")) != NULL) {
		struct stat	 st;

		do_auth(cp, s);
		/* the file holds secrets now: same rule as authkeys */
		if (!cp->o->skip_perm_check && stat(path, &st) == 0 &&
		    ((st.st_mode & (S_IRWXG | S_IRWXO)) || st.st_uid != 0))
			cp_err(cp, line_of(s), "auth: this file holds secrets "
			    "but is readable by group or others, or not owned "
			    "by root (chmod 600 %s, chown root)", path);
	}
	if ((s = config_lookup(&cfg, "authkeys")) != NULL) {
		char	 v[1024];

		if (config_lookup(&cfg, "auth"))
			cp_err(cp, line_of(s), "give either authkeys or auth, "
			    "not both");
		else if (scalar_word(cp, s, v, sizeof(v)) == 0) {
			if (v[0] != '/')
				cp_err(cp, line_of(s), "authkeys: \"%s\" must be "
				    "an absolute path", v);
			else
				cp->authkeys_path = xstrdup(v);
		}
	}
	config_destroy(&cfg);
	cp->file = path;
	return 0;
}
