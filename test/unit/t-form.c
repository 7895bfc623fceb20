/* t-form.c - the forms mechanism's pure half (core/form.c): schemas checked when a template
 * is saved (errors naming the path), values checked against a schema (errors naming the
 * key, `key[row].col` in tables) and normalised, exact decimal sums, refused patterns, the
 * diff of two revisions and the deadline edges in Asia/Shanghai. Table-driven. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/codelist.h"
#include "core/form.h"

#define N(a) (sizeof(a) / sizeof(a[0]))

static json_t *parse(const char *text)
{
	json_error_t e;
	json_t *v = json_loads(text, JSON_REJECT_DUPLICATES, &e);
	if (!v)
		fail_msg("bad test JSON (%s): %s", e.text, text);
	return v;
}

/* The schema every value case runs against (checked first, like a saved template). */
static const char *const SCHEMA =
	"{\"fields\":["
	"{\"key\":\"title\",\"type\":\"text\",\"label\":{\"zh\":\"标题\"},\"required\":true,\"min\":2,\"max\":10},"
	"{\"key\":\"code\",\"type\":\"text\",\"label\":{\"zh\":\"编号\"},\"pattern\":\"[A-Z]{2}-[0-9]{1,4}\"},"
	"{\"key\":\"body\",\"type\":\"long_text\",\"label\":{\"zh\":\"正文\"},\"max\":20},"
	"{\"key\":\"count\",\"type\":\"integer\",\"label\":{\"zh\":\"次数\"},\"min\":0,\"max\":100},"
	"{\"key\":\"a\",\"type\":\"decimal\",\"label\":{\"zh\":\"甲\"},\"scale\":2,\"min\":\"0\",\"max\":\"1000\"},"
	"{\"key\":\"b\",\"type\":\"decimal\",\"label\":{\"zh\":\"乙\"},\"scale\":1},"
	"{\"key\":\"total\",\"type\":\"decimal\",\"label\":{\"zh\":\"合计\"},\"scale\":2,"
	"\"rule\":{\"sum\":[\"a\",\"b\",\"rows.n\"]}},"
	"{\"key\":\"day\",\"type\":\"date\",\"label\":{\"zh\":\"日期\"},\"min\":\"2026-01-01\",\"max\":\"2026-12-31\"},"
	"{\"key\":\"kind\",\"type\":\"choice\",\"label\":{\"zh\":\"类别\"},\"options\":["
	"{\"code\":\"x\",\"label\":{\"zh\":\"甲\",\"en\":\"X\"}},{\"code\":\"y\",\"label\":{\"zh\":\"乙\"}}]},"
	"{\"key\":\"tags\",\"type\":\"multi_choice\",\"label\":{\"zh\":\"标签\"},\"min\":2,\"max\":3,\"options\":["
	"{\"code\":\"p\",\"label\":{\"zh\":\"一\"}},{\"code\":\"q\",\"label\":{\"zh\":\"二\"}},"
	"{\"code\":\"r\",\"label\":{\"zh\":\"三\"}},{\"code\":\"s\",\"label\":{\"zh\":\"四\"}}]},"
	"{\"key\":\"rows\",\"type\":\"table\",\"label\":{\"zh\":\"明细\"},\"required\":true,\"min\":1,\"max\":3,\"columns\":["
	"{\"key\":\"name\",\"type\":\"text\",\"label\":{\"zh\":\"名称\"},\"required\":true},"
	"{\"key\":\"n\",\"type\":\"decimal\",\"label\":{\"zh\":\"数量\"},\"scale\":2,\"min\":\"0\"}]},"
	"{\"key\":\"photo\",\"type\":\"file\",\"label\":{\"zh\":\"照片\"}},"
	"{\"key\":\"unit\",\"type\":\"org\",\"label\":{\"zh\":\"单位\"}}"
	"]}";

/* The minimal complete values; each case merges its own members over these. */
static const char *const BASE = "{\"title\":\"月报\",\"tags\":[\"p\",\"q\"],\"rows\":[{\"name\":\"一\"}]}";

static int org_hook(void *arg, int64_t id)
{
	(void)arg;
	return id == 7 ? 0 : ERR_NOTFOUND; /* only org 7 is in the submitter's scope */
}

