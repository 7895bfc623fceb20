/*
 * user.h - accounts and API tokens.
 *
 * Passwords: argon2id (libsodium crypto_pwhash_str, interactive limits: ~75 ms, 64 MiB),
 * minimum length 8, not the login, not one of the most common passwords. API tokens:
 * "kx_" + 43 base64url characters (256 random bits), shown once, stored only as
 * BLAKE2b keyed with the server's secret key, revocable, expiring (at most token_max_days
 * after creation); a disabled user's tokens, and every token of an account whose password
 * changes, stop working at once.
 *
 * Contracts, unless a function says otherwise: 0 on success; the store's errors pass up
 * unchanged (ERR_DB; ERR_BUSY when a write's 500 ms budget runs out; ERR_NOMEM), and then
 * nothing was written (a write and its audit record share one transaction). Strings and
 * structs passed in are borrowed for the call; `who` is the audit actor recorded with a
 * write. Field errors go to `errs` (which the caller initialised) and come with
 * ERR_UNPROCESSABLE (422) unless stated; on any failure an out-parameter holds what the
 * function says (zeroed, or untouched where nothing is said).
 */
#ifndef KEXIE_CORE_USER_H
#define KEXIE_CORE_USER_H

#include "core/app.h"
#include "core/audit.h"
#include "core/rbac.h"
#include "base/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TOKEN_LEN 46 /* "kx_" + 43 */

struct user_input {
	const char *login, *display_name, *password, *role, *org_code;
	int64_t org_id; /* > 0: the role's org by id instead of org_code */
	bool post_ok;   /* the first role may be an administrator post (the CLI on the server only) */
};

#define USER_ROW_GRANTS 8
struct user_grant {
	char role[16];
	int64_t org_id;
	char org_code[33];
	char org_name[801];
};

struct user_row {
	int64_t id;
	char login[65];
	char display_name[401];
	char status[10];
	bool locked;
	char roles[256];                      /* "staff@DC-C1-K1, org_admin@DC" (the CLI's listing) */
	struct user_grant g[USER_ROW_GRANTS]; /* the same roles with org names (user_search only) */
	int ngrants;
};

#define USER_MAX_GRANTS 32
struct user_detail {
	int64_t id;
	char login[65];
	char display_name[401];
	char status[10];
	int64_t locked_for_s, password_changed_at, created_at, last_login_at, active_sessions;
	int64_t person_id; /* 0: not linked to a person of the member register */
	struct user_grant g[USER_MAX_GRANTS];
	int ngrants;
};

/* Checks the password policy (a->policy: minimum length, common passwords, not the login;
 * strict mode: three of four character classes); adds field errors under `field`.
 * Returns 0 when it passes, ERR_UNPROCESSABLE with at least one field error when not.
 * Pure: no database. */
int password_check(const struct app *a, const char *password, const char *login, const char *field,
		   struct errlist *errs);

/* Creates an account with one role at one org (in->org_id, else in->org_code, else CAST),
 * audited as user.create; an account always holds at least one role. Returns 0 with *id
 * the new account's id; ERR_UNPROCESSABLE with field errors (login, display_name, role,
 * password, org / org_id `not_found` for a missing or closed org); ERR_CONFLICT with
 * login `taken`; ERR_FORBIDDEN (role `post_by_request`) for a post without in->post_ok.
 * *id is untouched on failure. */
int user_add(struct app *a, const struct audit_entry *who, const struct user_input *in, struct errlist *errs,
	     int64_t *id);

/* The id of a login (exact match). 0 with *id set; ERR_NOTFOUND when no account has it
 * (whatever its status). *id is 0 on every failure. */
int user_find(struct app *a, const char *login, int64_t *id);

/* user_add's insert, inside the caller's write transaction c, for a module that creates an
 * account with its own records (an approved membership application): the login (checked
 * with user_login_ok) must be free (ERR_CONFLICT, field error login `taken`), hash is
 * user_hash_password's, the role must be an org role (not a post: the caller's check),
 * person_id (0: none) links the account to the member register. Audited as user.create.
 * *id receives the account's id. */
struct user_new {
	const char *login, *display_name, *hash, *role;
	int64_t org_id, person_id;
};
struct conn;
int user_insert_conn(struct conn *c, const struct audit_entry *who, const struct user_new *n,
		     struct errlist *errs, int64_t *id);
/* The person of the member register the account stands for (*person_id 0: none).
 * ERR_NOTFOUND for no such account. */
int user_person(struct app *a, int64_t user_id, int64_t *person_id);
/* True when login is a valid login: 2 to 64 of a-z 0-9 . _ - @. */
bool user_login_ok(const char *login);
/* argon2id of password into out (crypto_pwhash_STRBYTES: USER_HASH_MAX bytes); 0 or
 * ERR_NOMEM (libsodium could not allocate). */
#define USER_HASH_MAX 128
int user_hash_password(const char *password, char out[USER_HASH_MAX]);
/* One account with its roles (at most USER_MAX_GRANTS) and session figures. 0 with *out
 * filled; ERR_NOTFOUND when there is no such id. *out is zeroed first, so on failure it
 * holds zeros (or a partial row when the grants could not be read). */
