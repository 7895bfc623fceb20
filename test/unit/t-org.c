/* t-org.c - the organization tree on a real SQLite file: validation, dated moves and
 * as-of reads, cycles, closing rules, optimistic versions, counts, and the audit trail;
 * search and dated counts against the recursive walks they replaced (issue 10). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/audit.h"
#include "core/nameindex.h"
#include "core/org.h"
#include "core/codelist.h"
#include "core/rbac.h"
#include "base/timeutil.h"
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
	store_set_owner(app.store, &app); /* the audit trail keys its records with app.key */
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
	struct org_input bad = {.code = "bad code!",
				.name = "",
				.level = "galactic",
				.type = "x y",
				.credit_code = "91350100M000100Y44",
				.opened_on = "2020-02-30",
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
	struct org_input orphan = {
		.code = "ORPHAN", .name = "无上级", .level = "city", .type = "association"};
	errlist_init(&e);
	assert_int_equal(org_create(&app, &who, &orphan, &e, &id), ERR_UNPROCESSABLE);
	assert_string_equal(e.e[0].field, "parent_code");
	struct org_input dup = {
		.code = "DC", .name = "重复", .level = "city", .type = "association", .parent_code = "CAST"};
	errlist_init(&e);
	assert_int_equal(org_create(&app, &who, &dup, &e, &id), ERR_CONFLICT);
	assert_string_equal(e.e[0].field, "code");
	assert_string_equal(e.e[0].code, "taken");
	struct org_input ok = {.code = "DC-NEW",
			       .name = "𠮷祥科协",
			       .level = "city",
			       .type = "association",
			       .parent_code = "DC",
			       .credit_code = "91350100m000100y43",
			       .opened_on = "2020-01-01"};
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
		fail_msg("move: %d %s %s %s", mrc, e.n ? e.e[0].field : "", e.n ? e.e[0].code : "",
			 e.n ? e.e[0].message : "");
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
	assert_true(counts.from_tally);           /* every date comes from the dated counts */
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

/* ---- issue 10: search and dated counts against the recursive walks they replace ---- */

/* The walks as they were before the closure and the dated counts (commit 77ef29c): the
 * reference every answer is compared with. */
static const char ref_counts_sql[] = ORG_SUBTREE_CTE
	" SELECT o.level, o.type, count(*) FROM down JOIN org o ON o.id = down.id"
	" WHERE o.opened_on <= $2 AND (o.closed_on IS NULL OR o.closed_on > $2) GROUP BY o.level, o.type";
/* the old search without LIMIT and keyset, with its q predicate as a flag so the pinyin
 * matches (new) can be added by the exact test */
static const char ref_search_sql[] = ORG_SUBTREE_CTE
	" SELECT o.code, o.name, CASE WHEN CAST($4 AS TEXT) IS NULL OR o.code LIKE $4 ESCAPE '\\'"
	" OR o.name LIKE $5 ESCAPE '\\' THEN 1 ELSE 0 END FROM org o JOIN down dn ON dn.id = o.id"
	" WHERE o.opened_on <= $2 AND ($3 = 1 OR o.closed_on IS NULL OR o.closed_on > $2)"
	" AND (CAST($6 AS TEXT) IS NULL OR o.level = $6) AND (CAST($7 AS TEXT) IS NULL OR o.type = $7)"
	" ORDER BY o.code";

/* the same walk counting only what a caller sees today (issue 8 case 4, as main had it) */
static const char ref_counts_seen_sql[] = ORG_SUBTREE_CTE
	" SELECT o.level, o.type, count(*) FROM down JOIN org o ON o.id = down.id"
	" WHERE o.opened_on <= $2 AND (o.closed_on IS NULL OR o.closed_on > $2) AND " ORG_SEEN_SQL(
		"o.id", "$3", "$4", "$5") " GROUP BY o.level, o.type";
static const char ref_search_seen_sql[] = ORG_SUBTREE_CTE
	" SELECT o.code, o.name, CASE WHEN CAST($4 AS TEXT) IS NULL OR o.code LIKE $4 ESCAPE '\\'"
	" OR o.name LIKE $5 ESCAPE '\\' THEN 1 ELSE 0 END FROM org o JOIN down dn ON dn.id = o.id"
	" WHERE o.opened_on <= $2 AND ($3 = 1 OR o.closed_on IS NULL OR o.closed_on > $2)"
	" AND (CAST($6 AS TEXT) IS NULL OR o.level = $6) AND (CAST($7 AS TEXT) IS NULL OR o.type = $7)"
	" AND " ORG_SEEN_SQL("o.id", "$8", "$9", "$10") " ORDER BY o.code";

static struct app papp;
static const struct rbac_seen *pseen; /* NULL: a caller who sees everything */
static char pdir[] = "/tmp/kexie-t-org-parity-XXXXXX";
#define PN 240
static int64_t pid[PN];
static char pcode[PN][16];
static int pn;

static uint64_t prnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void pdate(uint64_t r, char out[11])
{
	/* 2010-01-01 .. 2035-12-28: some of it always in the future */
	snprintf(out, 11, "%04d-%02d-%02d", 2010 + (int)(r % 26), 1 + (int)((r >> 8) % 12),
		 1 + (int)((r >> 16) % 28));
}

static void pname(uint64_t r, char *out, size_t cap)
{
	static const char *const place[] = {"宝宜", "临江", "青石", "宜宾", "长沙", "绿水", "东川"};
	static const char *const unit[] = {"县科学技术协会", "镇科普协会", "有限公司科协", "学院科协",
					   "村农技协",       "IBM科协",    "医院科协"};
	snprintf(out, cap, "%s%s", place[r % 7], unit[(r >> 4) % 7]);
}

static int reopen_tx(struct conn *c, void *arg)
{
	const int64_t *x = arg;
	/* what a reopen does (issue 11): the org open again, then the one call a tree change makes */
	struct stmt *st = NULL;
	int rc = conn_prepare(c, "UPDATE org SET closed_on = NULL WHERE id = $1", &st);
	if (rc)
		return rc;
	stmt_bind_int64(st, 1, *x);
	rc = stmt_step(st);
	stmt_done(st);
	return rc < 0 ? rc : org_index_sync(c, *x, false);
}

static void parity_build(void)
{
	uint64_t s = 0x2545F4914F6CDD1Dull;
	struct errlist e;
	struct org_input root = {.code = "R",
				 .name = "中国宝宜科学技术协会",
				 .level = "national",
				 .type = "association",
				 .opened_on = "2005-01-01"};
	errlist_init(&e);
	assert_int_equal(org_create(&papp, &who, &root, &e, &pid[0]), 0);
	snprintf(pcode[0], sizeof(pcode[0]), "R");
	pn = 1;
	static const char *const levels[] = {"provincial", "city", "county", "township", "grassroots"};
	static const char *const types[] = {"association", "enterprise", "university", "village", "hospital"};
	while (pn < PN) {
		uint64_t r = prnd(&s);
		int parent = (int)(r % (uint64_t)pn);
		struct org po;
		assert_int_equal(org_get(&papp, pid[parent], "9999-12-31", &po), 0);
		char opened[11], name[128], code[16];
		pdate(prnd(&s), opened);
		if (strcmp(opened, po.opened_on) < 0)
			continue;
		pname(prnd(&s), name, sizeof(name));
		/* some codes in lower case: SQLite's LIKE ignores ASCII case, PostgreSQL's does not */
		snprintf(code, sizeof(code), "%s%d", pn % 5 ? "T" : "t", pn);
		struct org_input in = {.code = code,
				       .name = name,
				       .level = levels[(r >> 8) % 5],
				       .type = types[(r >> 12) % 5],
				       .parent_code = po.code,
				       .opened_on = opened};
		errlist_init(&e);
		if (org_create(&papp, &who, &in, &e, &pid[pn]) == 0)
			snprintf(pcode[pn++], sizeof(pcode[0]), "%s", code);
	}
	/* moves (some into the future, some dated before other orgs' later moves), closes (one
	 * and whole branches, past and future), type and name changes, reopens */
	int moved = 0, closed = 0, changed = 0, reopened = 0;
	for (int op = 0; op < 600; op++) {
		uint64_t r = prnd(&s);
		int x = 1 + (int)(r % (uint64_t)(pn - 1)), y = (int)((r >> 16) % (uint64_t)pn);
		char on[11];
		pdate(prnd(&s), on);
		errlist_init(&e);
		struct org o;
		switch ((r >> 40) % 6) {
		case 0:
		case 1: moved += org_move(&papp, &who, pid[x], pid[y], on, 0, &e) == 0; break;
		case 2: {
			int n = 0;
			closed += org_close(&papp, &who, pid[x], on, (r >> 50) & 1, 0, &e, &n) == 0;
			break;
		}
		case 3:
			if (org_get(&papp, pid[x], "9999-12-31", &o) == 0) {
				char name[128];
				pname(prnd(&s), name, sizeof(name));
				struct org_input in = {.type = types[(r >> 44) % 5], .name = name};
				changed += org_update(&papp, &who, pid[x], &in, o.version, &e) == 0;
			}
			break;
		case 4:
			if (org_get(&papp, pid[x], "9999-12-31", &o) == 0 && o.closed_on[0]) {
				assert_int_equal(store_tx(papp.store, reopen_tx, &pid[x]), 0);
				reopened++;
			}
			break;
		default: break;
		}
	}
	if (!(moved > 20 && closed > 10 && changed > 10 && reopened > 3))
		fail_msg("moved %d closed %d changed %d reopened %d", moved, closed, changed, reopened);
}

static const char *const pdates[] = {"2004-12-31", "2005-01-01", "2011-06-30", "2016-02-29",
				     "2020-12-31", "2026-01-15", "2031-07-01", "2036-01-01"};

/* Does the caller of pseen see org id today (lists are only ever rooted at such orgs)? */
static bool seen_today(int64_t id)
{
	if (!pseen)
		return true;
	struct conn *c = NULL;
	struct stmt *st = NULL;
	assert_int_equal(store_acquire(papp.store, STORE_READ, &c), 0);
	assert_int_equal(
		conn_prepare(c, "SELECT 1 WHERE " ORG_SEEN_SQL("CAST($1 AS BIGINT)", "$2", "$3", "$4"), &st),
		0);
	stmt_bind_int64(st, 1, id);
	org_seen_bind(st, 2, pseen);
	bool yes = stmt_step(st) == STORE_ROW;
	stmt_done(st);
	store_release(c);
	return yes;
}

static void parity_counts(void)
{
	struct conn *c = NULL;
	int compared = 0, skipped = 0;
	for (int i = 0; i < pn; i++)
		for (size_t k = 0; k < sizeof(pdates) / sizeof(pdates[0]); k++) {
			if (!seen_today(pid[i])) {
				skipped++;
				continue;
			}
			struct org_counts got, want;
			memset(&want, 0, sizeof(want));
			assert_int_equal(org_subtree_counts_seen(&papp, pid[i], pdates[k], pseen, &got), 0);
			assert_int_equal(store_acquire(papp.store, STORE_READ, &c), 0);
			struct stmt *st = NULL;
			bool seen = org_seen_needed(pseen, pdates[k]);
			assert_int_equal(conn_prepare(c, seen ? ref_counts_seen_sql : ref_counts_sql, &st),
					 0);
			stmt_bind_int64(st, 1, pid[i]);
			stmt_bind_text(st, 2, pdates[k], 10);
			if (seen)
				org_seen_bind(st, 3, pseen);
			while (stmt_step(st) == STORE_ROW) {
				int64_t n = stmt_int64(st, 2);
				const char *level = stmt_text(st, 0, NULL), *type = stmt_text(st, 1, NULL);
				want.total += n;
				for (int l = 0; l < CODELIST_ORG_LEVELS; l++)
					if (!strcmp(codelist_org_level.items[l].code, level))
						want.by_level[l] += n;
				int t = 0;
				while (t < want.ntypes && strcmp(want.by_type[t].type, type))
					t++;
				if (t == want.ntypes)
					snprintf(want.by_type[want.ntypes++].type,
						 sizeof(want.by_type[0].type), "%s", type);
				want.by_type[t].n += n;
			}
			stmt_done(st);
			store_release(c);
			if (got.total != want.total)
				fail_msg("%s on %s: %lld, the walk says %lld", pcode[i], pdates[k],
					 (long long)got.total, (long long)want.total);
			for (int l = 0; l < 6; l++)
				assert_int_equal(got.by_level[l], want.by_level[l]);
			assert_int_equal(got.ntypes, want.ntypes);
			for (int t = 0; t < want.ntypes; t++) {
				int u = 0;
				while (u < got.ntypes && strcmp(got.by_type[u].type, want.by_type[t].type))
					u++;
				if (u == got.ntypes || got.by_type[u].n != want.by_type[t].n)
					fail_msg("%s on %s: type %s differs", pcode[i], pdates[k],
						 want.by_type[t].type);
			}
			compared++;
		}
	assert_int_equal(compared + skipped, pn * 8);
	assert_true(compared > 200);
}

/* Every page of a search, concatenated, against the reference. */
static void parity_search_one(int64_t under, const char *q, const char *date, bool closed, const char *level,
			      int limit)
{
	char want[PN][16], got[PN][16];
	int nwant = 0, ngot = 0;
	struct conn *c = NULL;
	struct stmt *st = NULL;
	char pre[80] = "", inf[80] = "";
	struct nameindex_q x = {0};
	if (q) {
		char esc[64]; /* as the old search: LIKE's wildcards in q are matched literally */
		size_t n = 0;
		for (const char *p = q; *p; p++) {
			if (*p == '%' || *p == '_' || *p == '\\')
				esc[n++] = '\\';
			esc[n++] = *p;
		}
		esc[n] = '\0';
		snprintf(pre, sizeof(pre), "%s%%", esc);
		snprintf(inf, sizeof(inf), "%%%s%%", esc);
		assert_int_equal(nameindex_parse(q, true, &x), 0);
	}
	assert_int_equal(store_acquire(papp.store, STORE_READ, &c), 0);
	bool seen = org_seen_needed(pseen, date);
	assert_int_equal(conn_prepare(c, seen ? ref_search_seen_sql : ref_search_sql, &st), 0);
	if (seen)
		org_seen_bind(st, 8, pseen);
	stmt_bind_int64(st, 1, under);
	stmt_bind_text(st, 2, date, 10);
	stmt_bind_int64(st, 3, closed);
	if (q) {
		stmt_bind_text(st, 4, pre, strlen(pre));
		stmt_bind_text(st, 5, inf, strlen(inf));
	} else {
		stmt_bind_null(st, 4);
		stmt_bind_null(st, 5);
	}
	if (level)
		stmt_bind_text(st, 6, level, strlen(level));
	else
		stmt_bind_null(st, 6);
	stmt_bind_null(st, 7);
	while (stmt_step(st) == STORE_ROW && nwant < PN)
		if (stmt_int64(st, 2) || nameindex_pinyin_match(NX_ORG, stmt_text(st, 1, NULL), &x))
			snprintf(want[nwant++], 16, "%s", stmt_text(st, 0, NULL));
	stmt_done(st);
	store_release(c);
	struct org page[16];
	char after[33] = "";
	for (;;) {
		struct org_filter f = {.q = q,
				       .as_of = date,
				       .include_closed = closed,
				       .level = level,
				       .after_code = after,
				       .seen = pseen};
		int n = 0;
		assert_int_equal(org_search(&papp, under, &f, page, limit, &n), 0);
		for (int i = 0; i < n && ngot < PN; i++)
			snprintf(got[ngot++], 16, "%s", page[i].code);
		if (n < limit)
			break;
		snprintf(after, sizeof(after), "%s", page[n - 1].code);
	}
	if (ngot != nwant)
		fail_msg("q=%s under %lld on %s: %d found, the walk finds %d", q ? q : "(none)",
			 (long long)under, date, ngot, nwant);
	for (int i = 0; i < nwant; i++)
		assert_string_equal(got[i], want[i]);
}

static void parity_search(void)
{
	static const char *const qs[] = {
		NULL,    "宝宜",  "科协", "科", "县",     "IBM",      "ibm",      "T1", "t", "T2",
		"baoyi", "kexie", "kx",   "ke", "lvshui", "changsha", "zhangsha", "x",  "%", "宝宜县科学"};
	static const char *const lv[] = {NULL, NULL, "county", "grassroots"};
	int combos = 0;
	for (int i = 0; i < pn; i += pseen ? 3 : 9)
		for (size_t d = 0; d < sizeof(pdates) / sizeof(pdates[0]) && seen_today(pid[i]); d += 2)
			for (size_t k = 0; k < sizeof(qs) / sizeof(qs[0]); k++) {
				parity_search_one(pid[i], qs[k], pdates[d], (k + d) % 2,
						  lv[(k + (size_t)i) % 4], 1 + (int)((k * 7 + d) % 11));
				combos++;
			}
	assert_true(combos > 300);
}

static void t_issue10_parity(void **st)
{
	(void)st;
	assert_int_equal(testdb_open(pdir, &papp.store), 0);
	store_set_owner(papp.store, &papp); /* the audit trail keys its records with papp.key */
	parity_build();
	parity_counts();
	parity_search();
	/* a caller with roles over two orgs (no post): lists for other dates show only what
	 * they see today, orgs that moved in or out of their subtrees since included */
	struct rbac_seen view = {.all = false, .roles = "|org_admin|staff|"};
	date_today(view.today, sizeof(view.today));
	struct stmt *st2 = NULL;
	struct conn *c = NULL;
	assert_int_equal(store_acquire(papp.store, STORE_WRITE, &c), 0);
	assert_int_equal(
		conn_prepare(c,
			     "INSERT INTO app_user (login, display_name, password_hash, password_changed_at,"
			     " created_at) VALUES ('viewer', 'viewer', 'x', 0, 0) RETURNING id",
			     &st2),
		0);
	assert_int_equal(stmt_step(st2), STORE_ROW);
	view.user_id = stmt_int64(st2, 0);
	stmt_done(st2);
	assert_true(
		conn_run(
			c,
			"INSERT INTO role_assignment (user_id, role, org_id) VALUES ($1, 'staff', $2), ($1, 'org_admin', $3)",
			"iii", view.user_id, pid[1], pid[7]) == 2);
	store_release(c);
	pseen = &view;
	parity_counts();
	parity_search();
	pseen = NULL;
	/* a rebuild from scratch gives the same structures as the writes kept */
	assert_int_equal(org_tally_rebuild(&papp), 0);
	parity_counts();
	parity_search();
	assert_int_equal(testdb_close(papp.store, pdir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_create_validation), cmocka_unit_test(t_move_dated_and_cycles),
		cmocka_unit_test(t_close_rules),       cmocka_unit_test(t_counts_and_audit),
		cmocka_unit_test(t_issue10_parity),
	};
	return cmocka_run_group_tests_name("org", tests, setup, teardown);
}
