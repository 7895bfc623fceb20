/*
 * server.c - libmicrohttpd glue and the dispatcher (see http.h for the order of checks).
 *
 * MHD runs an internal epoll thread pool. The access handler is called once when headers
 * are in, then once per body chunk, then once more. Responses are queued on a later call,
 * never the first (queueing on the first call makes MHD close every connection: measured
 * at a third of the throughput), except for early errors on requests that carry a body we
 * refuse to read: those are queued at once and MHD closes the connection.
 * Completion writes the access log line and the metrics, then frees the request.
 *
 * Threads: the MHD pool (one per core by default) answers reads; with a write lane
 * (server_opts.write_threads), handlers of routes that are not RF_READ run on threads of
 * their own through the same suspend/resume as req_defer, so a read never waits behind a
 * write that happens to share its HTTP thread (measured on SQLite at 80% reads / 20%
 * creates: that queueing was most of the reads' tail). A handler on the lane that defers
 * again (a password hash) hands its request on to that pool. A write still queued after
 * LANE_WAIT_MS is answered 503 + Retry-After without running, so with the database held
 * elsewhere no write waits much longer than that plus store_tx's own budget.
 */
#include "http/internal.h"
#include "base/log.h"
#include "base/workpool.h"
#include "base/timeutil.h"
#include "base/utf8.h"

#include <sodium.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#define DISCARD_MAX ((size_t)8 << 20)

struct server {
	struct MHD_Daemon *d;
	struct MHD_Daemon *md;       /* the metrics listener (metrics_listen), or NULL */
	struct edge *edge;           /* client addresses, per-client limits, head deadline */
	int metrics_idx, health_idx; /* the routes served on the metrics listener */
	int metrics_port;
	char metrics_token[130]; /* "" = none: /metrics only on the metrics listener */
	char spool_dir[512];     /* RF_SPOOL bodies; "" = /tmp */
	size_t spool_max;        /* RF_SPOOL routes' limit unless their own */
	const struct route *routes;
	size_t nroutes;
	struct router *router;
	struct static_site *site;
	struct metrics *metrics;
	struct http_hooks hooks;
	void *app;
	size_t body_max;
	int port;
	_Atomic int inflight;
	uint32_t rid_prefix;       /* random per server start */
	_Atomic uint32_t rid_next; /* request ids: prefix + counter, no syscall per request */
	struct logbuf *access;     /* the access log, buffered (flushed within 250 ms) */
	struct workpool *writes;   /* the write lane, or NULL */
};

/* A deferred request: the worker waits until the connection is suspended before it may
 * finish, so it can never resume a connection that is not suspended yet. */
struct defer {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool suspended, done;
	int rc;
	int (*fn)(struct req *r, void *arg);
	void *arg;
	uint64_t deadline_ns; /* the write lane: past this in the queue, 503 without running */
};

#define LANE_WAIT_MS 1000 /* longest wait in the write lane's queue (then 503) */

/* ---- request accessors ---- */

const struct route *req_route(const struct req *r)
{
	return r->route;
}
const char *req_id(const struct req *r)
{
	return r->rid;
}
unsigned req_method(const struct req *r)
{
	return r->method;
}
json_t *req_json(const struct req *r)
{
	return r->json;
}

const char *req_body(const struct req *r, size_t *len)
{
	*len = r->body.len;
	return r->body.ptr;
}
const char *req_body_file(const struct req *r, int64_t *len)
{
	*len = r->spool_path ? (int64_t)r->spooled : 0;
	return r->spool_path;
}
struct errlist *req_errs(struct req *r)
{
	return &r->errs;
}
void *req_user(const struct req *r)
{
	return r->user;
}
void *req_ctx(const struct req *r)
{
	return r->ctx;
}

void req_set_ctx(struct req *r, void *ctx, void (*free_fn)(void *))
{
	if (r->ctx && r->ctx_free)
		r->ctx_free(r->ctx);
	r->ctx = ctx;
	r->ctx_free = free_fn;
}

void req_set_user(struct req *r, void *user, void (*free_fn)(void *))
{
	if (r->user && r->user_free)
		r->user_free(r->user);
	r->user = user;
	r->user_free = free_fn;
}

const char *req_header(const struct req *r, const char *name)
{
	return r->conn ? MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name) : NULL;
}

const char *req_cookie(const struct req *r, const char *name)
{
	return r->conn ? MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, name) : NULL;
}

