/*
 * audit_chain.c - keeping the audit trail honest (see audit.h): verifying the keyed chain,
 * signed checkpoints that make removing the newest records visible, keying a trail written
 * before keyed chains existed, the checkpoint thread of the server, and retention.
 *
 * What a database administrator (who holds the database but not DATA_DIR/kexie.key) can
 * no longer do unseen: change a record (its link no longer matches), write a new chain
 * (links are HMACs under a key derived from the server key), delete records in the middle
 * (a gap), delete the oldest ones and move the pruning mark (the mark is authenticated
 * too), or delete the newest ones and reset the head (the checkpoint in the data directory
 * names a later record). Records written after the newest checkpoint can still be removed
 * unseen: the server checkpoints every audit_checkpoint_seconds to keep that window short.
 */
#include "core/audit.h"
#include "core/audit_int.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/log.h"
#include "base/ticker.h"
#include "base/timeutil.h"
#include "store/store.h"

#include <sodium.h>

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define CP_PREFIX  "kexie-audit-checkpoint v1 "
#define CP_FILE    "audit.checkpoint"
#define WALK_BATCH 256

/* ---- the head ---- */

struct head {
	int64_t seq, pruned_seq;
	char last_hash[AUDIT_HASH_HEX], pruned_hash[AUDIT_HASH_HEX], pruned_mac[AUDIT_HASH_HEX];
	char chain[24];
};

static int head_read(struct conn *c, struct head *h)
{
	memset(h, 0, sizeof(*h));
	int rc = conn_row(c,
			  "SELECT seq, last_hash, chain, pruned_seq, pruned_hash, pruned_mac"
			  " FROM audit_head WHERE id = 1",
			  "", "ittitt", &h->seq, h->last_hash, sizeof(h->last_hash), h->chain,
			  sizeof(h->chain), &h->pruned_seq, h->pruned_hash, sizeof(h->pruned_hash),
			  h->pruned_mac, sizeof(h->pruned_mac));
	return rc == ERR_NOTFOUND ? ERR_DB : rc; /* the migration made the row: else damaged */
}

/* Reads the head on a connection that sees every committed record: the primary when a
 * replica is configured (a replica may lag), else a reader (SQLite's WAL readers see
 * every commit and leave the writer free). */
static enum store_mode chain_mode(struct app *a)
{
	return store_has_replica(a->store) ? STORE_WRITE : STORE_READ;
}

/* The authentication of the pruning mark: HMAC(prune key, seq and link of the last
 * record removed). */
static void pruned_mark_mac(const struct app *a, int64_t seq, const char *hash, char out[AUDIT_HASH_HEX])
{
	unsigned char k[32], mac[crypto_auth_hmacsha256_BYTES];
	char msg[128];
	int n = snprintf(msg, sizeof(msg), "kexie-audit-pruned\n%" PRId64 "\n%s\n", seq, hash);
	audit_subkey(a->key, AUDIT_KEY_PRUNE, k);
	crypto_auth_hmacsha256(mac, (const unsigned char *)msg, (unsigned long long)n, k);
	sodium_memzero(k, sizeof(k));
	sodium_bin2hex(out, AUDIT_HASH_HEX, mac, sizeof(mac));
}

static bool pruned_mark_ok(const struct app *a, const struct head *h)
{
	if (!h->pruned_seq)
		return !strcmp(h->pruned_hash, AUDIT_ZERO_HASH);
	char mac[AUDIT_HASH_HEX];
	pruned_mark_mac(a, h->pruned_seq, h->pruned_hash, mac);
	return strlen(h->pruned_mac) == 64 && sodium_memcmp(mac, h->pruned_mac, 64) == 0;
}

/* ---- walking records in order, a batch at a time ---- */

enum { W_AT, W_ROLE, W_VIA, W_RID, W_ADDR, W_ACTION, W_OTYPE, W_OID, W_DETAIL, W_PREV, W_HASH, W_NTEXT };

struct wrow {
	int64_t seq, user_id, org_id;
	char *t[W_NTEXT];
	struct buf orgs;
};

/* One record as the walk hands it over: rec for the chain, prev and hash as stored. */
struct walked {
	struct audit_record rec;
	const char *prev, *hash;
};

typedef int (*walk_fn)(const struct walked *w, void *arg);

static void wrows_free(struct wrow *rows, int n)
{
	for (int i = 0; i < n; i++) {
		for (int k = 0; k < W_NTEXT; k++)
			free(rows[i].t[k]);
		buf_release(&rows[i].orgs);
	}
}

/* Reads the records with seq in (after, upto] (at most WALK_BATCH of them, with their
 * orgs) into rows; *n counts them. The statement is done before anything else runs. */
