/*
 * mix.c - a small keep-alive HTTP load generator for the read/write mix (issue 10 item 6):
 * wrk reports one latency histogram for all requests, and the target is a p99 for each
 * kind. Every connection sends GETs and, every `-w`th request on average, a POST whose body
 * is the template with "%s" replaced by a code unique to the run; each answer's latency is
 * recorded by kind, measured at the client (queueing in the server included).
 *
 *   mix -c 64 -t 2 -d 10 -w 20 -H 'Authorization: Bearer kx_...' \
 *       -g /api/v1/orgs/13 -p /api/v1/orgs -b '{"code":"%s",...}' 127.0.0.1:8080
 *
 * Prints one line: "get N rps P50 P99 | post N rps P50 P99 | total RPS | errors E" (ms).
 * Bench code: it trusts the server to answer with Content-Length (MHD does).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct opts {
	int conns, threads, duration, write_pct;
	const char *header, *get_path, *post_path, *body, *host;
	int port;
	unsigned run;
};

struct samples {
	uint32_t *v; /* microseconds */
	size_t n, cap;
};

struct conn {
	int fd, id;
	bool post;
	uint64_t t0, seq;
	char in[65536];
	size_t have;
};

struct worker {
	const struct opts *o;
	int index, nconns;
	struct samples get, post;
	uint64_t errors;
	pthread_t th;
};

static uint64_t now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void add(struct samples *s, uint64_t us)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 65536;
		s->v = realloc(s->v, s->cap * sizeof(*s->v));
		if (!s->v) {
			perror("realloc");
			exit(1);
		}
	}
	s->v[s->n++] = (uint32_t)(us > UINT32_MAX ? UINT32_MAX : us);
}

static int cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

static double pct(struct samples *s, double p)
{
	if (!s->n)
		return 0;
	size_t i = (size_t)(p * (double)(s->n - 1));
	return s->v[i] / 1000.0;
}

static int dial(const struct opts *o)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)o->port)};
	inet_pton(AF_INET, o->host, &a.sin_addr);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a))) {
		perror("connect");
		exit(1);
	}
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

static void send_next(struct worker *w, struct conn *c)
{
	const struct opts *o = w->o;
	char req[4096];
	int n;
	c->seq++;
	/* every (100 / write_pct)th request of a connection is a POST, connections offset */
	c->post = o->write_pct > 0 && (c->seq + (uint64_t)c->id) % (uint64_t)(100 / o->write_pct) == 0;
	if (c->post) {
		char code[33], body[2048];
		snprintf(code, sizeof(code), "M%x-%d-%d-%llu", o->run, w->index, c->id,
			 (unsigned long long)c->seq);
		snprintf(body, sizeof(body), o->body, code);
		n = snprintf(req, sizeof(req),
			     "POST %s HTTP/1.1\r\nHost: %s\r\n%s%sContent-Type: application/json\r\n"
			     "Content-Length: %zu\r\n\r\n%s",
			     o->post_path, o->host, o->header ? o->header : "", o->header ? "\r\n" : "",
			     strlen(body), body);
	} else {
		n = snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: %s\r\n%s%s\r\n", o->get_path,
			     o->host, o->header ? o->header : "", o->header ? "\r\n" : "");
	}
	c->t0 = now_us();
	c->have = 0;
	if (write(c->fd, req, (size_t)n) != n) {
		perror("write");
		exit(1);
	}
}

/* 1 when a whole answer is in, 0 when more is needed, -1 on a broken one. */
static int answer_done(struct conn *c, int *status)
{
	c->in[c->have < sizeof(c->in) ? c->have : sizeof(c->in) - 1] = '\0';
	char *end = strstr(c->in, "\r\n\r\n");
	if (!end)
		return 0;
	*status = atoi(c->in + 9);
	size_t head = (size_t)(end - c->in) + 4, len = 0;
	for (char *p = c->in; p < end; p++)
		if ((p == c->in || p[-1] == '\n') && !strncasecmp(p, "Content-Length:", 15))
			len = (size_t)strtoul(p + 15, NULL, 10);
	if (head + len > sizeof(c->in))
		return -1;
	return c->have >= head + len;
}

