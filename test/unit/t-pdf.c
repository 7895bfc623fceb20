/* t-pdf.c - the PDF backend of the document writers, read back with poppler's tools
 * (poppler-utils, installed by scripts/install-deps): the Chinese is real text (pdftotext
 * gives it back exactly), every font is embedded (pdffonts: emb yes) and is the Noto CJK face
 * asked for, pages break with numbers and a repeated table header, PNG and JPEG images are in
 * the file (pdfimages), hostile text is harmless, output is bounded, fonts missing fail
 * clearly, and two threads render at once. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "doc/document.h"
#include "doc/qr.h"

#include "jpeg24x16.inc"

static char dir[] = "/tmp/t-pdf-XXXXXX";

/* Runs cmd and returns its standard output (caller frees); fails the test on exit status. */
static char *run(const char *cmd)
{
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	size_t cap = 1 << 16, n = 0;
	char *out = malloc(cap);
	size_t got;
	while ((got = fread(out + n, 1, cap - n - 1, p)) > 0) {
		n += got;
		if (cap - n < 2)
			out = realloc(out, cap *= 2);
	}
	out[n] = 0;
	int st = pclose(p);
	if (st)
		fail_msg("%s: exit %d", cmd, st);
	return out;
}

/* The document's text as pdftotext reads it, with spaces and line breaks removed (a
 * wrapped line or a justified gap must not hide a phrase). */
static char *text_of(const char *path, bool squeeze)
{
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "pdftotext -enc UTF-8 %s -", path);
	char *t = run(cmd);
	if (squeeze) {
		size_t w = 0;
		for (size_t i = 0; t[i]; i++)
			if (t[i] != ' ' && t[i] != '\n' && t[i] != '\f')
				t[w++] = t[i];
		t[w] = 0;
	}
	return t;
}

