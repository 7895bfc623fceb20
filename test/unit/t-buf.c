/* t-buf.c - the bounded buffer: NUL-termination, hard maximum, detach/release. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"

static void t_empty_is_terminated(void **st)
{
	(void)st;
	struct buf b;
	buf_init(&b, 10);
	assert_non_null(b.ptr);
	assert_string_equal(b.ptr, "");
	buf_release(&b);
}

static void t_append_up_to_max(void **st)
{
	(void)st;
	struct buf b;
	buf_init(&b, 8);
	assert_int_equal(buf_puts(&b, "12345678"), 0);
	assert_int_equal(b.len, 8);
	assert_int_equal(buf_putc(&b, '9'), ERR_TOOBIG);
	assert_string_equal(b.ptr, "12345678"); /* unchanged after a failed append */
	buf_release(&b);
	assert_int_equal(b.max, 8);
}

static void t_printf_respects_max(void **st)
{
	(void)st;
	struct buf b;
	buf_init(&b, 16);
	assert_int_equal(buf_printf(&b, "%d-%s", 42, "abc"), 0);
	assert_string_equal(b.ptr, "42-abc");
	assert_int_equal(buf_printf(&b, "%s", "this is far too long"), ERR_TOOBIG);
	assert_string_equal(b.ptr, "42-abc");
	buf_release(&b);
}

static void t_detach_hands_ownership(void **st)
{
	(void)st;
	struct buf b;
	buf_init(&b, 1024);
	for (int i = 0; i < 100; i++)
		assert_int_equal(buf_puts(&b, "ab"), 0);
	size_t n;
	char *p = buf_detach(&b, &n);
	assert_int_equal(n, 200);
	assert_int_equal(strlen(p), 200);
	assert_int_equal(b.len, 0);
	free(p);
	p = buf_detach(&b, &n); /* empty detach still returns freeable memory */
	assert_non_null(p);
	assert_int_equal(n, 0);
	free(p);
}

static void t_overflow_arithmetic(void **st)
{
	(void)st;
	struct buf b;
	buf_init(&b, SIZE_MAX - 1);
	assert_int_equal(buf_append(&b, "x", 1), 0);
	assert_int_equal(buf_append(&b, "x", SIZE_MAX), ERR_TOOBIG);
	buf_release(&b);
}

static void t_str_copy_keeps_characters_whole(void **st)
{
	(void)st;
	char out[5];
	/* "a𠮷" is 1 + 4 bytes: it does not fit in 4 bytes + NUL, so only "a" remains */
	assert_int_equal(str_copy(out, sizeof(out), "a\xF0\xA0\xAE\xB7"), 1);
	assert_string_equal(out, "a");
	assert_int_equal(str_copy(out, sizeof(out), "abcdefg"), 4);
	assert_string_equal(out, "abcd");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_empty_is_terminated), cmocka_unit_test(t_append_up_to_max),
		cmocka_unit_test(t_printf_respects_max), cmocka_unit_test(t_detach_hands_ownership),
		cmocka_unit_test(t_overflow_arithmetic), cmocka_unit_test(t_str_copy_keeps_characters_whole),
	};
	return cmocka_run_group_tests_name("buf", tests, NULL, NULL);
}
