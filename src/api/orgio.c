/*
 * orgio.c (api) - the organization tree in and out as spreadsheets: a preview of an upload
 * (format, encoding, how its columns map, the first rows), the import as a background job
 * (core/orgimport.h; progress at /api/v1/jobs/{id}), and the export of a subtree in the
 * import's columns. Files are parsed and built on the `files` worker pool, never on an HTTP
 * thread.
 */
#include "api/api.h"
#include "base/jsonw.h"
#include "core/job.h"
#include "core/org.h"
#include "core/orgimport.h"
#include "core/rbac.h"
#include "doc/sheet.h"
#include "doc/writer.h"
#include "base/log.h"
#include "base/timeutil.h"
#include "base/utf8.h"

#include <sodium.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PREVIEW_ROWS 10

/* An unreadable file: 422 on the field "file" with the reader's reason. */
static int bad_file(struct req *r, int rc, const char *why)
{
	const char *code = rc == ERR_TOOBIG                                  ? "too_large"
			   : rc == ERR_UNPROCESSABLE && strstr(why, "empty") ? "empty"
									     : "unreadable";
	errlist_add(req_errs(r), "file", code, why);
	return req_fail(r, ERR_UNPROCESSABLE, "the file cannot be read as a spreadsheet");
}

int api_import_preview(struct req *r, void (*columns)(struct sheet *, struct import_column *, int, int *))
{
	size_t n = 0;
	const char *data = req_body(r, &n);
	struct sheet s;
	char why[256] = "";
	int rc = sheet_read_mem_named(data, n, req_query(r, "sheet"), &s, why, sizeof(why));
	if (rc)
		return bad_file(r, rc, why);
	struct import_column cols[SHEET_MAX_COLS];
	int ncols = 0;
	columns(&s, cols, SHEET_MAX_COLS, &ncols);
	struct jsonw w;
	jsonw_init(&w);
	jsonw_object(&w, NULL);
	jsonw_str(&w, "format", s.format);
	jsonw_str(&w, "encoding", s.encoding);
	jsonw_int(&w, "row_count", s.nrows > 0 ? s.nrows - 1 : 0);
	jsonw_array(&w, "columns");
	for (int i = 0; i < ncols; i++) {
		jsonw_object(&w, NULL);
		jsonw_int(&w, "index", cols[i].index);
		jsonw_str(&w, "header", cols[i].header);
		jsonw_str(&w, "field", cols[i].field);
		jsonw_end(&w);
	}
	jsonw_end(&w);
	jsonw_array(&w, "sample");
	for (long i = 1; i < s.nrows && i <= PREVIEW_ROWS; i++) {
		const struct sheet_row *sr = &s.rows[i];
		jsonw_array(&w, NULL);
		for (int k = 0; k < sr->ncells; k++)
			jsonw_str(&w, NULL, sr->bad_encoding ? "" : sr->cells[k]);
		jsonw_end(&w);
	}
	jsonw_end(&w);
	jsonw_end(&w);
	sheet_free(&s);
	return jsonw_send(r, 200, &w);
}

static int preview_on_worker(struct req *r, void *arg)
{
	(void)arg;
	return api_import_preview(r, org_import_columns);
}

int api_org_import_preview(struct req *r, void *ctx)
{
	struct api *api = ctx;
	return req_defer(r, api->files, preview_on_worker, api);
}

size_t api_header_decoded(struct req *r, const char *name, char *out, size_t cap)
{
	out[0] = '\0';
	const char *h = req_header(r, name);
	size_t n = 0;
	for (const char *p = h ? h : ""; *p && n + 1 < cap; p++) {
		int hi, lo;
		if (*p == '%' && sscanf(p + 1, "%1x%1x", &hi, &lo) == 2) {
			out[n++] = (char)(hi * 16 + lo);
			p += 2;
		} else {
			out[n++] = *p;
		}
	}
	out[n] = '\0';
	return n;
}

/* X-File-Name, for showing only: percent-decoded (browsers send headers in ASCII), its last
 * path part, valid UTF-8 without control characters, at most 200 bytes; "" otherwise. */
static void file_name(struct req *r, char *out, size_t cap)
{
	api_header_decoded(r, "X-File-Name", out, cap < 201 ? cap : 201);
	char *base = strrchr(out, '/');
	char *bs = strrchr(out, '\\');
	if (bs && (!base || bs > base))
		base = bs;
	if (base)
		memmove(out, base + 1, strlen(base + 1) + 1);
	bool ok = utf8_valid(out, strlen(out), NULL);
	for (const unsigned char *p = (const unsigned char *)out; ok && *p; p++)
		ok = *p >= 0x20 && *p != 0x7f;
	if (!ok)
		out[0] = '\0';
}

/* Stores the upload as DATA_DIR/jobs/<random>.upload (0600, synced): the job reads it, after
 * a restart too. path receives its name, hash its BLAKE2b. */
static int store_upload(struct api *api, const char *data, size_t n, char *path, size_t cap, char hash[65])
{
	unsigned char rnd[12];
	char hex[25];
	randombytes_buf(rnd, sizeof(rnd));
	sodium_bin2hex(hex, sizeof(hex), rnd, sizeof(rnd));
	if (snprintf(path, cap, "%s/jobs/%s.upload", api->app->data_dir, hex) >= (int)cap)
		return ERR_INTERNAL;
	unsigned char h[32];
	crypto_generichash(h, sizeof(h), (const unsigned char *)data, n, NULL, 0);
	sodium_bin2hex(hash, 65, h, sizeof(h));
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		log_error("import: cannot create %s: %s", path, strerror(errno));
		return ERR_IO;
	}
	size_t done = 0;
	while (done < n) {
		ssize_t w = write(fd, data + done, n - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		done += (size_t)w;
	}
	bool ok = done == n && fsync(fd) == 0; /* disk full shows here, not in the job */
	ok = close(fd) == 0 && ok;
	if (!ok) {
		log_error("import: cannot write %s: %s", path, strerror(errno));
		unlink(path);
		return ERR_IO;
	}
	return 0;
}

