/* t-personfield.c - the person-field normalisers (issue 12): what people type into forms and
 * spreadsheets -> what is stored, or which field error they see. Every line of
 * /work/shared/bad-inputs.md about ID numbers, phones, names and dates has a row here. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "base/utf8.h"
#include "core/codelist.h"
#include "core/names.h"
#include "core/personfield.h"

#define TODAY "2026-12-02"
#define N(a)  (sizeof(a) / sizeof(a[0]))

/* A refusal: one error, for the field, with the code, no value in the message (no run of 7
 * digits: ID and mobile numbers are personal data), a code the web can translate. */
static void expect_refusal(int rc, const struct errlist *e, const char *field, const char *code,
			   const char *what)
{
	if (rc != ERR_UNPROCESSABLE || e->n != 1 || strcmp(e->e[0].code, code) ||
	    strcmp(e->e[0].field, field))
		fail_msg("%s: want %s on %s, got rc %d, %d errors, code %s", what, code, field, rc, e->n,
			 e->n ? e->e[0].code : "-");
	int run = 0;
	for (const char *p = e->e[0].message; *p; p++)
		if ((run = (*p >= '0' && *p <= '9') ? run + 1 : 0) >= 7)
			fail_msg("%s: the message holds a number: %s", what, e->e[0].message);
	if (!codeset_has(&codelist_error, code))
		fail_msg("%s: code %s is not in codelist_error", what, code);
}

