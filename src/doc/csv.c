/*
 * csv.c - RFC 4180 cells with formula neutralisation (see csv.h).
 */
#include "doc/csv.h"

#include <string.h>

int csv_cell(struct buf *b, const char *v, int first)
{
	int rc = first ? 0 : buf_putc(b, ',');
	if (rc)
		return rc;
	v = v ? v : "";
	bool formula = strchr("=+-@\t\r", v[0]) && v[0] != '\0';
	bool quote = formula || strpbrk(v, ",\"\r\n") != NULL;
	if (quote)
		rc = buf_putc(b, '"');
	if (!rc && formula)
		rc = buf_putc(b, '\'');
	for (const char *p = v; !rc && *p; p++)
		rc = *p == '"' ? buf_puts(b, "\"\"") : buf_putc(b, *p);
	if (!rc && quote)
		rc = buf_putc(b, '"');
	return rc;
}

int csv_end_row(struct buf *b)
{
	return buf_puts(b, "\r\n");
}
