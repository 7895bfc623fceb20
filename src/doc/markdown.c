/*
 * markdown.c - Markdown to safe HTML (see markdown.h): md4c's parser, this file's writer.
 *
 * The writer emits a fixed set of elements with no attributes but href/rel on links and
 * start on ordered lists; every character of text and of attribute values goes through
 * one escaper. What md4c calls raw HTML cannot appear (MD_FLAG_NOHTML turns it into text),
 * and if it ever did it would be escaped like any text.
 */
#include "doc/markdown.h"
#include "base/err.h"

#include <md4c.h>

#include <stdio.h>
#include <string.h>
#include <strings.h>

#define SPAN_DEPTH 64

struct render {
	struct buf *out;
	int rc;
	/* links and images open: whether each printed a tag (a refused link prints none) */
	unsigned char open[SPAN_DEPTH];
	int depth;
	int in_image; /* inside an image: only its alternative text is written */
};

static void put(struct render *r, const char *s, size_t n)
{
	if (!r->rc)
		r->rc = buf_append(r->out, s, n);
}

static void puts_(struct render *r, const char *s)
{
	put(r, s, strlen(s));
}

/* The one escaper, for text and attribute values alike. */
static void escape(struct render *r, const char *s, size_t n)
{
	size_t from = 0;
	for (size_t i = 0; i < n; i++) {
		const char *rep = NULL;
		switch (s[i]) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		default: continue;
		}
		put(r, s + from, i - from);
		puts_(r, rep);
		from = i + 1;
	}
	put(r, s + from, n - from);
}

bool markdown_url_allowed(const char *href, size_t n)
{
	static const char *const schemes[] = {"http://", "https://", "mailto:"};
	bool scheme = false;
	for (size_t k = 0; k < sizeof(schemes) / sizeof(schemes[0]); k++) {
		size_t m = strlen(schemes[k]);
		if (n > m && !strncasecmp(href, schemes[k], m))
			scheme = true;
	}
	if (!scheme)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)href[i];
		if (ch <= 0x20 || ch == 0x7f || ch == '"' || ch == '\'' || ch == '<' || ch == '>' ||
		    ch == '\\' || ch == '`')
			return false;
	}
	return true;
}

/* A link's address as md4c hands it: refused when any part of it is not plain text (a
 * character reference could spell a scheme that the check above never sees). */
static bool href_allowed(const MD_ATTRIBUTE *a)
{
	if (!a->text || !a->size)
		return false;
	for (int i = 0; a->substr_offsets[i] < a->size; i++)
		if (a->substr_types[i] != MD_TEXT_NORMAL)
			return false;
	return markdown_url_allowed(a->text, a->size);
}

static int enter_block(MD_BLOCKTYPE type, void *detail, void *arg)
{
	struct render *r = arg;
	char tag[48];
	switch (type) {
	case MD_BLOCK_DOC: break;
	case MD_BLOCK_QUOTE: puts_(r, "<blockquote>\n"); break;
	case MD_BLOCK_UL: puts_(r, "<ul>\n"); break;
	case MD_BLOCK_OL: {
		const MD_BLOCK_OL_DETAIL *d = detail;
		if (d->start == 1)
			puts_(r, "<ol>\n");
		else {
			snprintf(tag, sizeof(tag), "<ol start=\"%u\">\n", d->start);
			puts_(r, tag);
		}
		break;
	}
	case MD_BLOCK_LI: puts_(r, "<li>"); break;
	case MD_BLOCK_HR: puts_(r, "<hr>\n"); break;
	case MD_BLOCK_H: {
		const MD_BLOCK_H_DETAIL *d = detail;
		snprintf(tag, sizeof(tag), "<h%u>", d->level >= 1 && d->level <= 6 ? d->level : 6);
		puts_(r, tag);
		break;
	}
	case MD_BLOCK_CODE: puts_(r, "<pre><code>"); break;
	case MD_BLOCK_HTML: break; /* not produced under MD_FLAG_NOHTML; text below is escaped */
	case MD_BLOCK_P: puts_(r, "<p>"); break;
	case MD_BLOCK_TABLE: puts_(r, "<table>\n"); break;
	case MD_BLOCK_THEAD: puts_(r, "<thead>\n"); break;
	case MD_BLOCK_TBODY: puts_(r, "<tbody>\n"); break;
	case MD_BLOCK_TR: puts_(r, "<tr>"); break;
	case MD_BLOCK_TH: puts_(r, "<th>"); break;
	case MD_BLOCK_TD: puts_(r, "<td>"); break;
	}
	return r->rc ? 1 : 0;
}

