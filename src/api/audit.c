/*
 * audit.c (api) - the audit log for the audit administrator: every record of the system
 * (the post is system-wide), filters (org_id: the records about that subtree, by the
 * object's org or the roles of the account a record is about), keyset paging (newest
 * first, ?before=<seq>), and CSV export for spreadsheets (?format=csv).
 */
#include "api/api.h"
#include "doc/csv.h"
#include "core/audit.h"
#include "core/org.h"

#include <inttypes.h>
#include <stdio.h>
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

static int to_csv(const struct audit_row *r, void *arg)
{
	struct buf *b = arg;
	char seq[24];
	snprintf(seq, sizeof(seq), "%" PRId64, r->seq);
	const char *cells[] = {seq, r->at, r->login, r->role, r->via, r->request_id, r->client_addr,
			       r->action, r->object_type, r->object_id, r->org_code, r->detail};
	int rc = 0;
	for (size_t i = 0; !rc && i < sizeof(cells) / sizeof(cells[0]); i++)
		rc = csv_cell(b, cells[i], i == 0);
	return rc ? rc : csv_end_row(b);
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
	if (fmt && !strcmp(fmt, "csv")) {
		struct buf b;
		buf_init(&b, CSV_MAX);
		/* UTF-8 BOM: Excel in Chinese locales otherwise opens UTF-8 CSV as GBK */
		int rc = buf_puts(&b, "\xEF\xBB\xBF");
		static const char *const head[] = {"seq", "at", "login", "role", "via", "request_id",
						   "client_addr", "action", "object_type", "object_id",
						   "org_code", "detail"};
		for (size_t i = 0; !rc && i < sizeof(head) / sizeof(head[0]); i++)
			rc = csv_cell(&b, head[i], i == 0);
		if (!rc)
			rc = csv_end_row(&b);
		if (!rc)
			rc = audit_list(api_app(r, api), &q, to_csv, &b, &last);
		if (!rc) {
			resp_header(r, "Content-Disposition", "attachment; filename=\"audit.csv\"");
			rc = resp_raw(r, 200, "text/csv; charset=utf-8", b.ptr, b.len);
		}
		buf_release(&b);
		return rc == ERR_TOOBIG ? req_fail(r, rc, "narrow the filters: the export is too large") : rc;
	}
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
