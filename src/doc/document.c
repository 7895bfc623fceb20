/*
 * document.c - the flowing-document front end (see document.h): picks the backend, cleans
 * every piece of text before a backend sees it, counts the input against max_bytes, probes
 * images, keeps the first error sticky, and writes finished documents to files atomically.
 */
#include "doc/document.h"
#include "doc/writer.h"
#include "base/err.h"
#include "base/utf8.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct document {
	const struct document_backend *be;
	void *state;
	size_t in, max; /* input bytes taken so far, and the bound */
	int rc;         /* the first error: sticky */
};

static const struct document_backend *backend(enum document_format f)
{
	return f == DOCUMENT_DOCX ? &document_docx_backend : f == DOCUMENT_PDF ? &document_pdf_backend : NULL;
}

bool document_format_parse(const char *name, enum document_format *out)
{
	if (name && !strcmp(name, "docx"))
		*out = DOCUMENT_DOCX;
	else if (name && !strcmp(name, "pdf"))
		*out = DOCUMENT_PDF;
	else
		return false;
	return true;
}

const char *document_format_ctype(enum document_format f)
{
	const struct document_backend *b = backend(f);
	return b ? b->ctype : "application/octet-stream";
}

const char *document_format_ext(enum document_format f)
{
	const struct document_backend *b = backend(f);
	return b ? b->name : "bin";
}

/* Is code point c one XML 1.0 allows (TAB, LF, CR, U+0020.., minus U+FFFE/U+FFFF)? */
static bool xml_char(uint32_t c)
{
	return c == 0x9 || c == 0xA || (c >= 0x20 && c != 0xFFFE && c != 0xFFFF);
}

/* Decodes one valid sequence of n bytes at p. */
static uint32_t decode(const unsigned char *p, int n)
{
	uint32_t c = n == 1 ? p[0] : n == 2 ? p[0] & 0x1Fu : n == 3 ? p[0] & 0x0Fu : p[0] & 0x07u;
	for (int k = 1; k < n; k++)
		c = (c << 6) | (p[k] & 0x3Fu);
	return c;
}

int document_clean_text(const char *text, size_t max, char **out)
{
	*out = NULL;
	const unsigned char *p = (const unsigned char *)(text ? text : "");
	size_t n = strlen((const char *)p);
	if (n > max)
		return ERR_TOOBIG;
	/* U+FFFD is 3 bytes and replaces at least one byte: 3n + 1 is always enough */
	if (n > (SIZE_MAX - 1) / 3)
		return ERR_TOOBIG;
	char *o = malloc(3 * n + 1);
	if (!o)
		return ERR_NOMEM;
	size_t w = 0;
	for (size_t i = 0; i < n;) {
		int k = utf8_seqlen(p[i]);
		size_t bad;
		if (k == 0 || i + (size_t)k > n || !utf8_valid((const char *)p + i, (size_t)k, &bad)) {
			memcpy(o + w, "\xEF\xBF\xBD", 3); /* U+FFFD for the offending byte */
			w += 3;
			i++;
			continue;
		}
		uint32_t c = decode(p + i, k);
		if (c == '\r') { /* CR LF and a lone CR are line breaks */
			if (i + 1 >= n || p[i + 1] != '\n')
				o[w++] = '\n';
		} else if (xml_char(c)) {
			memcpy(o + w, p + i, (size_t)k);
			w += (size_t)k;
		}
		i += (size_t)k;
	}
	if (w > max) { /* replacements grew it */
		free(o);
		return ERR_TOOBIG;
	}
	o[w] = '\0';
	*out = o;
	return 0;
}

