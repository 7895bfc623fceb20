/*
 * todo.c - the to-do registry (see todo.h): the table of sources, and today's sources.
 *
 * A module adds its source as one row of `sources` (its function may live in the module's
 * own file). Today's two: locked accounts for those who may unlock them, and county-level
 * or higher associations without a credit code for those who edit the tree. The jobs
 * runner adds "failed or running jobs of the caller" once its table is in.
 */
#include "core/todo.h"
#include "core/codelist.h"
#include "core/org.h"
#include "base/timeutil.h"
#include "store/store.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void todo_add(struct todo_list *l, const char *kind, int64_t count, const char *title_zh,
	      const char *title_en, const char *link)
{
	if (count <= 0 || l->n >= TODO_MAX)
		return;
	struct todo_item *it = &l->items[l->n++];
	str_copy(it->kind, sizeof(it->kind), kind);
	it->count = count;
	str_copy(it->title_zh, sizeof(it->title_zh), title_zh);
	str_copy(it->title_en, sizeof(it->title_en), title_en);
	str_copy(it->link, sizeof(it->link), link);
}

/* ---- locked accounts: for callers who may unlock them (user.admin over one of the
 * account's roles, the rule of account administration) ---- */

#define LOCKED_SCAN 1000 /* locked accounts looked at; more are rare and still shown as 1000 */

struct locked_job {
	const struct caller *who;
	int64_t now;
	struct {
		int64_t user_id, org_id;
	} * rows;
	int n;
	int64_t count;
};

static int locked_row(struct stmt *st, void *arg)
{
	struct locked_job *j = arg;
	if (j->n >= LOCKED_SCAN)
		return 1;
	j->rows[j->n].user_id = stmt_int64(st, 0);
	j->rows[j->n].org_id = stmt_int64(st, 1);
	j->n++;
	return 0;
}

static int locked_read(struct conn *c, void *arg)
{
	struct locked_job *j = arg;
	char today[11];
	date_today(today, sizeof(today));
	int rc = conn_each(c,
			   "SELECT u.id, r.org_id FROM app_user u JOIN role_assignment r ON r.user_id = u.id"
			   " WHERE u.locked_until > $1 ORDER BY u.id, r.org_id",
			   locked_row, j, "i", j->now);
	/* one account counts once, when any of its roles lies where the caller administers */
	int64_t counted = 0;
	for (int i = 0; !rc && i < j->n; i++) {
		if (j->rows[i].user_id == counted)
			continue;
		int64_t path[ORG_PATH_MAX];
		int n = 0;
		rc = org_path_conn(c, j->rows[i].org_id, today, path, &n);
		if (!rc && rbac_check_path(j->who, "user.admin", path, n, NULL) == 0) {
			counted = j->rows[i].user_id;
			j->count++;
		}
	}
	return rc;
}

static int todo_locked_accounts(struct app *a, const struct caller *who, struct todo_list *out)
{
	if (!rbac_permits(who, "user.admin"))
		return 0;
	struct locked_job j = {.who = who, .now = time_unix(), .rows = calloc(LOCKED_SCAN, sizeof(*j.rows))};
	if (!j.rows)
		return ERR_NOMEM;
	int rc = store_read(a->store, locked_read, &j);
	free(j.rows);
	if (rc || !j.count)
		return rc;
	char zh[200], en[200];
	snprintf(zh, sizeof(zh), "%" PRId64 " 个账号因多次输错密码被锁定，请核实后解锁", j.count);
	snprintf(en, sizeof(en), "%" PRId64 " account%s locked after wrong passwords: check and unlock",
		 j.count, j.count == 1 ? "" : "s");
	todo_add(out, "account.locked", j.count, zh, en, "/users");
	return 0;
}

/* ---- associations (科协 proper, type association) at county level or above without a
 * unified social credit code: they are legal entities and have one. For callers who
 * edit the tree: over every root for a post granting org.write (system-wide), else over
 * each subtree of an org role granting it (nested grants counted once). ---- */

struct credit_job {
	int64_t root;
	int64_t n;
};

/* per org of the walk: does it count, and do we walk below it (above county level)? */
#define MISSING "CASE WHEN o.type = $7 AND o.closed_on IS NULL AND o.credit_code IS NULL THEN 1 ELSE 0 END"
#define DEEPER  "CASE WHEN o.level IN ($3, $4, $5) THEN 1 ELSE 0 END"

