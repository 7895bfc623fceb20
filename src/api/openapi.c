/*
 * openapi.c - builds the OpenAPI 3.1 document from the route table, so the document can
 * never drift from what the server does: paths, methods, path/query parameters, body
 * fields, the success status, the reply's shape and what each route acts on all come from
 * the same rows the dispatcher enforces.
 *
 * Reply shapes are named in each row (route.reply) and described here once, as field lists
 * like the request specs (`struct field`; FT_OBJECT / FT_ARRAY name another shape in
 * `values`). A name may wrap a shape: "page:org" is {items: [org], next_after},
 * "before_page:audit" {items: [audit], next_before}, "items:session" {items: [session]};
 * "none" is no body (204) and "raw" not JSON. Shapes become components/schemas.
 */
#include "api/api.h"
#include "core/codelist.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#define NUL FF_NULLABLE

static const struct field s_org[] = {
	{"id", FT_INT, 0, 0, 0, NULL, "id"},
	{"code", FT_STRING, 0, 1, 32, NULL, "stable code"},
	{"name", FT_STRING, 0, 1, 200, NULL, "full name"},
	{"short_name", FT_STRING, 0, 0, 64, NULL, "short name"},
	{"level", FT_CODE, 0, 0, 0, codelist_org_level.name, "level in the tree"},
	{"type", FT_CODE, 0, 0, 0, codelist_org_type.name, "kind of organization"},
	{"region_code", FT_STRING, NUL, 6, 6, NULL, "GB/T 2260 region code"},
	{"credit_code", FT_STRING, NUL, 18, 18, NULL, "unified social credit code"},
	{"contact", FT_STRING, 0, 0, 60, NULL, "contact person and phone"},
	{"opened_on", FT_DATE, 0, 0, 0, NULL, "opened"},
	{"closed_on", FT_DATE, NUL, 0, 0, NULL, "closed (null while open)"},
	{"version", FT_INT, 0, 0, 0, NULL, "version for If-Match"},
	{"parent_id", FT_INT, NUL, 0, 0, NULL, "parent as of the date asked (null at a root)"},
	{"parent_name", FT_STRING, NUL, 0, 200, NULL, "that parent's name (null at a root)"},
	{0},
};
static const struct field s_counts[] = {
	{"total", FT_INT, 0, 0, 0, NULL, "open organizations in the subtree, itself included"},
	{"by_level", FT_OBJECT, 0, 0, 0, NULL, "level -> count"},
	{"by_type", FT_OBJECT, 0, 0, 0, NULL, "type -> count"},
	{0},
};
static const struct field s_period[] = {
	{"from", FT_DATE, 0, 0, 0, NULL, "first day"},
	{"to", FT_DATE, NUL, 0, 0, NULL, "the day it ended (null: current)"},
	{"id", FT_INT, NUL, 0, 0, NULL, "the other organization (null: a root, or hidden)"},
	{"code", FT_STRING, NUL, 0, 32, NULL, "its code"},
	{"name", FT_STRING, NUL, 0, 200, NULL, "its name"},
	{"hidden", FT_BOOL, 0, 0, 0, NULL, "present and true when you cannot see that organization today"},
	{"guide_id", FT_INT, NUL, 0, 0, NULL, "guided-by links: the guiding organization (as id)"},
	{"guide_code", FT_STRING, NUL, 0, 32, NULL, "guided-by links: its code (as code)"},
	{"guide_name", FT_STRING, NUL, 0, 200, NULL, "guided-by links: its name (as name)"},
	{0},
};
static const struct field s_history[] = {
	{"parents", FT_ARRAY, 0, 0, 0, "period", "placement periods, oldest first"},
	{0},
};
static const struct field s_links[] = {
	{"guided_by", FT_ARRAY, 0, 0, 0, "period", "guided-by links"},
	{0},
};
static const struct field s_closed[] = {
	{"closed", FT_INT, 0, 0, 0, NULL, "organizations closed"},
	{0},
};
static const struct field s_health[] = {
	{"status", FT_ENUM, 0, 0, 0, "ok|unavailable", "overall"},
	{"database", FT_STRING, 0, 0, 0, NULL, "sqlite or postgresql"},
	{"database_ok", FT_BOOL, 0, 0, 0, NULL, "the database answers"},
	{"schema_version", FT_INT, 0, 0, 0, NULL, "migrations applied"},
	{"schema_expected", FT_INT, 0, 0, 0, NULL, "migrations this build has"},
	{0},
};
static const struct field s_about[] = {
	{"name", FT_STRING, 0, 0, 0, NULL, "kexie"},
	{"version", FT_STRING, 0, 0, 0, NULL, "build version"},
	{"database", FT_STRING, 0, 0, 0, NULL, "sqlite or postgresql"},
	{"database_ok", FT_BOOL, 0, 0, 0, NULL, "the database answers"},
	{"read_replica", FT_BOOL, 0, 0, 0, NULL, "reads go to a replica"},
	{"schema_version", FT_INT, 0, 0, 0, NULL, "migrations applied"},
	{"uptime_s", FT_INT, 0, 0, 0, NULL, "seconds since start"},
	{0},
};
static const struct field s_accepted[] = {
	{"accepted", FT_BOOL, 0, 0, 0, NULL, "always true"},
	{0},
};
static const struct field s_region[] = {
	{"code", FT_STRING, 0, 2, 12, NULL, "GB/T 2260 code"},
	{"name", FT_STRING, 0, 0, 0, NULL, "name"},
	{"parent_code", FT_STRING, NUL, 0, 12, NULL, "parent region"},
	{"level", FT_INT, 0, 0, 0, NULL, "1 province, 2 city, 3 county"},
	{0},
};
static const struct field s_regions[] = {
	{"items", FT_ARRAY, 0, 0, 0, "region", "regions"},
	{"count", FT_INT, 0, 0, 0, NULL, "how many"},
	{0},
};
static const struct field s_grant[] = {
	{"role", FT_STRING, 0, 0, 0, NULL, "role"},
	{"org_id", FT_INT, 0, 0, 0, NULL, "where it applies (posts: everywhere)"},
	{"org_code", FT_STRING, 0, 0, 32, NULL, "that org's code"},
	{"org_name", FT_STRING, 0, 0, 200, NULL, "that org's name"},
	{0},
};
static const struct field s_caller[] = {
	{"user_id", FT_INT, 0, 0, 0, NULL, "account id"},
	{"login", FT_STRING, 0, 0, 64, NULL, "login"},
	{"display_name", FT_STRING, 0, 0, 100, NULL, "name"},
	{"via", FT_ENUM, 0, 0, 0, "session|token", "how the caller signed in"},
	{"roles", FT_ARRAY, 0, 0, 0, "grant", "roles and where they apply"},
	{"csrf_token", FT_STRING, 0, 0, 0, NULL, "for X-CSRF-Token (session callers)"},
	{0},
};
static const struct field s_session[] = {
	{"id", FT_INT, 0, 0, 0, NULL, "session id"},
	{"created_at", FT_INT, 0, 0, 0, NULL, "unix seconds"},
	{"last_seen_at", FT_INT, 0, 0, 0, NULL, "unix seconds"},
	{"expires_at", FT_INT, 0, 0, 0, NULL, "unix seconds (idle or absolute, the earlier)"},
	{"client_addr", FT_STRING, 0, 0, 64, NULL, "address it signed in from"},
	{"current", FT_BOOL, 0, 0, 0, NULL, "this request's session"},
	{0},
};
static const struct field s_token[] = {
	{"id", FT_INT, 0, 0, 0, NULL, "token id"},
	{"name", FT_STRING, 0, 0, 100, NULL, "what it is for"},
	{"created_at", FT_INT, 0, 0, 0, NULL, "unix seconds"},
	{"expires_at", FT_INT, NUL, 0, 0, NULL, "unix seconds"},
	{"last_used_at", FT_INT, NUL, 0, 0, NULL, "unix seconds"},
	{0},
};
static const struct field s_new_token[] = {
	{"token", FT_STRING, 0, 0, 0, NULL, "the token: shown this once"},
	{"name", FT_STRING, 0, 0, 100, NULL, "what it is for"},
	{"expires_days", FT_INT, 0, 0, 0, NULL, "days it lives (0: per the server's maximum)"},
	{0},
};
static const struct field s_account_row[] = {
	{"id", FT_INT, 0, 0, 0, NULL, "account id"},
	{"login", FT_STRING, 0, 0, 64, NULL, "login"},
	{"display_name", FT_STRING, 0, 0, 100, NULL, "name"},
	{"status", FT_CODE, 0, 0, 0, codelist_user_status.name, "status"},
	{"locked", FT_BOOL, 0, 0, 0, NULL, "locked after wrong passwords"},
	{"roles", FT_STRING, 0, 0, 0, NULL, "role@ORG, ... (for people: see grants)"},
	{"grants", FT_ARRAY, 0, 0, 0, "account_grant", "the roles with their orgs' codes and names"},
	{0},
};
static const struct field s_account_page[] = {
	{"under", FT_INT, 0, 0, 0, NULL, "the subtree searched"},
	{"items", FT_ARRAY, 0, 0, 0, "account_row", "accounts"},
	{"next_after", FT_STRING, NUL, 0, 0, NULL, "pass as `after` for the next page (null: last page)"},
	{0},
};
static const struct field s_account_grant[] = {
	{"role", FT_STRING, 0, 0, 0, NULL, "role"},
	{"org_id", FT_INT, 0, 0, 0, NULL, "where it applies (posts: everywhere)"},
	{"org_code", FT_STRING, 0, 0, 32, NULL, "code"},
	{"org_name", FT_STRING, 0, 0, 200, NULL, "name"},
	{0},
};
static const struct field s_account[] = {
	{"id", FT_INT, 0, 0, 0, NULL, "account id"},
	{"login", FT_STRING, 0, 0, 64, NULL, "login"},
	{"display_name", FT_STRING, 0, 0, 100, NULL, "name"},
	{"status", FT_CODE, 0, 0, 0, codelist_user_status.name, "status"},
	{"locked", FT_BOOL, 0, 0, 0, NULL, "locked after wrong passwords"},
	{"locked_for_s", FT_INT, 0, 0, 0, NULL, "seconds the lock lasts"},
	{"password_changed_at", FT_INT, NUL, 0, 0, NULL, "unix seconds"},
	{"last_login_at", FT_INT, NUL, 0, 0, NULL, "unix seconds"},
	{"active_sessions", FT_INT, 0, 0, 0, NULL, "live sessions"},
	{"roles", FT_ARRAY, 0, 0, 0, "account_grant", "roles"},
	{"created_at", FT_INT, NUL, 0, 0, NULL, "unix seconds"},
	{"person_id", FT_INT, NUL, 0, 0, NULL, "the person of the member register"},
	{0},
};
static const struct field s_sessions_ended[] = {
	{"sessions_ended", FT_INT, 0, 0, 0, NULL, "how many"},
	{0},
};
static const struct field s_post_request[] = {
	{"id", FT_INT, 0, 0, 0, NULL, "request id"},
	{"user_id", FT_INT, 0, 0, 0, NULL, "the account"},
	{"login", FT_STRING, 0, 0, 64, NULL, "its login"},
	{"display_name", FT_STRING, 0, 0, 100, NULL, "its name"},
	{"role", FT_CODE, 0, 0, 0, codelist_role.name,
	 "the post (system_admin, security_admin or audit_admin)"},
	{"org_id", FT_INT, 0, 0, 0, NULL, "where it is recorded (posts are system-wide)"},
	{"org_code", FT_STRING, 0, 0, 32, NULL, "that org's code"},
	{"requested_by", FT_STRING, 0, 0, 64, NULL, "login of the security administrator who asked"},
	{"requested_at", FT_INT, 0, 0, 0, NULL, "unix seconds"},
	{"expires_at", FT_INT, 0, 0, 0, NULL, "undecided past this (unix seconds): expired"},
	{"status", FT_ENUM, 0, 0, 0, "pending|approved|rejected|expired", "status"},
	{"reason", FT_STRING, 0, 0, 200, NULL, "a rejection's reason"},
	{"decided_by", FT_STRING, NUL, 0, 64, NULL, "login of the security administrator who decided"},
	{"decided_at", FT_INT, NUL, 0, 0, NULL, "unix seconds"},
	{"replaces", FT_STRING, NUL, 0, 0, NULL, "pending: the roles the post would replace"},
	{0},
};
static const struct field s_audit[] = {
	{"seq", FT_INT, 0, 0, 0, NULL, "position in the chain"},
	{"at", FT_STRING, 0, 0, 0, NULL, "UTC time"},
	{"login", FT_STRING, 0, 0, 0, NULL, "who"},
	{"role", FT_STRING, 0, 0, 0, NULL, "the role acted under"},
	{"via", FT_STRING, 0, 0, 0, NULL, "session:N, token:N, cli"},
	{"request_id", FT_STRING, 0, 0, 0, NULL, "request"},
	{"client_addr", FT_STRING, 0, 0, 0, NULL, "client address"},
	{"action", FT_STRING, 0, 0, 0, NULL, "e.g. org.move"},
	{"object_type", FT_STRING, 0, 0, 0, NULL, "e.g. org"},
	{"object_id", FT_STRING, 0, 0, 0, NULL, "the object's id"},
	{"org_code", FT_STRING, 0, 0, 0, NULL, "org the record is about"},
	{"detail", FT_STRING, 0, 0, 0, NULL, "changed fields (JSON)"},
	{0},
};
/* srv11 (issue 11) */
static const struct field s_code_item[] = {
	{"code", FT_STRING, 0, 0, 0, NULL, "the code sent and stored"},
	{"zh", FT_STRING, 0, 0, 0, NULL, "Chinese label"},
	{"en", FT_STRING, 0, 0, 0, NULL, "English label"},
	{0},
};
static const struct field s_codes[] = {
	{"lists", FT_OBJECT, 0, 0, 0, NULL,
	 "list name (org_level, org_type, role, audit_action, object_type, job_state, user_status, audit_field, error) -> [code_item] in display order"},
	{0},
};
static const struct field s_year_stats[] = {
	{"year", FT_INT, 0, 0, 0, NULL, "the calendar year"},
	{"opened", FT_INT, 0, 0, 0, NULL, "organizations of the subtree founded that year"},
	{"closed", FT_INT, 0, 0, 0, NULL, "closings that year (reopened later or not)"},
	{"reopened", FT_INT, 0, 0, 0, NULL, "reopenings that year"},
	{0},
};
static const struct field s_org_change[] = {
	{"seq", FT_INT, 0, 0, 0, NULL, "the audit record"},
	{"at", FT_STRING, 0, 0, 0, NULL, "UTC time"},
	{"action", FT_CODE, 0, 0, 0, codelist_audit_action.name, "what was done"},
	{"object_id", FT_STRING, 0, 0, 0, NULL, "the org's id as recorded"},
	{"org_id", FT_INT, 0, 0, 0, NULL, "the org"},
	{"org_code", FT_STRING, 0, 0, 32, NULL, "its code"},
	{"org_name", FT_STRING, 0, 0, 200, NULL, "its current name"},
	{"actor", FT_STRING, 0, 0, 64, NULL, "login, or cli / system"},
	{"changes", FT_OBJECT, 0, 0, 0, NULL, "field -> [old, new] or a fact (org ids as numbers)"},
	{"text", FT_STRING, 0, 0, 0, NULL, "the changes as one line in the caller's language"},
	{0},
};
static const struct field s_todo_item[] = {
	{"kind", FT_STRING, 0, 0, 0, NULL, "account.locked, org.credit_code_missing, ..."},
	{"count", FT_INT, 0, 0, 0, NULL, "how many"},
	{"title", FT_STRING, 0, 0, 0, NULL, "what to do, in the caller's language"},
	{"link", FT_STRING, 0, 0, 0, NULL, "the web app's route to do it"},
	{0},
};
/* notifications and the outbound hook (docs/notifications.md) */
static const struct field s_notification[] = {
	{"id", FT_INT, 0, 0, 0, NULL, "notification id"},
	{"kind", FT_CODE, 0, 0, 0, codelist_notification_kind.name, "what it is"},
	{"title", FT_STRING, 0, 1, 200, NULL, "title"},
	{"body", FT_STRING, 0, 0, 4000, NULL, "plain text"},
	{"link", FT_STRING, NUL, 0, 500, NULL, "the web app's route to open (null: none)"},
	{"source_kind", FT_STRING, NUL, 0, 32, NULL, "what it is about: notice, hook_test ..."},
	{"source_id", FT_INT, NUL, 0, 0, NULL, "its id"},
	{"org_id", FT_INT, NUL, 0, 0, NULL,
	 "sent to the holders of role at this org (null: to you directly)"},
	{"role", FT_CODE, NUL, 0, 0, codelist_role.name, "that role"},
	{"created_at", FT_STRING, 0, 0, 0, NULL, "UTC, ISO 8601"},
	{"read_at", FT_STRING, NUL, 0, 0, NULL, "UTC, ISO 8601 (null: unread)"},
	{0},
};
static const struct field s_notification_count[] = {
	{"unread", FT_INT, 0, 0, 0, NULL, "your unread notifications"},
	{0},
};
static const struct field s_notifications_read[] = {
	{"count", FT_INT, 0, 0, 0, NULL, "notifications marked read now"},
	{"unread", FT_INT, 0, 0, 0, NULL, "unread ones left (0)"},
	{0},
};
static const struct field s_hook_attempt[] = {
	{"attempt", FT_INT, 0, 0, 0, NULL, "1, 2, ..."},
	{"at", FT_STRING, 0, 0, 0, NULL, "UTC, ISO 8601"},
	{"status", FT_INT, NUL, 0, 0, NULL, "the receiver's HTTP status (null: no answer)"},
	{"duration_ms", FT_INT, 0, 0, 0, NULL, "how long it took"},
	{"error", FT_STRING, NUL, 0, 0, NULL, "what went wrong (null: delivered)"},
	{0},
};
static const struct field s_hook_delivery[] = {
	{"id", FT_INT, 0, 0, 0, NULL, "delivery id (X-Kexie-Delivery)"},
	{"event", FT_STRING, 0, 0, 0, NULL, "X-Kexie-Event: notification.<kind>"},
	{"url", FT_STRING, 0, 0, 0, NULL, "the receiver"},
	{"title", FT_STRING, 0, 0, 0, NULL, "the notification's title"},
	{"state", FT_CODE, 0, 0, 0, codelist_hook_state.name, "pending, delivered or dead"},
	{"attempts", FT_INT, 0, 0, 0, NULL, "attempts made"},
	{"last_status", FT_INT, NUL, 0, 0, NULL, "HTTP status of the last attempt"},
	{"last_error", FT_STRING, NUL, 0, 0, NULL, "what went wrong last"},
	{"created_at", FT_STRING, 0, 0, 0, NULL, "UTC, ISO 8601"},
	{"next_at", FT_STRING, NUL, 0, 0, NULL, "pending: when the next attempt is due"},
	{"finished_at", FT_STRING, NUL, 0, 0, NULL, "delivered or dead: when"},
	{"attempt_log", FT_ARRAY, 0, 0, 0, "hook_attempt", "every attempt, in order"},
	{0},
};
static const struct field s_hook_test[] = {
	{"sent", FT_INT, 0, 0, 0, NULL, "in-app notifications written now (0 when scheduled)"},
	{"deliveries", FT_INT, 0, 0, 0, NULL, "hook deliveries queued (one per configured URL)"},
	{"task_id", FT_INT, NUL, 0, 0, NULL, "the scheduled task, with delay_s"},
	{0},
};
static const struct field s_document[] = {
	{0}, /* an object: the OpenAPI document itself */
};
/* jobs and org import (issue 11) */
static const struct field s_job_error[] = {
	{"row", FT_INT, 0, 0, 0, NULL, "the spreadsheet row (the header is 1)"},
	{"column", FT_STRING, 0, 0, 0, NULL, "the column as headed in the file (\"\" for the whole row)"},
	{"code", FT_STRING, 0, 0, 0, NULL, "what is wrong, for the web app to translate"},
	{"message", FT_STRING, 0, 0, 0, NULL, "the same in English"},
	{0},
};
static const struct field s_job[] = {
	{"id", FT_INT, 0, 0, 0, NULL, "job id"},
	{"kind", FT_STRING, 0, 0, 0, NULL, "org.import, ..."},
	{"state", FT_ENUM, 0, 0, 0, "queued|running|succeeded|failed|cancelled", "where it is"},
	{"rows_total", FT_INT, 0, 0, 0, NULL, "rows of the input (0 until read)"},
	{"rows_done", FT_INT, 0, 0, 0, NULL, "rows committed (a cancelled or failed job: what was kept)"},
	{"rate", FT_INT, 0, 0, 0, NULL, "rows per second over the time it ran, rounded"},
	{"error_count", FT_INT, 0, 0, 0, NULL, "errors found (exact; the first 1,000 are kept)"},
	{"errors", FT_ARRAY, 0, 0, 0, "job_error", "the first 100, by row"},
	{"dry_run", FT_BOOL, 0, 0, 0, NULL, "checked and reported, nothing written"},
	{"attempts", FT_INT, 0, 0, 0, NULL, "runs: 2 and more after an interruption (resumed)"},
	{"result", FT_OBJECT, NUL, 0, 0, NULL,
	 "kind-specific: for org.import rows, inserted, updated, unchanged, rejected (so far, then final)"},
	{"file_name", FT_STRING, 0, 0, 0, NULL, "the file as the uploader named it (X-File-Name)"},
	{"message", FT_STRING, NUL, 0, 0, NULL, "why it failed"},
	{"created_at", FT_STRING, 0, 0, 0, NULL, "UTC, ISO 8601"},
	{"started_at", FT_STRING, NUL, 0, 0, NULL, "UTC, ISO 8601"},
	{"finished_at", FT_STRING, NUL, 0, 0, NULL, "UTC, ISO 8601"},
	{0},
};
static const struct field s_job_accepted[] = {
	{"job", FT_OBJECT, 0, 0, 0, "job", "the job just created (Location: /api/v1/jobs/{id})"},
	{0},
};
static const struct field s_import_column[] = {
	{"index", FT_INT, 0, 0, 0, NULL, "0-based column"},
	{"header", FT_STRING, 0, 0, 0, NULL, "as written in the file"},
	{"field", FT_STRING, NUL, 0, 0, NULL, "the import's field it maps to (null: ignored)"},
	{0},
};
static const struct field s_import_preview[] = {
	{"format", FT_ENUM, 0, 0, 0, "csv|xlsx", "what the bytes are"},
	{"encoding", FT_ENUM, 0, 0, 0, "utf-8|utf-8-bom|gb18030|xlsx", "how the text was read"},
	{"row_count", FT_INT, 0, 0, 0, NULL, "data rows (below the header)"},
	{"columns", FT_ARRAY, 0, 0, 0, "import_column", "the header, cell by cell"},
	{"sample", FT_ARRAY, 0, 0, 0, NULL, "the first 10 data rows, each an array of cells"},
	{0},
};

