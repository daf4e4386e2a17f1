/*
 * ctl_proto: frame encoding and decoding. Every length is checked before
 * it is used; nothing here allocates.
 */
#include "config.h"

#include <string.h>

#include "ctl_proto.h"

long
ctl_frame_parse(const void *vbuf, size_t len, struct ctl_frame *f,
    const char **why)
{
	const uint8_t	*b = vbuf;
	uint32_t	 plen;

	*why = NULL;
	if (len >= 1 && b[0] != CTL_MAGIC0)
		goto badmagic;
	if (len >= 2 && b[1] != CTL_MAGIC1)
		goto badmagic;
	if (len < CTL_HDR_LEN)
		return 0;
	if (b[2] != CTL_VERSION) {
		*why = "unsupported protocol version";
		return -1;
	}
	if (b[3] < CTL_REQUEST || b[3] > CTL_EVENT) {
		*why = "unknown frame type";
		return -1;
	}
	plen = (uint32_t)b[4] << 24 | (uint32_t)b[5] << 16 |
	    (uint32_t)b[6] << 8 | b[7];
	if (plen > CTL_MAX_PAYLOAD) {
		*why = "frame too large";
		return -1;
	}
	if (len - CTL_HDR_LEN < plen)
		return 0;
	f->version = b[2];
	f->type = b[3];
	f->len = plen;
	f->payload = (const char *)b + CTL_HDR_LEN;
	return (long)(CTL_HDR_LEN + plen);
badmagic:
	*why = "not an hbd control frame";
	return -1;
}

void
ctl_frame_add(struct buf *out, enum ctl_type type, const char *p, size_t n)
{
	uint8_t	 h[CTL_HDR_LEN];

	h[0] = CTL_MAGIC0;
	h[1] = CTL_MAGIC1;
	h[2] = CTL_VERSION;
	h[3] = (uint8_t)type;
	h[4] = (uint8_t)(n >> 24);
	h[5] = (uint8_t)(n >> 16);
	h[6] = (uint8_t)(n >> 8);
	h[7] = (uint8_t)n;
	buf_add(out, h, sizeof(h));
	buf_add(out, p, n);
}

const char *
ctl_type_name(int t)
{
	switch (t) {
	case CTL_REQUEST:
		return "request";
	case CTL_OK:
		return "ok";
	case CTL_ERROR:
		return "error";
	case CTL_EVENT:
		return "event";
	}
	return "unknown";
}
