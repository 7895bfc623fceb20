/*
 * system.h - facts about the running system: health and schema state.
 */
#ifndef KEXIE_CORE_SYSTEM_H
#define KEXIE_CORE_SYSTEM_H

#include "core/app.h"

#include <stdbool.h>

struct health {
	const char *db_kind; /* "sqlite" / "postgresql" */
	bool db_ok;          /* a read connection answered SELECT 1 */
	bool replica;        /* a read replica is configured */
	int schema_version;  /* migrations applied */
	int schema_expected; /* migrations this binary carries */
	int64_t uptime_s;
};

/* Fills h; returns 0 when the database answers, ERR_UNAVAILABLE (h still filled, db_ok
 * false, schema_version 0) when not. Never another code: a schema count that cannot be
 * read leaves schema_version 0 with 0 returned. */
int system_health(struct app *a, struct health *h);

#endif
