/*
 * password.c - password policy (length, common passwords, strict 等保 classes, expiry, no
 * reuse), hashing with argon2id, and setting or changing a password (see user.h).
 */
#include "core/user.h"
#include "core/user_int.h"
#include "core/org.h"
#include "base/timeutil.h"
#include "base/utf8.h"
#include "store/store.h"

#include <sodium.h>

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* The most common passwords (global lists and the usual Chinese favourites). */
static const char *const common_passwords[] = {
	"12345678",  "123456789", "1234567890", "password",  "password1",     "qwertyui", "qwerty123",
	"11111111",  "00000000",  "88888888",   "66666666",  "12341234",      "87654321", "abcd1234",
	"a1234567",  "a12345678", "1qaz2wsx",   "1q2w3e4r",  "qazwsxedc",     "iloveyou", "woaini1314",
	"woaini520", "5201314a",  "admin123",   "admin1234", "administrator", "welcome1", "p@ssw0rd",
	"passw0rd",  "zxcvbnm1",  "asdfghjk",   "letmein1",  "abc12345",      "aa123456", "qq123456",
	"123qweasd", "1234qwer",  "qwer1234",   "kexie123",  "kexie2026",     NULL,
};

/* The configured policy, with the defaults where a context was built without one. */
struct policy user_policy(const struct app *a)
{
	struct policy p = a->policy;
	if (p.password_min < 8)
		p.password_min = 8;
	if (p.password_history < 1)
		p.password_history = 5;
	if (p.lock_failures < 1)
		p.lock_failures = 5;
	if (p.lock_s < 60)
		p.lock_s = 15 * 60;
	if (p.session_idle_s < 60)
		p.session_idle_s = 30 * 60;
	if (p.session_max_s < 3600)
		p.session_max_s = 12 * 3600;
	if (p.token_max_days < 1)
		p.token_max_days = 365;
	return p;
}

int password_check(const struct app *a, const char *password, const char *login, const char *field,
		   struct errlist *errs)
{
	struct policy p = user_policy(a);
	size_t n = strlen(password);
	char msg[80];
	if (!utf8_valid(password, n, NULL) || utf8_count(password, n) < (size_t)p.password_min || n > 256) {
		snprintf(msg, sizeof(msg), "use at least %d characters", p.password_min);
		return errlist_add(errs, field, "password_too_short", msg);
	}
	if (login && !strcasecmp(password, login))
		return errlist_add(errs, field, "password_is_login", "the password must not be the login");
	for (const char *const *c = common_passwords; *c; c++)
		if (!strcasecmp(password, *c))
			return errlist_add(errs, field, "password_common",
					   "this password is among the most common ones: choose another");
	if (p.password_strict) {
		bool lower = false, upper = false, digit = false, other = false;
		for (const unsigned char *c = (const unsigned char *)password; *c; c++) {
			if (*c >= 'a' && *c <= 'z')
				lower = true;
			else if (*c >= 'A' && *c <= 'Z')
				upper = true;
			else if (*c >= '0' && *c <= '9')
				digit = true;
			else
				other = true;
		}
		if (lower + upper + digit + other < 3)
			return errlist_add(
				errs, field, "password_classes",
				"mix at least three of: lower case, upper case, digits, other characters");
	}
	return 0;
}

int user_hash_password(const char *password, char out[USER_HASH_MAX])
{
	return crypto_pwhash_str(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
				 crypto_pwhash_MEMLIMIT_INTERACTIVE)
		       ? ERR_NOMEM
		       : 0;
}

/* Keeps the password being replaced in the history (strict mode refuses reuse). */
static int retire_password(struct conn *c, int64_t id, int keep)
{
	int rc = user_run_sql_id(c,
				 "INSERT INTO password_history (user_id, password_hash, retired_at)"
				 " SELECT id, password_hash, password_changed_at FROM app_user WHERE id = $1",
				 id, NULL);
	if (rc)
		return rc;
	struct stmt *st = NULL;
	rc = conn_prepare(c,
			  "DELETE FROM password_history WHERE user_id = $1 AND retired_at NOT IN"
			  " (SELECT retired_at FROM password_history WHERE user_id = $1"
			  " ORDER BY retired_at DESC LIMIT $2)",
			  &st);
	if (rc)
		return rc;
	stmt_bind_int64(st, 1, id);
	stmt_bind_int64(st, 2, keep);
	rc = stmt_step(st);
	stmt_done(st);
	return rc < 0 ? rc : 0;
}

int user_set_password_conn(struct conn *c, int64_t id, const char *hash, int keep, int64_t *ended)
{
	int rc = retire_password(c, id, keep);
	if (rc)
		return rc;
	struct stmt *st = NULL;
	rc = conn_prepare(c,
			  "UPDATE app_user SET password_hash = $2, password_changed_at = $3,"
			  " failed_count = 0, locked_until = 0, version = version + 1 WHERE id = $1",
			  &st);
	if (rc)
		return rc;
	stmt_bind_int64(st, 1, id);
	stmt_bind_text(st, 2, hash, strlen(hash));
	stmt_bind_int64(st, 3, time_unix());
	rc = stmt_step(st);
	stmt_done(st);
	if (rc < 0)
		return rc;
	/* a new password ends every session and API token of the account */
	return user_end_credentials(c, id, true, ended);
}

