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
	int64_t		 last_heard;	/* mono ms: a heartbeat message */
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

/* the signing key, if heartbeat can read it */
static const struct conf_key *
tx_key(const struct conf *c, enum hbc_method *meth)
{
	const struct conf_key	*k = NULL;
	int			 i;

	for (i = 0; i < c->nkeys; i++)
		if (c->keys[i].index == c->auth_use)
			k = &c->keys[i];
	if (k == NULL || hbc_method_of(k->method, meth) < 0) {
		if (!tx.warned++)
			log_warnx("compat heartbeat: the signing key is not "
			    "crc, md5 or sha1: heartbeat cannot read it");
		return NULL;
	}
	return k;
}

/*
 * One heartbeat message: its own fields (NAME=VALUE lines), then the
 * fields heartbeat adds to every message, signed, on every medium.
 */
static void
tx_msg(const char *fields)
{
	const struct conf	*c = tx.c;
	const struct conf_key	*k;
	struct hbc_builder	 b;
	enum hbc_method		 meth;
	char			 buf[1024], v[32], line[128];
	const char		*p, *nl, *eq;
	uint64_t		 seq = 0;	/* none: an NS_ message */
	long			 n;
	size_t			 l;

	if ((k = tx_key(c, &meth)) == NULL)
		return;
	hbc_build_start(&b, buf, sizeof(buf));
	for (p = fields; *p != '\0'; p = nl + 1) {
		if ((nl = strchr(p, '\n')) == NULL)
			break;
		l = (size_t)(nl - p);
		if (l >= sizeof(line))
			continue;
		memcpy(line, p, l);
		line[l] = '\0';
		if ((eq = strchr(line, '=')) == NULL)
			continue;
		line[eq - line] = '\0';
		hbc_build_str(&b, line, line + (eq - line) + 1);
	}
	hbc_build_str(&b, "src", c->local);
	hbc_build_add(&b, HBC_FT_BINARY, "srcuuid", tx.uuid, sizeof(tx.uuid));
	/* heartbeat's NS_ messages (flow control, retransmission) have no
	 * sequence number */
	if (strncmp(fields, "t=NS_", 5) != 0) {
		seq = ++tx.seq;
		snprintf(v, sizeof(v), "%llx", (unsigned long long)seq);
		hbc_build_str(&b, "seq", v);
	}
	snprintf(v, sizeof(v), "%lx", (unsigned long)tx.gen);
	hbc_build_str(&b, "hg", v);
	snprintf(v, sizeof(v), "%lx", (unsigned long)time(NULL));
	hbc_build_str(&b, "ts", v);
	hbc_build_str(&b, "ttl", "3");
	n = hbc_build_finish(&b, meth, k->index, k->secret, k->secretlen);
	if (n > 0)
		tx_emit((const uint8_t *)buf, (size_t)n, seq);
}

static void
tx_send(struct ev_timer *t, void *arg)
{
	char	 f[64];

	(void)arg;
	/*
	 * Nothing heard in heartbeat's protocol for a deadtime: the peer
	 * stopped, or runs hbd now (the rolling migration's last step). Say
	 * nothing more to it in a protocol it does not speak; a heartbeat
	 * peer heard again starts it again, with a new generation.
	 */
	if (mono_ms() - tx.last_heard > (int64_t)tx.c->deadtime_ms) {
		tx.armed = 0;
		log_info("compat heartbeat: nothing heard in heartbeat's "
		    "protocol for %u ms: stopped sending its messages",
		    tx.c->deadtime_ms);
		return;
	}
	snprintf(f, sizeof(f), "t=status\nst=active\ndt=%lx\n",
	    (unsigned long)tx.c->deadtime_ms);
	tx_msg(f);
	ev_timer_add(t, tx.c->keepalive_ms);
}

void
hb_compat_send(const struct conf *c, const char *fields)
{
	if (!tx.armed) {
		log_warnx("compat heartbeat: a message for a heartbeat peer "
		    "before one was heard: not sent");
		return;
	}
	tx.c = c;
	tx_msg(fields);
}

static void
tx_heard(const struct conf *c)
{
	tx.c = c;			/* the newest configuration */
	tx.last_heard = mono_ms();
	if (!c->compat_heartbeat || tx.armed)
		return;
	tx.armed = 1;
	/* like heartbeat's generation on a fresh node: the clock, so it
	 * grows across restarts as the peer's replay check wants */
	tx.gen = (uint32_t)time(NULL);
	tx_uuid(c);
	ev_timer_init(&tx.timer, "compat heartbeat status", tx_send, NULL);
	/*
	 * The first status now, before anything the core says in answer to
	 * this packet: heartbeat drops a sequenced message from a node it saw
	 * stop until a status of the new generation resets its tracking.
	 */
	tx_send(&tx.timer, NULL);
	log_info("compat heartbeat: sending heartbeat 3.0.6 statuses as %s "
	    "(generation %lx)", c->local, (unsigned long)tx.gen);
}

