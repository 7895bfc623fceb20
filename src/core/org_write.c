/*
 * org_write.c - changes to the organization tree: create, move, close, update, guided-by
 * links (see org.h). Each runs in one transaction with its audit record and keeps the tree's
 * index (closure, dated counts, name index: org_index_sync in org_tally.c) in step.
 */
#include "core/org.h"
#include "core/org_int.h"
#include "core/rbac.h"
#include "core/codes.h"
#include "core/names.h"
#include "base/timeutil.h"
#include "base/utf8.h"
#include "store/store.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* Checks a text field given (s non-NULL) or required (min_cp > 0): the field error says
 * which rule failed (required, too_long with params.max, control_character). Returns 0
 * or ERR_UNPROCESSABLE. */
static int check_text(struct errlist *errs, const char *field, const char *s, size_t min_cp, size_t max_cp)
{
	size_t n = s ? strlen(s) : 0;
	if (!n && min_cp)
		return errlist_add(errs, field, "required", "is required");
	if (!s)
		return 0;
	if (!utf8_valid(s, n, NULL))
		return errlist_add(errs, field, "invalid_utf8", "is not valid UTF-8");
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20)
			return errlist_add(errs, field, "control_character",
					   "must not hold control characters");
	size_t cp = utf8_count(s, n);
	if (cp < min_cp) {
		errlist_add(errs, field, "too_short", "is too short");
		return errlist_param_int(errs, "min", (long long)min_cp);
	}
	if (cp > max_cp) {
		char msg[64];
		snprintf(msg, sizeof(msg), "at most %zu characters", max_cp);
		errlist_add(errs, field, "too_long", msg);
		return errlist_param_int(errs, "max", (long long)max_cp);
	}
	return 0;
}

#define ORG_SHORT_MAX 64 /* code points */

/* The name and short name through the one name normaliser (core/names.h) into name and
 * short_name (the job's buffers); *norm becomes in with those. 0, ERR_UNPROCESSABLE with
 * the field errors in errs, or ERR_NOMEM / ERR_INTERNAL. */
static int org_names(const struct org_input *in, bool create, struct org_input *norm,
		     char name[ORG_NAME_MAX * 4 + 1], char short_name[ORG_SHORT_MAX * 4 + 1],
		     struct errlist *errs)
{
	int bad = 0, rc;
	*norm = *in;
	if (in->name || create) {
		rc = name_normalize(in->name, in->name ? strlen(in->name) : 0, NAME_OFFICIAL, 1, ORG_NAME_MAX,
				    name, ORG_NAME_MAX * 4 + 1, "name", errs);
		if (rc && rc != ERR_UNPROCESSABLE)
			return rc;
		bad |= rc;
		norm->name = name;
	}
	if (in->short_name) {
		rc = name_normalize(in->short_name, strlen(in->short_name), NAME_OFFICIAL, 0, ORG_SHORT_MAX,
				    short_name, ORG_SHORT_MAX * 4 + 1, "short_name", errs);
		if (rc && rc != ERR_UNPROCESSABLE)
			return rc;
		bad |= rc;
		norm->short_name = short_name;
	}
	return bad ? ERR_UNPROCESSABLE : 0;
}

