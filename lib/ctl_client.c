/*
 * ctl_client: framing over a unix stream socket. Reads are bounded by
 * CTL_MAX_PAYLOAD like the server's; a frame that breaks the protocol
 * ends the connection.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ctl_client.h"

void
ctl_conn_init(struct ctl_conn *c)
{
	c->fd = -1;
	buf_init(&c->in);
	buf_init(&c->out);
}

int
ctl_connect(struct ctl_conn *c, const char *path, int nonblock)
{
	struct sockaddr_un	 sun;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	hbd_strlcpy(sun.sun_path, path, sizeof(sun.sun_path));
	/*
	 * Non-blocking connect: a unix socket connects at once or fails, and
	 * with hbd stopped but its backlog full a blocking connect would
	 * hang. Blocking callers get a blocking socket afterwards.
	 */
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (c->fd == -1)
		return -1;
	if (connect(c->fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		int	 e = errno;

		close(c->fd);
		c->fd = -1;
		errno = e;
		return -1;
	}
	if (!nonblock) {
		int	 fl = fcntl(c->fd, F_GETFL);

		fcntl(c->fd, F_SETFL, fl & ~O_NONBLOCK);
	}
	buf_reset(&c->in);
	buf_reset(&c->out);
	return 0;
}

void
ctl_disconnect(struct ctl_conn *c)
{
	if (c->fd != -1)
		close(c->fd);
	c->fd = -1;
	buf_reset(&c->in);
	buf_reset(&c->out);
}

int
ctl_flush(struct ctl_conn *c)
{
	ssize_t	 n;

	while (c->out.len > 0) {
		n = send(c->fd, c->out.data, c->out.len, MSG_NOSIGNAL);
		if (n == -1) {
			if (errno == EAGAIN || errno == EINTR)
				return 0;
			return -1;
		}
		buf_drop(&c->out, (size_t)n);
	}
	return 1;
}

int
ctl_send(struct ctl_conn *c, const char *json)
{
	ctl_frame_add(&c->out, CTL_REQUEST, json, strlen(json));
	return ctl_flush(c) == -1 ? -1 : 0;
}

int
ctl_take(struct ctl_conn *c, int *type, struct jval **v, char *err,
    size_t len)
{
	struct ctl_frame	 f;
	const char		*why;
	long			 used;

	*v = NULL;
	used = ctl_frame_parse(c->in.data, c->in.len, &f, &why);
	if (used == 0)
		return 0;
	if (used < 0) {
		snprintf(err, len, "protocol error: %s", why);
		return -1;
	}
	*type = f.type;
	*v = json_parse(f.payload, f.len, err, len);
	buf_drop(&c->in, (size_t)used);
	if (*v == NULL)
		return -1;
	return 1;
}

int
ctl_fill(struct ctl_conn *c)
{
	char	 b[16384];
	ssize_t	 n;
	int	 got = 0;

	for (;;) {
		n = recv(c->fd, b, sizeof(b), MSG_DONTWAIT);
		if (n == 0)
			return got ? 1 : -1;	/* take what came, then EOF */
		if (n == -1)	/* data already read is taken first */
			return errno == EAGAIN || errno == EINTR || got ? got :
			    -1;
		buf_add(&c->in, b, (size_t)n);
		got = 1;
	}
}

int
ctl_recv(struct ctl_conn *c, int timeout_ms, int *type, struct jval **v,
    char *err, size_t len)
{
	struct pollfd	 p;
	int		 r;
	int64_t		 deadline = mono_ms() + timeout_ms;

	for (;;) {
		r = ctl_take(c, type, v, err, len);
		if (r != 0)
			return r;
		p.fd = c->fd;
		p.events = POLLIN;
		r = poll(&p, 1, timeout_ms < 0 ? -1 :
		    (int)(deadline - mono_ms() > 0 ? deadline - mono_ms() : 0));
		if (r == 0) {
			snprintf(err, len, "timed out");
			return 0;
		}
		if (r == -1 && errno != EINTR) {
			snprintf(err, len, "poll: %s", strerror(errno));
			return -1;
		}
		if (r > 0 && ctl_fill(c) == -1) {
			snprintf(err, len, "hbd closed the connection");
			return -1;
		}
	}
}

int
ctl_call(struct ctl_conn *c, const char *json, int timeout_ms, int *type,
    struct jval **v, char *err, size_t len)
{
	if (ctl_send(c, json) == -1) {
		int	 e = errno;

		/* hbd may have refused us on connect: its reason is
		 * already queued, so a short wait suffices */
		if (ctl_recv(c, timeout_ms < 250 ? timeout_ms : 250, type, v,
		    err, len) == 1)
			return 1;
		snprintf(err, len, "send: %s", strerror(e));
		return -1;
	}
	return ctl_recv(c, timeout_ms, type, v, err, len);
}
