/* The compliance gate (domain/gate.c) on a real in-memory SQLite database:
 * every rule, its order, which rules an Owner may override, the audit event
 * of each decision; and quiet hours (domain/compliance_zone.c) across zones,
 * state windows, Canada, split area codes, contact zones and both DST
 * transitions. Times are set with the injectable clock offset. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/ids.h"
#include "core/log.h"
#include "core/tz.h"
#include "domain/compliance_zone.h"
#include "domain/gate.h"
#include "store/accounts.h"
#include "store/blocked.h"
#include "store/compliance.h"
#include "store/contacts.h"
#include "store/dnc.h"
#include "store/migrate.h"

static int64_t at(const char *iso)
{
	int64_t ms = 0;
	assert_true(clock_parse_rfc3339(iso, &ms));
	return ms;
}

/* ---- quiet hours, pure ---- */

static void expect_quiet(const char *e164, const char *tz, const char *iso, bool allowed)
{
	struct quiet_verdict v;
	quiet_check(e164, tz, at(iso), &v);
	if (v.allowed != allowed)
		fail_msg("%s (tz %s) at %s: expected %s, got %s (zone %s, local %02d:%02d, window %d-%d)", e164,
			 tz ? tz : "-", iso, allowed ? "open" : "closed", v.allowed ? "open" : "closed",
			 v.closed_zone ? v.closed_zone : (v.nzones ? v.zones[0] : "-"), v.local_minute / 60,
			 v.local_minute % 60, v.window.open, v.window.close);
}

static void test_windows_table(void **state)
{
	(void)state;
	struct quiet_window w = quiet_window_for("US", "", 3);
	assert_int_equal(w.open, 8 * 60);
	assert_int_equal(w.close, 21 * 60);
	w = quiet_window_for("US", "FL", 3);
	assert_int_equal(w.close, 20 * 60);
	w = quiet_window_for("US", "TX", 0);
	assert_int_equal(w.open, 12 * 60);
	w = quiet_window_for("US", "RI", 0);
	assert_int_equal(w.open, w.close);
	w = quiet_window_for("US", "PA", 0); /* 73 P.S. § 2245: no Sunday afternoon rule */
	assert_int_equal(w.open, 8 * 60);
	assert_int_equal(w.close, 21 * 60);
	w = quiet_window_on("US", "PA", 2026, 7, 3); /* Independence Day observed */
	assert_int_equal(w.open, w.close);
	w = quiet_window_on("US", "MS", 2026, 1, 19); /* MS: holidays no longer barred */
	assert_int_equal(w.close, 20 * 60);
	w = quiet_window_for("CA", "ON", 2);
	assert_int_equal(w.close, 21 * 60 + 30);
	w = quiet_window_for("CA", "ON", 6);
	assert_int_equal(w.open, 10 * 60);
	assert_int_equal(w.close, 18 * 60);
}

static void test_federal_window_in_each_zone(void **state)
{
	(void)state;
	/* 2026-01-14 is a Wednesday (EST, UTC-5; PST, UTC-8). */
	expect_quiet("+12125552001", NULL, "2026-01-14T12:59:00Z", false); /* 07:59 New York */
	expect_quiet("+12125552001", NULL, "2026-01-14T13:00:00Z", true);  /* 08:00 */
	expect_quiet("+12125552001", NULL, "2026-01-15T01:59:00Z", true);  /* 20:59 */
	expect_quiet("+12125552001", NULL, "2026-01-15T02:00:00Z", false); /* 21:00 */
	expect_quiet("+14155552001", NULL, "2026-01-15T02:00:00Z", true);  /* 18:00 San Francisco */
	expect_quiet("+14155552001", NULL, "2026-01-14T15:59:00Z", false); /* 07:59 */
	expect_quiet("+18085552001", NULL, "2026-01-14T19:00:00Z", true);  /* 09:00 Honolulu */
	expect_quiet("+18085552001", NULL, "2026-01-14T17:30:00Z", false); /* 07:30 */
	expect_quiet("+19075552001", NULL, "2026-01-14T16:30:00Z", false); /* 07:30 Anchorage */
	expect_quiet("+13125552001", NULL, "2026-01-14T13:30:00Z", false); /* 07:30 Chicago */
	expect_quiet("+13125552001", NULL, "2026-01-14T14:00:00Z", true);
}

static void test_state_windows(void **state)
{
	(void)state;
	expect_quiet("+13055552001", NULL, "2026-01-15T00:59:00Z", true);  /* 19:59 Miami */
	expect_quiet("+13055552001", NULL, "2026-01-15T01:00:00Z", false); /* 20:00: Florida closes */
	expect_quiet("+12065552001", NULL, "2026-01-15T04:30:00Z", false); /* 20:30 Seattle (WA 8-20) */
	/* Texas: Sunday from noon; 2026-01-18 is a Sunday (CST). */
	expect_quiet("+15125552001", NULL, "2026-01-18T17:30:00Z", false); /* 11:30 Austin, Sunday */
	expect_quiet("+15125552001", NULL, "2026-01-18T18:00:00Z", true);  /* 12:00 */
	expect_quiet("+15125552001", NULL, "2026-01-17T15:00:00Z", true);  /* 09:00 Saturday */
	/* Rhode Island: none on Sunday, 10-17 Saturday. */
	expect_quiet("+14015552001", NULL, "2026-01-18T17:00:00Z", false); /* Sunday 12:00 */
	expect_quiet("+14015552001", NULL, "2026-01-17T22:30:00Z", false); /* Saturday 17:30 */
	expect_quiet("+14015552001", NULL, "2026-01-17T21:30:00Z", true);  /* Saturday 16:30 */
	/* Canada (CRTC): weekdays to 21:30, weekends 10-18. */
	expect_quiet("+14165552001", NULL, "2026-01-15T02:15:00Z", true);  /* Wed 21:15 Toronto */
	expect_quiet("+14165552001", NULL, "2026-01-15T02:30:00Z", false); /* Wed 21:30 */
	expect_quiet("+14165552001", NULL, "2026-01-17T23:30:00Z", false); /* Sat 18:30 */
	expect_quiet("+16045552001", NULL, "2026-01-17T18:30:00Z", true);  /* Sat 10:30 Vancouver */
}

