/* Unit tests for core/clock.h: RFC 3339 parsing (zones, fractions, offsets,
 * calendar limits, leap seconds, what is refused), formatting (epoch, negative
 * times, year 9999), parse(format(x)) == x over random times checked against
 * the C library's gmtime_r, days_from_civil at known dates, and the test
 * offset moving clock_now_ms but not clock_real_ms. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"

#define DAY_MS 86400000LL
#define MIN_MS (-62167219200000LL)   /* 0000-01-01T00:00:00.000Z */
#define MAX_MS 253402300799999LL     /* 9999-12-31T23:59:59.999Z */

static void expect_ms(const char *s, int64_t want)
{
	int64_t got = -12345;
	if (!clock_parse_rfc3339(s, &got))
		fail_msg("[%s] refused, want %lld", s, (long long)want);
	if (got != want)
		fail_msg("[%s] = %lld, want %lld", s, (long long)got, (long long)want);
}

static void expect_bad(const char *s)
{
	int64_t got = 777;
	if (clock_parse_rfc3339(s, &got))
		fail_msg("[%s] accepted as %lld", s, (long long)got);
}

static void test_parse_basic(void **state)
{
	(void)state;
	expect_ms("1970-01-01T00:00:00Z", 0);
	expect_ms("1970-01-01T00:00:01Z", 1000);
	expect_ms("1969-12-31T23:59:59Z", -1000);
	expect_ms("2026-11-27T17:13:33Z", 1795799613000LL);
	expect_ms("2026-01-01T00:00:00Z", 1767225600000LL);
	expect_ms("2000-02-29T00:00:00Z", 951782400000LL);
	expect_ms("0000-01-01T00:00:00Z", MIN_MS);
	expect_ms("9999-12-31T23:59:59.999Z", MAX_MS);
}

static void test_parse_lower_case(void **state)
{
	(void)state;
	expect_ms("2026-11-27t17:13:33z", 1795799613000LL);
	expect_ms("2026-11-27t17:13:33Z", 1795799613000LL);
	expect_ms("2026-11-27T17:13:33z", 1795799613000LL);
	expect_ms("2026-11-27t17:13:33.5z", 1795799613500LL);
}

static void test_parse_fractions(void **state)
{
	(void)state;
	const int64_t base = 1795799613000LL;
	expect_ms("2026-11-27T17:13:33.1Z", base + 100);
	expect_ms("2026-11-27T17:13:33.12Z", base + 120);
	expect_ms("2026-11-27T17:13:33.123Z", base + 123);
	expect_ms("2026-11-27T17:13:33.1234Z", base + 123);
	expect_ms("2026-11-27T17:13:33.12345Z", base + 123);
	expect_ms("2026-11-27T17:13:33.123456Z", base + 123);
	expect_ms("2026-11-27T17:13:33.1234567Z", base + 123);
	expect_ms("2026-11-27T17:13:33.12345678Z", base + 123);
	expect_ms("2026-11-27T17:13:33.123456789Z", base + 123);
	expect_ms("2026-11-27T17:13:33.0Z", base);
	expect_ms("2026-11-27T17:13:33.000000000Z", base);
	expect_ms("2026-11-27T17:13:33.05Z", base + 50);
	expect_ms("2026-11-27T17:13:33.007Z", base + 7);
	/* Sub-millisecond digits are cut, never rounded into the next second. */
	expect_ms("2026-11-27T17:13:33.999999999Z", base + 999);
	expect_ms("2026-11-27T17:13:33.9999Z", base + 999);
	/* With an offset, and before the epoch (fraction adds to the second). */
	expect_ms("2026-11-27T17:13:33.250+01:00", base + 250 - 3600000);
	expect_ms("1969-12-31T23:59:59.250Z", -750);

	expect_bad("2026-11-27T17:13:33.Z");
	expect_bad("2026-11-27T17:13:33.");
	expect_bad("2026-11-27T17:13:33,5Z");
	expect_bad("2026-11-27T17:13:33.5.5Z");
	expect_bad("2026-11-27T17:13:33.-5Z");
	expect_bad("2026-11-27T17:13:33.5");
}

