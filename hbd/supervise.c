/*
 * supervise: respawn and watchdog.
 *
 * Backoff: a program that ran less than RESPAWN_QUICK_MS before dying is
 * restarted at once the first two times, then after 0.5, 1, 2, 4 ... s
 * (at most RESPAWN_MAX_DELAY_MS); after RESPAWN_BURST quick deaths in a
 * row hbd gives up on it and raises an event. A program that ran longer
 * resets the count. Exit code 100 means "do not respawn".
 */
#include "config.h"

#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include <linux/watchdog.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "control.h"
#include "event.h"
#include "log.h"
#include "supervise.h"
#include "util.h"

struct child {
	char		*user;
	uid_t		 uid;		/* resolved when the config was read */
	gid_t		 gid;
	char		*home;
	gid_t		*groups;
	int		 ngroups;
	char		**argv;
	int		 argc;
	pid_t		 pid;
	int		 outfd;
	struct ev_io	 io;
	struct ev_timer	 restart;
	int64_t		 started;
	int		 quick_deaths;
	int		 restarts;
	int		 gave_up;
	int		 done;		/* exit 100 */
	char		 line[512];
	size_t		 linelen;
};

static const struct conf	*conf;
static struct child		 kids[HBD_MAX_RESPAWN];
static int			 nkids;
static int			 stopping;
static char			*socket_path;

static int			 wdfd = -1;
static struct ev_timer		 wdtimer;
static int			 wd_interval_ms;

static void	spawn(struct child *);

void
supervise_set_socket(const char *p)
{
	free(socket_path);
	socket_path = p ? xstrdup(p) : NULL;
}

static void
flush_line(struct child *k)
{
	if (k->linelen == 0)
		return;
	k->line[k->linelen] = '\0';
	log_info("%s[%d]: %s", k->argv[0], (int)k->pid, k->line);
	k->linelen = 0;
}

static void
on_output(struct ev_io *io, int events, void *arg)
{
	struct child	*k = arg;
	char		 b[1024];
	ssize_t		 n, i;

	n = read(k->outfd, b, sizeof(b));
	if (n <= 0) {
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			return;
		flush_line(k);
		ev_io_stop(&k->io);
		close(k->outfd);
		k->outfd = -1;
		return;
	}
	for (i = 0; i < n; i++) {
		if (b[i] == '\n' || k->linelen == sizeof(k->line) - 1)
			flush_line(k);
		if (b[i] != '\n')
			k->line[k->linelen++] = b[i];
	}
}

static void
emit(const char *type, struct child *k, const char *detail)
{
	struct jw	*w = ctl_event_begin(type);

	jw_str(w, "program", k->argv[0]);
	jw_str(w, "user", k->user);
	jw_int(w, "restarts", k->restarts);
	if (detail)
		jw_str(w, "detail", detail);
	ctl_event_end();
}

static void
on_restart(struct ev_timer *t, void *arg)
{
	struct child	*k = arg;

	if (!stopping)
		spawn(k);
}

static void
on_exit_status(pid_t pid, int status, void *arg)
{
	struct child	*k = arg;
	char		 how[64];
	int64_t		 ran = mono_ms() - k->started;
	int64_t		 delay;

	k->pid = 0;
	if (k->outfd != -1) {
		on_output(&k->io, EV_READ, k);
		flush_line(k);
	}
	if (WIFEXITED(status))
		snprintf(how, sizeof(how), "exit code %d", WEXITSTATUS(status));
	else
		snprintf(how, sizeof(how), "signal %d", WTERMSIG(status));
	if (stopping) {
		log_info("respawn: %s stopped (%s)", k->argv[0], how);
		return;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == RESPAWN_NO_RESTART) {
		k->done = 1;
		log_notice("respawn: %s exited with code 100: not restarting "
		    "it (heartbeat's convention)", k->argv[0]);
		emit("respawn_done", k, how);
		return;
	}
	if (ran < RESPAWN_QUICK_MS)
		k->quick_deaths++;
	else
		k->quick_deaths = 0;
	if (k->quick_deaths >= RESPAWN_BURST) {
		k->gave_up = 1;
		log_warnx("respawn: %s died %d times within %d s of starting "
		    "(last: %s); giving up on it", k->argv[0], k->quick_deaths,
		    RESPAWN_QUICK_MS / 1000, how);
		emit("respawn_gave_up", k, how);
		return;
	}
	delay = k->quick_deaths <= 2 ? 0 : 500LL << (k->quick_deaths - 3);
	if (delay > RESPAWN_MAX_DELAY_MS)
		delay = RESPAWN_MAX_DELAY_MS;
	k->restarts++;
	log_warnx("respawn: %s died after %lld ms (%s); restarting in %lld ms",
	    k->argv[0], (long long)ran, how, (long long)delay);
	emit("respawn_restart", k, how);
	ev_timer_add(&k->restart, delay);
}