static void run_deferred(void *p)
{
	struct req *r = p;
	struct defer *d = r->defer;
	pthread_mutex_lock(&d->mu);
	while (!d->suspended)
		pthread_cond_wait(&d->cv, &d->mu);
	pthread_mutex_unlock(&d->mu);
	/* the queue deadline is this pool's only: cleared before fn runs, because once fn
	 * hands the request on (req_defer from a worker) another worker may finish it and
	 * MHD free r and d while fn is still returning here */
	uint64_t deadline = d->deadline_ns;
	d->deadline_ns = 0;
	int rc;
	if (deadline && time_mono_ns() > deadline)
		rc = req_fail(r, ERR_BUSY, "too many writes at once; try again in a moment");
	else
		rc = d->fn(r, d->arg);
	if (rc == HTTP_DEFERRED)
		return; /* handed on to another pool: r and d are not ours now, touch neither */
	if (rc == 0 && !r->status)
		rc = ERR_INTERNAL;
	pthread_mutex_lock(&d->mu);
	d->rc = rc;
	d->done = true;
	pthread_mutex_unlock(&d->mu);
	MHD_resume_connection(r->conn);
}

static int defer_to(struct req *r, struct workpool *wp, int (*fn)(struct req *r, void *arg), void *arg,
		    const char *busy, uint64_t deadline_ns)
{
	if (r->defer) {
		/* already on a worker (the write lane), the connection suspended: the request
		 * moves on to wp, whose worker finishes it */
		struct defer *d = r->defer;
		d->fn = fn;
		d->arg = arg;
		if (workpool_submit(wp, run_deferred, r))
			return req_fail(r, ERR_BUSY, "%s", busy);
		return HTTP_DEFERRED;
	}
	struct defer *d = calloc(1, sizeof(*d));
	if (!d)
		return ERR_NOMEM;
	pthread_mutex_init(&d->mu, NULL);
	pthread_cond_init(&d->cv, NULL);
	d->fn = fn;
	d->arg = arg;
	d->deadline_ns = deadline_ns;
	r->defer = d;
	pthread_mutex_lock(&d->mu);
	if (workpool_submit(wp, run_deferred, r)) {
		pthread_mutex_unlock(&d->mu);
		r->defer = NULL;
		pthread_mutex_destroy(&d->mu);
		pthread_cond_destroy(&d->cv);
		free(d);
		return req_fail(r, ERR_BUSY, "%s", busy);
	}
	MHD_suspend_connection(r->conn);
	d->suspended = true;
	pthread_cond_signal(&d->cv);
	pthread_mutex_unlock(&d->mu);
	return HTTP_DEFERRED;
}

int req_defer(struct req *r, struct workpool *wp, int (*fn)(struct req *r, void *arg), void *arg)
{
	return defer_to(r, wp, fn, arg, "the server is busy with slow work; try again in a moment", 0);
}

