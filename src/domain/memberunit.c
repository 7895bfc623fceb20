/*
 * memberunit.c - group members (see memberunit.h).
 */
#include "domain/memberunit.h"
#include "domain/member_int.h"
#include "core/names.h"
#include "core/personfield.h"
#include "store/store.h"
#include "base/timeutil.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define UNIT_COLS                                                                                        \
	"u.id, u.org_id, COALESCE(u.representative_id, 0), o.name, u.name, COALESCE(u.credit_code, '')," \
	" u.contact, COALESCE(p.name, ''), u.version, u.created_at, u.updated_at FROM member_unit u"     \
	" JOIN org o ON o.id = u.org_id LEFT JOIN person p ON p.id = u.representative_id"

struct unit_each {
	int (*fn)(const struct member_unit *u, void *arg);
	void *arg;
	struct member_unit u;
	int n;
	int64_t last;
};

static int unit_row(struct stmt *st, void *arg)
{
	struct unit_each *e = arg;
	struct member_unit *u = &e->u;
	memset(u, 0, sizeof(*u));
	u->id = stmt_int64(st, 0);
	u->org_id = stmt_int64(st, 1);
	u->representative_id = stmt_int64(st, 2);
	str_copy(u->org_name, sizeof(u->org_name), stmt_text(st, 3, NULL));
	str_copy(u->name, sizeof(u->name), stmt_text(st, 4, NULL));
	str_copy(u->credit_code, sizeof(u->credit_code), stmt_text(st, 5, NULL));
	str_copy(u->contact, sizeof(u->contact), stmt_text(st, 6, NULL));
	str_copy(u->representative_name, sizeof(u->representative_name), stmt_text(st, 7, NULL));
	u->version = stmt_int64(st, 8);
	u->created_at = stmt_int64(st, 9);
	u->updated_at = stmt_int64(st, 10);
	e->n++;
	e->last = u->id;
	return e->fn ? e->fn(u, e->arg) : 1;
}

static int unit_load(struct conn *c, int64_t id, struct member_unit *out)
{
	struct unit_each e = {0};
	int rc = conn_each(c, "SELECT " UNIT_COLS " WHERE u.id = $1", unit_row, &e, "i", id);
	if (!rc && !e.n)
		rc = ERR_NOTFOUND;
	if (!rc)
		*out = e.u;
	return rc;
}

struct get_job {
	int64_t id;
	struct member_unit *out;
};

static int get_read(struct conn *c, void *arg)
{
	struct get_job *j = arg;
	return unit_load(c, j->id, j->out);
}

int member_unit_get(struct app *a, int64_t id, struct member_unit *out)
{
	struct get_job j = {id, out};
	return store_read(a->store, get_read, &j);
}

struct list_job {
	int64_t under, after;
	int limit;
	struct unit_each e;
};

static int list_read(struct conn *c, void *arg)
{
	struct list_job *j = arg;
	char today[11];
	date_today(today, sizeof(today));
	return conn_each(
		c,
		"SELECT " UNIT_COLS
		" WHERE u.org_id IN (SELECT oc.org_id FROM org_closure oc WHERE oc.anc_id = $1"
		" AND oc.valid_from <= $2 AND (oc.valid_to IS NULL OR oc.valid_to > $2)) AND u.id > $3"
		" ORDER BY u.id LIMIT $4",
		unit_row, &j->e, "iti d", j->under, today, j->after, j->limit);
}

int member_unit_list(struct app *a, int64_t under, int64_t after, int limit,
		     int (*fn)(const struct member_unit *u, void *arg), void *arg, int64_t *next)
{
	struct list_job j = {under, after, limit, {.fn = fn, .arg = arg}};
	int rc = store_read(a->store, list_read, &j);
	*next = !rc && j.e.n == limit ? j.e.last : 0;
	return rc;
}

/* ---- writes ---- */

/* The normalised values of a unit: name, credit code, contact. */
struct unit_norm {
	char name[200 * 4 + 1], credit[19], contact[60 * 4 + 1];
	bool has_name, has_credit, has_contact;
};

static int unit_check(const struct member_unit_input *in, bool create, struct unit_norm *n,
		      struct errlist *errs)
{
	int bad = 0;
	if (in->name || create) {
		n->has_name = true;
		if (name_normalize(in->name ? in->name : "", in->name ? strlen(in->name) : 0, NAME_OFFICIAL,
				   1, 200, n->name, sizeof(n->name), "name", errs))
			bad = ERR_UNPROCESSABLE;
	}
	if (in->credit_code) {
		n->has_credit = true;
		if (*in->credit_code &&
		    person_uscc_normalize(in->credit_code, strlen(in->credit_code), n->credit,
					  sizeof(n->credit), "credit_code", errs))
			bad = ERR_UNPROCESSABLE;
	}
	if (in->contact) {
		n->has_contact = true;
		if (name_normalize(in->contact, strlen(in->contact), 0, 0, 60, n->contact, sizeof(n->contact),
				   "contact", errs))
			bad = ERR_UNPROCESSABLE;
	}
	return bad;
}