static void
child_env(const struct child *k, char **env, int max)
{
	int	 n = 0, i;

#define ADD(...) do {							\
	if (n < max - 1) {						\
		char	 b_[1024];					\
		snprintf(b_, sizeof(b_), __VA_ARGS__);			\
		env[n++] = xstrdup(b_);					\
	}								\
} while (0)
	ADD("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:"
	    "/sbin:/bin");
	ADD("HOME=%s", k->home);
	ADD("USER=%s", k->user);
	ADD("LOGNAME=%s", k->user);
	ADD("HA_D=%s", conf->confdir);
	ADD("HA_CF=%s", conf->hacf_path ? conf->hacf_path : conf->conf_path);
	ADD("HA_RESOURCEDIR=%s/resource.d", conf->confdir);
	ADD("HA_CURHOST=%s", conf->local);
	ADD("HA_DEBUG=%d", conf->debug);
	if (conf->logfile)
		ADD("HA_LOGFILE=%s", conf->logfile);
	if (conf->debugfile)
		ADD("HA_DEBUGLOG=%s", conf->debugfile);
	ADD("HA_LOGFACILITY=%s", log_facility_name(conf->logfacility));
	ADD("HA_debug=%d", conf->debug);
	if (socket_path)
		ADD("HBD_SOCKET=%s", socket_path);
	for (i = 0; i < conf->nenv; i++)
		ADD("%s", conf->env[i]);
#undef ADD
	env[n] = NULL;
}

static void
spawn(struct child *k)
{
	char		*env[HBD_MAX_ENV + 20];
	int		 p[2], fd, i;
	pid_t		 pid, parent = getpid();

	if (pipe2(p, O_CLOEXEC) == -1) {
		log_warn("respawn: pipe");
		ev_timer_add(&k->restart, 5000);
		return;
	}
	child_env(k, env, (int)nitems(env));
	if ((pid = fork()) == -1) {
		log_warn("respawn: fork");
		close(p[0]);
		close(p[1]);
		ev_timer_add(&k->restart, 5000);
		for (i = 0; env[i]; i++)
			free(env[i]);
		return;
	}
	if (pid == 0) {
		ev_child_prepare();
		setsid();
		fd = open("/dev/null", O_RDONLY);
		dup2(fd, 0);
		dup2(p[1], 1);
		dup2(p[1], 2);
		for (fd = 3; fd < 1024; fd++)
			close(fd);
		if (setgroups((size_t)k->ngroups, k->groups) == -1 ||
		    setgid(k->gid) == -1 || setuid(k->uid) == -1) {
			fprintf(stderr, "cannot become %s: %s\n", k->user,
			    strerror(errno));
			_exit(1);
		}
		/*
		 * Dies with hbd: after a crash (KillMode=process keeps the
		 * cgroup's resources running) a restarted hbd must not find
		 * it still running beside its new copy. Set after setuid,
		 * which clears it; and hbd may already be gone.
		 */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) == -1 ||
		    getppid() != parent)
			_exit(1);
		if (chdir(k->home) == -1 && chdir("/") == -1)
			_exit(1);
		execve(k->argv[0], k->argv, env);
		fprintf(stderr, "cannot execute %s: %s\n", k->argv[0],
		    strerror(errno));
		_exit(127);
	}
	for (i = 0; env[i]; i++)
		free(env[i]);
	close(p[1]);
	set_nonblock(p[0]);
	k->outfd = p[0];
	k->pid = pid;
	k->started = mono_ms();
	ev_io_init(&k->io, k->outfd, "respawn output", on_output, k);
	ev_io_start(&k->io, EV_READ);
	ev_child_watch(pid, on_exit_status, k);
	log_info("respawn: started %s as %s (pid %d)", k->argv[0], k->user,
	    (int)pid);
}

/* ---- watchdog ---- */

static void
on_wd(struct ev_timer *t, void *arg)
{
	if (wdfd != -1 && write(wdfd, "\0", 1) == -1 && errno != EAGAIN)
		log_warn("watchdog: feeding %s", conf->watchdog);
	ev_timer_add(&wdtimer, wd_interval_ms);
}

