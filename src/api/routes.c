/*
 * routes.c - THE route table: every endpoint of kexie on one screen.
 *
 * Each row says the method, the path with typed parameters, the handler, the flags the
 * dispatcher enforces before the handler runs (auth, CSRF, read replica...), the query
 * parameters and body fields it accepts (anything else is refused), what it acts on (obj:
 * its objects, each resolved and put through the one scope rule before the handler runs;
 * or `why` it cannot say), its permission, its success status and reply shape, and the
 * text the OpenAPI document is built from. The unit test t-routes refuses a row without an
 * object or a why, a status, a known reply shape or a summary; the access matrix
 * (test/api/matrix.test.mjs) is generated from these rows (`kexie routes --json`).
 */
#include "api/api.h"
#include "core/codelist.h"

#include <stdint.h>

static const struct field q_regions[] = {
	{"parent", FT_STRING, 0, 2, 12, NULL, "parent region code; omit for the top level"},
	{"sort", FT_ENUM, 0, 0, 0, "code|-code|name|-name", "order; name sorts by pinyin"},
	{"limit", FT_INT, 0, 1, 1000, NULL, "maximum number of items (default 200)"},
	{0},
};

static const struct field b_client_error[] = {
	{"message", FT_STRING, FF_REQUIRED, 1, 1000, NULL, "the error message"},
	{"source", FT_STRING, 0, 0, 500, NULL, "script or component"},
	{"line", FT_INT, 0, 0, 10000000, NULL, "line number"},
	{"column", FT_INT, 0, 0, 10000000, NULL, "column number"},
	{"route", FT_STRING, 0, 0, 500, NULL, "the app route (path only, no query)"},
	{0},
};

static const struct field q_as_of[] = {
	{"as_of", FT_DATE, 0, 0, 0, NULL, "the tree as it stood on this date (default today)"},
	{0},
};

static const struct field q_org_search[] = {
	{"under", FT_INT, 0, 1, INT64_MAX, NULL, "search this subtree (default: your scope)"},
	{"q", FT_STRING, 0, 1, 50, NULL, "code prefix or part of the name"},
	{"level", FT_CODE, 0, 0, 0, codelist_org_level.name, "only this level"},
	{"type", FT_CODE, 0, 0, 0, codelist_org_type.name, "only this type"},
	{"as_of", FT_DATE, 0, 0, 0, NULL, "the tree as it stood on this date (default today)"},
	{"include_closed", FT_BOOL, 0, 0, 0, NULL, "include closed organizations"},
	{"after", FT_STRING, 0, 1, 32, NULL, "keyset paging: the next_after of the previous page"},
	{"limit", FT_INT, 0, 1, 500, NULL, "page size (default 100)"},
	{0},
};

static const struct field q_children[] = {
	{"as_of", FT_DATE, 0, 0, 0, NULL, "the tree as it stood on this date (default today)"},
	{"include_closed", FT_BOOL, 0, 0, 0, NULL, "include closed organizations"},
	{"after", FT_STRING, 0, 1, 32, NULL, "keyset paging: the next_after of the previous page"},
	{"limit", FT_INT, 0, 1, 500, NULL, "page size (default 100)"},
	{0},
};

static const struct field b_org_create[] = {
	{"code", FT_STRING, FF_REQUIRED, 1, 32, NULL, "stable code, [A-Za-z0-9._-]"},
	{"name", FT_STRING, FF_REQUIRED, 1, 200, NULL, "full name"},
	{"short_name", FT_STRING, 0, 0, 64, NULL, "short name"},
	{"level", FT_CODE, FF_REQUIRED, 0, 0, codelist_org_level.name, "level in the tree"},
	{"type", FT_CODE, FF_REQUIRED, 0, 0, codelist_org_type.name, "kind of organization"},
	{"region_code", FT_STRING, 0, 6, 6, NULL, "GB/T 2260 region code"},
	{"credit_code", FT_STRING, 0, 18, 40, NULL,
	 "GB 32100 unified social credit code (check character verified)"},
	{"contact", FT_STRING, 0, 0, 60, NULL, "contact person and phone"},
	{"opened_on", FT_DATE, 0, 0, 0, NULL, "date it opened (default today)"},
	{"parent_id", FT_INT, 0, 1, INT64_MAX, NULL, "parent organization; omit only for the national level"},
	{0},
};

static const struct field b_org_update[] = {
	{"name", FT_STRING, 0, 1, 200, NULL, "full name"},
	{"short_name", FT_STRING, 0, 0, 64, NULL, "short name"},
	{"type", FT_CODE, 0, 0, 0, codelist_org_type.name, "kind of organization"},
	{"region_code", FT_STRING, FF_NULLABLE, 6, 6, NULL, "GB/T 2260 region code; null clears it"},
	{"credit_code", FT_STRING, FF_NULLABLE, 18, 40, NULL, "GB 32100 credit code; null clears it"},
	{"contact", FT_STRING, 0, 0, 60, NULL, "contact person and phone"},
	{0},
};

static const struct field b_org_link[] = {
	{"guide_id", FT_INT, FF_REQUIRED, 1, INT64_MAX, NULL, "the organization that guides this one"},
	{"on", FT_DATE, 0, 0, 0, NULL, "from this date (default today)"},
	{0},
};

static const struct field b_org_move[] = {
	{"parent_id", FT_INT, FF_REQUIRED, 1, INT64_MAX, NULL, "the new parent"},
	{"on", FT_DATE, 0, 0, 0, NULL, "effective date (default today)"},
	{0},
};

static const struct field b_org_close[] = {
	{"on", FT_DATE, 0, 0, 0, NULL, "closing date (default today)"},
	{"branch", FT_BOOL, 0, 0, 0, NULL, "close every open organization below as well"},
	{0},
};

static const struct field q_audit[] = {
	{"from", FT_DATE, 0, 0, 0, NULL, "first day (UTC), inclusive"},
	{"to", FT_DATE, 0, 0, 0, NULL, "last day (UTC), inclusive"},
	{"login", FT_STRING, 0, 1, 64, NULL,
	 "the acting account, or failed sign-ins on this login when no account has it"},
	{"action", FT_STRING, 0, 1, 64, NULL, "e.g. org.move"},
	{"object_type", FT_STRING, 0, 1, 32, NULL, "e.g. org"},
	{"object_id", FT_STRING, 0, 1, 64, NULL, "the object's id"},
	{"org_id", FT_INT, 0, 1, INT64_MAX, NULL,
	 "only records about this subtree (the object's org, or the roles of the account a record is about)"},
	{"before", FT_INT, 0, 1, INT64_MAX, NULL, "keyset paging: next_before of the previous page"},
	{"limit", FT_INT, 0, 1, 1000, NULL, "page size (default 100)"},
	{"format", FT_ENUM, 0, 0, 0, "json|csv", "csv: a spreadsheet download (UTF-8 with BOM)"},
	{0},
};

static const struct field b_session[] = {
	{"login", FT_STRING, FF_REQUIRED, 1, 64, NULL, "account login"},
	{"password", FT_STRING, FF_REQUIRED, 1, 256, NULL, "password"},
	{"new_password", FT_STRING, 0, 1, 256, NULL,
	 "replace the password while signing in (required once it has expired)"},
	{0},
};

static const struct field q_users[] = {
	{"under", FT_INT, 0, 1, INT64_MAX, NULL,
	 "accounts with a role in this subtree (default: your scope)"},
	{"q", FT_STRING, 0, 1, 64, NULL, "part of the login or the name"},
	{"after", FT_STRING, 0, 1, 64, NULL, "keyset paging: the next_after of the previous page"},
	{"limit", FT_INT, 0, 1, 200, NULL, "page size (default 50)"},
	{0},
};

static const struct field b_user_create[] = {
	{"login", FT_STRING, FF_REQUIRED, 2, 64, NULL, "a-z 0-9 . _ - @"},
	{"display_name", FT_STRING, FF_REQUIRED, 1, 100, NULL, "name shown to others"},
	{"password", FT_STRING, FF_REQUIRED, 1, 256, NULL, "initial password (policy checked)"},
	{"role", FT_CODE, FF_REQUIRED, 0, 0, codelist_role.name, "first role"},
	{"org_id", FT_INT, FF_REQUIRED, 1, INT64_MAX, NULL, "where the role applies (with everything below)"},
	{0},
};

static const struct field b_role[] = {
	{"role", FT_CODE, FF_REQUIRED, 0, 0, codelist_role.name, "role"},
	{"org_id", FT_INT, FF_REQUIRED, 1, INT64_MAX, NULL, "where the role applies (with everything below)"},
	{0},
};

static const struct field b_none[] = {
	{0}, /* an action without parameters: an empty object or no body at all */
};

static const struct field b_password[] = {
	{"password", FT_STRING, FF_REQUIRED, 1, 256, NULL, "new password (policy checked)"},
	{0},
};

static const struct field b_own_password[] = {
	{"current_password", FT_STRING, FF_REQUIRED, 1, 256, NULL, "the password now"},
	{"new_password", FT_STRING, FF_REQUIRED, 1, 256, NULL, "the new password (policy checked)"},
	{0},
};

static const struct field b_post_request[] = {
	{"user_id", FT_INT, FF_REQUIRED, 1, INT64_MAX, NULL, "the account to hold the post"},
	{"role", FT_CODE, FF_REQUIRED, 0, 0, codelist_role.name,
	 "the post: system_admin, security_admin or audit_admin (other roles: not_allowed)"},
	{"org_id", FT_INT, 0, 1, INT64_MAX, NULL,
	 "where the account belongs on record (default: its first role's org); posts are system-wide"},
	{0},
};

static const struct field b_post_reject[] = {
	{"reason", FT_STRING, 0, 0, 200, NULL, "why, for the record"},
	{0},
};

static const struct field q_post_requests[] = {
	{"status", FT_ENUM, 0, 0, 0, "pending|approved|rejected|expired|all", "only these (default: all)"},
	{"before", FT_INT, 0, 1, INT64_MAX, NULL, "keyset paging: next_before of the previous page"},
	{"limit", FT_INT, 0, 1, 200, NULL, "page size (default 50)"},
	{0},
};

static const struct field b_token[] = {
	{"name", FT_STRING, FF_REQUIRED, 1, 100, NULL, "what the token is for"},
	{"expires_days", FT_INT, 0, 1, 3650, NULL,
	 "days until it stops working (default and most: the setting token_max_days, 365)"},
	{0},
};

/* srv11 (issue 11): code lists, reopen, yearly figures, recent changes, to-do */
static const struct field b_org_reopen[] = {
	{"on", FT_DATE, 0, 0, 0, NULL,
	 "the day it reopens: on or after its closing day, not ahead (default today)"},
	{0},
};

static const struct field q_org_stats[] = {
	{"year", FT_INT, 0, 1800, 9999, NULL, "calendar year (default this year)"},
	{0},
};

static const struct field q_org_changes[] = {
	{"limit", FT_INT, 0, 1, 100, NULL, "how many, newest first (default 20)"},
	{0},
};

/* ---- jobs, org import and export (issue 11) ---- */
static const struct field q_import[] = {
	{"dry_run", FT_BOOL, 0, 0, 0, NULL, "check every row and report, writing nothing"},
	{0},
};

static const struct field q_export[] = {
	{"format", FT_ENUM, 0, 0, 0, "csv|xlsx", "csv (UTF-8 with BOM, the default) or xlsx"},
	{"as_of", FT_DATE, 0, 0, 0, NULL, "the tree as it stood on this date (default today)"},
	{"include_closed", FT_BOOL, 0, 0, 0, NULL, "closed organizations too (with a 撤销日期 column)"},
	{0},
};

static const struct field q_job_errors[] = {
	{"format", FT_ENUM, 0, 0, 0, "csv|xlsx",
	 "csv (UTF-8 with BOM, the default) or xlsx; headers in the Accept-Language"},
	{"view", FT_ENUM, 0, 0, 0, "list|rows",
	 "list (the default): one line per error; rows: the refused rows as uploaded plus a 错误 column, to fix and upload again"},
	{0},
};

/* ---- the member register (api/members.c) ---- */

/* notices (api/notices.c, issue 13) */
#define NOTICE_DRAFT_FIELDS                                                                               \
	{"body", FT_STRING, 0, 0, 20000, NULL, "Markdown (no raw HTML; links http, https, mailto only)"}, \
		{"contact_name", FT_STRING, FF_NULLABLE, 0, 60, NULL, "contact person"},                  \
		{"contact_phone", FT_STRING, FF_NULLABLE, 0, 30, NULL, "contact phone"},                  \
		{"deadline_date",                                                                         \
		 FT_DATE,                                                                                 \
		 FF_NULLABLE,                                                                             \
		 0,                                                                                       \
		 0,                                                                                       \
		 NULL,                                                                                    \
		 "deadline day, Beijing time (by that day: until 23:59:59.999)"},                         \
		{"deadline_time",                                                                         \
		 FT_STRING,                                                                               \
		 FF_NULLABLE,                                                                             \
		 5,                                                                                       \
		 5,                                                                                       \
		 NULL,                                                                                    \
		 "deadline time HH:MM, Beijing (the whole minute counts)"},                               \
		{"receipt_required", FT_BOOL, 0, 0, 0, NULL, "recipients acknowledge (签收)"},            \
		{"form_id",                                                                               \
		 FT_INT,                                                                                  \
		 FF_NULLABLE,                                                                             \
		 1,                                                                                       \
		 INT64_MAX,                                                                               \
		 NULL,                                                                                    \
		 "a form to return (the forms module checks it)"},                                        \
	{                                                                                                 \
		"targets", FT_OBJECT, 0, 0, 0, NULL,                                                      \
			"{orgs: [id], rules: [{kind: subtree|guided, org_id, level, type}]}"              \
	}
