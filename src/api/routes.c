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

#include <stdint.h>

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

static const struct field q_as_of[] = {
	{"as_of", FT_DATE, 0, 0, 0, NULL, "the tree as it stood on this date (default today)"},
	{0},
};

static const struct field q_org_search[] = {
	{"under", FT_INT, 0, 1, INT64_MAX, NULL, "search this subtree (default: your scope)"},
	{"q", FT_STRING, 0, 1, 50, NULL, "code prefix or part of the name"},
	{"level", FT_ENUM, 0, 0, 0, "national|provincial|city|county|township|grassroots", "only this level"},
	{"type", FT_ENUM, 0, 0, 0, "association|society|enterprise|university|park|institute|hospital|village|community|other", "only this type"},
	{"as_of", FT_DATE, 0, 0, 0, NULL, "the tree as it stood on this date (default today)"},
	{"include_closed", FT_BOOL, 0, 0, 0, NULL, "include closed organizations"},
	{"after", FT_STRING, 0, 1, 32, NULL, "keyset paging: the next_after of the previous page"},
	{"limit", FT_INT, 0, 1, 500, NULL, "page size (default 100)"},
	{0},
};

static const struct field q_children[] = {
	{"as_of", FT_DATE, 0, 0, 0, NULL, "the tree as it stood on this date (default today)"},
	{"include_closed", FT_BOOL, 0, 0, 0, NULL, "include closed organizations"},
	{"after", FT_STRING, 0, 1, 32, NULL, "keyset paging: the next_after of the previous page"},
	{"limit", FT_INT, 0, 1, 500, NULL, "page size (default 100)"},
	{0},
};

static const struct field b_org_create[] = {
	{"code", FT_STRING, FF_REQUIRED, 1, 32, NULL, "stable code, [A-Za-z0-9._-]"},
	{"name", FT_STRING, FF_REQUIRED, 1, 200, NULL, "full name"},
	{"short_name", FT_STRING, 0, 0, 64, NULL, "short name"},
	{"level", FT_ENUM, FF_REQUIRED, 0, 0, "national|provincial|city|county|township|grassroots", "level in the tree"},
	{"type", FT_ENUM, FF_REQUIRED, 0, 0, "association|society|enterprise|university|park|institute|hospital|village|community|other", "kind of organization"},
	{"region_code", FT_STRING, 0, 6, 6, NULL, "GB/T 2260 region code"},
	{"credit_code", FT_STRING, 0, 18, 40, NULL, "GB 32100 unified social credit code (check character verified)"},
	{"contact", FT_STRING, 0, 0, 60, NULL, "contact person and phone"},
	{"opened_on", FT_DATE, 0, 0, 0, NULL, "date it opened (default today)"},
	{"parent_id", FT_INT, 0, 1, INT64_MAX, NULL, "parent organization; omit only for the national level"},
	{0},
};

static const struct field b_org_update[] = {
	{"name", FT_STRING, 0, 1, 200, NULL, "full name"},
	{"short_name", FT_STRING, 0, 0, 64, NULL, "short name"},
	{"type", FT_ENUM, 0, 0, 0, "association|society|enterprise|university|park|institute|hospital|village|community|other", "kind of organization"},
	{"region_code", FT_STRING, FF_NULLABLE, 6, 6, NULL, "GB/T 2260 region code; null clears it"},
	{"credit_code", FT_STRING, FF_NULLABLE, 18, 40, NULL, "GB 32100 credit code; null clears it"},
	{"contact", FT_STRING, 0, 0, 60, NULL, "contact person and phone"},
	{0},
};

static const struct field b_org_link[] = {
	{"guide_id", FT_INT, FF_REQUIRED, 1, INT64_MAX, NULL, "the organization that guides this one"},
	{"on", FT_DATE, 0, 0, 0, NULL, "from this date (default today)"},
	{0},
};

static const struct field b_org_move[] = {
	{"parent_id", FT_INT, FF_REQUIRED, 1, INT64_MAX, NULL, "the new parent"},
	{"on", FT_DATE, 0, 0, 0, NULL, "effective date (default today)"},
	{0},
};

