/*
 * pii.c - sealing, opening, blind indexes, masking and rekeying of personal data (see
 * pii.h for the format and the rules; docs/security.md "Personal data" for why).
 *
 * Key derivation: crypto_kdf_derive_from_key(app->key) with context "kexiepii" and subkey
 * id (version << 16) | purpose for the secretbox keys, context "kexiebix" and subkey id
 * purpose for the blind-index keys. The two contexts keep the families apart whatever the
 * numbers; audit.c uses "kxaudit1", so no derived key is shared with the audit trail.
 */
#include "core/pii.h"
#include "base/err.h"
#include "base/timeutil.h"
#include "base/utf8.h"
#include "store/store.h"

#include <sodium.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NONCE_LEN crypto_secretbox_NONCEBYTES
#define MAC_LEN   crypto_secretbox_MACBYTES
#define RAW_MAX   (NONCE_LEN + MAC_LEN + PII_PLAIN_MAX)
#define B64       sodium_base64_VARIANT_URLSAFE_NO_PADDING

_Static_assert(NONCE_LEN == 24 && MAC_LEN == 16, "the stored format assumes secretbox's sizes");
_Static_assert(PII_SEALED_MAX == 10 + 1 + sodium_base64_ENCODED_LEN(RAW_MAX, B64),
	       "PII_SEALED_MAX must hold the longest sealed value");
_Static_assert(crypto_kdf_KEYBYTES == 32 && crypto_secretbox_KEYBYTES == 32, "32-byte keys");

/* clang-format off */
static const struct { enum pii_purpose p; const char *name; } purposes[] = {
	{PII_PERSON_ID_NUMBER, "person.id_number"},
	{PII_PERSON_MOBILE,    "person.mobile"},
};
/* clang-format on */

const char *pii_purpose_name(enum pii_purpose p)
{
	for (size_t i = 0; i < sizeof(purposes) / sizeof(purposes[0]); i++)
		if (purposes[i].p == p)
			return purposes[i].name;
	return NULL;
}

static void seal_key(const struct app *a, uint32_t version, enum pii_purpose p, unsigned char k[32])
{
	uint64_t id = ((uint64_t)version << 16) | (uint64_t)p;
	crypto_kdf_derive_from_key(k, 32, id, "kexiepii", a->key);
}

static void clear_out(char *out, size_t cap)
{
	if (cap > 0) {
		sodium_memzero(out, cap);
		out[0] = '\0';
	}
}

int pii_seal(const struct app *a, uint32_t version, enum pii_purpose p, const char *plain, size_t n,
	     char *out, size_t cap)
{
	clear_out(out, cap);
	if (version == 0 || version > PII_VERSION_MAX || !pii_purpose_name(p))
		return ERR_INVALID;
	if (n > PII_PLAIN_MAX)
		return ERR_TOOBIG;
	if (n > 0 && !utf8_valid(plain, n, NULL))
		return ERR_INVALID;
	char head[16];
	int hl = snprintf(head, sizeof(head), "%u$", (unsigned)version);
	size_t raw_len = NONCE_LEN + MAC_LEN + n;
	if ((size_t)hl + sodium_base64_encoded_len(raw_len, B64) > cap)
		return ERR_TOOBIG;

	unsigned char raw[RAW_MAX], k[32];
	randombytes_buf(raw, NONCE_LEN);
	seal_key(a, version, p, k);
	int rc = crypto_secretbox_easy(raw + NONCE_LEN, (const unsigned char *)plain, n, raw, k);
	sodium_memzero(k, sizeof(k));
	if (rc != 0)
		return ERR_INTERNAL;
	memcpy(out, head, (size_t)hl);
	sodium_bin2base64(out + hl, cap - (size_t)hl, raw, raw_len, B64);
	return 0;
}

