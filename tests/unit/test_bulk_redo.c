/* A bulk chunk edits its calls in its own transaction (no savepoint a call).
 * When a call fails after it wrote (here: a trigger refuses its tag after the
 * row was touched), the chunk is rolled back and run again with a savepoint a
 * call: that call alone is reported and leaves nothing behind, every other call
 * is changed, audited and announced exactly once. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "core/ids.h"
#include "domain/bulk.h"
#include "store/bulk.h"
#include "store/db.h"
#include "store/migrate.h"

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

static void exec(struct db *db, const char *sql)
{
	struct err_detail d = {0};
	assert_int_equal(db_exec(db, sql, &d), ERR_OK);
}

static void failure_after_a_write_reruns_the_chunk_with_savepoints(void **state)
{
	(void)state;
	struct db *db = NULL;
	struct err_detail d = {0};
	assert_int_equal(db_open("sqlite::memory:", &db, &d), ERR_OK);
	assert_int_equal(store_migrate(db, NULL, &d), ERR_OK);
	exec(db, "INSERT INTO workspaces (id, slug, name, created_at) VALUES ('w1', 'w1', 'W', 0)");
	exec(db, "INSERT INTO calls (id, workspace_id, started_at, direction, from_e164, to_e164, created_at, updated_at)"
		 " VALUES ('c1', 'w1', 1, 'in', '+15551230001', '+15551230000', 0, 0),"
		 " ('c2', 'w1', 2, 'in', '+15551230002', '+15551230000', 0, 0),"
		 " ('c3', 'w1', 3, 'in', '+15551230003', '+15551230000', 0, 0),"
		 " ('c4', 'w1', 4, 'in', '+15551230004', '+15551230000', 0, 0),"
		 " ('c5', 'w1', 5, 'in', '+15551230005', '+15551230000', 0, 0)");
	/* c3's tag is refused after its row was touched: a failure after a write. */
	exec(db, "CREATE TRIGGER refuse_c3 BEFORE INSERT ON call_tags WHEN NEW.call_id = 'c3'"
		 " BEGIN SELECT RAISE(ABORT, 'refused'); END");
	struct bulk_job j = {0};
	id_new(j.id);
	j.workspace_id = "w1";
	j.user_id = "u1";
	j.user_email = "u1@test";
	j.role = "dispatcher";
	j.kind = "bulk";
	j.operation = "tag";
	j.data = "{\"tags\":[\"x\"]}";
	j.created_at = 1;
	const char *ids[] = {"c1", "c2", "c3", "c4", "c5"};
	assert_int_equal(store_bulk_insert(db, &j), ERR_OK);
	assert_int_equal(store_bulk_items_add(db, j.id, ids, 5), ERR_OK);
	static const char *tags[] = {"x"};
	struct bulk_op op = {.kind = BULK_TAG, .tag_mode = BULK_TAGS_ADD, .tags = tags, .ntags = 1};
	bool finished = true;
	assert_int_equal(bulk_job_step(db, &j, &op, 500, 60000, &finished, &d), ERR_OK);
	assert_false(finished);
	assert_int_equal(j.processed, 5);
	assert_int_equal(j.nerrors, 1);
	assert_int_equal(db_tx_depth(db), 0);
	/* Every other call: its tag, one audit row, one event; c3: nothing at all. */
	assert_int_equal(count(db, "SELECT COUNT(*) FROM call_tags WHERE tag = 'x'"), 4);
	assert_int_equal(count(db, "SELECT COUNT(*) FROM call_tags WHERE call_id = 'c3'"), 0);
	assert_int_equal(count(db, "SELECT COUNT(*) FROM calls WHERE updated_at > 0"), 4);
	assert_int_equal(count(db, "SELECT COUNT(*) FROM calls WHERE id = 'c3' AND updated_at = 0"), 1);
	assert_int_equal(count(db, "SELECT COUNT(*) FROM audit_events WHERE source = 'bulk'"), 4);
	assert_int_equal(count(db, "SELECT COUNT(DISTINCT target_id) FROM audit_events WHERE target_id != 'c3'"), 4);
	assert_int_equal(count(db, "SELECT COUNT(*) FROM events WHERE type = 'call_updated'"), 4);
	assert_int_equal(count(db, "SELECT COUNT(*) FROM events WHERE call_id = 'c3'"), 0);
	assert_int_equal(count(db, "SELECT COUNT(*) FROM bulk_job_errors WHERE call_id = 'c3'"), 1);
	assert_int_equal(count(db, "SELECT COUNT(*) FROM bulk_job_errors"), 1);
	/* The next step finds nothing left and completes the job. */
	assert_int_equal(bulk_job_step(db, &j, &op, 500, 60000, &finished, &d), ERR_OK);
	assert_true(finished);
	db_close(db);
}

/* Without failures the chunk commits in one go: all five changed once. */
static void clean_chunk(void **state)
{
	(void)state;
	struct db *db = NULL;
	struct err_detail d = {0};
	assert_int_equal(db_open("sqlite::memory:", &db, &d), ERR_OK);
	assert_int_equal(store_migrate(db, NULL, &d), ERR_OK);
	exec(db, "INSERT INTO workspaces (id, slug, name, created_at) VALUES ('w1', 'w1', 'W', 0)");
	exec(db, "INSERT INTO calls (id, workspace_id, started_at, direction, from_e164, to_e164, created_at, updated_at)"
		 " VALUES ('c1', 'w1', 1, 'in', '+15551230001', '+15551230000', 0, 0),"
		 " ('c2', 'w1', 2, 'in', '+15551230002', '+15551230000', 0, 0)");
	struct bulk_job j = {0};
	id_new(j.id);
	j.workspace_id = "w1";
	j.user_id = "u1";
	j.user_email = "u1@test";
	j.role = "dispatcher";
	j.kind = "bulk";
	j.operation = "tag";
	j.data = "{}";
	j.created_at = 1;
	const char *ids[] = {"c1", "c2", "missing"};
	assert_int_equal(store_bulk_insert(db, &j), ERR_OK);
	assert_int_equal(store_bulk_items_add(db, j.id, ids, 3), ERR_OK);
	static const char *tags[] = {"y"};
	struct bulk_op op = {.kind = BULK_TAG, .tag_mode = BULK_TAGS_ADD, .tags = tags, .ntags = 1};
	bool finished = true;
	assert_int_equal(bulk_job_step(db, &j, &op, 500, 60000, &finished, &d), ERR_OK);
	assert_int_equal(j.processed, 3);
	assert_int_equal(j.nerrors, 1);
	assert_int_equal(count(db, "SELECT COUNT(*) FROM call_tags WHERE tag = 'y'"), 2);
	assert_int_equal(count(db, "SELECT COUNT(*) FROM audit_events"), 2);
	assert_int_equal(count(db, "SELECT COUNT(*) FROM events"), 2);
	assert_int_equal(count(db, "SELECT COUNT(*) FROM bulk_job_errors WHERE call_id = 'missing'"), 1);
	db_close(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(failure_after_a_write_reruns_the_chunk_with_savepoints),
		cmocka_unit_test(clean_chunk),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
