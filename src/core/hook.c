/*
 * hook.c - the outbound hook (see hook.h): signing, back-off, the delivery worker over
 * libcurl, the dead-letter list and retry, the gateway test and the module's scheduled
 * kinds.
 */
#include "core/hook.h"
#include "core/notify.h"
#include "core/schedule.h"
#include "base/log.h"
#include "base/ticker.h"
#include "base/timeutil.h"
#include "store/store.h"

#include <curl/curl.h>
#include <sodium.h>

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void hook_sign(const unsigned char *secret, size_t secret_len, int64_t ts, const char *body, size_t body_len,
	       char *out, size_t cap)
{
	char prefix[32];
	int n = snprintf(prefix, sizeof(prefix), "%" PRId64 ".", ts);
	crypto_auth_hmacsha256_state st;
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256_init(&st, secret, secret_len);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)prefix, (unsigned long long)n);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, (unsigned long long)body_len);
	crypto_auth_hmacsha256_final(&st, mac);
	char hex[2 * sizeof(mac) + 1];
	sodium_bin2hex(hex, sizeof(hex), mac, sizeof(mac));
	snprintf(out, cap, "sha256=%s", hex);
	sodium_memzero(&st, sizeof(st));
}

int64_t hook_backoff(const int *backoff, int n, int attempt, double jitter)
{
	if (attempt < 1 || attempt > n)
		return -1;
	int64_t s = (int64_t)((double)backoff[attempt - 1] * jitter + 0.5);
	return s < 1 ? 1 : s;
}

int hook_backoff_parse(const char *text, int *out, int *n)
{
	*n = 0;
	const char *p = text;
	while (*p) {
		char *end;
		long v = strtol(p, &end, 10);
		if (end == p || v < 1 || v > 604800 || *n >= HOOK_BACKOFF_MAX || (*end && *end != ','))
			return ERR_INVALID;
		out[(*n)++] = (int)v;
		p = *end ? end + 1 : end;
		if (*end && !*p)
			return ERR_INVALID; /* a trailing comma */
	}
	return *n ? 0 : ERR_INVALID;
}

