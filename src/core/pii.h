/*
 * pii.h - personal data at rest: the one mechanism every module that stores an ID number
 * or a mobile number uses (issue 12, docs/security.md "Personal data").
 *
 * A value is sealed with libsodium's secretbox (XSalsa20-Poly1305) under a key derived
 * from the server key (app->key, DATA_DIR/kexie.key) for one (key version, purpose) pair,
 * and stored as portable TEXT:
 *
 *     <version>$<base64url without padding of nonce(24) || mac(16) || ciphertext>
 *
 * e.g. "1$q4V...". The version is decimal without leading zeros. Because the key depends
 * on both the version and the purpose, a value moved to another column (an ID number into
 * the mobile column), or given another version prefix, fails authentication like any
 * tampered value. Plaintexts are valid UTF-8 of at most PII_PLAIN_MAX bytes.
 *
 * Lookups and deduplication go through a blind index: hex(keyed BLAKE2b-256) of the
 * canonical value, with a key per purpose. The blind-index keys are NOT versioned: the
 * index of a value must stay the same whatever key version encrypted it, so exact lookups
 * and unique constraints keep working through a rekey without touching the index column,
 * and rows sealed by an older server meet rows sealed by a newer one. Rotating them would
 * mean recomputing every index from the decrypted values into a new column and switching
 * lookups over in one migration (a unique index cannot hold two schemes at once); replacing
 * kexie.key itself does exactly that to every derived key, so it is not a rekey.
 *
 * Keys are derived per call (crypto_kdf, one BLAKE2b) into a stack buffer and wiped with
 * sodium_memzero before returning, so no derived key outlives the call that needs it and
 * there is nothing for a caller to free.
 *
 * The current key version lives in the table pii_key (db/migrations/0021_pii.sql). Writers
 * read it with pii_current() inside the transaction that writes the value; `kexie member
 * rekey` (others build the command) calls pii_rekey(), which bumps it once and re-encrypts
 * older values in short batches while the server keeps running.
 *
 * Nothing here logs, and no error path copies a value (plain or sealed) anywhere: outputs
 * are cleared on failure and the codes say only what kind of failure it was.
 */
#ifndef KEXIE_CORE_PII_H
#define KEXIE_CORE_PII_H

#include "core/app.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct conn;
struct store;

/* What a value is. The number goes into the key derivation: never renumber or reuse one.
 * A module storing personal data in a new column adds its purpose here. */
enum pii_purpose {
	PII_PERSON_ID_NUMBER = 1, /* person.id_number: GB 11643 canonical form (codes.h) */
	PII_PERSON_MOBILE = 2,    /* person.mobile: canonical 11 digits (codes.h) */
};
#define PII_PURPOSE_MAX 0xffff /* purposes are 1..PII_PURPOSE_MAX */

#define PII_PLAIN_MAX   256         /* bytes of plaintext */
#define PII_VERSION_MAX 0x7fffffffu /* versions are 1..PII_VERSION_MAX */
/* Bytes a sealed value needs with its NUL: 10 version digits, '$', base64 of
 * 24 + 16 + PII_PLAIN_MAX bytes (4 characters per 3 bytes, rounded up), NUL. */
#define PII_SEALED_MAX (10 + 1 + ((24 + 16 + PII_PLAIN_MAX) * 4 + 2) / 3 + 1)
#define PII_BLIND_HEX  65 /* 64 hex digits of the blind index and its NUL */

/* Which versions a reader accepts: 1..current minus those below retired_below. */
struct pii_ring {
	uint32_t current;       /* the version new values are sealed under */
	uint32_t retired_below; /* values under an older version are refused (1: none retired) */
	bool rekeying;          /* a rekey to `current` has begun and not finished */
};

/* Name of a purpose for messages ("person.id_number"), or NULL for an unknown one. */
const char *pii_purpose_name(enum pii_purpose p);

/* Seals plain[0..n) (valid UTF-8, n <= PII_PLAIN_MAX; n == 0 is allowed) for purpose p
 * under key version `version` into out (cap >= PII_SEALED_MAX is always enough), NUL-
 * terminated. Borrows everything. Returns 0; ERR_INVALID for version 0 or above
 * PII_VERSION_MAX, an unknown purpose or invalid UTF-8; ERR_TOOBIG when n > PII_PLAIN_MAX
 * or cap is too small; ERR_INTERNAL if libsodium fails. On failure out holds "" (when
 * cap > 0). The nonce is random: sealing the same value twice gives different text. */
int pii_seal(const struct app *a, uint32_t version, enum pii_purpose p, const char *plain, size_t n,
	     char *out, size_t cap);

/* Opens sealed[0..n) for purpose p into out (cap >= PII_PLAIN_MAX + 1 is always enough),
 * NUL-terminated, its length in *len (may be NULL). ring says which versions are valid.
 * Borrows everything. Returns 0; ERR_INVALID when the text is not in the stored format;
 * ERR_KEYVERSION when its version is above ring->current or below ring->retired_below;
 * ERR_FORGED when authentication fails (tampered text, another purpose's or another
 * version's value, another server key); ERR_TOOBIG when cap is too small. On failure out
 * holds "" (when cap > 0), *len is 0, and any partial plaintext has been wiped. */
int pii_open(const struct app *a, const struct pii_ring *ring, enum pii_purpose p, const char *sealed,
	     size_t n, char *out, size_t cap, size_t *len);

/* The key version of a sealed value, without opening it. Returns 0 with *version set, or
 * ERR_INVALID when the prefix is not "<1..PII_VERSION_MAX>$" (*version is then 0). */
int pii_version_of(const char *sealed, size_t n, uint32_t *version);

