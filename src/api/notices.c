/*
 * notices.c (api) - notices down the tree (domain/notice.h): the issuer's side (compose,
 * preview the targets, approve, send, recall, the receipt figures and table), the org's
 * notice settings, and the recipient's inbox (read, acknowledge, forward). Scope is the
 * hooks': a notice (OBJ_NOTICE) by its issuing org, an inbox by the recipient org in the
 * path; the domain answers 404 for a notice the org did not receive.
 */
#include "api/api.h"
#include "base/jsonw.h"
#include "domain/notice.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int refused(struct req *r, int rc, const char *what)
{
	if (rc == ERR_PRECONDITION)
		return req_fail(r, rc, "the notice changed since you read it: read it again");
	if (rc == ERR_UNPROCESSABLE || rc == ERR_CONFLICT || (rc == ERR_INVALID && req_errs(r)->n))
		return req_fail(r, rc, "%s", what);
	return rc;
}

/* ---- targets: {"orgs": [id ...], "rules": [{"kind", "org_id", "level", "type"}]} ---- */

static int bad(struct req *r, const char *field, const char *code, const char *msg)
{
	errlist_add(req_errs(r), field, code, msg);
	return req_fail(r, ERR_INVALID, "the targets are malformed");
}

static int parse_rule(struct req *r, json_t *v, size_t i, struct notice_target *x)
{
	char field[64];
	snprintf(field, sizeof(field), "targets.rules[%zu]", i);
	if (!json_is_object(v))
		return bad(r, field, "not_object", "a rule is an object");
	const char *key;
	json_t *m;
	json_object_foreach(v, key, m)
	{
		if (strcmp(key, "kind") && strcmp(key, "org_id") && strcmp(key, "level") &&
		    strcmp(key, "type")) {
			snprintf(field, sizeof(field), "targets.rules[%zu].%.24s", i, key);
			return bad(r, field, "unknown_field", "a rule has kind, org_id, level and type");
		}
	}
	const char *kind = json_string_value(json_object_get(v, "kind"));
	json_t *org = json_object_get(v, "org_id");
	json_t *level = json_object_get(v, "level"), *type = json_object_get(v, "type");
	snprintf(field, sizeof(field), "targets.rules[%zu].kind", i);
	if (!kind || (strcmp(kind, "subtree") && strcmp(kind, "guided")))
		return bad(r, field, "not_allowed", "subtree or guided");
	snprintf(field, sizeof(field), "targets.rules[%zu].org_id", i);
	if (!json_is_integer(org) || json_integer_value(org) < 1)
		return bad(r, field, "not_integer", "an organization id");
	snprintf(field, sizeof(field), "targets.rules[%zu].level", i);
	if (level && !json_is_null(level) &&
	    (!json_is_string(level) || json_string_length(level) >= sizeof(x->level)))
		return bad(r, field, "not_string", "a level code");
	snprintf(field, sizeof(field), "targets.rules[%zu].type", i);
	if (type && !json_is_null(type) &&
	    (!json_is_string(type) || json_string_length(type) >= sizeof(x->type)))
		return bad(r, field, "not_string", "a type code");
	x->kind = !strcmp(kind, "subtree") ? NT_SUBTREE : NT_GUIDED;
	x->org_id = json_integer_value(org);
	snprintf(x->level, sizeof(x->level), "%s", json_is_string(level) ? json_string_value(level) : "");
	snprintf(x->type, sizeof(x->type), "%s", json_is_string(type) ? json_string_value(type) : "");
	return 0;
}

