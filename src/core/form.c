/*
 * form.c - form schemas and their values (see form.h and docs/forms.md): checking a schema
 * when a template is saved, checking and normalising values against a version, the
 * field-by-field difference of two revisions, and deadlines in Asia/Shanghai.
 *
 * The one file of core/ that includes jansson (scripts/check-layers names it): a schema
 * and the values of a form are JSON documents kept as JSON text, and reading them twice
 * over in two private formats would be worse than reading them with the parser every
 * request body already goes through. Output still goes through base/jsonw.h only.
 *
 * Decimals never pass through floating point: a decimal is an int64 count of millionths
 * (FORM_DEC_SCALE digits after the point) with at most 12 digits before it, so sums of
 * up to FORM_FIELDS_MAX fields are exact (0.1 + 0.2 = 0.3) and overflow is checked.
 *
 * Patterns are POSIX extended regular expressions (regcomp), always anchored to the
 * whole value, and refused when they could be slow or huge: longer than
 * FORM_PATTERN_MAX bytes, back-references (\1: exponential matching), a quantified group
 * that itself holds a quantifier ((a+)+, (a*){2}), a count above 100 ({1000}), groups
 * nested deeper than 8. glibc matches the rest without backtracking blow-ups.
 */
#include "core/form.h"
#include "core/personfield.h"
#include "base/num.h"
#include "base/timeutil.h"
#include "base/utf8.h"

#include <jansson.h>
#include <sodium.h>

#include <inttypes.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum ftype {
	T_TEXT = 1,
	T_LONG_TEXT,
	T_INTEGER,
	T_DECIMAL,
	T_DATE,
	T_CHOICE,
	T_MULTI,
	T_TABLE,
	T_FILE,
	T_ORG
};

static const struct {
	const char *name;
	enum ftype t;
	const char *members; /* the members a field of this type may have besides the common ones */
} types[] = {
	{"text", T_TEXT, "min max pattern"},
	{"long_text", T_LONG_TEXT, "min max pattern"},
	{"integer", T_INTEGER, "min max rule"},
	{"decimal", T_DECIMAL, "min max scale rule"},
	{"date", T_DATE, "min max"},
	{"choice", T_CHOICE, "options"},
	{"multi_choice", T_MULTI, "options min max"},
	{"table", T_TABLE, "columns min max"},
	{"file", T_FILE, ""},
	{"org", T_ORG, ""},
};
#define COMMON_MEMBERS "key type label help required"

#define TEXT_MAX_DEFAULT 200
#define LONG_MAX_DEFAULT 10000
#define INT_LIMIT        INT64_C(1000000000000000) /* |integer| <= 10^15 */
#define DEC_INT_DIGITS   12
#define DEC_ONE          INT64_C(1000000) /* 10^FORM_DEC_SCALE */
#define LABEL_MAX        200
#define HELP_MAX         500
#define REPEAT_MAX       100
#define GROUP_DEPTH      8

