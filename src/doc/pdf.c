/*
 * pdf.c - the PDF backend of the document interface (document.h): A4 pages drawn with cairo,
 * text shaped and broken into lines by pango (CJK line breaking, justification, bold runs),
 * fonts embedded as subsets by cairo's PDF surface, so the Chinese is real, searchable text.
 *
 * Fonts are found deterministically: a private fontconfig configuration holds only the four
 * Noto CJK files of fonts-noto-cjk (serif and sans, regular and bold), and documents ask for
 * "Noto Serif CJK SC" / "Noto Sans CJK SC" by name; no system font configuration is read, so
 * what else is installed on the machine cannot change a certificate. A missing file fails
 * the open with ERR_UNAVAILABLE (for the default directory: until the process restarts).
 *
 * Threads: pango objects are not thread-safe, and pango's default font map is per thread
 * (pango_cairo_font_map_get_default, since 1.32.6). Each document here makes its own font
 * map and context and frees them at close, so documents on different threads share nothing
 * of pango's; they share only the read-only fontconfig configuration (loaded once, see
 * shared_fonts) and cairo's font caches, which cairo locks. No mutex is needed.
 *
 * Layout: the page's text area has the GB/T 9704 margins (top 37, bottom 35, left 28, right
 * 26 mm). Paragraphs are laid out whole, then placed line by line at a fixed pitch (28 pt for
 * 3号 body text) so a paragraph flows onto the next page where it must. Table rows are kept
 * whole (a row taller than a page is cut at the page's foot); the header row repeats on each
 * page. Images: PNG decoded by cairo; JPEG embedded as it is (cairo's JPEG MIME data, written
 * as a DCT stream) without decoding. Output grows in one bounded buffer (max_bytes).
 */
#include "doc/document.h"
#include "base/buf.h"
#include "base/err.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <fontconfig/fontconfig.h>
#include <pango/pangocairo.h>
#include <pango/pangofc-fontmap.h>

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PT_PER_MM     (72.0 / 25.4)
#define PAGE_W        (210.0 * PT_PER_MM)
#define PAGE_H        (297.0 * PT_PER_MM)
#define MARGIN_TOP    (37.0 * PT_PER_MM)
#define MARGIN_BOTTOM (35.0 * PT_PER_MM)
#define MARGIN_LEFT   (28.0 * PT_PER_MM)
#define TEXT_W        (DOCUMENT_TEXT_WIDTH_MM * PT_PER_MM)
#define TEXT_BOTTOM   (PAGE_H - MARGIN_BOTTOM)
#define CELL_PAD_X    (1.5 * PT_PER_MM)
#define CELL_PAD_Y    (1.2 * PT_PER_MM)

static const char DEFAULT_FONT_DIR[] = "/usr/share/fonts/opentype/noto";
static const char *const FONT_FILES[] = {"NotoSerifCJK-Regular.ttc", "NotoSerifCJK-Bold.ttc",
					 "NotoSansCJK-Regular.ttc", "NotoSansCJK-Bold.ttc"};

/* Synthetic italic (there is no italic CJK face): the rule of fontconfig's
 * 90-synthetic.conf, the only configuration the private fontconfig gets. */
static const char FC_RULES[] =
	"<?xml version=\"1.0\"?><!DOCTYPE fontconfig SYSTEM \"fonts.dtd\"><fontconfig>"
	"<match target=\"font\"><test name=\"slant\"><const>roman</const></test>"
	"<test target=\"pattern\" name=\"slant\" compare=\"not_eq\"><const>roman</const></test>"
	"<edit name=\"matrix\" mode=\"assign\"><times><name>matrix</name><matrix>"
	"<double>1</double><double>0.2</double><double>0</double><double>1</double></matrix></times></edit>"
	"<edit name=\"slant\" mode=\"assign\" binding=\"strong\"><const>oblique</const></edit></match>"
	"</fontconfig>";

/* One paragraph style: face, size in points, line pitch, indent, space after. */
struct pdf_style {
	const char *font; /* a pango font description */
	double pitch, indent, after;
};

