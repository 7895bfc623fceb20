/*
 * forms.c (api) - form templates, their versions, preview validation and generic
 * submissions over HTTP (core/form.h, docs/forms.md). The rows in routes.c declare the
 * template (scoped by its owning org, or from below it for reading and filling in) and the
 * submission (scoped by the submitting org, or by the receiving org for the reviewers);
 * the hooks check them before a handler runs.
 */
#include "api/api.h"
#include "base/jsonw.h"
#include "base/timeutil.h"
#include "core/form.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "2026-12-02T15:59:59.999Z" for unix milliseconds; null for 0. */
static void time_ms(struct jsonw *w, const char *key, int64_t ms)
{
	if (!ms) {
		jsonw_null(w, key);
		return;
	}
	char iso[32], out[40];
	int64_t s = ms / 1000;
	time_iso(s, iso, sizeof(iso));
	size_t n = strlen(iso);
	if (n < 2) {
		jsonw_null(w, key);
		return;
	}
	iso[n - 1] = '\0'; /* drop the Z */
	snprintf(out, sizeof(out), "%s.%03dZ", iso, (int)(ms % 1000));
	jsonw_str(w, key, out);
}

static void time_s(struct jsonw *w, const char *key, int64_t s)
{
	time_ms(w, key, s * 1000);
}

static int refused(struct req *r, int rc, const char *what)
{
	if (rc == ERR_PRECONDITION)
		return req_fail(r, rc, "it changed since you read it: read it again");
	if (rc == ERR_UNPROCESSABLE || rc == ERR_CONFLICT || rc == ERR_FORBIDDEN)
		return req_fail(r, rc, "%s", what);
	if (rc == ERR_NOTFOUND)
		return req_fail(r, rc, "not found");
	return rc;
}

/* ---- templates ---- */

static void template_members(struct jsonw *w, const struct form_template *t)
{
	jsonw_int(w, "id", t->id);
	if (t->org_id)
		jsonw_int(w, "org_id", t->org_id);
	else
		jsonw_null(w, "org_id");
	jsonw_str(w, "org_name", t->org_id ? t->org_name : NULL);
	jsonw_bool(w, "builtin", t->org_id == 0);
	jsonw_str(w, "code", t->code);
	jsonw_str(w, "name", t->name);
	jsonw_str(w, "name_en", t->name_en);
	jsonw_int(w, "current_version", t->current);
	jsonw_int(w, "version", t->version);
	time_s(w, "created_at", t->created_at);
	time_s(w, "updated_at", t->updated_at);
}

static int answer_template(struct req *r, struct api *api, int64_t id, int number, unsigned status)
{
	struct form_template t;
	struct app *a = api_app(r, api);
	int rc = form_template_get(a, id, &t);
	char *schema = NULL;
	if (!rc)
		rc = form_version_schema(a, id, &number, &schema);
	if (rc == ERR_NOTFOUND)
		return req_fail(r, rc, number ? "no such version of this form" : "no such form");
	if (rc)
		return rc;
	api_etag(r, t.version);
	struct jsonw w;
	jsonw_init(&w);
	jsonw_object(&w, NULL);
	template_members(&w, &t);
	jsonw_int(&w, "schema_version", number);
	form_json_write(&w, "schema", schema);
	jsonw_end(&w);
	free(schema);
	return jsonw_send(r, status, &w);
}

static void template_input_of(json_t *b, struct form_template_input *in)
{
	memset(in, 0, sizeof(*in));
	in->code = api_str(b, "code");
	in->name = api_str(b, "name");
	in->name_en = api_str(b, "name_en");
	in->schema = json_object_get(b, "schema");
}

int api_form_create(struct req *r, void *ctx)
{
	struct api *api = ctx;
	struct form_template_input in;
	template_input_of(req_json(r), &in);
	in.org_id = api_obj(r, 0)->id;
	struct audit_entry who = api_actor_obj(r, api, 0);
	int64_t id = 0;
	int rc = form_template_create(api_app(r, api), &who, &in, req_errs(r), &id);
	rc = refused(r, rc, "the form was not created");
	return rc ? rc : answer_template(r, api, id, 0, 201);
}

int api_form_get(struct req *r, void *ctx)
{
	int64_t v = 0;
	req_query_int(r, "version", &v);
	return answer_template(r, ctx, api_obj(r, 0)->id, (int)v, 200);
}

int api_form_update(struct req *r, void *ctx)
{
	struct api *api = ctx;
	int64_t version;
	int rc = api_if_match_required(r, &version);
	if (rc)
		return rc;
	struct form_template_input in;
	template_input_of(req_json(r), &in);
	struct audit_entry who = api_actor_obj(r, api, 0);
	int64_t id = api_obj(r, 0)->id;
	rc = form_template_update(api_app(r, api), &who, id, &in, version, req_errs(r));
	rc = refused(r, rc,
		     rc == ERR_FORBIDDEN ? "a built-in form cannot be changed" : "the form was not changed");
	return rc ? rc : answer_template(r, api, id, 0, 200);
}

