/* t-ticker.c - the periodic thread: calls at start and at stop when asked, a kick runs the
 * next call at once, a stop wakes the wait at once and the call in flight sees stopping. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdatomic.h>
#include <time.h>

#include "base/ticker.h"

struct count {
	atomic_int calls;
	atomic_int saw_stopping;
};

static void bump(void *arg, struct ticker *t)
{
	struct count *c = arg;
	c->calls++;
	if (ticker_stopping(t))
		c->saw_stopping++;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void wait_calls(struct count *c, int n)
{
	struct timespec ms = {0, 1000000L};
	for (int i = 0; i < 5000 && c->calls < n; i++)
		nanosleep(&ms, NULL);
}

static void t_start_and_stop_calls(void **st)
{
	(void)st;
	struct count c = {0};
	struct ticker *t = NULL;
	double t0 = now_s();
	assert_int_equal(ticker_start(3600 * 1000, TICK_AT_START | TICK_AT_STOP, bump, &c, &t), 0);
	wait_calls(&c, 1);
	assert_int_equal(c.calls, 1); /* at start, then the hour's wait */
	ticker_stop(t);               /* wakes the wait at once */
	assert_int_equal(c.calls, 2); /* and once more at stop, seeing it */
	assert_int_equal(c.saw_stopping, 1);
	assert_true(now_s() - t0 < 5.0);
}

static void t_kick_runs_now(void **st)
{
	(void)st;
	struct count c = {0};
	struct ticker *t = NULL;
	assert_int_equal(ticker_start(3600 * 1000, 0, bump, &c, &t), 0);
	assert_int_equal(c.calls, 0); /* no call before the first period */
	ticker_kick(t);
	wait_calls(&c, 1);
	assert_int_equal(c.calls, 1);
	ticker_kick(t);
	wait_calls(&c, 2);
	assert_int_equal(c.calls, 2);
	ticker_stop(t);
	assert_int_equal(c.calls, 2); /* no call at stop without TICK_AT_STOP */
	ticker_kick(NULL);
	ticker_stop(NULL);
}

static void t_period(void **st)
{
	(void)st;
	struct count c = {0};
	struct ticker *t = NULL;
	assert_int_equal(ticker_start(5, 0, bump, &c, &t), 0);
	wait_calls(&c, 3);
	ticker_stop(t);
	assert_true(c.calls >= 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_start_and_stop_calls),
		cmocka_unit_test(t_kick_runs_now),
		cmocka_unit_test(t_period),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
