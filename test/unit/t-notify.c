/* t-notify.c - the outbound hook's pure parts and notify_send on a real SQLite file: the
 * signature against a vector computed independently (Python's hmac), the back-off schedule
 * and its parser, URL and link checks, recipients resolved by role (one row per account,
 * disabled accounts left out), hook deliveries written with the notification and rolled
 * back with it. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hook.h"
#include "core/notify.h"
#include "store/store.h"
#include "testdb.h"

static void t_signature_vector(void **st)
{
	(void)st;
	const char *secret = "test-secret-0123456789", *body = "{\"event\":\"x\"}";
	char sig[80];
	hook_sign((const unsigned char *)secret, strlen(secret), 1764662400, body, strlen(body), sig,
		  sizeof(sig));
	/* python3: hmac.new(b'test-secret-0123456789', b'1764662400.{"event":"x"}', sha256) */
	assert_string_equal(sig, "sha256=41f182424078c0c91e2d7b25e09305d3df829ce4078ed3519a6a9a157d04b71a");
	/* another timestamp, another signature */
	char other[80];
	hook_sign((const unsigned char *)secret, strlen(secret), 1764662401, body, strlen(body), other,
		  sizeof(other));
	assert_string_not_equal(sig, other);
}

static void t_backoff(void **st)
{
	(void)st;
	int b[HOOK_BACKOFF_MAX], n = 0;
	assert_int_equal(hook_backoff_parse("60,300,1800,7200,43200", b, &n), 0);
	assert_int_equal(n, 5);
	const int64_t want[] = {60, 300, 1800, 7200, 43200};
	for (int i = 0; i < 5; i++)
		assert_int_equal(hook_backoff(b, n, i + 1, 1.0), want[i]);
	assert_int_equal(hook_backoff(b, n, 6, 1.0), -1); /* after the last: dead */
	assert_int_equal(hook_backoff(b, n, 0, 1.0), -1);
	assert_int_equal(hook_backoff(b, n, 1, 0.9), 54); /* jitter stays within ±10 % */
	assert_int_equal(hook_backoff(b, n, 1, 1.1), 66);
	assert_int_equal(hook_backoff(b, n, 5, 1.1), 47520);
	assert_int_equal(hook_backoff_parse("1", b, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(hook_backoff(b, n, 1, 0.9), 1); /* never below a second */
	const char *bad[] = {
		"", "0", "60,", ",60", "60,,300", "a", "60;300", "604801", "1,1,1,1,1,1,1,1,1,1,1,1,1"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(hook_backoff_parse(bad[i], b, &n), ERR_INVALID);
}

static void t_urls_and_links(void **st)
{
	(void)st;
	assert_true(hook_url_ok("https://sms.example.cn/hook"));
	assert_true(hook_url_ok("http://127.0.0.1:9000/x?a=1"));
	const char *bad_urls[] = {"ftp://x/y",    "file:///etc/passwd", "gopher://x",
				  "https://",     "http:///x",          "//x/y",
				  "https://a b/", "https://x/\n",       "javascript:alert(1)"};
	for (size_t i = 0; i < sizeof(bad_urls) / sizeof(bad_urls[0]); i++)
		assert_false(hook_url_ok(bad_urls[i]));
	assert_true(notify_link_ok(""));
	assert_true(notify_link_ok("/notices/12"));
	assert_true(notify_link_ok("/orgs/3?tab=children"));
	const char *bad_links[] = {"notices/12", "//evil.example/x",    "/a//b", "https://evil.example/",
				   "/x\\y",      "javascript:alert(1)", "/a b",  "/a\tb",
				   "/x:y"};
	for (size_t i = 0; i < sizeof(bad_links) / sizeof(bad_links[0]); i++)
		assert_false(notify_link_ok(bad_links[i]));
}

/* ---- notify_send on a real database ---- */

static char dir[] = "/tmp/kexie-t-notify-XXXXXX";
static struct app app;
static int64_t org, u1, u2, u3;

static int64_t add_user(struct conn *c, const char *login, const char *status)
{
	int64_t id = 0;
	conn_row(
		c,
		"INSERT INTO app_user (login, display_name, status, password_hash, password_changed_at, created_at)"
		" VALUES ($1, $1, $2, 'x', 0, 0) RETURNING id",
		"tt", "i", login, status, &id);
	return id;
}

static int setup(void **st)
{
	(void)st;
	if (testdb_open(dir, &app.store))
		return -1;
	store_set_owner(app.store, &app);
	app.hook_urls = " https://a.example/hook  https://b.example/hook ";
	app.hook_events = "reminder";
	struct conn *c = NULL;
	if (store_acquire(app.store, STORE_WRITE, &c))
		return -1;
	int rc = conn_row(c,
			  "INSERT INTO org (code, name, level, type, opened_on, version) VALUES "
			  "('T1', 'T', 'national', 'association', '2020-01-01', 1) RETURNING id",
			  "", "i", &org);
	u1 = add_user(c, "n.one", "active");
	u2 = add_user(c, "n.two", "active");
	u3 = add_user(c, "n.off", "disabled");
	/* u1 is staff and org_admin at org: reached twice, one row */
	const char *roles[][2] = {{"staff", "1"}, {"org_admin", "1"}, {"staff", "2"}, {"staff", "3"}};
	for (size_t i = 0; !rc && i < 4; i++) {
		int64_t who = roles[i][1][0] == '1' ? u1 : roles[i][1][0] == '2' ? u2 : u3;
		rc = conn_run(c, "INSERT INTO role_assignment (user_id, role, org_id) VALUES ($1, $2, $3)",
			      "iti", who, roles[i][0], org) < 0;
	}
	store_release(c);
	return rc || !u1 || !u2 || !u3 ? -1 : 0;
}

static int teardown(void **st)
{
	(void)st;
	return testdb_close(app.store, dir);
}

struct send_call {
	const struct notify_msg *m;
	const struct notify_to *to;
	size_t nto;
	int sent;
	bool fail_after;
};

static int send_tx(struct conn *c, void *arg)
{
	struct send_call *x = arg;
	int rc = notify_send(c, x->m, x->to, x->nto, &x->sent);
	return rc ? rc : x->fail_after ? ERR_CONFLICT : 0;
}

static int64_t count(const char *sql)
{
	struct conn *c = NULL;
	int64_t n = -1;
	if (!store_acquire(app.store, STORE_READ, &c))
		conn_row(c, sql, "", "i", &n);
	store_release(c);
	return n;
}

static void t_send_by_role(void **st)
{
	(void)st;
	struct notify_msg m = {.kind = "reminder",
			       .title = "请报送月度工作简报",
			       .body = "截止 6 月 15 日",
			       .link = "/notices/12",
			       .source_kind = "notice",
			       .source_id = 12};
	struct notify_to to[] = {
		{.org_id = org, .role = "staff"}, {.org_id = org, .role = "org_admin"}, {.account_id = u2}};
	struct send_call x = {.m = &m, .to = to, .nto = 3};
	assert_int_equal(store_tx(app.store, send_tx, &x), 0);
	assert_int_equal(x.sent, 2); /* u1 once, u2 once, the disabled account not at all */
	assert_int_equal(count("SELECT count(*) FROM notification"), 2);
	assert_int_equal(count("SELECT count(DISTINCT recipient_id) FROM notification"), 2);
	assert_int_equal(count("SELECT count(*) FROM hook_delivery"), 2); /* one per URL */
	assert_int_equal(
		count("SELECT count(*) FROM hook_delivery WHERE body LIKE '%\"login\":\"n.one\"%' AND "
		      "body LIKE '%\"login\":\"n.two\"%' AND event = 'notification.reminder'"),
		2);
	int64_t unread = 0;
	assert_int_equal(notify_unread(&app, u1, &unread), 0);
	assert_int_equal(unread, 1);
	/* rolled back with the module's transaction: nothing kept */
	x.fail_after = true;
	assert_int_equal(store_tx(app.store, send_tx, &x), ERR_CONFLICT);
	assert_int_equal(count("SELECT count(*) FROM notification"), 2);
	assert_int_equal(count("SELECT count(*) FROM hook_delivery"), 2);
	/* a kind not in hook_events: in-app only */
	struct notify_msg n = {.kind = "notice", .title = "通知"};
	struct send_call y = {.m = &n, .to = &to[2], .nto = 1};
	assert_int_equal(store_tx(app.store, send_tx, &y), 0);
	assert_int_equal(count("SELECT count(*) FROM notification"), 3);
	assert_int_equal(count("SELECT count(*) FROM hook_delivery"), 2);
}

static void t_send_refuses_bad_messages(void **st)
{
	(void)st;
	struct notify_to to = {.account_id = u1};
	char long_title[700];
	memset(long_title, 'x', 201);
	long_title[201] = '\0';
	const struct notify_msg bad[] = {
		{.kind = "gossip", .title = "t"},
		{.kind = "notice", .title = ""},
		{.kind = "notice", .title = long_title},
		{.kind = "notice", .title = "t", .link = "https://evil.example/"},
		{.kind = "notice", .title = "t", .link = "//evil.example"},
		{.kind = "notice", .title = "\xff\xfe"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct send_call x = {.m = &bad[i], .to = &to, .nto = 1};
		assert_int_equal(store_tx(app.store, send_tx, &x), ERR_INVALID);
	}
	struct notify_to norole = {.org_id = org, .role = "emperor"};
	struct notify_msg ok = {.kind = "notice", .title = "t"};
	struct send_call x = {.m = &ok, .to = &norole, .nto = 1};
	assert_int_equal(store_tx(app.store, send_tx, &x), ERR_INVALID);
	/* 200 Chinese characters are 600 bytes: fine */
	char zh[700] = "";
	for (int i = 0; i < 200; i++)
		memcpy(zh + 3 * i, "通", 3);
	struct notify_msg z = {.kind = "notice", .title = zh};
	struct send_call y = {.m = &z, .to = &to, .nto = 1};
	assert_int_equal(store_tx(app.store, send_tx, &y), 0);
}

int main(void)
{
	const struct CMUnitTest pure[] = {
		cmocka_unit_test(t_signature_vector),
		cmocka_unit_test(t_backoff),
		cmocka_unit_test(t_urls_and_links),
	};
	const struct CMUnitTest db[] = {
		cmocka_unit_test(t_send_by_role),
		cmocka_unit_test(t_send_refuses_bad_messages),
	};
	int rc = cmocka_run_group_tests(pure, NULL, NULL);
	return rc + cmocka_run_group_tests(db, setup, teardown);
}
