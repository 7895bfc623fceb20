/* t-names.c - the name normaliser (issue 8 case 17, issue 11 defect 12): what people type
 * -> what is stored, or which field error they see. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/names.h"

#define OFF NAME_OFFICIAL
#define PER NAME_PERSON

static const struct {
	const char *in;
	unsigned flags;
	size_t min, max;
	const char *want; /* NULL: refused with err */
	const char *err;
} cases[] = {
	/* NFC, trimming and inner white space */
	{"中国科协", OFF, 1, 200, "中国科协", NULL},
	{"  中国科协\t", OFF, 1, 200, "中国科协", NULL},
	{"\u3000中国科协\u3000", OFF, 1, 200, "中国科协", NULL},   /* ideographic space */
	{"中国\u3000\u3000 科协", OFF, 1, 200, "中国 科协", NULL}, /* a run is one space */
	{"A\u00a0B\nC\xc2\x85"
	 "D",
	 OFF, 1, 200, "A B C D", NULL},                 /* NBSP, LF, NEL */
	{"Cafe\u0301", OFF, 1, 200, "Caf\u00e9", NULL}, /* NFC */
	{"\u212b", OFF, 1, 200, "\u00c5", NULL},        /* angstrom sign -> Å */
	{"𠮷野家", OFF, 1, 200, "𠮷野家", NULL},        /* beyond the BMP */
	{"\u182e\u1823\u1829\u202f\u1824", OFF, 1, 200, "\u182e\u1823\u1829\u202f\u1824",
	 NULL},                                              /* Mongolian NNBSP kept */
	{"\u202f\u1824\u202f", OFF, 1, 200, "\u1824", NULL}, /* ...but trimmed at the ends */
	{"\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645", OFF, 1, 200,
	 "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645", NULL}, /* Persian ZWNJ inside */
	{"\u200c\u0645", OFF, 1, 200, NULL, "name_control"},        /* ZWNJ at the edge */
	{"北京市科协（筹）-2024·第1分会", OFF, 1, 200, "北京市科协（筹）-2024·第1分会", NULL},
	{"\ue000会", OFF, 1, 200, "\ue000会", NULL},         /* private use (old GB18030) */
	{"葛\U000e0100", OFF, 1, 200, "葛\U000e0100", NULL}, /* ideographic variation selector */
	/* no visible character */
	{"\u200b", OFF, 1, 200, NULL, "name_invisible"},
	{"\u200b\u200b  \u200b", OFF, 1, 200, NULL, "name_invisible"},
	{"   ", OFF, 1, 200, NULL, "name_invisible"},
	{"\u3000", OFF, 1, 200, NULL, "name_invisible"},
	{"\ufeff", OFF, 1, 200, NULL, "name_invisible"},
	{"\xc2\x85", OFF, 1, 200, NULL, "name_invisible"},
	{"\u0301\u0301", OFF, 1, 200, NULL, "name_invisible"}, /* marks without a base */
	{"\u202e", OFF, 1, 200, NULL, "name_invisible"},
	{"", OFF, 1, 200, NULL, "required"},
	{"", OFF, 0, 64, "", NULL}, /* an optional field */
	{"  ", OFF, 0, 64, "", NULL},
	{"\u200b", OFF, 0, 64, NULL, "name_invisible"},
	/* bidirectional controls */
	{"\u202egnp.exe", OFF, 1, 200, NULL, "name_bidi"},
	{"科协\u202a", OFF, 1, 200, NULL, "name_bidi"},
	{"a\u2066b\u2069", OFF, 1, 200, NULL, "name_bidi"},
	{"a\u200eb", OFF, 1, 200, NULL, "name_bidi"},
	{"a\u200fb", OFF, 1, 200, NULL, "name_bidi"},
	{"a\u061cb", OFF, 1, 200, NULL, "name_bidi"},
	{"\u202egnp.exe", 0, 1, 200, NULL, "name_bidi"}, /* for every name */
	/* other control and format characters */
	{"中国\u200b科协", OFF, 1, 200, NULL, "name_control"},
	{"中国\ufeff科协", OFF, 1, 200, NULL, "name_control"},
	{"soft\u00adhyphen", OFF, 1, 200, NULL, "name_control"},
	{"a\u2060b", OFF, 1, 200, NULL, "name_control"},
	{"a\x01"
	 "b",
	 OFF, 1, 200, NULL, "name_control"},
	{"a\x7f"
	 "b",
	 OFF, 1, 200, NULL, "name_control"},
	{"a\u0378b", OFF, 1, 200, NULL, "name_control"},     /* unassigned */
	{"a\ufdd0b", OFF, 1, 200, NULL, "name_control"},     /* noncharacter */
	{"a\U000e0041b", OFF, 1, 200, NULL, "name_control"}, /* tag character */
	/* pictographs in official names (issue 11 defect 12) */
	{"科协😀", OFF, 1, 200, NULL, "name_emoji"},
	{"🏫 学会", OFF, 1, 200, NULL, "name_emoji"},
	{"\u2764\ufe0f", OFF, 1, 200, NULL, "name_emoji"},
	{"\U0001f1e8\U0001f1f3", OFF, 1, 200, NULL, "name_emoji"},   /* flag */
	{"王\U0001f44d\U0001f3fd", OFF, 1, 200, NULL, "name_emoji"}, /* skin tone */
	{"1\ufe0f\u20e3会", OFF, 1, 200, NULL, "name_emoji"},        /* keycap */
	{"\U0001f468\u200d\U0001f469\u200d\U0001f467", OFF, 1, 200, NULL, "name_emoji"},
	{"科协😀", 0, 1, 200, "科协😀", NULL}, /* a plain name keeps them */
	/* length in code points, after normalisation */
	{"𠮷𠮷𠮷", OFF, 1, 3, "𠮷𠮷𠮷", NULL},
	{"𠮷𠮷𠮷𠮷", OFF, 1, 3, NULL, "too_long"}, /* issue 11 defect 5: which bound, not "bad_length" */
	{"  ab  ", OFF, 1, 2, "ab", NULL},
	{"e\u0301e\u0301", OFF, 1, 2, "\u00e9\u00e9", NULL},
	/* personal names (issue 12): one middle dot, no spaces around it */
	{"阿沛·阿旺晋美", PER, 1, 64, "阿沛·阿旺晋美", NULL},
	{"阿沛\u2022阿旺晋美", PER, 1, 64, "阿沛·阿旺晋美", NULL}, /* bullet */
	{"阿沛\u2027阿旺晋美", PER, 1, 64, "阿沛·阿旺晋美", NULL}, /* hyphenation point */
	{"阿沛\u2219阿旺晋美", PER, 1, 64, "阿沛·阿旺晋美", NULL}, /* bullet operator */
	{"阿沛\u30fb阿旺晋美", PER, 1, 64, "阿沛·阿旺晋美", NULL}, /* katakana middle dot */
	{"阿沛\uff65阿旺晋美", PER, 1, 64, "阿沛·阿旺晋美", NULL}, /* half-width katakana */
	{"阿沛\u2e31阿旺晋美", PER, 1, 64, "阿沛·阿旺晋美", NULL}, /* word separator */
	{"阿沛\u0387阿旺晋美", PER, 1, 64, "阿沛·阿旺晋美", NULL}, /* Greek ano teleia: NFC */
	{"阿沛 · 阿旺晋美", PER, 1, 64, "阿沛·阿旺晋美", NULL},
	{"阿沛\u3000\u2022\u00a0 阿旺晋美", PER, 1, 64, "阿沛·阿旺晋美", NULL},
	{"让-雅克 \u30fb 卢梭", PER, 1, 64, "让-雅克·卢梭", NULL},
	{"买买提 · 艾力 · 吐尔逊", PER, 1, 64, "买买提·艾力·吐尔逊", NULL},
	{" · 艾力", PER, 1, 64, "·艾力", NULL},
	{"张 三", PER, 1, 64, "张 三", NULL},               /* only spaces at a dot go */
	{"Li\u318dMing", PER, 1, 64, "Li\u318dMing", NULL}, /* Hangul araea is a letter */
	{"𠮷田 · 𪚥", PER, 1, 64, "𠮷田·𪚥", NULL},         /* beyond the BMP, byte-exact */
	{"𠮷𪚥", PER, 1, 2, "𠮷𪚥", NULL},                  /* two code points */
	{"𠮷𪚥𠮷", PER, 1, 2, NULL, "too_long"},
	{"阿沛\u200b·阿旺", PER, 1, 64, NULL, "name_control"},
	{"阿沛 \u2022 阿旺晋美", OFF, 1, 64, "阿沛 \u2022 阿旺晋美", NULL}, /* other flags unchanged */
	{"阿沛 \u2022 阿旺晋美", 0, 1, 64, "阿沛 \u2022 阿旺晋美", NULL},
	{"·", PER, 1, 64, "·", NULL},
	{"\u2022 ", PER, 0, 64, "·", NULL},
};

