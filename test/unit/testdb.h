/* testdb.h - a migrated SQLite store in a fresh temporary directory, for unit tests that
 * need a real database; removed again at the end. dir is a mkdtemp template. */
#ifndef KEXIE_TEST_TESTDB_H
#define KEXIE_TEST_TESTDB_H

#include "store/migrate.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>

static inline int testdb_open(char *dir, struct store **s)
{
	if (!mkdtemp(dir))
		return -1;
	char url[256], err[256];
	snprintf(url, sizeof(url), "sqlite:%s/t.db", dir);
	struct store_opts o = {.url = url, .pool_size = 2, .busy_timeout_ms = 2000};
	if (store_open(&o, s, err, sizeof(err)))
		return -1;
	int applied;
	return migrate_apply(*s, &applied, err, sizeof(err));
}

static inline int testdb_close(struct store *s, const char *dir)
{
	store_close(s);
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

#endif
