/*
 * bulk.h - set-based inserts for bulk loads (imports): rows are collected and written as
 * multi-row `INSERT ... VALUES (...), (...)` statements of up to per_stmt rows, the same SQL
 * text on SQLite and PostgreSQL. On PostgreSQL that turns a round trip per row into one per
 * statement; on SQLite it saves the per-statement work. Statements stay in the connection's
 * cache (one text per row count used).
 *
 * A statement carries at most as many parameters as the database driver binds (64 on
 * PostgreSQL today), so per_stmt is lowered to fit. Values are borrowed: the strings must
 * stay valid until the flush that writes them.
 */
#ifndef KEXIE_CORE_BULK_H
#define KEXIE_CORE_BULK_H

#include "base/buf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct conn;
struct stmt;

enum bulk_type { BV_NULL = 0, BV_TEXT, BV_INT };
struct bulk_val {
	enum bulk_type t;
	const char *s;
	int64_t i;
};

struct bulk {
	const char *head; /* "INSERT INTO t (a, b, c)" */
	const char *tail; /* after the VALUES list: "", " ON CONFLICT ...", " RETURNING id" */
	int ncols;
	int per_stmt; /* rows per statement (>= 1) */
	/* For a tail with RETURNING: called for each row returned, in the database's order. */
	int (*returned)(struct stmt *st, void *arg);
	void *arg;
	struct bulk_val *vals; /* nrows * ncols, row-major */
	int nrows, cap;
	struct buf sql; /* the statement text for sql_rows rows */
	int sql_rows;
};

/* Prepares b (its fields above set by the caller). */
void bulk_init(struct bulk *b);
/* The next row's ncols values to fill in (already NULL); NULL when out of memory. */
struct bulk_val *bulk_row(struct bulk *b);
/* Writes the collected rows on c (inside the caller's transaction) and empties b. Returns 0,
 * or the database's error (ERR_CONFLICT for a constraint) with nothing more written. */
int bulk_flush(struct conn *c, struct bulk *b);
/* Forgets the collected rows without writing them. */
void bulk_reset(struct bulk *b);
void bulk_release(struct bulk *b);

static inline void bulk_text(struct bulk_val *v, const char *s)
{
	v->t = BV_TEXT;
	v->s = s ? s : "";
}
static inline void bulk_opt_text(struct bulk_val *v, const char *s)
{
	v->t = s && *s ? BV_TEXT : BV_NULL;
	v->s = s;
}
static inline void bulk_int(struct bulk_val *v, int64_t i)
{
	v->t = BV_INT;
	v->i = i;
}
static inline void bulk_opt_int(struct bulk_val *v, int64_t i)
{
	v->t = i ? BV_INT : BV_NULL;
	v->i = i;
}

#endif
