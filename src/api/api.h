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
#include "core/org.h"
#include "http/http.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What every handler receives as its `void *app`. */
struct workpool;
struct ratelimit;

struct api {
	struct app *app;
	struct server *srv;               /* set once the server runs (metrics) */
	struct workpool *hashers;         /* argon2id off the HTTP threads: cores threads, bounded queue */
	struct ratelimit *login_failures; /* failed sign-ins per client address and minute */
	bool https;                       /* reached over HTTPS (a TLS proxy in front): Secure cookies */
	/* jobs and files (jobs.c, orgio.c) */
	struct workpool *files;         /* parsing uploads and building exports off the HTTP threads */
	struct job_runner *jobs;        /* the server's job runner, kicked when a job is created */
	struct ratelimit *applications; /* membership applications per client address and hour */
	struct file_sweeper *sweeper;   /* removes uploads attached to nothing (core/file.h) */
};

/* ---- what a route acts on (struct route_obj's kind and flags; resolved by hooks.c) ----
 * Every row declares obj[0], what the route is about, or says in `why` that it cannot. The
 * objects hook resolves each declared object and applies the one scope rule (rbac.h) before
 * the handler runs: outside every scope 404, inside without the permission 403, naming the
 * field when the id came in the query or the body. Handlers read the result (api_obj) and
 * never check scope themselves. */
enum api_obj_kind {
	OBJ_PUBLIC = 1,  /* anyone, signed in or not */
	OBJ_SELF,        /* the caller's own session, sessions, tokens, password: any signed-in caller */
	OBJ_SYSTEM,      /* the system as a whole: the permission must come from a post (system-wide) */
	OBJ_ORG,         /* an organization: the scope rule on its chain as of today */
	OBJ_ACCOUNT,     /* an account: seen when one of its roles is in scope, changed when all are */
	OBJ_PERSON,      /* a person of the register: its keeping org or a current membership's org in
			   scope (domain/member.h member_check) */
	OBJ_MEMBERSHIP,  /* a membership: the scope rule on its org */
	OBJ_APPLICATION, /* a membership application: the scope rule on the org applied to */
	OBJ_ERASURE,     /* a member's erasure request: the scope rule on the person's keeping org */
	OBJ_UNIT,        /* a member unit (group member): the scope rule on its keeping org */
	OBJ_FILE,        /* a stored file: its uploader while attached to nothing, else whoever may
			   see one of its owners (core/file.h file_may_see; 404 otherwise) */
	OBJ_FORM,        /* a form template: the scope rule on its owning org (a built-in one has none:
			   reading needs the permission anywhere, changing it is refused); with
			   OBJF_FROM_BELOW also reachable from the orgs below the owner, which fill it in */
	OBJ_SUBMISSION,  /* a form submission: the scope rule on the submitting org, or with
			   OBJF_RECEIVER on the receiving org (its reviewers) */
	OBJ_NOTICE,      /* a notice, the sender's side: the scope rule on its issuing org (a recipient's
			   side is its inbox: an OBJ_ORG, the recipient org, in the path) */
};
enum api_obj_flag {
	OBJF_DEFAULT_SCOPE = 1u << 0, /* absent: the caller's first scope granting the permission */
	OBJF_ROOT_SYSTEM = 1u << 1,   /* absent: a new root, which needs the permission system-wide */
	OBJF_OPTIONAL = 1u << 2,      /* absent: nothing to check */
	/* not about absence (so not in `kexie routes --json` flags): */
	OBJF_FROM_BELOW = 1u << 3, /* OBJ_FORM: a grant at or below the owner reaches it too */
	OBJF_RECEIVER = 1u << 4,   /* OBJ_SUBMISSION: judged on the receiving org */
};
/* Row shorthands: `.obj = {ORG_AT(RO_PATH, "id"), ORG_AT(RO_BODY, "guide_id", .perm = "org.read")}` */
#define AT_PUBLIC                  \
	{                          \
		.kind = OBJ_PUBLIC \
	}
#define AT_SELF                  \
	{                        \
		.kind = OBJ_SELF \
	}
