/*
 * touch.c - the bookkeeping batcher (see touch.h): an open-addressing table of
 * (kind, id) -> time under one mutex, emptied by a writer thread into one transaction.
 *
 * The table holds at most half its slots, so probes stay short. While a write is under way
 * its rows sit in `inflight`, still visible to touch_pending; a failed write puts them
 * back (where a newer note has not replaced them) for the next round.
 */
#include "core/touch.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/log.h"
#include "store/store.h"
#include "base/ticker.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct touch_row {
	uint64_t key; /* id << 1 | kind; 0 = empty */
	int64_t at;
};

struct touch {
	struct store *store;
	int interval_ms;
	size_t nslots; /* a power of two */
	size_t n, max; /* rows in use; at most nslots / 2 */
	struct touch_row *slots;
	struct touch_row *inflight; /* rows being written (max of them) */
	size_t ninflight;
	uint64_t dropped;
	char *sql[2];            /* the chunked UPDATE per kind */
	pthread_mutex_t mu;      /* slots, inflight */
	pthread_mutex_t writing; /* one write at a time (the ticker, touch_flush, touch_stop) */
	struct ticker *ticker;   /* the writer: base/ticker.h */
};

static uint64_t key_of(enum touch_kind k, int64_t id)
{
	return ((uint64_t)id << 1) | (uint64_t)k;
}

static size_t hash_of(uint64_t key, size_t nslots)
{
	key ^= key >> 33;
	key *= 0xff51afd7ed558ccdULL;
	key ^= key >> 33;
	return (size_t)key & (nslots - 1);
}

/* The slot holding key, or the empty slot where it would go. Caller holds mu. */
static struct touch_row *probe(struct touch_row *slots, size_t nslots, uint64_t key)
{
	for (size_t i = hash_of(key, nslots);; i = (i + 1) & (nslots - 1))
		if (slots[i].key == key || slots[i].key == 0)
			return &slots[i];
}

/* Puts (key, at) in the table unless a later time is there. false when full. Holds mu. */
static bool put_locked(struct touch *t, uint64_t key, int64_t at)
{
	struct touch_row *r = probe(t->slots, t->nslots, key);
	if (r->key) {
		if (r->at < at)
			r->at = at;
		return true;
	}
	if (t->n >= t->max)
		return false;
	r->key = key;
	r->at = at;
	t->n++;
	return true;
}

void touch_note(struct touch *t, enum touch_kind k, int64_t id, int64_t at)
{
	if (!t || id <= 0)
		return;
	pthread_mutex_lock(&t->mu);
	bool ok = put_locked(t, key_of(k, id), at);
	if (!ok) {
		t->dropped++;
	}
	pthread_mutex_unlock(&t->mu);
	if (!ok)
		ticker_kick(t->ticker); /* write early; the next use notes it again */
}

int64_t touch_pending(struct touch *t, enum touch_kind k, int64_t id)
{
	if (!t || id <= 0)
		return 0;
	uint64_t key = key_of(k, id);
	int64_t at = 0;
	pthread_mutex_lock(&t->mu);
	const struct touch_row *r = probe(t->slots, t->nslots, key);
	if (r->key)
		at = r->at;
	for (size_t i = 0; i < t->ninflight; i++)
		if (t->inflight[i].key == key && t->inflight[i].at > at)
			at = t->inflight[i].at;
	pthread_mutex_unlock(&t->mu);
	return at;
}

/* UPDATE ... FROM (VALUES ...) of TOUCH_CHUNK (id, at) pairs: the same text every time,
 * so it is prepared once per connection; unused pairs are (0, 0), which match no row.
 * Times only move forward. SQLite (3.33+) and PostgreSQL read it alike. */
static char *chunk_sql(const char *table, const char *col)
{
	struct buf b;
	buf_init(&b, 16384);
	int rc = buf_printf(&b, "UPDATE %s SET %s = v.column2 FROM (VALUES ", table, col);
	for (int i = 0; !rc && i < TOUCH_CHUNK; i++)
		rc = buf_printf(&b, "%s(CAST($%d AS BIGINT), CAST($%d AS BIGINT))", i ? ", " : "", 2 * i + 1,
				2 * i + 2);
	if (!rc)
		rc = buf_printf(&b, ") AS v WHERE %s.id = v.column1 AND (%s.%s IS NULL OR %s.%s < v.column2)",
				table, table, col, table, col);
	if (rc) {
		buf_release(&b);
		return NULL;
	}
	return buf_detach(&b, NULL);
}

struct write_job {
	struct touch *t;
};

