/* Quiet hours (see compliance_zone.h): the region and zone tables and the
 * window check. */
#include "domain/compliance_zone.h"

#include <stdio.h>
#include <string.h>

#include "core/phone_geo.h"
#include "core/tz.h"

#define NY "America/New_York"
#define CHI "America/Chicago"
#define DEN "America/Denver"
#define PHX "America/Phoenix"
#define LA "America/Los_Angeles"

struct region {
	const char *country, *code, *name; /* name as the geocoder spells it (English) */
	const char *zones[QUIET_MAX_ZONES];
};

/* One zone per state or province: where most of its people live. Area codes
 * that straddle a zone line are in npa_zones below. */
static const struct region regions[] = {
	{"US", "AL", "Alabama", {CHI}}, {"US", "AK", "Alaska", {"America/Anchorage"}},
	{"US", "AZ", "Arizona", {PHX}}, {"US", "AR", "Arkansas", {CHI}},
	{"US", "CA", "California", {LA}}, {"US", "CO", "Colorado", {DEN}},
	{"US", "CT", "Connecticut", {NY}}, {"US", "DE", "Delaware", {NY}},
	{"US", "DC", "Washington D.C.", {NY}}, {"US", "FL", "Florida", {NY}},
	{"US", "GA", "Georgia", {NY}}, {"US", "HI", "Hawaii", {"Pacific/Honolulu"}},
	{"US", "ID", "Idaho", {"America/Boise"}}, {"US", "IL", "Illinois", {CHI}},
	{"US", "IN", "Indiana", {"America/Indiana/Indianapolis"}}, {"US", "IA", "Iowa", {CHI}},
	{"US", "KS", "Kansas", {CHI}}, {"US", "KY", "Kentucky", {NY}},
	{"US", "LA", "Louisiana", {CHI}}, {"US", "ME", "Maine", {NY}},
	{"US", "MD", "Maryland", {NY}}, {"US", "MA", "Massachusetts", {NY}},
	{"US", "MI", "Michigan", {"America/Detroit"}}, {"US", "MN", "Minnesota", {CHI}},
	{"US", "MS", "Mississippi", {CHI}}, {"US", "MO", "Missouri", {CHI}},
	{"US", "MT", "Montana", {DEN}}, {"US", "NE", "Nebraska", {CHI}},
	{"US", "NV", "Nevada", {LA}}, {"US", "NH", "New Hampshire", {NY}},
	{"US", "NJ", "New Jersey", {NY}}, {"US", "NM", "New Mexico", {DEN}},
	{"US", "NY", "New York", {NY}}, {"US", "NC", "North Carolina", {NY}},
	{"US", "ND", "North Dakota", {CHI}}, {"US", "OH", "Ohio", {NY}},
	{"US", "OK", "Oklahoma", {CHI}}, {"US", "OR", "Oregon", {LA}},
	{"US", "PA", "Pennsylvania", {NY}}, {"US", "RI", "Rhode Island", {NY}},
	{"US", "SC", "South Carolina", {NY}}, {"US", "SD", "South Dakota", {CHI}},
	{"US", "TN", "Tennessee", {CHI}}, {"US", "TX", "Texas", {CHI}},
	{"US", "UT", "Utah", {DEN}}, {"US", "VT", "Vermont", {NY}},
	{"US", "VA", "Virginia", {NY}}, {"US", "WA", "Washington State", {LA}},
	{"US", "WV", "West Virginia", {NY}}, {"US", "WI", "Wisconsin", {CHI}},
	{"US", "WY", "Wyoming", {DEN}},
	{"CA", "AB", "Alberta", {"America/Edmonton"}}, {"CA", "BC", "British Columbia", {"America/Vancouver"}},
	{"CA", "MB", "Manitoba", {"America/Winnipeg"}}, {"CA", "NB", "New Brunswick", {"America/Moncton"}},
	{"CA", "NL", "Newfoundland and Labrador", {"America/St_Johns"}},
	{"CA", "NS", "Nova Scotia/Prince Edward Island", {"America/Halifax"}},
	{"CA", "NS", "Nova Scotia", {"America/Halifax"}}, {"CA", "PE", "Prince Edward Island", {"America/Halifax"}},
	{"CA", "ON", "Ontario", {"America/Toronto"}}, {"CA", "QC", "Quebec", {"America/Toronto"}},
	{"CA", "SK", "Saskatchewan", {"America/Regina"}},
	{"CA", "NT", "Northwest Territories/Nunavut/Yukon", {"America/Whitehorse", "America/Yellowknife", "America/Iqaluit"}},
	{"CA", "YT", "Yukon", {"America/Whitehorse"}}, {"CA", "NT", "Northwest Territories", {"America/Yellowknife"}},
	{"CA", "NU", "Nunavut", {"America/Iqaluit"}},
};

