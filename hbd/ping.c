/*
 * ping: ICMP echo over one raw socket, never waiting for an answer.
 *
 * A reply counts only if it answers a request we sent: a random ICMP
 * identifier (not the pid, which anyone can guess), and per request a
 * sequence number and a 16-byte random nonce in the payload, which the
 * replying host echoes. A reply must come from the request's address,
 * carry its identifier, sequence and nonce, arrive within deadping, and
 * counts once. Someone who cannot see our requests therefore cannot make
 * a dead ping node look alive (which would stop an isolated node from
 * releasing) or keep one alive; someone who sees them could answer them
 * as well as the ping node can, which no echo protocol prevents.
 * Everything else on the raw socket (other processes' pings) is ignored.
 */
#include "config.h"

#include <sys/random.h>
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

#define PING_NONCE	16
#define PING_OUTSTANDING 4	/* requests per address a reply may answer */

struct preq {
	uint16_t	 seq;
	uint8_t		 nonce[PING_NONCE];
	int64_t		 sent;		/* 0: none, or answered */
};

struct paddr {
	struct in_addr	 addr;
	int64_t		 last_reply;
	struct preq	 req[PING_OUTSTANDING];
	unsigned	 next;
};

struct echo {
	struct icmphdr	 h;
	uint8_t		 nonce[PING_NONCE];
};

struct pnode {
	const struct conf_ping *cp;
	struct paddr	 a[HBD_MAX_PING_ADDRS];
	int		 up;
	int64_t		 changed;
	int64_t		 since;		/* configured since (mono ms) */
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
static struct log_rl	 rl, rl_forged;
static uint8_t		 pool[256];
static size_t		 pool_left;

/*
 * Random bytes without ever waiting: getrandom() in batches; before the
 * kernel's pool is ready (never, once a system runs hbd) fall back to a
 * clock-derived value rather than block the loop.
 */
static void
random_bytes(void *out, size_t n)
{
	uint8_t	*o = out;
	ssize_t	 r;

	while (n > 0) {
		if (pool_left == 0) {
			r = getrandom(pool, sizeof(pool), GRND_NONBLOCK);
			if (r <= 0) {
				int64_t	 t = mono_us() ^ (int64_t)getpid() << 32;
				size_t	 i;

				for (i = 0; i < sizeof(pool); i++) {
					t = t * 6364136223846793005LL + 1;
					pool[i] = (uint8_t)(t >> 33);
				}
				r = sizeof(pool);
			}
			pool_left = (size_t)r;
		}
		*o++ = pool[--pool_left];
		pool[pool_left] = 0;
		n--;
	}
}

static int
nonce_equal(const uint8_t *a, const uint8_t *b)
{
	uint8_t	 d = 0;
	size_t	 i;

	for (i = 0; i < PING_NONCE; i++)
		d |= a[i] ^ b[i];
	return d == 0;
}

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
	struct echo		 e;
	struct paddr		*pa;
	struct preq		*rq;
	int			 i, j;
	unsigned		 supp;

	for (i = 0; i < nnodes; i++)
		for (j = 0; j < nodes[i].cp->naddr; j++) {
			pa = &nodes[i].a[j];
			rq = &pa->req[pa->next++ % PING_OUTSTANDING];
			rq->seq = ++seq;
			random_bytes(rq->nonce, sizeof(rq->nonce));
			rq->sent = mono_ms();
			memset(&e, 0, sizeof(e));
			e.h.type = ICMP_ECHO;
			e.h.un.echo.id = htons(ident);
			e.h.un.echo.sequence = htons(rq->seq);
			memcpy(e.nonce, rq->nonce, sizeof(e.nonce));
			e.h.checksum = cksum(&e, sizeof(e));
			memset(&to, 0, sizeof(to));
			to.sin_family = AF_INET;
			to.sin_addr = pa->addr;
			if (sendto(fd, &e, sizeof(e), MSG_DONTWAIT,
			    (struct sockaddr *)&to, sizeof(to)) == -1 &&
			    log_rl_check(&rl, mono_ms(), 30000, &supp))
				log_debug("ping %s: %s", nodes[i].cp->name,
				    strerror(errno));
		}
}

