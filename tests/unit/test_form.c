/* Unit tests for core/form.h: urlencoded parsing (order, '+', escapes,
 * empty values, repeated keys), refusal of malformed input, and encoding that
 * parses back; the lenient parse used before a signature is checked. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "core/arena.h"
#include "core/form.h"

static struct arena *a;

static int setup(void **state)
{
	(void)state;
	a = arena_new();
	return a ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	arena_free(a);
	return 0;
}

static struct form parse_ok(const char *body)
{
	struct form f;
	assert_int_equal(form_parse(a, body, strlen(body), &f), ERR_OK);
	return f;
}

static void test_twilio_post(void **state)
{
	(void)state;
	struct form f = parse_ok("CallSid=CA123&From=%2B12125550123&To=%2b14155550100&CallerName=Pat+O%27Brien"
				 "&CallStatus=ringing");
	assert_int_equal(f.n, 5);
	assert_string_equal(f.v[0].key, "CallSid");
	assert_string_equal(f.v[4].key, "CallStatus");
	assert_string_equal(form_get(&f, "From"), "+12125550123");
	assert_string_equal(form_get(&f, "To"), "+14155550100");
	assert_string_equal(form_get(&f, "CallerName"), "Pat O'Brien");
	assert_null(form_get(&f, "callsid"));
	assert_null(form_get(&f, "Nope"));
}

static void test_edges(void **state)
{
	(void)state;
	struct form f = parse_ok("");
	assert_int_equal(f.n, 0);
	f = parse_ok("a=&b&=c&a=2&&d=%E2%82%AC");
	assert_string_equal(form_get(&f, "a"), "");   /* first value wins */
	assert_non_null(form_get(&f, "b"));
	assert_string_equal(form_get(&f, "b"), "");
	assert_string_equal(form_get(&f, "d"), "\xe2\x82\xac");
	f = parse_ok("k%3D=v%26w");
	assert_string_equal(form_get(&f, "k="), "v&w");
}

static void test_malformed(void **state)
{
	(void)state;
	static const char *const bad[] = {"a=%", "a=%4", "a=%zz", "a=%4g", "%=1", "a=%C3%28", "a=%ff", "a=\xc3", NULL};
	for (int i = 0; bad[i]; i++) {
		struct form f;
		assert_int_equal(form_parse(a, bad[i], strlen(bad[i]), &f), ERR_INVALID);
	}
	char many[600 * 4 + 1] = "";
	size_t n = 0;
	for (int i = 0; i < 513; i++)
		n += (size_t)snprintf(many + n, sizeof many - n, "%sa=", i ? "&" : "");
	struct form f;
	assert_int_equal(form_parse(a, many, strlen(many), &f), ERR_INVALID);
}

/* The lenient parse (signatures are checked before the body is judged):
 * what form_parse refuses is kept as written, and flagged. */
static void test_raw(void **state)
{
	(void)state;
	struct form f;
	bool clean = false;
	assert_int_equal(form_parse_raw(a, "a=%zz&b=%4&c=x%00y&d=%C3%28&e=%41", 33, &f, &clean), ERR_OK);
	assert_false(clean);
	assert_int_equal(f.n, 5);
	assert_string_equal(form_get(&f, "a"), "%zz");
	assert_string_equal(form_get(&f, "b"), "%4");
	assert_string_equal(form_get(&f, "c"), "x%00y");
	assert_string_equal(form_get(&f, "d"), "\xc3(");
	assert_string_equal(form_get(&f, "e"), "A");
	assert_int_equal(form_parse_raw(a, "CallSid=CA1&To=%2B1+2", 21, &f, &clean), ERR_OK);
	assert_true(clean);
	assert_string_equal(form_get(&f, "To"), "+1 2");
	char many[600 * 4 + 1] = "";
	size_t n = 0;
	for (int i = 0; i < FORM_MAX_PARAMS + 1; i++)
		n += (size_t)snprintf(many + n, sizeof many - n, "%sa=", i ? "&" : "");
	assert_int_equal(form_parse_raw(a, many, strlen(many), &f, &clean), ERR_INVALID);
}

static void test_round_trip(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b, 4096);
	assert_int_equal(form_append(&b, "To", "+1 415 555-0100"), ERR_OK);
	assert_int_equal(form_append(&b, "Url", "https://x.test/a?b=c&d=e"), ERR_OK);
	assert_int_equal(form_append(&b, "Say", "caf\xc3\xa9 100%"), ERR_OK);
	assert_int_equal(form_append(&b, "Empty", NULL), ERR_OK);
	assert_null(strstr(buf_cstr(&b), "+1")); /* '+' itself is escaped */
	struct form f = parse_ok(buf_cstr(&b));
	assert_int_equal(f.n, 4);
	assert_string_equal(form_get(&f, "To"), "+1 415 555-0100");
	assert_string_equal(form_get(&f, "Url"), "https://x.test/a?b=c&d=e");
	assert_string_equal(form_get(&f, "Say"), "caf\xc3\xa9 100%");
	assert_string_equal(form_get(&f, "Empty"), "");
	buf_cleanup(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_twilio_post),
		cmocka_unit_test(test_edges),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_raw),
		cmocka_unit_test(test_round_trip),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
