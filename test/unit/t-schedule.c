/* t-schedule.c - the scheduler: next runs of recurring rules in Asia/Shanghai (across the
 * UTC date line, month ends, a leap February, weeks; never drifting), malformed rules, and
 * on a real SQLite file: scheduling by key is idempotent, a due task runs once with its
 * effects in the same transaction, a failing kind rolls its work back and is retried later,
 * then fails for good; a recurring task moves to its next time; an unknown kind fails. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/schedule.h"
#include "base/timeutil.h"
#include "store/store.h"
#include "testdb.h"

/* Times below: python3 datetime(..., tzinfo=UTC+8).timestamp(). */
static void t_next_runs(void **st)
{
	(void)st;
	const struct {
		const char *rule;
		int64_t after, want;
	} cases[] = {
		{"daily 08:00", 1769817599, 1769817600}, /* 2026-01-31 07:59:59 -> 08:00 the same day */
		{"daily 08:00", 1769817600, 1769904000}, /* exactly at 08:00 -> the next day */
		{"daily 00:00", 1798732740,
		 1798732800}, /* 2026-12-31 23:59 -> 2027-01-01 00:00 (16:00 UTC) */
		{"monthly 31 09:00", 1769821200, 1772240400}, /* Jan 31 09:00 -> Feb 28 (no 31st) */
		{"monthly 31 09:00", 1772240400, 1774918800}, /* Feb 28 09:00 -> Mar 31 */
		{"monthly 31 09:00", 1832947200, 1835398800}, /* 2028-02-01 -> Feb 29 (leap year) */
		{"monthly 30 10:00", 1772244000, 1774836000}, /* Feb 28 10:00 -> Mar 30 */
		{"monthly 31 09:00", 1798678800, 1801357200}, /* Dec 31 09:00 -> Jan 31 next year */
		{"weekly 1 08:00", 1796198400, 1796601600},   /* Wed 2026-12-02 16:00 -> Mon 12-07 08:00 */
		{"weekly 3 08:00", 1796166000, 1796169600},   /* Wed 07:00 -> the same Wednesday 08:00 */
		{"weekly 3 08:00", 1796169600, 1796169600 + 7 * 86400},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int64_t next = 0;
		assert_int_equal(schedule_next(cases[i].rule, cases[i].after, &next), 0);
		if (next != cases[i].want)
			fail_msg("case %zu (%s after %lld): %lld, want %lld", i, cases[i].rule,
				 (long long)cases[i].after, (long long)next, (long long)cases[i].want);
	}
	/* chained from each run, a daily rule stays at 08:00 for a year (no drift) */
	int64_t t = 1769817600;
	for (int i = 0; i < 365; i++) {
		int64_t next;
		assert_int_equal(schedule_next("daily 08:00", t, &next), 0);
		assert_int_equal(next - t, 86400);
		t = next;
	}
	/* a monthly rule on the 31st over two years: always the month's last day at 09:00 */
	t = 1769821200;
	for (int i = 0; i < 24; i++) {
		int64_t next;
		assert_int_equal(schedule_next("monthly 31 09:00", t, &next), 0);
		assert_int_equal((next + 8 * 3600) % 86400, 9 * 3600);
		assert_true(next - t >= 28 * 86400 && next - t <= 31 * 86400);
		int64_t after_day = next + 86400; /* the next day is in the next month: day 1 */
		int64_t y;
		int m, d;
		civil_from_days((after_day + 8 * 3600) / 86400, &y, &m, &d);
		assert_int_equal(d, 1);
		t = next;
	}
	const char *bad[] = {"",
			     "daily",
			     "daily 24:00",
			     "daily 8:00",
			     "daily 08:60",
			     "hourly 08:00",
			     "weekly 0 08:00",
			     "weekly 8 08:00",
			     "monthly 0 08:00",
			     "monthly 32 08:00",
			     "daily 08:00 x",
			     "monthly x 08:00",
			     "weekly 1"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int64_t next;
		if (schedule_next(bad[i], 0, &next) != ERR_INVALID)
			fail_msg("'%s' was accepted", bad[i]);
	}
}

/* ---- on a real database ---- */

