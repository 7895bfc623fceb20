/*
 * form.h - the one forms mechanism: a form is a versioned field schema (JSON), values are
 * checked against one version of it, and submissions of values move through a review.
 * Reports, surveys and award nominations all build on this; docs/forms.md describes the
 * schema format, the rules and how a module uses it.
 *
 * Two halves:
 *   - form.c: the schema and its values (pure: no database). A schema is checked when a
 *     template is saved (field errors name the path, `fields[3].rule.sum[1]`); values are
 *     checked against a checked schema (field errors name the key, `rows[2].count` inside a
 *     table; rows from 0) and written back normalised (dates YYYY-MM-DD, decimals as
 *     strings with the field's scale, never through floating point). form.c is the one
 *     file of core/ that reads JSON with jansson (a documented exception in
 *     scripts/check-layers): schema and values are JSON by nature and are stored as JSON
 *     text. This header exposes only the opaque `struct json_t`; everything is written
 *     with base/jsonw.h.
 *   - form_store.c: templates with their versions, and generic submissions (draft ->
 *     submitted -> returned -> resubmitted -> accepted, every submitted revision kept,
 *     Idempotency-Key on submit, late judged against a deadline in Asia/Shanghai).
 */
#ifndef KEXIE_CORE_FORM_H
#define KEXIE_CORE_FORM_H

#include "core/app.h"
#include "core/audit.h"
#include "core/rbac.h"
#include "base/err.h"
#include "base/jsonw.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct json_t; /* jansson's value: the api layer hands over parsed request members */

#define FORM_FIELDS_MAX   100 /* fields of a schema, and columns of a table */
#define FORM_OPTIONS_MAX  200 /* options of a choice */
#define FORM_ROWS_MAX     500 /* rows of a repeating table */
#define FORM_KEY_MAX      40  /* a field key: [a-z][a-z0-9_]* */
#define FORM_PATTERN_MAX  200 /* bytes of a pattern */
#define FORM_DEC_SCALE    6   /* the most digits after the point a decimal field may have */
#define FORM_SCHEMA_MAX   (256u << 10)
#define FORM_DEADLINE_MAX 23 /* "YYYY-MM-DDTHH:MM:SS.mmm" */

/* ---- schemas and values (form.c) ---- */

/* What checking values needs from outside: whether an org picked is inside the scope of
 * the one submitting, and whether a stored file may be referenced. Either may be NULL
 * (no check beyond the shape). Each returns 0, or ERR_NOTFOUND when the id may not be
 * used (the field gets code org_outside_scope / file_not_found), or a store error. */
struct form_hooks {
	int (*org_ok)(void *arg, int64_t org_id);
	int (*file_ok)(void *arg, int64_t file_id);
	void *arg;
};

/* Checks a schema (a JSON object {"fields": [...]}, borrowed) and writes its canonical
 * form (known members only, in a fixed order; decimal bounds as strings) into *out
 * (malloc'd; the caller frees). ERR_UNPROCESSABLE with field errors naming the path
 * (`fields[2].options[0].code`), ERR_NOMEM. */
int form_schema_check(const struct json_t *schema, struct errlist *errs, char **out);

/* Checks values (a JSON object key -> value, borrowed) against schema (the canonical text
 * form_schema_check wrote). draft: a draft being saved, so required fields and the sum
 * rules are not enforced yet (types, lengths, ranges, patterns, options and scope are).
 * On 0 *out (malloc'd) is the normalised values object: only the schema's keys, empty
 * values left out. ERR_UNPROCESSABLE with field errors named by key (`table[1].col`),
 * ERR_INVALID when schema is not a schema (a programming error), a hook's store error. */
int form_values_check(const char *schema, const struct json_t *values, const struct form_hooks *h, bool draft,
		      struct errlist *errs, char **out);
/* The same for values kept as text (normalised earlier, e.g. a draft being submitted). */
int form_values_check_text(const char *schema, const char *values, const struct form_hooks *h, bool draft,
			   struct errlist *errs, char **out);

/* The field-by-field difference of two normalised value objects under schema: writes an
 * array (under key; NULL at the top or inside an array) of {key, label, before, after}
 * for each field of the schema whose value differs (absent = null), in schema order.
 * Failures stick in w. Returns 0 or ERR_INVALID when a text does not parse. */
int form_values_diff(const char *schema, const char *before, const char *after, struct jsonw *w,
		     const char *key);

/* Writes a stored JSON text (a schema or values this file wrote) as the member key of w,
 * after parsing it again (so nothing unchecked reaches an answer). */
int form_json_write(struct jsonw *w, const char *key, const char *text);

