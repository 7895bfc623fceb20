/*
 * names.c - the name normaliser (the rule is in names.h). ICU does the Unicode work: NFC
 * and the character properties, so the classes follow the Unicode version ICU ships
 * (Debian 12: ICU 72, Unicode 15) instead of a hand-kept table.
 */
#include "core/names.h"
#include "base/utf8.h"

#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NNBSP 0x202F /* narrow no-break space: part of Mongolian words, never collapsed */

/* The code point at u[*i] (a lone surrogate stays itself), advancing *i. */
static UChar32 next_cp(const UChar *u, int32_t *i, int32_t n)
{
	UChar32 c = u[(*i)++];
	if (c >= 0xD800 && c <= 0xDBFF && *i < n && u[*i] >= 0xDC00 && u[*i] <= 0xDFFF)
		c = ((c - 0xD800) << 10) + (u[(*i)++] - 0xDC00) + 0x10000;
	return c;
}

/* Writes c at u[o]; returns the new end. */
static int32_t put_cp(UChar *u, int32_t o, UChar32 c)
{
	if (c < 0x10000) {
		u[o++] = (UChar)c;
	} else {
		c -= 0x10000;
		u[o++] = (UChar)(0xD800 + (c >> 10));
		u[o++] = (UChar)(0xDC00 + (c & 0x3FF));
	}
	return o;
}

static bool collapsible(UChar32 c)
{
	return c != NNBSP && u_isUWhiteSpace(c);
}

static bool visible(UChar32 c)
{
	return (U_GET_GC_MASK(c) & (U_GC_L_MASK | U_GC_N_MASK | U_GC_P_MASK | U_GC_S_MASK | U_GC_CO_MASK)) !=
	       0;
}

static bool control(UChar32 c)
{
	return (U_GET_GC_MASK(c) & (U_GC_CC_MASK | U_GC_CF_MASK | U_GC_CN_MASK | U_GC_CS_MASK)) != 0 ||
	       u_hasBinaryProperty(c, UCHAR_NONCHARACTER_CODE_POINT);
}

static bool pictograph(UChar32 c)
{
	return u_hasBinaryProperty(c, UCHAR_EXTENDED_PICTOGRAPHIC) ||
	       u_hasBinaryProperty(c, UCHAR_REGIONAL_INDICATOR) ||
	       u_hasBinaryProperty(c, UCHAR_EMOJI_MODIFIER) || c == 0xFE0F || c == 0x20E3;
}

/* Joiners are allowed between two characters (Persian, Indic scripts), U+180E anywhere
 * inside (Mongolian); every other format character is refused. */
static bool allowed_format(UChar32 c, bool inside)
{
	return ((c == 0x200C || c == 0x200D) && inside) || c == 0x180E;
}

/* NFC of u[0..n) into a new buffer; *out_n its length. 0, ERR_NOMEM or ERR_INTERNAL. */
static int nfc(const UChar *u, int32_t n, UChar **out, int32_t *out_n)
{
	UErrorCode st = U_ZERO_ERROR;
	const UNormalizer2 *norm = unorm2_getNFCInstance(&st);
	if (U_FAILURE(st))
		return ERR_INTERNAL;
	int32_t cap = n * 2 + 16;
	for (int attempt = 0; attempt < 2; attempt++) {
		UChar *buf = malloc(sizeof(UChar) * (size_t)cap);
		if (!buf)
			return ERR_NOMEM;
		st = U_ZERO_ERROR;
		int32_t len = unorm2_normalize(norm, u, n, buf, cap, &st);
		if (U_SUCCESS(st)) {
			*out = buf;
			*out_n = len;
			return 0;
		}
		free(buf);
		if (st != U_BUFFER_OVERFLOW_ERROR)
			return ERR_INTERNAL;
		cap = len + 1;
	}
	return ERR_INTERNAL;
}

/* Trims white space and collapses runs inside to one U+0020, in place; returns the length. */
static int32_t squeeze(UChar *u, int32_t n)
{
	int32_t i = 0, o = 0;
	bool any = false, space = false;
	while (i < n) {
		UChar32 c = next_cp(u, &i, n);
		if (collapsible(c) || (c == NNBSP && !any)) {
			space = any;
			continue;
		}
		if (space && c != NNBSP)
			u[o++] = ' ';
		space = false;
		any = true;
		o = put_cp(u, o, c); /* o never passes i: the text only shrinks */
	}
	while (o > 0 && u[o - 1] == NNBSP)
		o--;
	return o;
}

/* The middle dots people type inside "阿沛·阿旺晋美" or "让-雅克·卢梭": the Chinese IME
 * gives U+00B7 or U+2022, Japanese input U+30FB / U+FF65, Word's symbol table U+2219 or
 * U+2027, and U+2E31 is the dictionary's word separator. Letters that merely look like a dot
 * (U+318D Hangul araea, U+16EB runic) are letters of their scripts and stay. */