const char *req_query(const struct req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

bool req_query_int(const struct req *r, const char *name, int64_t *out)
{
	const char *v = req_query(r, name);
	if (!v || !*v)
		return false;
	*out = strtoll(v, NULL, 10); /* already validated against the query spec */
	return true;
}

int64_t req_param_int(const struct req *r, const char *name)
{
	for (int i = 0; i < r->nparams; i++)
		if (!strcmp(r->params[i].name, name))
			return r->params[i].i;
	return 0;
}

const char *req_param_str(const struct req *r, const char *name)
{
	for (int i = 0; i < r->nparams; i++)
		if (!strcmp(r->params[i].name, name))
			return r->params[i].str;
	return NULL;
}

const char *req_client_addr(struct req *r)
{
	if (!r->addr[0])
		edge_client(r->srv->edge, r->conn, r->addr, sizeof(r->addr));
	return r->addr;
}

const struct route *server_routes(const struct server *s, size_t *n)
{
	*n = s->nroutes;
	return s->routes;
}

int server_port(const struct server *s)
{
	return s->port;
}

int server_metrics(struct server *s, struct buf *out)
{
	int rc = metrics_render(s->metrics, s->routes, s->nroutes, out);
	uint64_t refused, slow;
	edge_stats(s->edge, &refused, &slow);
	if (!rc)
		rc = buf_printf(
			out,
			"# HELP kexie_http_connections_refused_total Connections refused at accept because their client held too many.\n"
			"# TYPE kexie_http_connections_refused_total counter\n"
			"kexie_http_connections_refused_total{reason=\"per_client\"} %llu\n"
			"# HELP kexie_http_slow_heads_closed_total Connections closed because the request head took too long.\n"
			"# TYPE kexie_http_slow_heads_closed_total counter\n"
			"kexie_http_slow_heads_closed_total %llu\n",
			(unsigned long long)refused, (unsigned long long)slow);
	return rc;
}

int server_metrics_port(const struct server *s)
{
	return s->metrics_port;
}

/* ---- request lifecycle ---- */

/* Closes and removes an RF_SPOOL body's file. */
static void spool_end(struct req *r)
{
	if (!r->spool_path)
		return;
	if (r->spool_fd >= 0)
		close(r->spool_fd);
	unlink(r->spool_path);
	free(r->spool_path);
	r->spool_path = NULL;
}

/* RF_SPOOL: the body's file, created 0600 in the spool directory. 0 or ERR_IO. */
static int spool_open(struct server *s, struct req *r)
{
	char tmpl[600];
	int w = snprintf(tmpl, sizeof(tmpl), "%s/upload-XXXXXX", s->spool_dir[0] ? s->spool_dir : "/tmp");
	if (w < 0 || (size_t)w >= sizeof(tmpl))
		return ERR_INTERNAL;
	int fd = mkostemp(tmpl, O_CLOEXEC);
	if (fd < 0) {
		log_error("http: cannot create an upload file in %s: %s", s->spool_dir, strerror(errno));
		return ERR_IO;
	}
	r->spool_path = strdup(tmpl);
	if (!r->spool_path) {
		close(fd);
		unlink(tmpl);
		return ERR_NOMEM;
	}
	r->spool_fd = fd;
	r->spooled = 0;
	return 0;
}

/* Appends an arriving chunk to the body: the spool file or the bounded buffer. 0, or
 * ERR_TOOBIG past the limit, ERR_IO when the spool cannot be written (disk full). */
static int body_take(struct req *r, const char *data, size_t n)
{
	if (!r->spool_path)
		return buf_append(&r->body, data, n) ? ERR_TOOBIG : 0;
	if (n > r->body_max - r->spooled)
		return ERR_TOOBIG;
	for (size_t done = 0; done < n;) {
		ssize_t k = write(r->spool_fd, data + done, n - done);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return ERR_IO;
		done += (size_t)k;
	}
	r->spooled += n;
	return 0;
}

static void req_free(struct req *r)
{
	if (!r)
		return;
	for (int i = 0; i < r->nparams; i++)
		free(r->params[i].str);
	for (int i = 0; i < r->nhdr; i++) {
		free(r->hdr[i].name);
		free(r->hdr[i].value);
	}
	if (r->user && r->user_free)
		r->user_free(r->user);
	if (r->ctx && r->ctx_free)
		r->ctx_free(r->ctx);
	if (r->defer) {
		pthread_mutex_destroy(&r->defer->mu);
		pthread_cond_destroy(&r->defer->cv);
		free(r->defer);
	}
	buf_release(&r->body);
	spool_end(r);
	if (r->has_fd)
		close(r->out_fd);
	json_decref(r->json);
	free(r->out);
	free(r->url);
	free(r);
}

static enum MHD_Result queue(struct req *r)
{
	struct MHD_Response *resp;
	if (r->has_fd) {
		resp = MHD_create_response_from_fd64((uint64_t)r->out_fd_len, r->out_fd);
		if (!resp)
			close(r->out_fd);
		r->has_fd = false; /* MHD closes it with the response */
	} else if (r->out_static)
		resp = MHD_create_response_from_buffer(r->out_len, (void *)(uintptr_t)r->out_static,
						       MHD_RESPMEM_PERSISTENT);
	else {
		resp = MHD_create_response_from_buffer(r->out_len, r->out ? r->out : (void *)"",
						       r->out ? MHD_RESPMEM_MUST_FREE
							      : MHD_RESPMEM_PERSISTENT);
		r->out = NULL; /* MHD owns it now */
	}
	if (!resp)
		return MHD_NO;
	bool html = r->ctype && !strncmp(r->ctype, "text/html", 9);
	if (r->ctype && r->status != 204 && r->status != 304)
		MHD_add_response_header(resp, "Content-Type", r->ctype);
	MHD_add_response_header(resp, "X-Request-Id", r->rid);
	if (!r->is_static)
		MHD_add_response_header(resp, "Cache-Control", "no-store");
	resp_security_headers(resp, html);
	for (int i = 0; i < r->nhdr; i++)
		MHD_add_response_header(resp, r->hdr[i].name, r->hdr[i].value);
	if (r->early)
		MHD_add_response_header(resp, "Connection", "close");
	enum MHD_Result ok = MHD_queue_response(r->conn, r->status, resp);
	MHD_destroy_response(resp);
	r->queued = true;
	return ok;
}

static void fail(struct req *r, int code)
{
	if (resp_error(r, code)) {
		/* could not even build the error: answer a fixed body */
		static const char oom[] =
			"{\"error\":{\"code\":\"internal\",\"message\":\"internal error\"}}";
		r->status = 500;
		r->ctype = "application/json";
		r->out_static = oom;
		r->out_len = sizeof(oom) - 1;
	}
}

/* MHD keeps no memory for this connection's answer (a head just below its pool size): the
 * short error goes straight to the socket and MHD closes the connection. Nothing else was
 * written for this request, and only this thread handles the connection meanwhile. */
static enum MHD_Result answer_direct(struct req *r)
{
	const union MHD_ConnectionInfo *fd = MHD_get_connection_info(r->conn,
								     MHD_CONNECTION_INFO_CONNECTION_FD);
	const char *body = r->out_static ? r->out_static : r->out ? r->out : "";
	char head[512];
	int n = snprintf(head, sizeof(head),
			 "HTTP/1.1 %u %s\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n"
			 "Connection: close\r\nX-Request-Id: %s\r\nCache-Control: no-store\r\n"
			 "X-Content-Type-Options: nosniff\r\nReferrer-Policy: same-origin\r\n"
			 "X-Frame-Options: DENY\r\nCross-Origin-Opener-Policy: same-origin\r\n"
			 "Content-Security-Policy: default-src 'none'; frame-ancestors 'none'\r\n\r\n",
			 r->status, MHD_get_reason_phrase_for(r->status), r->out_len, r->rid);
	if (fd && n > 0 && (size_t)n < sizeof(head)) {
		struct iovec iov[2] = {{head, (size_t)n}, {(void *)(uintptr_t)body, r->out_len}};
		struct msghdr mh = {.msg_iov = iov, .msg_iovlen = 2};
		if (sendmsg(fd->connect_fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
			r->status = 0; /* the log says nobody got it */
	}
	r->queued = true;
	return MHD_NO;
}

static bool is_json_ctype(const char *ct)
{
	if (!ct)
		return false;
	while (*ct == ' ')
		ct++;
	if (strncasecmp(ct, "application/json", 16))
		return false;
	ct += 16;
	while (*ct == ' ')
		ct++;
	if (!*ct)
		return true;
	if (*ct != ';')
		return false;
	/* only a UTF-8 charset parameter is acceptable */
	ct++;
	while (*ct == ' ')
		ct++;
	return !strcasecmp(ct, "charset=utf-8") || !strcasecmp(ct, "charset=\"utf-8\"");
}

/* Is the media type of ct (parameters ignored) one of the '|'-separated types? */
static bool ctype_in(const char *ct, const char *types)
{
	if (!ct || !types)
		return false;
	while (*ct == ' ')
		ct++;
	size_t n = strcspn(ct, "; ");
	for (const char *t = types; *t;) {
		size_t k = strcspn(t, "|");
		if (k == n && !strncasecmp(t, ct, n))
			return true;
		t += k + (t[k] == '|');
	}
	return false;
}

static bool has_body(struct req *r, unsigned long long *clen)
{
	const char *cl = req_header(r, "Content-Length");
	const char *te = req_header(r, "Transfer-Encoding");
	*clen = cl ? strtoull(cl, NULL, 10) : 0;
	return (cl && *clen > 0) || te;
}

static bool unsafe(unsigned m)
{
	return m == HM_POST || m == HM_PUT || m == HM_PATCH || m == HM_DELETE;
}

/* Browsers send Origin on cross-site writes; a mismatch with Host is a forged request. */
static bool cross_origin(struct req *r)
{
	const char *origin = req_header(r, "Origin");
	const char *host = req_header(r, "Host");
	if (!origin)
		return false;
	if (!host)
		return true;
	const char *p = strstr(origin, "://");
	if (!p)
		return true;
	return strcmp(p + 3, host) != 0;
}

static int upload_checks(struct server *s, struct req *r, bool body, unsigned long long clen);

/* The request head as a whole, before anything reads it: URL length (414), head size (431),
 * framing (400). Refusals close the connection: after bad framing nothing on it can be
 * trusted to start where the client says. */
static int head_checks(struct req *r)
{
	int rc = edge_head_check(r->conn, &r->errs, r->errmsg, sizeof(r->errmsg), &r->no_room);
	if (strlen(r->url) > URL_MAX) {
		r->errs.n = 0;
		r->errmsg[0] = '\0';
		rc = ERR_URITOOLONG;
	}
	if (rc)
		r->early = true;
	return rc;
}

/* Which listener serves a route: the metrics listener only /metrics and /healthz; the main
 * one everything, /metrics only when a metrics token guards it. */
static bool served_here(const struct server *s, const struct req *r, int idx)
{
	if (r->side)
		return idx == s->metrics_idx || idx == s->health_idx;
	return idx != s->metrics_idx || s->metrics_token[0];
}

/* /metrics: with a metrics token, "Authorization: Bearer TOKEN" (compared in constant time). */
static int metrics_gate(struct server *s, struct req *r)
{
	if (!s->metrics_token[0])
		return 0;
	const char *authz = req_header(r, "Authorization");
	unsigned char want[32], got[32];
	crypto_generichash(want, sizeof(want), (const unsigned char *)s->metrics_token,
			   strlen(s->metrics_token), NULL, 0);
	bool ok = authz && !strncasecmp(authz, "Bearer ", 7);
	if (ok)
		crypto_generichash(got, sizeof(got), (const unsigned char *)authz + 7, strlen(authz + 7),
				   NULL, 0);
	if (!ok || sodium_memcmp(want, got, sizeof(want))) {
		resp_header(r, "WWW-Authenticate", "Bearer realm=\"metrics\"");
		return req_fail(r, ERR_UNAUTHORIZED, "the metrics token is missing or wrong");
	}
	return 0;
}

/* Checks made as soon as the headers are in. Returns 0 or an ERR_* code. */
static int early_checks(struct server *s, struct req *r)
{
	unsigned allow = 0;
	if (!utf8_valid(r->url, strlen(r->url), NULL)) {
		errlist_add(&r->errs, "", "invalid_utf8", "the path is not valid UTF-8");
		return ERR_INVALID;
	}
	int idx = router_match(s->router, r, r->url, r->method, &allow);
	if (idx >= 0 && !served_here(s, r, idx)) {
		/* not here, and no web page either (the app's history fallback would answer) */
		snprintf(r->errmsg, sizeof(r->errmsg), "no such endpoint");
		return ERR_NOTFOUND;
	}
	if (idx == ERR_METHOD) {
		char hdr[96] = "";
		size_t len = 0;
		for (unsigned m = 1; m <= HM_OPTIONS; m <<= 1)
			if (allow & m) {
				int w = snprintf(hdr + len, sizeof(hdr) - len, "%s%s", len ? ", " : "",
						 method_name(m));
				if (w > 0 && (size_t)w < sizeof(hdr) - len)
					len += (size_t)w;
			}
		resp_header(r, "Allow", hdr);
		return ERR_METHOD;
	}
	if (idx < 0) {
		if (idx == ERR_NOTFOUND && !r->side && (r->method == HM_GET || r->method == HM_HEAD) &&
		    static_serve(s->site, r, r->url) == 0) {
			r->route_idx = -2;
			return 0;
		}
		if (idx == ERR_NOTFOUND)
			snprintf(r->errmsg, sizeof(r->errmsg), "no such endpoint");
		return idx;
	}
	r->route_idx = idx;
	r->route = &s->routes[idx];
	unsigned long long clen = 0;
	bool body = has_body(r, &clen);
	if (r->route->flags & RF_UPLOAD)
		return upload_checks(s, r, body, clen);
	if (!r->route->body) {
		if (body) {
			snprintf(r->errmsg, sizeof(r->errmsg), "this endpoint takes no request body");
			r->body_max = 0;
			return ERR_TOOBIG;
		}
		return 0;
	}
	if (!body && !r->route->body[0].name) {
		r->bodyless = true; /* an action without parameters needs no body at all */
		return 0;
	}
	r->body_max = r->route->body_max ? r->route->body_max : s->body_max;
	if (!is_json_ctype(req_header(r, "Content-Type"))) {
		errlist_add(&r->errs, "Content-Type", "unsupported_media_type", "must be application/json");
		return ERR_MEDIATYPE;
	}
	if (clen > r->body_max) {
		snprintf(r->errmsg, sizeof(r->errmsg), "the request body is larger than %zu bytes",
			 r->body_max);
		return ERR_TOOBIG;
	}
	buf_init(&r->body, r->body_max);
	return 0;
}

/* What is checked before a body is looked at: origin, query, who is calling. /metrics is
 * answered here (its scraper is no account): *done says the answer is made. */
static int pre_body(struct server *s, struct req *r, bool *done)
{
	*done = false;
	if (r->checked)
		return 0;
	r->checked = true;
	const struct route *rt = r->route;
	if (unsafe(r->method) && cross_origin(r)) {
		snprintf(r->errmsg, sizeof(r->errmsg), "cross-origin request refused");
		return ERR_FORBIDDEN;
	}
	int rc = body_check_query(r, rt->query);
	if (rc)
		return rc;
	if (r->route_idx == s->metrics_idx) {
		/* the scraper is no account: its token is checked here, not by the hook */
		rc = metrics_gate(s, r);
		if (!rc)
			rc = rt->handler(r, s->app);
		if (rc == 0 && !r->status)
			rc = ERR_INTERNAL;
		*done = true;
		return rc;
	}
	/* who is asking comes before what they sent: strangers learn nothing from validation */
	return s->hooks.before ? s->hooks.before(r, s->app) : 0;
}

/* RF_UPLOAD, with the headers in: the media type (415), the size (413), then the checks
 * that need no body (origin, query, the caller) before a byte of it is read. */
static int upload_checks(struct server *s, struct req *r, bool body, unsigned long long clen)
{
	const struct route *rt = r->route;
	r->body_max = rt->body_max ? rt->body_max : s->body_max;
	if ((rt->flags & RF_SPOOL) && s->spool_max && s->spool_max < r->body_max)
		r->body_max = s->spool_max; /* the configured limit, under the route's ceiling */
	if (body && !ctype_in(req_header(r, "Content-Type"), rt->upload_types)) {
		char msg[192];
		snprintf(msg, sizeof(msg), "must be one of: %s", rt->upload_types ? rt->upload_types : "");
		for (char *p = msg; *p; p++)
			if (*p == '|')
				*p = ' ';
		errlist_add(&r->errs, "Content-Type", "unsupported_media_type", msg);
		return ERR_MEDIATYPE;
	}
	if (clen > r->body_max) {
		snprintf(r->errmsg, sizeof(r->errmsg), "the file is larger than %zu bytes", r->body_max);
		return ERR_TOOBIG;
	}
	bool done;
	int rc = pre_body(s, r, &done);
	if (rc)
		return rc;
	if ((rt->flags & RF_SPOOL) && body)
		return spool_open(s, r);
	buf_init(&r->body, r->body_max);
	return 0;
}

/* Everything after the body is in: the remaining generic checks, then the handler. */
static int dispatch(struct server *s, struct req *r)
{
	bool done;
	int rc = pre_body(s, r, &done);
	if (rc || done)
		return rc;
	const struct route *rt = r->route;
	if (rt->body && !r->bodyless) {
		rc = body_parse_json(r, rt->body);
		if (rc)
			return rc;
	}
	if (s->hooks.objects) {
		rc = s->hooks.objects(r, s->app);
		if (rc)
			return rc;
	}
	if (s->writes && !(rt->flags & RF_READ))
		return defer_to(r, s->writes, rt->handler, s->app,
				"too many writes at once; try again in a moment",
				time_mono_ns() + (uint64_t)LANE_WAIT_MS * 1000000u);
	rc = rt->handler(r, s->app);
	if (rc == 0 && !r->status)
		rc = ERR_INTERNAL; /* a handler must answer */
	return rc;
}

static enum MHD_Result handle(struct server *s, bool side, struct MHD_Connection *conn, const char *url,
			      const char *method, const char *upload_data, size_t *upload_data_size,
			      void **con_cls)
{
	struct req *r = *con_cls;
	if (!r) {
		/* zero everything but the ~10 KB error area at the end, which only needs empty
		 * counts: measured, the full memset was the top user-space cost per request */
		r = malloc(sizeof(*r));
		if (!r)
			return MHD_NO;
		memset(r, 0, offsetof(struct req, errmsg));
		r->errmsg[0] = '\0';
		r->errs.n = 0;
		r->errs.dropped = 0;
		*con_cls = r;
		atomic_fetch_add(&s->inflight, 1);
		r->srv = s;
		r->conn = conn;
		r->side = side;
		edge_head_in(conn);
		r->t0 = time_mono_ns();
		r->route_idx = -1;
		r->method = method_parse(method);
		r->url = strndup(url, URL_MAX + 1);
		buf_init(&r->body, 0);
		snprintf(r->rid, sizeof(r->rid), "%08x%08x", s->rid_prefix,
			 atomic_fetch_add_explicit(&s->rid_next, 1, memory_order_relaxed));
		if (!r->url)
			return MHD_NO;
		int rc = head_checks(r);
		if (!rc)
			rc = r->method ? early_checks(s, r) : ERR_METHOD;
		if (rc) {
			fail(r, rc);
			if (r->no_room)
				return answer_direct(r);
			unsigned long long clen;
			if (r->early || has_body(r, &clen)) {
				/* refuse the body without reading it: answer now and close */
				r->early = true;
				return queue(r);
			}
		}
		return MHD_YES;
	}
	if (*upload_data_size) {
		/* Past the limit the bytes are counted and dropped, never stored: MHD cannot
		 * queue an answer mid-upload, so the 413 goes out when the upload ends, and a
		 * client that keeps sending past 8 MiB more is cut off. */
		int brc = r->queued || r->status ? 0 : body_take(r, upload_data, *upload_data_size);
		if (brc) {
			if (brc == ERR_TOOBIG)
				snprintf(r->errmsg, sizeof(r->errmsg),
					 "the request body is larger than %zu bytes", r->body_max);
			fail(r, brc);
			r->early = true;
		}
		if (r->status) {
			r->discarded += *upload_data_size;
			if (r->discarded > DISCARD_MAX)
				return MHD_NO;
		}
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (r->queued)
		return MHD_YES;
	if (r->defer) { /* called again after the worker resumed the connection */
		pthread_mutex_lock(&r->defer->mu);
		bool done = r->defer->done;
		int drc = r->defer->rc;
		pthread_mutex_unlock(&r->defer->mu);
		if (!done)
			return MHD_YES;
		if (drc)
			fail(r, drc);
		return queue(r);
	}
	if (!r->status) {
		int rc = dispatch(s, r);
		if (rc == HTTP_DEFERRED)
			return MHD_YES;
		if (rc)
			fail(r, rc);
	}
	return queue(r);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
				  const char *version, const char *upload_data, size_t *upload_data_size,
				  void **con_cls)
{
	(void)version;
	return handle(cls, false, conn, url, method, upload_data, upload_data_size, con_cls);
}

/* The metrics listener: the same dispatcher, which serves only /metrics and /healthz here. */
static enum MHD_Result on_request_side(void *cls, struct MHD_Connection *conn, const char *url,
				       const char *method, const char *version, const char *upload_data,
				       size_t *upload_data_size, void **con_cls)
{
	(void)version;
	return handle(cls, true, conn, url, method, upload_data, upload_data_size, con_cls);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	(void)toe;
	struct server *s = cls;
	struct req *r = *con_cls;
	edge_head_wait(s->edge, conn); /* a kept-alive connection: the deadline for its next head */
	if (!r)
		return;
	uint64_t ns = time_mono_ns() - r->t0;
	unsigned status = r->queued ? r->status : 0;
	metrics_record(s->metrics, r->route_idx, status, ns);
	if (!(r->route && (r->route->flags & RF_NOLOG) && status < 400)) {
		/* the route pattern, never the raw URL or query: those can hold personal data */
		const char *what = r->route             ? r->route->pattern
				   : r->route_idx == -2 ? "(static)"
							: "(unmatched)";
		logbuf_line(s->access, LOG_INFO, "http rid=%s client=%s %s %s status=%u ms=%.3f bytes=%zu",
			    r->rid, req_client_addr(r), method_name(r->method), what, status,
			    (double)ns / 1e6, r->out_len);
	}
	req_free(r);
	*con_cls = NULL;
	atomic_fetch_sub(&s->inflight, 1);
}

static int parse_listen(const char *spec, struct sockaddr_storage *ss, socklen_t *len)
{
	char host[128];
	const char *colon = strrchr(spec, ':');
	if (!colon || (size_t)(colon - spec) >= sizeof(host))
		return ERR_INVALID;
	memcpy(host, spec, (size_t)(colon - spec));
	host[colon - spec] = '\0';
	char *end;
	long port = strtol(colon + 1, &end, 10);
	if (*end || port < 0 || port > 65535 || colon[1] == '\0')
		return ERR_INVALID;
	memset(ss, 0, sizeof(*ss));
	if (host[0] == '[') {
		size_t hl = strlen(host);
		if (hl < 3 || host[hl - 1] != ']')
			return ERR_INVALID;
		host[hl - 1] = '\0';
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)port);
		if (inet_pton(AF_INET6, host + 1, &a->sin6_addr) != 1)
			return ERR_INVALID;
		*len = sizeof(*a);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)ss;
		a->sin_family = AF_INET;
		a->sin_port = htons((uint16_t)port);
		if (inet_pton(AF_INET, host[0] ? host : "0.0.0.0", &a->sin_addr) != 1)
			return ERR_INVALID;
		*len = sizeof(*a);
	}
	return 0;
}

static int find_route(const struct route *routes, size_t n, const char *pattern)
{
	for (size_t i = 0; i < n; i++)
		if (routes[i].method == HM_GET && !strcmp(routes[i].pattern, pattern))
			return (int)i;
	return -1;
}

/* The metrics listener (metrics_listen): one thread, 64 connections, the head deadline, no
 * per-client limit (it serves the monitoring network, not the public). */
static int start_metrics_listener(struct server *s, const struct server_opts *o, char *err, size_t errcap)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	if (parse_listen(o->metrics_listen, &ss, &sl)) {
		snprintf(err, errcap, "bad metrics_listen address %s (want HOST:PORT or [IPv6]:PORT)",
			 o->metrics_listen);
		return ERR_INVALID;
	}
	unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG |
			 MHD_ALLOW_SUSPEND_RESUME;
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	s->md = MHD_start_daemon(flags, 0, NULL, NULL, on_request_side, s, MHD_OPTION_EXTERNAL_LOGGER,
				 edge_log, s->edge, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
				 MHD_OPTION_CONNECTION_TIMEOUT, o->timeout_s ? o->timeout_s : 30u,
				 MHD_OPTION_CONNECTION_MEMORY_LIMIT, CONN_MEMORY, MHD_OPTION_CONNECTION_LIMIT,
				 64u, MHD_OPTION_LISTENING_ADDRESS_REUSE, 1u, MHD_OPTION_NOTIFY_COMPLETED,
				 on_completed, s, MHD_OPTION_NOTIFY_CONNECTION, edge_notify_uncounted,
				 s->edge, MHD_OPTION_END);
	if (!s->md) {
		snprintf(err, errcap, "cannot listen on %s (address in use or not permitted)",
			 o->metrics_listen);
		return ERR_IO;
	}
	const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->md, MHD_DAEMON_INFO_BIND_PORT);
	s->metrics_port = di ? di->port : 0;
	return 0;
}

