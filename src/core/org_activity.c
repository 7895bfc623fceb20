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

/* Below this many open orgs (root's dated counts today) a subtree is walked whole. */
#define SMALL_SUBTREE 2000

static int subtree_size(struct conn *c, int64_t root, int64_t *n)
{
	char today[11];
	struct org_counts k;
	*n = 0;
	int rc = org_counts_conn(c, root, org_date_or_today(NULL, today), &k);
	if (!rc)
		*n = k.total;
	return rc;
}

struct year_job {
	int64_t root;
	char today[11], first[11], last[11];
	struct org_year *out;
};

/* `is_below(x)`: org x is root ($1) or below it in today's tree ($2), walking up from x
 * at most 64 steps. Used per event, so the cost follows the year's events, not the
 * subtree's size. */
#define BELOW_ROOT(x)                                                                     \
	" EXISTS (WITH RECURSIVE up(id, depth) AS (SELECT " x ", 0 UNION ALL"             \
	" SELECT p.parent_id, up.depth + 1 FROM org_parent p JOIN up ON p.org_id = up.id" \
	" WHERE p.valid_from <= $2 AND (p.valid_to IS NULL OR p.valid_to > $2)"           \
	" AND p.parent_id IS NOT NULL AND up.depth < 64) SELECT 1 FROM up WHERE up.id = $1)"

/* A small subtree: one walk of it counts everything. */
static const char year_by_walk[] = ORG_SUBTREE_CTE
	" SELECT count(CASE WHEN o.opened_on >= $3 AND o.opened_on <= $4 THEN 1 END),"
	" count(CASE WHEN o.closed_on >= $3 AND o.closed_on <= $4 THEN 1 END),"
	" (SELECT count(*) FROM org_closed_period k WHERE k.closed_on >= $3 AND k.closed_on <= $4 AND" BELOW_ROOT(
		"k.org_id") "),"
			    " (SELECT count(*) FROM org_closed_period k WHERE k.reopened_on >= $3 AND k.reopened_on <= $4 AND" BELOW_ROOT(
				    "k.org_id") ")"
						" FROM down JOIN org o ON o.id = down.id";

/* A large subtree in a quiet year: the year's events (by the opened_on / closed_on
 * indexes), each tested for lying below root. */
static const char year_by_events[] =
	"SELECT (SELECT count(*) FROM org o WHERE o.opened_on >= $3 AND o.opened_on <= $4 AND" BELOW_ROOT(
		"o.id") "),"
			" (SELECT count(*) FROM org o WHERE o.closed_on >= $3 AND o.closed_on <= $4 AND" BELOW_ROOT(
				"o.id") "),"
					" (SELECT count(*) FROM org_closed_period k WHERE k.closed_on >= $3 AND k.closed_on <= $4 AND" BELOW_ROOT(
						"k.org_id") "),"
							    " (SELECT count(*) FROM org_closed_period k WHERE k.reopened_on >= $3 AND k.reopened_on <= $4 AND" BELOW_ROOT(
								    "k.org_id") ")";

static int year_read(struct conn *c, void *arg)
{
	struct year_job *j = arg;
	int64_t size = 0, events = 0;
	int rc = subtree_size(c, j->root, &size);
	if (!rc)
		rc = conn_row(c,
			      "SELECT (SELECT count(*) FROM org WHERE opened_on >= $1 AND opened_on <= $2)"
			      " + (SELECT count(*) FROM org WHERE closed_on >= $1 AND closed_on <= $2)",
			      "tt", "i", j->first, j->last, &events);
	if (rc)
		return rc;
	int64_t closed_now = 0, closed_before = 0;
	rc = conn_row(c, size <= events ? year_by_walk : year_by_events, "ittt", "iiii", j->root, j->today,
		      j->first, j->last, &j->out->opened, &closed_now, &closed_before, &j->out->reopened);
	j->out->closed = closed_now + closed_before;
	return rc;
}

int org_year_stats(struct app *a, int64_t root, int year, struct org_year *out)
{
	struct year_job j = {.root = root, .out = out};
	memset(out, 0, sizeof(*out));
	if (year < 1800 || year > 9999)
		return ERR_INVALID;
	org_today(j.today);
	snprintf(j.first, sizeof(j.first), "%04d-01-01", year);
	snprintf(j.last, sizeof(j.last), "%04d-12-31", year);
	return store_read(a->store, year_read, &j);
}

/* Reopenings dated on the closing day leave no org_closed_period row, so yearly "reopened"
 * counts only reopenings after closed days; the audit trail has every one. */

#define CHANGE_COLS                                                         \
	" SELECT l.seq, l.at, l.action, l.object_id, o.id, o.code, o.name," \
	" COALESCE(u.login, l.via), l.detail FROM audit_log l"              \
	" JOIN org o ON o.id = l.org_id LEFT JOIN app_user u ON u.id = l.user_id"

/* Small subtrees: the org records of each org, found by the (object_type, object_id)
 * index, newest first. */
static const char changes_in_subtree[] = ORG_SUBTREE_CTE CHANGE_COLS
	" WHERE l.object_type = 'org' AND l.object_id IN (SELECT CAST(id AS TEXT) FROM down)"
	" ORDER BY l.seq DESC LIMIT $3";

/* Large subtrees: the latest org records, newest first, each kept when root is on the
 * chain above its org (at most 64 steps up), the walk bounded at $4 records. */
static const char changes_by_ancestry[] =
	"WITH recent AS (SELECT seq FROM audit_log WHERE object_type = 'org' AND org_id IS NOT NULL"
	" ORDER BY seq DESC LIMIT $4)" CHANGE_COLS
	" WHERE l.seq IN (SELECT seq FROM recent) AND" BELOW_ROOT("l.org_id") " ORDER BY l.seq DESC LIMIT $3";

struct changes_job {
	int64_t root;
	int limit;
	int (*fn)(const struct org_change *ch, void *arg);
	void *arg;
};

static int change_row(struct stmt *st, void *arg)
{
	struct changes_job *j = arg;
	struct org_change ch = {
		.seq = stmt_int64(st, 0),
		.at = stmt_text(st, 1, NULL),
		.action = stmt_text(st, 2, NULL),
		.object_id = stmt_text(st, 3, NULL),
		.org_id = stmt_int64(st, 4),
		.org_code = stmt_text(st, 5, NULL),
		.org_name = stmt_text(st, 6, NULL),
		.actor = stmt_text(st, 7, NULL),
		.detail = stmt_text(st, 8, NULL),
	};
	return j->fn(&ch, j->arg);
}

static int changes_read(struct conn *c, void *arg)
{
	struct changes_job *j = arg;
	char today[11];
	org_today(today);
	int64_t size = 0;
	int rc = subtree_size(c, j->root, &size);
	if (rc && rc != ERR_NOTFOUND)
		return rc;
	if (size < SMALL_SUBTREE)
		return conn_each(c, changes_in_subtree, change_row, j, "itd", j->root, today, j->limit);
	return conn_each(c, changes_by_ancestry, change_row, j, "itdd", j->root, today, j->limit,
			 ORG_CHANGES_SCAN);
}

int org_changes(struct app *a, int64_t root, int limit, int (*fn)(const struct org_change *ch, void *arg),
		void *arg)
{
	struct changes_job j = {.root = root, .limit = limit > 0 ? limit : 20, .fn = fn, .arg = arg};
	return store_read(a->store, changes_read, &j);
}
