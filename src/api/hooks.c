/*
 * hooks.c - the api layer's checks, run by the dispatcher before any handler: who is
 * calling and may their roles use this route at all (before the body is parsed), then what
 * the route acts on (after the body is checked): every object the row declares is resolved
 * and put through the one scope rule (rbac.h), and handed to the handler (api_obj). As in
 * Redis's processCommand, which checks ACLs from each command's key specs, no handler
 * checks scope itself: a route row that names its objects cannot forget to.
 *
 * Callers: `Authorization: Bearer kx_...` API tokens (no CSRF check: a browser never
 * sends them by itself), or the kexie_session cookie, for which every unsafe method must
 * carry the X-CSRF-Token issued at sign-in (403 otherwise).
 */
#include "api/api.h"
#include "core/file.h"
#include "core/form.h"
#include "core/rbac.h"
#include "core/user.h"
#include "domain/member.h"
#include "domain/memberunit.h"
#include "domain/notice.h"
#include "domain/registration.h"
#include "store/store.h"

#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* The api layer's per-request state: the app (a read view for read-only routes) and the
 * resolved objects. */
struct api_req {
	struct app *app;
	struct app view; /* RF_READ: a copy whose store is a view (one snapshot) */
	bool has_view;
	struct api_obj obj[ROUTE_OBJS];
};

static int unauthorized(struct req *r, const char *msg)
{
	resp_header(r, "WWW-Authenticate", "Bearer");
	return req_fail(r, ERR_UNAUTHORIZED, "%s", msg);
}

static void api_req_free(void *p)
{
	struct api_req *q = p;
	if (q->has_view)
		store_view_close(q->view.store);
	free(q);
}

struct app *api_app(struct req *r, struct api *api)
{
	struct api_req *q = req_ctx(r);
	return q ? q->app : api->app;
}

const char *api_obj_kind_name(int kind)
{
	switch (kind) {
	case OBJ_PUBLIC: return "public";
	case OBJ_SELF: return "self";
	case OBJ_SYSTEM: return "system";
	case OBJ_ORG: return "org";
	case OBJ_ACCOUNT: return "account";
	case OBJ_PERSON: return "person";
	case OBJ_MEMBERSHIP: return "membership";
	case OBJ_APPLICATION: return "application";
	case OBJ_ERASURE: return "erasure";
	case OBJ_UNIT: return "unit";
	case OBJ_FILE: return "file";
	case OBJ_FORM: return "form";
	case OBJ_SUBMISSION: return "submission";
	case OBJ_NOTICE: return "notice";
	default: return "";
	}
}

const struct api_obj *api_obj(struct req *r, int i)
{
	static const struct api_obj none = {.role = ""};
	const struct api_req *q = req_ctx(r);
	return q && i >= 0 && i < ROUTE_OBJS ? &q->obj[i] : &none;
}

/* Does the route need a caller? Its flag, its permission or any object but a public one. */
static bool needs_caller(const struct route *rt)
{
	if ((rt->flags & RF_AUTH) || rt->perm)
		return true;
	for (int i = 0; i < ROUTE_OBJS && rt->obj[i].kind; i++)
		if (rt->obj[i].kind != OBJ_PUBLIC)
			return true;
	return false;
}

/* The per-request state, with a read view for read-only routes: every read of the request
 * (who is calling, the scope checks, the answer) shares one connection and snapshot. */
static int api_req_open(struct req *r, struct api *api)
{
	struct api_req *q = malloc(sizeof(*q));
	if (!q)
		return ERR_NOMEM;
	q->app = api ? api->app : NULL;
	q->has_view = false;
	for (int i = 0; i < ROUTE_OBJS; i++) {
		q->obj[i].id = 0;
		q->obj[i].role = "";
		q->obj[i].org.id = 0;
	}
	if ((req_route(r)->flags & RF_READ) && api && api->app) {
		q->view = *api->app;
		if (store_view_open(api->app->store, &q->view.store)) {
			free(q);
			return ERR_NOMEM;
		}
		q->has_view = true;
		q->app = &q->view;
	}
	req_set_ctx(r, q, api_req_free);
	return 0;
}

