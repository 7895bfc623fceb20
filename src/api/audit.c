/*
 * audit.c (api) - the audit log for the audit administrator: every record of the system
 * (the post is system-wide), filters (org_id: the records about that subtree, by the
 * object's org or the roles of the account a record is about), keyset paging (newest
 * first, ?before=<seq>), and CSV export for spreadsheets (?format=csv).
 */
#include "api/api.h"
#include "api/auditview.h"
#include "doc/csv.h"
#include "core/audit.h"
#include "core/codelist.h"
#include "core/org.h"
#include "core/rbac.h"
#include "base/num.h"
#include "base/timeutil.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CSV_MAX ((size_t)64 << 20)

static int to_json(const struct audit_row *r, void *arg)
{
	json_t *row = json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "seq",
				(json_int_t)r->seq, "at", r->at, "login", r->login, "role", r->role,
				"via", r->via, "request_id", r->request_id, "client_addr",
				r->client_addr, "action", r->action, "object_type", r->object_type,
				"object_id", r->object_id, "org_code", r->org_code, "detail", r->detail);
	return row && !json_array_append_new(arg, row) ? 0 : ERR_NOMEM;
}

/* The CSV for people: headers, actions, roles and object types in the caller's language,
 * Beijing time to the second, organizations by name, one readable change column. */
struct csv_out {
	struct buf *b;
	struct auditview *v;
	struct buf line; /* the change column, reused per row */
};

static const char *const csv_head_zh[] = {"序号", "时间（北京时间）", "账号", "角色", "方式", "请求编号",
					  "客户端地址", "操作", "对象类型", "对象", "组织", "变更内容"};
static const char *const csv_head_en[] = {"No.", "Time (Beijing)", "Login", "Role", "Via", "Request ID",
					  "Client address", "Action", "Object type", "Object", "Organization",
					  "Changes"};

static int to_csv(const struct audit_row *r, void *arg)
{
	struct csv_out *o = arg;
	struct auditview *v = o->v;
	char seq[24], at[24], via[80], object[900], org[900];
	snprintf(seq, sizeof(seq), "%" PRId64, r->seq);
	time_beijing(r->at, at, sizeof(at));
	auditview_via(v, r->via, via, sizeof(via));
	snprintf(object, sizeof(object), "%s", r->object_id);
	int64_t oid;
	if (!strcmp(r->object_type, "org") && num_int64(r->object_id, &oid)) {
		const char *name = auditview_org_name(v, oid);
		if (*name)
			snprintf(object, sizeof(object), "%s", name);
	}
	org[0] = '\0';
	if (r->org_code[0]) {
		const char *name = auditview_org_by_code(v, r->org_code);
		if (strcmp(name, r->org_code))
			snprintf(org, sizeof(org), "%s%s%s%s", name, v->en ? " (" : "（", r->org_code, v->en ? ")" : "）");
		else
			snprintf(org, sizeof(org), "%s", r->org_code);
	}
	buf_reset(&o->line);
	int rc = auditview_changes(v, r->detail, &o->line);
	if (rc)
		return rc;
	const char *cells[] = {seq, at, r->login, codeset_label(&codelist_role, r->role, !v->en), via,
			       r->request_id, r->client_addr, codeset_label(&codelist_audit_action, r->action, !v->en),
			       codeset_label(&codelist_object_type, r->object_type, !v->en), object, org, o->line.ptr};
	for (size_t i = 0; !rc && i < sizeof(cells) / sizeof(cells[0]); i++)
		rc = csv_cell(o->b, cells[i], i == 0);
	return rc ? rc : csv_end_row(o->b);
}

static int answer_csv(struct req *r, struct api *api, const struct audit_query *q)
{
	struct buf b;
	struct csv_out o = {.b = &b, .v = calloc(1, sizeof(*o.v))};
	if (!o.v)
		return ERR_NOMEM;
	o.v->app = api_app(r, api);
	o.v->en = api_lang_en(r);
	buf_init(&b, CSV_MAX);
	buf_init(&o.line, 64 * 1024);
	int64_t last = 0;
	const char *const *head = o.v->en ? csv_head_en : csv_head_zh;
	/* UTF-8 BOM: Excel in Chinese locales otherwise opens UTF-8 CSV as GBK */
	int rc = buf_puts(&b, "\xEF\xBB\xBF");
	for (size_t i = 0; !rc && i < sizeof(csv_head_zh) / sizeof(csv_head_zh[0]); i++)
		rc = csv_cell(&b, head[i], i == 0);
	if (!rc)
		rc = csv_end_row(&b);
	if (!rc)
		rc = audit_list(api_app(r, api), q, to_csv, &o, &last);
	if (!rc) {
		resp_header(r, "Content-Disposition",
			    o.v->en ? "attachment; filename=\"audit.csv\""
				    : "attachment; filename=\"audit.csv\"; filename*=UTF-8''%E5%AE%A1%E8%AE%A1%E6%97%A5%E5%BF%97.csv");
		resp_header(r, "Content-Language", o.v->en ? "en" : "zh-CN");
		rc = resp_raw(r, 200, "text/csv; charset=utf-8", b.ptr, b.len);
	}
	buf_release(&o.line);
	buf_release(&b);
	free(o.v);
	return rc == ERR_TOOBIG ? req_fail(r, rc, "narrow the filters: the export is too large") : rc;
}

int api_audit_list(struct req *r, void *ctx)
{
	struct api *api = ctx;
	struct audit_query q = {
		.from = req_query(r, "from"), .to = req_query(r, "to"), .login = req_query(r, "login"),
		.action = req_query(r, "action"), .object_type = req_query(r, "object_type"),
		.object_id = req_query(r, "object_id"), .limit = 100,
	};
	int64_t v;
	if (req_query_int(r, "org_id", &v))
		q.under = v;
	if (req_query_int(r, "before", &v))
		q.before_seq = v;
	if (req_query_int(r, "limit", &v))
		q.limit = (int)v;
	/* the audit administrator's post is system-wide: every record, from every root, with
	 * or without an org (sign-ins, sessions, tokens); org_id narrows to a subtree */
	if (q.under) {
		struct org o;
		int rc = org_get(api_app(r, api), q.under, NULL, &o);
		if (rc == ERR_NOTFOUND) {
			errlist_add(req_errs(r), "org_id", "not_found", "no such organization");
			return req_fail(r, rc, "no such organization");
		}
		if (rc)
			return rc;
	}
	const char *fmt = req_query(r, "format");
	int64_t last = 0;
	if (fmt && !strcmp(fmt, "csv"))
		return answer_csv(r, api, &q);
	json_t *items = json_array();
	int rc = audit_list(api_app(r, api), &q, to_json, items, &last);
	if (rc) {
		json_decref(items);
		return rc;
	}
	size_t n = json_array_size(items);
	json_t *body = json_pack("{s:o}", "items", items);
	json_object_set_new(body, "next_before", n == (size_t)q.limit && last ? json_integer(last) : json_null());
	return resp_json(r, 200, body);
}