/* A field path into out, cut at cap (errlist keeps 63 bytes of a field name anyway). */
static void pathf(char *out, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void pathf(char *out, size_t cap, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(out, cap, fmt, ap);
	va_end(ap);
	if (n < 0)
		out[0] = '\0';
}

/* A string member's text, "" when it is not a string. */
static const char *jstr(const json_t *v)
{
	const char *s = json_string_value(v);
	return s ? s : "";
}

static enum ftype type_of(const char *name)
{
	for (size_t i = 0; name && i < sizeof(types) / sizeof(types[0]); i++)
		if (!strcmp(types[i].name, name))
			return types[i].t;
	return 0;
}

static const char *type_members(enum ftype t)
{
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (types[i].t == t)
			return types[i].members;
	return "";
}

static bool is_numeric(enum ftype t)
{
	return t == T_INTEGER || t == T_DECIMAL;
}

static bool is_scalar(enum ftype t)
{
	return t == T_TEXT || t == T_LONG_TEXT || t == T_INTEGER || t == T_DECIMAL || t == T_DATE ||
	       t == T_CHOICE || t == T_FILE;
}

/* ---- decimals ---- */

/* Parses "-12.30" into millionths; *scale the digits given after the point. false when
 * it is not a decimal or has more than 12 digits before the point or 6 after it. */
static bool dec_parse(const char *s, int64_t *units, int *scale)
{
	const char *p = s;
	bool neg = false;
	if (*p == '-' || *p == '+')
		neg = *p++ == '-';
	int64_t whole = 0, frac = 0;
	int nd = 0, nf = 0;
	while (*p >= '0' && *p <= '9') {
		if (++nd > DEC_INT_DIGITS + 6) /* leading zeros allowed, but not endless */
			return false;
		whole = whole * 10 + (*p++ - '0');
	}
	if (*p == '.') {
		p++;
		while (*p >= '0' && *p <= '9') {
			if (++nf > FORM_DEC_SCALE)
				return false;
			frac = frac * 10 + (*p++ - '0');
		}
		if (!nf)
			return false;
	}
	if (*p || !nd || whole >= INT64_C(1000000000000))
		return false;
	for (int i = nf; i < FORM_DEC_SCALE; i++)
		frac *= 10;
	*units = (whole * DEC_ONE + frac) * (neg ? -1 : 1);
	*scale = nf;
	return true;
}

/* millionths as text with exactly scale digits after the point (cap >= 24). */
static void dec_format(int64_t units, int scale, char *out, size_t cap)
{
	bool neg = units < 0;
	uint64_t u = neg ? (uint64_t)0 - (uint64_t)units : (uint64_t)units;
	uint64_t whole = u / (uint64_t)DEC_ONE, frac = u % (uint64_t)DEC_ONE;
	for (int i = scale; i < FORM_DEC_SCALE; i++)
		frac /= 10;
	if (scale > 0 && scale <= FORM_DEC_SCALE) {
		char fr[FORM_DEC_SCALE + 1];
		for (int i = scale - 1; i >= 0; i--) {
			fr[i] = (char)('0' + frac % 10);
			frac /= 10;
		}
		fr[scale] = '\0';
		snprintf(out, cap, "%s%" PRIu64 ".%s", neg ? "-" : "", whole, fr);
	} else
		snprintf(out, cap, "%s%" PRIu64, neg ? "-" : "", whole);
}

/* A decimal given as a string, an integer, or a JSON real (at most 15 significant digits,
 * which %.15g gives back as typed). */
static bool dec_of_json(const json_t *v, int64_t *units, int *scale)
{
	char tmp[40];
	if (json_is_string(v))
		return dec_parse(json_string_value(v), units, scale);
	if (json_is_integer(v)) {
		snprintf(tmp, sizeof(tmp), "%" PRId64, (int64_t)json_integer_value(v));
		return dec_parse(tmp, units, scale);
	}
	if (json_is_real(v)) {
		snprintf(tmp, sizeof(tmp), "%.15g", json_real_value(v));
		if (strchr(tmp, 'e') || strchr(tmp, 'n') || strchr(tmp, 'i'))
			return false;
		return dec_parse(tmp, units, scale);
	}
	return false;
}

/* ---- patterns ---- */

/* Refuses patterns that could match slowly or compile huge (see the file comment). */
static bool pattern_safe(const char *p)
{
	bool quant_in[GROUP_DEPTH + 1] = {false};
	int depth = 0;
	bool last_group_quant = false; /* the group just closed held a quantifier */
	bool after_group = false;
	for (size_t i = 0; p[i]; i++) {
		char ch = p[i];
		bool closed_now = false;
		if (ch == '\\') {
			if (p[i + 1] >= '1' && p[i + 1] <= '9')
				return false;
			if (p[i + 1])
				i++;
		} else if (ch == '[') {
			size_t j = i + 1;
			if (p[j] == '^')
				j++;
			if (p[j] == ']')
				j++;
			while (p[j] && p[j] != ']') {
				if (p[j] == '[' && (p[j + 1] == ':' || p[j + 1] == '.' || p[j + 1] == '=')) {
					const char *end = strstr(p + j + 2, "]");
					if (!end)
						return false;
					j = (size_t)(end - p);
				}
				j++;
			}
			if (!p[j])
				return false;
			i = j;
		} else if (ch == '(') {
			if (++depth > GROUP_DEPTH)
				return false;
			quant_in[depth] = false;
		} else if (ch == ')') {
			if (depth == 0)
				return false;
			last_group_quant = quant_in[depth];
			depth--;
			if (last_group_quant && depth > 0)
				quant_in[depth] = true;
			closed_now = true;
		} else if (ch == '*' || ch == '+' || ch == '?' || ch == '{') {
			if (ch == '{') {
				char *end = NULL;
				long a = strtol(p + i + 1, &end, 10), b = a;
				if (end == p + i + 1)
					return false;
				if (*end == ',') {
					const char *q = end + 1;
					b = *q == '}' ? REPEAT_MAX + 1 : strtol(q, &end, 10);
					if (*q == '}')
						end = (char *)q;
				}
				if (*end != '}' || a > REPEAT_MAX || b > REPEAT_MAX)
					return false;
				i = (size_t)(end - p);
			}
			if (after_group && last_group_quant)
				return false; /* (a+)+ */
			if (depth > 0)
				quant_in[depth] = true;
		}
		after_group = closed_now;
	}
	return depth == 0;
}

/* Compiles the pattern anchored to the whole value. */
static int pattern_compile(const char *p, regex_t *re)
{
	char full[FORM_PATTERN_MAX + 8];
	snprintf(full, sizeof(full), "^(%s)$", p);
	return regcomp(re, full, REG_EXTENDED | REG_NOSUB) ? ERR_INVALID : 0;
}

/* ---- writing a jansson value with jsonw ---- */

static void write_json(struct jsonw *w, const char *key, const json_t *v)
{
	if (!v) {
		jsonw_null(w, key);
		return;
	}
	switch (json_typeof(v)) {
	case JSON_OBJECT: {
		jsonw_object(w, key);
		const char *k;
		json_t *m;
		json_object_foreach((json_t *)v, k, m) write_json(w, k, m);
		jsonw_end(w);
		break;
	}
	case JSON_ARRAY: {
		jsonw_array(w, key);
		size_t i;
		json_t *m;
		json_array_foreach(v, i, m) write_json(w, NULL, m);
		jsonw_end(w);
		break;
	}
	case JSON_STRING: jsonw_strn(w, key, json_string_value(v), json_string_length(v)); break;
	case JSON_INTEGER: jsonw_int(w, key, (int64_t)json_integer_value(v)); break;
	case JSON_REAL: jsonw_double(w, key, json_real_value(v)); break;
	case JSON_TRUE: jsonw_bool(w, key, true); break;
	case JSON_FALSE: jsonw_bool(w, key, false); break;
	default: jsonw_null(w, key); break;
	}
}

static int dump(const json_t *v, char **out)
{
	struct jsonw w;
	jsonw_init_max(&w, FORM_SCHEMA_MAX * 4);
	write_json(&w, NULL, v);
	int rc = jsonw_result(&w);
	if (rc) {
		jsonw_release(&w);
		return rc;
	}
	*out = jsonw_detach(&w, NULL);
	return *out ? 0 : ERR_NOMEM;
}

int form_json_write(struct jsonw *w, const char *key, const char *text)
{
	json_t *v = json_loads(text ? text : "null", JSON_DECODE_ANY, NULL);
	if (!v) {
		jsonw_null(w, key);
		return ERR_INVALID;
	}
	write_json(w, key, v);
	json_decref(v);
	return 0;
}

/* ---- checking a schema ---- */

struct schema_ck {
	struct errlist *errs;
	bool bad;
};

static void serr(struct schema_ck *k, const char *path, const char *member, const char *code, const char *msg)
{
	char f[64];
	pathf(f, sizeof(f), "%s%s%s", path, member && *member ? "." : "", member ? member : "");
	errlist_add(k->errs, f, code, msg);
	k->bad = true;
}

static bool key_valid(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n < 1 || n > FORM_KEY_MAX || s[0] < 'a' || s[0] > 'z')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return false;
	return true;
}

static bool code_valid(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n < 1 || n > FORM_KEY_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '_' || s[i] == '-' || s[i] == '.'))
			return false;
	return true;
}

