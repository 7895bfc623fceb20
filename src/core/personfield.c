/*
 * personfield.c - the person-field normalisers (contracts in personfield.h). Each one folds
 * what people type to one ASCII form first (fold below: full-width forms, every Unicode
 * space, zero-width characters, the dash family) and then checks the form of its field.
 * ICU answers "is this white space"; the rest is small enough to read here.
 *
 * Messages name the rule, never the value: an ID or mobile number in an error message would
 * reach logs and screens where the masked form is all that may be shown.
 */
#include "core/personfield.h"
#include "base/timeutil.h"
#include "base/utf8.h"
#include "core/codelist.h"
#include "core/codes.h"

#include <unicode/uchar.h>

#include <stdio.h>
#include <string.h>

#define FOLD_MAX 256 /* longer text is no value of these fields */

/* The code point of valid UTF-8 at p (advances *i). */
static UChar32 next_utf8(const unsigned char *p, size_t *i)
{
	unsigned char c = p[*i];
	int len = utf8_seqlen(c);
	UChar32 cp = len == 1 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
	for (int k = 1; k < len; k++)
		cp = (cp << 6) | (p[*i + (size_t)k] & 0x3F);
	*i += (size_t)len;
	return cp;
}

static bool zero_width(UChar32 c)
{
	return c == 0x200B || c == 0x200C || c == 0x200D || c == 0x2060 || c == 0xFEFF || c == 0x180E;
}

static bool dash(UChar32 c)
{
	return (c >= 0x2010 && c <= 0x2015) || c == 0x2212 || c == 0xFE58 || c == 0xFE63;
}

/* Folds s[0..n) into out (cap bytes, NUL-terminated): full-width ASCII (U+FF01-FF5E) to
 * ASCII, every white space to one U+0020 (runs collapsed, both ends trimmed), zero-width
 * characters dropped, dashes to '-'. Other non-ASCII characters are copied when keep_other,
 * else make the fold fail. Returns the length, or -1 (invalid UTF-8, U+0000, a character
 * refused, or too long). */
static int fold(const char *s, size_t n, bool keep_other, char *out, size_t cap)
{
	if (!s || n > FOLD_MAX * 4 || !utf8_valid(s, n, NULL))
		return -1;
	const unsigned char *p = (const unsigned char *)s;
	size_t o = 0;
	bool space = false;
	for (size_t i = 0; i < n;) {
		size_t at = i;
		UChar32 c = next_utf8(p, &i);
		if (c >= 0xFF01 && c <= 0xFF5E)
			c -= 0xFEE0;
		else if (dash(c))
			c = '-';
		if (zero_width(c))
			continue;
		if (u_isUWhiteSpace(c)) {
			space = o > 0;
			continue;
		}
		size_t need = c < 0x80 ? 1 : i - at;
		if (c >= 0x80 && !keep_other)
			return -1;
		if (o + (space ? 1 : 0) + need + 1 > cap)
			return -1;
		if (space)
			out[o++] = ' ';
		space = false;
		if (c < 0x80)
			out[o++] = (char)c;
		else
			for (size_t k = at; k < i; k++)
				out[o++] = (char)p[k];
	}
	out[o] = '\0';
	return (int)o;
}

/* Upper-cases the ASCII letters of t in place. */
static void to_upper(char *t)
{
	for (; *t; t++)
		if (*t >= 'a' && *t <= 'z')
			*t = (char)(*t - 'a' + 'A');
}

/* Drops the spaces of t in place and upper-cases ASCII letters. */
static void compact_upper(char *t)
{
	char *o = t;
	for (char *p = t; *p; p++) {
		if (*p == ' ')
			continue;
		*o++ = (*p >= 'a' && *p <= 'z') ? (char)(*p - 'a' + 'A') : *p;
	}
	*o = '\0';
}

static bool digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool all_digits(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!digit(p[i]))
			return false;
	return true;
}

static bool upper(char c)
{
	return c >= 'A' && c <= 'Z';
}

static int num(const char *p, size_t n)
{
	int v = 0;
	for (size_t i = 0; i < n; i++)
		v = v * 10 + (p[i] - '0');
	return v;
}

static bool leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static bool real_date(int y, int m, int d)
{
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (m < 1 || m > 12 || d < 1)
		return false;
	return d <= mdays[m - 1] + (m == 2 && leap(y) ? 1 : 0);
}

/* ---- ID numbers ---- */

