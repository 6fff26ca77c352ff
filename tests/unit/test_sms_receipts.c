/* Unit tests of the SMS daily cap's day and of the receipts bookkeeping:
 * the usage day and the next midnight in the campaign's cap zone (across
 * daylight saving, and a midnight that a spring-forward gap swallows), the
 * cap's deferral in messaging_pace, which messages count as "sent before"
 * (the first message's opt-out wording), which messages a receipt
 * reconcile looks at, that a message never has two reconcile jobs
 * waiting, which held sends a change of the campaign wakes, and which
 * message a vendor sid belongs to. On a migrated in-memory database. */
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
#include "domain/messaging_int.h"
#include "store/accounts.h"
#include "store/db.h"
#include "store/migrate.h"
#include "store/model.h"
#include "store/queue.h"

static int64_t at(const char *rfc3339)
{
	int64_t ms = 0;
	assert_true(clock_parse_rfc3339(rfc3339, &ms));
	return ms;
}

static const char *day_of(const char *when, const char *zone, char out[11])
{
	msg_day(at(when), zone ? tz_get(zone) : NULL, out);
	return out;
}

static void test_usage_day_in_zone(void **state)
{
	(void)state;
	char d[11];
	/* 23:30 UTC is still the afternoon in Los Angeles: the same Pacific day. */
	assert_string_equal(day_of("2030-01-15T23:30:00Z", "America/Los_Angeles", d), "2030-01-15");
	assert_string_equal(day_of("2030-01-16T00:30:00Z", "America/Los_Angeles", d), "2030-01-15");
	assert_string_equal(day_of("2030-01-16T07:59:59Z", "America/Los_Angeles", d), "2030-01-15");
	assert_string_equal(day_of("2030-01-16T08:00:00Z", "America/Los_Angeles", d), "2030-01-16");
	/* Summer: PDT, midnight at 07:00 UTC. */
	assert_string_equal(day_of("2030-07-01T06:59:59Z", "America/Los_Angeles", d), "2030-06-30");
	assert_string_equal(day_of("2030-07-01T07:00:00Z", "America/Los_Angeles", d), "2030-07-01");
	/* UTC (and no zone at all) is the old rule. */
	assert_string_equal(day_of("2030-01-16T00:30:00Z", "UTC", d), "2030-01-16");
	assert_string_equal(day_of("2030-01-16T00:30:00Z", NULL, d), "2030-01-16");
	/* East of UTC the day starts before UTC's. */
	assert_string_equal(day_of("2030-01-15T23:30:00Z", "Asia/Tokyo", d), "2030-01-16");
}

static void test_next_day_in_zone(void **state)
{
	(void)state;
	const struct tz *la = tz_get("America/Los_Angeles");
	assert_non_null(la);
	assert_int_equal(msg_next_day(at("2030-01-16T00:30:00Z"), la), at("2030-01-16T08:00:00Z"));
	assert_int_equal(msg_next_day(at("2030-01-16T08:00:00Z"), la), at("2030-01-17T08:00:00Z"));
	/* The day DST starts (2030-03-10, 02:00 PST → 03:00 PDT) is 23 hours long. */
	assert_int_equal(msg_next_day(at("2030-03-09T20:00:00Z"), la), at("2030-03-10T08:00:00Z"));
	assert_int_equal(msg_next_day(at("2030-03-10T08:00:00Z"), la), at("2030-03-11T07:00:00Z"));
	/* The day it ends (2030-11-03) is 25 hours long. */
	assert_int_equal(msg_next_day(at("2030-11-03T07:00:00Z"), la), at("2030-11-04T08:00:00Z"));
	/* Month and year ends roll over. */
	assert_int_equal(msg_next_day(at("2030-12-31T20:00:00Z"), la), at("2031-01-01T08:00:00Z"));
	assert_int_equal(msg_next_day(at("2030-01-16T00:30:00Z"), NULL), at("2030-01-17T00:00:00Z"));
	/* Sao Paulo's DST began at midnight (2018-11-04 00:00 BRT → 01:00 BRST): that
	 * day starts at 01:00 local, 03:00 UTC. */
	const struct tz *sp = tz_get("America/Sao_Paulo");
	assert_non_null(sp);
	assert_int_equal(msg_next_day(at("2018-11-03T12:00:00Z"), sp), at("2018-11-04T03:00:00Z"));
	/* The zone by name: the default when none is set, or the system lacks it. */
	assert_ptr_equal(msg_cap_zone(NULL), la);
	assert_ptr_equal(msg_cap_zone(""), la);
	assert_ptr_equal(msg_cap_zone("Not/AZone"), la);
	assert_ptr_equal(msg_cap_zone("Asia/Tokyo"), tz_get("Asia/Tokyo"));
}

