/*
 * hb_classic: heartbeat 3.0.6's messages, bytes <-> fields. See
 * hb_classic.h and docs/heartbeat-protocol.md. Written from the format as
 * documented there and checked against captures of two real heartbeat
 * 3.0.6 nodes (tests/unit/test_hb_classic.c); no heartbeat code.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "hb_classic.h"

#define NS_START	"###\n"
#define NS_END		"%%%\n"
#define CL_START	">>>\n"
#define CL_END		"<<<\n"
#define MARK_LEN	4

/* the classic rendering of a message never exceeds this (heartbeat's own
 * limit for one message is larger, but a datagram is 64 KiB at most) */
#define RENDER_MAX	(HBC_MAX_PACKET / 2 * 3)

static int
fail(const char **why, const char *reason)
{
	if (why)
		*why = reason;
	return -1;
}

static int
valid_name(const char *n, size_t len)
{
	size_t	i;

	if (len == 0 || len > HBC_MAX_NAME)
		return 0;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)n[i];

		if (!(isalnum(c) || c == '_' || c == '-' || c == '.'))
			return 0;
	}
	return 1;
}

/* "(N)" at p (room: n bytes): the type, or -1 */
static int
type_prefix(const char *p, size_t n)
{
	if (n < 3 || p[0] != '(' || p[2] != ')' || p[1] < '0' || p[1] > '9')
		return -1;
	return p[1] - '0';
}

/* LEN ":" at p: the length and the offset of the data, or -1 */
static int
ns_len(const char *p, size_t n, size_t *len, size_t *off)
{
	size_t	i, v = 0;

	for (i = 0; i < n && i < 7 && p[i] >= '0' && p[i] <= '9'; i++)
		v = v * 10 + (size_t)(p[i] - '0');
	if (i == 0 || i >= n || p[i] != ':')
		return -1;
	if (i > 1 && p[0] == '0')
		return -1;		/* no leading zeros */
	*len = v;
	*off = i + 1;
	return 0;
}

static int
add_field(struct hbc_msg *m, const char *nv, size_t nvlen, int type,
    int typed, const char **why)
{
	const char	*eq;
	struct hbc_field *f;

	if (m->nfields == HBC_MAX_FIELDS)
		return fail(why, "too many fields");
	eq = memchr(nv, '=', nvlen);
	if (eq == NULL)
		return fail(why, "a field without '='");
	if (!valid_name(nv, (size_t)(eq - nv)))
		return fail(why, "a bad field name");
	f = &m->f[m->nfields++];
	memset(f, 0, sizeof(*f));
	f->name = nv;
	f->namelen = (size_t)(eq - nv);
	f->value = eq + 1;
	f->valuelen = nvlen - f->namelen - 1;
	f->type = type;
	f->typed = typed;
	return 0;
}

static int
parse_netstring(const char *p, size_t len, struct hbc_msg *m,
    const char **why)
{
	size_t	off = MARK_LEN, l, d;

	for (;;) {
		if (len - off >= MARK_LEN && memcmp(p + off, NS_END,
		    MARK_LEN) == 0)
			break;
		if (ns_len(p + off, len - off, &l, &d) < 0)
			return fail(why, "a field without a length");
		off += d;
		if (l > len - off || len - off - l < 1)
			return fail(why, "a field runs past the end");
		if (p[off + l] != ',')
			return fail(why, "a field without its ','");
		{
			int t = type_prefix(p + off, l);

			if (t < 0)
				return fail(why, "a field without its (type)");
			if (add_field(m, p + off + 3, l - 3, t, 1, why) < 0)
				return -1;
		}
		off += l + 1;
		if (off >= len)
			return fail(why, "no end of message");
	}
	off += MARK_LEN;
	m->body = p;
	m->bodylen = off;
	if (off == len)
		return 0;		/* unsigned: hbc_auth_of says so */
	if (ns_len(p + off, len - off, &l, &d) < 0)
		return fail(why, "a bad auth trailer");
	off += d;
	if (l > len - off || len - off - l != 1 || p[off + l] != ',')
		return fail(why, "a bad auth trailer");
	m->trailer = p + off;
	m->trailerlen = l;
	return 0;
}