/* What an Idempotency-Key stands for: a hash (64 hex + NUL) of the submission id and the
 * values sent (NULL: none). The same request gives the same hash. 0 or ERR_NOMEM. */
int form_request_hash(int64_t id, const struct json_t *values, char out[65]);

/* ---- deadlines (pure) ---- */

/* Is a deadline well formed? "YYYY-MM-DD" (the whole day, Asia/Shanghai) or
 * "YYYY-MM-DDTHH:MM[:SS[.mmm]]" (that instant, Asia/Shanghai). */
bool form_deadline_valid(const char *deadline);
/* The first instant (unix milliseconds) that is past the deadline: for a date, 00:00:00.000
 * of the next day in Asia/Shanghai (UTC+8 all year); for a time, one millisecond after it.
 * Returns 0, ERR_INVALID when the deadline is not well formed. */
int form_deadline_end_ms(const char *deadline, int64_t *end_ms);
/* Was something done at at_ms (unix milliseconds, the server clock) late? */
int form_deadline_late(int64_t at_ms, const char *deadline, bool *late);

/* ---- templates and versions (form_store.c) ---- */

#define FORM_CODE_MAX 40
#define FORM_NAME_MAX 100 /* code points */

struct form_template {
	int64_t id;
	int64_t org_id; /* the owning org; 0 = built in (every org may use it, nobody edits it) */
	char org_name[801];
	char code[FORM_CODE_MAX + 1];
	char name[FORM_NAME_MAX * 4 + 1];
	char name_en[FORM_NAME_MAX * 4 + 1];
	int current; /* the current version's number */
	int64_t version;
	int64_t created_at, updated_at;
};

/* What creating or changing a template sets: strings borrowed, NULL = not given. */
struct form_template_input {
	int64_t org_id;
	const char *code, *name, *name_en;
	const struct json_t *schema; /* NULL on a change: the schema stays */
};

/* Creates a template with version 1 of its schema. ERR_UNPROCESSABLE with field errors
 * (schema paths under `schema.`), ERR_CONFLICT (`taken` on code) when the org has a
 * template with this code. Audited as form.create. */
int form_template_create(struct app *a, const struct audit_entry *who, const struct form_template_input *in,
			 struct errlist *errs, int64_t *id);
/* Changes name / name_en and, when a schema is given, adds a new version (versions are
 * never changed: a submission keeps the one it was made with). ERR_PRECONDITION when
 * version is stale, ERR_FORBIDDEN for a built-in template. Audited as form.update. */
int form_template_update(struct app *a, const struct audit_entry *who, int64_t id,
			 const struct form_template_input *in, int64_t version, struct errlist *errs);
int form_template_get(struct app *a, int64_t id, struct form_template *out);
/* The owning org of template id (0 for a built-in one). ERR_NOTFOUND. */
int form_template_org(struct app *a, int64_t id, int64_t *org_id);
/* The schema of version n (0: the current one) into *schema (malloc'd), its number in *n.
 * ERR_NOTFOUND. */
int form_version_schema(struct app *a, int64_t template_id, int *n, char **schema);

struct form_version_info {
	int number;
	int64_t created_by;
	char created_by_name[401];
	int64_t created_at;
	int64_t submissions; /* submissions made with it */
};
int form_versions(struct app *a, int64_t template_id, int (*fn)(const struct form_version_info *v, void *arg),
		  void *arg);
/* The templates an org may use or edit: built-in ones, those of the orgs on its chain up
 * to the root, and those of its subtree; by id. */
int form_template_list(struct app *a, int64_t under, int (*fn)(const struct form_template *t, void *arg),
		       void *arg);

/* Built-in templates (月度工作简报, 活动总结): written by the migration, codes here. */
#define FORM_BUILTIN_BRIEFING "monthly_briefing"
#define FORM_BUILTIN_ACTIVITY "activity_summary"

/* ---- submissions (form_store.c) ---- */

#define FORM_REASON_MAX 500 /* code points */

struct form_submission {
	int64_t id, template_id;
	int form_version;
	char subject_kind[17];
	int64_t subject_id;
	int64_t org_id, receiving_org_id;
	char org_name[801];
	char status[12]; /* draft submitted returned resubmitted accepted */
	char deadline[FORM_DEADLINE_MAX + 1];
	int late;     /* -1 never submitted or no deadline, 0 on time, 1 late (the first submit) */
	char *values; /* normalised values JSON (malloc'd; form_submission_clear frees) */
	char reason[FORM_REASON_MAX * 4 + 1];
	int rev; /* the latest submitted revision, 0 before the first */
	int64_t version;
	int64_t created_at, updated_at, submitted_at_ms, decided_at;
};
void form_submission_clear(struct form_submission *s);

