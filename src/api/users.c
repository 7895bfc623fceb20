/*
 * users.c (api) - accounts and roles for administrators, the two-person requests for the
 * three administrator posts, and one's own sessions, tokens and password ("me").
 *
 * An account is seen through its role assignments: the route rows declare the account in
 * the path (and the org of a role in the body or path), and the dispatcher's hooks apply
 * the scope rule before a handler runs (user_check: a caller with user.read over one of its
 * roles sees it, else 404; with user.admin over all of them may change it, else 403; an
 * account holding a post only a security administrator changes). Separation of duties is
 * the core's (account.c, post.c). Password hashing runs on the hashers pool like sign-in.
 */
#include "api/api.h"
#include "base/jsonw.h"
#include "base/ratelimit.h"
#include "base/timeutil.h"
#include "core/post.h"
#include "core/user.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A unix time, or null for none (0). */
static void time_or_null(struct jsonw *w, const char *key, int64_t t)
{
	if (t > 0)
		jsonw_int(w, key, t);
	else
		jsonw_null(w, key);
}

/* An answer of one object with one member: {"key": n}. */
static int answer_int(struct req *r, unsigned status, const char *key, int64_t n)
{
	struct jsonw w;
	jsonw_init(&w);
	jsonw_object(&w, NULL);
	jsonw_int(&w, key, n);
	jsonw_end(&w);
	return jsonw_send(r, status, &w);
}

/* A refusal with field errors as an answer (the core named the field). */
static int refused(struct req *r, int rc, const char *what)
{
	if (rc == ERR_FORBIDDEN || rc == ERR_CONFLICT || rc == ERR_UNPROCESSABLE)
		return req_fail(r, rc, "%s", req_errs(r)->n ? req_errs(r)->e[0].message : what);
	return rc;
}

static void grants_json(struct jsonw *w, const char *key, const struct user_grant *g, int n)
{
	jsonw_array(w, key);
	for (int i = 0; i < n; i++) {
		jsonw_object(w, NULL);
		jsonw_str(w, "role", g[i].role);
		jsonw_int(w, "org_id", g[i].org_id);
		jsonw_str(w, "org_code", g[i].org_code);
		jsonw_str(w, "org_name", g[i].org_name);
		jsonw_end(w);
	}
	jsonw_end(w);
}

static int answer_user(struct req *r, struct api *api, int64_t id, unsigned status)
{
	struct user_detail *u = malloc(sizeof(*u));
	if (!u)
		return ERR_NOMEM;
	int rc = user_get(api_app(r, api), id, u);
	if (!rc) {
		struct jsonw w;
		jsonw_init(&w);
		jsonw_object(&w, NULL);
		jsonw_int(&w, "id", u->id);
		jsonw_str(&w, "login", u->login);
		jsonw_str(&w, "display_name", u->display_name);
		jsonw_str(&w, "status", u->status);
		jsonw_bool(&w, "locked", u->locked_for_s > 0);
		jsonw_int(&w, "locked_for_s", u->locked_for_s);
		time_or_null(&w, "password_changed_at", u->password_changed_at);
		time_or_null(&w, "last_login_at", u->last_login_at);
		jsonw_int(&w, "active_sessions", u->active_sessions);
		grants_json(&w, "roles", u->g, u->ngrants);
		time_or_null(&w, "created_at", u->created_at);
		if (u->person_id)
			jsonw_int(&w, "person_id", u->person_id);
		else
			jsonw_null(&w, "person_id");
		jsonw_end(&w);
		rc = jsonw_send(r, status, &w);
	}
	free(u);
	return rc == ERR_NOTFOUND ? req_fail(r, rc, "no such account") : rc;
}

/* ---- administrators ---- */

struct row_sink {
	struct jsonw *w;
	char last_login[65]; /* of the last row written: the next page starts after it */
};

