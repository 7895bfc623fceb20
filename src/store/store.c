/*
 * store.c - connection pools, per-connection statement caches and transactions on top of
 * a driver (driver.h). See store.h for the contract.
 *
 * No thread ever waits for a connection it holds itself: a request's view lends its own
 * connection to the request's writes when it came from the write pool (PostgreSQL without
 * a replica), and a thread that already holds one of a pool's connections and asks for
 * another when none is free gets an extra one for that use instead of waiting (logged: it
 * means nested acquisition somewhere). Every wait is bounded: store_tx gives the whole
 * transaction, retries included, a budget (store_opts.tx_budget_ms) for waiting on others.
 *
 * SQLite readers read through mmap while the database is quiet and through pread while it
 * is being written: a read transaction that finds the file changed makes SQLite unmap all
 * of it and fault it in again, and with commits every few milliseconds that churn cost
 * more than everything else (an 80/20 read/write mix ran 4x faster without it; pure reads
 * 14% slower). A reader switches at the start of a request's snapshot: off when this
 * store committed within the last MMAP_QUIET_MS, on again after that long without one.
 *
 * store_background (the server) moves SQLite's write-ahead log into the database on a
 * thread of its own, so the commit that crosses the log's threshold no longer does it (and
 * its fsyncs) while a request waits; the writer's own checkpoint stays as a backstop at
 * WAL_BACKSTOP_PAGES.
 */
#include "store/store.h"
#include "store/driver.h"
#include "base/err.h"
#include "base/log.h"
#include "base/timeutil.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define STMT_CACHE         96
#define STR_(x)            #x
#define STR(x)             STR_(x)
#define MMAP_QUIET_MS      1000
#define CHECKPOINT_MS      200
#define WAL_BACKSTOP_PAGES 20000
#define GROUP_MAX          32 /* transactions committed together at most */

struct stmt {
	struct conn *c;
	void *h;       /* driver statement */
	char *sql;     /* owned copy: the cache key */
	uint64_t used; /* last use tick, for eviction */
	bool busy;     /* handed out and not yet stmt_done: never evicted */
};

struct pool;

struct conn {
	struct pool *pool;
	void *h; /* driver connection */
	struct stmt cache[STMT_CACHE];
	int ncache;
	uint64_t tick;
	bool in_read;    /* inside conn_read_begin */
	bool pinned;     /* held by a view until store_view_close */
	bool overflow;   /* an extra connection beyond the pool's size: closed on release */
	bool no_mmap;    /* SQLite reader switched to pread (see the top of this file) */
	pthread_t owner; /* the thread between acquire and release */
};

struct pool {
	struct store *store;
	char *url;
	bool readonly;
	int size;
	int in_use;
	struct conn **slots; /* free slots hold a conn or NULL (not yet connected) */
	int nfree;           /* slots[0..nfree) are free */
	int waiting;         /* threads in pool_get waiting for a slot now */
	struct conn **used;  /* used[0..nused): connections handed out, for the owner check */
	int nused;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	uint64_t waits, overflows;
};

struct store {
	enum store_kind kind;
	const struct store_driver *drv;
	int busy_ms;
	int tx_budget_ms;
	struct pool write;
	struct pool read;
	bool has_read;      /* read pool is separate from the write pool */
	struct store *base; /* set in a view: reads share `pinned`, the rest goes to base */
	struct conn *pinned;
	_Atomic uint64_t last_commit_ms; /* monotonic time of this store's last commit */
	/* group commit (SQLite): queued transactions and whether a leader runs them */
	pthread_mutex_t txmu;
	pthread_cond_t txcv;
	struct txreq *txhead, **txtail;
	bool leading;
	pthread_t leader;
	uint64_t tx_groups, tx_grouped; /* under txmu */
	/* store_background: the checkpointer and its own connection */
	pthread_t bg;
	bool bg_started, bg_stop;
	pthread_mutex_t bg_mu;
	pthread_cond_t bg_cv;
	void *bg_conn;
	const void *owner; /* store_set_owner; borrowed */
};