/* {"zh": "...", "en": "..."}: zh required when need, each at most max code points. */
static void check_words(struct schema_ck *k, const char *path, const char *member, const json_t *v, bool need,
			size_t max, json_t *out)
{
	if (!v) {
		if (need)
			serr(k, path, member, "required", "a label in Chinese is required");
		return;
	}
	if (!json_is_object(v)) {
		serr(k, path, member, "not_object", "give {\"zh\": ..., \"en\": ...}");
		return;
	}
	char p[64];
	pathf(p, sizeof(p), "%s.%s", path, member);
	const char *lang;
	json_t *m;
	json_t *o = json_object();
	json_object_foreach((json_t *)v, lang, m)
	{
		if (strcmp(lang, "zh") && strcmp(lang, "en")) {
			serr(k, p, lang, "unknown_member", "only zh and en");
			continue;
		}
		if (!json_is_string(m)) {
			serr(k, p, lang, "not_string", "must be text");
			continue;
		}
		size_t n = utf8_count(json_string_value(m), json_string_length(m));
		if (n > max) {
			serr(k, p, lang, "too_long", "too long");
			errlist_param_int(k->errs, "max", (long long)max);
			continue;
		}
		json_object_set(o, lang, m);
	}
	const char *zh = json_string_value(json_object_get(v, "zh"));
	if (need && (!zh || !*zh))
		serr(k, p, "zh", "required", "a label in Chinese is required");
	json_object_set_new(out, member, o);
}

static void check_options(struct schema_ck *k, const char *path, const json_t *v, json_t *out)
{
	if (!json_is_array(v) || json_array_size(v) < 1 || json_array_size(v) > FORM_OPTIONS_MAX) {
		serr(k, path, "options", "bad_options", "give 1 to 200 options");
		errlist_param_int(k->errs, "max", FORM_OPTIONS_MAX);
		return;
	}
	json_t *arr = json_array();
	size_t i;
	json_t *o;
	json_array_foreach(v, i, o)
	{
		char p[64];
		pathf(p, sizeof(p), "%s.options[%zu]", path, i);
		const char *code = json_string_value(json_object_get(o, "code"));
		if (!json_is_object(o) || !code_valid(code)) {
			serr(k, p, "code", "invalid_code", "an option's code: 1-40 of A-Z a-z 0-9 _ - .");
			continue;
		}
		for (size_t j = 0; j < i; j++)
			if (!strcmp(code, jstr(json_object_get(json_array_get(v, j), "code"))))
				serr(k, p, "code", "duplicate_option", "two options have this code");
		const char *m;
		json_t *mv;
		json_object_foreach(o, m, mv) if (strcmp(m, "code") && strcmp(m, "label"))
			serr(k, p, m, "unknown_member", "an option has code and label");
		json_t *no = json_object();
		json_object_set_new(no, "code", json_string(code));
		check_words(k, p, "label", json_object_get(o, "label"), true, LABEL_MAX, no);
		json_array_append_new(arr, no);
	}
	json_object_set_new(out, "options", arr);
}

/* min/max of a field: their kind depends on the type. */
static void check_bounds(struct schema_ck *k, const char *path, enum ftype t, const json_t *f, json_t *out)
{
	const json_t *mn = json_object_get(f, "min"), *mx = json_object_get(f, "max");
	if (t == T_DECIMAL) {
		int64_t a = 0, b = 0;
		int s;
		if (mn && !dec_of_json(mn, &a, &s))
			serr(k, path, "min", "not_decimal", "a decimal such as \"0.5\"");
		if (mx && !dec_of_json(mx, &b, &s))
			serr(k, path, "max", "not_decimal", "a decimal such as \"100.00\"");
		char buf[40];
		if (mn && !k->bad) {
			dec_format(a, FORM_DEC_SCALE, buf, sizeof(buf));
			json_object_set_new(out, "min", json_string(buf));
		}
		if (mx && !k->bad) {
			dec_format(b, FORM_DEC_SCALE, buf, sizeof(buf));
			json_object_set_new(out, "max", json_string(buf));
		}
		if (mn && mx && !k->bad && a > b)
			serr(k, path, "min", "min_above_max", "min is above max");
		return;
	}
	if (t == T_DATE) {
		char a[11] = "", b[11] = "";
		if (mn && (!json_is_string(mn) || !date_valid(json_string_value(mn))))
			serr(k, path, "min", "invalid_date", "YYYY-MM-DD");
		else if (mn)
			str_copy(a, sizeof(a), json_string_value(mn));
		if (mx && (!json_is_string(mx) || !date_valid(json_string_value(mx))))
			serr(k, path, "max", "invalid_date", "YYYY-MM-DD");
		else if (mx)
			str_copy(b, sizeof(b), json_string_value(mx));
		if (*a)
			json_object_set_new(out, "min", json_string(a));
		if (*b)
			json_object_set_new(out, "max", json_string(b));
		if (*a && *b && strcmp(a, b) > 0)
			serr(k, path, "min", "min_above_max", "min is after max");
		return;
	}
	/* lengths, counts, rows, integer values */
	int64_t lo = t == T_INTEGER ? -INT_LIMIT : 0;
	int64_t hi = t == T_INTEGER ? INT_LIMIT
		     : t == T_TABLE ? FORM_ROWS_MAX
		     : t == T_MULTI ? FORM_OPTIONS_MAX
				    : LONG_MAX_DEFAULT;
	const json_t *b[2] = {mn, mx};
	const char *names[2] = {"min", "max"};
	for (int i = 0; i < 2; i++) {
		if (!b[i])
			continue;
		if (!json_is_integer(b[i]) || json_integer_value(b[i]) < lo ||
		    json_integer_value(b[i]) > hi) {
			serr(k, path, names[i], "out_of_range", "a whole number within the limits");
			errlist_param_int(k->errs, "min", lo);
			errlist_param_int(k->errs, "max", hi);
			continue;
		}
		json_object_set(out, names[i], (json_t *)b[i]);
	}
	if (json_is_integer(mn) && json_is_integer(mx) && json_integer_value(mn) > json_integer_value(mx))
		serr(k, path, "min", "min_above_max", "min is above max");
}