static bool middle_dot(UChar32 c)
{
	return c == 0x00B7 || c == 0x2022 || c == 0x2027 || c == 0x2219 || c == 0x30FB || c == 0xFF65 ||
	       c == 0x2E31;
}

/* NAME_PERSON: every middle dot becomes U+00B7 and the single spaces squeeze left around
 * one go, in place (all BMP, so the text only shrinks); returns the length. */
static int32_t one_dot(UChar *u, int32_t n)
{
	int32_t o = 0;
	for (int32_t i = 0; i < n; i++) {
		UChar c = u[i];
		if (middle_dot(c)) {
			c = 0x00B7;
			if (o > 0 && u[o - 1] == ' ')
				o--;
		} else if (c == ' ' && o > 0 && u[o - 1] == 0x00B7) {
			continue;
		}
		u[o++] = c;
	}
	return o;
}

/* The first rule the squeezed name u[0..n) breaks, as a field-error code, or NULL. */
static const char *refusal(const UChar *u, int32_t n, unsigned flags, size_t *cps)
{
	bool seen_visible = false, bidi = false, ctl = false, emoji = false;
	size_t count = 0;
	for (int32_t i = 0; i < n;) {
		int32_t at = i;
		UChar32 c = next_cp(u, &i, n);
		count++;
		if (visible(c))
			seen_visible = true;
		if (u_hasBinaryProperty(c, UCHAR_BIDI_CONTROL))
			bidi = true;
		else if (control(c) && !allowed_format(c, at > 0 && i < n && u[at - 1] != ' ' && u[i] != ' '))
			ctl = true;
		if ((flags & NAME_OFFICIAL) && pictograph(c))
			emoji = true;
	}
	*cps = count;
	if (n && !seen_visible)
		return "name_invisible";
	if (bidi)
		return "name_bidi";
	if (ctl)
		return "name_control";
	if (emoji)
		return "name_emoji";
	return NULL;
}

static const char *message(const char *code)
{
	if (!strcmp(code, "name_invisible"))
		return "has no visible character";
	if (!strcmp(code, "name_bidi"))
		return "contains a bidirectional control character (U+202A-202E, U+2066-2069, U+200E/F, U+061C)";
	if (!strcmp(code, "name_control"))
		return "contains an invisible control or format character (such as U+200B or U+FEFF)";
	if (!strcmp(code, "name_emoji"))
		return "an official name cannot contain emoji or pictographs";
	if (!strcmp(code, "invalid_utf8"))
		return "is not valid UTF-8";
	return "is required";
}

int name_normalize(const char *s, size_t n, unsigned flags, size_t min_cp, size_t max_cp, char *out,
		   size_t cap, const char *field, struct errlist *errs)
{
	UChar *u = NULL, *v = NULL;
	const char *code = NULL;
	int rc = 0;
	if (cap)
		out[0] = '\0';
	if (!s || !utf8_valid(s, n, NULL) || n > INT32_MAX / 4) {
		code = s ? "invalid_utf8" : "required";
		goto done;
	}
	u = malloc(sizeof(UChar) * (n + 1));
	if (!u) {
		rc = ERR_NOMEM;
		goto done;
	}
	UErrorCode st = U_ZERO_ERROR;
	int32_t un = 0;
	u_strFromUTF8(u, (int32_t)n + 1, &un, s, (int32_t)n, &st);
	if (U_FAILURE(st)) {
		code = "invalid_utf8";
		goto done;
	}
	int32_t vn = 0;
	rc = nfc(u, un, &v, &vn);
	if (rc)
		goto done;
	vn = squeeze(v, vn);
	if (flags & NAME_PERSON)
		vn = one_dot(v, vn);
	size_t cps = 0;
	code = refusal(v, vn, flags, &cps);
	if (code)
		goto done;
	if (!vn && min_cp) {
		code = n ? "name_invisible" : "required";
		goto done;
	}
	if (cps < min_cp || cps > max_cp)
		goto length;
	int32_t len = 0;
	st = U_ZERO_ERROR;
	u_strToUTF8(out, (int32_t)(cap > INT32_MAX ? INT32_MAX : cap), &len, v, vn, &st);
	if (U_FAILURE(st) || st == U_STRING_NOT_TERMINATED_WARNING || (size_t)len >= cap) {
		if (cap)
			out[0] = '\0';
		goto length;
	}
	goto done;
length:;
	/* which bound, with the bound as a param for the UI's own words */
	char msg[96];
	if (cps < min_cp) {
		snprintf(msg, sizeof(msg), "at least %zu characters", min_cp);
		errlist_add(errs, field, "too_short", msg);
		rc = errlist_param_int(errs, "min", (long long)min_cp);
	} else {
		snprintf(msg, sizeof(msg), "at most %zu characters", max_cp);
		errlist_add(errs, field, "too_long", msg);
		rc = errlist_param_int(errs, "max", (long long)max_cp);
	}
done:
	if (code)
		rc = errlist_add(errs, field, code, message(code));
	free(u);
	free(v);
	return rc;
}
