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
	w = quiet_window_for("US", "PA", 0);
	assert_int_equal(w.open, 13 * 60 + 30);
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

/* Runs the gate; returns the decision and checks the audit event it wrote. */
static struct gate_decision gate(struct fx *f, enum role role, enum gate_channel ch, const char *to, bool marketing,
				 bool override)
{
	struct actor ac = actor_as(f, role);
	struct gate_request q = {ch, to, NULL, NULL, override, marketing};
	struct gate_decision g;
	assert_int_equal(gate_check(f->db, &ac, &q, f->a, &g), ERR_OK);
	struct db_stmt *st;
	bool row = false;
	assert_int_equal(db_prepare(f->db, "SELECT action, metadata FROM audit_events ORDER BY rowid DESC LIMIT 1", &st),
			 ERR_OK);
	assert_int_equal(db_step(st, &row), ERR_OK);
	assert_true(row);
	const char *action = db_col_text(st, 0), *meta = db_col_text(st, 1);
	assert_string_equal(action, !g.allow ? "compliance.denied" : g.overridden ? "compliance.overridden"
										 : "compliance.allowed");
	char want[64];
	snprintf(want, sizeof want, "\"rule\":%s%s%s", g.rule ? "\"" : "", g.rule ? g.rule : "null", g.rule ? "\"" : "");
	if (!strstr(meta, want))
		fail_msg("audit metadata %s lacks %s", meta, want);
	db_done(st);
	return g;
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

#define DB_TEST(fn) cmocka_unit_test_setup_teardown(fn, setup_db, teardown_db)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_windows_table),
		cmocka_unit_test(test_federal_window_in_each_zone),
		cmocka_unit_test(test_state_windows),
		cmocka_unit_test(test_zone_sources),
		cmocka_unit_test(test_dst_both_directions),
		DB_TEST(test_gate_allows_clean),
		DB_TEST(test_gate_blocked),
		DB_TEST(test_gate_contact_flag),
		DB_TEST(test_gate_dnc_channels_and_expiry),
		DB_TEST(test_gate_sms_opt_out),
		DB_TEST(test_gate_quiet_hours),
		DB_TEST(test_gate_consent),
		DB_TEST(test_gate_first_objection_named_all_listed),
	};
	log_level_set(LOG_WARN);
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	tz_cache_clear();
	return rc;
}
