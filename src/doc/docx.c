/*
 * docx.c - the DOCX backend of the document interface (document.h): an Office Open XML
 * (WordprocessingML, transitional) package written with libzip in memory.
 *
 * The body (word/document.xml) grows in one bounded buffer as blocks arrive; images are kept
 * as copies until closing, when the package is assembled: [Content_Types].xml, _rels/.rels,
 * word/document.xml, word/styles.xml (the official-document look: docDefaults 3号 仿宋, styles
 * Title, KxDocNo, Heading1..3, KxBody, KxPlain, KxTable, Footer), word/fontTable.xml (each
 * Chinese font with the alternative Word falls back to: 方正小标宋简体 -> 宋体, 仿宋_GB2312
 * -> 仿宋, 楷体_GB2312 -> 楷体), word/_rels/document.xml.rels, word/footer1.xml when there
 * is a footer, word/media/imageN.png|jpeg, docProps/core.xml and docProps/app.xml.
 *
 * Text arrives cleaned (document.c): only the XML specials need escaping here; LF becomes
 * <w:br/> and TAB <w:tab/>. Lengths: twips (1/1440 inch) for the page and tables, EMU
 * (36,000 a millimetre) for drawings.
 */
#include "doc/document.h"
#include "base/buf.h"
#include "base/err.h"

#include <zip.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define TWIPS_PER_MM (1440.0 / 25.4)
#define EMU_PER_MM   36000.0
#define MAX_IMAGES   1000

struct docx_image {
	char *data;
	size_t len;
	enum document_image_kind kind;
};

struct docx_doc {
	struct buf body; /* the children of <w:body> so far */
	struct docx_image *img;
	int nimg;
	bool last_table; /* a table ended the body: a paragraph must follow it */
	char *title, *author, *footer;
	bool page_numbers;
	size_t max;
};

static const char W_NS[] = "xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\" "
			   "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"";

/* Appends text with the XML specials escaped; LF -> <w:br/>, TAB -> <w:tab/> when runs. */
static int xml_text(struct buf *b, const char *s, bool runs)
{
	int rc = 0;
	for (const char *p = s; *p && !rc; p++) {
		switch (*p) {
		case '&': rc = buf_puts(b, "&amp;"); break;
		case '<': rc = buf_puts(b, "&lt;"); break;
		case '>': rc = buf_puts(b, "&gt;"); break;
		case '"': rc = buf_puts(b, "&quot;"); break;
		case '\n': rc = buf_puts(b, runs ? "</w:t><w:br/><w:t xml:space=\"preserve\">" : " "); break;
		case '\t': rc = buf_puts(b, runs ? "</w:t><w:tab/><w:t xml:space=\"preserve\">" : " "); break;
		default: rc = buf_putc(b, *p);
		}
	}
	return rc;
}

static void docx_abandon(void *state)
{
	struct docx_doc *d = state;
	if (!d)
		return;
	buf_release(&d->body);
	for (int i = 0; i < d->nimg; i++)
		free(d->img[i].data);
	free(d->img);
	free(d->title);
	free(d->author);
	free(d->footer);
	free(d);
}

/* Metadata and footer text are cleaned like body text. */
static int clean_opt(const char *s, size_t max, char **out)
{
	*out = NULL;
	return s ? document_clean_text(s, max, out) : 0;
}

static int docx_open(const struct document_opts *o, void **state)
{
	struct docx_doc *d = calloc(1, sizeof(*d));
	if (!d)
		return ERR_NOMEM;
	d->max = o->max_bytes;
	buf_init(&d->body, o->max_bytes);
	d->page_numbers = o->page_numbers;
	int rc = clean_opt(o->title, 4096, &d->title);
	if (!rc)
		rc = clean_opt(o->author, 4096, &d->author);
	if (!rc)
		rc = clean_opt(o->footer, 4096, &d->footer);
	if (rc) {
		docx_abandon(d);
		return rc;
	}
	*state = d;
	return 0;
}

static const char *style_id(enum document_style s)
{
	static const char *const ids[] = {"KxBody",   "Title",    "KxDocNo", "Heading1",
					  "Heading2", "Heading3", "KxPlain"};
	return ids[s];
}

static const char *jc(enum document_align a)
{
	static const char *const v[] = {"both", "left", "center", "right"};
	return v[a];
}