/* The credit code free (but for unit self) and the representative a person. */
static int unit_refs(struct conn *c, const struct unit_norm *n, int64_t rep, int64_t self,
		     struct errlist *errs)
{
	bool hit = false;
	int rc = 0;
	if (n->has_credit && n->credit[0]) {
		rc = conn_row(c, "SELECT 1 FROM member_unit WHERE credit_code = $1 AND id <> $2", "ti", "b",
			      n->credit, self, &hit);
		if (!rc) {
			errlist_add(errs, "credit_code", "taken", "another member unit has this credit code");
			return ERR_CONFLICT;
		}
		if (rc != ERR_NOTFOUND)
			return rc;
	}
	if (rep > 0) {
		rc = conn_row(c, "SELECT 1 FROM person WHERE id = $1 AND anonymized_at IS NULL", "i", "b",
			      rep, &hit);
		if (rc == ERR_NOTFOUND)
			return errlist_add(errs, "representative_id", "not_found", "no such person");
		if (rc)
			return rc;
	}
	return 0;
}

struct write_job {
	const struct audit_entry *who;
	const struct member_unit_input *in;
	const struct unit_norm *n;
	struct errlist *errs;
	int64_t id, version;
};

static int create_tx(struct conn *c, void *arg)
{
	struct write_job *j = arg;
	int64_t rep = j->in->representative_id > 0 ? j->in->representative_id : 0;
	int rc = unit_refs(c, j->n, rep, 0, j->errs);
	if (rc)
		return rc;
	int64_t now = time_unix();
	rc = conn_row(
		c,
		"INSERT INTO member_unit (org_id, name, credit_code, contact, representative_id, created_at,"
		" updated_at) VALUES ($1, $2, NULLIF($3, ''), $4, NULLIF($5, 0), $6, $6) RETURNING id",
		"itttii", "i", j->in->org_id, j->n->name, j->n->credit, j->n->contact, rep, now, &j->id);
	if (rc)
		return rc;
	struct audit_diff d;
	audit_diff_init(&d);
	audit_diff_change(&d, "name", NULL, j->n->name);
	audit_diff_change(&d, "credit_code", NULL, j->n->credit[0] ? j->n->credit : NULL);
	if (j->n->contact[0])
		audit_diff_secret(&d, "contact");
	if (rep)
		audit_diff_int(&d, "person_id", rep);
	return audit_object(c, j->who, "member_unit.create", "member_unit", j->id, j->in->org_id,
			    audit_diff_text(&d));
}

int member_unit_create(struct app *a, const struct audit_entry *who, const struct member_unit_input *in,
		       struct errlist *errs, int64_t *id)
{
	struct unit_norm n;
	memset(&n, 0, sizeof(n));
	int rc = unit_check(in, true, &n, errs);
	if (rc)
		return rc;
	struct write_job j = {who, in, &n, errs, 0, 0};
	rc = store_tx(a->store, create_tx, &j);
	if (!rc)
		*id = j.id;
	return rc;
}

static int update_tx(struct conn *c, void *arg)
{
	struct write_job *j = arg;
	struct member_unit old;
	int rc = unit_load(c, j->id, &old);
	if (rc)
		return rc;
	if (old.version != j->version)
		return ERR_PRECONDITION;
	int64_t rep = j->in->representative_id > 0   ? j->in->representative_id
		      : j->in->representative_id < 0 ? 0
						     : old.representative_id;
	rc = unit_refs(c, j->n, j->in->representative_id > 0 ? rep : 0, j->id, j->errs);
	if (rc)
		return rc;
	const char *name = j->n->has_name ? j->n->name : old.name;
	const char *credit = j->n->has_credit ? j->n->credit : old.credit_code;
	const char *contact = j->n->has_contact ? j->n->contact : old.contact;
	struct audit_diff d;
	audit_diff_init(&d);
	if (strcmp(name, old.name))
		audit_diff_change(&d, "name", old.name, name);
	if (strcmp(credit, old.credit_code))
		audit_diff_change(&d, "credit_code", old.credit_code[0] ? old.credit_code : NULL,
				  credit[0] ? credit : NULL);
	if (strcmp(contact, old.contact))
		audit_diff_secret(&d, "contact");
	if (rep != old.representative_id)
		audit_diff_int(&d, "person_id", rep);
	if (!audit_diff_count(&d))
		return 0;
	rc = conn_run(
		c,
		"UPDATE member_unit SET name = $2, credit_code = NULLIF($3, ''), contact = $4,"
		" representative_id = NULLIF($5, 0), version = version + 1, updated_at = $6 WHERE id = $1",
		"itttii", j->id, name, credit, contact, rep, time_unix());
	if (rc < 0)
		return rc;
	return audit_object(c, j->who, "member_unit.update", "member_unit", j->id, old.org_id,
			    audit_diff_text(&d));
}

int member_unit_update(struct app *a, const struct audit_entry *who, int64_t id,
		       const struct member_unit_input *in, int64_t version, struct errlist *errs)
{
	struct unit_norm n;
	memset(&n, 0, sizeof(n));
	int rc = unit_check(in, false, &n, errs);
	if (rc)
		return rc;
	struct write_job j = {who, in, &n, errs, id, version};
	return store_tx(a->store, update_tx, &j);
}
