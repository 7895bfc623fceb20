/*
 * csv.c - RFC 4180 cells with formula neutralisation (see csv.h), and the CSV backend of the
 * document writer (writer.h).
 */
#include "doc/csv.h"
#include "doc/writer.h"
#include "base/err.h"

#include <stdlib.h>
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

/* ---- the CSV backend of writer.h ---- */

struct csv_doc {
	struct buf b;
};

static int csv_open(const struct doc_writer_opts *o, void **state)
{
	struct csv_doc *d = calloc(1, sizeof(*d));
	if (!d)
		return ERR_NOMEM;
	buf_init(&d->b, o->max_bytes ? o->max_bytes : (size_t)64 << 20);
	if (o->bom && buf_puts(&d->b, "\xEF\xBB\xBF")) {
		buf_release(&d->b);
		free(d);
		return ERR_NOMEM;
	}
	*state = d;
	return 0;
}

static int csv_row(void *state, const char *const *cells, int n)
{
	struct csv_doc *d = state;
	int rc = 0;
	for (int i = 0; !rc && i < n; i++)
		rc = csv_cell(&d->b, cells[i], i == 0);
	return rc ? rc : csv_end_row(&d->b);
}

static int csv_close(void *state, char **bytes, size_t *len)
{
	struct csv_doc *d = state;
	*bytes = buf_detach(&d->b, len);
	free(d);
	return 0;
}

static void csv_abandon(void *state)
{
	struct csv_doc *d = state;
	if (!d)
		return;
	buf_release(&d->b);
	free(d);
}

const struct doc_backend doc_csv_backend = {
	.name = "csv",
	.ctype = "text/csv; charset=utf-8",
	.open = csv_open,
	.row = csv_row,
	.close = csv_close,
	.abandon = csv_abandon,
};
