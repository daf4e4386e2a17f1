/*
 * fuzz_common: the configuration targets' private directory and the
 * invariants every successfully loaded struct conf must satisfy. A
 * violated invariant aborts: hbd would run with a model the rest of the
 * daemon does not expect (an index out of range, a group without
 * resources, no signing key).
 */
#include "config.h"

#include <sys/stat.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth.h"
#include "conf.h"
#include "fence.h"
#include "fuzz_common.h"

#ifndef FUZZ_AGENTDIR
#define FUZZ_AGENTDIR	"/nonexistent"
#endif

const char fuzz_good_hacf[] =
	"logfacility daemon\n"
	"keepalive 1\n"
	"warntime 3\n"
	"deadtime 10\n"
	"initdead 30\n"
	"udpport 694\n"
	"bcast eth0\n"
	"ucast eth1 192.168.201.1\n"
	"ucast eth1 192.168.201.2\n"
	"node ha1 ha2\n"
	"auto_failback on\n"
	"ping 192.0.2.1\n";

const char fuzz_good_haresources[] =
	"ha1 192.168.1.100 Filesystem::/dev/sdb1::/srv/ha::ext4 Dummy\n"
	"ha2 IPaddr::10.0.0.2/24/eth0 ocf:heartbeat:Dummy::state=/tmp/x\n";

const char fuzz_good_authkeys[] =
	"auth 1\n"
	"1 sha256 0123456789abcdef0123456789abcdef\n"
	"2 md5 rotated-out-key\n";

/* conf files a target may write; removed at exit */
static const char *const known_files[] = {
	"ha.cf", "haresources", "authkeys", "hbd.conf"
};

static char	 dir[256];
static FILE	*devnull;

void
fuzz_fail(const char *file, int line, const char *what)
{
	fprintf(stderr, "%s:%d: property violated: %s\n", file, line, what);
	abort();
}

static void
cleanup(void)
{
	char	 p[512];
	size_t	 i;

	if (dir[0] == '\0')
		return;
	for (i = 0; i < sizeof(known_files) / sizeof(known_files[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, known_files[i]);
		unlink(p);
	}
	rmdir(dir);
	dir[0] = '\0';
}

static const char *
fuzz_dir(void)
{
	const char	*t;

	if (dir[0])
		return dir;
	if ((t = getenv("TMPDIR")) == NULL || *t == '\0')
		t = "/tmp";
	snprintf(dir, sizeof(dir), "%s/hbd-fuzz.XXXXXX", t);
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		abort();
	}
	atexit(cleanup);
	return dir;
}

void
fuzz_write(const char *name, const void *p, size_t n)
{
	char		 path[512];
	const char	*b = p;
	ssize_t		 w;
	int		 fd;

	snprintf(path, sizeof(path), "%s/%s", fuzz_dir(), name);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0600)) == -1) {
		perror(path);
		abort();
	}
	while (n > 0) {
		if ((w = write(fd, b, n)) == -1) {
			if (errno == EINTR)
				continue;
			perror(path);
			abort();
		}
		b += w;
		n -= (size_t)w;
	}
	close(fd);
}

static void
add_key(struct conf *c, int index, enum auth_method m, const char *secret,
    size_t len)
{
	struct conf_key	*k = &c->keys[c->nkeys++];

	k->index = index;
	k->method = m;
	memcpy(k->secret, secret, len);
	k->secretlen = len;
}

void
fuzz_keys(struct conf *c)
{
	char	 longkey[255];

	memset(c, 0, sizeof(*c));
	memset(longkey, 'k', sizeof(longkey));
	add_key(c, 1, AUTH_CRC, "", 0);
	add_key(c, 2, AUTH_MD5, "md5-secret", 10);
	add_key(c, 3, AUTH_SHA1, "sha1-secret", 11);
	add_key(c, 4, AUTH_SHA256, "0123456789abcdef0123456789abcdef", 32);
	add_key(c, 5, AUTH_SHA512, "sha512-secret", 13);
	add_key(c, 6, AUTH_SHA256, "old-key-old-key", 15);
	add_key(c, 6, AUTH_MD5, "new-key-new-key", 15);
	add_key(c, 15, AUTH_SHA512, longkey, sizeof(longkey));
	c->auth_use = 4;
}

