/*
 * fence: builds the fence command for the configured method and starts
 * it as a child; the core decides when.
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
	char		*argv[HBD_MAX_FENCE_ARGS + 16];
	char		*env[] = { "PATH=/usr/local/sbin:/usr/local/bin:"
			    "/usr/sbin:/usr/bin:/sbin:/bin", NULL };
	char		 in[512], label[128], params[1024];
	const char	*node = conf->nodes[target];
	int		 argc = 0, i;

	if (conf->fence_argc > 0) {
		for (i = 0; i < conf->fence_argc; i++)
			argv[argc++] = conf->fence_argv[i];
		argv[argc++] = "off";
		argv[argc++] = (char *)node;
	} else if (use_stonith >= 0) {
		const struct conf_stonith	*s = &conf->stonith[use_stonith];

		argv[argc++] = "/usr/sbin/stonith";
		argv[argc++] = "-t";
		argv[argc++] = s->type;
		params[0] = '\0';
		for (i = 0; i < s->nparams; i++) {
			if (strncmp(s->params[i], "-F", 2) == 0) {
				argv[argc++] = "-F";
				argv[argc++] = s->params[i] + 2;
				continue;
			}
			if (params[0])
				strncat(params, " ", sizeof(params) -
				    strlen(params) - 1);
			strncat(params, s->params[i], sizeof(params) -
			    strlen(params) - 1);
		}
		if (params[0]) {
			argv[argc++] = "-p";
			argv[argc++] = params;
		}
		argv[argc++] = "-T";
		argv[argc++] = "off";
		argv[argc++] = (char *)node;
		if (access(argv[0], X_OK) == -1) {
			log_warnx("fence: stonith_host needs cluster-glue's "
			    "stonith command (%s), which is not installed",
			    argv[0]);
		}
	} else
		return -1;
	argv[argc] = NULL;
	snprintf(in, sizeof(in), "action=off\nport=%s\nnodename=%s\n", node,
	    node);
	snprintf(label, sizeof(label), "fence %s", node);
	return agent_spawn(run, argv, env, in, conf->fence_timeout_ms, label,
	    cb, arg);
}

