/*
 * audit.h - the tamper-evident audit trail.
 *
 * Every write appends one record in the same transaction as the write (audit_append takes
 * the caller's connection). Records are hash-chained: each carries the SHA-256 of the
 * previous record's hash and its own canonical content, so changing, deleting or
 * reordering any record breaks the chain from that point, and audit_verify names it.
 */
#ifndef KEXIE_DOMAIN_AUDIT_H
#define KEXIE_DOMAIN_AUDIT_H

#include "domain/app.h"
#include "base/err.h"

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

/* Appends e inside the caller's open write transaction. Returns 0 or a store error
 * (the caller then rolls back the write too). */
int audit_append(struct conn *c, const struct audit_entry *e);

/* Walks the whole chain. Returns 0 with *count records when intact; ERR_CONFLICT with
 * *bad_seq (the first broken record, or the expected next one when records are missing)
 * and a reason in why; or a store error. */
int audit_verify(struct app *a, int64_t *count, int64_t *bad_seq, char *why, size_t cap);

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