bool hook_url_ok(const char *url)
{
	const char *rest;
	if (!strncmp(url, "http://", 7))
		rest = url + 7;
	else if (!strncmp(url, "https://", 8))
		rest = url + 8;
	else
		return false;
	if (!*rest || *rest == '/' || strlen(url) >= 512)
		return false;
	for (const char *p = url; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			return false;
	return true;
}

/* ---- the list, the attempts, a retry ---- */

#define DELIVERY_COLS \
	"id, event, url, title, state, attempts, last_status, last_error, created_at, next_at, finished_at"

static void delivery_row(struct stmt *st, struct hook_delivery *d)
{
	memset(d, 0, sizeof(*d));
	d->id = stmt_int64(st, 0);
	char *dst[] = {d->event, d->url, d->title, d->state};
	size_t cap[] = {sizeof(d->event), sizeof(d->url), sizeof(d->title), sizeof(d->state)};
	for (int i = 0; i < 4; i++) {
		size_t len;
		const char *s = stmt_text(st, i + 1, &len);
		snprintf(dst[i], cap[i], "%.*s", (int)len, s);
	}
	d->attempts = (int)stmt_int64(st, 5);
	d->last_status = (int)stmt_int64(st, 6);
	size_t len;
	const char *e = stmt_text(st, 7, &len);
	snprintf(d->last_error, sizeof(d->last_error), "%.*s", (int)len, e);
	d->created_at = stmt_int64(st, 8);
	d->next_at = stmt_int64(st, 9);
	d->finished_at = stmt_isnull(st, 10) ? 0 : stmt_int64(st, 10);
}

struct list_walk {
	int (*fn)(const struct hook_delivery *d, void *arg);
	void *arg;
	int64_t last;
	struct hook_delivery d;
};

static int list_row(struct stmt *st, void *arg)
{
	struct list_walk *x = arg;
	delivery_row(st, &x->d);
	x->last = x->d.id;
	return x->fn ? x->fn(&x->d, x->arg) : 1;
}

int hook_list(struct app *a, const char *state, int64_t before, int limit,
	      int (*fn)(const struct hook_delivery *d, void *arg), void *arg, int64_t *last)
{
	*last = 0;
	struct list_walk *x = calloc(1, sizeof(*x));
	if (!x)
		return ERR_NOMEM;
	x->fn = fn;
	x->arg = arg;
	struct conn *c = NULL;
	int rc = store_acquire(a->store, STORE_READ, &c);
	if (!rc)
		rc = conn_each(c,
			       "SELECT " DELIVERY_COLS " FROM hook_delivery WHERE ($1 = '' OR state = $1) "
			       "AND ($2 = 0 OR id < $2) ORDER BY id DESC LIMIT $3",
			       list_row, x, "tid", state ? state : "", before, limit);
	store_release(c);
	*last = rc ? 0 : x->last;
	free(x);
	return rc;
}

struct attempt_walk {
	int (*fn)(const struct hook_attempt *t, void *arg);
	void *arg;
};

static int attempt_row(struct stmt *st, void *arg)
{
	struct attempt_walk *x = arg;
	struct hook_attempt t = {.attempt = (int)stmt_int64(st, 0),
				 .at = stmt_int64(st, 1),
				 .status = (int)stmt_int64(st, 2),
				 .duration_ms = stmt_int64(st, 3)};
	size_t len;
	const char *e = stmt_text(st, 4, &len);
	snprintf(t.error, sizeof(t.error), "%.*s", (int)len, e);
	return x->fn(&t, x->arg);
}

int hook_attempts(struct app *a, int64_t id, int (*fn)(const struct hook_attempt *t, void *arg), void *arg)
{
	struct attempt_walk x = {.fn = fn, .arg = arg};
	struct conn *c = NULL;
	int rc = store_acquire(a->store, STORE_READ, &c);
	if (!rc)
		rc = conn_each(c,
			       "SELECT attempt, at, status, duration_ms, error FROM hook_attempt "
			       "WHERE delivery_id = $1 ORDER BY attempt",
			       attempt_row, &x, "i", id);
	store_release(c);
	return rc;
}

struct retry_call {
	const struct audit_entry *who;
	int64_t id;
	struct hook_delivery *out;
};

static int retry_tx(struct conn *c, void *arg)
{
	struct retry_call *x = arg;
	struct list_walk w = {0};
	int rc = conn_each(c, "SELECT " DELIVERY_COLS " FROM hook_delivery WHERE id = $1", list_row, &w, "i",
			   x->id);
	if (rc)
		return rc;
	if (!w.last)
		return ERR_NOTFOUND;
	if (strcmp(w.d.state, "dead"))
		return ERR_CONFLICT;
	int64_t now = time_unix();
	int n = conn_run(
		c,
		"UPDATE hook_delivery SET state = 'pending', last_chance = 1, next_at = $2, lease_until = 0, "
		"finished_at = NULL WHERE id = $1 AND state = 'dead'",
		"ii", x->id, now);
	if (n < 0)
		return n;
	rc = audit_object(c, x->who, "hook.retry", "hook_delivery", x->id, 0, NULL);
	if (rc)
		return rc;
	w.last = 0;
	rc = conn_each(c, "SELECT " DELIVERY_COLS " FROM hook_delivery WHERE id = $1", list_row, &w, "i",
		       x->id);
	if (!rc && x->out)
		*x->out = w.d;
	return rc;
}

int hook_retry(struct app *a, const struct audit_entry *who, int64_t id, struct hook_delivery *out)
{
	struct retry_call x = {.who = who, .id = id, .out = out};
	return store_tx(a->store, retry_tx, &x);
}

/* ---- the gateway test and the scheduled kinds ---- */

static int send_test(struct conn *c, int64_t account, int *sent)
{
	struct notify_msg m = {.kind = "hook_test",
			       .title = "外发通知网关测试 (gateway test)",
			       .body = "这是一条测试消息：站内消息和外发通知网关工作正常。\n"
				       "A test message: in-app notifications and the outbound hook work.",
			       .link = "/notifications",
			       .source_kind = "hook_test",
			       .source_id = account};
	struct notify_to to = {.account_id = account};
	return notify_send(c, &m, &to, 1, sent);
}

struct test_call {
	const struct audit_entry *who;
	int delay_s, sent, deliveries;
	int64_t task;
};

static int test_tx(struct conn *c, void *arg)
{
	struct test_call *x = arg;
	int64_t now = time_unix();
	int rc;
	x->task = 0;
	x->sent = 0;
	if (x->delay_s > 0) {
		char key[96], acc[24];
		unsigned char r[8];
		char hex[17];
		randombytes_buf(r, sizeof(r));
		sodium_bin2hex(hex, sizeof(hex), r, sizeof(r));
		snprintf(key, sizeof(key), "hook.test:%" PRId64 ":%" PRId64 ":%s", x->who->user_id, now, hex);
		snprintf(acc, sizeof(acc), "%" PRId64, x->who->user_id);
		rc = schedule_at(c, "hook.test", key, acc, now + x->delay_s, NULL);
		if (!rc)
			rc = conn_row(c, "SELECT id FROM scheduled_task WHERE task_key = $1", "t", "i", key,
				      &x->task);
	} else {
		rc = send_test(c, x->who->user_id, &x->sent);
	}
	if (rc)
		return rc;
	char detail[64];
	snprintf(detail, sizeof(detail), "{\"deliveries\":%d}", x->deliveries);
	return audit_object(c, x->who, "hook.test", "user", x->who->user_id, 0, detail);
}

int hook_test(struct app *a, const struct audit_entry *who, int delay_s, int *sent, int *deliveries,
	      int64_t *task)
{
	struct test_call x = {
		.who = who, .delay_s = delay_s, .deliveries = (int)notify_hook_targets(a, "hook_test")};
	int rc = store_tx(a->store, test_tx, &x);
	*sent = rc ? 0 : x.sent;
	*deliveries = rc ? 0 : x.deliveries;
	*task = rc ? 0 : x.task;
	return rc;
}

static int run_hook_test(struct conn *c, const struct schedule_task *t)
{
	char *end;
	long long account = strtoll(t->arg, &end, 10);
	if (*end || account <= 0)
		return ERR_INVALID;
	return send_test(c, account, NULL);
}
const struct schedule_kind hook_test_task = {.name = "hook.test", .run = run_hook_test, .max_attempts = 3};

static int run_prune(struct conn *c, const struct schedule_task *t)
{
	(void)t;
	int64_t now = time_unix(), removed = 0;
	int rc = notify_prune(c, now - 180 * 86400, now - 30 * 86400, &removed);
	if (!rc && removed)
		log_info("housekeeping: %" PRId64 " old notifications and hook deliveries removed", removed);
	return rc;
}
const struct schedule_kind notify_prune_task = {.name = "notify.prune", .run = run_prune, .max_attempts = 5};

static int housekeeping_tx(struct conn *c, void *arg)
{
	(void)arg;
	return schedule_every(c, "notify.prune", "notify.prune", "", "daily 03:30", time_unix(), NULL);
}

int hook_schedule_housekeeping(struct app *a)
{
	return store_tx(a->store, housekeeping_tx, NULL);
}

/* ---- the worker ---- */

struct hook_worker {
	struct app *app;
	unsigned char secret[HOOK_SECRET_MAX];
	size_t secret_len;
	int backoff[HOOK_BACKOFF_MAX];
	int nbackoff;
	struct ticker *ticker;
};

/* A leased delivery: what the POST needs. */
struct leased {
	int64_t id;
	int attempts;
	bool last_chance;
	char event[48], url[512];
	char *body;
	size_t body_len;
};

struct lease_call {
	int64_t id, now;
	struct leased *l;
	bool got;
};

static int lease_body(struct stmt *st, void *arg)
{
	struct leased *l = arg;
	size_t len;
	const char *s = stmt_text(st, 0, &len);
	l->body = malloc(len + 1);
	if (!l->body)
		return ERR_NOMEM;
	memcpy(l->body, s, len);
	l->body[len] = '\0';
	l->body_len = len;
	return 1;
}

static int lease_tx(struct conn *c, void *arg)
{
	struct lease_call *x = arg;
	x->got = false;
	int n = conn_run(c,
			 "UPDATE hook_delivery SET lease_until = $3 WHERE id = $1 AND state = 'pending' "
			 "AND next_at <= $2 AND lease_until < $2",
			 "iii", x->id, x->now, x->now + HOOK_LEASE_S);
	if (n <= 0)
		return n;
	struct leased *l = x->l;
	l->id = x->id;
	int rc = conn_row(c, "SELECT event, url, attempts, last_chance FROM hook_delivery WHERE id = $1", "i",
			  "ttdb", x->id, l->event, sizeof(l->event), l->url, sizeof(l->url), &l->attempts,
			  &l->last_chance);
	free(l->body);
	l->body = NULL;
	if (!rc)
		rc = conn_each(c, "SELECT body FROM hook_delivery WHERE id = $1", lease_body, l, "i", x->id);
	if (!rc && !l->body)
		rc = ERR_NOTFOUND;
	x->got = !rc;
	return rc;
}

static size_t discard(char *p, size_t size, size_t n, void *arg)
{
	(void)p;
	(void)arg;
	return size * n;
}

struct outcome {
	long status;
	int64_t duration_ms;
	char error[256];
};

/* One POST of a leased delivery (no transaction is open). */
static void post(const struct hook_worker *w, const struct leased *l, struct outcome *o)
{
	memset(o, 0, sizeof(*o));
	if (!hook_url_ok(l->url)) {
		snprintf(o->error, sizeof(o->error), "not an http or https URL");
		return;
	}
	int64_t ts = time_unix();
	char sig[80], h_sig[100], h_ts[48], h_event[80], h_id[48];
	hook_sign(w->secret, w->secret_len, ts, l->body, l->body_len, sig, sizeof(sig));
	snprintf(h_sig, sizeof(h_sig), "X-Kexie-Signature: %s", sig);
	snprintf(h_ts, sizeof(h_ts), "X-Kexie-Timestamp: %" PRId64, ts);
	snprintf(h_event, sizeof(h_event), "X-Kexie-Event: %s", l->event);
	snprintf(h_id, sizeof(h_id), "X-Kexie-Delivery: %" PRId64, l->id);
	CURL *h = curl_easy_init();
	struct curl_slist *hdr = NULL;
	const char *lines[] = {"Content-Type: application/json", h_event, h_id, h_ts, h_sig, "Expect:"};
	for (size_t i = 0; h && i < sizeof(lines) / sizeof(lines[0]); i++) {
		struct curl_slist *n = curl_slist_append(hdr, lines[i]);
		if (!n)
			break;
		hdr = n;
	}
	if (!h || !hdr) {
		snprintf(o->error, sizeof(o->error), "out of memory");
		goto done;
	}
	curl_easy_setopt(h, CURLOPT_URL, l->url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, (long)HOOK_CONNECT_S);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, (long)HOOK_TOTAL_S);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "kexie-hook/1");
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, l->body);
	curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)l->body_len);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
	uint64_t t0 = time_mono_ns();
	CURLcode cc = curl_easy_perform(h);
	o->duration_ms = (int64_t)((time_mono_ns() - t0) / 1000000u);
	if (cc != CURLE_OK) {
		snprintf(o->error, sizeof(o->error), "%s", curl_easy_strerror(cc));
		goto done;
	}
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &o->status);
	if (o->status < 200 || o->status > 299)
		snprintf(o->error, sizeof(o->error),
			 o->status >= 300 && o->status < 400 ? "HTTP %ld: a redirect (not followed)"
							     : "HTTP %ld",
			 o->status);
