/*
 * driver.h - the backend interface behind store.h (after SQLite's sqlite3_vfs): a struct of
 * function pointers per database. Only store.c calls these; domain code never does.
 */
#ifndef KEXIE_STORE_DRIVER_H
#define KEXIE_STORE_DRIVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store_driver {
	const char *name;
	/* Opens a connection for url; readonly connections refuse writes. */
	int (*connect)(const char *url, bool readonly, int busy_ms, void **h, char *err, size_t cap);
	void (*disconnect)(void *h);
	bool (*healthy)(void *h);
	int (*prepare)(void *h, const char *sql, void **st);
	void (*finalize)(void *st);
	int (*bind_int64)(void *st, int idx, int64_t v);
	int (*bind_text)(void *st, int idx, const char *p, size_t n);
	int (*bind_null)(void *st, int idx);
	int (*step)(void *st);
	int (*ncols)(void *st);
	bool (*isnull)(void *st, int col);
	int64_t (*col_int64)(void *st, int col);
	const char *(*col_text)(void *st, int col, size_t *len);
	void (*reset)(void *st);
	int64_t (*changes)(void *st); /* rows written by the last step of an INSERT/UPDATE/DELETE */
	int (*exec)(void *h, const char *sql);
	/* Starts a write transaction, waiting at most wait_ms for locks held by others (SQLite:
	 * the busy timeout for BEGIN IMMEDIATE and what follows; PostgreSQL: lock_timeout for
	 * the transaction). ERR_BUSY when the wait ran out. */
	int (*begin)(void *h, int wait_ms);
	/* Sets how long a statement outside store_tx may wait for locks (after a transaction
	 * that narrowed it). NULL where begin's limit ends with the transaction. */
	void (*set_wait)(void *h, int wait_ms);
	/* Whether the connection is inside a transaction (SQLite ends one by itself on some
	 * errors); NULL where the answer is always yes after begin. */
	bool (*in_tx)(void *h);
	/* Moves what it can from the write-ahead log into the database without waiting for
	 * anyone (SQLite PASSIVE checkpoint); NULL where there is nothing to do. */
	int (*checkpoint)(void *h);
	/* Turns reading through mmap on or off (SQLite readers, see store.c); NULL elsewhere. */
	int (*set_mmap)(void *h, bool on);
	/* Queues a bound statement to be sent with the next one the connection executes (one
	 * round trip); its result is kept for its next step with the same parameters. NULL
	 * where round trips cost nothing (SQLite). */
	int (*prefetch)(void *st);
	/* Drops everything prefetched on the connection (it goes back to its pool). */
	void (*forget)(void *h);
	/* Several reads as one snapshot, where that is cheaper than one statement each (SQLite:
	 * one WAL read lock instead of one per statement); NULL where it only adds round trips. */
	const char *read_begin_sql, *read_end_sql;
};

extern const struct store_driver store_sqlite_driver;
extern const struct store_driver store_pg_driver;

#endif