/* Federal holidays (5 U.S.C. § 6103) with their observed Friday/Monday. */
static void test_us_holidays(void **state)
{
	(void)state;
	static const int yes[][3] = {{2026, 1, 1},  {2026, 1, 19}, {2026, 2, 16}, {2026, 5, 25}, {2026, 6, 19},
				     {2026, 7, 3},  {2026, 7, 4},  {2026, 9, 7},  {2026, 10, 12}, {2026, 11, 11},
				     {2026, 11, 26}, {2026, 12, 25}, {2021, 12, 31}, {2027, 7, 5}, {2027, 12, 24}};
	static const int no[][3] = {{2026, 1, 12}, {2026, 1, 26}, {2026, 5, 18}, {2026, 7, 6}, {2026, 11, 19},
				    {2026, 12, 24}, {2026, 12, 28}, {2026, 10, 5}, {2026, 9, 14}, {2026, 6, 14}};
	for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
		if (!quiet_us_holiday(yes[i][0], yes[i][1], yes[i][2]))
			fail_msg("%d-%02d-%02d should be a federal holiday", yes[i][0], yes[i][1], yes[i][2]);
	for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
		if (quiet_us_holiday(no[i][0], no[i][1], no[i][2]))
			fail_msg("%d-%02d-%02d is not a federal holiday", no[i][0], no[i][1], no[i][2]);
}

