/*
 * notice_write.c - composing notices and their life (see notice.h): drafts and their
 * changes, the issuer's list, approval, sending (number + recipients + state + audit in one
 * transaction) and recall.
 */
#include "domain/notice.h"
#include "domain/notice_int.h"
#include "base/timeutil.h"
#include "base/utf8.h"
#include "store/store.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- validation ---- */

/* The merged fields of a draft, checked. */
struct draft {
	const char *title, *body, *contact_name, *contact_phone, *deadline_date, *deadline_time;
	bool receipt_required;
	int64_t form_id, deadline_at;
	char *html;
};

static int draft_check(struct draft *d, struct errlist *errs)
{
	size_t n = d->title ? utf8_count(d->title, strlen(d->title)) : 0;
	if (n < 1)
		errlist_add(errs, "title", "required", "required");
	else if (n > 200)
		errlist_add(errs, "title", "too_long", "at most 200 characters"),
			errlist_param_int(errs, "max", 200);
	if (d->body && utf8_count(d->body, strlen(d->body)) > NOTICE_BODY_MAX)
		errlist_add(errs, "body", "too_long", "too long"),
			errlist_param_int(errs, "max", NOTICE_BODY_MAX);
	d->deadline_at = 0;
	if (d->deadline_date && *d->deadline_date) {
		const char *t = d->deadline_time && *d->deadline_time ? d->deadline_time : NULL;
		if (!time_shanghai_deadline(d->deadline_date, t, &d->deadline_at))
			errlist_add(errs,
				    t && date_valid(d->deadline_date) ? "deadline_time" : "deadline_date",
				    t && date_valid(d->deadline_date) ? "invalid_time" : "invalid_date",
				    "a date YYYY-MM-DD and optionally a time HH:MM (Beijing time)");
	} else if (d->deadline_time && *d->deadline_time) {
		errlist_add(errs, "deadline_date", "required", "a deadline time needs its date");
	}
	/* INTEGRATION(forms): form_id is checked for shape only (>= 1, by the route); the forms
	 * module checks here that the form exists, is published and belongs in reach. */
	if (errs->n)
		return ERR_UNPROCESSABLE;
	return notice_render(d->body, &d->html);
}

static int check_targets_read(struct conn *c, void *arg);
struct check_job {
	int64_t issuer;
	const struct notice_targets *t;
	struct errlist *errs;
};

static int check_targets_read(struct conn *c, void *arg)
{
	struct check_job *j = arg;
	return notice_targets_check(c, j->issuer, j->t, j->errs);
}

/* ---- create ---- */

struct create_job {
	const struct audit_entry *who;
	const struct notice_input *in;
	struct draft *d;
	struct errlist *errs;
	int64_t id;
};

