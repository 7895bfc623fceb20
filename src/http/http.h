/*
 * http.h - the HTTP layer: routes, requests, responses and the server.
 *
 * This layer knows HTTP and JSON but no domain type. The route table itself lives in
 * src/api/routes.c; here is what a route *is* and the dispatcher that applies every check
 * its flags and specs ask for before its handler runs:
 *
 *   URL length -> route match (404 / 405 + Allow) -> body allowed? Content-Type (415),
 *   Content-Length against the route's limit (413, without reading the body) -> read body
 *   into a bounded buffer (413 past the limit) -> cross-origin check on unsafe methods
 *   (403) -> query parameters against the route's query spec (400: unknown, duplicate,
 *   bad type, invalid UTF-8) -> the before hook (authentication and permissions, supplied
 *   by the api layer) -> JSON body: UTF-8 and U+0000 (400 naming the field), depth <= 64,
 *   duplicate keys, parse -> fields against the route's body spec (400 unknown field or
 *   wrong type, 422 missing / out of range) -> the objects hook (the route's declared
 *   objects resolved and scope-checked: 404 / 403) -> handler.
 *
 * Handlers return 0 after setting a response, or a negative ERR_* code (with details in
 * r->errs) which the dispatcher turns into the JSON error shape with the right status.
 */
#ifndef KEXIE_HTTP_HTTP_H
#define KEXIE_HTTP_HTTP_H

#include "base/buf.h"
#include "base/codeset.h"
#include "base/err.h"

#include <jansson.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct req;
struct server;

enum http_method {
	HM_GET = 1 << 0,
	HM_HEAD = 1 << 1,
	HM_POST = 1 << 2,
	HM_PUT = 1 << 3,
	HM_PATCH = 1 << 4,
	HM_DELETE = 1 << 5,
	HM_OPTIONS = 1 << 6,
};

/* Route flags: every generic check a route needs is declared here, never in handlers. */
enum route_flag {
	RF_AUTH = 1u << 0, /* a signed-in caller is required (401 otherwise) */
	RF_CSRF = 1u << 1, /* unsafe method: cookie callers must send X-CSRF-Token */
	/* 1u << 2 is free: it was RF_IDEMPOTENT, declared and never honoured (docs/api.md) */
	RF_READ = 1u << 3,  /* read-only: may be served from the read replica */
	RF_RAW = 1u << 4,   /* handler answers non-JSON (metrics, files) */
	RF_NOLOG = 1u << 5, /* do not access-log successful answers (health probes) */
	/* The body is a file (raw bytes, e.g. a spreadsheet), not JSON: its Content-Type must be
	 * one of the route's upload_types (415), its size at most body_max (413, answered before
	 * reading); the before hook (who is calling) runs as soon as the headers are in, so a
	 * stranger's upload is refused before a byte of it is stored. req_body gives the bytes. */
	RF_UPLOAD = 1u << 7,
	/* With RF_UPLOAD: the body goes to a temporary file in server_opts.spool_dir as it
	 * arrives (never more than one chunk of it in memory, however large body_max is);
	 * req_body_file gives its path. The file is removed when the request ends. */
	RF_SPOOL = 1u << 8,
};

enum field_type { FT_STRING = 1, FT_INT, FT_BOOL, FT_ENUM, FT_OBJECT, FT_ARRAY, FT_DATE, FT_CODE };
enum field_flag { FF_REQUIRED = 1u << 0, FF_NULLABLE = 1u << 1 };

/* One body field or query parameter. Arrays of these end with a {0} entry.
 * FT_STRING: min/max are lengths in code points (0 max = 1000). FT_INT: min/max are the
 * allowed range (both 0 = any int64). FT_CODE: a code of a code list (core/codelist.h:
 * levels, types, roles ...); `values` is that list's name member, `codelist_org_level.name`,
 * which is where the list starts (codeset_of). FT_ENUM: a switch that is no code list
 * (sort order, output format), one of the words of `values` ("a|b|c"). FT_DATE: YYYY-MM-DD.
 * Errors name the field with a distinct code: required, too_short / too_long (params min,
 * max), out_of_range (min, max), not_allowed (params list or allowed), not_integer ... */
struct field {
	const char *name;
	enum field_type type;
	unsigned flags;
	int64_t min, max;
	const char *values;
	const char *doc; /* one line for the OpenAPI document */
};

