/*
 * hb_compat: hbd beside a heartbeat 3.0.6 node (issue 20). See
 * hb_compat.h.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "event.h"
#include "hb_classic.h"
#include "hb_compat.h"
#include "log.h"
#include "media.h"
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

/* a heartbeat message that failed authentication, logged at most every
 * AUTH_LOG_MS with the number left out in between */
#define AUTH_LOG_MS	10000
static int64_t	auth_logged;
static unsigned	auth_quiet;

static void
auth_failed(const char *node, const char *why)
{
	int64_t	now = mono_ms();

	if (auth_logged != 0 && now - auth_logged < AUTH_LOG_MS) {
		auth_quiet++;
		return;
	}
	auth_logged = now;
	if (auth_quiet)
		log_warnx("dropped a heartbeat 3.0.6 message claiming node "
		    "%s: %s (and %u more since the last message; check "
		    "authkeys on both nodes)", node, why, auth_quiet);
	else
		log_warnx("dropped a heartbeat 3.0.6 message claiming node "
		    "%s: %s (check authkeys on both nodes)", node, why);
	auth_quiet = 0;
}

/*
 * 1: an authentic heartbeat message from another configured node; 2: our
 * own (compat heartbeat's, looped back); -2: heartbeat's framing, claims
 * a configured node, fails authentication; 0: anything else.
 */
static int
peer_msg(const struct conf *c, const uint8_t *pkt, size_t len,
    struct hbc_msg *hm, char *node, size_t nodelen)
{
	const char	*why = "bad signature";
	int		 i;

	if (hbc_parse(pkt, len, hm, NULL) < 0)
		return 0;
	if (hbc_get_str(hm, "src", node, nodelen) < 0)
		return 0;
	i = conf_node_index(c, node);
	if (i < 0)
		return 0;
	if (hbc_verify_conf(c, hm, &why) < 0) {
		auth_failed(node, why);
		return -2;
	}
	return i == c->local_index ? 2 : 1;	/* 2: our own, looped back */
}

/*
 * compat heartbeat: heartbeat-format statuses, so that the heartbeat peer
 * sees this node. Armed by the first heartbeat status heard (nothing is
 * sent to a peer that does not speak heartbeat's protocol), then sent
 * every keepalive on every medium, beside hbd's own packets.
 */
static struct {
	const struct conf *c;
	struct ev_timer	 timer;
	int		 armed;
	uint32_t	 gen;
	uint64_t	 seq;
	uint8_t		 uuid[16];
	int		 warned;
} tx;

/*
 * The history of what compat heartbeat sent, for heartbeat's
 * retransmission requests (docs/heartbeat-protocol.md section 5). Every
 * heartbeat-format message with a seq goes out through tx_emit, which
 * keeps its exact bytes here by seq; a request is answered with those
 * bytes, unchanged, or with NS_nak_rexmit when they are gone. heartbeat
 * keeps 500 messages; at one status per keepalive this holds minutes.
 */
#define TX_HIST		256
#define TX_REXMIT_MS	240	/* a message is resent at most once in this:
				 * a request arrives once per medium */
#define TX_REXMIT_BATCH	50	/* answers to one request, at most */
#define TX_LOG_MS	10000	/* the answers are logged at most this often */

static struct tx_hist {
	uint64_t	 seq;		/* 0: nothing kept in this slot */
	uint8_t		*buf;
	size_t		 len;
	int64_t		 resent;	/* mono_ms of the last resend, or 0 */
} hist[TX_HIST];
static uint64_t	hist_hi;		/* the highest seq sent */
static int64_t	rexmit_logged;

/* the lowest seq that can still be in the history */
static uint64_t
hist_low(void)
{
	return hist_hi >= TX_HIST ? hist_hi - TX_HIST + 1 : 1;
}

static void
hist_record(const uint8_t *buf, size_t len, uint64_t seq)
{
	struct tx_hist	*e = &hist[seq % TX_HIST];
	uint8_t		*p;

	if (seq > hist_hi)
		hist_hi = seq;
	e->seq = 0;
	e->resent = 0;
	if ((p = realloc(e->buf, len ? len : 1)) == NULL) {
		log_warn("compat heartbeat: cannot keep message %llu for a "
		    "retransmission", (unsigned long long)seq);
		return;
	}
	memcpy(p, buf, len);
	e->buf = p;
	e->len = len;
	e->seq = seq;
}

/*
 * The one way out for a heartbeat-format message: on every medium, and
 * kept in the history when it has a seq (0: an NS_ message, which has
 * none and is never asked for again).
 */
static void
tx_emit(const uint8_t *buf, size_t len, uint64_t seq)
{
	if (seq != 0)
		hist_record(buf, len, seq);
	media_send_all(buf, len);
}

/* heartbeat's own uuid for this node if it ran here (kept by heartbeat in
 * /var/lib/heartbeat/hb_uuid, 16 bytes), else one derived from the names:
 * the peer has this node in its host cache under that uuid */