static const struct {
	const char *values; /* merged over BASE; "null" members remove */
	bool draft;
	const char *field, *code; /* NULL: accepted */
	const char *expect;       /* accepted: a substring of the normalised values */
} value_cases[] = {
	{"{}", false, NULL, NULL, "\"title\":\"月报\""},
	/* required, and drafts that need not be complete yet */
	{"{\"title\":null}", false, "title", "required", NULL},
	{"{\"title\":\"\"}", false, "title", "required", NULL},
	{"{\"title\":null,\"tags\":null,\"rows\":null}", true, NULL, NULL, "{}"},
	/* text: lengths in code points, one line, pattern anchored to the whole value */
	{"{\"title\":\"𠮷\"}", false, "title", "too_short", NULL},
	{"{\"title\":\"𠮷𪚥\"}", false, NULL, NULL, "𠮷𪚥"},
	{"{\"title\":\"12345678901\"}", false, "title", "too_long", NULL},
	{"{\"title\":\"a\\nb\"}", false, "title", "one_line", NULL},
	{"{\"title\":5}", false, "title", "not_string", NULL},
	{"{\"code\":\"AB-12\"}", false, NULL, NULL, "\"code\":\"AB-12\""},
	{"{\"code\":\"xAB-12\"}", false, "code", "pattern_mismatch", NULL},
	{"{\"code\":\"AB-12345\"}", false, "code", "pattern_mismatch", NULL},
	{"{\"body\":\"第一行\\n第二行\"}", false, NULL, NULL, "第一行\\n第二行"},
	{"{\"body\":\"123456789012345678901\"}", false, "body", "too_long", NULL},
	/* integer */
	{"{\"count\":100}", false, NULL, NULL, "\"count\":100"},
	{"{\"count\":\"42\"}", false, NULL, NULL, "\"count\":42"},
	{"{\"count\":101}", false, "count", "out_of_range", NULL},
	{"{\"count\":-1}", false, "count", "out_of_range", NULL},
	{"{\"count\":1.5}", false, "count", "not_integer", NULL},
	{"{\"count\":\"12a\"}", false, "count", "not_integer", NULL},
	/* decimal: strings kept exact, the scale enforced and padded */
	{"{\"a\":\"12.3\"}", false, NULL, NULL, "\"a\":\"12.30\""},
	{"{\"a\":7}", false, NULL, NULL, "\"a\":\"7.00\""},
	{"{\"a\":0.1}", false, NULL, NULL, "\"a\":\"0.10\""},
	{"{\"a\":\"12.345\"}", false, "a", "too_many_decimals", NULL},
	{"{\"a\":\"1000.01\"}", false, "a", "out_of_range", NULL},
	{"{\"a\":\"-0.01\"}", false, "a", "out_of_range", NULL},
	{"{\"a\":\"1e3\"}", false, "a", "not_decimal", NULL},
	{"{\"a\":\"1.\"}", false, "a", "not_decimal", NULL},
	{"{\"a\":\"abc\"}", false, "a", "not_decimal", NULL},
	/* the sum rule, exact: 0.1 + 0.2 = 0.3, a table column summed over its rows */
	{"{\"a\":\"0.1\",\"b\":\"0.2\",\"total\":\"0.3\"}", false, NULL, NULL, "\"total\":\"0.30\""},
	{"{\"a\":0.1,\"b\":0.2,\"total\":0.3}", false, NULL, NULL, "\"total\":\"0.30\""},
	{"{\"a\":\"0.1\",\"b\":\"0.2\",\"total\":\"0.31\"}", false, "total", "sum_mismatch", NULL},
	{"{\"a\":\"1.25\",\"rows\":[{\"name\":\"x\",\"n\":\"0.05\"},{\"name\":\"y\",\"n\":\"2.7\"}],\"total\":\"4\"}",
	 false, NULL, NULL, "\"total\":\"4.00\""},
	{"{\"a\":\"1\",\"total\":\"3\"}", true, NULL, NULL, "\"total\":\"3.00\""}, /* a draft: not yet */
	/* dates through the one date normaliser, with bounds */
	{"{\"day\":\"2026年3月7日\"}", false, NULL, NULL, "\"day\":\"2026-03-07\""},
	{"{\"day\":\"2026/3/7\"}", false, NULL, NULL, "\"day\":\"2026-03-07\""},
	{"{\"day\":\"2026-02-30\"}", false, "day", "date_invalid", NULL},
	{"{\"day\":\"03/07/2026\"}", false, "day", "date_ambiguous", NULL},
	{"{\"day\":\"2025-12-31\"}", false, "day", "out_of_range", NULL},
	/* choices */
	{"{\"kind\":\"y\"}", false, NULL, NULL, "\"kind\":\"y\""},
	{"{\"kind\":\"z\"}", false, "kind", "not_allowed", NULL},
	{"{\"tags\":[\"p\",\"q\"]}", false, NULL, NULL, "[\"p\",\"q\"]"},
	{"{\"tags\":[\"p\",\"q\",\"r\",\"s\"]}", false, "tags", "too_many", NULL},
	{"{\"tags\":[\"p\"]}", false, "tags", "too_few", NULL},
	{"{\"tags\":[\"p\"]}", true, NULL, NULL, "[\"p\"]"},
	{"{\"tags\":[\"p\",\"p\"]}", false, "tags", "duplicate", NULL},
	{"{\"tags\":[]}", false, NULL, NULL,
	 "\"rows\""}, /* not required: min counts only once some are chosen */
	{"{\"tags\":\"p\"}", false, "tags", "not_array", NULL},
	/* repeating tables: errors name key[row].col; blank rows dropped; min/max rows */
	{"{\"rows\":[{\"name\":\"一\"},{\"n\":\"1\"}]}", false, "rows[1].name", "required", NULL},
	{"{\"rows\":[{\"name\":\"一\",\"n\":\"-1\"}]}", false, "rows[0].n", "out_of_range", NULL},
	{"{\"rows\":[{\"name\":\"一\",\"zz\":1}]}", false, "rows[0].zz", "unknown_field", NULL},
	{"{\"rows\":[{\"name\":\"一\"},{},{\"name\":\"\"}]}", false, NULL, NULL,
	 "\"rows\":[{\"name\":\"一\"}]"},
	{"{\"rows\":[{\"name\":\"1\"},{\"name\":\"2\"},{\"name\":\"3\"},{\"name\":\"4\"}]}", false, "rows",
	 "too_many", NULL},
	{"{\"rows\":[]}", false, "rows", "required", NULL},
	{"{\"rows\":[5]}", false, "rows[0]", "not_object", NULL},
	/* file ids (shape only until stored files land) and org pickers within scope */
	{"{\"photo\":12}", false, NULL, NULL, "\"photo\":12"},
	{"{\"photo\":\"12\"}", false, "photo", "not_integer", NULL},
	{"{\"photo\":0}", false, "photo", "not_integer", NULL},
	{"{\"unit\":7}", false, NULL, NULL, "\"unit\":7"},
	{"{\"unit\":8}", false, "unit", "org_outside_scope", NULL},
	/* keys the form does not have */
	{"{\"nope\":1}", false, "nope", "unknown_field", NULL},
	{"{\"rows.n\":1}", false, "rows.n", "unknown_field", NULL},
};