static int credit_read(struct conn *c, void *arg)
{
	struct credit_job *j = arg;
	char today[11];
	date_today(today, sizeof(today));
	/* the walk descends through levels national..city and stops at counties, so a
	 * province costs a few hundred rows however many units lie below; the flags are
	 * worked out inside the walk (joining org again afterwards lets planners start from
	 * the many orgs without a credit code and probe the walk for each) */
	const struct codeset *lv = &codelist_org_level;
	return conn_row(
		c,
		"WITH RECURSIVE down(id, depth, missing, deeper) AS ("
		" SELECT o.id, 0, " MISSING ", " DEEPER " FROM org o WHERE o.level IN ($3, $4, $5, $6)"
		" AND (o.id = $1 OR ($1 = 0 AND o.id IN (SELECT org_id FROM org_parent"
		"  WHERE parent_id IS NULL AND valid_from <= $2 AND (valid_to IS NULL OR valid_to > $2))))"
		" UNION ALL"
		" SELECT p.org_id, down.depth + 1, " MISSING ", " DEEPER " FROM org_parent p"
		" JOIN down ON p.parent_id = down.id JOIN org o ON o.id = p.org_id"
		" WHERE down.deeper = 1 AND p.valid_from <= $2 AND (p.valid_to IS NULL OR p.valid_to > $2)"
		" AND o.level IN ($3, $4, $5, $6) AND down.depth < 64)"
		" SELECT COALESCE(sum(missing), 0) FROM down",
		"itttttt", "i", j->root, today, lv->items[0].code, lv->items[1].code, lv->items[2].code,
		lv->items[3].code, "association", &j->n);
}

static int todo_missing_credit_codes(struct app *a, const struct caller *who, struct todo_list *out)
{
	int64_t total = 0;
	bool everywhere = rbac_permits_system(who, "org.write");
	if (everywhere) {
		struct credit_job j = {.root = 0}; /* every root */
		int rc = store_read(a->store, credit_read, &j);
		if (rc)
			return rc;
		total = j.n;
	}
	for (int i = 0; i < who->ngrants && !everywhere; i++) {
		if (rbac_is_post(who->g[i].role) || !rbac_role_has(who->g[i].role, "org.write"))
			continue;
		/* inside another org.write grant of the caller: counted there */
		int64_t path[ORG_PATH_MAX];
		int n = 0;
		int rc = org_path(a, who->g[i].org_id, path, &n);
		if (rc)
			return rc;
		bool nested = false;
		for (int k = 0; k < who->ngrants && !nested; k++)
			for (int d = 1; d < n && !nested; d++)
				nested = k != i && path[d] == who->g[k].org_id &&
					 !rbac_is_post(who->g[k].role) &&
					 rbac_role_has(who->g[k].role, "org.write");
		if (nested)
			continue;
		struct credit_job j = {.root = who->g[i].org_id};
		rc = store_read(a->store, credit_read, &j);
		if (rc)
			return rc;
		total += j.n;
	}
	if (!total)
		return 0;
	char zh[200], en[200];
	snprintf(zh, sizeof(zh), "%" PRId64 " 个县级及以上科协尚未填写统一社会信用代码", total);
	snprintf(en, sizeof(en), "%" PRId64 " association%s at county level or above lack%s a credit code",
		 total, total == 1 ? "" : "s", total == 1 ? "s" : "");
	todo_add(out, "org.credit_code_missing", total, zh, en, "/orgs");
	return 0;
}

/* ---- the registry: one row per source, in the order the workbench lists them ---- */

static const struct {
	const char *name;
	todo_source_fn fn;
} sources[] = {
	{"account.locked", todo_locked_accounts},
	{"org.credit_code_missing", todo_missing_credit_codes},
};

int todo_collect(struct app *a, const struct caller *who, const todo_source_fn *more, size_t nmore,
		 struct todo_list *out)
{
	out->n = 0;
	for (size_t i = 0; i < sizeof(sources) / sizeof(sources[0]); i++) {
		int rc = sources[i].fn(a, who, out);
		if (rc)
			return rc;
	}
	for (size_t i = 0; i < nmore; i++) {
		int rc = more[i](a, who, out);
		if (rc)
			return rc;
	}
	return 0;
}
