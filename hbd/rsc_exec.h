/*
 * rsc_exec: the calling conventions of resource agents — heartbeat's
 * resource.d scripts, /etc/init.d (LSB) scripts, hbd's own agents and OCF
 * agents: which arguments and environment each gets for start, stop and
 * status/monitor, and how its exit status (and, for heartbeat's scripts,
 * its words) is judged. The shell runs the steps the core asks for
 * through it; the core only ever sees a core_agent_result.
 */
#ifndef HBD_RSC_EXEC_H
#define HBD_RSC_EXEC_H

#include "agent.h"
#include "conf.h"
#include "core.h"

/* Start the agent of resource `rsc` of group `group`: 0, or -1 when it
 * could not even be started. */
int	rsc_exec_spawn(struct agent_run *, const struct conf *, int group,
	    int rsc, enum core_act_kind, uint32_t timeout_ms, agent_done_cb,
	    void *);
/* Judge a finished (or unspawnable: run == NULL) step for the core. */
void	rsc_exec_result(const struct conf *, int group, int rsc,
	    enum core_act_kind, const struct agent_run *,
	    struct core_agent_result *, char *detail, size_t);
const char *rsc_exec_action_word(const struct conf_rsc *, enum core_act_kind);

#endif
