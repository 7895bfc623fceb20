/*
 * org.c - the organization tree with dated parent history (see org.h).
 *
 * Tree walks are recursive CTEs bounded at depth 64 (the real tree has six levels; the
 * bound also stops a corrupted cycle from looping). All SQL is shared by SQLite and
 * PostgreSQL; dates compare as ISO text.
 */
#include "domain/org.h"
#include "domain/rbac.h"
#include "domain/codes.h"
#include "base/timeutil.h"
#include "base/utf8.h"
#include "store/store.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char ORG_LEVELS[] = "national|provincial|city|county|township|grassroots";
const char ORG_TYPES[] =
	"association|society|enterprise|university|park|institute|hospital|village|community|other";

void org_today(char out[11])
{
	date_today(out, 11);
}

static bool in_list(const char *list, const char *v)
{
	return word_in(list, '|', v, false);
}

static const char *const level_names[] = {"national", "provincial", "city", "county", "township", "grassroots"};

static int level_index(const char *v)
{
	for (int i = 0; i < 6; i++)
		if (!strcmp(level_names[i], v))
			return i;
	return -1;
}

const char *org_level_name(int i)
{
	return i >= 0 && i < 6 ? level_names[i] : "";
}

static const char *date_or_today(const char *d, char buf[11])
{
	if (d && *d)
		return d;
	org_today(buf);
	return buf;
}

#define ORG_COLS                                                                             \
	"SELECT o.id, o.code, o.name, o.short_name, o.level, o.type, o.region_code,"         \
	" o.credit_code, o.contact, o.opened_on, o.closed_on, o.version,"                    \
	" (SELECT p.parent_id FROM org_parent p WHERE p.org_id = o.id AND p.valid_from <= $2" \
	" AND (p.valid_to IS NULL OR p.valid_to > $2)) FROM org o "

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
}

/* Steps st to the end, filling out[0..max) with its rows. */
static int collect(struct stmt *st, struct org *out, int max, int *n)
{
	int rc;
	while ((rc = stmt_step(st)) == STORE_ROW && *n < max)
		row_to_org(st, &out[(*n)++]);
	return rc < 0 ? rc : 0;
}

/* Loads one org by id (or by code when code != NULL) on an open connection. */
static int load(struct conn *c, int64_t id, const char *code, const char *date, struct org *out)
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
	return rc;
}

static int get_common(struct app *a, int64_t id, const char *code, const char *as_of, struct org *out)
{
	char today[11];
	const char *d = date_or_today(as_of, today);
	if (!date_valid(d))
		return ERR_INVALID;
	struct conn *c = NULL;
	int rc = store_acquire(a->store, STORE_READ, &c);
	if (rc)
		return rc;
	rc = load(c, id, code, d, out);
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

int org_children(struct app *a, int64_t parent, const char *as_of, bool include_closed,
		 const char *after_code, struct org *out, int max, int *n)
{
	char today[11];
	const char *d = date_or_today(as_of, today);
	*n = 0;
	if (!date_valid(d))
		return ERR_INVALID;
	struct conn *c = NULL;
	struct stmt *st = NULL;
	int rc = store_acquire(a->store, STORE_READ, &c);
	if (rc)
		return rc;
	rc = conn_prepare(c,
			  ORG_COLS "JOIN org_parent cp ON cp.org_id = o.id"
			  " WHERE cp.parent_id = $1 AND cp.valid_from <= $2"
			  " AND (cp.valid_to IS NULL OR cp.valid_to > $2) AND o.opened_on <= $2"
			  " AND ($3 = 1 OR o.closed_on IS NULL OR o.closed_on > $2)"
			  " AND o.code > $4 ORDER BY o.code LIMIT $5",
			  &st);
	if (!rc) {
		const char *after = after_code ? after_code : "";
		stmt_bind_int64(st, 1, parent);
		stmt_bind_text(st, 2, d, strlen(d));
		stmt_bind_int64(st, 3, include_closed ? 1 : 0);
		stmt_bind_text(st, 4, after, strlen(after));
		stmt_bind_int64(st, 5, max);
		rc = collect(st, out, max, n);
	}
	stmt_done(st);
	store_release(c);
	return rc;
}

/* `up(id, depth)`: org $1 and the orgs above it as of date $2 (itself at depth 0). */
#define UP_CTE                                                                              \
	"WITH RECURSIVE up(id, depth) AS ("                                                 \
	" SELECT CAST($1 AS BIGINT), 0 UNION ALL"                                           \
	" SELECT p.parent_id, up.depth + 1 FROM org_parent p JOIN up ON p.org_id = up.id"   \
	" WHERE p.valid_from <= $2 AND (p.valid_to IS NULL OR p.valid_to > $2)"             \
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

static int within_conn(struct conn *c, int64_t ancestor, int64_t id, const char *date, bool *yes)
{
	int64_t path[ORG_PATH_MAX];
	int n = 0;
	*yes = false;
	int rc = org_path_conn(c, id, date, path, &n);
	for (int i = 0; !rc && i < n && !*yes; i++)
		*yes = path[i] == ancestor;
	return rc;
}

int org_get_for(struct app *a, const struct caller *who, const char *perm, int64_t id, const char *as_of,
		struct org *out)
{
	char today[11];
	org_today(today); /* access is always judged on today's tree, whatever date is read */
	const char *d = as_of && *as_of ? as_of : today;
	struct conn *c = NULL;
	int64_t path[ORG_PATH_MAX] = {0};
	int n = 0;
	int rc = store_acquire(a->store, STORE_READ, &c);
	if (rc)
		return rc;
	rc = conn_read_begin(c);
	if (rc || strcmp(d, today)) {
		/* another date: access is judged on today's tree, the org read as of its date */
		if (!rc)
			rc = org_path_conn(c, id, today, path, &n);
		if (!rc)
			rc = rbac_check_path(who, perm, path, n);
		if (!rc)
			rc = load(c, id, NULL, d, out);
		store_release(c);
		return rc;
	}
	/* today: one statement gives the org (depth 0) and the chain above it */
	struct stmt *st = NULL;
	bool exists = false;
	rc = conn_prepare(c,
			  UP_CTE "SELECT up.id, o.code, o.name, o.short_name, o.level, o.type, o.region_code,"
			  " o.credit_code, o.contact, o.opened_on, o.closed_on, o.version, up.depth"
			  " FROM up LEFT JOIN org o ON o.id = up.id AND up.depth = 0",
			  &st);
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
	rc = rbac_check_path(who, perm, path, n);
	if (!rc && (!exists || strcmp(out->opened_on, today) > 0))
		rc = ERR_NOTFOUND; /* no such org, or not open yet */
	return rc;
}

int org_within(struct app *a, int64_t ancestor, int64_t id, const char *as_of, bool *yes)
{
	char today[11];
	const char *d = date_or_today(as_of, today);
	struct conn *c = NULL;
	int rc = store_acquire(a->store, STORE_READ, &c);
	if (rc)
		return rc;
	rc = within_conn(c, ancestor, id, d, yes);
	store_release(c);
	return rc;
}

/* ---- create ---- */

static bool code_ok(const char *s)
{
	size_t n = strlen(s);
	if (n < 1 || n > ORG_CODE_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
		      ch == '.' || ch == '_' || ch == '-'))
			return false;
	}
	return true;
}