static void check_pattern(struct schema_ck *k, const char *path, const json_t *v, json_t *out)
{
	const char *p = json_string_value(v);
	if (!p || !*p || strlen(p) > FORM_PATTERN_MAX) {
		serr(k, path, "pattern", "bad_pattern", "a regular expression of 1 to 200 bytes");
		errlist_param_int(k->errs, "max", FORM_PATTERN_MAX);
		return;
	}
	if (!pattern_safe(p)) {
		serr(k, path, "pattern", "pattern_unsafe",
		     "refused: back-references, nested quantifiers and counts above 100 can make matching slow");
		return;
	}
	regex_t re;
	if (pattern_compile(p, &re)) {
		serr(k, path, "pattern", "bad_pattern", "not a POSIX extended regular expression");
		return;
	}
	regfree(&re);
	json_object_set(out, "pattern", (json_t *)v);
}

static void check_field(struct schema_ck *k, const char *path, const json_t *f, bool in_table, json_t *out);

static void check_columns(struct schema_ck *k, const char *path, const json_t *v, json_t *out)
{
	if (!json_is_array(v) || json_array_size(v) < 1 || json_array_size(v) > FORM_FIELDS_MAX) {
		serr(k, path, "columns", "bad_columns", "give 1 to 100 columns");
		return;
	}
	json_t *arr = json_array();
	size_t i;
	json_t *c;
	json_array_foreach(v, i, c)
	{
		char p[64];
		pathf(p, sizeof(p), "%s.columns[%zu]", path, i);
		json_t *nc = json_object();
		check_field(k, p, c, true, nc);
		const char *key = json_string_value(json_object_get(c, "key"));
		for (size_t j = 0; key && j < i; j++)
			if (!strcmp(key, jstr(json_object_get(json_array_get(v, j), "key"))))
				serr(k, p, "key", "duplicate_key", "two columns have this key");
		json_array_append_new(arr, nc);
	}
	json_object_set_new(out, "columns", arr);
}

/* One field (or column): its members, in the canonical order, into out. */
static void check_field(struct schema_ck *k, const char *path, const json_t *f, bool in_table, json_t *out)
{
	if (!json_is_object(f)) {
		serr(k, path, NULL, "not_object", "a field is an object");
		return;
	}
	const char *key = json_string_value(json_object_get(f, "key"));
	if (!key_valid(key))
		serr(k, path, "key", "bad_key", "a key: a-z first, then a-z 0-9 _, at most 40");
	const char *tname = json_string_value(json_object_get(f, "type"));
	enum ftype t = type_of(tname);
	if (!t) {
		serr(k, path, "type", "unknown_type", "unknown field type");
		return;
	}
	if (in_table && !is_scalar(t)) {
		serr(k, path, "type", "not_allowed",
		     "a table column is text, long_text, integer, decimal, date, choice or file");
		return;
	}
	const char *m;
	json_t *mv;
	json_object_foreach((json_t *)f, m, mv)
	{
		bool known = word_in(COMMON_MEMBERS, ' ', m, false) ||
			     word_in(type_members(t), ' ', m, false);
		if (!known || (in_table && !strcmp(m, "rule")))
			serr(k, path, m, "unknown_member", "not a member of a field of this type");
	}
	json_object_set_new(out, "key", json_string(key ? key : ""));
	json_object_set_new(out, "type", json_string(tname));
	check_words(k, path, "label", json_object_get(f, "label"), true, LABEL_MAX, out);
	if (json_object_get(f, "help"))
		check_words(k, path, "help", json_object_get(f, "help"), false, HELP_MAX, out);
	const json_t *req = json_object_get(f, "required");
	if (req && !json_is_boolean(req))
		serr(k, path, "required", "not_boolean", "true or false");
	json_object_set_new(out, "required", json_boolean(json_is_true(req)));
	if (word_in(type_members(t), ' ', "min", false))
		check_bounds(k, path, t, f, out);
	if (t == T_DECIMAL) {
		const json_t *sc = json_object_get(f, "scale");
		if (sc && (!json_is_integer(sc) || json_integer_value(sc) < 0 ||
			   json_integer_value(sc) > FORM_DEC_SCALE)) {
			serr(k, path, "scale", "out_of_range", "digits after the point: 0 to 6");
			errlist_param_int(k->errs, "min", 0);
			errlist_param_int(k->errs, "max", FORM_DEC_SCALE);
		}
		json_object_set_new(out, "scale",
				    json_integer(json_is_integer(sc) ? json_integer_value(sc) : 2));
	}
	if (json_object_get(f, "pattern") && (t == T_TEXT || t == T_LONG_TEXT))
		check_pattern(k, path, json_object_get(f, "pattern"), out);
	if (t == T_CHOICE || t == T_MULTI)
		check_options(k, path, json_object_get(f, "options"), out);
	if (t == T_TABLE)
		check_columns(k, path, json_object_get(f, "columns"), out);
	if (json_object_get(f, "rule") && !in_table)
		json_object_set(out, "rule",
				json_object_get(f, "rule")); /* checked once all keys are known */
}

/* The field named by a reference "key" or "table.column" (NULL when none); *col the column. */
static const json_t *ref_field(const json_t *fields, const char *ref, const json_t **col)
{
	char top[FORM_KEY_MAX + 1];
	const char *dot = strchr(ref, '.');
	size_t n = dot ? (size_t)(dot - ref) : strlen(ref);
	*col = NULL;
	if (n > FORM_KEY_MAX)
		return NULL;
	memcpy(top, ref, n);
	top[n] = '\0';
	size_t i;
	json_t *f;
	json_array_foreach(fields, i, f)
	{
		if (strcmp(jstr(json_object_get(f, "key")), top))
			continue;
		if (!dot)
			return f;
		size_t j;
		json_t *c;
		json_array_foreach(json_object_get(f, "columns"), j,
				   c) if (!strcmp(jstr(json_object_get(c, "key")), dot + 1))
		{
			*col = c;
			return f;
		}
		return NULL;
	}
	return NULL;
}

