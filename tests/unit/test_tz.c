/* Unit tests for core/tz.h. The C library is the oracle: localtime_r under
 * setenv("TZ") + tzset (allowed here, a single-threaded test, and nowhere in
 * src/) for 20,000 random instants 1970-2100 per zone, every offset change in
 * that span found by scanning and bisecting to the second, and POSIX footer
 * rules of every form (Jn, n, Mm.w.d, negative and past-24h times, DST all
 * year) in synthetic TZif images without transitions, as slim files rely on.
 * Independent of the C library: hand-checked transitions, the gap and
 * overlap policy of tz_local_to_utc, footer-only New York against the full
 * file, version 1 images, malformed images, refused names, and the cache
 * under threads. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/tz.h"

#define SAMPLES 20000
#define END_2100 INT64_C(4102444800) /* 2100-01-01T00:00:00Z, seconds */

static const char *const zones[] = {
	"America/New_York", "America/Los_Angeles", "Europe/London",
	"Australia/Lord_Howe", "Asia/Kolkata", "UTC",
};
#define NZONES (sizeof zones / sizeof zones[0])

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static uint64_t rng(void) /* splitmix64: reproducible runs */
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15u);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

static int64_t utc_ms(int y, int mo, int d, int h, int mi, int s)
{
	return (clock_days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + s) *
	       1000;
}

static struct tz *load(const char *name)
{
	struct tz *z = NULL;
	struct err_detail d = {0};
	enum err rc = tz_load(name, &z, &d);
	if (rc != ERR_OK)
		fail_msg("tz_load(%s): %s: %s", name, err_str(rc), d.detail);
	return z;
}

static void libc_zone(const char *tzvalue)
{
	setenv("TZ", tzvalue, 1);
	tzset();
}

