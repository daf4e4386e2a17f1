/*
 * hb_compat's answers to heartbeat's retransmission requests (issue 20):
 * compat heartbeat is armed by a status from the heartbeat peer, its
 * statuses go out through the event loop, and media_send_all is wrapped
 * (-Wl,--wrap=media_send_all) to keep every datagram sent. An NS_rexmit
 * (decimal firstseq/lastseq) is then answered with the very bytes sent
 * under those seqs, or with NS_nak_rexmit (firstseq in hex) when they
 * left the history; requests for another node, above what was sent,
 * malformed or forged get nothing, and one request gets 50 answers at
 * most.
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
#include "event.h"
#include "hb_classic.h"
#include "hb_compat.h"

#define KEY	"hbd-unit-key-sha1"
#define MAXPKT	1024

int	__wrap_media_send_all(const uint8_t *, size_t);

static struct sent {
	uint8_t	 b[MAXPKT];
	size_t	 len;
} sent[1024];
static int	nsent;
static int	stop_at;		/* ev_break when nsent reaches it */

int
__wrap_media_send_all(const uint8_t *p, size_t len)
{
	assert_true(nsent < (int)(sizeof(sent) / sizeof(sent[0])));
	assert_true(len <= MAXPKT);
	memcpy(sent[nsent].b, p, len);
	sent[nsent].len = len;
	nsent++;
	if (stop_at && nsent >= stop_at)
		ev_break();
	return 0;
}

static struct conf	c;
static const uint8_t	peer_uuid[16] = "0123456789abcdef";

static void
setup_conf(void)
{
	struct conf_key	*k = &c.keys[0];

	memset(&c, 0, sizeof(c));
	strcpy(c.cluster, "unit");
	strcpy(c.nodes[0], "ha1");
	strcpy(c.nodes[1], "ha2");
	c.nnodes = 2;
	c.local_index = 0;			/* we are ha1 */
	strcpy(c.local, "ha1");
	k->index = 1;
	k->method = AUTH_SHA1;
	memcpy(k->secret, KEY, strlen(KEY));
	k->secretlen = strlen(KEY);
	c.nkeys = 1;
	c.auth_use = 1;
	c.compat_heartbeat = 1;
	c.keepalive_ms = 1;
	c.deadtime_ms = 3000;
}

/* a message from ha2, as heartbeat 3.0.6 would sign it */
static long
from_ha2(char *buf, size_t cap, const char *key, const char *const *kv)
{
	struct hbc_builder	b;

	hbc_build_start(&b, buf, cap);
	for (; kv[0] != NULL; kv += 2)
		hbc_build_str(&b, kv[0], kv[1]);
	hbc_build_str(&b, "src", "ha2");
	hbc_build_add(&b, HBC_FT_BINARY, "srcuuid", peer_uuid, 16);
	hbc_build_str(&b, "hg", "64");
	hbc_build_str(&b, "ts", "6b134798");
	hbc_build_str(&b, "ttl", "3");
	return hbc_build_finish(&b, HBC_AUTH_SHA1, 1, key, strlen(key));
}

/* ha2 asks: NS_rexmit dest first last; what hb_compat_rx returns */
static int
ask(const char *dest, const char *first, const char *last, const char *key)
{
	const char *const	 kv[] = { "t", "NS_rexmit", "dest", dest,
	    "firstseq", first, "lastseq", last, NULL };
	char			 buf[MAXPKT];
	struct hb_msg		 m;
	struct hbv1_msg		 v;
	long			 n;

	n = from_ha2(buf, sizeof(buf), key, kv);
	assert_true(n > 0);
	return hb_compat_rx(&c, (const uint8_t *)buf, (size_t)n, &m, &v);
}

/* send statuses until the one with seq upto has gone out */
static void
run_until(uint64_t upto)
{
	uint64_t	seq = 0;

	while (seq < upto) {
		struct hbc_msg	m;

		stop_at = nsent + 1;
		ev_run();
		assert_int_equal(hbc_parse(sent[nsent - 1].b,
		    sent[nsent - 1].len, &m, NULL), 0);
		assert_int_equal(hbc_get_hex(&m, "seq", &seq), 0);
	}
	stop_at = 0;
}

/* the sent status with this seq (the copy kept by the wrapper) */
static const struct sent *
status_with(uint64_t seq)
{
	int	i;

	for (i = 0; i < nsent; i++) {
		struct hbc_msg	m;
		char		t[16];
		uint64_t	s;

		if (hbc_parse(sent[i].b, sent[i].len, &m, NULL) == 0 &&
		    hbc_get_str(&m, "t", t, sizeof(t)) == 0 &&
		    strcmp(t, "status") == 0 &&
		    hbc_get_hex(&m, "seq", &s) == 0 && s == seq)
			return &sent[i];
	}
	return NULL;
}

