/*
 * conf_haresources: heartbeat's haresources file. One group per logical
 * line ('\' continues a line, '#' comments): the preferred node, then the
 * resources, started left to right. A resource is NAME[::ARG...], a bare
 * IP address (heartbeat's shorthand for IPaddr::IP), or
 * ocf:PROVIDER:TYPE::key=value... for OCF agents.
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "conf_int.h"
#include "util.h"

#define LINE	(cp->line)

/* heartbeat's glob [0-9]*.[0-9]*.[0-9]*.[0-9]* */
static int
looks_like_ip(const char *s)
{
	int	 dots = 0;

	if (!isdigit((unsigned char)*s))
		return 0;
	for (; *s && *s != '/'; s++) {
		if (*s == '.')
			dots++;
		else if (!isdigit((unsigned char)*s))
			return 0;
	}
	return dots == 3;
}

/* IPaddr's argument: ip[/cidr[/nic[/broadcast]]] or ip/cidr/broadcast */
static int
check_ipaddr_arg(struct cparse *cp, const char *spec, const char *arg)
{
	char		 buf[256], *f[5];
	struct in_addr	 a;
	int		 n, i;

	if (strlen(arg) >= sizeof(buf)) {
		cp_err(cp, LINE, "%s: address argument too long", spec);
		return -1;
	}
	hbd_strlcpy(buf, arg, sizeof(buf));
	/* heartbeat's IPaddr: repeated '/' collapse, a trailing one is
	 * nothing (IP//24/eth0:1/ is IP/24/eth0:1) */
	for (i = 0, n = 0; buf[i]; i++)
		if (buf[i] != '/' || (n > 0 && buf[n - 1] != '/'))
			buf[n++] = buf[i];
	if (n > 0 && buf[n - 1] == '/')
		n--;
	buf[n] = '\0';
	n = 0;
	f[n++] = buf;
	for (i = 0; buf[i] && n < 5; i++)
		if (buf[i] == '/') {
			buf[i] = '\0';
			f[n++] = &buf[i + 1];
		}
	if (n > 4) {
		cp_err(cp, LINE, "%s: expected ip[/cidr[/nic[/broadcast]]]",
		    spec);
		return -1;
	}
	if (inet_pton(AF_INET, f[0], &a) != 1) {
		cp_err(cp, LINE, "%s: \"%s\" is not an IPv4 address", spec,
		    f[0]);
		return -1;
	}
	if (n > 1 && f[1][0]) {
		char	*end;
		long	 bits;

		errno = 0;
		bits = strtol(f[1], &end, 10);
		if ((*end || errno || bits < 1 || bits > 32) &&
		    inet_pton(AF_INET, f[1], &a) != 1) {
			cp_err(cp, LINE, "%s: netmask \"%s\" is neither 1-32 "
			    "nor a dotted mask", spec, f[1]);
			return -1;
		}
	}
	/* heartbeat's IPaddr: ip/cidr/BROADCAST when the third field
	 * starts with a digit */
	if (n == 3 && isdigit((unsigned char)f[2][0]) &&
	    inet_pton(AF_INET, f[2], &a) != 1) {
		cp_err(cp, LINE, "%s: broadcast \"%s\" is not an IPv4 address",
		    spec, f[2]);
		return -1;
	}
	if (n > 3 && f[3][0] && inet_pton(AF_INET, f[3], &a) != 1) {
		cp_err(cp, LINE, "%s: broadcast \"%s\" is not an IPv4 address",
		    spec, f[3]);
		return -1;
	}
	return 0;
}

static int
parse_resource(struct cparse *cp, struct conf_rsc *r, const char *spec)
{
	char	*s, *p, *next;
	int	 n = 0;

	memset(r, 0, sizeof(*r));
	r->spec = xstrdup(spec);
	r->kind = RSC_HEARTBEAT;
	if (looks_like_ip(spec)) {
		r->type = xstrdup("IPaddr");
		r->args[r->nargs++] = xstrdup(spec);
		return check_ipaddr_arg(cp, spec, spec);
	}
	s = xstrdup(spec);
	for (p = s; p; p = next) {
		if ((next = strstr(p, "::")) != NULL) {
			*next = '\0';
			next += 2;
		}
		if (n == 0) {
			r->type = xstrdup(p);
		} else {
			if (r->nargs == HBD_MAX_RSC_ARGS) {
				cp_err(cp, LINE, "%s: more than %d arguments",
				    spec, HBD_MAX_RSC_ARGS);
				free(s);
				return -1;
			}
			r->args[r->nargs++] = xstrdup(p);
		}
		n++;
	}
	free(s);
	if (r->type[0] == '\0' || strchr(r->type, '/')) {
		cp_err(cp, LINE, "\"%s\" is not a resource name", spec);
		return -1;
	}
	if (strncmp(r->type, "ocf:", 4) == 0) {
		char	*prov = r->type + 4, *type = strchr(prov, ':');
		int	 i;

		if (type == NULL || type == prov || type[1] == '\0' ||
		    strchr(type + 1, ':')) {
			cp_err(cp, LINE, "%s: expected ocf:PROVIDER:TYPE", spec);
			return -1;
		}
		*type++ = '\0';
		r->provider = xstrdup(prov);
		p = xstrdup(type);
		free(r->type);
		r->type = p;
		r->kind = RSC_OCF;
		for (i = 0; i < r->nargs; i++)
			if (strchr(r->args[i], '=') == NULL ||
			    r->args[i][0] == '=') {
				cp_err(cp, LINE, "%s: OCF resources take "
				    "key=value arguments, got \"%s\"", spec,
				    r->args[i]);
				return -1;
			}
	}
	if ((strcmp(r->type, "IPaddr") == 0 ||
	    strcmp(r->type, "IPaddr2") == 0) && r->kind != RSC_OCF) {
		if (r->nargs != 1) {
			cp_err(cp, LINE, "%s: %s takes one argument, "
			    "ip[/cidr[/nic[/broadcast]]]", spec, r->type);
			return -1;
		}
		if (check_ipaddr_arg(cp, spec, r->args[0]) == -1)
			return -1;
	}
	if (strcmp(r->type, "Filesystem") == 0) {
		if (r->kind != RSC_OCF && r->nargs < 2) {
			cp_err(cp, LINE, "%s: Filesystem needs at least "
			    "device::directory", spec);
			return -1;
		}
	}
	return 0;
}

