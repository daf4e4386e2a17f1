/*
 * hb_classic: heartbeat 3.0.6's own messages on the wire, bytes <-> fields
 * (issue 20). No I/O, no clock, no globals; every length is checked and
 * a malformed datagram is refused with a reason. What the fields mean and
 * how heartbeat uses them: docs/heartbeat-protocol.md.
 *
 * Two framings, both accepted by heartbeat:
 *   netstring (what 3.0.6 sends: its messages carry the binary srcuuid)
 *     "###\n" { LEN ":" "(" TYPE ")" NAME "=" VALUE "," } "%%%\n"
 *     LEN ":" KEYINDEX " " DIGEST ","
 *     DIGEST: heartbeat's auth over the bytes from "###\n" to "%%%\n".
 *   classic ("msgfmt classic", strings only)
 *     ">>>\n" { ["(" TYPE ")"] NAME "=" VALUE "\n" } "<<<\n"
 *     with a field auth=KEYINDEX DIGEST, the digest over every other line
 *     with its "\n".
 * Both also carry the classic auth field inside, computed over the
 * classic rendering of the other fields (binary values in base64 with a
 * "(1)" prefix); hb_classic builds it the way heartbeat does.
 *
 * Auth methods as heartbeat computes them, as lowercase hex: crc (a
 * CRC-32, MSB first, polynomial 0x04c11db7, initial 0, complemented, no
 * length appended, printed without leading zeros), md5 and sha1 (HMAC over
 * the data with the key's bytes up to its first NUL).
 */
#ifndef HBD_HB_CLASSIC_H
#define HBD_HB_CLASSIC_H

#include <stddef.h>
#include <stdint.h>

#include "conf.h"

#define HBC_MAX_FIELDS		64
#define HBC_MAX_PACKET		65507	/* the largest UDP payload */
#define HBC_MAX_DIGEST_HEX	64	/* sha1: 40, md5: 32, crc: <= 8 */
#define HBC_MAX_NAME		64	/* a field name */

enum hbc_format {
	HBC_FMT_CLASSIC = 1,	/* ">>>\n" ... "<<<\n" */
	HBC_FMT_NETSTRING = 2	/* "###\n" ... "%%%\n" LEN:auth, */
};

/* heartbeat's field types, the digit in "(N)" */
enum hbc_ftype {
	HBC_FT_STRING = 0,
	HBC_FT_BINARY = 1,	/* raw in netstring, base64 in classic */
	HBC_FT_STRUCT = 2,	/* a nested message: kept opaque */
	HBC_FT_LIST = 3,
	HBC_FT_COMPRESS = 4,
	HBC_FT_UNCOMPRESS = 5
};

/* a field: pointers into the parsed datagram, never NUL-terminated */
struct hbc_field {
	const char	*name;
	size_t		 namelen;
	const char	*value;
	size_t		 valuelen;
	int		 type;		/* enum hbc_ftype (0..9) */
	int		 typed;		/* classic: had an explicit "(N)" */
	const char	*line;		/* classic: the whole line, for auth */
	size_t		 linelen;
};

struct hbc_msg {
	enum hbc_format	 fmt;
	size_t		 nfields;
	struct hbc_field f[HBC_MAX_FIELDS];
	/* netstring: the signed part and the trailing "N digest" */
	const char	*body;
	size_t		 bodylen;
	const char	*trailer;
	size_t		 trailerlen;
};

enum hbc_method {
	HBC_AUTH_CRC,
	HBC_AUTH_MD5,
	HBC_AUTH_SHA1
};

/*
 * Parse a datagram. 0 on success; -1 with *why set to a static reason.
 * The message keeps pointers into pkt.
 */
int	hbc_parse(const void *pkt, size_t len, struct hbc_msg *,
	    const char **why);

/* the first field called name, or NULL */
const struct hbc_field *hbc_get(const struct hbc_msg *, const char *name);
/* a string field as a C string: 0, or -1 when absent, not a string, too
 * long for buf or holding a NUL */
int	hbc_get_str(const struct hbc_msg *, const char *name, char *buf,
	    size_t buflen);