typedef int (*http_handler)(struct req *r, void *app);

/* What a route acts on, declared as data. This layer attaches no meaning to `kind` or
 * `flags` (they are the layer above's numbers: org, account, the caller itself ...); it
 * only carries them to the hooks, which resolve each object and apply the scope rule
 * before the handler runs. */
enum route_obj_in { RO_NONE = 0, RO_PATH, RO_QUERY, RO_BODY };
struct route_obj {
	int kind;             /* the api layer's OBJ_*; 0 = none (ends the list) */
	enum route_obj_in in; /* where its id is: a path or query parameter, a body field */
	const char *name;     /* that parameter's or field's name */
	const char *perm;     /* the permission needed on it; NULL = the route's perm */
	unsigned flags;       /* the api layer's OBJF_* (what an absent id means) */
};
#define ROUTE_OBJS 3

struct route {
	unsigned method;     /* exactly one HM_*; GET routes also answer HEAD */
	const char *pattern; /* "/api/v1/regions/{code:str}"; params are {name:int|str} */
	http_handler handler;
	unsigned flags;                   /* RF_* */
	const struct field *query;        /* allowed query parameters, NULL = none */
	const struct field *body;         /* JSON object fields, NULL = the route takes no body */
	size_t body_max;                  /* 0 = the server's default (1 MiB) */
	const char *tag;                  /* OpenAPI tag (module) */
	const char *summary;              /* OpenAPI summary; required (a test enforces it) */
	const char *response;             /* OpenAPI: short description of the success answer */
	const char *perm;                 /* permission the caller's role must grant, NULL = none */
	struct route_obj obj[ROUTE_OBJS]; /* obj[0]: what the route is about; more: other objects it names */
	const char *why;   /* when obj[0] cannot be declared: why (a unit test demands one or the other) */
	unsigned status;   /* the success status: 200, 201, 202, 204 (OpenAPI; a test demands it) */
	const char *reply; /* the success reply's shape by name, e.g. "org", "page:org" (OpenAPI) */
	const char *upload_types; /* RF_UPLOAD: accepted media types, "text/csv|application/..." */
};

/* Hooks the layer above supplies; both optional. */
struct http_hooks {
	/* Runs after the query checks, before the body is parsed: authentication and the
	 * route's permission (who is asking comes before what they sent). Returns 0 to
	 * continue or an ERR_* code. */
	int (*before)(struct req *r, void *app);
	/* Runs after the body is parsed and checked, right before the handler: resolves the
	 * route's objects (route.obj) and applies the scope rule to each. 0 or an ERR_* code. */
	int (*objects)(struct req *r, void *app);
};

struct server_opts {
	const char *listen;      /* "127.0.0.1:8080", "[::1]:8080", port 0 picks a free port */
	int threads;             /* MHD thread pool size; <= 0 = number of cores */
	int write_threads;       /* > 0: routes that are not RF_READ run on this many threads of
				 their own (a write lane); 0: on the MHD threads */
	unsigned timeout_s;      /* idle connection timeout */
	size_t body_max;         /* default JSON body limit */
	const char *web_dir;     /* built SPA to serve, NULL or missing = none */
	const char *server_name; /* "kexie/0.1.0" for logs */
	/* the edges (http/edge.c) */
	const char *trusted_proxies; /* CIDRs whose X-Forwarded-For is believed; NULL = none */
	unsigned per_client;         /* connections one client address may hold; 0 = no limit */
	unsigned head_timeout_s;     /* the whole request head within this; 0 = 10 s */
	const char *metrics_token;   /* /metrics needs "Bearer TOKEN"; NULL/"" = not on listen */
	const char *metrics_listen;  /* a second address serving /metrics and /healthz; NULL = none */
	const char *spool_dir;       /* RF_SPOOL bodies are written here (0700); NULL = /tmp */
	size_t spool_max;            /* RF_SPOOL routes: the limit, when under the route's body_max */
};

/* Starts serving `routes` (borrowed; must outlive the server) with `app` passed to every
 * handler. On failure returns an ERR_* code and a message in err. */
int server_start(const struct server_opts *o, const struct route *routes, size_t nroutes,
		 const struct http_hooks *hooks, void *app, struct server **out, char *err, size_t errcap);
