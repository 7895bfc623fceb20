/*
 * writer.c - the document writer front end (see writer.h): picks the backend, keeps the
 * first error sticky, and writes finished documents to files atomically.
 */
#include "doc/writer.h"
#include "base/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct doc_writer {
	const struct doc_backend *be;
	void *state;
	int rc; /* the first error: sticky */
};

static const struct doc_backend *backend(enum doc_format f)
{
	return f == DOC_CSV ? &doc_csv_backend : f == DOC_XLSX ? &doc_xlsx_backend : NULL;
}

bool doc_formula_like(const char *v)
{
	return v && v[0] && strchr("=+-@\t\r", v[0]);
}

bool doc_format_parse(const char *name, enum doc_format *out)
{
	if (name && !strcmp(name, "csv"))
		*out = DOC_CSV;
	else if (name && !strcmp(name, "xlsx"))
		*out = DOC_XLSX;
	else
		return false;
	return true;
}

const char *doc_format_ctype(enum doc_format f)
{
	const struct doc_backend *b = backend(f);
	return b ? b->ctype : "application/octet-stream";
}

const char *doc_format_ext(enum doc_format f)
{
	const struct doc_backend *b = backend(f);
	return b ? b->name : "bin";
}

int doc_writer_open(enum doc_format f, const struct doc_writer_opts *o, struct doc_writer **out)
{
	const struct doc_backend *b = backend(f);
	if (!b)
		return ERR_INVALID;
	struct doc_writer *w = calloc(1, sizeof(*w));
	if (!w)
		return ERR_NOMEM;
	static const struct doc_writer_opts none = {0};
	w->be = b;
	int rc = b->open(o ? o : &none, &w->state);
	if (rc) {
		free(w);
		return rc;
	}
	*out = w;
	return 0;
}

int doc_writer_row(struct doc_writer *w, const char *const *cells, int n)
{
	if (!w->rc)
		w->rc = w->be->row(w->state, cells, n);
	return w->rc;
}

int doc_writer_close(struct doc_writer *w, char **bytes, size_t *len)
{
	*bytes = NULL;
	*len = 0;
	int rc = w->rc;
	if (rc)
		w->be->abandon(w->state);
	else
		rc = w->be->close(w->state, bytes, len);
	free(w);
	return rc;
}

int doc_file_write(const char *path, const void *bytes, size_t len)
{
	char tmp[4096];
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return ERR_INVALID;
	FILE *f = fopen(tmp, "wb");
	if (!f)
		return ERR_IO;
	bool ok = fwrite(bytes, 1, len, f) == len;
	ok = fflush(f) == 0 && ok;
	ok = fsync(fileno(f)) == 0 && ok; /* a disk-full error shows here, not later */
	ok = fclose(f) == 0 && ok;
	if (!ok || rename(tmp, path)) {
		unlink(tmp);
		return ERR_IO;
	}
	return 0;
}

int doc_writer_close_file(struct doc_writer *w, const char *path)
{
	char *bytes = NULL;
	size_t len = 0;
	int rc = doc_writer_close(w, &bytes, &len);
	if (!rc)
		rc = doc_file_write(path, bytes, len);
	free(bytes);
	return rc;
}

void doc_writer_free(struct doc_writer *w)
{
	if (!w)
		return;
	w->be->abandon(w->state);
	free(w);
}
