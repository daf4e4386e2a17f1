/*
 * ctl_client: the client side of the control socket, for hbctl (blocking
 * with timeouts) and hbd-snmp (non-blocking, fed from its own loop).
 */
#ifndef HBD_CTL_CLIENT_H
#define HBD_CTL_CLIENT_H

#include <stddef.h>

#include "ctl_proto.h"
#include "json.h"
#include "util.h"

#define CTL_DEFAULT_SOCKET	"/run/hbd/hbd.sock"

struct ctl_conn {
	int		 fd;
	struct buf	 in;
	struct buf	 out;
};

void	 ctl_conn_init(struct ctl_conn *);
int	 ctl_connect(struct ctl_conn *, const char *path, int nonblock);
void	 ctl_disconnect(struct ctl_conn *);
/* Queue a request ({"cmd":...} JSON text) and, if blocking, send it. */
int	 ctl_send(struct ctl_conn *, const char *json);
int	 ctl_flush(struct ctl_conn *);	/* non-blocking: 1 done, 0 more, -1 */
/*
 * Take one complete frame from the input buffer: returns 1 and sets
 * *type and *val (caller frees), 0 when more input is needed, -1 on a
 * protocol error (err says why).
 */
int	 ctl_take(struct ctl_conn *, int *type, struct jval **,
	    char *err, size_t);
/* Read what is available (non-blocking): 1 got data, 0 nothing, -1 EOF */
int	 ctl_fill(struct ctl_conn *);
/* Blocking: wait up to timeout_ms for one frame. 1 ok, 0 timeout, -1 */
int	 ctl_recv(struct ctl_conn *, int timeout_ms, int *type,
	    struct jval **, char *err, size_t);
/* Blocking request/response. */
int	 ctl_call(struct ctl_conn *, const char *json, int timeout_ms,
	    int *type, struct jval **, char *err, size_t);

#endif