static const struct field s_person[] = {
	{"id", FT_INT, 0, 0, 0, NULL, "id"},
	{"org_id", FT_INT, 0, 0, 0, NULL, "the organization that keeps the record"},
	{"org_name", FT_STRING, 0, 0, 200, NULL, "its name"},
	{"name", FT_STRING, 0, 1, 100, NULL, "full name"},
	{"gender", FT_CODE, NUL, 0, 0, codelist_gender.name, "gender"},
	{"ethnicity", FT_CODE, NUL, 0, 0, codelist_ethnicity.name, "ethnicity (GB 3304)"},
	{"birth_date", FT_DATE, NUL, 0, 0, NULL, "date of birth"},
	{"id_type", FT_CODE, NUL, 0, 0, codelist_id_type.name, "ID document type"},
	{"id_number", FT_STRING, NUL, 0, 40, NULL, "ID number, masked (110***********1234)"},
	{"mobile", FT_STRING, NUL, 0, 20, NULL, "mobile, masked (138****1234)"},
	{"landline", FT_STRING, NUL, 0, 24, NULL, "landline"},
	{"email", FT_STRING, NUL, 0, 254, NULL, "e-mail"},
	{"political_status", FT_CODE, NUL, 0, 0, codelist_political_status.name,
	 "political status (GB/T 4762)"},
	{"party_joined_on", FT_DATE, NUL, 0, 0, NULL, "joined the party"},
	{"party_full_on", FT_DATE, NUL, 0, 0, NULL, "full party membership"},
	{"education", FT_CODE, NUL, 0, 0, codelist_education.name, "education"},
	{"degree", FT_CODE, NUL, 0, 0, codelist_degree.name, "degree"},
	{"title", FT_STRING, NUL, 0, 200, NULL, "professional title"},
	{"title_level", FT_CODE, NUL, 0, 0, codelist_title_level.name, "title level"},
	{"discipline", FT_CODE, NUL, 0, 0, codelist_discipline.name, "discipline (GB/T 13745)"},
	{"work_unit", FT_STRING, NUL, 0, 200, NULL, "work unit"},
	{"position", FT_STRING, NUL, 0, 200, NULL, "position"},
	{"status", FT_CODE, 0, 0, 0, codelist_person_status.name, "active or deceased"},
	{"deceased_on", FT_DATE, NUL, 0, 0, NULL, "date of death"},
	{"tags", FT_ARRAY, 0, 0, 0, NULL, "tag codes"},
	{"version", FT_INT, 0, 0, 0, NULL, "version for If-Match"},
	{"created_at", FT_INT, 0, 0, 0, NULL, "unix seconds"},
	{"updated_at", FT_INT, 0, 0, 0, NULL, "unix seconds"},
	{0},
};
static const struct field s_revealed[] = {
	{"field", FT_ENUM, 0, 0, 0, "id_number|mobile", "which value"},
	{"value", FT_STRING, 0, 0, 40, NULL, "the full value (not cached: Cache-Control no-store)"},
	{0},
};
static const struct field s_membership[] = {
	{"id", FT_INT, 0, 0, 0, NULL, "id"},
	{"org_id", FT_INT, 0, 0, 0, NULL, "the organization"},
	{"org_name", FT_STRING, 0, 0, 200, NULL, "its name"},
	{"person_id", FT_INT, NUL, 0, 0, NULL, "the person (null for a unit)"},
	{"unit_id", FT_INT, NUL, 0, 0, NULL, "the member unit (null for a person)"},
	{"holder_name", FT_STRING, 0, 0, 200, NULL, "the person's or unit's name"},
	{"category", FT_CODE, 0, 0, 0, codelist_member_category.name, "member category"},
	{"number", FT_STRING, 0, 1, 64, NULL, "member number, unique in the organization"},
	{"status", FT_CODE, 0, 0, 0, codelist_membership_status.name, "status"},
	{"joined_on", FT_DATE, NUL, 0, 0, NULL, "joined"},
	{"valid_until", FT_DATE, NUL, 0, 0, NULL, "last day of the paid term"},
	{"left_on", FT_DATE, NUL, 0, 0, NULL, "left or expelled on"},
	{"left_reason", FT_STRING, NUL, 0, 200, NULL, "why"},
	{"version", FT_INT, 0, 0, 0, NULL, "version for If-Match"},
	{0},
};
static const struct field s_payment[] = {
	{"id", FT_INT, 0, 0, 0, NULL, "id"},
	{"amount_cents", FT_INT, 0, 0, 0, NULL, "amount in fen"},
	{"period_from", FT_DATE, 0, 0, 0, NULL, "first day covered"},
	{"period_to", FT_DATE, 0, 0, 0, NULL, "last day covered"},
	{"method", FT_CODE, 0, 0, 0, codelist_payment_method.name, "how it was paid"},
	{"receipt_no", FT_STRING, 0, 0, 64, NULL, "receipt number"},
	{"paid_on", FT_DATE, 0, 0, 0, NULL, "day paid"},
	{"created_at", FT_INT, 0, 0, 0, NULL, "recorded (unix seconds)"},
	{0},
};
static const struct field s_member_term[] = {
	{"category", FT_CODE, 0, 0, 0, codelist_member_category.name, "member category"},
	{"term_months", FT_INT, 0, 1, 120, NULL, "length of a paid term"},
	{"fee_cents", FT_INT, 0, 0, 0, NULL, "fee per term in fen"},
	{0},
};
static const struct field s_member_config[] = {
	{"number_pattern", FT_STRING, 0, 1, 128, NULL, "member-number pattern"},
	{"terms", FT_ARRAY, 0, 0, 0, "member_term", "terms and fees per category"},
	{"version", FT_INT, 0, 0, 0, NULL, "version for If-Match (0: never set)"},
	{0},
};