/* One row of the state table each, at its edges (2026-01-14 is a Wednesday). */
static void test_state_rows(void **state)
{
	(void)state;
	/* The numbers below are placed in the state their row is about. */
	static const char *const placed[][2] = {{"+13055552001", "FL"}, {"+14055552001", "OK"}, {"+14105552001", "MD"},
						{"+12065552001", "WA"}, {"+16175552001", "MA"}, {"+12035552001", "CT"},
						{"+15055552001", "NM"}, {"+12055552001", "AL"}, {"+15045552001", "LA"},
						{"+16015552001", "MS"}, {"+18015552001", "UT"}, {"+12155552001", "PA"},
						{"+14015552001", "RI"}};
	for (size_t i = 0; i < sizeof placed / sizeof placed[0]; i++) {
		struct quiet_verdict v;
		quiet_check(placed[i][0], NULL, at("2026-01-14T17:00:00Z"), &v);
		assert_string_equal(v.region, placed[i][1]);
		assert_string_equal(v.zone_source, "number");
	}
	/* FL § 501.616(6)(a): 8-20. */
	expect_quiet("+13055552001", NULL, "2026-01-14T12:59:00Z", false); /* 07:59 Miami */
	expect_quiet("+13055552001", NULL, "2026-01-14T13:00:00Z", true);
	/* OK § 775C.4: 8-20 (Oklahoma City, CST). */
	expect_quiet("+14055552001", NULL, "2026-01-15T01:59:00Z", true);  /* 19:59 */
	expect_quiet("+14055552001", NULL, "2026-01-15T02:00:00Z", false); /* 20:00 */
	/* MD Stop the Spam Calls Act: 8-20 (Baltimore). */
	expect_quiet("+14105552001", NULL, "2026-01-15T00:59:00Z", true);
	expect_quiet("+14105552001", NULL, "2026-01-15T01:00:00Z", false);
	/* WA RCW 19.158.040: 8-20 (Seattle). */
	expect_quiet("+12065552001", NULL, "2026-01-15T03:59:00Z", true);
	expect_quiet("+12065552001", NULL, "2026-01-15T04:00:00Z", false);
	/* MA c. 159C § 3: 8-20 (Boston). */
	expect_quiet("+16175552001", NULL, "2026-01-15T00:59:00Z", true);
	expect_quiet("+16175552001", NULL, "2026-01-15T01:00:00Z", false);
	/* CT § 42-288a: 9-20 (New Haven). */
	expect_quiet("+12035552001", NULL, "2026-01-14T13:59:00Z", false); /* 08:59 */
	expect_quiet("+12035552001", NULL, "2026-01-14T14:00:00Z", true);  /* 09:00 */
	expect_quiet("+12035552001", NULL, "2026-01-15T01:00:00Z", false); /* 20:00 */
	/* NM § 57-12-22(B)(5): 9-21 (Albuquerque, MST). */
	expect_quiet("+15055552001", NULL, "2026-01-14T15:30:00Z", false); /* 08:30 */
	expect_quiet("+15055552001", NULL, "2026-01-14T16:00:00Z", true);  /* 09:00 */
	expect_quiet("+15055552001", NULL, "2026-01-15T03:30:00Z", true);  /* 20:30 */
	/* AL: 8-20, none Sunday or holiday (Birmingham, CST). */
	expect_quiet("+12055552001", NULL, "2026-01-17T18:00:00Z", true);  /* Sat 12:00 */
	expect_quiet("+12055552001", NULL, "2026-01-18T18:00:00Z", false); /* Sun 12:00 */
	expect_quiet("+12055552001", NULL, "2026-01-19T18:00:00Z", false); /* Mon 12:00, MLK Day */
	expect_quiet("+12055552001", NULL, "2026-01-20T18:00:00Z", true);  /* Tue 12:00 */
	expect_quiet("+12055552001", NULL, "2026-01-15T02:00:00Z", false); /* Wed 20:00 */
	/* LA: 8-20 Mon-Sat, none Sunday or holiday (New Orleans). */
	expect_quiet("+15045552001", NULL, "2026-01-17T18:00:00Z", true);
	expect_quiet("+15045552001", NULL, "2026-01-18T18:00:00Z", false);
	expect_quiet("+15045552001", NULL, "2026-11-26T18:00:00Z", false); /* Thanksgiving */
	expect_quiet("+15045552001", NULL, "2026-01-15T02:00:00Z", false); /* 20:00 */
	/* MS § 77-3-723: 8-20 Central Standard Time, none Sunday; holidays allowed. */
	expect_quiet("+16015552001", NULL, "2026-01-18T18:00:00Z", false); /* Sun */
	expect_quiet("+16015552001", NULL, "2026-01-19T18:00:00Z", true);  /* MLK Day */
	expect_quiet("+16015552001", NULL, "2026-01-15T02:00:00Z", false); /* Wed 20:00 CST */
	expect_quiet("+16015552001", NULL, "2026-07-15T13:30:00Z", false); /* 08:30 CDT = 07:30 CST */
	expect_quiet("+16015552001", NULL, "2026-07-15T14:00:00Z", true);  /* 09:00 CDT = 08:00 CST */
	expect_quiet("+16015552001", NULL, "2026-07-16T01:30:00Z", true);  /* 20:30 CDT = 19:30 CST */
	expect_quiet("+16015552001", NULL, "2026-07-16T02:00:00Z", false); /* 21:00 CDT: federal */
	/* UT § 13-25a-103(3): 8-21, none Sunday or legal holiday (Salt Lake City). */
	expect_quiet("+18015552001", NULL, "2026-01-15T03:30:00Z", true);  /* Wed 20:30 MST */
	expect_quiet("+18015552001", NULL, "2026-01-18T19:00:00Z", false); /* Sun 12:00 */
	expect_quiet("+18015552001", NULL, "2026-07-24T18:00:00Z", false); /* Pioneer Day 12:00 MDT */
	expect_quiet("+18015552001", NULL, "2026-07-23T18:00:00Z", true);
	/* PA 73 P.S. § 2245: 8-21 every day (Sunday morning open), holidays closed (Philadelphia). */
	expect_quiet("+12155552001", NULL, "2026-01-18T14:00:00Z", true);  /* Sun 09:00 */
	expect_quiet("+12155552001", NULL, "2026-01-18T12:59:00Z", false); /* Sun 07:59 */
	expect_quiet("+12155552001", NULL, "2026-07-03T16:00:00Z", false); /* July 4th observed */
	expect_quiet("+12155552001", NULL, "2026-06-14T16:00:00Z", false); /* Flag Day (a Sunday) */
	expect_quiet("+12155552001", NULL, "2026-06-15T16:00:00Z", true);
	/* RI § 5-61-2: holidays closed, Victory Day too (Providence). */
	expect_quiet("+14015552001", NULL, "2026-11-11T17:00:00Z", false); /* Veterans Day 12:00 */
	expect_quiet("+14015552001", NULL, "2026-11-12T17:00:00Z", true);
	expect_quiet("+14015552001", NULL, "2026-08-10T16:00:00Z", false); /* Victory Day 12:00 EDT */
	expect_quiet("+14015552001", NULL, "2026-08-11T16:00:00Z", true);
	expect_quiet("+14015552001", NULL, "2026-01-14T23:00:00Z", false); /* Wed 18:00 */
	/* A federal holiday alone closes nothing in a state without a holiday rule. */
	expect_quiet("+12125552001", NULL, "2026-12-25T17:00:00Z", true);
}

static void test_zone_sources(void **state)
{
	(void)state;
	struct quiet_verdict v;
	/* 850 spans Eastern and Central: 08:30 in Tallahassee is 07:30 in Pensacola. */
	quiet_check("+18505552001", NULL, at("2026-01-14T13:30:00Z"), &v);
	assert_false(v.allowed);
	assert_string_equal(v.region, "FL");
	assert_int_equal(v.nzones, 2);
	assert_string_equal(v.closed_zone, "America/Chicago");
	/* A contact's own zone wins over the number's; the state window stays the number's. */
	expect_quiet("+12125552001", "America/Los_Angeles", "2026-01-15T03:00:00Z", true); /* 19:00 LA */
	expect_quiet("+13055552001", "America/Los_Angeles", "2026-01-15T04:30:00Z", false); /* 20:30 LA, FL rule */
	quiet_check("+12125552001", "America/Los_Angeles", at("2026-01-15T03:00:00Z"), &v);
	assert_string_equal(v.zone_source, "contact");
	assert_string_equal(v.region, "NY");
	/* An unknown contact zone is ignored. */
	expect_quiet("+12125552001", "Mars/Olympus", "2026-01-15T03:00:00Z", false);
	/* Toll-free: no state, so both ends of the mainland must be awake. */
	quiet_check("+18005552001", NULL, at("2026-01-14T15:30:00Z"), &v); /* 10:30 ET, 07:30 PT */
	assert_false(v.allowed);
	assert_string_equal(v.zone_source, "country");
	assert_string_equal(v.closed_zone, "America/Los_Angeles");
	expect_quiet("+18005552001", NULL, "2026-01-14T19:00:00Z", true);
	/* Outside North America: no rule unless the contact has a zone. */
	quiet_check("+442079460958", NULL, at("2026-01-15T03:00:00Z"), &v);
	assert_false(v.applies);
	assert_true(v.allowed);
	expect_quiet("+442079460958", "Europe/London", "2026-01-15T03:00:00Z", false);
	expect_quiet("+442079460958", "Europe/London", "2026-01-15T12:00:00Z", true);
}

