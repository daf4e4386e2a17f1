/*
 * media: sockets and ttys. Everything is non-blocking; a send that would
 * block is dropped and counted (the next heartbeat follows soon), never
 * waited for. A medium that cannot be opened is retried every few seconds
 * while the others carry on.
 */
#include "config.h"

#include <sys/ioctl.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/ip.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <poll.h>
#include <signal.h>

#include "log.h"
#include "media.h"
#include "media_disk.h"

#define RETRY_MS	3000
#define SERIAL_OUTMAX	(8 * HB_MAX_PACKET)

static struct medium	media[HBD_MAX_MEDIA];
static int		nmedia;
static int		local_slot, peer_slot;
static uint32_t		keepalive_ms;

static void	medium_try_open(struct medium *);

int
media_count(void)
{
	return nmedia;
}

struct medium *
media_get(int i)
{
	return i >= 0 && i < nmedia ? &media[i] : NULL;
}

static void
medium_close(struct medium *m)
{
	ev_io_stop(&m->io);
	if (m->fd != -1)
		close(m->fd);
	m->fd = -1;
	if (m->servant > 0) {
		kill(m->servant, SIGKILL);	/* reaped by the event loop */
		m->servant = 0;
	}
	m->ok = 0;
	buf_reset(&m->out);
	memset(&m->dec, 0, sizeof(m->dec));
	memset(&m->tdec, 0, sizeof(m->tdec));
}

static void
medium_fail(struct medium *m, const char *what)
{
	unsigned	 supp;

	if (log_rl_check(&m->rl, mono_ms(), 30000, &supp))
		log_warnx("%s %s: %s (retrying every %ds)",
		    medium_type_name(m->cm.type), m->cm.name, what,
		    RETRY_MS / 1000);
	medium_close(m);
	ev_timer_add(&m->retry, RETRY_MS);
}

static void
on_retry(struct ev_timer *t, void *arg)
{
	medium_try_open(arg);
}

/* ---- UDP ---- */

static int
if_broadcast(const char *ifname, struct in_addr *out)
{
	struct ifaddrs	*ifa, *i;
	int		 found = -1;

	if (getifaddrs(&ifa) == -1)
		return -1;
	for (i = ifa; i; i = i->ifa_next)
		if (i->ifa_addr && i->ifa_addr->sa_family == AF_INET &&
		    strcmp(i->ifa_name, ifname) == 0 &&
		    (i->ifa_flags & IFF_BROADCAST) && i->ifa_broadaddr) {
			*out = ((struct sockaddr_in *)i->ifa_broadaddr)->
			    sin_addr;
			found = 0;
			break;
		}
	freeifaddrs(ifa);
	return found;
}

static void
udp_read(struct medium *m)
{
	uint8_t			 pkt[HB_MAX_PACKET + 1];
	struct sockaddr_in	 from;
	socklen_t		 fl;
	char			 who[INET_ADDRSTRLEN + 8];
	ssize_t			 n;
	int			 i;

	for (i = 0; i < 64; i++) {
		fl = sizeof(from);
		n = recvfrom(m->fd, pkt, sizeof(pkt), MSG_DONTWAIT | MSG_TRUNC,
		    (struct sockaddr *)&from, &fl);
		if (n == -1) {
			if (errno != EAGAIN && errno != EINTR)
				medium_fail(m, strerror(errno));
			return;
		}
		inet_ntop(AF_INET, &from.sin_addr, who, INET_ADDRSTRLEN);
		m->rx++;
		if (n > HB_MAX_PACKET) {
			m->rx_oversize++;
			m->cb(m->index, pkt, (size_t)n, who, m->arg);
			continue;
		}
		m->cb(m->index, pkt, (size_t)n, who, m->arg);
	}
}