static void
check_diag(const struct conf_diag *d)
{
	int	 i, errors = 0, warnings = 0;

	FUZZ_CHECK(d->nmsgs >= 0);
	for (i = 0; i < d->nmsgs; i++) {
		FUZZ_CHECK(d->msgs[i].file != NULL);
		FUZZ_CHECK(d->msgs[i].text != NULL);
		FUZZ_CHECK(d->msgs[i].line >= 0);
		if (d->msgs[i].warning)
			warnings++;
		else
			errors++;
	}
	FUZZ_CHECK(errors == d->nerrors);
	FUZZ_CHECK(warnings == d->nwarnings);
}

static void
check_str(const char *s, size_t max)
{
	FUZZ_CHECK(s != NULL);
	FUZZ_CHECK(strnlen(s, max) < max);
}

static void
check_groups(const struct conf *c)
{
	int	 i, j, k;

	FUZZ_CHECK(c->ngroups >= 0 && c->ngroups <= HBD_MAX_GROUPS);
	for (i = 0; i < c->ngroups; i++) {
		const struct conf_group	*g = &c->groups[i];

		FUZZ_CHECK(g->name != NULL && g->name[0] != '\0');
		FUZZ_CHECK(g->id == conf_hash(g->name));
		FUZZ_CHECK(g->preferred >= 0 && g->preferred < c->nnodes);
		FUZZ_CHECK(g->nrsc >= 1 && g->nrsc <= HBD_MAX_RSC);
		FUZZ_CHECK(conf_group_index(c, g->name) == i);
		for (j = 0; j < g->nrsc; j++) {
			const struct conf_rsc	*r = &g->rsc[j];

			FUZZ_CHECK(r->spec != NULL && r->type != NULL);
			FUZZ_CHECK(r->type[0] != '\0');
			FUZZ_CHECK(r->kind != RSC_OCF || r->provider != NULL);
			FUZZ_CHECK(r->nargs >= 0 &&
			    r->nargs <= HBD_MAX_RSC_ARGS);
			for (k = 0; k < r->nargs; k++)
				FUZZ_CHECK(r->args[k] != NULL);
		}
	}
}

static void
check_keys(const struct conf *c)
{
	uint8_t	 d[AUTH_MAX_DIGEST];
	int	 i, n, signer = -1;

	FUZZ_CHECK(c->nkeys >= 1 && c->nkeys <= HBD_MAX_KEYS);
	for (i = 0; i < c->nkeys; i++) {
		/* heartbeat's range, 0-15 (issue 18) */
		FUZZ_CHECK(c->keys[i].index >= 0 &&
		    c->keys[i].index <= HBD_MAX_KEY_INDEX);
		FUZZ_CHECK(c->keys[i].secretlen < sizeof(c->keys[i].secret));
		FUZZ_CHECK(c->keys[i].method != AUTH_CRC ||
		    c->keys[i].secretlen == 0);
		if (c->keys[i].index == c->auth_use && signer < 0)
			signer = i;
	}
	/* a daemon that loaded this must be able to sign its heartbeats */
	FUZZ_CHECK(signer >= 0);
	n = auth_sign(c, c->auth_use, "hb", 2, d);
	FUZZ_CHECK(n == auth_digest_len(c->keys[signer].method));
	FUZZ_CHECK(auth_verify(c, c->auth_use, "hb", 2, d, (size_t)n) == 0);
}

/*
 * A loaded configuration's fence command lines fit the arrays fence_run
 * passes: heap arrays of exactly that size, so ASan sees one slot more.
 */
static void
check_fence(const struct conf *c)
{
	char	**argv, *params;
	int	 i, n;

	argv = calloc(FENCE_ARGV_MAX, sizeof(char *));
	params = malloc(FENCE_PARAMS_MAX);
	if (argv == NULL || params == NULL)
		abort();
	for (i = c->fence_argc > 0 ? -1 : 0; i < c->nstonith; i++) {
		if (i >= 0)
			FUZZ_CHECK(c->stonith[i].nparams <=
			    HBD_MAX_STONITH_PARAMS);
		n = fence_argv(c, i, c->nodes[0], argv, FENCE_ARGV_MAX,
		    params, FENCE_PARAMS_MAX);
		FUZZ_CHECK(n >= 3 && n < FENCE_ARGV_MAX);
		FUZZ_CHECK(argv[n] == NULL);
		FUZZ_CHECK(strcmp(argv[n - 1], c->nodes[0]) == 0);
	}
	free(argv);
	free(params);
}

