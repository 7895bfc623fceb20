/*
 * form_store.c - form templates with their versions, and the generic submissions every
 * module that collects a form reuses (reports, surveys, nominations): see form.h and
 * docs/forms.md. Values are checked (form.c) before a write transaction opens, since
 * checking an org picker reads the tree; the transaction then re-checks the version it
 * was checked against, so nothing is written from a stale read. Every write appends its
 * audit record in its transaction.
 */
#include "core/form.h"
#include "core/names.h"
#include "core/org.h"
#include "store/store.h"
#include "base/timeutil.h"
#include "base/utf8.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int form_file_visible(struct app *a, const struct caller *c, int64_t file_id)
{
	/* Hook for the stored-files mechanism (issue 13, built in parallel): it will check
	 * that file_id exists and that c may see its owning object. Until then only the
	 * shape (a positive id) is checked, by form.c. */
	(void)a;
	(void)c;
	return file_id > 0 ? 0 : ERR_NOTFOUND;
}

/* ---- templates ---- */

#define TEMPLATE_COLS                                                                              \
	"t.id, COALESCE(t.org_id, 0), COALESCE(o.name, ''), t.code, t.name, t.name_en, t.current," \
	" t.version, t.created_at, t.updated_at FROM form_template t LEFT JOIN org o ON o.id = t.org_id"

static void template_of(struct stmt *st, struct form_template *t)
{
	memset(t, 0, sizeof(*t));
	t->id = stmt_int64(st, 0);
	t->org_id = stmt_int64(st, 1);
	str_copy(t->org_name, sizeof(t->org_name), stmt_text(st, 2, NULL));
	str_copy(t->code, sizeof(t->code), stmt_text(st, 3, NULL));
	str_copy(t->name, sizeof(t->name), stmt_text(st, 4, NULL));
	str_copy(t->name_en, sizeof(t->name_en), stmt_text(st, 5, NULL));
	t->current = (int)stmt_int64(st, 6);
	t->version = stmt_int64(st, 7);
	t->created_at = stmt_int64(st, 8);
	t->updated_at = stmt_int64(st, 9);
}

struct template_each {
	int (*fn)(const struct form_template *t, void *arg);
	void *arg;
	struct form_template *one;
};

static int template_row(struct stmt *st, void *arg)
{
	struct template_each *e = arg;
	struct form_template t;
	template_of(st, &t);
	if (e->one) {
		*e->one = t;
		return 1;
	}
	return e->fn(&t, e->arg);
}

struct template_get_job {
	int64_t id;
	struct form_template *out;
	bool found;
};

static int template_found(const struct form_template *t, void *arg)
{
	(void)t;
	((struct template_get_job *)arg)->found = true;
	return 1;
}

static int template_get_read(struct conn *c, void *arg)
{
	struct template_get_job *j = arg;
	struct template_each e = {.fn = template_found, .arg = j, .one = j->out};
	int rc = conn_each(c, "SELECT " TEMPLATE_COLS " WHERE t.id = $1", template_row, &e, "i", j->id);
	return rc ? rc : j->out->id ? 0 : ERR_NOTFOUND;
}

int form_template_get(struct app *a, int64_t id, struct form_template *out)
{
	memset(out, 0, sizeof(*out));
	struct template_get_job j = {.id = id, .out = out};
	return store_read(a->store, template_get_read, &j);
}

struct org_of_job {
	int64_t id, *org_id;
};

static int template_org_read(struct conn *c, void *arg)
{
	struct org_of_job *j = arg;
	return conn_row(c, "SELECT COALESCE(org_id, 0) FROM form_template WHERE id = $1", "i", "i", j->id,
			j->org_id);
}

int form_template_org(struct app *a, int64_t id, int64_t *org_id)
{
	struct org_of_job j = {id, org_id};
	return store_read(a->store, template_org_read, &j);
}

struct list_job {
	int64_t under;
	struct template_each e;
};

static int template_list_read(struct conn *c, void *arg)
{
	struct list_job *j = arg;
	char today[11];
	date_today(today, sizeof(today));
	return conn_each(
		c,
		"SELECT " TEMPLATE_COLS " WHERE t.org_id IS NULL"
		" OR t.org_id IN (SELECT anc_id FROM org_closure WHERE org_id = $1 AND valid_from <= $2"
		" AND (valid_to IS NULL OR valid_to > $2))"
		" OR t.org_id IN (SELECT org_id FROM org_closure WHERE anc_id = $1 AND valid_from <= $2"
		" AND (valid_to IS NULL OR valid_to > $2))"
		" ORDER BY t.id LIMIT 1000",
		template_row, &j->e, "it", j->under, today);
}

int form_template_list(struct app *a, int64_t under, int (*fn)(const struct form_template *t, void *arg),
		       void *arg)
{
	struct list_job j = {under, {.fn = fn, .arg = arg}};
	return store_read(a->store, template_list_read, &j);
}

