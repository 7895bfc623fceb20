/*
 * user.c - accounts, password policy, API tokens (see user.h).
 */
#include "domain/user.h"
#include "domain/org.h"
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
	"12345678", "123456789", "1234567890", "password", "password1", "qwertyui", "qwerty123",
	"11111111", "00000000", "88888888", "66666666", "12341234", "87654321", "abcd1234",
	"a1234567", "a12345678", "1qaz2wsx", "1q2w3e4r", "qazwsxedc", "iloveyou", "woaini1314",
	"woaini520", "5201314a", "admin123", "admin1234", "administrator", "welcome1", "p@ssw0rd",
	"passw0rd", "zxcvbnm1", "asdfghjk", "letmein1", "abc12345", "aa123456", "qq123456",
	"123qweasd", "1234qwer", "qwer1234", "kexie123", "kexie2026", NULL,
};

int password_check(const char *password, const char *login, const char *field, struct errlist *errs)
{
	size_t n = strlen(password);
	if (!utf8_valid(password, n, NULL) || utf8_count(password, n) < 8 || n > 256)
		return errlist_add(errs, field, "password_too_short", "use at least 8 characters");
	if (login && !strcasecmp(password, login))
		return errlist_add(errs, field, "password_is_login", "the password must not be the login");
	for (const char *const *p = common_passwords; *p; p++)
		if (!strcasecmp(password, *p))
			return errlist_add(errs, field, "password_common",
					   "this password is among the most common ones: choose another");
	return 0;
}

static bool login_ok(const char *s)
{
	size_t n = strlen(s);
	if (n < 2 || n > 64)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		      c == '-' || c == '@'))
			return false;
	}
	return true;
}

struct add_job {
	const struct user_input *in;
	const struct audit_entry *who;
	struct errlist *errs;
	char hash[crypto_pwhash_STRBYTES];
	int64_t org_id;
	int64_t id;
};

static int add_tx(struct conn *c, void *arg)
{
	struct add_job *j = arg;
	struct stmt *st = NULL;
	int rc = conn_prepare(c, "SELECT 1 FROM app_user WHERE login = $1", &st);
	if (rc)
		return rc;
	stmt_bind_text(st, 1, j->in->login, strlen(j->in->login));
	rc = stmt_step(st);
	stmt_done(st);
	if (rc == STORE_ROW) {
		errlist_add(j->errs, "login", "taken", "another account already has this login");
		return ERR_CONFLICT;
	}
	if (rc < 0)
		return rc;
	int64_t now = time_unix();
	rc = conn_prepare(c, "INSERT INTO app_user (login, display_name, password_hash, password_changed_at,"
			     " created_at) VALUES ($1, $2, $3, $4, $4) RETURNING id", &st);
	if (rc)
		return rc;
	stmt_bind_text(st, 1, j->in->login, strlen(j->in->login));
	stmt_bind_text(st, 2, j->in->display_name, strlen(j->in->display_name));
	stmt_bind_text(st, 3, j->hash, strlen(j->hash));
	stmt_bind_int64(st, 4, now);
	rc = stmt_step(st);
	if (rc == STORE_ROW)
		j->id = stmt_int64(st, 0);
	stmt_done(st);
	if (rc != STORE_ROW)
		return rc < 0 ? rc : ERR_DB;
	rc = conn_prepare(c, "INSERT INTO role_assignment (user_id, role, org_id) VALUES ($1, $2, $3)", &st);
	if (rc)
		return rc;
	stmt_bind_int64(st, 1, j->id);
	stmt_bind_text(st, 2, j->in->role, strlen(j->in->role));
	stmt_bind_int64(st, 3, j->org_id);
	rc = stmt_step(st);
	stmt_done(st);
	if (rc < 0)
		return rc;
	char oid[24], detail[200];
	snprintf(oid, sizeof(oid), "%" PRId64, j->id);
	/* the password is recorded as set, never in any form */
	snprintf(detail, sizeof(detail), "login=%s role=%s org=%" PRId64 " password=set", j->in->login,
		 j->in->role, j->org_id);
	struct audit_entry e = *j->who;
	e.action = "user.create";
	e.object_type = "user";
	e.object_id = oid;
	e.org_id = j->org_id;
	e.detail = detail;
	return audit_append(c, &e);
}

