/*
 * store.h - the one database API every domain module uses.
 *
 * Two backends sit behind it (SQLite, PostgreSQL via libpq), chosen by the URL given to
 * store_open. SQL is written once with $1..$n parameters; the SQLite driver rewrites them
 * to ?1..?n (SQLite reads "$1" as a *named* parameter). Where the dialects agree the same
 * SQL text serves both.
 *
 * Connections come from pools: STORE_WRITE connections go to the primary (SQLite: the one
 * writer connection); STORE_READ connections go to the read replica when one is configured
 * (falling back to the primary when it cannot be reached) and, on SQLite, to one of the
 * reader connections. A connection is used by one thread at a time between
 * store_acquire and store_release.
 *
 * Statements are cached per connection, keyed by SQL text: conn_prepare returns a statement
 * owned by the connection; the caller binds, steps and calls stmt_done (which resets it
 * and clears bindings). Text returned by stmt_text is valid until the next step or done.
 *
 * New ids: write `INSERT ... RETURNING id` and read the row (both databases support it),
 * which is safe under concurrency where a separate "last insert id" call is not.
 *
 * Errors: ERR_CONFLICT (unique/foreign-key/check violation), ERR_BUSY (SQLITE_BUSY,
 * serialization failure, deadlock: retry), ERR_UNAVAILABLE (cannot connect), ERR_DB
 * (anything else; the database's message is logged, never returned to clients).
 */
#ifndef KEXIE_STORE_STORE_H
#define KEXIE_STORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum store_kind { STORE_SQLITE = 1, STORE_PG = 2 };
enum store_mode { STORE_READ = 0, STORE_WRITE = 1 };
enum { STORE_DONE = 0, STORE_ROW = 1 };

struct store;
struct conn;
struct stmt;

struct store_opts {
	const char *url;      /* "sqlite:PATH", "postgresql://...", "postgres://...", "pg:KEY=VAL ..." */
	const char *read_url; /* optional replica for STORE_READ (PostgreSQL only); NULL for none */
	int pool_size;        /* connections per pool (readers on SQLite); >= 1 */
	int busy_timeout_ms;  /* SQLite busy timeout; also the pool wait limit outside store_tx */
	int tx_budget_ms;     /* store_tx's limit for waiting on other writers; 0: STORE_TX_BUDGET_MS */
};

/* How long a store_tx may wait, in all, for the pool, locks and retries before it answers
 * ERR_BUSY (503 + Retry-After over HTTP): a worker thread is never held much longer. */
#define STORE_TX_BUDGET_MS 500

/* Opens the store and checks that one write connection can be made. On failure returns
 * a negative code and writes a message safe to print (no password) into err. */
int store_open(const struct store_opts *o, struct store **out, char *err, size_t errcap);
void store_close(struct store *s); /* NULL is fine; all connections must be released */
/* Starts the store's background work for a long-running server: on SQLite a thread that
 * checkpoints the write-ahead log every 200 ms on its own connection, so no request's
 * commit does (the writer's own checkpoint stays as a backstop for a much longer log).
 * Stopped by store_close. Returns 0 (also where there is nothing to run) or an error. */
int store_background(struct store *s);
enum store_kind store_kind(const struct store *s);
const char *store_kind_name(const struct store *s); /* "sqlite" or "postgresql" */
bool store_has_replica(const struct store *s);

int store_acquire(struct store *s, enum store_mode m, struct conn **out);

/* A view of a store for one request's reads: every STORE_READ acquire through the view
 * returns the same connection, inside one snapshot (conn_read_begin), taken at the first
 * read; releases are no-ops until store_view_close. Writes and transactions go to the
 * store itself. For requests that only read: a write's own changes are not in the view. */
int store_view_open(struct store *base, struct store **out);
void store_view_close(struct store *v); /* NULL is fine */
void store_release(struct conn *c);     /* NULL is fine */
enum store_kind conn_kind(const struct conn *c);

/* The context that opened the store (borrowed, opaque here), for code that is handed only
 * a connection, such as the audit trail, which needs the server key to append a record.
 * conn_owner returns NULL until store_set_owner is called; a view's connections answer
 * their base store's owner. */
void store_set_owner(struct store *s, const void *owner);
const void *conn_owner(const struct conn *c);

struct store_stats {
	int write_size, write_in_use, read_size, read_in_use;
	int write_waiting; /* threads waiting for a write connection right now (a bulk job yields to them) */
	uint64_t waits;    /* acquisitions that had to wait for a free connection */
	uint64_t tx_groups, tx_grouped; /* group commits (SQLite), and transactions in them */
};
void store_stats(struct store *s, struct store_stats *out);

/* Answers 0 when a read connection can run SELECT 1. */
int store_ping(struct store *s);

int conn_prepare(struct conn *c, const char *sql, struct stmt **out);
int stmt_bind_int64(struct stmt *st, int idx, int64_t v); /* idx is 1-based, as $idx */
int stmt_bind_text(struct stmt *st, int idx, const char *p, size_t n);
int stmt_bind_null(struct stmt *st, int idx);
int stmt_step(struct stmt *st); /* STORE_ROW, STORE_DONE, or < 0 */

