/*
 * registration.c (api) - the member register seen from outside and by members themselves:
 * the public registration page (consent text, orgs to join, applications and their outcome
 * by token), the staff's approval queue, a member's own record (memberships, dues, the
 * fields a member may change, a download of everything kept about them) and erasure
 * requests. The public routes carry no caller; everything else is scoped by the hooks like
 * every route (an application or erasure request by its org, "me" by the caller's account).
 */
#include "api/api.h"
#include "base/jsonw.h"
#include "base/ratelimit.h"
#include "base/timeutil.h"
#include "domain/member.h"
#include "domain/registration.h"
#include "core/rbac.h"
#include "core/user.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- public ---- */

int api_public_consent(struct req *r, void *ctx)
{
	struct api *api = ctx;
	char version[33];
	char *body = NULL;
	int rc = registration_consent(api_app(r, api), version, sizeof(version), &body);
	if (rc == ERR_NOTFOUND)
		return req_fail(r, rc, "no consent text is set");
	if (rc)
		return rc;
	struct jsonw w;
	jsonw_init(&w);
	jsonw_object(&w, NULL);
	jsonw_str(&w, "version", version);
	jsonw_str(&w, "text", body);
	jsonw_end(&w);
	free(body);
	return jsonw_send(r, 200, &w);
}

static int public_org(const struct org_hit *o, void *arg)
{
	struct jsonw *w = arg;
	jsonw_object(w, NULL);
	jsonw_int(w, "id", o->id);
	jsonw_str(w, "code", o->code);
	jsonw_str(w, "name", o->name);
	jsonw_str(w, "type", o->type);
	jsonw_end(w);
	return w->rc;
}

int api_public_orgs(struct req *r, void *ctx)
{
	struct api *api = ctx;
	struct jsonw w;
	api_items_begin(&w);
	int rc = registration_orgs(api_app(r, api), req_query(r, "q"), public_org, &w);
	return api_items_end(r, &w, rc, NULL, NULL);
}

static int submit_on_worker(struct req *r, void *arg)
{
	struct api *api = arg;
	json_t *b = req_json(r);
	struct application_input in = {
		.org_id = json_integer_value(json_object_get(b, "org_id")),
		.category = api_str(b, "category"),
		.name = api_str(b, "name"),
		.gender = api_str(b, "gender"),
		.birth_date = api_str(b, "birth_date"),
		.id_type = api_str(b, "id_type"),
		.id_number = api_str(b, "id_number"),
		.mobile = api_str(b, "mobile"),
		.email = api_str(b, "email"),
		.work_unit = api_str(b, "work_unit"),
		.title = api_str(b, "title"),
		.title_level = api_str(b, "title_level"),
		.education = api_str(b, "education"),
		.political_status = api_str(b, "political_status"),
		.login = api_str(b, "login"),
		.password = api_str(b, "password"),
		.consent_version = api_str(b, "consent_version"),
	};
	/* nobody is signed in: the record names the address and the request */
	struct audit_entry who = {
		.via = "public", .request_id = req_id(r), .client_addr = req_client_addr(r)};
	int64_t id = 0;
	char token[REG_TOKEN_LEN + 1];
	int rc = registration_submit(api_app(r, api), &who, &in, req_errs(r), &id, token);
	if (rc == ERR_UNPROCESSABLE || rc == ERR_CONFLICT)
		return req_fail(r, rc, "the application was not accepted");
	if (rc)
		return rc;
	struct jsonw w;
	jsonw_init(&w);
	jsonw_object(&w, NULL);
	jsonw_int(&w, "id", id);
	jsonw_str(&w, "status", "pending");
	jsonw_str(&w, "token", token);
	jsonw_end(&w);
	memset(token, 0, sizeof(token));
	return jsonw_send(r, 201, &w);
}

int api_public_apply(struct req *r, void *ctx)
{
	struct api *api = ctx;
	/* a few applications an hour from one address: each costs an argon2id hash */
	if (api->applications) {
		int64_t now = time_unix();
		if (ratelimit_over(api->applications, req_client_addr(r), now)) {
			resp_header(r, "Retry-After", "3600");
			return req_fail(r, ERR_RATELIMIT,
					"too many applications from this address: try again later");
		}
		ratelimit_hit(api->applications, req_client_addr(r), now);
	}
	return req_defer(r, api->hashers, submit_on_worker, api);
}