static bool in_roles(const char *role)
{
	size_t n = strlen(role);
	for (const char *p = RBAC_ROLES; *p;) {
		const char *bar = strchr(p, '|');
		size_t len = bar ? (size_t)(bar - p) : strlen(p);
		if (n && len == n && !strncmp(p, role, n))
			return true;
		if (!bar)
			break;
		p = bar + 1;
	}
	return false;
}

int user_add(struct app *a, const struct audit_entry *who, const struct user_input *in,
	     struct errlist *errs, int64_t *id)
{
	int bad = 0;
	if (!in->login || !login_ok(in->login))
		bad = errlist_add(errs, "login", "invalid_login", "2 to 64 of a-z 0-9 . _ - @");
	if (!in->display_name || !*in->display_name ||
	    !utf8_valid(in->display_name, strlen(in->display_name), NULL) ||
	    utf8_count(in->display_name, strlen(in->display_name)) > 100)
		bad = errlist_add(errs, "display_name", "bad_length", "1 to 100 characters");
	if (!in->role || !in_roles(in->role))
		bad = errlist_add(errs, "role", "not_allowed", RBAC_ROLES);
	if (!in->password || password_check(in->password, in->login, "password", errs))
		bad = ERR_UNPROCESSABLE;
	struct add_job j = {.in = in, .who = who, .errs = errs};
	struct org o;
	int rc = org_get_by_code(a, in->org_code && *in->org_code ? in->org_code : "CAST", NULL, &o);
	if (rc == ERR_NOTFOUND)
		bad = errlist_add(errs, "org", "not_found", "no open organization with this code");
	else if (rc)
		return rc;
	if (bad)
		return ERR_UNPROCESSABLE;
	j.org_id = o.id;
	if (crypto_pwhash_str(j.hash, in->password, strlen(in->password),
			      crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE))
		return ERR_NOMEM;
	rc = store_tx(a->store, add_tx, &j);
	if (!rc)
		*id = j.id;
	return rc;
}

/* Ends the user's sessions and, with tokens, its API tokens too. */
static int end_credentials(struct conn *c, int64_t user_id, bool tokens)
{
	static const char *const sql[] = {
		"UPDATE session SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL",
		"UPDATE api_token SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL",
	};
	for (int i = 0; i < (tokens ? 2 : 1); i++) {
		struct stmt *st = NULL;
		int rc = conn_prepare(c, sql[i], &st);
		if (rc)
			return rc;
		stmt_bind_int64(st, 1, user_id);
		stmt_bind_int64(st, 2, time_unix());
		rc = stmt_step(st);
		stmt_done(st);
		if (rc < 0)
			return rc;
	}
	return 0;
}

struct disable_job {
	const struct audit_entry *who;
	const char *login;
};

static int disable_tx(struct conn *c, void *arg)
{
	struct disable_job *j = arg;
	struct stmt *st = NULL;
	int rc = conn_prepare(c, "UPDATE app_user SET status = 'disabled', version = version + 1"
				 " WHERE login = $1 RETURNING id", &st);
	if (rc)
		return rc;
	stmt_bind_text(st, 1, j->login, strlen(j->login));
	rc = stmt_step(st);
	int64_t id = rc == STORE_ROW ? stmt_int64(st, 0) : 0;
	stmt_done(st);
	if (rc == STORE_DONE)
		return ERR_NOTFOUND;
	if (rc < 0)
		return rc;
	rc = end_credentials(c, id, true);
	if (rc)
		return rc;
	char oid[24];
	snprintf(oid, sizeof(oid), "%" PRId64, id);
	struct audit_entry e = *j->who;
	e.action = "user.disable";
	e.object_type = "user";
	e.object_id = oid;
	e.detail = "status=disabled sessions=ended tokens=revoked";
	return audit_append(c, &e);
}

int user_disable(struct app *a, const struct audit_entry *who, const char *login)
{
	struct disable_job j = {.who = who, .login = login};
	return store_tx(a->store, disable_tx, &j);
}

struct account_job {
	const struct audit_entry *who;
	const char *login;
	const char *hash; /* NULL: unlock only */
};