/* Checks ours against localtime_r (TZ already set) at one instant. */
static void check_instant(const struct tz *z, const char *what, int64_t ms)
{
	time_t t = (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
	struct tm tm;
	struct tz_civil c;
	bool dst;
	if (!localtime_r(&t, &tm))
		fail_msg("localtime_r failed");
	int32_t off = tz_offset_at(z, ms, &dst);
	tz_civil_at(z, ms, &c);
	if (off != tm.tm_gmtoff || dst != (tm.tm_isdst > 0) || c.year != tm.tm_year + 1900 ||
	    c.month != tm.tm_mon + 1 || c.day != tm.tm_mday || c.hour != tm.tm_hour ||
	    c.minute != tm.tm_min || c.second != tm.tm_sec || c.weekday != tm.tm_wday)
		fail_msg("%s at %lld ms: ours %d dst=%d %04d-%02d-%02d %02d:%02d:%02d wd%d, "
			 "libc %ld dst=%d %04d-%02d-%02d %02d:%02d:%02d wd%d",
			 what, (long long)ms, off, dst, c.year, c.month, c.day, c.hour, c.minute,
			 c.second, c.weekday, (long)tm.tm_gmtoff, tm.tm_isdst, tm.tm_year + 1900,
			 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, tm.tm_wday);
}

static void check_random(const struct tz *z, const char *what, int n)
{
	for (int i = 0; i < n; i++)
		check_instant(z, what, (int64_t)(rng() % (uint64_t)END_2100) * 1000 +
					       (int64_t)(rng() % 1000));
}

static void test_random_vs_libc(void **state)
{
	(void)state;
	for (size_t i = 0; i < NZONES; i++) {
		struct tz *z = load(zones[i]);
		libc_zone(zones[i]);
		check_random(z, zones[i], SAMPLES);
		tz_free(z);
	}
}

static long libc_off(time_t t)
{
	struct tm tm;
	localtime_r(&t, &tm);
	return tm.tm_gmtoff;
}

/* Every offset change 1970-2100 that the C library shows (scanning in 6-hour
 * steps, then bisecting): ours must change at the same second. */
static void test_transitions_vs_libc(void **state)
{
	(void)state;
	for (size_t i = 0; i < NZONES; i++) {
		struct tz *z = load(zones[i]);
		libc_zone(zones[i]);
		int found = 0;
		for (time_t t = 0; t < END_2100; t += 6 * 3600) {
			time_t lo = t, hi = t + 6 * 3600;
			if (libc_off(lo) == libc_off(hi))
				continue;
			while (hi - lo > 1) {
				time_t mid = lo + (hi - lo) / 2;
				if (libc_off(mid) == libc_off(lo))
					lo = mid;
				else
					hi = mid;
			}
			check_instant(z, zones[i], (int64_t)hi * 1000);
			check_instant(z, zones[i], (int64_t)hi * 1000 - 1);
			check_instant(z, zones[i], (int64_t)lo * 1000);
			found++;
		}
		/* Two a year in the DST zones, none in UTC and Kolkata. */
		if (strcmp(zones[i], "UTC") == 0 || strcmp(zones[i], "Asia/Kolkata") == 0)
			assert_int_equal(found, 0);
		else
			assert_true(found > 200);
		tz_free(z);
	}
}

struct known {
	const char *zone;
	int64_t at_ms;     /* first instant of the new offset */
	int32_t before, after;
};

/* Hand-checked against the published rules, not against the C library. */
static void test_known_transitions(void **state)
{
	(void)state;
	static const struct known k[] = {
		/* New York 2024: 02:00 EST -> 03:00 EDT; 02:00 EDT -> 01:00 EST. */
		{"America/New_York", 1710054000000, -18000, -14400},
		{"America/New_York", 1730613600000, -14400, -18000},
		/* 2060, past the last transition of a fat file: March 14 and November 7. */
		{"America/New_York", 2846473200000, -18000, -14400},
		{"America/New_York", 2867032800000, -14400, -18000},
		{"America/Los_Angeles", 1710064800000, -28800, -25200},
		{"Europe/London", 1711846800000, 0, 3600},
		{"Europe/London", 1729990800000, 3600, 0},
		/* Lord Howe: 02:00 +10:30 -> 02:30 +11 on Oct 6; 02:00 +11 -> 01:30 +10:30 on Apr 7. */
		{"Australia/Lord_Howe", 1728142200000, 37800, 39600},
		{"Australia/Lord_Howe", 1712415600000, 39600, 37800},
	};
	for (size_t i = 0; i < sizeof k / sizeof k[0]; i++) {
		struct tz *z = load(k[i].zone);
		bool dst_before, dst_after;
		assert_int_equal(tz_offset_at(z, k[i].at_ms - 1, &dst_before), k[i].before);
		assert_int_equal(tz_offset_at(z, k[i].at_ms, &dst_after), k[i].after);
		assert_true(dst_before != dst_after);
		tz_free(z);
	}
	struct tz *ny = load("America/New_York");
	assert_int_equal(utc_ms(2024, 3, 10, 7, 0, 0), 1710054000000);
	assert_int_equal(utc_ms(2060, 3, 14, 7, 0, 0), 2846473200000);
	assert_int_equal(utc_ms(2060, 11, 7, 6, 0, 0), 2867032800000);
	struct tz_civil c;
	tz_civil_at(ny, 1710054000000 - 1, &c);
	assert_int_equal(c.hour * 100 + c.minute, 159);
	assert_int_equal(c.second, 59);
	tz_civil_at(ny, 1710054000000, &c);
	assert_int_equal(c.hour * 100 + c.minute, 300);
	assert_int_equal(c.weekday, 0);
	tz_free(ny);
}

struct l2u {
	const char *zone;
	int y, mo, d, h, mi;
	int64_t want;
};

static void test_local_to_utc(void **state)
{
	(void)state;
	static const struct l2u k[] = {
		{"America/New_York", 2024, 1, 15, 9, 0, 1705327200000},  /* plain EST */
		{"America/New_York", 2024, 7, 1, 9, 0, 1719838800000},   /* plain EDT */
		/* Gap: 02:30 does not exist; forward by the hour to 03:30 EDT. */
		{"America/New_York", 2024, 3, 10, 2, 30, 1710055800000},
		{"America/New_York", 2024, 3, 10, 2, 0, 1710054000000},
		{"America/New_York", 2024, 3, 10, 3, 0, 1710054000000},
		/* Overlap: 01:30 happens twice; the earlier, EDT. */
		{"America/New_York", 2024, 11, 3, 1, 30, 1730611800000},
		{"America/New_York", 2024, 11, 3, 2, 0, 1730617200000},
		{"America/New_York", 2060, 3, 14, 2, 30, 2846475000000}, /* footer era gap */
		{"Europe/London", 2024, 3, 31, 1, 30, 1711848600000},    /* -> 02:30 BST */
		{"Europe/London", 2024, 10, 27, 1, 30, 1729989000000},   /* 01:30 BST */
		/* Lord Howe's half-hour gap and overlap. */
		{"Australia/Lord_Howe", 2024, 10, 6, 2, 15, 1728143100000}, /* -> 02:45 +11 */
		{"Australia/Lord_Howe", 2024, 4, 7, 1, 45, 1712414700000},  /* 01:45 +11 */
		{"Asia/Kolkata", 2024, 1, 1, 0, 0, 1704047400000},
		{"UTC", 2024, 2, 29, 12, 0, 1709208000000},
	};
	for (size_t i = 0; i < sizeof k / sizeof k[0]; i++) {
		struct tz *z = load(k[i].zone);
		int64_t got = tz_local_to_utc(z, k[i].y, k[i].mo, k[i].d, k[i].h, k[i].mi, 0);
		if (got != k[i].want)
			fail_msg("%s %04d-%02d-%02d %02d:%02d -> %lld, want %lld", k[i].zone, k[i].y,
				 k[i].mo, k[i].d, k[i].h, k[i].mi, (long long)got, (long long)k[i].want);
		tz_free(z);
	}
}

/* local_to_utc(civil(u)) is u, or the earlier twin of u in an overlap. */
static void test_local_to_utc_roundtrip(void **state)
{
	(void)state;
	for (size_t i = 0; i < NZONES; i++) {
		struct tz *z = load(zones[i]);
		for (int n = 0; n < SAMPLES; n++) {
			int64_t u = (int64_t)(rng() % (uint64_t)END_2100) * 1000;
			struct tz_civil c, c2;
			tz_civil_at(z, u, &c);
			int64_t r = tz_local_to_utc(z, c.year, c.month, c.day, c.hour, c.minute, c.second);
			tz_civil_at(z, r, &c2);
			if (memcmp(&c, &c2, sizeof c) != 0 || r > u ||
			    (r != u && tz_offset_at(z, r, NULL) <= tz_offset_at(z, u, NULL)))
				fail_msg("%s: %lld -> %lld", zones[i], (long long)u, (long long)r);
			/* Same through the millisecond entry point. */
			int64_t local = (clock_days_from_civil(c.year, (unsigned)c.month, (unsigned)c.day) *
						 86400 +
					 c.hour * 3600 + c.minute * 60 + c.second) * 1000 + 250;
			assert_int_equal(tz_local_ms_to_utc(z, local), r + 250);
		}
		tz_free(z);
	}
}

static void test_normalisation(void **state)
{
	(void)state;
	struct tz *z = load("America/New_York");
	assert_int_equal(tz_local_to_utc(z, 2024, 13, 1, 9, 0, 0),
			 tz_local_to_utc(z, 2025, 1, 1, 9, 0, 0));
	assert_int_equal(tz_local_to_utc(z, 2024, 0, 1, 9, 0, 0),
			 tz_local_to_utc(z, 2023, 12, 1, 9, 0, 0));
	assert_int_equal(tz_local_to_utc(z, 2024, 3, 0, 9, 0, 0),
			 tz_local_to_utc(z, 2024, 2, 29, 9, 0, 0));
	assert_int_equal(tz_local_to_utc(z, 2024, 1, 32, 0, 90, 0),
			 tz_local_to_utc(z, 2024, 2, 1, 1, 30, 0));
	assert_int_equal(tz_local_to_utc(z, 1970, 1, 19724, 9, 0, 0), /* 2024-01-01 is day 19723 */
			 tz_local_to_utc(z, 2024, 1, 1, 9, 0, 0));
	tz_free(z);
}

/* ---- synthetic TZif images ---- */

struct img {
	uint8_t b[4096];
	size_t n;
};

static void put(struct img *m, const void *p, size_t n)
{
	assert_true(m->n + n <= sizeof m->b);
	if (n == 0)
		return;
	memcpy(m->b + m->n, p, n);
	m->n += n;
}

static void put32(struct img *m, uint32_t v)
{
	uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
	put(m, b, 4);
}

static void put64(struct img *m, int64_t v)
{
	put32(m, (uint32_t)((uint64_t)v >> 32));
	put32(m, (uint32_t)v);
}

static void put_hdr(struct img *m, char version, uint32_t timecnt, uint32_t typecnt, uint32_t charcnt)
{
	uint8_t z[15] = {0};
	put(m, "TZif", 4);
	put(m, &version, 1);
	put(m, z, 15);
	put32(m, 0); /* isutcnt */
	put32(m, 0); /* isstdcnt */
	put32(m, 0); /* leapcnt */
	put32(m, timecnt);
	put32(m, typecnt);
	put32(m, charcnt);
}

struct ttinfo {
	int32_t off;
	uint8_t dst;
};

/* A version 2 image: minimal 32-bit block, then the 64-bit data and footer.
 * version 0 writes a version 1 image (32-bit data, no footer). */
static void build(struct img *m, char version, int ntrans, const int64_t *times, const uint8_t *idx,
		  int ntypes, const struct ttinfo *types, const char *footer)
{
	m->n = 0;
	int tsize = version ? 8 : 4;
	if (version) {
		put_hdr(m, version, 0, 1, 1);
		put(m, "\0\0\0\0\0\0\0", 7); /* one type (UTC, index 0) and one NUL */
	}
	put_hdr(m, version, (uint32_t)ntrans, (uint32_t)ntypes, 4);
	for (int i = 0; i < ntrans; i++) {
		if (tsize == 8)
			put64(m, times[i]);
		else
			put32(m, (uint32_t)(int32_t)times[i]);
	}
	put(m, idx, (size_t)ntrans);
	for (int i = 0; i < ntypes; i++) {
		uint8_t rest[2] = {types[i].dst, 0};
		put32(m, (uint32_t)types[i].off);
		put(m, rest, 2);
	}
	put(m, "ABC\0", 4);
	if (version) {
		put(m, "\n", 1);
		put(m, footer, strlen(footer));
		put(m, "\n", 1);
	}
}

static struct tz *footer_zone(const char *rule)
{
	struct img m;
	struct ttinfo t = {0, 0};
	struct tz *z = NULL;
	struct err_detail d = {0};
	build(&m, '2', 0, NULL, NULL, 1, &t, rule);
	enum err rc = tz_load_data(rule, m.b, m.n, &z, &d);
	if (rc != ERR_OK)
		fail_msg("footer [%s]: %s: %s", rule, err_str(rc), d.detail);
	return z;
}

/* Slim files leave everything after 2007 (New York) to the footer rule: the
 * rule alone must reproduce what libc computes from it, for every form. */
static void test_footer_rules_vs_libc(void **state)
{
	(void)state;
	static const char *const rules[] = {
		"EST5EDT,M3.2.0,M11.1.0",
		"PST8PDT,M3.2.0,M11.1.0",
		"GMT0BST,M3.5.0/1,M10.5.0",
		"<+1030>-10:30<+11>-11,M10.1.0,M4.1.0", /* Lord Howe: 30-minute DST */
		"<-02>2<-01>,M3.5.0/-1,M10.5.0/0",      /* Nuuk: negative rule times */
		"<-03>3<-02>,M3.2.0/-2,M11.1.0/-1",
		"AAA3BBB,J60/1:30,J300/3",              /* Jn: Feb 29 never counted */
		"CCC-2DDD,59/0,299/23:59:59",           /* n: zero-based, Feb 29 counted */
		"EEE-9:30FFF-10:45:15,M10.5.0/3,M3.5.0/3", /* southern, odd offsets */
		"GGG5HHH,M4.1.6/26,M10.5.6/30",         /* times past 24 hours */
		"<+0545>-5:45",                         /* no DST */
		"IST-5:30",
		"XXX0YYY,0/0,J365/25",                  /* DST all year */
	};
	for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++) {
		struct tz *z = footer_zone(rules[i]);
		libc_zone(rules[i]);
		check_random(z, rules[i], SAMPLES / 4);
		tz_free(z);
	}
}