static int
udp_open(struct medium *m)
{
	const struct conf_medium	*c = &m->cm;
	struct sockaddr_in		 sin;
	int				 fd, one = 1, tos = IPTOS_PREC_INTERNETCONTROL;
	int				 prio = 6;

	if ((fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1)
		return -1;
	m->fd = fd;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == -1 ||
	    setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, c->ifname,
	    (socklen_t)strlen(c->ifname)) == -1)
		return -1;
	/* heartbeats are network control traffic: queue them first */
	setsockopt(fd, IPPROTO_IP, IP_TOS, &tos, sizeof(tos));
	setsockopt(fd, SOL_SOCKET, SO_PRIORITY, &prio, sizeof(prio));

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(c->port);
	sin.sin_addr.s_addr = htonl(INADDR_ANY);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1)
		return -1;

	m->dst.sin_family = AF_INET;
	m->dst.sin_port = htons(c->port);
	switch (c->type) {
	case MEDIUM_BCAST:
		if (setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &one,
		    sizeof(one)) == -1)
			return -1;
		if (if_broadcast(c->ifname, &m->dst.sin_addr) == -1)
			m->dst.sin_addr.s_addr = htonl(INADDR_BROADCAST);
		break;
	case MEDIUM_UCAST:
		m->dst.sin_addr = c->addr;
		break;
	case MEDIUM_MCAST: {
		struct ip_mreqn	 mr;
		unsigned char	 ttl = c->ttl, loop = c->loop;

		memset(&mr, 0, sizeof(mr));
		mr.imr_multiaddr = c->addr;
		mr.imr_ifindex = (int)if_nametoindex(c->ifname);
		if (mr.imr_ifindex == 0)
			return -1;
		if (setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr,
		    sizeof(mr)) == -1 ||
		    setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &mr,
		    sizeof(mr)) == -1 ||
		    setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl,
		    sizeof(ttl)) == -1 ||
		    setsockopt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, &loop,
		    sizeof(loop)) == -1)
			return -1;
		m->dst.sin_addr = c->addr;
		break;
	}
	case MEDIUM_SERIAL:
	case MEDIUM_DISK:
		return -1;
	}
	return 0;
}

/* ---- disk ---- */

static int
disk_open(struct medium *m)
{
	if (peer_slot < 0) {
		errno = EINVAL;
		return -1;
	}
	m->servant = disk_servant_start(m->cm.device, local_slot, peer_slot,
	    keepalive_ms, &m->fd);
	return m->servant > 0 ? 0 : -1;
}

static void
disk_read(struct medium *m)
{
	uint8_t	 b[1 + 4096];
	ssize_t	 n;
	int	 i;

	for (i = 0; i < 16; i++) {
		n = recv(m->fd, b, sizeof(b), MSG_DONTWAIT);
		if (n == 0) {
			medium_fail(m, "the disk servant exited");
			return;
		}
		if (n < 0) {
			if (errno != EAGAIN && errno != EINTR)
				medium_fail(m, strerror(errno));
			return;
		}
		switch (b[0]) {
		case 'H':
		case 'M':
			m->rx++;
			m->cb(m->index, b + 1, (size_t)n - 1, b[0] == 'H' ?
			    m->cm.device : "disk mailbox", m->arg);
			break;
		case 'E':
			m->ok = 0;
			log_warnx("disk %s: %.*s", m->cm.name, (int)n - 1,
			    (char *)b + 1);
			break;
		case 'O':
			m->ok = 1;
			log_info("disk %s: I/O works", m->cm.name);
			break;
		}
	}
}

/* ---- serial ---- */

static speed_t
baud_const(uint32_t baud)
{
	switch (baud) {
	case 9600:
		return B9600;
	case 38400:
		return B38400;
	case 57600:
		return B57600;
	case 115200:
		return B115200;
	case 230400:
		return B230400;
	case 460800:
		return B460800;
	default:
		return B19200;
	}
}