static void add_row(const struct user_row *u, void *arg)
{
	struct row_sink *s = arg;
	struct jsonw *w = s->w;
	jsonw_object(w, NULL);
	jsonw_int(w, "id", u->id);
	jsonw_str(w, "login", u->login);
	jsonw_str(w, "display_name", u->display_name);
	jsonw_str(w, "status", u->status);
	jsonw_bool(w, "locked", u->locked);
	jsonw_str(w, "roles", u->roles);
	/* the roles as data, with the org's name: the web shows words, not "staff@DC-C1" */
	grants_json(w, "grants", u->g, u->ngrants);
	jsonw_end(w);
	str_copy(s->last_login, sizeof(s->last_login), u->login);
}

int api_user_search(struct req *r, void *ctx)
{
	struct api *api = ctx;
	int64_t under = api_obj(r, 0)->id, limit = 50; /* given and in scope, or the caller's first scope */
	req_query_int(r, "limit", &limit);
	struct jsonw w;
	jsonw_init(&w);
	jsonw_object(&w, NULL);
	jsonw_int(&w, "under", under);
	jsonw_array(&w, "items");
	struct row_sink s = {.w = &w};
	int n = 0;
	int rc = user_search(api_app(r, api), under, req_query(r, "q"), req_query(r, "after"), (int)limit,
			     add_row, &s, &n);
	if (rc) {
		jsonw_release(&w);
		return rc;
	}
	jsonw_end(&w);
	jsonw_str(&w, "next_after", n == limit && n > 0 ? s.last_login : NULL);
	jsonw_end(&w);
	return jsonw_send(r, 200, &w);
}

int api_user_get(struct req *r, void *ctx)
{
	return answer_user(r, ctx, api_obj(r, 0)->id, 200);
}

static int create_on_worker(struct req *r, void *arg)
{
	struct api *api = arg;
	json_t *b = req_json(r);
	/* org_id: in scope with user.admin (the route's objects); a post cannot be the first
	 * role over HTTP (user_add: post_by_request) */
	struct user_input in = {.login = api_str(b, "login"),
				.display_name = api_str(b, "display_name"),
				.password = api_str(b, "password"),
				.role = api_str(b, "role"),
				.org_id = api_obj(r, 0)->id};
	struct audit_entry who = api_actor_obj(r, api, 0);
	int64_t id = 0;
	int rc = user_add(api_app(r, api), &who, &in, req_errs(r), &id);
	if (rc == ERR_CONFLICT)
		return req_fail(r, rc, "the login is taken");
	if (rc)
		return refused(r, rc, "the account was not created");
	char loc[64];
	snprintf(loc, sizeof(loc), "/api/v1/users/%" PRId64, id);
	resp_header(r, "Location", loc);
	return answer_user(r, api, id, 201);
}

int api_user_create(struct req *r, void *ctx)
{
	struct api *api = ctx;
	return req_defer(r, api->hashers, create_on_worker, api);
}

/* obj 0: the account (user.admin over all its roles); obj 1: the role's org (user.admin) */
static int role_change(struct req *r, struct api *api, const char *role, bool add)
{
	int64_t id = api_obj(r, 0)->id, org_id = api_obj(r, 1)->id;
	struct audit_entry who = api_actor_obj(r, api, 1);
	int rc = user_role_set(api_app(r, api), &who, id, role, org_id, add, req_errs(r));
	if (rc == ERR_NOTFOUND)
		return req_fail(r, rc, "the account does not hold this role there");
	if (rc)
		return refused(r, rc, "the role was not changed");
	return answer_user(r, api, id, add ? 201 : 200);
}

int api_user_role_add(struct req *r, void *ctx)
{
	return role_change(r, ctx, api_str(req_json(r), "role"), true);
}

int api_user_role_remove(struct req *r, void *ctx)
{
	return role_change(r, ctx, req_param_str(r, "role"), false);
}

