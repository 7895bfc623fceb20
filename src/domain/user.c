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

/* The configured policy, with the defaults where a context was built without one. */
static struct policy pol(const struct app *a)
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
	return p;
}

int password_check(const struct app *a, const char *password, const char *login, const char *field,
		   struct errlist *errs)
{
	struct policy p = pol(a);
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
			return errlist_add(errs, field, "password_classes",
					   "mix at least three of: lower case, upper case, digits, other characters");
	}
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

static int audit_user(struct conn *c, const struct audit_entry *who, const char *action, int64_t id,
		      int64_t org_id, const char *detail)
{
	char oid[24];
	snprintf(oid, sizeof(oid), "%" PRId64, id);
	struct audit_entry e = *who;
	e.action = action;
	e.object_type = "user";
	e.object_id = oid;
	e.org_id = org_id;
	e.detail = detail;
	return audit_append(c, &e);
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
	struct audit_diff d;
	audit_diff_init(&d);
	audit_diff_change(&d, "login", NULL, j->in->login);
	audit_diff_change(&d, "display_name", NULL, j->in->display_name);
	audit_diff_change(&d, "role", NULL, j->in->role);
	audit_diff_int(&d, "org_id", j->org_id);
	audit_diff_secret(&d, "password"); /* recorded as set, never in any form */
	return audit_user(c, j->who, "user.create", j->id, j->org_id, audit_diff_text(&d));
}

static bool in_roles(const char *role)
{
	return word_in(RBAC_ROLES, '|', role, false);
}

static bool admin_post(const char *role)
{
	return !strcmp(role, "system_admin") || !strcmp(role, "security_admin") || !strcmp(role, "audit_admin");
}

static int hash_password(const char *password, char out[crypto_pwhash_STRBYTES])
{
	return crypto_pwhash_str(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
				 crypto_pwhash_MEMLIMIT_INTERACTIVE)
		       ? ERR_NOMEM
		       : 0;
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
	if (!in->password || password_check(a, in->password, in->login, "password", errs))
		bad = ERR_UNPROCESSABLE;
	struct add_job j = {.in = in, .who = who, .errs = errs};
	struct org o;
	int rc = in->org_id > 0 ? org_get(a, in->org_id, NULL, &o)
				: org_get_by_code(a, in->org_code && *in->org_code ? in->org_code : "CAST", NULL, &o);
	if (rc == ERR_NOTFOUND || (!rc && o.closed_on[0]))
		bad = errlist_add(errs, in->org_id > 0 ? "org_id" : "org", "not_found",
				  "no open organization with this code");
	else if (rc)
		return rc;
	if (bad)
		return ERR_UNPROCESSABLE;
	j.org_id = o.id;
	rc = hash_password(in->password, j.hash);
	if (!rc)
		rc = store_tx(a->store, add_tx, &j);
	sodium_memzero(j.hash, sizeof(j.hash));
	if (!rc)
		*id = j.id;
	return rc;
}

int user_find(struct app *a, const char *login, int64_t *id)
{
	struct conn *c = NULL;
	struct stmt *st = NULL;
	*id = 0;
	int rc = store_acquire(a->store, STORE_READ, &c);
	if (rc)
		return rc;
	rc = conn_prepare(c, "SELECT id FROM app_user WHERE login = $1", &st);
	if (!rc) {
		stmt_bind_text(st, 1, login, strlen(login));
		rc = stmt_step(st);
		if (rc == STORE_ROW)
			*id = stmt_int64(st, 0);
		rc = rc == STORE_ROW ? 0 : rc == STORE_DONE ? ERR_NOTFOUND : rc;
	}
	stmt_done(st);
	store_release(c);
	return rc;
}

