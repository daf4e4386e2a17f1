/*
 * hb_msg: the heartbeat packet, bytes <-> struct. No I/O, no globals, no
 * trust: every length is checked, and decoding garbage returns an error
 * with a reason instead of reading past the end. Signing is auth's job;
 * this module only says which bytes are signed.
 *
 * Layout (big-endian):
 *   "hb" version:u8 type:u8 cluster:u32 generation:u32 seq:u64
 *   namelen:u8 name status:u8 flags:u8 keepalive_ms:u32 deadtime_ms:u32
 *   config_hash:u32 ack_generation:u32 ack_seq:u64
 *   ping_up:u8 ping_total:u8 ngroups:u8
 *   ngroups x { id:u32 epoch:u32 proposer:u8 target:u8 reason:u8 state:u8
 *               flags:u8 held_epoch:u32 held_proposer:u8 }
 *   extlen:u16 ext[extlen]            (ignored: room to grow)
 *   keyindex:u8 digestlen:u8 digest   (signature over everything before it
 *                                      and the key index)
 */
#ifndef HBD_HB_MSG_H
#define HBD_HB_MSG_H

#include <stddef.h>
#include <stdint.h>

#include "auth.h"
#include "conf.h"

#define HB_VERSION		1
#define HB_MAX_PACKET		1400
#define HB_NO_NODE		0xff

enum hb_type {
	HB_HEARTBEAT = 1
};

/* the sender's own view of itself */
enum hb_status {
	HB_ST_INIT = 1,		/* starting: probing its resources */
	HB_ST_ACTIVE = 2,
	HB_ST_LEAVING = 3,	/* stopping its groups before it exits */
	HB_ST_LEFT = 4		/* everything stopped; it is exiting */
};

enum grp_state {
	GS_UNKNOWN = 0,
	GS_STOPPED = 1,
	GS_STARTING = 2,
	GS_STARTED = 3,
	GS_STOPPING = 4,
	GS_FAILED = 5
};

/* why a placement changed; numbered as HBD-MIB's hbdMoveReason */
enum move_reason {
	MR_OTHER = 1,
	MR_STARTUP = 2,
	MR_NODE_DEAD = 3,
	MR_PEER_REQUEST = 4,
	MR_FAILBACK = 5,
	MR_ADMIN = 6,
	MR_RESOURCE_FAILURE = 7,
	MR_SHUTDOWN = 8
};

#define GF_DIRTY	0x01	/* a stop failed: may still be running */
#define GF_FENCED	0x02	/* (reserved) */

#define HBF_STANDBY	0x01	/* the sender is in standby */
#define HBF_POISON	0x02	/* the receiver must release and stop */

struct hb_group {
	uint32_t	 id;
	uint32_t	 epoch;
	uint8_t		 proposer;
	uint8_t		 target;
	uint8_t		 reason;	/* enum move_reason */
	uint8_t		 state;
	uint8_t		 flags;
	uint32_t	 held_epoch;
	uint8_t		 held_proposer;
};

struct hb_msg {
	uint8_t		 version;
	uint8_t		 type;
	uint32_t	 cluster_id;
	uint32_t	 generation;
	uint64_t	 seq;
	char		 node[HBD_MAX_NAME];
	uint8_t		 status;
	uint8_t		 flags;
	uint32_t	 keepalive_ms;
	uint32_t	 deadtime_ms;
	uint32_t	 config_hash;
	/* the newest packet the sender has from the receiver: 0 = none */
	uint32_t	 ack_generation;
	uint64_t	 ack_seq;
	uint8_t		 ping_up;
	uint8_t		 ping_total;
	uint8_t		 ngroups;
	struct hb_group	 groups[HBD_MAX_GROUPS];

	/* filled by decode */
	uint8_t		 key_index;
	uint8_t		 digest_len;
	uint8_t		 digest[AUTH_MAX_DIGEST];
	size_t		 signed_len;	/* bytes covered by the digest */
};

/*
 * Encode everything but the digest; *signed_len is where the digest goes
 * (it covers buf[0..signed_len)). Returns 0 or -1 if it does not fit.
 */
int	hb_msg_encode(const struct hb_msg *, uint8_t key_index, uint8_t *buf,
	    size_t cap, size_t *signed_len);
/* Append the digest after signing; returns the total length or -1. */
int	hb_msg_finish(uint8_t *buf, size_t cap, size_t signed_len,
	    const uint8_t *digest, size_t dlen);
/* Returns 0, or -1 with *why set. Does not verify the digest. */
/* 1 when a node name is 1 or more of [A-Za-z0-9._-]: decode's rule */
int	hb_name_ok(const char *);
int	hb_msg_decode(const uint8_t *, size_t, struct hb_msg *,
	    const char **why);

const char *hb_status_name(int);
const char *grp_state_name(int);
const char *move_reason_name(int);
int	move_reason_from_name(const char *);

/* Serial framing: SLIP (RFC 1055) around each packet. */
#define SLIP_END	0xc0
#define SLIP_ESC	0xdb
#define SLIP_ESC_END	0xdc
#define SLIP_ESC_ESC	0xdd

size_t	slip_encode(const uint8_t *, size_t, uint8_t *out, size_t cap);

struct slip_dec {
	uint8_t		 buf[HB_MAX_PACKET];
	size_t		 len;
	int		 esc;
	int		 overflow;
};
/*
 * Feed one byte; returns 1 when a complete frame is in d->buf/d->len
 * (valid until the next call), -1 when a frame was discarded (too long or
 * bad escape), 0 otherwise.
 */
int	slip_feed(struct slip_dec *, uint8_t);

#endif