done:
	curl_slist_free_all(hdr);
	if (h)
		curl_easy_cleanup(h);
}

struct record_call {
	const struct hook_worker *w;
	const struct leased *l;
	const struct outcome *o;
	int64_t at;
};

static int record_tx(struct conn *c, void *arg)
{
	struct record_call *x = arg;
	int attempts = 0;
	int rc = conn_row(c, "SELECT attempts FROM hook_delivery WHERE id = $1", "i", "d", x->l->id,
			  &attempts);
	if (rc)
		return rc;
	attempts++;
	int n = conn_run(c,
			 "INSERT INTO hook_attempt (delivery_id, attempt, at, status, duration_ms, error) "
			 "VALUES ($1, $2, $3, $4, $5, $6)",
			 "idiiit", x->l->id, attempts, x->at, (int64_t)x->o->status, x->o->duration_ms,
			 x->o->error);
	if (n < 0)
		return n;
	bool ok = !x->o->error[0];
	double jitter = 0.9 + (double)randombytes_uniform(2001) / 10000.0;
	int64_t wait = x->l->last_chance ? -1 : hook_backoff(x->w->backoff, x->w->nbackoff, attempts, jitter);
	const char *state = ok ? "delivered" : wait < 0 ? "dead" : "pending";
	int64_t now = time_unix();
	n = conn_run(c,
		     "UPDATE hook_delivery SET attempts = $2, last_status = $3, last_error = $4, state = $5, "
		     "next_at = $6, lease_until = 0, last_chance = 0, "
		     "finished_at = NULLIF(CAST($7 AS BIGINT), 0) WHERE id = $1",
		     "idittii", x->l->id, attempts, (int64_t)x->o->status, x->o->error, state,
		     wait > 0 ? now + wait : now, strcmp(state, "pending") ? now : (int64_t)0);
	return n < 0 ? n : 0;
}