static bool text_ok(const char *s, size_t min_cp, size_t max_cp)
{
	size_t n = strlen(s);
	if (!utf8_valid(s, n, NULL))
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20)
			return false;
	size_t cp = utf8_count(s, n);
	return cp >= min_cp && cp <= max_cp;
}

static int audit_org(struct conn *c, const struct audit_entry *who, const char *action,
		     int64_t id, const char *detail)
{
	char oid[24];
	snprintf(oid, sizeof(oid), "%" PRId64, id);
	struct audit_entry e = *who;
	e.action = action;
	e.object_type = "org";
	e.object_id = oid;
	e.org_id = id;
	e.detail = detail;
	return audit_append(c, &e);
}

/* ---- org_tally: open orgs per subtree by level and type (see 0008_org_tally.sql) ---- */

/* Adds delta to (level, type) at org `from` and every org above it in the latest tree. */
static int tally_add(struct conn *c, int64_t from, const char *level, const char *type, int64_t delta)
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
static int tally_shift(struct conn *c, int64_t id, int64_t old_parent, int64_t new_parent)
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
		rc = tally_add(c, old_parent, rows[i].level, rows[i].type, -rows[i].n);
		if (!rc)
			rc = tally_add(c, new_parent, rows[i].level, rows[i].type, rows[i].n);
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

struct create_job {
	const struct org_input *in;
	const struct audit_entry *who;
	struct errlist *errs;
	char credit[19];
	const char *opened;
	int64_t id;
};

static int exists(struct conn *c, const char *sql, const char *v, bool *yes)
{
	struct stmt *st = NULL;
	int rc = conn_prepare(c, sql, &st);
	if (rc)
		return rc;
	stmt_bind_text(st, 1, v, strlen(v));
	rc = stmt_step(st);
	*yes = rc == STORE_ROW;
	stmt_done(st);
	return rc < 0 ? rc : 0;
}

static int create_tx(struct conn *c, void *arg)
{
	struct create_job *j = arg;
	const struct org_input *in = j->in;
	bool taken = false;
	int rc = exists(c, "SELECT 1 FROM org WHERE code = $1", in->code, &taken);
	if (rc)
		return rc;
	if (taken) {
		errlist_add(j->errs, "code", "taken", "another organization already has this code");
		return ERR_CONFLICT;
	}
	if (j->credit[0]) {
		rc = exists(c, "SELECT 1 FROM org WHERE credit_code = $1", j->credit, &taken);
		if (rc)
			return rc;
		if (taken) {
			errlist_add(j->errs, "credit_code", "taken",
				    "another organization already has this credit code");
			return ERR_CONFLICT;
		}
	}
	struct org parent = {0};
	bool national = !strcmp(in->level, "national");
	if (in->parent_code && *in->parent_code) {
		rc = load(c, 0, in->parent_code, j->opened, &parent);
		if (rc == ERR_NOTFOUND)
			return errlist_add(j->errs, "parent_code", "not_found",
					   "no organization with this code was open on opened_on");
		if (rc)
			return rc;
		if (parent.closed_on[0] && strcmp(parent.closed_on, j->opened) <= 0)
			return errlist_add(j->errs, "parent_code", "closed", "the parent organization is closed");
	} else if (!national) {
		return errlist_add(j->errs, "parent_code", "required",
				   "every organization below the national level needs a parent");
	}
	struct stmt *st = NULL;
	rc = conn_prepare(c,
			  "INSERT INTO org (code, name, short_name, level, type, region_code, credit_code,"
			  " contact, opened_on) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
			  &st);
	if (rc)
		return rc;
	const char *sn = in->short_name ? in->short_name : "";
	const char *contact = in->contact ? in->contact : "";
	stmt_bind_text(st, 1, in->code, strlen(in->code));
	stmt_bind_text(st, 2, in->name, strlen(in->name));
	stmt_bind_text(st, 3, sn, strlen(sn));
	stmt_bind_text(st, 4, in->level, strlen(in->level));
	stmt_bind_text(st, 5, in->type, strlen(in->type));
	if (in->region_code && *in->region_code)
		stmt_bind_text(st, 6, in->region_code, strlen(in->region_code));
	else
		stmt_bind_null(st, 6);
	if (j->credit[0])
		stmt_bind_text(st, 7, j->credit, strlen(j->credit));
	else
		stmt_bind_null(st, 7);
	stmt_bind_text(st, 8, contact, strlen(contact));
	stmt_bind_text(st, 9, j->opened, strlen(j->opened));
	rc = stmt_step(st);
	if (rc == STORE_ROW) {
		j->id = stmt_int64(st, 0);
		rc = 0;
	} else if (rc == STORE_DONE) {
		rc = ERR_DB;
	}
	stmt_done(st);
	if (rc)
		return rc;
	rc = conn_prepare(c, "INSERT INTO org_parent (org_id, parent_id, valid_from) VALUES ($1, $2, $3)", &st);
	if (rc)
		return rc;
	stmt_bind_int64(st, 1, j->id);
	if (parent.id)
		stmt_bind_int64(st, 2, parent.id);
	else
		stmt_bind_null(st, 2);
	stmt_bind_text(st, 3, j->opened, strlen(j->opened));
	rc = stmt_step(st);
	stmt_done(st);
	if (rc < 0)
		return rc;
	rc = tally_add(c, j->id, in->level, in->type, 1);
	if (rc)
		return rc;
	struct audit_diff d;
	audit_diff_init(&d);
	audit_diff_change(&d, "code", NULL, in->code);
	audit_diff_change(&d, "name", NULL, in->name);
	audit_diff_change(&d, "short_name", NULL, in->short_name);
	audit_diff_change(&d, "level", NULL, in->level);
	audit_diff_change(&d, "type", NULL, in->type);
	audit_diff_change(&d, "region_code", NULL, in->region_code);
	audit_diff_change(&d, "credit_code", NULL, j->credit);
	if (in->contact && *in->contact)
		audit_diff_secret(&d, "contact");
	audit_diff_change(&d, "opened_on", NULL, j->opened);
	audit_diff_change(&d, "parent", NULL, parent.id ? parent.code : NULL);
	return audit_org(c, j->who, "org.create", j->id, audit_diff_text(&d));
}

