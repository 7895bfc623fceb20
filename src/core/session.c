/*
 * session.c - sign-in sessions: login with lockout, the cookie secret and its CSRF token,
 * resolving a cookie to a caller, idle and absolute timeouts, logout, and one's own
 * sessions (see user.h).
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


static void new_secret(char *out, size_t cap)
{
	unsigned char rnd[32];
	randombytes_buf(rnd, sizeof(rnd));
	memcpy(out, "kx_", 3);
	sodium_bin2base64(out + 3, cap - 3, rnd, sizeof(rnd), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(rnd, sizeof(rnd));
}

void session_csrf_for(const struct app *a, const char *token, char *out, size_t cap)
{
	unsigned char h[32];
	crypto_generichash_state st;
	crypto_generichash_init(&st, a->key, sizeof(a->key), sizeof(h));
	crypto_generichash_update(&st, (const unsigned char *)"kexie-csrf\n", 11);
	crypto_generichash_update(&st, (const unsigned char *)token, strlen(token));
	crypto_generichash_final(&st, h, sizeof(h));
	memcpy(out, "kx_", 3);
	sodium_bin2base64(out + 3, cap - 3, h, sizeof(h), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

struct login_job {
	const char *login, *password, *addr, *request_id;
	const char *new_hash; /* a new password given with the sign-in (or NULL) */
	int history;
	struct login_result *res;
	struct app *app;
	bool verified;  /* the right password, an active account, no lock: a new session */
	bool right;     /* the right password (whatever the account's state) */
	bool locked;    /* the account was locked when the attempt came */
	int64_t user_id;
	char user_hash[crypto_pwhash_STRBYTES];
	int64_t locked_until, changed_at;
	bool exists, active;
	struct policy p;
};

static int login_audit(struct conn *c, struct login_job *j, const char *action, const char *detail)
{
	struct audit_entry e = {.user_id = j->user_id, .via = "session", .request_id = j->request_id,
				.client_addr = j->addr, .action = action, .object_type = "user",
				.object_id = "", .detail = detail};
	char oid[33];
	if (j->user_id) {
		snprintf(oid, sizeof(oid), "%" PRId64, j->user_id);
		e.object_id = oid;
	} else {
		/* no account has this login: only its keyed hash is kept, never the text typed
		 * (often a password in the wrong field); the same text gives the same hash */
		audit_login_hash(j->app, j->login, oid);
		e.object_type = "unknown_login";
		e.object_id = oid;
	}
	return audit_append(c, &e);
}

int user_count_failure(struct conn *c, int64_t id, const struct policy *p, int *failures, int64_t *locked_until)
{
	*failures = 0;
	*locked_until = 0;
	/* one statement: concurrent failures each count */
	int rc = conn_row(c, "UPDATE app_user SET failed_count = failed_count + 1 WHERE id = $1 RETURNING failed_count",
			  "i", "d", id, failures);
	if (rc || *failures < p->lock_failures)
		return rc;
	*locked_until = time_unix() + p->lock_s;
	rc = conn_run(c, "UPDATE app_user SET failed_count = 0, locked_until = $2 WHERE id = $1", "ii", id,
		      *locked_until);
	return rc < 0 ? rc : 0;
}

