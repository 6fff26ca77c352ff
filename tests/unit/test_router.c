/* Unit tests for http/router.h: literal and ":param" matching, parameters as
 * pointer+length into the path, what does not match (trailing slash, empty
 * segments), HEAD answering GET routes, the Allow list of a 405 and of
 * OPTIONS, literal segments beating parameters whatever the table order, and
 * patterns with more parameters than struct route_match can hold. Handlers
 * are dummies: matching never calls them.
 *
 * Tests named known_bug_* pin behaviour that disagrees with router.h; they
 * now pass (the bugs are fixed). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "http/router.h"

static enum err h_a(struct req *r)
{
	(void)r;
	return ERR_OK;
}

static enum err h_b(struct req *r)
{
	(void)r;
	return ERR_OK;
}

static const struct route routes[] = {
	{"GET", "/", h_a, ACCESS_PUBLIC, 0, 0},
	{"GET", "/api/health", h_a, ACCESS_PUBLIC, 0, 0},
	{"GET", "/api/calls", h_a, ACCESS_SIGNED_IN, 0, 0},
	{"POST", "/api/calls", h_b, ACCESS_SIGNED_IN, 0, ROUTE_BODY_JSON},
	{"GET", "/api/calls/:id", h_a, ACCESS_SIGNED_IN, 0, 0},
	{"PATCH", "/api/calls/:id", h_b, ACCESS_SIGNED_IN, 0, ROUTE_BODY_JSON},
	{"GET", "/api/calls/:id/followups", h_a, ACCESS_SIGNED_IN, 0, 0},
	{"DELETE", "/api/calls/:id/tags/:tag", h_b, ACCESS_SIGNED_IN, 0, ROUTE_NO_CONTENT},
	{"POST", "/api/login", h_b, ACCESS_PUBLIC, 0, ROUTE_BODY_JSON},
	{"GET", "/p/:a/:b/:c/:d", h_a, ACCESS_PUBLIC, 0, 0},
	{"GET", "/q/:a/:b/:c/:d/:e", h_a, ACCESS_PUBLIC, 0, 0},
};
#define NROUTES (sizeof routes / sizeof routes[0])

/* Index of the matched route in routes[], or -1. */
static int route_index(const struct route_match *m)
{
	for (size_t i = 0; i < NROUTES; i++)
		if (m->route == &routes[i])
			return (int)i;
	return -1;
}

static enum route_result match(const char *method, const char *path, struct route_match *m, char *allow,
			       size_t n)
{
	memset(m, 0, sizeof *m);
	return router_match(routes, NROUTES, method, path, m, allow, n);
}

/* Asserts method+path finds routes[want] with no parameters. */
static void expect_route(const char *method, const char *path, int want)
{
	struct route_match m;
	char allow[128] = "";
	enum route_result rr = match(method, path, &m, allow, sizeof allow);
	if (rr != ROUTE_FOUND)
		fail_msg("%s %s: result %d, want ROUTE_FOUND", method, path, (int)rr);
	if (route_index(&m) != want)
		fail_msg("%s %s: matched route %d, want %d", method, path, route_index(&m), want);
}

/* Asserts the path is unknown to the table (404). */
static void expect_no_path(const char *path)
{
	struct route_match m;
	char allow[128] = "x";
	enum route_result rr = match("GET", path, &m, allow, sizeof allow);
	if (rr != ROUTE_NO_PATH)
		fail_msg("GET [%s]: result %d, want ROUTE_NO_PATH", path, (int)rr);
	char allow2[128] = "x";
	if (router_allow(routes, NROUTES, path, allow2, sizeof allow2))
		fail_msg("router_allow [%s] true (%s), want false", path, allow2);
}

