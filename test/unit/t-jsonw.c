/* t-jsonw.c - the JSON writer: what it writes parses back (jansson) to the same values,
 * escaping included; nesting past the limit and unbalanced ends are errors, never bad JSON. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "base/jsonw.h"
#include "base/err.h"
#include "base/jsontext.h"

static void t_round_trip(void **st)
{
	(void)st;
	static const char *const nasty[] = {"plain", "张三𠮷", "quote \" and \\ back", "line\nfeed\ttab\r",
					    "\x01\x1f ctl", "</script>", ""};
	struct jsonw w;
	jsonw_init(&w);
	jsonw_object(&w, NULL);
	jsonw_int(&w, "id", INT64_MAX);
	jsonw_int(&w, "neg", -42);
	jsonw_null(&w, "nothing");
	jsonw_str(&w, "absent", NULL);
	jsonw_array(&w, "items");
	for (size_t i = 0; i < sizeof(nasty) / sizeof(nasty[0]); i++) {
		jsonw_object(&w, NULL);
		jsonw_str(&w, "s", nasty[i]);
		jsonw_array(&w, "empty");
		jsonw_end(&w);
		jsonw_end(&w);
	}
	jsonw_end(&w);
	jsonw_str(&w, "k\"ey", "v");
	jsonw_end(&w);
	assert_int_equal(w.rc, 0);
	assert_int_equal(w.depth, 0);
	json_error_t je;
	json_t *j = json_loadb(w.b.ptr, w.b.len, JSON_REJECT_DUPLICATES, &je);
	assert_non_null(j);
	assert_int_equal(json_integer_value(json_object_get(j, "id")), INT64_MAX);
	assert_int_equal(json_integer_value(json_object_get(j, "neg")), -42);
	assert_true(json_is_null(json_object_get(j, "nothing")));
	assert_true(json_is_null(json_object_get(j, "absent")));
	assert_string_equal(json_string_value(json_object_get(j, "k\"ey")), "v");
	json_t *items = json_object_get(j, "items");
	assert_int_equal(json_array_size(items), sizeof(nasty) / sizeof(nasty[0]));
	for (size_t i = 0; i < json_array_size(items); i++) {
		json_t *o = json_array_get(items, i);
		assert_string_equal(json_string_value(json_object_get(o, "s")), nasty[i]);
		assert_int_equal(json_array_size(json_object_get(o, "empty")), 0);
	}
	json_decref(j);
	buf_release(&w.b);
}

static void t_quote_bounds(void **st)
{
	(void)st;
	char out[64];
	/* the documented worst case fits exactly; one byte less does not */
	assert_int_equal(json_quote(out, 6 * 3 + 2, "\x01\x02\x03"), 20);
	assert_memory_equal(out, "\"\\u0001\\u0002\\u0003\"", 20);
	assert_int_equal(json_quote(out, 19, "\x01\x02\x03"), 0);
	assert_int_equal(json_quote(out, 2, ""), 2);
	assert_int_equal(json_quote(out, 4, NULL), 4);
	assert_int_equal(json_quote(out, 3, NULL), 0);
	assert_int_equal(json_quote(out, 8, "a\"b"), 6);
	assert_memory_equal(out, "\"a\\\"b\"", 6);
}

static void t_limits(void **st)
{
	(void)st;
	struct jsonw w;
	jsonw_init(&w);
	for (int i = 0; i < JSONW_DEPTH + 2; i++)
		jsonw_array(&w, NULL);
	assert_int_not_equal(w.rc, 0);
	buf_release(&w.b);
	jsonw_init(&w);
	jsonw_end(&w); /* nothing open */
	assert_int_not_equal(w.rc, 0);
	buf_release(&w.b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_round_trip),
		cmocka_unit_test(t_limits),
		cmocka_unit_test(t_quote_bounds),
	};
	return cmocka_run_group_tests_name("jsonw", tests, NULL, NULL);
}
