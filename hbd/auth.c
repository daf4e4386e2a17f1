/*
 * auth: the security choices in one place. HMAC through OpenSSL with a
 * constant-time compare (CRYPTO_memcmp). The packet names its key index,
 * and the receiver verifies with its own key of that index if the
 * operator meant it to be accepted: the signing key ("auth N"), or an
 * HMAC key beside it, which is how keys are rotated (old and new both
 * defined, then "auth" switched, then the old one removed). crc exists
 * only so a heartbeat authkeys file keeps working; it authenticates
 * nothing, so a crc key is accepted only when it is the signing key: a
 * leftover "1 crc" line beside "auth 2" must not let anyone on the LAN
 * forge heartbeats under index 1.
 *
 * Each key's HMAC context is made once and re-initialised with its key
 * for every packet: the one-shot HMAC() fetches the algorithm and builds
 * a context each time, which costs four times the CPU and keeps most of
 * libcrypto's fetching machinery resident.
 */
#include "config.h"

#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "auth.h"
#include "util.h"

static uint32_t	crc_table[256];
static int	crc_ready;

uint32_t
auth_crc32(const void *p, size_t n)
{
	const uint8_t	*b = p;
	uint32_t	 c = 0xffffffffu;
	size_t		 i;

	if (!crc_ready) {
		uint32_t	 k, v;
		int		 j;

		for (k = 0; k < 256; k++) {
			v = k;
			for (j = 0; j < 8; j++)
				v = v & 1 ? 0xedb88320u ^ (v >> 1) : v >> 1;
			crc_table[k] = v;
		}
		crc_ready = 1;
	}
	for (i = 0; i < n; i++)
		c = crc_table[(c ^ b[i]) & 0xff] ^ (c >> 8);
	return c ^ 0xffffffffu;
}

static const EVP_MD *
method_md(enum auth_method m)
{
	switch (m) {
	case AUTH_MD5:
		return EVP_md5();
	case AUTH_SHA1:
		return EVP_sha1();
	case AUTH_SHA256:
		return EVP_sha256();
	case AUTH_SHA512:
		return EVP_sha512();
	case AUTH_CRC:
		break;
	}
	return NULL;
}

int
auth_digest_len(enum auth_method m)
{
	const EVP_MD	*md = method_md(m);

	return md ? EVP_MD_get_size(md) : 4;
}

/* one prepared context per key in use (a reload may bring new ones) */
struct mac_slot {
	enum auth_method method;
	unsigned char	 secret[sizeof(((struct conf_key *)0)->secret)];
	size_t		 secretlen;
	EVP_MAC_CTX	*ctx;
	unsigned long	 used;
};

static struct mac_slot	 slots[2 * HBD_MAX_KEYS];
static unsigned long	 slot_clock;
static EVP_MAC		*hmac;

static const char *
method_name(enum auth_method m)
{
	switch (m) {
	case AUTH_MD5:
		return "MD5";
	case AUTH_SHA1:
		return "SHA1";
	case AUTH_SHA256:
		return "SHA256";
	case AUTH_SHA512:
		return "SHA512";
	case AUTH_CRC:
		break;
	}
	return NULL;
}

static void
slot_clear(struct mac_slot *s)
{
	EVP_MAC_CTX_free(s->ctx);
	OPENSSL_cleanse(s, sizeof(*s));
}

/* The prepared context for this key, made (or remade) when needed. */
static EVP_MAC_CTX *
key_ctx(const struct conf_key *k)
{
	struct mac_slot	*s, *victim = &slots[0];
	OSSL_PARAM	 params[2];
	size_t		 i;

	for (i = 0; i < nitems(slots); i++) {
		s = &slots[i];
		if (s->ctx != NULL && s->method == k->method &&
		    s->secretlen == k->secretlen &&
		    CRYPTO_memcmp(s->secret, k->secret, k->secretlen) == 0) {
			s->used = ++slot_clock;
			return s->ctx;
		}
		if (s->used < victim->used)
			victim = s;
	}
	if (hmac == NULL && (hmac = EVP_MAC_fetch(NULL, "HMAC", NULL)) == NULL)
		return NULL;
	slot_clear(victim);
	if ((victim->ctx = EVP_MAC_CTX_new(hmac)) == NULL)
		return NULL;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
	    (char *)method_name(k->method), 0);
	params[1] = OSSL_PARAM_construct_end();
	/* an empty key is legal HMAC; OpenSSL wants a non-NULL pointer */
	if (!EVP_MAC_init(victim->ctx, k->secretlen ? k->secret :
	    (const unsigned char *)"", k->secretlen, params)) {
		slot_clear(victim);
		return NULL;
	}
	victim->method = k->method;
	memcpy(victim->secret, k->secret, k->secretlen);
	victim->secretlen = k->secretlen;
	victim->used = ++slot_clock;
	return victim->ctx;
}

