/*
 * jobreport.c (cli) - the one JSON report every import prints (`kexie org import`,
 * `kexie member import`): the job's counts, the encoding when the kind reports one, then
 * every kept error in row order. Written with base/jsonw.h.
 */
#include "cli/cli.h"
#include "base/jsonw.h"
#include "core/job.h"

#include <jansson.h>

#include <stdio.h>

struct report_errors {
	struct jsonw *w;
	int64_t n;
};

static int add_error(long row, const char *col, const char *code, const char *message, void *arg)
{
	struct report_errors *e = arg;
	jsonw_object(e->w, NULL);
	jsonw_int(e->w, "row", row);
	jsonw_str(e->w, "column", col);
	jsonw_str(e->w, "code", code);
	jsonw_str(e->w, "message", message);
	jsonw_end(e->w);
	e->n++;
	return e->w->rc;
}

void cli_import_report(struct app *app, const struct job_info *ji, bool encoding, const char *cmd)
{
	json_t *res = ji->result[0] ? json_loads(ji->result, 0, NULL) : NULL;
	struct jsonw w;
	jsonw_init(&w);
	jsonw_object(&w, NULL);
	static const char *const keys[] = {"rows", "inserted", "updated", "unchanged", "rejected"};
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		json_t *v = json_object_get(res, keys[i]);
		jsonw_int(&w, keys[i], json_is_integer(v) ? json_integer_value(v) : 0);
	}
	if (encoding) {
		const char *e = json_string_value(json_object_get(res, "encoding"));
		jsonw_str(&w, "encoding", e ? e : "utf-8");
	}
	json_decref(res);
	struct report_errors e = {.w = &w};
	jsonw_array(&w, "errors");
	job_errors(app, ji->id, add_error, &e);
	jsonw_end(&w);
	if (ji->error_count > e.n)
		jsonw_int(&w, "errors_not_shown", ji->error_count - e.n);
	if (ji->dry_run)
		jsonw_bool(&w, "dry_run", true);
	jsonw_end(&w);
	if (!jsonw_result(&w))
		printf("%s\n", jsonw_text(&w, NULL));
	else
		fprintf(stderr, "kexie %s: the report could not be written\n", cmd);
	jsonw_release(&w);
}