/* Independent of libc: New York's footer alone agrees with the full file for
 * every instant the file lists transitions for under the 2007 rules. */
static void test_footer_matches_fat_file(void **state)
{
	(void)state;
	struct tz *fat = load("America/New_York");
	struct tz *slim = footer_zone("EST5EDT,M3.2.0,M11.1.0");
	int64_t from = utc_ms(2007, 1, 1, 0, 0, 0), span = utc_ms(2037, 1, 1, 0, 0, 0) - from;
	for (int i = 0; i < SAMPLES; i++) {
		int64_t t = from + (int64_t)(rng() % (uint64_t)span);
		bool d1, d2;
		assert_int_equal(tz_offset_at(fat, t, &d1), tz_offset_at(slim, t, &d2));
		assert_true(d1 == d2);
	}
	/* A DST name without a rule means the US rule, as tzcode has it. */
	struct tz *bare = footer_zone("EST5EDT");
	for (int i = 0; i < 1000; i++) {
		int64_t t = from + (int64_t)(rng() % (uint64_t)span);
		assert_int_equal(tz_offset_at(bare, t, NULL), tz_offset_at(slim, t, NULL));
	}
	tz_free(bare);
	tz_free(slim);
	tz_free(fat);
}

static void test_version1_and_no_footer(void **state)
{
	(void)state;
	static const int64_t times[] = {1000000000, 1100000000};
	static const uint8_t idx[] = {1, 0};
	static const struct ttinfo types[] = {{3600, 0}, {7200, 1}};
	struct img m;
	struct tz *z = NULL;
	build(&m, 0, 2, times, idx, 2, types, "");
	assert_int_equal(tz_load_data("v1", m.b, m.n, &z, NULL), ERR_OK);
	assert_string_equal(tz_name(z), "v1");
	bool dst;
	assert_int_equal(tz_offset_at(z, 999999999999, &dst), 3600); /* before: type 0 */
	assert_false(dst);
	assert_int_equal(tz_offset_at(z, 1000000000000, &dst), 7200);
	assert_true(dst);
	assert_int_equal(tz_offset_at(z, 1100000000000, NULL), 3600);
	assert_int_equal(tz_offset_at(z, INT64_MAX, NULL), 3600); /* no footer: last type */
	tz_free(z);
	/* Version 2 with an empty footer: the last type stays. */
	build(&m, '2', 2, times, idx, 2, types, "");
	assert_int_equal(tz_load_data("v2", m.b, m.n, &z, NULL), ERR_OK);
	assert_int_equal(tz_offset_at(z, INT64_MAX, NULL), 3600);
	assert_int_equal(tz_offset_at(z, INT64_MIN, NULL), 3600);
	assert_int_equal(tz_offset_at(z, 1050000000000, NULL), 7200);
	tz_free(z);
}