/* Strict mode: refuses the current password and the retired ones kept in the history.
 * Reads the hashes first and verifies outside any transaction (argon2id is slow). */
int user_reuse_check(struct app *a, int64_t id, const char *password, const char *field, struct errlist *errs)
{
	struct policy p = user_policy(a);
	if (!p.password_strict)
		return 0;
	enum { MAXH = 16 };
	char(*h)[crypto_pwhash_STRBYTES] = calloc(MAXH, crypto_pwhash_STRBYTES);
	if (!h)
		return ERR_NOMEM;
	int n = 0;
	struct conn *c = NULL;
	struct stmt *st = NULL;
	int rc = store_acquire(a->store, STORE_READ, &c);
	if (!rc) {
		rc = conn_prepare(c,
				  "SELECT password_hash, password_changed_at FROM app_user WHERE id = $1"
				  " UNION ALL SELECT password_hash, retired_at FROM password_history"
				  " WHERE user_id = $1 ORDER BY 2 DESC LIMIT $2",
				  &st);
		if (!rc) {
			stmt_bind_int64(st, 1, id);
			stmt_bind_int64(st, 2, p.password_history < MAXH ? p.password_history : MAXH);
			while ((rc = stmt_step(st)) == STORE_ROW && n < MAXH)
				str_copy(h[n++], crypto_pwhash_STRBYTES, stmt_text(st, 0, NULL));
			rc = rc < 0 ? rc : 0;
		}
		stmt_done(st);
		store_release(c);
	}
	bool reused = false;
	for (int i = 0; !rc && i < n && !reused; i++)
		reused = crypto_pwhash_str_verify(h[i], password, strlen(password)) == 0;
	sodium_memzero(h, (size_t)MAXH * crypto_pwhash_STRBYTES);
	free(h);
	if (rc)
		return rc;
	if (reused) {
		char msg[96];
		snprintf(msg, sizeof(msg), "this password was used recently: the last %d cannot be reused",
			 p.password_history);
		return errlist_add(errs, field, "password_reused", msg);
	}
	return 0;
}

struct own_fail_job {
	const struct audit_entry *who;
	const struct caller *c;
	struct policy p;
	struct own_password_result *out;
};

/* A wrong current password: counted with the sign-in failures and audited; at the limit
 * the account locks and the credential that asked (session or token) ends. */
static int own_fail_tx(struct conn *c, void *arg)
{
	struct own_fail_job *j = arg;
	int failures = 0;
	int64_t until = 0;
	int rc = user_count_failure(c, j->c->user_id, &j->p, &failures, &until);
	if (rc)
		return rc;
	j->out->locked_for_s = until ? until - time_unix() : 0;
	struct audit_diff d;
	audit_diff_init(&d);
	audit_diff_str(&d, "current_password", "wrong");
	audit_diff_int(&d, "failures", failures);
	audit_diff_int(&d, "locked_minutes", until ? j->p.lock_s / 60 : 0);
	if (until) {
		const bool token = j->c->token_id > 0;
		rc = conn_run(
			c,
			token ? "UPDATE api_token SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL"
			      : "UPDATE session SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL",
			"ii", token ? j->c->token_id : j->c->session_id, time_unix());
		if (rc < 0)
			return rc;
		j->out->ended = true;
		audit_diff_str(&d, token ? "token" : "session", token ? "revoked" : "ended");
	}
	char oid[24];
	snprintf(oid, sizeof(oid), "%" PRId64, j->c->user_id);
	struct audit_entry e = *j->who;
	e.action = "user.password_failed";
	e.object_type = "user";
	e.object_id = oid;
	e.detail = audit_diff_text(&d);
	return audit_append(c, &e);
}

int user_change_own_password(struct app *a, const struct audit_entry *who, const struct caller *c,
			     const char *current, const char *password, struct errlist *errs,
			     struct own_password_result *out)
{
	memset(out, 0, sizeof(*out));
	char hash[crypto_pwhash_STRBYTES] = "";
	struct conn *conn = NULL;
	int64_t locked_until = 0;
	/* the primary: a lock set a moment ago must already hold */
	int rc = store_acquire(a->store, STORE_WRITE, &conn);
	if (rc)
		return rc;
	rc = conn_row(conn, "SELECT password_hash, locked_until FROM app_user WHERE id = $1", "i", "ti",
		      c->user_id, hash, sizeof(hash), &locked_until);
	store_release(conn);
	if (rc)
		return rc;
	int64_t now = time_unix();
	if (locked_until > now) { /* no password check at all while locked, as at sign-in */
		out->locked_for_s = locked_until - now;
		errlist_add(
			errs, "current_password", "account_locked",
			"too many wrong passwords: wait, or ask a security administrator to unlock the account");
		return ERR_RATELIMIT;
	}
	if (crypto_pwhash_str_verify(hash, current, strlen(current)) != 0) {
		struct own_fail_job j = {.who = who, .c = c, .p = user_policy(a), .out = out};
		rc = store_tx(a->store, own_fail_tx, &j);
		if (rc)
			return rc;
		if (out->locked_for_s > 0) {
			errlist_add(errs, "current_password", "account_locked",
				    "too many wrong passwords: the account is locked");
			return ERR_RATELIMIT;
		}
		errlist_add(errs, "current_password", "wrong_password", "the current password is not right");
		return ERR_FORBIDDEN;
	}
	return user_set_password(a, who, c->user_id, password, "new_password", errs);
}
