/*
 * body.c - checks on what a client sends, declared per route (query and body specs).
 *
 * The JSON prescan walks the raw bytes once before jansson sees them, so an error can name
 * the field: invalid UTF-8, U+0000, a lone surrogate escape, control characters, or
 * nesting past the limit (checked before any recursion, so 10,000 levels cost nothing).
 * jansson then parses with JSON_REJECT_DUPLICATES, and the object is checked against the
 * route's field spec: unknown fields and wrong types are 400, missing or out-of-range
 * values are 422.
 */
#include "http/internal.h"
#include "base/num.h"
#include "base/timeutil.h"
#include "base/codeset.h"
#include "base/utf8.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- field specs ---- */

static const struct field *spec_find(const struct field *spec, const char *name)
{
	for (const struct field *f = spec; f && f->name; f++)
		if (!strcmp(f->name, name))
			return f;
	return NULL;
}

/* Is v an allowed value of the FT_ENUM or FT_CODE field f? */
static bool enum_allows(const struct field *f, const char *v)
{
	if (f->type == FT_CODE)
		return f->values && codeset_has(codeset_of(f->values), v);
	return word_in(f->values ? f->values : "", '|', v, false);
}

/* not_allowed, naming the code list (params.list) or the allowed words (params.allowed). */
static int enum_refused(struct req *r, const struct field *f)
{
	char words[512], msg[600];
	const struct codeset *list = f->type == FT_CODE && f->values ? codeset_of(f->values) : NULL;
	const char *allowed = list ? codeset_join(list, '|', words, sizeof(words))
				   : (f->values ? f->values : "");
	snprintf(msg, sizeof(msg), "must be one of: %s", allowed);
	errlist_add(&r->errs, f->name, "not_allowed", msg);
	if (list)
		errlist_param_str(&r->errs, "list", list->name);
	else
		errlist_param_str(&r->errs, "allowed", allowed);
	return ERR_INVALID;
}

/* out_of_range with the bounds as params (an id's bound of INT64_MAX is no bound a person
 * needs to read: then only min). Returns ERR_UNPROCESSABLE. */
static int range_refused(struct req *r, const struct field *f)
{
	char msg[96];
	if (f->max == INT64_MAX)
		snprintf(msg, sizeof(msg), "must be at least %lld", (long long)f->min);
	else
		snprintf(msg, sizeof(msg), "must be between %lld and %lld", (long long)f->min, (long long)f->max);
	errlist_add(&r->errs, f->name, "out_of_range", msg);
	errlist_param_int(&r->errs, "min", f->min);
	if (f->max != INT64_MAX)
		errlist_param_int(&r->errs, "max", f->max);
	return ERR_UNPROCESSABLE;
}

/* Checks one scalar value given as text (a query parameter, or a JSON string). Distinct
 * codes let the UI say the right thing: required (empty and required), too_short /
 * too_long (params min / max), out_of_range (min, max), not_allowed, invalid_date ... */
