/* t-importcols.c - what every import shares (core/importcols.h): cell cleaning, header
 * matching with aliases, the known-column list, batch sizing; and the member import's
 * options and encoding names (domain/memberimport.h). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "core/importcols.h"
#include "domain/memberimport.h"
#include "base/err.h"

static const struct {
	const char *in;
	bool ascii;
	const char *out;
} cleans[] = {
	{"  张三  ", false, "张三"},
	{"\xE3\x80\x80王五\xE3\x80\x80", false, "王五"}, /* ideographic spaces */
	{"\tx\t", false, "x"},
	{"１２３ＡＢ", true, "123AB"}, /* full-width ASCII, codes and dates */
	{"１２３", false, "１２３"},   /* left to the field's normaliser */
	{"'=1+1", false, "=1+1"},      /* what an export put before a formula */
	{"'abc", false, "'abc"},       /* a real apostrophe stays */
	{"", false, ""},
};

static void t_clean(void **st)
{
	(void)st;
	for (size_t i = 0; i < sizeof(cleans) / sizeof(cleans[0]); i++) {
		char b[64];
		snprintf(b, sizeof(b), "%s", cleans[i].in);
		import_clean(b, cleans[i].ascii);
		if (strcmp(b, cleans[i].out))
			fail_msg("clean %zu: got [%s] want [%s]", i, b, cleans[i].out);
	}
}

static const struct import_colspec cols[] = {
	{"name", "姓名", "name|姓名|名字"},
	{"id_number", "身份证号", "id_number|身份证号|公民身份号码|证件号码"},
	{"mobile", "手机号码", "mobile|手机|手机号码|联系电话"},
};

static void t_header(void **st)
{
	(void)st;
	static const struct {
		const char *h;
		int col;
	} h[] = {{"姓名", 0},  {"NAME", 0}, {"公民身份号码", 1}, {"证件号码", 1}, {"联系电话", 2},
		 {"备注", -1}, {"", -1},    {"手机号", -1}};
	for (size_t i = 0; i < sizeof(h) / sizeof(h[0]); i++)
		if (import_header_col(cols, 3, h[i].h) != h[i].col)
			fail_msg("header %s: got %d want %d", h[i].h, import_header_col(cols, 3, h[i].h),
				 h[i].col);
	char known[200];
	import_known(cols, 3, known, sizeof(known));
	assert_string_equal(known, "姓名 (name), 身份证号 (id_number), 手机号码 (mobile)");
	import_known(cols, 3, known, 12); /* cut, never overrun */
	assert_true(strlen(known) < 12);
}

static void t_batch(void **st)
{
	(void)st;
	assert_int_equal(import_next_batch(64, 4000, 5), 128);    /* fast: doubles */
	assert_int_equal(import_next_batch(2048, 4000, 5), 4000); /* up to the limit */
	assert_int_equal(import_next_batch(4000, 4000, 5), 4000);
	assert_int_equal(import_next_batch(512, 4000, 80), 256); /* slow: halves */
	assert_int_equal(import_next_batch(100, 4000, 80), 64);  /* down to the minimum */
	assert_int_equal(import_next_batch(64, 4000, 80), 64);
	assert_int_equal(import_next_batch(300, 4000, 30), 300); /* in between: stays */
	assert_int_equal(import_next_batch(64, 20, 1), 64);      /* a limit below the start */
}

static void t_params(void **st)
{
	(void)st;
	struct member_import_opts o = {.org_id = 42, .all_or_nothing = true, .sheet = "会员 名单"}, back;
	char text[512], sheet[320];
	member_import_params(&o, text, sizeof(text));
	assert_int_equal(member_import_parse(text, &back, sheet, sizeof(sheet)), 0);
	assert_true(back.org_id == 42 && back.all_or_nothing && !back.ignore_unknown);
	assert_string_equal(back.sheet, "会员 名单");
	o = (struct member_import_opts){.org_id = 7, .ignore_unknown = true};
	member_import_params(&o, text, sizeof(text));
	assert_int_equal(member_import_parse(text, &back, sheet, sizeof(sheet)), 0);
	assert_true(back.org_id == 7 && !back.all_or_nothing && back.ignore_unknown && back.sheet == NULL);
	assert_int_equal(member_import_parse("", &back, sheet, sizeof(sheet)), ERR_INVALID);
	assert_int_equal(
		member_import_parse("org=0 mode=all unknown=refuse sheet=", &back, sheet, sizeof(sheet)),
		ERR_INVALID);
	struct sheet s = {.encoding = "gb18030"};
	assert_string_equal(member_import_encoding(&s), "gbk");
	s.beyond_gbk = true;
	assert_string_equal(member_import_encoding(&s), "gb18030");
	s.encoding = "utf-8-bom";
	assert_string_equal(member_import_encoding(&s), "utf-8");
	s.encoding = "xlsx";
	assert_string_equal(member_import_encoding(&s), "utf-8");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_clean),
		cmocka_unit_test(t_header),
		cmocka_unit_test(t_batch),
		cmocka_unit_test(t_params),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
