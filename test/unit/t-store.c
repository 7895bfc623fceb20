/* t-store.c - the store on a real SQLite file: $N parameters, statement cache, error
 * mapping, transactions (commit, rollback), pinyin collation, migrations. The same API on
 * PostgreSQL is exercised by the API suite against a throwaway cluster. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "store/migrate.h"
#include "store/store.h"
#include "testdb.h"

static char dir[] = "/tmp/kexie-t-store-XXXXXX";
static struct store *s;

static int setup(void **st)
{
	(void)st;
	return testdb_open(dir, &s);
}

static int teardown(void **st)
{
	(void)st;
	return testdb_close(s, dir);
}

static int exec1(struct conn *c, const char *sql)
{
	return conn_exec(c, sql);
}

static void t_params_and_cache(void **st)
{
	(void)st;
	struct conn *c;
	assert_int_equal(store_acquire(s, STORE_WRITE, &c), 0);
	assert_int_equal(exec1(c, "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT UNIQUE, note TEXT)"), 0);
	for (int i = 1; i <= 3; i++) {
		struct stmt *q;
		assert_int_equal(conn_prepare(c, "INSERT INTO t (id, name, note) VALUES ($1, $2, $3)", &q),
				 0);
		char name[16];
		snprintf(name, sizeof(name), "n%d", i);
		stmt_bind_int64(q, 1, i);
		stmt_bind_text(q, 2, name, strlen(name));
		stmt_bind_null(q, 3);
		assert_int_equal(stmt_step(q), STORE_DONE);
		stmt_done(q);
	}
	struct stmt *q;
	/* "$2" inside a literal is text, not a parameter */
	assert_int_equal(conn_prepare(c, "SELECT name, note, '$2' FROM t WHERE id = $1", &q), 0);
	stmt_bind_int64(q, 1, 2);
	assert_int_equal(stmt_step(q), STORE_ROW);
	assert_string_equal(stmt_text(q, 0, NULL), "n2");
	assert_true(stmt_isnull(q, 1));
	assert_string_equal(stmt_text(q, 1, NULL), "");
	assert_string_equal(stmt_text(q, 2, NULL), "$2");
	assert_int_equal(stmt_step(q), STORE_DONE);
	stmt_done(q);
	store_release(c);
}

static void t_unique_violation_is_conflict(void **st)
{
	(void)st;
	struct conn *c;
	struct stmt *q;
	assert_int_equal(store_acquire(s, STORE_WRITE, &c), 0);
	assert_int_equal(conn_prepare(c, "INSERT INTO t (id, name) VALUES ($1, $2)", &q), 0);
	stmt_bind_int64(q, 1, 100);
	stmt_bind_text(q, 2, "n1", 2);
	assert_int_equal(stmt_step(q), ERR_CONFLICT);
	stmt_done(q);
	assert_int_equal(conn_prepare(c, "SELEC nonsense", &q), ERR_DB);
	store_release(c);
}

static int tx_insert_then_fail(struct conn *c, void *arg)
{
	(void)arg;
	assert_int_equal(conn_exec(c, "INSERT INTO t (id, name) VALUES (50, 'half')"), 0);
	return ERR_INVALID;
}

static int tx_insert(struct conn *c, void *arg)
{
	(void)arg;
	return conn_exec(c, "INSERT INTO t (id, name) VALUES (51, 'whole')");
}

static int64_t count_where(const char *name)
{
	struct conn *c;
	struct stmt *q;
	int64_t n = -1;
	assert_int_equal(store_acquire(s, STORE_READ, &c), 0);
	assert_int_equal(conn_prepare(c, "SELECT count(*) FROM t WHERE name = $1", &q), 0);
	stmt_bind_text(q, 1, name, strlen(name));
	if (stmt_step(q) == STORE_ROW)
		n = stmt_int64(q, 0);
	stmt_done(q);
	store_release(c);
	return n;
}

static void t_transactions(void **st)
{
	(void)st;
	assert_int_equal(store_tx(s, tx_insert_then_fail, NULL), ERR_INVALID);
	assert_int_equal(count_where("half"), 0); /* nothing half-written */
	assert_int_equal(store_tx(s, tx_insert, NULL), 0);
	assert_int_equal(count_where("whole"), 1);
}

static void t_readers_cannot_write(void **st)
{
	(void)st;
	struct conn *c;
	assert_int_equal(store_acquire(s, STORE_READ, &c), 0);
	assert_int_not_equal(conn_exec(c, "DELETE FROM t"), 0);
	store_release(c);
	assert_int_equal(count_where("n1"), 1);
}

static void t_pinyin_collation(void **st)
{
	(void)st;
	struct conn *c;
	struct stmt *q;
	assert_int_equal(store_acquire(s, STORE_WRITE, &c), 0);
	assert_int_equal(conn_exec(c, "CREATE TABLE p (name TEXT); INSERT INTO p VALUES "
				      "('张三'),('李四'),('王五'),('艾青'),('𠮷田'),('Zhang')"),
			 0);
	assert_int_equal(conn_prepare(c, "SELECT name FROM p ORDER BY name COLLATE zh_pinyin", &q), 0);
	const char *want[] = {"艾青", "李四", "王五", "张三", "Zhang"};
	int k = 0;
	char got[6][32];
	int n = 0;
	while (stmt_step(q) == STORE_ROW && n < 6)
		snprintf(got[n++], sizeof(got[0]), "%s", stmt_text(q, 0, NULL));
	stmt_done(q);
	store_release(c);
	assert_int_equal(n, 6);
	/* the BMP names in pinyin order, wherever 𠮷田 lands */
	for (int i = 0; i < n; i++)
		if (strcmp(got[i], "𠮷田") && strcmp(got[i], "Zhang"))
			assert_string_equal(got[i], want[k++]);
}

