/*
 * post.c - giving the three administrator posts, with separation of duties (see post.h):
 * the grant itself (post_grant: the server's CLI, and an approved request) and the
 * two-person requests over HTTP (request, approve, reject, list). Every change runs in one
 * transaction with its audit records.
 */
#include "core/post.h"
#include "core/rbac.h"
#include "core/user.h"
#include "core/user_int.h"
#include "base/timeutil.h"
#include "base/utf8.h"
#include "store/store.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* One int64 from a one-row query with $1 = id; ERR_NOTFOUND when no row. */
static int one_int(struct conn *c, const char *sql, int64_t id, int64_t *out)
{
	struct stmt *st = NULL;
	int rc = conn_prepare(c, sql, &st);
	if (rc)
		return rc;
	stmt_bind_int64(st, 1, id);
	rc = stmt_step(st);
	if (rc == STORE_ROW)
		*out = stmt_int64(st, 0);
	stmt_done(st);
	return rc == STORE_ROW ? 0 : rc == STORE_DONE ? ERR_NOTFOUND : rc;
}

/* The account's roles as "role@CODE, ..." (what a post would replace). */
static int roles_text(struct conn *c, int64_t user_id, char *out, size_t cap)
{
	struct stmt *st = NULL;
	out[0] = '\0';
	int rc = conn_prepare(c,
			      "SELECT r.role, o.code FROM role_assignment r JOIN org o ON o.id = r.org_id"
			      " WHERE r.user_id = $1 ORDER BY r.role, o.code",
			      &st);
	if (rc)
		return rc;
	stmt_bind_int64(st, 1, user_id);
	while ((rc = stmt_step(st)) == STORE_ROW) {
		size_t len = strlen(out);
		snprintf(out + len, cap - len, "%s%s@%s", len ? ", " : "", stmt_text(st, 0, NULL),
			 stmt_text(st, 1, NULL));
	}
	stmt_done(st);
	return rc < 0 ? rc : 0;
}

/* The checks every way of giving a post shares, on the caller's connection: the account
 * exists, is not `by` (who acts), holds no post; *org_id defaults to its first role's. */
static int grant_checks(struct conn *c, int64_t by, int64_t user_id, const char *post, int64_t *org_id,
			struct errlist *errs)
{
	char posts[64];
	if (!post || !rbac_is_post(post))
		return errlist_add(errs, "role", "not_allowed", rbac_posts(posts, sizeof(posts)));
	int64_t x = 0;
	int rc = one_int(c, "SELECT id FROM app_user WHERE id = $1", user_id, &x);
	if (rc)
		return rc;
	if (by && by == user_id)
		return errlist_add(errs, "user_id", "self",
				   "nobody gives an administrator post to themselves"),
		       ERR_FORBIDDEN;
	bool holds = false;
	rc = user_holds_post(c, user_id, &holds);
	if (rc)
		return rc;
	if (holds) {
		errlist_add(errs, "user_id", "holds_post",
			    "the account holds an administrator post already: nobody holds two");
		return ERR_CONFLICT;
	}
	if (!*org_id) {
		rc = one_int(
			c,
			"SELECT org_id FROM role_assignment WHERE user_id = $1 ORDER BY role, org_id LIMIT 1",
			user_id, org_id);
		if (rc == ERR_NOTFOUND)
			return errlist_add(errs, "org_id", "required",
					   "the account holds no role: give org_id");
		return rc;
	}
	rc = one_int(c, "SELECT id FROM org WHERE id = $1", *org_id, &x);
	if (rc == ERR_NOTFOUND)
		return errlist_add(errs, "org_id", "not_found", "no such organization");
	return rc;
}

/* Gives the post (after grant_checks): the account's other roles end, then its sessions
 * and tokens; one user.post_grant record names what was replaced and who approved. */
