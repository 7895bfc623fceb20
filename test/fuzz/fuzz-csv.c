/* fuzz-csv.c - libFuzzer target for the spreadsheet CSV reader: RFC 4180 on raw bytes, BOM,
 * UTF-8 / GB18030 detection and per-cell decoding, the row and cell limits. Any crash,
 * overread, a cell that is not valid UTF-8, or a row number out of order is a bug. */
#include "doc/sheet.h"
#include "base/utf8.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sheet s;
	char why[128];
	if (sheet_parse_csv((const char *)data, size, &s, why, sizeof(why)) != 0)
		return 0;
	long last = 0;
	for (long i = 0; i < s.nrows; i++) {
		const struct sheet_row *r = &s.rows[i];
		if (r->number <= last || r->ncells > SHEET_MAX_COLS)
			abort();
		last = r->number;
		for (int k = 0; k < r->ncells; k++)
			if (!r->cells[k] || !utf8_valid(r->cells[k], strlen(r->cells[k]), NULL) ||
			    strlen(r->cells[k]) > SHEET_MAX_CELL)
				abort();
	}
	sheet_free(&s);
	return 0;
}
