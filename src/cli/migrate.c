/*
 * migrate.c (cli) - `kexie migrate [--status]`.
 */
#include "cli/cli.h"
#include "core/audit.h"
#include "store/migrate.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* The row opens the app whatever the schema's state (RUN_APP_ANY): this is the command
 * that brings it up to date. */
int cmd_migrate(struct cmd_ctx *x)
{
	struct app *app = x->app;
	int rc;
	if (cli_has(x, "--status")) {
		struct migrate_state st;
		rc = migrate_check(app->store, &st);
		if (!rc)
			printf("%d of %d migrations applied%s%s\n", st.applied, st.known,
			       st.problem[0] ? ": " : "", st.problem);
		return rc || st.problem[0] ? 1 : 0;
	}
	int applied = 0;
	char msg[512] = "";
	rc = migrate_apply(app->store, &applied, msg, sizeof(msg));
	/* a trail written before keyed chains is keyed now, once (and checkpointed) */
	int64_t rekeyed = 0;
	char why[256] = "";
	int arc = rc ? 0 : audit_prepare(app, &rekeyed, why, sizeof(why));
	if (rc) {
		fprintf(stderr, "kexie migrate: %s\n", msg);
		return 1;
	}
	printf("migrate: %d applied, %d total\n", applied, migrations_count);
	if (rekeyed)
		printf("migrate: the audit trail is keyed now (%" PRId64
		       " records re-chained with the server key)\n",
		       rekeyed);
	if (arc || why[0]) {
		fprintf(stderr, "kexie migrate: audit trail: %s\n", why[0] ? why : "cannot be read");
		return arc ? 1 : 0;
	}
	return 0;
}
