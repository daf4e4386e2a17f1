/*
 * fuzz_hb_msg: the heartbeat packet decoder, signature check and SLIP
 * framing on arbitrary bytes, as a packet off the wire or a serial line.
 *
 * Properties checked besides "no sanitizer report":
 * - a decoded packet re-encodes (with its own key index and digest) to a
 *   packet that decodes to the same fields, byte for byte the same input
 *   when it carried no extension bytes;
 * - no strict prefix of a valid packet decodes;
 * - auth_verify accepts what auth_sign produced with that key index and
 *   refuses a flipped digest, for md5, sha1, sha256 and sha512 and for an
 *   index with two keys (rotation); a crc key only when it is the
 *   signing key (auth_use), and never while another key signs;
 * - a packet signed and framed as cluster.c does verifies on receipt;
 * - SLIP: the decoder never holds more than a packet, and the input
 *   encoded and fed back comes out as exactly one identical frame;
 * - the replay window, driven by the bytes read as (generation, sequence)
 *   steps, gives the verdicts of a plain set-of-seen-numbers model,
 *   sequence numbers near the 64-bit wrap included.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "auth.h"
#include "conf.h"
#include "fuzz_common.h"
#include "hb_msg.h"

static struct conf	 keys;

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_keys(&keys);
	return 0;
}

static void
same_msg(const struct hb_msg *a, const struct hb_msg *b)
{
	int	 i;

	FUZZ_CHECK(a->version == b->version && a->type == b->type);
	FUZZ_CHECK(a->cluster_id == b->cluster_id);
	FUZZ_CHECK(a->generation == b->generation && a->seq == b->seq);
	FUZZ_CHECK(strcmp(a->node, b->node) == 0);
	FUZZ_CHECK(a->status == b->status && a->flags == b->flags);
	FUZZ_CHECK(a->keepalive_ms == b->keepalive_ms);
	FUZZ_CHECK(a->deadtime_ms == b->deadtime_ms);
	FUZZ_CHECK(a->config_hash == b->config_hash);
	FUZZ_CHECK(a->ping_up == b->ping_up && a->ping_total == b->ping_total);
	FUZZ_CHECK(a->ngroups == b->ngroups);
	for (i = 0; i < a->ngroups; i++) {
		const struct hb_group	*g = &a->groups[i], *h = &b->groups[i];

		FUZZ_CHECK(g->id == h->id && g->epoch == h->epoch);
		FUZZ_CHECK(g->proposer == h->proposer);
		FUZZ_CHECK(g->target == h->target && g->reason == h->reason);
		FUZZ_CHECK(g->state == h->state && g->flags == h->flags);
		FUZZ_CHECK(g->held_epoch == h->held_epoch);
		FUZZ_CHECK(g->held_proposer == h->held_proposer);
	}
	FUZZ_CHECK(a->key_index == b->key_index);
	FUZZ_CHECK(a->digest_len == b->digest_len);
	FUZZ_CHECK(memcmp(a->digest, b->digest, a->digest_len) == 0);
}

static void
check_decoded(const uint8_t *data, size_t size, const struct hb_msg *m)
{
	int	 i;

	FUZZ_CHECK(m->version == HB_VERSION && m->type == HB_HEARTBEAT);
	FUZZ_CHECK(m->node[0] != '\0');
	FUZZ_CHECK(strnlen(m->node, HBD_MAX_NAME) < HBD_MAX_NAME);
	FUZZ_CHECK(m->status >= HB_ST_INIT && m->status <= HB_ST_LEFT);
	FUZZ_CHECK(m->ngroups <= HBD_MAX_GROUPS);
	FUZZ_CHECK(m->digest_len >= 1 && m->digest_len <= AUTH_MAX_DIGEST);
	FUZZ_CHECK(m->signed_len >= 1 && m->signed_len < size);
	FUZZ_CHECK(m->signed_len + 1 + m->digest_len == size);
	FUZZ_CHECK(data[m->signed_len - 1] == m->key_index);
	FUZZ_CHECK(data[m->signed_len] == m->digest_len);
	FUZZ_CHECK(memcmp(data + m->signed_len + 1, m->digest,
	    m->digest_len) == 0);
	/* the names used in logs and status never fail */
	FUZZ_CHECK(hb_status_name(m->status) != NULL);
	for (i = 0; i < m->ngroups; i++) {
		FUZZ_CHECK(m->groups[i].state <= GS_FAILED);
		FUZZ_CHECK(grp_state_name(m->groups[i].state) != NULL);
		FUZZ_CHECK(move_reason_name(m->groups[i].reason) != NULL);
	}
}

