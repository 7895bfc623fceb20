/*
 * members.c (api) - the member register over HTTP: people, their memberships, reveals of
 * personal data, numbers, terms and dues. As for every module, the route rows declare the
 * objects (the person or membership in the path, the org in the body or query) and the
 * hooks apply the scope rule before a handler runs (domain/member.h says how a person is
 * in scope). Answers hold the ID number and mobile masked; only the reveal route gives a
 * full value, and the domain audits it.
 */
#include "api/api.h"
#include "base/jsonw.h"
#include "domain/member.h"
#include "core/rbac.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- answers ---- */

static void person_members(struct jsonw *w, const struct person *p)
{
	jsonw_int(w, "id", p->id);
	jsonw_int(w, "org_id", p->org_id);
	jsonw_str(w, "org_name", p->org_name);
	jsonw_str(w, "name", p->name);
#define OPT(key, v) jsonw_str(w, key, (v)[0] ? (v) : NULL)
	OPT("gender", p->gender);
	OPT("ethnicity", p->ethnicity);
	OPT("birth_date", p->birth_date);
	OPT("id_type", p->id_type);
	OPT("id_number", p->id_masked);
	OPT("mobile", p->mobile_masked);
	OPT("landline", p->landline);
	OPT("email", p->email);
	OPT("political_status", p->political_status);
	OPT("party_joined_on", p->party_joined_on);
	OPT("party_full_on", p->party_full_on);
	OPT("education", p->education);
	OPT("degree", p->degree);
	OPT("title", p->title);
	OPT("title_level", p->title_level);
	OPT("discipline", p->discipline);
	OPT("work_unit", p->work_unit);
	OPT("position", p->position);
	jsonw_str(w, "status", p->status);
	OPT("deceased_on", p->deceased_on);
#undef OPT
	jsonw_array(w, "tags");
	for (const char *t = p->tags; *t;) {
		size_t n = strcspn(t, ",");
		jsonw_strn(w, NULL, t, n);
		t += n + (t[n] == ',');
	}
	jsonw_end(w);
	jsonw_int(w, "version", p->version);
	jsonw_int(w, "created_at", p->created_at);
	jsonw_int(w, "updated_at", p->updated_at);
}

static int send_person(struct req *r, const struct person *p, unsigned status)
{
	api_etag(r, p->version);
	struct jsonw w;
	jsonw_init(&w);
	jsonw_object(&w, NULL);
	person_members(&w, p);
	jsonw_end(&w);
	return jsonw_send(r, status, &w);
}

static int answer_person(struct req *r, struct api *api, int64_t id, unsigned status)
{
	struct person *p = malloc(sizeof(*p));
	if (!p)
		return ERR_NOMEM;
	int rc = member_get(api_app(r, api), id, p);
	if (rc == ERR_NOTFOUND)
		rc = req_fail(r, rc, "no such person");
	if (!rc)
		rc = send_person(r, p, status);
	free(p);
	return rc;
}

static void membership_members(struct jsonw *w, const struct membership *m)
{
	jsonw_int(w, "id", m->id);
	jsonw_int(w, "org_id", m->org_id);
	jsonw_str(w, "org_name", m->org_name);
	if (m->person_id)
		jsonw_int(w, "person_id", m->person_id);
	else
		jsonw_null(w, "person_id");
	if (m->unit_id)
		jsonw_int(w, "unit_id", m->unit_id);
	else
		jsonw_null(w, "unit_id");
	jsonw_str(w, "holder_name", m->holder_name);
	jsonw_str(w, "category", m->category);
	jsonw_str(w, "number", m->number);
	jsonw_str(w, "status", m->status);
	jsonw_str(w, "joined_on", m->joined_on[0] ? m->joined_on : NULL);
	jsonw_str(w, "valid_until", m->valid_until[0] ? m->valid_until : NULL);
	jsonw_str(w, "left_on", m->left_on[0] ? m->left_on : NULL);
	jsonw_str(w, "left_reason", m->left_reason[0] ? m->left_reason : NULL);
	jsonw_int(w, "version", m->version);
}