static void application_members(struct jsonw *w, const struct application *x, bool staff)
{
	jsonw_int(w, "id", x->id);
	jsonw_int(w, "org_id", x->org_id);
	jsonw_str(w, "org_name", x->org_name);
	jsonw_str(w, "category", x->category);
	jsonw_str(w, "status", x->status);
	jsonw_str(w, "name", x->name);
	jsonw_str(w, "reason", x->reason[0] ? x->reason : NULL);
	jsonw_str(w, "member_number", x->member_number[0] ? x->member_number : NULL);
	jsonw_str(w, "login", x->login);
	jsonw_int(w, "created_at", x->created_at);
	if (x->decided_at)
		jsonw_int(w, "decided_at", x->decided_at);
	else
		jsonw_null(w, "decided_at");
	if (!staff)
		return;
#define OPT(key, v) jsonw_str(w, key, (v)[0] ? (v) : NULL)
	OPT("gender", x->gender);
	OPT("birth_date", x->birth_date);
	OPT("id_type", x->id_type);
	OPT("id_number", x->id_masked);
	OPT("mobile", x->mobile_masked);
	OPT("email", x->email);
	OPT("work_unit", x->work_unit);
	OPT("title", x->title);
	OPT("title_level", x->title_level);
	OPT("education", x->education);
	OPT("political_status", x->political_status);
#undef OPT
	if (x->person_id)
		jsonw_int(w, "person_id", x->person_id);
	else
		jsonw_null(w, "person_id");
}

static int send_application(struct req *r, const struct application *x, bool staff, unsigned status)
{
	struct jsonw w;
	jsonw_init(&w);
	jsonw_object(&w, NULL);
	application_members(&w, x, staff);
	jsonw_end(&w);
	return jsonw_send(r, status, &w);
}

int api_public_application_status(struct req *r, void *ctx)
{
	struct api *api = ctx;
	struct application x;
	int rc = registration_status(api_app(r, api), api_str(req_json(r), "token"), &x);
	if (rc == ERR_NOTFOUND)
		return req_fail(r, rc, "no application has this token");
	return rc ? rc : send_application(r, &x, false, 200);
}

/* ---- staff ---- */

static int application_item(const struct application *x, void *arg)
{
	struct jsonw *w = arg;
	jsonw_object(w, NULL);
	application_members(w, x, true);
	jsonw_end(w);
	return w->rc;
}

