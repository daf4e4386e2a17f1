/*
 * log: stderr in the foreground, syslog when daemonized, plus heartbeat's
 * `logfile` (everything but debug) and `debugfile` (everything).
 * Files are opened O_APPEND and reopened on request (logrotate + SIGHUP).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "util.h"

static const char *log_ident = "hbd";
static int	log_stderr = 1;
static int	log_syslog;
static int	log_verbosity;
static int	log_fac = LOG_DAEMON;
static char	*log_file_path, *debug_file_path;
static int	log_fd = -1, debug_fd = -1;

static const struct {
	const char	*name;
	int		 fac;
} facilities[] = {
	{ "auth", LOG_AUTH }, { "authpriv", LOG_AUTHPRIV },
	{ "cron", LOG_CRON }, { "daemon", LOG_DAEMON },
	{ "kern", LOG_KERN }, { "lpr", LOG_LPR }, { "mail", LOG_MAIL },
	{ "news", LOG_NEWS }, { "syslog", LOG_SYSLOG }, { "user", LOG_USER },
	{ "uucp", LOG_UUCP }, { "local0", LOG_LOCAL0 },
	{ "local1", LOG_LOCAL1 }, { "local2", LOG_LOCAL2 },
	{ "local3", LOG_LOCAL3 }, { "local4", LOG_LOCAL4 },
	{ "local5", LOG_LOCAL5 }, { "local6", LOG_LOCAL6 },
	{ "local7", LOG_LOCAL7 },
};

int
log_facility_from_name(const char *name)
{
	size_t	i;

	for (i = 0; i < sizeof(facilities) / sizeof(facilities[0]); i++)
		if (strcasecmp(facilities[i].name, name) == 0)
			return facilities[i].fac;
	return -1;
}

const char *
log_facility_name(int fac)
{
	size_t	 i;

	for (i = 0; i < sizeof(facilities) / sizeof(facilities[0]); i++)
		if (facilities[i].fac == fac)
			return facilities[i].name;
	return "none";
}

void
log_init(const char *ident, int to_stderr, int facility)
{
	log_ident = ident;
	log_stderr = to_stderr;
	if (facility >= 0)
		log_fac = facility;
	tzset();
}

void
log_set_syslog(int on)
{
	if (on && !log_syslog)
		openlog(log_ident, LOG_PID | LOG_NDELAY, log_fac);
	else if (!on && log_syslog)
		closelog();
	log_syslog = on;
}

void
log_set_verbose(int v)
{
	log_verbosity = v;
}

int
log_verbose(void)
{
	return log_verbosity;
}

static int
open_logfile(const char *path)
{
	/* root writes here: never through a link someone planted */
	return open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
	    0640);
}

/* Called at start-up and at reload; keeps the old files if one fails. */
int
log_set_files(const char *logfile, const char *debugfile)
{
	int	 nl = -1, nd = -1;

	if (logfile && (nl = open_logfile(logfile)) == -1)
		return -1;
	if (debugfile && (nd = open_logfile(debugfile)) == -1) {
		if (nl != -1)
			close(nl);
		return -1;
	}
	if (log_fd != -1)
		close(log_fd);
	if (debug_fd != -1)
		close(debug_fd);
	log_fd = nl;
	debug_fd = nd;
	free(log_file_path);
	free(debug_file_path);
	log_file_path = logfile ? strdup(logfile) : NULL;
	debug_file_path = debugfile ? strdup(debugfile) : NULL;
	return 0;
}

/* logrotate has renamed the files: start new ones under the old names. */
void
log_reopen(void)
{
	int	 fd;

	if (log_file_path && (fd = open_logfile(log_file_path)) != -1) {
		close(log_fd);
		log_fd = fd;
	}
	if (debug_file_path && (fd = open_logfile(debug_file_path)) != -1) {
		close(debug_fd);
		debug_fd = fd;
	}
}

void
log_close(void)
{
	if (log_fd != -1)
		close(log_fd);
	if (debug_fd != -1)
		close(debug_fd);
	log_fd = debug_fd = -1;
	log_set_syslog(0);
}