static const struct field s_stats_month[] = {
	{"month", FT_STRING, 0, 7, 7, NULL, "YYYY-MM"},
	{0},
};
static const struct field s_member_stats[] = {
	{"people", FT_INT, 0, 0, 0, NULL, "people in the register under the org"},
	{"by_gender", FT_OBJECT, 0, 0, 0, NULL, "gender code -> people (none: not given)"},
	{"by_age", FT_OBJECT, 0, 0, 0, NULL, "under_35, 35_44, 45_54, 55_64, 65_over, unknown -> people"},
	{"by_title_level", FT_OBJECT, 0, 0, 0, NULL, "title level -> people"},
	{"by_education", FT_OBJECT, 0, 0, 0, NULL, "education -> people"},
	{"by_political", FT_OBJECT, 0, 0, 0, NULL, "political status -> people"},
	{"by_category", FT_OBJECT, 0, 0, 0, NULL, "member category -> active and lapsed memberships"},
	{"by_status", FT_OBJECT, 0, 0, 0, NULL, "membership status -> memberships"},
	{"growth", FT_ARRAY, 0, 0, 0, "stats_month", "last twelve months: month, joined, left"},
	{"dues", FT_ARRAY, 0, 0, 0, "stats_month", "last twelve months: month, payments, amount_cents"},
	{"coverage", FT_OBJECT, 0, 0, 0, NULL,
	 "orgs (open in the subtree) and covered (with an active membership)"},
	{0},
};
static const struct field s_stored_file[] = {
	{"id", FT_INT, 0, 0, 0, NULL, "GET /api/v1/files/{id} downloads it"},
	{"name", FT_STRING, 0, 0, 0, NULL, "sanitised, ending in the type's extension"},
	{"type", FT_ENUM, 0, 0, 0, "pdf|docx|xlsx|jpeg|png|webp", "decided by the bytes"},
	{"media_type", FT_STRING, 0, 0, 0, NULL, "what a download is sent as"},
	{"size", FT_INT, 0, 0, 0, NULL, "bytes"},
	{"hash", FT_STRING, 0, 0, 0, NULL, "SHA-256, hex; the download's ETag"},
	{"thumbnail", FT_BOOL, 0, 0, 0, NULL, "an image: GET /api/v1/files/{id}/thumbnail"},
	{"width", FT_INT, 0, 0, 0, NULL, "images: pixels"},
	{"height", FT_INT, 0, 0, 0, NULL, "images: pixels"},
	{"org_id", FT_INT, 0, 0, 0, NULL, "whose quota pays"},
	{"attached", FT_BOOL, 0, 0, 0, NULL,
	 "false: seen by its uploader only, removed after file_orphan_hours"},
	{"created_at", FT_STRING, 0, 0, 0, NULL, "UTC, ISO 8601"},
	{0},
};
static const struct field s_member_unit[] = {
	{"id", FT_INT, 0, 0, 0, NULL, "id"},
	{"org_id", FT_INT, 0, 0, 0, NULL, "the organization that keeps the record"},
	{"org_name", FT_STRING, 0, 0, 200, NULL, "its name"},
	{"name", FT_STRING, 0, 1, 200, NULL, "the unit's name"},
	{"credit_code", FT_STRING, NUL, 18, 18, NULL, "unified social credit code"},
	{"contact", FT_STRING, 0, 0, 60, NULL, "contact person and phone"},
	{"representative_id", FT_INT, NUL, 0, 0, NULL, "the representative (a person of the register)"},
	{"representative_name", FT_STRING, NUL, 0, 100, NULL, "their name"},
	{"version", FT_INT, 0, 0, 0, NULL, "version for If-Match"},
	{0},
};
static const struct field s_consent[] = {
	{"version", FT_STRING, 0, 1, 32, NULL, "send it back as consent_version"},
	{"text", FT_STRING, 0, 0, 0, NULL, "the text shown to the applicant"},
	{0},
};
static const struct field s_public_org[] = {
	{"id", FT_INT, 0, 0, 0, NULL, "id"},
	{"code", FT_STRING, 0, 1, 32, NULL, "code"},
	{"name", FT_STRING, 0, 1, 200, NULL, "name"},
	{"type", FT_CODE, 0, 0, 0, codelist_org_type.name, "kind of organization"},
	{0},
};
static const struct field s_application_receipt[] = {
	{"id", FT_INT, 0, 0, 0, NULL, "id"},
	{"status", FT_ENUM, 0, 0, 0, "pending", "pending"},
	{"token", FT_STRING, 0, 43, 43, NULL, "keep it: it shows the outcome (shown once)"},
	{0},
};
static const struct field s_application[] = {
	{"id", FT_INT, 0, 0, 0, NULL, "id"},
	{"org_id", FT_INT, 0, 0, 0, NULL, "the organization applied to"},
	{"org_name", FT_STRING, 0, 0, 200, NULL, "its name"},
	{"category", FT_CODE, 0, 0, 0, codelist_member_category.name, "member category"},
	{"status", FT_ENUM, 0, 0, 0, "pending|approved|rejected", "status"},
	{"name", FT_STRING, 0, 0, 100, NULL, "applicant's name"},
	{"reason", FT_STRING, NUL, 0, 200, NULL, "why it was rejected"},
	{"member_number", FT_STRING, NUL, 0, 64, NULL, "the member number once approved"},
	{"login", FT_STRING, 0, 0, 64, NULL, "the member account"},
	{"created_at", FT_INT, 0, 0, 0, NULL, "unix seconds"},
	{"decided_at", FT_INT, NUL, 0, 0, NULL, "unix seconds"},
	{0},
};
static const struct field s_me_member[] = {
	{"person", FT_OBJECT, 0, 0, 0, NULL,
	 "my fields (id_number and mobile masked; in full in the export)"},
	{"memberships", FT_ARRAY, 0, 0, 0, NULL,
	 "memberships with renew (term ends within 60 days) and payments"},
	{0},
};
static const struct field s_erasure_receipt[] = {
	{"id", FT_INT, 0, 0, 0, NULL, "id"},
	{"status", FT_ENUM, 0, 0, 0, "pending", "pending"},
	{0},
};
static const struct field s_erasure[] = {
	{"id", FT_INT, 0, 0, 0, NULL, "id"},
	{"person_id", FT_INT, 0, 0, 0, NULL, "the person"},
	{"org_id", FT_INT, 0, 0, 0, NULL, "the keeping organization"},
	{"org_name", FT_STRING, 0, 0, 200, NULL, "its name"},
	{"person_name", FT_STRING, 0, 0, 100, NULL, "name (replaced once erased)"},
	{"status", FT_ENUM, 0, 0, 0, "pending|approved|rejected", "status"},
	{"reason", FT_STRING, 0, 0, 200, NULL, "the member's reason"},
	{"answer", FT_STRING, NUL, 0, 200, NULL, "the staff's answer"},
	{"created_at", FT_INT, 0, 0, 0, NULL, "unix seconds"},
	{"decided_at", FT_INT, NUL, 0, 0, NULL, "unix seconds (null while pending)"},
	{0},
};