static int answer_membership(struct req *r, struct api *api, int64_t id, unsigned status)
{
	struct membership m;
	int rc = membership_get(api_app(r, api), id, &m);
	if (rc == ERR_NOTFOUND)
		return req_fail(r, rc, "no such membership");
	if (rc)
		return rc;
	api_etag(r, m.version);
	struct jsonw w;
	jsonw_init(&w);
	jsonw_object(&w, NULL);
	membership_members(&w, &m);
	jsonw_end(&w);
	return jsonw_send(r, status, &w);
}

/* A refusal with field errors keeps its code; others get a plain message. */
static int refused(struct req *r, int rc, const char *what)
{
	if (rc == ERR_PRECONDITION)
		return req_fail(r, rc, "the record changed since you read it: read it again");
	if (rc == ERR_UNPROCESSABLE || rc == ERR_CONFLICT)
		return req_fail(r, rc, "%s", what);
	return rc;
}

/* ---- people ---- */

/* The body's person fields (every key is optional here; the domain says what is
 * required). tags: an array of codes. */
static void person_input_of(json_t *b, struct person_input *in, const char **tags, int max_tags)
{
	memset(in, 0, sizeof(*in));
	json_t *o = json_object_get(b, "org_id");
	in->org_id = json_is_integer(o) ? json_integer_value(o) : 0;
	in->name = api_str(b, "name");
	in->gender = api_str(b, "gender");
	in->ethnicity = api_str(b, "ethnicity");
	in->birth_date = api_str(b, "birth_date");
	in->id_type = api_str(b, "id_type");
	in->id_number = api_str(b, "id_number");
	in->mobile = api_str(b, "mobile");
	in->landline = api_str(b, "landline");
	in->email = api_str(b, "email");
	in->political_status = api_str(b, "political_status");
	in->party_joined_on = api_str(b, "party_joined_on");
	in->party_full_on = api_str(b, "party_full_on");
	in->education = api_str(b, "education");
	in->degree = api_str(b, "degree");
	in->title = api_str(b, "title");
	in->title_level = api_str(b, "title_level");
	in->discipline = api_str(b, "discipline");
	in->work_unit = api_str(b, "work_unit");
	in->position = api_str(b, "position");
	in->status = api_str(b, "status");
	in->deceased_on = api_str(b, "deceased_on");
	/* null clears an optional field, as "" does */
	const char *keys[] = {"gender",           "ethnicity",       "birth_date",    "id_type",
			      "id_number",        "mobile",          "landline",      "email",
			      "political_status", "party_joined_on", "party_full_on", "education",
			      "degree",           "title",           "title_level",   "discipline",
			      "work_unit",        "position",        "deceased_on"};
	const char **slots[] = {
		&in->gender,           &in->ethnicity,       &in->birth_date,    &in->id_type,
		&in->id_number,        &in->mobile,          &in->landline,      &in->email,
		&in->political_status, &in->party_joined_on, &in->party_full_on, &in->education,
		&in->degree,           &in->title,           &in->title_level,   &in->discipline,
		&in->work_unit,        &in->position,        &in->deceased_on};
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (json_is_null(json_object_get(b, keys[i])))
			*slots[i] = "";
	json_t *t = json_object_get(b, "tags");
	if (json_is_array(t)) {
		in->tags = tags;
		size_t i;
		json_t *e;
		json_array_foreach(t, i, e)
		{
			if (in->ntags < max_tags && json_is_string(e))
				tags[in->ntags++] = json_string_value(e);
		}
		if (json_array_size(t) > (size_t)max_tags)
			in->ntags = max_tags + 1; /* the domain refuses too many */
	}
}

int api_member_create(struct req *r, void *ctx)
{
	struct api *api = ctx;
	struct person_input in;
	const char *tags[PERSON_TAGS_MAX + 1];
	person_input_of(req_json(r), &in, tags, PERSON_TAGS_MAX);
	struct audit_entry who = api_actor_obj(r, api, 0);
	int64_t id = 0;
	int rc = member_create(api_app(r, api), &who, req_user(r), &in, req_errs(r), &id);
	rc = refused(r, rc, "the person was not registered");
	return rc ? rc : answer_person(r, api, id, 201);
}

