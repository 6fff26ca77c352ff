/* Unit tests for domain/sla.h with real zones from the system database:
 * SLAs crossing a night, a weekend, a holiday, New York's DST changes in both
 * directions (and Lord Howe's 30-minute one), overnight intervals, lunch
 * breaks, wall against business clock, the issue's rules (missed call 15
 * business minutes, voicemail 60, quote 2 business days), no open time,
 * open/close edges, is_open against a naive wall-clock oracle,
 * between(start, due(start, m)) == m for random m, validation, and the speed
 * of a 2-business-day sla_due. Expected instants are written as local wall
 * times and converted with tz_local_to_utc, whose own tests are test_tz.c. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/tz.h"
#include "domain/sla.h"

#define MIN_MS INT64_C(60000)
#define HM(h, m) ((int16_t)((h) * 60 + (m)))

static const struct tz *ny, *london, *lord_howe, *kolkata, *utc, *la;

static uint64_t rng_state = 0x2545f4914f6cdd1du;

static uint64_t rng(void) /* splitmix64 */
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15u);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

static int setup(void **state)
{
	(void)state;
	ny = tz_get("America/New_York");
	london = tz_get("Europe/London");
	lord_howe = tz_get("Australia/Lord_Howe");
	kolkata = tz_get("Asia/Kolkata");
	utc = tz_get("UTC");
	la = tz_get("America/Los_Angeles");
	return ny && london && lord_howe && kolkata && utc && la ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	tz_cache_clear();
	return 0;
}

/* Local wall time in zone z as UTC ms. */
static int64_t at(const struct tz *z, int y, int mo, int d, int h, int mi)
{
	return tz_local_to_utc(z, y, mo, d, h, mi, 0);
}

static int64_t day_no(int y, int mo, int d) { return clock_days_from_civil(y, (unsigned)mo, (unsigned)d); }

/* The same intervals on Monday to Friday. */
static void weekdays(struct business_hours *bh, const struct tz *z, int n, const struct bh_interval *iv)
{
	memset(bh, 0, sizeof *bh);
	bh->zone = z;
	for (int w = 1; w <= 5; w++) {
		bh->ndays[w] = n;
		memcpy(bh->days[w], iv, (size_t)n * sizeof *iv);
	}
}

static void every_day(struct business_hours *bh, const struct tz *z, int16_t open, int16_t close)
{
	memset(bh, 0, sizeof *bh);
	bh->zone = z;
	for (int w = 0; w < 7; w++) {
		bh->ndays[w] = 1;
		bh->days[w][0].open_min = open;
		bh->days[w][0].close_min = close;
	}
}

static const struct bh_interval nine_to_five[] = {{HM(9, 0), HM(17, 0)}};

static void expect_due(const struct business_hours *bh, int64_t start, int64_t minutes,
		       enum sla_clock clock, int64_t want)
{
	int64_t got = sla_due(bh, start, minutes, clock);
	if (got != want) {
		char s[32], g[32], w[32];
		clock_format_rfc3339(start, s, sizeof s);
		clock_format_rfc3339(got, g, sizeof g);
		clock_format_rfc3339(want, w, sizeof w);
		fail_msg("due(%s, %lld min) = %s, want %s", s, (long long)minutes, g, w);
	}
	if (clock == SLA_BUSINESS && want != INT64_MAX)
		assert_int_equal(sla_business_minutes_between(bh, start, got), minutes);
}

static void test_is_open_edges(void **state)
{
	(void)state;
	struct business_hours bh;
	weekdays(&bh, ny, 1, nine_to_five);
	int64_t open = at(ny, 2024, 6, 3, 9, 0), close = at(ny, 2024, 6, 3, 17, 0); /* a Monday */
	assert_false(sla_is_open(&bh, open - 1));
	assert_true(sla_is_open(&bh, open));          /* open inclusive */
	assert_true(sla_is_open(&bh, close - 1));
	assert_false(sla_is_open(&bh, close));        /* close exclusive */
	assert_false(sla_is_open(&bh, at(ny, 2024, 6, 8, 12, 0)));  /* Saturday */
	assert_false(sla_is_open(&bh, at(ny, 2024, 6, 9, 12, 0)));  /* Sunday */
	assert_true(sla_is_open(&bh, at(ny, 2024, 6, 7, 12, 0)));   /* Friday */
	/* The same local hours in another zone are other instants. */
	bh.zone = la;
	assert_false(sla_is_open(&bh, open));
	assert_true(sla_is_open(&bh, at(la, 2024, 6, 3, 9, 0)));
	assert_false(sla_is_open(NULL, open));
}

