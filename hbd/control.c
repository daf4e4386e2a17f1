/*
 * control: unix stream socket server. Non-blocking throughout: a client
 * that stops reading is cut off when its queue passes CTL_MAX_QUEUE, one
 * that sends garbage or an oversize frame is answered once and closed.
 * Clients are freed from a timer, never inside a callback that may still
 * hold a pointer to them.
 *
 * Who may do what (SO_PEERCRED at accept): root everything; the user
 * hbd-snmp runs as (snmp_user) status, subscribe and move, the move only
 * while snmp_write is on; members of the api groups status and subscribe.
 * A root client whose request says "client": "hbd-snmp" is held to the
 * same rule, so snmp_write binds an hbd-snmp still run as root.
 *
 * Slots: non-root users share CTL_MAX_CLIENTS - CTL_ROOT_RESERVED, at most
 * CTL_MAX_PER_UID each, and a client that has not subscribed is closed
 * after CTL_IDLE_MS without a request: a haclient member holding idle
 * connections cannot lock root (or an snmpset failover) out. Refusals
 * are logged at most once per 10 s. When accept() runs out of
 * descriptors the listener is taken out of the loop for
 * CTL_ACCEPT_PAUSE_MS: left in, it would stay readable and the loop
 * would spin (under SCHED_RR, starving everything else).
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "control.h"
#include "ctl_proto.h"
#include "event.h"
#include "log.h"
#include "util.h"

enum priv {
	PRIV_NONE,
	PRIV_READ,
	PRIV_SNMP,		/* hbd-snmp: read, and move if snmp_write */
	PRIV_ADMIN
};

struct client {
	int		 fd;
	int		 dead;
	int		 subscribed;
	enum priv	 priv;
	uid_t		 uid;
	pid_t		 pid;
	int64_t		 last_request;	/* mono ms; accept counts as one */
	struct ev_io	 io;
	struct buf	 in, out;
	struct client	*next;
};

static int			 lfd = -1;
static struct ev_io		 lio;
static char			*sockpath;
static struct client		*clients;
static int			 nclients;
static struct ev_timer		 gc_timer;
static const struct ctl_handlers *handlers;
static gid_t			 api_gids[HBD_MAX_APIGROUPS + 1];
static int			 n_api_gids;
static const struct conf	*cur_conf;	/* for "parameters" */
static struct ctl_stats		 stats;
static uint64_t			 event_seq;
static struct buf		 evbuf;
static struct jw		 evw;
static struct log_rl		 rl_bad, rl_refused, rl_emfile;
static struct ev_timer		 idle_timer, accept_timer;
static uid_t			 snmp_uid = (uid_t)-1;
static int			 snmp_write;
static int			 started;

static void	client_update(struct client *);

uint64_t
ctl_event_seq(void)
{
	return event_seq;
}

void
ctl_get_stats(struct ctl_stats *s)
{
	struct client	*c;

	*s = stats;
	s->clients = s->subscribers = 0;
	for (c = clients; c; c = c->next)
		if (!c->dead) {
			s->clients++;
			if (c->subscribed)
				s->subscribers++;
		}
}

static void
client_kill(struct client *c, const char *why)
{
	if (c->dead)
		return;
	if (why)
		log_debug("control: closing client pid %d: %s", (int)c->pid,
		    why);
	ev_io_stop(&c->io);
	close(c->fd);
	c->fd = -1;
	c->dead = 1;
	ev_timer_add(&gc_timer, 0);
}

static void
on_gc(struct ev_timer *t, void *arg)
{
	struct client	**pp = &clients, *c;

	while ((c = *pp) != NULL) {
		if (c->dead) {
			*pp = c->next;
			buf_free(&c->in);
			buf_free(&c->out);
			free(c);
			nclients--;
		} else
			pp = &c->next;
	}
}

static void
client_send(struct client *c, enum ctl_type t, const char *p, size_t n)
{
	if (c->dead)
		return;
	if (c->out.len + n + CTL_HDR_LEN > CTL_MAX_QUEUE) {
		stats.slow_dropped++;
		log_warnx("control: client pid %d is not reading; %zu bytes "
		    "queued: disconnecting it", (int)c->pid, c->out.len);
		client_kill(c, NULL);
		return;
	}
	ctl_frame_add(&c->out, t, p, n);
	client_update(c);
}

