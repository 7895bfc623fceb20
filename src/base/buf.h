/*
 * buf.h - the one growable byte buffer, with a hard maximum.
 *
 * Rules (after git's strbuf and curl's dynbuf):
 *  - b->ptr is never NULL and always NUL-terminated, even after a failed append;
 *  - every buffer has a maximum length fixed at init; an append past it fails with
 *    ERR_TOOBIG and leaves the buffer unchanged;
 *  - buf_detach hands ownership of the bytes to the caller (free with free());
 *  - buf_release frees and re-initialises (same maximum), so a buffer can be reused.
 */
#ifndef KEXIE_BASE_BUF_H
#define KEXIE_BASE_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char *ptr;
	size_t len;
	size_t cap; /* bytes allocated, 0 while ptr points at the shared empty string */
	size_t max; /* largest len allowed */
};

void buf_init(struct buf *b, size_t max);
void buf_release(struct buf *b);
/* Returns the bytes (caller frees); the buffer is re-initialised empty. Never NULL. */
char *buf_detach(struct buf *b, size_t *len);
void buf_reset(struct buf *b); /* len = 0, keeps the allocation */

/* 0, ERR_TOOBIG past max, ERR_NOMEM. */
int buf_append(struct buf *b, const void *data, size_t n);
int buf_puts(struct buf *b, const char *s);
int buf_putc(struct buf *b, char c);
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int buf_vprintf(struct buf *b, const char *fmt, va_list ap);

#endif