static int create_tx(struct conn *c, void *arg)
{
	struct create_job *j = arg;
	const struct notice_input *in = j->in;
	if (in->parent_id) {
		/* a forward: of a sent notice the org received */
		char state[12] = "";
		int rc = conn_row(c,
				  "SELECT n.state FROM notice_recipient r JOIN notice n ON n.id = r.notice_id"
				  " WHERE r.notice_id = $1 AND r.org_id = $2",
				  "ii", "t", in->parent_id, in->org_id, state, sizeof(state));
		if (rc)
			return rc;
		if (strcmp(state, "sent"))
			return errlist_add(j->errs, "notice", "withdrawn", "the notice has been recalled"),
			       ERR_CONFLICT;
	}
	int64_t now = notice_now_ms();
	const struct draft *d = j->d;
	int rc = conn_row(
		c,
		"INSERT INTO notice (org_id, parent_notice_id, state, title, body, body_html, contact_name,"
		" contact_phone, deadline_date, deadline_time, deadline_at, receipt_required, form_id,"
		" created_by, created_at, updated_at)"
		" VALUES ($1, NULLIF(CAST($2 AS BIGINT), 0), 'draft', $3, $4, $5, $6, $7, NULLIF($8, ''), NULLIF($9, ''),"
		" NULLIF(CAST($10 AS BIGINT), 0), $11, NULLIF(CAST($12 AS BIGINT), 0), NULLIF(CAST($13 AS BIGINT), 0), $14, $14) RETURNING id",
		"iitttttttidiii", "i", in->org_id, in->parent_id, d->title, d->body ? d->body : "", d->html,
		d->contact_name ? d->contact_name : "", d->contact_phone ? d->contact_phone : "",
		d->deadline_date ? d->deadline_date : "", d->deadline_time ? d->deadline_time : "",
		d->deadline_at, d->receipt_required ? 1 : 0, d->form_id, j->who->user_id, now, &j->id);
	if (rc)
		return rc;
	rc = conn_run(c, "INSERT INTO notice_anc (notice_id, anc_id) VALUES ($1, $1)", "i", j->id);
	if (rc >= 0 && in->parent_id)
		rc = conn_run(c,
			      "INSERT INTO notice_anc (notice_id, anc_id) SELECT $1, anc_id FROM notice_anc"
			      " WHERE notice_id = $2",
			      "ii", j->id, in->parent_id);
	if (rc >= 0 && in->targets)
		rc = notice_targets_save(c, j->id, in->targets);
	if (rc < 0)
		return rc;
	struct audit_diff df;
	audit_diff_init(&df);
	audit_diff_str(&df, "notice_title", d->title);
	if (in->parent_id)
		audit_diff_int(&df, "parent_notice", in->parent_id);
	if (in->targets)
		audit_diff_int(&df, "targets", in->targets->n);
	return audit_object(c, j->who, in->parent_id ? "notice.forward" : "notice.create", "notice", j->id,
			    in->org_id, audit_diff_text(&df));
}

int notice_create(struct app *a, const struct audit_entry *who, const struct notice_input *in,
		  struct errlist *errs, int64_t *id)
{
	struct draft d = {in->title,
			  in->body,
			  in->contact_name,
			  in->contact_phone,
			  in->deadline_date,
			  in->deadline_time,
			  in->receipt_required == 1,
			  in->form_id > 0 ? in->form_id : 0,
			  0,
			  NULL};
	int rc = draft_check(&d, errs);
	if (!rc && in->targets) {
		struct check_job cj = {in->org_id, in->targets, errs};
		rc = store_read(a->store, check_targets_read, &cj);
	}
	struct create_job j = {who, in, &d, errs, 0};
	if (!rc)
		rc = store_tx(a->store, create_tx, &j);
	free(d.html);
	if (!rc)
		*id = j.id;
	return rc;
}

/* ---- update ---- */

struct update_job {
	const struct audit_entry *who;
	int64_t id, version;
	const struct notice *old;
	const struct notice_input *in;
	struct draft *d;
	struct errlist *errs;
};

