/*
 * docs.c (cli) - `kexie routes` and `kexie openapi`: the route table, as text and as the
 * OpenAPI document (docs/openapi.json is this output, checked by a test).
 */
#include "cli/cli.h"
#include "api/api.h"
#include "version.h"

#include <stdio.h>
#include <stdlib.h>

int cmd_routes(int argc, char **argv)
{
	(void)argv;
	if (argc > 1) {
		usage("routes");
		return EXIT_USAGE;
	}
	static const char *const m[] = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"};
	for (size_t i = 0; i < api_routes_count; i++) {
		const struct route *r = &api_routes[i];
		const char *name = "?";
		for (int k = 0; k < 7; k++)
			if (r->method == 1u << k)
				name = m[k];
		printf("%-7s %-40s %s%s\n", name, r->pattern, r->summary,
		       (r->flags & RF_AUTH) ? " [auth]" : "");
	}
	return 0;
}

int cmd_openapi(int argc, char **argv)
{
	(void)argv;
	if (argc > 1) {
		usage("openapi");
		return EXIT_USAGE;
	}
	char why[256];
	/* the committed document carries no build-specific version */
	json_t *doc = api_openapi(KEXIE_API_VERSION, why, sizeof(why));
	if (!doc) {
		fprintf(stderr, "kexie openapi: %s\n", why);
		return 1;
	}
	char *s = json_dumps(doc, JSON_INDENT(2) | JSON_SORT_KEYS);
	json_decref(doc);
	if (!s)
		return 1;
	puts(s);
	free(s);
	return 0;
}
