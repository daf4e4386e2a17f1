/*
 * ctl-abuse: misbehaving control-socket clients for the system tests.
 *   ctl-abuse SOCKET garbage     send HTTP at it; expect an error, then EOF
 *   ctl-abuse SOCKET oversize    announce a 2 GB frame; expect EOF
 *   ctl-abuse SOCKET slow N      send N status requests, never read; then
 *                                report whether hbd cut us off
 *   ctl-abuse SOCKET hold N SECS open N connections and send nothing;
 *                                print how many hbd refused at once, then
 *                                after SECS how many it has closed since
 *                                ("held H refused R", "closed C of H")
 *   ctl-abuse SOCKET connect N   connect N times in a row, closing each
 *   ctl-abuse SOCKET request JSON send one request, print the reply's
 *                                type (ok/error) and payload
 * Exit 0 when hbd behaved (closed the connection), 1 otherwise; hold and
 * connect exit 0 and let the test judge what they print.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int
conn_try(const char *path)
{
	struct sockaddr_un	 sun;
	int			 fd = socket(AF_UNIX, SOCK_STREAM, 0);

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	if (fd == -1 || connect(fd, (struct sockaddr *)&sun, sizeof(sun))) {
		if (fd != -1)
			close(fd);
		return -1;
	}
	return fd;
}

static int
conn(const char *path)
{
	int	 fd = conn_try(path);

	if (fd == -1) {
		perror("ctl-abuse: connect");
		exit(2);
	}
	return fd;
}

/* 1 if hbd closed this connection (EOF, maybe after an error frame) */
static int
closed_by_peer(int fd, int wait_ms)
{
	char		 b[4096];
	struct pollfd	 p = { fd, POLLIN, 0 };
	ssize_t		 n;

	while (poll(&p, 1, wait_ms) == 1) {
		n = read(fd, b, sizeof(b));
		if (n == 0 || (n < 0 && errno == ECONNRESET))
			return 1;
		if (n < 0)
			return 0;
	}
	return 0;
}

static int
hold(const char *path, int n, int secs)
{
	int	*fds = calloc((size_t)n, sizeof(int));
	int	 i, held = 0, refused = 0, closed = 0;

	if (fds == NULL)
		return 2;
	for (i = 0; i < n; i++)
		fds[i] = conn_try(path);
	usleep(1500 * 1000);	/* hbd accepts or refuses each meanwhile */
	for (i = 0; i < n; i++) {
		if (fds[i] == -1 || closed_by_peer(fds[i], 0)) {
			refused++;
			if (fds[i] != -1)
				close(fds[i]);
			fds[i] = -1;
		} else
			held++;
	}
	printf("held %d refused %d\n", held, refused);
	fflush(stdout);
	sleep((unsigned)secs);
	for (i = 0; i < n; i++)
		if (fds[i] != -1 && closed_by_peer(fds[i], 0))
			closed++;
	printf("closed %d of %d\n", closed, held);
	fflush(stdout);
	for (i = 0; i < n; i++)
		if (fds[i] != -1)
			close(fds[i]);
	free(fds);	/* under LeakSanitizer a leak aborts, output unflushed */
	return 0;
}

/* Read until EOF (or 5 s); print what came; 0 if the peer closed. */
static int
expect_eof(int fd)
{
	char		 b[4096];
	ssize_t		 n;
	size_t		 total = 0;
	struct pollfd	 p = { fd, POLLIN, 0 };

	for (;;) {
		if (poll(&p, 1, 5000) != 1) {
			fprintf(stderr, "ctl-abuse: still connected after 5 s\n");
			return 1;
		}
		n = read(fd, b, sizeof(b));
		if (n == 0) {
			printf("closed by hbd after %zu bytes\n", total);
			return 0;
		}
		if (n < 0)
			return errno == ECONNRESET ? 0 : 1;
		if (total == 0 && n > 8)
			printf("reply: %.*s\n", (int)(n - 8), b + 8);
		total += (size_t)n;
	}
}

int
main(int argc, char **argv)
{
	int	 fd, i, n;

	if (argc < 3) {
		fprintf(stderr, "usage: ctl-abuse SOCKET garbage|oversize|"
		    "slow N|hold N SECS|connect N\n");
		return 2;
	}
	if (strcmp(argv[2], "hold") == 0 && argc == 5)
		return hold(argv[1], atoi(argv[3]), atoi(argv[4]));
	if (strcmp(argv[2], "connect") == 0 && argc == 4) {
		n = atoi(argv[3]);
		for (i = 0; i < n; i++)
			if ((fd = conn_try(argv[1])) != -1)
				close(fd);
		return 0;
	}
	fd = conn(argv[1]);
	if (strcmp(argv[2], "request") == 0 && argc == 4) {
		size_t		 l = strlen(argv[3]);
		unsigned char	 h[8] = { 'H', 'B', 1, 1, (unsigned char)(l >> 24),
		    (unsigned char)(l >> 16), (unsigned char)(l >> 8),
		    (unsigned char)l };
		char		 b[65536];
		struct pollfd	 p = { fd, POLLIN, 0 };
		ssize_t		 got;

		if (write(fd, h, sizeof(h)) < 0 || write(fd, argv[3], l) < 0 ||
		    poll(&p, 1, 5000) != 1 || (got = read(fd, b, sizeof(b))) < 8)
			return 1;
		printf("%s %.*s\n", b[3] == 2 ? "ok" : "error", (int)(got - 8),
		    b + 8);
		return 0;
	}
	if (strcmp(argv[2], "garbage") == 0) {
		const char	*g = "GET / HTTP/1.0\r\n\r\n";

		if (write(fd, g, strlen(g)) < 0)
			return 1;
		return expect_eof(fd);
	}
	if (strcmp(argv[2], "oversize") == 0) {
		unsigned char	 h[8] = { 'H', 'B', 1, 1, 0x7f, 0xff, 0xff, 0xff };

		if (write(fd, h, sizeof(h)) < 0)
			return 1;
		return expect_eof(fd);
	}
	if (strcmp(argv[2], "slow") == 0 && argc == 4) {
		const char	*req = "{\"cmd\":\"status\"}";
		unsigned char	 f[64];
		int		 sent = 0;

		n = atoi(argv[3]);
		f[0] = 'H';
		f[1] = 'B';
		f[2] = 1;
		f[3] = 1;
		f[4] = f[5] = f[6] = 0;
		f[7] = (unsigned char)strlen(req);
		memcpy(f + 8, req, strlen(req));
		for (i = 0; i < n; i++) {
			if (send(fd, f, 8 + strlen(req), MSG_NOSIGNAL) < 0)
				break;	/* cut off: good */
			sent++;
			usleep(200);
		}
		printf("sent %d requests without reading\n", sent);
		return expect_eof(fd);
	}
	fprintf(stderr, "ctl-abuse: unknown mode %s\n", argv[2]);
	return 2;
}
