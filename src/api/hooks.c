/*
 * hooks.c - the checks the dispatcher runs for the api layer after the generic ones:
 * authentication and permissions declared by route flags. Sessions and roles arrive with
 * the identity module; until then a route flagged RF_AUTH or RF_SUBTREE, or naming a
 * permission, answers 401 to everyone.
 */
#include "api/api.h"

static int api_before(struct req *r, void *ctx)
{
	(void)ctx;
	const struct route *rt = req_route(r);
	/* a permission or a scope check needs a caller as much as RF_AUTH does */
	if ((rt->flags & (RF_AUTH | RF_SUBTREE) || rt->perm) && !req_user(r))
		return req_fail(r, ERR_UNAUTHORIZED, "sign in first");
	return 0;
}

const struct http_hooks api_hooks = {
	.before = api_before,
};
