/*
 * fuzz_ctl: the control protocol's framing (lib/ctl_proto.c) on an
 * arbitrary byte stream, consumed the way both ends consume it:
 * - the daemon's loop (control.c client_read/handle_request): frames off
 *   the front of the buffer until one is incomplete or bad, each payload
 *   through json_parse and checked for {"cmd": ...};
 * - the client's loop (ctl_client.c ctl_take), fed the same bytes in
 *   small pieces as recv() might deliver them.
 * Both must see the same frames and stop at the same place, whatever the
 * piece boundaries. A frame re-encoded by ctl_frame_add is the same
 * bytes, and no prefix of a good frame is an error.
 *
 * What the client takes is then used as hbd-snmp uses it (hbdlink.c,
 * snmp-subagent/cache.c): the first ok reply is the subscription's
 * snapshot, later ones are status polls (cache_load), events patch the
 * cache (cache_apply_event), and every lookup the MIB modules make is
 * run over the result.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cache.h"
#include "ctl_client.h"
#include "ctl_proto.h"
#include "fuzz_common.h"
#include "json.h"
#include "util.h"

#define MAX_SEEN	4096

struct seen {
	uint8_t		 type;
	uint32_t	 len;
	int		 json_ok;
};

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* handle_request()'s checks, and what the handlers read */
static int
request(const char *p, size_t n)
{
	struct jval	*req;
	const char	*cmd;
	char		 err[256];

	err[0] = 'x';
	if ((req = json_parse(p, n, err, sizeof(err))) == NULL) {
		FUZZ_CHECK(err[0] != '\0' && memchr(err, '\0', sizeof(err)));
		return 0;
	}
	if (req->type == J_OBJ && (cmd = json_get_str(req, "cmd")) != NULL) {
		(void)json_get_str(req, "which");
		(void)json_get_str(req, "group");
		(void)json_get_str(req, "node");
	}
	json_free(req);
	return 1;
}

static void
check_frame(const uint8_t *p, size_t avail, long used,
    const struct ctl_frame *f)
{
	struct ctl_frame	 g;
	struct buf		 b;
	const char		*why;
	size_t			 k;

	FUZZ_CHECK(used >= CTL_HDR_LEN && (size_t)used <= avail);
	FUZZ_CHECK((size_t)used == CTL_HDR_LEN + (size_t)f->len);
	FUZZ_CHECK(f->len <= CTL_MAX_PAYLOAD);
	FUZZ_CHECK(f->version == CTL_VERSION);
	FUZZ_CHECK(f->type >= CTL_REQUEST && f->type <= CTL_EVENT);
	FUZZ_CHECK(strcmp(ctl_type_name(f->type), "unknown") != 0);
	FUZZ_CHECK(f->payload == (const char *)p + CTL_HDR_LEN);
	/* a good frame cut short only ever asks for more */
	for (k = 0; k < (size_t)used; k = k < 16 ? k + 1 : k * 2)
		FUZZ_CHECK(ctl_frame_parse(p, k, &g, &why) == 0);
	FUZZ_CHECK(ctl_frame_parse(p, (size_t)used - 1, &g, &why) == 0);
	buf_init(&b);
	ctl_frame_add(&b, f->type, f->payload, f->len);
	FUZZ_CHECK(b.len == (size_t)used && memcmp(b.data, p, b.len) == 0);
	buf_free(&b);
}

/* The daemon: the whole stream at once. Returns 1 if it ended in error. */
static int
server(const uint8_t *data, size_t size, struct seen *s, int *ns)
{
	struct ctl_frame	 f;
	const char		*why;
	size_t			 off = 0;
	long			 used;

	*ns = 0;
	while (off < size) {
		why = "unset";
		used = ctl_frame_parse(data + off, size - off, &f, &why);
		if (used == 0) {
			FUZZ_CHECK(why == NULL);
			return 0;
		}
		if (used < 0) {
			FUZZ_CHECK(why != NULL);
			return 1;
		}
		FUZZ_CHECK(why == NULL);
		check_frame(data + off, size - off, used, &f);
		if (*ns < MAX_SEEN) {
			s[*ns].type = f.type;
			s[*ns].len = f.len;
			s[*ns].json_ok = request(f.payload, f.len);
			(*ns)++;
		}
		off += (size_t)used;
	}
	return 0;
}

