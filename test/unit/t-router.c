/* t-router.c - pattern compile and match: typed params, 404 vs 405, limits. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "http/internal.h"

static int h(struct req *r, void *app)
{
	(void)r;
	(void)app;
	return 0;
}

static const struct route routes[] = {
	{.method = HM_GET,
	 .pattern = "/api/v1/orgs/{id:int}",
	 .handler = h,
	 .tag = "t",
	 .summary = "get",
	 .response = "x"},
	{.method = HM_PATCH,
	 .pattern = "/api/v1/orgs/{id:int}",
	 .handler = h,
	 .tag = "t",
	 .summary = "patch",
	 .response = "x"},
	{.method = HM_GET,
	 .pattern = "/api/v1/orgs/{id:int}/children",
	 .handler = h,
	 .tag = "t",
	 .summary = "kids",
	 .response = "x"},
	{.method = HM_GET,
	 .pattern = "/api/v1/regions/{code:str}",
	 .handler = h,
	 .tag = "t",
	 .summary = "region",
	 .response = "x"},
	{.method = HM_GET,
	 .pattern = "/healthz",
	 .handler = h,
	 .tag = "t",
	 .summary = "health",
	 .response = "x"},
};

static struct router *rt;

static int setup(void **st)
{
	(void)st;
	return router_new(routes, sizeof(routes) / sizeof(routes[0]), &rt);
}

static int teardown(void **st)
{
	(void)st;
	router_free(rt);
	return 0;
}

static int match(const char *path, unsigned m, unsigned *allow, struct req *r)
{
	memset(r, 0, sizeof(*r));
	return router_match(rt, r, path, m, allow);
}

static void clear(struct req *r)
{
	for (int i = 0; i < r->nparams; i++)
		free(r->params[i].str);
}

static void t_typed_params(void **st)
{
	(void)st;
	struct req r;
	unsigned allow;
	assert_int_equal(match("/api/v1/orgs/42", HM_GET, &allow, &r), 0);
	assert_int_equal(r.params[0].i, 42);
	clear(&r);
	assert_int_equal(match("/api/v1/orgs/42/children", HM_GET, &allow, &r), 2);
	clear(&r);
	assert_int_equal(match("/api/v1/regions/110000", HM_HEAD, &allow, &r), 3);
	assert_string_equal(r.params[0].str, "110000");
	clear(&r);
}

static void t_bad_ids_name_the_param(void **st)
{
	(void)st;
	static const char *const bad[] = {"/api/v1/orgs/abc",
					  "/api/v1/orgs/0",
					  "/api/v1/orgs/-1",
					  "/api/v1/orgs/007",
					  "/api/v1/orgs/99999999999999999999",
					  "/api/v1/orgs/1e3"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct req r;
		unsigned allow;
		assert_int_equal(match(bad[i], HM_GET, &allow, &r), ERR_INVALID);
		assert_string_equal(r.errs.e[0].field, "id");
		clear(&r);
	}
}

static void t_404_and_405(void **st)
{
	(void)st;
	struct req r;
	unsigned allow;
	assert_int_equal(match("/api/v1/nothing", HM_GET, &allow, &r), ERR_NOTFOUND);
	assert_int_equal(match("/api/v1/orgs/5", HM_DELETE, &allow, &r), ERR_METHOD);
	assert_true(allow & HM_GET);
	assert_true(allow & HM_PATCH);
	assert_true(allow & HM_HEAD);
	assert_int_equal(match("/api/v1/orgs/5/children/extra/a/b/c/d/e/f/g/h/i/j", HM_GET, &allow, &r),
			 ERR_NOTFOUND);
	assert_int_equal(match("relative", HM_GET, &allow, &r), ERR_NOTFOUND);
}

static void t_bad_pattern_refused(void **st)
{
	(void)st;
	static const struct route bad[] = {{.method = HM_GET,
					    .pattern = "/x/{id:float}",
					    .handler = h,
					    .tag = "t",
					    .summary = "s",
					    .response = "x"}};
	struct router *r2 = NULL;
	assert_int_not_equal(router_new(bad, 1, &r2), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_typed_params),
		cmocka_unit_test(t_bad_ids_name_the_param),
		cmocka_unit_test(t_404_and_405),
		cmocka_unit_test(t_bad_pattern_refused),
	};
	return cmocka_run_group_tests_name("router", tests, setup, teardown);
}