static int
parse_classic(const char *p, size_t len, struct hbc_msg *m,
    const char **why)
{
	size_t	off = MARK_LEN;

	for (;;) {
		const char	*nl;
		size_t		 l;
		int		 t;

		if (off >= len)
			return fail(why, "no end of message");
		if (len - off >= MARK_LEN && memcmp(p + off, CL_END,
		    MARK_LEN) == 0)
			break;
		nl = memchr(p + off, '\n', len - off);
		if (nl == NULL)
			return fail(why, "a line without its newline");
		l = (size_t)(nl - (p + off));
		if (memchr(p + off, '\0', l) != NULL)
			return fail(why, "a NUL inside a line");
		if (l == 0 || (l == 1 && p[off] == '\r')) {
			off += l + 1;	/* heartbeat skips empty lines */
			continue;
		}
		t = type_prefix(p + off, l);
		if (t > HBC_FT_BINARY)
			return fail(why, "a nested field in a classic message");
		if (add_field(m, p + off + (t < 0 ? 0 : 3),
		    l - (t < 0 ? 0 : 3), t < 0 ? 0 : t, t >= 0, why) < 0)
			return -1;
		m->f[m->nfields - 1].line = p + off;
		m->f[m->nfields - 1].linelen = l;
		off += l + 1;
	}
	off += MARK_LEN;
	/* heartbeat sends the terminating NUL of its string */
	if (off < len && !(off + 1 == len && p[off] == '\0'))
		return fail(why, "bytes after the end of message");
	m->body = p;
	m->bodylen = off;
	return 0;
}

int
hbc_parse(const void *pkt, size_t len, struct hbc_msg *m, const char **why)
{
	const char	*p = pkt;

	memset(m, 0, sizeof(*m));
	if (pkt == NULL || len < 2 * MARK_LEN)
		return fail(why, "too short");
	if (len > HBC_MAX_PACKET)
		return fail(why, "too long");
	if (memcmp(p, NS_START, MARK_LEN) == 0) {
		m->fmt = HBC_FMT_NETSTRING;
		return parse_netstring(p, len, m, why);
	}
	if (memcmp(p, CL_START, MARK_LEN) == 0) {
		m->fmt = HBC_FMT_CLASSIC;
		return parse_classic(p, len, m, why);
	}
	return fail(why, "not a heartbeat message");
}

const struct hbc_field *
hbc_get(const struct hbc_msg *m, const char *name)
{
	size_t	i, n = strlen(name);

	for (i = 0; i < m->nfields; i++)
		if (m->f[i].namelen == n && memcmp(m->f[i].name, name, n) == 0)
			return &m->f[i];
	return NULL;
}

int
hbc_get_str(const struct hbc_msg *m, const char *name, char *buf,
    size_t buflen)
{
	const struct hbc_field *f = hbc_get(m, name);

	if (f == NULL || f->type != HBC_FT_STRING || f->valuelen >= buflen ||
	    memchr(f->value, '\0', f->valuelen) != NULL)
		return -1;
	memcpy(buf, f->value, f->valuelen);
	buf[f->valuelen] = '\0';
	return 0;
}

int
hbc_get_hex(const struct hbc_msg *m, const char *name, uint64_t *v)
{
	const struct hbc_field *f = hbc_get(m, name);
	size_t	i;
	uint64_t x = 0;

	if (f == NULL || f->type != HBC_FT_STRING || f->valuelen == 0 ||
	    f->valuelen > 16)
		return -1;
	for (i = 0; i < f->valuelen; i++) {
		int c = (unsigned char)f->value[i], d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return -1;
		x = x << 4 | (uint64_t)d;
	}
	*v = x;
	return 0;
}

/* ------------------------------------------------------------ digests */

uint32_t
hbc_crc(const void *data, size_t len)
{
	static const uint32_t poly = 0x04c11db7u;
	const unsigned char *b = data;
	uint32_t c = 0;
	size_t	 i;
	int	 k;

	/* bitwise, MSB first: the packets are small and rare */
	for (i = 0; i < len; i++) {
		c ^= (uint32_t)b[i] << 24;
		for (k = 0; k < 8; k++)
			c = c & 0x80000000u ? c << 1 ^ poly : c << 1;
	}
	return ~c;
}

static void
to_hex(const unsigned char *d, size_t n, char *hex)
{
	static const char digits[] = "0123456789abcdef";
	size_t	i;

	for (i = 0; i < n; i++) {
		hex[2 * i] = digits[d[i] >> 4];
		hex[2 * i + 1] = digits[d[i] & 15];
	}
	hex[2 * n] = '\0';
}

