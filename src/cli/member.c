/*
 * member.c (cli) - the member register from the terminal:
 *   kexie member import FILE --org CODE [--dry-run] [--json] [--mode valid-rows|all-or-nothing]
 *                       [--sheet NAME] [--ignore-unknown-columns]
 * The import is a job run here (domain/memberimport.h), the same as over HTTP; run the same
 * command again after a crash and it resumes. Exit 0 when the import ran (rejected rows
 * included, in valid-rows mode), 1 when it refused the file or (all-or-nothing) found bad
 * rows and wrote nothing, 2 for a file that cannot be read at all (or a usage error).
 */
#include "cli/cli.h"
#include "domain/member.h"
#include "domain/memberkeys.h"
#include "base/err.h"
#include "base/jsonw.h"
#include "base/timeutil.h"
#include "core/job.h"
#include "core/org.h"
#include "domain/memberimport.h"

#include <jansson.h>

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define EXIT_UNREADABLE 2

/* The report of a file that could not be read: the same one JSON object, nothing done. */
static void print_unreadable(const char *why)
{
	struct jsonw w;
	jsonw_init(&w);
	jsonw_object(&w, NULL);
	static const char *const keys[] = {"rows", "inserted", "updated", "unchanged", "rejected"};
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		jsonw_int(&w, keys[i], 0);
	jsonw_null(&w, "encoding");
	jsonw_array(&w, "errors");
	jsonw_object(&w, NULL);
	jsonw_int(&w, "row", 0);
	jsonw_str(&w, "column", "");
	jsonw_str(&w, "code", "unreadable");
	jsonw_str(&w, "message", why);
	jsonw_end(&w);
	jsonw_end(&w);
	jsonw_end(&w);
	if (!jsonw_result(&w))
		printf("%s\n", jsonw_text(&w, NULL));
	jsonw_release(&w);
}

struct inline_run {
	struct app *app;
	int64_t id;
	struct job_runner_opts o;
	int rc;
	volatile int done;
};