/* What creating a submission (a draft) says. values may be NULL (an empty draft). */
struct form_submission_input {
	int64_t template_id;
	const char *subject_kind; /* notice | period | adhoc */
	int64_t subject_id;
	int64_t org_id;           /* the submitting org */
	int64_t receiving_org_id; /* 0: the template's owner (required for a built-in one) */
	const char *deadline;     /* NULL: none (never late) */
	const struct json_t *values;
};

/* The caller as the values' hooks need them: org pickers inside the caller's scope for
 * form.submit, files through form_file_visible. */
struct form_actor {
	const struct audit_entry *who;
	const struct caller *caller;
};

/* Creates a draft with the template's current version. ERR_UNPROCESSABLE (the template
 * not usable by that org: `not_available` on template_id; the receiving org not at or
 * above the submitting one: `not_above` on receiving_org_id; draft values), ERR_CONFLICT
 * (`exists`) when the org has a submission of this template for this subject. Audited as
 * submission.create. */
int form_submission_create(struct app *a, const struct form_actor *who,
			   const struct form_submission_input *in, struct errlist *errs, int64_t *id);
int form_submission_get(struct app *a, int64_t id, struct form_submission *out);
/* The submitting org and the receiving org of submission id (the scope rule's objects). */
int form_submission_orgs(struct app *a, int64_t id, int64_t *org_id, int64_t *receiving_org_id);
/* Autosave: replaces the draft's values (status draft or returned), checked as a draft.
 * ERR_PRECONDITION on a stale version, ERR_CONFLICT (`not_editable` on status). Audited
 * as submission.save. */
int form_submission_save(struct app *a, const struct form_actor *who, int64_t id, const struct json_t *values,
			 int64_t version, struct errlist *errs);

/* Submit (or resubmit after a return): the values (given, or the draft's) checked in full
 * against the submission's version, kept as a new revision; the first submit judges
 * lateness at the server clock against the deadline. With an idempotency key (NULL:
 * none) a retry of the same request by the same account answers the first one's outcome
 * (*replayed true) without a second revision; the same key with a different request is
 * ERR_UNPROCESSABLE (`idempotency_key_reused`). version 0: no If-Match. Audited as
 * submission.submit / submission.resubmit. */
struct form_submit_input {
	const struct json_t *values; /* NULL: submit the draft as saved */
	const char *idem_key;        /* NULL: none */
	int64_t version;
};
int form_submission_submit(struct app *a, const struct form_actor *who, int64_t id,
			   const struct form_submit_input *in, struct errlist *errs, bool *replayed);
/* The receiving org's reviewers: return with a reason (submitted/resubmitted -> returned)
 * or accept (-> accepted). ERR_CONFLICT (`not_submitted` on status). Audited. */
int form_submission_return(struct app *a, const struct audit_entry *who, int64_t id, const char *reason,
			   int64_t version, struct errlist *errs);
int form_submission_accept(struct app *a, const struct audit_entry *who, int64_t id, int64_t version,
			   struct errlist *errs);

struct form_filter {
	int64_t under;       /* submitting orgs in this subtree */
	int64_t template_id; /* 0: any */
	const char *status;  /* NULL: any */
	const char *subject_kind;
	int64_t subject_id; /* with subject_kind */
	int64_t before;     /* keyset paging by id, newest first; 0: from the newest */
	int limit;
};
int form_submission_list(struct app *a, const struct form_filter *f,
			 int (*fn)(const struct form_submission *s, void *arg), void *arg,
			 int64_t *next_before);

struct form_rev {
	int rev;
	int form_version;
	char kind[12]; /* submitted | resubmitted */
	int64_t by;
	char by_name[401];
	int64_t at_ms;
	char *values; /* malloc'd, freed after fn returns */
};
int form_submission_revs(struct app *a, int64_t id, int (*fn)(const struct form_rev *r, void *arg),
			 void *arg);
/* Revision rev's values (malloc'd) and the schema of its version (malloc'd). */
int form_submission_rev_values(struct app *a, int64_t id, int rev, char **values, char **schema);

/* The hook the stored-files mechanism plugs into: may the caller reference stored file
 * file_id in a form value? Today every positive id is accepted (only the shape is
 * checked); once stored files land this checks that the file exists and that the caller
 * may see its owning object (docs/forms.md). 0 or ERR_NOTFOUND. */
int form_file_visible(struct app *a, const struct caller *c, int64_t file_id);

#endif