static int grant_conn(struct conn *c, const struct audit_entry *who, int64_t user_id, const char *post,
		      int64_t org_id, const char *requested_by, char *replaced, size_t cap)
{
	int rc = roles_text(c, user_id, replaced, cap);
	if (!rc)
		rc = user_run_sql_id(c, "DELETE FROM role_assignment WHERE user_id = $1", user_id, NULL);
	if (rc)
		return rc;
	struct stmt *st = NULL;
	rc = conn_prepare(c, "INSERT INTO role_assignment (user_id, role, org_id) VALUES ($1, $2, $3)", &st);
	if (rc)
		return rc;
	stmt_bind_int64(st, 1, user_id);
	stmt_bind_text(st, 2, post, strlen(post));
	stmt_bind_int64(st, 3, org_id);
	rc = stmt_step(st);
	stmt_done(st);
	if (rc < 0)
		return rc;
	int64_t ended = 0;
	rc = user_end_credentials(c, user_id, true, &ended);
	if (rc)
		return rc;
	struct audit_diff d;
	audit_diff_init(&d);
	audit_diff_change(&d, "role", NULL, post);
	audit_diff_int(&d, "org_id", org_id);
	audit_diff_str(&d, "replaced", replaced);
	if (requested_by)
		audit_diff_str(&d, "requested_by", requested_by);
	audit_diff_int(&d, "sessions_ended", ended);
	audit_diff_str(&d, "tokens", "revoked");
	return audit_object(c, who, "user.post_grant", "user", user_id, org_id, audit_diff_text(&d));
}

struct grant_job {
	const struct audit_entry *who;
	int64_t user_id, org_id, id;
	const char *post, *reason;
	bool approve;
	struct errlist *errs;
};

static int grant_tx(struct conn *c, void *arg)
{
	struct grant_job *j = arg;
	int rc = grant_checks(c, j->who->user_id, j->user_id, j->post, &j->org_id, j->errs);
	char replaced[256];
	return rc ? rc
		  : grant_conn(c, j->who, j->user_id, j->post, j->org_id, NULL, replaced, sizeof(replaced));
}

int post_grant(struct app *a, const struct audit_entry *who, int64_t user_id, const char *post,
	       int64_t org_id, struct errlist *errs)
{
	struct grant_job j = {.who = who, .user_id = user_id, .post = post, .org_id = org_id, .errs = errs};
	return store_tx(a->store, grant_tx, &j);
}

/* ---- requests ---- */

static int request_tx(struct conn *c, void *arg)
{
	struct grant_job *j = arg;
	int rc = grant_checks(c, j->who->user_id, j->user_id, j->post, &j->org_id, j->errs);
	if (rc)
		return rc;
	int64_t now = time_unix(), live = 0;
	struct stmt *st = NULL;
	rc = conn_prepare(c,
			  "SELECT count(*) FROM post_request WHERE user_id = $1 AND status = 'pending'"
			  " AND expires_at > $2",
			  &st);
	if (rc)
		return rc;
	stmt_bind_int64(st, 1, j->user_id);
	stmt_bind_int64(st, 2, now);
	if (stmt_step(st) == STORE_ROW)
		live = stmt_int64(st, 0);
	stmt_done(st);
	if (live) {
		errlist_add(j->errs, "user_id", "pending", "a request for this account awaits a decision");
		return ERR_CONFLICT;
	}
	rc = conn_prepare(
		c,
		"INSERT INTO post_request (user_id, role, org_id, requested_by, requested_at, expires_at)"
		" VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
		&st);
	if (rc)
		return rc;
	stmt_bind_int64(st, 1, j->user_id);
	stmt_bind_text(st, 2, j->post, strlen(j->post));
	stmt_bind_int64(st, 3, j->org_id);
	stmt_bind_int64(st, 4, j->who->user_id);
	stmt_bind_int64(st, 5, now);
	stmt_bind_int64(st, 6, now + (int64_t)POST_REQUEST_DAYS * 86400);
	rc = stmt_step(st);
	if (rc == STORE_ROW)
		j->id = stmt_int64(st, 0);
	stmt_done(st);
	if (rc != STORE_ROW)
		return rc < 0 ? rc : ERR_DB;
	char replaces[256];
	rc = roles_text(c, j->user_id, replaces, sizeof(replaces));
	if (rc)
		return rc;
	struct audit_diff d;
	audit_diff_init(&d);
	audit_diff_int(&d, "user_id", j->user_id);
	audit_diff_str(&d, "role", j->post);
	audit_diff_int(&d, "org_id", j->org_id);
	audit_diff_str(&d, "replaces", replaces);
	return audit_object(c, j->who, "post_request.create", "post_request", j->id, j->org_id,
			    audit_diff_text(&d));
}

int post_request_create(struct app *a, const struct audit_entry *who, int64_t user_id, const char *post,
			int64_t org_id, struct errlist *errs, int64_t *id)
{
	struct grant_job j = {.who = who, .user_id = user_id, .post = post, .org_id = org_id, .errs = errs};
	*id = 0;
	if (!who->user_id)
		return ERR_FORBIDDEN; /* a request is one person's: the CLI gives posts directly */
	int rc = store_tx(a->store, request_tx, &j);
	if (!rc)
		*id = j.id;
	return rc;
}

