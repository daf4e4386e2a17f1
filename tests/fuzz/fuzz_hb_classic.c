/*
 * fuzz_hb_classic: heartbeat 3.0.6's message parser (hbd/hb_classic.c) on
 * arbitrary bytes, as a datagram from a heartbeat peer on UDP 694.
 *
 * Properties checked besides "no sanitizer report":
 * - a refused datagram says why; an accepted one has fields whose name
 *   and value lie inside the input, names that are valid, at most
 *   HBC_MAX_FIELDS of them;
 * - a netstring message without nested fields, rebuilt from its fields
 *   with a key (crc, md5, sha1 by the input's last byte), parses to the
 *   same fields plus the classic auth field, and verifies with that key,
 *   and no longer verifies once a byte of its body is flipped;
 * - no strict prefix of a rebuilt message verifies;
 * - verification against hbd's configured keys and the receive-path entry
 *   points (hb_classic_peer_heard, hb_compat_rx) never fail on anything;
 * - the serial line's reader (hbc_serial_feed), fed the input a byte at a
 *   time, only completes messages that start ">>>\n", end "<<<\n" and
 *   fit its buffer; a message rendered for a serial line (hbc_to_classic)
 *   parses back as classic with the same fields (one auth field).
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "conf.h"
#include "fuzz_common.h"
#include "hb_classic.h"
#include "hb_compat.h"

static struct conf	 keys;

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_keys(&keys);
	strcpy(keys.nodes[0], "ha1");
	strcpy(keys.nodes[1], "ha2");
	keys.nnodes = 2;
	keys.local_index = 0;
	return 0;
}

static int
inside(const uint8_t *data, size_t size, const char *p, size_t n)
{
	return (const uint8_t *)p >= data && n <= size &&
	    (const uint8_t *)p - data <= (ptrdiff_t)(size - n);
}

static void
check_fields(const uint8_t *data, size_t size, const struct hbc_msg *m)
{
	size_t	i;
	char	buf[128];
	uint64_t v;

	FUZZ_CHECK(m->nfields <= HBC_MAX_FIELDS);
	FUZZ_CHECK(m->fmt == HBC_FMT_NETSTRING || m->fmt == HBC_FMT_CLASSIC);
	FUZZ_CHECK(m->bodylen <= size);
	for (i = 0; i < m->nfields; i++) {
		const struct hbc_field *f = &m->f[i];

		FUZZ_CHECK(f->namelen >= 1 && f->namelen <= HBC_MAX_NAME);
		FUZZ_CHECK(inside(data, size, f->name, f->namelen));
		FUZZ_CHECK(inside(data, size, f->value, f->valuelen));
		FUZZ_CHECK(f->type >= 0 && f->type <= 9);
		FUZZ_CHECK(memchr(f->name, '=', f->namelen) == NULL);
	}
	(void)hbc_get_str(m, "t", buf, sizeof(buf));
	(void)hbc_get_hex(m, "seq", &v);
	if (m->trailer != NULL)
		FUZZ_CHECK(inside(data, size, m->trailer, m->trailerlen));
}

static void
check_rebuild(const struct hbc_msg *m, uint8_t sel)
{
	static const char *const key[] = { "", "md5-key", "sha1-key" };
	static const enum hbc_method meth[] = { HBC_AUTH_CRC, HBC_AUTH_MD5,
	    HBC_AUTH_SHA1 };
	static char	 buf[HBC_MAX_PACKET];
	struct hbc_builder b;
	struct hbc_msg	 r;
	const char	*why;
	size_t		 i, j, nf = 0;
	long		 n;
	int		 k = sel % 3;

	if (m->fmt != HBC_FMT_NETSTRING)
		return;
	hbc_build_start(&b, buf, sizeof(buf));
	for (i = 0; i < m->nfields; i++) {
		char	 name[HBC_MAX_NAME + 1];

		if (m->f[i].type > HBC_FT_BINARY)
			return;
		if (m->f[i].namelen == 4 && memcmp(m->f[i].name, "auth",
		    4) == 0)
			continue;
		memcpy(name, m->f[i].name, m->f[i].namelen);
		name[m->f[i].namelen] = '\0';
		hbc_build_add(&b, m->f[i].type, name, m->f[i].value,
		    m->f[i].valuelen);
		nf++;
	}
	if (nf + 1 > HBC_MAX_FIELDS)
		return;
	n = hbc_build_finish(&b, meth[k], 1, key[k], strlen(key[k]));
	if (n < 0)
		return;			/* did not fit */
	FUZZ_CHECK(hbc_parse(buf, (size_t)n, &r, &why) == 0);
	FUZZ_CHECK(r.nfields == nf + 1);
	for (i = 0, j = 0; i < m->nfields; i++) {
		if (m->f[i].namelen == 4 && memcmp(m->f[i].name, "auth",
		    4) == 0)
			continue;
		FUZZ_CHECK(r.f[j].namelen == m->f[i].namelen);
		FUZZ_CHECK(memcmp(r.f[j].name, m->f[i].name,
		    m->f[i].namelen) == 0);
		FUZZ_CHECK(r.f[j].valuelen == m->f[i].valuelen);
		FUZZ_CHECK(memcmp(r.f[j].value, m->f[i].value,
		    m->f[i].valuelen) == 0);
		FUZZ_CHECK(r.f[j].type == m->f[i].type);
		j++;
	}
	FUZZ_CHECK(hbc_verify(&r, meth[k], key[k], strlen(key[k]),
	    &why) == 0);
	/* a prefix never verifies */
	if (hbc_parse(buf, (size_t)n - 1, &r, &why) == 0)
		FUZZ_CHECK(hbc_verify(&r, meth[k], key[k], strlen(key[k]),
		    &why) == -1);
	/* one body byte changed: refused, or no longer the same digest */
	buf[4 + (sel % (r.bodylen - 4))] ^= 0x20;
	if (hbc_parse(buf, (size_t)n, &r, &why) == 0)
		FUZZ_CHECK(hbc_verify(&r, meth[k], key[k], strlen(key[k]),
		    &why) == -1);
}

