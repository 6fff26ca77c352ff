/* Unit tests for starting the write-ahead log over (store/db.h:
 * db_checkpoint, its finisher and db_checkpoint_finish). Who does the last
 * step is checked on a recording driver (what mode each call asked for);
 * whether the WAL really starts over needs a steady stream of writes that a
 * unit test does not make (alone, SQLite starts it over after any full
 * checkpoint), so the SQLite driver is only run through each mode on a real
 * file here and measured by bench/webhook_bench.sh ("WAL now"). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/db.h"
#include "store/db_int.h"

/* ---- a driver that records the checkpoint modes it is asked for ---- */

static int calls[3];   /* per DB_CKPT_* mode */
static bool due;       /* what CATCH_UP answers */

static enum err rec_checkpoint(struct db *db, int mode, bool *restart_due)
{
	(void)db;
	calls[mode]++;
	if (restart_due)
		*restart_due = mode == DB_CKPT_CATCH_UP && due;
	return ERR_OK;
}

static const struct db_ops rec_ops = {.scheme = "rec", .checkpoint = rec_checkpoint};

static int reset(void **state)
{
	(void)state;
	memset(calls, 0, sizeof calls);
	due = false;
	db_checkpoint_finisher(false);
	return 0;
}

static void test_nothing_due(void **state)
{
	(void)state;
	struct db db = {.ops = &rec_ops};
	db_checkpoint_finisher(true);
	assert_int_equal(db_checkpoint(&db), ERR_OK);
	db_checkpoint_finish(&db);
	assert_int_equal(calls[DB_CKPT_CATCH_UP], 1);
	assert_int_equal(calls[DB_CKPT_PASSIVE], 0);
	assert_int_equal(calls[DB_CKPT_RESTART], 0);
}

static void test_no_finisher_restarts_at_once(void **state)
{
	(void)state;
	struct db db = {.ops = &rec_ops};
	due = true;
	assert_int_equal(db_checkpoint(&db), ERR_OK);
	assert_int_equal(calls[DB_CKPT_RESTART], 1);
	db_checkpoint_finish(&db); /* nobody asked */
	assert_int_equal(calls[DB_CKPT_PASSIVE], 0);
}

static void test_finisher_does_the_last_pass(void **state)
{
	(void)state;
	struct db db = {.ops = &rec_ops};
	db_checkpoint_finisher(true);
	due = true;
	assert_int_equal(db_checkpoint(&db), ERR_OK);
	assert_int_equal(calls[DB_CKPT_RESTART], 0); /* no lock held over the writers */
	db_checkpoint_finish(&db);
	db_checkpoint_finish(&db); /* asked once, done once */
	assert_int_equal(calls[DB_CKPT_PASSIVE], 1);
	assert_int_equal(db_checkpoint(&db), ERR_OK); /* due again: asks again */
	assert_int_equal(calls[DB_CKPT_RESTART], 0);
	db_checkpoint_finish(&db);
	assert_int_equal(calls[DB_CKPT_PASSIVE], 2);
}

static void test_idle_finisher_falls_back(void **state)
{
	(void)state;
	struct db db = {.ops = &rec_ops};
	db_checkpoint_finisher(true);
	due = true;
	assert_int_equal(db_checkpoint(&db), ERR_OK);
	assert_int_equal(db_checkpoint(&db), ERR_OK); /* the finisher never came by */
	assert_int_equal(calls[DB_CKPT_RESTART], 1);
	db_checkpoint_finish(&db); /* the request was taken back */
	assert_int_equal(calls[DB_CKPT_PASSIVE], 0);
	db_checkpoint_finisher(false); /* a writer going away drops its request */
	assert_int_equal(db_checkpoint(&db), ERR_OK);
	assert_int_equal(calls[DB_CKPT_RESTART], 2);
}

/* ---- the SQLite driver, each mode on a real file ---- */

static void test_sqlite_modes(void **state)
{
	(void)state;
	char dir[] = "/tmp/sb-wal-XXXXXX", url[96];
	assert_non_null(mkdtemp(dir));
	snprintf(url, sizeof url, "sqlite:%s/x.db", dir);
	struct db *db;
	struct err_detail d = {0};
	assert_int_equal(db_open(url, &db, &d), ERR_OK);
	assert_int_equal(db_exec(db, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)", NULL), ERR_OK);
	db_wal_restart_frames_set(16);
	for (int i = 0; i < 64; i++)
		assert_int_equal(db_exec(db, "INSERT INTO t (v) VALUES (hex(randomblob(64)))", NULL), ERR_OK);
	bool restart_due = false;
	assert_int_equal(db->ops->checkpoint(db, DB_CKPT_CATCH_UP, &restart_due), ERR_OK);
	assert_true(restart_due); /* large, and caught up at once: nothing else writes */
	assert_int_equal(db->ops->checkpoint(db, DB_CKPT_PASSIVE, NULL), ERR_OK);
	assert_int_equal(db->ops->checkpoint(db, DB_CKPT_RESTART, NULL), ERR_OK);
	db_wal_restart_frames_set(1 << 30);
	assert_int_equal(db->ops->checkpoint(db, DB_CKPT_CATCH_UP, &restart_due), ERR_OK);
	assert_false(restart_due); /* small */
	db_wal_restart_frames_set(16384);
	int64_t n = 0;
	struct db_stmt *st;
	assert_int_equal(db_prepare(db, "SELECT COUNT(*) FROM t", &st), ERR_OK);
	bool row;
	assert_int_equal(db_step(st, &row), ERR_OK);
	n = db_col_int(st, 0);
	db_done(st);
	assert_int_equal(n, 64); /* nothing lost on the way */
	db_close(db);
	char cmd[64];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_nothing_due, reset),
		cmocka_unit_test_setup(test_no_finisher_restarts_at_once, reset),
		cmocka_unit_test_setup(test_finisher_does_the_last_pass, reset),
		cmocka_unit_test_setup(test_idle_finisher_falls_back, reset),
		cmocka_unit_test_setup(test_sqlite_modes, reset),
	};
	return cmocka_run_group_tests_name("wal", tests, NULL, NULL);
}
