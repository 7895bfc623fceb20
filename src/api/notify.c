/*
 * notify.c (api) - the caller's notifications (list, unread count, mark read) and the
 * outbound hook's deliveries for the system admin (list with every attempt, retry a dead
 * letter, the gateway test). A notification is its recipient's only: another account's id
 * answers the same 404 as one that does not exist.
 */
#include "api/api.h"
#include "base/jsonw.h"
#include "core/hook.h"
#include "core/notify.h"
#include "core/rbac.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void notification_json(struct jsonw *w, const struct notification *n)
{
	jsonw_object(w, NULL);
	jsonw_int(w, "id", n->id);
	jsonw_str(w, "kind", n->kind);
	jsonw_str(w, "title", n->title);
	jsonw_str(w, "body", n->body);
	jsonw_str(w, "link", n->link[0] ? n->link : NULL);
	jsonw_str(w, "source_kind", n->source_kind[0] ? n->source_kind : NULL);
	if (n->source_kind[0])
		jsonw_int(w, "source_id", n->source_id);
	else
		jsonw_null(w, "source_id");
	if (n->org_id) {
		jsonw_int(w, "org_id", n->org_id);
		jsonw_str(w, "role", n->role);
	} else {
		jsonw_null(w, "org_id");
		jsonw_null(w, "role");
	}
	api_time_or_null(w, "created_at", n->created_at);
	api_time_or_null(w, "read_at", n->read_at);
	jsonw_end(w);
}

struct sink {
	struct jsonw *w;
	int n;
};

static int add_notification(const struct notification *n, void *arg)
{
	struct sink *s = arg;
	notification_json(s->w, n);
	s->n++;
	return s->w->rc;
}

int api_me_notifications(struct req *r, void *ctx)
{
	struct api *api = ctx;
	const struct caller *c = req_user(r);
	int64_t limit = 50, after = 0, last = 0;
	req_query_int(r, "limit", &limit);
	const char *a = req_query(r, "after");
	if (a) {
		char *end;
		after = strtoll(a, &end, 10);
		if (*end || after <= 0)
			return errlist_add(req_errs(r), "after", "invalid",
					   "the next_after of the previous page");
	}
	const char *unread = req_query(r, "unread");
	struct jsonw w;
	api_items_begin(&w);
	struct sink s = {.w = &w};
	int rc = notify_list(api->app, c->user_id, unread && !strcmp(unread, "true"), after, (int)limit,
			     add_notification, &s, &last);
	char next[24];
	snprintf(next, sizeof(next), "%" PRId64, last);
	return api_items_end(r, &w, rc, "next_after", s.n == limit && last ? next : NULL);
}

int api_me_notification_count(struct req *r, void *ctx)
{
	struct api *api = ctx;
	const struct caller *c = req_user(r);
	int64_t n = 0;
	int rc = notify_unread(api->app, c->user_id, &n);
	if (rc)
		return rc;
	struct jsonw w;
	jsonw_init(&w);
	jsonw_object(&w, NULL);
	jsonw_int(&w, "unread", n);
	jsonw_end(&w);
	return jsonw_send(r, 200, &w);
}

int api_me_notification_read(struct req *r, void *ctx)
{
	struct api *api = ctx;
	const struct caller *c = req_user(r);
	struct audit_entry who = api_actor(r, api, "", 0);
	struct notification *n = malloc(sizeof(*n));
	if (!n)
		return ERR_NOMEM;
	int rc = notify_read(api->app, &who, c->user_id, req_param_int(r, "id"), n);
	if (rc) {
		free(n);
		return rc == ERR_NOTFOUND ? req_fail(r, rc, "no such notification") : rc;
	}
	struct jsonw w;
	jsonw_init(&w);
	notification_json(&w, n);
	free(n);
	return jsonw_send(r, 200, &w);
}

int api_me_notifications_read_all(struct req *r, void *ctx)
{
	struct api *api = ctx;
	const struct caller *c = req_user(r);
	struct audit_entry who = api_actor(r, api, "", 0);
	int64_t changed = 0;
	int rc = notify_read_all(api->app, &who, c->user_id, &changed);
	if (rc)
		return rc;
	struct jsonw w;
	jsonw_init(&w);
	jsonw_object(&w, NULL);
	jsonw_int(&w, "count", changed);
	jsonw_int(&w, "unread", 0);
	jsonw_end(&w);
	return jsonw_send(r, 200, &w);
}

/* ---- the outbound hook ---- */

