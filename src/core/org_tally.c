/*
 * org_tally.c - the tree indexed for subtrees and dated counts (0014_org_index, described
 * in docs/data-model.md), its upkeep with every tree write (org_index_sync), its rebuild,
 * and subtree counts for any date.
 *
 * org_closure: for each org Y and each org A above it or Y itself, the periods [valid_from,
 *   valid_to) in which A was on Y's chain, derived from org_parent by intersecting each
 *   placement period with the periods of the parent's chain. "Y is in the subtree of X on
 *   day d" is one index probe; "the subtree of X on day d in code order" is one index range.
 * org_count: for each org A, the open orgs strictly below it by level and type, stored as
 *   changes: +1 on the day an org is open and below A, -1 on the day that ends. The changes
 *   are summed per year (gran 1), month (gran 2) and day (gran 3); the count on day d is the
 *   years before d's year + the months of that year before d's month + the days of that
 *   month up to d: a few hundred rows for the national tree, whatever the date. A change
 *   dated in the future only adds rows at its own ancestors, dated then.
 * org_counted: the level, type and dates each org's changes were computed with, so a later
 *   sync can take them back exactly (a type change, a close, a move of an ancestor).
 *
 * A sync recomputes the closure rows of a set of orgs from org_parent and writes, in one
 * statement, only the net difference of their changes (old rows with org_counted minus
 * new rows with org): moving a branch rewrites its closure rows but leaves the counts of
 * the orgs inside it alone. Every statement is the same text on SQLite and PostgreSQL.
 */
#include "core/org.h"
#include "core/org_int.h"
#include "core/nameindex.h"
#include "base/timeutil.h"
#include "base/utf8.h"
#include "store/store.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the statements of a sync, for a set `sset(id)` ---- */

/* The orgs of a sync: one org; one org and every org ever placed below it (through any
 * period; UNION stops at orgs seen, so even a corrupt cycle ends); a range of ids. */
#define SET_ONE "sset(id) AS (SELECT CAST($1 AS BIGINT))"
#define SET_BRANCH                                     \
	"sset(id) AS (SELECT CAST($1 AS BIGINT) UNION" \
	" SELECT p.org_id FROM org_parent p JOIN sset s ON p.parent_id = s.id)"
#define SET_RANGE "sset(id) AS (SELECT id FROM org WHERE id >= $1 AND id <= $2)"

/* later(a, b) and earlier(a, b) of two dates where NULL is "open-ended" for the end */
#define LATER(a, b) "CASE WHEN " a " > " b " THEN " a " ELSE " b " END"
#define EARLIER_END(a, b) \
	"CASE WHEN " a " IS NULL THEN " b " WHEN " b " IS NULL OR " a " < " b " THEN " a " ELSE " b " END"

/* up(org_id, anc_id, vf, vt, depth): the closure rows of the set, from org_parent */
#define UP_ROWS                                                                                                     \
	"up(org_id, anc_id, vf, vt, depth) AS ("                                                                    \
	" SELECT p.org_id, p.org_id, p.valid_from, p.valid_to, 0 FROM org_parent p JOIN sset ON sset.id = p.org_id" \
	" UNION ALL"                                                                                                \
	" SELECT up.org_id, p.parent_id, " LATER("p.valid_from", "up.vf") ", " EARLIER_END(                         \
		"up.vt",                                                                                            \
		"p.valid_to") ", up.depth + 1 FROM up JOIN org_parent p ON p.org_id = up.anc_id"                    \
			      " WHERE p.parent_id IS NOT NULL AND (up.vt IS NULL OR p.valid_from < up.vt)"          \
			      " AND (p.valid_to IS NULL OR p.valid_to > up.vf) AND up.depth < 64)"

/* The changes a closure row makes to its ancestor's counts: open and below from s to e. */
#define SPAN_OF(C, F, T, K)                                                      \
	"SELECT " C ".anc_id, " LATER(C "." F, K ".opened_on") ", " EARLIER_END( \
		C "." T, K ".closed_on") ", " K ".level, " K ".type"

/* Upserts the net changes of spans(anc_id, s, e, level, type, sg) into org_count. */
#define COUNT_UPSERT                                                                                      \
	", ev(anc_id, day, level, type, n) AS ("                                                          \
	" SELECT anc_id, s, level, type, sg FROM spans WHERE e IS NULL OR s < e"                          \
	" UNION ALL SELECT anc_id, e, level, type, -sg FROM spans WHERE e IS NOT NULL AND s < e)"         \
	" INSERT INTO org_count (org_id, gran, bucket, level, type, n)"                                   \
	" SELECT ev.anc_id, g.gran,"                                                                      \
	" CASE g.gran WHEN 1 THEN substr(ev.day, 1, 4) WHEN 2 THEN substr(ev.day, 1, 7) ELSE ev.day END," \
	" ev.level, ev.type, sum(ev.n)"                                                                   \
	" FROM ev CROSS JOIN (SELECT 1 AS gran UNION ALL SELECT 2 UNION ALL SELECT 3) g WHERE true"       \
	" GROUP BY 1, 2, 3, 4, 5 HAVING sum(ev.n) <> 0 ORDER BY 1, 2, 3, 4, 5" /* rows in key order */    \
	" ON CONFLICT (org_id, gran, bucket, level, type) DO UPDATE SET n = org_count.n + excluded.n"