static const struct {
	const char *type, *in;
	const char *want, *birth, *gender; /* want NULL: refused with err */
	const char *err;
} ids[] = {
	/* resident identity cards (GB 11643) */
	{"resident", "11010519491231002X", "11010519491231002X", "1949-12-31", "2", NULL},
	{"resident", "11010519491231002x", "11010519491231002X", "1949-12-31", "2", NULL}, /* lowercase x */
	{"resident", "１１０１０５１９４９１２３１００２Ｘ", "11010519491231002X", "1949-12-31", "2", NULL},
	{"resident", "１１０１０５１９４９１２３１００２ｘ", "11010519491231002X", "1949-12-31", "2", NULL},
	{"resident", " 110105 19491231 002X ", "11010519491231002X", "1949-12-31", "2", NULL},
	{"resident", "\u200b110105\u300019491231\u00a0002X\ufeff", "11010519491231002X", "1949-12-31", "2",
	 NULL},
	{"resident", "110105198503071230", "110105198503071230", "1985-03-07", "1", NULL}, /* odd: male */
	{"resident", "110105491231002", "11010519491231002X", "1949-12-31", "2", NULL},    /* 15 -> 18 */
	{"resident", "990000198503071237", "990000198503071237", "1985-03-07", "1",
	 NULL}, /* unknown region */
	{"resident", "11010520240229002X", "11010520240229002X", "2024-02-29", "2", NULL}, /* leap day */
	{"resident", "11010519000101001X", "11010519000101001X", "1900-01-01", "1", NULL},
	{"resident", "11010520261202001X", "11010520261202001X", "2026-12-02", "1", NULL}, /* born today */
	{"resident", "110105194912310021", NULL, NULL, NULL, "id_checksum"},
	{"resident", "110105194902300020", NULL, NULL, NULL, "id_birth_date"}, /* 1949-02-30 */
	{"resident", "110105209912310020", NULL, NULL, NULL, "id_birth_date"}, /* 2099-12-31 */
	{"resident", "110105202612030015", NULL, NULL, NULL, "id_birth_date"}, /* tomorrow */
	{"resident", "110105189912310015", NULL, NULL, NULL, "id_birth_date"}, /* before 1900 */
	{"resident", "110105491331002", NULL, NULL, NULL, "id_birth_date"},    /* 15 digits, month 13 */
	{"resident", "1.10105E+17", NULL, NULL, NULL, "id_excel_precision"},
	{"resident", "1.10105198503071E+17", NULL, NULL, NULL, "id_excel_precision"},
	{"resident", "110105198503071234.0", NULL, NULL, NULL, "id_excel_precision"},
	{"resident", "1.10105e+17", NULL, NULL, NULL, "id_excel_precision"},
	{"resident", "110105198503071000", NULL, NULL, NULL, "id_excel_precision"}, /* 15 digits kept */
	{"resident", "11010519491231002", NULL, NULL, NULL, "id_format"},
	{"resident", "1101051949123100211", NULL, NULL, NULL, "id_format"},
	{"resident", "11010519491231X02X", NULL, NULL, NULL, "id_format"},
	{"resident", "11010549123100X", NULL, NULL, NULL, "id_format"}, /* 15 digits have no X */
	{"resident", "110105-19491231-002X", NULL, NULL, NULL, "id_format"},
	{"resident", "身份证11010519491231002X", NULL, NULL, NULL, "id_format"},
	{"resident", "abc", NULL, NULL, NULL, "id_format"},
	{"resident", "\xc0\xaf", NULL, NULL, NULL, "id_format"}, /* invalid UTF-8 */
	{"resident", "", NULL, NULL, NULL, "required"},
	{"resident", " \u3000 ", NULL, NULL, NULL, "required"},
	/* foreign permanent residence cards: 2023 form (GB 11643 check) and the older one */
	{"foreign_permanent", "911840198503070024", "911840198503070024", "1985-03-07", "2", NULL},
	{"foreign_permanent", "911840198503070025", NULL, NULL, NULL, "id_checksum"},
	{"foreign_permanent", "USA110085030701", "USA110085030701", "", "", NULL},
	{"foreign_permanent", "usa 110085030701", "USA110085030701", "", "", NULL},
	{"foreign_permanent", "11010519491231002X", NULL, NULL, NULL, "id_format"}, /* a resident's */
	{"foreign_permanent", "US1110085030701", NULL, NULL, NULL, "id_format"},
	/* residence permits for Hong Kong, Macao and Taiwan residents */
	{"hk_macao_residence", "810000199001011230", "810000199001011230", "1990-01-01", "1", NULL},
	{"hk_macao_residence", "820000199001011240", "820000199001011240", "1990-01-01", "2", NULL},
	{"hk_macao_residence", "830000199001011234", NULL, NULL, NULL, "id_format"},
	{"hk_macao_residence", "810000199001011231", NULL, NULL, NULL, "id_checksum"},
	{"taiwan_residence", "830000199001011234", "830000199001011234", "1990-01-01", "1", NULL},
	{"taiwan_residence", "810000199001011230", NULL, NULL, NULL, "id_format"},
	/* travel permits */
	{"hk_macao_permit", "H12345678", "H12345678", "", "", NULL},
	{"hk_macao_permit", "m1234567890", "M1234567890", "", "", NULL},
	{"hk_macao_permit", "Ｈ１２３４５６７８", "H12345678", "", "", NULL},
	{"hk_macao_permit", "H1234567", NULL, NULL, NULL, "id_format"},
	{"hk_macao_permit", "A12345678", NULL, NULL, NULL, "id_format"},
	{"taiwan_permit", "12345678", "12345678", "", "", NULL},
	{"taiwan_permit", "1234567890", "1234567890", "", "", NULL},
	{"taiwan_permit", "123456789", NULL, NULL, NULL, "id_format"},
	{"taiwan_permit", "T12345678", NULL, NULL, NULL, "id_format"},
	/* passports */
	{"passport", "e12345678", "E12345678", "", "", NULL},
	{"passport", "G 1234 5678", "G12345678", "", "", NULL},
	{"passport", "AB123", "AB123", "", "", NULL},
	{"passport", "AB12", NULL, NULL, NULL, "id_format"},
	{"passport", "AB-123456", NULL, NULL, NULL, "id_format"},
	{"passport", "A12345678901234567", NULL, NULL, NULL, "id_format"},
	{"passport", "1.23457E+11", NULL, NULL, NULL, "id_excel_precision"},
};

static void t_id_numbers(void **st)
{
	(void)st;
	for (size_t i = 0; i < N(ids); i++) {
		struct errlist e;
		struct person_id id;
		errlist_init(&e);
		memset(&id, 'x', sizeof(id));
		int rc = person_id_normalize(ids[i].type, ids[i].in, strlen(ids[i].in), TODAY, &id,
					     "id_number", &e);
		char what[96];
		snprintf(what, sizeof(what), "id case %zu", i);
		if (ids[i].want) {
			if (rc || strcmp(id.number, ids[i].want) || strcmp(id.birth, ids[i].birth) ||
			    strcmp(id.gender, ids[i].gender))
				fail_msg("%s: rc %d number '%s' birth '%s' gender '%s' (%s)", what, rc,
					 id.number, id.birth, id.gender, e.n ? e.e[0].code : "");
			assert_int_equal(e.n, 0);
		} else {
			expect_refusal(rc, &e, "id_number", ids[i].err, what);
			assert_string_equal(id.number, "");
			assert_string_equal(id.birth, "");
			assert_string_equal(id.gender, "");
		}
	}
}