/* Records the outcome: failure counters and lock, or a new session. */
static int login_finish_tx(struct conn *c, void *arg)
{
	struct login_job *j = arg;
	struct stmt *st = NULL;
	int64_t now = time_unix();
	int rc;
	if (!j->verified) {
		char detail[200];
		if (!j->exists) {
			str_copy(detail, sizeof(detail), "{\"reason\":\"unknown_login\"}");
		} else if (j->locked) {
			/* a lock is not lengthened by more attempts; whether the password was right
			 * tells an investigator the password is known */
			snprintf(detail, sizeof(detail),
				 "{\"reason\":\"locked\",\"password\":\"%s\",\"locked_minutes_left\":%" PRId64 "}",
				 j->right ? "right" : "wrong", (j->locked_until - now + 59) / 60);
		} else {
			int failures = 0;
			int64_t until = 0;
			rc = user_count_failure(c, j->user_id, &j->p, &failures, &until);
			if (rc)
				return rc;
			j->locked_until = until;
			snprintf(detail, sizeof(detail),
				 "{\"reason\":\"%s\",\"failures\":%d,\"locked_minutes\":%" PRId64 "}",
				 j->right ? "disabled" : "wrong_password", failures, until ? j->p.lock_s / 60 : 0);
		}
		return login_audit(c, j, "user.login_failed", detail);
	}
	char token_h[65], csrf_h[65];
	if (j->new_hash) {
		rc = user_set_password_conn(c, j->user_id, j->new_hash, j->history, NULL);
		if (!rc)
			rc = login_audit(c, j, "user.password",
					 "{\"password\":\"changed\",\"at\":\"sign-in\",\"tokens\":\"revoked\"}");
		if (rc)
			return rc;
	}
	new_secret(j->res->token, sizeof(j->res->token));
	session_csrf_for(j->app, j->res->token, j->res->csrf, sizeof(j->res->csrf));
	user_token_hash(j->app, j->res->token, token_h);
	user_token_hash(j->app, j->res->csrf, csrf_h);
	rc = conn_prepare(c, "INSERT INTO session (token_hash, csrf_hash, user_id, created_at, last_seen_at,"
			     " expires_at, client_addr) VALUES ($1, $2, $3, $4, $4, $5, $6)", &st);
	if (rc)
		return rc;
	stmt_bind_text(st, 1, token_h, strlen(token_h));
	stmt_bind_text(st, 2, csrf_h, strlen(csrf_h));
	stmt_bind_int64(st, 3, j->user_id);
	stmt_bind_int64(st, 4, now);
	stmt_bind_int64(st, 5, now + j->p.session_max_s);
	stmt_bind_text(st, 6, j->addr, strlen(j->addr));
	rc = stmt_step(st);
	stmt_done(st);
	if (rc < 0)
		return rc;
	rc = conn_prepare(c, "UPDATE app_user SET failed_count = 0, locked_until = 0 WHERE id = $1", &st);
	if (rc)
		return rc;
	stmt_bind_int64(st, 1, j->user_id);
	rc = stmt_step(st);
	stmt_done(st);
	if (rc < 0)
		return rc;
	return login_audit(c, j, "user.login", "{\"session\":\"new\"}");
}

int session_login(struct app *a, const char *login, const char *password, const char *new_password,
		  const char *addr, const char *request_id, struct login_result *res, struct errlist *errs)
{
	/* a valid hash of nothing anyone knows, so an unknown login costs the same time */
	static const char dummy[] =
		"$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$"
		"0zAcEvrZYQKhzzT4Wn4ucw4pP0Yb2QAoGIyKD1yWC9A";
	memset(res, 0, sizeof(*res));
	struct login_job j = {.login = login, .password = password, .addr = addr ? addr : "",
			      .request_id = request_id, .res = res, .app = a, .p = user_policy(a)};
	struct conn *c = NULL;
	struct stmt *st = NULL;
	int rc = store_acquire(a->store, STORE_WRITE, &c);
	if (rc)
		return rc;
	rc = conn_prepare(c, "SELECT id, password_hash, locked_until, status,"
			     " password_changed_at FROM app_user WHERE login = $1", &st);
	if (!rc) {
		stmt_bind_text(st, 1, login, strlen(login));
		rc = stmt_step(st);
		if (rc == STORE_ROW) {
			j.exists = true;
			j.user_id = stmt_int64(st, 0);
			str_copy(j.user_hash, sizeof(j.user_hash), stmt_text(st, 1, NULL));
			j.locked_until = stmt_int64(st, 2);
			j.active = !strcmp(stmt_text(st, 3, NULL), "active");
			j.changed_at = stmt_int64(st, 4);
		}
		rc = rc < 0 ? rc : 0;
	}
	stmt_done(st);
	store_release(c);
	if (rc)
		return rc;
	int64_t now = time_unix();
	j.locked = j.exists && j.locked_until > now;
	/* the password is checked in every case, locked accounts included: from outside, an
	 * unknown login, a wrong password and a locked account take the same time and get the
	 * same answer; only the right password learns of a lock */
	char against[crypto_pwhash_STRBYTES]; /* the API reads a full-size buffer */
	str_copy(against, sizeof(against), j.exists ? j.user_hash : dummy);
	j.right = crypto_pwhash_str_verify(against, password, strlen(password)) == 0 && j.exists;
	j.verified = j.right && j.active && !j.locked;
	char new_hash[crypto_pwhash_STRBYTES];
	if (j.verified) {
		res->password_expired = j.p.password_strict && j.p.password_expiry_days > 0 &&
					now - j.changed_at >= (int64_t)j.p.password_expiry_days * 86400;
		if (res->password_expired && !new_password) {
			errlist_add(errs, "new_password", "password_expired",
				    "the password has expired: choose a new one to sign in");
			return ERR_FORBIDDEN;
		}
		if (new_password) {
			/* the right password first: only then is a new one considered */
			if (password_check(a, new_password, login, "new_password", errs) ||
			    user_reuse_check(a, j.user_id, new_password, "new_password", errs))
				return errs->n ? ERR_UNPROCESSABLE : ERR_DB;
			rc = user_hash_password(new_password, new_hash);
			if (rc)
				return rc;
			j.new_hash = new_hash;
			j.history = j.p.password_history;
		}
	}
	rc = store_tx(a->store, login_finish_tx, &j);
	if (j.new_hash)
		sodium_memzero(new_hash, sizeof(new_hash));
	if (rc)
		return rc;
	if (j.locked && j.right && j.active) {
		res->locked_for_s = j.locked_until - now;
		return ERR_RATELIMIT;
	}
	return j.verified ? 0 : ERR_UNAUTHORIZED;
}