static int account_tx(struct conn *c, void *arg)
{
	struct account_job *j = arg;
	struct stmt *st = NULL;
	int rc = conn_prepare(c, j->hash ? "UPDATE app_user SET password_hash = $2, password_changed_at = $3,"
					   " failed_count = 0, locked_until = 0, version = version + 1"
					   " WHERE login = $1 RETURNING id"
					 : "UPDATE app_user SET failed_count = 0, locked_until = 0 WHERE login = $1"
					   " RETURNING id",
			      &st);
	if (rc)
		return rc;
	stmt_bind_text(st, 1, j->login, strlen(j->login));
	if (j->hash) {
		stmt_bind_text(st, 2, j->hash, strlen(j->hash));
		stmt_bind_int64(st, 3, time_unix());
	}
	rc = stmt_step(st);
	int64_t id = rc == STORE_ROW ? stmt_int64(st, 0) : 0;
	stmt_done(st);
	if (rc == STORE_DONE)
		return ERR_NOTFOUND;
	if (rc < 0)
		return rc;
	if (j->hash) { /* a new password ends every session of the account */
		rc = end_credentials(c, id, false);
		if (rc)
			return rc;
	}
	char oid[24];
	snprintf(oid, sizeof(oid), "%" PRId64, id);
	struct audit_entry e = *j->who;
	e.action = j->hash ? "user.password" : "user.unlock";
	e.object_type = "user";
	e.object_id = oid;
	e.detail = j->hash ? "password=set sessions=ended" : "lock=cleared";
	return audit_append(c, &e);
}

int user_unlock(struct app *a, const struct audit_entry *who, const char *login)
{
	struct account_job j = {.who = who, .login = login};
	return store_tx(a->store, account_tx, &j);
}

int user_set_password(struct app *a, const struct audit_entry *who, const char *login,
		      const char *password, struct errlist *errs)
{
	if (password_check(password, login, "password", errs))
		return ERR_UNPROCESSABLE;
	char hash[crypto_pwhash_STRBYTES];
	if (crypto_pwhash_str(hash, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
			      crypto_pwhash_MEMLIMIT_INTERACTIVE))
		return ERR_NOMEM;
	struct account_job j = {.who = who, .login = login, .hash = hash};
	return store_tx(a->store, account_tx, &j);
}

int user_list(struct app *a, void (*fn)(const struct user_row *u, void *arg), void *arg)
{
	struct conn *c = NULL;
	struct stmt *st = NULL;
	int rc = store_acquire(a->store, STORE_READ, &c);
	if (rc)
		return rc;
	rc = conn_prepare(c,
			  "SELECT u.id, u.login, u.display_name, u.status, r.role, o.code"
			  " FROM app_user u LEFT JOIN role_assignment r ON r.user_id = u.id"
			  " LEFT JOIN org o ON o.id = r.org_id ORDER BY u.login, r.role, o.code",
			  &st);
	struct user_row cur = {0};
	while (!rc && (rc = stmt_step(st)) == STORE_ROW) {
		rc = 0;
		int64_t id = stmt_int64(st, 0);
		if (cur.id && cur.id != id) {
			fn(&cur, arg);
			memset(&cur, 0, sizeof(cur));
		}
		if (!cur.id) {
			cur.id = id;
			str_copy(cur.login, sizeof(cur.login), stmt_text(st, 1, NULL));
			str_copy(cur.display_name, sizeof(cur.display_name), stmt_text(st, 2, NULL));
			str_copy(cur.status, sizeof(cur.status), stmt_text(st, 3, NULL));
		}
		if (!stmt_isnull(st, 4)) {
			size_t len = strlen(cur.roles);
			snprintf(cur.roles + len, sizeof(cur.roles) - len, "%s%s@%s", len ? ", " : "",
				 stmt_text(st, 4, NULL), stmt_text(st, 5, NULL));
		}
	}
	if (cur.id)
		fn(&cur, arg);
	stmt_done(st);
	store_release(c);
	return rc < 0 ? rc : 0;
}

