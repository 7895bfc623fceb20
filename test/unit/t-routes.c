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

static void t_specs_well_formed(void **st)
{
	(void)st;
	for (size_t i = 0; i < api_routes_count; i++) {
		const struct route *r = &api_routes[i];
		if (r->body && (r->method == HM_GET || r->method == HM_DELETE))
			fail_msg("%s: GET/DELETE routes take no body", r->pattern);
		bool upload = (r->flags & RF_UPLOAD) != 0;
		if (!r->body && !upload && (r->method == HM_POST || r->method == HM_PUT || r->method == HM_PATCH))
			fail_msg("%s: write route without a body spec", r->pattern);
		if (upload && (r->body || !r->upload_types || !*r->upload_types || !r->body_max))
			fail_msg("%s: an upload route names its media types and limit, and has no JSON body", r->pattern);
		const struct field *specs[] = {r->query, r->body};
		for (int s = 0; s < 2; s++)
			for (const struct field *f = specs[s]; f && f->name; f++) {
				if (!f->doc)
					fail_msg("%s: field %s has no doc", r->pattern, f->name);
				if (f->type == FT_ENUM && (!f->values || !*f->values))
					fail_msg("%s: enum %s has no values", r->pattern, f->name);
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
		{.method = HM_GET, .pattern = "/api/v1/a", .handler = noop, .flags = RF_AUTH, .tag = "t", .summary = "s", .response = "x"},
		{.method = HM_GET, .pattern = "/api/v1/b", .handler = noop, .flags = RF_SUBTREE, .tag = "t", .summary = "s", .response = "x"},
		{.method = HM_GET, .pattern = "/api/v1/c", .handler = noop, .tag = "t", .summary = "s", .response = "x", .perm = "org.read"},
	};
	static const struct route open_route = {.method = HM_GET, .pattern = "/api/v1/d", .handler = noop, .flags = RF_READ, .tag = "t", .summary = "s", .response = "x"};
	struct req r;
	for (size_t i = 0; i < 3; i++) {
		memset(&r, 0, sizeof(r));
		r.route = &guarded[i];
		assert_int_equal(api_hooks.before(&r, NULL), ERR_UNAUTHORIZED);
		assert_string_equal(r.hdr[0].name, "WWW-Authenticate");
		drop_headers(&r);
	}
	memset(&r, 0, sizeof(r));
	r.route = &open_route;
	assert_int_equal(api_hooks.before(&r, NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_every_route_documented),
		cmocka_unit_test(t_patterns_compile_and_are_unique),
		cmocka_unit_test(t_specs_well_formed),
		cmocka_unit_test(t_hook_demands_a_caller),
	};
	return cmocka_run_group_tests_name("routes", tests, NULL, NULL);
}