static int pool_init(struct pool *p, struct store *s, const char *url, bool ro, int size)
{
	memset(p, 0, sizeof(*p));
	p->store = s;
	p->readonly = ro;
	p->size = size;
	p->url = strdup(url);
	p->slots = calloc((size_t)size, sizeof(*p->slots));
	p->used = calloc((size_t)size, sizeof(*p->used));
	if (!p->url || !p->slots || !p->used)
		return ERR_NOMEM;
	p->nfree = size;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	return 0;
}

static void conn_free(struct conn *c)
{
	if (!c)
		return;
	const struct store_driver *d = c->pool->store->drv;
	for (int i = 0; i < c->ncache; i++) {
		if (c->cache[i].sql)
			d->finalize(c->cache[i].h);
		free(c->cache[i].sql);
	}
	d->disconnect(c->h);
	free(c);
}

static void pool_destroy(struct pool *p)
{
	if (!p->slots)
		return;
	if (p->in_use)
		log_warn("store: closing pool with %d connections in use", p->in_use);
	for (int i = 0; i < p->nfree; i++)
		conn_free(p->slots[i]);
	free(p->slots);
	free(p->used);
	free(p->url);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->cv);
	p->slots = NULL;
}

static int conn_open(struct pool *p, struct conn **out, char *err, size_t cap)
{
	struct conn *c = calloc(1, sizeof(*c));
	if (!c)
		return ERR_NOMEM;
	c->pool = p;
	char tmp[256];
	if (!err) {
		err = tmp;
		cap = sizeof(tmp);
	}
	int rc = p->store->drv->connect(p->url, p->readonly, p->store->busy_ms, &c->h, err, cap);
	if (rc) {
		if (err == tmp)
			log_error("store: cannot connect (%s): %s", p->store->drv->name, err);
		free(c);
		return rc;
	}
	*out = c;
	return 0;
}

static bool held_by_me(const struct pool *p, pthread_t me)
{
	for (int i = 0; i < p->nused; i++)
		if (pthread_equal(p->used[i]->owner, me))
			return true;
	return false;
}

static void used_remove(struct pool *p, const struct conn *c)
{
	for (int i = 0; i < p->nused; i++)
		if (p->used[i] == c) {
			p->used[i] = p->used[--p->nused];
			return;
		}
}

/* An extra connection for a thread that already holds one of p's and found none free:
 * waiting could mean waiting for itself. Closed again on release. */
static int pool_overflow(struct pool *p, struct conn **out)
{
	log_warn("store: a thread holding a %s connection asked for another; opening an extra one",
		 p->readonly ? "read" : "write");
	int rc = conn_open(p, out, NULL, 0);
	if (!rc)
		(*out)->overflow = true;
	return rc;
}

/* Takes a free slot, waiting up to wait_ms for another thread to give one back; connects
 * lazily. ERR_BUSY when none came back in time. */
static int pool_get(struct pool *p, int wait_ms, struct conn **out)
{
	pthread_t me = pthread_self();
	pthread_mutex_lock(&p->mu);
	if (p->nfree == 0 && held_by_me(p, me)) {
		p->overflows++;
		pthread_mutex_unlock(&p->mu);
		return pool_overflow(p, out);
	}
	if (p->nfree == 0) {
		p->waits++;
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		long ms = wait_ms > 0 ? wait_ms : 1;
		until.tv_sec += ms / 1000;
		until.tv_nsec += (ms % 1000) * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		p->waiting++;
		while (p->nfree == 0) {
			if (pthread_cond_timedwait(&p->cv, &p->mu, &until) == ETIMEDOUT && p->nfree == 0) {
				p->waiting--;
				pthread_mutex_unlock(&p->mu);
				log_warn("store: no free %s connection after %ld ms",
					 p->readonly ? "read" : "write", ms);
				return ERR_BUSY;
			}
		}
		p->waiting--;
	}
	struct conn *c = p->slots[--p->nfree];
	p->in_use++;
	if (c) {
		c->owner = me;
		p->used[p->nused++] = c;
	}
	pthread_mutex_unlock(&p->mu);
	if (c) {
		*out = c;
		return 0;
	}
	int rc = conn_open(p, &c, NULL, 0);
	pthread_mutex_lock(&p->mu);
	if (rc) {
		p->slots[p->nfree++] = NULL;
		p->in_use--;
		pthread_cond_signal(&p->cv);
	} else {
		c->owner = me;
		p->used[p->nused++] = c;
	}
	pthread_mutex_unlock(&p->mu);
	if (!rc)
		*out = c;
	return rc;
}

