/*
 * hook.h - the outbound hook: signed HTTP POSTs of notifications to configured gateways
 * (SMS, WeChat), from the outbox notify_send writes (core/notify.h).
 *
 * The server's hook worker (hook_worker_start, from cli/serve.c) takes each due delivery
 * with a lease (a write transaction that moves lease_until; two servers never hold one at
 * once), POSTs its body with libcurl outside any transaction, and records the attempt
 * (status, duration, error) and the outcome in one transaction: delivered on a 2xx answer,
 * else due again after the next back-off (with ±10 % jitter), or dead after the last one.
 * A server that dies between the POST and that record lets the lease run out and sends it
 * again: delivery is at least once, and receivers dedupe by X-Kexie-Delivery.
 *
 * Each request: POST, Content-Type application/json, the body as stored, and
 *   X-Kexie-Event: notification.<kind>     X-Kexie-Delivery: <delivery id>
 *   X-Kexie-Timestamp: <unix seconds>      X-Kexie-Signature: sha256=<hex>
 * where the signature is HMAC-SHA256 under the secret of "<timestamp>.<body>". Only http
 * and https URLs; no redirect is followed (a 3xx is a failed attempt); connect timeout
 * HOOK_CONNECT_S, whole request HOOK_TOTAL_S.
 */
#ifndef KEXIE_CORE_HOOK_H
#define KEXIE_CORE_HOOK_H

#include "core/app.h"
#include "core/audit.h"
#include "base/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HOOK_CONNECT_S   5
#define HOOK_TOTAL_S     10
#define HOOK_LEASE_S     60 /* longer than one attempt can take */
#define HOOK_BACKOFF_MAX 12
#define HOOK_SECRET_MIN  16
#define HOOK_SECRET_MAX  256
#define HOOK_BATCH       16

/* "sha256=" + 64 hex digits of HMAC-SHA256(secret, "<ts>.<body>") into out (cap >= 72). */
void hook_sign(const unsigned char *secret, size_t secret_len, int64_t ts, const char *body, size_t body_len,
	       char *out, size_t cap);

/* The wait after failed attempt number `attempt` (1-based) of a delivery, in seconds:
 * backoff[attempt - 1] scaled by jitter (a factor in [0.9, 1.1]; pass 1.0 for none), at
 * least 1; -1 when attempt > n: no more attempts, the delivery is dead. */
int64_t hook_backoff(const int *backoff, int n, int attempt, double jitter);

/* Parses a back-off list "60,300,1800,7200,43200" (seconds, 1..HOOK_BACKOFF_MAX entries,
 * each 1..604800) into out; *n receives the count. ERR_INVALID otherwise. */
int hook_backoff_parse(const char *text, int *out, int *n);

/* True for an http:// or https:// URL with a host, no spaces or control characters. */
bool hook_url_ok(const char *url);

/* One delivery as the dead-letter list shows it. */
struct hook_delivery {
	int64_t id, created_at, next_at, finished_at;
	char event[48], url[512], title[801], state[12], last_error[256];
	int attempts, last_status;
};

/* Deliveries in `state` ("pending", "delivered", "dead"; NULL: any), newest first with
 * id < before (0: from the newest), at most limit; *last the last id given. */
int hook_list(struct app *a, const char *state, int64_t before, int limit,
	      int (*fn)(const struct hook_delivery *d, void *arg), void *arg, int64_t *last);

/* One attempt of a delivery as logged. */
struct hook_attempt {
	int attempt, status;
	int64_t at, duration_ms;
	char error[256];
};
/* Calls fn for each logged attempt of delivery id, in order. */
int hook_attempts(struct app *a, int64_t id, int (*fn)(const struct hook_attempt *t, void *arg), void *arg);

/* Gives a dead delivery one more attempt now (audited hook.retry); it is dead again if
 * that fails. ERR_NOTFOUND: no such delivery; ERR_CONFLICT: it is not dead. *out (may be
 * NULL) receives the delivery after the change. */
int hook_retry(struct app *a, const struct audit_entry *who, int64_t id, struct hook_delivery *out);

/* The gateway test (POST /api/v1/hooks/test): sends who a notification of kind hook_test
 * (to each configured URL as well), at once or, with delay_s > 0, as a scheduled task of
 * kind "hook.test" under a key of its own; audited hook.test. *sent receives the in-app
 * notifications written now (0 when scheduled), *deliveries the hook deliveries queued,
 * *task the scheduled task's id (0: sent now). */
int hook_test(struct app *a, const struct audit_entry *who, int delay_s, int *sent, int *deliveries,
	      int64_t *task);

/* The scheduled kinds of this module, for the registry in cli/serve.c: "hook.test" (the
 * delayed gateway test) and "notify.prune" (every night: read notifications older than
 * 180 days, delivered hook deliveries older than 30 days; dead ones are kept). */
struct schedule_kind;
extern const struct schedule_kind hook_test_task, notify_prune_task;
/* Schedules notify.prune (idempotent, key "notify.prune"): for server start. */
int hook_schedule_housekeeping(struct app *a);

/* ---- the worker ---- */
struct hook_worker;
struct hook_worker_opts {
	const unsigned char *secret; /* copied */
	size_t secret_len;
	const int *backoff; /* seconds after attempt 1, 2, ...; copied */
	int nbackoff;
	int poll_ms; /* <= 0: 1000 */
};
/* Starts the worker (libcurl initialised once here). Returns 0, ERR_NOMEM, ERR_INTERNAL. */
int hook_worker_start(struct app *a, const struct hook_worker_opts *o, struct hook_worker **out);
/* Runs the due deliveries once in the calling thread (tests); *done attempts made. */
int hook_deliver_due(struct hook_worker *w, int *done);
/* Stops after the attempt in flight (NULL is fine). */
void hook_worker_stop(struct hook_worker *w);

#endif
