/*
 * event: epoll + timer heap + signalfd. One loop per process; everything
 * else registers callbacks. Callbacks must not block.
 */
#include "config.h"

#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "event.h"
#include "log.h"
#include "util.h"

#define MAX_CHILDREN	256

static int		 epfd = -1;
static int		 sigfd = -1;
static sigset_t		 sigmask, oldmask;
static int		 running;
static int64_t		 now_cache;
static int		 late_ms = 100;
static uint64_t		 late_count;
static struct log_rl	 late_rl;

static struct ev_timer	**heap;
static int		 nheap, capheap;

static struct {
	ev_signal_cb	 cb;
	void		*arg;
} sigs[65];

static struct {
	pid_t		 pid;
	ev_child_cb	 cb;
	void		*arg;
} children[MAX_CHILDREN];

static struct ev_io	 sigio;

int64_t
ev_now(void)
{
	return now_cache ? now_cache : mono_ms();
}

void
ev_set_late_threshold(int ms)
{
	late_ms = ms;
}

uint64_t
ev_late_count(void)
{
	return late_count;
}

static void
report_late(const char *what, const char *name, int64_t ms)
{
	unsigned	 supp;

	late_count++;
	if (log_rl_check(&late_rl, mono_ms(), 2000, &supp))
		log_warnx("%s %s ran %lld ms late%s", what, name ? name : "?",
		    (long long)ms, supp ? " (more suppressed)" : "");
}

/* ---- timers: binary min-heap on due ---- */

static void
heap_swap(int a, int b)
{
	struct ev_timer	*t = heap[a];

	heap[a] = heap[b];
	heap[b] = t;
	heap[a]->idx = a;
	heap[b]->idx = b;
}