static const int ID_WEIGHTS[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};

/* The GB 11643 check character of 17 digits. */
static char gb11643_check(const char *d17)
{
	int sum = 0;
	for (int i = 0; i < 17; i++)
		sum += (d17[i] - '0') * ID_WEIGHTS[i];
	return "10X98765432"[sum % 11];
}

/* Text a spreadsheet made of a long number: 1.10105E+17, 1.10105198503071E+17,
 * 110105198503071234.0. No document number holds '.' or "E+", so this is never a real one. */
static bool excel_number(const char *t)
{
	const char *p = t;
	bool dot = false, exp = false;
	if (!digit(*p))
		return false;
	while (digit(*p))
		p++;
	if (*p == '.') {
		dot = true;
		for (p++; digit(*p); p++)
			;
	}
	if (p[0] == 'E' && p[1] == '+' && digit(p[2])) {
		exp = true;
		for (p += 2; digit(*p); p++)
			;
	}
	return !*p && (dot || exp);
}

#define EXCEL_MSG "the number lost its last digits in Excel: format the column as text and type it again"

/* Today in Beijing, YYYY-MM-DD, into out[11]. */
static void beijing_today(char *out)
{
	char iso[32], bj[32];
	time_iso_now(iso, sizeof(iso));
	if (!time_beijing(iso, bj, sizeof(bj)))
		snprintf(bj, sizeof(bj), "%s", iso);
	snprintf(out, PERSON_DATE_LEN + 1, "%.10s", bj);
}

/* Checks an 18-character GB 11643 number (17 digits + digit or X) in id: its birth date and
 * check character; fills out->birth and out->gender. Returns NULL or the error code. */
static const char *gb11643(const char *id, const char *today, struct person_id *out, const char **msg)
{
	if (!all_digits(id, 17) || !(digit(id[17]) || id[17] == 'X')) {
		*msg = "must be 17 digits and a check digit or X";
		return "id_format";
	}
	int y = num(id + 6, 4), m = num(id + 10, 2), d = num(id + 12, 2);
	const char birth[PERSON_DATE_LEN + 1] = {id[6],  id[7], id[8],  id[9],  '-', id[10],
						 id[11], '-',   id[12], id[13], '\0'};
	if (y < 1900 || !real_date(y, m, d) || strcmp(birth, today) > 0) {
		*msg = "the birth date inside the number is impossible, before 1900 or in the future";
		return "id_birth_date";
	}
	if (gb11643_check(id) != id[17]) {
		/* Excel keeps 15 significant digits: a number column shows 110105198503071000 */
		if (!memcmp(id + 15, "000", 3)) {
			*msg = EXCEL_MSG;
			return "id_excel_precision";
		}
		*msg = "the check character does not match: look for a typing mistake";
		return "id_checksum";
	}
	memcpy(out->birth, birth, sizeof(birth));
	out->gender[0] = (id[16] - '0') % 2 ? '1' : '2';
	out->gender[1] = '\0';
	return NULL;
}

