/*
 * hbd: main. Reads the options, then boots in this order: configuration,
 * logging, pid file lock, event loop, control socket, daemonize, real-time
 * scheduling, cluster. Anything that can fail with a message the operator
 * must see happens before the fork.
 */
#include "config.h"

#include <sys/file.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "auth.h"
#include "shell.h"
#include "conf.h"
#include "control.h"
#include "event.h"
#include "export_pcmk.h"
#include "log.h"
#include "media.h"
#include "supervise.h"
#include "util.h"

#define DEFAULT_SOCKET	"/run/hbd/hbd.sock"
#define DEFAULT_STATE	"/var/lib/hbd"
#define DEFAULT_PIDFILE	"/run/hbd/hbd.pid"

static struct conf_opts	 copts;
static const char	*pidfile = DEFAULT_PIDFILE;
static int		 pidfd = -1;
static int		 verbose;

static void
usage(void)
{
	fprintf(stderr,
	    "usage: hbd [-dnvV] [-c DIR | -f FILE] [-N NODE] [-S SOCKET]\n"
	    "           [-s STATEDIR] [-p PIDFILE] [--dump-config]\n"
	    "           [--export pacemaker|pcs|crmsh|corosync [--format "
	    "cib|pcs|crm|corosync|all]]\n"
	    "  -c, --config-dir DIR  read DIR/ha.cf, haresources, authkeys "
	    "(/etc/ha.d)\n"
	    "  -f, --config FILE     read a libconfig hbd.conf instead\n"
	    "  -n, --check           check the configuration and exit\n"
	    "  -N, --node NAME       this node's name (uname -n)\n"
	    "  -d, --foreground      do not daemonize; log to stderr too\n"
	    "  -S, --socket PATH     control socket (" DEFAULT_SOCKET ")\n"
	    "  -s, --state-dir DIR   persistent state (" DEFAULT_STATE ")\n"
	    "  -p, --pidfile PATH    pid file (" DEFAULT_PIDFILE ")\n"
	    "  --export pacemaker    print the configuration as a Pacemaker "
	    "CIB and exit\n"
	    "  -v                    more verbose; -V print the version\n");
	exit(2);
}

static void
print_diag(const struct conf_diag *d)
{
	conf_diag_print(d, stderr);
}

/* Log configuration problems found at reload (stderr is gone by then). */
static void
log_diag(const struct conf_diag *d, char *err, size_t len)
{
	int	 i, first = 1;

	if (err && len)
		err[0] = '\0';
	for (i = 0; i < d->nmsgs; i++) {
		const struct conf_msg	*m = &d->msgs[i];
		char			 line[1200];

		if (m->line > 0)
			snprintf(line, sizeof(line), "%s:%d: %s%s", m->file,
			    m->line, m->warning ? "warning: " : "", m->text);
		else
			snprintf(line, sizeof(line), "%s: %s%s", m->file,
			    m->warning ? "warning: " : "", m->text);
		if (m->warning)
			log_warnx("%s", line);
		else {
			log_warnx("%s", line);
			if (err && len) {
				size_t	 l = strlen(err);

				snprintf(err + l, len - l, "%s%s",
				    first ? "" : "\n", line);
				first = 0;
			}
		}
	}
}

static void
apply_logging(const struct conf *c, int foreground)
{
	if (c->logfile || c->debugfile)
		if (log_set_files(c->logfile, c->debugfile) == -1)
			log_warn("cannot open logfile/debugfile");
	log_set_verbose(verbose > c->debug ? verbose : c->debug);
	if (c->logfacility >= 0) {
		log_set_syslog(0);
		log_init("hbd", foreground, c->logfacility);
		log_set_syslog(1);
	} else {
		log_set_syslog(0);
		log_init("hbd", foreground, -1);
	}
}

static int	 foreground;

/* control commands: "export" reads the loaded configuration, the rest
 * are the cluster's */
static int
command(const char *cmd, const struct jval *req, struct jw *reply, char *err,
    size_t len)
{
	if (strcmp(cmd, "export") == 0)
		return export_pcmk_command(shell_conf(), req, reply, err, len);
	return shell_command(cmd, req, reply, err, len);
}

static void
reload_event(const char *result, const char *detail)
{
	struct jw	*w = ctl_event_begin("config_reloaded");

	jw_str(w, "result", result);
	if (detail && detail[0])
		jw_str(w, "detail", detail);
	ctl_event_end();
}

