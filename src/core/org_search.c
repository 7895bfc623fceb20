/*
 * org_search.c - finding organizations within a subtree by code prefix, name part or pinyin
 * (see org.h), at national scale without walking the tree.
 *
 * The subtree comes from org_closure (org_tally.c): "in the subtree of X on day d" is an
 * index probe, and the subtree of X on day d in code order is one index range. What q
 * matches comes from the name index (nameindex.h): candidates from the rarest bigram of q,
 * the pinyin vocabulary and the code keys. Two plans, chosen per query from the index's
 * own counts:
 *
 *  - candidates: the index's candidates, each probed for the subtree, date and filters, then
 *    sorted by code. Costs about the number of candidates (宝宜: a few hundred).
 *  - subtree walk: the subtree in code order, each org checked, until the page is full.
 *    Costs about page size x (orgs in the subtree / matches in it), at most the subtree
 *    (科协 under the national root: a little over a page).
 *
 * Every match is decided by the same predicates as before (code LIKE 'q%', name LIKE '%q%'
 * with the database's own LIKE), so the index only ever narrows what is read; the pinyin
 * matches are new (nameindex.h says what they are), checked in SQL by a necessary
 * condition and decided here.
 */
#include "core/org.h"
#include "core/org_int.h"
#include "core/nameindex.h"
#include "base/timeutil.h"
#include "store/store.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * The statements. $1 under, $2 date, $3 include_closed, $4 'q%' (NULL: no q), $5 '%q%',
 * $6 level, $7 type, $8 after (code), $9 limit, $10..$12 the caller's view (SEEN); with
 * pinyin also $13 '%letters%' against the initials (exact) and $14 against the pinyin
 * (necessary). The last column says whether the row matched without the pinyin (then
 * nothing is left to decide).
 */
#define SEARCH_COLS(O)                                                                           \
	"SELECT " O ".id, " O ".code, " O ".name, " O ".short_name, " O ".level, " O ".type, " O \
	".region_code, " O ".credit_code, " O ".contact, " O ".opened_on, " O ".closed_on, " O   \
	".version," ORG_PARENT_ID_SQL(O) "," ORG_PARENT_NAME_SQL(O) ", "

#define EXACT_PLAIN(O) \
	"(CAST($4 AS TEXT) IS NULL OR " O ".code LIKE $4 ESCAPE '\\' OR " O ".name LIKE $5 ESCAPE '\\')"
#define EXACT_PINYIN(O, T)                                                                              \
	"(CAST($4 AS TEXT) IS NULL OR " O ".code LIKE $4 ESCAPE '\\' OR " O ".name LIKE $5 ESCAPE '\\'" \
	" OR " T ".ini LIKE $13)"
#define MATCH_PINYIN(O, T) "(" EXACT_PINYIN(O, T) " OR " T ".py LIKE $14)"

/* scope (issue 8 case 4): as of another day, only what the caller sees today ($10 user,
 * $11 roles, $12 today; $10 NULL: no such rule). An org whose closure row below `under` is
 * valid today too is below `under` today and so seen; only the others are checked. */
#define SEEN(X)                                                                                           \
	" AND (CAST($10 AS BIGINT) IS NULL OR (" X ".valid_from <= $12 AND (" X ".valid_to IS NULL OR " X \
	".valid_to > $12)) OR " ORG_SEEN_SQL("o.id", "$10", "$11", "$12") ")"
/* end of scope (case 4) */

#define FILTERS                                                                                               \
	" AND o.opened_on <= $2 AND ($3 = 1 OR o.closed_on IS NULL OR o.closed_on > $2)"                      \
	" AND (CAST($6 AS TEXT) IS NULL OR o.level = $6) AND (CAST($7 AS TEXT) IS NULL OR o.type = $7)" SEEN( \
		"x")

#define IN_SUBTREE(X) \
	X ".anc_id = $1 AND " X ".valid_from <= $2 AND (" X ".valid_to IS NULL OR " X ".valid_to > $2)"
/* the same as a probe per candidate: "+ 0" keeps any planner (PostgreSQL's generic plans
 * estimate every subtree at the average size) from scanning the whole subtree instead of
 * reading each candidate's few closure rows by org_id */
#define IS_BELOW(X) \
	X ".anc_id + 0 = $1 AND " X ".valid_from <= $2 AND (" X ".valid_to IS NULL OR " X ".valid_to > $2)"

#define TEXT_JOIN " LEFT JOIN name_text t ON t.kind = 1 AND t.obj_id = o.id"

/* the subtree in code order. CROSS JOIN fixes the join order on SQLite (the table on its left
 * is read first); PostgreSQL plans it as a plain join, reading the index in order for the
 * LIMIT. */
static const char walk_plain[] = SEARCH_COLS("o") "CASE WHEN " EXACT_PLAIN(
	"o") " THEN 1 ELSE 0 END"
	     " FROM org_closure x CROSS JOIN org o"
	     " WHERE " IN_SUBTREE("x") " AND x.code > $8 AND o.id = x.org_id" FILTERS
				       " AND " EXACT_PLAIN("o") " ORDER BY x.code LIMIT $9";