static char dir[] = "/tmp/kexie-t-schedule-XXXXXX";
static struct app app;

static int setup(void **st)
{
	(void)st;
	if (testdb_open(dir, &app.store))
		return -1;
	store_set_owner(app.store, &app);
	struct conn *c = NULL;
	if (store_acquire(app.store, STORE_WRITE, &c))
		return -1;
	int rc = conn_exec(c, "CREATE TABLE effect (task_key TEXT NOT NULL, n INTEGER NOT NULL)");
	store_release(c);
	return rc;
}

static int teardown(void **st)
{
	(void)st;
	return testdb_close(app.store, dir);
}

/* The kinds: one that writes a row per run, one that writes then fails. */
static int run_count(struct conn *c, const struct schedule_task *t)
{
	return conn_run(c, "INSERT INTO effect (task_key, n) VALUES ($1, 1)", "t", t->key) < 0 ? ERR_DB : 0;
}
static int run_fail(struct conn *c, const struct schedule_task *t)
{
	conn_run(c, "INSERT INTO effect (task_key, n) VALUES ($1, 1)", "t", t->key);
	return ERR_UNAVAILABLE;
}
static const struct schedule_kind k_count = {.name = "t.count", .run = run_count};
static const struct schedule_kind k_fail = {.name = "t.fail", .run = run_fail, .max_attempts = 2};
static const struct schedule_kind *const kinds[] = {&k_count, &k_fail};

struct sched_call {
	const char *kind, *key, *rule;
	int64_t due;
	bool created;
};

static int sched_tx(struct conn *c, void *arg)
{
	struct sched_call *x = arg;
	return x->rule ? schedule_every(c, x->kind, x->key, "", x->rule, x->due, &x->created)
		       : schedule_at(c, x->kind, x->key, "", x->due, &x->created);
}

static int64_t one(const char *sql, const char *key)
{
	struct conn *c = NULL;
	int64_t n = -1;
	if (!store_acquire(app.store, STORE_READ, &c))
		conn_row(c, sql, "t", "i", key, &n);
	store_release(c);
	return n;
}
#define EFFECTS(key) one("SELECT count(*) FROM effect WHERE task_key = $1", key)

static void t_runs_once(void **st)
{
	(void)st;
	const int64_t now = 1796169600;
	struct sched_call x = {.kind = "t.count", .key = "reminder:notice:12:before3d", .due = now + 10};
	assert_int_equal(store_tx(app.store, sched_tx, &x), 0);
	assert_true(x.created);
	x.due = now + 99; /* the same key again: nothing changes */
	assert_int_equal(store_tx(app.store, sched_tx, &x), 0);
	assert_false(x.created);
	assert_int_equal(one("SELECT due_at FROM scheduled_task WHERE task_key = $1", x.key), now + 10);
	int ran = -1;
	assert_int_equal(schedule_run_due(&app, kinds, 2, now + 9, &ran), 0); /* not yet due */
	assert_int_equal(ran, 0);
	assert_int_equal(EFFECTS(x.key), 0);
	assert_int_equal(schedule_run_due(&app, kinds, 2, now + 10, &ran), 0);
	assert_int_equal(ran, 1);
	assert_int_equal(EFFECTS(x.key), 1);
	for (int i = 0; i < 3; i++) /* later ticks: done, never again */
		assert_int_equal(schedule_run_due(&app, kinds, 2, now + 100 + i, &ran), 0);
	assert_int_equal(EFFECTS(x.key), 1);
	assert_int_equal(one("SELECT runs FROM scheduled_task WHERE task_key = $1 AND state = 'done'", x.key),
			 1);
}

