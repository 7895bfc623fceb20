/*
 * org.c - the organization tree with dated parent history (see org.h).
 *
 * Tree walks are recursive CTEs bounded at depth 64 (the real tree has six levels; the
 * bound also stops a corrupted cycle from looping). All SQL is shared by SQLite and
 * PostgreSQL; dates compare as ISO text.
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

void org_today(char out[11])
{
	date_today(out, 11);
}

const char *org_date_or_today(const char *d, char buf[11])
{
	if (d && *d)
		return d;
	org_today(buf);
	return buf;
}

static void row_to_org(struct stmt *st, struct org *o)
{
	memset(o, 0, sizeof(*o));
	o->id = stmt_int64(st, 0);
	str_copy(o->code, sizeof(o->code), stmt_text(st, 1, NULL));
	str_copy(o->name, sizeof(o->name), stmt_text(st, 2, NULL));
	str_copy(o->short_name, sizeof(o->short_name), stmt_text(st, 3, NULL));
	str_copy(o->level, sizeof(o->level), stmt_text(st, 4, NULL));
	str_copy(o->type, sizeof(o->type), stmt_text(st, 5, NULL));
	str_copy(o->region_code, sizeof(o->region_code), stmt_text(st, 6, NULL));
	str_copy(o->credit_code, sizeof(o->credit_code), stmt_text(st, 7, NULL));
	str_copy(o->contact, sizeof(o->contact), stmt_text(st, 8, NULL));
	str_copy(o->opened_on, sizeof(o->opened_on), stmt_text(st, 9, NULL));
	str_copy(o->closed_on, sizeof(o->closed_on), stmt_text(st, 10, NULL));
	o->version = stmt_int64(st, 11);
	o->parent_id = stmt_int64(st, 12);
	str_copy(o->parent_name, sizeof(o->parent_name), stmt_text(st, 13, NULL));
}

/* A day inside a closed period the org was later reopened from (org_closed_period): then it
 * reads as closed on that day. Only days before today can be (reopening is never dated
 * ahead), so today's reads never pay for this. */
static int closure_on(struct conn *c, struct org *o, const char *date)
{
	char today[11];
	org_today(today);
	if (o->closed_on[0] || strcmp(date, today) >= 0)
		return 0;
	int rc = conn_row(
		c,
		"SELECT closed_on FROM org_closed_period WHERE org_id = $1 AND closed_on <= $2 AND reopened_on > $2",
		"it", "t", o->id, date, o->closed_on, sizeof(o->closed_on));
	return rc == ERR_NOTFOUND ? 0 : rc;
}

/* Steps st to the end, filling out[0..max) with its rows. */
int org_collect(struct stmt *st, struct org *out, int max, int *n)
{
	int rc;
	while ((rc = stmt_step(st)) == STORE_ROW && *n < max)
		row_to_org(st, &out[(*n)++]);
	return rc < 0 ? rc : 0;
}

/* Loads one org by id (or by code when code != NULL) on an open connection. */
int org_load_conn(struct conn *c, int64_t id, const char *code, const char *date, struct org *out)
{
	struct stmt *st = NULL;
	int rc = conn_prepare(c, code ? ORG_COLS "WHERE o.code = $1" : ORG_COLS "WHERE o.id = $1", &st);
	if (rc)
		return rc;
	if (code)
		stmt_bind_text(st, 1, code, strlen(code));
	else
		stmt_bind_int64(st, 1, id);
	stmt_bind_text(st, 2, date, strlen(date));
	rc = stmt_step(st);
	if (rc == STORE_ROW) {
		row_to_org(st, out);
		rc = strcmp(out->opened_on, date) > 0 ? ERR_NOTFOUND : 0; /* not yet open then */
	} else if (rc == STORE_DONE) {
		rc = ERR_NOTFOUND;
	}
	stmt_done(st);
	return rc ? rc : closure_on(c, out, date);
}

static int get_common(struct app *a, int64_t id, const char *code, const char *as_of, struct org *out)
{
	char today[11];
	const char *d = org_date_or_today(as_of, today);
	if (!date_valid(d))
		return ERR_INVALID;
	struct conn *c = NULL;
	int rc = store_acquire(a->store, STORE_READ, &c);
	if (rc)
		return rc;
	rc = org_load_conn(c, id, code, d, out);
	store_release(c);
	return rc;
}

