/*
 * org_tally.c - open organizations per subtree by level and type: the tally kept with every
 * write (0008_org_tally.sql), its rebuild, and subtree counts for a date.
 */
#include "core/org.h"
#include "core/org_int.h"
#include "core/rbac.h"
#include "core/codes.h"
#include "base/timeutil.h"
#include "base/utf8.h"
#include "store/store.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- org_tally: open orgs per subtree by level and type (see 0008_org_tally.sql) ---- */

/* Adds delta to (level, type) at org `from` and every org above it in the latest tree. */
int org_tally_add(struct conn *c, int64_t from, const char *level, const char *type, int64_t delta)
{
	if (!from || !delta)
		return 0;
	struct stmt *st = NULL;
	int rc = conn_prepare(c,
			      "WITH RECURSIVE up(id, depth) AS ("
			      " SELECT CAST($1 AS BIGINT), 0 UNION ALL"
			      " SELECT p.parent_id, up.depth + 1 FROM org_parent p JOIN up ON p.org_id = up.id"
			      " WHERE p.valid_to IS NULL AND p.parent_id IS NOT NULL AND up.depth < 64)"
			      " INSERT INTO org_tally (org_id, level, type, n)"
			      " SELECT id, CAST($2 AS TEXT), CAST($3 AS TEXT), CAST($4 AS BIGINT) FROM up WHERE true"
			      " ON CONFLICT (org_id, level, type) DO UPDATE SET n = org_tally.n + excluded.n",
			      &st);
	if (rc)
		return rc;
	stmt_bind_int64(st, 1, from);
	stmt_bind_text(st, 2, level, strlen(level));
	stmt_bind_text(st, 3, type, strlen(type));
	stmt_bind_int64(st, 4, delta);
	rc = stmt_step(st);
	stmt_done(st);
	return rc < 0 ? rc : 0;
}

/* Moves the open subtree of id (its own tally rows) from below old_parent to below
 * new_parent (either may be 0 for none), or takes it away when closing. */
int org_tally_shift(struct conn *c, int64_t id, int64_t old_parent, int64_t new_parent)
{
	struct stmt *st = NULL;
	struct {
		char level[16], type[33];
		int64_t n;
	} rows[64];
	int n = 0;
	int rc = conn_prepare(c, "SELECT level, type, n FROM org_tally WHERE org_id = $1 AND n <> 0", &st);
	if (rc)
		return rc;
	stmt_bind_int64(st, 1, id);
	while ((rc = stmt_step(st)) == STORE_ROW && n < 64) {
		str_copy(rows[n].level, sizeof(rows[n].level), stmt_text(st, 0, NULL));
		str_copy(rows[n].type, sizeof(rows[n].type), stmt_text(st, 1, NULL));
		rows[n].n = stmt_int64(st, 2);
		n++;
	}
	stmt_done(st);
	if (rc < 0)
		return rc;
	for (int i = 0; !rc && i < n; i++) {
		rc = org_tally_add(c, old_parent, rows[i].level, rows[i].type, -rows[i].n);
		if (!rc)
			rc = org_tally_add(c, new_parent, rows[i].level, rows[i].type, rows[i].n);
	}
	return rc;
}

int org_tally_rebuild(struct app *a)
{
	struct conn *c = NULL;
	int rc = store_acquire(a->store, STORE_WRITE, &c);
	if (rc)
		return rc;
	rc = conn_begin(c);
	if (!rc)
		rc = conn_exec(c, "DELETE FROM org_tally");
	if (!rc)
		rc = conn_exec(c,
			       "WITH RECURSIVE up(org_id, anc, depth) AS ("
			       " SELECT o.id, o.id, 0 FROM org o WHERE o.closed_on IS NULL"
			       " UNION ALL"
			       " SELECT up.org_id, p.parent_id, up.depth + 1 FROM up"
			       " JOIN org_parent p ON p.org_id = up.anc AND p.valid_to IS NULL"
			       " WHERE p.parent_id IS NOT NULL AND up.depth < 64)"
			       " INSERT INTO org_tally (org_id, level, type, n)"
			       " SELECT up.anc, o.level, o.type, count(*) FROM up JOIN org o ON o.id = up.org_id"
			       " GROUP BY up.anc, o.level, o.type");
	rc = rc ? (conn_rollback(c), rc) : conn_commit(c);
	store_release(c);
	return rc;
}

