/*
 * migrate.h - schema migrations embedded in the binary (generated from db/migrations).
 *
 * Version N is either one file NNNN_name.sql for both databases or a pair
 * NNNN_name.sqlite.sql + NNNN_name.pg.sql where the dialects really differ. Each is applied
 * in its own transaction and recorded in schema_migrations with the SHA-256 of its text.
 */
#ifndef KEXIE_STORE_MIGRATE_H
#define KEXIE_STORE_MIGRATE_H

#include <stddef.h>

struct store;

struct migration {
	int version;
	const char *name;
	const char *sql_common, *sql_sqlite, *sql_pg;
};

extern const struct migration migrations[];
extern const int migrations_count;

struct migrate_state {
	int applied;       /* migrations recorded in the database */
	int known;         /* migrations in this binary */
	int pending;       /* known but not applied */
	int fatal;         /* a changed checksum or an unknown version: migrate cannot fix it */
	char problem[256]; /* non-empty when the server must refuse to start */
};

/* Reads schema_migrations and compares it with the embedded list. Returns 0 and fills st;
 * st->problem explains a changed checksum, a database newer than the binary, or pending
 * migrations (with the command to run). */
int migrate_check(struct store *s, struct migrate_state *st);

/* Applies every pending migration in order, one transaction each; *applied counts them.
 * Idempotent: a second run applies nothing. On failure msg says which migration failed. */
int migrate_apply(struct store *s, int *applied, char *msg, size_t cap);

#endif