static void
heap_up(int i)
{
	while (i > 0 && heap[(i - 1) / 2]->due > heap[i]->due) {
		heap_swap(i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
}

static void
heap_down(int i)
{
	for (;;) {
		int	 l = 2 * i + 1, r = l + 1, m = i;

		if (l < nheap && heap[l]->due < heap[m]->due)
			m = l;
		if (r < nheap && heap[r]->due < heap[m]->due)
			m = r;
		if (m == i)
			return;
		heap_swap(i, m);
		i = m;
	}
}

void
ev_timer_init(struct ev_timer *t, const char *name, ev_timer_cb cb,
    void *arg)
{
	memset(t, 0, sizeof(*t));
	t->idx = -1;
	t->cb = cb;
	t->arg = arg;
	t->name = name;
}

int
ev_timer_pending(const struct ev_timer *t)
{
	return t->idx >= 0;
}

void
ev_timer_del(struct ev_timer *t)
{
	int	 i = t->idx;

	if (i < 0)
		return;
	t->idx = -1;
	nheap--;
	if (i == nheap)
		return;
	heap[i] = heap[nheap];
	heap[i]->idx = i;
	heap_down(i);
	heap_up(i);
}

void
ev_timer_at(struct ev_timer *t, int64_t due)
{
	ev_timer_del(t);
	if (nheap == capheap) {
		capheap = capheap ? capheap * 2 : 64;
		heap = xreallocarray(heap, (size_t)capheap, sizeof(*heap));
	}
	t->due = due;
	t->idx = nheap;
	heap[nheap++] = t;
	heap_up(t->idx);
}

void
ev_timer_add(struct ev_timer *t, int64_t delay_ms)
{
	ev_timer_at(t, mono_ms() + (delay_ms > 0 ? delay_ms : 0));
}

static void
run_timers(void)
{
	int64_t		 now = mono_ms(), t0;
	struct ev_timer	*t;

	while (nheap > 0 && heap[0]->due <= now) {
		t = heap[0];
		ev_timer_del(t);
		if (now - t->due > late_ms)
			report_late("timer", t->name, now - t->due);
		now_cache = now;
		t0 = mono_ms();
		t->cb(t, t->arg);
		now = mono_ms();
		if (now - t0 > late_ms)
			report_late("handler of timer", t->name, now - t0);
	}
}

/* ---- descriptors ---- */

void
ev_io_init(struct ev_io *io, int fd, const char *name, ev_io_cb cb,
    void *arg)
{
	memset(io, 0, sizeof(*io));
	io->fd = fd;
	io->cb = cb;
	io->arg = arg;
	io->name = name;
}

int
ev_io_start(struct ev_io *io, int events)
{
	struct epoll_event	 e;
	int			 op = io->active ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;

	memset(&e, 0, sizeof(e));
	e.events = (events & EV_READ ? EPOLLIN : 0) |
	    (events & EV_WRITE ? EPOLLOUT : 0);
	e.data.ptr = io;
	if (epoll_ctl(epfd, op, io->fd, &e) == -1) {
		log_warn("epoll_ctl %s", io->name ? io->name : "fd");
		return -1;
	}
	io->events = events;
	io->active = 1;
	return 0;
}

void
ev_io_stop(struct ev_io *io)
{
	if (!io->active)
		return;
	epoll_ctl(epfd, EPOLL_CTL_DEL, io->fd, NULL);
	io->active = 0;
}

/* ---- signals and children ---- */

int
ev_signal(int sig, ev_signal_cb cb, void *arg)
{
	if (sig <= 0 || sig >= (int)nitems(sigs))
		return -1;
	sigs[sig].cb = cb;
	sigs[sig].arg = arg;
	sigaddset(&sigmask, sig);
	if (sigprocmask(SIG_BLOCK, &sigmask, NULL) == -1)
		return -1;
	if (signalfd(sigfd, &sigmask, SFD_NONBLOCK | SFD_CLOEXEC) == -1)
		return -1;
	return 0;
}

int
ev_child_watch(pid_t pid, ev_child_cb cb, void *arg)
{
	int	 i;

	for (i = 0; i < MAX_CHILDREN; i++)
		if (children[i].pid == 0) {
			children[i].pid = pid;
			children[i].cb = cb;
			children[i].arg = arg;
			return 0;
		}
	log_warnx("too many child processes watched");
	return -1;
}

void
ev_child_forget(pid_t pid)
{
	int	 i;

	for (i = 0; i < MAX_CHILDREN; i++)
		if (children[i].pid == pid)
			children[i].pid = 0;
}

/* A forked child must not inherit our blocked signal mask. */
void
ev_child_prepare(void)
{
	int	 i;

	for (i = 1; i < (int)nitems(sigs); i++)
		signal(i, SIG_DFL);
	sigprocmask(SIG_SETMASK, &oldmask, NULL);
}

static void
reap_children(void)
{
	pid_t	 pid;
	int	 status, i;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (i = 0; i < MAX_CHILDREN; i++)
			if (children[i].pid == pid) {
				ev_child_cb	 cb = children[i].cb;
				void		*arg = children[i].arg;

				children[i].pid = 0;
				cb(pid, status, arg);
				break;
			}
	}
}

static void
on_signalfd(struct ev_io *io, int events, void *arg)
{
	struct signalfd_siginfo	 si;
	int			 sig;

	for (;;) {
		ssize_t	 n = read(sigfd, &si, sizeof(si));

		if (n != (ssize_t)sizeof(si))
			break;
		sig = (int)si.ssi_signo;
		if (sig == SIGCHLD)
			reap_children();
		if (sig > 0 && sig < (int)nitems(sigs) && sigs[sig].cb)
			sigs[sig].cb(sig, sigs[sig].arg);
	}
}

int
ev_init(void)
{
	if ((epfd = epoll_create1(EPOLL_CLOEXEC)) == -1)
		return -1;
	sigemptyset(&sigmask);
	sigaddset(&sigmask, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &sigmask, &oldmask) == -1)
		return -1;
	sigfd = signalfd(-1, &sigmask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (sigfd == -1)
		return -1;
	signal(SIGPIPE, SIG_IGN);
	ev_io_init(&sigio, sigfd, "signals", on_signalfd, NULL);
	return ev_io_start(&sigio, EV_READ);
}

void
ev_break(void)
{
	running = 0;
}

void
ev_run(void)
{
	struct epoll_event	 evs[64];
	int			 n, i, timeout;
	int64_t			 t0;

	running = 1;
	while (running) {
		run_timers();
		if (!running)
			break;
		timeout = -1;
		if (nheap > 0) {
			int64_t	 d = heap[0]->due - mono_ms();

			timeout = d < 0 ? 0 : (d > 60000 ? 60000 : (int)d);
		}
		now_cache = 0;
		n = epoll_wait(epfd, evs, (int)nitems(evs), timeout);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			fatal("epoll_wait");
		}
		for (i = 0; i < n && running; i++) {
			struct ev_io	*io = evs[i].data.ptr;
			int		 e = 0;

			if (evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR))
				e |= EV_READ;
			if (evs[i].events & (EPOLLOUT | EPOLLHUP | EPOLLERR))
				e |= EV_WRITE;
			if (!io->active)
				continue;
			now_cache = t0 = mono_ms();
			io->cb(io, e & (io->events | EV_READ), io->arg);
			if (mono_ms() - t0 > late_ms)
				report_late("handler of", io->name,
				    mono_ms() - t0);
		}
	}
}
