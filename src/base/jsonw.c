/*
 * jsonw.c - JSON straight into a buffer (see jsonw.h).
 */
#include "base/jsonw.h"
#include "base/err.h"
#include "base/jsontext.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void jsonw_init(struct jsonw *w)
{
	buf_init(&w->b, (size_t)64 << 20);
	w->depth = 0;
	w->first[0] = true;
	w->rc = 0;
}

static void put(struct jsonw *w, const char *s, size_t n)
{
	if (!w->rc)
		w->rc = buf_append(&w->b, s, n);
}

static void quoted(struct jsonw *w, const char *s)
{
	char small[512];
	size_t need = 6 * strlen(s) + 2;
	char *tmp = need <= sizeof(small) ? small : malloc(need);
	if (!tmp) {
		w->rc = ERR_NOMEM;
		return;
	}
	size_t n = json_quote(tmp, need, s);
	put(w, tmp, n);
	if (tmp != small)
		free(tmp);
}

/* The comma and the key before a value. */
static void member(struct jsonw *w, const char *key)
{
	if (!w->first[w->depth])
		put(w, ",", 1);
	w->first[w->depth] = false;
	if (key) {
		quoted(w, key);
		put(w, ":", 1);
	}
}

static void open(struct jsonw *w, const char *key, char c)
{
	member(w, key);
	if (w->depth + 1 >= JSONW_DEPTH) {
		w->rc = ERR_INTERNAL;
		return;
	}
	put(w, &c, 1);
	w->first[++w->depth] = true;
	w->closer[w->depth] = c == '{' ? '}' : ']';
}

void jsonw_object(struct jsonw *w, const char *key)
{
	open(w, key, '{');
}

void jsonw_array(struct jsonw *w, const char *key)
{
	open(w, key, '[');
}

void jsonw_end(struct jsonw *w)
{
	if (w->depth <= 0) {
		w->rc = w->rc ? w->rc : ERR_INTERNAL;
		return;
	}
	put(w, &w->closer[w->depth], 1);
	w->depth--;
}

void jsonw_str(struct jsonw *w, const char *key, const char *v)
{
	member(w, key);
	if (v)
		quoted(w, v);
	else
		put(w, "null", 4);
}

void jsonw_int(struct jsonw *w, const char *key, int64_t v)
{
	char num[24];
	int n = snprintf(num, sizeof(num), "%" PRId64, v);
	member(w, key);
	put(w, num, (size_t)n);
}

void jsonw_null(struct jsonw *w, const char *key)
{
	member(w, key);
	put(w, "null", 4);
}