static void
serial_check(const uint8_t *data, size_t size)
{
	static struct hbc_serial_dec	 d;
	static char			 out[2 * HBC_MAX_PACKET];
	struct hbc_msg			 a, b;
	size_t				 i, auths;
	long				 n;

	memset(&d, 0, sizeof(d));
	for (i = 0; i < size; i++)
		if (hbc_serial_feed(&d, data[i]) == 1) {
			FUZZ_CHECK(d.len >= 8 && d.len <= sizeof(d.buf));
			FUZZ_CHECK(memcmp(d.buf, ">>>\n", 4) == 0);
			FUZZ_CHECK(memcmp(d.buf + d.len - 4, "<<<\n", 4) == 0);
			(void)hbc_parse(d.buf, d.len, &b, NULL);
		}
	n = hbc_to_classic(data, size, out, sizeof(out));
	if (n < 0)
		return;
	FUZZ_CHECK(hbc_parse(data, size, &a, NULL) == 0);
	FUZZ_CHECK(n > 1 && out[0] == '\n');
	FUZZ_CHECK(hbc_parse(out + 1, (size_t)n - 1, &b, NULL) == 0);
	/* every field once, but of several auth fields only the first */
	for (i = 0, auths = 0; i < a.nfields; i++)
		auths += a.f[i].namelen == 4 && memcmp(a.f[i].name, "auth",
		    4) == 0;
	FUZZ_CHECK(auths >= 1);
	FUZZ_CHECK(b.fmt == HBC_FMT_CLASSIC &&
	    b.nfields == a.nfields - auths + 1);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hbc_msg	 m;
	struct hb_msg	 hm;
	struct hbv1_msg	 hv;
	const char	*why = NULL;
	char		 node[64];

	serial_check(data, size);
	if (hbc_parse(data, size, &m, &why) == -1) {
		FUZZ_CHECK(why != NULL);
		FUZZ_CHECK(hb_classic_peer_heard(&keys, data, size, node,
		    sizeof(node)) == 0);
		return 0;
	}
	check_fields(data, size, &m);
	(void)hbc_verify_conf(&keys, &m, &why);
	(void)hb_classic_peer_heard(&keys, data, size, node, sizeof(node));
	if (hb_compat_rx(&keys, data, size, &hm, &hv) == 1) {
		FUZZ_CHECK(hm.status >= HB_ST_INIT && hm.status <= HB_ST_LEFT);
		FUZZ_CHECK(hv.hold >= -1 && hv.hold <= HV_ALL);
		FUZZ_CHECK(hv.type >= HV_NONE && hv.type <= HV_SHUTDONE);
	}
	check_rebuild(&m, size ? data[size - 1] : 0);
	return 0;
}