static int check_text_value(struct req *r, const struct field *f, const char *v)
{
	char msg[160];
	size_t len = strlen(v);
	if (!utf8_valid(v, len, NULL))
		return errlist_add(&r->errs, f->name, "invalid_utf8", "is not valid UTF-8"),
		       ERR_INVALID;
	/* left empty where a value is needed: say so, not "too short" (what people see when
	 * they clear a field) */
	if (!len && ((f->flags & FF_REQUIRED) || f->type == FT_ENUM || f->type == FT_CODE || f->type == FT_DATE ||
		     (f->type == FT_STRING && f->min > 0)))
		return errlist_add(&r->errs, f->name, "required", "must not be empty"), ERR_INVALID;
	switch (f->type) {
	case FT_INT: {
		int64_t x;
		if (!num_int64(v, &x))
			return errlist_add(&r->errs, f->name, "not_integer", "must be an integer"),
			       ERR_INVALID;
		if ((f->min || f->max) && (x < f->min || x > f->max))
			return range_refused(r, f), ERR_INVALID;
		return 0;
	}
	case FT_BOOL:
		if (strcmp(v, "true") && strcmp(v, "false"))
			return errlist_add(&r->errs, f->name, "not_boolean",
					   "must be true or false"),
			       ERR_INVALID;
		return 0;
	case FT_ENUM:
	case FT_CODE:
		return enum_allows(f, v) ? 0 : enum_refused(r, f);
	case FT_DATE:
		if (!date_valid(v))
			return errlist_add(&r->errs, f->name, "invalid_date",
					   "must be a date YYYY-MM-DD"),
			       ERR_INVALID;
		return 0;
	default: {
		size_t cp = utf8_count(v, len);
		int64_t max = f->max ? f->max : 1000;
		if ((int64_t)cp < f->min) {
			snprintf(msg, sizeof(msg), "must be at least %lld characters", (long long)f->min);
			errlist_add(&r->errs, f->name, "too_short", msg);
			errlist_param_int(&r->errs, "min", f->min);
			return ERR_INVALID;
		}
		if ((int64_t)cp > max) {
			snprintf(msg, sizeof(msg), "must be at most %lld characters", (long long)max);
			errlist_add(&r->errs, f->name, "too_long", msg);
			errlist_param_int(&r->errs, "max", max);
			return ERR_INVALID;
		}
		return 0;
	}
	}
}

struct qctx {
	struct req *r;
	const struct field *spec;
	int rc;
	const char *seen[32];
	int nseen;
};

static enum MHD_Result query_iter(void *cls, enum MHD_ValueKind kind, const char *key,
				  const char *value)
{
	(void)kind;
	struct qctx *q = cls;
	if (!utf8_valid(key, strlen(key), NULL)) {
		errlist_add(&q->r->errs, "", "invalid_utf8", "a query parameter name is not UTF-8");
		q->rc = ERR_INVALID;
		return MHD_NO;
	}
	const struct field *f = spec_find(q->spec, key);
	if (!f) {
		errlist_add(&q->r->errs, key, "unknown_parameter", "is not a parameter of this endpoint");
		q->rc = ERR_INVALID;
		return MHD_YES;
	}
	for (int i = 0; i < q->nseen; i++) {
		if (!strcmp(q->seen[i], key)) {
			errlist_add(&q->r->errs, key, "duplicate_parameter", "is given more than once");
			q->rc = ERR_INVALID;
			return MHD_YES;
		}
	}
	if (q->nseen < 32)
		q->seen[q->nseen++] = f->name;
	if (check_text_value(q->r, f, value ? value : ""))
		q->rc = ERR_INVALID;
	return MHD_YES;
}

int body_check_query(struct req *r, const struct field *spec)
{
	struct qctx q = {.r = r, .spec = spec};
	MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, query_iter, &q);
	if (q.rc)
		snprintf(r->errmsg, sizeof(r->errmsg), "invalid query parameters");
	return q.rc;
}

/* ---- JSON prescan ---- */

struct frame {
	bool obj;
	bool expect_key;
	long index;
	char key[64];
};

static void path_of(const struct frame *st, int depth, char *out, size_t cap)
{
	size_t len = 0;
	out[0] = '\0';
	for (int i = 0; i < depth && len + 1 < cap; i++) {
		int w;
		if (st[i].obj) {
			if (!st[i].key[0])
				break;
			w = snprintf(out + len, cap - len, "%s%s", len ? "." : "", st[i].key);
		} else {
			w = snprintf(out + len, cap - len, "[%ld]", st[i].index);
		}
		if (w < 0 || (size_t)w >= cap - len)
			break;
		len += (size_t)w;
	}
}

