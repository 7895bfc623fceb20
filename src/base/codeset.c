/*
 * codeset.c - lookups in a code list (see codeset.h). Lists are a few dozen entries: a
 * linear scan is the fastest thing there is at that size.
 */
#include "base/codeset.h"
#include "base/utf8.h"

#include <string.h>
#include <strings.h>

int codeset_index(const struct codeset *s, const char *code)
{
	if (!code || !*code)
		return -1;
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->items[i].code, code))
			return (int)i;
	return -1;
}

bool codeset_has(const struct codeset *s, const char *code)
{
	return codeset_index(s, code) >= 0;
}

const struct code_item *codeset_at(const struct codeset *s, int i)
{
	return i >= 0 && (size_t)i < s->n ? &s->items[i] : NULL;
}

const struct code_item *codeset_match(const struct codeset *s, const char *text)
{
	if (!text || !*text)
		return NULL;
	for (size_t i = 0; i < s->n; i++) {
		const struct code_item *it = &s->items[i];
		if (!strcasecmp(it->code, text) || !strcmp(it->zh, text) || !strcasecmp(it->en, text) ||
		    (it->words && word_in(it->words, '|', text, true)))
			return it;
	}
	return NULL;
}

const char *codeset_label(const struct codeset *s, const char *code, bool zh)
{
	if (!code)
		return "";
	int i = codeset_index(s, code);
	if (i < 0)
		return code;
	return zh ? s->items[i].zh : s->items[i].en;
}

const char *codeset_join(const struct codeset *s, char sep, char *out, size_t cap)
{
	size_t len = 0;
	out[0] = '\0';
	for (size_t i = 0; i < s->n; i++) {
		size_t k = strlen(s->items[i].code);
		if (len + k + (len ? 1 : 0) + 1 > cap)
			break;
		if (len)
			out[len++] = sep;
		memcpy(out + len, s->items[i].code, k);
		len += k;
		out[len] = '\0';
	}
	return out;
}
