/*
 * bulk.c - multi-row inserts (see bulk.h).
 */
#include "core/bulk.h"
#include "base/err.h"
#include "store/store.h"

#include <stdlib.h>
#include <string.h>

void bulk_init(struct bulk *b)
{
	b->vals = NULL;
	b->nrows = b->cap = 0;
	b->sql_rows = 0;
	if (b->per_stmt < 1)
		b->per_stmt = 1;
	buf_init(&b->sql, (size_t)1 << 20);
}

struct bulk_val *bulk_row(struct bulk *b)
{
	if (b->nrows == b->cap) {
		int nc = b->cap ? b->cap * 2 : 256;
		struct bulk_val *p = realloc(b->vals, (size_t)nc * (size_t)b->ncols * sizeof(*p));
		if (!p)
			return NULL;
		b->vals = p;
		b->cap = nc;
	}
	struct bulk_val *v = &b->vals[(size_t)b->nrows * (size_t)b->ncols];
	memset(v, 0, (size_t)b->ncols * sizeof(*v));
	b->nrows++;
	return v;
}

/* "head VALUES ($1, ..), (..) tail" for k rows (kept: most flushes use the same k). */
static int build_sql(struct bulk *b, int k)
{
	if (b->sql_rows == k && b->sql.len)
		return 0;
	b->sql_rows = k;
	buf_reset(&b->sql);
	int rc = buf_puts(&b->sql, b->head);
	if (!rc)
		rc = buf_puts(&b->sql, " VALUES ");
	int p = 1;
	for (int r = 0; !rc && r < k; r++) {
		rc = buf_puts(&b->sql, r ? ", (" : "(");
		for (int c = 0; !rc && c < b->ncols; c++)
			rc = buf_printf(&b->sql, c ? ", $%d" : "$%d", p++);
		if (!rc)
			rc = buf_putc(&b->sql, ')');
	}
	if (!rc && b->tail)
		rc = buf_puts(&b->sql, b->tail);
	if (rc)
		b->sql_rows = 0;
	return rc;
}

/* Parameters one statement may carry: the PostgreSQL driver binds at most 64
 * (PG_MAXPARAMS in store/pg.c); SQLite allows 32766: a thousand or two is the fastest
 * measured (64 rows of 14 columns: 30% fewer instructions than one row a statement). */
#define PG_PARAMS     64
#define SQLITE_PARAMS 2000

int bulk_flush(struct conn *c, struct bulk *b)
{
	int rc = 0;
	int limit = (conn_kind(c) == STORE_PG ? PG_PARAMS : SQLITE_PARAMS) / b->ncols;
	int per = b->per_stmt < limit ? b->per_stmt : limit > 0 ? limit : 1;
	for (int done = 0; !rc && done < b->nrows;) {
		int k = b->nrows - done < per ? b->nrows - done : per;
		struct stmt *st = NULL;
		rc = build_sql(b, k);
		if (!rc)
			rc = conn_prepare(c, b->sql.ptr, &st);
		if (rc)
			break;
		const struct bulk_val *v = &b->vals[(size_t)done * (size_t)b->ncols];
		for (int i = 0; i < k * b->ncols; i++) {
			if (v[i].t == BV_TEXT)
				stmt_bind_text(st, i + 1, v[i].s, strlen(v[i].s));
			else if (v[i].t == BV_INT)
				stmt_bind_int64(st, i + 1, v[i].i);
			else
				stmt_bind_null(st, i + 1);
		}
		while ((rc = stmt_step(st)) == STORE_ROW)
			if (b->returned && (rc = b->returned(st, b->arg)))
				break;
		stmt_done(st);
		rc = rc < 0 || rc > STORE_ROW ? rc : 0;
		done += k;
	}
	b->nrows = 0;
	return rc;
}

void bulk_reset(struct bulk *b)
{
	b->nrows = 0;
}

void bulk_release(struct bulk *b)
{
	free(b->vals);
	b->vals = NULL;
	b->nrows = b->cap = 0;
	buf_release(&b->sql);
}