/* 1 when the reply answers an outstanding request of this address */
static int
answers(struct paddr *pa, const struct echo *e, int64_t now)
{
	uint16_t	 sq = ntohs(e->h.un.echo.sequence);
	int		 k;

	for (k = 0; k < PING_OUTSTANDING; k++) {
		struct preq	*rq = &pa->req[k];

		if (rq->sent == 0 || rq->seq != sq ||
		    now - rq->sent > (int64_t)conf->deadping_ms ||
		    !nonce_equal(rq->nonce, e->nonce))
			continue;
		rq->sent = 0;		/* one reply per request */
		return 1;
	}
	return 0;
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
			    now - nodes[i].since < (int64_t)conf->deadping_ms)
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
	int64_t			 now;
	int			 i, j, k, hit = 0, mine;
	unsigned		 supp;

	for (k = 0; k < 64; k++) {
		struct iphdr	*ip = (struct iphdr *)b;
		struct echo	 e;
		size_t		 hl;

		fl = sizeof(from);
		n = recvfrom(fd, b, sizeof(b), MSG_DONTWAIT,
		    (struct sockaddr *)&from, &fl);
		if (n <= 0)
			break;
		if ((size_t)n < sizeof(*ip))
			continue;
		hl = (size_t)ip->ihl * 4;
		if (hl < sizeof(*ip) || (size_t)n < hl + sizeof(e.h))
			continue;
		memcpy(&e.h, b + hl, sizeof(e.h));
		if (e.h.type != ICMP_ECHOREPLY ||
		    ntohs(e.h.un.echo.id) != ident)
			continue;
		/* ours by its identifier: now it must prove it */
		memset(e.nonce, 0, sizeof(e.nonce));
		mine = (size_t)n >= hl + sizeof(e);
		if (mine)
			memcpy(e.nonce, b + hl + sizeof(e.h), sizeof(e.nonce));
		now = mono_ms();
		for (i = 0; i < nnodes; i++)
			for (j = 0; j < nodes[i].cp->naddr; j++) {
				struct paddr	*pa = &nodes[i].a[j];

				if (pa->addr.s_addr != from.sin_addr.s_addr)
					continue;
				if (mine && answers(pa, &e, now)) {
					pa->last_reply = now;
					hit = 1;
				} else if (log_rl_check(&rl_forged, now, 30000,
				    &supp))
					log_warnx("ping %s: a reply from %s "
					    "answers no request of ours (late, "
					    "or forged); ignored (%u more "
					    "since the last message)",
					    nodes[i].cp->name,
					    inet_ntoa(from.sin_addr), supp);
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
		nodes[i].since = mono_ms();
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
	/* random, so that a blind forger must guess it too */
	random_bytes(&ident, sizeof(ident));
	random_bytes(&seq, sizeof(seq));
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

/* Ping nodes that have neither answered nor had their deadping pass. */
int
ping_unknown_count(void)
{
	int	 i, n = 0;

	for (i = 0; i < nnodes; i++)
		if (nodes[i].up < 0)
			n++;
	return n;
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
		nodes[i].since = mono_ms();
		for (j = 0; j < c->pings[i].naddr; j++)
			nodes[i].a[j].addr = c->pings[i].addr[j];
		for (k = 0; k < nold; k++) {
			if (strcmp(old[k].cp->name, c->pings[i].name) != 0)
				continue;
			nodes[i].up = old[k].up;
			nodes[i].changed = old[k].changed;
			nodes[i].since = old[k].since;
			for (j = 0; j < c->pings[i].naddr; j++)
				for (l = 0; l < old[k].cp->naddr; l++)
					if (old[k].a[l].addr.s_addr ==
					    nodes[i].a[j].addr.s_addr)
						/* replies, and the requests
						 * still out, stay valid */
						nodes[i].a[j] = old[k].a[l];
		}
	}
	evaluate();
	return 0;
}
