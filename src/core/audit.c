/*
 * audit.c - appending to the keyed audit trail, listing it, and the detail diffs (see
 * audit.h). Verification, checkpoints, re-keying and pruning are in audit_chain.c.
 *
 * Canonical content (v2): "kexie-audit-v2\n" then every field as "<length>:<bytes>\n" in
 * a fixed order, the record's orgs last; link = hex(HMAC-SHA-256(chain key, prev || it)).
 */
#include "core/audit.h"
#include "core/audit_int.h"
#include "core/bulk.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/log.h"
#include "base/timeutil.h"
#include "store/store.h"

#include <sodium.h>

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void audit_subkey(const unsigned char key[32], enum audit_key_id id, unsigned char out[32])
{
	crypto_kdf_derive_from_key(out, 32, (uint64_t)id, "kxaudit1", key);
}

const struct app *audit_app_of(struct conn *c)
{
	return conn_owner(c);
}

/* A sink for the canonical form: HMAC (v2) or plain SHA-256 (v1). */
struct canon {
	bool keyed;
	crypto_auth_hmacsha256_state h;
	crypto_hash_sha256_state s;
};

static void canon_put(struct canon *k, const void *p, size_t n)
{
	if (k->keyed)
		crypto_auth_hmacsha256_update(&k->h, p, n);
	else
		crypto_hash_sha256_update(&k->s, p, n);
}

static void canon_field(struct canon *k, const char *s)
{
	s = s ? s : "";
	char len[24];
	size_t n = strlen(s);
	int l = snprintf(len, sizeof(len), "%zu:", n);
	canon_put(k, len, (size_t)l);
	canon_put(k, s, n);
	canon_put(k, "\n", 1);
}

static void canon_int(struct canon *k, int64_t v)
{
	char tmp[24];
	if (v)
		snprintf(tmp, sizeof(tmp), "%" PRId64, v);
	else
		tmp[0] = '\0';
	canon_field(k, tmp);
}

static void canon_record(struct canon *k, const struct audit_record *r, const char *prev, bool v2)
{
	canon_put(k, prev, strlen(prev));
	canon_put(k, v2 ? "kexie-audit-v2\n" : "kexie-audit-v1\n", 15);
	canon_int(k, r->seq);
	canon_int(k, r->user_id);
	const char *const texts[] = {r->at,          r->role,   r->via,         r->request_id,
				     r->client_addr, r->action, r->object_type, r->object_id};
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		canon_field(k, texts[i]);
	canon_int(k, r->org_id);
	canon_field(k, r->detail);
	if (v2)
		canon_field(k, r->orgs);
}

void audit_record_mac(const unsigned char chain_key[32], const struct audit_record *r, const char *prev,
		      char out[AUDIT_HASH_HEX])
{
	struct canon k = {.keyed = true};
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256_init(&k.h, chain_key, 32);
	canon_record(&k, r, prev, true);
	crypto_auth_hmacsha256_final(&k.h, mac);
	sodium_bin2hex(out, AUDIT_HASH_HEX, mac, sizeof(mac));
	sodium_memzero(&k, sizeof(k));
}

void audit_record_hash_v1(const struct audit_record *r, const char *prev, char out[AUDIT_HASH_HEX])
{
	struct canon k = {.keyed = false};
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256_init(&k.s);
	canon_record(&k, r, prev, false);
	crypto_hash_sha256_final(&k.s, h);
	sodium_bin2hex(out, AUDIT_HASH_HEX, h, sizeof(h));
}

int audit_object(struct conn *c, const struct audit_entry *who, const char *action, const char *type,
		 int64_t id, int64_t org_id, const char *detail)
{
	char oid[24];
	snprintf(oid, sizeof(oid), "%" PRId64, id);
	struct audit_entry e = *who;
	e.action = action;
	e.object_type = type;
	e.object_id = oid;
	e.org_id = org_id;
	e.detail = detail;
	return audit_append(c, &e);
}