static int update_tx(struct conn *c, void *arg)
{
	struct update_job *j = arg;
	const struct draft *d = j->d;
	int rc = conn_run(
		c,
		"UPDATE notice SET title = $3, body = $4, body_html = $5, contact_name = $6, contact_phone = $7,"
		" deadline_date = NULLIF($8, ''), deadline_time = NULLIF($9, ''), deadline_at = NULLIF(CAST($10 AS BIGINT), 0),"
		" receipt_required = $11, form_id = NULLIF(CAST($12 AS BIGINT), 0), updated_at = $13, version = version + 1"
		" WHERE id = $1 AND version = $2 AND state = 'draft'",
		"iitttttttidii", j->id, j->version, d->title, d->body ? d->body : "", d->html,
		d->contact_name ? d->contact_name : "", d->contact_phone ? d->contact_phone : "",
		d->deadline_date ? d->deadline_date : "", d->deadline_time ? d->deadline_time : "",
		d->deadline_at, d->receipt_required ? 1 : 0, d->form_id, notice_now_ms());
	if (rc < 0)
		return rc;
	if (rc == 0)
		return ERR_PRECONDITION;
	if (j->in->targets && (rc = notice_targets_save(c, j->id, j->in->targets)) < 0)
		return rc;
	struct audit_diff df;
	audit_diff_init(&df);
	audit_diff_change(&df, "notice_title", j->old->title, d->title);
	if (strcmp(j->old->body ? j->old->body : "", d->body ? d->body : ""))
		audit_diff_str(&df, "body", "changed");
	audit_diff_change(&df, "contact_name", j->old->contact_name, d->contact_name);
	audit_diff_change(&df, "contact_phone", j->old->contact_phone, d->contact_phone);
	audit_diff_change(&df, "deadline_date", j->old->deadline_date, d->deadline_date);
	audit_diff_change(&df, "deadline_time", j->old->deadline_time, d->deadline_time);
	if (j->old->receipt_required != d->receipt_required)
		audit_diff_bool(&df, "receipt_required", d->receipt_required);
	if (j->old->form_id != d->form_id)
		audit_diff_int(&df, "form_id", d->form_id);
	if (j->in->targets)
		audit_diff_int(&df, "targets", j->in->targets->n);
	return audit_object(c, j->who, "notice.update", "notice", j->id, j->old->org_id,
			    audit_diff_text(&df));
}

static const char *pick(const char *given, const char *old)
{
	return given ? given : old;
}

int notice_update(struct app *a, const struct audit_entry *who, int64_t id, int64_t version,
		  const struct notice_input *in, struct errlist *errs)
{
	struct notice old;
	int rc = notice_get(a, id, &old);
	if (rc)
		return rc;
	if (strcmp(old.state, "draft")) {
		notice_clear(&old);
		return errlist_add(errs, "state", "wrong_state", "only a draft can be changed"), ERR_CONFLICT;
	}
	if (version != old.version) {
		notice_clear(&old);
		return ERR_PRECONDITION;
	}
	struct draft d = {pick(in->title, old.title),
			  pick(in->body, old.body),
			  pick(in->contact_name, old.contact_name),
			  pick(in->contact_phone, old.contact_phone),
			  pick(in->deadline_date, old.deadline_date),
			  in->deadline_date && !*in->deadline_date && !in->deadline_time
				  ? ""
				  : pick(in->deadline_time, old.deadline_time),
			  in->receipt_required < 0 ? old.receipt_required : in->receipt_required == 1,
			  in->form_id < 0 ? old.form_id : in->form_id,
			  0,
			  NULL};
	rc = draft_check(&d, errs);
	if (!rc && in->targets) {
		struct check_job cj = {old.org_id, in->targets, errs};
		rc = store_read(a->store, check_targets_read, &cj);
	}
	struct update_job j = {who, id, version, &old, in, &d, errs};
	if (!rc)
		rc = store_tx(a->store, update_tx, &j);
	free(d.html);
	notice_clear(&old);
	return rc;
}

/* ---- the issuer's list ---- */

struct list_job {
	int64_t org_id, before;
	const char *state;
	int limit, n;
	struct notice *rows;
	struct notice_counts *counts;
};

static int list_row(struct stmt *st, void *arg)
{
	struct list_job *j = arg;
	if (j->n >= j->limit)
		return 1;
	notice_row_read(st, &j->rows[j->n++]);
	return 0;
}

static int list_read(struct conn *c, void *arg)
{
	struct list_job *j = arg;
	int rc = conn_each(c,
			   "SELECT " NOTICE_LIST_COLS
			   " WHERE n.org_id = $1 AND (CAST($2 AS TEXT) IS NULL OR n.state = $2)"
			   " AND ($3 = 0 OR n.id < $3) ORDER BY n.id DESC LIMIT $4",
			   list_row, j, "itii", j->org_id, j->state, j->before, (int64_t)j->limit);
	for (int i = 0; !rc && i < j->n; i++)
		rc = notice_counts_conn(c, j->rows[i].id, &j->counts[i]);
	return rc;
}