struct schema_job {
	int64_t id;
	int *n;
	char **schema;
};

static int schema_read(struct conn *c, void *arg)
{
	struct schema_job *j = arg;
	if (*j->n <= 0) {
		int rc = conn_row(c, "SELECT current FROM form_template WHERE id = $1", "i", "d", j->id,
				  j->n);
		if (rc)
			return rc;
	}
	size_t len = 0;
	struct stmt *st = NULL;
	int rc = conn_prepare(
		c, "SELECT schema_json FROM form_version WHERE template_id = $1 AND number = $2", &st);
	if (!rc)
		rc = stmt_bind_int64(st, 1, j->id);
	if (!rc)
		rc = stmt_bind_int64(st, 2, *j->n);
	if (!rc)
		rc = stmt_step(st);
	if (rc == STORE_ROW) {
		const char *t = stmt_text(st, 0, &len);
		*j->schema = strndup(t, len);
		rc = *j->schema ? 0 : ERR_NOMEM;
	} else if (rc == STORE_DONE) {
		rc = ERR_NOTFOUND;
	}
	stmt_done(st);
	return rc;
}

int form_version_schema(struct app *a, int64_t template_id, int *n, char **schema)
{
	*schema = NULL;
	struct schema_job j = {template_id, n, schema};
	return store_read(a->store, schema_read, &j);
}

struct versions_job {
	int64_t id;
	int (*fn)(const struct form_version_info *v, void *arg);
	void *arg;
};

static int version_row(struct stmt *st, void *arg)
{
	struct versions_job *j = arg;
	struct form_version_info v = {.number = (int)stmt_int64(st, 0),
				      .created_by = stmt_int64(st, 1),
				      .created_at = stmt_int64(st, 3),
				      .submissions = stmt_int64(st, 4)};
	str_copy(v.created_by_name, sizeof(v.created_by_name), stmt_text(st, 2, NULL));
	return j->fn(&v, j->arg);
}

static int versions_read(struct conn *c, void *arg)
{
	struct versions_job *j = arg;
	return conn_each(
		c,
		"SELECT v.number, COALESCE(v.created_by, 0), COALESCE(u.display_name, ''), v.created_at,"
		" (SELECT COUNT(*) FROM form_submission s WHERE s.template_id = v.template_id"
		" AND s.form_version = v.number)"
		" FROM form_version v LEFT JOIN app_user u ON u.id = v.created_by"
		" WHERE v.template_id = $1 ORDER BY v.number DESC",
		version_row, j, "i", j->id);
}

int form_versions(struct app *a, int64_t template_id, int (*fn)(const struct form_version_info *v, void *arg),
		  void *arg)
{
	struct versions_job j = {template_id, fn, arg};
	return store_read(a->store, versions_read, &j);
}

/* Names, code and schema of a template input, checked and normalised. */
struct template_clean {
	char code[FORM_CODE_MAX + 1];
	char name[FORM_NAME_MAX * 4 + 1];
	char name_en[FORM_NAME_MAX * 4 + 1];
	char *schema; /* canonical, malloc'd; NULL when none was given */
};

static int template_clean(const struct form_template_input *in, bool create, struct errlist *errs,
			  struct template_clean *out)
{
	memset(out, 0, sizeof(*out));
	int bad = 0;
	if (create) {
		const char *c = in->code ? in->code : "";
		size_t n = strlen(c);
		bool ok = n >= 1 && n <= FORM_CODE_MAX;
		for (size_t i = 0; ok && i < n; i++)
			ok = (c[i] >= 'a' && c[i] <= 'z') || (c[i] >= '0' && c[i] <= '9') || c[i] == '_' ||
			     c[i] == '-';
		if (!ok)
			bad = errlist_add(errs, "code", "invalid_code", "a code: 1-40 of a-z 0-9 _ -");
		else
			str_copy(out->code, sizeof(out->code), c);
	}
	if (in->name && name_normalize(in->name, strlen(in->name), 0, 1, FORM_NAME_MAX, out->name,
				       sizeof(out->name), "name", errs))
		bad = ERR_UNPROCESSABLE;
	if (create && !in->name)
		bad = errlist_add(errs, "name", "required", "required");
	if (in->name_en && name_normalize(in->name_en, strlen(in->name_en), 0, 0, FORM_NAME_MAX, out->name_en,
					  sizeof(out->name_en), "name_en", errs))
		bad = ERR_UNPROCESSABLE;
	if (in->schema) {
		struct errlist mine;
		errlist_init(&mine);
		int rc = form_schema_check(in->schema, &mine, &out->schema);
		for (int i = 0; i < mine.n; i++) {
			char f[80];
			snprintf(f, sizeof(f), "schema%s%s",
				 mine.e[i].field[0] == '.' || !mine.e[i].field[0] ? "" : ".",
				 mine.e[i].field);
			errlist_add(errs, f, mine.e[i].code, mine.e[i].message);
			for (int p = 0; p < mine.e[i].nparams; p++) {
				const struct fielderr_param *fp = &mine.e[i].params[p];
				if (fp->is_num)
					errlist_param_int(errs, fp->key, fp->num);
				else
					errlist_param_str(errs, fp->key, fp->text);
			}
		}
		if (rc)
			bad = rc;
	} else if (create) {
		bad = errlist_add(errs, "schema", "required", "required");
	}
	if (bad) {
		free(out->schema);
		out->schema = NULL;
	}
	return bad;
}

