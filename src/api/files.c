/*
 * files.c (api) - stored files over HTTP (core/file.h, docs/files.md): the upload (the raw
 * body, spooled to DATA_DIR/files/tmp by the HTTP layer, probed and stored on the `files`
 * worker), downloads and thumbnails (sent from the file, never held in memory, always as an
 * attachment with nosniff and the detected type), the uploader throwing an unattached
 * upload away, and the files attached to an organization (the first owner kind).
 */
#include "api/api.h"
#include "base/jsonw.h"
#include "base/timeutil.h"
#include "core/file.h"
#include "store/store.h"

#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* One file as the API shows it, under key (NULL inside an array). */
static void file_json(struct jsonw *w, const char *key, const struct file_info *f)
{
	char at[32];
	time_iso(f->created_at, at, sizeof(at));
	jsonw_object(w, key);
	jsonw_int(w, "id", f->id);
	jsonw_str(w, "name", f->name);
	jsonw_str(w, "type", file_type_name(f->type));
	jsonw_str(w, "media_type", file_type_mime(f->type));
	jsonw_int(w, "size", f->size);
	jsonw_str(w, "hash", f->hash);
	jsonw_bool(w, "thumbnail", f->thumb);
	if (file_type_image(f->type)) {
		jsonw_int(w, "width", f->width);
		jsonw_int(w, "height", f->height);
	}
	jsonw_int(w, "org_id", f->org_id);
	jsonw_bool(w, "attached", f->refs > 0);
	jsonw_str(w, "created_at", at);
	jsonw_end(w);
}

static int send_file(struct req *r, unsigned status, const struct file_info *f)
{
	struct jsonw w;
	jsonw_init(&w);
	file_json(&w, NULL, f);
	return jsonw_send(r, status, &w);
}

static int upload_on_worker(struct req *r, void *arg)
{
	struct api *api = arg;
	int64_t size = 0;
	const char *path = req_body_file(r, &size);
	if (!path)
		return errlist_add(req_errs(r), "file", "file_empty",
				   "the file is empty: send it as the body");
	char name[1024];
	size_t nlen = api_header_decoded(r, "X-File-Name", name, sizeof(name));
	struct audit_entry who = api_actor_obj(r, api, 0);
	struct file_upload u = {.path = path,
				.size = size,
				.name = name,
				.name_len = nlen,
				.org_id = api_obj(r, 0)->id,
				.who = &who};
	struct file_info f;
	int rc = file_store(api->app, &u, req_errs(r), &f);
	if (rc == ERR_UNPROCESSABLE)
		return req_fail(r, rc, "the file is not accepted");
	if (rc)
		return rc;
	char loc[64];
	snprintf(loc, sizeof(loc), "/api/v1/files/%" PRId64, f.id);
	resp_header(r, "Location", loc);
	return send_file(r, 201, &f);
}

int api_file_upload(struct req *r, void *ctx)
{
	struct api *api = ctx;
	return req_defer(r, api->files, upload_on_worker, api);
}

/* Content-Disposition with an ASCII fallback and the UTF-8 name (RFC 6266 / 5987). */
static void disposition(const char *kind, const char *name, char *out, size_t cap)
{
	char ascii[FILE_NAME_MAX + 8], enc[3 * (FILE_NAME_MAX + 8) + 1];
	size_t a = 0, e = 0;
	static const char hex[] = "0123456789ABCDEF";
	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		bool plain = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
			     (*p >= '0' && *p <= '9') || strchr("-._~", *p);
		if (a + 1 < sizeof(ascii) && (*p & 0xc0) != 0x80) /* one '_' a character */
			ascii[a++] = plain || *p == ' ' ? (char)*p : '_';
		if (e + 4 > sizeof(enc))
			break;
		if (plain) {
			enc[e++] = (char)*p;
		} else {
			enc[e++] = '%';
			enc[e++] = hex[*p >> 4];
			enc[e++] = hex[*p & 15];
		}
	}
	ascii[a] = enc[e] = '\0';
	snprintf(out, cap, "%s; filename=\"%s\"; filename*=UTF-8''%s", kind, ascii, enc);
}

