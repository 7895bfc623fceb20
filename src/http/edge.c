/*
 * edge.c - where a client meets the server, before any route: who the client is, how many
 * connections it may hold, how long its request head may take, which framing a request may
 * use, and libmicrohttpd's own error lines (see internal.h for the contracts).
 *
 * - The client: the socket's peer; when the peer is a trusted proxy, the right-most
 *   X-Forwarded-For hop that is not itself a trusted proxy (the hops left of it were written
 *   by the client and prove nothing). Rate limits, the audit trail and the access log all
 *   use this one address.
 * - Connections per client: counted in a fixed open-addressed table (twice the connection
 *   limit, so it never fills) keyed by the address, an IPv6 client by its /64; the accept
 *   policy refuses a client at its limit before MHD spends anything on it. Trusted proxies
 *   are exempt (they carry everyone; limit clients at the proxy).
 * - The head deadline: MHD's connection timeout is an idle timeout that every byte resets,
 *   so a client sending one byte every few seconds holds a connection for ever. Every
 *   connection records when its clock for a head starts (accept; after an answer on a
 *   kept-alive connection, the end of the idle timeout, since an idle client reusing its
 *   connection later is no slow one and MHD closes a silent one by then); a watchdog thread
 *   shuts down the socket of any connection still waiting after the deadline, and MHD
 *   closes it on its next read. A slow head on a kept-alive connection so has idle + head
 *   seconds at most. The list is locked while the watchdog
 *   walks it, and MHD calls the close notification before it closes the descriptor, so the
 *   watchdog never touches a descriptor that was reused.
 * - Framing: a request whose length a proxy in front could read differently is refused
 *   (request smuggling): two Content-Length fields (even equal ones), Content-Length with
 *   Transfer-Encoding, a coding other than chunked, whitespace in a field name.
 */
#include "http/internal.h"
#include "base/log.h"
#include "base/timeutil.h"

#include <sodium.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#define EDGE_SLOTS      16384u /* power of two, > 2 x every connection the daemons allow */
#define XFF_VALUES_MAX  16     /* X-Forwarded-For fields looked at (proxies append to the last) */
#define XFF_HOPS_MAX    32     /* trusted hops walked before giving up */
#define HDR_STRUCT_COST 64     /* pool bytes MHD spends per header, cookie or query argument */
#define LOG_PER_WINDOW  20     /* libmicrohttpd lines per 10 s before the rest are counted */

struct slot {
	uint8_t key[16];
	unsigned count; /* 0: empty */
};

struct edge_conn {
	struct edge_conn *prev, *next;
	MHD_socket fd;
	uint8_t key[16];
	bool counted;                /* counted against its client (not a trusted proxy) */
	_Atomic uint64_t head_since; /* monotonic ns since a head is awaited; 0: not waiting */
};

struct edge {
	struct cidr proxies[EDGE_PROXIES_MAX];
	int nproxies;
	unsigned per_client;
	uint64_t head_ns;
	uint64_t idle_ns; /* a kept-alive connection's clock starts this long after its answer */
	unsigned head_s;
	unsigned char hkey[crypto_shorthash_KEYBYTES];
	pthread_mutex_t mu; /* slots and the connection list */
	struct slot *slots;
	struct edge_conn *conns;
	pthread_t watchdog;
	pthread_cond_t cv;
	bool stop, running;
	_Atomic uint64_t refused, slow_closed;
	uint64_t slow_unlogged, slow_logged_at;
	pthread_mutex_t logmu; /* the libmicrohttpd line budget */
	uint64_t log_window;
	unsigned log_count, log_dropped;
};

/* ---- addresses ---- */

static const uint8_t v4_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

static bool is_v4(const uint8_t a[16])
{
	return !memcmp(a, v4_prefix, 12);
}

