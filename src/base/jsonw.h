/*
 * jsonw.h - writing JSON straight into a bounded buffer: no tree of json_t to build, hash
 * and free. libc only, so every layer may write JSON the same way (http/ sends it as an
 * answer with jsonw_send in http.h).
 *
 * Values nest up to JSONW_DEPTH; keys and strings are escaped as JSON requires (quote,
 * backslash, control characters); UTF-8 passes through (everything stored was validated
 * on the way in). Errors (too deep, out of memory) stick: jsonw_send answers 500.
 */
#ifndef KEXIE_BASE_JSONW_H
#define KEXIE_BASE_JSONW_H

#include "base/buf.h"

#include <stdbool.h>
#include <stdint.h>

#define JSONW_DEPTH 8

struct jsonw {
	struct buf b;
	bool first[JSONW_DEPTH];  /* no member written yet at this depth */
	char closer[JSONW_DEPTH]; /* '}' or ']' for what is open at this depth */
	int depth;
	int rc;
};

void jsonw_init(struct jsonw *w);
/* key is NULL inside arrays and at the top. */
void jsonw_object(struct jsonw *w, const char *key);
void jsonw_array(struct jsonw *w, const char *key);
void jsonw_end(struct jsonw *w); /* closes the innermost object or array */
void jsonw_str(struct jsonw *w, const char *key, const char *v); /* NULL: null */
void jsonw_int(struct jsonw *w, const char *key, int64_t v);
void jsonw_null(struct jsonw *w, const char *key);

#endif