static void t_id_edges(void **st)
{
	(void)st;
	struct errlist e;
	struct person_id id;
	errlist_init(&e);
	/* an id type outside the list is the caller's mistake: no field error */
	assert_int_equal(person_id_normalize("driving_licence", "123", 3, TODAY, &id, "id_number", &e),
			 ERR_INVALID);
	assert_int_equal(person_id_normalize(NULL, "123", 3, TODAY, &id, "id_number", &e), ERR_INVALID);
	assert_int_equal(e.n, 0);
	/* today NULL: the current Beijing date; a 1949 birth is in the past whatever the clock */
	assert_int_equal(
		person_id_normalize("resident", "11010519491231002X", 18, NULL, &id, "id_number", &e), 0);
	/* the same person typed three ways is one stored value (unique on the normalised form) */
	static const char *const same[] = {"11010519491231002x", "１１０１０５１９４９１２３１００２Ｘ",
					   "110105491231002"};
	for (size_t i = 0; i < N(same); i++) {
		assert_int_equal(
			person_id_normalize("resident", same[i], strlen(same[i]), TODAY, &id, "id", &e), 0);
		assert_string_equal(id.number, "11010519491231002X");
	}
	/* bytes are (ptr, len): nothing read past n */
	assert_int_equal(person_id_normalize("resident", "11010519491231002XJUNK", 18, TODAY, &id, "id", &e),
			 0);
	assert_string_equal(id.number, "11010519491231002X");
	/* an embedded U+0000 is refused */
	assert_int_equal(person_id_normalize("resident",
					     "1101051949\0"
					     "1231002X",
					     19, TODAY, &id, "id", &e),
			 ERR_UNPROCESSABLE);
	/* the precision message says what to do */
	errlist_init(&e);
	person_id_normalize("resident", "1.10105E+17", 11, TODAY, &id, "身份证号", &e);
	assert_non_null(strstr(e.e[0].message, "Excel"));
	assert_non_null(strstr(e.e[0].message, "text"));
	assert_string_equal(e.e[0].field, "身份证号");
}

static void t_id_crosscheck(void **st)
{
	(void)st;
	struct errlist e;
	struct person_id id, pp;
	errlist_init(&e);
	assert_int_equal(
		person_id_normalize("resident", "11010519491231002X", 18, TODAY, &id, "id_number", &e), 0);
	assert_int_equal(person_id_normalize("passport", "E12345678", 9, TODAY, &pp, "id_number", &e), 0);
	const struct {
		const struct person_id *id;
		const char *gender, *birth;
		int nerr;
		const char *code1, *code2;
	} cases[] = {
		{&id, "2", "1949-12-31", 0, NULL, NULL},
		{&id, NULL, NULL, 0, NULL, NULL},
		{&id, "", "", 0, NULL, NULL},
		{&id, "9", NULL, 0, NULL, NULL}, /* unspecified says nothing */
		{&id, "0", NULL, 0, NULL, NULL},
		{&id, "1", NULL, 2, "id_gender_mismatch", NULL},
		{&id, NULL, "1949-12-30", 2, "id_birth_mismatch", NULL},
		{&id, "1", "1950-01-01", 4, "id_gender_mismatch", "id_birth_mismatch"},
		{&pp, "1", "1950-01-01", 0, NULL, NULL}, /* a passport number says nothing */
	};
	for (size_t i = 0; i < N(cases); i++) {
		errlist_init(&e);
		int rc = person_id_crosscheck(cases[i].id, cases[i].gender, cases[i].birth, "id_number",
					      "gender", "birth_date", &e);
		if (e.n != cases[i].nerr || (rc != 0) != (cases[i].nerr != 0))
			fail_msg("crosscheck %zu: rc %d, %d errors", i, rc, e.n);
		if (!cases[i].nerr)
			continue;
		/* both fields named, each pointing at the other */
		const char *other = !strcmp(cases[i].code1, "id_gender_mismatch") ? "gender" : "birth_date";
		assert_string_equal(e.e[0].code, cases[i].code1);
		assert_string_equal(e.e[0].field, "id_number");
		assert_string_equal(e.e[0].params[0].key, "other_field");
		assert_string_equal(e.e[0].params[0].text, other);
		assert_string_equal(e.e[1].code, cases[i].code1);
		assert_string_equal(e.e[1].field, other);
		assert_string_equal(e.e[1].params[0].text, "id_number");
		if (cases[i].code2) {
			assert_string_equal(e.e[2].code, cases[i].code2);
			assert_string_equal(e.e[2].field, "id_number");
			assert_string_equal(e.e[3].field, "birth_date");
		}
		for (int k = 0; k < e.n; k++)
			assert_null(strstr(e.e[k].message, "1949"));
	}
}