int
hbc_digest(enum hbc_method meth, const void *key, size_t keylen,
    const void *data, size_t len, char *hex, size_t hexlen)
{
	unsigned char	 md[EVP_MAX_MD_SIZE];
	unsigned int	 mdlen = 0;
	const EVP_MD	*evp;
	const char	*k = key;
	int		 n;

	switch (meth) {
	case HBC_AUTH_CRC:
		n = snprintf(hex, hexlen, "%lx", (unsigned long)hbc_crc(data,
		    len));
		return n > 0 && (size_t)n < hexlen ? n : -1;
	case HBC_AUTH_MD5:
		evp = EVP_md5();
		break;
	case HBC_AUTH_SHA1:
		evp = EVP_sha1();
		break;
	default:
		return -1;
	}
	/* heartbeat takes the key as a C string */
	if (k != NULL && memchr(k, '\0', keylen) != NULL)
		keylen = strlen(k);
	if (HMAC(evp, k ? k : "", (int)keylen, data, len, md, &mdlen) == NULL)
		return -1;
	if (hexlen < 2 * (size_t)mdlen + 1)
		return -1;
	to_hex(md, mdlen, hex);
	return (int)(2 * mdlen);
}

int
hbc_base64(const void *in, size_t len, char *out, size_t outlen)
{
	static const char a[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char *b = in;
	size_t	i, o = 0;

	if (outlen < (len + 2) / 3 * 4 + 1)
		return -1;
	for (i = 0; i + 2 < len; i += 3) {
		uint32_t v = (uint32_t)b[i] << 16 | (uint32_t)b[i + 1] << 8 |
		    b[i + 2];

		out[o++] = a[v >> 18 & 63];
		out[o++] = a[v >> 12 & 63];
		out[o++] = a[v >> 6 & 63];
		out[o++] = a[v & 63];
	}
	if (i < len) {
		uint32_t v = (uint32_t)b[i] << 16;

		if (i + 1 < len)
			v |= (uint32_t)b[i + 1] << 8;
		out[o++] = a[v >> 18 & 63];
		out[o++] = a[v >> 12 & 63];
		out[o++] = i + 1 < len ? a[v >> 6 & 63] : '=';
		out[o++] = '=';
	}
	out[o] = '\0';
	return (int)o;
}

/*
 * The classic rendering of the fields but "auth": what heartbeat's classic
 * auth field signs. Binary fields become "(1)name=BASE64"; a classic
 * message's own lines are taken as they came. Nested types cannot be
 * rendered here (-1).
 */
static long
render_classic(const struct hbc_msg *m, char *out, size_t cap)
{
	size_t	i, o = 0;

	for (i = 0; i < m->nfields; i++) {
		const struct hbc_field *f = &m->f[i];

		if (f->namelen == 4 && memcmp(f->name, "auth", 4) == 0)
			continue;
		if (f->line != NULL) {
			if (cap - o < f->linelen + 1)
				return -1;
			memcpy(out + o, f->line, f->linelen);
			o += f->linelen;
		} else if (f->type == HBC_FT_STRING) {
			if (cap - o < f->namelen + f->valuelen + 2)
				return -1;
			memcpy(out + o, f->name, f->namelen);
			o += f->namelen;
			out[o++] = '=';
			memcpy(out + o, f->value, f->valuelen);
			o += f->valuelen;
		} else if (f->type == HBC_FT_BINARY) {
			int n;

			if (cap - o < f->namelen + 5)
				return -1;
			memcpy(out + o, "(1)", 3);
			o += 3;
			memcpy(out + o, f->name, f->namelen);
			o += f->namelen;
			out[o++] = '=';
			n = hbc_base64(f->value, f->valuelen, out + o, cap - o);
			if (n < 0)
				return -1;
			o += (size_t)n;
		} else
			return -1;
		if (cap - o < 1)
			return -1;
		out[o++] = '\n';
	}
	return (long)o;
}

/* "N digest" -> index, digest */
static int
split_auth(const char *s, size_t n, int *index, const char **digest,
    size_t *dlen, const char **why)
{
	size_t	i = 0;
	int	v = 0;

	while (i < n && i < 3 && s[i] >= '0' && s[i] <= '9')
		v = v * 10 + (s[i++] - '0');
	if (i == 0 || i >= n || s[i] != ' ')
		return fail(why, "a bad auth string");
	i++;
	if (i == n || n - i > HBC_MAX_DIGEST_HEX)
		return fail(why, "a bad auth digest");
	*index = v;
	*digest = s + i;
	*dlen = n - i;
	for (; i < n; i++)
		if (!isxdigit((unsigned char)s[i]))
			return fail(why, "a bad auth digest");
	return 0;
}

int
hbc_auth_of(const struct hbc_msg *m, int *index, const char **digest,
    size_t *dlen, const char **why)
{
	const struct hbc_field *f;

	if (m->fmt == HBC_FMT_NETSTRING) {
		if (m->trailer == NULL)
			return fail(why, "no auth trailer");
		return split_auth(m->trailer, m->trailerlen, index, digest,
		    dlen, why);
	}
	f = hbc_get(m, "auth");
	if (f == NULL || f->type != HBC_FT_STRING)
		return fail(why, "no auth field");
	return split_auth(f->value, f->valuelen, index, digest, dlen, why);
}

int
hbc_verify(const struct hbc_msg *m, enum hbc_method meth, const void *key,
    size_t keylen, const char **why)
{
	char		 render[RENDER_MAX];
	char		 hex[HBC_MAX_DIGEST_HEX + 1];
	const char	*digest;
	size_t		 dlen;
	int		 index, n;

	if (hbc_auth_of(m, &index, &digest, &dlen, why) < 0)
		return -1;
	if (m->fmt == HBC_FMT_NETSTRING)
		n = hbc_digest(meth, key, keylen, m->body, m->bodylen, hex,
		    sizeof(hex));
	else {
		long r = render_classic(m, render, sizeof(render));

		if (r < 0)
			return fail(why, "cannot render the message");
		n = hbc_digest(meth, key, keylen, render, (size_t)r, hex,
		    sizeof(hex));
	}
	if (n < 0)
		return fail(why, "cannot compute the digest");
	/* heartbeat compares the strings exactly (strcmp) */
	if ((size_t)n != dlen || CRYPTO_memcmp(hex, digest, dlen) != 0)
		return fail(why, "bad digest");
	return 0;
}

int
hbc_method_of(enum auth_method a, enum hbc_method *m)
{
	switch (a) {
	case AUTH_CRC:
		*m = HBC_AUTH_CRC;
		return 0;
	case AUTH_MD5:
		*m = HBC_AUTH_MD5;
		return 0;
	case AUTH_SHA1:
		*m = HBC_AUTH_SHA1;
		return 0;
	default:
		return -1;
	}
}

int
hbc_verify_conf(const struct conf *c, const struct hbc_msg *m,
    const char **why)
{
	const char	*digest;
	size_t		 dlen;
	int		 index, i;

	if (hbc_auth_of(m, &index, &digest, &dlen, why) < 0)
		return -1;
	for (i = 0; i < c->nkeys; i++) {
		const struct conf_key *k = &c->keys[i];
		enum hbc_method meth;

		if (k->index != index)
			continue;
		if (hbc_method_of(k->method, &meth) < 0)
			return fail(why, "the key's method is not heartbeat's");
		/* anyone can compute a crc: only the signing key is trusted,
		 * as for hbd's own packets (auth.c) */
		if (meth == HBC_AUTH_CRC && index != c->auth_use)
			return fail(why, "a crc key that is not the signing "
			    "key");
		return hbc_verify(m, meth, k->secret, k->secretlen, why);
	}
	return fail(why, "no key with the packet's index");
}

/* ------------------------------------------------------------ building */

static void
put(struct hbc_builder *b, const void *p, size_t n)
{
	if (b->err || b->cap - b->len < n) {
		b->err = 1;
		return;
	}
	memcpy(b->buf + b->len, p, n);
	b->len += n;
}

void
hbc_build_start(struct hbc_builder *b, void *buf, size_t cap)
{
	b->buf = buf;
	b->cap = cap;
	b->len = 0;
	b->err = 0;
	put(b, NS_START, MARK_LEN);
}

void
hbc_build_add(struct hbc_builder *b, int type, const char *name,
    const void *value, size_t valuelen)
{
	char	head[32];
	size_t	nlen = name ? strlen(name) : 0;
	int	n;

	if (type < 0 || type > 9 || !valid_name(name, nlen) ||
	    valuelen > HBC_MAX_PACKET) {
		b->err = 1;
		return;
	}
	n = snprintf(head, sizeof(head), "%zu:(%d)", 3 + nlen + 1 + valuelen,
	    type);
	put(b, head, (size_t)n);
	put(b, name, nlen);
	put(b, "=", 1);
	put(b, value, valuelen);
	put(b, ",", 1);
}

void
hbc_build_str(struct hbc_builder *b, const char *name, const char *value)
{
	hbc_build_add(b, HBC_FT_STRING, name, value, strlen(value));
}

long
hbc_build_finish(struct hbc_builder *b, enum hbc_method meth, int index,
    const void *key, size_t keylen)
{
	char		 render[RENDER_MAX];
	struct hbc_msg	 m;
	char		 hex[HBC_MAX_DIGEST_HEX + 1], auth[HBC_MAX_DIGEST_HEX + 8];
	char		 head[16];
	size_t		 bodylen;
	long		 r;
	int		 n;

	if (b->err || index < 0 || index > 999)
		return -1;
	/* the fields so far, as a message, for the classic auth field */
	put(b, NS_END, MARK_LEN);
	if (b->err || hbc_parse(b->buf, b->len, &m, NULL) < 0)
		return -1;
	r = render_classic(&m, render, sizeof(render));
	b->len -= MARK_LEN;
	if (r < 0 || hbc_digest(meth, key, keylen, render, (size_t)r, hex,
	    sizeof(hex)) < 0)
		return -1;
	n = snprintf(auth, sizeof(auth), "%d %s", index, hex);
	hbc_build_add(b, HBC_FT_STRING, "auth", auth, (size_t)n);
	put(b, NS_END, MARK_LEN);
	if (b->err)
		return -1;
	bodylen = b->len;
	if (hbc_digest(meth, key, keylen, b->buf, bodylen, hex,
	    sizeof(hex)) < 0)
		return -1;
	n = snprintf(auth, sizeof(auth), "%d %s", index, hex);
	r = snprintf(head, sizeof(head), "%d:", n);
	put(b, head, (size_t)r);
	put(b, auth, (size_t)n);
	put(b, ",", 1);
	return b->err ? -1 : (long)b->len;
}

/* ------------------------------------------------------- serial lines */

long
hbc_to_classic(const void *pkt, size_t len, char *out, size_t cap)
{
	const struct hbc_field	*auth;
	struct hbc_msg		 m;
	long			 r;
	size_t			 o, i;

	if (hbc_parse(pkt, len, &m, NULL) < 0)
		return -1;
	for (i = 0; i < m.nfields; i++)		/* not representable */
		if (m.f[i].type == HBC_FT_STRING &&
		    (memchr(m.f[i].value, '\n', m.f[i].valuelen) != NULL ||
		    memchr(m.f[i].value, '\0', m.f[i].valuelen) != NULL))
			return -1;
	auth = hbc_get(&m, "auth");
	if (auth == NULL || auth->type != HBC_FT_STRING ||
	    memchr(auth->value, '\n', auth->valuelen) != NULL)
		return -1;
	if (cap < 1 + MARK_LEN)
		return -1;
	/* a line of its own whatever the line carried before */
	out[0] = '\n';
	memcpy(out + 1, CL_START, MARK_LEN);
	o = 1 + MARK_LEN;
	if ((r = render_classic(&m, out + o, cap - o)) < 0)
		return -1;
	o += (size_t)r;
	if (cap - o < 5 + auth->valuelen + 1 + MARK_LEN)
		return -1;
	memcpy(out + o, "auth=", 5);
	o += 5;
	memcpy(out + o, auth->value, auth->valuelen);
	o += auth->valuelen;
	out[o++] = '\n';
	memcpy(out + o, CL_END, MARK_LEN);
	o += MARK_LEN;
	return (long)o;
}

int
hbc_serial_feed(struct hbc_serial_dec *d, uint8_t c)
{
	size_t	l;

	if (d->done) {			/* the last message was taken */
		d->done = 0;
		d->in = 0;
		d->len = 0;
		d->pre = 0;
	}
	c &= 0x7f;			/* ISTRIP, as heartbeat reads */
	if (c == '\r')
		return 0;		/* IGNCR */
	if (!d->in) {
		/* outside a message: only whether a line starts ">>>" */
		if (c == '\n') {
			if (d->pre == 3) {
				memcpy(d->buf, CL_START, MARK_LEN);
				d->len = MARK_LEN;
				d->line = d->len;
				d->in = 1;
			}
			d->pre = 0;
		} else if (d->pre >= 0 && d->pre < 3)
			d->pre = c == '>' ? d->pre + 1 : -1;
		return 0;
	}
	if (d->len == sizeof(d->buf)) {
		d->in = 0;		/* too long: dropped, as heartbeat */
		d->len = 0;
		d->pre = c == '\n' ? 0 : -1;
		return -1;
	}
	d->buf[d->len++] = (char)c;
	if (c != '\n')
		return 0;
	l = d->len - d->line;		/* the line just ended, with its \n */
	if (l > 3 && memcmp(d->buf + d->line, "<<<", 3) == 0) {
		memcpy(d->buf + d->line, CL_END, MARK_LEN);
		d->len = d->line + MARK_LEN;
		d->done = 1;
		return 1;
	}
	if (l > 3 && memcmp(d->buf + d->line, ">>>", 3) == 0) {
		memcpy(d->buf, CL_START, MARK_LEN);	/* a new start */
		d->len = MARK_LEN;
	}
	d->line = d->len;
	return 0;
}
