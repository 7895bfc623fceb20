/*
 * workbench.c (api) - the workbench's to-do list (GET /api/v1/todo): every source of
 * core/todo.c run for the caller, titles in the caller's language.
 */
#include "api/api.h"
#include "api/auditview.h"
#include "core/todo.h"

#include <stdlib.h>

int api_todo(struct req *r, void *ctx)
{
	struct api *api = ctx;
	struct todo_list *l = malloc(sizeof(*l));
	if (!l)
		return ERR_NOMEM;
	int rc = todo_collect(api_app(r, api), req_user(r), l);
	if (rc) {
		free(l);
		return rc;
	}
	bool en = api_lang_en(r);
	json_t *items = json_array();
	for (int i = 0; i < l->n; i++) {
		const struct todo_item *it = &l->items[i];
		json_array_append_new(items, json_pack("{s:s,s:I,s:s,s:s}", "kind", it->kind, "count",
						       (json_int_t)it->count, "title",
						       en ? it->title_en : it->title_zh, "link", it->link));
	}
	free(l);
	return resp_json(r, 200, json_pack("{s:o}", "items", items));
}
