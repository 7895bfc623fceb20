/*
 * personfield.h - the one normaliser for the fields of a person in the member register
 * (issue 12): ID numbers by document type, mobile and landline numbers, e-mail addresses,
 * dates, unified social credit codes (group members) and values of the code lists. The
 * API, the imports, registration and search all call these, so a value typed in a form,
 * pasted from a spreadsheet or searched for is stored and compared in one form.
 *
 * What users really type is accepted: full-width digits and letters, spaces (any Unicode
 * white space) and zero-width characters, a lowercase x, +86, 1985年3月7日, Excel serial
 * numbers. What cannot be read with certainty is refused, never guessed: an ID number
 * Excel turned into 1.10105E+17, a date that reads two ways (03/07/1985).
 *
 * Common contract: input is (s, n) bytes, not assumed NUL-terminated or valid UTF-8. Each
 * function returns 0 with the canonical ASCII form in out, or ERR_UNPROCESSABLE with exactly
 * one field error for `field` added to errs and out set to "" (do not use it). Blank text
 * (nothing but white space) is the error `required`: for an optional field, test for blank
 * before calling (person_code takes an `optional` flag instead). Refusals
 * carry a stable code (docs/normalizers.md lists them) and an English message that never
 * contains the rejected value: ID and mobile numbers are personal information (PIPL), and
 * error messages end up in logs. Pure functions: no database, no global state.
 */
#ifndef KEXIE_CORE_PERSONFIELD_H
#define KEXIE_CORE_PERSONFIELD_H

#include "base/codeset.h"
#include "base/err.h"

#include <stdbool.h>
#include <stddef.h>

#define PERSON_ID_MAX     18 /* the longest normalised ID number (GB 11643) */
#define PERSON_DATE_LEN   10 /* YYYY-MM-DD */
#define PERSON_MOBILE_LEN 11
#define PERSON_USCC_LEN   18
#define PERSON_EMAIL_MAX  254 /* RFC 5321 path limit */
#define PERSON_PHONE_MAX  24  /* 0000-00000000-000000 */

/* A normalised ID number and what the number itself says about its holder. */
struct person_id {
	char number[PERSON_ID_MAX + 1];  /* ASCII digits and capital letters */
	char birth[PERSON_DATE_LEN + 1]; /* YYYY-MM-DD, "" when the document does not carry it */
	char gender[2];                  /* gender code list: "1" male, "2" female, "" unknown */
};

/* Normalises the ID number s[0..n) of document type id_type (a code of codelist_id_type:
 * resident, foreign_permanent, hk_macao_residence, taiwan_residence, hk_macao_permit,
 * taiwan_permit, passport). Spaces and zero-width characters are dropped, full-width forms
 * folded to ASCII, letters upper-cased. Documents built on GB 11643 (resident, the 2023
 * foreign permanent card starting 9, the residence permits starting 810000/820000/830000)
 * have their check character and birth date checked (a real date, 1900 or later, not after
 * today, YYYY-MM-DD in Beijing, or the current Beijing date when today is NULL) and fill
 * out->birth and out->gender; a 15-digit resident number is converted to 18 digits. Region
 * codes are not checked: they change yearly.
 * Returns 0 with *out filled; ERR_UNPROCESSABLE with one error: id_format, id_checksum,
 * id_birth_date or id_excel_precision (the text is a number Excel rounded, such as
 * 1.10105E+17 or 110105198503071234.0, or a GB 11643 number ending 000 whose check fails:
 * Excel's 15 significant digits); ERR_INVALID (nothing added) when id_type is not a code of the list, a
 * programmer's error: validate it with person_code first. *out is all "" on failure. */
int person_id_normalize(const char *id_type, const char *s, size_t n, const char *today,
			struct person_id *out, const char *field, struct errlist *errs);

/* Cross-checks a gender code ("1"/"2"; NULL, "", "0" and "9" say nothing) and a birth date
 * (YYYY-MM-DD as person_date_normalize writes it; NULL or "" say nothing) given beside an ID
 * number against what the normalised number id says (nothing when it says nothing).
 * On a mismatch adds an error to each of the two fields concerned, with param other_field
 * naming the other one: id_gender_mismatch on id_field and gender_field, id_birth_mismatch
 * on id_field and birth_field. Returns 0 when all agree, else ERR_UNPROCESSABLE. */
