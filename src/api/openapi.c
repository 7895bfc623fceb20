/*
 * openapi.c - builds the OpenAPI 3.1 document from the route table, so the document can
 * never drift from what the server does: paths, methods, path/query parameters and body
 * fields all come from the same rows the dispatcher enforces.
 */
#include "api/api.h"

#include <stdio.h>
#include <string.h>

static json_t *schema_of(const struct field *f)
{
	json_t *s = json_object();
	switch (f->type) {
	case FT_INT:
		json_object_set_new(s, "type", json_string("integer"));
		json_object_set_new(s, "format", json_string("int64"));
		if (f->min || f->max) {
			json_object_set_new(s, "minimum", json_integer(f->min));
			json_object_set_new(s, "maximum", json_integer(f->max));
		}
		break;
	case FT_BOOL:
		json_object_set_new(s, "type", json_string("boolean"));
		break;
	case FT_OBJECT:
		json_object_set_new(s, "type", json_string("object"));
		break;
	case FT_ARRAY:
		json_object_set_new(s, "type", json_string("array"));
		break;
	case FT_DATE:
		json_object_set_new(s, "type", json_string("string"));
		json_object_set_new(s, "format", json_string("date"));
		break;
	case FT_ENUM: {
		json_object_set_new(s, "type", json_string("string"));
		json_t *e = json_array();
		const char *p = f->values;
		while (p && *p) {
			const char *bar = strchr(p, '|');
			size_t len = bar ? (size_t)(bar - p) : strlen(p);
			json_array_append_new(e, json_stringn(p, len));
			p = bar ? bar + 1 : NULL;
		}
		json_object_set_new(s, "enum", e);
		break;
	}
	case FT_STRING:
	default:
		json_object_set_new(s, "type", json_string("string"));
		json_object_set_new(s, "minLength", json_integer(f->min));
		json_object_set_new(s, "maxLength", json_integer(f->max ? f->max : 1000));
		break;
	}
	if (f->flags & FF_NULLABLE) {
		json_t *t = json_object_get(s, "type");
		json_object_set_new(s, "type", json_pack("[O,s]", t, "null"));
	}
	if (f->doc)
		json_object_set_new(s, "description", json_string(f->doc));
	return s;
}

/* "/api/v1/regions/{code:str}" -> "/api/v1/regions/{code}" plus path parameters. */
static void convert_path(const char *pattern, char *out, size_t cap, json_t *params)
{
	size_t len = 0;
	for (const char *p = pattern; *p && len + 1 < cap;) {
		if (*p == '{') {
			const char *colon = strchr(p, ':');
			const char *close = strchr(p, '}');
			if (!colon || !close)
				break;
			size_t nlen = (size_t)(colon - p - 1);
			int w = snprintf(out + len, cap - len, "{%.*s}", (int)nlen, p + 1);
			if (w > 0 && (size_t)w < cap - len)
				len += (size_t)w;
			bool is_int = !strncmp(colon + 1, "int", 3);
			json_array_append_new(
				params,
				json_pack("{s:s%,s:s,s:b,s:{s:s}}", "name", p + 1, nlen, "in", "path",
					  "required", 1, "schema", "type", is_int ? "integer" : "string"));
			p = close + 1;
		} else {
			out[len++] = *p++;
		}
	}
	out[len] = '\0';
}

static const char *lower_method(unsigned m)
{
	switch (m) {
	case HM_GET: return "get";
	case HM_POST: return "post";
	case HM_PUT: return "put";
	case HM_PATCH: return "patch";
	case HM_DELETE: return "delete";
	default: return NULL;
	}
}