static void test_crossing_night_weekend_holiday(void **state)
{
	(void)state;
	struct business_hours bh;
	weekdays(&bh, ny, 1, nine_to_five);
	/* Night: Tuesday 16:30 + 60 -> Wednesday 09:30. */
	expect_due(&bh, at(ny, 2024, 6, 4, 16, 30), 60, SLA_BUSINESS, at(ny, 2024, 6, 5, 9, 30));
	/* Weekend: Friday 16:30 + 60 -> Monday 09:30. */
	expect_due(&bh, at(ny, 2024, 6, 7, 16, 30), 60, SLA_BUSINESS, at(ny, 2024, 6, 10, 9, 30));
	/* Ends exactly at closing: due at closing, not next morning. */
	expect_due(&bh, at(ny, 2024, 6, 4, 16, 0), 60, SLA_BUSINESS, at(ny, 2024, 6, 4, 17, 0));
	/* Holiday: Thursday July 4 closed; Wednesday 16:30 + 60 -> Friday 09:30. */
	int64_t hol[] = {day_no(2024, 1, 1), day_no(2024, 7, 4), day_no(2024, 12, 25)};
	bh.holidays = hol;
	bh.nholidays = 3;
	assert_int_equal(sla_hours_validate(&bh, NULL), ERR_OK);
	expect_due(&bh, at(ny, 2024, 7, 3, 16, 30), 60, SLA_BUSINESS, at(ny, 2024, 7, 5, 9, 30));
	assert_false(sla_is_open(&bh, at(ny, 2024, 7, 4, 12, 0)));
	assert_true(sla_is_open(&bh, at(ny, 2024, 7, 5, 12, 0)));
	/* Christmas Wednesday: Tuesday 24th 16:00 + 120 -> Thursday 26th 10:00. */
	expect_due(&bh, at(ny, 2024, 12, 24, 16, 0), 120, SLA_BUSINESS, at(ny, 2024, 12, 26, 10, 0));
	/* A Friday holiday followed by a weekend: Thursday 16:30 + 60 -> Monday. */
	int64_t fri[] = {day_no(2024, 6, 7)};
	bh.holidays = fri;
	bh.nholidays = 1;
	expect_due(&bh, at(ny, 2024, 6, 6, 16, 30), 60, SLA_BUSINESS, at(ny, 2024, 6, 10, 9, 30));
}