int person_id_crosscheck(const struct person_id *id, const char *gender, const char *birth,
			 const char *id_field, const char *gender_field, const char *birth_field,
			 struct errlist *errs);

/* Mainland mobile number: spaces, dashes, dots and parentheses dropped, full-width digits
 * folded, a leading +86 or 0086 (or a bare 86 in front of 11 digits) removed; the rest must
 * be ^1[3-9][0-9]{9}$. out (cap >= PERSON_MOBILE_LEN + 1) receives the 11 digits.
 * Returns 0, or ERR_UNPROCESSABLE with code mobile_invalid (a 12-digit number too). */
int person_mobile_normalize(const char *s, size_t n, char *out, size_t cap, const char *field,
			    struct errlist *errs);

/* Landline: an optional area code (0 + 2 or 3 digits, in parentheses or not; +86 / 0086
 * in front drops the 0 people leave out), a 7- or 8-digit local number and an optional
 * extension (after -, #, x, ext, 转 or 分机, 1-6 digits). Written as 010-12345678,
 * 0571-87654321-8001 or 87654321. out (cap >= PERSON_PHONE_MAX + 1).
 * Returns 0, or ERR_UNPROCESSABLE with code landline_invalid. */
int person_landline_normalize(const char *s, size_t n, char *out, size_t cap, const char *field,
			      struct errlist *errs);

/* E-mail address: full-width forms folded, white space trimmed; one @, a local part of
 * 1-64 RFC 5322 atom characters and single inner dots, a domain of two or more labels
 * (letters, digits, inner hyphens, 1-63 each; the last not all digits), at most 254 in all.
 * The domain is lower-cased; the local part is kept as typed (RFC 5321: it may be case
 * sensitive). out (cap >= PERSON_EMAIL_MAX + 1). ERR_UNPROCESSABLE code email_invalid. */
int person_email_normalize(const char *s, size_t n, char *out, size_t cap, const char *field,
			   struct errlist *errs);

enum person_date_flag {
	PDATE_NUMERIC_CELL = 1u << 0, /* the text came from a numeric spreadsheet cell: a plain
				       * number is an Excel serial day (1900 date system) */
};

/* A date as people write it: 1985-03-07, 1985/3/7, 1985.3.7, 1985年3月7日, 19850307, a
 * spreadsheet's midnight timestamp (1985-3-7 00:00:00) and, with PDATE_NUMERIC_CELL, an
 * Excel serial number (31113, 31113.0; serial 60 is Excel's 29 February 1900, which never
 * was). Years 1800-2999. A date is a date: no time zone is applied, and a timestamp with a
 * time of day other than midnight is refused (it may be a shifted local midnight).
 * out (cap >= PERSON_DATE_LEN + 1) receives YYYY-MM-DD.
 * Returns 0, or ERR_UNPROCESSABLE with code date_ambiguous (03/07/1985, 3/7/85, 85-3-7: the
 * order of day and month or the century is not known, so no guess is made) or date_invalid
 * (1985-02-30, garbage). */
int person_date_normalize(const char *s, size_t n, unsigned flags, char *out, size_t cap, const char *field,
			  struct errlist *errs);

/* Unified social credit code (GB 32100) of a group member: white space and zero-width
 * characters dropped, full-width forms folded, upper-cased; 18 characters over 0-9 and A-Z
 * without I, O, Z, S, V with the check character core/codes.c computes. out (cap >=
 * PERSON_USCC_LEN + 1). ERR_UNPROCESSABLE with code credit_code_format or credit_code_checksum (as
 * credit_code_normalize, core/codes.h). */
int person_uscc_normalize(const char *s, size_t n, char *out, size_t cap, const char *field,
			  struct errlist *errs);

/* A value of code list list as people write it: the code, the Chinese or English label or
 * one of the item's other words (ASCII case ignored, white space trimmed, full-width forms
 * folded), via codeset_match. *code receives the item's code (static storage, never freed).
 * Blank text is 0 with *code NULL when optional, else the error `required`.
 * Returns 0, or ERR_UNPROCESSABLE with one error (required, or not_allowed via
 * codelist_refuse) and *code NULL. */
int person_code(const struct codeset *list, const char *s, size_t n, bool optional, const char **code,
		const char *field, struct errlist *errs);

#endif