static int scale_of(const json_t *f)
{
	return type_of(json_string_value(json_object_get(f, "type"))) == T_DECIMAL
		       ? (int)json_integer_value(json_object_get(f, "scale"))
		       : 0;
}

/* A field's rule {"sum": ["a", "b", "rows.count"]}: every reference a numeric field (or
 * table column) other than itself, of a scale the total can hold. */
static void check_rule(struct schema_ck *k, const json_t *fields, size_t i, json_t *f)
{
	char path[64];
	pathf(path, sizeof(path), "fields[%zu].rule", i);
	const json_t *rule = json_object_get(f, "rule");
	enum ftype t = type_of(json_string_value(json_object_get(f, "type")));
	if (!is_numeric(t)) {
		serr(k, path, NULL, "not_allowed", "only an integer or decimal field has a sum rule");
		return;
	}
	const json_t *sum = json_object_get(rule, "sum");
	if (!json_is_object(rule) || json_object_size(rule) != 1 || !json_is_array(sum) ||
	    json_array_size(sum) < 1 || json_array_size(sum) > FORM_FIELDS_MAX) {
		serr(k, path, "sum", "bad_rule", "a rule is {\"sum\": [\"field\", ...]}");
		return;
	}
	const char *self = jstr(json_object_get(f, "key"));
	size_t j;
	json_t *r;
	json_array_foreach(sum, j, r)
	{
		char p[64];
		pathf(p, sizeof(p), "%s.sum[%zu]", path, j);
		const char *ref = json_string_value(r);
		const json_t *col = NULL;
		const json_t *rf = ref ? ref_field(fields, ref, &col) : NULL;
		if (!rf) {
			serr(k, p, NULL, "unknown_reference", "no field or table column has this key");
			continue;
		}
		if (!strcmp(ref, self)) {
			serr(k, p, NULL, "self_reference", "a total cannot sum itself");
			continue;
		}
		const json_t *target = col ? col : rf;
		if (!is_numeric(type_of(json_string_value(json_object_get(target, "type"))))) {
			serr(k, p, NULL, "not_numeric", "only integer and decimal fields can be summed");
			continue;
		}
		if (scale_of(target) > scale_of(f))
			serr(k, p, NULL, "scale_mismatch",
			     "this field has more digits after the point than the total");
	}
}

int form_schema_check(const struct json_t *schema, struct errlist *errs, char **out)
{
	struct schema_ck k = {.errs = errs};
	*out = NULL;
	const json_t *fields = json_object_get(schema, "fields");
	if (!json_is_object(schema) || !json_is_array(fields)) {
		errlist_add(errs, "fields", "required", "a schema is {\"fields\": [...]}");
		return ERR_UNPROCESSABLE;
	}
	const char *m;
	json_t *mv;
	json_object_foreach((json_t *)schema, m, mv) if (strcmp(m, "fields"))
		serr(&k, "", m, "unknown_member", "a schema has fields only");
	size_t n = json_array_size(fields);
	if (n < 1 || n > FORM_FIELDS_MAX) {
		errlist_add(errs, "fields", "out_of_range", "a form has 1 to 100 fields");
		errlist_param_int(errs, "min", 1);
		errlist_param_int(errs, "max", FORM_FIELDS_MAX);
		return ERR_UNPROCESSABLE;
	}
	json_t *root = json_object(), *arr = json_array();
	json_object_set_new(root, "fields", arr);
	for (size_t i = 0; i < n; i++) {
		char path[64];
		pathf(path, sizeof(path), "fields[%zu]", i);
		const json_t *f = json_array_get(fields, i);
		json_t *nf = json_object();
		check_field(&k, path, f, false, nf);
		const char *key = json_string_value(json_object_get(f, "key"));
		for (size_t j = 0; key && j < i; j++)
			if (!strcmp(key, jstr(json_object_get(json_array_get(fields, j), "key"))))
				serr(&k, path, "key", "duplicate_key", "two fields have this key");
		json_array_append_new(arr, nf);
	}
	for (size_t i = 0; i < n && !k.bad; i++)
		if (json_object_get(json_array_get(arr, i), "rule"))
			check_rule(&k, arr, i, json_array_get(arr, i));
	int rc = k.bad ? ERR_UNPROCESSABLE : dump(root, out);
	json_decref(root);
	return rc;
}

/* ---- checking values ---- */

struct values_ck {
	const struct form_hooks *h;
	struct errlist *errs;
	bool draft, bad;
	int rc; /* a hook's store error */
};

static void verr(struct values_ck *k, const char *field, const char *code, const char *msg)
{
	errlist_add(k->errs, field, code, msg);
	k->bad = true;
}

static bool empty(const json_t *v)
{
	return !v || json_is_null(v) || (json_is_string(v) && json_string_length(v) == 0) ||
	       (json_is_array(v) && json_array_size(v) == 0);
}

static bool bound(const json_t *f, const char *which, int64_t *v)
{
	const json_t *b = json_object_get(f, which);
	if (!json_is_integer(b))
		return false;
	*v = json_integer_value(b);
	return true;
}

static json_t *check_text(struct values_ck *k, const char *name, const json_t *f, enum ftype t,
			  const json_t *v)
{
	if (!json_is_string(v)) {
		verr(k, name, "not_string", "must be text");
		return NULL;
	}
	size_t n = utf8_count(json_string_value(v), json_string_length(v));
	int64_t mn = 0, mx = t == T_TEXT ? TEXT_MAX_DEFAULT : LONG_MAX_DEFAULT;
	bool has_min = bound(f, "min", &mn);
	bound(f, "max", &mx);
	if (has_min && (int64_t)n < mn) {
		verr(k, name, "too_short", "too short");
		errlist_param_int(k->errs, "min", mn);
		return NULL;
	}
	if ((int64_t)n > mx) {
		verr(k, name, "too_long", "too long");
		errlist_param_int(k->errs, "max", mx);
		return NULL;
	}
	if (t == T_TEXT && strpbrk(json_string_value(v), "\r\n")) {
		verr(k, name, "one_line", "a line break in a one-line field");
		return NULL;
	}
	const char *pat = json_string_value(json_object_get(f, "pattern"));
	if (pat) {
		regex_t re;
		if (pattern_compile(pat, &re)) {
			k->rc = ERR_INVALID;
			return NULL;
		}
		int m = regexec(&re, json_string_value(v), 0, NULL, 0);
		regfree(&re);
		if (m) {
			verr(k, name, "pattern_mismatch", "not in the required format");
			errlist_param_str(k->errs, "pattern", pat);
			return NULL;
		}
	}
	return json_copy((json_t *)v);
}