static void
free_rsc(struct conf_rsc *r)
{
	int	 i;

	free(r->spec);
	free(r->type);
	free(r->provider);
	for (i = 0; i < r->nargs; i++)
		free(r->args[i]);
	memset(r, 0, sizeof(*r));
}

/* One logical line, comments and continuations already removed. */
int
haresources_line(struct cparse *cp, char *line)
{
	struct conf		*c = cp->c;
	struct conf_group	*g;
	char			*tok[HBD_MAX_RSC + 2];
	int			 n, i, bad = 0;

	n = conf_tokenize(line, tok, (int)nitems(tok), " \t\r\n");
	if (n == 0)
		return 0;
	if (n < 0 || n > HBD_MAX_RSC + 1) {
		cp_err(cp, LINE, "a group has at most %d resources",
		    HBD_MAX_RSC);
		return -1;
	}
	if (n == 1) {
		cp_err(cp, LINE, "group for node %s lists no resources",
		    tok[0]);
		return -1;
	}
	if (c->ngroups == HBD_MAX_GROUPS) {
		cp_err(cp, LINE, "too many resource groups (at most %d)",
		    HBD_MAX_GROUPS);
		return -1;
	}
	g = &c->groups[c->ngroups];
	memset(g, 0, sizeof(*g));
	g->line = LINE;
	g->preferred = conf_node_index(c, tok[0]);
	if (g->preferred < 0 && c->nnodes == 0) {
		bad = 1;	/* ha.cf already said there are no nodes */
	} else if (g->preferred < 0) {
		char	 list[2 * HBD_MAX_NAME + 8] = "";

		for (i = 0; i < c->nnodes; i++) {
			if (i)
				strcat(list, ", ");
			strcat(list, c->nodes[i]);
		}
		cp_err(cp, LINE, "preferred node %s is not a cluster node "
		    "(node lines name: %s)", tok[0], c->nnodes ? list : "none");
		bad = 1;
	}
	for (i = 1; i < n; i++)
		if (parse_resource(cp, &g->rsc[g->nrsc++], tok[i]) == -1)
			bad = 1;
	if (bad) {
		for (i = 0; i < g->nrsc; i++)
			free_rsc(&g->rsc[i]);
		g->nrsc = 0;
		return -1;
	}
	g->name = xstrdup(tok[1]);
	g->id = conf_hash(g->name);
	c->ngroups++;
	return 0;
}

int
haresources_read(struct cparse *cp, const char *path)
{
	FILE		*fp;
	char		*phys = NULL, *hash;
	size_t		 cap = 0, len;
	struct buf	 logical;
	int		 start = 0, physline = 0, cont = 0;

	cp->file = path;
	if ((fp = fopen(path, "r")) == NULL) {
		cp_file_err(cp, path, "cannot open: %s", strerror(errno));
		return -1;
	}
	buf_init(&logical);
	while (conf_getline(cp, fp, &phys, &cap, &physline) != NULL) {
		if (!cont) {
			buf_reset(&logical);
			start = physline;
		}
		if ((hash = strchr(phys, '#')) != NULL)
			*hash = '\0';
		len = strlen(phys);
		cont = len && phys[len - 1] == '\\';
		if (cont)
			phys[--len] = ' ';
		buf_add(&logical, phys, len);
		buf_addc(&logical, ' ');
		if (cont)
			continue;
		cp->line = start;
		haresources_line(cp, logical.data);
	}
	if (cont) {
		cp->line = start;
		haresources_line(cp, logical.data);
	}
	free(phys);
	buf_free(&logical);
	fclose(fp);
	return 0;
}