static int template_item(const struct form_template *t, void *arg)
{
	struct jsonw *w = arg;
	jsonw_object(w, NULL);
	template_members(w, t);
	jsonw_end(w);
	return w->rc;
}

int api_form_list(struct req *r, void *ctx)
{
	struct api *api = ctx;
	struct jsonw w;
	api_items_begin(&w);
	int rc = form_template_list(api_app(r, api), api_obj(r, 0)->id, template_item, &w);
	return api_items_end(r, &w, rc, NULL, NULL);
}

static int version_item(const struct form_version_info *v, void *arg)
{
	struct jsonw *w = arg;
	jsonw_object(w, NULL);
	jsonw_int(w, "number", v->number);
	jsonw_str(w, "created_by", v->created_by ? v->created_by_name : NULL);
	time_s(w, "created_at", v->created_at);
	jsonw_int(w, "submissions", v->submissions);
	jsonw_end(w);
	return w->rc;
}

int api_form_versions(struct req *r, void *ctx)
{
	struct api *api = ctx;
	struct jsonw w;
	api_items_begin(&w);
	int rc = form_versions(api_app(r, api), api_obj(r, 0)->id, version_item, &w);
	return api_items_end(r, &w, rc, NULL, NULL);
}

/* The org picker's check for a preview: the caller's scope for form.submit. */
struct preview_hooks {
	struct app *a;
	const struct caller *c;
};

static int preview_org_ok(void *arg, int64_t org_id)
{
	struct preview_hooks *p = arg;
	struct org o;
	return org_get_for(p->a, p->c, "form.submit", org_id, NULL, &o, NULL);
}

static int preview_file_ok(void *arg, int64_t file_id)
{
	struct preview_hooks *p = arg;
	return form_file_visible(p->a, p->c, file_id);
}

int api_form_validate(struct req *r, void *ctx)
{
	struct api *api = ctx;
	json_t *b = req_json(r);
	int64_t id = api_obj(r, 0)->id;
	json_t *nv = json_object_get(b, "version");
	int number = json_is_integer(nv) ? (int)json_integer_value(nv) : 0;
	char *schema = NULL, *out = NULL;
	struct app *a = api_app(r, api);
	int rc = form_version_schema(a, id, &number, &schema);
	if (rc == ERR_NOTFOUND)
		return req_fail(r, rc, "no such version of this form");
	if (rc)
		return rc;
	struct preview_hooks ph = {a, req_user(r)};
	struct form_hooks h = {.org_ok = preview_org_ok, .file_ok = preview_file_ok, .arg = &ph};
	struct errlist mine;
	errlist_init(&mine);
	rc = form_values_check(schema, json_object_get(b, "values"), &h,
			       json_is_true(json_object_get(b, "draft")), &mine, &out);
	free(schema);
	for (int i = 0; i < mine.n; i++) {
		char f[80];
		snprintf(f, sizeof(f), "values.%s", mine.e[i].field);
		errlist_add(req_errs(r), f, mine.e[i].code, mine.e[i].message);
		for (int p = 0; p < mine.e[i].nparams; p++) {
			const struct fielderr_param *fp = &mine.e[i].params[p];
			if (fp->is_num)
				errlist_param_int(req_errs(r), fp->key, fp->num);
			else
				errlist_param_str(req_errs(r), fp->key, fp->text);
		}
	}
	if (rc) {
		free(out);
		return refused(r, rc, "some values are not right");
	}
	struct jsonw w;
	jsonw_init(&w);
	jsonw_object(&w, NULL);
	jsonw_bool(&w, "valid", true);
	jsonw_int(&w, "form_version", number);
	form_json_write(&w, "values", out);
	jsonw_end(&w);
	free(out);
	return jsonw_send(r, 200, &w);
}

/* ---- submissions ---- */

static void submission_members(struct jsonw *w, const struct form_submission *s)
{
	jsonw_int(w, "id", s->id);
	jsonw_int(w, "template_id", s->template_id);
	jsonw_int(w, "form_version", s->form_version);
	jsonw_str(w, "subject_kind", s->subject_kind);
	jsonw_int(w, "subject_id", s->subject_id);
	jsonw_int(w, "org_id", s->org_id);
	jsonw_str(w, "org_name", s->org_name);
	jsonw_int(w, "receiving_org_id", s->receiving_org_id);
	jsonw_str(w, "status", s->status);
	jsonw_str(w, "deadline", s->deadline[0] ? s->deadline : NULL);
	if (s->late < 0)
		jsonw_null(w, "late");
	else
		jsonw_bool(w, "late", s->late == 1);
	form_json_write(w, "values", s->values);
	jsonw_str(w, "reason", s->reason[0] ? s->reason : NULL);
	jsonw_int(w, "rev", s->rev);
	jsonw_int(w, "version", s->version);
	time_s(w, "created_at", s->created_at);
	time_s(w, "updated_at", s->updated_at);
	time_ms(w, "submitted_at", s->submitted_at_ms);
	time_s(w, "decided_at", s->decided_at);
}