static void test_literal(void **state)
{
	(void)state;
	expect_route("GET", "/", 0);
	expect_route("GET", "/api/health", 1);
	expect_route("GET", "/api/calls", 2);
	expect_route("POST", "/api/calls", 3);
	expect_route("POST", "/api/login", 8);

	struct route_match m;
	char allow[64];
	assert_int_equal(match("GET", "/api/health", &m, allow, sizeof allow), ROUTE_FOUND);
	assert_int_equal(m.nparams, 0);
	assert_ptr_equal(m.route->handler, h_a);
	assert_int_equal(m.route->access, ACCESS_PUBLIC);
}

static void test_literal_must_match_whole_segment(void **state)
{
	(void)state;
	expect_no_path("/api/healthz");
	expect_no_path("/api/healt");
	expect_no_path("/api/Health");
	expect_no_path("/api");
	expect_no_path("/apihealth");
	expect_no_path("/api/health/x");
	expect_no_path("/x/api/health");
	expect_no_path("/api/callsx");
}

static void test_param_extracted(void **state)
{
	(void)state;
	struct route_match m;
	char allow[64];
	const char *path = "/api/calls/0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b";
	assert_int_equal(match("GET", path, &m, allow, sizeof allow), ROUTE_FOUND);
	assert_int_equal(route_index(&m), 4);
	assert_int_equal(m.nparams, 1);
	assert_int_equal(m.name_lens[0], 2);
	assert_memory_equal(m.names[0], "id", 2);
	/* Borrowed from the path: a pointer into it, not a copy. */
	assert_ptr_equal(m.values[0], path + strlen("/api/calls/"));
	assert_int_equal(m.value_lens[0], 36);

	const char *p2 = "/api/calls/42/followups";
	assert_int_equal(match("GET", p2, &m, allow, sizeof allow), ROUTE_FOUND);
	assert_int_equal(route_index(&m), 6);
	assert_int_equal(m.nparams, 1);
	assert_ptr_equal(m.values[0], p2 + 11);
	assert_int_equal(m.value_lens[0], 2);
}

static void test_params_two(void **state)
{
	(void)state;
	struct route_match m;
	char allow[64];
	const char *path = "/api/calls/c1/tags/urgent";
	assert_int_equal(match("DELETE", path, &m, allow, sizeof allow), ROUTE_FOUND);
	assert_int_equal(route_index(&m), 7);
	assert_int_equal(m.nparams, 2);
	assert_int_equal(m.name_lens[0], 2);
	assert_memory_equal(m.names[0], "id", 2);
	assert_int_equal(m.name_lens[1], 3);
	assert_memory_equal(m.names[1], "tag", 3);
	assert_ptr_equal(m.values[0], path + 11);
	assert_int_equal(m.value_lens[0], 2);
	assert_ptr_equal(m.values[1], path + 19);
	assert_int_equal(m.value_lens[1], 6);
}

/* Values are raw path bytes: not percent-decoded, not validated. */
static void test_param_not_decoded(void **state)
{
	(void)state;
	struct route_match m;
	char allow[64];
	const char *path = "/api/calls/a%20b:c";
	assert_int_equal(match("GET", path, &m, allow, sizeof allow), ROUTE_FOUND);
	assert_int_equal(route_index(&m), 4);
	assert_int_equal(m.value_lens[0], strlen("a%20b:c"));
	assert_memory_equal(m.values[0], "a%20b:c", m.value_lens[0]);
}

static void test_trailing_slash_and_empty_segments(void **state)
{
	(void)state;
	expect_no_path("/api/health/");
	expect_no_path("/api/calls/");      /* would be an empty :id */
	expect_no_path("/api/calls/42/");
	expect_no_path("/api/calls//followups");
	expect_no_path("/api//calls");
	expect_no_path("//api/health");
	expect_no_path("/api/health//");
	expect_no_path("/api/calls/42/followups/");
	expect_no_path("/api/calls/42//");
	expect_no_path("//");
	expect_no_path("");
	expect_no_path("api/health");       /* no leading slash */
	expect_no_path("/api/calls/c1/tags/");
}