/* Area codes whose territory spans two zones: the window must be open in each. */
static const struct npa_zone {
	const char *npa;
	const char *zones[QUIET_MAX_ZONES];
} npa_zones[] = {
	{"850", {NY, CHI}}, /* Florida panhandle: Tallahassee ET, Pensacola CT */
	{"915", {DEN}},     /* El Paso */
	{"208", {"America/Boise", LA}}, {"986", {"America/Boise", LA}},
	{"541", {LA, "America/Boise"}}, {"458", {LA, "America/Boise"}},
	{"906", {"America/Detroit", "America/Menominee"}},
	{"270", {CHI, NY}}, {"364", {CHI, NY}}, {"606", {NY, CHI}},
	{"423", {NY, CHI}}, {"865", {NY}}, {"931", {CHI, NY}},
	{"219", {CHI}}, {"812", {"America/Indiana/Indianapolis", CHI}}, {"930", {"America/Indiana/Indianapolis", CHI}},
	{"701", {CHI, DEN}}, {"605", {CHI, DEN}}, {"308", {CHI, DEN}},
	{"620", {CHI, DEN}}, {"785", {CHI, DEN}},
	{"807", {"America/Toronto", "America/Winnipeg"}},
};

static const struct region *region_by_code(const char *country, const char *code)
{
	for (size_t i = 0; i < sizeof regions / sizeof regions[0]; i++)
		if (!strcmp(regions[i].country, country) && !strcmp(regions[i].code, code))
			return &regions[i];
	return NULL;
}

/* "San Francisco, CA" -> CA; "Florida" -> FL. */
static const struct region *region_by_description(const char *country, const char *desc)
{
	size_t n = strlen(desc);
	if (n > 4 && desc[n - 4] == ',' && desc[n - 3] == ' ') {
		char code[3] = {desc[n - 2], desc[n - 1], 0};
		return region_by_code(country, code);
	}
	for (size_t i = 0; i < sizeof regions / sizeof regions[0]; i++)
		if (!strcmp(regions[i].country, country) && !strcmp(regions[i].name, desc))
			return &regions[i];
	return NULL;
}

#define HM(h, m) ((h) * 60 + (m))

/* Rule flags. */
#define R_HOLIDAYS 1u /* no calls on US federal holidays (the day itself and the
		       * Friday/Monday it is observed on: both are closed) */

struct state_rule {
	const char *code;
	struct quiet_window week[7]; /* Sunday first */
	unsigned flags;
	/* NULL: the window is read on the recipient's wall clock. Otherwise the
	 * statute names a fixed clock (Mississippi: Central Standard Time all
	 * year) and the window is read on it, while the federal window still
	 * applies on the recipient's own clock. */
	const char *clock;
};

#define EVERY(o, c) {{o, c}, {o, c}, {o, c}, {o, c}, {o, c}, {o, c}, {o, c}}
#define NO_SUNDAY(o, c) {{0, 0}, {o, c}, {o, c}, {o, c}, {o, c}, {o, c}, {o, c}}

/* States stricter than the federal 8:00-21:00, checked against the statute
 * text or the regulator's own page where one was found (November 2026). A
 * window applies to telephone solicitation (marketing calls and texts); the
 * gate applies it to every outbound call and marketing message. States whose
 * stricter hours bind only prerecorded/autodialed calls (KY KRS 367.461,
 * NV NRS 597.814, SD SDCL 37-30-28, MN 325E.27) are not encoded: our calls
 * are placed by a person. */