bool edge_addr_parse(const char *s, size_t n, uint8_t out[16])
{
	while (n && (*s == ' ' || *s == '\t'))
		s++, n--;
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	char t[64];
	if (!n || n >= sizeof(t))
		return false;
	if (s[0] == '[') { /* [v6] or [v6]:port */
		const char *close = memchr(s, ']', n);
		if (!close || close == s + 1)
			return false;
		size_t rest = n - (size_t)(close + 1 - s);
		if (rest && (close[1] != ':' || rest < 2 || strspn(close + 2, "0123456789") < rest - 1))
			return false;
		n = (size_t)(close - s - 1);
		memcpy(t, s + 1, n);
	} else {
		memcpy(t, s, n);
		const char *colon = memchr(s, ':', n);
		if (colon && !memchr(colon + 1, ':', n - (size_t)(colon + 1 - s)) && memchr(s, '.', n)) {
			size_t port = n - (size_t)(colon + 1 - s); /* a.b.c.d:port */
			if (!port || strspn(colon + 1, "0123456789") < port)
				return false;
			n = (size_t)(colon - s);
		}
	}
	t[n] = '\0';
	struct in_addr v4;
	struct in6_addr v6;
	if (inet_pton(AF_INET, t, &v4) == 1) {
		memcpy(out, v4_prefix, 12);
		memcpy(out + 12, &v4, 4);
		return true;
	}
	if (inet_pton(AF_INET6, t, &v6) == 1) {
		memcpy(out, &v6, 16);
		return true;
	}
	return false;
}

static bool addr_from_sockaddr(const struct sockaddr *sa, uint8_t out[16])
{
	if (sa->sa_family == AF_INET) {
		memcpy(out, v4_prefix, 12);
		memcpy(out + 12, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, 4);
		return true;
	}
	if (sa->sa_family == AF_INET6) {
		memcpy(out, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, 16);
		return true; /* a v4-mapped peer (dual stack) is already in the IPv4 form */
	}
	return false;
}

void edge_addr_text(const uint8_t a[16], char *out, size_t cap)
{
	if (is_v4(a) && cap >= 16) {
		/* dotted quad by hand: inet_ntop formats through sprintf, once per request */
		size_t n = 0;
		for (int i = 12; i < 16; i++) {
			unsigned v = a[i];
			if (v >= 100)
				out[n++] = (char)('0' + v / 100);
			if (v >= 10)
				out[n++] = (char)('0' + v / 10 % 10);
			out[n++] = (char)('0' + v % 10);
			out[n++] = i < 15 ? '.' : '\0';
		}
		return;
	}
	const char *ok = is_v4(a) ? inet_ntop(AF_INET, a + 12, out, (socklen_t)cap)
				  : inet_ntop(AF_INET6, a, out, (socklen_t)cap);
	if (!ok && cap)
		snprintf(out, cap, "-");
}

int edge_proxies_parse(const char *spec, struct cidr *out, int max, int *n, char *err, size_t cap)
{
	*n = 0;
	for (const char *p = spec ? spec : ""; *p;) {
		p += strspn(p, " ,\t");
		size_t len = strcspn(p, " ,\t");
		if (!len)
			break;
		char item[80];
		if (len >= sizeof(item)) {
			snprintf(err, cap, "trusted_proxies: '%.20s...' is too long", p);
			return ERR_INVALID;
		}
		if (*n >= max) {
			snprintf(err, cap, "trusted_proxies: more than %d entries", max);
			return ERR_INVALID;
		}
		memcpy(item, p, len);
		item[len] = '\0';
		p += len;
		char *slash = strchr(item, '/');
		if (slash)
			*slash = '\0';
		struct cidr c;
		struct in_addr v4;
		unsigned maxbits = 0;
		if (inet_pton(AF_INET, item, &v4) == 1) {
			memcpy(c.a, v4_prefix, 12);
			memcpy(c.a + 12, &v4, 4);
			maxbits = 32;
		} else if (inet_pton(AF_INET6, item, c.a) == 1) {
			maxbits = 128;
		}
		long bits = (long)maxbits;
		bool ok = maxbits != 0;
		if (ok && slash) {
			char *end;
			bits = strtol(slash + 1, &end, 10);
			ok = slash[1] >= '0' && slash[1] <= '9' && !*end && bits <= (long)maxbits;
		}
		if (!ok) {
			if (slash)
				*slash = '/';
			snprintf(err, cap,
				 "trusted_proxies: '%s' is not an address or CIDR (10.0.0.0/8, ::1)", item);
			return ERR_INVALID;
		}
		c.bits = (unsigned)bits + (maxbits == 32 ? 96u : 0u);
		out[(*n)++] = c;
	}
	return 0;
}