static int resolve_caller(struct req *r, struct api *api, bool needs)
{
	const char *authz = req_header(r, "Authorization");
	if (authz) {
		if (strncasecmp(authz, "Bearer ", 7))
			return unauthorized(r, "unsupported Authorization scheme (use Bearer)");
		struct caller *c = malloc(sizeof(*c));
		if (!c)
			return ERR_NOMEM;
		int rc = token_resolve(api_app(r, api), authz + 7, c);
		if (rc) {
			free(c);
			return rc == ERR_UNAUTHORIZED
				       ? unauthorized(r, "the token is invalid, revoked or expired")
				       : rc;
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
			return rc == ERR_UNAUTHORIZED
				       ? unauthorized(r, "the session has ended: sign in again")
				       : rc;
		}
		req_set_user(r, c, free);
	}
	return 0;
}

/* Before the body: who is calling, and does any of their roles grant the route's
 * permission anywhere (403 otherwise, before anything they sent is looked at). */
static int api_before(struct req *r, void *ctx)
{
	struct api *api = ctx;
	const struct route *rt = req_route(r);
	bool needs = needs_caller(rt);
	if (needs || (rt->flags & RF_READ)) {
		int rc = api_req_open(r, api);
		if (rc)
			return rc;
	}
	/* scalepg: a read route's org (its first object, by path) is asked for along with the
	 * caller's statement: on PostgreSQL one round trip instead of two (store.h,
	 * stmt_prefetch); api_objects' org_get_for then finds it fetched */
	if ((rt->flags & RF_READ) && rt->obj[0].kind == OBJ_ORG && rt->obj[0].in == RO_PATH)
		(void)org_prefetch(api_app(r, api), req_param_int(r, rt->obj[0].name));
	int rc = resolve_caller(r, api, needs);
	if (rc)
		return rc;
	const struct caller *c = req_user(r);
	if (needs && !c)
		return unauthorized(r, "sign in first");
	if (rt->perm && !rbac_permits(c, rt->perm))
		return req_fail(r, ERR_FORBIDDEN, "your roles do not allow this");
	return 0;
}

/* The id a declared object names; false when the request does not give one. */
static bool object_id(struct req *r, const struct route_obj *o, int64_t *id)
{
	*id = 0;
	switch (o->in) {
	case RO_PATH: *id = req_param_int(r, o->name); return true;
	case RO_QUERY: return req_query_int(r, o->name, id);
	case RO_BODY: {
		json_t *v = json_object_get(req_json(r), o->name);
		if (!json_is_integer(v))
			return false; /* absent, or null where the spec allows it */
		*id = json_integer_value(v);
		return true;
	}
	default: return false;
	}
}

/* A refusal of object o: the field is named when the id came in the query or the body. */
static int refuse(struct req *r, const struct route_obj *o, int rc, const char *what)
{
	bool field = o->in == RO_QUERY || o->in == RO_BODY;
	if (rc == ERR_NOTFOUND) {
		if (field)
			errlist_add(req_errs(r), o->name, "not_found", what);
		return req_fail(r, rc, "%s", what);
	}
	if (rc == ERR_FORBIDDEN) {
		if (field)
			errlist_add(req_errs(r), o->name, "forbidden", "your roles do not allow this there");
		return req_fail(r, rc, "your roles do not allow this here");
	}
	return rc;
}

/* The post of the caller granting perm, for the audit trail ("" when none). */
static const char *system_role(const struct caller *c, const char *perm)
{
	for (int i = 0; i < c->ngrants; i++)
		if (rbac_is_post(c->g[i].role) && rbac_role_has(c->g[i].role, perm))
			return c->g[i].role;
	return "";
}

