/*
 * router.c - compiles route patterns into segments and matches request paths.
 *
 * Patterns are literal segments and typed parameters: "/api/v1/regions/{code:str}".
 * int parameters are decimal int64 in 1..INT64_MAX; str parameters are 1..128 bytes of
 * valid UTF-8. With a few hundred routes a linear scan over pre-split segments costs far
 * less than the JSON encoding of the answer, so there is no trie.
 */
#include "http/internal.h"
#include "base/num.h"
#include "base/utf8.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SEGS 12

enum seg_kind { SEG_LIT, SEG_INT, SEG_STR };

struct seg {
	enum seg_kind kind;
	char *text; /* literal text or parameter name */
};

struct croute {
	struct seg segs[MAX_SEGS];
	int nseg;
	unsigned method;
};

struct router {
	struct croute *r;
	size_t n;
};

static const struct {
	unsigned m;
	const char *name;
} methods[] = {
	{HM_GET, "GET"},     {HM_HEAD, "HEAD"},     {HM_POST, "POST"},       {HM_PUT, "PUT"},
	{HM_PATCH, "PATCH"}, {HM_DELETE, "DELETE"}, {HM_OPTIONS, "OPTIONS"},
};

const char *method_name(unsigned m)
{
	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (methods[i].m == m)
			return methods[i].name;
	return "?";
}

unsigned method_parse(const char *s)
{
	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (!strcmp(methods[i].name, s))
			return methods[i].m;
	return 0;
}

void router_free(struct router *rt)
{
	if (!rt)
		return;
	for (size_t i = 0; i < rt->n; i++)
		for (int k = 0; k < rt->r[i].nseg; k++)
			free(rt->r[i].segs[k].text);
	free(rt->r);
	free(rt);
}

static int compile(const char *pat, struct croute *cr)
{
	if (pat[0] != '/')
		return ERR_INVALID;
	const char *p = pat + 1;
	while (*p) {
		if (cr->nseg == MAX_SEGS)
			return ERR_TOOBIG;
		const char *end = strchr(p, '/');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		struct seg *s = &cr->segs[cr->nseg++];
		if (len > 2 && p[0] == '{' && p[len - 1] == '}') {
			const char *colon = memchr(p, ':', len);
			if (!colon)
				return ERR_INVALID;
			size_t nlen = (size_t)(colon - p - 1);
			const char *type = colon + 1;
			size_t tlen = (size_t)(p + len - 1 - type);
			if (tlen == 3 && !strncmp(type, "int", 3))
				s->kind = SEG_INT;
			else if (tlen == 3 && !strncmp(type, "str", 3))
				s->kind = SEG_STR;
			else
				return ERR_INVALID;
			s->text = strndup(p + 1, nlen);
		} else {
			s->kind = SEG_LIT;
			s->text = strndup(p, len);
		}
		if (!s->text)
			return ERR_NOMEM;
		p += len;
		if (*p == '/')
			p++;
	}
	return 0;
}

int router_new(const struct route *routes, size_t n, struct router **out)
{
	struct router *rt = calloc(1, sizeof(*rt));
	if (!rt)
		return ERR_NOMEM;
	rt->r = calloc(n ? n : 1, sizeof(*rt->r));
	if (!rt->r) {
		free(rt);
		return ERR_NOMEM;
	}
	rt->n = n;
	for (size_t i = 0; i < n; i++) {
		rt->r[i].method = routes[i].method;
		int rc = compile(routes[i].pattern, &rt->r[i]);
		if (rc) {
			router_free(rt);
			return rc;
		}
	}
	*out = rt;
	return 0;
}

/* Splits path into at most MAX_SEGS+1 segments (pointers into buf). */
static int split(char *buf, char **segs)
{
	int n = 0;
	char *p = buf;
	if (*p != '/')
		return -1;
	p++;
	if (!*p)
		return 0;
	while (p) {
		if (n > MAX_SEGS)
			return -1;
		segs[n++] = p;
		char *slash = strchr(p, '/');
		if (slash) {
			*slash = '\0';
			p = slash + 1;
		} else {
			p = NULL;
		}
	}
	return n;
}

/* Identifiers: positive, canonical decimal (no sign, no leading zero). */
static bool parse_id(const char *s, int64_t *out)
{
	return s[0] >= '1' && s[0] <= '9' && num_int64(s, out);
}

int router_match(const struct router *rt, struct req *r, const char *path, unsigned method, unsigned *allow)
{
	char tmp[URL_MAX + 1];
	char *segs[MAX_SEGS + 1];
	size_t plen = strlen(path);
	if (plen > URL_MAX)
		return ERR_URITOOLONG;
	memcpy(tmp, path, plen + 1);
	int n = split(tmp, segs);
	if (n < 0)
		return ERR_NOTFOUND;
	unsigned m = method == HM_HEAD ? HM_GET : method;
	*allow = 0;
	int found = ERR_NOTFOUND;
	for (size_t i = 0; i < rt->n; i++) {
		const struct croute *cr = &rt->r[i];
		if (cr->nseg != n)
			continue;
		bool ok = true;
		for (int k = 0; k < n && ok; k++)
			if (cr->segs[k].kind == SEG_LIT && strcmp(cr->segs[k].text, segs[k]))
				ok = false;
		if (!ok)
			continue;
		*allow |= cr->method;
		if (cr->method != m)
			continue;
		/* structural match for this method: bind the parameters */
		r->nparams = 0;
		for (int k = 0; k < n; k++) {
			const struct seg *s = &cr->segs[k];
			if (s->kind == SEG_LIT)
				continue;
			struct param *pa = &r->params[r->nparams++];
			pa->name = s->text;
			size_t len = strlen(segs[k]);
			if (s->kind == SEG_INT) {
				if (!parse_id(segs[k], &pa->i)) {
					errlist_add(&r->errs, s->text, "invalid_id",
						    "must be a positive integer identifier");
					return ERR_INVALID;
				}
			} else if (len == 0 || len > 128 || !utf8_valid(segs[k], len, NULL)) {
				errlist_add(&r->errs, s->text, "invalid_parameter",
					    "must be 1 to 128 bytes of valid UTF-8");
				return ERR_INVALID;
			}
			pa->str = strdup(segs[k]);
			if (!pa->str)
				return ERR_NOMEM;
		}
		found = (int)i;
		break;
	}
	if (found == ERR_NOTFOUND && *allow) {
		if (*allow & HM_GET)
			*allow |= HM_HEAD;
		return ERR_METHOD;
	}
	return found;
}
