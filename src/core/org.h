/*
 * org.h - the organization tree: national -> provincial -> city -> county -> township ->
 * grassroots, plus societies and their branches.
 *
 * Where an org sits is dated history (org_parent), so every read takes an `as_of` date
 * (YYYY-MM-DD; NULL or "" = today, UTC) and answers with the tree as it stood then.
 * Moves close the current parent period and open a new one; a move under the org itself
 * or a descendant is ERR_CONFLICT. Closing an org with open descendants is ERR_CONFLICT
 * unless the whole branch is closed. Every write appends its audit record in the same
 * transaction. Field errors go to an errlist with stable codes.
 */
#ifndef KEXIE_CORE_ORG_H
#define KEXIE_CORE_ORG_H

#include "core/app.h"
#include "core/audit.h"
#include "base/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ORG_CODE_MAX 32
#define ORG_NAME_MAX 200 /* code points */

struct org {
	int64_t id;
	char code[ORG_CODE_MAX + 1];
	char name[ORG_NAME_MAX * 4 + 1];
	char short_name[64 * 4 + 1];
	char level[16];
	char type[33];
	char region_code[7];  /* "" when none */
	char credit_code[19]; /* "" when none */
	char contact[200];
	char opened_on[11];
	char closed_on[11];   /* "" while open */
	int64_t parent_id;    /* as of the date asked; 0 at the root */
	int64_t version;
};

/* What a caller may set when creating an org. Strings are borrowed; NULL = not given. */
struct org_input {
	const char *code, *name, *short_name, *level, *type, *region_code, *credit_code;
	const char *contact, *opened_on;
	const char *parent_code; /* required except for level "national" */
};

/* Level and type vocabularies ("national|provincial|..."). */
extern const char ORG_LEVELS[];
extern const char ORG_TYPES[];

/* The level at index i of ORG_LEVELS ("" out of range). */
const char *org_level_name(int i);

/* Today's date in UTC as YYYY-MM-DD. */
void org_today(char out[11]);

/* Validates and creates; *id receives the new id. ERR_UNPROCESSABLE with field errors,
 * ERR_CONFLICT when the code or credit code is taken (field error names it). */
int org_create(struct app *a, const struct audit_entry *who, const struct org_input *in,
	       struct errlist *errs, int64_t *id);

int org_get(struct app *a, int64_t id, const char *as_of, struct org *out);
int org_get_by_code(struct app *a, const char *code, const char *as_of, struct org *out);

/* Children of parent as of the date, ordered by code, after `after_code` (keyset paging;
 * NULL = from the start), at most max. Closed orgs only with include_closed. */
int org_children(struct app *a, int64_t parent, const char *as_of, bool include_closed,
		 const char *after_code, struct org *out, int max, int *n);

/* Search within the subtree of `under` as of a date; NULL filters match everything. q matches
 * a code prefix or a name substring (LIKE wildcards in q are matched literally). Ordered by
 * code, after `after_code` (keyset), at most max. */
struct org_filter {
	const char *q, *level, *type, *as_of, *after_code;
	bool include_closed;
};
int org_search(struct app *a, int64_t under, const struct org_filter *f, struct org *out, int max,
	       int *n);

/* One org as of a date for a caller: rbac_check (ERR_NOTFOUND / ERR_FORBIDDEN) and the read
 * on one connection, the common case of every GET. */
struct caller;
int org_get_for(struct app *a, const struct caller *who, const char *perm, int64_t id, const char *as_of,
		struct org *out);

/* The chain from org id up to its root: path[0] = id, path[k] = its k-th ancestor, *n
 * entries (1 for a root or an unknown id). org_path is as of today; org_path_conn as of
 * `date` on a connection the caller holds. One statement either way. */
#define ORG_PATH_MAX 66
struct conn;
int org_path(struct app *a, int64_t id, int64_t path[ORG_PATH_MAX], int *n);
int org_path_conn(struct conn *c, int64_t id, const char *date, int64_t path[ORG_PATH_MAX], int *n);

/* SQL: `down(id, depth)`, the subtree of org $1 as of date $2 (itself at depth 0, at most
 * 64 levels), for modules that select within a subtree; continue with ", name AS (...)"
 * or the SELECT. The same text runs on SQLite and PostgreSQL. */
#define ORG_SUBTREE_CTE                                                                     \
	"WITH RECURSIVE down(id, depth) AS ("                                               \
	" SELECT CAST($1 AS BIGINT), 0"                                                     \
	" UNION ALL"                                                                        \
	" SELECT p.org_id, down.depth + 1 FROM org_parent p JOIN down ON p.parent_id = down.id" \
	" WHERE p.valid_from <= $2 AND (p.valid_to IS NULL OR p.valid_to > $2) AND down.depth < 64)"