int person_id_normalize(const char *id_type, const char *s, size_t n, const char *today,
			struct person_id *out, const char *field, struct errlist *errs)
{
	char t[FOLD_MAX + 1], now[PERSON_DATE_LEN + 1];
	const char *code = "id_format", *msg = "is not a document number";
	memset(out, 0, sizeof(*out));
	int type = codeset_index(&codelist_id_type, id_type);
	if (type < 0)
		return ERR_INVALID;
	if (!today) {
		beijing_today(now);
		today = now;
	}
	if (fold(s, n, false, t, sizeof(t)) < 0)
		goto refuse;
	compact_upper(t);
	size_t len = strlen(t);
	if (!len) {
		code = "required";
		msg = "is required";
		goto refuse;
	}
	if (excel_number(t)) {
		code = "id_excel_precision";
		msg = EXCEL_MSG;
		goto refuse;
	}
	const char *kind = codelist_id_type.items[type].code;
	if (!strcmp(kind, "resident")) {
		msg = "must be 18 digits (the last may be X) or an old 15-digit number";
		if (len == 15 && all_digits(t, 15)) { /* old form: YYMMDD, no check character */
			char up[PERSON_ID_MAX + 1];
			memcpy(up, t, 6);
			memcpy(up + 6, "19", 2);
			memcpy(up + 8, t + 6, 9);
			up[17] = gb11643_check(up);
			up[18] = '\0';
			memcpy(t, up, sizeof(up));
			len = 18;
		}
		if (len != 18)
			goto refuse;
		code = gb11643(t, today, out, &msg);
	} else if (!strcmp(kind, "foreign_permanent")) {
		msg = "must be 18 digits starting with 9 (2023 card) or 3 letters and 12 digits";
		if (len == 15 && upper(t[0]) && upper(t[1]) && upper(t[2]) && all_digits(t + 3, 12))
			code = NULL; /* the older card: its fields are not documented well enough to check */
		else if (len == 18 && t[0] == '9')
			code = gb11643(t, today, out, &msg);
	} else if (!strcmp(kind, "hk_macao_residence") || !strcmp(kind, "taiwan_residence")) {
		bool tw = kind[0] == 't';
		msg = tw ? "must be 18 characters starting with 830000"
			 : "must be 18 characters starting with 810000 or 820000";
		if (len == 18 &&
		    (tw ? !memcmp(t, "830000", 6) : (!memcmp(t, "810000", 6) || !memcmp(t, "820000", 6))))
			code = gb11643(t, today, out, &msg);
	} else if (!strcmp(kind, "hk_macao_permit")) {
		msg = "must be H or M and 8 or 10 digits";
		if ((len == 9 || len == 11) && (t[0] == 'H' || t[0] == 'M') && all_digits(t + 1, len - 1))
			code = NULL;
	} else if (!strcmp(kind, "taiwan_permit")) {
		msg = "must be 8 or 10 digits";
		if ((len == 8 || len == 10) && all_digits(t, len))
			code = NULL;
	} else { /* passport */
		msg = "must be 5 to 17 letters and digits";
		code = NULL;
		for (size_t i = 0; i < len; i++)
			if (!digit(t[i]) && !upper(t[i]))
				code = "id_format";
		if (len < 5 || len > 17)
			code = "id_format";
	}
	if (!code) {
		memcpy(out->number, t, len + 1);
		return 0;
	}
refuse:
	memset(out, 0, sizeof(*out));
	return errlist_add(errs, field, code, msg);
}

int person_id_crosscheck(const struct person_id *id, const char *gender, const char *birth,
			 const char *id_field, const char *gender_field, const char *birth_field,
			 struct errlist *errs)
{
	int rc = 0;
	if (id->gender[0] && gender && (!strcmp(gender, "1") || !strcmp(gender, "2")) &&
	    strcmp(gender, id->gender)) {
		errlist_add(errs, id_field, "id_gender_mismatch",
			    "the gender given does not match the ID number");
		errlist_param_str(errs, "other_field", gender_field);
		errlist_add(errs, gender_field, "id_gender_mismatch", "does not match the ID number");
		rc = errlist_param_str(errs, "other_field", id_field);
	}
	if (id->birth[0] && birth && *birth && strcmp(birth, id->birth)) {
		errlist_add(errs, id_field, "id_birth_mismatch",
			    "the birth date given does not match the ID number");
		errlist_param_str(errs, "other_field", birth_field);
		errlist_add(errs, birth_field, "id_birth_mismatch", "does not match the ID number");
		rc = errlist_param_str(errs, "other_field", id_field);
	}
	return rc;
}

/* ---- phones and e-mail ---- */

int person_mobile_normalize(const char *s, size_t n, char *out, size_t cap, const char *field,
			    struct errlist *errs)
{
	char t[FOLD_MAX + 1], d[20];
	size_t k = 0;
	bool plus = false;
	if (cap)
		out[0] = '\0';
	int tl = fold(s, n, false, t, sizeof(t));
	if (tl == 0)
		return errlist_add(errs, field, "required", "is required");
	if (tl < 0 || cap < PERSON_MOBILE_LEN + 1)
		goto refuse;
	for (const char *p = t; *p; p++) {
		if (*p == ' ' || *p == '-' || *p == '.' || *p == '(' || *p == ')')
			continue;
		if (*p == '+' && !k && !plus) {
			plus = true;
			continue;
		}
		if (!digit(*p) || k >= sizeof(d) - 1)
			goto refuse;
		d[k++] = *p;
	}
	d[k] = '\0';
	const char *m = d;
	if (plus) {
		if (strncmp(d, "86", 2))
			goto refuse; /* another country's number */
		m += 2;
	} else if (k == 15 && !strncmp(d, "0086", 4)) {
		m += 4;
	} else if (k == 13 && !strncmp(d, "86", 2)) {
		m += 2;
	}
	if (strlen(m) != PERSON_MOBILE_LEN || m[0] != '1' || m[1] < '3')
		goto refuse;
	memcpy(out, m, PERSON_MOBILE_LEN + 1);
	return 0;
refuse:
	return errlist_add(errs, field, "mobile_invalid",
			   "must be an 11-digit mobile number starting 13 to 19");
}