static int decide_tx(struct conn *c, void *arg)
{
	struct grant_job *j = arg;
	struct stmt *st = NULL;
	int rc = conn_prepare(
		c,
		"SELECT r.user_id, r.role, r.org_id, r.requested_by, r.status, r.expires_at, u.login"
		" FROM post_request r JOIN app_user u ON u.id = r.requested_by WHERE r.id = $1",
		&st);
	if (rc)
		return rc;
	stmt_bind_int64(st, 1, j->id);
	rc = stmt_step(st);
	char post[16] = "", status[10] = "", requester[65] = "";
	int64_t requested_by = 0, expires = 0;
	if (rc == STORE_ROW) {
		j->user_id = stmt_int64(st, 0);
		str_copy(post, sizeof(post), stmt_text(st, 1, NULL));
		j->org_id = stmt_int64(st, 2);
		requested_by = stmt_int64(st, 3);
		str_copy(status, sizeof(status), stmt_text(st, 4, NULL));
		expires = stmt_int64(st, 5);
		str_copy(requester, sizeof(requester), stmt_text(st, 6, NULL));
	}
	stmt_done(st);
	if (rc != STORE_ROW)
		return rc == STORE_DONE ? ERR_NOTFOUND : rc;
	int64_t now = time_unix();
	if (strcmp(status, "pending")) {
		errlist_add(j->errs, "", "not_pending", "the request was decided already");
		return ERR_CONFLICT;
	}
	if (expires <= now) {
		errlist_add(j->errs, "", "expired", "the request has expired: make a new one");
		return ERR_CONFLICT;
	}
	if (j->who->user_id == requested_by)
		return errlist_add(j->errs, "", "same_person",
				   "a second security administrator must decide: not the one who asked"),
		       ERR_FORBIDDEN;
	if (j->who->user_id == j->user_id)
		return errlist_add(j->errs, "", "self", "nobody decides a request for their own account"),
		       ERR_FORBIDDEN;
	char replaced[256] = "";
	if (j->approve) {
		rc = grant_checks(c, j->who->user_id, j->user_id, post, &j->org_id, j->errs);
		if (!rc)
			rc = grant_conn(c, j->who, j->user_id, post, j->org_id, requester, replaced,
					sizeof(replaced));
		if (rc)
			return rc;
	}
	rc = conn_prepare(c,
			  "UPDATE post_request SET status = $2, decided_by = $3, decided_at = $4, reason = $5"
			  " WHERE id = $1 AND status = 'pending'",
			  &st);
	if (rc)
		return rc;
	const char *reason = j->reason ? j->reason : "";
	stmt_bind_int64(st, 1, j->id);
	stmt_bind_text(st, 2, j->approve ? "approved" : "rejected",
		       strlen(j->approve ? "approved" : "rejected"));
	stmt_bind_int64(st, 3, j->who->user_id);
	stmt_bind_int64(st, 4, now);
	stmt_bind_text(st, 5, reason, strlen(reason));
	rc = stmt_step(st);
	stmt_done(st);
	if (rc < 0)
		return rc;
	struct audit_diff d;
	audit_diff_init(&d);
	audit_diff_change(&d, "status", "pending", j->approve ? "approved" : "rejected");
	audit_diff_int(&d, "user_id", j->user_id);
	audit_diff_str(&d, "role", post);
	audit_diff_str(&d, "requested_by", requester);
	if (j->approve)
		audit_diff_str(&d, "replaced", replaced);
	if (*reason)
		audit_diff_str(&d, "reason", reason);
	return audit_object(c, j->who, j->approve ? "post_request.approve" : "post_request.reject",
			    "post_request", j->id, j->org_id, audit_diff_text(&d));
}

int post_request_decide(struct app *a, const struct audit_entry *who, int64_t id, bool approve,
			const char *reason, struct errlist *errs)
{
	struct grant_job j = {.who = who, .id = id, .approve = approve, .reason = reason, .errs = errs};
	if (!who->user_id)
		return ERR_FORBIDDEN;
	return store_tx(a->store, decide_tx, &j);
}

#define REQUEST_COLS                                                                                   \
	"SELECT r.id, r.user_id, r.org_id, r.requested_by, COALESCE(r.decided_by, 0), r.requested_at," \
	" r.expires_at, COALESCE(r.decided_at, 0), u.login, u.display_name, r.role, o.code, q.login,"  \
	" COALESCE(d.login, ''), r.status, r.reason"                                                   \
	" FROM post_request r JOIN app_user u ON u.id = r.user_id JOIN org o ON o.id = r.org_id"       \
	" JOIN app_user q ON q.id = r.requested_by LEFT JOIN app_user d ON d.id = r.decided_by "