static void expect_bad_image(const struct img *m, size_t len)
{
	struct tz *z = (struct tz *)&z; /* must be reset to NULL */
	struct err_detail d = {0};
	assert_int_equal(tz_load_data("bad", m->b, len, &z, &d), ERR_INVALID);
	assert_null(z);
	assert_true(d.detail[0] != '\0');
}

static void test_malformed_images(void **state)
{
	(void)state;
	static const int64_t times[] = {1000000000, 1100000000};
	static const int64_t backwards[] = {1100000000, 1000000000};
	static const uint8_t idx[] = {1, 0};
	static const uint8_t bad_idx[] = {1, 2};
	static const struct ttinfo types[] = {{3600, 0}, {7200, 1}};
	static const struct ttinfo huge[] = {{3600, 0}, {100000, 1}};
	struct img m;
	build(&m, '2', 2, times, idx, 2, types, "ABC-1");
	for (size_t len = 0; len < m.n; len++) /* every truncation */
		expect_bad_image(&m, len);
	m.b[0] = 'X';
	expect_bad_image(&m, m.n);
	build(&m, '2', 2, backwards, idx, 2, types, "ABC-1");
	expect_bad_image(&m, m.n);
	build(&m, '2', 2, times, bad_idx, 2, types, "ABC-1");
	expect_bad_image(&m, m.n);
	build(&m, '2', 2, times, idx, 2, huge, "ABC-1");
	expect_bad_image(&m, m.n);
	build(&m, '2', 2, times, idx, 0, types, "ABC-1");
	expect_bad_image(&m, m.n);
	static const char *const bad_footers[] = {
		"AB-1", "ABC", "ABC-25", "ABC-1DEF,M3.2.0", "ABC-1DEF,M13.1.0,M10.1.0",
		"ABC-1DEF,M3.6.0,M10.1.0", "ABC-1DEF,M3.1.7,M10.1.0", "ABC-1DEF,J0,J100",
		"ABC-1DEF,366,J100", "ABC-1DEF,M3.1.0/168,M10.1.0", "ABC-1 ", "<AB>-1",
		"<ABC-1", "ABC-1:60",
	};
	for (size_t i = 0; i < sizeof bad_footers / sizeof bad_footers[0]; i++) {
		build(&m, '2', 2, times, idx, 2, types, bad_footers[i]);
		expect_bad_image(&m, m.n);
	}
	build(&m, '2', 2, times, idx, 2, types, "ABC-1");
	m.b[m.n - 1] = 'x'; /* footer without its closing newline */
	expect_bad_image(&m, m.n);
	build(&m, '2', 2, times, idx, 2, types, "ABC-1");
	m.b[31] = 1; /* a 32-bit leap count the image does not hold */
	expect_bad_image(&m, m.n);
	struct tz *z = NULL;
	assert_int_equal(tz_load_data("null", NULL, 0, &z, NULL), ERR_INVALID);
}