/* Splits the extension off t in place at 转, 分机, ext, x or #: returns the extension
 * text (maybe "") or NULL when there is no marker. */
static char *split_extension(char *t)
{
	static const char *const marks[] = {"\xe8\xbd\xac", "\xe5\x88\x86\xe6\x9c\xba", "EXT", "X", "#"};
	for (size_t i = 0; i < sizeof(marks) / sizeof(marks[0]); i++) {
		char *at = strstr(t, marks[i]);
		if (at) {
			*at = '\0';
			char *e = at + strlen(marks[i]);
			while (*e == '.' || *e == ':' || *e == ' ' || *e == '-')
				e++;
			return e;
		}
	}
	return NULL;
}

/* A landline without separators, d (the area code's 0 in front, or no area code): writes
 * "area-local" or "local" into out[cap]. */
static bool landline_digits(const char *d, char *out, size_t cap)
{
	size_t len = strlen(d), area = 0;
	if (d[0] == '0') {
		if (len < 2 || d[1] == '0')
			return false;
		area = (d[1] == '1' || d[1] == '2') ? 3 : 4; /* 010, 02x; 0571 ... */
	}
	if (len < area + 7 || len > area + 8 || d[area] < '2')
		return false;
	if (area)
		snprintf(out, cap, "%.*s-%s", (int)area, d, d + area);
	else
		snprintf(out, cap, "%s", d);
	return true;
}

int person_landline_normalize(const char *s, size_t n, char *out, size_t cap, const char *field,
			      struct errlist *errs)
{
	char t[FOLD_MAX + 1], groups[8][24], all[40] = "", head[40] = "", main_no[32];
	int ng = 0;
	if (cap)
		out[0] = '\0';
	int tl = fold(s, n, true, t, sizeof(t));
	if (tl == 0)
		return errlist_add(errs, field, "required", "is required");
	if (tl < 0 || cap < PERSON_PHONE_MAX + 1)
		goto refuse;
	to_upper(t);
	char *ext = split_extension(t);
	const char *p = t;
	bool intl = false;
	if (p[0] == '+') {
		if (strncmp(p + 1, "86", 2))
			goto refuse;
		p += 3;
		intl = true;
	} else if (!strncmp(p, "0086", 4) && !digit(p[4])) {
		p += 4;
		intl = true;
	}
	/* digit groups between separators */
	size_t gl = 0;
	for (;; p++) {
		if (digit(*p)) {
			if (gl >= sizeof(groups[0]) - 1 || ng >= 8)
				goto refuse;
			groups[ng][gl++] = *p;
			continue;
		}
		if (gl) {
			groups[ng++][gl] = '\0';
			gl = 0;
		}
		if (!*p)
			break;
		if (*p != '-' && *p != '(' && *p != ')' && *p != ' ')
			goto refuse;
	}
	if (!ng)
		goto refuse;
	/* +86 10 12345678: the area code's 0 is left out after a country code */
	const char *zero = intl && groups[0][0] != '0' ? "0" : "";
	size_t la = (size_t)snprintf(all, sizeof(all), "%s", zero);
	for (int i = 0; i < ng; i++) {
		if (i == ng - 1)
			snprintf(head, sizeof(head), "%s", all);
		la += (size_t)snprintf(all + la, sizeof(all) - la, "%s", groups[i]);
		if (la >= sizeof(all))
			goto refuse;
	}
	/* without a marker the last group is an extension when the one before it is a whole
	 * local number (010-62345678-8001, 8600800-0); else the groups are one number split
	 * for reading (0571-8765-4321). This is how the output reads back: a fixed point. */
	size_t before = ng >= 2 ? strlen(groups[ng - 2]) : 0;
	if (ext) {
		if (!*ext || strlen(ext) > 6 || !all_digits(ext, strlen(ext)) ||
		    !landline_digits(all, main_no, sizeof(main_no)))
			goto refuse;
	} else if (ng >= 2 && strlen(groups[ng - 1]) <= 6 && before >= 7 && before <= 8 &&
		   landline_digits(head, main_no, sizeof(main_no))) {
		ext = groups[ng - 1];
	} else if (!landline_digits(all, main_no, sizeof(main_no))) {
		goto refuse;
	}
	if (ext)
		snprintf(out, cap, "%s-%s", main_no, ext);
	else
		snprintf(out, cap, "%s", main_no);
	return 0;
refuse:
	if (cap)
		out[0] = '\0';
	return errlist_add(
		errs, field, "landline_invalid",
		"must be a landline number: an area code, 7 or 8 digits and an optional extension");
}