/* Some key of that index is one the receiver accepts */
static int
accepted_index(int index)
{
	int	 i;

	for (i = 0; i < keys.nkeys; i++)
		if (keys.keys[i].index == index &&
		    (keys.keys[i].method != AUTH_CRC || index == keys.auth_use))
			return 1;
	return 0;
}

/* What a receiver does with the packet's own digest, then with a good one */
static void
check_auth(const uint8_t *data, const struct hb_msg *m)
{
	uint8_t	 d[AUTH_MAX_DIGEST];
	int	 n, i, has_key = 0;

	(void)auth_verify(&keys, m->key_index, data, m->signed_len,
	    m->digest, m->digest_len);
	for (i = 0; i < keys.nkeys; i++)
		if (keys.keys[i].index == m->key_index)
			has_key = 1;
	n = auth_sign(&keys, m->key_index, data, m->signed_len, d);
	if (!has_key) {
		FUZZ_CHECK(n == -1);
		FUZZ_CHECK(auth_verify(&keys, m->key_index, data,
		    m->signed_len, m->digest, m->digest_len) == -1);
		return;
	}
	FUZZ_CHECK(n > 0 && n <= AUTH_MAX_DIGEST);
	if (!accepted_index(m->key_index)) {
		/* a leftover crc key: anyone can make this digest */
		FUZZ_CHECK(auth_verify(&keys, m->key_index, data,
		    m->signed_len, d, (size_t)n) == -1);
		return;
	}
	FUZZ_CHECK(auth_verify(&keys, m->key_index, data, m->signed_len, d,
	    (size_t)n) == 0);
	/* a shorter digest is never a prefix match */
	FUZZ_CHECK(auth_verify(&keys, m->key_index, data, m->signed_len, d,
	    (size_t)n - 1) == -1);
	d[n - 1] ^= 0x01;
	FUZZ_CHECK(auth_verify(&keys, m->key_index, data, m->signed_len, d,
	    (size_t)n) == -1);
}

/* Re-encode what was decoded; it must mean the same thing. */
static void
check_roundtrip(const uint8_t *data, size_t size, const struct hb_msg *m)
{
	struct hb_msg	 m2;
	uint8_t		 buf[HB_MAX_PACKET];
	const char	*why;
	size_t		 slen;
	int		 total;

	FUZZ_CHECK(hb_msg_encode(m, m->key_index, buf, sizeof(buf),
	    &slen) == 0);
	total = hb_msg_finish(buf, sizeof(buf), slen, m->digest,
	    m->digest_len);
	FUZZ_CHECK(total > 0);
	FUZZ_CHECK(hb_msg_decode(buf, (size_t)total, &m2, &why) == 0);
	FUZZ_CHECK(why == NULL);
	same_msg(m, &m2);
	/* encode writes no extension: otherwise the bytes are the input's */
	if (slen == m->signed_len) {
		FUZZ_CHECK((size_t)total == size);
		FUZZ_CHECK(memcmp(buf, data, size) == 0);
	} else
		FUZZ_CHECK(slen < m->signed_len);
	/* the receiver's view: no prefix of a packet is a packet */
	FUZZ_CHECK(hb_msg_decode(buf, (size_t)total - 1, &m2, &why) == -1);
	FUZZ_CHECK(why != NULL);
	FUZZ_CHECK(hb_msg_decode(buf, slen, &m2, &why) == -1);
	FUZZ_CHECK(hb_msg_decode(buf, slen + 1, &m2, &why) == -1);
	/* nor is a packet with a byte after it */
	if ((size_t)total < sizeof(buf)) {
		buf[total] = 0;
		FUZZ_CHECK(hb_msg_decode(buf, (size_t)total + 1, &m2,
		    &why) == -1);
	}
}

