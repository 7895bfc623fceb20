/*
 * member.h - the member register: people (the one place a person lives; every later module
 * points at person.id), their memberships of orgs, member numbers, terms and dues.
 * docs/members.md describes the model and the rules.
 *
 * Scope. A person is kept by one org (person.org_id) and may hold memberships of others.
 * A caller sees a person when the keeping org or the org of one of the person's current
 * memberships (applied, active, lapsed) is in the caller's scope for the permission
 * (member_check); a membership is judged by its own org. Outside every scope is
 * ERR_NOTFOUND, as everywhere (core/rbac.h).
 *
 * Personal data. The ID number and the mobile are normalised (core/personfield.h),
 * encrypted and blind-indexed (core/pii.h) before anything is written; a person read back
 * holds them masked (110***********1234, 138****1234). The full value comes only from
 * member_reveal, which needs member.reveal, a reason, is rate-limited per account and is
 * audited (person.reveal: who saw whose what, why). Audit diffs record that the ID number
 * or mobile changed, never a value.
 *
 * Every write appends its audit record in its transaction; field errors go to an errlist
 * with stable codes (core/codelist.h codelist_error).
 */
#ifndef KEXIE_DOMAIN_MEMBER_H
#define KEXIE_DOMAIN_MEMBER_H

#include "core/app.h"
#include "core/audit.h"
#include "base/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct conn;

#define PERSON_NAME_MAX         100 /* code points */
#define PERSON_TEXT_MAX         200 /* code points: work unit, position, title */
#define PERSON_TAGS_MAX         16
#define MEMBER_REVEALS_PER_HOUR 30

/* A person as answered: codes as codes, the ID number and mobile masked. */
struct person {
	int64_t id, org_id;
	char org_name[801];
	char name[PERSON_NAME_MAX * 4 + 1];
	char gender[4], ethnicity[4], birth_date[11];
	char id_type[24], id_masked[80], mobile_masked[48];
	char landline[64], email[256];
	char political_status[4], party_joined_on[11], party_full_on[11];
	char education[24], degree[16], title[PERSON_TEXT_MAX * 4 + 1], title_level[16], discipline[8];
	char work_unit[PERSON_TEXT_MAX * 4 + 1], position[PERSON_TEXT_MAX * 4 + 1];
	char tags[PERSON_TAGS_MAX * 33]; /* codes joined by ',' */
	char status[12], deceased_on[11];
	int64_t version, created_at, updated_at;
};

/* What a caller gives to create or change a person. Strings are borrowed; NULL = not
 * given (an update keeps the value), "" = clear (an optional field). Codes may be given as
 * the code or the Chinese label (core/personfield.h). tags: NULL = not given. */
struct person_input {
	int64_t org_id; /* the keeping org (create; 0 on update = keep) */
	const char *name, *gender, *ethnicity, *birth_date, *id_type, *id_number, *mobile;
	const char *landline, *email, *political_status, *party_joined_on, *party_full_on;
	const char *education, *degree, *title, *title_level, *discipline, *work_unit, *position;
	const char *status, *deceased_on;
	const char *const *tags;
	int ntags;
};

/* Validates (every field through the one normaliser) and creates; *id receives the new
 * id. Requires a name and an ID number or a mobile. ERR_UNPROCESSABLE with field errors;
 * ERR_CONFLICT when a person with the same ID number, or the same name and mobile, is
 * registered already (field error `person_exists` on id_number or mobile; params.id names
 * that person only when `seen_org` says the caller sees it). Whether the caller may write
 * at in->org_id is the caller's check (the route's objects). */
struct caller;
int member_create(struct app *a, const struct audit_entry *who, const struct caller *c,
		  const struct person_input *in, struct errlist *errs, int64_t *id);

/* Reads a person (masked). 0, ERR_NOTFOUND (also for an anonymised person), or a store
 * error (out unspecified). */
int member_get(struct app *a, int64_t id, struct person *out);

/* Changes the given fields. version must be the one read (ERR_PRECOND when it is not);
 * field errors as member_create; audited as person.update with the changed fields (the ID
 * number and mobile only as "changed"). Nothing changed: 0 and no record. */
int member_update(struct app *a, const struct audit_entry *who, int64_t id, const struct person_input *in,
		  int64_t version, struct errlist *errs);

/* The full ID number or mobile (field "id_number" or "mobile") of person id into out (cap
 * >= 64), for a caller holding member.reveal there (the route's check) with a reason of 2
 * to 200 code points. Audited as person.reveal (field and reason; never the value).
 * ERR_RATELIMIT past MEMBER_REVEALS_PER_HOUR reveals by one account in an hour;
 * ERR_UNPROCESSABLE for a bad field or reason; ERR_NOTFOUND when the person has no such
 * value. out is "" on failure. */
