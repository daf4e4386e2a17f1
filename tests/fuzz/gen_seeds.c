/*
 * gen_seeds: writes the generated part of the seed corpora, built with
 * the shipping encoders so that the seeds are what hbd really sends:
 *   corpus/fuzz_hb_msg/  heartbeats from hb_msg_encode + auth_sign with
 *                        each key of fuzz_keys() (so some verify), 0, 1,
 *                        3 and 32 groups, every status, one with an
 *                        extension, and SLIP-framed streams;
 *   corpus/fuzz_ctl/     control frames from ctl_frame_add: every request
 *                        of docs/control-protocol.md, ok/error replies,
 *                        events, and a stream of several frames;
 *   corpus/fuzz_json/    the same payloads on their own.
 * Usage: gen_seeds CORPUSDIR (gen_seeds.sh runs it and copies configs).
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "conf.h"
#include "ctl_proto.h"
#include "fuzz_common.h"
#include "hb_msg.h"
#include "util.h"

static const char	*top;
static struct conf	 keys;

static void
put(const char *target, const char *name, const void *p, size_t n)
{
	char	 path[1024];
	FILE	*fp;

	snprintf(path, sizeof(path), "%s/%s", top, target);
	if (mkdir(path, 0755) == -1 && errno != EEXIST) {
		perror(path);
		exit(1);
	}
	snprintf(path, sizeof(path), "%s/%s/%s", top, target, name);
	if ((fp = fopen(path, "w")) == NULL || fwrite(p, 1, n, fp) != n ||
	    fclose(fp) != 0) {
		perror(path);
		exit(1);
	}
}

static void
putstr(const char *target, const char *name, const char *s)
{
	put(target, name, s, strlen(s));
}

static void
sample(struct hb_msg *m, const char *node, int status, int ngroups)
{
	int	 i;

	memset(m, 0, sizeof(*m));
	m->type = HB_HEARTBEAT;
	m->cluster_id = conf_hash("linux-ha");
	m->generation = 1764380000;
	m->seq = 42;
	hbd_strlcpy(m->node, node, sizeof(m->node));
	m->status = (uint8_t)status;
	m->keepalive_ms = 1000;
	m->deadtime_ms = 10000;
	m->config_hash = 0x5eed5eed;
	m->ping_up = 1;
	m->ping_total = 1;
	m->ngroups = (uint8_t)ngroups;
	for (i = 0; i < ngroups; i++) {
		struct hb_group	*g = &m->groups[i];

		g->id = conf_hash(i == 0 ? "192.168.1.100" : "httpd") + i;
		g->epoch = 3 + i;
		g->proposer = 0;
		g->target = (uint8_t)(i % 2);
		g->reason = (uint8_t)(MR_OTHER + i % 8);
		g->state = (uint8_t)(i % (GS_FAILED + 1));
		g->flags = i == 2 ? GF_DIRTY : 0;
		g->held_epoch = i ? 2 : 0;
		g->held_proposer = i ? 1 : HB_NO_NODE;
	}
}

/* As cluster.c sends it: encode, sign, append the digest. */
static int
packet(const struct hb_msg *m, int key, uint8_t *buf, size_t cap)
{
	uint8_t	 d[AUTH_MAX_DIGEST];
	size_t	 slen;
	int	 n;

	if (hb_msg_encode(m, (uint8_t)key, buf, cap, &slen) == -1 ||
	    (n = auth_sign(&keys, key, buf, slen, d)) < 0)
		abort();
	return hb_msg_finish(buf, cap, slen, d, (size_t)n);
}