#define SYNC_COUNTS(SET)                                                                          \
	"WITH RECURSIVE " SET ", " UP_ROWS ", spans(anc_id, s, e, level, type, sg) AS (" SPAN_OF( \
		"c", "valid_from", "valid_to",                                                    \
		"k") ", -1 FROM org_closure c JOIN sset ON sset.id = c.org_id"                    \
		     " JOIN org_counted k ON k.org_id = c.org_id WHERE c.anc_id <> c.org_id"      \
		     " UNION ALL " SPAN_OF(                                                       \
			     "u", "vf", "vt",                                                     \
			     "o") ", 1 FROM up u JOIN org o ON o.id = u.org_id WHERE u.anc_id <> u.org_id)" COUNT_UPSERT

#define SYNC_DELETE(SET) \
	"WITH RECURSIVE " SET " DELETE FROM org_closure WHERE org_id IN (SELECT id FROM sset)"

/* Inserts the rows of up (moved: the period starts after the org opened, a move on its chain) */
#define CLOSURE_INSERT                                                                                        \
	" INSERT INTO org_closure (org_id, anc_id, valid_from, valid_to, code, moved)"                        \
	" SELECT up.org_id, up.anc_id, up.vf, up.vt, o.code, CASE WHEN up.vf > o.opened_on THEN 1 ELSE 0 END" \
	" FROM up JOIN org o ON o.id = up.org_id WHERE true ON CONFLICT DO NOTHING"

#define SYNC_INSERT(SET) "WITH RECURSIVE " SET ", " UP_ROWS CLOSURE_INSERT

#define SYNC_COUNTED(SET)                                                                                           \
	"WITH RECURSIVE " SET " INSERT INTO org_counted (org_id, level, type, opened_on, closed_on)"                \
	" SELECT o.id, o.level, o.type, o.opened_on, o.closed_on FROM org o JOIN sset ON sset.id = o.id WHERE true" \
	" ON CONFLICT (org_id) DO UPDATE SET level = excluded.level, type = excluded.type,"                         \
	" opened_on = excluded.opened_on, closed_on = excluded.closed_on"

#define SYNC_NAMES(SET)                                                                                    \
	"WITH RECURSIVE " SET " SELECT o.id, o.name, o.code, CASE WHEN t.obj_id IS NULL THEN 1 ELSE 0 END" \
	" FROM org o JOIN sset ON sset.id = o.id"                                                          \
	" LEFT JOIN name_text t ON t.kind = 1 AND t.obj_id = o.id"                                         \
	" WHERE t.obj_id IS NULL OR t.name <> o.name OR t.key IS NULL OR t.key <> o.code"

static const char *const sync_one[] = {SYNC_COUNTS(SET_ONE), SYNC_DELETE(SET_ONE), SYNC_INSERT(SET_ONE),
				       SYNC_COUNTED(SET_ONE), SYNC_NAMES(SET_ONE)};
static const char *const sync_branch[] = {SYNC_COUNTS(SET_BRANCH), SYNC_DELETE(SET_BRANCH),
					  SYNC_INSERT(SET_BRANCH), SYNC_COUNTED(SET_BRANCH),
					  SYNC_NAMES(SET_BRANCH)};
static const char *const sync_range[] = {SYNC_COUNTS(SET_RANGE), SYNC_DELETE(SET_RANGE),
					 SYNC_INSERT(SET_RANGE), SYNC_COUNTED(SET_RANGE),
					 SYNC_NAMES(SET_RANGE)};

static void bind_set(struct stmt *st, int64_t a, int64_t b, bool range)
{
	stmt_bind_int64(st, 1, a);
	if (range)
		stmt_bind_int64(st, 2, b);
}

/* Re-indexes the names of the set that changed, one by one, and adds those never indexed
 * (a bulk import's new orgs) in pages of multi-row inserts. */
