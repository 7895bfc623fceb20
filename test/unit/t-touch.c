/* t-touch.c - the bookkeeping batcher (core/touch.c) on a real SQLite file: notes are
 * visible at once through touch_pending, written in one go by touch_flush (more rows than
 * one statement's chunk), times only move forward, a full table drops notes without
 * blocking, and touch_stop writes what is left. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "core/touch.h"
#include "store/store.h"
#include "testdb.h"

static char dir[] = "/tmp/kexie-t-touch-XXXXXX";
static struct store *s;

#define NTOK 70 /* more than two chunks of TOUCH_CHUNK */

static int seed_tx(struct conn *c, void *arg)
{
	(void)arg;
	int rc = conn_run(c,
			  "INSERT INTO app_user (id, login, display_name, password_hash,"
			  " password_changed_at, created_at) VALUES (1, 'u1', 'U', 'x', 0, 0)",
			  "");
	for (int i = 1; rc >= 0 && i <= NTOK; i++) {
		char h[32];
		snprintf(h, sizeof(h), "hash-%d", i);
		rc = conn_run(
			c,
			"INSERT INTO api_token (id, user_id, token_hash, created_at) VALUES ($1, 1, $2, 0)",
			"dt", i, h);
		if (rc >= 0)
			rc = conn_run(
				c,
				"INSERT INTO session (id, token_hash, csrf_hash, user_id, created_at,"
				" last_seen_at, expires_at) VALUES ($1, $2, 'c', 1, 0, 100, 9999999999)",
				"dt", i, h);
	}
	return rc < 0 ? rc : 0;
}

static int setup(void **st)
{
	(void)st;
	if (testdb_open(dir, &s))
		return -1;
	return store_tx(s, seed_tx, NULL);
}

static int teardown(void **st)
{
	(void)st;
	return testdb_close(s, dir);
}

static int64_t stored(const char *sql, int64_t id)
{
	struct conn *c = NULL;
	int64_t v = -1;
	assert_int_equal(store_acquire(s, STORE_READ, &c), 0);
	int rc = conn_row(c, sql, "i", "i", id, &v);
	store_release(c);
	assert_true(rc == 0 || rc == ERR_NOTFOUND);
	return v;
}
#define USED(id) stored("SELECT coalesce(last_used_at, 0) FROM api_token WHERE id = $1", id)
#define SEEN(id) stored("SELECT last_seen_at FROM session WHERE id = $1", id)

static void t_note_pending_flush(void **st)
{
	(void)st;
	struct touch *t = NULL;
	assert_int_equal(touch_start(s, 3600 * 1000, 0, &t), 0); /* no timed write in this test */
	for (int i = 1; i <= NTOK; i++) {
		touch_note(t, TOUCH_TOKEN, i, 1000 + i);
		touch_note(t, TOUCH_SESSION, i, 2000 + i);
	}
	touch_note(t, TOUCH_TOKEN, 5, 900); /* an earlier time never replaces a later one */
	assert_int_equal(touch_pending(t, TOUCH_TOKEN, 5), 1005);
	assert_int_equal(touch_pending(t, TOUCH_SESSION, 5), 2005);
	assert_int_equal(touch_pending(t, TOUCH_TOKEN, 999), 0);
	assert_int_equal(USED(5), 0); /* nothing written yet */
	assert_int_equal(touch_flush(t), 0);
	for (int i = 1; i <= NTOK; i++) {
		assert_int_equal(USED(i), 1000 + i);
		assert_int_equal(SEEN(i), 2000 + i);
	}
	assert_int_equal(touch_pending(t, TOUCH_TOKEN, 5), 0);
	/* a stored time is never moved back by an older note */
	touch_note(t, TOUCH_SESSION, 7, 50);
	assert_int_equal(touch_flush(t), 0);
	assert_int_equal(SEEN(7), 2007);
	/* what is noted before stop is written by stop */
	touch_note(t, TOUCH_TOKEN, 9, 5000);
	touch_stop(t);
	assert_int_equal(USED(9), 5000);
	/* NULL is a no-op everywhere */
	touch_note(NULL, TOUCH_TOKEN, 1, 1);
	assert_int_equal(touch_pending(NULL, TOUCH_TOKEN, 1), 0);
	assert_int_equal(touch_flush(NULL), 0);
	touch_stop(NULL);
}

static void t_full_table_drops(void **st)
{
	(void)st;
	struct touch *t = NULL;
	assert_int_equal(touch_start(s, 3600 * 1000, 8, &t), 0); /* room for 8 rows */
	for (int i = 1; i <= 40; i++)
		touch_note(t, TOUCH_TOKEN, i, 7000); /* never blocks, whatever the table holds */
	int kept = 0;
	for (int i = 1; i <= 40; i++)
		kept += touch_pending(t, TOUCH_TOKEN, i) == 7000;
	assert_true(kept >= 8 && kept < 40);
	assert_int_equal(touch_flush(t), 0);
	touch_stop(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_note_pending_flush),
		cmocka_unit_test(t_full_table_drops),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
