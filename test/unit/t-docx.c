/* t-docx.c - the DOCX backend of the document writers: the package re-opened with libzip,
 * every XML part parsed with expat, the required parts, content types and relationships
 * present and resolving, the text read back exact (hostile text included), image sizes in
 * EMU, and the bounds (ERR_TOOBIG). Also the front end shared by both backends: text
 * cleaning, image probing, argument checks, the atomic file write. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <expat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

#include "base/err.h"
#include "doc/document.h"
#include "doc/qr.h"

#include "jpeg24x16.inc"

/* ---- reading a package back ---- */

struct pkg {
	zip_t *z;
	char *data;
};

static struct pkg pkg_open(char *bytes, size_t len)
{
	zip_error_t ze;
	zip_error_init(&ze);
	zip_source_t *src = zip_source_buffer_create(bytes, len, 0, &ze);
	assert_non_null(src);
	zip_t *z = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &ze);
	if (!z)
		fail_msg("not a zip: %s", zip_error_strerror(&ze));
	zip_error_fini(&ze);
	return (struct pkg){.z = z, .data = bytes};
}

static void pkg_close(struct pkg *p)
{
	zip_close(p->z);
	free(p->data);
}

/* A part's bytes (NUL-terminated, caller frees), or NULL when absent. */
static char *part(struct pkg *p, const char *name, size_t *n)
{
	zip_stat_t st;
	if (zip_stat(p->z, name, 0, &st))
		return NULL;
	char *b = malloc(st.size + 1);
	zip_file_t *f = zip_fopen(p->z, name, 0);
	assert_non_null(f);
	assert_int_equal(zip_fread(f, b, st.size), (zip_int64_t)st.size);
	zip_fclose(f);
	b[st.size] = 0;
	if (n)
		*n = st.size;
	return b;
}

/* What an expat walk collects: the text of <w:t>, attribute values by name. */
struct walk {
	char text[1 << 20];
	size_t tlen;
	bool in_t;
	const char *want_attr[4]; /* attribute names to collect */
	char attrs[64][128];      /* "name=value" */
	int nattrs;
	int drawings;
	long cx[16], cy[16];
};

static void XMLCALL on_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
	struct walk *w = ud;
	if (!strcmp(name, "w:t"))
		w->in_t = true;
	if (!strcmp(name, "w:br") && w->tlen + 1 < sizeof(w->text))
		w->text[w->tlen++] = '\n';
	if (!strcmp(name, "w:p") && w->tlen && w->tlen + 1 < sizeof(w->text))
		w->text[w->tlen++] = '|'; /* paragraphs separated */
	if (!strcmp(name, "wp:extent") && w->drawings < 16) {
		for (int i = 0; atts[i]; i += 2) {
			if (!strcmp(atts[i], "cx"))
				w->cx[w->drawings] = strtol(atts[i + 1], NULL, 10);
			if (!strcmp(atts[i], "cy"))
				w->cy[w->drawings] = strtol(atts[i + 1], NULL, 10);
		}
		w->drawings++;
	}
	for (int i = 0; atts[i]; i += 2)
		for (int k = 0; k < 4 && w->want_attr[k]; k++)
			if (!strcmp(atts[i], w->want_attr[k]) && w->nattrs < 64)
				snprintf(w->attrs[w->nattrs++], 128, "%s=%s", atts[i], atts[i + 1]);
}

static void XMLCALL on_end(void *ud, const XML_Char *name)
{
	struct walk *w = ud;
	if (!strcmp(name, "w:t"))
		w->in_t = false;
}

static void XMLCALL on_text(void *ud, const XML_Char *s, int len)
{
	struct walk *w = ud;
	if (w->in_t && w->tlen + (size_t)len < sizeof(w->text)) {
		memcpy(w->text + w->tlen, s, (size_t)len);
		w->tlen += (size_t)len;
	}
}

