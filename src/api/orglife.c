/*
 * orglife.c (api) - an organization's life beyond the tree edits of api/org.c: reopening
 * a closed org, what happened in a subtree in a year, and the latest changes there (the
 * workbench's "recent changes", with names and one readable line per record). The rows
 * declare the org in the path; the objects hook has checked it against the caller's scope
 * (api_obj), as for every org route.
 */
#include "api/api.h"
#include "api/auditview.h"
#include "base/jsonw.h"
#include "core/org.h"
#include "core/rbac.h"
#include "base/timeutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int api_org_reopen(struct req *r, void *ctx)
{
	struct api *api = ctx;
	int64_t id = api_obj(r, 0)->id, version;
	const char *on = api_str(req_json(r), "on");
	int rc = api_if_match_required(r, &version);
	if (rc)
		return rc;
	struct audit_entry who = api_actor_obj(r, api, 0);
	rc = org_reopen(api_app(r, api), &who, id, on, version, req_errs(r));
	if (rc == ERR_CONFLICT || rc == ERR_UNPROCESSABLE)
		return req_fail(r, rc, "the organization was not reopened");
	if (rc == ERR_PRECONDITION)
		return req_fail(r, rc, "the organization was changed by someone else; reload it");
	if (rc)
		return rc;
	struct org o;
	rc = org_get(api_app(r, api), id, on, &o);
	return rc ? rc : api_org_answer(r, &o, 200);
}

int api_org_stats(struct req *r, void *ctx)
{
	struct api *api = ctx;
	int64_t id = api_obj(r, 0)->id, year;
	if (!req_query_int(r, "year", &year)) {
		char today[11];
		date_today(today, sizeof(today));
		year = (today[0] - '0') * 1000 + (today[1] - '0') * 100 + (today[2] - '0') * 10 +
		       (today[3] - '0');
	}
	struct org_year y;
	int rc = org_year_stats(api_app(r, api), id, (int)year, &y);
	if (rc)
		return rc;
	struct jsonw w;
	jsonw_init(&w);
	jsonw_object(&w, NULL);
	jsonw_int(&w, "year", year);
	jsonw_int(&w, "opened", y.opened);
	jsonw_int(&w, "closed", y.closed);
	jsonw_int(&w, "reopened", y.reopened);
	jsonw_end(&w);
	return jsonw_send(r, 200, &w);
}

struct changes_out {
	struct jsonw w;
	struct auditview *v;
	struct buf line;
};

static int change_json(const struct org_change *ch, void *arg)
{
	struct changes_out *o = arg;
	buf_reset(&o->line);
	int rc = auditview_changes(o->v, ch->detail, &o->line);
	if (rc)
		return rc;
	struct jsonw *w = &o->w;
	jsonw_object(w, NULL);
	jsonw_int(w, "seq", ch->seq);
	jsonw_str(w, "at", ch->at);
	jsonw_str(w, "action", ch->action);
	jsonw_str(w, "object_id", ch->object_id);
	jsonw_int(w, "org_id", ch->org_id);
	jsonw_str(w, "org_code", ch->org_code);
	jsonw_str(w, "org_name", ch->org_name);
	jsonw_str(w, "actor", ch->actor);
	auditview_changes_write(w, "changes", ch->detail);
	jsonw_str(w, "text", o->line.ptr);
	jsonw_end(w);
	return w->rc;
}

int api_org_changes(struct req *r, void *ctx)
{
	struct api *api = ctx;
	int64_t id = api_obj(r, 0)->id, limit = 20;
	req_query_int(r, "limit", &limit);
	struct changes_out o = {.v = calloc(1, sizeof(*o.v))};
	if (!o.v)
		return ERR_NOMEM;
	jsonw_init(&o.w);
	o.v->app = api_app(r, api);
	o.v->en = api_lang_en(r);
	buf_init(&o.line, 64 * 1024);
	jsonw_object(&o.w, NULL);
	jsonw_array(&o.w, "items");
	int rc = org_changes(api_app(r, api), id, (int)limit, change_json, &o);
	buf_release(&o.line);
	free(o.v);
	if (rc) {
		jsonw_release(&o.w);
		return rc;
	}
	jsonw_end(&o.w);
	jsonw_end(&o.w);
	return jsonw_send(r, 200, &o.w);
}
