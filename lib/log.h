/*
 * log: one logging path for hbd, hbctl and hbd-snmp.
 * Owns stderr/syslog output and heartbeat's `logfile`/`debugfile`.
 * Never exits except through fatal()/fatalx(), which are for start-up
 * and "cannot happen" only.
 */
#ifndef HBD_LOG_H
#define HBD_LOG_H

#include <stdarg.h>
#include <stdint.h>

#define LOG_PRINTF(a, b) __attribute__((format(printf, a, b)))

void	log_init(const char *ident, int to_stderr, int facility);
void	log_set_verbose(int);
int	log_verbose(void);
void	log_set_syslog(int);
int	log_set_files(const char *logfile, const char *debugfile);
void	log_reopen(void);
void	log_close(void);
int	log_facility_from_name(const char *);
const char *log_facility_name(int);

void	log_warn(const char *, ...) LOG_PRINTF(1, 2);
void	log_warnx(const char *, ...) LOG_PRINTF(1, 2);
void	log_notice(const char *, ...) LOG_PRINTF(1, 2);
void	log_info(const char *, ...) LOG_PRINTF(1, 2);
void	log_debug(const char *, ...) LOG_PRINTF(1, 2);
void	log_vmsg(int, const char *, va_list) LOG_PRINTF(2, 0);
void	fatal(const char *, ...) LOG_PRINTF(1, 2) __attribute__((noreturn));
void	fatalx(const char *, ...) LOG_PRINTF(1, 2) __attribute__((noreturn));

/*
 * Rate limiting for messages an attacker or a broken peer can provoke:
 * at most one line per interval, then a count of what was suppressed.
 */
struct log_rl {
	int64_t		next_ms;
	unsigned	suppressed;
};
int	log_rl_check(struct log_rl *, int64_t now_ms, int interval_ms,
	    unsigned *suppressed);

#endif
