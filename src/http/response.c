/*
 * response.c - building answers: the ERR_* -> status mapping (the only one), the JSON
 * error shape, and the headers every answer carries.
 *
 * Error shape: {"error":{"code":"invalid","message":"...","request_id":"...",
 *               "details":[{"field":"...","code":"...","message":"...",
 *                           "params":{"max":200}}]}}
 * Messages are English; `code` is stable for the UI to translate, with `params` (min, max,
 * row, column, other_field ...) for it to fill in; a detail about a file row also carries
 * "row" beside the params. No SQL, stack or path
 * ever goes in: internal failures say "internal error" and the log has the rest.
 */
#include "http/internal.h"
#include "base/jsonw.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <strings.h>

unsigned http_status_for(int code)
{
	switch (code) {
	case 0: return 200;
	case ERR_INVALID: return 400;
	case ERR_UNPROCESSABLE: return 422;
	case ERR_NOTFOUND: return 404;
	case ERR_CONFLICT: return 409;
	case ERR_PRECONDITION: return 412;
	case ERR_PRECOND_REQUIRED: return 428;
	case ERR_FORBIDDEN: return 403;
	case ERR_UNAUTHORIZED: return 401;
	case ERR_TOOBIG: return 413;
	case ERR_MEDIATYPE: return 415;
	case ERR_RATELIMIT: return 429;
	case ERR_BUSY: return 503;
	case ERR_UNAVAILABLE: return 503;
	case ERR_METHOD: return 405;
	case ERR_URITOOLONG: return 414;
	case ERR_HEADTOOBIG: return 431;
	default: return 500;
	}
}

static const char *default_message(int code)
{
	switch (code) {
	case ERR_INVALID: return "the request is invalid";
	case ERR_UNPROCESSABLE: return "some fields are invalid";
	case ERR_NOTFOUND: return "not found";
	case ERR_CONFLICT: return "the request conflicts with the current state";
	case ERR_PRECONDITION: return "the object was changed by someone else; reload it";
	case ERR_PRECOND_REQUIRED: return "send If-Match with the version you edited";
	case ERR_FORBIDDEN: return "you may not do this";
	case ERR_UNAUTHORIZED: return "sign in first";
	case ERR_TOOBIG: return "the request body is too large";
	case ERR_MEDIATYPE: return "send the body as application/json";
	case ERR_RATELIMIT: return "too many requests; try again later";
	case ERR_BUSY: return "the server is busy; try again shortly";
	case ERR_UNAVAILABLE: return "the database is unavailable";
	case ERR_METHOD: return "this method is not allowed here";
	case ERR_URITOOLONG: return "the URL is too long";
	case ERR_HEADTOOBIG: return "the request headers are too large";
	default: return "internal error";
	}
}

int req_fail(struct req *r, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->errmsg, sizeof(r->errmsg), fmt, ap);
	va_end(ap);
	return code;
}

static void set_body(struct req *r, unsigned status, const char *ctype, char *owned, size_t n)
{
	free(r->out);
	if (r->has_fd) {
		close(r->out_fd);
		r->has_fd = false;
	}
	r->status = status;
	r->ctype = ctype;
	r->out = owned;
	r->out_len = n;
	r->out_static = NULL;
}

int resp_empty(struct req *r, unsigned status)
{
	set_body(r, status, "application/json", NULL, 0);
	return 0;
}

int resp_take(struct req *r, unsigned status, const char *ctype, char *data, size_t n)
{
	set_body(r, status, ctype, data, n);
	return 0;
}

int resp_file(struct req *r, unsigned status, const char *ctype, int fd, int64_t size)
{
	set_body(r, status, ctype, NULL, 0);
	r->out_fd = fd;
	r->out_fd_len = size;
	r->has_fd = true;
	return 0;
}

int resp_raw(struct req *r, unsigned status, const char *ctype, const char *data, size_t n)
{
	char *p = malloc(n ? n : 1);
	if (!p)
		return ERR_NOMEM;
	memcpy(p, data, n);
	set_body(r, status, ctype, p, n);
	return 0;
}

