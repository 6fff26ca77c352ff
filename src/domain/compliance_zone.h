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
 *   stricter US states, as enacted by 2025 (statutory holidays not encoded):
 *     FL, OK, MD, WA, MA       8:00-20:00 every day
 *     AL, LA, MS               8:00-20:00, none on Sunday
 *     CT                       9:00-20:00 every day
 *     TX                       9:00-21:00 Mon-Sat, 12:00-21:00 Sunday
 *     UT                       8:00-21:00, none on Sunday
 *     PA                       8:00-21:00 Mon-Sat, 13:30-21:00 Sunday
 *     RI                       9:00-18:00 weekdays, 10:00-17:00 Sat, none Sunday */
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

/* Decides quiet hours for calling e164 at now (epoch ms). contact_tz: the
 * contact's IANA zone or NULL (an unknown name is ignored). Pure apart from
 * reading the zone database and the geocoder; never fails: a number it cannot
 * place gets the conservative treatment above. */
void quiet_check(const char *e164, const char *contact_tz, int64_t now, struct quiet_verdict *out);

/* Whether name is a zone the system database knows (for validating input). */
bool quiet_zone_valid(const char *name);

#endif
