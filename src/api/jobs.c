/*
 * jobs.c (api) - background jobs over HTTP: progress, cancel, and the errors as a
 * spreadsheet. A job is its owner's only: anyone else gets the same 404 as for a job that
 * does not exist.
 */
#include "api/api.h"
#include "base/jsonw.h"
#include "core/job.h"
#include "core/rbac.h"
#include "core/importcols.h"
#include "doc/sheet.h"
#include "doc/writer.h"
#include "base/timeutil.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define JOB_ERRORS_SHOWN 100

void api_time_or_null(struct jsonw *w, const char *key, int64_t t)
{
	if (!t) {
		jsonw_null(w, key);
		return;
	}
	char iso[32];
	time_iso(t, iso, sizeof(iso));
	jsonw_str(w, key, iso);
}

struct err_collect {
	struct jsonw *w;
	int n, max;
};

static int collect_error(long row, const char *col, const char *code, const char *message, void *arg)
{
	struct err_collect *e = arg;
	if (e->n >= e->max)
		return 1; /* enough: stop the walk */
	e->n++;
	jsonw_object(e->w, NULL);
	jsonw_int(e->w, "row", row);
	jsonw_str(e->w, "column", col);
	jsonw_str(e->w, "code", code);
	jsonw_str(e->w, "message", message);
	jsonw_end(e->w);
	return e->w->rc;
}

void api_job_json(struct jsonw *w, const char *key, struct app *a, const struct job_info *ji)
{
	double rate = ji->run_ms > 0 ? (double)ji->rows_done * 1000.0 / (double)ji->run_ms : 0.0;
	jsonw_object(w, key);
	jsonw_int(w, "id", ji->id);
	jsonw_str(w, "kind", ji->kind);
	jsonw_str(w, "state", ji->state);
	jsonw_int(w, "rows_total", ji->rows_total);
	jsonw_int(w, "rows_done", ji->rows_done);
	jsonw_int(w, "rate", (int64_t)(rate + 0.5));
	jsonw_int(w, "error_count", ji->error_count);
	jsonw_array(w, "errors");
	struct err_collect ec = {.w = w, .max = JOB_ERRORS_SHOWN};
	if (ji->error_count)
		job_errors(a, ji->id, collect_error, &ec);
	jsonw_end(w);
	jsonw_bool(w, "dry_run", ji->dry_run);
	jsonw_int(w, "attempts", ji->attempts);
	/* the result was written by core's JSON writer; it goes out as stored once jansson
	 * has read it as one whole value (anything else is null, as before) */
	json_t *res = ji->result[0] ? json_loads(ji->result, JSON_DECODE_ANY, NULL) : NULL;
	jsonw_raw(w, "result", res ? ji->result : NULL);
	json_decref(res);
	jsonw_str(w, "file_name", ji->input_name);
	jsonw_str(w, "message", ji->message[0] ? ji->message : NULL);
	api_time_or_null(w, "created_at", ji->created_at);
	api_time_or_null(w, "started_at", ji->started_at);
	api_time_or_null(w, "finished_at", ji->finished_at);
	jsonw_end(w);
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
	struct jsonw w;
	jsonw_init(&w);
	api_job_json(&w, NULL, api_app(r, api), &ji);
	return jsonw_send(r, 200, &w);
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
	struct jsonw w;
	jsonw_init(&w);
	api_job_json(&w, NULL, api_app(r, api), &ji);
	return jsonw_send(r, 200, &w);
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

/* view=rows: the job's error file (core/importcols.h), as CSV it was written or as XLSX.
 * The ' the CSV writer put before a formula-looking cell is taken off again for XLSX, whose
 * writer keeps such a cell as text itself. */
static int rejected_rows(struct req *r, struct api *api, const struct job_info *ji, enum doc_format f)
{
	char path[1024], why[256] = "";
	int rc = import_rejected_path(api->app, ji->id, path, sizeof(path));
	if (rc)
		return rc;
	struct sheet s;
	rc = sheet_read(path, &s, why, sizeof(why));
	if (rc == ERR_NOTFOUND)
		return req_fail(r, rc, "this job has no refused rows");
	if (rc)
		return rc;
	struct doc_writer *w = NULL;
	char tmp[1024];
	snprintf(tmp, sizeof(tmp), "%s/jobs", api->app->data_dir);
	struct doc_writer_opts o = {.bom = true, .sheet_name = "错误", .tmpdir = tmp};
	rc = doc_writer_open(f, &o, &w);
	for (long i = 0; !rc && i < s.nrows; i++) {
		struct sheet_row *row = &s.rows[i];
		for (int k = 0; k < row->ncells; k++)
			if (row->cells[k][0] == '\'' && doc_formula_like(row->cells[k] + 1))
				row->cells[k]++;
		rc = doc_writer_row(w, (const char *const *)row->cells, row->ncells);
	}
	sheet_free(&s);
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
	snprintf(disp, sizeof(disp), "attachment; filename=\"job-%" PRId64 "-rows.%s\"", ji->id,
		 doc_format_ext(f));
	resp_header(r, "Content-Disposition", disp);
	return resp_take(r, 200, doc_format_ctype(f), bytes, len);
}

int api_job_errors(struct req *r, void *ctx)
{
	struct api *api = ctx;
	struct job_info ji;
	int rc = load(r, api, &ji);
	if (rc)
		return rc;
	enum doc_format f = DOC_CSV;
	const char *fmt = req_query(r, "format"), *view = req_query(r, "view");
	if (fmt)
		doc_format_parse(fmt, &f); /* the query spec allows csv and xlsx only */
	if (view && !strcmp(view, "rows"))
		return rejected_rows(r, api, &ji, f);
	struct doc_writer *w = NULL;
	char tmp[1024];
	snprintf(tmp, sizeof(tmp), "%s/jobs", api->app->data_dir);
	struct doc_writer_opts o = {.bom = true, .sheet_name = "错误", .tmpdir = tmp};
	rc = doc_writer_open(f, &o, &w);
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
	snprintf(disp, sizeof(disp), "attachment; filename=\"job-%" PRId64 "-errors.%s\"", ji.id,
		 doc_format_ext(f));
	resp_header(r, "Content-Disposition", disp);
	return resp_take(r, 200, doc_format_ctype(f), bytes, len);
}
