/* t-notice.c - notices' pure parts: Markdown rendered safe (doc/markdown.c), the document
 * number's shape (domain/notice.c) and deadlines as instants in Asia/Shanghai
 * (base/timeutil.c: by the day = through 23:59:59.999 Beijing, 00:00 the next day late). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/timeutil.h"
#include "doc/markdown.h"
#include "domain/notice.h"

static char *render(const char *md)
{
	char *html = NULL;
	assert_int_equal(notice_render(md, &html), 0);
	return html;
}

/* each input, what its HTML must hold and what it must never hold */
static const struct {
	const char *md, *has, *never;
} cases[] = {
	{"<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;", "<script"},
	{"<b onclick=\"x()\">hi</b>", "&lt;b onclick=&quot;x()&quot;&gt;hi&lt;/b&gt;", "<b"},
	{"x <span>y</span>", "&lt;span&gt;", "<span"},
	{"[a](javascript:alert(1))", "<p>a</p>", "href"},
	{"[a](JavaScript:alert(1))", "<p>a</p>", "href"},
	{"[a](data:text/html;base64,PHNjcmlwdD4=)", "<p>a</p>", "href"},
	{"[a](jav&#x61;script:alert(1))", "<p>a</p>", "href"},
	{"[a](vbscript:x)", "<p>a</p>", "href"},
	{"[a](/relative)", "<p>a</p>", "href"},
	{"<javascript:alert(1)>", "", "href"},
	{"![x](javascript:alert(1))", "<p>x</p>", "<img"},
	{"![x](https://example.org/p.png)", "<p>x</p>", "<img"},
	{"[a](https://example.org/?q=\"x\")", "", "\"x\""},
	{"[a](https://example.org/x)",
	 "<a href=\"https://example.org/x\" rel=\"nofollow noopener noreferrer\">a</a>", NULL},
	{"[a](HTTP://EXAMPLE.ORG)", "<a href=\"HTTP://EXAMPLE.ORG\"", NULL},
	{"[m](mailto:a@example.org)", "<a href=\"mailto:a@example.org\"", NULL},
	{"<https://example.org/auto>", "<a href=\"https://example.org/auto\"", NULL},
	{"**粗** _斜_ ~~删~~ `c<d`", "<strong>粗</strong> <em>斜</em> <del>删</del> <code>c&lt;d</code>",
	 NULL},
	{"# 一\n\n## 二", "<h1>一</h1>\n<h2>二</h2>", NULL},
	{"1. a\n2. b", "<ol>\n<li>a</li>\n<li>b</li>\n</ol>", NULL},
	{"3. c", "<ol start=\"3\">", NULL},
	{"```\n<x>&\n```", "<pre><code>&lt;x&gt;&amp;\n</code></pre>", NULL},
	{"| a |\n|---|\n| 1 |", "<table>", NULL},
	{"&lt;b&gt; &amp; &copy;", "&lt;b&gt; &amp; &copy;", "<b>"},
	{"'quote' \"dq\"", "&#39;quote&#39; &quot;dq&quot;", NULL},
};

static void t_markdown(void **st)
{
	(void)st;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *h = render(cases[i].md);
		if (!strstr(h, cases[i].has))
			fail_msg("case %zu [%s]: [%s] lacks [%s]", i, cases[i].md, h, cases[i].has);
		if (cases[i].never && strstr(h, cases[i].never))
			fail_msg("case %zu [%s]: [%s] holds [%s]", i, cases[i].md, h, cases[i].never);
		free(h);
	}
}

static void t_markdown_limits(void **st)
{
	(void)st;
	struct buf b;
	buf_init(&b, 16);
	assert_int_equal(markdown_html("a paragraph longer than sixteen", 31, &b), ERR_TOOBIG);
	buf_release(&b);
	char *h = render("");
	assert_string_equal(h, "");
	free(h);
	assert_true(markdown_url_allowed("https://a.b", 11));
	assert_false(markdown_url_allowed("https://", 8));
	assert_false(markdown_url_allowed("https://a b", 11));
	assert_false(markdown_url_allowed("ftp://a.b", 9));
	assert_false(markdown_url_allowed(" https://a.b", 12));
}

static void t_number(void **st)
{
	(void)st;
	char out[160];
	assert_true(notice_number_format("X科协发", "2026", 12, out, sizeof(out)));
	assert_string_equal(out, "X科协发〔2026〕12号");
	assert_true(notice_number_format("京科协字", "2027", 1, out, sizeof(out)));
	assert_string_equal(out, "京科协字〔2027〕1号");
	assert_false(notice_number_format("X科协发", "2026", 12, out, 10));
}

static void t_deadline(void **st)
{
	(void)st;
	int64_t last = 0;
	/* by 2026-06-15: through 23:59:59.999 Beijing = 15:59:59.999Z */
	assert_true(time_shanghai_deadline("2026-06-15", NULL, &last));
	const int64_t day_end = (int64_t)1781539199 * 1000 + 999; /* 2026-06-15T15:59:59.999Z */
	assert_int_equal(last, day_end);
	int64_t on_time = day_end, next_day = day_end + 1; /* 2026-06-16 00:00:00.000 Beijing */
	assert_true(on_time <= last);
	assert_false(next_day <= last);
	/* with a time: the whole minute */
	assert_true(time_shanghai_deadline("2026-06-15", "17:00", &last));
	assert_int_equal(last, (int64_t)1781514059 * 1000 + 999); /* 09:00:59.999Z */
	assert_true(time_shanghai_deadline("2026-01-01", "00:00", &last));
	assert_int_equal(last, (int64_t)1767196859 * 1000 + 999); /* 2025-12-31T16:00:59.999Z */
	/* leap day, refused shapes */
	assert_true(time_shanghai_deadline("2028-02-29", NULL, &last));
	assert_false(time_shanghai_deadline("2026-02-29", NULL, &last));
	assert_false(time_shanghai_deadline("2026-06-15", "24:00", &last));
	assert_false(time_shanghai_deadline("2026-06-15", "7:00", &last));
	assert_false(time_shanghai_deadline("2026-06-15", "17:60", &last));
	assert_false(time_shanghai_deadline(NULL, NULL, &last));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_markdown),
		cmocka_unit_test(t_markdown_limits),
		cmocka_unit_test(t_number),
		cmocka_unit_test(t_deadline),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