static void pool_put(struct pool *p, struct conn *c)
{
	if (p->store->drv->forget)
		p->store->drv->forget(c->h);
	bool broken = !p->store->drv->healthy(c->h);
	if (broken)
		log_warn("store: dropping a broken %s connection", p->store->drv->name);
	if (c->overflow) {
		conn_free(c);
		return;
	}
	pthread_mutex_lock(&p->mu);
	used_remove(p, c);
	p->slots[p->nfree++] = broken ? NULL : c;
	p->in_use--;
	pthread_cond_signal(&p->cv);
	pthread_mutex_unlock(&p->mu);
	if (broken)
		conn_free(c);
}

static bool has_prefix(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

int store_open(const struct store_opts *o, struct store **out, char *err, size_t errcap)
{
	struct store *s = calloc(1, sizeof(*s));
	if (!s)
		return ERR_NOMEM;
	int rc;
	int size = o->pool_size > 0 ? o->pool_size : 2;
	s->busy_ms = o->busy_timeout_ms > 0 ? o->busy_timeout_ms : 5000;
	s->tx_budget_ms = o->tx_budget_ms > 0 ? o->tx_budget_ms : STORE_TX_BUDGET_MS;
	pthread_mutex_init(&s->txmu, NULL);
	pthread_cond_init(&s->txcv, NULL);
	s->txtail = &s->txhead;
	const char *url = o->url;
	if (has_prefix(url, "sqlite:")) {
		s->kind = STORE_SQLITE;
		s->drv = &store_sqlite_driver;
		url += strlen("sqlite:");
	} else if (has_prefix(url, "postgresql://") || has_prefix(url, "postgres://")) {
		s->kind = STORE_PG;
		s->drv = &store_pg_driver;
	} else if (has_prefix(url, "pg:")) {
		s->kind = STORE_PG;
		s->drv = &store_pg_driver;
		url += strlen("pg:");
	} else {
		snprintf(err, errcap,
			 "unknown database URL (want sqlite:PATH, postgresql://... or pg:CONNINFO)");
		free(s);
		return ERR_INVALID;
	}
	if (s->kind == STORE_SQLITE) {
		if (o->read_url && *o->read_url) {
			snprintf(err, errcap,
				 "--db-read is for PostgreSQL replicas; SQLite reads "
				 "already use their own connections");
			free(s);
			return ERR_INVALID;
		}
		/* one writer; readers run concurrently under WAL */
		rc = pool_init(&s->write, s, url, false, 1);
		if (!rc)
			rc = pool_init(&s->read, s, url, true, size);
		s->has_read = true;
	} else {
		rc = pool_init(&s->write, s, url, false, size);
		if (!rc && o->read_url && *o->read_url) {
			const char *ru = o->read_url;
			if (has_prefix(ru, "pg:"))
				ru += 3;
			rc = pool_init(&s->read, s, ru, true, size);
			s->has_read = true;
		}
	}
	if (rc) {
		snprintf(err, errcap, "out of memory");
		store_close(s);
		return rc;
	}
	/* The writer must open now: it creates the SQLite file and proves the server is there. */
	struct conn *c = NULL;
	rc = conn_open(&s->write, &c, err, errcap);
	if (rc) {
		store_close(s);
		return rc;
	}
	s->write.slots[--s->write.nfree] = NULL;
	s->write.slots[s->write.nfree++] = c;
	*out = s;
	return 0;
}

static void *checkpointer(void *arg)
{
	struct store *s = arg;
	pthread_mutex_lock(&s->bg_mu);
	while (!s->bg_stop) {
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += CHECKPOINT_MS * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&s->bg_cv, &s->bg_mu, &until);
		if (s->bg_stop)
			break;
		pthread_mutex_unlock(&s->bg_mu);
		(void)s->drv->checkpoint(s->bg_conn);
		pthread_mutex_lock(&s->bg_mu);
	}
	pthread_mutex_unlock(&s->bg_mu);
	return NULL;
}