struct template_tx_job {
	const struct audit_entry *who;
	const struct form_template_input *in;
	const struct template_clean *v;
	int64_t id, version;
	struct errlist *errs;
};

static int create_tx(struct conn *c, void *arg)
{
	struct template_tx_job *j = arg;
	int64_t now = time_unix();
	int rc = conn_row(
		c,
		"INSERT INTO form_template (org_id, code, name, name_en, current, version, created_by,"
		" created_at, updated_at) VALUES ($1, $2, $3, $4, 1, 1, NULLIF($5, 0), $6, $6) RETURNING id",
		"ittti i", "i", j->in->org_id, j->v->code, j->v->name, j->v->name_en, j->who->user_id, now,
		&j->id);
	if (rc == ERR_CONFLICT)
		return errlist_add(j->errs, "code", "taken", "this organization has a form with this code"),
		       ERR_CONFLICT;
	if (!rc)
		rc = conn_run(
			c,
			"INSERT INTO form_version (template_id, number, schema_json, created_by, created_at)"
			" VALUES ($1, 1, $2, NULLIF($3, 0), $4)",
			"itii", j->id, j->v->schema, j->who->user_id, now);
	if (rc < 0)
		return rc;
	struct audit_diff d;
	audit_diff_init(&d);
	audit_diff_str(&d, "code", j->v->code);
	audit_diff_str(&d, "name", j->v->name);
	audit_diff_int(&d, "form_version", 1);
	return audit_object(c, j->who, "form.create", "form", j->id, j->in->org_id, audit_diff_text(&d));
}

int form_template_create(struct app *a, const struct audit_entry *who, const struct form_template_input *in,
			 struct errlist *errs, int64_t *id)
{
	struct template_clean v;
	int rc = template_clean(in, true, errs, &v);
	if (rc)
		return rc;
	struct template_tx_job j = {.who = who, .in = in, .v = &v, .errs = errs};
	rc = store_tx(a->store, create_tx, &j);
	free(v.schema);
	if (!rc)
		*id = j.id;
	return rc;
}

static int update_tx(struct conn *c, void *arg)
{
	struct template_tx_job *j = arg;
	struct form_template t = {0};
	struct template_each e = {.one = &t};
	int rc = conn_each(c, "SELECT " TEMPLATE_COLS " WHERE t.id = $1", template_row, &e, "i", j->id);
	if (rc)
		return rc;
	if (!t.id)
		return ERR_NOTFOUND;
	if (!t.org_id)
		return errlist_add(j->errs, "", "builtin", "a built-in form cannot be changed: copy it"),
		       ERR_FORBIDDEN;
	if (j->version && t.version != j->version)
		return ERR_PRECONDITION;
	int current = t.current + (j->v->schema ? 1 : 0);
	int64_t now = time_unix();
	if (j->v->schema) {
		rc = conn_run(
			c,
			"INSERT INTO form_version (template_id, number, schema_json, created_by, created_at)"
			" VALUES ($1, $2, $3, NULLIF($4, 0), $5)",
			"idtii", j->id, current, j->v->schema, j->who->user_id, now);
		if (rc < 0)
			return rc;
	}
	const char *name = j->in->name ? j->v->name : t.name;
	const char *name_en = j->in->name_en ? j->v->name_en : t.name_en;
	rc = conn_run(c,
		      "UPDATE form_template SET name = $2, name_en = $3, current = $4, version = version + 1,"
		      " updated_at = $5 WHERE id = $1 AND version = $6",
		      "ittdii", j->id, name, name_en, current, now, t.version);
	if (rc == 0)
		return ERR_PRECONDITION;
	if (rc < 0)
		return rc;
	struct audit_diff d;
	audit_diff_init(&d);
	audit_diff_change(&d, "name", t.name, name);
	audit_diff_change(&d, "name_en", t.name_en, name_en);
	if (j->v->schema)
		audit_diff_int(&d, "form_version", current);
	return audit_object(c, j->who, "form.update", "form", j->id, t.org_id, audit_diff_text(&d));
}

int form_template_update(struct app *a, const struct audit_entry *who, int64_t id,
			 const struct form_template_input *in, int64_t version, struct errlist *errs)
{
	struct template_clean v;
	int rc = template_clean(in, false, errs, &v);
	if (rc)
		return rc;
	struct template_tx_job j = {
		.who = who, .in = in, .v = &v, .id = id, .version = version, .errs = errs};
	rc = store_tx(a->store, update_tx, &j);
	free(v.schema);
	return rc;
}