static void count_add(struct org_counts *out, const char *level, const char *type, int64_t n)
{
	int k = org_level_index(level);
	if (k >= 0)
		out->by_level[k] += n;
	out->total += n;
	for (int i = 0; i < out->ntypes; i++)
		if (!strcmp(out->by_type[i].type, type)) {
			out->by_type[i].n += n;
			return;
		}
	if (out->ntypes < ORG_COUNT_TYPES) {
		str_copy(out->by_type[out->ntypes].type, sizeof(out->by_type[0].type), type);
		out->by_type[out->ntypes++].n = n;
	}
}

/* Is anything in the tree dated after `day` (a future opening, closing or move)? Then the
 * tally, which has every recorded change applied, is not the tree of that day. */
static int future_changes(struct conn *c, const char *day, bool *yes)
{
	struct stmt *st = NULL;
	int rc = conn_prepare(c,
			      "SELECT 1 WHERE EXISTS (SELECT 1 FROM org_parent WHERE valid_from > $1)"
			      " OR EXISTS (SELECT 1 FROM org WHERE opened_on > $1)"
			      " OR EXISTS (SELECT 1 FROM org WHERE closed_on > $1)",
			      &st);
	if (rc)
		return rc;
	stmt_bind_text(st, 1, day, strlen(day));
	rc = stmt_step(st);
	*yes = rc == STORE_ROW;
	stmt_done(st);
	return rc < 0 ? rc : 0;
}

int org_subtree_counts(struct app *a, int64_t root, const char *as_of, struct org_counts *out)
{
	return org_subtree_counts_seen(a, root, as_of, NULL, out);
}

int org_subtree_counts_seen(struct app *a, int64_t root, const char *as_of, const struct rbac_seen *seen,
			    struct org_counts *out)
{
	char today[11];
	org_today(today);
	const char *d = as_of && *as_of ? as_of : today;
	memset(out, 0, sizeof(*out));
	struct conn *c = NULL;
	struct stmt *st = NULL;
	int rc = store_acquire(a->store, STORE_READ, &c);
	if (rc)
		return rc;
	bool future = true;
	if (!strcmp(d, today))
		rc = future_changes(c, today, &future);
	out->from_tally = !rc && !future;
	/* scope (issue 8 case 4): as of another day, count only what the caller sees today */
	bool filter = org_seen_needed(seen, d);
#define WALK_SQL                                                                                   \
	ORG_SUBTREE_CTE " SELECT o.level, o.type, count(*) FROM down JOIN org o ON o.id = down.id" \
	" WHERE o.opened_on <= $2 AND (o.closed_on IS NULL OR o.closed_on > $2)"
	if (!rc)
		rc = conn_prepare(c,
				  out->from_tally
					  ? "SELECT level, type, n FROM org_tally WHERE org_id = $1 AND n > 0"
					    " AND CAST($2 AS TEXT) IS NOT NULL"
				  : filter ? WALK_SQL " AND " ORG_SEEN_SQL("o.id", "$3", "$4", "$5") " GROUP BY o.level, o.type"
					   : WALK_SQL " GROUP BY o.level, o.type",
				  &st);
	if (!rc) {
		stmt_bind_int64(st, 1, root);
		stmt_bind_text(st, 2, d, strlen(d));
		if (filter && !out->from_tally)
			org_seen_bind(st, 3, seen);
		/* end of scope (case 4) */
		while ((rc = stmt_step(st)) == STORE_ROW)
			count_add(out, stmt_text(st, 0, NULL), stmt_text(st, 1, NULL), stmt_int64(st, 2));
		rc = rc < 0 ? rc : 0;
	}
	stmt_done(st);
	store_release(c);
	return rc;
}