static json_t *check_integer(struct values_ck *k, const char *name, const json_t *f, const json_t *v)
{
	int64_t x;
	if (json_is_integer(v))
		x = json_integer_value(v);
	else if (!json_is_string(v) || !num_int64(json_string_value(v), &x)) {
		verr(k, name, "not_integer", "a whole number");
		return NULL;
	}
	int64_t mn = -INT_LIMIT, mx = INT_LIMIT;
	bound(f, "min", &mn);
	bound(f, "max", &mx);
	if (x < mn || x > mx) {
		verr(k, name, "out_of_range", "out of range");
		errlist_param_int(k->errs, "min", mn);
		errlist_param_int(k->errs, "max", mx);
		return NULL;
	}
	return json_integer(x);
}

static json_t *check_decimal(struct values_ck *k, const char *name, const json_t *f, const json_t *v)
{
	int64_t x, mn, mx;
	int sc, scale = scale_of(f);
	if (!dec_of_json(v, &x, &sc)) {
		verr(k, name, "not_decimal", "a number such as 12.5");
		return NULL;
	}
	if (sc > scale) {
		verr(k, name, "too_many_decimals", "too many digits after the point");
		errlist_param_int(k->errs, "max", scale);
		return NULL;
	}
	const char *smn = json_string_value(json_object_get(f, "min"));
	const char *smx = json_string_value(json_object_get(f, "max"));
	if ((smn && dec_parse(smn, &mn, &sc) && x < mn) || (smx && dec_parse(smx, &mx, &sc) && x > mx)) {
		char a[40], b[40];
		verr(k, name, "out_of_range", "out of range");
		if (smn) {
			dec_format(mn, scale, a, sizeof(a));
			errlist_param_str(k->errs, "min", a);
		}
		if (smx) {
			dec_format(mx, scale, b, sizeof(b));
			errlist_param_str(k->errs, "max", b);
		}
		return NULL;
	}
	char out[40];
	dec_format(x, scale, out, sizeof(out));
	return json_string(out);
}

static json_t *check_date(struct values_ck *k, const char *name, const json_t *f, const json_t *v)
{
	char d[PERSON_DATE_LEN + 1];
	if (!json_is_string(v)) {
		verr(k, name, "invalid_date", "a date YYYY-MM-DD");
		return NULL;
	}
	if (person_date_normalize(json_string_value(v), json_string_length(v), 0, d, sizeof(d), name,
				  k->errs)) {
		k->bad = true;
		return NULL;
	}
	const char *mn = json_string_value(json_object_get(f, "min"));
	const char *mx = json_string_value(json_object_get(f, "max"));
	if ((mn && strcmp(d, mn) < 0) || (mx && strcmp(d, mx) > 0)) {
		verr(k, name, "out_of_range", "the date is out of range");
		if (mn)
			errlist_param_str(k->errs, "min", mn);
		if (mx)
			errlist_param_str(k->errs, "max", mx);
		return NULL;
	}
	return json_string(d);
}

static bool option_known(const json_t *f, const char *code)
{
	size_t i;
	json_t *o;
	json_array_foreach(json_object_get(f, "options"), i,
			   o) if (!strcmp(json_string_value(json_object_get(o, "code")), code)) return true;
	return false;
}

static json_t *check_choice(struct values_ck *k, const char *name, const json_t *f, const json_t *v)
{
	if (!json_is_string(v) || !option_known(f, json_string_value(v))) {
		verr(k, name, "not_allowed", "not one of the options");
		return NULL;
	}
	return json_copy((json_t *)v);
}

static json_t *check_multi(struct values_ck *k, const char *name, const json_t *f, const json_t *v)
{
	if (!json_is_array(v)) {
		verr(k, name, "not_array", "a list of option codes");
		return NULL;
	}
	size_t i;
	json_t *o;
	json_array_foreach(v, i, o)
	{
		if (!json_is_string(o) || !option_known(f, json_string_value(o))) {
			verr(k, name, "not_allowed", "not one of the options");
			return NULL;
		}
		for (size_t j = 0; j < i; j++)
			if (json_equal(o, json_array_get(v, j))) {
				verr(k, name, "duplicate", "an option chosen twice");
				return NULL;
			}
	}
	int64_t mn = 0, mx = FORM_OPTIONS_MAX, n = (int64_t)json_array_size(v);
	bool has_min = bound(f, "min", &mn);
	bound(f, "max", &mx);
	if ((has_min && !k->draft && n < mn) || n > mx) {
		verr(k, name, n > mx ? "too_many" : "too_few", "choose within the limits");
		errlist_param_int(k->errs, "min", mn);
		errlist_param_int(k->errs, "max", mx);
		return NULL;
	}
	return json_copy((json_t *)v);
}

static json_t *check_id(struct values_ck *k, const char *name, const json_t *v, bool file)
{
	int64_t id;
	if (!json_is_integer(v) || (id = json_integer_value(v)) < 1) {
		verr(k, name, "not_integer", file ? "a stored file's id" : "an organization's id");
		return NULL;
	}
	int (*ok)(void *, int64_t) = !k->h ? NULL : file ? k->h->file_ok : k->h->org_ok;
	int rc = ok ? ok(k->h->arg, id) : 0;
	if (rc == ERR_NOTFOUND || rc == ERR_FORBIDDEN) {
		verr(k, name, file ? "file_not_found" : "org_outside_scope",
		     file ? "no such file that you may use" : "not an organization within your scope");
		return NULL;
	}
	if (rc)
		k->rc = rc;
	return rc ? NULL : json_integer(id);
}

static json_t *check_value(struct values_ck *k, const char *name, const json_t *f, const json_t *v);

