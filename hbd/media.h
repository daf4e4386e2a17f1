/*
 * media: the heartbeat transports behind one interface — UDP broadcast,
 * multicast and unicast, and serial lines (SLIP-framed; heartbeat 3.0.6's
 * messages go there as heartbeat writes them, classic-framed text, and
 * such text is read beside the SLIP frames). Each configured
 * medium is opened, re-opened after failures (an interface that is not
 * there yet, a cable that went away), and reports what it receives.
 * It knows bytes, not meanings: decoding and trust are the caller's.
 */
#ifndef HBD_MEDIA_H
#define HBD_MEDIA_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "event.h"
#include "hb_classic.h"
#include "hb_msg.h"
#include "util.h"

typedef void (*media_rx_cb)(int medium, const uint8_t *, size_t,
    const char *from, void *);

struct medium {
	struct conf_medium cm;		/* a copy: survives reloads */
	int		 index;
	int		 fd;
	int		 ok;		/* open and last send succeeded */
	struct ev_io	 io;
	struct ev_timer	 retry;
	struct sockaddr_in dst;
	struct slip_dec	 dec;
	struct hbc_serial_dec tdec;	/* serial: heartbeat 3.0.6's text */
	struct buf	 out;		/* serial: bytes not yet written */
	pid_t		 servant;	/* disk: the process doing the I/O */
	uint64_t	 tx, tx_errors, rx, rx_oversize;
	struct log_rl	 rl;
	media_rx_cb	 cb;
	void		*arg;
};

int	media_open_all(const struct conf *, media_rx_cb, void *);
void	media_close_all(void);
void	media_shutdown(void);
int	media_count(void);
struct medium *media_get(int);
/* Send one packet on every medium; returns how many took it. */
int	media_send_all(const uint8_t *, size_t);
/* Write a poison pill into the peer's mailbox on the disk medium. */
int	media_send_pill(const uint8_t *, size_t);

#endif
