/*
 * auth: HMAC test vectors (RFC 4231 for SHA-256/512, RFC 2202 for MD5 and
 * SHA-1), CRC-32's check value, key rotation, and the replay window
 * including sequence numbers near the 64-bit wrap.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "auth.h"
#include "conf.h"

static void
hex(const uint8_t *p, int n, char *out)
{
	int	 i;

	for (i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", p[i]);
}

static void
set_key(struct conf *c, int index, enum auth_method m, const void *k,
    size_t klen)
{
	struct conf_key	*key = &c->keys[c->nkeys++];

	memset(key, 0, sizeof(*key));
	key->index = index;
	key->method = m;
	memcpy(key->secret, k, klen);
	key->secretlen = klen;
}

static void
check(enum auth_method m, const void *key, size_t klen, const char *data,
    const char *want)
{
	struct conf	 c;
	uint8_t		 d[AUTH_MAX_DIGEST];
	char		 h[2 * AUTH_MAX_DIGEST + 1];
	int		 n;

	memset(&c, 0, sizeof(c));
	set_key(&c, 1, m, key, klen);
	c.auth_use = 1;
	n = auth_sign(&c, 1, data, strlen(data), d);
	assert_int_equal(n, auth_digest_len(m));
	hex(d, n, h);
	assert_string_equal(h, want);
	assert_int_equal(auth_verify(&c, 1, data, strlen(data), d,
	    (size_t)n), 0);
	d[0] ^= 1;
	assert_int_equal(auth_verify(&c, 1, data, strlen(data), d,
	    (size_t)n), -1);
}

static void
test_rfc4231(void **state)
{
	uint8_t	 k1[20], k6[131];

	memset(k1, 0x0b, sizeof(k1));
	memset(k6, 0xaa, sizeof(k6));
	check(AUTH_SHA256, k1, sizeof(k1), "Hi There",
	    "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
	check(AUTH_SHA512, k1, sizeof(k1), "Hi There",
	    "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde"
	    "daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854");
	check(AUTH_SHA256, "Jefe", 4, "what do ya want for nothing?",
	    "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
	check(AUTH_SHA512, "Jefe", 4, "what do ya want for nothing?",
	    "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
	    "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737");
	check(AUTH_SHA256, k6, sizeof(k6),
	    "Test Using Larger Than Block-Size Key - Hash Key First",
	    "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
	check(AUTH_SHA512, k6, sizeof(k6),
	    "Test Using Larger Than Block-Size Key - Hash Key First",
	    "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f352"
	    "6b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598");
}

static void
test_rfc2202(void **state)
{
	uint8_t	 k16[16], k20[20];

	memset(k16, 0x0b, sizeof(k16));
	memset(k20, 0x0b, sizeof(k20));
	check(AUTH_MD5, k16, sizeof(k16), "Hi There",
	    "9294727a3638bb1c13f48ef8158bfc9d");
	check(AUTH_SHA1, k20, sizeof(k20), "Hi There",
	    "b617318655057264e28bc0b6fb378c8ef146be00");
	check(AUTH_MD5, "Jefe", 4, "what do ya want for nothing?",
	    "750c783e6ab0b503eaa86e310a5db738");
}

static void
test_crc(void **state)
{
	assert_int_equal(auth_crc32("123456789", 9), 0xcbf43926u);
	check(AUTH_CRC, "", 0, "123456789", "cbf43926");
}

/* Keys are rotated by listing both: either index verifies. */
static void
test_rotation(void **state)
{
	struct conf	 c;
	uint8_t		 d[AUTH_MAX_DIGEST];
	int		 n;

	memset(&c, 0, sizeof(c));
	set_key(&c, 1, AUTH_SHA256, "old-secret-0000", 15);
	set_key(&c, 2, AUTH_SHA512, "new-secret-1111", 15);
	n = auth_sign(&c, 2, "beat", 4, d);
	assert_int_equal(auth_verify(&c, 2, "beat", 4, d, (size_t)n), 0);
	/* the same digest under the other index must not verify */
	assert_int_equal(auth_verify(&c, 1, "beat", 4, d, (size_t)n), -1);
	n = auth_sign(&c, 1, "beat", 4, d);
	assert_int_equal(auth_verify(&c, 1, "beat", 4, d, (size_t)n), 0);
	/* an index nobody configured */
	assert_int_equal(auth_sign(&c, 7, "beat", 4, d), -1);
	assert_int_equal(auth_verify(&c, 7, "beat", 4, d, (size_t)n), -1);
	/* a truncated digest */
	assert_int_equal(auth_verify(&c, 1, "beat", 4, d, (size_t)n - 1), -1);
}

