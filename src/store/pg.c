/*
 * pg.c - the PostgreSQL backend of store.h, over libpq.
 *
 * Statements are prepared once per connection (named "k1", "k2", ...) and executed with
 * text-format parameters; results are fetched whole (queries page with LIMIT). Every
 * connection runs in UTC. SQLSTATE classes map to store error codes: 23xxx -> conflict,
 * 40001/40P01 -> busy (retry), 08xxx and a dead connection -> unavailable.
 * Any libpq connection string works, including several hosts and target_session_attrs.
 *
 * Prefetch (store.h, stmt_prefetch): a bound read can be queued to travel with the next
 * statement the connection executes, in one libpq pipeline (one round trip; the next
 * statement first, so a failing prefetch cannot touch its answer). Its result waits in the
 * statement until it is stepped again with the same parameters; a different binding, the
 * connection going back to its pool, or a transaction block discards it (a read from
 * before a transaction must not stand in for one inside it, and a prefetch must never run
 * inside someone's transaction). store.c drops them too before lending a view's
 * connection to a write, so only reads ever share a pipeline's implicit transaction.
 */
#include "store/driver.h"
#include "base/err.h"
#include "base/log.h"

#include <libpq-fe.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PG_MAXPARAMS 64
#define PG_PREFETCH  8 /* statements queued or holding a prefetched result, per connection */

struct pg_stmt;

struct pg_conn {
	PGconn *pg;
	unsigned next_id;
	struct pg_stmt *pre[PG_PREFETCH]; /* queued (not sent) or fetched (result waiting) */
	int npre;
};

struct pg_stmt {
	struct pg_conn *c;
	char name[16];
	int nparams;
	char *values[PG_MAXPARAMS];
	PGresult *res;
	int row;  /* current row, -1 before the first step */
	int done; /* executed and exhausted */
	/* prefetch: the parameters it was queued with, and its result once fetched */
	char *pre_values[PG_MAXPARAMS];
	PGresult *pre_res;
	bool queued, fetched;
};

static int pg_code(PGconn *pg, const PGresult *res, const char *what)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	if (PQstatus(pg) != CONNECTION_OK) {
		log_error("postgresql: %s: connection lost", what);
		return ERR_UNAVAILABLE;
	}
	if (state) {
		if (strncmp(state, "23", 2) == 0)
			return ERR_CONFLICT;
		/* serialization failure, deadlock, lock_timeout (55P03): another writer won */
		if (!strcmp(state, "40001") || !strcmp(state, "40P01") || !strcmp(state, "55P03"))
			return ERR_BUSY;
		if (strncmp(state, "08", 2) == 0 || !strcmp(state, "57P01"))
			return ERR_UNAVAILABLE;
		if (!strcmp(state, "25006")) /* read-only transaction */
			return ERR_UNAVAILABLE;
		if (!strcmp(state, "53100"))
			return ERR_IO;
	}
	const char *msg = res ? PQresultErrorMessage(res) : PQerrorMessage(pg);
	size_t n = strlen(msg);
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
		n--;
	log_error("postgresql: %s: [%s] %.*s", what, state ? state : "-", (int)n, msg);
	return ERR_DB;
}

