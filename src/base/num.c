/*
 * num.c - strict decimal integer parsing.
 */
#include "base/num.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

bool num_int64(const char *s, int64_t *out)
{
	const char *p = s + (*s == '-');
	size_t n = strlen(p);
	if (n == 0 || n > 19)
		return false;
	for (size_t i = 0; i < n; i++)
		if (p[i] < '0' || p[i] > '9')
			return false;
	errno = 0;
	long long v = strtoll(s, NULL, 10);
	if (errno)
		return false;
	*out = v;
	return true;
}

int num_fmt_int64(char out[NUM_INT64_LEN], int64_t v)
{
	char tmp[NUM_INT64_LEN];
	/* the magnitude as unsigned: -INT64_MIN does not fit int64 */
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	int n = 0;
	do {
		tmp[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	int len = 0;
	if (v < 0)
		out[len++] = '-';
	while (n)
		out[len++] = tmp[--n];
	out[len] = '\0';
	return len;
}