/*
 * A crc key verifies only as the signing key: with "auth 2" = sha256 and
 * a leftover "1 crc" line, a packet anyone can make (a CRC under index 1)
 * must not pass, while an HMAC key beside the signing one still does (a
 * rotation in progress).
 */
static void
test_leftover_crc(void **state)
{
	struct conf	 c;
	uint8_t		 d[AUTH_MAX_DIGEST];
	int		 n;

	memset(&c, 0, sizeof(c));
	set_key(&c, 1, AUTH_CRC, "", 0);
	set_key(&c, 2, AUTH_SHA256, "new-secret-1111", 15);
	set_key(&c, 3, AUTH_SHA1, "old-secret-0000", 15);
	c.auth_use = 2;
	n = auth_sign(&c, 1, "forged", 6, d);
	assert_int_equal(n, 4);
	assert_int_equal(auth_verify(&c, 1, "forged", 6, d, (size_t)n), -1);
	n = auth_sign(&c, 2, "beat", 4, d);
	assert_int_equal(auth_verify(&c, 2, "beat", 4, d, (size_t)n), 0);
	n = auth_sign(&c, 3, "beat", 4, d);
	assert_int_equal(auth_verify(&c, 3, "beat", 4, d, (size_t)n), 0);
	/* crc as the signing key still works: heartbeat's files */
	c.auth_use = 1;
	n = auth_sign(&c, 1, "beat", 4, d);
	assert_int_equal(auth_verify(&c, 1, "beat", 4, d, (size_t)n), 0);
}

/*
 * auth keeps one prepared context per key: many more keys than it keeps
 * (a reload after a reload...), used in turn and again, and keys that
 * differ only in method or length, must each give OpenSSL's one-shot
 * HMAC of the same key, never a neighbour's.
 */
/* heartbeat's key indexes run 0-15: 0 and 15 sign and verify */
static void
test_index_range(void **state)
{
	struct conf	 c;
	uint8_t		 d[AUTH_MAX_DIGEST];
	int		 n;

	memset(&c, 0, sizeof(c));
	set_key(&c, 0, AUTH_SHA1, "zero-secret-000", 15);
	set_key(&c, 15, AUTH_MD5, "last-secret-015", 15);
	n = auth_sign(&c, 0, "beat", 4, d);
	assert_true(n > 0);
	assert_int_equal(auth_verify(&c, 0, "beat", 4, d, (size_t)n), 0);
	assert_int_equal(auth_verify(&c, 15, "beat", 4, d, (size_t)n), -1);
	n = auth_sign(&c, 15, "beat", 4, d);
	assert_true(n > 0);
	assert_int_equal(auth_verify(&c, 15, "beat", 4, d, (size_t)n), 0);
}

