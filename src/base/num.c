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