/* The body's targets into t (0), or a 400 naming the field. */
static int parse_targets(struct req *r, json_t *v, struct notice_targets *t)
{
	t->n = 0;
	const char *key;
	json_t *m;
	json_object_foreach(v, key, m)
	{
		if (strcmp(key, "orgs") && strcmp(key, "rules")) {
			char field[48];
			snprintf(field, sizeof(field), "targets.%.24s", key);
			return bad(r, field, "unknown_field", "targets have orgs and rules");
		}
	}
	json_t *orgs = json_object_get(v, "orgs"), *rules = json_object_get(v, "rules");
	if (orgs && !json_is_array(orgs))
		return bad(r, "targets.orgs", "not_array", "a list of organization ids");
	if (rules && !json_is_array(rules))
		return bad(r, "targets.rules", "not_array", "a list of rules");
	if (json_array_size(orgs) > NOTICE_TARGET_ORGS)
		return bad(r, "targets.orgs", "too_many", "at most 500 organizations");
	if (json_array_size(rules) > NOTICE_TARGET_RULES)
		return bad(r, "targets.rules", "too_many", "at most 20 rules");
	size_t i;
	json_t *x;
	json_array_foreach(orgs, i, x)
	{
		if (!json_is_integer(x) || json_integer_value(x) < 1) {
			char field[48];
			snprintf(field, sizeof(field), "targets.orgs[%zu]", i);
			return bad(r, field, "not_integer", "an organization id");
		}
		t->t[t->n++] = (struct notice_target){.kind = NT_ORG, .org_id = json_integer_value(x)};
	}
	json_array_foreach(rules, i, x)
	{
		int rc = parse_rule(r, x, i, &t->t[t->n]);
		if (rc)
			return rc;
		t->n++;
	}
	return 0;
}

/* ---- encoding ---- */

static void org_members(struct jsonw *w, const struct notice_org *o)
{
	jsonw_int(w, "id", o->id);
	jsonw_str(w, "code", o->code);
	jsonw_str(w, "name", o->name);
	jsonw_str(w, "level", o->level);
	jsonw_str(w, "type", o->type);
}

static void counts_json(struct jsonw *w, const char *key, const struct notice_counts *c)
{
	jsonw_object(w, key);
	jsonw_int(w, "total", c->total);
	jsonw_int(w, "unread", c->unread);
	jsonw_int(w, "read", c->read);
	jsonw_int(w, "acknowledged", c->acknowledged);
	jsonw_end(w);
}

static void opt_int(struct jsonw *w, const char *key, int64_t v)
{
	if (v)
		jsonw_int(w, key, v);
	else
		jsonw_null(w, key);
}

static void opt_str(struct jsonw *w, const char *key, const char *v)
{
	jsonw_str(w, key, v && *v ? v : NULL);
}

static void targets_json(struct jsonw *w, const struct notice_targets *t)
{
	jsonw_object(w, "targets");
	jsonw_array(w, "orgs");
	for (int i = 0; t && i < t->n; i++)
		if (t->t[i].kind == NT_ORG)
			jsonw_int(w, NULL, t->t[i].org_id);
	jsonw_end(w);
	jsonw_array(w, "rules");
	for (int i = 0; t && i < t->n; i++) {
		const struct notice_target *x = &t->t[i];
		if (x->kind == NT_ORG)
			continue;
		jsonw_object(w, NULL);
		jsonw_str(w, "kind", x->kind == NT_SUBTREE ? "subtree" : "guided");
		jsonw_int(w, "org_id", x->org_id);
		opt_str(w, "level", x->level);
		opt_str(w, "type", x->type);
		jsonw_end(w);
	}
	jsonw_end(w);
	jsonw_end(w);
}