/* True in *yes when `ancestor` is `id` or above it as of the date. */
int org_within(struct app *a, int64_t ancestor, int64_t id, const char *as_of, bool *yes);

/* Moves id under new_parent from `on` (NULL = today). ERR_CONFLICT for a cycle, a closed
 * org or parent; ERR_PRECONDITION when expect_version (> 0) is stale. */
int org_move(struct app *a, const struct audit_entry *who, int64_t id, int64_t new_parent,
	     const char *on, int64_t expect_version, struct errlist *errs);

/* Closes id on `on` (NULL = today); with branch, closes every open descendant too.
 * *closed counts the orgs closed. */
int org_close(struct app *a, const struct audit_entry *who, int64_t id, const char *on,
	      bool branch, int64_t expect_version, struct errlist *errs, int *closed);

/* Changes name, short_name, type, region_code, credit_code and contact (the non-NULL members
 * of in; "" clears region_code / credit_code). expect_version is required: ERR_PRECONDITION
 * when stale. Code, level, placement and dates change only through their own operations. */
int org_update(struct app *a, const struct audit_entry *who, int64_t id, const struct org_input *in,
	       int64_t expect_version, struct errlist *errs);

/* The same writes inside a caller's open write transaction (imports run many in one);
 * a failure leaves partial statements that the caller must roll back (a savepoint).
 * org_move_in moves as of today without a version check. org_load_in reads by code as
 * of today. */
struct conn;
int org_create_in(struct conn *c, const struct audit_entry *who, const struct org_input *in,
		  struct errlist *errs, int64_t *id);
int org_update_in(struct conn *c, const struct audit_entry *who, int64_t id, const struct org_input *in,
		  int64_t expect_version, struct errlist *errs);
int org_move_in(struct conn *c, const struct audit_entry *who, int64_t id, int64_t new_parent,
		struct errlist *errs);
int org_load_in(struct conn *c, const char *code, struct org *out);

/* One placement period of an org. */
struct org_period {
	char from[11], to[11]; /* to "" while current */
	int64_t parent_id;     /* 0 at a root */
	char parent_code[ORG_CODE_MAX + 1];
	char parent_name[ORG_NAME_MAX * 4 + 1];
};
/* Calls fn for every placement period of id, oldest first. */
int org_history(struct app *a, int64_t id, int (*fn)(const struct org_period *p, void *arg), void *arg);

/* Calls fn for every guided-by link of id (the org guiding it, from, to). */
int org_links(struct app *a, int64_t id, int (*fn)(const struct org_period *p, void *arg), void *arg);

/* Adds a guided-by link from `on`. */
int org_link_add(struct app *a, const struct audit_entry *who, int64_t id, int64_t guide,
		 const char *on, struct errlist *errs);

/* Open orgs in the subtree of root (itself included) as of the date, by level (index in
 * ORG_LEVELS) and by type, from the dated counts kept with every write: a few hundred rows
 * whatever the subtree's size and the date (from_tally is always true now). */
#define ORG_COUNT_TYPES 32
struct org_counts {
	int64_t total;
	int64_t by_level[6];
	struct {
		char type[33];
		int64_t n;
	} by_type[ORG_COUNT_TYPES];
	int ntypes;
	bool from_tally;
};
int org_subtree_counts(struct app *a, int64_t root, const char *as_of, struct org_counts *out);

/* Recomputes the whole tally from the tree (after bulk loads; `kexie org recount`). */
int org_tally_rebuild(struct app *a);

/* ---- the tree's index: closure, dated counts, name index (org_tally.c) ----
 * Derived from org, org_parent and the names; every tree write keeps it in step inside its
 * transaction with one call, and bulk loaders that write those tables themselves call one
 * of these before they commit. All run in the caller's write transaction; a failure leaves
 * partial statements for its rollback.
 *
 * org_index_sync: after a change to org `id` (created, moved, closed, reopened, renamed,
 * type changed); with `branch`, also every org ever placed below it (a move, or a close of
 * a branch). Only the net change of the counts is written, so moving a branch costs its
 * closure rows, not its counts.
 * org_index_sync_range: after creating or changing the orgs with ids in [first_id, last_id]
 * (a bulk import's new rows; not their descendants outside the range).
 * org_index_rebuild_conn: everything from scratch (org_tally_rebuild in a transaction of
 * its own; `kexie org recount`). */
int org_index_sync(struct conn *c, int64_t id, bool branch);
int org_index_sync_range(struct conn *c, int64_t first_id, int64_t last_id);
int org_index_rebuild_conn(struct conn *c);

#endif