int server_port(const struct server *s);
/* The metrics listener's port, 0 when there is none. */
int server_metrics_port(const struct server *s);
/* Stops accepting, lets in-flight requests finish (up to grace_ms), then stops. */
void server_stop(struct server *s, int grace_ms);
/* Prometheus text for the HTTP metrics (requests, latency); appended to out. */
int server_metrics(struct server *s, struct buf *out);
const struct route *server_routes(const struct server *s, size_t *n);

/* ---- requests (for handlers and hooks) ---- */
const struct route *req_route(const struct req *r);
const char *req_id(const struct req *r);
unsigned req_method(const struct req *r);
const char *req_header(const struct req *r, const char *name); /* NULL if absent */
/* Path parameters, already type-checked by the router. */
int64_t req_param_int(const struct req *r, const char *name);
const char *req_param_str(const struct req *r, const char *name);
/* Query parameters, already checked against the route's query spec; NULL if absent. */
const char *req_query(const struct req *r, const char *name);
bool req_query_int(const struct req *r, const char *name, int64_t *out);
/* The parsed JSON body (an object, checked against the body spec); NULL when none. */
json_t *req_json(const struct req *r);
/* The raw body of an RF_UPLOAD route (borrowed, valid for the request); *len its bytes.
 * Never NULL ("" with 0 bytes when none was sent). */
const char *req_body(const struct req *r, size_t *len);
/* The spooled body of an RF_SPOOL route: the complete file's path (borrowed; removed when
 * the request ends, so a consumer that keeps it makes a hard link) and *len its bytes.
 * NULL when nothing was spooled (no body). */
const char *req_body_file(const struct req *r, int64_t *len);
struct errlist *req_errs(struct req *r);
/* Slot for the hook to hang the authenticated caller on; freed by `free_fn` at the end. */
void req_set_user(struct req *r, void *user, void (*free_fn)(void *));
void *req_user(const struct req *r);
/* A second slot for the application's per-request state (freed like the user slot, after
 * the user slot). */
void req_set_ctx(struct req *r, void *ctx, void (*free_fn)(void *));
void *req_ctx(const struct req *r);
const char *req_client_addr(struct req *r);

/* ---- responses ---- */
/* An answer with no body (204, or a status whose body is empty). Returns 0. Answers with a
 * body are written with jsonw (jsonw_send below): nothing else writes JSON. */
int resp_empty(struct req *r, unsigned status);
/* Takes the bytes (malloc'd; freed with the request). */
int resp_take(struct req *r, unsigned status, const char *ctype, char *data, size_t n);
/* Sends a JSON writer's document (base/jsonw.h) as the answer; the writer is consumed
 * (released on every path). Returns its sticky error (ERR_NOMEM, ERR_TOOBIG, ERR_INTERNAL
 * for unbalanced nesting) instead of sending, so the handler's return answers 500. */
struct jsonw;
int jsonw_send(struct req *r, unsigned status, struct jsonw *w);
/* Copies the bytes. */
int resp_raw(struct req *r, unsigned status, const char *ctype, const char *data, size_t n);
/* Sends the open file fd (taken: closed when the answer is done, or now on failure) of
 * size bytes as the answer, read by the server as it goes out (never held in memory):
 * downloads. Returns 0. */
int resp_file(struct req *r, unsigned status, const char *ctype, int fd, int64_t size);
/* Adds a header (copied); at most 8 per response. */
int resp_header(struct req *r, const char *name, const char *value);
/* Sets the error message for the answer a handler's negative return will produce;
 * returns code so handlers can `return req_fail(r, ERR_NOTFOUND, "no such region");`. */
int req_fail(struct req *r, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* ---- slow work off the HTTP threads ---- */
struct workpool;
#define HTTP_DEFERRED 1 /* a handler's return after req_defer succeeded */
/* Hands the rest of the request to a worker of wp: the connection is suspended (the HTTP
 * thread serves others meanwhile), fn(r, arg) runs on the worker and sets the response or
 * returns an ERR_* code, then the connection resumes and the answer goes out.
 * Returns HTTP_DEFERRED, or ERR_BUSY at once when the pool's queue is full. */
int req_defer(struct req *r, struct workpool *wp, int (*fn)(struct req *r, void *arg), void *arg);
/* A request cookie's value, or NULL. */
const char *req_cookie(const struct req *r, const char *name);

/* The one mapping from ERR_* codes to HTTP statuses. */
unsigned http_status_for(int code);

#endif