static int write_tx(struct conn *c, void *arg)
{
	struct touch *t = ((struct write_job *)arg)->t;
	for (int kind = 0; kind < 2; kind++) {
		size_t i = 0;
		while (i < t->ninflight) {
			struct stmt *st = NULL;
			int rc = conn_prepare(c, t->sql[kind], &st);
			if (rc)
				return rc;
			int bound = 0;
			for (; i < t->ninflight && bound < TOUCH_CHUNK; i++) {
				const struct touch_row *r = &t->inflight[i];
				if ((int)(r->key & 1) != kind)
					continue;
				stmt_bind_int64(st, 2 * bound + 1, (int64_t)(r->key >> 1));
				stmt_bind_int64(st, 2 * bound + 2, r->at);
				bound++;
			}
			if (!bound) {
				stmt_done(st);
				break;
			}
			for (int k = bound; k < TOUCH_CHUNK; k++) {
				stmt_bind_int64(st, 2 * k + 1, 0);
				stmt_bind_int64(st, 2 * k + 2, 0);
			}
			rc = stmt_step(st);
			stmt_done(st);
			if (rc < 0)
				return rc;
		}
	}
	return 0;
}

int touch_flush(struct touch *t)
{
	if (!t)
		return 0;
	pthread_mutex_lock(&t->writing);
	pthread_mutex_lock(&t->mu);
	size_t n = 0;
	for (size_t i = 0; i < t->nslots && n < t->max; i++)
		if (t->slots[i].key)
			t->inflight[n++] = t->slots[i];
	t->ninflight = n;
	memset(t->slots, 0, t->nslots * sizeof(*t->slots));
	t->n = 0;
	uint64_t dropped = t->dropped;
	t->dropped = 0;
	pthread_mutex_unlock(&t->mu);
	if (dropped)
		log_warn("touch: %llu last-used notes dropped (table full); written again on next use",
			 (unsigned long long)dropped);
	int rc = 0;
	if (n) {
		struct write_job j = {.t = t};
		rc = store_tx(t->store, write_tx, &j);
	}
	pthread_mutex_lock(&t->mu);
	if (rc) {
		log_warn("touch: writing %zu last-used times failed (%d); kept for the next round", n, rc);
		for (size_t i = 0; i < n; i++)
			(void)put_locked(t, t->inflight[i].key, t->inflight[i].at);
	}
	t->ninflight = 0;
	pthread_mutex_unlock(&t->mu);
	pthread_mutex_unlock(&t->writing);
	return rc;
}

/* The ticker's call: whatever was noted since the last round, in one transaction. */
static void writer(void *arg, struct ticker *tk)
{
	(void)tk;
	struct touch *t = arg;
	pthread_mutex_lock(&t->mu);
	bool any = t->n > 0;
	pthread_mutex_unlock(&t->mu);
	if (any)
		(void)touch_flush(t);
}

static void touch_free(struct touch *t)
{
	free(t->slots);
	free(t->inflight);
	free(t->sql[0]);
	free(t->sql[1]);
	pthread_mutex_destroy(&t->mu);
	pthread_mutex_destroy(&t->writing);
	free(t);
}

int touch_start(struct store *s, int interval_ms, int capacity, struct touch **out)
{
	struct touch *t = calloc(1, sizeof(*t));
	if (!t)
		return ERR_NOMEM;
	t->store = s;
	t->interval_ms = interval_ms > 0 ? interval_ms : TOUCH_INTERVAL_MS;
	size_t want = (size_t)(capacity > 0 ? capacity : TOUCH_CAPACITY);
	t->nslots = 16;
	while (t->nslots < 2 * want)
		t->nslots <<= 1;
	t->max = t->nslots / 2;
	t->slots = calloc(t->nslots, sizeof(*t->slots));
	t->inflight = calloc(t->max, sizeof(*t->inflight));
	t->sql[TOUCH_TOKEN] = chunk_sql("api_token", "last_used_at");
	t->sql[TOUCH_SESSION] = chunk_sql("session", "last_seen_at");
	pthread_mutex_init(&t->mu, NULL);
	pthread_mutex_init(&t->writing, NULL);
	if (!t->slots || !t->inflight || !t->sql[0] || !t->sql[1]) {
		touch_free(t);
		return ERR_NOMEM;
	}
	if (ticker_start(t->interval_ms, 0, writer, t, &t->ticker)) {
		touch_free(t);
		return ERR_INTERNAL;
	}
	*out = t;
	return 0;
}

void touch_stop(struct touch *t)
{
	if (!t)
		return;
	ticker_stop(t->ticker); /* the round in flight finishes first */
	(void)touch_flush(t);
	touch_free(t);
}
