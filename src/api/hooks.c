/*
 * hooks.c - the api layer's checks, run by the dispatcher after the generic ones and
 * before the body is parsed: who is calling, and may their roles use this route at all.
 * Object-level scope (is this org in the caller's subtree?) is checked by handlers
 * through rbac_check once they know the object.
 *
 * Callers: `Authorization: Bearer kx_...` API tokens (no CSRF check: a browser never
 * sends them by itself), or the kexie_session cookie, for which every unsafe method must
 * carry the X-CSRF-Token issued at sign-in (403 otherwise).
 */
#include "api/api.h"
#include "core/org.h"
#include "core/rbac.h"
#include "core/user.h"
#include "store/store.h"

#include <stdlib.h>
#include <stdio.h>
#include <strings.h>

static int unauthorized(struct req *r, const char *msg)
{
	resp_header(r, "WWW-Authenticate", "Bearer");
	return req_fail(r, ERR_UNAUTHORIZED, "%s", msg);
}

/* A request that only reads gets its own app whose store is a view: every read it makes
 * (who is calling, the scope check, the answer) shares one connection and snapshot. */
static void req_app_free(void *p)
{
	struct app *ra = p;
	store_view_close(ra->store);
	free(ra);
}

struct app *api_app(struct req *r, struct api *api)
{
	struct app *ra = req_ctx(r);
	return ra ? ra : api->app;
}

static int api_before(struct req *r, void *ctx)
{
	struct api *api = ctx;
	if ((req_route(r)->flags & RF_READ) && api && api->app) {
		struct app *ra = malloc(sizeof(*ra));
		if (!ra)
			return ERR_NOMEM;
		*ra = *api->app;
		if (store_view_open(api->app->store, &ra->store)) {
			free(ra);
			return ERR_NOMEM;
		}
		req_set_ctx(r, ra, req_app_free);
	}
	const struct route *rt = req_route(r);
	/* scalepg: the org a read route is about travels with the caller's statement (on
	 * PostgreSQL one round trip instead of two; store.h, stmt_prefetch) */
	if (req_ctx(r) && rt->handler == api_org_get && !req_query(r, "as_of"))
		(void)org_prefetch(api_app(r, api), req_param_int(r, "id"));
	const char *authz = req_header(r, "Authorization");
	/* a permission or a scope check needs a caller as much as RF_AUTH does */
	bool needs = (rt->flags & (RF_AUTH | RF_SUBTREE)) || rt->perm;
	if (authz) {
		if (strncasecmp(authz, "Bearer ", 7))
			return unauthorized(r, "unsupported Authorization scheme (use Bearer)");
		struct caller *c = malloc(sizeof(*c));
		if (!c)
			return ERR_NOMEM;
		int rc = token_resolve(api_app(r, api), authz + 7, c);
		if (rc) {
			free(c);
			return rc == ERR_UNAUTHORIZED ? unauthorized(r, "the token is invalid, revoked or expired") : rc;
		}
		req_set_user(r, c, free);
	} else if (needs && api_session_cookie(r)) {
		/* only routes that act for a caller read the cookie: a stale cookie must never
		 * stand in the way of public routes such as signing in again */
		unsigned m = req_method(r);
		bool unsafe = m != HM_GET && m != HM_HEAD;
		const char *csrf = req_header(r, "X-CSRF-Token");
		if (unsafe && !csrf)
			return req_fail(r, ERR_FORBIDDEN, "missing X-CSRF-Token");
		struct caller *c = malloc(sizeof(*c));
		if (!c)
			return ERR_NOMEM;
		int rc = session_resolve(api_app(r, api), api_session_cookie(r), unsafe ? csrf : NULL, c);
		if (rc) {
			free(c);
			if (rc == ERR_FORBIDDEN)
				return req_fail(r, rc, "the X-CSRF-Token does not match this session");
			return rc == ERR_UNAUTHORIZED ? unauthorized(r, "the session has ended: sign in again") : rc;
		}
		req_set_user(r, c, free);
	}
	const struct caller *c = req_user(r);
	if (needs && !c)
		return unauthorized(r, "sign in first");
	if (rt->perm && !rbac_permits(c, rt->perm))
		return req_fail(r, ERR_FORBIDDEN, "your roles do not allow this");
	return 0;
}

const char *api_session_cookie(struct req *r)
{
	const char *v = req_cookie(r, "__Host-kexie_session");
	return v ? v : req_cookie(r, "kexie_session");
}

void api_set_session_cookie(struct req *r, struct api *api, const char *token)
{
	const char *proto = req_header(r, "X-Forwarded-Proto");
	/* expiring: the cookie the browser holds, whatever this request came through */
	bool secure = api->https || (proto && !strcasecmp(proto, "https")) ||
		      (!token && req_cookie(r, "__Host-kexie_session"));
	char cookie[160];
	snprintf(cookie, sizeof(cookie), "%s=%s; HttpOnly; SameSite=Lax; Path=/%s%s",
		 secure ? "__Host-kexie_session" : "kexie_session", token ? token : "",
		 secure ? "; Secure" : "", token ? "" : "; Max-Age=0");
	resp_header(r, "Set-Cookie", cookie);
}

struct audit_entry api_actor(struct req *r, struct api *api, const char *perm, int64_t org_id)
{
	const struct caller *c = req_user(r);
	struct audit_entry e = {.user_id = c->user_id, .via = c->cred[0] ? c->cred : c->via,
				.request_id = req_id(r), .client_addr = req_client_addr(r)};
	e.role = org_id ? rbac_role_for(api_app(r, api), c, perm, org_id) : "";
	if (!org_id) /* no one place: the first role granting perm */
		for (int i = 0; i < c->ngrants && !*e.role; i++)
			if (rbac_role_has(c->g[i].role, perm))
				e.role = c->g[i].role;
	return e;
}

const struct http_hooks api_hooks = {
	.before = api_before,
};
