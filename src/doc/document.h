/*
 * document.h - writing flowing documents (official documents, briefings, certificates): one
 * small interface with a backend per format, the sibling of writer.h (rows of cells) and
 * built the same way (after SQLite's vfs): DOCX (docx.c, an Office Open XML package written
 * with libzip) and PDF (pdf.c, cairo + pango with embedded CJK fonts).
 *
 * A document is a sequence of blocks added in order: the title, the document number line
 * (发文字号), headings of three levels, paragraphs of runs (bold / italic), tables (a header
 * row and rows of text cells), images (PNG or JPEG bytes, a width in millimetres) and page
 * breaks; the page footer (a line of text and/or page numbers "— N —") is set when opening.
 * The look is the Chinese official document's (GB/T 9704): A4, title 2号 小标宋, body 3号
 * 仿宋, headings 黑体 / 楷体; docs/documents.md lists the fonts each backend uses.
 *
 * Text is UTF-8 and never trusted: invalid sequences become U+FFFD, characters XML 1.0
 * forbids (C0 controls other than TAB and LF, U+FFFE, U+FFFF) are dropped, LF is a line
 * break inside the paragraph. Input and output are bounded by max_bytes (ERR_TOOBIG past it,
 * like writer.h). After any error the document only accepts document_free (the first error
 * is sticky and returned by every later call).
 *
 * Threads: a document belongs to one thread at a time; different documents may be written
 * on different threads at once (the PDF backend gives each document its own pango font map
 * and fontconfig configuration, so no pango object is shared).
 */
#ifndef KEXIE_DOC_DOCUMENT_H
#define KEXIE_DOC_DOCUMENT_H

#include <stdbool.h>
#include <stddef.h>

enum document_format { DOCUMENT_DOCX = 1, DOCUMENT_PDF = 2 };

struct document_opts {
	size_t max_bytes;     /* input text + images and the finished file; 0: 64 MiB */
	const char *title;    /* metadata (docProps/core.xml, PDF Info); NULL: none */
	const char *author;   /* metadata; NULL: none */
	const char *footer;   /* a line at the foot of every page; NULL: none */
	bool page_numbers;    /* "— N —" centred at the foot of every page */
	const char *font_dir; /* PDF: the directory holding the Noto CJK .ttc files;
				* NULL: /usr/share/fonts/opentype/noto (Debian fonts-noto-cjk) */
};

enum document_align { DOC_ALIGN_JUSTIFY = 0, DOC_ALIGN_LEFT, DOC_ALIGN_CENTER, DOC_ALIGN_RIGHT };

/* The paragraph styles every backend knows. */
enum document_style {
	DOC_STYLE_BODY = 0, /* 3号 仿宋, first line indented two characters */
	DOC_STYLE_TITLE,    /* 2号 小标宋, centred */
	DOC_STYLE_DOCNO,    /* the document number line: 3号 仿宋, centred */
	DOC_STYLE_H1,       /* 3号 黑体 ("一、") */
	DOC_STYLE_H2,       /* 3号 楷体 ("（一）") */
	DOC_STYLE_H3,       /* 3号 仿宋 bold ("1.") */
	DOC_STYLE_PLAIN,    /* 3号 仿宋 without the indent (signatures, dates, notes) */
};

/* A run of text in one face. */
struct document_run {
	const char *text; /* UTF-8; NULL is empty */
	bool bold, italic;
};

/* A table: ncols columns, a header row (bold, repeated on each page) and nrows rows of
 * cells, row-major (cells[r * ncols + c]; NULL cells are empty). */
struct document_table {
	int ncols, nrows;
	const char *const *header; /* ncols cells, or NULL for no header row */
	const char *const *cells;  /* nrows * ncols */
	const double *widths_mm;   /* ncols widths (scaled to fit the text width), or NULL: equal */
};

enum document_image_kind { DOC_IMAGE_PNG = 1, DOC_IMAGE_JPEG = 2 };