static void
test_key_contexts(void **state)
{
	static const enum auth_method ms[] = { AUTH_MD5, AUTH_SHA1,
	    AUTH_SHA256, AUTH_SHA512 };
	static const char data[] = "a heartbeat packet";
	struct conf	 c;
	uint8_t		 d[AUTH_MAX_DIGEST], want[EVP_MAX_MD_SIZE];
	unsigned int	 wlen;
	char		 key[32];
	int		 round, i, n;

	for (round = 0; round < 3; round++) {
		for (i = 0; i < 64; i++) {
			enum auth_method m = ms[i % 4];
			const EVP_MD *md = m == AUTH_MD5 ? EVP_md5() :
			    m == AUTH_SHA1 ? EVP_sha1() : m == AUTH_SHA256 ?
			    EVP_sha256() : EVP_sha512();
			size_t	 klen = (size_t)(i % 7) * 3;

			memset(&c, 0, sizeof(c));
			snprintf(key, sizeof(key), "key-%02d-%s", i / 4,
			    "xxxxxxxxxxxxxxxx");
			set_key(&c, 1, m, key, klen);
			n = auth_sign(&c, 1, data, sizeof(data) - 1, d);
			assert_non_null(HMAC(md, key, (int)klen,
			    (const unsigned char *)data, sizeof(data) - 1,
			    want, &wlen));
			assert_int_equal(n, (int)wlen);
			assert_memory_equal(d, want, wlen);
			assert_int_equal(auth_verify(&c, 1, data,
			    sizeof(data) - 1, want, wlen), 0);
		}
	}
}

static void
test_replay_window(void **state)
{
	struct replay_win	 w;

	memset(&w, 0, sizeof(w));
	assert_int_equal(replay_check(&w, 5, 1), REPLAY_NEW);
	replay_accept(&w, 5, 1);
	assert_int_equal(replay_check(&w, 5, 1), REPLAY_DUP);
	assert_int_equal(replay_check(&w, 5, 2), REPLAY_NEW);
	replay_accept(&w, 5, 3);		/* 2 lost or reordered */
	assert_int_equal(replay_check(&w, 5, 2), REPLAY_LATE);
	replay_accept(&w, 5, 2);
	assert_int_equal(replay_check(&w, 5, 2), REPLAY_DUP);
	replay_accept(&w, 5, 3 + REPLAY_WINDOW);
	assert_int_equal(replay_check(&w, 5, 3), REPLAY_OLD);
	assert_int_equal(replay_check(&w, 5, 4), REPLAY_LATE);
	/* an older generation is a replay; a newer one a restart */
	assert_int_equal(replay_check(&w, 4, 1000), REPLAY_OLD);
	assert_int_equal(replay_check(&w, 6, 1), REPLAY_NEWGEN);
	replay_accept(&w, 6, 1);
	assert_int_equal(replay_check(&w, 5, 3 + REPLAY_WINDOW + 1),
	    REPLAY_OLD);
}

static void
test_replay_wrap(void **state)
{
	struct replay_win	 w;

	memset(&w, 0, sizeof(w));
	replay_accept(&w, 9, UINT64_MAX - 2);
	assert_int_equal(replay_check(&w, 9, UINT64_MAX - 1), REPLAY_NEW);
	replay_accept(&w, 9, UINT64_MAX);
	assert_int_equal(replay_check(&w, 9, UINT64_MAX), REPLAY_DUP);
	assert_int_equal(replay_check(&w, 9, UINT64_MAX - 1), REPLAY_LATE);
	/* a wrapped sequence in the same generation must not pass */
	assert_int_equal(replay_check(&w, 9, 0), REPLAY_OLD);
	assert_int_equal(replay_check(&w, 9, 1), REPLAY_OLD);
	/* the sender starts a new generation instead */
	assert_int_equal(replay_check(&w, 10, 1), REPLAY_NEWGEN);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc4231),
		cmocka_unit_test(test_rfc2202),
		cmocka_unit_test(test_crc),
		cmocka_unit_test(test_rotation),
		cmocka_unit_test(test_leftover_crc),
		cmocka_unit_test(test_index_range),
		cmocka_unit_test(test_key_contexts),
		cmocka_unit_test(test_replay_window),
		cmocka_unit_test(test_replay_wrap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