int org_get(struct app *a, int64_t id, const char *as_of, struct org *out)
{
	return get_common(a, id, NULL, as_of, out);
}

int org_get_by_code(struct app *a, const char *code, const char *as_of, struct org *out)
{
	return get_common(a, 0, code, as_of, out);
}

bool org_seen_needed(const struct rbac_seen *seen, const char *date)
{
	return seen && !seen->all && strcmp(date, seen->today);
}

void org_seen_bind(struct stmt *st, int first, const struct rbac_seen *seen)
{
	stmt_bind_int64(st, first, seen->user_id);
	stmt_bind_text(st, first + 1, seen->roles, strlen(seen->roles));
	stmt_bind_text(st, first + 2, seen->today, strlen(seen->today));
}

#define CHILDREN_SQL                                                                    \
	ORG_COLS "JOIN org_parent cp ON cp.org_id = o.id"                               \
		 " WHERE cp.parent_id = $1 AND cp.valid_from <= $2"                     \
		 " AND (cp.valid_to IS NULL OR cp.valid_to > $2) AND o.opened_on <= $2" \
		 " AND ($3 = 1 OR o.closed_on IS NULL OR o.closed_on > $2)"             \
		 " AND o.code > $4"

int org_children(struct app *a, int64_t parent, const char *as_of, bool include_closed,
		 const char *after_code, struct org *out, int max, int *n)
{
	return org_children_seen(a, parent, as_of, include_closed, after_code, NULL, out, max, n);
}

int org_children_seen(struct app *a, int64_t parent, const char *as_of, bool include_closed,
		      const char *after_code, const struct rbac_seen *seen, struct org *out, int max, int *n)
{
	char today[11];
	const char *d = org_date_or_today(as_of, today);
	*n = 0;
	if (!date_valid(d))
		return ERR_INVALID;
	bool filter = org_seen_needed(seen, d);
	struct conn *c = NULL;
	struct stmt *st = NULL;
	int rc = store_acquire(a->store, STORE_READ, &c);
	if (rc)
		return rc;
	rc = conn_prepare(c,
			  filter ? CHILDREN_SQL
				  " AND " ORG_SEEN_SQL("o.id", "$6", "$7", "$8") " ORDER BY o.code LIMIT $5"
				 : CHILDREN_SQL " ORDER BY o.code LIMIT $5",
			  &st);
	if (!rc) {
		const char *after = after_code ? after_code : "";
		stmt_bind_int64(st, 1, parent);
		stmt_bind_text(st, 2, d, strlen(d));
		stmt_bind_int64(st, 3, include_closed ? 1 : 0);
		stmt_bind_text(st, 4, after, strlen(after));
		stmt_bind_int64(st, 5, max);
		if (filter)
			org_seen_bind(st, 6, seen);
		rc = org_collect(st, out, max, n);
	}
	stmt_done(st);
	store_release(c);
	return rc;
}

/* `up(id, depth)`: org $1 and the orgs above it as of date $2 (itself at depth 0). */
#define UP_CTE                                                                            \
	"WITH RECURSIVE up(id, depth) AS ("                                               \
	" SELECT CAST($1 AS BIGINT), 0 UNION ALL"                                         \
	" SELECT p.parent_id, up.depth + 1 FROM org_parent p JOIN up ON p.org_id = up.id" \
	" WHERE p.valid_from <= $2 AND (p.valid_to IS NULL OR p.valid_to > $2)"           \
	" AND p.parent_id IS NOT NULL AND up.depth < 64) "

int org_path_conn(struct conn *c, int64_t id, const char *date, int64_t path[ORG_PATH_MAX], int *n)
{
	struct stmt *st = NULL;
	*n = 0;
	int rc = conn_prepare(c, UP_CTE "SELECT id, depth FROM up", &st);
	if (rc)
		return rc;
	stmt_bind_int64(st, 1, id);
	stmt_bind_text(st, 2, date, strlen(date));
	/* rows in any order (no sort asked for): each goes to its depth */
	while ((rc = stmt_step(st)) == STORE_ROW) {
		int64_t depth = stmt_int64(st, 1);
		if (depth < 0 || depth >= ORG_PATH_MAX)
			continue;
		path[depth] = stmt_int64(st, 0);
		if (depth + 1 > *n)
			*n = (int)depth + 1;
	}
	stmt_done(st);
	return rc < 0 ? rc : 0;
}

