/*
 * json: writer and parser. The parser trusts nothing: every input byte is
 * bounds-checked, nesting is limited to JSON_MAX_DEPTH, and a parse error
 * frees everything built so far.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

void
jw_init(struct jw *w, struct buf *b)
{
	w->b = b;
	w->depth = 0;
	w->first[0] = 1;
}

void
json_escape(struct buf *b, const char *s)
{
	const unsigned char	*p;

	buf_addc(b, '"');
	for (p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"':
			buf_adds(b, "\\\"");
			break;
		case '\\':
			buf_adds(b, "\\\\");
			break;
		case '\n':
			buf_adds(b, "\\n");
			break;
		case '\r':
			buf_adds(b, "\\r");
			break;
		case '\t':
			buf_adds(b, "\\t");
			break;
		default:
			if (*p < 0x20)
				buf_printf(b, "\\u%04x", *p);
			else
				buf_addc(b, (char)*p);
		}
	}
	buf_addc(b, '"');
}

static void
jw_prefix(struct jw *w, const char *key)
{
	if (!w->first[w->depth])
		buf_addc(w->b, ',');
	w->first[w->depth] = 0;
	if (key) {
		json_escape(w->b, key);
		buf_addc(w->b, ':');
	}
}

static void
jw_open(struct jw *w, const char *key, char c)
{
	jw_prefix(w, key);
	buf_addc(w->b, c);
	if (w->depth < JSON_MAX_DEPTH)
		w->depth++;
	w->first[w->depth] = 1;
}

static void
jw_close(struct jw *w, char c)
{
	buf_addc(w->b, c);
	if (w->depth > 0)
		w->depth--;
}

void
jw_obj_begin(struct jw *w, const char *key)
{
	jw_open(w, key, '{');
}

void
jw_obj_end(struct jw *w)
{
	jw_close(w, '}');
}

void
jw_arr_begin(struct jw *w, const char *key)
{
	jw_open(w, key, '[');
}

void
jw_arr_end(struct jw *w)
{
	jw_close(w, ']');
}

void
jw_str(struct jw *w, const char *key, const char *val)
{
	jw_prefix(w, key);
	if (val == NULL)
		buf_adds(w->b, "null");
	else
		json_escape(w->b, val);
}

void
jw_int(struct jw *w, const char *key, int64_t v)
{
	jw_prefix(w, key);
	buf_printf(w->b, "%lld", (long long)v);
}

void
jw_bool(struct jw *w, const char *key, int v)
{
	jw_prefix(w, key);
	buf_adds(w->b, v ? "true" : "false");
}

void
jw_null(struct jw *w, const char *key)
{
	jw_prefix(w, key);
	buf_adds(w->b, "null");
}

/* ---- parser ---- */

struct jp {
	const char	*s;
	size_t		 len;
	size_t		 pos;
	char		*err;
	size_t		 errlen;
	int		 failed;
};

static struct jval *parse_value(struct jp *, int depth);

static int
jp_fail(struct jp *p, const char *what)
{
	if (!p->failed && p->err && p->errlen)
		snprintf(p->err, p->errlen, "%s at offset %zu", what, p->pos);
	p->failed = 1;
	return -1;
}

static void
skip_ws(struct jp *p)
{
	while (p->pos < p->len && (p->s[p->pos] == ' ' ||
	    p->s[p->pos] == '\t' || p->s[p->pos] == '\n' ||
	    p->s[p->pos] == '\r'))
		p->pos++;
}

static int
peek(struct jp *p)
{
	skip_ws(p);
	return p->pos < p->len ? (unsigned char)p->s[p->pos] : -1;
}

static int
hex4(struct jp *p, unsigned *out)
{
	unsigned	 v = 0;
	int		 i, c;

	if (p->len - p->pos < 4)
		return jp_fail(p, "short \\u escape");
	for (i = 0; i < 4; i++) {
		c = p->s[p->pos++];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			return jp_fail(p, "bad \\u escape");
	}
	*out = v;
	return 0;
}

static void
put_utf8(struct buf *b, unsigned cp)
{
	if (cp < 0x80)
		buf_addc(b, (char)cp);
	else if (cp < 0x800) {
		buf_addc(b, (char)(0xc0 | (cp >> 6)));
		buf_addc(b, (char)(0x80 | (cp & 0x3f)));
	} else if (cp < 0x10000) {
		buf_addc(b, (char)(0xe0 | (cp >> 12)));
		buf_addc(b, (char)(0x80 | ((cp >> 6) & 0x3f)));
		buf_addc(b, (char)(0x80 | (cp & 0x3f)));
	} else {
		buf_addc(b, (char)(0xf0 | (cp >> 18)));
		buf_addc(b, (char)(0x80 | ((cp >> 12) & 0x3f)));
		buf_addc(b, (char)(0x80 | ((cp >> 6) & 0x3f)));
		buf_addc(b, (char)(0x80 | (cp & 0x3f)));
	}
}