static int answer_submission(struct req *r, struct api *api, int64_t id, unsigned status)
{
	struct form_submission s;
	int rc = form_submission_get(api_app(r, api), id, &s);
	if (rc == ERR_NOTFOUND)
		return req_fail(r, rc, "no such submission");
	if (rc)
		return rc;
	api_etag(r, s.version);
	struct jsonw w;
	jsonw_init(&w);
	jsonw_object(&w, NULL);
	submission_members(&w, &s);
	jsonw_end(&w);
	form_submission_clear(&s);
	return jsonw_send(r, status, &w);
}

int api_submission_create(struct req *r, void *ctx)
{
	struct api *api = ctx;
	json_t *b = req_json(r);
	json_t *recv = json_object_get(b, "receiving_org_id");
	json_t *subj = json_object_get(b, "subject_id");
	struct form_submission_input in = {
		.template_id = api_obj(r, 1)->id,
		.subject_kind = api_str(b, "subject_kind"),
		.subject_id = json_is_integer(subj) ? json_integer_value(subj) : 0,
		.org_id = api_obj(r, 0)->id,
		.receiving_org_id = json_is_integer(recv) ? json_integer_value(recv) : 0,
		.deadline = api_str(b, "deadline"),
		.values = json_object_get(b, "values"),
	};
	struct audit_entry who = api_actor_obj(r, api, 0);
	struct form_actor fa = {&who, req_user(r)};
	int64_t id = 0;
	int rc = form_submission_create(api_app(r, api), &fa, &in, req_errs(r), &id);
	rc = refused(r, rc, "the submission was not started");
	return rc ? rc : answer_submission(r, api, id, 201);
}

int api_submission_get(struct req *r, void *ctx)
{
	return answer_submission(r, ctx, api_obj(r, 0)->id, 200);
}

int api_submission_save(struct req *r, void *ctx)
{
	struct api *api = ctx;
	int64_t version;
	int rc = api_if_match_required(r, &version);
	if (rc)
		return rc;
	struct audit_entry who = api_actor_obj(r, api, 0);
	struct form_actor fa = {&who, req_user(r)};
	int64_t id = api_obj(r, 0)->id;
	rc = form_submission_save(api_app(r, api), &fa, id, json_object_get(req_json(r), "values"), version,
				  req_errs(r));
	rc = refused(r, rc, "the draft was not saved");
	return rc ? rc : answer_submission(r, api, id, 200);
}

/* The Idempotency-Key header: 1 to 100 visible ASCII characters; NULL when absent. */
static int idem_key(struct req *r, const char **key)
{
	const char *k = req_header(r, "Idempotency-Key");
	*key = NULL;
	if (!k)
		return 0;
	size_t n = strlen(k);
	bool ok = n >= 1 && n <= 100;
	for (size_t i = 0; ok && i < n; i++)
		ok = k[i] > 0x20 && k[i] < 0x7f;
	if (!ok) {
		errlist_add(req_errs(r), "Idempotency-Key", "invalid_parameter",
			    "1 to 100 visible ASCII characters");
		return req_fail(r, ERR_INVALID, "malformed Idempotency-Key");
	}
	*key = k;
	return 0;
}

int api_submission_submit(struct req *r, void *ctx)
{
	struct api *api = ctx;
	int64_t version = 0;
	int rc = api_if_match(r, &version);
	struct form_submit_input in = {.values = json_object_get(req_json(r), "values"), .version = version};
	if (!rc)
		rc = idem_key(r, &in.idem_key);
	if (rc)
		return rc;
	struct audit_entry who = api_actor_obj(r, api, 0);
	struct form_actor fa = {&who, req_user(r)};
	int64_t id = api_obj(r, 0)->id;
	bool replayed = false;
	rc = form_submission_submit(api_app(r, api), &fa, id, &in, req_errs(r), &replayed);
	rc = refused(r, rc, "not submitted");
	if (!rc && replayed)
		resp_header(r, "Idempotency-Replayed", "true");
	return rc ? rc : answer_submission(r, api, id, 200);
}

