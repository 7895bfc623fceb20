/* t-org.c - the organization tree on a real SQLite file: validation, dated moves and
 * as-of reads, cycles, closing rules, optimistic versions, counts, and the audit trail. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/audit.h"
#include "core/org.h"
#include "domain/demo.h"
#include "store/migrate.h"
#include "store/store.h"
#include "testdb.h"

static char dir[] = "/tmp/kexie-t-org-XXXXXX";
static struct app app;
static const struct audit_entry who = {.via = "cli", .role = "system_admin"};

static int setup(void **st)
{
	(void)st;
	if (testdb_open(dir, &app.store))
		return -1;
	int created;
	return org_seed_demo(&app, &who, &created);
}

static int teardown(void **st)
{
	(void)st;
	return testdb_close(app.store, dir);
}

static int64_t id_of(const char *code)
{
	struct org o;
	assert_int_equal(org_get_by_code(&app, code, NULL, &o), 0);
	return o.id;
}

static void t_create_validation(void **st)
{
	(void)st;
	struct errlist e;
	int64_t id;
	struct org_input bad = {.code = "bad code!", .name = "", .level = "galactic", .type = "x y",
				.credit_code = "91350100M000100Y44", .opened_on = "2020-02-30",
				.region_code = "12"};
	errlist_init(&e);
	assert_int_equal(org_create(&app, &who, &bad, &e, &id), ERR_UNPROCESSABLE);
	const char *want[] = {"code", "name", "level", "type", "region_code", "credit_code", "opened_on"};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		bool found = false;
		for (int k = 0; k < e.n; k++)
			found |= !strcmp(e.e[k].field, want[i]);
		if (!found)
			fail_msg("no error for %s", want[i]);
	}
	struct org_input orphan = {.code = "ORPHAN", .name = "无上级", .level = "city", .type = "association"};
	errlist_init(&e);
	assert_int_equal(org_create(&app, &who, &orphan, &e, &id), ERR_UNPROCESSABLE);
	assert_string_equal(e.e[0].field, "parent_code");
	struct org_input dup = {.code = "DC", .name = "重复", .level = "city", .type = "association", .parent_code = "CAST"};
	errlist_init(&e);
	assert_int_equal(org_create(&app, &who, &dup, &e, &id), ERR_CONFLICT);
	assert_string_equal(e.e[0].field, "code");
	assert_string_equal(e.e[0].code, "taken");
	struct org_input ok = {.code = "DC-NEW", .name = "𠮷祥科协", .level = "city", .type = "association",
			       .parent_code = "DC", .credit_code = "91350100m000100y43", .opened_on = "2020-01-01"};
	errlist_init(&e);
	assert_int_equal(org_create(&app, &who, &ok, &e, &id), 0);
	struct org o;
	assert_int_equal(org_get(&app, id, NULL, &o), 0);
	assert_string_equal(o.name, "𠮷祥科协");
	assert_string_equal(o.credit_code, "91350100M000100Y43"); /* stored normalised */
	assert_int_equal(o.parent_id, id_of("DC"));
	assert_int_equal(org_get(&app, id, "2019-12-31", &o), ERR_NOTFOUND); /* not yet open */
}

static void t_move_dated_and_cycles(void **st)
{
	(void)st;
	struct errlist e;
	int64_t k1 = id_of("DC-C1-K1"), c1 = id_of("DC-C1"), c2 = id_of("DC-C2");
	struct org o;
	assert_int_equal(org_get(&app, k1, NULL, &o), 0);
	int64_t v = o.version;
	errlist_init(&e);
	/* under its own descendant: 409 */
	assert_int_equal(org_move(&app, &who, c1, k1, "2024-06-01", 0, &e), ERR_CONFLICT);
	assert_string_equal(e.e[0].code, "cycle");
	errlist_init(&e);
	assert_int_equal(org_move(&app, &who, c1, c1, NULL, 0, &e), ERR_CONFLICT);
	/* stale version: 412 */
	errlist_init(&e);
	assert_int_equal(org_move(&app, &who, k1, c2, "2024-06-01", v + 5, &e), ERR_PRECONDITION);
	errlist_init(&e);
	int mrc = org_move(&app, &who, k1, c2, "2024-06-01", v, &e);
	if (mrc)
		fail_msg("move: %d %s %s %s", mrc, e.n ? e.e[0].field : "", e.n ? e.e[0].code : "", e.n ? e.e[0].message : "");
	/* the tree as it stood before and after the move */
	assert_int_equal(org_get(&app, k1, "2024-05-31", &o), 0);
	assert_int_equal(o.parent_id, c1);
	assert_int_equal(org_get(&app, k1, "2024-06-01", &o), 0);
	assert_int_equal(o.parent_id, c2);
	assert_int_equal(o.version, v + 1);
	bool yes;
	assert_int_equal(org_within(&app, c1, id_of("DC-C1-K1-T1"), "2024-05-31", &yes), 0);
	assert_true(yes);
	assert_int_equal(org_within(&app, c1, id_of("DC-C1-K1-T1"), "2024-06-01", &yes), 0);
	assert_false(yes);
	assert_int_equal(org_within(&app, c2, id_of("DC-C1-K1-T1"), "2024-06-01", &yes), 0);
	assert_true(yes);
	/* children lists agree with the dates, and page by code */
	struct org kids[10];
	int n;
	assert_int_equal(org_children(&app, c2, "2024-06-01", false, NULL, kids, 10, &n), 0);
	assert_int_equal(n, 3);
	assert_string_equal(kids[0].code, "DC-C1-K1");
	assert_int_equal(org_children(&app, c2, "2024-06-01", false, "DC-C1-K1", kids, 10, &n), 0);
	assert_int_equal(n, 2);
	errlist_init(&e);
	/* a move cannot predate the current placement */
	assert_int_equal(org_move(&app, &who, k1, c1, "2024-01-01", 0, &e), ERR_CONFLICT);
}