static void test_head_matches_get(void **state)
{
	(void)state;
	expect_route("HEAD", "/api/health", 1);
	expect_route("HEAD", "/api/calls", 2);
	expect_route("HEAD", "/api/calls/9", 4);

	/* HEAD on a path without GET: 405, and the list has no HEAD. */
	struct route_match m;
	char allow[128];
	assert_int_equal(match("HEAD", "/api/login", &m, allow, sizeof allow), ROUTE_NO_METHOD);
	assert_string_equal(allow, "POST, OPTIONS");
}

static void test_405_allow_list(void **state)
{
	(void)state;
	struct route_match m;
	char allow[128];
	assert_int_equal(match("POST", "/api/calls/9", &m, allow, sizeof allow), ROUTE_NO_METHOD);
	assert_string_equal(allow, "GET, HEAD, PATCH, OPTIONS");
	assert_int_equal(match("DELETE", "/api/calls/9", &m, allow, sizeof allow), ROUTE_NO_METHOD);
	assert_string_equal(allow, "GET, HEAD, PATCH, OPTIONS");
	assert_int_equal(match("PUT", "/api/calls", &m, allow, sizeof allow), ROUTE_NO_METHOD);
	assert_string_equal(allow, "GET, HEAD, POST, OPTIONS");
	assert_int_equal(match("GET", "/api/login", &m, allow, sizeof allow), ROUTE_NO_METHOD);
	assert_string_equal(allow, "POST, OPTIONS");
	assert_int_equal(match("GET", "/api/calls/1/tags/x", &m, allow, sizeof allow), ROUTE_NO_METHOD);
	assert_string_equal(allow, "DELETE, OPTIONS");
	/* Methods are case-sensitive (RFC 9110 §9.1). */
	assert_int_equal(match("get", "/api/health", &m, allow, sizeof allow), ROUTE_NO_METHOD);
	assert_string_equal(allow, "GET, HEAD, OPTIONS");
}

static void test_no_path_leaves_allow_empty(void **state)
{
	(void)state;
	struct route_match m;
	char allow[64] = "junk";
	assert_int_equal(match("GET", "/nope", &m, allow, sizeof allow), ROUTE_NO_PATH);
	assert_string_equal(allow, "");
}

static void test_router_allow(void **state)
{
	(void)state;
	char allow[128];
	assert_true(router_allow(routes, NROUTES, "/api/calls/7", allow, sizeof allow));
	assert_string_equal(allow, "GET, HEAD, PATCH, OPTIONS");
	assert_true(router_allow(routes, NROUTES, "/api/calls", allow, sizeof allow));
	assert_string_equal(allow, "GET, HEAD, POST, OPTIONS");
	assert_true(router_allow(routes, NROUTES, "/api/login", allow, sizeof allow));
	assert_string_equal(allow, "POST, OPTIONS");
	assert_true(router_allow(routes, NROUTES, "/", allow, sizeof allow));
	assert_string_equal(allow, "GET, HEAD, OPTIONS");

	memcpy(allow, "stale", 6);
	assert_false(router_allow(routes, NROUTES, "/api/unknown", allow, sizeof allow));
	assert_string_equal(allow, "");
	assert_false(router_allow(routes, NROUTES, "/api/calls/", allow, sizeof allow));
	assert_false(router_allow(routes, 0, "/api/health", allow, sizeof allow));
	assert_string_equal(allow, "");
}

/* A short Allow buffer is never overrun and stays a terminated list. */
static void test_allow_small_buffer(void **state)
{
	(void)state;
	for (size_t n = 1; n <= 26; n++) {
		char big[64];
		memset(big, '#', sizeof big);
		assert_true(router_allow(routes, NROUTES, "/api/calls/7", big, n));
		size_t len = strnlen(big, sizeof big);
		if (len >= n)
			fail_msg("n=%zu: wrote %zu chars", n, len);
		for (size_t i = n; i < sizeof big; i++)
			if (big[i] != '#')
				fail_msg("n=%zu: byte %zu overwritten", n, i);
		/* Whatever fits is a prefix of the full list, cut at a method. */
		const char *full = "GET, HEAD, PATCH, OPTIONS";
		assert_memory_equal(big, full, len);
		if (len && full[len] != 0 && full[len] != ',')
			fail_msg("n=%zu: [%s] cut inside a method", n, big);
	}
}

