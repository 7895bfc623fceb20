/*
 * user_int.h - what the files of accounts and credentials share among themselves
 * (account.c, password.c, token.c, session.c). Other modules use user.h.
 */
#ifndef KEXIE_CORE_USER_INT_H
#define KEXIE_CORE_USER_INT_H

#include "core/user.h"
#include "store/store.h"

#include <sodium.h>

#include <stdbool.h>
#include <stdint.h>

/* Contracts as in user.h: 0 or a negative ERR_* code; store errors pass up unchanged; the
 * *_conn / (struct conn *c) functions run inside the caller's transaction and leave
 * rolling back to it. */

/* The configured policy, with the defaults where a context was built without one. */
struct policy user_policy(const struct app *a);
_Static_assert(crypto_pwhash_STRBYTES == USER_HASH_MAX, "user.h's hash size is libsodium's");
/* Ends the account's live sessions (and its tokens when `tokens`); *n counts what ended.
 * Runs in the caller's transaction. */
int user_end_credentials(struct conn *c, int64_t user_id, bool tokens, int64_t *n);
/* Runs sql with $1 = id; *changes (may be NULL) receives the rows changed. */
int user_run_sql_id(struct conn *c, const char *sql, int64_t id, int64_t *changes);
/* One text column of one account (sql selects it WHERE id = $1); ERR_NOTFOUND when none. */
int user_account_text(struct app *a, const char *sql, int64_t id, char *out, size_t cap);
/* Stores a new hash (keeping `keep` retired ones) and ends every session and API token of
 * the account (a new password is often the answer to a leaked one); *ended counts the
 * sessions. */
int user_set_password_conn(struct conn *c, int64_t id, const char *hash, int keep, int64_t *ended);
/* Strict mode: refuses the current password and the retired ones kept in the history
 * (field error on `field`, ERR_UNPROCESSABLE). Verifies outside any transaction. */
int user_reuse_check(struct app *a, int64_t id, const char *password, const char *field,
		     struct errlist *errs);
/* One more wrong password for account id (sign-in or /me/password alike), counted in one
 * statement; at p->lock_failures the account is locked for p->lock_s and the count starts
 * again. *failures is the count after this one, *locked_until the lock set now (0: none).
 * Runs in the caller's transaction. */
int user_count_failure(struct conn *c, int64_t id, const struct policy *p, int *failures,
		       int64_t *locked_until);
/* The stored form of an API token or session secret: keyed hash, 64 hex digits + NUL. */
void user_token_hash(const struct app *a, const char *token, char out[65]);
/* *yes when the account holds one of the three posts (on the caller's connection); *yes
 * is false on failure. 0 or a store error. */
int user_holds_post(struct conn *c, int64_t user_id, bool *yes);
/* Adds the grant (role, org) read from columns col, col+1 of st to out. */
void user_add_grant(struct stmt *st, int col, struct caller *out);

#endif