/* Ends the user's sessions and, with tokens, its API tokens too; *n counts the sessions. */
static int end_credentials(struct conn *c, int64_t user_id, bool tokens, int64_t *n)
{
	static const char *const sql[] = {
		"UPDATE session SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL"
		" AND expires_at > $2",
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
		if (i == 0 && n)
			*n = stmt_changes(st);
		stmt_done(st);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* One change to an account, by id. */
enum account_op { ACC_DISABLE, ACC_ENABLE, ACC_UNLOCK, ACC_PASSWORD, ACC_END_SESSIONS };

struct account_job {
	const struct audit_entry *who;
	int64_t id;
	enum account_op op;
	const char *hash; /* ACC_PASSWORD */
	int history;      /* ACC_PASSWORD: old hashes to keep */
	int64_t ended;    /* sessions ended */
};

static int run_sql_id(struct conn *c, const char *sql, int64_t id, int64_t *changes)
{
	struct stmt *st = NULL;
	int rc = conn_prepare(c, sql, &st);
	if (rc)
		return rc;
	stmt_bind_int64(st, 1, id);
	rc = stmt_step(st);
	if (changes)
		*changes = stmt_changes(st);
	stmt_done(st);
	return rc < 0 ? rc : 0;
}

/* Keeps the password being replaced in the history (strict mode refuses reuse). */
static int retire_password(struct conn *c, int64_t id, int keep)
{
	int rc = run_sql_id(c, "INSERT INTO password_history (user_id, password_hash, retired_at)"
			       " SELECT id, password_hash, password_changed_at FROM app_user WHERE id = $1",
			    id, NULL);
	if (rc)
		return rc;
	struct stmt *st = NULL;
	rc = conn_prepare(c, "DELETE FROM password_history WHERE user_id = $1 AND retired_at NOT IN"
			     " (SELECT retired_at FROM password_history WHERE user_id = $1"
			     " ORDER BY retired_at DESC LIMIT $2)", &st);
	if (rc)
		return rc;
	stmt_bind_int64(st, 1, id);
	stmt_bind_int64(st, 2, keep);
	rc = stmt_step(st);
	stmt_done(st);
	return rc < 0 ? rc : 0;
}

static int set_password_conn(struct conn *c, int64_t id, const char *hash, int keep, int64_t *ended)
{
	int rc = retire_password(c, id, keep);
	if (rc)
		return rc;
	struct stmt *st = NULL;
	rc = conn_prepare(c, "UPDATE app_user SET password_hash = $2, password_changed_at = $3,"
			     " failed_count = 0, locked_until = 0, version = version + 1 WHERE id = $1", &st);
	if (rc)
		return rc;
	stmt_bind_int64(st, 1, id);
	stmt_bind_text(st, 2, hash, strlen(hash));
	stmt_bind_int64(st, 3, time_unix());
	rc = stmt_step(st);
	stmt_done(st);
	if (rc < 0)
		return rc;
	/* a new password ends every session of the account */
	return end_credentials(c, id, false, ended);
}

static int account_tx(struct conn *c, void *arg)
{
	struct account_job *j = arg;
	struct stmt *st = NULL;
	int rc = conn_prepare(c, "SELECT status FROM app_user WHERE id = $1", &st);
	if (rc)
		return rc;
	stmt_bind_int64(st, 1, j->id);
	rc = stmt_step(st);
	stmt_done(st);
	if (rc == STORE_DONE)
		return ERR_NOTFOUND;
	if (rc < 0)
		return rc;
	const char *action = "", *detail = "";
	char buf[120];
	switch (j->op) {
	case ACC_DISABLE:
		rc = run_sql_id(c, "UPDATE app_user SET status = 'disabled', version = version + 1 WHERE id = $1",
				j->id, NULL);
		if (!rc)
			rc = end_credentials(c, j->id, true, &j->ended);
		action = "user.disable";
		detail = "{\"status\":[\"active\",\"disabled\"],\"sessions\":\"ended\",\"tokens\":\"revoked\"}";
		break;
	case ACC_ENABLE:
		rc = run_sql_id(c, "UPDATE app_user SET status = 'active', failed_count = 0, locked_until = 0,"
				   " version = version + 1 WHERE id = $1", j->id, NULL);
		action = "user.enable";
		detail = "{\"status\":[\"disabled\",\"active\"]}";
		break;
	case ACC_UNLOCK:
		rc = run_sql_id(c, "UPDATE app_user SET failed_count = 0, locked_until = 0 WHERE id = $1", j->id, NULL);
		action = "user.unlock";
		detail = "{\"lock\":\"cleared\"}";
		break;
	case ACC_PASSWORD:
		rc = set_password_conn(c, j->id, j->hash, j->history, &j->ended);
		action = "user.password";
		/* the password is recorded as changed, never in any form */
		detail = "{\"password\":\"changed\",\"sessions\":\"ended\"}";
		break;
	case ACC_END_SESSIONS:
		rc = end_credentials(c, j->id, false, &j->ended);
		action = "user.sessions_end";
		snprintf(buf, sizeof(buf), "{\"sessions_ended\":%" PRId64 "}", j->ended);
		detail = buf;
		break;
	}
	return rc ? rc : audit_user(c, j->who, action, j->id, 0, detail);
}

static int account_run(struct app *a, const struct audit_entry *who, int64_t id, enum account_op op,
		       int64_t *ended)
{
	struct account_job j = {.who = who, .id = id, .op = op};
	int rc = store_tx(a->store, account_tx, &j);
	if (ended)
		*ended = j.ended;
	return rc;
}

int user_disable(struct app *a, const struct audit_entry *who, int64_t id)
{
	return account_run(a, who, id, ACC_DISABLE, NULL);
}

int user_enable(struct app *a, const struct audit_entry *who, int64_t id)
{
	return account_run(a, who, id, ACC_ENABLE, NULL);
}

int user_unlock(struct app *a, const struct audit_entry *who, int64_t id)
{
	return account_run(a, who, id, ACC_UNLOCK, NULL);
}

int user_end_sessions(struct app *a, const struct audit_entry *who, int64_t id, int64_t *ended)
{
	return account_run(a, who, id, ACC_END_SESSIONS, ended);
}

/* Strict mode: refuses the current password and the retired ones kept in the history.
 * Reads the hashes first and verifies outside any transaction (argon2id is slow). */
static int reuse_check(struct app *a, int64_t id, const char *password, const char *field,
		       struct errlist *errs)
{
	struct policy p = pol(a);
	if (!p.password_strict)
		return 0;
	enum { MAXH = 16 };
	char (*h)[crypto_pwhash_STRBYTES] = calloc(MAXH, crypto_pwhash_STRBYTES);
	if (!h)
		return ERR_NOMEM;
	int n = 0;
	struct conn *c = NULL;
	struct stmt *st = NULL;
	int rc = store_acquire(a->store, STORE_READ, &c);
	if (!rc) {
		rc = conn_prepare(c, "SELECT password_hash, password_changed_at FROM app_user WHERE id = $1"
				     " UNION ALL SELECT password_hash, retired_at FROM password_history"
				     " WHERE user_id = $1 ORDER BY 2 DESC LIMIT $2", &st);
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

/* One text column of one account (sql selects it WHERE id = $1); ERR_NOTFOUND when none. */
static int account_text(struct app *a, const char *sql, int64_t id, char *out, size_t cap)
{
	struct conn *c = NULL;
	struct stmt *st = NULL;
	int rc = store_acquire(a->store, STORE_READ, &c);
	if (rc)
		return rc;
	rc = conn_prepare(c, sql, &st);
	if (!rc) {
		stmt_bind_int64(st, 1, id);
		rc = stmt_step(st);
		if (rc == STORE_ROW)
			str_copy(out, cap, stmt_text(st, 0, NULL));
		rc = rc == STORE_ROW ? 0 : rc == STORE_DONE ? ERR_NOTFOUND : rc;
	}
	stmt_done(st);
	store_release(c);
	return rc;
}

int user_set_password(struct app *a, const struct audit_entry *who, int64_t id, const char *password,
		      const char *field, struct errlist *errs)
{
	char login[65] = "";
	int rc = account_text(a, "SELECT login FROM app_user WHERE id = $1", id, login, sizeof(login));
	if (rc)
		return rc;
	if (password_check(a, password, login, field, errs) || reuse_check(a, id, password, field, errs))
		return errs->n ? ERR_UNPROCESSABLE : ERR_DB;
	char hash[crypto_pwhash_STRBYTES];
	rc = hash_password(password, hash);
	if (rc)
		return rc;
	struct account_job j = {.who = who, .id = id, .op = ACC_PASSWORD, .hash = hash,
				.history = pol(a).password_history};
	rc = store_tx(a->store, account_tx, &j);
	sodium_memzero(hash, sizeof(hash));
	return rc;
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
	char oid[24];
	snprintf(oid, sizeof(oid), "%" PRId64, tid);
	struct audit_diff d;
	audit_diff_init(&d);
	audit_diff_str(&d, "user", j->login);
	audit_diff_str(&d, "name", j->name);
	audit_diff_int(&d, "expires_days", j->days);
	const char *detail = audit_diff_text(&d);
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

/* Adds the grant in columns col (role) and col + 1 (org) when the row has one. */
static void add_grant(struct stmt *st, int col, struct caller *out)
{
	if (stmt_isnull(st, col) || out->ngrants >= CALLER_MAX_GRANTS)
		return;
	struct grant *g = &out->g[out->ngrants++];
	str_copy(g->role, sizeof(g->role), stmt_text(st, col, NULL));
	g->org_id = stmt_int64(st, col + 1);
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
	/* the token, its account and the account's grants in one query (one per request) */
	rc = conn_prepare(c,
			  "SELECT t.id, u.id, u.login, u.display_name, t.last_used_at, r.role, r.org_id"
			  " FROM api_token t JOIN app_user u ON u.id = t.user_id"
			  " LEFT JOIN role_assignment r ON r.user_id = u.id WHERE t.token_hash = $1"
			  " AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > $2)"
			  " AND u.status = 'active' ORDER BY r.role, r.org_id",
			  &st);
	if (!rc) {
		stmt_bind_text(st, 1, hash, strlen(hash));
		stmt_bind_int64(st, 2, now);
		rc = ERR_UNAUTHORIZED;
		int step;
		while ((step = stmt_step(st)) == STORE_ROW) {
			if (rc) {
				out->token_id = stmt_int64(st, 0);
				out->user_id = stmt_int64(st, 1);
				str_copy(out->login, sizeof(out->login), stmt_text(st, 2, NULL));
				str_copy(out->display_name, sizeof(out->display_name), stmt_text(st, 3, NULL));
				last_used = stmt_int64(st, 4);
				out->via = "token";
				snprintf(out->cred, sizeof(out->cred), "token:%" PRId64, out->token_id);
				rc = 0;
			}
			add_grant(st, 5, out);
		}
		if (step < 0)
			rc = step;
	}
	stmt_done(st);
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
	const char *new_hash; /* a new password given with the sign-in (or NULL) */
	int history;
	struct login_result *res;
	struct app *app;
	bool verified;
	int64_t user_id;
	char user_hash[crypto_pwhash_STRBYTES];
	int failed;
	int64_t locked_until, changed_at;
	bool exists, active;
	struct policy p;
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
		char detail[200];
		if (j->exists) {
			int failed = j->failed + 1;
			int64_t lock = failed >= j->p.lock_failures ? now + j->p.lock_s : 0;
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
			snprintf(detail, sizeof(detail), "{\"failures\":%d,\"locked_minutes\":%" PRId64 "}",
				 failed, lock ? j->p.lock_s / 60 : 0);
		} else {
			/* the attempted login is kept (it is what an investigator needs), never the password */
			struct audit_diff d;
			audit_diff_init(&d);
			audit_diff_str(&d, "unknown_login", j->login);
			str_copy(detail, sizeof(detail), audit_diff_text(&d));
		}
		return login_audit(c, j, "user.login_failed", detail);
	}
	char token_h[65], csrf_h[65];
	if (j->new_hash) {
		rc = set_password_conn(c, j->user_id, j->new_hash, j->history, NULL);
		if (!rc)
			rc = login_audit(c, j, "user.password", "{\"password\":\"changed\",\"at\":\"sign-in\"}");
		if (rc)
			return rc;
	}
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
			      .request_id = request_id, .res = res, .app = a, .p = pol(a)};
	struct conn *c = NULL;
	struct stmt *st = NULL;
	int rc = store_acquire(a->store, STORE_WRITE, &c);
	if (rc)
		return rc;
	rc = conn_prepare(c, "SELECT id, password_hash, failed_count, locked_until, status,"
			     " password_changed_at FROM app_user WHERE login = $1", &st);
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
			j.changed_at = stmt_int64(st, 5);
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
			    reuse_check(a, j.user_id, new_password, "new_password", errs))
				return errs->n ? ERR_UNPROCESSABLE : ERR_DB;
			rc = hash_password(new_password, new_hash);
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
	if (!j.verified && j.locked_until > now) {
		res->locked_for_s = j.locked_until - now;
		return ERR_RATELIMIT;
	}
	return j.verified ? 0 : ERR_UNAUTHORIZED;
}

int session_resolve(struct app *a, const char *token, const char *csrf, struct caller *out)
{
	struct policy p = pol(a);
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
			  "SELECT s.id, s.last_seen_at, s.csrf_hash, u.id, u.login, u.display_name, r.role, r.org_id"
			  " FROM session s JOIN app_user u ON u.id = s.user_id"
			  " LEFT JOIN role_assignment r ON r.user_id = u.id"
			  " WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > $2"
			  " AND s.last_seen_at > $3 AND u.status = 'active' ORDER BY r.role, r.org_id",
			  &st);
	if (!rc) {
		stmt_bind_text(st, 1, hash, strlen(hash));
		stmt_bind_int64(st, 2, now);
		stmt_bind_int64(st, 3, now - p.session_idle_s);
		rc = stmt_step(st);
		if (rc == STORE_ROW) {
			add_grant(st, 6, out);
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
				add_grant(st, 6, out);
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

/* ---- accounts as seen by administrators: scope, roles, detail, search ---- */

/* The user's role assignments; *n of at most max. */
static int user_grants(struct conn *c, int64_t id, struct user_grant *g, int max, int *n)
{
	struct stmt *st = NULL;
	*n = 0;
	int rc = conn_prepare(c, "SELECT r.role, r.org_id, o.code, o.name FROM role_assignment r"
				 " JOIN org o ON o.id = r.org_id WHERE r.user_id = $1 ORDER BY r.role, o.code", &st);
	if (rc)
		return rc;
	stmt_bind_int64(st, 1, id);
	while ((rc = stmt_step(st)) == STORE_ROW && *n < max) {
		struct user_grant *x = &g[(*n)++];
		str_copy(x->role, sizeof(x->role), stmt_text(st, 0, NULL));
		x->org_id = stmt_int64(st, 1);
		str_copy(x->org_code, sizeof(x->org_code), stmt_text(st, 2, NULL));
		str_copy(x->org_name, sizeof(x->org_name), stmt_text(st, 3, NULL));
	}
	stmt_done(st);
	return rc < 0 ? rc : 0;
}

int user_get(struct app *a, int64_t id, struct user_detail *out)
{
	memset(out, 0, sizeof(*out));
	struct conn *c = NULL;
	struct stmt *st = NULL;
	int rc = store_acquire(a->store, STORE_READ, &c);
	if (rc)
		return rc;
	int64_t now = time_unix();
	rc = conn_prepare(c, "SELECT id, login, display_name, status, locked_until, password_changed_at,"
			     " created_at, (SELECT count(*) FROM session s WHERE s.user_id = u.id"
			     " AND s.revoked_at IS NULL AND s.expires_at > $2 AND s.last_seen_at > $3),"
			     " (SELECT max(created_at) FROM session s WHERE s.user_id = u.id), person_id"
			     " FROM app_user u WHERE id = $1", &st);
	if (!rc) {
		stmt_bind_int64(st, 1, id);
		stmt_bind_int64(st, 2, now);
		stmt_bind_int64(st, 3, now - pol(a).session_idle_s);
		rc = stmt_step(st);
		if (rc == STORE_ROW) {
			out->id = stmt_int64(st, 0);
			str_copy(out->login, sizeof(out->login), stmt_text(st, 1, NULL));
			str_copy(out->display_name, sizeof(out->display_name), stmt_text(st, 2, NULL));
			str_copy(out->status, sizeof(out->status), stmt_text(st, 3, NULL));
			int64_t lock = stmt_int64(st, 4);
			out->locked_for_s = lock > now ? lock - now : 0;
			out->password_changed_at = stmt_int64(st, 5);
			out->created_at = stmt_int64(st, 6);
			out->active_sessions = stmt_int64(st, 7);
			out->last_login_at = stmt_int64(st, 8);
			out->person_id = stmt_int64(st, 9);
		}
		rc = rc == STORE_ROW ? 0 : rc == STORE_DONE ? ERR_NOTFOUND : rc;
	}
	stmt_done(st);
	if (!rc)
		rc = user_grants(c, id, out->g, USER_MAX_GRANTS, &out->ngrants);
	store_release(c);
	return rc;
}

int user_check(struct app *a, const struct caller *c, const char *perm, int64_t user_id)
{
	struct user_detail *u = malloc(sizeof(*u));
	if (!u)
		return ERR_NOMEM;
	int rc = user_get(a, user_id, u);
	bool visible = false, allowed = u->ngrants > 0;
	for (int i = 0; !rc && i < u->ngrants; i++) {
		int r = rbac_check(a, c, perm, u->g[i].org_id);
		if (r == 0 || r == ERR_FORBIDDEN)
			visible = true;
		if (r != 0)
			allowed = false;
		if (r && r != ERR_FORBIDDEN && r != ERR_NOTFOUND)
			rc = r;
	}
	/* the three administrator posts are the security administrator's to manage */
	for (int i = 0; !rc && allowed && i < u->ngrants; i++) {
		if (!admin_post(u->g[i].role) || !strcmp(perm, "user.read"))
			continue;
		bool sec = false;
		rc = rbac_holds(a, c, "security_admin", u->g[i].org_id, &sec);
		if (!sec)
			allowed = false;
	}
	free(u);
	if (rc)
		return rc;
	return allowed ? 0 : visible ? ERR_FORBIDDEN : ERR_NOTFOUND;
}

int user_grant_check(struct app *a, const struct caller *c, const char *role, int64_t org_id,
		     struct errlist *errs)
{
	if (!in_roles(role))
		return errlist_add(errs, "role", "not_allowed", RBAC_ROLES);
	int rc = rbac_check(a, c, "user.admin", org_id);
	if (rc)
		return rc; /* outside every scope: ERR_NOTFOUND, as for any object */
	if (admin_post(role)) {
		bool sec = false;
		rc = rbac_holds(a, c, "security_admin", org_id, &sec);
		if (rc)
			return rc;
		if (!sec) {
			errlist_add(errs, "role", "admin_post",
				    "only a security administrator assigns the administrator posts");
			return ERR_FORBIDDEN;
		}
	}
	return 0;
}

struct role_job {
	const struct audit_entry *who;
	int64_t user_id, org_id;
	const char *role;
	bool add;
	struct errlist *errs;
	int64_t ended;
};

static int role_tx(struct conn *c, void *arg)
{
	struct role_job *j = arg;
	struct stmt *st = NULL;
	int rc;
	rc = conn_prepare(c, j->add ? "INSERT INTO role_assignment (user_id, role, org_id) VALUES ($1, $2, $3)"
				      " ON CONFLICT DO NOTHING"
				    : "DELETE FROM role_assignment WHERE user_id = $1 AND role = $2 AND org_id = $3",
			  &st);
	if (rc)
		return rc;
	stmt_bind_int64(st, 1, j->user_id);
	stmt_bind_text(st, 2, j->role, strlen(j->role));
	stmt_bind_int64(st, 3, j->org_id);
	rc = stmt_step(st);
	int64_t n = stmt_changes(st);
	stmt_done(st);
	if (rc < 0)
		return rc;
	if (n == 0) {
		if (j->add)
			errlist_add(j->errs, "role", "exists", "the account already holds this role there");
		return j->add ? ERR_CONFLICT : ERR_NOTFOUND;
	}
	if (!j->add) {
		/* an account keeps at least one role: its place in the tree is how it is managed */
		int64_t left = 0;
		rc = conn_prepare(c, "SELECT count(*) FROM role_assignment WHERE user_id = $1", &st);
		if (rc)
			return rc;
		stmt_bind_int64(st, 1, j->user_id);
		if (stmt_step(st) == STORE_ROW)
			left = stmt_int64(st, 0);
		stmt_done(st);
		if (left == 0) { /* the caller's transaction rolls the delete back */
			errlist_add(j->errs, "role", "last_role",
				    "an account keeps at least one role: disable the account instead");
			return ERR_CONFLICT;
		}
	}
	/* a privilege change: the account signs in again and gets a new session token */
	rc = end_credentials(c, j->user_id, false, &j->ended);
	if (rc)
		return rc;
	char org[24];
	snprintf(org, sizeof(org), "%" PRId64, j->org_id);
	struct audit_diff d;
	audit_diff_init(&d);
	audit_diff_change(&d, "role", j->add ? NULL : j->role, j->add ? j->role : NULL);
	audit_diff_int(&d, "org_id", j->org_id);
	audit_diff_int(&d, "sessions_ended", j->ended);
	return audit_user(c, j->who, j->add ? "user.role_add" : "user.role_remove", j->user_id, j->org_id,
			  audit_diff_text(&d));
}

int user_role_set(struct app *a, const struct audit_entry *who, int64_t user_id, const char *role,
		  int64_t org_id, bool add, struct errlist *errs)
{
	struct role_job j = {.who = who, .user_id = user_id, .org_id = org_id, .role = role, .add = add,
			     .errs = errs};
	return store_tx(a->store, role_tx, &j);
}

int user_search(struct app *a, int64_t under, const char *q, const char *after_login, int max,
		void (*fn)(const struct user_row *u, void *arg), void *arg, int *n)
{
	struct conn *c = NULL;
	struct stmt *st = NULL;
	char today[11];
	*n = 0;
	date_today(today, sizeof(today));
	char like[200] = "";
	if (q && *q) {
		/* LIKE wildcards in q are matched literally */
		size_t k = 0;
		like[k++] = '%';
		for (const char *p = q; *p && k + 3 < sizeof(like); p++) {
			if (*p == '%' || *p == '_' || *p == '\\')
				like[k++] = '\\';
			like[k++] = *p;
		}
		like[k++] = '%';
		like[k] = '\0';
	}
	int rc = store_acquire(a->store, STORE_READ, &c);
	if (rc)
		return rc;
	rc = conn_prepare(c,
			  ORG_SUBTREE_CTE ","
			  " hit AS (SELECT DISTINCT r.user_id FROM role_assignment r JOIN down ON down.id = r.org_id)"
			  " SELECT u.id, u.login, u.display_name, u.status, u.locked_until FROM app_user u"
			  " JOIN hit ON hit.user_id = u.id"
			  " WHERE ($3 = '' OR u.login LIKE $3 ESCAPE '\\' OR u.display_name LIKE $3 ESCAPE '\\')"
			  " AND u.login > $4 ORDER BY u.login LIMIT $5",
			  &st);
	if (rc) {
		store_release(c);
		return rc;
	}
	stmt_bind_int64(st, 1, under);
	stmt_bind_text(st, 2, today, strlen(today));
	stmt_bind_text(st, 3, like, strlen(like));
	const char *after = after_login ? after_login : "";
	stmt_bind_text(st, 4, after, strlen(after));
	stmt_bind_int64(st, 5, max);
	int64_t now = time_unix();
	struct user_row *rows = calloc((size_t)max, sizeof(*rows));
	if (!rows)
		rc = ERR_NOMEM;
	while (!rc && (rc = stmt_step(st)) == STORE_ROW) {
		rc = 0;
		struct user_row *u = &rows[(*n)++];
		u->id = stmt_int64(st, 0);
		str_copy(u->login, sizeof(u->login), stmt_text(st, 1, NULL));
		str_copy(u->display_name, sizeof(u->display_name), stmt_text(st, 2, NULL));
		str_copy(u->status, sizeof(u->status), stmt_text(st, 3, NULL));
		u->locked = stmt_int64(st, 4) > now;
	}
	stmt_done(st);
	rc = rc < 0 ? rc : 0;
	/* roles, per user, on the same connection */
	for (int i = 0; !rc && i < *n; i++) {
		struct user_grant g[8];
		int ng = 0;
		rc = user_grants(c, rows[i].id, g, 8, &ng);
		for (int k = 0; !rc && k < ng; k++) {
			size_t len = strlen(rows[i].roles);
			snprintf(rows[i].roles + len, sizeof(rows[i].roles) - len, "%s%s@%s", len ? ", " : "",
				 g[k].role, g[k].org_code);
		}
	}
	store_release(c);
	for (int i = 0; !rc && i < *n; i++)
		fn(&rows[i], arg);
	free(rows);
	return rc;
}

/* ---- one's own sessions and tokens ---- */

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
		stmt_bind_int64(st, 3, now - pol(a).session_idle_s);
		while ((rc = stmt_step(st)) == STORE_ROW) {
			struct session_row s = {.id = stmt_int64(st, 0), .created_at = stmt_int64(st, 1),
						.last_seen_at = stmt_int64(st, 2), .expires_at = stmt_int64(st, 3)};
			int64_t idle_end = s.last_seen_at + pol(a).session_idle_s;
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

int token_list(struct app *a, int64_t user_id, int (*fn)(const struct token_row *t, void *arg), void *arg)
{
	struct conn *c = NULL;
	struct stmt *st = NULL;
	int rc = store_acquire(a->store, STORE_READ, &c);
	if (rc)
		return rc;
	rc = conn_prepare(c, "SELECT id, name, created_at, expires_at, last_used_at FROM api_token"
			     " WHERE user_id = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $2)"
			     " ORDER BY created_at DESC, id DESC LIMIT 100", &st);
	if (!rc) {
		stmt_bind_int64(st, 1, user_id);
		stmt_bind_int64(st, 2, time_unix());
		while ((rc = stmt_step(st)) == STORE_ROW) {
			struct token_row t = {.id = stmt_int64(st, 0), .created_at = stmt_int64(st, 2),
					      .expires_at = stmt_int64(st, 3), .last_used_at = stmt_int64(st, 4)};
			str_copy(t.name, sizeof(t.name), stmt_text(st, 1, NULL));
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

int user_change_own_password(struct app *a, const struct audit_entry *who, int64_t user_id,
			     const char *current, const char *password, struct errlist *errs)
{
	char hash[crypto_pwhash_STRBYTES] = "";
	int rc = account_text(a, "SELECT password_hash FROM app_user WHERE id = $1", user_id, hash, sizeof(hash));
	if (rc)
		return rc;
	if (crypto_pwhash_str_verify(hash, current, strlen(current)) != 0) {
		errlist_add(errs, "current_password", "wrong_password", "the current password is not right");
		return ERR_FORBIDDEN;
	}
	return user_set_password(a, who, user_id, password, "new_password", errs);
}