static const char *
prio_name(int prio)
{
	switch (prio) {
	case LOG_CRIT:
		return "CRIT";
	case LOG_ERR:
		return "ERROR";
	case LOG_WARNING:
		return "WARN";
	case LOG_NOTICE:
		return "notice";
	case LOG_INFO:
		return "info";
	default:
		return "debug";
	}
}

static void
write_line(int fd, const char *line, size_t len)
{
	ssize_t	 n;

	while (len > 0) {
		n = write(fd, line, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		line += n;
		len -= (size_t)n;
	}
}

/* heartbeat's file format: "ident[pid]: YYYY/MM/DD_HH:MM:SS level: text" */
static void
log_to_files(int prio, const char *msg)
{
	char		 line[2048], ts[32];
	struct timespec	 now;
	struct tm	 tm;
	int		 n;

	if (log_fd == -1 && debug_fd == -1)
		return;
	clock_gettime(CLOCK_REALTIME, &now);
	localtime_r(&now.tv_sec, &tm);
	strftime(ts, sizeof(ts), "%Y/%m/%d_%H:%M:%S", &tm);
	n = snprintf(line, sizeof(line), "%s[%d]: %s.%03ld %s: %s\n",
	    log_ident, (int)getpid(), ts, now.tv_nsec / 1000000,
	    prio_name(prio), msg);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line))
		n = sizeof(line) - 1;
	if (debug_fd != -1)
		write_line(debug_fd, line, (size_t)n);
	if (log_fd != -1 && prio != LOG_DEBUG)
		write_line(log_fd, line, (size_t)n);
}

void
log_vmsg(int prio, const char *fmt, va_list ap)
{
	char	 raw[1600], msg[1600];
	int	 saved = errno;

	if (prio == LOG_DEBUG && log_verbosity < 1 && debug_fd == -1)
		return;
	vsnprintf(raw, sizeof(raw), fmt, ap);
	/*
	 * One message, one line, no terminal escapes: messages quote agent
	 * output and names from the wire, and a log is read on terminals
	 * and parsed by line.
	 */
	str_vis(msg, sizeof(msg), raw);
	if (log_stderr && (prio != LOG_DEBUG || log_verbosity >= 1)) {
		if (prio <= LOG_WARNING)
			fprintf(stderr, "%s: %s: %s\n", log_ident,
			    prio_name(prio), msg);
		else
			fprintf(stderr, "%s: %s\n", log_ident, msg);
		fflush(stderr);
	}
	if (log_syslog && (prio != LOG_DEBUG || log_verbosity >= 1))
		syslog(prio, "%s", msg);
	log_to_files(prio, msg);
	errno = saved;
}

static void
log_str(int prio, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vmsg(prio, fmt, ap);
	va_end(ap);
}

static void
log_with_errno(int prio, const char *fmt, va_list ap)
{
	char	 buf[1200];
	int	 saved = errno;

	vsnprintf(buf, sizeof(buf), fmt, ap);
	log_str(prio, "%s: %s", buf, strerror(saved));
	errno = saved;
}

void
log_warn(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_with_errno(LOG_WARNING, fmt, ap);
	va_end(ap);
}

void
log_warnx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vmsg(LOG_WARNING, fmt, ap);
	va_end(ap);
}

void
log_notice(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vmsg(LOG_NOTICE, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vmsg(LOG_INFO, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vmsg(LOG_DEBUG, fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_with_errno(LOG_CRIT, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vmsg(LOG_CRIT, fmt, ap);
	va_end(ap);
	exit(1);
}

int
log_rl_check(struct log_rl *rl, int64_t now_ms, int interval_ms,
    unsigned *suppressed)
{
	if (now_ms < rl->next_ms) {
		rl->suppressed++;
		return 0;
	}
	*suppressed = rl->suppressed;
	rl->suppressed = 0;
	rl->next_ms = now_ms + interval_ms;
	return 1;
}
