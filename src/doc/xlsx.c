/*
 * xlsx.c - the XLSX backend of the document writer (writer.h), on libxlsxwriter.
 *
 * libxlsxwriter writes to a file, so the workbook is built in a private temporary file
 * (mkstemp in tmpdir) in constant-memory mode (rows go straight to disk, strings inline: the
 * memory used does not grow with the rows), then read back and removed. Every cell is a
 * string cell; formula-looking ones also get the text number format ("@"), so Excel keeps
 * them as text even when someone edits them. The first row is bold and frozen (headers).
 */
#include "doc/writer.h"
#include "base/err.h"

#include <xlsxwriter.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct xlsx_doc {
	lxw_workbook *wb;
	lxw_worksheet *ws;
	lxw_format *head, *text;
	char path[4096];
	lxw_row_t row;
	size_t bytes, max;
	double width[64]; /* column widths seen, in characters */
};

static int xlsx_open(const struct doc_writer_opts *o, void **state)
{
	struct xlsx_doc *d = calloc(1, sizeof(*d));
	if (!d)
		return ERR_NOMEM;
	const char *dir = o->tmpdir && *o->tmpdir ? o->tmpdir : "/tmp";
	if (snprintf(d->path, sizeof(d->path), "%s/kexie-xlsx-XXXXXX", dir) >= (int)sizeof(d->path)) {
		free(d);
		return ERR_INVALID;
	}
	int fd = mkstemp(d->path);
	if (fd < 0) {
		free(d);
		return ERR_IO;
	}
	close(fd);
	lxw_workbook_options wo = {.constant_memory = LXW_TRUE, .tmpdir = (char *)(uintptr_t)dir};
	d->wb = workbook_new_opt(d->path, &wo);
	d->ws = d->wb ? workbook_add_worksheet(d->wb, o->sheet_name) : NULL;
	if (!d->ws) {
		if (d->wb)
			workbook_close(d->wb);
		unlink(d->path);
		free(d);
		return ERR_NOMEM;
	}
	d->head = workbook_add_format(d->wb);
	format_set_bold(d->head);
	d->text = workbook_add_format(d->wb);
	format_set_num_format(d->text, "@");
	worksheet_freeze_panes(d->ws, 1, 0);
	d->max = o->max_bytes ? o->max_bytes : (size_t)64 << 20;
	*state = d;
	return 0;
}

static int xlsx_row(void *state, const char *const *cells, int n)
{
	struct xlsx_doc *d = state;
	if (d->row >= LXW_ROW_MAX)
		return ERR_TOOBIG;
	for (int i = 0; i < n && i < 16384; i++) {
		const char *v = cells[i] ? cells[i] : "";
		size_t len = strlen(v);
		d->bytes += len + 16;
		if (d->bytes > d->max)
			return ERR_TOOBIG;
		if (!len)
			continue;
		lxw_format *f = d->row == 0 ? d->head : doc_formula_like(v) ? d->text : NULL;
		if (worksheet_write_string(d->ws, d->row, (lxw_col_t)i, v, f) != LXW_NO_ERROR)
			return ERR_TOOBIG; /* longer than Excel's 32767 characters */
		if (i < 64) {
			double w = (double)len * 0.7 + 2; /* a CJK character is 3 bytes, about 2 columns */
			if (w > d->width[i])
				d->width[i] = w > 60 ? 60 : w;
		}
	}
	d->row++;
	return 0;
}

static void xlsx_abandon(void *state)
{
	struct xlsx_doc *d = state;
	if (!d)
		return;
	workbook_close(d->wb);
	unlink(d->path);
	free(d);
}

static int xlsx_close(void *state, char **bytes, size_t *len)
{
	struct xlsx_doc *d = state;
	/* constant-memory mode takes column widths at any time before closing */
	for (int i = 0; i < 64; i++)
		if (d->width[i] > 0)
			worksheet_set_column(d->ws, (lxw_col_t)i, (lxw_col_t)i, d->width[i], NULL);
	lxw_error e = workbook_close(d->wb);
	int rc = e == LXW_NO_ERROR ? 0 : ERR_IO;
	FILE *f = rc ? NULL : fopen(d->path, "rb");
	struct stat st;
	if (!rc && (!f || fstat(fileno(f), &st)))
		rc = ERR_IO;
	char *data = NULL;
	if (!rc) {
		data = malloc((size_t)st.st_size + 1);
		if (!data)
			rc = ERR_NOMEM;
		else if (fread(data, 1, (size_t)st.st_size, f) != (size_t)st.st_size)
			rc = ERR_IO;
	}
	if (f)
		fclose(f);
	unlink(d->path);
	free(d);
	if (rc) {
		free(data);
		return rc;
	}
	*bytes = data;
	*len = (size_t)st.st_size;
	return 0;
}

const struct doc_backend doc_xlsx_backend = {
	.name = "xlsx",
	.ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	.open = xlsx_open,
	.row = xlsx_row,
	.close = xlsx_close,
	.abandon = xlsx_abandon,
};
