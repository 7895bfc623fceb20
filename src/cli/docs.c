/*
 * docs.c (cli) - `kexie routes` and `kexie openapi`: the route table, as text (one line per
 * route: method, pattern, what it acts on, permission, success status, summary), as JSON
 * (`kexie routes --json`: every row's declarations, from which the access matrix test is
 * generated), and as the OpenAPI document (docs/openapi.json is this output, checked by a
 * test).
 */
#include "cli/cli.h"
#include "api/api.h"
#include "base/jsonw.h"
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

static void fields_write(struct jsonw *w, const char *key, const struct field *fs)
{
	static const char *const type_name[] = {"",     "string", "int",   "bool",
						"enum", "object", "array", "date"};
	jsonw_array(w, key);
	for (const struct field *f = fs; f && f->name; f++) {
		bool code = f->type == FT_CODE && f->values;
		jsonw_object(w, NULL);
		jsonw_str(w, "name", f->name);
		/* a code list: shown as an enum of its codes, naming the list */
		jsonw_str(w, "type",
			  code                                         ? "enum"
			  : f->type >= FT_STRING && f->type <= FT_DATE ? type_name[f->type]
								       : "");
		jsonw_bool(w, "required", (f->flags & FF_REQUIRED) != 0);
		jsonw_bool(w, "nullable", (f->flags & FF_NULLABLE) != 0);
		jsonw_int(w, "min", f->min);
		jsonw_int(w, "max", f->max);
		if (code) {
			char words[512];
			const struct codeset *list = codeset_of(f->values);
			jsonw_str(w, "values", codeset_join(list, '|', words, sizeof(words)));
			jsonw_str(w, "list", list->name);
		} else if (f->values) {
			jsonw_str(w, "values", f->values);
		}
		jsonw_end(w);
	}
	jsonw_end(w);
}

static void route_write(struct jsonw *w, const struct route *r)
{
	jsonw_object(w, NULL);
	jsonw_str(w, "method", method_name(r->method));
	jsonw_str(w, "pattern", r->pattern);
	char opid[160];
	api_operation_id(r, opid, sizeof(opid));
	jsonw_str(w, "operation_id", opid);
	jsonw_array(w, "objects");
	for (int i = 0; i < ROUTE_OBJS && r->obj[i].kind; i++) {
		const struct route_obj *o = &r->obj[i];
		jsonw_object(w, NULL);
		jsonw_str(w, "kind", api_obj_kind_name(o->kind));
		if (o->in)
			jsonw_str(w, "in", where_name[o->in]);
		if (o->name)
			jsonw_str(w, "name", o->name);
		jsonw_str(w, "perm", o->perm ? o->perm : r->perm);
		jsonw_array(w, "flags");
		if (o->flags & OBJF_DEFAULT_SCOPE)
			jsonw_str(w, NULL, "default_scope");
		if (o->flags & OBJF_ROOT_SYSTEM)
			jsonw_str(w, NULL, "root_system");
		if (o->flags & OBJF_OPTIONAL)
			jsonw_str(w, NULL, "optional");
		jsonw_end(w);
		jsonw_end(w);
	}
	jsonw_end(w);
	jsonw_int(w, "status", (int)r->status);
	jsonw_str(w, "reply", r->reply ? r->reply : "");
	jsonw_str(w, "summary", r->summary ? r->summary : "");
	jsonw_bool(w, "auth", (r->flags & RF_AUTH) != 0);
	jsonw_bool(w, "csrf", (r->flags & RF_CSRF) != 0);
	jsonw_bool(w, "raw", (r->flags & RF_RAW) != 0);
	jsonw_str(w, "perm", r->perm);
	jsonw_str(w, "why", r->why);
	fields_write(w, "query", r->query);
	if (r->body)
		fields_write(w, "body", r->body);
	else
		jsonw_null(w, "body");
	jsonw_end(w);
}

int cmd_routes(struct cmd_ctx *x)
{
	int argc = x->argc;
	char **argv = x->argv;
	bool as_json = argc == 2 && !strcmp(argv[1], "--json");
	if (argc > 2 || (argc == 2 && !as_json)) {
		usage("routes");
		return EXIT_USAGE;
	}
	if (as_json) {
		struct jsonw w;
		jsonw_init(&w);
		jsonw_array(&w, NULL);
		for (size_t i = 0; i < api_routes_count; i++)
			route_write(&w, &api_routes[i]);
		jsonw_end(&w);
		int rc = jsonw_result(&w);
		if (!rc)
			puts(jsonw_text(&w, NULL));
		jsonw_release(&w);
		return rc ? 1 : 0;
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

int cmd_openapi(struct cmd_ctx *x)
{
	if (x->argc > 1) {
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