static const struct field b_org_close[] = {
	{"on", FT_DATE, 0, 0, 0, NULL, "closing date (default today)"},
	{"branch", FT_BOOL, 0, 0, 0, NULL, "close every open organization below as well"},
	{0},
};

static const struct field q_audit[] = {
	{"from", FT_DATE, 0, 0, 0, NULL, "first day (UTC), inclusive"},
	{"to", FT_DATE, 0, 0, 0, NULL, "last day (UTC), inclusive"},
	{"login", FT_STRING, 0, 1, 64, NULL, "the acting account"},
	{"action", FT_STRING, 0, 1, 64, NULL, "e.g. org.move"},
	{"object_type", FT_STRING, 0, 1, 32, NULL, "e.g. org"},
	{"object_id", FT_STRING, 0, 1, 64, NULL, "the object's id"},
	{"org_id", FT_INT, 0, 1, INT64_MAX, NULL, "only records about this subtree"},
	{"before", FT_INT, 0, 1, INT64_MAX, NULL, "keyset paging: next_before of the previous page"},
	{"limit", FT_INT, 0, 1, 1000, NULL, "page size (default 100)"},
	{"format", FT_ENUM, 0, 0, 0, "json|csv", "csv: a spreadsheet download (UTF-8 with BOM)"},
	{0},
};

static const struct field b_session[] = {
	{"login", FT_STRING, FF_REQUIRED, 1, 64, NULL, "account login"},
	{"password", FT_STRING, FF_REQUIRED, 1, 256, NULL, "password"},
	{"new_password", FT_STRING, 0, 1, 256, NULL, "replace the password while signing in (required once it has expired)"},
	{0},
};

#define ROLE_ENUM "system_admin|security_admin|audit_admin|org_admin|staff|reviewer|member"

static const struct field q_users[] = {
	{"under", FT_INT, 0, 1, INT64_MAX, NULL, "accounts with a role in this subtree (default: your scope)"},
	{"q", FT_STRING, 0, 1, 64, NULL, "part of the login or the name"},
	{"after", FT_STRING, 0, 1, 64, NULL, "keyset paging: the next_after of the previous page"},
	{"limit", FT_INT, 0, 1, 200, NULL, "page size (default 50)"},
	{0},
};

static const struct field b_user_create[] = {
	{"login", FT_STRING, FF_REQUIRED, 2, 64, NULL, "a-z 0-9 . _ - @"},
	{"display_name", FT_STRING, FF_REQUIRED, 1, 100, NULL, "name shown to others"},
	{"password", FT_STRING, FF_REQUIRED, 1, 256, NULL, "initial password (policy checked)"},
	{"role", FT_ENUM, FF_REQUIRED, 0, 0, ROLE_ENUM, "first role"},
	{"org_id", FT_INT, FF_REQUIRED, 1, INT64_MAX, NULL, "where the role applies (with everything below)"},
	{0},
};

static const struct field b_role[] = {
	{"role", FT_ENUM, FF_REQUIRED, 0, 0, ROLE_ENUM, "role"},
	{"org_id", FT_INT, FF_REQUIRED, 1, INT64_MAX, NULL, "where the role applies (with everything below)"},
	{0},
};

static const struct field b_none[] = {
	{0}, /* an action without parameters: an empty object or no body at all */
};

static const struct field b_password[] = {
	{"password", FT_STRING, FF_REQUIRED, 1, 256, NULL, "new password (policy checked)"},
	{0},
};

static const struct field b_own_password[] = {
	{"current_password", FT_STRING, FF_REQUIRED, 1, 256, NULL, "the password now"},
	{"new_password", FT_STRING, FF_REQUIRED, 1, 256, NULL, "the new password (policy checked)"},
	{0},
};