int user_get(struct app *a, int64_t id, struct user_detail *out);

/* Disables the account; its sessions and tokens end at once. Enable reverses it (tokens
 * stay revoked). Both audited (user.disable / user.enable); 0, or ERR_NOTFOUND for no
 * such account. Neither checks the current status: disabling a disabled account records
 * it again. */
int user_disable(struct app *a, const struct audit_entry *who, int64_t id);
int user_enable(struct app *a, const struct audit_entry *who, int64_t id);

/* Clears a lock and the failure count (the security administrator's unlock), audited as
 * user.unlock. 0, or ERR_NOTFOUND for no such account (an account that was not locked is
 * "unlocked" just the same). */
int user_unlock(struct app *a, const struct audit_entry *who, int64_t id);

/* Ends every session of the account now (tokens stay), audited as user.sessions_end.
 * 0 with *ended the number ended (0 when none was live); ERR_NOTFOUND for no such
 * account. *ended is 0 on failure (ended may be NULL). */
int user_end_sessions(struct app *a, const struct audit_entry *who, int64_t id, int64_t *ended);

/* Sets a new password (policy checked; strict mode refuses the last 5) and ends the
 * account's sessions and API tokens, audited as user.password (the password never
 * recorded). 0; ERR_NOTFOUND for no such account; ERR_UNPROCESSABLE with field errors
 * under `field`. */
int user_set_password(struct app *a, const struct audit_entry *who, int64_t id, const char *password,
		      const char *field, struct errlist *errs);

/* Separation of duties: may account `by` set a new password for user_id over HTTP? Not
 * when user_id holds one of the three posts (and is not `by`): whoever sets it could sign
 * in as that post. ERR_FORBIDDEN with a field error on password (`post_holder`); the
 * holder changes it itself, or it is set on the server (the CLI does not ask). */
/* Returns 0 when allowed; reads only. */
int user_password_reset_check(struct app *a, int64_t by, int64_t user_id, struct errlist *errs);

/* The caller's own change: the current password must match. A wrong one counts with the
 * sign-in failures and is audited (user.password_failed): ERR_FORBIDDEN with a field
 * error on current_password; at login_max_failures the account locks and the credential
 * the caller used (session or token) ends: ERR_RATELIMIT with out->locked_for_s and
 * out->ended. While locked: ERR_RATELIMIT without any password check. On success every
 * session and token of the account ends (user_set_password). A new password the policy
 * refuses is ERR_UNPROCESSABLE with field errors on `password`. *out is zeroed first and
 * is meaningful on every return (it says what ended, failure or not). Call it from a
 * worker pool: it hashes with argon2id. */
struct own_password_result {
	int64_t locked_for_s; /* > 0: the account is locked for so long */
	bool ended;           /* the caller's session or token was ended by this request */
};
int user_change_own_password(struct app *a, const struct audit_entry *who, const struct caller *c,
			     const char *current, const char *password, struct errlist *errs,
			     struct own_password_result *out);

/* The scope rule for an account (the route objects of kind account): may the caller use
 * perm ("user.read", "user.admin") on it? Seen when one of its roles sits in a scope of the
 * caller (else ERR_NOTFOUND, as for a missing account); allowed when all of them do with
 * perm and, when it holds one of the three posts and perm changes it, the caller is a
 * security administrator (else ERR_FORBIDDEN). On 0 *role is the caller's role granting
 * perm (a pointer into c), else "" (role may be NULL). ERR_NOMEM possible; a store error
 * passes up. ERR_NOTFOUND means "missing" and "not yours to see" alike, on purpose. */
int user_check(struct app *a, const struct caller *c, const char *perm, int64_t user_id, const char **role);

/* Adds or removes a role assignment; either way the account's sessions end (a privilege
 * change means a new sign-in). Removing the last role is ERR_CONFLICT. Separation of
 * duties (field errors on role): nobody changes their own roles (ERR_FORBIDDEN, `self`);
 * a post is never added here (ERR_FORBIDDEN, `post_by_request`: post.h gives posts); a
 * post holder gets no other role (ERR_CONFLICT, `post_holder`). ERR_NOTFOUND for removing
 * a role it does * not hold (and for no such account); ERR_CONFLICT `exists` / `last_role` for adding a
 * role held already there / removing the last one; ERR_UNPROCESSABLE for an unknown role. Audited as user.role_add / user.role_remove. */
int user_role_set(struct app *a, const struct audit_entry *who, int64_t user_id, const char *role,
		  int64_t org_id, bool add, struct errlist *errs);

/* Accounts holding a role in the subtree of `under` (today), login or name containing q
 * (NULL or "": any), ordered by login after after_login (NULL or "": from the start), at
 * most max; fn gets each row (borrowed for the call). 0 with *n the rows given to fn;
 * ERR_NOMEM; a store error (then *n counts the rows fn saw before it). */
int user_search(struct app *a, int64_t under, const char *q, const char *after_login, int max,
		void (*fn)(const struct user_row *u, void *arg), void *arg, int *n);

