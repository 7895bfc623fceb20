/*
 * jsonw.c - JSON straight into a buffer (see jsonw.h).
 */
#include "http/jsonw.h"
#include "base/err.h"

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
	static const char hex[] = "0123456789abcdef";
	put(w, "\"", 1);
	const char *run = s;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p >= 0x20 && *p != '"' && *p != '\\')
			continue;
		put(w, run, (size_t)((const char *)p - run));
		char esc[7] = {'\\', 0};
		size_t n = 2;
		switch (*p) {
		case '"': esc[1] = '"'; break;
		case '\\': esc[1] = '\\'; break;
		case '\n': esc[1] = 'n'; break;
		case '\r': esc[1] = 'r'; break;
		case '\t': esc[1] = 't'; break;
		default:
			memcpy(esc + 1, "u00", 3);
			esc[4] = hex[*p >> 4];
			esc[5] = hex[*p & 15];
			n = 6;
		}
		put(w, esc, n);
		run = (const char *)p + 1;
	}
	put(w, run, strlen(run));
	put(w, "\"", 1);
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

int jsonw_send(struct req *r, unsigned status, struct jsonw *w)
{
	int rc = w->rc ? w->rc : (w->depth ? ERR_INTERNAL : 0);
	if (rc) {
		buf_release(&w->b);
		return rc;
	}
	size_t n;
	char *p = buf_detach(&w->b, &n);
	return resp_take(r, status, "application/json", p, n);
}
