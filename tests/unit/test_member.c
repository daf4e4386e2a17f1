/*
 * member: membership driven by fake timestamps — initdead, deadtime,
 * late heartbeats with the observed interval, links, clean leave,
 * restart detection, and replays rejected per link.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "member.h"

static struct conf	 c;
static struct member	 m;
static struct member_ev	 ev[MEMBER_MAX_EV];
static int		 nev;
static uint64_t		 seq;

static int
setup(void **state)
{
	memset(&c, 0, sizeof(c));
	strcpy(c.nodes[0], "ha1");
	strcpy(c.nodes[1], "ha2");
	c.nnodes = 2;
	c.local_index = 0;
	c.nmedia = 2;
	c.keepalive_ms = 100;
	c.warntime_ms = 300;
	c.deadtime_ms = 500;
	c.initdead_ms = 2000;
	member_init(&m, &c, 0);
	seq = 0;
	return 0;
}

static int
rx(int link, int64_t t, uint32_t gen, int status)
{
	struct hb_msg		 msg;
	enum replay_verdict	 v;

	memset(&msg, 0, sizeof(msg));
	msg.generation = gen;
	msg.seq = ++seq;
	msg.status = (uint8_t)status;
	strcpy(msg.node, "ha2");
	nev = 0;
	return member_rx(&m, 1, link, &msg, t, ev, &nev, &v);
}

static int
has(enum member_ev_type t)
{
	int	 i;

	for (i = 0; i < nev; i++)
		if (ev[i].type == t)
			return i + 1;
	return 0;
}

static void
test_initdead(void **state)
{
	assert_int_equal(m.nodes[1].status, NODE_INIT);
	assert_int_equal(member_next_deadline(&m, 0), 2001);
	nev = member_tick(&m, 1999, ev);
	assert_int_equal(nev, 0);
	nev = member_tick(&m, 2001, ev);
	assert_true(has(ME_NODE_DEAD));
	assert_int_equal(m.nodes[1].status, NODE_DEAD);
}

static void
test_up_late_dead(void **state)
{
	int	 i;

	assert_int_equal(rx(0, 100, 7, HB_ST_INIT), 1);
	assert_true(has(ME_NODE_UP));
	assert_true(has(ME_LINK_UP));
	assert_int_equal(m.nodes[1].status, NODE_UP);
	rx(0, 200, 7, HB_ST_ACTIVE);
	assert_true(has(ME_NODE_ACTIVE));
	/* regular beats: nothing */
	for (i = 3; i < 10; i++) {
		rx(0, i * 100, 7, HB_ST_ACTIVE);
		assert_int_equal(nev, 0);
	}
	/* a beat 350 ms after the last (> warntime 300): late, with interval */
	rx(0, 1250, 7, HB_ST_ACTIVE);
	i = has(ME_LATE);
	assert_true(i);
	assert_int_equal(ev[i - 1].interval, 350);
	assert_int_equal(m.nodes[1].late_count, 1);
	/* silence past deadtime: link and node die together */
	assert_int_equal(member_next_deadline(&m, 1250), 1751);
	nev = member_tick(&m, 1700, ev);
	assert_int_equal(nev, 0);
	nev = member_tick(&m, 1751, ev);
	assert_true(has(ME_LINK_DEAD));
	assert_true(has(ME_NODE_DEAD));
	assert_int_equal(m.nodes[1].dead_count, 1);
	/* back: up again, not late (it was dead) */
	rx(0, 5000, 7, HB_ST_ACTIVE);
	assert_true(has(ME_NODE_UP));
	assert_false(has(ME_LATE));
}

static void
test_one_link_of_two(void **state)
{
	int64_t	 t;

	for (t = 0; t <= 1000; t += 100) {
		rx(0, t, 3, HB_ST_ACTIVE);
		rx(1, t, 3, HB_ST_ACTIVE);
	}
	/* link 1 goes quiet, link 0 carries on */
	for (t = 1100; t <= 2000; t += 100) {
		rx(0, t, 3, HB_ST_ACTIVE);
		nev = member_tick(&m, t, ev);
		if (t == 1600) {
			assert_true(has(ME_LINK_DEAD));
			assert_int_equal(ev[has(ME_LINK_DEAD) - 1].link, 1);
		}
		assert_false(has(ME_NODE_DEAD));
	}
	assert_int_equal(m.nodes[1].status, NODE_ACTIVE);
	assert_int_equal(m.nodes[1].links[1].status, LINK_DEAD);
	assert_int_equal(m.nodes[1].links[0].status, LINK_UP);
}

static void
test_duplicates_and_replay(void **state)
{
	struct hb_msg		 msg;
	enum replay_verdict	 v;

	memset(&msg, 0, sizeof(msg));
	msg.generation = 9;
	msg.seq = 10;
	msg.status = HB_ST_ACTIVE;
	nev = 0;
	/* the same packet over two media: news once, link up twice */
	assert_int_equal(member_rx(&m, 1, 0, &msg, 100, ev, &nev, &v), 1);
	assert_int_equal(member_rx(&m, 1, 1, &msg, 101, ev, &nev, &v), 0);
	assert_int_equal(m.nodes[1].links[1].status, LINK_UP);
	/* replayed on a link that already saw it */
	assert_int_equal(member_rx(&m, 1, 0, &msg, 150, ev, &nev, &v), -1);
	assert_int_equal(v, REPLAY_DUP);
	/* an old generation after a newer one */
	msg.generation = 10;
	msg.seq = 1;
	assert_int_equal(member_rx(&m, 1, 0, &msg, 200, ev, &nev, &v), 1);
	msg.generation = 9;
	msg.seq = 11;
	assert_int_equal(member_rx(&m, 1, 1, &msg, 210, ev, &nev, &v), -1);
	assert_int_equal(v, REPLAY_OLD);
}

static void
test_restart_and_leave(void **state)
{
	rx(0, 100, 1, HB_ST_ACTIVE);
	rx(0, 200, 1, HB_ST_ACTIVE);
	/* a new generation while alive: it restarted within deadtime */
	seq = 0;
	rx(0, 300, 2, HB_ST_INIT);
	assert_true(has(ME_NODE_RESTARTED));
	/* goodbye: dead at once, no deadtime wait; copies change nothing */
	rx(0, 400, 2, HB_ST_LEFT);
	assert_true(has(ME_NODE_LEFT));
	assert_int_equal(m.nodes[1].status, NODE_DEAD);
	assert_true(m.nodes[1].left);
	rx(0, 401, 2, HB_ST_LEFT);
	assert_int_equal(nev, 0);
	assert_int_equal(m.nodes[1].links[0].status, LINK_DEAD);
	/* nothing left to time out */
	assert_int_equal(member_next_deadline(&m, 500), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_initdead, setup),
		cmocka_unit_test_setup(test_up_late_dead, setup),
		cmocka_unit_test_setup(test_one_link_of_two, setup),
		cmocka_unit_test_setup(test_duplicates_and_replay, setup),
		cmocka_unit_test_setup(test_restart_and_leave, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