json_t *api_openapi(const char *version, char *why, size_t cap)
{
	json_t *paths = json_object();
	for (size_t i = 0; i < api_routes_count; i++) {
		const struct route *rt = &api_routes[i];
		const char *m = lower_method(rt->method);
		if (!m || !rt->summary || !*rt->summary || !rt->tag || !*rt->tag ||
		    !rt->response || !*rt->response) {
			snprintf(why, cap, "route %s lacks a method, summary, tag or response text",
				 rt->pattern);
			json_decref(paths);
			return NULL;
		}
		json_t *params = json_array();
		char path[512];
		convert_path(rt->pattern, path, sizeof(path), params);
		for (const struct field *f = rt->query; f && f->name; f++)
			json_array_append_new(params, json_pack("{s:s,s:s,s:b,s:o}", "name", f->name,
								"in", "query", "required",
								(f->flags & FF_REQUIRED) != 0,
								"schema", schema_of(f)));
		json_t *ok = json_pack("{s:s}", "description", rt->response);
		if (!(rt->flags & RF_RAW))
			json_object_set_new(ok, "content",
					    json_pack("{s:{s:{}}}", "application/json", "schema"));
		json_t *op = json_pack(
			"{s:[s],s:s,s:s,s:o,s:{s:o,s:{s:s,s:{s:{s:{s:s}}}}}}", "tags", rt->tag,
			"summary", rt->summary, "operationId", rt->pattern, "parameters", params,
			"responses", "200", ok, "default", "description",
			"error: {\"error\":{\"code\",\"message\",\"request_id\",\"details\"}}",
			"content", "application/json", "schema", "$ref",
			"#/components/schemas/Error");
		char opid[160];
		snprintf(opid, sizeof(opid), "%s %s", m, rt->pattern);
		json_object_set_new(op, "operationId", json_string(opid));
		if (rt->body) {
			json_t *props = json_object(), *req = json_array();
			for (const struct field *f = rt->body; f->name; f++) {
				json_object_set_new(props, f->name, schema_of(f));
				if (f->flags & FF_REQUIRED)
					json_array_append_new(req, json_string(f->name));
			}
			json_object_set_new(
				op, "requestBody",
				json_pack("{s:b,s:{s:{s:{s:s,s:o,s:o,s:b}}}}", "required", 1, "content",
					  "application/json", "schema", "type", "object", "properties",
					  props, "required", req, "additionalProperties", 0));
		}
		if ((rt->flags & RF_UPLOAD) && rt->upload_types) {
			/* a file as the body: each accepted media type, raw bytes */
			json_t *content = json_object();
			char types[256];
			snprintf(types, sizeof(types), "%s", rt->upload_types);
			for (char *t = types, *next; t && *t; t = next) {
				next = strchr(t, '|');
				if (next)
					*next++ = '\0';
				json_object_set_new(content, t, json_pack("{s:{s:s,s:s}}", "schema", "type", "string",
									  "format", "binary"));
			}
			json_object_set_new(op, "requestBody", json_pack("{s:b,s:o}", "required", 1, "content", content));
		}
		if (rt->perm)
			json_object_set_new(op, "x-permission", json_string(rt->perm));
		if (rt->flags & RF_SUBTREE)
			json_object_set_new(op, "x-scope", json_string("org subtree of the caller"));
		if (rt->flags & (RF_AUTH | RF_SUBTREE) || rt->perm)
			json_object_set_new(op, "security",
					    json_pack("[{s:[]},{s:[]}]", "cookie", "bearer"));
		json_t *item = json_object_get(paths, path);
		if (!item) {
			item = json_object();
			json_object_set_new(paths, path, item);
		}
		json_object_set_new(item, m, op);
	}
	json_t *error_schema = json_pack(
		"{s:s,s:[s],s:{s:{s:s,s:[s,s,s],s:{s:{s:s},s:{s:s},s:{s:s},s:{s:s,s:{s:s}}}}}}",
		"type", "object", "required", "error", "properties", "error", "type", "object",
		"required", "code", "message", "request_id", "properties", "code", "type",
		"string", "message", "type", "string", "request_id", "type", "string", "details",
		"type", "array", "items", "type", "object");
	return json_pack("{s:s,s:{s:s,s:s,s:s},s:o,s:{s:{s:o},s:{s:{s:s,s:s,s:s},s:{s:s,s:s}}}}",
			 "openapi", "3.1.0", "info", "title", "kexie API", "version", version,
			 "description",
			 "JSON API of kexie, generated from the server's route table.", "paths",
			 paths, "components", "schemas", "Error", error_schema, "securitySchemes",
			 "cookie", "type", "apiKey", "in", "cookie", "name", "kexie_session",
			 "bearer", "type", "http", "scheme", "bearer");
}