/* The server's parts before it listens: settings, the edge (connection limits, head
 * deadline), router, metrics, access log, web app, write lane. 0 or an error (err says why
 * where a person can act on it); whatever was made is freed by server_parts_free. */
static int server_parts_new(struct server *s, const struct server_opts *o, const struct route *routes,
			    size_t nroutes, const struct http_hooks *hooks, void *app, char *err,
			    size_t errcap)
{
	s->routes = routes;
	s->nroutes = nroutes;
	s->app = app;
	s->body_max = o->body_max ? o->body_max : (1u << 20);
	snprintf(s->spool_dir, sizeof(s->spool_dir), "%s", o->spool_dir ? o->spool_dir : "");
	s->spool_max = o->spool_max ? o->spool_max : s->body_max;
	s->rid_prefix = randombytes_random();
	if (hooks)
		s->hooks = *hooks;
	s->metrics_idx = find_route(routes, nroutes, "/metrics");
	s->health_idx = find_route(routes, nroutes, "/healthz");
	if (o->metrics_token && strlen(o->metrics_token) >= sizeof(s->metrics_token)) {
		snprintf(err, errcap, "metrics_token is too long");
		return ERR_INVALID;
	}
	str_copy(s->metrics_token, sizeof(s->metrics_token), o->metrics_token ? o->metrics_token : "");
	struct edge_opts eo = {.trusted_proxies = o->trusted_proxies,
			       .per_client = o->per_client,
			       .head_timeout_s = o->head_timeout_s,
			       .idle_timeout_s = o->timeout_s};
	int rc = edge_new(&eo, &s->edge, err, errcap);
	if (rc)
		return rc;
	rc = router_new(routes, nroutes, &s->router);
	if (rc) {
		snprintf(err, errcap, "the route table has a bad pattern");
		return rc;
	}
	rc = metrics_new(nroutes, &s->metrics);
	if (rc)
		return rc;
	if (logbuf_new(250, &s->access))
		return ERR_NOMEM;
	if (o->web_dir && access(o->web_dir, R_OK) == 0) {
		rc = static_load(o->web_dir, &s->site, err, errcap);
		if (rc)
			return rc;
	}
	/* a short queue: past it a write is refused at once (503), never left to pile up */
	if (o->write_threads > 0 && workpool_new(o->write_threads, 256, &s->writes))
		return ERR_NOMEM;
	return 0;
}

