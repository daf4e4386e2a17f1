/*
 * hb_msg: packet codec. Writers check room before every field; the
 * reader takes fields through a cursor that fails closed.
 */
#include "config.h"

#include <string.h>

#include "hb_msg.h"

struct wcur {
	uint8_t	*p;
	size_t	 len, cap;
	int	 err;
};

static void
w8(struct wcur *w, uint8_t v)
{
	if (w->len + 1 > w->cap) {
		w->err = 1;
		return;
	}
	w->p[w->len++] = v;
}

static void
w16(struct wcur *w, uint16_t v)
{
	w8(w, (uint8_t)(v >> 8));
	w8(w, (uint8_t)v);
}

static void
w32(struct wcur *w, uint32_t v)
{
	w16(w, (uint16_t)(v >> 16));
	w16(w, (uint16_t)v);
}

static void
w64(struct wcur *w, uint64_t v)
{
	w32(w, (uint32_t)(v >> 32));
	w32(w, (uint32_t)v);
}

static void
wbytes(struct wcur *w, const void *p, size_t n)
{
	if (w->len + n > w->cap) {
		w->err = 1;
		return;
	}
	memcpy(w->p + w->len, p, n);
	w->len += n;
}

int
hb_msg_encode(const struct hb_msg *m, uint8_t key_index, uint8_t *buf,
    size_t cap, size_t *signed_len)
{
	struct wcur	 w = { buf, 0, cap, 0 };
	size_t		 nl = strnlen(m->node, HBD_MAX_NAME);
	int		 i;

	if (nl == 0 || nl >= HBD_MAX_NAME || m->ngroups > HBD_MAX_GROUPS)
		return -1;
	w8(&w, 'h');
	w8(&w, 'b');
	w8(&w, HB_VERSION);
	w8(&w, m->type);
	w32(&w, m->cluster_id);
	w32(&w, m->generation);
	w64(&w, m->seq);
	w8(&w, (uint8_t)nl);
	wbytes(&w, m->node, nl);
	w8(&w, m->status);
	w8(&w, m->flags);
	w32(&w, m->keepalive_ms);
	w32(&w, m->deadtime_ms);
	w32(&w, m->config_hash);
	w32(&w, m->ack_generation);
	w64(&w, m->ack_seq);
	w8(&w, m->ping_up);
	w8(&w, m->ping_total);
	w8(&w, m->ngroups);
	for (i = 0; i < m->ngroups; i++) {
		const struct hb_group	*g = &m->groups[i];

		w32(&w, g->id);
		w32(&w, g->epoch);
		w8(&w, g->proposer);
		w8(&w, g->target);
		w8(&w, g->reason);
		w8(&w, g->state);
		w8(&w, g->flags);
		w32(&w, g->held_epoch);
		w8(&w, g->held_proposer);
	}
	w16(&w, 0);			/* no extensions yet */
	w8(&w, key_index);
	if (w.err || w.len + 1 + AUTH_MAX_DIGEST > HB_MAX_PACKET)
		return -1;
	*signed_len = w.len;
	return 0;
}

int
hb_msg_finish(uint8_t *buf, size_t cap, size_t signed_len,
    const uint8_t *digest, size_t dlen)
{
	if (dlen > AUTH_MAX_DIGEST || signed_len + 1 + dlen > cap)
		return -1;
	buf[signed_len] = (uint8_t)dlen;
	memcpy(buf + signed_len + 1, digest, dlen);
	return (int)(signed_len + 1 + dlen);
}

struct rcur {
	const uint8_t	*p;
	size_t		 len, pos;
	int		 err;
};

static uint8_t
r8(struct rcur *r)
{
	if (r->pos + 1 > r->len) {
		r->err = 1;
		return 0;
	}
	return r->p[r->pos++];
}

static uint16_t
r16(struct rcur *r)
{
	uint16_t	 v = (uint16_t)(r8(r) << 8);

	return v | r8(r);
}

static uint32_t
r32(struct rcur *r)
{
	uint32_t	 v = (uint32_t)r16(r) << 16;

	return v | r16(r);
}

static uint64_t
r64(struct rcur *r)
{
	uint64_t	 v = (uint64_t)r32(r) << 32;

	return v | r32(r);
}

static int
rbytes(struct rcur *r, void *out, size_t n)
{
	if (r->pos + n > r->len) {
		r->err = 1;
		return -1;
	}
	memcpy(out, r->p + r->pos, n);
	r->pos += n;
	return 0;
}

/*
 * [A-Za-z0-9._-]+, the same rule as util's node_name_ok() (ha.cf's node
 * lines), kept here so that the codec needs nothing but itself
 */
int
hb_name_ok(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || *s == '.' || *s == '_' ||
		    *s == '-'))
			return 0;
	return 1;
}

