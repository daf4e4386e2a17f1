/*
 * conf_int: what the conf_*.c parsers share. Not for use outside conf.
 */
#ifndef HBD_CONF_INT_H
#define HBD_CONF_INT_H

#include "conf.h"

#define CONF_LINE_MAX	4096
#define CONF_MAX_TOKENS	64

struct cparse {
	struct conf		*c;
	struct conf_diag	*d;
	const struct conf_opts	*o;
	const char		*file;	/* file being read (display name) */
	int			 line;

	/* heartbeat applies udpport and baud to the media lines after them */
	uint16_t		 udpport;
	uint32_t		 baud;
	int			 udpport_line, baud_line;
	int			 media_since_udpport, media_since_baud;

	/* set once so a repeat can say what it overrides */
	int			 seen_keepalive, seen_deadtime, seen_warntime;
	int			 seen_initdead, seen_deadping, seen_failback;
	int			 seen_crm;

	/* ucast lines naming one of our own addresses are dropped later */
	int			 ucast_local[HBD_MAX_MEDIA];
	char			*haresources_lines[HBD_MAX_GROUPS];
	char			*authkeys_path;	/* from hbd.conf */
	int			 auth_line;
	int			 snmp_user_line;	/* 0: the default */
	/* nofence_group names (hbd.conf: fence = false), checked once the
	 * groups are known */
	char			*nofence[HBD_MAX_GROUPS];
	int			 nofence_line[HBD_MAX_GROUPS];
	const char		*nofence_file[HBD_MAX_GROUPS];
	int			 nnofence;

	/* errors already reported: do not cascade into more messages */
	int			 media_errors, key_errors, auth_errors;
	int			 hacf_unreadable, authkeys_unreadable;
};

void	cp_err(struct cparse *, int line, const char *, ...)
	    __attribute__((format(printf, 3, 4)));
void	cp_warn(struct cparse *, int line, const char *, ...)
	    __attribute__((format(printf, 3, 4)));
void	cp_file_err(struct cparse *, const char *file, const char *, ...)
	    __attribute__((format(printf, 3, 4)));

/* 1 (and why) when anyone but root can change path (or its directory) */
int	conf_untrusted(const char *path, int isdir, char *why, size_t);
int	hacf_directive(struct cparse *, int argc, char **argv);
int	hacf_read(struct cparse *, const char *path);
int	haresources_read(struct cparse *, const char *path);
int	haresources_line(struct cparse *, char *line);
int	authkeys_read(struct cparse *, const char *path, int check_perm);
int	authkeys_line(struct cparse *, int argc, char **argv);
int	authkeys_use(struct cparse *, const char *index);
int	libconfig_read(struct cparse *, const char *path);
int	conf_tokenize(char *, char **, int max, const char *seps);
int	conf_nofence_add(struct cparse *, const char *group);
/* the next line (without its newline) or NULL at the end; bad lines
 * (too long, a NUL byte) are reported and skipped */
char	*conf_getline(struct cparse *, FILE *, char **buf, size_t *cap,
	    int *lineno);

#endif