static void
tx_uuid(const struct conf *c)
{
	unsigned char	 md[EVP_MAX_MD_SIZE];
	unsigned int	 n = 0;
	char		 id[2 * HBD_MAX_NAME + 16];
	int		 fd, len;

	fd = open("/var/lib/heartbeat/hb_uuid", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		len = (int)read(fd, tx.uuid, sizeof(tx.uuid));
		close(fd);
		if (len == (int)sizeof(tx.uuid))
			return;
	}
	len = snprintf(id, sizeof(id), "hbd:%s:%s", c->cluster, c->local);
	EVP_Digest(id, (size_t)len, md, &n, EVP_sha1(), NULL);
	memcpy(tx.uuid, md, sizeof(tx.uuid));
	tx.uuid[6] = (tx.uuid[6] & 0x0f) | 0x50;	/* a name-based uuid */
	tx.uuid[8] = (tx.uuid[8] & 0x3f) | 0x80;
}

static void
tx_send(struct ev_timer *t, void *arg)
{
	const struct conf	*c = tx.c;
	const struct conf_key	*k = NULL;
	struct hbc_builder	 b;
	enum hbc_method		 meth;
	char			 buf[1024], v[32];
	long			 n;
	int			 i;

	(void)arg;
	for (i = 0; i < c->nkeys; i++)
		if (c->keys[i].index == c->auth_use)
			k = &c->keys[i];
	if (k == NULL || hbc_method_of(k->method, &meth) < 0) {
		if (!tx.warned++)
			log_warnx("compat heartbeat: the signing key is not "
			    "crc, md5 or sha1: heartbeat cannot read it");
		ev_timer_add(t, c->keepalive_ms);
		return;
	}
	hbc_build_start(&b, buf, sizeof(buf));
	hbc_build_str(&b, "t", "status");
	hbc_build_str(&b, "st", "active");
	snprintf(v, sizeof(v), "%lx", (unsigned long)c->deadtime_ms);
	hbc_build_str(&b, "dt", v);
	hbc_build_str(&b, "src", c->local);
	hbc_build_add(&b, HBC_FT_BINARY, "srcuuid", tx.uuid, sizeof(tx.uuid));
	snprintf(v, sizeof(v), "%llx", (unsigned long long)++tx.seq);
	hbc_build_str(&b, "seq", v);
	snprintf(v, sizeof(v), "%lx", (unsigned long)tx.gen);
	hbc_build_str(&b, "hg", v);
	snprintf(v, sizeof(v), "%lx", (unsigned long)time(NULL));
	hbc_build_str(&b, "ts", v);
	hbc_build_str(&b, "ttl", "3");
	n = hbc_build_finish(&b, meth, k->index, k->secret, k->secretlen);
	if (n > 0)
		tx_emit((const uint8_t *)buf, (size_t)n, tx.seq);
	ev_timer_add(t, c->keepalive_ms);
}

static void
tx_heard(const struct conf *c)
{
	tx.c = c;			/* the newest configuration */
	if (!c->compat_heartbeat || tx.armed)
		return;
	tx.armed = 1;
	/* like heartbeat's generation on a fresh node: the clock, so it
	 * grows across restarts as the peer's replay check wants */
	tx.gen = (uint32_t)time(NULL);
	tx_uuid(c);
	ev_timer_init(&tx.timer, "compat heartbeat status", tx_send, NULL);
	ev_timer_add(&tx.timer, 0);
	log_info("compat heartbeat: sending heartbeat 3.0.6 statuses as %s "
	    "(generation %lx)", c->local, (unsigned long)tx.gen);
}

/* the key compat heartbeat signs with, as a heartbeat method: 0 or -1 */
static int
tx_key(const struct conf *c, const struct conf_key **key,
    enum hbc_method *meth)
{
	int	i;

	for (i = 0; i < c->nkeys; i++)
		if (c->keys[i].index == c->auth_use) {
			*key = &c->keys[i];
			return hbc_method_of(c->keys[i].method, meth);
		}
	return -1;
}

/*
 * "I no longer have it", as heartbeat says it: t=NS_nak_rexmit with the
 * seq in hex (the request had it in decimal), dest the asker, info why;
 * an NS_ message, so no seq and not kept.
 */
static int
rexmit_nak(const struct conf *c, uint64_t seq, const char *to,
    const struct hbc_field *touuid, const char *why)
{
	const struct conf_key	*k;
	enum hbc_method		 meth;
	struct hbc_builder	 b;
	char			 buf[1024], v[32];
	long			 n;

	if (tx_key(c, &k, &meth) < 0)
		return -1;
	hbc_build_start(&b, buf, sizeof(buf));
	hbc_build_str(&b, "t", "NS_nak_rexmit");
	snprintf(v, sizeof(v), "%llx", (unsigned long long)seq);
	hbc_build_str(&b, "firstseq", v);
	hbc_build_str(&b, "dest", to);
	hbc_build_str(&b, "info", why);
	if (touuid != NULL)
		hbc_build_add(&b, HBC_FT_BINARY, "destuuid", touuid->value,
		    touuid->valuelen);
	hbc_build_str(&b, "src", c->local);
	hbc_build_add(&b, HBC_FT_BINARY, "srcuuid", tx.uuid, sizeof(tx.uuid));
	snprintf(v, sizeof(v), "%lx", (unsigned long)tx.gen);
	hbc_build_str(&b, "hg", v);
	snprintf(v, sizeof(v), "%lx", (unsigned long)time(NULL));
	hbc_build_str(&b, "ts", v);
	hbc_build_str(&b, "ttl", "3");
	n = hbc_build_finish(&b, meth, k->index, k->secret, k->secretlen);
	if (n <= 0)
		return -1;
	tx_emit((const uint8_t *)buf, (size_t)n, 0);
	return 0;
}