int member_reveal(struct app *a, const struct audit_entry *who, int64_t id, const char *field,
		  const char *reason, struct errlist *errs, char *out, size_t cap);

/* The scope rule for a person (see the top): 0 (and *role, when not NULL, the granting
 * role), ERR_FORBIDDEN, ERR_NOTFOUND (also for no such person), or a store error. */
int member_check(struct app *a, const struct caller *c, const char *perm, int64_t id, const char **role);

/* ---- import (domain/memberimport.h runs it as a job) ---- */

/* What one row of an import did to the register. */
enum member_upsert { MU_INSERTED = 1, MU_UPDATED, MU_UNCHANGED };

/* The key by which an import tells two rows of one file are the same person, into key
 * (cap >= 200): "i:" and the ID number's blind index, else "m:" with the mobile's blind
 * index and the name. in is normalised exactly as member_create does it (name, and an ID
 * number or a mobile, required): ERR_UNPROCESSABLE with its field errors (key ""). Touches
 * no database. */
int member_import_key(struct app *a, const struct person_input *in, struct errlist *errs, char *key,
		      size_t cap);

/* Creates or updates the person in describes, on c inside the caller's transaction (a job
 * step; wrap each row in a savepoint: a refused row may have written before it failed).
 * The person is found as member_create finds a duplicate (ID number by blind index, else
 * name + mobile). None: created, kept by in->org_id (person.create, name index), *outcome
 * MU_INSERTED. Found: caller (NULL: the command line, no check) must hold member.write over
 * the person (member_check), else ERR_CONFLICT `person_exists` as member_create; then the
 * fields in gives (non-NULL) are merged as member_update merges them, without a version:
 * written and audited (person.update, ID number and mobile only as "changed") when a value
 * changed (MU_UPDATED), else nothing written (MU_UNCHANGED). The keeping org never changes.
 * *id receives the person. Field errors as member_create / member_update. */
int member_upsert_conn(struct conn *c, struct app *a, const struct audit_entry *who,
		       const struct caller *caller, const struct person_input *in, struct errlist *errs,
		       int64_t *id, enum member_upsert *outcome);

/* ---- lists ---- */

/* A page of the register under an org (its subtree today: kept there, or a current member
 * of an org there). Every filter is optional (NULL / 0). q: a name part (two characters or
 * more through the name index; pinyin in full or initials), a work unit part, or a full ID
 * number or mobile (exact, through the blind index). Sorted by sort ("name": pinyin;
 * "birth"; "joined": the earliest current membership's date), keyset after `after` (the
 * next_after of the previous page). */
struct member_filter {
	int64_t under;
	const char *q, *gender, *title_level, *education, *political, *tag, *category, *status;
	int age_min, age_max; /* 0 = none */
	const char *joined_from, *joined_to;
	const char *sort, *after;
	int limit;
};
/* Calls fn for each person of the page (masked) in order; *next receives the keyset
 * cursor for the next page ("" at the end; cap >= 128). ERR_UNPROCESSABLE (field error on
 * the filter) for an unknown sort or a bad value; else 0 or a store / fn error. */
int member_list(struct app *a, const struct member_filter *f, int (*fn)(const struct person *p, void *arg),
		void *arg, struct errlist *errs, char *next, size_t cap);

/* Indexes every person's name and work unit again from scratch (nameindex.h), in one
 * transaction, and marks the index built: until then (after the upgrade that added work
 * units to it) searches walk the register instead of using the index. 0 or a store error. */
int member_reindex(struct app *a);

/* The managed list of tags (person_tag_def), in display order: code, Chinese and English
 * words. fn's non-zero return stops the walk. */
int member_tags(struct app *a, int (*fn)(const char *code, const char *zh, const char *en, void *arg),
		void *arg);

/* Every person member_list would list for f (every page; f->limit and f->after are
 * ignored), in its order: fn gets the person masked, and with unmasked also the clear ID
 * number and mobile ("" when none; wiped after the call; NULL when masked). Whether the
 * caller may see them unmasked (member.reveal and a reason) and the audit record
 * (person.export) are the caller's. Errors as member_list, or fn's. */
int member_export(struct app *a, const struct member_filter *f, bool unmasked,
		  int (*fn)(const struct person *p, const char *id_number, const char *mobile, void *arg),
		  void *arg, struct errlist *errs);

/* ---- memberships ---- */

struct membership {
	int64_t id, org_id, person_id, unit_id;
	char org_name[801], holder_name[801];
	char category[33], number[65], status[12];
	char joined_on[11], valid_until[11], left_on[11], left_reason[801];
	int64_t version, created_at, updated_at;
};

