/*
 * loopstall: how long hbd's event loop stops answering. Sends a status
 * request over hbd's control socket every INTERVAL_MS (one connection,
 * one request in flight: the control socket is served by the loop, so a
 * reply that takes long is a loop that was busy or blocked) and logs one
 * line per request:
 *
 *	SEND_US RTT_US
 *
 * (CLOCK_REALTIME microseconds, the clock the harness takes its action
 * times from). Runs until SIGTERM or SIGINT. A request not answered
 * within 10 s ends the run with exit 1.
 *
 *	loopstall SOCKET INTERVAL_MS OUTFILE
 *
 * Built by bench/stall.sh against libhbdcommon.a (lib/ctl_client.c).
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "ctl_client.h"

static volatile sig_atomic_t	 stop;

static void
on_sig(int s)
{
	(void)s;
	stop = 1;
}

static int64_t
now_us(int clock)
{
	struct timespec	 ts;

	clock_gettime(clock, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int
main(int argc, char **argv)
{
	struct ctl_conn	 c;
	struct jval	*v;
	FILE		*out;
	char		 err[256];
	int		 type, interval_ms;
	int64_t		 t0, t1, wall;

	if (argc != 4) {
		fprintf(stderr, "usage: loopstall SOCKET INTERVAL_MS OUTFILE\n");
		return 2;
	}
	interval_ms = atoi(argv[2]);
	if ((out = fopen(argv[3], "w")) == NULL) {
		perror(argv[3]);
		return 1;
	}
	setvbuf(out, NULL, _IOLBF, 0);
	signal(SIGTERM, on_sig);
	signal(SIGINT, on_sig);
	ctl_conn_init(&c);
	if (ctl_connect(&c, argv[1], 0) == -1) {
		perror(argv[1]);
		return 1;
	}
	while (!stop) {
		wall = now_us(CLOCK_REALTIME);
		t0 = now_us(CLOCK_MONOTONIC);
		if (ctl_call(&c, "{\"cmd\":\"status\"}", 10000, &type, &v, err,
		    sizeof(err)) != 1) {
			if (stop)
				break;
			fprintf(stderr, "loopstall: %s\n", err);
			return 1;
		}
		t1 = now_us(CLOCK_MONOTONIC);
		json_free(v);
		fprintf(out, "%lld %lld\n", (long long)wall,
		    (long long)(t1 - t0));
		usleep((useconds_t)interval_ms * 1000);
	}
	fclose(out);
	return 0;
}
