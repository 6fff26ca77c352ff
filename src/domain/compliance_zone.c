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

struct state_rule {
	const char *code;
	struct quiet_window week[7]; /* Sunday first */
};

#define EVERY(o, c) {{o, c}, {o, c}, {o, c}, {o, c}, {o, c}, {o, c}, {o, c}}
#define NO_SUNDAY(o, c) {{0, 0}, {o, c}, {o, c}, {o, c}, {o, c}, {o, c}, {o, c}}

static const struct state_rule state_rules[] = {
	{"FL", EVERY(HM(8, 0), HM(20, 0))},
	{"OK", EVERY(HM(8, 0), HM(20, 0))},
	{"MD", EVERY(HM(8, 0), HM(20, 0))},
	{"WA", EVERY(HM(8, 0), HM(20, 0))},
	{"MA", EVERY(HM(8, 0), HM(20, 0))},
	{"AL", NO_SUNDAY(HM(8, 0), HM(20, 0))},
	{"LA", NO_SUNDAY(HM(8, 0), HM(20, 0))},
	{"MS", NO_SUNDAY(HM(8, 0), HM(20, 0))},
	{"CT", EVERY(HM(9, 0), HM(20, 0))},
	{"UT", NO_SUNDAY(HM(8, 0), HM(21, 0))},
	{"TX", {{HM(12, 0), HM(21, 0)}, {HM(9, 0), HM(21, 0)}, {HM(9, 0), HM(21, 0)}, {HM(9, 0), HM(21, 0)},
		{HM(9, 0), HM(21, 0)}, {HM(9, 0), HM(21, 0)}, {HM(9, 0), HM(21, 0)}}},
	{"PA", {{HM(13, 30), HM(21, 0)}, {HM(8, 0), HM(21, 0)}, {HM(8, 0), HM(21, 0)}, {HM(8, 0), HM(21, 0)},
		{HM(8, 0), HM(21, 0)}, {HM(8, 0), HM(21, 0)}, {HM(8, 0), HM(21, 0)}}},
	{"RI", {{0, 0}, {HM(9, 0), HM(18, 0)}, {HM(9, 0), HM(18, 0)}, {HM(9, 0), HM(18, 0)}, {HM(9, 0), HM(18, 0)},
		{HM(9, 0), HM(18, 0)}, {HM(10, 0), HM(17, 0)}}},
};

struct quiet_window quiet_window_for(const char *country, const char *region, int weekday)
{
	if (weekday < 0 || weekday > 6)
		weekday = 0;
	if (country && !strcmp(country, "CA")) {
		bool weekend = weekday == 0 || weekday == 6;
		return weekend ? (struct quiet_window){HM(10, 0), HM(18, 0)} : (struct quiet_window){HM(9, 0), HM(21, 30)};
	}
	for (size_t i = 0; region && i < sizeof state_rules / sizeof state_rules[0]; i++)
		if (!strcmp(state_rules[i].code, region))
			return state_rules[i].week[weekday];
	return (struct quiet_window){HM(8, 0), HM(21, 0)};
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
	for (int i = 0; i < out->nzones; i++) {
		struct tz_civil c;
		tz_civil_at(tz_get(out->zones[i]), now, &c);
		struct quiet_window w = quiet_window_for(out->country[0] ? out->country : "US", out->region, c.weekday);
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
			break;
		}
	}
}