static void *run_thread(void *arg)
{
	struct inline_run *r = arg;
	r->rc = job_run_inline(r->app, &member_import_kind, r->id, &r->o);
	__atomic_store_n(&r->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* One line on stderr: [#####     ] 12000/20000 rows  3400 rows/s  ETA 2s */
static void progress(const struct job_info *ji, double secs)
{
	int64_t total = ji->rows_total, done = ji->rows_done;
	int width = 30, fill = total > 0 ? (int)(done * width / total) : 0;
	char bar[40];
	for (int i = 0; i < width; i++)
		bar[i] = i < fill ? '#' : ' ';
	bar[width] = '\0';
	double rate = secs > 0 ? (double)done / secs : 0;
	fprintf(stderr, "\r[%s] %" PRId64 "/%" PRId64 " rows  %.0f rows/s", bar, done, total, rate);
	if (rate > 0 && total > done)
		fprintf(stderr, "  ETA %.0fs ", (double)(total - done) / rate);
	else
		fprintf(stderr, "          ");
	fflush(stderr);
}

/* Runs job id here; with a bar on a terminal. Returns the run's outcome. */
static int run_job(struct app *app, const struct config *cfg, int64_t id, bool bar)
{
	struct inline_run r = {.app = app,
			       .id = id,
			       .o = {.pause_ms = cfg->job_pause_ms, .batch_rows = cfg->import_batch_rows}};
	if (!bar) {
		r.rc = job_run_inline(app, &member_import_kind, id, &r.o);
		return r.rc;
	}
	pthread_t t;
	if (pthread_create(&t, NULL, run_thread, &r)) {
		r.rc = job_run_inline(app, &member_import_kind, id, &r.o);
		return r.rc;
	}
	uint64_t t0 = time_mono_ns();
	while (!__atomic_load_n(&r.done, __ATOMIC_ACQUIRE)) {
		struct timespec ts = {0, 250 * 1000000L};
		nanosleep(&ts, NULL);
		struct job_info ji;
		if (!job_get(app, id, -1, &ji) && ji.rows_total > 0)
			progress(&ji, (double)(time_mono_ns() - t0) / 1e9);
	}
	pthread_join(t, NULL);
	struct job_info ji;
	if (!job_get(app, id, -1, &ji) && ji.rows_total > 0)
		progress(&ji, (double)(time_mono_ns() - t0) / 1e9);
	fputc('\n', stderr);
	return r.rc;
}

static void print_summary(const struct job_info *ji)
{
	json_t *res = ji->result[0] ? json_loads(ji->result, 0, NULL) : NULL;
	fprintf(stderr,
		"%s%" PRId64 " rows: %" PRId64 " inserted, %" PRId64 " updated, %" PRId64
		" unchanged, %" PRId64 " rejected (%s)\n",
		ji->dry_run ? "dry run, nothing written: " : "",
		(int64_t)json_integer_value(json_object_get(res, "rows")),
		(int64_t)json_integer_value(json_object_get(res, "inserted")),
		(int64_t)json_integer_value(json_object_get(res, "updated")),
		(int64_t)json_integer_value(json_object_get(res, "unchanged")),
		(int64_t)json_integer_value(json_object_get(res, "rejected")),
		json_string_value(json_object_get(res, "encoding"))
			? json_string_value(json_object_get(res, "encoding"))
			: "?");
	json_decref(res);
}

static int member_import_cmd(struct cmd_ctx *x)
{
	const char *path = x->argv[0], *code = cli_opt(x, "--org"), *mode = cli_opt(x, "--mode");
	bool json = cli_has(x, "--json"), dry = cli_has(x, "--dry-run");
	if (!code) {
		fprintf(stderr,
			"kexie member import: --org CODE is required (the organization that keeps them)\n");
		return EXIT_USAGE;
	}
	if (mode && strcmp(mode, "valid-rows") && strcmp(mode, "all-or-nothing")) {
		fprintf(stderr, "kexie member import: --mode is valid-rows or all-or-nothing\n");
		return EXIT_USAGE;
	}
	struct org o;
	if (org_get_by_code(x->app, code, NULL, &o)) {
		fprintf(stderr, "kexie member import: no organization with code %s\n", code);
		return 1;
	}
	struct member_import_opts mo = {.org_id = o.id,
					.all_or_nothing = mode && !strcmp(mode, "all-or-nothing"),
					.ignore_unknown = cli_has(x, "--ignore-unknown-columns"),
					.sheet = cli_opt(x, "--sheet")};
	/* a file that cannot be read at all is told apart before any job exists */
	char abs[4096], hash[65], why[256] = "";
	struct sheet s;
	if (!realpath(path, abs) || job_file_hash(abs, hash)) {
		snprintf(why, sizeof(why), "cannot open %s", path);
	} else if (sheet_read_named(abs, mo.sheet, &s, why, sizeof(why)) == 0) {
		sheet_free(&s);
		why[0] = '\0';
	}
	if (why[0]) {
		if (json)
			print_unreadable(why);
		fprintf(stderr, "kexie member import: %s\n", why);
		return EXIT_UNREADABLE;
	}
	char params[512];
	member_import_params(&mo, params, sizeof(params));
	int64_t id = 0;
	struct job_info ji;
	int rc = job_find_interrupted(x->app, member_import_kind.name, hash, &id);
	if (!rc && !job_get(x->app, id, -1, &ji) && ji.dry_run == dry && !strcmp(ji.params, params)) {
		fprintf(stderr,
			"kexie member import: resuming job %" PRId64 " (interrupted after %" PRId64
			" of %" PRId64 " rows)\n",
			id, ji.rows_done, ji.rows_total);
	} else {
		const char *base = strrchr(abs, '/');
		struct job_new n = {.kind = member_import_kind.name,
				    .origin = "cli",
				    .role = "system_admin",
				    .dry_run = dry,
				    .input_path = abs,
				    .input_name = base ? base + 1 : abs,
				    .input_hash = hash,
				    .params = params};
		rc = job_create(x->app, &n, &id);
		if (rc) {
			fprintf(stderr, "kexie member import: cannot start (%s)\n", err_name(rc));
			return 1;
		}
	}
	rc = run_job(x->app, x->cfg, id, !json && isatty(STDERR_FILENO));
	if (rc == ERR_CONFLICT) {
		fprintf(stderr,
			"kexie member import: job %" PRId64 " for this file is running in another process\n",
			id);
		return 1;
	}
	if (job_get(x->app, id, -1, &ji) || !strcmp(ji.state, "queued") || !strcmp(ji.state, "running")) {
		fprintf(stderr, "kexie member import: failed (%s); run it again to resume\n", err_name(rc));
		return 1;
	}
	bool refused = !strcmp(ji.state, "failed");
	if (json)
		cli_import_report(x->app, &ji, true, "member import");
	else if (!refused)
		print_summary(&ji);
	if (refused) {
		fprintf(stderr, "kexie member import: %s%s\n", ji.message,
			ji.rows_done ? "; the rows before the failure are kept" : "; nothing was written");
		if (!json) {
			/* the reasons, one a line */
			cli_import_report(x->app, &ji, true, "member import");
		}
		return 1;
	}
	json_t *res = json_loads(ji.result, 0, NULL);
	long rejected = (long)json_integer_value(json_object_get(res, "rejected"));
	json_decref(res);
	if (!json && rejected)
		fprintf(stderr, "kexie member import: %ld rows rejected (run with --json for every reason)\n",
			rejected);
	return mo.all_or_nothing && rejected ? 1 : 0;
}

static const char *const import_flags[] = {
	"--org=", "--dry-run", "--json", "--mode=", "--sheet=", "--ignore-unknown-columns", NULL};

/* clang-format off */
/* ---- kexie member rekey / lapse ---- */

static int rekey_progress(const struct pii_rekey_report *r, void *arg)
{
	(void)arg;
	fprintf(stderr, "\rre-encrypted %lld values (pass %d)", (long long)r->rows, r->passes + 1);
	return 0;
}

/* Re-encrypts every sealed ID number and mobile under a new key version while servers keep
 * running; --retire refuses the older versions afterwards. Run again after an interruption. */
static int member_rekey_cmd(struct cmd_ctx *x)
{
	static const struct audit_entry who = {.via = "cli", .role = "security_admin"};
	struct pii_rekey_report rep;
	memset(&rep, 0, sizeof(rep));
	int rc = member_rekey(x->app, &who, cli_has(x, "--retire"), isatty(2) ? rekey_progress : NULL, NULL, &rep);
	if (isatty(2))
		fputc('\n', stderr);
	printf("key version %u -> %u%s: %lld values re-encrypted in %lld batches, %s\n", rep.from, rep.to,
	       rep.resumed ? " (resumed)" : "", (long long)rep.rows, (long long)rep.batches,
	       rep.done ? "done" : "not finished: run it again");
	if (rc) {
		fprintf(stderr, "kexie member rekey: %s%s\n", err_name(rc),
			rc == ERR_FORGED ? " (values that cannot be opened remain; the rekey stays open)" : "");
		return 1;
	}
	return rep.done ? 0 : 1;
}

/* Marks active memberships whose paid term has ended as lapsed (for a nightly timer). */
static int member_lapse_cmd(struct cmd_ctx *x)
{
	static const struct audit_entry who = {.via = "cli", .role = "system_admin"};
	int n = 0;
	int rc = membership_lapse_due(x->app, &who, &n);
	if (rc) {
		fprintf(stderr, "kexie member lapse: %s\n", err_name(rc));
		return 1;
	}
	printf("%d membership%s lapsed\n", n, n == 1 ? "" : "s");
	return 0;
}

/* Builds the register's name index again (after the upgrade that indexes work units). */
static int member_reindex_cmd(struct cmd_ctx *x)
{
	int rc = member_reindex(x->app);
	if (rc) {
		fprintf(stderr, "kexie member reindex: %s\n", err_name(rc));
		return 1;
	}
	printf("the register's name index is built\n");
	return 0;
}

static const char *const rekey_flags[] = {"--retire", NULL};

const struct command member_commands[] = {
	{.name = "import",
	 .run = member_import_cmd,
	 .args = "FILE.csv|xlsx --org CODE [--dry-run] [--json] [--mode valid-rows|all-or-nothing] [--sheet NAME] [--ignore-unknown-columns]",
	 .summary = "load or update people (and memberships) from a spreadsheet (a job run here; run again after a crash to resume)",
	 .flags = RUN_APP,
	 .npos = 1,
	 .extra = import_flags},
	{.name = "rekey",
	 .run = member_rekey_cmd,
	 .args = "[--retire]",
	 .summary = "re-encrypt every ID number and mobile under a new key version, servers running (--retire: refuse the old ones after)",
	 .flags = RUN_APP,
	 .extra = rekey_flags},
	{.name = "reindex",
	 .run = member_reindex_cmd,
	 .args = "",
	 .summary = "build the register's name index again (names and work units; searches scan until it is built)",
	 .flags = RUN_APP},
	{.name = "lapse",
	 .run = member_lapse_cmd,
	 .args = "",
	 .summary = "mark active memberships whose paid term has ended as lapsed (run nightly)",
	 .flags = RUN_APP},
	{0},
};
/* clang-format on */