/* The sender's path in cluster.c, with each configured key. */
static void
check_signed(const struct hb_msg *m, int key)
{
	struct hb_msg	 r;
	uint8_t		 buf[HB_MAX_PACKET], d[AUTH_MAX_DIGEST];
	const char	*why;
	size_t		 slen;
	int		 n, total, index = keys.keys[key].index;

	FUZZ_CHECK(hb_msg_encode(m, (uint8_t)index, buf, sizeof(buf),
	    &slen) == 0);
	n = auth_sign(&keys, index, buf, slen, d);
	FUZZ_CHECK(n > 0);
	total = hb_msg_finish(buf, sizeof(buf), slen, d, (size_t)n);
	FUZZ_CHECK(total > 0);
	FUZZ_CHECK(hb_msg_decode(buf, (size_t)total, &r, &why) == 0);
	FUZZ_CHECK(r.key_index == index && r.signed_len == slen);
	if (!accepted_index(index)) {
		FUZZ_CHECK(auth_verify(&keys, r.key_index, buf, r.signed_len,
		    r.digest, r.digest_len) == -1);
		return;
	}
	FUZZ_CHECK(auth_verify(&keys, r.key_index, buf, r.signed_len,
	    r.digest, r.digest_len) == 0);
	/* any change to a signed byte breaks the signature (not crc's) */
	if (keys.keys[key].method != AUTH_CRC) {
		buf[slen / 2] ^= 0x80;
		FUZZ_CHECK(auth_verify(&keys, r.key_index, buf, r.signed_len,
		    r.digest, r.digest_len) == -1);
	}
}

static void
check_slip(const uint8_t *data, size_t size)
{
	static struct slip_dec	 d;
	uint8_t			 out[2 * HB_MAX_PACKET + 2];
	struct hb_msg		 m;
	const char		*why;
	size_t			 i, n;
	int			 r, frames = 0;

	/* the bytes as they arrive on a serial line */
	memset(&d, 0, sizeof(d));
	for (i = 0; i < size; i++) {
		r = slip_feed(&d, data[i]);
		FUZZ_CHECK(r >= -1 && r <= 1);
		FUZZ_CHECK(d.len <= sizeof(d.buf));
		if (r == 1) {
			FUZZ_CHECK(d.len > 0);
			if (hb_msg_decode(d.buf, d.len, &m, &why) == 0)
				check_decoded(d.buf, d.len, &m);
			d.len = 0;		/* as media.c does */
		}
	}
	if (size == 0 || size > HB_MAX_PACKET)
		return;
	/* the bytes as a packet to send */
	n = slip_encode(data, size, out, sizeof(out));
	FUZZ_CHECK(n >= size + 2);
	FUZZ_CHECK(out[0] == SLIP_END && out[n - 1] == SLIP_END);
	FUZZ_CHECK(memchr(out + 1, SLIP_END, n - 2) == NULL);
	/* one byte short of room is refused, not truncated */
	FUZZ_CHECK(slip_encode(data, size, out, n - 1) == 0);
	n = slip_encode(data, size, out, sizeof(out));
	memset(&d, 0, sizeof(d));
	for (i = 0; i < n; i++) {
		r = slip_feed(&d, out[i]);
		FUZZ_CHECK(r == 0 || (r == 1 && i == n - 1));
		if (r == 1) {
			frames++;
			FUZZ_CHECK(d.len == size);
			FUZZ_CHECK(memcmp(d.buf, data, size) == 0);
		}
	}
	FUZZ_CHECK(frames == 1);
}

