/*
 * codeset.h - the shape of a code list: codes with a Chinese and an English label, in
 * display order. The lists themselves (org levels, roles, audit actions ...) are data in
 * core/codelist.c; this header only says what a list is, so every layer can hold one
 * (the route table's FT_ENUM fields point at lists; http/body.c validates against them).
 */
#ifndef KEXIE_BASE_CODESET_H
#define KEXIE_BASE_CODESET_H

#include <stdbool.h>
#include <stddef.h>

struct code_item {
	const char *code;  /* stable ASCII code stored and sent over the API ("provincial") */
	const char *zh;    /* Simplified Chinese label ("省级") */
	const char *en;    /* English label ("Provincial") */
	const char *words; /* other spellings people write in files, '|'-separated; NULL = none */
};

struct codeset {
	char name[24];                 /* the list's name in /api/v1/codes ("org_level"); first,
					* so a pointer to it is a pointer to the list (codeset_of) */
	const struct code_item *items; /* display order */
	size_t n;
};

/* The list whose `name` member is at p: route rows name their list as a plain string
 * pointer (`.values = codelist_org_level.name`, see http.h FT_CODE), which needs no
 * layer to know another's types. p must be such a member (test/unit/t-routes.c checks
 * every FT_CODE row); C17 6.7.2.1p15 makes the first member's address the struct's. */
static inline const struct codeset *codeset_of(const char *p)
{
	return (const struct codeset *)(const void *)p;
}

/* Index of code in s (exact, case-sensitive), or -1 when absent or code is NULL/"". */
int codeset_index(const struct codeset *s, const char *code);

/* True when code is one of s. */
bool codeset_has(const struct codeset *s, const char *code);

/* The item at index i, or NULL out of range. */
const struct code_item *codeset_at(const struct codeset *s, int i);

/* The item whose code, Chinese label, English label or one of its other words equals text
 * (ASCII case ignored), or NULL: how files written by people are read ("省级", "Provincial",
 * "省"). */
const struct code_item *codeset_match(const struct codeset *s, const char *text);

/* The label of code in Chinese (zh true) or English; the code itself when it is not in
 * the list (a record older than the list), "" for NULL. Never NULL. */
const char *codeset_label(const struct codeset *s, const char *code, bool zh);

/* Writes the codes joined by sep into out (cap > 0; truncated at a code boundary).
 * Returns out. */
const char *codeset_join(const struct codeset *s, char sep, char *out, size_t cap);

#endif