/* The members of a notice; the body and targets only when given (details). */
static void notice_members(struct jsonw *w, const struct notice *n, bool details)
{
	jsonw_int(w, "id", n->id);
	jsonw_int(w, "org_id", n->org_id);
	jsonw_str(w, "org_name", n->org_name);
	jsonw_str(w, "state", n->state);
	opt_str(w, "number", n->number);
	jsonw_str(w, "title", n->title);
	jsonw_str(w, "contact_name", n->contact_name);
	jsonw_str(w, "contact_phone", n->contact_phone);
	opt_str(w, "deadline_date", n->deadline_date);
	opt_str(w, "deadline_time", n->deadline_time);
	opt_int(w, "deadline_at", n->deadline_at);
	jsonw_bool(w, "receipt_required", n->receipt_required);
	opt_int(w, "form_id", n->form_id);
	jsonw_int(w, "recipient_count", n->recipient_count);
	opt_str(w, "reject_reason", n->reject_reason);
	opt_str(w, "recall_reason", n->recall_reason);
	opt_int(w, "parent_id", n->parent_id);
	opt_str(w, "parent_number", n->parent_number);
	opt_str(w, "parent_title", n->parent_title);
	opt_str(w, "parent_org_name", n->parent_org_name);
	jsonw_int(w, "created_at", n->created_at);
	jsonw_int(w, "updated_at", n->updated_at);
	opt_int(w, "approved_at", n->approved_at);
	opt_int(w, "sent_at", n->sent_at);
	opt_int(w, "recalled_at", n->recalled_at);
	jsonw_int(w, "version", n->version);
	if (details) {
		jsonw_str(w, "body", n->body ? n->body : "");
		jsonw_str(w, "body_html", n->body_html ? n->body_html : "");
		targets_json(w, n->targets);
	}
}

static int send_notice(struct req *r, struct api *api, int64_t id, unsigned status)
{
	struct notice n;
	int rc = notice_get(api_app(r, api), id, &n);
	if (rc)
		return rc;
	struct jsonw w;
	jsonw_init(&w);
	jsonw_object(&w, NULL);
	notice_members(&w, &n, true);
	jsonw_end(&w);
	int64_t version = n.version;
	notice_clear(&n);
	api_etag(r, version);
	return jsonw_send(r, status, &w);
}

/* ---- composing ---- */

/* The body's draft fields. For a change, a field given null is cleared ("" / 0) and an
 * absent one stays (NULL / -1). targets: parsed into t when present. */
static int read_input(struct req *r, json_t *b, struct notice_input *in, struct notice_targets *t)
{
	static const char *const keys[] = {"title",         "body",          "contact_name",
					   "contact_phone", "deadline_date", "deadline_time"};
	const char **dst[] = {&in->title,         &in->body,          &in->contact_name,
			      &in->contact_phone, &in->deadline_date, &in->deadline_time};
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		json_t *v = json_object_get(b, keys[i]);
		*dst[i] = !v ? NULL : json_is_null(v) ? "" : json_string_value(v);
	}
	json_t *rr = json_object_get(b, "receipt_required");
	in->receipt_required = rr ? json_is_true(rr) : -1;
	json_t *f = json_object_get(b, "form_id");
	in->form_id = !f ? -1 : json_is_null(f) ? 0 : json_integer_value(f);
	json_t *tv = json_object_get(b, "targets");
	in->targets = NULL;
	if (tv) {
		int rc = parse_targets(r, tv, t);
		if (rc)
			return rc;
		in->targets = t;
	}
	return 0;
}

int api_notice_create(struct req *r, void *ctx)
{
	struct api *api = ctx;
	struct notice_targets *t = malloc(sizeof(*t));
	if (!t)
		return ERR_NOMEM;
	struct notice_input in = {.org_id = api_obj(r, 0)->id};
	int rc = read_input(r, req_json(r), &in, t);
	if (!rc) {
		if (in.receipt_required < 0)
			in.receipt_required = 0;
		struct audit_entry who = api_actor_obj(r, api, 0);
		int64_t id = 0;
		rc = notice_create(api_app(r, api), &who, &in, req_errs(r), &id);
		rc = refused(r, rc, "the notice was not saved");
		if (!rc)
			rc = send_notice(r, api, id, 201);
	}
	free(t);
	return rc;
}

