/* t-nameindex.c - the Chinese name index on a real SQLite file: the pinyin table, what a
 * pinyin query matches, and that the index's candidates always include every name a query
 * matches (checked against a scan of all names) while it is written, rewritten, removed
 * and rebuilt; the vocabulary counts stay equal to the postings. Kind NX_MEMBER is used to
 * show the index serves any kind of object, not only organizations. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "core/nameindex.h"
#include "store/store.h"
#include "testdb.h"

static char dir[] = "/tmp/kexie-t-nameindex-XXXXXX";
static struct store *store;

static int setup(void **st)
{
	(void)st;
	return testdb_open(dir, &store);
}

static int teardown(void **st)
{
	(void)st;
	return testdb_close(store, dir);
}

static void t_pinyin_table(void **st)
{
	(void)st;
	static const struct {
		uint32_t cp;
		const char *py;
	} cases[] = {
		{0x79D1, "ke"},                    /* 科 */
		{0x534F, "xie"},                   /* 协 */
		{0x5973, "nv"},                    /* 女: u-diaeresis typed v */
		{0x7EFF, "lv"},                    /* 绿 */
		{0x5B9D, "bao"},                   /* 宝 */
		{0x5B9C, "yi"},                    /* 宜 */
		{0x957F, "zhang"},                 /* 长: ICU's one reading, not chang */
		{'A', NULL},       {0x3000, NULL}, /* ideographic space */
		{0x20BB7, NULL},                   /* 𠮷 beyond the BMP: no reading */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *py = nameindex_pinyin(cases[i].cp);
		if (cases[i].py)
			assert_string_equal(py, cases[i].py);
		else
			assert_null(py);
	}
}

static bool matches(const char *name, const char *q)
{
	struct nameindex_q x;
	assert_int_equal(nameindex_parse(q, false, &x), 0);
	return nameindex_pinyin_match(NX_ORG, name, &x);
}

