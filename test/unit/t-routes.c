/* t-routes.c - the route table itself: every route documented, patterns compile, no
 * duplicate method+pattern, specs well-formed, and the OpenAPI document covers them all. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "http/internal.h"
#include "core/codelist.h"

static void t_every_route_documented(void **st)
{
	(void)st;
	char why[256] = "";
	json_t *doc = api_openapi("test", why, sizeof(why));
	if (!doc)
		fail_msg("OpenAPI refused the route table: %s", why);
	json_t *paths = json_object_get(doc, "paths");
	size_t ops = 0;
	const char *k;
	json_t *v;
	json_object_foreach(paths, k, v) ops += json_object_size(v);
	assert_int_equal(ops, api_routes_count);
	json_decref(doc);
}

static void t_patterns_compile_and_are_unique(void **st)
{
	(void)st;
	struct router *rt = NULL;
	assert_int_equal(router_new(api_routes, api_routes_count, &rt), 0);
	router_free(rt);
	for (size_t i = 0; i < api_routes_count; i++)
		for (size_t j = i + 1; j < api_routes_count; j++)
			if (api_routes[i].method == api_routes[j].method &&
			    !strcmp(api_routes[i].pattern, api_routes[j].pattern))
				fail_msg("duplicate route %s", api_routes[i].pattern);
}

/* An FT_CODE row's values must be the name member of a code list (codeset_of relies on it). */
static bool is_list_name(const char *p)
{
	size_t n;
	const struct codeset *const *lists = codelist_all(&n);
	for (size_t i = 0; i < n; i++)
		if (p == lists[i]->name)
			return true;
	return false;
}

static void t_specs_well_formed(void **st)
{
	(void)st;
	for (size_t i = 0; i < api_routes_count; i++) {
		const struct route *r = &api_routes[i];
		if (r->body && (r->method == HM_GET || r->method == HM_DELETE))
			fail_msg("%s: GET/DELETE routes take no body", r->pattern);
		bool upload = (r->flags & RF_UPLOAD) != 0;
		if (!r->body && !upload &&
		    (r->method == HM_POST || r->method == HM_PUT || r->method == HM_PATCH))
			fail_msg("%s: write route without a body spec", r->pattern);
		if (upload && (r->body || !r->upload_types || !*r->upload_types || !r->body_max))
			fail_msg("%s: an upload route names its media types and limit, and has no JSON body",
				 r->pattern);
		const struct field *specs[] = {r->query, r->body};
		for (int s = 0; s < 2; s++)
			for (const struct field *f = specs[s]; f && f->name; f++) {
				if (!f->doc)
					fail_msg("%s: field %s has no doc", r->pattern, f->name);
				if (f->type == FT_ENUM && (!f->values || !*f->values))
					fail_msg("%s: enum %s has no values", r->pattern, f->name);
				if (f->type == FT_CODE && !is_list_name(f->values))
					fail_msg("%s: code field %s does not name a list of core/codelist.h"
						 " (write codelist_x.name)",
						 r->pattern, f->name);
			}
		if (strncmp(r->pattern, "/api/v1/", 8) && strcmp(r->pattern, "/healthz") &&
		    strcmp(r->pattern, "/metrics"))
			fail_msg("%s: API routes live under /api/v1/", r->pattern);
	}
}

static int noop(struct req *r, void *app)
{
	(void)r;
	(void)app;
	return 0;
}

/* what req_free does in the server for the response headers a hook may add */
static void drop_headers(struct req *r)
{
	for (int i = 0; i < r->nhdr; i++) {
		free(r->hdr[i].name);
		free(r->hdr[i].value);
	}
	r->nhdr = 0;
}