int store_background(struct store *s)
{
	if (!s->drv->checkpoint || s->bg_started)
		return 0;
	char err[256];
	int rc = s->drv->connect(s->write.url, false, s->busy_ms, &s->bg_conn, err, sizeof(err));
	if (rc) {
		log_error("store: cannot open the checkpointer's connection: %s", err);
		return rc;
	}
	struct conn *w = NULL;
	rc = pool_get(&s->write, s->busy_ms, &w);
	if (!rc) {
		rc = conn_exec(w, "PRAGMA wal_autocheckpoint=" STR(WAL_BACKSTOP_PAGES));
		store_release(w);
	}
	pthread_mutex_init(&s->bg_mu, NULL);
	pthread_cond_init(&s->bg_cv, NULL);
	if (!rc && pthread_create(&s->bg, NULL, checkpointer, s))
		rc = ERR_INTERNAL;
	if (rc) {
		s->drv->disconnect(s->bg_conn);
		s->bg_conn = NULL;
		pthread_mutex_destroy(&s->bg_mu);
		pthread_cond_destroy(&s->bg_cv);
		return rc;
	}
	s->bg_started = true;
	return 0;
}

void store_close(struct store *s)
{
	if (!s)
		return;
	if (s->bg_started) {
		pthread_mutex_lock(&s->bg_mu);
		s->bg_stop = true;
		pthread_cond_signal(&s->bg_cv);
		pthread_mutex_unlock(&s->bg_mu);
		pthread_join(s->bg, NULL);
		s->drv->disconnect(s->bg_conn);
		pthread_mutex_destroy(&s->bg_mu);
		pthread_cond_destroy(&s->bg_cv);
	}
	pool_destroy(&s->write);
	if (s->has_read)
		pool_destroy(&s->read);
	pthread_mutex_destroy(&s->txmu);
	pthread_cond_destroy(&s->txcv);
	free(s);
}

enum store_kind store_kind(const struct store *s)
{
	return s->kind;
}

const char *store_kind_name(const struct store *s)
{
	return s->kind == STORE_SQLITE ? "sqlite" : "postgresql";
}

bool store_has_replica(const struct store *s)
{
	if (s->base)
		s = s->base;
	return s->kind == STORE_PG && s->has_read;
}

enum store_kind conn_kind(const struct conn *c)
{
	return c->pool->store->kind;
}

void store_set_owner(struct store *s, const void *owner)
{
	s->owner = owner;
}

const void *conn_owner(const struct conn *c)
{
	return c->pool->store->owner; /* a view's connections belong to its base's pools */
}

int store_view_open(struct store *base, struct store **out)
{
	struct store *v = calloc(1, sizeof(*v));
	if (!v)
		return ERR_NOMEM;
	v->kind = base->kind;
	v->drv = base->drv;
	v->busy_ms = base->busy_ms;
	v->tx_budget_ms = base->tx_budget_ms;
	v->has_read = base->has_read;
	v->base = base;
	*out = v;
	return 0;
}

void store_view_close(struct store *v)
{
	if (!v)
		return;
	if (v->pinned) {
		v->pinned->pinned = false;
		store_release(v->pinned);
	}
	free(v);
}