static int count(const char *hay, const char *needle)
{
	int n = 0;
	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

static void path_for(char *out, size_t cap, const char *name)
{
	snprintf(out, cap, "%s/%s", dir, name);
}

static const char *const CERT_HEAD[] = {"项目", "内容"};
static const char *const CERT_ROWS[] = {
	"姓名",          "张三",     "证件号码", "4401**********1234", "志愿者编号",
	"V440100000123", "服务时长", "36.5小时", "证书编号",           "KX-2026-000123",
};

static void t_text_and_fonts(void **st)
{
	(void)st;
	char path[128];
	path_for(path, sizeof(path), "cert.pdf");
	struct document *d;
	assert_int_equal(
		document_open(DOCUMENT_PDF, &(struct document_opts){.title = "科技志愿服务证明"}, &d), 0);
	assert_int_equal(document_title(d, "科技志愿服务证明"), 0);
	assert_int_equal(document_docno(d, "证书编号：KX-2026-000123"), 0);
	assert_int_equal(document_heading(d, 1, "一、服务记录"), 0);
	struct document_table t = {.ncols = 2,
				   .nrows = 5,
				   .header = CERT_HEAD,
				   .cells = CERT_ROWS,
				   .widths_mm = (const double[]){40, 100}};
	assert_int_equal(document_table(d, &t), 0);
	struct document_run runs[] = {{.text = "兹证明"},
				      {.text = "张三", .bold = true},
				      {.text = "同志参加科技志愿服务。", .italic = true}};
	assert_int_equal(document_paragraph(d, DOC_STYLE_BODY, DOC_ALIGN_JUSTIFY, runs, 3), 0);
	assert_int_equal(document_text(d, "<script>&amp;\"'</script>\x01\x1b控制字符已去除"), 0);
	assert_int_equal(document_paragraph(d, DOC_STYLE_PLAIN, DOC_ALIGN_RIGHT,
					    &(struct document_run){.text = "X省科学技术协会\n2026年6月20日"},
					    1),
			 0);
	assert_int_equal(document_close_file(d, path), 0);

	char *txt = text_of(path, true);
	static const char *const want[] = {
		"科技志愿服务证明",
		"证书编号：KX-2026-000123",
		"一、服务记录",
		"志愿者编号",
		"V440100000123",
		"4401**********1234",
		"36.5小时",
		"兹证明张三同志参加科技志愿服务。",
		"<script>&amp;\"'</script>控制字符已去除",
		"X省科学技术协会2026年6月20日",
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (!strstr(txt, want[i]))
			fail_msg("pdftotext lacks [%s]:\n%s", want[i], txt);
	assert_null(strchr(txt, '\x01'));
	assert_null(strchr(txt, '\x1b'));
	free(txt);

	/* pdffonts: every font embedded, each one of the Noto CJK SC faces */
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "pdffonts %s", path);
	char *fonts = run(cmd);
	char *head = fonts, *emb = strstr(head, " emb ");
	assert_non_null(emb);
	size_t col = (size_t)(emb - head) + 1;
	int nfonts = 0;
	char *line = strchr(strchr(head, '\n') + 1, '\n') + 1; /* past the ---- line */
	for (char *nl; *line && (nl = strchr(line, '\n')); line = nl + 1) {
		*nl = 0;
		assert_true(strlen(line) > col + 3);
		if (strncmp(line + col, "yes", 3))
			fail_msg("font not embedded: %s", line);
		if (!strstr(line, "NotoSerifCJKsc-") && !strstr(line, "NotoSansCJKsc-"))
			fail_msg("not a Noto CJK SC face: %s", line);
		nfonts++;
	}
	assert_true(nfonts >= 3); /* serif regular (body), serif bold (title, table header), sans bold (H1) */
	free(fonts);
	snprintf(cmd, sizeof(cmd), "pdfinfo %s", path);
	char *info = run(cmd);
	assert_non_null(strstr(info, "Title:           科技志愿服务证明"));
	assert_non_null(strstr(info, "Page size:       595.276 x 841.89 pts (A4)"));
	free(info);
	unlink(path);
}

/* 150 paragraphs and a 60-row table: several pages, each with its footer and number, the
 * table header repeated on the pages the table spans. */
static void t_pages(void **st)
{
	(void)st;
	char path[128];
	path_for(path, sizeof(path), "pages.pdf");
	struct document *d;
	assert_int_equal(document_open(DOCUMENT_PDF,
				       &(struct document_opts){.footer = "页脚文字", .page_numbers = true},
				       &d),
			 0);
	for (int i = 0; i < 150; i++) {
		char p[128];
		snprintf(p, sizeof(p), "第%d段：各级科协要加强科技志愿服务组织建设。", i + 1);
		assert_int_equal(document_text(d, p), 0);
	}
	const char *head[] = {"表头甲", "表头乙"};
	const char *cells[120];
	char buf[60][32];
	for (int r = 0; r < 60; r++) {
		snprintf(buf[r], sizeof(buf[r]), "行%d", r + 1);
		cells[2 * r] = buf[r];
		cells[2 * r + 1] = "数据";
	}
	assert_int_equal(
		document_table(
			d, &(struct document_table){.ncols = 2, .nrows = 60, .header = head, .cells = cells}),
		0);
	char word[3001];
	memset(word, 'W', 3000);
	word[3000] = 0;
	assert_int_equal(document_text(d, word), 0); /* breaks inside the word, not off the page */
	assert_int_equal(document_page_break(d), 0);
	assert_int_equal(document_page_break(d), 0); /* on an empty page: no blank page */
	assert_int_equal(document_text(d, "最后一页"), 0);
	assert_int_equal(document_close_file(d, path), 0);

	char cmd[256];
	snprintf(cmd, sizeof(cmd), "pdfinfo %s | sed -n 's/^Pages: *//p'", path);
	char *np = run(cmd);
	int pages = (int)strtol(np, NULL, 10);
	free(np);
	assert_true(pages >= 6);
	char *txt = text_of(path, true);
	assert_int_equal(count(txt, "页脚文字"), pages);
	for (int p = 1; p <= pages; p++) {
		char num[32];
		snprintf(num, sizeof(num), "—%d—", p);
		if (!strstr(txt, num))
			fail_msg("no page number %d", p);
	}
	assert_non_null(strstr(txt, "第1段：") && strstr(txt, "第150段："));
	assert_non_null(strstr(txt, "行60数据"));
	assert_true(count(txt, "表头甲") >= 2);
	assert_int_equal(count(txt, "W"), 3000); /* every letter, no hyphen added */
	assert_null(strstr(txt, "W-"));
	free(txt);
	/* the last page holds only the last paragraph: the second break made no blank page */
	snprintf(cmd, sizeof(cmd), "pdftotext -f %d -l %d -enc UTF-8 %s -", pages, pages, path);
	char *last = run(cmd);
	assert_non_null(strstr(last, "最后一页"));
	free(last);
	unlink(path);
}

static void t_images(void **st)
{
	(void)st;
	char path[128];
	path_for(path, sizeof(path), "img.pdf");
	char *qr;
	size_t qrlen;
	assert_int_equal(qr_png("https://example.org/v/KX-2026-000123", 4, 0, &qr, &qrlen), 0);
	struct document *d;
	assert_int_equal(document_open(DOCUMENT_PDF, NULL, &d), 0);
	assert_int_equal(document_image(d, qr, qrlen, 25), 0);
	assert_int_equal(document_image(d, JPEG_24x16, sizeof(JPEG_24x16), 60), 0);
	/* a PNG signature with a broken body: refused by the decoder, not drawn */
	char broken[64];
	memcpy(broken, qr, sizeof(broken));
	assert_int_equal(document_image(d, broken, sizeof(broken), 25), ERR_INVALID);
	document_free(d);
	assert_int_equal(document_open(DOCUMENT_PDF, NULL, &d), 0);
	assert_int_equal(document_image(d, qr, qrlen, 25), 0);
	assert_int_equal(document_image(d, JPEG_24x16, sizeof(JPEG_24x16), 60), 0);
	assert_int_equal(document_close_file(d, path), 0);
	free(qr);
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "pdfimages -list %s | tail -n +3 | awk '{print $3, $4, $5, $9}'", path);
	char *list = run(cmd);
	int side = qr_modules("https://example.org/v/KX-2026-000123");
	char want_qr[64];
	snprintf(want_qr, sizeof(want_qr), "image %d %d", (side + 8) * 4, (side + 8) * 4);
	assert_non_null(strstr(list, want_qr));
	assert_non_null(strstr(list, "image 24 16 jpeg")); /* embedded as it was (DCT), not decoded */
	free(list);
	unlink(path);
}