int api_import_submit(struct req *r, struct api *api, const char *kind, const char *perm, int64_t org_id,
		      const char *params)
{
	size_t n = 0;
	const char *data = req_body(r, &n);
	if (n == 0) {
		errlist_add(req_errs(r), "file", "empty", "the file is empty");
		return req_fail(r, ERR_UNPROCESSABLE, "send the spreadsheet as the request body");
	}
	const char *dry = req_query(r, "dry_run");
	char path[1024], hash[65], name[256];
	file_name(r, name, sizeof(name));
	int rc = store_upload(api, data, n, path, sizeof(path), hash);
	if (rc)
		return rc;
	struct audit_entry who = api_actor(r, api, perm, org_id);
	const struct caller *c = req_user(r);
	struct job_new jn = {.kind = kind,
			     .origin = "http",
			     .owner_id = c->user_id,
			     .role = who.role,
			     .request_id = req_id(r),
			     .client_addr = req_client_addr(r),
			     .dry_run = dry && !strcmp(dry, "true"),
			     .input_path = path,
			     .input_name = name,
			     .input_hash = hash,
			     .params = params};
	int64_t id = 0;
	rc = job_create(api->app, &jn, &id);
	if (rc) {
		unlink(path);
		if (rc == ERR_RATELIMIT)
			return req_fail(
				r, rc,
				"you have %d imports or other jobs waiting or running: wait for one to end",
				JOB_UNFINISHED_MAX);
		return rc;
	}
	job_runner_kick(api->jobs);
	struct job_info ji;
	rc = job_get(api->app, id, c->user_id, &ji);
	if (rc)
		return rc;
	struct jsonw w;
	jsonw_init(&w);
	jsonw_object(&w, NULL);
	api_job_json(&w, "job", api->app, &ji);
	jsonw_end(&w);
	char loc[64];
	snprintf(loc, sizeof(loc), "/api/v1/jobs/%" PRId64, id);
	resp_header(r, "Location", loc);
	return jsonw_send(r, 202, &w);
}

static int import_on_worker(struct req *r, void *arg)
{
	return api_import_submit(r, arg, org_import_kind.name, "org.write", 0, NULL);
}

int api_org_import(struct req *r, void *ctx)
{
	struct api *api = ctx;
	return req_defer(r, api->files, import_on_worker, api);
}

/* ---- export ---- */

static int export_on_worker(struct req *r, void *arg)
{
	struct api *api = arg;
	int64_t id = req_param_int(r, "id");
	const char *fmt = req_query(r, "format"), *as_of = req_query(r, "as_of"),
		   *inc = req_query(r, "include_closed");
	enum doc_format f = DOC_CSV;
	if (fmt)
		doc_format_parse(fmt, &f); /* the query spec allows csv and xlsx only */
	bool closed = inc && !strcmp(inc, "true");
	struct app *a = api_app(r, api);
	struct org o;
	int rc = org_get(a, id, as_of, &o);
	if (rc == ERR_NOTFOUND)
		return req_fail(r, rc, "no such organization on that date");
	if (rc)
		return rc;
	char tmp[1024];
	snprintf(tmp, sizeof(tmp), "%s/jobs", a->data_dir);
	struct doc_writer_opts wo = {
		.bom = true, .sheet_name = "组织", .tmpdir = tmp, .max_bytes = (size_t)256 << 20};
	struct doc_writer *w = NULL;
	rc = doc_writer_open(f, &wo, &w);
	if (rc)
		return rc;
	long rows = 0;
	struct rbac_seen seen;
	rbac_seen(req_user(r), "org.read", &seen);
	rc = org_export(a, id, as_of, closed, &seen, w, &rows);
	if (rc) {
		doc_writer_free(w);
		if (rc == ERR_TOOBIG)
			return req_fail(r, rc, "the subtree is too large for one file: export its branches");
		return rc;
	}
	char *bytes = NULL;
	size_t len = 0;
	rc = doc_writer_close(w, &bytes, &len);
	if (rc)
		return rc;
	/* exports carry contact details: who took what is recorded */
	struct audit_entry who = api_actor_obj(r, api, 0);
	char oid[24];
	snprintf(oid, sizeof(oid), "%" PRId64, id);
	struct audit_diff d;
	audit_diff_init(&d);
	audit_diff_str(&d, "format", doc_format_ext(f));
	audit_diff_int(&d, "rows", rows);
	audit_diff_str(&d, "as_of", as_of);
	if (closed)
		audit_diff_str(&d, "include_closed", "true");
	who.action = "org.export";
	who.object_type = "org";
	who.object_id = oid;
	who.org_id = id;
	who.detail = audit_diff_text(&d);
	rc = audit_record(a, &who);
	if (rc) {
		free(bytes);
		return rc;
	}
	char today[11], disp[160];
	org_today(today);
	snprintf(disp, sizeof(disp), "attachment; filename=\"org-%s-%s.%s\"", o.code,
		 as_of && *as_of ? as_of : today, doc_format_ext(f));
	resp_header(r, "Content-Disposition", disp);
	return resp_take(r, 200, doc_format_ctype(f), bytes, len);
}

int api_org_export(struct req *r, void *ctx)
{
	struct api *api = ctx; /* the route's object (the root, org.read) was checked before */
	return req_defer(r, api->files, export_on_worker, api);
}
