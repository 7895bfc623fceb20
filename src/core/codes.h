/*
 * codes.h - the national codes people type: unified social credit codes (GB 32100),
 * resident identity numbers (GB 11643) and mobile numbers. Each normaliser accepts what
 * users really type (full-width digits, lowercase x, spaces, dashes, +86) and writes the
 * one canonical ASCII form that is stored and compared; a value that cannot be
 * normalised or fails its check is a field error with a stable code.
 *
 * Contracts: pure functions (no database). The normalisers return 0 with out holding the
 * canonical form, or ERR_UNPROCESSABLE with exactly one field error for `field` added to
 * errs (out then holds "" or a partial form: do not use it); ERR_TOOBIG when cap is below
 * the size each states.
 */
#ifndef KEXIE_CORE_CODES_H
#define KEXIE_CORE_CODES_H

#include "base/err.h"

#include <stddef.h>

#define CREDIT_CODE_LEN 18
#define ID_NUMBER_LEN   18
#define MOBILE_LEN      11

/* GB 32100: 18 characters over 0-9 and A-Z without I, O, Z, S, V; the last is a check
 * character (weights 1,3,9,...,28; C18 = 31 - sum mod 31, 31 -> 0). Lowercase letters and
 * full-width forms are accepted. out (>= 19 bytes) receives the canonical code.
 * Returns 0, or adds a field error (codes: credit_code_format, credit_code_checksum) and
 * returns ERR_UNPROCESSABLE. */
int credit_code_normalize(const char *in, char *out, size_t cap, const char *field, struct errlist *errs);

/* GB 11643: 6-digit region + YYYYMMDD + 3-digit sequence + check (0-9 or X). Full-width
 * digits and a lowercase x are normalised; an old 15-digit number is converted (insert
 * "19", compute the check). The birth date must exist and not lie after `today`
 * (YYYY-MM-DD). Region codes are not checked against a list: they change yearly.
 * out (>= 19 bytes). Codes: id_format, id_birth_date, id_checksum. */
int id_number_normalize(const char *in, const char *today, char *out, size_t cap, const char *field,
			struct errlist *errs);

/* Birth date "YYYY-MM-DD" and sex ('M' odd sequence, 'F' even) of a normalised number. */
void id_number_facts(const char *id18, char birth[11], char *sex);

/* Mainland mobile: ^1[3-9]\d{9}$ after dropping spaces, dashes, a leading +86 / 0086 and
 * normalising full-width digits. out (>= 12 bytes). Code: mobile_format. */
int mobile_normalize(const char *in, char *out, size_t cap, const char *field, struct errlist *errs);

#endif
