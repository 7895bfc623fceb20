/*
 * auditview.c - audit records as people read them (see auditview.h).
 */
#include "api/auditview.h"
#include "base/jsonw.h"
#include "core/codelist.h"
#include "core/org.h"
#include "base/num.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- language ---- */

bool api_lang_en(struct req *r)
{
	const char *h = req_header(r, "Accept-Language");
	double best_zh = -1, best_en = -1;
	for (const char *p = h; p && *p;) {
		while (*p == ' ' || *p == ',')
			p++;
		const char *tag = p;
		size_t n = strcspn(p, ";,");
		double q = 1.0;
		const char *semi = p + n;
		while (n > 0 && tag[n - 1] == ' ')
			n--;
		if (*semi == ';') {
			const char *qs = strstr(semi, "q=");
			const char *comma = strchr(semi, ',');
			if (qs && (!comma || qs < comma))
				q = strtod(qs + 2, NULL);
		}
		if (n >= 2 && !strncasecmp(tag, "zh", 2) && (n == 2 || tag[2] == '-') && q > best_zh)
			best_zh = q;
		if (n >= 2 && !strncasecmp(tag, "en", 2) && (n == 2 || tag[2] == '-') && q > best_en)
			best_en = q;
		const char *comma = strchr(p, ',');
		p = comma ? comma + 1 : NULL;
	}
	return best_en > 0 && best_en > best_zh;
}

/* ---- names ---- */

/* The cache slot for id or code (one of them given), filled on a miss. */
static int org_slot(struct auditview *v, int64_t id, const char *code)
{
	for (int i = 0; i < v->norg; i++)
		if (code ? !strcmp(v->org[i].code, code) : v->org[i].id == id)
			return i;
	struct org *o = malloc(sizeof(*o));
	if (!o)
		return -1;
	int rc = code ? org_get_by_code(v->app, code, NULL, o) : org_get(v->app, id, NULL, o);
	int k = v->norg < AUDITVIEW_CACHE ? v->norg++ : (v->next++ % AUDITVIEW_CACHE);
	v->org[k].id = rc ? id : o->id;
	str_copy(v->org[k].code, sizeof(v->org[k].code), rc ? (code ? code : "") : o->code);
	str_copy(v->org[k].name, sizeof(v->org[k].name), rc ? "" : o->name);
	free(o);
	return k;
}

const char *auditview_org_name(struct auditview *v, int64_t id)
{
	int k = id > 0 ? org_slot(v, id, NULL) : -1;
	return k >= 0 ? v->org[k].name : "";
}

const char *auditview_org_by_code(struct auditview *v, const char *code)
{
	static const char none[] = "";
	if (!code || !*code)
		return none;
	int k = org_slot(v, 0, code);
	if (k < 0 || !v->org[k].name[0])
		return code;
	return v->org[k].name;
}

const char *auditview_via(const struct auditview *v, const char *via, char *out, size_t cap)
{
	static const struct {
		const char *prefix, *zh, *en;
	} words[] = {
		{"session", "会话", "session"},
		{"token", "API 令牌", "API token"},
		{"cli", "命令行", "command line"},
		{"system", "系统", "system"},
	};
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		size_t n = strlen(words[i].prefix);
		if (!strncmp(via, words[i].prefix, n) && (via[n] == '\0' || via[n] == ':')) {
			snprintf(out, cap, "%s%s%s", v->en ? words[i].en : words[i].zh, via[n] ? " " : "",
				 via[n] ? via + n + 1 : "");
			return out;
		}
	}
	snprintf(out, cap, "%s", via);
	return out;
}

/* ---- the change line ---- */

/* The code list the values of a diff key come from, or NULL. */
static const struct codeset *values_of(const char *key)
{
	if (!strcmp(key, "level"))
		return &codelist_org_level;
	if (!strcmp(key, "type"))
		return &codelist_org_type;
	if (!strcmp(key, "role"))
		return &codelist_role;
	if (!strcmp(key, "status"))
		return &codelist_user_status;
	return NULL;
}

/* Does the key hold an organization's id (then shown by name)? */
static bool org_id_key(const char *key)
{
	return !strcmp(key, "parent_id") || !strcmp(key, "org_id") || !strcmp(key, "guide_id");
}