int pii_version_of(const char *sealed, size_t n, uint32_t *version)
{
	*version = 0;
	uint64_t v = 0;
	size_t i = 0;
	for (; i < n && i < 11 && sealed[i] >= '0' && sealed[i] <= '9'; i++)
		v = v * 10 + (uint64_t)(sealed[i] - '0');
	if (i == 0 || i > 10 || i >= n || sealed[i] != '$' || sealed[0] == '0' || v > PII_VERSION_MAX)
		return ERR_INVALID;
	*version = (uint32_t)v;
	return 0;
}

int pii_open(const struct app *a, const struct pii_ring *ring, enum pii_purpose p, const char *sealed,
	     size_t n, char *out, size_t cap, size_t *len)
{
	clear_out(out, cap);
	if (len)
		*len = 0;
	uint32_t version;
	if (!pii_purpose_name(p) || pii_version_of(sealed, n, &version))
		return ERR_INVALID;
	const char *b64 = (const char *)memchr(sealed, '$', n) + 1;
	size_t b64_len = n - (size_t)(b64 - sealed);

	unsigned char raw[RAW_MAX];
	size_t raw_len = 0;
	const char *end = NULL;
	/* a text longer than the longest value fails here too (the buffer is full) */
	if (sodium_base642bin(raw, sizeof(raw), b64, b64_len, NULL, &raw_len, &end, B64) != 0 ||
	    end != b64 + b64_len || raw_len < NONCE_LEN + MAC_LEN)
		return ERR_INVALID;
	if (version > ring->current || version < ring->retired_below)
		return ERR_KEYVERSION;
	size_t plain_len = raw_len - NONCE_LEN - MAC_LEN;
	if (cap < plain_len + 1)
		return ERR_TOOBIG;

	unsigned char k[32];
	seal_key(a, version, p, k);
	int rc = crypto_secretbox_open_easy((unsigned char *)out, raw + NONCE_LEN, raw_len - NONCE_LEN, raw,
					    k);
	sodium_memzero(k, sizeof(k));
	if (rc != 0) {
		clear_out(out, cap);
		return ERR_FORGED;
	}
	out[plain_len] = '\0';
	/* authentic, so sealed by pii_seal, which takes only valid UTF-8; checked anyway so
	   callers can rely on it whatever wrote the key */
	if (plain_len > 0 && !utf8_valid(out, plain_len, NULL)) {
		clear_out(out, cap);
		return ERR_FORGED;
	}
	if (len)
		*len = plain_len;
	return 0;
}

int pii_blind(const struct app *a, enum pii_purpose p, const char *value, size_t n, char out[PII_BLIND_HEX])
{
	out[0] = '\0';
	if (!pii_purpose_name(p))
		return ERR_INVALID;
	unsigned char k[32], h[32];
	crypto_kdf_derive_from_key(k, sizeof(k), (uint64_t)p, "kexiebix", a->key);
	crypto_generichash(h, sizeof(h), (const unsigned char *)value, n, k, sizeof(k));
	sodium_memzero(k, sizeof(k));
	sodium_bin2hex(out, PII_BLIND_HEX, h, sizeof(h));
	return 0;
}

/* ---- the key version ---- */

static const char RING_SQL[] = "SELECT version, retired_below, rekeying FROM pii_key WHERE id = 1";

static int ring_from(int64_t v, int64_t retired, int64_t rekeying, struct pii_ring *out)
{
	if (v < 1 || v > (int64_t)PII_VERSION_MAX || retired < 1 || retired > v)
		return ERR_DB; /* the CHECK constraints make this a broken table */
	out->current = (uint32_t)v;
	out->retired_below = (uint32_t)retired;
	out->rekeying = rekeying != 0;
	return 0;
}

int pii_ring_read(struct conn *c, struct pii_ring *out)
{
	memset(out, 0, sizeof(*out));
	int64_t v = 0, retired = 0, rekeying = 0;
	int rc = conn_row(c, RING_SQL, "", "iii", &v, &retired, &rekeying);
	if (rc)
		return rc;
	rc = ring_from(v, retired, rekeying, out);
	if (rc)
		memset(out, 0, sizeof(*out));
	return rc;
}