/* NOTICEs ("relation already exists, skipping") are expected chatter, not events. */
static void pg_quiet(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

static void pg_disconnect(void *h)
{
	struct pg_conn *c = h;
	if (!c)
		return;
	PQfinish(c->pg);
	free(c);
}

static int pg_connect(const char *url, bool ro, int busy_ms, void **out, char *err, size_t cap)
{
	(void)busy_ms;
	struct pg_conn *c = calloc(1, sizeof(*c));
	if (!c)
		return ERR_NOMEM;
	c->pg = PQconnectdb(url);
	if (PQstatus(c->pg) != CONNECTION_OK) {
		/* libpq's message names host and port, never the password */
		const char *m = PQerrorMessage(c->pg);
		size_t n = strlen(m);
		while (n && m[n - 1] == '\n')
			n--;
		snprintf(err, cap, "cannot connect to PostgreSQL: %.*s", (int)n, m);
		pg_disconnect(c);
		return ERR_UNAVAILABLE;
	}
	PQsetNoticeProcessor(c->pg, pg_quiet, NULL);
	PGresult *r = PQexec(c->pg, ro ? "SET TIME ZONE 'UTC'; SET client_encoding = 'UTF8';"
					 " SET default_transaction_read_only = on"
				       : "SET TIME ZONE 'UTC'; SET client_encoding = 'UTF8'");
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		snprintf(err, cap, "cannot configure the PostgreSQL session");
		PQclear(r);
		pg_disconnect(c);
		return ERR_UNAVAILABLE;
	}
	PQclear(r);
	*out = c;
	return 0;
}

static bool pg_healthy(void *h)
{
	struct pg_conn *c = h;
	return PQstatus(c->pg) == CONNECTION_OK && PQtransactionStatus(c->pg) == PQTRANS_IDLE;
}

static int count_params(const char *sql)
{
	int max = 0;
	char quote = 0;
	for (const char *p = sql; *p; p++) {
		if (quote) {
			if (*p == quote)
				quote = 0;
		} else if (*p == '\'' || *p == '"') {
			quote = *p;
		} else if (*p == '$' && p[1] >= '0' && p[1] <= '9') {
			int n = 0;
			while (p[1] >= '0' && p[1] <= '9' && n < 1000)
				n = n * 10 + (*++p - '0');
			if (n > max)
				max = n;
		}
	}
	return max;
}

static int pg_prepare(void *h, const char *sql, void **out)
{
	struct pg_conn *c = h;
	int np = count_params(sql);
	if (np > PG_MAXPARAMS)
		return ERR_TOOBIG;
	struct pg_stmt *s = calloc(1, sizeof(*s));
	if (!s)
		return ERR_NOMEM;
	s->c = c;
	s->nparams = np;
	s->row = -1;
	snprintf(s->name, sizeof(s->name), "k%u", ++c->next_id);
	PGresult *r = PQprepare(c->pg, s->name, sql, 0, NULL);
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		int rc = pg_code(c->pg, r, "prepare");
		PQclear(r);
		free(s);
		return rc;
	}
	PQclear(r);
	*out = s;
	return 0;
}

/* Drops s's prefetch (queued or fetched) and takes it off its connection's list. */
static void pre_drop(struct pg_stmt *s)
{
	if (!s->queued && !s->fetched)
		return;
	for (int i = 0; i < s->nparams; i++) {
		free(s->pre_values[i]);
		s->pre_values[i] = NULL;
	}
	PQclear(s->pre_res);
	s->pre_res = NULL;
	s->queued = s->fetched = false;
	struct pg_conn *c = s->c;
	for (int i = 0; i < c->npre; i++)
		if (c->pre[i] == s) {
			c->pre[i] = c->pre[--c->npre];
			break;
		}
}

static int pg_prefetch(void *st)
{
	struct pg_stmt *s = st;
	struct pg_conn *c = s->c;
	pre_drop(s);
	if (c->npre >= PG_PREFETCH)
		return 0; /* it will simply run when asked for */
	for (int i = 0; i < s->nparams; i++) {
		s->pre_values[i] = s->values[i]; /* moved: the statement is reset next */
		s->values[i] = NULL;
	}
	s->queued = true;
	c->pre[c->npre++] = s;
	return 0;
}

/* The connection goes back to its pool: nothing prefetched outlives the request. */
static void pg_forget(void *h)
{
	struct pg_conn *c = h;
	while (c->npre > 0)
		pre_drop(c->pre[c->npre - 1]);
}

static bool same_params(const struct pg_stmt *s)
{
	for (int i = 0; i < s->nparams; i++) {
		const char *a = s->values[i], *b = s->pre_values[i];
		if ((a == NULL) != (b == NULL) || (a && strcmp(a, b)))
			return false;
	}
	return true;
}

