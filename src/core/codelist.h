/*
 * codelist.h - every code list of kexie in one place: org levels and types, roles, audit
 * actions, object types, job states, account statuses, the field names of audit diffs and
 * the error codes the web app translates. One table per list (code, Chinese label, English
 * label, display order = array order, other spellings for files), used by validation (the
 * route table's FT_ENUM fields point here), the imports (Chinese words in spreadsheets),
 * the OpenAPI enums, the audit CSV and GET /api/v1/codes. A module adds its lists here
 * (the member register's ethnicity, political status, education ...) and to codelist_all.
 */
#ifndef KEXIE_CORE_CODELIST_H
#define KEXIE_CORE_CODELIST_H

#include "base/codeset.h"
#include "base/err.h"

#include <stdbool.h>
#include <stddef.h>

/* Lists with a fixed size that other code dimensions arrays by (checked in codelist.c). */
#define CODELIST_ORG_LEVELS 6
#define CODELIST_ROLES      7

extern const struct codeset codelist_org_level;    /* national .. grassroots, top down */
extern const struct codeset codelist_org_type;     /* association, society, ... other */
extern const struct codeset codelist_role;         /* system_admin .. member */
extern const struct codeset codelist_audit_action; /* org.create, user.login, ... */
extern const struct codeset codelist_object_type;  /* org, user, session, api_token ... */
extern const struct codeset codelist_job_state;    /* queued, running, succeeded, failed, cancelled */
extern const struct codeset codelist_user_status;  /* active, disabled */
extern const struct codeset codelist_audit_field;  /* keys of audit diffs: name, parent_id ... */
extern const struct codeset codelist_error;        /* error codes (top level and per field) */
/* the member register's person fields (core/personfield.c reads them, issue 12) */
extern const struct codeset codelist_gender;    /* GB/T 2261.1: "1" male, "2" female, "0", "9" */
extern const struct codeset codelist_ethnicity; /* GB 3304: "01" 汉族 .. "56" 基诺族, "97", "98" */
extern const struct codeset codelist_political_status;  /* GB/T 4762: "01" 中共党员 .. "13" 群众 */
extern const struct codeset codelist_education;         /* doctorate .. secondary */
extern const struct codeset codelist_degree;            /* doctor, master, bachelor, none */
extern const struct codeset codelist_title_level;       /* senior, associate, intermediate, junior, none */
extern const struct codeset codelist_discipline;        /* GB/T 13745-2009 first level: "110" .. "910" */
extern const struct codeset codelist_id_type;           /* resident, foreign_permanent, ... passport */
extern const struct codeset codelist_person_status;     /* active, deceased */
extern const struct codeset codelist_member_category;   /* individual, student, senior, fellow ... */
extern const struct codeset codelist_membership_status; /* applied, active, lapsed, left, expelled */
extern const struct codeset codelist_payment_method;    /* bank_transfer, cash, wechat, alipay, other */
extern const struct codeset codelist_file_type;         /* pdf, docx, xlsx, jpeg, png, webp */

/* notifications and the outbound hook (core/notify.h, core/hook.h) */
extern const struct codeset codelist_notification_kind; /* reminder, notice, ... hook_test */
extern const struct codeset codelist_hook_state;        /* pending, delivered, dead */
/* notices (issue 13, domain/notice.h) */
extern const struct codeset codelist_notice_state;  /* draft, pending, approved, sent, recalled */
extern const struct codeset codelist_receipt_state; /* unread, read, acknowledged */

/* Every list served by GET /api/v1/codes, in that order; *n receives the count. */
const struct codeset *const *codelist_all(size_t *n);

/* The list called name ("org_level"), or NULL. */
const struct codeset *codelist_find(const char *name);

/* Adds the field error for a value not in s: code not_allowed, the codes in the message,
 * params.list = the list's name. Returns ERR_UNPROCESSABLE. */
int codelist_refuse(struct errlist *errs, const char *field, const struct codeset *s);

#endif
