/* Unit tests for core/twilio_sig.h with Twilio's published examples (the
 * request-validation documentation and its helper libraries' test vectors):
 * a form POST, the JSON-body variant signed through its bodySHA256 query
 * parameter, and the ways a signature must fail. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "core/arena.h"
#include "core/twilio_sig.h"

#define TOKEN "12345"
#define URL "https://mycompany.com/myapp.php?foo=1&bar=2"
#define EXPECTED "0/KCTR6DLpKmkAf8muzZqo1nDgQ="
#define JSON_BODY "{\"property\": \"value\", \"boolean\": true}"
#define JSON_HASH "0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620"
#define JSON_URL URL "&bodySHA256=" JSON_HASH
#define JSON_EXPECTED "a9nBmqA0ju/hNViExpshrM61xv4="

/* Twilio's example parameters, deliberately not in sorted order. */
static struct form_param params_v[] = {
	{"To", "+18005551212"}, {"Caller", "+12349013030"}, {"Digits", "1234"},
	{"From", "+12349013030"}, {"CallSid", "CA1234567890ABCDE"},
};
static const struct form params = {params_v, 5};

static void test_published_example(void **state)
{
	(void)state;
	char sig[TWILIO_SIG_SIZE];
	assert_true(twilio_sig_compute(TOKEN, URL, &params, sig));
	assert_string_equal(sig, EXPECTED);
	assert_true(twilio_sig_valid(TOKEN, URL, &params, NULL, 0, EXPECTED));
}

static void test_parsed_form_matches(void **state)
{
	(void)state;
	static const char body[] = "CallSid=CA1234567890ABCDE&Caller=%2B12349013030&Digits=1234&From=%2B12349013030"
				   "&To=%2B18005551212";
	struct arena *a = arena_new();
	struct form f;
	assert_int_equal(form_parse(a, body, strlen(body), &f), ERR_OK);
	assert_true(twilio_sig_valid(TOKEN, URL, &f, body, strlen(body), EXPECTED));
	arena_free(a);
}

static void test_wrong_signatures(void **state)
{
	(void)state;
	assert_false(twilio_sig_valid(TOKEN, URL, &params, NULL, 0, "0/KCTR6DLpKmkAf8muzZqo1nDgQ"));  /* truncated */
	assert_false(twilio_sig_valid(TOKEN, URL, &params, NULL, 0, "1/KCTR6DLpKmkAf8muzZqo1nDgQ="));
	assert_false(twilio_sig_valid(TOKEN, URL, &params, NULL, 0, ""));
	assert_false(twilio_sig_valid(TOKEN, URL, &params, NULL, 0, NULL));
	assert_false(twilio_sig_valid("54321", URL, &params, NULL, 0, EXPECTED));                /* other token */
	assert_false(twilio_sig_valid("", URL, &params, NULL, 0, EXPECTED));                     /* no token */
	assert_false(twilio_sig_valid(NULL, URL, &params, NULL, 0, EXPECTED));
	assert_false(twilio_sig_valid(TOKEN, URL "&baz=3", &params, NULL, 0, EXPECTED));         /* other URL */
	assert_false(twilio_sig_valid(TOKEN, "http://mycompany.com/myapp.php?foo=1&bar=2", &params, NULL, 0, EXPECTED));
	struct form_param changed_v[5];
	memcpy(changed_v, params_v, sizeof changed_v);
	changed_v[2].value = "1235";                                                             /* tampered value */
	struct form changed = {changed_v, 5};
	assert_false(twilio_sig_valid(TOKEN, URL, &changed, NULL, 0, EXPECTED));
	struct form fewer = {params_v, 4};                                                       /* dropped parameter */
	assert_false(twilio_sig_valid(TOKEN, URL, &fewer, NULL, 0, EXPECTED));
}

static void test_json_body_variant(void **state)
{
	(void)state;
	char sig[TWILIO_SIG_SIZE];
	assert_true(twilio_sig_compute(TOKEN, JSON_URL, NULL, sig));
	assert_string_equal(sig, JSON_EXPECTED);
	assert_true(twilio_sig_valid(TOKEN, JSON_URL, NULL, JSON_BODY, strlen(JSON_BODY), JSON_EXPECTED));
	/* Form parameters play no part in the JSON variant. */
	assert_true(twilio_sig_valid(TOKEN, JSON_URL, &params, JSON_BODY, strlen(JSON_BODY), JSON_EXPECTED));
	/* The body must hash to bodySHA256, and must be given. */
	static const char other[] = "{\"property\": \"value\", \"boolean\": false}";
	assert_false(twilio_sig_valid(TOKEN, JSON_URL, NULL, other, strlen(other), JSON_EXPECTED));
	assert_false(twilio_sig_valid(TOKEN, JSON_URL, NULL, NULL, 0, JSON_EXPECTED));
	assert_false(twilio_sig_valid(TOKEN, JSON_URL, NULL, JSON_BODY, strlen(JSON_BODY), EXPECTED));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_published_example),
		cmocka_unit_test(test_parsed_form_matches),
		cmocka_unit_test(test_wrong_signatures),
		cmocka_unit_test(test_json_body_variant),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
