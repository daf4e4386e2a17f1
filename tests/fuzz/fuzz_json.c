/*
 * fuzz_json: the control protocol's JSON parser (lib/json.c) on arbitrary
 * bytes. Besides "no sanitizer report":
 * - a refused document always says why (err is set);
 * - a parsed document serialised again (strings through json_escape,
 *   numbers exactly) parses to the same tree: same types, keys, strings
 *   and numbers;
 * - the same tree written with the jw_* writer that hbd uses for replies
 *   and events (integers only) parses again, with the same shape;
 * - the accessors hbctl and hbd-snmp call on replies do not misbehave.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "fuzz_common.h"
#include "json.h"
#include "util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
emit_num(struct buf *b, const struct jval *v)
{
	/* integers exactly as written; anything else with every digit */
	if ((double)v->inum == v->num)
		buf_printf(b, "%lld", (long long)v->inum);
	else
		buf_printf(b, "%.17g", v->num);
}

static void
emit(struct buf *b, const struct jval *v)
{
	const struct jval	*c;

	switch (v->type) {
	case J_NULL:
		buf_adds(b, "null");
		break;
	case J_BOOL:
		buf_adds(b, v->inum ? "true" : "false");
		break;
	case J_NUM:
		emit_num(b, v);
		break;
	case J_STR:
		FUZZ_CHECK(v->str != NULL);
		json_escape(b, v->str);
		break;
	case J_ARR:
	case J_OBJ:
		buf_addc(b, v->type == J_OBJ ? '{' : '[');
		for (c = v->child; c; c = c->next) {
			if (c != v->child)
				buf_addc(b, ',');
			if (v->type == J_OBJ) {
				FUZZ_CHECK(c->key != NULL);
				json_escape(b, c->key);
				buf_addc(b, ':');
			} else
				FUZZ_CHECK(c->key == NULL);
			emit(b, c);
		}
		buf_addc(b, v->type == J_OBJ ? '}' : ']');
		break;
	default:
		FUZZ_CHECK(!"unknown value type");
	}
}

/* The same tree through hbd's own writer; numbers become integers. */
static void
emit_jw(struct jw *w, const char *key, const struct jval *v)
{
	const struct jval	*c;

	switch (v->type) {
	case J_NULL:
		jw_null(w, key);
		break;
	case J_BOOL:
		jw_bool(w, key, (int)v->inum);
		break;
	case J_NUM:
		jw_int(w, key, v->inum);
		break;
	case J_STR:
		jw_str(w, key, v->str);
		break;
	case J_ARR:
		jw_arr_begin(w, key);
		for (c = v->child; c; c = c->next)
			emit_jw(w, NULL, c);
		jw_arr_end(w);
		break;
	case J_OBJ:
		jw_obj_begin(w, key);
		for (c = v->child; c; c = c->next)
			emit_jw(w, c->key, c);
		jw_obj_end(w);
		break;
	}
}

static void
same_tree(const struct jval *a, const struct jval *b, int exact)
{
	for (; a && b; a = a->next, b = b->next) {
		FUZZ_CHECK(a->type == b->type);
		FUZZ_CHECK((a->key == NULL) == (b->key == NULL));
		FUZZ_CHECK(a->key == NULL || strcmp(a->key, b->key) == 0);
		switch (a->type) {
		case J_STR:
			FUZZ_CHECK(strcmp(a->str, b->str) == 0);
			break;
		case J_BOOL:
			FUZZ_CHECK(a->inum == b->inum);
			break;
		case J_NUM:
			FUZZ_CHECK(a->inum == b->inum);
			FUZZ_CHECK(!exact || a->num == b->num);
			break;
		default:
			break;
		}
		same_tree(a->child, b->child, exact);
	}
	FUZZ_CHECK(a == NULL && b == NULL);
}

static struct jval *
reparse(const struct buf *b)
{
	struct jval	*v;
	char		 err[128];

	v = json_parse(b->data, b->len, err, sizeof(err));
	if (v == NULL)
		fprintf(stderr, "re-serialised JSON refused: %s\n%.*s\n", err,
		    (int)(b->len > 2000 ? 2000 : b->len), b->data);
	FUZZ_CHECK(v != NULL);
	return v;
}

/* What hbctl and hbd-snmp ask of a reply or an event */
static void
accessors(const struct jval *v)
{
	const struct jval	*c;

	(void)json_count(v);
	(void)json_get_int(v, "seq", -1);
	(void)json_get_bool(v, "local", 0);
	(void)json_get_str(v, "type");
	for (c = json_get(v, "nodes") ? json_get(v, "nodes")->child : NULL;
	    c; c = c->next) {
		(void)json_get_str(c, "name");
		(void)json_get_int(c, "last_heartbeat_ms", -1);
		(void)json_count(json_get(c, "links"));
	}
	FUZZ_CHECK(json_get(NULL, "x") == NULL);
	FUZZ_CHECK(json_count(NULL) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jval	*v, *v2;
	struct buf	 b;
	struct jw	 w;
	char		 err[128];

	err[0] = 'x';
	v = json_parse((const char *)data, size, err, sizeof(err));
	if (v == NULL) {
		FUZZ_CHECK(err[0] != '\0' && memchr(err, '\0', sizeof(err)));
		return 0;
	}
	FUZZ_CHECK(v->next == NULL && v->key == NULL);
	accessors(v);

	buf_init(&b);
	emit(&b, v);
	v2 = reparse(&b);
	same_tree(v, v2, 1);
	json_free(v2);

	buf_reset(&b);
	jw_init(&w, &b);
	emit_jw(&w, NULL, v);
	v2 = reparse(&b);
	same_tree(v, v2, 0);
	json_free(v2);

	buf_free(&b);
	json_free(v);
	return 0;
}
