/*
 * org.c (api) - the organization tree over HTTP. The route rows declare each handler's
 * objects (the org in the path, a parent or guide in the body, the subtree in the query);
 * the dispatcher's hooks resolve them and apply the scope rule before a handler runs, so
 * handlers take the resolved org (api_obj), do the work and record writes under the role
 * the hook found. Lists pass the caller's view (rbac_seen): an org the caller cannot see
 * today is never listed, whatever as_of says.
 */
#include "api/api.h"
#include "base/jsonw.h"
#include "core/org.h"
#include "core/rbac.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One organization as JSON members (the writer is inside an object). */
static void org_members(struct jsonw *w, const struct org *o)
{
	jsonw_int(w, "id", o->id);
	jsonw_str(w, "code", o->code);
	jsonw_str(w, "name", o->name);
	jsonw_str(w, "short_name", o->short_name);
	jsonw_str(w, "level", o->level);
	jsonw_str(w, "type", o->type);
	jsonw_str(w, "region_code", o->region_code[0] ? o->region_code : NULL);
	jsonw_str(w, "credit_code", o->credit_code[0] ? o->credit_code : NULL);
	jsonw_str(w, "contact", o->contact);
	jsonw_str(w, "opened_on", o->opened_on);
	jsonw_str(w, "closed_on", o->closed_on[0] ? o->closed_on : NULL);
	jsonw_int(w, "version", o->version);
	if (o->parent_id)
		jsonw_int(w, "parent_id", o->parent_id);
	else
		jsonw_null(w, "parent_id");
	jsonw_str(w, "parent_name", o->parent_id ? o->parent_name : NULL);
}

/* {items, next_after}: next_after is the last code when the page is full (keyset). */
static int answer_page(struct req *r, const struct org *items, int n, int64_t limit)
{
	struct jsonw w;
	jsonw_init(&w);
	jsonw_object(&w, NULL);
	jsonw_array(&w, "items");
	for (int i = 0; i < n; i++) {
		jsonw_object(&w, NULL);
		org_members(&w, &items[i]);
		jsonw_end(&w);
	}
	jsonw_end(&w);
	jsonw_str(&w, "next_after", n == limit && n > 0 ? items[n - 1].code : NULL);
	jsonw_end(&w);
	return jsonw_send(r, 200, &w);
}

static int send_org(struct req *r, const struct org *o, unsigned status)
{
	api_etag(r, o->version);
	struct jsonw w;
	jsonw_init(&w);
	jsonw_object(&w, NULL);
	org_members(&w, o);
	jsonw_end(&w);
	return jsonw_send(r, status, &w);
}

static int answer_org(struct req *r, struct api *api, int64_t id, const char *as_of, unsigned status)
{
	struct org o;
	int rc = org_get(api_app(r, api), id, as_of, &o);
	if (rc == ERR_NOTFOUND)
		return req_fail(r, rc, "no such organization on that date");
	if (rc)
		return rc;
	return send_org(r, &o, status);
}

/* The caller's view for lists of orgs (the one as-of rule, org.h ORG_SEEN_SQL). */
static void seen_of(struct req *r, struct rbac_seen *seen)
{
	rbac_seen(req_user(r), "org.read", seen);
}

int api_org_get(struct req *r, void *ctx)
{
	struct api *api = ctx;
	const struct api_obj *o = api_obj(r, 0); /* today, in scope (hooks.c) */
	const char *as_of = req_query(r, "as_of");
	char today[11];
	org_today(today);
	if (!as_of || !strcmp(as_of, today))
		return send_org(r, &o->org, 200);
	struct org then;
	int rc = org_get(api_app(r, api), o->id, as_of, &then);
	if (rc == ERR_NOTFOUND)
		return req_fail(r, rc, "no such organization on that date");
	return rc ? rc : send_org(r, &then, 200);
}

static bool include_closed(struct req *r)
{
	const char *inc = req_query(r, "include_closed");
	return inc && !strcmp(inc, "true");
}

