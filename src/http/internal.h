/*
 * internal.h - what the files of src/http share with each other and nobody else.
 */
#ifndef KEXIE_HTTP_INTERNAL_H
#define KEXIE_HTTP_INTERNAL_H

#include "http/http.h"

#include <microhttpd.h>

#define MAX_PARAMS 6
#define MAX_RESP_HEADERS 8
#define URL_MAX 4096
#define JSON_DEPTH_MAX 64

struct router;
struct static_site;
struct metrics;
struct defer;

struct param {
	const char *name; /* borrowed from the compiled route */
	char *str;        /* owned, decoded */
	int64_t i;
};

struct req {
	struct server *srv;
	struct MHD_Connection *conn;
	const struct route *route;
	int route_idx;     /* -1 unmatched, -2 static files */
	unsigned method;
	char *url;         /* owned copy, decoded path */
	char rid[17];
	uint64_t t0;
	struct param params[MAX_PARAMS];
	int nparams;
	struct buf body;
	size_t body_max;
	bool bodyless;         /* a parameterless action sent without a body */
	bool checked;          /* RF_UPLOAD: the checks before the body ran with the headers */
	json_t *json;
	void *user;
	void *ctx;
	void (*ctx_free)(void *);
	void (*user_free)(void *);
	char addr[64];
	/* response */
	bool queued;
	bool early;         /* an error answered before the body was read */
	size_t discarded;   /* body bytes dropped after an early error */
	unsigned status;
	char *out;          /* owned */
	size_t out_len;
	const char *out_static; /* persistent bytes (static files), not owned */
	const char *ctype;
	struct { char *name, *value; } hdr[MAX_RESP_HEADERS];
	int nhdr;
	bool is_static;
	struct defer *defer; /* set by req_defer */
	/* Large and rarely used: left out of the per-request zeroing (see req_new). */
	char errmsg[256];
	struct errlist errs;
};

/* router.c */
int router_new(const struct route *routes, size_t n, struct router **out);
void router_free(struct router *rt);
/* Matches path+method. Returns the route index (>= 0); ERR_NOTFOUND when no pattern
 * matches; ERR_METHOD when patterns match but not the method (*allow gets the methods);
 * ERR_INVALID when a typed parameter does not parse (r->errs names it). Fills r->params. */
int router_match(const struct router *rt, struct req *r, const char *path, unsigned method,
		 unsigned *allow);
const char *method_name(unsigned m);
unsigned method_parse(const char *s);

/* body.c */
int body_check_query(struct req *r, const struct field *spec);
int body_parse_json(struct req *r, const struct field *spec);
/* Scans raw JSON for invalid UTF-8, U+0000 / lone surrogates and depth; names the field. */
int json_prescan(const char *p, size_t n, int max_depth, struct errlist *errs, char *msg,
		 size_t cap);

/* response.c */
int resp_error(struct req *r, int code);
void resp_security_headers(struct MHD_Response *resp, bool is_html);

/* static.c */
int static_load(const char *dir, struct static_site **out, char *err, size_t cap);
void static_free(struct static_site *s);
/* Answers GET/HEAD for path from the site; returns ERR_NOTFOUND when nothing fits. */
int static_serve(struct static_site *s, struct req *r, const char *path);

/* metrics.c */
int metrics_new(size_t nroutes, struct metrics **out);
void metrics_free(struct metrics *m);
void metrics_record(struct metrics *m, int route_idx, unsigned status, uint64_t ns);
int metrics_render(struct metrics *m, const struct route *routes, size_t n, struct buf *out);

#endif
