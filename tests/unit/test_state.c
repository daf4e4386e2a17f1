/*
 * state: the state directory off the event loop. fsync is wrapped
 * (-Wl,--wrap=fsync) to take SLOW_MS, as on a throttled disk: a save
 * must still return at once, a burst of saves must end with the latest
 * on disk after about two writes (not one write per save), and the file
 * must be whole. Also: a temp file that is a symlink is not followed,
 * and a state directory others can write to is refused.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "event.h"
#include "log.h"
#include "state.h"
#include "util.h"

#define SLOW_MS	300

int	__real_fsync(int);
int	__wrap_fsync(int);

int
__wrap_fsync(int fd)
{
	struct timespec	 ts = { SLOW_MS / 1000, (SLOW_MS % 1000) * 1000000L };

	nanosleep(&ts, NULL);
	return __real_fsync(fd);
}

static char	 dir[64];

static void
read_placement(char *out, size_t len)
{
	char	 path[128];
	int	 fd;
	ssize_t	 n;

	out[0] = '\0';
	snprintf(path, sizeof(path), "%s/placement", dir);
	if ((fd = open(path, O_RDONLY)) == -1)
		return;
	n = read(fd, out, len - 1);
	out[n > 0 ? n : 0] = '\0';
	close(fd);
}

static void
on_stop(struct ev_timer *t, void *arg)
{
	ev_break();
}

/* run the loop until the placement file holds want (or limit_ms) */
static int64_t
wait_for(const char *want, int64_t limit_ms)
{
	struct ev_timer	 t;
	char		 got[4096];
	int64_t		 t0 = mono_ms();

	ev_timer_init(&t, "test", on_stop, NULL);
	for (;;) {
		read_placement(got, sizeof(got));
		if (strcmp(got, want) == 0)
			return mono_ms() - t0;
		if (mono_ms() - t0 > limit_ms)
			return -1;
		ev_timer_add(&t, 20);
		ev_run();
	}
}

static void
fill(struct state_placement *p, uint32_t epoch)
{
	memset(p, 0, sizeof(*p));
	strcpy(p->group, "10.88.0.100/24/eth0");
	p->epoch = epoch;
	strcpy(p->proposer, "ha1");
	strcpy(p->target, "ha2");
}

static int
setup(void **s)
{
	strcpy(dir, "/tmp/hbd-test-state.XXXXXX");
	assert_non_null(mkdtemp(dir));
	assert_int_equal(chmod(dir, 0700), 0);
	return 0;
}

static int
teardown(void **s)
{
	char	 cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void
test_save_does_not_block(void **s)
{
	struct state_placement	 p;
	char			 want[256];
	int64_t			 t0, took, worst = 0;
	uint32_t		 e;

	assert_int_equal(state_open(dir), 0);
	/* twenty placement changes in a burst, as in a takeover */
	for (e = 1; e <= 20; e++) {
		fill(&p, e);
		t0 = mono_ms();
		state_save_placements(&p, 1);
		took = mono_ms() - t0;
		if (took > worst)
			worst = took;
	}
	print_message("longest state_save_placements: %lld ms (fsync takes "
	    "%d ms)\n", (long long)worst, SLOW_MS);
	assert_true(worst < SLOW_MS / 2);
	snprintf(want, sizeof(want), "10.88.0.100/24/eth0\t20\tha1\tha2\t-\n");
	/*
	 * latest wins: one write in flight, then the latest (each write is
	 * two slow fsyncs, file and directory); one write per save would
	 * take 20 x 2 x SLOW_MS = 12 s
	 */
	took = wait_for(want, 20 * 2 * SLOW_MS);
	print_message("the latest placement was on disk after %lld ms\n",
	    (long long)took);
	assert_true(took >= 0);
	assert_true(took < 10 * SLOW_MS);
	state_load_placements(&p, 1);
	assert_int_equal(p.epoch, 20);
}

static void
test_tmp_symlink_not_followed(void **s)
{
	struct state_placement	 p;
	char			 link[128], victim[128], want[256], got[64];
	int			 fd;

	snprintf(victim, sizeof(victim), "%s.victim", dir);
	fd = open(victim, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "keep\n", 5), 5);
	close(fd);
	snprintf(link, sizeof(link), "%s/.placement.tmp", dir);
	assert_int_equal(symlink(victim, link), 0);
	assert_int_equal(state_open(dir), 0);
	fill(&p, 7);
	state_save_placements(&p, 1);
	snprintf(want, sizeof(want), "10.88.0.100/24/eth0\t7\tha1\tha2\t-\n");
	assert_true(wait_for(want, 20 * SLOW_MS) >= 0);
	fd = open(victim, O_RDONLY);
	assert_true(fd >= 0);
	memset(got, 0, sizeof(got));
	assert_true(read(fd, got, sizeof(got) - 1) >= 0);
	close(fd);
	unlink(victim);
	assert_string_equal(got, "keep\n");
}

static void
test_open_dir_refused(void **s)
{
	assert_int_equal(chmod(dir, 0777), 0);
	assert_int_equal(state_open(dir), -1);
	assert_int_equal(chmod(dir, 0750), 0);
	assert_int_equal(state_open(dir), 0);
	assert_int_equal(chmod(dir, 0720), 0);
	assert_int_equal(state_open(dir), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_save_does_not_block,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_tmp_symlink_not_followed,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_dir_refused,
		    setup, teardown),
	};

	log_init("test_state", 1, -1);
	if (ev_init() == -1)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
