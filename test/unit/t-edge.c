/* t-edge.c - the pure parts of http/edge.c (issue 8 case 13): trusted proxy lists, addresses
 * as X-Forwarded-For writes them, and which hop is the client. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "http/internal.h"

static void text_of(const char *in, char *out, size_t cap)
{
	uint8_t a[16];
	if (!edge_addr_parse(in, strlen(in), a))
		snprintf(out, cap, "(bad)");
	else
		edge_addr_text(a, out, cap);
}

static void t_addresses(void **st)
{
	(void)st;
	static const struct {
		const char *in, *want;
	} cases[] = {
		{"1.2.3.4", "1.2.3.4"},
		{"0.0.0.0", "0.0.0.0"},
		{"255.255.255.255", "255.255.255.255"},
		{"10.100.9.200", "10.100.9.200"},
		{" 1.2.3.4 ", "1.2.3.4"},
		{"1.2.3.4:8080", "1.2.3.4"},
		{"2001:DB8::1", "2001:db8::1"},
		{"[2001:db8::1]", "2001:db8::1"},
		{"[2001:db8::1]:443", "2001:db8::1"},
		{"::ffff:10.1.2.3", "10.1.2.3"}, /* a v4-mapped address is the IPv4 client */
		{"::1", "::1"},
		{"unknown", "(bad)"},
		{"", "(bad)"},
		{"1.2.3", "(bad)"},
		{"1.2.3.4:", "(bad)"},
		{"1.2.3.4:80x", "(bad)"},
		{"[2001:db8::1", "(bad)"},
		{"[2001:db8::1]x", "(bad)"},
		{"[]", "(bad)"},
		{"300.1.1.1", "(bad)"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char got[64];
		text_of(cases[i].in, got, sizeof(got));
		if (strcmp(got, cases[i].want))
			fail_msg("'%s': got %s, want %s", cases[i].in, got, cases[i].want);
	}
}