void audit_login_hash(const struct app *a, const char *login, char out[33])
{
	unsigned char k[32], h[16];
	audit_subkey(a->key, AUDIT_KEY_LOGIN, k);
	crypto_generichash(h, sizeof(h), (const unsigned char *)login, strlen(login), k, sizeof(k));
	sodium_memzero(k, sizeof(k));
	sodium_bin2hex(out, 33, h, sizeof(h));
}

static void bind_opt_int(struct stmt *st, int idx, int64_t v)
{
	if (v)
		stmt_bind_int64(st, idx, v);
	else
		stmt_bind_null(st, idx);
}

static void bind_str(struct stmt *st, int idx, const char *s)
{
	s = s ? s : "";
	stmt_bind_text(st, idx, s, strlen(s));
}

/* The account a record is about: explicit, or a "user" object named by its id. */
static int64_t subject_of(const struct audit_entry *e)
{
	if (e->subject_id)
		return e->subject_id;
	if (!e->object_type || strcmp(e->object_type, "user") || !e->object_id || !*e->object_id)
		return 0;
	int64_t v = 0;
	for (const char *p = e->object_id; *p; p++) {
		if (*p < '0' || *p > '9' || v > (INT64_MAX - 9) / 10)
			return 0;
		v = v * 10 + (*p - '0');
	}
	return v;
}

static int cmp_id(const void *x, const void *y)
{
	int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
	return (a > b) - (a < b);
}

/* The record's orgs, ascending and distinct: the object's, and the subject's roles'. */
static int record_orgs(struct conn *c, const struct audit_entry *e, int64_t *orgs, int *n)
{
	*n = 0;
	if (e->org_id)
		orgs[(*n)++] = e->org_id;
	int64_t subject = subject_of(e);
	if (subject) {
		struct stmt *st = NULL;
		int rc = conn_prepare(c, "SELECT DISTINCT org_id FROM role_assignment WHERE user_id = $1",
				      &st);
		if (rc)
			return rc;
		stmt_bind_int64(st, 1, subject);
		while ((rc = stmt_step(st)) == STORE_ROW) {
			if (*n >= AUDIT_ORGS_MAX) {
				rc = ERR_TOOBIG;
				break;
			}
			orgs[(*n)++] = stmt_int64(st, 0);
		}
		stmt_done(st);
		if (rc < 0)
			return rc;
	}
	qsort(orgs, (size_t)*n, sizeof(*orgs), cmp_id);
	int k = 0;
	for (int i = 0; i < *n; i++)
		if (!k || orgs[k - 1] != orgs[i])
			orgs[k++] = orgs[i];
	*n = k;
	return 0;
}

/* "1,5,9" */
static void orgs_text(const int64_t *orgs, int n, char *out, size_t cap)
{
	size_t k = 0;
	out[0] = '\0';
	for (int i = 0; i < n && k < cap; i++) {
		int w = snprintf(out + k, cap - k, "%s%" PRId64, i ? "," : "", orgs[i]);
		if (w < 0)
			break;
		k += (size_t)w;
	}
}

