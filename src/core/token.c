/*
 * token.c - API tokens: created once and shown once, stored as a keyed hash, resolved to a
 * caller with its grants on every request, listed and revoked by their owner (see user.h).
 */
#include "core/user.h"
#include "core/user_int.h"
#include "core/org.h"
#include "core/touch.h"
#include "base/timeutil.h"
#include "base/utf8.h"
#include "store/store.h"

#include <sodium.h>

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

void user_token_hash(const struct app *a, const char *token, char out[65])
{
	unsigned char h[32];
	crypto_generichash(h, sizeof(h), (const unsigned char *)token, strlen(token), a->key, sizeof(a->key));
	sodium_bin2hex(out, 65, h, sizeof(h));
}

struct token_job {
	const struct audit_entry *who;
	const char *login, *name;
	int days;
	char hash[65];
};

static int token_tx(struct conn *c, void *arg)
{
	struct token_job *j = arg;
	struct stmt *st = NULL;
	int rc = conn_prepare(c, "SELECT id FROM app_user WHERE login = $1 AND status = 'active'", &st);
	if (rc)
		return rc;
	stmt_bind_text(st, 1, j->login, strlen(j->login));
	rc = stmt_step(st);
	int64_t uid = rc == STORE_ROW ? stmt_int64(st, 0) : 0;
	stmt_done(st);
	if (rc == STORE_DONE)
		return ERR_NOTFOUND;
	if (rc < 0)
		return rc;
	int64_t now = time_unix();
	rc = conn_prepare(c,
			  "INSERT INTO api_token (user_id, name, token_hash, created_at, expires_at)"
			  " VALUES ($1, $2, $3, $4, $5) RETURNING id",
			  &st);
	if (rc)
		return rc;
	stmt_bind_int64(st, 1, uid);
	stmt_bind_text(st, 2, j->name, strlen(j->name));
	stmt_bind_text(st, 3, j->hash, strlen(j->hash));
	stmt_bind_int64(st, 4, now);
	if (j->days > 0)
		stmt_bind_int64(st, 5, now + (int64_t)j->days * 86400);
	else
		stmt_bind_null(st, 5);
	rc = stmt_step(st);
	int64_t tid = rc == STORE_ROW ? stmt_int64(st, 0) : 0;
	stmt_done(st);
	if (rc != STORE_ROW)
		return rc < 0 ? rc : ERR_DB;
	char oid[24];
	snprintf(oid, sizeof(oid), "%" PRId64, tid);
	struct audit_diff d;
	audit_diff_init(&d);
	audit_diff_str(&d, "user", j->login);
	audit_diff_str(&d, "name", j->name);
	audit_diff_int(&d, "expires_days", j->days);
	const char *detail = audit_diff_text(&d);
	struct audit_entry e = *j->who;
	e.action = "token.create";
	e.subject_id = uid; /* the token's owner, whoever created it */
	e.object_type = "api_token";
	e.object_id = oid;
	e.detail = detail;
	return audit_append(c, &e);
}

/* The longest life of a token, in days (token_max_days). */
static int token_max_days(const struct app *a)
{
	return user_policy(a).token_max_days;
}