static const struct {
	const char *in, *want;
} mobiles[] = {
	{"13800138000", "13800138000"},
	{"+86 138-0013-8000", "13800138000"},
	{"+8613800138000", "13800138000"},
	{"0086 138 0013 8000", "13800138000"},
	{"8613800138000", "13800138000"},
	{"(+86) 138.0013.8000", "13800138000"},
	{"１３８００１３８０００", "13800138000"},
	{"＋８６　１３８－００１３－８０００", "13800138000"},
	{"138\u20140013\u20148000", "13800138000"}, /* em dashes */
	{"\u200b19912345678 ", "19912345678"},
	{"138001380001", NULL}, /* 12 digits */
	{"1380013800", NULL},
	{"12800138000", NULL}, /* 12x is no mobile prefix */
	{"23800138000", NULL},
	{"+1 202 555 0123", NULL},
	{"+8613800138000 1", NULL},
	{"86138001380001", NULL},
	{"138-0013-800x", NULL},
	{"1.38001E+10", NULL},
	{"手机13800138000", NULL},
	{"138+00138000", NULL},
};

static void t_mobiles(void **st)
{
	(void)st;
	for (size_t i = 0; i < N(mobiles); i++) {
		struct errlist e;
		char out[PERSON_MOBILE_LEN + 1] = "x", what[64];
		errlist_init(&e);
		int rc = person_mobile_normalize(mobiles[i].in, strlen(mobiles[i].in), out, sizeof(out),
						 "mobile", &e);
		snprintf(what, sizeof(what), "mobile case %zu", i);
		if (mobiles[i].want) {
			if (rc || strcmp(out, mobiles[i].want))
				fail_msg("%s: rc %d out '%s'", what, rc, out);
		} else {
			expect_refusal(rc, &e, "mobile", "mobile_invalid", what);
			assert_string_equal(out, "");
		}
	}
	struct errlist e;
	char out[12];
	errlist_init(&e);
	expect_refusal(person_mobile_normalize("", 0, out, sizeof(out), "mobile", &e), &e, "mobile",
		       "required", "blank mobile");
	errlist_init(&e);
	char small[11];
	expect_refusal(person_mobile_normalize("13800138000", 11, small, sizeof(small), "mobile", &e), &e,
		       "mobile", "mobile_invalid", "small buffer");
}

static const struct {
	const char *in, *want;
} landlines[] = {
	{"010-62345678", "010-62345678"},
	{"(010)62345678", "010-62345678"},
	{"（０１０）６２３４５６７８", "010-62345678"},
	{"010 6234 5678", "010-62345678"},
	{"01062345678", "010-62345678"},
	{"020-87654321", "020-87654321"},
	{"0571-87654321", "0571-87654321"},
	{"057187654321", "0571-87654321"},
	{"0571-8765432", "0571-8765432"},
	{"0571-8765-4321", "0571-87654321"},
	{"87654321", "87654321"},
	{"8765432", "8765432"},
	{"+86 10 62345678", "010-62345678"},
	{"+86-571-87654321", "0571-87654321"},
	{"0086 571 87654321", "0571-87654321"},
	{"0571-87654321-8001", "0571-87654321-8001"},
	{"0571-87654321转8001", "0571-87654321-8001"},
	{"0571-87654321 分机 8001", "0571-87654321-8001"},
	{"0571-87654321 ext. 8001", "0571-87654321-8001"},
	{"0571-87654321 x8001", "0571-87654321-8001"},
	{"0571-87654321#8001", "0571-87654321-8001"},
	{"87654321-123", "87654321-123"},
	{"86 00800#0", "8600800-0"}, /* fuzz: its output read back as 86008000 */
	{"8600800-0", "8600800-0"},
	{"010-6234567-8", "010-6234567-8"},
	{"13800138000", NULL}, /* a mobile number in a landline field */
	{"12345", NULL},
	{"0571-876543210123456", NULL},
	{"010-62345678转", NULL},
	{"010-62345678-1234567", NULL},
	{"001-2345678", NULL},
	{"phone", NULL},
	{"+1 212 5550123", NULL},
	{"010-01234567", NULL}, /* a local number starts with 2-9 */
	{"010-12345678", NULL},
};

