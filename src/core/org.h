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
#include "core/codelist.h"
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
	char level[16];       /* a code of codelist_org_level */
	char type[33];        /* a code of codelist_org_type */
	char region_code[7];  /* "" when none */
	char credit_code[19]; /* "" when none */
	char contact[200];
	char opened_on[11];
	char closed_on[11];                     /* "" while open */
	int64_t parent_id;                      /* as of the date asked; 0 at the root */
	char parent_name[ORG_NAME_MAX * 4 + 1]; /* that parent's name; "" at the root */
	int64_t version;
};

/* What a caller may set when creating an org. Strings are borrowed; NULL = not given. */
struct org_input {
	const char *code, *name, *short_name, *level, *type, *region_code, *credit_code;
	const char *contact, *opened_on;
	const char *parent_code; /* required except for level "national" */
	int64_t parent_id;       /* > 0: the parent by id instead (field errors then name parent_id) */
};

/* Today's date in UTC as YYYY-MM-DD. */
void org_today(char out[11]);

/* Validates and creates; *id receives the new id. ERR_UNPROCESSABLE with field errors
 * (among them: opened_on after today, `future`; a parent already ORG_DEPTH_MAX deep,
 * `too_deep`), ERR_CONFLICT when the code or credit code is taken (field error names it).
 * Whether the caller may create there is the caller's check (the route's objects). */
int org_create(struct app *a, const struct audit_entry *who, const struct org_input *in, struct errlist *errs,
	       int64_t *id);

int org_get(struct app *a, int64_t id, const char *as_of, struct org *out);
int org_get_by_code(struct app *a, const char *code, const char *as_of, struct org *out);

/* Children of parent as of the date, ordered by code, after `after_code` (keyset paging;
 * NULL = from the start), at most max. Closed orgs only with include_closed.
 * org_children_seen lists only what `seen` may see today (NULL: everything; see
 * ORG_SEEN_SQL); org_children is org_children_seen without a caller (the CLI). */
struct rbac_seen;
int org_children(struct app *a, int64_t parent, const char *as_of, bool include_closed,
		 const char *after_code, struct org *out, int max, int *n);
int org_children_seen(struct app *a, int64_t parent, const char *as_of, bool include_closed,
		      const char *after_code, const struct rbac_seen *seen, struct org *out, int max, int *n);

/* Search within the subtree of `under` as of a date; NULL filters match everything. q matches
 * a code prefix or a name substring (LIKE wildcards in q are matched literally). Ordered by
 * code, after `after_code` (keyset), at most max. */
struct org_filter {
	const char *q, *level, *type, *as_of, *after_code;
	bool include_closed;
	const struct rbac_seen *seen; /* only what this caller may see today; NULL = everything */
};
int org_search(struct app *a, int64_t under, const struct org_filter *f, struct org *out, int max, int *n);

/* Asks for org_get_for's read of id (today) to travel with the next statement on a's
 * request view (store.h, stmt_prefetch): on PostgreSQL the caller and the object then come
 * in one round trip. Only on a view, before the caller is resolved; does nothing where the
 * store does not prefetch. Returns 0 or the store's error (harmless: the read then runs
 * by itself). */
int org_prefetch(struct app *a, int64_t id);

/* One org as of a date for a caller: the scope rule on today's chain (ERR_NOTFOUND /
 * ERR_FORBIDDEN, rbac_check_path) and the read on one connection, the common case of every
 * GET and of every route whose object is an org. ERR_NOTFOUND too when there is no such
 * org or it is not open yet on the date. On success *role (when not NULL) is the caller's
 * role granting perm there (a pointer into who). */
struct caller;
int org_get_for(struct app *a, const struct caller *who, const char *perm, int64_t id, const char *as_of,
		struct org *out, const char **role);