/* ---- submissions ---- */

void form_submission_clear(struct form_submission *s)
{
	free(s->values);
	s->values = NULL;
}

#define SUBMISSION_COLS                                                                                     \
	"s.id, s.template_id, s.form_version, s.subject_kind, s.subject_id, s.org_id, s.receiving_org_id,"  \
	" o.name, s.status, COALESCE(s.deadline, ''), COALESCE(s.late, -1), s.body, s.reason, s.rev,"       \
	" s.version, s.created_at, s.updated_at, COALESCE(s.submitted_at_ms, 0), COALESCE(s.decided_at, 0)" \
	" FROM form_submission s JOIN org o ON o.id = s.org_id"

static int submission_of(struct stmt *st, struct form_submission *s)
{
	memset(s, 0, sizeof(*s));
	s->id = stmt_int64(st, 0);
	s->template_id = stmt_int64(st, 1);
	s->form_version = (int)stmt_int64(st, 2);
	str_copy(s->subject_kind, sizeof(s->subject_kind), stmt_text(st, 3, NULL));
	s->subject_id = stmt_int64(st, 4);
	s->org_id = stmt_int64(st, 5);
	s->receiving_org_id = stmt_int64(st, 6);
	str_copy(s->org_name, sizeof(s->org_name), stmt_text(st, 7, NULL));
	str_copy(s->status, sizeof(s->status), stmt_text(st, 8, NULL));
	str_copy(s->deadline, sizeof(s->deadline), stmt_text(st, 9, NULL));
	s->late = (int)stmt_int64(st, 10);
	size_t len = 0;
	const char *body = stmt_text(st, 11, &len);
	s->values = strndup(body, len);
	str_copy(s->reason, sizeof(s->reason), stmt_text(st, 12, NULL));
	s->rev = (int)stmt_int64(st, 13);
	s->version = stmt_int64(st, 14);
	s->created_at = stmt_int64(st, 15);
	s->updated_at = stmt_int64(st, 16);
	s->submitted_at_ms = stmt_int64(st, 17);
	s->decided_at = stmt_int64(st, 18);
	return s->values ? 0 : ERR_NOMEM;
}

struct sub_each {
	int (*fn)(const struct form_submission *s, void *arg);
	void *arg;
	struct form_submission *one;
	int64_t last;
	int n;
};

static int submission_row(struct stmt *st, void *arg)
{
	struct sub_each *e = arg;
	if (e->one) {
		form_submission_clear(e->one);
		int rc = submission_of(st, e->one);
		return rc ? rc : 1;
	}
	struct form_submission s;
	int rc = submission_of(st, &s);
	if (!rc)
		rc = e->fn(&s, e->arg);
	e->last = s.id;
	e->n++;
	form_submission_clear(&s);
	return rc;
}

static int submission_load(struct conn *c, int64_t id, struct form_submission *out)
{
	struct sub_each e = {.one = out};
	int rc = conn_each(c, "SELECT " SUBMISSION_COLS " WHERE s.id = $1", submission_row, &e, "i", id);
	return rc ? rc : out->id ? 0 : ERR_NOTFOUND;
}

struct sub_get_job {
	int64_t id;
	struct form_submission *out;
};

static int submission_get_read(struct conn *c, void *arg)
{
	struct sub_get_job *j = arg;
	return submission_load(c, j->id, j->out);
}

int form_submission_get(struct app *a, int64_t id, struct form_submission *out)
{
	memset(out, 0, sizeof(*out));
	struct sub_get_job j = {id, out};
	int rc = store_read(a->store, submission_get_read, &j);
	if (rc)
		form_submission_clear(out);
	return rc;
}

struct orgs_job {
	int64_t id, *org, *recv;
};

static int submission_orgs_read(struct conn *c, void *arg)
{
	struct orgs_job *j = arg;
	return conn_row(c, "SELECT org_id, receiving_org_id FROM form_submission WHERE id = $1", "i", "ii",
			j->id, j->org, j->recv);
}

int form_submission_orgs(struct app *a, int64_t id, int64_t *org_id, int64_t *receiving_org_id)
{
	struct orgs_job j = {id, org_id, receiving_org_id};
	return store_read(a->store, submission_orgs_read, &j);
}

/* The hooks values are checked with: an org picker inside the caller's scope for
 * form.submit, a file through form_file_visible. */
struct hook_ctx {
	struct app *a;
	const struct caller *c;
};

static int org_ok(void *arg, int64_t org_id)
{
	struct hook_ctx *h = arg;
	struct org o;
	const char *role = NULL;
	return org_get_for(h->a, h->c, "form.submit", org_id, NULL, &o, &role);
}

static int file_ok(void *arg, int64_t file_id)
{
	struct hook_ctx *h = arg;
	return form_file_visible(h->a, h->c, file_id);
}