/* ---- on a database ---- */

struct fx {
	struct db *db;
	struct workspace w;
};

static int64_t query_int(struct db *db, const char *sql)
{
	struct db_stmt *st;
	assert_int_equal(db_prepare(db, sql, &st), ERR_OK);
	bool row;
	assert_int_equal(db_step(st, &row), ERR_OK);
	assert_true(row);
	int64_t v = db_col_int(st, 0);
	db_done(st);
	return v;
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	struct err_detail d = {0};
	if (!f || db_open("sqlite::memory:", &f->db, &d) != ERR_OK || store_migrate(f->db, NULL, &d) != ERR_OK) {
		print_error("setup: %s\n", d.detail);
		free(f);
		return -1;
	}
	id_new(f->w.id);
	snprintf(f->w.slug, sizeof f->w.slug, "acme");
	snprintf(f->w.name, sizeof f->w.name, "Acme");
	if (store_workspace_insert(f->db, &f->w) != ERR_OK)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	clock_offset_set(0);
	db_close(f->db);
	free(f);
	return 0;
}

/* An outbound message to peer: kind, status, vendor sid (NULL: none yet), accepted at sent_at. */
static void put(struct fx *f, const char *sid, const char *peer, const char *kind, const char *status,
		const char *vendor_sid, int64_t sent_at, int64_t updated_at)
{
	struct sms_message m = {.sid = sid, .vendor_sid = vendor_sid, .workspace_id = f->w.id, .direction = "outbound",
				.peer_e164 = peer, .our_e164 = "+14155550123", .body = "hi", .kind = kind,
				.status = status, .error_code = I64_NULL, .segments = 1, .encoding = "GSM-7",
				.cost_micros = I64_NULL, .scheduled_for = I64_NULL, .attempt_at = I64_NULL,
				.sent_at = sent_at, .created_at = updated_at, .updated_at = updated_at};
	assert_int_equal(store_sms_insert(f->db, &m), ERR_OK);
}

static bool before(struct fx *f, const char *peer)
{
	bool yes = true;
	assert_int_equal(store_sms_sent_before(f->db, f->w.id, peer, &yes), ERR_OK);
	return yes;
}

static void test_sent_before_counts_accepted_sends_only(void **state)
{
	struct fx *f = *state;
	const char *p = "+12125550100";
	assert_false(before(f, p));
	put(f, "SMa", p, "send", "queued", NULL, I64_NULL, 1);                 /* not with the vendor yet */
	put(f, "SMb", p, "send", "failed", NULL, I64_NULL, 1);                 /* refused by the vendor */
	put(f, "SMc", p, "send", "failed", "SMv1", 5, 1);                      /* accepted, then failed */
	put(f, "SMd", p, "send", "undelivered", "SMv2", 5, 1);                 /* never reached the phone */
	put(f, "SMe", p, "keyword_reply", "delivered", "SMv3", 5, 1);          /* a HELP answer */
	assert_false(before(f, p));
	put(f, "SMf", p, "send", "queued", "SMv4", 5, 1);                      /* the vendor has it */
	assert_true(before(f, p));
	assert_false(before(f, "+12125550199"));
	/* Delivered counts too, of course. */
	put(f, "SMg", "+12125550101", "send", "delivered", "SMv5", 5, 1);
	assert_true(before(f, "+12125550101"));
}