int pii_current(struct conn *c, uint32_t *version)
{
	*version = 0;
	/* FOR SHARE (PostgreSQL): the rekey's UPDATE of this row waits for this transaction,
	   and this one waits for a bump in flight, then reads the new version */
	const char *sql = conn_kind(c) == STORE_PG ? "SELECT version FROM pii_key WHERE id = 1 FOR SHARE"
						   : "SELECT version FROM pii_key WHERE id = 1";
	int64_t v = 0;
	int rc = conn_row(c, sql, "", "i", &v);
	if (rc)
		return rc;
	if (v < 1 || v > (int64_t)PII_VERSION_MAX)
		return ERR_DB;
	*version = (uint32_t)v;
	return 0;
}

/* ---- masking ---- */

int pii_mask(const char *in, size_t n, size_t head, size_t tail, char *out, size_t cap)
{
	if (cap > 0)
		out[0] = '\0';
	if (n > 0 && !utf8_valid(in, n, NULL))
		return ERR_INVALID;
	size_t count = utf8_count(in, n);
	size_t h = head, t = tail;
	if (!(count > head && count - head > tail)) { /* count <= head + tail, without overflow */
		t = 0;
		h = count ? (count - 1) / 2 : 0;
		if (h > head)
			h = head;
	}
	/* first pass: the size; second: the bytes */
	size_t need = 0, i = 0;
	for (size_t off = 0; off < n; i++) {
		size_t l = (size_t)utf8_seqlen((unsigned char)in[off]);
		need += (i < h || i >= count - t) ? l : 1;
		off += l;
	}
	if (need + 1 > cap)
		return ERR_TOOBIG;
	size_t w = 0;
	i = 0;
	for (size_t off = 0; off < n; i++) {
		size_t l = (size_t)utf8_seqlen((unsigned char)in[off]);
		if (i < h || i >= count - t) {
			memcpy(out + w, in + off, l);
			w += l;
		} else {
			out[w++] = '*';
		}
		off += l;
	}
	out[w] = '\0';
	return 0;
}

int pii_mask_id(const char *in, size_t n, char *out, size_t cap)
{
	return pii_mask(in, n, 3, 4, out, cap);
}

int pii_mask_mobile(const char *in, size_t n, char *out, size_t cap)
{
	return pii_mask(in, n, 3, 4, out, cap);
}

/* ---- rekey ---- */

static bool ident_ok(const char *s)
{
	if (!s || !*s || strlen(s) > 63 || !((*s >= 'a' && *s <= 'z') || *s == '_'))
		return false;
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
			return false;
	return true;
}

struct rk_row {
	int64_t id;
	bool bad; /* longer than any sealed value: cannot be opened */
	char old[PII_SEALED_MAX];
};

/* One batch of one column: its SQL, cursor and results (reset by each attempt, since
   store_tx may run the function more than once). */
struct rk_batch {
	const struct app *a;
	const struct pii_column *col;
	char sel[512], upd[384];
	char like[16]; /* "<to>$%": values already under the new version */
	uint32_t to;
	int64_t after; /* ids above this one */
	size_t limit;
	struct rk_row *rows;
	size_t nrows;
	int64_t last_id, changed, failed;
};

static int rk_collect(struct stmt *st, void *arg)
{
	struct rk_batch *b = arg;
	if (b->nrows >= b->limit)
		return 1;
	struct rk_row *r = &b->rows[b->nrows++];
	size_t len = 0;
	const char *v = stmt_text(st, 1, &len);
	r->id = stmt_int64(st, 0);
	r->bad = len >= sizeof(r->old);
	if (r->bad)
		r->old[0] = '\0';
	else
		memcpy(r->old, v, len), r->old[len] = '\0';
	return 0;
}

