/* t-job.c - the job runner on a real SQLite file: owner-only rows, the unfinished limit,
 * steps (progress, errors kept and counted, a retried step's errors dropped), cancel between
 * steps, a dead runner's job resumed, the server's runner stopping a job at a checkpoint. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/job.h"
#include "store/store.h"
#include "testdb.h"

static char dir[] = "/tmp/kexie-t-job-XXXXXX";
static struct app app;
static int64_t owner = 0;

static int setup(void **st)
{
	(void)st;
	if (testdb_open(dir, &app.store))
		return -1;
	store_set_owner(app.store, &app); /* the audit trail keys its records with app.key */
	struct conn *c = NULL;
	if (store_acquire(app.store, STORE_WRITE, &c))
		return -1;
	int rc = conn_row(
		c,
		"INSERT INTO app_user (login, display_name, password_hash, password_changed_at, created_at)"
		" VALUES ('t.job', 't', 'x', 0, 0) RETURNING id",
		"", "i", &owner);
	store_release(c);
	return rc;
}

static int teardown(void **st)
{
	(void)st;
	return testdb_close(app.store, dir);
}

static int64_t new_job(int64_t who, const char *origin)
{
	struct job_new n = {.kind = "t.count", .origin = origin, .owner_id = who, .role = "system_admin"};
	int64_t id = 0;
	assert_int_equal(job_create(&app, &n, &id), 0);
	return id;
}

static void run_sql(const char *sql)
{
	struct conn *c = NULL;
	assert_int_equal(store_acquire(app.store, STORE_WRITE, &c), 0);
	assert_true(conn_run(c, sql, "") >= 0);
	store_release(c);
}

/* ---- a kind that counts to 10 in steps of one, noting an error per step ---- */

static int steps_seen, busy_once, cancel_at;
static int64_t cancel_id;

static int count_fn(struct conn *c, void *arg)
{
	struct job *j = arg;
	job_error(j, 100 + steps_seen, "col", "inside", "noted inside a step");
	if (busy_once) { /* the database says busy once: the step runs again from the start */
		busy_once = 0;
		return ERR_BUSY;
	}
	return conn_run(c, "SELECT 1", "") < 0 ? ERR_DB : 0;
}

static int count_run(struct job *j)
{
	int from = (int)strtol(job_info(j)->checkpoint, NULL, 10);
	for (int i = from; i < 10; i++) {
		if (job_stopping(j))
			return JOB_STOPPED;
		if (cancel_at && i == cancel_at) {
			struct audit_entry who = {.user_id = owner, .via = "token"};
			assert_int_equal(job_cancel(job_app(j), &who, cancel_id, owner), 0);
		}
		char ck[16], result[64];
		snprintf(ck, sizeof(ck), "%d", i + 1);
		snprintf(result, sizeof(result), "{\"done\":%d}", i + 1);
		job_error(j, i + 2, "", "before", "noted between steps");
		struct job_progress p = {.rows_total = 10,
					 .rows_done = i + 1,
					 .checkpoint = ck,
					 .result = result,
					 .final = i == 9};
		steps_seen = i;
		int rc = job_step(j, count_fn, j, &p);
		if (rc)
			return rc;
	}
	return 0;
}

static const struct job_kind count_kind = {.name = "t.count", .resumable = true, .run = count_run};

static int count_errors(long row, const char *col, const char *code, const char *message, void *arg)
{
	(void)row;
	(void)col;
	(void)code;
	(void)message;
	(*(int *)arg)++;
	return 0;
}

static void t_owner_only_and_limit(void **st)
{
	(void)st;
	int64_t id = new_job(owner, "http");
	struct job_info ji;
	assert_int_equal(job_get(&app, id, owner, &ji), 0);
	assert_string_equal(ji.state, "queued");
	assert_int_equal(job_get(&app, id, owner + 1, &ji), ERR_NOTFOUND);
	assert_int_equal(job_get(&app, id, 0, &ji), ERR_NOTFOUND);
	assert_int_equal(job_get(&app, id, -1, &ji), 0); /* the command line sees every job */
	new_job(owner, "http");
	new_job(owner, "http");
	struct job_new n = {.kind = "t.count", .origin = "http", .owner_id = owner};
	int64_t more;
	assert_int_equal(job_create(&app, &n, &more), ERR_RATELIMIT);
	run_sql("UPDATE job SET state = 'cancelled'");
	assert_int_equal(job_create(&app, &n, &more), 0);
	run_sql("UPDATE job SET state = 'cancelled'");
}

static void t_steps_progress_errors_retry(void **st)
{
	(void)st;
	int64_t id = new_job(0, "cli");
	busy_once = 1;
	struct job_runner_opts o = {.pause_ms = 0};
	assert_int_equal(job_run_inline(&app, &count_kind, id, &o), 0);
	struct job_info ji;
	assert_int_equal(job_get(&app, id, -1, &ji), 0);
	assert_string_equal(ji.state, "succeeded");
	assert_int_equal(ji.rows_done, 10);
	assert_string_equal(ji.result, "{\"done\":10}");
	/* two errors a step, and the retried first step's inside error only once */
	assert_int_equal(ji.error_count, 20);
	int kept = 0;
	assert_int_equal(job_errors(&app, id, count_errors, &kept), 0);
	assert_int_equal(kept, 20);
	/* a finished job is not run again */
	assert_int_equal(job_run_inline(&app, &count_kind, id, &o), ERR_CONFLICT);
}

