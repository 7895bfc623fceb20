/*
 * api.h - the JSON API: the route table and the handlers behind it.
 *
 * Handlers decode (the dispatcher already checked the request against the route's specs),
 * call one domain function, and encode the answer. They hold no SQL and no generic checks.
 */
#ifndef KEXIE_API_API_H
#define KEXIE_API_API_H

#include "core/app.h"
#include "core/audit.h"
#include "http/http.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What every handler receives as its `void *app`. */
struct workpool;
struct ratelimit;

struct api {
	struct app *app;
	struct server *srv;        /* set once the server runs (metrics) */
	struct workpool *hashers;  /* argon2id off the HTTP threads: cores threads, bounded queue */
	struct ratelimit *login_failures; /* failed sign-ins per client address and minute */
	bool https;                /* reached over HTTPS (a TLS proxy in front): Secure cookies */
	/* jobs and files (jobs.c, orgio.c) */
	struct workpool *files;    /* parsing uploads and building exports off the HTTP threads */
	struct job_runner *jobs;   /* the server's job runner, kicked when a job is created */
};

extern const struct route api_routes[];
extern const size_t api_routes_count;
extern const struct http_hooks api_hooks;

/* The OpenAPI 3.1 document built from the route table. Returns NULL (and names the
 * route in why) when a route lacks what the document needs: a summary, a tag. */
json_t *api_openapi(const char *version, char *why, size_t cap);

/* A string member of a (validated) body, or NULL. */
static inline const char *api_str(json_t *body, const char *key)
{
	return json_string_value(json_object_get(body, key));
}

/* The app a handler works with: for read-only routes a per-request copy whose reads share
 * one snapshot (hooks.c), otherwise the server's. */
struct app *api_app(struct req *r, struct api *api);

/* The session cookie: `__Host-kexie_session` with Secure over HTTPS (the https setting,
 * or X-Forwarded-Proto: https from the proxy), else `kexie_session`; HttpOnly,
 * SameSite=Lax, Path=/. api_session_cookie reads whichever the browser sent;
 * api_set_session_cookie sets it (token NULL: expires it). */
const char *api_session_cookie(struct req *r);
void api_set_session_cookie(struct req *r, struct api *api, const char *token);

/* The actor for the audit trail: the request's caller, request id, client address, and
 * the role it acts under for perm at org_id (hooks.c). */
struct audit_entry api_actor(struct req *r, struct api *api, const char *perm, int64_t org_id);

/* Handlers, one group per file. */
int api_health(struct req *r, void *ctx);
int api_metrics(struct req *r, void *ctx);
int api_about(struct req *r, void *ctx);
int api_openapi_get(struct req *r, void *ctx);
int api_client_error(struct req *r, void *ctx);
int api_region_get(struct req *r, void *ctx);
int api_region_list(struct req *r, void *ctx);
int api_org_get(struct req *r, void *ctx);
int api_org_search(struct req *r, void *ctx);
int api_org_children(struct req *r, void *ctx);
int api_org_counts(struct req *r, void *ctx);
int api_org_create(struct req *r, void *ctx);
int api_org_move(struct req *r, void *ctx);
int api_org_close(struct req *r, void *ctx);
int api_org_update(struct req *r, void *ctx);
int api_org_history(struct req *r, void *ctx);
int api_org_links(struct req *r, void *ctx);
int api_org_link_add(struct req *r, void *ctx);
int api_audit_list(struct req *r, void *ctx);
int api_session_create(struct req *r, void *ctx);
int api_session_get(struct req *r, void *ctx);
int api_session_delete(struct req *r, void *ctx);
int api_user_search(struct req *r, void *ctx);
int api_user_get(struct req *r, void *ctx);
int api_user_create(struct req *r, void *ctx);
int api_user_role_add(struct req *r, void *ctx);
int api_user_role_remove(struct req *r, void *ctx);
int api_user_disable(struct req *r, void *ctx);
int api_user_enable(struct req *r, void *ctx);
int api_user_unlock(struct req *r, void *ctx);
int api_user_sessions_end(struct req *r, void *ctx);
int api_user_password(struct req *r, void *ctx);
int api_me_sessions(struct req *r, void *ctx);
int api_me_session_end(struct req *r, void *ctx);
int api_me_tokens(struct req *r, void *ctx);
int api_me_token_create(struct req *r, void *ctx);
int api_me_token_revoke(struct req *r, void *ctx);
int api_me_password(struct req *r, void *ctx);
/* jobs.c and orgio.c: background jobs, org import and export */
struct job_info;
/* A job as the API shows it (the first 100 errors included); NULL when out of memory. */
json_t *api_job_json(struct app *a, const struct job_info *ji);
int api_job_get(struct req *r, void *ctx);
int api_job_cancel(struct req *r, void *ctx);
int api_job_errors(struct req *r, void *ctx);
int api_org_import_preview(struct req *r, void *ctx);
int api_org_import(struct req *r, void *ctx);
int api_org_export(struct req *r, void *ctx);

#endif