static int sync_names(struct conn *c, const char *sql, int64_t a, int64_t b, bool range)
{
	struct stmt *st = NULL;
	struct pending {
		int64_t id;
		char *name, *code;
		bool fresh;
	} *todo = NULL;
	size_t n = 0, cap = 0, nfresh = 0;
	int rc = conn_prepare(c, sql, &st);
	if (rc)
		return rc;
	bind_set(st, a, b, range);
	/* collected first: the statement's rows must not be read while the index is written */
	while ((rc = stmt_step(st)) == STORE_ROW) {
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 16;
			struct pending *t = realloc(todo, nc * sizeof(*t));
			if (!t) {
				rc = ERR_NOMEM;
				break;
			}
			todo = t;
			cap = nc;
		}
		todo[n].id = stmt_int64(st, 0);
		todo[n].name = strdup(stmt_text(st, 1, NULL));
		todo[n].code = strdup(stmt_text(st, 2, NULL));
		todo[n].fresh = stmt_int64(st, 3) == 1;
		nfresh += todo[n].fresh;
		n++;
		if (!todo[n - 1].name || !todo[n - 1].code) {
			rc = ERR_NOMEM;
			break;
		}
	}
	stmt_done(st);
	rc = rc < 0 ? rc : 0;
	for (size_t i = 0; !rc && i < n; i++)
		if (!todo[i].fresh || nfresh < 8)
			rc = nameindex_set(c, NX_ORG, todo[i].id, todo[i].name, todo[i].code);
	if (!rc && nfresh >= 8) {
		int64_t *ids = malloc(nfresh * sizeof(*ids));
		char **names = malloc(nfresh * sizeof(*names)), **codes = malloc(nfresh * sizeof(*codes));
		size_t k = 0;
		rc = ids && names && codes ? 0 : ERR_NOMEM;
		for (size_t i = 0; !rc && i < n; i++)
			if (todo[i].fresh) {
				ids[k] = todo[i].id;
				names[k] = todo[i].name;
				codes[k++] = todo[i].code;
			}
		if (!rc)
			rc = nameindex_add(c, NX_ORG, (int)k, ids, names, codes);
		free(ids);
		free(names);
		free(codes);
	}
	for (size_t i = 0; i < n; i++) {
		free(todo[i].name);
		free(todo[i].code);
	}
	free(todo);
	return rc;
}

static int sync_run(struct conn *c, const char *const sql[5], int64_t a, int64_t b, bool range)
{
	int rc = 0;
	for (int i = 0; rc >= 0 && i < 4; i++)
		rc = range ? conn_run(c, sql[i], "ii", a, b) : conn_run(c, sql[i], "i", a);
	return rc < 0 ? rc : sync_names(c, sql[4], a, b, range);
}

int org_index_sync(struct conn *c, int64_t id, bool branch)
{
	return sync_run(c, branch ? sync_branch : sync_one, id, 0, false);
}

int org_index_sync_range(struct conn *c, int64_t first_id, int64_t last_id)
{
	return first_id > last_id ? 0 : sync_run(c, sync_range, first_id, last_id, true);
}

/* ---- rebuild ---- */

static const char *const rebuild_sql[] = {
	"DELETE FROM org_count",
	"DELETE FROM org_closure",
	"DELETE FROM org_counted",
	"WITH RECURSIVE sset(id) AS (SELECT id FROM org), " UP_ROWS CLOSURE_INSERT,
	"INSERT INTO org_counted (org_id, level, type, opened_on, closed_on)"
	" SELECT id, level, type, opened_on, closed_on FROM org",
	"WITH spans(anc_id, s, e, level, type, sg) AS (" SPAN_OF(
		"c", "valid_from", "valid_to",
		"k") ", 1 FROM org_closure c JOIN org_counted k ON k.org_id = c.org_id WHERE c.anc_id <> c.org_id)" COUNT_UPSERT,
};

int org_index_rebuild_conn(struct conn *c)
{
	int rc = 0;
	for (size_t i = 0; rc >= 0 && i < sizeof(rebuild_sql) / sizeof(rebuild_sql[0]); i++)
		rc = conn_run(c, rebuild_sql[i], "");
	return rc < 0 ? rc
		      : nameindex_rebuild(
				c, NX_ORG,
				"SELECT id, name, code FROM org WHERE id > $1 ORDER BY id LIMIT $2");
}

static int rebuild_tx(struct conn *c, void *arg)
{
	(void)arg;
	return org_index_rebuild_conn(c);
}

int org_tally_rebuild(struct app *a)
{
	return store_tx(a->store, rebuild_tx, NULL);
}

/* ---- counts ---- */