int document_image_probe(const void *bytes, size_t len, enum document_image_kind *kind, int *w, int *h)
{
	const unsigned char *p = bytes;
	if (len >= 24 && !memcmp(p, "\x89PNG\r\n\x1a\n", 8) && !memcmp(p + 12, "IHDR", 4)) {
		uint32_t pw = (uint32_t)p[16] << 24 | (uint32_t)p[17] << 16 | (uint32_t)p[18] << 8 | p[19];
		uint32_t ph = (uint32_t)p[20] << 24 | (uint32_t)p[21] << 16 | (uint32_t)p[22] << 8 | p[23];
		if (!pw || !ph || pw > 100000 || ph > 100000)
			return ERR_INVALID;
		*kind = DOC_IMAGE_PNG;
		*w = (int)pw;
		*h = (int)ph;
		return 0;
	}
	if (len < 4 || p[0] != 0xFF || p[1] != 0xD8)
		return ERR_INVALID;
	/* JPEG: walk the marker segments to the first start-of-frame (SOF0..SOF15 except
	 * DHT C4, JPG C8, DAC CC), which holds the height and width */
	size_t i = 2;
	while (i + 4 <= len) {
		if (p[i] != 0xFF)
			return ERR_INVALID;
		unsigned m = p[i + 1];
		if (m == 0xFF) { /* fill byte */
			i++;
			continue;
		}
		size_t seg = (size_t)p[i + 2] << 8 | p[i + 3];
		if (seg < 2 || i + 2 + seg > len)
			return ERR_INVALID;
		if (m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC) {
			if (seg < 7)
				return ERR_INVALID;
			int jh = p[i + 5] << 8 | p[i + 6], jw = p[i + 7] << 8 | p[i + 8];
			if (!jw || !jh)
				return ERR_INVALID;
			*kind = DOC_IMAGE_JPEG;
			*w = jw;
			*h = jh;
			return 0;
		}
		if (m == 0xDA || m == 0xD9) /* scan or end before any frame */
			return ERR_INVALID;
		i += 2 + seg;
	}
	return ERR_INVALID;
}

int document_open(enum document_format f, const struct document_opts *o, struct document **out)
{
	*out = NULL;
	const struct document_backend *b = backend(f);
	if (!b)
		return ERR_INVALID;
	struct document *d = calloc(1, sizeof(*d));
	if (!d)
		return ERR_NOMEM;
	static const struct document_opts none = {0};
	struct document_opts eff = o ? *o : none;
	if (!eff.max_bytes)
		eff.max_bytes = (size_t)64 << 20;
	d->be = b;
	d->max = eff.max_bytes;
	int rc = b->open(&eff, &d->state);
	if (rc) {
		free(d);
		return rc;
	}
	*out = d;
	return 0;
}

/* Counts n input bytes (plus a little per block for markup) against the bound. */
static int take(struct document *d, size_t n)
{
	if (d->rc)
		return d->rc;
	if (n > d->max || d->in + n + 64 > d->max)
		return d->rc = ERR_TOOBIG;
	d->in += n + 64;
	return 0;
}

/* Cleans text into a copy bounded by what is left of the budget. */
static int clean(struct document *d, const char *text, char **out)
{
	size_t n = text ? strlen(text) : 0;
	int rc = take(d, n);
	if (!rc && (rc = document_clean_text(text, d->max, out)))
		d->rc = rc;
	return rc;
}

int document_paragraph(struct document *d, enum document_style s, enum document_align a,
		       const struct document_run *runs, int n)
{
	if (d->rc)
		return d->rc;
	if (n < 0 || n > 10000 || (int)s < DOC_STYLE_BODY || s > DOC_STYLE_PLAIN ||
	    (int)a < DOC_ALIGN_JUSTIFY || a > DOC_ALIGN_RIGHT)
		return d->rc = ERR_INVALID;
	struct document_run *c = calloc((size_t)n + 1, sizeof(*c));
	if (!c)
		return d->rc = ERR_NOMEM;
	int rc = 0;
	for (int i = 0; i < n && !rc; i++) {
		char *t = NULL;
		rc = clean(d, runs[i].text, &t);
		c[i] = (struct document_run){.text = t, .bold = runs[i].bold, .italic = runs[i].italic};
	}
	if (!rc && s == DOC_STYLE_TITLE)
		a = DOC_ALIGN_CENTER;
	if (!rc && s == DOC_STYLE_DOCNO)
		a = DOC_ALIGN_CENTER;
	if (!rc)
		rc = d->be->paragraph(d->state, s, a, c, n);
	for (int i = 0; i < n; i++)
		free((char *)(uintptr_t)c[i].text);
	free(c);
	return d->rc = rc;
}