int token_create(struct app *a, const struct audit_entry *who, const char *login, int *expires_days,
		 const char *name, char *out, size_t cap, struct errlist *errs)
{
	if (cap < TOKEN_LEN + 1)
		return ERR_TOOBIG;
	int max = token_max_days(a);
	if (*expires_days <= 0)
		*expires_days = max; /* no token lives for ever */
	if (*expires_days > max) {
		char msg[96];
		snprintf(msg, sizeof(msg), "at most %d days (the setting token_max_days)", max);
		if (errs)
			errlist_add(errs, "expires_days", "too_long", msg);
		return ERR_UNPROCESSABLE;
	}
	unsigned char rnd[32];
	randombytes_buf(rnd, sizeof(rnd));
	memcpy(out, "kx_", 3);
	sodium_bin2base64(out + 3, cap - 3, rnd, sizeof(rnd), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(rnd, sizeof(rnd));
	struct token_job j = {.who = who, .login = login, .name = name ? name : "", .days = *expires_days};
	user_token_hash(a, out, j.hash);
	int rc = store_tx(a->store, token_tx, &j);
	if (rc)
		sodium_memzero(out, cap);
	return rc;
}

/* Adds the grant in columns col (role) and col + 1 (org) when the row has one. */
void user_add_grant(struct stmt *st, int col, struct caller *out)
{
	if (stmt_isnull(st, col))
		return;
	/* kept in (role, org) order, the first CALLER_MAX_GRANTS of them, as an ORDER BY in
	 * the query would give: sorting here spares the database a sort on every request */
	const char *role = stmt_text(st, col, NULL);
	int64_t org = stmt_int64(st, col + 1);
	int at = out->ngrants;
	while (at > 0) {
		int c = strcmp(out->g[at - 1].role, role);
		if (c < 0 || (c == 0 && out->g[at - 1].org_id <= org))
			break;
		at--;
	}
	if (at >= CALLER_MAX_GRANTS)
		return;
	int n = out->ngrants < CALLER_MAX_GRANTS ? out->ngrants : CALLER_MAX_GRANTS - 1;
	memmove(&out->g[at + 1], &out->g[at], (size_t)(n - at) * sizeof(out->g[0]));
	str_copy(out->g[at].role, sizeof(out->g[at].role), role);
	out->g[at].org_id = org;
	out->ngrants = n + 1;
}

int token_resolve(struct app *a, const char *token, struct caller *out)
{
	memset(out, 0, sizeof(*out));
	if (strlen(token) != TOKEN_LEN || strncmp(token, "kx_", 3))
		return ERR_UNAUTHORIZED;
	char hash[65];
	user_token_hash(a, token, hash);
	struct conn *c = NULL;
	struct stmt *st = NULL;
	int rc = store_acquire(a->store, STORE_READ, &c);
	if (rc)
		return rc;
	int64_t now = time_unix(), last_used = 0;
	/* the token, its account and the account's grants in one query (one per request) */
	rc = conn_prepare(c,
			  "SELECT t.id, u.id, u.login, u.display_name, t.last_used_at, r.role, r.org_id"
			  " FROM api_token t JOIN app_user u ON u.id = t.user_id"
			  " LEFT JOIN role_assignment r ON r.user_id = u.id WHERE t.token_hash = $1"
			  " AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > $2)"
			  " AND t.created_at > $3 AND u.status = 'active'",
			  &st);
	if (!rc) {
		stmt_bind_text(st, 1, hash, strlen(hash));
		stmt_bind_int64(st, 2, now);
		/* the maximum life holds for tokens made before it existed, or with a longer one */
		stmt_bind_int64(st, 3, now - (int64_t)token_max_days(a) * 86400);
		rc = ERR_UNAUTHORIZED;
		int step;
		while ((step = stmt_step(st)) == STORE_ROW) {
			if (rc) {
				out->token_id = stmt_int64(st, 0);
				out->user_id = stmt_int64(st, 1);
				str_copy(out->login, sizeof(out->login), stmt_text(st, 2, NULL));
				str_copy(out->display_name, sizeof(out->display_name),
					 stmt_text(st, 3, NULL));
				last_used = stmt_int64(st, 4);
				out->via = "token";
				snprintf(out->cred, sizeof(out->cred), "token:%" PRId64, out->token_id);
				rc = 0;
			}
			user_add_grant(st, 5, out);
		}
		if (step < 0)
			rc = step;
	}
	stmt_done(st);
	store_release(c);
	/* the last-used time moves at most once a minute, written in the background: a
	 * request never waits for (or fails on) a bookkeeping write */
	if (!rc && now - last_used >= 60)
		touch_note(a->touch, TOUCH_TOKEN, out->token_id, now);
	return rc;
}

int token_list(struct app *a, int64_t user_id, int (*fn)(const struct token_row *t, void *arg), void *arg)
{
	struct conn *c = NULL;
	struct stmt *st = NULL;
	int rc = store_acquire(a->store, STORE_READ, &c);
	if (rc)
		return rc;
	int64_t now = time_unix(), life = (int64_t)token_max_days(a) * 86400;
	rc = conn_prepare(
		c,
		"SELECT id, name, created_at, expires_at, last_used_at FROM api_token"
		" WHERE user_id = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $2)"
		" AND created_at > $3 ORDER BY created_at DESC, id DESC LIMIT 100",
		&st);
	if (!rc) {
		stmt_bind_int64(st, 1, user_id);
		stmt_bind_int64(st, 2, now);
		stmt_bind_int64(st, 3, now - life);
		while ((rc = stmt_step(st)) == STORE_ROW) {
			struct token_row t = {.id = stmt_int64(st, 0),
					      .created_at = stmt_int64(st, 2),
					      .expires_at = stmt_int64(st, 3),
					      .last_used_at = stmt_int64(st, 4)};
			/* the end that comes first: its own, or the maximum life */
			if (!t.expires_at || t.expires_at > t.created_at + life)
				t.expires_at = t.created_at + life;
			str_copy(t.name, sizeof(t.name), stmt_text(st, 1, NULL));
			int64_t noted = touch_pending(a->touch, TOUCH_TOKEN, t.id); /* not yet written */
			if (noted > t.last_used_at)
				t.last_used_at = noted;
			rc = fn(&t, arg);
			if (rc)
				break;
		}
		rc = rc < 0 ? rc : 0; /* fn stops the walk with a negative ERR_* */
	}
	stmt_done(st);
	store_release(c);
	return rc;
}