/* <w:r> runs of text (bold/italic), escaped. */
static int runs_xml(struct buf *b, const struct document_run *runs, int n, bool all_bold)
{
	int rc = 0;
	for (int i = 0; i < n && !rc; i++) {
		bool bold = all_bold || runs[i].bold;
		rc = buf_printf(b, "<w:r>%s%s%s%s<w:t xml:space=\"preserve\">",
				bold || runs[i].italic ? "<w:rPr>" : "", bold ? "<w:b/>" : "",
				runs[i].italic ? "<w:i/>" : "", bold || runs[i].italic ? "</w:rPr>" : "");
		if (!rc)
			rc = xml_text(b, runs[i].text ? runs[i].text : "", true);
		if (!rc)
			rc = buf_puts(b, "</w:t></w:r>");
	}
	return rc;
}

static int docx_paragraph(void *state, enum document_style s, enum document_align a,
			  const struct document_run *runs, int n)
{
	struct docx_doc *d = state;
	int rc = buf_printf(&d->body, "<w:p><w:pPr><w:pStyle w:val=\"%s\"/><w:jc w:val=\"%s\"/></w:pPr>",
			    style_id(s), jc(a));
	if (!rc)
		rc = runs_xml(&d->body, runs, n, false);
	if (!rc)
		rc = buf_puts(&d->body, "</w:p>");
	d->last_table = false;
	return rc;
}

/* One table row, kept on one page: cells in KxTable paragraphs, the header bold and repeated
 * on every page. */
static int table_row(struct buf *b, const char *const *cells, int ncols, const int *tw, bool header)
{
	int rc = buf_puts(b, header ? "<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>"
				    : "<w:tr><w:trPr><w:cantSplit/></w:trPr>");
	for (int c = 0; c < ncols && !rc; c++) {
		struct document_run r = {.text = cells[c] ? cells[c] : ""};
		rc = buf_printf(
			b,
			"<w:tc><w:tcPr><w:tcW w:w=\"%d\" w:type=\"dxa\"/><w:vAlign w:val=\"center\"/></w:tcPr>"
			"<w:p><w:pPr><w:pStyle w:val=\"KxTable\"/><w:jc w:val=\"%s\"/></w:pPr>",
			tw[c], header ? "center" : "left");
		if (!rc)
			rc = runs_xml(b, &r, 1, header);
		if (!rc)
			rc = buf_puts(b, "</w:p></w:tc>");
	}
	return rc ? rc : buf_puts(b, "</w:tr>");
}

/* Column widths in twips: given ones scaled to the text width, or equal shares. */
static void column_twips(const struct document_table *t, int *tw)
{
	double sum = 0;
	for (int c = 0; c < t->ncols; c++)
		sum += t->widths_mm ? t->widths_mm[c] : 1.0;
	for (int c = 0; c < t->ncols; c++) {
		double mm = (t->widths_mm ? t->widths_mm[c] : 1.0) * DOCUMENT_TEXT_WIDTH_MM / sum;
		tw[c] = (int)(mm * TWIPS_PER_MM);
	}
}

static int docx_table(void *state, const struct document_table *t)
{
	struct docx_doc *d = state;
	struct buf *b = &d->body;
	int tw[32];
	column_twips(t, tw);
	int total = 0;
	for (int c = 0; c < t->ncols; c++)
		total += tw[c];
	int rc = buf_printf(
		b,
		"<w:tbl><w:tblPr><w:tblW w:w=\"%d\" w:type=\"dxa\"/><w:jc w:val=\"center\"/>"
		"<w:tblBorders><w:top w:val=\"single\" w:sz=\"8\" w:space=\"0\" w:color=\"000000\"/>"
		"<w:left w:val=\"single\" w:sz=\"8\" w:space=\"0\" w:color=\"000000\"/>"
		"<w:bottom w:val=\"single\" w:sz=\"8\" w:space=\"0\" w:color=\"000000\"/>"
		"<w:right w:val=\"single\" w:sz=\"8\" w:space=\"0\" w:color=\"000000\"/>"
		"<w:insideH w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>"
		"<w:insideV w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>"
		"</w:tblBorders><w:tblLayout w:type=\"fixed\"/>"
		"<w:tblCellMar><w:left w:w=\"85\" w:type=\"dxa\"/><w:right w:w=\"85\" w:type=\"dxa\"/>"
		"</w:tblCellMar></w:tblPr><w:tblGrid>",
		total);
	for (int c = 0; c < t->ncols && !rc; c++)
		rc = buf_printf(b, "<w:gridCol w:w=\"%d\"/>", tw[c]);
	if (!rc)
		rc = buf_puts(b, "</w:tblGrid>");
	if (!rc && t->header)
		rc = table_row(b, t->header, t->ncols, tw, true);
	for (int r = 0; r < t->nrows && !rc; r++)
		rc = table_row(b, t->cells + (size_t)r * (size_t)t->ncols, t->ncols, tw, false);
	if (!rc)
		rc = buf_puts(b, "</w:tbl>");
	d->last_table = true;
	return rc;
}