int audit_append(struct conn *c, const struct audit_entry *e)
{
	const struct app *a = audit_app_of(c);
	if (!a) {
		log_error("audit: the store has no owner, so no key to chain a record with");
		return ERR_DB;
	}
	struct stmt *st = NULL;
	char prev[AUDIT_HASH_HEX], hash[AUDIT_HASH_HEX], at[32];
	int64_t *orgs = malloc(AUDIT_ORGS_MAX * sizeof(*orgs));
	char *orgs_s = malloc(AUDIT_ORGS_MAX * 21);
	int norgs = 0, rc = orgs && orgs_s ? 0 : ERR_NOMEM;
	if (rc)
		goto done;
	/* taking the chain's end first serialises writers: the chain cannot fork */
	int64_t seq = 0;
	char chain[24];
	rc = conn_row(c, "UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, last_hash, chain",
		      "", "itt", &seq, prev, sizeof(prev), chain, sizeof(chain));
	if (rc) {
		rc = rc == ERR_NOTFOUND ? ERR_DB : rc; /* the migration made the row */
		goto done;
	}
	if (strcmp(chain, AUDIT_CHAIN_KEYED)) {
		log_error(
			"audit: the trail is not keyed yet: run `kexie migrate` or start `kexie serve` to key it");
		rc = ERR_DB;
		goto done;
	}
	rc = record_orgs(c, e, orgs, &norgs);
	if (rc)
		goto done;
	orgs_text(orgs, norgs, orgs_s, AUDIT_ORGS_MAX * 21);
	time_iso_now(at, sizeof(at));
	struct audit_record r = {
		.seq = seq,
		.at = at,
		.user_id = e->user_id,
		.role = e->role,
		.via = e->via,
		.request_id = e->request_id,
		.client_addr = e->client_addr,
		.action = e->action,
		.object_type = e->object_type,
		.object_id = e->object_id,
		.org_id = e->org_id,
		.detail = e->detail,
		.orgs = orgs_s,
	};
	unsigned char k[32];
	audit_subkey(a->key, AUDIT_KEY_CHAIN, k);
	audit_record_mac(k, &r, prev, hash);
	sodium_memzero(k, sizeof(k));
	rc = conn_prepare(c,
			  "INSERT INTO audit_log (seq, at, user_id, role, via, request_id, client_addr,"
			  " action, object_type, object_id, org_id, detail, prev_hash, hash)"
			  " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
			  &st);
	if (rc)
		goto done;
	stmt_bind_int64(st, 1, r.seq);
	bind_str(st, 2, r.at);
	bind_opt_int(st, 3, r.user_id);
	bind_str(st, 4, r.role);
	bind_str(st, 5, r.via);
	bind_str(st, 6, r.request_id);
	bind_str(st, 7, r.client_addr);
	bind_str(st, 8, r.action);
	bind_str(st, 9, r.object_type);
	bind_str(st, 10, r.object_id);
	bind_opt_int(st, 11, r.org_id);
	bind_str(st, 12, r.detail);
	bind_str(st, 13, prev);
	bind_str(st, 14, hash);
	rc = stmt_step(st);
	stmt_done(st);
	if (rc < 0)
		goto done;
	for (int i = 0; i < norgs && rc >= 0; i++)
		rc = conn_run(c, "INSERT INTO audit_org (seq, org_id) VALUES ($1, $2)", "ii", seq, orgs[i]);
	if (rc >= 0)
		rc = conn_run(c, "UPDATE audit_head SET last_hash = $1 WHERE id = 1", "t", hash);
	rc = rc < 0 ? rc : 0;
done:
	free(orgs);
	free(orgs_s);
	return rc;
}

static int record_tx(struct conn *c, void *arg)
{
	return audit_append(c, arg);
}

int audit_record(struct app *a, const struct audit_entry *e)
{
	return store_tx(a->store, record_tx, (void *)(uintptr_t)e);
}

/* ---- many records at once (bulk imports) ---- */

/* One audit_log row of a bulk insert (the 14 columns of logb's head). 0 or ERR_NOMEM. */
static int log_row(struct bulk *logb, const struct audit_record *r, const char *prev, const char *hash)
{
	struct bulk_val *v = bulk_row(logb);
	if (!v)
		return ERR_NOMEM;
	bulk_int(&v[0], r->seq);
	bulk_text(&v[1], r->at);
	bulk_opt_int(&v[2], r->user_id);
	bulk_text(&v[3], r->role);
	bulk_text(&v[4], r->via);
	bulk_text(&v[5], r->request_id);
	bulk_text(&v[6], r->client_addr);
	bulk_text(&v[7], r->action);
	bulk_text(&v[8], r->object_type);
	bulk_text(&v[9], r->object_id);
	bulk_opt_int(&v[10], r->org_id);
	bulk_text(&v[11], r->detail);
	bulk_text(&v[12], prev);
	bulk_text(&v[13], hash);
	return 0;
}

