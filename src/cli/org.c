/*
 * org.c (cli) - the organization tree from the terminal:
 *   kexie org tree [--under CODE] [--as-of DATE] [--include-closed]   print a branch as of a date
 *   kexie org move CODE --to PARENT [--on DATE]                      dated move (cycles refused)
 *   kexie org close CODE [--on DATE] [--branch]                       close one org or a branch
 *   kexie org import FILE.csv|xlsx [--dry-run]                         load / update the tree
 *   kexie org recount                                                 rebuild the subtree counts
 * Writes are audited with via=cli. Refusals print the field errors and exit 1.
 */
#include "cli/cli.h"
#include "base/err.h"
#include "core/org.h"
#include "core/orgimport.h"

#include <jansson.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE 200

static int print_branch(struct app *a, const struct org *o, int depth, const char *as_of,
			bool closed, long *count)
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
		fprintf(stderr, "  %s%s%s: %s\n", e->e[i].field, e->e[i].field[0] ? " " : "",
			e->e[i].code, e->e[i].message);
}

static int org_write(struct app *app, const char *sub, const char *code, const char *to,
		     const char *on, bool branch)
{
	const struct audit_entry who = {.via = "cli", .role = "system_admin"};
	struct errlist e;
	errlist_init(&e);
	struct org o, p;
	int rc = org_get_by_code(app, code, on, &o);
	if (rc) {
		fprintf(stderr, "kexie org %s: no organization with code %s\n", sub, code);
		return 1;
	}
	if (!strcmp(sub, "move")) {
		if (org_get_by_code(app, to, on, &p)) {
			fprintf(stderr, "kexie org move: no organization with code %s\n", to);
			return 1;
		}
		rc = org_move(app, &who, o.id, p.id, on, 0, &e);
		if (!rc)
			printf("moved %s under %s from %s\n", o.code, p.code, on ? on : "today");
	} else {
		int closed = 0;
		rc = org_close(app, &who, o.id, on, branch, 0, &e, &closed);
		if (!rc)
			printf("closed %d organization%s\n", closed, closed == 1 ? "" : "s");
	}
	if (rc)
		print_errors(sub, rc, &e);
	return rc ? 1 : 0;
}

/* Prints the report as JSON on stdout; exit 0 when every row went in (or was unchanged),
 * 1 when rows were rejected or the file was refused. */
static int org_import_cmd(struct app *app, const char *path, bool dry)
{
	static const struct audit_entry who = {.via = "cli", .role = "system_admin"};
	struct sheet s;
	char why[256] = "";
	int rc = sheet_read(path, &s, why, sizeof(why));
	if (rc) {
		fprintf(stderr, "kexie org import: %s\n", why);
		return 1;
	}
	struct import_report rep;
	rc = org_import(app, &who, &s, dry, &rep);
	sheet_free(&s);
	if (rc && rc != ERR_UNPROCESSABLE) {
		fprintf(stderr, "kexie org import: failed (%s); nothing was written\n", err_name(rc));
		import_report_free(&rep);
		return 1;
	}
	json_t *errs = json_array();
	for (int i = 0; i < rep.nerrors; i++)
		json_array_append_new(errs, json_pack("{s:I,s:s,s:s,s:s}", "row", (json_int_t)rep.errors[i].row,
						      "column", rep.errors[i].column, "code", rep.errors[i].code,
						      "message", rep.errors[i].message));
	json_t *out = json_pack("{s:I,s:I,s:I,s:I,s:I,s:o}", "rows", (json_int_t)rep.rows, "inserted",
				(json_int_t)rep.inserted, "updated", (json_int_t)rep.updated, "unchanged",
				(json_int_t)rep.unchanged, "rejected", (json_int_t)rep.rejected, "errors", errs);
	if (rep.errors_dropped)
		json_object_set_new(out, "errors_not_shown", json_integer(rep.errors_dropped));
	if (dry)
		json_object_set_new(out, "dry_run", json_true());
	char *text = json_dumps(out, JSON_INDENT(1));
	if (text)
		printf("%s\n", text);
	free(text);
	json_decref(out);
	bool clean = !rc && rep.rejected == 0;
	import_report_free(&rep);
	if (rc)
		fprintf(stderr, "kexie org import: the file was refused (see errors); nothing was written\n");
	return clean ? 0 : 1;
}