static void server_parts_free(struct server *s)
{
	workpool_free(s->writes);
	edge_free(s->edge);
	logbuf_free(s->access);
	router_free(s->router);
	metrics_free(s->metrics);
	static_free(s->site);
}

/* The main listener: libmicrohttpd with its epoll thread pool on the parsed address. */
static int listen_main(struct server *s, const struct server_opts *o, struct sockaddr_storage *ss, char *err,
		       size_t errcap)
{
	long threads = o->threads > 0 ? o->threads : sysconf(_SC_NPROCESSORS_ONLN);
	if (threads < 1)
		threads = 1;
	unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG |
			 MHD_ALLOW_SUSPEND_RESUME;
	if (ss->ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	s->d = MHD_start_daemon(
		flags, 0, edge_accept, s->edge, on_request, s,
		/* first, so that MHD's own lines all go through our logger */
		MHD_OPTION_EXTERNAL_LOGGER, edge_log, s->edge, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)ss,
		MHD_OPTION_THREAD_POOL_SIZE, (unsigned)threads, MHD_OPTION_CONNECTION_TIMEOUT,
		o->timeout_s ? o->timeout_s : 30u, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
		/* 16 KiB per connection: heads up to HEAD_MAX (more is 431); MHD zeroes the
		 * pool for every request, so a larger one costs time on every request */
		CONN_MEMORY, MHD_OPTION_CONNECTION_LIMIT, 4000u, MHD_OPTION_LISTENING_ADDRESS_REUSE, 1u,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_NOTIFY_CONNECTION, edge_notify,
		s->edge, MHD_OPTION_END);
	if (!s->d) {
		snprintf(err, errcap, "cannot listen on %s (address in use or not permitted)", o->listen);
		return ERR_IO;
	}
	const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
	s->port = di ? di->port : 0;
	return 0;
}