static int docx_image(void *state, const void *bytes, size_t len, enum document_image_kind kind, int px_w,
		      int px_h, double width_mm)
{
	struct docx_doc *d = state;
	if (d->nimg >= MAX_IMAGES)
		return ERR_TOOBIG;
	struct docx_image *grown = realloc(d->img, ((size_t)d->nimg + 1) * sizeof(*grown));
	if (!grown)
		return ERR_NOMEM;
	d->img = grown;
	char *copy = malloc(len ? len : 1);
	if (!copy)
		return ERR_NOMEM;
	memcpy(copy, bytes, len);
	int id = d->nimg + 1;
	long cx = (long)(width_mm * EMU_PER_MM);
	long cy = (long)((double)cx * px_h / px_w);
	int rc = buf_printf(
		&d->body,
		"<w:p><w:pPr><w:pStyle w:val=\"KxPlain\"/><w:jc w:val=\"center\"/><w:spacing w:line=\"240\" "
		"w:lineRule=\"auto\"/></w:pPr><w:r><w:drawing>"
		"<wp:inline distT=\"0\" distB=\"0\" distL=\"0\" distR=\"0\"><wp:extent cx=\"%ld\" cy=\"%ld\"/>"
		"<wp:docPr id=\"%d\" name=\"Picture %d\"/><wp:cNvGraphicFramePr>"
		"<a:graphicFrameLocks noChangeAspect=\"1\"/></wp:cNvGraphicFramePr><a:graphic>"
		"<a:graphicData uri=\"http://schemas.openxmlformats.org/drawingml/2006/picture\"><pic:pic>"
		"<pic:nvPicPr><pic:cNvPr id=\"%d\" name=\"image%d.%s\"/><pic:cNvPicPr/></pic:nvPicPr>"
		"<pic:blipFill><a:blip r:embed=\"rIdImg%d\"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill>"
		"<pic:spPr><a:xfrm><a:off x=\"0\" y=\"0\"/><a:ext cx=\"%ld\" cy=\"%ld\"/></a:xfrm>"
		"<a:prstGeom prst=\"rect\"><a:avLst/></a:prstGeom></pic:spPr></pic:pic></a:graphicData>"
		"</a:graphic></wp:inline></w:drawing></w:r></w:p>",
		cx, cy, id, id, id, id, kind == DOC_IMAGE_PNG ? "png" : "jpeg", id, cx, cy);
	if (rc) {
		free(copy);
		return rc;
	}
	d->img[d->nimg++] = (struct docx_image){.data = copy, .len = len, .kind = kind};
	d->last_table = false;
	return 0;
}

static int docx_page_break(void *state)
{
	struct docx_doc *d = state;
	d->last_table = false;
	return buf_puts(
		&d->body,
		"<w:p><w:pPr><w:pStyle w:val=\"KxPlain\"/></w:pPr><w:r><w:br w:type=\"page\"/></w:r></w:p>");
}

/* ---- the fixed parts ---- */

