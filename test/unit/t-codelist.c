/* t-codelist.c - the code lists (core/codelist.c) and their lookups (base/codeset.c), the
 * params of field errors (base/err.c) and Beijing time (base/timeutil.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "core/codelist.h"
#include "base/err.h"
#include "base/timeutil.h"
#include "http/internal.h"

#include <stdlib.h>

static void t_lists_are_well_formed(void **st)
{
	(void)st;
	size_t n;
	const struct codeset *const *all = codelist_all(&n);
	assert_true(n >= 7);
	for (size_t i = 0; i < n; i++) {
		const struct codeset *s = all[i];
		assert_true(s->n > 0);
		assert_ptr_equal(codelist_find(s->name), s);
		for (size_t k = 0; k < s->n; k++) {
			const struct code_item *it = &s->items[k];
			if (!*it->code || !*it->zh || !*it->en)
				fail_msg("%s[%zu]: empty code or label", s->name, k);
			if (strpbrk(it->zh, "{}@|") || strpbrk(it->en, "{}@|"))
				fail_msg("%s.%s: template syntax in a label", s->name, it->code);
			for (size_t j = k + 1; j < s->n; j++)
				if (!strcmp(it->code, s->items[j].code))
					fail_msg("%s: code %s twice", s->name, it->code);
			assert_int_equal(codeset_index(s, it->code), (int)k);
		}
	}
	assert_null(codelist_find("no_such_list"));
	assert_int_equal(codelist_org_level.n, CODELIST_ORG_LEVELS);
	assert_int_equal(codelist_role.n, CODELIST_ROLES);
	/* the name member is where the list starts: route rows rely on it (codeset_of) */
	assert_ptr_equal(codeset_of(codelist_org_type.name), &codelist_org_type);
}

static void t_lookups(void **st)
{
	(void)st;
	const struct codeset *lv = &codelist_org_level;
	assert_int_equal(codeset_index(lv, "national"), 0);
	assert_int_equal(codeset_index(lv, "grassroots"), 5);
	assert_int_equal(codeset_index(lv, "Grassroots"), -1); /* codes are exact */
	assert_int_equal(codeset_index(lv, ""), -1);
	assert_int_equal(codeset_index(lv, NULL), -1);
	assert_false(codeset_has(lv, "galactic"));
	assert_null(codeset_at(lv, 6));
	assert_string_equal(codeset_at(lv, 1)->code, "provincial");
	/* people's words: code (any case), Chinese label, English label, other words */
	assert_string_equal(codeset_match(lv, "PROVINCIAL")->code, "provincial");
	assert_string_equal(codeset_match(lv, "省级")->code, "provincial");
	assert_string_equal(codeset_match(lv, "Provincial")->code, "provincial");
	assert_string_equal(codeset_match(lv, "省")->code, "provincial");
	assert_string_equal(codeset_match(lv, "街道")->code, "township");
	assert_string_equal(codeset_match(&codelist_org_type, "企业")->code, "enterprise");
	assert_string_equal(codeset_match(&codelist_org_type, "学会")->code, "society");
	assert_null(codeset_match(lv, "银河级"));
	assert_null(codeset_match(lv, ""));
	/* labels; the code itself for a code the list does not know (an old record) */
	assert_string_equal(codeset_label(&codelist_role, "org_admin", true), "组织管理员");
	assert_string_equal(codeset_label(&codelist_role, "org_admin", false), "Organization administrator");
	assert_string_equal(codeset_label(&codelist_audit_action, "org.retired", true), "org.retired");
	assert_string_equal(codeset_label(&codelist_audit_action, NULL, true), "");
}

static void t_join(void **st)
{
	(void)st;
	char out[64];
	assert_string_equal(codeset_join(&codelist_org_level, '|', out, sizeof(out)),
			    "national|provincial|city|county|township|grassroots");
	/* cut at a code boundary, never inside one */
	assert_string_equal(codeset_join(&codelist_org_level, '|', out, 20), "national|provincial");
	assert_string_equal(codeset_join(&codelist_org_level, '|', out, 5), "");
}

static void t_refuse_names_the_list(void **st)
{
	(void)st;
	struct errlist l;
	errlist_init(&l);
	assert_int_equal(codelist_refuse(&l, "type", &codelist_org_type), ERR_UNPROCESSABLE);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.e[0].code, "not_allowed");
	assert_int_equal(l.e[0].nparams, 1);
	assert_string_equal(l.e[0].params[0].key, "list");
	assert_string_equal(l.e[0].params[0].text, "org_type");
	assert_non_null(strstr(l.e[0].message, "association|society"));
}