/* Parses XML with expat; fails the test if it is not well-formed. */
static void parse(const char *name, const char *xml, size_t n, struct walk *w)
{
	XML_Parser p = XML_ParserCreate("UTF-8");
	XML_SetUserData(p, w);
	XML_SetElementHandler(p, on_start, on_end);
	XML_SetCharacterDataHandler(p, on_text);
	if (XML_Parse(p, xml, (int)n, 1) != XML_STATUS_OK)
		fail_msg("%s: %s at line %lu", name, XML_ErrorString(XML_GetErrorCode(p)),
			 (unsigned long)XML_GetCurrentLineNumber(p));
	XML_ParserFree(p);
	w->text[w->tlen] = 0;
}

static bool has_attr(const struct walk *w, const char *nv)
{
	for (int i = 0; i < w->nattrs; i++)
		if (!strcmp(w->attrs[i], nv))
			return true;
	return false;
}

/* Every .xml and .rels part parses; every relationship's target exists in the package. */
static void check_package(struct pkg *p)
{
	static const char *const required[] = {
		"[Content_Types].xml",          "_rels/.rels",       "word/document.xml", "word/styles.xml",
		"word/_rels/document.xml.rels", "docProps/core.xml", "docProps/app.xml"};
	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++)
		if (zip_name_locate(p->z, required[i], 0) < 0)
			fail_msg("missing part %s", required[i]);
	assert_string_equal(zip_get_name(p->z, 0, 0), "[Content_Types].xml");
	zip_int64_t n = zip_get_num_entries(p->z, 0);
	struct walk *w = calloc(1, sizeof(*w));
	for (zip_int64_t i = 0; i < n; i++) {
		const char *name = zip_get_name(p->z, (zip_uint64_t)i, 0);
		size_t len = strlen(name);
		bool rels = len > 5 && !strcmp(name + len - 5, ".rels");
		if (!rels && !(len > 4 && !strcmp(name + len - 4, ".xml")))
			continue;
		size_t sz;
		char *x = part(p, name, &sz);
		memset(w, 0, sizeof(*w));
		w->want_attr[0] = "Target";
		w->want_attr[1] = "TargetMode";
		parse(name, x, sz, w);
		free(x);
		if (!rels)
			continue;
		/* targets are relative to the folder holding _rels/ */
		char dir[256] = "";
		const char *r = strstr(name, "_rels/");
		snprintf(dir, sizeof(dir), "%.*s", (int)(r - name), name);
		for (int k = 0; k < w->nattrs; k++) {
			char target[512];
			snprintf(target, sizeof(target), "%s%s", dir, w->attrs[k] + strlen("Target="));
			if (zip_name_locate(p->z, target, 0) < 0)
				fail_msg("%s: target %s is not in the package", name, target);
		}
	}
	free(w);
}

/* Every content type the package needs: a Default per extension in use, an Override per
 * main part. */
static void check_content_types(struct pkg *p, bool footer)
{
	char *ct = part(p, "[Content_Types].xml", NULL);
	assert_non_null(strstr(ct,
			       "<Override PartName=\"/word/document.xml\" ContentType=\"application/"
			       "vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/>"));
	assert_non_null(strstr(ct, "PartName=\"/word/styles.xml\""));
	assert_non_null(strstr(ct, "PartName=\"/docProps/core.xml\""));
	assert_non_null(strstr(ct, "<Default Extension=\"png\" ContentType=\"image/png\"/>"));
	assert_non_null(strstr(ct, "<Default Extension=\"jpeg\" ContentType=\"image/jpeg\"/>"));
	assert_int_equal(strstr(ct, "PartName=\"/word/footer1.xml\"") != NULL, footer);
	free(ct);
}