static void
packets(void)
{
	static const struct {
		const char	*name;
		int		 key, status, ngroups;
	} p[] = {
		{ "crc-init", 1, HB_ST_INIT, 0 },
		{ "md5-active-1group", 2, HB_ST_ACTIVE, 1 },
		{ "sha1-active-3groups", 3, HB_ST_ACTIVE, 3 },
		{ "sha256-active-3groups", 4, HB_ST_ACTIVE, 3 },
		{ "sha512-leaving-3groups", 5, HB_ST_LEAVING, 3 },
		{ "rotated-left", 6, HB_ST_LEFT, 1 },
		{ "longkey-32groups", 15, HB_ST_ACTIVE, 32 },
		{ "unknown-key", 9, HB_ST_ACTIVE, 1 },
	};
	struct hb_msg	 m;
	uint8_t		 buf[HB_MAX_PACKET], ext[HB_MAX_PACKET];
	uint8_t		 slip[2 * HB_MAX_PACKET + 2], two[4 * HB_MAX_PACKET];
	char		 name[64];
	size_t		 i, s1, s2;
	int		 n, k;

	for (i = 0; i < nitems(p); i++) {
		sample(&m, i % 2 ? "ha2" : "ha1", p[i].status, p[i].ngroups);
		if (i == 3)
			m.flags = HBF_STANDBY;
		if (p[i].key == 9) {
			/* signed with key 4, labelled as key 9 */
			n = packet(&m, 4, buf, sizeof(buf));
			buf[n - 1 - 32 - 1] = 9;
		} else
			n = packet(&m, p[i].key, buf, sizeof(buf));
		snprintf(name, sizeof(name), "pkt-%s", p[i].name);
		put("fuzz_hb_msg", name, buf, (size_t)n);
	}

	/* a future sender's extension: extlen 3, "abc", before the key */
	sample(&m, "ha2.example.com", HB_ST_ACTIVE, 1);
	n = packet(&m, 1, buf, sizeof(buf));
	k = n - 4 - 1 - 1 - 2;		/* crc digest, dlen, key, extlen */
	memcpy(ext, buf, (size_t)k);
	memcpy(ext + k, "\0\3abc", 5);
	memcpy(ext + k + 5, buf + k + 2, (size_t)(n - k - 2));
	put("fuzz_hb_msg", "pkt-extension", ext, (size_t)n + 3);

	/* serial: one frame, then two back to back after line noise */
	sample(&m, "ha1", HB_ST_ACTIVE, 2);
	m.seq = 0xc0dbc0dbc0dbc0dbULL;		/* bytes SLIP must escape */
	n = packet(&m, 4, buf, sizeof(buf));
	s1 = slip_encode(buf, (size_t)n, slip, sizeof(slip));
	put("fuzz_hb_msg", "slip-one", slip, s1);
	memcpy(two, "noise", 5);
	memcpy(two + 5, slip, s1);
	m.seq++;
	n = packet(&m, 4, buf, sizeof(buf));
	s2 = slip_encode(buf, (size_t)n, two + 5 + s1, sizeof(two) - 5 - s1);
	put("fuzz_hb_msg", "slip-two", two, 5 + s1 + s2);
}