static const struct state_rule state_rules[] = {
	/* Fla. Stat. § 501.616(6)(a) (2021 SB 1120): not before 8 a.m. or after 8 p.m. */
	{"FL", EVERY(HM(8, 0), HM(20, 0)), 0, NULL},
	/* Okla. Stat. tit. 15 § 775C.4 (Telephone Solicitation Act of 2022): 8 a.m.-8 p.m. */
	{"OK", EVERY(HM(8, 0), HM(20, 0)), 0, NULL},
	/* Md. Code, Com. Law § 14-4503 (Stop the Spam Calls Act of 2023, SB 90, in force
	 * 2024-01-01): 8 a.m.-8 p.m. in the called party's time zone. */
	{"MD", EVERY(HM(8, 0), HM(20, 0)), 0, NULL},
	/* RCW 19.158.040(2) and RCW 80.36.390: not before 8:00 a.m. or after 8:00 p.m. */
	{"WA", EVERY(HM(8, 0), HM(20, 0)), 0, NULL},
	/* Mass. Gen. Laws c. 159C § 3: no unsolicited sales calls 8 p.m.-8 a.m. */
	{"MA", EVERY(HM(8, 0), HM(20, 0)), 0, NULL},
	/* Conn. Gen. Stat. § 42-288a (as amended 2023, P.A. 23-98): 9 a.m.-8 p.m. */
	{"CT", EVERY(HM(9, 0), HM(20, 0)), 0, NULL},
	/* N.M. Stat. § 57-12-22(B)(5): not received before 9:00 a.m. or after 9:00 p.m. */
	{"NM", EVERY(HM(9, 0), HM(21, 0)), 0, NULL},
	/* Alabama PSC do-not-call rule (Ala. Admin. Code r. 770-X-5): 8 a.m.-8 p.m.,
	 * none on Sunday or a legal holiday (holidays: Ala. Code § 1-3-8). */
	{"AL", NO_SUNDAY(HM(8, 0), HM(20, 0)), R_HOLIDAYS, NULL},
	/* La. PSC General Order R-29617 § V(A)(2) and La. R.S. 45:811: not Sunday or
	 * a legal holiday, not 8:00 p.m.-8:00 a.m. Monday-Saturday. */
	{"LA", NO_SUNDAY(HM(8, 0), HM(20, 0)), R_HOLIDAYS, NULL},
	/* Miss. Code § 77-3-723(1): 8:00 a.m.-8:00 p.m. Central Standard Time, none on
	 * Sunday. The holiday ban was a PSC rule (39 Miss. Admin. Code Pt. I R. 1:28),
	 * repealed when enforcement moved to the Attorney General (2023 HB 1225). */
	{"MS", NO_SUNDAY(HM(8, 0), HM(20, 0)), 0, "Etc/GMT+6"},
	/* Utah Code § 13-25a-103(3): not 9 p.m.-8 a.m., not on a Sunday or a legal holiday. */
	{"UT", NO_SUNDAY(HM(8, 0), HM(21, 0)), R_HOLIDAYS, NULL},
	/* Tex. Bus. & Com. Code § 301.051: 9 a.m.-9 p.m. weekdays and Saturday, noon-9 p.m. Sunday. */
	{"TX", {{HM(12, 0), HM(21, 0)}, {HM(9, 0), HM(21, 0)}, {HM(9, 0), HM(21, 0)}, {HM(9, 0), HM(21, 0)},
		{HM(9, 0), HM(21, 0)}, {HM(9, 0), HM(21, 0)}, {HM(9, 0), HM(21, 0)}}, 0, NULL},
	/* 73 P.S. § 2245(a) (Telemarketer Registration Act): not before 8 a.m. or after
	 * 9 p.m. any day (there is no Sunday afternoon rule); legal holidays barred
	 * since 2019-12-03 (2019 HB 318). */
	{"PA", EVERY(HM(8, 0), HM(21, 0)), R_HOLIDAYS, NULL},
	/* R.I. Gen. Laws § 5-61-2 ("hours of operation") with § 5-61-3.6: Monday-Friday
	 * 9:00 a.m.-6:00 p.m. except a state or federal holiday, Saturday 10:00 a.m.-
	 * 5:00 p.m.; none on Sunday. */
	{"RI", {{0, 0}, {HM(9, 0), HM(18, 0)}, {HM(9, 0), HM(18, 0)}, {HM(9, 0), HM(18, 0)}, {HM(9, 0), HM(18, 0)},
		{HM(9, 0), HM(18, 0)}, {HM(10, 0), HM(17, 0)}}, R_HOLIDAYS, NULL},
};

static const struct state_rule *rule_for(const char *country, const char *region)
{
	if (!country || strcmp(country, "US") != 0 || !region)
		return NULL;
	for (size_t i = 0; i < sizeof state_rules / sizeof state_rules[0]; i++)
		if (!strcmp(state_rules[i].code, region))
			return &state_rules[i];
	return NULL;
}

