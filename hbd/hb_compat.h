/*
 * hb_compat: hbd beside a node that runs heartbeat 3.0.6 (issue 20).
 *
 * Today: the safety rule "a peer that is heard, in any protocol, is
 * alive". A datagram that is not hbd's own but is an authentic heartbeat
 * message (verified with authkeys' key) from the configured peer counts as
 * a heartbeat from that node, so hbd never declares it dead and never
 * takes over from it. With `compat heartbeat` (ha.cf), once such a peer is
 * heard, this node also sends heartbeat's status messages every keepalive
 * on every medium, so heartbeat sees it active, and answers heartbeat's
 * retransmission requests (NS_rexmit) for them from a history of the
 * bytes sent (or with NS_nak_rexmit when they are gone). See
 * docs/heartbeat-protocol.md and docs/migration.md for what this does and
 * does not do yet.
 */
#ifndef HBD_HB_COMPAT_H
#define HBD_HB_COMPAT_H

#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "core.h"
#include "hb_msg.h"

/*
 * 1 when pkt is an authentic heartbeat message from a configured node
 * other than this one (its name in node), 0 otherwise.
 */
int	hb_classic_peer_heard(const struct conf *, const uint8_t *pkt,
	    size_t len, char *node, size_t nodelen);

/*
 * For the receive path: 1 when pkt is an authentic heartbeat message
 * from the peer that carries a sequence number and matters to hbd, with
 * *m filled as the equivalent hbd heartbeat for membership (node,
 * generation: heartbeat's hg, sequence: its seq, status: init/up ->
 * starting, active -> active, shutdone -> left, any other message: the
 * generation's last status) and *v with what it says about resources
 * (t=starting, resource, ask_resources, hb_takeover, shutdone; HV_NONE
 * for a status). 0 when it is another authentic message (NS_ackmsg,
 * ip-request-resp...: not malformed either; an NS_rexmit asking this
 * node for its heartbeat-format messages is answered here, from the
 * history of what it sent), a message of a generation that already said
 * goodbye (heartbeat sends a few), or this node's own heartbeat-format
 * message looped back. -2 when it is in heartbeat's framing and claims a
 * configured node but fails authentication (a wrong key, a forgery): the
 * caller counts an auth failure and drops it (logged here, at most every
 * 10 s). -1 otherwise (not heartbeat's, or from a node not in this
 * cluster). Logs once per peer generation that the peer speaks
 * heartbeat's protocol.
 */
int	hb_compat_rx(const struct conf *, const uint8_t *pkt, size_t len,
	    struct hb_msg *m, struct hbv1_msg *v);

/*
 * compat heartbeat: send a heartbeat message with these fields of its own
 * (NAME=VALUE lines, as a CA_HBV1 action holds them), signed, on every
 * medium. Only once a heartbeat peer was heard.
 */
void	hb_compat_send(const struct conf *, const char *fields);

#endif