static void t_migrations_idempotent(void **st)
{
	(void)st;
	int applied = -1;
	char msg[256];
	assert_int_equal(migrate_apply(s, &applied, msg, sizeof(msg)), 0);
	assert_int_equal(applied, 0);
	struct migrate_state ms;
	assert_int_equal(migrate_check(s, &ms), 0);
	assert_int_equal(ms.applied, migrations_count);
	assert_string_equal(ms.problem, "");
}

static void t_bad_urls(void **st)
{
	(void)st;
	struct store *x = NULL;
	char err[256];
	struct store_opts o = {.url = "mysql://x"};
	assert_int_equal(store_open(&o, &x, err, sizeof(err)), ERR_INVALID);
	struct store_opts o2 = {.url = "sqlite:/nonexistent-dir/a/b/c.db"};
	assert_int_not_equal(store_open(&o2, &x, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "c.db"));
}

/* ---- statement shapes (stmt.c) ---- */

static int shapes_tx(struct conn *c, void *arg)
{
	(void)arg;
	int rc = conn_exec(
		c, "CREATE TABLE shape (id INTEGER PRIMARY KEY, name TEXT UNIQUE, n INTEGER, note TEXT)");
	if (rc)
		return rc;
	for (int i = 1; i <= 5; i++) {
		char name[16];
		snprintf(name, sizeof(name), "row%d", i);
		rc = conn_run(c, "INSERT INTO shape (id, name, n, note) VALUES ($1, $2, $3, $4)", "itdn",
			      (int64_t)i, name, i * 10);
		if (rc != 1)
			return rc < 0 ? rc : ERR_DB;
	}
	return 0;
}

static int count_each(struct stmt *st, void *arg)
{
	int *n = arg;
	(*n)++;
	return stmt_int64(st, 0) == 3 ? 1 : 0; /* stop early, successfully, at id 3 */
}

static int fail_each(struct stmt *st, void *arg)
{
	(void)st;
	(void)arg;
	return ERR_NOMEM;
}

static int read_name(struct conn *c, void *arg)
{
	return conn_row(c, "SELECT name FROM shape WHERE id = $1", "i", "t", (int64_t)2, (char *)arg,
			(size_t)16);
}

static void t_statement_shapes(void **st)
{
	(void)st;
	assert_int_equal(store_tx(s, shapes_tx, NULL), 0);
	struct conn *c = NULL;
	assert_int_equal(store_acquire(s, STORE_WRITE, &c), 0);

	/* conn_run answers the rows changed; a constraint is ERR_CONFLICT */
	assert_int_equal(conn_run(c, "UPDATE shape SET n = n + 1 WHERE n > $1", "d", 20), 3);
	assert_int_equal(
		conn_run(c, "INSERT INTO shape (id, name) VALUES ($1, $2)", "it", (int64_t)9, "row1"),
		ERR_CONFLICT);
	/* a bad format letter runs nothing */
	assert_int_equal(conn_run(c, "DELETE FROM shape", "x"), ERR_INVALID);

	/* conn_row: typed outputs, skip, NULL as "" , NOTFOUND leaves outputs alone */
	int64_t id = 0;
	int n = 0;
	bool big = false;
	char note[8] = "keep";
	assert_int_equal(conn_row(c, "SELECT id, name, n, n > 40, note FROM shape WHERE name = $1", "t",
				  "i-dbt", "row4", &id, &n, &big, note, sizeof(note)),
			 0);
	assert_int_equal(id, 4);
	assert_int_equal(n, 41);
	assert_true(big);
	assert_string_equal(note, "");
	snprintf(note, sizeof(note), "keep");
	assert_int_equal(conn_row(c, "SELECT note FROM shape WHERE id = $1", "i", "t", (int64_t)99, note,
				  sizeof(note)),
			 ERR_NOTFOUND);
	assert_string_equal(note, "keep");

	/* text is cut on a character boundary: 4 bytes of room, "科协" is 6 bytes */
	assert_int_equal(conn_run(c, "UPDATE shape SET note = $1 WHERE id = 1", "T", "科协abc", (size_t)9),
			 1);
	char small[5];
	assert_int_equal(conn_row(c, "SELECT note FROM shape WHERE id = 1", NULL, "t", small, sizeof(small)),
			 0);
	assert_string_equal(small, "科");
	/* NULL text binds SQL NULL */
	assert_int_equal(conn_run(c, "UPDATE shape SET note = $1 WHERE id = 1", "t", (const char *)NULL), 1);
	assert_int_equal(conn_row(c, "SELECT count(*) FROM shape WHERE note IS NULL", NULL, "i", &id), 0);
	assert_int_equal(id, 5);

	/* conn_each: early stop with success, negative codes come back */
	int seen = 0;
	assert_int_equal(conn_each(c, "SELECT id FROM shape WHERE id >= $1 ORDER BY id", count_each, &seen,
				   "i", (int64_t)1),
			 0);
	assert_int_equal(seen, 3);
	assert_int_equal(conn_each(c, "SELECT id FROM shape", fail_each, NULL, NULL), ERR_NOMEM);
	store_release(c);

	/* store_read on a read connection */
	char name[16] = "";
	assert_int_equal(store_read(s, read_name, name), 0);
	assert_string_equal(name, "row2");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_params_and_cache), cmocka_unit_test(t_unique_violation_is_conflict),
		cmocka_unit_test(t_transactions),     cmocka_unit_test(t_readers_cannot_write),
		cmocka_unit_test(t_pinyin_collation), cmocka_unit_test(t_migrations_idempotent),
		cmocka_unit_test(t_bad_urls),         cmocka_unit_test(t_statement_shapes),
	};
	return cmocka_run_group_tests_name("store", tests, setup, teardown);
}