int cmd_org(int argc, char **argv)
{
	const char *sub = argc >= 2 ? argv[1] : "";
	bool tree = !strcmp(sub, "tree");
	bool write = !strcmp(sub, "move") || !strcmp(sub, "close");
	bool import = !strcmp(sub, "import"), recount = !strcmp(sub, "recount");
	if (import || recount) {
		if (import && (argc < 3 || argv[2][0] == '-')) {
			usage("org");
			return EXIT_USAGE;
		}
		struct config cfg;
		char *rest[8];
		int nrest;
		static const char *const extra[] = {"--dry-run", NULL};
		int rc = config_load(&cfg, "org", argc - (import ? 2 : 1), argv + (import ? 2 : 1), rest, &nrest, extra);
		if (rc)
			return rc;
		struct app app;
		if (app_open_current(&app, &cfg, "org"))
			return 1;
		if (import) {
			rc = org_import_cmd(&app, argv[2], nrest > 0);
		} else {
			rc = org_tally_rebuild(&app);
			if (rc)
				fprintf(stderr, "kexie org recount: failed (%s)\n", err_name(rc));
			else
				printf("subtree counts rebuilt\n");
			rc = rc ? 1 : 0;
		}
		app_close(&app);
		return rc;
	}
	if (!tree && !write) {
		usage("org");
		return EXIT_USAGE;
	}
	const char *code = NULL;
	int skip = 1;
	if (write) {
		if (argc < 3 || argv[2][0] == '-') {
			usage("org");
			return EXIT_USAGE;
		}
		code = argv[2];
		skip = 2;
	}
	struct config cfg;
	char *rest[8];
	int nrest;
	static const char *const extra[] = {"--under=", "--as-of=", "--include-closed", "--to=",
					    "--on=", "--branch", NULL};
	int rc = config_load(&cfg, "org", argc - skip, argv + skip, rest, &nrest, extra);
	if (rc)
		return rc;
	const char *under = "CAST", *as_of = NULL, *to = NULL, *on = NULL;
	bool closed = false, branch = false;
	for (int i = 0; i < nrest; i++) {
		if (!strncmp(rest[i], "--under", 7) && i + 1 < nrest)
			under = rest[++i];
		else if (!strncmp(rest[i], "--as-of", 7) && i + 1 < nrest)
			as_of = rest[++i];
		else if (!strncmp(rest[i], "--to", 4) && i + 1 < nrest)
			to = rest[++i];
		else if (!strncmp(rest[i], "--on", 4) && i + 1 < nrest)
			on = rest[++i];
		else if (!strcmp(rest[i], "--include-closed"))
			closed = true;
		else if (!strcmp(rest[i], "--branch"))
			branch = true;
	}
	if (!strcmp(sub, "move") && !to) {
		fprintf(stderr, "kexie org move: --to PARENT is required\n");
		return EXIT_USAGE;
	}
	struct app app;
	if (app_open_current(&app, &cfg, "org"))
		return 1;
	if (write) {
		rc = org_write(&app, sub, code, to, on, branch);
		app_close(&app);
		return rc;
	}
	struct org root;
	rc = org_get_by_code(&app, under, as_of, &root);
	long count = 0;
	if (rc == ERR_NOTFOUND)
		fprintf(stderr, "kexie org: no organization with code %s%s%s\n", under,
			as_of ? " on " : "", as_of ? as_of : "");
	else if (rc == ERR_INVALID)
		fprintf(stderr, "kexie org: --as-of must be a date YYYY-MM-DD\n");
	else if (!rc)
		rc = print_branch(&app, &root, 0, as_of, closed, &count);
	app_close(&app);
	return rc ? 1 : 0;
}
