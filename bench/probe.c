/*
 * probe: the benchmark's client.  Opens a NEW TCP connection to ADDR:PORT
 * every INTERVAL_MS (default 10), sends "GET PATH HTTP/1.0", and logs one
 * line per attempt when it ends:
 *
 *	START_US END_US RESULT BODY
 *
 * START_US and END_US are CLOCK_REALTIME in microseconds (the harness takes
 * its action times from the same clock); RESULT is ok (HTTP 200 and a body),
 * refused, reset, timeout, http<code> or error; BODY is the first line of
 * the response body (the node name, from /hostname.html) or "-", at most
 * 127 bytes, blanks turned into '_' (one field).
 * Attempts overlap: a slow one never delays the next start, so the sampling
 * period holds while the service is away (a curl loop cannot do this: one
 * lost SYN stalls it for a second).  An attempt not answered within
 * TIMEOUT_MS (default 500) is a timeout.  Runs until SIGTERM or SIGINT.
 *
 *	probe [-i INTERVAL_MS] [-t TIMEOUT_MS] ADDR PORT PATH OUTFILE
 *
 * Only ever connects to ADDR (the benchmark passes the lab's VIP).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#define MAXCONN	1024
#define BUFSZ	2048

struct conn {
	int		fd;
	int		sent;
	int64_t		start_us;
	int64_t		deadline_us;
	size_t		len;
	char		buf[BUFSZ];
};

static volatile sig_atomic_t stop;
static struct conn conns[MAXCONN];
static struct sockaddr_in dst;
static char req[512];
static size_t reqlen;
static FILE *out;
static int ep;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int64_t
real_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void
finish(struct conn *c, const char *result)
{
	char body[128] = "-", code[16] = "";
	const char *b, *r = result;
	size_t i;

	if (result == NULL) {
		/* complete response: "HTTP/1.x 200 ...\r\n...\r\n\r\nBODY" */
		c->buf[c->len] = '\0';
		r = "error";
		if (c->len > 12 && strncmp(c->buf, "HTTP/", 5) == 0) {
			memcpy(code, c->buf + 9, 3);
			code[3] = '\0';
			if ((b = strstr(c->buf, "\r\n\r\n")) != NULL) {
				b += 4;
				for (i = 0; i < sizeof(body) - 1 && b[i] &&
				    b[i] != '\n' && b[i] != '\r'; i++)
					body[i] = b[i] == ' ' || b[i] == '\t' ?
					    '_' : b[i];
				body[i] = '\0';
				if (i == 0)
					strcpy(body, "-");
			}
			if (strcmp(code, "200") == 0)
				r = b != NULL && body[0] != '-' ? "ok" : "error";
			else {
				snprintf(code, sizeof(code), "http%.3s",
				    c->buf + 9);
				r = code;
			}
		}
	}
	fprintf(out, "%lld %lld %s %s\n", (long long)c->start_us,
	    (long long)real_us(), r, body);
	fflush(out);
	if (strcmp(r, "ok") != 0) {
		/* no TIME_WAIT pile-up from failed attempts */
		struct linger l = { 1, 0 };
		setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
	}
	epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	c->fd = -1;
}

static void
start_one(int64_t timeout_us)
{
	struct epoll_event ev;
	struct conn *c = NULL;
	int i, fd, one = 1;

	for (i = 0; i < MAXCONN; i++)
		if (conns[i].fd < 0) {
			c = &conns[i];
			break;
		}
	if (c == NULL)
		return;		/* cannot happen at sane settings */
	c->start_us = real_us();
	c->deadline_us = c->start_us + timeout_us;
	c->len = 0;
	c->sent = 0;
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		fprintf(out, "%lld %lld error -\n", (long long)c->start_us,
		    (long long)real_us());
		return;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	c->fd = fd;
	if (connect(fd, (struct sockaddr *)&dst, sizeof(dst)) < 0 &&
	    errno != EINPROGRESS) {
		finish(c, errno == ECONNREFUSED ? "refused" : "error");
		return;
	}
	ev.events = EPOLLOUT | EPOLLIN | EPOLLRDHUP;
	ev.data.ptr = c;
	epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
}

