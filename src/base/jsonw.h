/*
 * jsonw.h - the one way kexie writes JSON: straight into a bounded buffer, with no tree of
 * json_t to build, hash and free. libc only, so every layer writes JSON the same way (the
 * audit trail's details in core/, answers in api/; http/ sends a document with jsonw_send
 * in http.h). Parsing stays with jansson.
 *
 * Values nest up to JSONW_DEPTH; keys and strings are escaped as JSON requires (quote,
 * backslash, control characters); UTF-8 passes through (everything stored was validated
 * on the way in). Errors (too deep, too big, out of memory, an end with nothing open)
 * stick: every later call does nothing, and jsonw_result / jsonw_send report the first.
 *
 * Two backings: jsonw_init / jsonw_init_max grow a struct buf on the heap (release with
 * jsonw_release, or hand the bytes on with jsonw_detach or jsonw_send); jsonw_init_fixed
 * writes into the caller's array and never allocates for the text (jsonw_release is then
 * a no-op).
 */
#ifndef KEXIE_BASE_JSONW_H
#define KEXIE_BASE_JSONW_H

#include "base/buf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JSONW_DEPTH 16

struct jsonw {
	struct buf b;             /* heap backing (unused while mem is set) */
	char *mem;                /* fixed backing: the caller's array, NUL-terminated */
	size_t mem_len, mem_cap;  /* bytes written, size of mem */
	bool first[JSONW_DEPTH];  /* no member written yet at this depth */
	char closer[JSONW_DEPTH]; /* '}' or ']' for what is open at this depth */
	int depth;
	int rc;
};

/* Heap-backed, at most 64 MiB. */
void jsonw_init(struct jsonw *w);
/* Heap-backed, at most max bytes (ERR_TOOBIG past it). */
void jsonw_init_max(struct jsonw *w, size_t max);
/* Writes into mem (borrowed; must outlive the writer), at most cap - 1 bytes plus a NUL
 * (ERR_TOOBIG past it). cap must be at least 1. */
void jsonw_init_fixed(struct jsonw *w, char *mem, size_t cap);
/* Frees a heap backing and re-initialises it empty; the writer may not be used after
 * this until it is initialised again. Safe to call twice and on a fixed writer. */
void jsonw_release(struct jsonw *w);

/* key is NULL inside arrays and at the top; it must be non-NULL inside objects. */
void jsonw_object(struct jsonw *w, const char *key);
void jsonw_array(struct jsonw *w, const char *key);
void jsonw_end(struct jsonw *w);                                 /* closes the innermost object or array */
void jsonw_str(struct jsonw *w, const char *key, const char *v); /* NULL: null */
/* n bytes of v (need not be NUL-terminated; NUL bytes inside are not allowed and end
 * the string early). */
void jsonw_strn(struct jsonw *w, const char *key, const char *v, size_t n);
void jsonw_int(struct jsonw *w, const char *key, int64_t v);
void jsonw_bool(struct jsonw *w, const char *key, bool v);
void jsonw_null(struct jsonw *w, const char *key);
/* Writes v as a number with up to 15 significant digits (%.15g, ".0" added to a whole
 * number so it reads back as a real); NaN and infinities,
 * which JSON cannot carry, are written as null. */
void jsonw_double(struct jsonw *w, const char *key, double v);
/* Writes json verbatim as the value: the caller vouches that it is one valid JSON value
 * (e.g. a detail this writer produced earlier and the database kept). NULL: null. */
void jsonw_raw(struct jsonw *w, const char *key, const char *json);

/* A point to come back to: jsonw_rewind drops everything written since jsonw_mark and
 * clears an error raised since, so a caller can add a member only if it fits whole.
 * Valid only while the depth is unchanged in between (rewinding across an end is a
 * programming error: the writer's rc becomes ERR_INTERNAL). */
struct jsonw_mark {
	size_t len;
	int depth;
	bool first;
	int rc;
};
void jsonw_mark(const struct jsonw *w, struct jsonw_mark *m);
void jsonw_rewind(struct jsonw *w, const struct jsonw_mark *m);

/* 0 when the document is whole (no error, everything closed); else the sticky error, or
 * ERR_INTERNAL for something left open. */
int jsonw_result(const struct jsonw *w);
/* The text so far, NUL-terminated, owned by the writer (valid until the next write or
 * release); *len (may be NULL) gets its length. Never NULL. */
const char *jsonw_text(const struct jsonw *w, size_t *len);
/* Heap-backed only: hands the bytes to the caller (free with free()) and leaves the
 * writer empty. Returns NULL (and *len = 0) for a fixed writer. Check jsonw_result
 * first: this hands over whatever was written. */
char *jsonw_detach(struct jsonw *w, size_t *len);

#endif
