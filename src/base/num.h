/*
 * num.h - strict number parsing for text that arrives from outside.
 */
#ifndef KEXIE_BASE_NUM_H
#define KEXIE_BASE_NUM_H

#include <stdbool.h>
#include <stdint.h>

/* True when s is an optional '-' and 1..19 decimal digits whose value fits int64:
 * no spaces, no '+', no exponent, no trailing text. */
bool num_int64(const char *s, int64_t *out);

/* Writes v in decimal into out (at least NUM_INT64_LEN bytes), NUL-terminated; returns the
 * length. snprintf's work without its cost (the JSON writer formats every id with it). */
#define NUM_INT64_LEN 21
int num_fmt_int64(char out[NUM_INT64_LEN], int64_t v);

#endif