int api_member_get(struct req *r, void *ctx)
{
	return answer_person(r, ctx, api_obj(r, 0)->id, 200);
}

int api_member_update(struct req *r, void *ctx)
{
	struct api *api = ctx;
	int64_t version;
	int rc = api_if_match(r, &version);
	if (rc)
		return rc;
	if (version == 0)
		return req_fail(r, ERR_PRECOND_REQUIRED, "send If-Match with the version (ETag) you edited");
	json_t *b = req_json(r);
	if (json_object_get(b, "org_id"))
		return errlist_add(req_errs(r), "org_id", "read_only", "the keeping org is not changed here"),
		       req_fail(r, ERR_UNPROCESSABLE, "the person was not changed");
	struct person_input in;
	const char *tags[PERSON_TAGS_MAX + 1];
	person_input_of(b, &in, tags, PERSON_TAGS_MAX);
	if (json_is_null(json_object_get(b, "name")))
		in.name = ""; /* the normaliser says it is required */
	struct audit_entry who = api_actor_obj(r, api, 0);
	int64_t id = api_obj(r, 0)->id;
	rc = member_update(api_app(r, api), &who, id, &in, version, req_errs(r));
	rc = refused(r, rc, "the person was not changed");
	return rc ? rc : answer_person(r, api, id, 200);
}

int api_member_reveal(struct req *r, void *ctx)
{
	struct api *api = ctx;
	json_t *b = req_json(r);
	const char *field = api_str(b, "field");
	struct audit_entry who = api_actor_obj(r, api, 0);
	char value[300];
	int rc = member_reveal(api_app(r, api), &who, api_obj(r, 0)->id, field, api_str(b, "reason"),
			       req_errs(r), value, sizeof(value));
	if (rc == ERR_RATELIMIT) {
		resp_header(r, "Retry-After", "3600");
		return req_fail(r, rc, "too many full values seen in this hour");
	}
	if (rc == ERR_NOTFOUND)
		return req_fail(r, rc, "this person has no such value");
	rc = refused(r, rc, "nothing was revealed");
	if (rc)
		return rc;
	struct jsonw w;
	jsonw_init(&w);
	jsonw_object(&w, NULL);
	jsonw_str(&w, "field", field);
	jsonw_str(&w, "value", value);
	jsonw_end(&w);
	memset(value, 0, sizeof(value));
	return jsonw_send(r, 200, &w);
}

struct page_out {
	struct jsonw w;
	int n;
};

static int person_item(const struct person *p, void *arg)
{
	struct page_out *o = arg;
	jsonw_object(&o->w, NULL);
	person_members(&o->w, p);
	jsonw_end(&o->w);
	o->n++;
	return o->w.rc;
}

static int query_int(struct req *r, const char *key, int dflt)
{
	int64_t v = dflt;
	req_query_int(r, key, &v);
	return (int)v;
}

int api_member_list(struct req *r, void *ctx)
{
	struct api *api = ctx;
	struct member_filter f = {
		.under = api_obj(r, 0)->id,
		.q = req_query(r, "q"),
		.gender = req_query(r, "gender"),
		.title_level = req_query(r, "title"),
		.education = req_query(r, "education"),
		.political = req_query(r, "political"),
		.tag = req_query(r, "tag"),
		.category = req_query(r, "category"),
		.status = req_query(r, "status"),
		.age_min = query_int(r, "age_min", 0),
		.age_max = query_int(r, "age_max", 0),
		.joined_from = req_query(r, "joined_from"),
		.joined_to = req_query(r, "joined_to"),
		.sort = req_query(r, "sort"),
		.after = req_query(r, "after"),
		.limit = query_int(r, "limit", 50),
	};
	struct page_out o = {.n = 0};
	api_items_begin(&o.w);
	char next[1700];
	int rc = member_list(api_app(r, api), &f, person_item, &o, req_errs(r), next, sizeof(next));
	if (rc == ERR_UNPROCESSABLE) /* unknown sorts and bad filters: the request, not the data */
		rc = req_fail(r, ERR_INVALID, "a filter is not valid");
	return api_items_end(r, &o.w, rc, "next_after", next[0] ? next : NULL);
}