struct session_row {
	int64_t id, created_at, last_seen_at, expires_at; /* expires_at: the earlier of idle and absolute */
	char client_addr[64];
};
struct token_row {
	int64_t id, created_at, expires_at, last_used_at; /* 0 = none */
	char name[101];
};
/* One's own live sessions (newest first) and tokens; end or revoke one (ERR_NOTFOUND when
 * it is not the user's or already ended: the same answer on purpose). fn gets each row
 * (borrowed for the call) and may stop the walk by returning non-zero, which the list
 * returns. session_end / token_revoke are audited (session.end / token.revoke). */
int session_list(struct app *a, int64_t user_id, int (*fn)(const struct session_row *s, void *arg),
		 void *arg);
int session_end(struct app *a, const struct audit_entry *who, int64_t user_id, int64_t session_id);
int token_list(struct app *a, int64_t user_id, int (*fn)(const struct token_row *t, void *arg), void *arg);
int token_revoke(struct app *a, const struct audit_entry *who, int64_t user_id, int64_t token_id);

/* Calls fn for every user, ordered by login (rows borrowed for the call). 0 or a store
 * error. */
int user_list(struct app *a, void (*fn)(const struct user_row *u, void *arg), void *arg);

/* Creates a token for login and writes it to out (cap >= 47). *expires_days 0 becomes the
 * maximum life (policy token_max_days); more than that is ERR_UNPROCESSABLE with a field
 * error on expires_days (errs may be NULL). ERR_NOTFOUND: no active account login.
 * ERR_TOOBIG when cap is too small. On 0 *expires_days holds the life given and out the
 * token (shown once: only its keyed hash is stored); on failure out is wiped (zeros) and
 * *expires_days may already hold the defaulted life. Audited as token.create. */
int token_create(struct app *a, const struct audit_entry *who, const char *login, int *expires_days,
		 const char *name, char *out, size_t cap, struct errlist *errs);

/* Resolves a presented token to its caller with grants. ERR_UNAUTHORIZED when unknown,
 * revoked, expired (its own expiry, or older than token_max_days), or the user is
 * disabled. 0 with *out filled (caller id, login, grants, via "token <id>"); on failure
 * *out is zeroed or partly filled and must not be used. Reads only (the last use is
 * noted for the bookkeeping writer, core/touch.h). */
int token_resolve(struct app *a, const char *token, struct caller *out);

/* ---- sessions (timeouts and lockout from a->policy) ---- */

struct login_result {
	char token[TOKEN_LEN + 8]; /* the cookie value */
	char csrf[TOKEN_LEN + 8];  /* for X-CSRF-Token on unsafe requests */
	int64_t locked_for_s;      /* > 0 when refused because the account is locked */
	bool password_expired;     /* strict mode: a new password is needed to sign in */
};

/* Checks login and password (argon2id: call it from a worker pool, not an HTTP thread).
 * The password is hashed in every case, so an unknown login, a wrong password, a disabled
 * and a locked account all answer ERR_UNAUTHORIZED alike and take the same time; every
 * attempt is audited (an unknown login only as its keyed hash). p->lock_failures wrong
 * passwords in a row lock the account for p->lock_s; only the right password of a locked
 * account gets ERR_RATELIMIT with res->locked_for_s. On success a new session (new token)
 * is created. */
/* With new_password (or when strict mode finds the password expired, which then requires
 * one: ERR_FORBIDDEN with a field error on new_password), the right password is replaced
 * before the session is created; policy errors are ERR_UNPROCESSABLE on new_password.
 * Returns 0 with res->token and res->csrf set; ERR_UNAUTHORIZED (which means unknown,
 * wrong, disabled and locked-but-wrong alike); ERR_RATELIMIT (locked, right password);
 * ERR_FORBIDDEN / ERR_UNPROCESSABLE as above. *res is zeroed first; the caller wipes it
 * (it holds secrets) when done. */
int session_login(struct app *a, const char *login, const char *password, const char *new_password,
		  const char *addr, const char *request_id, struct login_result *res, struct errlist *errs);

/* Resolves a session cookie (idle and absolute timeouts) to its caller. When csrf is
 * non-NULL it must match the session's CSRF token (else ERR_FORBIDDEN). 0 with *out
 * filled (via "session <id>"); ERR_UNAUTHORIZED for a malformed, unknown, ended, idle,
 * expired session or a disabled account. *out is zeroed first; on failure it must not be
 * used. */
int session_resolve(struct app *a, const char *token, const char *csrf, struct caller *out);

/* The CSRF token that belongs to a session token: derived with the server key, so any tab
 * holding the cookie can ask for it (GET /api/v1/session), and nothing extra is stored.
 * Writes a NUL-terminated token into out (cap >= TOKEN_LEN + 1; shorter is cut). Cannot
 * fail. */
void session_csrf_for(const struct app *a, const char *token, char *out, size_t cap);

/* Ends the session the token names (logout), audited as user.logout. 0 also when the
 * token names no live session (nothing to end); a store error otherwise. */
int session_logout(struct app *a, const char *token, const struct audit_entry *who);

#endif