static char *checked_schema(const char *text)
{
	struct errlist e;
	errlist_init(&e);
	json_t *s = parse(text);
	char *out = NULL;
	int rc = form_schema_check(s, &e, &out);
	json_decref(s);
	if (rc)
		fail_msg("schema refused: %s %s", e.n ? e.e[0].field : "", e.n ? e.e[0].code : "");
	return out;
}

static void t_values(void **state)
{
	(void)state;
	char *schema = checked_schema(SCHEMA);
	struct form_hooks h = {.org_ok = org_hook};
	for (size_t i = 0; i < N(value_cases); i++) {
		json_t *v = parse(BASE), *over = parse(value_cases[i].values);
		const char *k;
		json_t *m;
		json_object_foreach(over, k, m)
		{
			if (json_is_null(m))
				json_object_del(v, k);
			else
				json_object_set(v, k, m);
		}
		struct errlist e;
		errlist_init(&e);
		char *out = NULL;
		int rc = form_values_check(schema, v, &h, value_cases[i].draft, &e, &out);
		if (!value_cases[i].code) {
			if (rc || !out || !strstr(out, value_cases[i].expect))
				fail_msg("case %zu %s: want accepted with %s, got rc %d (%s %s) %s", i,
					 value_cases[i].values, value_cases[i].expect, rc,
					 e.n ? e.e[0].field : "", e.n ? e.e[0].code : "", out ? out : "");
		} else {
			if (rc != ERR_UNPROCESSABLE || e.n < 1 ||
			    strcmp(e.e[0].field, value_cases[i].field) ||
			    strcmp(e.e[0].code, value_cases[i].code))
				fail_msg("case %zu %s: want %s on %s, got rc %d, %d errors, %s on %s", i,
					 value_cases[i].values, value_cases[i].code, value_cases[i].field, rc,
					 e.n, e.n ? e.e[0].code : "-", e.n ? e.e[0].field : "-");
			if (!codeset_has(&codelist_error, value_cases[i].code))
				fail_msg("code %s is not in codelist_error", value_cases[i].code);
			assert_null(out);
		}
		free(out);
		json_decref(v);
		json_decref(over);
	}
	free(schema);
}