static const struct pdf_style STYLES[] = {
	[DOC_STYLE_BODY] = {"Noto Serif CJK SC 16", 28, 32, 0},
	[DOC_STYLE_TITLE] = {"Noto Serif CJK SC Bold 22", 36, 0, 18},
	[DOC_STYLE_DOCNO] = {"Noto Serif CJK SC 16", 28, 0, 14},
	[DOC_STYLE_H1] = {"Noto Sans CJK SC Bold 16", 28, 32, 0},
	[DOC_STYLE_H2] = {"Noto Sans CJK SC 16", 28, 32, 0},
	[DOC_STYLE_H3] = {"Noto Serif CJK SC Bold 16", 28, 32, 0},
	[DOC_STYLE_PLAIN] = {"Noto Serif CJK SC 16", 28, 0, 0},
};
static const char TABLE_FONT[] = "Noto Serif CJK SC 14";
static const char FOOTER_FONT[] = "Noto Serif CJK SC 14";

struct pdf_doc {
	struct buf out; /* the PDF so far */
	int out_rc;     /* why the last write failed (ERR_TOOBIG) */
	cairo_surface_t *surf;
	cairo_t *cr;
	PangoFontMap *fm;
	PangoContext *pc;
	double y;   /* where the next block starts, points from the page's top */
	int page;   /* the current page's number */
	bool dirty; /* something is on the current page */
	char *footer;
	bool page_numbers;
};

/* What LeakSanitizer (the ASan build) must not count, all known and bounded:
 *  - the shared font list (shared_fonts): kept for the process's life, but fontconfig keeps
 *    character-set leaves as offsets, so LeakSanitizer cannot see they are reachable;
 *  - cairo 1.16.0 loses 768 bytes per embedded font subset when a PDF surface finishes (a
 *    library bug, measured: 1 font 768 B, 4 fonts 3,072 B a document; fixed in later cairo).
 * LeakSanitizer's fast unwinder stops inside these libraries (built without frame pointers),
 * so the patterns name the libraries, not their functions: a leak of ours through a cairo or
 * fontconfig allocation is hidden too (docs/documents.md says how to look with full stacks).
 * The hook is LeakSanitizer's own (weak, read once at start); release builds never call it. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:libfontconfig.so\nleak:libcairo.so\n";
}

static cairo_status_t write_out(void *closure, const unsigned char *data, unsigned int length)
{
	struct pdf_doc *d = closure;
	int rc = buf_append(&d->out, data, length);
	if (rc) {
		d->out_rc = rc;
		return CAIRO_STATUS_WRITE_ERROR;
	}
	return CAIRO_STATUS_SUCCESS;
}

/* cairo's sticky error as ours; a failed write first (cairo does not always report one it
 * met while finishing the surface). */
static int status(struct pdf_doc *d)
{
	if (d->out_rc)
		return d->out_rc;
	cairo_status_t s = cairo_status(d->cr);
	if (s == CAIRO_STATUS_SUCCESS)
		s = cairo_surface_status(d->surf);
	if (s == CAIRO_STATUS_SUCCESS)
		return 0;
	return s == CAIRO_STATUS_NO_MEMORY ? ERR_NOMEM : ERR_IO;
}

/* A fontconfig configuration holding only the Noto CJK files in dir. */
static int font_config(const char *dir, FcConfig **out)
{
	FcConfig *fc = FcConfigCreate();
	if (!fc)
		return ERR_NOMEM;
	for (size_t i = 0; i < sizeof(FONT_FILES) / sizeof(FONT_FILES[0]); i++) {
		char path[1024];
		if (snprintf(path, sizeof(path), "%s/%s", dir, FONT_FILES[i]) >= (int)sizeof(path) ||
		    access(path, R_OK) || !FcConfigAppFontAddFile(fc, (const FcChar8 *)path)) {
			FcConfigDestroy(fc);
			return ERR_UNAVAILABLE;
		}
	}
	FcConfigParseAndLoadFromMemory(fc, (const FcChar8 *)FC_RULES, FcFalse);
	*out = fc;
	return 0;
}

static void pdf_abandon(void *state)
{
	struct pdf_doc *d = state;
	if (!d)
		return;
	if (d->cr)
		cairo_destroy(d->cr);
	if (d->surf) {
		cairo_surface_finish(d->surf);
		cairo_surface_destroy(d->surf);
	}
	if (d->pc)
		g_object_unref(d->pc);
	if (d->fm)
		g_object_unref(d->fm);
	buf_release(&d->out);
	free(d->footer);
	free(d);
}