int api_org_children(struct req *r, void *ctx)
{
	struct api *api = ctx;
	int64_t limit = 100;
	req_query_int(r, "limit", &limit);
	struct rbac_seen seen;
	seen_of(r, &seen);
	struct org *kids = calloc((size_t)limit, sizeof(*kids));
	if (!kids)
		return ERR_NOMEM;
	int n = 0;
	int rc = org_children_seen(api_app(r, api), api_obj(r, 0)->id, req_query(r, "as_of"),
				   include_closed(r), req_query(r, "after"), &seen, kids, (int)limit, &n);
	if (!rc)
		rc = answer_page(r, kids, n, limit);
	free(kids);
	return rc;
}

int api_org_counts(struct req *r, void *ctx)
{
	struct api *api = ctx;
	struct rbac_seen seen;
	seen_of(r, &seen);
	struct org_counts *c = malloc(sizeof(*c));
	if (!c)
		return ERR_NOMEM;
	int rc = org_subtree_counts_seen(api_app(r, api), api_obj(r, 0)->id, req_query(r, "as_of"), &seen, c);
	if (rc) {
		free(c);
		return rc;
	}
	struct jsonw w;
	jsonw_init(&w);
	jsonw_object(&w, NULL);
	jsonw_int(&w, "total", c->total);
	jsonw_object(&w, "by_level");
	for (int i = 0; i < CODELIST_ORG_LEVELS; i++)
		jsonw_int(&w, codelist_org_level.items[i].code, c->by_level[i]);
	jsonw_end(&w);
	jsonw_object(&w, "by_type");
	for (int i = 0; i < c->ntypes; i++)
		jsonw_int(&w, c->by_type[i].type, c->by_type[i].n);
	jsonw_end(&w);
	jsonw_end(&w);
	free(c);
	return jsonw_send(r, 200, &w);
}

int api_org_create(struct req *r, void *ctx)
{
	struct api *api = ctx;
	json_t *b = req_json(r);
	/* the parent: in the caller's scope with org.write, or absent for a root, which needs a
	 * post (the route's objects) */
	struct org_input in = {
		.code = api_str(b, "code"),
		.name = api_str(b, "name"),
		.short_name = api_str(b, "short_name"),
		.level = api_str(b, "level"),
		.type = api_str(b, "type"),
		.region_code = api_str(b, "region_code"),
		.credit_code = api_str(b, "credit_code"),
		.contact = api_str(b, "contact"),
		.opened_on = api_str(b, "opened_on"),
		.parent_id = api_obj(r, 0)->id,
	};
	struct audit_entry who = api_actor_obj(r, api, 0);
	int64_t id = 0;
	int rc = org_create(api_app(r, api), &who, &in, req_errs(r), &id);
	if (rc == ERR_UNPROCESSABLE || rc == ERR_CONFLICT)
		return req_fail(r, rc, "the organization was not created");
	if (rc)
		return rc;
	char loc[64];
	snprintf(loc, sizeof(loc), "/api/v1/orgs/%" PRId64, id);
	resp_header(r, "Location", loc);
	return answer_org(r, api, id, NULL, 201);
}

/* If-Match: "<version>" (quotes optional) into *version (0 when absent). Returns 0, or for
 * a malformed header req_fail(ERR_INVALID): the 400. */
static int if_match(struct req *r, int64_t *version)
{
	const char *h = req_header(r, "If-Match");
	*version = 0;
	if (!h)
		return 0;
	char *end;
	if (*h == '"')
		h++;
	long long v = strtoll(h, &end, 10);
	if (end == h || (*end && *end != '"') || v < 1)
		return req_fail(r, ERR_INVALID, "If-Match must be the version in quotes, e.g. \"3\"");
	*version = v;
	return 0;
}

/* A write's refusals as answers: the state forbids it (the field errors say why) or the
 * version sent is stale. */
static int refused(struct req *r, int rc, const char *what)
{
	if (rc == ERR_CONFLICT || rc == ERR_UNPROCESSABLE)
		return req_fail(r, rc, "%s", what);
	if (rc == ERR_PRECONDITION)
		return req_fail(r, rc, "the organization was changed by someone else; reload it");
	return rc;
}

