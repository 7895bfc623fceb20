/*
 * writer.h - writing documents people open in their office software: one small interface
 * (open, add rows of cells, close -> bytes or a file) with a backend per format, after
 * SQLite's vfs: CSV (csv.c) and XLSX (xlsx.c, libxlsxwriter) today; DOCX and PDF writers
 * are the flowing-document interface next to this one (document.h).
 *
 * Cells are UTF-8 text. A cell that looks like a formula (starting with = + - @ TAB or CR)
 * is never written as one: CSV prefixes a ' (csv.h), XLSX writes a string cell with the text
 * number format, so the value a spreadsheet shows and an import reads back is unchanged.
 * Output is bounded by max_bytes (ERR_TOOBIG past it).
 */
#ifndef KEXIE_DOC_WRITER_H
#define KEXIE_DOC_WRITER_H

#include <stdbool.h>
#include <stddef.h>

enum doc_format { DOC_CSV = 1, DOC_XLSX = 2 };

struct doc_writer_opts {
	size_t max_bytes;       /* 0: 64 MiB */
	bool bom;               /* CSV: start with a UTF-8 BOM (Excel then reads it as UTF-8) */
	const char *sheet_name; /* XLSX: the worksheet's name (NULL: "Sheet1") */
	const char *tmpdir;     /* XLSX: where libxlsxwriter builds the file (NULL: /tmp) */
};

struct doc_writer;

/* One backend: what doc_writer calls. State is the backend's own. */
struct doc_backend {
	const char *name;  /* "csv", "xlsx" */
	const char *ctype; /* Content-Type of the result */
	int (*open)(const struct doc_writer_opts *o, void **state);
	int (*row)(void *state, const char *const *cells, int n);
	/* Finishes the document into *bytes (malloc'd, caller frees) and frees the state. */
	int (*close)(void *state, char **bytes, size_t *len);
	void (*abandon)(void *state); /* frees the state without finishing */
};

extern const struct doc_backend doc_csv_backend;
extern const struct doc_backend doc_xlsx_backend;

/* True when a spreadsheet would take the cell for a formula (= + - @ TAB CR first). */
bool doc_formula_like(const char *v);

/* "csv" / "xlsx" -> the format; false for anything else. */
bool doc_format_parse(const char *name, enum doc_format *out);
const char *doc_format_ctype(enum doc_format f);
const char *doc_format_ext(enum doc_format f); /* "csv", "xlsx" */

/* Opens a writer. Returns 0, ERR_INVALID (unknown format), ERR_NOMEM or ERR_IO. */
int doc_writer_open(enum doc_format f, const struct doc_writer_opts *o, struct doc_writer **out);
/* Adds one row of n cells (NULL cells are empty). 0, ERR_TOOBIG past max_bytes, ERR_NOMEM,
 * ERR_IO; after an error the writer only accepts doc_writer_free. */
int doc_writer_row(struct doc_writer *w, const char *const *cells, int n);
/* Finishes the document: *bytes receives it (caller frees) and the writer is freed, whatever
 * the outcome. */
int doc_writer_close(struct doc_writer *w, char **bytes, size_t *len);
/* Finishes the document into path (written to path.tmp, then renamed: a reader never sees a
 * half-written file). The writer is freed. */
int doc_writer_close_file(struct doc_writer *w, const char *path);
/* Abandons an unfinished writer. NULL is fine. */
void doc_writer_free(struct doc_writer *w);

/* Writes len bytes to path.tmp, fsyncs and renames it to path, so a reader never sees a
 * half-written file (removes path.tmp on failure). 0, ERR_INVALID (path too long), ERR_IO.
 * Shared by both writers (this one and document.h). */
int doc_file_write(const char *path, const void *bytes, size_t len);

#endif