/* Values checked against schema, with field errors under `values.`. */
static int values_check(struct app *a, const struct form_actor *who, const char *schema,
			const struct json_t *values, const char *text, bool draft, struct errlist *errs,
			char **out)
{
	struct hook_ctx hc = {a, who->caller};
	struct form_hooks h = {.org_ok = who->caller ? org_ok : NULL, .file_ok = file_ok, .arg = &hc};
	struct errlist mine;
	errlist_init(&mine);
	int rc = values ? form_values_check(schema, values, &h, draft, &mine, out)
			: form_values_check_text(schema, text, &h, draft, &mine, out);
	for (int i = 0; i < mine.n; i++) {
		char f[80];
		snprintf(f, sizeof(f), "values.%s", mine.e[i].field);
		errlist_add(errs, f, mine.e[i].code, mine.e[i].message);
		for (int p = 0; p < mine.e[i].nparams; p++) {
			const struct fielderr_param *fp = &mine.e[i].params[p];
			if (fp->is_num)
				errlist_param_int(errs, fp->key, fp->num);
			else
				errlist_param_str(errs, fp->key, fp->text);
		}
	}
	return rc;
}

struct create_job {
	const struct audit_entry *who;
	const struct form_submission_input *in;
	int form_version;
	int64_t receiving;
	const char *body;
	int64_t id;
	struct errlist *errs;
};

static int sub_create_tx(struct conn *c, void *arg)
{
	struct create_job *j = arg;
	int64_t now = time_unix();
	int rc = conn_row(
		c,
		"INSERT INTO form_submission (template_id, form_version, subject_kind, subject_id, org_id,"
		" receiving_org_id, status, deadline, body, created_by, created_at, updated_at)"
		" VALUES ($1, $2, $3, $4, $5, $6, 'draft', $7, $8, NULLIF($9, 0), $10, $10) RETURNING id",
		"idtiiittii", "i", j->in->template_id, j->form_version, j->in->subject_kind,
		j->in->subject_id, j->in->org_id, j->receiving, j->in->deadline, j->body, j->who->user_id,
		now, &j->id);
	if (rc == ERR_CONFLICT)
		return errlist_add(j->errs, "subject_id", "submission_exists",
				   "this organization has a submission of this form for this subject"),
		       ERR_CONFLICT;
	if (rc)
		return rc;
	struct audit_diff d;
	audit_diff_init(&d);
	audit_diff_int(&d, "template_id", j->in->template_id);
	audit_diff_int(&d, "form_version", j->form_version);
	audit_diff_str(&d, "subject", j->in->subject_kind);
	audit_diff_int(&d, "subject_id", j->in->subject_id);
	return audit_object(c, j->who, "submission.create", "submission", j->id, j->in->org_id,
			    audit_diff_text(&d));
}

/* May org_id use template t (built in, or owned at or above it), and who receives? */
static int create_target(struct app *a, const struct form_submission_input *in, const struct form_template *t,
			 struct errlist *errs, int64_t *receiving)
{
	bool yes = false;
	int rc = 0;
	if (t->org_id) {
		rc = org_within(a, t->org_id, in->org_id, NULL, &yes);
		if (rc)
			return rc;
		if (!yes)
			return errlist_add(errs, "template_id", "not_available",
					   "this form belongs to an organization that is not above this one");
	}
	*receiving = in->receiving_org_id ? in->receiving_org_id : t->org_id;
	if (!*receiving)
		return errlist_add(errs, "receiving_org_id", "required",
				   "a built-in form needs the receiving org");
	rc = org_within(a, *receiving, in->org_id, NULL, &yes);
	if (rc == ERR_NOTFOUND || (!rc && !yes))
		return errlist_add(errs, "receiving_org_id", "not_above",
				   "the receiving organization must be this one or above it");
	return rc;
}

int form_submission_create(struct app *a, const struct form_actor *who,
			   const struct form_submission_input *in, struct errlist *errs, int64_t *id)
{
	if (!word_in("notice|period|adhoc", '|', in->subject_kind ? in->subject_kind : "", false))
		return errlist_add(errs, "subject_kind", "not_allowed", "notice, period or adhoc"),
		       errlist_param_str(errs, "allowed", "notice|period|adhoc");
	if (in->deadline && !form_deadline_valid(in->deadline))
		return errlist_add(errs, "deadline", "invalid_deadline",
				   "YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS[.mmm]] (Asia/Shanghai)");
	struct form_template t;
	int rc = form_template_get(a, in->template_id, &t);
	if (rc == ERR_NOTFOUND)
		return errlist_add(errs, "template_id", "not_found", "no such form");
	int64_t receiving = 0;
	if (!rc)
		rc = create_target(a, in, &t, errs, &receiving);
	if (rc)
		return rc;
	int n = 0;
	char *schema = NULL, *body = NULL;
	rc = form_version_schema(a, t.id, &n, &schema);
	if (!rc)
		rc = values_check(a, who, schema, in->values, "{}", true, errs, &body);
	if (!rc) {
		struct create_job j = {.who = who->who,
				       .in = in,
				       .form_version = n,
				       .receiving = receiving,
				       .body = body,
				       .errs = errs};
		rc = store_tx(a->store, sub_create_tx, &j);
		*id = j.id;
	}
	free(schema);
	free(body);
	return rc;
}