static int
reload(char *err, size_t len)
{
	struct conf_diag	 d;
	struct conf		*n;
	struct conf_opts	 o = copts;

	o.for_start = 1;
	log_info("reloading the configuration");
	n = conf_load(&o, &d);
	log_diag(&d, err, len);
	conf_diag_free(&d);
	if (n == NULL) {
		log_warnx("the new configuration is invalid; keeping the one "
		    "in use");
		reload_event("refused", err);
		return -1;
	}
	if (shell_reload(n, err, len) == -1) {
		log_warnx("reload refused: %s; keeping the configuration in "
		    "use", err);
		conf_free(n);
		reload_event("refused", err);
		return -1;
	}
	apply_logging(n, foreground);
	supervise_reconf(n);
	log_info("configuration reloaded");
	reload_event("ok", NULL);
	return 0;
}

static void
on_hup(int sig, void *arg)
{
	char	 err[2048];

	log_reopen();
	reload(err, sizeof(err));
}

static void
on_term(int sig, void *arg)
{
	log_info("received %s", sig == SIGINT ? "SIGINT" : "SIGTERM");
	shell_shutdown();
}

static void
on_usr(int sig, void *arg)
{
	const struct conf	*c = shell_conf();

	if (c && c->debug > verbose)
		verbose = c->debug;
	verbose += sig == SIGUSR1 ? 1 : -1;
	if (verbose < 0)
		verbose = 0;
	log_set_verbose(verbose);
	log_info("verbosity %d", verbose);
}

static int
mkparent(const char *path)
{
	char	 dir[4096], *s;

	hbd_strlcpy(dir, path, sizeof(dir));
	if ((s = strrchr(dir, '/')) == NULL || s == dir)
		return 0;
	*s = '\0';
	if (mkdir(dir, 0755) == -1 && errno != EEXIST)
		return -1;
	return 0;
}

static int
lock_pidfile(void)
{
	char	 b[32];
	ssize_t	 n;

	if (mkparent(pidfile) == -1 ||
	    (pidfd = open(pidfile, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
	    0644)) == -1) {
		fprintf(stderr, "hbd: cannot open pid file %s: %s\n", pidfile,
		    strerror(errno));
		return -1;
	}
	if (flock(pidfd, LOCK_EX | LOCK_NB) == -1) {
		n = read(pidfd, b, sizeof(b) - 1);
		b[n > 0 ? n : 0] = '\0';
		b[strcspn(b, "\n")] = '\0';
		fprintf(stderr, "hbd: already running (pid %s, pid file %s)\n",
		    b[0] ? b : "?", pidfile);
		return -1;
	}
	return 0;
}

static void
write_pidfile(void)
{
	char	 b[32];
	int	 n = snprintf(b, sizeof(b), "%d\n", (int)getpid());

	if (ftruncate(pidfd, 0) == -1 || pwrite(pidfd, b, (size_t)n, 0) != n)
		log_warn("cannot write pid file %s", pidfile);
}

/*
 * The parent stays until the daemon says it runs (or dies trying), so
 * "hbd" returning 0 — and systemd's Type=forking — means it is up.
 */
static int	 ready_fd = -1;

static int
daemonize(void)
{
	pid_t	 pid;
	int	 fd, p[2];
	char	 c = 0;

	if (pipe2(p, O_CLOEXEC) == -1 || (pid = fork()) == -1)
		return -1;
	if (pid > 0) {
		close(p[1]);
		while (read(p[0], &c, 1) == -1 && errno == EINTR)
			;
		_exit(c == 'R' ? 0 : 1);
	}
	close(p[0]);
	ready_fd = p[1];
	setsid();
	if ((pid = fork()) == -1)
		return -1;
	if (pid > 0)
		_exit(0);
	if (chdir("/") == -1)
		return -1;
	if ((fd = open("/dev/null", O_RDWR)) != -1) {
		dup2(fd, 0);
		dup2(fd, 1);	/* stderr stays until we run (see main) */
		if (fd > 2)
			close(fd);
	}
	return 0;
}

/*
 * Heartbeats must leave on time even when the machine is loaded: run
 * SCHED_RR (children reset to normal: SCHED_RESET_ON_FORK) and lock our
 * memory so a page-in never delays a beat.
 */
/*
 * Start-up (dynamic linking, OpenSSL's initialisation) touches most of
 * libcrypto, and the kernel maps shared pages around every touched one:
 * megabytes of resident set we never use again. Drop those mappings'
 * pages once (they are clean, shared and refault from the page cache),
 * before memory is locked, so what stays resident is what the loop uses.
 */
