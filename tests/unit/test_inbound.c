/* domain/inbound.c on a real SQLite database (a temporary file, migrated):
 * an inbound call creates the call with its audit and new_call events (the
 * write goes through store/group_commit.h, applied inline here); a caller on
 * the workspace's blocked list is rejected and nothing at all is written; a
 * replayed delivery creates nothing twice; an unknown number creates nothing.
 * A click-to-call leg's callbacks only move it forward (issue 5). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/log.h"
#include "domain/inbound.h"
#include "store/blocked.h"
#include "store/db.h"
#include "store/migrate.h"

static char path[64];

static int setup(void **state)
{
	(void)state;
	snprintf(path, sizeof path, "/tmp/sb_test_inbound_XXXXXX");
	int fd = mkstemp(path);
	if (fd < 0)
		return -1;
	close(fd);
	char url[96];
	snprintf(url, sizeof url, "sqlite:%s", path);
	struct err_detail d = {0};
	if (db_thread_setup(url) != ERR_OK || !db_thread() || store_migrate(db_thread(), NULL, &d) != ERR_OK)
		return -1;
	return db_exec(db_thread(),
		       "INSERT INTO workspaces (id, slug, name, time_zone, created_at) VALUES ('w1', 'w1', 'W', 'UTC', 1);"
		       "INSERT INTO tracking_numbers (id, workspace_id, e164, routing_mode, after_hours, created_at, updated_at,"
		       " forward_to) VALUES ('n1', 'w1', '+14155550100', 'human', 'forward', 1, 1, '+14155550199');",
		       &d) == ERR_OK ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	db_thread_release();
	static const char *const suffix[] = {"", "-wal", "-shm"};
	for (int i = 0; i < 3; i++) {
		char p[96];
		snprintf(p, sizeof p, "%s%s", path, suffix[i]);
		unlink(p);
	}
	return 0;
}

static int64_t count(const char *sql)
{
	struct db_stmt *st;
	bool row = false;
	int64_t n = -1;
	if (db_prepare(db_thread(), sql, &st) != ERR_OK)
		return -1;
	if (db_step(st, &row) == ERR_OK && row)
		n = db_col_int(st, 0);
	db_done(st);
	return n;
}

static int64_t writes(void)
{
	return count("SELECT (SELECT count(*) FROM calls) + (SELECT count(*) FROM events)"
		     " + (SELECT count(*) FROM audit_events) + (SELECT count(*) FROM webhook_deliveries)"
		     " + (SELECT count(*) FROM calls_fts)");
}

static enum err ring(const char *sid, const char *from, const char *to, struct arena *a, struct tel_result *out)
{
	struct tel_event ev = {.call_sid = sid, .from = from, .to = to, .call_status = "ringing",
			       .direction = "inbound", .call_duration = INT64_MIN, .recording_duration = INT64_MIN};
	struct err_detail d = {0};
	return inbound_event(db_thread(), &ev, a, out, &d);
}

static void test_inbound_and_blocked(void **state)
{
	(void)state;
	struct arena *a = arena_new();
	assert_non_null(a);
	struct tel_result res;

	/* A caller: one call, its audit and new_call events, its delivery row and search row. */
	assert_int_equal(ring("CA1", "(212) 555-0101", "+14155550100", a, &res), ERR_OK);
	assert_int_equal(res.kind, TEL_INBOUND);
	assert_int_equal(res.answer, ANSWER_FORWARD);
	assert_string_equal(res.forward_to, "+14155550199");
	assert_false(res.replay);
	assert_false(res.blocked);
	assert_non_null(res.call_id);
	assert_null(res.pending);
	assert_int_equal(count("SELECT count(*) FROM calls WHERE call_sid = 'CA1' AND from_e164 = '+12125550101'"), 1);
	assert_int_equal(count("SELECT count(*) FROM events WHERE type = 'new_call'"), 1);
	assert_int_equal(count("SELECT count(*) FROM audit_events WHERE action = 'call.created'"), 1);
	assert_int_equal(count("SELECT count(*) FROM calls_fts WHERE calls_fts MATCH '2125550101'"), 1);
	int64_t before = writes();

	/* The same delivery again: the same answer, nothing written. */
	assert_int_equal(ring("CA1", "(212) 555-0101", "+14155550100", a, &res), ERR_OK);
	assert_true(res.replay);
	assert_int_equal(res.answer, ANSWER_FORWARD);
	assert_int_equal(writes(), before);

	/* Blocked caller (any format of the number): rejected, nothing written. */
	struct blocked_number b = {.workspace_id = "w1", .e164 = "+12125550102", .source = "manual", .created_at = 1};
	assert_int_equal(store_blocked_add(db_thread(), &b, NULL), ERR_OK);
	assert_int_equal(ring("CA2", "212.555.0102", "+14155550100", a, &res), ERR_OK);
	assert_int_equal(res.kind, TEL_INBOUND);
	assert_int_equal(res.answer, ANSWER_REJECT);
	assert_true(res.blocked);
	assert_null(res.call_id);
	assert_int_equal(writes(), before);
	/* ...every time, and blocking is per workspace (a second delivery is rejected too). */
	assert_int_equal(ring("CA2", "+12125550102", "+14155550100", a, &res), ERR_OK);
	assert_int_equal(res.answer, ANSWER_REJECT);
	assert_int_equal(writes(), before);

	/* Unblocked: the next call from that number is taken. */
	assert_int_equal(store_blocked_remove(db_thread(), "w1", "+12125550102"), ERR_OK);
	assert_int_equal(ring("CA3", "+12125550102", "+14155550100", a, &res), ERR_OK);
	assert_int_equal(res.answer, ANSWER_FORWARD);
	assert_non_null(res.call_id);
	assert_int_equal(count("SELECT count(*) FROM calls"), 2);

	/* A number nobody owns: not found, nothing written. */
	before = writes();
	assert_int_equal(ring("CA4", "+12125550103", "+14155550111", a, &res), ERR_NOT_FOUND);
	assert_int_equal(writes(), before);
	arena_free(a);
}

