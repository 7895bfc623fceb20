/*
 * migrate.c (cli) - `kexie migrate [--status]`.
 */
#include "cli/cli.h"
#include "core/audit.h"
#include "store/migrate.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

int cmd_migrate(int argc, char **argv)
{
	struct config cfg;
	char *rest[8];
	int nrest;
	static const char *const extra[] = {"--status", NULL};
	int rc = config_load(&cfg, "migrate", argc, argv, rest, &nrest, extra);
	if (rc)
		return rc;
	struct app app;
	if (app_open(&app, &cfg))
		return 1;
	if (nrest) {
		struct migrate_state st;
		rc = migrate_check(app.store, &st);
		if (!rc)
			printf("%d of %d migrations applied%s%s\n", st.applied, st.known,
			       st.problem[0] ? ": " : "", st.problem);
		app_close(&app);
		return rc || st.problem[0] ? 1 : 0;
	}
	int applied = 0;
	char msg[512] = "";
	rc = migrate_apply(app.store, &applied, msg, sizeof(msg));
	/* a trail written before keyed chains is keyed now, once (and checkpointed) */
	int64_t rekeyed = 0;
	char why[256] = "";
	int arc = rc ? 0 : audit_prepare(&app, &rekeyed, why, sizeof(why));
	app_close(&app);
	if (rc) {
		fprintf(stderr, "kexie migrate: %s\n", msg);
		return 1;
	}
	printf("migrate: %d applied, %d total\n", applied, migrations_count);
	if (rekeyed)
		printf("migrate: the audit trail is keyed now (%" PRId64 " records re-chained with the server key)\n", rekeyed);
	if (arc || why[0]) {
		fprintf(stderr, "kexie migrate: audit trail: %s\n", why[0] ? why : "cannot be read");
		return arc ? 1 : 0;
	}
	return 0;
}
