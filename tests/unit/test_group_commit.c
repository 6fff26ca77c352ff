/* store/group_commit.h against a real SQLite file: units applied inline when
 * no writer runs; with the writer, many units in one transaction, a failing
 * unit undone alone (its savepoint) while the others of its batch commit, and
 * nothing reported before the commit; second steps once per batch, and a
 * batch redone unit by unit when one fails. Also migration 0009 (tracking numbers'
 * forward_to column, unpacked from the old packed hours). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "store/db.h"
#include "store/group_commit.h"
#include "store/migrate.h"

static char path[64];
static char url[96];

static void remove_files(void)
{
	static const char *const suffix[] = {"", "-wal", "-shm", "-journal"};
	for (size_t i = 0; i < sizeof suffix / sizeof suffix[0]; i++) {
		char p[96];
		snprintf(p, sizeof p, "%s%s", path, suffix[i]);
		unlink(p);
	}
}

static int setup(void **state)
{
	(void)state;
	snprintf(path, sizeof path, "/tmp/sb_test_gc_XXXXXX");
	int fd = mkstemp(path);
	if (fd < 0)
		return -1;
	close(fd);
	snprintf(url, sizeof url, "sqlite:%s", path);
	if (db_thread_setup(url) != ERR_OK)
		return -1;
	struct db *db = db_thread();
	struct err_detail d = {0};
	if (!db || store_migrate(db, NULL, &d) != ERR_OK)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	gc_stop();
	db_thread_release();
	remove_files();
	return 0;
}

/* A unit: insert one webhook_deliveries row with key `key`; fail after the insert when asked. */
struct unit_ctx {
	char key[32];
	bool fail;
	bool fail_after;  /* its second step fails */
	sem_t *hold;      /* when set: wait on it first (keeps the writer busy) */
	sem_t *started;   /* posted when the unit begins */
	enum err rc;
	bool done;
	sem_t *finished;
};

static enum err put_row(struct db *db, void *arg)
{
	struct unit_ctx *u = arg;
	if (u->started)
		sem_post(u->started);
	if (u->hold)
		sem_wait(u->hold);
	struct db_stmt *st;
	enum err rc = db_prepare(db, "INSERT INTO webhook_deliveries (source, event_key, received_at) VALUES ('t', ?, 1)", &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, u->key);
	if ((rc = db_run(st)) != ERR_OK)
		return rc;
	return u->fail ? ERR_CONFLICT : ERR_OK;
}