int api_notice_update(struct req *r, void *ctx)
{
	struct api *api = ctx;
	int64_t version;
	int rc = api_if_match_required(r, &version);
	if (rc)
		return rc;
	struct notice_targets *t = malloc(sizeof(*t));
	if (!t)
		return ERR_NOMEM;
	struct notice_input in = {0};
	rc = read_input(r, req_json(r), &in, t);
	if (!rc) {
		struct audit_entry who = api_actor_obj(r, api, 0);
		int64_t id = api_obj(r, 0)->id;
		rc = notice_update(api_app(r, api), &who, id, version, &in, req_errs(r));
		rc = refused(r, rc, "the notice was not changed");
		if (!rc)
			rc = send_notice(r, api, id, 200);
	}
	free(t);
	return rc;
}

int api_notice_get(struct req *r, void *ctx)
{
	return send_notice(r, ctx, api_obj(r, 0)->id, 200);
}

static int list_item(const struct notice *n, const struct notice_counts *c, void *arg)
{
	struct jsonw *w = arg;
	jsonw_object(w, NULL);
	notice_members(w, n, false);
	counts_json(w, "receipts", c);
	jsonw_end(w);
	return w->rc;
}

int api_notice_list(struct req *r, void *ctx)
{
	struct api *api = ctx;
	int64_t before = 0, limit = 50;
	req_query_int(r, "before", &before);
	req_query_int(r, "limit", &limit);
	struct jsonw w;
	api_items_begin(&w);
	int64_t next = 0;
	int rc = notice_list(api_app(r, api), api_obj(r, 0)->id, req_query(r, "state"), before, (int)limit,
			     list_item, &w, &next);
	jsonw_end(&w);
	if (rc) {
		jsonw_release(&w);
		return rc;
	}
	if (next)
		jsonw_int(&w, "next_before", next);
	else
		jsonw_null(&w, "next_before");
	jsonw_end(&w);
	return jsonw_send(r, 200, &w);
}

/* ---- preview and render ---- */

static int preview_org(const struct notice_org *o, void *arg)
{
	struct jsonw *w = arg;
	jsonw_object(w, NULL);
	org_members(w, o);
	jsonw_end(w);
	return w->rc;
}

int api_notice_preview(struct req *r, void *ctx)
{
	struct api *api = ctx;
	json_t *b = req_json(r);
	struct notice_targets *t = malloc(sizeof(*t));
	if (!t)
		return ERR_NOMEM;
	json_t *tv = json_object_get(b, "targets");
	int rc = tv ? parse_targets(r, tv, t) : (t->n = 0, 0);
	json_t *lim = json_object_get(b, "limit");
	int limit = lim ? (int)json_integer_value(lim) : 20;
	struct jsonw w;
	jsonw_init(&w);
	jsonw_object(&w, NULL);
	jsonw_array(&w, "items");
	int64_t count = 0;
	if (!rc)
		rc = notice_preview(api_app(r, api), api_obj(r, 0)->id, t, limit, preview_org, &w, &count,
				    req_errs(r));
	free(t);
	if (rc) {
		jsonw_release(&w);
		return refused(r, rc, "the targets cannot be resolved");
	}
	jsonw_end(&w);
	jsonw_int(&w, "count", count);
	jsonw_end(&w);
	return jsonw_send(r, 200, &w);
}

int api_notice_render(struct req *r, void *ctx)
{
	(void)ctx;
	char *html = NULL;
	const char *body = api_str(req_json(r), "body");
	int rc = notice_render(body ? body : "", &html);
	if (rc)
		return rc;
	struct jsonw w;
	jsonw_init(&w);
	jsonw_object(&w, NULL);
	jsonw_str(&w, "html", html);
	jsonw_end(&w);
	free(html);
	return jsonw_send(r, 200, &w);
}

/* ---- the life of a notice ---- */

enum act { ACT_SUBMIT, ACT_APPROVE, ACT_REJECT, ACT_SEND, ACT_RECALL };