static bool in_cidr(const struct cidr *c, const uint8_t a[16])
{
	unsigned full = c->bits / 8, rest = c->bits % 8;
	if (memcmp(c->a, a, full))
		return false;
	if (!rest)
		return true;
	uint8_t mask = (uint8_t)(0xff << (8 - rest));
	return (c->a[full] & mask) == (a[full] & mask);
}

bool edge_trusted(const struct cidr *list, int n, const uint8_t a[16])
{
	for (int i = 0; i < n; i++)
		if (in_cidr(&list[i], a))
			return true;
	return false;
}

void edge_forwarded(const struct cidr *list, int n, const uint8_t peer[16], const char *const *values,
		    int nvalues, uint8_t out[16])
{
	memcpy(out, peer, 16);
	if (!edge_trusted(list, n, peer))
		return;
	int hops = 0;
	for (int v = nvalues - 1; v >= 0; v--) {
		const char *s = values[v];
		size_t end = strlen(s);
		for (;;) {
			size_t start = end;
			while (start > 0 && s[start - 1] != ',')
				start--;
			uint8_t a[16];
			if (!edge_addr_parse(s + start, end - start, a))
				return; /* garbage: keep the trusted hop that passed it on */
			memcpy(out, a, 16);
			if (!edge_trusted(list, n, a) || ++hops >= XFF_HOPS_MAX)
				return;
			if (start == 0)
				break;
			end = start - 1;
		}
	}
}

/* ---- connections per client ---- */

static void client_key(const uint8_t a[16], uint8_t key[16])
{
	memcpy(key, a, 16);
	if (!is_v4(a))
		memset(key + 8, 0, 8); /* one IPv6 client holds a whole /64 */
}

static size_t slot_home(const struct edge *e, const uint8_t key[16])
{
	unsigned char h[crypto_shorthash_BYTES];
	crypto_shorthash(h, key, 16, e->hkey); /* keyed: clients cannot aim at one chain */
	uint64_t v;
	memcpy(&v, h, sizeof(v));
	return (size_t)(v & (EDGE_SLOTS - 1));
}

/* The slot holding key, or the empty slot where it would go. Locked. */
static struct slot *slot_find(struct edge *e, const uint8_t key[16])
{
	for (size_t i = slot_home(e, key);; i = (i + 1) & (EDGE_SLOTS - 1)) {
		struct slot *s = &e->slots[i];
		if (!s->count || !memcmp(s->key, key, 16))
			return s;
	}
}

/* Empties slot i of a linear-probing table, moving later entries of the chain back so
 * every remaining key stays reachable from its home (no tombstones). Locked. */
static void slot_delete(struct edge *e, size_t i)
{
	const size_t mask = EDGE_SLOTS - 1;
	for (size_t j = (i + 1) & mask; e->slots[j].count; j = (j + 1) & mask) {
		size_t home = slot_home(e, e->slots[j].key);
		bool movable = i <= j ? (home <= i || home > j) : (home <= i && home > j);
		if (movable) {
			e->slots[i] = e->slots[j];
			i = j;
		}
	}
	e->slots[i].count = 0;
}

enum MHD_Result edge_accept(void *cls, const struct sockaddr *addr, socklen_t len)
{
	(void)len;
	struct edge *e = cls;
	uint8_t a[16], key[16];
	if (!e->per_client || !addr || !addr_from_sockaddr(addr, a) ||
	    edge_trusted(e->proxies, e->nproxies, a))
		return MHD_YES;
	client_key(a, key);
	pthread_mutex_lock(&e->mu);
	bool full = slot_find(e, key)->count >= e->per_client;
	pthread_mutex_unlock(&e->mu);
	if (full)
		atomic_fetch_add_explicit(&e->refused, 1, memory_order_relaxed);
	return full ? MHD_NO : MHD_YES;
}

