/*
 * hooks.c - the api layer's checks, run by the dispatcher after the generic ones and
 * before the body is parsed: who is calling, and may their roles use this route at all.
 * Object-level scope (is this org in the caller's subtree?) is checked by handlers
 * through rbac_check once they know the object.
 *
 * Callers today: `Authorization: Bearer kx_...` API tokens (no CSRF check: a browser
 * never sends them by itself). Cookie sessions arrive with the login page.
 */
#include "api/api.h"
#include "domain/rbac.h"
#include "domain/user.h"

#include <stdlib.h>
#include <strings.h>

static int unauthorized(struct req *r, const char *msg)
{
	resp_header(r, "WWW-Authenticate", "Bearer");
	return req_fail(r, ERR_UNAUTHORIZED, "%s", msg);
}

static int api_before(struct req *r, void *ctx)
{
	struct api *api = ctx;
	const struct route *rt = req_route(r);
	const char *authz = req_header(r, "Authorization");
	if (authz) {
		if (strncasecmp(authz, "Bearer ", 7))
			return unauthorized(r, "unsupported Authorization scheme (use Bearer)");
		struct caller *c = malloc(sizeof(*c));
		if (!c)
			return ERR_NOMEM;
		int rc = token_resolve(api->app, authz + 7, c);
		if (rc) {
			free(c);
			return rc == ERR_UNAUTHORIZED ? unauthorized(r, "the token is invalid, revoked or expired") : rc;
		}
		req_set_user(r, c, free);
	}
	/* a permission or a scope check needs a caller as much as RF_AUTH does */
	bool needs = (rt->flags & (RF_AUTH | RF_SUBTREE)) || rt->perm;
	const struct caller *c = req_user(r);
	if (needs && !c)
		return unauthorized(r, "sign in first");
	if (rt->perm && !rbac_permits(c, rt->perm))
		return req_fail(r, ERR_FORBIDDEN, "your roles do not allow this");
	return 0;
}

const struct http_hooks api_hooks = {
	.before = api_before,
};
