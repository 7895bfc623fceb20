/*
 * docs.c (cli) - `kexie routes` and `kexie openapi`: the route table, as text (one line per
 * route: method, pattern, what it acts on, permission, success status, summary), as JSON
 * (`kexie routes --json`: every row's declarations, from which the access matrix test is
 * generated), and as the OpenAPI document (docs/openapi.json is this output, checked by a
 * test).
 */
#include "cli/cli.h"
#include "api/api.h"
#include "version.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *method_name(unsigned m)
{
	static const char *const names[] = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"};
	for (int k = 0; k < 7; k++)
		if (m == 1u << k)
			return names[k];
	return "?";
}

static const char *const where_name[] = {"", "path", "query", "body"};

/* "org:path.id+org:body.guide_id(org.read)", "self", "public", "system", or "-" (see why). */
static void objects_text(const struct route *rt, char *out, size_t cap)
{
	size_t len = 0;
	out[0] = '\0';
	for (int i = 0; i < ROUTE_OBJS && rt->obj[i].kind; i++) {
		const struct route_obj *o = &rt->obj[i];
		int w = snprintf(out + len, cap - len, "%s%s", i ? "+" : "", api_obj_kind_name(o->kind));
		if (w > 0 && (size_t)w < cap - len)
			len += (size_t)w;
		if (o->in) {
			w = snprintf(out + len, cap - len, ":%s.%s", where_name[o->in], o->name);
			if (w > 0 && (size_t)w < cap - len)
				len += (size_t)w;
		}
		if (o->perm) {
			w = snprintf(out + len, cap - len, "(%s)", o->perm);
			if (w > 0 && (size_t)w < cap - len)
				len += (size_t)w;
		}
	}
	if (!len)
		snprintf(out, cap, "-");
}

static json_t *fields_json(const struct field *fs)
{
	static const char *const type_name[] = {"", "string", "int", "bool", "enum", "object", "array", "date"};
	json_t *arr = json_array();
	for (const struct field *f = fs; f && f->name; f++) {
		json_t *j = json_pack("{s:s,s:s,s:b,s:b,s:I,s:I}", "name", f->name, "type",
				      f->type >= FT_STRING && f->type <= FT_DATE ? type_name[f->type] : "",
				      "required", (f->flags & FF_REQUIRED) != 0, "nullable",
				      (f->flags & FF_NULLABLE) != 0, "min", (json_int_t)f->min, "max",
				      (json_int_t)f->max);
		if (f->type == FT_CODE && f->values) {
			/* a code list: shown as an enum of its codes, naming the list */
			char words[512];
			const struct codeset *list = codeset_of(f->values);
			json_object_set_new(j, "type", json_string("enum"));
			json_object_set_new(j, "values", json_string(codeset_join(list, '|', words, sizeof(words))));
			json_object_set_new(j, "list", json_string(list->name));
		} else if (f->values) {
			json_object_set_new(j, "values", json_string(f->values));
		}
		json_array_append_new(arr, j);
	}
	return arr;
}

static json_t *route_json(const struct route *r)
{
	json_t *objs = json_array();
	for (int i = 0; i < ROUTE_OBJS && r->obj[i].kind; i++) {
		const struct route_obj *o = &r->obj[i];
		json_t *j = json_pack("{s:s}", "kind", api_obj_kind_name(o->kind));
		if (o->in)
			json_object_set_new(j, "in", json_string(where_name[o->in]));
		if (o->name)
			json_object_set_new(j, "name", json_string(o->name));
		const char *perm = o->perm ? o->perm : r->perm;
		json_object_set_new(j, "perm", perm ? json_string(perm) : json_null());
		json_t *flags = json_array();
		if (o->flags & OBJF_DEFAULT_SCOPE)
			json_array_append_new(flags, json_string("default_scope"));
		if (o->flags & OBJF_ROOT_SYSTEM)
			json_array_append_new(flags, json_string("root_system"));
		if (o->flags & OBJF_OPTIONAL)
			json_array_append_new(flags, json_string("optional"));
		json_object_set_new(j, "flags", flags);
		json_array_append_new(objs, j);
	}
	char opid[160];
	api_operation_id(r, opid, sizeof(opid));
	json_t *j = json_pack("{s:s,s:s,s:s,s:o,s:i,s:s,s:s,s:b,s:b,s:b}", "method", method_name(r->method),
			      "pattern", r->pattern, "operation_id", opid, "objects", objs, "status",
			      (int)r->status, "reply", r->reply ? r->reply : "", "summary",
			      r->summary ? r->summary : "", "auth", (r->flags & RF_AUTH) != 0, "csrf",
			      (r->flags & RF_CSRF) != 0, "raw", (r->flags & RF_RAW) != 0);
	json_object_set_new(j, "perm", r->perm ? json_string(r->perm) : json_null());
	json_object_set_new(j, "why", r->why ? json_string(r->why) : json_null());
	json_object_set_new(j, "query", fields_json(r->query));
	json_object_set_new(j, "body", r->body ? fields_json(r->body) : json_null());
	return j;
}

int cmd_routes(int argc, char **argv)
{
	bool as_json = argc == 2 && !strcmp(argv[1], "--json");
	if (argc > 2 || (argc == 2 && !as_json)) {
		usage("routes");
		return EXIT_USAGE;
	}
	if (as_json) {
		json_t *arr = json_array();
		for (size_t i = 0; i < api_routes_count; i++)
			json_array_append_new(arr, route_json(&api_routes[i]));
		char *s = json_dumps(arr, JSON_INDENT(1));
		json_decref(arr);
		if (!s)
			return 1;
		puts(s);
		free(s);
		return 0;
	}
	for (size_t i = 0; i < api_routes_count; i++) {
		const struct route *r = &api_routes[i];
		char objs[160];
		objects_text(r, objs, sizeof(objs));
		printf("%-6s %-52s %-44s %-10s %3u %s\n", method_name(r->method), r->pattern, objs,
		       r->perm ? r->perm : "-", r->status, r->summary);
	}
	return 0;
}

int cmd_openapi(int argc, char **argv)
{
	(void)argv;
	if (argc > 1) {
		usage("openapi");
		return EXIT_USAGE;
	}
	char why[256];
	/* the committed document carries no build-specific version */
	json_t *doc = api_openapi(KEXIE_API_VERSION, why, sizeof(why));
	if (!doc) {
		fprintf(stderr, "kexie openapi: %s\n", why);
		return 1;
	}
	char *s = json_dumps(doc, JSON_INDENT(2) | JSON_SORT_KEYS);
	json_decref(doc);
	if (!s)
		return 1;
	puts(s);
	free(s);
	return 0;
}