static void t_cancel_between_steps(void **st)
{
	(void)st;
	cancel_id = new_job(owner, "http");
	cancel_at = 4;
	struct job_runner_opts o = {.pause_ms = 0};
	assert_int_equal(job_run_inline(&app, &count_kind, cancel_id, &o), JOB_CANCELLED);
	cancel_at = 0;
	struct job_info ji;
	assert_int_equal(job_get(&app, cancel_id, owner, &ji), 0);
	assert_string_equal(ji.state, "cancelled");
	assert_int_equal(ji.rows_done, 4); /* the steps before the cancel, nothing after */
	assert_string_equal(ji.checkpoint, "4");
	struct audit_entry who = {.user_id = owner, .via = "token"};
	assert_int_equal(job_cancel(&app, &who, cancel_id, owner), ERR_CONFLICT);
	assert_int_equal(job_cancel(&app, &who, cancel_id, owner + 1), ERR_NOTFOUND);
}

static void t_dead_runner_resumed(void **st)
{
	(void)st;
	int64_t id = new_job(0, "cli");
	/* left running at step 6 by a process of this host that is gone */
	char host[64] = "";
	gethostname(host, sizeof(host) - 1);
	char sql[400];
	snprintf(sql, sizeof(sql),
		 "UPDATE job SET state = 'running', runner = '%s:999999:1', checkpoint = '6',"
		 " rows_done = 6, attempts = 1, input_hash = 'h' WHERE id = %lld",
		 host, (long long)id);
	run_sql(sql);
	int64_t found = 0;
	assert_int_equal(job_find_interrupted(&app, "t.count", "h", &found), 0);
	assert_int_equal(found, id);
	struct job_runner_opts o = {.pause_ms = 0};
	assert_int_equal(job_run_inline(&app, &count_kind, id, &o), 0);
	struct job_info ji;
	assert_int_equal(job_get(&app, id, -1, &ji), 0);
	assert_string_equal(ji.state, "succeeded");
	assert_int_equal(ji.attempts, 2);
	assert_int_equal(ji.error_count, 8); /* steps 7..10 only */
	assert_int_equal(job_find_interrupted(&app, "t.count", "h", &found), ERR_NOTFOUND);
	/* a live runner's job is not taken */
	int64_t live = new_job(0, "cli");
	snprintf(sql, sizeof(sql),
		 "UPDATE job SET state = 'running', runner = '%s:%ld:1', heartbeat_at = %lld WHERE id = %lld",
		 host, (long)getppid(), (long long)time(NULL), (long long)live);
	run_sql(sql);
	assert_int_equal(job_run_inline(&app, &count_kind, live, &o), ERR_CONFLICT);
	run_sql("UPDATE job SET state = 'failed' WHERE state = 'running'");
}

/* ---- the server's runner: a job that waits between steps, stopped at a checkpoint ---- */

static int slow_run(struct job *j)
{
	int from = (int)strtol(job_info(j)->checkpoint, NULL, 10);
	for (int i = from; i < 1000; i++) {
		if (job_stopping(j))
			return JOB_STOPPED;
		char ck[16];
		snprintf(ck, sizeof(ck), "%d", i + 1);
		struct job_progress p = {.rows_total = 1000, .rows_done = i + 1, .checkpoint = ck};
		int rc = job_step(j, NULL, NULL, &p);
		if (rc)
			return rc;
	}
	return 0;
}

static const struct job_kind slow_kind = {.name = "t.slow", .resumable = true, .run = slow_run};

static void t_runner_stops_at_checkpoint(void **st)
{
	(void)st;
	struct job_new n = {.kind = "t.slow", .origin = "http", .owner_id = owner};
	int64_t id = 0;
	assert_int_equal(job_create(&app, &n, &id), 0);
	const struct job_kind *const kinds[] = {&slow_kind};
	struct job_runner *r = NULL;
	struct job_runner_opts o = {.threads = 1, .poll_ms = 50, .pause_ms = 5};
	assert_int_equal(job_runner_start(&app, kinds, 1, &o, &r), 0);
	job_runner_kick(r);
	struct job_info ji = {0};
	for (int i = 0; i < 400 && ji.rows_done < 3; i++) {
		usleep(10000);
		assert_int_equal(job_get(&app, id, owner, &ji), 0);
	}
	assert_true(ji.rows_done >= 3);
	job_runner_stop(r);
	assert_int_equal(job_get(&app, id, owner, &ji), 0);
	assert_string_equal(ji.state, "queued");
	assert_string_equal(ji.runner, "");
	assert_true(ji.rows_done >= 3 && ji.rows_done < 1000);
	assert_int_equal(strtol(ji.checkpoint, NULL, 10), ji.rows_done);
	run_sql("UPDATE job SET state = 'cancelled'");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_owner_only_and_limit),
		cmocka_unit_test(t_steps_progress_errors_retry),
		cmocka_unit_test(t_cancel_between_steps),
		cmocka_unit_test(t_dead_runner_resumed),
		cmocka_unit_test(t_runner_stops_at_checkpoint),
	};
	return cmocka_run_group_tests_name("job", tests, setup, teardown);
}