static void t_hook_demands_a_caller(void **st)
{
	(void)st;
	static const struct route guarded[] = {
		{.method = HM_GET, .pattern = "/api/v1/a", .handler = noop, .flags = RF_AUTH},
		{.method = HM_GET, .pattern = "/api/v1/b", .handler = noop, .obj = {AT_SELF}},
		{.method = HM_GET, .pattern = "/api/v1/c", .handler = noop, .perm = "org.read"},
		{.method = HM_GET,
		 .pattern = "/api/v1/d/{id:int}",
		 .handler = noop,
		 .perm = "org.read",
		 .obj = {ORG_AT(RO_PATH, "id")}},
	};
	static const struct route open_route = {.method = HM_GET,
						.pattern = "/api/v1/e",
						.handler = noop,
						.flags = RF_READ,
						.obj = {AT_PUBLIC}};
	struct req r;
	for (size_t i = 0; i < sizeof(guarded) / sizeof(guarded[0]); i++) {
		memset(&r, 0, sizeof(r));
		r.route = &guarded[i];
		assert_int_equal(api_hooks.before(&r, NULL), ERR_UNAUTHORIZED);
		assert_string_equal(r.hdr[0].name, "WWW-Authenticate");
		drop_headers(&r);
		if (r.ctx && r.ctx_free)
			r.ctx_free(r.ctx);
	}
	memset(&r, 0, sizeof(r));
	r.route = &open_route;
	assert_int_equal(api_hooks.before(&r, NULL), 0);
	if (r.ctx && r.ctx_free)
		r.ctx_free(r.ctx);
}

/* issue 8 case 0: every row declares what it acts on (or says why it cannot), with a success
 * status, a known reply shape and a summary; and the check catches rows that do not. */