static void t_bounds_and_fonts(void **st)
{
	(void)st;
	struct document *d;
	assert_int_equal(document_open(DOCUMENT_PDF, &(struct document_opts){.font_dir = "/nonexistent"}, &d),
			 ERR_UNAVAILABLE);
	assert_null(d);
	/* 10,000 paragraphs against 256 KiB: the input bound stops it */
	assert_int_equal(document_open(DOCUMENT_PDF, &(struct document_opts){.max_bytes = 256 << 10}, &d), 0);
	int rc = 0, i;
	for (i = 0; i < 10000 && !rc; i++)
		rc = document_text(d, "科技志愿服务是科技工作者服务社会的重要方式，各级科协要加强组织。");
	assert_int_equal(rc, ERR_TOOBIG);
	assert_true(i < 10000);
	char *b;
	size_t n;
	assert_int_equal(document_close(d, &b, &n), ERR_TOOBIG);
	assert_null(b);
	/* the output bound: one short line, but the embedded font subset alone passes 20 KB */
	assert_int_equal(document_open(DOCUMENT_PDF, &(struct document_opts){.max_bytes = 20000}, &d), 0);
	assert_int_equal(document_text(d, "科技志愿服务证明"), 0);
	assert_int_equal(document_close(d, &b, &n), ERR_TOOBIG);
	assert_null(b);
	assert_int_equal(n, 0);
}

/* Two documents rendered on two threads at once, each read back right. */
struct job {
	const char *word;
	char path[128];
	int rc;
};

static void *render(void *arg)
{
	struct job *j = arg;
	struct document *d;
	j->rc = document_open(DOCUMENT_PDF, NULL, &d);
	for (int i = 0; i < 30 && !j->rc; i++)
		j->rc = document_text(d, j->word);
	if (!j->rc)
		j->rc = document_close_file(d, j->path);
	return NULL;
}

static void t_threads(void **st)
{
	(void)st;
	struct job jobs[2] = {{.word = "甲线程写的科技志愿服务证明"}, {.word = "乙线程写的志愿者编号证明"}};
	pthread_t th[2];
	for (int k = 0; k < 2; k++) {
		path_for(jobs[k].path, sizeof(jobs[k].path), k ? "t1.pdf" : "t0.pdf");
		assert_int_equal(pthread_create(&th[k], NULL, render, &jobs[k]), 0);
	}
	for (int k = 0; k < 2; k++) {
		pthread_join(th[k], NULL);
		assert_int_equal(jobs[k].rc, 0);
		char *txt = text_of(jobs[k].path, true);
		assert_int_equal(count(txt, jobs[k].word), 30);
		assert_int_equal(count(txt, jobs[1 - k].word), 0);
		free(txt);
		unlink(jobs[k].path);
	}
}

static int setup(void **st)
{
	(void)st;
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **st)
{
	(void)st;
	return rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_text_and_fonts),   cmocka_unit_test(t_pages),   cmocka_unit_test(t_images),
		cmocka_unit_test(t_bounds_and_fonts), cmocka_unit_test(t_threads),
	};
	return cmocka_run_group_tests_name("pdf", tests, setup, teardown);
}
