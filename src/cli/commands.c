/*
 * commands.c - THE command table: the whole CLI on one screen, the dispatcher that does
 * each row's setup (RUN_* flags in cli.h: configuration, the app), plus help and version.
 * Commands with subcommands (org, user, token, audit) keep their tables beside their
 * functions; help prints every row from the tables.
 */
#include "cli/cli.h"
#include "version.h"

#include <stdio.h>
#include <string.h>

static const char *const migrate_flags[] = {"--status", NULL};
static const char *const seed_flags[] = {"--demo", "--regions=", "--orgs=", NULL};

/* one row per command, read as a table */
/* clang-format off */
const struct command commands[] = {
	{.name = "serve",
	 .run = cmd_serve,
	 .args = "[CONFIG FLAGS]",
	 .summary = "run the HTTP server (API and web app)",
	 .flags = RUN_APP},
	{.name = "migrate",
	 .run = cmd_migrate,
	 .args = "[--status] [CONFIG FLAGS]",
	 .summary = "apply pending database migrations (idempotent)",
	 .flags = RUN_APP_ANY,
	 .extra = migrate_flags},
	{.name = "seed",
	 .run = cmd_seed,
	 .args = "--demo | --regions N | --orgs N [CONFIG FLAGS]",
	 .summary = "load demo data, or generated regions / organizations for benchmarks",
	 .flags = RUN_APP,
	 .extra = seed_flags},
	{.name = "org",
	 .args = "SUBCOMMAND ... [CONFIG FLAGS]",
	 .summary = "print the organization tree as of a date; move, close or import organizations",
	 .subs = org_commands},
	{.name = "member",
	 .args = "SUBCOMMAND ... [CONFIG FLAGS]",
	 .summary = "import people of the member register from a spreadsheet",
	 .subs = member_commands},
	{.name = "user",
	 .args = "SUBCOMMAND ... [CONFIG FLAGS]",
	 .summary =
		 "manage accounts and their role at an organization; give one of the three administrator posts",
	 .subs = user_commands},
	{.name = "token",
	 .args = "SUBCOMMAND ... [CONFIG FLAGS]",
	 .summary = "create an API token (printed once) for scripts: Authorization: Bearer TOKEN",
	 .subs = token_commands},
	{.name = "audit",
	 .args = "SUBCOMMAND ... [CONFIG FLAGS]",
	 .summary =
		 "check the audit trail's keyed chain against its checkpoints (ok N records, or the first broken one); write a checkpoint now; prune records past the retention",
	 .subs = audit_commands},
	{.name = "doc",
	 .args = "SUBCOMMAND ...",
	 .summary = "try the document writers: write a sample official document as DOCX or PDF",
	 .subs = doc_commands},
	{.name = "routes",
	 .run = cmd_routes,
	 .args = "[--json]",
	 .summary = "print the HTTP route table: objects, permission, status (--json: every declaration)"},
	{.name = "openapi", .run = cmd_openapi, .args = "", .summary = "print the OpenAPI 3.1 document"},
	{.name = "version", .run = cmd_version, .args = "", .summary = "print the version"},
	{.name = "help",
	 .run = cmd_help,
	 .args = "[COMMAND [SUBCOMMAND] | config]",
	 .summary = "show help for a command or the settings"},
	{0},
};
/* clang-format on */

const char *kexie_version(void)
{
	return KEXIE_VERSION;
}

static const struct command *find(const struct command *table, const char *name, size_t len)
{
	for (const struct command *c = table; c && c->name; c++)
		if (strlen(c->name) == len && !strncmp(c->name, name, len))
			return c;
	return NULL;
}

/* "org" or "org move": the row, and its parent for a subcommand. */
static const struct command *find_path(const char *path, const struct command **parent)
{
	size_t n = strcspn(path, " ");
	const struct command *c = find(commands, path, n);
	*parent = NULL;
	if (c && path[n] == ' ' && c->subs) {
		*parent = c;
		return find(c->subs, path + n + 1, strlen(path + n + 1));
	}
	return path[n] ? NULL : c;
}