int api_org_move(struct req *r, void *ctx)
{
	struct api *api = ctx;
	json_t *b = req_json(r);
	int64_t id = api_obj(r, 0)->id, to = api_obj(r, 1)->id; /* both in scope with org.write */
	int64_t version;
	int rc = if_match(r, &version);
	if (rc)
		return rc;
	struct audit_entry who = api_actor_obj(r, api, 0);
	rc = org_move(api_app(r, api), &who, id, to, api_str(b, "on"), version, req_errs(r));
	rc = refused(r, rc, "the move was refused");
	return rc ? rc : answer_org(r, api, id, api_str(b, "on"), 200);
}

int api_org_close(struct req *r, void *ctx)
{
	struct api *api = ctx;
	json_t *b = req_json(r);
	int64_t id = api_obj(r, 0)->id;
	int64_t version;
	int rc = if_match(r, &version);
	if (rc)
		return rc;
	struct audit_entry who = api_actor_obj(r, api, 0);
	int closed = 0;
	rc = org_close(api_app(r, api), &who, id, api_str(b, "on"),
		       json_is_true(json_object_get(b, "branch")), version, req_errs(r), &closed);
	rc = refused(r, rc, "the organization was not closed");
	if (rc)
		return rc;
	struct jsonw w;
	jsonw_init(&w);
	jsonw_object(&w, NULL);
	jsonw_int(&w, "closed", closed);
	jsonw_end(&w);
	return jsonw_send(r, 200, &w);
}

int api_org_update(struct req *r, void *ctx)
{
	struct api *api = ctx;
	json_t *b = req_json(r);
	int64_t id = api_obj(r, 0)->id;
	int64_t version;
	int rc = if_match(r, &version);
	if (rc)
		return rc;
	if (version == 0)
		return req_fail(r, ERR_PRECOND_REQUIRED, "send If-Match with the version (ETag) you edited");
	/* null clears an optional code; absent keeps it */
	json_t *rc_j = json_object_get(b, "region_code"), *cc_j = json_object_get(b, "credit_code");
	struct org_input in = {
		.name = api_str(b, "name"),
		.short_name = api_str(b, "short_name"),
		.type = api_str(b, "type"),
		.contact = api_str(b, "contact"),
		.region_code = json_is_null(rc_j) ? "" : api_str(b, "region_code"),
		.credit_code = json_is_null(cc_j) ? "" : api_str(b, "credit_code"),
	};
	struct audit_entry who = api_actor_obj(r, api, 0);
	rc = org_update(api_app(r, api), &who, id, &in, version, req_errs(r));
	rc = refused(r, rc, "the organization was not changed");
	return rc ? rc : answer_org(r, api, id, NULL, 200);
}

/* One period of an org's history (parent) or of its guided-by links: from, to, the other
 * org; a guided-by link names the guiding org as guide_* as well (and, as before, as
 * id/code/name). */
static void period_write(struct jsonw *w, const struct org_period *p, bool link)
{
	jsonw_object(w, NULL);
	jsonw_str(w, "from", p->from);
	jsonw_str(w, "to", p->to[0] ? p->to : NULL);
	jsonw_str(w, "code", p->parent_code[0] ? p->parent_code : NULL);
	jsonw_str(w, "name", p->parent_name[0] ? p->parent_name : NULL);
	if (p->parent_id)
		jsonw_int(w, "id", p->parent_id);
	else
		jsonw_null(w, "id");
	if (p->hidden) /* an org the caller cannot see today: the period, never who it was */
		jsonw_bool(w, "hidden", true);
	if (link) {
		jsonw_int(w, "guide_id", p->parent_id);
		jsonw_str(w, "guide_code", p->parent_code);
		jsonw_str(w, "guide_name", p->parent_name);
	}
	jsonw_end(w);
}

static int period_json(const struct org_period *p, void *arg)
{
	struct jsonw *w = arg;
	period_write(w, p, false);
	return w->rc; /* the writer's sticky error stops the lister */
}