static int leave_block(MD_BLOCKTYPE type, void *detail, void *arg)
{
	struct render *r = arg;
	char tag[16];
	switch (type) {
	case MD_BLOCK_DOC: break;
	case MD_BLOCK_QUOTE: puts_(r, "</blockquote>\n"); break;
	case MD_BLOCK_UL: puts_(r, "</ul>\n"); break;
	case MD_BLOCK_OL: puts_(r, "</ol>\n"); break;
	case MD_BLOCK_LI: puts_(r, "</li>\n"); break;
	case MD_BLOCK_HR: break;
	case MD_BLOCK_H: {
		const MD_BLOCK_H_DETAIL *d = detail;
		snprintf(tag, sizeof(tag), "</h%u>\n", d->level >= 1 && d->level <= 6 ? d->level : 6);
		puts_(r, tag);
		break;
	}
	case MD_BLOCK_CODE: puts_(r, "</code></pre>\n"); break;
	case MD_BLOCK_HTML: break;
	case MD_BLOCK_P: puts_(r, "</p>\n"); break;
	case MD_BLOCK_TABLE: puts_(r, "</table>\n"); break;
	case MD_BLOCK_THEAD: puts_(r, "</thead>\n"); break;
	case MD_BLOCK_TBODY: puts_(r, "</tbody>\n"); break;
	case MD_BLOCK_TR: puts_(r, "</tr>\n"); break;
	case MD_BLOCK_TH: puts_(r, "</th>"); break;
	case MD_BLOCK_TD: puts_(r, "</td>"); break;
	}
	return r->rc ? 1 : 0;
}

static int enter_span(MD_SPANTYPE type, void *detail, void *arg)
{
	struct render *r = arg;
	if (r->in_image) {
		if (type == MD_SPAN_IMG)
			r->in_image++;
		return 0;
	}
	switch (type) {
	case MD_SPAN_EM: puts_(r, "<em>"); break;
	case MD_SPAN_STRONG: puts_(r, "<strong>"); break;
	case MD_SPAN_CODE: puts_(r, "<code>"); break;
	case MD_SPAN_DEL: puts_(r, "<del>"); break;
	case MD_SPAN_U: puts_(r, "<u>"); break;
	case MD_SPAN_IMG: r->in_image = 1; break;
	case MD_SPAN_A: {
		const MD_SPAN_A_DETAIL *d = detail;
		bool ok = href_allowed(&d->href);
		if (r->depth < SPAN_DEPTH)
			r->open[r->depth] = ok;
		r->depth++;
		if (ok) {
			puts_(r, "<a href=\"");
			escape(r, d->href.text, d->href.size);
			puts_(r, "\" rel=\"nofollow noopener noreferrer\">");
		}
		break;
	}
	default: break; /* math and wiki links are not enabled */
	}
	return r->rc ? 1 : 0;
}

static int leave_span(MD_SPANTYPE type, void *detail, void *arg)
{
	(void)detail;
	struct render *r = arg;
	if (r->in_image) {
		if (type == MD_SPAN_IMG)
			r->in_image--;
		return 0;
	}
	switch (type) {
	case MD_SPAN_EM: puts_(r, "</em>"); break;
	case MD_SPAN_STRONG: puts_(r, "</strong>"); break;
	case MD_SPAN_CODE: puts_(r, "</code>"); break;
	case MD_SPAN_DEL: puts_(r, "</del>"); break;
	case MD_SPAN_U: puts_(r, "</u>"); break;
	case MD_SPAN_A:
		if (r->depth > 0) {
			r->depth--;
			if (r->depth < SPAN_DEPTH && r->open[r->depth])
				puts_(r, "</a>");
		}
		break;
	default: break;
	}
	return r->rc ? 1 : 0;
}

static int text(MD_TEXTTYPE type, const MD_CHAR *s, MD_SIZE n, void *arg)
{
	struct render *r = arg;
	switch (type) {
	case MD_TEXT_NULLCHAR: puts_(r, "\xEF\xBF\xBD"); break;
	case MD_TEXT_BR: puts_(r, r->in_image ? " " : "<br>\n"); break;
	case MD_TEXT_SOFTBR: puts_(r, r->in_image ? " " : "\n"); break;
	case MD_TEXT_ENTITY:
		/* md4c passes only well-formed references (&name; &#123; &#x1F;): written as they
		 * are they stay one character, never markup */
		put(r, s, n);
		break;
	default: escape(r, s, n); break; /* normal, code, and raw HTML shown as text */
	}
	return r->rc ? 1 : 0;
}

int markdown_html(const char *src, size_t len, struct buf *out)
{
	if (len > 0xffffffffu)
		return ERR_TOOBIG;
	struct render r = {.out = out};
	MD_PARSER p = {
		.abi_version = 0,
		.flags = MD_FLAG_NOHTML | MD_FLAG_TABLES | MD_FLAG_STRIKETHROUGH |
			 MD_FLAG_PERMISSIVEURLAUTOLINKS,
		.enter_block = enter_block,
		.leave_block = leave_block,
		.enter_span = enter_span,
		.leave_span = leave_span,
		.text = text,
	};
	int rc = md_parse(src, (MD_SIZE)len, &p, &r);
	if (r.rc)
		return r.rc;
	return rc ? ERR_INVALID : 0;
}