static int hexval(const char *p)
{
	int v = 0;
	for (int i = 0; i < 4; i++) {
		char c = p[i];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	return v;
}

int json_prescan(const char *p, size_t n, int max_depth, struct errlist *errs, char *msg,
		 size_t cap)
{
	struct frame st[JSON_DEPTH_MAX + 1];
	int depth = 0;
	char path[256];
	const char *code = NULL, *what = NULL;
	size_t i = 0;
	if (max_depth > JSON_DEPTH_MAX)
		max_depth = JSON_DEPTH_MAX;
	while (i < n) {
		char c = p[i];
		if (c == '{' || c == '[') {
			if (depth >= max_depth) {
				code = "too_deep";
				what = "JSON nesting is deeper than allowed";
				goto fail;
			}
			memset(&st[depth], 0, sizeof(st[depth]));
			st[depth].obj = c == '{';
			st[depth].expect_key = c == '{';
			depth++;
			i++;
		} else if (c == '}' || c == ']') {
			if (depth > 0)
				depth--;
			i++;
		} else if (c == ',') {
			if (depth > 0) {
				if (st[depth - 1].obj) {
					st[depth - 1].expect_key = true;
					st[depth - 1].key[0] = '\0';
				} else {
					st[depth - 1].index++;
				}
			}
			i++;
		} else if (c == ':') {
			if (depth > 0)
				st[depth - 1].expect_key = false;
			i++;
		} else if (c == '"') {
			bool is_key = depth > 0 && st[depth - 1].obj && st[depth - 1].expect_key;
			size_t start = ++i;
			while (i < n && p[i] != '"') {
				unsigned char u = (unsigned char)p[i];
				if (u == '\\') {
					if (i + 1 >= n)
						break;
					if (p[i + 1] == 'u') {
						if (n - i < 6) {
							i = n;
							break;
						}
						int cp = hexval(p + i + 2);
						if (cp == 0) {
							code = "nul_character";
							what = "U+0000 is not allowed in text";
							goto fail;
						}
						if (cp >= 0xD800 && cp <= 0xDBFF) {
							int lo = (n - i >= 12 && p[i + 6] == '\\' &&
								  p[i + 7] == 'u')
									 ? hexval(p + i + 8)
									 : -1;
							if (lo < 0xDC00 || lo > 0xDFFF) {
								code = "invalid_utf8";
								what = "lone surrogate in a \\u escape";
								goto fail;
							}
							i += 12;
							continue;
						}
						if (cp >= 0xDC00 && cp <= 0xDFFF) {
							code = "invalid_utf8";
							what = "lone surrogate in a \\u escape";
							goto fail;
						}
						i += 6;
					} else {
						i += 2;
					}
					continue;
				}
				if (u < 0x20) {
					code = u == 0 ? "nul_character" : "control_character";
					what = u == 0 ? "U+0000 is not allowed in text"
						      : "raw control character in a string";
					goto fail;
				}
				if (u >= 0x80) {
					int len = utf8_seqlen(u);
					if (!len || (size_t)len > n - i || !utf8_valid(p + i, (size_t)len, NULL)) {
						code = "invalid_utf8";
						what = "text is not valid UTF-8";
						goto fail;
					}
					i += (size_t)len;
					continue;
				}
				i++;
			}
			if (is_key) {
				size_t klen = i - start;
				if (klen >= sizeof(st[0].key))
					klen = sizeof(st[0].key) - 1;
				memcpy(st[depth - 1].key, p + start, klen);
				st[depth - 1].key[klen] = '\0';
			}
			i++; /* closing quote */
		} else {
			if ((unsigned char)c >= 0x80 || c == 0) {
				code = c == 0 ? "nul_character" : "invalid_utf8";
				what = "unexpected byte outside a string";
				goto fail;
			}
			i++;
		}
	}
	return 0;
fail:
	/* the path names the key being read (for a key error) or the value's key */
	path_of(st, depth, path, sizeof(path));
	errlist_add(errs, path, code, what);
	snprintf(msg, cap, "%s%s%s", what, path[0] ? " in field " : "", path);
	return ERR_INVALID;
}

/* ---- body against spec ---- */

static int check_json_field(struct req *r, const struct field *f, json_t *v)
{
	if (json_is_null(v)) {
		if (f->flags & FF_NULLABLE)
			return 0;
		if (f->flags & FF_REQUIRED)
			return errlist_add(&r->errs, f->name, "required", "must not be null");
		return errlist_add(&r->errs, f->name, "not_nullable", "must not be null"),
		       ERR_INVALID;
	}
	switch (f->type) {
	case FT_INT:
		if (!json_is_integer(v))
			return errlist_add(&r->errs, f->name, "not_integer",
					   "must be an integer"),
			       ERR_INVALID;
		if ((f->min || f->max) &&
		    (json_integer_value(v) < f->min || json_integer_value(v) > f->max))
			return range_refused(r, f);
		return 0;
	case FT_BOOL:
		return json_is_boolean(v) ? 0
					  : (errlist_add(&r->errs, f->name, "not_boolean",
							 "must be true or false"),
					     ERR_INVALID);
	case FT_OBJECT:
		return json_is_object(v) ? 0
					 : (errlist_add(&r->errs, f->name, "not_object",
							"must be an object"),
					    ERR_INVALID);
	case FT_ARRAY:
		return json_is_array(v) ? 0
					: (errlist_add(&r->errs, f->name, "not_array",
						       "must be an array"),
					   ERR_INVALID);
	case FT_STRING:
	case FT_ENUM:
	case FT_CODE:
	case FT_DATE: {
		if (!json_is_string(v))
			return errlist_add(&r->errs, f->name, "not_string", "must be a string"),
			       ERR_INVALID;
		int rc = check_text_value(r, f, json_string_value(v));
		/* in a JSON body a bad value is a validation failure, not malformed syntax */
		return rc ? ERR_UNPROCESSABLE : 0;
	}
	}
	return 0;
}

int body_parse_json(struct req *r, const struct field *spec)
{
	if (r->body.len == 0) {
		snprintf(r->errmsg, sizeof(r->errmsg), "a JSON object is required as the body");
		errlist_add(&r->errs, "", "body_required", "the request body is empty");
		return ERR_INVALID;
	}
	int rc = json_prescan(r->body.ptr, r->body.len, JSON_DEPTH_MAX, &r->errs, r->errmsg,
			      sizeof(r->errmsg));
	if (rc)
		return rc;
	json_error_t je;
	r->json = json_loadb(r->body.ptr, r->body.len, JSON_REJECT_DUPLICATES, &je);
	if (!r->json) {
		snprintf(r->errmsg, sizeof(r->errmsg), "invalid JSON at line %d column %d: %s",
			 je.line, je.column, je.text);
		errlist_add(&r->errs, "", json_error_code(&je) == json_error_duplicate_key
						  ? "duplicate_key"
						  : "invalid_json",
			    je.text);
		return ERR_INVALID;
	}
	if (!json_is_object(r->json)) {
		snprintf(r->errmsg, sizeof(r->errmsg), "the body must be a JSON object");
		errlist_add(&r->errs, "", "not_object", "the body must be a JSON object");
		return ERR_INVALID;
	}
	int worst = 0;
	const char *key;
	json_t *v;
	json_object_foreach(r->json, key, v) {
		const struct field *f = spec_find(spec, key);
		if (!f) {
			errlist_add(&r->errs, key, "unknown_field", "is not a field of this request");
			worst = ERR_INVALID;
			continue;
		}
		rc = check_json_field(r, f, v);
		if (rc == ERR_INVALID || (rc && !worst))
			worst = rc;
	}
	for (const struct field *f = spec; f && f->name; f++) {
		if ((f->flags & FF_REQUIRED) && !json_object_get(r->json, f->name)) {
			errlist_add(&r->errs, f->name, "required", "is required");
			if (!worst)
				worst = ERR_UNPROCESSABLE;
		}
	}
	if (worst)
		snprintf(r->errmsg, sizeof(r->errmsg), "the request body has invalid fields");
	return worst;
}