struct delivery_sink {
	struct app *app;
	struct jsonw *w;
	int n;
};

static int add_attempt(const struct hook_attempt *t, void *arg)
{
	struct jsonw *w = arg;
	jsonw_object(w, NULL);
	jsonw_int(w, "attempt", t->attempt);
	api_time_or_null(w, "at", t->at);
	if (t->status)
		jsonw_int(w, "status", t->status);
	else
		jsonw_null(w, "status");
	jsonw_int(w, "duration_ms", t->duration_ms);
	jsonw_str(w, "error", t->error[0] ? t->error : NULL);
	jsonw_end(w);
	return w->rc;
}

static int delivery_json(struct app *a, struct jsonw *w, const struct hook_delivery *d)
{
	jsonw_object(w, NULL);
	jsonw_int(w, "id", d->id);
	jsonw_str(w, "event", d->event);
	jsonw_str(w, "url", d->url);
	jsonw_str(w, "title", d->title);
	jsonw_str(w, "state", d->state);
	jsonw_int(w, "attempts", d->attempts);
	if (d->last_status)
		jsonw_int(w, "last_status", d->last_status);
	else
		jsonw_null(w, "last_status");
	jsonw_str(w, "last_error", d->last_error[0] ? d->last_error : NULL);
	api_time_or_null(w, "created_at", d->created_at);
	api_time_or_null(w, "next_at", strcmp(d->state, "pending") ? 0 : d->next_at);
	api_time_or_null(w, "finished_at", d->finished_at);
	jsonw_array(w, "attempt_log");
	int rc = hook_attempts(a, d->id, add_attempt, w);
	jsonw_end(w);
	jsonw_end(w);
	return rc ? rc : w->rc;
}

static int add_delivery(const struct hook_delivery *d, void *arg)
{
	struct delivery_sink *s = arg;
	s->n++;
	return delivery_json(s->app, s->w, d);
}

int api_hook_deliveries(struct req *r, void *ctx)
{
	struct api *api = ctx;
	int64_t before = 0, limit = 50, last = 0;
	req_query_int(r, "before", &before);
	req_query_int(r, "limit", &limit);
	struct app *a = api_app(r, api);
	struct jsonw w;
	api_items_begin(&w);
	struct delivery_sink s = {.app = a, .w = &w};
	int rc = hook_list(a, req_query(r, "state"), before, (int)limit, add_delivery, &s, &last);
	if (rc) {
		jsonw_release(&w);
		return rc;
	}
	jsonw_end(&w);
	if (s.n == limit && last)
		jsonw_int(&w, "next_before", last);
	else
		jsonw_null(&w, "next_before");
	jsonw_end(&w);
	return jsonw_send(r, 200, &w);
}

int api_hook_retry(struct req *r, void *ctx)
{
	struct api *api = ctx;
	struct audit_entry who = api_actor_obj(r, api, 0);
	struct hook_delivery *d = malloc(sizeof(*d));
	if (!d)
		return ERR_NOMEM;
	int rc = hook_retry(api->app, &who, req_param_int(r, "id"), d);
	if (rc == ERR_NOTFOUND)
		rc = req_fail(r, rc, "no such delivery");
	else if (rc == ERR_CONFLICT) {
		errlist_add(req_errs(r), "state", "not_dead", "only a dead delivery can be retried");
		rc = req_fail(r, rc, "only a dead delivery can be retried");
	}
	if (rc) {
		free(d);
		return rc;
	}
	struct jsonw w;
	jsonw_init(&w);
	rc = delivery_json(api->app, &w, d);
	free(d);
	if (rc) {
		jsonw_release(&w);
		return rc;
	}
	return jsonw_send(r, 200, &w);
}

int api_hook_test(struct req *r, void *ctx)
{
	struct api *api = ctx;
	struct audit_entry who = api_actor_obj(r, api, 0);
	json_t *delay = json_object_get(req_json(r), "delay_s");
	int sent = 0, deliveries = 0;
	int64_t task = 0;
	int rc = hook_test(api->app, &who, delay ? (int)json_integer_value(delay) : 0, &sent, &deliveries,
			   &task);
	if (rc)
		return rc;
	struct jsonw w;
	jsonw_init(&w);
	jsonw_object(&w, NULL);
	jsonw_int(&w, "sent", sent);
	jsonw_int(&w, "deliveries", deliveries);
	if (task)
		jsonw_int(&w, "task_id", task);
	else
		jsonw_null(&w, "task_id");
	jsonw_end(&w);
	return jsonw_send(r, 200, &w);
}
