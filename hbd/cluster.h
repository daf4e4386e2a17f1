/*
 * cluster: the daemon's glue. Sends heartbeats, receives and verifies
 * them, drives membership, feeds resource management, fencing and ping
 * nodes, and renders the status the control socket shows. The modules it
 * connects stay ignorant of one another.
 */
#ifndef HBD_CLUSTER_H
#define HBD_CLUSTER_H

#include <stdint.h>

#include "conf.h"
#include "json.h"

struct cluster_opts {
	const char	*state_dir;
	const char	*socket_path;
};

int	 cluster_start(struct conf *, const struct cluster_opts *);
int	 cluster_reload(struct conf *, char *err, size_t errlen);
void	 cluster_shutdown(void);
void	 cluster_send_now(void);
const struct conf *cluster_conf(void);
void	 cluster_status(struct jw *);
int	 cluster_command(const char *cmd, const struct jval *, struct jw *,
	    char *err, size_t errlen);
void	 cluster_count_auth_failure(void);
void	 cluster_set_reload_hook(int (*)(char *, size_t));

#endif