static void test_bad_names(void **state)
{
	(void)state;
	char longname[300];
	memset(longname, 'A', sizeof longname - 1);
	longname[sizeof longname - 1] = '\0';
	static const char *const bad[] = {
		"", "../../etc/passwd", "America/../../../etc/passwd", "/etc/localtime",
		"/usr/share/zoneinfo/UTC", "No/Such_Zone", "America", "America/", "zone.tab",
		"iso3166.tab", "America/New York", "America/New_York\n", "Europe\\London",
		"right/UTC" /* leap seconds */, "UTC;rm",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct tz *z = NULL;
		struct err_detail d = {0};
		enum err rc = tz_load(bad[i], &z, &d);
		if (rc != ERR_INVALID || z)
			fail_msg("tz_load([%s]) = %s", bad[i], err_str(rc));
		assert_true(d.detail[0] != '\0');
		assert_null(tz_get(bad[i]));
	}
	struct tz *z = NULL;
	assert_int_equal(tz_load(longname, &z, NULL), ERR_INVALID);
	assert_int_equal(tz_load(NULL, &z, NULL), ERR_INVALID);
	assert_null(tz_get(NULL));
	/* Links and alternative spellings are fine. */
	z = load("US/Eastern");
	assert_int_equal(tz_offset_at(z, 1710054000000, NULL), -14400);
	tz_free(z);
	z = load("Etc/GMT+5"); /* POSIX sign: five hours west */
	assert_int_equal(tz_offset_at(z, 0, NULL), -18000);
	tz_free(z);
}