/* The view's own connection when it can also serve writes: it came from the write pool
 * (PostgreSQL without a replica) and holds no snapshot. Lending it is what keeps a request
 * from waiting for a second write connection while it holds the first. */
static struct conn *view_writer(struct store *v)
{
	struct conn *c = v->pinned;
	if (!c || c->pool != &v->base->write || c->in_read)
		return NULL;
	if (v->drv->forget)
		v->drv->forget(c->h); /* reads queued for the request never ride with a write */
	return c;
}

int store_acquire(struct store *s, enum store_mode m, struct conn **out)
{
	if (s->base) {
		if (m != STORE_READ) {
			*out = view_writer(s);
			return *out ? 0 : store_acquire(s->base, m, out);
		}
		if (!s->pinned) { /* the first read of the request opens the snapshot */
			int rc = store_acquire(s->base, STORE_READ, &s->pinned);
			if (rc)
				return rc;
			s->pinned->pinned = true;
			rc = conn_read_begin(s->pinned);
			if (rc) {
				s->pinned->pinned = false;
				store_release(s->pinned);
				s->pinned = NULL;
				return rc;
			}
		}
		*out = s->pinned;
		return 0;
	}
	if (m == STORE_READ && s->has_read) {
		int rc = pool_get(&s->read, s->busy_ms, out);
		/* A replica that cannot be reached must not take reads down: use the primary. */
		if (rc != ERR_UNAVAILABLE || s->kind == STORE_SQLITE)
			return rc;
	}
	return pool_get(&s->write, s->busy_ms, out);
}

/* mmap for a SQLite reader about to open a snapshot: on while the writer is quiet. */
static void reader_mmap(struct conn *c)
{
	struct store *s = c->pool->store;
	uint64_t now = time_mono_ns() / 1000000u;
	bool busy = now - atomic_load_explicit(&s->last_commit_ms, memory_order_relaxed) < MMAP_QUIET_MS;
	if (busy != c->no_mmap && s->drv->set_mmap(c->h, !busy) == 0)
		c->no_mmap = busy;
}

int conn_read_begin(struct conn *c)
{
	const struct store_driver *d = c->pool->store->drv;
	if (!d->read_begin_sql || c->in_read)
		return 0;
	if (d->set_mmap && c->pool->readonly)
		reader_mmap(c);
	/* through the statement cache: compiling BEGIN each time cost more than it saved */
	struct stmt *st = NULL;
	int rc = conn_prepare(c, d->read_begin_sql, &st);
	if (!rc) {
		rc = stmt_step(st);
		rc = rc < 0 ? rc : 0;
	}
	stmt_done(st);
	c->in_read = rc == 0;
	return rc;
}

void conn_read_end(struct conn *c)
{
	const struct store_driver *d = c->pool->store->drv;
	if (c->in_read) {
		struct stmt *st = NULL;
		if (conn_prepare(c, d->read_end_sql, &st) == 0)
			(void)stmt_step(st);
		stmt_done(st);
		c->in_read = false;
	}
}

void store_release(struct conn *c)
{
	if (!c || c->pinned)
		return; /* a view's connection goes back when the view closes */
	if (c->in_read)
		conn_read_end(c); /* never hand back a connection holding a snapshot */
	pool_put(c->pool, c);
}

void store_stats(struct store *s, struct store_stats *o)
{
	if (s->base)
		s = s->base;
	memset(o, 0, sizeof(*o));
	pthread_mutex_lock(&s->write.mu);
	o->write_size = s->write.size;
	o->write_in_use = s->write.in_use;
	o->write_waiting = s->write.waiting;
	o->waits = s->write.waits;
	pthread_mutex_unlock(&s->write.mu);
	pthread_mutex_lock(&s->txmu);
	o->tx_groups = s->tx_groups;
	o->tx_grouped = s->tx_grouped;
	pthread_mutex_unlock(&s->txmu);
	if (s->has_read) {
		pthread_mutex_lock(&s->read.mu);
		o->read_size = s->read.size;
		o->read_in_use = s->read.in_use;
		o->waits += s->read.waits;
		pthread_mutex_unlock(&s->read.mu);
	}
}