static int
compute(const struct conf_key *k, const void *data, size_t len,
    uint8_t *out)
{
	EVP_MAC_CTX	*ctx;
	size_t		 dlen = 0;

	if (k->method == AUTH_CRC) {
		uint32_t	 c = auth_crc32(data, len);

		out[0] = (uint8_t)(c >> 24);
		out[1] = (uint8_t)(c >> 16);
		out[2] = (uint8_t)(c >> 8);
		out[3] = (uint8_t)c;
		return 4;
	}
	/* NULL key: the context's own again, from the start */
	if ((ctx = key_ctx(k)) == NULL || !EVP_MAC_init(ctx, NULL, 0, NULL) ||
	    !EVP_MAC_update(ctx, data, len) ||
	    !EVP_MAC_final(ctx, out, &dlen, AUTH_MAX_DIGEST))
		return -1;
	return (int)dlen;
}

int
auth_sign(const struct conf *c, int index, const void *data, size_t len,
    uint8_t *digest)
{
	int	 i;

	for (i = 0; i < c->nkeys; i++)
		if (c->keys[i].index == index)
			return compute(&c->keys[i], data, len, digest);
	return -1;
}

int
auth_verify(const struct conf *c, int index, const void *data, size_t len,
    const uint8_t *digest, size_t dlen)
{
	uint8_t	 want[AUTH_MAX_DIGEST];
	int	 i, n, ok = -1;

	for (i = 0; i < c->nkeys; i++) {
		if (c->keys[i].index != index)
			continue;
		if (c->keys[i].method == AUTH_CRC && index != c->auth_use)
			continue;
		n = compute(&c->keys[i], data, len, want);
		if (n > 0 && (size_t)n == dlen &&
		    CRYPTO_memcmp(want, digest, dlen) == 0)
			ok = 0;
	}
	OPENSSL_cleanse(want, sizeof(want));
	return ok;
}

enum replay_verdict
replay_check(const struct replay_win *w, uint32_t gen, uint64_t seq)
{
	uint64_t	 d;

	if (!w->valid || gen > w->gen)
		return w->valid ? REPLAY_NEWGEN : REPLAY_NEW;
	if (gen < w->gen)
		return REPLAY_OLD;
	if (seq > w->top)
		return REPLAY_NEW;
	d = w->top - seq;
	if (d >= REPLAY_WINDOW)
		return REPLAY_OLD;
	return (w->bitmap >> d) & 1 ? REPLAY_DUP : REPLAY_LATE;
}

/* Only after the packet authenticated: an attacker cannot move it. */
void
replay_accept(struct replay_win *w, uint32_t gen, uint64_t seq)
{
	uint64_t	 d;

	if (!w->valid || gen != w->gen) {
		w->valid = 1;
		w->gen = gen;
		w->top = seq;
		w->bitmap = 1;
		return;
	}
	if (seq > w->top) {
		d = seq - w->top;
		w->bitmap = d >= REPLAY_WINDOW ? 0 : w->bitmap << d;
		w->bitmap |= 1;
		w->top = seq;
		return;
	}
	d = w->top - seq;
	if (d < REPLAY_WINDOW)
		w->bitmap |= (uint64_t)1 << d;
}

const char *
replay_verdict_name(enum replay_verdict v)
{
	switch (v) {
	case REPLAY_NEW:
		return "new";
	case REPLAY_NEWGEN:
		return "new generation";
	case REPLAY_LATE:
		return "late";
	case REPLAY_DUP:
		return "duplicate";
	case REPLAY_OLD:
		return "old";
	}
	return "?";
}