/* The fonts of the default directory, loaded once per process and then only read. Pango
 * 1.50 never releases a configuration given to pango_fc_font_map_set_config (measured: the
 * font list of every document leaked, 0.5 MB each), and loading it costs 0.1-0.2 s; one
 * shared, immutable configuration costs neither. fontconfig's configuration objects are
 * reference-counted atomically and only read here (matching, sorting). */
struct shared_fonts {
	pthread_once_t once;
	FcConfig *fc;
	int rc;
};
static struct shared_fonts system_fonts = {.once = PTHREAD_ONCE_INIT};

static void load_system_fonts(void)
{
	system_fonts.rc = font_config(DEFAULT_FONT_DIR, &system_fonts.fc);
}

/* The configuration for font_dir: the shared one for the default directory, a private one
 * (released by pango with the font map, or not: see above) for another. */
static int fonts_for(const char *font_dir, FcConfig **fc, bool *shared)
{
	*shared = !font_dir || !strcmp(font_dir, DEFAULT_FONT_DIR);
	if (!*shared)
		return font_config(font_dir, fc);
	pthread_once(&system_fonts.once, load_system_fonts);
	*fc = system_fonts.fc;
	return system_fonts.rc;
}

/* The font map, the context, the surface: everything a document draws with. */
static int pdf_setup(struct pdf_doc *d, const struct document_opts *o)
{
	FcConfig *fc = NULL;
	bool shared;
	int rc = fonts_for(o->font_dir, &fc, &shared);
	if (rc)
		return rc;
	d->fm = pango_cairo_font_map_new_for_font_type(CAIRO_FONT_TYPE_FT);
	if (!d->fm) {
		if (!shared)
			FcConfigDestroy(fc);
		return ERR_NOMEM;
	}
	pango_fc_font_map_set_config(PANGO_FC_FONT_MAP(d->fm), fc); /* takes a reference */
	if (!shared)
		FcConfigDestroy(fc);
	pango_cairo_font_map_set_resolution(PANGO_CAIRO_FONT_MAP(d->fm), 72.0); /* 1 pt = 1 unit */
	d->surf = cairo_pdf_surface_create_for_stream(write_out, d, PAGE_W, PAGE_H);
	d->cr = cairo_create(d->surf);
	if ((rc = status(d)))
		return rc;
	d->pc = pango_font_map_create_context(d->fm);
	if (!d->pc)
		return ERR_NOMEM;
	cairo_font_options_t *fo = cairo_font_options_create();
	cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
	cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
	pango_cairo_context_set_font_options(d->pc, fo);
	cairo_font_options_destroy(fo);
	pango_context_set_language(d->pc, pango_language_from_string("zh-cn"));
	pango_cairo_update_context(d->cr, d->pc);
	cairo_pdf_surface_restrict_to_version(d->surf, CAIRO_PDF_VERSION_1_5);
	cairo_pdf_surface_set_metadata(d->surf, CAIRO_PDF_METADATA_CREATOR, "kexie");
	if (o->title)
		cairo_pdf_surface_set_metadata(d->surf, CAIRO_PDF_METADATA_TITLE, o->title);
	if (o->author)
		cairo_pdf_surface_set_metadata(d->surf, CAIRO_PDF_METADATA_AUTHOR, o->author);
	return status(d);
}

static int pdf_open(const struct document_opts *o, void **state)
{
	struct pdf_doc *d = calloc(1, sizeof(*d));
	if (!d)
		return ERR_NOMEM;
	buf_init(&d->out, o->max_bytes);
	d->page = 1;
	d->y = MARGIN_TOP;
	d->page_numbers = o->page_numbers;
	int rc = o->footer ? document_clean_text(o->footer, 4096, &d->footer) : 0;
	/* metadata strings go to cairo, which wants valid UTF-8 too */
	char *title = NULL, *author = NULL;
	if (!rc && o->title)
		rc = document_clean_text(o->title, 4096, &title);
	if (!rc && o->author)
		rc = document_clean_text(o->author, 4096, &author);
	if (!rc) {
		struct document_opts clean = *o;
		clean.title = title;
		clean.author = author;
		rc = pdf_setup(d, &clean);
	}
	free(title);
	free(author);
	if (rc) {
		pdf_abandon(d);
		return rc;
	}
	*state = d;
	return 0;
}