/* disable / enable / unlock / end sessions: one account operation on the route's account */
static int account_op(struct req *r, struct api *api, int which)
{
	int64_t id = api_obj(r, 0)->id;
	const struct caller *c = req_user(r);
	if (which == 0 && id == c->user_id)
		return req_fail(r, ERR_CONFLICT, "you cannot disable your own account");
	struct audit_entry who = api_actor_obj(r, api, 0);
	int64_t ended = 0;
	int rc;
	switch (which) {
	case 0: rc = user_disable(api_app(r, api), &who, id); break;
	case 1: rc = user_enable(api_app(r, api), &who, id); break;
	case 2: rc = user_unlock(api_app(r, api), &who, id); break;
	default:
		rc = user_end_sessions(api_app(r, api), &who, id, &ended);
		if (!rc)
			return answer_int(r, 200, "sessions_ended", ended);
	}
	return rc ? rc : answer_user(r, api, id, 200);
}

int api_user_disable(struct req *r, void *ctx)
{
	return account_op(r, ctx, 0);
}

int api_user_enable(struct req *r, void *ctx)
{
	return account_op(r, ctx, 1);
}

int api_user_unlock(struct req *r, void *ctx)
{
	return account_op(r, ctx, 2);
}

int api_user_sessions_end(struct req *r, void *ctx)
{
	return account_op(r, ctx, 3);
}

static int password_on_worker(struct req *r, void *arg)
{
	struct api *api = arg;
	int64_t id = api_obj(r, 0)->id;
	struct audit_entry who = api_actor_obj(r, api, 0);
	int rc = user_set_password(api_app(r, api), &who, id, api_str(req_json(r), "password"), "password",
				   req_errs(r));
	return rc ? rc : resp_empty(r, 204);
}

int api_user_password(struct req *r, void *ctx)
{
	struct api *api = ctx;
	const struct caller *c = req_user(r);
	int rc = user_password_reset_check(api_app(r, api), c->user_id, api_obj(r, 0)->id, req_errs(r));
	return rc ? refused(r, rc, "the password was not set")
		  : req_defer(r, api->hashers, password_on_worker, api);
}

/* ---- the three posts: requested by one security administrator, decided by another ---- */

static void request_json(struct jsonw *w, const struct post_request *p)
{
	jsonw_object(w, NULL);
	jsonw_int(w, "id", p->id);
	jsonw_int(w, "user_id", p->user_id);
	jsonw_str(w, "login", p->login);
	jsonw_str(w, "display_name", p->display_name);
	jsonw_str(w, "role", p->role);
	jsonw_int(w, "org_id", p->org_id);
	jsonw_str(w, "org_code", p->org_code);
	jsonw_str(w, "requested_by", p->requested_by_login);
	jsonw_int(w, "requested_at", p->requested_at);
	jsonw_int(w, "expires_at", p->expires_at);
	jsonw_str(w, "status", p->status);
	jsonw_str(w, "reason", p->reason);
	jsonw_str(w, "decided_by", p->decided_by ? p->decided_by_login : NULL);
	time_or_null(w, "decided_at", p->decided_at);
	jsonw_str(w, "replaces", p->replaces[0] ? p->replaces : NULL);
	jsonw_end(w);
}

static int answer_request(struct req *r, struct api *api, int64_t id, unsigned status)
{
	struct post_request *p = malloc(sizeof(*p));
	if (!p)
		return ERR_NOMEM;
	int rc = post_request_get(api_app(r, api), id, p);
	if (!rc) {
		struct jsonw w;
		jsonw_init(&w);
		request_json(&w, p);
		rc = jsonw_send(r, status, &w);
	}
	free(p);
	return rc == ERR_NOTFOUND ? req_fail(r, rc, "no such request") : rc;
}

int api_post_request_create(struct req *r, void *ctx)
{
	struct api *api = ctx;
	json_t *b = req_json(r);
	/* obj 1: the account, which a security administrator sees; obj 2: the org, optional */
	struct audit_entry who = api_actor_obj(r, api, 0);
	int64_t id = 0;
	int rc = post_request_create(api_app(r, api), &who, api_obj(r, 1)->id, api_str(b, "role"),
				     api_obj(r, 2)->id, req_errs(r), &id);
	if (rc)
		return refused(r, rc, "the request was not made");
	char loc[64];
	snprintf(loc, sizeof(loc), "/api/v1/post-requests/%" PRId64, id);
	resp_header(r, "Location", loc);
	return answer_request(r, api, id, 201);
}