static void test_dst_both_directions(void **state)
{
	(void)state;
	/* Spring forward, 2026-03-08 02:00 EST -> 03:00 EDT. 12:30Z is 08:30 EDT
	 * (07:30 had the offset stayed at EST). */
	expect_quiet("+12125552001", NULL, "2026-03-08T12:30:00Z", true);
	expect_quiet("+12125552001", NULL, "2026-03-07T12:30:00Z", false); /* the day before: 07:30 EST */
	/* Evening: 00:30Z on 2026-03-09 is 20:30 EDT (open); on 2026-03-08 it was 19:30 EST. */
	expect_quiet("+12125552001", NULL, "2026-03-09T00:30:00Z", true);
	expect_quiet("+12125552001", NULL, "2026-03-09T01:00:00Z", false); /* 21:00 EDT */
	/* Fall back, 2026-11-01 02:00 EDT -> 01:00 EST. 12:30Z is 07:30 EST (08:30 the day before). */
	expect_quiet("+12125552001", NULL, "2026-11-01T12:30:00Z", false);
	expect_quiet("+12125552001", NULL, "2026-10-31T12:30:00Z", true);
	expect_quiet("+12125552001", NULL, "2026-11-02T01:30:00Z", true);  /* 20:30 EST */
	expect_quiet("+12125552001", NULL, "2026-11-01T01:30:00Z", false); /* 21:30 EDT */
	/* Arizona keeps no DST: 15:30Z is 08:30 in Phoenix all year. */
	expect_quiet("+16025552001", NULL, "2026-07-01T15:30:00Z", true);
	expect_quiet("+16025552001", NULL, "2026-01-14T15:30:00Z", true);
	expect_quiet("+16025552001", NULL, "2026-07-01T14:30:00Z", false);
	/* Los Angeles in summer (PDT, UTC-7): 15:30Z is 08:30. */
	expect_quiet("+14155552001", NULL, "2026-07-01T15:30:00Z", true);
	expect_quiet("+14155552001", NULL, "2026-01-14T15:30:00Z", false); /* 07:30 PST */
}

static void expect_next_open(const char *e164, const char *tz, const char *from, const char *want)
{
	int64_t got = quiet_next_open(e164, tz, at(from)), w = at(want);
	if (got != w) {
		char ts[40] = "-1";
		if (got > 0)
			clock_format_rfc3339(got, ts, sizeof ts);
		fail_msg("%s (tz %s) from %s: next open %s, expected %s", e164, tz ? tz : "-", from, ts, want);
	}
}

/* When a closed window opens next (a deferred delivery waits for it). */
static void test_quiet_next_open(void **state)
{
	(void)state;
	/* Open already, or no rule: now. */
	expect_next_open("+12125552001", NULL, "2026-01-14T19:00:00Z", "2026-01-14T19:00:00Z");
	expect_next_open("+442079460958", NULL, "2026-01-15T03:00:00Z", "2026-01-15T03:00:00Z");
	/* 21:30 New York -> 08:00 the next morning; 06:10 -> 08:00 the same day. */
	expect_next_open("+12125552001", NULL, "2026-01-15T02:30:00Z", "2026-01-15T13:00:00Z");
	expect_next_open("+12125552001", NULL, "2026-01-15T11:10:30Z", "2026-01-15T13:00:00Z");
	/* Florida closes at 20:00; Canada opens at 10:00 on a Saturday. */
	expect_next_open("+13055552001", NULL, "2026-01-15T01:15:00Z", "2026-01-15T13:00:00Z");
	expect_next_open("+14165552001", NULL, "2026-01-17T03:00:00Z", "2026-01-17T15:00:00Z"); /* Fri 22:00 -> Sat 10:00 */
	/* Rhode Island: Saturday 17:30 -> no Sunday, Monday 2026-01-19 is MLK Day -> Tuesday 09:00. */
	expect_next_open("+14015552001", NULL, "2026-01-17T22:30:00Z", "2026-01-20T14:00:00Z");
	/* 850 spans two zones: both must be open (08:00 Central is 09:00 Eastern). */
	expect_next_open("+18505552001", NULL, "2026-01-15T03:00:00Z", "2026-01-15T14:00:00Z");
	/* The contact's zone decides. */
	expect_next_open("+12125552001", "America/Los_Angeles", "2026-01-15T06:00:00Z", "2026-01-15T16:00:00Z");
	/* Spring forward (2026-03-08): Saturday 22:00 EST -> 08:00 EDT, 12:00Z, not an hour late. */
	expect_next_open("+12125552001", NULL, "2026-03-08T03:00:00Z", "2026-03-08T12:00:00Z");
	/* Fall back (2026-11-01): Saturday 22:00 EDT -> 08:00 EST, 13:00Z, not an hour early. */
	expect_next_open("+12125552001", NULL, "2026-11-01T02:00:00Z", "2026-11-01T13:00:00Z");
}

/* ---- the gate on a database ---- */

struct fx {
	struct db *db;
	struct workspace ws;
	struct user owner;
	char contact_id[ID_SIZE];
	struct arena *a;
};

#define NUM "+12125552001"     /* the contact's number (New York) */
#define OTHER "+12125552002"   /* nobody's */