/* The checks that need no database; fills j's normalised credit code and date. */
static int create_check(const struct org_input *in, struct create_job *j, char today[11], struct errlist *errs)
{
	int bad = 0;
	if (!in->code || !code_ok(in->code))
		bad = errlist_add(errs, "code", "invalid_code", "1 to 32 letters, digits, '.', '_' or '-'");
	if (!in->name || !text_ok(in->name, 1, ORG_NAME_MAX))
		bad = errlist_add(errs, "name", "bad_length", "1 to 200 characters of text");
	if (in->short_name && !text_ok(in->short_name, 0, 64))
		bad = errlist_add(errs, "short_name", "bad_length", "at most 64 characters of text");
	if (in->contact && !text_ok(in->contact, 0, 60))
		bad = errlist_add(errs, "contact", "bad_length", "at most 60 characters of text");
	if (!in->level || !in_list(ORG_LEVELS, in->level))
		bad = errlist_add(errs, "level", "not_allowed", ORG_LEVELS);
	if (!in->type || !in_list(ORG_TYPES, in->type))
		bad = errlist_add(errs, "type", "not_allowed", ORG_TYPES);
	if (in->region_code && *in->region_code &&
	    (strlen(in->region_code) != 6 || strspn(in->region_code, "0123456789") != 6))
		bad = errlist_add(errs, "region_code", "invalid_code", "must be 6 digits (GB/T 2260)");
	if (in->credit_code && *in->credit_code &&
	    credit_code_normalize(in->credit_code, j->credit, sizeof(j->credit), "credit_code", errs))
		bad = ERR_UNPROCESSABLE;
	j->opened = date_or_today(in->opened_on, today);
	if (!date_valid(j->opened))
		bad = errlist_add(errs, "opened_on", "invalid_date", "must be a date YYYY-MM-DD");
	if (in->level && !strcmp(in->level, "national") && in->parent_code && *in->parent_code)
		bad = errlist_add(errs, "parent_code", "not_allowed", "the national level has no parent");
	return bad ? ERR_UNPROCESSABLE : 0;
}

struct create_call {
	const struct audit_entry *who;
	const struct org_input *in;
	struct errlist *errs;
	int64_t id;
};

static int create_call_tx(struct conn *c, void *arg)
{
	struct create_call *x = arg;
	return org_create_in(c, x->who, x->in, x->errs, &x->id);
}

int org_create(struct app *a, const struct audit_entry *who, const struct org_input *in,
	       struct errlist *errs, int64_t *id)
{
	struct create_call x = {.who = who, .in = in, .errs = errs};
	int rc = store_tx(a->store, create_call_tx, &x);
	if (!rc)
		*id = x.id;
	return rc;
}

int org_create_in(struct conn *c, const struct audit_entry *who, const struct org_input *in,
		  struct errlist *errs, int64_t *id)
{
	struct create_job j = {.in = in, .who = who, .errs = errs};
	char today[11];
	int rc = create_check(in, &j, today, errs);
	if (!rc)
		rc = create_tx(c, &j);
	if (!rc && errs->n)
		rc = ERR_UNPROCESSABLE; /* create_tx reports some refusals as field errors only */
	if (!rc)
		*id = j.id;
	return rc;
}

int org_load_in(struct conn *c, const char *code, struct org *out)
{
	char today[11];
	org_today(today);
	return load(c, 0, code, today, out);
}

/* ---- move ---- */

struct move_job {
	const struct audit_entry *who;
	int64_t id, parent, expect;
	const char *on;
	struct errlist *errs;
};

static int bump_version(struct conn *c, int64_t id)
{
	struct stmt *st = NULL;
	int rc = conn_prepare(c, "UPDATE org SET version = version + 1 WHERE id = $1", &st);
	if (rc)
		return rc;
	stmt_bind_int64(st, 1, id);
	rc = stmt_step(st);
	stmt_done(st);
	return rc < 0 ? rc : 0;
}


/* Loads id for a write as of `on`: must exist, be open and match the expected version. */
static int load_for_write(struct conn *c, int64_t id, const char *on, int64_t expect,
			  struct org *o)
{
	int rc = load(c, id, NULL, on, o);
	if (rc)
		return rc;
	if (expect > 0 && o->version != expect)
		return ERR_PRECONDITION;
	if (o->closed_on[0])
		return ERR_CONFLICT;
	return 0;
}