/* Days since 1970-01-01 of a proleptic Gregorian date, and back (H. Hinnant). */
static int64_t days_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

static int weekday_of(int y, int m, int d)
{
	int64_t w = (days_from_civil(y, m, d) + 4) % 7; /* 1970-01-01 was a Thursday */
	return (int)(w < 0 ? w + 7 : w);
}

/* The fixed-date federal holidays (5 U.S.C. § 6103(a)). */
static bool fixed_holiday(int m, int d)
{
	return (m == 1 && d == 1) || (m == 6 && d == 19) || (m == 7 && d == 4) || (m == 11 && d == 11) ||
	       (m == 12 && d == 25);
}

bool quiet_us_holiday(int y, int m, int d)
{
	int wd = weekday_of(y, m, d), nth = (d - 1) / 7 + 1;
	bool last = d + 7 > (int)(days_from_civil(m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1, 1) -
				  days_from_civil(y, m, 1));
	if (fixed_holiday(m, d))
		return true;
	if (wd == 1 && ((m == 1 && nth == 3) ||   /* Birthday of Martin Luther King, Jr. */
			(m == 2 && nth == 3) ||   /* Washington's Birthday */
			(m == 5 && last) ||       /* Memorial Day */
			(m == 9 && nth == 1) ||   /* Labor Day */
			(m == 10 && nth == 2)))   /* Columbus Day */
		return true;
	if (wd == 4 && m == 11 && nth == 4) /* Thanksgiving Day */
		return true;
	/* Observed: a Saturday holiday on the Friday before, a Sunday one on the Monday after. */
	int64_t z = days_from_civil(y, m, d);
	int oy, om, od;
	if (wd == 5) {
		civil_from_days(z + 1, &oy, &om, &od);
		if (fixed_holiday(om, od))
			return true;
	}
	if (wd == 1) {
		civil_from_days(z - 1, &oy, &om, &od);
		if (fixed_holiday(om, od))
			return true;
	}
	return false;
}

/* State-only legal holidays with a computable date, for states that bar
 * calls on their legal holidays. Not encoded: Easter-based ones (Good Friday,
 * Mardi Gras), election days and days a governor proclaims. */
static bool state_holiday(const char *code, int y, int m, int d)
{
	(void)y;
	if (!strcmp(code, "UT"))
		return m == 7 && d == 24; /* Pioneer Day (Utah Code § 63G-1-301) */
	if (!strcmp(code, "PA"))
		return m == 6 && d == 14; /* Flag Day (44 P.S. § 11) */
	if (!strcmp(code, "RI"))
		return m == 8 && weekday_of(y, m, d) == 1 && (d - 1) / 7 == 1; /* Victory Day, 2nd Monday of August */
	return false;
}

static struct quiet_window federal(void)
{
	return (struct quiet_window){HM(8, 0), HM(21, 0)};
}

struct quiet_window quiet_window_for(const char *country, const char *region, int weekday)
{
	if (weekday < 0 || weekday > 6)
		weekday = 0;
	if (country && !strcmp(country, "CA")) {
		/* CRTC Unsolicited Telecommunications Rules, Part III s. 37 (telemarketing):
		 * weekdays 9:00-21:30, weekends 10:00-18:00. */
		bool weekend = weekday == 0 || weekday == 6;
		return weekend ? (struct quiet_window){HM(10, 0), HM(18, 0)} : (struct quiet_window){HM(9, 0), HM(21, 30)};
	}
	const struct state_rule *r = rule_for(country, region);
	return r ? r->week[weekday] : federal();
}

struct quiet_window quiet_window_on(const char *country, const char *region, int y, int m, int d)
{
	const struct state_rule *r = rule_for(country, region);
	if (r && (r->flags & R_HOLIDAYS) && (quiet_us_holiday(y, m, d) || state_holiday(r->code, y, m, d)))
		return (struct quiet_window){0, 0};
	return quiet_window_for(country, region, weekday_of(y, m, d));
}

bool quiet_zone_valid(const char *name)
{
	return name && tz_get(name) != NULL;
}

