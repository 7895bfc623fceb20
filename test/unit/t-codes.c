/* t-codes.c - unified social credit codes: what users type -> what is stored (people's codes:
 * t-personfield.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/codes.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_credit_codes),
	};
	return cmocka_run_group_tests_name("codes", tests, NULL, NULL);
}
