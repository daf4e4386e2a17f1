/*
 * state: small text files. The generation is max(stored + 1, seconds
 * since the epoch), so a node whose state directory was lost still comes
 * back with a generation its peer accepts as newer (unless the clock went
 * back too, in which case the peer keeps rejecting it as a replay until
 * it restarts — logged loudly on both sides).
 *
 * Placements and the peer's generation are written by a child process
 * ("hbd-state"), never on the event loop: a takeover or a peer's restart
 * changes them, and an fsync on a slow or throttled disk would stall
 * heartbeats. The loop hands the latest text over a pipe and returns; one
 * write is in flight at a time and a newer text replaces a queued one of
 * the same file (the latest wins). The writer answers with 0 or an errno,
 * which the loop logs. At exit hbd waits (bounded) for the last ones.
 * Our own generation is written synchronously: it changes at start-up.
 *
 * Files: a temp file opened O_EXCL|O_NOFOLLOW (a symlink or a file left
 * in its place is removed, never followed), fsync, rename, then fsync of
 * the directory. The directory must belong to hbd's user and not be
 * writable by group or others, else it is not used at all.
 */
#include "config.h"

#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "event.h"
#include "log.h"
#include "hb_msg.h"
#include "state.h"
#include "util.h"

#define STATE_EPOCH_MAX	0x7fffffffUL
#define STATE_FRAME_MAX	(60 * 1024)	/* < a pipe's 64 KiB: never blocks */
#define STATE_EXIT_WAIT_MS 5000
#define STATE_RESTART_MS 1000

static char	 dirpath[PATH_MAX];
static int	 dir_ok;

/* the writer process, seen from the loop */
static pid_t		 wpid = -1;
static pid_t		 owner;		/* hbd itself: atexit runs in it only */
static int		 wfd = -1, rfd = -1;
static struct ev_io	 rio;
static struct ev_timer	 restart_timer;
static int		 inited, failing;
/* the files the writer keeps; each has at most one text queued */
enum { SLOT_PLACEMENT, SLOT_PEERGEN, NSLOTS };
static const char *const slot_file[NSLOTS] = { "placement",
    "peer-generation" };
static struct buf	 queued[NSLOTS];	/* the latest, not yet sent */
static int		 have_queued[NSLOTS];
static struct buf	 inflight;	/* sent, not yet answered */
static int		 inflight_slot = -1;

static void	kick(void);

const char *
state_dir(void)
{
	return dirpath;
}

static int
mkdirs(const char *path)
{
	char	 tmp[PATH_MAX], *p;

	hbd_strlcpy(tmp, path, sizeof(tmp));
	for (p = tmp + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			if (mkdir(tmp, 0755) == -1 && errno != EEXIST)
				return -1;
			*p = '/';
		}
	if (mkdir(tmp, 0700) == -1 && errno != EEXIST)
		return -1;
	return 0;
}

/* A writer of another directory: let it finish and end (EOF). */
static void
writer_stop(void)
{
	if (wpid == -1)
		return;
	ev_io_stop(&rio);
	ev_child_forget(wpid);
	close(wfd);
	close(rfd);
	wfd = rfd = -1;
	wpid = -1;
	inflight_slot = -1;
}

int
state_open(const char *dir)
{
	struct stat	 st;

	writer_stop();
	hbd_strlcpy(dirpath, dir, sizeof(dirpath));
	dir_ok = 0;
	if (mkdirs(dir) == -1) {
		log_warn("state directory %s", dir);
		return -1;
	}
	if (lstat(dir, &st) == -1 || !S_ISDIR(st.st_mode)) {
		log_warnx("state directory %s is not a directory", dir);
		return -1;
	}
	/*
	 * Whoever can write here can forge a placement (and make this node
	 * claim or give up groups at start) or plant links: not used at all.
	 */
	if (st.st_uid != geteuid()) {
		log_warnx("state directory %s belongs to uid %u, not to hbd's "
		    "uid %u: not using it (chown %u %s)", dir,
		    (unsigned)st.st_uid, (unsigned)geteuid(),
		    (unsigned)geteuid(), dir);
		return -1;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		log_warnx("state directory %s is writable by %s (mode %04o): "
		    "not using it (chmod go-w %s)", dir,
		    (st.st_mode & S_IWOTH) ? "others" : "its group",
		    (unsigned)(st.st_mode & 07777), dir);
		return -1;
	}
	dir_ok = 1;
	return 0;
}