static void test_dst_new_york(void **state)
{
	(void)state;
	struct business_hours bh;
	weekdays(&bh, ny, 1, nine_to_five);
	/* Spring: Friday March 8 2024 16:30 EST + 60 -> Monday 09:30 EDT (13:30Z). */
	int64_t due = sla_due(&bh, at(ny, 2024, 3, 8, 16, 30), 60, SLA_BUSINESS);
	assert_int_equal(due, 1710163800000);
	expect_due(&bh, at(ny, 2024, 3, 8, 16, 30), 60, SLA_BUSINESS, at(ny, 2024, 3, 11, 9, 30));
	/* Fall: Friday November 1 16:30 EDT + 60 -> Monday 09:30 EST (14:30Z). */
	due = sla_due(&bh, at(ny, 2024, 11, 1, 16, 30), 60, SLA_BUSINESS);
	assert_int_equal(due, 1730730600000);
	/* Wall clock is elapsed time: Saturday 16:30 + 24 h is Sunday 17:30 EDT. */
	int64_t sat = at(ny, 2024, 3, 9, 16, 30);
	due = sla_due(&bh, sat, 24 * 60, SLA_WALL);
	assert_int_equal(due, sat + 24 * 60 * MIN_MS);
	assert_int_equal(due, at(ny, 2024, 3, 10, 17, 30));
	due = sla_due(&bh, at(ny, 2024, 11, 2, 16, 30), 24 * 60, SLA_WALL);
	assert_int_equal(due, at(ny, 2024, 11, 3, 15, 30));
	/* Open 01:00-04:00 every night: 2 real hours on the spring night, 4 on the fall one. */
	every_day(&bh, ny, HM(1, 0), HM(4, 0));
	assert_int_equal(sla_business_minutes_between(&bh, at(ny, 2024, 3, 10, 0, 0),
						      at(ny, 2024, 3, 10, 12, 0)), 120);
	assert_int_equal(sla_business_minutes_between(&bh, at(ny, 2024, 11, 3, 0, 0),
						      at(ny, 2024, 11, 3, 12, 0)), 240);
	assert_int_equal(sla_business_minutes_between(&bh, at(ny, 2024, 3, 9, 0, 0),
						      at(ny, 2024, 3, 12, 0, 0)), 180 + 120 + 180);
	/* 150 minutes from 01:00 on the spring night: the 2 hours, then 01:30 Monday. */
	expect_due(&bh, at(ny, 2024, 3, 10, 1, 0), 150, SLA_BUSINESS, at(ny, 2024, 3, 11, 1, 30));
	expect_due(&bh, at(ny, 2024, 11, 3, 1, 0), 230, SLA_BUSINESS, at(ny, 2024, 11, 3, 3, 50));
	/* 02:00 is open on the fall night through both passes of 01:xx. */
	assert_true(sla_is_open(&bh, 1730615400000)); /* 01:30 EST, the second pass */
	/* Opening inside the gap: 02:30 opens at 03:00 EDT, the transition. */
	every_day(&bh, ny, HM(2, 30), HM(5, 0));
	assert_int_equal(sla_business_minutes_between(&bh, at(ny, 2024, 3, 10, 0, 0),
						      at(ny, 2024, 3, 10, 12, 0)), 120);
	assert_false(sla_is_open(&bh, 1710053999999));
	assert_true(sla_is_open(&bh, 1710054000000));
	/* Round the clock: 23 hours on the spring Sunday, 25 on the fall one. */
	every_day(&bh, ny, 0, 1440);
	assert_int_equal(sla_business_minutes_between(&bh, at(ny, 2024, 3, 10, 0, 0),
						      at(ny, 2024, 3, 11, 0, 0)), 23 * 60);
	assert_int_equal(sla_business_minutes_between(&bh, at(ny, 2024, 11, 3, 0, 0),
						      at(ny, 2024, 11, 4, 0, 0)), 25 * 60);
}

static void test_dst_lord_howe_and_london(void **state)
{
	(void)state;
	struct business_hours bh;
	every_day(&bh, lord_howe, 0, 1440);
	/* 30-minute change: Sunday October 6 2024 lasts 23.5 hours, April 7 24.5. */
	assert_int_equal(sla_business_minutes_between(&bh, at(lord_howe, 2024, 10, 6, 0, 0),
						      at(lord_howe, 2024, 10, 7, 0, 0)), 1410);
	assert_int_equal(sla_business_minutes_between(&bh, at(lord_howe, 2024, 4, 7, 0, 0),
						      at(lord_howe, 2024, 4, 8, 0, 0)), 1470);
	every_day(&bh, lord_howe, HM(1, 0), HM(3, 0));
	assert_int_equal(sla_business_minutes_between(&bh, at(lord_howe, 2024, 10, 6, 0, 0),
						      at(lord_howe, 2024, 10, 6, 12, 0)), 90);
	assert_int_equal(sla_business_minutes_between(&bh, at(lord_howe, 2024, 4, 7, 0, 0),
						      at(lord_howe, 2024, 4, 7, 12, 0)), 150);
	/* London: a Saturday-night shift 22:00-06:00 over each change. */
	memset(&bh, 0, sizeof bh);
	bh.zone = london;
	bh.ndays[6] = 1;
	bh.days[6][0] = (struct bh_interval){HM(22, 0), HM(6, 0)};
	assert_int_equal(sla_business_minutes_between(&bh, at(london, 2024, 3, 30, 12, 0),
						      at(london, 2024, 3, 31, 12, 0)), 7 * 60);
	assert_int_equal(sla_business_minutes_between(&bh, at(london, 2024, 10, 26, 12, 0),
						      at(london, 2024, 10, 27, 12, 0)), 9 * 60);
	expect_due(&bh, at(london, 2024, 3, 30, 22, 0), 7 * 60 + 1, SLA_BUSINESS,
		   at(london, 2024, 4, 6, 22, 1));
}

