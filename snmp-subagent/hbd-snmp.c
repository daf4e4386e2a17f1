/*
 * hbd-snmp: hbd's AgentX subagent. Publishes HBD-MIB through the
 * system's snmpd from a cache fed by hbd's control socket, sends its
 * notifications, and moves a group when hbdGroupAdminOwner is set.
 *
 * main: options, start-up order, and the one poll() loop that serves
 * net-snmp's sockets and alarms, the hbd subscription and signals.
 * Runs in the foreground (hbd's `respawn` supervises it) unless -D.
 */
#include "config.h"

#include <sys/signalfd.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "agentx.h"
#include "cache.h"
#include "ctl_client.h"
#include "hbdlink.h"
#include "log.h"
#include "traps.h"
#include "util.h"

#define MAX_POLL	64

static void __attribute__((noreturn))
usage(int code)
{
	fprintf(code ? stderr : stdout,
	    "usage: hbd-snmp [-dDvV] [-S HBD_SOCKET] [-x AGENTX_SOCKET]\n"
	    "  -S, --socket PATH     hbd's control socket ($HBD_SOCKET or "
	    "%s)\n"
	    "  -x, --agentx SOCKET   snmpd's AgentX master socket (%s);\n"
	    "                        a path, unix:PATH or tcp:HOST:PORT\n"
	    "  -d, --debug           stay in the foreground, log to stderr "
	    "(not syslog)\n"
	    "  -D, --daemon          detach from the terminal (default: "
	    "foreground)\n"
	    "  -v                    more verbose: -v debug, -vv events, "
	    "-vvv AgentX\n"
	    "  -V, --version         print the version\n",
	    CTL_DEFAULT_SOCKET, AGENTX_DEFAULT_SOCKET);
	exit(code);
}

static void
on_up(void)
{
	traps_daemon(DAEMON_REACHABLE);
}

static void
on_down(const char *why)
{
	traps_daemon(DAEMON_UNREACHABLE);
}

static const struct hl_handlers handlers = { on_up, on_down, traps_event };

static int
signals_fd(void)
{
	sigset_t	 set;
	int		 fd;

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL) == -1)
		fatal("sigprocmask");
	if ((fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC)) == -1)
		fatal("signalfd");
	return fd;
}

/* 1: stop; 0: keep going */
static int
read_signals(int fd)
{
	struct signalfd_siginfo	 si;
	int			 stop = 0;

	while (read(fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGHUP:
			log_reopen();
			log_info("SIGHUP: logs reopened");
			break;
		default:
			log_info("signal %d: exiting", (int)si.ssi_signo);
			stop = 1;
			break;
		}
	}
	return stop;
}

static void
detach(void)
{
	int	 fd;

	switch (fork()) {
	case -1:
		fatal("fork");
	case 0:
		break;
	default:
		_exit(0);
	}
	if (setsid() == -1)
		fatal("setsid");
	if (chdir("/") == -1)
		fatal("chdir /");
	if ((fd = open("/dev/null", O_RDWR)) != -1) {
		dup2(fd, STDIN_FILENO);
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		if (fd > STDERR_FILENO)
			close(fd);
	}
}

static void
loop(int sigfd)
{
	struct pollfd	 pfd[MAX_POLL];
	int		 n, nsnmp, hb, mvi, timeout, r, mt;
	short		 ev = 0, mev = 0;
	int64_t		 now;

	for (;;) {
		now = mono_ms();
		timeout = hl_timeout(now);
		pfd[0].fd = sigfd;
		pfd[0].events = POLLIN;
		pfd[0].revents = 0;
		n = 1;
		hb = -1;
		if ((pfd[n].fd = hl_fd(&ev)) != -1) {
			pfd[n].events = ev;
			pfd[n].revents = 0;
			hb = n++;
		}
		/* a SET's move request, answered without blocking */
		mvi = -1;
		if ((pfd[n].fd = hl_move_fd(&mev)) != -1) {
			pfd[n].events = mev;
			pfd[n].revents = 0;
			mvi = n++;
		}
		if ((mt = hl_move_timeout(now)) >= 0 && mt < timeout)
			timeout = mt;
		nsnmp = agentx_prepare(pfd + n, MAX_POLL - n, &timeout);
		r = poll(pfd, (nfds_t)(n + nsnmp), timeout);
		if (r == -1 && errno != EINTR)
			fatal("poll");
		if (r > 0 && (pfd[0].revents & POLLIN) && read_signals(sigfd))
			return;
		/* net-snmp first: a lost session is noticed before we send */
		agentx_dispatch(pfd + n, r > 0 ? nsnmp : 0);
		hl_run(mono_ms(), hb >= 0 && r > 0 ? pfd[hb].revents : 0);
		hl_move_run(mono_ms(), mvi >= 0 && r > 0 ? pfd[mvi].revents :
		    0);
		traps_flush();
	}
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "socket", required_argument, NULL, 'S' },
		{ "agentx", required_argument, NULL, 'x' },
		{ "debug", no_argument, NULL, 'd' },
		{ "daemon", no_argument, NULL, 'D' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char	*sock = getenv("HBD_SOCKET");
	const char	*xsock = AGENTX_DEFAULT_SOCKET;
	int		 ch, debug = 0, daemonize = 0, verbose = 0, sigfd;

	if (sock == NULL || *sock == '\0')
		sock = CTL_DEFAULT_SOCKET;
	while ((ch = getopt_long(argc, argv, "S:x:dDvVh", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'S':
			sock = optarg;
			break;
		case 'x':
			xsock = optarg;
			break;
		case 'd':
			debug = 1;
			break;
		case 'D':
			daemonize = 1;
			break;
		case 'v':
			verbose++;
			break;
		case 'V':
			printf("hbd-snmp %s\n", PACKAGE_VERSION);
			return 0;
		case 'h':
			usage(0);
		default:
			usage(2);
		}
	}
	if (optind != argc)
		usage(2);
	if (debug && daemonize) {
		fprintf(stderr, "hbd-snmp: -d and -D exclude each other\n");
		return 2;
	}

	log_init("hbd-snmp", debug, LOG_DAEMON);
	log_set_syslog(!debug);
	log_set_verbose(verbose + debug);
	if (daemonize)
		detach();
	sigfd = signals_fd();

	log_info("hbd-snmp %s starting: hbd at %s, snmpd at %s",
	    PACKAGE_VERSION, sock, xsock);
	hl_start(sock, &handlers);
	agentx_init(xsock, verbose + debug);
	loop(sigfd);

	hl_stop();
	agentx_shutdown();
	traps_shutdown();
	cache_free();
	close(sigfd);
	log_close();
	return 0;
}
