/*
 * stmt.c - the common statement shapes on top of store.h's primitives: run one statement,
 * read one row into out-parameters, iterate rows with a callback, run on a read
 * connection. The parameter and output formats are described in store.h. These helpers
 * exist so a module's SQL sits next to its function with nothing else around it.
 */
#include "store/store.h"
#include "base/err.h"

#include <stdarg.h>
#include <stdint.h>
#include <string.h>

/* Binds params from *ap to st; 0 or a negative code (ERR_INVALID for a bad letter). */
static int bind_va(struct stmt *st, const char *params, va_list *ap)
{
	int idx = 1;
	for (const char *p = params ? params : ""; *p; p++) {
		int rc;
		const char *s;
		switch (*p) {
		case ' ': continue;
		case 'i': rc = stmt_bind_int64(st, idx, va_arg(*ap, int64_t)); break;
		case 'd': rc = stmt_bind_int64(st, idx, va_arg(*ap, int)); break;
		case 't':
			s = va_arg(*ap, const char *);
			rc = s ? stmt_bind_text(st, idx, s, strlen(s)) : stmt_bind_null(st, idx);
			break;
		case 'T': {
			s = va_arg(*ap, const char *);
			size_t n = va_arg(*ap, size_t);
			rc = s ? stmt_bind_text(st, idx, s, n) : stmt_bind_null(st, idx);
			break;
		}
		case 'n': rc = stmt_bind_null(st, idx); break;
		default: return ERR_INVALID;
		}
		if (rc)
			return rc;
		idx++;
	}
	return 0;
}

/* Checks a format before anything runs, so a bad letter never leaves half the work done. */
static bool format_ok(const char *f, const char *letters)
{
	for (; f && *f; f++)
		if (*f != ' ' && !strchr(letters, *f))
			return false;
	return true;
}

/* Copies column col into buf (cap >= 1), cut on a character boundary. */
static void copy_text(struct stmt *st, int col, char *buf, size_t cap)
{
	size_t n = 0;
	const char *v = stmt_text(st, col, &n);
	if (n >= cap) {
		n = cap - 1;
		while (n > 0 && ((unsigned char)v[n] & 0xC0) == 0x80)
			n--; /* v[n] would start the cut-off part: keep whole characters */
	}
	memcpy(buf, v, n);
	buf[n] = '\0';
}

static int read_outs(struct stmt *st, const char *outs, va_list *ap)
{
	int col = 0;
	for (const char *p = outs; *p; p++) {
		switch (*p) {
		case ' ': continue;
		case 'i': *va_arg(*ap, int64_t *) = stmt_int64(st, col); break;
		case 'd': *va_arg(*ap, int *) = (int)stmt_int64(st, col); break;
		case 'b': *va_arg(*ap, bool *) = stmt_int64(st, col) != 0; break;
		case 't': {
			char *buf = va_arg(*ap, char *);
			size_t cap = va_arg(*ap, size_t);
			if (cap)
				copy_text(st, col, buf, cap);
			break;
		}
		case '-': break;
		default: return ERR_INVALID;
		}
		col++;
	}
	return 0;
}

int conn_run(struct conn *c, const char *sql, const char *params, ...)
{
	if (!format_ok(params, "idtTn"))
		return ERR_INVALID;
	struct stmt *st = NULL;
	int rc = conn_prepare(c, sql, &st);
	if (rc)
		return rc;
	va_list ap;
	va_start(ap, params);
	rc = bind_va(st, params, &ap);
	va_end(ap);
	if (!rc)
		rc = stmt_step(st);
	int64_t n = rc >= 0 ? stmt_changes(st) : 0;
	stmt_done(st);
	if (rc < 0)
		return rc;
	return n > INT32_MAX ? INT32_MAX : (int)n;
}

int conn_row(struct conn *c, const char *sql, const char *params, const char *outs, ...)
{
	if (!format_ok(params, "idtTn") || !format_ok(outs, "idbt-"))
		return ERR_INVALID;
	struct stmt *st = NULL;
	int rc = conn_prepare(c, sql, &st);
	if (rc)
		return rc;
	va_list ap;
	va_start(ap, outs);
	rc = bind_va(st, params, &ap);
	if (!rc)
		rc = stmt_step(st);
	if (rc == STORE_ROW)
		rc = read_outs(st, outs ? outs : "", &ap);
	else if (rc == STORE_DONE)
		rc = ERR_NOTFOUND;
	va_end(ap);
	stmt_done(st);
	return rc;
}

int conn_each(struct conn *c, const char *sql, int (*fn)(struct stmt *st, void *arg), void *arg,
	      const char *params, ...)
{
	if (!format_ok(params, "idtTn"))
		return ERR_INVALID;
	struct stmt *st = NULL;
	int rc = conn_prepare(c, sql, &st);
	if (rc)
		return rc;
	va_list ap;
	va_start(ap, params);
	rc = bind_va(st, params, &ap);
	va_end(ap);
	while (!rc && (rc = stmt_step(st)) == STORE_ROW)
		rc = fn(st, arg);
	stmt_done(st);
	return rc < 0 ? rc : 0;
}

int store_read(struct store *s, int (*fn)(struct conn *c, void *arg), void *arg)
{
	struct conn *c = NULL;
	int rc = store_acquire(s, STORE_READ, &c);
	if (rc)
		return rc;
	rc = fn(c, arg);
	store_release(c);
	return rc;
}

bool store_like(const char *q, const char *pre, const char *post, char *out, size_t cap)
{
	size_t len = 0, pl = strlen(pre), tl = strlen(post);
	if (pl + tl >= cap)
		return false;
	memcpy(out, pre, pl);
	len = pl;
	for (; *q; q++) {
		if (len + 2 + tl >= cap)
			return false;
		if (*q == '%' || *q == '_' || *q == '\\')
			out[len++] = '\\';
		out[len++] = *q;
	}
	memcpy(out + len, post, tl);
	out[len + tl] = '\0';
	return true;
}
