/*
 * audit.h - the tamper-evident audit trail.
 *
 * Every write appends one record in the same transaction as the write (audit_append takes
 * the caller's connection). Records are chained with a key: each carries the HMAC-SHA-256,
 * under a key derived from the server key (DATA_DIR/kexie.key), of the previous record's
 * link and its own canonical content, so changing, deleting or reordering any record
 * breaks the chain from that point, and someone who holds the database but not the key
 * cannot compute a new chain. The newest records are protected by checkpoints: signed
 * (Ed25519, seed derived from the server key) statements "the trail reached record N
 * with link H", written to the log and to DATA_DIR/audit.checkpoint, which verification
 * compares with the table, so removing records from the end shows too.
 *
 * A record about an account (sign-ins, password changes, sessions, tokens, roles) carries
 * the orgs of the account's roles (audit_org), so subtree filters find it.
 */
#ifndef KEXIE_CORE_AUDIT_H
#define KEXIE_CORE_AUDIT_H

#include "base/jsonw.h"
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
	const char *object_id; /* NULL = "" */
	int64_t org_id;        /* 0 = none */
	const char *detail;    /* changed fields; never a sensitive value in clear */
	/* The account the record is about: the orgs of its roles are recorded with it.
	 * 0 = none, except that object_type "user" with a numeric object_id names one. */
	int64_t subject_id;
};

/* The detail of a record: a JSON object of changed fields, built in a fixed buffer by the
 * one JSON writer (base/jsonw.h). A change is "field": [old, new] (null for none); a
 * sensitive field is recorded as "field": "changed", never its value; a fact is
 * "key": value. Strings are escaped; a detail that would not fit ends with
 * "truncated": true instead of breaking the JSON. Nothing here fails or allocates: a
 * member that does not fit whole is left out (and marks the detail truncated). The struct
 * points into itself: never copy one, declare it where it is used. */
struct audit_diff {
	char s[1536];
	struct jsonw w; /* writes into s (base/jsonw.h, fixed backing) */
	int items;
	bool full;
};
void audit_diff_init(struct audit_diff *d);
/* Adds field: [old, new] when they differ (NULL or "" = none). */
void audit_diff_change(struct audit_diff *d, const char *field, const char *old, const char *nw);
/* Adds field: "changed" (a secret is recorded as changed, never in any form). */
void audit_diff_secret(struct audit_diff *d, const char *field);
/* Adds key: "v" (NULL is recorded as ""), key: v as a number, key: true / false. */
void audit_diff_str(struct audit_diff *d, const char *key, const char *v);
void audit_diff_int(struct audit_diff *d, const char *key, int64_t v);
void audit_diff_bool(struct audit_diff *d, const char *key, bool v);
/* The JSON text ("{}" when nothing was added), owned by d and valid while d is. Closes
 * the object: call it once everything is added (later adds are ignored). */
const char *audit_diff_text(struct audit_diff *d);
/* The members added (a truncation mark not counted). */
int audit_diff_count(const struct audit_diff *d);

/* Appends e inside the caller's open write transaction. The connection's store must have
 * its owner set to the app (store_set_owner), whose key chains the record. Returns 0 or a
 * store error (the caller then rolls back the write too); ERR_DB when the store has no
 * owner or the trail is not keyed yet (audit_prepare keys it); ERR_TOOBIG when the record
 * would carry more than 256 orgs. */
int audit_append(struct conn *c, const struct audit_entry *e);

/* audit_append for the common shape: who did action to the object of type `type` with id
 * id (written as its decimal digits), recorded at org_id (0: none), with detail (NULL:
 * none). Returns audit_append's code. */
int audit_object(struct conn *c, const struct audit_entry *who, const char *action, const char *type,
		 int64_t id, int64_t org_id, const char *detail);

/* The stored form of a login that matched no account: a keyed hash (32 hex digits + NUL),
 * the same for the same text, so repeated attempts on one name correlate while the text
 * (often a password typed in the wrong field) is never kept. */
void audit_login_hash(const struct app *a, const char *login, char out[33]);

/* Appends e in a transaction of its own: for events that change nothing else (an export, a
 * download of personal data). Returns 0 or a store error. */
int audit_record(struct app *a, const struct audit_entry *e);

/* Appends the n entries e[0..n) in order inside the caller's open write transaction, as n
 * calls of audit_append would (the same records, orgs and chain), with one update of the
 * head and multi-row inserts of up to per_stmt rows: for bulk imports. Returns 0 or a store
 * error. */
int audit_append_many(struct conn *c, const struct audit_entry *e, size_t n, int per_stmt);

/* ---- the chain: verification, checkpoints, keying, retention (audit_chain.c) ---- */

/* A checkpoint: the trail had reached record seq, whose link is hash, at `at`. Its text
 * form, one line, is "kexie-audit-checkpoint v1 seq=N hash=HEX at=ISO sig=HEX". */
