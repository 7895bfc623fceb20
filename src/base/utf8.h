/*
 * utf8.h - strict UTF-8 validation for bytes that arrive from clients.
 *
 * Client bytes are (ptr, len) and are never assumed valid: overlong forms, surrogates
 * (ED A0 80), code points above U+10FFFF and U+0000 are all rejected.
 */
#ifndef KEXIE_BASE_UTF8_H
#define KEXIE_BASE_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* Returns true when p[0..n) is valid UTF-8 without U+0000. On failure *bad_at (if
 * non-NULL) receives the offset of the first offending byte. */
bool utf8_valid(const char *p, size_t n, size_t *bad_at);

/* Number of code points in valid UTF-8 p[0..n). */
size_t utf8_count(const char *p, size_t n);

/* Length in bytes of the sequence starting with byte c (1..4), or 0 if c cannot start one. */
int utf8_seqlen(unsigned char c);

/* Is v one of the words of list, separated by sep ("a|b|c", "org.read org.write")?
 * ASCII case is ignored with nocase. An empty v is in no list. */
bool word_in(const char *list, char sep, const char *v, bool nocase);

#endif