static void t_close_rules(void **st)
{
	(void)st;
	struct errlist e;
	int closed = 0;
	int64_t k2 = id_of("DC-C2-K2");
	errlist_init(&e);
	assert_int_equal(org_close(&app, &who, k2, "2025-01-01", false, 0, &e, &closed), ERR_CONFLICT);
	assert_string_equal(e.e[0].code, "open_children");
	errlist_init(&e);
	assert_int_equal(org_close(&app, &who, k2, "2025-01-01", true, 0, &e, &closed), 0);
	assert_int_equal(closed, 4); /* county, township, two grassroots units */
	struct org o;
	assert_int_equal(org_get(&app, k2, NULL, &o), 0); /* closed orgs stay readable */
	assert_string_equal(o.closed_on, "2025-01-01");
	struct org kids[10];
	int n;
	assert_int_equal(org_children(&app, id_of("DC-C2"), "2025-06-01", false, NULL, kids, 10, &n), 0);
	for (int i = 0; i < n; i++)
		assert_string_not_equal(kids[i].code, "DC-C2-K2");
	assert_int_equal(org_children(&app, id_of("DC-C2"), "2024-12-31", false, NULL, kids, 10, &n), 0);
	bool seen = false;
	for (int i = 0; i < n; i++)
		seen |= !strcmp(kids[i].code, "DC-C2-K2");
	assert_true(seen); /* still there the day before */
	errlist_init(&e);
	assert_int_equal(org_close(&app, &who, k2, NULL, true, 0, &e, &closed), ERR_CONFLICT);
	errlist_init(&e);
	assert_int_equal(org_move(&app, &who, k2, id_of("DC-C1"), NULL, 0, &e), ERR_CONFLICT);
}

static void t_counts_and_audit(void **st)
{
	(void)st;
	struct org_counts counts, walked;
	assert_int_equal(org_subtree_counts(&app, id_of("CAST"), "2020-06-01", &counts), 0);
	assert_true(counts.from_tally); /* every date comes from the dated counts */
	assert_int_equal(counts.by_level[0], 1);  /* national */
	assert_int_equal(counts.by_level[1], 6);  /* 3 provincial associations + 3 provincial societies */
	assert_int_equal(counts.by_level[2], 7);  /* 6 cities + DC-NEW */
	assert_int_equal(counts.by_level[3], 12); /* counties */
	struct org o;
	struct errlist e;
	errlist_init(&e);
	assert_int_equal(org_get(&app, id_of("DC-C1-K1"), NULL, &o), 0);
	struct org_input change = {.type = "park"};
	assert_int_equal(org_update(&app, &who, o.id, &change, o.version, &e), 0);
	/* after the creates, moves, closes and type changes above, today's tally agrees with a
	 * walk of the latest tree (as of a far date) for every org */
	struct conn *c = NULL;
	struct stmt *q = NULL;
	int64_t ids[400];
	int nids = 0;
	assert_int_equal(store_acquire(app.store, STORE_READ, &c), 0);
	assert_int_equal(conn_prepare(c, "SELECT id FROM org WHERE closed_on IS NULL", &q), 0);
	while (stmt_step(q) == STORE_ROW && nids < 400)
		ids[nids++] = stmt_int64(q, 0);
	stmt_done(q);
	store_release(c);
	assert_true(nids > 30);
	for (int i = 0; i < nids; i++) {
		assert_int_equal(org_subtree_counts(&app, ids[i], NULL, &counts), 0);
		assert_int_equal(org_subtree_counts(&app, ids[i], "9999-12-31", &walked), 0);
		assert_true(counts.from_tally);
		assert_int_equal(counts.total, walked.total);
		for (int k = 0; k < 6; k++)
			assert_int_equal(counts.by_level[k], walked.by_level[k]);
		assert_int_equal(counts.ntypes, walked.ntypes);
	}
	int64_t n, bad;
	char why[256];
	assert_int_equal(audit_verify(&app, &n, &bad, why, sizeof(why)), 0);
	assert_true(n >= 70);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_create_validation),
		cmocka_unit_test(t_move_dated_and_cycles),
		cmocka_unit_test(t_close_rules),
		cmocka_unit_test(t_counts_and_audit),
	};
	return cmocka_run_group_tests_name("org", tests, setup, teardown);
}