static int walk_batch(struct conn *c, int64_t after, int64_t upto, struct wrow *rows, int *n)
{
	struct stmt *st = NULL;
	*n = 0;
	int rc = conn_prepare(c,
			      "SELECT l.seq, l.user_id, l.org_id, l.at, l.role, l.via, l.request_id,"
			      " l.client_addr, l.action, l.object_type, l.object_id, l.detail, l.prev_hash,"
			      " l.hash, o.org_id FROM (SELECT * FROM audit_log WHERE seq > $1 AND seq <= $2"
			      " ORDER BY seq LIMIT $3) l LEFT JOIN audit_org o ON o.seq = l.seq"
			      " ORDER BY l.seq, o.org_id",
			      &st);
	if (rc)
		return rc;
	stmt_bind_int64(st, 1, after);
	stmt_bind_int64(st, 2, upto);
	stmt_bind_int64(st, 3, WALK_BATCH);
	int err = 0;
	while (!err && (rc = stmt_step(st)) == STORE_ROW) {
		int64_t seq = stmt_int64(st, 0);
		if (!*n || rows[*n - 1].seq != seq) {
			if (*n >= WALK_BATCH) { /* cannot happen: the inner LIMIT */
				err = ERR_DB;
				break;
			}
			struct wrow *w = &rows[(*n)++];
			memset(w, 0, sizeof(*w));
			buf_init(&w->orgs, (size_t)AUDIT_ORGS_MAX * 21);
			w->seq = seq;
			w->user_id = stmt_int64(st, 1);
			w->org_id = stmt_int64(st, 2);
			for (int k = 0; k < W_NTEXT; k++)
				if (!(w->t[k] = strdup(stmt_text(st, 3 + k, NULL))))
					err = ERR_NOMEM;
		}
		if (!err && !stmt_isnull(st, 14)) {
			struct wrow *w = &rows[*n - 1];
			err = buf_printf(&w->orgs, "%s%" PRId64, w->orgs.len ? "," : "", stmt_int64(st, 14));
		}
	}
	if (err)
		rc = err;
	stmt_done(st);
	return rc < 0 ? rc : 0;
}

/* Calls fn for each record with seq in (after, upto], in order; stops at fn's first
 * non-zero return and returns it. fn may run statements on c (the batch is read). */
static int walk(struct conn *c, int64_t after, int64_t upto, walk_fn fn, void *arg)
{
	struct wrow *rows = calloc(WALK_BATCH, sizeof(*rows));
	if (!rows)
		return ERR_NOMEM;
	int rc = 0, n = 0;
	while (!rc && after < upto) {
		rc = walk_batch(c, after, upto, rows, &n);
		for (int i = 0; !rc && i < n; i++) {
			struct wrow *w = &rows[i];
			struct walked x = {
				.rec = {.seq = w->seq,
					.at = w->t[W_AT],
					.user_id = w->user_id,
					.role = w->t[W_ROLE],
					.via = w->t[W_VIA],
					.request_id = w->t[W_RID],
					.client_addr = w->t[W_ADDR],
					.action = w->t[W_ACTION],
					.object_type = w->t[W_OTYPE],
					.object_id = w->t[W_OID],
					.org_id = w->org_id,
					.detail = w->t[W_DETAIL],
					.orgs = w->orgs.ptr},
				.prev = w->t[W_PREV],
				.hash = w->t[W_HASH],
			};
			rc = fn(&x, arg);
		}
		if (n)
			after = rows[n - 1].seq;
		wrows_free(rows, n);
		if (!n)
			break;
	}
	free(rows);
	return rc;
}

/* ---- checkpoints ---- */

static void cp_keys(const struct app *a, unsigned char pk[crypto_sign_PUBLICKEYBYTES],
		    unsigned char sk[crypto_sign_SECRETKEYBYTES])
{
	unsigned char seed[32];
	audit_subkey(a->key, AUDIT_KEY_CHECKPOINT, seed);
	crypto_sign_seed_keypair(pk, sk, seed);
	sodium_memzero(seed, sizeof(seed));
}

/* Builds cp->line from seq, hash and at, signed. */
static void cp_sign(const struct app *a, struct audit_checkpoint *cp)
{
	unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
	unsigned char sig[crypto_sign_BYTES];
	char sighex[2 * crypto_sign_BYTES + 1];
	cp_keys(a, pk, sk);
	int n = snprintf(cp->line, sizeof(cp->line), CP_PREFIX "seq=%" PRId64 " hash=%s at=%s", cp->seq,
			 cp->hash, cp->at);
	crypto_sign_detached(sig, NULL, (const unsigned char *)cp->line, (unsigned long long)n, sk);
	sodium_memzero(sk, sizeof(sk));
	sodium_bin2hex(sighex, sizeof(sighex), sig, sizeof(sig));
	snprintf(cp->line + n, sizeof(cp->line) - (size_t)n, " sig=%s", sighex);
}