static int act(struct req *r, void *ctx, enum act a)
{
	struct api *api = ctx;
	struct audit_entry who = api_actor_obj(r, api, 0);
	int64_t id = api_obj(r, 0)->id;
	const char *reason = api_str(req_json(r), "reason");
	struct app *app = api_app(r, api);
	int rc;
	switch (a) {
	case ACT_SUBMIT: rc = notice_submit(app, &who, id, req_errs(r)); break;
	case ACT_APPROVE: rc = notice_approve(app, &who, id, req_errs(r)); break;
	case ACT_REJECT: rc = notice_reject(app, &who, id, reason, req_errs(r)); break;
	case ACT_SEND: rc = notice_send(app, &who, id, req_errs(r)); break;
	default: rc = notice_recall(app, &who, id, reason, req_errs(r)); break;
	}
	rc = refused(r, rc, "the notice was not changed");
	return rc ? rc : send_notice(r, api, id, 200);
}

int api_notice_submit(struct req *r, void *ctx)
{
	return act(r, ctx, ACT_SUBMIT);
}
int api_notice_approve(struct req *r, void *ctx)
{
	return act(r, ctx, ACT_APPROVE);
}
int api_notice_reject(struct req *r, void *ctx)
{
	return act(r, ctx, ACT_REJECT);
}
int api_notice_send(struct req *r, void *ctx)
{
	return act(r, ctx, ACT_SEND);
}
int api_notice_recall(struct req *r, void *ctx)
{
	return act(r, ctx, ACT_RECALL);
}

/* ---- receipts ---- */

static int branch_item(const struct notice_branch *b, void *arg)
{
	struct jsonw *w = arg;
	jsonw_object(w, NULL);
	org_members(w, &b->org);
	jsonw_int(w, "total", b->c.total);
	jsonw_int(w, "unread", b->c.unread);
	jsonw_int(w, "read", b->c.read);
	jsonw_int(w, "acknowledged", b->c.acknowledged);
	jsonw_end(w);
	return w->rc;
}

int api_notice_receipts(struct req *r, void *ctx)
{
	struct api *api = ctx;
	int64_t under = 0;
	req_query_int(r, "under", &under);
	struct jsonw w;
	jsonw_init(&w);
	jsonw_object(&w, NULL);
	jsonw_array(&w, "branches");
	struct notice_receipts out;
	int rc = notice_receipts(api_app(r, api), api_obj(r, 0)->id, under, &out, branch_item, &w,
				 req_errs(r));
	if (rc) {
		jsonw_release(&w);
		return refused(r, rc, "no figures for that organization");
	}
	jsonw_end(&w);
	jsonw_int(&w, "under", out.under);
	counts_json(&w, "all", &out.all);
	counts_json(&w, "within", &out.within);
	counts_json(&w, "self", &out.self);
	counts_json(&w, "outside", &out.outside);
	jsonw_end(&w);
	return jsonw_send(r, 200, &w);
}

static int recipient_item(const struct notice_receipt_row *x, void *arg)
{
	struct jsonw *w = arg;
	jsonw_object(w, NULL);
	jsonw_object(w, "org");
	org_members(w, &x->org);
	jsonw_end(w);
	jsonw_int(w, "via_id", x->via_id);
	opt_str(w, "via_number", x->via_number);
	jsonw_str(w, "state", x->state);
	opt_int(w, "read_at", x->read_at);
	opt_str(w, "read_by", x->read_by);
	opt_int(w, "ack_at", x->ack_at);
	opt_str(w, "ack_by", x->ack_by);
	opt_int(w, "forwarded_id", x->forwarded_id);
	jsonw_end(w);
	return w->rc;
}

