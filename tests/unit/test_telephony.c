/* Unit tests for the pure parts of providers/telephony.h: the bridge TwiML of
 * both modes (exact documents, XML escaping, size limits), Twilio-shaped ids,
 * and the public base URL that webhook signatures are computed over; Twilio's
 * RFC 2822 dates (providers/twilio_rest.h) and the leg state of each vendor
 * CallStatus (domain/dialer.h). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "domain/dialer.h"
#include "providers/telephony.h"
#include "providers/twilio_rest.h"

static void test_twiml_conference(void **state)
{
	(void)state;
	char out[256];
	assert_true(telephony_twiml_conference("0192f0c4-7b1e-7a3c-9d2e-5f4a3b2c1d0e", out, sizeof out));
	assert_string_equal(out, "<Response><Dial><Conference>call-0192f0c4-7b1e-7a3c-9d2e-5f4a3b2c1d0e"
				 "</Conference></Dial></Response>");
}

static void test_twiml_transfer(void **state)
{
	(void)state;
	char out[256];
	assert_true(telephony_twiml_transfer("+14155550100", "+12125550199", out, sizeof out));
	assert_string_equal(out, "<Response><Dial callerId=\"+14155550100\">+12125550199</Dial></Response>");
}

static void test_twiml_escapes(void **state)
{
	(void)state;
	char out[256];
	assert_true(telephony_twiml_transfer("a\"<b>&", "<x>", out, sizeof out));
	assert_string_equal(out, "<Response><Dial callerId=\"a&quot;&lt;b&gt;&amp;\">&lt;x&gt;</Dial></Response>");
}

static void test_twiml_too_small(void **state)
{
	(void)state;
	char out[40];
	assert_false(telephony_twiml_conference("0192f0c4-7b1e-7a3c-9d2e-5f4a3b2c1d0e", out, sizeof out));
	assert_false(telephony_twiml_transfer("+14155550100", "+12125550199", out, 0));
	/* Exactly fitting (NUL included) works; one byte less does not. */
	char want[] = "<Response><Dial><Conference>call-x</Conference></Dial></Response>";
	char fit[sizeof want];
	assert_true(telephony_twiml_conference("x", fit, sizeof fit));
	assert_string_equal(fit, want);
	assert_false(telephony_twiml_conference("x", fit, sizeof fit - 1));
}

static void test_sids(void **state)
{
	(void)state;
	char a[TEL_SID_SIZE], b[TEL_SID_SIZE];
	telephony_sid_new("CA", a);
	telephony_sid_new("CA", b);
	assert_int_equal(strlen(a), 34);
	assert_true(telephony_sid_valid("CA", a));
	assert_string_not_equal(a, b);
	assert_false(telephony_sid_valid("AC", a));
	assert_true(telephony_sid_valid("CA", "CA0123456789abcdef0123456789ABCDEF"));
	assert_false(telephony_sid_valid("CA", "CA0123456789abcdef0123456789abcde"));
	assert_false(telephony_sid_valid("CA", "CA0123456789abcdef0123456789abcdefg"));
	assert_false(telephony_sid_valid("CA", "CA0123456789abcdef0123456789abcdeg"));
	assert_false(telephony_sid_valid("CA", NULL));
	assert_false(telephony_sid_valid("CA", ""));
}

static void test_public_base(void **state)
{
	(void)state;
	struct config c = {.bind = "127.0.0.1", .public_url = ""};
	char out[128];
	telephony_public_base(&c, 8080, out, sizeof out);
	assert_string_equal(out, "http://127.0.0.1:8080");
	c.public_url = "https://calls.example.com//";
	telephony_public_base(&c, 8080, out, sizeof out);
	assert_string_equal(out, "https://calls.example.com");
}

static void test_twilio_time(void **state)
{
	(void)state;
	assert_int_equal(twilio_time_ms("Fri, 27 Nov 2026 19:37:54 +0000"), INT64_C(1795808274000));
	assert_int_equal(twilio_time_ms("Thu, 01 Jan 1970 00:00:00 +0000"), 0);
	assert_int_equal(twilio_time_ms("2026-11-27T19:37:54Z"), -1);
	assert_int_equal(twilio_time_ms(""), -1);
	assert_int_equal(twilio_time_ms(NULL), -1);
}

static void test_leg_status(void **state)
{
	(void)state;
	static const char *const pairs[][2] = {
		{"queued", "dialing"},  {"initiated", "dialing"}, {"ringing", "ringing"},  {"in-progress", "connected"},
		{"completed", "ended"}, {"busy", "ended"},        {"no-answer", "ended"}, {"canceled", "ended"},
		{"failed", "failed"},
	};
	for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++)
		assert_string_equal(dialer_leg_status(pairs[i][0]), pairs[i][1]);
	assert_null(dialer_leg_status("answered"));
	assert_null(dialer_leg_status(""));
	assert_null(dialer_leg_status(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_twiml_conference), cmocka_unit_test(test_twiml_transfer),
		cmocka_unit_test(test_twiml_escapes),    cmocka_unit_test(test_twiml_too_small),
		cmocka_unit_test(test_sids),             cmocka_unit_test(test_public_base),
		cmocka_unit_test(test_twilio_time),      cmocka_unit_test(test_leg_status),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