static void
on_event(struct conn *c, uint32_t events)
{
	struct epoll_event ev;
	socklen_t sl = sizeof(int);
	ssize_t n;
	int err = 0;

	if (!c->sent) {
		getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &sl);
		if (err != 0) {
			finish(c, err == ECONNREFUSED ? "refused" :
			    err == ECONNRESET ? "reset" : "error");
			return;
		}
		if (!(events & EPOLLOUT))
			return;
		if (send(c->fd, req, reqlen, MSG_NOSIGNAL) != (ssize_t)reqlen) {
			finish(c, "error");
			return;
		}
		c->sent = 1;
		ev.events = EPOLLIN | EPOLLRDHUP;
		ev.data.ptr = c;
		epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
		return;
	}
	for (;;) {
		if (c->len >= BUFSZ - 1) {
			finish(c, NULL);
			return;
		}
		n = recv(c->fd, c->buf + c->len, BUFSZ - 1 - c->len, 0);
		if (n > 0) {
			c->len += (size_t)n;
			continue;
		}
		if (n == 0) {
			finish(c, NULL);
			return;
		}
		if (errno == EAGAIN || errno == EINTR)
			return;
		finish(c, errno == ECONNRESET ? "reset" : "error");
		return;
	}
}

int
main(int argc, char **argv)
{
	struct epoll_event evs[64], ev;
	struct itimerspec its;
	struct sigaction sa;
	int64_t interval_ms = 10, timeout_ms = 500, now;
	uint64_t ticks;
	int opt, tfd, i, n;

	while ((opt = getopt(argc, argv, "i:t:")) != -1) {
		switch (opt) {
		case 'i': interval_ms = atoll(optarg); break;
		case 't': timeout_ms = atoll(optarg); break;
		default: goto usage;
		}
	}
	if (argc - optind != 4 || interval_ms < 1 || timeout_ms < 1) {
usage:
		fprintf(stderr, "usage: probe [-i INTERVAL_MS] [-t TIMEOUT_MS]"
		    " ADDR PORT PATH OUTFILE\n");
		return 2;
	}
	memset(&dst, 0, sizeof(dst));
	dst.sin_family = AF_INET;
	dst.sin_port = htons((uint16_t)atoi(argv[optind + 1]));
	if (inet_pton(AF_INET, argv[optind], &dst.sin_addr) != 1) {
		fprintf(stderr, "probe: bad address %s\n", argv[optind]);
		return 2;
	}
	reqlen = (size_t)snprintf(req, sizeof(req),
	    "GET %s HTTP/1.0\r\nHost: %s\r\nConnection: close\r\n\r\n",
	    argv[optind + 2], argv[optind]);
	if ((out = fopen(argv[optind + 3], "a")) == NULL) {
		perror(argv[optind + 3]);
		return 1;
	}
	for (i = 0; i < MAXCONN; i++)
		conns[i].fd = -1;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	ep = epoll_create1(EPOLL_CLOEXEC);
	tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (ep < 0 || tfd < 0) {
		perror("probe: epoll/timerfd");
		return 1;
	}
	its.it_interval.tv_sec = interval_ms / 1000;
	its.it_interval.tv_nsec = (interval_ms % 1000) * 1000000;
	its.it_value.tv_sec = 0;
	its.it_value.tv_nsec = 1000000;
	timerfd_settime(tfd, 0, &its, NULL);
	ev.events = EPOLLIN;
	ev.data.ptr = NULL;
	epoll_ctl(ep, EPOLL_CTL_ADD, tfd, &ev);

	while (!stop) {
		n = epoll_wait(ep, evs, 64, 5);
		for (i = 0; i < n; i++) {
			if (evs[i].data.ptr == NULL) {
				if (read(tfd, &ticks, sizeof(ticks)) > 0)
					start_one(timeout_ms * 1000);
				continue;
			}
			if (((struct conn *)evs[i].data.ptr)->fd >= 0)
				on_event(evs[i].data.ptr, evs[i].events);
		}
		now = real_us();
		for (i = 0; i < MAXCONN; i++)
			if (conns[i].fd >= 0 && now >= conns[i].deadline_us)
				finish(&conns[i], "timeout");
	}
	for (i = 0; i < MAXCONN; i++)
		if (conns[i].fd >= 0)
			finish(&conns[i], "timeout");
	fclose(out);
	return 0;
}