static void t_error_params(void **st)
{
	(void)st;
	struct errlist l;
	errlist_init(&l);
	/* no error yet: nothing to attach to */
	assert_int_equal(errlist_param_int(&l, "max", 1), ERR_UNPROCESSABLE);
	assert_int_equal(l.n, 0);
	errlist_add(&l, "name", "too_long", "too long");
	errlist_param_int(&l, "max", 200);
	errlist_param_str(&l, "other_field", "short_name");
	assert_int_equal(l.e[0].nparams, 2);
	assert_true(l.e[0].params[0].is_num);
	assert_int_equal(l.e[0].params[0].num, 200);
	assert_false(l.e[0].params[1].is_num);
	assert_string_equal(l.e[0].params[1].text, "short_name");
	/* at most FIELDERR_PARAMS; text cut at a character boundary */
	for (int i = 0; i < 10; i++)
		errlist_param_int(&l, "k", i);
	assert_int_equal(l.e[0].nparams, FIELDERR_PARAMS);
	errlist_add(&l, "x", "y", "z");
	char longtext[200];
	memset(longtext, 0, sizeof(longtext));
	for (int i = 0; i < 40; i++)
		memcpy(longtext + 3 * i, "\xe5\x90\x8d", 3); /* 名 x 40 = 120 bytes */
	errlist_param_str(&l, "column", longtext);
	assert_int_equal(strlen(l.e[1].params[0].text), 63);
	assert_int_equal(l.e[1].nparams, 1);
	assert_int_equal(strlen(l.e[1].params[0].text) % 3, 0);
	/* a new error starts without params */
	errlist_add(&l, "a", "b", "c");
	assert_int_equal(l.e[2].nparams, 0);
	/* past the list's end the error is dropped, and so are its params */
	while (l.n < ERRLIST_MAX)
		errlist_add(&l, "f", "c", "m");
	int before = l.e[ERRLIST_MAX - 1].nparams;
	errlist_add(&l, "dropped", "c", "m");
	errlist_param_int(&l, "max", 9);
	assert_int_equal(l.e[ERRLIST_MAX - 1].nparams, before);
	assert_int_equal(l.dropped, 1);
}

/* The JSON error shape carries params; a file row's error names its row and column. */
static void t_error_writer_params(void **st)
{
	(void)st;
	struct req *r = calloc(1, sizeof(*r));
	assert_non_null(r);
	snprintf(r->rid, sizeof(r->rid), "t1");
	errlist_init(&r->errs);
	errlist_add(&r->errs, "name", "too_long", "at most 200 characters");
	errlist_param_int(&r->errs, "max", 200);
	errlist_add_row(&r->errs, 7, "层级", "not_allowed", "not a level");
	errlist_param_str(&r->errs, "list", "org_level");
	errlist_add(&r->errs, "q", "required", "must not be empty");
	assert_int_equal(resp_error(r, ERR_UNPROCESSABLE), 0);
	assert_int_equal(r->status, 422);
	json_error_t je;
	json_t *doc = json_loadb(r->out, r->out_len, 0, &je);
	assert_non_null(doc);
	json_t *d = json_object_get(json_object_get(doc, "error"), "details");
	assert_int_equal(json_array_size(d), 3);
	json_t *p0 = json_object_get(json_array_get(d, 0), "params");
	assert_int_equal(json_integer_value(json_object_get(p0, "max")), 200);
	json_t *d1 = json_array_get(d, 1);
	assert_int_equal(json_integer_value(json_object_get(d1, "row")), 7);
	json_t *p1 = json_object_get(d1, "params");
	assert_int_equal(json_integer_value(json_object_get(p1, "row")), 7);
	assert_string_equal(json_string_value(json_object_get(p1, "column")), "层级");
	assert_string_equal(json_string_value(json_object_get(p1, "list")), "org_level");
	assert_null(json_object_get(json_array_get(d, 2), "params")); /* none: no empty object */
	json_decref(doc);
	free(r->out);
	for (int i = 0; i < r->nhdr; i++) {
		free(r->hdr[i].name);
		free(r->hdr[i].value);
	}
	free(r);
}

static void t_beijing_time(void **st)
{
	(void)st;
	char out[32];
	assert_true(time_beijing("2026-11-23T09:41:35.123Z", out, sizeof(out)));
	assert_string_equal(out, "2026-11-23 17:41:35");
	assert_true(time_beijing("2026-12-31T16:00:00Z", out, sizeof(out))); /* next day, next year */
	assert_string_equal(out, "2027-01-01 00:00:00");
	assert_true(time_beijing("2024-02-28T20:30:00Z", out, sizeof(out))); /* leap day */
	assert_string_equal(out, "2024-02-29 04:30:00");
	assert_false(time_beijing("yesterday", out, sizeof(out)));
	assert_string_equal(out, "yesterday");
	assert_false(time_beijing("2026-11-23 09:41:35", out, sizeof(out)));
	assert_false(time_beijing("2026-13-23T09:41:35Z", out, sizeof(out)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_lists_are_well_formed),
		cmocka_unit_test(t_lookups),
		cmocka_unit_test(t_join),
		cmocka_unit_test(t_refuse_names_the_list),
		cmocka_unit_test(t_error_params),
		cmocka_unit_test(t_error_writer_params),
		cmocka_unit_test(t_beijing_time),
	};
	return cmocka_run_group_tests_name("codelist", tests, NULL, NULL);
}
