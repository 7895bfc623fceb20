/*
 * codes.c - GB 32100 credit codes, GB 11643 identity numbers, mobile numbers.
 *
 * Typing mistakes are far more common than a registered code that fails its own check,
 * so a check-character mismatch is always a field error, never a warning.
 */
#include "core/codes.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* Folds full-width ASCII (U+FF01..U+FF5E, UTF-8 EF BC 81 .. EF BD 9E) to ASCII and copies
 * the rest; drops nothing. Returns false when the result would not fit. This is the part
 * of NFKC that matters for codes people type. */
static bool fold_ascii(const char *in, char *out, size_t cap)
{
	size_t n = 0;
	const unsigned char *p = (const unsigned char *)in;
	while (*p) {
		unsigned c;
		if (p[0] == 0xEF && (p[1] == 0xBC || p[1] == 0xBD) && p[2] >= 0x80 && p[2] <= 0xBF) {
			unsigned cp = 0xFF00u + ((p[1] == 0xBD) ? 0x40u : 0u) + (p[2] - 0x80u);
			if (cp < 0xFF01 || cp > 0xFF5E)
				return false;
			c = cp - 0xFF01u + 0x21u;
			p += 3;
		} else if (p[0] == 0xE3 && p[1] == 0x80 && p[2] == 0x80) { /* ideographic space */
			c = ' ';
			p += 3;
		} else {
			c = *p++;
		}
		if (n + 1 >= cap)
			return false;
		out[n++] = (char)c;
	}
	out[n] = '\0';
	return true;
}

static const char CREDIT_ALPHABET[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
static const int CREDIT_WEIGHTS[17] = {1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28};

static int credit_value(char c)
{
	const char *p = strchr(CREDIT_ALPHABET, c);
	return c && p ? (int)(p - CREDIT_ALPHABET) : -1;
}

int credit_code_normalize(const char *in, char *out, size_t cap, const char *field, struct errlist *errs)
{
	char tmp[64];
	size_t n = 0;
	if (cap < CREDIT_CODE_LEN + 1 || !fold_ascii(in, tmp, sizeof(tmp)))
		return errlist_add(errs, field, "credit_code_format",
				   "must be 18 characters of digits and capital letters");
	for (const char *p = tmp; *p; p++) {
		char c = *p;
		if (c == ' ' || c == '-')
			continue;
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		if (n >= CREDIT_CODE_LEN || credit_value(c) < 0)
			return errlist_add(
				errs, field, "credit_code_format",
				"must be 18 characters: digits and capital letters except I, O, Z, S, V");
		out[n++] = c;
	}
	out[n] = '\0';
	if (n != CREDIT_CODE_LEN)
		return errlist_add(errs, field, "credit_code_format", "must be 18 characters long");
	int sum = 0;
	for (int i = 0; i < 17; i++)
		sum += credit_value(out[i]) * CREDIT_WEIGHTS[i];
	int check = 31 - sum % 31;
	if (check == 31)
		check = 0;
	if (CREDIT_ALPHABET[check] != out[17])
		return errlist_add(errs, field, "credit_code_checksum",
				   "the check character does not match: look for a typing mistake");
	return 0;
}