static void conn_started(struct edge *e, struct MHD_Connection *c, void **socket_context, bool count)
{
	struct edge_conn *ec = calloc(1, sizeof(*ec));
	if (!ec)
		return; /* untracked: no deadline for this one, nothing worse */
	const union MHD_ConnectionInfo *fd = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
	const union MHD_ConnectionInfo *ca = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	uint8_t a[16];
	ec->fd = fd ? fd->connect_fd : MHD_INVALID_SOCKET;
	atomic_store(&ec->head_since, time_mono_ns());
	pthread_mutex_lock(&e->mu);
	if (count && e->per_client && ca && ca->client_addr && addr_from_sockaddr(ca->client_addr, a) &&
	    !edge_trusted(e->proxies, e->nproxies, a)) {
		client_key(a, ec->key);
		struct slot *s = slot_find(e, ec->key);
		if (!s->count)
			memcpy(s->key, ec->key, 16);
		s->count++;
		ec->counted = true;
	}
	ec->next = e->conns;
	if (e->conns)
		e->conns->prev = ec;
	e->conns = ec;
	pthread_mutex_unlock(&e->mu);
	*socket_context = ec;
}

static void conn_closed(struct edge *e, void **socket_context)
{
	struct edge_conn *ec = *socket_context;
	if (!ec)
		return;
	pthread_mutex_lock(&e->mu);
	if (ec->counted) {
		struct slot *s = slot_find(e, ec->key);
		if (s->count && --s->count == 0)
			slot_delete(e, (size_t)(s - e->slots));
	}
	if (ec->prev)
		ec->prev->next = ec->next;
	else
		e->conns = ec->next;
	if (ec->next)
		ec->next->prev = ec->prev;
	pthread_mutex_unlock(&e->mu);
	free(ec);
	*socket_context = NULL;
}

void edge_notify(void *cls, struct MHD_Connection *c, void **socket_context,
		 enum MHD_ConnectionNotificationCode code)
{
	if (code == MHD_CONNECTION_NOTIFY_STARTED)
		conn_started(cls, c, socket_context, true);
	else if (code == MHD_CONNECTION_NOTIFY_CLOSED)
		conn_closed(cls, socket_context);
}

void edge_notify_uncounted(void *cls, struct MHD_Connection *c, void **socket_context,
			   enum MHD_ConnectionNotificationCode code)
{
	if (code == MHD_CONNECTION_NOTIFY_STARTED)
		conn_started(cls, c, socket_context, false);
	else if (code == MHD_CONNECTION_NOTIFY_CLOSED)
		conn_closed(cls, socket_context);
}

static struct edge_conn *conn_of(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	return ci ? ci->socket_context : NULL;
}

void edge_head_in(struct MHD_Connection *c)
{
	struct edge_conn *ec = conn_of(c);
	if (ec)
		atomic_store_explicit(&ec->head_since, 0, memory_order_relaxed);
}

void edge_head_wait(struct edge *e, struct MHD_Connection *c)
{
	struct edge_conn *ec = conn_of(c);
	if (ec) /* in the future: the watchdog's now > since skips it until then */
		atomic_store_explicit(&ec->head_since, time_mono_ns() + e->idle_ns, memory_order_relaxed);
}

/* ---- the head deadline ---- */

static void *watchdog(void *arg)
{
	struct edge *e = arg;
	pthread_mutex_lock(&e->mu);
	while (!e->stop) {
		struct timespec until;
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_nsec += 250 * 1000000L; /* a deadline is kept to within a quarter second */
		until.tv_sec += until.tv_nsec / 1000000000L;
		until.tv_nsec %= 1000000000L;
		pthread_cond_timedwait(&e->cv, &e->mu, &until);
		if (e->stop)
			break;
		uint64_t now = time_mono_ns();
		unsigned closed = 0;
		for (struct edge_conn *ec = e->conns; ec; ec = ec->next) {
			uint64_t since = atomic_load_explicit(&ec->head_since, memory_order_relaxed);
			if (since && now > since && now - since > e->head_ns &&
			    ec->fd != MHD_INVALID_SOCKET) {
				atomic_store(&ec->head_since, 0);
				shutdown(ec->fd, SHUT_RDWR); /* MHD sees the end on its next read */
				closed++;
			}
		}
		if (closed) {
			atomic_fetch_add(&e->slow_closed, closed);
			e->slow_unlogged += closed;
		}
		/* one line per 10 s at most: a slow flood must not flood the log too */
		if (e->slow_unlogged && now - e->slow_logged_at > 10ull * 1000000000ull) {
			uint64_t n = e->slow_unlogged;
			e->slow_unlogged = 0;
			e->slow_logged_at = now;
			pthread_mutex_unlock(&e->mu);
			log_warn(
				"http: closed %llu connection%s whose request head was not complete within %u s",
				(unsigned long long)n, n == 1 ? "" : "s", e->head_s);
			pthread_mutex_lock(&e->mu);
		}
	}
	pthread_mutex_unlock(&e->mu);
	return NULL;
}

