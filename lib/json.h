/*
 * json: the control protocol's payload format. A writer that emits into a
 * struct buf, and a small bounded DOM parser (depth and size limits, full
 * string escapes) for hbctl and hbd-snmp. No I/O.
 */
#ifndef HBD_JSON_H
#define HBD_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

#define JSON_MAX_DEPTH	32

struct jw {
	struct buf	*b;
	int		 depth;
	unsigned char	 first[JSON_MAX_DEPTH + 1];
};

void	jw_init(struct jw *, struct buf *);
void	jw_obj_begin(struct jw *, const char *key);
void	jw_obj_end(struct jw *);
void	jw_arr_begin(struct jw *, const char *key);
void	jw_arr_end(struct jw *);
void	jw_str(struct jw *, const char *key, const char *val);
void	jw_int(struct jw *, const char *key, int64_t);
void	jw_bool(struct jw *, const char *key, int);
void	jw_null(struct jw *, const char *key);
void	json_escape(struct buf *, const char *);

enum jtype {
	J_NULL,
	J_BOOL,
	J_NUM,
	J_STR,
	J_ARR,
	J_OBJ
};

struct jval {
	enum jtype	 type;
	char		*key;		/* member name inside an object */
	char		*str;		/* J_STR */
	double		 num;		/* J_NUM, J_BOOL */
	int64_t		 inum;		/* J_NUM when integral */
	struct jval	*child;		/* first element/member */
	struct jval	*next;		/* next sibling */
};

struct jval	*json_parse(const char *, size_t, char *err, size_t errlen);
void		 json_free(struct jval *);
struct jval	*json_get(const struct jval *, const char *key);
const char	*json_get_str(const struct jval *, const char *key);
int64_t		 json_get_int(const struct jval *, const char *key, int64_t def);
int		 json_get_bool(const struct jval *, const char *key, int def);
size_t		 json_count(const struct jval *);
/* Serialise a parsed value again (what hbctl --json prints). */
void		 json_write(struct buf *, const struct jval *);

#endif
