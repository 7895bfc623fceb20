/*
 * csv.h - writing CSV for people's spreadsheets (RFC 4180).
 *
 * Cells holding a comma, quote, CR or LF are quoted with quotes doubled. A cell starting
 * with = + - @ TAB or CR gets a leading ' so a spreadsheet shows it as text instead of
 * running it as a formula (CSV injection); the stored value is never changed.
 */
#ifndef KEXIE_DOC_CSV_H
#define KEXIE_DOC_CSV_H

#include "base/buf.h"

#include <stdbool.h>

/* Appends one cell (and a separating comma unless first). 0 or ERR_TOOBIG/ERR_NOMEM. */
int csv_cell(struct buf *b, const char *v, int first);
/* Ends the row with CRLF. */
int csv_end_row(struct buf *b);

#endif