static int one_run(struct document *d, enum document_style s, enum document_align a, const char *text)
{
	struct document_run r = {.text = text};
	return document_paragraph(d, s, a, &r, 1);
}

int document_title(struct document *d, const char *text)
{
	return one_run(d, DOC_STYLE_TITLE, DOC_ALIGN_CENTER, text);
}

int document_docno(struct document *d, const char *text)
{
	return one_run(d, DOC_STYLE_DOCNO, DOC_ALIGN_CENTER, text);
}

int document_heading(struct document *d, int level, const char *text)
{
	if (level < 1 || level > 3)
		return d->rc ? d->rc : (d->rc = ERR_INVALID);
	static const enum document_style hs[] = {DOC_STYLE_H1, DOC_STYLE_H2, DOC_STYLE_H3};
	return one_run(d, hs[level - 1], DOC_ALIGN_LEFT, text);
}

int document_text(struct document *d, const char *text)
{
	return one_run(d, DOC_STYLE_BODY, DOC_ALIGN_JUSTIFY, text);
}

/* Frees a table's cleaned cells. */
static void free_cells(char **v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

int document_table(struct document *d, const struct document_table *t)
{
	if (d->rc)
		return d->rc;
	if (t->ncols < 1 || t->ncols > 32 || t->nrows < 0 || (t->nrows && !t->cells))
		return d->rc = ERR_INVALID;
	for (int i = 0; t->widths_mm && i < t->ncols; i++)
		if (!isfinite(t->widths_mm[i]) || t->widths_mm[i] <= 0)
			return d->rc = ERR_INVALID;
	size_t nc = (size_t)t->ncols, nr = (size_t)t->nrows;
	if (nr > (d->max / 8) / nc) /* every cell costs at least its markup */
		return d->rc = ERR_TOOBIG;
	size_t total = (nr + 1) * nc;
	char **v = calloc(total, sizeof(*v));
	if (!v)
		return d->rc = ERR_NOMEM;
	int rc = 0;
	for (size_t i = 0; i < total && !rc; i++) {
		const char *src = i < nc ? (t->header ? t->header[i] : NULL) : t->cells[i - nc];
		rc = clean(d, src, &v[i]);
	}
	if (!rc) {
		struct document_table ct = *t;
		ct.header = t->header ? (const char *const *)v : NULL;
		ct.cells = (const char *const *)(v + nc);
		rc = d->be->table(d->state, &ct);
	}
	free_cells(v, total);
	return d->rc = rc;
}

int document_image(struct document *d, const void *bytes, size_t len, double width_mm)
{
	if (d->rc)
		return d->rc;
	enum document_image_kind kind;
	int w, h;
	if (!bytes || !isfinite(width_mm) || width_mm <= 0 || document_image_probe(bytes, len, &kind, &w, &h))
		return d->rc = ERR_INVALID;
	if ((long)w * (long)h > DOCUMENT_IMAGE_MAX_PIXELS)
		return d->rc = ERR_TOOBIG;
	int rc = take(d, len);
	if (rc)
		return rc;
	if (width_mm > DOCUMENT_TEXT_WIDTH_MM)
		width_mm = DOCUMENT_TEXT_WIDTH_MM;
	return d->rc = d->be->image(d->state, bytes, len, kind, w, h, width_mm);
}

int document_page_break(struct document *d)
{
	int rc = take(d, 0);
	return rc ? rc : (d->rc = d->be->page_break(d->state));
}

int document_close(struct document *d, char **bytes, size_t *len)
{
	*bytes = NULL;
	*len = 0;
	int rc = d->rc;
	if (rc)
		d->be->abandon(d->state);
	else
		rc = d->be->close(d->state, bytes, len);
	if (!rc && *len > d->max) {
		free(*bytes);
		*bytes = NULL;
		*len = 0;
		rc = ERR_TOOBIG;
	}
	free(d);
	return rc;
}

int document_close_file(struct document *d, const char *path)
{
	char *bytes = NULL;
	size_t len = 0;
	int rc = document_close(d, &bytes, &len);
	if (!rc)
		rc = doc_file_write(path, bytes, len);
	free(bytes);
	return rc;
}

void document_free(struct document *d)
{
	if (!d)
		return;
	d->be->abandon(d->state);
	free(d);
}
