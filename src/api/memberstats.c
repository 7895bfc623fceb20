/*
 * memberstats.c (api) - GET /api/v1/members/stats: the register's figures for a subtree
 * (domain/memberstats.h), as {key: count} objects and month rows for the charts.
 */
#include "api/api.h"
#include "base/jsonw.h"
#include "domain/memberstats.h"

#include <stdlib.h>

static void counts(struct jsonw *w, const char *key, const struct member_tally *t)
{
	jsonw_object(w, key);
	for (int i = 0; i < t->n; i++)
		jsonw_int(w, t->item[i].key[0] ? t->item[i].key : "none", t->item[i].count);
	jsonw_end(w);
}

static void months(struct jsonw *w, const char *key, const struct member_tally *t, const char *a,
		   const char *b)
{
	jsonw_array(w, key);
	for (int i = 0; i < t->n; i++) {
		jsonw_object(w, NULL);
		jsonw_str(w, "month", t->item[i].key);
		jsonw_int(w, a, t->item[i].count);
		jsonw_int(w, b, t->item[i].amount);
		jsonw_end(w);
	}
	jsonw_end(w);
}

int api_member_stats(struct req *r, void *ctx)
{
	struct api *api = ctx;
	struct member_stats *s = malloc(sizeof(*s));
	if (!s)
		return ERR_NOMEM;
	int rc = member_stats(api_app(r, api), api_obj(r, 0)->id, s);
	if (rc) {
		free(s);
		return rc;
	}
	struct jsonw w;
	jsonw_init(&w);
	jsonw_object(&w, NULL);
	jsonw_int(&w, "people", s->people);
	counts(&w, "by_gender", &s->by_gender);
	counts(&w, "by_age", &s->by_age);
	counts(&w, "by_title_level", &s->by_title_level);
	counts(&w, "by_education", &s->by_education);
	counts(&w, "by_political", &s->by_political);
	counts(&w, "by_category", &s->by_category);
	counts(&w, "by_status", &s->by_status);
	months(&w, "growth", &s->growth, "joined", "left");
	months(&w, "dues", &s->dues, "payments", "amount_cents");
	jsonw_object(&w, "coverage");
	jsonw_int(&w, "orgs", s->orgs);
	jsonw_int(&w, "covered", s->orgs_covered);
	jsonw_end(&w);
	jsonw_end(&w);
	free(s);
	return jsonw_send(r, 200, &w);
}