int
hb_msg_decode(const uint8_t *buf, size_t len, struct hb_msg *m,
    const char **why)
{
	struct rcur	 r = { buf, len, 0, 0 };
	uint8_t		 nl;
	uint16_t	 extlen;
	int		 i;

	memset(m, 0, sizeof(*m));
	*why = "truncated";
	if (len < 4 || len > HB_MAX_PACKET) {
		*why = len > HB_MAX_PACKET ? "oversize" : "truncated";
		return -1;
	}
	if (buf[0] != 'h' || buf[1] != 'b') {
		*why = "bad magic";
		return -1;
	}
	r.pos = 2;
	m->version = r8(&r);
	if (m->version != HB_VERSION) {
		*why = "unsupported version";
		return -1;
	}
	m->type = r8(&r);
	if (m->type != HB_HEARTBEAT) {
		*why = "unknown type";
		return -1;
	}
	m->cluster_id = r32(&r);
	m->generation = r32(&r);
	m->seq = r64(&r);
	nl = r8(&r);
	if (r.err)
		return -1;
	if (nl == 0 || nl >= HBD_MAX_NAME) {
		*why = "bad node name length";
		return -1;
	}
	if (rbytes(&r, m->node, nl) == -1)
		return -1;
	m->node[nl] = '\0';
	if (strlen(m->node) != nl) {
		*why = "NUL in node name";
		return -1;
	}
	/*
	 * The name reaches logs, hbctl events and SNMP traps (and from there
	 * trap handlers' shells) before the packet is authenticated: only
	 * what hostnames are made of gets that far.
	 */
	if (!hb_name_ok(m->node)) {
		*why = "bad character in node name";
		return -1;
	}
	m->status = r8(&r);
	m->flags = r8(&r);
	m->keepalive_ms = r32(&r);
	m->deadtime_ms = r32(&r);
	m->config_hash = r32(&r);
	m->ack_generation = r32(&r);
	m->ack_seq = r64(&r);
	m->ping_up = r8(&r);
	m->ping_total = r8(&r);
	m->ngroups = r8(&r);
	if (r.err)
		return -1;
	if (m->status < HB_ST_INIT || m->status > HB_ST_LEFT) {
		*why = "bad node status";
		return -1;
	}
	if (m->ngroups > HBD_MAX_GROUPS) {
		*why = "too many groups";
		return -1;
	}
	for (i = 0; i < m->ngroups; i++) {
		struct hb_group	*g = &m->groups[i];

		g->id = r32(&r);
		g->epoch = r32(&r);
		g->proposer = r8(&r);
		g->target = r8(&r);
		g->reason = r8(&r);
		g->state = r8(&r);
		g->flags = r8(&r);
		g->held_epoch = r32(&r);
		g->held_proposer = r8(&r);
		if (!r.err && g->state > GS_FAILED) {
			*why = "bad group state";
			return -1;
		}
	}
	extlen = r16(&r);
	if (r.err)
		return -1;
	if (r.pos + extlen > len)
		return -1;
	r.pos += extlen;
	m->key_index = r8(&r);
	m->signed_len = r.pos;
	m->digest_len = r8(&r);
	if (r.err)
		return -1;
	if (m->digest_len == 0 || m->digest_len > AUTH_MAX_DIGEST) {
		*why = "bad digest length";
		return -1;
	}
	if (rbytes(&r, m->digest, m->digest_len) == -1)
		return -1;
	if (r.pos != len) {
		*why = "trailing bytes";
		return -1;
	}
	*why = NULL;
	return 0;
}

const char *
hb_status_name(int s)
{
	switch (s) {
	case HB_ST_INIT:
		return "init";
	case HB_ST_ACTIVE:
		return "active";
	case HB_ST_LEAVING:
		return "leaving";
	case HB_ST_LEFT:
		return "left";
	}
	return "?";
}

const char *
grp_state_name(int s)
{
	switch (s) {
	case GS_UNKNOWN:
		return "unknown";
	case GS_STOPPED:
		return "stopped";
	case GS_STARTING:
		return "starting";
	case GS_STARTED:
		return "started";
	case GS_STOPPING:
		return "stopping";
	case GS_FAILED:
		return "failed";
	}
	return "?";
}

const char *
move_reason_name(int r)
{
	switch (r) {
	case MR_STARTUP:
		return "startup";
	case MR_NODE_DEAD:
		return "node_dead";
	case MR_PEER_REQUEST:
		return "peer_request";
	case MR_FAILBACK:
		return "failback";
	case MR_ADMIN:
		return "admin";
	case MR_RESOURCE_FAILURE:
		return "resource_failure";
	case MR_SHUTDOWN:
		return "shutdown";
	}
	return "other";
}

/* The inverse of move_reason_name(); 0 for anything else. */
int
move_reason_from_name(const char *s)
{
	int	 r;

	for (r = MR_OTHER; r <= MR_SHUTDOWN; r++)
		if (strcmp(s, move_reason_name(r)) == 0)
			return r;
	return 0;
}

size_t
slip_encode(const uint8_t *in, size_t n, uint8_t *out, size_t cap)
{
	size_t	 o = 0, i;

	if (cap < 2)
		return 0;
	out[o++] = SLIP_END;
	for (i = 0; i < n; i++) {
		if (o + 3 > cap)
			return 0;
		if (in[i] == SLIP_END) {
			out[o++] = SLIP_ESC;
			out[o++] = SLIP_ESC_END;
		} else if (in[i] == SLIP_ESC) {
			out[o++] = SLIP_ESC;
			out[o++] = SLIP_ESC_ESC;
		} else
			out[o++] = in[i];
	}
	out[o++] = SLIP_END;
	return o;
}

int
slip_feed(struct slip_dec *d, uint8_t c)
{
	if (c == SLIP_END) {
		int	 r = 0;

		if (d->overflow)
			r = -1;
		else if (d->len > 0)
			r = 1;
		d->overflow = 0;
		d->esc = 0;
		if (r != 1)
			d->len = 0;
		return r;
	}
	if (d->len > 0 && d->esc == 0 && d->overflow == 0 && d->len ==
	    sizeof(d->buf)) {
		d->overflow = 1;
		return 0;
	}
	if (d->overflow)
		return 0;
	if (d->esc) {
		d->esc = 0;
		if (c == SLIP_ESC_END)
			c = SLIP_END;
		else if (c == SLIP_ESC_ESC)
			c = SLIP_ESC;
		else {
			d->overflow = 1;	/* protocol error: drop frame */
			return 0;
		}
	} else if (c == SLIP_ESC) {
		d->esc = 1;
		return 0;
	}
	if (d->len == sizeof(d->buf)) {
		d->overflow = 1;
		return 0;
	}
	d->buf[d->len++] = c;
	return 0;
}
