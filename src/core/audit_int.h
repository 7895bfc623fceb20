/*
 * audit_int.h - what the two files of the audit trail share (audit.c: appending, listing,
 * diffs; audit_chain.c: verifying, re-chaining, pruning, checkpoints). Other modules use
 * audit.h.
 *
 * The keys: every key of the trail is derived from the server key (DATA_DIR/kexie.key)
 * with libsodium's crypto_kdf (context "kxaudit1"), one per purpose, so none of them can
 * stand in for another and none reveals the server key.
 */
#ifndef KEXIE_CORE_AUDIT_INT_H
#define KEXIE_CORE_AUDIT_INT_H

#include "core/audit.h"

#include <stdint.h>

#define AUDIT_HASH_HEX    65  /* 64 hex digits + NUL */
#define AUDIT_ORGS_MAX    256 /* orgs one record may carry (the account's roles + the object's) */
#define AUDIT_CHAIN_KEYED "hmac-sha256"
#define AUDIT_ZERO_HASH   "0000000000000000000000000000000000000000000000000000000000000000"

enum audit_key_id {
	AUDIT_KEY_CHAIN = 1,      /* HMAC-SHA-256 of each record */
	AUDIT_KEY_CHECKPOINT = 2, /* Ed25519 seed for checkpoints */
	AUDIT_KEY_LOGIN = 3,      /* keyed BLAKE2b of unknown logins */
	AUDIT_KEY_PRUNE = 4,      /* HMAC of the pruning mark in audit_head */
};

/* Derives the key for one purpose from the 32-byte server key into out (32 bytes). */
void audit_subkey(const unsigned char key[32], enum audit_key_id id, unsigned char out[32]);

/* One record as chained. orgs: the record's org ids ascending, comma-separated ("" for
 * none). Strings are borrowed; NULL counts as "". */
struct audit_record {
	int64_t seq;
	const char *at;
	int64_t user_id;
	const char *role, *via, *request_id, *client_addr, *action, *object_type, *object_id;
	int64_t org_id;
	const char *detail;
	const char *orgs;
};

/* The keyed link: hex(HMAC-SHA-256(chain_key, prev_hex || canonical v2)). Canonical:
 * "kexie-audit-v2\n", then each field as "<length>:<bytes>\n" in a fixed order (so no
 * choice of values makes two records serialise alike). */
void audit_record_mac(const unsigned char chain_key[32], const struct audit_record *r, const char *prev,
		      char out[AUDIT_HASH_HEX]);

/* The unkeyed link of before (hex(SHA-256(prev_hex || canonical v1)), no orgs), only to
 * check a trail being re-chained. */
void audit_record_hash_v1(const struct audit_record *r, const char *prev, char out[AUDIT_HASH_HEX]);

/* The app a connection's store belongs to (store_set_owner), or NULL. */
const struct app *audit_app_of(struct conn *c);

#endif
