/*
 * workbench.c (api) - the workbench's to-do list (GET /api/v1/todo): every source of
 * core/todo.c run for the caller, titles in the caller's language.
 */
#include "api/api.h"
#include "api/auditview.h"
#include "base/jsonw.h"
#include "core/todo.h"
#include "domain/registration.h"

#include <stdlib.h>

int api_todo(struct req *r, void *ctx)
{
	struct api *api = ctx;
	struct todo_list *l = malloc(sizeof(*l));
	if (!l)
		return ERR_NOMEM;
	/* the feature modules' sources (core/todo.c has the platform's) */
	static const todo_source_fn features[] = {registration_todo};
	int rc = todo_collect(api_app(r, api), req_user(r), features, sizeof(features) / sizeof(features[0]),
			      l);
	if (rc) {
		free(l);
		return rc;
	}
	bool en = api_lang_en(r);
	struct jsonw w;
	jsonw_init(&w);
	jsonw_object(&w, NULL);
	jsonw_array(&w, "items");
	for (int i = 0; i < l->n; i++) {
		const struct todo_item *it = &l->items[i];
		jsonw_object(&w, NULL);
		jsonw_str(&w, "kind", it->kind);
		jsonw_int(&w, "count", it->count);
		jsonw_str(&w, "title", en ? it->title_en : it->title_zh);
		jsonw_str(&w, "link", it->link);
		jsonw_end(&w);
	}
	jsonw_end(&w);
	jsonw_end(&w);
	free(l);
	return jsonw_send(r, 200, &w);
}
