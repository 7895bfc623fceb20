/*
 * names.h - the one normaliser for names people give to things: organizations (name, short
 * name), accounts (display name) and every later name field. One rule, so that two names
 * that look the same are stored the same, and no name can hide or reorder what a reader
 * sees. free text (descriptions, notes) does not go through it.
 *
 * The rule, in order:
 *   1. The bytes must be UTF-8 (invalid_utf8).
 *   2. NFC (Unicode canonical composition, ICU): "e" + U+0301 and "é" are one name.
 *   3. White space (Unicode White_Space: spaces, tabs, line breaks, U+0085, U+00A0, U+3000
 *      ideographic space...) is trimmed at both ends and each run inside becomes one U+0020.
 *      U+202F (narrow no-break space) inside a name is kept: Mongolian script needs it.
 *   4. A name must have a visible character: a letter, digit, punctuation, symbol or private
 *      use character (name_invisible: only U+200B, U+FEFF, U+3000, U+0085, combining marks...).
 *      An empty name is `required`, unless the field may be empty.
 *   5. No bidirectional controls (U+202A-202E, U+2066-2069, U+200E, U+200F, U+061C): they
 *      make a name read differently from how it sorts and compares (name_bidi).
 *   6. No other control or format character (U+200B zero-width space, U+FEFF, U+00AD soft
 *      hyphen, U+2060, tags...), noncharacter or unassigned code point (name_control).
 *      U+200C / U+200D (zero-width non-joiner / joiner) are allowed between two characters,
 *      where Persian and Indic scripts need them; U+180E (Mongolian vowel separator) too.
 *   7. Official names (NAME_OFFICIAL) refuse pictographs: emoji (Extended_Pictographic),
 *      flags (regional indicators), skin tones, the emoji presentation selector U+FE0F and
 *      the keycap U+20E3 (name_emoji). Ideographic variation selectors stay (personal names
 *      use them).
 *   8. Personal names (NAME_PERSON) write the middle dot of minority and foreign names one way:
 *      U+2022 bullet, U+2027 hyphenation point, U+2219 bullet operator, U+30FB katakana middle
 *      dot, U+FF65 half-width katakana middle dot and U+2E31 word separator middle dot become
 *      U+00B7 (U+0387 Greek ano teleia already is U+00B7 after NFC), and the spaces around a
 *      middle dot go: "阿沛 • 阿旺晋美" is stored "阿沛·阿旺晋美". Nothing else changes:
 *      characters beyond the BMP (𠮷, 𪚥) stay byte for byte.
 *   9. Length is counted in code points after all this (too_short / too_long, with the bound in params).
 * Every refusal is a field error naming the field, with a stable code the web translates.
 */
#ifndef KEXIE_CORE_NAMES_H
#define KEXIE_CORE_NAMES_H

#include "base/err.h"

#include <stddef.h>

enum name_flag {
	NAME_OFFICIAL = 1u << 0, /* an official name: no pictographs */
	NAME_PERSON = 1u << 1,   /* a person's name: one middle dot (rule 8) */
};

/* Normalises the name s[0..n) by the rule above into out (cap bytes, NUL-terminated; cap of
 * max_cp * 4 + 1 always suffices). min_cp 0 lets the field be empty.
 * Returns 0; ERR_UNPROCESSABLE with one field error for `field` added to errs; ERR_NOMEM;
 * ERR_INTERNAL when ICU fails. out is "" on failure. */
int name_normalize(const char *s, size_t n, unsigned flags, size_t min_cp, size_t max_cp, char *out,
		   size_t cap, const char *field, struct errlist *errs);

#endif
