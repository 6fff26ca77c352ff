/* Business hours and SLA due-time arithmetic, pure: no I/O, no database, no
 * clock reads, no allocation. Instants are UTC epoch milliseconds; the wall
 * clock comes from the zone in struct business_hours (core/tz.h).
 *
 * The model:
 * - Each weekday (0 = Sunday, in the zone's wall time) has up to 4 opening
 *   intervals, half-open [open, close): open inclusive, close exclusive.
 * - An interval with close <= open is overnight: it closes on the next day,
 *   but belongs to the day it opens on. A holiday on that day closes it; a
 *   holiday on the next day does not cut it short.
 * - A wall time that does not exist (spring-forward gap) opens or closes at
 *   the transition; one that happens twice (fall-back) at its first pass. So
 *   01:00-04:00 on New York's spring-forward night lasts 2 real hours, and
 *   on the fall-back night 4.
 * - Business time counts only open time, in real elapsed minutes. */
#ifndef SB_DOMAIN_SLA_H
#define SB_DOMAIN_SLA_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "core/tz.h"

#define SLA_INTERVALS_MAX 4

/* Minutes from local midnight: open 0-1439, close 0-1440. close <= open means
 * overnight (closes the next day); close == open is invalid. */
struct bh_interval {
	int16_t open_min, close_min;
};

/* A workspace's opening hours. Borrowed pointers: the caller keeps zone and
 * holidays alive while calling the functions below. */
struct business_hours {
	const struct tz *zone;                            /* NULL reads as UTC */
	struct bh_interval days[7][SLA_INTERVALS_MAX];    /* per weekday, 0 = Sunday */
	int ndays[7];                                     /* intervals used per weekday */
	/* Closed local dates as days since 1970-01-01 (clock_days_from_civil),
	 * strictly ascending. */
	const int64_t *holidays;
	int nholidays;
};

enum sla_clock {
	SLA_WALL,     /* minutes of elapsed time, open or not */
	SLA_BUSINESS, /* minutes of open time only */
};

/* Checks a spec before it is stored: the zone is set, at most 4 intervals a
 * day, minutes in range, no empty interval, no two intervals overlapping
 * (overnight ones included, Saturday night running into Sunday), holidays
 * strictly ascending within years 1900-9999. Adds one field error per problem
 * to d (may be NULL): fields "zone", "days[W]", "days[W][I]", "holidays[I]",
 * W the weekday (0 = Sunday) and I the index. Returns ERR_OK or ERR_INVALID.
 * The functions below assume a valid spec: they skip malformed intervals,
 * count overlapping ones once, and misread unsorted holidays. */
enum err sla_hours_validate(const struct business_hours *bh, struct err_detail *d);

/* Whether the business is open at the instant (after-hours is !open). */
bool sla_is_open(const struct business_hours *bh, int64_t utc_ms);

/* When an SLA of the given minutes started at start_ms falls due. SLA_WALL:
 * start plus the minutes (INT64_MAX on overflow). SLA_BUSINESS: the instant at
 * which that much open time has passed since start (an SLA started after
 * hours begins counting at the next opening; one that ends exactly at closing
 * time is due at closing time). INT64_MAX when no open time is found within
 * 400 days of the last open time seen, or the due time lies more than 100
 * years out. minutes <= 0 gives start_ms. Runs in steps of days and
 * intervals, not minutes: about 3 + days spanned window lookups. */
int64_t sla_due(const struct business_hours *bh, int64_t start_ms, int64_t minutes,
		enum sla_clock clock);

/* Open minutes (rounded down) between two instants, for compliance
 * reporting: sla_business_minutes_between(bh, s, sla_due(bh, s, m,
 * SLA_BUSINESS)) == m. 0 when to_ms <= from_ms; spans are cut at 100 years. */
int64_t sla_business_minutes_between(const struct business_hours *bh, int64_t from_ms,
				     int64_t to_ms);

#endif