static void t_issue8_case0_rows_declare_objects(void **st)
{
	(void)st;
	char why[256];
	for (size_t i = 0; i < api_routes_count; i++)
		if (api_route_check(&api_routes[i], why, sizeof(why)))
			fail_msg("%s", why);
	static const struct field q[] = {{"under", FT_INT, 0, 1, 9, NULL, "x"}, {0}};
	static const struct route bad[] = {
		/* neither an object nor a why */
		{.method = HM_GET,
		 .pattern = "/api/v1/x",
		 .handler = noop,
		 .tag = "t",
		 .summary = "s",
		 .response = "r",
		 .status = 200,
		 .reply = "org"},
		/* an org object naming a parameter the route does not have */
		{.method = HM_GET,
		 .pattern = "/api/v1/x/{id:int}",
		 .handler = noop,
		 .tag = "t",
		 .summary = "s",
		 .response = "r",
		 .status = 200,
		 .reply = "org",
		 .perm = "org.read",
		 .obj = {ORG_AT(RO_PATH, "org")}},
		{.method = HM_GET,
		 .pattern = "/api/v1/x",
		 .handler = noop,
		 .tag = "t",
		 .summary = "s",
		 .response = "r",
		 .status = 200,
		 .reply = "org",
		 .perm = "org.read",
		 .query = q,
		 .obj = {ORG_AT(RO_QUERY, "parent")}},
		/* an org object without a permission */
		{.method = HM_GET,
		 .pattern = "/api/v1/x/{id:int}",
		 .handler = noop,
		 .tag = "t",
		 .summary = "s",
		 .response = "r",
		 .status = 200,
		 .reply = "org",
		 .obj = {ORG_AT(RO_PATH, "id")}},
		/* no status, an unknown reply, 204 with a body, no summary */
		{.method = HM_GET,
		 .pattern = "/api/v1/x",
		 .handler = noop,
		 .tag = "t",
		 .summary = "s",
		 .response = "r",
		 .reply = "org",
		 .obj = {AT_PUBLIC}},
		{.method = HM_GET,
		 .pattern = "/api/v1/x",
		 .handler = noop,
		 .tag = "t",
		 .summary = "s",
		 .response = "r",
		 .status = 200,
		 .reply = "orgz",
		 .obj = {AT_PUBLIC}},
		{.method = HM_DELETE,
		 .pattern = "/api/v1/x",
		 .handler = noop,
		 .tag = "t",
		 .summary = "s",
		 .response = "r",
		 .status = 204,
		 .reply = "org",
		 .obj = {AT_SELF}},
		{.method = HM_GET,
		 .pattern = "/api/v1/x",
		 .handler = noop,
		 .tag = "t",
		 .response = "r",
		 .status = 200,
		 .reply = "org",
		 .obj = {AT_PUBLIC}},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (api_route_check(&bad[i], why, sizeof(why)) != ERR_INVALID)
			fail_msg("bad row %zu passed the check", i);
	static const struct route excused = {.method = HM_GET,
					     .pattern = "/api/v1/x",
					     .handler = noop,
					     .flags = RF_AUTH,
					     .tag = "t",
					     .summary = "s",
					     .response = "r",
					     .status = 200,
					     .reply = "org",
					     .why = "a job's owner is checked by the handler"};
	assert_int_equal(api_route_check(&excused, why, sizeof(why)), 0);
}

/* issue 9 item 4: the document gives each route its real status and reply, and operationIds
 * read as words (no router syntax), one per route. */
static void t_issue9_openapi_status_reply_operation_ids(void **st)
{
	(void)st;
	char why[256] = "";
	json_t *doc = api_openapi("test", why, sizeof(why));
	if (!doc)
		fail_msg("%s", why);
	json_t *paths = json_object_get(doc, "paths");
	for (size_t i = 0; i < api_routes_count; i++) {
		const struct route *r = &api_routes[i];
		char opid[160], path[512], status[8];
		api_operation_id(r, opid, sizeof(opid));
		if (strpbrk(opid, "{}:/ ") || !*opid)
			fail_msg("%s: operationId %s", r->pattern, opid);
		for (size_t j = 0; j < i; j++) {
			char other[160];
			api_operation_id(&api_routes[j], other, sizeof(other));
			if (!strcmp(other, opid))
				fail_msg("%s and %s share the operationId %s", r->pattern,
					 api_routes[j].pattern, opid);
		}
		size_t k = 0;
		for (const char *p = r->pattern; *p && k + 1 < sizeof(path); p++) {
			if (*p == ':')
				while (*p && *p != '}')
					p++;
			path[k++] = *p;
		}
		path[k] = '\0';
		const char *m = r->method == HM_GET     ? "get"
				: r->method == HM_POST  ? "post"
				: r->method == HM_PATCH ? "patch"
				: r->method == HM_PUT   ? "put"
							: "delete";
		json_t *op = json_object_get(json_object_get(paths, path), m);
		if (!op)
			fail_msg("%s %s not in the document", m, path);
		snprintf(status, sizeof(status), "%u", r->status);
		json_t *resp = json_object_get(json_object_get(op, "responses"), status);
		if (!resp)
			fail_msg("%s: no %s response", r->pattern, status);
		if (r->status == 204 && json_object_get(resp, "content"))
			fail_msg("%s: 204 with content", r->pattern);
		if (r->status != 204 && !json_object_get(resp, "content"))
			fail_msg("%s: no reply schema", r->pattern);
		assert_string_equal(json_string_value(json_object_get(op, "operationId")), opid);
	}
	json_decref(doc);
	const struct route get_org = {
		.method = HM_GET, .pattern = "/api/v1/orgs/{id:int}", .status = 200, .reply = "org"};
	const struct route kids = {.method = HM_GET,
				   .pattern = "/api/v1/orgs/{id:int}/children",
				   .status = 200,
				   .reply = "page:org"};
	const struct route move = {
		.method = HM_POST, .pattern = "/api/v1/orgs/{id:int}/move", .status = 200, .reply = "org"};
	const struct route create = {
		.method = HM_POST, .pattern = "/api/v1/orgs", .status = 201, .reply = "org"};
	char id[64];
	api_operation_id(&get_org, id, sizeof(id));
	assert_string_equal(id, "getOrg");
	api_operation_id(&kids, id, sizeof(id));
	assert_string_equal(id, "listOrgChildren");
	api_operation_id(&move, id, sizeof(id));
	assert_string_equal(id, "moveOrg");
	api_operation_id(&create, id, sizeof(id));
	assert_string_equal(id, "createOrg");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_every_route_documented),
		cmocka_unit_test(t_patterns_compile_and_are_unique),
		cmocka_unit_test(t_specs_well_formed),
		cmocka_unit_test(t_hook_demands_a_caller),
		cmocka_unit_test(t_issue8_case0_rows_declare_objects),
		cmocka_unit_test(t_issue9_openapi_status_reply_operation_ids),
	};
	return cmocka_run_group_tests_name("routes", tests, NULL, NULL);
}