static bool atext(char c)
{
	return digit(c) || upper(c) || (c >= 'a' && c <= 'z') || (c && strchr("!#$%&'*+/=?^_`{|}~-", c));
}

int person_email_normalize(const char *s, size_t n, char *out, size_t cap, const char *field,
			   struct errlist *errs)
{
	char t[FOLD_MAX + 1];
	if (cap)
		out[0] = '\0';
	int len = fold(s, n, false, t, sizeof(t));
	if (len == 0)
		return errlist_add(errs, field, "required", "is required");
	if (len < 3 || len > PERSON_EMAIL_MAX || cap < (size_t)len + 1)
		goto refuse;
	char *at = strchr(t, '@');
	if (!at || strchr(at + 1, '@'))
		goto refuse;
	size_t local = (size_t)(at - t);
	if (!local || local > 64 || t[0] == '.' || t[local - 1] == '.')
		goto refuse;
	for (size_t i = 0; i < local; i++)
		if (!(atext(t[i]) || (t[i] == '.' && t[i + 1] != '.')))
			goto refuse;
	/* the domain: labels of letters, digits and inner hyphens */
	int labels = 0;
	size_t lab = 0;
	bool numeric = true;
	for (char *p = at + 1;; p++) {
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
		if (*p == '.' || !*p) {
			if (!lab || lab > 63 || p[-1] == '-')
				goto refuse;
			labels++;
			if (!*p)
				break;
			lab = 0;
			numeric = true;
			continue;
		}
		if (!(digit(*p) || (*p >= 'a' && *p <= 'z') || (*p == '-' && lab)))
			goto refuse;
		if (!digit(*p))
			numeric = false;
		lab++;
	}
	if (labels < 2 || numeric || strlen(at + 1) > 253)
		goto refuse;
	memcpy(out, t, (size_t)len + 1);
	return 0;
refuse:
	return errlist_add(errs, field, "email_invalid", "must be an e-mail address such as name@example.cn");
}

/* ---- dates ---- */