struct create_job {
	const struct org_input *in; /* after create_check: norm */
	const struct audit_entry *who;
	struct errlist *errs;
	struct org_input norm;
	char name[ORG_NAME_MAX * 4 + 1], short_name[ORG_SHORT_MAX * 4 + 1];
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

/* How many levels the branch of id reaches below it as of date (0 for a leaf). */
static int branch_height(struct conn *c, int64_t id, const char *date, int64_t *height)
{
	struct stmt *st = NULL;
	*height = 0;
	int rc = conn_prepare(c, ORG_SUBTREE_CTE " SELECT max(depth) FROM down", &st);
	if (rc)
		return rc;
	stmt_bind_int64(st, 1, id);
	stmt_bind_text(st, 2, date, strlen(date));
	rc = stmt_step(st);
	if (rc == STORE_ROW)
		*height = stmt_int64(st, 0);
	stmt_done(st);
	return rc < 0 ? rc : 0;
}

/* The one depth check (create, move, and the import through them): may a branch `height`
 * levels deep (0: a single org) hang under `parent` as of date? Its deepest org would
 * have the parent's chain, plus itself and the levels between, on its chain; more than
 * ORG_DEPTH_MAX is refused with a field error, because every walk of the tree stops at 64
 * steps and would lose it. */
static int depth_check(struct conn *c, int64_t parent, int64_t height, const char *date, const char *field,
		       struct errlist *errs)
{
	int64_t path[ORG_PATH_MAX];
	int n = 0;
	int rc = org_path_conn(c, parent, date, path, &n);
	if (rc)
		return rc;
	if (n + 1 + height > ORG_DEPTH_MAX) {
		char msg[160];
		snprintf(msg, sizeof(msg),
			 "the tree may be at most %d levels deep; this would make it %" PRId64, ORG_DEPTH_MAX,
			 n + 1 + height);
		return errlist_add(errs, field, "too_deep", msg);
	}
	return 0;
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
	const char *pfield = in->parent_id > 0 ? "parent_id" : "parent_code";
	if (in->parent_id > 0 || (in->parent_code && *in->parent_code)) {
		rc = in->parent_id > 0 ? org_load_conn(c, in->parent_id, NULL, j->opened, &parent)
				       : org_load_conn(c, 0, in->parent_code, j->opened, &parent);
		if (rc == ERR_NOTFOUND)
			return errlist_add(j->errs, pfield, "not_found",
					   "no such organization was open on opened_on");
		if (rc)
			return rc;
		if (parent.closed_on[0] && strcmp(parent.closed_on, j->opened) <= 0)
			return errlist_add(j->errs, pfield, "closed", "the parent organization is closed");
		rc = depth_check(c, parent.id, 0, j->opened, pfield, j->errs);
		if (rc)
			return rc;
	} else if (!national) {
		return errlist_add(j->errs, pfield, "required",
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
	rc = conn_prepare(c, "INSERT INTO org_parent (org_id, parent_id, valid_from) VALUES ($1, $2, $3)",
			  &st);
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
	rc = org_index_sync(c, j->id, false);
	if (rc)
		return rc;
	struct audit_diff d;
	org_create_diff(in, j->credit, j->opened, parent.id ? parent.code : NULL, &d);
	return audit_object(c, j->who, "org.create", "org", j->id, j->id, audit_diff_text(&d));
}

void org_create_diff(const struct org_input *in, const char *credit, const char *opened,
		     const char *parent_code, struct audit_diff *d)
{
	audit_diff_init(d);
	audit_diff_change(d, "code", NULL, in->code);
	audit_diff_change(d, "name", NULL, in->name);
	audit_diff_change(d, "short_name", NULL, in->short_name);
	audit_diff_change(d, "level", NULL, in->level);
	audit_diff_change(d, "type", NULL, in->type);
	audit_diff_change(d, "region_code", NULL, in->region_code);
	audit_diff_change(d, "credit_code", NULL, credit);
	if (in->contact && *in->contact)
		audit_diff_secret(d, "contact");
	audit_diff_change(d, "opened_on", NULL, opened);
	audit_diff_change(d, "parent", NULL, parent_code);
}

/* The checks that need no database; fills j's normalised credit code and date. */
static int create_check(const struct org_input *in, struct create_job *j, char today[11],
			struct errlist *errs)
{
	int bad = 0;
	if (!in->code || !code_ok(in->code))
		bad = errlist_add(errs, "code", "invalid_code", "1 to 32 letters, digits, '.', '_' or '-'");
	int nrc = org_names(in, true, &j->norm, j->name, j->short_name, errs);
	if (nrc && nrc != ERR_UNPROCESSABLE)
		return nrc;
	if (nrc)
		bad = nrc;
	j->in = &j->norm;
	if (check_text(errs, "contact", in->contact, 0, 60))
		bad = ERR_UNPROCESSABLE;
	if (!codeset_has(&codelist_org_level, in->level))
		bad = codelist_refuse(errs, "level", &codelist_org_level);
	if (!codeset_has(&codelist_org_type, in->type))
		bad = codelist_refuse(errs, "type", &codelist_org_type);
	if (in->region_code && *in->region_code &&
	    (strlen(in->region_code) != 6 || strspn(in->region_code, "0123456789") != 6))
		bad = errlist_add(errs, "region_code", "invalid_code", "must be 6 digits (GB/T 2260)");
	if (in->credit_code && *in->credit_code &&
	    credit_code_normalize(in->credit_code, j->credit, sizeof(j->credit), "credit_code", errs))
		bad = ERR_UNPROCESSABLE;
	org_today(today);
	j->opened = in->opened_on && *in->opened_on ? in->opened_on : today;
	if (!date_valid(j->opened))
		bad = errlist_add(errs, "opened_on", "invalid_date", "must be a date YYYY-MM-DD");
	else if (strcmp(j->opened, today) > 0)
		/* an org that opens later would exist for nobody until then: refused, never half made */
		bad = errlist_add(errs, "opened_on", "future", "an organization cannot open after today");
	if (in->level && !strcmp(in->level, "national") &&
	    ((in->parent_code && *in->parent_code) || in->parent_id > 0))
		bad = errlist_add(errs, in->parent_id > 0 ? "parent_id" : "parent_code", "not_allowed",
				  "the national level has no parent");
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

int org_create(struct app *a, const struct audit_entry *who, const struct org_input *in, struct errlist *errs,
	       int64_t *id)
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
	return org_load_conn(c, 0, code, today, out);
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
static int load_for_write(struct conn *c, int64_t id, const char *on, int64_t expect, struct org *o)
{
	int rc = org_load_conn(c, id, NULL, on, o);
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
	rc = org_load_conn(c, j->parent, NULL, j->on, &p);
	if (rc == ERR_NOTFOUND)
		return errlist_add(j->errs, "parent_id", "not_found", "no such organization on that date");
	if (rc)
		return rc;
	if (p.closed_on[0] && strcmp(p.closed_on, j->on) <= 0) {
		errlist_add(j->errs, "parent_id", "closed", "the new parent is closed");
		return ERR_CONFLICT;
	}
	bool cycle = false;
	rc = org_within_conn(c, j->id, j->parent, j->on, &cycle);
	if (rc)
		return rc;
	if (cycle) {
		errlist_add(j->errs, "parent_id", "cycle",
			    "cannot move an organization under itself or one of its descendants");
		return ERR_CONFLICT;
	}
	int64_t height = 0;
	rc = branch_height(c, j->id, j->on, &height);
	if (!rc)
		rc = depth_check(c, j->parent, height, j->on, "parent_id", j->errs);
	if (rc)
		return rc;
	/* the open-ended placement, whatever the date asked: history is only appended to */
	struct stmt *st = NULL;
	char current_from[11] = "";
	int64_t current_parent = 0;
	rc = conn_prepare(
		c, "SELECT valid_from, parent_id FROM org_parent WHERE org_id = $1 AND valid_to IS NULL",
		&st);
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
	rc = conn_prepare(
		c,
		same_day ? "UPDATE org_parent SET parent_id = $3 WHERE org_id = $1 AND valid_from = $2"
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
		rc = conn_prepare(
			c, "INSERT INTO org_parent (org_id, parent_id, valid_from) VALUES ($1, $2, $3)", &st);
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
	rc = org_index_sync(c, j->id, true);
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
	return audit_object(c, j->who, "org.move", "org", j->id, j->id, audit_diff_text(&d));
}

int org_move_in(struct conn *c, const struct audit_entry *who, int64_t id, int64_t new_parent,
		struct errlist *errs)
{
	char today[11];
	struct move_job j = {.who = who,
			     .id = id,
			     .parent = new_parent,
			     .on = org_date_or_today(NULL, today),
			     .errs = errs};
	if (id == new_parent) {
		errlist_add(errs, "parent_id", "cycle", "an organization cannot be its own parent");
		return ERR_CONFLICT;
	}
	int rc = move_tx(c, &j);
	return !rc && errs->n ? ERR_UNPROCESSABLE : rc;
}

int org_move(struct app *a, const struct audit_entry *who, int64_t id, int64_t new_parent, const char *on,
	     int64_t expect_version, struct errlist *errs)
{
	char today[11];
	struct move_job j = {.who = who,
			     .id = id,
			     .parent = new_parent,
			     .expect = expect_version,
			     .on = org_date_or_today(on, today),
			     .errs = errs};
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
	/* history is only appended to: no closing dated before the org last reopened */
	char reopened[11] = "";
	rc = conn_row(c,
		      "SELECT max(reopened_on) FROM org_closed_period WHERE org_id = $1 AND reopened_on > $2",
		      "it", "t", j->id, j->on, reopened, sizeof(reopened));
	if (rc && rc != ERR_NOTFOUND)
		return rc;
	if (reopened[0]) {
		errlist_add(j->errs, "on", "before_current",
			    "a closing cannot take effect before the organization reopened");
		errlist_param_str(j->errs, "min", reopened);
		return ERR_CONFLICT;
	}
	int64_t open_below = 0;
	rc = conn_prepare(c,
			  ORG_SUBTREE_CTE " SELECT count(*) FROM down JOIN org o ON o.id = down.id"
					  " WHERE down.id <> $1 AND o.closed_on IS NULL",
			  &st);
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
			 "%" PRId64
			 " organizations below are still open: close them first or close the whole branch",
			 open_below);
		errlist_add(j->errs, "branch", "open_children", msg);
		return ERR_CONFLICT;
	}
	rc = conn_prepare(c,
			  ORG_SUBTREE_CTE " UPDATE org SET closed_on = $3, version = version + 1"
					  " WHERE id IN (SELECT id FROM down) AND closed_on IS NULL",
			  &st);
	if (rc)
		return rc;
	stmt_bind_int64(st, 1, j->id);
	stmt_bind_text(st, 2, j->on, strlen(j->on));
	stmt_bind_text(st, 3, j->on, strlen(j->on));
	rc = stmt_step(st);
	stmt_done(st);
	if (rc < 0)
		return rc;
	rc = org_index_sync(c, j->id, open_below > 0);
	if (rc)
		return rc;
	j->closed = (int)open_below + 1;
	struct audit_diff d;
	audit_diff_init(&d);
	audit_diff_change(&d, "closed_on", NULL, j->on);
	audit_diff_int(&d, "orgs_closed", j->closed);
	audit_diff_str(&d, "scope", j->branch ? "branch" : "one");
	return audit_object(c, j->who, "org.close", "org", j->id, j->id, audit_diff_text(&d));
}

int org_close(struct app *a, const struct audit_entry *who, int64_t id, const char *on, bool branch,
	      int64_t expect_version, struct errlist *errs, int *closed)
{
	char today[11];
	struct close_job j = {.who = who,
			      .id = id,
			      .expect = expect_version,
			      .on = org_date_or_today(on, today),
			      .branch = branch,
			      .errs = errs};
	*closed = 0;
	if (!date_valid(j.on))
		return errlist_add(errs, "on", "invalid_date", "must be a date YYYY-MM-DD");
	int rc = store_tx(a->store, close_tx, &j);
	if (!rc)
		*closed = j.closed;
	return rc;
}

/* ---- reopen ---- */

struct reopen_job {
	const struct audit_entry *who;
	int64_t id, expect;
	const char *on;
	struct errlist *errs;
};

/* The open-ended placement of id: its start and parent (0 for a root). */
static int current_placement(struct conn *c, int64_t id, char from[11], int64_t *parent)
{
	from[0] = '\0';
	*parent = 0;
	int rc = conn_row(
		c,
		"SELECT valid_from, COALESCE(parent_id, 0) FROM org_parent WHERE org_id = $1 AND valid_to IS NULL",
		"i", "ti", id, from, (size_t)11, parent);
	return rc == ERR_NOTFOUND ? 0 : rc;
}

/* The placement across a reopening: the days [closed_on, on) become a gap (the period
 * ends at the closing and a new one under the same parent starts on `on`), so tree reads
 * of those days do not show the org. Reopening on the closing day leaves no gap. */
static int reopen_placement(struct conn *c, int64_t id, const char *closed_on, const char *on)
{
	char from[11];
	int64_t parent = 0;
	int rc = current_placement(c, id, from, &parent);
	if (rc || !strcmp(on, closed_on))
		return rc;
	if (strcmp(from, closed_on) < 0) {
		rc = conn_run(c, "UPDATE org_parent SET valid_to = $2 WHERE org_id = $1 AND valid_to IS NULL",
			      "it", id, closed_on);
		if (rc >= 0)
			rc = parent ? conn_run(
					      c,
					      "INSERT INTO org_parent (org_id, parent_id, valid_from) VALUES ($1, $2, $3)",
					      "iit", id, parent, on)
				    : conn_run(
					      c,
					      "INSERT INTO org_parent (org_id, parent_id, valid_from) VALUES ($1, NULL, $2)",
					      "it", id, on);
		return rc < 0 ? rc : 0;
	}
	/* placed on the closing day itself (or later): that placement starts when it reopens */
	rc = conn_run(c, "UPDATE org_parent SET valid_from = $2 WHERE org_id = $1 AND valid_to IS NULL", "it",
		      id, on);
	return rc < 0 ? rc : 0;
}

static int reopen_tx(struct conn *c, void *arg)
{
	struct reopen_job *j = arg;
	char today[11];
	struct org o;
	int rc = org_load_conn(c, j->id, NULL, org_date_or_today(NULL, today), &o);
	if (rc)
		return rc;
	if (o.version != j->expect)
		return ERR_PRECONDITION;
	if (!o.closed_on[0]) {
		errlist_add(j->errs, "", "not_closed", "the organization is not closed");
		return ERR_CONFLICT;
	}
	if (strcmp(j->on, o.closed_on) < 0) {
		errlist_add(j->errs, "on", "before_closed",
			    "an organization reopens on or after the day it closed");
		errlist_param_str(j->errs, "min", o.closed_on);
		return ERR_CONFLICT;
	}
	if (strcmp(j->on, today) > 0 && strcmp(j->on, o.closed_on)) {
		errlist_add(j->errs, "on", "out_of_range",
			    "a reopening is not dated ahead (except on a closing day ahead)");
		errlist_param_str(j->errs, "max", strcmp(o.closed_on, today) > 0 ? o.closed_on : today);
		return ERR_UNPROCESSABLE;
	}
	char from[11];
	int64_t parent = 0;
	rc = current_placement(c, j->id, from, &parent);
	if (rc)
		return rc;
	if (parent) {
		struct org p;
		rc = org_load_conn(c, parent, NULL, j->on, &p);
		if (rc && rc != ERR_NOTFOUND)
			return rc;
		if (rc || (p.closed_on[0] && strcmp(p.closed_on, j->on) <= 0)) {
			errlist_add(j->errs, "", "parent_closed",
				    "the parent is closed on that day: reopen it first");
			errlist_param_str(j->errs, "other_field", "parent_id");
			return ERR_CONFLICT;
		}
	}
	rc = reopen_placement(c, j->id, o.closed_on, j->on);
	if (!rc && strcmp(j->on, o.closed_on))
		rc = conn_run(
			c,
			"INSERT INTO org_closed_period (org_id, closed_on, reopened_on) VALUES ($1, $2, $3)",
			"itt", j->id, o.closed_on, j->on);
	if (rc >= 0)
		rc = conn_run(
			c,
			"UPDATE org SET closed_on = NULL, version = version + 1 WHERE id = $1 AND closed_on = $2",
			"it", j->id, o.closed_on);
	rc = rc < 0 ? rc : 0;
	/* the tree's index: the orgs below stay closed, but with a gap in the placement their
	 * closure rows through this org split at it too, so the branch is synced then */
	if (!rc)
		rc = org_index_sync(c, j->id, strcmp(j->on, o.closed_on) != 0);
	if (rc)
		return rc;
	struct audit_diff d;
	audit_diff_init(&d);
	audit_diff_change(&d, "closed_on", o.closed_on, NULL);
	audit_diff_str(&d, "from", j->on);
	return audit_object(c, j->who, "org.reopen", "org", j->id, j->id, audit_diff_text(&d));
}

int org_reopen(struct app *a, const struct audit_entry *who, int64_t id, const char *on,
	       int64_t expect_version, struct errlist *errs)
{
	char today[11];
	struct reopen_job j = {.who = who,
			       .id = id,
			       .expect = expect_version,
			       .on = org_date_or_today(on, today),
			       .errs = errs};
	if (!date_valid(j.on))
		return errlist_add(errs, "on", "invalid_date", "must be a date YYYY-MM-DD");
	if (expect_version < 1)
		return ERR_PRECOND_REQUIRED;
	return store_tx(a->store, reopen_tx, &j);
}

/* ---- update, history ---- */

struct update_job {
	const struct audit_entry *who;
	const struct org_input *in; /* after update_check: norm */
	struct org_input norm;
	char name[ORG_NAME_MAX * 4 + 1], short_name[ORG_SHORT_MAX * 4 + 1];
	int64_t id, expect;
	char credit[19];
	struct errlist *errs;
};

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
	int rc = org_load_conn(c, j->id, NULL, org_date_or_today(NULL, today), &o);
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
			errlist_add(j->errs, "credit_code", "taken",
				    "another organization already has this credit code");
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
	struct stmt *st = NULL;
	rc = conn_prepare(
		c,
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
	rc = org_index_sync(c, j->id, false);
	if (rc)
		return rc;
	return audit_object(c, j->who, "org.update", "org", j->id, j->id, audit_diff_text(&d));
}

static int update_check(const struct org_input *in, struct update_job *j, struct errlist *errs)
{
	int bad = 0;
	int nrc = org_names(in, false, &j->norm, j->name, j->short_name, errs);
	if (nrc && nrc != ERR_UNPROCESSABLE)
		return nrc;
	if (nrc)
		bad = nrc;
	j->in = &j->norm;
	if (check_text(errs, "contact", in->contact, 0, 60))
		bad = ERR_UNPROCESSABLE;
	if (in->type && !codeset_has(&codelist_org_type, in->type))
		bad = codelist_refuse(errs, "type", &codelist_org_type);
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
	int rc = org_load_conn(c, j->id, NULL, j->on, &o);
	if (rc == ERR_NOTFOUND)
		return errlist_add(j->errs, "on", "not_open", "the organization was not open on that date");
	if (!rc)
		rc = org_load_conn(c, j->guide, NULL, j->on, &g);
	if (rc == ERR_NOTFOUND)
		return errlist_add(j->errs, "guide_id", "not_open",
				   "the guiding organization was not open on that date");
	if (rc)
		return rc;
	/* who guides: an association or a society, at the same level or above */
	if ((strcmp(g.type, "association") && strcmp(g.type, "society")) ||
	    codeset_index(&codelist_org_level, g.level) > codeset_index(&codelist_org_level, o.level))
		return errlist_add(j->errs, "guide_id", "cannot_guide",
				   "only an association or a society at the same level or above can guide");
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
	return audit_object(c, j->who, "org.link", "org", j->id, j->id, audit_diff_text(&d));
}

int org_link_add(struct app *a, const struct audit_entry *who, int64_t id, int64_t guide, const char *on,
		 struct errlist *errs)
{
	char today[11];
	struct link_job j = {
		.who = who, .id = id, .guide = guide, .on = org_date_or_today(on, today), .errs = errs};
	if (id == guide)
		return errlist_add(errs, "guide_id", "cycle", "an organization cannot guide itself");
	return store_tx(a->store, link_tx, &j);
}

/* ---- the checks without the database, for bulk loads (orgimport.c) ---- */

/* norm as the check left it, its names moved into nb (the job's buffers end with it) */
static void keep_names(const struct org_input *from, const char *name, const char *short_name,
		       struct org_input *norm, struct org_names *nb)
{
	*norm = *from;
	if (from->name == name) {
		str_copy(nb->name, sizeof(nb->name), name);
		norm->name = nb->name;
	}
	if (from->short_name == short_name) {
		str_copy(nb->short_name, sizeof(nb->short_name), short_name);
		norm->short_name = nb->short_name;
	}
}

int org_create_check(const struct org_input *in, struct org_input *norm, struct org_names *nb,
		     char credit[19], char opened[11], struct errlist *errs)
{
	struct create_job j = {.in = in, .errs = errs};
	char today[11];
	int rc = create_check(in, &j, today, errs);
	keep_names(j.in, j.name, j.short_name, norm, nb);
	str_copy(credit, 19, j.credit);
	str_copy(opened, 11, j.opened ? j.opened : "");
	norm->opened_on = NULL; /* pointed at this frame: the caller has `opened` */
	return rc;
}

int org_update_check(const struct org_input *in, struct org_input *norm, struct org_names *nb,
		     char credit[19], struct errlist *errs)
{
	struct update_job j = {.in = in, .errs = errs};
	int rc = update_check(in, &j, errs);
	keep_names(j.in, j.name, j.short_name, norm, nb);
	str_copy(credit, 19, j.credit);
	return rc;
}
