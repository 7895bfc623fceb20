/*
 * audit.c (cli) - `kexie audit verify`: walk the hash chain, print "ok N records" and exit
 * 0, or name the first broken record and exit 1. `kexie audit prune`: remove records past
 * the retention (audit_retention_days, at least 180), keeping the chain verifiable.
 */
#include "cli/cli.h"
#include "base/err.h"
#include "core/audit.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

int cmd_audit(int argc, char **argv)
{
	if (argc < 2 || (strcmp(argv[1], "verify") && strcmp(argv[1], "prune"))) {
		usage("audit");
		return EXIT_USAGE;
	}
	struct config cfg;
	char *rest[8];
	int nrest;
	int rc = config_load(&cfg, "audit", argc - 1, argv + 1, rest, &nrest, NULL);
	if (rc)
		return rc;
	struct app app;
	if (app_open_current(&app, &cfg, "audit"))
		return 1;
	if (!strcmp(argv[1], "prune")) {
		static const struct audit_entry cli = {.via = "cli", .role = "audit_admin"};
		int64_t removed = 0;
		char cutoff[16];
		rc = audit_prune(&app, &cli, &removed, cutoff);
		app_close(&app);
		if (rc) {
			fprintf(stderr, "kexie audit prune: failed (%s)\n", err_name(rc));
			return 1;
		}
		printf("pruned %" PRId64 " records older than %s (retention %d days)\n", removed, cutoff,
		       cfg.audit_retention_days);
		return 0;
	}
	int64_t count = 0, bad = 0;
	char why[256];
	rc = audit_verify(&app, &count, &bad, why, sizeof(why));
	app_close(&app);
	if (rc == 0) {
		printf("ok %" PRId64 " records\n", count);
		return 0;
	}
	if (rc == ERR_CONFLICT) {
		printf("broken at record %" PRId64 ": %s\n", bad, why);
		return 1;
	}
	fprintf(stderr, "kexie audit: cannot read the audit trail (%s)\n", err_name(rc));
	return 1;
}
