/*
 * conf: value syntax (heartbeat's times and booleans), the model built
 * from files (ucast lines naming our own address dropped, udpport/baud
 * applying to later lines, haresources forms), and ha.cf == hbd.conf.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include "conf.h"

static char	 dir[64];

static void
put(const char *name, const char *text, int mode)
{
	char	 p[128];
	FILE	*f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	assert_non_null(f = fopen(p, "w"));
	fputs(text, f);
	fclose(f);
	chmod(p, (mode_t)mode);
}

static int
setup(void **state)
{
	strcpy(dir, "/tmp/hbd-unit-XXXXXX");
	assert_non_null(mkdtemp(dir));
	put("authkeys", "auth 2\n1 sha1 old-secret-123\n2 sha256 "
	    "new-secret-4567890\n", 0600);
	return 0;
}

static int
teardown(void **state)
{
	char	 cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

static struct conf *
load(const char *local, const char *addr, struct conf_diag *d)
{
	struct conf_opts	 o;
	static struct in_addr	 a;

	memset(&o, 0, sizeof(o));
	o.confdir = dir;
	o.local = local;
	o.agentdir = "/nonexistent";
	if (addr) {
		inet_pton(AF_INET, addr, &a);
		o.local_addrs = &a;
		o.nlocal_addrs = 1;
	}
	return conf_load(&o, d);
}

static void
test_times(void **state)
{
	uint32_t	 ms;

	assert_int_equal(conf_parse_time("2", &ms), 0);
	assert_int_equal(ms, 2000);
	assert_int_equal(conf_parse_time("1.5", &ms), 0);
	assert_int_equal(ms, 1500);
	assert_int_equal(conf_parse_time("500ms", &ms), 0);
	assert_int_equal(ms, 500);
	assert_int_equal(conf_parse_time(".25", &ms), 0);
	assert_int_equal(ms, 250);
	assert_int_equal(conf_parse_time("1500us", &ms), 0);
	assert_int_equal(ms, 2);		/* rounded to nearest */
	assert_int_equal(conf_parse_time("3s", &ms), 0);
	assert_int_equal(ms, 3000);
	assert_int_equal(conf_parse_time("3x", &ms), -1);
	assert_int_equal(conf_parse_time("-1", &ms), -1);
	assert_int_equal(conf_parse_time("", &ms), -1);
	assert_int_equal(conf_parse_time("ms", &ms), -1);
	assert_int_equal(conf_parse_time("1e9", &ms), -1);
	/* heartbeat's cl_get_msec: units in any case, rounded to nearest */
	assert_int_equal(conf_parse_time("500MS", &ms), 0);
	assert_int_equal(ms, 500);
	assert_int_equal(conf_parse_time("250Msec", &ms), 0);
	assert_int_equal(ms, 250);
	assert_int_equal(conf_parse_time("1400US", &ms), 0);
	assert_int_equal(ms, 1);
	assert_int_equal(conf_parse_time("2.4ms", &ms), 0);
	assert_int_equal(ms, 2);
	assert_int_equal(conf_parse_time("2.5ms", &ms), 0);
	assert_int_equal(ms, 3);
	assert_int_equal(conf_parse_time("1.0004", &ms), 0);
	assert_int_equal(ms, 1000);
	assert_int_equal(conf_parse_time("3S", &ms), 0);
	assert_int_equal(ms, 3000);
}

/* heartbeat's authkeys: '#' is a comment only at the start of a line */
static void
test_authkeys(void **state)
{
	struct conf_diag	 d;
	struct conf		*c;

	put("ha.cf", "deadtime 10\nbcast eth0\nnode ha1 ha2\n", 0644);
	put("haresources", "", 0644);
	put("authkeys", "  # comment\nauth 0 # the signing key\n"
	    "0 sha1 abc#def-secret # a comment\n15 md5 #starts-with-hash\n",
	    0600);
	c = load("ha1", NULL, &d);
	assert_non_null(c);
	assert_int_equal(c->auth_use, 0);
	assert_int_equal(c->nkeys, 2);
	assert_int_equal(c->keys[0].index, 0);
	assert_int_equal(c->keys[0].secretlen, strlen("abc#def-secret"));
	assert_memory_equal(c->keys[0].secret, "abc#def-secret", 14);
	assert_int_equal(c->keys[1].index, 15);
	assert_memory_equal(c->keys[1].secret, "#starts-with-hash", 17);
	conf_free(c);
	conf_diag_free(&d);
}