static void
send_error(struct client *c, const char *msg)
{
	struct buf	 b;
	struct jw	 w;

	buf_init(&b);
	jw_init(&w, &b);
	jw_obj_begin(&w, NULL);
	jw_str(&w, "error", msg);
	jw_obj_end(&w);
	client_send(c, CTL_ERROR, b.data, b.len);
	buf_free(&b);
}

static void
flush_out(struct client *c)
{
	ssize_t	 n;

	while (c->out.len > 0) {
		n = send(c->fd, c->out.data, c->out.len,
		    MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n == -1) {
			if (errno == EAGAIN || errno == EINTR)
				return;
			client_kill(c, strerror(errno));
			return;
		}
		buf_drop(&c->out, (size_t)n);
	}
}

static void
client_update(struct client *c)
{
	if (c->dead)
		return;
	flush_out(c);
	if (!c->dead)
		ev_io_start(&c->io, EV_READ | (c->out.len ? EV_WRITE : 0));
}

/* NULL when this client may run cmd, else why not */
static const char *
priv_needed(const struct client *c, const struct jval *req, const char *cmd)
{
	const char	*who = json_get_str(req, "client");
	enum priv	 p = c->priv;

	if (strcmp(cmd, "status") == 0 || strcmp(cmd, "subscribe") == 0 ||
	    strcmp(cmd, "hello") == 0 || strcmp(cmd, "parameters") == 0)
		return NULL;
	if (p == PRIV_ADMIN && who != NULL && strcmp(who, "hbd-snmp") == 0)
		p = PRIV_SNMP;
	switch (p) {
	case PRIV_ADMIN:
		return NULL;
	case PRIV_SNMP:
		if (strcmp(cmd, "move") != 0)
			return "hbd-snmp may only read and move groups";
		if (!snmp_write)
			return "SNMP writes are off (snmp_write off in ha.cf)";
		return NULL;
	default:
		return "only root may change the cluster";
	}
}

static void
status_reply(struct client *c, int subscribe)
{
	struct buf	 b;
	struct jw	 w;

	buf_init(&b);
	jw_init(&w, &b);
	jw_obj_begin(&w, NULL);
	if (subscribe) {
		jw_int(&w, "seq", (int64_t)event_seq);
		jw_obj_begin(&w, "snapshot");
		handlers->status(&w);
		jw_obj_end(&w);
	} else
		handlers->status(&w);
	jw_obj_end(&w);
	client_send(c, CTL_OK, b.data, b.len);
	buf_free(&b);
}

/* heartbeat's parameters (cl_status hbparameter): name -> value */
static void
parameters_reply(struct client *c)
{
	struct buf	 b;
	struct jw	 w;
	int		 i;

	buf_init(&b);
	jw_init(&w, &b);
	jw_obj_begin(&w, NULL);
	jw_obj_begin(&w, "parameters");
	for (i = 0; cur_conf && i < cur_conf->nparams; i++)
		jw_str(&w, cur_conf->params[i].name, cur_conf->params[i].value);
	jw_obj_end(&w);
	jw_arr_begin(&w, "file_order");
	for (i = 0; cur_conf && i < cur_conf->nfile_order; i++)
		jw_str(&w, NULL, cur_conf->file_order[i]);
	jw_arr_end(&w);
	jw_obj_end(&w);
	client_send(c, CTL_OK, b.data, b.len);
	buf_free(&b);
}

static void
handle_request(struct client *c, const char *p, size_t n)
{
	struct jval	*req;
	const char	*cmd, *why;
	char		 err[256];
	struct buf	 b;
	struct jw	 w;
	unsigned	 supp;

	if ((req = json_parse(p, n, err, sizeof(err))) == NULL ||
	    req->type != J_OBJ || (cmd = json_get_str(req, "cmd")) == NULL) {
		stats.bad_frames++;
		send_error(c, "malformed request: expected {\"cmd\": ...}");
		json_free(req);
		return;
	}
	c->last_request = mono_ms();
	if ((why = priv_needed(c, req, cmd)) != NULL) {
		snprintf(err, sizeof(err), "permission denied: %s", why);
		stats.refused++;
		if ((c->priv == PRIV_SNMP || c->priv == PRIV_ADMIN) &&
		    log_rl_check(&rl_refused, c->last_request, 10000, &supp))
			log_notice("control: refused %s from uid %u pid %d: %s "
			    "(%u more refused since the last message)", cmd,
			    (unsigned)c->uid, (int)c->pid, why, supp);
		send_error(c, err);
		json_free(req);
		return;
	}
	if (strcmp(cmd, "status") == 0)
		status_reply(c, 0);
	else if (strcmp(cmd, "parameters") == 0)
		parameters_reply(c);
	else if (strcmp(cmd, "subscribe") == 0) {
		status_reply(c, 1);
		c->subscribed = 1;
	} else {
		buf_init(&b);
		jw_init(&w, &b);
		jw_obj_begin(&w, NULL);
		err[0] = '\0';
		if (handlers->command(cmd, req, &w, err, sizeof(err)) == 0) {
			jw_obj_end(&w);
			client_send(c, CTL_OK, b.data, b.len);
		} else
			send_error(c, err[0] ? err : "failed");
		buf_free(&b);
	}
	json_free(req);
}

