/*
 * region.c (api) - administrative divisions over HTTP.
 */
#include "api/api.h"
#include "domain/region.h"

#include <stdlib.h>
#include <string.h>

static json_t *region_json(const struct region *g)
{
	return json_pack("{s:s,s:s,s:s?,s:i}", "code", g->code, "name", g->name, "parent_code",
			 g->parent[0] ? g->parent : NULL, "level", g->level);
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
	return resp_json(r, 200, region_json(&g));
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
		json_t *arr = json_array();
		for (int i = 0; i < n; i++)
			json_array_append_new(arr, region_json(&items[i]));
		rc = resp_json(r, 200, json_pack("{s:o,s:i}", "items", arr, "count", n));
	}
	free(items);
	return rc;
}