int api_submission_return(struct req *r, void *ctx)
{
	struct api *api = ctx;
	int64_t version = 0;
	int rc = api_if_match(r, &version);
	if (rc)
		return rc;
	struct audit_entry who = api_actor_obj(r, api, 0);
	int64_t id = api_obj(r, 0)->id;
	rc = form_submission_return(api_app(r, api), &who, id, api_str(req_json(r), "reason"), version,
				    req_errs(r));
	rc = refused(r, rc, "not returned");
	return rc ? rc : answer_submission(r, api, id, 200);
}

int api_submission_accept(struct req *r, void *ctx)
{
	struct api *api = ctx;
	int64_t version = 0;
	int rc = api_if_match(r, &version);
	if (rc)
		return rc;
	struct audit_entry who = api_actor_obj(r, api, 0);
	int64_t id = api_obj(r, 0)->id;
	rc = form_submission_accept(api_app(r, api), &who, id, version, req_errs(r));
	rc = refused(r, rc, "not accepted");
	return rc ? rc : answer_submission(r, api, id, 200);
}

static int submission_item(const struct form_submission *s, void *arg)
{
	struct jsonw *w = arg;
	jsonw_object(w, NULL);
	submission_members(w, s);
	jsonw_end(w);
	return w->rc;
}

int api_submission_list(struct req *r, void *ctx)
{
	struct api *api = ctx;
	int64_t tid = 0, before = 0, limit = 50, subject = 0;
	req_query_int(r, "template_id", &tid);
	req_query_int(r, "before", &before);
	req_query_int(r, "limit", &limit);
	req_query_int(r, "subject_id", &subject);
	struct form_filter f = {.under = api_obj(r, 0)->id,
				.template_id = tid,
				.status = req_query(r, "status"),
				.subject_kind = req_query(r, "subject_kind"),
				.subject_id = subject,
				.before = before,
				.limit = (int)limit};
	struct jsonw w;
	api_items_begin(&w);
	int64_t next = 0;
	int rc = form_submission_list(api_app(r, api), &f, submission_item, &w, &next);
	if (rc) {
		jsonw_release(&w);
		return rc;
	}
	jsonw_end(&w);
	if (next)
		jsonw_int(&w, "next_before", next);
	else
		jsonw_null(&w, "next_before");
	jsonw_end(&w);
	return jsonw_send(r, 200, &w);
}

static int rev_item(const struct form_rev *rv, void *arg)
{
	struct jsonw *w = arg;
	jsonw_object(w, NULL);
	jsonw_int(w, "rev", rv->rev);
	jsonw_int(w, "form_version", rv->form_version);
	jsonw_str(w, "kind", rv->kind);
	jsonw_str(w, "submitted_by", rv->by ? rv->by_name : NULL);
	time_ms(w, "submitted_at", rv->at_ms);
	form_json_write(w, "values", rv->values);
	jsonw_end(w);
	return w->rc;
}

int api_submission_revisions(struct req *r, void *ctx)
{
	struct api *api = ctx;
	struct jsonw w;
	api_items_begin(&w);
	int rc = form_submission_revs(api_app(r, api), api_obj(r, 0)->id, rev_item, &w);
	return api_items_end(r, &w, rc, NULL, NULL);
}

/* ?from=&to=: revision numbers (to: default the latest; from: default the one before; 0:
 * nothing, so the first revision diffs against empty). */
int api_submission_diff(struct req *r, void *ctx)
{
	struct api *api = ctx;
	struct app *a = api_app(r, api);
	int64_t id = api_obj(r, 0)->id, from = -1, to = 0;
	struct form_submission s;
	int rc = form_submission_get(a, id, &s);
	if (rc)
		return refused(r, rc, "");
	int latest = s.rev;
	form_submission_clear(&s);
	req_query_int(r, "to", &to);
	req_query_int(r, "from", &from);
	if (!to)
		to = latest;
	if (from < 0)
		from = to - 1;
	if (to < 1 || to > latest || from < 0 || from >= to) {
		errlist_add(req_errs(r), "from", "out_of_range", "0 <= from < to <= the latest revision");
		errlist_param_int(req_errs(r), "max", latest);
		return req_fail(r, ERR_UNPROCESSABLE, "no such pair of revisions");
	}
	char *after = NULL, *schema = NULL, *before = NULL, *unused = NULL;
	rc = form_submission_rev_values(a, id, (int)to, &after, &schema);
	if (!rc && from > 0)
		rc = form_submission_rev_values(a, id, (int)from, &before, &unused);
	free(unused);
	struct jsonw w;
	jsonw_init(&w);
	if (!rc) {
		jsonw_object(&w, NULL);
		jsonw_int(&w, "from", from);
		jsonw_int(&w, "to", to);
		rc = form_values_diff(schema, before, after, &w, "changes");
		jsonw_end(&w);
	}
	free(after);
	free(before);
	free(schema);
	if (rc) {
		jsonw_release(&w);
		return refused(r, rc, "");
	}
	return jsonw_send(r, 200, &w);
}