/* A sum that does not match says what it should be, exactly. */
static void t_sum_expected(void **state)
{
	(void)state;
	char *schema = checked_schema(SCHEMA);
	json_t *v = parse(
		"{\"title\":\"月报\",\"tags\":[\"p\",\"q\"],\"rows\":[{\"name\":\"一\",\"n\":\"0.70\"}],"
		"\"a\":\"0.1\",\"b\":\"0.2\",\"total\":\"2\"}");
	struct errlist e;
	errlist_init(&e);
	char *out = NULL;
	assert_int_equal(form_values_check(schema, v, NULL, false, &e, &out), ERR_UNPROCESSABLE);
	assert_string_equal(e.e[0].field, "total");
	assert_string_equal(e.e[0].params[0].key, "expected");
	assert_string_equal(e.e[0].params[0].text, "1.00");
	assert_string_equal(e.e[0].params[1].text, "a,b,rows.n");
	json_decref(v);
	free(schema);
}

#define F(body) "{\"fields\":[" body "]}"
#define TXT(k)  "{\"key\":\"" k "\",\"type\":\"text\",\"label\":{\"zh\":\"字\"}}"
#define NUMF(k) "{\"key\":\"" k "\",\"type\":\"integer\",\"label\":{\"zh\":\"数\"}}"