int audit_append_many(struct conn *c, const struct audit_entry *e, size_t n, int per_stmt)
{
	if (n == 0)
		return 0;
	const struct app *a = audit_app_of(c);
	if (!a) {
		log_error("audit: the store has no owner, so no key to chain a record with");
		return ERR_DB;
	}
	/* the whole range of seqs at once: the head is taken (and writers serialised) once */
	char prev[AUDIT_HASH_HEX], chain[24], at[32];
	int64_t last = 0;
	int rc = conn_row(c,
			  "UPDATE audit_head SET seq = seq + $1 WHERE id = 1 RETURNING seq, last_hash, chain",
			  "i", "itt", (int64_t)n, &last, prev, sizeof(prev), chain, sizeof(chain));
	if (rc)
		return rc == ERR_NOTFOUND ? ERR_DB : rc;
	if (strcmp(chain, AUDIT_CHAIN_KEYED)) {
		log_error(
			"audit: the trail is not keyed yet: run `kexie migrate` or start `kexie serve` to key it");
		return ERR_DB;
	}
	int64_t first = last - (int64_t)n + 1;
	time_iso_now(at, sizeof(at));
	char(*hashes)[AUDIT_HASH_HEX] = malloc(n * sizeof(*hashes));
	char **orgs_s = calloc(n, sizeof(*orgs_s));
	int64_t *orgs = malloc(AUDIT_ORGS_MAX * sizeof(*orgs));
	struct bulk logb = {
		.head = "INSERT INTO audit_log (seq, at, user_id, role, via, request_id, client_addr,"
			" action, object_type, object_id, org_id, detail, prev_hash, hash)",
		.ncols = 14,
		.per_stmt = per_stmt};
	struct bulk orgb = {.head = "INSERT INTO audit_org (seq, org_id)", .ncols = 2, .per_stmt = per_stmt};
	bulk_init(&logb);
	bulk_init(&orgb);
	unsigned char key[32];
	audit_subkey(a->key, AUDIT_KEY_CHAIN, key);
	rc = hashes && orgs_s && orgs ? 0 : ERR_NOMEM;
	for (size_t i = 0; !rc && i < n; i++) {
		int norgs = 0;
		rc = record_orgs(c, &e[i], orgs, &norgs);
		if (rc)
			break;
		orgs_s[i] = malloc((size_t)norgs * 21 + 1);
		if (!orgs_s[i]) {
			rc = ERR_NOMEM;
			break;
		}
		orgs_text(orgs, norgs, orgs_s[i], (size_t)norgs * 21 + 1);
		struct audit_record r = {
			.seq = first + (int64_t)i,
			.at = at,
			.user_id = e[i].user_id,
			.role = e[i].role,
			.via = e[i].via,
			.request_id = e[i].request_id,
			.client_addr = e[i].client_addr,
			.action = e[i].action,
			.object_type = e[i].object_type,
			.object_id = e[i].object_id,
			.org_id = e[i].org_id,
			.detail = e[i].detail,
			.orgs = orgs_s[i],
		};
		audit_record_mac(key, &r, i ? hashes[i - 1] : prev, hashes[i]);
		rc = log_row(&logb, &r, i ? hashes[i - 1] : prev, hashes[i]);
		for (int k = 0; k < norgs && !rc; k++) {
			struct bulk_val *o = bulk_row(&orgb);
			if (!o) {
				rc = ERR_NOMEM;
				break;
			}
			bulk_int(&o[0], r.seq);
			bulk_int(&o[1], orgs[k]);
		}
	}
	sodium_memzero(key, sizeof(key));
	if (!rc)
		rc = bulk_flush(c, &logb);
	if (!rc)
		rc = bulk_flush(c, &orgb);
	if (!rc) {
		rc = conn_run(c, "UPDATE audit_head SET last_hash = $1 WHERE id = 1", "t", hashes[n - 1]);
		rc = rc < 0 ? rc : 0;
	}
	bulk_release(&logb);
	bulk_release(&orgb);
	for (size_t i = 0; orgs_s && i < n; i++)
		free(orgs_s[i]);
	free(orgs_s);
	free(orgs);
	free(hashes);
	return rc;
}