/* The ids document.xml uses (r:embed, r:id) are all relationships of document.xml.rels. */
static void check_ids_resolve(struct pkg *p)
{
	size_t n;
	struct walk *doc = calloc(1, sizeof(*doc)), *rels = calloc(1, sizeof(*rels));
	doc->want_attr[0] = "r:embed";
	doc->want_attr[1] = "r:id";
	char *x = part(p, "word/document.xml", &n);
	parse("document.xml", x, n, doc);
	free(x);
	rels->want_attr[0] = "Id";
	x = part(p, "word/_rels/document.xml.rels", &n);
	parse("document.xml.rels", x, n, rels);
	free(x);
	assert_true(doc->nattrs > 0);
	for (int i = 0; i < doc->nattrs; i++) {
		char id[140];
		snprintf(id, sizeof(id), "Id=%s", strchr(doc->attrs[i], '=') + 1);
		if (!has_attr(rels, id))
			fail_msg("document.xml uses %s, which no relationship has", doc->attrs[i]);
	}
	free(doc);
	free(rels);
}

/* The text of document.xml, paragraphs separated by |. */
static struct walk *doc_text(struct pkg *p)
{
	size_t n;
	struct walk *w = calloc(1, sizeof(*w));
	char *x = part(p, "word/document.xml", &n);
	parse("document.xml", x, n, w);
	free(x);
	return w;
}

/* ---- tests ---- */

static const char *const HEAD[] = {"单位", "应报", "已报"};
static const char *const ROWS[] = {"广东省科协", "21", "20", "中国科协 <&> 学会", "1", "1"};

static void t_package(void **st)
{
	(void)st;
	char *qr;
	size_t qrlen;
	assert_int_equal(qr_png("https://example.org/v/1", 4, 0, &qr, &qrlen), 0);
	struct document_opts o = {
		.title = "通报 <1>", .author = "科协", .footer = "办公室", .page_numbers = true};
	struct document *d;
	assert_int_equal(document_open(DOCUMENT_DOCX, &o, &d), 0);
	assert_int_equal(document_title(d, "关于活动的通报"), 0);
	assert_int_equal(document_docno(d, "X科协发〔2026〕12号"), 0);
	assert_int_equal(document_heading(d, 1, "一、总体情况"), 0);
	struct document_run runs[] = {
		{.text = "普通"}, {.text = "加粗", .bold = true}, {.text = "斜体", .italic = true}};
	assert_int_equal(document_paragraph(d, DOC_STYLE_BODY, DOC_ALIGN_JUSTIFY, runs, 3), 0);
	struct document_table t = {.ncols = 3,
				   .nrows = 2,
				   .header = HEAD,
				   .cells = ROWS,
				   .widths_mm = (const double[]){60, 20, 20}};
	assert_int_equal(document_table(d, &t), 0);
	assert_int_equal(document_image(d, qr, qrlen, 30), 0);
	assert_int_equal(document_page_break(d), 0);
	assert_int_equal(document_image(d, JPEG_24x16, sizeof(JPEG_24x16), 500), 0); /* capped */
	assert_int_equal(document_heading(d, 2, "（一）下一步"), 0);
	char *bytes;
	size_t len;
	assert_int_equal(document_close(d, &bytes, &len), 0);
	free(qr);

	struct pkg p = pkg_open(bytes, len);
	check_package(&p);
	check_content_types(&p, true);
	check_ids_resolve(&p);
	assert_true(zip_name_locate(p.z, "word/media/image1.png", 0) >= 0);
	assert_true(zip_name_locate(p.z, "word/media/image2.jpeg", 0) >= 0);
	size_t jl;
	char *j = part(&p, "word/media/image2.jpeg", &jl);
	assert_int_equal(jl, sizeof(JPEG_24x16));
	assert_memory_equal(j, JPEG_24x16, jl);
	free(j);
	/* | starts each paragraph after the first: the image, the page break (its <w:br/>), the
	 * second image, the heading */
	struct walk *w = doc_text(&p);
	assert_string_equal(w->text,
			    "关于活动的通报|X科协发〔2026〕12号|一、总体情况|普通加粗斜体|单位|应报|已报|"
			    "广东省科协|21|20|中国科协 <&> 学会|1|1||\n||（一）下一步");
	/* 30 mm = 1,080,000 EMU, the QR square; the JPEG capped to the text width, 3:2 */
	assert_int_equal(w->drawings, 2);
	assert_int_equal(w->cx[0], 1080000);
	assert_int_equal(w->cy[0], 1080000);
	assert_int_equal(w->cx[1], (long)(DOCUMENT_TEXT_WIDTH_MM * 36000));
	assert_int_equal(w->cy[1], (long)(DOCUMENT_TEXT_WIDTH_MM * 36000) * 16 / 24);
	free(w);
	char *styles = part(&p, "word/styles.xml", NULL);
	assert_non_null(strstr(styles, "w:eastAsia=\"仿宋_GB2312\""));
	assert_non_null(strstr(styles, "w:eastAsia=\"方正小标宋简体\""));
	assert_non_null(strstr(styles, "<w:sz w:val=\"32\"/>")); /* 3号 */
	free(styles);
	char *core = part(&p, "docProps/core.xml", NULL);
	assert_non_null(strstr(core, "<dc:title>通报 &lt;1&gt;</dc:title>"));
	free(core);
	char *foot = part(&p, "word/footer1.xml", NULL);
	assert_non_null(strstr(foot, "办公室"));
	assert_non_null(strstr(foot, "w:instr=\" PAGE"));
	free(foot);
	pkg_close(&p);
}