/* Where the number is: country, region and the zones of its area. */
static void place_number(const char *e164, struct quiet_verdict *v)
{
	char desc[128], country[3] = "";
	enum err rc = phone_geo_describe(e164, desc, sizeof desc, country);
	if (strcmp(country, "US") != 0 && strcmp(country, "CA") != 0)
		return;
	memcpy(v->country, country, 3);
	v->zone_source = "country";
	const struct region *r = rc == ERR_OK ? region_by_description(country, desc) : NULL;
	if (r) {
		memcpy(v->region, r->code, 3);
		v->zone_source = "number";
		for (int i = 0; i < QUIET_MAX_ZONES && r->zones[i]; i++)
			v->zones[v->nzones++] = r->zones[i];
		for (size_t i = 0; i < sizeof npa_zones / sizeof npa_zones[0]; i++) {
			if (strncmp(e164 + 2, npa_zones[i].npa, 3) != 0)
				continue;
			v->nzones = 0;
			for (int k = 0; k < QUIET_MAX_ZONES && npa_zones[i].zones[k]; k++)
				v->zones[v->nzones++] = npa_zones[i].zones[k];
		}
		return;
	}
	/* Known country, unknown area: both ends of the mainland must be awake. */
	v->zones[0] = strcmp(country, "CA") == 0 ? "America/Halifax" : NY;
	v->zones[1] = strcmp(country, "CA") == 0 ? "America/Vancouver" : LA;
	v->nzones = 2;
}

void quiet_check(const char *e164, const char *contact_tz, int64_t now, struct quiet_verdict *out)
{
	memset(out, 0, sizeof *out);
	out->allowed = true;
	if (e164 && e164[0] == '+' && e164[1] == '1')
		place_number(e164, out);
	if (contact_tz && quiet_zone_valid(contact_tz)) {
		out->zones[0] = contact_tz;
		out->nzones = 1;
		out->zone_source = "contact";
	}
	out->applies = out->nzones > 0;
	const char *country = out->country[0] ? out->country : "US";
	const struct state_rule *r = rule_for(country, out->region);
	for (int i = 0; i < out->nzones; i++) {
		struct tz_civil c;
		tz_civil_at(tz_get(out->zones[i]), now, &c);
		/* A rule on a fixed clock: the federal window on the wall clock here,
		 * the state's on its own clock (checked once, below). */
		struct quiet_window w = r && r->clock ? federal() : quiet_window_on(country, out->region, c.year, c.month, c.day);
		int minute = c.hour * 60 + c.minute;
		bool open = minute >= w.open && minute < w.close;
		if (i == 0 || !open) {
			out->window = w;
			out->local_minute = minute;
			out->local_weekday = c.weekday;
		}
		if (!open) {
			out->allowed = false;
			out->closed_zone = out->zones[i];
			return;
		}
	}
	if (out->applies && r && r->clock) {
		struct tz_civil c;
		tz_civil_at(tz_get(r->clock), now, &c);
		struct quiet_window w = quiet_window_on(country, out->region, c.year, c.month, c.day);
		int minute = c.hour * 60 + c.minute;
		if (minute < w.open || minute >= w.close) {
			out->allowed = false;
			out->closed_zone = r->clock;
			out->window = w;
			out->local_minute = minute;
			out->local_weekday = c.weekday;
		}
	}
}

/* Jumps from a closed t to the closed zone's next opening, or to its next
 * midnight when the window is over (or shut all day) there. */
static int64_t next_candidate(int64_t t, const struct quiet_verdict *v)
{
	int m = v->local_minute, step = v->window.open != v->window.close && m < v->window.open ? v->window.open - m
											     : 1440 - m;
	return t - t % 60000 + (int64_t)step * 60000;
}

int64_t quiet_next_open(const char *e164, const char *contact_tz, int64_t from)
{
	struct quiet_verdict v;
	int64_t t = from;
	quiet_check(e164, contact_tz, t, &v);
	for (int i = 0; i < 32 && !v.allowed; i++) {
		int64_t closed = t;
		t = next_candidate(t, &v);
		quiet_check(e164, contact_tz, t, &v);
		if (!v.allowed)
			continue;
		/* A DST change inside the jump can overshoot by its size: the
		 * first open minute since the last closed one, by halving (closed
		 * stays closed, t stays open). */
		closed -= closed % 60000;
		while (t - closed > 60000) {
			int64_t mid = closed + (t - closed) / 120000 * 60000;
			struct quiet_verdict h;
			quiet_check(e164, contact_tz, mid, &h);
			if (h.allowed)
				t = mid;
			else
				closed = mid;
		}
		return t;
	}
	return v.allowed ? t : -1;
}