int session_resolve(struct app *a, const char *token, const char *csrf, struct caller *out)
{
	struct policy p = user_policy(a);
	memset(out, 0, sizeof(*out));
	if (strlen(token) != TOKEN_LEN || strncmp(token, "kx_", 3))
		return ERR_UNAUTHORIZED;
	char hash[65], csrf_h[65], stored_csrf[65] = "";
	user_token_hash(a, token, hash);
	struct conn *c = NULL;
	struct stmt *st = NULL;
	int64_t now = time_unix(), sid = 0, last_seen = 0;
	int rc = store_acquire(a->store, STORE_READ, &c);
	if (rc)
		return rc;
	rc = conn_prepare(c,
			  "SELECT s.id, s.last_seen_at, s.csrf_hash, u.id, u.login, u.display_name, r.role, r.org_id"
			  " FROM session s JOIN app_user u ON u.id = s.user_id"
			  " LEFT JOIN role_assignment r ON r.user_id = u.id"
			  " WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > $2"
			  " AND u.status = 'active'",
			  &st);
	if (!rc) {
		stmt_bind_text(st, 1, hash, strlen(hash));
		stmt_bind_int64(st, 2, now);
		rc = stmt_step(st);
		if (rc == STORE_ROW) {
			user_add_grant(st, 6, out);
			sid = stmt_int64(st, 0);
			last_seen = stmt_int64(st, 1);
			str_copy(stored_csrf, sizeof(stored_csrf), stmt_text(st, 2, NULL));
			out->user_id = stmt_int64(st, 3);
			str_copy(out->login, sizeof(out->login), stmt_text(st, 4, NULL));
			str_copy(out->display_name, sizeof(out->display_name), stmt_text(st, 5, NULL));
			out->via = "session";
			out->session_id = sid;
			snprintf(out->cred, sizeof(out->cred), "session:%" PRId64, sid);
			rc = 0;
			int step;
			while ((step = stmt_step(st)) == STORE_ROW)
				user_add_grant(st, 6, out);
			if (step < 0)
				rc = step;
		} else if (rc == STORE_DONE) {
			rc = ERR_UNAUTHORIZED;
		}
	}
	stmt_done(st);
	store_release(c);
	if (rc)
		return rc;
	/* the idle clock: the stored time, or a later one noted and not yet written */
	if (last_seen <= now - p.session_idle_s) {
		int64_t noted = touch_pending(a->touch, TOUCH_SESSION, sid);
		if (noted <= now - p.session_idle_s) {
			memset(out, 0, sizeof(*out));
			return ERR_UNAUTHORIZED;
		}
		last_seen = noted;
	}
	if (csrf) {
		user_token_hash(a, csrf, csrf_h);
		if (sodium_memcmp(csrf_h, stored_csrf, 64) != 0)
			return ERR_FORBIDDEN;
	}
	/* the idle clock moves at most once a minute, written in the background: a request
	 * never waits for (or fails on) a bookkeeping write */
	if (now - last_seen >= 60)
		touch_note(a->touch, TOUCH_SESSION, sid, now);
	return 0;
}

struct logout_job {
	char hash[65];
	const struct audit_entry *who;
};

