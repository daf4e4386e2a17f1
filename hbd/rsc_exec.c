/*
 * rsc_exec: how each kind of resource agent is called and judged.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "agent.h"
#include "log.h"
#include "rsc_exec.h"
#include "util.h"


const char *
rsc_exec_action_word(const struct conf_rsc *r, enum core_act_kind a)
{
	switch (a) {
	case CORE_START:
		return "start";
	case CORE_STOP:
		return "stop";
	case CORE_STATUS:
		return r->kind == RSC_HBD || r->kind == RSC_OCF ? "monitor" :
		    "status";
	}
	return "status";
}

static void
add_env(char **env, int *n, int max, const char *k, const char *v)
{
	size_t	 len;

	if (*n >= max - 1 || v == NULL)
		return;
	len = strlen(k) + strlen(v) + 2;
	env[*n] = xcalloc(1, len);
	snprintf(env[*n], len, "%s=%s", k, v);
	(*n)++;
}

static void
instance_name(const struct conf_rsc *r, char *out, size_t len)
{
	size_t	 i;

	hbd_strlcpy(out, r->spec, len);
	for (i = 0; out[i]; i++)
		if (!((out[i] >= 'a' && out[i] <= 'z') ||
		    (out[i] >= 'A' && out[i] <= 'Z') ||
		    (out[i] >= '0' && out[i] <= '9') || out[i] == '-' ||
		    out[i] == '.'))
			out[i] = '_';
}

int
rsc_exec_spawn(struct agent_run *run, const struct conf *conf, int group,
    int ri, enum core_act_kind a, uint32_t timeout_ms, agent_done_cb cb,
    void *arg)
{
	const struct conf_group	*cg = &conf->groups[group];
	const struct conf_rsc	*r = &cg->rsc[ri];
	char			*argv[HBD_MAX_RSC_ARGS + 3];
	char			*env[HBD_MAX_ENV + HBD_MAX_RSC_ARGS + 24];
	char			 inst[128], label[200], dbg[16], tmo[16];
	int			 argc = 0, envc = 0, i, rc;
	const int		 maxenv = (int)nitems(env);

	if (r->path == NULL)
		return -1;
	argv[argc++] = r->path;
	if (r->kind == RSC_HEARTBEAT || r->kind == RSC_HBD)
		for (i = 0; i < r->nargs; i++)
			argv[argc++] = r->args[i];
	argv[argc++] = (char *)rsc_exec_action_word(r, a);
	argv[argc] = NULL;

	instance_name(r, inst, sizeof(inst));
	snprintf(dbg, sizeof(dbg), "%d", conf->debug);
	add_env(env, &envc, maxenv, "PATH",
	    "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
	add_env(env, &envc, maxenv, "OCF_ROOT", HBD_OCF_ROOT);
	add_env(env, &envc, maxenv, "OCF_RA_VERSION_MAJOR", "1");
	add_env(env, &envc, maxenv, "OCF_RA_VERSION_MINOR", "0");
	add_env(env, &envc, maxenv, "OCF_RESOURCE_INSTANCE", inst);
	add_env(env, &envc, maxenv, "OCF_RESOURCE_TYPE", r->type);
	if (r->provider)
		add_env(env, &envc, maxenv, "OCF_RESOURCE_PROVIDER",
		    r->provider);
	add_env(env, &envc, maxenv, "HA_CURHOST", conf->local);
	add_env(env, &envc, maxenv, "HBD_NODE", conf->local);
	add_env(env, &envc, maxenv, "HBD_GROUP", cg->name);
	add_env(env, &envc, maxenv, "HA_D", conf->confdir);
	add_env(env, &envc, maxenv, "HA_DEBUG", dbg);
	add_env(env, &envc, maxenv, "HA_RSCTMP", "/run/resource-agents");
	snprintf(tmo, sizeof(tmo), "%u", timeout_ms);
	add_env(env, &envc, maxenv, "OCF_RESKEY_CRM_meta_timeout", tmo);
	add_env(env, &envc, maxenv, "HA_LOGFACILITY",
	    log_facility_name(conf->logfacility));
	add_env(env, &envc, maxenv, "HA_debug", dbg);
	if (r->kind == RSC_OCF)
		for (i = 0; i < r->nargs; i++) {
			char	 key[128];
			char	*eq = strchr(r->args[i], '=');
			size_t	 kl = (size_t)(eq - r->args[i]);

			if (kl >= sizeof(key) - 12)
				continue;
			snprintf(key, sizeof(key), "OCF_RESKEY_%.*s", (int)kl,
			    r->args[i]);
			add_env(env, &envc, maxenv, key, eq + 1);
		}
	for (i = 0; i < conf->nenv && envc < maxenv - 1; i++)
		env[envc++] = xstrdup(conf->env[i]);
	env[envc] = NULL;

	snprintf(label, sizeof(label), "%s %s", r->spec,
	    rsc_exec_action_word(r, a));
	rc = agent_spawn(run, argv, env, NULL, timeout_ms, label, cb, arg);
	for (i = 0; i < envc; i++)
		free(env[i]);
	return rc;
}

/* Judge a status/monitor result: 1 running, 0 stopped, -1 failed. */
static int
judge_status(const struct conf_rsc *r, const struct agent_run *run)
{
	int	 code = agent_exit_code(run);

	switch (r->kind) {
	case RSC_HBD:
	case RSC_OCF:
		if (code == 0)
			return 1;
		if (code == 7)
			return 0;
		return -1;
	case RSC_LSB:
		if (code == 0)
			return 1;
		if (code >= 1 && code <= 3)
			return 0;
		return -1;
	case RSC_HEARTBEAT: {
		/* heartbeat's ResourceManager looked at the words only */
		const char	*o = run->out.data ? run->out.data : "";
		const char	*p;

		if (code == -1)
			return -1;
		for (p = o; (p = strcasestr(p, "not")) != NULL; p += 3) {
			const char	*q = p + 3;

			while (*q == ' ')
				q++;
			if (strncasecmp(q, "running", 7) == 0)
				return 0;
		}
		if (strcasestr(o, "running") || strstr(o, "OK"))
			return 1;
		return 0;
	}
	}
	return -1;
}

void
rsc_exec_result(const struct conf *conf, int group, int ri,
    enum core_act_kind a, const struct agent_run *run,
    struct core_agent_result *out, char *detail, size_t dlen)
{
	const struct conf_rsc	*r = &conf->groups[group].rsc[ri];
	int			 st;

	memset(out, 0, sizeof(*out));
	out->group = group;
	out->rsc = ri;
	out->act = a;
	out->detail = detail;
	if (run == NULL) {
		snprintf(detail, dlen, "could not be run");
		out->result = CR_NOSPAWN;
		out->exit_code = 127;
		return;
	}
	agent_describe(run, detail, dlen);
	out->exit_code = agent_exit_code(run);
	out->timed_out = run->timed_out;
	out->duration_ms = run->elapsed;
	if (a != CORE_STATUS) {
		out->result = out->exit_code == 0 ? CR_OK : CR_FAILED;
		return;
	}
	st = judge_status(r, run);
	out->result = st == 1 ? CR_RUNNING : st == 0 ? CR_STOPPED : CR_FAILED;
}