static const struct field b_notice_create[] = {
	{"org_id", FT_INT, FF_REQUIRED, 1, INT64_MAX, NULL, "the issuing organization"},
	{"title", FT_STRING, FF_REQUIRED, 1, 200, NULL, "title"},
	NOTICE_DRAFT_FIELDS,
	{0},
};
static const struct field b_notice_update[] = {
	{"title", FT_STRING, 0, 1, 200, NULL, "title"},
	NOTICE_DRAFT_FIELDS,
	{0},
};
static const struct field b_notice_forward[] = {
	{"title", FT_STRING, 0, 1, 200, NULL, "title (default: 关于转发《original》的通知)"},
	NOTICE_DRAFT_FIELDS,
	{0},
};
static const struct field b_notice_preview[] = {
	{"org_id", FT_INT, FF_REQUIRED, 1, INT64_MAX, NULL, "the issuing organization"},
	{"targets", FT_OBJECT, FF_REQUIRED, 0, 0, NULL, "{orgs: [id], rules: [...]} as in a notice"},
	{"limit", FT_INT, 0, 0, 200, NULL, "recipients listed (default 20)"},
	{0},
};
static const struct field b_notice_render[] = {
	{"body", FT_STRING, FF_REQUIRED, 0, 20000, NULL, "Markdown"},
	{0},
};
static const struct field b_notice_reason[] = {
	{"reason", FT_STRING, FF_REQUIRED, 2, 200, NULL, "why (shown to the author or the recipients)"},
	{0},
};
static const struct field b_notice_config[] = {
	{"prefix", FT_STRING, FF_REQUIRED, 1, 32, NULL, "document-number prefix, e.g. X科协发"},
	{"approval_required", FT_BOOL, 0, 0, 0, NULL,
	 "an administrator approves each notice before it is sent"},
	{0},
};
static const struct field q_notice_list[] = {
	{"org_id", FT_INT, 0, 1, INT64_MAX, NULL, "the issuing organization (default: your scope)"},
	{"state", FT_CODE, 0, 0, 0, codelist_notice_state.name, "only this state"},
	{"before", FT_INT, 0, 1, INT64_MAX, NULL, "keyset paging: next_before of the previous page"},
	{"limit", FT_INT, 0, 1, 200, NULL, "page size (default 50)"},
	{0},
};
static const struct field q_notice_receipts[] = {
	{"under", FT_INT, 0, 1, INT64_MAX, NULL,
	 "break down below this organization of the issuer's subtree (default the issuer)"},
	{0},
};
static const struct field q_notice_recipients[] = {
	{"under", FT_INT, 0, 1, INT64_MAX, NULL, "only recipients in this subtree"},
	{"state", FT_CODE, 0, 0, 0, codelist_receipt_state.name, "only this state"},
	{"after", FT_STRING, 0, 1, 64, NULL, "keyset paging: next_after of the previous page"},
	{"limit", FT_INT, 0, 1, 500, NULL, "page size (default 100)"},
	{0},
};
static const struct field q_inbox[] = {
	{"state", FT_CODE, 0, 0, 0, codelist_receipt_state.name, "only this state"},
	{"after", FT_STRING, 0, 1, 64, NULL, "keyset paging: next_after of the previous page"},
	{"limit", FT_INT, 0, 1, 200, NULL, "page size (default 50)"},
	{0},
};

/* clang-format off */

#define PERSON_FIELDS                                                                              \
	{"name", FT_STRING, 0, 1, 100, NULL, "full name (minority and foreign names with a middle dot)"}, \
	{"gender", FT_STRING, FF_NULLABLE, 0, 8, NULL, "gender code or label (男, 女)"},                \
	{"ethnicity", FT_STRING, FF_NULLABLE, 0, 16, NULL, "GB 3304 code or name (01, 汉族)"},          \
	{"birth_date", FT_STRING, FF_NULLABLE, 0, 32, NULL, "date of birth (1985-03-07, 1985年3月7日 ...)"}, \
	{"id_type", FT_STRING, FF_NULLABLE, 0, 32, NULL, "ID document type (default: resident ID card)"}, \
	{"id_number", FT_STRING, FF_NULLABLE, 0, 40, NULL, "ID number (stored encrypted, answered masked)"}, \
	{"mobile", FT_STRING, FF_NULLABLE, 0, 32, NULL, "mainland mobile (stored encrypted, answered masked)"}, \
	{"landline", FT_STRING, FF_NULLABLE, 0, 40, NULL, "landline with area code"},                 \
	{"email", FT_STRING, FF_NULLABLE, 0, 254, NULL, "e-mail address"},                            \
	{"political_status", FT_STRING, FF_NULLABLE, 0, 16, NULL, "GB/T 4762 code or name"},         \
	{"party_joined_on", FT_STRING, FF_NULLABLE, 0, 32, NULL, "joined the party"},                \
	{"party_full_on", FT_STRING, FF_NULLABLE, 0, 32, NULL, "full party membership"},             \
	{"education", FT_STRING, FF_NULLABLE, 0, 16, NULL, "education code or label"},               \
	{"degree", FT_STRING, FF_NULLABLE, 0, 16, NULL, "degree code or label"},                     \
	{"title", FT_STRING, FF_NULLABLE, 0, 200, NULL, "professional title in words"},              \
	{"title_level", FT_STRING, FF_NULLABLE, 0, 16, NULL, "title level code or label (正高级 ...)"}, \
	{"discipline", FT_STRING, FF_NULLABLE, 0, 32, NULL, "GB/T 13745 first-level code or name"}, \
	{"work_unit", FT_STRING, FF_NULLABLE, 0, 200, NULL, "work unit"},                           \
	{"position", FT_STRING, FF_NULLABLE, 0, 200, NULL, "position"},                             \
	{"status", FT_STRING, 0, 0, 16, NULL, "active or deceased"},                                 \
	{"deceased_on", FT_STRING, FF_NULLABLE, 0, 32, NULL, "date of death (with status deceased)"},   \
	{"tags", FT_ARRAY, 0, 0, 0, NULL, "tag codes of the managed list"}

