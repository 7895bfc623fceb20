/*
 * region.c (api) - administrative divisions over HTTP.
 */
#include "api/api.h"
#include "base/jsonw.h"
#include "domain/region.h"

#include <stdlib.h>
#include <string.h>

/* One region as an object member of the writer's current array (key NULL) or object. */
static void region_json(struct jsonw *w, const char *key, const struct region *g)
{
	jsonw_object(w, key);
	jsonw_str(w, "code", g->code);
	jsonw_str(w, "name", g->name);
	jsonw_str(w, "parent_code", g->parent[0] ? g->parent : NULL);
	jsonw_int(w, "level", g->level);
	jsonw_end(w);
}

int api_region_get(struct req *r, void *ctx)
{
	struct api *api = ctx;
	struct region g;
	int rc = region_get(api_app(r, api), req_param_str(r, "code"), &g);
	if (rc == ERR_NOTFOUND)
		return req_fail(r, rc, "no region with this code");
	if (rc)
		return rc;
	struct jsonw w;
	jsonw_init(&w);
	region_json(&w, NULL, &g);
	return jsonw_send(r, 200, &w);
}

int api_region_list(struct req *r, void *ctx)
{
	struct api *api = ctx;
	int64_t limit = 200;
	req_query_int(r, "limit", &limit);
	const char *sort = req_query(r, "sort");
	const char *parent = req_query(r, "parent");
	enum region_sort by = sort && strstr(sort, "name") ? REGION_SORT_NAME : REGION_SORT_CODE;
	int desc = sort && sort[0] == '-';
	struct region *items = calloc((size_t)limit, sizeof(*items));
	if (!items)
		return ERR_NOMEM;
	int n = 0;
	int rc = region_children(api_app(r, api), parent, by, desc, items, (int)limit, &n);
	if (rc == ERR_NOTFOUND) {
		errlist_add(req_errs(r), "parent", "not_found", "no region with this code");
		rc = req_fail(r, rc, "no region with this code");
	}
	if (!rc) {
		struct jsonw w;
		jsonw_init(&w);
		jsonw_object(&w, NULL);
		jsonw_array(&w, "items");
		for (int i = 0; i < n; i++)
			region_json(&w, NULL, &items[i]);
		jsonw_end(&w);
		jsonw_int(&w, "count", n);
		jsonw_end(&w);
		rc = jsonw_send(r, 200, &w);
	}
	free(items);
	return rc;
}