/*
 * "I no longer have it", as heartbeat says it: t=NS_nak_rexmit with the
 * seq in hex (the request had it in decimal), dest the asker, info why;
 * an NS_ message, so no seq and not kept.
 */
static void
rexmit_nak(const struct conf *c, uint64_t seq, const char *to,
    const char *why)
{
	char	 f[HBD_MAX_NAME + 96];

	snprintf(f, sizeof(f), "t=NS_nak_rexmit\nfirstseq=%llx\ndest=%s\n"
	    "info=%s\n", (unsigned long long)seq, to, why);
	tx.c = c;
	tx_msg(f);
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
	now = mono_ms();
	for (s = first; s <= last && s <= hist_hi &&
	    answers < TX_REXMIT_BATCH; s++) {
		answers++;
		e = &hist[s % TX_HIST];
		if (s < hist_low() || e->seq != s) {
			rexmit_nak(c, s, from, s < hist_low() ?
			    "seqno too low" : "seqno not found");
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

/*
 * Retransmission requests, as a heartbeat node makes them: a message of
 * the peer that is missing (its sequence number skipped) after a short
 * wait (heartbeat's messages arrive slightly out of order) is asked for
 * again with t=NS_rexmit dest=PEER firstseq=N lastseq=M (decimal), a few
 * times. Without it one lost packet on a single medium could leave a
 * standby handshake waiting for a "done" that never comes.
 */
#define RX_WINDOW	64
#define RX_WAIT_MS	250
#define RX_AGAIN_MS	1000
#define RX_TRIES	5

static struct {
	const struct conf *c;
	uint64_t	 gen;
	uint64_t	 low;		/* the first seq seen of gen */
	uint64_t	 top;		/* the highest */
	uint64_t	 bits;		/* bit i: top - i seen */
	int		 tries;
	char		 node[HBD_MAX_NAME];
	struct ev_timer	 timer;
	int		 timer_init;
} rx;

static int
rx_missing(uint64_t seq)
{
	uint64_t	 d;

	if (seq <= rx.low || seq > rx.top)
		return 0;
	d = rx.top - seq;
	return d < RX_WINDOW && !(rx.bits & ((uint64_t)1 << d));
}

static void
rx_ask(struct ev_timer *t, void *arg)
{
	char		 f[HBD_MAX_NAME + 96];
	uint64_t	 s, e, first;
	int		 asked = 0;

	(void)arg;
	if (!tx.armed || rx.c == NULL)
		return;
	first = rx.top >= RX_WINDOW ? rx.top - RX_WINDOW + 1 : 1;
	for (s = first; s <= rx.top; s++) {
		if (!rx_missing(s))
			continue;
		for (e = s; e + 1 <= rx.top && rx_missing(e + 1); e++)
			;
		snprintf(f, sizeof(f), "t=NS_rexmit\ndest=%s\nfirstseq=%llu\n"
		    "lastseq=%llu\n", rx.node, (unsigned long long)s,
		    (unsigned long long)e);
		tx.c = rx.c;
		tx_msg(f);
		log_debug("compat heartbeat: asked %s to retransmit %llu-%llu",
		    rx.node, (unsigned long long)s, (unsigned long long)e);
		asked = 1;
		s = e;
	}
	if (asked && ++rx.tries < RX_TRIES)
		ev_timer_add(t, RX_AGAIN_MS);
}

static void
rx_note(const struct conf *c, const char *node, uint64_t gen, uint64_t seq)
{
	uint64_t	 d;

	rx.c = c;
	if (!c->compat_heartbeat || seq == 0)
		return;
	if (!rx.timer_init) {
		ev_timer_init(&rx.timer, "compat heartbeat rexmit", rx_ask,
		    NULL);
		rx.timer_init = 1;
	}
	if (gen != rx.gen || strcasecmp(node, rx.node) != 0) {
		rx.gen = gen;
		rx.low = rx.top = seq;
		rx.bits = 1;
		rx.tries = 0;
		hbd_strlcpy(rx.node, node, sizeof(rx.node));
		return;
	}
	if (seq > rx.top) {
		d = seq - rx.top;
		rx.bits = d >= RX_WINDOW ? 0 : rx.bits << d;
		rx.bits |= 1;
		if (d > 1) {
			rx.tries = 0;
			if (!ev_timer_pending(&rx.timer))
				ev_timer_add(&rx.timer, RX_WAIT_MS);
		}
		rx.top = seq;
	} else if ((d = rx.top - seq) < RX_WINDOW) {
		if (rx.tries > 0 && rx_missing(seq))
			log_debug("compat heartbeat: %s's message %llu came "
			    "after we asked", node, (unsigned long long)seq);
		rx.bits |= (uint64_t)1 << d;
	}
}

/* heartbeat's last status of the peer's current generation, for its
 * other messages (membership counts each as a heartbeat) */
static uint64_t	st_gen;
static uint8_t	st_last;

static int
hold_of(const struct hbc_msg *hm)
{
	char	 w[16];

	if (hbc_get_str(hm, "rsc_hold", w, sizeof(w)) < 0)
		return -1;
	if (strcmp(w, "none") == 0)
		return 0;
	if (strcmp(w, "local") == 0)
		return HV_LOCAL;
	if (strcmp(w, "foreign") == 0)
		return HV_FOREIGN;
	if (strcmp(w, "all") == 0)
		return HV_ALL;
	return -1;
}

/*
 * A heartbeat node whose comm comes up asks a peer for the node list
 * (t=reqnodes dest=US) and, until one answers t=repnodes, stays "up" and
 * never becomes active, asking again every second. The list is the
 * configuration's; no node was deleted (heartbeat's delnode is not
 * hbd's).
 */
static void
reqnodes(const struct conf *c, const struct hbc_msg *hm, const char *from)
{
	char	 dest[HBD_MAX_NAME], f[3 * HBD_MAX_NAME + 64];
	int	 i, n;

	if (!c->compat_heartbeat ||
	    hbc_get_str(hm, "dest", dest, sizeof(dest)) < 0 ||
	    strcasecmp(dest, c->local) != 0)
		return;
	tx_heard(c);
	n = snprintf(f, sizeof(f), "dest=%s\nt=repnodes\nnodelist=", from);
	for (i = 0; i < c->nnodes && n > 0 && (size_t)n < sizeof(f); i++)
		n += snprintf(f + n, sizeof(f) - (size_t)n, "%s ",
		    c->nodes[i]);
	if (n > 0 && (size_t)n < sizeof(f))
		snprintf(f + n, sizeof(f) - (size_t)n, "\ndelnodelist= \n");
	tx_msg(f);
}

int
hb_compat_rx(const struct conf *c, const uint8_t *pkt, size_t len,
    struct hb_msg *m, struct hbv1_msg *v)
{
	struct hbc_msg	hm;
	char		t[24], st[16], w[16];
	uint64_t	hg, seq;

	memset(m, 0, sizeof(*m));
	memset(v, 0, sizeof(*v));
	v->hold = v->stable = -1;
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
		return 0;		/* NS_ackmsg, NS_nak_rexmit: no seq */
	rx_note(c, m->node, hg, seq);
	if (hg != st_gen) {
		st_gen = hg;
		st_last = HB_ST_INIT;
	}
	m->status = st_last;
	if (strcmp(t, "status") == 0) {
		if (hbc_get_str(&hm, "st", st, sizeof(st)) < 0)
			return 0;
		if (strcmp(st, "active") == 0)
			m->status = HB_ST_ACTIVE;
		else if (strcmp(st, "init") == 0 || strcmp(st, "up") == 0)
			m->status = HB_ST_INIT;
		else
			return 0;
		st_last = m->status;
		v->type = HV_NONE;
	} else if (strcmp(t, "shutdone") == 0) {
		m->status = HB_ST_LEFT;
		v->type = HV_SHUTDONE;
		gone_gen = hg;
		hbd_strlcpy(gone_node, m->node, sizeof(gone_node));
	} else if (strcmp(t, "starting") == 0) {
		v->type = HV_STARTING;
	} else if (strcmp(t, "resource") == 0) {
		v->type = HV_RESOURCE;
		v->hold = hold_of(&hm);
		v->full = hbc_get_str(&hm, "rtype", w, sizeof(w)) == 0 &&
		    strcmp(w, "full") == 0;
		if (hbc_get_str(&hm, "isstable", w, sizeof(w)) == 0)
			v->stable = strcmp(w, "1") == 0;
		(void)hbc_get_str(&hm, "info", v->info, sizeof(v->info));
	} else if (strcmp(t, "ask_resources") == 0) {
		v->type = HV_ASK;
		v->hold = hold_of(&hm);
		if (hbc_get_str(&hm, "info", v->info, sizeof(v->info)) < 0)
			return 0;
	} else if (strcmp(t, "hb_takeover") == 0) {
		v->type = HV_TAKEOVER;
		v->hold = hold_of(&hm);
	} else if (strcmp(t, "reqnodes") == 0) {
		reqnodes(c, &hm, m->node);
		return 0;
	} else
		return 0;	/* ip-request-resp, stonith...: not ours */
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