static int decide(struct req *r, struct api *api, bool approve)
{
	int64_t id = req_param_int(r, "id");
	struct audit_entry who = api_actor_obj(r, api, 0);
	int rc = post_request_decide(api_app(r, api), &who, id, approve, api_str(req_json(r), "reason"),
				     req_errs(r));
	if (rc == ERR_NOTFOUND)
		return req_fail(r, rc, "no such request");
	if (rc)
		return refused(r, rc, "the request was not decided");
	return answer_request(r, api, id, 200);
}

int api_post_request_approve(struct req *r, void *ctx)
{
	return decide(r, ctx, true);
}

int api_post_request_reject(struct req *r, void *ctx)
{
	return decide(r, ctx, false);
}

struct request_sink {
	struct jsonw *w;
	int n;
};

static int add_request(const struct post_request *p, void *arg)
{
	struct request_sink *s = arg;
	request_json(s->w, p);
	s->n++;
	return s->w->rc;
}

int api_post_request_list(struct req *r, void *ctx)
{
	struct api *api = ctx;
	int64_t before = 0, limit = 50, last = 0;
	req_query_int(r, "before", &before);
	req_query_int(r, "limit", &limit);
	struct jsonw w;
	jsonw_init(&w);
	jsonw_object(&w, NULL);
	jsonw_array(&w, "items");
	struct request_sink s = {.w = &w};
	int rc = post_request_list(api_app(r, api), req_query(r, "status"), before, (int)limit, add_request,
				   &s, &last);
	if (rc) {
		jsonw_release(&w);
		return rc;
	}
	jsonw_end(&w);
	if (s.n == limit && last)
		jsonw_int(&w, "next_before", last);
	else
		jsonw_null(&w, "next_before");
	jsonw_end(&w);
	return jsonw_send(r, 200, &w);
}

/* ---- me ---- */

/* The actor for one's own changes: no role is needed for them. */
static struct audit_entry me(struct req *r, struct api *api)
{
	return api_actor(r, api, "", 0);
}

struct session_sink {
	struct jsonw *w;
	int64_t current; /* the caller's own session */
};

static int add_session(const struct session_row *s, void *arg)
{
	struct session_sink *k = arg;
	struct jsonw *w = k->w;
	jsonw_object(w, NULL);
	jsonw_int(w, "id", s->id);
	jsonw_int(w, "created_at", s->created_at);
	jsonw_int(w, "last_seen_at", s->last_seen_at);
	jsonw_int(w, "expires_at", s->expires_at);
	jsonw_str(w, "client_addr", s->client_addr);
	jsonw_bool(w, "current", s->id == k->current);
	jsonw_end(w);
	return w->rc;
}

/* {"items": [...]} from a list function that writes the items into w. */
static void answer_items_begin(struct jsonw *w)
{
	jsonw_init(w);
	jsonw_object(w, NULL);
	jsonw_array(w, "items");
}

static int answer_items_end(struct req *r, int rc, struct jsonw *w)
{
	if (rc) {
		jsonw_release(w);
		return rc;
	}
	jsonw_end(w);
	jsonw_end(w);
	return jsonw_send(r, 200, w);
}

int api_me_sessions(struct req *r, void *ctx)
{
	struct api *api = ctx;
	const struct caller *c = req_user(r);
	struct jsonw w;
	answer_items_begin(&w);
	struct session_sink k = {.w = &w, .current = c->session_id};
	int rc = session_list(api_app(r, api), c->user_id, add_session, &k);
	return answer_items_end(r, rc, &w);
}

int api_me_session_end(struct req *r, void *ctx)
{
	struct api *api = ctx;
	const struct caller *c = req_user(r);
	struct audit_entry who = me(r, api);
	int rc = session_end(api_app(r, api), &who, c->user_id, req_param_int(r, "id"));
	if (rc == ERR_NOTFOUND)
		return req_fail(r, rc, "no such session of yours");
	return rc ? rc : resp_empty(r, 204);
}