int store_ping(struct store *s)
{
	struct conn *c = NULL;
	struct stmt *st = NULL;
	int rc = store_acquire(s, STORE_READ, &c);
	if (rc)
		return rc;
	rc = conn_prepare(c, "SELECT 1", &st);
	if (!rc) {
		rc = stmt_step(st);
		rc = rc == STORE_ROW && stmt_int64(st, 0) == 1 ? 0 : (rc < 0 ? rc : ERR_DB);
	}
	stmt_done(st);
	store_release(c);
	return rc;
}

int conn_prepare(struct conn *c, const char *sql, struct stmt **out)
{
	const struct store_driver *d = c->pool->store->drv;
	struct stmt *slot = NULL;
	c->tick++;
	for (int i = 0; i < c->ncache; i++) {
		struct stmt *e = &c->cache[i];
		if (!e->sql) { /* an empty slot left by a failed prepare */
			if (!slot)
				slot = e;
			continue;
		}
		if (strcmp(e->sql, sql) == 0) {
			if (e->busy)
				d->reset(e->h); /* caller re-prepared without stmt_done */
			e->used = c->tick;
			e->busy = true;
			*out = e;
			return 0;
		}
	}
	if (!slot && c->ncache < STMT_CACHE)
		slot = &c->cache[c->ncache++];
	if (!slot) {
		/* evict the least recently used statement nobody holds; entries never move,
		 * so pointers the caller holds stay valid */
		for (int i = 0; i < STMT_CACHE; i++)
			if (!c->cache[i].busy && (!slot || c->cache[i].used < slot->used))
				slot = &c->cache[i];
		if (!slot)
			return ERR_TOOBIG;
		d->finalize(slot->h);
		free(slot->sql);
		memset(slot, 0, sizeof(*slot));
	}
	void *h = NULL;
	char *copy = strdup(sql);
	if (!copy)
		return ERR_NOMEM;
	int rc = d->prepare(c->h, sql, &h);
	if (rc) {
		free(copy);
		return rc; /* the slot stays empty (sql == NULL) for the next prepare */
	}
	slot->c = c;
	slot->h = h;
	slot->sql = copy;
	slot->used = c->tick;
	slot->busy = true;
	*out = slot;
	return 0;
}

#define DRV(st) ((st)->c->pool->store->drv)

int stmt_bind_int64(struct stmt *st, int idx, int64_t v)
{
	return DRV(st)->bind_int64(st->h, idx, v);
}

int stmt_bind_text(struct stmt *st, int idx, const char *p, size_t n)
{
	return DRV(st)->bind_text(st->h, idx, p, n);
}

int stmt_bind_null(struct stmt *st, int idx)
{
	return DRV(st)->bind_null(st->h, idx);
}

int stmt_prefetch(struct stmt *st)
{
	return DRV(st)->prefetch ? DRV(st)->prefetch(st->h) : 0;
}

bool store_prefetches(const struct store *s)
{
	return s->drv->prefetch != NULL;
}

int stmt_step(struct stmt *st)
{
	return DRV(st)->step(st->h);
}

int64_t stmt_changes(struct stmt *st)
{
	return DRV(st)->changes(st->h);
}

int stmt_ncols(struct stmt *st)
{
	return DRV(st)->ncols(st->h);
}

bool stmt_isnull(struct stmt *st, int col)
{
	return DRV(st)->isnull(st->h, col);
}

int64_t stmt_int64(struct stmt *st, int col)
{
	return DRV(st)->col_int64(st->h, col);
}

const char *stmt_text(struct stmt *st, int col, size_t *len)
{
	return DRV(st)->col_text(st->h, col, len);
}