static PangoLayout *new_layout(struct pdf_doc *d, const char *font, double width)
{
	PangoLayout *l = pango_layout_new(d->pc);
	PangoFontDescription *fd = pango_font_description_from_string(font);
	pango_layout_set_font_description(l, fd);
	pango_font_description_free(fd);
	pango_layout_set_width(l, (int)(width * PANGO_SCALE));
	pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR); /* a very long word breaks anywhere */
	return l;
}

/* Attributes every layout starts with: no hyphen where a word breaks (pango >= 1.44 adds
 * one; a certificate number must read back as written). */
static PangoAttrList *base_attrs(void)
{
	PangoAttrList *al = pango_attr_list_new();
	pango_attr_list_insert(al, pango_attr_insert_hyphens_new(FALSE));
	return al;
}

/* One line of text centred on the page at baseline-independent top y. */
static void centred_line(struct pdf_doc *d, const char *text, double top)
{
	PangoLayout *l = new_layout(d, FOOTER_FONT, TEXT_W);
	pango_layout_set_alignment(l, PANGO_ALIGN_CENTER);
	pango_layout_set_text(l, text, -1);
	cairo_move_to(d->cr, MARGIN_LEFT, top);
	pango_cairo_show_layout(d->cr, l);
	g_object_unref(l);
}

/* The footer of the current page: its text 7 mm under the text area, the number below. */
static void page_foot(struct pdf_doc *d)
{
	double top = TEXT_BOTTOM + 7 * PT_PER_MM;
	if (d->footer && d->footer[0]) {
		centred_line(d, d->footer, top);
		top += 7 * PT_PER_MM;
	}
	if (d->page_numbers) {
		char num[32];
		snprintf(num, sizeof(num), "— %d —", d->page);
		centred_line(d, num, top);
	}
}

static int new_page(struct pdf_doc *d)
{
	page_foot(d);
	cairo_show_page(d->cr);
	d->page++;
	d->y = MARGIN_TOP;
	d->dirty = false;
	return status(d);
}

/* Starts a new page unless h points fit under y (or the page is empty: then it must do). */
static int room(struct pdf_doc *d, double h)
{
	if (d->y + h <= TEXT_BOTTOM + 0.01 || !d->dirty)
		return 0;
	return new_page(d);
}

/* The runs as one string with bold / italic attributes over their byte ranges. */
static void set_runs(PangoLayout *l, const struct document_run *runs, int n, struct buf *text)
{
	PangoAttrList *al = base_attrs();
	for (int i = 0; i < n; i++) {
		size_t start = text->len;
		if (buf_puts(text, runs[i].text ? runs[i].text : ""))
			break; /* bounded by what document.c let in: cannot happen */
		PangoAttribute *a;
		if (runs[i].bold) {
			a = pango_attr_weight_new(PANGO_WEIGHT_BOLD);
			a->start_index = (guint)start;
			a->end_index = (guint)text->len;
			pango_attr_list_insert(al, a);
		}
		if (runs[i].italic) {
			a = pango_attr_style_new(PANGO_STYLE_ITALIC);
			a->start_index = (guint)start;
			a->end_index = (guint)text->len;
			pango_attr_list_insert(al, a);
		}
	}
	pango_layout_set_text(l, text->ptr, (int)text->len);
	pango_layout_set_attributes(l, al);
	pango_attr_list_unref(al);
}

/* Places a laid-out paragraph line by line at pitch, breaking pages between lines. */
static int place_lines(struct pdf_doc *d, PangoLayout *l, double pitch)
{
	int rc = 0;
	PangoLayoutIter *it = pango_layout_get_iter(l);
	do {
		PangoRectangle lg;
		pango_layout_iter_get_line_extents(it, NULL, &lg);
		double lh = (double)lg.height / PANGO_SCALE;
		double slot = lh > pitch ? lh : pitch;
		if ((rc = room(d, slot)))
			break;
		double base = (double)(pango_layout_iter_get_baseline(it) - lg.y) / PANGO_SCALE;
		cairo_move_to(d->cr, MARGIN_LEFT + (double)lg.x / PANGO_SCALE, d->y + (slot - lh) / 2 + base);
		pango_cairo_show_layout_line(d->cr, pango_layout_iter_get_line_readonly(it));
		d->y += slot;
		d->dirty = true;
	} while (pango_layout_iter_next_line(it));
	pango_layout_iter_free(it);
	return rc ? rc : status(d);
}