static void
trim_shared_text(void)
{
	FILE		*fp;
	char		 line[512], perms[8];
	unsigned long	 lo = 0, hi = 0, l, h, anon;
	int		 candidate = 0;

	if ((fp = fopen("/proc/self/smaps", "r")) == NULL)
		return;
	while (fgets(line, sizeof(line), fp)) {
		/* (a field line such as "AnonHugePages:" parses as hex too) */
		if (sscanf(line, "%lx-%lx %7s", &l, &h, perms) == 3) {
			lo = l;
			hi = h;
			/* a shared library's read-only or executable pages */
			candidate = perms[1] != 'w' && perms[3] == 'p' &&
			    strstr(line, ".so") != NULL;
			continue;
		}
		/*
		 * Only mappings without a private modified page: RELRO (read
		 * only, but written by the dynamic linker) has them, and
		 * dropping those would lose its relocations.
		 */
		if (candidate && sscanf(line, "Anonymous: %lu kB", &anon) == 1) {
			if (anon == 0)
				madvise((void *)lo, hi - lo, MADV_DONTNEED);
			candidate = 0;
		}
	}
	fclose(fp);
}

/* Run the signing path once, so its one-time set-up is behind us. */
static void
warm_up(const struct conf *c)
{
	uint8_t	 d[AUTH_MAX_DIGEST];

	auth_sign(c, c->auth_use, "warm-up", 7, d);
}

static void
allow_coredumps(const struct conf *c)
{
	struct rlimit	 rl = { RLIM_INFINITY, RLIM_INFINITY };

	if (!c->coredumps)
		return;
	if (setrlimit(RLIMIT_CORE, &rl) == -1)
		log_warn("coredumps: cannot raise RLIMIT_CORE");
	prctl(PR_SET_DUMPABLE, 1);
}

static void
go_realtime(const struct conf *c)
{
	struct sched_param	 sp;

	if (!c->realtime)
		return;
	memset(&sp, 0, sizeof(sp));
	sp.sched_priority = c->rtprio ? c->rtprio : 10;
	if (sched_setscheduler(0, SCHED_RR | SCHED_RESET_ON_FORK, &sp) == -1)
		log_warn("realtime: cannot use SCHED_RR priority %d (needs "
		    "CAP_SYS_NICE or an RLIMIT_RTPRIO); running with normal "
		    "priority", sp.sched_priority);
	else
		log_info("realtime: SCHED_RR priority %d", sp.sched_priority);
	/*
	 * MCL_ONFAULT: lock what we touch, not every page of every library
	 * mapped (all of libcrypto would cost megabytes of resident memory).
	 */
#ifdef MCL_ONFAULT
	if (mlockall(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT) == 0)
		log_info("realtime: memory locked");
	else
#endif
	if (mlockall(MCL_CURRENT | MCL_FUTURE) == -1) {
		struct rlimit	 rl;

		getrlimit(RLIMIT_MEMLOCK, &rl);
		log_warn("realtime: cannot lock memory (RLIMIT_MEMLOCK %llu "
		    "bytes); heartbeats may be delayed by paging",
		    (unsigned long long)rl.rlim_cur);
	} else
		log_info("realtime: memory locked");
}