#define AT_SYSTEM                  \
	{                          \
		.kind = OBJ_SYSTEM \
	}
#define ORG_AT(where, param, ...)                                            \
	{                                                                    \
		.kind = OBJ_ORG, .in = (where), .name = (param), __VA_ARGS__ \
	}
#define ACCOUNT_AT(where, param, ...)                                            \
	{                                                                        \
		.kind = OBJ_ACCOUNT, .in = (where), .name = (param), __VA_ARGS__ \
	}

#define PERSON_AT(where, param, ...)                                            \
	{                                                                       \
		.kind = OBJ_PERSON, .in = (where), .name = (param), __VA_ARGS__ \
	}
#define APPLICATION_AT(where, param, ...)                                            \
	{                                                                            \
		.kind = OBJ_APPLICATION, .in = (where), .name = (param), __VA_ARGS__ \
	}
#define ERASURE_AT(where, param, ...)                                            \
	{                                                                        \
		.kind = OBJ_ERASURE, .in = (where), .name = (param), __VA_ARGS__ \
	}
#define UNIT_AT(where, param, ...)                                            \
	{                                                                     \
		.kind = OBJ_UNIT, .in = (where), .name = (param), __VA_ARGS__ \
	}
#define FORM_AT(where, param, ...)                                            \
	{                                                                     \
		.kind = OBJ_FORM, .in = (where), .name = (param), __VA_ARGS__ \
	}
#define SUBMISSION_AT(where, param, ...)                                            \
	{                                                                           \
		.kind = OBJ_SUBMISSION, .in = (where), .name = (param), __VA_ARGS__ \
	}
#define MEMBERSHIP_AT(where, param, ...)                                            \
	{                                                                           \
		.kind = OBJ_MEMBERSHIP, .in = (where), .name = (param), __VA_ARGS__ \
	}

#define FILE_AT(where, param, ...)                                            \
	{                                                                     \
		.kind = OBJ_FILE, .in = (where), .name = (param), __VA_ARGS__ \
	}

#define NOTICE_AT(where, param, ...)                                            \
	{                                                                       \
		.kind = OBJ_NOTICE, .in = (where), .name = (param), __VA_ARGS__ \
	}

/* "public", "self", "system", "org", "account", "person", "membership" ("" for 0 or
 * unknown). */
const char *api_obj_kind_name(int kind);

/* A resolved object of the request. */
struct api_obj {
	int64_t id;       /* the org or account; 0 when absent (a new root, an optional filter) */
	const char *role; /* the caller's role granting the permission on it ("" when none) */
	struct org org;   /* OBJ_ORG with an id: the org as of today */
};
/* The request's i-th object (as declared in its row); a zero object when there is none.
 * Owned by the request. */
const struct api_obj *api_obj(struct req *r, int i);

/* The audit actor acting under the role the i-th object was granted by. */
struct audit_entry api_actor_obj(struct req *r, struct api *api, int i);

/* Reply shapes for route.reply: the names the OpenAPI document describes (openapi.c).
 * "raw" = not JSON (route flag RF_RAW), "none" = no body (204). A unit test refuses a row
 * naming anything else. */
bool api_reply_known(const char *reply);

/* The route's OpenAPI operationId (getOrg, listOrgChildren, moveOrg ...) into out. */
void api_operation_id(const struct route *rt, char *out, size_t cap);

extern const struct route api_routes[];
extern const size_t api_routes_count;
extern const struct http_hooks api_hooks;

/* 0 when a row is complete: method, summary, tag, response text, a success status with a
 * known reply shape that fits it, and obj[0] declared (each org or account object naming
 * an integer path/query/body parameter of the row, with a permission) or a `why`. Else
 * ERR_INVALID and the reason in why. */
int api_route_check(const struct route *rt, char *why, size_t cap);

/* The OpenAPI 3.1 document built from the route table. Returns NULL (and names the
 * route in why) when a row fails api_route_check. */
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
int api_post_request_create(struct req *r, void *ctx);
int api_post_request_approve(struct req *r, void *ctx);
int api_post_request_reject(struct req *r, void *ctx);
int api_post_request_list(struct req *r, void *ctx);
/* jobs.c and orgio.c: background jobs, org import and export */
struct job_info;
struct jsonw;
/* Writes a job as the API shows it (the first 100 errors included) as one object, under
 * key (NULL inside an array or at the top). Failures stick in w (base/jsonw.h). */
