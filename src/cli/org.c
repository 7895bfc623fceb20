/*
 * org.c (cli) - the organization tree from the terminal:
 *   kexie org tree [--under CODE] [--as-of DATE] [--include-closed]   print a branch as of a date
 *   kexie org move CODE --to PARENT [--on DATE]                      dated move (cycles refused)
 *   kexie org close CODE [--on DATE] [--branch]                       close one org or a branch
 *   kexie org import FILE.csv|xlsx [--dry-run]                         load / update the tree
 *                                    (a job run here; run again after a crash, it resumes)
 *   kexie org recount                                                 rebuild the subtree counts
 * Writes are audited with via=cli. Refusals print the field errors and exit 1.
 */
#include "cli/cli.h"
#include "base/jsonw.h"
#include "base/err.h"
#include "core/org.h"
#include "core/job.h"
#include "core/orgimport.h"

#include <jansson.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE 200

static int print_branch(struct app *a, const struct org *o, int depth, const char *as_of, bool closed,
			long *count)
{
	printf("%*s%s  %s  [%s/%s]%s%s\n", depth * 2, "", o->code, o->name, o->level, o->type,
	       o->closed_on[0] ? "  closed " : "", o->closed_on);
	(*count)++;
	if (depth >= 64)
		return 0;
	struct org *kids = calloc(PAGE, sizeof(*kids));
	if (!kids)
		return ERR_NOMEM;
	char after[ORG_CODE_MAX + 1] = "";
	int n, rc;
	do { /* keyset pages: any number of children without holding them all */
		rc = org_children(a, o->id, as_of, closed, after, kids, PAGE, &n);
		for (int i = 0; !rc && i < n; i++)
			rc = print_branch(a, &kids[i], depth + 1, as_of, closed, count);
		if (n > 0)
			memcpy(after, kids[n - 1].code, sizeof(after));
	} while (!rc && n == PAGE);
	free(kids);
	return rc;
}

static void print_errors(const char *what, int rc, const struct errlist *e)
{
	fprintf(stderr, "kexie org %s: refused (%s)\n", what, err_name(rc));
	for (int i = 0; i < e->n; i++)
		fprintf(stderr, "  %s%s%s: %s\n", e->e[i].field, e->e[i].field[0] ? " " : "", e->e[i].code,
			e->e[i].message);
}

/* The org with code on date on (NULL: today), or a message and non-zero. */
static int find_org(struct cmd_ctx *x, const char *code, const char *on, struct org *o)
{
	if (!org_get_by_code(x->app, code, on, o))
		return 0;
	fprintf(stderr, "kexie %s: no organization with code %s\n", x->name, code);
	return 1;
}

static const struct audit_entry cli_who = {.via = "cli", .role = "system_admin"};

static int org_move_cmd(struct cmd_ctx *x)
{
	const char *to = cli_opt(x, "--to"), *on = cli_opt(x, "--on");
	if (!to) {
		fprintf(stderr, "kexie org move: --to PARENT is required\n");
		return EXIT_USAGE;
	}
	struct org o, p;
	if (find_org(x, x->argv[0], on, &o) || find_org(x, to, on, &p))
		return 1;
	struct errlist e;
	errlist_init(&e);
	int rc = org_move(x->app, &cli_who, o.id, p.id, on, 0, &e);
	if (rc) {
		print_errors("move", rc, &e);
		return 1;
	}
	printf("moved %s under %s from %s\n", o.code, p.code, on ? on : "today");
	return 0;
}

static int org_close_cmd(struct cmd_ctx *x)
{
	const char *on = cli_opt(x, "--on");
	struct org o;
	if (find_org(x, x->argv[0], on, &o))
		return 1;
	struct errlist e;
	errlist_init(&e);
	int closed = 0;
	int rc = org_close(x->app, &cli_who, o.id, on, cli_has(x, "--branch"), 0, &e, &closed);
	if (rc) {
		print_errors("close", rc, &e);
		return 1;
	}
	printf("closed %d organization%s\n", closed, closed == 1 ? "" : "s");
	return 0;
}

/* Runs the import as a job in this process (the same pipeline as the server's), resuming an
 * interrupted one over the same file. Prints the report as JSON on stdout; exit 0 when every
 * row went in (or was unchanged), 1 when rows were rejected or the file was refused. */
