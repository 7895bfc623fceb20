/*
 * post.h - the three administrator posts of 等保 (三员: system_admin, security_admin,
 * audit_admin) and how they are given: separation of duties.
 *
 * The rules (docs/security.md, "Separation of duties"):
 *   - nobody holds two of the posts, and a post holder holds no other role: the post is
 *     all the account does (giving it replaces the account's other roles, which the
 *     request lists and the audit record names);
 *   - nobody gives a post to themselves, nor changes their own roles (account.c);
 *   - over HTTP a post is given by two people: one security administrator requests it, a
 *     different one approves it within POST_REQUEST_DAYS days; neither may be the account;
 *   - with a single security administrator there is nobody to approve: the post is given
 *     on the server (`kexie user grant-post`, post_grant), which is how the first ones are.
 * Posts are system-wide (rbac.h): the org a post is recorded at does not limit it; it is
 * where the account belongs on record (by default the org of its first role).
 */
#ifndef KEXIE_CORE_POST_H
#define KEXIE_CORE_POST_H

#include "core/app.h"
#include "core/audit.h"
#include "base/err.h"

#include <stdbool.h>
#include <stdint.h>

#define POST_REQUEST_DAYS 7

struct post_request {
	int64_t id, user_id, org_id, requested_by, decided_by; /* decided_by 0 while pending */
	int64_t requested_at, expires_at, decided_at;          /* unix seconds; decided_at 0 while pending */
	char login[65], display_name[401], role[16], org_code[33];
	char requested_by_login[65], decided_by_login[65];
	char status[10];    /* pending, approved, rejected, expired (pending past expires_at) */
	char reason[201];   /* a rejection's reason, or "" */
	char replaces[256]; /* the account's roles the post replaces ("staff@DC-C1-K1, ...");
			       when decided: what it replaced */
};

/* Gives `post` to the account at org_id (0: the org of its first role) in one
 * transaction, replacing its other roles, ending its sessions and revoking its tokens;
 * audited as user.post_grant. Field errors: role `not_allowed` (not a post,
 * ERR_UNPROCESSABLE), user_id `self` (who->user_id is the account, ERR_FORBIDDEN),
 * `holds_post` (it holds a post already, ERR_CONFLICT), org_id `not_found`
 * (ERR_UNPROCESSABLE). ERR_NOTFOUND when there is no such account. The server's own way
 * (the CLI); HTTP goes through requests. */
int post_grant(struct app *a, const struct audit_entry *who, int64_t user_id, const char *post,
	       int64_t org_id, struct errlist *errs);

/* Records who's request (who->user_id, a security administrator: the caller's check) to
 * give `post` to the account; *id receives its id. Field errors: user_id `self`
 * (ERR_FORBIDDEN), `holds_post` or `pending` (a live request for it exists; ERR_CONFLICT),
 * org_id `not_found` (ERR_UNPROCESSABLE). Audited as post_request.create. */
int post_request_create(struct app *a, const struct audit_entry *who, int64_t user_id, const char *post,
			int64_t org_id, struct errlist *errs, int64_t *id);

/* Approves (gives the post as post_grant does, in the same transaction) or rejects a
 * pending request, as who->user_id. ERR_NOTFOUND: no such request. ERR_FORBIDDEN with a
 * field error: `same_person` (who requested it), `self` (who is the account).
 * ERR_CONFLICT: `not_pending` or `expired` (field ""), or the account holds a post by
 * now (`holds_post`, the request stays pending). Audited as post_request.approve (with
 * user.post_grant) or post_request.reject, with the reason (may be NULL). */
int post_request_decide(struct app *a, const struct audit_entry *who, int64_t id, bool approve,
			const char *reason, struct errlist *errs);

/* One request; ERR_NOTFOUND when none. */
int post_request_get(struct app *a, int64_t id, struct post_request *out);

/* Requests newest first with id < before_id (0: from the newest), in `status` ("pending",
 * "approved", "rejected", "expired"; NULL or "all": any), at most max; fn may stop the
 * walk by returning an error. *last is the last id given (0 when none). */
int post_request_list(struct app *a, const char *status, int64_t before_id, int max,
		      int (*fn)(const struct post_request *p, void *arg), void *arg, int64_t *last);

#endif
