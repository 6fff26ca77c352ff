/* SLA arithmetic over business hours (domain/sla.h). Everything walks the
 * open windows in time order, one local date and one interval at a time:
 * each window is [first instant the wall clock reads the opening time,
 * first instant it reads the closing time), and a window never starts before
 * the previous one ended, so business time is never counted twice. */
#include "domain/sla.h"

#include <stdio.h>

#include "core/clock.h"

#define MIN_MS INT64_C(60000)
#define DAY_MS INT64_C(86400000)
#define DAY_MINUTES 1440
#define WEEK_MINUTES (7 * DAY_MINUTES)
#define EMPTY_DAYS 400               /* closed this long after the last open time: never */
#define HORIZON_DAYS (100 * 366)     /* how far sla_due and between look */
#define T_MIN INT64_C(-2208988800000) /* 1900-01-01T00:00:00Z */
#define T_MAX INT64_C(253402300799999) /* 9999-12-31T23:59:59.999Z */

/* The spec with malformed intervals dropped and each day sorted by opening. */
struct plan {
	const struct tz *zone;
	const int64_t *holidays;
	int nholidays;
	struct bh_interval iv[7][SLA_INTERVALS_MAX];
	int n[7];
	int total;
};

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static int weekday_of(int64_t day) { return (int)(day - floor_div(day + 4, 7) * 7 + 4); }

static bool interval_ok(const struct bh_interval *iv)
{
	return iv->open_min >= 0 && iv->open_min < DAY_MINUTES && iv->close_min >= 0 &&
	       iv->close_min <= DAY_MINUTES && iv->close_min != iv->open_min;
}

static void plan_init(struct plan *p, const struct business_hours *bh)
{
	p->zone = bh->zone;
	p->holidays = bh->nholidays > 0 ? bh->holidays : NULL;
	p->nholidays = p->holidays ? bh->nholidays : 0;
	p->total = 0;
	for (int w = 0; w < 7; w++) {
		int n = 0, lim = bh->ndays[w] < SLA_INTERVALS_MAX ? bh->ndays[w] : SLA_INTERVALS_MAX;
		for (int i = 0; i < lim; i++) {
			struct bh_interval v = bh->days[w][i];
			if (!interval_ok(&v))
				continue;
			int j = n++;
			for (; j > 0 && p->iv[w][j - 1].open_min > v.open_min; j--)
				p->iv[w][j] = p->iv[w][j - 1];
			p->iv[w][j] = v;
		}
		p->n[w] = n;
		p->total += n;
	}
}