static const struct field b_member_create[] = {
	{"org_id", FT_INT, FF_REQUIRED, 1, INT64_MAX, NULL, "the organization that keeps the record"},
	PERSON_FIELDS,
	{0},
};
static const struct field b_member_update[] = {
	PERSON_FIELDS,
	{0},
};
static const struct field b_member_reveal[] = {
	{"field", FT_ENUM, FF_REQUIRED, 0, 0, "id_number|mobile", "which value to show in full"},
	{"reason", FT_STRING, FF_REQUIRED, 2, 200, NULL, "why (recorded in the audit trail)"},
	{0},
};
static const struct field q_member_list[] = {
	{"under", FT_INT, 0, 1, INT64_MAX, NULL, "this subtree (default: your scope)"},
	{"q", FT_STRING, 0, 1, 50, NULL, "a name part (2+ characters, pinyin or initials), work unit, or a full ID number or mobile"},
	{"gender", FT_STRING, 0, 1, 8, NULL, "gender code"},
	{"age_min", FT_INT, 0, 0, 150, NULL, "at least this old"},
	{"age_max", FT_INT, 0, 0, 150, NULL, "at most this old"},
	{"title", FT_STRING, 0, 1, 16, NULL, "title level code"},
	{"education", FT_STRING, 0, 1, 16, NULL, "education code"},
	{"political", FT_STRING, 0, 1, 16, NULL, "political status code"},
	{"tag", FT_STRING, 0, 1, 32, NULL, "tag code"},
	{"category", FT_STRING, 0, 1, 32, NULL, "a current membership of this category"},
	{"status", FT_STRING, 0, 1, 16, NULL, "active or deceased"},
	{"joined_from", FT_DATE, 0, 0, 0, NULL, "a current membership joined on or after"},
	{"joined_to", FT_DATE, 0, 0, 0, NULL, "a current membership joined on or before"},
	{"sort", FT_ENUM, 0, 0, 0, "name|birth|joined", "order (name: by pinyin)"},
	{"after", FT_STRING, 0, 1, 1700, NULL, "keyset paging: the next_after of the previous page"},
	{"limit", FT_INT, 0, 1, 200, NULL, "page size (default 50)"},
	{0},
};
static const struct field q_member_import[] = {
	{"org_id", FT_INT, FF_REQUIRED, 1, INT64_MAX, NULL, "the organization that keeps the people (and whose memberships a 会员类别 makes)"},
	{"dry_run", FT_BOOL, 0, 0, 0, NULL, "check and report every row, writing nothing"},
	{"mode", FT_ENUM, 0, 0, 0, "valid-rows|all-or-nothing", "valid-rows (the default): bad rows skipped; all-or-nothing: one bad row and nothing is written"},
	{"sheet", FT_STRING, 0, 1, 200, NULL, "the XLSX worksheet (default: the first)"},
	{"ignore_unknown_columns", FT_BOOL, 0, 0, 0, NULL, "ignore columns the import does not know (else the file is refused)"},
	{0},
};
static const struct field q_member_preview[] = {
	{"sheet", FT_STRING, 0, 1, 200, NULL, "the XLSX worksheet (default: the first)"},
	{0},
};
static const struct field q_member_export[] = {
	{"under", FT_INT, 0, 1, INT64_MAX, NULL, "this subtree (default: your scope)"},
	{"format", FT_ENUM, 0, 0, 0, "csv|xlsx", "csv (UTF-8 with BOM, the default) or xlsx"},
	{"q", FT_STRING, 0, 1, 50, NULL, "as the list: a name part, work unit, or a full ID number or mobile"},
	{"gender", FT_STRING, 0, 1, 8, NULL, "gender code"},
	{"age_min", FT_INT, 0, 0, 150, NULL, "at least this old"},
	{"age_max", FT_INT, 0, 0, 150, NULL, "at most this old"},
	{"title", FT_STRING, 0, 1, 16, NULL, "title level code"},
	{"education", FT_STRING, 0, 1, 16, NULL, "education code"},
	{"political", FT_STRING, 0, 1, 16, NULL, "political status code"},
	{"tag", FT_STRING, 0, 1, 32, NULL, "tag code"},
	{"category", FT_STRING, 0, 1, 32, NULL, "a current membership of this category"},
	{"status", FT_STRING, 0, 1, 16, NULL, "active or deceased"},
	{"joined_from", FT_DATE, 0, 0, 0, NULL, "a current membership joined on or after"},
	{"joined_to", FT_DATE, 0, 0, 0, NULL, "a current membership joined on or before"},
	{"sort", FT_ENUM, 0, 0, 0, "name|birth|joined", "order (name: by pinyin)"},
	{0},
};
static const struct field b_member_export[] = {
	{"under", FT_INT, FF_REQUIRED, 1, INT64_MAX, NULL, "the subtree"},
	{"format", FT_ENUM, 0, 0, 0, "csv|xlsx", "csv (UTF-8 with BOM, the default) or xlsx"},
	{"reason", FT_STRING, FF_REQUIRED, 2, 200, NULL, "why the full values are needed (recorded in the audit trail)"},
	{"unmasked", FT_BOOL, FF_REQUIRED, 0, 0, NULL, "true: ID numbers and mobiles in full"},
	{0},
};
static const struct field b_membership_create[] = {
	{"org_id", FT_INT, FF_REQUIRED, 1, INT64_MAX, NULL, "the organization joined"},
	{"person_id", FT_INT, 0, 1, INT64_MAX, NULL, "the person (or unit_id)"},
	{"unit_id", FT_INT, 0, 1, INT64_MAX, NULL, "the member unit (or person_id)"},
	{"category", FT_STRING, FF_REQUIRED, 1, 32, NULL, "member category code or label"},
	{"number", FT_STRING, 0, 1, 64, NULL, "member number (default: allocated by the org's pattern)"},
	{"status", FT_ENUM, 0, 0, 0, "applied|active", "default active"},
	{"joined_on", FT_STRING, 0, 1, 32, NULL, "date joined (default today)"},
	{0},
};
static const struct field b_membership_end[] = {
	{"status", FT_ENUM, 0, 0, 0, "left|expelled", "default left"},
	{"on", FT_STRING, 0, 1, 32, NULL, "date (default today)"},
	{"reason", FT_STRING, FF_REQUIRED, 2, 200, NULL, "why"},
	{0},
};
static const struct field b_membership_pay[] = {
	{"amount_cents", FT_INT, FF_REQUIRED, 0, 100000000, NULL, "amount in fen"},
	{"method", FT_STRING, FF_REQUIRED, 1, 32, NULL, "payment method code or label"},
	{"receipt_no", FT_STRING, 0, 0, 64, NULL, "receipt number"},
	{"paid_on", FT_STRING, 0, 1, 32, NULL, "day paid (default today)"},
	{"period_to", FT_STRING, 0, 1, 32, NULL, "last day covered (default: the category's term)"},
	{0},
};
static const struct field q_membership_list[] = {
	{"under", FT_INT, 0, 1, INT64_MAX, NULL, "this subtree (default: your scope)"},
	{"status", FT_ENUM, 0, 0, 0, "applied|active|lapsed|left|expelled", "only this status (default: current ones)"},
	{"expiring_days", FT_INT, 0, 1, 3660, NULL, "paid term ends within this many days"},
	{"lapsed", FT_BOOL, 0, 0, 0, NULL, "paid term has ended"},
	{"after", FT_INT, 0, 1, INT64_MAX, NULL, "keyset paging: next_after of the previous page"},
	{"limit", FT_INT, 0, 1, 200, NULL, "page size (default 50)"},
	{0},
};
static const struct field b_member_config[] = {
	{"number_pattern", FT_STRING, FF_REQUIRED, 1, 128, NULL, "{org}, {year} and one {seq:N}"},
	{"terms", FT_ARRAY, 0, 0, 0, NULL, "[{category, term_months, fee_cents}]"},
	{0},
};
static const struct field b_apply[] = {
	{"org_id", FT_INT, FF_REQUIRED, 1, INT64_MAX, NULL, "the organization to join (GET /api/v1/public/orgs)"},
	{"category", FT_STRING, FF_REQUIRED, 1, 32, NULL, "member category code or label"},
	{"name", FT_STRING, FF_REQUIRED, 1, 100, NULL, "full name"},
	{"gender", FT_STRING, 0, 0, 8, NULL, "gender"},
	{"birth_date", FT_STRING, 0, 0, 32, NULL, "date of birth"},
	{"id_type", FT_STRING, 0, 0, 32, NULL, "ID document type (default resident ID card)"},
	{"id_number", FT_STRING, 0, 0, 40, NULL, "ID number (or a mobile)"},
	{"mobile", FT_STRING, 0, 0, 32, NULL, "mainland mobile (or an ID number)"},
	{"email", FT_STRING, 0, 0, 254, NULL, "e-mail"},
	{"work_unit", FT_STRING, 0, 0, 200, NULL, "work unit"},
	{"title", FT_STRING, 0, 0, 200, NULL, "professional title"},
	{"title_level", FT_STRING, 0, 0, 16, NULL, "title level"},
	{"education", FT_STRING, 0, 0, 16, NULL, "education"},
	{"political_status", FT_STRING, 0, 0, 16, NULL, "political status"},
	{"login", FT_STRING, FF_REQUIRED, 2, 64, NULL, "the member account's login"},
	{"password", FT_STRING, FF_REQUIRED, 8, 128, NULL, "its password"},
	{"consent_version", FT_STRING, FF_REQUIRED, 1, 32, NULL, "the consent text agreed to (GET /api/v1/public/consent)"},
	{0},
};
static const struct field b_application_status[] = {
	{"token", FT_STRING, FF_REQUIRED, 1, 64, NULL, "the token given when applying"},
	{0},
};
static const struct field q_public_orgs[] = {
	{"q", FT_STRING, 0, 1, 50, NULL, "part of the name (2+ characters) or the start of the code"},
	{0},
};
static const struct field q_applications[] = {
	{"under", FT_INT, 0, 1, INT64_MAX, NULL, "this subtree (default: your scope)"},
	{"status", FT_ENUM, 0, 0, 0, "pending|approved|rejected", "default pending"},
	{"before", FT_INT, 0, 1, INT64_MAX, NULL, "keyset paging: next_before of the previous page"},
	{"limit", FT_INT, 0, 1, 200, NULL, "page size (default 50)"},
	{0},
};
static const struct field b_reason[] = {
	{"reason", FT_STRING, FF_REQUIRED, 2, 200, NULL, "why (the applicant sees it)"},
	{0},
};
static const struct field b_me_member[] = {
	{"email", FT_STRING, FF_NULLABLE, 0, 254, NULL, "e-mail"},
	{"landline", FT_STRING, FF_NULLABLE, 0, 40, NULL, "landline"},
	{"work_unit", FT_STRING, FF_NULLABLE, 0, 200, NULL, "work unit"},
	{"position", FT_STRING, FF_NULLABLE, 0, 200, NULL, "position"},
	{0},
};
static const struct field b_erasure_request[] = {
	{"reason", FT_STRING, 0, 0, 200, NULL, "why (optional)"},
	{0},
};
static const struct field q_erasures[] = {
	{"under", FT_INT, 0, 1, INT64_MAX, NULL, "this subtree (default: your scope)"},
	{"status", FT_ENUM, 0, 0, 0, "pending|approved|rejected", "default pending"},
	{0},
};
static const struct field q_member_stats[] = {
	{"under", FT_INT, 0, 1, INT64_MAX, NULL, "this subtree (default: your scope)"},
	{0},
};
static const struct field b_unit_create[] = {
	{"org_id", FT_INT, FF_REQUIRED, 1, INT64_MAX, NULL, "the organization that keeps the record"},
	{"name", FT_STRING, FF_REQUIRED, 1, 200, NULL, "the unit's name"},
	{"credit_code", FT_STRING, FF_NULLABLE, 0, 40, NULL, "unified social credit code (check character verified)"},
	{"contact", FT_STRING, 0, 0, 60, NULL, "contact person and phone"},
	{"representative_id", FT_INT, FF_NULLABLE, 1, INT64_MAX, NULL, "the representative: a person of the register"},
	{0},
};
static const struct field b_unit_update[] = {
	{"name", FT_STRING, 0, 1, 200, NULL, "the unit's name"},
	{"credit_code", FT_STRING, FF_NULLABLE, 0, 40, NULL, "unified social credit code (null clears it)"},
	{"contact", FT_STRING, 0, 0, 60, NULL, "contact person and phone"},
	{"representative_id", FT_INT, FF_NULLABLE, 1, INT64_MAX, NULL, "the representative (null clears it)"},
	{0},
};
static const struct field q_units[] = {
	{"under", FT_INT, 0, 1, INT64_MAX, NULL, "this subtree (default: your scope)"},
	{"after", FT_INT, 0, 1, INT64_MAX, NULL, "keyset paging: next_after of the previous page"},
	{"limit", FT_INT, 0, 1, 200, NULL, "page size (default 50)"},
	{0},
};
static const struct field b_answer[] = {
	{"answer", FT_STRING, 0, 0, 200, NULL, "the answer the member sees (required to reject)"},
	{0},
};
static const struct field q_forms[] = {
	{"under", FT_INT, 0, 1, INT64_MAX, NULL,
	 "forms this organization may use or edit (default: your scope): built-in ones, its chain's and its subtree's"},
	{0},
};
static const struct field q_form_get[] = {
	{"version", FT_INT, 0, 1, 100000, NULL, "that version's schema (default the current one)"},
	{0},
};
static const struct field b_form_create[] = {
	{"org_id", FT_INT, FF_REQUIRED, 1, INT64_MAX, NULL, "the owning organization (it and those below fill it in)"},
	{"code", FT_STRING, FF_REQUIRED, 1, 40, NULL, "code, unique in the org: a-z 0-9 _ -"},
	{"name", FT_STRING, FF_REQUIRED, 1, 100, NULL, "name"},
	{"name_en", FT_STRING, 0, 0, 100, NULL, "English name"},
	{"schema", FT_OBJECT, FF_REQUIRED, 0, 0, NULL, "the field schema {fields: [...]} (docs/forms.md)"},
	{0},
};
static const struct field b_form_update[] = {
	{"name", FT_STRING, 0, 1, 100, NULL, "name"},
	{"name_en", FT_STRING, 0, 0, 100, NULL, "English name"},
	{"schema", FT_OBJECT, 0, 0, 0, NULL, "a new schema: becomes a new version"},
	{0},
};
static const struct field b_form_validate[] = {
	{"values", FT_OBJECT, FF_REQUIRED, 0, 0, NULL, "field key -> value"},
	{"version", FT_INT, 0, 1, 100000, NULL, "against this version (default the current one)"},
	{"draft", FT_BOOL, 0, 0, 0, NULL, "as a draft: required fields and sums not enforced"},
	{0},
};
static const struct field q_submissions[] = {
	{"under", FT_INT, 0, 1, INT64_MAX, NULL, "submissions of the orgs of this subtree (default: your scope)"},
	{"template_id", FT_INT, 0, 1, INT64_MAX, NULL, "of this form"},
	{"status", FT_ENUM, 0, 0, 0, "draft|submitted|returned|resubmitted|accepted", "in this state"},
	{"subject_kind", FT_ENUM, 0, 0, 0, "notice|period|adhoc", "about this kind of subject (with subject_id)"},
	{"subject_id", FT_INT, 0, 0, INT64_MAX, NULL, "about this subject"},
	{"before", FT_INT, 0, 1, INT64_MAX, NULL, "keyset paging: next_before of the previous page"},
	{"limit", FT_INT, 0, 1, 200, NULL, "page size (default 50)"},
	{0},
};
static const struct field b_submission_create[] = {
	{"template_id", FT_INT, FF_REQUIRED, 1, INT64_MAX, NULL, "the form (its current version is kept)"},
	{"org_id", FT_INT, FF_REQUIRED, 1, INT64_MAX, NULL, "the submitting organization"},
	{"subject_kind", FT_ENUM, FF_REQUIRED, 0, 0, "notice|period|adhoc", "what it answers"},
	{"subject_id", FT_INT, FF_REQUIRED, 0, INT64_MAX, NULL, "the notice's id, the period (e.g. 202611), 0"},
	{"receiving_org_id", FT_INT, 0, 1, INT64_MAX, NULL,
	 "who reviews it: this org or one above (default the form's owner; required for a built-in form)"},
	{"deadline", FT_STRING, 0, 10, 23, NULL, "YYYY-MM-DD (the whole day) or YYYY-MM-DDTHH:MM[:SS[.mmm]], Asia/Shanghai"},
	{"values", FT_OBJECT, 0, 0, 0, NULL, "the first draft values"},
	{0},
};
static const struct field b_submission_values[] = {
	{"values", FT_OBJECT, FF_REQUIRED, 0, 0, NULL, "field key -> value (the whole draft)"},
	{0},
};
static const struct field b_submission_submit[] = {
	{"values", FT_OBJECT, 0, 0, 0, NULL, "submit these values (default the draft as saved)"},
	{0},
};
static const struct field b_submission_return[] = {
	{"reason", FT_STRING, FF_REQUIRED, 1, 500, NULL, "what to change (the submitters see it)"},
	{0},
};
static const struct field q_submission_diff[] = {
	{"from", FT_INT, 0, 0, 100000, NULL, "the earlier revision (default the one before to; 0: empty)"},
	{"to", FT_INT, 0, 1, 100000, NULL, "the later revision (default the latest)"},
	{0},
};
/* notifications and the outbound hook (docs/notifications.md) */
static const struct field q_notifications[] = {
	{"unread", FT_BOOL, 0, 0, 0, NULL, "only unread ones"},
	{"after", FT_STRING, 0, 1, 20, NULL, "keyset paging: the next_after of the previous page"},
	{"limit", FT_INT, 0, 1, 200, NULL, "page size (default 50)"},
	{0},
};
static const struct field q_hook_deliveries[] = {
	{"state", FT_CODE, 0, 0, 0, codelist_hook_state.name, "only these (default: all)"},
	{"before", FT_INT, 0, 1, INT64_MAX, NULL, "keyset paging: next_before of the previous page"},
	{"limit", FT_INT, 0, 1, 200, NULL, "page size (default 50)"},
	{0},
};
static const struct field b_hook_test[] = {
	{"delay_s", FT_INT, 0, 0, 86400, NULL, "send it this many seconds from now, through the scheduler (default 0: now)"},
	{0},
};
/* clang-format on */

/* What browsers send for a spreadsheet (Windows names CSV files application/vnd.ms-excel);
 * the reader decides by the bytes, not by the name. */
#define SHEET_TYPES                                                                   \
	"text/csv|application/vnd.openxmlformats-officedocument.spreadsheetml.sheet|" \
	"application/octet-stream|application/vnd.ms-excel"
#define SHEET_UPLOAD_MAX ((size_t)20 << 20)
/* Stored files: the bytes decide what a file is (core/file.h); these are what clients send
 * for the accepted kinds. The limit is file_max_bytes (server_opts.spool_max) under the
 * route's ceiling, the largest file_max_bytes allows. */