static int move_tx(struct conn *c, void *arg)
{
	struct move_job *j = arg;
	struct org o, p;
	int rc = load_for_write(c, j->id, j->on, j->expect, &o);
	if (rc == ERR_CONFLICT)
		errlist_add(j->errs, "", "closed", "a closed organization cannot move");
	if (rc)
		return rc;
	rc = load(c, j->parent, NULL, j->on, &p);
	if (rc == ERR_NOTFOUND)
		return errlist_add(j->errs, "parent_id", "not_found", "no such organization on that date");
	if (rc)
		return rc;
	if (p.closed_on[0] && strcmp(p.closed_on, j->on) <= 0) {
		errlist_add(j->errs, "parent_id", "closed", "the new parent is closed");
		return ERR_CONFLICT;
	}
	bool cycle = false;
	rc = within_conn(c, j->id, j->parent, j->on, &cycle);
	if (rc)
		return rc;
	if (cycle) {
		errlist_add(j->errs, "parent_id", "cycle",
			    "cannot move an organization under itself or one of its descendants");
		return ERR_CONFLICT;
	}
	/* the open-ended placement, whatever the date asked: history is only appended to */
	struct stmt *st = NULL;
	char current_from[11] = "";
	int64_t current_parent = 0;
	rc = conn_prepare(c, "SELECT valid_from, parent_id FROM org_parent WHERE org_id = $1 AND valid_to IS NULL", &st);
	if (rc)
		return rc;
	stmt_bind_int64(st, 1, j->id);
	if (stmt_step(st) == STORE_ROW) {
		str_copy(current_from, sizeof(current_from), stmt_text(st, 0, NULL));
		current_parent = stmt_int64(st, 1);
	}
	stmt_done(st);
	if (strcmp(j->on, current_from) < 0) {
		errlist_add(j->errs, "on", "before_current",
			    "a move cannot take effect before the current placement began");
		return ERR_CONFLICT;
	}
	if (current_parent == j->parent)
		return 0; /* already there: nothing to record */
	bool same_day = !strcmp(j->on, current_from);
	/* a second move on the same day replaces that day's placement; otherwise the current
	 * period ends where the new one begins */
	rc = conn_prepare(c, same_day ? "UPDATE org_parent SET parent_id = $3 WHERE org_id = $1 AND valid_from = $2"
				      : "UPDATE org_parent SET valid_to = $2 WHERE org_id = $1 AND valid_to IS NULL",
			  &st);
	if (rc)
		return rc;
	stmt_bind_int64(st, 1, j->id);
	stmt_bind_text(st, 2, j->on, strlen(j->on));
	if (same_day)
		stmt_bind_int64(st, 3, j->parent);
	rc = stmt_step(st);
	stmt_done(st);
	if (rc < 0)
		return rc;
	if (!same_day) {
		rc = conn_prepare(c, "INSERT INTO org_parent (org_id, parent_id, valid_from) VALUES ($1, $2, $3)", &st);
		if (rc)
			return rc;
		stmt_bind_int64(st, 1, j->id);
		stmt_bind_int64(st, 2, j->parent);
		stmt_bind_text(st, 3, j->on, strlen(j->on));
		rc = stmt_step(st);
		stmt_done(st);
		if (rc < 0)
			return rc;
	}
	rc = tally_shift(c, j->id, current_parent, j->parent);
	if (!rc)
		rc = bump_version(c, j->id);
	if (rc)
		return rc;
	char old_parent[24], new_parent[24];
	snprintf(old_parent, sizeof(old_parent), "%" PRId64, current_parent);
	snprintf(new_parent, sizeof(new_parent), "%" PRId64, p.id);
	struct audit_diff d;
	audit_diff_init(&d);
	audit_diff_change(&d, "parent_id", current_parent ? old_parent : NULL, new_parent);
	audit_diff_str(&d, "parent_code", p.code);
	audit_diff_str(&d, "from", j->on);
	return audit_org(c, j->who, "org.move", j->id, audit_diff_text(&d));
}

int org_move_in(struct conn *c, const struct audit_entry *who, int64_t id, int64_t new_parent,
		struct errlist *errs)
{
	char today[11];
	struct move_job j = {.who = who, .id = id, .parent = new_parent, .on = date_or_today(NULL, today),
			     .errs = errs};
	if (id == new_parent) {
		errlist_add(errs, "parent_id", "cycle", "an organization cannot be its own parent");
		return ERR_CONFLICT;
	}
	int rc = move_tx(c, &j);
	return !rc && errs->n ? ERR_UNPROCESSABLE : rc;
}

int org_move(struct app *a, const struct audit_entry *who, int64_t id, int64_t new_parent,
	     const char *on, int64_t expect_version, struct errlist *errs)
{
	char today[11];
	struct move_job j = {.who = who, .id = id, .parent = new_parent, .expect = expect_version,
			     .on = date_or_today(on, today), .errs = errs};
	if (!date_valid(j.on))
		return errlist_add(errs, "on", "invalid_date", "must be a date YYYY-MM-DD");
	if (id == new_parent) {
		errlist_add(errs, "parent_id", "cycle", "an organization cannot be its own parent");
		return ERR_CONFLICT;
	}
	return store_tx(a->store, move_tx, &j);
}

/* ---- close ---- */


struct close_job {
	const struct audit_entry *who;
	int64_t id, expect;
	const char *on;
	bool branch;
	struct errlist *errs;
	int closed;
};

