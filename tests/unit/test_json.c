/*
 * json and ctl_proto: writer/parser round trips, escapes, limits and
 * errors; control frames split at every byte.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "ctl_proto.h"
#include "json.h"

static void
test_roundtrip(void **state)
{
	struct buf	 b;
	struct jw	 w;
	struct jval	*v, *a;
	char		 err[128];

	buf_init(&b);
	jw_init(&w, &b);
	jw_obj_begin(&w, NULL);
	jw_str(&w, "name", "ha1 \"quoted\"\n\ttab\\");
	jw_int(&w, "n", -1234567890123LL);
	jw_bool(&w, "yes", 1);
	jw_null(&w, "nothing");
	jw_str(&w, "owner", NULL);
	jw_arr_begin(&w, "list");
	jw_int(&w, NULL, 1);
	jw_obj_begin(&w, NULL);
	jw_str(&w, "k", "\x01");
	jw_obj_end(&w);
	jw_arr_end(&w);
	jw_obj_end(&w);
	v = json_parse(b.data, b.len, err, sizeof(err));
	assert_non_null(v);
	assert_string_equal(json_get_str(v, "name"), "ha1 \"quoted\"\n\ttab\\");
	assert_true(json_get_int(v, "n", 0) == -1234567890123LL);
	assert_int_equal(json_get_bool(v, "yes", 0), 1);
	assert_int_equal(json_get(v, "nothing")->type, J_NULL);
	assert_null(json_get_str(v, "owner"));
	a = json_get(v, "list");
	assert_int_equal(json_count(a), 2);
	assert_string_equal(json_get_str(a->child->next, "k"), "\x01");
	json_free(v);
	buf_free(&b);
}

static void
test_unicode(void **state)
{
	const char	*in = "{\"s\":\"caf\\u00e9 \\ud83d\\ude00\"}";
	struct jval	*v = json_parse(in, strlen(in), NULL, 0);

	assert_non_null(v);
	assert_string_equal(json_get_str(v, "s"),
	    "caf\xc3\xa9 \xf0\x9f\x98\x80");
	json_free(v);
}

static void
test_errors(void **state)
{
	static const char *bad[] = {
		"", "{", "}", "{\"a\"}", "{\"a\":}", "[1,]", "[1 2]",
		"\"unterminated", "{\"a\":1}x", "tru", "nul", "-",
		"\"\\ud800\"", "\"\\u00\"", "\"\\q\"", "\"a\nb\"",
		"{\"a\":1,}", "[}", "\"\\u0000\"", "1e999",
	};
	char		 deep[200];
	char		 err[128];
	size_t		 i;
	struct jval	*v;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		v = json_parse(bad[i], strlen(bad[i]), err, sizeof(err));
		if (v != NULL)
			fail_msg("accepted: %s", bad[i]);
		assert_true(err[0] != '\0');
	}
	memset(deep, '[', sizeof(deep));
	assert_null(json_parse(deep, sizeof(deep), err, sizeof(err)));
	assert_non_null(strstr(err, "deep"));
}

static void
test_frames(void **state)
{
	struct buf		 b;
	struct ctl_frame	 f;
	const char		*why;
	size_t			 i;
	long			 r;

	buf_init(&b);
	ctl_frame_add(&b, CTL_REQUEST, "{\"cmd\":\"status\"}", 16);
	for (i = 0; i < b.len; i++)
		assert_int_equal(ctl_frame_parse(b.data, i, &f, &why), 0);
	r = ctl_frame_parse(b.data, b.len, &f, &why);
	assert_int_equal(r, (long)b.len);
	assert_int_equal(f.type, CTL_REQUEST);
	assert_int_equal(f.len, 16);
	assert_memory_equal(f.payload, "{\"cmd\":\"status\"}", 16);

	/* garbage is refused at the first byte that gives it away */
	assert_int_equal(ctl_frame_parse("GET / HTTP/1.0", 14, &f, &why), -1);
	assert_int_equal(ctl_frame_parse("H", 1, &f, &why), 0);
	b.data[2] = 9;
	assert_int_equal(ctl_frame_parse(b.data, b.len, &f, &why), -1);
	assert_string_equal(why, "unsupported protocol version");
	b.data[2] = CTL_VERSION;
	b.data[3] = 77;
	assert_int_equal(ctl_frame_parse(b.data, b.len, &f, &why), -1);
	b.data[3] = CTL_REQUEST;
	/* oversize length: refused before waiting for the payload */
	b.data[4] = 0x7f;
	assert_int_equal(ctl_frame_parse(b.data, CTL_HDR_LEN, &f, &why), -1);
	assert_string_equal(why, "frame too large");
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_unicode),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_frames),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