static void
client_read(struct client *c)
{
	char			 b[8192];
	ssize_t			 n;
	struct ctl_frame	 f;
	const char		*why;
	long			 used;
	unsigned		 supp;

	n = recv(c->fd, b, sizeof(b), MSG_DONTWAIT);
	if (n == 0) {
		client_kill(c, "closed");
		return;
	}
	if (n == -1) {
		if (errno != EAGAIN && errno != EINTR)
			client_kill(c, strerror(errno));
		return;
	}
	buf_add(&c->in, b, (size_t)n);
	while (!c->dead && c->in.len > 0) {
		used = ctl_frame_parse(c->in.data, c->in.len, &f, &why);
		if (used == 0)
			return;
		if (used < 0) {
			stats.bad_frames++;
			if (log_rl_check(&rl_bad, mono_ms(), 10000, &supp))
				log_warnx("control: client pid %d uid %u: %s; "
				    "disconnecting", (int)c->pid,
				    (unsigned)c->uid, why);
			send_error(c, why);
			flush_out(c);
			client_kill(c, NULL);
			return;
		}
		if (f.type != CTL_REQUEST) {
			stats.bad_frames++;
			send_error(c, "expected a request frame");
		} else
			handle_request(c, f.payload, f.len);
		buf_drop(&c->in, (size_t)used);
	}
}

static void
on_client(struct ev_io *io, int events, void *arg)
{
	struct client	*c = arg;

	if (events & EV_WRITE)
		client_update(c);
	if (!c->dead && (events & EV_READ))
		client_read(c);
}

/* Supplementary groups of a process, from /proc: SO_PEERCRED has only one */
static int
pid_in_groups(pid_t pid, gid_t primary)
{
	char	 path[64], line[1024];
	FILE	*fp;
	int	 i, found = 0;

	for (i = 0; i < n_api_gids; i++)
		if (api_gids[i] == primary)
			return 1;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if ((fp = fopen(path, "r")) == NULL)
		return 0;
	while (!found && fgets(line, sizeof(line), fp)) {
		char	*p, *end;

		if (strncmp(line, "Groups:", 7) != 0)
			continue;
		for (p = line + 7; *p; p = end) {
			unsigned long	 g = strtoul(p, &end, 10);

			if (end == p)
				break;
			for (i = 0; i < n_api_gids; i++)
				if (api_gids[i] == (gid_t)g)
					found = 1;
		}
	}
	fclose(fp);
	return found;
}

/* Refuse without a client record: one error frame if it fits, then close */
static void
refuse(int fd, uid_t uid, pid_t pid, const char *msg)
{
	struct buf	 b, f;
	struct jw	 w;
	unsigned	 supp;

	stats.refused++;
	if (log_rl_check(&rl_refused, mono_ms(), 10000, &supp))
		log_notice("control: refused uid %u pid %d: %s (%u more "
		    "refused since the last message)", (unsigned)uid,
		    (int)pid, msg, supp);
	buf_init(&b);
	buf_init(&f);
	jw_init(&w, &b);
	jw_obj_begin(&w, NULL);
	jw_str(&w, "error", msg);
	jw_obj_end(&w);
	ctl_frame_add(&f, CTL_ERROR, b.data, b.len);
	(void)send(fd, f.data, f.len, MSG_DONTWAIT | MSG_NOSIGNAL);
	buf_free(&b);
	buf_free(&f);
	close(fd);
}

