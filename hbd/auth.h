/*
 * auth: signing and verifying heartbeats with authkeys' keys (OpenSSL
 * HMAC for md5/sha1/sha256/sha512, CRC-32 for heartbeat's crc), and the
 * replay window that rejects a packet whose (generation, sequence) is not
 * newer than what was already seen. No I/O, no globals.
 */
#ifndef HBD_AUTH_H
#define HBD_AUTH_H

#include <stddef.h>
#include <stdint.h>

#include "conf.h"

#define AUTH_MAX_DIGEST	64

/* Sign with key `index` of the configuration; returns digest length or -1 */
int	auth_sign(const struct conf *, int index, const void *, size_t,
	    uint8_t *digest);
/*
 * 0 when the configured key with that index produced the same digest and
 * is accepted on receipt: the signing key (c->auth_use), or any HMAC key
 * (a rotation); a crc key only when it is the signing key.
 */
int	auth_verify(const struct conf *, int index, const void *, size_t,
	    const uint8_t *digest, size_t dlen);
int	auth_digest_len(enum auth_method);
uint32_t auth_crc32(const void *, size_t);

/*
 * A sliding window of the last 64 sequence numbers within one
 * generation: duplicates and anything older than the window are replays,
 * a packet slightly out of order is still accepted once.
 */
#define REPLAY_WINDOW	64

struct replay_win {
	int		 valid;
	uint32_t	 gen;
	uint64_t	 top;		/* highest sequence seen */
	uint64_t	 bitmap;	/* bit i: top - i was seen */
};

enum replay_verdict {
	REPLAY_NEW,		/* newer than anything seen */
	REPLAY_NEWGEN,		/* the sender restarted */
	REPLAY_LATE,		/* inside the window, not seen before */
	REPLAY_DUP,		/* seen before */
	REPLAY_OLD,		/* older than the window or generation */
};

enum replay_verdict replay_check(const struct replay_win *, uint32_t gen,
	    uint64_t seq);
void	replay_accept(struct replay_win *, uint32_t gen, uint64_t seq);
const char *replay_verdict_name(enum replay_verdict);

#endif