static void t_rule(void **st)
{
	(void)st;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct errlist e;
		char out[801] = "x";
		errlist_init(&e);
		int rc = name_normalize(cases[i].in, strlen(cases[i].in), cases[i].flags, cases[i].min,
					cases[i].max, out, sizeof(out), "name", &e);
		if (cases[i].want) {
			if (rc || strcmp(out, cases[i].want))
				fail_msg("case %zu: rc %d out '%s' want '%s' (%s)", i, rc, out, cases[i].want,
					 e.n ? e.e[0].code : "");
		} else if (rc != ERR_UNPROCESSABLE || e.n != 1 || strcmp(e.e[0].code, cases[i].err) ||
			   strcmp(e.e[0].field, "name") || out[0]) {
			fail_msg("case %zu: want %s, got rc %d code %s out '%s'", i, cases[i].err, rc,
				 e.n ? e.e[0].code : "-", out);
		}
	}
}

static void t_invalid_utf8(void **st)
{
	(void)st;
	static const char *const bad[] = {"\xc0\xaf", "\xed\xa0\x80", "a\xff", "a\0b"};
	static const size_t len[] = {2, 3, 2, 3};
	for (size_t i = 0; i < 4; i++) {
		struct errlist e;
		char out[64];
		errlist_init(&e);
		assert_int_equal(
			name_normalize(bad[i], len[i], OFF, 1, 10, out, sizeof(out), "display_name", &e),
			ERR_UNPROCESSABLE);
		assert_string_equal(e.e[0].code, "invalid_utf8");
		assert_string_equal(e.e[0].field, "display_name");
		assert_string_equal(out, "");
	}
}

static void t_output_bound(void **st)
{
	(void)st;
	/* max_cp * 4 + 1 bytes always hold the answer; less is a length error, never overflow */
	struct errlist e;
	char out[13];
	errlist_init(&e);
	assert_int_equal(name_normalize("𠮷𠮷𠮷", strlen("𠮷𠮷𠮷"), OFF, 1, 3, out, sizeof(out), "n", &e), 0);
	assert_string_equal(out, "𠮷𠮷𠮷");
	char small[8];
	errlist_init(&e);
	assert_int_equal(name_normalize("𠮷𠮷𠮷", strlen("𠮷𠮷𠮷"), OFF, 1, 3, small, sizeof(small), "n", &e),
			 ERR_UNPROCESSABLE);
	assert_string_equal(e.e[0].code, "too_long");
	assert_string_equal(small, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_rule),
		cmocka_unit_test(t_invalid_utf8),
		cmocka_unit_test(t_output_bound),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
