/*
 * mib_groups: hbdGroupTable (INDEX hbdGroupIndex) and hbdResourceTable
 * (INDEX hbdGroupIndex, hbdResourceIndex), and the one writable object,
 * hbdGroupAdminOwner: the snmpset failover.
 *
 * A set is validated in RESERVE1 against the cache (row exists, writes
 * enabled in hbd's config, OCTET STRING of at most 64 octets naming a
 * cluster node) and carried out in ACTION as 'hbctl move' does, on a
 * connection of its own. The ACTION is delegated (net-snmp's delegated
 * requests): the handler returns at once, the main loop keeps serving
 * and sending traps, and the request is completed when hbd answers or
 * after MOVE_TIMEOUT_MS. That bound is shorter than snmpd's default
 * agentXTimeout (1 s) so that resourceUnavailable reaches the manager
 * instead of snmpd's own genErr; hbd answers at once because it only
 * accepts the move. The outcome is reported by notifications.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cache.h"
#include "hbdlink.h"
#include "log.h"
#include "mib.h"

#define MOVE_TIMEOUT_MS		800
#define NODE_NAME_MAX		64

/* the group whose move hbd accepted in the current set, 0 if none */
static uint32_t		 accepted;

static void
group_value(const void *row, int col, struct mib_val *v)
{
	const struct c_group	*g = row;

	switch (col) {
	case 2:
		mv_string(v, g->name, 255);
		break;
	case 3:
		mv_string(v, g->preferred, 64);
		break;
	case 4:
		mv_string(v, g->owner, 64);
		break;
	case 5:
		mv_int(v, g->state);
		break;
	case 6:
		mv_string(v, cache_admin_owner(g), 64);
		break;
	case 7:
		mv_timestamp(v, g->changed_mono, TS_SINCE_CONNECT);
		break;
	case 8:
		mv_counter(v, g->takeovers);
		break;
	case 9:
		mv_counter(v, cache_group_failures(g));
		break;
	}
}

static void
rsc_value(const void *row, int col, struct mib_val *v)
{
	const struct c_rsc	*r = row;

	switch (col) {
	case 2:
		mv_string(v, r->name, 255);
		break;
	case 3:
		mv_int(v, r->state);
		break;
	case 4:
		mv_timestamp(v, r->changed_mono, TS_SINCE_CONNECT);
		break;
	case 5:
		mv_int(v, r->last_action);
		break;
	case 6:
		mv_unsigned(v, r->last_duration);
		break;
	case 7:
		mv_int(v, r->last_result);
		break;
	case 8:
		mv_int(v, r->last_rc < -1 ? -1 : r->last_rc > 255 ? 255 :
		    r->last_rc);
		break;
	}
}

void
mib_groups_collect(const struct cache *c)
{
	oid	 sub[3], idx[2];
	size_t	 i, j;
	int	 col;

	sub[1] = 1;
	for (i = 0; i < c->ngroups; i++) {
		const struct c_group	*g = &c->groups[i];

		if (g->index == 0)
			continue;
		idx[0] = g->index;
		sub[0] = 6;
		for (col = 2; col <= 9; col++) {
			if (col == 5 && g->state == 0)
				continue;
			sub[2] = (oid)col;
			mib_add(sub, 3, idx, 1, group_value, g, col);
		}
		sub[0] = 7;
		for (j = 0; j < g->nrsc; j++) {
			const struct c_rsc	*r = &g->rsc[j];

			if (r->index == 0)
				continue;
			idx[1] = r->index;
			for (col = 2; col <= 8; col++) {
				if (col == 3 && r->state == 0)
					continue;
				/* no last action yet: no instances */
				if (col >= 5 && r->last_action == 0)
					continue;
				if (col == 7 && r->last_result == 0)
					continue;
				sub[2] = (oid)col;
				mib_add(sub, 3, idx, 2, rsc_value, r, col);
			}
		}
	}
}

/* The value as a C string; -1 if it cannot be a node name at all. */
static int
value_name(const netsnmp_variable_list *vb, char *out, size_t len)
{
	if (vb->val_len >= len || vb->val.string == NULL)
		return -1;
	memcpy(out, vb->val.string, vb->val_len);
	out[vb->val_len] = '\0';
	return strlen(out) == vb->val_len && out[0] != '\0' ? 0 : -1;
}

static int
reserve(const struct c_group *g, const netsnmp_variable_list *vb)
{
	const struct cache	*c = cache_get();
	const struct c_node	*n;
	char			 name[NODE_NAME_MAX + 1];

	if (g == NULL)
		return SNMP_ERR_NOCREATION;
	if (!c->snmp_write)
		return SNMP_ERR_NOTWRITABLE;
	if (vb->type != ASN_OCTET_STR)
		return SNMP_ERR_WRONGTYPE;
	if (vb->val_len > NODE_NAME_MAX)
		return SNMP_ERR_WRONGLENGTH;
	if (value_name(vb, name, sizeof(name)) == -1 ||
	    (n = cache_node_by_name(name)) == NULL || n->type != NODE_NORMAL)
		return SNMP_ERR_WRONGVALUE;
	return SNMP_ERR_NOERROR;
}