static void test_parse_offsets(void **state)
{
	(void)state;
	const int64_t midnight = 1767225600000LL; /* 2026-01-01T00:00:00Z */
	expect_ms("2026-01-01T05:30:00+05:30", midnight);
	expect_ms("2025-12-31T16:00:00-08:00", midnight);
	expect_ms("2026-01-01T00:00:00+00:00", midnight);
	expect_ms("2026-01-01T00:00:00-00:00", midnight);
	expect_ms("2026-01-01T00:00:00+23:59", midnight - (23 * 60 + 59) * 60000LL);
	expect_ms("2026-01-01T00:00:00-23:59", midnight + (23 * 60 + 59) * 60000LL);
	expect_ms("2026-01-01T09:45:00+09:45", midnight);
	expect_ms("2026-01-01T00:00:00.5+05:30", midnight - 330 * 60000LL + 500);
	/* Offsets crossing the date and year line. */
	expect_ms("2026-01-01T01:00:00+02:00", midnight - 3600000);
	expect_ms("1970-01-01T00:00:00+01:00", -3600000);

	expect_bad("2026-01-01T00:00:00+0530");
	expect_bad("2026-01-01T00:00:00+05");
	expect_bad("2026-01-01T00:00:00+5:30");
	expect_bad("2026-01-01T00:00:00+05:3");
	expect_bad("2026-01-01T00:00:00+24:00");
	expect_bad("2026-01-01T00:00:00+05:60");
	expect_bad("2026-01-01T00:00:00 +05:30");
	expect_bad("2026-01-01T00:00:00+05:30Z");
	expect_bad("2026-01-01T00:00:00+");
	expect_bad("2026-01-01T00:00:00-");
	expect_bad("2026-01-01T00:00:00UTC");
	expect_bad("2026-01-01T00:00:00GMT");
	expect_bad("2026-01-01T00:00:00+aa:bb");
}

static void test_parse_calendar(void **state)
{
	(void)state;
	expect_ms("2024-02-29T00:00:00Z", 19782 * DAY_MS);
	expect_ms("2000-02-29T12:00:00Z", 951782400000LL + 12 * 3600000LL);
	expect_ms("2400-02-29T00:00:00Z", 13574563200000LL);
	expect_ms("2024-12-31T23:59:59Z", 20088 * DAY_MS + DAY_MS - 1000);
	expect_ms("2026-04-30T00:00:00Z", 1777507200000LL);
	expect_bad("2023-02-29T00:00:00Z");
	expect_bad("1900-02-29T00:00:00Z");
	expect_bad("2100-02-29T00:00:00Z");
	expect_bad("2024-02-30T00:00:00Z");
	expect_bad("2024-04-31T00:00:00Z");
	expect_bad("2024-06-31T00:00:00Z");
	expect_bad("2024-09-31T00:00:00Z");
	expect_bad("2024-11-31T00:00:00Z");
	expect_bad("2024-01-32T00:00:00Z");
	expect_bad("2024-01-00T00:00:00Z");
	expect_bad("2024-00-10T00:00:00Z");
	expect_bad("2024-13-01T00:00:00Z");
	expect_bad("2024-99-01T00:00:00Z");
	expect_bad("2024-01-01T24:00:00Z");
	expect_bad("2024-01-01T23:60:00Z");
	expect_bad("2024-01-01T23:59:61Z");
	expect_bad("2024-01-01T99:00:00Z");
}

static void test_parse_leap_second(void **state)
{
	(void)state;
	/* 23:59:60 is clamped to 23:59:59 of the same day. */
	expect_ms("2016-12-31T23:59:60Z", 1483228799000LL);
	expect_ms("2016-12-31T23:59:60.500Z", 1483228799500LL);
	expect_ms("2016-12-31t23:59:60z", 1483228799000LL);
	expect_ms("2017-01-01T08:59:60+09:00", 1483228799000LL);
}

