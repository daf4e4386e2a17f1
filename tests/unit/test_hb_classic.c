/*
 * hb_classic: heartbeat 3.0.6's messages, checked against datagrams
 * captured from two real heartbeat 3.0.6 nodes in the lab
 * (scripts/hb-capture.sh; docs/heartbeat-protocol.md): parsing, the three
 * auth methods with the lab's keys (the trailer over the netstring body,
 * and the classic auth field over the classic rendering), rebuilding a
 * captured packet byte for byte, the classic framing, malformed input
 * refused with a reason, and hb_classic_peer_heard with a configuration.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "conf.h"
#include "hb_classic.h"
#include "hb_compat.h"

#define SHA1_KEY	"hbd-lab-key-sha1"
#define MD5_KEY		"hbd-lab-key-md5"

/* captured in the lab (keys above; crc has none) */
static const char sha1_status_init[] =
    "###\n11:(0)t=status,10:(0)st=init,10:(0)dt=1770,13:(0)protocol=1,10:"
    "(0)src=ha2,27:(1)srcuuid=\375\352\255\234\271'N\366\206\004\263\260\276"
    "\216\2334,8:(0)seq=1,14:(0)hg=6b134799,14:(0)ts=6b134798,30:(0)ld=2."
    "84 1.44 0.57 8/191 127,8:(0)ttl=3,50:(0)auth=1 e93f78b960be24477936e"
    "3abe09d0fd979682777,%%%\n42:1 aa8fdff9d941ed99d7b28927743f9c6fc6f2e9"
    "e5,";
static const char sha1_ip_request_resp[] =
    "###\n20:(0)t=ip-request-resp,11:(0)dest=ha1,37:(0)ipaddr=IPaddr::10."
    "88.0.100/24/eth0,12:(0)weown=yes,8:(0)ok=OK,28:(1)destuuid=]8W\211\034"
    "\334A\351\262j\361\365\213\200\240\330,10:(0)src=ha1,27:(1)srcuuid=]"
    "8W\211\034\334A\351\262j\361\365\213\200\240\330,9:(0)seq=18,14:(0)h"
    "g=6b134799,14:(0)ts=6b1347a4,31:(0)ld=3.35 1.62 0.64 12/222 241,8:(0"
    ")ttl=3,50:(0)auth=1 5ed77a374be205095c0afc0d7c52569dce74cd33,%%%\n"
    "42:1 246888e64c6fdce591e82fe13a2a2c2da195f61f,";
static const char md5_rexmit[] =
    "###\n14:(0)t=NS_rexmit,11:(0)dest=ha1,14:(0)firstseq=62,13:(0)lastse"
    "q=62,28:(1)destuuid=\372`jXN\364F\270\237\305\021ykA\007\267,10:(0)s"
    "rc=ha2,27:(1)srcuuid=\037\310\243\337\030\005M\002\255\235\345\211<\014"
    "\210\313,14:(0)hg=6b1347f2,14:(0)ts=6b134819,8:(0)ttl=3,42:(0)auth=1"
    " 91707acea2192b6ca219e2bcaa5e4731,%%%\n34:1 0b0b109e7de70329ecd4e5fd"
    "67d25635,";
static const char md5_shutdone[] =
    "###\n13:(0)t=shutdone,10:(0)st=dead,10:(0)src=ha2,27:(1)srcuuid=\037"
    "\310\243\337\030\005M\002\255\235\345\211<\014\210\313,9:(0)seq=5b,1"
    "4:(0)hg=6b1347f2,14:(0)ts=6b13482e,30:(0)ld=3.83 2.42 1.08 8/161 939"
    ",8:(0)ttl=3,42:(0)auth=1 40efcde771984fc18f9ee3d6c09ed791,%%%\n34:1 "
    "b68bb0d6f69c34040a5264675edc62f4,";
static const char crc_status_active[] =
    "###\n11:(0)t=status,12:(0)st=active,10:(0)dt=1770,13:(0)protocol=1,1"
    "0:(0)src=ha1,27:(1)srcuuid=E5F*\027 GP\237,\022e\317q\017\353,8:(0)s"
    "eq=7,14:(0)hg=6b134845,14:(0)ts=6b134845,30:(0)ld=6.25 3.10 1.34 7/1"
    "58 143,8:(0)ttl=3,18:(0)auth=1 90343c2a,%%%\n10:1 8d8a7065,";

