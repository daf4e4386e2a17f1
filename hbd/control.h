/*
 * control: the local control socket. Accepts clients (hbctl, hbd-snmp,
 * scripts), checks who they are (SO_PEERCRED: root may act, the api
 * groups may look, the hbd-snmp user may look and move groups while
 * snmp_write is on), frames requests and replies, and streams events to
 * subscribers. No user but root can take the last CTL_ROOT_RESERVED
 * slots, none more than CTL_MAX_PER_UID, and a client that asks nothing
 * for CTL_IDLE_MS is closed: root's hbctl always gets in. It changes cluster state only by calling the handlers the
 * daemon registers — the same calls timers and packets use.
 */
#ifndef HBD_CONTROL_H
#define HBD_CONTROL_H

#include <stdint.h>

#include "conf.h"
#include "json.h"

#define CTL_MAX_CLIENTS		64
#define CTL_ROOT_RESERVED	8	/* of those, only root may use */
#define CTL_MAX_PER_UID		16	/* per non-root user */
#define CTL_IDLE_MS		10000	/* a client that asks nothing: closed */
#define CTL_ACCEPT_PAUSE_MS	250	/* no descriptor left: accept later */
#define CTL_MAX_QUEUE		(512 * 1024)	/* per subscriber */

struct ctl_handlers {
	/* fill the status object (called between jw_obj_begin/end) */
	void	(*status)(struct jw *);
	/*
	 * act on a command; return 0 and fill reply members, or -1 with a
	 * reason in err
	 */
	int	(*command)(const char *cmd, const struct jval *req,
		    struct jw *reply, char *err, size_t errlen);
};

int	 ctl_listen(const char *path, const struct conf *,
	    const struct ctl_handlers *);
void	 ctl_start(void);
void	 ctl_reconf(const struct conf *);
void	 ctl_close(void);

/* Events: begin returns a writer inside the event object; end sends it. */
struct jw *ctl_event_begin(const char *type);
void	 ctl_event_end(void);
void	 ctl_event_raw(const char *json_object);
uint64_t ctl_event_seq(void);

struct ctl_stats {
	uint64_t	 accepted;
	uint64_t	 refused;	/* connections and commands refused */
	uint64_t	 bad_frames;	/* garbage, oversize */
	uint64_t	 slow_dropped;	/* subscribers that fell behind */
	uint64_t	 idle_dropped;	/* clients that asked nothing */
	uint64_t	 accept_paused;	/* out of descriptors */
	int		 clients;
	int		 subscribers;
};
void	 ctl_get_stats(struct ctl_stats *);

#endif
