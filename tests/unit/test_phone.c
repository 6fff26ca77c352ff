/* Unit tests for core/phone.h: phone_normalize and phone_line_type (the
 * libphonenumber shim in src/core/phone.cc) and the pure-C phone_is_e164 and
 * phone_digits (src/core/phone.c).
 *
 * Demo data and these tests use fictional numbers. libphonenumber (Debian's
 * 8.12.57 metadata) accepts NPA-555-0100..0199 as valid in every real US area
 * code (upstream issue google/libphonenumber#1393 asks to reject them; open
 * since 2016). test_demo_555_range pins that: if a metadata update starts
 * refusing them, it fails here first and the demo generator must move. Area
 * code 555 itself is never valid, so "(555) 123-4567" is refused. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "core/phone.h"

/* Normalizes raw in region and checks the result is exactly want. */
static void expect_ok(const char *raw, const char *region, const char *want)
{
	char out[PHONE_E164_SIZE];
	enum err rc = phone_normalize(raw, region, out, sizeof out);

	if (rc != ERR_OK)
		fail_msg("[%s] in %s: got %s, want %s", raw, region ? region : "(null)",
			 err_str(rc), want);
	if (strcmp(out, want) != 0)
		fail_msg("[%s] in %s: got %s, want %s", raw, region ? region : "(null)", out, want);
	if (!phone_is_e164(out))
		fail_msg("[%s]: output %s is not E.164", raw, out);
}

/* Checks that raw in region fails with want_rc and leaves out empty. */
static void expect_fail(const char *raw, const char *region, enum err want_rc)
{
	char out[PHONE_E164_SIZE];
	enum err rc;

	memset(out, 'z', sizeof out);
	rc = phone_normalize(raw, region, out, sizeof out);
	if (rc != want_rc)
		fail_msg("[%s] in %s: got %s (%.*s), want %s", raw ? raw : "(null)",
			 region ? region : "(null)", err_str(rc), (int)sizeof out, out,
			 err_str(want_rc));
	assert_string_equal(out, "");
}

static void test_us_formats(void **state)
{
	static const char *const spellings[] = {
		"(415) 555-2671", "415-555-2671", "415.555.2671", "415 555 2671",
		"4155552671", "1 (415) 555-2671", "1-415-555-2671", "14155552671",
		"+1 415 555 2671", "+1 (415) 555-2671", "+1-415-555-2671", "+14155552671",
		"  415 555 2671  ", "tel:+1-415-555-2671",
	};

	(void)state;
	for (size_t i = 0; i < sizeof spellings / sizeof spellings[0]; i++)
		expect_ok(spellings[i], "US", "+14155552671");
	expect_ok("212-555-0123", "US", "+12125550123");
	expect_ok("+1 415 555 0132", "US", "+14155550132");
	/* The region only fills in a missing country code. */
	expect_ok("+1 415 555 2671", "GB", "+14155552671");
	/* Full-width digits, as some phone keyboards type them. */
	expect_ok("\xef\xbc\x94\xef\xbc\x91\xef\xbc\x95 \xef\xbc\x95\xef\xbc\x95\xef\xbc\x95 "
		  "\xef\xbc\x92\xef\xbc\x96\xef\xbc\x97\xef\xbc\x91",
		  "US", "+14155552671");
}

/* The fictional ranges demo data draws from; see the comment at the top. */
static void test_demo_555_range(void **state)
{
	static const int area_codes[] = { 212, 312, 415, 617, 202, 213, 305, 646, 718 };
	char raw[32];

	(void)state;
	for (size_t i = 0; i < sizeof area_codes / sizeof area_codes[0]; i++) {
		for (int line = 100; line <= 199; line++) {
			char want[32];

			snprintf(raw, sizeof raw, "(%d) 555-%04d", area_codes[i], line);
			snprintf(want, sizeof want, "+1%d555%04d", area_codes[i], line);
			expect_ok(raw, "US", want);
		}
	}
	expect_ok("+1 415 555 1212", "US", "+14155551212");
	/* Area code 555 does not exist: the format is fine, the number is not. */
	expect_fail("(555) 123-4567", "US", ERR_INVALID);
	expect_fail("555.123.4567 x12", "US", ERR_INVALID);
	expect_fail("+1 555 555 0100", "US", ERR_INVALID);
	/* N11 codes and a leading 0 or 1 are not area codes. */
	expect_fail("(411) 555-0100", "US", ERR_INVALID);
	expect_fail("(111) 555-0100", "US", ERR_INVALID);
}