/* Sends the blob (or its thumbnail) of the request's file. */
static int send_blob(struct req *r, struct api *api, bool thumb)
{
	struct file_info f;
	int rc = file_get(api_app(r, api), api_obj(r, 0)->id, &f);
	if (rc)
		return rc == ERR_NOTFOUND ? req_fail(r, rc, "no such file") : rc;
	if (thumb && !f.thumb)
		return req_fail(r, ERR_NOTFOUND, "this file has no thumbnail");
	char etag[80];
	snprintf(etag, sizeof(etag), "\"%s%s\"", f.hash, thumb ? "-t" : "");
	resp_header(r, "ETag", etag);
	const char *inm = req_header(r, "If-None-Match");
	if (inm && !strcmp(inm, etag))
		return resp_empty(r, 304);
	char path[1024];
	rc = file_blob_path(api->app, f.hash, thumb, path, sizeof(path));
	if (rc)
		return rc;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st)) {
		if (fd >= 0)
			close(fd);
		return req_fail(r, ERR_IO, "the file's bytes are missing on the server");
	}
	char cd[1024], tname[FILE_NAME_MAX + 16];
	const char *ctype = file_type_mime(f.type);
	if (thumb) {
		ctype = f.type == FILE_PNG ? "image/png" : "image/jpeg";
		snprintf(tname, sizeof(tname), "thumb-%" PRId64 ".%s", f.id,
			 f.type == FILE_PNG ? "png" : "jpg");
	}
	disposition(thumb ? "inline" : "attachment", thumb ? tname : f.name, cd, sizeof(cd));
	resp_header(r, "Content-Disposition", cd);
	return resp_file(r, 200, ctype, fd, (int64_t)st.st_size);
}

int api_file_download(struct req *r, void *ctx)
{
	return send_blob(r, ctx, false);
}

int api_file_thumbnail(struct req *r, void *ctx)
{
	return send_blob(r, ctx, true);
}

int api_file_discard(struct req *r, void *ctx)
{
	struct api *api = ctx;
	struct audit_entry who = api_actor_obj(r, api, 0);
	int rc = file_discard(api->app, api_obj(r, 0)->id, &who);
	if (rc == ERR_NOTFOUND)
		return req_fail(r, rc, "no such upload of yours");
	if (rc == ERR_CONFLICT) {
		errlist_add(req_errs(r), "id", "attached",
			    "the file is in use: remove it where it is attached");
		return req_fail(r, rc, "the file is attached");
	}
	return rc ? rc : resp_empty(r, 204);
}

/* ---- the files of an organization ---- */

static int list_one(const struct file_info *f, void *arg)
{
	file_json(arg, NULL, f);
	return 0;
}

int api_org_files(struct req *r, void *ctx)
{
	struct api *api = ctx;
	struct jsonw w;
	jsonw_init(&w);
	jsonw_object(&w, NULL);
	jsonw_array(&w, "items");
	int rc = file_each_owned(api_app(r, api), file_owner_org.name, api_obj(r, 0)->id, list_one, &w);
	jsonw_end(&w);
	jsonw_end(&w);
	if (rc) {
		jsonw_release(&w);
		return rc;
	}
	return jsonw_send(r, 200, &w);
}

struct attach_arg {
	int64_t file_id, org_id;
	const struct audit_entry *who;
	bool detach;
};

static int attach_fn(struct conn *c, void *arg)
{
	struct attach_arg *x = arg;
	int rc = x->detach ? file_detach(c, x->file_id, file_owner_org.name, x->org_id)
			   : file_attach(c, x->file_id, file_owner_org.name, x->org_id);
	if (rc)
		return rc;
	struct audit_diff d;
	audit_diff_init(&d);
	audit_diff_str(&d, "owner", file_owner_org.name);
	audit_diff_int(&d, "owner_id", x->org_id);
	return audit_object(c, x->who, x->detach ? "file.detach" : "file.attach", "file", x->file_id,
			    x->org_id, audit_diff_text(&d));
}

int api_org_file_attach(struct req *r, void *ctx)
{
	struct api *api = ctx;
	struct audit_entry who = api_actor_obj(r, api, 0);
	struct attach_arg x = {.file_id = api_obj(r, 1)->id, .org_id = api_obj(r, 0)->id, .who = &who};
	int rc = store_tx(api->app->store, attach_fn, &x);
	if (rc)
		return rc == ERR_NOTFOUND ? req_fail(r, rc, "no such file") : rc;
	struct file_info f;
	rc = file_get(api->app, x.file_id, &f);
	return rc ? rc : send_file(r, 200, &f);
}

int api_org_file_detach(struct req *r, void *ctx)
{
	struct api *api = ctx;
	struct audit_entry who = api_actor_obj(r, api, 0);
	struct attach_arg x = {.file_id = req_param_int(r, "file_id"),
			       .org_id = api_obj(r, 0)->id,
			       .who = &who,
			       .detach = true};
	int rc = store_tx(api->app->store, attach_fn, &x);
	if (rc == ERR_NOTFOUND)
		return req_fail(r, rc, "the file is not attached to this organization");
	return rc ? rc : resp_empty(r, 204);
}
