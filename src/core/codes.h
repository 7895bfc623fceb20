/*
 * codes.h - the unified social credit code (GB 32100) of organizations and member units:
 * what users really type (full-width forms, lowercase) to the one canonical ASCII form that
 * is stored and compared; a value that cannot be normalised or fails its check is a field
 * error with a stable code. People's codes (ID numbers, mobiles) have their normalisers in
 * core/personfield.h, with the other person fields.
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

/* GB 32100: 18 characters over 0-9 and A-Z without I, O, Z, S, V; the last is a check
 * character (weights 1,3,9,...,28; C18 = 31 - sum mod 31, 31 -> 0). Lowercase letters and
 * full-width forms are accepted. out (>= 19 bytes) receives the canonical code.
 * Returns 0, or adds a field error (codes: credit_code_format, credit_code_checksum) and
 * returns ERR_UNPROCESSABLE. */
int credit_code_normalize(const char *in, char *out, size_t cap, const char *field, struct errlist *errs);

#endif
