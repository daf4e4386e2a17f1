/*
 * nfq-delay: the lab's stand-in for "tc netem delay/loss" (this kernel has
 * no netem).  It reads one NFQUEUE, holds every packet for a fixed delay,
 * drops a given percentage at random, and then accepts the rest.
 *
 *	nfq-delay QNUM DELAY_MS [LOSS_PCT]
 *
 * Run it in the network namespace of the iptables rule that feeds the queue
 * (iptables -I INPUT ... -j NFQUEUE --queue-num QNUM).  It prints "ready" on
 * stderr once the queue is bound, so the caller can insert the rule only
 * then and lose nothing.  On SIGTERM or SIGINT it releases every packet it
 * still holds and exits 0.
 *
 * The delay is constant, so packets leave in arrival order and a ring used
 * as a FIFO is enough.  When the ring is full a packet is accepted at once
 * rather than dropped: the helper must never add loss that was not asked
 * for.  This program owns nothing but its queue; it never touches rules.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <libnetfilter_queue/libnetfilter_queue.h>
#include <linux/netfilter.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define RING_SIZE	65536

struct held {
	uint32_t	id;
	int64_t		due_ns;
};

static struct held	ring[RING_SIZE];
static unsigned int	ring_head, ring_tail;
static int64_t		delay_ns;
static unsigned int	loss_pct;
static unsigned long	n_seen, n_dropped, n_overflow;
static volatile sig_atomic_t stop;

static int64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int
on_packet(struct nfq_q_handle *qh, struct nfgenmsg *msg, struct nfq_data *nfa,
    void *arg)
{
	struct nfqnl_msg_packet_hdr *ph;
	uint32_t id;

	(void)msg;
	(void)arg;
	if ((ph = nfq_get_msg_packet_hdr(nfa)) == NULL)
		return 0;
	id = ntohl(ph->packet_id);
	n_seen++;
	if (loss_pct > 0 && (unsigned int)(random() % 100) < loss_pct) {
		n_dropped++;
		return nfq_set_verdict(qh, id, NF_DROP, 0, NULL);
	}
	if (ring_tail - ring_head == RING_SIZE) {
		n_overflow++;
		return nfq_set_verdict(qh, id, NF_ACCEPT, 0, NULL);
	}
	ring[ring_tail % RING_SIZE].id = id;
	ring[ring_tail % RING_SIZE].due_ns = now_ns() + delay_ns;
	ring_tail++;
	return 0;
}

/* Accept every held packet that is due (all of them if flush is set). */
static void
release(struct nfq_q_handle *qh, int flush)
{
	int64_t t = now_ns();

	while (ring_head != ring_tail &&
	    (flush || ring[ring_head % RING_SIZE].due_ns <= t)) {
		nfq_set_verdict(qh, ring[ring_head % RING_SIZE].id, NF_ACCEPT,
		    0, NULL);
		ring_head++;
	}
}

/* Milliseconds until the oldest held packet is due, -1 if none is held. */
static int
next_timeout(void)
{
	int64_t left;

	if (ring_head == ring_tail)
		return -1;
	left = ring[ring_head % RING_SIZE].due_ns - now_ns();
	if (left <= 0)
		return 0;
	return (int)((left + 999999) / 1000000);
}

static int
parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || *out > max)
		return -1;
	return 0;
}

static void
usage(void)
{
	fprintf(stderr, "usage: nfq-delay QNUM DELAY_MS [LOSS_PCT]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	static char buf[65536] __attribute__((aligned));
	struct nfq_handle *h;
	struct nfq_q_handle *qh;
	struct sigaction sa;
	struct pollfd pfd;
	unsigned long qnum, ms, pct = 0;
	ssize_t n;
	int fd;

	if (argc < 3 || argc > 4 ||
	    parse_uint(argv[1], 65535, &qnum) == -1 ||
	    parse_uint(argv[2], 3600000, &ms) == -1 ||
	    (argc == 4 && parse_uint(argv[3], 100, &pct) == -1))
		usage();
	delay_ns = (int64_t)ms * 1000000;
	loss_pct = (unsigned int)pct;
	srandom((unsigned int)now_ns() ^ (unsigned int)getpid());

	memset(&sa, 0, sizeof(sa));
	/* No SA_RESTART: poll() must return EINTR so the loop sees stop. */
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	if ((h = nfq_open()) == NULL) {
		perror("nfq-delay: nfq_open");
		return 1;
	}
	qh = nfq_create_queue(h, (uint16_t)qnum, &on_packet, NULL);
	if (qh == NULL) {
		perror("nfq-delay: nfq_create_queue");
		return 1;
	}
	/* Only the packet id is needed; old kernels lack COPY_META. */
	if (nfq_set_mode(qh, NFQNL_COPY_META, 0) == -1 &&
	    nfq_set_mode(qh, NFQNL_COPY_PACKET, 64) == -1) {
		perror("nfq-delay: nfq_set_mode");
		return 1;
	}
	/* The kernel's default of 1024 queued packets would add tail drop. */
	nfq_set_queue_maxlen(qh, RING_SIZE);
	fd = nfq_fd(h);
	fprintf(stderr, "nfq-delay: ready queue %lu delay %lu ms loss %lu%%\n",
	    qnum, ms, pct);

	while (!stop) {
		pfd.fd = fd;
		pfd.events = POLLIN;
		pfd.revents = 0;
		if (poll(&pfd, 1, next_timeout()) == -1 && errno != EINTR) {
			perror("nfq-delay: poll");
			break;
		}
		/* Drain everything queued so far, not one message per turn. */
		while (pfd.revents & POLLIN) {
			n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
			if (n > 0)
				nfq_handle_packet(h, buf, (int)n);
			else if (n == -1 && errno == ENOBUFS)
				fprintf(stderr, "nfq-delay: socket overrun, "
				    "packets lost\n");
			else
				break;
		}
		release(qh, 0);
	}
	release(qh, 1);
	fprintf(stderr, "nfq-delay: exit: %lu packets, %lu dropped, "
	    "%lu passed undelayed (ring full)\n", n_seen, n_dropped,
	    n_overflow);
	nfq_destroy_queue(qh);
	nfq_close(h);
	return 0;
}