struct membership_input {
	int64_t org_id, person_id, unit_id; /* person_id or unit_id */
	const char *category, *number;      /* number NULL/"": allocated by the org's pattern */
	const char *status;                 /* NULL: active */
	const char *joined_on;              /* NULL: today (for active) */
};

/* Creates a membership: the holder must exist, have no current membership of the org
 * (ERR_CONFLICT `member_exists`), the number (given, or allocated by the org's pattern,
 * member_number_next) must be free (ERR_CONFLICT `taken`). Audited as membership.create. */
int membership_create(struct app *a, const struct audit_entry *who, const struct membership_input *in,
		      struct errlist *errs, int64_t *id);

int membership_get(struct app *a, int64_t id, struct membership *out);

/* For an import, on c inside the caller's transaction: a current membership of in->org_id
 * for in->person_id, created as membership_create creates one (number given or by the org's
 * pattern; audited) when there is none (*created true), else kept as it is (*created
 * false, nothing written). Field errors and ERR_CONFLICT `taken` as membership_create. */
int membership_ensure_conn(struct conn *c, const struct audit_entry *who, const struct membership_input *in,
			   struct errlist *errs, bool *created);

/* Ends a membership on `on` (NULL: today) as "left" or "expelled" with a reason.
 * ERR_PRECOND on a stale version (0 = unchecked); ERR_CONFLICT when it has ended. */
int membership_end(struct app *a, const struct audit_entry *who, int64_t id, const char *status,
		   const char *on, const char *reason, int64_t version, struct errlist *errs);

/* The memberships of a person (every org, ended ones too), newest first. */
int membership_of_person(struct app *a, int64_t person_id, int (*fn)(const struct membership *m, void *arg),
			 void *arg);

/* The memberships of an org's subtree: status filter (NULL: current ones), expiring: only
 * those whose valid_until falls within the next `expiring_days` days (> 0) or has passed
 * (< 0: lapsed by date); keyset by id after `after`, at most limit. */
struct membership_filter {
	int64_t under;
	const char *status;
	int expiring_days;
	bool lapsed;
	int64_t after;
	int limit;
};
int membership_list(struct app *a, const struct membership_filter *f,
		    int (*fn)(const struct membership *m, void *arg), void *arg, int64_t *next);

/* ---- numbers, terms, dues ---- */

/* The org's member-number pattern: literal text with {org} (the org's code), {year}
 * (joined year, four digits) and {seq:N} (a sequence, zero-padded to N digits, 1..12;
 * per org and per year when {year} is in the pattern). A sequence only grows: numbers are
 * never reused. Returns 0 or ERR_UNPROCESSABLE (field `number_pattern`, code
 * `pattern_invalid`). */
int member_pattern_check(const char *pattern, struct errlist *errs);

struct member_term {
	char category[33];
	int term_months;
	int64_t fee_cents;
};
struct member_config {
	char number_pattern[129];
	struct member_term terms[16];
	int nterms;
	int64_t version;
};
/* The org's configuration (the default pattern and no terms when none was set). */
int member_config_get(struct app *a, int64_t org_id, struct member_config *out);
/* Sets it (every term replaced); audited as member.config. */
int member_config_set(struct app *a, const struct audit_entry *who, int64_t org_id,
		      const struct member_config *in, struct errlist *errs);

/* Records a dues payment for a membership: amount, the method (codelist payment_method),
 * a receipt number, the day paid (NULL: today); the period covered starts at the later of
 * valid_until and the day paid (or joined_on for a first payment) and lasts the category's
 * term (member_config; 12 months when none is set), unless period_to is given. The
 * membership's valid_until becomes the period's end and a lapsed membership is active
 * again. Audited as membership.pay. *payment_id receives the new payment's id. */
struct dues_input {
	int64_t membership_id, amount_cents;
	const char *method, *receipt_no, *paid_on, *period_to;
};
int dues_record(struct app *a, const struct audit_entry *who, const struct dues_input *in,
		struct errlist *errs, int64_t *payment_id);

struct dues_payment {
	int64_t id, membership_id, amount_cents;
	char period_from[11], period_to[11], method[24], receipt_no[65], paid_on[11];
	int64_t created_at;
};
int dues_of_membership(struct app *a, int64_t membership_id,
		       int (*fn)(const struct dues_payment *p, void *arg), void *arg);

/* Marks active memberships whose valid_until has passed as lapsed (audited once per run
 * as membership.lapse with the count). *n receives how many. */
int membership_lapse_due(struct app *a, const struct audit_entry *who, int *n);

#endif
