/*
 * sheet.h - reading the spreadsheets people send: CSV (RFC 4180, UTF-8 with or without
 * BOM, or GBK / GB18030 detected) and XLSX (the first worksheet), as rows of UTF-8 cells.
 *
 * Row numbers are the ones a person sees: the CSV record number, the XLSX row attribute
 * (blank spreadsheet rows are skipped, numbers are kept). Everything is bounded: file
 * size, rows, cells per row, cell length, and for XLSX the inflated size of each part
 * (a zip bomb stops at the limit with an error). A cell that cannot be decoded marks its
 * row (bad_encoding) instead of turning into mojibake.
 */
#ifndef KEXIE_DOC_SHEET_H
#define KEXIE_DOC_SHEET_H

#include "base/arena.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SHEET_MAX_BYTES (64u << 20) /* the file, and each inflated XLSX part */
#define SHEET_MAX_ROWS  500000
#define SHEET_MAX_COLS  64
#define SHEET_MAX_CELL  4096 /* bytes of UTF-8 */

struct sheet_row {
	long number; /* 1-based, as shown to people; the header is usually row 1 */
	int ncells;
	char **cells; /* UTF-8, NUL-terminated; "" for empty */
	bool bad_encoding;
	bool too_long;    /* a cell or the row was cut at the limits */
	uint64_t numeric; /* XLSX: bit k set when cell k was a number cell (a date may be its serial) */
};

struct sheet {
	struct sheet_row *rows;
	long nrows;
	const char *format;   /* "csv" or "xlsx" */
	const char *encoding; /* "utf-8", "utf-8-bom", "gb18030" or "xlsx" */
	bool beyond_gbk;      /* gb18030: four-byte sequences, so not plain GBK */
	struct arena arena;   /* every cell and cell array: freed at once by sheet_free */
};

/* Reads path (kind by content: a ZIP is XLSX, anything else CSV). Returns 0, or an ERR_*
 * code with a reason for a person in why (empty file, not a spreadsheet, too large...). */
int sheet_read(const char *path, struct sheet *out, char *why, size_t cap);

/* The same for n bytes in memory (an upload); data is borrowed and not changed. */
int sheet_read_mem(const char *data, size_t n, struct sheet *out, char *why, size_t cap);

/* The same, reading the worksheet named `sheet` of an XLSX file (NULL or "": the first;
 * ERR_UNPROCESSABLE when there is none of that name). A CSV file has one sheet: ignored. */
int sheet_read_named(const char *path, const char *sheet, struct sheet *out, char *why, size_t cap);
int sheet_read_mem_named(const char *data, size_t n, const char *sheet, struct sheet *out, char *why,
			 size_t cap);

/* Parses CSV bytes (used by sheet_read; exposed for tests). */
int sheet_parse_csv(const char *data, size_t n, struct sheet *out, char *why, size_t cap);

void sheet_free(struct sheet *s);

#endif