static int close_tx(struct conn *c, void *arg)
{
	struct close_job *j = arg;
	struct org o;
	int rc = load_for_write(c, j->id, j->on, j->expect, &o);
	if (rc == ERR_CONFLICT)
		errlist_add(j->errs, "", "closed", "the organization is already closed");
	if (rc)
		return rc;
	struct stmt *st = NULL;
	int64_t open_below = 0;
	rc = conn_prepare(c, ORG_SUBTREE_CTE " SELECT count(*) FROM down JOIN org o ON o.id = down.id"
				      " WHERE down.id <> $1 AND o.closed_on IS NULL", &st);
	if (rc)
		return rc;
	stmt_bind_int64(st, 1, j->id);
	stmt_bind_text(st, 2, j->on, strlen(j->on));
	if (stmt_step(st) == STORE_ROW)
		open_below = stmt_int64(st, 0);
	stmt_done(st);
	if (open_below > 0 && !j->branch) {
		char msg[160];
		snprintf(msg, sizeof(msg),
			 "%" PRId64 " organizations below are still open: close them first or close the whole branch",
			 open_below);
		errlist_add(j->errs, "branch", "open_children", msg);
		return ERR_CONFLICT;
	}
	/* the tally: the branch's open orgs leave every org above it; its own rows go */
	int64_t parent = 0;
	rc = conn_prepare(c, "SELECT parent_id FROM org_parent WHERE org_id = $1 AND valid_to IS NULL", &st);
	if (rc)
		return rc;
	stmt_bind_int64(st, 1, j->id);
	if (stmt_step(st) == STORE_ROW)
		parent = stmt_int64(st, 0);
	stmt_done(st);
	rc = tally_shift(c, j->id, parent, 0);
	if (rc)
		return rc;
	rc = conn_prepare(c, ORG_SUBTREE_CTE " DELETE FROM org_tally WHERE org_id IN (SELECT id FROM down)", &st);
	if (rc)
		return rc;
	stmt_bind_int64(st, 1, j->id);
	stmt_bind_text(st, 2, j->on, strlen(j->on));
	rc = stmt_step(st);
	stmt_done(st);
	if (rc < 0)
		return rc;
	rc = conn_prepare(c, ORG_SUBTREE_CTE " UPDATE org SET closed_on = $3, version = version + 1"
				      " WHERE id IN (SELECT id FROM down) AND closed_on IS NULL", &st);
	if (rc)
		return rc;
	stmt_bind_int64(st, 1, j->id);
	stmt_bind_text(st, 2, j->on, strlen(j->on));
	stmt_bind_text(st, 3, j->on, strlen(j->on));
	rc = stmt_step(st);
	stmt_done(st);
	if (rc < 0)
		return rc;
	j->closed = (int)open_below + 1;
	struct audit_diff d;
	audit_diff_init(&d);
	audit_diff_change(&d, "closed_on", NULL, j->on);
	audit_diff_int(&d, "orgs_closed", j->closed);
	audit_diff_str(&d, "scope", j->branch ? "branch" : "one");
	return audit_org(c, j->who, "org.close", j->id, audit_diff_text(&d));
}

int org_close(struct app *a, const struct audit_entry *who, int64_t id, const char *on,
	      bool branch, int64_t expect_version, struct errlist *errs, int *closed)
{
	char today[11];
	struct close_job j = {.who = who, .id = id, .expect = expect_version,
			      .on = date_or_today(on, today), .branch = branch, .errs = errs};
	*closed = 0;
	if (!date_valid(j.on))
		return errlist_add(errs, "on", "invalid_date", "must be a date YYYY-MM-DD");
	int rc = store_tx(a->store, close_tx, &j);
	if (!rc)
		*closed = j.closed;
	return rc;
}

/* ---- update, history ---- */

struct update_job {
	const struct audit_entry *who;
	const struct org_input *in;
	int64_t id, expect;
	char credit[19];
	struct errlist *errs;
};

/* Appends "field" to the changed list when the new value differs from the old. */
/* Field changed from old to nw (NULL = not given, so unchanged)? Adds it to the diff. */
static void note_change(struct audit_diff *d, const char *field, const char *old, const char *nw,
			bool sensitive)
{
	if (!nw || !strcmp(old, nw))
		return;
	if (sensitive)
		audit_diff_secret(d, field);
	else
		audit_diff_change(d, field, old, nw);
}

static void bind_opt_text(struct stmt *st, int idx, const char *v)
{
	if (v && *v)
		stmt_bind_text(st, idx, v, strlen(v));
	else
		stmt_bind_null(st, idx);
}

static int update_tx(struct conn *c, void *arg)
{
	struct update_job *j = arg;
	char today[11];
	struct org o;
	int rc = load(c, j->id, NULL, date_or_today(NULL, today), &o);
	if (rc)
		return rc;
	if (o.version != j->expect)
		return ERR_PRECONDITION;
	const struct org_input *in = j->in;
	const char *credit = in->credit_code ? (*in->credit_code ? j->credit : "") : o.credit_code;
	if (*credit && strcmp(credit, o.credit_code)) {
		bool taken = false;
		rc = exists(c, "SELECT 1 FROM org WHERE credit_code = $1", credit, &taken);
		if (rc)
			return rc;
		if (taken) {
			errlist_add(j->errs, "credit_code", "taken", "another organization already has this credit code");
			return ERR_CONFLICT;
		}
	}
	struct audit_diff d;
	audit_diff_init(&d);
	note_change(&d, "name", o.name, in->name, false);
	note_change(&d, "short_name", o.short_name, in->short_name, false);
	note_change(&d, "type", o.type, in->type, false);
	note_change(&d, "region_code", o.region_code, in->region_code, false);
	note_change(&d, "credit_code", o.credit_code, credit, false);
	note_change(&d, "contact", o.contact, in->contact, true); /* a person and a phone number */
	if (!audit_diff_count(&d))
		return 0; /* nothing to change: no version bump, no record */
	if (in->type && strcmp(in->type, o.type)) {
		rc = tally_add(c, j->id, o.level, o.type, -1);
		if (!rc)
			rc = tally_add(c, j->id, o.level, in->type, 1);
		if (rc)
			return rc;
	}
	struct stmt *st = NULL;
	rc = conn_prepare(c,
			  "UPDATE org SET name = $2, short_name = $3, type = $4, region_code = $5,"
			  " credit_code = $6, contact = $7, version = version + 1 WHERE id = $1 AND version = $8",
			  &st);
	if (rc)
		return rc;
	const char *name = in->name ? in->name : o.name, *sn = in->short_name ? in->short_name : o.short_name;
	const char *type = in->type ? in->type : o.type, *contact = in->contact ? in->contact : o.contact;
	stmt_bind_int64(st, 1, j->id);
	stmt_bind_text(st, 2, name, strlen(name));
	stmt_bind_text(st, 3, sn, strlen(sn));
	stmt_bind_text(st, 4, type, strlen(type));
	bind_opt_text(st, 5, in->region_code ? in->region_code : o.region_code);
	bind_opt_text(st, 6, credit);
	stmt_bind_text(st, 7, contact, strlen(contact));
	stmt_bind_int64(st, 8, j->expect);
	rc = stmt_step(st);
	stmt_done(st);
	if (rc < 0)
		return rc;
	return audit_org(c, j->who, "org.update", j->id, audit_diff_text(&d));
}