void stmt_done(struct stmt *st)
{
	if (!st)
		return;
	DRV(st)->reset(st->h);
	st->busy = false;
}

int conn_exec(struct conn *c, const char *sql)
{
	return c->pool->store->drv->exec(c->h, sql);
}

int conn_begin(struct conn *c)
{
	const struct store *s = c->pool->store;
	return s->drv->begin(c->h, s->busy_ms);
}

int conn_commit(struct conn *c)
{
	int rc = conn_exec(c, "COMMIT");
	if (!rc)
		atomic_store_explicit(&c->pool->store->last_commit_ms, time_mono_ns() / 1000000u,
				      memory_order_relaxed);
	return rc;
}

int conn_rollback(struct conn *c)
{
	return conn_exec(c, "ROLLBACK");
}

static int64_t ms_left(uint64_t deadline_ns)
{
	uint64_t now = time_mono_ns();
	return now >= deadline_ns ? 0 : (int64_t)((deadline_ns - now) / 1000000u);
}

/* One transaction with retries on a write connection: c when lent (a view's), else one
 * from the pool, all within budget_ms. */
static int tx_run(struct store *s, int budget_ms, struct conn *c, int (*fn)(struct conn *c, void *arg),
		  void *arg)
{
	uint64_t deadline = time_mono_ns() + (uint64_t)budget_ms * 1000000u;
	int rc = c ? 0 : pool_get(&s->write, budget_ms, &c);
	if (rc)
		return rc;
	const struct store_driver *d = s->drv;
	for (int attempt = 0;; attempt++) {
		int64_t left = ms_left(deadline);
		rc = d->begin(c->h, left > 0 ? (int)left : 1);
		if (!rc) {
			rc = fn(c, arg);
			if (!rc)
				rc = conn_commit(c);
			if (rc)
				conn_rollback(c);
		}
		if (rc != ERR_BUSY)
			break;
		/* another writer holds the database: back off a little (with jitter, so two
		 * retrying writers do not meet again) while the budget lasts, then give up */
		long pause = (2L << (attempt < 5 ? attempt : 5)) + (long)(time_mono_ns() % 4);
		left = ms_left(deadline);
		if (left <= pause) {
			log_warn("store: a write gave up after %d ms waiting for other writers", budget_ms);
			break;
		}
		struct timespec ts = {0, pause * 1000000L};
		nanosleep(&ts, NULL);
	}
	if (d->set_wait)
		d->set_wait(c->h, s->busy_ms);
	store_release(c);
	return rc;
}

/* ---- group commit (SQLite) ----
 * Writers queue their transactions; whoever finds no leader becomes one, takes up to
 * GROUP_MAX queued transactions and runs each in a savepoint of one database transaction,
 * then commits once and wakes the others with their own results. One writer at a time is
 * all SQLite allows anyway; what grouping saves is the commit: the pages every write
 * touches (the audit head, the tallies of common ancestors, the ends of the tables) go to
 * the log once per group instead of once per write. A transaction whose function fails
 * is rolled back to its savepoint alone; one that the database itself ended (SQLite rolls
 * back on a full disk) or a failed commit fails every transaction of the group. */

struct txreq {
	int (*fn)(struct conn *c, void *arg);
	void *arg;
	int rc;
	bool done;
	struct txreq *next;
};

struct txbatch {
	struct txreq *r[GROUP_MAX];
	int n;
};

static int run_cached(struct conn *c, const char *sql)
{
	struct stmt *st = NULL;
	int rc = conn_prepare(c, sql, &st);
	if (!rc) {
		rc = stmt_step(st);
		rc = rc < 0 ? rc : 0;
	}
	stmt_done(st);
	return rc;
}

