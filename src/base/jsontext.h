/*
 * jsontext.h - JSON string literals without a JSON library: the one escaper used by the
 * audit diffs (domain) and the response writer (http/jsonw.c).
 */
#ifndef KEXIE_BASE_JSONTEXT_H
#define KEXIE_BASE_JSONTEXT_H

#include <stddef.h>

/* Writes s as a JSON string (quote, backslash and control characters escaped; UTF-8
 * passes through), or `null` when s is NULL, into out. Returns the bytes written (no NUL
 * added), or 0 when it does not fit in cap. 6 * strlen(s) + 2 bytes always fit. */
size_t json_quote(char *out, size_t cap, const char *s);

#endif