static void token_hash(const struct app *a, const char *token, char out[65])
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
	rc = conn_prepare(c, "INSERT INTO api_token (user_id, name, token_hash, created_at, expires_at)"
			     " VALUES ($1, $2, $3, $4, $5) RETURNING id", &st);
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
	char oid[24], detail[120];
	snprintf(oid, sizeof(oid), "%" PRId64, tid);
	snprintf(detail, sizeof(detail), "user=%s expires_days=%d", j->login, j->days);
	struct audit_entry e = *j->who;
	e.user_id = e.user_id ? e.user_id : 0;
	e.action = "token.create";
	e.object_type = "api_token";
	e.object_id = oid;
	e.detail = detail;
	return audit_append(c, &e);
}

int token_create(struct app *a, const struct audit_entry *who, const char *login, int expires_days,
		 const char *name, char *out, size_t cap)
{
	if (cap < TOKEN_LEN + 1)
		return ERR_TOOBIG;
	unsigned char rnd[32];
	randombytes_buf(rnd, sizeof(rnd));
	memcpy(out, "kx_", 3);
	sodium_bin2base64(out + 3, cap - 3, rnd, sizeof(rnd), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(rnd, sizeof(rnd));
	struct token_job j = {.who = who, .login = login, .name = name ? name : "", .days = expires_days};
	token_hash(a, out, j.hash);
	int rc = store_tx(a->store, token_tx, &j);
	if (rc)
		sodium_memzero(out, cap);
	return rc;
}

/* The caller's role assignments, for token and session callers alike. */
static int load_grants(struct conn *c, struct caller *out)
{
	struct stmt *st = NULL;
	int rc = conn_prepare(c, "SELECT role, org_id FROM role_assignment WHERE user_id = $1"
				 " ORDER BY role, org_id", &st);
	if (rc)
		return rc;
	stmt_bind_int64(st, 1, out->user_id);
	while ((rc = stmt_step(st)) == STORE_ROW && out->ngrants < CALLER_MAX_GRANTS) {
		struct grant *g = &out->g[out->ngrants++];
		str_copy(g->role, sizeof(g->role), stmt_text(st, 0, NULL));
		g->org_id = stmt_int64(st, 1);
	}
	stmt_done(st);
	return rc < 0 ? rc : 0;
}

int token_resolve(struct app *a, const char *token, struct caller *out)
{
	memset(out, 0, sizeof(*out));
	if (strlen(token) != TOKEN_LEN || strncmp(token, "kx_", 3))
		return ERR_UNAUTHORIZED;
	char hash[65];
	token_hash(a, token, hash);
	struct conn *c = NULL;
	struct stmt *st = NULL;
	int rc = store_acquire(a->store, STORE_READ, &c);
	if (rc)
		return rc;
	int64_t now = time_unix(), last_used = 0;
	rc = conn_prepare(c,
			  "SELECT t.id, u.id, u.login, u.display_name, t.last_used_at FROM api_token t"
			  " JOIN app_user u ON u.id = t.user_id WHERE t.token_hash = $1"
			  " AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > $2)"
			  " AND u.status = 'active'",
			  &st);
	if (!rc) {
		stmt_bind_text(st, 1, hash, strlen(hash));
		stmt_bind_int64(st, 2, now);
		rc = stmt_step(st);
		if (rc == STORE_ROW) {
			out->token_id = stmt_int64(st, 0);
			out->user_id = stmt_int64(st, 1);
			str_copy(out->login, sizeof(out->login), stmt_text(st, 2, NULL));
			str_copy(out->display_name, sizeof(out->display_name), stmt_text(st, 3, NULL));
			last_used = stmt_int64(st, 4);
			out->via = "token";
			rc = 0;
		} else if (rc == STORE_DONE) {
			rc = ERR_UNAUTHORIZED;
		}
	}
	stmt_done(st);
	if (!rc)
		rc = load_grants(c, out);
	store_release(c);
	if (!rc && now - last_used >= 60) {
		/* last-used time, at most one write a minute per token */
		if (store_acquire(a->store, STORE_WRITE, &c) == 0) {
			if (conn_prepare(c, "UPDATE api_token SET last_used_at = $2 WHERE id = $1", &st) == 0) {
				stmt_bind_int64(st, 1, out->token_id);
				stmt_bind_int64(st, 2, now);
				(void)stmt_step(st);
				stmt_done(st);
			}
			store_release(c);
		}
	}
	return rc;
}

/* ---- sessions ---- */

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
	struct login_result *res;
	struct app *app;
	bool verified;
	int64_t user_id;
	char user_hash[crypto_pwhash_STRBYTES];
	int failed;
	int64_t locked_until;
	bool exists, active;
};

