/*
 * markdown.h - Markdown (CommonMark with tables and strikethrough) rendered to HTML that is
 * safe to put into a page as it is: notices' bodies, later circulars and briefings.
 *
 * Parsing is md4c's (MD_FLAG_NOHTML: raw HTML in the source is text, shown escaped); the
 * HTML is written here, not by md4c-html, so that what may come out is decided in one
 * place: every text and attribute escaped, links only to http, https and mailto (any other
 * link, `javascript:` and `data:` included, or one written with character references in
 * its address, keeps its text and loses the link), no images (their alternative text is
 * shown: uploaded pictures arrive as attachments), no class, style or event attributes.
 */
#ifndef KEXIE_DOC_MARKDOWN_H
#define KEXIE_DOC_MARKDOWN_H

#include "base/buf.h"

#include <stdbool.h>
#include <stddef.h>

/* Appends the HTML for the Markdown src (len bytes, valid UTF-8: the caller checked) to
 * out. 0, ERR_TOOBIG past out's maximum, ERR_NOMEM, or ERR_INVALID when md4c refuses. */
int markdown_html(const char *src, size_t len, struct buf *out);

/* True when a link to href (n bytes, as written in the source) may be followed: it starts
 * with http://, https:// or mailto: (any case) and holds no control character, space,
 * quote, angle bracket or backslash. */
bool markdown_url_allowed(const char *href, size_t n);

#endif