static int pdf_paragraph(void *state, enum document_style s, enum document_align a,
			 const struct document_run *runs, int n)
{
	struct pdf_doc *d = state;
	const struct pdf_style *st = &STYLES[s];
	PangoLayout *l = new_layout(d, st->font, TEXT_W);
	pango_layout_set_indent(l, (int)(st->indent * PANGO_SCALE));
	pango_layout_set_alignment(l, a == DOC_ALIGN_CENTER  ? PANGO_ALIGN_CENTER
				      : a == DOC_ALIGN_RIGHT ? PANGO_ALIGN_RIGHT
							     : PANGO_ALIGN_LEFT);
	pango_layout_set_justify(l, a == DOC_ALIGN_JUSTIFY);
	struct buf text;
	buf_init(&text, d->out.max);
	set_runs(l, runs, n, &text);
	int rc = place_lines(d, l, st->pitch);
	d->y += st->after;
	buf_release(&text);
	g_object_unref(l);
	return rc;
}

/* Column widths in points: the given ones scaled to the text width, or equal shares. */
static void column_points(const struct document_table *t, double *w)
{
	double sum = 0;
	for (int c = 0; c < t->ncols; c++)
		sum += t->widths_mm ? t->widths_mm[c] : 1.0;
	for (int c = 0; c < t->ncols; c++)
		w[c] = (t->widths_mm ? t->widths_mm[c] : 1.0) * TEXT_W / sum;
}

/* Lays out and draws one row at d->y (the caller made room); returns its height in *h when
 * draw is false (measuring only). */
static double table_row(struct pdf_doc *d, const char *const *cells, int ncols, const double *w, bool header,
			bool draw)
{
	PangoLayout *l[32];
	double h = 0;
	for (int c = 0; c < ncols; c++) {
		l[c] = new_layout(d, TABLE_FONT, w[c] - 2 * CELL_PAD_X);
		PangoAttrList *al = base_attrs();
		if (header) {
			pango_attr_list_insert(al, pango_attr_weight_new(PANGO_WEIGHT_BOLD));
			pango_layout_set_alignment(l[c], PANGO_ALIGN_CENTER);
		}
		pango_layout_set_attributes(l[c], al);
		pango_attr_list_unref(al);
		pango_layout_set_text(l[c], cells[c] ? cells[c] : "", -1);
		int lw, lh;
		pango_layout_get_size(l[c], &lw, &lh);
		double ch = (double)lh / PANGO_SCALE + 2 * CELL_PAD_Y;
		if (ch > h)
			h = ch;
	}
	double x = MARGIN_LEFT;
	for (int c = 0; c < ncols; c++) {
		if (draw) {
			cairo_save(d->cr);
			cairo_rectangle(d->cr, MARGIN_LEFT, MARGIN_TOP, TEXT_W, TEXT_BOTTOM - MARGIN_TOP);
			cairo_clip(d->cr); /* a row taller than the page stops at its foot */
			cairo_move_to(d->cr, x + CELL_PAD_X, d->y + CELL_PAD_Y);
			pango_cairo_show_layout(d->cr, l[c]);
			cairo_rectangle(d->cr, x, d->y, w[c], h);
			cairo_set_line_width(d->cr, 0.6);
			cairo_stroke(d->cr);
			cairo_restore(d->cr);
		}
		x += w[c];
		g_object_unref(l[c]);
	}
	return h;
}

/* Draws a row, first moving to a new page (with the header repeated) when it does not fit. */
static int place_row(struct pdf_doc *d, const struct document_table *t, const char *const *cells,
		     const double *w)
{
	double h = table_row(d, cells, t->ncols, w, false, false);
	if (d->y + h > TEXT_BOTTOM && d->dirty) {
		int rc = new_page(d);
		if (rc)
			return rc;
		if (t->header)
			d->y += table_row(d, t->header, t->ncols, w, true, true);
	}
	table_row(d, cells, t->ncols, w, false, true);
	d->y += h;
	d->dirty = true;
	return status(d);
}

static int pdf_table(void *state, const struct document_table *t)
{
	struct pdf_doc *d = state;
	double w[32];
	column_points(t, w);
	int rc = 0;
	if (t->header) {
		double h = table_row(d, t->header, t->ncols, w, true, false);
		rc = room(d, h + 28); /* a header alone at a page's foot moves with its first row */
		if (!rc) {
			table_row(d, t->header, t->ncols, w, true, true);
			d->y += h;
			d->dirty = true;
		}
	}
	for (int r = 0; r < t->nrows && !rc; r++)
		rc = place_row(d, t, t->cells + (size_t)r * (size_t)t->ncols, w);
	d->y += 8;
	return rc ? rc : status(d);
}