static const struct {
	const char *schema;
	const char *field, *code; /* NULL: accepted */
} schema_cases[] = {
	{F(TXT("a")), NULL, NULL},
	{"{\"fields\":[]}", "fields", "out_of_range"},
	{"{\"items\":[]}", "fields", "required"},
	{F(TXT("a") "," TXT("a")), "fields[1].key", "duplicate_key"},
	{F("{\"key\":\"A1\",\"type\":\"text\",\"label\":{\"zh\":\"x\"}}"), "fields[0].key", "bad_key"},
	{F("{\"key\":\"a\",\"type\":\"rich\",\"label\":{\"zh\":\"x\"}}"), "fields[0].type", "unknown_type"},
	{F("{\"key\":\"a\",\"type\":\"text\"}"), "fields[0].label", "required"},
	{F("{\"key\":\"a\",\"type\":\"text\",\"label\":{\"en\":\"x\"}}"), "fields[0].label.zh", "required"},
	{F("{\"key\":\"a\",\"type\":\"text\",\"label\":{\"zh\":\"x\"},\"colour\":1}"), "fields[0].colour",
	 "unknown_member"},
	{F("{\"key\":\"a\",\"type\":\"choice\",\"label\":{\"zh\":\"x\"},\"min\":1,\"options\":[{\"code\":\"a\","
	   "\"label\":{\"zh\":\"甲\"}}]}"),
	 "fields[0].min", "unknown_member"},
	{F("{\"key\":\"a\",\"type\":\"integer\",\"label\":{\"zh\":\"x\"},\"min\":5,\"max\":1}"),
	 "fields[0].min", "min_above_max"},
	{F("{\"key\":\"a\",\"type\":\"decimal\",\"label\":{\"zh\":\"x\"},\"scale\":7}"), "fields[0].scale",
	 "out_of_range"},
	{F("{\"key\":\"a\",\"type\":\"decimal\",\"label\":{\"zh\":\"x\"},\"min\":\"x\"}"), "fields[0].min",
	 "not_decimal"},
	{F("{\"key\":\"a\",\"type\":\"date\",\"label\":{\"zh\":\"x\"},\"min\":\"2026-02-30\"}"),
	 "fields[0].min", "invalid_date"},
	{F("{\"key\":\"a\",\"type\":\"choice\",\"label\":{\"zh\":\"x\"},\"options\":[]}"),
	 "fields[0].options", "bad_options"},
	{F("{\"key\":\"a\",\"type\":\"choice\",\"label\":{\"zh\":\"x\"},\"options\":[{\"code\":\"a\",\"label\":{"
	   "\"zh\":\"甲\"}},{\"code\":\"a\",\"label\":{\"zh\":\"乙\"}}]}"),
	 "fields[0].options[1].code", "duplicate_option"},
	{F("{\"key\":\"a\",\"type\":\"choice\",\"label\":{\"zh\":\"x\"},\"options\":[{\"code\":\"a b\",\"label\":{"
	   "\"zh\":\"甲\"}}]}"),
	 "fields[0].options[0].code", "invalid_code"},
	{F("{\"key\":\"t\",\"type\":\"table\",\"label\":{\"zh\":\"x\"},\"columns\":[{\"key\":\"u\",\"type\":\"table\","
	   "\"label\":{\"zh\":\"y\"}}]}"),
	 "fields[0].columns[0].type", "not_allowed"},
	{F("{\"key\":\"t\",\"type\":\"table\",\"label\":{\"zh\":\"x\"},\"columns\":[" TXT("u") "," TXT(
		 "u") "]}"),
	 "fields[0].columns[1].key", "duplicate_key"},
	{F("{\"key\":\"t\",\"type\":\"table\",\"label\":{\"zh\":\"x\"}}"), "fields[0].columns",
	 "bad_columns"},
	/* patterns: a safe one, a malformed one, and pathological ones refused before any match */
	{F("{\"key\":\"a\",\"type\":\"text\",\"label\":{\"zh\":\"x\"},\"pattern\":\"[0-9]{6}\"}"), NULL,
	 NULL},
	{F("{\"key\":\"a\",\"type\":\"text\",\"label\":{\"zh\":\"x\"},\"pattern\":\"[0-9\"}"),
	 "fields[0].pattern", "pattern_unsafe"},
	{F("{\"key\":\"a\",\"type\":\"text\",\"label\":{\"zh\":\"x\"},\"pattern\":\"a{2,1}\"}"),
	 "fields[0].pattern", "bad_pattern"},
	{F("{\"key\":\"a\",\"type\":\"text\",\"label\":{\"zh\":\"x\"},\"pattern\":\"(a+)+$\"}"),
	 "fields[0].pattern", "pattern_unsafe"},
	{F("{\"key\":\"a\",\"type\":\"text\",\"label\":{\"zh\":\"x\"},\"pattern\":\"((a*)b)*\"}"),
	 "fields[0].pattern", "pattern_unsafe"},
	{F("{\"key\":\"a\",\"type\":\"text\",\"label\":{\"zh\":\"x\"},\"pattern\":\"(a)\\\\1\"}"),
	 "fields[0].pattern", "pattern_unsafe"},
	{F("{\"key\":\"a\",\"type\":\"text\",\"label\":{\"zh\":\"x\"},\"pattern\":\"((a{1,100}){1,100}){1,100}\"}"),
	 "fields[0].pattern", "pattern_unsafe"},
	{F("{\"key\":\"a\",\"type\":\"text\",\"label\":{\"zh\":\"x\"},\"pattern\":\"a{1000}\"}"),
	 "fields[0].pattern", "pattern_unsafe"},
	/* sum rules */
	{F(NUMF("a") "," NUMF(
		 "b") ",{\"key\":\"t\",\"type\":\"integer\",\"label\":{\"zh\":\"x\"},\"rule\":{\"sum\":["
		      "\"a\",\"b\"]}}"),
	 NULL, NULL},
	{F(NUMF("a") ",{\"key\":\"t\",\"type\":\"integer\",\"label\":{\"zh\":\"x\"},\"rule\":{\"sum\":[\"a\",\"zz\"]}}"),
	 "fields[1].rule.sum[1]", "unknown_reference"},
	{F(NUMF("a") ",{\"key\":\"t\",\"type\":\"integer\",\"label\":{\"zh\":\"x\"},\"rule\":{\"sum\":[\"t\"]}}"),
	 "fields[1].rule.sum[0]", "self_reference"},
	{F(TXT("a") ",{\"key\":\"t\",\"type\":\"integer\",\"label\":{\"zh\":\"x\"},\"rule\":{\"sum\":[\"a\"]}}"),
	 "fields[1].rule.sum[0]", "not_numeric"},
	{F("{\"key\":\"a\",\"type\":\"decimal\",\"label\":{\"zh\":\"x\"}},{\"key\":\"t\",\"type\":\"integer\","
	   "\"label\":{\"zh\":\"x\"},\"rule\":{\"sum\":[\"a\"]}}"),
	 "fields[1].rule.sum[0]", "scale_mismatch"},
	{F(TXT("a") ",{\"key\":\"t\",\"type\":\"text\",\"label\":{\"zh\":\"x\"},\"rule\":{\"sum\":[\"a\"]}}"),
	 "fields[1].rule", "unknown_member"},
	{F(NUMF("a") ",{\"key\":\"t\",\"type\":\"integer\",\"label\":{\"zh\":\"x\"},\"rule\":{\"max\":[\"a\"]}}"),
	 "fields[1].rule.sum", "bad_rule"},
};