static void test_parse_refuses(void **state)
{
	(void)state;
	expect_bad("");
	expect_bad("2026");
	expect_bad("2026-11-27");
	expect_bad("2026-11-27T17:13");
	expect_bad("2026-11-27T17:13Z");
	expect_bad("2026-11-27T17:13:33");       /* no zone */
	expect_bad("2026-11-27 17:13:33Z");      /* space separator */
	expect_bad("2026-11-27_17:13:33Z");
	expect_bad("2026-11-27T17:13:33Z ");     /* trailing garbage */
	expect_bad("2026-11-27T17:13:33Zx");
	expect_bad("2026-11-27T17:13:33ZZ");
	expect_bad("2026-11-27T17:13:33+05:30x");
	expect_bad("2026-11-27T17:13:33+05:30:00");
	expect_bad("2026-11-27T17:13:33.123Zjunk");
	expect_bad(" 2026-11-27T17:13:33Z");     /* leading space */
	expect_bad("+2026-11-27T17:13:33Z");
	expect_bad("-2026-11-27T17:13:33Z");
	expect_bad("20261-11-27T17:13:33Z");
	expect_bad("26-11-27T17:13:33Z");
	expect_bad("2026/11/27T17:13:33Z");
	expect_bad("2026-11-27T17.13.33Z");
	expect_bad("2026-1-27T17:13:33Z");
	expect_bad("2026-11-7T17:13:33Z");
	expect_bad("2026-11-27T7:13:33Z");
	expect_bad("2O26-11-27T17:13:33Z");
	expect_bad("2026-11-27T17:13:3xZ");
	expect_bad("2026-11-27T17:13:-3Z");
	expect_bad("20261127T171333Z");
	expect_bad("Fri, 27 Nov 2026 17:13:33 GMT");

	int64_t out = 5;
	assert_false(clock_parse_rfc3339(NULL, &out));

	/* Every prefix of a valid string is refused, and none reads past the end. */
	const char *full = "2026-11-27T17:13:33.123+05:30";
	for (size_t n = 0; n < strlen(full); n++) {
		char *p = malloc(n + 1);
		assert_non_null(p);
		memcpy(p, full, n);
		p[n] = 0;
		int64_t v;
		if (clock_parse_rfc3339(p, &v))
			fail_msg("prefix [%s] accepted", p);
		free(p);
	}
	expect_ms(full, 1795799613123LL - 330 * 60000LL);
}

static void test_format_known(void **state)
{
	(void)state;
	char out[32];
	clock_format_rfc3339(0, out, sizeof out);
	assert_string_equal(out, "1970-01-01T00:00:00.000Z");
	clock_format_rfc3339(1, out, sizeof out);
	assert_string_equal(out, "1970-01-01T00:00:00.001Z");
	clock_format_rfc3339(1795799613123LL, out, sizeof out);
	assert_string_equal(out, "2026-11-27T17:13:33.123Z");
	clock_format_rfc3339(951782400000LL, out, sizeof out);
	assert_string_equal(out, "2000-02-29T00:00:00.000Z");
	clock_format_rfc3339(1483228799500LL, out, sizeof out);
	assert_string_equal(out, "2016-12-31T23:59:59.500Z");
}

static void test_format_negative(void **state)
{
	(void)state;
	char out[32];
	clock_format_rfc3339(-1, out, sizeof out);
	assert_string_equal(out, "1969-12-31T23:59:59.999Z");
	clock_format_rfc3339(-999, out, sizeof out);
	assert_string_equal(out, "1969-12-31T23:59:59.001Z");
	clock_format_rfc3339(-1000, out, sizeof out);
	assert_string_equal(out, "1969-12-31T23:59:59.000Z");
	clock_format_rfc3339(-1001, out, sizeof out);
	assert_string_equal(out, "1969-12-31T23:59:58.999Z");
	clock_format_rfc3339(-DAY_MS, out, sizeof out);
	assert_string_equal(out, "1969-12-31T00:00:00.000Z");
	clock_format_rfc3339(-DAY_MS - 1, out, sizeof out);
	assert_string_equal(out, "1969-12-30T23:59:59.999Z");
	clock_format_rfc3339(-2208988800000LL, out, sizeof out);
	assert_string_equal(out, "1900-01-01T00:00:00.000Z");
	clock_format_rfc3339(MIN_MS, out, sizeof out);
	assert_string_equal(out, "0000-01-01T00:00:00.000Z");
}

