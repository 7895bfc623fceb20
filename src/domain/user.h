/*
 * user.h - accounts and API tokens.
 *
 * Passwords: argon2id (libsodium crypto_pwhash_str, interactive limits: ~75 ms, 64 MiB),
 * minimum length 8, not the login, not one of the most common passwords. API tokens:
 * "kx_" + 43 base64url characters (256 random bits), shown once, stored only as
 * BLAKE2b keyed with the server's secret key, revocable, optionally expiring; a disabled
 * user's tokens stop working at once.
 */
#ifndef KEXIE_DOMAIN_USER_H
#define KEXIE_DOMAIN_USER_H

#include "domain/app.h"
#include "domain/audit.h"
#include "domain/rbac.h"
#include "base/err.h"

#include <stddef.h>
#include <stdint.h>

#define TOKEN_LEN 46 /* "kx_" + 43 */

struct user_input {
	const char *login, *display_name, *password, *role, *org_code;
};

struct user_row {
	int64_t id;
	char login[65];
	char display_name[401];
	char status[10];
	char roles[256]; /* "staff@DC-C1-K1, org_admin@DC" */
};

/* Checks the password policy; adds field errors under `field`. */
int password_check(const char *password, const char *login, const char *field, struct errlist *errs);

int user_add(struct app *a, const struct audit_entry *who, const struct user_input *in,
	     struct errlist *errs, int64_t *id);

/* Disables the account; its sessions and tokens end at once. */
int user_disable(struct app *a, const struct audit_entry *who, const char *login);

/* Clears a lock and the failure count (the security administrator's unlock). */
int user_unlock(struct app *a, const struct audit_entry *who, const char *login);

/* Sets a new password (policy checked) and ends the account's sessions. */
int user_set_password(struct app *a, const struct audit_entry *who, const char *login,
		      const char *password, struct errlist *errs);

/* Calls fn for every user, ordered by login. */
int user_list(struct app *a, void (*fn)(const struct user_row *u, void *arg), void *arg);

/* Creates a token for login (expires_days 0 = never) and writes it to out (cap >= 47). */
int token_create(struct app *a, const struct audit_entry *who, const char *login, int expires_days,
		 const char *name, char *out, size_t cap);

/* Resolves a presented token to its caller with grants. ERR_UNAUTHORIZED when unknown,
 * revoked, expired or the user is disabled. */
int token_resolve(struct app *a, const char *token, struct caller *out);

/* ---- sessions ---- */
#define SESSION_IDLE_S (30 * 60)
#define SESSION_ABSOLUTE_S (12 * 60 * 60)
#define LOGIN_MAX_FAILURES 5
#define LOGIN_LOCK_S (15 * 60)

struct login_result {
	char token[TOKEN_LEN + 8]; /* the cookie value */
	char csrf[TOKEN_LEN + 8];  /* for X-CSRF-Token on unsafe requests */
	int64_t locked_for_s;      /* > 0 when refused because the account is locked */
};

/* Checks login and password (argon2id: call it from a worker pool, not an HTTP thread).
 * Wrong password or unknown login -> ERR_UNAUTHORIZED, the same either way, recorded in
 * the audit trail; after LOGIN_MAX_FAILURES the account is locked for LOGIN_LOCK_S ->
 * ERR_RATELIMIT with res->locked_for_s. On success a new session (new token) is created. */
int session_login(struct app *a, const char *login, const char *password, const char *addr,
		  const char *request_id, struct login_result *res);

/* Resolves a session cookie (idle and absolute timeouts) to its caller. When csrf is
 * non-NULL it must match the session's CSRF token (else ERR_FORBIDDEN). */
int session_resolve(struct app *a, const char *token, const char *csrf, struct caller *out);

/* The CSRF token that belongs to a session token: derived with the server key, so any tab
 * holding the cookie can ask for it (GET /api/v1/session), and nothing extra is stored. */
void session_csrf_for(const struct app *a, const char *token, char *out, size_t cap);

/* Ends the session the token names (logout). */
int session_logout(struct app *a, const char *token, const struct audit_entry *who);

#endif