static const struct field s_form[] = {
	{"id", FT_INT, 0, 0, 0, NULL, "id"},
	{"org_id", FT_INT, NUL, 0, 0, NULL, "the owning organization (null: built in)"},
	{"org_name", FT_STRING, NUL, 0, 200, NULL, "its name"},
	{"builtin", FT_BOOL, 0, 0, 0, NULL, "built in: every org may use it, nobody changes it"},
	{"code", FT_STRING, 0, 1, 40, NULL, "code"},
	{"name", FT_STRING, 0, 1, 100, NULL, "name"},
	{"name_en", FT_STRING, 0, 0, 100, NULL, "English name"},
	{"current_version", FT_INT, 0, 0, 0, NULL, "the current version's number"},
	{"version", FT_INT, 0, 0, 0, NULL, "If-Match version"},
	{"created_at", FT_STRING, 0, 0, 30, NULL, "UTC ISO 8601"},
	{"updated_at", FT_STRING, 0, 0, 30, NULL, "UTC ISO 8601"},
	{"schema_version", FT_INT, 0, 0, 0, NULL, "the version of the schema below (one form only)"},
	{"schema", FT_OBJECT, 0, 0, 0, NULL, "the field schema (one form only; docs/forms.md)"},
	{0},
};
static const struct field s_form_version[] = {
	{"number", FT_INT, 0, 0, 0, NULL, "version number"},
	{"created_by", FT_STRING, NUL, 0, 100, NULL, "who made it (null: built in)"},
	{"created_at", FT_STRING, 0, 0, 30, NULL, "UTC ISO 8601"},
	{"submissions", FT_INT, 0, 0, 0, NULL, "submissions made with it"},
	{0},
};
static const struct field s_form_check[] = {
	{"valid", FT_BOOL, 0, 0, 0, NULL, "true (invalid values answer 422 with field errors)"},
	{"form_version", FT_INT, 0, 0, 0, NULL, "the version checked against"},
	{"values", FT_OBJECT, 0, 0, 0, NULL, "the values normalised (dates, decimals as strings)"},
	{0},
};
static const struct field s_submission[] = {
	{"id", FT_INT, 0, 0, 0, NULL, "id"},
	{"template_id", FT_INT, 0, 0, 0, NULL, "the form"},
	{"form_version", FT_INT, 0, 0, 0, NULL, "the version it is made with"},
	{"subject_kind", FT_ENUM, 0, 0, 0, "notice|period|adhoc", "what it answers"},
	{"subject_id", FT_INT, 0, 0, 0, NULL, "the subject"},
	{"org_id", FT_INT, 0, 0, 0, NULL, "the submitting organization"},
	{"org_name", FT_STRING, 0, 0, 200, NULL, "its name"},
	{"receiving_org_id", FT_INT, 0, 0, 0, NULL, "the organization that reviews it"},
	{"status", FT_ENUM, 0, 0, 0, "draft|submitted|returned|resubmitted|accepted", "status"},
	{"deadline", FT_STRING, NUL, 0, 23, NULL, "Asia/Shanghai"},
	{"late", FT_BOOL, NUL, 0, 0, NULL, "judged at the first submit (null before, or without a deadline)"},
	{"values", FT_OBJECT, 0, 0, 0, NULL, "the current values"},
	{"reason", FT_STRING, NUL, 0, 500, NULL, "why it was returned"},
	{"rev", FT_INT, 0, 0, 0, NULL, "the latest submitted revision (0 before the first)"},
	{"version", FT_INT, 0, 0, 0, NULL, "If-Match version"},
	{"created_at", FT_STRING, 0, 0, 30, NULL, "UTC ISO 8601"},
	{"updated_at", FT_STRING, 0, 0, 30, NULL, "UTC ISO 8601"},
	{"submitted_at", FT_STRING, NUL, 0, 30, NULL, "the first submit, UTC ISO 8601 with milliseconds"},
	{"decided_at", FT_STRING, NUL, 0, 30, NULL, "returned or accepted, UTC ISO 8601"},
	{0},
};
static const struct field s_submission_rev[] = {
	{"rev", FT_INT, 0, 0, 0, NULL, "revision number from 1"},
	{"form_version", FT_INT, 0, 0, 0, NULL, "the form version"},
	{"kind", FT_ENUM, 0, 0, 0, "submitted|resubmitted", "kind"},
	{"submitted_by", FT_STRING, NUL, 0, 100, NULL, "who"},
	{"submitted_at", FT_STRING, 0, 0, 30, NULL, "UTC ISO 8601 with milliseconds"},
	{"values", FT_OBJECT, 0, 0, 0, NULL, "the values submitted"},
	{0},
};
static const struct field s_submission_diff[] = {
	{"from", FT_INT, 0, 0, 0, NULL, "the earlier revision (0: empty)"},
	{"to", FT_INT, 0, 0, 0, NULL, "the later revision"},
	{"changes", FT_ARRAY, 0, 0, 0, NULL, "key, label, before, after for each field that differs"},
	{0},
};
/* notices (issue 13) */
static const struct field s_notice_org[] = {
	{"id", FT_INT, 0, 0, 0, NULL, "the organization"},
	{"code", FT_STRING, 0, 1, 32, NULL, "its code"},
	{"name", FT_STRING, 0, 1, 200, NULL, "its name"},
	{"level", FT_CODE, 0, 0, 0, codelist_org_level.name, "its level"},
	{"type", FT_CODE, 0, 0, 0, codelist_org_type.name, "its type"},
	{0},
};
static const struct field s_receipt_counts[] = {
	{"total", FT_INT, 0, 0, 0, NULL, "distinct recipient organizations"},
	{"unread", FT_INT, 0, 0, 0, NULL, "not read yet"},
	{"read", FT_INT, 0, 0, 0, NULL, "read, not acknowledged"},
	{"acknowledged", FT_INT, 0, 0, 0, NULL, "acknowledged (签收)"},
	{0},
};
static const struct field s_notice_targets[] = {
	{"orgs", FT_ARRAY, 0, 0, 0, NULL, "chosen organizations (ids)"},
	{"rules", FT_ARRAY, 0, 0, 0, NULL, "rules: kind subtree|guided, org_id, level, type"},
	{0},
};
#define NOTICE_FIELDS                                                                                       \
	{"id", FT_INT, 0, 0, 0, NULL, "id"}, {"org_id", FT_INT, 0, 0, 0, NULL, "the issuing organization"}, \
		{"org_name", FT_STRING, 0, 0, 200, NULL, "its name"},                                       \
		{"state",                                                                                   \
		 FT_CODE,                                                                                   \
		 0,                                                                                         \
		 0,                                                                                         \
		 0,                                                                                         \
		 codelist_notice_state.name,                                                                \
		 "draft, pending, approved, sent, recalled"},                                               \
		{"number", FT_STRING, NUL, 0, 100, NULL, "document number (发文字号), set when sent"},      \
		{"title", FT_STRING, 0, 1, 200, NULL, "title"},                                             \
		{"contact_name", FT_STRING, 0, 0, 60, NULL, "contact person"},                              \
		{"contact_phone", FT_STRING, 0, 0, 30, NULL, "contact phone"},                              \
		{"deadline_date", FT_DATE, NUL, 0, 0, NULL, "deadline day (Beijing)"},                      \
		{"deadline_time",                                                                           \
		 FT_STRING,                                                                                 \
		 NUL,                                                                                       \
		 5,                                                                                         \
		 5,                                                                                         \
		 NULL,                                                                                      \
		 "deadline time HH:MM (Beijing); null: end of day"},                                        \
		{"deadline_at", FT_INT, NUL, 0, 0, NULL, "the last on-time instant, unix ms"},              \
		{"receipt_required", FT_BOOL, 0, 0, 0, NULL, "recipients acknowledge (签收)"},              \
		{"form_id", FT_INT, NUL, 0, 0, NULL, "the form to return (forms module)"},                  \
		{"recipient_count", FT_INT, 0, 0, 0, NULL, "recipients fixed when sent"},                   \
		{"reject_reason", FT_STRING, NUL, 0, 200, NULL, "why the approver returned it"},            \
		{"recall_reason", FT_STRING, NUL, 0, 200, NULL, "why it was recalled"},                     \
		{"parent_id", FT_INT, NUL, 0, 0, NULL, "the notice this one forwards"},                     \
		{"parent_number", FT_STRING, NUL, 0, 100, NULL, "its number"},                              \
		{"parent_title", FT_STRING, NUL, 0, 200, NULL, "its title"},                                \
		{"parent_org_name", FT_STRING, NUL, 0, 200, NULL, "its issuing organization"},              \
		{"created_at", FT_INT, 0, 0, 0, NULL, "unix ms"},                                           \
		{"updated_at", FT_INT, 0, 0, 0, NULL, "unix ms"},                                           \
		{"approved_at", FT_INT, NUL, 0, 0, NULL, "unix ms"},                                        \
		{"sent_at", FT_INT, NUL, 0, 0, NULL, "unix ms"},                                            \
		{"recalled_at", FT_INT, NUL, 0, 0, NULL, "unix ms"},                                        \
	{                                                                                                   \
		"version", FT_INT, 0, 0, 0, NULL, "version for If-Match"                                    \
	}