void api_job_json(struct jsonw *w, const char *key, struct app *a, const struct job_info *ji);
/* A unix time as ISO 8601 UTC under key, or null for 0. */
void api_time_or_null(struct jsonw *w, const char *key, int64_t t);
int api_job_get(struct req *r, void *ctx);
int api_job_cancel(struct req *r, void *ctx);
int api_job_errors(struct req *r, void *ctx);
int api_org_import_preview(struct req *r, void *ctx);
int api_org_import(struct req *r, void *ctx);
/* Shared by the imports (orgio.c), on a files worker: the preview of the uploaded sheet
 * (the query's `sheet`, else the first) mapped by columns; and storing the upload as a new
 * job of kind (audited under perm at org_id; params: the kind's options) answered 202 with
 * the job. */
struct sheet;
struct import_column;
int api_import_preview(struct req *r, void (*columns)(struct sheet *, struct import_column *, int, int *));
int api_import_submit(struct req *r, struct api *api, const char *kind, const char *perm, int64_t org_id,
		      const char *params);
/* The request header `name` percent-decoded (browsers send header values in ASCII) into
 * out (NUL-terminated, cut at cap - 1 bytes; "" when absent); returns its bytes, which may
 * be anything: the caller checks or sanitises them. */
size_t api_header_decoded(struct req *r, const char *name, char *out, size_t cap);
int api_member_import_preview(struct req *r, void *ctx);
int api_member_import(struct req *r, void *ctx);
int api_member_export(struct req *r, void *ctx);
int api_member_export_post(struct req *r, void *ctx);
int api_org_export(struct req *r, void *ctx);

/* srv11 (issue 11): code lists, an org's life (reopen, yearly figures, recent changes),
 * the workbench's to-do list. */