static void test_toll_free(void **state)
{
	char out[PHONE_E164_SIZE];

	(void)state;
	expect_ok("1-800-555-0199", "US", "+18005550199");
	expect_ok("(888) 555-0100", "US", "+18885550100");
	expect_ok("1-800-FLOWERS", "US", "+18003569377"); /* letters on the keypad */
	assert_int_equal(phone_normalize("1-800-555-0199", "US", out, sizeof out), ERR_OK);
	assert_int_equal(phone_line_type(out), PHONE_LINE_TOLL_FREE);
	assert_int_equal(phone_line_type("+448001234567"), PHONE_LINE_TOLL_FREE);
}

static void test_foreign_with_us_region(void **state)
{
	(void)state;
	/* Ofcom's drama range in London. */
	expect_ok("+44 20 7946 0958", "US", "+442079460958");
	expect_ok("+44 (0)20 7946 0958", "US", "+442079460958");
	expect_ok("011 44 20 7946 0958", "US", "+442079460958"); /* US exit code */
	expect_ok("020 7946 0958", "GB", "+442079460958");
	expect_ok("020 7946 0958", "gb", "+442079460958");
	/* Without the +44, a UK national number is no US number. */
	expect_fail("020 7946 0958", "US", ERR_INVALID);
	expect_ok("+61 491 570 156", "US", "+61491570156");
	expect_ok("+49 30 901820", "US", "+4930901820");
}

static void test_line_types(void **state)
{
	(void)state;
	assert_int_equal(phone_line_type("+442079460958"), PHONE_LINE_LANDLINE);
	assert_int_equal(phone_line_type("+447911123456"), PHONE_LINE_MOBILE);
	assert_int_equal(phone_line_type("+61491570156"), PHONE_LINE_MOBILE);
	assert_int_equal(phone_line_type("+445612345678"), PHONE_LINE_VOIP);
	assert_int_equal(phone_line_type("+18005550199"), PHONE_LINE_TOLL_FREE);
	/* +1 does not separate fixed from mobile: the library says
	 * FIXED_LINE_OR_MOBILE, and we do not guess. */
	assert_int_equal(phone_line_type("+14155552671"), PHONE_LINE_UNKNOWN);
	/* Premium rate has no phone_line of its own. */
	assert_int_equal(phone_line_type("+19005550100"), PHONE_LINE_UNKNOWN);
	/* Not valid, not E.164, nothing at all. */
	assert_int_equal(phone_line_type("+15551234567"), PHONE_LINE_UNKNOWN);
	assert_int_equal(phone_line_type("+1 415 555 2671"), PHONE_LINE_UNKNOWN);
	assert_int_equal(phone_line_type("4155552671"), PHONE_LINE_UNKNOWN);
	assert_int_equal(phone_line_type(""), PHONE_LINE_UNKNOWN);
	assert_int_equal(phone_line_type(NULL), PHONE_LINE_UNKNOWN);
}

static void test_extension_stripped(void **state)
{
	static const char *const spellings[] = {
		"415-555-2671 x12", "415.555.2671 x 12", "(415) 555-2671 ext. 12",
		"(415) 555-2671 ext 12", "415 555 2671 extension 12", "+1 415 555 2671;ext=12",
		"415-555-2671 #12", "tel:+1-415-555-2671;ext=12", "+1 (415) 555-2671 ext.12",
	};

	(void)state;
	for (size_t i = 0; i < sizeof spellings / sizeof spellings[0]; i++)
		expect_ok(spellings[i], "US", "+14155552671");
}