/* what a delegated ACTION needs when hbd's answer comes */
struct pending_move {
	netsnmp_delegated_cache	*dc;
	uint32_t		 index;
	char			 group[256];
	char			 node[NODE_NAME_MAX + 1];
};

static void
move_done(void *arg, int r, const char *err)
{
	struct pending_move	*pm = arg;
	netsnmp_delegated_cache	*dc;
	netsnmp_request_info	*req;

	dc = netsnmp_handler_check_cache(pm->dc);
	switch (r) {
	case 0:
		accepted = pm->index;
		log_notice("SNMP set hbdGroupAdminOwner.%u: moving group %s "
		    "to %s", pm->index, pm->group, pm->node);
		break;
	case 1:
		log_warnx("SNMP set hbdGroupAdminOwner.%u: hbd refused to "
		    "move group %s to %s: %s", pm->index, pm->group, pm->node,
		    err);
		break;
	default:
		log_warnx("SNMP set hbdGroupAdminOwner.%u: no answer from hbd "
		    "within %d ms (%s); group %s not moved", pm->index,
		    MOVE_TIMEOUT_MS, err, pm->group);
		break;
	}
	if (dc == NULL) {
		/* the agent gave the request up meanwhile (snmpd timed out) */
		log_warnx("SNMP set hbdGroupAdminOwner.%u: the request was "
		    "abandoned before hbd answered", pm->index);
		free(pm);
		return;
	}
	req = dc->requests;
	req->delegated = 0;
	if (r == 1)
		netsnmp_request_set_error(req, SNMP_ERR_INCONSISTENTVALUE);
	else if (r != 0)
		netsnmp_request_set_error(req, SNMP_ERR_RESOURCEUNAVAILABLE);
	netsnmp_free_delegated_cache(dc);
	free(pm);
	/* let the agent finish the set now rather than at the next wake-up */
	netsnmp_check_outstanding_agent_requests();
}

static int
action(const struct c_group *g, netsnmp_mib_handler *h,
    netsnmp_handler_registration *rg, netsnmp_agent_request_info *ri,
    netsnmp_request_info *r)
{
	const netsnmp_variable_list *vb = r->requestvb;
	const struct c_node	*n;
	struct pending_move	*pm;
	char			 name[NODE_NAME_MAX + 1], err[256];

	/* hbd went away (or renumbered) between the two phases */
	if (g == NULL)
		return SNMP_ERR_RESOURCEUNAVAILABLE;
	if (value_name(vb, name, sizeof(name)) == -1 ||
	    (n = cache_node_by_name(name)) == NULL || n->type != NODE_NORMAL)
		return SNMP_ERR_INCONSISTENTVALUE;
	if (strcasecmp(cache_admin_owner(g), n->name) == 0 &&
	    strcasecmp(g->owner, n->name) == 0 && g->state != GST_FAILED) {
		log_info("SNMP set hbdGroupAdminOwner.%u = %s: group %s is "
		    "already there", g->index, n->name, g->name);
		return SNMP_ERR_NOERROR;
	}
	pm = calloc(1, sizeof(*pm));
	if (pm == NULL)
		return SNMP_ERR_RESOURCEUNAVAILABLE;
	pm->index = g->index;
	snprintf(pm->group, sizeof(pm->group), "%s", g->name);
	snprintf(pm->node, sizeof(pm->node), "%s", n->name);
	pm->dc = netsnmp_create_delegated_cache(h, rg, ri, r, NULL);
	if (pm->dc == NULL) {
		free(pm);
		return SNMP_ERR_RESOURCEUNAVAILABLE;
	}
	if (hl_move_start(pm->group, pm->node, MOVE_TIMEOUT_MS, move_done,
	    pm, err, sizeof(err)) == -1) {
		log_warnx("SNMP set hbdGroupAdminOwner.%u: %s; group %s not "
		    "moved", pm->index, err, pm->group);
		netsnmp_free_delegated_cache(pm->dc);
		free(pm);
		return SNMP_ERR_RESOURCEUNAVAILABLE;
	}
	r->delegated = 1;
	return SNMP_ERR_NOERROR;
}

int
mib_groups_set(netsnmp_mib_handler *h, netsnmp_handler_registration *rg,
    netsnmp_agent_request_info *ri, netsnmp_request_info *r, const oid *idx,
    size_t idxlen)
{
	int	 mode = ri->mode;
	const struct c_group	*g = NULL;

	if (idxlen == 1 && cache_get() != NULL)
		g = cache_group((uint32_t)idx[0]);
	switch (mode) {
	case MODE_SET_RESERVE1:
		accepted = 0;
		return reserve(g, r->requestvb);
	case MODE_SET_ACTION:
		return action(g, h, rg, ri, r);
	case MODE_SET_UNDO:
		/* another varbind of the same PDU failed after the move was
		 * accepted: a move cannot be taken back, say so */
		if (g != NULL && accepted == g->index)
			log_warnx("SNMP set of hbdGroupAdminOwner.%u undone by "
			    "another varbind; a move already accepted by hbd "
			    "goes on", g->index);
		return SNMP_ERR_NOERROR;
	default:
		return SNMP_ERR_NOERROR;
	}
}