/* Prefetch, for reads whose statement is known before the one that must come first (a
 * request's object, before its caller is resolved): after binding, stmt_prefetch queues st
 * to be sent along with the next statement executed on the same connection, in one round
 * trip; call stmt_done as usual. Stepping st later with the same parameters reads the
 * fetched rows without asking again; different parameters run it afresh. Anything
 * prefetched is dropped when the connection is released (for a view: when it closes), so
 * it never outlives the request. Returns 0 (also when the driver does not prefetch:
 * store_prefetches is false for SQLite, where a round trip costs nothing, and the
 * statement then just runs when stepped). For reads only, outside transactions. */
int stmt_prefetch(struct stmt *st);
bool store_prefetches(const struct store *s);
int stmt_ncols(struct stmt *st);
/* Rows an INSERT/UPDATE/DELETE changed, after its step (before stmt_done). */
int64_t stmt_changes(struct stmt *st);
bool stmt_isnull(struct stmt *st, int col); /* col is 0-based */
int64_t stmt_int64(struct stmt *st, int col);
const char *stmt_text(struct stmt *st, int col, size_t *len); /* "" for NULL; never NULL */
void stmt_done(struct stmt *st);                              /* NULL is fine */

/* Runs SQL without parameters; may hold several statements (migrations). */
int conn_exec(struct conn *c, const char *sql);
/* Groups the next reads on c into one snapshot until conn_read_end (or release). Cheaper
 * on SQLite (one WAL read lock for all); nothing on PostgreSQL. Never around writes. */
int conn_read_begin(struct conn *c);
void conn_read_end(struct conn *c);
int conn_begin(struct conn *c); /* SQLite: BEGIN IMMEDIATE on the writer */
int conn_commit(struct conn *c);
int conn_rollback(struct conn *c);

/* Runs fn(conn, arg) in one transaction on a write connection, committing when fn
 * returns 0 and rolling back otherwise. When the database answers ERR_BUSY (another
 * writer holds it: SQLite's lock, a PostgreSQL lock_timeout, serialization failure or
 * deadlock) the whole transaction is retried with a short jittered backoff, as long as the
 * store's tx budget (STORE_TX_BUDGET_MS unless store_opts says) lasts; the budget also
 * bounds the wait for a free write connection and for locks inside each attempt (the time
 * fn itself works is not limited). Returns fn's code or the commit's, ERR_BUSY when the
 * budget ran out. On a view whose connection came from the write pool (PostgreSQL without
 * a replica) the transaction runs on that connection. fn may run more than once. */
int store_tx(struct store *s, int (*fn)(struct conn *c, void *arg), void *arg);
/* store_tx with its own budget in milliseconds (<= 0: the store's): for work such as
 * migrations that may wait longer than a request should. */
int store_tx_within(struct store *s, int budget_ms, int (*fn)(struct conn *c, void *arg), void *arg);

/* ---- statement shapes (stmt.c): one call instead of prepare -> bind -> step -> done ----
 *
 * Parameters are described by a format string, one letter per $N in order (spaces are
 * ignored), read from the variable arguments:
 *   'i' int64_t           'd' int
 *   't' const char *      (NUL-terminated; NULL binds SQL NULL)
 *   'T' const char *, size_t   (text of that many bytes)
 *   'n' (no argument)     SQL NULL
 * Output columns (conn_row) are described the same way, one letter per column from 0,
 * each reading pointer arguments after all the parameters:
 *   'i' int64_t *         'd' int *          'b' bool * (non-zero integer)
 *   't' char *buf, size_t cap   (copied and NUL-terminated; cut at cap-1 bytes, never
 *                                inside a UTF-8 character; NULL reads as "")
 *   '-' (no argument)     skip the column
 * A wrong letter is a programmer error: the call returns ERR_INVALID and runs nothing. */

/* Runs one statement. Returns the number of rows it changed (>= 0; capped at INT32_MAX),
 * or a negative ERR_* code (ERR_CONFLICT for constraint violations). Rows it returns are
 * ignored. */
int conn_run(struct conn *c, const char *sql, const char *params, ...);

/* Reads the first row into the outputs. Returns 0, ERR_NOTFOUND when there is no row
 * (outputs untouched), or a negative ERR_* code (outputs unspecified). */
int conn_row(struct conn *c, const char *sql, const char *params, const char *outs, ...);

/* Calls fn(st, arg) for each row; fn reads columns with stmt_int64/stmt_text. fn returns 0
 * to go on, a negative ERR_* to stop with that code, or a positive value to stop early
 * with success. Returns 0 or the negative code. */
int conn_each(struct conn *c, const char *sql, int (*fn)(struct stmt *st, void *arg), void *arg,
	      const char *params, ...);

/* A LIKE pattern (with ESCAPE '\\') for the literal text q between pre and post ("%" or
 * ""): q's wildcards and the escape character are escaped. Returns false when it does not
 * fit in cap bytes (out unspecified). The one escaper: org search, the register's name
 * search and the registration page's picker use it. */
bool store_like(const char *q, const char *pre, const char *post, char *out, size_t cap);

/* Runs fn(conn, arg) on a read connection (the request's snapshot when s is a view) and
 * releases it. Returns fn's code, or the acquire error. */
int store_read(struct store *s, int (*fn)(struct conn *c, void *arg), void *arg);

#endif