int api_notice_recipients(struct req *r, void *ctx)
{
	struct api *api = ctx;
	int64_t under = 0, limit = 100;
	req_query_int(r, "under", &under);
	req_query_int(r, "limit", &limit);
	struct jsonw w;
	api_items_begin(&w);
	char next[64];
	int rc = notice_recipients(api_app(r, api), api_obj(r, 0)->id, under, req_query(r, "state"),
				   req_query(r, "after"), (int)limit, recipient_item, &w, next, req_errs(r));
	if (rc) {
		jsonw_release(&w);
		return refused(r, rc, "no such page");
	}
	return api_items_end(r, &w, 0, "next_after", next[0] ? next : NULL);
}

/* ---- settings ---- */

static int send_config(struct req *r, const struct notice_config *c)
{
	struct jsonw w;
	jsonw_init(&w);
	jsonw_object(&w, NULL);
	jsonw_int(&w, "org_id", c->org_id);
	jsonw_str(&w, "prefix", c->prefix);
	jsonw_bool(&w, "approval_required", c->approval_required);
	jsonw_int(&w, "version", c->version);
	jsonw_end(&w);
	if (c->version)
		api_etag(r, c->version);
	return jsonw_send(r, 200, &w);
}

int api_notice_config_get(struct req *r, void *ctx)
{
	struct api *api = ctx;
	struct notice_config c;
	int rc = notice_config_get(api_app(r, api), api_obj(r, 0)->id, &c);
	return rc ? rc : send_config(r, &c);
}

int api_notice_config_set(struct req *r, void *ctx)
{
	struct api *api = ctx;
	int64_t version;
	int rc = api_if_match(r, &version);
	if (rc)
		return rc;
	json_t *b = req_json(r);
	struct audit_entry who = api_actor_obj(r, api, 0);
	struct notice_config c;
	rc = notice_config_set(api_app(r, api), &who, api_obj(r, 0)->id, api_str(b, "prefix"),
			       json_is_true(json_object_get(b, "approval_required")), version, req_errs(r),
			       &c);
	rc = refused(r, rc, "the settings were not changed");
	return rc ? rc : send_config(r, &c);
}

/* ---- the inbox ---- */

static void item_members(struct jsonw *w, const struct notice_inbox_item *it)
{
	jsonw_int(w, "notice_id", it->notice_id);
	jsonw_int(w, "org_id", it->org_id);
	jsonw_str(w, "org_name", it->org_name);
	opt_str(w, "number", it->number);
	jsonw_str(w, "title", it->title);
	jsonw_str(w, "state", it->state);
	jsonw_bool(w, "withdrawn", it->withdrawn);
	jsonw_bool(w, "receipt_required", it->receipt_required);
	jsonw_int(w, "sent_at", it->sent_at);
	opt_int(w, "deadline_at", it->deadline_at);
	opt_int(w, "read_at", it->read_at);
	opt_str(w, "read_by", it->read_by);
	opt_int(w, "ack_at", it->ack_at);
	opt_str(w, "ack_by", it->ack_by);
	opt_int(w, "forwarded_id", it->forwarded_id);
	opt_int(w, "parent_id", it->parent_id);
}

static int inbox_item(const struct notice_inbox_item *it, void *arg)
{
	struct jsonw *w = arg;
	jsonw_object(w, NULL);
	item_members(w, it);
	jsonw_end(w);
	return w->rc;
}

int api_inbox_list(struct req *r, void *ctx)
{
	struct api *api = ctx;
	int64_t limit = 50;
	req_query_int(r, "limit", &limit);
	struct jsonw w;
	api_items_begin(&w);
	char next[64];
	int rc = notice_inbox(api_app(r, api), api_obj(r, 0)->id, req_query(r, "state"),
			      req_query(r, "after"), (int)limit, inbox_item, &w, next, req_errs(r));
	if (rc) {
		jsonw_release(&w);
		return refused(r, rc, "no such page");
	}
	return api_items_end(r, &w, 0, "next_after", next[0] ? next : NULL);
}