static int setup_db(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	struct err_detail d = {0};
	if (!f || db_open("sqlite::memory:", &f->db, &d) != ERR_OK || store_migrate(f->db, NULL, &d) != ERR_OK)
		return -1;
	int64_t now = clock_real_ms();
	id_new(f->ws.id);
	snprintf(f->ws.slug, sizeof f->ws.slug, "acme");
	snprintf(f->ws.name, sizeof f->ws.name, "Acme");
	snprintf(f->ws.time_zone, sizeof f->ws.time_zone, "UTC");
	f->ws.created_at = now;
	id_new(f->owner.id);
	snprintf(f->owner.email, sizeof f->owner.email, "owner@acme.test");
	f->owner.created_at = now;
	if (store_workspace_insert(f->db, &f->ws) != ERR_OK || store_user_insert(f->db, &f->owner, NULL) != ERR_OK)
		return -1;
	id_new(f->contact_id);
	const char *phones[] = {NUM};
	struct contact c = {.id = f->contact_id, .workspace_id = f->ws.id, .name = "Pat", .time_windows = "[]",
			    .last_seen_at = INT64_MIN, .created_at = now, .updated_at = now, .phones = phones,
			    .nphones = 1};
	if (store_contact_insert(f->db, &c) != ERR_OK)
		return -1;
	f->a = arena_new();
	clock_offset_set(at("2026-01-14T19:00:00Z") - clock_real_ms()); /* Wednesday midday everywhere */
	*state = f;
	return f->a ? 0 : -1;
}

static int teardown_db(void **state)
{
	struct fx *f = *state;
	clock_offset_set(0);
	arena_free(f->a);
	db_close(f->db);
	free(f);
	return 0;
}

static struct actor actor_as(struct fx *f, enum role r)
{
	return (struct actor){.workspace_id = f->ws.id, .user_id = f->owner.id, .label = "t", .source = SRC_API, .role = r};
}

/* The metadata of the last audit event, checked to be action's (borrowed until the next query). */
static char *last_audit(struct fx *f, const char *action)
{
	struct db_stmt *st;
	bool row = false;
	assert_int_equal(db_prepare(f->db, "SELECT action, metadata FROM audit_events ORDER BY rowid DESC LIMIT 1", &st),
			 ERR_OK);
	assert_int_equal(db_step(st, &row), ERR_OK);
	assert_true(row);
	assert_string_equal(db_col_text(st, 0), action);
	char *meta = arena_strdup(f->a, db_col_text(st, 1));
	db_done(st);
	return meta;
}

static void meta_has(const char *meta, const char *want)
{
	if (!strstr(meta, want))
		fail_msg("audit metadata %s lacks %s", meta, want);
}

/* Runs the gate on q; returns the decision and checks the audit event it wrote. */
static struct gate_decision gate_q(struct fx *f, enum role role, const struct gate_request *q)
{
	struct actor ac = actor_as(f, role);
	struct gate_decision g;
	assert_int_equal(gate_check(f->db, &ac, q, f->a, &g), ERR_OK);
	const char *meta = last_audit(f, g.defer_until ? "compliance.deferred"
					 : !g.allow    ? "compliance.denied"
					 : g.overridden ? "compliance.overridden"
							: "compliance.allowed");
	char want[64];
	snprintf(want, sizeof want, "\"rule\":%s%s%s", g.rule ? "\"" : "", g.rule ? g.rule : "null", g.rule ? "\"" : "");
	meta_has(meta, want);
	return g;
}

static struct gate_decision gate(struct fx *f, enum role role, enum gate_channel ch, const char *to, bool marketing,
				 bool override)
{
	struct gate_request q = {ch, to, NULL, NULL, override, marketing};
	return gate_q(f, role, &q);
}

static void put_dnc(struct fx *f, const char *num, bool call, bool sms, int64_t expires)
{
	int64_t now = clock_now_ms();
	struct dnc_entry e = {.workspace_id = f->ws.id, .e164 = num, .block_call = call, .block_sms = sms,
			      .source = "manual", .expires_at = expires, .created_at = now, .updated_at = now};
	assert_int_equal(store_dnc_put(f->db, &e, NULL), ERR_OK);
}

static void expect(struct gate_decision g, bool allow, const char *rule)
{
	if (g.allow != allow || (rule ? !g.rule || strcmp(g.rule, rule) : g.rule != NULL))
		fail_msg("expected %s/%s, got %s/%s (%s)", allow ? "allow" : "deny", rule ? rule : "-",
			 g.allow ? "allow" : "deny", g.rule ? g.rule : "-", g.detail);
}

static void test_gate_allows_clean(void **state)
{
	struct fx *f = *state;
	expect(gate(f, ROLE_DISPATCHER, GATE_CALL, NUM, false, false), true, NULL);
	expect(gate(f, ROLE_DISPATCHER, GATE_SMS, NUM, false, false), true, NULL);
}

static void test_gate_blocked(void **state)
{
	struct fx *f = *state;
	struct blocked_number b = {.workspace_id = f->ws.id, .e164 = OTHER, .source = "manual",
				   .created_at = clock_now_ms()};
	assert_int_equal(store_blocked_add(f->db, &b, NULL), ERR_OK);
	expect(gate(f, ROLE_DISPATCHER, GATE_CALL, OTHER, false, false), false, "blocked_number");
	expect(gate(f, ROLE_DISPATCHER, GATE_SMS, OTHER, false, false), false, "blocked_number");
	struct gate_decision g = gate(f, ROLE_OWNER, GATE_CALL, OTHER, false, true);
	expect(g, false, "blocked_number");
	assert_non_null(strstr(g.detail, "not overridable"));
	/* Blocked comes first even when the contact is also do-not-contact. */
	assert_int_equal(store_contact_dnc_set(f->db, f->ws.id, f->contact_id, true, clock_now_ms()), ERR_OK);
	b.e164 = NUM;
	assert_int_equal(store_blocked_add(f->db, &b, NULL), ERR_OK);
	expect(gate(f, ROLE_OWNER, GATE_CALL, NUM, false, true), false, "blocked_number");
}

