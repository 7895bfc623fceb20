/*
 * system.c - health of the process and its database.
 */
#include "core/system.h"
#include "base/err.h"
#include "base/timeutil.h"
#include "store/migrate.h"
#include "store/store.h"

#include <string.h>

int system_health(struct app *a, struct health *h)
{
	memset(h, 0, sizeof(*h));
	h->db_kind = store_kind_name(a->store);
	h->replica = store_has_replica(a->store);
	h->schema_expected = migrations_count;
	h->uptime_s = time_unix() - a->started_at;
	int rc = store_ping(a->store);
	h->db_ok = rc == 0;
	if (rc)
		return ERR_UNAVAILABLE;
	struct conn *c = NULL;
	struct stmt *st = NULL;
	if (store_acquire(a->store, STORE_READ, &c) == 0) {
		if (conn_prepare(c, "SELECT count(*) FROM schema_migrations", &st) == 0 &&
		    stmt_step(st) == STORE_ROW)
			h->schema_version = (int)stmt_int64(st, 0);
		stmt_done(st);
		store_release(c);
	}
	return 0;
}
