/*
 * hb-inject: hostile heartbeat traffic for the system tests.
 *   hb-inject capture PORT COUNT DIR        save COUNT packets seen on PORT
 *   hb-inject replay ADDR PORT FILE...      send saved packets again
 *   hb-inject garbage ADDR PORT COUNT       random bytes, random lengths
 *   hb-inject forge ADDR PORT CLUSTER NODE METHOD SECRET COUNT
 *                                           well-formed, signed with SECRET
 * Traffic goes only where the test points it (a lab namespace address).
 */
#include "config.h"

#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "auth.h"
#include "conf.h"
#include "hb_msg.h"

static int
udp_to(const char *addr, const char *port, struct sockaddr_in *sin)
{
	int	 fd = socket(AF_INET, SOCK_DGRAM, 0);

	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_port = htons((uint16_t)atoi(port));
	if (fd == -1 || inet_pton(AF_INET, addr, &sin->sin_addr) != 1) {
		fprintf(stderr, "hb-inject: bad address %s\n", addr);
		exit(2);
	}
	return fd;
}

static int
capture(const char *port, int count, const char *dir)
{
	struct sockaddr_in	 sin;
	uint8_t			 b[2048];
	char			 path[4096];
	int			 fd, one = 1, i;
	ssize_t			 n;

	fd = socket(AF_INET, SOCK_DGRAM, 0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)atoi(port));
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1) {
		perror("hb-inject: bind");
		return 1;
	}
	for (i = 0; i < count; i++) {
		struct pollfd	 p = { fd, POLLIN, 0 };
		FILE		*f;

		if (poll(&p, 1, 10000) != 1) {
			fprintf(stderr, "hb-inject: nothing to capture\n");
			return 1;
		}
		n = recv(fd, b, sizeof(b), 0);
		if (n <= 0)
			return 1;
		snprintf(path, sizeof(path), "%s/pkt%03d.bin", dir, i);
		if ((f = fopen(path, "w")) == NULL)
			return 1;
		fwrite(b, 1, (size_t)n, f);
		fclose(f);
	}
	return 0;
}

static int
replay(const char *addr, const char *port, int nfiles, char **files)
{
	struct sockaddr_in	 sin;
	uint8_t			 b[2048];
	int			 fd = udp_to(addr, port, &sin), i;

	for (i = 0; i < nfiles; i++) {
		FILE	*f = fopen(files[i], "r");
		size_t	 n;

		if (f == NULL)
			return 1;
		n = fread(b, 1, sizeof(b), f);
		fclose(f);
		sendto(fd, b, n, 0, (struct sockaddr *)&sin, sizeof(sin));
		usleep(1000);
	}
	return 0;
}

static int
garbage(const char *addr, const char *port, int count)
{
	struct sockaddr_in	 sin;
	uint8_t			 b[1500];
	int			 fd = udp_to(addr, port, &sin), i, j, n;

	srand((unsigned)time(NULL) ^ (unsigned)getpid());
	for (i = 0; i < count; i++) {
		n = rand() % (int)sizeof(b);
		for (j = 0; j < n; j++)
			b[j] = (uint8_t)rand();
		if (i % 3 == 0 && n > 3) {
			/* look like a heartbeat, then lie */
			b[0] = 'h';
			b[1] = 'b';
			b[2] = HB_VERSION;
			b[3] = HB_HEARTBEAT;
		}
		sendto(fd, b, (size_t)n, 0, (struct sockaddr *)&sin,
		    sizeof(sin));
		usleep(500);
	}
	return 0;
}

static int
forge(char **av, int count)
{
	struct sockaddr_in	 sin;
	struct conf		*c = calloc(1, sizeof(*c));
	struct hb_msg		 m;
	uint8_t			 pkt[HB_MAX_PACKET], d[AUTH_MAX_DIGEST];
	size_t			 slen;
	int			 fd = udp_to(av[0], av[1], &sin), i, dl, len;

	c->nkeys = 1;
	c->keys[0].index = 1;
	c->keys[0].method = strcmp(av[4], "sha1") == 0 ? AUTH_SHA1 :
	    strcmp(av[4], "md5") == 0 ? AUTH_MD5 : AUTH_SHA256;
	c->keys[0].secretlen = strlen(av[5]);
	memcpy(c->keys[0].secret, av[5], c->keys[0].secretlen);
	for (i = 0; i < count; i++) {
		memset(&m, 0, sizeof(m));
		m.type = HB_HEARTBEAT;
		m.cluster_id = conf_hash(av[2]);
		m.generation = (uint32_t)time(NULL) + 100000;
		m.seq = (uint64_t)i + 1;
		snprintf(m.node, sizeof(m.node), "%s", av[3]);
		m.status = HB_ST_LEFT;	/* the most damaging lie */
		if (hb_msg_encode(&m, 1, pkt, sizeof(pkt), &slen) == -1)
			return 1;
		dl = auth_sign(c, 1, pkt, slen, d);
		len = hb_msg_finish(pkt, sizeof(pkt), slen, d, (size_t)dl);
		sendto(fd, pkt, (size_t)len, 0, (struct sockaddr *)&sin,
		    sizeof(sin));
		usleep(1000);
	}
	free(c);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc >= 5 && strcmp(argv[1], "capture") == 0)
		return capture(argv[2], atoi(argv[3]), argv[4]);
	if (argc >= 5 && strcmp(argv[1], "replay") == 0)
		return replay(argv[2], argv[3], argc - 4, argv + 4);
	if (argc == 5 && strcmp(argv[1], "garbage") == 0)
		return garbage(argv[2], argv[3], atoi(argv[4]));
	if (argc == 9 && strcmp(argv[1], "forge") == 0)
		return forge(argv + 2, atoi(argv[8]));
	fprintf(stderr, "usage: hb-inject capture PORT COUNT DIR\n"
	    "       hb-inject replay ADDR PORT FILE...\n"
	    "       hb-inject garbage ADDR PORT COUNT\n"
	    "       hb-inject forge ADDR PORT CLUSTER NODE METHOD SECRET "
	    "COUNT\n");
	return 2;
}