static void test_overnight(void **state)
{
	(void)state;
	struct business_hours bh;
	static const struct bh_interval night[] = {{HM(22, 0), HM(6, 0)}};
	weekdays(&bh, ny, 1, night); /* Monday night to Friday night */
	assert_int_equal(sla_hours_validate(&bh, NULL), ERR_OK);
	assert_true(sla_is_open(&bh, at(ny, 2024, 6, 4, 3, 0)));   /* Tuesday 03:00: Monday's night */
	assert_true(sla_is_open(&bh, at(ny, 2024, 6, 8, 3, 0)));   /* Saturday 03:00: Friday's night */
	assert_false(sla_is_open(&bh, at(ny, 2024, 6, 9, 3, 0)));  /* Sunday 03:00: no Saturday night */
	assert_false(sla_is_open(&bh, at(ny, 2024, 6, 3, 3, 0)));  /* Monday 03:00: no Sunday night */
	assert_true(sla_is_open(&bh, at(ny, 2024, 6, 3, 22, 0)));
	assert_false(sla_is_open(&bh, at(ny, 2024, 6, 4, 6, 0)));
	assert_true(sla_is_open(&bh, at(ny, 2024, 6, 4, 0, 0)));    /* midnight inside */
	/* Friday 05:30 + 60: 30 minutes of Thursday's night, then Friday 22:30. */
	expect_due(&bh, at(ny, 2024, 6, 7, 5, 30), 60, SLA_BUSINESS, at(ny, 2024, 6, 7, 22, 30));
	/* Saturday 05:00 + 120: 60 of Friday's night, then Monday 23:00. */
	expect_due(&bh, at(ny, 2024, 6, 8, 5, 0), 120, SLA_BUSINESS, at(ny, 2024, 6, 10, 23, 0));
	/* A holiday on Monday closes Monday's night... */
	int64_t mon[] = {day_no(2024, 6, 3)};
	bh.holidays = mon;
	bh.nholidays = 1;
	assert_false(sla_is_open(&bh, at(ny, 2024, 6, 3, 23, 0)));
	assert_false(sla_is_open(&bh, at(ny, 2024, 6, 4, 3, 0)));
	/* ...a holiday on Tuesday does not cut Monday's night short, but closes Tuesday's. */
	int64_t tue[] = {day_no(2024, 6, 4)};
	bh.holidays = tue;
	assert_true(sla_is_open(&bh, at(ny, 2024, 6, 4, 3, 0)));
	assert_true(sla_is_open(&bh, at(ny, 2024, 6, 4, 5, 59)));
	assert_false(sla_is_open(&bh, at(ny, 2024, 6, 4, 23, 0)));
	expect_due(&bh, at(ny, 2024, 6, 4, 5, 0), 120, SLA_BUSINESS, at(ny, 2024, 6, 5, 23, 0));
	/* Closing at midnight is "24:00", the same as an overnight close at 00:00. */
	struct business_hours b2;
	static const struct bh_interval eve24[] = {{HM(18, 0), 1440}};
	static const struct bh_interval eve0[] = {{HM(18, 0), 0}};
	weekdays(&bh, ny, 1, eve24);
	weekdays(&b2, ny, 1, eve0);
	for (int i = 0; i < 200; i++) {
		int64_t s = at(ny, 2024, 1, 1, 0, 0) + (int64_t)(rng() % (366u * 86400u)) * 1000;
		int64_t m = 1 + (int64_t)(rng() % 2000);
		assert_int_equal(sla_due(&bh, s, m, SLA_BUSINESS), sla_due(&b2, s, m, SLA_BUSINESS));
	}
}

