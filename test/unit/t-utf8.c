/* t-utf8.c - strict UTF-8 validation, table-driven. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "base/utf8.h"

static const struct {
	const char *name;
	const char *bytes;
	size_t len;
	int valid;
	size_t bad_at;
} cases[] = {
	{"ascii", "hello", 5, 1, 0},
	{"chinese", "\xe5\xa7\x93\xe5\x90\x8d", 6, 1, 0},
	{"astral 𠮷", "\xf0\xa0\xae\xb7", 4, 1, 0},
	{"overlong slash C0 AF", "a\xc0\xaf", 3, 0, 1},
	{"overlong E0 80 AF", "\xe0\x80\xaf", 3, 0, 0},
	{"surrogate ED A0 80", "ab\xed\xa0\x80", 5, 0, 2},
	{"above U+10FFFF", "\xf4\x90\x80\x80", 4, 0, 0},
	{"truncated", "\xe5\xa7", 2, 0, 0},
	{"lone continuation", "\x80", 1, 0, 0},
	{"NUL", "a\0b", 3, 0, 1},
	{"FF", "\xff", 1, 0, 0},
};

static void t_table(void **st)
{
	(void)st;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t at = 999;
		bool ok = utf8_valid(cases[i].bytes, cases[i].len, &at);
		if ((int)ok != cases[i].valid)
			fail_msg("case %s: got %d", cases[i].name, ok);
		if (!ok && at != cases[i].bad_at)
			fail_msg("case %s: bad_at %zu, want %zu", cases[i].name, at, cases[i].bad_at);
	}
}

static void t_count_code_points(void **st)
{
	(void)st;
	assert_int_equal(utf8_count("a\xf0\xa0\xae\xb7\xe5\xa7\x93", 8), 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_table),
		cmocka_unit_test(t_count_code_points),
	};
	return cmocka_run_group_tests_name("utf8", tests, NULL, NULL);
}
