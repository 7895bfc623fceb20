/* t-storetx.c - store_tx on a real SQLite file: its budget (a write finding the database
 * held by another process's connection gives up with ERR_BUSY within it, instead of five
 * attempts of five seconds) and group commit (writes from many threads at once, each with
 * its own result: a failing one rolls back alone, the others all land). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/timeutil.h"
#include "store/store.h"
#include "testdb.h"

static char dir[] = "/tmp/kexie-t-storetx-XXXXXX";
static struct store *s;

static int setup(void **st)
{
	(void)st;
	if (testdb_open(dir, &s))
		return -1;
	struct conn *c = NULL;
	if (store_acquire(s, STORE_WRITE, &c))
		return -1;
	int rc = conn_exec(c, "CREATE TABLE t_group (k INTEGER PRIMARY KEY, v TEXT NOT NULL)");
	store_release(c);
	return rc;
}

static int teardown(void **st)
{
	(void)st;
	return testdb_close(s, dir);
}

static int insert_user(struct conn *c, void *arg)
{
	(void)arg;
	int rc = conn_run(c,
			  "INSERT INTO app_user (login, display_name, password_hash,"
			  " password_changed_at, created_at) VALUES ('u2', 'U', 'x', 0, 0)",
			  "");
	return rc < 0 ? rc : 0;
}

static void t_tx_budget(void **st)
{
	(void)st;
	/* another process's writer, as a CLI import would be: a second store on the same file */
	char url[300], err[200];
	snprintf(url, sizeof(url), "sqlite:%s/t.db", dir);
	struct store_opts o = {.url = url, .pool_size = 1, .busy_timeout_ms = 5000, .tx_budget_ms = 200};
	struct store *other = NULL;
	assert_int_equal(store_open(&o, &other, err, sizeof(err)), 0);
	struct conn *holder = NULL;
	assert_int_equal(store_acquire(s, STORE_WRITE, &holder), 0);
	assert_int_equal(conn_begin(holder), 0);
	uint64_t t0 = time_mono_ns();
	assert_int_equal(store_tx(other, insert_user, NULL), ERR_BUSY);
	double ms = (double)(time_mono_ns() - t0) / 1e6;
	assert_true(ms >= 150 && ms < 1000); /* about the 200 ms budget, not 5 attempts x 5 s */
	assert_int_equal(conn_rollback(holder), 0);
	store_release(holder);
	assert_int_equal(store_tx(other, insert_user, NULL), 0);
	store_close(other);
}

/* ---- group commit ---- */

#define THREADS 8
#define EACH    60

struct writer {
	int id, ok, conflicts, other;
};

struct put {
	int64_t k;
	const char *v;
	int calls;
};

static int put_tx(struct conn *c, void *arg)
{
	struct put *p = arg;
	p->calls++;
	/* two statements: a failure after the first must take the first back too */
	int rc = conn_run(c, "INSERT INTO t_group (k, v) VALUES ($1, $2)", "it", p->k, p->v);
	if (rc >= 0)
		rc = conn_run(c, "INSERT INTO t_group (k, v) VALUES ($1, 'second')", "i", p->k + 1000000);
	return rc < 0 ? rc : 0;
}

static void *write_many(void *arg)
{
	struct writer *w = arg;
	for (int i = 0; i < EACH; i++) {
		/* every fifth key is one that another writer uses too: one of them must fail */
		int64_t k = i % 5 == 0 ? 900000 + i : (int64_t)w->id * 1000 + i;
		struct put p = {.k = k, .v = "x"};
		int rc = store_tx(s, put_tx, &p);
		if (rc == 0)
			w->ok++;
		else if (rc == ERR_CONFLICT)
			w->conflicts++;
		else
			w->other++;
	}
	return NULL;
}

static int64_t count(const char *sql)
{
	struct conn *c = NULL;
	int64_t n = -1;
	assert_int_equal(store_acquire(s, STORE_READ, &c), 0);
	assert_int_equal(conn_row(c, sql, "", "i", &n), 0);
	store_release(c);
	return n;
}

static void t_group_commit(void **st)
{
	(void)st;
	pthread_t th[THREADS];
	struct writer w[THREADS];
	for (int i = 0; i < THREADS; i++) {
		w[i] = (struct writer){.id = i + 1};
		assert_int_equal(pthread_create(&th[i], NULL, write_many, &w[i]), 0);
	}
	int ok = 0, conflicts = 0;
	for (int i = 0; i < THREADS; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(w[i].other, 0);
		ok += w[i].ok;
		conflicts += w[i].conflicts;
	}
	/* each shared key landed once; every other write landed; the losers left nothing */
	int shared = EACH / 5;
	assert_int_equal(conflicts, shared * (THREADS - 1));
	assert_int_equal(ok, THREADS * EACH - conflicts);
	assert_int_equal(count("SELECT count(*) FROM t_group WHERE k < 1000000"), ok);
	assert_int_equal(count("SELECT count(*) FROM t_group WHERE k >= 1000000"), ok);
	assert_int_equal(count("SELECT count(*) FROM t_group WHERE k >= 900000 AND k < 1000000"), shared);
	struct store_stats ss;
	store_stats(s, &ss);
	assert_true(ss.tx_grouped >= (uint64_t)(THREADS * EACH));
	assert_true(ss.tx_grouped > ss.tx_groups); /* some commits carried several writes */
	printf("# %llu transactions in %llu commits\n", (unsigned long long)ss.tx_grouped,
	       (unsigned long long)ss.tx_groups);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_tx_budget),
		cmocka_unit_test(t_group_commit),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