static void t_schemas(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(schema_cases); i++) {
		json_t *s = parse(schema_cases[i].schema);
		struct errlist e;
		errlist_init(&e);
		char *out = NULL;
		int rc = form_schema_check(s, &e, &out);
		if (!schema_cases[i].code) {
			if (rc || !out)
				fail_msg("schema case %zu: want accepted, got %s on %s", i,
					 e.n ? e.e[0].code : "-", e.n ? e.e[0].field : "-");
		} else if (rc != ERR_UNPROCESSABLE || !e.n || strcmp(e.e[0].field, schema_cases[i].field) ||
			   strcmp(e.e[0].code, schema_cases[i].code)) {
			fail_msg("schema case %zu: want %s on %s, got rc %d %s on %s", i,
				 schema_cases[i].code, schema_cases[i].field, rc, e.n ? e.e[0].code : "-",
				 e.n ? e.e[0].field : "-");
		} else if (!codeset_has(&codelist_error, schema_cases[i].code)) {
			fail_msg("code %s is not in codelist_error", schema_cases[i].code);
		}
		free(out);
		json_decref(s);
	}
}

/* The canonical schema is itself a valid schema that canonicalises to the same text. */
static void t_canonical(void **state)
{
	(void)state;
	char *once = checked_schema(SCHEMA);
	char *twice = checked_schema(once);
	assert_string_equal(once, twice);
	assert_non_null(strstr(once, "\"min\":\"0.000000\""));
	free(once);
	free(twice);
}

/* A refused pattern is refused quickly; an accepted one matches long input quickly. */
static void t_pattern_speed(void **state)
{
	(void)state;
	char *schema = checked_schema(
		F("{\"key\":\"a\",\"type\":\"long_text\",\"label\":{\"zh\":\"x\"},\"max\":10000,"
		  "\"pattern\":\"(a|aa)*b\"}"));
	char big[10001];
	memset(big, 'a', 10000);
	big[10000] = '\0';
	json_t *v = json_pack("{ss}", "a", big);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	struct errlist e;
	errlist_init(&e);
	char *out = NULL;
	assert_int_equal(form_values_check(schema, v, NULL, false, &e, &out), ERR_UNPROCESSABLE);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_string_equal(e.e[0].code, "pattern_mismatch");
	double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	if (ms > 2000)
		fail_msg("matching 10,000 characters took %.0f ms", ms);
	json_decref(v);
	free(schema);
}

