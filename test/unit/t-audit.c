/* t-audit.c - the keyed audit chain on a real SQLite file: intact, altered, missing,
 * truncated, rolled back with its write, re-chained without the key, cut after a
 * checkpoint, a forged pruning mark, orgs tagged for the account a record is about, and
 * unknown logins kept only as a keyed hash. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/audit.h"
#include "core/audit_int.h"
#include "store/migrate.h"
#include "store/store.h"
#include "testdb.h"

static char dir[] = "/tmp/kexie-t-audit-XXXXXX";
static struct app app;

static int setup(void **st)
{
	(void)st;
	if (testdb_open(dir, &app.store))
		return -1;
	for (int i = 0; i < 32; i++)
		app.key[i] = (unsigned char)(i * 7 + 1);
	app.data_dir = dir; /* the checkpoint file goes here */
	store_set_owner(app.store, &app);
	return 0;
}

static int teardown(void **st)
{
	(void)st;
	return testdb_close(app.store, dir);
}

static int append_one(struct conn *c, void *arg)
{
	const char *detail = arg;
	struct audit_entry e = {.user_id = 7,
				.role = "staff",
				.via = "session",
				.request_id = "abc",
				.client_addr = "127.0.0.1",
				.action = "test.write",
				.object_type = "thing",
				.object_id = "42",
				.org_id = 3,
				.detail = detail};
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

static int64_t count_of(const char *sql)
{
	struct conn *c;
	int64_t n = -1;
	assert_int_equal(store_acquire(app.store, STORE_READ, &c), 0);
	assert_int_equal(conn_row(c, sql, "", "i", &n), 0);
	store_release(c);
	return n;
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

	/* the record's orgs are part of it: untagging it from a subtree shows */
	exec("DELETE FROM audit_org WHERE seq = 4");
	assert_int_equal(verify(&bad, why), -1);
	assert_int_equal(bad, 4);
	exec("INSERT INTO audit_org (seq, org_id) VALUES (4, 3)");
	assert_int_equal(verify(&bad, why), 5);

	exec("DELETE FROM audit_log WHERE seq = 5");
	assert_int_equal(verify(&bad, why), -1);
	assert_int_equal(bad, 5);
	assert_non_null(strstr(why, "removed"));

	exec("DELETE FROM audit_log WHERE seq = 2");
	assert_int_equal(verify(&bad, why), -1);
	assert_int_equal(bad, 2);
	assert_non_null(strstr(why, "missing"));
}

/* issue8 case 8: a new chain computed without the key, as a database administrator could */
static int rechain_v1(struct conn *c, void *arg)
{
	(void)arg;
	struct stmt *st = NULL;
	char prev[AUDIT_HASH_HEX] = AUDIT_ZERO_HASH, h[AUDIT_HASH_HEX];
	int64_t n = 0;
	int rc = conn_row(c, "SELECT seq FROM audit_head", "", "i", &n);
	for (int64_t seq = 1; !rc && seq <= n; seq++) {
		rc = conn_prepare(c,
				  "SELECT seq, at, user_id, role, via, request_id, client_addr, action,"
				  " object_type, object_id, org_id, detail FROM audit_log WHERE seq = $1",
				  &st);
		if (rc)
			break;
		stmt_bind_int64(st, 1, seq);
		assert_int_equal(stmt_step(st), STORE_ROW);
		struct audit_record r = {
			.seq = stmt_int64(st, 0),
			.at = stmt_text(st, 1, NULL),
			.user_id = stmt_int64(st, 2),
			.role = stmt_text(st, 3, NULL),
			.via = stmt_text(st, 4, NULL),
			.request_id = stmt_text(st, 5, NULL),
			.client_addr = stmt_text(st, 6, NULL),
			.action = stmt_text(st, 7, NULL),
			.object_type = stmt_text(st, 8, NULL),
			.object_id = stmt_text(st, 9, NULL),
			.org_id = stmt_int64(st, 10),
			.detail = seq == 2 ? "rewritten" : stmt_text(st, 11, NULL),
		};
		audit_record_hash_v1(&r, prev, h);
		stmt_done(st);
		rc = conn_run(
			     c,
			     "UPDATE audit_log SET detail = COALESCE($2, detail), prev_hash = $3, hash = $4 WHERE seq = $1",
			     "ittt", seq, seq == 2 ? "rewritten" : NULL, prev, h) < 0;
		memcpy(prev, h, sizeof(h));
	}
	return rc ? ERR_DB : conn_run(c, "UPDATE audit_head SET last_hash = $1", "t", prev) < 0 ? ERR_DB : 0;
}

static void t_rechained_without_key(void **st)
{
	(void)st;
	int64_t bad;
	char why[256];
	exec("DELETE FROM audit_org; DELETE FROM audit_log; UPDATE audit_head SET seq = 0, last_hash ="
	     " '" AUDIT_ZERO_HASH "'");
	for (int i = 0; i < 4; i++)
		assert_int_equal(store_tx(app.store, append_one, "x"), 0);
	assert_int_equal(verify(&bad, why), 4);
	assert_int_equal(store_tx(app.store, rechain_v1, NULL), 0);
	assert_int_equal(verify(&bad, why), -1);
	assert_int_equal(bad, 1); /* the very first link is wrong: nothing verifies */
	assert_non_null(strstr(why, "altered"));
}

static void t_checkpoint_and_truncation(void **st)
{
	(void)st;
	int64_t bad;
	char why[256];
	struct audit_checkpoint cp;
	bool wrote;
	exec("DELETE FROM audit_org; DELETE FROM audit_log; UPDATE audit_head SET seq = 0, last_hash ="
	     " '" AUDIT_ZERO_HASH "'");
	char path[300];
	snprintf(path, sizeof(path), "%s/audit.checkpoint", dir);
	unlink(path);
	for (int i = 0; i < 6; i++)
		assert_int_equal(store_tx(app.store, append_one, "y"), 0);
	assert_int_equal(audit_checkpoint(&app, &cp, &wrote, why, sizeof(why)), 0);
	assert_true(wrote);
	assert_int_equal(cp.seq, 6);
	assert_int_equal(audit_checkpoint(&app, &cp, &wrote, why, sizeof(why)), 0);
	assert_false(wrote); /* nothing new */
	assert_int_equal(store_tx(app.store, append_one, "z"), 0);
	assert_int_equal(verify(&bad, why), 7); /* records after the checkpoint are fine */

	/* the newest two removed and the head reset to the record before: */
	exec("DELETE FROM audit_log WHERE seq > 5; UPDATE audit_head SET seq = 5,"
	     " last_hash = (SELECT hash FROM audit_log WHERE seq = 5)");
	assert_int_equal(verify(&bad, why), -1);
	assert_int_equal(bad, 6);
	assert_non_null(strstr(why, "checkpoint"));
	/* ...and a checkpoint is refused rather than certify the shorter trail */
	assert_int_equal(audit_checkpoint(&app, &cp, &wrote, why, sizeof(why)), ERR_CONFLICT);
	assert_false(wrote);

	/* a signature that does not match: refused, not ignored */
	struct audit_verify_result *r = calloc(1, sizeof(*r));
	assert_non_null(r);
	assert_int_equal(
		audit_verify_full(&app,
				  "kexie-audit-checkpoint v1 seq=1 hash=" AUDIT_ZERO_HASH
				  " at=2026-01-01T00:00:00.000Z sig=" AUDIT_ZERO_HASH AUDIT_ZERO_HASH,
				  r),
		ERR_CONFLICT);
	assert_non_null(strstr(r->why, "not signed"));
	free(r);
	unlink(path);
}

static void t_pruning_mark(void **st)
{
	(void)st;
	int64_t bad;
	char why[256];
	exec("DELETE FROM audit_org; DELETE FROM audit_log; UPDATE audit_head SET seq = 0, last_hash ="
	     " '" AUDIT_ZERO_HASH "', pruned_seq = 0, pruned_hash = '" AUDIT_ZERO_HASH "', pruned_mac = ''");
	for (int i = 0; i < 5; i++)
		assert_int_equal(store_tx(app.store, append_one, "p"), 0);
	/* the oldest two deleted and the mark moved by hand: no key, no valid mark */
	exec("UPDATE audit_head SET pruned_seq = 2, pruned_hash = (SELECT hash FROM audit_log WHERE seq = 2);"
	     " DELETE FROM audit_log WHERE seq <= 2");
	assert_int_equal(verify(&bad, why), -1);
	assert_non_null(strstr(why, "pruning mark"));
}

static int append_about(struct conn *c, void *arg)
{
	(void)arg;
	struct audit_entry e = {
		.via = "cli", .action = "user.unlock", .object_type = "user", .object_id = "1"};
	return audit_append(c, &e);
}

static void t_subject_orgs_and_login_hash(void **st)
{
	(void)st;
	exec("INSERT INTO org (id, code, name, level, type, opened_on) VALUES (501, 'T-A', 'A', 'national',"
	     " 'association', '2020-01-01'), (502, 'T-B', 'B', 'national', 'association', '2020-01-01');"
	     " INSERT INTO app_user (id, login, display_name, password_hash, password_changed_at, created_at)"
	     " VALUES (1, 'u1', 'U', 'x', 0, 0);"
	     " INSERT INTO role_assignment (user_id, role, org_id) VALUES (1, 'staff', 502), (1, 'member', 501)");
	assert_int_equal(store_tx(app.store, append_about, NULL), 0);
	assert_int_equal(count_of("SELECT count(*) FROM audit_org WHERE seq = (SELECT seq FROM audit_head)"
				  " AND org_id IN (501, 502)"),
			 2);
	char a[33], b[33], c[33];
	audit_login_hash(&app, "A-typed-password!", a);
	audit_login_hash(&app, "A-typed-password!", b);
	audit_login_hash(&app, "another", c);
	assert_string_equal(a, b);
	assert_string_not_equal(a, c);
	assert_int_equal(strlen(a), 32);
	assert_null(strstr(a, "password"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_chain),
		cmocka_unit_test(t_rechained_without_key),
		cmocka_unit_test(t_checkpoint_and_truncation),
		cmocka_unit_test(t_pruning_mark),
		cmocka_unit_test(t_subject_orgs_and_login_hash),
	};
	return cmocka_run_group_tests_name("audit", tests, setup, teardown);
}
