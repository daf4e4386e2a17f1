/*
 * hbdlink: subscribe, then keep the cache current.
 *
 * Timing: a lost or absent hbd is retried every HL_RECONNECT_MS, so the
 * objects answer again well within 2 s of hbd's socket coming back. The
 * status poll runs every HL_POLL_MS and right after each burst of events
 * (one request outstanding at most); replies and events share the
 * connection and hbd sends them in the order the state changed, so a
 * status reply can simply replace the cache. A reply that does not come
 * within HL_REPLY_TIMEOUT_MS means hbd hangs: the link is dropped and hbd
 * is reported unreachable rather than serving a frozen picture.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cache.h"
#include "ctl_client.h"
#include "hbdlink.h"
#include "log.h"
#include "util.h"

enum announced {
	ANN_NONE,		/* nothing said yet (start-up) */
	ANN_UP,
	ANN_DOWN
};

static struct {
	const char			*path;
	const struct hl_handlers	*h;
	struct ctl_conn			 c;
	int				 open;		/* socket connected */
	int				 up;		/* snapshot loaded */
	int				 pending;	/* a request awaits reply */
	int64_t				 sent_at;
	int64_t				 next_try;
	int64_t				 next_poll;
	int				 want_status;
	uint64_t			 seq;
	enum announced			 said;
	int64_t				 down_since;
} hl;

void
hl_start(const char *path, const struct hl_handlers *h)
{
	memset(&hl, 0, sizeof(hl));
	hl.path = path;
	hl.h = h;
	ctl_conn_init(&hl.c);
}

static void
announce_down(const char *why, int64_t now)
{
	if (hl.said == ANN_DOWN)
		return;
	if (hl.said == ANN_UP)
		log_warnx("lost hbd at %s: %s; retrying every %d ms",
		    hl.path, why, HL_RECONNECT_MS);
	else
		log_warnx("cannot reach hbd at %s: %s; retrying every %d ms",
		    hl.path, why, HL_RECONNECT_MS);
	hl.said = ANN_DOWN;
	hl.down_since = now;
	cache_set_unreachable(now);
	hl.h->down(why);
}

static void
drop_link(const char *why, int64_t now)
{
	ctl_disconnect(&hl.c);
	hl.open = hl.up = hl.pending = hl.want_status = 0;
	hl.next_try = now + HL_RECONNECT_MS;
	announce_down(why, now);
}

static void
send_request(const char *json, int64_t now)
{
	if (ctl_send(&hl.c, json) == -1) {
		drop_link(strerror(errno), now);
		return;
	}
	hl.pending = 1;
	hl.sent_at = now;
}

static void
try_connect(int64_t now)
{
	if (ctl_connect(&hl.c, hl.path, 1) == -1) {
		hl.next_try = now + HL_RECONNECT_MS;
		announce_down(strerror(errno), now);
		return;
	}
	hl.open = 1;
	if (log_verbose() > 1)
		log_debug("connected to %s; subscribing", hl.path);
	send_request("{\"cmd\":\"subscribe\"}", now);
}

static void
on_ok(struct jval *v, int64_t now)
{
	char			 err[160];
	const struct jval	*snap;

	hl.pending = 0;
	hl.next_poll = now + HL_POLL_MS;
	if (hl.up) {
		if (cache_load(v, now, err, sizeof(err)) == -1)
			log_warnx("hbd status ignored: %s", err);
		return;
	}
	snap = json_get(v, "snapshot");
	if (cache_load(snap, now, err, sizeof(err)) == -1) {
		drop_link(err, now);
		return;
	}
	hl.seq = (uint64_t)json_get_int(v, "seq", 0);
	hl.up = 1;
	cache_set_reachable(now, json_get_int(snap, "mono_ms", now));
	if (hl.said == ANN_DOWN)
		log_info("hbd is back at %s (node %s) after %.1f s", hl.path,
		    cache_get()->node, (double)(now - hl.down_since) / 1000);
	else
		log_info("connected to hbd %s at %s (node %s)",
		    cache_get()->version, hl.path, cache_get()->node);
	hl.said = ANN_UP;
	hl.h->up();
}

static void
on_event(struct jval *v)
{
	uint64_t	 seq = (uint64_t)json_get_int(v, "seq", 0);

	if (!hl.up)
		return;
	if (seq != hl.seq + 1)
		log_warnx("hbd event %llu arrived after %llu: %llu missed; "
		    "re-reading the status", (unsigned long long)seq,
		    (unsigned long long)hl.seq,
		    (unsigned long long)(seq > hl.seq ? seq - hl.seq - 1 : 0));
	hl.seq = seq;
	if (log_verbose() > 1)
		log_debug("hbd event %llu: %s", (unsigned long long)seq,
		    json_get_str(v, "type") ? json_get_str(v, "type") : "?");
	cache_apply_event(v);
	hl.h->event(v);
	hl.want_status = 1;
}

static void
read_frames(int64_t now)
{
	struct jval	*v;
	char		 err[160];
	int		 type, r, eof;

	eof = ctl_fill(&hl.c) == -1;
	while (hl.open && (r = ctl_take(&hl.c, &type, &v, err,
	    sizeof(err))) != 0) {
		if (r == -1) {
			json_free(v);
			drop_link(err, now);
			return;
		}
		switch (type) {
		case CTL_OK:
			on_ok(v, now);
			break;
		case CTL_EVENT:
			on_event(v);
			break;
		case CTL_ERROR:
			hl.pending = 0;
			log_warnx("hbd refused a request: %s",
			    json_get_str(v, "error") ? json_get_str(v,
			    "error") : "?");
			if (!hl.up) {
				json_free(v);
				drop_link("subscription refused", now);
				return;
			}
			break;
		default:
			break;
		}
		json_free(v);
	}
	if (eof && hl.open)
		drop_link("hbd closed the connection", now);
}

