/*
 * org_activity.c - what happened in a subtree, for the workbench (see org.h): orgs opened,
 * closed and reopened in a year, and the most recent audit records about its orgs.
 *
 * Both read today's tree (the one access is judged on): a closed org keeps its placement,
 * so it is still found under its parent.
 */
#include "core/org.h"
#include "core/org_int.h"
#include "store/store.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

int org_year_stats(struct app *a, int64_t root, int year, struct org_year *out)
{
	char today[11], first[11], last[11];
	memset(out, 0, sizeof(*out));
	if (year < 1800 || year > 9999)
		return ERR_INVALID;
	org_today(today);
	snprintf(first, sizeof(first), "%04d-01-01", year);
	snprintf(last, sizeof(last), "%04d-12-31", year);
	struct conn *c = NULL;
	struct stmt *st = NULL;
	int rc = store_acquire(a->store, STORE_READ, &c);
	if (rc)
		return rc;
	/* one walk of the subtree; closures are the current one plus those reopened from */
	rc = conn_prepare(c,
			  ORG_SUBTREE_CTE
			  " SELECT"
			  " (SELECT count(*) FROM down JOIN org o ON o.id = down.id"
			  "  WHERE o.opened_on >= $3 AND o.opened_on <= $4),"
			  " (SELECT count(*) FROM down JOIN org o ON o.id = down.id"
			  "  WHERE o.closed_on >= $3 AND o.closed_on <= $4)"
			  " + (SELECT count(*) FROM down JOIN org_closure k ON k.org_id = down.id"
			  "  WHERE k.closed_on >= $3 AND k.closed_on <= $4),"
			  " (SELECT count(*) FROM down JOIN org_closure k ON k.org_id = down.id"
			  "  WHERE k.reopened_on >= $3 AND k.reopened_on <= $4)",
			  &st);
	if (!rc) {
		stmt_bind_int64(st, 1, root);
		stmt_bind_text(st, 2, today, strlen(today));
		stmt_bind_text(st, 3, first, strlen(first));
		stmt_bind_text(st, 4, last, strlen(last));
		rc = stmt_step(st);
		if (rc == STORE_ROW) {
			out->opened = stmt_int64(st, 0);
			out->closed = stmt_int64(st, 1);
			out->reopened = stmt_int64(st, 2);
			rc = 0;
		} else if (rc == STORE_DONE) {
			rc = ERR_DB;
		}
	}
	stmt_done(st);
	store_release(c);
	return rc;
}

/* Reopenings dated on the closing day leave no org_closure row, so yearly "reopened"
 * counts only reopenings after closed days; the audit trail has every one. */

#define CHANGE_COLS                                                                        \
	" SELECT l.seq, l.at, l.action, l.object_id, o.id, o.code, o.name,"               \
	" COALESCE(u.login, l.via), l.detail FROM audit_log l"                            \
	" JOIN org o ON o.id = l.org_id LEFT JOIN app_user u ON u.id = l.user_id"

/* Small subtrees: the org records of each org, found by the (object_type, object_id)
 * index, newest first. */
static const char changes_in_subtree[] =
	ORG_SUBTREE_CTE CHANGE_COLS
	" WHERE l.object_type = 'org' AND l.object_id IN (SELECT CAST(id AS TEXT) FROM down)"
	" ORDER BY l.seq DESC LIMIT $3";

/* Large subtrees: the latest org records, newest first, each kept when root is on the
 * chain above its org (at most 64 steps up), the walk bounded at $4 records. */
static const char changes_by_ancestry[] =
	"WITH recent AS (SELECT seq FROM audit_log WHERE object_type = 'org' AND org_id IS NOT NULL"
	" ORDER BY seq DESC LIMIT $4)"
	CHANGE_COLS
	" WHERE l.seq IN (SELECT seq FROM recent) AND EXISTS ("
	"  WITH RECURSIVE up(id, depth) AS (SELECT l.org_id, 0 UNION ALL"
	"   SELECT p.parent_id, up.depth + 1 FROM org_parent p JOIN up ON p.org_id = up.id"
	"   WHERE p.valid_from <= $2 AND (p.valid_to IS NULL OR p.valid_to > $2)"
	"   AND p.parent_id IS NOT NULL AND up.depth < 64)"
	"  SELECT 1 FROM up WHERE up.id = $1)"
	" ORDER BY l.seq DESC LIMIT $3";

/* Below this many open orgs (the tally of root) a subtree is walked whole. */
#define SMALL_SUBTREE 2000

static int subtree_size(struct conn *c, int64_t root, int64_t *n)
{
	struct stmt *st = NULL;
	*n = 0;
	int rc = conn_prepare(c, "SELECT COALESCE(sum(n), 0) FROM org_tally WHERE org_id = $1", &st);
	if (rc)
		return rc;
	stmt_bind_int64(st, 1, root);
	if ((rc = stmt_step(st)) == STORE_ROW)
		*n = stmt_int64(st, 0);
	stmt_done(st);
	return rc < 0 ? rc : 0;
}

int org_changes(struct app *a, int64_t root, int limit, int (*fn)(const struct org_change *ch, void *arg),
		void *arg)
{
	char today[11];
	org_today(today);
	struct conn *c = NULL;
	struct stmt *st = NULL;
	int64_t size = 0;
	int rc = store_acquire(a->store, STORE_READ, &c);
	if (rc)
		return rc;
	rc = subtree_size(c, root, &size);
	bool small = size < SMALL_SUBTREE;
	if (!rc)
		rc = conn_prepare(c, small ? changes_in_subtree : changes_by_ancestry, &st);
	if (rc)
		goto done;
	stmt_bind_int64(st, 1, root);
	stmt_bind_text(st, 2, today, strlen(today));
	stmt_bind_int64(st, 3, limit > 0 ? limit : 20);
	if (!small)
		stmt_bind_int64(st, 4, ORG_CHANGES_SCAN);
	while ((rc = stmt_step(st)) == STORE_ROW) {
		struct org_change ch = {
			.seq = stmt_int64(st, 0), .at = stmt_text(st, 1, NULL), .action = stmt_text(st, 2, NULL),
			.object_id = stmt_text(st, 3, NULL), .org_id = stmt_int64(st, 4),
			.org_code = stmt_text(st, 5, NULL), .org_name = stmt_text(st, 6, NULL),
			.actor = stmt_text(st, 7, NULL), .detail = stmt_text(st, 8, NULL),
		};
		int stop = fn(&ch, arg);
		if (stop) {
			rc = stop;
			goto done;
		}
	}
	rc = rc < 0 ? rc : 0;
done:
	stmt_done(st);
	store_release(c);
	return rc;
}
