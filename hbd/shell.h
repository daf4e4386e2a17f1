/*
 * shell: the daemon around the pure decision core (core.h) — timers,
 * media, agents, fencing, ping nodes, the state directory and the control
 * socket's events. hbd.c starts it; the control socket asks it.
 */
#ifndef HBD_SHELL_H
#define HBD_SHELL_H

#include "conf.h"
#include "json.h"

struct shell_opts {
	const char	*state_dir;
	const char	*socket_path;
};

int	 shell_start(struct conf *, const struct shell_opts *);
int	 shell_reload(struct conf *, char *err, size_t errlen);
void	 shell_shutdown(void);
const struct conf *shell_conf(void);
void	 shell_status(struct jw *);
int	 shell_command(const char *cmd, const struct jval *, struct jw *,
	    char *err, size_t errlen);
void	 shell_set_reload_hook(int (*)(char *, size_t));

#endif
