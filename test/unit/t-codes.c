/* t-codes.c - credit codes, identity numbers and mobiles: what users type -> what is stored. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/codes.h"

#define TODAY "2026-11-23"

static const struct {
	const char *in, *want, *err;
} ids[] = {
	{"11010519491231002X", "11010519491231002X", NULL},
	{"11010519491231002x", "11010519491231002X", NULL},                   /* lowercase x */
	{"１１０１０５１９４９１２３１００２Ｘ", "11010519491231002X", NULL}, /* full width */
	{" 110105 19491231 002X ", "11010519491231002X", NULL},               /* spaces */
	{"110105491231002", "11010519491231002X", NULL},                      /* old 15-digit */
	{"110105194912310021", NULL, "id_checksum"},
	{"110105194902300020", NULL, "id_birth_date"}, /* Feb 30 */
	{"110105209912310020", NULL, "id_birth_date"}, /* future */
	{"11010519491231002", NULL, "id_format"},      /* 17 digits */
	{"1101051949123100211", NULL, "id_format"},    /* 19 digits */
	{"11010519491231X02X", NULL, "id_format"},
	{"", NULL, "id_format"},
	{"１１０１０５１９４９１２３１００２Ｘ１", NULL, "id_format"},
};

static void t_id_numbers(void **st)
{
	(void)st;
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		struct errlist e;
		char out[19] = "";
		errlist_init(&e);
		int rc = id_number_normalize(ids[i].in, TODAY, out, sizeof(out), "id_number", &e);
		if (ids[i].want) {
			if (rc || strcmp(out, ids[i].want))
				fail_msg("%s: rc %d out %s (%s)", ids[i].in, rc, out, e.n ? e.e[0].code : "");
		} else {
			if (rc != ERR_UNPROCESSABLE || strcmp(e.e[0].code, ids[i].err) ||
			    strcmp(e.e[0].field, "id_number"))
				fail_msg("%s: want %s, got rc %d code %s", ids[i].in, ids[i].err, rc,
					 e.n ? e.e[0].code : "-");
		}
	}
	char birth[11], sex;
	id_number_facts("11010519491231002X", birth, &sex);
	assert_string_equal(birth, "1949-12-31");
	assert_int_equal(sex, 'F'); /* sequence 002: even */
}

static void t_credit_codes(void **st)
{
	(void)st;
	/* check character computed by the GB 32100 rule for a society code starting "51" */
	static const char *const good[] = {"91350100M000100Y43", "91350100m000100y43",
					   "9135 0100 M000 100Y43"};
	for (size_t i = 0; i < 3; i++) {
		struct errlist e;
		char out[19];
		errlist_init(&e);
		if (credit_code_normalize(good[i], out, sizeof(out), "credit_code", &e))
			fail_msg("%s: %s", good[i], e.e[0].code);
		assert_string_equal(out, "91350100M000100Y43");
	}
	static const struct {
		const char *in, *code;
	} bad[] = {
		{"91350100M000100Y44", "credit_code_checksum"},
		{"91350100M000100Y4", "credit_code_format"},
		{"91350100I000100Y43", "credit_code_format"}, /* I is not in the alphabet */
		{"91350100M000100Y43X", "credit_code_format"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct errlist e;
		char out[19];
		errlist_init(&e);
		assert_int_equal(credit_code_normalize(bad[i].in, out, sizeof(out), "credit_code", &e),
				 ERR_UNPROCESSABLE);
		assert_string_equal(e.e[0].code, bad[i].code);
	}
}

static void t_mobiles(void **st)
{
	(void)st;
	static const char *const good[] = {"13800138000", "+86 138-0013-8000", "0086 13800138000",
					   "１３８００１３８０００", "(138) 0013 8000"};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		struct errlist e;
		char out[12];
		errlist_init(&e);
		if (mobile_normalize(good[i], out, sizeof(out), "mobile", &e))
			fail_msg("%s rejected", good[i]);
		assert_string_equal(out, "13800138000");
	}
	static const char *const bad[] = {"138001380001", "12800138000", "1380013800", "abc",
					  "+1 138 0013 8000"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct errlist e;
		char out[12];
		errlist_init(&e);
		if (mobile_normalize(bad[i], out, sizeof(out), "mobile", &e) != ERR_UNPROCESSABLE)
			fail_msg("%s accepted", bad[i]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_id_numbers),
		cmocka_unit_test(t_credit_codes),
		cmocka_unit_test(t_mobiles),
	};
	return cmocka_run_group_tests_name("codes", tests, NULL, NULL);
}