static void
count_clients(uid_t uid, int *live, int *nonroot, int *same_uid)
{
	struct client	*c;

	*live = *nonroot = *same_uid = 0;
	for (c = clients; c; c = c->next) {
		if (c->dead)
			continue;
		(*live)++;
		if (c->uid != 0)
			(*nonroot)++;
		if (c->uid == uid)
			(*same_uid)++;
	}
}

static void
on_accept_resume(struct ev_timer *t, void *arg)
{
	if (lfd != -1)
		ev_io_start(&lio, EV_READ);
}

static void
on_accept(struct ev_io *io, int events, void *arg)
{
	struct ucred	 cr;
	socklen_t	 len = sizeof(cr);
	struct client	*c;
	char		 msg[200];
	int		 fd, live, nonroot, same;
	unsigned	 supp;

	fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd == -1) {
		if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
		    errno == ENOMEM) {
			/* the connection stays queued: look again later */
			stats.accept_paused++;
			if (log_rl_check(&rl_emfile, mono_ms(), 10000, &supp))
				log_warn("control: accept (%u more since the "
				    "last message); not accepting for %d ms",
				    supp, CTL_ACCEPT_PAUSE_MS);
			ev_io_stop(&lio);
			ev_timer_add(&accept_timer, CTL_ACCEPT_PAUSE_MS);
		}
		return;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) == -1) {
		close(fd);
		return;
	}
	count_clients(cr.uid, &live, &nonroot, &same);
	if (live >= CTL_MAX_CLIENTS) {
		snprintf(msg, sizeof(msg), "too many clients (%d)", live);
		refuse(fd, cr.uid, cr.pid, msg);
		return;
	}
	if (cr.uid != 0 && nonroot >= CTL_MAX_CLIENTS - CTL_ROOT_RESERVED) {
		snprintf(msg, sizeof(msg), "too many clients (%d); the last "
		    "%d places are kept for root", live, CTL_ROOT_RESERVED);
		refuse(fd, cr.uid, cr.pid, msg);
		return;
	}
	if (cr.uid != 0 && same >= CTL_MAX_PER_UID) {
		snprintf(msg, sizeof(msg), "uid %u already has %d "
		    "connections", (unsigned)cr.uid, same);
		refuse(fd, cr.uid, cr.pid, msg);
		return;
	}
	if (cr.uid != 0 && cr.uid != snmp_uid &&
	    !pid_in_groups(cr.pid, cr.gid)) {
		snprintf(msg, sizeof(msg), "permission denied: uid %u is not "
		    "root and not in an api group (apiauth ... gid=, default "
		    "haclient)", (unsigned)cr.uid);
		refuse(fd, cr.uid, cr.pid, msg);
		return;
	}
	c = xcalloc(1, sizeof(*c));
	c->fd = fd;
	c->uid = cr.uid;
	c->pid = cr.pid;
	c->priv = cr.uid == 0 ? PRIV_ADMIN : cr.uid == snmp_uid ? PRIV_SNMP :
	    PRIV_READ;
	c->last_request = mono_ms();
	buf_init(&c->in);
	buf_init(&c->out);
	ev_io_init(&c->io, fd, "control client", on_client, c);
	c->next = clients;
	clients = c;
	nclients++;
	stats.accepted++;
	ev_io_start(&c->io, EV_READ);
	if (!ev_timer_pending(&idle_timer))
		ev_timer_add(&idle_timer, CTL_IDLE_MS);
}

/* Close clients that hold a place without asking anything */
static void
on_idle(struct ev_timer *t, void *arg)
{
	struct client	*c;
	int64_t		 now = mono_ms(), next = 0;

	for (c = clients; c; c = c->next) {
		if (c->dead || c->subscribed)
			continue;
		if (now - c->last_request >= CTL_IDLE_MS) {
			stats.idle_dropped++;
			client_kill(c, "idle");
		} else if (next == 0 || c->last_request + CTL_IDLE_MS < next)
			next = c->last_request + CTL_IDLE_MS;
	}
	if (next)
		ev_timer_add(&idle_timer, next - now + 10);
}

static void
load_groups(const struct conf *conf)
{
	struct group	*g;
	int		 i;

	n_api_gids = 0;
	for (i = 0; i < conf->napigroups; i++)
		if ((g = getgrnam(conf->apigroups[i])) != NULL)
			api_gids[n_api_gids++] = g->gr_gid;
	if ((g = getgrnam("haclient")) != NULL)
		api_gids[n_api_gids++] = g->gr_gid;
}