static void *run(void *arg)
{
	struct worker *w = arg;
	const struct opts *o = w->o;
	int ep = epoll_create1(0);
	struct conn *cs = calloc((size_t)w->nconns, sizeof(*cs));
	for (int i = 0; i < w->nconns; i++) {
		cs[i].fd = dial(o);
		cs[i].id = w->index * 1000 + i;
		struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &cs[i]};
		epoll_ctl(ep, EPOLL_CTL_ADD, cs[i].fd, &ev);
		send_next(w, &cs[i]);
	}
	uint64_t until = now_us() + (uint64_t)o->duration * 1000000u;
	struct epoll_event evs[256];
	while (now_us() < until) {
		int n = epoll_wait(ep, evs, 256, 100);
		for (int i = 0; i < n; i++) {
			struct conn *c = evs[i].data.ptr;
			ssize_t r = read(c->fd, c->in + c->have, sizeof(c->in) - 1 - c->have);
			if (r <= 0) { /* the server closed: count it, dial again */
				w->errors++;
				epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
				close(c->fd);
				c->fd = dial(o);
				struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
				epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
				send_next(w, c);
				continue;
			}
			c->have += (size_t)r;
			int status = 0, d = answer_done(c, &status);
			if (d == 0)
				continue;
			uint64_t us = now_us() - c->t0;
			if (d < 0 || status < 200 || status > 299)
				w->errors++;
			else
				add(c->post ? &w->post : &w->get, us);
			send_next(w, c);
		}
	}
	for (int i = 0; i < w->nconns; i++)
		close(cs[i].fd);
	free(cs);
	close(ep);
	return NULL;
}

static void merge(struct samples *into, const struct samples *s)
{
	for (size_t i = 0; i < s->n; i++)
		add(into, s->v[i]);
}

int main(int argc, char **argv)
{
	struct opts o = {.conns = 64,
			 .threads = 2,
			 .duration = 10,
			 .write_pct = 20,
			 .get_path = "/",
			 .post_path = "/",
			 .body = "{}"};
	int ch;
	while ((ch = getopt(argc, argv, "c:t:d:w:H:g:p:b:")) != -1) {
		switch (ch) {
		case 'c': o.conns = atoi(optarg); break;
		case 't': o.threads = atoi(optarg); break;
		case 'd': o.duration = atoi(optarg); break;
		case 'w': o.write_pct = atoi(optarg); break;
		case 'H': o.header = optarg; break;
		case 'g': o.get_path = optarg; break;
		case 'p': o.post_path = optarg; break;
		case 'b': o.body = optarg; break;
		default:
			fprintf(stderr, "usage: mix [-c conns] [-t threads] [-d seconds] [-w write%%] "
					"[-H header] -g GET_PATH -p POST_PATH -b BODY HOST:PORT\n");
			return 2;
		}
	}
	if (optind >= argc || o.threads < 1 || o.conns < o.threads || o.write_pct < 0 || o.write_pct > 50) {
		fprintf(stderr, "mix: give HOST:PORT; -w between 0 and 50\n");
		return 2;
	}
	static char host[64];
	snprintf(host, sizeof(host), "%s", argv[optind]);
	char *colon = strrchr(host, ':');
	if (!colon)
		return 2;
	*colon = '\0';
	o.host = host;
	o.port = atoi(colon + 1);
	o.run = (unsigned)time(NULL) ^ ((unsigned)getpid() << 16);
	struct worker *ws = calloc((size_t)o.threads, sizeof(*ws));
	for (int i = 0; i < o.threads; i++) {
		ws[i].o = &o;
		ws[i].index = i;
		ws[i].nconns = o.conns / o.threads + (i < o.conns % o.threads);
		pthread_create(&ws[i].th, NULL, run, &ws[i]);
	}
	struct samples get = {0}, post = {0};
	uint64_t errors = 0;
	for (int i = 0; i < o.threads; i++) {
		pthread_join(ws[i].th, NULL);
		merge(&get, &ws[i].get);
		merge(&post, &ws[i].post);
		errors += ws[i].errors;
	}
	qsort(get.v, get.n, sizeof(*get.v), cmp);
	qsort(post.v, post.n, sizeof(*post.v), cmp);
	double d = o.duration;
	printf("get %zu %.0f %.3f %.3f | post %zu %.0f %.3f %.3f | total %.0f | errors %llu\n", get.n,
	       (double)get.n / d, pct(&get, 0.5), pct(&get, 0.99), post.n, (double)post.n / d,
	       pct(&post, 0.5), pct(&post, 0.99), (double)(get.n + post.n) / d, (unsigned long long)errors);
	return 0;
}
