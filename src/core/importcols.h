/*
 * importcols.h - what every spreadsheet import shares before it knows what a row means: the
 * table of columns it reads (canonical field, the Chinese header an export writes, the
 * headers people write), cleaning a cell, matching a header, the column preview an upload
 * shows, and the list of known headers an error names. Used by the org import
 * (core/orgimport.c) and the member import (domain/memberimport.c) alike.
 */
#ifndef KEXIE_CORE_IMPORTCOLS_H
#define KEXIE_CORE_IMPORTCOLS_H

#include "doc/sheet.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One column an import knows. aliases: '|'-separated, compared after trimming,
 * case-insensitively; the field and the Chinese header are among them. */
struct import_colspec {
	const char *field;
	const char *zh;
	const char *aliases;
};

/* One column of a file as an import reads it: the header as written and the field it maps
 * to (NULL: not a column the import knows). header points into the sheet. */
struct import_column {
	int index;
	const char *header;
	const char *field;
};

/* Trims ASCII and ideographic spaces in place, turns full-width ASCII (U+FF01..FF5E) into
 * ASCII when `ascii` (codes, dates): ０１２ -> 012, and drops the ' an export puts before a
 * formula-looking cell ('=x -> =x), so an exported file re-imports unchanged. */
void import_clean(char *s, bool ascii);

/* Which of the n columns a (cleaned) header names: its index, or -1. */
int import_header_col(const struct import_colspec *cols, int n, const char *name);

/* Maps the header row (the sheet's first row) for a preview: *nout columns into out[0..max).
 * A column named twice maps only the first time. Header cells are cleaned in place. */
void import_columns(struct sheet *s, const struct import_colspec *cols, int n, struct import_column *out,
		    int max, int *nout);

/* "姓名 (name), 性别 (gender), ..." into out (cut at cap): what an unknown header error lists. */
void import_known(const struct import_colspec *cols, int n, char *out, size_t cap);

/* The error file of an import job: the file's header and every refused row as it was, plus
 * a 错误 column saying why, for staff to fix and upload again. Written by the job when it
 * ends to DATA_DIR/jobs/job-<id>.rejected.csv (CSV with BOM, through the document writer;
 * written to a temporary name, then renamed; mode 0600). rows[i] / why[i] for n rows (why:
 * UTF-8). The rows are as uploaded, personal data in clear, so error files are kept
 * IMPORT_REJECTED_KEEP_S and removed by a later write. 0, or a writer error (ERR_IO,
 * ERR_TOOBIG). */
#define IMPORT_REJECTED_KEEP_S (7 * 24 * 3600)
struct app;
int import_rejected_write(struct app *a, int64_t job_id, const struct sheet_row *header,
			  const struct sheet_row *const *rows, const char *const *why, long n);
/* Appends one reason to a 错误 cell at out[len] (cap bytes in all): "列：说明", the error
 * code's Chinese label (core/codelist.c) or, for a code without one, the message; reasons
 * separated by "；". Returns the new length (unchanged when it does not fit). */
size_t import_why_add(char *out, size_t cap, size_t len, const char *col, const char *code,
		      const char *message);
/* Its path into out: 0, or ERR_INTERNAL when it does not fit. */
int import_rejected_path(const struct app *a, int64_t job_id, char *out, size_t cap);

/* Every other writer waits while an import's batch transaction runs, so batches are kept
 * short: the first is IMPORT_STEP_MIN rows (its time is not known yet); one that took longer
 * than IMPORT_STEP_MS halves the next (down to IMPORT_STEP_MIN), one under a quarter of it
 * doubles the next (up to max). The results are the same whatever the sizes; only the
 * checkpoints come more often. Returns the next batch's rows. */
#define IMPORT_STEP_MS  50
#define IMPORT_STEP_MIN 64
int import_next_batch(int rows, int max, uint64_t took_ms);

/* The grants of the account that started job j (an HTTP job), read when the job runs so a
 * role taken away since counts: *out (malloc'd, caller frees) for rbac checks. 0,
 * ERR_FORBIDDEN (the account is disabled: the job's message says so), ERR_NOMEM or a store
 * error. */
struct caller;
struct job;
int import_job_caller(struct job *j, struct caller **out);

#endif