/* ---- what a caller may see in lists: the one as-of rule ----
 * Scope is judged on today's tree on every path: an org a caller cannot see today is never
 * listed, whatever date the list is for (children, search, counts, history, links, and the
 * exports to come). A list rooted at an org the caller sees today contains, as of today,
 * only orgs the caller sees; as of another date it may contain orgs that have moved since,
 * so every list for another date adds ORG_SEEN_SQL (org_seen_needed says when).
 *
 * ORG_SEEN_SQL(col, U, R, T): an SQL condition, true when org `col` is seen: its chain as of
 * T (today) meets an org where user U holds one of the roles of R ("|org_admin|staff|").
 * U, R, T are the statement's parameter names ("$6" ...), bound with org_seen_bind. The
 * same text runs on SQLite and PostgreSQL. */
#define ORG_SEEN_SQL(col, U, R, T)                                                        \
	"EXISTS (WITH RECURSIVE sv(id, depth) AS (SELECT " col ", 0 UNION ALL"            \
	" SELECT p.parent_id, sv.depth + 1 FROM org_parent p JOIN sv ON p.org_id = sv.id" \
	" WHERE p.valid_from <= " T " AND (p.valid_to IS NULL OR p.valid_to > " T ")"     \
	" AND p.parent_id IS NOT NULL AND sv.depth < 64)"                                 \
	" SELECT 1 FROM sv JOIN role_assignment ra ON ra.org_id = sv.id"                  \
	" WHERE ra.user_id = " U " AND " R " LIKE '%|' || ra.role || '|%')"
/* True when a list for `date` must add ORG_SEEN_SQL for seen: a caller without a post
 * granting everything, and a date other than today. */
bool org_seen_needed(const struct rbac_seen *seen, const char *date);
/* Binds U, R, T of ORG_SEEN_SQL at parameters first, first + 1, first + 2. */
struct stmt;
void org_seen_bind(struct stmt *st, int first, const struct rbac_seen *seen);

/* The chain from org id up to its root: path[0] = id, path[k] = its k-th ancestor, *n
 * entries (1 for a root or an unknown id). org_path is as of today; org_path_conn as of
 * `date` on a connection the caller holds. One statement either way. */
#define ORG_PATH_MAX 66
/* The deepest an org may sit: at most ORG_DEPTH_MAX orgs on its chain, itself and the root
 * included (so every walk, bounded at 64 steps, reaches it). Create, move and import refuse
 * deeper placements with a field error (org_depth_check in org_write.c). */
#define ORG_DEPTH_MAX 64
struct conn;
int org_path(struct app *a, int64_t id, int64_t path[ORG_PATH_MAX], int *n);
int org_path_conn(struct conn *c, int64_t id, const char *date, int64_t path[ORG_PATH_MAX], int *n);

/* SQL: `down(id, depth)`, the subtree of org $1 as of date $2 (itself at depth 0, at most
 * 64 levels), for modules that select within a subtree; continue with ", name AS (...)"
 * or the SELECT. The same text runs on SQLite and PostgreSQL. */
#define ORG_SUBTREE_CTE                                                                         \
	"WITH RECURSIVE down(id, depth) AS ("                                                   \
	" SELECT CAST($1 AS BIGINT), 0"                                                         \
	" UNION ALL"                                                                            \
	" SELECT p.org_id, down.depth + 1 FROM org_parent p JOIN down ON p.parent_id = down.id" \
	" WHERE p.valid_from <= $2 AND (p.valid_to IS NULL OR p.valid_to > $2) AND down.depth < 64)"

/* True in *yes when `ancestor` is `id` or above it as of the date. */
int org_within(struct app *a, int64_t ancestor, int64_t id, const char *as_of, bool *yes);

/* Moves id under new_parent from `on` (NULL = today). ERR_CONFLICT for a cycle, a closed
 * org or parent; ERR_UNPROCESSABLE (field parent_id, `too_deep`) when the branch would
 * reach deeper than ORG_DEPTH_MAX; ERR_PRECONDITION when expect_version (> 0) is stale. */
int org_move(struct app *a, const struct audit_entry *who, int64_t id, int64_t new_parent, const char *on,
	     int64_t expect_version, struct errlist *errs);

/* Closes id on `on` (NULL = today); with branch, closes every open descendant too.
 * *closed counts the orgs closed. */
int org_close(struct app *a, const struct audit_entry *who, int64_t id, const char *on, bool branch,
	      int64_t expect_version, struct errlist *errs, int *closed);