static void t_failure_rolls_back_and_retries(void **st)
{
	(void)st;
	const int64_t now = 1796169600;
	struct sched_call x = {.kind = "t.fail", .key = "t:fail", .due = now};
	assert_int_equal(store_tx(app.store, sched_tx, &x), 0);
	int ran = -1;
	assert_int_equal(schedule_run_due(&app, kinds, 2, now, &ran), 0);
	assert_int_equal(ran, 0);
	assert_int_equal(EFFECTS(x.key), 0); /* its write rolled back */
	assert_int_equal(
		one("SELECT attempts FROM scheduled_task WHERE task_key = $1 AND state = 'due'", x.key), 1);
	assert_int_equal(one("SELECT due_at FROM scheduled_task WHERE task_key = $1", x.key),
			 now + SCHEDULE_RETRY_S);
	assert_int_equal(schedule_run_due(&app, kinds, 2, now + SCHEDULE_RETRY_S - 1, &ran), 0); /* waits */
	assert_int_equal(one("SELECT attempts FROM scheduled_task WHERE task_key = $1", x.key), 1);
	assert_int_equal(schedule_run_due(&app, kinds, 2, now + SCHEDULE_RETRY_S, &ran), 0);
	assert_int_equal(
		one("SELECT attempts FROM scheduled_task WHERE task_key = $1 AND state = 'failed'", x.key),
		2);
	assert_int_equal(EFFECTS(x.key), 0);
	/* an unknown kind fails (it would be looked at on every tick otherwise) */
	struct sched_call u = {.kind = "t.nobody", .key = "t:unknown", .due = now};
	assert_int_equal(store_tx(app.store, sched_tx, &u), 0);
	assert_int_equal(schedule_run_due(&app, kinds, 2, now + 1000000, &ran), 0);
	assert_int_equal(
		one("SELECT count(*) FROM scheduled_task WHERE task_key = $1 AND state = 'failed'", u.key),
		1);
}

static void t_recurring(void **st)
{
	(void)st;
	const int64_t now = 1796166000; /* Wed 2026-12-02 07:00 Shanghai */
	struct sched_call x = {.kind = "t.count", .key = "t:daily", .rule = "daily 08:00", .due = now};
	assert_int_equal(store_tx(app.store, sched_tx, &x), 0);
	assert_int_equal(one("SELECT due_at FROM scheduled_task WHERE task_key = $1", x.key), 1796169600);
	int ran;
	assert_int_equal(schedule_run_due(&app, kinds, 2, 1796169600 + 5, &ran), 0); /* run 5 s late */
	assert_int_equal(ran, 1);
	/* next: tomorrow 08:00 exactly, not 08:00:05 */
	assert_int_equal(
		one("SELECT due_at FROM scheduled_task WHERE task_key = $1 AND state = 'due'", x.key),
		1796169600 + 86400);
	/* a server down for three days runs the missed time once, then goes on at 08:00 */
	assert_int_equal(schedule_run_due(&app, kinds, 2, 1796169600 + 3 * 86400 + 3600, &ran), 0);
	assert_int_equal(ran, 1);
	assert_int_equal(EFFECTS(x.key), 2);
	assert_int_equal(one("SELECT due_at FROM scheduled_task WHERE task_key = $1", x.key),
			 1796169600 + 4 * 86400);
	assert_int_equal(one("SELECT runs FROM scheduled_task WHERE task_key = $1", x.key), 2);
	/* cancelled: never runs */
	struct conn *c = NULL;
	assert_int_equal(store_acquire(app.store, STORE_WRITE, &c), 0);
	bool cancelled = false;
	assert_int_equal(schedule_cancel(c, x.key, &cancelled), 0);
	store_release(c);
	assert_true(cancelled);
	assert_int_equal(schedule_run_due(&app, kinds, 2, 1796169600 + 9 * 86400, &ran), 0);
	assert_int_equal(EFFECTS(x.key), 2);
	struct sched_call bad = {.kind = "t.count", .key = "t:bad", .rule = "daily 25:00", .due = now};
	assert_int_equal(store_tx(app.store, sched_tx, &bad), ERR_INVALID);
}

int main(void)
{
	const struct CMUnitTest pure[] = {
		cmocka_unit_test(t_next_runs),
	};
	const struct CMUnitTest db[] = {
		cmocka_unit_test(t_runs_once),
		cmocka_unit_test(t_failure_rolls_back_and_retries),
		cmocka_unit_test(t_recurring),
	};
	int rc = cmocka_run_group_tests(pure, NULL, NULL);
	return rc + cmocka_run_group_tests(db, setup, teardown);
}
