/*
 * store.c - connection pools, per-connection statement caches and transactions on top of
 * a driver (driver.h). See store.h for the contract.
 */
#include "store/store.h"
#include "store/driver.h"
#include "base/err.h"
#include "base/log.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define STMT_CACHE 96

struct stmt {
	struct conn *c;
	void *h;         /* driver statement */
	char *sql;       /* owned copy: the cache key */
	uint64_t used;   /* last use tick, for eviction */
	bool busy;       /* handed out and not yet stmt_done: never evicted */
};

struct pool;

struct conn {
	struct pool *pool;
	void *h; /* driver connection */
	struct stmt cache[STMT_CACHE];
	int ncache;
	uint64_t tick;
	bool in_read; /* inside conn_read_begin */
	bool pinned;  /* held by a view until store_view_close */
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
	pthread_mutex_t mu;
	pthread_cond_t cv;
	uint64_t waits;
};

struct store {
	enum store_kind kind;
	const struct store_driver *drv;
	int busy_ms;
	struct pool write;
	struct pool read;
	bool has_read; /* read pool is separate from the write pool */
	struct store *base; /* set in a view: reads share `pinned`, the rest goes to base */
	struct conn *pinned;
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
	if (!p->url || !p->slots)
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

/* Takes a free slot, waiting up to busy_ms; connects lazily. */
static int pool_get(struct pool *p, struct conn **out)
{
	int rc = 0;
	pthread_mutex_lock(&p->mu);
	if (p->nfree == 0) {
		p->waits++;
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		long ms = p->store->busy_ms > 0 ? p->store->busy_ms : 5000;
		until.tv_sec += ms / 1000;
		until.tv_nsec += (ms % 1000) * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		p->waiting++;
		while (p->nfree == 0) {
			if (pthread_cond_timedwait(&p->cv, &p->mu, &until) == ETIMEDOUT &&
			    p->nfree == 0) {
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
	pthread_mutex_unlock(&p->mu);
	if (!c) {
		rc = conn_open(p, &c, NULL, 0);
		if (rc) {
			pthread_mutex_lock(&p->mu);
			p->slots[p->nfree++] = NULL;
			p->in_use--;
			pthread_cond_signal(&p->cv);
			pthread_mutex_unlock(&p->mu);
			return rc;
		}
	}
	*out = c;
	return 0;
}

static void pool_put(struct pool *p, struct conn *c)
{
	if (c && !p->store->drv->healthy(c->h)) {
		log_warn("store: dropping a broken %s connection", p->store->drv->name);
		conn_free(c);
		c = NULL;
	}
	pthread_mutex_lock(&p->mu);
	p->slots[p->nfree++] = c;
	p->in_use--;
	pthread_cond_signal(&p->cv);
	pthread_mutex_unlock(&p->mu);
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
			snprintf(err, errcap, "--db-read is for PostgreSQL replicas; SQLite reads "
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

void store_close(struct store *s)
{
	if (!s)
		return;
	pool_destroy(&s->write);
	if (s->has_read)
		pool_destroy(&s->read);
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

int store_acquire(struct store *s, enum store_mode m, struct conn **out)
{
	if (s->base) {
		if (m != STORE_READ)
			return store_acquire(s->base, m, out);
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
		int rc = pool_get(&s->read, out);
		/* A replica that cannot be reached must not take reads down: use the primary. */
		if (rc != ERR_UNAVAILABLE || s->kind == STORE_SQLITE)
			return rc;
	}
	return pool_get(&s->write, out);
}

int conn_read_begin(struct conn *c)
{
	const struct store_driver *d = c->pool->store->drv;
	if (!d->read_begin_sql || c->in_read)
		return 0;
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
	return conn_exec(c, c->pool->store->drv->begin_sql);
}

int conn_commit(struct conn *c)
{
	return conn_exec(c, "COMMIT");
}

int conn_rollback(struct conn *c)
{
	return conn_exec(c, "ROLLBACK");
}

int store_tx(struct store *s, int (*fn)(struct conn *c, void *arg), void *arg)
{
	if (s->base)
		s = s->base;
	struct conn *c = NULL;
	int rc = store_acquire(s, STORE_WRITE, &c);
	if (rc)
		return rc;
	for (int attempt = 0;; attempt++) {
		rc = conn_begin(c);
		if (!rc) {
			rc = fn(c, arg);
			if (!rc)
				rc = conn_commit(c);
			if (rc)
				conn_rollback(c);
		}
		if (rc != ERR_BUSY || attempt >= 4)
			break;
		struct timespec ts = {0, (long)(5 + attempt * 20) * 1000000L};
		nanosleep(&ts, NULL);
	}
	store_release(c);
	return rc;
}
