/*
 * ctl_proto: framing of the control socket protocol, shared by hbd, hbctl
 * and hbd-snmp. A frame is an 8-byte header (magic "HB", version, type,
 * 32-bit big-endian payload length) followed by a JSON payload. No I/O.
 *
 * Requests:  {"cmd":"status"} {"cmd":"standby","which":"all|local|foreign"}
 *            {"cmd":"takeover","which":...} {"cmd":"move","group":G,"node":N}
 *            {"cmd":"reload"} {"cmd":"subscribe"}
 *            {"cmd":"export","what":"pacemaker|pcs|crmsh|corosync"}
 * Replies:   CTL_OK with a JSON object, CTL_ERROR {"error":"reason"}
 * Events:    CTL_EVENT {"seq":N,"time_ms":...,"type":"...",...}
 */
#ifndef HBD_CTL_PROTO_H
#define HBD_CTL_PROTO_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

#define CTL_MAGIC0	'H'
#define CTL_MAGIC1	'B'
#define CTL_VERSION	1
#define CTL_HDR_LEN	8
#define CTL_MAX_PAYLOAD	(256 * 1024)

enum ctl_type {
	CTL_REQUEST = 1,
	CTL_OK = 2,
	CTL_ERROR = 3,
	CTL_EVENT = 4
};

struct ctl_frame {
	uint8_t		 version;
	uint8_t		 type;
	uint32_t	 len;
	const char	*payload;	/* points into the input buffer */
};

/*
 * Parse one frame from the front of buf. Returns the number of bytes the
 * frame occupies, 0 if more input is needed, -1 if the input is not a
 * valid frame (bad magic, unknown version or type, oversize); *why names
 * the reason.
 */
long	ctl_frame_parse(const void *buf, size_t len, struct ctl_frame *,
	    const char **why);
void	ctl_frame_add(struct buf *, enum ctl_type, const char *, size_t);
const char *ctl_type_name(int);

#endif
