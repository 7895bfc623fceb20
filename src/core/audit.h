/*
 * audit.h - the tamper-evident audit trail.
 *
 * Every write appends one record in the same transaction as the write (audit_append takes
 * the caller's connection). Records are hash-chained: each carries the SHA-256 of the
 * previous record's hash and its own canonical content, so changing, deleting or
 * reordering any record breaks the chain from that point, and audit_verify names it.
 */
#ifndef KEXIE_CORE_AUDIT_H
#define KEXIE_CORE_AUDIT_H

#include "core/app.h"
#include "base/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct conn;

struct audit_entry {
	int64_t user_id;         /* 0 = none (system, CLI) */
	const char *role;        /* NULL = "" */
	const char *via;         /* "session", "token", "cli", "system" */
	const char *request_id;  /* NULL = "" */
	const char *client_addr; /* NULL = "" */
	const char *action;      /* "region.import", "org.move", ... */
	const char *object_type;
	const char *object_id;   /* NULL = "" */
	int64_t org_id;          /* 0 = none */
	const char *detail;      /* changed fields; never a sensitive value in clear */
};

/* The detail of a record: a JSON object of changed fields, built in a fixed buffer.
 * A change is "field": [old, new] (null for none); a sensitive field is recorded as
 * "field": "changed", never its value; a fact is "key": value. Strings are escaped;
 * a detail that would not fit ends with "truncated": true instead of breaking the JSON. */
struct audit_diff {
	char s[1536];
	size_t n;
	int items;
	bool full;
};
void audit_diff_init(struct audit_diff *d);
/* Adds field: [old, new] when they differ (NULL or "" = none). */
void audit_diff_change(struct audit_diff *d, const char *field, const char *old, const char *nw);
void audit_diff_secret(struct audit_diff *d, const char *field);
void audit_diff_str(struct audit_diff *d, const char *key, const char *v);
void audit_diff_int(struct audit_diff *d, const char *key, int64_t v);
/* The JSON text ("{}" when nothing was added). */
const char *audit_diff_text(struct audit_diff *d);
int audit_diff_count(const struct audit_diff *d);

/* Appends e inside the caller's open write transaction. Returns 0 or a store error
 * (the caller then rolls back the write too). */
int audit_append(struct conn *c, const struct audit_entry *e);

/* Appends e in a transaction of its own: for events that change nothing else (an export, a
 * download of personal data). Returns 0 or a store error. */
int audit_record(struct app *a, const struct audit_entry *e);

/* Appends the n entries e[0..n) in order inside the caller's open write transaction, as n
 * calls of audit_append would (the same records and chain), with one update of the head and
 * multi-row inserts of up to per_stmt rows: for bulk imports. Returns 0 or a store error. */
int audit_append_many(struct conn *c, const struct audit_entry *e, size_t n, int per_stmt);

/* Walks the whole chain. Returns 0 with *count records when intact; ERR_CONFLICT with
 * *bad_seq (the first broken record, or the expected next one when records are missing)
 * and a reason in why; or a store error. */
int audit_verify(struct app *a, int64_t *count, int64_t *bad_seq, char *why, size_t cap);

/* Removes the records older than a->policy.audit_retention_days (never fewer than 180)
 * from the start of the chain, keeping it verifiable, and records the pruning. *removed
 * counts them; cutoff receives the first day kept (YYYY-MM-DD). */
int audit_prune(struct app *a, const struct audit_entry *who, int64_t *removed, char cutoff[16]);

/* One record as read back. Strings point into the row (valid during the callback). */
struct audit_row {
	int64_t seq;
	const char *at, *login, *role, *via, *request_id, *client_addr, *action, *object_type,
		*object_id, *org_code, *detail;
};

/* Filters; NULL / 0 = any. `under` limits to records whose org is in that subtree
 * (as of today). Records come newest first, seq < before_seq when before_seq > 0. */
struct audit_query {
	const char *from, *to; /* YYYY-MM-DD, inclusive, UTC */
	const char *login, *action, *object_type, *object_id;
	int64_t under;
	int64_t before_seq;
	int limit;
};

/* Calls fn for each matching record; *last_seq gets the last seq seen (for paging). */
int audit_list(struct app *a, const struct audit_query *q,
	       int (*fn)(const struct audit_row *r, void *arg), void *arg, int64_t *last_seq);

#endif