static int run_batch(struct conn *c, void *arg)
{
	struct txbatch *b = arg;
	const struct store_driver *d = c->pool->store->drv;
	for (int i = 0; i < b->n; i++) {
		int rc = run_cached(c, "SAVEPOINT kexie_group");
		if (rc)
			return rc;
		b->r[i]->rc = rc = b->r[i]->fn(c, b->r[i]->arg);
		if (rc && d->in_tx && !d->in_tx(c->h))
			return rc; /* the database ended the whole transaction */
		if (rc && (rc = run_cached(c, "ROLLBACK TO kexie_group")))
			return rc;
		if ((rc = run_cached(c, "RELEASE kexie_group")))
			return rc;
	}
	return 0;
}

/* Runs one group of queued transactions (the caller is the leader). */
static void lead(struct store *s, int budget_ms)
{
	struct txbatch b = {.n = 0};
	pthread_mutex_lock(&s->txmu);
	while (s->txhead && b.n < GROUP_MAX) {
		b.r[b.n++] = s->txhead;
		s->txhead = s->txhead->next;
	}
	if (!s->txhead)
		s->txtail = &s->txhead;
	pthread_mutex_unlock(&s->txmu);
	if (!b.n)
		return;
	int rc = tx_run(s, budget_ms, NULL, run_batch, &b);
	pthread_mutex_lock(&s->txmu);
	s->tx_groups++;
	s->tx_grouped += (uint64_t)b.n;
	for (int i = 0; i < b.n; i++) {
		if (rc && !b.r[i]->rc)
			b.r[i]->rc = rc; /* the group did not commit: neither did this one */
		b.r[i]->done = true;
	}
	pthread_cond_broadcast(&s->txcv);
	pthread_mutex_unlock(&s->txmu);
}

static int tx_group(struct store *s, int budget_ms, int (*fn)(struct conn *c, void *arg), void *arg)
{
	struct txreq me = {.fn = fn, .arg = arg};
	pthread_mutex_lock(&s->txmu);
	if (s->leading && pthread_equal(s->leader, pthread_self())) {
		/* a transaction function starting another: not grouped (it gets an extra
		 * connection, and the database's lock tells it to wait, within its budget) */
		pthread_mutex_unlock(&s->txmu);
		return tx_run(s, budget_ms, NULL, fn, arg);
	}
	*s->txtail = &me;
	s->txtail = &me.next;
	while (!me.done) {
		if (s->leading) {
			pthread_cond_wait(&s->txcv, &s->txmu);
			continue;
		}
		s->leading = true;
		s->leader = pthread_self();
		pthread_mutex_unlock(&s->txmu);
		lead(s, budget_ms);
		pthread_mutex_lock(&s->txmu);
		s->leading = false;
		pthread_cond_broadcast(&s->txcv);
	}
	pthread_mutex_unlock(&s->txmu);
	return me.rc;
}

int store_tx_within(struct store *s, int budget_ms, int (*fn)(struct conn *c, void *arg), void *arg)
{
	if (budget_ms <= 0)
		budget_ms = s->tx_budget_ms;
	struct conn *c = s->base ? view_writer(s) : NULL;
	if (s->base && !c)
		s = s->base;
	if (c || s->kind != STORE_SQLITE)
		return tx_run(s, budget_ms, c, fn, arg);
	/* grouped: a function that says busy was rolled back to its savepoint alone; it runs
	 * again in a later group, like a retry of its own transaction, while the budget lasts */
	uint64_t deadline = time_mono_ns() + (uint64_t)budget_ms * 1000000u;
	for (int attempt = 0;; attempt++) {
		int64_t left = ms_left(deadline);
		int rc = tx_group(s, left > 0 ? (int)left : 1, fn, arg);
		long pause = (2L << (attempt < 5 ? attempt : 5)) + (long)(time_mono_ns() % 4);
		if (rc != ERR_BUSY || ms_left(deadline) <= pause)
			return rc;
		struct timespec ts = {0, pause * 1000000L};
		nanosleep(&ts, NULL);
	}
}

int store_tx(struct store *s, int (*fn)(struct conn *c, void *arg), void *arg)
{
	return store_tx_within(s, 0, fn, arg);
}