int edge_new(const struct edge_opts *o, struct edge **out, char *err, size_t cap)
{
	struct edge *e = calloc(1, sizeof(*e));
	if (!e)
		return ERR_NOMEM;
	int rc = edge_proxies_parse(o->trusted_proxies, e->proxies, EDGE_PROXIES_MAX, &e->nproxies, err, cap);
	if (rc) {
		free(e);
		return rc;
	}
	e->slots = calloc(EDGE_SLOTS, sizeof(*e->slots));
	if (!e->slots) {
		free(e);
		return ERR_NOMEM;
	}
	e->per_client = o->per_client;
	e->head_s = o->head_timeout_s ? o->head_timeout_s : 10;
	e->head_ns = (uint64_t)e->head_s * 1000000000ull;
	e->idle_ns = (uint64_t)(o->idle_timeout_s ? o->idle_timeout_s : 30) * 1000000000ull;
	crypto_shorthash_keygen(e->hkey);
	pthread_mutex_init(&e->mu, NULL);
	pthread_mutex_init(&e->logmu, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&e->cv, &ca);
	pthread_condattr_destroy(&ca);
	if (pthread_create(&e->watchdog, NULL, watchdog, e)) {
		snprintf(err, cap, "cannot start the request-head watchdog");
		edge_free(e);
		return ERR_NOMEM;
	}
	e->running = true;
	*out = e;
	return 0;
}

void edge_free(struct edge *e)
{
	if (!e)
		return;
	if (e->running) {
		pthread_mutex_lock(&e->mu);
		e->stop = true;
		pthread_cond_signal(&e->cv);
		pthread_mutex_unlock(&e->mu);
		pthread_join(e->watchdog, NULL);
	}
	/* the daemons are stopped: every close notification has run */
	pthread_cond_destroy(&e->cv);
	pthread_mutex_destroy(&e->mu);
	pthread_mutex_destroy(&e->logmu);
	free(e->slots);
	free(e);
}

void edge_stats(struct edge *e, uint64_t *refused, uint64_t *slow_closed)
{
	*refused = atomic_load(&e->refused);
	*slow_closed = atomic_load(&e->slow_closed);
}

/* ---- the client's address ---- */

struct xff {
	const char *v[XFF_VALUES_MAX];
	int n;
};

static enum MHD_Result collect_xff(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	(void)kind;
	struct xff *x = cls;
	if (value && !strcasecmp(key, "X-Forwarded-For")) {
		if (x->n == XFF_VALUES_MAX) { /* keep the last ones: proxies append at the end */
			memmove(x->v, x->v + 1, sizeof(x->v[0]) * (XFF_VALUES_MAX - 1));
			x->n--;
		}
		x->v[x->n++] = value;
	}
	return MHD_YES;
}

void edge_client(const struct edge *e, struct MHD_Connection *c, char *out, size_t cap)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	uint8_t peer[16], a[16];
	if (!ci || !ci->client_addr || !addr_from_sockaddr(ci->client_addr, peer)) {
		snprintf(out, cap, "-");
		return;
	}
	memcpy(a, peer, 16);
	if (e && e->nproxies && edge_trusted(e->proxies, e->nproxies, peer)) {
		struct xff x = {.n = 0};
		MHD_get_connection_values(c, MHD_HEADER_KIND, collect_xff, &x);
		edge_forwarded(e->proxies, e->nproxies, peer, x.v, x.n, a);
	}
	edge_addr_text(a, out, cap);
}

/* ---- the request head: size and framing ---- */

struct head_scan {
	int fields, ncl, nte;
	const char *te;
	const char *spaced; /* a field name with whitespace in it */
	size_t cookie_len;
};