static bool takes_config(const struct command *c)
{
	if (c->flags & (RUN_CONFIG | RUN_APP | RUN_APP_ANY))
		return true;
	for (const struct command *s = c->subs; s && s->name; s++)
		if (takes_config(s))
			return true;
	return false;
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

/* One row's help: its synopsis, its subcommands (each a line from its table), and the
 * settings when it takes them. */
static void print_row(FILE *f, const struct command *parent, const struct command *c)
{
	fprintf(f, "usage: kexie %s%s%s%s%s\n  %s\n", parent ? parent->name : "", parent ? " " : "", c->name,
		c->args[0] ? " " : "", c->args, c->summary);
	if (c->subs) {
		fprintf(f, "\nsubcommands:\n");
		for (const struct command *s = c->subs; s->name; s++)
			fprintf(f, "  kexie %s %s%s%s\n      %s\n", c->name, s->name, s->args[0] ? " " : "",
				s->args, s->summary);
		if (takes_config(c))
			fprintf(f,
				"\nCONFIG FLAGS: kexie help config; one subcommand: kexie help %s SUBCOMMAND\n",
				c->name);
		return;
	}
	if (takes_config(c))
		print_config(f);
}

static void print_list(FILE *f)
{
	for (const struct command *k = commands; k->name; k++)
		fprintf(f, "  %-10s %s\n", k->name, k->summary);
}

void usage(const char *cmd)
{
	const struct command *parent = NULL;
	const struct command *c = cmd ? find_path(cmd, &parent) : NULL;
	if (c) {
		print_row(stderr, parent, c);
		return;
	}
	fprintf(stderr, "usage: kexie COMMAND [ARGS]\n\ncommands:\n");
	print_list(stderr);
	fprintf(stderr, "\nkexie help COMMAND shows a command's arguments.\n");
}

const char *cli_opt(const struct cmd_ctx *x, const char *flag)
{
	size_t fl = strlen(flag);
	for (int i = 0; i + 1 < x->nrest; i++)
		if (!strncmp(x->rest[i], flag, fl) && (x->rest[i][fl] == '\0' || x->rest[i][fl] == '='))
			return x->rest[i + 1];
	return NULL;
}

bool cli_has(const struct cmd_ctx *x, const char *flag)
{
	for (int i = 0; i < x->nrest; i++)
		if (!strcmp(x->rest[i], flag))
			return true;
	return false;
}

static bool is_help(const char *a)
{
	return !strcmp(a, "--help") || !strcmp(a, "-h");
}

#define REST_MAX 32

/* The setup a row's flags ask for, then its function; argv[0] is the row's name. */
static int run_row(const struct command *parent, const struct command *c, int argc, char **argv)
{
	char name[64];
	snprintf(name, sizeof(name), "%s%s%s", parent ? parent->name : "", parent ? " " : "", c->name);
	if (argc >= 2 && is_help(argv[1])) {
		print_row(stdout, parent, c);
		return 0;
	}
	if (c->subs) {
		const struct command *s = argc >= 2 ? find(c->subs, argv[1], strlen(argv[1])) : NULL;
		if (!s) {
			if (argc >= 2)
				fprintf(stderr, "kexie %s: unknown subcommand '%s'\n", c->name, argv[1]);
			usage(name);
			return EXIT_USAGE;
		}
		return run_row(c, s, argc - 1, argv + 1);
	}
	struct cmd_ctx x = {.name = name, .argc = argc, .argv = argv};
	if (!(c->flags & (RUN_CONFIG | RUN_APP | RUN_APP_ANY)))
		return c->run(&x);
	for (int i = 1; i <= c->npos; i++)
		if (i >= argc || argv[i][0] == '-') {
			usage(name);
			return EXIT_USAGE;
		}
	struct config cfg;
	char *rest[REST_MAX];
	int nrest = 0;
	if (argc - c->npos > REST_MAX) {
		fprintf(stderr, "kexie %s: too many arguments\n", name);
		return EXIT_USAGE;
	}
	/* config_load reads from argv[1]: the last positional argument stands in for the name */
	int rc = config_load(&cfg, name, argc - c->npos, argv + c->npos, rest, &nrest, c->extra);
	if (rc)
		return rc;
	x.argc = c->npos;
	x.argv = argv + 1;
	x.rest = rest;
	x.nrest = nrest;
	x.cfg = &cfg;
	struct app app;
	if (c->flags & (RUN_APP | RUN_APP_ANY)) {
		const char *top = parent ? parent->name : c->name;
		if (c->flags & RUN_APP ? app_open_current(&app, &cfg, top) : app_open(&app, &cfg))
			return 1;
		x.app = &app;
	}
	rc = c->run(&x);
	if (x.app)
		app_close(&app);
	return rc;
}

int cli_run(int argc, char **argv)
{
	if (argc < 2) {
		usage(NULL);
		return EXIT_USAGE;
	}
	if (is_help(argv[1])) {
		struct cmd_ctx x = {.name = "help", .argc = 1, .argv = argv + 1};
		return cmd_help(&x);
	}
	if (!strcmp(argv[1], "--version")) {
		struct cmd_ctx x = {.name = "version", .argc = 1, .argv = argv + 1};
		return cmd_version(&x);
	}
	const struct command *c = find(commands, argv[1], strlen(argv[1]));
	if (!c) {
		fprintf(stderr, "kexie: unknown command '%s'\n", argv[1]);
		usage(NULL);
		return EXIT_USAGE;
	}
	return run_row(NULL, c, argc - 1, argv + 1);
}

int cmd_version(struct cmd_ctx *x)
{
	if (x->argc > 1) {
		usage("version");
		return EXIT_USAGE;
	}
	printf("kexie %s\n", KEXIE_VERSION);
	return 0;
}

int cmd_help(struct cmd_ctx *x)
{
	int argc = x->argc;
	char **argv = x->argv;
	if (argc > 3) {
		usage("help");
		return EXIT_USAGE;
	}
	if (argc == 2 && !strcmp(argv[1], "config")) {
		print_config(stdout);
		return 0;
	}
	const struct command *parent = NULL, *c = NULL;
	if (argc >= 2) {
		c = find(commands, argv[1], strlen(argv[1]));
		if (c && argc == 3) {
			parent = c;
			c = c->subs ? find(c->subs, argv[2], strlen(argv[2])) : NULL;
		}
		if (!c) {
			fprintf(stderr, "kexie: unknown command '%s%s%s'\n", argv[1], argc == 3 ? " " : "",
				argc == 3 ? argv[2] : "");
			usage(NULL);
			return EXIT_USAGE;
		}
		print_row(stdout, parent, c);
		return 0;
	}
	printf("kexie %s - the science and technology association platform\n\ncommands:\n", KEXIE_VERSION);
	print_list(stdout);
	printf("\nkexie help COMMAND shows a command's arguments; kexie help config the settings.\n");
	return 0;
}