static const char walk_pinyin[] = SEARCH_COLS("o") "CASE WHEN " EXACT_PINYIN(
	"o", "t") " THEN 1 ELSE 0 END"
		  " FROM org_closure x CROSS JOIN org o" TEXT_JOIN
		  " WHERE " IN_SUBTREE("x") " AND x.code > $8 AND o.id = x.org_id" FILTERS
					    " AND " MATCH_PINYIN("o", "t") " ORDER BY x.code LIMIT $9";

/*
 * The index's candidates (their subquery is appended at run time, its parameters after
 * ours), each probed by id for the subtree, the date, the filters and the match, then
 * sorted by code. The one place the dialects need different text: the candidates must be
 * read first and every org, closure and name row fetched by key.
 *  - SQLite: CROSS JOIN reads the candidates first.
 *  - PostgreSQL: its default costs price a few hundred key lookups above a parallel scan of
 *    every org and underestimate the LIKEs, so a plain join reads all 200,000 orgs (measured:
 *    0.5 s). `id = ANY(ARRAY(subquery))` is planned as a lookup of a short list of ids.
 */
#define CAND_HEAD_SQLITE(EXACT) SEARCH_COLS("o") "CASE WHEN " EXACT " THEN 1 ELSE 0 END FROM ("
#define CAND_TAIL_SQLITE(JOIN, MATCH)                                                                        \
	") k CROSS JOIN org o CROSS JOIN org_closure x" JOIN                                                 \
	" WHERE o.id = k.id AND x.org_id = o.id AND " IS_BELOW("x") " AND o.code > $8" FILTERS " AND " MATCH \
								    " ORDER BY o.code LIMIT $9"
#define CAND_HEAD_PG(EXACT, JOIN)                                             \
	SEARCH_COLS("o")                                                      \
	"CASE WHEN " EXACT " THEN 1 ELSE 0 END FROM org o JOIN org_closure x" \
	" ON x.org_id = o.id AND " IS_BELOW("x") JOIN " WHERE o.id = ANY(ARRAY("
#define CAND_TAIL_PG(MATCH) ")) AND o.code > $8" FILTERS " AND " MATCH " ORDER BY o.code LIMIT $9"

struct plan {
	const struct org_filter *f;
	const char *date;
	char code_like[256 + 2], name_like[256 + 3];
	struct nameindex_q q;
	bool has_q, pinyin, candidates;
	char sql[4096];
};

static void bind_common(struct stmt *st, const struct plan *p, int64_t under, const char *after,
			int64_t limit)
{
	const struct org_filter *f = p->f;
	stmt_bind_int64(st, 1, under);
	stmt_bind_text(st, 2, p->date, strlen(p->date));
	stmt_bind_int64(st, 3, f->include_closed ? 1 : 0);
	if (p->has_q) {
		stmt_bind_text(st, 4, p->code_like, strlen(p->code_like));
		stmt_bind_text(st, 5, p->name_like, strlen(p->name_like));
	} else {
		stmt_bind_null(st, 4);
		stmt_bind_null(st, 5);
	}
	if (f->level)
		stmt_bind_text(st, 6, f->level, strlen(f->level));
	else
		stmt_bind_null(st, 6);
	if (f->type)
		stmt_bind_text(st, 7, f->type, strlen(f->type));
	else
		stmt_bind_null(st, 7);
	stmt_bind_text(st, 8, after, strlen(after));
	stmt_bind_int64(st, 9, limit);
	/* scope (issue 8 case 4) */
	if (org_seen_needed(f->seen, p->date)) {
		org_seen_bind(st, 10, f->seen);
	} else {
		stmt_bind_null(st, 10);
		stmt_bind_null(st, 11);
		stmt_bind_null(st, 12);
	}
	/* end of scope (case 4) */
	if (p->pinyin) {
		stmt_bind_text(st, 13, p->q.like_letters, strlen(p->q.like_letters));
		stmt_bind_text(st, 14, p->q.like_letters, strlen(p->q.like_letters));
	}
}

/* Picks the plan: the candidates when there are fewer of them than the rows a walk of the
 * subtree would read for a page. */
static int choose(struct conn *c, int64_t under, struct plan *p, int max)
{
	p->candidates = false;
	if (!p->has_q)
		return 0;
	int64_t cand = 0;
	bool built = false;
	int rc = nameindex_estimate(c, NX_ORG, &p->q, &cand, &built);
	if (rc || !built)
		return rc;
	struct org_counts counts;
	rc = org_counts_conn(c, under, p->date, &counts);
	if (rc)
		return rc;
	int64_t all = counts.total;
	rc = conn_row(c, "SELECT max(id) FROM org", "", "i", &all);
	if (rc && rc != ERR_NOTFOUND)
		return rc;
	/* a walk reads about max rows per (matches / orgs) of the tree, and never more than the
	 * subtree; orgs closed or outside the date are not in the counts, so allow for them */
	int64_t subtree = counts.total + 64;
	int64_t walk = cand > 0 ? (int64_t)max * (all > 0 ? all : 1) / cand : subtree;
	if (walk > subtree)
		walk = subtree;
	p->candidates = cand <= walk;
	return 0;
}