static void test_garbage(void **state)
{
	static const char *const junk[] = {
		"hello", "n/a", "-", "()", "+", "12", "555-1234", "415-555-267",
		"+1 415 555 2671 5", "+999 123456789", "+0 415 555 2671",
		"1234567890123456789", "\xff\xfe\x34\x31\x35", "\xc3\x28 415 555 2671",
	};

	(void)state;
	for (size_t i = 0; i < sizeof junk / sizeof junk[0]; i++)
		expect_fail(junk[i], "US", ERR_INVALID);
}

static void test_empty(void **state)
{
	(void)state;
	expect_fail("", "US", ERR_INVALID);
	expect_fail("   ", "US", ERR_INVALID);
	expect_fail(NULL, "US", ERR_INVALID);
}

static void test_too_long(void **state)
{
	char raw[128];

	(void)state;
	/* 64 bytes is the most we hand the library... */
	snprintf(raw, sizeof raw, "%-64s", "+1 415 555 2671");
	assert_int_equal(strlen(raw), 64);
	expect_ok(raw, "US", "+14155552671");
	/* ...one more is refused before it gets there. */
	snprintf(raw, sizeof raw, "%-65s", "+1 415 555 2671");
	expect_fail(raw, "US", ERR_INVALID);
	memset(raw, '1', sizeof raw - 1);
	raw[sizeof raw - 1] = '\0';
	expect_fail(raw, "US", ERR_INVALID);
}

static void test_control_chars(void **state)
{
	static const char *const bad[] = {
		"415-555-2671\n", "415\t555 2671", "\r415-555-2671", "415-555\x01-2671",
		"415-555-2671\x7f", "\x1b[31m415-555-2671",
	};

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		expect_fail(bad[i], "US", ERR_INVALID);
}

static void test_region(void **state)
{
	(void)state;
	expect_ok("415-555-2671", NULL, "+14155552671"); /* PHONE_DEFAULT_REGION */
	expect_ok("415-555-2671", "us", "+14155552671");
	expect_ok("+44 20 7946 0958", "ZZ", "+442079460958");
	expect_fail("415-555-2671", "ZZ", ERR_INVALID); /* ZZ: no default country */
	expect_fail("415-555-2671", "QQ", ERR_INVALID);
	expect_fail("415-555-2671", "USA", ERR_INVALID);
	expect_fail("415-555-2671", "U", ERR_INVALID);
	expect_fail("415-555-2671", "", ERR_INVALID);
	expect_fail("415-555-2671", "1S", ERR_INVALID);
}

static void test_out_buffer(void **state)
{
	char out[PHONE_E164_SIZE];

	(void)state;
	/* "+14155552671" is 12 bytes plus the NUL. */
	assert_int_equal(phone_normalize("415-555-2671", "US", out, 13), ERR_OK);
	assert_string_equal(out, "+14155552671");
	memset(out, 'z', sizeof out);
	assert_int_equal(phone_normalize("415-555-2671", "US", out, 12), ERR_TOO_LARGE);
	assert_string_equal(out, "");
	out[0] = 'z';
	assert_int_equal(phone_normalize("415-555-2671", "US", out, 0), ERR_INVALID);
	assert_int_equal(out[0], 'z');
	assert_int_equal(phone_normalize("415-555-2671", "US", NULL, sizeof out), ERR_INVALID);
}

/* Real numbers shorter than phone_is_e164's 8-digit floor are refused, so
 * that everything phone_normalize writes passes phone_is_e164. */
static void test_short_e164_refused(void **state)
{
	(void)state;
	expect_fail("+683 7290", "US", ERR_INVALID);  /* Niue, 7 digits */
	expect_ok("+290 22158", "US", "+29022158");   /* St Helena, 8 digits */
}

