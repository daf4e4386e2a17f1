/*
 * hb_msg: codec round trips, every truncation rejected, field checks, and
 * SLIP framing with the bytes that need escaping.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "hb_msg.h"
#include "util.h"

static void
sample(struct hb_msg *m, int ngroups)
{
	int	 i;

	memset(m, 0, sizeof(*m));
	m->type = HB_HEARTBEAT;
	m->cluster_id = 0xdeadbeef;
	m->generation = 1764380000;
	m->seq = 0x0102030405060708ULL;
	strcpy(m->node, "ha2.example.com");
	m->status = HB_ST_ACTIVE;
	m->flags = HBF_STANDBY;
	m->keepalive_ms = 200;
	m->deadtime_ms = 1000;
	m->config_hash = 0x12345678;
	m->ping_up = 1;
	m->ping_total = 2;
	m->ngroups = (uint8_t)ngroups;
	for (i = 0; i < ngroups; i++) {
		m->groups[i].id = 0x1000u + (uint32_t)i;
		m->groups[i].epoch = 7 + (uint32_t)i;
		m->groups[i].proposer = 1;
		m->groups[i].target = 0;
		m->groups[i].reason = MR_ADMIN;
		m->groups[i].state = GS_STARTED;
		m->groups[i].flags = GF_DIRTY;
		m->groups[i].held_epoch = 3;
		m->groups[i].held_proposer = HB_NO_NODE;
	}
}

static int
encode(const struct hb_msg *m, uint8_t *buf, size_t cap)
{
	uint8_t	 digest[32];
	size_t	 slen;

	memset(digest, 0xab, sizeof(digest));
	if (hb_msg_encode(m, 3, buf, cap, &slen) == -1)
		return -1;
	return hb_msg_finish(buf, cap, slen, digest, sizeof(digest));
}

static void
test_roundtrip(void **state)
{
	struct hb_msg	 a, b;
	uint8_t		 buf[HB_MAX_PACKET];
	const char	*why;
	int		 n, g;

	for (g = 0; g <= HBD_MAX_GROUPS; g += 8) {
		sample(&a, g);
		n = encode(&a, buf, sizeof(buf));
		assert_true(n > 0);
		assert_int_equal(hb_msg_decode(buf, (size_t)n, &b, &why), 0);
		assert_int_equal(b.cluster_id, a.cluster_id);
		assert_int_equal(b.generation, a.generation);
		assert_true(b.seq == a.seq);
		assert_string_equal(b.node, a.node);
		assert_int_equal(b.status, a.status);
		assert_int_equal(b.flags, a.flags);
		assert_int_equal(b.keepalive_ms, 200);
		assert_int_equal(b.deadtime_ms, 1000);
		assert_int_equal(b.ping_up, 1);
		assert_int_equal(b.ngroups, g);
		assert_memory_equal(b.groups, a.groups,
		    sizeof(a.groups[0]) * (size_t)g);
		assert_int_equal(b.key_index, 3);
		assert_int_equal(b.digest_len, 32);
		assert_int_equal(b.digest[0], 0xab);
		assert_int_equal(b.signed_len, (size_t)n - 33);
	}
}

static void
test_truncations(void **state)
{
	struct hb_msg	 a, b;
	uint8_t		 buf[HB_MAX_PACKET];
	const char	*why;
	int		 n, i;

	sample(&a, 4);
	n = encode(&a, buf, sizeof(buf));
	for (i = 0; i < n; i++) {
		assert_int_equal(hb_msg_decode(buf, (size_t)i, &b, &why), -1);
		assert_string_equal(why, "truncated");
	}
	/* one byte too many */
	buf[n] = 0;
	assert_int_equal(hb_msg_decode(buf, (size_t)n + 1, &b, &why), -1);
	assert_string_equal(why, "trailing bytes");
}

/* decode must fail, and say why: a reject for another reason is a bug */
#define REJECT(pkt, len, reason) do {					\
	assert_int_equal(hb_msg_decode((pkt), (len), &b, &why), -1);	\
	assert_non_null(why);						\
	assert_string_equal(why, (reason));				\
} while (0)

static void
test_bad_fields(void **state)
{
	struct hb_msg	 a, b;
	uint8_t		 buf[HB_MAX_PACKET], copy[HB_MAX_PACKET];
	const char	*why;
	size_t		 nl;
	int		 n, grp;

	sample(&a, 1);
	n = encode(&a, buf, sizeof(buf));
	nl = strlen(a.node);
	grp = 21 + (int)nl + 29;		/* the first group */

	memcpy(copy, buf, (size_t)n);
	copy[0] = 'X';
	REJECT(copy, (size_t)n, "bad magic");

	memcpy(copy, buf, (size_t)n);
	copy[2] = 99;
	REJECT(copy, (size_t)n, "unsupported version");

	memcpy(copy, buf, (size_t)n);
	copy[3] = 7;
	REJECT(copy, (size_t)n, "unknown type");

	memcpy(copy, buf, (size_t)n);
	copy[20] = 0;				/* name length */
	REJECT(copy, (size_t)n, "bad node name length");

	memcpy(copy, buf, (size_t)n);
	copy[20] = 200;
	REJECT(copy, (size_t)n, "bad node name length");

	memcpy(copy, buf, (size_t)n);
	copy[21 + nl] = 9;			/* status */
	REJECT(copy, (size_t)n, "bad node status");

	memcpy(copy, buf, (size_t)n);
	copy[22] = '\0';			/* NUL inside the name */
	REJECT(copy, (size_t)n, "NUL in node name");

	memcpy(copy, buf, (size_t)n);
	copy[grp - 1] = HBD_MAX_GROUPS + 1;	/* ngroups */
	REJECT(copy, (size_t)n, "too many groups");

	memcpy(copy, buf, (size_t)n);
	copy[grp + 11] = GS_FAILED + 1;		/* the group's state */
	REJECT(copy, (size_t)n, "bad group state");

	memcpy(copy, buf, (size_t)n);
	copy[n - 33] = 0;			/* digest length */
	REJECT(copy, (size_t)n, "bad digest length");

	memcpy(copy, buf, (size_t)n);
	copy[n - 33] = AUTH_MAX_DIGEST + 1;
	REJECT(copy, (size_t)n, "bad digest length");

	/* an oversize packet is refused before anything is read */
	REJECT(buf, HB_MAX_PACKET + 1, "oversize");
	REJECT(buf, 3, "truncated");
	/* a name that does not fit cannot be encoded */
	memset(a.node, 'x', sizeof(a.node));
	assert_int_equal(encode(&a, buf, sizeof(buf)), -1);
}

