/*
 * fence: builds the fence command for the configured method and starts
 * it as a child; the core decides when. The command line itself comes
 * from fence_argv() (fence_argv.c), bounded and fuzzed.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "agent.h"
#include "fence.h"
#include "log.h"
#include "util.h"

static int
pick_stonith(const struct conf *conf)
{
	int	 i;

	for (i = 0; i < conf->nstonith; i++)
		if (strcmp(conf->stonith[i].from, "*") == 0 ||
		    strcasecmp(conf->stonith[i].from, conf->local) == 0)
			return i;
	return -1;
}

int
fence_spawn(struct agent_run *run, const struct conf *conf, int target,
    agent_done_cb cb, void *arg)
{
	int		 use_stonith = pick_stonith(conf);
	char		*argv[FENCE_ARGV_MAX];
	char		*env[] = { "PATH=/usr/local/sbin:/usr/local/bin:"
			    "/usr/sbin:/usr/bin:/sbin:/bin", NULL };
	char		 in[512], label[128], params[FENCE_PARAMS_MAX];
	const char	*node = conf->nodes[target];

	if (conf->fence_argc <= 0 && use_stonith < 0)
		return -1;
	if (fence_argv(conf, conf->fence_argc > 0 ? -1 : use_stonith, node,
	    argv, (int)nitems(argv), params, sizeof(params)) == -1) {
		log_warnx("CRIT: fence: the command line to fence %s does not "
		    "fit (the configuration check should have refused it)",
		    node);
		return -1;
	}
	if (conf->fence_argc <= 0 && access(argv[0], X_OK) == -1)
		log_warnx("fence: stonith_host needs cluster-glue's stonith "
		    "command (%s), which is not installed", argv[0]);
	snprintf(in, sizeof(in), "action=off\nport=%s\nnodename=%s\n", node,
	    node);
	snprintf(label, sizeof(label), "fence %s", node);
	return agent_spawn(run, argv, env, in, conf->fence_timeout_ms, label,
	    cb, arg);
}