/* XML specials, controls XML 1.0 forbids, broken UTF-8, noncharacters, CR LF. */
static void t_hostile_text(void **st)
{
	(void)st;
	static const char hostile[] = "<script>alert(\"x\")</script> & 'q' \x01\x08\x0b\x0c\x1b\x7f end"
				      "\xff\xc0\x80|\xef\xbf\xbe|\xed\xa0\x80|a\r\nb\rc\td";
	/* every forbidden C0 control gone (DEL is allowed in XML 1.0), each bad byte one U+FFFD,
	 * U+FFFE dropped, CR LF and CR one break, TAB a tab */
	static const char want[] =
		"<script>alert(\"x\")</script> & 'q' \x7f end"
		"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd||\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd|a\nb\ncd";
	struct document *d;
	assert_int_equal(document_open(DOCUMENT_DOCX, &(struct document_opts){.footer = hostile}, &d), 0);
	assert_int_equal(document_text(d, hostile), 0);
	const char *cells[] = {hostile};
	assert_int_equal(document_table(d, &(struct document_table){.ncols = 1, .nrows = 1, .cells = cells}),
			 0);
	char *bytes;
	size_t len;
	assert_int_equal(document_close(d, &bytes, &len), 0);
	struct pkg p = pkg_open(bytes, len);
	check_package(&p); /* expat refuses any control character or broken UTF-8 */
	struct walk *w = doc_text(&p);
	char expect[512];
	snprintf(expect, sizeof(expect), "%s|%s|", want, want);
	/* the TAB became <w:tab/>, which carries no text */
	if (strcmp(w->text, expect))
		fail_msg("got [%s]\nwant [%s]", w->text, expect);
	free(w);
	pkg_close(&p);
}

static const struct {
	const char *in, *out;
} cleaned[] = {
	{"plain", "plain"},
	{"科技志愿服务证明", "科技志愿服务证明"},
	{"a\x01"
	 "b",
	 "ab"},
	{"a\r\nb", "a\nb"},
	{"a\rb", "a\nb"},
	{"\xe4\xb8", "\xef\xbf\xbd\xef\xbf\xbd"},                                 /* truncated sequence */
	{"\xf4\x90\x80\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"}, /* > U+10FFFF */
	{"\xef\xbf\xbf!", "!"},                                                   /* U+FFFF */
	{"😀", "😀"},
	{"", ""},
};