static void test_lunch_break(void **state)
{
	(void)state;
	struct business_hours bh;
	static const struct bh_interval lunch[] = {{HM(13, 0), HM(17, 0)}, {HM(9, 0), HM(12, 0)}};
	weekdays(&bh, ny, 2, lunch); /* out of order on purpose */
	assert_int_equal(sla_hours_validate(&bh, NULL), ERR_OK);
	expect_due(&bh, at(ny, 2024, 6, 3, 11, 30), 60, SLA_BUSINESS, at(ny, 2024, 6, 3, 13, 30));
	expect_due(&bh, at(ny, 2024, 6, 3, 12, 15), 60, SLA_BUSINESS, at(ny, 2024, 6, 3, 14, 0));
	expect_due(&bh, at(ny, 2024, 6, 3, 9, 0), 7 * 60, SLA_BUSINESS, at(ny, 2024, 6, 3, 17, 0));
	assert_int_equal(sla_business_minutes_between(&bh, at(ny, 2024, 6, 3, 0, 0),
						      at(ny, 2024, 6, 4, 0, 0)), 7 * 60);
	assert_false(sla_is_open(&bh, at(ny, 2024, 6, 3, 12, 0)));
	assert_true(sla_is_open(&bh, at(ny, 2024, 6, 3, 11, 59)));
	assert_true(sla_is_open(&bh, at(ny, 2024, 6, 3, 13, 0)));
	/* Four intervals, the most a day may have. */
	static const struct bh_interval four[] = {
		{HM(6, 0), HM(7, 0)}, {HM(8, 0), HM(9, 0)}, {HM(10, 0), HM(11, 0)}, {HM(20, 0), HM(2, 0)}};
	weekdays(&bh, kolkata, 4, four);
	assert_int_equal(sla_hours_validate(&bh, NULL), ERR_OK);
	expect_due(&bh, at(kolkata, 2024, 6, 3, 6, 30), 240, SLA_BUSINESS, at(kolkata, 2024, 6, 3, 21, 30));
	assert_int_equal(sla_business_minutes_between(&bh, at(kolkata, 2024, 6, 3, 0, 0),
						      at(kolkata, 2024, 6, 4, 0, 0)), 3 * 60 + 4 * 60);
}

static void test_wall_vs_business(void **state)
{
	(void)state;
	struct business_hours bh;
	weekdays(&bh, ny, 1, nine_to_five);
	int64_t fri = at(ny, 2024, 6, 7, 16, 30);
	assert_int_equal(sla_due(&bh, fri, 60, SLA_WALL), at(ny, 2024, 6, 7, 17, 30));
	assert_int_equal(sla_due(&bh, fri, 60, SLA_BUSINESS), at(ny, 2024, 6, 10, 9, 30));
	/* Wall time ignores the hours altogether, closed or not. */
	assert_int_equal(sla_due(NULL, fri, 90, SLA_WALL), fri + 90 * MIN_MS);
	assert_int_equal(sla_due(&bh, fri, 0, SLA_WALL), fri);
	assert_int_equal(sla_due(&bh, fri, -5, SLA_BUSINESS), fri);
	assert_int_equal(sla_due(&bh, INT64_MAX - 1000, 60, SLA_WALL), INT64_MAX);
	assert_int_equal(sla_due(&bh, fri, INT64_MAX, SLA_WALL), INT64_MAX);
	assert_int_equal(sla_due(&bh, fri, INT64_MAX, SLA_BUSINESS), INT64_MAX);
	/* Business time started after hours begins at the next opening. */
	assert_int_equal(sla_business_minutes_between(&bh, fri, fri + 3 * 86400000LL), 30 + 7 * 60 + 30);
	assert_int_equal(sla_business_minutes_between(&bh, fri, fri), 0);
	assert_int_equal(sla_business_minutes_between(&bh, fri, fri - 1), 0);
	assert_int_equal(sla_business_minutes_between(&bh, fri, fri + 59999), 0); /* rounds down */
	assert_int_equal(sla_business_minutes_between(&bh, fri, fri + 60000), 1);
}

/* The issue's examples: missed call 15, voicemail 60, quote 2 business days
 * (two 8-hour days: 960 business minutes). */
static void test_issue_rules(void **state)
{
	(void)state;
	struct business_hours bh;
	weekdays(&bh, ny, 1, nine_to_five);
	expect_due(&bh, at(ny, 2024, 6, 3, 10, 0), 15, SLA_BUSINESS, at(ny, 2024, 6, 3, 10, 15));
	expect_due(&bh, at(ny, 2024, 6, 3, 16, 50), 15, SLA_BUSINESS, at(ny, 2024, 6, 4, 9, 5));
	expect_due(&bh, at(ny, 2024, 6, 8, 10, 0), 15, SLA_BUSINESS, at(ny, 2024, 6, 10, 9, 15));
	expect_due(&bh, at(ny, 2024, 6, 4, 3, 0), 60, SLA_BUSINESS, at(ny, 2024, 6, 4, 10, 0));
	expect_due(&bh, at(ny, 2024, 6, 3, 10, 0), 960, SLA_BUSINESS, at(ny, 2024, 6, 5, 10, 0));
	expect_due(&bh, at(ny, 2024, 6, 6, 10, 0), 960, SLA_BUSINESS, at(ny, 2024, 6, 10, 10, 0));
	expect_due(&bh, at(ny, 2024, 6, 7, 18, 0), 960, SLA_BUSINESS, at(ny, 2024, 6, 11, 17, 0));
	/* Across the spring change and a holiday at once. */
	int64_t hol[] = {day_no(2024, 3, 11)};
	bh.holidays = hol;
	bh.nholidays = 1;
	expect_due(&bh, at(ny, 2024, 3, 8, 13, 0), 960, SLA_BUSINESS, at(ny, 2024, 3, 13, 13, 0));
}