static int update_check(const struct org_input *in, struct update_job *j, struct errlist *errs)
{
	int bad = 0;
	if (in->name && !text_ok(in->name, 1, ORG_NAME_MAX))
		bad = errlist_add(errs, "name", "bad_length", "1 to 200 characters of text");
	if (in->short_name && !text_ok(in->short_name, 0, 64))
		bad = errlist_add(errs, "short_name", "bad_length", "at most 64 characters of text");
	if (in->contact && !text_ok(in->contact, 0, 60))
		bad = errlist_add(errs, "contact", "bad_length", "at most 60 characters of text");
	if (in->type && !in_list(ORG_TYPES, in->type))
		bad = errlist_add(errs, "type", "not_allowed", ORG_TYPES);
	if (in->region_code && *in->region_code &&
	    (strlen(in->region_code) != 6 || strspn(in->region_code, "0123456789") != 6))
		bad = errlist_add(errs, "region_code", "invalid_code", "must be 6 digits (GB/T 2260)");
	if (in->credit_code && *in->credit_code &&
	    credit_code_normalize(in->credit_code, j->credit, sizeof(j->credit), "credit_code", errs))
		bad = ERR_UNPROCESSABLE;
	return bad ? ERR_UNPROCESSABLE : 0;
}

int org_update(struct app *a, const struct audit_entry *who, int64_t id, const struct org_input *in,
	       int64_t expect_version, struct errlist *errs)
{
	struct update_job j = {.who = who, .in = in, .id = id, .expect = expect_version, .errs = errs};
	int rc = update_check(in, &j, errs);
	if (rc)
		return rc;
	if (expect_version < 1)
		return ERR_PRECOND_REQUIRED;
	return store_tx(a->store, update_tx, &j);
}

int org_update_in(struct conn *c, const struct audit_entry *who, int64_t id, const struct org_input *in,
		  int64_t expect_version, struct errlist *errs)
{
	struct update_job j = {.who = who, .in = in, .id = id, .expect = expect_version, .errs = errs};
	int rc = update_check(in, &j, errs);
	return rc ? rc : update_tx(c, &j);
}