/* One value as words: null -> (none); org ids -> names; listed codes -> labels; the
 * diff's own words (changed, ended ...) -> labels; else the text or number. */
static int put_value(struct auditview *v, const char *key, json_t *x, struct buf *out)
{
	char num[32];
	const char *s = NULL;
	if (json_is_null(x) || (json_is_string(x) && !*json_string_value(x)))
		return buf_puts(out, v->en ? "(none)" : "（无）");
	if (json_is_integer(x)) {
		snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(x));
		s = num;
	} else if (json_is_true(x) || json_is_false(x)) {
		s = json_is_true(x) ? (v->en ? "yes" : "是") : (v->en ? "no" : "否");
	} else if (json_is_string(x)) {
		s = json_string_value(x);
	} else {
		return 0;
	}
	int64_t id;
	if (org_id_key(key) && num_int64(s, &id) && id > 0) {
		const char *name = auditview_org_name(v, id);
		if (*name)
			return buf_puts(out, name);
	}
	if (!strcmp(key, "parent") || !strcmp(key, "guided_by") || !strcmp(key, "parent_code"))
		return buf_puts(out, auditview_org_by_code(v, s));
	const struct codeset *list = values_of(key);
	if (list && codeset_has(list, s))
		return buf_puts(out, codeset_label(list, s, !v->en));
	if (json_is_string(x) && codeset_has(&codelist_audit_field, s))
		return buf_puts(out, codeset_label(&codelist_audit_field, s, !v->en));
	return buf_puts(out, s);
}

/* One recorded value (a scalar: audit diffs hold strings, numbers, booleans and null), with
 * "12" -> 12 for the org-id keys' values. */
static void put_json_value(struct jsonw *w, const char *key, const char *field, json_t *x)
{
	int64_t id;
	if (json_is_string(x) && org_id_key(field) && num_int64(json_string_value(x), &id))
		jsonw_int(w, key, id);
	else if (json_is_string(x))
		jsonw_strn(w, key, json_string_value(x), json_string_length(x));
	else if (json_is_integer(x))
		jsonw_int(w, key, json_integer_value(x));
	else if (json_is_real(x))
		jsonw_double(w, key, json_real_value(x));
	else if (json_is_boolean(x))
		jsonw_bool(w, key, json_is_true(x));
	else
		jsonw_null(w, key);
}

void auditview_changes_write(struct jsonw *w, const char *key, const char *detail)
{
	json_t *d = detail && *detail ? json_loads(detail, 0, NULL) : NULL;
	jsonw_object(w, key);
	if (json_is_object(d)) {
		const char *k;
		json_t *x;
		json_object_foreach(d, k, x)
		{
			if (!json_is_array(x)) {
				put_json_value(w, k, k, x);
				continue;
			}
			jsonw_array(w, k);
			size_t i;
			json_t *e;
			json_array_foreach(x, i, e) put_json_value(w, NULL, k, e);
			jsonw_end(w);
		}
	}
	jsonw_end(w);
	json_decref(d);
}

int auditview_changes(struct auditview *v, const char *detail, struct buf *out)
{
	if (!detail || !*detail)
		return 0;
	json_t *d = json_loads(detail, 0, NULL);
	if (!json_is_object(d)) {
		json_decref(d);
		return 0;
	}
	bool has_parent_id = json_object_get(d, "parent_id") != NULL;
	int rc = 0, items = 0;
	const char *key;
	json_t *x;
	json_object_foreach(d, key, x)
	{
		if (rc)
			break;
		if (has_parent_id && !strcmp(key, "parent_code"))
			continue; /* the parent is named already */
		if (items++)
			rc = buf_puts(out, v->en ? "; " : "；");
		if (!rc)
			rc = buf_puts(out, codeset_label(&codelist_audit_field, key, !v->en));
		if (!rc && json_is_true(x))
			continue; /* a flag: its label says it ("truncated") */
		if (!rc)
			rc = buf_puts(out, v->en ? ": " : "：");
		if (!rc && json_is_array(x) && json_array_size(x) == 2) {
			rc = put_value(v, key, json_array_get(x, 0), out);
			if (!rc)
				rc = buf_puts(out, " → ");
			if (!rc)
				rc = put_value(v, key, json_array_get(x, 1), out);
		} else if (!rc) {
			rc = put_value(v, key, x, out);
		}
	}
	json_decref(d);
	return rc;
}