static void test_no_open_time(void **state)
{
	(void)state;
	struct business_hours bh;
	memset(&bh, 0, sizeof bh);
	bh.zone = ny;
	int64_t t = at(ny, 2024, 6, 3, 10, 0);
	assert_int_equal(sla_due(&bh, t, 15, SLA_BUSINESS), INT64_MAX);
	assert_int_equal(sla_due(&bh, t, 15, SLA_WALL), t + 15 * MIN_MS);
	assert_false(sla_is_open(&bh, t));
	assert_int_equal(sla_business_minutes_between(&bh, t, INT64_MAX), 0);
	assert_int_equal(sla_hours_validate(&bh, NULL), ERR_OK); /* closed for good is a choice */
	/* Only malformed intervals: nothing is open either. */
	bh.ndays[1] = 1;
	bh.days[1][0] = (struct bh_interval){HM(9, 0), HM(9, 0)};
	assert_int_equal(sla_due(&bh, t, 15, SLA_BUSINESS), INT64_MAX);
	/* Closed 401 days in a row (one holiday a weekday): never; 399: the day after. */
	static int64_t many[600];
	weekdays(&bh, ny, 1, nine_to_five);
	int n = 0;
	for (int64_t d = day_no(2024, 6, 3); d < day_no(2024, 6, 3) + 402; d++)
		many[n++] = d;
	bh.holidays = many;
	bh.nholidays = n;
	assert_int_equal(sla_hours_validate(&bh, NULL), ERR_OK);
	assert_int_equal(sla_due(&bh, t, 15, SLA_BUSINESS), INT64_MAX);
	bh.nholidays = 399 - 1; /* through 2025-07-05, a Saturday; open Monday July 7 */
	expect_due(&bh, t, 15, SLA_BUSINESS, at(ny, 2025, 7, 7, 9, 15));
	/* Open time first, then 401 days closed: the 400 days count from the last opening. */
	bh.holidays = many + 1;
	bh.nholidays = 401;
	expect_due(&bh, t, 15, SLA_BUSINESS, t + 15 * MIN_MS);
	assert_int_equal(sla_due(&bh, t, 7 * 60 + 1, SLA_BUSINESS), INT64_MAX);
	bh.nholidays = 398;
	expect_due(&bh, t, 7 * 60 + 1, SLA_BUSINESS, at(ny, 2025, 7, 7, 9, 1));
	/* Long SLAs keep going as long as there is open time: a year of business days. */
	bh.nholidays = 0;
	int64_t year = sla_due(&bh, t, 262 * 480, SLA_BUSINESS);
	assert_true(year > at(ny, 2025, 5, 1, 0, 0) && year < at(ny, 2025, 6, 30, 0, 0));
	assert_int_equal(sla_business_minutes_between(&bh, t, year), 262 * 480);
}

/* Does the naive reading of the wall clock say open? Right whenever no
 * interval edge falls inside a DST change, as in the schedules below. */
static bool naive_open(const struct business_hours *bh, int64_t t)
{
	struct tz_civil c;
	tz_civil_at(bh->zone, t, &c);
	int64_t today = day_no(c.year, c.month, c.day);
	int m = c.hour * 60 + c.minute;
	for (int back = 0; back <= 1; back++) {
		int64_t day = today - back;
		int wd = (c.weekday + 7 - back) % 7;
		bool hol = false;
		for (int i = 0; i < bh->nholidays; i++)
			hol |= bh->holidays[i] == day;
		for (int i = 0; i < bh->ndays[wd] && !hol; i++) {
			const struct bh_interval *iv = &bh->days[wd][i];
			bool night = iv->close_min <= iv->open_min;
			if (back == 0 && m >= iv->open_min && (night || m < iv->close_min))
				return true;
			if (back == 1 && night && m < iv->close_min)
				return true;
		}
	}
	return false;
}