static int org_import_cmd(struct app *app, const struct config *cfg, const char *path, bool dry)
{
	char abs[4096], hash[65];
	if (!realpath(path, abs) || job_file_hash(abs, hash)) {
		fprintf(stderr, "kexie org import: cannot open %s\n", path);
		return 1;
	}
	int64_t id = 0;
	struct job_info ji;
	int rc = job_find_interrupted(app, org_import_kind.name, hash, &id);
	if (!rc && !job_get(app, id, -1, &ji) && ji.dry_run == dry) {
		fprintf(stderr,
			"kexie org import: resuming job %" PRId64 " (interrupted after %" PRId64
			" of %" PRId64 " rows)\n",
			id, ji.rows_done, ji.rows_total);
	} else {
		const char *base = strrchr(abs, '/');
		struct job_new n = {.kind = org_import_kind.name,
				    .origin = "cli",
				    .role = "system_admin",
				    .dry_run = dry,
				    .input_path = abs,
				    .input_name = base ? base + 1 : abs,
				    .input_hash = hash};
		rc = job_create(app, &n, &id);
		if (rc) {
			fprintf(stderr, "kexie org import: cannot start (%s)\n", err_name(rc));
			return 1;
		}
	}
	struct job_runner_opts o = {.pause_ms = cfg->job_pause_ms, .batch_rows = cfg->import_batch_rows};
	rc = job_run_inline(app, &org_import_kind, id, &o);
	if (rc == ERR_CONFLICT) {
		fprintf(stderr,
			"kexie org import: job %" PRId64 " for this file is running in another process\n",
			id);
		return 1;
	}
	if (job_get(app, id, -1, &ji) || !strcmp(ji.state, "queued") || !strcmp(ji.state, "running")) {
		fprintf(stderr, "kexie org import: failed (%s); run it again to resume\n", err_name(rc));
		return 1;
	}
	bool refused = !strcmp(ji.state, "failed");
	if (!refused || ji.error_count > 0)
		cli_import_report(app, &ji, false, "org import");
	if (refused)
		fprintf(stderr, "kexie org import: %s%s\n", ji.message,
			ji.rows_done ? "; the rows before the failure are kept" : "; nothing was written");
	json_t *res = json_loads(ji.result, 0, NULL);
	bool clean = !refused && !strcmp(ji.state, "succeeded") &&
		     json_integer_value(json_object_get(res, "rejected")) == 0;
	json_decref(res);
	return clean ? 0 : 1;
}

static int org_import_run(struct cmd_ctx *x)
{
	return org_import_cmd(x->app, x->cfg, x->argv[0], cli_has(x, "--dry-run"));
}

static int org_recount_cmd(struct cmd_ctx *x)
{
	int rc = org_tally_rebuild(x->app);
	if (rc) {
		fprintf(stderr, "kexie org recount: failed (%s)\n", err_name(rc));
		return 1;
	}
	printf("subtree counts rebuilt\n");
	return 0;
}

static int org_tree_cmd(struct cmd_ctx *x)
{
	const char *under = cli_opt(x, "--under"), *as_of = cli_opt(x, "--as-of");
	if (!under)
		under = "CAST";
	struct org root;
	int rc = org_get_by_code(x->app, under, as_of, &root);
	long count = 0;
	if (rc == ERR_NOTFOUND)
		fprintf(stderr, "kexie org: no organization with code %s%s%s\n", under, as_of ? " on " : "",
			as_of ? as_of : "");
	else if (rc == ERR_INVALID)
		fprintf(stderr, "kexie org: --as-of must be a date YYYY-MM-DD\n");
	else if (!rc)
		rc = print_branch(x->app, &root, 0, as_of, cli_has(x, "--include-closed"), &count);
	return rc ? 1 : 0;
}

static const char *const tree_flags[] = {"--under=", "--as-of=", "--include-closed", NULL};
static const char *const move_flags[] = {"--to=", "--on=", NULL};
static const char *const close_flags[] = {"--on=", "--branch", NULL};
static const char *const import_flags[] = {"--dry-run", NULL};

/* one row per command, read as a table */
/* clang-format off */
const struct command org_commands[] = {
	{.name = "tree",
	 .run = org_tree_cmd,
	 .args = "[--under CODE] [--as-of DATE] [--include-closed]",
	 .summary = "print a branch of the tree as of a date (default: all of it, today)",
	 .flags = RUN_APP,
	 .extra = tree_flags},
	{.name = "move",
	 .run = org_move_cmd,
	 .args = "CODE --to PARENT [--on DATE]",
	 .summary = "move an organization under another from a date (cycles refused)",
	 .flags = RUN_APP,
	 .npos = 1,
	 .extra = move_flags},
	{.name = "close",
	 .run = org_close_cmd,
	 .args = "CODE [--on DATE] [--branch]",
	 .summary = "close an organization (with --branch: everything below it too)",
	 .flags = RUN_APP,
	 .npos = 1,
	 .extra = close_flags},
	{.name = "import",
	 .run = org_import_run,
	 .args = "FILE.csv|xlsx [--dry-run]",
	 .summary = "load or update the tree from a file (a job run here; run again after a crash to resume)",
	 .flags = RUN_APP,
	 .npos = 1,
	 .extra = import_flags},
	{.name = "recount",
	 .run = org_recount_cmd,
	 .args = "",
	 .summary = "rebuild the subtree counts",
	 .flags = RUN_APP},
	{0},
};
/* clang-format on */