/* A status callback of the click-to-call leg CAleg (seq: SequenceNumber or INT64_MIN for none). */
static enum err leg(const char *status, int64_t seq, struct arena *a, struct tel_result *out)
{
	struct tel_event ev = {.call_sid = "CAleg", .call_status = status, .direction = "outbound-api",
			       .call_duration = INT64_MIN, .recording_duration = INT64_MIN, .dial_call_duration = INT64_MIN,
			       .sequence_number = seq};
	struct err_detail d = {0};
	return inbound_event(db_thread(), &ev, a, out, &d);
}

static int64_t leg_is(const char *status, const char *vendor_status, int64_t seq)
{
	char sql[256];
	snprintf(sql, sizeof sql, "SELECT count(*) FROM call_legs WHERE call_sid = 'CAleg' AND status = '%s'"
		 " AND vendor_status = '%s' AND vendor_seq = %lld", status, vendor_status, (long long)seq);
	return count(sql);
}

/* Issue 5: a leg's callbacks only move it forward, by status and by Twilio's
 * SequenceNumber; one that arrives late changes nothing and announces nothing. */
static void test_leg_order(void **state)
{
	(void)state;
	struct arena *a = arena_new();
	assert_non_null(a);
	struct tel_result res;
	struct err_detail d = {0};
	assert_int_equal(ring("CA1", "(212) 555-0101", "+14155550100", a, &res), ERR_OK);
	assert_int_equal(db_exec(db_thread(),
				 "INSERT INTO call_legs (call_sid, request_sid, workspace_id, call_id, to_e164, from_e164,"
				 " status, created_at, updated_at) SELECT 'CAleg', 'CAreq', 'w1', id, '+14155550123',"
				 " '+14155550100', 'dialing', 1, 1 FROM calls WHERE call_sid = 'CA1'", &d), ERR_OK);
	const char *legs_updated = "SELECT count(*) FROM events WHERE type = 'call_updated'";

	assert_int_equal(leg("initiated", 1, a, &res), ERR_OK);
	assert_int_equal(res.kind, TEL_LEG);
	assert_false(res.stale);
	assert_int_equal(leg_is("dialing", "initiated", 1), 1);
	int64_t events = count(legs_updated), before = writes();

	/* Same status rank, fired earlier: only the SequenceNumber tells. */
	assert_int_equal(leg("queued", 0, a, &res), ERR_OK);
	assert_true(res.stale);
	assert_int_equal(leg_is("dialing", "initiated", 1), 1);
	assert_int_equal(count(legs_updated), events);
	assert_int_equal(writes(), before);

	assert_int_equal(leg("in-progress", 3, a, &res), ERR_OK);
	assert_false(res.stale);
	assert_int_equal(leg_is("connected", "in-progress", 3), 1);
	events = count(legs_updated);
	before = writes();
	/* Ringing fired before in-progress, arriving after it: with its number, or without one. */
	assert_int_equal(leg("ringing", 2, a, &res), ERR_OK);
	assert_true(res.stale);
	assert_int_equal(leg("ringing", INT64_MIN, a, &res), ERR_OK);
	assert_true(res.stale);
	assert_int_equal(leg_is("connected", "in-progress", 3), 1);
	assert_int_equal(count(legs_updated), events);
	assert_int_equal(writes(), before);

	/* An end is final, whatever comes after it. */
	assert_int_equal(leg("completed", 4, a, &res), ERR_OK);
	assert_int_equal(leg_is("ended", "completed", 4), 1);
	assert_int_equal(leg("failed", 5, a, &res), ERR_OK);
	assert_true(res.stale);
	assert_int_equal(leg("in-progress", 6, a, &res), ERR_OK);
	assert_true(res.stale);
	assert_int_equal(leg_is("ended", "completed", 4), 1);
	arena_free(a);
}

int main(void)
{
	log_level_set(LOG_ERROR);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_inbound_and_blocked, setup, teardown),
		cmocka_unit_test_setup_teardown(test_leg_order, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