static int periods(struct app *a, const char *sql, int64_t id,
		   int (*fn)(const struct org_period *p, void *arg), void *arg)
{
	struct conn *c = NULL;
	struct stmt *st = NULL;
	int rc = store_acquire(a->store, STORE_READ, &c);
	if (rc)
		return rc;
	rc = conn_prepare(c, sql, &st);
	if (!rc) {
		stmt_bind_int64(st, 1, id);
		while ((rc = stmt_step(st)) == STORE_ROW) {
			struct org_period p;
			memset(&p, 0, sizeof(p));
			str_copy(p.from, sizeof(p.from), stmt_text(st, 0, NULL));
			str_copy(p.to, sizeof(p.to), stmt_text(st, 1, NULL));
			p.parent_id = stmt_int64(st, 2);
			str_copy(p.parent_code, sizeof(p.parent_code), stmt_text(st, 3, NULL));
			str_copy(p.parent_name, sizeof(p.parent_name), stmt_text(st, 4, NULL));
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

int org_history(struct app *a, int64_t id, int (*fn)(const struct org_period *p, void *arg), void *arg)
{
	return periods(a,
		       "SELECT h.valid_from, h.valid_to, h.parent_id, p.code, p.name FROM org_parent h"
		       " LEFT JOIN org p ON p.id = h.parent_id WHERE h.org_id = $1 ORDER BY h.valid_from",
		       id, fn, arg);
}

int org_links(struct app *a, int64_t id, int (*fn)(const struct org_period *p, void *arg), void *arg)
{
	return periods(a,
		       "SELECT l.valid_from, l.valid_to, l.guide_id, g.code, g.name FROM org_link l"
		       " JOIN org g ON g.id = l.guide_id WHERE l.org_id = $1 ORDER BY l.valid_from, g.code",
		       id, fn, arg);
}

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
	const char *d = date_or_today(f->as_of, today);
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
	rc = conn_prepare(c,
			  ORG_SUBTREE_CTE " " ORG_COLS "JOIN down dn ON dn.id = o.id"
			  " WHERE o.opened_on <= $2 AND ($3 = 1 OR o.closed_on IS NULL OR o.closed_on > $2)"
			  " AND (CAST($4 AS TEXT) IS NULL OR o.code LIKE $4 ESCAPE '\\' OR o.name LIKE $5 ESCAPE '\\')"
			  " AND (CAST($6 AS TEXT) IS NULL OR o.level = $6)"
			  " AND (CAST($7 AS TEXT) IS NULL OR o.type = $7)"
			  " AND o.code > $8 ORDER BY o.code LIMIT $9",
			  &st);
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
		rc = collect(st, out, max, n);
	}
	stmt_done(st);
	store_release(c);
	return rc;
}

/* ---- links, counts ---- */

struct link_job {
	const struct audit_entry *who;
	int64_t id, guide;
	const char *on;
	struct errlist *errs;
};

static int link_tx(struct conn *c, void *arg)
{
	struct link_job *j = arg;
	struct org o, g;
	int rc = load(c, j->id, NULL, j->on, &o);
	if (!rc)
		rc = load(c, j->guide, NULL, j->on, &g);
	if (rc == ERR_NOTFOUND)
		return errlist_add(j->errs, "guide_id", "not_found", "no such organization on that date");
	if (rc)
		return rc;
	struct stmt *st = NULL;
	rc = conn_prepare(c, "INSERT INTO org_link (org_id, guide_id, valid_from) VALUES ($1, $2, $3)", &st);
	if (rc)
		return rc;
	stmt_bind_int64(st, 1, j->id);
	stmt_bind_int64(st, 2, j->guide);
	stmt_bind_text(st, 3, j->on, strlen(j->on));
	rc = stmt_step(st);
	stmt_done(st);
	if (rc == ERR_CONFLICT)
		errlist_add(j->errs, "guide_id", "taken", "this link already exists from that date");
	if (rc < 0)
		return rc;
	struct audit_diff d;
	audit_diff_init(&d);
	audit_diff_change(&d, "guided_by", NULL, g.code);
	audit_diff_str(&d, "from", j->on);
	return audit_org(c, j->who, "org.link", j->id, audit_diff_text(&d));
}

int org_link_add(struct app *a, const struct audit_entry *who, int64_t id, int64_t guide,
		 const char *on, struct errlist *errs)
{
	char today[11];
	struct link_job j = {.who = who, .id = id, .guide = guide, .on = date_or_today(on, today), .errs = errs};
	if (id == guide)
		return errlist_add(errs, "guide_id", "cycle", "an organization cannot guide itself");
	return store_tx(a->store, link_tx, &j);
}

static void count_add(struct org_counts *out, const char *level, const char *type, int64_t n)
{
	int k = level_index(level);
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
	if (!rc)
		rc = conn_prepare(c,
				  out->from_tally
					  ? "SELECT level, type, n FROM org_tally WHERE org_id = $1 AND n > 0"
					    " AND CAST($2 AS TEXT) IS NOT NULL"
					  : ORG_SUBTREE_CTE " SELECT o.level, o.type, count(*) FROM down JOIN org o ON o.id = down.id"
						     " WHERE o.opened_on <= $2 AND (o.closed_on IS NULL OR o.closed_on > $2)"
						     " GROUP BY o.level, o.type",
				  &st);
	if (!rc) {
		stmt_bind_int64(st, 1, root);
		stmt_bind_text(st, 2, d, strlen(d));
		while ((rc = stmt_step(st)) == STORE_ROW)
			count_add(out, stmt_text(st, 0, NULL), stmt_text(st, 1, NULL), stmt_int64(st, 2));
		rc = rc < 0 ? rc : 0;
	}
	stmt_done(st);
	store_release(c);
	return rc;
}

/* ---- demo ---- */

struct demo_org {
	const char *code, *name, *level, *type, *parent, *region;
};

int org_seed_demo(struct app *a, const struct audit_entry *who, int *created)
{
	/* invented names: 东川省, 西岭省, 南湖省 and their cities do not exist */
	static const struct demo_org base[] = {
		{"CAST", "中国科学技术协会", "national", "association", NULL, NULL},
		{"DC", "东川省科学技术协会", "provincial", "association", "CAST", "110000"},
		{"XL", "西岭省科学技术协会", "provincial", "association", "CAST", "310000"},
		{"NH", "南湖省科学技术协会", "provincial", "association", "CAST", "440000"},
		{"S-MECH", "中国示范力学学会", "national", "society", NULL, NULL},
		{"S-AGRI", "中国农业技术推广学会", "national", "society", NULL, NULL},
		{"S-MED", "中国基层医学学会", "national", "society", NULL, NULL},
		{"S-INFO", "中国信息工程学会", "national", "society", NULL, NULL},
		{"S-ENV", "中国生态环境学会", "national", "society", NULL, NULL},
	};
	static const char *const provinces[] = {"DC", "XL", "NH"};
	static const char *const pnames[] = {"东川", "西岭", "南湖"};
	static const char *const cities[] = {"临江", "青石"};
	static const char *const counties[] = {"安平", "河口"};
	static const struct {
		const char *suffix, *name, *type;
	} units[] = {
		{"ENT", "%s县精工机械有限公司科协", "enterprise"},
		{"UNI", "%s学院科协", "university"},
		{"PARK", "%s高新技术产业园区科协", "park"},
		{"INST", "%s农业科学研究所科协", "institute"},
		{"HOSP", "%s县人民医院科协", "hospital"},
		{"VIL", "%s镇桃园村农技协", "village"},
		{"COM", "%s街道社区科普协会", "community"},
	};
	struct org probe;
	*created = 0;
	if (org_get_by_code(a, "CAST", NULL, &probe) == 0)
		return 0;
	const char *opened = "2015-01-01";
	int rc = 0;
	int64_t id = 0;
	struct errlist errs;
#define MAKE(CODE, NAME, LEVEL, TYPE, PARENT, REGION)                                     	do {                                                                                  		struct org_input in = {.code = (CODE), .name = (NAME), .level = (LEVEL),      				       .type = (TYPE), .parent_code = (PARENT),               				       .region_code = (REGION), .opened_on = opened};         		errlist_init(&errs);                                                          		rc = org_create(a, who, &in, &errs, &id);                                     		if (rc)                                                                       			return rc;                                                            		(*created)++;                                                                 	} while (0)
	for (size_t i = 0; i < sizeof(base) / sizeof(base[0]); i++)
		MAKE(base[i].code, base[i].name, base[i].level, base[i].type, base[i].parent,
		     base[i].region);
	/* national societies are roots of their own, guided by the national association */
	struct org cast;
	rc = org_get_by_code(a, "CAST", NULL, &cast);
	for (size_t i = 0; !rc && i < sizeof(base) / sizeof(base[0]); i++) {
		struct org s;
		if (strcmp(base[i].type, "society") || org_get_by_code(a, base[i].code, NULL, &s))
			continue;
		errlist_init(&errs);
		rc = org_link_add(a, who, s.id, cast.id, opened, &errs);
	}
	if (rc)
		return rc;
	for (int p = 0; p < 3; p++) {
		char code[160], name[200], soc[40];
		/* a provincial society guided by a national society */
		snprintf(soc, sizeof(soc), "%s-S-MECH", provinces[p]);
		snprintf(name, sizeof(name), "%s省力学学会", pnames[p]);
		MAKE(soc, name, "provincial", "society", provinces[p], NULL);
		struct org g;
		if (org_get_by_code(a, "S-MECH", NULL, &g) == 0) {
			errlist_init(&errs);
			rc = org_link_add(a, who, id, g.id, opened, &errs);
			if (rc)
				return rc;
		}
		for (int ci = 0; ci < 2; ci++) {
			char city[64];
			snprintf(city, sizeof(city), "%s-C%d", provinces[p], ci + 1);
			snprintf(name, sizeof(name), "%s市科学技术协会", cities[ci]);
			MAKE(city, name, "city", "association", provinces[p], NULL);
			for (int k = 0; k < 2; k++) {
				char county[96], town[128];
				snprintf(county, sizeof(county), "%s-K%d", city, k + 1);
				snprintf(name, sizeof(name), "%s县科学技术协会", counties[k]);
				MAKE(county, name, "county", "association", city, NULL);
				snprintf(town, sizeof(town), "%s-T1", county);
				snprintf(name, sizeof(name), "%s镇科普协会", counties[k]);
				MAKE(town, name, "township", "association", county, NULL);
				/* grassroots units spread over the counties so every type appears */
				size_t u = (size_t)(p * 4 + ci * 2 + k) % (sizeof(units) / sizeof(units[0]));
				for (size_t m = 0; m < 2; m++) {
					size_t t = (u + m) % (sizeof(units) / sizeof(units[0]));
					snprintf(code, sizeof(code), "%s-%s", county, units[t].suffix);
					snprintf(name, sizeof(name), units[t].name, counties[k]);
					MAKE(code, name, "grassroots", units[t].type, m ? town : county, NULL);
				}
			}
		}
	}
#undef MAKE
	return 0;
}

/* ---- benchmark data ---- */

struct gen_org_job {
	const struct audit_entry *who;
	int n, created;
	int64_t root;
};

static int gen_insert(struct conn *c, const char *code, const char *level, const char *type,
		      int64_t parent, int64_t *id)
{
	struct stmt *st = NULL;
	int rc = conn_prepare(c, "INSERT INTO org (code, name, level, type, opened_on)"
				 " VALUES ($1, $1, $2, $3, '2015-01-01') RETURNING id", &st);
	if (rc)
		return rc;
	stmt_bind_text(st, 1, code, strlen(code));
	stmt_bind_text(st, 2, level, strlen(level));
	stmt_bind_text(st, 3, type, strlen(type));
	rc = stmt_step(st);
	if (rc == STORE_ROW)
		*id = stmt_int64(st, 0);
	stmt_done(st);
	if (rc != STORE_ROW)
		return rc < 0 ? rc : ERR_DB;
	rc = conn_prepare(c, "INSERT INTO org_parent (org_id, parent_id, valid_from) VALUES ($1, $2, '2015-01-01')", &st);
	if (rc)
		return rc;
	stmt_bind_int64(st, 1, *id);
	stmt_bind_int64(st, 2, parent);
	rc = stmt_step(st);
	stmt_done(st);
	return rc < 0 ? rc : 0;
}

static int gen_org_tx(struct conn *c, void *arg)
{
	struct gen_org_job *j = arg;
	/* fan-out per level: 31 provinces x 12 cities x 9 counties x 6 townships x k grassroots */
	static const int fan[] = {31, 12, 9, 6};
	static const char *const levels[] = {"provincial", "city", "county", "township", "grassroots"};
	int64_t ids[5] = {0};
	int idx[5] = {0};
	char code[96];
	int rc = 0;
	const int towns = 31 * 12 * 9 * 6, above = 31 + 31 * 12 + 31 * 12 * 9 + towns;
	int per_town = (j->n - above + towns - 1) / towns; /* round up; the loops stop at n */
	if (per_town < 1)
		per_town = 1;
	for (idx[0] = 0; !rc && idx[0] < fan[0] && j->created < j->n; idx[0]++) {
		snprintf(code, sizeof(code), "G%d", idx[0]);
		rc = gen_insert(c, code, levels[0], "association", j->root, &ids[0]);
		j->created += !rc;
		for (idx[1] = 0; !rc && idx[1] < fan[1] && j->created < j->n; idx[1]++) {
			snprintf(code, sizeof(code), "G%d.%d", idx[0], idx[1]);
			rc = gen_insert(c, code, levels[1], "association", ids[0], &ids[1]);
			j->created += !rc;
			for (idx[2] = 0; !rc && idx[2] < fan[2] && j->created < j->n; idx[2]++) {
				snprintf(code, sizeof(code), "G%d.%d.%d", idx[0], idx[1], idx[2]);
				rc = gen_insert(c, code, levels[2], "association", ids[1], &ids[2]);
				j->created += !rc;
				for (idx[3] = 0; !rc && idx[3] < fan[3] && j->created < j->n; idx[3]++) {
					snprintf(code, sizeof(code), "G%d.%d.%d.%d", idx[0], idx[1], idx[2], idx[3]);
					rc = gen_insert(c, code, levels[3], "association", ids[2], &ids[3]);
					j->created += !rc;
					for (int g = 0; !rc && g < per_town && j->created < j->n; g++) {
						snprintf(code, sizeof(code), "G%d.%d.%d.%d.%d", idx[0], idx[1], idx[2], idx[3], g);
						rc = gen_insert(c, code, levels[4], "enterprise", ids[3], &ids[4]);
						j->created += !rc;
					}
				}
			}
		}
	}
	if (rc)
		return rc;
	char detail[64];
	snprintf(detail, sizeof(detail), "{\"generated\":%d}", j->created);
	return audit_org(c, j->who, "org.generate", j->root, detail);
}

int org_generate(struct app *a, const struct audit_entry *who, int n, int *created)
{
	struct org root;
	*created = 0;
	int rc = org_get_by_code(a, "CAST", NULL, &root);
	if (rc)
		return rc;
	struct gen_org_job j = {.who = who, .n = n, .root = root.id};
	rc = store_tx(a->store, gen_org_tx, &j);
	if (!rc)
		*created = j.created;
	return rc ? rc : org_tally_rebuild(a); /* one pass instead of a walk per row */
}
