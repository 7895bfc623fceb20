/*
 * migrate.c - apply and check the embedded schema migrations (see migrate.h).
 */
#include "store/migrate.h"
#include "store/store.h"
#include "base/err.h"
#include "base/log.h"
#include "base/timeutil.h"

#include <sodium.h>

#include <stdio.h>
#include <string.h>

static const char CREATE_TABLE[] =
	"CREATE TABLE IF NOT EXISTS schema_migrations ("
	" version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
	" checksum TEXT NOT NULL, applied_at TEXT NOT NULL)";

static const char *mig_sql(const struct migration *m, enum store_kind k)
{
	if (m->sql_common)
		return m->sql_common;
	return k == STORE_SQLITE ? m->sql_sqlite : m->sql_pg;
}

static void checksum(const char *sql, char out[65])
{
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(h, (const unsigned char *)sql, strlen(sql));
	sodium_bin2hex(out, 65, h, sizeof(h));
}

static const struct migration *find(int version)
{
	for (int i = 0; i < migrations_count; i++)
		if (migrations[i].version == version)
			return &migrations[i];
	return NULL;
}

static int ensure_table(struct store *s)
{
	struct conn *c = NULL;
	int rc = store_acquire(s, STORE_WRITE, &c);
	if (!rc)
		rc = conn_exec(c, CREATE_TABLE);
	store_release(c);
	return rc;
}

int migrate_check(struct store *s, struct migrate_state *st)
{
	memset(st, 0, sizeof(*st));
	st->known = migrations_count;
	int rc = ensure_table(s);
	if (rc)
		return rc;
	struct conn *c = NULL;
	struct stmt *q = NULL;
	rc = store_acquire(s, STORE_WRITE, &c);
	if (rc)
		return rc;
	rc = conn_prepare(c, "SELECT version, name, checksum FROM schema_migrations ORDER BY version",
			  &q);
	while (rc == 0 && (rc = stmt_step(q)) == STORE_ROW) {
		rc = 0;
		int v = (int)stmt_int64(q, 0);
		const struct migration *m = find(v);
		st->applied++;
		if (!m) {
			st->fatal = 1;
			if (!st->problem[0])
				snprintf(st->problem, sizeof(st->problem),
					 "the database has migration %d (%s), which this kexie binary "
					 "does not know: run a newer kexie",
					 v, stmt_text(q, 1, NULL));
			continue;
		}
		char sum[65];
		checksum(mig_sql(m, store_kind(s)), sum);
		if (strcmp(sum, stmt_text(q, 2, NULL)) != 0)
			st->fatal = 1;
		if (strcmp(sum, stmt_text(q, 2, NULL)) != 0 && !st->problem[0])
			snprintf(st->problem, sizeof(st->problem),
				 "migration %s was changed after it was applied (checksum differs); "
				 "restore the original file and add a new migration instead",
				 m->name);
	}
	stmt_done(q);
	store_release(c);
	if (rc < 0)
		return rc;
	st->pending = st->known - (st->applied > st->known ? st->known : st->applied);
	if (!st->problem[0] && st->pending > 0)
		snprintf(st->problem, sizeof(st->problem),
			 "the database schema is behind (%d of %d migrations applied): run "
			 "`kexie migrate`",
			 st->applied, st->known);
	return 0;
}

struct apply_ctx {
	const struct migration *m;
	int done; /* set when another process already applied it */
};

static int apply_one(struct conn *c, void *arg)
{
	struct apply_ctx *a = arg;
	struct stmt *q = NULL;
	int rc;
	if (conn_kind(c) == STORE_PG) {
		/* serialise concurrent `kexie migrate` runs against one cluster */
		rc = conn_exec(c, "SELECT pg_advisory_xact_lock(7231950)");
		if (rc)
			return rc;
	}
	rc = conn_prepare(c, "SELECT 1 FROM schema_migrations WHERE version = $1", &q);
	if (rc)
		return rc;
	stmt_bind_int64(q, 1, a->m->version);
	rc = stmt_step(q);
	stmt_done(q);
	if (rc == STORE_ROW) {
		a->done = 1;
		return 0;
	}
	if (rc < 0)
		return rc;
	const char *sql = mig_sql(a->m, conn_kind(c));
	rc = conn_exec(c, sql);
	if (rc)
		return rc;
	char sum[65], now[32];
	checksum(sql, sum);
	time_iso(time_unix(), now, sizeof(now));
	rc = conn_prepare(c,
			  "INSERT INTO schema_migrations (version, name, checksum, applied_at)"
			  " VALUES ($1, $2, $3, $4)",
			  &q);
	if (rc)
		return rc;
	stmt_bind_int64(q, 1, a->m->version);
	stmt_bind_text(q, 2, a->m->name, strlen(a->m->name));
	stmt_bind_text(q, 3, sum, strlen(sum));
	stmt_bind_text(q, 4, now, strlen(now));
	rc = stmt_step(q);
	stmt_done(q);
	return rc < 0 ? rc : 0;
}

int migrate_apply(struct store *s, int *applied, char *msg, size_t cap)
{
	*applied = 0;
	struct migrate_state st;
	int rc = migrate_check(s, &st);
	if (rc) {
		snprintf(msg, cap, "cannot read schema_migrations (%s)", err_name(rc));
		return rc;
	}
	if (st.fatal) {
		snprintf(msg, cap, "%s", st.problem);
		return ERR_CONFLICT;
	}
	for (int i = 0; i < migrations_count; i++) {
		const struct migration *m = &migrations[i];
		if (!mig_sql(m, store_kind(s))) {
			snprintf(msg, cap, "migration %s has no file for %s", m->name,
				 store_kind_name(s));
			return ERR_INTERNAL;
		}
		struct apply_ctx a = {.m = m};
		rc = store_tx(s, apply_one, &a);
		if (rc) {
			snprintf(msg, cap, "migration %s failed (%s); nothing of it was applied",
				 m->name, err_name(rc));
			return rc;
		}
		if (!a.done) {
			log_info("migrate: applied %s", m->name);
			(*applied)++;
		}
	}
	return 0;
}
