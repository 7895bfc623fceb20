/*
 * memberunits.c (api) - group members over HTTP (domain/memberunit.h). The rows declare the
 * unit in the path (scoped by its keeping org), the keeping org and the representative in
 * the body; the hooks check them before a handler runs.
 */
#include "api/api.h"
#include "base/jsonw.h"
#include "domain/memberunit.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static void unit_members(struct jsonw *w, const struct member_unit *u)
{
	jsonw_int(w, "id", u->id);
	jsonw_int(w, "org_id", u->org_id);
	jsonw_str(w, "org_name", u->org_name);
	jsonw_str(w, "name", u->name);
	jsonw_str(w, "credit_code", u->credit_code[0] ? u->credit_code : NULL);
	jsonw_str(w, "contact", u->contact);
	if (u->representative_id)
		jsonw_int(w, "representative_id", u->representative_id);
	else
		jsonw_null(w, "representative_id");
	jsonw_str(w, "representative_name", u->representative_id ? u->representative_name : NULL);
	jsonw_int(w, "version", u->version);
}

static int answer_unit(struct req *r, struct api *api, int64_t id, unsigned status)
{
	struct member_unit u;
	int rc = member_unit_get(api_app(r, api), id, &u);
	if (rc == ERR_NOTFOUND)
		return req_fail(r, rc, "no such member unit");
	if (rc)
		return rc;
	api_etag(r, u.version);
	struct jsonw w;
	jsonw_init(&w);
	jsonw_object(&w, NULL);
	unit_members(&w, &u);
	jsonw_end(&w);
	return jsonw_send(r, status, &w);
}

static void unit_input_of(json_t *b, struct member_unit_input *in)
{
	memset(in, 0, sizeof(*in));
	in->name = api_str(b, "name");
	in->credit_code = json_is_null(json_object_get(b, "credit_code")) ? "" : api_str(b, "credit_code");
	in->contact = api_str(b, "contact");
	json_t *rep = json_object_get(b, "representative_id");
	in->representative_id = json_is_integer(rep) ? json_integer_value(rep) : json_is_null(rep) ? -1 : 0;
}

static int refused(struct req *r, int rc, const char *what)
{
	if (rc == ERR_PRECONDITION)
		return req_fail(r, rc, "the unit changed since you read it: read it again");
	if (rc == ERR_UNPROCESSABLE || rc == ERR_CONFLICT)
		return req_fail(r, rc, "%s", what);
	return rc;
}

int api_member_unit_create(struct req *r, void *ctx)
{
	struct api *api = ctx;
	struct member_unit_input in;
	unit_input_of(req_json(r), &in);
	in.org_id = api_obj(r, 0)->id;
	struct audit_entry who = api_actor_obj(r, api, 0);
	int64_t id = 0;
	int rc = member_unit_create(api_app(r, api), &who, &in, req_errs(r), &id);
	rc = refused(r, rc, "the member unit was not created");
	return rc ? rc : answer_unit(r, api, id, 201);
}

int api_member_unit_get(struct req *r, void *ctx)
{
	return answer_unit(r, ctx, api_obj(r, 0)->id, 200);
}

int api_member_unit_update(struct req *r, void *ctx)
{
	struct api *api = ctx;
	int64_t version;
	int rc = api_if_match(r, &version);
	if (rc)
		return rc;
	if (version == 0)
		return req_fail(r, ERR_PRECOND_REQUIRED, "send If-Match with the version (ETag) you edited");
	struct member_unit_input in;
	unit_input_of(req_json(r), &in);
	struct audit_entry who = api_actor_obj(r, api, 0);
	int64_t id = api_obj(r, 0)->id;
	rc = member_unit_update(api_app(r, api), &who, id, &in, version, req_errs(r));
	rc = refused(r, rc, "the member unit was not changed");
	return rc ? rc : answer_unit(r, api, id, 200);
}

static int unit_item(const struct member_unit *u, void *arg)
{
	struct jsonw *w = arg;
	jsonw_object(w, NULL);
	unit_members(w, u);
	jsonw_end(w);
	return w->rc;
}

int api_member_unit_list(struct req *r, void *ctx)
{
	struct api *api = ctx;
	int64_t after = 0, limit = 50, next = 0;
	req_query_int(r, "after", &after);
	req_query_int(r, "limit", &limit);
	struct jsonw w;
	api_items_begin(&w);
	int rc = member_unit_list(api_app(r, api), api_obj(r, 0)->id, after, (int)limit, unit_item, &w,
				  &next);
	char nx[24];
	snprintf(nx, sizeof(nx), "%" PRId64, next);
	return api_items_end(r, &w, rc, "next_after", next ? nx : NULL);
}
