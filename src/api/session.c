/*
 * session.c (api) - sign in, who am I, sign out.
 *
 * POST /api/v1/session checks the password with argon2id on the hashers pool (the HTTP
 * thread is released meanwhile; a full queue is 503 + Retry-After at once). Success sets
 * the cookie kexie_session (HttpOnly, SameSite=Lax, Path=/) with a new random token, and
 * returns the CSRF token the browser must send as X-CSRF-Token on unsafe requests.
 * Failures answer the same whether or not the login exists.
 */
#include "api/api.h"
#include "base/ratelimit.h"
#include "base/timeutil.h"
#include "core/org.h"
#include "core/user.h"

#include <inttypes.h>
#include <stdio.h>
#include <sodium.h>
#include <string.h>


static json_t *caller_json(struct app *app, const struct caller *c)
{
	json_t *roles = json_array();
	for (int i = 0; i < c->ngrants; i++) {
		struct org o;
		bool found = org_get(app, c->g[i].org_id, NULL, &o) == 0;
		json_array_append_new(roles, json_pack("{s:s,s:I,s:s,s:s}", "role", c->g[i].role, "org_id",
						       (json_int_t)c->g[i].org_id, "org_code", found ? o.code : "",
						       "org_name", found ? o.name : ""));
	}
	return json_pack("{s:I,s:s,s:s,s:s,s:o}", "user_id", (json_int_t)c->user_id, "login", c->login,
			 "display_name", c->display_name, "via", c->via, "roles", roles);
}

static int login_on_worker(struct req *r, void *arg)
{
	struct api *api = arg;
	json_t *b = req_json(r);
	struct login_result res;
	int rc = session_login(api_app(r, api), api_str(b, "login"),
			       api_str(b, "password"),
			       api_str(b, "new_password"), req_client_addr(r),
			       req_id(r), &res, req_errs(r));
	if (rc == ERR_RATELIMIT) {
		char retry[24];
		snprintf(retry, sizeof(retry), "%" PRId64, res.locked_for_s);
		resp_header(r, "Retry-After", retry);
		errlist_add(req_errs(r), "login", "account_locked",
			    "too many wrong passwords: wait, or ask a security administrator to unlock the account (kexie user unlock)");
		return req_fail(r, rc, "the account is locked for %" PRId64 " more minutes", (res.locked_for_s + 59) / 60);
	}
	if (rc == ERR_UNAUTHORIZED) {
		if (api->login_failures)
			ratelimit_hit(api->login_failures, req_client_addr(r), time_unix());
		return req_fail(r, rc, "wrong login or password");
	}
	if (rc == ERR_FORBIDDEN)
		return req_fail(r, rc, "the password has expired: choose a new one");
	if (rc == ERR_UNPROCESSABLE)
		return req_fail(r, rc, "the new password does not meet the policy");
	if (rc)
		return rc;
	struct caller c;
	rc = session_resolve(api_app(r, api), res.token, NULL, &c);
	if (!rc) {
		api_set_session_cookie(r, api, res.token);
		json_t *body = caller_json(api_app(r, api), &c);
		json_object_set_new(body, "csrf_token", json_string(res.csrf));
		rc = resp_json(r, 201, body);
	}
	sodium_memzero(&res, sizeof(res));
	return rc;
}

int api_session_create(struct req *r, void *ctx)
{
	struct api *api = ctx;
	/* an address that keeps failing is turned away before any hashing work */
	if (api->login_failures && ratelimit_over(api->login_failures, req_client_addr(r), time_unix())) {
		resp_header(r, "Retry-After", "60");
		return req_fail(r, ERR_RATELIMIT, "too many failed sign-ins from this address; wait a minute");
	}
	return req_defer(r, api->hashers, login_on_worker, api);
}

int api_session_get(struct req *r, void *ctx)
{
	struct api *api = ctx;
	const struct caller *c = req_user(r);
	json_t *body = caller_json(api_app(r, api), c);
	const char *token = api_session_cookie(r);
	if (!strcmp(c->via, "session") && token) {
		/* a new tab of a signed-in browser gets the token it needs for writes */
		char csrf[TOKEN_LEN + 8];
		session_csrf_for(api_app(r, api), token, csrf, sizeof(csrf));
		json_object_set_new(body, "csrf_token", json_string(csrf));
	}
	return resp_json(r, 200, body);
}

int api_session_delete(struct req *r, void *ctx)
{
	struct api *api = ctx;
	const struct caller *c = req_user(r);
	const char *token = api_session_cookie(r);
	if (!token || strcmp(c->via, "session"))
		return req_fail(r, ERR_INVALID, "only a browser session can sign out; revoke tokens instead");
	struct audit_entry who = api_actor(r, api, "", 0);
	int rc = session_logout(api_app(r, api), token, &who);
	if (rc)
		return rc;
	api_set_session_cookie(r, api, NULL);
	return resp_json(r, 204, NULL);
}
