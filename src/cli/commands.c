/*
 * commands.c - THE command table: the whole CLI on one screen, plus help and version.
 */
#include "cli/cli.h"
#include "version.h"

#include <stdio.h>
#include <string.h>

const struct command commands[] = {
	{"serve", cmd_serve, "[CONFIG FLAGS]", "run the HTTP server (API and web app)", true},
	{"migrate", cmd_migrate, "[--status] [CONFIG FLAGS]",
	 "apply pending database migrations (idempotent)", true},
	{"seed", cmd_seed, "--demo | --regions N | --orgs N [CONFIG FLAGS]",
	 "load demo data, or generated regions / organizations for benchmarks", true},
	{"org", cmd_org,
	 "tree [--under CODE] [--as-of DATE] [--include-closed] | move CODE --to PARENT [--on DATE]"
	 " | close CODE [--on DATE] [--branch] | import FILE.csv|xlsx [--dry-run] | recount",
	 "print the organization tree as of a date; move, close or import organizations", true},
	{"user", cmd_user,
	 "add --login L --name N --role ROLE [--org CODE] --password-stdin | list | disable LOGIN"
	 " | unlock LOGIN | passwd LOGIN --password-stdin | grant-post LOGIN POST [--org CODE]",
	 "manage accounts and their role at an organization; give one of the three administrator posts", true},
	{"token", cmd_token, "create --login L [--expires-days N] [--name NAME]",
	 "create an API token (printed once) for scripts: Authorization: Bearer TOKEN", true},
	{"audit", cmd_audit, "verify [--checkpoint LINE] | checkpoint | prune [CONFIG FLAGS]",
	 "check the audit trail's keyed chain against its checkpoints (ok N records, or the first broken one); write a checkpoint now; prune records past the retention", true},
	{"routes", cmd_routes, "[--json]", "print the HTTP route table: objects, permission, status (--json: every declaration)", false},
	{"openapi", cmd_openapi, "", "print the OpenAPI 3.1 document", false},
	{"version", cmd_version, "", "print the version", false},
	{"help", cmd_help, "[COMMAND | config]", "show help for a command or the settings", false},
	{0},
};

const char *kexie_version(void)
{
	return KEXIE_VERSION;
}

static const struct command *find(const char *name)
{
	for (const struct command *c = commands; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

static void print_config(FILE *f)
{
	fprintf(f, "Settings (flag > environment > INI file given by --config):\n");
	for (const struct config_opt *o = config_opts; o->key; o++) {
		char flag[64], env[64];
		snprintf(flag, sizeof(flag), "--%s", o->key);
		snprintf(env, sizeof(env), "KEXIE_%s", o->key);
		for (char *p = flag; *p; p++)
			if (*p == '_')
				*p = '-';
		for (char *p = env; *p; p++)
			if (*p >= 'a' && *p <= 'z')
				*p = (char)(*p - 'a' + 'A');
		fprintf(f, "  %-16s %-20s %s (default: %s)\n", flag, env, o->help,
			o->def[0] ? o->def : "none");
	}
	fprintf(f, "  --config FILE    KEXIE_CONFIG         INI file with the keys above\n");
}

void usage(const char *cmd)
{
	const struct command *c = cmd ? find(cmd) : NULL;
	if (c) {
		fprintf(stderr, "usage: kexie %s %s\n  %s\n", c->name, c->args, c->summary);
		if (c->uses_config)
			print_config(stderr);
		return;
	}
	fprintf(stderr, "usage: kexie COMMAND [ARGS]\n\ncommands:\n");
	for (const struct command *k = commands; k->name; k++)
		fprintf(stderr, "  %-10s %s\n", k->name, k->summary);
	fprintf(stderr, "\nkexie help COMMAND shows a command's arguments.\n");
}

int cmd_version(int argc, char **argv)
{
	(void)argv;
	if (argc > 1) {
		usage("version");
		return EXIT_USAGE;
	}
	printf("kexie %s\n", KEXIE_VERSION);
	return 0;
}

int cmd_help(int argc, char **argv)
{
	if (argc > 2) {
		usage("help");
		return EXIT_USAGE;
	}
	if (argc == 2 && !strcmp(argv[1], "config")) {
		print_config(stdout);
		return 0;
	}
	const struct command *c = argc == 2 ? find(argv[1]) : NULL;
	if (argc == 2 && !c) {
		fprintf(stderr, "kexie: unknown command '%s'\n", argv[1]);
		usage(NULL);
		return EXIT_USAGE;
	}
	if (c) {
		printf("usage: kexie %s %s\n  %s\n", c->name, c->args, c->summary);
		if (c->uses_config)
			print_config(stdout);
		return 0;
	}
	printf("kexie %s - the science and technology association platform\n\ncommands:\n",
	       KEXIE_VERSION);
	for (const struct command *k = commands; k->name; k++)
		printf("  %-10s %s\n", k->name, k->summary);
	printf("\nkexie help COMMAND shows a command's arguments; kexie help config the settings.\n");
	return 0;
}