/* The blind index of value[0..n) for purpose p: 64 lowercase hex digits of BLAKE2b-256
 * keyed per purpose, deterministic for one server key, into out. value must already be
 * the canonical form the module stores (person_id_normalize, person_mobile_normalize in core/personfield.h):
 * variants of one number then meet in one index. Returns 0; ERR_INVALID for an unknown
 * purpose (out then holds ""). */
int pii_blind(const struct app *a, enum pii_purpose p, const char *value, size_t n, char out[PII_BLIND_HEX]);

/* Reads the key ring (one row of pii_key) on any connection, a read replica's too.
 * Returns 0 with *out filled, ERR_NOTFOUND when the migration has not run, or a store
 * error (then *out is zeroed). */
int pii_ring_read(struct conn *c, struct pii_ring *out);

/* The version to seal under, for a write: call it inside the write transaction that
 * stores the value, never cache it across transactions. On PostgreSQL it holds a share
 * lock on the pii_key row until that transaction ends, so a rekey's bump waits for the
 * writes that read the old version and every later write sees the new one (SQLite has one
 * writer at a time, which gives the same order). Returns 0 with *version set, or as
 * pii_ring_read (then *version is 0). Not on a read-only connection. */
int pii_current(struct conn *c, uint32_t *version);

/* ---- masking for answers (server side, by default) ----
 *
 * Counting is in code points, never bytes, and a character is never split: each hidden
 * code point becomes one '*'. A value longer than head + tail shows its first `head` and
 * last `tail` code points. A value of at most head + tail code points shows no tail and at
 * most (count - 1) / 2 leading code points, so more than half of it is hidden and never
 * all of it is shown ("1234567" with 3 + 4 -> "123****", "张三" with 1 + 1 -> "**",
 * "张三" with 1 + 0 -> "张*"). "" stays "".
 *
 * in[0..n) must be valid UTF-8. out needs n + 1 bytes at most (a hidden character takes
 * one byte, never more than it had). Returns 0; ERR_INVALID for invalid UTF-8; ERR_TOOBIG
 * when cap is too small. On failure out holds "" (when cap > 0). */
int pii_mask(const char *in, size_t n, size_t head, size_t tail, char *out, size_t cap);
/* ID numbers: first 3 and last 4 visible ("110***********1234"). As pii_mask. */
int pii_mask_id(const char *in, size_t n, char *out, size_t cap);
/* Mobiles: first 3 and last 4 visible ("138****1234"). As pii_mask. */
int pii_mask_mobile(const char *in, size_t n, char *out, size_t cap);

/* ---- rekey ---- */

/* A column holding sealed values: table and columns are SQL identifiers ([a-z_][a-z0-9_]*,
 * at most 63 bytes), from the module's static table, never from input. id_col is a unique
 * int64 key; NULL and '' values are skipped. */
struct pii_column {
	const char *table;
	const char *id_col;
	const char *value_col;
	enum pii_purpose purpose;
};

struct pii_rekey_report; /* below */

struct pii_rekey_opts {
	size_t batch;  /* rows per transaction; 0: PII_REKEY_BATCH (clamped to PII_REKEY_BATCH_MAX) */
	int64_t limit; /* stop once this run re-encrypted at least this many rows (0: no limit);
			  the rekey stays open and the next run finishes it */
	bool retire;   /* at the end, refuse the older versions from now on (pii_ring.retired_below);
			  only with the COMPLETE list of sealed columns, else the columns left out
			  become unreadable */
	/* Called after each committed batch (may be NULL): progress for the CLI. A non-zero
	   return stops the run (pii_rekey returns it when negative, 0 when positive). */
	int (*progress)(const struct pii_rekey_report *so_far, void *arg);
	void *arg;
};
#define PII_REKEY_BATCH     500
#define PII_REKEY_BATCH_MAX 5000

struct pii_rekey_report {
	uint32_t from, to; /* the version before the bump (0 when resumed), the target */
	bool resumed;      /* an unfinished rekey to `to` was found and continued */
	bool done;         /* every value of every column is under `to`; the rekey is closed */
	int64_t rows;      /* values re-encrypted by this run */
	int64_t batches;   /* transactions committed with at least one row */
	int passes;        /* rounds over all columns (a round finding nothing ends the loop) */
	int64_t failed;    /* values the last round could not open (forged, or a retired version) */
};

/* Re-encrypts every sealed value of cols[0..n) under a new key version, while servers keep
 * reading and writing. Order: (1) one short transaction bumps pii_key.version by one and
 * marks the rekey open (when a rekey is already open, from a run that was stopped or
 * killed, it is resumed instead: no second bump); (2) for each column, batches of at most
 * opts->batch rows whose value is not under the new version, in id order, each in its own
 * transaction: open, seal under the new version, UPDATE ... WHERE id = ? AND value = old
 * (a row changed meanwhile is left to the writer, who sealed it under the new version);
 * (3) rounds over all columns repeat until a round re-encrypts nothing, which catches rows
 * an old writer inserted meanwhile; (4) when nothing is left unopened, one transaction
 * closes the rekey (and with opts->retire, after checking again that no column holds an
 * older value, retires the older versions). Blind indexes are not touched.
 *
 * Borrows everything; rep (required) is filled as far as the run got, on failure too.
 * Returns 0 (rep->done says whether it finished: false after opts->limit or a progress
 * stop); ERR_INVALID for a bad column descriptor (nothing written); ERR_FORGED when
 * values remain that cannot be opened (rep->failed of them; the rekey stays open, the
 * other rows are under the new version); a store error (ERR_BUSY, ERR_DB ...) as it came,
 * with the rekey open: running it again finishes the job. */
int pii_rekey(struct store *s, const struct app *a, const struct pii_column *cols, size_t n,
	      const struct pii_rekey_opts *opts, struct pii_rekey_report *rep);

#endif