/* The lookups mib_nodes.c and mib_groups.c make for a walk */
static void
walk_cache(void)
{
	const struct cache	*c = cache_get();
	size_t			 i, j;

	if (c == NULL)
		return;
	FUZZ_CHECK(c->node != NULL && c->version != NULL);
	for (i = 0; i < c->nnodes; i++) {
		const struct c_node	*n = &c->nodes[i];

		FUZZ_CHECK(n->name != NULL);
		FUZZ_CHECK(n->nlinks == 0 || n->links != NULL);
		FUZZ_CHECK(cache_node(n->index) != NULL);
		FUZZ_CHECK(cache_node_by_name(n->name) != NULL);
		for (j = 0; j < n->nlinks; j++)
			FUZZ_CHECK(n->links[j].name != NULL);
	}
	for (i = 0; i < c->ngroups; i++) {
		const struct c_group	*g = &c->groups[i];

		FUZZ_CHECK(g->name && g->preferred && g->owner && g->target);
		FUZZ_CHECK(cache_group(g->index) != NULL);
		(void)cache_group_failures(g);
		FUZZ_CHECK(cache_admin_owner(g) != NULL);
		for (j = 0; j < g->nrsc; j++)
			FUZZ_CHECK(g->rsc[j].name != NULL);
	}
	(void)cache_daemon();
}

/* hbdlink.c's on_ok() and on_event() */
static void
snmp_consume(int type, const struct jval *v, int *up)
{
	const struct jval	*snap;
	char			 err[160];
	int64_t			 now = 1000000;

	if (type == CTL_OK && *up) {
		(void)cache_load(v, now, err, sizeof(err));
	} else if (type == CTL_OK) {
		snap = json_get(v, "snapshot");
		if (cache_load(snap, now, err, sizeof(err)) == 0) {
			FUZZ_CHECK(cache_get() != NULL);
			*up = 1;
			cache_set_reachable(now, json_get_int(snap, "mono_ms",
			    now));
		}
	} else if (type == CTL_EVENT && *up)
		cache_apply_event(v);
	walk_cache();
}

/* The client: the same stream in pieces. */
static int
client(const uint8_t *data, size_t size, const struct seen *s, int ns)
{
	struct ctl_conn	 c;
	struct jval	*v;
	char		 err[256];
	size_t		 off = 0, piece;
	int		 type, r, n = 0, failed = 0, up = 0;

	ctl_conn_init(&c);
	while (off < size && !failed) {
		/* piece sizes from the data itself: 1 to 64 bytes */
		piece = (size_t)(data[off] % 64) + 1;
		if (piece > size - off)
			piece = size - off;
		buf_add(&c.in, data + off, piece);
		off += piece;
		for (;;) {
			r = ctl_take(&c, &type, &v, err, sizeof(err));
			if (r == 0)
				break;
			if (r == -1 && strncmp(err, "protocol error", 14) == 0) {
				failed = 1;
				break;
			}
			if (n < ns) {
				FUZZ_CHECK(s[n].json_ok == (r == 1));
				FUZZ_CHECK(r != 1 || s[n].type == type);
			}
			n++;
			if (r == 1)
				snmp_consume(type, v, &up);
			json_free(v);
		}
	}
	FUZZ_CHECK(n == ns || ns == MAX_SEEN);
	cache_set_unreachable(2000000);		/* frees the cache */
	FUZZ_CHECK(cache_get() == NULL);
	buf_free(&c.in);
	buf_free(&c.out);
	return failed;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct seen	 s[MAX_SEEN];
	int			 ns, bad;

	bad = server(data, size, s, &ns);
	FUZZ_CHECK(client(data, size, s, ns) == bad);
	return 0;
}