static const struct field s_notice[] = {
	NOTICE_FIELDS,
	{"body", FT_STRING, 0, 0, 20000, NULL, "Markdown as written"},
	{"body_html", FT_STRING, 0, 0, 0, NULL, "the body rendered to safe HTML"},
	{"targets", FT_OBJECT, 0, 0, 0, "notice_targets", "chosen organizations and rules"},
	{0},
};
static const struct field s_notice_row[] = {
	NOTICE_FIELDS,
	{"receipts", FT_OBJECT, 0, 0, 0, "receipt_counts", "receipts, forwards included"},
	{0},
};
static const struct field s_target_preview[] = {
	{"count", FT_INT, 0, 0, 0, NULL, "distinct open organizations the targets reach today"},
	{"items", FT_ARRAY, 0, 0, 0, "notice_org", "the first of them in code order"},
	{0},
};
static const struct field s_notice_branch[] = {
	{"id", FT_INT, 0, 0, 0, NULL, "a child of `under`"},
	{"code", FT_STRING, 0, 1, 32, NULL, "its code"},
	{"name", FT_STRING, 0, 1, 200, NULL, "its name"},
	{"level", FT_CODE, 0, 0, 0, codelist_org_level.name, "its level"},
	{"type", FT_CODE, 0, 0, 0, codelist_org_type.name, "its type"},
	{"total", FT_INT, 0, 0, 0, NULL, "recipients in its subtree"},
	{"unread", FT_INT, 0, 0, 0, NULL, "unread"},
	{"read", FT_INT, 0, 0, 0, NULL, "read"},
	{"acknowledged", FT_INT, 0, 0, 0, NULL, "acknowledged"},
	{0},
};
static const struct field s_notice_receipts[] = {
	{"under", FT_INT, 0, 0, 0, NULL, "the organization broken down"},
	{"all", FT_OBJECT, 0, 0, 0, "receipt_counts", "every recipient, forwards included"},
	{"within", FT_OBJECT, 0, 0, 0, "receipt_counts", "recipients in the subtree of under"},
	{"self", FT_OBJECT, 0, 0, 0, "receipt_counts", "under itself as a recipient"},
	{"outside", FT_OBJECT, 0, 0, 0, "receipt_counts",
	 "recipients outside the issuer's subtree (guided-by)"},
	{"branches", FT_ARRAY, 0, 0, 0, "notice_branch", "per child of under, in code order"},
	{0},
};
static const struct field s_notice_recipient[] = {
	{"org", FT_OBJECT, 0, 0, 0, "notice_org", "the recipient"},
	{"via_id", FT_INT, 0, 0, 0, NULL, "the notice it came through (this one or a forward)"},
	{"via_number", FT_STRING, NUL, 0, 100, NULL, "that notice's number"},
	{"state", FT_CODE, 0, 0, 0, codelist_receipt_state.name, "unread, read, acknowledged"},
	{"read_at", FT_INT, NUL, 0, 0, NULL, "first read, unix ms"},
	{"read_by", FT_STRING, NUL, 0, 100, NULL, "who read it first"},
	{"ack_at", FT_INT, NUL, 0, 0, NULL, "acknowledged, unix ms"},
	{"ack_by", FT_STRING, NUL, 0, 100, NULL, "who acknowledged it"},
	{"forwarded_id", FT_INT, NUL, 0, 0, NULL, "the recipient's forward of it"},
	{0},
};
#define INBOX_FIELDS                                                                                    \
	{"notice_id", FT_INT, 0, 0, 0, NULL, "the notice"},                                             \
		{"org_id", FT_INT, 0, 0, 0, NULL, "the issuing organization"},                          \
		{"org_name", FT_STRING, 0, 0, 200, NULL, "its name"},                                   \
		{"number", FT_STRING, NUL, 0, 100, NULL, "document number"},                            \
		{"title", FT_STRING, 0, 1, 200, NULL, "title"},                                         \
		{"state", FT_CODE, 0, 0, 0, codelist_receipt_state.name, "unread, read, acknowledged"}, \
		{"withdrawn", FT_BOOL, 0, 0, 0, NULL, "the sender recalled it"},                        \
		{"receipt_required", FT_BOOL, 0, 0, 0, NULL, "acknowledgement asked for"},              \
		{"sent_at", FT_INT, 0, 0, 0, NULL, "unix ms"},                                          \
		{"deadline_at", FT_INT, NUL, 0, 0, NULL, "unix ms"},                                    \
		{"read_at", FT_INT, NUL, 0, 0, NULL, "unix ms"},                                        \
		{"read_by", FT_STRING, NUL, 0, 100, NULL, "who"},                                       \
		{"ack_at", FT_INT, NUL, 0, 0, NULL, "unix ms"},                                         \
		{"ack_by", FT_STRING, NUL, 0, 100, NULL, "who"},                                        \
		{"forwarded_id", FT_INT, NUL, 0, 0, NULL, "this org's forward of it"},                  \
	{                                                                                               \
		"parent_id", FT_INT, NUL, 0, 0, NULL, "the notice it forwards"                          \
	}
