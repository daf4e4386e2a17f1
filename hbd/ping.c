/*
 * ping: ICMP echo over one raw socket, never waiting for an answer.
 * Replies are matched by identifier and by source address; everything
 * else arriving on the raw socket (other processes' pings) is ignored.
 */
#include "config.h"

#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <string.h>
#include <unistd.h>

#include "event.h"
#include "log.h"
#include "ping.h"
#include "util.h"

struct paddr {
	struct in_addr	 addr;
	int64_t		 last_reply;
};

struct pnode {
	const struct conf_ping *cp;
	struct paddr	 a[HBD_MAX_PING_ADDRS];
	int		 up;
	int64_t		 changed;
};

static const struct conf *conf;
static struct pnode	 nodes[HBD_MAX_PING];
static int		 nnodes;
static int		 fd = -1;
static struct ev_io	 io;
static struct ev_timer	 timer;
static uint16_t		 ident, seq;
static int64_t		 started;
static int64_t		 ok_since;
static void		(*changed_cb)(void);
static struct log_rl	 rl;

static uint16_t
cksum(const void *p, size_t n)
{
	const uint16_t	*w = p;
	uint32_t	 s = 0;

	for (; n > 1; n -= 2)
		s += *w++;
	if (n)
		s += *(const uint8_t *)w;
	s = (s >> 16) + (s & 0xffff);
	s += s >> 16;
	return (uint16_t)~s;
}

static void
send_all(void)
{
	struct sockaddr_in	 to;
	struct icmphdr		 h;
	int			 i, j;
	unsigned		 supp;

	for (i = 0; i < nnodes; i++)
		for (j = 0; j < nodes[i].cp->naddr; j++) {
			memset(&h, 0, sizeof(h));
			h.type = ICMP_ECHO;
			h.un.echo.id = htons(ident);
			h.un.echo.sequence = htons(++seq);
			h.checksum = cksum(&h, sizeof(h));
			memset(&to, 0, sizeof(to));
			to.sin_family = AF_INET;
			to.sin_addr = nodes[i].a[j].addr;
			if (sendto(fd, &h, sizeof(h), MSG_DONTWAIT,
			    (struct sockaddr *)&to, sizeof(to)) == -1 &&
			    log_rl_check(&rl, mono_ms(), 30000, &supp))
				log_debug("ping %s: %s", nodes[i].cp->name,
				    strerror(errno));
		}
}

static void
evaluate(void)
{
	int64_t	 now = mono_ms();
	int	 i, j, any_change = 0;

	for (i = 0; i < nnodes; i++) {
		int	 up = 0;

		for (j = 0; j < nodes[i].cp->naddr; j++)
			if (nodes[i].a[j].last_reply &&
			    now - nodes[i].a[j].last_reply <=
			    (int64_t)conf->deadping_ms)
				up = 1;
		if (up != nodes[i].up) {
			/* before deadping has passed, silence proves nothing */
			if (!up && nodes[i].up < 0 &&
			    now - started < (int64_t)conf->deadping_ms)
				continue;
			nodes[i].up = up;
			nodes[i].changed = now;
			any_change = 1;
			log_notice("ping node %s is %s", nodes[i].cp->name,
			    up ? "up" : "dead");
		}
	}
	if (ping_up_count() == 0)
		ok_since = 0;
	else if (ok_since == 0)
		ok_since = now;
	if (any_change && changed_cb)
		changed_cb();
}

static void
on_timer(struct ev_timer *t, void *arg)
{
	send_all();
	evaluate();
	ev_timer_add(&timer, conf->keepalive_ms);
}

static void
on_read(struct ev_io *w, int events, void *arg)
{
	uint8_t			 b[1500];
	struct sockaddr_in	 from;
	socklen_t		 fl;
	ssize_t			 n;
	int			 i, j, k, hit = 0;

	for (k = 0; k < 64; k++) {
		struct iphdr	*ip = (struct iphdr *)b;
		struct icmphdr	*ic;
		size_t		 hl;

		fl = sizeof(from);
		n = recvfrom(fd, b, sizeof(b), MSG_DONTWAIT,
		    (struct sockaddr *)&from, &fl);
		if (n <= 0)
			break;
		if ((size_t)n < sizeof(*ip))
			continue;
		hl = (size_t)ip->ihl * 4;
		if (hl < sizeof(*ip) || (size_t)n < hl + sizeof(*ic))
			continue;
		ic = (struct icmphdr *)(b + hl);
		if (ic->type != ICMP_ECHOREPLY || ntohs(ic->un.echo.id) != ident)
			continue;
		for (i = 0; i < nnodes; i++)
			for (j = 0; j < nodes[i].cp->naddr; j++)
				if (nodes[i].a[j].addr.s_addr ==
				    from.sin_addr.s_addr) {
					nodes[i].a[j].last_reply = mono_ms();
					hit = 1;
				}
	}
	if (hit)
		evaluate();
}