static const char md5_status_after[] =
    "###\n11:(0)t=status,12:(0)st=active,9:(0)dt=fa0,13:(0)protocol=1,10:"
    "(0)src=ha2,27:(1)srcuuid=\037\310\243\337\030\005M\002\255\235\345\211"
    "<\014\210\313,9:(0)seq=5c,14:(0)hg=6b1347f2,14:(0)ts=6b13482f,31:(0)"
    "ld=3.83 2.42 1.08 11/175 939,8:(0)ttl=3,42:(0)auth=1 fa31263bc467a23"
    "6fa305b10b0d2f41b,%%%\n34:1 f41acae787e1ea2a1a758ce4539911db,";

#define LEN(v)	(sizeof(v) - 1)

static void
parse_ok(const char *pkt, size_t len, struct hbc_msg *m)
{
	const char	*why = NULL;
	int		 r = hbc_parse(pkt, len, m, &why);

	if (r != 0)
		fail_msg("parse failed: %s", why);
}

static void
test_parse_status(void **state)
{
	struct hbc_msg		 m;
	char			 s[64];
	uint64_t		 v;
	const struct hbc_field	*f;

	(void)state;
	parse_ok(sha1_status_init, LEN(sha1_status_init), &m);
	assert_int_equal(m.fmt, HBC_FMT_NETSTRING);
	assert_int_equal(m.nfields, 12);
	assert_int_equal(hbc_get_str(&m, "t", s, sizeof(s)), 0);
	assert_string_equal(s, "status");
	assert_int_equal(hbc_get_str(&m, "st", s, sizeof(s)), 0);
	assert_string_equal(s, "init");
	assert_int_equal(hbc_get_str(&m, "src", s, sizeof(s)), 0);
	assert_string_equal(s, "ha2");
	assert_int_equal(hbc_get_hex(&m, "hg", &v), 0);
	assert_int_equal(v, 0x6b134799);
	assert_int_equal(hbc_get_hex(&m, "seq", &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(hbc_get_hex(&m, "dt", &v), 0);
	assert_int_equal(v, 0x1770);		/* deadtime 6 s... in ms, hex */
	f = hbc_get(&m, "srcuuid");
	assert_non_null(f);
	assert_int_equal(f->type, HBC_FT_BINARY);
	assert_int_equal(f->valuelen, 16);
	/* a binary field is not a string, a missing one is missing */
	assert_int_equal(hbc_get_str(&m, "srcuuid", s, sizeof(s)), -1);
	assert_int_equal(hbc_get_str(&m, "nosuch", s, sizeof(s)), -1);
	/* too small a buffer */
	assert_int_equal(hbc_get_str(&m, "t", s, 6), -1);
	assert_int_equal(m.trailerlen, 42);
	assert_int_equal(m.bodylen, LEN(sha1_status_init) - 46);
}

static void
test_auth_vectors(void **state)
{
	struct hbc_msg	 m;
	const char	*why;

	(void)state;
	parse_ok(sha1_status_init, LEN(sha1_status_init), &m);
	assert_int_equal(hbc_verify(&m, HBC_AUTH_SHA1, SHA1_KEY,
	    strlen(SHA1_KEY), &why), 0);
	assert_int_equal(hbc_verify(&m, HBC_AUTH_SHA1, "wrong", 5, &why), -1);
	assert_string_equal(why, "bad digest");
	assert_int_equal(hbc_verify(&m, HBC_AUTH_MD5, SHA1_KEY,
	    strlen(SHA1_KEY), &why), -1);

	parse_ok(sha1_ip_request_resp, LEN(sha1_ip_request_resp), &m);
	assert_int_equal(hbc_verify(&m, HBC_AUTH_SHA1, SHA1_KEY,
	    strlen(SHA1_KEY), &why), 0);

	parse_ok(md5_rexmit, LEN(md5_rexmit), &m);
	assert_int_equal(hbc_verify(&m, HBC_AUTH_MD5, MD5_KEY,
	    strlen(MD5_KEY), &why), 0);
	parse_ok(md5_shutdone, LEN(md5_shutdone), &m);
	assert_int_equal(hbc_verify(&m, HBC_AUTH_MD5, MD5_KEY,
	    strlen(MD5_KEY), &why), 0);
	assert_int_equal(hbc_verify(&m, HBC_AUTH_MD5, SHA1_KEY,
	    strlen(SHA1_KEY), &why), -1);

	/* crc has no key: whatever key is given is ignored */
	parse_ok(crc_status_active, LEN(crc_status_active), &m);
	assert_int_equal(hbc_verify(&m, HBC_AUTH_CRC, "", 0, &why), 0);
	assert_int_equal(hbc_verify(&m, HBC_AUTH_SHA1, "", 0, &why), -1);
}

/* the classic auth field inside each captured packet: the digest of the
 * classic rendering (binary fields in base64), rebuilt by the builder */
static void
check_inner(const char *pkt, size_t len, enum hbc_method meth,
    const char *key)
{
	struct hbc_msg	 m;
	char		 buf[2048];
	struct hbc_builder b;
	size_t		 i;
	long		 n;
	int		 index;
	const char	*d;
	size_t		 dlen;

	parse_ok(pkt, len, &m);
	assert_int_equal(hbc_auth_of(&m, &index, &d, &dlen, NULL), 0);
	assert_int_equal(index, 1);
	/* every field but auth, in order, then finish: the same bytes */
	hbc_build_start(&b, buf, sizeof(buf));
	for (i = 0; i < m.nfields; i++) {
		char name[HBC_MAX_NAME + 1];

		if (m.f[i].namelen == 4 && memcmp(m.f[i].name, "auth", 4) == 0)
			continue;
		memcpy(name, m.f[i].name, m.f[i].namelen);
		name[m.f[i].namelen] = '\0';
		hbc_build_add(&b, m.f[i].type, name, m.f[i].value,
		    m.f[i].valuelen);
	}
	n = hbc_build_finish(&b, meth, 1, key, strlen(key));
	assert_int_equal(n, (long)len);
	assert_memory_equal(buf, pkt, len);
}

static void
test_rebuild_captured(void **state)
{
	(void)state;
	check_inner(sha1_status_init, LEN(sha1_status_init), HBC_AUTH_SHA1,
	    SHA1_KEY);
	check_inner(sha1_ip_request_resp, LEN(sha1_ip_request_resp),
	    HBC_AUTH_SHA1, SHA1_KEY);
	check_inner(md5_rexmit, LEN(md5_rexmit), HBC_AUTH_MD5, MD5_KEY);
	check_inner(md5_shutdone, LEN(md5_shutdone), HBC_AUTH_MD5, MD5_KEY);
	check_inner(crc_status_active, LEN(crc_status_active), HBC_AUTH_CRC,
	    "");
}

static void
test_crc_and_base64(void **state)
{
	char	 out[64];

	(void)state;
	/* CRC-32/POSIX's check value (cksum without the length) */
	assert_int_equal(hbc_crc("123456789", 9), 0x765e7680u);
	assert_int_equal(hbc_crc("", 0), 0xffffffffu);
	assert_int_equal(hbc_digest(HBC_AUTH_CRC, NULL, 0, "", 0, out,
	    sizeof(out)), 8);
	assert_string_equal(out, "ffffffff");
	/* RFC 2202 test case 2, as heartbeat prints it */
	assert_int_equal(hbc_digest(HBC_AUTH_MD5, "Jefe", 4,
	    "what do ya want for nothing?", 28, out, sizeof(out)), 32);
	assert_string_equal(out, "750c783e6ab0b503eaa86e310a5db738");
	assert_int_equal(hbc_digest(HBC_AUTH_SHA1, "Jefe", 4,
	    "what do ya want for nothing?", 28, out, sizeof(out)), 40);
	assert_string_equal(out, "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
	/* the key ends at its first NUL, as heartbeat's C string does */
	assert_int_equal(hbc_digest(HBC_AUTH_SHA1, "Jefe\0junk", 9,
	    "what do ya want for nothing?", 28, out, sizeof(out)), 40);
	assert_string_equal(out, "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
	assert_int_equal(hbc_digest(HBC_AUTH_SHA1, "k", 1, "", 0, out, 40),
	    -1);
	assert_int_equal(hbc_base64("f", 1, out, sizeof(out)), 4);
	assert_string_equal(out, "Zg==");
	assert_int_equal(hbc_base64("fo", 2, out, sizeof(out)), 4);
	assert_string_equal(out, "Zm8=");
	assert_int_equal(hbc_base64("foobar", 6, out, sizeof(out)), 8);
	assert_string_equal(out, "Zm9vYmFy");
	assert_int_equal(hbc_base64("foobar", 6, out, 8), -1);
}

static void
test_classic_framing(void **state)
{
	/* msgfmt classic: the auth field signs the other lines */
	static const char body[] = "t=status\nst=active\nsrc=ha1\nseq=2a\n"
	    "hg=6b134799\n";
	char		 hex[HBC_MAX_DIGEST_HEX + 1], pkt[512];
	struct hbc_msg	 m;
	const char	*why;
	int		 n;

	(void)state;
	assert_true(hbc_digest(HBC_AUTH_SHA1, SHA1_KEY, strlen(SHA1_KEY),
	    body, strlen(body), hex, sizeof(hex)) > 0);
	n = snprintf(pkt, sizeof(pkt), ">>>\n%sauth=1 %s\n<<<\n", body, hex);
	parse_ok(pkt, (size_t)n + 1, &m);	/* with its NUL */
	assert_int_equal(m.fmt, HBC_FMT_CLASSIC);
	assert_int_equal(m.nfields, 6);
	assert_int_equal(hbc_verify(&m, HBC_AUTH_SHA1, SHA1_KEY,
	    strlen(SHA1_KEY), &why), 0);
	/* one byte changed in a signed line */
	pkt[10] = 'X';
	parse_ok(pkt, (size_t)n, &m);
	assert_int_equal(hbc_verify(&m, HBC_AUTH_SHA1, SHA1_KEY,
	    strlen(SHA1_KEY), &why), -1);
	/* no auth field at all */
	n = snprintf(pkt, sizeof(pkt), ">>>\n%s<<<\n", body);
	parse_ok(pkt, (size_t)n, &m);
	assert_int_equal(hbc_verify(&m, HBC_AUTH_SHA1, SHA1_KEY,
	    strlen(SHA1_KEY), &why), -1);
	assert_string_equal(why, "no auth field");
}

static void
bad(const char *pkt, size_t len, const char *reason)
{
	struct hbc_msg	 m;
	const char	*why = NULL;

	assert_int_equal(hbc_parse(pkt, len, &m, &why), -1);
	assert_non_null(why);
	if (reason != NULL && strcmp(why, reason) != 0)
		fail_msg("expected \"%s\", got \"%s\"", reason, why);
}

static void
test_malformed(void **state)
{
	char	 buf[1024];
	size_t	 n = LEN(sha1_status_init), i;

	(void)state;
	bad(NULL, 0, "too short");
	bad("###\n%%%", 7, "too short");
	bad("hb\001\001xxxxxxxxxx", 14, "not a heartbeat message");
	bad("###\n40:(0)t=status,%%%\n", 23, "a field runs past the end");
	bad("###\n9:(0)t=statusX,%%%\n", 23, "a field without its ','");
	bad("###\nx:(0)t=status,%%%\n", 22, "a field without a length");
	bad("###\n01:(0)t=status,%%%\n", 23, "a field without a length");
	bad("###\n9:(0)tstatu,%%%\n", 20, "a field without '='");
	bad("###\n10:[0]t=statu,%%%\n", 22, "a field without its (type)");
	bad("###\n10:(0)=status,%%%\n", 22, "a bad field name");
	bad("###\n10:(0)t=statu,", 18, "no end of message");
	bad("###\n10:(0)t=statu,%%%\n4:1 x,", 28, "a bad auth trailer");
	bad("###\n10:(0)t=statu,%%%\n3:1 a,junk", 32, "a bad auth trailer");
	bad(">>>\nt=status\n", 13, "no end of message");
	bad(">>>\nt=status", 12, "a line without its newline");
	bad(">>>\n(2)t=x\n<<<\n", 15, "a nested field in a classic message");
	bad(">>>\nt=a\n<<<\nmore", 16, "bytes after the end of message");
	/* every truncation of a real packet is refused, never read past */
	for (i = 0; i < n; i++) {
		char *p = malloc(i ? i : 1);

		memcpy(p, sha1_status_init, i);
		{
			struct hbc_msg	 m;
			const char	*why = NULL;
			int r = hbc_parse(p, i, &m, &why);

			/* cut inside the trailer's digest: still parses
			 * (unsigned or a short trailer), never verifies */
			if (r == 0)
				assert_int_not_equal(hbc_verify(&m,
				    HBC_AUTH_SHA1, SHA1_KEY, strlen(SHA1_KEY),
				    &why), 0);
		}
		free(p);
	}
	/* too many fields */
	memcpy(buf, "###\n", 4);
	n = 4;
	for (i = 0; i < HBC_MAX_FIELDS + 1; i++) {
		memcpy(buf + n, "6:(0)a=b,", 9);
		n += 9;
	}
	memcpy(buf + n, "%%%\n", 4);
	bad(buf, n + 4, "too many fields");
}

static void
set_key(struct conf *c, int index, enum auth_method meth, const char *k)
{
	struct conf_key	*key = &c->keys[c->nkeys++];

	memset(key, 0, sizeof(*key));
	key->index = index;
	key->method = meth;
	memcpy(key->secret, k, strlen(k));
	key->secretlen = strlen(k);
}

static void
test_peer_heard(void **state)
{
	static struct conf	 c;
	char			 node[32];
	struct hb_msg		 hm;
	struct hbv1_msg		 hv;

	(void)state;
	memset(&c, 0, sizeof(c));
	strcpy(c.nodes[0], "ha1");
	strcpy(c.nodes[1], "ha2");
	c.nnodes = 2;
	c.local_index = 0;			/* we are ha1 */
	strcpy(c.local, "ha1");
	set_key(&c, 1, AUTH_SHA1, SHA1_KEY);
	c.auth_use = 1;
	assert_int_equal(hb_classic_peer_heard(&c,
	    (const uint8_t *)sha1_status_init, LEN(sha1_status_init), node,
	    sizeof(node)), 1);
	assert_string_equal(node, "ha2");
	assert_int_equal(hb_compat_rx(&c, (const uint8_t *)sha1_status_init,
	    LEN(sha1_status_init), &hm, &hv), 1);
	assert_string_equal(hm.node, "ha2");
	assert_int_equal(hm.generation, 0x6b134799);
	assert_int_equal(hm.seq, 1);
	assert_int_equal(hm.status, HB_ST_INIT);
	assert_int_equal(hm.ngroups, 0);
	/* from ha1 itself (we are ha1): not a peer */
	assert_int_equal(hb_classic_peer_heard(&c,
	    (const uint8_t *)sha1_ip_request_resp, LEN(sha1_ip_request_resp),
	    node, sizeof(node)), 0);
	assert_int_equal(hb_compat_rx(&c,
	    (const uint8_t *)sha1_ip_request_resp, LEN(sha1_ip_request_resp),
	    &hm, &hv), 0);			/* our own (looped back): not malformed */
	/* authentic, but not a status: heard, yet no membership packet */
	c.local_index = 1;
	strcpy(c.local, "ha2");
	assert_int_equal(hb_classic_peer_heard(&c,
	    (const uint8_t *)sha1_ip_request_resp, LEN(sha1_ip_request_resp),
	    node, sizeof(node)), 1);
	assert_string_equal(node, "ha1");
	assert_int_equal(hb_compat_rx(&c,
	    (const uint8_t *)sha1_ip_request_resp, LEN(sha1_ip_request_resp),
	    &hm, &hv), 0);
	c.local_index = 0;
	/* a wrong key: refused, and an auth failure for the shell (-2),
	 * not "not heartbeat's" (-1, which the core counts as malformed) */
	c.keys[0].secret[0] ^= 1;
	assert_int_equal(hb_classic_peer_heard(&c,
	    (const uint8_t *)sha1_status_init, LEN(sha1_status_init), node,
	    sizeof(node)), 0);
	assert_int_equal(hb_compat_rx(&c, (const uint8_t *)sha1_status_init,
	    LEN(sha1_status_init), &hm, &hv), -2);
	c.keys[0].secret[0] ^= 1;
	/* the key's index differs from the packet's: refused, auth failure */
	c.keys[0].index = 2;
	assert_int_equal(hb_classic_peer_heard(&c,
	    (const uint8_t *)sha1_status_init, LEN(sha1_status_init), node,
	    sizeof(node)), 0);
	assert_int_equal(hb_compat_rx(&c, (const uint8_t *)sha1_status_init,
	    LEN(sha1_status_init), &hm, &hv), -2);
	c.keys[0].index = 1;
	/* one flipped byte in the signed part: an auth failure */
	{
		uint8_t	bad[sizeof(sha1_status_init)];

		memcpy(bad, sha1_status_init, sizeof(bad));
		bad[29] ^= 0x01;	/* "st=init" -> "st=ioit" */
		assert_int_equal(hb_compat_rx(&c, bad, LEN(sha1_status_init),
		    &hm, &hv), -2);
	}
	/* a node not in the cluster: not ours at all */
	strcpy(c.nodes[1], "ha3");
	assert_int_equal(hb_classic_peer_heard(&c,
	    (const uint8_t *)sha1_status_init, LEN(sha1_status_init), node,
	    sizeof(node)), 0);
	assert_int_equal(hb_compat_rx(&c, (const uint8_t *)sha1_status_init,
	    LEN(sha1_status_init), &hm, &hv), -1);
	strcpy(c.nodes[1], "ha2");
	/* md5 shutdone: the goodbye, as "left" */
	c.nkeys = 0;
	set_key(&c, 1, AUTH_MD5, MD5_KEY);
	assert_int_equal(hb_compat_rx(&c, (const uint8_t *)md5_shutdone,
	    LEN(md5_shutdone), &hm, &hv), 1);
	assert_int_equal(hm.status, HB_ST_LEFT);
	/* a status of that generation after its goodbye: not news */
	assert_int_equal(hb_compat_rx(&c, (const uint8_t *)md5_status_after,
	    LEN(md5_status_after), &hm, &hv), 0);
	/* sha256 is hbd's, not heartbeat's: the key cannot verify it */
	c.keys[0].method = AUTH_SHA256;
	assert_int_equal(hb_compat_rx(&c, (const uint8_t *)md5_shutdone,
	    LEN(md5_shutdone), &hm, &hv), -2);
	/* crc as the signing key: heartbeat's crc statuses are the peer's
	 * (this capture is ha1's: we are ha2 here) */
	c.local_index = 1;
	strcpy(c.local, "ha2");
	c.nkeys = 0;
	set_key(&c, 1, AUTH_CRC, "");
	c.auth_use = 1;
	assert_int_equal(hb_compat_rx(&c, (const uint8_t *)crc_status_active,
	    LEN(crc_status_active), &hm, &hv), 1);
	/* a leftover "1 crc" beside "auth 2": anyone can compute a crc, so
	 * a packet under index 1 proves nothing (as hbd's own packets,
	 * tests/unit/test_auth.c's test_leftover_crc): an auth failure */
	set_key(&c, 2, AUTH_SHA1, SHA1_KEY);
	c.auth_use = 2;
	assert_int_equal(hb_compat_rx(&c, (const uint8_t *)crc_status_active,
	    LEN(crc_status_active), &hm, &hv), -2);
	/* hbd's own packets and garbage are not heartbeat's */
	assert_int_equal(hb_compat_rx(&c, (const uint8_t *)"hb\001\001",
	    4, &hm, &hv), -1);
}

/*
 * Serial lines: a captured netstring status as heartbeat writes it on a
 * tty (classic text, its own auth field), and read back byte by byte
 * between noise, SLIP-framed binary, CRs and set 8th bits, as heartbeat's
 * tty settings deliver them.
 */
static void
test_serial_text(void **state)
{
	static struct hbc_serial_dec	 d;
	static char			 cl[4096], line[16384];
	struct hbc_msg			 m;
	const char			*why = NULL;
	long				 n;
	size_t				 i, o = 0;
	int				 got = 0, r;
	static const uint8_t		 slip[] = { 0xc0, 'h', 'b', 0x01,
	    0x0a, '>', '>', 0xdb, 0xdc, 0xc0 };

	(void)state;
	n = hbc_to_classic(sha1_status_init, LEN(sha1_status_init), cl,
	    sizeof(cl));
	assert_true(n > 0);
	assert_memory_equal(cl, "\n>>>\nt=status\nst=init\n", 22);
	assert_memory_equal(cl + n - 4, "<<<\n", 4);
	assert_non_null(strstr(cl, "\n(1)srcuuid="));
	assert_int_equal(hbc_parse(cl + 1, (size_t)n - 1, &m, &why), 0);
	assert_int_equal(m.fmt, HBC_FMT_CLASSIC);
	assert_int_equal(hbc_verify(&m, HBC_AUTH_SHA1, SHA1_KEY,
	    strlen(SHA1_KEY), &why), 0);
	/* not heartbeat's: nothing to render */
	assert_int_equal(hbc_to_classic("hb\001\001xxxxxxxx", 12, cl,
	    sizeof(cl)), -1);
	/* too small a buffer */
	assert_int_equal(hbc_to_classic(sha1_status_init,
	    LEN(sha1_status_init), cl, 100), -1);

	/* the line: noise, a SLIP frame, the message with CRLF and bit 7 */
	n = hbc_to_classic(sha1_status_init, LEN(sha1_status_init), cl,
	    sizeof(cl));
	memcpy(line, "garbage >>> not at the start\n", 29);
	o = 29;
	memcpy(line + o, slip, sizeof(slip));
	o += sizeof(slip);
	for (i = 0; i < (size_t)n; i++) {
		if (cl[i] == '\n')
			line[o++] = '\r';
		line[o++] = cl[i] == 't' ? (char)('t' | 0x80) : cl[i];
	}
	memset(&d, 0, sizeof(d));
	for (i = 0; i < o; i++) {
		r = hbc_serial_feed(&d, (uint8_t)line[i]);
		assert_int_not_equal(r, -1);
		if (r == 1) {
			got++;
			assert_int_equal(i, o - 1);
			assert_int_equal(hbc_parse(d.buf, d.len, &m, &why), 0);
			assert_int_equal(hbc_verify(&m, HBC_AUTH_SHA1,
			    SHA1_KEY, strlen(SHA1_KEY), &why), 0);
		}
	}
	assert_int_equal(got, 1);
	/* a message too long for the buffer is dropped, the next one read */
	got = 0;
	r = 0;
	for (i = 0; i < 4; i++)
		r |= hbc_serial_feed(&d, (uint8_t)">>>\n"[i]);
	assert_int_equal(r, 0);
	for (i = 0; i < HBC_SERIAL_MAX && r != -1; i++)
		r = hbc_serial_feed(&d, 'a');
	assert_int_equal(r, -1);
	for (i = 0; i < 6; i++)
		assert_int_equal(hbc_serial_feed(&d, (uint8_t)"a\n<<<\n"[i]),
		    0);
	for (i = 1; i < (size_t)n; i++)
		got += hbc_serial_feed(&d, (uint8_t)cl[i]) == 1;
	assert_int_equal(got, 1);
	assert_int_equal(hbc_parse(d.buf, d.len, &m, &why), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_status),
		cmocka_unit_test(test_auth_vectors),
		cmocka_unit_test(test_rebuild_captured),
		cmocka_unit_test(test_crc_and_base64),
		cmocka_unit_test(test_classic_framing),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_peer_heard),
		cmocka_unit_test(test_serial_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