static void
test_bools(void **state)
{
	int	 v;
	const char *yes[] = { "on", "yes", "true", "Y", "1", "ON" };
	const char *no[] = { "off", "no", "false", "n", "0", "Off" };
	size_t	 i;

	for (i = 0; i < 6; i++) {
		assert_int_equal(conf_parse_bool(yes[i], &v), 0);
		assert_int_equal(v, 1);
		assert_int_equal(conf_parse_bool(no[i], &v), 0);
		assert_int_equal(v, 0);
	}
	assert_int_equal(conf_parse_bool("maybe", &v), -1);
}

static void
test_model(void **state)
{
	struct conf_diag	 d;
	struct conf		*c;
	int			 i;

	put("ha.cf",
	    "keepalive 200ms\ndeadtime 2\nwarntime 1\ninitdead 10\n"
	    "udpport 700\nbcast eth0 eth1 # two at once\n"
	    "ucast hb0 10.88.0.201\nucast hb0 10.88.0.202\n"
	    "udpport 701\nmcast eth0 239.1.2.3 701 1 0\n"
	    "baud 38400\nserial /dev/ttyS0,/dev/ttyS1\n"
	    "node HA2\nnode ha1\nauto_failback off\n"
	    "ping 10.88.0.1\nping_group gw 10.88.0.2 10.88.0.3\n"
	    "cluster labc\nsnmp_write yes\n", 0644);
	put("haresources",
	    "# a comment\n"
	    "ha1 10.88.0.100/24/eth0 \\\n  Filesystem::/dev/loop0::/srv/ha::ext4"
	    " \\\n  ocf:heartbeat:IPaddr2::ip=10.88.0.101::cidr_netmask=24\n"
	    "ha2 httpd::/etc/apache2/apache2.conf\n", 0644);
	c = load("ha1", "10.88.0.201", &d);
	conf_diag_print(&d, stderr);
	assert_non_null(c);
	/* nodes sorted and lower-cased; ha1 is us */
	assert_string_equal(c->nodes[0], "ha1");
	assert_string_equal(c->nodes[1], "ha2");
	assert_int_equal(c->local_index, 0);
	assert_int_equal(c->keepalive_ms, 200);
	assert_int_equal(c->deadtime_ms, 2000);
	/* bcast x2, one ucast (ours dropped), mcast, serial x2 */
	assert_int_equal(c->nmedia, 6);
	assert_int_equal(c->media[0].type, MEDIUM_BCAST);
	assert_int_equal(c->media[0].port, 700);
	assert_string_equal(c->media[1].ifname, "eth1");
	assert_int_equal(c->media[2].type, MEDIUM_UCAST);
	assert_int_equal(c->media[2].addr.s_addr, inet_addr("10.88.0.202"));
	assert_int_equal(c->media[2].port, 700);
	assert_int_equal(c->media[3].type, MEDIUM_MCAST);
	assert_int_equal(c->media[3].port, 701);
	assert_int_equal(c->media[4].baud, 38400);
	assert_string_equal(c->media[5].device, "/dev/ttyS1");
	assert_int_equal(c->auto_failback, FAILBACK_OFF);
	assert_int_equal(c->npings, 2);
	assert_int_equal(c->pings[1].naddr, 2);
	assert_int_equal(c->auth_use, 2);
	assert_int_equal(c->nkeys, 2);
	assert_int_equal(c->snmp_write, 1);
	assert_string_equal(c->cluster, "labc");
	/* groups: continuation lines, the IP shorthand, OCF */
	assert_int_equal(c->ngroups, 2);
	assert_string_equal(c->groups[0].name, "10.88.0.100/24/eth0");
	assert_int_equal(c->groups[0].nrsc, 3);
	assert_string_equal(c->groups[0].rsc[0].type, "IPaddr");
	assert_string_equal(c->groups[0].rsc[1].args[1], "/srv/ha");
	assert_true(c->groups[0].rsc[1].needs_fence);
	assert_int_equal(c->groups[0].rsc[2].kind, RSC_OCF);
	assert_string_equal(c->groups[0].rsc[2].provider, "heartbeat");
	assert_string_equal(c->groups[0].rsc[2].args[0], "ip=10.88.0.101");
	assert_int_equal(c->groups[1].preferred, 1);
	assert_true(c->groups[0].id != c->groups[1].id);
	assert_int_equal(c->groups[0].id, conf_hash("10.88.0.100/24/eth0"));
	/* the same file on the other node drops the other ucast line */
	conf_free(c);
	conf_diag_free(&d);
	c = load("ha2", "10.88.0.202", &d);
	assert_non_null(c);
	assert_int_equal(c->local_index, 1);
	for (i = 0; i < c->nmedia; i++)
		if (c->media[i].type == MEDIUM_UCAST)
			assert_int_equal(c->media[i].addr.s_addr,
			    inet_addr("10.88.0.201"));
	conf_free(c);
	conf_diag_free(&d);
}