static void test_null_zone_is_utc(void **state)
{
	(void)state;
	bool dst = true;
	struct tz_civil c;
	assert_int_equal(tz_offset_at(NULL, 1710054000000, &dst), 0);
	assert_false(dst);
	tz_civil_at(NULL, -1, &c);
	assert_int_equal(c.year, 1969);
	assert_int_equal(c.month * 100 + c.day, 1231);
	assert_int_equal(c.hour * 10000 + c.minute * 100 + c.second, 235959);
	assert_int_equal(c.weekday, 3);
	assert_int_equal(tz_local_to_utc(NULL, 2024, 3, 10, 2, 30, 0), utc_ms(2024, 3, 10, 2, 30, 0));
	assert_string_equal(tz_name(NULL), "UTC");
	tz_free(NULL);
	/* Extremes do not overflow. */
	struct tz *ny = load("America/New_York");
	tz_civil_at(ny, INT64_MAX, &c);
	tz_civil_at(ny, INT64_MIN, &c);
	(void)tz_local_ms_to_utc(ny, INT64_MAX);
	(void)tz_local_ms_to_utc(ny, INT64_MIN);
	(void)tz_local_to_utc(ny, INT32_MAX, INT32_MAX, INT32_MAX, INT32_MAX, INT32_MAX, INT32_MAX);
	(void)tz_local_to_utc(ny, INT32_MIN, INT32_MIN, INT32_MIN, INT32_MIN, INT32_MIN, INT32_MIN);
	tz_free(ny);
}