static void t_pinyin_match(void **st)
{
	(void)st;
	static const struct {
		const char *name, *q;
		bool yes;
	} cases[] = {
		{"中国科学技术协会", "kexue", true},
		{"中国科学技术协会", "kexuejishu", true},
		{"中国科学技术协会", "kexuej", true}, /* the last syllable may be partial */
		{"中国科学技术协会", "zh", true},
		{"中国科学技术协会", "zhongguokexuejishuxiehui", true},
		{"中国科学技术协会", "xieh", true},
		{"中国科学技术协会", "kx", true}, /* initials */
		{"中国科学技术协会", "kxjsxh", true},
		{"中国科学技术协会", "zgkxjsxh", true},
		{"中国科学技术协会", "ZGKX", true},  /* case is ignored */
		{"中国科学技术协会", "exue", false}, /* not from the start of a syllable */
		{"中国科学技术协会", "kexi", false}, /* 科学 is kexue */
		{"中国科学技术协会", "huixie", false},
		{"中国科学技术协会", "kxx", false},
		{"中国科学技术协会", "kexuexie", false},
		{"中国IBM科协", "kexie", true},
		{"中国IBM科协", "guoke", false}, /* a run of Han characters ends at IBM */
		{"中国IBM科协", "gk", false},
		{"中国IBM科协", "kx", true},
		{"宝宜县精工机械有限公司科协", "baoyi", true},
		{"宝宜县精工机械有限公司科协", "byx", true},
		{"宝宜县精工机械有限公司科协", "gongsikexie", true},
		{"绿水村", "lvshui", true},
		{"𠮷祥科协", "xiangke", true}, /* a character without reading ends a run */
		{"𠮷祥科协", "xk", true},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (matches(cases[i].name, cases[i].q) != cases[i].yes)
			fail_msg("%s ~ %s should be %s", cases[i].name, cases[i].q,
				 cases[i].yes ? "a match" : "no match");
	struct nameindex_q x;
	assert_int_equal(nameindex_parse("k", false, &x), 0);
	assert_false(x.pinyin); /* one letter is not a pinyin query */
	assert_int_equal(nameindex_parse("ke1", false, &x), 0);
	assert_false(x.pinyin);
	assert_int_equal(nameindex_parse("", false, &x), ERR_INVALID);
}

/* ---- the index against a scan ---- */

#define NOBJ 160
static char names[NOBJ + 1][128];
static bool present[NOBJ + 1];

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void random_name(uint64_t *s, char *out, size_t cap)
{
	static const char *const parts[] = {"科协", "科学", "宝宜", "宜宾", "技术", "协会", "宝",
					    "县",   "IBM",  "Ab",   "农技", "学院", "绿水", "女子",
					    " ",    "%",    "_",    "𠮷",   "长沙", "科"};
	size_t n = 0;
	int k = 1 + (int)(rnd(s) % 6);
	out[0] = '\0';
	for (int i = 0; i < k; i++) {
		const char *p = parts[rnd(s) % (sizeof(parts) / sizeof(parts[0]))];
		size_t pl = strlen(p);
		if (n + pl + 1 >= cap)
			break;
		memcpy(out + n, p, pl + 1);
		n += pl;
	}
}

/* ASCII-case-insensitive substring, as SQLite's LIKE '%q%' (the check callers make). */
static bool contains(const char *name, const char *q)
{
	size_t nl = strlen(name), ql = strlen(q);
	for (size_t i = 0; i + ql <= nl; i++) {
		size_t k = 0;
		while (k < ql) {
			char a = name[i + k], b = q[k];
			if (a >= 'A' && a <= 'Z')
				a = (char)(a + 32);
			if (b >= 'A' && b <= 'Z')
				b = (char)(b + 32);
			if (a != b)
				break;
			k++;
		}
		if (k == ql)
			return true;
	}
	return false;
}

static void candidates(struct conn *c, const char *q, bool got[NOBJ + 1])
{
	struct nameindex_q x;
	char sql[1200], cand[1024];
	assert_int_equal(nameindex_parse(q, false, &x), 0);
	int64_t est = 0;
	bool built = false;
	assert_int_equal(nameindex_estimate(c, NX_MEMBER, &x, &est, &built), 0);
	assert_true(nameindex_candidates_sql(0, cand, sizeof(cand)) == 20);
	snprintf(sql, sizeof(sql), "SELECT id FROM (%s) c", cand);
	struct stmt *st = NULL;
	assert_int_equal(conn_prepare(c, sql, &st), 0);
	nameindex_bind_candidates(st, 0, NX_MEMBER, &x);
	memset(got, 0, sizeof(bool) * (NOBJ + 1));
	int n = 0;
	while (stmt_step(st) == STORE_ROW) {
		int64_t id = stmt_int64(st, 0);
		assert_true(id >= 1 && id <= NOBJ);
		got[id] = true;
		n++;
	}
	stmt_done(st);
	assert_true(est >= n); /* the estimate bounds the candidates */
}

static void check_superset(struct conn *c)
{
	static const char *const qs[] = {"科协",  "宝宜",     "科",  "宝",     "宜宾县", "ibm",      "IBM科",
					 "%",     "_",        " ",   "𠮷",     "kexie",  "kx",       "bao",
					 "baoyi", "ke",       "xie", "lvshui", "nv",     "zhangsha", "kxjs",
					 "xuej",  "changsha", "Ab",  "b科"};
	bool got[NOBJ + 1];
	for (size_t i = 0; i < sizeof(qs) / sizeof(qs[0]); i++) {
		candidates(c, qs[i], got);
		struct nameindex_q x;
		nameindex_parse(qs[i], false, &x);
		for (int id = 1; id <= NOBJ; id++) {
			bool want = present[id] && (contains(names[id], qs[i]) ||
						    nameindex_pinyin_match(NX_ORG, names[id], &x));
			if (want && !got[id])
				fail_msg("q=%s: %s (id %d) is not a candidate", qs[i], names[id], id);
		}
	}
	/* the vocabulary counts the postings */
	struct stmt *st = NULL;
	assert_int_equal(
		conn_prepare(c,
			     "SELECT count(*) FROM name_vocab v WHERE v.kind = 2 AND v.n <>"
			     " (SELECT count(*) FROM name_gram g WHERE g.kind = 2 AND g.gram = v.gram)",
			     &st),
		0);
	assert_int_equal(stmt_step(st), STORE_ROW);
	assert_int_equal(stmt_int64(st, 0), 0);
	stmt_done(st);
}

static int write_tx(struct conn *c, void *arg)
{
	uint64_t *s = arg;
	for (int id = 1; id <= NOBJ; id++) {
		uint64_t r = rnd(s) % 10;
		if (r < 7 || !present[id]) {
			random_name(s, names[id], sizeof(names[id]));
			present[id] = true;
			int rc = nameindex_set(c, NX_MEMBER, id, names[id], NULL);
			if (rc)
				return rc;
		} else if (r == 7) {
			present[id] = false;
			int rc = nameindex_unset(c, NX_MEMBER, id);
			if (rc)
				return rc;
		}
	}
	return 0;
}

static int rebuild_tx(struct conn *c, void *arg)
{
	(void)arg;
	int rc = conn_exec(c, "CREATE TABLE members (id BIGINT PRIMARY KEY, name TEXT NOT NULL)");
	for (int id = 1; !rc && id <= NOBJ; id++) {
		if (!present[id])
			continue;
		struct stmt *st = NULL;
		rc = conn_prepare(c, "INSERT INTO members (id, name) VALUES ($1, $2)", &st);
		if (rc)
			break;
		stmt_bind_int64(st, 1, id);
		stmt_bind_text(st, 2, names[id], strlen(names[id]));
		rc = stmt_step(st) < 0 ? ERR_DB : 0;
		stmt_done(st);
	}
	return rc ? rc
		  : nameindex_rebuild(
			    c, NX_MEMBER,
			    "SELECT id, name, NULL FROM members WHERE id > $1 ORDER BY id LIMIT $2");
}

static void t_candidates_cover_every_match(void **st)
{
	(void)st;
	uint64_t seed = 0x9E3779B97F4A7C15ull;
	struct conn *c = NULL;
	for (int round = 0; round < 4; round++) {
		assert_int_equal(store_tx(store, write_tx, &seed), 0); /* names set, renamed, removed */
		assert_int_equal(store_acquire(store, STORE_READ, &c), 0);
		check_superset(c);
		store_release(c);
	}
	/* a rebuild from a table gives the same answers (and marks the kind built) */
	assert_int_equal(store_tx(store, rebuild_tx, NULL), 0);
	assert_int_equal(store_acquire(store, STORE_READ, &c), 0);
	check_superset(c);
	struct nameindex_q x;
	int64_t est;
	bool built = false;
	nameindex_parse("科协", false, &x);
	assert_int_equal(nameindex_estimate(c, NX_MEMBER, &x, &est, &built), 0);
	assert_true(built);
	store_release(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_pinyin_table),
		cmocka_unit_test(t_pinyin_match),
		cmocka_unit_test(t_candidates_cover_every_match),
	};
	return cmocka_run_group_tests_name("nameindex", tests, setup, teardown);
}