/* ---- memberships ---- */

struct ms_out {
	struct jsonw w;
	struct app *app;
	const struct caller *c;
};

/* A person's memberships: only those of orgs the caller sees (a society's staff do not
 * learn which other societies a person belongs to). */
static int ms_item_seen(const struct membership *m, void *arg)
{
	struct ms_out *o = arg;
	if (rbac_check(o->app, o->c, "member.read", m->org_id))
		return 0;
	jsonw_object(&o->w, NULL);
	membership_members(&o->w, m);
	jsonw_end(&o->w);
	return o->w.rc;
}

int api_member_memberships(struct req *r, void *ctx)
{
	struct api *api = ctx;
	struct ms_out o = {.app = api_app(r, api), .c = req_user(r)};
	api_items_begin(&o.w);
	int rc = membership_of_person(o.app, api_obj(r, 0)->id, ms_item_seen, &o);
	return api_items_end(r, &o.w, rc, NULL, NULL);
}

int api_membership_create(struct req *r, void *ctx)
{
	struct api *api = ctx;
	json_t *b = req_json(r);
	json_t *p = json_object_get(b, "person_id"), *u = json_object_get(b, "unit_id");
	struct membership_input in = {
		.org_id = api_obj(r, 0)->id,
		.person_id = json_is_integer(p) ? json_integer_value(p) : 0,
		.unit_id = json_is_integer(u) ? json_integer_value(u) : 0,
		.category = api_str(b, "category"),
		.number = api_str(b, "number"),
		.status = api_str(b, "status"),
		.joined_on = api_str(b, "joined_on"),
	};
	struct audit_entry who = api_actor_obj(r, api, 0);
	int64_t id = 0;
	int rc = membership_create(api_app(r, api), &who, &in, req_errs(r), &id);
	rc = refused(r, rc, "the membership was not created");
	return rc ? rc : answer_membership(r, api, id, 201);
}

int api_membership_get(struct req *r, void *ctx)
{
	return answer_membership(r, ctx, api_obj(r, 0)->id, 200);
}

int api_membership_end(struct req *r, void *ctx)
{
	struct api *api = ctx;
	int64_t version;
	int rc = api_if_match(r, &version);
	if (rc)
		return rc;
	json_t *b = req_json(r);
	struct audit_entry who = api_actor_obj(r, api, 0);
	int64_t id = api_obj(r, 0)->id;
	rc = membership_end(api_app(r, api), &who, id, api_str(b, "status"), api_str(b, "on"),
			    api_str(b, "reason"), version, req_errs(r));
	rc = refused(r, rc, "the membership was not ended");
	return rc ? rc : answer_membership(r, api, id, 200);
}

static int ms_item(const struct membership *m, void *arg)
{
	struct jsonw *w = arg;
	jsonw_object(w, NULL);
	membership_members(w, m);
	jsonw_end(w);
	return w->rc;
}

int api_membership_list(struct req *r, void *ctx)
{
	struct api *api = ctx;
	const char *lapsed = req_query(r, "lapsed");
	int64_t after = 0;
	req_query_int(r, "after", &after);
	struct membership_filter f = {
		.under = api_obj(r, 0)->id,
		.status = req_query(r, "status"),
		.expiring_days = query_int(r, "expiring_days", 0),
		.lapsed = lapsed && !strcmp(lapsed, "true"),
		.after = after,
		.limit = query_int(r, "limit", 50),
	};
	struct jsonw w;
	api_items_begin(&w);
	int64_t next = 0;
	int rc = membership_list(api_app(r, api), &f, ms_item, &w, &next);
	char nx[24];
	snprintf(nx, sizeof(nx), "%" PRId64, next);
	return api_items_end(r, &w, rc, "next_after", next ? nx : NULL);
}