static void t_proxy_lists(void **st)
{
	(void)st;
	struct cidr l[EDGE_PROXIES_MAX];
	int n;
	char err[160];
	assert_int_equal(edge_proxies_parse("10.0.0.0/8, 192.168.1.7 ::1,fd00::/8", l, EDGE_PROXIES_MAX, &n,
					    err, sizeof(err)),
			 0);
	assert_int_equal(n, 4);
	assert_int_equal(edge_proxies_parse("", l, EDGE_PROXIES_MAX, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 0);
	assert_int_equal(edge_proxies_parse(NULL, l, EDGE_PROXIES_MAX, &n, err, sizeof(err)), 0);
	static const char *const bad[] = {"10.0.0.0/33", "::1/129", "10.0.0.0/",   "10.0.0.0/x",
					  "1.2.3.4:80",  "[::1]",   "example.com", "10.0.0.0/-1"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		if (edge_proxies_parse(bad[i], l, EDGE_PROXIES_MAX, &n, err, sizeof(err)) != ERR_INVALID)
			fail_msg("'%s' was accepted", bad[i]);
		assert_non_null(strstr(err, "trusted_proxies"));
	}
	/* more entries than fit */
	char many[2048] = "";
	size_t len = 0;
	for (int i = 0; i <= EDGE_PROXIES_MAX; i++)
		len += (size_t)snprintf(many + len, sizeof(many) - len, "10.0.%d.1,", i);
	assert_int_equal(edge_proxies_parse(many, l, EDGE_PROXIES_MAX, &n, err, sizeof(err)), ERR_INVALID);
}

static bool trusted(const char *list, const char *addr)
{
	struct cidr l[EDGE_PROXIES_MAX];
	int n;
	char err[160];
	uint8_t a[16];
	assert_int_equal(edge_proxies_parse(list, l, EDGE_PROXIES_MAX, &n, err, sizeof(err)), 0);
	assert_true(edge_addr_parse(addr, strlen(addr), a));
	return edge_trusted(l, n, a);
}

static void t_membership(void **st)
{
	(void)st;
	assert_true(trusted("10.0.0.0/8", "10.255.1.2"));
	assert_false(trusted("10.0.0.0/8", "11.0.0.1"));
	assert_true(trusted("192.168.1.7", "192.168.1.7"));
	assert_false(trusted("192.168.1.7", "192.168.1.8"));
	assert_true(trusted("172.16.0.0/12", "172.31.255.255"));
	assert_false(trusted("172.16.0.0/12", "172.32.0.0"));
	assert_true(trusted("0.0.0.0/0", "8.8.8.8"));
	assert_false(trusted("0.0.0.0/0", "2001:db8::1")); /* an IPv4 list holds no IPv6 client */
	assert_true(trusted("2001:db8::/32", "2001:db8:ffff::1"));
	assert_false(trusted("2001:db8::/32", "2001:db9::1"));
	assert_true(trusted("::1", "::1"));
	assert_true(trusted("10.1.2.3/8", "10.9.9.9")); /* host bits in the network are ignored */
}

static void forwarded(const char *list, const char *peer, const char *const *values, int n, const char *want)
{
	struct cidr l[EDGE_PROXIES_MAX];
	int nl;
	char err[160], got[64];
	uint8_t p[16], out[16];
	assert_int_equal(edge_proxies_parse(list, l, EDGE_PROXIES_MAX, &nl, err, sizeof(err)), 0);
	assert_true(edge_addr_parse(peer, strlen(peer), p));
	edge_forwarded(l, nl, p, values, n, out);
	edge_addr_text(out, got, sizeof(got));
	if (strcmp(got, want))
		fail_msg("peer %s, %d values: got %s, want %s", peer, n, got, want);
}

static void t_client_behind_proxies(void **st)
{
	(void)st;
	const char *one[] = {"203.0.113.5"};
	const char *spoof[] = {"198.51.100.1, 203.0.113.5"};
	const char *chain[] = {"198.51.100.1, 203.0.113.5, 10.0.0.2, 10.0.0.3"};
	const char *all_trusted[] = {"10.0.0.9, 10.0.0.2"};
	const char *fields[] = {"198.51.100.1", "203.0.113.5, 10.0.0.2"}; /* two fields in order */
	const char *junk[] = {"203.0.113.5, garbage, 10.0.0.2"};
	const char *empty_hop[] = {"203.0.113.5,,"};
	const char *v6[] = {"2001:db8::5"};
	forwarded("10.0.0.0/8", "11.1.1.1", one, 1, "11.1.1.1");  /* untrusted peer: XFF ignored */
	forwarded("10.0.0.0/8", "10.0.0.1", NULL, 0, "10.0.0.1"); /* trusted, no XFF: the proxy */
	forwarded("10.0.0.0/8", "10.0.0.1", one, 1, "203.0.113.5");
	forwarded("10.0.0.0/8", "10.0.0.1", spoof, 1, "203.0.113.5");    /* left of the client: ignored */
	forwarded("10.0.0.0/8", "10.0.0.1", chain, 1, "203.0.113.5");    /* trusted hops skipped */
	forwarded("10.0.0.0/8", "10.0.0.1", all_trusted, 1, "10.0.0.9"); /* all trusted: the left-most */
	forwarded("10.0.0.0/8", "10.0.0.1", fields, 2, "203.0.113.5");   /* the last field counts first */
	forwarded("10.0.0.0/8", "10.0.0.1", junk, 1, "10.0.0.2");        /* garbage: the hop that sent it */
	forwarded("10.0.0.0/8", "10.0.0.1", empty_hop, 1, "10.0.0.1");
	forwarded("::1, 10.0.0.0/8", "::1", v6, 1, "2001:db8::5");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_addresses),
		cmocka_unit_test(t_proxy_lists),
		cmocka_unit_test(t_membership),
		cmocka_unit_test(t_client_behind_proxies),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