static void t_diff(void **state)
{
	(void)state;
	char *schema = checked_schema(SCHEMA);
	struct jsonw w;
	jsonw_init(&w);
	assert_int_equal(form_values_diff(schema, "{\"title\":\"一\",\"count\":3,\"kind\":\"x\"}",
					  "{\"title\":\"二\",\"count\":3,\"a\":\"1.00\"}", &w, NULL),
			 0);
	assert_int_equal(jsonw_result(&w), 0);
	json_t *d = parse(jsonw_text(&w, NULL));
	assert_int_equal(json_array_size(d), 3); /* title changed, a added, kind removed; count the same */
	assert_string_equal(json_string_value(json_object_get(json_array_get(d, 0), "key")), "title");
	assert_string_equal(json_string_value(json_object_get(json_array_get(d, 0), "after")), "二");
	assert_string_equal(json_string_value(json_object_get(json_array_get(d, 1), "key")), "a");
	assert_true(json_is_null(json_object_get(json_array_get(d, 1), "before")));
	assert_string_equal(json_string_value(json_object_get(json_array_get(d, 2), "key")), "kind");
	assert_true(json_is_null(json_object_get(json_array_get(d, 2), "after")));
	json_decref(d);
	jsonw_release(&w);
	free(schema);
}

/* 2026-06-15 00:00:00.000 Asia/Shanghai = 2026-06-14T16:00:00Z. */
#define JUNE15_LOCAL_MIDNIGHT_MS INT64_C(1781452800000)

static const struct {
	const char *deadline;
	int64_t at_ms;
	int late; /* -1: the deadline is refused */
} deadline_cases[] = {
	{"2026-06-15", JUNE15_LOCAL_MIDNIGHT_MS + 86400000 - 1, 0}, /* 23:59:59.999 on the 15th, Beijing */
	{"2026-06-15", JUNE15_LOCAL_MIDNIGHT_MS + 86400000, 1},     /* 00:00:00.000 on the 16th */
	{"2026-06-15", JUNE15_LOCAL_MIDNIGHT_MS, 0},
	{"2026-06-15", JUNE15_LOCAL_MIDNIGHT_MS + 86400000 - 8 * 3600000, 0}, /* 16:00 UTC on the 15th... */
	{"2026-06-15T17:00", JUNE15_LOCAL_MIDNIGHT_MS + 17 * 3600000, 0},
	{"2026-06-15T17:00", JUNE15_LOCAL_MIDNIGHT_MS + 17 * 3600000 + 1, 1},
	{"2026-06-15T17:00:00.500", JUNE15_LOCAL_MIDNIGHT_MS + 17 * 3600000 + 500, 0},
	{"2026-06-15T17:00:00.500", JUNE15_LOCAL_MIDNIGHT_MS + 17 * 3600000 + 501, 1},
	{"2026-12-31", INT64_C(1798732799999),
	 0}, /* 2026-12-31T15:59:59.999Z, the year's last instant in Beijing */
	{"2026-12-31", INT64_C(1798732800000), 1},
	{"2026-02-29", 0, -1},
	{"2026-06-15T24:00", 0, -1},
	{"2026-06-15 17:00", 0, -1},
	{"2026-6-15", 0, -1},
	{"", 0, -1},
};

static void t_deadlines(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(deadline_cases); i++) {
		bool late = false;
		int rc = form_deadline_late(deadline_cases[i].at_ms, deadline_cases[i].deadline, &late);
		if (deadline_cases[i].late < 0) {
			assert_int_equal(rc, ERR_INVALID);
			assert_false(form_deadline_valid(deadline_cases[i].deadline));
			continue;
		}
		if (rc || late != (deadline_cases[i].late == 1))
			fail_msg("deadline case %zu (%s at %lld): want %s", i, deadline_cases[i].deadline,
				 (long long)deadline_cases[i].at_ms,
				 deadline_cases[i].late ? "late" : "on time");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_values),    cmocka_unit_test(t_sum_expected),  cmocka_unit_test(t_schemas),
		cmocka_unit_test(t_canonical), cmocka_unit_test(t_pattern_speed), cmocka_unit_test(t_diff),
		cmocka_unit_test(t_deadlines),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