static void t_landlines(void **st)
{
	(void)st;
	for (size_t i = 0; i < N(landlines); i++) {
		struct errlist e;
		char out[PERSON_PHONE_MAX + 1] = "x", what[64];
		errlist_init(&e);
		int rc = person_landline_normalize(landlines[i].in, strlen(landlines[i].in), out, sizeof(out),
						   "phone", &e);
		snprintf(what, sizeof(what), "landline case %zu", i);
		if (landlines[i].want) {
			if (rc || strcmp(out, landlines[i].want))
				fail_msg("%s: rc %d out '%s' (%s)", what, rc, out, e.n ? e.e[0].code : "");
		} else {
			expect_refusal(rc, &e, "phone", "landline_invalid", what);
			assert_string_equal(out, "");
		}
	}
}

static const struct {
	const char *in, *want;
} emails[] = {
	{"name@example.cn", "name@example.cn"},
	{"Name.Surname@Example.COM.CN", "Name.Surname@example.com.cn"}, /* domain lower-cased only */
	{"  a+tag@x-y.org\t", "a+tag@x-y.org"},
	{"ｎａｍｅ＠ｅｘａｍｐｌｅ．ｃｎ", "name@example.cn"},
	{"o'brien@mail.example", "o'brien@mail.example"},
	{"a@b", NULL},
	{"a@@b.cn", NULL},
	{"a@b@c.cn", NULL},
	{"a..b@x.cn", NULL},
	{".a@x.cn", NULL},
	{"a.@x.cn", NULL},
	{"a@-x.cn", NULL},
	{"a@x-.cn", NULL},
	{"a@x..cn", NULL},
	{"a@.x.cn", NULL},
	{"a@x.cn.", NULL},
	{"a b@x.cn", NULL},
	{"a@1.2", NULL},
	{"张三@x.cn", NULL},
	{"noatsign", NULL},
	{"@x.cn", NULL},
	{"a@x_y.cn", NULL},
	{"a(b)@x.cn", NULL},
};

static void t_emails(void **st)
{
	(void)st;
	for (size_t i = 0; i < N(emails); i++) {
		struct errlist e;
		char out[PERSON_EMAIL_MAX + 1] = "x", what[64];
		errlist_init(&e);
		int rc = person_email_normalize(emails[i].in, strlen(emails[i].in), out, sizeof(out), "email",
						&e);
		snprintf(what, sizeof(what), "email case %zu", i);
		if (emails[i].want) {
			if (rc || strcmp(out, emails[i].want))
				fail_msg("%s: rc %d out '%s'", what, rc, out);
		} else {
			expect_refusal(rc, &e, "email", "email_invalid", what);
			assert_string_equal(out, "");
		}
	}
	/* 64 characters of local part pass, 65 do not */
	char local[80], out[PERSON_EMAIL_MAX + 1];
	memset(local, 'a', 64);
	memcpy(local + 64, "@x.cn", 6);
	struct errlist e;
	errlist_init(&e);
	assert_int_equal(person_email_normalize(local, strlen(local), out, sizeof(out), "email", &e), 0);
	memset(local, 'a', 65);
	memcpy(local + 65, "@x.cn", 6);
	assert_int_equal(person_email_normalize(local, strlen(local), out, sizeof(out), "email", &e),
			 ERR_UNPROCESSABLE);
}

#define CELL PDATE_NUMERIC_CELL

