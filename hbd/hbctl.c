/*
 * hbctl: the control client. One program, four names: hbctl, and
 * heartbeat's cl_status, hb_standby and hb_takeover (chosen by argv[0])
 * with the output heartbeat printed, so existing scripts keep working.
 *
 * Exit status: 0 done, 1 refused or failed, 2 usage, 3 hbd unreachable
 * (cl_status keeps heartbeat's codes: 1 failure or unreachable, 11 bad
 * parameters, 13 no such node or link; hb_standby and hb_takeover: 1
 * failure, 3 unreachable).
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ctl_client.h"
#include "json.h"
#include "util.h"

#define EXIT_OK		0
#define EXIT_FAIL	1
#define EXIT_USAGE	2
#define EXIT_DOWN	3
#define TIMEOUT_MS	10000

static const char	*sock_path;
static int		 opt_json;
static double		 opt_wait = -1;
static struct ctl_conn	 conn;
static int		 compat;	/* heartbeat's names: 1 cl_status, 2 hb_* */

static void __attribute__((noreturn))
die(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
die(int code, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	fprintf(stderr, "%s: ", compat ? "heartbeat" : "hbctl");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	/*
	 * heartbeat's tools: 1 for any failure; hb_standby and hb_takeover
	 * keep 3 for "hbd unreachable", as hbctl(8) documents.
	 */
	if (compat && code != EXIT_OK && !(compat == 2 && code == EXIT_DOWN))
		code = 1;
	exit(code);
}

static int
try_connect(void)
{
	ctl_conn_init(&conn);
	return ctl_connect(&conn, sock_path, 0);
}

static void
connect_or_die(void)
{
	if (try_connect() == -1)
		die(EXIT_DOWN, "cannot reach hbd at %s: %s (is it running?)",
		    sock_path, strerror(errno));
}

/* A request whose reply must be OK; returns the parsed reply. */
static struct jval *
call(const char *json, int *ok, char *err, size_t len)
{
	struct jval	*v = NULL;
	int		 type, r;

	r = ctl_call(&conn, json, TIMEOUT_MS, &type, &v, err, len);
	if (r <= 0)
		die(r == 0 ? EXIT_FAIL : EXIT_DOWN, "%s", err);
	*ok = type == CTL_OK;
	if (!*ok) {
		const char	*e = json_get_str(v, "error");

		snprintf(err, len, "%s", e ? e : "refused");
	}
	return v;
}

static struct jval *
get_status(void)
{
	char		 err[512];
	int		 ok;
	struct jval	*v = call("{\"cmd\":\"status\"}", &ok, err, sizeof(err));

	if (!ok)
		die(EXIT_FAIL, "%s", err);
	return v;
}

static const char *
s_or(const struct jval *o, const char *k, const char *def)
{
	const char	*s = json_get_str(o, k);

	return s ? s : def;
}

static void
ago(const struct jval *o, const char *key, char *out, size_t len)
{
	struct jval	*v = json_get(o, key);

	if (v == NULL || v->type != J_NUM)
		snprintf(out, len, "never");
	else
		fmt_ago(out, len, v->inum);
}

/* ---- status ---- */


/* One resource's last agent action: "httpd::... started in 312 ms at
 * 23:50:01", or "... start failed after 5003 ms (exit 1) at ...". */
static void
print_last_action(const struct jval *r, int indent)
{
	const char	*a = s_or(r, "last_action", NULL);
	const char	*res = s_or(r, "last_result", "ok");
	long long	 ms = (long long)json_get_int(r, "last_duration_ms", 0);
	int		 rc = (int)json_get_int(r, "last_rc", 0);
	time_t		 t = (time_t)(json_get_int(r, "last_time", 0) / 1000);
	struct tm	 tm;
	char		 at[16] = "";
	int		 ok;

	if (a == NULL)
		return;
	if (t > 0 && localtime_r(&t, &tm) != NULL)
		strftime(at, sizeof(at), " at %H:%M:%S", &tm);
	ok = strcmp(res, "failed") != 0 && strcmp(res, "not run") != 0;
	printf("%*s  %s ", indent, "", s_or(r, "name", "?"));
	if (strcmp(a, "start") == 0 && ok)
		printf("started in %lld ms", ms);
	else if (strcmp(a, "stop") == 0 && ok)
		printf("stopped in %lld ms", ms);
	else if (strcmp(a, "monitor") == 0 && ok)
		printf("monitored in %lld ms (%s)", ms, res);
	else
		printf("%s %s after %lld ms (exit %d)", a, res, ms, rc);
	printf("%s\n", at);
}

static void
print_status(const struct jval *st)
{
	const struct jval	*cfg = json_get(st, "config");
	const struct jval	*n, *g, *r, *l, *cn = json_get(st, "counters");
	char			 t1[32], t2[32], t3[32], t4[32], t5[32];
	size_t			 wn = 4, wg = 5;

	fmt_ms(t1, sizeof(t1), json_get_int(cfg, "keepalive_ms", 0));
	fmt_ms(t2, sizeof(t2), json_get_int(cfg, "warntime_ms", 0));
	fmt_ms(t3, sizeof(t3), json_get_int(cfg, "deadtime_ms", 0));
	fmt_ms(t4, sizeof(t4), json_get_int(cfg, "initdead_ms", 0));
	fmt_ms(t5, sizeof(t5), json_get_int(st, "uptime_ms", 0));
	printf("hbd %s on %s: cluster %s, %s, up %s\n",
	    s_or(st, "version", "?"), s_or(st, "node", "?"),
	    s_or(st, "cluster", "?"), s_or(st, "status", "?"), t5);
	printf("keepalive %s  warntime %s  deadtime %s  initdead %s  "
	    "auto_failback %s  auth %s%s\n\n", t1, t2, t3, t4,
	    s_or(cfg, "auto_failback", "?"), s_or(cfg, "auth_method", "?"),
	    json_get_bool(cfg, "fencing", 0) ? "  fencing on" : "");

	for (n = json_get(st, "nodes") ? json_get(st, "nodes")->child : NULL;
	    n; n = n->next)
		if (strlen(s_or(n, "name", "")) > wn)
			wn = strlen(s_or(n, "name", ""));
	printf("%-*s  %-6s  %-6s  %-14s  %s\n", (int)wn, "NODE", "TYPE",
	    "STATUS", "LAST HEARTBEAT", "LINKS");
	for (n = json_get(st, "nodes")->child; n; n = n->next) {
		char	 last[32];
		int	 first = 1;

		if (json_get_bool(n, "local", 0))
			snprintf(last, sizeof(last), "(this node)");
		else
			ago(n, "last_heartbeat_ms", last, sizeof(last));
		printf("%-*s  %-6s  %-6s  %-14s  ", (int)wn,
		    s_or(n, "name", "?"), s_or(n, "type", "?"),
		    s_or(n, "status", "?"), last);
		for (l = json_get(n, "links") ? json_get(n, "links")->child :
		    NULL; l; l = l->next) {
			printf("%s%s %s", first ? "" : ", ",
			    s_or(l, "name", "?"), s_or(l, "status", "?"));
			first = 0;
		}
		printf("\n");
		if ((l = json_get(n, "heartbeat")) != NULL)
			printf("%*s  runs heartbeat 3.0.6: holds %s%s, standby "
			    "handshake %s\n", (int)wn, "", s_or(l, "holds",
			    "?"), json_get_bool(l, "stable", 0) ? "" :
			    " (in transition)", s_or(l, "handshake", "?"));
	}

	for (g = json_get(st, "groups") ? json_get(st, "groups")->child :
	    NULL; g; g = g->next)
		if (strlen(s_or(g, "name", "")) > wg)
			wg = strlen(s_or(g, "name", ""));
	if (json_get(st, "groups") && json_get(st, "groups")->child) {
		printf("\n%-*s  %-9s  %-9s  %-8s  %s\n", (int)wg, "GROUP",
		    "PREFERRED", "OWNER", "STATE", "SINCE");
		for (g = json_get(st, "groups")->child; g; g = g->next) {
			char	 since[32];
			int	 first = 1;

			ago(g, "changed_ms_ago", since, sizeof(since));
			printf("%-*s  %-9s  %-9s  %-8s  %s\n", (int)wg,
			    s_or(g, "name", "?"), s_or(g, "preferred", "-"),
			    s_or(g, "owner", "-"), s_or(g, "state", "?"),
			    since);
			printf("%*s  here: ", (int)wg, "");
			for (r = json_get(g, "resources") ?
			    json_get(g, "resources")->child : NULL; r;
			    r = r->next) {
				printf("%s%s %s", first ? "" : ", ",
				    s_or(r, "name", "?"),
				    s_or(r, "state", "?"));
				first = 0;
			}
			printf("\n");
			for (r = json_get(g, "resources") ?
			    json_get(g, "resources")->child : NULL; r;
			    r = r->next)
				print_last_action(r, (int)wg);
		}
	}
	printf("\ntakeovers %lld  late heartbeats %lld  auth failures %lld  "
	    "replays %lld  malformed %lld  resource failures %lld\n",
	    (long long)json_get_int(cn, "takeovers", 0),
	    (long long)json_get_int(cn, "late_heartbeats", 0),
	    (long long)json_get_int(cn, "auth_failures", 0),
	    (long long)json_get_int(cn, "replays", 0),
	    (long long)json_get_int(cn, "malformed", 0),
	    (long long)json_get_int(cn, "resource_failures", 0));
}

void	hbctl_print_json(const struct jval *);

static int
cmd_status(int argc, char **argv)
{
	struct jval	*st;

	if (argc > 1)
		die(EXIT_USAGE, "status takes no arguments");
	connect_or_die();
	st = get_status();
	if (opt_json)
		hbctl_print_json(st);
	else
		print_status(st);
	json_free(st);
	return EXIT_OK;
}

void
hbctl_print_json(const struct jval *v)
{
	struct buf	 b;

	buf_init(&b);
	json_write(&b, v);
	printf("%s\n", buf_cstr(&b));
	buf_free(&b);
}

/* ---- moves ---- */

static int
group_done(const struct jval *st, const char *group, const char *target,
    char *why, size_t len)
{
	const struct jval	*g;

	for (g = json_get(st, "groups") ? json_get(st, "groups")->child :
	    NULL; g; g = g->next) {
		const char	*name = s_or(g, "name", "");
		const char	*owner = s_or(g, "owner", "");
		const char	*state = s_or(g, "state", "");

		if (strcmp(name, group) != 0)
			continue;
		snprintf(why, len, "group %s is %s%s%s", group, state,
		    owner[0] ? " on " : "", owner);
		if (strcmp(state, "failed") == 0)
			return -1;
		if (strcmp(s_or(g, "target", ""), target) != 0)
			return -1;	/* someone moved it elsewhere */
		if (strcmp(state, "started") == 0 &&
		    strcmp(owner, target) == 0)
			return 1;
		return 0;
	}
	snprintf(why, len, "group %s disappeared", group);
	return -1;
}

static int
wait_moves(const struct jval *reply)
{
	const struct jval	*groups = json_get(reply, "groups"), *g;
	const char		*target = json_get_str(reply, "target");
	int64_t			 deadline = mono_ms() + (int64_t)(opt_wait *
				    1000);
	char			 why[256];
	int			 all, r;

	if (groups == NULL || target == NULL)
		return EXIT_OK;
	for (;;) {
		struct jval	*st = get_status();

		all = 1;
		for (g = groups->child; g; g = g->next) {
			if (g->type != J_STR)
				continue;
			r = group_done(st, g->str, target, why, sizeof(why));
			if (r < 0) {
				json_free(st);
				fprintf(stderr, "hbctl: %s\n", why);
				return EXIT_FAIL;
			}
			if (r == 0)
				all = 0;
		}
		json_free(st);
		if (all) {
			for (g = groups->child; g; g = g->next)
				if (g->type == J_STR)
					printf("%s: started on %s\n", g->str,
					    target);
			return EXIT_OK;
		}
		if (mono_ms() > deadline) {
			fprintf(stderr, "hbctl: timed out after %.1f s: %s\n",
			    opt_wait, why);
			return EXIT_FAIL;
		}
		poll(NULL, 0, 100);
	}
}

static int
do_move(const char *json, int quiet)
{
	struct jval	*v;
	char		 err[512];
	int		 ok, rc = EXIT_OK;

	connect_or_die();
	v = call(json, &ok, err, sizeof(err));
	if (!ok) {
		fprintf(stderr, "hbctl: %s\n", err);
		json_free(v);
		return EXIT_FAIL;
	}
	if (opt_json)
		hbctl_print_json(v);
	else if (!quiet && opt_wait < 0) {
		const struct jval	*g;
		int			 n = 0;

		for (g = json_get(v, "groups") ? json_get(v, "groups")->child :
		    NULL; g; g = g->next)
			if (g->type == J_STR) {
				printf("%s: moving to %s\n", g->str,
				    s_or(v, "target", "?"));
				n++;
			}
		if (n == 0)
			printf("nothing to move\n");
	}
	if (opt_wait >= 0)
		rc = wait_moves(v);
	json_free(v);
	return rc;
}

static const char *
check_which(const char *cmd, int argc, char **argv)
{
	if (argc > 2)
		die(EXIT_USAGE, "%s takes one of all, local, foreign", cmd);
	if (argc < 2)
		return "all";
	if (strcmp(argv[1], "all") && strcmp(argv[1], "local") &&
	    strcmp(argv[1], "foreign") && strcmp(argv[1], "failback"))
		die(EXIT_USAGE, "%s: expected all, local or foreign, got %s",
		    cmd, argv[1]);
	return argv[1];
}

static int
cmd_standby(int argc, char **argv)
{
	char	 json[128];

	snprintf(json, sizeof(json), "{\"cmd\":\"standby\",\"which\":\"%s\"}",
	    check_which("standby", argc, argv));
	return do_move(json, 0);
}

static int
cmd_takeover(int argc, char **argv)
{
	char	 json[128];

	snprintf(json, sizeof(json), "{\"cmd\":\"takeover\",\"which\":\"%s\"}",
	    check_which("takeover", argc, argv));
	return do_move(json, 0);
}

static int
cmd_move(int argc, char **argv)
{
	struct buf	 b;
	struct jw	 w;
	int		 rc;

	if (argc != 3)
		die(EXIT_USAGE, "usage: hbctl move GROUP NODE");
	buf_init(&b);
	jw_init(&w, &b);
	jw_obj_begin(&w, NULL);
	jw_str(&w, "cmd", "move");
	jw_str(&w, "group", argv[1]);
	jw_str(&w, "node", argv[2]);
	jw_obj_end(&w);
	rc = do_move(b.data, 0);
	buf_free(&b);
	return rc;
}

/* SBD's poison pill: tell the peer to release everything and stop */
static int
cmd_poison(int argc, char **argv)
{
	struct buf	 b;
	struct jw	 w;
	struct jval	*v;
	char		 err[512];
	int		 ok;

	if (argc != 2)
		die(EXIT_USAGE, "usage: hbctl poison NODE");
	connect_or_die();
	buf_init(&b);
	jw_init(&w, &b);
	jw_obj_begin(&w, NULL);
	jw_str(&w, "cmd", "poison");
	jw_str(&w, "node", argv[1]);
	jw_obj_end(&w);
	v = call(b.data, &ok, err, sizeof(err));
	buf_free(&b);
	json_free(v);
	if (!ok) {
		fprintf(stderr, "hbctl: %s\n", err);
		return EXIT_FAIL;
	}
	printf("poison pill sent to %s\n", argv[1]);
	return EXIT_OK;
}

static int
cmd_reload(int argc, char **argv)
{
	struct jval	*v;
	char		 err[2048];
	int		 ok;

	if (argc > 1)
		die(EXIT_USAGE, "reload takes no arguments");
	connect_or_die();
	v = call("{\"cmd\":\"reload\"}", &ok, err, sizeof(err));
	json_free(v);
	if (!ok) {
		fprintf(stderr, "hbctl: reload refused:\n%s\n", err);
		return EXIT_FAIL;
	}
	printf("configuration reloaded\n");
	return EXIT_OK;
}

/* ---- export ---- */

/* hbctl export pacemaker|pcs|crmsh|corosync [--format cib|pcs|crm|corosync|all] */
static int
cmd_export(int argc, char **argv)
{
	struct jval	*v;
	struct buf	 b;
	struct jw	 w;
	const char	*fmt = NULL, *text;
	char		 err[1024];
	int		 ok, i;

	if (argc < 2 || argv[1][0] == '-')
		die(EXIT_USAGE, "usage: export pacemaker|pcs|crmsh|corosync "
		    "[--format cib|pcs|crm|corosync|all]");
	for (i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--format") == 0 && i + 1 < argc)
			fmt = argv[++i];
		else if (strncmp(argv[i], "--format=", 9) == 0)
			fmt = argv[i] + 9;
		else
			die(EXIT_USAGE, "export: unexpected argument %s",
			    argv[i]);
	}
	connect_or_die();
	buf_init(&b);
	jw_init(&w, &b);
	jw_obj_begin(&w, NULL);
	jw_str(&w, "cmd", "export");
	jw_str(&w, "what", argv[1]);
	if (fmt)
		jw_str(&w, "format", fmt);
	jw_obj_end(&w);
	v = call(b.data, &ok, err, sizeof(err));
	buf_free(&b);
	if (!ok) {
		json_free(v);
		fprintf(stderr, "hbctl: %s\n", err);
		return EXIT_FAIL;
	}
	if (opt_json)
		hbctl_print_json(v);
	else if ((text = json_get_str(v, "text")) != NULL)
		fputs(text, stdout);
	if (json_get_int(v, "unmapped", 0) > 0)
		fprintf(stderr, "hbctl: export: %lld thing(s) did not map; see "
		    "the NOT EXPORTED comments\n",
		    (long long)json_get_int(v, "unmapped", 0));
	json_free(v);
	return fflush(stdout) == 0 ? EXIT_OK : EXIT_FAIL;
}

/* ---- events ---- */

static void
print_event(const struct jval *e)
{
	const struct jval	*c;
	char			 ts[64];
	time_t			 t;
	struct tm		 tm;
	int64_t			 ms = json_get_int(e, "time_ms", 0);

	t = (time_t)(ms / 1000);
	localtime_r(&t, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%d %H:%M:%S", &tm);
	printf("%s.%03d %-16s", ts, (int)(ms % 1000), s_or(e, "type", "?"));
	for (c = e->child; c; c = c->next) {
		if (!strcmp(c->key, "type") || !strcmp(c->key, "time_ms") ||
		    !strcmp(c->key, "mono_ms") || !strcmp(c->key, "seq"))
			continue;
		if (c->type == J_STR) {
			/* event fields may quote the wire: no raw controls */
			char	 k[128], v[1024];

			str_vis(k, sizeof(k), c->key);
			str_vis(v, sizeof(v), c->str);
			printf(" %s=%s", k, v);
		}
		else if (c->type == J_NUM)
			printf(" %s=%lld", c->key, (long long)c->inum);
		else if (c->type == J_BOOL)
			printf(" %s=%s", c->key, c->inum ? "yes" : "no");
	}
	printf("\n");
}

static int
cmd_events(int argc, char **argv)
{
	struct jval	*v;
	char		 err[256];
	int		 type, ok, r;
	int64_t		 last;

	if (argc > 1)
		die(EXIT_USAGE, "events takes no arguments");
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_DFL);
	connect_or_die();
	v = call("{\"cmd\":\"subscribe\"}", &ok, err, sizeof(err));
	if (!ok)
		die(EXIT_FAIL, "%s", err);
	last = json_get_int(v, "seq", 0);
	json_free(v);
	for (;;) {
		r = ctl_recv(&conn, -1, &type, &v, err, sizeof(err));
		if (r <= 0)
			die(EXIT_DOWN, "%s", err);
		if (type != CTL_EVENT) {
			json_free(v);
			continue;
		}
		if (json_get_int(v, "seq", 0) != last + 1)
			fprintf(stderr, "hbctl: missed %lld events\n",
			    (long long)(json_get_int(v, "seq", 0) - last - 1));
		last = json_get_int(v, "seq", 0);
		if (opt_json)
			hbctl_print_json(v);
		else
			print_event(v);
		json_free(v);
	}
}

/* ---- a move's timeline, from recorded events ---- */

struct tl_ev {
	int64_t		 at;		/* ms: when it began */
	struct jval	*v;
};

static int
tl_cmp(const void *a, const void *b)
{
	const struct tl_ev	*x = a, *y = b;

	return x->at < y->at ? -1 : x->at > y->at;
}

/* One line of a timeline: what the event says about the move. */
static void
tl_print(const struct tl_ev *e, int64_t t0)
{
	const struct jval	*v = e->v;
	const char		*type = s_or(v, "type", "?");
	const char		*node = s_or(v, "node", NULL);

	/* placement events name the target; the node is the reporter's */
	printf("%7lld ms  %-6s  ", (long long)(e->at - t0),
	    node ? node : s_or(v, "reporter", "?"));
	if (strcmp(type, "placement") == 0)
		printf("placement %lld -> %s (%s, proposed by %s)\n",
		    (long long)json_get_int(v, "epoch", 0),
		    s_or(v, "target", "nobody"), s_or(v, "reason", "?"),
		    s_or(v, "proposer", "?"));
	else if (strcmp(type, "resource_action") == 0)
		printf("%s %s: %lld ms%s\n", s_or(v, "action", "?"),
		    s_or(v, "resource", "?"),
		    (long long)json_get_int(v, "duration_ms", 0),
		    strcmp(s_or(v, "result", "ok"), "ok") == 0 ? "" :
		    " FAILED");
	else if (strcmp(type, "group_stopped") == 0)
		printf("released (group stopped)\n");
	else if (strcmp(type, "group_started") == 0)
		printf("group started\n");
	else if (strcmp(type, "group_stopping") == 0 ||
	    strcmp(type, "group_starting") == 0)
		printf("%s (%s)\n", type + 6, s_or(v, "reason", "?"));
	else if (strcmp(type, "resource_failed") == 0)
		printf("%s %s failed after %lld ms: %s\n",
		    s_or(v, "action", "?"), s_or(v, "resource", "?"),
		    (long long)json_get_int(v, "duration_ms", 0),
		    s_or(v, "detail", ""));
	else
		printf("%s\n", type);
}

/*
 * hbctl timeline [FILE...]: the last move in events recorded with
 * `hbctl --json events` (from one node or both, concatenated; stdin
 * without FILE): its placement, each stop and its duration, the release,
 * each start and its duration, the group started — in ms after the
 * placement, in the order they began. Run on both nodes' recordings to
 * see a planned move whole.
 */
static int
cmd_timeline(int argc, char **argv)
{
	struct tl_ev	*ev = NULL;
	size_t		 n = 0, cap = 0, i;
	int64_t		 t0 = -1, end;
	int		 k, any = 0;
	const char	*group = NULL;

	for (k = 1; k < argc; k++)
		if (strcmp(argv[k], "--group") == 0) {
			if (k + 1 >= argc)
				die(EXIT_USAGE, "--group: which group?");
			group = argv[k + 1];
			argv[k] = argv[k + 1] = NULL;
			k++;
		} else
			any = 1;
	for (k = any ? 1 : 0; k < (any ? argc : 1); k++) {
		FILE		*f;
		char		*line = NULL;
		size_t		 lcap = 0;
		ssize_t		 len;
		const char	*path = any ? argv[k] : "-";

		if (path == NULL)
			continue;
		if (strcmp(path, "-") == 0)
			f = stdin;
		else if ((f = fopen(path, "r")) == NULL)
			die(EXIT_FAIL, "%s: %s", path, strerror(errno));
		while ((len = getline(&line, &lcap, f)) > 0) {
			char		 err[128];
			struct jval	*v = json_parse(line, (size_t)len, err,
			    sizeof(err));

			if (v == NULL || json_get_str(v, "type") == NULL) {
				json_free(v);
				continue;
			}
			if (n == cap) {
				cap = cap ? cap * 2 : 256;
				ev = realloc(ev, cap * sizeof(*ev));
				if (ev == NULL)
					die(EXIT_FAIL, "out of memory");
			}
			ev[n].v = v;
			ev[n].at = json_get_int(v, "time_ms", 0) -
			    json_get_int(v, "duration_ms", 0);
			n++;
		}
		free(line);
		if (f != stdin)
			fclose(f);
	}
	qsort(ev, n, sizeof(*ev), tl_cmp);
	/* the last move: the first report of the newest placement */
	{
		int64_t	 best = -1;

		for (i = 0; i < n; i++)
			if (strcmp(s_or(ev[i].v, "type", ""), "placement") ==
			    0 && (!group || strcmp(s_or(ev[i].v, "group", ""),
			    group) == 0) && json_get_int(ev[i].v, "epoch", 0) >
			    best)
				best = json_get_int(ev[i].v, "epoch", 0);
		for (i = 0; i < n && t0 < 0; i++)
			if (strcmp(s_or(ev[i].v, "type", ""), "placement") ==
			    0 && json_get_int(ev[i].v, "epoch", 0) == best &&
			    (!group || strcmp(s_or(ev[i].v, "group", ""),
			    group) == 0))
				t0 = ev[i].at;
	}
	if (t0 < 0)
		die(EXIT_FAIL, "no placement event%s%s in the recording",
		    group ? " of group " : "", group ? group : "");
	end = t0 + 120000;
	for (i = 0; i < n; i++) {
		const char	*type = s_or(ev[i].v, "type", "");

		if (ev[i].at < t0 || ev[i].at > end)
			continue;
		if (group && json_get_str(ev[i].v, "group") &&
		    strcmp(json_get_str(ev[i].v, "group"), group) != 0)
			continue;
		if (strcmp(type, "placement") && strncmp(type, "group_", 6) &&
		    strcmp(type, "resource_action") &&
		    strcmp(type, "resource_failed"))
			continue;
		tl_print(&ev[i], t0);
		/* a started group ends the move */
		if (strcmp(type, "group_started") == 0)
			break;
	}
	for (i = 0; i < n; i++)
		json_free(ev[i].v);
	free(ev);
	return EXIT_OK;
}

/* ---- heartbeat's names ---- */

static const struct jval *
find_node(const struct jval *st, const char *name)
{
	const struct jval	*n;

	for (n = json_get(st, "nodes") ? json_get(st, "nodes")->child : NULL;
	    n; n = n->next)
		if (strcasecmp(s_or(n, "name", ""), name) == 0)
			return n;
	return NULL;
}

/*
 * cl_status as heartbeat 3.0.6 had it: the sub-command first, its options
 * anywhere after it (`cl_status nodestatus -m ha2`), and also, as hbd always
 * allowed, before it. Exit codes are heartbeat's: 0 yes, 1 no (a dead node,
 * a dead link, hbd unreachable), 11 bad parameters, 13 a question about
 * something that does not exist.
 */
#define CL_PARAM	11
#define CL_UNKNOWN	13
#define HBD_CL_MAX	64	/* nodes or links walked */

struct cl_args {
	const char	*cmd;
	int		 human, verbose, only_p, only_n;
	const char	*param;
	char		*pos[8];
	int		 npos;
};

static const struct cl_cmd {
	const char	*name;
	const char	*opts;	/* as heartbeat's getopt strings */
} cl_cmds[] = {
	{ "hbstatus", "mv" }, { "listnodes", "mpnv" }, { "nodestatus", "m" },
	{ "nodeweight", "m" }, { "nodesite", "m" }, { "nodetype", "m" },
	{ "listhblinks", "mv" }, { "hblinkstatus", "m" },
	{ "clientstatus", "m" }, { "rscstatus", "m" }, { "hbparameter", "mp:" },
};

static void
cl_help(FILE *fp)
{
	fprintf(fp,
	    "usage: cl_status SUB-COMMAND [OPTIONS] [ARGUMENTS]\n"
	    "(hbd's cl_status; options may also come before SUB-COMMAND)\n\n"
	    "  hbstatus [-v]                  is hbd running on this machine?\n"
	    "  listnodes [-n|-p] [-v]         the nodes: -n cluster nodes only,"
	    "\n                                 -p ping nodes only, -v with "
	    "status and links\n"
	    "  nodestatus NODE                init, up, active, dead or ping\n"
	    "  nodetype NODE                  normal or ping\n"
	    "  nodeweight NODE                the node's weight (always 100)\n"
	    "  nodesite NODE                  the node's site (always empty)\n"
	    "  listhblinks [-v] NODE          the heartbeat links to NODE\n"
	    "  hblinkstatus NODE LINK         up or dead\n"
	    "  clientstatus NODE CLIENT [MS]  an API client's status (hbd has "
	    "none: exit 13)\n"
	    "  rscstatus                      the groups held here: local, "
	    "foreign, all, none\n"
	    "  hbparameter -p NAME            a parameter as ha.cf set it "
	    "(keepalive, deadtime, ...)\n\n"
	    "  -m  answer with a sentence instead of the bare value\n"
	    "Exit status: 0 yes, 1 no or hbd unreachable, 11 bad parameters, "
	    "13 no such node or link.\n");
}

/* heartbeat's getopt(3) wording for a bad option; then its exit code */
static int
cl_bad_option(int ch)
{
	fprintf(stderr, "cl_status: invalid option -- '%c'\n", ch);
	return CL_PARAM;
}

static int
cl_parse(int argc, char **argv, struct cl_args *a)
{
	const struct cl_cmd	*c = NULL;
	size_t			 k;
	int			 i, before = 1, opts_done = 0;
	const char		*p;

	memset(a, 0, sizeof(*a));
	/* the sub-command: the first word that is not an option */
	for (i = 1; i < argc; i++)
		if (argv[i][0] != '-' || argv[i][1] == '\0') {
			a->cmd = argv[i];
			break;
		}
	if (a->cmd == NULL) {
		fprintf(stderr, "%s: invalid sub-command.\n", argv[1]);
		return CL_PARAM;
	}
	for (k = 0; k < nitems(cl_cmds); k++)
		if (strcmp(cl_cmds[k].name, a->cmd) == 0)
			c = &cl_cmds[k];
	if (c == NULL) {
		fprintf(stderr, "%s: invalid sub-command.\n", a->cmd);
		return CL_PARAM;
	}
	for (i = 1; i < argc; i++) {
		if (argv[i] == a->cmd && before) {
			before = 0;
			continue;
		}
		if (opts_done || argv[i][0] != '-' || argv[i][1] == '\0') {
			if (a->npos < (int)nitems(a->pos))
				a->pos[a->npos++] = argv[i];
			continue;
		}
		if (strcmp(argv[i], "--") == 0) {
			opts_done = 1;
			continue;
		}
		for (p = argv[i] + 1; *p; p++) {
			const char	*o = strchr(c->opts, *p);

			if (*p == ':' || o == NULL)
				return cl_bad_option(*p);
			if (o[1] == ':') {	/* hbparameter -p NAME */
				if (p[1])
					a->param = p + 1;
				else if (i + 1 < argc)
					a->param = argv[++i];
				else {
					fprintf(stderr, "cl_status: option "
					    "requires an argument -- '%c'\n",
					    *p);
					return CL_PARAM;
				}
				break;
			}
			switch (*p) {
			case 'm':
				a->human = 1;
				break;
			case 'v':
				a->verbose = 1;
				break;
			case 'p':
				a->only_p = 1;
				break;
			case 'n':
				a->only_n = 1;
				break;
			}
		}
	}
	return 0;
}

static int
cl_signon(void)
{
	if (try_connect() == -1) {
		fprintf(stderr, "Cannot signon with heartbeat\n");
		fprintf(stderr, "REASON: %s\n", strerror(errno));
		exit(1);
	}
	return 0;
}

static const struct jval *
cl_link(const struct jval *n, const char *name)
{
	const struct jval	*l;

	for (l = json_get(n, "links") ? json_get(n, "links")->child : NULL; l;
	    l = l->next)
		if (strcmp(s_or(l, "name", ""), name) == 0)
			return l;
	return NULL;
}

/* heartbeat walked a node's links in reverse of the ha.cf order */
static void
cl_links(const struct jval *n, int human, int verbose)
{
	const struct jval	*l, *ls[HBD_CL_MAX];
	int			 k = 0;

	if (human)
		printf("\tthis node has the following heartbeat links:\n");
	for (l = json_get(n, "links") ? json_get(n, "links")->child : NULL;
	    l && k < HBD_CL_MAX; l = l->next)
		ls[k++] = l;
	while (k-- > 0)
		if (verbose)
			printf("\t%s\t%s\n", s_or(ls[k], "name", "?"),
			    s_or(ls[k], "status", "dead"));
		else
			printf("\t%s\n", s_or(ls[k], "name", "?"));
}

static const char *
cl_node_status(const struct jval *n)
{
	const char	*s = s_or(n, "status", "dead");

	if (strcmp(s_or(n, "type", ""), "ping") == 0 && strcmp(s, "up") == 0)
		return "ping";
	return s;
}

static struct jval *
cl_parameters(void)
{
	char		 err[512];
	int		 ok;
	struct jval	*v = call("{\"cmd\":\"parameters\"}", &ok, err,
			    sizeof(err));

	if (!ok) {
		json_free(v);
		return NULL;
	}
	return v;
}

/*
 * heartbeat's node walk: the nodes in reverse of the order ha.cf named
 * them (cluster and ping nodes alike); hbd's status lists this node first.
 */
static void
cl_listnodes(const struct jval *st, const struct cl_args *a)
{
	const struct jval	*n, *ns[HBD_CL_MAX], *o;
	struct jval		*pv = cl_parameters();
	int			 p = a->only_p, nn = a->only_n, k = 0, i;

	o = pv && json_get(pv, "file_order") ?
	    json_get(pv, "file_order")->child : NULL;
	for (; o && k < HBD_CL_MAX; o = o->next)
		if (o->type == J_STR && (n = find_node(st, o->str)) != NULL)
			ns[k++] = n;
	if (k == 0)	/* an older hbd: its own order, reversed */
		for (n = json_get(st, "nodes")->child; n && k < HBD_CL_MAX;
		    n = n->next)
			ns[k++] = n;
	if (p && nn)
		p = nn = 0;	/* heartbeat: both means all */
	if (a->human)
		printf("The nodes are as follow:\n");
	for (i = k - 1; i >= 0; i--) {
		int	 ping = strcmp(s_or(ns[i], "type", ""), "ping") == 0;

		if ((p && !ping) || (nn && ping))
			continue;
		if (a->verbose) {
			printf("\n%s\t%s\t(nodetype: %s)\n",
			    s_or(ns[i], "name", "?"), cl_node_status(ns[i]),
			    s_or(ns[i], "type", "normal"));
			cl_links(ns[i], a->human, 1);
		} else
			printf("%s\n", s_or(ns[i], "name", "?"));
	}
	json_free(pv);
}

static int
cl_hbparameter(const struct cl_args *a)
{
	struct jval		*v;
	const char		*val;
	char			 err[512];
	int			 ok;

	if (a->param == NULL) {
		fprintf(stderr, "parameter name required\n");
		return CL_PARAM;
	}
	v = call("{\"cmd\":\"parameters\"}", &ok, err, sizeof(err));
	val = ok ? json_get_str(json_get(v, "parameters"), a->param) : NULL;
	if (val == NULL) {
		fprintf(stderr, "Cannot get parameter %s's value\n", a->param);
		json_free(v);
		return 1;
	}
	if (a->human)
		printf("Heartbeat parameter %s's value: %s\n", a->param, val);
	else
		printf("%s\n", val);
	json_free(v);
	return 0;
}

/* the answers that need a node, from a status object */
static int
cl_node_answer(const struct jval *st, const struct cl_args *a)
{
	const struct jval	*n, *l;
	const char		*cmd = a->cmd, *node = a->pos[0], *s;
	int			 need = strcmp(cmd, "hblinkstatus") == 0 ||
				    strcmp(cmd, "clientstatus") == 0 ? 2 : 1;

	if (a->npos < need) {
		/* heartbeat's two wordings */
		fprintf(stderr, "%s\n", strcmp(cmd, "nodestatus") == 0 ||
		    strcmp(cmd, "nodeweight") == 0 ||
		    strcmp(cmd, "nodesite") == 0 ? "Not enough parameters." :
		    "No enough parameter.");
		return CL_PARAM;
	}
	n = find_node(st, node);
	if (strcmp(cmd, "listhblinks") == 0) {
		if (n == NULL) {
			fprintf(stderr, "Cannot start heartbeat link interface "
			    "walk.\nREASON: no node named %s\n", node);
			return CL_UNKNOWN;
		}
		cl_links(n, a->human, a->verbose);
		return 0;
	}
	if (strcmp(cmd, "hblinkstatus") == 0) {
		if (n == NULL || (l = cl_link(n, a->pos[1])) == NULL) {
			fprintf(stderr, "Cannot get heartbeat link status\n"
			    "REASON: no %s %s\n", n ? "link" : "node",
			    n ? a->pos[1] : node);
			return CL_UNKNOWN;
		}
		s = s_or(l, "status", "dead");
		if (a->human)
			printf("The node %s's heartbeat link %s is %s\n", node,
			    a->pos[1], s);
		else
			printf("%s\n", s);
		return strcmp(s, "up") == 0 ? 0 : 1;
	}
	if (strcmp(cmd, "clientstatus") == 0) {
		/*
		 * hbd has no API clients. heartbeat, asked about a client
		 * that is not signed on at a node that answers, says
		 * "offline" and exits 1; when the node does not answer in
		 * time (it is down, or loaded), exit 13 and nothing on stdout.
		 */
		if (n != NULL && strcmp(s_or(n, "status", "dead"), "dead") &&
		    strcmp(s_or(n, "type", "normal"), "ping")) {
			if (a->human)
				printf("Client %s on node %s is offline\n",
				    a->pos[1], node);
			else
				printf("offline\n");
			return 1;
		}
		fprintf(stderr, "Cannot get heartbeat client %s's status\n"
		    "REASON: %s\n", a->pos[1], n == NULL ? "no such node" :
		    "the node does not answer");
		return CL_UNKNOWN;
	}
	if (n == NULL) {
		fprintf(stderr, "%s\n", strcmp(cmd, "nodeweight") == 0 ?
		    "Error. Maybe due to incorrect node name." :
		    "Error. May be due to incorrect node name");
		return CL_PARAM;
	}
	if (strcmp(cmd, "nodestatus") == 0) {
		s = cl_node_status(n);
		if (a->human)
			printf("The cluster node %s is %s\n", node, s);
		else
			printf("%s\n", s);
		return strcmp(s, "active") == 0 || strcmp(s, "up") == 0 ||
		    strcmp(s, "ping") == 0 ? 0 : 1;
	}
	if (strcmp(cmd, "nodetype") == 0) {
		s = s_or(n, "type", "unknown");
		if (a->human)
			printf("The node %s's type: %s\n", node, s);
		else
			printf("%s\n", s);
		return 0;
	}
	if (strcmp(cmd, "nodeweight") == 0) {
		/* heartbeat's default weight; hbd has no hb_setweight */
		if (a->human)
			printf("The weight of the cluster node %s is 100\n",
			    node);
		else
			printf("100\n");
		return 0;
	}
	/* nodesite: heartbeat's default, no site */
	if (a->human)
		printf("The site of the cluster node %s is \n", node);
	else
		printf("\n");
	return 0;
}

/* cl_status: heartbeat's words and exit codes. */
static int
cl_status_main(int argc, char **argv)
{
	struct cl_args	 a;
	struct jval	*st;
	int		 rc;

	if (argc == 1 || (argc == 2 && strcmp(argv[1], "-h") == 0)) {
		cl_help(stdout);
		return 0;
	}
	if ((rc = cl_parse(argc, argv, &a)) != 0)
		return rc;
	if (strcmp(a.cmd, "hbstatus") == 0) {
		if (try_connect() == -1) {
			printf("Heartbeat is stopped on this machine.\n");
			return 1;
		}
		if (!a.verbose) {
			printf("Heartbeat is running on this machine.\n");
			return 0;
		}
		st = get_status();
		if (a.human)
			printf("Heartbeat version %s\n"
			    "Resources controlled by \"haresources\"\n",
			    s_or(st, "version", "?"));
		else
			printf("version:\t%s\nmanaged by:\t\"haresources\"\n",
			    s_or(st, "version", "unknown"));
		a.only_n = a.only_p = 0;
		cl_listnodes(st, &a);
		json_free(st);
		return 0;
	}
	cl_signon();
	if (strcmp(a.cmd, "hbparameter") == 0)
		return cl_hbparameter(&a);
	st = get_status();
	if (strcmp(a.cmd, "listnodes") == 0) {
		cl_listnodes(st, &a);
		rc = 0;
	} else if (strcmp(a.cmd, "rscstatus") == 0) {
		const char	*s = s_or(st, "resources_held", "none");

		if (a.human)
			printf("This node is holding %s resources.\n", s);
		else
			printf("%s\n", s);
		rc = 0;
	} else
		rc = cl_node_answer(st, &a);
	json_free(st);
	return rc;
}

/* hb_standby / hb_takeover [all|foreign|local|failback] */
static int
hb_move_main(const char *me, int standby, int argc, char **argv)
{
	const char	*which = "all";
	char		 json[128];

	if (argc > 2) {
		fprintf(stderr, "%s: too many arguments\n", me);
		return 1;
	}
	if (argc == 2) {
		which = argv[1];
		if (strcmp(which, "all") && strcmp(which, "foreign") &&
		    strcmp(which, "local") && strcmp(which, "failback")) {
			fprintf(stderr, "%s: wrong resources(%s).\nusage:\n"
			    "%s [all|foreign|local|failback]\n", me, which, me);
			return 1;
		}
	}
	if (standby && strcmp(which, "failback") == 0)
		which = "foreign";
	if (standby)
		fprintf(stderr, "Going standby [%s].\n", which);
	snprintf(json, sizeof(json), "{\"cmd\":\"%s\",\"which\":\"%s\"}",
	    standby ? "standby" : "takeover", which);
	return do_move(json, 1) == EXIT_OK ? 0 : 1;
}

/* ---- check: a Nagios/Icinga plugin over the control socket ---- */

/*
 * hbctl check [--warn-age MS] [--crit-age MS] [--group NAME]
 *             [--state-file FILE]
 * Nagios plugin conventions: one line "HBD STATE - text | perfdata",
 * exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN. hbd not running or not
 * answering is CRITICAL (this node protects nothing); what keeps the plugin
 * from asking (bad arguments, permission denied, a reply it cannot read)
 * is UNKNOWN. Late heartbeats raise WARNING only with --state-file, which
 * remembers the counter between runs: a counter since hbd started would
 * otherwise stay WARNING for good after one late beat.
 */
struct check {
	int		 state;
	struct buf	 crit, warn, ok, perf;
};

static const char *const check_names[] = {
	"OK", "WARNING", "CRITICAL", "UNKNOWN"
};

static void
check_add(struct check *ck, int state, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
check_add(struct check *ck, int state, const char *fmt, ...)
{
	struct buf	*b = state == 2 ? &ck->crit : state == 1 ? &ck->warn :
			    &ck->ok;
	char		 text[512];
	va_list		 ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	buf_printf(b, "%s%s", b->len ? ", " : "", text);
	if (state > ck->state)
		ck->state = state;
}

static void __attribute__((noreturn))
check_exit(struct check *ck, int state, const char *text)
{
	struct buf	 out;

	if (state > ck->state)
		ck->state = state;
	buf_init(&out);
	buf_printf(&out, "HBD %s - ", check_names[ck->state]);
	if (text)
		buf_adds(&out, text);
	else if (ck->crit.len || ck->warn.len)
		buf_printf(&out, "%s%s%s", ck->crit.len ?
		    buf_cstr(&ck->crit) : "", ck->crit.len && ck->warn.len ?
		    "; " : "", ck->warn.len ? buf_cstr(&ck->warn) : "");
	else
		buf_adds(&out, buf_cstr(&ck->ok));
	/* perfdata never carries the separator: node names are tokens */
	printf("%s%s%s\n", buf_cstr(&out), ck->perf.len ? " | " : "",
	    ck->perf.len ? buf_cstr(&ck->perf) : "");
	exit(ck->state);
}

/* Late heartbeats since the previous run (same hbd generation); -1 first */
static int64_t
check_late_delta(struct check *ck, const char *file, int64_t gen,
    int64_t late)
{
	char		 tmp[4096];
	long long	 g = -1, l = -1;
	FILE		*fp;

	if ((fp = fopen(file, "r")) != NULL) {
		if (fscanf(fp, "%lld %lld", &g, &l) != 2)
			g = l = -1;
		fclose(fp);
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp", file);
	if ((fp = fopen(tmp, "w")) == NULL ||
	    fprintf(fp, "%lld %lld\n", (long long)gen, (long long)late) < 0 ||
	    fclose(fp) != 0 || rename(tmp, file) == -1) {
		snprintf(tmp, sizeof(tmp), "cannot write state file %s: %s",
		    file, strerror(errno));
		check_exit(ck, 3, tmp);
	}
	if (g == -1)
		return -1;
	return g == gen ? late - l : late;	/* hbd restarted: all new */
}

static void
check_nodes(struct check *ck, const struct jval *st, int64_t warn_age,
    int64_t crit_age)
{
	const struct jval	*n, *l, *nodes = json_get(st, "nodes");
	int			 npeers = 0;

	for (n = nodes ? nodes->child : NULL; n; n = n->next) {
		const char	*name = s_or(n, "name", "?");
		const char	*status = s_or(n, "status", "?");
		const struct jval *age = json_get(n, "last_heartbeat_ms");
		int		 local = json_get_bool(n, "local", 0);

		if (strcmp(s_or(n, "type", ""), "ping") == 0) {
			if (strcmp(status, "dead") == 0)
				check_add(ck, 1, "ping node %s unreachable",
				    name);
			continue;
		}
		for (l = json_get(n, "links") ? json_get(n, "links")->child :
		    NULL; l; l = l->next)
			if (strcmp(s_or(l, "status", ""), "dead") == 0 &&
			    strcmp(status, "dead") != 0 &&
			    strcmp(status, "init") != 0)
				check_add(ck, 1, "%s link %s%s%s dead",
				    local ? "local" : "heartbeat",
				    s_or(l, "name", "?"), local ? "" : " to ",
				    local ? "" : name);
		if (local)
			continue;
		npeers++;
		if (age && age->type == J_NUM)
			buf_printf(&ck->perf, "%slast_heartbeat_age_%s=%lldms;"
			    "%lld;%lld;0", ck->perf.len ? " " : "", name,
			    (long long)age->inum, (long long)warn_age,
			    (long long)crit_age);
		else
			buf_printf(&ck->perf, "%slast_heartbeat_age_%s=U",
			    ck->perf.len ? " " : "", name);
		if (strcmp(status, "dead") == 0)
			check_add(ck, 2, "peer %s dead", name);
		else if (strcmp(status, "active") != 0)
			check_add(ck, 1, "peer %s %s", name,
			    strcmp(status, "init") == 0 ? "not heard yet" :
			    status);
		else if (age && age->type == J_NUM && age->inum >= crit_age)
			check_add(ck, 2, "peer %s silent for %lld ms", name,
			    (long long)age->inum);
		else if (age && age->type == J_NUM && age->inum >= warn_age)
			check_add(ck, 1, "peer %s silent for %lld ms", name,
			    (long long)age->inum);
		else
			check_add(ck, 0, "peer %s active", name);
	}
	if (npeers == 0)
		check_add(ck, 0, "no peer configured");
}

static void
check_groups(struct check *ck, const struct jval *st, const char *only)
{
	const struct jval	*g, *groups = json_get(st, "groups");
	int			 n = 0, starting;

	starting = strcmp(s_or(st, "status", ""), "init") == 0;
	for (g = groups ? groups->child : NULL; g; g = g->next) {
		const char	*name = s_or(g, "name", "?");
		const char	*state = s_or(g, "state", "?");
		const char	*owner = s_or(g, "owner", "");
		const char	*pref = s_or(g, "preferred", "");

		if (only && strcmp(only, name) != 0)
			continue;
		n++;
		if (strcmp(state, "failed") == 0)
			check_add(ck, 2, "group %s failed%s%s", name,
			    owner[0] ? " on " : "", owner);
		else if (strcmp(state, "started") != 0 && owner[0] == '\0' &&
		    !starting)
			check_add(ck, 2, "group %s %s, no owner", name, state);
		else if (strcmp(state, "started") != 0)
			check_add(ck, 1, "group %s %s%s%s", name, state,
			    owner[0] ? " on " : "", owner);
		else if (pref[0] && strcmp(owner, pref) != 0)
			check_add(ck, 1, "group %s on %s, preferred %s", name,
			    owner, pref);
	}
	if (only && n == 0) {
		char	 text[300];

		snprintf(text, sizeof(text), "no group %s", only);
		check_exit(ck, 3, text);
	}
	if (n)
		check_add(ck, 0, "%d group%s started", n, n == 1 ? "" : "s");
}

static int64_t
check_ms_arg(struct check *ck, const char *opt, const char *v)
{
	char		*end;
	long long	 ms;

	errno = 0;
	ms = v ? strtoll(v, &end, 10) : -1;
	if (v == NULL || errno || *end || ms <= 0) {
		char	 text[200];

		snprintf(text, sizeof(text), "%s: expected milliseconds, got "
		    "%s", opt, v ? v : "nothing");
		check_exit(ck, 3, text);
	}
	return ms;
}

static int
cmd_check(int argc, char **argv)
{
	struct check		 ck;
	struct jval		*st = NULL;
	const struct jval	*cfg, *cn, *r;
	const char		*group = NULL, *statefile = NULL, *a;
	int64_t			 warn_age = -1, crit_age = -1, late, delta;
	char			 err[512];
	int			 i, type, rc;

	memset(&ck, 0, sizeof(ck));
	buf_init(&ck.crit);
	buf_init(&ck.warn);
	buf_init(&ck.ok);
	buf_init(&ck.perf);
	for (i = 1; i < argc; i++) {
		a = argv[i];
		if (strcmp(a, "--warn-age") == 0)
			warn_age = check_ms_arg(&ck, a, argv[++i]);
		else if (strcmp(a, "--crit-age") == 0)
			crit_age = check_ms_arg(&ck, a, argv[++i]);
		else if (strcmp(a, "--group") == 0 && i + 1 < argc)
			group = argv[++i];
		else if (strcmp(a, "--state-file") == 0 && i + 1 < argc)
			statefile = argv[++i];
		else
			check_exit(&ck, 3, "usage: hbctl check [--warn-age MS] "
			    "[--crit-age MS] [--group NAME] [--state-file "
			    "FILE]");
	}
	if (warn_age > 0 && crit_age > 0 && warn_age > crit_age)
		check_exit(&ck, 3, "--warn-age is above --crit-age");

	if (try_connect() == -1) {
		int	 denied = errno == EACCES || errno == EPERM;

		snprintf(err, sizeof(err), "%s %s: %s", denied ? "cannot reach "
		    "hbd at" : "hbd not running: no answer at", sock_path,
		    strerror(errno));
		check_exit(&ck, denied ? 3 : 2, err);
	}
	rc = ctl_call(&conn, "{\"cmd\":\"status\"}", 5000, &type, &st, err,
	    sizeof(err));
	if (rc <= 0) {
		char	 text[600];

		snprintf(text, sizeof(text), "hbd does not answer: %s", err);
		check_exit(&ck, rc == 0 ? 2 : 3, text);
	}
	if (type != CTL_OK) {
		snprintf(err, sizeof(err), "hbd refused: %s",
		    s_or(st, "error", "?"));
		check_exit(&ck, 3, err);
	}

	cfg = json_get(st, "config");
	cn = json_get(st, "counters");
	if (warn_age < 0)
		warn_age = json_get_int(cfg, "warntime_ms", 0);
	if (crit_age < 0)
		crit_age = json_get_int(cfg, "deadtime_ms", 0);
	if (strcmp(s_or(st, "status", ""), "active") != 0)
		check_add(&ck, 1, "hbd %s on %s", strcmp(s_or(st, "status",
		    ""), "init") == 0 ? "starting" : s_or(st, "status", "?"),
		    s_or(st, "node", "?"));
	else
		check_add(&ck, 0, "%s active", s_or(st, "node", "?"));
	check_nodes(&ck, st, warn_age, crit_age);
	check_groups(&ck, st, group);
	if (strcmp(s_or(json_get(st, "fence"), "state", ""), "failed") == 0)
		check_add(&ck, 2, "fencing failed");
	for (r = json_get(st, "respawn") ? json_get(st, "respawn")->child :
	    NULL; r; r = r->next)
		if (strcmp(s_or(r, "state", ""), "given up") == 0)
			check_add(&ck, 1, "respawn %s given up",
			    s_or(r, "program", "?"));

	late = json_get_int(cn, "late_heartbeats", 0);
	if (statefile) {
		delta = check_late_delta(&ck, statefile,
		    json_get_int(st, "generation", 0), late);
		if (delta > 0)
			check_add(&ck, 1, "%lld late heartbeat%s since the "
			    "last check", (long long)delta, delta == 1 ? "" :
			    "s");
	}
	buf_printf(&ck.perf, "%stakeovers=%lldc late_heartbeats=%lldc",
	    ck.perf.len ? " " : "", (long long)json_get_int(cn, "takeovers", 0),
	    (long long)late);
	json_free(st);
	check_exit(&ck, 0, NULL);
}

/* ---- main ---- */

static const struct {
	const char	*name;
	int		(*fn)(int, char **);
	const char	*help;
} commands[] = {
	{ "status", cmd_status, "the whole picture" },
	{ "standby", cmd_standby, "[all|local|foreign]: move groups away" },
	{ "takeover", cmd_takeover, "[all|local|foreign]: pull groups here" },
	{ "move", cmd_move, "GROUP NODE: move one group" },
	{ "events", cmd_events, "stream events until interrupted" },
	{ "timeline", cmd_timeline, "[--group NAME] [FILE...]: the last move "
	    "in events recorded with --json events" },
	{ "reload", cmd_reload, "re-read the configuration" },
	{ "poison", cmd_poison, "NODE: tell the peer to release all and stop" },
	{ "export", cmd_export, "pacemaker|pcs|crmsh|corosync [--format F]: "
	    "the loaded configuration for Pacemaker" },
	{ "check", cmd_check, "[--warn-age MS] [--crit-age MS] [--group NAME] "
	    "[--state-file FILE]: Nagios plugin" },
};

/* Options may also follow the command: hbctl standby --wait 10 */
static int
late_options(int argc, char **argv)
{
	int	 i, k = 0;
	char	*end;

	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0 || strcmp(argv[i], "-j") == 0)
			opt_json = 1;
		else if ((strcmp(argv[i], "--wait") == 0 ||
		    strcmp(argv[i], "-w") == 0) && i + 1 < argc) {
			opt_wait = strtod(argv[++i], &end);
			if (*end || opt_wait < 0)
				die(EXIT_USAGE, "--wait: expected seconds, got "
				    "%s", argv[i]);
		} else if (strncmp(argv[i], "--wait=", 7) == 0) {
			opt_wait = strtod(argv[i] + 7, &end);
			if (*end || opt_wait < 0)
				die(EXIT_USAGE, "--wait: expected seconds, got "
				    "%s", argv[i] + 7);
		} else
			argv[k++] = argv[i];
	}
	argv[k] = NULL;
	return k;
}

static void __attribute__((noreturn))
usage(void)
{
	size_t	 i;

	fprintf(stderr, "usage: hbctl [-S SOCKET] [--json] [--wait SECONDS] "
	    "COMMAND [ARGS]\ncommands:\n");
	for (i = 0; i < nitems(commands); i++)
		fprintf(stderr, "  %-9s %s\n", commands[i].name,
		    commands[i].help);
	exit(EXIT_USAGE);
}

int
main(int argc, char **argv)
{
	const char	*me = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 :
			    argv[0];
	size_t		 i, len, match = 0, nmatch = 0;
	int		 ch;
	char		*end;
	static const struct option longopts[] = {
		{ "socket", required_argument, NULL, 'S' },
		{ "json", no_argument, NULL, 'j' },
		{ "wait", required_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};

	sock_path = getenv("HBD_SOCKET");
	if (sock_path == NULL)
		sock_path = CTL_DEFAULT_SOCKET;
	compat = 1;
	if (strcmp(me, "cl_status") == 0)
		return cl_status_main(argc, argv);
	compat = 2;
	if (strcmp(me, "hb_standby") == 0)
		return hb_move_main(me, 1, argc, argv);
	if (strcmp(me, "hb_takeover") == 0)
		return hb_move_main(me, 0, argc, argv);
	compat = 0;

	while ((ch = getopt_long(argc, argv, "+S:jw:h", longopts, NULL)) != -1)
		switch (ch) {
		case 'S':
			sock_path = optarg;
			break;
		case 'j':
			opt_json = 1;
			break;
		case 'w':
			opt_wait = strtod(optarg, &end);
			if (*end || opt_wait < 0)
				die(EXIT_USAGE, "--wait: expected seconds, got "
				    "%s", optarg);
			break;
		default:
			usage();
		}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		usage();
	argc = late_options(argc, argv);
	len = strlen(argv[0]);
	for (i = 0; i < nitems(commands); i++) {
		if (strcmp(commands[i].name, argv[0]) == 0) {
			match = i;
			nmatch = 1;
			break;
		}
		if (strncmp(commands[i].name, argv[0], len) == 0) {
			match = i;
			nmatch++;
		}
	}
	if (nmatch != 1) {
		fprintf(stderr, "hbctl: %s command: %s\nvalid commands:",
		    nmatch ? "ambiguous" : "unknown", argv[0]);
		for (i = 0; i < nitems(commands); i++)
			fprintf(stderr, " %s", commands[i].name);
		fprintf(stderr, "\n");
		return EXIT_USAGE;
	}
	return commands[match].fn(argc, argv);
}