int api_membership_pay(struct req *r, void *ctx)
{
	struct api *api = ctx;
	json_t *b = req_json(r);
	struct dues_input in = {
		.membership_id = api_obj(r, 0)->id,
		.amount_cents = json_integer_value(json_object_get(b, "amount_cents")),
		.method = api_str(b, "method"),
		.receipt_no = api_str(b, "receipt_no"),
		.paid_on = api_str(b, "paid_on"),
		.period_to = api_str(b, "period_to"),
	};
	struct audit_entry who = api_actor_obj(r, api, 0);
	int64_t pid = 0;
	int rc = dues_record(api_app(r, api), &who, &in, req_errs(r), &pid);
	rc = refused(r, rc, "the payment was not recorded");
	return rc ? rc : answer_membership(r, api, in.membership_id, 201);
}

static int payment_item(const struct dues_payment *p, void *arg)
{
	struct jsonw *w = arg;
	jsonw_object(w, NULL);
	jsonw_int(w, "id", p->id);
	jsonw_int(w, "amount_cents", p->amount_cents);
	jsonw_str(w, "period_from", p->period_from);
	jsonw_str(w, "period_to", p->period_to);
	jsonw_str(w, "method", p->method);
	jsonw_str(w, "receipt_no", p->receipt_no);
	jsonw_str(w, "paid_on", p->paid_on);
	jsonw_int(w, "created_at", p->created_at);
	jsonw_end(w);
	return w->rc;
}

int api_membership_payments(struct req *r, void *ctx)
{
	struct api *api = ctx;
	struct jsonw w;
	api_items_begin(&w);
	int rc = dues_of_membership(api_app(r, api), api_obj(r, 0)->id, payment_item, &w);
	return api_items_end(r, &w, rc, NULL, NULL);
}

/* ---- configuration ---- */

static int send_config(struct req *r, const struct member_config *c)
{
	api_etag(r, c->version);
	struct jsonw w;
	jsonw_init(&w);
	jsonw_object(&w, NULL);
	jsonw_str(&w, "number_pattern", c->number_pattern);
	jsonw_array(&w, "terms");
	for (int i = 0; i < c->nterms; i++) {
		jsonw_object(&w, NULL);
		jsonw_str(&w, "category", c->terms[i].category);
		jsonw_int(&w, "term_months", c->terms[i].term_months);
		jsonw_int(&w, "fee_cents", c->terms[i].fee_cents);
		jsonw_end(&w);
	}
	jsonw_end(&w);
	jsonw_int(&w, "version", c->version);
	jsonw_end(&w);
	return jsonw_send(r, 200, &w);
}

int api_member_config_get(struct req *r, void *ctx)
{
	struct api *api = ctx;
	struct member_config c;
	int rc = member_config_get(api_app(r, api), api_obj(r, 0)->id, &c);
	return rc ? rc : send_config(r, &c);
}

int api_member_config_set(struct req *r, void *ctx)
{
	struct api *api = ctx;
	int64_t version;
	int rc = api_if_match(r, &version);
	if (rc)
		return rc;
	json_t *b = req_json(r);
	struct member_config c = {.version = version};
	const char *pattern = api_str(b, "number_pattern");
	snprintf(c.number_pattern, sizeof(c.number_pattern), "%s", pattern ? pattern : "{org}{year}{seq:6}");
	json_t *terms = json_object_get(b, "terms");
	size_t i;
	json_t *t;
	if (json_array_size(terms) > sizeof(c.terms) / sizeof(c.terms[0]))
		return errlist_add(req_errs(r), "terms", "too_many", "at most 16 terms"),
		       req_fail(r, ERR_UNPROCESSABLE, "the configuration was not changed");
	json_array_foreach(terms, i, t)
	{
		struct member_term *mt = &c.terms[c.nterms++];
		const char *cat = api_str(t, "category");
		snprintf(mt->category, sizeof(mt->category), "%s", cat ? cat : "");
		mt->term_months = (int)json_integer_value(json_object_get(t, "term_months"));
		mt->fee_cents = json_integer_value(json_object_get(t, "fee_cents"));
	}
	struct audit_entry who = api_actor_obj(r, api, 0);
	int64_t org_id = api_obj(r, 0)->id;
	rc = member_config_set(api_app(r, api), &who, org_id, &c, req_errs(r));
	rc = refused(r, rc, "the configuration was not changed");
	if (rc)
		return rc;
	rc = member_config_get(api_app(r, api), org_id, &c);
	return rc ? rc : send_config(r, &c);
}