static bool all_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

/* Finds a checkpoint in text (a file, or a log line around it), checks its form and its
 * signature. 0, or ERR_INVALID with why. */
static int cp_parse(const struct app *a, const char *text, struct audit_checkpoint *cp, char *why, size_t cap)
{
	memset(cp, 0, sizeof(*cp));
	const char *p = strstr(text, CP_PREFIX);
	if (!p) {
		snprintf(why, cap, "no \"" CP_PREFIX "...\" line");
		return ERR_INVALID;
	}
	const char *start = p;
	p += strlen(CP_PREFIX);
	if (strncmp(p, "seq=", 4))
		goto bad;
	p += 4;
	if (*p < '0' || *p > '9')
		goto bad;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (cp->seq > (INT64_MAX - 9) / 10)
			goto bad;
		cp->seq = cp->seq * 10 + (*p - '0');
	}
	if (strncmp(p, " hash=", 6) || !all_hex(p + 6, 64))
		goto bad;
	memcpy(cp->hash, p + 6, 64);
	cp->hash[64] = '\0';
	p += 6 + 64;
	if (strncmp(p, " at=", 4))
		goto bad;
	p += 4;
	const char *sp = strchr(p, ' ');
	if (!sp || (size_t)(sp - p) >= sizeof(cp->at) || sp == p)
		goto bad;
	memcpy(cp->at, p, (size_t)(sp - p));
	cp->at[sp - p] = '\0';
	size_t signed_len = (size_t)(sp - start);
	p = sp;
	if (strncmp(p, " sig=", 5) || !all_hex(p + 5, 2 * crypto_sign_BYTES))
		goto bad;
	p += 5;
	unsigned char sig[crypto_sign_BYTES];
	if (sodium_hex2bin(sig, sizeof(sig), p, 2 * crypto_sign_BYTES, NULL, NULL, NULL))
		goto bad;
	size_t line_len = signed_len + 5 + 2 * crypto_sign_BYTES;
	if (line_len >= sizeof(cp->line))
		goto bad;
	memcpy(cp->line, start, line_len);
	cp->line[line_len] = '\0';
	unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
	cp_keys(a, pk, sk);
	sodium_memzero(sk, sizeof(sk));
	if (crypto_sign_verify_detached(sig, (const unsigned char *)start, signed_len, pk)) {
		snprintf(why, cap,
			 "the checkpoint of %s (record %" PRId64 ") is not signed with this"
			 " server's key: it was altered or comes from another installation",
			 cp->at, cp->seq);
		return ERR_INVALID;
	}
	return 0;
bad:
	snprintf(why, cap, "a checkpoint line is malformed");
	return ERR_INVALID;
}

static void cp_path(const struct app *a, char *out, size_t cap)
{
	snprintf(out, cap, "%s/" CP_FILE, a->data_dir);
}

/* Loads DATA_DIR/audit.checkpoint: 0 with *found, or ERR_INVALID with why (unreadable,
 * malformed or wrongly signed: never silently ignored). No data dir: nothing found. */
static int cp_load(const struct app *a, struct audit_checkpoint *cp, bool *found, char *why, size_t cap)
{
	*found = false;
	if (!a->data_dir)
		return 0;
	char path[600], text[1024];
	cp_path(a, path, sizeof(path));
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		snprintf(why, cap, "cannot read %s: %s", path, strerror(errno));
		return ERR_INVALID;
	}
	ssize_t n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n < 0) {
		snprintf(why, cap, "cannot read %s", path);
		return ERR_INVALID;
	}
	text[n] = '\0';
	int rc = cp_parse(a, text, cp, why, cap);
	if (!rc)
		*found = true;
	return rc;
}

/* Replaces DATA_DIR/audit.checkpoint with cp (write, fsync, rename, fsync the directory). */
static int cp_store(const struct app *a, const struct audit_checkpoint *cp, char *why, size_t cap)
{
	char path[600], tmp[640];
	cp_path(a, path, sizeof(path));
	uint32_t r = randombytes_random();
	snprintf(tmp, sizeof(tmp), "%s.%ld.%08x", path, (long)getpid(), r);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(why, cap, "cannot write %s: %s", tmp, strerror(errno));
		return ERR_DB;
	}
	char text[400];
	int n = snprintf(text, sizeof(text), "%s\n", cp->line);
	bool ok = write(fd, text, (size_t)n) == (ssize_t)n && fsync(fd) == 0;
	ok = close(fd) == 0 && ok;
	if (!ok || rename(tmp, path)) {
		snprintf(why, cap, "cannot write %s: %s", path, strerror(errno));
		unlink(tmp);
		return ERR_DB;
	}
	int dfd = open(a->data_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		(void)fsync(dfd);
		close(dfd);
	}
	return 0;
}