/* "/api/calls/views" is a literal route and must win over "/api/calls/:id"
 * whichever comes first in the table; other ids still reach :id. */
static void test_literal_beats_param(void **state)
{
	(void)state;
	static const struct route param_first[] = {
		{"GET", "/api/calls/:id", h_a, ACCESS_SIGNED_IN, 0, 0},
		{"GET", "/api/calls/views", h_b, ACCESS_SIGNED_IN, 0, 0},
	};
	static const struct route literal_first[] = {
		{"GET", "/api/calls/views", h_b, ACCESS_SIGNED_IN, 0, 0},
		{"GET", "/api/calls/:id", h_a, ACCESS_SIGNED_IN, 0, 0},
	};
	const struct route *tables[] = {param_first, literal_first};
	for (int t = 0; t < 2; t++) {
		struct route_match m;
		char allow[64];
		memset(&m, 0, sizeof m);
		assert_int_equal(router_match(tables[t], 2, "GET", "/api/calls/views", &m, allow, sizeof allow),
				 ROUTE_FOUND);
		assert_string_equal(m.route->pattern, "/api/calls/views");
		assert_ptr_equal(m.route->handler, h_b);
		assert_int_equal(m.nparams, 0);

		memset(&m, 0, sizeof m);
		assert_int_equal(router_match(tables[t], 2, "HEAD", "/api/calls/views", &m, allow, sizeof allow),
				 ROUTE_FOUND);
		assert_string_equal(m.route->pattern, "/api/calls/views");

		memset(&m, 0, sizeof m);
		assert_int_equal(router_match(tables[t], 2, "GET", "/api/calls/viewsx", &m, allow, sizeof allow),
				 ROUTE_FOUND);
		assert_string_equal(m.route->pattern, "/api/calls/:id");
		assert_int_equal(m.nparams, 1);
		assert_int_equal(m.value_lens[0], 6);
	}
}

/* Literal wins only for the same method: a literal POST route does not hide
 * the parameter GET route for GET. */
static void test_literal_other_method(void **state)
{
	(void)state;
	static const struct route t[] = {
		{"POST", "/api/calls/bulk", h_b, ACCESS_SIGNED_IN, 0, 0},
		{"GET", "/api/calls/:id", h_a, ACCESS_SIGNED_IN, 0, 0},
	};
	struct route_match m;
	char allow[64];
	memset(&m, 0, sizeof m);
	assert_int_equal(router_match(t, 2, "GET", "/api/calls/bulk", &m, allow, sizeof allow), ROUTE_FOUND);
	assert_ptr_equal(m.route, &t[1]);
	assert_int_equal(m.nparams, 1);
	memset(&m, 0, sizeof m);
	assert_int_equal(router_match(t, 2, "POST", "/api/calls/bulk", &m, allow, sizeof allow), ROUTE_FOUND);
	assert_ptr_equal(m.route, &t[0]);
	assert_int_equal(router_match(t, 2, "POST", "/api/calls/x", &m, allow, sizeof allow), ROUTE_NO_METHOD);
	assert_string_equal(allow, "GET, HEAD, OPTIONS");
}

static void test_max_params(void **state)
{
	(void)state;
	struct route_match m;
	char allow[64];
	const char *path = "/p/w/xx/yyy/zzzz";
	assert_int_equal(match("GET", path, &m, allow, sizeof allow), ROUTE_FOUND);
	assert_int_equal(route_index(&m), 9);
	assert_int_equal(m.nparams, ROUTE_MAX_PARAMS);
	for (int i = 0; i < ROUTE_MAX_PARAMS; i++) {
		assert_int_equal(m.name_lens[i], 1);
		assert_int_equal(m.names[i][0], 'a' + i);
		assert_int_equal(m.value_lens[i], (size_t)i + 1);
	}
	assert_ptr_equal(m.values[3], path + 12);
}