/* PNG bytes read back by cairo. */
struct png_src {
	const unsigned char *p;
	size_t len, at;
};

static cairo_status_t read_png(void *closure, unsigned char *data, unsigned int length)
{
	struct png_src *s = closure;
	if (s->len - s->at < length)
		return CAIRO_STATUS_READ_ERROR;
	memcpy(data, s->p + s->at, length);
	s->at += length;
	return CAIRO_STATUS_SUCCESS;
}

/* An image surface for the bytes: PNG decoded; JPEG as a 1-bit placeholder of the same size
 * carrying the JPEG itself as MIME data, which the PDF surface embeds instead of pixels. */
static int image_surface(const void *bytes, size_t len, enum document_image_kind kind, int w, int h,
			 cairo_surface_t **out)
{
	cairo_surface_t *s;
	if (kind == DOC_IMAGE_PNG) {
		struct png_src src = {.p = bytes, .len = len};
		s = cairo_image_surface_create_from_png_stream(read_png, &src);
		if (cairo_surface_status(s) == CAIRO_STATUS_SUCCESS &&
		    (cairo_image_surface_get_width(s) != w || cairo_image_surface_get_height(s) != h)) {
			cairo_surface_destroy(s);
			return ERR_INVALID;
		}
	} else {
		s = cairo_image_surface_create(CAIRO_FORMAT_A1, w, h);
		unsigned char *copy = cairo_surface_status(s) == CAIRO_STATUS_SUCCESS ? malloc(len) : NULL;
		if (copy) {
			memcpy(copy, bytes, len);
			if (cairo_surface_set_mime_data(s, CAIRO_MIME_TYPE_JPEG, copy, len, free, copy) !=
			    CAIRO_STATUS_SUCCESS)
				free(copy);
		}
	}
	cairo_status_t st = cairo_surface_status(s);
	if (st != CAIRO_STATUS_SUCCESS) {
		cairo_surface_destroy(s);
		return st == CAIRO_STATUS_NO_MEMORY ? ERR_NOMEM : ERR_INVALID;
	}
	*out = s;
	return 0;
}

static int pdf_image(void *state, const void *bytes, size_t len, enum document_image_kind kind, int px_w,
		     int px_h, double width_mm)
{
	struct pdf_doc *d = state;
	cairo_surface_t *img = NULL;
	int rc = image_surface(bytes, len, kind, px_w, px_h, &img);
	if (rc)
		return rc;
	double scale = width_mm * PT_PER_MM / px_w;
	double body = TEXT_BOTTOM - MARGIN_TOP;
	if (px_h * scale > body) /* taller than a page: shrink to fit one */
		scale = body / px_h;
	double iw = px_w * scale, ih = px_h * scale;
	if (!(rc = room(d, ih))) {
		cairo_save(d->cr);
		cairo_translate(d->cr, MARGIN_LEFT + (TEXT_W - iw) / 2, d->y);
		cairo_scale(d->cr, scale, scale);
		cairo_set_source_surface(d->cr, img, 0, 0);
		cairo_paint(d->cr);
		cairo_restore(d->cr);
		d->y += ih + 8;
		d->dirty = true;
		rc = status(d);
	}
	cairo_surface_destroy(img);
	return rc;
}

static int pdf_page_break(void *state)
{
	struct pdf_doc *d = state;
	return d->dirty ? new_page(d) : 0;
}

static int pdf_close(void *state, char **bytes, size_t *len)
{
	struct pdf_doc *d = state;
	page_foot(d);
	cairo_show_page(d->cr);
	cairo_surface_finish(d->surf); /* writes the font subsets and the trailer */
	int rc = status(d);
	if (!rc)
		*bytes = buf_detach(&d->out, len);
	pdf_abandon(d);
	return rc;
}

const struct document_backend document_pdf_backend = {
	.name = "pdf",
	.ctype = "application/pdf",
	.open = pdf_open,
	.paragraph = pdf_paragraph,
	.table = pdf_table,
	.image = pdf_image,
	.page_break = pdf_page_break,
	.close = pdf_close,
	.abandon = pdf_abandon,
};