static const struct field s_inbox_item[] = {INBOX_FIELDS, {0}};
static const struct field s_inbox_entry[] = {
	INBOX_FIELDS,
	{"notice", FT_OBJECT, 0, 0, 0, "notice_row", "the notice (body_html included, targets not)"},
	{0},
};
static const struct field s_notice_config[] = {
	{"org_id", FT_INT, 0, 0, 0, NULL, "the organization"},
	{"prefix", FT_STRING, 0, 1, 32, NULL, "document-number prefix (X科协发)"},
	{"approval_required", FT_BOOL, 0, 0, 0, NULL, "notices are approved by an administrator first"},
	{"version", FT_INT, 0, 0, 0, NULL, "version for If-Match (0: never set)"},
	{0},
};
static const struct field s_rendered[] = {
	{"html", FT_STRING, 0, 0, 0, NULL, "safe HTML"},
	{0},
};

static const struct {
	const char *name;
	const struct field *fields;
} shapes[] = {
	{"org", s_org},
	{"counts", s_counts},
	{"period", s_period},
	{"history", s_history},
	{"links", s_links},
	{"closed", s_closed},
	{"health", s_health},
	{"about", s_about},
	{"accepted", s_accepted},
	{"region", s_region},
	{"regions", s_regions},
	{"grant", s_grant},
	{"caller", s_caller},
	{"session", s_session},
	{"token", s_token},
	{"new_token", s_new_token},
	{"account_row", s_account_row},
	{"account_page", s_account_page},
	{"account_grant", s_account_grant},
	{"account", s_account},
	{"sessions_ended", s_sessions_ended},
	{"post_request", s_post_request},
	{"audit", s_audit},
	{"document", s_document},
	{"code_item", s_code_item},
	{"codes", s_codes},
	{"year_stats", s_year_stats},
	{"org_change", s_org_change},
	{"todo_item", s_todo_item},
	{"job", s_job},
	{"job_error", s_job_error},
	{"job_accepted", s_job_accepted},
	{"import_column", s_import_column},
	{"import_preview", s_import_preview},
	{"person", s_person},
	{"revealed", s_revealed},
	{"membership", s_membership},
	{"payment", s_payment},
	{"member_term", s_member_term},
	{"member_config", s_member_config},
	{"consent", s_consent},
	{"member_unit", s_member_unit},
	{"stored_file", s_stored_file},
	{"stats_month", s_stats_month},
	{"member_stats", s_member_stats},
	{"public_org", s_public_org},
	{"application_receipt", s_application_receipt},
	{"application", s_application},
	{"me_member", s_me_member},
	{"erasure_receipt", s_erasure_receipt},
	{"erasure", s_erasure},
	{"form", s_form},
	{"form_version", s_form_version},
	{"form_check", s_form_check},
	{"submission", s_submission},
	{"submission_rev", s_submission_rev},
	{"submission_diff", s_submission_diff},
	{"notification", s_notification},
	{"notification_count", s_notification_count},
	{"notifications_read", s_notifications_read},
	{"hook_attempt", s_hook_attempt},
	{"hook_delivery", s_hook_delivery},
	{"hook_test", s_hook_test},
	{"notice_org", s_notice_org},
	{"receipt_counts", s_receipt_counts},
	{"notice_targets", s_notice_targets},
	{"notice", s_notice},
	{"notice_row", s_notice_row},
	{"target_preview", s_target_preview},
	{"notice_branch", s_notice_branch},
	{"notice_receipts", s_notice_receipts},
	{"notice_recipient", s_notice_recipient},
	{"inbox_item", s_inbox_item},
	{"inbox_entry", s_inbox_entry},
	{"notice_config", s_notice_config},
	{"rendered", s_rendered},
};

static const struct field *shape_fields(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++)
		if (strlen(shapes[i].name) == len && !strncmp(shapes[i].name, name, len))
			return shapes[i].fields;
	return NULL;
}

static const char *const wrappers[] = {"page:", "before_page:", "items:"};

bool api_reply_known(const char *reply)
{
	if (!reply)
		return false;
	if (!strcmp(reply, "none") || !strcmp(reply, "raw"))
		return true;
	for (size_t i = 0; i < sizeof(wrappers) / sizeof(wrappers[0]); i++)
		if (!strncmp(reply, wrappers[i], strlen(wrappers[i])))
			reply += strlen(wrappers[i]);
	return shape_fields(reply, strlen(reply)) != NULL;
}

static json_t *ref_to(const char *name)
{
	char ref[96];
	snprintf(ref, sizeof(ref), "#/components/schemas/%s", name);
	return json_pack("{s:s}", "$ref", ref);
}

