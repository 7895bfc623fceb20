/*
 * jsonw.c - JSON straight into a buffer (see jsonw.h).
 */
#include "base/jsonw.h"
#include "base/num.h"
#include "base/err.h"
#include "base/jsontext.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void reset_state(struct jsonw *w)
{
	w->depth = 0;
	w->first[0] = true;
	w->closer[0] = 0;
	w->rc = 0;
}

void jsonw_init_max(struct jsonw *w, size_t max)
{
	buf_init(&w->b, max);
	w->mem = NULL;
	w->mem_len = w->mem_cap = 0;
	reset_state(w);
}

void jsonw_init(struct jsonw *w)
{
	jsonw_init_max(w, (size_t)64 << 20);
}

void jsonw_init_fixed(struct jsonw *w, char *mem, size_t cap)
{
	buf_init(&w->b, 0);
	w->mem = mem;
	w->mem_cap = cap;
	w->mem_len = 0;
	mem[0] = '\0';
	reset_state(w);
}

void jsonw_release(struct jsonw *w)
{
	if (!w->mem)
		buf_release(&w->b);
}

static size_t cur_len(const struct jsonw *w)
{
	return w->mem ? w->mem_len : w->b.len;
}

static void put(struct jsonw *w, const char *s, size_t n)
{
	if (w->rc)
		return;
	if (!w->mem) {
		w->rc = buf_append(&w->b, s, n);
		return;
	}
	if (n >= w->mem_cap - w->mem_len) {
		w->rc = ERR_TOOBIG;
		return;
	}
	memcpy(w->mem + w->mem_len, s, n);
	w->mem_len += n;
	w->mem[w->mem_len] = '\0';
}

/* s is NUL-terminated. */
static void quoted(struct jsonw *w, const char *s)
{
	char small[512];
	if (w->rc)
		return;
	size_t len = strlen(s);
	if (len > (SIZE_MAX - 2) / 6) {
		w->rc = ERR_TOOBIG;
		return;
	}
	size_t need = 6 * len + 2;
	char *tmp = need <= sizeof(small) ? small : malloc(need);
	if (!tmp) {
		w->rc = ERR_NOMEM;
		return;
	}
	put(w, tmp, json_quote(tmp, need, s));
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

static void open_nest(struct jsonw *w, const char *key, char c)
{
	member(w, key);
	if (w->rc)
		return;
	if (w->depth + 1 >= JSONW_DEPTH) {
		w->rc = ERR_INTERNAL;
		return;
	}
	put(w, &c, 1);
	if (w->rc)
		return;
	w->first[++w->depth] = true;
	w->closer[w->depth] = c == '{' ? '}' : ']';
}

void jsonw_object(struct jsonw *w, const char *key)
{
	open_nest(w, key, '{');
}

void jsonw_array(struct jsonw *w, const char *key)
{
	open_nest(w, key, '[');
}

void jsonw_end(struct jsonw *w)
{
	if (w->rc)
		return;
	if (w->depth <= 0) {
		w->rc = ERR_INTERNAL;
		return;
	}
	put(w, &w->closer[w->depth], 1);
	if (!w->rc)
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

void jsonw_strn(struct jsonw *w, const char *key, const char *v, size_t n)
{
	const char *nul = memchr(v, '\0', n);
	size_t len = nul ? (size_t)(nul - v) : n;
	char small[256];
	char *copy = len < sizeof(small) ? small : malloc(len + 1);
	if (!copy) {
		member(w, key);
		w->rc = w->rc ? w->rc : ERR_NOMEM;
		return;
	}
	memcpy(copy, v, len);
	copy[len] = '\0';
	jsonw_str(w, key, copy);
	if (copy != small)
		free(copy);
}

void jsonw_int(struct jsonw *w, const char *key, int64_t v)
{
	char num[NUM_INT64_LEN];
	int n = num_fmt_int64(num, v);
	member(w, key);
	put(w, num, (size_t)n);
}

void jsonw_bool(struct jsonw *w, const char *key, bool v)
{
	member(w, key);
	if (v)
		put(w, "true", 4);
	else
		put(w, "false", 5);
}

void jsonw_null(struct jsonw *w, const char *key)
{
	member(w, key);
	put(w, "null", 4);
}

void jsonw_double(struct jsonw *w, const char *key, double v)
{
	char num[32];
	member(w, key);
	if (!isfinite(v)) {
		put(w, "null", 4);
		return;
	}
	int n = snprintf(num, sizeof(num), "%.15g", v);
	/* a real stays a real when read back, as jansson writes it */
	if (!strpbrk(num, ".eE") && n + 2 < (int)sizeof(num)) {
		memcpy(num + n, ".0", 3);
		n += 2;
	}
	put(w, num, (size_t)n);
}

void jsonw_raw(struct jsonw *w, const char *key, const char *json)
{
	member(w, key);
	if (json)
		put(w, json, strlen(json));
	else
		put(w, "null", 4);
}

void jsonw_mark(const struct jsonw *w, struct jsonw_mark *m)
{
	m->len = cur_len(w);
	m->depth = w->depth;
	m->first = w->first[w->depth];
	m->rc = w->rc;
}

void jsonw_rewind(struct jsonw *w, const struct jsonw_mark *m)
{
	if (w->depth != m->depth || m->len > cur_len(w)) {
		w->rc = ERR_INTERNAL;
		return;
	}
	if (w->mem) {
		w->mem_len = m->len;
		w->mem[m->len] = '\0';
	} else {
		w->b.len = m->len;
		w->b.ptr[m->len] = '\0'; /* len <= the old len, inside the allocation */
	}
	w->first[w->depth] = m->first;
	w->rc = m->rc;
}

int jsonw_result(const struct jsonw *w)
{
	return w->rc ? w->rc : (w->depth ? ERR_INTERNAL : 0);
}

const char *jsonw_text(const struct jsonw *w, size_t *len)
{
	if (len)
		*len = cur_len(w);
	return w->mem ? w->mem : w->b.ptr;
}

char *jsonw_detach(struct jsonw *w, size_t *len)
{
	if (w->mem) {
		if (len)
			*len = 0;
		return NULL;
	}
	size_t n;
	char *p = buf_detach(&w->b, &n);
	if (len)
		*len = n;
	return p;
}