/* A pattern with more parameters than ROUTE_MAX_PARAMS cannot be matched
 * (there is nowhere to put them) and must not write past the arrays. */
static void test_more_than_max_params(void **state)
{
	(void)state;
	struct {
		struct route_match m;
		unsigned char guard[64];
	} s;
	memset(&s, 0, sizeof s);
	memset(s.guard, 0xa5, sizeof s.guard);
	char allow[64] = "x";
	enum route_result rr = router_match(routes, NROUTES, "GET", "/q/1/2/3/4/5", &s.m, allow, sizeof allow);
	assert_int_equal(rr, ROUTE_NO_PATH);
	for (size_t i = 0; i < sizeof s.guard; i++)
		assert_int_equal(s.guard[i], 0xa5);
	assert_false(router_allow(routes, NROUTES, "/q/1/2/3/4/5", allow, sizeof allow));
	assert_string_equal(allow, "");
}

static void test_root_only_matches_root(void **state)
{
	(void)state;
	expect_route("GET", "/", 0);
	static const struct route t[] = {{"GET", "/", h_a, ACCESS_PUBLIC, 0, 0}};
	struct route_match m;
	char allow[64];
	assert_int_equal(router_match(t, 1, "GET", "/x", &m, allow, sizeof allow), ROUTE_NO_PATH);
	assert_int_equal(router_match(t, 1, "GET", "//", &m, allow, sizeof allow), ROUTE_NO_PATH);
	assert_int_equal(router_match(t, 1, "GET", "", &m, allow, sizeof allow), ROUTE_NO_PATH);
}

static void test_empty_table(void **state)
{
	(void)state;
	struct route_match m;
	char allow[64] = "x";
	assert_int_equal(router_match(routes, 0, "GET", "/api/health", &m, allow, sizeof allow), ROUTE_NO_PATH);
	assert_string_equal(allow, "");
}

/* A caller that does not want the Allow list passes (NULL, 0). router_allow
 * then skips the terminating write (n == 0) but allow_add still calls
 * strlen(allow): an out-of-bounds read, or a NULL dereference. */
static void known_bug_allow_size_zero(void **state)
{
	(void)state;
	struct route_match m;
	char one[1] = {'Z'};
	assert_true(router_allow(routes, NROUTES, "/api/health", one, 0));
	assert_int_equal(one[0], 'Z');
	assert_int_equal(router_match(routes, NROUTES, "POST", "/api/health", &m, NULL, 0), ROUTE_NO_METHOD);
	assert_int_equal(router_match(routes, NROUTES, "GET", "/nope", &m, NULL, 0), ROUTE_NO_PATH);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_literal),
		cmocka_unit_test(test_literal_must_match_whole_segment),
		cmocka_unit_test(test_param_extracted),
		cmocka_unit_test(test_params_two),
		cmocka_unit_test(test_param_not_decoded),
		cmocka_unit_test(test_trailing_slash_and_empty_segments),
		cmocka_unit_test(test_head_matches_get),
		cmocka_unit_test(test_405_allow_list),
		cmocka_unit_test(test_no_path_leaves_allow_empty),
		cmocka_unit_test(test_router_allow),
		cmocka_unit_test(test_allow_small_buffer),
		cmocka_unit_test(test_literal_beats_param),
		cmocka_unit_test(test_literal_other_method),
		cmocka_unit_test(test_max_params),
		cmocka_unit_test(test_more_than_max_params),
		cmocka_unit_test(test_root_only_matches_root),
		cmocka_unit_test(test_empty_table),
		cmocka_unit_test(known_bug_allow_size_zero),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