static bool is_holiday(const struct plan *p, int64_t day)
{
	int lo = 0, hi = p->nholidays;
	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;
		if (p->holidays[mid] == day)
			return true;
		if (p->holidays[mid] < day)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

static int64_t local_day(const struct tz *z, int64_t t)
{
	int64_t s = floor_div(t, 1000);
	return floor_div(s + tz_offset_at(z, t, NULL), 86400);
}

/* The first instant at which the wall clock reads local_ms or later:
 * tz_local_ms_to_utc, except in a spring-forward gap, where it is the
 * transition (found by bisection: a gap is rare and short). Non-decreasing in
 * local_ms, which keeps windows in order around the gap. */
static int64_t wall_instant(const struct tz *z, int64_t local_ms)
{
	int64_t u = tz_local_ms_to_utc(z, local_ms);
	int64_t shown = u + (int64_t)tz_offset_at(z, u, NULL) * 1000;
	if (shown <= local_ms)
		return u;
	int64_t lo = u - (shown - local_ms), hi = u; /* wall(lo) < local_ms <= wall(hi) */
	while (hi - lo > 1) {
		int64_t mid = lo + (hi - lo) / 2;
		if (mid + (int64_t)tz_offset_at(z, mid, NULL) * 1000 >= local_ms)
			hi = mid;
		else
			lo = mid;
	}
	return hi;
}

/* Walks open windows in time order from a local date on. */
struct walk {
	const struct plan *p;
	int64_t day;      /* local date being read */
	int k;            /* next interval of that date */
	int64_t last_day; /* stop after this date */
	int64_t cursor;   /* end of the window returned last */
	int64_t win_day;  /* date of the window returned last */
};

static void walk_init(struct walk *w, const struct plan *p, int64_t from_day, int64_t last_day)
{
	w->p = p;
	w->day = from_day;
	w->k = 0;
	w->last_day = last_day;
	w->cursor = INT64_MIN;
	w->win_day = from_day;
}

/* The next non-empty window [*a, *b); false past last_day. */
static bool walk_next(struct walk *w, int64_t *a, int64_t *b)
{
	for (; w->day <= w->last_day; w->day++, w->k = 0) {
		int wd = weekday_of(w->day);
		if (w->k == 0 && (w->p->n[wd] == 0 || is_holiday(w->p, w->day)))
			continue;
		while (w->k < w->p->n[wd]) {
			const struct bh_interval *iv = &w->p->iv[wd][w->k++];
			int64_t close = iv->close_min > iv->open_min ? iv->close_min
								     : iv->close_min + DAY_MINUTES;
			int64_t s = wall_instant(w->p->zone, w->day * DAY_MS + iv->open_min * MIN_MS);
			int64_t e = wall_instant(w->p->zone, w->day * DAY_MS + close * MIN_MS);
			if (s < w->cursor)
				s = w->cursor;
			if (e <= s)
				continue;
			w->cursor = e;
			w->win_day = w->day;
			*a = s;
			*b = e;
			return true;
		}
	}
	return false;
}

bool sla_is_open(const struct business_hours *bh, int64_t utc_ms)
{
	struct plan p;
	struct walk w;
	int64_t a, b;
	if (!bh || utc_ms < T_MIN || utc_ms > T_MAX)
		return false;
	plan_init(&p, bh);
	int64_t day = local_day(p.zone, utc_ms);
	/* Yesterday for its overnight intervals; tomorrow for zones that fall
	 * back across midnight, where tomorrow opens before today ends. */
	walk_init(&w, &p, day - 1, day + 1);
	while (walk_next(&w, &a, &b)) {
		if (a > utc_ms)
			return false;
		if (utc_ms < b)
			return true;
	}
	return false;
}

static int64_t due_business(const struct business_hours *bh, int64_t start, int64_t minutes)
{
	struct plan p;
	struct walk w;
	int64_t a, b;
	if (start < T_MIN || start > T_MAX || minutes > HORIZON_DAYS * (int64_t)DAY_MINUTES)
		return INT64_MAX;
	plan_init(&p, bh);
	if (p.total == 0)
		return INT64_MAX;
	int64_t left = minutes * MIN_MS;
	int64_t day = local_day(p.zone, start), horizon = day + HORIZON_DAYS;
	walk_init(&w, &p, day - 1, day + EMPTY_DAYS);
	while (walk_next(&w, &a, &b)) {
		w.last_day = w.win_day + EMPTY_DAYS < horizon ? w.win_day + EMPTY_DAYS : horizon;
		if (b <= start)
			continue;
		if (a < start)
			a = start;
		if (b - a >= left)
			return a + left;
		left -= b - a;
	}
	return INT64_MAX;
}

int64_t sla_due(const struct business_hours *bh, int64_t start_ms, int64_t minutes,
		enum sla_clock clock)
{
	int64_t span, due;
	if (minutes <= 0)
		return start_ms;
	if (clock == SLA_BUSINESS)
		return bh ? due_business(bh, start_ms, minutes) : INT64_MAX;
	if (__builtin_mul_overflow(minutes, MIN_MS, &span) ||
	    __builtin_add_overflow(start_ms, span, &due))
		return INT64_MAX;
	return due;
}

int64_t sla_business_minutes_between(const struct business_hours *bh, int64_t from_ms,
				     int64_t to_ms)
{
	struct plan p;
	struct walk w;
	int64_t a, b, sum = 0;
	if (!bh || to_ms <= from_ms || to_ms < T_MIN || from_ms > T_MAX)
		return 0;
	from_ms = from_ms < T_MIN ? T_MIN : from_ms;
	to_ms = to_ms > T_MAX ? T_MAX : to_ms;
	plan_init(&p, bh);
	if (p.total == 0)
		return 0;
	int64_t day = local_day(p.zone, from_ms), last = local_day(p.zone, to_ms) + 1;
	if (last > day + HORIZON_DAYS)
		last = day + HORIZON_DAYS;
	walk_init(&w, &p, day - 1, last);
	while (walk_next(&w, &a, &b) && a < to_ms) {
		if (b <= from_ms)
			continue;
		sum += (b < to_ms ? b : to_ms) - (a > from_ms ? a : from_ms);
	}
	return sum / MIN_MS;
}

/* ---- validation ---- */

static const char *const day_names[7] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
					 "Thursday", "Friday", "Saturday"};

/* Intervals a weekday really has: ndays when it is in range, else none. */
static int day_count(const struct business_hours *bh, int w)
{
	return bh->ndays[w] >= 0 && bh->ndays[w] <= SLA_INTERVALS_MAX ? bh->ndays[w] : 0;
}

