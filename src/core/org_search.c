/*
 * org_search.c - finding organizations within a subtree by code prefix or name part.
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

/* ---- search ---- */

/* Copies q into out with LIKE's wildcards and the escape character escaped. */
static bool like_escape(const char *q, char *out, size_t cap)
{
	size_t n = 0;
	for (; *q; q++) {
		if (n + 3 >= cap)
			return false;
		if (*q == '%' || *q == '_' || *q == '\\')
			out[n++] = '\\';
		out[n++] = *q;
	}
	out[n] = '\0';
	return true;
}

int org_search(struct app *a, int64_t under, const struct org_filter *f, struct org *out, int max,
	       int *n)
{
	char today[11], esc[256], prefix[260], infix[264];
	const char *d = org_date_or_today(f->as_of, today);
	*n = 0;
	if (!date_valid(d))
		return ERR_INVALID;
	if (f->q && !like_escape(f->q, esc, sizeof(esc)))
		return ERR_INVALID;
	if (f->q) {
		snprintf(prefix, sizeof(prefix), "%s%%", esc);
		snprintf(infix, sizeof(infix), "%%%s%%", esc);
	}
	struct conn *c = NULL;
	struct stmt *st = NULL;
	int rc = store_acquire(a->store, STORE_READ, &c);
	if (rc)
		return rc;
#define SEARCH_SQL                                                                                          \
	ORG_SUBTREE_CTE " " ORG_COLS "JOIN down dn ON dn.id = o.id"                                         \
	" WHERE o.opened_on <= $2 AND ($3 = 1 OR o.closed_on IS NULL OR o.closed_on > $2)"                  \
	" AND (CAST($4 AS TEXT) IS NULL OR o.code LIKE $4 ESCAPE '\\' OR o.name LIKE $5 ESCAPE '\\')"       \
	" AND (CAST($6 AS TEXT) IS NULL OR o.level = $6)"                                                   \
	" AND (CAST($7 AS TEXT) IS NULL OR o.type = $7)"                                                    \
	" AND o.code > $8"
	/* scope (issue 8 case 4): as of another day, only what the caller sees today */
	bool seen = org_seen_needed(f->seen, d);
	rc = conn_prepare(c,
			  seen ? SEARCH_SQL " AND " ORG_SEEN_SQL("o.id", "$10", "$11", "$12") " ORDER BY o.code LIMIT $9"
			       : SEARCH_SQL " ORDER BY o.code LIMIT $9",
			  &st);
	/* end of scope (case 4) */
	if (!rc) {
		const char *after = f->after_code ? f->after_code : "";
		stmt_bind_int64(st, 1, under);
		stmt_bind_text(st, 2, d, strlen(d));
		stmt_bind_int64(st, 3, f->include_closed ? 1 : 0);
		if (f->q) {
			stmt_bind_text(st, 4, prefix, strlen(prefix));
			stmt_bind_text(st, 5, infix, strlen(infix));
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
		stmt_bind_int64(st, 9, max);
		if (seen) /* scope (case 4) */
			org_seen_bind(st, 10, f->seen);
		rc = org_collect(st, out, max, n);
	}
	stmt_done(st);
	store_release(c);
	return rc;
}