/* An org or account object that the request gives no id for: what the row says that means. */
static int resolve_absent(struct req *r, const struct caller *c, const struct route_obj *o, const char *perm,
			  struct api_obj *out, bool *done)
{
	*done = true;
	if (o->flags & OBJF_OPTIONAL)
		return 0;
	if (o->flags & OBJF_ROOT_SYSTEM) {
		/* a new root sits in nobody's subtree: only a post can reach it afterwards */
		if (rbac_permits_system(c, perm)) {
			out->role = system_role(c, perm);
			return 0;
		}
		errlist_add(req_errs(r), o->name, "root_needs_post",
			    "only a system-wide administrator creates a root: give the parent");
		return req_fail(r, ERR_FORBIDDEN, "your roles do not allow creating a root organization");
	}
	if (o->flags & OBJF_DEFAULT_SCOPE) {
		for (int i = 0; i < c->ngrants && !out->id; i++)
			if (rbac_role_has(c->g[i].role, perm))
				out->id = c->g[i].org_id;
		*done = false; /* checked like a given id: the grant's org may have closed or gone */
		return out->id ? 0 : req_fail(r, ERR_FORBIDDEN, "your roles do not allow this");
	}
	errlist_add(req_errs(r), o->name, "required", "required");
	return ERR_UNPROCESSABLE;
}

/* A form template: the scope rule on its owner; from below (OBJF_FROM_BELOW) also a grant
 * of perm at an org under the owner; a built-in template (no owner) is read by anyone
 * holding perm and changed by nobody. */
static int resolve_form(struct req *r, struct api *api, const struct caller *c, const struct route_obj *o,
			const char *perm, struct api_obj *out)
{
	struct app *a = api_app(r, api);
	int64_t owner = 0;
	int rc = form_template_org(a, out->id, &owner);
	if (rc)
		return refuse(r, o, rc, "no such form");
	bool below = o->flags & OBJF_FROM_BELOW;
	if (!owner) {
		if (!below) {
			errlist_add(req_errs(r), "", "builtin", "a built-in form cannot be changed: copy it");
			return req_fail(r, ERR_FORBIDDEN, "a built-in form cannot be changed");
		}
		for (int i = 0; i < c->ngrants; i++)
			if (rbac_role_has(c->g[i].role, perm)) {
				out->role = c->g[i].role;
				return 0;
			}
		return refuse(r, o, ERR_FORBIDDEN, "no such form");
	}
	rc = org_get_for(a, c, perm, owner, NULL, &out->org, &out->role);
	if (rc != ERR_NOTFOUND || !below)
		return rc ? refuse(r, o, rc, "no such form") : 0;
	for (int i = 0; i < c->ngrants; i++) {
		bool yes = false;
		if (!rbac_role_has(c->g[i].role, perm) || org_within(a, owner, c->g[i].org_id, NULL, &yes))
			continue;
		if (yes) {
			out->role = c->g[i].role;
			return 0;
		}
	}
	return refuse(r, o, ERR_NOTFOUND, "no such form");
}