/* Runs s together with every queued statement of its connection in one pipeline: s first,
 * then the queued ones, one Sync. Leaves s->res set (NULL when the exchange failed) and
 * each queued statement fetched or dropped. */
static void pipeline_run(struct pg_stmt *s)
{
	struct pg_conn *c = s->c;
	PGconn *pg = c->pg;
	struct pg_stmt *q[PG_PREFETCH];
	int nq = 0;
	for (int i = 0; i < c->npre; i++)
		if (c->pre[i]->queued)
			q[nq++] = c->pre[i];
	bool ok = PQenterPipelineMode(pg) == 1;
	ok = ok &&
	     PQsendQueryPrepared(pg, s->name, s->nparams, (const char *const *)s->values, NULL, NULL, 0) == 1;
	int sent = 0;
	for (; ok && sent < nq; sent++)
		ok = PQsendQueryPrepared(pg, q[sent]->name, q[sent]->nparams,
					 (const char *const *)q[sent]->pre_values, NULL, NULL, 0) == 1;
	ok = ok && PQpipelineSync(pg) == 1;
	/* answers come in order, each followed by NULL; then the Sync's own result */
	s->res = ok ? PQgetResult(pg) : NULL;
	if (s->res)
		PQclear(PQgetResult(pg));
	for (int i = 0; i < nq; i++) {
		struct pg_stmt *p = q[i];
		PGresult *r = ok && i < sent ? PQgetResult(pg) : NULL;
		if (r)
			PQclear(PQgetResult(pg));
		if (r && PQresultStatus(r) == PGRES_TUPLES_OK) {
			p->pre_res = r;
			p->queued = false;
			p->fetched = true;
		} else {
			PQclear(r);
			pre_drop(p);
		}
	}
	/* up to the Sync (and past anything unexpected), then back to normal mode */
	for (int guard = 0; ok && guard < 64; guard++) {
		PGresult *r = PQgetResult(pg);
		ExecStatusType es = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
		PQclear(r);
		if (es == PGRES_PIPELINE_SYNC || (!r && PQpipelineStatus(pg) == PQ_PIPELINE_OFF))
			break;
	}
	if (PQexitPipelineMode(pg) != 1)
		log_error("postgresql: cannot leave pipeline mode: %s", PQerrorMessage(pg));
}

static void pg_reset(void *st)
{
	struct pg_stmt *s = st;
	for (int i = 0; i < s->nparams; i++) {
		free(s->values[i]);
		s->values[i] = NULL;
	}
	PQclear(s->res);
	s->res = NULL;
	s->row = -1;
	s->done = 0;
}

static void pg_finalize(void *st)
{
	struct pg_stmt *s = st;
	if (!s)
		return;
	pre_drop(s);
	pg_reset(s);
	free(s);
}

static int set_param(struct pg_stmt *s, int idx, char *v)
{
	if (idx < 1 || idx > s->nparams) {
		free(v);
		return ERR_INTERNAL;
	}
	free(s->values[idx - 1]);
	s->values[idx - 1] = v;
	return 0;
}

static int pg_bind_int64(void *st, int idx, int64_t v)
{
	char tmp[24];
	snprintf(tmp, sizeof(tmp), "%" PRId64, v);
	char *d = strdup(tmp);
	return d ? set_param(st, idx, d) : ERR_NOMEM;
}

static int pg_bind_text(void *st, int idx, const char *p, size_t n)
{
	if (memchr(p, 0, n)) /* PostgreSQL text cannot hold U+0000 */
		return ERR_INVALID;
	char *d = malloc(n + 1);
	if (!d)
		return ERR_NOMEM;
	memcpy(d, p, n);
	d[n] = '\0';
	return set_param(st, idx, d);
}

static int pg_bind_null(void *st, int idx)
{
	return set_param(st, idx, NULL);
}