static const struct {
	const char *in;
	unsigned flags;
	const char *want; /* NULL: refused with err */
	const char *err;
} dates[] = {
	{"1985-03-07", 0, "1985-03-07", NULL},
	{"1985/3/7", 0, "1985-03-07", NULL},
	{"1985.3.7", 0, "1985-03-07", NULL},
	{"1985年3月7日", 0, "1985-03-07", NULL},
	{"1985年03月07日", 0, "1985-03-07", NULL},
	{"1985年3月7", 0, "1985-03-07", NULL},
	{"19850307", 0, "1985-03-07", NULL},
	{"1985-3-7 00:00:00", 0, "1985-03-07", NULL},
	{"1985-03-07T00:00:00", 0, "1985-03-07", NULL},
	{"1985/3/7 0:00", 0, "1985-03-07", NULL},
	{"1985-03-07 00:00:00.000", 0, "1985-03-07", NULL},
	{"１９８５－０３－０７", 0, "1985-03-07", NULL},
	{" 1985-03-07\u3000", 0, "1985-03-07", NULL},
	/* the bad-inputs list: one date five ways */
	{"1980-01-02", 0, "1980-01-02", NULL},
	{"1980/1/2", 0, "1980-01-02", NULL},
	{"1980年1月2日", 0, "1980-01-02", NULL},
	{"19800102", 0, "1980-01-02", NULL},
	{"29222", CELL, "1980-01-02", NULL},
	/* Excel serial numbers, only from a numeric cell */
	{"31113", CELL, "1985-03-07", NULL},
	{"31113.0", CELL, "1985-03-07", NULL},
	{"31113.000", CELL, "1985-03-07", NULL},
	{"1", CELL, "1900-01-01", NULL},
	{"59", CELL, "1900-02-28", NULL},
	{"60", CELL, NULL, "date_invalid"}, /* Excel's 1900-02-29, which never was */
	{"61", CELL, "1900-03-01", NULL},
	{"25569", CELL, "1970-01-01", NULL},
	{"36526", CELL, "2000-01-01", NULL},
	{"19850307", CELL, "1985-03-07", NULL}, /* a date typed as a number */
	{"1985-03-07", CELL, "1985-03-07", NULL},
	{"0", CELL, NULL, "date_invalid"},
	{"31113.5", CELL, NULL, "date_invalid"}, /* noon is a timestamp */
	{"31113", 0, NULL, "date_invalid"},
	{"31113.0", 0, NULL, "date_invalid"},
	/* ambiguous: refused, not guessed */
	{"03/07/1985", 0, NULL, "date_ambiguous"},
	{"3/7/85", 0, NULL, "date_ambiguous"},
	{"7.3.1985", 0, NULL, "date_ambiguous"},
	{"25/12/1985", 0, NULL, "date_ambiguous"},
	{"85-3-7", 0, NULL, "date_ambiguous"},
	{"85年3月7日", 0, NULL, "date_ambiguous"},
	{"03/07/1985", CELL, NULL, "date_ambiguous"},
	/* impossible or malformed */
	{"1985-02-30", 0, NULL, "date_invalid"},
	{"1985-13-01", 0, NULL, "date_invalid"},
	{"1985-00-10", 0, NULL, "date_invalid"},
	{"1900-02-29", 0, NULL, "date_invalid"},
	{"2000-02-29", 0, "2000-02-29", NULL},
	{"19850230", 0, NULL, "date_invalid"},
	{"1799-12-31", 0, NULL, "date_invalid"},
	{"3000-01-01", 0, NULL, "date_invalid"},
	{"1985-3-7 08:00:00", 0, NULL, "date_invalid"}, /* a time of day: maybe a shifted midnight */
	{"1985-03-06T16:00:00Z", 0, NULL, "date_invalid"},
	{"1985-03-07T00:00:00Z", 0, NULL, "date_invalid"},
	{"1985-03-07T00:00:00+08:00", 0, NULL, "date_invalid"},
	{"1985/3-7", 0, NULL, "date_invalid"},
	{"1985-03", 0, NULL, "date_invalid"},
	{"1985-003-07", 0, NULL, "date_invalid"},
	{"1985-03-007", 0, NULL, "date_invalid"},
	{"1985年3-7", 0, NULL, "date_invalid"},
	{"yesterday", 0, NULL, "date_invalid"},
	{"123456789012", CELL, NULL, "date_invalid"},
	{"", 0, NULL, "required"},
};

static void t_dates(void **st)
{
	(void)st;
	for (size_t i = 0; i < N(dates); i++) {
		struct errlist e;
		char out[PERSON_DATE_LEN + 1] = "x", what[64];
		errlist_init(&e);
		int rc = person_date_normalize(dates[i].in, strlen(dates[i].in), dates[i].flags, out,
					       sizeof(out), "birth_date", &e);
		snprintf(what, sizeof(what), "date case %zu", i);
		if (dates[i].want) {
			if (rc || strcmp(out, dates[i].want))
				fail_msg("%s: rc %d out '%s' (%s)", what, rc, out, e.n ? e.e[0].code : "");
		} else {
			expect_refusal(rc, &e, "birth_date", dates[i].err, what);
			assert_string_equal(out, "");
		}
	}
}

