/* t-audit.c - the hash chain on a real SQLite file: intact, altered, missing, truncated,
 * and rolled back with its write. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/audit.h"
#include "store/migrate.h"
#include "store/store.h"
#include "testdb.h"

static char dir[] = "/tmp/kexie-t-audit-XXXXXX";
static struct app app;

static int setup(void **st)
{
	(void)st;
	return testdb_open(dir, &app.store);
}

static int teardown(void **st)
{
	(void)st;
	return testdb_close(app.store, dir);
}

static int append_one(struct conn *c, void *arg)
{
	const char *detail = arg;
	struct audit_entry e = {.user_id = 7, .role = "staff", .via = "session", .request_id = "abc",
				.client_addr = "127.0.0.1", .action = "test.write", .object_type = "thing",
				.object_id = "42", .org_id = 3, .detail = detail};
	return audit_append(c, &e);
}

static int append_then_fail(struct conn *c, void *arg)
{
	int rc = append_one(c, arg);
	return rc ? rc : ERR_INVALID; /* the write fails: its audit record must go too */
}

static void exec(const char *sql)
{
	struct conn *c;
	assert_int_equal(store_acquire(app.store, STORE_WRITE, &c), 0);
	assert_int_equal(conn_exec(c, sql), 0);
	store_release(c);
}

static int64_t verify(int64_t *bad, char *why)
{
	int64_t n = -1;
	int rc = audit_verify(&app, &n, bad, why, 256);
	return rc == 0 ? n : (rc == ERR_CONFLICT ? -1 : -2);
}

static void t_chain(void **st)
{
	(void)st;
	int64_t bad;
	char why[256];
	assert_int_equal(verify(&bad, why), 0); /* empty trail is intact */
	for (int i = 0; i < 5; i++)
		assert_int_equal(store_tx(app.store, append_one, "name: changed"), 0);
	assert_int_equal(verify(&bad, why), 5);
	assert_int_equal(store_tx(app.store, append_then_fail, "ghost"), ERR_INVALID);
	assert_int_equal(verify(&bad, why), 5); /* rolled back with its write, chain intact */

	exec("UPDATE audit_log SET detail = 'name: other' WHERE seq = 3");
	assert_int_equal(verify(&bad, why), -1);
	assert_int_equal(bad, 3);
	assert_non_null(strstr(why, "altered"));
	exec("UPDATE audit_log SET detail = 'name: changed' WHERE seq = 3");
	assert_int_equal(verify(&bad, why), 5); /* restoring the content restores the chain */

	exec("UPDATE audit_log SET user_id = 8 WHERE seq = 2");
	assert_int_equal(verify(&bad, why), -1);
	assert_int_equal(bad, 2);
	exec("UPDATE audit_log SET user_id = 7 WHERE seq = 2");

	exec("DELETE FROM audit_log WHERE seq = 5");
	assert_int_equal(verify(&bad, why), -1);
	assert_int_equal(bad, 5);
	assert_non_null(strstr(why, "removed"));

	exec("DELETE FROM audit_log WHERE seq = 2");
	assert_int_equal(verify(&bad, why), -1);
	assert_int_equal(bad, 2);
	assert_non_null(strstr(why, "missing"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_chain),
	};
	return cmocka_run_group_tests_name("audit", tests, setup, teardown);
}