struct due_ids {
	int64_t id[HOOK_BATCH];
	int n;
};

static int due_row(struct stmt *st, void *arg)
{
	struct due_ids *d = arg;
	d->id[d->n++] = stmt_int64(st, 0);
	return d->n >= HOOK_BATCH ? 1 : 0;
}

int hook_deliver_due(struct hook_worker *w, int *done)
{
	*done = 0;
	int64_t now = time_unix();
	struct due_ids d = {.n = 0};
	struct conn *c = NULL;
	int rc = store_acquire(w->app->store, STORE_READ, &c);
	if (!rc)
		rc = conn_each(c,
			       "SELECT id FROM hook_delivery WHERE state = 'pending' AND next_at <= $1 "
			       "AND lease_until < $1 ORDER BY next_at, id LIMIT $2",
			       due_row, &d, "id", now, (int)HOOK_BATCH);
	store_release(c);
	struct leased l = {0};
	for (int i = 0; !rc && i < d.n; i++) {
		if (w->ticker && ticker_stopping(w->ticker))
			break;
		struct lease_call lc = {.id = d.id[i], .now = time_unix(), .l = &l};
		rc = store_tx(w->app->store, lease_tx, &lc);
		if (rc || !lc.got)
			continue;
		struct outcome o;
		int64_t at = time_unix();
		post(w, &l, &o);
		struct record_call x = {.w = w, .l = &l, .o = &o, .at = at};
		rc = store_tx(w->app->store, record_tx, &x);
		if (rc)
			log_warn("hook: delivery %" PRId64
				 ": the attempt could not be recorded (%s); it is sent "
				 "again when its lease ends",
				 l.id, err_name(rc));
		else
			(*done)++;
	}
	free(l.body);
	return rc;
}