static int
write_all(int fd, const void *data, size_t len)
{
	const char	*p = data;
	ssize_t		 n;

	while (len > 0) {
		if ((n = write(fd, p, len)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Returns 0, or -1 with errno set. Logs nothing: the writer cannot. */
static int
write_atomic(const char *name, const char *data, size_t len)
{
	char	 path[PATH_MAX + 64], tmp[PATH_MAX + 64];
	int	 fd, dfd, e;

	if (!dir_ok) {
		errno = ENOTDIR;
		return -1;
	}
	snprintf(path, sizeof(path), "%s/%s", dirpath, name);
	snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dirpath, name);
	/* left by a crash, or planted: removed (a link itself), never used */
	if (unlink(tmp) == -1 && errno != ENOENT)
		return -1;
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600)) == -1)
		return -1;
	if (write_all(fd, data, len) == -1 || fsync(fd) == -1) {
		e = errno;
		close(fd);
		unlink(tmp);
		errno = e;
		return -1;
	}
	if (close(fd) == -1 || rename(tmp, path) == -1) {
		e = errno;
		unlink(tmp);
		errno = e;
		return -1;
	}
	/* the rename itself must survive a power cut */
	if ((dfd = open(dirpath, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	if (fsync(dfd) == -1) {
		e = errno;
		close(dfd);
		errno = e;
		return -1;
	}
	close(dfd);
	return 0;
}

/* ---- the writer process ---- */

static int
read_all(int fd, void *buf, size_t len)
{
	char	*p = buf;
	ssize_t	 n;

	while (len > 0) {
		n = read(fd, p, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static void __attribute__((noreturn))
writer_main(int in, int out)
{
	static char	 data[STATE_FRAME_MAX];
	uint32_t	 hdr[2];	/* slot, length */
	int32_t		 err;

	for (;;) {
		if (read_all(in, hdr, sizeof(hdr)) == -1 || hdr[0] >= NSLOTS ||
		    hdr[1] > sizeof(data) || read_all(in, data, hdr[1]) == -1)
			_exit(0);	/* hbd is gone or stopping: done */
		err = write_atomic(slot_file[hdr[0]], data, hdr[1]) == 0 ? 0 :
		    errno;
		if (write_all(out, &err, sizeof(err)) == -1)
			_exit(0);
	}
}

static void
writer_child(int in, int out)
{
	struct sched_param	 sp = { 0 };
	int			 a, b;

	ev_child_prepare();
	/*
	 * hbd's stop (or systemd's) must not cut the last write short: the
	 * writer ends when hbd closes the pipe, after its last answer.
	 */
	signal(SIGTERM, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	prctl(PR_SET_NAME, "hbd-state", 0, 0, 0);
	sched_setscheduler(0, SCHED_OTHER, &sp);
	setpriority(PRIO_PROCESS, 0, 0);
	/* nothing of hbd's but the two pipe ends (no sockets, no pid lock) */
	if ((a = fcntl(in, F_DUPFD, 10)) == -1 ||
	    (b = fcntl(out, F_DUPFD, 10)) == -1 ||
	    dup2(a, 3) == -1 || dup2(b, 4) == -1)
		_exit(1);
	if (syscall(SYS_close_range, 5U, ~0U, 0U) == -1) {
		int	 fd;

		for (fd = 5; fd < 65536; fd++)
			close(fd);
	}
	writer_main(3, 4);
}

static void
on_restart(struct ev_timer *t, void *arg)
{
	kick();
}

static void
on_writer_exit(pid_t pid, int status, void *arg)
{
	if (pid != wpid)
		return;
	log_warnx("state: the writer process (pid %d) ended (status 0x%x); "
	    "starting another in %d ms", (int)pid, status, STATE_RESTART_MS);
	ev_io_stop(&rio);
	close(rfd);
	close(wfd);
	rfd = wfd = -1;
	wpid = -1;
	if (inflight_slot != -1 && !have_queued[inflight_slot]) {
		/* its answer never came: send that text again */
		buf_reset(&queued[inflight_slot]);
		if (inflight.len > 0)
			buf_add(&queued[inflight_slot], inflight.data,
			    inflight.len);
		have_queued[inflight_slot] = 1;
	}
	inflight_slot = -1;
	ev_timer_add(&restart_timer, STATE_RESTART_MS);
}

static void
on_reply(struct ev_io *io, int events, void *arg)
{
	int32_t	 err;
	ssize_t	 n;
	int	 slot;

	n = read(rfd, &err, sizeof(err));
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n != (ssize_t)sizeof(err)) {
		ev_io_stop(&rio);	/* gone: on_writer_exit restarts it */
		return;
	}
	slot = inflight_slot;
	inflight_slot = -1;
	if (slot == -1)
		return;
	if (err != 0) {
		errno = err;
		log_warn("cannot save %s in %s (continuing without it)",
		    slot_file[slot], dirpath);
		failing = 1;
	} else if (failing) {
		log_notice("state: %s saved in %s again", slot_file[slot],
		    dirpath);
		failing = 0;
	}
	kick();
}

static void	flush_at_exit(void);

static int
writer_start(void)
{
	int	 to[2], from[2];
	pid_t	 pid;

	if (!inited) {
		ev_io_init(&rio, -1, "state writer", on_reply, NULL);
		ev_timer_init(&restart_timer, "state writer restart",
		    on_restart, NULL);
		owner = getpid();
		atexit(flush_at_exit);
		inited = 1;
	}
	if (pipe2(to, O_CLOEXEC) == -1)
		return -1;
	if (pipe2(from, O_CLOEXEC) == -1) {
		close(to[0]);
		close(to[1]);
		return -1;
	}
	if ((pid = fork()) == -1) {
		close(to[0]);
		close(to[1]);
		close(from[0]);
		close(from[1]);
		return -1;
	}
	if (pid == 0)
		writer_child(to[0], from[1]);
	close(to[0]);
	close(from[1]);
	wfd = to[1];
	rfd = from[0];
	set_nonblock(wfd);
	set_nonblock(rfd);
	wpid = pid;
	ev_io_init(&rio, rfd, "state writer", on_reply, NULL);
	ev_io_start(&rio, EV_READ);
	ev_child_watch(pid, on_writer_exit, NULL);
	log_debug("state: writer process started (pid %d)", (int)pid);
	return 0;
}

/* Send a queued text if nothing is in flight (placements first). */
static void
kick(void)
{
	struct buf	 f;
	uint32_t	 hdr[2];
	ssize_t		 n;
	int		 slot;

	if (inflight_slot != -1 ||
	    (inited && ev_timer_pending(&restart_timer)))
		return;
	for (slot = 0; slot < NSLOTS && !have_queued[slot]; slot++)
		;
	if (slot == NSLOTS)
		return;
	if (wpid == -1 && writer_start() == -1) {
		log_warn("state: cannot start the writer process; retrying in "
		    "%d ms", STATE_RESTART_MS);
		ev_timer_add(&restart_timer, STATE_RESTART_MS);
		return;
	}
	hdr[0] = (uint32_t)slot;
	hdr[1] = (uint32_t)queued[slot].len;
	buf_init(&f);
	buf_add(&f, hdr, sizeof(hdr));
	if (queued[slot].len > 0)
		buf_add(&f, queued[slot].data, queued[slot].len);
	/* the pipe is empty (nothing in flight) and holds 64 KiB */
	n = write(wfd, f.data, f.len);
	if (n != (ssize_t)f.len) {
		log_warn("state: handing %s to the writer", slot_file[slot]);
		buf_free(&f);
		kill(wpid, SIGKILL);	/* on_writer_exit starts another */
		return;
	}
	buf_free(&f);
	buf_reset(&inflight);
	if (queued[slot].len > 0)
		buf_add(&inflight, queued[slot].data, queued[slot].len);
	inflight_slot = slot;
	have_queued[slot] = 0;
}

/* Queue TEXT for FILE (replacing an older text) and return at once. */
static int
queue_save(int slot, const char *data, size_t len)
{
	if (!dir_ok)
		return -1;
	if (len > STATE_FRAME_MAX) {
		log_warnx("state: %zu bytes of %s is more than %d; not saved",
		    len, slot_file[slot], STATE_FRAME_MAX);
		return -1;
	}
	buf_reset(&queued[slot]);
	if (len > 0)
		buf_add(&queued[slot], data, len);
	have_queued[slot] = 1;
	kick();
	return 0;
}

static int
wait_reply(int ms)
{
	struct pollfd	 p = { .fd = rfd, .events = POLLIN };
	int32_t		 err;

	if (poll(&p, 1, ms) != 1 || read(rfd, &err, sizeof(err)) !=
	    (ssize_t)sizeof(err))
		return -1;
	if (err != 0 && inflight_slot != -1) {
		errno = err;
		log_warn("cannot save %s in %s (continuing without it)",
		    slot_file[inflight_slot], dirpath);
	}
	inflight_slot = -1;
	return 0;
}

/*
 * hbd is exiting, after its loop: the last placement must be on disk
 * before a restarted hbd reads it. Blocking here is fine (bounded).
 */
static void
flush_at_exit(void)
{
	int64_t	 t0 = mono_ms();
	int	 left;

	if (getpid() != owner || wpid == -1)
		return;
	for (;;) {
		if (inflight_slot == -1)
			kick();
		if (inflight_slot == -1)
			break;		/* nothing left (or no writer) */
		left = STATE_EXIT_WAIT_MS - (int)(mono_ms() - t0);
		if (left <= 0 || wait_reply(left) == -1) {
			log_warnx("state: the last %s may not be on disk (the "
			    "writer did not answer within %d ms)",
			    slot_file[inflight_slot], STATE_EXIT_WAIT_MS);
			break;
		}
	}
	close(wfd);	/* EOF: the writer ends */
	close(rfd);
	wfd = rfd = -1;
	wpid = -1;
}

static int
read_file(const char *name, char *out, size_t len)
{
	char	 path[PATH_MAX + 64];
	int	 fd;
	ssize_t	 n;

	if (!dir_ok)
		return -1;
	snprintf(path, sizeof(path), "%s/%s", dirpath, name);
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1)
		return -1;
	n = read(fd, out, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	out[n] = '\0';
	return (int)n;
}

uint32_t
state_next_generation(void)
{
	char		 b[64], *end;
	unsigned long	 stored = 0;
	uint32_t	 gen, now = (uint32_t)time(NULL);

	if (read_file("generation", b, sizeof(b)) > 0) {
		errno = 0;
		stored = strtoul(b, &end, 10);
		if (errno || end == b || (*end && *end != '\n') ||
		    stored >= UINT32_MAX) {
			log_warnx("state: %s/generation is corrupt; starting a "
			    "new generation from the clock", dirpath);
			stored = 0;
		}
	} else
		log_info("state: no generation in %s; starting from the clock",
		    dirpath);
	gen = (uint32_t)stored + 1;
	if (gen < now)
		gen = now;
	snprintf(b, sizeof(b), "%u\n", gen);
	/* synchronous: at start, before the loop runs */
	if (dir_ok && write_atomic("generation", b, strlen(b)) == -1)
		log_warn("cannot save generation in %s (continuing without it)",
		    dirpath);
	return gen;
}

int
state_load_placements(struct state_placement *p, int max)
{
	char	 b[16384], *line, *save = NULL;
	int	 n = 0;

	if (read_file("placement", b, sizeof(b)) < 0)
		return 0;
	for (line = strtok_r(b, "\n", &save); line && n < max;
	    line = strtok_r(NULL, "\n", &save)) {
		char		*f[5], *s2 = NULL, *tok, *end = NULL;
		unsigned long	 epoch = 0;
		int		 k = 0;

		/* group epoch proposer target [reason]: the reason came later */
		for (tok = strtok_r(line, "\t", &s2); tok && k < 5;
		    tok = strtok_r(NULL, "\t", &s2))
			f[k++] = tok;
		if (k == 4 || k == 5) {
			errno = 0;
			epoch = strtoul(f[1], &end, 10);
		}
		/*
		 * An epoch no cluster reaches (2^31 moves) is corruption: taken
		 * as it is, it outbids the running peer and the next proposal
		 * wraps to 0, which the peer ignores for good.
		 */
		if ((k != 4 && k != 5) || errno || end == f[1] || *end != '\0' ||
		    epoch == 0 || epoch > STATE_EPOCH_MAX) {
			log_warnx("state: ignoring a corrupt line in %s/"
			    "placement", dirpath);
			continue;
		}
		hbd_strlcpy(p[n].group, f[0], sizeof(p[n].group));
		p[n].epoch = (uint32_t)epoch;
		hbd_strlcpy(p[n].proposer, f[2], sizeof(p[n].proposer));
		hbd_strlcpy(p[n].target, f[3], sizeof(p[n].target));
		p[n].reason = k == 5 ? move_reason_from_name(f[4]) : 0;
		n++;
	}
	return n;
}

/* Returns at once: the writer process does the file work. */
int
state_save_placements(const struct state_placement *p, int n)
{
	struct buf	 b;
	int		 i, r;

	buf_init(&b);
	for (i = 0; i < n; i++)
		buf_printf(&b, "%s\t%u\t%s\t%s\t%s\n", p[i].group, p[i].epoch,
		    p[i].proposer[0] ? p[i].proposer : "-",
		    p[i].target[0] ? p[i].target : "-",
		    p[i].reason ? move_reason_name(p[i].reason) : "-");
	r = queue_save(SLOT_PLACEMENT, b.data, b.len);
	buf_free(&b);
	return r;
}

static uint32_t
read_u32(const char *name, const char *what)
{
	char		 b[64], *end;
	unsigned long	 v;

	if (read_file(name, b, sizeof(b)) <= 0)
		return 0;
	errno = 0;
	v = strtoul(b, &end, 10);
	if (errno || end == b || (*end && *end != '\n') || v >= UINT32_MAX) {
		log_warnx("state: %s/%s is corrupt; %s", dirpath, name, what);
		return 0;
	}
	return (uint32_t)v;
}

/* The last generation this node used (0: none or unreadable). */
uint32_t
state_load_generation(void)
{
	uint32_t	 g = read_u32("generation",
			    "starting a new generation from the clock");

	if (g == 0)
		log_info("state: no generation in %s; starting from the clock",
		    dirpath);
	return g;
}

/*
 * Synchronous: the generation changes at start-up (and after 2^64
 * heartbeats), and must be on disk before heartbeats carry it.
 */
int
state_save_generation(uint32_t g)
{
	char	 b[32];

	if (!dir_ok)
		return -1;
	snprintf(b, sizeof(b), "%u\n", g);
	if (write_atomic("generation", b, strlen(b)) == -1) {
		log_warn("cannot save generation in %s (continuing without it)",
		    dirpath);
		return -1;
	}
	return 0;
}

/* The newest generation of the peer's that was verified (0: none). */
uint32_t
state_load_peer_generation(void)
{
	return read_u32("peer-generation",
	    "any generation of the peer's is accepted");
}

int
state_save_peer_generation(uint32_t g)
{
	char	 b[32];

	/* changes whenever the peer restarts: off the loop, like placements */
	snprintf(b, sizeof(b), "%u\n", g);
	return queue_save(SLOT_PEERGEN, b, strlen(b));
}