static int resolve_one(struct req *r, struct api *api, const struct caller *c, const struct route_obj *o,
		       const char *perm, struct api_obj *out)
{
	switch (o->kind) {
	case OBJ_PUBLIC:
	case OBJ_SELF: return 0;
	case OBJ_SYSTEM:
		if (perm && !rbac_permits_system(c, perm))
			return req_fail(r, ERR_FORBIDDEN, "this needs a system-wide administrator post");
		out->role = perm ? system_role(c, perm) : "";
		return 0;
	case OBJ_ORG:
	case OBJ_ACCOUNT:
	case OBJ_PERSON:
	case OBJ_MEMBERSHIP:
	case OBJ_APPLICATION:
	case OBJ_ERASURE:
	case OBJ_UNIT:
	case OBJ_FILE: break;
	case OBJ_FORM:
	case OBJ_SUBMISSION: break;
	case OBJ_NOTICE: break;
	default: return ERR_INTERNAL; /* a row the unit test should have refused */
	}
	if (!object_id(r, o, &out->id)) {
		bool done = true;
		int rc = resolve_absent(r, c, o, perm, out, &done);
		if (rc || done)
			return rc;
	}
	if (o->kind == OBJ_ORG) {
		int rc = org_get_for(api_app(r, api), c, perm, out->id, NULL, &out->org, &out->role);
		return rc ? refuse(r, o, rc, "no such organization") : 0;
	}
	if (o->kind == OBJ_PERSON) {
		int rc = member_check(api_app(r, api), c, perm, out->id, &out->role);
		return rc ? refuse(r, o, rc, "no such person") : 0;
	}
	if (o->kind == OBJ_MEMBERSHIP) {
		struct membership m;
		int rc = membership_get(api_app(r, api), out->id, &m);
		if (!rc)
			rc = org_get_for(api_app(r, api), c, perm, m.org_id, NULL, &out->org, &out->role);
		return rc ? refuse(r, o, rc, "no such membership") : 0;
	}
	if (o->kind == OBJ_FILE) {
		struct file_info f;
		int rc = file_may_see(api_app(r, api), c, out->id);
		if (!rc)
			rc = file_get(api_app(r, api), out->id, &f);
		if (!rc)
			out->role = rbac_role_for(api_app(r, api), c, perm, f.org_id);
		return rc ? refuse(r, o, rc, "no such file") : 0;
	}
	if (o->kind == OBJ_UNIT) {
		struct member_unit u;
		int rc = member_unit_get(api_app(r, api), out->id, &u);
		if (!rc)
			rc = org_get_for(api_app(r, api), c, perm, u.org_id, NULL, &out->org, &out->role);
		return rc ? refuse(r, o, rc, "no such member unit") : 0;
	}
	if (o->kind == OBJ_FORM)
		return resolve_form(r, api, c, o, perm, out);
	if (o->kind == OBJ_SUBMISSION) {
		int64_t org = 0, recv = 0;
		int rc = form_submission_orgs(api_app(r, api), out->id, &org, &recv);
		if (!rc)
			rc = org_get_for(api_app(r, api), c, perm, (o->flags & OBJF_RECEIVER) ? recv : org,
					 NULL, &out->org, &out->role);
		return rc ? refuse(r, o, rc, "no such submission") : 0;
	}
	if (o->kind == OBJ_NOTICE) {
		int64_t org_id = 0;
		int rc = notice_org_of(api_app(r, api), out->id, &org_id);
		if (!rc)
			rc = org_get_for(api_app(r, api), c, perm, org_id, NULL, &out->org, &out->role);
		return rc ? refuse(r, o, rc, "no such notice") : 0;
	}
	if (o->kind == OBJ_APPLICATION || o->kind == OBJ_ERASURE) {
		int64_t org_id = 0;
		int rc = o->kind == OBJ_APPLICATION ? registration_org_of(api_app(r, api), out->id, &org_id)
						    : erasure_org_of(api_app(r, api), out->id, &org_id);
		if (!rc)
			rc = org_get_for(api_app(r, api), c, perm, org_id, NULL, &out->org, &out->role);
		return rc ? refuse(r, o, rc,
				   o->kind == OBJ_APPLICATION ? "no such application" : "no such request")
			  : 0;
	}
	int rc = user_check(api_app(r, api), c, perm, out->id, &out->role);
	return rc ? refuse(r, o, rc, "no such account") : 0;
}

/* After the body: the route's declared objects, each through the one scope rule. */
static int api_objects(struct req *r, void *ctx)
{
	struct api *api = ctx;
	const struct route *rt = req_route(r);
	struct api_req *q = req_ctx(r);
	const struct caller *c = req_user(r);
	for (int i = 0; i < ROUTE_OBJS && rt->obj[i].kind; i++) {
		const struct route_obj *o = &rt->obj[i];
		if (o->kind == OBJ_PUBLIC || o->kind == OBJ_SELF)
			continue;
		if (!q || !c)
			return ERR_INTERNAL; /* api_before opened both for every such route */
		int rc = resolve_one(r, api, c, o, o->perm ? o->perm : rt->perm, &q->obj[i]);
		if (rc)
			return rc;
	}
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
	struct audit_entry e = {.user_id = c->user_id,
				.via = c->cred[0] ? c->cred : c->via,
				.request_id = req_id(r),
				.client_addr = req_client_addr(r)};
	e.role = perm && *perm ? rbac_role_for(api_app(r, api), c, perm, org_id) : "";
	return e;
}

struct audit_entry api_actor_obj(struct req *r, struct api *api, int i)
{
	struct audit_entry e = api_actor(r, api, NULL, 0);
	e.role = api_obj(r, i)->role;
	return e;
}

const struct http_hooks api_hooks = {
	.before = api_before,
	.objects = api_objects,
};
