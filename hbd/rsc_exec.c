/*
 * rsc_exec: how each kind of resource agent is called and judged.
 *
 * heartbeat's scripts (resource.d and /etc/init.d alike) are run as
 * heartbeat 3.0.6's ResourceManager ran them: "script ARG... ACTION" with
 * the "::" arguments for both; "status" judged by its words on standard
 * output only ("[Nn][Oo][Tt] *[Rr]unning" is stopped, then "[Rr]unning" or
 * "OK" is running, anything else stopped; the exit status is ignored), its
 * standard error going to the debug file as heartbeat's did; and
 * heartbeat's environment (HA_DIR, HA_FUNCS, HA_LOGFILE, HA_DEBUGLOG, ...).
 */
#include "config.h"

#include <limits.h>
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

static void
ha_path(char *out, size_t len, const char *dir, const char *file)
{
	snprintf(out, len, "%s/%s", dir, file);
}

/*
 * What heartbeat 3.0.6 exported to its resource scripts: heartbeat.c set
 * HA_DIR, HA_FUNCS, HA_DATEFMT, HA_LOGFILE, HA_DEBUGLOG, HA_LOGFACILITY
 * and HA_CURHOST; ResourceManager sourced shellfuncs, which exported
 * HA_RCDIR, HA_RESOURCEDIR, HA_BIN, HA_FIFO, HA_DOCDIR and OCF_AGENTS.
 * hbd's confdir is HA_DIR; HA_FUNCS names HA_DIR/shellfuncs as heartbeat
 * did (hbd does not install one); HA_BIN is heartbeat's, where Debian's
 * resource-agents keeps send_arp for the legacy resource.d/IPaddr. Only
 * heartbeat's own kinds of script get these: OCF agents default them
 * themselves (ocf-directories), and a wrong HA_BIN would hide send_arp.
 */
static void
ha_env(const struct conf *conf, char **env, int *envc, int maxenv)
{
	const char	*dir = conf->confdir ? conf->confdir : "/etc/ha.d";
	char		 p[PATH_MAX];

	add_env(env, envc, maxenv, "HA_DIR", dir);
	ha_path(p, sizeof(p), dir, "shellfuncs");
	add_env(env, envc, maxenv, "HA_FUNCS", p);
	ha_path(p, sizeof(p), dir, "rc.d");
	add_env(env, envc, maxenv, "HA_RCDIR", p);
	ha_path(p, sizeof(p), dir, "resource.d");
	add_env(env, envc, maxenv, "HA_RESOURCEDIR", p);
	ha_path(p, sizeof(p), dir, "ha.cf");
	add_env(env, envc, maxenv, "HA_CF", p);
	add_env(env, envc, maxenv, "HA_BIN", "/usr/libexec/heartbeat");
	add_env(env, envc, maxenv, "HA_DATEFMT", "%b %d %T ");
	add_env(env, envc, maxenv, "HA_LOGFILE",
	    conf->logfile ? conf->logfile : "");
	add_env(env, envc, maxenv, "HA_DEBUGLOG",
	    conf->debugfile ? conf->debugfile : "");
	ha_path(p, sizeof(p), HBD_OCF_ROOT, "resource.d/heartbeat/");
	add_env(env, envc, maxenv, "OCF_AGENTS", p);
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
	/* heartbeat passed the :: arguments to init.d scripts too */
	if (r->kind == RSC_HEARTBEAT || r->kind == RSC_HBD ||
	    r->kind == RSC_LSB)
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
	if (r->kind == RSC_HEARTBEAT || r->kind == RSC_LSB)
		ha_env(conf, env, &envc, maxenv);
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
	/* heartbeat read a script's status from its stdout; its stderr
	 * went to the debug log */
	run->errfile = NULL;
	if (a == CORE_STATUS &&
	    (r->kind == RSC_HEARTBEAT || r->kind == RSC_LSB))
		run->errfile = conf->debugfile ? conf->debugfile : "/dev/null";
	rc = agent_spawn(run, argv, env, NULL, timeout_ms, label, cb, arg);
	for (i = 0; i < envc; i++)
		free(env[i]);
	return rc;
}

/*
 * heartbeat's patterns, as sh's case matched them on the whole output:
 * "*[Nn][Oo][Tt]\ *[Rr]unning*" -> stopped, "*[Rr]unning*|*OK*" -> running,
 * anything else stopped. Returns 1 running, 0 stopped.
 */
static int
heartbeat_words(const char *o)
{
	const char	*p, *q;

	for (p = o; *p; p++) {
		if (strncasecmp(p, "not", 3) != 0)
			continue;
		for (q = p + 3; *q == ' '; q++)
			;
		if ((*q == 'R' || *q == 'r') && strncmp(q + 1, "unning", 6) == 0)
			return 0;
	}
	for (p = o; *p; p++)
		if ((*p == 'R' || *p == 'r') && strncmp(p + 1, "unning", 6) == 0)
			return 1;
	return strstr(o, "OK") != NULL;
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
	case RSC_HEARTBEAT:
		/*
		 * heartbeat's ResourceManager (we_own_resource): a case on
		 * the stdout words, the exit status ignored; hbd's timeout
		 * or a signal is a failure
		 */
		if (code == -1)
			return -1;
		return heartbeat_words(run->out.data ? run->out.data : "");
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
