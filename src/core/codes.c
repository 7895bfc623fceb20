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

static const int ID_WEIGHTS[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
static const char ID_CHECK[] = "10X98765432";

static char id_check_char(const char *first17)
{
	int sum = 0;
	for (int i = 0; i < 17; i++)
		sum += (first17[i] - '0') * ID_WEIGHTS[i];
	return ID_CHECK[sum % 11];
}

static bool valid_ymd(const char *d8, const char *today)
{
	int y = 0, m = 0, d = 0;
	for (int i = 0; i < 4; i++)
		y = y * 10 + (d8[i] - '0');
	m = (d8[4] - '0') * 10 + (d8[5] - '0');
	d = (d8[6] - '0') * 10 + (d8[7] - '0');
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (y < 1880 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return false;
	if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return false;
	if (today && strlen(today) == 10) {
		char t8[9] = {today[0], today[1], today[2], today[3], today[5],
			      today[6], today[8], today[9], 0};
		if (memcmp(d8, t8, 8) > 0)
			return false;
	}
	return true;
}

int id_number_normalize(const char *in, const char *today, char *out, size_t cap, const char *field,
			struct errlist *errs)
{
	char tmp[64], id[19];
	size_t n = 0;
	if (cap < ID_NUMBER_LEN + 1 || !fold_ascii(in, tmp, sizeof(tmp)))
		return errlist_add(errs, field, "id_format", "must be an 18-digit identity number");
	for (const char *p = tmp; *p; p++) {
		char c = *p == 'x' ? 'X' : *p;
		if (c == ' ')
			continue;
		bool digit = c >= '0' && c <= '9';
		if (n >= ID_NUMBER_LEN || !(digit || (c == 'X' && (n == 17 || n == 14))))
			return errlist_add(errs, field, "id_format",
					   "must be 18 digits (the last may be X) or an old 15-digit number");
		id[n++] = c;
	}
	id[n] = '\0';
	if (n == 15) { /* old form: YYMMDD birth date, no check character */
		if (id[14] == 'X')
			return errlist_add(errs, field, "id_format", "a 15-digit number has no X");
		char conv[19];
		memcpy(conv, id, 6);
		memcpy(conv + 6, "19", 2);
		memcpy(conv + 8, id + 6, 9);
		conv[17] = id_check_char(conv);
		conv[18] = '\0';
		memcpy(id, conv, 19);
		n = 18;
	} else if (n != 18 || (id[14] == 'X')) {
		return errlist_add(errs, field, "id_format",
				   "must be 18 digits (the last may be X) or an old 15-digit number");
	}
	if (!valid_ymd(id + 6, today))
		return errlist_add(errs, field, "id_birth_date",
				   "the birth date inside the number is impossible or in the future");
	if (id_check_char(id) != id[17])
		return errlist_add(errs, field, "id_checksum",
				   "the check character does not match: look for a typing mistake");
	memcpy(out, id, 19);
	return 0;
}

void id_number_facts(const char *id18, char birth[11], char *sex)
{
	snprintf(birth, 11, "%.4s-%.2s-%.2s", id18 + 6, id18 + 10, id18 + 12);
	*sex = ((id18[16] - '0') % 2) ? 'M' : 'F';
}

int mobile_normalize(const char *in, char *out, size_t cap, const char *field, struct errlist *errs)
{
	char tmp[64], d[32];
	size_t n = 0;
	if (cap < MOBILE_LEN + 1 || !fold_ascii(in, tmp, sizeof(tmp)))
		return errlist_add(errs, field, "mobile_format", "must be an 11-digit mobile number");
	const char *p = tmp;
	while (*p == ' ')
		p++;
	if (p[0] == '+' && p[1] == '8' && p[2] == '6')
		p += 3;
	else if (!strncmp(p, "0086", 4))
		p += 4;
	for (; *p; p++) {
		if (*p == ' ' || *p == '-' || *p == '(' || *p == ')')
			continue;
		if (*p < '0' || *p > '9' || n >= sizeof(d) - 1)
			return errlist_add(errs, field, "mobile_format", "must be an 11-digit mobile number");
		d[n++] = *p;
	}
	d[n] = '\0';
	if (n != MOBILE_LEN || d[0] != '1' || d[1] < '3')
		return errlist_add(errs, field, "mobile_format",
				   "must be 11 digits starting 13-19 (e.g. 13800138000)");
	memcpy(out, d, MOBILE_LEN + 1);
	return 0;
}