static json_t *check_table(struct values_ck *k, const char *name, const json_t *f, const json_t *v)
{
	if (!json_is_array(v) || json_array_size(v) > FORM_ROWS_MAX) {
		verr(k, name, "not_array", "a list of rows");
		return NULL;
	}
	const json_t *cols = json_object_get(f, "columns");
	json_t *rows = json_array();
	size_t r;
	json_t *row;
	json_array_foreach(v, r, row)
	{
		char rn[64];
		pathf(rn, sizeof(rn), "%s[%zu]", name, r);
		if (!json_is_object(row)) {
			verr(k, rn, "not_object", "a row is an object");
			continue;
		}
		const char *ck;
		json_t *cv;
		json_object_foreach(row, ck, cv)
		{
			const json_t *unused;
			if (!ref_field(cols, ck, &unused)) {
				char fn[64];
				pathf(fn, sizeof(fn), "%s.%s", rn, ck);
				verr(k, fn, "unknown_field", "no such column");
			}
		}
		bool blank = true; /* a row left blank (the page adds empty rows) is dropped */
		json_object_foreach(row, ck, cv) blank = blank && empty(cv);
		if (blank)
			continue;
		json_t *out = json_object();
		size_t c;
		json_t *col;
		json_array_foreach(cols, c, col)
		{
			const char *key = json_string_value(json_object_get(col, "key"));
			char fn[64];
			pathf(fn, sizeof(fn), "%s.%s", rn, key);
			json_t *nv = check_value(k, fn, col, json_object_get(row, key));
			if (nv)
				json_object_set_new(out, key, nv);
		}
		json_array_append_new(rows, out);
	}
	int64_t mn = 0, mx = FORM_ROWS_MAX, n = (int64_t)json_array_size(rows);
	bool has_min = bound(f, "min", &mn);
	bound(f, "max", &mx);
	if ((has_min && !k->draft && n < mn) || n > mx) {
		verr(k, name, n > mx ? "too_many" : "too_few", "rows within the limits");
		errlist_param_int(k->errs, "min", mn);
		errlist_param_int(k->errs, "max", mx);
	}
	if (!n) {
		json_decref(rows);
		return NULL;
	}
	return rows;
}

/* One value (a field or a table cell): NULL when empty or wrong (the error is added). */
static json_t *check_value(struct values_ck *k, const char *name, const json_t *f, const json_t *v)
{
	enum ftype t = type_of(json_string_value(json_object_get(f, "type")));
	if (empty(v)) {
		if (!k->draft && json_is_true(json_object_get(f, "required")))
			verr(k, name, "required", "required");
		return NULL;
	}
	switch (t) {
	case T_TEXT:
	case T_LONG_TEXT: return check_text(k, name, f, t, v);
	case T_INTEGER: return check_integer(k, name, f, v);
	case T_DECIMAL: return check_decimal(k, name, f, v);
	case T_DATE: return check_date(k, name, f, v);
	case T_CHOICE: return check_choice(k, name, f, v);
	case T_MULTI: return check_multi(k, name, f, v);
	case T_TABLE: {
		json_t *rows = check_table(k, name, f, v);
		if (!rows && !k->draft && json_is_true(json_object_get(f, "required")) &&
		    !errlist_has(k->errs, name))
			verr(k, name, "required", "required");
		return rows;
	}
	case T_FILE: return check_id(k, name, v, true);
	case T_ORG: return check_id(k, name, v, false);
	default: k->rc = ERR_INVALID; return NULL;
	}
}

/* A normalised number (integer or decimal string) in millionths. */
static int64_t units_of(const json_t *v)
{
	int64_t u = 0;
	int s;
	if (json_is_integer(v))
		return json_integer_value(v) * DEC_ONE;
	if (json_is_string(v) && dec_parse(json_string_value(v), &u, &s))
		return u;
	return 0;
}

/* Every total equal to the sum of its references (exact; an empty reference counts 0). */
static void check_sums(struct values_ck *k, const json_t *fields, const json_t *out)
{
	size_t i;
	json_t *f;
	json_array_foreach(fields, i, f)
	{
		const json_t *sum = json_object_get(json_object_get(f, "rule"), "sum");
		const char *key = json_string_value(json_object_get(f, "key"));
		const json_t *total = json_object_get(out, key);
		if (!sum || !total || errlist_has(k->errs, key))
			continue;
		int64_t acc = 0;
		bool over = false;
		size_t j;
		json_t *r;
		json_array_foreach(sum, j, r)
		{
			const char *ref = json_string_value(r);
			const char *dot = strchr(ref, '.');
			if (!dot) {
				over |= __builtin_add_overflow(acc, units_of(json_object_get(out, ref)),
							       &acc);
				continue;
			}
			char top[FORM_KEY_MAX + 1];
			str_copy(top,
				 (size_t)(dot - ref) + 1 < sizeof(top) ? (size_t)(dot - ref) + 1
								       : sizeof(top),
				 ref);
			size_t x;
			json_t *row;
			json_array_foreach(json_object_get(out, top), x, row) over |= __builtin_add_overflow(
				acc, units_of(json_object_get(row, dot + 1)), &acc);
		}
		if (over || acc != units_of(total)) {
			char want[40];
			dec_format(acc, scale_of(f), want, sizeof(want));
			verr(k, key, "sum_mismatch", "must equal the sum of the fields it totals");
			errlist_param_str(k->errs, "expected", over ? "" : want);
			char list[64] = "";
			size_t len = 0;
			json_array_foreach(sum, j, r)
			{
				int w = snprintf(list + len, sizeof(list) - len, "%s%s", j ? "," : "",
						 json_string_value(r));
				if (w < 0 || (size_t)w >= sizeof(list) - len)
					break;
				len += (size_t)w;
			}
			errlist_param_str(k->errs, "fields", list);
		}
	}
}