int org_path(struct app *a, int64_t id, int64_t path[ORG_PATH_MAX], int *n)
{
	char today[11];
	org_today(today);
	struct conn *c = NULL;
	int rc = store_acquire(a->store, STORE_READ, &c);
	if (rc)
		return rc;
	rc = org_path_conn(c, id, today, path, n);
	store_release(c);
	return rc;
}

int org_within_conn(struct conn *c, int64_t ancestor, int64_t id, const char *date, bool *yes)
{
	int64_t path[ORG_PATH_MAX];
	int n = 0;
	*yes = false;
	int rc = org_path_conn(c, id, date, path, &n);
	for (int i = 0; !rc && i < n && !*yes; i++)
		*yes = path[i] == ancestor;
	return rc;
}

/* Today's org (depth 0) and the chain above it, in one statement: org_get_for's read. */
static const char ORG_TODAY_SQL[] = UP_CTE
	"SELECT o.id, o.code, o.name, o.short_name, o.level, o.type, o.region_code,"
	" o.credit_code, o.contact, o.opened_on, o.closed_on, o.version, 0,"
	/* the parent's name by its own index lookups: a third branch reading `up` again made
	 * SQLite materialise the chain twice (callgrind: +20% instructions per org GET) */
	ORG_PARENT_NAME_SQL(
		"o") " FROM org o WHERE o.id = $1"
		     /* the chain as a branch of its own: joining org to every row of it read org again
	 * for each ancestor, only to drop the rows (measured, PostgreSQL) */
		     " UNION ALL SELECT id, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, depth,"
		     " NULL FROM up WHERE depth > 0";

int org_prefetch(struct app *a, int64_t id)
{
	if (!store_prefetches(a->store))
		return 0;
	char today[11];
	org_today(today);
	struct conn *c = NULL;
	struct stmt *st = NULL;
	int rc = store_acquire(a->store, STORE_READ, &c);
	if (rc)
		return rc;
	rc = conn_prepare(c, ORG_TODAY_SQL, &st);
	if (!rc) {
		stmt_bind_int64(st, 1, id);
		stmt_bind_text(st, 2, today, strlen(today));
		rc = stmt_prefetch(st);
	}
	stmt_done(st);
	store_release(c);
	return rc;
}

int org_get_for(struct app *a, const struct caller *who, const char *perm, int64_t id, const char *as_of,
		struct org *out, const char **role)
{
	char today[11];
	org_today(today); /* access is always judged on today's tree, whatever date is read */
	const char *d = as_of && *as_of ? as_of : today;
	struct conn *c = NULL;
	int64_t path[ORG_PATH_MAX] = {0};
	int n = 0;
	if (role)
		*role = "";
	int rc = store_acquire(a->store, STORE_READ, &c);
	if (rc)
		return rc;
	rc = conn_read_begin(c);
	if (rc || strcmp(d, today)) {
		/* another date: access is judged on today's tree, the org read as of its date */
		if (!rc)
			rc = org_path_conn(c, id, today, path, &n);
		if (!rc)
			rc = rbac_check_path(who, perm, path, n, role);
		if (!rc)
			rc = org_load_conn(c, id, NULL, d, out);
		store_release(c);
		return rc;
	}
	/* today: one statement gives the org (depth 0) with its parent's name and the chain
	 * above it */
	struct stmt *st = NULL;
	bool exists = false;
	rc = conn_prepare(c, ORG_TODAY_SQL, &st);
	if (!rc) {
		stmt_bind_int64(st, 1, id);
		stmt_bind_text(st, 2, today, strlen(today));
		while ((rc = stmt_step(st)) == STORE_ROW) {
			int64_t depth = stmt_int64(st, 12);
			if (depth < 0 || depth >= ORG_PATH_MAX)
				continue;
			if (depth == 0 && (exists = !stmt_isnull(st, 1)))
				row_to_org(st, out);
			path[depth] = stmt_int64(st, 0);
			if (depth + 1 > n)
				n = (int)depth + 1;
		}
		rc = rc < 0 ? rc : 0;
	}
	stmt_done(st);
	store_release(c);
	if (rc)
		return rc;
	out->parent_id = n > 1 ? path[1] : 0;
	rc = rbac_check_path(who, perm, path, n, role);
	if (!rc && (!exists || strcmp(out->opened_on, today) > 0))
		rc = ERR_NOTFOUND; /* no such org, or not open yet */
	return rc;
}