/* Reopens a closed org from `on` (NULL = today), which must lie on or after its closing
 * date and not after today (or, to undo a closure dated ahead, on that date). The org goes
 * back under its last parent, which must be open then (ERR_CONFLICT "parent_closed");
 * the orgs below stay closed. The closed days become an org_closed_period period and a gap in
 * the placement history; tally, version and audit ("org.reopen") change in the same
 * transaction. ERR_CONFLICT "not_closed" when open; ERR_PRECONDITION when expect_version
 * (required, > 0) is stale; field errors name `on`. */
int org_reopen(struct app *a, const struct audit_entry *who, int64_t id, const char *on,
	       int64_t expect_version, struct errlist *errs);

/* What happened in the subtree of root (today's tree, itself included) in a calendar year:
 * orgs opened (founded), closed (every closure, reopened or not) and reopened. */
struct org_year {
	int64_t opened, closed, reopened;
};
int org_year_stats(struct app *a, int64_t root, int year, struct org_year *out);

/* One audit record about an org of a subtree, for the workbench. Strings point into the
 * row and are valid during the callback only. */
struct org_change {
	int64_t seq;
	const char *at;     /* UTC, ISO 8601 with milliseconds */
	const char *action; /* a code of codelist_audit_action */
	const char *object_id;
	int64_t org_id;
	const char *org_code, *org_name; /* the org's current code and name */
	const char *actor;               /* the login, or "cli" / "system" */
	const char *detail;              /* the audit diff (JSON text) */
};
/* Calls fn for the most recent audit records (newest first, at most limit) about orgs in
 * the subtree of root as of today. fn returns 0 to go on, a negative ERR_* to stop with it.
 * Large subtrees are found by walking recent records and testing each org's ancestry; a
 * subtree with no record among the latest ORG_CHANGES_SCAN org records answers none. */
#define ORG_CHANGES_SCAN 20000
int org_changes(struct app *a, int64_t root, int limit, int (*fn)(const struct org_change *ch, void *arg),
		void *arg);

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
	int64_t parent_id;     /* 0 at a root (or when hidden) */
	char parent_code[ORG_CODE_MAX + 1];
	char parent_name[ORG_NAME_MAX * 4 + 1];
	bool hidden; /* the other org is not seen by the caller today: no id, code, name */
};
/* Calls fn for every placement period of id, oldest first. A parent that `seen` does not
 * see today is hidden (NULL seen: nothing is). */
int org_history(struct app *a, int64_t id, const struct rbac_seen *seen,
		int (*fn)(const struct org_period *p, void *arg), void *arg);

/* Calls fn for every guided-by link of id (the org guiding it, from, to); a guide that
 * `seen` does not see today is hidden. */
int org_links(struct app *a, int64_t id, const struct rbac_seen *seen,
	      int (*fn)(const struct org_period *p, void *arg), void *arg);

/* Adds a guided-by link from `on` (NULL = today). The guide must be an association or a
 * society at the same level as id or above it, open on that date (ERR_UNPROCESSABLE with a
 * field error on guide_id); whether the caller may see the guide is the caller's check. */
int org_link_add(struct app *a, const struct audit_entry *who, int64_t id, int64_t guide, const char *on,
		 struct errlist *errs);

/* Open orgs in the subtree of root (itself included) as of the date, by level (index in
 * codelist_org_level) and by type, from the dated counts kept with every write: a few hundred
 * rows whatever the subtree's size and the date (from_tally is always true now). */
#define ORG_COUNT_TYPES 32
struct org_counts {
	int64_t total;
	int64_t by_level[CODELIST_ORG_LEVELS];
	struct {
		char type[33];
		int64_t n;
	} by_type[ORG_COUNT_TYPES];
	int ntypes;
	bool from_tally;
};
int org_subtree_counts(struct app *a, int64_t root, const char *as_of, struct org_counts *out);
/* The same counting only what `seen` may see today (NULL: everything). */
int org_subtree_counts_seen(struct app *a, int64_t root, const char *as_of, const struct rbac_seen *seen,
			    struct org_counts *out);

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