int form_values_check(const char *schema, const struct json_t *values, const struct form_hooks *h, bool draft,
		      struct errlist *errs, char **out)
{
	*out = NULL;
	json_t *s = json_loads(schema ? schema : "", 0, NULL);
	const json_t *fields = json_object_get(s, "fields");
	if (!json_is_array(fields)) {
		json_decref(s);
		return ERR_INVALID;
	}
	struct values_ck k = {.h = h, .errs = errs, .draft = draft};
	if (values && !json_is_object(values)) {
		errlist_add(errs, "values", "not_object", "values are an object: key -> value");
		json_decref(s);
		return ERR_UNPROCESSABLE;
	}
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)values, key, v)
	{
		const json_t *unused;
		if (!ref_field(fields, key, &unused) || strchr(key, '.'))
			verr(&k, key, "unknown_field", "the form has no such field");
	}
	json_t *res = json_object();
	size_t i;
	json_t *f;
	json_array_foreach(fields, i, f)
	{
		const char *fk = json_string_value(json_object_get(f, "key"));
		json_t *nv = check_value(&k, fk, f, json_object_get(values, fk));
		if (nv)
			json_object_set_new(res, fk, nv);
	}
	if (!draft && !k.bad && !k.rc)
		check_sums(&k, fields, res);
	int rc = k.rc ? k.rc : k.bad ? ERR_UNPROCESSABLE : dump(res, out);
	json_decref(res);
	json_decref(s);
	return rc;
}

int form_values_check_text(const char *schema, const char *values, const struct form_hooks *h, bool draft,
			   struct errlist *errs, char **out)
{
	json_t *v = json_loads(values && *values ? values : "{}", 0, NULL);
	if (!v)
		return ERR_INVALID;
	int rc = form_values_check(schema, v, h, draft, errs, out);
	json_decref(v);
	return rc;
}

int form_values_diff(const char *schema, const char *before, const char *after, struct jsonw *w,
		     const char *key)
{
	json_t *s = json_loads(schema ? schema : "", 0, NULL);
	json_t *a = json_loads(before && *before ? before : "{}", 0, NULL);
	json_t *b = json_loads(after && *after ? after : "{}", 0, NULL);
	int rc = s && a && b ? 0 : ERR_INVALID;
	jsonw_array(w, key);
	size_t i;
	json_t *f;
	json_array_foreach(rc ? NULL : json_object_get(s, "fields"), i, f)
	{
		const char *fk = json_string_value(json_object_get(f, "key"));
		json_t *x = json_object_get(a, fk), *y = json_object_get(b, fk);
		if ((!x && !y) || (x && y && json_equal(x, y)))
			continue;
		jsonw_object(w, NULL);
		jsonw_str(w, "key", fk);
		write_json(w, "label", json_object_get(f, "label"));
		write_json(w, "before", x);
		write_json(w, "after", y);
		jsonw_end(w);
	}
	jsonw_end(w);
	json_decref(s);
	json_decref(a);
	json_decref(b);
	return rc;
}

/* ---- deadlines ---- */

/* Parses the deadline; *has_time when it names an instant. */
static bool deadline_parse(const char *s, int64_t *local_ms, bool *has_time)
{
	if (!s)
		return false;
	size_t n = strlen(s);
	if (n < 10 || n > FORM_DEADLINE_MAX)
		return false;
	char d[11];
	memcpy(d, s, 10);
	d[10] = '\0';
	if (!date_valid(d))
		return false;
	int y = (d[0] - '0') * 1000 + (d[1] - '0') * 100 + (d[2] - '0') * 10 + d[3] - '0',
	    mo = (d[5] - '0') * 10 + d[6] - '0', da = (d[8] - '0') * 10 + d[9] - '0';
	int64_t ms = days_from_civil(y, mo, da) * 86400000;
	*has_time = n > 10;
	if (n == 10) {
		*local_ms = ms;
		return true;
	}
	/* THH:MM, THH:MM:SS, THH:MM:SS.mmm */
	if (s[10] != 'T' || (n != 16 && n != 19 && n != 23))
		return false;
	for (size_t i = 11; i < n; i++) {
		bool sep = i == 13 || i == 16 || i == 19;
		char want = i == 19 ? '.' : ':';
		if (sep ? s[i] != want : (s[i] < '0' || s[i] > '9'))
			return false;
	}
	int hh = (s[11] - '0') * 10 + s[12] - '0', mm = (s[14] - '0') * 10 + s[15] - '0';
	int ss = n >= 19 ? (s[17] - '0') * 10 + s[18] - '0' : 0;
	int mss = n == 23 ? (s[20] - '0') * 100 + (s[21] - '0') * 10 + s[22] - '0' : 0;
	if (hh > 23 || mm > 59 || ss > 59)
		return false;
	*local_ms = ms + ((int64_t)hh * 3600 + mm * 60 + ss) * 1000 + mss;
	return true;
}

bool form_deadline_valid(const char *deadline)
{
	int64_t ms;
	bool t;
	return deadline_parse(deadline, &ms, &t);
}

int form_deadline_end_ms(const char *deadline, int64_t *end_ms)
{
	int64_t local;
	bool has_time;
	if (!deadline_parse(deadline, &local, &has_time))
		return ERR_INVALID;
	/* "by June 15": until 23:59:59.999 on June 15 in Beijing, so late from 00:00 on the 16th */
	*end_ms = (has_time ? local + 1 : local + 86400000) - INT64_C(1000) * TIME_SHANGHAI_OFFSET_S;
	return 0;
}

int form_deadline_late(int64_t at_ms, const char *deadline, bool *late)
{
	int64_t end;
	int rc = form_deadline_end_ms(deadline, &end);
	if (!rc)
		*late = at_ms >= end;
	return rc;
}

int form_request_hash(int64_t id, const struct json_t *values, char out[65])
{
	char *text = NULL;
	int rc = values ? dump(values, &text) : 0;
	if (rc)
		return rc;
	char head[32];
	int n = snprintf(head, sizeof(head), "%" PRId64 "\n", id);
	crypto_generichash_state st;
	unsigned char h[32];
	crypto_generichash_init(&st, NULL, 0, sizeof(h));
	crypto_generichash_update(&st, (const unsigned char *)head, (unsigned long long)n);
	crypto_generichash_update(&st, (const unsigned char *)(text ? text : "-"),
				  (unsigned long long)(text ? strlen(text) : 1u));
	crypto_generichash_final(&st, h, sizeof(h));
	sodium_bin2hex(out, 65, h, sizeof(h));
	free(text);
	return 0;
}