static void test_reconcile_candidates_and_one_job(void **state)
{
	struct fx *f = *state;
	const int64_t now = 10LL * 86400000, quiet = 600000, max_age = 72LL * 3600000;
	const char *p = "+12125550100";
	put(f, "SMquiet", p, "send", "queued", "SMv1", now - 3600000, now - quiet - 1);   /* lost its receipts */
	put(f, "SMsent", p, "send", "sent", "SMv2", now - 3600000, now - quiet - 1);      /* lost "delivered" */
	put(f, "SMfresh", p, "send", "queued", "SMv3", now - 1000, now - 1000);           /* still moving */
	put(f, "SMfinal", p, "send", "delivered", "SMv4", now - 3600000, now - quiet - 1);/* done */
	put(f, "SMnovendor", p, "send", "queued", NULL, I64_NULL, now - quiet - 1);       /* the send job's */
	put(f, "SMold", p, "send", "sent", "SMv5", now - max_age - 1, now - quiet - 1);   /* too old to ask */
	int queued = -1;
	assert_int_equal(messaging_reconcile_queue(f->db, now, quiet, max_age, 100, &queued), ERR_OK);
	assert_int_equal(queued, 2);
	struct db_stmt *st;
	assert_int_equal(db_prepare(f->db, "SELECT payload FROM bg_jobs WHERE kind = 'sms_reconcile' AND status = 'pending'"
				   " ORDER BY payload", &st), ERR_OK);
	bool row;
	assert_int_equal(db_step(st, &row), ERR_OK);
	assert_true(row);
	assert_string_equal(db_col_text(st, 0), "{\"sid\":\"SMquiet\"}");
	assert_int_equal(db_step(st, &row), ERR_OK);
	assert_true(row);
	assert_string_equal(db_col_text(st, 0), "{\"sid\":\"SMsent\"}");
	assert_int_equal(db_step(st, &row), ERR_OK);
	assert_false(row);
	db_done(st);
	/* Asked: not again before another quiet spell. */
	assert_int_equal(messaging_reconcile_queue(f->db, now + 1000, quiet, max_age, 100, &queued), ERR_OK);
	assert_int_equal(queued, 0);
	/* After one, its job still waiting (a vendor backing off): no second job
	 * (only the message that has since gone quiet gets one). */
	assert_int_equal(messaging_reconcile_queue(f->db, now + quiet + 1000, quiet, max_age, 100, &queued), ERR_OK);
	assert_int_equal(queued, 1);
	assert_int_equal(query_int(f->db, "SELECT COUNT(*) FROM bg_jobs WHERE payload = '{\"sid\":\"SMquiet\"}'"), 1);
	assert_int_equal(query_int(f->db, "SELECT COUNT(*) FROM bg_jobs WHERE payload = '{\"sid\":\"SMfresh\"}'"), 1);
	bool q = true;
	assert_int_equal(store_sms_reconcile_queue(f->db, f->w.id, "SMquiet", now, &q), ERR_OK);
	assert_false(q);
	/* Once it is done, the next quiet spell queues a new one. */
	assert_int_equal(db_exec(f->db, "UPDATE bg_jobs SET status = 'done' WHERE kind = 'sms_reconcile'", NULL), ERR_OK);
	assert_int_equal(messaging_reconcile_queue(f->db, now + 2 * quiet + 2000, quiet, max_age, 100, &queued), ERR_OK);
	assert_int_equal(queued, 3);
	assert_int_equal(query_int(f->db, "SELECT COUNT(*) FROM bg_jobs WHERE payload = '{\"sid\":\"SMquiet\"}'"), 2);
}

/* The cap's deferral: to the next midnight of the campaign's zone. */
static void test_cap_defers_to_zone_midnight(void **state)
{
	struct fx *f = *state;
	int64_t now = at("2030-01-16T00:30:00Z"); /* 16:30 PST on the 15th */
	clock_offset_set(now - clock_real_ms());
	assert_int_equal(store_sms_settings_set(f->db, f->w.id, 10, 2, NULL, now), ERR_OK);
	assert_int_equal(store_sms_usage_add(f->db, f->w.id, "2030-01-15", 2), ERR_OK);
	put(f, "SMheld", "+12125550100", "send", "queued", NULL, I64_NULL, now);
	struct sms_pace pace;
	assert_int_equal(messaging_pace(f->db, "SMheld", 10, 2, now * 1000, &pace), ERR_OK);
	assert_false(pace.go);
	assert_int_equal(pace.defer_ms, at("2030-01-16T08:00:00Z"));
	/* In UTC the day has turned: the cap is free again, and the message may go. */
	assert_int_equal(store_sms_settings_set(f->db, f->w.id, 10, 2, "UTC", now), ERR_OK);
	assert_int_equal(messaging_pace(f->db, "SMheld", 10, 2, now * 1000, &pace), ERR_OK);
	assert_true(pace.go);
	/* Leaving the zone out keeps it. */
	assert_int_equal(store_sms_settings_set(f->db, f->w.id, 10, 2, NULL, now), ERR_OK);
	struct sms_campaign c;
	assert_int_equal(messaging_campaign_get(f->db, f->w.id, 10, 2000, &c), ERR_OK);
	assert_string_equal(c.cap_time_zone, "UTC");
}

/* The run_at of the one job whose payload names sid. */
static int64_t run_at_of(struct fx *f, const char *sid)
{
	char sql[160];
	snprintf(sql, sizeof sql, "SELECT run_at FROM bg_jobs WHERE payload = '{\"sid\":\"%s\"}'", sid);
	return query_int(f->db, sql);
}