int
ping_start(const struct conf *c, void (*cb)(void))
{
	int	 i, j;

	ping_stop();
	conf = c;
	changed_cb = cb;
	nnodes = c->npings;
	if (nnodes == 0)
		return 0;
	for (i = 0; i < nnodes; i++) {
		memset(&nodes[i], 0, sizeof(nodes[i]));
		nodes[i].cp = &c->pings[i];
		nodes[i].up = -1;
		for (j = 0; j < c->pings[i].naddr; j++)
			nodes[i].a[j].addr = c->pings[i].addr[j];
	}
	fd = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    IPPROTO_ICMP);
	if (fd == -1) {
		log_warn("ping nodes: cannot open a raw ICMP socket (hbd must "
		    "run as root); ping nodes will show as dead");
		for (i = 0; i < nnodes; i++)
			nodes[i].up = 0;
		return -1;
	}
	ident = (uint16_t)(getpid() & 0xffff);
	started = mono_ms();
	ev_io_init(&io, fd, "ping", on_read, NULL);
	ev_io_start(&io, EV_READ);
	ev_timer_init(&timer, "ping", on_timer, NULL);
	ev_timer_add(&timer, 0);
	return 0;
}

void
ping_stop(void)
{
	if (fd != -1) {
		ev_io_stop(&io);
		ev_timer_del(&timer);
		close(fd);
		fd = -1;
	}
	nnodes = 0;
}

int
ping_up_count(void)
{
	int	 i, n = 0;

	for (i = 0; i < nnodes; i++)
		if (nodes[i].up == 1)
			n++;
	return n;
}

int64_t
ping_ok_since(void)
{
	return ok_since;
}

int
ping_total(void)
{
	return nnodes;
}

int
ping_node_status(const char *name)
{
	int	 i;

	for (i = 0; i < nnodes; i++)
		if (strcmp(nodes[i].cp->name, name) == 0)
			return nodes[i].up == 1;
	return -1;
}

void
ping_status(struct jw *w, int first_index)
{
	int64_t	 now = mono_ms();
	int	 i, j;

	for (i = 0; i < nnodes; i++) {
		int64_t	 last = 0;

		for (j = 0; j < nodes[i].cp->naddr; j++)
			if (nodes[i].a[j].last_reply > last)
				last = nodes[i].a[j].last_reply;
		jw_obj_begin(w, NULL);
		jw_int(w, "index", first_index + i);
		jw_str(w, "name", nodes[i].cp->name);
		jw_str(w, "type", "ping");
		jw_str(w, "status", nodes[i].up == 1 ? "up" :
		    nodes[i].up == 0 ? "dead" : "init");
		if (last)
			jw_int(w, "last_heartbeat_ms", now - last);
		else
			jw_null(w, "last_heartbeat_ms");
		jw_int(w, "changed_mono_ms", nodes[i].changed);
		jw_arr_begin(w, "links");
		jw_arr_end(w);
		jw_obj_end(w);
	}
}

/*
 * A reload: ping nodes that are still configured keep what is known of
 * them (a reload must not make this node look cut off, which would move
 * its groups); new ones start unknown.
 */
int
ping_reconf(const struct conf *c, void (*cb)(void))
{
	struct pnode	 old[HBD_MAX_PING];
	int		 nold = nnodes, i, j, k, l;

	if (fd == -1 || c->npings == 0)
		return ping_start(c, cb);
	memcpy(old, nodes, sizeof(old));
	conf = c;
	changed_cb = cb;
	nnodes = c->npings;
	for (i = 0; i < nnodes; i++) {
		memset(&nodes[i], 0, sizeof(nodes[i]));
		nodes[i].cp = &c->pings[i];
		nodes[i].up = -1;
		nodes[i].changed = mono_ms();
		for (j = 0; j < c->pings[i].naddr; j++)
			nodes[i].a[j].addr = c->pings[i].addr[j];
		for (k = 0; k < nold; k++) {
			if (strcmp(old[k].cp->name, c->pings[i].name) != 0)
				continue;
			nodes[i].up = old[k].up;
			nodes[i].changed = old[k].changed;
			for (j = 0; j < c->pings[i].naddr; j++)
				for (l = 0; l < old[k].cp->naddr; l++)
					if (old[k].a[l].addr.s_addr ==
					    nodes[i].a[j].addr.s_addr)
						nodes[i].a[j].last_reply =
						    old[k].a[l].last_reply;
		}
	}
	evaluate();
	return 0;
}