static void
test_errors_collected(void **state)
{
	struct conf_diag	 d;
	struct conf		*c;

	put("ha.cf", "keepalive x\ndeadtime y\nbogus 1\nnode ha1 ha2\n"
	    "bcast eth0\nauto_failback on\n", 0644);
	put("haresources", "ha3 Dummy\n", 0644);
	c = load("ha1", NULL, &d);
	assert_null(c);
	/* every problem, not just the first */
	assert_int_equal(d.nerrors, 4);
	assert_int_equal(d.msgs[0].line, 1);
	assert_int_equal(d.msgs[1].line, 2);
	assert_int_equal(d.msgs[2].line, 3);
	assert_non_null(strstr(d.msgs[3].file, "haresources"));
	conf_diag_free(&d);
}

/* ucast, ping and ping_group take host names, resolved at load */
static void
test_hostnames(void **state)
{
	struct conf_diag	 d;
	struct conf		*c;
	char			 a[INET_ADDRSTRLEN];

	put("ha.cf", "deadtime 10\nucast eth1 localhost extra words\n"
	    "node ha1 ha2\nping localhost\nauto_failback on\n", 0644);
	put("haresources", "", 0644);
	c = load("ha1", "10.88.0.1", &d);	/* 127.0.0.1 not ours */
	assert_non_null(c);
	assert_int_equal(c->nmedia, 1);
	inet_ntop(AF_INET, &c->media[0].addr, a, sizeof(a));
	assert_string_equal(a, "127.0.0.1");
	assert_int_equal(c->npings, 1);
	assert_string_equal(c->pings[0].name, "localhost");
	inet_ntop(AF_INET, &c->pings[0].addr[0], a, sizeof(a));
	assert_string_equal(a, "127.0.0.1");
	/* the extra words: a warning, not an error */
	assert_int_equal(d.nerrors, 0);
	conf_free(c);
	conf_diag_free(&d);
}

/*
 * heartbeat's fencing scope: with fence or stonith_host, every group waits
 * for the dead peer's fence, not only groups with a Filesystem;
 * nofence_group takes a group out.
 */
static void
test_fence_scope(void **state)
{
	struct conf_diag	 d;
	struct conf		*c;
	const char		*hacf = "deadtime 10\nbcast eth0\nnode ha1 ha2\n"
				    "auto_failback on\n";
	char			 buf[512];
	int			 i;

	put("haresources", "ha1 Dummy::a\nha2 Dummy::b LVM::vg0\n"
	    "ha1 Filesystem::/dev/sdb1::/srv::ext4\n", 0644);
	/* no fencing: only the Filesystem */
	put("ha.cf", hacf, 0644);
	assert_non_null(c = load("ha1", NULL, &d));
	assert_false(c->groups[0].rsc[0].needs_fence);
	assert_false(c->groups[1].rsc[1].needs_fence);
	assert_true(c->groups[2].rsc[0].needs_fence);
	conf_free(c);
	conf_diag_free(&d);
	/* fencing: every group; nofence_group opts one out */
	snprintf(buf, sizeof(buf), "%sfence /bin/true\n"
	    "nofence_group Dummy::a\n", hacf);
	put("ha.cf", buf, 0644);
	assert_non_null(c = load("ha1", NULL, &d));
	assert_int_equal(c->groups[0].nofence, 1);
	assert_false(c->groups[0].rsc[0].needs_fence);
	assert_true(c->groups[1].rsc[0].needs_fence);
	assert_true(c->groups[1].rsc[1].needs_fence);
	assert_true(c->groups[2].rsc[0].needs_fence);
	conf_free(c);
	conf_diag_free(&d);
	/* an unknown group is an error */
	snprintf(buf, sizeof(buf), "%sfence /bin/true\nnofence_group nope\n",
	    hacf);
	put("ha.cf", buf, 0644);
	assert_null(c = load("ha1", NULL, &d));
	assert_int_equal(d.nerrors, 1);
	for (i = 0; d.msgs[i].warning; i++)
		;
	assert_int_equal(d.msgs[i].line, 6);
	assert_non_null(strstr(d.msgs[i].text, "no group named"));
	conf_diag_free(&d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_times),
		cmocka_unit_test(test_bools),
		cmocka_unit_test_setup_teardown(test_model, setup, teardown),
		cmocka_unit_test_setup_teardown(test_authkeys, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostnames, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fence_scope, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_errors_collected, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