static int link_json(const struct org_period *p, void *arg)
{
	struct jsonw *w = arg;
	period_write(w, p, true);
	return w->rc;
}

/* Answers {key: [periods]} from a domain lister (history or links). */
static int answer_periods(struct req *r, struct api *api, int64_t id, unsigned status,
			  int (*list)(struct app *, int64_t, const struct rbac_seen *,
				      int (*)(const struct org_period *, void *), void *),
			  const char *key)
{
	struct rbac_seen seen;
	seen_of(r, &seen);
	struct jsonw w;
	jsonw_init(&w);
	jsonw_object(&w, NULL);
	jsonw_array(&w, key);
	int rc = list(api_app(r, api), id, &seen, list == org_links ? link_json : period_json, &w);
	if (rc) {
		jsonw_release(&w);
		return rc;
	}
	jsonw_end(&w);
	jsonw_end(&w);
	return jsonw_send(r, status, &w);
}

/* each period: the parent (id, code, name) from `from` until `to` (null: current) */
int api_org_history(struct req *r, void *ctx)
{
	return answer_periods(r, ctx, api_obj(r, 0)->id, 200, org_history, "parents");
}

int api_org_links(struct req *r, void *ctx)
{
	return answer_periods(r, ctx, api_obj(r, 0)->id, 200, org_links, "guided_by");
}

int api_org_link_add(struct req *r, void *ctx)
{
	struct api *api = ctx;
	json_t *b = req_json(r);
	/* obj 0: the org, with org.write; obj 1: the guide, which the caller must see (else the
	 * same 404 naming guide_id whether it exists or not) */
	int64_t id = api_obj(r, 0)->id, guide = api_obj(r, 1)->id;
	struct audit_entry who = api_actor_obj(r, api, 0);
	int rc = org_link_add(api_app(r, api), &who, id, guide, api_str(b, "on"), req_errs(r));
	if (rc == ERR_CONFLICT || rc == ERR_UNPROCESSABLE)
		return req_fail(r, rc, "the link was not added");
	return rc ? rc : answer_periods(r, api, id, 201, org_links, "guided_by");
}

int api_org_search(struct req *r, void *ctx)
{
	struct api *api = ctx;
	int64_t limit = 100;
	req_query_int(r, "limit", &limit);
	struct rbac_seen seen;
	seen_of(r, &seen);
	struct org_filter f = {.q = req_query(r, "q"),
			       .level = req_query(r, "level"),
			       .type = req_query(r, "type"),
			       .as_of = req_query(r, "as_of"),
			       .after_code = req_query(r, "after"),
			       .include_closed = include_closed(r),
			       .seen = &seen};
	struct org *found = calloc((size_t)limit, sizeof(*found));
	if (!found)
		return ERR_NOMEM;
	int n = 0;
	/* under: given and in scope, or the caller's first scope (the route's objects) */
	int rc = org_search(api_app(r, api), api_obj(r, 0)->id, &f, found, (int)limit, &n);
	if (!rc)
		rc = answer_page(r, found, n, limit);
	free(found);
	return rc;
}

/* ---- for the other org handler files (api/orglife.c) ---- */

int api_org_answer(struct req *r, const struct org *o, unsigned status)
{
	return send_org(r, o, status);
}

int api_if_match(struct req *r, int64_t *version)
{
	return if_match(r, version);
}

int api_etag(struct req *r, int64_t version)
{
	char etag[32];
	snprintf(etag, sizeof(etag), "\"%" PRId64 "\"", version);
	return resp_header(r, "ETag", etag);
}

void api_items_begin(struct jsonw *w)
{
	jsonw_init(w);
	jsonw_object(w, NULL);
	jsonw_array(w, "items");
}

int api_items_end(struct req *r, struct jsonw *w, int rc, const char *next_key, const char *next)
{
	if (rc) {
		jsonw_release(w);
		return rc;
	}
	jsonw_end(w);
	if (next_key)
		jsonw_str(w, next_key, next);
	jsonw_end(w);
	return jsonw_send(r, 200, w);
}
