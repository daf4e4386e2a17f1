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
	for (i = 0; i < n; i++)
		assert_int_equal(hb_msg_decode(buf, (size_t)i, &b, &why), -1);
	/* one byte too many */
	buf[n] = 0;
	assert_int_equal(hb_msg_decode(buf, (size_t)n + 1, &b, &why), -1);
	assert_string_equal(why, "trailing bytes");
}

static void
test_bad_fields(void **state)
{
	struct hb_msg	 a, b;
	uint8_t		 buf[HB_MAX_PACKET], copy[HB_MAX_PACKET];
	const char	*why;
	int		 n;

	sample(&a, 1);
	n = encode(&a, buf, sizeof(buf));

	memcpy(copy, buf, (size_t)n);
	copy[0] = 'X';
	assert_int_equal(hb_msg_decode(copy, (size_t)n, &b, &why), -1);
	assert_string_equal(why, "bad magic");

	memcpy(copy, buf, (size_t)n);
	copy[2] = 99;
	assert_int_equal(hb_msg_decode(copy, (size_t)n, &b, &why), -1);
	assert_string_equal(why, "unsupported version");

	memcpy(copy, buf, (size_t)n);
	copy[20] = 0;				/* name length */
	assert_int_equal(hb_msg_decode(copy, (size_t)n, &b, &why), -1);

	memcpy(copy, buf, (size_t)n);
	copy[20] = 200;
	assert_int_equal(hb_msg_decode(copy, (size_t)n, &b, &why), -1);

	memcpy(copy, buf, (size_t)n);
	copy[21 + strlen(a.node)] = 9;		/* status */
	assert_int_equal(hb_msg_decode(copy, (size_t)n, &b, &why), -1);
	assert_string_equal(why, "bad node status");

	memcpy(copy, buf, (size_t)n);
	copy[22] = '\0';			/* NUL inside the name */
	assert_int_equal(hb_msg_decode(copy, (size_t)n, &b, &why), -1);

	/* an oversize packet is refused before anything is read */
	assert_int_equal(hb_msg_decode(buf, HB_MAX_PACKET + 1, &b, &why), -1);
	/* a name that does not fit cannot be encoded */
	memset(a.node, 'x', sizeof(a.node));
	assert_int_equal(encode(&a, buf, sizeof(buf)), -1);
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
		cmocka_unit_test(test_slip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
