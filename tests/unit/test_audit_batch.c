/* The audit batch (domain/audit.h): audit rows and events held by an actor's
 * batch are not written until flushed, are written in order with the ids and
 * times taken when held, a truncate drops what a rolled-back unit held, and
 * multi-row inserts cover counts below, at and above one statement's rows. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "domain/audit.h"
#include "store/audit.h"
#include "store/db.h"
#include "store/migrate.h"

static struct db *migrated(void)
{
	struct db *db = NULL;
	struct err_detail d = {0};
	assert_int_equal(db_open("sqlite::memory:", &db, &d), ERR_OK);
	assert_int_equal(store_migrate(db, NULL, &d), ERR_OK);
	return db;
}

static int64_t count(struct db *db, const char *sql)
{
	struct db_stmt *st;
	assert_int_equal(db_prepare(db, sql, &st), ERR_OK);
	bool row;
	assert_int_equal(db_step(st, &row), ERR_OK);
	int64_t n = db_col_int(st, 0);
	db_done(st);
	return n;
}

struct seen {
	int n;
	char ids[8][40];
	char diffs[8][64];
	char sources[8][16];
};

static bool collect(void *ctx, const struct audit_row *a)
{
	struct seen *s = ctx;
	if (s->n < 8) {
		snprintf(s->ids[s->n], sizeof s->ids[0], "%s", a->id);
		snprintf(s->diffs[s->n], sizeof s->diffs[0], "%s", a->diff ? a->diff : "");
		snprintf(s->sources[s->n], sizeof s->sources[0], "%s", a->source);
	}
	s->n++;
	return true;
}

static void held_until_flushed_in_order(void **state)
{
	(void)state;
	struct db *db = migrated();
	struct audit_batch *b = NULL;
	assert_int_equal(audit_batch_new(&b), ERR_OK);
	struct actor a = actor_system("ws1", SRC_BULK, "bulk@test");
	a.batch = b;
	assert_int_equal(db_begin_write(db), ERR_OK);
	char diff[32];
	for (int i = 0; i < 3; i++) {
		snprintf(diff, sizeof diff, "{\"n\":%d}", i);
		assert_int_equal(audit_record(db, &a, "call.updated", "call", "c1", diff, NULL), ERR_OK);
		assert_int_equal(events_emit_by(db, &a, "ws1", "call_updated", "c1", diff), ERR_OK);
	}
	/* Nothing written yet. */
	assert_int_equal(count(db, "SELECT COUNT(*) FROM audit_events"), 0);
	assert_int_equal(count(db, "SELECT COUNT(*) FROM events"), 0);
	/* A unit that is rolled back drops what it held. */
	struct audit_batch_mark m = audit_batch_mark(b);
	assert_int_equal(audit_record(db, &a, "call.updated", "call", "c1", "{\"n\":99}", NULL), ERR_OK);
	assert_int_equal(events_emit_by(db, &a, "ws1", "call_updated", "c1", "{\"n\":99}"), ERR_OK);
	audit_batch_truncate(b, m);
	assert_int_equal(audit_batch_flush(db, b), ERR_OK);
	assert_int_equal(db_commit(db), ERR_OK);
	assert_int_equal(count(db, "SELECT COUNT(*) FROM audit_events"), 3);
	assert_int_equal(count(db, "SELECT COUNT(*) FROM events"), 3);
	assert_int_equal(count(db, "SELECT COUNT(*) FROM events WHERE data LIKE '%99%'"), 0);
	/* In order: ids ascend with the order held, and so do event numbers. */
	struct seen s = {0};
	assert_int_equal(store_audit_each(db, "ws1", "call", "c1", collect, &s), ERR_OK);
	assert_int_equal(s.n, 3);
	for (int i = 0; i < 3; i++) {
		snprintf(diff, sizeof diff, "{\"n\":%d}", i);
		assert_string_equal(s.diffs[i], diff);
		assert_string_equal(s.sources[i], "bulk");
	}
	assert_int_equal(count(db, "SELECT COUNT(*) FROM events e1 JOIN events e2 ON e2.seq > e1.seq"
				   " WHERE e2.data < e1.data"), 0);
	/* The batch is empty after a flush: flushing again writes nothing. */
	assert_int_equal(audit_batch_flush(db, b), ERR_OK);
	assert_int_equal(count(db, "SELECT COUNT(*) FROM audit_events"), 3);
	audit_batch_free(b);
	db_close(db);
}

/* Without a batch the actor writes at once (every other caller of the edit cycle). */
static void no_batch_writes_at_once(void **state)
{
	(void)state;
	struct db *db = migrated();
	struct actor a = actor_system("ws1", SRC_SYSTEM, "system");
	assert_int_equal(audit_record(db, &a, "call.updated", "call", "c2", "{}", NULL), ERR_OK);
	assert_int_equal(events_emit_by(db, &a, "ws1", "call_updated", "c2", "{}"), ERR_OK);
	assert_int_equal(count(db, "SELECT COUNT(*) FROM audit_events"), 1);
	assert_int_equal(count(db, "SELECT COUNT(*) FROM events"), 1);
	db_close(db);
}

/* Counts around one multi-row statement's size (32): all rows land, each once. */
static void many_rows(void **state)
{
	(void)state;
	static const int sizes[] = {1, 31, 32, 33, 65, 500};
	for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
		struct db *db = migrated();
		struct audit_batch *b = NULL;
		assert_int_equal(audit_batch_new(&b), ERR_OK);
		struct actor a = actor_system("ws1", SRC_BULK, "bulk@test");
		a.batch = b;
		char id[16];
		for (int i = 0; i < sizes[k]; i++) {
			snprintf(id, sizeof id, "c%d", i);
			assert_int_equal(audit_record(db, &a, "call.updated", "call", id, "{}", "{\"m\":1}"), ERR_OK);
			assert_int_equal(events_emit_by(db, &a, "ws1", "call_updated", id, "{}"), ERR_OK);
		}
		assert_int_equal(db_begin_write(db), ERR_OK);
		assert_int_equal(audit_batch_flush(db, b), ERR_OK);
		assert_int_equal(db_commit(db), ERR_OK);
		assert_int_equal(count(db, "SELECT COUNT(DISTINCT target_id) FROM audit_events"), sizes[k]);
		assert_int_equal(count(db, "SELECT COUNT(*) FROM audit_events"), sizes[k]);
		assert_int_equal(count(db, "SELECT COUNT(DISTINCT call_id) FROM events"), sizes[k]);
		assert_int_equal(count(db, "SELECT COUNT(*) FROM events"), sizes[k]);
		audit_batch_free(b);
		db_close(db);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(held_until_flushed_in_order),
		cmocka_unit_test(no_batch_writes_at_once),
		cmocka_unit_test(many_rows),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