int
main(int argc, char **argv)
{
	struct conf_diag	 d;
	struct conf		*c;
	struct ctl_handlers	 h = { shell_status, command };
	const char		*sock = DEFAULT_SOCKET;
	const char		*statedir = DEFAULT_STATE;
	int			 ch, check = 0, dump = 0, export = -1;
	const char		*xformat = NULL;
	static const struct option longopts[] = {
		{ "config-dir", required_argument, NULL, 'c' },
		{ "config", required_argument, NULL, 'f' },
		{ "check", no_argument, NULL, 'n' },
		{ "node", required_argument, NULL, 'N' },
		{ "foreground", no_argument, NULL, 'd' },
		{ "socket", required_argument, NULL, 'S' },
		{ "state-dir", required_argument, NULL, 's' },
		{ "pidfile", required_argument, NULL, 'p' },
		{ "dump-config", no_argument, NULL, 'D' },
		{ "export", required_argument, NULL, 'E' },
		{ "format", required_argument, NULL, 'F' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};

	memset(&copts, 0, sizeof(copts));
	copts.agentdir = getenv("HBD_AGENT_DIR");
	while ((ch = getopt_long(argc, argv, "c:f:nN:dS:s:p:vVh", longopts,
	    NULL)) != -1)
		switch (ch) {
		case 'c':
			copts.confdir = optarg;
			break;
		case 'f':
			copts.conffile = optarg;
			break;
		case 'n':
			check = 1;
			break;
		case 'N':
			copts.local = optarg;
			break;
		case 'd':
			foreground = 1;
			break;
		case 'S':
			sock = optarg;
			break;
		case 's':
			statedir = optarg;
			break;
		case 'p':
			pidfile = optarg;
			break;
		case 'D':
			dump = 1;
			break;
		case 'E':
			if ((export = export_pcmk_target(optarg)) == -1) {
				fprintf(stderr, "hbd: --export: unknown target "
				    "%s (pacemaker, pcs, crmsh, corosync)\n",
				    optarg);
				return 2;
			}
			break;
		case 'F':
			xformat = optarg;
			break;
		case 'v':
			verbose++;
			break;
		case 'V':
			printf("hbd %s\n", PACKAGE_VERSION);
			return 0;
		default:
			usage();
		}
	if (optind != argc)
		usage();
	if (copts.confdir && copts.conffile) {
		fprintf(stderr, "hbd: give -c or -f, not both\n");
		return 2;
	}

	if (xformat && (export == -1 ||
	    (export = export_pcmk_format(xformat)) == -1)) {
		fprintf(stderr, "hbd: --format: expected cib, pcs, crm, "
		    "corosync or all (with --export pacemaker)\n");
		return 2;
	}
	log_init("hbd", 1, -1);
	copts.for_start = !check && !dump && export == -1;
	c = conf_load(&copts, &d);
	print_diag(&d);
	conf_diag_free(&d);
	if (c == NULL)
		return 1;
	if (dump)
		conf_dump(c, stdout);
	if (export != -1) {
		struct buf	 b;
		int		 n;

		buf_init(&b);
		n = export_pcmk(c, (unsigned)export, &b);
		fwrite(b.data, 1, b.len, stdout);
		buf_free(&b);
		if (n)
			fprintf(stderr, "hbd: export: %d thing(s) did not map; "
			    "see the NOT EXPORTED comments\n", n);
		conf_free(c);
		return fflush(stdout) == 0 ? 0 : 1;
	}
	if (check || dump) {
		if (check)
			printf("configuration OK\n");
		conf_free(c);
		return 0;
	}
	if (geteuid() != 0)
		fprintf(stderr, "hbd: warning: not running as root: resource "
		    "agents, ping nodes and real-time scheduling will fail\n");

	if (lock_pidfile() == -1)
		goto fail;
	shell_set_reload_hook(reload);
	if (ctl_listen(sock, c, &h) == -1) {
		fprintf(stderr, "hbd: cannot create the control socket %s\n",
		    sock);
		goto fail;
	}
	if (!foreground && daemonize() == -1) {
		fprintf(stderr, "hbd: cannot daemonize: %s\n", strerror(errno));
		goto fail;
	}
	/*
	 * The event loop is made after the fork: a signalfd polled through
	 * an epoll set created in the parent never wakes for the child's
	 * signals (it waits on the parent's signal queue).
	 */
	if (ev_init() == -1) {
		fprintf(stderr, "hbd: cannot set up the event loop: %s\n",
		    strerror(errno));
		goto fail;
	}
	ctl_start();
	write_pidfile();
	apply_logging(c, foreground);
	log_info("hbd %s starting (%s)", PACKAGE_VERSION, c->conf_path ?
	    c->conf_path : c->hacf_path);
	warm_up(c);
	trim_shared_text();
	go_realtime(c);
	allow_coredumps(c);

	ev_signal(SIGHUP, on_hup, NULL);
	ev_signal(SIGTERM, on_term, NULL);
	ev_signal(SIGINT, on_term, NULL);
	ev_signal(SIGUSR1, on_usr, NULL);
	ev_signal(SIGUSR2, on_usr, NULL);

	if (shell_start(c, &(struct shell_opts){ statedir, sock }) == -1)
		fatalx("cannot start");
	if (ready_fd != -1) {
		int	 fd;

		if (write(ready_fd, "R", 1) != 1)
			log_warn("telling the parent we run");
		close(ready_fd);
		/* start-up errors went to the terminal; from now on, logs */
		if ((fd = open("/dev/null", O_RDWR)) != -1) {
			dup2(fd, 2);
			if (fd > 2)
				close(fd);
		}
	}
	supervise_set_socket(sock);
	supervise_start(c);
	ev_run();

	supervise_stop();
	ctl_close();
	media_shutdown();
	unlink(pidfile);
	log_info("hbd stopped");
	log_close();
	return 0;
fail:
	conf_free(c);
	return 1;
}