/* ---- checking a stretch of the chain ---- */

struct check {
	unsigned char key[32];
	char running[AUDIT_HASH_HEX];
	int64_t expect, count;
	const struct audit_checkpoint *cps;
	int ncps;
	struct audit_verify_result *out;
};

static int broken(struct audit_verify_result *out, int64_t seq, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int broken(struct audit_verify_result *out, int64_t seq, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	out->bad_seq = seq;
	vsnprintf(out->why, sizeof(out->why), fmt, ap);
	va_end(ap);
	return ERR_CONFLICT;
}

static int check_one(const struct walked *w, void *arg)
{
	struct check *k = arg;
	const struct audit_record *r = &w->rec;
	if (r->seq != k->expect)
		return broken(k->out, k->expect,
			      "record %" PRId64 " is missing (next present is %" PRId64 ")", k->expect,
			      r->seq);
	if (strcmp(w->prev, k->running))
		return broken(k->out, r->seq, "record %" PRId64 " does not follow the one before it", r->seq);
	char mac[AUDIT_HASH_HEX];
	audit_record_mac(k->key, r, k->running, mac);
	if (strlen(w->hash) != 64 || sodium_memcmp(mac, w->hash, 64) != 0)
		return broken(k->out, r->seq,
			      "record %" PRId64 " was altered (its content no longer matches its keyed hash)",
			      r->seq);
	for (int i = 0; i < k->ncps; i++)
		if (k->cps[i].seq == r->seq && strcmp(k->cps[i].hash, mac))
			return broken(k->out, r->seq,
				      "record %" PRId64
				      " is not the one the checkpoint of %s names: the trail was rewritten",
				      r->seq, k->cps[i].at);
	memcpy(k->running, mac, AUDIT_HASH_HEX);
	k->count++;
	k->expect++;
	return 0;
}

/* Checks records (after, h->seq] chained from anchor (the link of record `after`), the
 * head, and the checkpoints beyond `after`. 0, ERR_CONFLICT (out says why) or a store
 * error. out->count counts the records checked. */
static int check_from(const struct app *a, struct conn *c, const struct head *h, int64_t after,
		      const char *anchor, const struct audit_checkpoint *cps, int ncps,
		      struct audit_verify_result *out)
{
	struct check k = {.expect = after + 1, .cps = cps, .ncps = ncps, .out = out};
	audit_subkey(a->key, AUDIT_KEY_CHAIN, k.key);
	str_copy(k.running, sizeof(k.running), anchor);
	int rc = 0;
	for (int i = 0; !rc && i < ncps; i++)
		if (cps[i].seq == after && after > 0 && strcmp(cps[i].hash, anchor))
			rc = broken(out, after,
				    "record %" PRId64 " is not the one the checkpoint of %s names:"
				    " the trail was rewritten",
				    after, cps[i].at);
	if (!rc)
		rc = walk(c, after, h->seq, check_one, &k);
	out->count = k.count;
	if (!rc && k.expect - 1 != h->seq)
		rc = broken(out, k.expect,
			    "the trail ends at record %" PRId64 " but %" PRId64
			    " were written: records were removed",
			    k.expect - 1, h->seq);
	if (!rc && strcmp(k.running, h->last_hash))
		rc = broken(out, h->seq,
			    "the head of the trail does not match record %" PRId64
			    ": records were removed or replaced",
			    h->seq);
	for (int i = 0; !rc && i < ncps; i++)
		if (cps[i].seq > h->seq)
			rc = broken(out, h->seq + 1,
				    "the trail ends at record %" PRId64
				    " but the checkpoint of %s names record %" PRId64
				    ": records were removed",
				    h->seq, cps[i].at, cps[i].seq);
	sodium_memzero(k.key, sizeof(k.key));
	return rc;
}

/* The checkpoints to compare: the data dir's and, optionally, one given as text. */
static int cps_load(const struct app *a, const char *extra, struct audit_checkpoint cps[2], int *n,
		    struct audit_verify_result *out)
{
	bool found = false;
	*n = 0;
	if (cp_load(a, &cps[0], &found, out->why, sizeof(out->why)))
		return ERR_CONFLICT;
	*n += found;
	if (extra && cp_parse(a, extra, &cps[*n], out->why, sizeof(out->why)))
		return ERR_CONFLICT;
	*n += extra != NULL;
	for (int i = 0; i < *n; i++)
		if (!out->has_checkpoint || cps[i].seq > out->cp.seq) {
			out->cp = cps[i];
			out->has_checkpoint = true;
		}
	return 0;
}

static int not_keyed(struct audit_verify_result *out, const struct head *h)
{
	return broken(out, h->pruned_seq + 1,
		      "the trail is not keyed (chain '%s'): `kexie migrate` or `kexie serve` keys a trail"
		      " written before keyed chains, once",
		      h->chain);
}

int audit_verify_full(struct app *a, const char *extra_line, struct audit_verify_result *out)
{
	memset(out, 0, sizeof(*out));
	struct audit_checkpoint cps[2];
	int ncps = 0;
	struct head h;
	struct conn *c = NULL;
	int rc = cps_load(a, extra_line, cps, &ncps, out);
	if (rc)
		return rc;
	rc = store_acquire(a->store, chain_mode(a), &c);
	if (rc)
		return rc;
	/* the head first: records appended meanwhile lie beyond it and are not judged */
	rc = head_read(c, &h);
	if (rc)
		goto done;
	out->head_seq = h.seq;
	out->pruned_seq = h.pruned_seq;
	if (strcmp(h.chain, AUDIT_CHAIN_KEYED)) {
		rc = not_keyed(out, &h);
		goto done;
	}
	if (!pruned_mark_ok(a, &h)) {
		rc = broken(out, 1,
			    "the pruning mark (records up to %" PRId64 " removed) was not set by"
			    " `kexie audit prune`: records were removed from the start",
			    h.pruned_seq);
		goto done;
	}
	rc = check_from(a, c, &h, h.pruned_seq, h.pruned_hash, cps, ncps, out);
done:
	store_release(c);
	return rc;
}

int audit_verify(struct app *a, int64_t *count, int64_t *bad_seq, char *why, size_t cap)
{
	struct audit_verify_result *r = malloc(sizeof(*r));
	if (!r)
		return ERR_NOMEM;
	int rc = audit_verify_full(a, NULL, r);
	*count = r->count;
	*bad_seq = r->bad_seq;
	str_copy(why, cap, r->why);
	free(r);
	return rc;
}

int audit_checkpoint(struct app *a, struct audit_checkpoint *out, bool *wrote, char *why, size_t cap)
{
	struct audit_verify_result *res = calloc(1, sizeof(*res));
	struct audit_checkpoint prev;
	bool found = false;
	struct head h;
	struct conn *c = NULL;
	*wrote = false;
	why[0] = '\0';
	int rc = res ? 0 : ERR_NOMEM;
	if (!rc && !a->data_dir)
		rc = ERR_INVALID;
	if (!rc && cp_load(a, &prev, &found, why, cap))
		rc = ERR_CONFLICT; /* an altered checkpoint stays as it is: it is evidence */
	if (!rc)
		rc = store_acquire(a->store, chain_mode(a), &c);
	if (!rc)
		rc = head_read(c, &h);
	if (rc)
		goto done;
	if (strcmp(h.chain, AUDIT_CHAIN_KEYED)) {
		rc = not_keyed(res, &h);
		goto done;
	}
	/* from the previous checkpoint when it lies in the kept chain, else from the mark */
	int64_t after = h.pruned_seq;
	char anchor[AUDIT_HASH_HEX];
	str_copy(anchor, sizeof(anchor), h.pruned_hash);
	if (found && prev.seq > h.pruned_seq) {
		if (prev.seq > h.seq) {
			rc = broken(res, h.seq + 1,
				    "the trail ends at record %" PRId64 " but the checkpoint of %s"
				    " names record %" PRId64 ": records were removed",
				    h.seq, prev.at, prev.seq);
			goto done;
		}
		char at_cp[AUDIT_HASH_HEX] = "";
		rc = conn_row(c, "SELECT hash FROM audit_log WHERE seq = $1", "i", "t", prev.seq, at_cp,
			      sizeof(at_cp));
		if (rc && rc != ERR_NOTFOUND)
			goto done;
		if (rc || strcmp(at_cp, prev.hash)) {
			rc = broken(res, prev.seq,
				    "record %" PRId64 " is %s the one the checkpoint of %s names", prev.seq,
				    rc ? "missing, and was" : "not", prev.at);
			goto done;
		}
		after = prev.seq;
		str_copy(anchor, sizeof(anchor), prev.hash);
	} else if (!pruned_mark_ok(a, &h)) {
		rc = broken(res, 1, "the pruning mark was not set by `kexie audit prune`");
		goto done;
	}
	if (found && prev.seq == h.seq) {
		rc = 0; /* nothing new since */
		*out = prev;
		goto done;
	}
	rc = check_from(a, c, &h, after, anchor, found ? &prev : NULL, found, res);
	store_release(c);
	c = NULL;
	if (rc)
		goto done;
	struct audit_checkpoint cp = {.seq = h.seq};
	str_copy(cp.hash, sizeof(cp.hash), h.last_hash);
	time_iso_now(cp.at, sizeof(cp.at));
	cp_sign(a, &cp);
	rc = cp_store(a, &cp, why, cap);
	if (!rc) {
		*out = cp;
		*wrote = true;
		log_info("audit checkpoint %s", cp.line);
	}
done:
	store_release(c);
	if (rc == ERR_CONFLICT && res && !why[0])
		str_copy(why, cap, res->why);
	free(res);
	return rc;
}

/* ---- keying a trail written before keyed chains ---- */

struct legacy_check {
	char running[AUDIT_HASH_HEX];
	int64_t expect;
	char why[200];
};

/* The plain SHA-256 chain of before: noted (not refused) when broken, in audit.rekey. */
static int legacy_one(const struct walked *w, void *arg)
{
	struct legacy_check *k = arg;
	char h[AUDIT_HASH_HEX];
	audit_record_hash_v1(&w->rec, k->running, h);
	if (w->rec.seq != k->expect || strcmp(w->prev, k->running) || strcmp(h, w->hash)) {
		snprintf(k->why, sizeof(k->why), "broken at record %" PRId64, k->expect);
		return 1; /* stop: the rest is judged by the keyed chain from now on */
	}
	memcpy(k->running, h, AUDIT_HASH_HEX);
	k->expect++;
	return 0;
}

struct rekey_job {
	struct app *a;
	struct conn *c;
	unsigned char key[32];
	char running[AUDIT_HASH_HEX];
	int64_t records, scrubbed;
	const char *legacy;
	bool done_before; /* another process keyed it meanwhile */
};

static int rekey_one(const struct walked *w, void *arg)
{
	struct rekey_job *j = arg;
	struct audit_record r = w->rec;
	char login_h[33];
	/* a sign-in on an unknown login kept the text typed, often a password: keep only its
	 * keyed hash, as records written now do. The text is taken as stored (JSON-escaped). */
	static const char pre[] = "{\"unknown_login\":\"";
	size_t n = strlen(r.detail), pl = sizeof(pre) - 1;
	bool scrub = !strcmp(r.action, "user.login_failed") && n >= pl + 2 && !strncmp(r.detail, pre, pl) &&
		     !strcmp(r.detail + n - 2, "\"}");
	if (scrub) {
		char *typed = strndup(r.detail + pl, n - pl - 2);
		if (!typed)
			return ERR_NOMEM;
		audit_login_hash(j->a, typed, login_h);
		sodium_memzero(typed, strlen(typed));
		free(typed);
		r.object_type = "unknown_login";
		r.object_id = login_h;
		r.detail = "{\"reason\":\"unknown_login\"}";
		j->scrubbed++;
	}
	char mac[AUDIT_HASH_HEX];
	audit_record_mac(j->key, &r, j->running, mac);
	int rc = conn_run(j->c,
			  "UPDATE audit_log SET prev_hash = $2, hash = $3, object_type = $4,"
			  " object_id = $5, detail = $6 WHERE seq = $1",
			  "ittttt", r.seq, j->running, mac, r.object_type, r.object_id, r.detail);
	if (rc < 0)
		return rc;
	memcpy(j->running, mac, AUDIT_HASH_HEX);
	j->records++;
	return 0;
}

static int rekey_tx(struct conn *c, void *arg)
{
	struct rekey_job *j = arg;
	struct head h;
	j->c = c;
	j->records = j->scrubbed = 0;
	int rc = head_read(c, &h);
	if (rc)
		return rc;
	if (!strcmp(h.chain, AUDIT_CHAIN_KEYED)) {
		j->done_before = true;
		return 0;
	}
	str_copy(j->running, sizeof(j->running), h.pruned_hash);
	rc = walk(c, h.pruned_seq, h.seq, rekey_one, j);
	if (rc)
		return rc;
	char mark[AUDIT_HASH_HEX] = "";
	if (h.pruned_seq)
		pruned_mark_mac(j->a, h.pruned_seq, h.pruned_hash, mark);
	rc = conn_run(c, "UPDATE audit_head SET last_hash = $1, chain = $2, pruned_mac = $3 WHERE id = 1",
		      "ttt", j->running, AUDIT_CHAIN_KEYED, mark);
	if (rc < 0)
		return rc;
	struct audit_diff d;
	audit_diff_init(&d);
	audit_diff_int(&d, "records", j->records);
	audit_diff_str(&d, "from", h.chain);
	audit_diff_str(&d, "to", AUDIT_CHAIN_KEYED);
	audit_diff_str(&d, "legacy_chain", j->legacy);
	audit_diff_int(&d, "unknown_logins_hashed", j->scrubbed);
	struct audit_entry e = {.via = "system",
				.action = "audit.rekey",
				.object_type = "audit_log",
				.detail = audit_diff_text(&d)};
	return audit_append(c, &e);
}

int audit_prepare(struct app *a, int64_t *rekeyed, char *why, size_t cap)
{
	struct conn *c = NULL;
	struct head h;
	*rekeyed = 0;
	why[0] = '\0';
	int rc = store_acquire(a->store, STORE_WRITE, &c);
	if (rc)
		return rc;
	rc = head_read(c, &h);
	struct legacy_check lc = {.expect = h.pruned_seq + 1};
	bool legacy = !rc && strcmp(h.chain, AUDIT_CHAIN_KEYED);
	if (legacy) {
		struct audit_checkpoint cp;
		bool found = false;
		char tmp[256];
		if (strcmp(h.chain, "sha256")) {
			snprintf(why, cap, "the audit trail names an unknown chain '%s'", h.chain);
			rc = ERR_CONFLICT;
		} else if (cp_load(a, &cp, &found, tmp, sizeof(tmp)) || found) {
			/* keyed trails leave a checkpoint: an unkeyed one now was put in its place */
			snprintf(why, cap,
				 "the audit trail is not keyed, but %s/" CP_FILE " shows it was:"
				 " its chain was replaced; run `kexie audit verify`",
				 a->data_dir);
			rc = ERR_CONFLICT;
		} else {
			str_copy(lc.running, sizeof(lc.running), h.pruned_hash);
			rc = walk(c, h.pruned_seq, h.seq, legacy_one, &lc);
			rc = rc < 0 ? rc : 0;
			if (!rc && !lc.why[0] && lc.expect - 1 != h.seq)
				snprintf(lc.why, sizeof(lc.why), "records after %" PRId64 " missing",
					 lc.expect - 1);
		}
	}
	store_release(c);
	if (rc)
		return rc;
	if (legacy) {
		struct rekey_job j = {.a = a, .legacy = lc.why[0] ? lc.why : "intact"};
		audit_subkey(a->key, AUDIT_KEY_CHAIN, j.key);
		rc = store_tx(a->store, rekey_tx, &j);
		sodium_memzero(j.key, sizeof(j.key));
		if (rc)
			return rc;
		if (!j.done_before) {
			*rekeyed = j.records;
			log_info("audit: keyed the trail: %" PRId64 " records re-chained with the server key"
				 " (the plain chain before: %s; unknown logins kept as keyed hashes: %" PRId64
				 ")",
				 j.records, j.legacy, j.scrubbed);
		}
	}
	struct audit_checkpoint cp;
	bool wrote;
	rc = audit_checkpoint(a, &cp, &wrote, why, cap);
	if (rc && !why[0]) /* why says it, and serving goes on: the chain itself is keyed */
		snprintf(why, cap, "cannot write a checkpoint (%s)", err_name(rc));
	return 0;
}

/* ---- the server's checkpoint thread ---- */

struct audit_checkpointer {
	struct app *a;
	struct ticker *t;
	char problem[256]; /* the last one logged, so a standing problem is logged once */
};

static void checkpoint_now(void *arg, struct ticker *t)
{
	(void)t;
	struct audit_checkpointer *k = arg;
	struct audit_checkpoint cp;
	bool wrote = false;
	char why[256] = "";
	int rc = audit_checkpoint(k->a, &cp, &wrote, why, sizeof(why));
	if (rc == 0) {
		k->problem[0] = '\0';
		return;
	}
	if (rc != ERR_CONFLICT)
		snprintf(why, sizeof(why), "cannot write a checkpoint (%s)", err_name(rc));
	if (strcmp(why, k->problem)) {
		log_error("audit trail: %s (checkpoints stop until it is resolved; run `kexie audit verify`)",
			  why);
		str_copy(k->problem, sizeof(k->problem), why);
	}
}

int audit_checkpointer_start(struct app *a, int seconds, struct audit_checkpointer **out)
{
	struct audit_checkpointer *k = calloc(1, sizeof(*k));
	if (!k)
		return ERR_NOMEM;
	k->a = a;
	/* the last records before stopping get a checkpoint too */
	if (ticker_start((seconds > 0 ? seconds : 10) * 1000, TICK_AT_STOP, checkpoint_now, k, &k->t)) {
		free(k);
		return ERR_NOMEM;
	}
	*out = k;
	return 0;
}

void audit_checkpointer_stop(struct audit_checkpointer *k)
{
	if (!k)
		return;
	ticker_stop(k->t);
	free(k);
}

/* ---- retention ---- */

struct prune_job {
	const struct app *a;
	const struct audit_entry *who;
	char cutoff[16];
	char through_hash[AUDIT_HASH_HEX];
	const char *removed_chain;
	int64_t through, removed;
};

static int prune_tx(struct conn *c, void *arg)
{
	struct prune_job *j = arg;
	int rc = conn_run(c, "DELETE FROM audit_org WHERE seq <= $1", "i", j->through);
	if (rc >= 0) /* a count: the audit log holds fewer than 2^31 records past retention */
		rc = conn_run(c, "DELETE FROM audit_log WHERE seq <= $1", "i", j->through);
	if (rc < 0)
		return rc;
	j->removed = rc;
	char mark[AUDIT_HASH_HEX];
	pruned_mark_mac(j->a, j->through, j->through_hash, mark);
	rc = conn_run(c,
		      "UPDATE audit_head SET pruned_seq = $1, pruned_hash = $2, pruned_mac = $3 WHERE id = 1",
		      "itt", j->through, j->through_hash, mark);
	if (rc < 0)
		return rc;
	struct audit_diff d;
	audit_diff_init(&d);
	audit_diff_int(&d, "removed", j->removed);
	audit_diff_int(&d, "through_seq", j->through);
	audit_diff_str(&d, "older_than", j->cutoff);
	audit_diff_str(&d, "removed_chain", j->removed_chain);
	struct audit_entry e = *j->who;
	e.action = "audit.prune";
	e.object_type = "audit_log";
	e.detail = audit_diff_text(&d);
	return audit_append(c, &e);
}

int audit_prune(struct app *a, const struct audit_entry *who, int64_t *removed, char cutoff[16], char *why,
		size_t cap)
{
	int days = a->policy.audit_retention_days < 180 ? 180 : a->policy.audit_retention_days;
	struct prune_job j = {.a = a, .who = who};
	struct audit_verify_result *res = calloc(1, sizeof(*res));
	struct conn *c = NULL;
	char removed_chain[300] = "intact";
	*removed = 0;
	why[0] = '\0';
	time_t t = (time_t)(time_unix() - (int64_t)days * 86400);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(j.cutoff, sizeof(j.cutoff), "%Y-%m-%d", &tm);
	memcpy(cutoff, j.cutoff, sizeof(j.cutoff));
	if (!res)
		return ERR_NOMEM;
	/* the whole trail first: a break in what is removed is recorded, one in what is kept
	 * (or a checkpoint the trail no longer reaches) refuses the pruning */
	int rc = audit_verify_full(a, NULL, res);
	if (rc && rc != ERR_CONFLICT)
		goto done;
	bool whole_ok = rc == 0;
	if (!whole_ok)
		snprintf(removed_chain, sizeof(removed_chain), "broken: %s", res->why);
	rc = store_acquire(a->store, STORE_WRITE, &c);
	if (rc)
		goto done;
	/* the newest record older than the cutoff: everything up to it goes */
	rc = conn_row(c, "SELECT seq, hash FROM audit_log WHERE at < $1 ORDER BY seq DESC LIMIT 1", "t", "it",
		      j.cutoff, &j.through, j.through_hash, sizeof(j.through_hash));
	rc = rc == ERR_NOTFOUND ? 0 : rc;
	if (rc || !j.through) {
		if (!rc && !whole_ok) { /* nothing to remove, and the trail is broken: say so */
			str_copy(why, cap, res->why);
			rc = ERR_CONFLICT;
		}
		goto done;
	}
	if (!whole_ok) {
		struct head h;
		struct audit_checkpoint cps[2];
		int ncps = 0;
		rc = head_read(c, &h);
		if (!rc) {
			memset(res, 0, sizeof(*res));
			rc = cps_load(a, NULL, cps, &ncps, res);
		}
		if (!rc)
			rc = strcmp(h.chain, AUDIT_CHAIN_KEYED)
				     ? not_keyed(res, &h)
				     : check_from(a, c, &h, j.through, j.through_hash, cps, ncps, res);
		if (rc) {
			if (rc == ERR_CONFLICT)
				snprintf(why, cap, "the records kept do not verify: %s", res->why);
			goto done;
		}
	}
	store_release(c);
	c = NULL;
	j.removed_chain = removed_chain;
	rc = store_tx(a->store, prune_tx, &j);
	if (rc)
		goto done;
	*removed = j.removed;
	struct audit_checkpoint cp;
	bool wrote;
	char cwhy[256];
	if (a->data_dir && audit_checkpoint(a, &cp, &wrote, cwhy, sizeof(cwhy)))
		log_warn("audit prune: no checkpoint written: %s", cwhy);
done:
	store_release(c);
	free(res);
	return rc;
}
