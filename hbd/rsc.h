/*
 * rsc: resource groups. Each haresources line is a group, started left
 * to right on exactly one node and stopped right to left. The two nodes
 * agree where each group belongs through a placement (epoch, proposer,
 * target) carried in every heartbeat: the highest placement wins on both
 * sides, and a node starts a group only when the placement names it AND
 * the peer has reported the group stopped under that same placement (or
 * the peer is dead, and fenced where that is required). Planned moves are
 * therefore a handshake; failover after death waits only for fencing.
 */
#ifndef HBD_RSC_H
#define HBD_RSC_H

#include "conf.h"
#include "hb_msg.h"
#include "json.h"
#include "member.h"

struct rsc_counters {
	uint64_t	 takeovers;
	uint64_t	 releases;
	uint64_t	 resource_failures;
	uint64_t	 restarts;
};

void	rsc_init(const struct conf *, const struct member *);
int	rsc_reconf_ok(const struct conf *old, const struct conf *new,
	    char *why, size_t);
void	rsc_reconf(const struct conf *);
void	rsc_start(void);
void	rsc_peer_update(const struct hb_msg *);
void	rsc_peer_restarted(void);
void	rsc_member_event(const struct member_ev *);
void	rsc_fence_result(int ok);
void	rsc_evaluate_all(void);
void	rsc_fill_msg(struct hb_msg *);
int	rsc_local_status(void);		/* enum hb_status */
int	rsc_all_clean(void);		/* nothing running, nothing dirty */
int	rsc_admin(const char *cmd, const struct jval *, struct jw *,
	    char *err, size_t errlen);
void	rsc_shutdown(void (*done)(void));
int	rsc_shutting_down(void);
void	rsc_cancel_all(void);
void	rsc_status(struct jw *);
void	rsc_get_counters(struct rsc_counters *);
const char *rsc_held_summary(void);	/* cl_status rscstatus */

#endif