int api_codes(struct req *r, void *ctx);
int api_org_reopen(struct req *r, void *ctx);
int api_org_stats(struct req *r, void *ctx);
int api_org_changes(struct req *r, void *ctx);
int api_todo(struct req *r, void *ctx);
/* the member register (members.c) */
int api_member_list(struct req *r, void *ctx);
int api_member_create(struct req *r, void *ctx);
int api_member_get(struct req *r, void *ctx);
int api_member_update(struct req *r, void *ctx);
int api_member_reveal(struct req *r, void *ctx);
int api_member_memberships(struct req *r, void *ctx);
int api_membership_list(struct req *r, void *ctx);
int api_membership_create(struct req *r, void *ctx);
int api_membership_get(struct req *r, void *ctx);
int api_membership_end(struct req *r, void *ctx);
int api_membership_pay(struct req *r, void *ctx);
int api_membership_payments(struct req *r, void *ctx);
int api_member_config_get(struct req *r, void *ctx);
int api_member_config_set(struct req *r, void *ctx);
int api_member_tags(struct req *r, void *ctx);
/* stored files (files.c, docs/files.md) */
int api_file_upload(struct req *r, void *ctx);
int api_file_download(struct req *r, void *ctx);
int api_file_thumbnail(struct req *r, void *ctx);
int api_file_discard(struct req *r, void *ctx);
int api_org_files(struct req *r, void *ctx);
int api_org_file_attach(struct req *r, void *ctx);
int api_org_file_detach(struct req *r, void *ctx);
/* registration, approval, the member's own record, erasure (registration.c) */
int api_public_consent(struct req *r, void *ctx);
int api_public_orgs(struct req *r, void *ctx);
int api_public_apply(struct req *r, void *ctx);
int api_public_application_status(struct req *r, void *ctx);
int api_application_list(struct req *r, void *ctx);
int api_application_get(struct req *r, void *ctx);
int api_application_approve(struct req *r, void *ctx);
int api_application_reject(struct req *r, void *ctx);
int api_me_member(struct req *r, void *ctx);
int api_me_member_update(struct req *r, void *ctx);
int api_me_member_export(struct req *r, void *ctx);
int api_me_member_erasure(struct req *r, void *ctx);
int api_erasure_list(struct req *r, void *ctx);
int api_erasure_approve(struct req *r, void *ctx);
int api_erasure_reject(struct req *r, void *ctx);
int api_member_stats(struct req *r, void *ctx); /* memberstats.c */
/* group members (memberunits.c) */
int api_member_unit_create(struct req *r, void *ctx);
int api_member_unit_get(struct req *r, void *ctx);
int api_member_unit_update(struct req *r, void *ctx);
int api_member_unit_list(struct req *r, void *ctx);
/* forms and submissions (forms.c) */
int api_form_list(struct req *r, void *ctx);
int api_form_create(struct req *r, void *ctx);
int api_form_get(struct req *r, void *ctx);
int api_form_update(struct req *r, void *ctx);
int api_form_versions(struct req *r, void *ctx);
int api_form_validate(struct req *r, void *ctx);
int api_submission_list(struct req *r, void *ctx);
int api_submission_create(struct req *r, void *ctx);
int api_submission_get(struct req *r, void *ctx);
int api_submission_save(struct req *r, void *ctx);
int api_submission_submit(struct req *r, void *ctx);
int api_submission_return(struct req *r, void *ctx);
int api_submission_accept(struct req *r, void *ctx);
int api_submission_revisions(struct req *r, void *ctx);
int api_submission_diff(struct req *r, void *ctx);
/* notifications and the outbound hook (notify.c) */
int api_me_notifications(struct req *r, void *ctx);
int api_me_notification_count(struct req *r, void *ctx);
int api_me_notification_read(struct req *r, void *ctx);
int api_me_notifications_read_all(struct req *r, void *ctx);
int api_hook_deliveries(struct req *r, void *ctx);
int api_hook_retry(struct req *r, void *ctx);
int api_hook_test(struct req *r, void *ctx);
/* notices (notices.c, issue 13) */
int api_notice_preview(struct req *r, void *ctx);
int api_notice_render(struct req *r, void *ctx);
int api_notice_list(struct req *r, void *ctx);
int api_notice_create(struct req *r, void *ctx);
int api_notice_get(struct req *r, void *ctx);
int api_notice_update(struct req *r, void *ctx);
int api_notice_submit(struct req *r, void *ctx);
int api_notice_approve(struct req *r, void *ctx);
int api_notice_reject(struct req *r, void *ctx);
int api_notice_send(struct req *r, void *ctx);
int api_notice_recall(struct req *r, void *ctx);
int api_notice_receipts(struct req *r, void *ctx);
int api_notice_recipients(struct req *r, void *ctx);
int api_notice_config_get(struct req *r, void *ctx);
int api_notice_config_set(struct req *r, void *ctx);
int api_inbox_list(struct req *r, void *ctx);
int api_inbox_get(struct req *r, void *ctx);
int api_inbox_read(struct req *r, void *ctx);
int api_inbox_acknowledge(struct req *r, void *ctx);
int api_inbox_forward(struct req *r, void *ctx);
/* An organization as the answer (ETag = its version), as every org handler answers it;
 * and the If-Match version of a write (0 when absent; a malformed one answers 400). */
struct org;
int api_org_answer(struct req *r, const struct org *o, unsigned status);
int api_if_match(struct req *r, int64_t *version);
/* An answer {"items": [...]}: api_items_begin opens it in w (heap-backed); the handler
 * writes each item; api_items_end closes and sends it with status 200 and, when next_key
 * is not NULL, that member after the array (next NULL: null, the last page) - or, when rc
 * is an error, releases w and returns rc. */
struct jsonw;
void api_items_begin(struct jsonw *w);
int api_items_end(struct req *r, struct jsonw *w, int rc, const char *next_key, const char *next);
/* api_if_match for a write that needs the version: 428 (ERR_PRECOND_REQUIRED) without one. */
int api_if_match_required(struct req *r, int64_t *version);
/* Sets the answer's ETag to the quoted version ("\"7\""), which If-Match sends back. */
int api_etag(struct req *r, int64_t version);

#endif
