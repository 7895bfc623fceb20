/* t-jsonw.c - the JSON writer: what it writes parses back (jansson) to the same values,
 * escaping included; nesting past the limit, a full buffer and unbalanced ends are errors, never
 * bad JSON. */
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
	static const char *const nasty[] = {
		"plain",     "张三𠮷", "quote \" and \\ back", "line\nfeed\ttab\r", "\x01\x1f ctl",
		"</script>", ""};
	struct jsonw w;
	jsonw_init(&w);
	jsonw_object(&w, NULL);
	jsonw_int(&w, "id", INT64_MAX);
	jsonw_int(&w, "neg", -42);
	jsonw_int(&w, "min", INT64_MIN);
	jsonw_int(&w, "zero", 0);
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
	assert_int_equal(json_integer_value(json_object_get(j, "min")), INT64_MIN);
	assert_int_equal(json_integer_value(json_object_get(j, "zero")), 0);
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

/* what was added with the move to base/: bool, double, raw, counted strings, the fixed
 * backing, mark/rewind; each parses back with jansson to the same values */
static void t_more_values(void **st)
{
	(void)st;
	char mem[256];
	struct jsonw w;
	jsonw_init_fixed(&w, mem, sizeof(mem));
	jsonw_object(&w, NULL);
	jsonw_bool(&w, "t", true);
	jsonw_bool(&w, "f", false);
	jsonw_double(&w, "d", 0.25);
	jsonw_double(&w, "inf", 1.0 / 0.0);
	jsonw_raw(&w, "raw", "{\"a\":[1,2]}");
	jsonw_raw(&w, "rawnull", NULL);
	jsonw_strn(&w, "n", "abcdef", 3);
	struct jsonw_mark m;
	jsonw_mark(&w, &m);
	jsonw_str(&w, "gone", "this member is rewound");
	jsonw_rewind(&w, &m);
	jsonw_end(&w);
	assert_int_equal(jsonw_result(&w), 0);
	size_t n;
	const char *t = jsonw_text(&w, &n);
	assert_ptr_equal(t, mem);
	assert_int_equal(strlen(t), n);
	assert_null(jsonw_detach(&w, &n));
	json_error_t je;
	json_t *j = json_loads(mem, JSON_REJECT_DUPLICATES, &je);
	assert_non_null(j);
	assert_true(json_is_true(json_object_get(j, "t")));
	assert_true(json_is_false(json_object_get(j, "f")));
	assert_true(json_real_value(json_object_get(j, "d")) == 0.25);
	assert_true(json_is_null(json_object_get(j, "inf")));
	assert_int_equal(
		json_integer_value(json_array_get(json_object_get(json_object_get(j, "raw"), "a"), 1)), 2);
	assert_true(json_is_null(json_object_get(j, "rawnull")));
	assert_string_equal(json_string_value(json_object_get(j, "n")), "abc");
	assert_null(json_object_get(j, "gone"));
	json_decref(j);
	jsonw_release(&w);
}

/* a fixed buffer that fills up: the error sticks, the text stays NUL-terminated, and a
 * rewind to before the failing member recovers the writer */
static void t_fixed_full(void **st)
{
	(void)st;
	char mem[16];
	struct jsonw w;
	jsonw_init_fixed(&w, mem, sizeof(mem));
	jsonw_object(&w, NULL);
	jsonw_int(&w, "a", 1);
	struct jsonw_mark m;
	jsonw_mark(&w, &m);
	jsonw_str(&w, "long", "does not fit in sixteen bytes");
	assert_int_equal(w.rc, ERR_TOOBIG);
	assert_int_not_equal(jsonw_result(&w), 0);
	jsonw_rewind(&w, &m);
	assert_int_equal(w.rc, 0);
	jsonw_end(&w);
	assert_int_equal(jsonw_result(&w), 0);
	assert_string_equal(jsonw_text(&w, NULL), "{\"a\":1}");
	/* a heap writer with a small maximum fails the same way */
	jsonw_init_max(&w, 8);
	jsonw_array(&w, NULL);
	jsonw_str(&w, NULL, "0123456789");
	assert_int_equal(jsonw_result(&w), ERR_TOOBIG);
	jsonw_release(&w);
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
		cmocka_unit_test(t_round_trip),   cmocka_unit_test(t_limits),
		cmocka_unit_test(t_quote_bounds), cmocka_unit_test(t_more_values),
		cmocka_unit_test(t_fixed_full),
	};
	return cmocka_run_group_tests_name("jsonw", tests, NULL, NULL);
}
