/*
 * member_int.h - what member.c and membership.c share, and nobody else uses.
 */
#ifndef KEXIE_DOMAIN_MEMBER_INT_H
#define KEXIE_DOMAIN_MEMBER_INT_H

#include "base/err.h"

#include <stdbool.h>
#include <stddef.h>

/* A date as people write it (core/personfield.h: 1985-03-07, 1985/3/7, 1985年3月7日 ...) into
 * out as YYYY-MM-DD; ERR_UNPROCESSABLE with a field error for `field` (out ""). */
int member_date(const char *text, const char *field, struct errlist *errs, char out[11]);

/* True for valid UTF-8 without control characters (short free-text fields). */
bool member_text_ok(const char *s);

/* The sort key of a name (pinyin with the surname's reading, then the name). */
void member_sort_key(const char *name, char *out, size_t cap);

#endif