static void
check_nak(const struct sent *p, const char *hexseq, const char *info)
{
	struct hbc_msg			 m;
	const struct hbc_field		*f;
	char				 v[64];

	assert_int_equal(hbc_parse(p->b, p->len, &m, NULL), 0);
	assert_int_equal(hbc_verify(&m, HBC_AUTH_SHA1, KEY, strlen(KEY),
	    NULL), 0);
	assert_int_equal(hbc_get_str(&m, "t", v, sizeof(v)), 0);
	assert_string_equal(v, "NS_nak_rexmit");
	assert_int_equal(hbc_get_str(&m, "firstseq", v, sizeof(v)), 0);
	assert_string_equal(v, hexseq);
	assert_int_equal(hbc_get_str(&m, "dest", v, sizeof(v)), 0);
	assert_string_equal(v, "ha2");
	assert_int_equal(hbc_get_str(&m, "info", v, sizeof(v)), 0);
	assert_string_equal(v, info);
	assert_int_equal(hbc_get_str(&m, "src", v, sizeof(v)), 0);
	assert_string_equal(v, "ha1");
	f = hbc_get(&m, "srcuuid");
	assert_non_null(f);
	assert_int_equal(f->valuelen, 16);
	assert_null(hbc_get(&m, "seq"));	/* an NS_ message */
}

static void
test_rexmit(void **state)
{
	const char *const	 st[] = { "t", "status", "st", "active",
	    "dt", "bb8", "seq", "1", NULL };
	char			 buf[MAXPKT];
	struct hb_msg		 m;
	struct hbv1_msg		 v;
	const struct sent	*p;
	long			 n;
	int			 before, i;

	(void)state;
	setup_conf();
	assert_int_equal(ev_init(), 0);
	/* nothing is armed yet: a request is not answered */
	assert_int_equal(ask("ha1", "1", "1", KEY), 0);
	assert_int_equal(nsent, 0);
	/* ha2's status arms compat heartbeat; three statuses go out */
	n = from_ha2(buf, sizeof(buf), KEY, st);
	assert_int_equal(hb_compat_rx(&c, (const uint8_t *)buf, (size_t)n,
	    &m, &v), 1);
	run_until(3);
	assert_non_null(status_with(1));
	assert_non_null(status_with(3));

	/* seq 2 again: the same bytes, once */
	before = nsent;
	assert_int_equal(ask("ha1", "2", "2", KEY), 0);
	assert_int_equal(nsent, before + 1);
	p = status_with(2);
	assert_non_null(p);
	assert_int_equal(sent[before].len, p->len);
	assert_memory_equal(sent[before].b, p->b, p->len);
	/* the same request on the second medium: not resent again */
	assert_int_equal(ask("ha1", "2", "2", KEY), 0);
	assert_int_equal(nsent, before + 1);

	/* asked of another node, above what was sent, malformed, forged */
	before = nsent;
	assert_int_equal(ask("ha2", "1", "1", KEY), 0);
	assert_int_equal(ask("ha1", "4", "9", KEY), 0);
	assert_int_equal(ask("ha1", "0x1", "1", KEY), 0);
	assert_int_equal(ask("ha1", "0", "1", KEY), 0);
	assert_int_equal(ask("ha1", "3", "1", KEY), 0);
	assert_int_equal(ask("ha1", "1", "", KEY), 0);
	assert_int_equal(ask("ha1", "1", "3", "another-key"), -2);
	assert_int_equal(nsent, before);

	/* decimal, not hex: "10" is seq 0x0a; 1..3 and 10 in one request */
	run_until(12);
	before = nsent;
	assert_int_equal(ask("ha1", "10", "10", KEY), 0);
	assert_int_equal(nsent, before + 1);
	p = status_with(10);
	assert_memory_equal(sent[before].b, p->b, p->len);

	/* far more than the history holds: the oldest are refused */
	run_until(300);
	before = nsent;
	assert_int_equal(ask("ha1", "26", "26", KEY), 0);
	assert_int_equal(nsent, before + 1);
	check_nak(&sent[before], "1a", "seqno too low");
	/* the newest are still there, byte for byte */
	before = nsent;
	assert_int_equal(ask("ha1", "298", "299", KEY), 0);
	assert_int_equal(nsent, before + 2);
	assert_memory_equal(sent[before].b, status_with(298)->b,
	    status_with(298)->len);
	assert_memory_equal(sent[before + 1].b, status_with(299)->b,
	    status_with(299)->len);
	/* at most 50 answers to one request, even for a huge range: the
	 * history holds 300-255..300, so 1..44 are refused, 45..50 resent */
	before = nsent;
	assert_int_equal(ask("ha1", "1", "18446744073709551615", KEY), 0);
	assert_int_equal(nsent, before + 50);
	for (i = 0; i < 44; i++) {
		char	hex[24];

		snprintf(hex, sizeof(hex), "%x", i + 1);
		check_nak(&sent[before + i], hex, "seqno too low");
	}
	for (i = 44; i < 50; i++) {
		p = status_with((uint64_t)i + 1);
		assert_int_equal(sent[before + i].len, p->len);
		assert_memory_equal(sent[before + i].b, p->b, p->len);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rexmit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
