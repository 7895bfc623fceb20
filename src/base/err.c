/*
 * err.c - names for error codes and the bounded field-error list.
 */
#include "base/err.h"

#include <string.h>

const char *err_name(int code)
{
	switch (code) {
	case ERR_OK: return "ok";
	case ERR_INVALID: return "invalid";
	case ERR_UNPROCESSABLE: return "unprocessable";
	case ERR_NOTFOUND: return "not_found";
	case ERR_CONFLICT: return "conflict";
	case ERR_PRECONDITION: return "precondition_failed";
	case ERR_PRECOND_REQUIRED: return "precondition_required";
	case ERR_FORBIDDEN: return "forbidden";
	case ERR_UNAUTHORIZED: return "unauthorized";
	case ERR_TOOBIG: return "too_large";
	case ERR_MEDIATYPE: return "unsupported_media_type";
	case ERR_RATELIMIT: return "rate_limited";
	case ERR_BUSY: return "busy";
	case ERR_UNAVAILABLE: return "unavailable";
	case ERR_METHOD: return "method_not_allowed";
	case ERR_URITOOLONG: return "uri_too_long";
	case ERR_HEADTOOBIG: return "headers_too_large";
	case ERR_DB:
	case ERR_NOMEM:
	case ERR_IO:
	case ERR_INTERNAL:
	default: return "internal";
	}
}

void errlist_init(struct errlist *l)
{
	memset(l, 0, sizeof(*l));
}

bool errlist_has(const struct errlist *l, const char *field)
{
	for (int i = 0; i < l->n; i++)
		if (!strcmp(l->e[i].field, field))
			return true;
	return false;
}

size_t str_copy(char *dst, size_t cap, const char *src)
{
	size_t n = src ? strlen(src) : 0;
	if (n >= cap) {
		n = cap - 1;
		/* back up over UTF-8 continuation bytes so no character is split */
		while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80)
			n--;
	}
	if (n)
		memcpy(dst, src, n);
	dst[n] = '\0';
	return n;
}

int errlist_add_row(struct errlist *l, long row, const char *field, const char *code, const char *message)
{
	if (l->n >= ERRLIST_MAX) {
		l->dropped++;
		l->tail_dropped = true;
		return ERR_UNPROCESSABLE;
	}
	l->tail_dropped = false;
	struct fielderr *e = &l->e[l->n++];
	str_copy(e->field, sizeof(e->field), field);
	str_copy(e->code, sizeof(e->code), code);
	str_copy(e->message, sizeof(e->message), message);
	e->row = row;
	e->nparams = 0;
	return ERR_UNPROCESSABLE;
}

/* The next free parameter slot of the last error, or NULL. */
static struct fielderr_param *param_slot(struct errlist *l, const char *key)
{
	if (l->n == 0 || l->tail_dropped)
		return NULL;
	struct fielderr *e = &l->e[l->n - 1];
	if (e->nparams >= FIELDERR_PARAMS)
		return NULL;
	struct fielderr_param *p = &e->params[e->nparams++];
	str_copy(p->key, sizeof(p->key), key);
	return p;
}

int errlist_param_int(struct errlist *l, const char *key, long long v)
{
	struct fielderr_param *p = param_slot(l, key);
	if (p) {
		p->is_num = true;
		p->num = v;
		p->text[0] = '\0';
	}
	return ERR_UNPROCESSABLE;
}

int errlist_param_str(struct errlist *l, const char *key, const char *v)
{
	struct fielderr_param *p = param_slot(l, key);
	if (p) {
		p->is_num = false;
		p->num = 0;
		str_copy(p->text, sizeof(p->text), v);
	}
	return ERR_UNPROCESSABLE;
}

int errlist_add(struct errlist *l, const char *field, const char *code, const char *message)
{
	return errlist_add_row(l, 0, field, code, message);
}