static int logout_tx(struct conn *c, void *arg)
{
	struct logout_job *j = arg;
	struct stmt *st = NULL;
	int rc = conn_prepare(c, "UPDATE session SET revoked_at = $2 WHERE token_hash = $1 AND revoked_at IS NULL", &st);
	if (rc)
		return rc;
	stmt_bind_text(st, 1, j->hash, strlen(j->hash));
	stmt_bind_int64(st, 2, time_unix());
	rc = stmt_step(st);
	stmt_done(st);
	if (rc < 0)
		return rc;
	struct audit_entry e = *j->who;
	e.action = "user.logout";
	e.object_type = "session";
	e.subject_id = j->who->user_id; /* the account signing out: its orgs tag the record */
	return audit_append(c, &e);
}

int session_logout(struct app *a, const char *token, const struct audit_entry *who)
{
	struct logout_job j = {.who = who};
	user_token_hash(a, token, j.hash);
	return store_tx(a->store, logout_tx, &j);
}



int session_list(struct app *a, int64_t user_id, int (*fn)(const struct session_row *s, void *arg), void *arg)
{
	struct conn *c = NULL;
	struct stmt *st = NULL;
	int64_t now = time_unix();
	int rc = store_acquire(a->store, STORE_READ, &c);
	if (rc)
		return rc;
	rc = conn_prepare(c, "SELECT id, created_at, last_seen_at, expires_at, client_addr FROM session"
			     " WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > $2 AND last_seen_at > $3"
			     " ORDER BY created_at DESC LIMIT 100", &st);
	if (!rc) {
		stmt_bind_int64(st, 1, user_id);
		stmt_bind_int64(st, 2, now);
		stmt_bind_int64(st, 3, now - user_policy(a).session_idle_s);
		while ((rc = stmt_step(st)) == STORE_ROW) {
			struct session_row s = {.id = stmt_int64(st, 0), .created_at = stmt_int64(st, 1),
						.last_seen_at = stmt_int64(st, 2), .expires_at = stmt_int64(st, 3)};
			int64_t noted = touch_pending(a->touch, TOUCH_SESSION, s.id); /* not yet written */
			if (noted > s.last_seen_at)
				s.last_seen_at = noted;
			int64_t idle_end = s.last_seen_at + user_policy(a).session_idle_s;
			if (idle_end < s.expires_at)
				s.expires_at = idle_end;
			str_copy(s.client_addr, sizeof(s.client_addr), stmt_text(st, 4, NULL));
			rc = fn(&s, arg);
			if (rc)
				break;
		}
		rc = rc < 0 ? rc : 0; /* fn stops the walk with a negative ERR_* */
	}
	stmt_done(st);
	store_release(c);
	return rc;
}

struct own_job {
	const struct audit_entry *who;
	int64_t user_id, id;
	bool token; /* revoke a token; else end a session */
};

static int own_tx(struct conn *c, void *arg)
{
	struct own_job *j = arg;
	struct stmt *st = NULL;
	int rc = conn_prepare(c, j->token ? "UPDATE api_token SET revoked_at = $3 WHERE id = $1 AND user_id = $2"
					    " AND revoked_at IS NULL"
					  : "UPDATE session SET revoked_at = $3 WHERE id = $1 AND user_id = $2"
					    " AND revoked_at IS NULL",
			      &st);
	if (rc)
		return rc;
	stmt_bind_int64(st, 1, j->id);
	stmt_bind_int64(st, 2, j->user_id);
	stmt_bind_int64(st, 3, time_unix());
	rc = stmt_step(st);
	int64_t n = stmt_changes(st);
	stmt_done(st);
	if (rc < 0)
		return rc;
	if (!n)
		return ERR_NOTFOUND; /* not yours, or already ended: the same answer */
	char oid[24];
	snprintf(oid, sizeof(oid), "%" PRId64, j->id);
	struct audit_entry e = *j->who;
	e.action = j->token ? "token.revoke" : "session.end";
	e.object_type = j->token ? "api_token" : "session";
	e.object_id = oid;
	e.subject_id = j->user_id;
	e.detail = "{\"revoked\":true}";
	return audit_append(c, &e);
}

int session_end(struct app *a, const struct audit_entry *who, int64_t user_id, int64_t session_id)
{
	struct own_job j = {.who = who, .user_id = user_id, .id = session_id};
	return store_tx(a->store, own_tx, &j);
}

int token_revoke(struct app *a, const struct audit_entry *who, int64_t user_id, int64_t token_id)
{
	struct own_job j = {.who = who, .user_id = user_id, .id = token_id, .token = true};
	return store_tx(a->store, own_tx, &j);
}