/* ---- cache ---- */

#define THREADS 4

struct expect {
	int64_t t[64];
	int32_t off[NZONES][64];
};

static void *cache_worker(void *arg)
{
	const struct expect *e = arg;
	for (int round = 0; round < 200; round++)
		for (size_t i = 0; i < NZONES; i++) {
			const struct tz *z = tz_get(zones[i]);
			if (!z)
				return (void *)1;
			for (int k = 0; k < 64; k++)
				if (tz_offset_at(z, e->t[k], NULL) != e->off[i][k])
					return (void *)1;
		}
	return NULL;
}

static void test_cache_threads(void **state)
{
	(void)state;
	static struct expect e;
	for (int k = 0; k < 64; k++)
		e.t[k] = (int64_t)(rng() % (uint64_t)END_2100) * 1000;
	for (size_t i = 0; i < NZONES; i++) {
		struct tz *z = load(zones[i]);
		for (int k = 0; k < 64; k++)
			e.off[i][k] = tz_offset_at(z, e.t[k], NULL);
		tz_free(z);
	}
	tz_cache_clear();
	pthread_t th[THREADS];
	for (int i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&th[i], NULL, cache_worker, &e), 0);
	for (int i = 0; i < THREADS; i++) {
		void *rv = (void *)1;
		pthread_join(th[i], &rv);
		assert_null(rv);
	}
	const struct tz *a = tz_get("Europe/London"), *b = tz_get("Europe/London");
	assert_non_null(a);
	assert_ptr_equal(a, b);
	assert_string_equal(tz_name(a), "Europe/London");
	tz_cache_clear();
	tz_cache_clear();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_vs_libc),
		cmocka_unit_test(test_transitions_vs_libc),
		cmocka_unit_test(test_known_transitions),
		cmocka_unit_test(test_local_to_utc),
		cmocka_unit_test(test_local_to_utc_roundtrip),
		cmocka_unit_test(test_normalisation),
		cmocka_unit_test(test_footer_rules_vs_libc),
		cmocka_unit_test(test_footer_matches_fat_file),
		cmocka_unit_test(test_version1_and_no_footer),
		cmocka_unit_test(test_malformed_images),
		cmocka_unit_test(test_bad_names),
		cmocka_unit_test(test_null_zone_is_utc),
		cmocka_unit_test(test_cache_threads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