static void row_to_request(struct stmt *st, int64_t now, struct post_request *p)
{
	memset(p, 0, sizeof(*p));
	p->id = stmt_int64(st, 0);
	p->user_id = stmt_int64(st, 1);
	p->org_id = stmt_int64(st, 2);
	p->requested_by = stmt_int64(st, 3);
	p->decided_by = stmt_int64(st, 4);
	p->requested_at = stmt_int64(st, 5);
	p->expires_at = stmt_int64(st, 6);
	p->decided_at = stmt_int64(st, 7);
	str_copy(p->login, sizeof(p->login), stmt_text(st, 8, NULL));
	str_copy(p->display_name, sizeof(p->display_name), stmt_text(st, 9, NULL));
	str_copy(p->role, sizeof(p->role), stmt_text(st, 10, NULL));
	str_copy(p->org_code, sizeof(p->org_code), stmt_text(st, 11, NULL));
	str_copy(p->requested_by_login, sizeof(p->requested_by_login), stmt_text(st, 12, NULL));
	str_copy(p->decided_by_login, sizeof(p->decided_by_login), stmt_text(st, 13, NULL));
	str_copy(p->status, sizeof(p->status), stmt_text(st, 14, NULL));
	str_copy(p->reason, sizeof(p->reason), stmt_text(st, 15, NULL));
	if (!strcmp(p->status, "pending") && p->expires_at <= now)
		str_copy(p->status, sizeof(p->status), "expired");
}

/* The roles a pending request would replace (read on the same connection). */
static int fill_replaces(struct conn *c, struct post_request *p)
{
	if (strcmp(p->status, "pending"))
		return 0;
	return roles_text(c, p->user_id, p->replaces, sizeof(p->replaces));
}

int post_request_get(struct app *a, int64_t id, struct post_request *out)
{
	struct conn *c = NULL;
	struct stmt *st = NULL;
	int rc = store_acquire(a->store, STORE_READ, &c);
	if (rc)
		return rc;
	rc = conn_prepare(c, REQUEST_COLS "WHERE r.id = $1", &st);
	if (!rc) {
		stmt_bind_int64(st, 1, id);
		rc = stmt_step(st);
		if (rc == STORE_ROW)
			row_to_request(st, time_unix(), out);
		rc = rc == STORE_ROW ? 0 : rc == STORE_DONE ? ERR_NOTFOUND : rc;
	}
	stmt_done(st);
	if (!rc)
		rc = fill_replaces(c, out);
	store_release(c);
	return rc;
}

int post_request_list(struct app *a, const char *status, int64_t before_id, int max,
		      int (*fn)(const struct post_request *p, void *arg), void *arg, int64_t *last)
{
	/* expired is pending past its time: the stored status and the clock decide together */
	const char *want = status && strcmp(status, "all") ? status : "";
	const char *stored = !strcmp(want, "expired") ? "pending" : want;
	int64_t now = time_unix();
	struct conn *c = NULL;
	struct stmt *st = NULL;
	*last = 0;
	int rc = store_acquire(a->store, STORE_READ, &c);
	if (rc)
		return rc;
	rc = conn_prepare(
		c,
		REQUEST_COLS
		"WHERE ($1 = '' OR r.status = $1) AND (CAST($2 AS BIGINT) = 0 OR r.id < $2)"
		" AND ($3 = '' OR ($3 = 'pending' AND r.expires_at > $4) OR ($3 = 'expired' AND r.expires_at <= $4)"
		" OR $3 NOT IN ('pending', 'expired'))"
		" ORDER BY r.id DESC LIMIT $5",
		&st);
	if (!rc) {
		stmt_bind_text(st, 1, stored, strlen(stored));
		stmt_bind_int64(st, 2, before_id);
		stmt_bind_text(st, 3, want, strlen(want));
		stmt_bind_int64(st, 4, now);
		stmt_bind_int64(st, 5, max);
		struct post_request p;
		while ((rc = stmt_step(st)) == STORE_ROW) {
			row_to_request(st, now, &p);
			rc = fill_replaces(c, &p);
			if (!rc)
				rc = fn(&p, arg);
			if (rc)
				break;
			*last = p.id;
		}
		rc = rc < 0 ? rc : 0;
	}
	stmt_done(st);
	store_release(c);
	return rc;
}