/* The submission with the schema of its version, read before a write. */
static int load_with_schema(struct app *a, int64_t id, struct form_submission *s, char **schema)
{
	int rc = form_submission_get(a, id, s);
	if (rc)
		return rc;
	int n = s->form_version;
	rc = form_version_schema(a, s->template_id, &n, schema);
	if (rc)
		form_submission_clear(s);
	return rc;
}

struct save_job {
	const struct audit_entry *who;
	int64_t id, version, org_id;
	const char *body;
};

static int save_tx(struct conn *c, void *arg)
{
	struct save_job *j = arg;
	int rc = conn_run(c,
			  "UPDATE form_submission SET body = $2, version = version + 1, updated_at = $3"
			  " WHERE id = $1 AND version = $4 AND status IN ('draft', 'returned')",
			  "itii", j->id, j->body, time_unix(), j->version);
	if (rc == 0)
		return ERR_PRECONDITION;
	if (rc < 0)
		return rc;
	return audit_object(c, j->who, "submission.save", "submission", j->id, j->org_id, NULL);
}

static bool editable(const char *status)
{
	return !strcmp(status, "draft") || !strcmp(status, "returned");
}

int form_submission_save(struct app *a, const struct form_actor *who, int64_t id, const struct json_t *values,
			 int64_t version, struct errlist *errs)
{
	struct form_submission s;
	char *schema = NULL, *body = NULL;
	int rc = load_with_schema(a, id, &s, &schema);
	if (rc)
		return rc;
	if (s.version != version)
		rc = ERR_PRECONDITION;
	else if (!editable(s.status)) {
		errlist_add(errs, "status", "not_editable", "only a draft or a returned submission changes");
		rc = ERR_CONFLICT;
	}
	if (!rc)
		rc = values_check(a, who, schema, values, NULL, true, errs, &body);
	if (!rc) {
		struct save_job j = {who->who, id, version, s.org_id, body};
		rc = store_tx(a->store, save_tx, &j);
	}
	form_submission_clear(&s);
	free(schema);
	free(body);
	return rc;
}

struct submit_job {
	const struct audit_entry *who;
	int64_t id;
	const struct form_submission *s; /* as read before */
	const char *body, *key, *hash;
	int64_t at_ms, if_match;
	bool replayed;
	struct errlist *errs;
};

/* A key this account used before: the same request replays, another is refused. */
static int key_seen(struct conn *c, struct submit_job *j, bool *seen)
{
	int64_t sid = 0;
	char hash[65] = "";
	*seen = false;
	int rc = conn_row(c,
			  "SELECT submission_id, request_hash FROM form_submission_rev"
			  " WHERE submitted_by = $1 AND idem_key = $2",
			  "it", "it", j->who->user_id, j->key, &sid, hash, sizeof(hash));
	if (rc == ERR_NOTFOUND)
		return 0;
	if (rc)
		return rc;
	if (sid != j->id || strcmp(hash, j->hash))
		return errlist_add(j->errs, "Idempotency-Key", "idempotency_key_reused",
				   "this key was used for a different request");
	*seen = true;
	return 0;
}