static void count_add(struct org_counts *out, const char *level, const char *type, int64_t n)
{
	int k = codeset_index(&codelist_org_level, level);
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

int org_counts_conn(struct conn *c, int64_t root, const char *d, struct org_counts *out)
{
	char year[5], year0[8], month[8], month0[11];
	memset(out, 0, sizeof(*out));
	if (!date_valid(d))
		return ERR_INVALID;
	snprintf(year, sizeof(year), "%.4s", d);
	snprintf(year0, sizeof(year0), "%.4s-01", d);
	snprintf(month, sizeof(month), "%.7s", d);
	snprintf(month0, sizeof(month0), "%.7s-01", d);
	struct stmt *st = NULL;
	/* below the root from the dated counts; the root itself from its own row */
	int rc = conn_prepare(
		c,
		"SELECT level, type, sum(n) FROM ("
		" SELECT level, type, n FROM org_count WHERE org_id = $1 AND gran = 1 AND bucket < $2"
		" UNION ALL SELECT level, type, n FROM org_count WHERE org_id = $1 AND gran = 2"
		" AND bucket >= $3 AND bucket < $4"
		" UNION ALL SELECT level, type, n FROM org_count WHERE org_id = $1 AND gran = 3"
		" AND bucket >= $5 AND bucket <= $6"
		" UNION ALL SELECT level, type, 1 FROM org WHERE id = $1 AND opened_on <= $6"
		" AND (closed_on IS NULL OR closed_on > $6)) x GROUP BY level, type",
		&st);
	if (rc)
		return rc;
	stmt_bind_int64(st, 1, root);
	stmt_bind_text(st, 2, year, strlen(year));
	stmt_bind_text(st, 3, year0, strlen(year0));
	stmt_bind_text(st, 4, month, strlen(month));
	stmt_bind_text(st, 5, month0, strlen(month0));
	stmt_bind_text(st, 6, d, strlen(d));
	while ((rc = stmt_step(st)) == STORE_ROW) {
		int64_t n = stmt_int64(st, 2);
		if (n > 0)
			count_add(out, stmt_text(st, 0, NULL), stmt_text(st, 1, NULL), n);
	}
	stmt_done(st);
	out->from_tally = true;
	return rc < 0 ? rc : 0;
}

/* Orgs counted for (root, d) that the caller does not see today (issue 8 case 4: lists for
 * another date show only what the caller sees today): only orgs whose place below root
 * differs between d and today can be among them (the rest are below root today, and root is
 * seen), so only the closure rows below root that end between d and today, or start
 * between today and d, are checked, through two small partial indexes. */
#define UNSEEN_COUNT(DATES)                                                                             \
	"SELECT k.level, k.type, count(*) FROM org_closure x JOIN org_counted k ON k.org_id = x.org_id" \
	" WHERE x.anc_id = $1 AND x.org_id <> $1 AND " DATES                                            \
	" AND k.opened_on <= $2 AND (k.closed_on IS NULL OR k.closed_on > $2)"                          \
	" AND NOT " ORG_SEEN_SQL("x.org_id", "$3", "$4", "$5") " GROUP BY k.level, k.type"
static const char unseen_past[] = UNSEEN_COUNT(
	"x.valid_to IS NOT NULL AND x.valid_to > $2 AND x.valid_to <= $5 AND x.valid_from <= $2");
static const char unseen_future[] = UNSEEN_COUNT(
	"x.moved = 1 AND x.valid_from > $5 AND x.valid_from <= $2 AND (x.valid_to IS NULL OR x.valid_to > $2)");

int org_subtree_counts(struct app *a, int64_t root, const char *as_of, struct org_counts *out)
{
	return org_subtree_counts_seen(a, root, as_of, NULL, out);
}

int org_subtree_counts_seen(struct app *a, int64_t root, const char *as_of, const struct rbac_seen *seen,
			    struct org_counts *out)
{
	char today[11];
	const char *d = org_date_or_today(as_of, today);
	org_today(today);
	struct conn *c = NULL;
	struct stmt *st = NULL;
	int rc = store_acquire(a->store, STORE_READ, &c);
	if (rc)
		return rc;
	rc = conn_read_begin(c);
	if (!rc)
		rc = org_counts_conn(c, root, d, out);
	/* scope (issue 8 case 4): as of another day, count only what the caller sees today */
	if (!rc && org_seen_needed(seen, d)) {
		rc = conn_prepare(c, strcmp(d, today) < 0 ? unseen_past : unseen_future, &st);
		if (!rc) {
			stmt_bind_int64(st, 1, root);
			stmt_bind_text(st, 2, d, strlen(d));
			org_seen_bind(st, 3, seen);
			while ((rc = stmt_step(st)) == STORE_ROW)
				count_add(out, stmt_text(st, 0, NULL), stmt_text(st, 1, NULL),
					  -stmt_int64(st, 2));
			rc = rc < 0 ? rc : 0;
		}
		stmt_done(st);
		/* types counted to nothing are not listed, as before */
		int k = 0;
		for (int i = 0; i < out->ntypes; i++)
			if (out->by_type[i].n > 0)
				out->by_type[k++] = out->by_type[i];
		out->ntypes = k;
	}
	/* end of scope (case 4) */
	store_release(c);
	return rc;
}
