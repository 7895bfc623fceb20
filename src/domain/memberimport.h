/*
 * memberimport.h - the member register from spreadsheets: the import (a job of kind
 * "member.import", run by `kexie member import` and by POST /api/v1/members/import alike)
 * and its column preview. docs/members.md ("Import and export") has the columns and rules.
 *
 * Every row goes through the register's one normaliser (member_import_key, then
 * member_upsert_conn: the same checks, field errors and audit records as the API); a row
 * naming the same person as an earlier row of the file (ID number, else name + mobile) is
 * refused naming that row. People are kept by the import's org; a row with a category
 * (会员类别) also gets a current membership of that org. Rows are checked in memory first,
 * then written in batches, each one job step (one transaction with its checkpoint): after a
 * crash the same import resumes after the last committed batch. In all-or-nothing mode the
 * whole file is one step: a bad row (found by the checks or by the database) writes
 * nothing. A dry run writes every batch in a transaction it rolls back: the report is the
 * real one, nothing is kept.
 */
#ifndef KEXIE_DOMAIN_MEMBERIMPORT_H
#define KEXIE_DOMAIN_MEMBERIMPORT_H

#include "core/importcols.h"
#include "core/job.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The job kind: reads job_info()->input_path with the options of job_info()->params
 * (member_import_params); resumable from its checkpoint. Its result is {"rows","inserted",
 * "updated","unchanged","rejected","encoding"} (so far, then final). */
extern const struct job_kind member_import_kind;

#define MEMBER_IMPORT_BATCH 1000 /* rows per batch (and transaction) unless the runner says */

struct member_import_opts {
	int64_t org_id;      /* the keeping org (and the org of the memberships) */
	bool all_or_nothing; /* --mode all-or-nothing */
	bool ignore_unknown; /* --ignore-unknown-columns */
	const char *sheet;   /* the XLSX worksheet (NULL: the first) */
};
/* The options as the job's params text into out (cap >= 400; the sheet name is cut at 300
 * bytes), and back: 0, or ERR_INVALID for a text that is not such options. */
void member_import_params(const struct member_import_opts *o, char *out, size_t cap);
int member_import_parse(const char *params, struct member_import_opts *o, char *sheet, size_t cap);

/* Maps the header row for a preview (as org_import_columns). */
void member_import_columns(struct sheet *s, struct import_column *out, int max, int *n);

/* "utf-8", "gbk" or "gb18030": the report's name for what the sheet reader found (an XLSX
 * file is UTF-8 inside). */
const char *member_import_encoding(const struct sheet *s);

/* Writes the register under f (member_list's filters; every page) to w: a header row in the
 * import's Chinese column names, then one row per person, code lists as Chinese labels, the
 * ID number and mobile masked unless `unmasked` (the caller has checked member.reveal and the
 * reason, and audits the export). Cells that look like formulas are neutralised by the writer
 * (doc/writer.h). *rows counts the people written. Errors as member_list, or the writer's
 * (ERR_TOOBIG past its limit). */
struct doc_writer;
struct member_filter;
int member_export_write(struct app *a, const struct member_filter *f, bool unmasked, struct doc_writer *w,
			struct errlist *errs, long *rows);

#endif