static void schedules(struct business_hours *out, int64_t *hol, int nhol)
{
	static const struct bh_interval lunch[] = {{HM(8, 30), HM(12, 0)}, {HM(13, 0), HM(18, 0)}};
	static const struct bh_interval night[] = {{HM(21, 0), HM(5, 30)}};
	weekdays(&out[0], ny, 2, lunch);
	out[0].days[6][0] = (struct bh_interval){HM(9, 0), HM(13, 0)};
	out[0].ndays[6] = 1;
	weekdays(&out[1], london, 1, night);
	weekdays(&out[2], lord_howe, 1, nine_to_five);
	every_day(&out[3], kolkata, HM(10, 0), HM(19, 0));
	weekdays(&out[4], utc, 1, night);
	every_day(&out[5], la, HM(7, 0), HM(23, 30));
	for (int i = 0; i < 6; i++) {
		out[i].holidays = hol;
		out[i].nholidays = nhol;
		assert_int_equal(sla_hours_validate(&out[i], NULL), ERR_OK);
	}
}

static int64_t random_instant(void)
{
	int64_t from = 1577836800000, span = 1893456000000 - from; /* 2020-2030 */
	return from + (int64_t)(rng() % (uint64_t)span);
}

static void test_is_open_vs_naive(void **state)
{
	(void)state;
	struct business_hours bh[6];
	int64_t hol[40];
	for (int i = 0; i < 40; i++)
		hol[i] = day_no(2020, 1, 1) + i * 91 + 3;
	schedules(bh, hol, 40);
	for (int s = 0; s < 6; s++)
		for (int i = 0; i < 20000; i++) {
			int64_t t = random_instant();
			if (sla_is_open(&bh[s], t) != naive_open(&bh[s], t))
				fail_msg("schedule %d at %lld: is_open %d", s, (long long)t,
					 sla_is_open(&bh[s], t));
		}
}

static void test_between_inverts_due(void **state)
{
	(void)state;
	struct business_hours bh[6];
	int64_t hol[40];
	for (int i = 0; i < 40; i++)
		hol[i] = day_no(2020, 1, 1) + i * 91 + 3;
	schedules(bh, hol, 40);
	for (int s = 0; s < 6; s++)
		for (int i = 0; i < 3000; i++) {
			int64_t start = random_instant();
			int64_t m = 1 + (int64_t)(rng() % 6000);
			int64_t due = sla_due(&bh[s], start, m, SLA_BUSINESS);
			assert_true(due > start && due != INT64_MAX);
			if (sla_business_minutes_between(&bh[s], start, due) != m)
				fail_msg("schedule %d: between(%lld, due(%lld min)) = %lld", s,
					 (long long)start, (long long)m,
					 (long long)sla_business_minutes_between(&bh[s], start, due));
			assert_true(sla_is_open(&bh[s], due - 1)); /* time runs out in open time */
			/* Additivity: due in two steps is due in one. */
			int64_t k = m / 3 + 1;
			int64_t mid = sla_due(&bh[s], start, k, SLA_BUSINESS);
			assert_int_equal(sla_due(&bh[s], mid, m - k, SLA_BUSINESS), due);
		}
}

static void expect_field(const struct business_hours *bh, const char *field)
{
	struct err_detail d;
	memset(&d, 0, sizeof d);
	assert_int_equal(sla_hours_validate(bh, &d), ERR_INVALID);
	for (int i = 0; i < d.nfields; i++)
		if (strcmp(d.fields[i].field, field) == 0)
			return;
	fail_msg("no error on %s (first: %s: %s)", field, d.nfields ? d.fields[0].field : "-",
		 d.nfields ? d.fields[0].message : "-");
}