static const char status_json[] =
	"{\"version\":\"0.9.0\",\"node\":\"ha1\",\"cluster\":\"linux-ha\","
	"\"status\":\"active\",\"generation\":1764380000,\"uptime_ms\":5021,"
	"\"mono_ms\":123456789,\"time_ms\":1764380005021,"
	"\"resources_held\":\"local\","
	"\"config\":{\"keepalive_ms\":1000,\"warntime_ms\":3000,"
	"\"deadtime_ms\":10000,\"initdead_ms\":30000,\"deadping_ms\":10000,"
	"\"auto_failback\":\"on\",\"auth_method\":\"sha256\","
	"\"snmp_write\":false,\"udpport\":694,\"fencing\":false,"
	"\"config_file\":\"/etc/ha.d/ha.cf\"},"
	"\"nodes\":["
	"{\"index\":1,\"name\":\"ha1\",\"type\":\"normal\",\"local\":true,"
	"\"status\":\"active\",\"last_heartbeat_ms\":0,"
	"\"last_heartbeat_mono_ms\":123456789,\"generation\":1764380000,"
	"\"changed_mono_ms\":123450000,\"changed_ms_ago\":6789,"
	"\"late_heartbeats\":0,\"dead_count\":0,\"links\":[]},"
	"{\"index\":2,\"name\":\"ha2\",\"type\":\"normal\",\"local\":false,"
	"\"status\":\"active\",\"last_heartbeat_ms\":412,"
	"\"last_heartbeat_mono_ms\":123456377,\"generation\":1764379000,"
	"\"changed_mono_ms\":123450100,\"changed_ms_ago\":6689,"
	"\"late_heartbeats\":2,\"dead_count\":1,\"links\":["
	"{\"index\":1,\"name\":\"eth0\",\"type\":\"bcast\",\"status\":\"up\","
	"\"last_heartbeat_ms\":412,\"changed_mono_ms\":123450100},"
	"{\"index\":2,\"name\":\"eth1\",\"type\":\"ucast\",\"status\":\"dead\","
	"\"last_heartbeat_ms\":null,\"changed_mono_ms\":123440000}]},"
	"{\"index\":3,\"name\":\"192.0.2.1\",\"type\":\"ping\",\"local\":false,"
	"\"status\":\"up\",\"last_heartbeat_ms\":950,\"links\":[]}],"
	"\"groups\":[{\"index\":1,\"name\":\"192.168.1.100\","
	"\"preferred\":\"ha1\",\"owner\":\"ha1\",\"state\":\"started\","
	"\"target\":\"ha1\",\"epoch\":3,\"reason\":\"startup\","
	"\"local_state\":\"started\",\"peer_state\":\"stopped\","
	"\"dirty\":false,\"changed_ms_ago\":6000,\"changed_mono_ms\":123450789,"
	"\"takeovers\":0,\"failures\":0,\"resources\":["
	"{\"index\":1,\"name\":\"192.168.1.100\","
	"\"agent\":\"/usr/local/libexec/hbd/agents/IPaddr\","
	"\"state\":\"started\",\"changed_mono_ms\":123450789,\"failures\":0},"
	"{\"index\":2,\"name\":\"httpd\",\"agent\":\"/etc/init.d/httpd\","
	"\"state\":\"started\",\"changed_mono_ms\":123450799,"
	"\"failures\":1}]}],"
	"\"counters\":{\"takeovers\":0,\"releases\":0,\"late_heartbeats\":2,"
	"\"auth_failures\":0,\"replays\":0,\"malformed\":0,"
	"\"unknown_node\":0,\"wrong_cluster\":0,\"packets_in\":5012,"
	"\"packets_out\":5020,\"resource_failures\":1,\"restarts\":1,"
	"\"fences\":0,\"fence_failures\":0,\"control_refused\":0,"
	"\"control_bad_frames\":0,\"control_slow_dropped\":0,"
	"\"loop_late\":0,\"events\":17},"
	"\"fence\":{\"configured\":false,\"state\":\"idle\"},"
	"\"respawn\":[{\"program\":\"/usr/sbin/hbd-snmp\",\"user\":\"root\","
	"\"pid\":4242,\"restarts\":0,\"state\":\"running\"}]}";

static const struct {
	const char	*name;
	enum ctl_type	 type;
	const char	*json;
} payloads[] = {
	{ "req-status", CTL_REQUEST, "{\"cmd\":\"status\"}" },
	{ "req-subscribe", CTL_REQUEST, "{\"cmd\":\"subscribe\"}" },
	{ "req-standby", CTL_REQUEST, "{\"cmd\":\"standby\",\"which\":\"all\"}" },
	{ "req-takeover", CTL_REQUEST,
	    "{\"cmd\":\"takeover\",\"which\":\"foreign\"}" },
	{ "req-move", CTL_REQUEST,
	    "{\"cmd\":\"move\",\"group\":\"192.168.1.100\",\"node\":\"ha2\"}" },
	{ "req-reload", CTL_REQUEST, "{\"cmd\":\"reload\"}" },
	{ "req-hello", CTL_REQUEST, "{\"cmd\":\"hello\"}" },
	{ "ok-status", CTL_OK, status_json },
	{ "ok-standby", CTL_OK,
	    "{\"groups\":[\"192.168.1.100\"],\"target\":\"ha2\",\"moving\":1}" },
	{ "ok-hello", CTL_OK, "{\"version\":\"0.9.0\",\"node\":\"ha1\"}" },
	{ "error-denied", CTL_ERROR, "{\"error\":\"permission denied: only "
	    "root may change the cluster\"}" },
	{ "event-node-dead", CTL_EVENT, "{\"seq\":7,\"time_ms\":1764380005021,"
	    "\"mono_ms\":123456789,\"type\":\"node_dead\",\"node\":\"ha2\","
	    "\"index\":2,\"status\":\"dead\",\"reason\":\"timeout\","
	    "\"silent_ms\":10012}" },
	{ "event-placement", CTL_EVENT, "{\"seq\":8,\"time_ms\":1764380005030,"
	    "\"mono_ms\":123456798,\"type\":\"placement\",\"group\":"
	    "\"192.168.1.100\",\"target\":\"ha1\",\"epoch\":4,\"proposer\":"
	    "\"ha1\",\"reason\":\"node_dead\"}" },
	{ "event-resource-failed", CTL_EVENT, "{\"seq\":9,\"time_ms\":"
	    "1764380006000,\"mono_ms\":123457767,\"type\":\"resource_failed\","
	    "\"group\":\"192.168.1.100\",\"index\":1,\"resource\":\"httpd\","
	    "\"resource_index\":2,\"node\":\"ha1\",\"action\":\"monitor\","
	    "\"exit_code\":-1,\"detail\":\"timed out after 20.0s\\n\\t\\u00e9"
	    "\\ud83d\\ude00\",\"state\":\"failed\"}" },
};