/* What replay_check must answer, from every accepted number kept. */
struct replay_model {
	int		 valid;
	uint32_t	 gen;
	uint64_t	 top;
	uint64_t	 seen[HB_MAX_PACKET];
	size_t		 nseen;
};

static enum replay_verdict
model_check(const struct replay_model *m, uint32_t gen, uint64_t seq)
{
	size_t	 i;

	if (!m->valid)
		return REPLAY_NEW;
	if (gen > m->gen)
		return REPLAY_NEWGEN;
	if (gen < m->gen)
		return REPLAY_OLD;
	if (seq > m->top)
		return REPLAY_NEW;
	if (m->top - seq >= REPLAY_WINDOW)
		return REPLAY_OLD;
	for (i = 0; i < m->nseen; i++)
		if (m->seen[i] == seq)
			return REPLAY_DUP;
	return REPLAY_LATE;
}

static void
model_accept(struct replay_model *m, uint32_t gen, uint64_t seq)
{
	if (!m->valid || gen != m->gen) {
		m->valid = 1;
		m->gen = gen;
		m->top = seq;
		m->nseen = 0;
	} else if (seq > m->top)
		m->top = seq;
	if (m->nseen < sizeof(m->seen) / sizeof(m->seen[0]))
		m->seen[m->nseen++] = seq;
}

/*
 * Three bytes per step: generation move, sequence move, flags. The first
 * step's sequence starts near 0, near 2^63 or near the 64-bit wrap.
 */
static void
check_replay(const uint8_t *data, size_t size)
{
	static struct replay_model	 m;
	struct replay_win		 w;
	enum replay_verdict		 v, want;
	uint32_t			 gen = 7;
	uint64_t			 seq = 0;
	size_t				 i;
	int8_t				 d;

	memset(&w, 0, sizeof(w));
	m.valid = 0;
	m.nseen = 0;
	if (size > 0)
		seq = data[0] % 3 == 0 ? 0 : data[0] % 3 == 1 ?
		    (uint64_t)1 << 63 : UINT64_MAX - 200;
	for (i = 0; i + 3 <= size; i += 3) {
		if (data[i] & 0x80)
			gen += (uint32_t)(data[i] & 3) - 1;	/* -1 .. +2 */
		d = (int8_t)data[i + 1];
		if (data[i + 2] & 0x10)
			seq += (uint64_t)(uint8_t)d << 6;	/* a jump */
		else if (d >= 0 || seq >= (uint64_t)-(int)d)
			seq += (uint64_t)(int64_t)d;
		if (seq > UINT64_MAX - 300)
			seq = UINT64_MAX - 300 + (seq & 0xff);
		v = replay_check(&w, gen, seq);
		want = model_check(&m, gen, seq);
		if (v != want)
			fprintf(stderr, "gen %u seq %llu: %s, expected %s\n", gen,
			    (unsigned long long)seq, replay_verdict_name(v),
			    replay_verdict_name(want));
		FUZZ_CHECK(v == want);
		FUZZ_CHECK(replay_verdict_name(v) != NULL);
		if ((data[i + 2] & 1) && v != REPLAY_DUP && v != REPLAY_OLD) {
			replay_accept(&w, gen, seq);
			model_accept(&m, gen, seq);
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hb_msg	 m;
	const char	*why = NULL;

	check_slip(data, size);
	check_replay(data, size);
	if (hb_msg_decode(data, size, &m, &why) == -1) {
		FUZZ_CHECK(why != NULL);
		return 0;
	}
	FUZZ_CHECK(why == NULL);
	check_decoded(data, size, &m);
	check_auth(data, &m);
	check_roundtrip(data, size, &m);
	check_signed(&m, (int)(data[size - 1] % keys.nkeys));
	return 0;
}
