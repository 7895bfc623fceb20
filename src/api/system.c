/*
 * system.c (api) - health, metrics, about and the OpenAPI document. Answers are written
 * with base/jsonw.h; the OpenAPI document alone is a jansson tree (docs/architecture.md).
 */
#include "api/api.h"
#include "core/system.h"
#include "store/store.h"
#include "base/jsonw.h"
#include "base/log.h"

#include <stdio.h>
#include <string.h>

int api_health(struct req *r, void *ctx)
{
	struct api *api = ctx;
	struct health h;
	int rc = system_health(api_app(r, api), &h);
	struct jsonw w;
	jsonw_init(&w);
	jsonw_object(&w, NULL);
	jsonw_str(&w, "status", rc ? "unavailable" : "ok");
	jsonw_str(&w, "database", h.db_kind);
	jsonw_bool(&w, "database_ok", h.db_ok);
	jsonw_int(&w, "schema_version", h.schema_version);
	jsonw_int(&w, "schema_expected", h.schema_expected);
	jsonw_end(&w);
	return jsonw_send(r, rc ? 503 : 200, &w);
}

int api_about(struct req *r, void *ctx)
{
	struct api *api = ctx;
	struct health h;
	system_health(api_app(r, api), &h);
	struct jsonw w;
	jsonw_init(&w);
	jsonw_object(&w, NULL);
	jsonw_str(&w, "name", "kexie");
	jsonw_str(&w, "version", api_app(r, api)->version);
	jsonw_str(&w, "database", h.db_kind);
	jsonw_bool(&w, "database_ok", h.db_ok);
	jsonw_bool(&w, "read_replica", h.replica);
	jsonw_int(&w, "schema_version", h.schema_version);
	jsonw_int(&w, "uptime_s", h.uptime_s);
	jsonw_end(&w);
	return jsonw_send(r, 200, &w);
}

int api_metrics(struct req *r, void *ctx)
{
	struct api *api = ctx;
	struct buf out;
	buf_init(&out, 4u << 20);
	struct store_stats st;
	store_stats(api_app(r, api)->store, &st);
	int rc = server_metrics(api->srv, &out);
	if (!rc)
		rc = buf_printf(
			&out,
			"# HELP kexie_db_connections Database connections by pool and state.\n"
			"# TYPE kexie_db_connections gauge\n"
			"kexie_db_connections{pool=\"write\",state=\"size\"} %d\n"
			"kexie_db_connections{pool=\"write\",state=\"in_use\"} %d\n"
			"kexie_db_connections{pool=\"read\",state=\"size\"} %d\n"
			"kexie_db_connections{pool=\"read\",state=\"in_use\"} %d\n"
			"# HELP kexie_db_pool_waits_total Acquisitions that waited for a connection.\n"
			"# TYPE kexie_db_pool_waits_total counter\n"
			"kexie_db_pool_waits_total %llu\n"
			"# HELP kexie_build_info Build information.\n"
			"# TYPE kexie_build_info gauge\n"
			"kexie_build_info{version=\"%s\",database=\"%s\"} 1\n",
			st.write_size, st.write_in_use, st.read_size, st.read_in_use,
			(unsigned long long)st.waits, api_app(r, api)->version,
			store_kind_name(api_app(r, api)->store));
	if (!rc)
		rc = resp_raw(r, 200, "text/plain; version=0.0.4; charset=utf-8", out.ptr, out.len);
	buf_release(&out);
	return rc;
}

int api_openapi_get(struct req *r, void *ctx)
{
	struct api *api = ctx;
	char why[256];
	json_t *doc = api_openapi(api_app(r, api)->version, why, sizeof(why));
	if (!doc)
		return ERR_INTERNAL;
	/* the one answer built as a jansson tree (docs/architecture.md: the OpenAPI document
	 * is assembled from the route table and merged with hand-written parts) */
	char *text = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	if (!text)
		return ERR_NOMEM;
	return resp_take(r, 200, "application/json", text, strlen(text));
}

/* Copies at most cap-1 bytes of s into out, turning control characters into spaces so a
 * client cannot forge log lines, and never splitting a UTF-8 character. */
static void log_safe(const char *s, char *out, size_t cap)
{
	str_copy(out, cap, s ? s : "");
	for (char *p = out; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
}

int api_client_error(struct req *r, void *ctx)
{
	(void)ctx;
	json_t *b = req_json(r);
	char msg[301], src[121], route[121];
	log_safe(api_str(b, "message"), msg, sizeof(msg));
	log_safe(api_str(b, "source"), src, sizeof(src));
	log_safe(api_str(b, "route"), route, sizeof(route));
	log_warn("client-error rid=%s route=\"%s\" source=\"%s\" line=%lld message=\"%s\"", req_id(r), route,
		 src, (long long)json_integer_value(json_object_get(b, "line")), msg);
	struct jsonw w;
	jsonw_init(&w);
	jsonw_object(&w, NULL);
	jsonw_bool(&w, "accepted", true);
	jsonw_end(&w);
	return jsonw_send(r, 202, &w);
}
