/*
 * erasure.c - a member's request to be erased, and the anonymisation staff approve (see
 * registration.h). What stays is what statistics count: the memberships with their dates
 * and categories, the gender, the birth year, ethnicity, education, title level, political
 * status and discipline; what goes is whatever identifies the person.
 */
#include "domain/registration.h"
#include "domain/member_int.h"
#include "core/nameindex.h"
#include "core/names.h"
#include "store/store.h"
#include "base/timeutil.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct request_job {
	const struct audit_entry *who;
	int64_t person_id, id;
	const char *reason;
};

static int request_tx(struct conn *c, void *arg)
{
	struct request_job *j = arg;
	int64_t org_id = 0;
	int rc = conn_row(c, "SELECT org_id FROM person WHERE id = $1 AND anonymized_at IS NULL", "i", "i",
			  j->person_id, &org_id);
	if (rc)
		return rc;
	bool pending = false;
	rc = conn_row(c, "SELECT 1 FROM member_erasure WHERE person_id = $1 AND status = 'pending'", "i", "b",
		      j->person_id, &pending);
	if (!rc)
		return ERR_CONFLICT;
	if (rc != ERR_NOTFOUND)
		return rc;
	rc = conn_row(c,
		      "INSERT INTO member_erasure (person_id, org_id, status, reason, created_at)"
		      " VALUES ($1, $2, 'pending', $3, $4) RETURNING id",
		      "iiti", "i", j->person_id, org_id, j->reason, time_unix(), &j->id);
	if (rc)
		return rc;
	struct audit_diff d;
	audit_diff_init(&d);
	audit_diff_int(&d, "person_id", j->person_id);
	audit_diff_str(&d, "reason", j->reason);
	return audit_object(c, j->who, "person.erasure_request", "person", j->person_id, org_id,
			    audit_diff_text(&d));
}

int erasure_request(struct app *a, const struct audit_entry *who, int64_t person_id, const char *reason,
		    int64_t *id)
{
	char why[200 * 4 + 1] = "";
	struct errlist errs;
	errlist_init(&errs);
	if (reason && *reason &&
	    name_normalize(reason, strlen(reason), 0, 0, 200, why, sizeof(why), "reason", &errs))
		return ERR_UNPROCESSABLE;
	struct request_job j = {who, person_id, 0, why};
	int rc = store_tx(a->store, request_tx, &j);
	if (!rc)
		*id = j.id;
	return rc;
}

#define ERASURE_COLS                                                                                   \
	"e.id, e.person_id, e.org_id, p.name, e.status, e.reason, e.answer, e.created_at,"             \
	" COALESCE(e.decided_at, 0), o.name FROM member_erasure e JOIN person p ON p.id = e.person_id" \
	" JOIN org o ON o.id = e.org_id"

struct erasure_each {
	int (*fn)(const struct erasure *e, void *arg);
	void *arg;
	struct erasure e;
	int n;
};

static int erasure_row(struct stmt *st, void *arg)
{
	struct erasure_each *x = arg;
	struct erasure *e = &x->e;
	memset(e, 0, sizeof(*e));
	e->id = stmt_int64(st, 0);
	e->person_id = stmt_int64(st, 1);
	e->org_id = stmt_int64(st, 2);
	str_copy(e->person_name, sizeof(e->person_name), stmt_text(st, 3, NULL));
	str_copy(e->status, sizeof(e->status), stmt_text(st, 4, NULL));
	str_copy(e->reason, sizeof(e->reason), stmt_text(st, 5, NULL));
	str_copy(e->answer, sizeof(e->answer), stmt_text(st, 6, NULL));
	e->created_at = stmt_int64(st, 7);
	e->decided_at = stmt_int64(st, 8);
	str_copy(e->org_name, sizeof(e->org_name), stmt_text(st, 9, NULL));
	x->n++;
	return x->fn ? x->fn(e, x->arg) : 1;
}

struct erasure_get_job {
	int64_t id;
	struct erasure_each x;
};

static int erasure_get_read(struct conn *c, void *arg)
{
	struct erasure_get_job *j = arg;
	return conn_each(c, "SELECT " ERASURE_COLS " WHERE e.id = $1", erasure_row, &j->x, "i", j->id);
}

int erasure_get(struct app *a, int64_t id, struct erasure *out)
{
	struct erasure_get_job j = {.id = id};
	int rc = store_read(a->store, erasure_get_read, &j);
	if (!rc && !j.x.n)
		rc = ERR_NOTFOUND;
	if (!rc)
		*out = j.x.e;
	return rc;
}

