/*
 * log.c - timestamped single-line logging to stderr.
 */
#include "base/log.h"
#include "base/timeutil.h"

#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

void log_line(enum log_level lvl, const char *fmt, ...)
{
	static const char *const names[] = {"DEBUG", "INFO", "WARN", "ERROR"};
	char line[2048];
	char ts[32];
	time_iso_now(ts, sizeof(ts));
	int n = snprintf(line, sizeof(line), "%s %s ", ts, names[lvl]);
	if (n < 0)
		return;
	va_list ap;
	va_start(ap, fmt);
	int m = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	size_t len = (size_t)n + (m < 0 ? 0 : (size_t)m);
	if (len > sizeof(line) - 2)
		len = sizeof(line) - 2;
	line[len++] = '\n';
	ssize_t w = write(2, line, len);
	(void)w;
}
