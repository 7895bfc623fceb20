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
#include "base/jsonw.h"
#include "base/ratelimit.h"
#include "base/timeutil.h"
#include "core/org.h"
#include "core/user.h"

#include <inttypes.h>
#include <stdio.h>
#include <sodium.h>
#include <string.h>

/* Opens the answer's object and writes the caller into it; the caller of this function
 * may add members (csrf_token) and then closes the object. */
static void caller_json(struct jsonw *w, struct app *app, const struct caller *c)
{
	jsonw_object(w, NULL);
	jsonw_int(w, "user_id", c->user_id);
	jsonw_str(w, "login", c->login);
	jsonw_str(w, "display_name", c->display_name);
	jsonw_str(w, "via", c->via);
	jsonw_array(w, "roles");
	for (int i = 0; i < c->ngrants; i++) {
		struct org o;
		bool found = org_get(app, c->g[i].org_id, NULL, &o) == 0;
		jsonw_object(w, NULL);
		jsonw_str(w, "role", c->g[i].role);
		jsonw_int(w, "org_id", c->g[i].org_id);
		jsonw_str(w, "org_code", found ? o.code : "");
		jsonw_str(w, "org_name", found ? o.name : "");
		jsonw_end(w);
	}
	jsonw_end(w);
}

static int login_on_worker(struct req *r, void *arg)
{
	struct api *api = arg;
	json_t *b = req_json(r);
	struct login_result res;
	int rc = session_login(api_app(r, api), api_str(b, "login"), api_str(b, "password"),
			       api_str(b, "new_password"), req_client_addr(r), req_id(r), &res, req_errs(r));
	if (rc == ERR_RATELIMIT) {
		char retry[24];
		snprintf(retry, sizeof(retry), "%" PRId64, res.locked_for_s);
		resp_header(r, "Retry-After", retry);
		errlist_add(
			req_errs(r), "login", "account_locked",
			"too many wrong passwords: wait, or ask a security administrator to unlock the account (kexie user unlock)");
		return req_fail(r, rc, "the account is locked for %" PRId64 " more minutes",
				(res.locked_for_s + 59) / 60);
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
		struct jsonw w;
		jsonw_init(&w);
		caller_json(&w, api_app(r, api), &c);
		jsonw_str(&w, "csrf_token", res.csrf);
		jsonw_end(&w);
		rc = jsonw_send(r, 201, &w);
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
		return req_fail(r, ERR_RATELIMIT,
				"too many failed sign-ins from this address; wait a minute");
	}
	return req_defer(r, api->hashers, login_on_worker, api);
}

int api_session_get(struct req *r, void *ctx)
{
	struct api *api = ctx;
	const struct caller *c = req_user(r);
	struct jsonw w;
	jsonw_init(&w);
	caller_json(&w, api_app(r, api), c);
	const char *token = api_session_cookie(r);
	if (!strcmp(c->via, "session") && token) {
		/* a new tab of a signed-in browser gets the token it needs for writes */
		char csrf[TOKEN_LEN + 8];
		session_csrf_for(api_app(r, api), token, csrf, sizeof(csrf));
		jsonw_str(&w, "csrf_token", csrf);
	}
	jsonw_end(&w);
	return jsonw_send(r, 200, &w);
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
	return resp_empty(r, 204);
}