/* The civil date of a day count from 1970-01-01 (Howard Hinnant's days_from_civil inverse). */
static void civil(long z, int *y, int *m, int *d)
{
	z += 719468;
	long era = (z >= 0 ? z : z - 146096) / 146097;
	long doe = z - era * 146097;
	long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	long mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

/* Reads 1-2 (or up to max) digits at *p; -1 when none. */
static int read_num(const char **p, int max, int *count)
{
	int v = 0, k = 0;
	while (k < max && digit(**p)) {
		v = v * 10 + (**p - '0');
		(*p)++;
		k++;
	}
	*count = k;
	return k ? v : -1;
}

/* A spreadsheet's time of day after a date: " 00:00:00", "T00:00", " 0:00:00.000". Only
 * midnight is a date. */
static bool midnight(const char *p)
{
	if (!*p)
		return true;
	if (*p != ' ' && *p != 'T')
		return false;
	p++;
	int k, h = read_num(&p, 2, &k);
	if (h != 0 || *p++ != ':')
		return false;
	if (read_num(&p, 2, &k) != 0 || k != 2)
		return false;
	if (*p == ':') {
		p++;
		if (read_num(&p, 2, &k) != 0 || k != 2)
			return false;
		if (*p == '.') {
			for (p++; *p == '0'; p++)
				;
		}
	}
	return !*p;
}

int person_date_normalize(const char *s, size_t n, unsigned flags, char *out, size_t cap, const char *field,
			  struct errlist *errs)
{
	char t[FOLD_MAX + 1];
	const char *code = "date_invalid", *msg = "must be a date such as 1985-03-07";
	int y = 0, m = 0, d = 0;
	if (cap)
		out[0] = '\0';
	int tl = fold(s, n, true, t, sizeof(t));
	if (tl == 0)
		return errlist_add(errs, field, "required", "is required");
	if (tl < 0 || cap < PERSON_DATE_LEN + 1)
		goto refuse;
	const char *p = t;
	int la;
	long a = 0;
	while (digit(*p) && p - t < 9)
		a = a * 10 + (*p++ - '0');
	la = (int)(p - t);
	if (!la)
		goto refuse;
	if ((flags & PDATE_NUMERIC_CELL) && *p == '.' && all_digits(p + 1, strlen(p + 1))) {
		/* 31113.0: a whole number of days */
		const char *f = p + 1;
		while (*f == '0')
			f++;
		if (*f) {
			msg = "a time of day is not a date";
			goto refuse;
		}
		p = f;
	}
	if (!*p) {
		if (la == 8) {
			y = (int)(a / 10000), m = (int)(a / 100 % 100), d = (int)(a % 100);
		} else if ((flags & PDATE_NUMERIC_CELL) && la <= 7) {
			/* Excel's 1900 system: serial 1 is 1900-01-01 and serial 60 the 29 February
			 * 1900 Lotus 1-2-3 invented; after it every serial is one day too many. */
			if (a < 1 || a == 60)
				goto refuse;
			civil(a - (a > 60 ? 1 : 0) - 25568, &y, &m, &d);
		} else {
			goto refuse;
		}
	} else {
		static const char NIAN[] = "\xe5\xb9\xb4", YUE[] = "\xe6\x9c\x88", RI[] = "\xe6\x97\xa5";
		char sep = *p;
		bool cjk = !strncmp(p, NIAN, 3);
		if (!cjk && sep != '-' && sep != '/' && sep != '.')
			goto refuse;
		p += cjk ? 3 : 1;
		int kb, kc;
		int b = read_num(&p, 4, &kb);
		if (b < 0 || kb > 2)
			goto refuse;
		if (cjk ? strncmp(p, YUE, 3) : *p != sep)
			goto refuse;
		p += cjk ? 3 : 1;
		int c = read_num(&p, 4, &kc);
		if (c < 0)
			goto refuse;
		if (cjk && !strncmp(p, RI, 3))
			p += 3;
		if (la == 4 && kc <= 2) {
			y = (int)a, m = b, d = c;
		} else if (la <= 2 && (kc <= 2 || (kc == 4 && !cjk))) {
			code = "date_ambiguous";
			msg = "day and month (or the century) can be read two ways: write it as 1985-03-07";
			goto refuse;
		} else {
			goto refuse;
		}
		if (!midnight(p)) {
			msg = "a time of day is not a date: give the date only";
			goto refuse;
		}
	}
	if (y < 1800 || y > 2999 || !real_date(y, m, d)) {
		msg = "no such date (or the year is before 1800 or after 2999)";
		goto refuse;
	}
	snprintf(out, cap, "%04d-%02d-%02d", y, m, d);
	return 0;
refuse:
	if (cap)
		out[0] = '\0';
	return errlist_add(errs, field, code, msg);
}

/* ---- credit codes and code lists ---- */

int person_uscc_normalize(const char *s, size_t n, char *out, size_t cap, const char *field,
			  struct errlist *errs)
{
	char t[FOLD_MAX + 1];
	struct errlist e;
	errlist_init(&e);
	if (cap)
		out[0] = '\0';
	int tl = fold(s, n, false, t, sizeof(t));
	if (tl == 0)
		return errlist_add(errs, field, "required", "is required");
	if (tl < 0 || cap < PERSON_USCC_LEN + 1)
		return errlist_add(errs, field, "credit_code_format",
				   "must be 18 digits and capital letters");
	compact_upper(t);
	/* one check for every credit code, with its codes: core/codes.c's */
	if (strchr(t, '-') || credit_code_normalize(t, out, cap, field, &e)) {
		if (cap)
			out[0] = '\0';
		return errlist_add(errs, field, e.n ? e.e[0].code : "credit_code_format",
				   e.n ? e.e[0].message : "must be 18 digits and capital letters");
	}
	return 0;
}

int person_code(const struct codeset *list, const char *s, size_t n, bool optional, const char **code,
		const char *field, struct errlist *errs)
{
	char t[FOLD_MAX + 1];
	*code = NULL;
	int len = fold(s, n, true, t, sizeof(t));
	if (len == 0 && optional)
		return 0;
	if (len == 0)
		return errlist_add(errs, field, "required", "is required");
	const struct code_item *it = len > 0 ? codeset_match(list, t) : NULL;
	if (!it)
		return codelist_refuse(errs, field, list);
	*code = it->code;
	return 0;
}