static int submit_tx(struct conn *c, void *arg)
{
	struct submit_job *j = arg;
	const struct form_submission *s = j->s;
	j->replayed = false;
	/* lock the row first (PostgreSQL), so a concurrent retry waits and then sees this one */
	int rc = conn_run(c, "UPDATE form_submission SET version = version WHERE id = $1", "i", j->id);
	if (rc < 0)
		return rc;
	if (j->key) {
		bool seen = false;
		rc = key_seen(c, j, &seen);
		if (rc || seen) {
			j->replayed = seen;
			return rc;
		}
	}
	char status[12] = "";
	int64_t version = 0;
	rc = conn_row(c, "SELECT status, version FROM form_submission WHERE id = $1", "i", "ti", j->id,
		      status, sizeof(status), &version);
	if (rc)
		return rc;
	if (version != s->version || (j->if_match && version != j->if_match))
		return ERR_PRECONDITION;
	if (!editable(status))
		return errlist_add(j->errs, "status", "not_editable",
				   "submitted already: it is with the reviewers"),
		       ERR_CONFLICT;
	bool first = !strcmp(status, "draft");
	const char *kind = first ? "submitted" : "resubmitted";
	int late = -1;
	bool l = false;
	if (first && s->deadline[0] && !form_deadline_late(j->at_ms, s->deadline, &l))
		late = l ? 1 : 0;
	rc = conn_run(
		c,
		"INSERT INTO form_submission_rev (submission_id, rev, form_version, kind, body, submitted_by,"
		" submitted_at_ms, idem_key, request_hash) VALUES ($1, $2, $3, $4, $5, NULLIF($6, 0), $7, $8, $9)",
		"iddttiitt", j->id, s->rev + 1, s->form_version, kind, j->body, j->who->user_id, j->at_ms,
		j->key, j->key ? j->hash : NULL);
	if (rc == ERR_CONFLICT && j->key)
		return ERR_BUSY; /* the same key committed meanwhile: run again and replay it */
	if (rc < 0)
		return rc;
	rc = conn_run(
		c,
		"UPDATE form_submission SET status = $2, body = $3, rev = rev + 1, version = version + 1,"
		" updated_at = $4, reason = '', late = CASE WHEN $5 >= 0 THEN $5 ELSE late END,"
		" submitted_at_ms = COALESCE(submitted_at_ms, $6) WHERE id = $1",
		"ittidi", j->id, kind, j->body, j->at_ms / 1000, late, j->at_ms);
	if (rc < 0)
		return rc;
	struct audit_diff d;
	audit_diff_init(&d);
	audit_diff_int(&d, "rev", s->rev + 1);
	if (late >= 0)
		audit_diff_bool(&d, "late", late == 1);
	return audit_object(c, j->who, first ? "submission.submit" : "submission.resubmit", "submission",
			    j->id, s->org_id, audit_diff_text(&d));
}

int form_submission_submit(struct app *a, const struct form_actor *who, int64_t id,
			   const struct form_submit_input *in, struct errlist *errs, bool *replayed)
{
	struct form_submission s;
	char *schema = NULL, *body = NULL;
	char hash[65] = "";
	*replayed = false;
	int rc = load_with_schema(a, id, &s, &schema);
	if (rc)
		return rc;
	if (in->idem_key)
		rc = form_request_hash(id, in->values, hash);
	struct submit_job j = {.who = who->who,
			       .id = id,
			       .s = &s,
			       .key = in->idem_key,
			       .hash = hash,
			       .if_match = in->version,
			       .errs = errs};
	if (!rc && in->version && in->version != s.version && !in->idem_key)
		rc = ERR_PRECONDITION;
	/* a retry whose first attempt went through finds the submission moved on: look the key up first */
	bool done = false;
	if (!rc && in->idem_key && !editable(s.status)) {
		rc = store_tx(a->store, submit_tx, &j);
		done = true;
	}
	if (!done && !rc)
		rc = values_check(a, who, schema, in->values, s.values, false, errs, &body);
	if (!done && !rc) {
		j.body = body;
		j.at_ms = now_ms();
		rc = store_tx(a->store, submit_tx, &j);
	}
	*replayed = j.replayed;
	form_submission_clear(&s);
	free(schema);
	free(body);
	return rc;
}

struct decide_job {
	const struct audit_entry *who;
	int64_t id, version;
	const char *reason; /* NULL: accept */
	struct errlist *errs;
};

static int decide_tx(struct conn *c, void *arg)
{
	struct decide_job *j = arg;
	char status[12] = "";
	int64_t version = 0, org_id = 0;
	int rc = conn_row(c, "SELECT status, version, org_id FROM form_submission WHERE id = $1", "i", "tii",
			  j->id, status, sizeof(status), &version, &org_id);
	if (rc)
		return rc;
	if (j->version && version != j->version)
		return ERR_PRECONDITION;
	if (strcmp(status, "submitted") && strcmp(status, "resubmitted"))
		return errlist_add(j->errs, "status", "not_submitted",
				   "only a submitted form is returned or accepted"),
		       ERR_CONFLICT;
	int64_t now = time_unix();
	rc = conn_run(
		c,
		"UPDATE form_submission SET status = $2, reason = $3, version = version + 1, updated_at = $4,"
		" decided_by = NULLIF($5, 0), decided_at = $4 WHERE id = $1",
		"ittii", j->id, j->reason ? "returned" : "accepted", j->reason ? j->reason : "", now,
		j->who->user_id);
	if (rc < 0)
		return rc;
	struct audit_diff d;
	audit_diff_init(&d);
	audit_diff_change(&d, "status", status, j->reason ? "returned" : "accepted");
	if (j->reason)
		audit_diff_str(&d, "reason", j->reason);
	return audit_object(c, j->who, j->reason ? "submission.return" : "submission.accept", "submission",
			    j->id, org_id, audit_diff_text(&d));
}

int form_submission_return(struct app *a, const struct audit_entry *who, int64_t id, const char *reason,
			   int64_t version, struct errlist *errs)
{
	size_t n = reason ? utf8_count(reason, strlen(reason)) : 0;
	const char *p = reason;
	while (p && (*p == ' ' || *p == '\t' || *p == '\n'))
		p++;
	if (!p || !*p)
		return errlist_add(errs, "reason", "required", "say what to change");
	if (n > FORM_REASON_MAX)
		return errlist_add(errs, "reason", "too_long", "too long"),
		       errlist_param_int(errs, "max", FORM_REASON_MAX);
	struct decide_job j = {who, id, version, reason, errs};
	return store_tx(a->store, decide_tx, &j);
}

