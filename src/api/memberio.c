/*
 * memberio.c (api) - the member register in and out as spreadsheets: the preview of an
 * upload and the import as a background job (domain/memberimport.h; the upload, preview and
 * job shapes are the org import's, api_import_* in orgio.c), and the export of a subtree
 * through the document writer, masked by default; unmasked only over POST with
 * member.reveal and a reason. Every export is audited (person.export). Files are parsed and
 * built on the `files` worker pool.
 */
#include "api/api.h"
#include "core/audit.h"
#include "core/org.h"
#include "domain/member.h"
#include "domain/memberimport.h"
#include "doc/writer.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int preview_on_worker(struct req *r, void *arg)
{
	(void)arg;
	return api_import_preview(r, member_import_columns);
}

int api_member_import_preview(struct req *r, void *ctx)
{
	struct api *api = ctx;
	return req_defer(r, api->files, preview_on_worker, api);
}

static bool query_true(struct req *r, const char *key)
{
	const char *v = req_query(r, key);
	return v && !strcmp(v, "true");
}

static int import_on_worker(struct req *r, void *arg)
{
	struct api *api = arg;
	const char *mode = req_query(r, "mode");
	struct member_import_opts o = {.org_id = api_obj(r, 0)->id,
				       .all_or_nothing = mode && !strcmp(mode, "all-or-nothing"),
				       .ignore_unknown = query_true(r, "ignore_unknown_columns"),
				       .sheet = req_query(r, "sheet")};
	char params[512];
	member_import_params(&o, params, sizeof(params));
	return api_import_submit(r, api, member_import_kind.name, "member.write", o.org_id, params);
}

int api_member_import(struct req *r, void *ctx)
{
	struct api *api = ctx; /* the route's object (org_id, member.write) was checked before */
	return req_defer(r, api->files, import_on_worker, api);
}

/* ---- export ---- */

struct export_req {
	bool unmasked;
	enum doc_format f;
	char reason[801];
};

static int query_int(struct req *r, const char *key)
{
	int64_t v = 0;
	req_query_int(r, key, &v);
	return (int)v;
}

static int export_run(struct req *r, struct api *api, const struct export_req *x, int64_t under)
{
	struct app *a = api_app(r, api);
	struct member_filter f = {.under = under};
	if (!x->unmasked) { /* the list's filters (GET); the POST exports the whole subtree */
		f.q = req_query(r, "q");
		f.gender = req_query(r, "gender");
		f.title_level = req_query(r, "title");
		f.education = req_query(r, "education");
		f.political = req_query(r, "political");
		f.tag = req_query(r, "tag");
		f.category = req_query(r, "category");
		f.status = req_query(r, "status");
		f.age_min = query_int(r, "age_min");
		f.age_max = query_int(r, "age_max");
		f.joined_from = req_query(r, "joined_from");
		f.joined_to = req_query(r, "joined_to");
		f.sort = req_query(r, "sort");
	}
	f.limit = 200;
	char tmp[1024];
	snprintf(tmp, sizeof(tmp), "%s/jobs", a->data_dir);
	struct doc_writer_opts wo = {
		.bom = true, .sheet_name = "人员", .tmpdir = tmp, .max_bytes = (size_t)256 << 20};
	struct doc_writer *w = NULL;
	int rc = doc_writer_open(x->f, &wo, &w);
	if (rc)
		return rc;
	long rows = 0;
	rc = member_export_write(a, &f, x->unmasked, w, req_errs(r), &rows);
	if (rc) {
		doc_writer_free(w);
		if (rc == ERR_UNPROCESSABLE)
			return req_fail(r, ERR_INVALID, "a filter is not valid");
		if (rc == ERR_TOOBIG)
			return req_fail(r, rc, "the subtree is too large for one file: export its branches");
		return rc;
	}
	char *bytes = NULL;
	size_t len = 0;
	rc = doc_writer_close(w, &bytes, &len);
	if (rc)
		return rc;
	/* who took whose data, how much, masked or not, and why */
	struct audit_entry who = api_actor_obj(r, api, 0);
	char oid[24];
	snprintf(oid, sizeof(oid), "%" PRId64, under);
	struct audit_diff d;
	audit_diff_init(&d);
	audit_diff_str(&d, "format", doc_format_ext(x->f));
	audit_diff_int(&d, "rows", rows);
	audit_diff_bool(&d, "unmasked", x->unmasked);
	if (x->unmasked)
		audit_diff_str(&d, "reason", x->reason);
	who.action = "person.export";
	who.object_type = "org";
	who.object_id = oid;
	who.org_id = under;
	who.detail = audit_diff_text(&d);
	rc = audit_record(a, &who);
	if (rc) {
		free(bytes);
		return rc;
	}
	char disp[160];
	snprintf(disp, sizeof(disp), "attachment; filename=\"members-%" PRId64 "%s.%s\"", under,
		 x->unmasked ? "-full" : "", doc_format_ext(x->f));
	resp_header(r, "Content-Disposition", disp);
	return resp_take(r, 200, doc_format_ctype(x->f), bytes, len);
}

static int export_get_on_worker(struct req *r, void *arg)
{
	struct export_req x = {.f = DOC_CSV};
	const char *fmt = req_query(r, "format");
	if (fmt)
		doc_format_parse(fmt, &x.f); /* the query spec allows csv and xlsx only */
	return export_run(r, arg, &x, api_obj(r, 0)->id);
}

int api_member_export(struct req *r, void *ctx)
{
	struct api *api = ctx; /* `under` (member.read) was checked before */
	return req_defer(r, api->files, export_get_on_worker, api);
}

static int export_post_on_worker(struct req *r, void *arg)
{
	json_t *b = req_json(r);
	struct export_req x = {.f = DOC_CSV, .unmasked = true};
	const char *fmt = json_string_value(json_object_get(b, "format"));
	if (fmt)
		doc_format_parse(fmt, &x.f);
	if (!json_is_true(json_object_get(b, "unmasked"))) {
		errlist_add(req_errs(r), "unmasked", "required",
			    "this export is the unmasked one (the masked one is GET /api/v1/members/export)");
		return req_fail(r, ERR_UNPROCESSABLE, "unmasked must be true");
	}
	snprintf(x.reason, sizeof(x.reason), "%s", json_string_value(json_object_get(b, "reason")));
	return export_run(r, arg, &x, api_obj(r, 0)->id);
}

int api_member_export_post(struct req *r, void *ctx)
{
	struct api *api = ctx; /* `under` with member.reveal was checked before */
	return req_defer(r, api->files, export_post_on_worker, api);
}