struct audit_checkpoint {
	int64_t seq;
	char hash[65];
	char at[32];
	char line[320];
};

struct audit_verify_result {
	int64_t count;              /* records checked */
	int64_t bad_seq;            /* the first broken record, or the expected next one */
	int64_t head_seq;           /* records ever written (the head) */
	int64_t pruned_seq;         /* records removed by retention */
	bool has_checkpoint;        /* a checkpoint was compared */
	struct audit_checkpoint cp; /* the newest one compared */
	char why[256];              /* why the trail is broken ("" when intact) */
};

/* Walks the whole chain, checking each link with the key, the pruning mark and the
 * checkpoint in a->data_dir (when there is one) plus extra_line (a checkpoint line taken
 * from the log; NULL for none). Returns 0 when intact; ERR_CONFLICT when broken (out->why
 * says how: altered, missing, re-chained, removed after a checkpoint, a checkpoint whose
 * signature fails); or a store error. */
int audit_verify_full(struct app *a, const char *extra_line, struct audit_verify_result *out);

/* audit_verify_full with the data dir's checkpoint only, for callers that need the count
 * and the first broken record: *count, *bad_seq and a reason in why (cap bytes). The same
 * returns; ERR_CONFLICT means broken, where *bad_seq is the first bad record or, when the
 * break is the checkpoint, 0. */
int audit_verify(struct app *a, int64_t *count, int64_t *bad_seq, char *why, size_t cap);

/* Writes a checkpoint of the current head to a->data_dir/audit.checkpoint (atomically,
 * mode 0600) and logs its line, after checking every record since the previous checkpoint
 * (or all of them, the first time): a checkpoint never certifies a trail that lost records
 * or links the key did not make. *out gets the checkpoint now in force; *wrote says
 * whether a new one was written (false when the head has not moved). ERR_CONFLICT with a
 * reason in why when the trail does not extend the previous checkpoint (it stays). */
int audit_checkpoint(struct app *a, struct audit_checkpoint *out, bool *wrote, char *why, size_t cap);

/* Before serving: keys a trail written before keyed chains (chain 'sha256' in audit_head)
 * once, recording audit.rekey, and writes a checkpoint. *rekeyed counts the records
 * re-chained (0 when nothing was to do). Refuses (ERR_CONFLICT, why) to re-chain when the
 * data dir already holds a checkpoint: the trail was keyed before, so an unkeyed chain
 * means someone replaced it. A checkpoint that cannot be written (the trail does not
 * extend the last one, the data dir is not writable) is not an error here: why says it. */
int audit_prepare(struct app *a, int64_t *rekeyed, char *why, size_t cap);

/* A thread that writes a checkpoint every `seconds` while the head moves (and once more
 * when stopped), logging a trail that stops verifying once per new problem. Start returns
 * 0 with *out (stop it with audit_checkpointer_stop), or ERR_NOMEM (also when the thread
 * cannot start) with *out untouched. */
struct audit_checkpointer;
int audit_checkpointer_start(struct app *a, int seconds, struct audit_checkpointer **out);
void audit_checkpointer_stop(struct audit_checkpointer *cp); /* NULL is fine */

/* Removes the records older than a->policy.audit_retention_days (never fewer than 180)
 * from the start of the chain, and records the pruning (audit.prune, naming whether the
 * removed records verified). Refuses (ERR_CONFLICT, why) when the records kept do not
 * verify or do not reach the checkpoint: pruning never hides a break. Moves the
 * authenticated pruning mark and writes a checkpoint, so the trail verifies afterwards.
 * *removed counts the records; cutoff receives the first day kept (YYYY-MM-DD). */
int audit_prune(struct app *a, const struct audit_entry *who, int64_t *removed, char cutoff[16], char *why,
		size_t cap);

/* One record as read back. Strings point into the row (valid during the callback). */
struct audit_row {
	int64_t seq;
	const char *at, *login, *role, *via, *request_id, *client_addr, *action, *object_type, *object_id,
		*org_code, *detail;
};

/* Filters; NULL / 0 = any. `under` limits to records one of whose orgs (the object's, or
 * the roles' of the account the record is about) is in that subtree (as of today). login
 * matches the acting account and failed sign-ins naming that login when no account has it
 * (by its keyed hash). Records come newest first, seq < before_seq when before_seq > 0. */
struct audit_query {
	const char *from, *to; /* YYYY-MM-DD, inclusive, UTC */
	const char *login, *action, *object_type, *object_id;
	int64_t under;
	int64_t before_seq;
	int limit;
};

/* Calls fn for each matching record (at most q->limit, 100 when 0); fn's non-zero return
 * stops the walk and is returned. *last_seq gets the last seq given to fn (0 when none;
 * set on failure too, for the rows seen). from / to are compared as text (the route
 * validates them as dates); a store error passes up. */
int audit_list(struct app *a, const struct audit_query *q, int (*fn)(const struct audit_row *r, void *arg),
	       void *arg, int64_t *last_seq);

#endif