static int login_audit(struct conn *c, struct login_job *j, const char *action, const char *detail)
{
	struct audit_entry e = {.user_id = j->user_id, .via = "session", .request_id = j->request_id,
				.client_addr = j->addr, .action = action, .object_type = "user",
				.object_id = "", .detail = detail};
	char oid[24];
	if (j->user_id) {
		snprintf(oid, sizeof(oid), "%" PRId64, j->user_id);
		e.object_id = oid;
	}
	return audit_append(c, &e);
}

/* Records the outcome: failure counters and lock, or a new session. */
static int login_finish_tx(struct conn *c, void *arg)
{
	struct login_job *j = arg;
	struct stmt *st = NULL;
	int64_t now = time_unix();
	int rc;
	if (!j->verified) {
		char detail[120];
		if (j->exists) {
			int failed = j->failed + 1;
			int64_t lock = failed >= LOGIN_MAX_FAILURES ? now + LOGIN_LOCK_S : 0;
			rc = conn_prepare(c, "UPDATE app_user SET failed_count = $2, locked_until = $3 WHERE id = $1", &st);
			if (rc)
				return rc;
			stmt_bind_int64(st, 1, j->user_id);
			stmt_bind_int64(st, 2, lock ? 0 : failed);
			stmt_bind_int64(st, 3, lock);
			rc = stmt_step(st);
			stmt_done(st);
			if (rc < 0)
				return rc;
			j->locked_until = lock;
			snprintf(detail, sizeof(detail), "failures=%d%s", failed, lock ? " locked=15min" : "");
		} else {
			/* the attempted login is kept (it is what an investigator needs), never the password */
			snprintf(detail, sizeof(detail), "unknown login=%.64s", j->login);
		}
		return login_audit(c, j, "user.login_failed", detail);
	}
	char token_h[65], csrf_h[65];
	new_secret(j->res->token, sizeof(j->res->token));
	session_csrf_for(j->app, j->res->token, j->res->csrf, sizeof(j->res->csrf));
	token_hash(j->app, j->res->token, token_h);
	token_hash(j->app, j->res->csrf, csrf_h);
	rc = conn_prepare(c, "INSERT INTO session (token_hash, csrf_hash, user_id, created_at, last_seen_at,"
			     " expires_at, client_addr) VALUES ($1, $2, $3, $4, $4, $5, $6)", &st);
	if (rc)
		return rc;
	stmt_bind_text(st, 1, token_h, strlen(token_h));
	stmt_bind_text(st, 2, csrf_h, strlen(csrf_h));
	stmt_bind_int64(st, 3, j->user_id);
	stmt_bind_int64(st, 4, now);
	stmt_bind_int64(st, 5, now + SESSION_ABSOLUTE_S);
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
	return login_audit(c, j, "user.login", "session=new");
}

