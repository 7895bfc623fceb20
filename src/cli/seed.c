/*
 * seed.c (cli) - `kexie seed --demo` loads demo data into an empty or partly seeded
 * database (idempotent); `kexie seed --regions N` generates N regions for benchmarks.
 */
#include "cli/cli.h"
#include "domain/org.h"
#include "domain/region.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cmd_seed(int argc, char **argv)
{
	struct config cfg;
	char *rest[8];
	int nrest;
	static const char *const extra[] = {"--demo", "--regions=", NULL};
	int rc = config_load(&cfg, "seed", argc, argv, rest, &nrest, extra);
	if (rc)
		return rc;
	bool demo = false;
	long regions = -1;
	for (int i = 0; i < nrest; i++) {
		if (!strcmp(rest[i], "--demo")) {
			demo = true;
		} else if (!strncmp(rest[i], "--regions", 9) && i + 1 < nrest) {
			char *end;
			regions = strtol(rest[++i], &end, 10);
			if (*end || regions < 1 || regions > 20000000) {
				fprintf(stderr, "kexie seed: --regions must be 1 to 20000000\n");
				return EXIT_USAGE;
			}
		}
	}
	if (!demo && regions < 0) {
		usage("seed");
		return EXIT_USAGE;
	}
	struct app app;
	if (app_open_current(&app, &cfg, "seed"))
		return 1;
	size_t n = 0;
	const struct audit_entry who = {.via = "cli", .role = "system_admin"};
	if (demo) {
		rc = region_seed_demo(&app, &who, &n);
		if (!rc)
			printf("seed: demo regions: %zu new\n", n);
		int orgs = 0;
		if (!rc)
			rc = org_seed_demo(&app, &who, &orgs);
		if (!rc)
			printf("seed: demo organizations: %d new\n", orgs);
	}
	if (!rc && regions > 0) {
		rc = region_generate(&app, (size_t)regions, &who, &n);
		if (!rc)
			printf("seed: generated regions: %zu new\n", n);
	}
	app_close(&app);
	if (rc) {
		fprintf(stderr, "kexie seed: failed (%s); nothing was written\n", err_name(rc));
		return 1;
	}
	return 0;
}