static void test_gate_contact_flag(void **state)
{
	struct fx *f = *state;
	assert_int_equal(store_contact_dnc_set(f->db, f->ws.id, f->contact_id, true, clock_now_ms()), ERR_OK);
	expect(gate(f, ROLE_DISPATCHER, GATE_CALL, NUM, false, false), false, "do_not_contact");
	expect(gate(f, ROLE_DISPATCHER, GATE_SMS, NUM, false, false), false, "do_not_contact");
	expect(gate(f, ROLE_ADMIN, GATE_CALL, NUM, false, true), false, "do_not_contact");
	struct gate_decision g = gate(f, ROLE_OWNER, GATE_CALL, NUM, false, true);
	expect(g, true, "do_not_contact");
	assert_true(g.overridden);
	/* The call's linked contact counts even for a number it does not own. */
	struct actor ac = actor_as(f, ROLE_DISPATCHER);
	struct gate_request q = {GATE_CALL, OTHER, f->contact_id, NULL, false, false};
	assert_int_equal(gate_check(f->db, &ac, &q, f->a, &g), ERR_OK);
	expect(g, false, "do_not_contact");
}

static void test_gate_dnc_channels_and_expiry(void **state)
{
	struct fx *f = *state;
	put_dnc(f, OTHER, true, false, 0);
	expect(gate(f, ROLE_DISPATCHER, GATE_CALL, OTHER, false, false), false, "dnc_list");
	expect(gate(f, ROLE_DISPATCHER, GATE_SMS, OTHER, false, false), true, NULL);
	put_dnc(f, OTHER, false, true, 0);
	expect(gate(f, ROLE_DISPATCHER, GATE_CALL, OTHER, false, false), true, NULL);
	expect(gate(f, ROLE_DISPATCHER, GATE_SMS, OTHER, false, false), false, "dnc_list");
	put_dnc(f, OTHER, true, true, clock_now_ms() + 3600000);
	expect(gate(f, ROLE_DISPATCHER, GATE_CALL, OTHER, false, false), false, "dnc_list");
	clock_offset_set(clock_offset_get() + 2 * 3600000); /* 21:00 UTC: still midday in New York */
	expect(gate(f, ROLE_DISPATCHER, GATE_CALL, OTHER, false, false), true, NULL);
	put_dnc(f, OTHER, true, true, 0);
	struct gate_decision g = gate(f, ROLE_OWNER, GATE_SMS, OTHER, false, true);
	expect(g, true, "dnc_list");
	assert_true(g.overridden);
}

static void test_gate_sms_opt_out(void **state)
{
	struct fx *f = *state;
	struct sms_opt_status s = {.workspace_id = f->ws.id, .e164 = OTHER, .opted_out = true, .source = "STOP",
				   .changed_at = clock_now_ms()};
	assert_int_equal(store_sms_opt_set(f->db, &s, NULL), ERR_OK);
	expect(gate(f, ROLE_DISPATCHER, GATE_SMS, OTHER, false, false), false, "sms_opt_out");
	expect(gate(f, ROLE_OWNER, GATE_SMS, OTHER, false, true), false, "sms_opt_out"); /* never overridable */
	expect(gate(f, ROLE_DISPATCHER, GATE_CALL, OTHER, false, false), true, NULL);      /* calls are another channel */
	s.opted_out = false;
	s.source = "START";
	assert_int_equal(store_sms_opt_set(f->db, &s, NULL), ERR_OK);
	expect(gate(f, ROLE_DISPATCHER, GATE_SMS, OTHER, false, false), true, NULL);
}

static void test_gate_quiet_hours(void **state)
{
	struct fx *f = *state;
	clock_offset_set(at("2026-01-15T02:30:00Z") - clock_real_ms()); /* 21:30 New York */
	struct gate_decision g = gate(f, ROLE_DISPATCHER, GATE_CALL, NUM, false, false);
	expect(g, false, "quiet_hours");
	assert_non_null(strstr(g.detail, "21:30 in America/New_York"));
	expect(gate(f, ROLE_DISPATCHER, GATE_SMS, NUM, false, false), true, NULL);       /* transactional SMS */
	expect(gate(f, ROLE_DISPATCHER, GATE_SMS, NUM, true, false), false, "quiet_hours"); /* marketing */
	g = gate(f, ROLE_OWNER, GATE_CALL, NUM, false, true);
	expect(g, true, "quiet_hours");
	assert_true(g.overridden);
	/* The contact's own zone decides: 18:30 in Los Angeles is fine. */
	assert_int_equal(store_contact_tz_set(f->db, f->ws.id, f->contact_id, "America/Los_Angeles", clock_now_ms()),
			 ERR_OK);
	expect(gate(f, ROLE_DISPATCHER, GATE_CALL, NUM, false, false), true, NULL);
}