static int
parse_escape(struct jp *p, struct buf *b)
{
	unsigned	 cp, lo;
	char		 c;

	if (p->pos >= p->len)
		return jp_fail(p, "unterminated escape");
	c = p->s[p->pos++];
	switch (c) {
	case '"': case '\\': case '/':
		buf_addc(b, c);
		return 0;
	case 'b':
		buf_addc(b, '\b');
		return 0;
	case 'f':
		buf_addc(b, '\f');
		return 0;
	case 'n':
		buf_addc(b, '\n');
		return 0;
	case 'r':
		buf_addc(b, '\r');
		return 0;
	case 't':
		buf_addc(b, '\t');
		return 0;
	case 'u':
		break;
	default:
		return jp_fail(p, "bad escape");
	}
	if (hex4(p, &cp) == -1)
		return -1;
	if (cp >= 0xd800 && cp <= 0xdbff) {
		if (p->len - p->pos < 2 || p->s[p->pos] != '\\' ||
		    p->s[p->pos + 1] != 'u')
			return jp_fail(p, "lone surrogate");
		p->pos += 2;
		if (hex4(p, &lo) == -1)
			return -1;
		if (lo < 0xdc00 || lo > 0xdfff)
			return jp_fail(p, "bad surrogate pair");
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
	} else if (cp >= 0xdc00 && cp <= 0xdfff)
		return jp_fail(p, "lone surrogate");
	if (cp == 0)
		return jp_fail(p, "NUL in string");
	put_utf8(b, cp);
	return 0;
}

static char *
parse_string(struct jp *p)
{
	struct buf	 b;
	unsigned char	 c;

	if (peek(p) != '"') {
		jp_fail(p, "expected string");
		return NULL;
	}
	p->pos++;
	buf_init(&b);
	buf_add(&b, "", 0);
	for (;;) {
		if (p->pos >= p->len) {
			jp_fail(p, "unterminated string");
			break;
		}
		c = (unsigned char)p->s[p->pos++];
		if (c == '"')
			return b.data;
		if (c < 0x20) {
			jp_fail(p, "control character in string");
			break;
		}
		if (c == '\\') {
			if (parse_escape(p, &b) == -1)
				break;
		} else
			buf_addc(&b, (char)c);
	}
	buf_free(&b);
	return NULL;
}

static int
parse_number(struct jp *p, struct jval *v)
{
	char	 tmp[64];
	size_t	 start = p->pos, n;
	char	*end;

	while (p->pos < p->len && strchr("+-0123456789.eE", p->s[p->pos]))
		p->pos++;
	n = p->pos - start;
	if (n == 0 || n >= sizeof(tmp))
		return jp_fail(p, "bad number");
	memcpy(tmp, p->s + start, n);
	tmp[n] = '\0';
	v->num = strtod(tmp, &end);
	if (*end != '\0' || !isfinite(v->num))
		return jp_fail(p, "bad number");
	if (strpbrk(tmp, ".eE") == NULL)
		v->inum = strtoll(tmp, NULL, 10);
	else if (v->num >= -9223372036854775808.0 &&
	    v->num < 9223372036854775808.0)
		v->inum = (int64_t)v->num;
	else		/* out of int64's range: a cast would be undefined */
		v->inum = v->num < 0 ? INT64_MIN : INT64_MAX;
	v->type = J_NUM;
	return 0;
}

static int
parse_word(struct jp *p, const char *w)
{
	size_t	 n = strlen(w);

	if (p->len - p->pos < n || memcmp(p->s + p->pos, w, n) != 0)
		return jp_fail(p, "unexpected token");
	p->pos += n;
	return 0;
}