int api_application_list(struct req *r, void *ctx)
{
	struct api *api = ctx;
	int64_t before = 0, limit = 50;
	req_query_int(r, "before", &before);
	req_query_int(r, "limit", &limit);
	struct jsonw w;
	api_items_begin(&w);
	int64_t next = 0;
	int rc = registration_list(api_app(r, api), api_obj(r, 0)->id, req_query(r, "status"), before,
				   (int)limit, application_item, &w, &next);
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

static int answer_application(struct req *r, struct api *api, int64_t id)
{
	struct application x;
	int rc = registration_get(api_app(r, api), id, &x);
	return rc ? rc : send_application(r, &x, true, 200);
}

int api_application_get(struct req *r, void *ctx)
{
	return answer_application(r, ctx, api_obj(r, 0)->id);
}

int api_application_approve(struct req *r, void *ctx)
{
	struct api *api = ctx;
	struct audit_entry who = api_actor_obj(r, api, 0);
	int64_t id = api_obj(r, 0)->id;
	int rc = registration_approve(api_app(r, api), &who, id, req_errs(r));
	if (rc == ERR_UNPROCESSABLE || rc == ERR_CONFLICT)
		return req_fail(r, rc, "the application was not approved");
	return rc ? rc : answer_application(r, api, id);
}

int api_application_reject(struct req *r, void *ctx)
{
	struct api *api = ctx;
	struct audit_entry who = api_actor_obj(r, api, 0);
	int64_t id = api_obj(r, 0)->id;
	int rc = registration_reject(api_app(r, api), &who, id, api_str(req_json(r), "reason"), req_errs(r));
	if (rc == ERR_UNPROCESSABLE || rc == ERR_CONFLICT)
		return req_fail(r, rc, "the application was not rejected");
	return rc ? rc : answer_application(r, api, id);
}

/* ---- the member's own record ---- */

/* The person the caller's account stands for; ERR_NOTFOUND when it stands for none. */
static int my_person(struct req *r, struct api *api, int64_t *id)
{
	const struct caller *c = req_user(r);
	int rc = user_person(api_app(r, api), c->user_id, id);
	if (rc == ERR_NOTFOUND || (!rc && !*id))
		return req_fail(r, ERR_NOTFOUND, "your account stands for no person of the register");
	return rc;
}

struct me_out {
	struct jsonw *w;
	bool full; /* the download: unmasked, every payment */
	struct app *app;
};

static int my_payment(const struct dues_payment *p, void *arg)
{
	struct jsonw *w = arg;
	jsonw_object(w, NULL);
	jsonw_str(w, "period_from", p->period_from);
	jsonw_str(w, "period_to", p->period_to);
	jsonw_int(w, "amount_cents", p->amount_cents);
	jsonw_str(w, "method", p->method);
	jsonw_str(w, "receipt_no", p->receipt_no);
	jsonw_str(w, "paid_on", p->paid_on);
	jsonw_end(w);
	return w->rc;
}

static int my_membership(const struct membership *m, void *arg)
{
	struct me_out *o = arg;
	struct jsonw *w = o->w;
	jsonw_object(w, NULL);
	jsonw_int(w, "id", m->id);
	jsonw_str(w, "org_name", m->org_name);
	jsonw_str(w, "category", m->category);
	jsonw_str(w, "number", m->number);
	jsonw_str(w, "status", m->status);
	jsonw_str(w, "joined_on", m->joined_on[0] ? m->joined_on : NULL);
	jsonw_str(w, "valid_until", m->valid_until[0] ? m->valid_until : NULL);
	jsonw_str(w, "left_on", m->left_on[0] ? m->left_on : NULL);
	/* a renewal reminder: the paid term ends within 60 days, or has ended */
	char soon[11] = "", today[11];
	date_today(today, sizeof(today));
	date_add(today, 0, 60, soon);
	bool current = !strcmp(m->status, "active") || !strcmp(m->status, "lapsed");
	jsonw_bool(w, "renew", current && m->valid_until[0] && strcmp(m->valid_until, soon) <= 0);
	jsonw_array(w, "payments");
	int rc = dues_of_membership(o->app, m->id, my_payment, w);
	jsonw_end(w);
	jsonw_end(w);
	return rc ? rc : w->rc;
}

static void person_json(struct jsonw *w, const struct person *p, const char *id_full, const char *mobile_full)
{
	jsonw_int(w, "id", p->id);
	jsonw_str(w, "name", p->name);
#define OPT(key, v) jsonw_str(w, key, (v)[0] ? (v) : NULL)
	OPT("gender", p->gender);
	OPT("ethnicity", p->ethnicity);
	OPT("birth_date", p->birth_date);
	OPT("id_type", p->id_type);
	jsonw_str(w, "id_number", id_full ? id_full : p->id_masked[0] ? p->id_masked : NULL);
	jsonw_str(w, "mobile", mobile_full ? mobile_full : p->mobile_masked[0] ? p->mobile_masked : NULL);
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
	OPT("org_name", p->org_name);
#undef OPT
	jsonw_int(w, "version", p->version);
}

int api_me_member(struct req *r, void *ctx)
{
	struct api *api = ctx;
	int64_t id = 0;
	int rc = my_person(r, api, &id);
	if (rc)
		return rc;
	struct person *p = malloc(sizeof(*p));
	if (!p)
		return ERR_NOMEM;
	rc = member_get(api_app(r, api), id, p);
	if (rc) {
		free(p);
		return rc;
	}
	api_etag(r, p->version);
	struct jsonw w;
	jsonw_init(&w);
	jsonw_object(&w, NULL);
	jsonw_object(&w, "person");
	person_json(&w, p, NULL, NULL);
	jsonw_end(&w);
	free(p);
	jsonw_array(&w, "memberships");
	struct me_out o = {&w, false, api_app(r, api)};
	rc = membership_of_person(api_app(r, api), id, my_membership, &o);
	jsonw_end(&w);
	jsonw_end(&w);
	if (rc) {
		jsonw_release(&w);
		return rc;
	}
	return jsonw_send(r, 200, &w);
}

int api_me_member_update(struct req *r, void *ctx)
{
	struct api *api = ctx;
	int64_t id = 0, version;
	int rc = my_person(r, api, &id);
	if (!rc)
		rc = api_if_match_required(r, &version);
	if (rc)
		return rc;
	json_t *b = req_json(r);
	/* what a member changes alone; the rest goes to the staff (the route's body spec) */
	struct person_input in = {.email = api_str(b, "email"),
				  .landline = api_str(b, "landline"),
				  .work_unit = api_str(b, "work_unit"),
				  .position = api_str(b, "position")};
	struct audit_entry who = api_actor(r, api, NULL, 0);
	rc = member_update(api_app(r, api), &who, id, &in, version, req_errs(r));
	if (rc == ERR_PRECONDITION)
		return req_fail(r, rc, "your record changed since you read it: read it again");
	if (rc == ERR_UNPROCESSABLE)
		return req_fail(r, rc, "your record was not changed");
	return rc ? rc : api_me_member(r, ctx);
}

/* Everything kept about the caller, in full (their own ID number and mobile too): the
 * right of access of PIPL art. 45. Audited as person.export_self. */
int api_me_member_export(struct req *r, void *ctx)
{
	struct api *api = ctx;
	int64_t id = 0;
	int rc = my_person(r, api, &id);
	if (rc)
		return rc;
	struct person *p = malloc(sizeof(*p));
	if (!p)
		return ERR_NOMEM;
	char idn[300] = "", mob[300] = "";
	struct audit_entry who = api_actor(r, api, NULL, 0);
	rc = member_get(api_app(r, api), id, p);
	if (!rc)
		rc = member_export_self(api_app(r, api), &who, id, idn, sizeof(idn), mob, sizeof(mob));
	if (rc) {
		free(p);
		return rc;
	}
	struct jsonw w;
	jsonw_init(&w);
	jsonw_object(&w, NULL);
	jsonw_object(&w, "person");
	person_json(&w, p, idn[0] ? idn : NULL, mob[0] ? mob : NULL);
	jsonw_end(&w);
	free(p);
	memset(idn, 0, sizeof(idn));
	memset(mob, 0, sizeof(mob));
	jsonw_array(&w, "memberships");
	struct me_out o = {&w, true, api_app(r, api)};
	rc = membership_of_person(api_app(r, api), id, my_membership, &o);
	jsonw_end(&w);
	jsonw_end(&w);
	if (rc) {
		jsonw_release(&w);
		return rc;
	}
	resp_header(r, "Content-Disposition", "attachment; filename=\"my-data.json\"");
	return jsonw_send(r, 200, &w);
}

int api_me_member_erasure(struct req *r, void *ctx)
{
	struct api *api = ctx;
	int64_t id = 0, eid = 0;
	int rc = my_person(r, api, &id);
	if (rc)
		return rc;
	struct audit_entry who = api_actor(r, api, NULL, 0);
	rc = erasure_request(api_app(r, api), &who, id, api_str(req_json(r), "reason"), &eid);
	if (rc == ERR_CONFLICT)
		return errlist_add(req_errs(r), "", "erasure_pending",
				   "your request is waiting for the staff"),
		       req_fail(r, rc, "a request is pending already");
	if (rc)
		return rc;
	struct jsonw w;
	jsonw_init(&w);
	jsonw_object(&w, NULL);
	jsonw_int(&w, "id", eid);
	jsonw_str(&w, "status", "pending");
	jsonw_end(&w);
	return jsonw_send(r, 201, &w);
}

/* ---- erasure requests (staff) ---- */

static void erasure_members(struct jsonw *w, const struct erasure *e)
{
	jsonw_int(w, "id", e->id);
	jsonw_int(w, "person_id", e->person_id);
	jsonw_int(w, "org_id", e->org_id);
	jsonw_str(w, "org_name", e->org_name);
	jsonw_str(w, "person_name", e->person_name);
	jsonw_str(w, "status", e->status);
	jsonw_str(w, "reason", e->reason);
	jsonw_str(w, "answer", e->answer[0] ? e->answer : NULL);
	jsonw_int(w, "created_at", e->created_at);
	if (e->decided_at)
		jsonw_int(w, "decided_at", e->decided_at);
	else
		jsonw_null(w, "decided_at");
}

static int erasure_item(const struct erasure *e, void *arg)
{
	struct jsonw *w = arg;
	jsonw_object(w, NULL);
	erasure_members(w, e);
	jsonw_end(w);
	return w->rc;
}

int api_erasure_list(struct req *r, void *ctx)
{
	struct api *api = ctx;
	struct jsonw w;
	api_items_begin(&w);
	int rc = erasure_list(api_app(r, api), api_obj(r, 0)->id, req_query(r, "status"), erasure_item, &w);
	return api_items_end(r, &w, rc, NULL, NULL);
}

static int erasure_decide_api(struct req *r, void *ctx, bool approve)
{
	struct api *api = ctx;
	struct audit_entry who = api_actor_obj(r, api, 0);
	int64_t id = api_obj(r, 0)->id;
	int rc = erasure_decide(api_app(r, api), &who, id, approve, api_str(req_json(r), "answer"),
				req_errs(r));
	if (rc == ERR_UNPROCESSABLE || rc == ERR_CONFLICT)
		return req_fail(r, rc, "the request was not decided");
	if (rc)
		return rc;
	struct erasure e;
	rc = erasure_get(api_app(r, api), id, &e);
	if (rc)
		return rc;
	struct jsonw w;
	jsonw_init(&w);
	jsonw_object(&w, NULL);
	erasure_members(&w, &e);
	jsonw_end(&w);
	return jsonw_send(r, 200, &w);
}

int api_erasure_approve(struct req *r, void *ctx)
{
	return erasure_decide_api(r, ctx, true);
}

int api_erasure_reject(struct req *r, void *ctx)
{
	return erasure_decide_api(r, ctx, false);
}