static void test_format_year_9999(void **state)
{
	(void)state;
	char out[25];
	memset(out, '#', sizeof out);
	/* Exactly 25 bytes: 24 characters and the NUL. */
	clock_format_rfc3339(MAX_MS, out, sizeof out);
	assert_string_equal(out, "9999-12-31T23:59:59.999Z");
	clock_format_rfc3339(MAX_MS - 999, out, sizeof out);
	assert_string_equal(out, "9999-12-31T23:59:59.000Z");
	clock_format_rfc3339(253370764800000LL, out, sizeof out);
	assert_string_equal(out, "9999-01-01T00:00:00.000Z");
}

static void test_format_small_buffer(void **state)
{
	(void)state;
	char out[32];
	memset(out, '#', sizeof out);
	clock_format_rfc3339(0, out, 11);
	assert_string_equal(out, "1970-01-01");
	assert_int_equal(out[11], '#');
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rng(void)
{
	/* xorshift64*: a fixed seed keeps failures reproducible. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ULL;
}

/* Independent oracle: gmtime_r on the whole seconds. */
static void oracle(int64_t ms, char *out, size_t n)
{
	int64_t secs = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
	int msr = (int)(ms - secs * 1000);
	time_t t = (time_t)secs;
	struct tm tm;
	assert_non_null(gmtime_r(&t, &tm));
	snprintf(out, n, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
		 tm.tm_hour, tm.tm_min, tm.tm_sec, msr);
}

static void test_round_trip_random(void **state)
{
	(void)state;
	const uint64_t span = (uint64_t)(MAX_MS - MIN_MS) + 1;
	for (int i = 0; i < 200000; i++) {
		int64_t x;
		if (i < 100000)
			x = MIN_MS + (int64_t)(rng() % span);
		else /* dense around the epoch and the present */
			x = (int64_t)(rng() % (2ULL * 4102444800000ULL)) - 4102444800000LL / 2;
		char s[32], want[96];
		clock_format_rfc3339(x, s, sizeof s);
		oracle(x, want, sizeof want);
		if (strcmp(s, want) != 0)
			fail_msg("format(%lld) = %s, gmtime says %s", (long long)x, s, want);
		int64_t back;
		if (!clock_parse_rfc3339(s, &back))
			fail_msg("parse(format(%lld)) refused [%s]", (long long)x, s);
		if (back != x)
			fail_msg("parse(format(%lld)) = %lld via [%s]", (long long)x, (long long)back, s);
	}
	/* The edges. */
	static const int64_t edges[] = {MIN_MS, MIN_MS + 1, -1, 0, 1, MAX_MS - 1, MAX_MS};
	for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++) {
		char s[32];
		int64_t back;
		clock_format_rfc3339(edges[i], s, sizeof s);
		assert_true(clock_parse_rfc3339(s, &back));
		assert_int_equal(back, edges[i]);
	}
}

static void test_days_from_civil(void **state)
{
	(void)state;
	assert_int_equal(clock_days_from_civil(1970, 1, 1), 0);
	assert_int_equal(clock_days_from_civil(1970, 1, 2), 1);
	assert_int_equal(clock_days_from_civil(1969, 12, 31), -1);
	assert_int_equal(clock_days_from_civil(2000, 1, 1), 10957);
	assert_int_equal(clock_days_from_civil(2000, 2, 29), 11016);
	assert_int_equal(clock_days_from_civil(2000, 3, 1), 11017);
	assert_int_equal(clock_days_from_civil(2024, 2, 29), 19782);
	assert_int_equal(clock_days_from_civil(2026, 11, 27), 20784);
	assert_int_equal(clock_days_from_civil(1900, 3, 1), -25508);
	assert_int_equal(clock_days_from_civil(1600, 1, 1), -135140);
	assert_int_equal(clock_days_from_civil(1, 1, 1), -719162);
	assert_int_equal(clock_days_from_civil(0, 3, 1), -719468);
	assert_int_equal(clock_days_from_civil(0, 1, 1), -719528);
	assert_int_equal(clock_days_from_civil(9999, 12, 31), 2932896);
	/* Proleptic before year 0: 400-year cycles. */
	assert_int_equal(clock_days_from_civil(-400, 1, 1), -719528 - 146097);
	/* Consecutive days across a whole leap cycle are consecutive numbers. */
	static const unsigned mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int64_t prev = clock_days_from_civil(1599, 12, 31);
	for (int64_t y = 1600; y < 2401; y++) {
		bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
		for (unsigned m = 1; m <= 12; m++) {
			unsigned dim = mdays[m - 1] + (m == 2 && leap);
			for (unsigned d = 1; d <= dim; d++) {
				int64_t cur = clock_days_from_civil(y, m, d);
				if (cur != prev + 1)
					fail_msg("%lld-%02u-%02u = %lld after %lld", (long long)y, m, d,
						 (long long)cur, (long long)prev);
				prev = cur;
			}
		}
	}
}

static void test_offset(void **state)
{
	(void)state;
	assert_int_equal(clock_offset_get(), 0);
	int64_t wall = (int64_t)time(NULL) * 1000;
	int64_t real = clock_real_ms();
	assert_true(llabs(real - wall) < 2000);
	int64_t d0 = clock_now_ms() - clock_real_ms();
	assert_true(llabs(d0) < 1000);

	clock_offset_set(30 * DAY_MS);
	assert_int_equal(clock_offset_get(), 30 * DAY_MS);
	int64_t r1 = clock_real_ms();
	int64_t n1 = clock_now_ms();
	int64_t r2 = clock_real_ms();
	assert_true(n1 >= r1 + 30 * DAY_MS);
	assert_true(n1 <= r2 + 30 * DAY_MS);
	/* The real clock did not move with it. */
	assert_true(llabs(clock_real_ms() - (int64_t)time(NULL) * 1000) < 2000);

	clock_offset_set(-5000);
	assert_int_equal(clock_offset_get(), -5000);
	r1 = clock_real_ms();
	n1 = clock_now_ms();
	r2 = clock_real_ms();
	assert_true(n1 >= r1 - 5000 && n1 <= r2 - 5000);

	clock_offset_set(0);
	assert_int_equal(clock_offset_get(), 0);
	assert_true(llabs(clock_now_ms() - clock_real_ms()) < 1000);
}

static void test_mono(void **state)
{
	(void)state;
	int64_t a = clock_mono_us();
	struct timespec ts = {0, 2000000};
	nanosleep(&ts, NULL);
	int64_t b = clock_mono_us();
	assert_true(b >= a + 1000);
	for (int i = 0; i < 1000; i++) {
		int64_t c = clock_mono_us();
		assert_true(c >= b);
		b = c;
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_basic),
		cmocka_unit_test(test_parse_lower_case),
		cmocka_unit_test(test_parse_fractions),
		cmocka_unit_test(test_parse_offsets),
		cmocka_unit_test(test_parse_calendar),
		cmocka_unit_test(test_parse_leap_second),
		cmocka_unit_test(test_parse_refuses),
		cmocka_unit_test(test_format_known),
		cmocka_unit_test(test_format_negative),
		cmocka_unit_test(test_format_year_9999),
		cmocka_unit_test(test_format_small_buffer),
		cmocka_unit_test(test_round_trip_random),
		cmocka_unit_test(test_days_from_civil),
		cmocka_unit_test(test_offset),
		cmocka_unit_test(test_mono),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