static int
parse_members(struct jp *p, struct jval *v, int depth, int is_obj)
{
	struct jval	**tail = &v->child, *item;
	char		 *key = NULL;
	int		  close = is_obj ? '}' : ']';

	p->pos++;
	if (peek(p) == close) {
		p->pos++;
		return 0;
	}
	for (;;) {
		if (is_obj) {
			if ((key = parse_string(p)) == NULL)
				return -1;
			if (peek(p) != ':') {
				free(key);
				return jp_fail(p, "expected ':'");
			}
			p->pos++;
		}
		if ((item = parse_value(p, depth + 1)) == NULL) {
			free(key);
			return -1;
		}
		item->key = key;
		key = NULL;
		*tail = item;
		tail = &item->next;
		switch (peek(p)) {
		case ',':
			p->pos++;
			continue;
		case ']':
		case '}':
			if (peek(p) != close)
				return jp_fail(p, "mismatched bracket");
			p->pos++;
			return 0;
		default:
			return jp_fail(p, "expected ',' or end");
		}
	}
}

static struct jval *
parse_value(struct jp *p, int depth)
{
	struct jval	*v;
	int		 c, r = 0;

	if (depth > JSON_MAX_DEPTH) {
		jp_fail(p, "nesting too deep");
		return NULL;
	}
	v = xcalloc(1, sizeof(*v));
	c = peek(p);
	switch (c) {
	case '{':
		v->type = J_OBJ;
		r = parse_members(p, v, depth, 1);
		break;
	case '[':
		v->type = J_ARR;
		r = parse_members(p, v, depth, 0);
		break;
	case '"':
		v->type = J_STR;
		if ((v->str = parse_string(p)) == NULL)
			r = -1;
		break;
	case 't':
		v->type = J_BOOL;
		v->num = v->inum = 1;
		r = parse_word(p, "true");
		break;
	case 'f':
		v->type = J_BOOL;
		r = parse_word(p, "false");
		break;
	case 'n':
		v->type = J_NULL;
		r = parse_word(p, "null");
		break;
	default:
		if (c == '-' || (c >= '0' && c <= '9'))
			r = parse_number(p, v);
		else
			r = jp_fail(p, "unexpected character");
	}
	if (r == -1) {
		json_free(v);
		return NULL;
	}
	return v;
}

struct jval *
json_parse(const char *s, size_t len, char *err, size_t errlen)
{
	struct jp	 p = { s, len, 0, err, errlen, 0 };
	struct jval	*v;

	if (err && errlen)
		err[0] = '\0';
	if ((v = parse_value(&p, 0)) == NULL)
		return NULL;
	if (peek(&p) != -1) {
		jp_fail(&p, "trailing data");
		json_free(v);
		return NULL;
	}
	return v;
}

void
json_free(struct jval *v)
{
	struct jval	*next;

	while (v) {
		next = v->next;
		json_free(v->child);
		free(v->key);
		free(v->str);
		free(v);
		v = next;
	}
}

struct jval *
json_get(const struct jval *o, const char *key)
{
	struct jval	*c;

	if (o == NULL || o->type != J_OBJ)
		return NULL;
	for (c = o->child; c; c = c->next)
		if (c->key && strcmp(c->key, key) == 0)
			return c;
	return NULL;
}

const char *
json_get_str(const struct jval *o, const char *key)
{
	struct jval	*v = json_get(o, key);

	return v && v->type == J_STR ? v->str : NULL;
}

int64_t
json_get_int(const struct jval *o, const char *key, int64_t def)
{
	struct jval	*v = json_get(o, key);

	return v && v->type == J_NUM ? v->inum : def;
}

int
json_get_bool(const struct jval *o, const char *key, int def)
{
	struct jval	*v = json_get(o, key);

	return v && v->type == J_BOOL ? (int)v->inum : def;
}

size_t
json_count(const struct jval *v)
{
	size_t		 n = 0;
	struct jval	*c;

	if (v == NULL)
		return 0;
	for (c = v->child; c; c = c->next)
		n++;
	return n;
}

void
json_write(struct buf *b, const struct jval *v)
{
	const struct jval	*c;
	int			 first = 1;

	switch (v->type) {
	case J_NULL:
		buf_adds(b, "null");
		break;
	case J_BOOL:
		buf_adds(b, v->inum ? "true" : "false");
		break;
	case J_NUM:
		if ((double)v->inum == v->num)
			buf_printf(b, "%lld", (long long)v->inum);
		else
			buf_printf(b, "%.17g", v->num);
		break;
	case J_STR:
		json_escape(b, v->str);
		break;
	case J_ARR:
	case J_OBJ:
		buf_addc(b, v->type == J_ARR ? '[' : '{');
		for (c = v->child; c; c = c->next) {
			if (!first)
				buf_addc(b, ',');
			first = 0;
			if (v->type == J_OBJ) {
				json_escape(b, c->key);
				buf_addc(b, ':');
			}
			json_write(b, c);
		}
		buf_addc(b, v->type == J_ARR ? ']' : '}');
		break;
	}
}