static int add_token(const struct token_row *t, void *arg)
{
	struct jsonw *w = arg;
	jsonw_object(w, NULL);
	jsonw_int(w, "id", t->id);
	jsonw_str(w, "name", t->name);
	jsonw_int(w, "created_at", t->created_at);
	time_or_null(w, "expires_at", t->expires_at);
	time_or_null(w, "last_used_at", t->last_used_at);
	jsonw_end(w);
	return w->rc;
}

int api_me_tokens(struct req *r, void *ctx)
{
	struct api *api = ctx;
	struct jsonw w;
	answer_items_begin(&w);
	int rc = token_list(api_app(r, api), ((const struct caller *)req_user(r))->user_id, add_token, &w);
	return answer_items_end(r, rc, &w);
}

int api_me_token_create(struct req *r, void *ctx)
{
	struct api *api = ctx;
	const struct caller *c = req_user(r);
	json_t *b = req_json(r);
	int days = (int)json_integer_value(json_object_get(b, "expires_days"));
	struct audit_entry who = me(r, api);
	char token[TOKEN_LEN + 8];
	int rc = token_create(api_app(r, api), &who, c->login, &days, api_str(b, "name"), token,
			      sizeof(token), req_errs(r));
	if (rc == ERR_UNPROCESSABLE)
		return req_fail(r, rc, "a token lives at most token_max_days");
	if (rc)
		return rc;
	/* shown once: only its hash is stored */
	struct jsonw w;
	jsonw_init(&w);
	jsonw_object(&w, NULL);
	jsonw_str(&w, "token", token);
	jsonw_str(&w, "name", api_str(b, "name"));
	jsonw_int(&w, "expires_days", days);
	jsonw_end(&w);
	rc = jsonw_send(r, 201, &w);
	explicit_bzero(token, sizeof(token));
	return rc;
}

int api_me_token_revoke(struct req *r, void *ctx)
{
	struct api *api = ctx;
	struct audit_entry who = me(r, api);
	int rc = token_revoke(api_app(r, api), &who, ((const struct caller *)req_user(r))->user_id,
			      req_param_int(r, "id"));
	if (rc == ERR_NOTFOUND)
		return req_fail(r, rc, "no such token of yours");
	return rc ? rc : resp_empty(r, 204);
}

static int own_password_on_worker(struct req *r, void *arg)
{
	struct api *api = arg;
	json_t *b = req_json(r);
	const struct caller *c = req_user(r);
	struct audit_entry who = me(r, api);
	struct own_password_result res;
	int rc = user_change_own_password(api_app(r, api), &who, c, api_str(b, "current_password"),
					  api_str(b, "new_password"), req_errs(r), &res);
	/* wrong current passwords count like failed sign-ins, for the address as well */
	if ((rc == ERR_FORBIDDEN || (rc == ERR_RATELIMIT && res.ended)) && api->login_failures)
		ratelimit_hit(api->login_failures, req_client_addr(r), time_unix());
	if (rc == ERR_FORBIDDEN)
		return req_fail(r, rc, "the current password is not right");
	if (rc == ERR_RATELIMIT) {
		char retry[24];
		snprintf(retry, sizeof(retry), "%" PRId64, res.locked_for_s);
		resp_header(r, "Retry-After", retry);
		if (res.ended && !strcmp(c->via, "session"))
			api_set_session_cookie(r, api, NULL);
		return req_fail(r, rc,
				"too many wrong passwords: the account is locked for %" PRId64
				" more minutes%s",
				(res.locked_for_s + 59) / 60,
				res.ended ? (strcmp(c->via, "session") ? "; this token is revoked"
								       : "; this session has ended")
					  : "");
	}
	if (rc)
		return rc;
	/* every session ended with the change, this one too: the cookie goes as well */
	api_set_session_cookie(r, api, NULL);
	return resp_empty(r, 204);
}

int api_me_password(struct req *r, void *ctx)
{
	struct api *api = ctx;
	return req_defer(r, api->hashers, own_password_on_worker, api);
}