int notice_list(struct app *a, int64_t org_id, const char *state, int64_t before, int limit,
		int (*fn)(const struct notice *n, const struct notice_counts *c, void *arg), void *arg,
		int64_t *next)
{
	*next = 0;
	struct list_job j = {org_id,
			     before,
			     state,
			     limit,
			     0,
			     calloc((size_t)limit, sizeof(struct notice)),
			     calloc((size_t)limit, sizeof(struct notice_counts))};
	int rc = j.rows && j.counts ? store_read(a->store, list_read, &j) : ERR_NOMEM;
	for (int i = 0; !rc && i < j.n; i++)
		rc = fn(&j.rows[i], &j.counts[i], arg);
	if (!rc && j.n == limit)
		*next = j.rows[j.n - 1].id;
	free(j.rows);
	free(j.counts);
	return rc;
}

/* ---- state changes ---- */

enum step { STEP_SUBMIT, STEP_APPROVE, STEP_REJECT, STEP_RECALL };
static const struct {
	const char *from, *to, *action;
} steps[] = {
	[STEP_SUBMIT] = {"draft", "pending", "notice.submit"},
	[STEP_APPROVE] = {"pending", "approved", "notice.approve"},
	[STEP_REJECT] = {"pending", "draft", "notice.reject"},
	[STEP_RECALL] = {"sent", "recalled", "notice.recall"},
};

/* The change itself: $1 the notice, $2 now, then what the step records. */
static int step_update(struct conn *c, enum step step, int64_t id, int64_t user, const char *reason)
{
	int64_t now = notice_now_ms();
	switch (step) {
	case STEP_SUBMIT:
		return conn_run(c,
				"UPDATE notice SET state = 'pending', reject_reason = '', updated_at = $2,"
				" version = version + 1 WHERE id = $1 AND state = 'draft'",
				"ii", id, now);
	case STEP_APPROVE:
		return conn_run(
			c,
			"UPDATE notice SET state = 'approved', approved_by = NULLIF(CAST($3 AS BIGINT), 0), approved_at = $2,"
			" updated_at = $2, version = version + 1 WHERE id = $1 AND state = 'pending'",
			"iii", id, now, user);
	case STEP_REJECT:
		return conn_run(c,
				"UPDATE notice SET state = 'draft', reject_reason = $3, updated_at = $2,"
				" version = version + 1 WHERE id = $1 AND state = 'pending'",
				"iit", id, now, reason);
	case STEP_RECALL:
		return conn_run(
			c,
			"UPDATE notice SET state = 'recalled', recalled_by = NULLIF(CAST($3 AS BIGINT), 0), recalled_at = $2,"
			" recall_reason = $4, updated_at = $2, version = version + 1 WHERE id = $1 AND state = 'sent'",
			"iiit", id, now, user, reason);
	}
	return ERR_INTERNAL;
}

struct step_job {
	const struct audit_entry *who;
	int64_t id;
	enum step step;
	const char *reason;
	struct errlist *errs;
};

static int step_tx(struct conn *c, void *arg)
{
	struct step_job *j = arg;
	char state[12] = "";
	int64_t org_id = 0;
	int rc = conn_row(c, "SELECT state, org_id FROM notice WHERE id = $1", "i", "ti", j->id, state,
			  sizeof(state), &org_id);
	if (rc)
		return rc;
	if (strcmp(state, steps[j->step].from)) {
		errlist_add(j->errs, "state", "wrong_state", "the notice is not in the state this needs");
		errlist_param_str(j->errs, "state", state);
		return ERR_CONFLICT;
	}
	rc = step_update(c, j->step, j->id, j->who->user_id, j->reason ? j->reason : "");
	if (rc < 0)
		return rc;
	if (rc == 0)
		return ERR_CONFLICT;
	struct audit_diff d;
	audit_diff_init(&d);
	audit_diff_change(&d, "state", state, steps[j->step].to);
	if (j->reason)
		audit_diff_str(&d, "reason", j->reason);
	return audit_object(c, j->who, steps[j->step].action, "notice", j->id, org_id, audit_diff_text(&d));
}