int session_login(struct app *a, const char *login, const char *password, const char *addr,
		  const char *request_id, struct login_result *res)
{
	/* a valid hash of nothing anyone knows, so an unknown login costs the same time */
	static const char dummy[] =
		"$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$"
		"0zAcEvrZYQKhzzT4Wn4ucw4pP0Yb2QAoGIyKD1yWC9A";
	memset(res, 0, sizeof(*res));
	struct login_job j = {.login = login, .password = password, .addr = addr ? addr : "",
			      .request_id = request_id, .res = res, .app = a};
	struct conn *c = NULL;
	struct stmt *st = NULL;
	int rc = store_acquire(a->store, STORE_WRITE, &c);
	if (rc)
		return rc;
	rc = conn_prepare(c, "SELECT id, password_hash, failed_count, locked_until, status FROM app_user"
			     " WHERE login = $1", &st);
	if (!rc) {
		stmt_bind_text(st, 1, login, strlen(login));
		rc = stmt_step(st);
		if (rc == STORE_ROW) {
			j.exists = true;
			j.user_id = stmt_int64(st, 0);
			str_copy(j.user_hash, sizeof(j.user_hash), stmt_text(st, 1, NULL));
			j.failed = (int)stmt_int64(st, 2);
			j.locked_until = stmt_int64(st, 3);
			j.active = !strcmp(stmt_text(st, 4, NULL), "active");
		}
		rc = rc < 0 ? rc : 0;
	}
	stmt_done(st);
	store_release(c);
	if (rc)
		return rc;
	int64_t now = time_unix();
	if (j.exists && j.locked_until > now) {
		res->locked_for_s = j.locked_until - now;
		return ERR_RATELIMIT; /* no password check at all while locked */
	}
	char against[crypto_pwhash_STRBYTES]; /* the API reads a full-size buffer */
	str_copy(against, sizeof(against), j.exists ? j.user_hash : dummy);
	j.verified = crypto_pwhash_str_verify(against, password, strlen(password)) == 0 &&
		     j.exists && j.active;
	rc = store_tx(a->store, login_finish_tx, &j);
	if (rc)
		return rc;
	if (!j.verified && j.locked_until > now) {
		res->locked_for_s = j.locked_until - now;
		return ERR_RATELIMIT;
	}
	return j.verified ? 0 : ERR_UNAUTHORIZED;
}

int session_resolve(struct app *a, const char *token, const char *csrf, struct caller *out)
{
	memset(out, 0, sizeof(*out));
	if (strlen(token) != TOKEN_LEN || strncmp(token, "kx_", 3))
		return ERR_UNAUTHORIZED;
	char hash[65], csrf_h[65], stored_csrf[65] = "";
	token_hash(a, token, hash);
	struct conn *c = NULL;
	struct stmt *st = NULL;
	int64_t now = time_unix(), sid = 0, last_seen = 0;
	int rc = store_acquire(a->store, STORE_READ, &c);
	if (rc)
		return rc;
	rc = conn_prepare(c,
			  "SELECT s.id, s.last_seen_at, s.csrf_hash, u.id, u.login, u.display_name"
			  " FROM session s JOIN app_user u ON u.id = s.user_id"
			  " WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > $2"
			  " AND s.last_seen_at > $3 AND u.status = 'active'",
			  &st);
	if (!rc) {
		stmt_bind_text(st, 1, hash, strlen(hash));
		stmt_bind_int64(st, 2, now);
		stmt_bind_int64(st, 3, now - SESSION_IDLE_S);
		rc = stmt_step(st);
		if (rc == STORE_ROW) {
			sid = stmt_int64(st, 0);
			last_seen = stmt_int64(st, 1);
			str_copy(stored_csrf, sizeof(stored_csrf), stmt_text(st, 2, NULL));
			out->user_id = stmt_int64(st, 3);
			str_copy(out->login, sizeof(out->login), stmt_text(st, 4, NULL));
			str_copy(out->display_name, sizeof(out->display_name), stmt_text(st, 5, NULL));
			out->via = "session";
			rc = 0;
		} else if (rc == STORE_DONE) {
			rc = ERR_UNAUTHORIZED;
		}
	}
	stmt_done(st);
	if (!rc)
		rc = load_grants(c, out);
	store_release(c);
	if (rc)
		return rc;
	if (csrf) {
		token_hash(a, csrf, csrf_h);
		if (sodium_memcmp(csrf_h, stored_csrf, 64) != 0)
			return ERR_FORBIDDEN;
	}
	if (now - last_seen >= 60 && store_acquire(a->store, STORE_WRITE, &c) == 0) {
		/* the idle clock, moved at most once a minute */
		if (conn_prepare(c, "UPDATE session SET last_seen_at = $2 WHERE id = $1", &st) == 0) {
			stmt_bind_int64(st, 1, sid);
			stmt_bind_int64(st, 2, now);
			(void)stmt_step(st);
			stmt_done(st);
		}
		store_release(c);
	}
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
	return audit_append(c, &e);
}

int session_logout(struct app *a, const char *token, const struct audit_entry *who)
{
	struct logout_job j = {.who = who};
	token_hash(a, token, j.hash);
	return store_tx(a->store, logout_tx, &j);
}