/* a decimal seq of a rexmit request (heartbeat writes them with %lu) */
static int
rexmit_seq(const struct hbc_msg *hm, const char *name, uint64_t *v)
{
	char			 s[24], *end;
	unsigned long long	 u;

	if (hbc_get_str(hm, name, s, sizeof(s)) < 0 || s[0] < '0' ||
	    s[0] > '9')
		return -1;
	errno = 0;
	u = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || u == 0)
		return -1;
	*v = u;
	return 0;
}

/*
 * heartbeat missed messages of ours (a gap in our seq) and asks for them:
 * t=NS_rexmit dest=US firstseq=N lastseq=M, decimal. Each one still in
 * the history is sent again, byte for byte (unless it was resent in the
 * last TX_REXMIT_MS: the request comes once per medium); each one that is
 * gone gets an NS_nak_rexmit. Like heartbeat, a seq above the highest
 * sent is not answered (a restart: the asker is out of date). At most
 * TX_REXMIT_BATCH answers per request.
 */
static void
rexmit_answer(const struct conf *c, const struct hbc_msg *hm,
    const char *from)
{
	const struct hbc_field	*uuid;
	struct tx_hist		*e;
	char			 dest[HBD_MAX_NAME];
	uint64_t		 first, last, s;
	int64_t			 now;
	int			 answers = 0, resent = 0, naks = 0;

	if (!tx.armed || hbc_get_str(hm, "dest", dest, sizeof(dest)) < 0 ||
	    strcasecmp(dest, c->local) != 0)
		return;			/* not asked of us */
	if (rexmit_seq(hm, "firstseq", &first) < 0 ||
	    rexmit_seq(hm, "lastseq", &last) < 0 || first > last) {
		log_debug("compat heartbeat: a retransmission request from "
		    "%s without a valid firstseq..lastseq", from);
		return;
	}
	uuid = hbc_get(hm, "srcuuid");
	if (uuid != NULL && (uuid->type != HBC_FT_BINARY ||
	    uuid->valuelen != 16))
		uuid = NULL;
	now = mono_ms();
	for (s = first; s <= last && s <= hist_hi &&
	    answers < TX_REXMIT_BATCH; s++) {
		answers++;
		e = &hist[s % TX_HIST];
		if (s < hist_low() || e->seq != s) {
			if (rexmit_nak(c, s, from, uuid, s < hist_low() ?
			    "seqno too low" : "seqno not found") == 0)
				naks++;
			continue;
		}
		if (e->resent != 0 && now - e->resent < TX_REXMIT_MS)
			continue;
		e->resent = now;
		media_send_all(e->buf, e->len);
		resent++;
	}
	if (resent + naks == 0)
		return;
	if (rexmit_logged == 0 || now - rexmit_logged >= TX_LOG_MS) {
		rexmit_logged = now;
		log_info("compat heartbeat: %s asked for our messages "
		    "%llu-%llu again: resent %d, %d no longer kept", from,
		    (unsigned long long)first, (unsigned long long)last,
		    resent, naks);
	} else
		log_debug("compat heartbeat: %s asked for %llu-%llu: resent "
		    "%d, %d no longer kept", from, (unsigned long long)first,
		    (unsigned long long)last, resent, naks);
}

int
hb_classic_peer_heard(const struct conf *c, const uint8_t *pkt, size_t len,
    char *node, size_t nodelen)
{
	struct hbc_msg	hm;

	return peer_msg(c, pkt, len, &hm, node, nodelen) == 1;
}

int
hb_compat_rx(const struct conf *c, const uint8_t *pkt, size_t len,
    struct hb_msg *m)
{
	struct hbc_msg	hm;
	char		t[16], st[16];
	uint64_t	hg, seq;

	memset(m, 0, sizeof(*m));
	switch (peer_msg(c, pkt, len, &hm, m->node, sizeof(m->node))) {
	case 1:
		break;
	case 2:
		return 0;		/* compat heartbeat's own broadcast */
	case -2:
		return -2;		/* not authentic: counted, dropped */
	default:
		return -1;
	}
	if (hbc_get_str(&hm, "t", t, sizeof(t)) == 0 &&
	    strcmp(t, "NS_rexmit") == 0) {
		rexmit_answer(c, &hm, m->node);	/* it has no seq */
		return 0;
	}
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
	tx_heard(c);
	return 1;
}
