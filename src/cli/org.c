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

static int add_error(long row, const char *col, const char *code, const char *message, void *arg)
{
	return json_array_append_new(arg, json_pack("{s:I,s:s,s:s,s:s}", "row", (json_int_t)row, "column", col,
						    "code", code, "message", message))
		       ? ERR_NOMEM
		       : 0;
}

/* The job's report as the import always printed it: counts, then the errors in row order. */
static void print_report(struct app *app, const struct job_info *ji)
{
	json_t *res = ji->result[0] ? json_loads(ji->result, 0, NULL) : NULL;
	json_t *out = json_object();
	static const char *const keys[] = {"rows", "inserted", "updated", "unchanged", "rejected"};
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		json_t *v = json_object_get(res, keys[i]);
		json_object_set_new(out, keys[i], json_integer(json_is_integer(v) ? json_integer_value(v) : 0));
	}
	json_decref(res);
	json_t *errs = json_array();
	job_errors(app, ji->id, add_error, errs);
	int64_t kept = (int64_t)json_array_size(errs);
	json_object_set_new(out, "errors", errs);
	if (ji->error_count > kept)
		json_object_set_new(out, "errors_not_shown", json_integer(ji->error_count - kept));
	if (ji->dry_run)
		json_object_set_new(out, "dry_run", json_true());
	char *text = json_dumps(out, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	if (text)
		printf("%s\n", text);
	free(text);
	json_decref(out);
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
		fprintf(stderr, "kexie org import: resuming job %" PRId64 " (interrupted after %" PRId64 " of %" PRId64 " rows)\n",
			id, ji.rows_done, ji.rows_total);
	} else {
		const char *base = strrchr(abs, '/');
		struct job_new n = {.kind = org_import_kind.name, .origin = "cli", .role = "system_admin",
				    .dry_run = dry, .input_path = abs, .input_name = base ? base + 1 : abs,
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
		fprintf(stderr, "kexie org import: job %" PRId64 " for this file is running in another process\n", id);
		return 1;
	}
	if (job_get(app, id, -1, &ji) || !strcmp(ji.state, "queued") || !strcmp(ji.state, "running")) {
		fprintf(stderr, "kexie org import: failed (%s); run it again to resume\n", err_name(rc));
		return 1;
	}
	bool refused = !strcmp(ji.state, "failed");
	if (!refused || ji.error_count > 0)
		print_report(app, &ji);
	if (refused)
		fprintf(stderr, "kexie org import: %s%s\n", ji.message,
			ji.rows_done ? "; the rows before the failure are kept" : "; nothing was written");
	json_t *res = json_loads(ji.result, 0, NULL);
	bool clean = !refused && !strcmp(ji.state, "succeeded") &&
		     json_integer_value(json_object_get(res, "rejected")) == 0;
	json_decref(res);
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
			rc = org_import_cmd(&app, &cfg, argv[2], nrest > 0);
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