static int step_run(struct app *a, const struct audit_entry *who, int64_t id, enum step step,
		    const char *reason, struct errlist *errs)
{
	if (step == STEP_REJECT || step == STEP_RECALL) {
		size_t n = reason ? utf8_count(reason, strlen(reason)) : 0;
		if (n < 2 || n > 200)
			return errlist_add(errs, "reason", n < 2 ? "too_short" : "too_long",
					   "2 to 200 characters"),
			       ERR_UNPROCESSABLE;
	}
	struct step_job j = {who, id, step, reason, errs};
	int rc = store_tx(a->store, step_tx, &j);
	/* INTEGRATION(notifications): a recall is to be told to the recipients' staff here,
	 * after the commit (in-app + outbound hook). */
	return rc;
}

int notice_submit(struct app *a, const struct audit_entry *who, int64_t id, struct errlist *errs)
{
	return step_run(a, who, id, STEP_SUBMIT, NULL, errs);
}

int notice_approve(struct app *a, const struct audit_entry *who, int64_t id, struct errlist *errs)
{
	return step_run(a, who, id, STEP_APPROVE, NULL, errs);
}

int notice_reject(struct app *a, const struct audit_entry *who, int64_t id, const char *reason,
		  struct errlist *errs)
{
	return step_run(a, who, id, STEP_REJECT, reason, errs);
}

int notice_recall(struct app *a, const struct audit_entry *who, int64_t id, const char *reason,
		  struct errlist *errs)
{
	return step_run(a, who, id, STEP_RECALL, reason, errs);
}

/* ---- sending ---- */

#define INSERT_ROWS 500

/* The recipients in multi-row inserts of INSERT_ROWS: $1 the notice, $2 sent_at, then the orgs. */
static int insert_recipients(struct conn *c, int64_t id, int64_t sent_at, const int64_t *orgs, size_t n)
{
	char *sql = malloc(96 + INSERT_ROWS * 24);
	if (!sql)
		return ERR_NOMEM;
	int rc = 0;
	for (size_t at = 0; !rc && at < n; at += INSERT_ROWS) {
		size_t k = n - at < INSERT_ROWS ? n - at : INSERT_ROWS;
		size_t len = (size_t)snprintf(
			sql, 96, "INSERT INTO notice_recipient (notice_id, org_id, sent_at) VALUES ");
		for (size_t i = 0; i < k; i++)
			len += (size_t)snprintf(sql + len, 24, "%s($1, $%zu, $2)", i ? "," : "", i + 3);
		struct stmt *st = NULL;
		rc = conn_prepare(c, sql, &st);
		if (rc)
			break;
		stmt_bind_int64(st, 1, id);
		stmt_bind_int64(st, 2, sent_at);
		for (size_t i = 0; i < k; i++)
			stmt_bind_int64(st, (int)(i + 3), orgs[at + i]);
		int s = stmt_step(st);
		stmt_done(st);
		rc = s < 0 ? s : 0;
	}
	free(sql);
	return rc;
}

struct send_job {
	const struct audit_entry *who;
	int64_t id;
	struct errlist *errs;
	struct notice_targets *t;
	char number[160];
	size_t recipients;
};