static void test_validate(void **state)
{
	(void)state;
	struct business_hours bh;
	static const struct bh_interval lunch[] = {{HM(9, 0), HM(12, 0)}, {HM(12, 0), HM(17, 0)}};
	weekdays(&bh, ny, 2, lunch); /* touching is not overlapping */
	assert_int_equal(sla_hours_validate(&bh, NULL), ERR_OK);
	bh.days[2][1].open_min = HM(11, 0);
	expect_field(&bh, "days[2][1]");
	weekdays(&bh, ny, 1, nine_to_five);
	bh.days[3][0].open_min = 1440;
	expect_field(&bh, "days[3][0]");
	bh.days[3][0].open_min = -1;
	expect_field(&bh, "days[3][0]");
	bh.days[3][0] = (struct bh_interval){HM(9, 0), 1441};
	expect_field(&bh, "days[3][0]");
	bh.days[3][0] = (struct bh_interval){HM(9, 0), HM(9, 0)};
	expect_field(&bh, "days[3][0]");
	weekdays(&bh, ny, 1, nine_to_five);
	bh.ndays[4] = 5;
	expect_field(&bh, "days[4]");
	bh.ndays[4] = -1;
	expect_field(&bh, "days[4]");
	/* Monday's night into Tuesday morning. */
	weekdays(&bh, ny, 1, nine_to_five);
	bh.days[1][0] = (struct bh_interval){HM(22, 0), HM(9, 30)};
	expect_field(&bh, "days[2][0]");
	bh.days[1][0] = (struct bh_interval){HM(22, 0), HM(9, 0)};
	assert_int_equal(sla_hours_validate(&bh, NULL), ERR_OK);
	/* Saturday's night into Sunday, the week wrapping. */
	memset(&bh, 0, sizeof bh);
	bh.zone = ny;
	bh.ndays[6] = 1;
	bh.days[6][0] = (struct bh_interval){HM(20, 0), HM(2, 0)};
	bh.ndays[0] = 1;
	bh.days[0][0] = (struct bh_interval){HM(1, 0), HM(3, 0)};
	expect_field(&bh, "days[6][0]");
	bh.days[0][0].open_min = HM(2, 0);
	assert_int_equal(sla_hours_validate(&bh, NULL), ERR_OK);
	/* Holidays: ascending, once each, in range; the zone is required. */
	int64_t hol[] = {day_no(2024, 7, 4), day_no(2024, 1, 1), day_no(2024, 1, 1)};
	bh.holidays = hol;
	bh.nholidays = 2;
	expect_field(&bh, "holidays[1]");
	hol[1] = hol[0];
	expect_field(&bh, "holidays[1]");
	hol[0] = day_no(1800, 1, 1);
	bh.nholidays = 1;
	expect_field(&bh, "holidays[0]");
	bh.holidays = NULL;
	expect_field(&bh, "holidays");
	bh.nholidays = 0;
	bh.zone = NULL;
	expect_field(&bh, "zone");
	assert_int_equal(sla_hours_validate(NULL, NULL), ERR_INVALID);
	/* Every problem is reported, not just the first. */
	struct err_detail d;
	memset(&d, 0, sizeof d);
	weekdays(&bh, NULL, 1, nine_to_five);
	bh.days[1][0].close_min = 2000;
	bh.days[5][0].open_min = 3000;
	assert_int_equal(sla_hours_validate(&bh, &d), ERR_INVALID);
	assert_int_equal(d.nfields, 3);
	assert_true(d.detail[0] != '\0');
}

static void test_speed(void **state)
{
	(void)state;
	struct business_hours bh;
	static const struct bh_interval lunch[] = {{HM(9, 0), HM(12, 0)}, {HM(13, 0), HM(17, 0)}};
	int64_t hol[20];
	for (int i = 0; i < 20; i++)
		hol[i] = day_no(2024, 1, 1) + i * 18;
	weekdays(&bh, ny, 2, lunch);
	bh.holidays = hol;
	bh.nholidays = 20;
	enum { N = 200000 };
	int64_t start = at(ny, 2024, 1, 1, 0, 0), sink = 0;
	int64_t t0 = clock_mono_us();
	for (int i = 0; i < N; i++)
		sink ^= sla_due(&bh, start + (int64_t)i * 157000, 2 * 420, SLA_BUSINESS);
	int64_t us = clock_mono_us() - t0;
	double ns = (double)us * 1000.0 / N;
	print_message("sla_due, 2 business days (840 min, lunch break, holidays, New York): "
		      "%.0f ns/call (%llx)\n", ns, (unsigned long long)sink);
	assert_true(ns < 100000.0); /* loose: sanitizer builds run here too */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_is_open_edges),
		cmocka_unit_test(test_crossing_night_weekend_holiday),
		cmocka_unit_test(test_dst_new_york),
		cmocka_unit_test(test_dst_lord_howe_and_london),
		cmocka_unit_test(test_overnight),
		cmocka_unit_test(test_lunch_break),
		cmocka_unit_test(test_wall_vs_business),
		cmocka_unit_test(test_issue_rules),
		cmocka_unit_test(test_no_open_time),
		cmocka_unit_test(test_is_open_vs_naive),
		cmocka_unit_test(test_between_inverts_due),
		cmocka_unit_test(test_validate),
		cmocka_unit_test(test_speed),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
