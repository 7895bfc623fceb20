/*
 * audit.c - appending to and verifying the hash-chained audit trail (see audit.h).
 *
 * Canonical content: "kexie-audit-v1\n" then every field as "<length>:<bytes>\n" in a
 * fixed order, so no choice of field values can make two different records serialise
 * the same. hash = hex(SHA-256(prev_hash_hex || canonical)).
 */
#include "core/audit.h"
#include "core/bulk.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/jsontext.h"
#include "base/timeutil.h"
#include "store/store.h"

#include <sodium.h>

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define HASH_HEX 65

struct record {
	int64_t seq;
	const char *at;
	int64_t user_id;
	const char *role, *via, *request_id, *client_addr, *action, *object_type, *object_id;
	int64_t org_id;
	const char *detail;
};

/* The canonical content is assembled in a stack buffer and hashed in one call (a bulk
 * import hashes a record per row); a record too large for it is hashed piece by piece. */
struct canon {
	crypto_hash_sha256_state h;
	unsigned char buf[4096];
	size_t n;
};

static void canon_put(struct canon *c, const void *p, size_t n)
{
	if (c->n + n > sizeof(c->buf)) {
		crypto_hash_sha256_update(&c->h, c->buf, c->n);
		c->n = 0;
		if (n > sizeof(c->buf)) {
			crypto_hash_sha256_update(&c->h, p, n);
			return;
		}
	}
	memcpy(c->buf + c->n, p, n);
	c->n += n;
}

/* "<length>:<bytes>\n" */
static void put_field(struct canon *c, const char *s)
{
	s = s ? s : "";
	size_t n = strlen(s);
	unsigned char num[24];
	size_t k = sizeof(num);
	num[--k] = ':';
	size_t v = n;
	do {
		num[--k] = (unsigned char)('0' + v % 10);
		v /= 10;
	} while (v);
	canon_put(c, num + k, sizeof(num) - k);
	canon_put(c, s, n);
	canon_put(c, "\n", 1);
}

static void put_int(struct canon *c, int64_t v)
{
	char tmp[24];
	size_t k = sizeof(tmp);
	tmp[--k] = '\0';
	if (v) {
		uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
		do {
			tmp[--k] = (char)('0' + u % 10);
			u /= 10;
		} while (u);
		if (v < 0)
			tmp[--k] = '-';
	}
	put_field(c, tmp + k);
}