int
hl_fd(short *events)
{
	if (!hl.open)
		return -1;
	*events = POLLIN | (hl.c.out.len ? POLLOUT : 0);
	return hl.c.fd;
}

int
hl_timeout(int64_t now)
{
	int64_t	 t;

	if (!hl.open)
		t = hl.next_try - now;
	else if (hl.pending)
		t = hl.sent_at + HL_REPLY_TIMEOUT_MS - now;
	else if (hl.want_status)
		t = 0;
	else
		t = hl.next_poll - now;
	return t < 0 ? 0 : t > 60000 ? 60000 : (int)t;
}

void
hl_run(int64_t now, short revents)
{
	if (!hl.open) {
		if (now >= hl.next_try)
			try_connect(now);
		return;
	}
	if (revents & (POLLIN | POLLHUP | POLLERR))
		read_frames(now);
	if (hl.open && (revents & POLLOUT) && ctl_flush(&hl.c) == -1)
		drop_link(strerror(errno), now);
	if (!hl.open)
		return;
	if (hl.pending) {
		if (now - hl.sent_at < HL_REPLY_TIMEOUT_MS)
			return;
		/* the loop itself may have been held up (net-snmp's AgentX
		 * ping waits for a hung snmpd): look before blaming hbd */
		read_frames(now);
		if (hl.open && hl.pending)
			drop_link("no reply from hbd within 3 s", now);
		return;
	}
	if (hl.up && (hl.want_status || now >= hl.next_poll)) {
		hl.want_status = 0;
		send_request("{\"cmd\":\"status\"}", now);
	}
}

void
hl_stop(void)
{
	ctl_disconnect(&hl.c);
	buf_free(&hl.c.in);
	buf_free(&hl.c.out);
	hl.open = hl.up = 0;
}

/* the move a SET is waiting for */
static struct {
	struct ctl_conn	 c;
	int		 active;
	int64_t		 deadline;
	hl_move_cb	 done;
	void		*arg;
} mv;

static void
move_finish(int r, const char *err)
{
	hl_move_cb	 done = mv.done;
	void		*arg = mv.arg;

	ctl_disconnect(&mv.c);
	buf_free(&mv.c.in);
	buf_free(&mv.c.out);
	mv.active = 0;
	mv.done = NULL;
	done(arg, r, err);
}

int
hl_move_start(const char *group, const char *node, int timeout_ms,
    hl_move_cb done, void *arg, char *err, size_t errlen)
{
	struct buf	 req;
	struct jw	 w;

	if (mv.active) {
		snprintf(err, errlen, "another move is in progress");
		return -1;
	}
	buf_init(&req);
	jw_init(&w, &req);
	jw_obj_begin(&w, NULL);
	jw_str(&w, "cmd", "move");
	jw_str(&w, "group", group);
	jw_str(&w, "node", node);
	/* hbd holds this request to snmp_write even if we run as root */
	jw_str(&w, "client", "hbd-snmp");
	jw_obj_end(&w);

	ctl_conn_init(&mv.c);
	if (ctl_connect(&mv.c, hl.path, 1) == -1) {
		snprintf(err, errlen, "cannot reach hbd: %s", strerror(errno));
		buf_free(&req);
		return -1;
	}
	/* queued; a fresh socket normally takes it at once */
	if (ctl_send(&mv.c, buf_cstr(&req)) == -1) {
		snprintf(err, errlen, "send: %s", strerror(errno));
		ctl_disconnect(&mv.c);
		buf_free(&mv.c.in);
		buf_free(&mv.c.out);
		buf_free(&req);
		return -1;
	}
	buf_free(&req);
	mv.active = 1;
	mv.deadline = mono_ms() + timeout_ms;
	mv.done = done;
	mv.arg = arg;
	return 0;
}

int
hl_move_fd(short *events)
{
	if (!mv.active)
		return -1;
	*events = POLLIN | (mv.c.out.len ? POLLOUT : 0);
	return mv.c.fd;
}

int
hl_move_timeout(int64_t now)
{
	if (!mv.active)
		return -1;
	return mv.deadline <= now ? 0 : (int)(mv.deadline - now);
}

void
hl_move_run(int64_t now, short revents)
{
	struct jval	*v = NULL;
	char		 err[256];
	int		 type = 0, r;

	if (!mv.active)
		return;
	if ((revents & POLLOUT) && ctl_flush(&mv.c) == -1) {
		snprintf(err, sizeof(err), "send: %s", strerror(errno));
		move_finish(-1, err);
		return;
	}
	if (revents & (POLLIN | POLLHUP | POLLERR)) {
		r = ctl_fill(&mv.c);
		err[0] = '\0';
		if (ctl_take(&mv.c, &type, &v, err, sizeof(err)) == 1) {
			if (type == CTL_OK)
				move_finish(0, NULL);
			else {
				snprintf(err, sizeof(err), "%s",
				    json_get_str(v, "error") ?
				    json_get_str(v, "error") : "refused");
				move_finish(1, err);
			}
			json_free(v);
			return;
		}
		if (r == -1 || err[0] != '\0') {
			move_finish(-1, err[0] ? err :
			    "hbd closed the connection");
			return;
		}
	}
	if (now >= mv.deadline)
		move_finish(-1, "timed out");
}
