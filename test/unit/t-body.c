/* t-body.c - the JSON prescan names the field, bounds depth, and never overreads. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "http/internal.h"

static int scan(const char *s, struct errlist *e)
{
	char msg[256];
	errlist_init(e);
	return json_prescan(s, strlen(s), 64, e, msg, sizeof(msg));
}

static void t_valid_passes(void **st)
{
	(void)st;
	struct errlist e;
	assert_int_equal(scan("{\"a\":[1,2,{\"b\":\"\\u00e9\\ud842\\udfb7\"}],\"c\":null}", &e), 0);
}

static void t_names_nested_field(void **st)
{
	(void)st;
	struct errlist e;
	assert_int_equal(scan("{\"contact\":{\"phone\":\"1\\u0000\"}}", &e), ERR_INVALID);
	assert_string_equal(e.e[0].field, "contact.phone");
	assert_string_equal(e.e[0].code, "nul_character");
	assert_int_equal(scan("{\"items\":[\"ok\",{\"name\":\"\xc0\xaf\"}]}", &e), ERR_INVALID);
	assert_string_equal(e.e[0].field, "items[1].name");
	assert_string_equal(e.e[0].code, "invalid_utf8");
}

static void t_lone_surrogates(void **st)
{
	(void)st;
	struct errlist e;
	assert_int_equal(scan("{\"x\":\"\\ud800\"}", &e), ERR_INVALID);
	assert_int_equal(scan("{\"x\":\"\\udc00\"}", &e), ERR_INVALID);
	assert_int_equal(scan("{\"x\":\"\\ud800\\u0041\"}", &e), ERR_INVALID);
}

static void t_depth_limit(void **st)
{
	(void)st;
	struct errlist e;
	size_t n = 20000;
	char *s = malloc(2 * n + 1);
	memset(s, '[', n);
	memset(s + n, ']', n);
	s[2 * n] = '\0';
	assert_int_equal(scan(s, &e), ERR_INVALID);
	assert_string_equal(e.e[0].code, "too_deep");
	free(s);
	/* exactly 64 levels is fine */
	char ok[129];
	memset(ok, '[', 64);
	memset(ok + 64, ']', 64);
	ok[128] = '\0';
	assert_int_equal(scan(ok, &e), 0);
}

static void t_truncated_input_does_not_overread(void **st)
{
	(void)st;
	struct errlist e;
	static const char *const cuts[] = {"{\"a\":\"\\u00", "{\"a\":\"\\", "{\"a\":\"\xe5", "\"",
					   "{\"a\":\"\\ud800\\u"};
	for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++)
		(void)scan(cuts[i], &e); /* ASan build proves no overread */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_valid_passes),
		cmocka_unit_test(t_names_nested_field),
		cmocka_unit_test(t_lone_surrogates),
		cmocka_unit_test(t_depth_limit),
		cmocka_unit_test(t_truncated_input_does_not_overread),
	};
	return cmocka_run_group_tests_name("body", tests, NULL, NULL);
}