/* One backend: what document_* call. State is the backend's own; text arrives cleaned. */
struct document_backend {
	const char *name;  /* "docx", "pdf" */
	const char *ctype; /* Content-Type of the result */
	int (*open)(const struct document_opts *o, void **state);
	int (*paragraph)(void *state, enum document_style s, enum document_align a,
			 const struct document_run *runs, int n);
	int (*table)(void *state, const struct document_table *t);
	/* the image was probed: kind and pixel size known, width_mm within the text width */
	int (*image)(void *state, const void *bytes, size_t len, enum document_image_kind kind, int px_w,
		     int px_h, double width_mm);
	int (*page_break)(void *state);
	/* Finishes the document into *bytes (malloc'd, caller frees) and frees the state. */
	int (*close)(void *state, char **bytes, size_t *len);
	void (*abandon)(void *state); /* frees the state without finishing */
};

extern const struct document_backend document_docx_backend;
extern const struct document_backend document_pdf_backend;

/* The text width of the A4 page with the official margins (210 - 28 - 26 mm). */
#define DOCUMENT_TEXT_WIDTH_MM 156.0
/* Images larger than this many pixels are refused (ERR_TOOBIG): a decoded PNG takes 4 bytes
 * a pixel. */
#define DOCUMENT_IMAGE_MAX_PIXELS (25L * 1000 * 1000)

struct document;

/* "docx" / "pdf" -> the format; false for anything else. */
bool document_format_parse(const char *name, enum document_format *out);
const char *document_format_ctype(enum document_format f);
const char *document_format_ext(enum document_format f); /* "docx", "pdf" */

/* Opens a document. 0, ERR_INVALID (unknown format), ERR_NOMEM, ERR_IO, or (PDF)
 * ERR_UNAVAILABLE when the CJK font files are missing (see document_opts.font_dir). */
int document_open(enum document_format f, const struct document_opts *o, struct document **out);

/* Each returns 0, ERR_TOOBIG past max_bytes, ERR_NOMEM, ERR_IO, or the sticky first error. */
int document_title(struct document *d, const char *text);
int document_docno(struct document *d, const char *text);              /* "X科协发〔2026〕12号" */
int document_heading(struct document *d, int level, const char *text); /* level 1..3 */
int document_text(struct document *d, const char *text);               /* one body paragraph */
/* A paragraph of n runs in a style and alignment (the style's own alignment for TITLE and
 * DOCNO whatever a says). ERR_INVALID for n < 0 or an unknown style. */
int document_paragraph(struct document *d, enum document_style s, enum document_align a,
		       const struct document_run *runs, int n);
/* ERR_INVALID for ncols outside 1..32, nrows < 0, a width <= 0 or not finite. */
int document_table(struct document *d, const struct document_table *t);
/* PNG or JPEG bytes (borrowed: copied when the backend keeps them), width_mm > 0 (capped to the
 * text width). ERR_INVALID for anything else or a broken header, ERR_TOOBIG past
 * DOCUMENT_IMAGE_MAX_PIXELS. */
int document_image(struct document *d, const void *bytes, size_t len, double width_mm);
int document_page_break(struct document *d);

/* Finishes the document: *bytes receives it (caller frees) and the document is freed,
 * whatever the outcome. */
int document_close(struct document *d, char **bytes, size_t *len);
/* Finishes the document into path (path.tmp, then renamed; see doc_file_write). The document
 * is freed. */
int document_close_file(struct document *d, const char *path);
/* Abandons an unfinished document. NULL is fine. */
void document_free(struct document *d);

/* What the bytes are: PNG or JPEG with their pixel size. 0 or ERR_INVALID. */
int document_image_probe(const void *bytes, size_t len, enum document_image_kind *kind, int *w, int *h);

/* Cleans UTF-8 text for a document (the rules above) into a new string (caller frees) of at
 * most max bytes: 0, ERR_TOOBIG, ERR_NOMEM. NULL text is "". */
int document_clean_text(const char *text, size_t max, char **out);

#endif
