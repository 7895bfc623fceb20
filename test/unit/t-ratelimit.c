/* t-ratelimit.c - fixed windows, separate keys, bounded table. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>

#include "base/ratelimit.h"

static void t_window(void **st)
{
	(void)st;
	struct ratelimit *rl;
	assert_int_equal(ratelimit_new(64, 3, 60, &rl), 0);
	for (int i = 0; i < 3; i++) {
		assert_false(ratelimit_over(rl, "10.0.0.1", 1000));
		ratelimit_hit(rl, "10.0.0.1", 1000);
	}
	assert_true(ratelimit_over(rl, "10.0.0.1", 1000));
	assert_false(ratelimit_over(rl, "10.0.0.2", 1000)); /* another address */
	assert_false(ratelimit_over(rl, "10.0.0.1", 1080)); /* next window */
	ratelimit_free(rl);
}

static void t_many_keys_stay_bounded(void **st)
{
	(void)st;
	struct ratelimit *rl;
	assert_int_equal(ratelimit_new(8, 2, 60, &rl), 0);
	char key[32];
	for (int i = 0; i < 100000; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		ratelimit_hit(rl, key, 5);
	}
	ratelimit_hit(rl, "x", 5);
	ratelimit_hit(rl, "x", 5);
	assert_true(ratelimit_over(rl, "x", 5));
	ratelimit_free(rl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_window),
		cmocka_unit_test(t_many_keys_stay_bounded),
	};
	return cmocka_run_group_tests_name("ratelimit", tests, NULL, NULL);
}
