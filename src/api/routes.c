/*
 * routes.c - THE route table: every endpoint of kexie on one screen.
 *
 * Each row says the method, the path with typed parameters, the handler, the flags the
 * dispatcher enforces before the handler runs (auth, CSRF, read replica...), the query
 * parameters and body fields it accepts (anything else is refused), and the text the
 * OpenAPI document is built from. A route added here without a summary fails the build's
 * OpenAPI test; one missing from the access matrix will fail that test (issue 4).
 */
#include "api/api.h"

static const struct field q_regions[] = {
	{"parent", FT_STRING, 0, 2, 12, NULL, "parent region code; omit for the top level"},
	{"sort", FT_ENUM, 0, 0, 0, "code|-code|name|-name", "order; name sorts by pinyin"},
	{"limit", FT_INT, 0, 1, 1000, NULL, "maximum number of items (default 200)"},
	{0},
};

static const struct field b_client_error[] = {
	{"message", FT_STRING, FF_REQUIRED, 1, 1000, NULL, "the error message"},
	{"source", FT_STRING, 0, 0, 500, NULL, "script or component"},
	{"line", FT_INT, 0, 0, 10000000, NULL, "line number"},
	{"column", FT_INT, 0, 0, 10000000, NULL, "column number"},
	{"route", FT_STRING, 0, 0, 500, NULL, "the app route (path only, no query)"},
	{0},
};

const struct route api_routes[] = {
	/* system */
	{HM_GET, "/healthz", api_health, RF_READ | RF_NOLOG, NULL, NULL, 0, "system",
	 "Liveness and database health", "status, database kind and schema version", NULL},
	{HM_GET, "/metrics", api_metrics, RF_RAW | RF_NOLOG, NULL, NULL, 0, "system",
	 "Prometheus metrics", "Prometheus text exposition format", NULL},
	{HM_GET, "/api/v1/about", api_about, RF_READ, NULL, NULL, 0, "system",
	 "Version, database kind and uptime", "version information", NULL},
	{HM_GET, "/api/v1/openapi.json", api_openapi_get, 0, NULL, NULL, 0, "system",
	 "This API described in OpenAPI 3.1", "the OpenAPI document", NULL},

	{HM_POST, "/api/v1/client-errors", api_client_error, 0, NULL, b_client_error, 32768,
	 "system", "Report an error seen in the web app (logged, not stored)", "accepted", NULL},

	/* reference data */
	{HM_GET, "/api/v1/regions", api_region_list, RF_READ, q_regions, NULL, 0, "regions",
	 "List administrative divisions under a parent", "items: regions", NULL},
	{HM_GET, "/api/v1/regions/{code:str}", api_region_get, RF_READ, NULL, NULL, 0, "regions",
	 "One administrative division by code", "the region", NULL},
};

const size_t api_routes_count = sizeof(api_routes) / sizeof(api_routes[0]);