/* Adds the field error "days[w][i]"; counts it even when d is NULL. */
static void bad_interval(struct err_detail *d, int *nbad, int w, int i, const char *msg)
{
	char field[32];
	snprintf(field, sizeof field, "days[%d][%d]", w, i);
	err_field_add(d, field, "%s interval %d: %s", day_names[w], i + 1, msg);
	(*nbad)++;
}

static int interval_len(const struct bh_interval *iv)
{
	return iv->close_min > iv->open_min ? iv->close_min - iv->open_min
					    : iv->close_min + DAY_MINUTES - iv->open_min;
}

/* Whether two intervals, placed in the week (minutes from Sunday 00:00),
 * overlap, Saturday night wrapping into Sunday. Touching is not overlapping. */
static bool week_overlap(int w1, const struct bh_interval *x, int w2, const struct bh_interval *y)
{
	int a1 = w1 * DAY_MINUTES + x->open_min, len1 = interval_len(x);
	for (int k = -1; k <= 1; k++) {
		int a2 = w2 * DAY_MINUTES + y->open_min + k * WEEK_MINUTES;
		if (a1 < a2 + interval_len(y) && a2 < a1 + len1)
			return true;
	}
	return false;
}

static void check_intervals(const struct business_hours *bh, struct err_detail *d, int *nbad)
{
	for (int w = 0; w < 7; w++) {
		if (bh->ndays[w] < 0 || bh->ndays[w] > SLA_INTERVALS_MAX) {
			char field[32];
			snprintf(field, sizeof field, "days[%d]", w);
			err_field_add(d, field, "%s: 0 to %d intervals", day_names[w], SLA_INTERVALS_MAX);
			(*nbad)++;
		}
		for (int i = 0; i < day_count(bh, w); i++) {
			const struct bh_interval *iv = &bh->days[w][i];
			if (iv->open_min < 0 || iv->open_min >= DAY_MINUTES)
				bad_interval(d, nbad, w, i, "opening time must be 00:00 to 23:59");
			else if (iv->close_min < 0 || iv->close_min > DAY_MINUTES)
				bad_interval(d, nbad, w, i, "closing time must be 00:00 to 24:00");
			else if (iv->close_min == iv->open_min)
				bad_interval(d, nbad, w, i, "opens and closes at the same time");
		}
	}
}

/* Each well-formed interval against those before it in the week; the later
 * one of a pair carries the error. */
static void check_overlaps(const struct business_hours *bh, struct err_detail *d, int *nbad)
{
	for (int w = 0; w < 7; w++)
		for (int i = 0; i < day_count(bh, w); i++) {
			const struct bh_interval *x = &bh->days[w][i];
			if (!interval_ok(x))
				continue;
			for (int v = 0; v <= w; v++)
				for (int j = 0; j < (v == w ? i : day_count(bh, v)); j++) {
					const struct bh_interval *y = &bh->days[v][j];
					if (!interval_ok(y) || !week_overlap(w, x, v, y))
						continue;
					char msg[64];
					snprintf(msg, sizeof msg, "overlaps %s interval %d", day_names[v],
						 j + 1);
					bad_interval(d, nbad, w, i, msg);
				}
		}
}

static void check_holidays(const struct business_hours *bh, struct err_detail *d, int *nbad)
{
	const int64_t first = clock_days_from_civil(1900, 1, 1);
	const int64_t last = clock_days_from_civil(9999, 12, 31);
	if (bh->nholidays < 0 || (bh->nholidays > 0 && !bh->holidays)) {
		err_field_add(d, "holidays", "holiday list is malformed");
		(*nbad)++;
		return;
	}
	for (int i = 0; i < bh->nholidays; i++) {
		char field[32];
		int64_t h = bh->holidays[i];
		const char *msg = NULL;
		if (h < first || h > last)
			msg = "date must be within 1900-9999";
		else if (i > 0 && h <= bh->holidays[i - 1])
			msg = "dates must be in ascending order, each once";
		if (!msg)
			continue;
		snprintf(field, sizeof field, "holidays[%d]", i);
		err_field_add(d, field, "%s", msg);
		(*nbad)++;
	}
}

enum err sla_hours_validate(const struct business_hours *bh, struct err_detail *d)
{
	int nbad = 0;
	if (!bh)
		return err_set(d, ERR_INVALID, "no business hours");
	if (!bh->zone) {
		err_field_add(d, "zone", "a time zone is required");
		nbad++;
	}
	check_intervals(bh, d, &nbad);
	check_overlaps(bh, d, &nbad);
	check_holidays(bh, d, &nbad);
	return nbad ? ERR_INVALID : ERR_OK;
}
