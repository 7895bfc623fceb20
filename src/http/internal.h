/*
 * internal.h - what the files of src/http share with each other and nobody else.
 */
#ifndef KEXIE_HTTP_INTERNAL_H
#define KEXIE_HTTP_INTERNAL_H

#include "http/http.h"

#include <microhttpd.h>

#include <stdarg.h>
#include <sys/socket.h>

#define MAX_PARAMS       6
#define MAX_RESP_HEADERS 8
#define URL_MAX          4096
#define JSON_DEPTH_MAX   64
/* The request head (request line, header fields, the empty line) may be HEAD_MAX bytes with
 * at most HEAD_FIELDS_MAX fields; longer is 431 (a URL past URL_MAX is 414 first). The
 * connection's memory (MHD's pool, zeroed for every request: keep it small) holds the head
 * and the answer's header; CONN_ANSWER_RESERVE of it is kept for the answer. */
#define HEAD_MAX            8192
#define HEAD_FIELDS_MAX     100
#define CONN_MEMORY         ((size_t)16 * 1024)
#define CONN_ANSWER_RESERVE ((size_t)2048)

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
	int route_idx; /* -1 unmatched, -2 static files */
	unsigned method;
	char *url; /* owned copy, decoded path */
	char rid[17];
	uint64_t t0;
	struct param params[MAX_PARAMS];
	int nparams;
	struct buf body;
	size_t body_max;
	char *spool_path; /* RF_SPOOL: the body's temporary file (owned; removed at the end) */
	int spool_fd;     /* open while the body arrives, valid when spool_path is set */
	size_t spooled;
	bool bodyless; /* a parameterless action sent without a body */
	bool checked;  /* RF_UPLOAD: the checks before the body ran with the headers */
	json_t *json;
	void *user;
	void *ctx;
	void (*ctx_free)(void *);
	void (*user_free)(void *);
	char addr[64];
	bool side;    /* arrived on the metrics listener */
	bool no_room; /* MHD has no memory left to build an answer: written directly */
	/* response */
	bool queued;
	bool early;       /* an error answered before the body was read */
	size_t discarded; /* body bytes dropped after an early error */
	unsigned status;
	char *out; /* owned */
	size_t out_len;
	const char *out_static; /* persistent bytes (static files), not owned */
	int out_fd;             /* resp_file: the file to send (owned), when has_fd */
	bool has_fd;
	int64_t out_fd_len;
	const char *ctype;
	struct {
		char *name, *value;
	} hdr[MAX_RESP_HEADERS];
	int nhdr;
	bool is_static;
	struct defer *defer; /* set by req_defer */
	/* Large and rarely used: left out of the per-request zeroing (see req_new). */
	char errmsg[256];
	struct errlist errs;
};

/* edge.c: the client's address, connections per client, the head deadline, framing. */
#define EDGE_PROXIES_MAX 32
struct edge;
struct cidr {
	uint8_t a[16]; /* IPv4 as ::ffff:a.b.c.d */
	unsigned bits; /* prefix length over the 128 bits */
};
struct edge_opts {
	const char *trusted_proxies; /* "10.0.0.0/8, ::1"; NULL or "" = none */
	unsigned per_client;         /* connections one client may hold; 0 = no limit */
	unsigned head_timeout_s;     /* a whole request head within this; 0 = 10 */
	unsigned idle_timeout_s;     /* MHD's idle timeout: a kept-alive connection's first bytes
				      * come within this (or MHD closes it); 0 = 30 */
};
/* Parses the proxy list and starts the watchdog. ERR_INVALID with a reason in err for a bad
 * list, ERR_NOMEM. The edge is freed with edge_free after the daemons using it stopped. */
int edge_new(const struct edge_opts *o, struct edge **out, char *err, size_t cap);
void edge_free(struct edge *e);
/* MHD callbacks, cls = the edge: the accept policy (per-client limit), the connection
 * notification (counts, deadline bookkeeping), the external logger. */
enum MHD_Result edge_accept(void *cls, const struct sockaddr *addr, socklen_t len);
void edge_notify(void *cls, struct MHD_Connection *c, void **socket_context,
		 enum MHD_ConnectionNotificationCode code);
/* The same for a listener whose connections count against no client (metrics_listen). */
void edge_notify_uncounted(void *cls, struct MHD_Connection *c, void **socket_context,
			   enum MHD_ConnectionNotificationCode code);
void edge_log(void *cls, const char *fmt, va_list ap);
/* The head of c is in (stop its clock) / c waits for its next head on a kept-alive
 * connection (its clock starts once the idle timeout has passed: the edge cannot see when
 * the next head's first byte arrives, and an idle connection is not a slow one). */
void edge_head_in(struct MHD_Connection *c);
void edge_head_wait(struct edge *e, struct MHD_Connection *c);
/* The head's size and framing: 0; ERR_HEADTOOBIG (message in msg); ERR_INVALID with the
 * field in errs (duplicate Content-Length, Content-Length with Transfer-Encoding, a coding
 * other than chunked, whitespace in a field name). *no_room: MHD cannot build an answer. */
int edge_head_check(struct MHD_Connection *c, struct errlist *errs, char *msg, size_t cap, bool *no_room);
/* The client's address as text ("-" when unknown) into out (cap >= 46). */
void edge_client(const struct edge *e, struct MHD_Connection *c, char *out, size_t cap);
void edge_stats(struct edge *e, uint64_t *refused, uint64_t *slow_closed);
/* Pure parts, unit-tested: a list of CIDRs; one address in X-Forwarded-For forms
 * (1.2.3.4, 1.2.3.4:80, 2001:db8::1, [2001:db8::1]:80); whether a is in the list; the
 * client behind peer given the X-Forwarded-For values in arrival order (peer itself unless
 * it is trusted; else the right-most untrusted hop, the left-most when all are trusted, the
 * last trusted one when a hop is not an address); canonical text of an address. */
int edge_proxies_parse(const char *spec, struct cidr *out, int max, int *n, char *err, size_t cap);
bool edge_addr_parse(const char *s, size_t n, uint8_t out[16]);
bool edge_trusted(const struct cidr *list, int n, const uint8_t a[16]);
void edge_forwarded(const struct cidr *list, int n, const uint8_t peer[16], const char *const *values,
		    int nvalues, uint8_t out[16]);
void edge_addr_text(const uint8_t a[16], char *out, size_t cap);

/* router.c */
int router_new(const struct route *routes, size_t n, struct router **out);
void router_free(struct router *rt);
/* Matches path+method. Returns the route index (>= 0); ERR_NOTFOUND when no pattern
 * matches; ERR_METHOD when patterns match but not the method (*allow gets the methods);
 * ERR_INVALID when a typed parameter does not parse (r->errs names it). Fills r->params. */
int router_match(const struct router *rt, struct req *r, const char *path, unsigned method, unsigned *allow);
const char *method_name(unsigned m);
unsigned method_parse(const char *s);

/* body.c */
int body_check_query(struct req *r, const struct field *spec);
int body_parse_json(struct req *r, const struct field *spec);
/* Scans raw JSON for invalid UTF-8, U+0000 / lone surrogates and depth; names the field. */
int json_prescan(const char *p, size_t n, int max_depth, struct errlist *errs, char *msg, size_t cap);

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