static void
watchdog_open(const struct conf *c)
{
	int	 timeout = 0;

	if (c->watchdog == NULL)
		return;
	wdfd = open(c->watchdog, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (wdfd == -1) {
		log_warn("watchdog: cannot open %s; running without it",
		    c->watchdog);
		return;
	}
	if (ioctl(wdfd, WDIOC_GETTIMEOUT, &timeout) == -1 || timeout <= 0)
		timeout = 60;
	/* a third of the timeout: two missed feeds still do not reset */
	wd_interval_ms = timeout * 1000 / 3;
	if (wd_interval_ms > (int)c->keepalive_ms * 10)
		wd_interval_ms = (int)c->keepalive_ms * 10;
	if (wd_interval_ms < 100)
		wd_interval_ms = 100;
	log_info("watchdog: %s armed (timeout %d s, fed every %d ms)",
	    c->watchdog, timeout, wd_interval_ms);
	ev_timer_init(&wdtimer, "watchdog", on_wd, NULL);
	on_wd(NULL, NULL);
}

static void
watchdog_close(void)
{
	if (wdfd == -1)
		return;
	ev_timer_del(&wdtimer);
	/* the magic close: a clean stop disarms the reset */
	if (write(wdfd, "V", 1) == -1)
		log_warn("watchdog: magic close");
	close(wdfd);
	wdfd = -1;
	log_info("watchdog: disarmed");
}

/* ---- lifecycle ---- */

void
supervise_start(const struct conf *c)
{
	int	 i, j;

	conf = c;
	watchdog_open(c);
	for (i = 0; i < c->nrespawn; i++) {
		const struct conf_respawn	*r = &c->respawn[i];
		struct child			*k;

		if (r->builtin) {
			log_info("respawn %s: heartbeat's ipfail is built into "
			    "hbd (ping nodes move groups to the better "
			    "connected node); not starting it", r->argv[0]);
			continue;
		}
		k = &kids[nkids++];
		memset(k, 0, sizeof(*k));
		k->user = xstrdup(r->user);
		k->uid = r->uid;
		k->gid = r->gid;
		k->home = xstrdup(r->home ? r->home : "/");
		k->ngroups = r->ngroups;
		k->groups = xcalloc((size_t)r->ngroups + 1, sizeof(gid_t));
		if (r->ngroups > 0)
			memcpy(k->groups, r->groups,
			    (size_t)r->ngroups * sizeof(gid_t));
		k->argc = r->argc;
		k->argv = xcalloc((size_t)r->argc + 1, sizeof(char *));
		for (j = 0; j < r->argc; j++)
			k->argv[j] = xstrdup(r->argv[j]);
		k->outfd = -1;
		ev_timer_init(&k->restart, "respawn", on_restart, k);
		spawn(k);
	}
}

void
supervise_reconf(const struct conf *c)
{
	conf = c;
}

void
supervise_stop(void)
{
	int64_t	 deadline;
	int	 i, left, status;

	stopping = 1;
	for (i = 0; i < nkids; i++) {
		ev_timer_del(&kids[i].restart);
		if (kids[i].pid > 0) {
			kill(-kids[i].pid, SIGTERM);
			kill(kids[i].pid, SIGTERM);
		}
	}
	/* hbd is exiting: its loop is done, so waiting here blocks nothing */
	deadline = mono_ms() + RESPAWN_STOP_GRACE_MS;
	do {
		left = 0;
		for (i = 0; i < nkids; i++) {
			if (kids[i].pid <= 0)
				continue;
			if (waitpid(kids[i].pid, &status, WNOHANG) ==
			    kids[i].pid) {
				ev_child_forget(kids[i].pid);
				log_info("respawn: %s stopped", kids[i].argv[0]);
				kids[i].pid = 0;
			} else
				left++;
		}
		if (left) {
			struct timespec	 ts = { 0, 20 * 1000000 };

			nanosleep(&ts, NULL);
		}
	} while (left && mono_ms() < deadline);
	for (i = 0; i < nkids; i++)
		if (kids[i].pid > 0) {
			log_warnx("respawn: %s ignored SIGTERM; killing it",
			    kids[i].argv[0]);
			kill(-kids[i].pid, SIGKILL);
			kill(kids[i].pid, SIGKILL);
			waitpid(kids[i].pid, &status, 0);
			kids[i].pid = 0;
		}
	watchdog_close();
}

void
supervise_status(struct jw *w)
{
	int	 i;

	jw_arr_begin(w, "respawn");
	for (i = 0; i < nkids; i++) {
		jw_obj_begin(w, NULL);
		jw_str(w, "program", kids[i].argv[0]);
		jw_str(w, "user", kids[i].user);
		jw_int(w, "pid", kids[i].pid);
		jw_int(w, "restarts", kids[i].restarts);
		jw_str(w, "state", kids[i].pid > 0 ? "running" :
		    kids[i].done ? "done" : kids[i].gave_up ? "given up" :
		    "restarting");
		jw_obj_end(w);
	}
	jw_arr_end(w);
}