#define FILE_UPLOAD_CEILING ((size_t)1 << 30)
#define FILE_TYPES                                                                  \
	"application/octet-stream|application/pdf|image/jpeg|image/png|image/webp|" \
	"application/vnd.openxmlformats-officedocument.wordprocessingml.document|"  \
	"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

static const struct field q_file_upload[] = {
	{"org_id", FT_INT, 0, 0, 0, NULL,
	 "the org whose storage quota pays (default: your first scope allowing file.write)"},
	{0},
};
static const struct field b_org_file[] = {
	{"file_id", FT_INT, FF_REQUIRED, 0, 0, NULL, "a file you uploaded (or may see)"},
	{0},
};

/* one route a row group, laid out to be read as a table */
/* clang-format off */
const struct route api_routes[] = {
	/* system */
	{.method = HM_GET, .pattern = "/healthz", .handler = api_health,
	 .flags = RF_READ | RF_NOLOG, .obj = {AT_PUBLIC},
	 .tag = "system", .summary = "Liveness and database health",
	 .status = 200, .reply = "health", .response = "status, database kind and schema version"},
	{.method = HM_GET, .pattern = "/metrics", .handler = api_metrics,
	 .flags = RF_RAW | RF_NOLOG, .obj = {AT_PUBLIC},
	 .tag = "system", .summary = "Prometheus metrics",
	 .status = 200, .reply = "raw", .response = "Prometheus text exposition format"},
	{.method = HM_GET, .pattern = "/api/v1/about", .handler = api_about,
	 .flags = RF_READ, .obj = {AT_PUBLIC},
	 .tag = "system", .summary = "Version, database kind and uptime",
	 .status = 200, .reply = "about", .response = "version information"},
	{.method = HM_GET, .pattern = "/api/v1/openapi.json", .handler = api_openapi_get,
	 .obj = {AT_PUBLIC},
	 .tag = "system", .summary = "This API described in OpenAPI 3.1",
	 .status = 200, .reply = "document", .response = "the OpenAPI document"},

	{.method = HM_POST, .pattern = "/api/v1/client-errors", .handler = api_client_error,
	 .body = b_client_error, .body_max = 32768, .obj = {AT_PUBLIC},
	 .tag = "system", .summary = "Report an error seen in the web app (logged, not stored)",
	 .status = 202, .reply = "accepted", .response = "accepted"},

	/* reference data */
	{.method = HM_GET, .pattern = "/api/v1/regions", .handler = api_region_list,
	 .flags = RF_READ, .query = q_regions, .obj = {AT_PUBLIC},
	 .tag = "regions", .summary = "List administrative divisions under a parent",
	 .status = 200, .reply = "regions", .response = "items: regions"},
	/* sign in / out: the password check runs on the hashers pool */
	{.method = HM_POST, .pattern = "/api/v1/session", .handler = api_session_create,
	 .flags = RF_CSRF, .body = b_session, .body_max = 4096, .obj = {AT_PUBLIC},
	 .tag = "session", .summary = "Sign in: sets the session cookie, returns the caller and a CSRF token",
	 .status = 201, .reply = "caller", .response = "the caller, its roles and csrf_token"},
	{.method = HM_GET, .pattern = "/api/v1/session", .handler = api_session_get,
	 .flags = RF_AUTH, .obj = {AT_SELF},
	 .tag = "session", .summary = "Who am I: login, roles and scopes",
	 .status = 200, .reply = "caller", .response = "the caller"},
	{.method = HM_DELETE, .pattern = "/api/v1/session", .handler = api_session_delete,
	 .flags = RF_AUTH | RF_CSRF, .obj = {AT_SELF},
	 .tag = "session", .summary = "Sign out: ends the session on the server",
	 .status = 204, .reply = "none", .response = "no content"},

	/* one's own sessions, tokens and password: the handlers select by the caller's id */
	{.method = HM_GET, .pattern = "/api/v1/me/sessions", .handler = api_me_sessions,
	 .flags = RF_AUTH, .obj = {AT_SELF},
	 .tag = "me", .summary = "My live sessions (the current one marked)",
	 .status = 200, .reply = "items:session", .response = "items: sessions"},
	{.method = HM_DELETE, .pattern = "/api/v1/me/sessions/{id:int}", .handler = api_me_session_end,
	 .flags = RF_AUTH | RF_CSRF, .obj = {AT_SELF},
	 .tag = "me", .summary = "End one of my sessions",
	 .status = 204, .reply = "none", .response = "no content"},
	{.method = HM_GET, .pattern = "/api/v1/me/tokens", .handler = api_me_tokens,
	 .flags = RF_AUTH, .obj = {AT_SELF},
	 .tag = "me", .summary = "My API tokens (never the token itself) with last-used times",
	 .status = 200, .reply = "items:token", .response = "items: tokens"},
	{.method = HM_POST, .pattern = "/api/v1/me/tokens", .handler = api_me_token_create,
	 .flags = RF_AUTH | RF_CSRF, .body = b_token, .body_max = 4096, .obj = {AT_SELF},
	 .tag = "me", .summary = "Create an API token for me: shown once, stored hashed",
	 .status = 201, .reply = "new_token", .response = "token, name"},
	{.method = HM_DELETE, .pattern = "/api/v1/me/tokens/{id:int}", .handler = api_me_token_revoke,
	 .flags = RF_AUTH | RF_CSRF, .obj = {AT_SELF},
	 .tag = "me", .summary = "Revoke one of my tokens",
	 .status = 204, .reply = "none", .response = "no content"},
	{.method = HM_POST, .pattern = "/api/v1/me/password", .handler = api_me_password,
	 .flags = RF_AUTH | RF_CSRF, .body = b_own_password, .body_max = 4096, .obj = {AT_SELF},
	 .tag = "me", .summary = "Change my password: every session ends, sign in again",
	 .status = 204, .reply = "none", .response = "no content"},

	/* accounts and roles: the account's roles decide who sees and changes it (user_check) */
	{.method = HM_GET, .pattern = "/api/v1/users", .handler = api_user_search,
	 .flags = RF_AUTH | RF_READ, .perm = "user.read", .query = q_users,
	 .obj = {ORG_AT(RO_QUERY, "under", .flags = OBJF_DEFAULT_SCOPE)},
	 .tag = "users", .summary = "Accounts holding a role in a subtree, keyset-paged by login",
	 .status = 200, .reply = "account_page", .response = "items and next_after"},
	{.method = HM_POST, .pattern = "/api/v1/users", .handler = api_user_create,
	 .flags = RF_AUTH | RF_CSRF, .perm = "user.admin", .body = b_user_create, .body_max = 4096,
	 .obj = {ORG_AT(RO_BODY, "org_id")},
	 .tag = "users", .summary = "Create an account with a first role in your scope (not a post)",
	 .status = 201, .reply = "account", .response = "the account"},
	{.method = HM_GET, .pattern = "/api/v1/users/{id:int}", .handler = api_user_get,
	 .flags = RF_AUTH | RF_READ, .perm = "user.read", .obj = {ACCOUNT_AT(RO_PATH, "id")},
	 .tag = "users", .summary = "One account: status, lock, roles, live sessions",
	 .status = 200, .reply = "account", .response = "the account"},
	{.method = HM_POST, .pattern = "/api/v1/users/{id:int}/roles", .handler = api_user_role_add,
	 .flags = RF_AUTH | RF_CSRF, .perm = "user.admin", .body = b_role, .body_max = 4096,
	 .obj = {ACCOUNT_AT(RO_PATH, "id"), ORG_AT(RO_BODY, "org_id")},
	 .tag = "users", .summary = "Give a role at an org, not a post (the account's sessions end)",
	 .status = 201, .reply = "account", .response = "the account"},
	{.method = HM_DELETE, .pattern = "/api/v1/users/{id:int}/roles/{role:str}/{org_id:int}",
	 .handler = api_user_role_remove,
	 .flags = RF_AUTH | RF_CSRF, .perm = "user.admin",
	 .obj = {ACCOUNT_AT(RO_PATH, "id"), ORG_AT(RO_PATH, "org_id")},
	 .tag = "users", .summary = "Take a role away (not the last one; the account's sessions end)",
	 .status = 200, .reply = "account", .response = "the account"},
	{.method = HM_POST, .pattern = "/api/v1/users/{id:int}/disable", .handler = api_user_disable,
	 .flags = RF_AUTH | RF_CSRF, .perm = "user.admin", .body = b_none, .body_max = 1024,
	 .obj = {ACCOUNT_AT(RO_PATH, "id")},
	 .tag = "users", .summary = "Disable an account: sessions end and tokens are revoked at once",
	 .status = 200, .reply = "account", .response = "the account"},
	{.method = HM_POST, .pattern = "/api/v1/users/{id:int}/enable", .handler = api_user_enable,
	 .flags = RF_AUTH | RF_CSRF, .perm = "user.admin", .body = b_none, .body_max = 1024,
	 .obj = {ACCOUNT_AT(RO_PATH, "id")},
	 .tag = "users", .summary = "Enable a disabled account",
	 .status = 200, .reply = "account", .response = "the account"},
	{.method = HM_POST, .pattern = "/api/v1/users/{id:int}/unlock", .handler = api_user_unlock,
	 .flags = RF_AUTH | RF_CSRF, .perm = "user.admin", .body = b_none, .body_max = 1024,
	 .obj = {ACCOUNT_AT(RO_PATH, "id")},
	 .tag = "users", .summary = "Clear a lock after wrong passwords",
	 .status = 200, .reply = "account", .response = "the account"},
	{.method = HM_DELETE, .pattern = "/api/v1/users/{id:int}/sessions", .handler = api_user_sessions_end,
	 .flags = RF_AUTH | RF_CSRF, .perm = "user.admin", .obj = {ACCOUNT_AT(RO_PATH, "id")},
	 .tag = "users", .summary = "End every session of an account now",
	 .status = 200, .reply = "sessions_ended", .response = "sessions_ended"},
	{.method = HM_POST, .pattern = "/api/v1/users/{id:int}/password", .handler = api_user_password,
	 .flags = RF_AUTH | RF_CSRF, .perm = "user.admin", .body = b_password, .body_max = 4096,
	 .obj = {ACCOUNT_AT(RO_PATH, "id")},
	 .tag = "users", .summary = "Set a new password (policy checked; the account's sessions end)",
	 .status = 204, .reply = "none", .response = "no content"},

	/* the three posts: one security administrator requests, a different one decides */
	{.method = HM_GET, .pattern = "/api/v1/post-requests", .handler = api_post_request_list,
	 .flags = RF_AUTH | RF_READ, .perm = "user.post", .query = q_post_requests, .obj = {AT_SYSTEM},
	 .tag = "users", .summary = "Requests for the administrator posts, newest first",
	 .status = 200, .reply = "before_page:post_request", .response = "items and next_before"},
	{.method = HM_POST, .pattern = "/api/v1/post-requests", .handler = api_post_request_create,
	 .flags = RF_AUTH | RF_CSRF, .perm = "user.post", .body = b_post_request, .body_max = 4096,
	 .obj = {AT_SYSTEM, ACCOUNT_AT(RO_BODY, "user_id", .perm = "user.read"),
		 ORG_AT(RO_BODY, "org_id", .flags = OBJF_OPTIONAL)},
	 .tag = "users", .summary = "Request an administrator post for an account (a second security admin decides)",
	 .status = 201, .reply = "post_request", .response = "the request"},
	{.method = HM_POST, .pattern = "/api/v1/post-requests/{id:int}/approve", .handler = api_post_request_approve,
	 .flags = RF_AUTH | RF_CSRF, .perm = "user.post", .body = b_none, .body_max = 1024, .obj = {AT_SYSTEM},
	 .tag = "users", .summary = "Approve a request: the post replaces the account's roles (not your own request)",
	 .status = 200, .reply = "post_request", .response = "the request"},
	{.method = HM_POST, .pattern = "/api/v1/post-requests/{id:int}/reject", .handler = api_post_request_reject,
	 .flags = RF_AUTH | RF_CSRF, .perm = "user.post", .body = b_post_reject, .body_max = 4096, .obj = {AT_SYSTEM},
	 .tag = "users", .summary = "Reject a request (not your own)",
	 .status = 200, .reply = "post_request", .response = "the request"},

	/* organization tree */
	{.method = HM_GET, .pattern = "/api/v1/orgs", .handler = api_org_search,
	 .flags = RF_AUTH | RF_READ, .perm = "org.read", .query = q_org_search,
	 .obj = {ORG_AT(RO_QUERY, "under", .flags = OBJF_DEFAULT_SCOPE)},
	 .tag = "orgs", .summary = "Search organizations in a subtree (code prefix or name), keyset-paged by code",
	 .status = 200, .reply = "page:org", .response = "items and next_after"},
	{.method = HM_GET, .pattern = "/api/v1/orgs/{id:int}", .handler = api_org_get,
	 .flags = RF_AUTH | RF_READ, .perm = "org.read", .query = q_as_of, .obj = {ORG_AT(RO_PATH, "id")},
	 .tag = "orgs", .summary = "One organization as of a date",
	 .status = 200, .reply = "org", .response = "the organization; ETag is its version"},
	{.method = HM_GET, .pattern = "/api/v1/orgs/{id:int}/children", .handler = api_org_children,
	 .flags = RF_AUTH | RF_READ, .perm = "org.read", .query = q_children, .obj = {ORG_AT(RO_PATH, "id")},
	 .tag = "orgs", .summary = "Children of an organization, keyset-paged by code",
	 .status = 200, .reply = "page:org", .response = "items and next_after"},
	{.method = HM_GET, .pattern = "/api/v1/orgs/{id:int}/counts", .handler = api_org_counts,
	 .flags = RF_AUTH | RF_READ, .perm = "org.read", .query = q_as_of, .obj = {ORG_AT(RO_PATH, "id")},
	 .tag = "orgs", .summary = "Open organizations in the subtree by level",
	 .status = 200, .reply = "counts", .response = "by_level"},
	{.method = HM_POST, .pattern = "/api/v1/orgs", .handler = api_org_create,
	 .flags = RF_AUTH | RF_CSRF, .perm = "org.write", .body = b_org_create, .body_max = 16384,
	 .obj = {ORG_AT(RO_BODY, "parent_id", .flags = OBJF_ROOT_SYSTEM)},
	 .tag = "orgs", .summary = "Create an organization under a parent in your scope (a root: system admin)",
	 .status = 201, .reply = "org", .response = "the new organization"},
	{.method = HM_PATCH, .pattern = "/api/v1/orgs/{id:int}", .handler = api_org_update,
	 .flags = RF_AUTH | RF_CSRF, .perm = "org.write", .body = b_org_update, .body_max = 16384,
	 .obj = {ORG_AT(RO_PATH, "id")},
	 .tag = "orgs", .summary = "Change names, type, codes or contact (If-Match required: 428/412)",
	 .status = 200, .reply = "org", .response = "the organization"},
	{.method = HM_GET, .pattern = "/api/v1/orgs/{id:int}/history", .handler = api_org_history,
	 .flags = RF_AUTH | RF_READ, .perm = "org.read", .obj = {ORG_AT(RO_PATH, "id")},
	 .tag = "orgs", .summary = "Where the organization sat in the tree over time",
	 .status = 200, .reply = "history", .response = "parents: periods"},
	{.method = HM_GET, .pattern = "/api/v1/orgs/{id:int}/links", .handler = api_org_links,
	 .flags = RF_AUTH | RF_READ, .perm = "org.read", .obj = {ORG_AT(RO_PATH, "id")},
	 .tag = "orgs", .summary = "Organizations that guide this one (guided-by links)",
	 .status = 200, .reply = "links", .response = "guided_by: periods"},
	{.method = HM_POST, .pattern = "/api/v1/orgs/{id:int}/links", .handler = api_org_link_add,
	 .flags = RF_AUTH | RF_CSRF, .perm = "org.write", .body = b_org_link, .body_max = 4096,
	 .obj = {ORG_AT(RO_PATH, "id"), ORG_AT(RO_BODY, "guide_id", .perm = "org.read")},
	 .tag = "orgs", .summary = "Add a guided-by link from a date (a guide you see, of a kind that guides)",
	 .status = 201, .reply = "links", .response = "guided_by: periods"},
	{.method = HM_POST, .pattern = "/api/v1/orgs/{id:int}/move", .handler = api_org_move,
	 .flags = RF_AUTH | RF_CSRF, .perm = "org.write", .body = b_org_move, .body_max = 4096,
	 .obj = {ORG_AT(RO_PATH, "id"), ORG_AT(RO_BODY, "parent_id")},
	 .tag = "orgs", .summary = "Move an organization from a date (If-Match: version optional)",
	 .status = 200, .reply = "org", .response = "the organization as of the move"},
	{.method = HM_POST, .pattern = "/api/v1/orgs/{id:int}/close", .handler = api_org_close,
	 .flags = RF_AUTH | RF_CSRF, .perm = "org.write", .body = b_org_close, .body_max = 4096,
	 .obj = {ORG_AT(RO_PATH, "id")},
	 .tag = "orgs", .summary = "Close an organization, or its whole branch",
	 .status = 200, .reply = "closed", .response = "closed: count"},
	/* background jobs (issue 11): the owner's only (404 for anyone else) */
	{.method = HM_GET, .pattern = "/api/v1/jobs/{id:int}", .handler = api_job_get,
	 .flags = RF_AUTH, .obj = {AT_SELF},
	 .tag = "jobs", .summary = "One of my background jobs: state, progress, rate, the first 100 errors, the result",
	 .status = 200, .reply = "job", .response = "the job"},
	{.method = HM_POST, .pattern = "/api/v1/jobs/{id:int}/cancel", .handler = api_job_cancel,
	 .flags = RF_AUTH | RF_CSRF, .body = b_none, .body_max = 1024, .obj = {AT_SELF},
	 .tag = "jobs", .summary = "Cancel a job of mine: no later batch commits; the result says what was kept",
	 .status = 200, .reply = "job", .response = "the job"},
	{.method = HM_GET, .pattern = "/api/v1/jobs/{id:int}/errors", .handler = api_job_errors,
	 .flags = RF_AUTH | RF_RAW, .query = q_job_errors, .obj = {AT_SELF},
	 .tag = "jobs", .summary = "Every kept error of a job of mine as a spreadsheet (行号,列,错误代码,说明), or the refused rows plus 错误",
	 .status = 200, .reply = "raw", .response = "CSV or XLSX"},
	/* the tree in and out as spreadsheets: the body of an import is the file itself */
	{.method = HM_POST, .pattern = "/api/v1/orgs/import/preview", .handler = api_org_import_preview,
	 .flags = RF_AUTH | RF_CSRF | RF_UPLOAD, .perm = "org.write", .body_max = SHEET_UPLOAD_MAX,
	 .upload_types = SHEET_TYPES,
	 .why = "reads the file only: nothing of the tree is read or written",
	 .tag = "orgs", .summary = "Read an org spreadsheet: format, encoding, how its columns map, the first 10 rows",
	 .status = 200, .reply = "import_preview", .response = "format, encoding, row_count, columns, sample"},
	{.method = HM_POST, .pattern = "/api/v1/orgs/import", .handler = api_org_import,
	 .flags = RF_AUTH | RF_CSRF | RF_UPLOAD, .perm = "org.write", .query = q_import,
	 .body_max = SHEET_UPLOAD_MAX, .upload_types = SHEET_TYPES,
	 .why = "the file's rows name the orgs: the job checks each against the caller's org.write scope (out_of_scope)",
	 .tag = "orgs", .summary = "Import an org spreadsheet as a background job (rows outside your scope refused)",
	 .status = 202, .reply = "job_accepted", .response = "the job"},
	{.method = HM_GET, .pattern = "/api/v1/orgs/{id:int}/export", .handler = api_org_export,
	 .flags = RF_AUTH | RF_READ | RF_RAW, .perm = "org.read", .query = q_export, .obj = {ORG_AT(RO_PATH, "id")},
	 .tag = "orgs", .summary = "The subtree as a spreadsheet in the import's columns (it re-imports unchanged)",
	 .status = 200, .reply = "raw", .response = "CSV or XLSX attachment"},
	/* audit trail: the audit administrator (a post: every record) */
	{.method = HM_GET, .pattern = "/api/v1/audit", .handler = api_audit_list,
	 .flags = RF_AUTH | RF_READ, .perm = "audit.read", .query = q_audit,
	 .obj = {AT_SYSTEM, ORG_AT(RO_QUERY, "org_id", .flags = OBJF_OPTIONAL)},
	 .tag = "audit", .summary = "Audit records, newest first, filtered; CSV export",
	 .status = 200, .reply = "before_page:audit", .response = "items and next_before, or CSV"},
	/* srv11 (issue 11): code lists, an org's life, the workbench */
	{.method = HM_GET, .pattern = "/api/v1/codes", .handler = api_codes,
	 .flags = RF_AUTH | RF_READ, .obj = {AT_SELF},
	 .tag = "system", .summary = "Code lists (levels, types, roles, actions, error codes ...) with Chinese and English labels",
	 .status = 200, .reply = "codes", .response = "lists: list name -> [{code, zh, en}] in display order"},
	{.method = HM_POST, .pattern = "/api/v1/orgs/{id:int}/reopen", .handler = api_org_reopen,
	 .flags = RF_AUTH | RF_CSRF, .perm = "org.write", .body = b_org_reopen, .body_max = 4096,
	 .obj = {ORG_AT(RO_PATH, "id")},
	 .tag = "orgs", .summary = "Reopen a closed organization from a date (If-Match required: 428/412)",
	 .status = 200, .reply = "org", .response = "the organization as of the reopening"},
	{.method = HM_GET, .pattern = "/api/v1/orgs/{id:int}/stats", .handler = api_org_stats,
	 .flags = RF_AUTH | RF_READ, .perm = "org.read", .query = q_org_stats, .obj = {ORG_AT(RO_PATH, "id")},
	 .tag = "orgs", .summary = "Organizations of the subtree opened, closed and reopened in a year",
	 .status = 200, .reply = "year_stats", .response = "year, opened, closed, reopened"},
	{.method = HM_GET, .pattern = "/api/v1/orgs/{id:int}/changes", .handler = api_org_changes,
	 .flags = RF_AUTH | RF_READ, .perm = "org.read", .query = q_org_changes, .obj = {ORG_AT(RO_PATH, "id")},
	 .tag = "orgs", .summary = "Latest audit records about organizations of the subtree, with names and a readable line",
	 .status = 200, .reply = "items:org_change", .response = "items: at, action, org_id, org_name, actor, changes, text"},
	{.method = HM_GET, .pattern = "/api/v1/todo", .handler = api_todo,
	 .flags = RF_AUTH | RF_READ, .obj = {AT_SELF},
	 .tag = "workbench", .summary = "What waits for me: items from every module's to-do source",
	 .status = 200, .reply = "items:todo_item", .response = "items: kind, count, title, link"},

	/* the member register */
	{.method = HM_GET, .pattern = "/api/v1/members", .handler = api_member_list,
	 .flags = RF_AUTH | RF_READ, .perm = "member.read", .query = q_member_list,
	 .obj = {ORG_AT(RO_QUERY, "under", .flags = OBJF_DEFAULT_SCOPE)},
	 .tag = "members", .summary = "People of a subtree: filters, name/pinyin/ID/mobile search, keyset pages",
	 .status = 200, .reply = "page:person", .response = "items (ID number and mobile masked) and next_after"},
	{.method = HM_POST, .pattern = "/api/v1/members", .handler = api_member_create,
	 .flags = RF_AUTH | RF_CSRF, .perm = "member.write", .body = b_member_create, .body_max = 16384,
	 .obj = {ORG_AT(RO_BODY, "org_id")},
	 .tag = "members", .summary = "Register a person (name and an ID number or mobile; duplicates refused)",
	 .status = 201, .reply = "person", .response = "the person, masked; ETag is its version"},
	{.method = HM_POST, .pattern = "/api/v1/members/import/preview", .handler = api_member_import_preview,
	 .flags = RF_AUTH | RF_CSRF | RF_UPLOAD, .perm = "member.write", .query = q_member_preview,
	 .body_max = SHEET_UPLOAD_MAX, .upload_types = SHEET_TYPES,
	 .why = "reads the file only: nothing of the register is read or written",
	 .tag = "members", .summary = "Read a member spreadsheet: format, encoding, how its columns map, the first 10 rows",
	 .status = 200, .reply = "import_preview", .response = "format, encoding, row_count, columns, sample"},
	{.method = HM_POST, .pattern = "/api/v1/members/import", .handler = api_member_import,
	 .flags = RF_AUTH | RF_CSRF | RF_UPLOAD, .perm = "member.write", .query = q_member_import,
	 .body_max = SHEET_UPLOAD_MAX, .upload_types = SHEET_TYPES, .obj = {ORG_AT(RO_QUERY, "org_id")},
	 .tag = "members", .summary = "Import a member spreadsheet as a background job (people kept by org_id)",
	 .status = 202, .reply = "job_accepted", .response = "the job"},
	{.method = HM_GET, .pattern = "/api/v1/members/export", .handler = api_member_export,
	 .flags = RF_AUTH | RF_READ | RF_RAW, .perm = "member.read", .query = q_member_export,
	 .obj = {ORG_AT(RO_QUERY, "under", .flags = OBJF_DEFAULT_SCOPE)},
	 .tag = "members", .summary = "The register of a subtree as a spreadsheet, ID numbers and mobiles masked (audited)",
	 .status = 200, .reply = "raw", .response = "CSV or XLSX attachment"},
	{.method = HM_POST, .pattern = "/api/v1/members/export", .handler = api_member_export_post,
	 .flags = RF_AUTH | RF_CSRF | RF_RAW, .perm = "member.reveal", .body = b_member_export, .body_max = 4096,
	 .obj = {ORG_AT(RO_BODY, "under")},
	 .tag = "members", .summary = "The register of a subtree with ID numbers and mobiles in full, with a reason (audited)",
	 .status = 200, .reply = "raw", .response = "CSV or XLSX attachment"},
	{.method = HM_GET, .pattern = "/api/v1/member-units", .handler = api_member_unit_list,
	 .flags = RF_AUTH | RF_READ, .perm = "member.read", .query = q_units,
	 .obj = {ORG_AT(RO_QUERY, "under", .flags = OBJF_DEFAULT_SCOPE)},
	 .tag = "members", .summary = "Group members (member units) kept in a subtree",
	 .status = 200, .reply = "page:member_unit", .response = "items and next_after"},
	{.method = HM_POST, .pattern = "/api/v1/member-units", .handler = api_member_unit_create,
	 .flags = RF_AUTH | RF_CSRF, .perm = "member.write", .body = b_unit_create, .body_max = 4096,
	 .obj = {ORG_AT(RO_BODY, "org_id"), PERSON_AT(RO_BODY, "representative_id", .perm = "member.read", .flags = OBJF_OPTIONAL)},
	 .tag = "members", .summary = "Register a member unit (credit code checked and unique)",
	 .status = 201, .reply = "member_unit", .response = "the unit; ETag is its version"},
	{.method = HM_GET, .pattern = "/api/v1/member-units/{id:int}", .handler = api_member_unit_get,
	 .flags = RF_AUTH | RF_READ, .perm = "member.read", .obj = {UNIT_AT(RO_PATH, "id")},
	 .tag = "members", .summary = "One member unit",
	 .status = 200, .reply = "member_unit", .response = "the unit; ETag is its version"},
	{.method = HM_PATCH, .pattern = "/api/v1/member-units/{id:int}", .handler = api_member_unit_update,
	 .flags = RF_AUTH | RF_CSRF, .perm = "member.write", .body = b_unit_update, .body_max = 4096,
	 .obj = {UNIT_AT(RO_PATH, "id"), PERSON_AT(RO_BODY, "representative_id", .perm = "member.read", .flags = OBJF_OPTIONAL)},
	 .tag = "members", .summary = "Change a member unit (If-Match required: 428/412)",
	 .status = 200, .reply = "member_unit", .response = "the unit"},
	{.method = HM_GET, .pattern = "/api/v1/members/tags", .handler = api_member_tags,
	 .flags = RF_AUTH | RF_READ, .perm = "member.read", .obj = {AT_SELF},
	 .tag = "members", .summary = "The managed list of tags (senior expert, academician ...) with their words",
	 .status = 200, .reply = "items:code_item", .response = "items: code, zh, en in display order"},
	{.method = HM_GET, .pattern = "/api/v1/members/stats", .handler = api_member_stats,
	 .flags = RF_AUTH | RF_READ, .perm = "member.read", .query = q_member_stats,
	 .obj = {ORG_AT(RO_QUERY, "under", .flags = OBJF_DEFAULT_SCOPE)},
	 .tag = "members", .summary = "The register's figures for a subtree: make-up, growth by month, coverage, dues",
	 .status = 200, .reply = "member_stats", .response = "counts by gender, age, title, education, political status, category; months; coverage"},
	{.method = HM_GET, .pattern = "/api/v1/members/{id:int}", .handler = api_member_get,
	 .flags = RF_AUTH | RF_READ, .perm = "member.read", .obj = {PERSON_AT(RO_PATH, "id")},
	 .tag = "members", .summary = "One person, masked",
	 .status = 200, .reply = "person", .response = "the person; ETag is its version"},
	{.method = HM_PATCH, .pattern = "/api/v1/members/{id:int}", .handler = api_member_update,
	 .flags = RF_AUTH | RF_CSRF, .perm = "member.write", .body = b_member_update, .body_max = 16384,
	 .obj = {PERSON_AT(RO_PATH, "id")},
	 .tag = "members", .summary = "Change a person's fields (If-Match required: 428/412)",
	 .status = 200, .reply = "person", .response = "the person, masked"},
	{.method = HM_POST, .pattern = "/api/v1/members/{id:int}/reveal", .handler = api_member_reveal,
	 .flags = RF_AUTH | RF_CSRF, .perm = "member.reveal", .body = b_member_reveal, .body_max = 4096,
	 .obj = {PERSON_AT(RO_PATH, "id")},
	 .tag = "members", .summary = "The full ID number or mobile, with a reason (audited, rate-limited)",
	 .status = 200, .reply = "revealed", .response = "field and value"},
	{.method = HM_GET, .pattern = "/api/v1/members/{id:int}/memberships", .handler = api_member_memberships,
	 .flags = RF_AUTH | RF_READ, .perm = "member.read", .obj = {PERSON_AT(RO_PATH, "id")},
	 .tag = "members", .summary = "A person's memberships in the organizations you see",
	 .status = 200, .reply = "items:membership", .response = "items"},
	{.method = HM_GET, .pattern = "/api/v1/memberships", .handler = api_membership_list,
	 .flags = RF_AUTH | RF_READ, .perm = "member.read", .query = q_membership_list,
	 .obj = {ORG_AT(RO_QUERY, "under", .flags = OBJF_DEFAULT_SCOPE)},
	 .tag = "members", .summary = "Memberships of a subtree: by status, expiring soon, lapsed",
	 .status = 200, .reply = "page:membership", .response = "items and next_after"},
	{.method = HM_POST, .pattern = "/api/v1/memberships", .handler = api_membership_create,
	 .flags = RF_AUTH | RF_CSRF, .perm = "member.write", .body = b_membership_create, .body_max = 4096,
	 .obj = {ORG_AT(RO_BODY, "org_id"), PERSON_AT(RO_BODY, "person_id", .perm = "member.read", .flags = OBJF_OPTIONAL),
		 UNIT_AT(RO_BODY, "unit_id", .perm = "member.read", .flags = OBJF_OPTIONAL)},
	 .tag = "members", .summary = "A person (or unit) joins an organization; the number is allocated by its pattern",
	 .status = 201, .reply = "membership", .response = "the membership"},
	{.method = HM_GET, .pattern = "/api/v1/memberships/{id:int}", .handler = api_membership_get,
	 .flags = RF_AUTH | RF_READ, .perm = "member.read", .obj = {MEMBERSHIP_AT(RO_PATH, "id")},
	 .tag = "members", .summary = "One membership",
	 .status = 200, .reply = "membership", .response = "the membership; ETag is its version"},
	{.method = HM_POST, .pattern = "/api/v1/memberships/{id:int}/end", .handler = api_membership_end,
	 .flags = RF_AUTH | RF_CSRF, .perm = "member.write", .body = b_membership_end, .body_max = 4096,
	 .obj = {MEMBERSHIP_AT(RO_PATH, "id")},
	 .tag = "members", .summary = "A member leaves or is expelled, with a reason (If-Match optional)",
	 .status = 200, .reply = "membership", .response = "the membership"},
	{.method = HM_GET, .pattern = "/api/v1/memberships/{id:int}/payments", .handler = api_membership_payments,
	 .flags = RF_AUTH | RF_READ, .perm = "member.read", .obj = {MEMBERSHIP_AT(RO_PATH, "id")},
	 .tag = "members", .summary = "Dues recorded for a membership, newest first",
	 .status = 200, .reply = "items:payment", .response = "items"},
	{.method = HM_POST, .pattern = "/api/v1/memberships/{id:int}/payments", .handler = api_membership_pay,
	 .flags = RF_AUTH | RF_CSRF, .perm = "member.write", .body = b_membership_pay, .body_max = 4096,
	 .obj = {MEMBERSHIP_AT(RO_PATH, "id")},
	 .tag = "members", .summary = "Record a dues payment: extends the paid term (a lapsed member is active again)",
	 .status = 201, .reply = "membership", .response = "the membership with its new valid_until"},
	{.method = HM_GET, .pattern = "/api/v1/orgs/{id:int}/member-config", .handler = api_member_config_get,
	 .flags = RF_AUTH | RF_READ, .perm = "member.read", .obj = {ORG_AT(RO_PATH, "id")},
	 .tag = "members", .summary = "The organization's member-number pattern, terms and fees",
	 .status = 200, .reply = "member_config", .response = "pattern and terms; ETag is its version"},
	{.method = HM_PUT, .pattern = "/api/v1/orgs/{id:int}/member-config", .handler = api_member_config_set,
	 .flags = RF_AUTH | RF_CSRF, .perm = "member.write", .body = b_member_config, .body_max = 8192,
	 .obj = {ORG_AT(RO_PATH, "id")},
	 .tag = "members", .summary = "Set the member-number pattern and the terms (If-Match optional)",
	 .status = 200, .reply = "member_config", .response = "pattern and terms"},

	/* joining from outside, the member's own record, erasure (api/registration.c) */
	{.method = HM_GET, .pattern = "/api/v1/public/consent", .handler = api_public_consent,
	 .flags = RF_READ, .obj = {AT_PUBLIC},
	 .tag = "registration", .summary = "The current consent text of the registration page",
	 .status = 200, .reply = "consent", .response = "version and text"},
	{.method = HM_GET, .pattern = "/api/v1/public/orgs", .handler = api_public_orgs,
	 .flags = RF_READ, .query = q_public_orgs, .obj = {AT_PUBLIC},
	 .tag = "registration", .summary = "Open organizations to join, by name or code (at most 20)",
	 .status = 200, .reply = "items:public_org", .response = "items: id, code, name, type"},
	{.method = HM_POST, .pattern = "/api/v1/public/member-applications", .handler = api_public_apply,
	 .flags = RF_CSRF, .body = b_apply, .body_max = 16384, .obj = {AT_PUBLIC},
	 .tag = "registration", .summary = "Apply for membership (rate-limited per address); keep the token",
	 .status = 201, .reply = "application_receipt", .response = "id, status and the token that shows the outcome"},
	{.method = HM_POST, .pattern = "/api/v1/public/member-applications/status", .handler = api_public_application_status,
	 .flags = RF_CSRF, .body = b_application_status, .body_max = 1024, .obj = {AT_PUBLIC},
	 .tag = "registration", .summary = "An application's outcome, by its token",
	 .status = 200, .reply = "application", .response = "status, reason, member number"},
	{.method = HM_GET, .pattern = "/api/v1/member-applications", .handler = api_application_list,
	 .flags = RF_AUTH | RF_READ, .perm = "member.read", .query = q_applications,
	 .obj = {ORG_AT(RO_QUERY, "under", .flags = OBJF_DEFAULT_SCOPE)},
	 .tag = "registration", .summary = "Applications to the organizations of a subtree, newest first",
	 .status = 200, .reply = "before_page:application", .response = "items and next_before"},
	{.method = HM_GET, .pattern = "/api/v1/member-applications/{id:int}", .handler = api_application_get,
	 .flags = RF_AUTH | RF_READ, .perm = "member.read", .obj = {APPLICATION_AT(RO_PATH, "id")},
	 .tag = "registration", .summary = "One application (ID number and mobile masked)",
	 .status = 200, .reply = "application", .response = "the application"},
	{.method = HM_POST, .pattern = "/api/v1/member-applications/{id:int}/approve", .handler = api_application_approve,
	 .flags = RF_AUTH | RF_CSRF, .perm = "member.write", .body = b_none, .body_max = 1024,
	 .obj = {APPLICATION_AT(RO_PATH, "id")},
	 .tag = "registration", .summary = "Approve: the person (found or created), the membership with its number, the member account",
	 .status = 200, .reply = "application", .response = "the application, approved"},
	{.method = HM_POST, .pattern = "/api/v1/member-applications/{id:int}/reject", .handler = api_application_reject,
	 .flags = RF_AUTH | RF_CSRF, .perm = "member.write", .body = b_reason, .body_max = 4096,
	 .obj = {APPLICATION_AT(RO_PATH, "id")},
	 .tag = "registration", .summary = "Reject with a reason the applicant sees",
	 .status = 200, .reply = "application", .response = "the application, rejected"},
	{.method = HM_GET, .pattern = "/api/v1/me/member", .handler = api_me_member,
	 .flags = RF_AUTH, .obj = {AT_SELF},
	 .tag = "me", .summary = "My record in the register: fields, memberships, terms and dues (masked)",
	 .status = 200, .reply = "me_member", .response = "person and memberships; ETag is the version"},
	{.method = HM_PATCH, .pattern = "/api/v1/me/member", .handler = api_me_member_update,
	 .flags = RF_AUTH | RF_CSRF, .body = b_me_member, .body_max = 4096, .obj = {AT_SELF},
	 .tag = "me", .summary = "Change the fields a member keeps (contact, work unit); If-Match required",
	 .status = 200, .reply = "me_member", .response = "my record"},
	{.method = HM_GET, .pattern = "/api/v1/me/member/export", .handler = api_me_member_export,
	 .flags = RF_AUTH, .obj = {AT_SELF},
	 .tag = "me", .summary = "Download everything kept about me, unmasked (audited)",
	 .status = 200, .reply = "me_member", .response = "my record in full, as a JSON attachment"},
	{.method = HM_POST, .pattern = "/api/v1/me/member/erasure", .handler = api_me_member_erasure,
	 .flags = RF_AUTH | RF_CSRF, .body = b_erasure_request, .body_max = 4096, .obj = {AT_SELF},
	 .tag = "me", .summary = "Ask to be erased from the register (the staff decide)",
	 .status = 201, .reply = "erasure_receipt", .response = "id and status"},
	{.method = HM_GET, .pattern = "/api/v1/member-erasures", .handler = api_erasure_list,
	 .flags = RF_AUTH | RF_READ, .perm = "member.read", .query = q_erasures,
	 .obj = {ORG_AT(RO_QUERY, "under", .flags = OBJF_DEFAULT_SCOPE)},
	 .tag = "members", .summary = "Members' erasure requests in a subtree",
	 .status = 200, .reply = "items:erasure", .response = "items"},
	{.method = HM_POST, .pattern = "/api/v1/member-erasures/{id:int}/approve", .handler = api_erasure_approve,
	 .flags = RF_AUTH | RF_CSRF, .perm = "member.erase", .body = b_answer, .body_max = 4096,
	 .obj = {ERASURE_AT(RO_PATH, "id")},
	 .tag = "members", .summary = "Erase: the person is anonymised (counts stay right), the account disabled",
	 .status = 200, .reply = "erasure", .response = "the request, approved"},
	{.method = HM_POST, .pattern = "/api/v1/member-erasures/{id:int}/reject", .handler = api_erasure_reject,
	 .flags = RF_AUTH | RF_CSRF, .perm = "member.erase", .body = b_answer, .body_max = 4096,
	 .obj = {ERASURE_AT(RO_PATH, "id")},
	 .tag = "members", .summary = "Refuse an erasure request with an answer",
	 .status = 200, .reply = "erasure", .response = "the request, rejected"},

	/* stored files (docs/files.md) */
	{.method = HM_POST, .pattern = "/api/v1/files", .handler = api_file_upload,
	 .flags = RF_AUTH | RF_CSRF | RF_UPLOAD | RF_SPOOL, .perm = "file.write", .query = q_file_upload,
	 .body_max = FILE_UPLOAD_CEILING, .upload_types = FILE_TYPES,
	 .obj = {ORG_AT(RO_QUERY, "org_id", .flags = OBJF_DEFAULT_SCOPE)},
	 .tag = "files", .summary = "Upload a file as the body (X-File-Name: its name): PDF, DOCX, XLSX, JPEG, PNG, WebP decided by the bytes",
	 .status = 201, .reply = "stored_file", .response = "the file: id, name, type, size, hash, thumbnail"},
	{.method = HM_GET, .pattern = "/api/v1/files/{id:int}", .handler = api_file_download,
	 .flags = RF_AUTH | RF_READ | RF_RAW, .perm = "file.read", .obj = {FILE_AT(RO_PATH, "id")},
	 .tag = "files", .summary = "Download a file (attachment, nosniff, the detected type; ETag = its SHA-256)",
	 .status = 200, .reply = "raw", .response = "the file's bytes"},
	{.method = HM_GET, .pattern = "/api/v1/files/{id:int}/thumbnail", .handler = api_file_thumbnail,
	 .flags = RF_AUTH | RF_READ | RF_RAW, .perm = "file.read", .obj = {FILE_AT(RO_PATH, "id")},
	 .tag = "files", .summary = "An image's thumbnail (JPEG or PNG, at most 256 pixels a side)",
	 .status = 200, .reply = "raw", .response = "the thumbnail's bytes"},
	{.method = HM_DELETE, .pattern = "/api/v1/files/{id:int}", .handler = api_file_discard,
	 .flags = RF_AUTH | RF_CSRF, .perm = "file.write", .obj = {FILE_AT(RO_PATH, "id")},
	 .tag = "files", .summary = "Throw away an upload of mine attached to nothing (409 attached)",
	 .status = 204, .reply = "none", .response = "gone"},
	{.method = HM_GET, .pattern = "/api/v1/orgs/{id:int}/files", .handler = api_org_files,
	 .flags = RF_AUTH | RF_READ, .perm = "file.read", .obj = {ORG_AT(RO_PATH, "id")},
	 .tag = "files", .summary = "Files attached to an organization (its documents)",
	 .status = 200, .reply = "items:stored_file", .response = "items"},
	{.method = HM_POST, .pattern = "/api/v1/orgs/{id:int}/files", .handler = api_org_file_attach,
	 .flags = RF_AUTH | RF_CSRF, .perm = "file.write", .body = b_org_file, .body_max = 1024,
	 .obj = {ORG_AT(RO_PATH, "id"), FILE_AT(RO_BODY, "file_id", .perm = "file.read")},
	 .tag = "files", .summary = "Attach a file to an organization (again: no change)",
	 .status = 200, .reply = "stored_file", .response = "the file"},
	{.method = HM_DELETE, .pattern = "/api/v1/orgs/{id:int}/files/{file_id:int}", .handler = api_org_file_detach,
	 .flags = RF_AUTH | RF_CSRF, .perm = "file.write", .obj = {ORG_AT(RO_PATH, "id")},
	 .tag = "files", .summary = "Remove a file from an organization (the sweep removes it once nothing uses it)",
	 .status = 204, .reply = "none", .response = "removed"},
	/* forms and submissions (api/forms.c, core/form.h) */
	{.method = HM_GET, .pattern = "/api/v1/forms", .handler = api_form_list,
	 .flags = RF_AUTH | RF_READ, .perm = "form.read", .query = q_forms,
	 .obj = {ORG_AT(RO_QUERY, "under", .flags = OBJF_DEFAULT_SCOPE)},
	 .tag = "forms", .summary = "Forms an organization may use or edit: built-in, its chain's and its subtree's",
	 .status = 200, .reply = "items:form", .response = "items (without schemas)"},
	{.method = HM_POST, .pattern = "/api/v1/forms", .handler = api_form_create,
	 .flags = RF_AUTH | RF_CSRF, .perm = "form.design", .body = b_form_create, .body_max = 262144,
	 .obj = {ORG_AT(RO_BODY, "org_id")},
	 .tag = "forms", .summary = "Create a form: its schema checked (errors name the path, fields[3].rule.sum[1])",
	 .status = 201, .reply = "form", .response = "the form with version 1; ETag is its version"},
	{.method = HM_GET, .pattern = "/api/v1/forms/{id:int}", .handler = api_form_get,
	 .flags = RF_AUTH | RF_READ, .perm = "form.read", .query = q_form_get,
	 .obj = {FORM_AT(RO_PATH, "id", .flags = OBJF_FROM_BELOW)},
	 .tag = "forms", .summary = "One form with the schema of its current (or a given) version",
	 .status = 200, .reply = "form", .response = "the form and schema; ETag is its version"},
	{.method = HM_PATCH, .pattern = "/api/v1/forms/{id:int}", .handler = api_form_update,
	 .flags = RF_AUTH | RF_CSRF, .perm = "form.design", .body = b_form_update, .body_max = 262144,
	 .obj = {FORM_AT(RO_PATH, "id")},
	 .tag = "forms", .summary = "Rename a form or give it a new schema, which becomes a new version (If-Match: 428/412)",
	 .status = 200, .reply = "form", .response = "the form"},
	{.method = HM_GET, .pattern = "/api/v1/forms/{id:int}/versions", .handler = api_form_versions,
	 .flags = RF_AUTH | RF_READ, .perm = "form.read", .obj = {FORM_AT(RO_PATH, "id", .flags = OBJF_FROM_BELOW)},
	 .tag = "forms", .summary = "A form's versions, newest first, with how many submissions use each",
	 .status = 200, .reply = "items:form_version", .response = "items"},
	{.method = HM_POST, .pattern = "/api/v1/forms/{id:int}/validate", .handler = api_form_validate,
	 .flags = RF_AUTH | RF_CSRF | RF_READ, .perm = "form.read", .body = b_form_validate, .body_max = 262144,
	 .obj = {FORM_AT(RO_PATH, "id", .flags = OBJF_FROM_BELOW)},
	 .tag = "forms", .summary = "Check values against a version without saving them (the designer's preview)",
	 .status = 200, .reply = "form_check", .response = "valid and the normalised values; 422 with field errors"},
	{.method = HM_GET, .pattern = "/api/v1/form-submissions", .handler = api_submission_list,
	 .flags = RF_AUTH | RF_READ, .perm = "form.read", .query = q_submissions,
	 .obj = {ORG_AT(RO_QUERY, "under", .flags = OBJF_DEFAULT_SCOPE)},
	 .tag = "forms", .summary = "Submissions of the orgs of a subtree, newest first",
	 .status = 200, .reply = "before_page:submission", .response = "items and next_before"},
	{.method = HM_POST, .pattern = "/api/v1/form-submissions", .handler = api_submission_create,
	 .flags = RF_AUTH | RF_CSRF, .perm = "form.submit", .body = b_submission_create, .body_max = 262144,
	 .obj = {ORG_AT(RO_BODY, "org_id"), FORM_AT(RO_BODY, "template_id", .perm = "form.read", .flags = OBJF_FROM_BELOW)},
	 .tag = "forms", .summary = "Start a submission (a draft) of a form by an org for a subject",
	 .status = 201, .reply = "submission", .response = "the draft; ETag is its version"},
	{.method = HM_GET, .pattern = "/api/v1/form-submissions/{id:int}", .handler = api_submission_get,
	 .flags = RF_AUTH | RF_READ, .perm = "form.read", .obj = {SUBMISSION_AT(RO_PATH, "id")},
	 .tag = "forms", .summary = "One submission with its current values",
	 .status = 200, .reply = "submission", .response = "the submission; ETag is its version"},
	{.method = HM_PATCH, .pattern = "/api/v1/form-submissions/{id:int}", .handler = api_submission_save,
	 .flags = RF_AUTH | RF_CSRF, .perm = "form.submit", .body = b_submission_values, .body_max = 262144,
	 .obj = {SUBMISSION_AT(RO_PATH, "id")},
	 .tag = "forms", .summary = "Autosave a draft or a returned submission (If-Match required: 428/412)",
	 .status = 200, .reply = "submission", .response = "the submission"},
	{.method = HM_POST, .pattern = "/api/v1/form-submissions/{id:int}/submit", .handler = api_submission_submit,
	 .flags = RF_AUTH | RF_CSRF, .perm = "form.submit", .body = b_submission_submit, .body_max = 262144,
	 .obj = {SUBMISSION_AT(RO_PATH, "id")},
	 .tag = "forms", .summary = "Submit or resubmit (Idempotency-Key: a retry answers the first outcome; If-Match optional)",
	 .status = 200, .reply = "submission", .response = "the submission; Idempotency-Replayed: true on a retry"},
	{.method = HM_POST, .pattern = "/api/v1/form-submissions/{id:int}/return", .handler = api_submission_return,
	 .flags = RF_AUTH | RF_CSRF, .perm = "form.review", .body = b_submission_return, .body_max = 4096,
	 .obj = {SUBMISSION_AT(RO_PATH, "id", .flags = OBJF_RECEIVER)},
	 .tag = "forms", .summary = "Return a submission with a reason (the receiving org's reviewers)",
	 .status = 200, .reply = "submission", .response = "the submission, returned"},
	{.method = HM_POST, .pattern = "/api/v1/form-submissions/{id:int}/accept", .handler = api_submission_accept,
	 .flags = RF_AUTH | RF_CSRF, .perm = "form.review", .body = b_none, .body_max = 1024,
	 .obj = {SUBMISSION_AT(RO_PATH, "id", .flags = OBJF_RECEIVER)},
	 .tag = "forms", .summary = "Accept a submission (the receiving org's reviewers)",
	 .status = 200, .reply = "submission", .response = "the submission, accepted"},
	{.method = HM_GET, .pattern = "/api/v1/form-submissions/{id:int}/revisions", .handler = api_submission_revisions,
	 .flags = RF_AUTH | RF_READ, .perm = "form.read", .obj = {SUBMISSION_AT(RO_PATH, "id")},
	 .tag = "forms", .summary = "Every submitted revision of a submission, oldest first",
	 .status = 200, .reply = "items:submission_rev", .response = "items"},
	{.method = HM_GET, .pattern = "/api/v1/form-submissions/{id:int}/diff", .handler = api_submission_diff,
	 .flags = RF_AUTH | RF_READ, .perm = "form.read", .query = q_submission_diff,
	 .obj = {SUBMISSION_AT(RO_PATH, "id")},
	 .tag = "forms", .summary = "What changed between two revisions, field by field",
	 .status = 200, .reply = "submission_diff", .response = "from, to and changes: key, label, before, after"},
	/* notifications: the caller's own (404 for anyone else's); the outbound hook: the system admin */
	{.method = HM_GET, .pattern = "/api/v1/me/notifications", .handler = api_me_notifications,
	 .flags = RF_AUTH, .query = q_notifications, .obj = {AT_SELF},
	 .tag = "me", .summary = "My notifications, newest first (unread only with unread=true), keyset pages",
	 .status = 200, .reply = "page:notification", .response = "items and next_after"},
	{.method = HM_GET, .pattern = "/api/v1/me/notifications/count", .handler = api_me_notification_count,
	 .flags = RF_AUTH | RF_NOLOG, .obj = {AT_SELF},
	 .tag = "me", .summary = "How many of my notifications are unread (the bell polls this)",
	 .status = 200, .reply = "notification_count", .response = "unread"},
	{.method = HM_POST, .pattern = "/api/v1/me/notifications/{id:int}/read", .handler = api_me_notification_read,
	 .flags = RF_AUTH | RF_CSRF, .body = b_none, .body_max = 1024, .obj = {AT_SELF},
	 .tag = "me", .summary = "Mark one of my notifications read",
	 .status = 200, .reply = "notification", .response = "the notification"},
	{.method = HM_POST, .pattern = "/api/v1/me/notifications/read-all", .handler = api_me_notifications_read_all,
	 .flags = RF_AUTH | RF_CSRF, .body = b_none, .body_max = 1024, .obj = {AT_SELF},
	 .tag = "me", .summary = "Mark all my notifications read",
	 .status = 200, .reply = "notifications_read", .response = "count"},
	{.method = HM_GET, .pattern = "/api/v1/hooks/deliveries", .handler = api_hook_deliveries,
	 .flags = RF_AUTH | RF_READ, .perm = "hook.admin", .query = q_hook_deliveries, .obj = {AT_SYSTEM},
	 .tag = "hooks", .summary = "Outbound hook deliveries newest first (state=dead: the dead letters), with every attempt",
	 .status = 200, .reply = "before_page:hook_delivery", .response = "items and next_before"},
	{.method = HM_POST, .pattern = "/api/v1/hooks/deliveries/{id:int}/retry", .handler = api_hook_retry,
	 .flags = RF_AUTH | RF_CSRF, .perm = "hook.admin", .body = b_none, .body_max = 1024, .obj = {AT_SYSTEM},
	 .tag = "hooks", .summary = "Give a dead delivery one more attempt now (dead again if it fails)",
	 .status = 200, .reply = "hook_delivery", .response = "the delivery, pending"},
	{.method = HM_POST, .pattern = "/api/v1/hooks/test", .handler = api_hook_test,
	 .flags = RF_AUTH | RF_CSRF, .perm = "hook.admin", .body = b_hook_test, .body_max = 1024, .obj = {AT_SYSTEM},
	 .tag = "hooks", .summary = "Send myself a test notification, and to every configured hook URL (now or after delay_s)",
	 .status = 200, .reply = "hook_test", .response = "sent, deliveries, task_id"},
	{.method = HM_GET, .pattern = "/api/v1/regions/{code:str}", .handler = api_region_get,
	 .flags = RF_READ, .obj = {AT_PUBLIC},
	 .tag = "regions", .summary = "One administrative division by code",
	 .status = 200, .reply = "region", .response = "the region"},

	/* notices (api/notices.c, issue 13): the sender's side by the issuing org, the inbox by the recipient org */
	{.method = HM_POST, .pattern = "/api/v1/notices/preview-targets", .handler = api_notice_preview,
	 .flags = RF_AUTH | RF_CSRF | RF_READ, .perm = "notice.write", .body = b_notice_preview, .body_max = 65536,
	 .obj = {ORG_AT(RO_BODY, "org_id")},
	 .tag = "notices", .summary = "How many open organizations the targets reach today, and the first of them",
	 .status = 200, .reply = "target_preview", .response = "count and items"},
	{.method = HM_POST, .pattern = "/api/v1/notices/render", .handler = api_notice_render,
	 .flags = RF_AUTH | RF_CSRF | RF_READ, .perm = "notice.write", .body = b_notice_render, .body_max = 131072,
	 .obj = {AT_SELF},
	 .tag = "notices", .summary = "Markdown rendered to the safe HTML a notice shows (preview)",
	 .status = 200, .reply = "rendered", .response = "html"},
	{.method = HM_GET, .pattern = "/api/v1/notices", .handler = api_notice_list,
	 .flags = RF_AUTH | RF_READ, .perm = "notice.read", .query = q_notice_list,
	 .obj = {ORG_AT(RO_QUERY, "org_id", .flags = OBJF_DEFAULT_SCOPE)},
	 .tag = "notices", .summary = "Notices issued by an organization, newest first, with their receipt figures",
	 .status = 200, .reply = "before_page:notice_row", .response = "items and next_before"},
	{.method = HM_POST, .pattern = "/api/v1/notices", .handler = api_notice_create,
	 .flags = RF_AUTH | RF_CSRF, .perm = "notice.write", .body = b_notice_create, .body_max = 131072,
	 .obj = {ORG_AT(RO_BODY, "org_id")},
	 .tag = "notices", .summary = "Draft a notice of an organization (targets within its subtree, or guided by it)",
	 .status = 201, .reply = "notice", .response = "the draft; ETag is its version"},
	{.method = HM_GET, .pattern = "/api/v1/notices/{id:int}", .handler = api_notice_get,
	 .flags = RF_AUTH | RF_READ, .perm = "notice.read", .obj = {NOTICE_AT(RO_PATH, "id")},
	 .tag = "notices", .summary = "One notice as its issuer sees it (body, targets)",
	 .status = 200, .reply = "notice", .response = "the notice; ETag is its version"},
	{.method = HM_PATCH, .pattern = "/api/v1/notices/{id:int}", .handler = api_notice_update,
	 .flags = RF_AUTH | RF_CSRF, .perm = "notice.write", .body = b_notice_update, .body_max = 131072,
	 .obj = {NOTICE_AT(RO_PATH, "id")},
	 .tag = "notices", .summary = "Change a draft (If-Match required: 428/412)",
	 .status = 200, .reply = "notice", .response = "the draft"},
	{.method = HM_POST, .pattern = "/api/v1/notices/{id:int}/submit", .handler = api_notice_submit,
	 .flags = RF_AUTH | RF_CSRF, .perm = "notice.write", .body = b_none, .body_max = 1024,
	 .obj = {NOTICE_AT(RO_PATH, "id")},
	 .tag = "notices", .summary = "Submit a draft for approval by an administrator of the issuing organization",
	 .status = 200, .reply = "notice", .response = "the notice, pending"},
	{.method = HM_POST, .pattern = "/api/v1/notices/{id:int}/approve", .handler = api_notice_approve,
	 .flags = RF_AUTH | RF_CSRF, .perm = "notice.approve", .body = b_none, .body_max = 1024,
	 .obj = {NOTICE_AT(RO_PATH, "id")},
	 .tag = "notices", .summary = "Approve a pending notice",
	 .status = 200, .reply = "notice", .response = "the notice, approved"},
	{.method = HM_POST, .pattern = "/api/v1/notices/{id:int}/reject", .handler = api_notice_reject,
	 .flags = RF_AUTH | RF_CSRF, .perm = "notice.approve", .body = b_notice_reason, .body_max = 4096,
	 .obj = {NOTICE_AT(RO_PATH, "id")},
	 .tag = "notices", .summary = "Return a pending notice to its author with a reason",
	 .status = 200, .reply = "notice", .response = "the notice, a draft again"},
	{.method = HM_POST, .pattern = "/api/v1/notices/{id:int}/send", .handler = api_notice_send,
	 .flags = RF_AUTH | RF_CSRF, .perm = "notice.write", .body = b_none, .body_max = 1024,
	 .obj = {NOTICE_AT(RO_PATH, "id")},
	 .tag = "notices", .summary = "Send: the document number, the fixed list of recipients open today (one transaction)",
	 .status = 200, .reply = "notice", .response = "the notice, sent"},
	{.method = HM_POST, .pattern = "/api/v1/notices/{id:int}/recall", .handler = api_notice_recall,
	 .flags = RF_AUTH | RF_CSRF, .perm = "notice.write", .body = b_notice_reason, .body_max = 4096,
	 .obj = {NOTICE_AT(RO_PATH, "id")},
	 .tag = "notices", .summary = "Recall a sent notice: recipients see it withdrawn; nothing is deleted, the number stays used",
	 .status = 200, .reply = "notice", .response = "the notice, recalled"},
	{.method = HM_GET, .pattern = "/api/v1/notices/{id:int}/receipts", .handler = api_notice_receipts,
	 .flags = RF_AUTH | RF_READ, .perm = "notice.read", .query = q_notice_receipts,
	 .obj = {NOTICE_AT(RO_PATH, "id")},
	 .tag = "notices", .summary = "Receipt figures, forwards included: all, and per child of an organization (drill-down)",
	 .status = 200, .reply = "notice_receipts", .response = "all, within, self, outside, branches"},
	{.method = HM_GET, .pattern = "/api/v1/notices/{id:int}/recipients", .handler = api_notice_recipients,
	 .flags = RF_AUTH | RF_READ, .perm = "notice.read", .query = q_notice_recipients,
	 .obj = {NOTICE_AT(RO_PATH, "id")},
	 .tag = "notices", .summary = "The receipt table: each recipient (forwards included), its state, who and when",
	 .status = 200, .reply = "page:notice_recipient", .response = "items and next_after"},
	{.method = HM_GET, .pattern = "/api/v1/orgs/{id:int}/notice-config", .handler = api_notice_config_get,
	 .flags = RF_AUTH | RF_READ, .perm = "notice.read", .obj = {ORG_AT(RO_PATH, "id")},
	 .tag = "notices", .summary = "The organization's document-number prefix and approval rule",
	 .status = 200, .reply = "notice_config", .response = "prefix, approval_required; ETag is its version"},
	{.method = HM_PUT, .pattern = "/api/v1/orgs/{id:int}/notice-config", .handler = api_notice_config_set,
	 .flags = RF_AUTH | RF_CSRF, .perm = "notice.approve", .body = b_notice_config, .body_max = 4096,
	 .obj = {ORG_AT(RO_PATH, "id")},
	 .tag = "notices", .summary = "Set the document-number prefix and approval rule (If-Match optional)",
	 .status = 200, .reply = "notice_config", .response = "the settings"},
	{.method = HM_GET, .pattern = "/api/v1/orgs/{id:int}/inbox", .handler = api_inbox_list,
	 .flags = RF_AUTH | RF_READ, .perm = "notice.read", .query = q_inbox, .obj = {ORG_AT(RO_PATH, "id")},
	 .tag = "notices", .summary = "Notices the organization received, newest first (unread, read, acknowledged)",
	 .status = 200, .reply = "page:inbox_item", .response = "items and next_after"},
	{.method = HM_GET, .pattern = "/api/v1/orgs/{id:int}/inbox/{notice:int}", .handler = api_inbox_get,
	 .flags = RF_AUTH | RF_READ, .perm = "notice.read", .obj = {ORG_AT(RO_PATH, "id")},
	 .tag = "notices", .summary = "One received notice with its body (404 when the organization did not receive it)",
	 .status = 200, .reply = "inbox_entry", .response = "the inbox item and the notice"},
	{.method = HM_POST, .pattern = "/api/v1/orgs/{id:int}/inbox/{notice:int}/read", .handler = api_inbox_read,
	 .flags = RF_AUTH | RF_CSRF, .perm = "notice.read", .body = b_none, .body_max = 1024,
	 .obj = {ORG_AT(RO_PATH, "id")},
	 .tag = "notices", .summary = "Mark read (the first read is kept: who and when)",
	 .status = 200, .reply = "inbox_entry", .response = "the inbox item"},
	{.method = HM_POST, .pattern = "/api/v1/orgs/{id:int}/inbox/{notice:int}/acknowledge", .handler = api_inbox_acknowledge,
	 .flags = RF_AUTH | RF_CSRF, .perm = "notice.write", .body = b_none, .body_max = 1024,
	 .obj = {ORG_AT(RO_PATH, "id")},
	 .tag = "notices", .summary = "Acknowledge (签收): who and when; refused for a recalled notice",
	 .status = 200, .reply = "inbox_entry", .response = "the inbox item"},
	{.method = HM_POST, .pattern = "/api/v1/orgs/{id:int}/inbox/{notice:int}/forward", .handler = api_inbox_forward,
	 .flags = RF_AUTH | RF_CSRF, .perm = "notice.write", .body = b_notice_forward, .body_max = 131072,
	 .obj = {ORG_AT(RO_PATH, "id")},
	 .tag = "notices", .summary = "Forward (转发) down the organization's subtree with instructions: a linked draft",
	 .status = 201, .reply = "notice", .response = "the forward, a draft of this organization"},
};
/* clang-format on */

const size_t api_routes_count = sizeof(api_routes) / sizeof(api_routes[0]);
