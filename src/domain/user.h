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

/* Disables the account; its tokens stop working at once. */
int user_disable(struct app *a, const struct audit_entry *who, const char *login);

/* Calls fn for every user, ordered by login. */
int user_list(struct app *a, void (*fn)(const struct user_row *u, void *arg), void *arg);

/* Creates a token for login (expires_days 0 = never) and writes it to out (cap >= 47). */
int token_create(struct app *a, const struct audit_entry *who, const char *login, int expires_days,
		 const char *name, char *out, size_t cap);

/* Resolves a presented token to its caller with grants. ERR_UNAUTHORIZED when unknown,
 * revoked, expired or the user is disabled. */
int token_resolve(struct app *a, const char *token, struct caller *out);

#endif