static json_t *schema_of(const struct field *f)
{
	json_t *s = json_object();
	switch (f->type) {
	case FT_INT:
		json_object_set_new(s, "type", json_string("integer"));
		json_object_set_new(s, "format", json_string("int64"));
		if (f->min || f->max) {
			json_object_set_new(s, "minimum", json_integer(f->min));
			json_object_set_new(s, "maximum", json_integer(f->max));
		}
		break;
	case FT_BOOL: json_object_set_new(s, "type", json_string("boolean")); break;
	case FT_OBJECT:
		if (f->values) {
			json_decref(s);
			s = ref_to(f->values);
		} else {
			json_object_set_new(s, "type", json_string("object"));
		}
		break;
	case FT_ARRAY:
		json_object_set_new(s, "type", json_string("array"));
		if (f->values)
			json_object_set_new(s, "items", ref_to(f->values));
		break;
	case FT_DATE:
		json_object_set_new(s, "type", json_string("string"));
		json_object_set_new(s, "format", json_string("date"));
		break;
	case FT_ENUM:
	case FT_CODE: {
		json_object_set_new(s, "type", json_string("string"));
		json_t *e = json_array();
		if (f->type == FT_CODE && f->values) {
			/* a code list: the codes, and the list's name for GET /api/v1/codes */
			const struct codeset *list = codeset_of(f->values);
			for (size_t i = 0; i < list->n; i++)
				json_array_append_new(e, json_string(list->items[i].code));
			json_object_set_new(s, "x-code-list", json_string(list->name));
		}
		const char *p = f->type == FT_CODE ? NULL : f->values;
		while (p && *p) {
			const char *bar = strchr(p, '|');
			size_t len = bar ? (size_t)(bar - p) : strlen(p);
			json_array_append_new(e, json_stringn(p, len));
			p = bar ? bar + 1 : NULL;
		}
		json_object_set_new(s, "enum", e);
		break;
	}
	case FT_STRING:
	default:
		json_object_set_new(s, "type", json_string("string"));
		if (f->min || f->max) {
			json_object_set_new(s, "minLength", json_integer(f->min));
			json_object_set_new(s, "maxLength", json_integer(f->max ? f->max : 1000));
		}
		break;
	}
	if ((f->flags & FF_NULLABLE) && json_object_get(s, "type")) {
		json_t *t = json_object_get(s, "type");
		json_object_set_new(s, "type", json_pack("[O,s]", t, "null"));
		if (json_object_get(s, "enum"))
			json_array_append_new(json_object_get(s, "enum"), json_null());
	}
	if (f->doc)
		json_object_set_new(s, "description", json_string(f->doc));
	return s;
}

/* A request spec (input): the object with its properties, required ones listed. */
static json_t *object_of(const struct field *fields, bool closed)
{
	json_t *props = json_object(), *req = json_array();
	for (const struct field *f = fields; f->name; f++) {
		json_object_set_new(props, f->name, schema_of(f));
		if (f->flags & FF_REQUIRED)
			json_array_append_new(req, json_string(f->name));
	}
	json_t *o = json_pack("{s:s,s:o}", "type", "object", "properties", props);
	if (json_array_size(req) || closed)
		json_object_set_new(o, "required", req);
	else
		json_decref(req);
	if (closed)
		json_object_set_new(o, "additionalProperties", json_false());
	return o;
}

/* A reply shape's schema (every field is in every answer, except those documented as
 * present only sometimes: csrf_token, hidden). */
static json_t *reply_shape(const struct field *fields)
{
	json_t *o = object_of(fields, false);
	json_t *req = json_array();
	for (const struct field *f = fields; f->name; f++)
		if (strcmp(f->name, "csrf_token") && strcmp(f->name, "hidden"))
			json_array_append_new(req, json_string(f->name));
	if (json_array_size(req))
		json_object_set_new(o, "required", req);
	else
		json_decref(req);
	return o;
}

/* The schema of a row's reply: a $ref, or a wrapper around one. */
static json_t *reply_schema(const char *reply)
{
	if (!strncmp(reply, "page:", 5))
		return json_pack("{s:s,s:[s,s],s:{s:{s:s,s:o},s:{s:[s,s],s:s}}}", "type", "object",
				 "required", "items", "next_after", "properties", "items", "type", "array",
				 "items", ref_to(reply + 5), "next_after", "type", "string", "null",
				 "description", "pass as `after` for the next page (null: last page)");
	if (!strncmp(reply, "before_page:", 12))
		return json_pack("{s:s,s:[s,s],s:{s:{s:s,s:o},s:{s:[s,s],s:s}}}", "type", "object",
				 "required", "items", "next_before", "properties", "items", "type", "array",
				 "items", ref_to(reply + 12), "next_before", "type", "integer", "null",
				 "description", "pass as `before` for the next page (null: last page)");
	if (!strncmp(reply, "items:", 6))
		return json_pack("{s:s,s:[s],s:{s:{s:s,s:o}}}", "type", "object", "required", "items",
				 "properties", "items", "type", "array", "items", ref_to(reply + 6));
	return ref_to(reply);
}

/* "/api/v1/regions/{code:str}" -> "/api/v1/regions/{code}" plus path parameters. */
static void convert_path(const char *pattern, char *out, size_t cap, json_t *params)
{
	size_t len = 0;
	for (const char *p = pattern; *p && len + 1 < cap;) {
		if (*p == '{') {
			const char *colon = strchr(p, ':');
			const char *close = strchr(p, '}');
			if (!colon || !close)
				break;
			size_t nlen = (size_t)(colon - p - 1);
			int w = snprintf(out + len, cap - len, "{%.*s}", (int)nlen, p + 1);
			if (w > 0 && (size_t)w < cap - len)
				len += (size_t)w;
			bool is_int = !strncmp(colon + 1, "int", 3);
			json_array_append_new(params, json_pack("{s:s%,s:s,s:b,s:{s:s}}", "name", p + 1, nlen,
								"in", "path", "required", 1, "schema", "type",
								is_int ? "integer" : "string"));
			p = close + 1;
		} else {
			out[len++] = *p++;
		}
	}
	out[len] = '\0';
}

static const char *lower_method(unsigned m)
{
	switch (m) {
	case HM_GET: return "get";
	case HM_POST: return "post";
	case HM_PUT: return "put";
	case HM_PATCH: return "patch";
	case HM_DELETE: return "delete";
	default: return NULL;
	}
}

/* Appends word (a path segment, '-' and '.' separating its parts) in CamelCase; a
 * collection named before an id is singular ("orgs/{id}" -> "Org"). */
static void camel(char *out, size_t cap, const char *seg, size_t len, bool singular)
{
	if (singular && len > 1 && seg[len - 1] == 's')
		len--;
	size_t n = strlen(out);
	bool up = true;
	for (size_t i = 0; i < len && n + 1 < cap; i++) {
		if (seg[i] == '-' || seg[i] == '.' || seg[i] == '_') {
			up = true;
			continue;
		}
		out[n++] = up ? (char)toupper((unsigned char)seg[i]) : seg[i];
		up = false;
	}
	out[n] = '\0';
}

/* The operationId: a verb from the method, status and reply, and the path's words
 * (GET /api/v1/orgs/{id:int}/children -> listOrgChildren, POST .../{id:int}/move -> moveOrg). */
void api_operation_id(const struct route *rt, char *out, size_t cap)
{
	const char *p = rt->pattern;
	if (!strncmp(p, "/api/v1/", 8))
		p += 8;
	struct {
		const char *s;
		size_t len;
		bool param;
	} seg[16];
	int n = 0;
	while (*p && n < 16) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		const char *end = strchr(p, '/');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		seg[n].s = p;
		seg[n].len = len;
		seg[n].param = *p == '{';
		n++;
		p += len;
	}
	int last = n - 1;
	while (last >= 0 && seg[last].param)
		last--;
	bool action = rt->method == HM_POST && rt->status == 200 && last > 0 && seg[last - 1].param &&
		      last == n - 1;
	const char *verb = "get";
	char vbuf[32] = "";
	switch (rt->method) {
	case HM_GET:
		verb = rt->reply && (strchr(rt->reply, ':') || !strcmp(rt->reply, "regions") ||
				     !strcmp(rt->reply, "account_page"))
			       ? "list"
			       : "get";
		break;
	case HM_PATCH: verb = "update"; break;
	case HM_DELETE: verb = "delete"; break;
	default: verb = action ? NULL : rt->status == 204 ? "set" : "create";
	}
	if (!verb) {
		snprintf(vbuf, sizeof(vbuf), "%.*s", (int)seg[last].len, seg[last].s);
		verb = vbuf;
	}
	snprintf(out, cap, "%s", verb);
	int upto = action ? last - 1 : n - 1;
	for (int i = 0; i <= upto; i++) {
		if (seg[i].param)
			continue;
		bool before_id = i + 1 < n && seg[i + 1].param;
		bool made = rt->method == HM_POST && (rt->status == 201 || rt->status == 202) &&
			    i == last; /* createOrg */
		camel(out, cap, seg[i].s, seg[i].len, before_id || made);
	}
}

/* What the route acts on, for readers of the document (x-object). */
static json_t *objects_of(const struct route *rt)
{
	static const char *const where[] = {"", "path", "query", "body"};
	json_t *arr = json_array();
	for (int i = 0; i < ROUTE_OBJS && rt->obj[i].kind; i++) {
		const struct route_obj *o = &rt->obj[i];
		json_t *j = json_pack("{s:s}", "kind", api_obj_kind_name(o->kind));
		if (o->in)
			json_object_set_new(j, "in", json_string(where[o->in]));
		if (o->name)
			json_object_set_new(j, "name", json_string(o->name));
		const char *perm = o->perm ? o->perm : rt->perm;
		if (perm && o->kind != OBJ_PUBLIC && o->kind != OBJ_SELF)
			json_object_set_new(j, "permission", json_string(perm));
		json_array_append_new(arr, j);
	}
	return arr;
}