int audit_list(struct app *a, const struct audit_query *q, int (*fn)(const struct audit_row *r, void *arg),
	       void *arg, int64_t *last_seq)
{
	struct conn *c = NULL;
	struct stmt *st = NULL;
	char today[11], to_end[16] = "", login_h[33] = "";
	*last_seq = 0;
	date_today(today, sizeof(today));
	if (q->to) /* inclusive day: everything before the next day starts */
		snprintf(to_end, sizeof(to_end), "%sT99", q->to);
	if (q->login) /* failed sign-ins on a login no account has are kept only as its hash */
		audit_login_hash(a, q->login, login_h);
	int rc = store_acquire(a->store, STORE_READ, &c);
	if (rc)
		return rc;
	/* optional filters as (CAST($n AS TEXT) IS NULL OR col = $n): one statement, both databases */
	rc = conn_prepare(
		c,
		"WITH RECURSIVE down(id, depth) AS ("
		" SELECT CAST($7 AS BIGINT), 0"
		" UNION ALL"
		" SELECT p.org_id, down.depth + 1 FROM org_parent p JOIN down ON p.parent_id = down.id"
		" WHERE $7 IS NOT NULL AND p.valid_from <= $10 AND (p.valid_to IS NULL OR p.valid_to > $10)"
		" AND down.depth < 64)"
		" SELECT l.seq, l.at, COALESCE(u.login, ''), l.role, l.via, l.request_id, l.client_addr,"
		" l.action, l.object_type, l.object_id, COALESCE(o.code, ''), l.detail"
		" FROM audit_log l LEFT JOIN app_user u ON u.id = l.user_id"
		" LEFT JOIN org o ON o.id = l.org_id"
		" WHERE (CAST($1 AS TEXT) IS NULL OR l.at >= $1)"
		" AND (CAST($2 AS TEXT) IS NULL OR l.at < $2)"
		" AND (CAST($3 AS TEXT) IS NULL OR u.login = $3"
		" OR (l.object_type = 'unknown_login' AND l.object_id = $11))"
		" AND (CAST($4 AS TEXT) IS NULL OR l.action = $4)"
		" AND (CAST($5 AS TEXT) IS NULL OR l.object_type = $5)"
		" AND (CAST($6 AS TEXT) IS NULL OR l.object_id = $6)"
		" AND ($7 IS NULL OR EXISTS (SELECT 1 FROM audit_org ao JOIN down ON down.id = ao.org_id"
		" WHERE ao.seq = l.seq))"
		" AND ($8 = 0 OR l.seq < $8)"
		" ORDER BY l.seq DESC LIMIT $9",
		&st);
	if (rc)
		goto done;
	const char *texts[] = {q->from,   q->to ? to_end : NULL, q->login,
			       q->action, q->object_type,        q->object_id};
	for (int i = 0; i < 6; i++) {
		if (texts[i])
			stmt_bind_text(st, i + 1, texts[i], strlen(texts[i]));
		else
			stmt_bind_null(st, i + 1);
	}
	if (q->under)
		stmt_bind_int64(st, 7, q->under);
	else
		stmt_bind_null(st, 7);
	stmt_bind_int64(st, 8, q->before_seq);
	stmt_bind_int64(st, 9, q->limit > 0 ? q->limit : 100);
	stmt_bind_text(st, 10, today, strlen(today));
	stmt_bind_text(st, 11, login_h, strlen(login_h));
	while ((rc = stmt_step(st)) == STORE_ROW) {
		struct audit_row r = {
			.seq = stmt_int64(st, 0),
			.at = stmt_text(st, 1, NULL),
			.login = stmt_text(st, 2, NULL),
			.role = stmt_text(st, 3, NULL),
			.via = stmt_text(st, 4, NULL),
			.request_id = stmt_text(st, 5, NULL),
			.client_addr = stmt_text(st, 6, NULL),
			.action = stmt_text(st, 7, NULL),
			.object_type = stmt_text(st, 8, NULL),
			.object_id = stmt_text(st, 9, NULL),
			.org_code = stmt_text(st, 10, NULL),
			.detail = stmt_text(st, 11, NULL),
		};
		*last_seq = r.seq;
		rc = fn(&r, arg);
		if (rc)
			break;
	}
	rc = rc < 0 ? rc : 0;
done:
	stmt_done(st);
	store_release(c);
	return rc;
}