static int64_t count_rows(const char *key)
{
	struct db *db = db_thread();
	struct db_stmt *st;
	bool row = false;
	int64_t n = -1;
	if (db_prepare(db, key ? "SELECT count(*) FROM webhook_deliveries WHERE source = 't' AND event_key = ?"
			       : "SELECT count(*) FROM webhook_deliveries WHERE source = 't'", &st) != ERR_OK)
		return -1;
	if (key)
		db_bind_text(st, 1, key);
	if (db_step(st, &row) == ERR_OK && row)
		n = db_col_int(st, 0);
	db_done(st);
	return n;
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

static void test_inline(void **state)
{
	(void)state;
	assert_false(gc_running());
	struct unit_ctx ok = {.key = "inline-ok"}, bad = {.key = "inline-bad", .fail = true};
	assert_int_equal(gc_run(db_thread(), put_row, &ok), ERR_OK);
	assert_int_equal(gc_run(db_thread(), put_row, &bad), ERR_CONFLICT);
	assert_int_equal(count_rows("inline-ok"), 1);
	assert_int_equal(count_rows("inline-bad"), 0);
	assert_false(db_in_transaction(db_thread()));
}

static void on_done(struct gc_unit *unit, enum err rc)
{
	struct unit_ctx *u = unit->ctx;
	u->rc = rc;
	u->done = true;
	sem_post(u->finished);
}

#define N 40

static void test_batches(void **state)
{
	(void)state;
	struct err_detail d = {0};
	assert_int_equal(gc_start(0, &d), ERR_OK);
	assert_true(gc_running());
	sem_t hold, started, finished;
	sem_init(&hold, 0, 0);
	sem_init(&started, 0, 0);
	sem_init(&finished, 0, 0);
	static struct unit_ctx ctx[N + 1];
	static struct gc_unit units[N + 1];
	struct gc_stats before;
	gc_stats_get(&before);
	/* Unit 0 holds the writer inside its batch until all others are queued. */
	memset(ctx, 0, sizeof ctx);
	snprintf(ctx[0].key, sizeof ctx[0].key, "first");
	ctx[0].hold = &hold;
	ctx[0].started = &started;
	for (int i = 0; i <= N; i++) {
		if (i)
			snprintf(ctx[i].key, sizeof ctx[i].key, "k%d", i);
		ctx[i].fail = i % 7 == 3; /* some fail: undone alone */
		ctx[i].finished = &finished;
		units[i] = (struct gc_unit){.fn = put_row, .ctx = &ctx[i], .done = on_done};
		gc_submit(db_thread(), &units[i]);
		if (i == 0)
			sem_wait(&started); /* the writer has taken unit 0 alone */
	}
	for (int i = 1; i <= N; i++)
		assert_false(ctx[i].done); /* nothing is reported before its commit */
	sem_post(&hold);
	for (int i = 0; i <= N; i++)
		sem_wait(&finished);
	int failed = 0;
	for (int i = 0; i <= N; i++) {
		assert_true(ctx[i].done);
		assert_int_equal(ctx[i].rc, ctx[i].fail ? ERR_CONFLICT : ERR_OK);
		assert_int_equal(count_rows(ctx[i].key), ctx[i].fail ? 0 : 1);
		failed += ctx[i].fail;
	}
	struct gc_stats after;
	gc_stats_get(&after);
	assert_int_equal(after.units - before.units, N + 1);
	assert_int_equal(after.failed_units - before.failed_units, failed);
	assert_int_equal(after.batches - before.batches, 2); /* unit 0, then the other N at once */
	assert_true(after.max_batch_seen >= N);
	/* gc_run waits for the commit, from any thread. */
	struct unit_ctx sync = {.key = "sync"};
	assert_int_equal(gc_run(db_thread(), put_row, &sync), ERR_OK);
	assert_int_equal(count_rows("sync"), 1);
	gc_stop();
	assert_false(gc_running());
	sem_destroy(&hold);
	sem_destroy(&started);
	sem_destroy(&finished);
}

/* Second steps: one call per batch over the units that succeeded; when it
 * fails, the batch is undone and each unit applied again alone, so only the
 * unit whose own second step fails is refused. */
static int after_calls, after_units;

static enum err index_rows(struct db *db, void *const *ctxs, int n)
{
	after_calls++;
	for (int i = 0; i < n; i++) {
		const struct unit_ctx *u = ctxs[i];
		after_units++;
		if (u->fail_after)
			return ERR_CONFLICT;
		struct db_stmt *st;
		enum err rc = db_prepare(db, "UPDATE webhook_deliveries SET workspace_id = 'indexed' WHERE event_key = ?", &st);
		if (rc != ERR_OK)
			return rc;
		db_bind_text(st, 1, u->key);
		if ((rc = db_run(st)) != ERR_OK)
			return rc;
	}
	return ERR_OK;
}

static void run_batch(struct unit_ctx *ctx, struct gc_unit *units, int n)
{
	sem_t hold, started, finished;
	sem_init(&hold, 0, 0);
	sem_init(&started, 0, 0);
	sem_init(&finished, 0, 0);
	ctx[0].hold = &hold;
	ctx[0].started = &started;
	for (int i = 0; i < n; i++) {
		ctx[i].finished = &finished;
		units[i] = (struct gc_unit){.fn = put_row, .after_all = index_rows, .ctx = &ctx[i], .done = on_done};
		gc_submit(db_thread(), &units[i]);
		if (i == 0)
			sem_wait(&started);
	}
	sem_post(&hold);
	for (int i = 0; i < n; i++)
		sem_wait(&finished);
	sem_destroy(&hold);
	sem_destroy(&started);
	sem_destroy(&finished);
}

static void test_second_steps(void **state)
{
	(void)state;
	struct err_detail d = {0};
	assert_int_equal(gc_start(0, &d), ERR_OK);
	enum { M = 12 };
	static struct unit_ctx ctx[M];
	static struct gc_unit units[M];
	memset(ctx, 0, sizeof ctx);
	for (int i = 0; i < M; i++)
		snprintf(ctx[i].key, sizeof ctx[i].key, "a%d", i);
	ctx[4].fail = true; /* its first step fails: no second step for it */
	after_calls = after_units = 0;
	run_batch(ctx, units, M);
	assert_int_equal(after_calls, 2);         /* unit 0 alone, then one call for the other 10 */
	assert_int_equal(after_units, M - 1);
	assert_int_equal(count_rows("a4"), 0);
	assert_int_equal(count("SELECT count(*) FROM webhook_deliveries WHERE workspace_id = 'indexed'"), M - 1);

	memset(ctx, 0, sizeof ctx);
	for (int i = 0; i < M; i++)
		snprintf(ctx[i].key, sizeof ctx[i].key, "b%d", i);
	ctx[7].fail_after = true; /* its second step fails: the batch is redone unit by unit */
	run_batch(ctx, units, M);
	for (int i = 0; i < M; i++) {
		assert_int_equal(ctx[i].rc, i == 7 ? ERR_CONFLICT : ERR_OK);
		assert_int_equal(count_rows(ctx[i].key), i == 7 ? 0 : 1);
	}
	assert_int_equal(count("SELECT count(*) FROM webhook_deliveries WHERE workspace_id = 'indexed'"
			       " AND event_key LIKE 'b%'"), M - 1);
	gc_stop();
}

/* Migration 0009 unpacks {"hours": ..., "forwardTo": ...} from the hours column. */
static void test_migration_forward_to(void **state)
{
	(void)state;
	struct db *db = db_thread();
	struct err_detail d = {0};
	/* The table as 0009 found it: migration 0018 has since renamed hours to hours_unvalidated. */
	assert_int_equal(db_exec(db,
		"ALTER TABLE tracking_numbers RENAME COLUMN hours_unvalidated TO hours;"
		"ALTER TABLE tracking_numbers DROP COLUMN forward_to;"
		"DELETE FROM schema_version WHERE version = 9;"
		"INSERT INTO workspaces (id, slug, name, created_at) VALUES ('w1', 'w1', 'W', 1);"
		"INSERT INTO tracking_numbers (id, workspace_id, e164, hours, created_at, updated_at) VALUES"
		" ('n1', 'w1', '+14155550101', '{\"hours\":{\"mon\":[{\"open\":\"08:00\",\"close\":\"17:00\"}]},\"forwardTo\":\"+14155550199\"}', 1, 1),"
		" ('n2', 'w1', '+14155550102', '{\"hours\":null,\"forwardTo\":\"+14155550198\"}', 1, 1),"
		" ('n3', 'w1', '+14155550103', '{\"hours\":\"24/7\",\"forwardTo\":null}', 1, 1),"
		" ('n4', 'w1', '+14155550104', '{\"mon\":[]}', 1, 1),"
		" ('n5', 'w1', '+14155550105', NULL, 1, 1);", &d), ERR_OK);
	int applied = 0;
	assert_int_equal(store_migrate(db, &applied, &d), ERR_OK);
	assert_int_equal(applied, 1);
	static const char *const want[][3] = {
		{"n1", "{\"mon\":[{\"open\":\"08:00\",\"close\":\"17:00\"}]}", "+14155550199"},
		{"n2", NULL, "+14155550198"},
		{"n3", "\"24/7\"", NULL},
		{"n4", "{\"mon\":[]}", NULL},
		{"n5", NULL, NULL},
	};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		struct db_stmt *st;
		bool row = false;
		assert_int_equal(db_prepare(db, "SELECT hours, forward_to FROM tracking_numbers WHERE id = ?", &st), ERR_OK);
		db_bind_text(st, 1, want[i][0]);
		assert_int_equal(db_step(st, &row), ERR_OK);
		assert_true(row);
		const char *h = db_col_text(st, 0), *f = db_col_text(st, 1);
		if (want[i][1])
			assert_string_equal(h ? h : "(null)", want[i][1]);
		else
			assert_null(h);
		if (want[i][2])
			assert_string_equal(f ? f : "(null)", want[i][2]);
		else
			assert_null(f);
		db_done(st);
	}
}

int main(void)
{
	log_level_set(LOG_ERROR);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_inline, setup, teardown),
		cmocka_unit_test_setup_teardown(test_batches, setup, teardown),
		cmocka_unit_test_setup_teardown(test_second_steps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_migration_forward_to, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
