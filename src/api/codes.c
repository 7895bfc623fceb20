/*
 * codes.c (api) - the code lists for the web app (GET /api/v1/codes): every list of
 * core/codelist.c with its codes and Chinese and English labels, in display order. The
 * web app loads them once per sign-in and shows codes as words.
 */
#include "api/api.h"
#include "core/codelist.h"
#include "http/jsonw.h"

int api_codes(struct req *r, void *ctx)
{
	(void)ctx;
	size_t n;
	const struct codeset *const *lists = codelist_all(&n);
	struct jsonw w;
	jsonw_init(&w);
	jsonw_object(&w, NULL);
	jsonw_object(&w, "lists");
	for (size_t i = 0; i < n; i++) {
		jsonw_array(&w, lists[i]->name);
		for (size_t k = 0; k < lists[i]->n; k++) {
			const struct code_item *it = &lists[i]->items[k];
			jsonw_object(&w, NULL);
			jsonw_str(&w, "code", it->code);
			jsonw_str(&w, "zh", it->zh);
			jsonw_str(&w, "en", it->en);
			jsonw_end(&w);
		}
		jsonw_end(&w);
	}
	jsonw_end(&w);
	jsonw_end(&w);
	return jsonw_send(r, 200, &w);
}
