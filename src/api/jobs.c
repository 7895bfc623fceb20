/*
 * jobs.c (api) - background jobs over HTTP: progress, cancel, and the errors as a
 * spreadsheet. A job is its owner's only: anyone else gets the same 404 as for a job that
 * does not exist.
 */
#include "api/api.h"
#include "core/job.h"
#include "core/rbac.h"
#include "doc/writer.h"
#include "base/timeutil.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define JOB_ERRORS_SHOWN 100

static json_t *time_or_null(int64_t t)
{
	if (!t)
		return json_null();
	char iso[32];
	time_iso(t, iso, sizeof(iso));
	return json_string(iso);
}

struct err_collect {
	json_t *items;
	int n, max;
};

static int collect_error(long row, const char *col, const char *code, const char *message, void *arg)
{
	struct err_collect *e = arg;
	if (e->n >= e->max)
		return 1; /* enough: stop the walk */
	e->n++;
	return json_array_append_new(e->items, json_pack("{s:I,s:s,s:s,s:s}", "row", (json_int_t)row, "column", col,
							 "code", code, "message", message))
		       ? ERR_NOMEM
		       : 0;
}

json_t *api_job_json(struct app *a, const struct job_info *ji)
{
	json_t *errs = json_array();
	struct err_collect ec = {.items = errs, .max = JOB_ERRORS_SHOWN};
	if (ji->error_count)
		job_errors(a, ji->id, collect_error, &ec);
	double rate = ji->run_ms > 0 ? (double)ji->rows_done * 1000.0 / (double)ji->run_ms : 0.0;
	json_t *o = json_pack("{s:I,s:s,s:s,s:I,s:I,s:I,s:I,s:o,s:b,s:i}", "id", (json_int_t)ji->id, "kind", ji->kind,
			      "state", ji->state, "rows_total", (json_int_t)ji->rows_total, "rows_done",
			      (json_int_t)ji->rows_done, "rate", (json_int_t)(rate + 0.5),
			      "error_count", (json_int_t)ji->error_count, "errors", errs, "dry_run", ji->dry_run,
			      "attempts", ji->attempts);
	if (!o)
		return NULL;
	json_t *res = ji->result[0] ? json_loads(ji->result, 0, NULL) : NULL;
	json_object_set_new(o, "result", res ? res : json_null());
	json_object_set_new(o, "file_name", json_string(ji->input_name));
	json_object_set_new(o, "message", ji->message[0] ? json_string(ji->message) : json_null());
	json_object_set_new(o, "created_at", time_or_null(ji->created_at));
	json_object_set_new(o, "started_at", time_or_null(ji->started_at));
	json_object_set_new(o, "finished_at", time_or_null(ji->finished_at));
	return o;
}

/* The caller's job (404 for anyone else's). */
static int load(struct req *r, struct api *api, struct job_info *ji)
{
	const struct caller *c = req_user(r);
	int rc = job_get(api_app(r, api), req_param_int(r, "id"), c->user_id, ji);
	if (rc == ERR_NOTFOUND)
		return req_fail(r, rc, "no such job");
	return rc;
}

int api_job_get(struct req *r, void *ctx)
{
	struct api *api = ctx;
	struct job_info ji;
	int rc = load(r, api, &ji);
	if (rc)
		return rc;
	json_t *o = api_job_json(api_app(r, api), &ji);
	return o ? resp_json(r, 200, o) : ERR_NOMEM;
}

int api_job_cancel(struct req *r, void *ctx)
{
	struct api *api = ctx;
	const struct caller *c = req_user(r);
	struct job_info ji;
	int rc = load(r, api, &ji);
	if (rc)
		return rc;
	struct audit_entry who = api_actor(r, api, "", 0);
	rc = job_cancel(api_app(r, api), &who, ji.id, c->user_id);
	if (rc == ERR_CONFLICT) {
		errlist_add(req_errs(r), "state", "finished", "the job has already finished");
		return req_fail(r, rc, "the job has already finished");
	}
	if (rc == ERR_NOTFOUND)
		return req_fail(r, rc, "no such job");
	if (rc)
		return rc;
	rc = load(r, api, &ji);
	if (rc)
		return rc;
	json_t *o = api_job_json(api_app(r, api), &ji);
	return o ? resp_json(r, 200, o) : ERR_NOMEM;
}

/* zh-CN unless the caller asks for English first. */
static bool wants_english(struct req *r)
{
	const char *al = req_header(r, "Accept-Language");
	while (al && (*al == ' ' || *al == '\t'))
		al++;
	return al && !strncasecmp(al, "en", 2);
}

static int error_row(long row, const char *col, const char *code, const char *message, void *arg)
{
	char num[24];
	snprintf(num, sizeof(num), "%ld", row);
	const char *cells[] = {num, col, code, message};
	return doc_writer_row(arg, cells, 4);
}

int api_job_errors(struct req *r, void *ctx)
{
	struct api *api = ctx;
	struct job_info ji;
	int rc = load(r, api, &ji);
	if (rc)
		return rc;
	struct doc_writer *w = NULL;
	struct doc_writer_opts o = {.bom = true};
	rc = doc_writer_open(DOC_CSV, &o, &w);
	if (rc)
		return rc;
	static const char *const zh[] = {"行号", "列", "错误代码", "说明"};
	static const char *const en[] = {"row", "column", "code", "message"};
	rc = doc_writer_row(w, wants_english(r) ? en : zh, 4);
	if (!rc)
		rc = job_errors(api_app(r, api), ji.id, error_row, w);
	char *bytes = NULL;
	size_t len = 0;
	if (rc) {
		doc_writer_free(w);
		return rc;
	}
	rc = doc_writer_close(w, &bytes, &len);
	if (rc)
		return rc;
	char disp[96];
	snprintf(disp, sizeof(disp), "attachment; filename=\"job-%" PRId64 "-errors.csv\"", ji.id);
	resp_header(r, "Content-Disposition", disp);
	return resp_take(r, 200, doc_format_ctype(DOC_CSV), bytes, len);
}