static const char *job_of(struct fx *f, const char *sid, char id[ID_SIZE])
{
	char sql[160];
	snprintf(sql, sizeof sql, "SELECT id FROM bg_jobs WHERE payload = '{\"sid\":\"%s\"}'", sid);
	struct db_stmt *st;
	assert_int_equal(db_prepare(f->db, sql, &st), ERR_OK);
	bool row;
	assert_int_equal(db_step(st, &row), ERR_OK);
	assert_true(row);
	snprintf(id, ID_SIZE, "%s", db_col_text(st, 0));
	db_done(st);
	return id;
}

/* Raising the campaign's limits wakes the sends held by the pacing or the
 * cap, and no other: not a retry's backoff after vendor errors, not a
 * schedule, not quiet hours, not a new job. (issue 6) */
static void test_wake_only_pace_holds(void **state)
{
	struct fx *f = *state;
	const int64_t now = 10LL * 86400000, later = now + 3600000;
	const char *sids[] = {"SMcap", "SMretry", "SMsched", "SMquiet", "SMnew", "SMother"};
	for (int i = 0; i < 6; i++) {
		char payload[64];
		snprintf(payload, sizeof payload, "{\"sid\":\"%s\"}", sids[i]);
		assert_int_equal(store_queue_insert(f->db, f->w.id, "sms", payload, later, now - 5000), ERR_OK);
	}
	char id[ID_SIZE];
	assert_int_equal(store_sms_job_defer(f->db, job_of(f, "SMcap", id), later, SMS_HELD_PACE, now - 4000), ERR_OK);
	assert_int_equal(store_sms_job_defer(f->db, job_of(f, "SMretry", id), later, SMS_HELD_PACE, now - 4000), ERR_OK);
	/* The cap let it go; the vendor failed it: a retry, no longer a hold. */
	assert_int_equal(store_queue_failed(f->db, job_of(f, "SMretry", id), "HTTP 503", later, now - 3000), ERR_OK);
	assert_int_equal(store_sms_job_defer(f->db, job_of(f, "SMsched", id), later, SMS_HELD_SCHEDULE, now - 4000), ERR_OK);
	assert_int_equal(store_sms_job_defer(f->db, job_of(f, "SMquiet", id), later, SMS_HELD_QUIET, now - 4000), ERR_OK);
	struct workspace w2 = {0};
	id_new(w2.id);
	snprintf(w2.slug, sizeof w2.slug, "beta");
	snprintf(w2.name, sizeof w2.name, "Beta");
	assert_int_equal(store_workspace_insert(f->db, &w2), ERR_OK);
	assert_int_equal(db_exec(f->db, "UPDATE bg_jobs SET workspace_id = (SELECT id FROM workspaces WHERE slug = 'beta')"
				 " WHERE payload = '{\"sid\":\"SMother\"}'", NULL), ERR_OK);
	assert_int_equal(store_sms_job_defer(f->db, job_of(f, "SMother", id), later, SMS_HELD_PACE, now - 4000), ERR_OK);

	assert_int_equal(store_sms_jobs_wake(f->db, f->w.id, now), ERR_OK);
	assert_int_equal(run_at_of(f, "SMcap"), now);
	assert_int_equal(run_at_of(f, "SMretry"), later);
	assert_int_equal(run_at_of(f, "SMsched"), later);
	assert_int_equal(run_at_of(f, "SMquiet"), later);
	assert_int_equal(run_at_of(f, "SMnew"), later);
	assert_int_equal(run_at_of(f, "SMother"), later);
}

/* A vendor sid recorded for one message is "taken" for any other. */
static void test_vendor_sid_taken(void **state)
{
	struct fx *f = *state;
	put(f, "SMmine", "+12125550100", "send", "queued", "SMv1", 5, 1);
	bool taken = true;
	assert_int_equal(store_sms_vendor_sid_taken(f->db, "SMv1", "SMmine", &taken), ERR_OK);
	assert_false(taken);
	assert_int_equal(store_sms_vendor_sid_taken(f->db, "SMv1", "SMtwin", &taken), ERR_OK);
	assert_true(taken);
	assert_int_equal(store_sms_vendor_sid_taken(f->db, "SMv2", "SMtwin", &taken), ERR_OK);
	assert_false(taken);
}

int main(void)
{
	log_level_set(LOG_WARN);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_usage_day_in_zone),
		cmocka_unit_test(test_next_day_in_zone),
		cmocka_unit_test_setup_teardown(test_sent_before_counts_accepted_sends_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reconcile_candidates_and_one_job, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cap_defers_to_zone_midnight, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wake_only_pace_holds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vendor_sid_taken, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