static void
add_frame(struct buf *b, enum ctl_type type, const char *json)
{
	ctl_frame_add(b, type, json, strlen(json));
}

static void
frames(void)
{
	struct buf	 b, all, snmp;
	size_t		 i;

	buf_init(&all);
	for (i = 0; i < nitems(payloads); i++) {
		buf_init(&b);
		ctl_frame_add(&b, payloads[i].type, payloads[i].json,
		    strlen(payloads[i].json));
		put("fuzz_ctl", payloads[i].name, b.data, b.len);
		putstr("fuzz_json", payloads[i].name, payloads[i].json);
		if (i == 1 || i == 7 || i == 11 || i == 12)
			buf_add(&all, b.data, b.len);
		buf_free(&b);
	}
	/* what hbd-snmp reads: the snapshot, events, then a status poll */
	buf_init(&b);
	buf_printf(&b, "{\"seq\":6,\"snapshot\":%s}", status_json);
	buf_init(&snmp);
	ctl_frame_add(&snmp, CTL_OK, b.data, b.len);
	for (i = 11; i < nitems(payloads); i++)
		add_frame(&snmp, CTL_EVENT, payloads[i].json);
	add_frame(&snmp, CTL_EVENT, "{\"seq\":10,\"type\":\"link_dead\","
	    "\"node\":\"ha2\",\"index\":2,\"link\":\"eth0\",\"link_index\":1,"
	    "\"link_status\":\"dead\"}");
	add_frame(&snmp, CTL_EVENT, "{\"seq\":11,\"type\":\"release\","
	    "\"group\":\"192.168.1.100\",\"index\":1,\"node\":\"ha1\","
	    "\"to\":\"ha2\",\"state\":\"stopping\",\"reason\":\"admin\"}");
	add_frame(&snmp, CTL_OK, status_json);
	put("fuzz_ctl", "stream-snmp", snmp.data, snmp.len);
	buf_free(&snmp);
	buf_free(&b);

	/* subscribe, snapshot, two events, then half of a third frame */
	ctl_frame_add(&all, CTL_EVENT, payloads[12].json, 20);
	all.len -= 5;
	put("fuzz_ctl", "stream-subscriber", all.data, all.len);
	buf_free(&all);

	/* JSON the writer never produces, the parser must still handle */
	putstr("fuzz_json", "numbers", "[0,-0,1.5e3,-2E-2,9223372036854775807,"
	    "-9223372036854775808,1e-300,0.1,4e18]");
	putstr("fuzz_json", "escapes", "{\"s\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t"
	    "\\u0041\\u00e9\\u20ac\\ud834\\udd1e\"}");
	putstr("fuzz_json", "nested", "{\"a\":[[[[{\"b\":[null,true,false,{}]}]]]],"
	    "\"c\":[]}");
}

int
main(int argc, char *argv[])
{
	if (argc != 2) {
		fprintf(stderr, "usage: gen_seeds CORPUSDIR\n");
		return 2;
	}
	top = argv[1];
	fuzz_keys(&keys);
	packets();
	frames();
	return 0;
}