static void t_clean_text(void **st)
{
	(void)st;
	for (size_t i = 0; i < sizeof(cleaned) / sizeof(cleaned[0]); i++) {
		char *o;
		assert_int_equal(document_clean_text(cleaned[i].in, 1024, &o), 0);
		if (strcmp(o, cleaned[i].out))
			fail_msg("case %zu: got [%s]", i, o);
		free(o);
	}
	char *o;
	assert_int_equal(document_clean_text(NULL, 10, &o), 0);
	assert_string_equal(o, "");
	free(o);
	assert_int_equal(document_clean_text("0123456789a", 10, &o), ERR_TOOBIG);
	assert_int_equal(document_clean_text("\xff\xff\xff\xff", 10, &o), ERR_TOOBIG); /* grew past */
	assert_null(o);
}

static void t_image_probe(void **st)
{
	(void)st;
	enum document_image_kind k;
	int w, h;
	assert_int_equal(document_image_probe(JPEG_24x16, sizeof(JPEG_24x16), &k, &w, &h), 0);
	assert_int_equal(k, DOC_IMAGE_JPEG);
	assert_int_equal(w, 24);
	assert_int_equal(h, 16);
	char *qr;
	size_t n;
	assert_int_equal(qr_png("x", 2, 0, &qr, &n), 0);
	assert_int_equal(document_image_probe(qr, n, &k, &w, &h), 0);
	assert_int_equal(k, DOC_IMAGE_PNG);
	assert_int_equal(w, (21 + 8) * 2);
	assert_int_equal(h, w);
	/* a PNG whose header claims 10000 x 10000: refused before anything decodes it */
	unsigned char big[64];
	memcpy(big, qr, sizeof(big));
	free(qr);
	memcpy(big + 16, "\x00\x00\x27\x10\x00\x00\x27\x10", 8);
	struct document *d;
	assert_int_equal(document_open(DOCUMENT_DOCX, NULL, &d), 0);
	assert_int_equal(document_image(d, big, sizeof(big), 10), ERR_TOOBIG);
	document_free(d);
	/* not an image, truncated JPEG, SVG */
	assert_int_equal(document_image_probe("GIF89a.....", 11, &k, &w, &h), ERR_INVALID);
	assert_int_equal(document_image_probe(JPEG_24x16, 40, &k, &w, &h), ERR_INVALID);
	assert_int_equal(document_image_probe("<svg/>", 6, &k, &w, &h), ERR_INVALID);
	assert_int_equal(document_image_probe("", 0, &k, &w, &h), ERR_INVALID);
}

static void t_bad_arguments(void **st)
{
	(void)st;
	struct document *d;
	assert_int_equal(document_open((enum document_format)9, NULL, &d), ERR_INVALID);
	const char *c[] = {"x"};
	const double neg[] = {-1}, nan[] = {0.0 / 0.0};
	const struct {
		struct document_table t;
	} bad[] = {
		{{.ncols = 0, .nrows = 1, .cells = c}},
		{{.ncols = 33, .nrows = 0}},
		{{.ncols = 1, .nrows = -1, .cells = c}},
		{{.ncols = 1, .nrows = 1, .cells = NULL}},
		{{.ncols = 1, .nrows = 1, .cells = c, .widths_mm = neg}},
		{{.ncols = 1, .nrows = 1, .cells = c, .widths_mm = nan}},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(document_open(DOCUMENT_DOCX, NULL, &d), 0);
		assert_int_equal(document_table(d, &bad[i].t), ERR_INVALID);
		/* sticky: later calls and the close say the same */
		assert_int_equal(document_text(d, "after"), ERR_INVALID);
		char *b;
		size_t n;
		assert_int_equal(document_close(d, &b, &n), ERR_INVALID);
		assert_null(b);
	}
	assert_int_equal(document_open(DOCUMENT_DOCX, NULL, &d), 0);
	assert_int_equal(document_heading(d, 4, "x"), ERR_INVALID);
	document_free(d);
	assert_int_equal(document_open(DOCUMENT_DOCX, NULL, &d), 0);
	assert_int_equal(document_image(d, JPEG_24x16, sizeof(JPEG_24x16), 0), ERR_INVALID);
	document_free(d);
	assert_int_equal(document_open(DOCUMENT_DOCX, NULL, &d), 0);
	assert_int_equal(document_paragraph(d, (enum document_style)99, DOC_ALIGN_LEFT, NULL, 0),
			 ERR_INVALID);
	document_free(d);
	enum document_format f;
	assert_true(document_format_parse("docx", &f) && f == DOCUMENT_DOCX);
	assert_true(document_format_parse("pdf", &f) && f == DOCUMENT_PDF);
	assert_false(document_format_parse("doc", &f));
	assert_string_equal(document_format_ctype(DOCUMENT_PDF), "application/pdf");
}

