/* Quiet hours: when a recipient may be called (or sent a marketing message),
 * judged on the recipient's wall clock.
 *
 * Where the recipient is:
 *   1. the contact's own IANA time zone (contacts.time_zone), when set;
 *   2. else the number's area: libphonenumber's offline geocoder names the
 *      state or province of a North American number ("Florida",
 *      "San Francisco, CA"), and the table in compliance_zone.c gives its
 *      zone(s). An area code that spans zones (850 Florida, 208 Idaho, 906
 *      Michigan...) lists each, and the window must be open in all of them;
 *   3. a US or Canadian number with no known state (toll-free, new area
 *      codes) is judged in the country's easternmost and westernmost
 *      mainland zones (both must be open);
 *   4. any other number without a contact zone: the rule does not apply (the
 *      rules encoded are US and Canadian).
 * The state (for its stricter window) always comes from the number, the zone
 * from the contact when it has one. DST comes from the system zone database
 * (core/tz.h).
 *
 * Windows (local time, [open, close)):
 *   US federal (47 CFR 64.1200(c)(1)): 8:00-21:00 every day
 *   Canada (CRTC Unsolicited Telecommunications Rules): weekdays 9:00-21:30,
 *     weekends 10:00-18:00
 *   stricter US states (statutes cited per row in compliance_zone.c):
 *     FL, OK, MD, WA, MA       8:00-20:00 every day
 *     CT                       9:00-20:00 every day
 *     NM                       9:00-21:00 every day
 *     AL, LA                   8:00-20:00, none on Sunday or a federal holiday
 *     MS                       8:00-20:00 Central *Standard* Time (all year), none on Sunday
 *     UT                       8:00-21:00, none on Sunday or a federal holiday, nor Pioneer Day
 *     TX                       9:00-21:00 Mon-Sat, 12:00-21:00 Sunday
 *     PA                       8:00-21:00, none on a federal holiday nor Flag Day
 *     RI                       9:00-18:00 weekdays, 10:00-17:00 Sat, none Sunday, a federal
 *                              holiday nor Victory Day
 *   A holiday closes both its own date and the Friday/Monday it is observed
 *   on. State holidays tied to Easter, elections or proclamations are not
 *   encoded. */
#ifndef SB_DOMAIN_COMPLIANCE_ZONE_H
#define SB_DOMAIN_COMPLIANCE_ZONE_H

#include <stdbool.h>
#include <stdint.h>

#define QUIET_MAX_ZONES 3

/* An open window in minutes after local midnight, [open, close); open ==
 * close == 0: closed all day. */
struct quiet_window {
	int open, close;
};

struct quiet_verdict {
	bool applies;                   /* false: no rule for this recipient (see 4.) */
	bool allowed;                   /* the window is open (true when !applies) */
	char country[3];                /* "US", "CA", or "" */
	char region[3];                 /* state or province code, or "" when unknown */
	const char *zones[QUIET_MAX_ZONES]; /* static or the caller's contact zone */
	int nzones;
	const char *zone_source;        /* "contact", "number", "country" */
	const char *closed_zone;        /* the zone whose window is shut (when !allowed) */
	struct quiet_window window;     /* the window that applied there */
	int local_minute, local_weekday; /* the recipient's wall clock there (0 = Sunday) */
};

/* The window of country ("US"/"CA") and region ("FL", or "" for the federal
 * one) on weekday (0 = Sunday). */
struct quiet_window quiet_window_for(const char *country, const char *region, int weekday);
/* The window on a civil date (y, m 1-12, d), counting the holidays of states
 * that bar calls on them: closed all day ({0, 0}) on such a holiday. */
struct quiet_window quiet_window_on(const char *country, const char *region, int y, int m, int d);
/* Whether the date is a US federal holiday (5 U.S.C. § 6103) or the Friday or
 * Monday on which a Saturday or Sunday one is observed. */
bool quiet_us_holiday(int y, int m, int d);

/* Decides quiet hours for calling e164 at now (epoch ms). contact_tz: the
 * contact's IANA zone or NULL (an unknown name is ignored). Pure apart from
 * reading the zone database and the geocoder; never fails: a number it cannot
 * place gets the conservative treatment above. */
void quiet_check(const char *e164, const char *contact_tz, int64_t now, struct quiet_verdict *out);

/* The first minute at or after from (epoch ms) when quiet_check allows
 * contacting e164: from itself when it is allowed (or no rule applies), else
 * the start of the minute the window opens in every zone concerned, DST
 * changes and days closed all day (Sundays, holidays) included. -1 when no
 * window opens within about ten days (no table row does that). */
int64_t quiet_next_open(const char *e164, const char *contact_tz, int64_t from);

/* Whether name is a zone the system database knows (for validating input). */
bool quiet_zone_valid(const char *name);

#endif
