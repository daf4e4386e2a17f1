/*
 * state: small text files. The generation is max(stored + 1, seconds
 * since the epoch), so a node whose state directory was lost still comes
 * back with a generation its peer accepts as newer (unless the clock went
 * back too, in which case the peer keeps rejecting it as a replay until
 * it restarts — logged loudly on both sides).
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "hb_msg.h"
#include "state.h"
#include "util.h"

#define STATE_EPOCH_MAX	0x7fffffffUL

static char	 dirpath[PATH_MAX];

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

int
state_open(const char *dir)
{
	struct stat	 st;

	hbd_strlcpy(dirpath, dir, sizeof(dirpath));
	if (mkdirs(dir) == -1) {
		log_warn("state directory %s", dir);
		return -1;
	}
	if (stat(dir, &st) == -1 || !S_ISDIR(st.st_mode)) {
		log_warnx("state directory %s is not a directory", dir);
		return -1;
	}
	return 0;
}

static int
write_atomic(const char *name, const char *data, size_t len)
{
	char	 path[PATH_MAX + 64], tmp[PATH_MAX + 64];
	int	 fd;

	snprintf(path, sizeof(path), "%s/%s", dirpath, name);
	snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dirpath, name);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0600)) == -1)
		goto fail;
	if (write(fd, data, len) != (ssize_t)len || fsync(fd) == -1) {
		close(fd);
		unlink(tmp);
		goto fail;
	}
	close(fd);
	if (rename(tmp, path) == -1) {
		unlink(tmp);
		goto fail;
	}
	return 0;
fail:
	log_warn("cannot save %s in %s (continuing without it)", name,
	    dirpath);
	return -1;
}

static int
read_file(const char *name, char *out, size_t len)
{
	char	 path[PATH_MAX + 64];
	int	 fd;
	ssize_t	 n;

	snprintf(path, sizeof(path), "%s/%s", dirpath, name);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
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
	write_atomic("generation", b, strlen(b));
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
	r = write_atomic("placement", b.data ? b.data : "", b.len);
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
	uint32_t	 g = read_u32("generation", "starting a new generation from the clock");

	if (g == 0)
		log_info("state: no generation in %s; starting from the clock",
		    dirpath);
	return g;
}

int
state_save_generation(uint32_t g)
{
	char	 b[32];

	snprintf(b, sizeof(b), "%u\n", g);
	return write_atomic("generation", b, strlen(b));
}

/* The newest generation of the peer's that was verified (0: none). */
uint32_t
state_load_peer_generation(void)
{
	return read_u32("peer-generation", "any generation of the peer's is accepted");
}

int
state_save_peer_generation(uint32_t g)
{
	char	 b[32];

	snprintf(b, sizeof(b), "%u\n", g);
	return write_atomic("peer-generation", b, strlen(b));
}