int server_start(const struct server_opts *o, const struct route *routes, size_t nroutes,
		 const struct http_hooks *hooks, void *app, struct server **out, char *err, size_t errcap)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	if (parse_listen(o->listen, &ss, &sl)) {
		snprintf(err, errcap, "bad listen address %s (want HOST:PORT or [IPv6]:PORT)", o->listen);
		return ERR_INVALID;
	}
	struct server *s = calloc(1, sizeof(*s));
	if (!s)
		return ERR_NOMEM;
	int rc = server_parts_new(s, o, routes, nroutes, hooks, app, err, errcap);
	if (!rc)
		rc = listen_main(s, o, &ss, err, errcap);
	if (!rc && o->metrics_listen && *o->metrics_listen) {
		rc = start_metrics_listener(s, o, err, errcap);
		if (rc)
			MHD_stop_daemon(s->d);
	}
	if (rc) {
		server_parts_free(s);
		free(s);
		return rc;
	}
	*out = s;
	return 0;
}

void server_stop(struct server *s, int grace_ms)
{
	if (!s)
		return;
	MHD_socket ls = MHD_quiesce_daemon(s->d);
	if (ls != MHD_INVALID_SOCKET)
		close(ls);
	if (s->md)
		MHD_stop_daemon(s->md); /* metrics answers are instant: no grace needed */
	for (int waited = 0; atomic_load(&s->inflight) > 0 && waited < grace_ms; waited += 20)
		usleep(20000);
	int left = atomic_load(&s->inflight);
	if (left > 0)
		log_warn("http: stopping with %d requests still open", left);
	workpool_free(s->writes); /* queued writes finish while their connections can resume */
	MHD_stop_daemon(s->d);
	edge_free(s->edge);     /* after both daemons: every close notification has run */
	logbuf_free(s->access); /* after the last request: every line is written */
	router_free(s->router);
	metrics_free(s->metrics);
	static_free(s->site);
	free(s);
}
