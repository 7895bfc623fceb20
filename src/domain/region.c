/*
 * region.c - administrative divisions: lookup, children in code or pinyin order, bulk
 * insert (idempotent), demo and benchmark data.
 */
#include "domain/region.h"
#include "base/utf8.h"
#include "core/audit.h"
#include "store/store.h"

#include <stdio.h>
#include <string.h>

bool region_code_valid(const char *code)
{
	size_t n = strlen(code);
	if (n < 2 || n > REGION_CODE_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (code[i] < '0' || code[i] > '9')
			return false;
	return true;
}

static void row_to_region(struct stmt *st, struct region *r)
{
	str_copy(r->code, sizeof(r->code), stmt_text(st, 0, NULL));
	str_copy(r->name, sizeof(r->name), stmt_text(st, 1, NULL));
	str_copy(r->parent, sizeof(r->parent), stmt_text(st, 2, NULL));
	r->level = (int)stmt_int64(st, 3);
}

struct get_job {
	const char *code;
	struct region *out;
};

static int get_in(struct conn *c, void *arg)
{
	struct get_job *j = arg;
	struct region *r = j->out;
	return conn_row(c, "SELECT code, name, parent_code, level FROM region WHERE code = $1", "t", "tttd",
			j->code, r->code, sizeof(r->code), r->name, sizeof(r->name), r->parent,
			sizeof(r->parent), &r->level);
}

int region_get(struct app *a, const char *code, struct region *out)
{
	if (!region_code_valid(code))
		return ERR_NOTFOUND;
	struct get_job j = {.code = code, .out = out};
	return store_read(a->store, get_in, &j);
}

#define REGION_COLS "SELECT code, name, parent_code, level FROM region "
/* ORDER BY comes only from this table: never from the client's text. */
static const char *const children_sql[2][2][2] = {
	/* [top][sort][desc] */
	{{REGION_COLS "WHERE parent_code = $1 ORDER BY code LIMIT $2",
	  REGION_COLS "WHERE parent_code = $1 ORDER BY code DESC LIMIT $2"},
	 {REGION_COLS "WHERE parent_code = $1 ORDER BY name COLLATE zh_pinyin, code LIMIT $2",
	  REGION_COLS "WHERE parent_code = $1 ORDER BY name COLLATE zh_pinyin DESC, code LIMIT $2"}},
	{{REGION_COLS "WHERE parent_code IS NULL ORDER BY code LIMIT $1",
	  REGION_COLS "WHERE parent_code IS NULL ORDER BY code DESC LIMIT $1"},
	 {REGION_COLS "WHERE parent_code IS NULL ORDER BY name COLLATE zh_pinyin, code LIMIT $1",
	  REGION_COLS
	  "WHERE parent_code IS NULL ORDER BY name COLLATE zh_pinyin DESC, code LIMIT $1"}},
};

int region_children(struct app *a, const char *parent, enum region_sort sort, int desc,
		    struct region *out, int max, int *n)
{
	*n = 0;
	bool top = !parent || !*parent;
	if (!top) {
		struct region p;
		int rc = region_get(a, parent, &p);
		if (rc)
			return rc;
	}
	struct conn *c = NULL;
	struct stmt *st = NULL;
	int rc = store_acquire(a->store, STORE_READ, &c);
	if (rc)
		return rc;
	rc = conn_prepare(c, children_sql[top][sort == REGION_SORT_NAME][desc != 0], &st);
	if (rc)
		goto done;
	if (top) {
		stmt_bind_int64(st, 1, max);
	} else {
		stmt_bind_text(st, 1, parent, strlen(parent));
		stmt_bind_int64(st, 2, max);
	}
	while ((rc = stmt_step(st)) == STORE_ROW && *n < max)
		row_to_region(st, &out[(*n)++]);
	if (rc > 0)
		rc = 0;
done:
	stmt_done(st);
	store_release(c);
	return rc;
}

static int check_region(const struct region *r, long row, struct errlist *errs)
{
	int rc = 0;
	if (!region_code_valid(r->code))
		rc = errlist_add_row(errs, row, "code", "invalid_code", "must be 2 to 12 digits");
	size_t nlen = strlen(r->name);
	if (!nlen || !utf8_valid(r->name, nlen, NULL) || utf8_count(r->name, nlen) > REGION_NAME_MAX)
		rc = errlist_add_row(errs, row, "name", "invalid_name",
				     "must be 1 to 100 characters of valid text");
	if (r->parent[0] && !region_code_valid(r->parent))
		rc = errlist_add_row(errs, row, "parent_code", "invalid_code",
				     "must be 2 to 12 digits");
	if (r->level < 1 || r->level > 5)
		rc = errlist_add_row(errs, row, "level", "out_of_range", "must be 1 to 5");
	return rc;
}

struct insert_job {
	const struct region *r;
	size_t n;
	const struct audit_entry *who;
	const char *action;
	size_t inserted;
};

static int count_in(struct conn *c, int64_t *n)
{
	return conn_row(c, "SELECT count(*) FROM region", NULL, "i", n);
}

/* Counts what the write added and records it in the audit trail, in the same
 * transaction (nothing is recorded when nothing is new). */
static int finish_import(struct conn *c, struct insert_job *j, int64_t before)
{
	int64_t after = 0;
	int rc = count_in(c, &after);
	if (rc)
		return rc;
	j->inserted = (size_t)(after - before);
	if (!j->inserted)
		return 0;
	char detail[64];
	snprintf(detail, sizeof(detail), "{\"inserted\":%zu}", j->inserted);
	struct audit_entry e = *j->who;
	e.action = j->action;
	e.object_type = "region";
	e.detail = detail;
	return audit_append(c, &e);
}

static const char REGION_INSERT[] =
	"INSERT INTO region (code, name, parent_code, level) VALUES ($1, $2, $3, $4)"
	" ON CONFLICT (code) DO NOTHING";

static int insert_tx(struct conn *c, void *arg)
{
	struct insert_job *j = arg;
	int64_t before = 0;
	int rc = count_in(c, &before);
	for (size_t i = 0; i < j->n && !rc; i++) {
		const struct region *r = &j->r[i]; /* the statement is cached after the first row */
		rc = conn_run(c, REGION_INSERT, "tttd", r->code, r->name, r->parent[0] ? r->parent : NULL,
			      r->level);
		rc = rc < 0 ? rc : 0;
	}
	return rc ? rc : finish_import(c, j, before);
}

int region_insert_many(struct app *a, const struct region *r, size_t n,
		       const struct audit_entry *who, struct errlist *errs, size_t *inserted)
{
	*inserted = 0;
	int bad = 0;
	for (size_t i = 0; i < n; i++)
		if (check_region(&r[i], (long)i + 1, errs))
			bad = 1;
	if (bad)
		return ERR_UNPROCESSABLE;
	struct insert_job j = {.r = r, .n = n, .who = who, .action = "region.import"};
	int rc = store_tx(a->store, insert_tx, &j);
	if (rc == ERR_CONFLICT)
		errlist_add(errs, "parent_code", "unknown_parent",
			    "a parent code does not exist; insert parents first");
	if (!rc)
		*inserted = j.inserted;
	return rc;
}

int region_seed_demo(struct app *a, const struct audit_entry *who, size_t *inserted)
{
	static const struct region demo[] = {
		{"110000", "北京市", "", 1},   {"310000", "上海市", "", 1},
		{"320000", "江苏省", "", 1},   {"330000", "浙江省", "", 1},
		{"340000", "安徽省", "", 1},   {"430000", "湖南省", "", 1},
		{"440000", "广东省", "", 1},   {"500000", "重庆市", "", 1},
		{"510000", "四川省", "", 1},   {"110105", "朝阳区", "110000", 3},
		{"110108", "海淀区", "110000", 3}, {"110101", "东城区", "110000", 3},
		{"320100", "南京市", "320000", 2}, {"320500", "苏州市", "320000", 2},
		{"440100", "广州市", "440000", 2}, {"440300", "深圳市", "440000", 2},
		{"510100", "成都市", "510000", 2}, {"430100", "长沙市", "430000", 2},
	};
	struct errlist errs;
	errlist_init(&errs);
	return region_insert_many(a, demo, sizeof(demo) / sizeof(demo[0]), who, &errs, inserted);
}

static int gen_tx(struct conn *c, void *arg)
{
	struct insert_job *j = arg;
	int64_t before = 0;
	int rc = count_in(c, &before);
	if (!rc)
		rc = conn_run(c, REGION_INSERT, "ttnd", "990000", "基准测试省", 1);
	for (size_t i = 0; i < j->n && rc >= 0; i++) {
		char code[32], name[64];
		snprintf(code, sizeof(code), "99%010zu", i + 1);
		snprintf(name, sizeof(name), "测试村%zu", i + 1);
		rc = conn_run(c, REGION_INSERT, "tttd", code, name, "990000", 5);
	}
	return rc < 0 ? rc : finish_import(c, j, before);
}

int region_generate(struct app *a, size_t n, const struct audit_entry *who, size_t *inserted)
{
	struct insert_job j = {.n = n, .who = who, .action = "region.generate"};
	int rc = store_tx(a->store, gen_tx, &j);
	*inserted = rc ? 0 : j.inserted;
	return rc;
}