static int rk_batch_fn(struct conn *c, void *arg)
{
	struct rk_batch *b = arg;
	b->nrows = 0;
	b->changed = b->failed = 0;
	b->last_id = b->after;
	struct pii_ring ring;
	int rc = pii_ring_read(c, &ring);
	if (rc)
		return rc;
	if (ring.current != b->to)
		return ERR_CONFLICT; /* another rekey moved on: this run must not go on */
	rc = conn_each(c, b->sel, rk_collect, b, "iti", b->after, b->like, (int64_t)b->limit);
	if (rc)
		return rc;
	char plain[PII_PLAIN_MAX + 1], sealed[PII_SEALED_MAX];
	for (size_t i = 0; i < b->nrows && !rc; i++) {
		struct rk_row *r = &b->rows[i];
		b->last_id = r->id;
		size_t len = 0;
		if (r->bad || pii_open(b->a, &ring, b->col->purpose, r->old, strlen(r->old), plain,
				       sizeof(plain), &len)) {
			b->failed++;
			continue;
		}
		rc = pii_seal(b->a, b->to, b->col->purpose, plain, len, sealed, sizeof(sealed));
		sodium_memzero(plain, sizeof(plain));
		if (rc)
			break;
		rc = conn_run(c, b->upd, "tit", sealed, r->id, r->old);
		if (rc > 0)
			b->changed += rc;
		rc = rc < 0 ? rc : 0;
	}
	sodium_memzero(plain, sizeof(plain));
	return rc;
}

struct rk_begin {
	struct pii_rekey_report *rep;
};

static int rk_begin_fn(struct conn *c, void *arg)
{
	struct pii_rekey_report *rep = ((struct rk_begin *)arg)->rep;
	struct pii_ring ring;
	int rc = pii_ring_read(c, &ring);
	if (rc)
		return rc;
	if (ring.rekeying) {
		rep->from = 0, rep->to = ring.current, rep->resumed = true;
		return 0;
	}
	if (ring.current >= PII_VERSION_MAX)
		return ERR_CONFLICT;
	rc = conn_run(c,
		      "UPDATE pii_key SET version = version + 1, rekeying = 1, changed_at = $1"
		      " WHERE id = 1 AND version = $2",
		      "ii", time_unix(), (int64_t)ring.current);
	if (rc < 0)
		return rc;
	if (rc != 1)
		return ERR_BUSY; /* moved under us: try again */
	rep->from = ring.current, rep->to = ring.current + 1, rep->resumed = false;
	return 0;
}

struct rk_end {
	const struct pii_column *cols;
	size_t n;
	uint32_t to;
	bool retire;
	int64_t left; /* values found not under `to` */
};

static int rk_end_fn(struct conn *c, void *arg)
{
	struct rk_end *e = arg;
	e->left = 0;
	char like[16], sql[384];
	snprintf(like, sizeof(like), "%u$%%", (unsigned)e->to);
	for (size_t i = 0; i < e->n; i++) {
		const struct pii_column *col = &e->cols[i];
		snprintf(sql, sizeof(sql),
			 "SELECT count(*) FROM %s WHERE %s IS NOT NULL AND %s <> '' AND %s NOT LIKE $1",
			 col->table, col->value_col, col->value_col, col->value_col);
		int64_t k = 0;
		int rc = conn_row(c, sql, "t", "i", like, &k);
		if (rc)
			return rc;
		e->left += k;
	}
	if (e->left)
		return 0; /* nothing changes: the caller goes round again */
	int rc = conn_run(
		c,
		e->retire ? "UPDATE pii_key SET rekeying = 0, retired_below = version, changed_at = $1"
			    " WHERE id = 1 AND version = $2"
			  : "UPDATE pii_key SET rekeying = 0, changed_at = $1 WHERE id = 1 AND version = $2",
		"ii", time_unix(), (int64_t)e->to);
	if (rc < 0)
		return rc;
	return rc == 1 ? 0 : ERR_CONFLICT;
}