/* One inbox entry: the item and the notice as recipients see it (no targets). */
static int send_entry(struct req *r, struct api *api, int64_t org_id, int64_t notice_id)
{
	struct notice_inbox_item it;
	int rc = notice_inbox_get(api_app(r, api), org_id, notice_id, &it);
	if (rc == ERR_NOTFOUND)
		return req_fail(r, rc, "this organization did not receive that notice");
	struct notice n;
	if (!rc)
		rc = notice_get(api_app(r, api), notice_id, &n);
	if (rc)
		return rc;
	struct jsonw w;
	jsonw_init(&w);
	jsonw_object(&w, NULL);
	item_members(&w, &it);
	jsonw_object(&w, "notice");
	notice_members(&w, &n, false);
	jsonw_str(&w, "body_html", n.body_html ? n.body_html : "");
	jsonw_end(&w);
	jsonw_end(&w);
	notice_clear(&n);
	return jsonw_send(r, 200, &w);
}

int api_inbox_get(struct req *r, void *ctx)
{
	return send_entry(r, ctx, api_obj(r, 0)->id, req_param_int(r, "notice"));
}

int api_inbox_read(struct req *r, void *ctx)
{
	struct api *api = ctx;
	struct audit_entry who = api_actor_obj(r, api, 0);
	int64_t org = api_obj(r, 0)->id, notice = req_param_int(r, "notice");
	bool changed = false;
	int rc = notice_mark_read(api_app(r, api), &who, org, notice, &changed);
	if (rc == ERR_NOTFOUND)
		return req_fail(r, rc, "this organization did not receive that notice");
	return rc ? rc : send_entry(r, api, org, notice);
}

int api_inbox_acknowledge(struct req *r, void *ctx)
{
	struct api *api = ctx;
	struct audit_entry who = api_actor_obj(r, api, 0);
	int64_t org = api_obj(r, 0)->id, notice = req_param_int(r, "notice");
	bool changed = false;
	int rc = notice_acknowledge(api_app(r, api), &who, org, notice, req_errs(r), &changed);
	if (rc == ERR_NOTFOUND)
		return req_fail(r, rc, "this organization did not receive that notice");
	rc = refused(r, rc, "the notice was not acknowledged");
	return rc ? rc : send_entry(r, api, org, notice);
}

int api_inbox_forward(struct req *r, void *ctx)
{
	struct api *api = ctx;
	int64_t org = api_obj(r, 0)->id, parent = req_param_int(r, "notice");
	struct notice_inbox_item it;
	int rc = notice_inbox_get(api_app(r, api), org, parent, &it);
	if (rc == ERR_NOTFOUND)
		return req_fail(r, rc, "this organization did not receive that notice");
	if (rc)
		return rc;
	struct notice_targets *t = malloc(sizeof(*t));
	if (!t)
		return ERR_NOMEM;
	struct notice_input in = {.org_id = org, .parent_id = parent};
	rc = read_input(r, req_json(r), &in, t);
	char title[900];
	if (!rc) {
		if (!in.title || !*in.title) {
			/* the customary title of a forward: 关于转发《…》的通知 */
			snprintf(title, sizeof(title),
				 "\xE5\x85\xB3\xE4\xBA\x8E\xE8\xBD\xAC\xE5\x8F\x91\xE3\x80\x8A%s"
				 "\xE3\x80\x8B\xE7\x9A\x84\xE9\x80\x9A\xE7\x9F\xA5",
				 it.title);
			in.title = title;
		}
		if (in.receipt_required < 0)
			in.receipt_required = it.receipt_required;
		struct audit_entry who = api_actor_obj(r, api, 0);
		int64_t id = 0;
		rc = notice_create(api_app(r, api), &who, &in, req_errs(r), &id);
		rc = refused(r, rc, "the forward was not saved");
		if (!rc)
			rc = send_notice(r, api, id, 201);
	}
	free(t);
	return rc;
}
