/*
 * jsontext.c - JSON string literals (see jsontext.h).
 */
#include "base/jsontext.h"

#include <string.h>

size_t json_quote(char *out, size_t cap, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = 0;
	if (!s) {
		if (cap < 4)
			return 0;
		memcpy(out, "null", 4);
		return 4;
	}
	if (cap < 2)
		return 0;
	out[n++] = '"';
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		/* a run that needs no escape, copied at once */
		size_t run = 0;
		while (p[run] >= 0x20 && p[run] != '"' && p[run] != '\\')
			run++;
		if (run) {
			if (n + run + 1 > cap) /* the run and the closing quote */
				return 0;
			memcpy(out + n, p, run);
			n += run;
			p += run;
			continue;
		}
		char esc = *p == '"'    ? '"'
			   : *p == '\\' ? '\\'
			   : *p == '\n' ? 'n'
			   : *p == '\t' ? 't'
			   : *p == '\r' ? 'r'
					: 0;
		if (n + (esc ? 2 : 6) + 1 > cap) /* the escape and the closing quote */
			return 0;
		out[n++] = '\\';
		if (esc) {
			out[n++] = esc;
		} else {
			memcpy(out + n, "u00", 3);
			n += 3;
			out[n++] = hex[*p >> 4];
			out[n++] = hex[*p & 15];
		}
		p++;
	}
	out[n++] = '"';
	return n;
}