/*
 * A node name is what hostnames are made of: anything else from the wire
 * would reach logs, hbctl events, SNMP traps and trap handlers' shells.
 */
static void
test_hostile_names(void **state)
{
	static const char *const bad[] = {
		"$(touch /tmp/pwned)", "`id`", "ha1;reboot", "a\"b", "a'b",
		"two\nlines", "cr\r", "\033[2J\033]0;owned\007", "tab\there",
		"space here", "a/b", "a\\b", "\x7f", "\xc3\xa9t\xc3\xa9",
		"ha1|x", "ha1>x", "*", "?", "a=b", "%s%n",
	};
	static const char *const good[] = {
		"ha1", "HA-2", "node_3.example.com", "-", "0",
	};
	struct hb_msg	 a, b;
	uint8_t		 buf[HB_MAX_PACKET];
	const char	*why;
	size_t		 i;
	int		 n;

	for (i = 0; i < nitems(bad); i++) {
		sample(&a, 0);
		strcpy(a.node, bad[i]);
		n = encode(&a, buf, sizeof(buf));
		assert_true(n > 0);
		REJECT(buf, (size_t)n, "bad character in node name");
	}
	for (i = 0; i < nitems(good); i++) {
		sample(&a, 0);
		strcpy(a.node, good[i]);
		n = encode(&a, buf, sizeof(buf));
		assert_int_equal(hb_msg_decode(buf, (size_t)n, &b, &why), 0);
		assert_string_equal(b.node, good[i]);
	}
}

/* what logs, hbctl and the subagent use to print such names */
static void
test_name_helpers(void **state)
{
	char	 out[64];

	char	 one[2] = { 0, 0 };
	int	 ch;

	/* the codec's rule and ha.cf's are one rule */
	for (ch = 1; ch < 256; ch++) {
		one[0] = (char)ch;
		assert_int_equal(hb_name_ok(one), node_name_ok(one));
	}
	assert_false(hb_name_ok(""));
	assert_true(node_name_ok("ha1.example-2_b"));
	assert_false(node_name_ok(""));
	assert_false(node_name_ok("a b"));
	name_clean(out, sizeof(out), "ha1$(id)\n\033[2J");
	assert_string_equal(out, "ha1__id____2J");
	str_vis(out, sizeof(out), "a\nb\033[2J\x7f\xc3\xa9\tc\r");
	assert_string_equal(out, "a\\x0ab\\x1b[2J\\x7f\xc3\xa9\tc\\x0d");
	/* truncation never splits an escape */
	str_vis(out, 6, "ab\033cd");
	assert_string_equal(out, "ab");
	name_clean(out, 4, "abcdef");
	assert_string_equal(out, "abc");
}

static void
test_slip(void **state)
{
	uint8_t		 in[300], out[700];
	struct slip_dec	 d;
	size_t		 n, i;
	int		 r, frames = 0;

	for (i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)(i * 7);
	in[0] = SLIP_END;
	in[1] = SLIP_ESC;
	in[299] = SLIP_END;
	n = slip_encode(in, sizeof(in), out, sizeof(out));
	assert_true(n > sizeof(in) + 2);
	memset(&d, 0, sizeof(d));
	/* line noise before the frame comes out as its own (bad) frame */
	assert_int_equal(slip_feed(&d, 'g'), 0);
	for (i = 0; i < n; i++) {
		r = slip_feed(&d, out[i]);
		if (r == 1) {
			if (frames++ == 0) {
				assert_int_equal(d.len, 1);
				assert_int_equal(d.buf[0], 'g');
			} else {
				assert_int_equal(d.len, sizeof(in));
				assert_memory_equal(d.buf, in, sizeof(in));
			}
			d.len = 0;
		}
	}
	assert_int_equal(frames, 2);
	/* a bad escape drops the frame */
	memset(&d, 0, sizeof(d));
	slip_feed(&d, SLIP_END);
	slip_feed(&d, 'a');
	slip_feed(&d, SLIP_ESC);
	slip_feed(&d, 'z');
	assert_int_equal(slip_feed(&d, SLIP_END), -1);
	/* an endless frame is dropped, not overflowed */
	memset(&d, 0, sizeof(d));
	for (i = 0; i < 3 * HB_MAX_PACKET; i++)
		assert_int_equal(slip_feed(&d, 'a'), 0);
	assert_int_equal(slip_feed(&d, SLIP_END), -1);
	assert_int_equal(slip_feed(&d, 'b'), 0);
	assert_int_equal(slip_feed(&d, SLIP_END), 1);
	assert_int_equal(d.len, 1);
	/* an encoder without room says so */
	assert_int_equal(slip_encode(in, sizeof(in), out, 10), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_truncations),
		cmocka_unit_test(test_bad_fields),
		cmocka_unit_test(test_hostile_names),
		cmocka_unit_test(test_name_helpers),
		cmocka_unit_test(test_slip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