static int record_hash(const struct record *r, const char *prev, char out[HASH_HEX])
{
	struct canon c;
	crypto_hash_sha256_init(&c.h);
	c.n = 0;
	canon_put(&c, prev, strlen(prev));
	canon_put(&c, "kexie-audit-v1\n", 15);
	put_int(&c, r->seq);
	const char *const texts[] = {r->at, r->role, r->via, r->request_id, r->client_addr,
				     r->action, r->object_type, r->object_id};
	put_int(&c, r->user_id);
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		put_field(&c, texts[i]);
	put_int(&c, r->org_id);
	put_field(&c, r->detail);
	crypto_hash_sha256_update(&c.h, c.buf, c.n);
	unsigned char d[crypto_hash_sha256_BYTES];
	crypto_hash_sha256_final(&c.h, d);
	sodium_bin2hex(out, HASH_HEX, d, sizeof(d));
	return 0;
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

int audit_append(struct conn *c, const struct audit_entry *e)
{
	struct stmt *st = NULL;
	char prev[HASH_HEX], hash[HASH_HEX], at[32];
	/* taking the chain's end first serialises writers: the chain cannot fork */
	int rc = conn_prepare(c, "UPDATE audit_head SET seq = seq + 1 WHERE id = 1"
				 " RETURNING seq, last_hash", &st);
	if (rc)
		return rc;
	rc = stmt_step(st);
	if (rc != STORE_ROW) {
		stmt_done(st);
		return rc < 0 ? rc : ERR_DB;
	}
	struct record r = {
		.seq = stmt_int64(st, 0), .at = at, .user_id = e->user_id, .role = e->role,
		.via = e->via, .request_id = e->request_id, .client_addr = e->client_addr,
		.action = e->action, .object_type = e->object_type, .object_id = e->object_id,
		.org_id = e->org_id, .detail = e->detail,
	};
	str_copy(prev, sizeof(prev), stmt_text(st, 1, NULL));
	stmt_done(st);
	time_iso_now(at, sizeof(at));
	rc = record_hash(&r, prev, hash);
	if (rc)
		return rc;
	rc = conn_prepare(c,
			  "INSERT INTO audit_log (seq, at, user_id, role, via, request_id, client_addr,"
			  " action, object_type, object_id, org_id, detail, prev_hash, hash)"
			  " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
			  &st);
	if (rc)
		return rc;
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
		return rc;
	rc = conn_prepare(c, "UPDATE audit_head SET last_hash = $1 WHERE id = 1", &st);
	if (rc)
		return rc;
	bind_str(st, 1, hash);
	rc = stmt_step(st);
	stmt_done(st);
	return rc < 0 ? rc : 0;
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

static void bulk_str(struct bulk_val *v, const char *s)
{
	bulk_text(v, s ? s : "");
}

int audit_append_many(struct conn *c, const struct audit_entry *e, size_t n, int per_stmt)
{
	if (n == 0)
		return 0;
	struct stmt *st = NULL;
	char prev[HASH_HEX], at[32];
	/* the whole range of seqs at once: the head is taken (and writers serialised) once */
	int rc = conn_prepare(c, "UPDATE audit_head SET seq = seq + $1 WHERE id = 1 RETURNING seq, last_hash", &st);
	if (rc)
		return rc;
	stmt_bind_int64(st, 1, (int64_t)n);
	rc = stmt_step(st);
	if (rc != STORE_ROW) {
		stmt_done(st);
		return rc < 0 ? rc : ERR_DB;
	}
	int64_t first = stmt_int64(st, 0) - (int64_t)n + 1;
	str_copy(prev, sizeof(prev), stmt_text(st, 1, NULL));
	stmt_done(st);
	time_iso_now(at, sizeof(at));
	char (*hashes)[HASH_HEX] = malloc(n * sizeof(*hashes));
	struct bulk b = {.head = "INSERT INTO audit_log (seq, at, user_id, role, via, request_id, client_addr,"
				 " action, object_type, object_id, org_id, detail, prev_hash, hash)",
			 .ncols = 14, .per_stmt = per_stmt};
	bulk_init(&b);
	rc = hashes ? 0 : ERR_NOMEM;
	for (size_t i = 0; !rc && i < n; i++) {
		struct record r = {
			.seq = first + (int64_t)i, .at = at, .user_id = e[i].user_id, .role = e[i].role,
			.via = e[i].via, .request_id = e[i].request_id, .client_addr = e[i].client_addr,
			.action = e[i].action, .object_type = e[i].object_type, .object_id = e[i].object_id,
			.org_id = e[i].org_id, .detail = e[i].detail,
		};
		rc = record_hash(&r, i ? hashes[i - 1] : prev, hashes[i]);
		struct bulk_val *v = rc ? NULL : bulk_row(&b);
		if (!rc && !v)
			rc = ERR_NOMEM;
		if (rc)
			break;
		bulk_int(&v[0], r.seq);
		bulk_text(&v[1], at);
		bulk_opt_int(&v[2], r.user_id);
		bulk_str(&v[3], r.role);
		bulk_str(&v[4], r.via);
		bulk_str(&v[5], r.request_id);
		bulk_str(&v[6], r.client_addr);
		bulk_str(&v[7], r.action);
		bulk_str(&v[8], r.object_type);
		bulk_str(&v[9], r.object_id);
		bulk_opt_int(&v[10], r.org_id);
		bulk_str(&v[11], r.detail);
		bulk_text(&v[12], i ? hashes[i - 1] : prev);
		bulk_text(&v[13], hashes[i]);
		if (b.nrows >= 1024)
			rc = bulk_flush(c, &b);
	}
	if (!rc)
		rc = bulk_flush(c, &b);
	if (!rc)
		rc = conn_prepare(c, "UPDATE audit_head SET last_hash = $1 WHERE id = 1", &st);
	if (!rc) {
		bind_str(st, 1, hashes[n - 1]);
		rc = stmt_step(st);
		stmt_done(st);
		rc = rc < 0 ? rc : 0;
	}
	bulk_release(&b);
	free(hashes);
	return rc;
}

int audit_verify(struct app *a, int64_t *count, int64_t *bad_seq, char *why, size_t cap)
{
	struct conn *c = NULL;
	struct stmt *st = NULL;
	char running[HASH_HEX] = "0000000000000000000000000000000000000000000000000000000000000000";
	int64_t expect = 1;
	*count = 0;
	*bad_seq = 0;
	why[0] = '\0';
	/* the primary: a replica may lag behind the head */
	int rc = store_acquire(a->store, STORE_WRITE, &c);
	if (rc)
		return rc;
	/* after pruning, the kept chain starts from the last pruned record's hash */
	int64_t pruned = 0;
	rc = conn_prepare(c, "SELECT pruned_seq, pruned_hash FROM audit_head WHERE id = 1", &st);
	if (!rc && (rc = stmt_step(st)) == STORE_ROW) {
		pruned = stmt_int64(st, 0);
		str_copy(running, sizeof(running), stmt_text(st, 1, NULL));
		rc = 0;
	}
	stmt_done(st);
	expect = pruned + 1;
	if (!rc)
		rc = conn_prepare(c,
				  "SELECT seq, at, user_id, role, via, request_id, client_addr, action,"
				  " object_type, object_id, org_id, detail, prev_hash, hash"
				  " FROM audit_log WHERE seq > $1 ORDER BY seq",
				  &st);
	if (!rc)
		stmt_bind_int64(st, 1, pruned);
	while (!rc && (rc = stmt_step(st)) == STORE_ROW) {
		rc = 0;
		struct record r = {
			.seq = stmt_int64(st, 0), .at = stmt_text(st, 1, NULL),
			.user_id = stmt_int64(st, 2), .role = stmt_text(st, 3, NULL),
			.via = stmt_text(st, 4, NULL), .request_id = stmt_text(st, 5, NULL),
			.client_addr = stmt_text(st, 6, NULL), .action = stmt_text(st, 7, NULL),
			.object_type = stmt_text(st, 8, NULL), .object_id = stmt_text(st, 9, NULL),
			.org_id = stmt_int64(st, 10), .detail = stmt_text(st, 11, NULL),
		};
		char h[HASH_HEX];
		if (r.seq != expect) {
			*bad_seq = expect;
			snprintf(why, cap, "record %" PRId64 " is missing (next present is %" PRId64 ")",
				 expect, r.seq);
			rc = ERR_CONFLICT;
			break;
		}
		if (strcmp(stmt_text(st, 12, NULL), running)) {
			*bad_seq = r.seq;
			snprintf(why, cap, "record %" PRId64 " does not follow the one before it", r.seq);
			rc = ERR_CONFLICT;
			break;
		}
		rc = record_hash(&r, running, h);
		if (rc)
			break;
		if (strcmp(h, stmt_text(st, 13, NULL))) {
			*bad_seq = r.seq;
			snprintf(why, cap, "record %" PRId64 " was altered (its content no longer matches its hash)",
				 r.seq);
			rc = ERR_CONFLICT;
			break;
		}
		memcpy(running, h, HASH_HEX);
		(*count)++;
		expect++;
	}
	stmt_done(st);
	if (rc == STORE_DONE) {
		/* the head must point at the last record: a deleted tail shows here */
		rc = conn_prepare(c, "SELECT seq, last_hash FROM audit_head WHERE id = 1", &st);
		if (!rc && (rc = stmt_step(st)) == STORE_ROW) {
			rc = 0;
			if (stmt_int64(st, 0) != pruned + *count || strcmp(stmt_text(st, 1, NULL), running)) {
				*bad_seq = pruned + *count + 1;
				snprintf(why, cap, "the trail ends at record %" PRId64 " but %" PRId64
						   " were written: records were removed",
					 pruned + *count, stmt_int64(st, 0));
				rc = ERR_CONFLICT;
			}
		} else if (!rc) {
			rc = ERR_DB;
		}
		stmt_done(st);
	}
	store_release(c);
	return rc;
}

struct prune_job {
	const struct audit_entry *who;
	char cutoff[16];
	int64_t through, removed;
};

static int prune_tx(struct conn *c, void *arg)
{
	struct prune_job *j = arg;
	struct stmt *st = NULL;
	char hash[HASH_HEX] = "";
	/* the newest record older than the cutoff: everything up to it goes */
	int rc = conn_prepare(c, "SELECT seq, hash FROM audit_log WHERE at < $1 ORDER BY seq DESC LIMIT 1", &st);
	if (rc)
		return rc;
	bind_str(st, 1, j->cutoff);
	rc = stmt_step(st);
	if (rc == STORE_ROW) {
		j->through = stmt_int64(st, 0);
		str_copy(hash, sizeof(hash), stmt_text(st, 1, NULL));
	}
	stmt_done(st);
	if (rc < 0)
		return rc;
	if (!j->through)
		return 0;
	rc = conn_prepare(c, "DELETE FROM audit_log WHERE seq <= $1", &st);
	if (rc)
		return rc;
	stmt_bind_int64(st, 1, j->through);
	rc = stmt_step(st);
	j->removed = stmt_changes(st);
	stmt_done(st);
	if (rc < 0)
		return rc;
	rc = conn_prepare(c, "UPDATE audit_head SET pruned_seq = $1, pruned_hash = $2 WHERE id = 1", &st);
	if (rc)
		return rc;
	stmt_bind_int64(st, 1, j->through);
	bind_str(st, 2, hash);
	rc = stmt_step(st);
	stmt_done(st);
	if (rc < 0)
		return rc;
	struct audit_diff d;
	audit_diff_init(&d);
	audit_diff_int(&d, "removed", j->removed);
	audit_diff_int(&d, "through_seq", j->through);
	audit_diff_str(&d, "older_than", j->cutoff);
	struct audit_entry e = *j->who;
	e.action = "audit.prune";
	e.object_type = "audit_log";
	e.detail = audit_diff_text(&d);
	return audit_append(c, &e);
}

int audit_prune(struct app *a, const struct audit_entry *who, int64_t *removed, char cutoff[16])
{
	int days = a->policy.audit_retention_days < 180 ? 180 : a->policy.audit_retention_days;
	struct prune_job j = {.who = who};
	time_t t = (time_t)(time_unix() - (int64_t)days * 86400);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(j.cutoff, sizeof(j.cutoff), "%Y-%m-%d", &tm);
	int rc = store_tx(a->store, prune_tx, &j);
	*removed = j.removed;
	memcpy(cutoff, j.cutoff, sizeof(j.cutoff));
	return rc;
}

int audit_list(struct app *a, const struct audit_query *q,
	       int (*fn)(const struct audit_row *r, void *arg), void *arg, int64_t *last_seq)
{
	struct conn *c = NULL;
	struct stmt *st = NULL;
	char today[11], to_end[16] = "";
	*last_seq = 0;
	date_today(today, sizeof(today));
	if (q->to) /* inclusive day: everything before the next day starts */
		snprintf(to_end, sizeof(to_end), "%sT99", q->to);
	int rc = store_acquire(a->store, STORE_READ, &c);
	if (rc)
		return rc;
	/* optional filters as (CAST($n AS TEXT) IS NULL OR col = $n): one statement, both databases */
	rc = conn_prepare(c,
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
			  " AND (CAST($3 AS TEXT) IS NULL OR u.login = $3)"
			  " AND (CAST($4 AS TEXT) IS NULL OR l.action = $4)"
			  " AND (CAST($5 AS TEXT) IS NULL OR l.object_type = $5)"
			  " AND (CAST($6 AS TEXT) IS NULL OR l.object_id = $6)"
			  " AND ($7 IS NULL OR l.org_id IN (SELECT id FROM down))"
			  " AND ($8 = 0 OR l.seq < $8)"
			  " ORDER BY l.seq DESC LIMIT $9",
			  &st);
	if (rc)
		goto done;
	const char *texts[] = {q->from, q->to ? to_end : NULL, q->login, q->action, q->object_type,
			       q->object_id};
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
	while ((rc = stmt_step(st)) == STORE_ROW) {
		struct audit_row r = {
			.seq = stmt_int64(st, 0), .at = stmt_text(st, 1, NULL), .login = stmt_text(st, 2, NULL),
			.role = stmt_text(st, 3, NULL), .via = stmt_text(st, 4, NULL),
			.request_id = stmt_text(st, 5, NULL), .client_addr = stmt_text(st, 6, NULL),
			.action = stmt_text(st, 7, NULL), .object_type = stmt_text(st, 8, NULL),
			.object_id = stmt_text(st, 9, NULL), .org_code = stmt_text(st, 10, NULL),
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

void audit_diff_init(struct audit_diff *d)
{
	d->s[0] = '{';
	d->s[1] = '\0';
	d->n = 1;
	d->items = 0;
	d->full = false;
}

/* Adds "key": <raw JSON in parts> atomically; marks the diff full when it does not fit. */
static void diff_add(struct audit_diff *d, const char *key, const char *v1, const char *v2, int kind)
{
	if (d->full)
		return;
	char tmp[sizeof(d->s)];
	size_t n = 0, k;
	const size_t cap = sizeof(tmp);
	if (d->items)
		tmp[n++] = ',';
	if (!(k = json_quote(tmp + n, cap - n, key)))
		goto full;
	n += k;
	tmp[n++] = ':';
	if (kind == 0) { /* [old, new] */
		tmp[n++] = '[';
		if (!(k = json_quote(tmp + n, cap - n, v1)))
			goto full;
		n += k;
		tmp[n++] = ',';
		if (!(k = json_quote(tmp + n, cap - n, v2)))
			goto full;
		n += k;
		tmp[n++] = ']';
	} else if (kind == 1) { /* a string */
		if (!(k = json_quote(tmp + n, cap - n, v1)))
			goto full;
		n += k;
	} else { /* raw number */
		size_t l = strlen(v1);
		if (n + l >= cap)
			goto full;
		memcpy(tmp + n, v1, l);
		n += l;
	}
	if (d->n + n + 24 >= sizeof(d->s))
		goto full;
	memcpy(d->s + d->n, tmp, n);
	d->n += n;
	d->s[d->n] = '\0';
	d->items++;
	return;
full:
	d->full = true;
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
	diff_add(d, field, old, nw, 0);
}

void audit_diff_secret(struct audit_diff *d, const char *field)
{
	diff_add(d, field, "changed", NULL, 1);
}

void audit_diff_str(struct audit_diff *d, const char *key, const char *v)
{
	diff_add(d, key, v ? v : "", NULL, 1);
}

void audit_diff_int(struct audit_diff *d, const char *key, int64_t v)
{
	char num[24];
	snprintf(num, sizeof(num), "%" PRId64, v);
	diff_add(d, key, num, NULL, 2);
}

const char *audit_diff_text(struct audit_diff *d)
{
	size_t n = d->n;
	if (d->full) {
		const char *t = d->items ? ",\"truncated\":true}" : "\"truncated\":true}";
		memcpy(d->s + n, t, strlen(t) + 1);
	} else {
		d->s[n] = '}';
		d->s[n + 1] = '\0';
	}
	return d->s;
}

int audit_diff_count(const struct audit_diff *d)
{
	return d->items;
}