int resp_header(struct req *r, const char *name, const char *value)
{
	if (r->nhdr >= MAX_RESP_HEADERS)
		return ERR_TOOBIG;
	r->hdr[r->nhdr].name = strdup(name);
	r->hdr[r->nhdr].value = strdup(value);
	if (!r->hdr[r->nhdr].name || !r->hdr[r->nhdr].value)
		return ERR_NOMEM;
	r->nhdr++;
	return 0;
}

/* One field error of the answer's details: field, code, message, the row of a file's cell,
 * and the params (the row and column for a cell, then the error's own). */
static void fielderr_write(struct jsonw *w, const struct fielderr *e)
{
	jsonw_object(w, NULL);
	jsonw_str(w, "field", e->field);
	jsonw_str(w, "code", e->code);
	jsonw_str(w, "message", e->message);
	if (e->row)
		jsonw_int(w, "row", e->row);
	if (e->nparams || e->row) {
		jsonw_object(w, "params");
		if (e->row) { /* a file's cell: the row, and the column is the field */
			jsonw_int(w, "row", e->row);
			if (e->field[0])
				jsonw_str(w, "column", e->field);
		}
		for (int k = 0; k < e->nparams && k < FIELDERR_PARAMS; k++) {
			const struct fielderr_param *fp = &e->params[k];
			if (fp->is_num)
				jsonw_int(w, fp->key, fp->num);
			else
				jsonw_str(w, fp->key, fp->text);
		}
		jsonw_end(w);
	}
	jsonw_end(w);
}

int resp_error(struct req *r, int code)
{
	unsigned status = http_status_for(code);
	/* internal failures never echo what a handler wrote: it may hold database detail */
	const char *msg = status >= 500 && status != 503 ? default_message(code)
			  : r->errmsg[0]                 ? r->errmsg
							 : default_message(code);
	struct jsonw w;
	jsonw_init(&w);
	jsonw_object(&w, NULL);
	jsonw_object(&w, "error");
	jsonw_str(&w, "code", err_name(code));
	jsonw_str(&w, "message", msg);
	jsonw_str(&w, "request_id", r->rid);
	jsonw_array(&w, "details");
	for (int i = 0; i < r->errs.n; i++)
		fielderr_write(&w, &r->errs.e[i]);
	jsonw_end(&w);
	jsonw_end(&w);
	jsonw_end(&w);
	bool has_retry = false;
	for (int i = 0; i < r->nhdr; i++)
		has_retry |= !strcasecmp(r->hdr[i].name, "Retry-After");
	if (!has_retry && (code == ERR_BUSY || code == ERR_UNAVAILABLE || code == ERR_RATELIMIT))
		resp_header(r, "Retry-After", "1"); /* a handler that knows better set its own */
	return jsonw_send(r, status, &w);
}

void resp_security_headers(struct MHD_Response *resp, bool is_html)
{
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Referrer-Policy", "same-origin");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Cross-Origin-Opener-Policy", "same-origin");
	if (is_html)
		MHD_add_response_header(
			resp, "Content-Security-Policy",
			"default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
			"img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
			"object-src 'none'; base-uri 'self'; form-action 'self'; "
			"frame-ancestors 'none'");
	else
		MHD_add_response_header(resp, "Content-Security-Policy",
					"default-src 'none'; frame-ancestors 'none'");
}

int jsonw_send(struct req *r, unsigned status, struct jsonw *w)
{
	int rc = jsonw_result(w);
	if (rc) {
		jsonw_release(w);
		return rc;
	}
	size_t n;
	char *p = jsonw_detach(w, &n);
	if (!p) { /* a fixed writer: copy its text */
		const char *t = jsonw_text(w, &n);
		return resp_raw(r, status, "application/json", t, n);
	}
	return resp_take(r, status, "application/json", p, n);
}
