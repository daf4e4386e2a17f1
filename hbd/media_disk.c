/*
 * media_disk: the disk medium, SBD-style. A small block device shared by
 * both nodes holds, for each node i (its index in the sorted node list),
 * a heartbeat slot at block 1+2i written by that node and a mailbox at
 * block 2+2i written by the other (a poison pill: "release and stop").
 *
 * Block I/O can hang for minutes on a sick SAN, and the event loop must
 * never wait, so the I/O runs in a servant process. hbd sends it the
 * packet to write; it writes its slot at once, reads the peer's slot and
 * its own mailbox every keepalive, and reports what changed. A servant stuck
 * in the kernel just goes quiet: the disk link dies, nothing else does.
 *
 * Messages over a SOCK_SEQPACKET pair, first byte the kind:
 *   to the servant:   'W' packet (our heartbeat)  'P' packet (pill for peer)
 *   from the servant: 'H' packet (peer's slot)    'M' packet (our mailbox)
 *                     'E' text (I/O error)        'O' (I/O works again)
 */
#include "config.h"

#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "event.h"
#include "hb_msg.h"
#include "media_disk.h"
#include "util.h"

#define BLK		4096
#define SLOT(i)		((off_t)BLK * (1 + 2 * (i)))
#define MAILBOX(i)	((off_t)BLK * (2 + 2 * (i)))

struct servant {
	int		 sock, fd;
	const char	*dev;
	int		 me, peer;
	uint8_t		*out, *in, *last_peer, *last_mail, *zero;
	int		 have_out, io_ok;
};

static void
say(struct servant *s, char kind, const void *p, size_t n)
{
	uint8_t	 b[1 + BLK];

	if (n > BLK)
		n = BLK;
	b[0] = (uint8_t)kind;
	if (n)
		memcpy(b + 1, p, n);
	send(s->sock, b, n + 1, MSG_DONTWAIT | MSG_NOSIGNAL);
}

static void
io_failed(struct servant *s, const char *what)
{
	char	 msg[256];

	snprintf(msg, sizeof(msg), "%s %s: %s", what, s->dev, strerror(errno));
	if (s->io_ok || s->fd == -1)
		say(s, 'E', msg, strlen(msg));
	s->io_ok = 0;
	if (s->fd != -1)
		close(s->fd);
	s->fd = -1;
}

static int
dev_open(struct servant *s)
{
	if (s->fd != -1)
		return 0;
	s->fd = open(s->dev, O_RDWR | O_DIRECT | O_SYNC | O_CLOEXEC);
	if (s->fd == -1) {
		io_failed(s, "open");
		return -1;
	}
	/* a pill left from before we started is not for this run */
	if (pwrite(s->fd, s->zero, BLK, MAILBOX(s->me)) != BLK) {
		io_failed(s, "clear mailbox on");
		return -1;
	}
	return 0;
}

/* A block holds a 16-bit length and the packet. */
static int
put(struct servant *s, off_t where, const uint8_t *pkt, size_t n)
{
	memset(s->out, 0, BLK);
	s->out[0] = (uint8_t)(n >> 8);
	s->out[1] = (uint8_t)n;
	memcpy(s->out + 2, pkt, n);
	if (pwrite(s->fd, s->out, BLK, where) != BLK) {
		io_failed(s, "write");
		return -1;
	}
	return 0;
}

static void
poll_block(struct servant *s, off_t where, uint8_t *last, char kind)
{
	size_t	 n;

	if (pread(s->fd, s->in, BLK, where) != BLK) {
		io_failed(s, "read");
		return;
	}
	n = (size_t)s->in[0] << 8 | s->in[1];
	if (n == 0 || n > BLK - 2 || memcmp(s->in, last, n + 2) == 0)
		return;
	memcpy(last, s->in, BLK);
	say(s, kind, s->in + 2, n);
}

static void
tick(struct servant *s)
{
	if (dev_open(s) == -1)
		return;
	if (s->have_out && pwrite(s->fd, s->out, BLK, SLOT(s->me)) != BLK) {
		io_failed(s, "write");
		return;
	}
	if (s->fd != -1)
		poll_block(s, SLOT(s->peer), s->last_peer, 'H');
	if (s->fd != -1)
		poll_block(s, MAILBOX(s->me), s->last_mail, 'M');
	if (s->fd != -1 && !s->io_ok) {
		s->io_ok = 1;
		say(s, 'O', NULL, 0);
	}
}

static void __attribute__((noreturn))
servant(int sock, const char *dev, int me, int peer, uint32_t keepalive)
{
	struct servant	 s;
	uint8_t		 msg[1 + BLK];
	int64_t		 next = 0, now;
	ssize_t		 n;
	void		*mem;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	memset(&s, 0, sizeof(s));
	s.sock = sock;
	s.fd = -1;
	s.dev = dev;
	s.me = me;
	s.peer = peer;
	s.io_ok = 1;
	if (posix_memalign(&mem, BLK, 5 * BLK) != 0)
		_exit(1);
	memset(mem, 0, 5 * BLK);
	s.out = mem;
	s.in = s.out + BLK;
	s.last_peer = s.in + BLK;
	s.last_mail = s.last_peer + BLK;
	s.zero = s.last_mail + BLK;
	for (;;) {
		struct pollfd	 p = { sock, POLLIN, 0 };

		now = mono_ms();
		if (now >= next) {
			tick(&s);
			next = now + keepalive;
		}
		if (poll(&p, 1, (int)(next - mono_ms() > 0 ?
		    next - mono_ms() : 0)) <= 0)
			continue;
		n = recv(sock, msg, sizeof(msg), 0);
		if (n <= 0)
			_exit(0);	/* hbd closed: everything is written */
		if (n < 2 || n - 1 > BLK - 2)
			continue;
		if (msg[0] == 'W') {
			memset(s.out, 0, BLK);
			s.out[0] = (uint8_t)((n - 1) >> 8);
			s.out[1] = (uint8_t)(n - 1);
			memcpy(s.out + 2, msg + 1, (size_t)n - 1);
			s.have_out = 1;
			if (dev_open(&s) == 0 &&
			    pwrite(s.fd, s.out, BLK, SLOT(s.me)) != BLK)
				io_failed(&s, "write");
		} else if (msg[0] == 'P' && dev_open(&s) == 0) {
			uint8_t	 keep[BLK];

			memcpy(keep, s.out, BLK);
			put(&s, MAILBOX(s.peer), msg + 1, (size_t)n - 1);
			memcpy(s.out, keep, BLK);
		}
	}
}

pid_t
disk_servant_start(const char *dev, int me, int peer, uint32_t keepalive_ms,
    int *fd)
{
	int	 sv[2];
	pid_t	 pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == -1)
		return -1;
	if ((pid = fork()) == -1) {
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	if (pid == 0) {
		int	 s3;

		ev_child_prepare();
		/*
		 * Nothing of hbd's but its end of the pair: a servant stuck
		 * in the kernel outlives hbd, and must not keep the pid-file
		 * lock (a restarted hbd would say "already running"), the
		 * sockets or the other media open.
		 */
		if ((s3 = fcntl(sv[1], F_DUPFD, 10)) == -1 || dup2(s3, 3) == -1)
			_exit(1);
		if (syscall(SYS_close_range, 4U, ~0U, 0U) == -1) {
			int	 i;

			for (i = 4; i < 65536; i++)
				close(i);
		}
		servant(3, dev, me, peer, keepalive_ms);
	}
	close(sv[1]);
	set_nonblock(sv[0]);
	*fd = sv[0];
	return pid;
}