/* ---- detail diffs ---- */

/* Room kept at the end of the buffer for ,"truncated":true} */
#define DIFF_TAIL 24

void audit_diff_init(struct audit_diff *d)
{
	jsonw_init_fixed(&d->w, d->s, sizeof(d->s));
	jsonw_object(&d->w, NULL);
	d->items = 0;
	d->full = false;
}

/* Adds one member whole, or marks the diff full when it does not fit (leaving DIFF_TAIL
 * bytes for the truncation mark). kind: 0 = [v1, v2], 1 = the string v1, 2 = the number n,
 * 3 = the boolean n != 0. */
static void diff_add(struct audit_diff *d, const char *key, const char *v1, const char *v2, int kind,
		     int64_t n)
{
	if (d->full || d->w.depth != 1) /* full, or closed by audit_diff_text */
		return;
	struct jsonw_mark m;
	jsonw_mark(&d->w, &m);
	if (kind == 0) {
		jsonw_array(&d->w, key);
		jsonw_str(&d->w, NULL, v1);
		jsonw_str(&d->w, NULL, v2);
		jsonw_end(&d->w);
	} else if (kind == 1) {
		jsonw_str(&d->w, key, v1);
	} else if (kind == 2) {
		jsonw_int(&d->w, key, n);
	} else {
		jsonw_bool(&d->w, key, n != 0);
	}
	size_t len;
	jsonw_text(&d->w, &len);
	if (d->w.rc || len + DIFF_TAIL >= sizeof(d->s)) {
		jsonw_rewind(&d->w, &m);
		d->full = true;
		return;
	}
	d->items++;
}

static const char *none_null(const char *s)
{
	return s && *s ? s : NULL;
}

void audit_diff_change(struct audit_diff *d, const char *field, const char *old, const char *nw)
{
	old = none_null(old);
	nw = none_null(nw);
	if ((!old && !nw) || (old && nw && !strcmp(old, nw)))
		return;
	diff_add(d, field, old, nw, 0, 0);
}

void audit_diff_secret(struct audit_diff *d, const char *field)
{
	diff_add(d, field, "changed", NULL, 1, 0);
}

void audit_diff_str(struct audit_diff *d, const char *key, const char *v)
{
	diff_add(d, key, v ? v : "", NULL, 1, 0);
}

void audit_diff_int(struct audit_diff *d, const char *key, int64_t v)
{
	diff_add(d, key, NULL, NULL, 2, v);
}

void audit_diff_bool(struct audit_diff *d, const char *key, bool v)
{
	diff_add(d, key, NULL, NULL, 3, v);
}

const char *audit_diff_text(struct audit_diff *d)
{
	if (d->w.depth == 1) { /* close once; later calls return the same text */
		if (d->full)
			jsonw_bool(&d->w, "truncated", true);
		jsonw_end(&d->w);
	}
	return jsonw_text(&d->w, NULL);
}

int audit_diff_count(const struct audit_diff *d)
{
	return d->items;
}