static int
serial_open(struct medium *m)
{
	struct termios	 t;
	int		 fd;

	fd = open(m->cm.device, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (fd == -1)
		return -1;
	m->fd = fd;
	if (tcgetattr(fd, &t) == -1)
		return -1;
	cfmakeraw(&t);
	t.c_cflag |= CLOCAL | CREAD;
	t.c_cflag &= ~(unsigned)(CRTSCTS | CSTOPB | PARENB);
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	cfsetispeed(&t, baud_const(m->cm.baud));
	cfsetospeed(&t, baud_const(m->cm.baud));
	if (tcsetattr(fd, TCSANOW, &t) == -1)
		return -1;
	/* bytes queued while nobody listened are stale heartbeats */
	tcflush(fd, TCIOFLUSH);
	return 0;
}

static void
serial_read(struct medium *m)
{
	uint8_t	 b[512];
	ssize_t	 n;
	int	 i, r, rounds;

	for (rounds = 0; rounds < 16; rounds++) {
		n = read(m->fd, b, sizeof(b));
		if (n == 0) {
			medium_fail(m, "the other end went away");
			return;
		}
		if (n == -1) {
			if (errno != EAGAIN && errno != EINTR)
				medium_fail(m, strerror(errno));
			return;
		}
		for (i = 0; i < n; i++) {
			r = slip_feed(&m->dec, b[i]);
			if (r == 1) {
				m->rx++;
				m->cb(m->index, m->dec.buf, m->dec.len,
				    m->cm.device, m->arg);
				m->dec.len = 0;
			} else if (r == -1) {
				m->rx_oversize++;
				m->cb(m->index, NULL, 0, m->cm.device, m->arg);
			}
			/* a heartbeat 3.0.6 peer writes text lines instead */
			r = hbc_serial_feed(&m->tdec, b[i]);
			if (r == 1) {
				m->rx++;
				m->cb(m->index, (const uint8_t *)m->tdec.buf,
				    m->tdec.len, m->cm.device, m->arg);
			} else if (r == -1) {
				m->rx_oversize++;
				m->cb(m->index, NULL, 0, m->cm.device, m->arg);
			}
		}
	}
}

static void
serial_flush(struct medium *m)
{
	ssize_t	 n;

	while (m->out.len > 0) {
		n = write(m->fd, m->out.data, m->out.len);
		if (n == -1) {
			if (errno == EAGAIN || errno == EINTR)
				break;
			medium_fail(m, strerror(errno));
			return;
		}
		buf_drop(&m->out, (size_t)n);
	}
	ev_io_start(&m->io, EV_READ | (m->out.len ? EV_WRITE : 0));
}

/* ---- common ---- */

static void
on_io(struct ev_io *io, int events, void *arg)
{
	struct medium	*m = arg;

	if (m->cm.type == MEDIUM_SERIAL) {
		if ((events & EV_WRITE) && m->fd != -1)
			serial_flush(m);
		if ((events & EV_READ) && m->fd != -1)
			serial_read(m);
	} else if (m->cm.type == MEDIUM_DISK) {
		if (events & EV_READ)
			disk_read(m);
	} else if (events & EV_READ)
		udp_read(m);
}

static void
medium_try_open(struct medium *m)
{
	int	 r;

	if (m->fd != -1)
		return;
	if (m->cm.type == MEDIUM_SERIAL)
		r = serial_open(m);
	else if (m->cm.type == MEDIUM_DISK)
		r = disk_open(m);
	else
		r = udp_open(m);
	if (r == -1) {
		char	 why[160];

		snprintf(why, sizeof(why), "%s: %s", m->cm.type ==
		    MEDIUM_SERIAL ? "cannot open" : "cannot set up the socket",
		    strerror(errno));
		medium_fail(m, why);
		return;
	}
	ev_io_init(&m->io, m->fd, m->cm.name, on_io, m);
	if (ev_io_start(&m->io, EV_READ) == -1) {
		medium_fail(m, "cannot watch");
		return;
	}
	m->ok = 1;
	log_info("%s %s: ready", medium_type_name(m->cm.type), m->cm.name);
}

int
media_open_all(const struct conf *c, media_rx_cb cb, void *arg)
{
	int	 i;

	media_close_all();
	local_slot = c->local_index;
	peer_slot = conf_peer_index(c);
	keepalive_ms = c->keepalive_ms;
	for (i = 0; i < c->nmedia; i++) {
		struct medium	*m = &media[i];

		memset(m, 0, sizeof(*m));
		m->cm = c->media[i];
		m->index = i;
		m->fd = -1;
		m->cb = cb;
		m->arg = arg;
		buf_init(&m->out);
		ev_timer_init(&m->retry, "medium retry", on_retry, m);
		medium_try_open(m);
	}
	nmedia = c->nmedia;
	return 0;
}

/*
 * hbd is leaving (its event loop has ended): let the disk servant write
 * the goodbye it was just handed (it exits at end of input), bounded to
 * one second, then close everything.
 */
void
media_shutdown(void)
{
	int	 i;

	for (i = 0; i < nmedia; i++)
		if (media[i].cm.type == MEDIUM_DISK && media[i].fd != -1) {
			struct pollfd	 p = { media[i].fd, POLLIN, 0 };
			char		 b[64];
			int64_t		 end = mono_ms() + 1000;

			shutdown(media[i].fd, SHUT_WR);
			while (mono_ms() < end && poll(&p, 1, 100) >= 0)
				if ((p.revents & (POLLIN | POLLHUP)) &&
				    recv(media[i].fd, b, sizeof(b),
				    MSG_DONTWAIT) == 0)
					break;
		}
	media_close_all();
}

void
media_close_all(void)
{
	int	 i;

	for (i = 0; i < nmedia; i++) {
		ev_timer_del(&media[i].retry);
		medium_close(&media[i]);
		buf_free(&media[i].out);
	}
	nmedia = 0;
}

static int
medium_send(struct medium *m, const uint8_t *p, size_t n)
{
	uint8_t		 frame[2 * HB_MAX_PACKET + 2];
	size_t		 fl;
	unsigned	 supp;

	if (m->fd == -1)
		return -1;
	if (m->cm.type == MEDIUM_DISK) {
		uint8_t	 b[1 + HB_MAX_PACKET];

		b[0] = 'W';
		memcpy(b + 1, p, n);
		if (send(m->fd, b, n + 1, MSG_DONTWAIT | MSG_NOSIGNAL) == -1) {
			m->tx_errors++;
			return -1;
		}
		m->tx++;
		return 0;
	}
	if (m->cm.type == MEDIUM_SERIAL) {
		long	 cl;

		if (n >= 4 && memcmp(p, "###\n", 4) == 0) {
			/* heartbeat 3.0.6's message (compat heartbeat): as
			 * heartbeat writes it on a serial line, text */
			if ((cl = hbc_to_classic(p, n, (char *)frame,
			    sizeof(frame))) < 0) {
				m->tx_errors++;
				return -1;
			}
			fl = (size_t)cl;
		} else if ((fl = slip_encode(p, n, frame, sizeof(frame))) == 0)
			return -1;
		if (m->out.len + fl > SERIAL_OUTMAX) {
			/* the line cannot keep up: older beats are stale */
			buf_reset(&m->out);
			m->tx_errors++;
		}
		buf_add(&m->out, frame, fl);
		serial_flush(m);
		m->tx++;
		return 0;
	}
	if (sendto(m->fd, p, n, MSG_DONTWAIT, (struct sockaddr *)&m->dst,
	    sizeof(m->dst)) == -1) {
		m->tx_errors++;
		m->ok = 0;
		if (log_rl_check(&m->rl, mono_ms(), 30000, &supp))
			log_warn("%s %s: send", medium_type_name(m->cm.type),
			    m->cm.name);
		return -1;
	}
	m->ok = 1;
	m->tx++;
	return 0;
}

int
media_send_pill(const uint8_t *p, size_t n)
{
	uint8_t	 b[1 + HB_MAX_PACKET];
	int	 i, sent = 0;

	b[0] = 'P';
	memcpy(b + 1, p, n);
	for (i = 0; i < nmedia; i++)
		if (media[i].cm.type == MEDIUM_DISK && media[i].fd != -1 &&
		    send(media[i].fd, b, n + 1, MSG_DONTWAIT |
		    MSG_NOSIGNAL) != -1)
			sent++;
	return sent;
}

int
media_send_all(const uint8_t *p, size_t n)
{
	int	 i, sent = 0;

	for (i = 0; i < nmedia; i++)
		if (medium_send(&media[i], p, n) == 0)
			sent++;
	return sent;
}
