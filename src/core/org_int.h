/*
 * org_int.h - what the files of the organization tree share among themselves (org.c reads,
 * org_write.c changes, org_tally.c counts, org_search.c search). Not for other modules:
 * they use org.h.
 */
#ifndef KEXIE_CORE_ORG_INT_H
#define KEXIE_CORE_ORG_INT_H

#include "core/org.h"
#include "store/store.h"

#include <stdbool.h>
#include <stdint.h>

/* The parent of org alias O as of date $2: its id, its name (subqueries by key, the same
 * text in every statement that reads an org). */
#define ORG_PARENT_ID_SQL(O)                                                                      \
	" (SELECT p.parent_id FROM org_parent p WHERE p.org_id = " O ".id AND p.valid_from <= $2" \
	" AND (p.valid_to IS NULL OR p.valid_to > $2))"
#define ORG_PARENT_NAME_SQL(O)                                                                      \
	" (SELECT pn.name FROM org_parent p JOIN org pn ON pn.id = p.parent_id WHERE p.org_id = " O \
	".id AND p.valid_from <= $2 AND (p.valid_to IS NULL OR p.valid_to > $2))"

/* The columns row_to_org reads; $2 is the date the parent (id and name) is taken for. */
#define ORG_COLS                                                                             \
	"SELECT o.id, o.code, o.name, o.short_name, o.level, o.type, o.region_code,"         \
	" o.credit_code, o.contact, o.opened_on, o.closed_on, o.version," ORG_PARENT_ID_SQL( \
		"o") "," ORG_PARENT_NAME_SQL("o") " FROM org o "

/* d when given and non-empty, else today written into buf. */
const char *org_date_or_today(const char *d, char buf[11]);
/* Reads the current row of st (the columns of ORG_COLS, first) into o. */
void org_row(struct stmt *st, struct org *o);
/* Steps st to the end, filling out[0..max) with its rows (ORG_COLS); *n counts them. */
int org_collect(struct stmt *st, struct org *out, int max, int *n);
/* Loads one org by id (or by code when code != NULL) as of date on an open connection.
 * ERR_NOTFOUND when there is none or it had not opened yet on that date. */
int org_load_conn(struct conn *c, int64_t id, const char *code, const char *date, struct org *out);
/* *yes = ancestor is id or above it as of date, on an open connection. */
int org_within_conn(struct conn *c, int64_t ancestor, int64_t id, const char *date, bool *yes);
/* Subtree counts as of date d (valid YYYY-MM-DD) on an open connection (org_tally.c). */
int org_counts_conn(struct conn *c, int64_t root, const char *d, struct org_counts *out);

/* What org_create_in and org_update_in check before touching the database, for loads that
 * check every row first (orgimport.c): the same field errors. *norm receives in as the
 * write would store it: names through the one normaliser (their text in *nb), and for a
 * create the normalised credit code ("" when none) and the opening date (the input's, or
 * today; norm->opened_on is NULL: use `opened`). 0 or ERR_UNPROCESSABLE (also ERR_NOMEM /
 * ERR_INTERNAL from the normaliser). */
struct org_names {
	char name[ORG_NAME_MAX * 4 + 1], short_name[64 * 4 + 1];
};
int org_create_check(const struct org_input *in, struct org_input *norm, struct org_names *nb,
		     char credit[19], char opened[11], struct errlist *errs);
int org_update_check(const struct org_input *in, struct org_input *norm, struct org_names *nb,
		     char credit[19], struct errlist *errs);
/* The audit detail of org.create, as org_create_in records it. */
void org_create_diff(const struct org_input *in, const char *credit, const char *opened,
		     const char *parent_code, struct audit_diff *d);

#endif