static const struct {
	const char *in, *want, *err;
} usccs[] = {
	{"91350100M000100Y43", "91350100M000100Y43", NULL},
	{"91350100m000100y43", "91350100M000100Y43", NULL},
	{"9135 0100 M000 100Y43", "91350100M000100Y43", NULL},
	{"９１３５０１００Ｍ０００１００Ｙ４３", "91350100M000100Y43", NULL},
	{"\u200b91350100M000100Y43\u00a0", "91350100M000100Y43", NULL},
	{"91350100M000100Y44", NULL, "credit_code_checksum"},
	{"91350100M000100Y4", NULL, "credit_code_format"},
	{"91350100M000100Y431", NULL, "credit_code_format"},
	{"91350100I000100Y43", NULL, "credit_code_format"}, /* I is not in the set */
	{"91350100O000100Y43", NULL, "credit_code_format"},
	{"9135-0100M000100Y43", NULL, "credit_code_format"},
	{"统一社会信用代码", NULL, "credit_code_format"},
	{"", NULL, "required"},
};

static void t_uscc(void **st)
{
	(void)st;
	for (size_t i = 0; i < N(usccs); i++) {
		struct errlist e;
		char out[PERSON_USCC_LEN + 1] = "x", what[64];
		errlist_init(&e);
		int rc = person_uscc_normalize(usccs[i].in, strlen(usccs[i].in), out, sizeof(out),
					       "credit_code", &e);
		snprintf(what, sizeof(what), "uscc case %zu", i);
		if (usccs[i].want) {
			if (rc || strcmp(out, usccs[i].want))
				fail_msg("%s: rc %d out '%s' (%s)", what, rc, out, e.n ? e.e[0].code : "");
		} else {
			expect_refusal(rc, &e, "credit_code", usccs[i].err, what);
			assert_string_equal(out, "");
		}
	}
}

static const struct {
	const struct codeset *list;
	const char *in, *want; /* want NULL: not_allowed */
} codes[] = {
	{&codelist_gender, "男", "1"},
	{&codelist_gender, "female", "2"},
	{&codelist_gender, "F", "2"},
	{&codelist_gender, "ｍａｌｅ", "1"},
	{&codelist_gender, "1", "1"},
	{&codelist_gender, "未说明", "9"},
	{&codelist_gender, "3", NULL},
	{&codelist_ethnicity, "汉族", "01"},
	{&codelist_ethnicity, "汉", "01"},
	{&codelist_ethnicity, "  蒙古族 ", "02"},
	{&codelist_ethnicity, "tibetan", "04"},
	{&codelist_ethnicity, "基诺族", "56"},
	{&codelist_ethnicity, "56", "56"},
	{&codelist_ethnicity, "外国血统", "98"},
	{&codelist_ethnicity, "火星族", NULL},
	{&codelist_political_status, "中共党员", "01"},
	{&codelist_political_status, "党员", "01"},
	{&codelist_political_status, "预备党员", "02"},
	{&codelist_political_status, "九三学社", "10"},
	{&codelist_political_status, "民盟盟员", "05"},
	{&codelist_political_status, "群众", "13"},
	{&codelist_education, "本科", "bachelor"},
	{&codelist_education, "大学本科", "bachelor"},
	{&codelist_education, "大专", "college"},
	{&codelist_education, "研究生", "postgraduate"},
	{&codelist_education, "博士研究生", "doctorate"},
	{&codelist_education, "高中", "secondary"},
	{&codelist_degree, "博士", "doctor"},
	{&codelist_degree, "无", "none"},
	{&codelist_title_level, "正高级", "senior"},
	{&codelist_title_level, "助理级", "junior"},
	{&codelist_title_level, "员级", "junior"},
	{&codelist_title_level, "无", "none"},
	{&codelist_discipline, "数学", "110"},
	{&codelist_discipline, "910", "910"},
	{&codelist_discipline, "统计学", "910"},
	{&codelist_discipline, "图书馆、情报与文献学", "870"},
	{&codelist_id_type, "身份证", "resident"},
	{&codelist_id_type, "台胞证", "taiwan_permit"},
	{&codelist_id_type, "PASSPORT", "passport"},
	{&codelist_person_status, "已故", "deceased"},
	{&codelist_member_category, "资深会员", "senior"},
	{&codelist_member_category, "会士", "fellow"},
	{&codelist_membership_status, "已退会", "left"},
	{&codelist_payment_method, "微信", "wechat"},
	{&codelist_payment_method, "ALIPAY", "alipay"},
	{&codelist_payment_method, "银行转账", "bank_transfer"},
};