struct erasure_list_job {
	int64_t under;
	const char *status;
	struct erasure_each x;
};

static int erasure_list_read(struct conn *c, void *arg)
{
	struct erasure_list_job *j = arg;
	char today[11];
	date_today(today, sizeof(today));
	return conn_each(
		c,
		"SELECT " ERASURE_COLS " WHERE e.org_id IN (SELECT oc.org_id FROM org_closure oc"
		" WHERE oc.anc_id = $1 AND oc.valid_from <= $3 AND (oc.valid_to IS NULL OR oc.valid_to > $3))"
		" AND e.status = $2 ORDER BY e.id DESC LIMIT 200",
		erasure_row, &j->x, "itt", j->under, j->status, today);
}

int erasure_list(struct app *a, int64_t under, const char *status,
		 int (*fn)(const struct erasure *e, void *arg), void *arg)
{
	struct erasure_list_job j = {under, status && *status ? status : "pending", {.fn = fn, .arg = arg}};
	return store_read(a->store, erasure_list_read, &j);
}

struct decide_job {
	const struct audit_entry *who;
	int64_t id;
	bool approve;
	const char *answer;
	struct errlist *errs;
};

/* The person anonymised: a name that says so, every identifying field cleared, the birth
 * date kept as its year (1 July, the middle, so age bands stay right to half a year). */
static int anonymise(struct conn *c, int64_t person_id)
{
	char name[64];
	snprintf(name, sizeof(name), "已注销人员%" PRId64, person_id);
	int rc = conn_run(
		c,
		"UPDATE person SET name = $2, name_py = $2, id_enc = NULL, id_bidx = NULL, mobile_enc = NULL,"
		" mobile_bidx = NULL, landline = '', email = '', title = '', work_unit = '', position = '',"
		" party_joined_on = NULL, party_full_on = NULL,"
		" birth_date = CASE WHEN birth_date IS NULL THEN NULL ELSE substr(birth_date, 1, 4) || '-07-01' END,"
		" consent_version = '', anonymized_at = $3, version = version + 1, updated_at = $3 WHERE id = $1",
		"iti", person_id, name, time_unix());
	if (rc < 0)
		return rc;
	rc = conn_run(c, "DELETE FROM person_tag WHERE person_id = $1", "i", person_id);
	if (rc < 0)
		return rc;
	rc = nameindex_unset(c, NX_MEMBER, person_id);
	if (rc)
		return rc;
	/* the member account: disabled (its sessions and tokens stop at once) and unlinked */
	rc = conn_run(c, "UPDATE app_user SET status = 'disabled', person_id = NULL WHERE person_id = $1",
		      "i", person_id);
	return rc < 0 ? rc : 0;
}

static int decide_tx(struct conn *c, void *arg)
{
	struct decide_job *j = arg;
	char status[12] = "";
	int64_t person_id = 0, org_id = 0;
	int rc = conn_row(c, "SELECT status, person_id, org_id FROM member_erasure WHERE id = $1", "i", "tii",
			  j->id, status, sizeof(status), &person_id, &org_id);
	if (rc)
		return rc;
	if (strcmp(status, "pending")) {
		errlist_add(j->errs, "status", "decided", "this request has been decided already");
		return ERR_CONFLICT;
	}
	if (j->approve && (rc = anonymise(c, person_id)))
		return rc;
	rc = conn_run(
		c,
		"UPDATE member_erasure SET status = $2, answer = $3, decided_by = NULLIF($4, 0), decided_at = $5"
		" WHERE id = $1",
		"itt ii", j->id, j->approve ? "approved" : "rejected", j->answer, j->who->user_id,
		time_unix());
	if (rc < 0)
		return rc;
	struct audit_diff d;
	audit_diff_init(&d);
	audit_diff_int(&d, "erasure", j->id);
	audit_diff_str(&d, "answer", j->answer);
	return audit_object(c, j->who, j->approve ? "person.erase" : "person.erasure_reject", "person",
			    person_id, org_id, audit_diff_text(&d));
}

int erasure_decide(struct app *a, const struct audit_entry *who, int64_t id, bool approve, const char *answer,
		   struct errlist *errs)
{
	char text[200 * 4 + 1] = "";
	if (answer && *answer &&
	    name_normalize(answer, strlen(answer), 0, 0, 200, text, sizeof(text), "answer", errs))
		return ERR_UNPROCESSABLE;
	if (!approve && !text[0])
		return errlist_add(errs, "answer", "required", "tell the member why");
	struct decide_job j = {who, id, approve, text, errs};
	return store_tx(a->store, decide_tx, &j);
}