static void tick(void *arg, struct ticker *t)
{
	(void)t;
	int done;
	int rc = hook_deliver_due(arg, &done);
	if (rc && rc != ERR_BUSY && rc != ERR_UNAVAILABLE)
		log_warn("hook: %s", err_name(rc));
}

int hook_worker_start(struct app *a, const struct hook_worker_opts *o, struct hook_worker **out)
{
	if (o->secret_len > HOOK_SECRET_MAX || o->nbackoff < 1 || o->nbackoff > HOOK_BACKOFF_MAX)
		return ERR_INVALID;
	if (curl_global_init(CURL_GLOBAL_DEFAULT))
		return ERR_INTERNAL;
	struct hook_worker *w = calloc(1, sizeof(*w));
	if (!w)
		return ERR_NOMEM;
	w->app = a;
	memcpy(w->secret, o->secret, o->secret_len);
	w->secret_len = o->secret_len;
	memcpy(w->backoff, o->backoff, (size_t)o->nbackoff * sizeof(int));
	w->nbackoff = o->nbackoff;
	int rc = ticker_start(o->poll_ms > 0 ? o->poll_ms : 1000, 0, tick, w, &w->ticker);
	if (rc) {
		sodium_memzero(w->secret, sizeof(w->secret));
		free(w);
		return rc;
	}
	*out = w;
	return 0;
}

void hook_worker_stop(struct hook_worker *w)
{
	if (!w)
		return;
	ticker_stop(w->ticker);
	sodium_memzero(w->secret, sizeof(w->secret));
	free(w);
	curl_global_cleanup();
}