static void test_is_e164(void **state)
{
	(void)state;
	assert_true(phone_is_e164("+14155552671"));
	assert_true(phone_is_e164("+12345678"));        /* 8 digits */
	assert_true(phone_is_e164("+123456789012345")); /* 15 digits */
	assert_false(phone_is_e164("+1234567"));        /* 7 */
	assert_false(phone_is_e164("+1234567890123456")); /* 16 */
	assert_false(phone_is_e164("+12345678901234567890123456789"));
	assert_false(phone_is_e164("+04155552671"));
	assert_false(phone_is_e164("14155552671"));
	assert_false(phone_is_e164("+1 4155552671"));
	assert_false(phone_is_e164("+1-415-555-2671"));
	assert_false(phone_is_e164("+14155552671 "));
	assert_false(phone_is_e164(" +14155552671"));
	assert_false(phone_is_e164("+1415555267a"));
	assert_false(phone_is_e164("+14155552671x12"));
	assert_false(phone_is_e164("++14155552671"));
	assert_false(phone_is_e164("+1415555267\xef\xbc\x91")); /* full-width 1 */
	assert_false(phone_is_e164("+"));
	assert_false(phone_is_e164(""));
	assert_false(phone_is_e164(NULL));
}

static void test_digits(void **state)
{
	char out[32];

	(void)state;
	phone_digits("(555) 123", out, sizeof out);
	assert_string_equal(out, "555123");
	phone_digits("+1 (415) 555-2671 x12", out, sizeof out);
	assert_string_equal(out, "1415555267112");
	phone_digits("no digits here", out, sizeof out);
	assert_string_equal(out, "");
	phone_digits("", out, sizeof out);
	assert_string_equal(out, "");
	phone_digits(NULL, out, sizeof out);
	assert_string_equal(out, "");
	/* Only ASCII digits: a full-width 4 is dropped whole. */
	phone_digits("\xef\xbc\x94" "15", out, sizeof out);
	assert_string_equal(out, "15");
	/* Truncation keeps the leading digits and always terminates. */
	phone_digits("(555) 123", out, 4);
	assert_string_equal(out, "555");
	phone_digits("(555) 123", out, 1);
	assert_string_equal(out, "");
	out[0] = 'z';
	phone_digits("(555) 123", out, 0);
	assert_int_equal(out[0], 'z');
	phone_digits("(555) 123", NULL, sizeof out);
}

#define THREADS 4
#define PER_THREAD 500

/* One worker of test_threads: its own slice of the 555-01XX range. */
static void *normalize_many(void *arg)
{
	int id = *(const int *)arg;
	intptr_t bad = 0;

	for (int i = 0; i < PER_THREAD; i++) {
		char raw[48], want[32], out[PHONE_E164_SIZE];
		int line = 100 + (i + id) % 100;

		snprintf(raw, sizeof raw, "(%d) 555-%04d x%d", 212 + id, line, i);
		snprintf(want, sizeof want, "+1%d555%04d", 212 + id, line);
		if (phone_normalize(raw, "US", out, sizeof out) != ERR_OK || strcmp(out, want) != 0)
			bad++;
		if (phone_line_type(out) != PHONE_LINE_UNKNOWN)
			bad++;
	}
	return (void *)bad;
}

/* phone.h promises thread safety. Registered first, so the workers also
 * race to build libphonenumber's singleton from a cold start. */
static void test_threads(void **state)
{
	pthread_t tids[THREADS];
	int ids[THREADS];

	(void)state;
	for (int i = 0; i < THREADS; i++) {
		ids[i] = i;
		assert_int_equal(pthread_create(&tids[i], NULL, normalize_many, &ids[i]), 0);
	}
	for (int i = 0; i < THREADS; i++) {
		void *bad;

		assert_int_equal(pthread_join(tids[i], &bad), 0);
		assert_int_equal((intptr_t)bad, 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_us_formats),
		cmocka_unit_test(test_demo_555_range),
		cmocka_unit_test(test_toll_free),
		cmocka_unit_test(test_foreign_with_us_region),
		cmocka_unit_test(test_line_types),
		cmocka_unit_test(test_extension_stripped),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_too_long),
		cmocka_unit_test(test_control_chars),
		cmocka_unit_test(test_region),
		cmocka_unit_test(test_out_buffer),
		cmocka_unit_test(test_short_e164_refused),
		cmocka_unit_test(test_is_e164),
		cmocka_unit_test(test_digits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