static void test_gate_consent(void **state)
{
	struct fx *f = *state;
	/* Marketing needs an opt-in; transactional does not. */
	expect(gate(f, ROLE_DISPATCHER, GATE_SMS, NUM, true, false), false, "consent");
	expect(gate(f, ROLE_DISPATCHER, GATE_SMS, NUM, false, false), true, NULL);
	assert_int_equal(store_contact_consent_set(f->db, f->ws.id, f->contact_id, -1, 1, clock_now_ms()), ERR_OK);
	expect(gate(f, ROLE_DISPATCHER, GATE_SMS, NUM, true, false), true, NULL);
	/* A declined SMS consent stops every SMS; calls are not affected. */
	assert_int_equal(store_contact_consent_set(f->db, f->ws.id, f->contact_id, -1, 0, clock_now_ms()), ERR_OK);
	expect(gate(f, ROLE_DISPATCHER, GATE_SMS, NUM, false, false), false, "consent");
	expect(gate(f, ROLE_DISPATCHER, GATE_CALL, NUM, false, false), true, NULL);
	/* A later START from the number wins over the declined consent. */
	struct sms_opt_status s = {.workspace_id = f->ws.id, .e164 = NUM, .opted_out = false, .source = "START",
				   .changed_at = clock_now_ms() + 1000};
	assert_int_equal(store_sms_opt_set(f->db, &s, NULL), ERR_OK);
	expect(gate(f, ROLE_DISPATCHER, GATE_SMS, NUM, false, false), true, NULL);
	/* A number's own START opts it in for marketing without a contact. */
	s.e164 = OTHER;
	s.changed_at = clock_now_ms();
	expect(gate(f, ROLE_DISPATCHER, GATE_SMS, OTHER, true, false), false, "consent");
	assert_int_equal(store_sms_opt_set(f->db, &s, NULL), ERR_OK);
	expect(gate(f, ROLE_DISPATCHER, GATE_SMS, OTHER, true, false), true, NULL);
}

static void test_gate_first_objection_named_all_listed(void **state)
{
	struct fx *f = *state;
	put_dnc(f, NUM, true, true, 0);
	assert_int_equal(store_contact_dnc_set(f->db, f->ws.id, f->contact_id, true, clock_now_ms()), ERR_OK);
	clock_offset_set(at("2026-01-15T03:00:00Z") - clock_real_ms()); /* 22:00 New York */
	struct gate_decision g = gate(f, ROLE_DISPATCHER, GATE_CALL, NUM, false, false);
	expect(g, false, "do_not_contact");
	struct db_stmt *st;
	bool row = false;
	assert_int_equal(db_prepare(f->db, "SELECT metadata FROM audit_events ORDER BY rowid DESC LIMIT 1", &st), ERR_OK);
	assert_int_equal(db_step(st, &row), ERR_OK);
	assert_non_null(strstr(db_col_text(st, 0), "\"objections\":[\"do_not_contact\",\"dnc_list\",\"quiet_hours\"]"));
	db_done(st);
	/* The Owner's override passes all three, and says so. */
	g = gate(f, ROLE_OWNER, GATE_CALL, NUM, false, true);
	expect(g, true, "do_not_contact");
	assert_true(g.overridden);
}

/* Quiet hours are judged at the time the contact is to happen (a scheduled send). */
static void test_gate_quiet_hours_at_send_time(void **state)
{
	struct fx *f = *state; /* 14:00 in New York */
	assert_int_equal(store_contact_consent_set(f->db, f->ws.id, f->contact_id, -1, 1, clock_now_ms()), ERR_OK);
	struct gate_request q = {.channel = GATE_SMS, .to = NUM, .marketing = true, .at = at("2026-01-15T03:00:00Z")};
	struct gate_decision g = gate_q(f, ROLE_DISPATCHER, &q); /* for 22:00 */
	expect(g, false, "quiet_hours");
	assert_non_null(strstr(g.detail, "will be 22:00 in America/New_York at the send time, outside 08:00-21:00"));
	meta_has(last_audit(f, "compliance.denied"), "\"at\":\"2026-01-15T03:00:00");
	q.marketing = false; /* a transactional text has no quiet hours */
	expect(gate_q(f, ROLE_DISPATCHER, &q), true, NULL);
	clock_offset_set(at("2026-01-15T03:30:00Z") - clock_real_ms()); /* 22:30 now... */
	q = (struct gate_request){.channel = GATE_SMS, .to = NUM, .marketing = true, .at = at("2026-01-15T15:00:00Z")};
	expect(gate_q(f, ROLE_DISPATCHER, &q), true, NULL); /* ...for 10:00 tomorrow */
	q.at = 0;
	expect(gate_q(f, ROLE_DISPATCHER, &q), false, "quiet_hours"); /* now */
}

/* At delivery, quiet hours alone defer to the window's opening; any other refusal still refuses. */
static void test_gate_delivery_defers_quiet_hours(void **state)
{
	struct fx *f = *state;
	clock_offset_set(at("2026-01-15T02:30:00Z") - clock_real_ms()); /* 21:30 New York */
	struct gate_request q = {.channel = GATE_SMS, .to = NUM, .marketing = true, .delivery = true,
				 .message_sid = "SM0123"};
	struct gate_decision g = gate_q(f, ROLE_NONE, &q);
	expect(g, false, "consent"); /* no opt-in: refused, not deferred */
	assert_int_equal(g.defer_until, 0);
	assert_int_equal(store_contact_consent_set(f->db, f->ws.id, f->contact_id, -1, 1, clock_now_ms()), ERR_OK);
	g = gate_q(f, ROLE_NONE, &q);
	expect(g, false, "quiet_hours");
	assert_int_equal(g.defer_until, at("2026-01-15T13:00:00Z"));
	assert_non_null(strstr(g.detail, "deferred to 2026-01-15T13:00:00"));
	const char *meta = last_audit(f, "compliance.deferred");
	meta_has(meta, "\"stage\":\"delivery\"");
	meta_has(meta, "\"messageSid\":\"SM0123\"");
	meta_has(meta, "\"decision\":\"defer\"");
	meta_has(meta, "\"deferredUntil\":\"2026-01-15T13:00:00");
	/* At the request the same is a refusal. */
	q.delivery = false;
	g = gate_q(f, ROLE_DISPATCHER, &q);
	expect(g, false, "quiet_hours");
	assert_int_equal(g.defer_until, 0);
	/* A DNC listing at delivery fails it, quiet hours or not. */
	q.delivery = true;
	put_dnc(f, NUM, false, true, 0);
	g = gate_q(f, ROLE_NONE, &q);
	expect(g, false, "dnc_list");
	assert_int_equal(g.defer_until, 0);
}