static int send_tx(struct conn *c, void *arg)
{
	struct send_job *j = arg;
	char state[12] = "";
	struct notice_config cfg;
	int64_t org_id = 0, parent = 0;
	int rc = conn_row(c, "SELECT state, org_id, COALESCE(parent_notice_id, 0) FROM notice WHERE id = $1",
			  "i", "tii", j->id, state, sizeof(state), &org_id, &parent);
	if (!rc)
		rc = notice_config_conn(c, org_id, &cfg);
	if (rc)
		return rc;
	if (strcmp(state, "approved") && strcmp(state, "draft")) {
		errlist_add(j->errs, "state", "wrong_state",
			    "only a draft or an approved notice can be sent");
		errlist_param_str(j->errs, "state", state);
		return ERR_CONFLICT;
	}
	if (cfg.approval_required && strcmp(state, "approved"))
		return errlist_add(j->errs, "state", "approval_required",
				   "this organization's notices are approved first"),
		       ERR_CONFLICT;
	rc = notice_targets_load(c, j->id, j->t);
	if (!rc)
		rc = notice_targets_check(c, org_id, j->t, j->errs);
	if (rc)
		return rc;
	char today[11], year[11];
	date_today(today, sizeof(today)); /* Beijing's: the day and the year of the number */
	memcpy(year, today, 4);
	year[4] = '\0';
	struct rset_view v = {0};
	rc = notice_resolve(c, org_id, j->t, today, &v);
	if (rc == ERR_TOOBIG) {
		errlist_add(j->errs, "targets", "too_many", "more organizations than a notice may reach");
		errlist_param_int(j->errs, "max", NOTICE_RECIPIENTS_MAX);
		return ERR_UNPROCESSABLE;
	}
	if (rc)
		return rc;
	if (!v.n) {
		free(v.ids);
		return errlist_add(j->errs, "targets", "no_recipients",
				   "the targets reach no open organization"),
		       ERR_UNPROCESSABLE;
	}
	int64_t seq = 0, now = notice_now_ms();
	rc = conn_row(
		c,
		"INSERT INTO notice_number_seq (org_id, year, next) VALUES ($1, $2, 2)"
		" ON CONFLICT (org_id, year) DO UPDATE SET next = notice_number_seq.next + 1 RETURNING next - 1",
		"it", "i", org_id, year, &seq);
	if (!rc && !notice_number_format(cfg.prefix, year, seq, j->number, sizeof(j->number)))
		rc = ERR_TOOBIG;
	if (!rc) {
		rc = conn_run(
			c,
			"UPDATE notice SET state = 'sent', number = $2, number_year = $3, number_seq = $4,"
			" sent_by = NULLIF(CAST($5 AS BIGINT), 0), sent_at = $6, updated_at = $6, recipient_count = $7,"
			" version = version + 1 WHERE id = $1 AND state = $8",
			"ittiiiit", j->id, j->number, year, seq, j->who->user_id, now, (int64_t)v.n, state);
		rc = rc < 0 ? rc : rc == 0 ? ERR_CONFLICT : 0;
	}
	if (!rc)
		rc = insert_recipients(c, j->id, now, v.ids, v.n);
	j->recipients = v.n;
	free(v.ids);
	if (!rc && parent)
		rc = conn_run(
			c,
			"UPDATE notice_recipient SET forwarded_id = $3 WHERE notice_id = $1 AND org_id = $2"
			" AND forwarded_id IS NULL",
			"iii", parent, org_id, j->id);
	if (rc < 0)
		return rc;
	struct audit_diff d;
	audit_diff_init(&d);
	audit_diff_change(&d, "state", state, "sent");
	audit_diff_str(&d, "doc_number", j->number);
	audit_diff_int(&d, "recipients", (int64_t)j->recipients);
	return audit_object(c, j->who, "notice.send", "notice", j->id, org_id, audit_diff_text(&d));
}

int notice_send(struct app *a, const struct audit_entry *who, int64_t id, struct errlist *errs)
{
	struct send_job j = {who, id, errs, malloc(sizeof(struct notice_targets)), "", 0};
	if (!j.t)
		return ERR_NOMEM;
	int rc = store_tx(a->store, send_tx, &j);
	free(j.t);
	/* INTEGRATION(notifications): after the commit, raise an in-app notification to the
	 * staff of each recipient org and the outbound hook (the notifications module). */
	/* INTEGRATION(files): attachments of the notice become visible to the recipients here. */
	return rc;
}