/* a hexadecimal number field (seq, hg, ts, dt, ackseq): 0 or -1 */
int	hbc_get_hex(const struct hbc_msg *, const char *name, uint64_t *);

/* heartbeat's digest of data as lowercase hex; length or -1 */
int	hbc_digest(enum hbc_method, const void *key, size_t keylen,
	    const void *data, size_t len, char *hex, size_t hexlen);
/* heartbeat's crc alone (the value its crc method prints) */
uint32_t hbc_crc(const void *, size_t);

/*
 * The authentication of a parsed message: its key index and digest (the
 * trailer for netstring, the auth field for classic). 0 or -1 (missing
 * or malformed, *why set).
 */
int	hbc_auth_of(const struct hbc_msg *, int *index, const char **digest,
	    size_t *digestlen, const char **why);

/*
 * Verify a parsed message with a key (method, secret): 0 when the digest
 * heartbeat would compute matches, -1 otherwise (*why set).
 */
int	hbc_verify(const struct hbc_msg *, enum hbc_method, const void *key,
	    size_t keylen, const char **why);

/* with hbd's configured keys (authkeys): the key of the packet's index;
 * a crc key only when it is the signing key (auth N), as hbd's own */
int	hbc_verify_conf(const struct conf *, const struct hbc_msg *,
	    const char **why);
/* an authkeys method as a heartbeat method: 0, or -1 (sha256/sha512) */
int	hbc_method_of(enum auth_method, enum hbc_method *);

/*
 * Building a netstring message as heartbeat does. Add the fields in
 * order, then finish: the classic auth field, "%%%\n" and the trailer
 * are appended. Every step checks room; any failure sticks (err) and
 * finish then returns -1.
 */
struct hbc_builder {
	char		*buf;
	size_t		 cap;
	size_t		 len;
	int		 err;
};

void	hbc_build_start(struct hbc_builder *, void *buf, size_t cap);
void	hbc_build_add(struct hbc_builder *, int type, const char *name,
	    const void *value, size_t valuelen);
void	hbc_build_str(struct hbc_builder *, const char *name,
	    const char *value);
/* the message's length, or -1 */
long	hbc_build_finish(struct hbc_builder *, enum hbc_method, int index,
	    const void *key, size_t keylen);

/*
 * Serial lines (docs/heartbeat-protocol.md section 8): heartbeat writes
 * its messages there in classic framing, as text, and reads them a line
 * at a time, skipping lines until one starts with ">>>".
 *
 * hbc_to_classic: a heartbeat message (either framing) as heartbeat
 * writes it on a serial line: "\n" (so that it starts a line whatever
 * the line carried before), ">>>\n", the fields in classic rendering,
 * its classic auth field, "<<<\n". The auth field is the message's own
 * (it signs exactly this rendering): no key is needed. The length, or -1
 * (not a heartbeat message, no auth field, a nested field or a string
 * holding a newline or a NUL, which a line cannot carry, or no room).
 */
long	hbc_to_classic(const void *pkt, size_t len, char *out, size_t cap);

/*
 * The reading side: bytes in one at a time (the 8th bit cleared and
 * carriage returns dropped, as heartbeat's tty settings do), lines outside
 * a message skipped. 1 when buf and len hold a whole classic message
 * (">>>\n" ... "<<<\n", for hbc_parse), valid until the next call; -1
 * when a message outgrew buf (dropped); 0 otherwise. Start zeroed.
 */
#define HBC_SERIAL_MAX	8192
struct hbc_serial_dec {
	char		 buf[HBC_SERIAL_MAX];
	size_t		 len;
	size_t		 line;		/* where the current line starts */
	int		 in;		/* inside ">>>" ... "<<<" */
	int		 pre;		/* outside: ">" seen at line start,
					 * -1 once the line cannot start one */
	int		 done;
};

int	hbc_serial_feed(struct hbc_serial_dec *, uint8_t);

/* base64 as heartbeat's classic rendering of binary fields uses it */
int	hbc_base64(const void *, size_t, char *out, size_t outlen);

#endif