/* Runs the chosen statement from `after`, appending the rows that match to out. *full says
 * the statement returned `limit` rows (there may be more after the last). */
static int run(struct conn *c, int64_t under, struct plan *p, const char *after, int64_t limit,
	       struct org *out, int max, int *n, char last[ORG_CODE_MAX + 1], bool *full)
{
	struct stmt *st = NULL;
	const char *sql = p->candidates ? p->sql : p->pinyin ? walk_pinyin : walk_plain;
	int rc = conn_prepare(c, sql, &st);
	if (rc)
		return rc;
	bind_common(st, p, under, after, limit);
	if (p->candidates)
		nameindex_bind_candidates(st, p->pinyin ? 14 : 12, NX_ORG, &p->q);
	int64_t rows = 0;
	while ((rc = stmt_step(st)) == STORE_ROW) {
		rows++;
		str_copy(last, ORG_CODE_MAX + 1, stmt_text(st, 1, NULL));
		if (*n >= max)
			continue;
		bool exact = stmt_int64(st, 14) != 0;
		if (!exact && !nameindex_pinyin_match(NX_ORG, stmt_text(st, 2, NULL), &p->q))
			continue; /* only the necessary condition held */
		org_row(st, &out[(*n)++]);
	}
	stmt_done(st);
	*full = rows == limit;
	return rc < 0 ? rc : 0;
}

int org_search(struct app *a, int64_t under, const struct org_filter *f, struct org *out, int max, int *n)
{
	char today[11], esc[256];
	struct plan *p = calloc(1, sizeof(*p));
	struct conn *c = NULL;
	*n = 0;
	if (!p)
		return ERR_NOMEM;
	p->f = f;
	p->date = org_date_or_today(f->as_of, today);
	int rc = ERR_INVALID;
	if (!date_valid(p->date) || max < 1)
		goto done;
	if (f->q && *f->q) {
		if (!store_like(f->q, "", "", esc, sizeof(esc)) || nameindex_parse(f->q, true, &p->q))
			goto done;
		p->has_q = true;
		p->pinyin = p->q.pinyin;
		snprintf(p->code_like, sizeof(p->code_like), "%s%%", esc);
		snprintf(p->name_like, sizeof(p->name_like), "%%%s%%", esc);
	}
	rc = store_acquire(a->store, STORE_READ, &c);
	if (rc)
		goto done;
	rc = conn_read_begin(c);
	if (!rc)
		rc = choose(c, under, p, max);
	if (!rc && p->candidates) {
		char cand[2048];
		if (nameindex_candidates_sql(p->pinyin ? 14 : 12, cand, sizeof(cand)) < 0) {
			rc = ERR_INTERNAL;
			goto done;
		}
		bool pg = conn_kind(c) == STORE_PG;
		const char *head = pg ? (p->pinyin ? CAND_HEAD_PG(EXACT_PINYIN("o", "t"), TEXT_JOIN)
						   : CAND_HEAD_PG(EXACT_PLAIN("o"), ""))
				      : (p->pinyin ? CAND_HEAD_SQLITE(EXACT_PINYIN("o", "t"))
						   : CAND_HEAD_SQLITE(EXACT_PLAIN("o")));
		const char *tail = pg ? (p->pinyin ? CAND_TAIL_PG(MATCH_PINYIN("o", "t"))
						   : CAND_TAIL_PG(EXACT_PLAIN("o")))
				      : (p->pinyin ? CAND_TAIL_SQLITE(TEXT_JOIN, MATCH_PINYIN("o", "t"))
						   : CAND_TAIL_SQLITE("", EXACT_PLAIN("o")));
		int len = snprintf(p->sql, sizeof(p->sql), "%s%s%s", head, cand, tail);
		if (len < 0 || (size_t)len >= sizeof(p->sql)) {
			rc = ERR_INTERNAL;
			goto done;
		}
	}
	/* pages of `max` until it is full: more than one only when rows met the pinyin's
	 * necessary condition without matching */
	char after[ORG_CODE_MAX + 1], last[ORG_CODE_MAX + 1] = "";
	str_copy(after, sizeof(after), f->after_code ? f->after_code : "");
	for (bool full = true; !rc && full && *n < max;) {
		last[0] = '\0';
		rc = run(c, under, p, after, max, out, max, n, last, &full);
		if (!last[0])
			break;
		str_copy(after, sizeof(after), last);
	}
done:
	store_release(c);
	free(p);
	return rc;
}