/* 10,000 paragraphs against a 256 KiB bound: ERR_TOOBIG, sticky, nothing returned. */
static void t_toobig(void **st)
{
	(void)st;
	struct document *d;
	assert_int_equal(document_open(DOCUMENT_DOCX, &(struct document_opts){.max_bytes = 256 << 10}, &d),
			 0);
	int rc = 0, i;
	for (i = 0; i < 10000 && !rc; i++)
		rc = document_text(d, "科技志愿服务是科技工作者服务社会的重要方式，各级科协要加强组织。");
	assert_int_equal(rc, ERR_TOOBIG);
	assert_true(i > 100 && i < 10000);
	assert_int_equal(document_heading(d, 1, "x"), ERR_TOOBIG);
	char *b;
	size_t n;
	assert_int_equal(document_close(d, &b, &n), ERR_TOOBIG);
	assert_null(b);
	assert_int_equal(n, 0);
	/* one text longer than the bound */
	assert_int_equal(document_open(DOCUMENT_DOCX, &(struct document_opts){.max_bytes = 1000}, &d), 0);
	char big[2000];
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	assert_int_equal(document_text(d, big), ERR_TOOBIG);
	document_free(d);
	/* a very long word within the bound is fine and read back whole */
	assert_int_equal(document_open(DOCUMENT_DOCX, NULL, &d), 0);
	char *word = malloc(100001);
	memset(word, 'W', 100000);
	word[100000] = 0;
	assert_int_equal(document_text(d, word), 0);
	assert_int_equal(document_close(d, &b, &n), 0);
	struct pkg p = pkg_open(b, n);
	struct walk *w = doc_text(&p);
	assert_int_equal(w->tlen, 100000);
	assert_memory_equal(w->text, word, 100000);
	free(w);
	free(word);
	pkg_close(&p);
}

/* The file appears whole under its name (no .tmp left), or not at all. */
static void t_close_file(void **st)
{
	(void)st;
	char dir[] = "/tmp/t-docx-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[128], tmp[140];
	snprintf(path, sizeof(path), "%s/out.docx", dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	struct document *d;
	assert_int_equal(document_open(DOCUMENT_DOCX, NULL, &d), 0);
	assert_int_equal(document_title(d, "标题"), 0);
	assert_int_equal(document_close_file(d, path), 0);
	struct stat sb;
	assert_int_equal(stat(path, &sb), 0);
	assert_true(sb.st_size > 1000);
	assert_int_not_equal(stat(tmp, &sb), 0);
	assert_int_equal(document_open(DOCUMENT_DOCX, NULL, &d), 0);
	char bad[160];
	snprintf(bad, sizeof(bad), "%s/no/such/dir.docx", dir);
	assert_int_equal(document_close_file(d, bad), ERR_IO);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_package),       cmocka_unit_test(t_hostile_text),
		cmocka_unit_test(t_clean_text),    cmocka_unit_test(t_image_probe),
		cmocka_unit_test(t_bad_arguments), cmocka_unit_test(t_toobig),
		cmocka_unit_test(t_close_file),
	};
	return cmocka_run_group_tests_name("docx", tests, NULL, NULL);
}