static enum MHD_Result scan_field(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	(void)kind;
	struct head_scan *h = cls;
	h->fields++;
	if (!strcasecmp(key, "Content-Length"))
		h->ncl++;
	else if (!strcasecmp(key, "Transfer-Encoding")) {
		h->nte++;
		h->te = value ? value : "";
	} else if (!strcasecmp(key, "Cookie") && value)
		h->cookie_len += strlen(value) + 1;
	if (!h->spaced && strpbrk(key, " \t"))
		h->spaced = key;
	return MHD_YES;
}

int edge_head_check(struct MHD_Connection *c, struct errlist *errs, char *msg, size_t cap, bool *no_room)
{
	const union MHD_ConnectionInfo *hs = MHD_get_connection_info(c,
								     MHD_CONNECTION_INFO_REQUEST_HEADER_SIZE);
	size_t size = hs ? hs->header_size : 0;
	struct head_scan h = {0};
	MHD_get_connection_values(c, MHD_HEADER_KIND, scan_field, &h);
	int cookies = MHD_get_connection_values(c, MHD_COOKIE_KIND, NULL, NULL);
	int args = MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, NULL, NULL);
	/* What MHD already holds in the connection's memory: the head itself, a copy of the
	 * Cookie field and one record per field, cookie and argument. Close to the pool's end
	 * MHD cannot build any answer, so the caller writes it itself. */
	size_t held = size + h.cookie_len +
		      (size_t)(h.fields + (cookies > 0 ? cookies : 0) + (args > 0 ? args : 0)) *
			      HDR_STRUCT_COST;
	*no_room = held > CONN_MEMORY - CONN_ANSWER_RESERVE;
	if (size > HEAD_MAX || h.fields > HEAD_FIELDS_MAX || *no_room) {
		snprintf(msg, cap, "the request head is larger than %d bytes or has more than %d fields",
			 HEAD_MAX, HEAD_FIELDS_MAX);
		return ERR_HEADTOOBIG;
	}
	if (h.spaced) {
		errlist_add(errs, "", "bad_header", "a header field name contains whitespace");
		return ERR_INVALID;
	}
	if (h.ncl > 1) {
		errlist_add(errs, "Content-Length", "duplicate_header",
			    "Content-Length may appear only once");
		return ERR_INVALID;
	}
	if (h.nte > 1) {
		errlist_add(errs, "Transfer-Encoding", "duplicate_header",
			    "Transfer-Encoding may appear only once");
		return ERR_INVALID;
	}
	if (h.nte && h.ncl) {
		errlist_add(errs, "Transfer-Encoding", "conflicting_headers",
			    "send either Content-Length or Transfer-Encoding, not both");
		return ERR_INVALID;
	}
	if (h.nte && strcasecmp(h.te, "chunked")) {
		errlist_add(errs, "Transfer-Encoding", "unsupported_encoding",
			    "only Transfer-Encoding: chunked is accepted");
		return ERR_INVALID;
	}
	return 0;
}

/* ---- libmicrohttpd's own lines ---- */

void edge_log(void *cls, const char *fmt, va_list ap)
{
	struct edge *e = cls;
	char line[512];
	vsnprintf(line, sizeof(line), fmt, ap);
	size_t n = strlen(line);
	while (n && (line[n - 1] == '\n' || line[n - 1] == '\r' || line[n - 1] == ' '))
		line[--n] = '\0';
	for (char *p = line; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' '; /* one event, one line */
	if (!n)
		return;
	uint64_t window = time_mono_ns() / (10ull * 1000000000ull);
	unsigned dropped = 0;
	pthread_mutex_lock(&e->logmu);
	if (window != e->log_window) {
		dropped = e->log_dropped;
		e->log_window = window;
		e->log_count = e->log_dropped = 0;
	}
	bool show = e->log_count < LOG_PER_WINDOW;
	if (show)
		e->log_count++;
	else
		e->log_dropped++;
	pthread_mutex_unlock(&e->logmu);
	if (dropped)
		log_warn("http: libmicrohttpd: %u more lines were not logged", dropped);
	if (show)
		log_warn("http: libmicrohttpd: %s", line);
}