static void
check_conf(const struct conf *c)
{
	int	 i;

	check_str(c->cluster, sizeof(c->cluster));
	FUZZ_CHECK(c->cluster_id == conf_hash(c->cluster));
	FUZZ_CHECK(c->nnodes >= 1 && c->nnodes <= HBD_MAX_NODES);
	for (i = 0; i < c->nnodes; i++) {
		check_str(c->nodes[i], HBD_MAX_NAME);
		FUZZ_CHECK(c->nodes[i][0] != '\0');
		FUZZ_CHECK(conf_node_index(c, c->nodes[i]) == i);
	}
	FUZZ_CHECK(c->local_index >= 0 && c->local_index < c->nnodes);
	FUZZ_CHECK(c->nnodes < 2 || conf_peer_name(c) != NULL);
	FUZZ_CHECK(c->keepalive_ms > 0);
	FUZZ_CHECK(c->deadtime_ms > 2 * (uint64_t)c->keepalive_ms);
	FUZZ_CHECK(c->initdead_ms >= c->deadtime_ms);
	FUZZ_CHECK(c->nmedia >= 0 && c->nmedia <= HBD_MAX_MEDIA);
	for (i = 0; i < c->nmedia; i++) {
		check_str(c->media[i].name, sizeof(c->media[i].name));
		check_str(c->media[i].ifname, sizeof(c->media[i].ifname));
		check_str(c->media[i].device, sizeof(c->media[i].device));
	}
	FUZZ_CHECK(c->npings >= 0 && c->npings <= HBD_MAX_PING);
	for (i = 0; i < c->npings; i++)
		FUZZ_CHECK(c->pings[i].naddr >= 0 &&
		    c->pings[i].naddr <= HBD_MAX_PING_ADDRS);
	check_groups(c);
	check_keys(c);
	FUZZ_CHECK(c->nrespawn >= 0 && c->nrespawn <= HBD_MAX_RESPAWN);
	for (i = 0; i < c->nrespawn; i++) {
		FUZZ_CHECK(c->respawn[i].argc >= 1);
		FUZZ_CHECK(c->respawn[i].argv[c->respawn[i].argc] == NULL);
		FUZZ_CHECK(c->respawn[i].argv[0][0] == '/');
	}
	FUZZ_CHECK(c->napigroups >= 0 && c->napigroups <= HBD_MAX_APIGROUPS);
	FUZZ_CHECK(c->fence_argc >= 0 && c->fence_argc <= HBD_MAX_FENCE_ARGS);
	FUZZ_CHECK(c->fence_argc == 0 || c->fence_argv[0][0] == '/');
	FUZZ_CHECK(c->nstonith >= 0 &&
	    c->nstonith <= (int)(sizeof(c->stonith) / sizeof(c->stonith[0])));
	FUZZ_CHECK(c->nresource_dirs >= 0 && c->nresource_dirs <=
	    (int)(sizeof(c->resource_dirs) / sizeof(c->resource_dirs[0])));
	FUZZ_CHECK(c->nenv >= 0 && c->nenv <= HBD_MAX_ENV);
	FUZZ_CHECK(c->confdir != NULL);
	check_fence(c);
	conf_dump(c, devnull);
}

void
fuzz_conf_load(int hbdconf)
{
	struct in_addr	 local_addr;
	struct conf_opts o;
	struct conf_diag d;
	struct conf	*c;
	char		 path[512];

	if (devnull == NULL && (devnull = fopen("/dev/null", "w")) == NULL)
		abort();
	memset(&o, 0, sizeof(o));
	if (hbdconf) {
		snprintf(path, sizeof(path), "%s/hbd.conf", fuzz_dir());
		o.conffile = path;
	} else
		o.confdir = fuzz_dir();
	o.local = "ha1";
	o.agentdir = FUZZ_AGENTDIR;
	/*
	 * Our authkeys is ours. hbd.conf may name any host file as authkeys:
	 * as root keep the check, so that (as in production) a device such
	 * as /dev/zero is refused rather than read forever; our own hbd.conf
	 * is 0600 and root's then. A user's run cannot pass the check.
	 */
	o.skip_perm_check = !hbdconf || geteuid() != 0;
	o.no_resolve = 1;	/* no DNS traffic from random words */
	/* ha.cf's "ucast eth1 192.168.201.1" is then our own address */
	inet_pton(AF_INET, "192.168.201.1", &local_addr);
	o.local_addrs = &local_addr;
	o.nlocal_addrs = 1;

	c = conf_load(&o, &d);
	check_diag(&d);
	FUZZ_CHECK((c == NULL) == (d.nerrors > 0));
	conf_diag_print(&d, devnull);
	if (c != NULL)
		check_conf(c);
	conf_free(c);
	conf_diag_free(&d);
}