static int pg_step(void *st)
{
	struct pg_stmt *s = st;
	if (s->done)
		return 0;
	if (!s->res) {
		bool idle = PQtransactionStatus(s->c->pg) == PQTRANS_IDLE;
		if (!idle)
			pg_forget(s->c);
		if (s->fetched && same_params(s)) { /* it came with an earlier round trip */
			s->res = s->pre_res;
			s->pre_res = NULL;
			pre_drop(s);
		} else {
			pre_drop(s);
			if (s->c->npre > 0)
				pipeline_run(s);
			else
				s->res = PQexecPrepared(s->c->pg, s->name, s->nparams,
							(const char *const *)s->values, NULL, NULL, 0);
		}
		ExecStatusType es = PQresultStatus(s->res);
		if (es == PGRES_COMMAND_OK) {
			s->done = 1;
			return 0;
		}
		if (es != PGRES_TUPLES_OK) {
			int rc = pg_code(s->c->pg, s->res, "execute");
			PQclear(s->res);
			s->res = NULL;
			s->done = 1;
			return rc;
		}
	}
	if (++s->row >= PQntuples(s->res)) {
		s->done = 1;
		return 0;
	}
	return 1;
}

static int64_t pg_changes(void *st)
{
	struct pg_stmt *s = st;
	const char *n = s->res ? PQcmdTuples(s->res) : "";
	return *n ? strtoll(n, NULL, 10) : 0;
}

static int pg_ncols(void *st)
{
	struct pg_stmt *s = st;
	return s->res ? PQnfields(s->res) : 0;
}

static bool pg_isnull(void *st, int col)
{
	struct pg_stmt *s = st;
	return !s->res || s->row < 0 || PQgetisnull(s->res, s->row, col);
}

static int64_t pg_col_int64(void *st, int col)
{
	struct pg_stmt *s = st;
	if (pg_isnull(st, col))
		return 0;
	const char *v = PQgetvalue(s->res, s->row, col);
	if (v[0] == 't' && v[1] == 0) /* booleans */
		return 1;
	if (v[0] == 'f' && v[1] == 0)
		return 0;
	return strtoll(v, NULL, 10);
}

static const char *pg_col_text(void *st, int col, size_t *len)
{
	struct pg_stmt *s = st;
	if (pg_isnull(st, col)) {
		if (len)
			*len = 0;
		return "";
	}
	if (len)
		*len = (size_t)PQgetlength(s->res, s->row, col);
	return PQgetvalue(s->res, s->row, col);
}

static int pg_exec(void *h, const char *sql)
{
	struct pg_conn *c = h;
	PGresult *r = PQexec(c->pg, sql);
	ExecStatusType es = PQresultStatus(r);
	int rc = (es == PGRES_COMMAND_OK || es == PGRES_TUPLES_OK) ? 0 : pg_code(c->pg, r, "exec");
	PQclear(r);
	return rc;
}

/* One round trip, as plain BEGIN was: the lock wait ends with the transaction (LOCAL). */
static int pg_begin(void *h, int wait_ms)
{
	char sql[80];
	snprintf(sql, sizeof(sql), "BEGIN; SET LOCAL lock_timeout = %d", wait_ms > 0 ? wait_ms : 1);
	return pg_exec(h, sql);
}

const struct store_driver store_pg_driver = {
	.name = "postgresql",
	.connect = pg_connect,
	.disconnect = pg_disconnect,
	.healthy = pg_healthy,
	.prepare = pg_prepare,
	.finalize = pg_finalize,
	.bind_int64 = pg_bind_int64,
	.bind_text = pg_bind_text,
	.bind_null = pg_bind_null,
	.step = pg_step,
	.ncols = pg_ncols,
	.isnull = pg_isnull,
	.col_int64 = pg_col_int64,
	.col_text = pg_col_text,
	.reset = pg_reset,
	.changes = pg_changes,
	.exec = pg_exec,
	.begin = pg_begin,
	.prefetch = pg_prefetch,
	.forget = pg_forget,
};
