/*
 * event: the only place hbd waits. epoll for descriptors, a binary heap of
 * one-shot timers on CLOCK_MONOTONIC (a callback re-arms its timer if it
 * wants to run again), signals through signalfd, and child exits reaped
 * on SIGCHLD and handed to whoever watches that pid. A turn that starts
 * late, or a handler that runs long, is logged: that is how a blocking
 * call shows itself before it costs a false failover.
 */
#ifndef HBD_EVENT_H
#define HBD_EVENT_H

#include <sys/types.h>
#include <stdint.h>

struct ev_io;
struct ev_timer;

typedef void (*ev_io_cb)(struct ev_io *, int events, void *);
typedef void (*ev_timer_cb)(struct ev_timer *, void *);
typedef void (*ev_signal_cb)(int sig, void *);
typedef void (*ev_child_cb)(pid_t, int status, void *);

struct ev_io {
	int		 fd;
	int		 events;
	int		 active;
	ev_io_cb	 cb;
	void		*arg;
	const char	*name;
};

struct ev_timer {
	int64_t		 due;		/* mono_ms() deadline */
	int		 idx;		/* heap slot, -1 when idle */
	ev_timer_cb	 cb;
	void		*arg;
	const char	*name;
};

#define EV_READ		0x1
#define EV_WRITE	0x4

int	ev_init(void);
void	ev_run(void);
void	ev_break(void);
int64_t	ev_now(void);
void	ev_set_late_threshold(int ms);
uint64_t ev_late_count(void);

void	ev_io_init(struct ev_io *, int fd, const char *, ev_io_cb, void *);
int	ev_io_start(struct ev_io *, int events);
void	ev_io_stop(struct ev_io *);

void	ev_timer_init(struct ev_timer *, const char *, ev_timer_cb, void *);
void	ev_timer_add(struct ev_timer *, int64_t delay_ms);
void	ev_timer_at(struct ev_timer *, int64_t due_ms);
void	ev_timer_del(struct ev_timer *);
int	ev_timer_pending(const struct ev_timer *);

int	ev_signal(int sig, ev_signal_cb, void *);
int	ev_child_watch(pid_t, ev_child_cb, void *);
void	ev_child_forget(pid_t);
void	ev_child_prepare(void);	/* in a forked child, before exec */

#endif