static const char CONTENT_TYPES_HEAD[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
	"<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
	"<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
	"<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
	"<Default Extension=\"png\" ContentType=\"image/png\"/>"
	"<Default Extension=\"jpeg\" ContentType=\"image/jpeg\"/>"
	"<Override PartName=\"/word/document.xml\" "
	"ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/>"
	"<Override PartName=\"/word/styles.xml\" "
	"ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml\"/>"
	"<Override PartName=\"/word/fontTable.xml\" "
	"ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.fontTable+xml\"/>"
	"<Override PartName=\"/docProps/core.xml\" "
	"ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/>"
	"<Override PartName=\"/docProps/app.xml\" "
	"ContentType=\"application/vnd.openxmlformats-officedocument.extended-properties+xml\"/>";

static const char PACKAGE_RELS[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
	"<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
	"<Relationship Id=\"rId1\" "
	"Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" "
	"Target=\"word/document.xml\"/>"
	"<Relationship Id=\"rId2\" "
	"Type=\"http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties\" "
	"Target=\"docProps/core.xml\"/>"
	"<Relationship Id=\"rId3\" "
	"Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties\" "
	"Target=\"docProps/app.xml\"/>"
	"</Relationships>";

static const char APP_XML[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
	"<Properties xmlns=\"http://schemas.openxmlformats.org/officeDocument/2006/extended-properties\">"
	"<Application>kexie</Application><DocSecurity>0</DocSecurity></Properties>";

/* Fonts: the Latin face, then the East Asian one; sizes in half-points (3号 = 16 pt = 32). */
#define RFONTS(ea)                                                                           \
	"<w:rFonts w:ascii=\"Times New Roman\" w:hAnsi=\"Times New Roman\" w:eastAsia=\"" ea \
	"\" w:cs=\"Times New Roman\"/>"
#define FIRST_LINE_2 "<w:ind w:firstLineChars=\"200\" w:firstLine=\"640\"/>"
#define LINE_28      "<w:spacing w:line=\"560\" w:lineRule=\"exact\"/>"

static const char STYLES_XML[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
	"<w:styles xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">"
	"<w:docDefaults><w:rPrDefault><w:rPr>" RFONTS(
		"仿宋_GB2312") "<w:kern w:val=\"2\"/>"
			       "<w:sz w:val=\"32\"/><w:szCs w:val=\"32\"/><w:lang w:val=\"en-US\" w:eastAsia=\"zh-CN\" w:bidi=\"ar-SA\"/>"
			       "</w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:widowControl/>" LINE_28
			       "<w:jc w:val=\"both\"/>"
			       "</w:pPr></w:pPrDefault></w:docDefaults>"
			       "<w:style w:type=\"paragraph\" w:default=\"1\" w:styleId=\"Normal\"><w:name w:val=\"Normal\"/><w:qFormat/></w:style>"
			       "<w:style w:type=\"paragraph\" w:styleId=\"KxBody\"><w:name w:val=\"Body Text Kexie\"/><w:basedOn w:val=\"Normal\"/>"
			       "<w:qFormat/><w:pPr>" FIRST_LINE_2 "</w:pPr></w:style>"
			       "<w:style w:type=\"paragraph\" w:styleId=\"KxPlain\"><w:name w:val=\"Plain Kexie\"/><w:basedOn w:val=\"Normal\"/></w:style>"
			       "<w:style w:type=\"paragraph\" w:styleId=\"Title\"><w:name w:val=\"Title\"/><w:basedOn w:val=\"Normal\"/>"
			       "<w:next w:val=\"KxBody\"/><w:qFormat/><w:pPr><w:spacing w:before=\"240\" w:after=\"240\" w:line=\"700\" "
			       "w:lineRule=\"exact\"/><w:jc w:val=\"center\"/><w:outlineLvl w:val=\"0\"/></w:pPr><w:rPr>" RFONTS(
				       "方正小标宋简体") "<w:sz w:val=\"44\"/><w:szCs w:val=\"44\"/></w:rPr></w:style>"
							 "<w:style w:type=\"paragraph\" w:styleId=\"KxDocNo\"><w:name w:val=\"Document Number Kexie\"/>"
							 "<w:basedOn w:val=\"Normal\"/><w:next w:val=\"KxBody\"/><w:pPr><w:spacing w:after=\"280\" w:line=\"560\" "
							 "w:lineRule=\"exact\"/><w:jc w:val=\"center\"/></w:pPr></w:style>"
							 "<w:style w:type=\"paragraph\" w:styleId=\"Heading1\"><w:name w:val=\"heading 1\"/><w:basedOn w:val=\"Normal\"/>"
							 "<w:next w:val=\"KxBody\"/><w:qFormat/><w:pPr><w:keepNext/>" FIRST_LINE_2
							 "<w:outlineLvl w:val=\"0\"/></w:pPr>"
							 "<w:rPr>" RFONTS(
								 "黑体") "</w:rPr></w:style>"
									 "<w:style w:type=\"paragraph\" w:styleId=\"Heading2\"><w:name w:val=\"heading 2\"/><w:basedOn w:val=\"Normal\"/>"
									 "<w:next w:val=\"KxBody\"/><w:qFormat/><w:pPr><w:keepNext/>" FIRST_LINE_2
									 "<w:outlineLvl w:val=\"1\"/></w:pPr>"
									 "<w:rPr>" RFONTS(
										 "楷体_GB2312") "</w:rPr></w:style>"
												"<w:style w:type=\"paragraph\" w:styleId=\"Heading3\"><w:name w:val=\"heading 3\"/><w:basedOn w:val=\"Normal\"/>"
												"<w:next w:val=\"KxBody\"/><w:qFormat/><w:pPr><w:keepNext/>" FIRST_LINE_2
												"<w:outlineLvl w:val=\"2\"/></w:pPr>"
												"<w:rPr><w:b/></w:rPr></w:style>"
												"<w:style w:type=\"paragraph\" w:styleId=\"KxTable\"><w:name w:val=\"Table Text Kexie\"/><w:basedOn w:val=\"Normal\"/>"
												"<w:pPr><w:spacing w:before=\"40\" w:after=\"40\" w:line=\"240\" w:lineRule=\"auto\"/></w:pPr>"
												"<w:rPr><w:sz w:val=\"28\"/><w:szCs w:val=\"28\"/></w:rPr></w:style>"
												"<w:style w:type=\"paragraph\" w:styleId=\"Footer\"><w:name w:val=\"footer\"/><w:basedOn w:val=\"Normal\"/>"
												"<w:pPr><w:spacing w:line=\"240\" w:lineRule=\"auto\"/><w:jc w:val=\"center\"/></w:pPr><w:rPr>" RFONTS(
													"宋体") "<w:sz w:val=\"28\"/><w:szCs w:val=\"28\"/></w:rPr></w:style>"
														"</w:styles>";

/* Each East Asian face with the one Word and LibreOffice fall back to when it is missing. */
#define FONT(name, alt, family)                                                               \
	"<w:font w:name=\"" name "\"><w:altName w:val=\"" alt "\"/><w:charset w:val=\"86\"/>" \
	"<w:family w:val=\"" family "\"/><w:pitch w:val=\"variable\"/></w:font>"

static const char FONTS_XML[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
	"<w:fonts xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">"
	"<w:font w:name=\"Times New Roman\"><w:charset w:val=\"00\"/><w:family w:val=\"roman\"/>"
	"<w:pitch w:val=\"variable\"/></w:font>" FONT("方正小标宋简体", "宋体", "script")
		FONT("仿宋_GB2312", "仿宋", "modern") FONT("楷体_GB2312", "楷体", "modern")
			FONT("黑体", "SimHei", "modern") FONT("宋体", "SimSun", "auto") "</w:fonts>";

/* ---- assembling the package ---- */

/* Adds a part: takes ownership of data (malloc'd) whatever happens. */
static int add_part(zip_t *za, const char *name, char *data, size_t len)
{
	zip_source_t *s = zip_source_buffer(za, data, len, 1);
	if (!s) {
		free(data);
		return ERR_NOMEM;
	}
	if (zip_file_add(za, name, s, ZIP_FL_ENC_UTF_8 | ZIP_FL_OVERWRITE) < 0) {
		zip_source_free(s);
		return ERR_IO;
	}
	return 0;
}

/* Adds a part built in a buffer (the buffer is emptied). */
static int add_buf(zip_t *za, const char *name, struct buf *b)
{
	size_t n;
	char *p = buf_detach(b, &n);
	return add_part(za, name, p, n);
}

static int add_const(zip_t *za, const char *name, const char *text)
{
	char *p = strdup(text);
	return p ? add_part(za, name, p, strlen(p)) : ERR_NOMEM;
}

static bool has_footer(const struct docx_doc *d)
{
	return (d->footer && d->footer[0]) || d->page_numbers;
}

static int content_types(const struct docx_doc *d, struct buf *b)
{
	int rc = buf_puts(b, CONTENT_TYPES_HEAD);
	if (!rc && has_footer(d))
		rc = buf_puts(
			b,
			"<Override PartName=\"/word/footer1.xml\" "
			"ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml\"/>");
	return rc ? rc : buf_puts(b, "</Types>");
}

static int document_rels(const struct docx_doc *d, struct buf *b)
{
	int rc = buf_puts(
		b, "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
		   "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
		   "<Relationship Id=\"rIdStyles\" "
		   "Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" "
		   "Target=\"styles.xml\"/>"
		   "<Relationship Id=\"rIdFonts\" "
		   "Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/fontTable\" "
		   "Target=\"fontTable.xml\"/>");
	if (!rc && has_footer(d))
		rc = buf_puts(
			b,
			"<Relationship Id=\"rIdFooter\" "
			"Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer\" "
			"Target=\"footer1.xml\"/>");
	for (int i = 0; i < d->nimg && !rc; i++)
		rc = buf_printf(
			b,
			"<Relationship Id=\"rIdImg%d\" "
			"Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/image\" "
			"Target=\"media/image%d.%s\"/>",
			i + 1, i + 1, d->img[i].kind == DOC_IMAGE_PNG ? "png" : "jpeg");
	return rc ? rc : buf_puts(b, "</Relationships>");
}

/* The footer: its line of text, then "— PAGE —" (a PAGE field) when numbering. */
static int footer_xml(const struct docx_doc *d, struct buf *b)
{
	int rc = buf_printf(b, "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:ftr %s>",
			    W_NS);
	if (!rc && d->footer && d->footer[0]) {
		struct document_run r = {.text = d->footer};
		rc = buf_puts(b, "<w:p><w:pPr><w:pStyle w:val=\"Footer\"/></w:pPr>");
		if (!rc)
			rc = runs_xml(b, &r, 1, false);
		if (!rc)
			rc = buf_puts(b, "</w:p>");
	}
	if (!rc && d->page_numbers)
		rc = buf_puts(
			b,
			"<w:p><w:pPr><w:pStyle w:val=\"Footer\"/></w:pPr>"
			"<w:r><w:t xml:space=\"preserve\">— </w:t></w:r>"
			"<w:fldSimple w:instr=\" PAGE \\* MERGEFORMAT \"><w:r><w:t>1</w:t></w:r></w:fldSimple>"
			"<w:r><w:t xml:space=\"preserve\"> —</w:t></w:r></w:p>");
	if (!rc && !(d->footer && d->footer[0]) && !d->page_numbers)
		rc = buf_puts(b, "<w:p/>");
	return rc ? rc : buf_puts(b, "</w:ftr>");
}

static int core_xml(const struct docx_doc *d, struct buf *b)
{
	time_t now = time(NULL);
	struct tm tm;
	char when[32];
	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	int rc = buf_puts(
		b,
		"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
		"<cp:coreProperties "
		"xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" "
		"xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:dcterms=\"http://purl.org/dc/terms/\" "
		"xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">");
	if (!rc && d->title && (rc = buf_puts(b, "<dc:title>")) == 0 &&
	    (rc = xml_text(b, d->title, false)) == 0)
		rc = buf_puts(b, "</dc:title>");
	if (!rc && d->author && (rc = buf_puts(b, "<dc:creator>")) == 0 &&
	    (rc = xml_text(b, d->author, false)) == 0)
		rc = buf_puts(b, "</dc:creator>");
	if (!rc)
		rc = buf_printf(
			b,
			"<dcterms:created xsi:type=\"dcterms:W3CDTF\">%s</dcterms:created>"
			"<dcterms:modified xsi:type=\"dcterms:W3CDTF\">%s</dcterms:modified></cp:coreProperties>",
			when, when);
	return rc;
}

/* word/document.xml: the body so far in its envelope, then the A4 section with the GB/T 9704
 * margins (top 37, bottom 35, left 28, right 26 mm). */
static int document_xml(struct docx_doc *d, struct buf *b)
{
	int rc = buf_printf(
		b,
		"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:document %s "
		"xmlns:wp=\"http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing\" "
		"xmlns:a=\"http://schemas.openxmlformats.org/drawingml/2006/main\" "
		"xmlns:pic=\"http://schemas.openxmlformats.org/drawingml/2006/picture\"><w:body>",
		W_NS);
	if (!rc)
		rc = buf_append(b, d->body.ptr, d->body.len);
	if (!rc && d->last_table)
		rc = buf_puts(b, "<w:p><w:pPr><w:pStyle w:val=\"KxPlain\"/></w:pPr></w:p>");
	if (!rc)
		rc = buf_printf(
			b,
			"<w:sectPr>%s<w:pgSz w:w=\"11906\" w:h=\"16838\"/>"
			"<w:pgMar w:top=\"2098\" w:right=\"1474\" w:bottom=\"1984\" w:left=\"1587\" "
			"w:header=\"851\" w:footer=\"992\" w:gutter=\"0\"/>"
			"<w:docGrid w:type=\"lines\" w:linePitch=\"579\"/></w:sectPr></w:body></w:document>",
			has_footer(d) ? "<w:footerReference w:type=\"default\" r:id=\"rIdFooter\"/>" : "");
	buf_release(&d->body);
	return rc;
}

/* Every part into the archive, [Content_Types].xml first. */
static int add_parts(struct docx_doc *d, zip_t *za)
{
	struct buf b;
	buf_init(&b, d->max);
	int rc = content_types(d, &b);
	if (!rc)
		rc = add_buf(za, "[Content_Types].xml", &b);
	if (!rc)
		rc = add_const(za, "_rels/.rels", PACKAGE_RELS);
	if (!rc && !(rc = document_xml(d, &b)))
		rc = add_buf(za, "word/document.xml", &b);
	if (!rc && !(rc = document_rels(d, &b)))
		rc = add_buf(za, "word/_rels/document.xml.rels", &b);
	if (!rc)
		rc = add_const(za, "word/styles.xml", STYLES_XML);
	if (!rc)
		rc = add_const(za, "word/fontTable.xml", FONTS_XML);
	if (!rc && has_footer(d) && !(rc = footer_xml(d, &b)))
		rc = add_buf(za, "word/footer1.xml", &b);
	for (int i = 0; i < d->nimg && !rc; i++) {
		char name[64];
		snprintf(name, sizeof(name), "word/media/image%d.%s", i + 1,
			 d->img[i].kind == DOC_IMAGE_PNG ? "png" : "jpeg");
		rc = add_part(za, name, d->img[i].data, d->img[i].len);
		d->img[i].data = NULL; /* the archive owns it now */
		if (!rc)               /* images are compressed already */
			zip_set_file_compression(za, (zip_uint64_t)zip_name_locate(za, name, 0), ZIP_CM_STORE,
						 0);
	}
	if (!rc && !(rc = core_xml(d, &b)))
		rc = add_buf(za, "docProps/core.xml", &b);
	if (!rc)
		rc = add_const(za, "docProps/app.xml", APP_XML);
	buf_release(&b);
	return rc;
}

/* Reads the finished archive out of its in-memory source. */
static int source_bytes(zip_source_t *src, size_t max, char **bytes, size_t *len)
{
	if (zip_source_open(src) < 0)
		return ERR_IO;
	int rc = 0;
	zip_int64_t n = -1;
	if (zip_source_seek(src, 0, SEEK_END) < 0 || (n = zip_source_tell(src)) < 0 ||
	    zip_source_seek(src, 0, SEEK_SET) < 0)
		rc = ERR_IO;
	else if ((zip_uint64_t)n > max)
		rc = ERR_TOOBIG;
	char *p = rc ? NULL : malloc((size_t)n + 1);
	if (!rc && !p)
		rc = ERR_NOMEM;
	if (!rc && zip_source_read(src, p, (zip_uint64_t)n) != n)
		rc = ERR_IO;
	zip_source_close(src);
	if (rc) {
		free(p);
		return rc;
	}
	*bytes = p;
	*len = (size_t)n;
	return 0;
}

static int docx_close(void *state, char **bytes, size_t *len)
{
	struct docx_doc *d = state;
	zip_error_t ze;
	zip_error_init(&ze);
	zip_source_t *src = zip_source_buffer_create(NULL, 0, 0, &ze);
	zip_t *za = NULL;
	int rc = src ? 0 : ERR_NOMEM;
	if (!rc) {
		zip_source_keep(src); /* survives zip_close, which writes into it */
		za = zip_open_from_source(src, ZIP_TRUNCATE, &ze);
		rc = za ? 0 : ERR_IO;
	}
	if (!rc)
		rc = add_parts(d, za);
	if (za && rc)
		zip_discard(za);
	else if (za && zip_close(za) < 0) {
		zip_discard(za);
		rc = ERR_IO;
	}
	if (!rc)
		rc = source_bytes(src, d->max, bytes, len);
	if (src)
		zip_source_free(src);
	zip_error_fini(&ze);
	docx_abandon(d);
	return rc;
}

const struct document_backend document_docx_backend = {
	.name = "docx",
	.ctype = "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	.open = docx_open,
	.paragraph = docx_paragraph,
	.table = docx_table,
	.image = docx_image,
	.page_break = docx_page_break,
	.close = docx_close,
	.abandon = docx_abandon,
};
