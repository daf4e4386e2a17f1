/*
 * hb_compat: hbd beside a heartbeat 3.0.6 node (issue 20). See
 * hb_compat.h.
 */
#include "config.h"

#include <string.h>
#include <strings.h>

#include "hb_classic.h"
#include "hb_compat.h"
#include "log.h"
#include "util.h"

/* the generation last announced in the log ("speaks heartbeat's ...") */
static uint64_t	announced_gen;
static char	announced_node[HBD_MAX_NAME];
/*
 * The generation that said goodbye (t=shutdone): heartbeat keeps sending
 * "st=active" for a second or two after it, until its processes exit
 * (seen in every capture); those must not bring the node back.
 */
static uint64_t	gone_gen;
static char	gone_node[HBD_MAX_NAME];

static int
peer_msg(const struct conf *c, const uint8_t *pkt, size_t len,
    struct hbc_msg *hm, char *node, size_t nodelen)
{
	int	i;

	if (hbc_parse(pkt, len, hm, NULL) < 0)
		return 0;
	if (hbc_get_str(hm, "src", node, nodelen) < 0)
		return 0;
	i = conf_node_index(c, node);
	if (i < 0 || i == c->local_index)
		return 0;
	if (hbc_verify_conf(c, hm, NULL) < 0)
		return 0;
	return 1;
}

int
hb_classic_peer_heard(const struct conf *c, const uint8_t *pkt, size_t len,
    char *node, size_t nodelen)
{
	struct hbc_msg	hm;

	return peer_msg(c, pkt, len, &hm, node, nodelen);
}

int
hb_compat_rx(const struct conf *c, const uint8_t *pkt, size_t len,
    struct hb_msg *m)
{
	struct hbc_msg	hm;
	char		t[16], st[16];
	uint64_t	hg, seq;

	memset(m, 0, sizeof(*m));
	if (!peer_msg(c, pkt, len, &hm, m->node, sizeof(m->node)))
		return -1;
	if (hbc_get_str(&hm, "t", t, sizeof(t)) < 0 ||
	    hbc_get_hex(&hm, "hg", &hg) < 0 || hg > UINT32_MAX ||
	    hbc_get_hex(&hm, "seq", &seq) < 0)
		return 0;
	if (strcmp(t, "status") == 0) {
		if (hbc_get_str(&hm, "st", st, sizeof(st)) < 0)
			return 0;
		if (strcmp(st, "active") == 0)
			m->status = HB_ST_ACTIVE;
		else if (strcmp(st, "init") == 0 || strcmp(st, "up") == 0)
			m->status = HB_ST_INIT;
		else
			return 0;
	} else if (strcmp(t, "shutdone") == 0) {
		m->status = HB_ST_LEFT;
		gone_gen = hg;
		hbd_strlcpy(gone_node, m->node, sizeof(gone_node));
	} else
		return 0;
	if (m->status != HB_ST_LEFT && hg == gone_gen &&
	    strcasecmp(m->node, gone_node) == 0)
		return 0;		/* its last words after the goodbye */
	m->version = HB_VERSION;
	m->type = HB_HEARTBEAT;
	m->cluster_id = c->cluster_id;
	m->generation = (uint32_t)hg;
	m->seq = seq;
	if (hg != announced_gen || strcasecmp(m->node, announced_node) != 0) {
		announced_gen = hg;
		hbd_strlcpy(announced_node, m->node, sizeof(announced_node));
		log_warnx("node %s speaks heartbeat's protocol (heartbeat "
		    "3.0.6, generation %llx): it counts as alive, and this "
		    "node never takes its groups while it is heard; see "
		    "docs/migration.md", m->node, (unsigned long long)hg);
	}
	return 1;
}
