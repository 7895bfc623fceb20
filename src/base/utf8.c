/*
 * utf8.c - strict UTF-8 validation (RFC 3629 table), code point counting.
 */
#include "base/utf8.h"

#include <string.h>
#include <strings.h>

int utf8_seqlen(unsigned char c)
{
	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		return 2;
	if (c >= 0xE0 && c <= 0xEF)
		return 3;
	if (c >= 0xF0 && c <= 0xF4)
		return 4;
	return 0;
}

bool utf8_valid(const char *s, size_t n, size_t *bad_at)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < n) {
		unsigned char c = p[i];
		if (c < 0x80) {
			if (c == 0)
				goto bad;
			i++;
			continue;
		}
		int len = utf8_seqlen(c);
		if (!len || (size_t)len > n - i)
			goto bad;
		unsigned char c1 = p[i + 1];
		/* second-byte ranges exclude overlongs, surrogates and > U+10FFFF */
		unsigned char lo = 0x80, hi = 0xBF;
		if (c == 0xE0)
			lo = 0xA0;
		else if (c == 0xED)
			hi = 0x9F;
		else if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F;
		if (c1 < lo || c1 > hi)
			goto bad;
		for (int k = 2; k < len; k++)
			if ((p[i + (size_t)k] & 0xC0) != 0x80)
				goto bad;
		i += (size_t)len;
	}
	return true;
bad:
	if (bad_at)
		*bad_at = i;
	return false;
}

size_t utf8_count(const char *s, size_t n)
{
	size_t cp = 0;
	for (size_t i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			cp++;
	return cp;
}

bool word_in(const char *list, char sep, const char *v, bool nocase)
{
	size_t n = strlen(v);
	if (!n)
		return false;
	for (const char *p = list; *p;) {
		const char *end = strchr(p, sep);
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len == n && !(nocase ? strncasecmp(p, v, n) : strncmp(p, v, n)))
			return true;
		if (!end)
			break;
		p = end + 1;
	}
	return false;
}
