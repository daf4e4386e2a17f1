/*
 * util: small helpers shared by every program: monotonic time, checked
 * allocation, bounded string copies and a growable byte buffer.
 */
#ifndef HBD_UTIL_H
#define HBD_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

int64_t	 mono_ms(void);
int64_t	 mono_us(void);
int64_t	 real_ms(void);

void	*xcalloc(size_t, size_t);
void	*xreallocarray(void *, size_t, size_t);
char	*xstrdup(const char *);
size_t	 hbd_strlcpy(char *, const char *, size_t);
int	 set_nonblock(int);
int	 set_cloexec(int);

struct buf {
	char	*data;
	size_t	 len;
	size_t	 cap;
};
void	 buf_init(struct buf *);
void	 buf_free(struct buf *);
void	 buf_reset(struct buf *);
void	 buf_add(struct buf *, const void *, size_t);
void	 buf_addc(struct buf *, char);
void	 buf_adds(struct buf *, const char *);
void	 buf_printf(struct buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	 buf_drop(struct buf *, size_t);
const char *buf_cstr(struct buf *);

/*
 * Names that come from the wire or from other programs: a node name is
 * 1 or more of [A-Za-z0-9._-] (what hostnames use), nothing that a shell,
 * a terminal or a log parser could take for something else.
 */
int	 node_name_ok(const char *);
/* dst = src with every byte outside that set replaced by '_' */
void	 name_clean(char *dst, size_t, const char *src);
/* dst = src with control bytes (< 0x20 but tab, 0x7f) written as \xNN */
void	 str_vis(char *dst, size_t, const char *src);

/* "3.2s ago"-style rendering used by hbctl and logs */
void	 fmt_ago(char *, size_t, int64_t ms);
void	 fmt_ms(char *, size_t, int64_t ms);

#endif