/* snmp_user was resolved to a uid when the configuration was read */
static void
load_snmp_user(const struct conf *conf)
{
	snmp_write = conf->snmp_write;
	snmp_uid = conf->snmp_uid;
}

void
ctl_reconf(const struct conf *conf)
{
	cur_conf = conf;
	load_groups(conf);
	load_snmp_user(conf);
	if (sockpath && n_api_gids > 0 &&
	    chown(sockpath, (uid_t)-1, api_gids[0]) == -1)
		log_warn("control: chown %s", sockpath);
}

int
ctl_listen(const char *path, const struct conf *conf,
    const struct ctl_handlers *h)
{
	struct sockaddr_un	 sun;
	char			 dir[sizeof(sun.sun_path)], *slash;
	mode_t			 old;

	handlers = h;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		log_warnx("control socket path too long: %s", path);
		return -1;
	}
	hbd_strlcpy(sun.sun_path, path, sizeof(sun.sun_path));
	hbd_strlcpy(dir, path, sizeof(dir));
	if ((slash = strrchr(dir, '/')) != NULL && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0755) == -1 && errno != EEXIST) {
			log_warn("control: mkdir %s", dir);
			return -1;
		}
	}
	if ((lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1) {
		log_warn("control: socket");
		return -1;
	}
	/* the pid file lock already proved no other hbd owns this path */
	unlink(path);
	old = umask(0117);
	if (bind(lfd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		umask(old);
		log_warn("control: bind %s", path);
		close(lfd);
		lfd = -1;
		return -1;
	}
	umask(old);
	chmod(path, 0660);
	if (listen(lfd, 16) == -1) {
		log_warn("control: listen");
		return -1;
	}
	sockpath = xstrdup(path);
	ctl_reconf(conf);
	buf_init(&evbuf);
	return 0;
}

/* After the event loop exists (hbd daemonizes between the two). */
void
ctl_start(void)
{
	ev_timer_init(&gc_timer, "control gc", on_gc, NULL);
	ev_timer_init(&idle_timer, "control idle", on_idle, NULL);
	started = 1;
	ev_timer_init(&accept_timer, "control accept", on_accept_resume, NULL);
	ev_io_init(&lio, lfd, "control listener", on_accept, NULL);
	ev_io_start(&lio, EV_READ);
}

void
ctl_close(void)
{
	struct client	*c;

	for (c = clients; c; c = c->next) {
		flush_out(c);
		client_kill(c, NULL);
	}
	on_gc(NULL, NULL);
	if (started) {		/* a zeroed timer is not "not pending" */
		ev_timer_del(&idle_timer);
		ev_timer_del(&accept_timer);
	}
	if (lfd != -1) {
		ev_io_stop(&lio);
		close(lfd);
		lfd = -1;
	}
	if (sockpath) {
		unlink(sockpath);
		free(sockpath);
		sockpath = NULL;
	}
}

struct jw *
ctl_event_begin(const char *type)
{
	buf_reset(&evbuf);
	jw_init(&evw, &evbuf);
	jw_obj_begin(&evw, NULL);
	jw_int(&evw, "seq", (int64_t)++event_seq);
	jw_int(&evw, "time_ms", real_ms());
	jw_int(&evw, "mono_ms", mono_ms());
	jw_str(&evw, "type", type);
	return &evw;
}

void
ctl_event_end(void)
{
	struct client	*c;

	jw_obj_end(&evw);
	for (c = clients; c; c = c->next)
		if (c->subscribed && !c->dead)
			client_send(c, CTL_EVENT, evbuf.data, evbuf.len);
}

/* An event the core wrote: a JSON object that starts with its "type". */
void
ctl_event_raw(const char *obj)
{
	struct client	*c;

	if (obj == NULL || obj[0] != '{')
		return;
	buf_reset(&evbuf);
	buf_printf(&evbuf, "{\"seq\":%llu,\"time_ms\":%lld,\"mono_ms\":%lld%s",
	    (unsigned long long)++event_seq, (long long)real_ms(),
	    (long long)mono_ms(), obj[1] == '}' ? "" : ",");
	buf_adds(&evbuf, obj + 1);
	for (c = clients; c; c = c->next)
		if (c->subscribed && !c->dead)
			client_send(c, CTL_EVENT, evbuf.data, evbuf.len);
}