/* An override passes only the rules it names (the ones passed at the request). */
static void test_gate_override_rules(void **state)
{
	struct fx *f = *state;
	put_dnc(f, NUM, false, true, 0);
	clock_offset_set(at("2026-01-15T02:30:00Z") - clock_real_ms()); /* 21:30 New York */
	struct gate_request q = {.channel = GATE_SMS, .to = NUM, .override = true};
	struct gate_decision g = gate_q(f, ROLE_OWNER, &q);
	expect(g, true, "dnc_list");
	assert_string_equal(g.overridden_rules, "dnc_list"); /* transactional: nothing else objects */
	q.marketing = true;
	g = gate_q(f, ROLE_OWNER, &q);
	assert_string_equal(g.overridden_rules, "dnc_list,quiet_hours,consent");
	meta_has(last_audit(f, "compliance.overridden"), "\"overriddenRules\":[\"dnc_list\",\"quiet_hours\",\"consent\"]");
	q.override_rules = "dnc_list,consent";
	g = gate_q(f, ROLE_OWNER, &q);
	expect(g, false, "quiet_hours");
	assert_non_null(strstr(g.detail, "not a rule this override covers"));
	q.override_rules = "";
	expect(gate_q(f, ROLE_OWNER, &q), false, "dnc_list");
	/* Only an Owner's override counts, rules or not. */
	q.override_rules = "dnc_list,quiet_hours,consent";
	expect(gate_q(f, ROLE_OWNER, &q), true, "dnc_list");
	g = gate_q(f, ROLE_ADMIN, &q);
	expect(g, false, "dnc_list");
	assert_non_null(strstr(g.detail, "only an Owner may override"));
}

/* A keyword reply: opt-out, DNC and consent exempt; a blocked number still refused. */
static void test_gate_keyword_reply(void **state)
{
	struct fx *f = *state;
	struct sms_opt_status s = {.workspace_id = f->ws.id, .e164 = NUM, .opted_out = true, .source = "STOP",
				   .changed_at = clock_now_ms()};
	assert_int_equal(store_sms_opt_set(f->db, &s, NULL), ERR_OK);
	put_dnc(f, NUM, false, true, 0);
	assert_int_equal(store_contact_dnc_set(f->db, f->ws.id, f->contact_id, true, clock_now_ms()), ERR_OK);
	assert_int_equal(store_contact_consent_set(f->db, f->ws.id, f->contact_id, -1, 0, clock_now_ms()), ERR_OK);
	clock_offset_set(at("2026-01-15T03:30:00Z") - clock_real_ms()); /* 22:30: no quiet hours for it either */
	struct gate_request q = {.channel = GATE_SMS, .to = NUM, .keyword_reply = true};
	struct gate_decision g = gate_q(f, ROLE_NONE, &q);
	expect(g, true, "do_not_contact");
	assert_true(g.exempted);
	assert_false(g.overridden);
	const char *meta = last_audit(f, "compliance.allowed");
	meta_has(meta, "\"kind\":\"keyword_reply\"");
	meta_has(meta, "\"exempted\":[\"do_not_contact\",\"dnc_list\",\"sms_opt_out\",\"consent\"]");
	q.keyword_reply = false; /* the same number for any other send */
	expect(gate_q(f, ROLE_NONE, &q), false, "do_not_contact");
	struct blocked_number b = {.workspace_id = f->ws.id, .e164 = NUM, .source = "manual", .created_at = clock_now_ms()};
	assert_int_equal(store_blocked_add(f->db, &b, NULL), ERR_OK);
	q.keyword_reply = true;
	g = gate_q(f, ROLE_NONE, &q);
	expect(g, false, "blocked_number");
	assert_false(g.exempted);
}

#define DB_TEST(fn) cmocka_unit_test_setup_teardown(fn, setup_db, teardown_db)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_windows_table),
		cmocka_unit_test(test_federal_window_in_each_zone),
		cmocka_unit_test(test_state_windows),
		cmocka_unit_test(test_us_holidays),
		cmocka_unit_test(test_state_rows),
		cmocka_unit_test(test_zone_sources),
		cmocka_unit_test(test_dst_both_directions),
		cmocka_unit_test(test_quiet_next_open),
		DB_TEST(test_gate_allows_clean),
		DB_TEST(test_gate_blocked),
		DB_TEST(test_gate_contact_flag),
		DB_TEST(test_gate_dnc_channels_and_expiry),
		DB_TEST(test_gate_sms_opt_out),
		DB_TEST(test_gate_quiet_hours),
		DB_TEST(test_gate_consent),
		DB_TEST(test_gate_first_objection_named_all_listed),
		DB_TEST(test_gate_quiet_hours_at_send_time),
		DB_TEST(test_gate_delivery_defers_quiet_hours),
		DB_TEST(test_gate_override_rules),
		DB_TEST(test_gate_keyword_reply),
	};
	log_level_set(LOG_WARN);
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	tz_cache_clear();
	return rc;
}