static void t_code_values(void **st)
{
	(void)st;
	for (size_t i = 0; i < N(codes); i++) {
		struct errlist e;
		const char *code = "x";
		char what[64];
		errlist_init(&e);
		int rc = person_code(codes[i].list, codes[i].in, strlen(codes[i].in), false, &code, "f", &e);
		snprintf(what, sizeof(what), "code case %zu", i);
		if (codes[i].want) {
			if (rc || !code || strcmp(code, codes[i].want))
				fail_msg("%s: rc %d code %s", what, rc, code ? code : "NULL");
		} else {
			expect_refusal(rc, &e, "f", "not_allowed", what);
			assert_null(code);
			assert_string_equal(e.e[0].params[0].text, codes[i].list->name);
		}
	}
	struct errlist e;
	const char *code = "x";
	errlist_init(&e);
	assert_int_equal(person_code(&codelist_gender, " ", 1, true, &code, "gender", &e), 0);
	assert_null(code);
	assert_int_equal(e.n, 0);
	expect_refusal(person_code(&codelist_gender, "", 0, false, &code, "gender", &e), &e, "gender",
		       "required", "blank required code");
}

/* The lists are served by GET /api/v1/codes; each of their words reads back as its own item
 * (no word of one item shadows another's). */
static void t_lists(void **st)
{
	(void)st;
	static const struct codeset *const lists[] = {
		&codelist_gender,
		&codelist_ethnicity,
		&codelist_political_status,
		&codelist_education,
		&codelist_degree,
		&codelist_title_level,
		&codelist_discipline,
		&codelist_id_type,
		&codelist_person_status,
		&codelist_member_category,
		&codelist_membership_status,
		&codelist_payment_method,
	};
	for (size_t i = 0; i < N(lists); i++) {
		const struct codeset *s = lists[i];
		assert_ptr_equal(codelist_find(s->name), s);
		for (size_t k = 0; k < s->n; k++) {
			const struct code_item *it = &s->items[k];
			if (codeset_match(s, it->zh) != it || codeset_match(s, it->en) != it ||
			    codeset_match(s, it->code) != it)
				fail_msg("%s.%s: a label reads as another item", s->name, it->code);
			char words[256];
			snprintf(words, sizeof(words), "%s", it->words ? it->words : "");
			for (char *w = words, *bar; *w; w = bar ? bar + 1 : w + strlen(w)) {
				bar = strchr(w, '|');
				if (bar)
					*bar = '\0';
				if (codeset_match(s, w) != it)
					fail_msg("%s.%s: word %s reads as another item", s->name, it->code,
						 w);
			}
		}
	}
	assert_int_equal(codelist_ethnicity.n, 58);
	assert_string_equal(codelist_ethnicity.items[55].zh, "基诺族");
	assert_int_equal(codelist_discipline.n, 62);
	assert_int_equal(codelist_political_status.n, 13);
	assert_int_equal(codelist_id_type.n, 7);
}

/* Names beyond the BMP: byte-exact, counted in code points (bad-inputs.md). */
static void t_person_names(void **st)
{
	(void)st;
	static const char *const keep[] = {"𠮷", "𪚥", "𠮷田𪚥", "阿沛·阿旺晋美"};
	for (size_t i = 0; i < N(keep); i++) {
		struct errlist e;
		char out[64];
		errlist_init(&e);
		assert_int_equal(name_normalize(keep[i], strlen(keep[i]), NAME_PERSON, 1, 64, out,
						sizeof(out), "name", &e),
				 0);
		assert_memory_equal(out, keep[i], strlen(keep[i]) + 1);
	}
	assert_int_equal(utf8_count("𠮷田𪚥", strlen("𠮷田𪚥")), 3);
	struct errlist e;
	char out[64];
	errlist_init(&e);
	assert_int_equal(
		name_normalize("𠮷 • 𪚥", strlen("𠮷 • 𪚥"), NAME_PERSON, 1, 3, out, sizeof(out), "name", &e),
		0);
	assert_string_equal(out, "𠮷·𪚥");
	assert_int_equal(utf8_count(out, strlen(out)), 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_id_numbers),    cmocka_unit_test(t_id_edges),
		cmocka_unit_test(t_id_crosscheck), cmocka_unit_test(t_mobiles),
		cmocka_unit_test(t_landlines),     cmocka_unit_test(t_emails),
		cmocka_unit_test(t_dates),         cmocka_unit_test(t_uscc),
		cmocka_unit_test(t_code_values),   cmocka_unit_test(t_lists),
		cmocka_unit_test(t_person_names),
	};
	return cmocka_run_group_tests_name("personfield", tests, NULL, NULL);
}