static const struct field b_token[] = {
	{"name", FT_STRING, FF_REQUIRED, 1, 100, NULL, "what the token is for"},
	{"expires_days", FT_INT, 0, 1, 3650, NULL, "days until it stops working (default: never)"},
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
	/* sign in / out: the password check runs on the hashers pool */
	{HM_POST, "/api/v1/session", api_session_create, RF_CSRF, NULL, b_session, 4096, "session",
	 "Sign in: sets the session cookie, returns the caller and a CSRF token",
	 "the caller, its roles and csrf_token", NULL},
	{HM_GET, "/api/v1/session", api_session_get, RF_AUTH, NULL, NULL, 0, "session",
	 "Who am I: login, roles and scopes", "the caller", NULL},
	{HM_DELETE, "/api/v1/session", api_session_delete, RF_AUTH | RF_CSRF, NULL, NULL, 0, "session",
	 "Sign out: ends the session on the server", "no content", NULL},

	/* one's own sessions, tokens and password */
	{HM_GET, "/api/v1/me/sessions", api_me_sessions, RF_AUTH, NULL, NULL, 0, "me",
	 "My live sessions (the current one marked)", "items: sessions", NULL},
	{HM_DELETE, "/api/v1/me/sessions/{id:int}", api_me_session_end, RF_AUTH | RF_CSRF, NULL, NULL, 0,
	 "me", "End one of my sessions", "no content", NULL},
	{HM_GET, "/api/v1/me/tokens", api_me_tokens, RF_AUTH, NULL, NULL, 0, "me",
	 "My API tokens (never the token itself) with last-used times", "items: tokens", NULL},
	{HM_POST, "/api/v1/me/tokens", api_me_token_create, RF_AUTH | RF_CSRF, NULL, b_token, 4096, "me",
	 "Create an API token for me: shown once, stored hashed", "token, name", NULL},
	{HM_DELETE, "/api/v1/me/tokens/{id:int}", api_me_token_revoke, RF_AUTH | RF_CSRF, NULL, NULL, 0,
	 "me", "Revoke one of my tokens", "no content", NULL},
	{HM_POST, "/api/v1/me/password", api_me_password, RF_AUTH | RF_CSRF, NULL, b_own_password, 4096,
	 "me", "Change my password: every session ends, sign in again", "no content", NULL},

	/* accounts and roles: scope checked per account by user_check */
	{HM_GET, "/api/v1/users", api_user_search, RF_AUTH | RF_SUBTREE | RF_READ, q_users, NULL, 0, "users",
	 "Accounts holding a role in a subtree, keyset-paged by login", "items and next_after",
	 "user.read"},
	{HM_POST, "/api/v1/users", api_user_create, RF_AUTH | RF_SUBTREE | RF_CSRF, NULL, b_user_create, 4096,
	 "users", "Create an account with a first role in your scope", "the account", "user.admin"},
	{HM_GET, "/api/v1/users/{id:int}", api_user_get, RF_AUTH | RF_SUBTREE | RF_READ, NULL, NULL, 0,
	 "users", "One account: status, lock, roles, live sessions", "the account", "user.read"},
	{HM_POST, "/api/v1/users/{id:int}/roles", api_user_role_add, RF_AUTH | RF_SUBTREE | RF_CSRF, NULL,
	 b_role, 4096, "users", "Give a role at an org (the account's sessions end)", "the account",
	 "user.admin"},
	{HM_DELETE, "/api/v1/users/{id:int}/roles/{role:str}/{org_id:int}", api_user_role_remove,
	 RF_AUTH | RF_SUBTREE | RF_CSRF, NULL, NULL, 0, "users",
	 "Take a role away (not the last one; the account's sessions end)", "the account", "user.admin"},
	{HM_POST, "/api/v1/users/{id:int}/disable", api_user_disable, RF_AUTH | RF_SUBTREE | RF_CSRF, NULL,
	 b_none, 1024, "users", "Disable an account: sessions end and tokens are revoked at once",
	 "the account", "user.admin"},
	{HM_POST, "/api/v1/users/{id:int}/enable", api_user_enable, RF_AUTH | RF_SUBTREE | RF_CSRF, NULL,
	 b_none, 1024, "users", "Enable a disabled account", "the account", "user.admin"},
	{HM_POST, "/api/v1/users/{id:int}/unlock", api_user_unlock, RF_AUTH | RF_SUBTREE | RF_CSRF, NULL,
	 b_none, 1024, "users", "Clear a lock after wrong passwords", "the account", "user.admin"},
	{HM_DELETE, "/api/v1/users/{id:int}/sessions", api_user_sessions_end, RF_AUTH | RF_SUBTREE | RF_CSRF,
	 NULL, NULL, 0, "users", "End every session of an account now", "sessions_ended", "user.admin"},
	{HM_POST, "/api/v1/users/{id:int}/password", api_user_password, RF_AUTH | RF_SUBTREE | RF_CSRF, NULL,
	 b_password, 4096, "users", "Set a new password (policy checked; the account's sessions end)",
	 "no content", "user.admin"},

	/* organization tree: scope checked per object by rbac_check */
	{HM_GET, "/api/v1/orgs", api_org_search, RF_AUTH | RF_SUBTREE | RF_READ, q_org_search, NULL, 0,
	 "orgs", "Search organizations in a subtree (code prefix or name), keyset-paged by code",
	 "items and next_after", "org.read"},
	{HM_GET, "/api/v1/orgs/{id:int}", api_org_get, RF_AUTH | RF_SUBTREE | RF_READ, q_as_of, NULL, 0,
	 "orgs", "One organization as of a date", "the organization; ETag is its version", "org.read"},
	{HM_GET, "/api/v1/orgs/{id:int}/children", api_org_children, RF_AUTH | RF_SUBTREE | RF_READ,
	 q_children, NULL, 0, "orgs", "Children of an organization, keyset-paged by code",
	 "items and next_after", "org.read"},
	{HM_GET, "/api/v1/orgs/{id:int}/counts", api_org_counts, RF_AUTH | RF_SUBTREE | RF_READ, q_as_of,
	 NULL, 0, "orgs", "Open organizations in the subtree by level", "by_level", "org.read"},
	{HM_POST, "/api/v1/orgs", api_org_create, RF_AUTH | RF_SUBTREE | RF_CSRF, NULL, b_org_create, 16384,
	 "orgs", "Create an organization under a parent in your scope", "the new organization", "org.write"},
	{HM_PATCH, "/api/v1/orgs/{id:int}", api_org_update, RF_AUTH | RF_SUBTREE | RF_CSRF, NULL,
	 b_org_update, 16384, "orgs", "Change names, type, codes or contact (If-Match required: 428/412)",
	 "the organization", "org.write"},
	{HM_GET, "/api/v1/orgs/{id:int}/history", api_org_history, RF_AUTH | RF_SUBTREE | RF_READ, NULL,
	 NULL, 0, "orgs", "Where the organization sat in the tree over time", "parents: periods",
	 "org.read"},
	{HM_GET, "/api/v1/orgs/{id:int}/links", api_org_links, RF_AUTH | RF_SUBTREE | RF_READ, NULL, NULL,
	 0, "orgs", "Organizations that guide this one (guided-by links)", "guided_by: periods",
	 "org.read"},
	{HM_POST, "/api/v1/orgs/{id:int}/links", api_org_link_add, RF_AUTH | RF_SUBTREE | RF_CSRF, NULL,
	 b_org_link, 4096, "orgs", "Add a guided-by link from a date", "guided_by: periods",
	 "org.write"},
	{HM_POST, "/api/v1/orgs/{id:int}/move", api_org_move, RF_AUTH | RF_SUBTREE | RF_CSRF, NULL,
	 b_org_move, 4096, "orgs", "Move an organization from a date (If-Match: version optional)",
	 "the organization as of the move", "org.write"},
	{HM_POST, "/api/v1/orgs/{id:int}/close", api_org_close, RF_AUTH | RF_SUBTREE | RF_CSRF, NULL,
	 b_org_close, 4096, "orgs", "Close an organization, or its whole branch", "closed: count",
	 "org.write"},
	/* audit trail: the audit administrator only */
	{HM_GET, "/api/v1/audit", api_audit_list, RF_AUTH | RF_READ, q_audit, NULL, 0, "audit",
	 "Audit records, newest first, filtered; CSV export", "items and next_before, or CSV",
	 "audit.read"},
	{HM_GET, "/api/v1/regions/{code:str}", api_region_get, RF_READ, NULL, NULL, 0, "regions",
	 "One administrative division by code", "the region", NULL},
};

const size_t api_routes_count = sizeof(api_routes) / sizeof(api_routes[0]);