/* Rekey's transactions may wait longer than a request's: the command line runs it. */
#define RK_TX_BUDGET_MS 5000
/* Rounds after the first that still find work: a writer sealing under an old version
   forever would otherwise keep the rekey busy forever. */
#define RK_MAX_ROUNDS 100

int pii_rekey(struct store *s, const struct app *a, const struct pii_column *cols, size_t n,
	      const struct pii_rekey_opts *opts, struct pii_rekey_report *rep)
{
	static const struct pii_rekey_opts none = {0};
	memset(rep, 0, sizeof(*rep));
	if (!opts)
		opts = &none;
	if (!cols && n)
		return ERR_INVALID;
	for (size_t i = 0; i < n; i++)
		if (!ident_ok(cols[i].table) || !ident_ok(cols[i].id_col) || !ident_ok(cols[i].value_col) ||
		    !pii_purpose_name(cols[i].purpose))
			return ERR_INVALID;
	size_t batch = opts->batch ? opts->batch : PII_REKEY_BATCH;
	if (batch > PII_REKEY_BATCH_MAX)
		batch = PII_REKEY_BATCH_MAX;

	struct rk_batch b = {.a = a, .limit = batch};
	b.rows = calloc(batch, sizeof(*b.rows));
	if (!b.rows)
		return ERR_NOMEM;
	struct rk_begin bg = {rep};
	int rc = store_tx_within(s, RK_TX_BUDGET_MS, rk_begin_fn, &bg);
	if (rc)
		goto out;
	b.to = rep->to;
	snprintf(b.like, sizeof(b.like), "%u$%%", (unsigned)b.to);

	for (;;) {
		int64_t round_changed = 0, round_failed = 0;
		if (++rep->passes > RK_MAX_ROUNDS) {
			rc = ERR_BUSY;
			goto out;
		}
		for (size_t i = 0; i < n; i++) {
			const struct pii_column *col = &cols[i];
			b.col = col;
			snprintf(b.sel, sizeof(b.sel),
				 "SELECT %s, %s FROM %s WHERE %s > $1 AND %s IS NOT NULL AND %s <> ''"
				 " AND %s NOT LIKE $2 ORDER BY %s LIMIT $3",
				 col->id_col, col->value_col, col->table, col->id_col, col->value_col,
				 col->value_col, col->value_col, col->id_col);
			snprintf(b.upd, sizeof(b.upd), "UPDATE %s SET %s = $1 WHERE %s = $2 AND %s = $3",
				 col->table, col->value_col, col->id_col, col->value_col);
			b.after = INT64_MIN;
			do {
				rc = store_tx_within(s, RK_TX_BUDGET_MS, rk_batch_fn, &b);
				if (rc)
					goto out;
				b.after = b.last_id;
				rep->rows += b.changed;
				round_changed += b.changed;
				round_failed += b.failed;
				if (b.changed)
					rep->batches++;
				if (b.nrows) {
					if (opts->progress) {
						rep->failed = round_failed;
						int stop = opts->progress(rep, opts->arg);
						if (stop) {
							rc = stop < 0 ? stop : 0;
							goto out;
						}
					}
					if (opts->limit > 0 && rep->rows >= opts->limit)
						goto out;
				}
			} while (b.nrows == batch);
		}
		rep->failed = round_failed;
		if (round_changed)
			continue;
		if (round_failed) {
			rc = ERR_FORGED;
			goto out;
		}
		struct rk_end e = {.cols = cols, .n = n, .to = b.to, .retire = opts->retire};
		rc = store_tx_within(s, RK_TX_BUDGET_MS, rk_end_fn, &e);
		if (rc)
			goto out;
		if (!e.left) {
			rep->done = true;
			break;
		}
	}
out:
	if (b.rows) {
		sodium_memzero(b.rows, batch * sizeof(*b.rows));
		free(b.rows);
	}
	return rc;
}