int form_submission_accept(struct app *a, const struct audit_entry *who, int64_t id, int64_t version,
			   struct errlist *errs)
{
	struct decide_job j = {who, id, version, NULL, errs};
	return store_tx(a->store, decide_tx, &j);
}

struct sub_list_job {
	const struct form_filter *f;
	struct sub_each e;
};

static int sub_list_read(struct conn *c, void *arg)
{
	struct sub_list_job *j = arg;
	const struct form_filter *f = j->f;
	char today[11];
	date_today(today, sizeof(today));
	return conn_each(
		c,
		"SELECT " SUBMISSION_COLS " WHERE s.org_id IN (SELECT oc.org_id FROM org_closure oc"
		" WHERE oc.anc_id = $1 AND oc.valid_from <= $2 AND (oc.valid_to IS NULL OR oc.valid_to > $2))"
		" AND ($3 = 0 OR s.template_id = $3) AND ($4 = '' OR s.status = $4)"
		" AND ($5 = '' OR (s.subject_kind = $5 AND s.subject_id = $6)) AND ($7 = 0 OR s.id < $7)"
		" ORDER BY s.id DESC LIMIT $8",
		submission_row, &j->e, "itittiid", f->under, today, f->template_id,
		f->status ? f->status : "", f->subject_kind ? f->subject_kind : "", f->subject_id, f->before,
		f->limit);
}

int form_submission_list(struct app *a, const struct form_filter *f,
			 int (*fn)(const struct form_submission *s, void *arg), void *arg,
			 int64_t *next_before)
{
	struct sub_list_job j = {f, {.fn = fn, .arg = arg}};
	int rc = store_read(a->store, sub_list_read, &j);
	*next_before = !rc && j.e.n == f->limit ? j.e.last : 0;
	return rc;
}

struct revs_job {
	int64_t id;
	int (*fn)(const struct form_rev *r, void *arg);
	void *arg;
};

static int rev_row(struct stmt *st, void *arg)
{
	struct revs_job *j = arg;
	struct form_rev r = {.rev = (int)stmt_int64(st, 0),
			     .form_version = (int)stmt_int64(st, 1),
			     .by = stmt_int64(st, 3),
			     .at_ms = stmt_int64(st, 5)};
	str_copy(r.kind, sizeof(r.kind), stmt_text(st, 2, NULL));
	str_copy(r.by_name, sizeof(r.by_name), stmt_text(st, 4, NULL));
	size_t len = 0;
	const char *b = stmt_text(st, 6, &len);
	r.values = strndup(b, len);
	if (!r.values)
		return ERR_NOMEM;
	int rc = j->fn(&r, j->arg);
	free(r.values);
	return rc;
}

static int revs_read(struct conn *c, void *arg)
{
	struct revs_job *j = arg;
	return conn_each(
		c,
		"SELECT r.rev, r.form_version, r.kind, COALESCE(r.submitted_by, 0), COALESCE(u.display_name, ''),"
		" r.submitted_at_ms, r.body FROM form_submission_rev r"
		" LEFT JOIN app_user u ON u.id = r.submitted_by WHERE r.submission_id = $1 ORDER BY r.rev",
		rev_row, j, "i", j->id);
}

int form_submission_revs(struct app *a, int64_t id, int (*fn)(const struct form_rev *r, void *arg), void *arg)
{
	struct revs_job j = {id, fn, arg};
	return store_read(a->store, revs_read, &j);
}

struct rev_values_job {
	int64_t id;
	int rev;
	char **values, **schema;
};

static int keep_rev(const struct form_rev *r, void *arg)
{
	struct rev_values_job *j = arg;
	if (r->rev != j->rev)
		return 0;
	*j->values = strdup(r->values);
	j->rev = -r->form_version; /* found: remember the version */
	return *j->values ? 1 : ERR_NOMEM;
}

int form_submission_rev_values(struct app *a, int64_t id, int rev, char **values, char **schema)
{
	*values = *schema = NULL;
	int64_t template_id = 0;
	struct rev_values_job j = {id, rev, values, schema};
	int rc = form_submission_revs(a, id, keep_rev, &j);
	if (!rc && !*values)
		rc = ERR_NOTFOUND;
	struct form_submission s;
	if (!rc)
		rc = form_submission_get(a, id, &s);
	if (!rc) {
		template_id = s.template_id;
		form_submission_clear(&s);
		int n = -j.rev;
		rc = form_version_schema(a, template_id, &n, schema);
	}
	if (rc) {
		free(*values);
		*values = NULL;
	}
	return rc;
}
