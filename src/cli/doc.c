/*
 * doc.c (cli) - `kexie doc sample`: writes a sample official document (title, document
 * number, headings, Chinese paragraphs, a table, a QR image, page numbers) through the
 * document writers (doc/document.h), so the DOCX and PDF backends can be tried end to end
 * and opened in Word, LibreOffice or a PDF viewer (test/api/docw.test.mjs reads them back).
 */
#include "cli/cli.h"
#include "base/err.h"
#include "doc/document.h"
#include "doc/qr.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const TABLE_HEAD[] = {"单位", "应报", "已报", "按时", "完成率"};
static const char *const TABLE_ROWS[] = {
	"广东省科协",
	"21",
	"21",
	"20",
	"100%",
	"江苏省科协",
	"13",
	"12",
	"12",
	"92.3%",
	"中国计算机学会",
	"1",
	"1",
	"0",
	"100%",
	"志愿者编号 V440100000123 所在支队",
	"8",
	"6",
	"5",
	"75.0%",
};
static const double TABLE_WIDTHS[] = {60, 20, 20, 20, 25};

static const char *const BODY[] = {
	"各省、自治区、直辖市科协，各全国学会：",
	"为深入学习贯彻习近平总书记关于科技创新的重要论述，做好2026年全国科技工作者日系列活动，"
	"现将各地各单位报送情况通报如下。本段文字较长，用于检验中文按字断行、两端对齐和跨页排版是否正确。",
	"截至6月15日，共有34个省级科协和210个全国学会按时报送活动总结，开展活动1,000余场，参与科技工作者2.6万人次。",
};

/* The sample's blocks, in order; the first error stops it. */
static int sample_body(struct document *d, const char *qr, size_t qrlen)
{
	struct document_table t = {
		.ncols = 5, .nrows = 4, .header = TABLE_HEAD, .cells = TABLE_ROWS, .widths_mm = TABLE_WIDTHS};
	struct document_run mixed[] = {{.text = "特别提示："},
				       {.text = "请于6月15日前", .bold = true},
				       {.text = "报送；"},
				       {.text = "逾期视为未报。", .italic = true}};
	int rc = document_title(d, "关于2026年全国科技工作者日活动报送情况的通报");
	if (!rc)
		rc = document_docno(d, "X科协发〔2026〕12号");
	for (size_t i = 0; i < sizeof(BODY) / sizeof(BODY[0]) && !rc; i++)
		rc = i ? document_text(d, BODY[i])
		       : document_paragraph(d, DOC_STYLE_PLAIN, DOC_ALIGN_LEFT,
					    &(struct document_run){.text = BODY[0]}, 1);
	if (!rc)
		rc = document_heading(d, 1, "一、报送情况");
	if (!rc)
		rc = document_table(d, &t);
	if (!rc)
		rc = document_heading(d, 2, "（一）科技志愿服务证明");
	if (!rc)
		rc = document_paragraph(d, DOC_STYLE_BODY, DOC_ALIGN_JUSTIFY, mixed, 4);
	if (!rc)
		rc = document_heading(d, 3, "1. 扫码核验");
	if (!rc)
		rc = document_image(d, qr, qrlen, 30);
	if (!rc)
		rc = document_page_break(d);
	if (!rc)
		rc = document_heading(d, 1, "二、下一步工作");
	if (!rc)
		rc = document_text(d, "请各单位于每月5日前报送上月工作简报。");
	if (!rc)
		rc = document_paragraph(d, DOC_STYLE_PLAIN, DOC_ALIGN_RIGHT,
					&(struct document_run){.text = "X省科学技术协会\n2026年6月20日"}, 1);
	return rc;
}

static int doc_sample_cmd(struct cmd_ctx *x)
{
	const char *fmt = NULL, *out = NULL;
	for (int i = 1; i < x->argc; i++) {
		if (!strcmp(x->argv[i], "--format") && i + 1 < x->argc)
			fmt = x->argv[++i];
		else if (x->argv[i][0] != '-' && !out)
			out = x->argv[i];
		else {
			usage(x->name);
			return EXIT_USAGE;
		}
	}
	enum document_format f;
	if (!out || !document_format_parse(fmt, &f)) {
		usage(x->name);
		return EXIT_USAGE;
	}
	char *qr = NULL;
	size_t qrlen = 0;
	int rc = qr_png("https://kexie.example.org/v/CERT-2026-000123", 8, 0, &qr, &qrlen);
	struct document_opts o = {.title = "报送情况通报",
				  .author = "kexie",
				  .footer = "X省科学技术协会办公室",
				  .page_numbers = true};
	struct document *d = NULL;
	if (!rc)
		rc = document_open(f, &o, &d);
	if (!rc && (rc = sample_body(d, qr, qrlen)) != 0)
		document_free(d);
	else if (!rc)
		rc = document_close_file(d, out);
	free(qr);
	if (rc == ERR_UNAVAILABLE)
		fprintf(stderr,
			"kexie %s: the Noto CJK fonts are missing (Debian: apt-get install fonts-noto-cjk)\n",
			x->name);
	else if (rc)
		fprintf(stderr, "kexie %s: %s\n", x->name, err_name(rc));
	return rc ? 1 : 0;
}

/* clang-format off */
const struct command doc_commands[] = {
	{.name = "sample",
	 .run = doc_sample_cmd,
	 .args = "--format docx|pdf OUT",
	 .summary = "write a sample official document (title, document number, headings, table, image) to OUT"},
	{0},
};
/* clang-format on */