int org_within(struct app *a, int64_t ancestor, int64_t id, const char *as_of, bool *yes)
{
	char today[11];
	const char *d = org_date_or_today(as_of, today);
	struct conn *c = NULL;
	int rc = store_acquire(a->store, STORE_READ, &c);
	if (rc)
		return rc;
	rc = org_within_conn(c, ancestor, id, d, yes);
	store_release(c);
	return rc;
}

/* The period rows: from, to, the other org's id, code, name, and whether the caller sees
 * it today ($2..$4: ORG_SEEN_SQL's parameters; user 0 = sees everything). */
static int periods(struct app *a, const char *sql, int64_t id, const struct rbac_seen *seen,
		   int (*fn)(const struct org_period *p, void *arg), void *arg)
{
	struct conn *c = NULL;
	struct stmt *st = NULL;
	struct rbac_seen everything = {.all = true};
	if (!seen || seen->all)
		seen = &everything;
	int rc = store_acquire(a->store, STORE_READ, &c);
	if (rc)
		return rc;
	rc = conn_prepare(c, sql, &st);
	if (!rc) {
		stmt_bind_int64(st, 1, id);
		org_seen_bind(st, 2, seen);
		while ((rc = stmt_step(st)) == STORE_ROW) {
			struct org_period p;
			memset(&p, 0, sizeof(p));
			str_copy(p.from, sizeof(p.from), stmt_text(st, 0, NULL));
			str_copy(p.to, sizeof(p.to), stmt_text(st, 1, NULL));
			p.hidden = !stmt_isnull(st, 2) && stmt_int64(st, 5) == 0;
			if (!p.hidden) {
				p.parent_id = stmt_int64(st, 2);
				str_copy(p.parent_code, sizeof(p.parent_code), stmt_text(st, 3, NULL));
				str_copy(p.parent_name, sizeof(p.parent_name), stmt_text(st, 4, NULL));
			}
			rc = fn(&p, arg);
			if (rc)
				break;
		}
		rc = rc < 0 ? rc : 0;
	}
	stmt_done(st);
	store_release(c);
	return rc;
}

/* the other org is seen: a caller with a post (user 0) sees every org */
#define SEEN_COL(col) \
	" CASE WHEN CAST($2 AS BIGINT) = 0 OR " ORG_SEEN_SQL(col, "$2", "$3", "$4") " THEN 1 ELSE 0 END"

int org_history(struct app *a, int64_t id, const struct rbac_seen *seen,
		int (*fn)(const struct org_period *p, void *arg), void *arg)
{
	return periods(
		a,
		"SELECT h.valid_from, h.valid_to, h.parent_id, p.code, p.name," SEEN_COL(
			"h.parent_id") " FROM org_parent h LEFT JOIN org p ON p.id = h.parent_id WHERE h.org_id = $1"
				       " ORDER BY h.valid_from",
		id, seen, fn, arg);
}

int org_links(struct app *a, int64_t id, const struct rbac_seen *seen,
	      int (*fn)(const struct org_period *p, void *arg), void *arg)
{
	return periods(
		a,
		"SELECT l.valid_from, l.valid_to, l.guide_id, g.code, g.name," SEEN_COL(
			"l.guide_id") " FROM org_link l JOIN org g ON g.id = l.guide_id WHERE l.org_id = $1"
				      " ORDER BY l.valid_from, g.code",
		id, seen, fn, arg);
}

/* One row of ORG_COLS (for org_search.c, which reads a further column of its own). */
void org_row(struct stmt *st, struct org *o)
{
	row_to_org(st, o);
}
