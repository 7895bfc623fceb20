/*
 * registration.h - joining the register from outside: the public registration page's
 * membership applications (会员注册), their approval by the org's staff, and a member's
 * request to be erased. docs/members.md describes the flow.
 *
 * An application holds what the applicant typed, through the one normaliser
 * (core/personfield.h), the ID number and mobile sealed as in the register (core/pii.h),
 * the account they ask for (login and an argon2id hash of the password) and the consent
 * text's version. The applicant gets a random token once; only its keyed hash is stored, and
 * the token shows the outcome (registration_status). Approval runs in steps that can each be
 * repeated (a failure half-way leaves the application pending and approving again goes
 * on): link the person found through the blind index or create it, create the membership
 * (its number by the org's pattern) or link the current one, then create the member
 * account and mark the application approved in one transaction. Once decided the sealed
 * values and the password hash are cleared from the application.
 */
#ifndef KEXIE_DOMAIN_REGISTRATION_H
#define KEXIE_DOMAIN_REGISTRATION_H

#include "core/app.h"
#include "core/audit.h"
#include "core/todo.h"
#include "base/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define REG_TOKEN_LEN 43 /* base64url of 32 random bytes */

/* The current consent text: its version (cap >= 33) and body (malloc'd; the caller frees).
 * 0, ERR_NOTFOUND when there is none, or a store error. */
int registration_consent(struct app *a, char *version, size_t cap, char **body);

/* Open organizations whose name contains q (at least two characters) or whose code starts
 * with it, for the registration page's picker: at most 20, by code. Public information. */
struct org_hit {
	int64_t id;
	char code[33], name[801], type[33];
};
int registration_orgs(struct app *a, const char *q, int (*fn)(const struct org_hit *o, void *arg), void *arg);

/* What the registration page sends. Strings are borrowed; NULL = not given. */
struct application_input {
	int64_t org_id;
	const char *category, *name, *gender, *birth_date, *id_type, *id_number, *mobile, *email;
	const char *work_unit, *title, *title_level, *education, *political_status;
	const char *login, *password, *consent_version;
};

/* Validates and stores an application; *id its id, token (REG_TOKEN_LEN + 1) the secret the
 * applicant keeps to see the outcome. Requires an open org, a category, a name, an ID number
 * or a mobile, a free valid login, a password the policy accepts and the current consent
 * version (ERR_UNPROCESSABLE with field errors; `consent_outdated` when the page showed an
 * older text). ERR_CONFLICT (`application_exists`) when the same ID number has a pending
 * application to the org. Audited as application.create (no personal value). */
int registration_submit(struct app *a, const struct audit_entry *who, const struct application_input *in,
			struct errlist *errs, int64_t *id, char token[REG_TOKEN_LEN + 1]);

/* An application as staff and the applicant see it (ID number and mobile masked). */
struct application {
	int64_t id, org_id, person_id, membership_id, user_id;
	char org_name[801], category[33], status[12], name[401], gender[4], birth_date[11];
	char id_type[24], id_masked[80], mobile_masked[48], email[256], work_unit[801], title[801];
	char title_level[16], education[24], political_status[4], login[65], reason[801];
	char member_number[65];
	int64_t created_at, decided_at;
};

/* The application whose token is token (the applicant's view). ERR_NOTFOUND for an unknown
 * token (compared through its keyed hash). */
int registration_status(struct app *a, const char *token, struct application *out);

/* The org an application or erasure request belongs to (for the scope rule). ERR_NOTFOUND
 * for no such id. */
int registration_org_of(struct app *a, int64_t id, int64_t *org_id);
int erasure_org_of(struct app *a, int64_t id, int64_t *org_id);

/* One application by id (staff; the route has checked scope on its org). */
int registration_get(struct app *a, int64_t id, struct application *out);

/* Applications to the orgs of a subtree today, newest first, keyset by id (< before; 0 =
 * from the newest), status NULL = pending. *next: the last id when the page is full. */
int registration_list(struct app *a, int64_t under, const char *status, int64_t before, int limit,
		      int (*fn)(const struct application *x, void *arg), void *arg, int64_t *next);

/* Approves (see the top). ERR_CONFLICT (`decided`) for an application decided already;
 * field errors from creating the person, the membership or the account (login `taken`:
 * the application stays pending). Audited as application.approve, with the records of
 * what it created. */
int registration_approve(struct app *a, const struct audit_entry *who, int64_t id, struct errlist *errs);

/* Rejects with a reason (2 to 200 characters), which the applicant sees. Audited. */
int registration_reject(struct app *a, const struct audit_entry *who, int64_t id, const char *reason,
			struct errlist *errs);

/* The to-do source: pending applications in the caller's member.write scopes. */
int registration_todo(struct app *a, const struct caller *who, struct todo_list *out);

/* A member's own ID number and mobile in full (into id_number and mobile, cap >= 64; ""
 * when none), for their download of everything kept about them; audited as
 * person.export_self. */
int member_export_self(struct app *a, const struct audit_entry *who, int64_t person_id, char *id_number,
		       size_t idcap, char *mobile, size_t mcap);

/* ---- erasure ---- */

/* The member's own request to be erased (reason optional). ERR_CONFLICT (`erasure_pending`)
 * when one is pending. Audited as person.erasure_request. */
int erasure_request(struct app *a, const struct audit_entry *who, int64_t person_id, const char *reason,
		    int64_t *id);

struct erasure {
	int64_t id, person_id, org_id;
	char person_name[401], org_name[801], status[12], reason[801], answer[801];
	int64_t created_at, decided_at;
};
int erasure_get(struct app *a, int64_t id, struct erasure *out);
int erasure_list(struct app *a, int64_t under, const char *status,
		 int (*fn)(const struct erasure *e, void *arg), void *arg);

/* Approves: the person is anonymised in one transaction (name replaced, ID number, mobile,
 * contact details, work unit, tags and name index removed, the birth date kept as its year
 * only; memberships and their dates stay, so every count stays right), the linked account
 * is disabled and unlinked. Audited as person.erase. Rejecting needs an answer. */
int erasure_decide(struct app *a, const struct audit_entry *who, int64_t id, bool approve, const char *answer,
		   struct errlist *errs);

#endif