static json_t *responses_of(const struct route *rt, bool csv)
{
	char status[16];
	snprintf(status, sizeof(status), "%u", rt->status);
	json_t *ok = json_pack("{s:s}", "description", rt->response);
	if (!strcmp(rt->reply, "raw")) {
		json_object_set_new(ok, "content",
				    json_pack("{s:{s:{s:s}}}", "text/plain", "schema", "type", "string"));
	} else if (strcmp(rt->reply, "none")) {
		json_t *content = json_pack("{s:{s:o}}", "application/json", "schema",
					    reply_schema(rt->reply));
		if (csv)
			json_object_set_new(content, "text/csv",
					    json_pack("{s:{s:s}}", "schema", "type", "string"));
		json_object_set_new(ok, "content", content);
	}
	json_t *responses = json_object();
	json_object_set_new(responses, status, ok);
	json_object_set_new(responses, "default",
			    json_pack("{s:s,s:{s:{s:{s:s}}}}", "description",
				      "error: {\"error\":{\"code\",\"message\",\"request_id\",\"details\"}}",
				      "content", "application/json", "schema", "$ref",
				      "#/components/schemas/Error"));
	return responses;
}

static json_t *operation(const struct route *rt)
{
	json_t *params = json_array();
	bool csv = false;
	char path[512];
	convert_path(rt->pattern, path, sizeof(path), params);
	for (const struct field *f = rt->query; f && f->name; f++) {
		json_array_append_new(params, json_pack("{s:s,s:s,s:b,s:o}", "name", f->name, "in", "query",
							"required", (f->flags & FF_REQUIRED) != 0, "schema",
							schema_of(f)));
		csv = csv || (!strcmp(f->name, "format") && f->values && strstr(f->values, "csv"));
	}
	char opid[160];
	api_operation_id(rt, opid, sizeof(opid));
	json_t *op = json_pack("{s:[s],s:s,s:s,s:o,s:o,s:o}", "tags", rt->tag, "summary", rt->summary,
			       "operationId", opid, "parameters", params, "responses", responses_of(rt, csv),
			       "x-object", objects_of(rt));
	if (rt->why)
		json_object_set_new(op, "x-object-why", json_string(rt->why));
	if (rt->body)
		json_object_set_new(op, "requestBody",
				    json_pack("{s:b,s:{s:{s:o}}}", "required", 1, "content",
					      "application/json", "schema", object_of(rt->body, true)));
	if ((rt->flags & RF_UPLOAD) && rt->upload_types) {
		/* a file as the body: each accepted media type, raw bytes */
		json_t *content = json_object();
		char types[256];
		snprintf(types, sizeof(types), "%s", rt->upload_types);
		for (char *t = types, *next; t && *t; t = next) {
			next = strchr(t, '|');
			if (next)
				*next++ = '\0';
			json_object_set_new(
				content, t,
				json_pack("{s:{s:s,s:s}}", "schema", "type", "string", "format", "binary"));
		}
		json_object_set_new(op, "requestBody",
				    json_pack("{s:b,s:o}", "required", 1, "content", content));
	}
	if (rt->perm)
		json_object_set_new(op, "x-permission", json_string(rt->perm));
	bool guarded = (rt->flags & RF_AUTH) || rt->perm;
	for (int i = 0; i < ROUTE_OBJS && rt->obj[i].kind; i++)
		guarded = guarded || rt->obj[i].kind != OBJ_PUBLIC;
	if (guarded)
		json_object_set_new(op, "security", json_pack("[{s:[]},{s:[]}]", "cookie", "bearer"));
	return op;
}

static bool in_spec(const struct field *spec, const char *name, bool want_int)
{
	for (const struct field *f = spec; f && f->name; f++)
		if (!strcmp(f->name, name))
			return !want_int || f->type == FT_INT;
	return false;
}

/* Is "{name:int}" in the pattern? */
static bool in_pattern(const char *pattern, const char *name)
{
	char want[80];
	snprintf(want, sizeof(want), "{%s:int}", name);
	return strstr(pattern, want) != NULL;
}

static int route_objects_check(const struct route *rt, char *why, size_t cap)
{
	if (!rt->obj[0].kind) {
		if (rt->why && *rt->why)
			return 0;
		snprintf(why, cap, "%s: declares no object (obj) and says not why", rt->pattern);
		return ERR_INVALID;
	}
	for (int i = 0; i < ROUTE_OBJS && rt->obj[i].kind; i++) {
		const struct route_obj *o = &rt->obj[i];
		if (!*api_obj_kind_name(o->kind)) {
			snprintf(why, cap, "%s: object %d has an unknown kind", rt->pattern, i);
			return ERR_INVALID;
		}
		bool placed = o->kind >= OBJ_ORG; /* every kind past the system's names an object by id */
		bool found = o->in == RO_PATH    ? in_pattern(rt->pattern, o->name ? o->name : "")
			     : o->in == RO_QUERY ? in_spec(rt->query, o->name ? o->name : "", true)
			     : o->in == RO_BODY  ? in_spec(rt->body, o->name ? o->name : "", true)
						 : false;
		if (placed != (o->in != RO_NONE) || (placed && !found)) {
			snprintf(
				why, cap,
				"%s: object %d (%s) must name an integer path parameter, query parameter or body field of the route",
				rt->pattern, i, api_obj_kind_name(o->kind));
			return ERR_INVALID;
		}
		if (placed && !(o->perm ? o->perm : rt->perm)) {
			snprintf(why, cap, "%s: object %d needs a permission", rt->pattern, i);
			return ERR_INVALID;
		}
	}
	return 0;
}

int api_route_check(const struct route *rt, char *why, size_t cap)
{
	if (!lower_method(rt->method) || !rt->summary || !*rt->summary || !rt->tag || !*rt->tag ||
	    !rt->response || !*rt->response) {
		snprintf(why, cap, "%s: lacks a method, summary, tag or response text", rt->pattern);
		return ERR_INVALID;
	}
	if (rt->status != 200 && rt->status != 201 && rt->status != 202 && rt->status != 204) {
		snprintf(why, cap, "%s: success status must be 200, 201, 202 or 204", rt->pattern);
		return ERR_INVALID;
	}
	if (!api_reply_known(rt->reply) || (rt->status == 204) != !strcmp(rt->reply, "none") ||
	    ((rt->flags & RF_RAW) != 0) != !strcmp(rt->reply, "raw")) {
		snprintf(why, cap, "%s: reply shape %s is unknown or does not fit the status and flags",
			 rt->pattern, rt->reply ? rt->reply : "(none)");
		return ERR_INVALID;
	}
	return route_objects_check(rt, why, cap);
}

json_t *api_openapi(const char *version, char *why, size_t cap)
{
	json_t *paths = json_object();
	for (size_t i = 0; i < api_routes_count; i++) {
		const struct route *rt = &api_routes[i];
		const char *m = lower_method(rt->method);
		if (api_route_check(rt, why, cap)) {
			json_decref(paths);
			return NULL;
		}
		char path[512];
		json_t *ignore = json_array();
		convert_path(rt->pattern, path, sizeof(path), ignore);
		json_decref(ignore);
		json_t *item = json_object_get(paths, path);
		if (!item) {
			item = json_object();
			json_object_set_new(paths, path, item);
		}
		json_object_set_new(item, m, operation(rt));
	}
	json_t *schemas = json_object();
	for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++)
		json_object_set_new(schemas, shapes[i].name, reply_shape(shapes[i].fields));
	json_object_set_new(
		schemas, "Error",
		json_pack("{s:s,s:[s],s:{s:{s:s,s:[s,s,s],s:{s:{s:s},s:{s:s},s:{s:s},s:{s:s,s:{s:s}}}}}}",
			  "type", "object", "required", "error", "properties", "error", "type", "object",
			  "required", "code", "message", "request_id", "properties", "code", "type", "string",
			  "message", "type", "string", "request_id", "type", "string", "details", "type",
			  "array", "items", "type", "object"));
	json_t *doc = json_pack("{s:s,s:{s:s,s:s,s:s},s:o,s:{s:o,s:{s:{s:s,s:s,s:s},s:{s:s,s:s}}}}",
				"openapi", "3.1.0", "info", "title", "kexie API", "version", version,
				"description", "JSON API of kexie, generated from the server's route table.",
				"paths", paths, "components", "schemas", schemas, "securitySchemes", "cookie",
				"type", "apiKey", "in", "cookie", "name", "kexie_session", "bearer", "type",
				"http", "scheme", "bearer");
	/* the code lists with their words (what GET /api/v1/codes serves): the web app's
	 * compiled-in words are generated from here, so there is one list per code */
	json_t *lists = json_object();
	size_t nl = 0;
	const struct codeset *const *all = codelist_all(&nl);
	for (size_t i = 0; i < nl; i++) {
		json_t *items = json_array();
		for (size_t k = 0; k < all[i]->n; k++)
			json_array_append_new(items,
					      json_pack("{s:s,s:s,s:s}", "code", all[i]->items[k].code, "zh",
							all[i]->items[k].zh, "en", all[i]->items[k].en));
		json_object_set_new(lists, all[i]->name, items);
	}
	json_object_set_new(doc, "x-code-lists", lists);
	return doc;
}
